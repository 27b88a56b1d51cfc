"""Views show the score they name; one tie rule everywhere; the CLI answers every bad input in one line."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from recall_core.cli import main
from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.data.planted import planted_dataset, write_movielens
from recall_core.errors import UsageError
from recall_core.evaluation import ranks_from_scores, top_k
from recall_core.index import VectorIndex
from recall_core.models import REGISTRY, model_names
from recall_core.store import load_model
from tests.oracles import ORACLES, oracle_top


def _brute_top(s, seen_rows, k):
    s = np.array(s, np.float64)
    s[list(seen_rows)] = -np.inf
    rows = np.arange(len(s))
    return rows[np.lexsort((rows, -s))][:k]


@pytest.mark.parametrize("seed", range(5))
def test_top_k_breaks_ties_by_row(seed):
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 4, size=(30, 50)).astype(np.float32)  # many ties
    seen = sp.random(30, 50, density=0.2, format="csr", random_state=seed)
    for k in (1, 5, 17, 50):
        got = top_k(scores, seen, k)
        for i in range(30):
            assert got[i].tolist() == _brute_top(scores[i], seen[i].indices, k).tolist()


def test_rank_and_top_k_agree_on_ties():
    """The rank of an item is its 1-based position in the full top list, ties included."""
    rng = np.random.default_rng(1)
    scores = rng.integers(0, 3, size=(20, 40)).astype(np.float32)
    seen = sp.random(20, 40, density=0.1, format="csr", random_state=2)
    full = top_k(scores, seen, 40)
    for target in range(40):
        ranks = ranks_from_scores(scores, seen, np.full(20, target))
        for i in range(20):
            if target in seen[i].indices:
                continue
            assert ranks[i] == full[i].tolist().index(target) + 1


def test_index_uses_the_same_tie_rule_and_checks_widths():
    vecs = np.array([[1.0], [2.0], [2.0], [1.0], [2.0]], np.float32)
    idx = VectorIndex(vecs, ["a", "b", "c", "d", "e"], "ip", valid=np.array([True, True, True, True, False]))
    ids, sc = idx.search(np.array([[1.0]]), 4, [["b"]])
    assert ids[0].tolist() == ["c", "a", "d", ""]  # e invalid, b excluded; ties by row; padded
    assert sc[0][:3].tolist() == [2.0, 1.0, 1.0]
    with pytest.raises(UsageError, match="width 3.*width 1"):
        idx.search(np.ones((1, 3)), 2)


def test_every_cooccur_view_names_its_formula():
    """A model offering "co-occurs with" says which vectors and that it is not "next"."""
    model_names()
    for name, cls in REGISTRY.items():
        notes = cls.describe_views()
        assert "similar" in notes, name
        if "cooccur" in notes:
            text = notes["cooccur"]
            assert "·" in text and "(ip)" in text and "not 'comes next'" in text, (name, text)
        for view, text in notes.items():
            assert "{" not in text, (name, view, text)  # every placeholder filled from the config


# --------------------------------------------------------------------------- one tiny store, CLI and explorer


@pytest.fixture(scope="module")
def tiny(tiny_built, tmp_path_factory):
    from tests.app_fixture import copy_store

    from recall_core.models.base import RecallOutput
    from recall_core.store import save_model

    root = tmp_path_factory.mktemp("views")
    folder, store = copy_store(tiny_built, root)
    # An FM-shaped entry: candidates carry the extra item-terms coordinate (width d + 1), as FM's do.
    ds = load_dataset(str(folder))
    i2v = load_model(store, ds.key, "item2vec").output
    cand = np.hstack([np.ones((len(i2v.item_ids), 1), np.float32), i2v.candidates])
    users = np.hstack([np.ones((len(i2v.user_ids), 1), np.float32), i2v.user_vectors])
    fm = RecallOutput(item_ids=i2v.item_ids, item_vectors=i2v.candidates, metric="cosine", user_ids=i2v.user_ids,
                      user_vectors=users, candidate_vectors=cand, u2i_metric="ip")
    save_model(store, ds, "fm", fm, model_class="fm", config={}, seed=0)
    return str(folder), str(store)


@pytest.mark.parametrize("name,view", [("item2vec", "similar"), ("item2vec", "cooccur"), ("eges", "cooccur"),
                                       ("mostpop", "similar"), ("dssm", "similar")])
def test_cli_neighbours_print_the_oracle_score(tiny, capsys, name, view):
    folder, store = tiny
    ds = load_dataset(folder)
    out = load_model(store, ds.key, name).output
    train = split_for(ds).train
    full = ORACLES[name][view](out, train)
    for q in (0, 13, 30):
        capsys.readouterr()
        assert main(["neighbours", "--dataset", folder, "--store", store, "--model", name,
                     "--item", ds.item_vocab.id(q), "-k", "6", "--view", view, "--json"]) == 0
        res = json.loads(capsys.readouterr().out)
        assert res["view"] == view
        rows, scores = oracle_top(full[q], [q], out.item_known, 6)
        assert [r["item_id"] for r in res["results"]] == ds.item_vocab.ids[rows].tolist()
        np.testing.assert_allclose([r["score"] for r in res["results"]], scores, rtol=1e-4, atol=1e-5)


def test_rank_card_equals_list_position_for_tied_scores(tiny):
    """Most-popular is full of tied scores: the rank card and the shown list must agree."""
    from recall_core.analysis.compare import test_item_rank
    from recall_core.store import load_trained as load
    from recall_core.explore import user_recommendations

    folder, store = tiny
    ds = load_dataset(folder)
    model = load(ds, __import__("pathlib").Path(store), "mostpop")
    split = split_for(ds)
    assert len(np.unique(model.output.item_vectors)) < ds.n_items  # there are ties
    for u in split.test_users[:40]:
        uid = ds.user_vocab.id(u)
        rank = test_item_rank(ds, model, uid)
        table = user_recommendations(ds, model, uid, ds.n_items)
        test_id = ds.item_vocab.id(int(split.test_items[split.test_users == u][0]))
        ids = table["item_id"].tolist()
        assert (ids.index(test_id) + 1 if test_id in ids else ds.n_items + 1) == rank


BAD_ARGS = [
    (["neighbours", "--model", "fm", "--item", "Movie 1", "--view", "next"], "model 'fm': this model has no co-"),
    (["neighbours", "--model", "youtubednn", "--item", "Movie 1"], "not in the store"),
    (["neighbours", "--model", "mostpop", "--item", "Movie 1", "--view", "cooccur"], "no co-occurrence view"),
    (["neighbours", "--model", "item2vec", "--item", "Movie 1", "-k", "0"], "-k must be at least 1"),
    (["neighbours", "--model", "item2vec", "--item", "Movie 1", "-k", "many"], "invalid int value"),
    (["neighbours", "--model", "item2vec", "--item", "Movie 1", "--view", "sideways"], "invalid choice"),
    (["neighbours", "--model", "item2vec"], "one of the arguments --item --user is required"),
    (["neighbours", "--model", "../etc", "--item", "Movie 1"], "invalid model name"),
    (["neighbours", "--model", "item2vec", "--user", "no-such-user"], "unknown user"),
    (["train", "--models", "nosuch"], "unknown model 'nosuch'"),
    (["train", "--models", "dssm", "--dssm-temperatures", "hot"], "not a list of numbers"),
    (["train", "--models", "item2vec", "--dssm-temperatures", "0.1"], "needs dssm"),
    (["train", "--seed", "x"], "invalid int value"),
    (["evaluate", "--models", "eges_typo"], "unknown model 'eges_typo'"),
    (["frobnicate"], "invalid choice"),
    ([], "the following arguments are required"),
]


@pytest.mark.parametrize("argv,message", BAD_ARGS)
def test_bad_arguments_are_one_line_and_status_2(tiny, capsys, argv, message):
    folder, store = tiny
    extra = ["--dataset", folder, "--store", store] if argv and argv[0] in ("neighbours", "train", "evaluate") else []
    assert main(argv + extra) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("dataset", ["/nonexistent/folder", "/etc", "ml-10k"])
def test_bad_folders_are_one_line(tmp_path, capsys, dataset):
    assert main(["data", "--dataset", dataset, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_cli_in_a_real_process_prints_no_traceback(tiny):
    folder, store = tiny
    r = subprocess.run([sys.executable, "-m", "recall_core", "neighbours", "--dataset", folder, "--store", store,
                        "--model", "mostpop", "--item", "Movie 1", "--view", "next"], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stderr.count("\n") == 1, r.stderr


def test_one_model_failing_does_not_stop_the_others(tmp_path, capsys):
    """EGES cannot train when no session has two films: the others still train, then exit 1 with a summary."""
    ds = planted_dataset(n_clusters=2, items_per_cluster=6, users_per_cluster=6, history=6, seed=3)
    inter = ds.interactions.copy()
    inter["timestamp"] = inter.groupby("user_id").cumcount() * 10 * 3600 + 10**9  # 10 h apart: one-film sessions
    ds = __import__("dataclasses").replace(ds, interactions=inter)
    folder = write_movielens(ds, tmp_path / "data", "ml-100k")
    store = tmp_path / "store"
    rc = main(["train", "--dataset", str(folder), "--store", str(store), "--models", "mostpop,eges,item2vec"])
    out, err = capsys.readouterr()
    assert rc == 1
    assert "eges" in err and "Traceback" not in out + err
    assert "2 of 3 model(s) trained" in out
    key = load_dataset(str(folder)).key
    assert sorted(p.name for p in (store / key).iterdir() if not p.name.startswith(".")) == ["item2vec", "mostpop"]


@pytest.mark.parametrize("name,overrides,message", [
    ("item2vec", {"epochs": 0}, "Item2VecConfig.epochs: got 0, expected at least 1"),
    ("item2vec", {"window": "5"}, "Item2VecConfig.window: got '5', expected int"),
    ("item2vec", {"ns_exponent": float("nan")}, "ns_exponent: got nan"),
    ("airbnb", {"market_share": 1.5}, "market_share: got 1.5, expected a share in [0, 1]"),
    ("airbnb", {"global_context": "yes"}, "global_context: got 'yes', expected bool"),
    ("mostpop", {"nosuch": 1}, "unknown config field(s) ['nosuch']"),
])
def test_configs_are_checked_when_built(name, overrides, message):
    from recall_core.errors import ConfigError
    from recall_core.models import get_model_class

    with pytest.raises(ConfigError) as e:
        get_model_class(name)(**overrides)
    assert message in str(e.value)


def test_every_default_config_is_valid_and_round_trips():
    from recall_core.models import get_model_class

    for name in model_names():
        cfg = get_model_class(name).Config()
        assert type(cfg).from_dict(json.loads(json.dumps(cfg.to_dict()))) == cfg


def test_evaluate_valid_and_test_are_apart(tmp_path, capsys):
    """Models trained for validation are stored apart and scored on the second-to-last item."""
    ds = planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8, seed=4)
    folder = str(write_movielens(ds, tmp_path / "data", "ml-100k"))
    store = str(tmp_path / "store")
    for split in ("test", "valid"):
        assert main(["train", "--dataset", folder, "--store", store, "--models", "mostpop,item2vec",
                     "--split", split]) == 0
    out = {}
    for split in ("valid", "test"):
        capsys.readouterr()
        assert main(["evaluate", "--dataset", folder, "--store", store, "--split", split, "--json"]) == 0
        out[split] = json.loads(capsys.readouterr().out)
        assert out[split]["split"] == split
    key = load_dataset(folder).key
    assert (tmp_path / "store" / f"{key}@valid" / "item2vec" / "manifest.json").exists()
    assert json.loads((tmp_path / "store" / f"{key}@valid" / "item2vec" / "manifest.json").read_text())["split"] == "valid"
    assert out["valid"]["models"]["item2vec"] != out["test"]["models"]["item2vec"]
    assert out["valid"]["models"]["transition"] != out["test"]["models"]["transition"]
    # the app reads the test split's models only
    capsys.readouterr()
    assert main(["evaluate", "--dataset", folder, "--store", store, "--split", "valid", "--models", "eges"]) == 2
    assert "with --split valid" in capsys.readouterr().err


def test_every_switch_names_each_of_its_variants():
    """A Literal or bool config field that a model describes has a phrase for every value it can take."""
    import dataclasses
    import typing

    from recall_core.models import get_model_class

    for name in model_names():
        cls = get_model_class(name)
        hints = typing.get_type_hints(cls.Config)
        fields = {f.name for f in dataclasses.fields(cls.Config)}
        for field, phrases in cls.variant_notes.items():
            assert field in fields, (name, field)
            tp = hints[field]
            values = typing.get_args(tp) if typing.get_origin(tp) is typing.Literal else (
                (True, False) if tp is bool else ())
            for v in values:
                assert v in phrases or None in phrases, (name, field, v)
                phrase = cls.describe_variant({field: v})
                assert phrase and all("{" not in p for p in phrase), (name, field, v, phrase)
    # the four tutorial variants the issue names are one switch away
    assert "as in the paper and the tutorial" in " ".join(get_model_class("item2vec").describe_variant(
        {"context": "set"}))
    assert "plain mean" in " ".join(get_model_class("eges").describe_variant({"cold_start": "mean"}))
    assert "sampled softmax, as in the paper" in get_model_class("youtubednn").describe_variant({"softmax": "sampled"})
    assert any("as in the tutorial" in p for p in get_model_class("dssm").describe_variant({"tower": "tutorial"}))


def test_readme_views_table_says_what_the_models_say():
    """README's *Views* table repeats each model's view sentences word for word (one home: the model class)."""
    from pathlib import Path

    from recall_core.models import REGISTRY

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    labels = {"similar": "Similar", "cooccur": "Co-occurs with", "user": "User recall"}
    for name in model_names():
        for view, text in REGISTRY[name].describe_views().items():
            assert f"| {name} | {labels[view]} | {text} |" in readme, (name, view)
