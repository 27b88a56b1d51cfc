"""Bring your own embeddings: Projector TSV and .npy imports, their checks, and export -> import round trips.

Runs on the app tests' tiny store (planted clusters; real mostpop and item2vec). The round trips are the
oracle: a model exported to Projector files and imported under another name must list the same neighbours
(and, for the user view, the same recommendations and the same evaluation) as the model it came from.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from recall_core.cli import main as cli
from recall_core.errors import DataError, UsageError
from recall_core.io import projector
from tests.app_fixture import copy_store


@pytest.fixture(scope="module")
def tiny_base(tiny_built, tmp_path_factory):
    return copy_store(tiny_built, tmp_path_factory.mktemp("projector"))


@pytest.fixture()
def tiny(tiny_base, tmp_path):
    """``(dataset, dataset folder, a store of its own)``: imports write to the store."""
    from recall_core.data import load_dataset

    folder, store = tiny_base
    shutil.copytree(store, tmp_path / "store")
    return load_dataset(str(folder)), folder, tmp_path / "store"


def _load(ds, store, name):
    from recall_core.store import load_trained as load

    return load(ds, store, name)


def test_export_then_import_under_another_name_lists_the_same_neighbours(tiny, tmp_path, capsys):
    """The issue's acceptance: through the CLI, Projector TSV out of item2vec and back in as i2v-copy."""
    from recall_core.explore import item_neighbours

    ds, folder, store = tiny
    common = ["--dataset", str(folder), "--store", str(store)]
    assert cli(["export", *common, "--model", "item2vec", "--out", str(tmp_path / "exp")]) == 0
    vectors, meta = tmp_path / "exp" / "vectors.tsv", tmp_path / "exp" / "metadata.tsv"
    assert meta.read_text().splitlines()[0] == "item_id\ttitle\tyear\tgenres"
    orig = _load(ds, store, "item2vec")
    assert "--metric cosine" in capsys.readouterr().out  # the re-import line names the view's metric
    assert cli(["import", *common, "--name", "i2v-copy", "--vectors", str(vectors), "--ids", str(meta)]) == 0
    copy = _load(ds, store, "i2v-copy")
    assert copy.manifest["model_class"] == "imported" and copy.output.views == ("similar",)
    known = orig.output.item_known if orig.output.item_known is not None else np.ones(ds.n_items, bool)
    assert np.array_equal(copy.output.item_known, known)
    for item in ds.item_vocab.ids[known]:
        a, b = item_neighbours(ds, orig, item, 10), item_neighbours(ds, copy, item, 10)
        assert a["item_id"].tolist() == b["item_id"].tolist(), item
        np.testing.assert_allclose(a["score"], b["score"], atol=1e-6)
    assert copy.manifest["i2i_metrics"]["hr@10"] == pytest.approx(orig.manifest["i2i_metrics"]["hr@10"])


def test_user_view_round_trip_gives_the_same_recommendations_and_metrics(tiny, tmp_path):
    """item2vec's user view (user vectors . output vectors, ip) exported and imported with its users."""
    from recall_core.explore import user_recommendations

    ds, _, store = tiny
    orig = _load(ds, store, "item2vec")
    paths = projector.export_projector(ds, orig, tmp_path / "u", view="user")
    assert [p.name for p in paths] == ["vectors.tsv", "metadata.tsv", "user_vectors.tsv", "user_metadata.tsv"]
    items = projector.read_vectors(paths[0], paths[1], "item")
    users = projector.read_vectors(paths[2], paths[3], "user")
    assert users.id_column == "user_id"
    rep = projector.import_model(ds, store, "i2v-users", items, users, metric=orig.output.u2i_metric)
    copy = _load(ds, store, "i2v-users")
    assert copy.output.views == ("similar", "user")
    for user in ds.user_vocab.ids[:15]:
        a, b = user_recommendations(ds, orig, user, 10), user_recommendations(ds, copy, user, 10)
        assert a["item_id"].tolist() == b["item_id"].tolist(), user
    for key in ("hr@10", "ndcg@10", "mrr", "coverage@10"):
        assert rep.metrics[key] == pytest.approx(orig.manifest["metrics"][key]), key
    assert copy.manifest["metrics"]["users"] == orig.manifest["metrics"]["users"]


def test_npy_with_an_ids_file_in_another_order_with_unknown_ids(tiny, tmp_path):
    """Rows in any order are matched by id; an id the dataset lacks is reported and left out."""
    from recall_core.analysis import compare, maps
    from recall_core.explore import item_neighbours

    ds, _, store = tiny
    orig = _load(ds, store, "item2vec")
    order = np.random.default_rng(0).permutation(ds.n_items)[:30]
    vecs = np.vstack([orig.output.item_vectors[order], np.ones((1, orig.output.item_vectors.shape[1]))])
    ids = [*ds.item_vocab.ids[order].tolist(), "no-such-item"]
    np.save(tmp_path / "v.npy", vecs)
    (tmp_path / "ids.txt").write_text("\n".join(ids) + "\n")
    rep = projector.import_model(ds, store, "partial", projector.read_vectors(tmp_path / "v.npy", tmp_path / "ids.txt"))
    assert (rep.items["matched"], rep.items["unmatched"], rep.items["unmatched_examples"]) == (30, 1, ["no-such-item"])
    assert rep.items["without_vector"] == ds.n_items - 30
    assert any("'no-such-item'" in line and "left out" in line for line in rep.lines())
    m = _load(ds, store, "partial")
    assert m.output.item_known.sum() == 30
    nb = item_neighbours(ds, m, ds.item_vocab.ids[order[0]], 50)
    assert set(nb["item_id"]) <= set(ds.item_vocab.ids[order])  # items without a vector are never listed
    notes = compare.view_notes(m)
    assert set(notes) == {"similar"} and "v.npy" in notes["similar"] and notes["similar"].startswith("Cosine")
    assert maps.mappable(m, "items") is None


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    (p.write_bytes if isinstance(text, bytes) else p.write_text)(text)
    return p


@pytest.mark.parametrize("vectors,ids,message", [
    ("1\t2\t3\n4\t5\n", "i0\ni1\n", r"vectors.tsv line 2: 2 values, but line 1 has 3"),
    ("1\t2\n3\tx\n", "i0\ni1\n", r"vectors.tsv line 2, value 2: 'x' is not a number"),
    ("1\t2\n3\tnan\n", "i0\ni1\n", r"vectors.tsv line 2, value 2: 'nan' is NaN or infinite"),
    ("1\t2\n3\t1e39\n", "i0\ni1\n", r"NaN or infinite \(or too large for float32\)"),
    ("1\t2\n3\t4\n", "i0\ni0\n", r"metadata.tsv line 2: duplicate id 'i0' \(also on line 1\)"),
    ("1\t2\n3\t4\n", "i0\ni1\ni2\ni3\n", r"metadata.tsv: 4 ids for 2 vectors"),
    ("1\t2\n3\t4\n", "i0\n\n", r"metadata.tsv: 1 ids for 2 vectors"),
    ("1\t2\n\n3\t4\n", "i0\ni1\ni2\n", r"vectors.tsv line 2: empty line"),
    ("", "i0\n", r"vectors.tsv: empty file"),
    ("1\t2\n", "", r"metadata.tsv: empty file"),
    ("1\t2\n3\t4\n", "title\tgenres\nA\tB\nC\tD\n", r"header \(title, genres\) with no id column"),
    ("1\t2\n3\t4\n", "x0\nx1\n", r"none of its 2 ids is an item id of .*nothing to import"),
    ("1\t2\n3\t4\n", b"i0\n\xff\xfe\n", r"metadata.tsv: not UTF-8"),
])
def test_bad_files_are_clear_errors(tiny, tmp_path, vectors, ids, message):
    ds, _, store = tiny
    with pytest.raises(DataError, match=message):
        v = projector.read_vectors(_write(tmp_path, "vectors.tsv", vectors), _write(tmp_path, "metadata.tsv", ids))
        projector.import_model(ds, store, "bad", v)
    assert not (store / ds.key / "bad").exists()


def test_bad_npy_files(tmp_path):
    np.save(tmp_path / "flat.npy", np.zeros(4))
    np.save(tmp_path / "ok.npy", np.ones((2, 3)))
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    np.save(tmp_path / "nan.npy", np.array([[1.0, np.nan], [0.0, 1.0]]))
    with pytest.raises(DataError, match=r"flat.npy: expected a 2-D array"):
        projector.read_vector_file(tmp_path / "flat.npy")
    with pytest.raises(DataError, match=r"nan.npy: row 0 holds nan in column 1"):
        projector.read_vector_file(tmp_path / "nan.npy")
    with pytest.raises(DataError, match=r"objects.npy: holds Python objects"):
        projector.read_id_file(tmp_path / "objects.npy", 2)
    with pytest.raises(DataError, match=r"missing.npy: no such file"):
        projector.read_vector_file(tmp_path / "missing.npy")
    np.save(tmp_path / "ids.npy", np.array([7, 8]))
    assert projector.read_id_file(tmp_path / "ids.npy", 2)[1] == ["7", "8"]


def test_id_file_layouts():
    """One column without a header (the Projector's own), one column with one, several columns with a header."""
    assert projector.read_id_file(("m.tsv", b"a\nb\n"), 2) == ("m.tsv", ["a", "b"], None)
    assert projector.read_id_file(("m.tsv", b"movieId\na\nb"), 2) == ("m.tsv", ["a", "b"], "movieId")
    with pytest.raises(DataError, match=r"m.tsv: 3 ids for 2 vectors"):  # an extra id is not taken for a header
        projector.read_id_file(("m.tsv", b"50\na\nb"), 2)
    assert projector.read_id_file(("m.tsv", b"\xef\xbb\xbftitle\tItem_ID\r\nX\ta\r\nY\tb\r\n"), 2)[1:] == (["a", "b"], "Item_ID")
    with pytest.raises(DataError, match=r"m.tsv line 3: 1 column\(s\), the id column 'item_id' is column 2"):
        projector.read_id_file(("m.tsv", b"title\titem_id\nX\ta\nY\n"), 2)


def test_user_vectors_must_have_the_item_width(tiny):
    ds, _, store = tiny
    items = projector.Vectors(ds.item_vocab.ids[:3].tolist(), np.ones((3, 4), np.float32), "v.tsv", "m.tsv")
    users = projector.Vectors(ds.user_vocab.ids[:2].tolist(), np.ones((2, 5), np.float32), "u.tsv", "um.tsv")
    with pytest.raises(DataError, match=r"u.tsv: user vectors have 5 values, the item vectors in v.tsv 4"):
        projector.import_model(ds, store, "w", items, users)


def test_names_and_replacing(tiny):
    ds, _, store = tiny
    v = projector.Vectors(ds.item_vocab.ids[:3].tolist(), np.eye(3, dtype=np.float32), "v.tsv", "m.tsv")
    for bad in ("item2vec", "transition", "a b", "x@t0.1", ""):
        with pytest.raises(UsageError):
            projector.import_model(ds, store, bad, v)
    assert projector.import_model(ds, store, "mine", v).replaced is False
    assert projector.import_model(ds, store, "mine", v, metric="ip").replaced is True
    assert _load(ds, store, "mine").output.metric == "ip"
    with pytest.raises(UsageError, match="metric"):
        projector.import_model(ds, store, "mine", v, metric="l2")


def test_users_missing_from_the_file_get_no_list(tiny, tmp_path):
    from recall_core.analysis import compare

    ds, _, store = tiny
    orig = _load(ds, store, "item2vec").output
    half = ds.user_vocab.ids[: ds.n_users // 2].tolist()
    items = projector.Vectors(ds.item_vocab.ids.tolist(), orig.candidates, "v.tsv", "m.tsv")
    users = projector.Vectors(half, orig.user_vectors[: len(half)], "u.npy", "uids.txt")
    rep = projector.import_model(ds, store, "half", items, users, metric="ip")
    assert rep.users["without_vector"] == ds.n_users - len(half)
    assert 0 < rep.metrics["users"] <= len(half)  # evaluated on the test users the file has
    m = _load(ds, store, "half")
    tables, errors = compare.user_tables(ds, {"half": m}, ds.user_vocab.ids[-1], 5)
    assert not tables and errors["half"].startswith("no user vectors for user")
    assert compare.test_item_rank(ds, m, ds.user_vocab.ids[-1]) is None
    assert len(compare.user_tables(ds, {"half": m}, half[0], 5)[0]["half"]) == 5
    assert "u.npy" in compare.view_notes(m)["user"]


def test_cli_errors_are_one_line(tiny, tmp_path, capsys):
    ds, folder, store = tiny
    common = ["--dataset", str(folder), "--store", str(store)]
    bad = _write(tmp_path, "vectors.tsv", "1\t2\n3\n")
    ids = _write(tmp_path, "metadata.tsv", "i0\ni1\n")
    assert cli(["import", *common, "--name", "x", "--vectors", str(bad), "--ids", str(ids)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: vectors.tsv line 2: 1 values") and err.count("\n") == 1
    assert cli(["import", *common, "--name", "x", "--vectors", str(bad), "--ids", str(ids), "--users", str(bad)]) == 2
    assert "--users and --user-ids go together" in capsys.readouterr().err
    assert cli(["export", *common, "--model", "mostpop", "--out", str(tmp_path / "o"), "--view", "user"]) == 0
    assert cli(["export", *common, "--model", "nosuch", "--out", str(tmp_path / "o")]) == 2


def test_imported_models_have_a_stable_fallback_colour():
    from recall_core.app.style import _FALLBACK, model_color
    from recall_core.models import REGISTRY, model_names

    model_names()
    assert model_color("my-vectors") == model_color("my-vectors") in _FALLBACK
    assert not {c.color.lower() for c in REGISTRY.values()} & {c.lower() for c in _FALLBACK}
