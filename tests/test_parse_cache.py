"""The faster cold path: the same fingerprint, rows, numbers and errors as the code it replaced."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recall_core.data import Vocabulary, default_cache_dir, fetch_ml100k
from recall_core.data import movielens
from recall_core.data.dataset import _fingerprint, _vocab_rows, build_dataset
from recall_core.errors import DataError


@pytest.fixture(scope="module")
def ml100k_folder():
    return fetch_ml100k(default_cache_dir())


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


def test_fast_split_on_ml100k_files(ml100k_folder):
    folder = ml100k_folder
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
