"""Loaders: the three MovieLens layouts (good and broken), the wheel reader, the vocabulary."""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest

from recall_core.data import Vocabulary, load_dataset
from recall_core.data.fetch import WHEEL_MEMBERS, fetch_ml100k, read_wheel
from recall_core.data.dataset import read_dataset
from recall_core.data.folders import read_folder
from recall_core.data.planted import planted_dataset, write_movielens
from recall_core.errors import DataError, UnknownIdError

LAYOUT_FILES = {"ml-100k": ("u.data", "u.item"), "ml-1m": ("ratings.dat", "movies.dat"),
                "ml-latest": ("ratings.csv", "movies.csv")}


@pytest.fixture(scope="module")
def small():
    return planted_dataset(n_clusters=3, items_per_cluster=5, users_per_cluster=4, history=4)


@pytest.mark.parametrize("layout", ["ml-100k", "ml-1m", "ml-latest"])
def test_layout_round_trip(small, tmp_path, layout):
    folder = write_movielens(small, tmp_path / layout, layout)
    ds = load_dataset(str(folder))
    assert ds.layout == layout
    assert (ds.n_users, ds.n_items, len(ds.interactions)) == (small.n_users, small.n_items, len(small.interactions))
    assert ds.fingerprint == small.fingerprint  # same content, same hash, whatever the layout
    assert ds.items["genres"].tolist() == small.items["genres"].tolist()
    assert ds.items["year"].tolist() == small.items["year"].tolist()
    assert ds.interactions["item_id"].map(type).eq(str).all()
    if layout == "ml-latest":
        assert list(ds.users.columns) == ["user_id"]
    else:
        assert {"gender", "age", "occupation"} <= set(ds.users.columns)


def _write(folder, name, text, encoding="utf-8"):
    (folder / name).write_bytes(text.encode(encoding))


@pytest.mark.parametrize("layout", ["ml-100k", "ml-1m", "ml-latest"])
def test_bad_rating_names_file_line_and_field(small, tmp_path, layout):
    folder = write_movielens(small, tmp_path / layout, layout)
    ratings = folder / LAYOUT_FILES[layout][0]
    lines = ratings.read_text().splitlines()
    sep = {"ml-100k": "\t", "ml-1m": "::", "ml-latest": ","}[layout]
    k = 3 if layout != "ml-latest" else 3  # a data line (1-based line number below)
    parts = lines[k - 1].split(sep)
    parts[2] = "five"
    lines[k - 1] = sep.join(parts)
    ratings.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as e:
        read_folder(folder)
    msg = str(e.value)
    assert ratings.name in msg and f"line {k}" in msg and "rating" in msg and "'five'" in msg


@pytest.mark.parametrize("layout", ["ml-100k", "ml-1m", "ml-latest"])
def test_bad_timestamp(small, tmp_path, layout):
    folder = write_movielens(small, tmp_path / layout, layout)
    ratings = folder / LAYOUT_FILES[layout][0]
    text = ratings.read_text().splitlines()
    sep = {"ml-100k": "\t", "ml-1m": "::", "ml-latest": ","}[layout]
    parts = text[-1].split(sep)
    parts[3] = "yesterday"
    text[-1] = sep.join(parts)
    ratings.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError, match=rf"{ratings.name}, line {len(text)}: field '(timestamp)' is not a number"):
        read_folder(folder)


@pytest.mark.parametrize("layout", ["ml-100k", "ml-1m", "ml-latest"])
def test_missing_file(small, tmp_path, layout):
    folder = write_movielens(small, tmp_path / layout, layout)
    (folder / LAYOUT_FILES[layout][1]).unlink()
    with pytest.raises(DataError, match=LAYOUT_FILES[layout][1].replace(".", r"\.") + " is missing"):
        read_folder(folder)


@pytest.mark.parametrize("layout", ["ml-100k", "ml-1m", "ml-latest"])
def test_empty_file(small, tmp_path, layout):
    folder = write_movielens(small, tmp_path / layout, layout)
    ratings = folder / LAYOUT_FILES[layout][0]
    ratings.write_text("")
    with pytest.raises(DataError, match=rf"{ratings.name}: file is empty"):
        read_folder(folder)


@pytest.mark.parametrize("layout,sep", [("ml-100k", ","), ("ml-1m", "\t"), ("ml-latest", ";")])
def test_wrong_separator(small, tmp_path, layout, sep):
    folder = write_movielens(small, tmp_path / layout, layout)
    ratings = folder / LAYOUT_FILES[layout][0]
    orig = {"ml-100k": "\t", "ml-1m": "::", "ml-latest": ","}[layout]
    ratings.write_text(ratings.read_text().replace(orig, sep))
    with pytest.raises(DataError, match=r"wrong separator\?") as e:
        read_folder(folder)
    assert ratings.name in str(e.value) and "line 1" in str(e.value)


def test_missing_column_in_csv(small, tmp_path):
    folder = write_movielens(small, tmp_path / "l", "ml-latest")
    ratings = folder / "ratings.csv"
    lines = ratings.read_text().splitlines()
    lines[0] = "userId,movieId,score,timestamp"
    ratings.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"ratings\.csv, line 1: missing column 'rating'"):
        read_folder(folder)


def test_short_row_names_line(small, tmp_path):
    folder = write_movielens(small, tmp_path / "k", "ml-100k")
    data = folder / "u.data"
    lines = data.read_text().splitlines()
    lines[4] = "\t".join(lines[4].split("\t")[:3])
    data.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"u\.data, line 5: expected 4 tab-separated fields .* found 3"):
        read_folder(folder)


def test_rating_of_unknown_item(small, tmp_path):
    folder = write_movielens(small, tmp_path / "k", "ml-1m")
    with open(folder / "ratings.dat", "a") as f:
        f.write("u0::nosuchmovie::4::1000\n")
    with pytest.raises(DataError, match="'nosuchmovie', which is not in the item file"):
        load_dataset(str(folder))


def test_not_a_movielens_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="no MovieLens files found"):
        load_dataset(str(tmp_path))
    with pytest.raises(DataError, match="no such folder"):
        load_dataset(str(tmp_path / "missing"))


def test_ml100k_item_file_details(tmp_path):
    # Title with year and an item with the 'unknown' genre flag only.
    (tmp_path / "u.data").write_text("1\t1\t5\t100\n1\t2\t3\t50\n")
    flags_unknown = "|".join(["1"] + ["0"] * 18)
    flags_comedy = "|".join("1" if i == 5 else "0" for i in range(19))
    (tmp_path / "u.item").write_bytes(
        (f"1|Café (1995)|01-Jan-1995||x|{flags_comedy}\n2|unknown|||x|{flags_unknown}\n").encode("latin-1")
    )
    (tmp_path / "u.user").write_text("1|24|M|technician|85711\n")
    inter, items, users, layout, report = read_folder(tmp_path)[:5]
    assert items["title"].tolist() == ["Café", "unknown"]
    assert items["genres"].tolist() == [("Comedy",), ()]
    assert items["year"].iloc[0] == 1995 and np.isnan(items["year"].iloc[1])
    assert users["age"].tolist() == [24]


def test_vocabulary():
    v = Vocabulary(["10", "2", "x"], kind="item")
    assert v.index("2") == 1 and v.id(2) == "x" and len(v) == 3
    assert "2" in v and 2 not in v  # integer keys are never rows
    with pytest.raises(UnknownIdError, match="unknown item '7'"):
        v.index("7")
    with pytest.raises(ValueError, match="duplicate"):
        Vocabulary(["a", "a"])


def _fake_wheel(path, members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path


def test_read_wheel(tmp_path):
    members = {m: f"content of {short}" for m, short in WHEEL_MEMBERS.items()}
    files = read_wheel(_fake_wheel(tmp_path / "recbole-1.2.1-py3-none-any.whl", members))
    assert files == {short: f"content of {short}".encode() for short in WHEEL_MEMBERS.values()}
    broken = dict(list(members.items())[:2])
    with pytest.raises(DataError, match="wheel lacks"):
        read_wheel(_fake_wheel(tmp_path / "b.whl", broken))
    (tmp_path / "c.whl").write_text("not a zip")
    with pytest.raises(DataError, match="not a wheel"):
        read_wheel(tmp_path / "c.whl")


def test_fetch_from_package_index(tmp_path):
    """The path a fresh machine takes: the recbole wheel from the package index (GroupLens skipped)."""
    folder = fetch_ml100k(tmp_path, try_grouplens=False, log=lambda m: None)
    assert sorted(p.name for p in folder.iterdir()) == ["ml-100k.inter", "ml-100k.item", "ml-100k.user"]
    ds = load_dataset(str(folder))
    assert (ds.n_users, ds.n_items, len(ds.interactions)) == (943, 1682, 100_000)
    assert fetch_ml100k(tmp_path, try_grouplens=False, log=lambda m: None) == folder  # cached now


def test_ml100k_summary(ml100k):
    s = ml100k.summary()
    assert (s["users"], s["items"], s["interactions"]) == (943, 1682, 100_000)
    assert s["first"] == "1997-09-20" and s["last"] == "1998-04-22"
    assert len(s["genres"]) == 18 and "Film-Noir" in s["genres"]
    assert ml100k.item_label(ml100k.find_item("Star Wars")) == "Star Wars (1977)"
    assert set(ml100k.users.columns) == {"user_id", "gender", "age", "occupation", "zip"}


# Inputs that fuzzing (tests/data/test_data_fuzz.py) found to fail with another exception type or to load
# wrongly, kept as plain examples. The comment says what the old loader did.
_FLAGS = "|".join(["0"] * 19).encode()
_CSV_MOVIES = b"movieId,title,genres\n1,A,Drama\n"
_DAT = {"movies.dat": b"1::A (1995)::Drama\n", "users.dat": b"1::M::20::x::1\n"}


def _u100k(item_line: bytes, user_line: bytes = b"1|20|M|x|1\n") -> dict:
    return {"u.data": b"1\t1\t5\t100\n", "u.item": item_line, "u.user": user_line}


REGRESSIONS = [
    # A UTF-8 byte-order mark: "missing column 'userId'; header has ['\ufeffuserId', ...]".
    ("bom", {"ratings.csv": b"\xef\xbb\xbfuserId,movieId,rating,timestamp\n1,1,5,100\n", "movies.csv": _CSV_MOVIES},
     None),
    # A lone CR inside a CSV line: _csv.Error "new-line character seen in unquoted field".
    ("cr", {"ratings.csv": b"userId,movieId,rating,timestamp\n1,1\r,5,100\n", "movies.csv": _CSV_MOVIES},
     r"ratings\.csv, line 2: expected 4 comma-separated fields .* found 2"),
    # Latin-1 byte 0x85 in a title: str.splitlines broke the row ("expected 24 '|'-separated fields").
    ("nel", _u100k(b"1|Caf\xe9\x85 au lait (1995)|||x|" + _FLAGS + b"\n"), None),
    # A timestamp of 1e30 became int64 garbage; summary() then failed ("NaTType does not support strftime").
    ("ts", {"ratings.dat": b"1::1::5::1e30\n", **_DAT},
     r"ratings\.dat, line 1: field 'timestamp' must be seconds since 1970 between 1900 and 2200, got '1e30'"),
    # A release date ending in 99999 gave the year 9999; one of 'inf' gave year inf (OverflowError in item_label).
    ("date", _u100k(b"1|No year|01-Jan-99999||x|" + _FLAGS + b"\n"), None),
    ("inf", _u100k(b"1|No year|inf||x|" + _FLAGS + b"\n"), None),
    # An age of 'inf': pandas IntCastingNaNError.
    ("age", _u100k(b"1|A (1995)|||x|" + _FLAGS + b"\n", b"1|inf|M|x|1\n"),
     r"u\.user, line 1: field 'age' of user '1' must be a whole number from 0 to 150, got 'inf'"),
    # A column named twice in the header: AttributeError "'DataFrame' object has no attribute 'str'".
    ("header", {"ratings.csv": b"userId,movieId,rating,timestamp,userId\n1,1,5,100,2\n", "movies.csv": _CSV_MOVIES},
     r"ratings\.csv, line 1: column 'userId' appears 2 times in the header"),
    # A duplicate (user, item) row was kept: the test item was then also a training item.
    ("dup", {"ratings.dat": b"1::1::5::200\n1::1::3::100\n", **_DAT}, None),
]


@pytest.mark.parametrize("name,files,error", REGRESSIONS, ids=[r[0] for r in REGRESSIONS])
def test_regressions_found_by_fuzzing(tmp_path, name, files, error):
    for f, content in files.items():
        (tmp_path / f).write_bytes(content)
    if error:
        with pytest.raises(DataError, match=error):
            read_dataset(str(tmp_path))
        return
    ds = read_dataset(str(tmp_path))
    ds.summary()
    expected = {"bom": ("A", np.nan, 5.0), "nel": ("Caf\xe9\x85 au lait", 1995.0, 5.0), "date": ("No year", np.nan, 5.0),
                "inf": ("No year", np.nan, 5.0), "dup": ("A", 1995.0, 5.0)}[name]
    title, year, rating = expected
    assert ds.items["title"].tolist() == [title]
    assert ds.items["year"].iloc[0] == year or (np.isnan(year) and np.isnan(ds.items["year"].iloc[0]))
    assert ds.interactions["rating"].tolist() == [rating] and len(ds.interactions) == 1
    assert ds.item_label(0).startswith(title)
    assert ds.load_report["duplicates_dropped"] == (1 if name == "dup" else 0)


def test_data_command_prints_the_load_report(tmp_path, capsys):
    from recall_core.cli import main

    (tmp_path / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,5,100\n1,2,7,100\n1,1,4,50\n")
    (tmp_path / "movies.csv").write_text("movieId,title,genres\n1,A,Drama\n2,B,Drama\n")
    assert main(["data", "--dataset", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "load policy:  1 duplicate (user, item) rows dropped (latest kept); 1 ratings outside 0.5..5 in steps of " \
           "0.5 (kept)" in out
    assert "warning:      ratings.csv: 1 duplicate (user, item) row(s) dropped, keeping the latest of each pair " \
           "(first: line 4 dropped; line 2 holds the latest of user '1' with item '1')" in out
    assert "(first: line 3, rating 7)" in out
    assert main(["data", "--dataset", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)["load_report"]
    assert (report["rows_read"], report["duplicates_dropped"], report["ratings_out_of_scale"]) == (3, 1, 1)


def test_build_dataset_applies_the_duplicate_policy_to_frames_built_in_code():
    import pandas as pd

    from recall_core.data.dataset import build_dataset

    inter = pd.DataFrame({"user_id": ["a", "a", "b", "a"], "item_id": ["x", "y", "x", "x"],
                          "rating": np.float32([1, 2, 3, 4]), "timestamp": np.int64([30, 20, 10, 30])})
    items = pd.DataFrame({"item_id": ["x", "y"], "title": ["X", "Y"], "year": [np.nan, np.nan], "genres": [(), ()]})
    ds = build_dataset("t", "t", "synthetic", inter, items, pd.DataFrame({"user_id": ["a", "b"]}))
    # (a, x) at 30 twice: the later row (rating 4) wins, and rows keep their order.
    assert ds.interactions[["user_id", "item_id", "rating"]].values.tolist() == [["a", "y", 2.0], ["b", "x", 3.0],
                                                                                 ["a", "x", 4.0]]
    assert ds.interactions["item_idx"].tolist() == [1, 0, 0] and ds.load_report["duplicates_dropped"] == 1
