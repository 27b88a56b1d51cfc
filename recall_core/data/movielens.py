"""MovieLens readers: every layout into one internal form.

Layouts, detected by their files:

* ``ml-100k``   ``u.data`` (tab), ``u.item`` (``|``, latin-1, 19 genre flags), ``u.user`` (``|``)
* ``ml-1m``     ``ratings.dat``, ``movies.dat``, ``users.dat`` (``::``, latin-1)
* ``ml-10m``    ``ratings.dat``, ``movies.dat`` (``::``, half stars; no user file)
* ``ml-latest`` ``ratings.csv``, ``movies.csv`` (ml-latest-small, ml-latest, ml-20m, ml-25m; no users)
* ``atomic``    ``*.inter``, ``*.item``, ``*.user`` (tab, typed header such as
  ``user_id:token``): the form in which the ``recbole`` wheel ships ML-100K.
* ``generic``   any log described by a ``dataset.toml`` card (:mod:`recall_core.data.generic`):
  detected first, read by the same rules.

The internal form (all ids are strings):

* interactions: ``user_id, item_id, rating (float32), timestamp (int64)``, file order
* items: ``item_id, title, year (float, NaN if unknown), genres (tuple[str, ...])``
* users: ``user_id`` plus ``gender, age, occupation, zip`` where the source has them

Input policy: every file gets one clear answer. Either it loads under the
policies below, or :func:`read_folder` raises :class:`DataError` naming the
file, the line (1-based, counting the header; where the problem has a line)
and the field. No other exception type escapes.

* **Encoding.** UTF-8, with or without a byte-order mark (spreadsheet programs
  write one); UTF-16 when the file starts with a UTF-16 byte-order mark. Any
  other file that is not valid UTF-8 is read as latin-1 as a whole (the
  encoding of the original ML-100K and ML-1M item files), so a latin-1
  ``movies.csv`` loads with its accented titles intact.
* **Binary data.** A NUL byte anywhere (a binary file, or UTF-16 without a
  byte-order mark) is a DataError naming its line. Random bytes end in a
  DataError (bad field count, missing column, not a number...), never in a
  ``csv`` or ``pandas`` exception.
* **Lines.** ``\\n``, ``\\r\\n`` and a lone ``\\r`` all end a line; nothing else
  does (latin-1 byte 0x85 inside a title is a character, not a line break).
  Blank (whitespace-only) lines are skipped wherever they are; line numbers in
  messages still count them. ``ratings.csv``/``movies.csv`` are real CSV
  (quoted fields may hold commas, quotes and line breaks).
* **Fields.** Every row needs exactly the layout's number of fields (a header
  file: as many as its header); a row with one field hints at a wrong
  separator. A CSV header needs ``userId, movieId, rating, timestamp`` (resp.
  ``movieId, title, genres``) once each; extra columns are ignored.
* **Ids** are strings, stripped of surrounding spaces, never converted to
  numbers (``1000000000000000000000000000000`` stays that string). An empty
  id, an id longer than ``MAX_ID_CHARS`` characters, or one holding a control
  character is a DataError. An item or user id listed twice in the item or
  user file is a DataError naming both lines. A rating of an item missing
  from the item file is a DataError; a user missing from the user file is kept
  (without demographics).
* **Ratings** must be finite numbers (``NaN``, ``inf`` and text are
  DataErrors). A rating outside the file's scale (``RATING_SCALES``: ML-100K
  and ML-1M 1..5 in whole stars, ml-latest 0.5..5 in half stars) is kept as
  given and counted in the load report, with a warning naming the first line.
* **Timestamps** must be whole seconds since 1970 between 1900-01-01 and
  2200-01-01 (``TIMESTAMP_RANGE``); milliseconds are rejected with a hint.
* **Duplicate (user, item) rows.** Only the latest interaction of each pair is
  kept: the largest timestamp, and of equal timestamps the later line. (Keeping
  both would put the test item in training too, where it is excluded as seen,
  and every metric would read 0.) The count is in the load report, with a
  warning naming the first dropped line and the line kept instead.
* **Titles** are kept verbatim, markdown and HTML characters included (the app
  shows them as text); only surrounding spaces and a trailing ``(year)`` are
  split off. A year is four digits, from the title or (ML-100K) the release
  date; anything else leaves the year unknown.
* **Ages** in a user file must be whole numbers from 0 to 150.

The load report (``RawData.report``, kept as ``Dataset.load_report`` and shown
by ``python -m recall_core data``) holds ``ratings_file``, ``rows_read``,
``duplicates_dropped``, ``ratings_out_of_scale``, ``rating_scale`` and
``warnings`` (one sentence each).
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from recall_core.data.schema import Schema, movielens_schema
from recall_core.errors import DataError

try:  # installed with streamlit, optional for pandas: without it, files go through the csv/str.split reader
    import pyarrow as pa
    import pyarrow.compute as pc
except ImportError:  # pragma: no cover
    pa = pc = None

ML100K_GENRES = [
    "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime",
    "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
    "Romance", "Sci-Fi", "Thriller", "War", "Western",
]
# Genre labels that mean "no genre"; such items get an empty genre tuple.
NO_GENRE = {"unknown", "(no genres listed)", ""}
_YEAR_IN_TITLE = re.compile(r"\s*\((\d{4})(?:[-–]\d{0,4})?\)\s*$")

LAYOUTS = {
    "ml-100k": ("u.data", "u.item", "u.user"),
    "ml-1m": ("ratings.dat", "movies.dat", "users.dat"),
    "ml-latest": ("ratings.csv", "movies.csv"),
}
#: ML-10M: ML-1M's files without users.dat (detected when movies.dat is there and users.dat is not).
ML10M_FILES = ("ratings.dat", "movies.dat")
# (lowest, highest, step) of the ratings each layout's files use; ``atomic`` is ML-100K.
RATING_SCALES = {
    "ml-100k": (1.0, 5.0, 1.0),
    "ml-1m": (1.0, 5.0, 1.0),
    "ml-10m": (0.5, 5.0, 0.5),
    "ml-latest": (0.5, 5.0, 0.5),
    "atomic": (1.0, 5.0, 1.0),
}
MAX_ID_CHARS = 100
# Seconds since 1970: 1900-01-01 .. 2200-01-01 (UTC); inside pandas' datetime range.
TIMESTAMP_RANGE = (-2_208_988_800, 7_258_118_400)
MAX_AGE = 150

_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = r"[\x00-\x1f\x7f-\x9f]"
_FOUR_DIGITS = r"^\s*(\d{4})\s*$"
_DATE_YEAR = r"(?:^|\D)(\d{4})\s*$"  # the year that ends a date such as 01-Jan-1995
_INTER = ["user_id", "item_id", "rating", "timestamp"]
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
# A blank line between two others (``\s`` is ``str.isspace``, the test ``str.strip`` applies).
_INNER_BLANK = re.compile(r"\n[^\S\n]*\n")
# Stands in for a multi-character separator in the fast path: a NUL never gets past _read_text.
_NUL = "\x00"


class RawData(NamedTuple):
    """What :func:`read_folder` returns: the internal form, the load report and what the columns mean."""

    interactions: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame
    layout: str
    report: dict
    schema: Schema | None = None


def detect_layout(folder: Path) -> str:
    """Name of the layout in ``folder``; DataError listing what is missing otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (expected a MovieLens folder, a folder with dataset.toml, "
                        "or a MovieLens name such as 'ml-100k')")
    if (folder / "dataset.toml").exists():
        return "generic"
    if (folder / "ratings.dat").exists() and (folder / "movies.dat").exists() and not (folder / "users.dat").exists():
        return "ml-10m"
    for layout, files in LAYOUTS.items():
        if (folder / files[0]).exists():
            missing = [f for f in files if not (folder / f).exists()]
            if missing:
                raise DataError(f"{folder}: looks like {layout} ({files[0]} found) but {', '.join(missing)} is missing")
            return layout
    if list(folder.glob("*.inter")):
        return "atomic"
    expected = "; ".join(f"{k}: {', '.join(v)}" for k, v in LAYOUTS.items())
    raise DataError(f"{folder}: no MovieLens files found (expected one of {expected}; or dataset.toml "
                    "describing your own files)")


def layout_files(folder: Path, layout: str) -> list[Path]:
    """The files :func:`read_folder` reads in ``folder`` for a MovieLens ``layout`` (``atomic``: the first
    ``.inter``, ``.item`` and ``.user`` file by name, those present). Any layout, generic folders included:
    :func:`recall_core.data.folders.layout_files`."""
    folder = Path(folder)
    if layout == "generic":
        raise ValueError("a generic folder's files are the card's (recall_core.data.folders.layout_files)")
    if layout == "ml-10m":
        return [folder / f for f in ML10M_FILES]
    if layout in LAYOUTS:
        return [folder / f for f in LAYOUTS[layout]]
    return [p for p in (_first_file(folder, ext) for ext in ("inter", "item", "user")) if p is not None]


def _first_file(folder: Path, ext: str) -> Path | None:
    paths = sorted(folder.glob(f"*.{ext}"))
    return paths[0] if paths else None


def read_folder(folder: Path) -> RawData:
    """Read a MovieLens folder (any layout :func:`detect_layout` names but ``generic``) under the module's input
    policy. Any supported folder, generic ones included: :func:`recall_core.data.folders.read_folder`."""
    folder = Path(folder)
    layout = detect_layout(folder)
    if layout == "generic":
        raise ValueError(f"{folder}: a generic folder (dataset.toml): read it with recall_core.data.folders.read_folder")
    if layout == "ml-100k":
        inter = _interactions(_table(folder / "u.data", "\t", _INTER, header=False))
        items = _items_100k(folder / "u.item")
        users = _table(folder / "u.user", "|", ["user_id", "age", "gender", "occupation", "zip"], header=False)
    elif layout in ("ml-1m", "ml-10m"):
        inter = _interactions(_table(folder / "ratings.dat", "::", _INTER, header=False))
        items = _items_from_titles(_table(folder / "movies.dat", "::", ["item_id", "title", "genres"], header=False), "|")
        users = (_table(folder / "users.dat", "::", ["user_id", "gender", "age", "occupation", "zip"], header=False)
                 if layout == "ml-1m" else None)
    elif layout == "ml-latest":
        inter = _interactions(_table(folder / "ratings.csv", ",", ["userId", "movieId", "rating", "timestamp"], header=True))
        movies = _table(folder / "movies.csv", ",", ["movieId", "title", "genres"], header=True)
        items = _items_from_titles(movies, "|")
        users = None
    else:
        inter, items, users = _read_atomic(folder)
    _check_unique(items, "item_id", "item")
    inter = _check_items_known(inter, items)
    inter, report = _apply_policies(inter, layout)
    if users is None:
        users = pd.DataFrame({"user_id": pd.unique(inter["user_id"])})
    else:
        users = _finish_users(users)
    schema = movielens_schema(users.columns, rating_scale=RATING_SCALES[layout], sources=_SOURCES[layout])
    return RawData(inter.drop(columns="_line").reset_index(drop=True), items.drop(columns="_line").reset_index(drop=True),
                   users, layout, report, schema)


# Where each layout's side information comes from (the Overview names it).
_SOURCES = {
    "ml-100k": {"categories": "u.item genre flags", "year": "u.item title, else release date"},
    "ml-1m": {"categories": "movies.dat genres", "year": "movies.dat title"},
    "ml-10m": {"categories": "movies.dat genres", "year": "movies.dat title"},
    "ml-latest": {"categories": "movies.csv genres", "year": "movies.csv title"},
    "atomic": {"categories": ".item class", "year": ".item release_year, else title"},
}


def drop_duplicate_pairs(inter: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``inter`` (file order) with only the latest row of each (user, item) pair, and the dropped rows.

    Latest: the largest timestamp; of equal timestamps, the later row.
    Returns ``(kept rows, positions of the dropped rows)``.
    """
    order = np.lexsort((np.arange(len(inter)), inter["timestamp"].to_numpy()))
    dup = inter.iloc[order].duplicated(["user_id", "item_id"], keep="last").to_numpy()
    dropped = np.sort(order[dup])
    keep = np.ones(len(inter), dtype=bool)
    keep[dropped] = False
    return inter[keep], dropped


# --------------------------------------------------------------------------- low level

def _show(value: object, limit: int = 60) -> str:
    """``repr`` of a field value, shortened (a 500-character id stays readable in a message)."""
    s = str(value)
    return repr(s) if len(s) <= limit else repr(s[: limit - 3] + "...") + f" ({len(s)} characters)"


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise DataError(f"{path}: file not found" if not path.exists() else f"{path}: not a file")
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror or e})") from None
    if raw.startswith(_UTF16_BOMS):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as e:
            raise DataError(f"{path}: starts with a UTF-16 byte-order mark but is not UTF-16 (byte {e.start})") from None
    else:
        raw = raw.removeprefix(_UTF8_BOM)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
    if not text.strip():
        raise DataError(f"{path}: file is empty")
    nul = text.find("\x00")
    if nul >= 0:
        line = len(_BREAK.findall(text, 0, nul)) + 1
        raise DataError(f"{path}, line {line}: holds a NUL byte (a binary file, or UTF-16 without a byte-order mark?)")
    return text


def _rows(path: Path, text: str, sep: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows of ``text`` as ``(line number, fields)``; CSV rules when ``sep`` is a comma."""
    rows = []
    if sep == ",":
        reader = csv.reader(io.StringIO(text, newline=""))
        prev = 0
        try:
            for fields in reader:
                if fields and not (len(fields) == 1 and not fields[0].strip()):
                    rows.append((prev + 1, fields))
                prev = reader.line_num
        except csv.Error as e:
            raise DataError(f"{path}, line {reader.line_num}: not readable as CSV ({e})") from None
    else:
        for i, line in enumerate(_BREAK.split(text)):
            if line.strip():
                rows.append((i + 1, line.split(sep)))
    return rows


# Off only in tests that compare the fast path with _rows (and without pyarrow).
FAST_SPLIT = pa is not None


def _split_simple(text: str, sep: str, n_fields: int | None) -> tuple[np.ndarray, int, pa.Array] | None:
    """The non-blank rows of ``text`` as :func:`_rows` would give them, or None where this path does not apply.

    Applies when every non-blank row has the same number of fields (``n_fields``, or that of the first
    row when None) and, for CSV, the text holds no quote character (then CSV rows are plain
    ``split(",")`` lines) and no line longer than the ``csv`` field size limit. Returns ``(line numbers
    (1-based, int64), fields per row, all fields row after row as an arrow string array)``.
    """
    if sep == "," and '"' in text:
        return None
    if "\r" in text:
        text = _BREAK.sub("\n", text)  # one break for one break: line numbers stay
    if len(sep) != 1:
        text, sep = text.replace(sep, _NUL), _NUL  # str.replace and str.split both go left to right
    end = len(text)  # cut trailing blank lines (not the trailing spaces of the last row)
    while True:
        k = text.rfind("\n", 0, end)
        if k < 0 or text[k + 1:end].strip():
            break
        end = k
    body = text[:end]
    lines = pc.split_pattern(pa.array([body], pa.large_string()), "\n").flatten()
    numbers = np.arange(1, len(lines) + 1, dtype=np.int64)
    first_end = body.find("\n")
    if _INNER_BLANK.search(body) or not body[:first_end if first_end >= 0 else len(body)].strip():
        keep = np.fromiter((i for i, line in enumerate(body.split("\n")) if line.strip()), dtype=np.int64)
        lines, numbers = lines.take(pa.array(keep)), numbers[keep]
    if not len(lines):
        return None
    if sep == "," and pc.max(pc.binary_length(lines)).as_py() > csv.field_size_limit():
        return None  # csv.reader raises on such a field: let _rows say so
    fields = pc.split_pattern(lines, sep)
    counts = pc.list_value_length(fields).to_numpy()
    width = int(counts[0]) if n_fields is None else n_fields
    if (counts != width).any():
        return None
    return numbers, width, fields.flatten()


def _table(path: Path, sep: str, names: list[str], header: bool, optional: Sequence[str] = (),
           header_name: Callable[[str], str] = str.strip, declared: dict[str, str] | None = None) -> pd.DataFrame:
    """A delimited file as a DataFrame of strings: the ``names`` columns (plus any ``optional`` ones
    present in the header) and ``_line``, each row's line number. ``attrs['path']`` names the file.

    Files where every row has the same number of fields (and, for CSV, no quote character) take a
    vectorised path (:func:`_split_simple`); every other file, and so every error about rows, goes
    through :func:`_rows`, whose results the fast path reproduces exactly. ``declared``: ``{column: what
    named it}`` (a dataset card's key), added to the message about a missing column."""
    text = _read_text(path)
    fast = _split_simple(text, sep, None if header else len(names)) if FAST_SPLIT and pa is not None else None
    if fast is None:
        rows = _rows(path, text, sep)
        if not rows:  # text that is not blank but holds no row: a lone quote, say
            raise DataError(f"{path}: no data rows")
        first = rows[0]
    else:
        lines, width, values = fast
        first = (int(lines[0]), values.slice(0, width).to_pylist())
    sep_name = {"\t": "tab", ",": "comma"}.get(sep, repr(sep))
    if header:
        head = [header_name(h) for h in first[1]]
        hint = " (wrong separator?)" if len(head) == 1 else ""
        for c in names:
            if c not in head:
                shown = [h if len(h) <= 40 else h[:37] + "..." for h in head[:20]]
                more = f" and {len(head) - 20} more" if len(head) > 20 else ""
                origin = f" (named by {declared[c]})" if declared and c in declared else ""
                raise DataError(f"{path}, line {first[0]}: missing column {c!r}{origin}; header has {shown}{more}{hint}")
            if head.count(c) > 1:
                raise DataError(f"{path}, line {first[0]}: column {c!r} appears {head.count(c)} times in the header")
        names = names + [c for c in optional if c in head and head.count(c) == 1]
        cols = [head.index(c) for c in names]
        shown = ", ".join(h if len(h) <= 40 else h[:37] + "..." for h in head[:12])
        n_fields, described, skip = len(head), f"as in the header: {shown}", 1
    else:
        cols, n_fields, described, skip = list(range(len(names))), len(names), ", ".join(names), 0
    if fast is not None:
        if len(lines) <= skip:
            raise DataError(f"{path}: no data rows")
        # Every row has ``width == n_fields`` fields: row r's field c is values[(r + skip) * width + c].
        df = pd.DataFrame({name: pd.array(values.take(np.arange(skip * width + c, len(values), width)), dtype=str)
                           for name, c in zip(names, cols)})
        df["_line"] = lines[skip:]
        df.attrs["path"] = str(path)
        return df
    rows = rows[skip:]
    if not rows:
        raise DataError(f"{path}: no data rows")
    for line, fields in rows:
        if len(fields) != n_fields:
            hint = " (wrong separator?)" if len(fields) == 1 else ""
            if any("\n" in f or "\r" in f for f in fields):
                hint = " (a quote opened on this line is never closed?)"
            raise DataError(f"{path}, line {line}: expected {n_fields} {sep_name}-separated fields "
                            f"({described}), found {len(fields)}{hint}")
    df = pd.DataFrame([fields for _, fields in rows], dtype=str).iloc[:, cols]
    df.columns = names
    df["_line"] = np.fromiter((line for line, _ in rows), dtype=np.int64, count=len(rows))
    df = df.reset_index(drop=True)
    df.attrs["path"] = str(path)
    return df


def _where(df: pd.DataFrame, row: int) -> str:
    """``<file>, line <n>`` of row ``row`` (``row <n>`` for tables without lines: Parquet, frames)."""
    return f"{df.attrs.get('path', '?')}, {df.attrs.get('unit', 'line')} {int(df['_line'].iat[row])}"


def _ids(df: pd.DataFrame, col: str) -> pd.api.extensions.ExtensionArray:
    """Column ``col`` as stripped id strings (a pandas ``str`` array); DataError for an empty, too long or control-character id."""
    s = df[col].str.strip()
    checks = (
        (s == "", lambda v: "is empty"),
        (s.str.len() > MAX_ID_CHARS, lambda v: f"is longer than {MAX_ID_CHARS} characters: {_show(v)}"),
        (s.str.contains(_CONTROL, regex=True), lambda v: f"holds a control character: {_show(v)}"),
    )
    for bad, what in checks:
        rows = np.flatnonzero(bad.to_numpy(dtype=bool))
        if len(rows):
            raise DataError(f"{_where(df, rows[0])}: field {col!r} {what(s.iat[rows[0]])}")
    return s.array


def _to_numbers(s: pd.Series) -> np.ndarray:
    """``pd.to_numeric(s, errors="coerce")`` as float64, sooner where it can be: on the distinct strings
    when there are few (ratings), through an integer cast when all are short digit strings (timestamps)."""
    if len(s) > 1000:
        if s.str.fullmatch(r"[0-9]{1,15}").all():  # below 2**53: exact as int64 and as float64
            return s.astype(np.int64).to_numpy(dtype=np.float64)
        codes, uniques = pd.factorize(s, use_na_sentinel=False)
        if len(uniques) * 4 <= len(s):
            return np.asarray(pd.to_numeric(uniques, errors="coerce"), dtype=np.float64)[codes]
    return np.asarray(pd.to_numeric(s, errors="coerce"), dtype=np.float64)


def _numbers(df: pd.DataFrame, col: str) -> np.ndarray:
    """Column ``col`` as finite float64; DataError naming the first bad line otherwise."""
    values = _to_numbers(df[col].str.strip())
    bad = np.flatnonzero(~np.isfinite(values))
    if len(bad):
        row = int(bad[0])
        what = "is not a number" if np.isnan(values[row]) else "is not a finite number"
        raise DataError(f"{_where(df, row)}: field {col!r} {what}: {_show(df[col].iat[row])}")
    return values


def _interactions(df: pd.DataFrame) -> pd.DataFrame:
    """A ratings table (columns user, item, rating, timestamp in that order, any names) in the internal form."""
    u, i, r, t = df.columns[:4]
    rating = _numbers(df, r)
    big = np.flatnonzero(np.abs(rating) > np.finfo(np.float32).max)
    if len(big):
        raise DataError(f"{_where(df, big[0])}: field {r!r} is too large: {_show(df[r].iat[big[0]])}")
    ts = _numbers(df, t)
    lo, hi = TIMESTAMP_RANGE
    for bad, what in ((ts != np.floor(ts), "must be whole seconds since 1970"),
                      ((ts < lo) | (ts > hi), "must be seconds since 1970 between 1900 and 2200")):
        rows = np.flatnonzero(bad)
        if len(rows):
            v = ts[rows[0]]
            hint = " (milliseconds? MovieLens timestamps are seconds)" if v > hi and lo <= v / 1000 <= hi else ""
            raise DataError(f"{_where(df, rows[0])}: field {t!r} {what}, got {_show(df[t].iat[rows[0]])}{hint}")
    out = pd.DataFrame({
        "user_id": _ids(df, u),
        "item_id": _ids(df, i),
        "rating": rating.astype(np.float32),
        "timestamp": ts.astype(np.int64),
        "_line": df["_line"].to_numpy(),
    })
    out.attrs["path"] = df.attrs["path"]
    out.attrs["fields"] = {"user_id": u, "item_id": i, "rating": r, "timestamp": t}
    return out


def _check_unique(df: pd.DataFrame, col: str, kind: str) -> None:
    dup = df[col].duplicated(keep=False).to_numpy()
    if dup.any():
        first, second = np.flatnonzero(df[col].to_numpy() == df[col].iat[np.flatnonzero(dup)[0]])[:2]
        path, unit = df.attrs.get("path", "?"), df.attrs.get("unit", "line")
        raise DataError(f"{path}, {unit} {int(df['_line'].iat[second])}: {kind} id {_show(df[col].iat[second])} "
                        f"is listed twice in the {kind} file (also on {unit} {int(df['_line'].iat[first])})")


def _check_items_known(inter: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    unknown = np.flatnonzero(~inter["item_id"].isin(items["item_id"]).to_numpy())
    if len(unknown):
        row = int(unknown[0])
        field = inter.attrs["fields"]["item_id"]
        raise DataError(f"{_where(inter, row)}: field {field!r} rates item {_show(inter['item_id'].iat[row])}, which is "
                        f"not in the item file ({Path(items.attrs.get('path', '?')).name})")
    return inter


def _scale_text(scale: tuple[float, float, float | None]) -> str:
    lo, hi, step = scale
    return f"{lo:g}..{hi:g} in steps of {step:g}" if step else f"{lo:g}..{hi:g}"


_LAYOUT_SCALE = object()


def _apply_policies(inter: pd.DataFrame, layout: str, scale=_LAYOUT_SCALE) -> tuple[pd.DataFrame, dict]:
    """Drop duplicate (user, item) rows (keep the latest) and count ratings off the scale.

    ``scale``: ``(lowest, highest, step or None)``; by default the layout's (:data:`RATING_SCALES`);
    None: no scale (nothing is counted)."""
    name = Path(inter.attrs["path"]).name
    unit = inter.attrs.get("unit", "line")
    lines = inter["_line"].to_numpy()
    if scale is _LAYOUT_SCALE:
        scale = RATING_SCALES[layout]
    r = inter["rating"].to_numpy(np.float64)
    if scale is None:
        off = np.zeros(0, np.int64)
    else:
        lo, hi, step = scale
        off_grid = np.zeros(len(r), bool)
        if step:
            steps = (r - lo) / step
            off_grid = np.abs(steps - np.round(steps)) > 1e-6
        off = np.flatnonzero((r < lo) | (r > hi) | off_grid)
    kept, dropped = drop_duplicate_pairs(inter)
    warnings = []
    if len(dropped):
        first = inter.iloc[int(dropped[0])]
        same = kept[(kept["user_id"] == first["user_id"]).to_numpy() & (kept["item_id"] == first["item_id"]).to_numpy()]
        warnings.append(
            f"{name}: {len(dropped)} duplicate (user, item) row(s) dropped, keeping the latest of each pair "
            f"(first: {unit} {int(first['_line'])} dropped; {unit} {int(same['_line'].iat[0])} holds the latest of "
            f"user {_show(first['user_id'])} with item {_show(first['item_id'])})")
    if len(off):
        warnings.append(f"{name}: {len(off)} rating(s) outside the scale {_scale_text(scale)}, kept as given "
                        f"(first: {unit} {int(lines[off[0]])}, rating {float(r[off[0]]):g})")
    report = {
        "ratings_file": name,
        "rows_read": int(len(inter)),
        "duplicates_dropped": int(len(dropped)),
        "ratings_out_of_scale": int(len(off)),
        "rating_scale": _scale_text(scale) if scale is not None else "not declared",
        "warnings": warnings,
    }
    return kept, report


def _split_title(title: str) -> tuple[str, float]:
    m = _YEAR_IN_TITLE.search(title)
    if m:
        return title[: m.start()].strip(), float(m.group(1))
    return title.strip(), float("nan")


def _genres(text: str, sep: str) -> tuple[str, ...]:
    return tuple(g for g in (s.strip() for s in text.split(sep)) if g not in NO_GENRE)


def _year_column(s: pd.Series, pattern: str = _FOUR_DIGITS) -> np.ndarray:
    """The four-digit year ``pattern`` captures, as float; NaN (unknown) where it does not match."""
    return pd.to_numeric(s.str.extract(pattern, expand=False), errors="coerce").to_numpy(dtype=np.float64)


def _item_frame(df: pd.DataFrame, id_col: str, titles: list[str], years: np.ndarray, genres: list) -> pd.DataFrame:
    items = pd.DataFrame({
        "item_id": _ids(df, id_col),
        "title": titles,
        "year": np.asarray(years, dtype=np.float64),
        "genres": genres,
        "_line": df["_line"].to_numpy(),
    })
    items.attrs["path"] = df.attrs["path"]
    return items


def _items_from_titles(movies: pd.DataFrame, genre_sep: str) -> pd.DataFrame:
    id_col = movies.columns[0]
    titles, years = zip(*(_split_title(t) for t in movies["title"].tolist()))
    return _item_frame(movies, id_col, list(titles), np.asarray(years, dtype=np.float64),
                       [_genres(g, genre_sep) for g in movies["genres"].tolist()])


def _items_100k(path: Path) -> pd.DataFrame:
    names = ["item_id", "title", "release_date", "video_release_date", "url", *ML100K_GENRES]
    df = _table(path, "|", names, header=False)
    flags = np.char.strip(df[ML100K_GENRES].to_numpy(dtype=str))
    bad = ~np.isin(flags, ["0", "1"])
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise DataError(f"{_where(df, row)}: genre flag {ML100K_GENRES[col]!r} must be 0 or 1, got {_show(flags[row, col])}")
    flag_arr = flags == "1"
    genres = [tuple(g for g, on in zip(ML100K_GENRES, r) if on and g not in NO_GENRE) for r in flag_arr]
    titles, years = zip(*(_split_title(t) for t in df["title"].tolist()))
    years = np.asarray(years, dtype=np.float64)
    # Titles without a year: fall back to the release date (dd-Mon-yyyy).
    date_years = _year_column(df["release_date"], _DATE_YEAR)
    return _item_frame(df, "item_id", list(titles), np.where(np.isnan(years), date_years, years), genres)


def _read_atomic(folder: Path):
    """The typed-header tab files (``name:type`` header) as shipped in the recbole wheel."""
    def read(ext: str, required: list[str], optional: Sequence[str] = ()) -> pd.DataFrame | None:
        path = _first_file(folder, ext)
        if path is None:
            return None
        return _table(path, "\t", required, header=True, optional=optional,
                      header_name=lambda h: h.split(":")[0].strip())

    inter = _interactions(read("inter", _INTER))
    item_df = read("item", ["item_id", "movie_title"], optional=["release_year", "class"])
    if item_df is None:
        raise DataError(f"{folder}: no .item file next to the .inter file")
    titles, tyears = zip(*(_split_title(t) for t in item_df["movie_title"].tolist()))
    tyears = np.asarray(tyears, dtype=np.float64)
    years = _year_column(item_df["release_year"]) if "release_year" in item_df else np.full(len(item_df), np.nan)
    classes = item_df["class"].tolist() if "class" in item_df else [""] * len(item_df)
    items = _item_frame(item_df, "item_id", list(titles), np.where(np.isnan(years), tyears, years),
                        [_genres(c, " ") for c in classes])
    users = read("user", ["user_id"], optional=["age", "gender", "occupation", "zip_code", "zip"])
    if users is not None:
        users = users.rename(columns={"zip_code": "zip"})
    return inter, items, users


def _finish_users(users: pd.DataFrame) -> pd.DataFrame:
    """A user table (with ``_line``): ids checked, listed once, ages whole numbers 0..MAX_AGE."""
    users = users.copy()
    users["user_id"] = _ids(users, "user_id")
    _check_unique(users, "user_id", "user")
    keep = ["user_id"] + [c for c in ("gender", "age", "occupation", "zip") if c in users]
    if "age" in users:
        ages = np.asarray(pd.to_numeric(users["age"].str.strip(), errors="coerce"), dtype=np.float64)
        bad = np.flatnonzero(~((ages >= 0) & (ages <= MAX_AGE) & (ages == np.floor(ages))))
        if len(bad):
            raise DataError(f"{_where(users, bad[0])}: field 'age' of user {_show(users['user_id'].iat[bad[0]])} must be "
                            f"a whole number from 0 to {MAX_AGE}, got {_show(users['age'].iat[bad[0]])}")
        users["age"] = ages.astype(np.int64)
    return users[keep].reset_index(drop=True)
