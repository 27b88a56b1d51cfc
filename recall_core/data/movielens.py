"""MovieLens readers: every layout into one internal form.

Layouts, detected by their files:

* ``ml-100k``   ``u.data`` (tab), ``u.item`` (``|``, latin-1, 19 genre flags), ``u.user`` (``|``)
* ``ml-1m``     ``ratings.dat``, ``movies.dat``, ``users.dat`` (``::``, latin-1)
* ``ml-latest`` ``ratings.csv``, ``movies.csv`` (ml-latest-small, ml-latest, ml-20m, ml-25m; no users)
* ``atomic``    ``*.inter``, ``*.item``, ``*.user`` (tab, typed header such as
  ``user_id:token``): the form in which the ``recbole`` wheel ships ML-100K.

The internal form (all ids are strings):

* interactions: ``user_id, item_id, rating (float32), timestamp (int64)``, file order
* items: ``item_id, title, year (float, NaN if unknown), genres (tuple[str, ...])``
* users: ``user_id`` plus ``gender, age, occupation, zip`` where the source has them

Every problem raises :class:`DataError` naming the file, the line (1-based,
counting the header) and the field.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.errors import DataError

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


def detect_layout(folder: Path) -> str:
    """Name of the layout in ``folder``; DataError listing what is missing otherwise."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder (expected a MovieLens folder or 'ml-100k')")
    for layout, files in LAYOUTS.items():
        if (folder / files[0]).exists():
            missing = [f for f in files if not (folder / f).exists()]
            if missing:
                raise DataError(f"{folder}: looks like {layout} ({files[0]} found) but {', '.join(missing)} is missing")
            return layout
    if list(folder.glob("*.inter")):
        return "atomic"
    expected = "; ".join(f"{k}: {', '.join(v)}" for k, v in LAYOUTS.items())
    raise DataError(f"{folder}: no MovieLens files found (expected one of {expected})")


def read_folder(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, str]:
    """Read any supported folder: ``(interactions, items, users, layout)``."""
    folder = Path(folder)
    layout = detect_layout(folder)
    if layout == "ml-100k":
        inter = _ratings(folder / "u.data", "\t", ["user_id", "item_id", "rating", "timestamp"], header=False)
        items = _items_100k(folder / "u.item")
        users = _table(folder / "u.user", "|", ["user_id", "age", "gender", "occupation", "zip"], header=False)
    elif layout == "ml-1m":
        inter = _ratings(folder / "ratings.dat", "::", ["user_id", "item_id", "rating", "timestamp"], header=False)
        movies = _table(folder / "movies.dat", "::", ["item_id", "title", "genres"], header=False)
        items = _items_from_titles(movies, "|")
        users = _table(folder / "users.dat", "::", ["user_id", "gender", "age", "occupation", "zip"], header=False)
    elif layout == "ml-latest":
        inter = _ratings(folder / "ratings.csv", ",", ["userId", "movieId", "rating", "timestamp"], header=True)
        movies = _table(folder / "movies.csv", ",", ["movieId", "title", "genres"], header=True)
        items = _items_from_titles(movies.rename(columns={"movieId": "item_id"}), "|")
        users = pd.DataFrame({"user_id": pd.unique(inter["user_id"])})
    else:
        inter, items, users = _read_atomic(folder)
    users = _finish_users(users, folder)
    return inter, items, users, layout


# --------------------------------------------------------------------------- low level

def _read_text(path: Path) -> str:
    if not path.exists():
        raise DataError(f"{path}: file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: file is empty")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _split_lines(path: Path, sep: str, n_fields: int, header: bool, names: list[str]) -> tuple[list[str], list[list[str]], int]:
    """Split a delimited file into rows of exactly ``n_fields`` strings.

    Returns ``(header_names, rows, first_data_line)``. A row with another
    number of fields raises DataError naming the line; a first line with a
    single field usually means the wrong separator, and the message says so.
    """
    text = _read_text(path)
    if sep == ",":
        lines = list(csv.reader(io.StringIO(text)))
    else:
        lines = [ln.split(sep) for ln in text.splitlines()]
    # Drop trailing blank lines only; a blank line in the middle is an error.
    while lines and (not lines[-1] or lines[-1] == [""]):
        lines.pop()
    head: list[str] = names
    start = 1
    if header:
        head = [h.strip() for h in lines[0]]
        missing = [c for c in names if c not in head]
        if missing:
            hint = " (wrong separator?)" if len(head) == 1 else ""
            raise DataError(f"{path}, line 1: missing column {missing[0]!r}; header has {head}{hint}")
        lines = lines[1:]
        start = 2
        n_fields = len(head)
    if not lines:
        raise DataError(f"{path}: no data rows")
    for i, row in enumerate(lines):
        if len(row) != n_fields:
            sep_name = {"\t": "tab", ",": "comma"}.get(sep, repr(sep))
            hint = " (wrong separator?)" if len(row) == 1 else ""
            raise DataError(
                f"{path}, line {i + start}: expected {n_fields} {sep_name}-separated fields "
                f"({', '.join(names)}), found {len(row)}{hint}"
            )
    return head, lines, start


def _table(path: Path, sep: str, names: list[str], header: bool) -> pd.DataFrame:
    """A delimited file as a DataFrame of strings with the named columns."""
    if header:
        head, rows, _ = _split_lines(path, sep, 0, True, names)
        df = pd.DataFrame(rows, columns=head, dtype=str)[names]
    else:
        # Extra trailing columns (u.item's 19 flags) are handled by their readers.
        _, rows, _ = _split_lines(path, sep, len(names), False, names)
        df = pd.DataFrame(rows, columns=names, dtype=str)
    df.attrs["path"] = str(path)
    df.attrs["first_line"] = 2 if header else 1
    return df


def _numeric(df: pd.DataFrame, col: str, kind: type, label: str | None = None) -> np.ndarray:
    """Column ``col`` as numbers; DataError naming the first bad line otherwise."""
    values = pd.to_numeric(df[col].str.strip(), errors="coerce")
    bad = np.flatnonzero(values.isna().to_numpy())
    if len(bad):
        line = int(bad[0]) + df.attrs.get("first_line", 1)
        raise DataError(
            f"{df.attrs.get('path', '?')}, line {line}: field {label or col!r} is not a number: {df[col].iloc[bad[0]]!r}"
        )
    return values.to_numpy().astype(kind)


def _ratings(path: Path, sep: str, names: list[str], header: bool) -> pd.DataFrame:
    df = _table(path, sep, names, header)
    u, i, r, t = names
    out = pd.DataFrame({
        "user_id": df[u].str.strip().to_numpy(),
        "item_id": df[i].str.strip().to_numpy(),
        "rating": _numeric(df, r, np.float32, r),
        "timestamp": _numeric(df, t, np.float64, t).astype(np.int64),
    })
    for col, src in (("user_id", u), ("item_id", i)):
        empty = np.flatnonzero(out[col].to_numpy() == "")
        if len(empty):
            raise DataError(f"{path}, line {int(empty[0]) + df.attrs['first_line']}: field {src!r} is empty")
    out.attrs["path"] = str(path)
    return out


def _split_title(title: str) -> tuple[str, float]:
    m = _YEAR_IN_TITLE.search(title)
    if m:
        return title[: m.start()].strip(), float(m.group(1))
    return title.strip(), float("nan")


def _genres(text: str, sep: str) -> tuple[str, ...]:
    return tuple(g for g in (s.strip() for s in text.split(sep)) if g not in NO_GENRE)


def _items_from_titles(movies: pd.DataFrame, genre_sep: str) -> pd.DataFrame:
    titles, years = zip(*(_split_title(t) for t in movies["title"].tolist()))
    return pd.DataFrame({
        "item_id": movies["item_id"].str.strip().to_numpy(),
        "title": list(titles),
        "year": np.asarray(years, dtype=np.float64),
        "genres": [_genres(g, genre_sep) for g in movies["genres"].tolist()],
    })


def _items_100k(path: Path) -> pd.DataFrame:
    names = ["item_id", "title", "release_date", "video_release_date", "url", *ML100K_GENRES]
    df = _table(path, "|", names, header=False)
    flags = df[ML100K_GENRES]
    bad = ~flags.isin(["0", "1"])
    if bad.to_numpy().any():
        row, col = np.argwhere(bad.to_numpy())[0]
        raise DataError(f"{path}, line {row + 1}: genre flag {ML100K_GENRES[col]!r} must be 0 or 1, got {flags.iat[row, col]!r}")
    flag_arr = flags.to_numpy() == "1"
    genres = [tuple(g for g, on in zip(ML100K_GENRES, r) if on and g not in NO_GENRE) for r in flag_arr]
    titles, years = zip(*(_split_title(t) for t in df["title"].tolist()))
    years = np.asarray(years, dtype=np.float64)
    # Titles without a year: fall back to the release date (dd-Mon-yyyy).
    date_years = pd.to_numeric(df["release_date"].str[-4:], errors="coerce").to_numpy(dtype=np.float64)
    years = np.where(np.isnan(years), date_years, years)
    return pd.DataFrame({"item_id": df["item_id"].str.strip().to_numpy(), "title": list(titles), "year": years, "genres": genres})


def _read_atomic(folder: Path):
    """The typed-header tab files (``name:type`` header) as shipped in the recbole wheel."""
    def read(ext: str, required: list[str]) -> pd.DataFrame | None:
        paths = sorted(folder.glob(f"*.{ext}"))
        if not paths:
            return None
        path = paths[0]
        text = _read_text(path)
        first = text.split("\n", 1)[0]
        head = [h.split(":")[0].strip() for h in first.split("\t")]
        missing = [c for c in required if c not in head]
        if missing:
            hint = " (wrong separator?)" if len(head) == 1 else ""
            raise DataError(f"{path}, line 1: missing column {missing[0]!r}; header has {head}{hint}")
        _, rows, _ = _split_lines(path, "\t", len(head), False, head)
        df = pd.DataFrame(rows[1:], columns=head, dtype=str)
        if df.empty:
            raise DataError(f"{path}: no data rows")
        df.attrs["path"] = str(path)
        df.attrs["first_line"] = 2
        return df

    inter_df = read("inter", ["user_id", "item_id", "rating", "timestamp"])
    inter = pd.DataFrame({
        "user_id": inter_df["user_id"].str.strip().to_numpy(),
        "item_id": inter_df["item_id"].str.strip().to_numpy(),
        "rating": _numeric(inter_df, "rating", np.float32),
        "timestamp": _numeric(inter_df, "timestamp", np.float64).astype(np.int64),
    })
    item_df = read("item", ["item_id", "movie_title"])
    if item_df is None:
        raise DataError(f"{folder}: no .item file next to the .inter file")
    years = pd.to_numeric(item_df.get("release_year", pd.Series([""] * len(item_df))), errors="coerce")
    titles, tyears = zip(*(_split_title(t) for t in item_df["movie_title"].tolist()))
    years = np.where(years.isna().to_numpy(), np.asarray(tyears, dtype=np.float64), years.to_numpy(dtype=np.float64))
    classes = item_df["class"] if "class" in item_df else pd.Series([""] * len(item_df))
    items = pd.DataFrame({
        "item_id": item_df["item_id"].str.strip().to_numpy(),
        "title": list(titles),
        "year": years,
        "genres": [_genres(c, " ") for c in classes.tolist()],
    })
    user_df = read("user", ["user_id"])
    if user_df is None:
        users = pd.DataFrame({"user_id": pd.unique(inter["user_id"])})
    else:
        users = user_df.rename(columns={"zip_code": "zip"})
    return inter, items, users


def _finish_users(users: pd.DataFrame, folder: Path) -> pd.DataFrame:
    users = users.copy()
    users["user_id"] = users["user_id"].astype(str).str.strip()
    keep = ["user_id"] + [c for c in ("gender", "age", "occupation", "zip") if c in users]
    users = users[keep]
    if "age" in users:
        ages = pd.to_numeric(users["age"], errors="coerce")
        if ages.isna().any():
            row = int(np.flatnonzero(ages.isna().to_numpy())[0])
            raise DataError(f"{folder}: user {users['user_id'].iloc[row]!r} has a non-numeric age {users['age'].iloc[row]!r}")
        users["age"] = ages.astype(np.int64)
    return users.reset_index(drop=True)
