"""The parsed-dataset cache (a hit equals a cold read; anything stale or broken is never used) and the faster
cold path (the same fingerprint, rows, numbers and errors as the code it replaced)."""
from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall_core.data import Vocabulary, default_cache_dir, fetch_ml100k
from recall_core.data import dataset as dataset_mod
from recall_core.data import movielens
from recall_core.data import parse_cache
from recall_core.data.dataset import Dataset, _fingerprint, _vocab_rows, build_dataset, read_dataset
from recall_core.errors import DataError

OLD_NS = time.time_ns() - 3600 * 10**9  # an hour ago: past the cache's "too fresh" guard


# --------------------------------------------------------------------------- helpers

def age(folder: Path, ns: int = OLD_NS) -> None:
    """Give every file in ``folder`` an mtime of ``ns``."""
    for p in Path(folder).iterdir():
        os.utime(p, ns=(ns, ns))


def age_after(folder: Path) -> Path:
    age(folder)
    return folder


def assert_same(a: Dataset, b: Dataset) -> None:
    """Every field of two Datasets equal, frames with their dtypes, attrs and cell types."""
    for f in dataclasses.fields(Dataset):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y, check_exact=True)
            assert list(x.columns) == list(y.columns) and list(x.dtypes) == list(y.dtypes), f.name
            assert type(x.index) is type(y.index), f.name
            assert x.attrs == y.attrs, f.name
            for c in x.columns:
                assert x[c].isna().tolist() == y[c].isna().tolist(), (f.name, c)
                if x[c].dtype == object:
                    assert [type(v) for v in x[c]] == [type(v) for v in y[c]], (f.name, c)
                    assert x[c].tolist() == y[c].tolist(), (f.name, c)
        elif isinstance(x, Vocabulary):
            assert x.kind == y.kind and x.ids.dtype == y.ids.dtype, f.name
            assert x.ids.tolist() == y.ids.tolist(), f.name
        else:
            assert type(x) is type(y) and x == y, f.name
    np.testing.assert_array_equal(a.item_counts, b.item_counts)


@pytest.fixture
def no_source_reads(monkeypatch):
    """Fail if the files are parsed: a load under this fixture must come from the cache."""
    def refuse(folder):
        raise AssertionError(f"{folder} was parsed, not loaded from the cache")
    monkeypatch.setattr(dataset_mod, "read_folder", refuse)


def write_ml_latest(folder: Path) -> Path:
    """A small ml-latest folder with what the cache must keep: non-ASCII ids and titles, a quoted title,
    an unknown year, no genres, a duplicate pair and an off-scale rating (both in the load report)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["userId,movieId,rating,timestamp"]
    ids = ["1", "2", "m\u00e9", "10", "\u00fc4", "Z"]
    for u in range(12):
        user = f"{'u' if u % 3 else 'ü'}{u}"
        for k in range(4):
            rows.append(f"{user},{ids[(u + k) % len(ids)]},{0.5 + (u * k) % 10 / 2},{1_300_000_000 + 60 * (u * 5 + k)}")
    rows.append("u1,2,4.0,1300000000")  # a duplicate pair (u1 rated 2 above, later): dropped
    rows.append("u2,1,7.5,1300009999")  # off the 0.5..5 scale: kept, with a warning
    (folder / "ratings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "movies.csv").write_text(
        "movieId,title,genres\n"
        "1,Toy Story (1995),Adventure|Animation|Children\n"
        '2,"Heat, Again (1996)",Action|Crime\n'
        "m\u00e9,Am\u00e9lie (2001),Comedy|Romance\n"
        "10,No Year,(no genres listed)\n"
        "\u00fc4,\u00dcber <b>Title</b> (1980),Drama\n"
        "Z,Zed (2020),Sci-Fi|IMAX\n", encoding="utf-8")
    return folder


def write_ml_1m(folder: Path) -> Path:
    """A small ml-1m folder with a rated user missing from users.dat (kept without demographics)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ratings.dat").write_text(
        "1::10::5::978300760\n1::20::3::978302109\n2::10::4::978301968\n7::20::2::978300275\n3::30::1::978824291\n")
    (folder / "movies.dat").write_bytes(
        "10::Caf\u00e9 (1995)::Comedy\n20::Heat (1995)::Action|Crime|Thriller\n30::Unknown::(no genres listed)\n"
        .encode("latin-1"))
    (folder / "users.dat").write_text("1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n")
    return folder


# --------------------------------------------------------------------------- the cache

@pytest.fixture(scope="module")
def ml100k_copy(tmp_path_factory):
    """ML-100K in a cache dir of its own (files copied with their old mtimes)."""
    root = tmp_path_factory.mktemp("cache")
    shutil.copytree(fetch_ml100k(default_cache_dir()), root / "ml-100k", copy_function=shutil.copy2)
    age(root / "ml-100k")
    return root


def test_ml100k_hit_equals_a_cold_read(ml100k_copy, monkeypatch):
    cold = read_dataset("ml-100k", ml100k_copy, parse_cache=False)
    assert not (ml100k_copy / "parsed").exists()
    first = read_dataset("ml-100k", ml100k_copy)  # parses and writes the cache
    assert len(list((ml100k_copy / "parsed").glob("*.npz"))) == 1
    assert_same(cold, first)
    monkeypatch.setattr(dataset_mod, "read_folder", lambda folder: pytest.fail("parsed again"))
    assert_same(cold, read_dataset("ml-100k", ml100k_copy))
    assert cold.fingerprint == "2b2816a951d940ae"  # the digest stores record for ML-100K


@pytest.mark.parametrize("writer", [write_ml_latest, write_ml_1m])
def test_planted_folder_hit_equals_a_cold_read(tmp_path, monkeypatch, writer):
    folder = age_after(writer(tmp_path / "data"))
    cold = read_dataset(str(folder), tmp_path / "cache", parse_cache=False)
    if writer is write_ml_latest:
        assert cold.load_report["duplicates_dropped"] == 1 and cold.load_report["ratings_out_of_scale"] == 1
        assert cold.items["genres"].tolist()[3] == () and np.isnan(cold.items["year"].iloc[3])
    else:
        assert cold.users["gender"].isna().sum() == 1  # user 7: rated, not in users.dat
    read_dataset(str(folder), tmp_path / "cache")
    monkeypatch.setattr(dataset_mod, "read_folder", lambda f: pytest.fail("parsed again"))
    assert_same(cold, read_dataset(str(folder), tmp_path / "cache"))


def test_another_spelling_of_the_folder_hits_and_names_the_folder_as_given(tmp_path, monkeypatch):
    folder = age_after(write_ml_latest(tmp_path / "data"))
    read_dataset(str(folder), tmp_path / "cache")
    monkeypatch.chdir(tmp_path)
    cold = read_dataset("data", tmp_path / "cache", parse_cache=False)
    monkeypatch.setattr(dataset_mod, "read_folder", lambda f: pytest.fail("parsed again"))
    warm = read_dataset("data", tmp_path / "cache")
    assert_same(cold, warm)
    assert warm.name == "data" and warm.interactions.attrs["path"] == os.path.join("data", "ratings.csv")


@pytest.mark.parametrize("change", ["content", "size", "mtime"])
def test_a_changed_source_file_invalidates(tmp_path, monkeypatch, change):
    folder = age_after(write_ml_latest(tmp_path / "data"))
    cache = tmp_path / "cache"
    before = read_dataset(str(folder), cache)
    ratings = folder / "ratings.csv"
    text = ratings.read_text()
    if change == "content":  # same size, another (old) mtime
        ratings.write_text(text.replace("u2,1,7.5,", "u2,1,2.5,", 1))
        assert ratings.stat().st_size == len(text.encode())
    elif change == "size":
        ratings.write_text(text + "u99,1,2.0,1300000001\n")  # a new user
    age(folder, OLD_NS + (10**9 if change != "size" else 0))
    parsed = []
    real = dataset_mod.read_folder
    monkeypatch.setattr(dataset_mod, "read_folder", lambda f: parsed.append(f) or real(f))
    after = read_dataset(str(folder), cache)
    assert parsed, "a changed file must be parsed again"
    assert_same(read_dataset(str(folder), cache, parse_cache=False), after)
    if change == "mtime":
        assert_same(before, after)
    else:
        assert after.fingerprint != before.fingerprint


def test_a_new_file_that_changes_the_layout_invalidates(tmp_path):
    folder = age_after(write_ml_latest(tmp_path / "data"))
    read_dataset(str(folder), tmp_path / "cache")
    (folder / "ratings.dat").write_text("1::1::5::978300760\n")  # now it looks like ml-1m, without its other files
    with pytest.raises(DataError, match="movies.dat, users.dat is missing"):
        read_dataset(str(folder), tmp_path / "cache")


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty", "foreign", "other-format"])
def test_a_damaged_or_foreign_cache_file_is_ignored_and_rewritten(tmp_path, damage, monkeypatch):
    folder = age_after(write_ml_latest(tmp_path / "data"))
    other = age_after(write_ml_1m(tmp_path / "other"))
    cache = tmp_path / "cache"
    cold = read_dataset(str(folder), cache, parse_cache=False)
    read_dataset(str(folder), cache)
    read_dataset(str(other), cache)
    path = parse_cache.cache_file(cache, folder)
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flip":  # one byte in the middle of the stored JSON: its zip checksum no longer matches
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("meta.npy")
        h = info.header_offset  # local header: 30 bytes, then the name and an extra field of their own lengths
        start = h + 30 + int.from_bytes(data[h + 26:h + 28], "little") + int.from_bytes(data[h + 28:h + 30], "little")
        i = start + info.compress_size // 2
        path.write_bytes(data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:])
    elif damage == "garbage":
        path.write_bytes(b"not a cache file at all" * 10)
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "foreign":  # a valid cache file, of another folder
        shutil.copyfile(parse_cache.cache_file(cache, other), path)
    else:
        monkeypatch.setattr(parse_cache, "PARSE_FORMAT", parse_cache.PARSE_FORMAT + 1)
    assert parse_cache.load(path, parse_cache.source_stamp(folder)[0], folder) is None
    assert_same(cold, read_dataset(str(folder), cache))
    # ... and the next load is a hit again, from the rewritten file
    monkeypatch.setattr(dataset_mod, "read_folder", lambda f: pytest.fail("parsed again"))
    assert_same(cold, read_dataset(str(folder), cache))


def test_a_data_error_is_never_cached(tmp_path):
    folder = age_after(write_ml_latest(tmp_path / "data"))
    cache = tmp_path / "cache"
    ratings = folder / "ratings.csv"
    good = ratings.read_text()
    ratings.write_text(good.replace("u1,2,4.0,", "u1,2,four,", 1))
    age(folder)
    with pytest.raises(DataError, match="'four'"):
        read_dataset(str(folder), cache)
    assert not parse_cache.cache_file(cache, folder).exists()
    # cached while good, broken since: the error, not the cached data
    ratings.write_text(good)
    age(folder)
    read_dataset(str(folder), cache)
    assert parse_cache.cache_file(cache, folder).exists()
    ratings.write_text(good.replace("u1,2,4.0,", "u1,2,4.0,x", 1))
    age(folder, OLD_NS + 10**9)
    with pytest.raises(DataError, match="timestamp"):
        read_dataset(str(folder), cache)


def test_fresh_files_unwritable_cache_dir_and_the_switch_only_skip_the_cache(tmp_path, monkeypatch):
    folder = write_ml_latest(tmp_path / "data")  # just written: too fresh to cache
    cache = tmp_path / "cache"
    cold = read_dataset(str(folder), cache)
    assert not (cache / "parsed").exists()
    age(folder)
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert_same(cold, read_dataset(str(folder), blocked / "cache"))  # cannot create the dir: loads all the same
    monkeypatch.setenv(parse_cache.NO_CACHE_ENV, "1")
    read_dataset(str(folder), cache)
    assert not (cache / "parsed").exists()
    monkeypatch.delenv(parse_cache.NO_CACHE_ENV)
    read_dataset(str(folder), cache)
    assert parse_cache.cache_file(cache, folder).exists()


def test_only_the_most_recently_used_files_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 2)
    cache = tmp_path / "cache"
    folders = [age_after(write_ml_1m(tmp_path / f"d{i}")) for i in range(3)]
    stale = cache / "parsed" / ".x.npz.abc.tmp"  # left by a writer that died
    for i, folder in enumerate(folders[:2]):
        read_dataset(str(folder), cache)
        os.utime(parse_cache.cache_file(cache, folder), ns=(OLD_NS + i * 10**9,) * 2)
    read_dataset(str(folders[0]), cache)  # a hit: d0 is now the most recently used
    stale.write_bytes(b"")
    os.utime(stale, ns=(OLD_NS, OLD_NS))
    read_dataset(str(folders[2]), cache)  # a third file: the least recently used (d1) goes
    assert sorted(p.name for p in (cache / "parsed").iterdir()) == sorted(
        parse_cache.cache_file(cache, f).name for f in (folders[0], folders[2]))


# --------------------------------------------------------------------------- the faster cold path

def _fingerprint_reference(inter: pd.DataFrame, items: pd.DataFrame) -> str:
    """The implementation the digest was defined by (lexsort on object arrays); stores record its output."""
    h = hashlib.sha256()
    order = np.lexsort((inter["timestamp"].to_numpy(), inter["item_id"].to_numpy(), inter["user_id"].to_numpy()))
    for col in ("user_id", "item_id"):
        h.update("\n".join(inter[col].to_numpy()[order].tolist()).encode())
    h.update(inter["rating"].to_numpy(np.float32)[order].tobytes())
    h.update(inter["timestamp"].to_numpy(np.int64)[order].tobytes())
    h.update("\n".join(sorted(items["item_id"].tolist())).encode())
    return h.hexdigest()[:16]


# Orders that differ between Python strings and other comparisons: case, digits as text, accents,
# the last BMP character against an astral one (UTF-16 would order these the other way), a full-width letter.
TRICKY_IDS = ["b", "a", "B", "\u00e9", "e", "Z", "z", "10", "9", "09", "\uffff", "\U0001F600", "a b", "\u00df", "\uff41"]


@pytest.mark.parametrize("as_object", [False, True])
def test_fingerprint_equals_the_reference_with_non_ascii_ids_and_ties(as_object):
    rng = np.random.default_rng(3)
    n = 400
    inter = pd.DataFrame({
        "user_id": rng.choice(TRICKY_IDS, n), "item_id": rng.choice(TRICKY_IDS, n),
        "rating": rng.integers(1, 11, n).astype(np.float32) / 2,
        "timestamp": rng.integers(0, 4, n).astype(np.int64),  # few timestamps: many rows tie on all three keys
    })
    if as_object:
        inter = inter.astype({"user_id": object, "item_id": object})
    items = pd.DataFrame({"item_id": TRICKY_IDS})
    assert inter.duplicated(["user_id", "item_id", "timestamp"]).sum() > 50
    assert _fingerprint(inter, items) == _fingerprint_reference(inter, items)
    shuffled = inter.sample(frac=1.0, random_state=1).reset_index(drop=True)  # ties now in another order
    assert _fingerprint(shuffled, items) == _fingerprint_reference(shuffled, items)


def test_fingerprint_equals_the_reference_on_ml100k(ml100k):
    assert ml100k.fingerprint == _fingerprint_reference(ml100k.interactions, ml100k.items)


def test_vocab_rows_equal_a_lookup_per_row():
    vocab = Vocabulary(["a", "\u00e9", "1", "10"], kind="item")
    ids = pd.Series(["\u00e9", "zz", "a", "1", "zz", "10", "01"], dtype="str")
    expected = ids.map(lambda s: vocab.get(s)).to_numpy(np.int64)
    got = _vocab_rows(ids, vocab)
    assert got.dtype == np.int64 and got.tolist() == expected.tolist() == [1, -1, 0, 2, -1, 3, -1]
    assert _vocab_rows(pd.Series([], dtype="str"), vocab).tolist() == []


def test_build_dataset_still_names_an_unknown_item():
    inter = pd.DataFrame({"user_id": ["u", "u", "v"], "item_id": ["a", "nosuch", "a"],
                          "rating": np.ones(3, np.float32), "timestamp": np.arange(3, dtype=np.int64)})
    items = pd.DataFrame({"item_id": ["a"], "title": ["A"], "year": [np.nan], "genres": [()]})
    with pytest.raises(DataError, match=r"^t: row 2 rates item 'nosuch', which is not in the item file$"):
        build_dataset("t", "t", "synthetic", inter, items, pd.DataFrame({"user_id": ["u"]}))


@pytest.mark.parametrize("values", [
    ["4.5", " 3 ", "nan", "inf", "-inf", "x", "", "1e3", "0.5", "-1", "5", "1_0", "0x10"] * 200,  # few distinct
    [str(v) for v in np.random.default_rng(0).integers(0, 10**15, 3000)] + ["000123", "999999999999999", "0"],
    [str(v) for v in range(3000)] + ["9007199254740993"],  # 16 digits: not the integer path
    [f"{v}.25" for v in range(3000)] + ["12 ", "abc"],  # many distinct, not digits
    ["1", "2"] * 10,  # short: plain to_numeric
])
def test_to_numbers_equals_to_numeric(values):
    s = pd.Series(values, dtype="str").str.strip()
    expected = np.asarray(pd.to_numeric(s, errors="coerce"), dtype=np.float64)
    np.testing.assert_array_equal(movielens._to_numbers(s), expected)


def _table_both_ways(path: Path, sep: str, names: list[str], header: bool):
    out, default = [], movielens.FAST_SPLIT
    for fast in (True, False):
        movielens.FAST_SPLIT = fast
        try:
            out.append(("ok", movielens._table(path, sep, names, header=header)))
        except DataError as e:
            out.append(("error", str(e)))
        finally:
            movielens.FAST_SPLIT = default
    return out


def _assert_same_outcome(fast, slow):
    assert fast[0] == slow[0], (fast, slow)
    if fast[0] == "error":
        assert fast[1] == slow[1]
    else:
        pd.testing.assert_frame_equal(fast[1], slow[1], check_exact=True)
        assert fast[1].attrs == slow[1].attrs


# Separators, quotes, every kind of line end, and whitespace that is (\x0b, \x1c, \x85, \u2028) or is
# not (\x00 is refused anyway) a blank-line character without being a line break.
CHARS = list("ab1 5.,\t|:\"\n\r") + ["\r\n", "\x0b", "\x1c", "\x85", "\u2028", "\u00e9"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.sampled_from(CHARS), max_size=60).map("".join),
       sep=st.sampled_from([",", "\t", "|", "::"]), header=st.booleans(), head_line=st.booleans())
def test_fast_split_gives_the_rows_and_errors_of_the_reader(tmp_path_factory, body, sep, header, head_line):
    path = tmp_path_factory.getbasetemp() / "split.txt"
    names = ["a", "b"]
    text = (sep.join(names) + "\n" if head_line else "") + body
    path.write_bytes(text.encode("utf-8"))
    _assert_same_outcome(*_table_both_ways(path, sep, names, header))


@pytest.mark.parametrize("text, fast", [
    ("a,b\n1,2\n\n  \n3,4\r\n5,6 \n \n", True),   # blank lines inside and at the end, CRLF, a trailing space kept
    ("  \na,b\n1,2\n", True),                     # a blank first line
    ('a,b\n"1",2\n', False),                      # a quote: the csv reader decides
    ("a,b\n1,2,3\n", False),                      # a row of another width: the reader names it
    ("a,b\n" + "x" * 200_000 + ",1\n", False),    # past the csv field size limit: the reader refuses it
])
def test_fast_split_applies_where_it_should(tmp_path, text, fast):
    path = tmp_path / "t.csv"
    path.write_text(text)
    assert (movielens._split_simple(movielens._read_text(path), ",", None) is not None) == fast
    _assert_same_outcome(*_table_both_ways(path, ",", ["a", "b"], True))


def test_fast_split_on_ml100k_files(ml100k_copy):
    folder = ml100k_copy / "ml-100k"
    for p in folder.iterdir():
        assert movielens._split_simple(movielens._read_text(p), "\t", None) is not None, p.name
    inter = folder / "ml-100k.inter"
    fast, slow = _table_both_ways(inter, "\t", ["user_id", "item_id", "rating", "timestamp"], True)
    _assert_same_outcome(fast, slow)


@pytest.mark.parametrize("header", [False, True])
def test_a_file_holding_only_a_quote_is_a_data_error(tmp_path, header):
    path = tmp_path / "ratings.csv"
    path.write_text('"')  # not blank, yet the csv reader finds no row in it (with a header this was an IndexError)
    with pytest.raises(DataError, match=r"ratings.csv: no data rows$"):
        movielens._table(path, ",", ["a", "b"], header=header)
