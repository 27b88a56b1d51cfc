"""Your own interaction log: a folder with a ``dataset.toml`` card, or pandas frames, into the same ``Dataset``.

A **generic folder** holds ``interactions.csv`` or ``interactions.parquet``, optionally an item table
(``items.csv``/``.parquet``) and a user table (``users.csv``/``.parquet``), and ``dataset.toml``
(read with :mod:`tomllib`), which names the columns. Other tools write the card, so its key names are
fixed::

    [interactions]
    file = "interactions.csv"      # or .parquet; default: whichever of the two exists
    user = "customer"              # required
    item = "product"               # required
    time = "ts"                    # required
    time_format = "iso8601"        # required: "unix_s" | "unix_ms" | "iso8601"
    rating = "stars"               # optional (without it every interaction counts 1)
    rating_scale = [1, 5]          # optional ([lowest, highest] or [lowest, highest, step]): others are counted

    [items]                        # optional table (without it: the items the log names, no side information)
    file = "items.csv"
    id = "product"                 # default: the interactions' item column name
    title = "name"                 # optional (without it, or where empty: the item id)
    categories = "tags"            # optional, multi-valued
    category_sep = "|"             # default "|"
    year = "year"                  # optional: a year, or a date whose year is read
    fields = ["brand"]             # other categorical item fields
    unknown_items = "error"        # or "keep": interactions naming items absent from the item file

    [users]                        # optional table
    file = "users.csv"
    id = "customer"                # default: the interactions' user column name
    fields = ["gender", "age_band"]

    [dataset]                      # optional: what the app calls things
    name = "shop log"
    domain = "items"               # or "movies": the app's words for the items (default "items")
    item_noun = "product"          # optional: your own words instead
    category_noun = "tag"

Every rule of the MovieLens readers (:mod:`recall_core.data.movielens`) holds: CSV files go through the
same reader (encodings, line ends, quoting, blank lines, one clear :class:`DataError` naming file, line
and field), ids are strings (stripped; never empty, over ``MAX_ID_CHARS`` or holding a control
character), ratings are finite, times fall between 1900 and 2200, an id listed twice in an item or user
file is an error naming both lines, and duplicate (user, item) rows keep the latest (counted in the load
report). Parquet errors name the row (``row 5``: the first data row is row 1) instead of a line.

Decisions where the card is silent:

* **Unknown keys** in a known table are kept out and named in the load report's warnings (another tool
  may write its own keys; a typo still shows). Tables other than these four are ignored.
* **Times.** ``unix_s``: whole seconds since 1970; ``unix_ms``: whole milliseconds (a column whose
  every value is below 10^11, i.e. before March 1973 as milliseconds, is taken for seconds declared
  as milliseconds: an error); ``iso8601``: text such as ``2021-03-04T10:00:00+02:00``, converted to
  UTC (no offset: UTC). A Parquet timestamp or date column is read as the instants it holds, whatever
  ``time_format`` says. The internal time is whole seconds; when the log holds finer times, its rows are
  put in time order first (stable), so the order within one second survives (and "the later row" of
  the duplicate policy is the later time).
* **Categories**: split at ``category_sep``, stripped, empty ones dropped, repeats kept once. A Parquet
  list-of-strings column is taken as it is. A separator that never occurs while another usual one
  (``| , ; /`` or a tab) does is an error (each item would get one category ``"a,b"``); a column where
  no separator occurs at all is one category per item.
* **Year**: a four-digit year or a date whose year can be read; empty is unknown; anything else is
  unknown too, counted in the load report (as the MovieLens readers treat a title without a year).
* **Missing items** (``unknown_items``): ``"error"`` (the default, as MovieLens: the row and the item
  are named) or ``"keep"``: the item joins the catalogue with its id as title and unknown side
  information, counted in the load report.
* **Names.** Item field names may not be ``item_id``, ``title``, ``year``, ``genres`` or
  ``popularity`` (internal columns and EGES's own field), user field names not ``user_id``. A column
  may be named once per table (``user`` and ``item`` are different columns).
* Card **files** must lie inside the folder.

:func:`from_frames` reads pandas frames by the same rules (named with the card's keys as keyword
arguments), and :func:`write_generic` (``Dataset.save_generic``) writes any dataset as such a folder.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.data.movielens import (
    _BREAK, MAX_ID_CHARS, RawData, TIMESTAMP_RANGE, _apply_policies, _check_items_known, _check_unique, _ids, _numbers,
    _read_text, _show, _table, _to_numbers, pa,
)
from recall_core.data.schema import Schema
from recall_core.errors import DataError, UsageError

CARD = "dataset.toml"
TIME_FORMATS = ("unix_s", "unix_ms", "iso8601")
UNKNOWN_ITEMS = ("error", "keep")
EXTENSIONS = (".csv", ".parquet")
DEFAULT_FILES = {"interactions": "interactions", "items": "items", "users": "users"}
RESERVED_ITEM_FIELDS = ("item_id", "title", "year", "genres", "popularity")
RESERVED_USER_FIELDS = ("user_id",)
#: Separators a category column is checked against when the declared one never occurs.
USUAL_SEPARATORS = ("|", ",", ";", "/", "\t")
#: unix_ms: a column whose every value is below this is seconds declared as milliseconds (1973-03-03).
MS_FLOOR = 10**11
# (key, kind, required); kinds: "str", "strs" (list of str), "scale" ([lo, hi]), or a tuple of choices.
KEYS = {
    "interactions": (("file", "str", False), ("user", "str", True), ("item", "str", True), ("time", "str", True),
                     ("time_format", TIME_FORMATS, True), ("rating", "str", False), ("rating_scale", "scale", False)),
    "items": (("file", "str", False), ("id", "str", False), ("title", "str", False), ("categories", "str", False),
              ("category_sep", "str", False), ("year", "str", False), ("fields", "strs", False),
              ("unknown_items", UNKNOWN_ITEMS, False)),
    "users": (("file", "str", False), ("id", "str", False), ("fields", "strs", False)),
    "dataset": (("name", "str", False), ("domain", ("items", "movies"), False), ("item_noun", "str", False),
                ("category_noun", "str", False)),
}


@dataclass
class Card:
    """A validated card: ``where`` names it in messages (the toml's path, or ``from_frames``)."""

    where: str
    interactions: dict
    items: dict | None = None
    users: dict | None = None
    dataset: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the card


def is_generic(folder: Path | str) -> bool:
    return (Path(folder) / CARD).is_file()


def read_card(folder: Path | str) -> Card:
    """``folder``'s ``dataset.toml``, checked key by key; :class:`DataError` naming the file and key otherwise."""
    path = Path(folder) / CARD
    # The data files' reader: UTF-8 with or without a byte-order mark, UTF-16 with one (an editor's choice),
    # any line end; a NUL byte or an empty file is a DataError naming the card.
    text = _BREAK.sub("\n", _read_text(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise DataError(f"{path}: not valid TOML: {' '.join(str(e).split())}") from None
    return card_from_dict(data, str(path))


def card_from_dict(data: Mapping, where: str) -> Card:
    """Check a card's tables (as :func:`tomllib.loads` gives them); ``where`` names it in messages."""
    warnings = []
    tables = {}
    for table, keys in KEYS.items():
        value = data.get(table)
        if value is None:
            if table == "interactions":
                raise DataError(f"{where}: no [interactions] table (it names the user, item and time columns)")
            continue
        if not isinstance(value, Mapping):
            raise DataError(f"{where}: {table} must be a table ([{table}]), got {_show(value)}")
        known = {k for k, _, _ in keys}
        extra = [k for k in value if k not in known]
        if extra:
            warnings.append(f"{Path(where).name}: [{table}] key(s) {', '.join(map(repr, extra))} not known, ignored "
                            f"(known: {', '.join(sorted(known))})")
        out = {}
        for key, kind, required in keys:
            v = value.get(key)
            if v is None:
                if required:
                    hint = f" (one of {', '.join(map(repr, kind))})" if isinstance(kind, tuple) else ""
                    raise DataError(f"{where}: [{table}] {key} is missing{hint}")
                continue
            out[key] = _card_value(where, table, key, kind, v)
        tables[table] = out
    card = Card(where=where, interactions=tables["interactions"], items=tables.get("items"),
                users=tables.get("users"), dataset=tables.get("dataset", {}), warnings=warnings)
    _check_names(card)
    return card


def _card_value(where: str, table: str, key: str, kind, v):
    name = f"[{table}] {key}"
    if kind == "str":
        if not isinstance(v, str) or not v.strip():
            raise DataError(f"{where}: {name} must be a non-empty string, got {_show(v)}")
        return v if key == "category_sep" else v.strip()
    if kind == "strs":
        if not isinstance(v, list) or not all(isinstance(s, str) and s.strip() for s in v):
            raise DataError(f"{where}: {name} must be a list of column names such as [\"brand\"], got {_show(v)}")
        return [s.strip() for s in v]
    if kind == "scale":
        ok = (isinstance(v, list) and len(v) in (2, 3) and all(isinstance(x, (int, float)) and not isinstance(x, bool)
                                                              and math.isfinite(x) for x in v) and v[0] < v[1]
              and (len(v) == 2 or v[2] > 0))
        if not ok:
            raise DataError(f"{where}: {name} must be [lowest, highest] (or [lowest, highest, step]) with "
                            f"lowest < highest, got {_show(v)}")
        return [float(x) for x in v]
    if v not in kind:
        raise DataError(f"{where}: {name} must be one of {', '.join(map(repr, kind))}, got {_show(v)}")
    return v


def _check_names(card: Card) -> None:
    w = card.where
    inter = card.interactions
    roles = [(k, inter[k]) for k in ("user", "item", "time", "rating") if k in inter]
    seen: dict[str, str] = {}
    for key, col in roles:
        if col in seen:
            raise DataError(f"{w}: [interactions] {key} and {seen[col]} both name column {col!r}")
        seen[col] = key
    if card.items is not None:
        it = card.items
        it.setdefault("id", inter["item"])
        if "categories" in it:
            it.setdefault("category_sep", "|")
        it.setdefault("unknown_items", "error")
        it.setdefault("fields", [])
        seen = {}
        for key, col in [("id", it["id"]), *[(k, it[k]) for k in ("title", "categories", "year") if k in it],
                         *[("fields", c) for c in it["fields"]]]:
            if col in seen:
                raise DataError(f"{w}: [items] {key} and {seen[col]} both name column {col!r}")
            seen[col] = key
        bad = [f for f in it["fields"] if f in RESERVED_ITEM_FIELDS]
        if bad:
            raise DataError(f"{w}: [items] fields: {bad[0]!r} is a name the explorer uses itself "
                            f"({', '.join(RESERVED_ITEM_FIELDS)}); declare the column under its role instead")
    if card.users is not None:
        us = card.users
        us.setdefault("id", inter["user"])
        us.setdefault("fields", [])
        if len(set(us["fields"])) != len(us["fields"]) or us["id"] in us["fields"]:
            dup = next(c for c in [us["id"], *us["fields"]] if [us["id"], *us["fields"]].count(c) > 1)
            raise DataError(f"{w}: [users] names column {dup!r} twice")
        bad = [f for f in us["fields"] if f in RESERVED_USER_FIELDS]
        if bad:
            raise DataError(f"{w}: [users] fields: {bad[0]!r} is a name the explorer uses itself; "
                            "declare the id column as [users] id")


def card_files(folder: Path | str, card: Card | None = None) -> list[Path]:
    """The files a generic folder's read depends on: the card, then the tables it names (those present)."""
    folder = Path(folder)
    card = card or read_card(folder)
    out = [folder / CARD]
    for table in ("interactions", "items", "users"):
        spec = getattr(card, table)
        if spec is None:
            continue
        try:
            out.append(_table_path(folder, card, table, spec))
        except DataError:
            continue
    return out


def _table_path(folder: Path, card: Card, table: str, spec: dict) -> Path:
    """The file of ``table``: the card's ``file`` (inside the folder), else ``<table>.parquet`` or ``.csv``."""
    if "file" in spec:
        path = folder / spec["file"]
        try:
            inside = path.resolve().is_relative_to(folder.resolve())
        except OSError:
            inside = False
        if not inside:
            raise DataError(f"{card.where}: [{table}] file {spec['file']!r} is outside the dataset folder")
        if path.suffix.lower() not in EXTENSIONS:
            raise DataError(f"{card.where}: [{table}] file {spec['file']!r}: expected a .csv or .parquet file")
        if not path.is_file():
            raise DataError(f"{path}: file not found ({card.where} [{table}] file)")
        return path
    found = [folder / f"{DEFAULT_FILES[table]}{ext}" for ext in EXTENSIONS if (folder / f"{DEFAULT_FILES[table]}{ext}").is_file()]
    if len(found) != 1:
        what = "neither" if not found else "both"
        raise DataError(f"{card.where}: [{table}] has no file, and {what} of {DEFAULT_FILES[table]}.csv and "
                        f"{DEFAULT_FILES[table]}.parquet {'exists' if not found else 'exist'} in {folder}; "
                        f"name it with [{table}] file = \"...\"")
    return found[0]


# --------------------------------------------------------------------------- tables


class _Source:
    """One table, as text (CSV: every field a string) or typed (Parquet, a pandas frame: arrow columns).

    ``columns`` maps each requested column to a pandas Series of strings (CSV) or a pyarrow array
    (typed); ``lines`` ``(n,)`` int64 are line numbers (CSV) or row numbers (typed, from 1); ``path``
    names it; ``unit`` is ``"line"`` or ``"row"``.
    """

    def __init__(self, path: str, unit: str, columns: dict, lines: np.ndarray, typed: bool):
        self.path, self.unit, self.columns, self.lines, self.typed = path, unit, columns, lines, typed

    def __len__(self) -> int:
        return len(self.lines)

    def where(self, row: int) -> str:
        return f"{self.path}, {self.unit} {int(self.lines[row])}"

    def frame(self, data: dict) -> pd.DataFrame:
        """``data`` plus ``_line``, with this table's path and unit in ``attrs``."""
        df = pd.DataFrame({**data, "_line": self.lines})
        df.attrs["path"], df.attrs["unit"] = self.path, self.unit
        return df


def _origin(card: Card, table: str, key: str) -> str:
    return f"{Path(card.where).name} [{table}] {key}"


def _read_csv(path: Path, wanted: dict[str, str], card: Card, table: str) -> _Source:
    """``wanted``: ``{column: card key}``; the header must hold each once (its columns listed otherwise)."""
    names = list(dict.fromkeys(wanted))
    df = _table(path, ",", names, header=True,
                declared={c: _origin(card, table, k) for c, k in wanted.items()})
    return _Source(str(path), "line", {c: df[c] for c in names}, df["_line"].to_numpy(np.int64), typed=False)


def _read_parquet(path: Path, wanted: dict[str, str], card: Card, table: str) -> _Source:
    if pa is None:  # pragma: no cover
        raise DataError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)")
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException) as e:
        raise DataError(f"{path}: not a readable Parquet file ({' '.join(str(e).split())[:200]})") from None
    return _typed_source(str(path), schema.names, wanted, card, table,
                         lambda cols: pq.read_table(path, columns=cols, use_threads=True))


def _typed_source(name: str, have: list[str], wanted: dict[str, str], card: Card, table: str, read) -> _Source:
    for col, key in wanted.items():
        if col not in have:
            raise DataError(f"{name}: missing column {col!r} (named by {_origin(card, table, key)}); "
                            f"the file has {_listing(have)}")
        if have.count(col) > 1:
            raise DataError(f"{name}: column {col!r} appears {have.count(col)} times")
    cols = list(dict.fromkeys(wanted))
    try:
        t = read(cols)
    except (OSError, pa.ArrowException) as e:
        raise DataError(f"{name}: cannot be read ({' '.join(str(e).split())[:200]})") from None
    if t.num_rows == 0:
        raise DataError(f"{name}: no data rows")
    columns = {c: t.column(c).combine_chunks() for c in cols}
    return _Source(name, "row", columns, np.arange(1, t.num_rows + 1, dtype=np.int64), typed=True)


def _listing(names: list[str], limit: int = 20) -> str:
    shown = [n if len(n) <= 40 else n[:37] + "..." for n in names[:limit]]
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return "[" + ", ".join(repr(s) for s in shown) + "]" + more


def _read_source(folder: Path, card: Card, table: str, wanted: dict[str, str]) -> _Source:
    path = _table_path(folder, card, table, getattr(card, table))
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path, wanted, card, table)
    return _read_csv(path, wanted, card, table)


def _frame_source(df, name: str, wanted: dict[str, str], card: Card, table: str) -> _Source:
    if not isinstance(df, pd.DataFrame):
        raise UsageError(f"from_frames: {table} must be a pandas DataFrame, got {type(df).__name__}")
    have = [str(c) for c in df.columns]

    def read(cols):
        sub = df[cols].reset_index(drop=True)
        try:
            return pa.Table.from_pandas(sub, preserve_index=False)
        except (pa.ArrowException, TypeError, ValueError) as e:
            raise DataError(f"{name}: a column holds values of mixed types ({' '.join(str(e).split())[:160]})") from None

    return _typed_source(name, have, wanted, card, table, read)


# --------------------------------------------------------------------------- typed columns


def _type_error(src: _Source, col: str, typ, need: str, hint: str = "") -> DataError:
    return DataError(f"{src.path}: column {col!r} has type {typ}; {need}{hint}")


def _as_text(src: _Source, col: str) -> pd.Series | None:
    """A typed column as strings (NA where null), or None when it is not text, whole numbers or booleans."""
    import pyarrow.types as pt

    a = src.columns[col]
    t = a.type
    if pt.is_dictionary(t):
        a = a.dictionary_decode()
        t = a.type
    if pt.is_string(t) or pt.is_large_string(t) or pt.is_integer(t):
        return pd.Series(pd.array(a.cast(pa.large_string()), dtype="str"))
    if pt.is_null(t):
        return pd.Series(pd.array([None] * len(a), dtype="str"))
    if pt.is_boolean(t):
        return pd.Series(pd.array(a.cast(pa.large_string()), dtype="str"))
    return None


def _id_column(src: _Source, col: str) -> pd.api.extensions.ExtensionArray:
    """Column ``col`` as stripped id strings (the MovieLens id rules)."""
    import pyarrow.types as pt

    if src.typed and pt.is_integer(src.columns[col].type):
        # Whole numbers: their decimal text is never empty, long or odd, so only nulls are checked, and each
        # distinct value is turned into text once (a million ids, a few thousand distinct).
        a = src.columns[col]
        if a.null_count:
            row = int(np.flatnonzero(a.is_null().to_numpy(zero_copy_only=False))[0])
            raise DataError(f"{src.where(row)}: field {col!r} is empty")
        codes, uniques = pd.factorize(a.to_numpy(zero_copy_only=False))
        text = pa.array(np.asarray(uniques).astype(str).tolist(), pa.large_string())
        return pd.array(text.take(pa.array(codes)), dtype="str")
    if src.typed:
        s = _as_text(src, col)
        import pyarrow.types as pt

        if s is None or pt.is_boolean(src.columns[col].type):
            raise _type_error(src, col, src.columns[col].type, "ids must be text or whole numbers")
        nulls = np.flatnonzero(s.isna().to_numpy())
        if len(nulls):
            raise DataError(f"{src.where(int(nulls[0]))}: field {col!r} is empty")
        df = src.frame({col: s})
    else:
        df = src.frame({col: src.columns[col]})
    return _ids(df, col)


def _number_column(src: _Source, col: str, what: str, hint=None, declared: str = "") -> np.ndarray:
    """Column ``col`` as finite float64 (text by the MovieLens number rules); DataError naming the row.

    ``hint(value) -> str`` is appended to the message about a value that is not a number.
    """
    hint = hint or (lambda v: "")
    if not src.typed:
        df = src.frame({col: src.columns[col].reset_index(drop=True)})
        try:
            return _numbers(df, col)
        except DataError as e:
            values = _to_numbers(df[col].str.strip())
            row = int(np.flatnonzero(~np.isfinite(values))[0])
            extra = f"{declared}{hint(df[col].iat[row])}" if np.isnan(values[row]) else ""
            raise DataError(f"{e}{extra}") from None
    import pyarrow.types as pt

    a = src.columns[col]
    if not (pt.is_integer(a.type) or pt.is_floating(a.type) or pt.is_decimal(a.type)):
        sample = next((v for v in a.to_pylist()[:100] if v is not None), "")
        raise _type_error(src, col, a.type, f"{what} must be numbers", hint(sample))
    values = np.asarray(a.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        row = int(bad[0])
        what_ = "is empty" if not a[row].is_valid else f"is not a finite number: {_show(a[row].as_py())}"
        raise DataError(f"{src.where(row)}: field {col!r} {what_}")
    return values


def _time_column(src: _Source, col: str, fmt: str, card: Card) -> np.ndarray:
    """``(n,)`` int64 nanoseconds since 1970 (UTC) of the time column, under ``time_format`` ``fmt``."""
    import pyarrow.types as pt

    declared = f" ({_origin(card, 'interactions', 'time_format')} = \"{fmt}\")"
    a = src.columns[col] if src.typed else None
    if a is not None and (pt.is_timestamp(a.type) or pt.is_date(a.type)):
        nulls = np.flatnonzero(a.is_null().to_numpy(zero_copy_only=False))
        if len(nulls):
            raise DataError(f"{src.where(int(nulls[0]))}: field {col!r} is empty")
        # arrow keeps timestamps as UTC instants: the cast reads them whatever the column's time zone
        us = np.asarray(a.cast(pa.timestamp("us")).cast(pa.int64()).to_numpy(zero_copy_only=False), np.int64)
        return _us_to_ns(src, col, us, lambda r: str(a[r].as_py()))
    if fmt == "iso8601":
        if a is not None:
            if not (pt.is_string(a.type) or pt.is_large_string(a.type)):
                hint = " (seconds since 1970? set time_format = \"unix_s\")" if pt.is_integer(a.type) else ""
                raise _type_error(src, col, a.type, "time_format = \"iso8601\" needs text such as "
                                  "2021-03-04T10:00:00Z, or a timestamp column", hint)
            s = pd.Series(pd.array(a.cast(pa.large_string()), dtype="str"))
        else:
            s = src.columns[col].reset_index(drop=True)
        text = s.str.strip()
        epoch_like = text.str.fullmatch(r"[+-]?\d{9,}(\.\d*)?").fillna(False).to_numpy(dtype=bool)
        parsed = pd.to_datetime(text.where(~epoch_like), format="ISO8601", utc=True, errors="coerce")
        bad = np.flatnonzero(parsed.isna().to_numpy())
        if len(bad):
            row = int(bad[0])
            v = s.iat[row]
            if v is None or v != v or not str(v).strip():
                raise DataError(f"{src.where(row)}: field {col!r} is empty")
            hint = (" (seconds or milliseconds since 1970? set time_format = \"unix_s\" or \"unix_ms\")"
                    if epoch_like[row] else "")
            raise DataError(f"{src.where(row)}: field {col!r} is not an ISO 8601 time{declared}: {_show(v)}{hint}")
        us = parsed.dt.as_unit("us").dt.tz_localize(None).to_numpy().astype(np.int64)
        return _us_to_ns(src, col, us, lambda r: s.iat[r])
    # unix_s / unix_ms
    unit = "seconds" if fmt == "unix_s" else "milliseconds"

    def iso_hint(value) -> str:
        return " (an ISO 8601 time? set time_format = \"iso8601\")" if re.search(r"\d{4}-\d\d", str(value)) else ""

    values = _number_column(src, col, "times", hint=iso_hint, declared=declared)
    shown = (lambda r: src.columns[col].iat[r]) if a is None else (lambda r: a[r].as_py())
    bad = np.flatnonzero(values != np.floor(values))
    if len(bad):
        r = int(bad[0])
        raise DataError(f"{src.where(r)}: field {col!r} must be whole {unit} since 1970{declared}, "
                        f"got {_show(shown(r))}")
    lo, hi = TIMESTAMP_RANGE
    if fmt == "unix_ms":
        if len(values) and np.abs(values).max() < MS_FLOOR:
            r = int(np.argmax(np.abs(values)))
            raise DataError(f"{src.where(r)}: field {col!r}: every time is before March 1973 as milliseconds "
                            f"(the largest: {_show(shown(r))}){declared}; seconds? set time_format = \"unix_s\"")
        secs = values / 1000.0
    else:
        secs = values
    out_of = np.flatnonzero((secs < lo) | (secs > hi))
    if len(out_of):
        r = int(out_of[0])
        hint = ""
        if fmt == "unix_s" and secs[r] > hi and lo <= secs[r] / 1000 <= hi:
            hint = " (milliseconds? set time_format = \"unix_ms\")"
        raise DataError(f"{src.where(r)}: field {col!r} must be {unit} since 1970 between 1900 and 2200{declared}, "
                        f"got {_show(shown(r))}{hint}")
    return values.astype(np.int64) * (10**9 if fmt == "unix_s" else 10**6)


def _us_to_ns(src: _Source, col: str, us: np.ndarray, shown) -> np.ndarray:
    """Microseconds since 1970 as nanoseconds, after the 1900..2200 check (DataError naming the first row outside)."""
    lo, hi = TIMESTAMP_RANGE
    bad = np.flatnonzero((us < lo * 10**6) | (us > hi * 10**6))
    if len(bad):
        r = int(bad[0])
        raise DataError(f"{src.where(r)}: field {col!r} must be a time between 1900 and 2200, got {_show(shown(r))}")
    return us * 1000


def _text_column(src: _Source, col: str, need: str) -> pd.Series:
    """A column as stripped strings with NA for empty or null (categorical fields, titles)."""
    if src.typed:
        s = _as_text(src, col)
        if s is None:
            raise _type_error(src, col, src.columns[col].type, need)
    else:
        s = src.columns[col].reset_index(drop=True)
    s = s.str.strip()
    return s.where(s != "", None).astype("str")


def _category_column(src: _Source, col: str, sep: str, card: Card) -> list[tuple[str, ...]]:
    import pyarrow.types as pt

    if src.typed and (pt.is_list(src.columns[col].type) or pt.is_large_list(src.columns[col].type)):
        a = src.columns[col]
        if not (pt.is_string(a.type.value_type) or pt.is_large_string(a.type.value_type)):
            raise _type_error(src, col, a.type, "categories must be text or lists of text")
        return [_clean_categories(v or ()) for v in a.to_pylist()]
    s = _text_column(src, col, "categories must be text (or lists of text)")
    values = s.tolist()
    present = [v for v in values if isinstance(v, str)]
    if present and not any(sep in v for v in present):
        for other in USUAL_SEPARATORS:
            if other == sep:
                continue
            hit = next((r for r, v in enumerate(values) if isinstance(v, str) and other in v), None)
            if hit is not None:
                raise DataError(f"{src.where(hit)}: field {col!r}: category_sep {sep!r} ({_origin(card, 'items', 'category_sep')}) "
                                f"never occurs in the column, but {other!r} does: {_show(values[hit])} "
                                f"(set category_sep = {json.dumps(other)})")
    return [_clean_categories(v.split(sep)) if isinstance(v, str) else () for v in values]


def _clean_categories(parts) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p for p in (str(x).strip() for x in parts if x is not None) if p))


_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_TRAILING_YEAR = re.compile(r"(?:^|\D)(\d{4})\s*$")


def _year_column(src: _Source, col: str) -> tuple[np.ndarray, list[int]]:
    """``(years (n,) float64 NaN = unknown, rows whose value is neither empty nor a year or date)``."""
    import pyarrow.types as pt

    if src.typed:
        a = src.columns[col]
        t = a.type
        if pt.is_timestamp(t) or pt.is_date(t):
            years = np.asarray([np.nan if v is None else float(v.year) for v in a.to_pylist()], np.float64)
            return years, []
        if pt.is_integer(t) or pt.is_floating(t):
            v = np.asarray(a.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)
            ok = np.isfinite(v) & (v == np.floor(v)) & (v >= 1000) & (v <= 9999)
            bad = np.flatnonzero(~ok & ~np.isnan(v)).tolist()
            return np.where(ok, v, np.nan), bad
        s = _as_text(src, col)
        if s is None:
            raise _type_error(src, col, t, "a year must be a number, a date or text")
    else:
        s = src.columns[col]
    text = s.fillna("").astype(str).str.strip().reset_index(drop=True)
    years = pd.to_numeric(text.str.extract(_YEAR, expand=False), errors="coerce").to_numpy(np.float64, copy=True)
    rest = np.flatnonzero(np.isnan(years) & (text != "").to_numpy())
    bad = []
    if len(rest):
        sub = text.iloc[rest]
        dates = pd.to_datetime(sub, format="ISO8601", errors="coerce", utc=True)
        trailing = pd.to_numeric(sub.str.extract(_TRAILING_YEAR, expand=False), errors="coerce").to_numpy(np.float64)
        got = np.where(dates.notna().to_numpy(), dates.dt.year.to_numpy(dtype=np.float64, na_value=np.nan), trailing)
        years[rest] = got
        bad = rest[np.isnan(got)].tolist()
    return years, bad


# --------------------------------------------------------------------------- reading


def read_generic(folder: Path | str) -> RawData:
    """Read a generic folder (its ``dataset.toml`` and the tables it names) into the internal form."""
    folder = Path(folder)
    card = read_card(folder)
    return _read(card, lambda table, wanted: _read_source(folder, card, table, wanted))


def _read(card: Card, source) -> RawData:
    """The internal form from a checked card; ``source(table, {column: card key})`` gives a :class:`_Source`."""
    ic = card.interactions
    wanted = {ic["user"]: "user", ic["item"]: "item", ic["time"]: "time"}
    if "rating" in ic:
        wanted[ic["rating"]] = "rating"
    src = source("interactions", wanted)
    warnings = list(card.warnings)
    user = _id_column(src, ic["user"])
    item = _id_column(src, ic["item"])
    if "rating" in ic:
        rating = _number_column(src, ic["rating"], "ratings")
        big = np.flatnonzero(np.abs(rating) > np.finfo(np.float32).max)
        if len(big):
            raise DataError(f"{src.where(int(big[0]))}: field {ic['rating']!r} is too large: {_show(rating[big[0]])}")
    else:
        rating = np.ones(len(src), np.float64)
    ns = _time_column(src, ic["time"], ic["time_format"], card)
    seconds = np.floor_divide(ns, 10**9)
    inter = src.frame({"user_id": user, "item_id": item, "rating": rating.astype(np.float32), "timestamp": seconds})
    inter.attrs["fields"] = {"user_id": ic["user"], "item_id": ic["item"], "rating": ic.get("rating", "(none)"),
                             "timestamp": ic["time"]}
    if (ns % 10**9).any():
        order = np.argsort(ns, kind="stable")
        if (order != np.arange(len(order))).any():
            attrs = inter.attrs
            inter = inter.iloc[order].reset_index(drop=True)
            inter.attrs = attrs
            warnings.append(f"{Path(src.path).name}: times finer than a second; rows put in time order")

    items, item_warnings, schema_items = _read_items(card, source, inter)
    warnings += item_warnings
    unknown = card.items is not None and card.items.get("unknown_items") == "keep"
    if card.items is not None and not unknown:
        inter = _check_items_known(inter, items)
    elif card.items is not None:
        missing = pd.unique(inter.loc[~inter["item_id"].isin(items["item_id"]), "item_id"])
        if len(missing):
            first = int(np.flatnonzero(~inter["item_id"].isin(items["item_id"]).to_numpy())[0])
            warnings.append(f"{Path(src.path).name}: {len(missing)} item(s) not in the item file kept with unknown side "
                            f"information (unknown_items = \"keep\"; first: {inter.attrs['unit']} "
                            f"{int(inter['_line'].iat[first])}, item {_show(missing[0])})")
            add = pd.DataFrame({"item_id": pd.array(missing, dtype="str"), "title": pd.array(missing, dtype="str"),
                                "year": np.full(len(missing), np.nan), "genres": [()] * len(missing),
                                **{f: pd.array([None] * len(missing), dtype="str") for f in schema_items["fields"]},
                                "_line": np.zeros(len(missing), np.int64)})
            attrs = items.attrs
            items = pd.concat([items, add], ignore_index=True)
            items.attrs = attrs
    scale = card.interactions.get("rating_scale")
    scale = (scale[0], scale[1], scale[2] if len(scale) == 3 else None) if scale else None
    inter, report = _apply_policies(inter, "generic", scale=scale)
    report["warnings"] = warnings + report["warnings"]
    users, user_fields = _read_users(card, source)
    if users is None:
        users = pd.DataFrame({"user_id": pd.unique(inter["user_id"])})
    noun = card.dataset
    sources = {}
    if schema_items["categories"]:
        sources["categories"] = schema_items["categories"]
    if schema_items["year"]:
        sources["year"] = schema_items["year"]
    sources.update({f"item:{f}": f for f in schema_items["fields"]})
    sources.update({f"user:{f}": f for f in user_fields})
    schema = Schema(domain=noun.get("domain", "items"), categories=schema_items["categories"], year=schema_items["year"],
                    item_fields=tuple(schema_items["fields"]), user_fields=tuple((f, "category") for f in user_fields),
                    item_noun=noun.get("item_noun"), category_noun=noun.get("category_noun"),
                    rating_scale=scale, sources=sources)
    return RawData(inter.drop(columns="_line").reset_index(drop=True), items.drop(columns="_line").reset_index(drop=True),
                   users, "generic", report, schema)


def _read_items(card: Card, source, inter: pd.DataFrame) -> tuple[pd.DataFrame, list[str], dict]:
    spec = {"categories": None, "year": None, "fields": []}
    if card.items is None:
        ids = pd.unique(inter["item_id"])
        items = pd.DataFrame({"item_id": pd.array(ids, dtype="str"), "title": pd.array(ids, dtype="str"),
                              "year": np.full(len(ids), np.nan), "genres": [()] * len(ids),
                              "_line": np.zeros(len(ids), np.int64)})
        items.attrs["path"], items.attrs["unit"] = card.where, "line"
        return items, [], spec
    it = card.items
    wanted = {it["id"]: "id"}
    for key in ("title", "categories", "year"):
        if key in it:
            wanted[it[key]] = key
    for f in it["fields"]:
        wanted[f] = "fields"
    src = source("items", wanted)
    ids = _id_column(src, it["id"])
    warnings = []
    if "title" in it:
        titles = _text_column(src, it["title"], "titles must be text")
        title = pd.array(np.where(titles.isna().to_numpy(), np.asarray(ids, dtype=object),
                                  titles.to_numpy(dtype=object, na_value=None)), dtype="str")
    else:
        title = pd.array(ids, dtype="str")
    if "year" in it:
        years, bad = _year_column(src, it["year"])
        if bad:
            raw = src.columns[it["year"]]
            v = raw.iat[bad[0]] if not src.typed else raw[bad[0]].as_py()
            warnings.append(f"{Path(src.path).name}: {len(bad)} value(s) of column {it['year']!r} are neither a year "
                            f"nor a date, left unknown (first: {src.unit} {int(src.lines[bad[0]])}, {_show(v)})")
        spec["year"] = it["year"]
    else:
        years = np.full(len(src), np.nan)
    if "categories" in it:
        genres = _category_column(src, it["categories"], it["category_sep"], card)
        spec["categories"] = it["categories"]
    else:
        genres = [()] * len(src)
    data = {"item_id": ids, "title": title, "year": years, "genres": genres}
    for f in it["fields"]:
        data[f] = _text_column(src, f, "a categorical field must be text, whole numbers or booleans").array
        spec["fields"].append(f)
    items = src.frame(data)
    _check_unique(items, "item_id", "item")
    return items, warnings, spec


def _read_users(card: Card, source) -> tuple[pd.DataFrame | None, list[str]]:
    if card.users is None:
        return None, []
    us = card.users
    wanted = {us["id"]: "id", **{f: "fields" for f in us["fields"]}}
    src = source("users", wanted)
    data = {"user_id": _id_column(src, us["id"])}
    for f in us["fields"]:
        data[f] = _text_column(src, f, "a categorical field must be text, whole numbers or booleans").array
    users = src.frame(data)
    _check_unique(users, "user_id", "user")
    return users.drop(columns="_line").reset_index(drop=True), list(us["fields"])


# --------------------------------------------------------------------------- frames

#: from_frames' keyword arguments: (card table, card key).
FRAME_KEYS = {
    "user": ("interactions", "user"), "item": ("interactions", "item"), "time": ("interactions", "time"),
    "time_format": ("interactions", "time_format"), "rating": ("interactions", "rating"),
    "rating_scale": ("interactions", "rating_scale"),
    "item_id": ("items", "id"), "title": ("items", "title"), "categories": ("items", "categories"),
    "category_sep": ("items", "category_sep"), "year": ("items", "year"), "item_fields": ("items", "fields"),
    "unknown_items": ("items", "unknown_items"),
    "user_id": ("users", "id"), "user_fields": ("users", "fields"),
    "item_noun": ("dataset", "item_noun"), "category_noun": ("dataset", "category_noun"),
}


def read_frames(interactions: pd.DataFrame, items: pd.DataFrame | None = None, users: pd.DataFrame | None = None,
                **columns) -> RawData:
    """pandas frames read by the rules of a generic folder (:func:`recall_core.data.from_frames` builds the
    dataset from them): ``columns`` are the card's keys (:data:`FRAME_KEYS`); errors name the frame, the row
    (from 1) and the column."""
    unknown = sorted(set(columns) - set(FRAME_KEYS))
    if unknown:
        raise UsageError(f"from_frames: unknown argument(s) {', '.join(unknown)} (known: {', '.join(FRAME_KEYS)})")
    card_dict: dict[str, dict] = {"interactions": {"time_format": "unix_s"}}
    for arg, value in columns.items():
        table, key = FRAME_KEYS[arg]
        card_dict.setdefault(table, {})[key] = list(value) if isinstance(value, tuple) else value
    if items is not None:
        card_dict.setdefault("items", {})
    elif "items" in card_dict:
        raise UsageError(f"from_frames: {', '.join(a for a in columns if FRAME_KEYS[a][0] == 'items')} given without items")
    if users is not None:
        card_dict.setdefault("users", {})
    elif "users" in card_dict:
        raise UsageError(f"from_frames: {', '.join(a for a in columns if FRAME_KEYS[a][0] == 'users')} given without users")
    card = card_from_dict(card_dict, "from_frames")
    frames = {"interactions": interactions, "items": items, "users": users}
    return _read(card, lambda table, wanted: _frame_source(frames[table], f"{table} frame", wanted, card, table))


# --------------------------------------------------------------------------- writing


def _float32_text(values: np.ndarray) -> list[str]:
    """Shortest text of each float32 that reads back as the same float32."""
    return [np.format_float_positional(np.float32(v), trim="-") for v in values]


def _free_separator(lists) -> str:
    used = {c for gs in lists for g in gs for c in g}
    for sep in ("|", ";", "/", "+", "~", "^", "\x1f"):
        if sep not in used:
            return sep
    raise DataError("save_generic: every candidate category separator occurs inside a category name")


def _toml_str(s: str) -> str:
    return json.dumps(str(s), ensure_ascii=False)


def write_generic(ds, path: Path | str, format: str = "csv", overwrite: bool = False) -> Path:
    """Write ``ds`` as a generic folder at ``path`` (see :meth:`recall_core.data.Dataset.save_generic`)."""
    if format not in ("csv", "parquet"):
        raise UsageError(f"save_generic: format must be 'csv' or 'parquet', got {format!r}")
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        if not overwrite:
            raise UsageError(f"{path}: exists and is not empty (overwrite=True, or --force, replaces a generic folder)")
        if not (path / CARD).is_file():
            raise UsageError(f"{path}: exists and is not a generic dataset folder (no {CARD}); not replaced")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.tmp-", dir=path.parent))
    try:
        _write_files(ds, tmp, format)
        old = None
        if path.exists():
            old = path.with_name(f".{path.name}.old-{os.getpid()}")
            path.rename(old)
        tmp.rename(path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


def _write_files(ds, folder: Path, format: str) -> None:
    schema = ds.schema
    inter = ds.interactions
    ts = pd.to_datetime(inter["timestamp"].to_numpy(np.int64), unit="s", utc=True)
    iso = ts.strftime("%Y-%m-%dT%H:%M:%SZ")
    items = ds.items
    sep = _free_separator(items["genres"])
    item_cols = {
        "item": items["item_id"].astype(str).to_numpy(),
        "title": items["title"].astype(str).to_numpy(),
        "categories": np.asarray([sep.join(g) for g in items["genres"]], dtype=object),
        "year": np.asarray(["" if y != y else str(int(y)) for y in items["year"].to_numpy(np.float64)], dtype=object),
    }
    item_fields = list(schema.item_fields)
    for f in item_fields:
        item_cols[f] = items[f].astype("str").fillna("").to_numpy(dtype=object)
    user_fields = [f for f in schema.user_field_names if f in ds.users.columns]
    user_cols = {"user": ds.users["user_id"].astype(str).to_numpy()}
    for f in user_fields:
        user_cols[f] = np.asarray(["" if v is None or v != v else str(v) for v in ds.users[f].tolist()], dtype=object)
    inter_cols = {"user": inter["user_id"].astype(str).to_numpy(), "item": inter["item_id"].astype(str).to_numpy(),
                  "rating": _float32_text(inter["rating"].to_numpy(np.float32)), "time": np.asarray(iso, dtype=object)}
    ext = "." + format
    for name, cols in (("interactions", inter_cols), ("items", item_cols), ("users", user_cols)):
        df = pd.DataFrame({k: pd.array(v, dtype="str") if k != "rating" or format == "csv" else v
                           for k, v in cols.items()})
        if name == "interactions" and format == "parquet":  # Parquet's own types: a float and a UTC timestamp
            df["rating"] = inter["rating"].to_numpy(np.float32)
            df["time"] = pd.to_datetime(inter["timestamp"].to_numpy(np.int64), unit="s", utc=True)
        target = folder / f"{name}{ext}"
        if format == "csv":
            df.to_csv(target, index=False, lineterminator="\n")
        else:
            df.to_parquet(target, index=False)
    scale = schema.rating_scale
    lines = [
        "# Written by recall_core (Dataset.save_generic); read with python -m recall_core --dataset <this folder>",
        "[interactions]",
        f"file = {_toml_str('interactions' + ext)}",
        'user = "user"', 'item = "item"', 'time = "time"', 'time_format = "iso8601"', 'rating = "rating"',
    ]
    if scale:
        lines.append(f"rating_scale = [{scale[0]:g}, {scale[1]:g}]")
    lines += ["", "[items]", f"file = {_toml_str('items' + ext)}", 'id = "item"', 'title = "title"']
    if schema.has_categories:
        lines += ['categories = "categories"', f"category_sep = {_toml_str(sep)}"]
    if schema.has_year:
        lines.append('year = "year"')
    lines.append("fields = [" + ", ".join(_toml_str(f) for f in item_fields) + "]")
    lines += ["", "[users]", f"file = {_toml_str('users' + ext)}", 'id = "user"',
              "fields = [" + ", ".join(_toml_str(f) for f in user_fields) + "]"]
    lines += ["", "[dataset]", f"name = {_toml_str(ds.name)}", f"domain = {_toml_str(schema.domain)}"]
    if schema.item_noun:
        lines.append(f"item_noun = {_toml_str(schema.item_noun)}")
    if schema.category_noun:
        lines.append(f"category_noun = {_toml_str(schema.category_noun)}")
    (folder / CARD).write_text("\n".join(lines) + "\n", encoding="utf-8")


__all__ = ["CARD", "Card", "MAX_ID_CHARS", "TIME_FORMATS", "card_files", "from_frames", "is_generic", "read_card",
           "read_generic", "write_generic"]
