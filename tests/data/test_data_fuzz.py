"""Every data input gets a clear answer: hostile files per layout, then property-based fuzzing.

Each case either loads under the policy documented in :mod:`recall_core.data.movielens`
(and the test checks that policy's effect), or raises ``DataError`` whose message names
the file, the line and the field. Any other exception type fails the test.

The files are written by :func:`render` from small explicit specs (not by the code
under test), in all five layouts: ``ml-100k``, ``ml-1m``, ``ml-latest``, ``atomic`` and
``generic`` (a folder with ``dataset.toml``, CSV tables under the card's column names), so
every rule of the MovieLens readers is checked on the generic reader too. A second table,
:data:`GENERIC_ERROR_CASES`, holds what only a card can get wrong (columns, time formats,
separators, Parquet types).
"""
from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from recall_core.data.dataset import read_dataset
from recall_core.data.movielens import MAX_ID_CHARS, ML100K_GENRES, RATING_SCALES, TIMESTAMP_RANGE
from recall_core.data.split import leave_last_out
from recall_core.errors import DataError

LAYOUTS = ["ml-100k", "ml-1m", "ml-latest", "atomic", "generic"]
WITH_USERS = ["ml-100k", "ml-1m", "atomic"]  # users with an age the reader checks
WITH_HEADER = ["ml-latest", "atomic", "generic"]
FILES = {
    "ml-100k": {"ratings": "u.data", "items": "u.item", "users": "u.user"},
    "ml-1m": {"ratings": "ratings.dat", "items": "movies.dat", "users": "users.dat"},
    "ml-latest": {"ratings": "ratings.csv", "items": "movies.csv"},
    "atomic": {"ratings": "d.inter", "items": "d.item", "users": "d.user"},
    "generic": {"ratings": "interactions.csv", "items": "items.csv", "users": "users.csv"},
}
SEP = {"ml-100k": "\t", "ml-1m": "::", "ml-latest": ",", "atomic": "\t", "generic": ","}
ITEM_SEP = {"ml-100k": "|", "ml-1m": "::", "ml-latest": ",", "atomic": "\t", "generic": ","}
USER_SEP = {"ml-100k": "|", "ml-1m": "::", "atomic": "\t", "generic": ","}
RATING_FIELDS = {layout: ("user_id", "item_id", "rating", "timestamp") for layout in LAYOUTS}
RATING_FIELDS["ml-latest"] = ("userId", "movieId", "rating", "timestamp")
RATING_FIELDS["generic"] = ("customer", "product", "rating", "timestamp")
# The generic card declares the scale 1..5 in whole steps (the template's ratings are whole stars).
SCALES = {**RATING_SCALES, "generic": (1.0, 5.0, 1.0)}
GENERIC_CARD = """[interactions]
file = "interactions.csv"
user = "customer"
item = "product"
rating = "rating"
time = "timestamp"
time_format = "unix_s"
rating_scale = [1, 5, 1]

[items]
file = "items.csv"
id = "product"
title = "name"
year = "year"
categories = "tags"
category_sep = "|"

[users]
file = "users.csv"
id = "customer"
fields = ["age", "gender", "occupation", "zip"]
"""
USER_FIELDS = {"ml-100k": ("user_id", "age", "gender", "occupation", "zip"),
               "ml-1m": ("user_id", "gender", "age", "occupation", "zip"),
               "atomic": ("user_id", "age", "gender", "occupation", "zip_code")}

# The template: 4 users, 6 items, 12 ratings (whole stars: on every layout's scale).
T_ITEMS = [(str(i), f"Movie {i}", 1990 + i, (ML100K_GENRES[1 + i % 3],)) for i in range(1, 7)]
T_USERS = [(str(u), 20 + u, "MF"[u % 2], "writer", f"0{u}000") for u in range(1, 5)]
T_RATINGS = [(str(u), str(1 + (u + k) % 6), float(1 + (u * k) % 5), 1_000_000_000 + 3600 * (3 * u + k))
             for u in range(1, 5) for k in range(3)]


# --------------------------------------------------------------------------- writing files

def _num(x: float) -> str:
    return f"{x:g}" if math.isfinite(x) and x == round(x, 6) else repr(x)


def _csv(rows: list[list[str]], eol: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=eol).writerows(rows)
    return buf.getvalue()


def render(layout: str, ratings, items, users, eol: str = "\n") -> dict[str, str]:
    """File name -> text of a MovieLens folder in ``layout``.

    ``ratings``: ``(user, item, rating, timestamp)``; ``items``: ``(id, title, year or None,
    genres)``; ``users``: ``(id, age, gender, occupation, zip)`` (ignored for ml-latest).
    """
    names = FILES[layout]

    def titled(title, year):
        return f"{title} ({year})" if year is not None else title

    if layout == "generic":
        return {
            names["ratings"]: _csv([list(RATING_FIELDS["generic"])]
                                   + [[u, i, _num(r), str(t)] for u, i, r, t in ratings], eol),
            names["items"]: _csv([["product", "name", "year", "tags"]]
                                 + [[i, t, "" if y is None else str(y), "|".join(g)] for i, t, y, g in items], eol),
            names["users"]: _csv([["customer", "age", "gender", "occupation", "zip"]]
                                 + [[u, str(a), g, o, z] for u, a, g, o, z in users], eol),
            "dataset.toml": GENERIC_CARD.replace("\n", eol),
        }
    if layout == "ml-latest":
        return {
            names["ratings"]: _csv([["userId", "movieId", "rating", "timestamp"]]
                                   + [[u, i, _num(r), str(t)] for u, i, r, t in ratings], eol),
            names["items"]: _csv([["movieId", "title", "genres"]]
                                 + [[i, titled(t, y), "|".join(g) or "(no genres listed)"] for i, t, y, g in items], eol),
        }
    sep = SEP[layout]
    head = {"ratings": [], "items": [], "users": []}
    if layout == "ml-100k":
        item_rows = [f"{i}|{titled(t, y)}|{f'01-Jan-{y}' if y is not None else ''}||http://x|"
                     + "|".join("1" if g in gs else "0" for g in ML100K_GENRES) for i, t, y, gs in items]
        user_rows = [f"{u}|{a}|{g}|{o}|{z}" for u, a, g, o, z in users]
    elif layout == "ml-1m":
        item_rows = [f"{i}::{titled(t, y)}::{'|'.join(gs) or '(no genres listed)'}" for i, t, y, gs in items]
        user_rows = [f"{u}::{g}::{a}::{o}::{z}" for u, a, g, o, z in users]
    else:  # atomic, as in the recbole wheel
        head = {"ratings": ["user_id:token\titem_id:token\trating:float\ttimestamp:float"],
                "items": ["item_id:token\tmovie_title:token_seq\trelease_year:token\tclass:token_seq"],
                "users": ["user_id:token\tage:token\tgender:token\toccupation:token\tzip_code:token"]}
        item_rows = [f"{i}\t{t}\t{'' if y is None else y}\t{' '.join(gs)}" for i, t, y, gs in items]
        user_rows = [f"{u}\t{a}\t{g}\t{o}\t{z}" for u, a, g, o, z in users]
    rating_rows = [sep.join([u, i, _num(r), str(t)]) for u, i, r, t in ratings]
    return {names[k]: eol.join(head[k] + rows) + eol
            for k, rows in (("ratings", rating_rows), ("items", item_rows), ("users", user_rows))}


def write(folder: Path, files: dict) -> Path:
    """Write ``files`` (name -> text, bytes, or a DataFrame written as Parquet) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if hasattr(content, "to_parquet"):
            content.to_parquet(folder / name, index=False)
            continue
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def template(layout: str) -> dict[str, str]:
    return render(layout, T_RATINGS, T_ITEMS, T_USERS)


def line_of(layout: str, row: int) -> int:
    """Physical line (1-based) of data row ``row`` (0-based) in a template file."""
    return row + 1 + (layout in WITH_HEADER)


def set_field(files: dict, layout: str, kind: str, row: int, col: int, value: str) -> dict:
    """Replace field ``col`` of data row ``row`` of the ``kind`` file (raw text, no quoting). An earlier hostile
    value may have split that line (a newline) or emptied it: the line is padded with empty fields up to ``col``
    (it was a Hypothesis-found IndexError in this helper, not in the loader)."""
    name = FILES[layout][kind]
    sep = {"ratings": SEP, "items": ITEM_SEP, "users": USER_SEP}[kind][layout]
    lines = files[name].split("\n")
    k = line_of(layout, row) - 1
    parts = lines[k].split(sep)
    parts += [""] * (col + 1 - len(parts))
    parts[col] = value
    lines[k] = sep.join(parts)
    return {**files, name: "\n".join(lines)}


def test_set_field_after_a_value_that_split_the_line():
    """The case Hypothesis found (2026-12-08): a value with a newline leaves row 1's line with one field, and a
    second edit of that row's next field must still land (an IndexError in this helper before)."""
    files = set_field(template("ml-100k"), "ml-100k", "ratings", 1, 0, "x\n")
    files = set_field(files, "ml-100k", "ratings", 1, 1, "y")
    assert files["u.data"].split("\n")[1] == "x\ty"


def load(root: Path):
    return read_dataset(str(root))


# --------------------------------------------------------------------------- the error table

ANY_LINE = "any line"


def row(k: int) -> tuple[str, int]:
    """Expected line: data row ``k`` (0-based) of the file, wherever the layout puts it."""
    return ("row", k)


def _random_bytes(layout: str, low: int) -> bytes:
    rng = random.Random(f"{layout}-{low}")
    return bytes(rng.randrange(low, 256) for _ in range(600))


def _replace(kind: str, fn):
    """A mutation that rewrites the whole ``kind`` file of the layout with ``fn(text, layout)``."""
    return lambda f, L: {**f, FILES[L][kind]: fn(f[FILES[L][kind]], L)}


def _drop_last_field(text: str, layout: str, k: int = 9) -> str:
    lines = text.split("\n")
    i = line_of(layout, k) - 1
    lines[i] = SEP[layout].join(lines[i].split(SEP[layout])[:-1])
    return "\n".join(lines)


R, I, U = "ratings", "items", "users"
# (id, layouts, mutate(files, layout) -> files, (file kind, line, field, text in the message)).
# line: None (the problem has no line), ANY_LINE, a physical line number or row(k); field: a
# rating column index (named per layout), a field name, or None.
ERROR_CASES = [
    ("random bytes", LAYOUTS, _replace(R, lambda t, L: _random_bytes(L, 0)), (R, ANY_LINE, None, "")),
    ("random bytes without NUL", LAYOUTS, _replace(R, lambda t, L: _random_bytes(L, 1)), (R, ANY_LINE, None, "")),
    ("random bytes as the item file", LAYOUTS, _replace(I, lambda t, L: _random_bytes(L, 1)), (I, ANY_LINE, None, "")),
    ("NUL byte", LAYOUTS, _replace(R, lambda t, L: t.replace("\n", "\x00\n", 3)), (R, 1, None, "NUL byte")),
    ("UTF-16 without byte-order mark", LAYOUTS, _replace(R, lambda t, L: t.encode("utf-16-le")), (R, 1, None, "NUL byte")),
    ("NaN rating", LAYOUTS, lambda f, L: set_field(f, L, R, 2, 2, "NaN"), (R, row(2), 2, "is not a number: 'NaN'")),
    ("empty rating", LAYOUTS, lambda f, L: set_field(f, L, R, 5, 2, ""), (R, row(5), 2, "is not a number: ''")),
    ("infinite rating", LAYOUTS, lambda f, L: set_field(f, L, R, 3, 2, "-inf"), (R, row(3), 2, "is not a finite number")),
    ("rating beyond float32", LAYOUTS, lambda f, L: set_field(f, L, R, 3, 2, "1e39"), (R, row(3), 2, "is too large")),
    ("NaN timestamp", LAYOUTS, lambda f, L: set_field(f, L, R, 4, 3, "nan"), (R, row(4), 3, "is not a number: 'nan'")),
    ("huge timestamp", LAYOUTS, lambda f, L: set_field(f, L, R, 0, 3, "1e30"), (R, row(0), 3, "between 1900 and 2200")),
    ("millisecond timestamp", LAYOUTS, lambda f, L: set_field(f, L, R, 1, 3, "978300760000"),
     (R, row(1), 3, "(milliseconds?")),
    ("fractional timestamp", LAYOUTS, lambda f, L: set_field(f, L, R, 1, 3, "978300760.5"), (R, row(1), 3, "whole seconds")),
    ("500-character user id", LAYOUTS, lambda f, L: set_field(f, L, R, 6, 0, "7" * 500),
     (R, row(6), 0, f"is longer than {MAX_ID_CHARS} characters: '777")),
    ("control character in an id", LAYOUTS, lambda f, L: set_field(f, L, R, 6, 1, "3\x07"),
     (R, row(6), 1, "holds a control character: '3\\x07'")),
    ("blank user id", LAYOUTS, lambda f, L: set_field(f, L, R, 7, 0, "  "), (R, row(7), 0, "is empty")),
    ("rating of an unknown item", LAYOUTS, lambda f, L: set_field(f, L, R, 8, 1, "nosuch"),
     (R, row(8), 1, "'nosuch', which is not in the item file")),
    ("short row", LAYOUTS, _replace(R, _drop_last_field), (R, row(9), None, "expected 4")),
    ("wrong separator", LAYOUTS, _replace(R, lambda t, L: t.replace(SEP[L], ";")), (R, 1, None, "(wrong separator?)")),
    ("empty file", LAYOUTS, _replace(R, lambda t, L: ""), (R, None, None, "file is empty")),
    ("byte-order mark and blank lines only", LAYOUTS, _replace(R, lambda t, L: "\ufeff \n\r\n\t\n"),
     (R, None, None, "file is empty")),
    ("empty item file", LAYOUTS, _replace(I, lambda t, L: ""), (I, None, None, "file is empty")),
    ("item listed twice", LAYOUTS, lambda f, L: set_field(f, L, I, 4, 0, "2"),
     (I, row(4), None, "item id '2' is listed twice in the item file (also on line {row1})")),
    ("user listed twice", [*WITH_USERS, "generic"], lambda f, L: set_field(f, L, U, 3, 0, "1"),
     (U, row(3), None, "user id '1' is listed twice in the user file (also on line {row0})")),
    ("huge age", WITH_USERS, lambda f, L: set_field(f, L, U, 2, USER_FIELDS[L].index("age"), "1e30"),
     (U, row(2), "age", "must be a whole number from 0 to 150, got '1e30'")),
    ("negative age", WITH_USERS, lambda f, L: set_field(f, L, U, 1, USER_FIELDS[L].index("age"), "-3"),
     (U, row(1), "age", "got '-3'")),
    ("header only", WITH_HEADER, _replace(R, lambda t, L: t.split("\n")[0] + "\n"), (R, None, None, "no data rows")),
    ("column named twice in the header", WITH_HEADER, _replace(R, lambda t, L: t.replace("timestamp", RATING_FIELDS[L][0], 1)),
     (R, 1, 0, "appears 2 times in the header")),
    ("missing column", WITH_HEADER, _replace(R, lambda t, L: t.replace("rating", "score", 1)), (R, 1, 2, "missing column")),
    ("CSV field over the csv module's limit", ["ml-latest", "generic"],
     lambda f, L: set_field(f, L, R, 10, 0, '"' + "x" * 200_000 + '"'), (R, row(10), None, "not readable as CSV")),
    ("unterminated CSV quote", ["ml-latest", "generic"], lambda f, L: set_field(f, L, R, 3, 0, '"1'), (R, row(3), None, "found 1 (a quote opened on this line is never closed?)")),
    ("genre flag not 0 or 1", ["ml-100k"], lambda f, L: set_field(f, L, I, 2, 7, "2"),
     (I, row(2), None, "genre flag 'Adventure' must be 0 or 1, got '2'")),
]


@pytest.mark.parametrize("layout,mutate,expect", [
    pytest.param(layout, mutate, expect, id=f"{name}-{layout}")
    for name, layouts, mutate, expect in ERROR_CASES for layout in layouts])
def test_hostile_file_raises_data_error_naming_file_line_and_field(tmp_path, layout, mutate, expect):
    kind, line, field, text = expect
    root = write(tmp_path / layout, mutate(template(layout), layout))
    with pytest.raises(DataError) as e:
        load(root)
    msg = str(e.value)
    assert msg.startswith(str(root / FILES[layout][kind])), msg
    if line == ANY_LINE:
        assert re.match(r"[^\n]+, line \d+: ", msg), msg
    elif line is not None:
        n = line_of(layout, line[1]) if isinstance(line, tuple) else line
        assert f"{FILES[layout][kind]}, line {n}: " in msg, msg
    if field is not None:
        name = RATING_FIELDS[layout][field] if isinstance(field, int) else field
        assert re.search(rf"(field|column) {re.escape(repr(name))}", msg), msg
    assert text.format(row0=line_of(layout, 0), row1=line_of(layout, 1)) in msg, msg


# --------------------------------------------------------------------------- what only a card can get wrong

C = "dataset.toml"


def _card(edit):
    """A mutation of the generic template's dataset.toml: ``edit(text) -> text``."""
    return lambda f: {**f, "dataset.toml": edit(f["dataset.toml"])}


def _parquet(f, inter=None, items=None, users=None, card=lambda t: t):
    """The template as Parquet tables (typed columns) with ``inter``/``items``/``users`` edits applied to the frames."""
    import pandas as pd

    frames = {
        "interactions": pd.DataFrame({"customer": [u for u, *_ in T_RATINGS], "product": [i for _, i, _, _ in T_RATINGS],
                                      "rating": [r for _, _, r, _ in T_RATINGS],
                                      "timestamp": [t for *_, t in T_RATINGS]}),
        "items": pd.DataFrame({"product": [i for i, *_ in T_ITEMS], "name": [t for _, t, _, _ in T_ITEMS],
                               "year": [y for _, _, y, _ in T_ITEMS], "tags": ["|".join(g) for *_, g in T_ITEMS]}),
        "users": pd.DataFrame({"customer": [u for u, *_ in T_USERS], "age": [str(a) for _, a, *_ in T_USERS],
                               "gender": [g for _, _, g, _, _ in T_USERS], "occupation": [o for *_, o, _ in T_USERS],
                               "zip": [z for *_, z in T_USERS]}),
    }
    for name, fn in (("interactions", inter), ("items", items), ("users", users)):
        if fn is not None:
            frames[name] = fn(frames[name])
    out = {k: v for k, v in f.items() if not k.endswith(".csv")}
    out.update({f"{name}.parquet": df for name, df in frames.items()})
    out["dataset.toml"] = card(f["dataset.toml"].replace(".csv", ".parquet"))
    return out


def _set(col, row, value):
    def edit(df):
        df = df.copy()
        df[col] = df[col].astype(object)
        df.loc[row, col] = value
        return df
    return edit


def _as(col, dtype):
    return lambda df: df.assign(**{col: df[col].astype(dtype)})


IP, IIP, UP = "interactions.parquet", "items.parquet", "users.parquet"
# (id, mutate(files) -> files, (file, "line N" / "row N" / None, column or card key, text in the message)).
GENERIC_ERROR_CASES = [
    ("toml names a missing interactions column", _card(lambda t: t.replace('rating = "rating"', 'rating = "stars"')),
     ("interactions.csv", "line 1", "stars", "(named by dataset.toml [interactions] rating); header has "
                                             "['customer', 'product', 'rating', 'timestamp']")),
    ("toml names a missing item column", _card(lambda t: t.replace('categories = "tags"', 'categories = "genre"')),
     ("items.csv", "line 1", "genre", "(named by dataset.toml [items] categories); header has "
                                      "['product', 'name', 'year', 'tags']")),
    ("toml names a missing user field", _card(lambda t: t.replace('"zip"]', '"zip", "income"]')),
     ("users.csv", "line 1", "income", "header has ['customer', 'age', 'gender', 'occupation', 'zip']")),
    ("Parquet lacks a declared column", lambda f: _parquet(f, card=lambda t: t.replace('time = "timestamp"', 'time = "ts"')),
     (IP, None, "ts", "(named by dataset.toml [interactions] time); the file has "
                      "['customer', 'product', 'rating', 'timestamp']")),
    ("ISO 8601 declared, seconds given", _card(lambda t: t.replace('"unix_s"', '"iso8601"')),
     ("interactions.csv", "line 2", "timestamp", "is not an ISO 8601 time (dataset.toml [interactions] time_format = "
      "\"iso8601\"): '1000010800' (seconds or milliseconds since 1970? set time_format = \"unix_s\" or \"unix_ms\")")),
    ("seconds declared, ISO 8601 given", lambda f: set_field(f, "generic", R, 2, 3, "2001-09-09T01:46:40Z"),
     ("interactions.csv", "line 4", "timestamp", "is not a number: '2001-09-09T01:46:40Z' (dataset.toml [interactions] "
      "time_format = \"unix_s\") (an ISO 8601 time? set time_format = \"iso8601\")")),
    ("milliseconds declared, seconds given", _card(lambda t: t.replace('"unix_s"', '"unix_ms"')),
     ("interactions.csv", "line", "timestamp", "every time is before March 1973 as milliseconds")),
    ("an ISO 8601 time that is not one", lambda f: _card(lambda t: t.replace('"unix_s"', '"iso8601"'))(
        {**f, "interactions.csv": f["interactions.csv"].replace("1000010800", "2001-09-09").replace(
            "1000014400", "2001-09-09T10:00:00+02:00").replace("1000018000", "yesterday")}),
     ("interactions.csv", "line", "timestamp", "is not an ISO 8601 time (dataset.toml [interactions] time_format = "
      "\"iso8601\"): 'yesterday'")),
    ("an ISO 8601 time before 1900", lambda f: _card(lambda t: t.replace('"unix_s"', '"iso8601"'))(
        {**f, "interactions.csv": "customer,product,rating,timestamp\n1,2,5,1850-01-01T00:00:00Z\n"}),
     ("interactions.csv", "line 2", "timestamp", "must be a time between 1900 and 2200, got '1850-01-01T00:00:00Z'")),
    ("a category separator that never occurs", lambda f: {**f, "items.csv": f["items.csv"].replace("|", ";")
                                                          .replace("Action\n", "Action;Drama\n")},
     ("items.csv", "line", "tags", "category_sep '|' (dataset.toml [items] category_sep) never occurs in the column, "
                                   "but ';' does: 'Action;Drama' (set category_sep = \";\")")),
    ("Parquet rating as text", lambda f: _parquet(f, inter=_as("rating", str)),
     (IP, None, "rating", "has type large_string; ratings must be numbers")),
    ("Parquet item id as a float", lambda f: _parquet(f, inter=_as("product", float)),
     (IP, None, "product", "has type double; ids must be text or whole numbers")),
    ("Parquet times as text under unix_s", lambda f: _parquet(f, inter=_as("timestamp", str)),
     (IP, None, "timestamp", "has type large_string; times must be numbers")),
    ("Parquet seconds under iso8601", lambda f: _parquet(f, card=lambda t: t.replace('"unix_s"', '"iso8601"')),
     (IP, None, "timestamp", "has type int64; time_format = \"iso8601\" needs text such as 2021-03-04T10:00:00Z, or a "
                             "timestamp column (seconds since 1970? set time_format = \"unix_s\")")),
    ("Parquet null user id", lambda f: _parquet(f, inter=_set("customer", 3, None)),
     (IP, "row 4", "customer", "is empty")),
    ("Parquet items file with duplicate ids", lambda f: _parquet(f, items=_set("product", 4, "2")),
     (IIP, "row 5", None, "item id '2' is listed twice in the item file (also on row 2)")),
    ("Parquet interactions naming an item absent from the items file",
     lambda f: _parquet(f, inter=_set("product", 8, "nosuch")),
     (IP, "row 9", "product", "rates item 'nosuch', which is not in the item file (items.parquet)")),
    ("Parquet file that is not Parquet", lambda f: {**_parquet(f), IIP: b"PAR1 not really"},
     (IIP, None, None, "not a readable Parquet file")),
    ("TOML syntax error", _card(lambda t: t.replace('user = "customer"', 'user = customer')),
     (C, None, None, "not valid TOML: ")),
    ("no [interactions] table", _card(lambda t: t.replace("[interactions]", "[interaction]")),
     (C, None, None, "no [interactions] table")),
    ("time_format missing", _card(lambda t: t.replace('time_format = "unix_s"\n', "")),
     (C, None, None, "[interactions] time_format is missing (one of 'unix_s', 'unix_ms', 'iso8601')")),
    ("time_format not a format", _card(lambda t: t.replace('"unix_s"', '"epoch"')),
     (C, None, None, "[interactions] time_format must be one of 'unix_s', 'unix_ms', 'iso8601', got 'epoch'")),
    ("fields not a list", _card(lambda t: t.replace('fields = ["age", "gender", "occupation", "zip"]', 'fields = "age"')),
     (C, None, None, "[users] fields must be a list of column names such as [\"brand\"], got 'age'")),
    ("rating_scale upside down", _card(lambda t: t.replace("[1, 5, 1]", "[5, 1]")),
     (C, None, None, "[interactions] rating_scale must be [lowest, highest]")),
    ("user and item the same column", _card(lambda t: t.replace('item = "product"', 'item = "customer"')),
     (C, None, None, "[interactions] item and user both name column 'customer'")),
    ("an item field with a reserved name", _card(lambda t: t.replace('category_sep = "|"', 'category_sep = "|"\n'
                                                                                           'fields = ["popularity"]')),
     (C, None, None, "[items] fields: 'popularity' is a name the explorer uses itself")),
    ("a file outside the folder", _card(lambda t: t.replace('file = "users.csv"', 'file = "../users.csv"')),
     (C, None, None, "[users] file '../users.csv' is outside the dataset folder")),
    ("a declared file that is missing", _card(lambda t: t.replace('file = "users.csv"', 'file = "people.csv"')),
     ("people.csv", None, None, "file not found (")),
    ("no file named and both formats present", lambda f: {**_card(lambda t: t.replace('file = "items.csv"\n', ""))(f),
                                                           "items.parquet": b"x"},
     (C, None, None, "[items] has no file, and both of items.csv and items.parquet exist")),
]


@pytest.mark.parametrize("mutate,expect", [pytest.param(m, e, id=name) for name, m, e in GENERIC_ERROR_CASES])
def test_generic_card_and_types_raise_one_line_naming_file_and_field(tmp_path, mutate, expect):
    fname, where, field, text = expect
    root = write(tmp_path / "generic", mutate(template("generic")))
    with pytest.raises(DataError) as e:
        load(root)
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith(str(root / FILES["generic"].get(fname, fname))), msg
    if where == "line":
        assert re.match(rf"{re.escape(str(root / fname))}, line \d+: ", msg), msg
    elif where is not None:
        assert f"{fname}, {where}: " in msg, msg
    if field is not None:
        assert re.search(rf"(field|column) {re.escape(repr(field))}", msg), msg
    assert text in msg, msg


def test_the_generic_table_has_at_least_fifteen_cases():
    assert len(GENERIC_ERROR_CASES) >= 15


# --------------------------------------------------------------------------- inputs that load, with their policy

def _same_content(ds) -> None:
    """``ds`` holds exactly the template's data."""
    assert list(ds.interactions[["user_id", "item_id", "rating", "timestamp"]].itertuples(index=False, name=None)) \
        == T_RATINGS
    assert ds.items[["item_id", "title", "year"]].values.tolist() == [[i, t, y] for i, t, y, _ in T_ITEMS]
    assert ds.items["genres"].tolist() == [g for *_, g in T_ITEMS]
    assert ds.users["user_id"].tolist() == [u for u, *_ in T_USERS]
    assert ds.load_report["duplicates_dropped"] == 0 and ds.load_report["warnings"] == []


ENCODINGS = {
    "UTF-8 byte-order mark": lambda t: b"\xef\xbb\xbf" + t.encode(),
    "CRLF line ends": lambda t: t.replace("\n", "\r\n").encode(),
    "CR line ends": lambda t: t.replace("\n", "\r").encode(),
    "byte-order mark and CRLF": lambda t: ("\ufeff" + t.replace("\n", "\r\n")).encode(),
    "UTF-16 with byte-order mark": lambda t: t.encode("utf-16"),
    "blank lines between rows": lambda t: t.replace("\n", "\n\n  \n", 3),
}


@pytest.mark.parametrize("how", list(ENCODINGS))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_encodings_and_line_ends_load_the_same_data(tmp_path, layout, how):
    """Every file of the folder re-encoded: the same dataset as the plain UTF-8 template."""
    files = {name: ENCODINGS[how](text) for name, text in template(layout).items()}
    _same_content(load(write(tmp_path / layout, files)))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_line_numbers_count_physical_lines(tmp_path, layout):
    """After CRLF ends, a byte-order mark and skipped blank lines, an error still names the editor's line."""
    files = set_field(template(layout), layout, R, 6, 2, "bad")
    name = FILES[layout][R]
    lines = files[name].split("\n")
    text = "\ufeff" + "\r\n".join(lines[:2] + ["", "   "] + lines[2:])  # two blank lines after line 2
    with pytest.raises(DataError, match=rf"{re.escape(name)}, line {line_of(layout, 6) + 2}: field 'rating' "):
        load(write(tmp_path / layout, {**files, name: text}))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_latin1_item_file(tmp_path, layout):
    """An item file that is not UTF-8 is read as latin-1: accents intact, and byte 0x85 (cp1252's ellipsis,
    a line break to ``str.splitlines``) stays inside its title instead of splitting the row."""
    items = [(i, "Café Noir\x85 Amélie" if i == "3" else t, y, g) for i, t, y, g in T_ITEMS]
    files = render(layout, T_RATINGS, items, T_USERS)
    name = FILES[layout][I]
    ds = load(write(tmp_path / layout, {**files, name: files[name].encode("latin-1")}))
    assert ds.items["title"].tolist()[2] == "Café Noir\x85 Amélie"
    assert ds.items["year"].tolist()[2] == 1993


@pytest.mark.parametrize("layout", LAYOUTS)
def test_markup_titles_are_kept_verbatim(tmp_path, layout):
    evil = "[x](http://evil) <b>"
    items = [(i, evil if i == "2" else t, y, g) for i, t, y, g in T_ITEMS]
    items[3] = ("4", "<script>alert(1)</script> **bold** & `code`", None, ())
    ds = load(write(tmp_path / layout, render(layout, T_RATINGS, items, T_USERS)))
    assert ds.items["title"].tolist()[1] == evil
    assert ds.item_label(1) == f"{evil} (1992)"
    assert ds.items["title"].tolist()[3] == "<script>alert(1)</script> **bold** & `code`"
    assert math.isnan(ds.items["year"].tolist()[3]) and ds.items["genres"].tolist()[3] == ()


def test_csv_quoted_title_with_comma_quote_and_line_break(tmp_path):
    """ml-latest files are real CSV; a quoted field may span lines, and later lines keep their numbers."""
    title = 'Say "Hi", then\nleave'
    items = [(i, title if i == "1" else t, y, g) for i, t, y, g in T_ITEMS]
    files = render("ml-latest", T_RATINGS, items, T_USERS)
    ds = load(write(tmp_path / "ok", files))
    assert ds.items["title"].tolist()[0] == title and ds.items["year"].tolist()[0] == 1991
    lines = files["movies.csv"].split("\n")  # the title's row spans lines 2 and 3
    lines[4] = lines[4].replace("3,", "3x\x01,", 1)
    with pytest.raises(DataError, match=r"movies\.csv, line 5: field 'movieId' holds a control character"):
        load(write(tmp_path / "bad", {**files, "movies.csv": "\n".join(lines)}))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_huge_and_long_ids_stay_strings(tmp_path, layout):
    """Ids are strings: 10**30 is not turned into 1e+30, a 100-character id (the limit) loads, and a
    leading zero survives."""
    big, long_id, zero = str(10**30), "m" * MAX_ID_CHARS, "007"
    items = [*T_ITEMS, (big, "Big", 2000, ()), (long_id, "Long", 2001, ())]
    ratings = [*T_RATINGS, (big, big, 4.0, 1_100_000_000), (zero, long_id, 3.0, 1_100_000_001)]
    users = [*T_USERS, (big, 30, "F", "artist", "12345"), (zero, 40, "M", "doctor", "54321")]
    ds = load(write(tmp_path / layout, render(layout, ratings, items, users)))
    assert ds.interactions[["user_id", "item_id"]].values.tolist()[-2:] == [[big, big], [zero, long_id]]
    assert big in ds.item_vocab and long_id in ds.item_vocab and zero in ds.user_vocab and "7" not in ds.user_vocab


@pytest.mark.parametrize("layout", LAYOUTS)
def test_duplicate_pairs_keep_the_latest_interaction(tmp_path, layout):
    """Policy: one row per (user, item): the largest timestamp, ties to the later line. Without it the
    test item of a user would also be a training item (excluded as seen: HR@10 = 0)."""
    u1_rows = [r for r in T_RATINGS if r[0] == "1"]  # user 1 rated 3 items
    (_, a, _, ta), (_, b, _, tb), (_, c, _, tc) = u1_rows
    extra = [
        ("1", a, 2.0, ta + 10**7),  # later than every other row of user 1: replaces line of (1, a)
        ("1", b, 1.0, tb - 5),  # earlier: dropped, the original (1, b) stays
        ("1", c, 4.0, tc),  # same timestamp: the later line wins
        ("1", c, 3.0, tc),  # ... and this is the latest line of the tie
    ]
    ds = load(write(tmp_path / layout, render(layout, T_RATINGS + extra, T_ITEMS, T_USERS)))
    r = ds.load_report
    assert (r["rows_read"], r["duplicates_dropped"], len(ds.interactions)) == (16, 4, 12)
    first_dropped = line_of(layout, 0)  # the template's (1, a), superseded by the first extra row
    assert f"first: line {first_dropped} dropped; line {line_of(layout, 12)} holds the latest" in r["warnings"][0]
    got = {(u, i): (float(x), int(t)) for u, i, x, t in ds.interactions[["user_id", "item_id", "rating", "timestamp"]]
           .itertuples(index=False)}
    assert got[("1", a)] == (2.0, ta + 10**7)
    assert got[("1", b)] == (float(u1_rows[1][2]), tb)
    assert got[("1", c)] == (3.0, tc)
    assert not ds.interactions.duplicated(["user_id", "item_id"]).any()
    # Kept rows stay in file order: (1, b) from the template, then the two extra rows that won.
    assert [tuple(x) for x in ds.interactions[["user_id", "item_id"]].values.tolist() if x[0] == "1"] == [
        ("1", b), ("1", a), ("1", c)]
    # The leakage guard: no user's test item is among their training items.
    split = leave_last_out(ds)
    for u, i in zip(split.test_users, split.test_items):
        assert i not in split.train.history(u)
    assert split.test_items[split.test_users.tolist().index(ds.user_vocab.index("1"))] == ds.item_vocab.index(a)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_ratings_off_the_scale_are_kept_with_a_warning(tmp_path, layout):
    lo, hi, step = SCALES[layout]
    inside = [lo, hi, lo + step, 3.0]
    outside = [0.0, hi + step, lo + step / 2, -1.0]  # below, above, between two steps, negative
    ratings = [(u, i, v, t) for (u, i, _, t), v in zip(T_RATINGS, inside + outside + inside)]
    ds = load(write(tmp_path / layout, render(layout, ratings, T_ITEMS, T_USERS)))
    r = ds.load_report
    assert r["ratings_out_of_scale"] == 4
    assert ds.interactions["rating"].tolist() == [v for _, _, v, _ in ratings]  # kept as given
    assert r["warnings"] == [f"{FILES[layout][R]}: 4 rating(s) outside the scale {lo:g}..{hi:g} in steps of {step:g}, "
                             f"kept as given (first: line {line_of(layout, 4)}, rating 0)"]
    assert ds.summary()["load_report"] == r and json.dumps(ds.summary())


def test_rated_user_missing_from_user_file_is_kept(tmp_path):
    ds = load(write(tmp_path / "k", render("ml-1m", [*T_RATINGS, ("99", "1", 5.0, 1_200_000_000)], T_ITEMS, T_USERS)))
    assert ds.n_users == 5 and ds.user_vocab.id(4) == "99"
    assert ds.users.iloc[4]["user_id"] == "99" and ds.users.iloc[4].isna()["gender"]


@pytest.mark.parametrize("layout", ["ml-100k", "atomic"])
@pytest.mark.parametrize("year", ["inf", "99999", "1e3", "1995.5"])
def test_unusable_release_year_leaves_the_year_unknown(tmp_path, layout, year):
    items = [(i, "No year here", None, g) if i == "2" else (i, t, y, g) for i, t, y, g in T_ITEMS]
    files = render(layout, T_RATINGS, items, T_USERS)
    # Field 2 is u.item's release date, or the atomic release_year.
    files = set_field(files, layout, I, 1, 2, f"01-Jan-{year}" if layout == "ml-100k" else year)
    ds = load(write(tmp_path / layout, files))
    assert math.isnan(ds.items["year"].iloc[1]) and ds.item_label(1) == "No year here"


# --------------------------------------------------------------------------- property-based fuzzing
# Each example writes a folder into its own temporary directory (function-scoped fixtures such as
# tmp_path are shared by all examples of a hypothesis test). Sizes keep this file well under 30 s.

FUZZ = settings(max_examples=80, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
ROUND_TRIP = settings(FUZZ, max_examples=80)
LO_TS, HI_TS = TIMESTAMP_RANGE


def _load_or_data_error(files: dict, layout: str):
    """Load the folder: a dataset that keeps the loader's invariants, or a DataError naming a path in it."""
    with tempfile.TemporaryDirectory() as d:
        root = write(Path(d) / layout, files)
        try:
            ds = read_dataset(str(root))
        except DataError as e:
            assert str(e).startswith(str(root)), str(e)
            event("DataError")  # pytest --hypothesis-show-statistics shows the mix
            return None
    event("loaded")
    inter = ds.interactions
    assert not inter.duplicated(["user_id", "item_id"]).any()
    assert np.isfinite(inter["rating"].to_numpy()).all()
    assert inter["timestamp"].between(LO_TS, HI_TS).all()
    for col in ("user_id", "item_id"):
        ids = inter[col].tolist()
        assert all(isinstance(x, str) and x and x == x.strip() and len(x) <= MAX_ID_CHARS for x in ids)
        assert not any(re.search(r"[\x00-\x1f\x7f-\x9f]", x) for x in ids)
    assert inter["item_id"].isin(ds.items["item_id"]).all() and inter["user_id"].isin(ds.users["user_id"]).all()
    report = ds.load_report
    assert report["rows_read"] - report["duplicates_dropped"] == len(inter)
    json.dumps(ds.summary())
    assert all(isinstance(ds.item_label(i), str) for i in range(ds.n_items))
    return ds


KINDS = {layout: list(FILES[layout]) for layout in LAYOUTS}
ENCODE = {
    "utf-8": lambda t: t.encode("utf-8", "replace"),
    "utf-8 with byte-order mark": lambda t: t.encode("utf-8-sig", "replace"),
    "latin-1": lambda t: t.encode("latin-1", "replace"),
    "cp1252": lambda t: t.encode("cp1252", "replace"),
    "utf-16": lambda t: t.encode("utf-16", "replace"),
    "utf-16 without byte-order mark": lambda t: t.encode("utf-16-le", "replace"),
}
NASTY = ["", " ", "0", "1", "2", "3", "5", "-1", "0.5", "3.5", "4.25", "NaN", "nan", "inf", "-inf", "1e30", "1e39",
         "1e-300", str(10**30), "9" * 25, "x" * 500, "m" * MAX_ID_CHARS, "1000000000", "978300760", "978300760.5",
         "978300760000", str(LO_TS), str(HI_TS), str(HI_TS + 1), "\ufeff1", '"', '""', '"a,b"', '"1', "a\tb", "::", "|",
         ",", ";", "é", "\x85", "\x01", "\x7f", "\u2028", " 7 ", "1_000", "0x1f", "٣", "Drama", "Drama|Comedy",
         "(no genres listed)", "Movie (1995)", "[x](http://evil) <b>", "01-Jan-1995", "inf (1995)"]
FIELD = st.one_of(st.sampled_from(NASTY), st.text(max_size=10), st.integers(-10**31, 10**31).map(str),
                  st.floats(allow_nan=True, allow_infinity=True).map(repr))


@FUZZ
@given(layout=st.sampled_from(LAYOUTS), which=st.integers(0, 2), keep=st.integers(0, 6), data=st.binary(max_size=400))
def test_arbitrary_bytes_give_a_dataset_or_data_error(layout, which, keep, data):
    """One file of a valid folder becomes its first ``keep`` lines followed by arbitrary bytes."""
    files = template(layout)
    name = FILES[layout][KINDS[layout][which % len(KINDS[layout])]]
    head = "".join(files[name].splitlines(keepends=True)[:keep]).encode()
    _load_or_data_error({**files, name: head + data}, layout)


@FUZZ
@given(layout=st.sampled_from(LAYOUTS), which=st.integers(0, 2), data=st.data(),
       encoding=st.sampled_from(list(ENCODE)), eol=st.sampled_from(["\n", "\r\n", "\r"]))
def test_arbitrary_rows_give_a_dataset_or_data_error(layout, which, data, encoding, eol):
    """One file is replaced by rows of hostile field values, in any separator, line end and encoding;
    header layouts usually keep their header so the rows get parsed."""
    kind = KINDS[layout][which % len(KINDS[layout])]
    files = template(layout)
    name = FILES[layout][kind]
    own = {"ratings": SEP, "items": ITEM_SEP, "users": USER_SEP}[kind][layout]
    sep = data.draw(st.sampled_from([own, own, own, "\t", "::", ",", ";", "|", " "]), label="sep")
    n = {"ratings": 4, "items": {"ml-100k": 24, "atomic": 4, "generic": 4}.get(layout, 3), "users": 5}[kind]
    rows = data.draw(st.lists(st.lists(FIELD, min_size=n, max_size=n) | st.lists(FIELD, max_size=8), max_size=8),
                     label="rows")
    lines = [sep.join(r) for r in rows]
    if layout in WITH_HEADER and data.draw(st.booleans(), label="keep header"):
        lines = files[name].split("\n")[:1] + lines
    _load_or_data_error({**files, name: ENCODE[encoding](eol.join(lines))}, layout)


@FUZZ
@given(layout=st.sampled_from(LAYOUTS), data=st.data(), encoding=st.sampled_from(list(ENCODE)[:5]))
def test_hostile_field_values_in_valid_files(layout, data, encoding):
    """Up to five fields of a valid folder replaced by hostile values; a loaded dataset keeps its invariants
    and an untouched field keeps its value."""
    files = template(layout)
    n_rows = {"ratings": len(T_RATINGS), "items": len(T_ITEMS), "users": len(T_USERS)}
    n_cols = {"ratings": 4, "items": 24 if layout == "ml-100k" else 4 if layout in ("atomic", "generic") else 3,
              "users": 5}
    for _ in range(data.draw(st.integers(1, 5), label="edits")):
        kind = data.draw(st.sampled_from(KINDS[layout]), label="kind")
        files = set_field(files, layout, kind, data.draw(st.integers(0, n_rows[kind] - 1), label="row"),
                          data.draw(st.integers(0, n_cols[kind] - 1), label="col"), data.draw(FIELD, label="value"))
    ds = _load_or_data_error({k: ENCODE[encoding](v) for k, v in files.items()}, layout)
    if ds is not None:
        assert len(ds.interactions) <= len(T_RATINGS) and ds.n_items == len(T_ITEMS)


# Valid files: random ids, titles, ratings on the scale, timestamps in range; they must load exactly.

ID = st.one_of(st.integers(0, 10**30).map(str),
               st.text("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.", min_size=1, max_size=MAX_ID_CHARS))
# Titles: anything printable except each layout's separators (| : tab); markup, quotes, commas and
# non-Latin scripts included. Surrounding spaces and a trailing "(year)" are split off by design.
TITLE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="|:\t\ufeff"),
                max_size=30).filter(lambda t: t == t.strip() and not re.search(r"\(\d{4}", t))
GENRES = ML100K_GENRES[1:]


@st.composite
def valid_folders(draw, layout: str):
    """``(ratings, items, users)`` specs for ``layout``; ratings may repeat (user, item) pairs, in any order."""
    item_ids = draw(st.lists(ID, min_size=1, max_size=8, unique=True))
    user_ids = draw(st.lists(ID, min_size=1, max_size=6, unique=True))
    lo, hi, step = SCALES[layout]
    stars = [lo + k * step for k in range(int(round((hi - lo) / step)) + 1)]
    ts = st.one_of(st.integers(LO_TS, HI_TS), st.sampled_from([LO_TS, 0, 978300760, HI_TS]))
    pairs = draw(st.lists(st.tuples(st.sampled_from(user_ids), st.sampled_from(item_ids)), min_size=1, max_size=25))
    ratings = [(u, i, draw(st.sampled_from(stars)), draw(ts)) for u, i in pairs]
    items = [(i, draw(TITLE), draw(st.none() | st.integers(1000, 2999)),
              tuple(sorted(draw(st.sets(st.sampled_from(GENRES), max_size=3)), key=GENRES.index))) for i in item_ids]
    users = [(u, draw(st.integers(0, 150)), draw(st.sampled_from("MF")),
              draw(st.text("abcdefghij", min_size=1, max_size=8)), draw(st.text("0123456789", min_size=5, max_size=5)))
             for u in user_ids]
    return ratings, items, users


def _latest(ratings):
    """Oracle: the latest interaction of each (user, item) pair (largest timestamp, ties to the later
    row), in file order."""
    best = {}
    for pos, (u, i, r, t) in enumerate(ratings):
        if (u, i) not in best or t >= best[(u, i)][1][3]:
            best[(u, i)] = (pos, (u, i, r, t))
    return [row for _, row in sorted(best.values())]


@ROUND_TRIP
@given(layout=st.sampled_from(LAYOUTS), data=st.data(), eol=st.sampled_from(["\n", "\r\n", "\r"]),
       bom=st.booleans(), item_encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_valid_files_round_trip_exactly(layout, data, eol, bom, item_encoding):
    ratings, items, users = data.draw(valid_folders(layout), label="folder")
    files = render(layout, ratings, items, users, eol=eol)
    encoded = {name: (("\ufeff" if bom else "") + text).encode() for name, text in files.items()}
    item_file = FILES[layout][I]
    if item_encoding == "latin-1":
        raw = files[item_file].encode("latin-1", "replace")
        assume(raw.isascii() or not _is_utf8(raw))  # latin-1 bytes that are also valid UTF-8 read as UTF-8
        items = [(i, t.encode("latin-1", "replace").decode("latin-1"), y, g) for i, t, y, g in items]
        encoded[item_file] = raw
    elif item_encoding == "utf-16":
        encoded[item_file] = files[item_file].encode("utf-16")
    with tempfile.TemporaryDirectory() as d:
        ds = read_dataset(str(write(Path(d) / layout, encoded)))
    expected = _latest(ratings)
    event("with duplicate pairs" if len(expected) < len(ratings) else "without duplicates")
    got = list(ds.interactions[["user_id", "item_id", "rating", "timestamp"]].itertuples(index=False, name=None))
    assert got == expected
    assert ds.load_report["rows_read"] == len(ratings)
    assert ds.load_report["duplicates_dropped"] == len(ratings) - len(expected)
    assert ds.load_report["ratings_out_of_scale"] == 0
    assert ds.items["item_id"].tolist() == [i for i, _, _, _ in items]
    # A generic item without a title is called by its id (MovieLens keeps the empty title).
    assert ds.items["title"].tolist() == [(t or i) if layout == "generic" else t for i, t, _, _ in items]
    assert [None if math.isnan(y) else int(y) for y in ds.items["year"]] == [y for _, _, y, _ in items]
    assert ds.items["genres"].tolist() == [g for _, _, _, g in items]
    if layout in WITH_USERS:
        assert ds.users["user_id"].tolist() == [u for u, *_ in users]
        assert ds.users["age"].tolist() == [a for _, a, *_ in users]
    elif layout == "generic":  # declared user fields are categories: the age is its text
        assert ds.users["user_id"].tolist() == [u for u, *_ in users]
        assert ds.users["age"].tolist() == [str(a) for _, a, *_ in users]
        assert ds.users["occupation"].tolist() == [o for _, _, _, o, _ in users]
    else:
        assert ds.users["user_id"].tolist() == list(dict.fromkeys(u for u, *_ in expected))


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
