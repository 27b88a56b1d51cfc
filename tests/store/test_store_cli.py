"""Store (atomic, damaged, mismatched) and the CLI (exit codes, JSON shape, messages)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from recall_core import store as store_mod
from recall_core.cli import main
from recall_core.data.planted import write_movielens
from recall_core.errors import NotTrainedError, StoreError
from recall_core.models import get_model_class
from recall_core.store import list_models, load_model, save_model


@pytest.fixture(scope="module")
def fitted(planted):
    ds, split = planted
    return get_model_class("mostpop")().fit(split.train).export()


def test_manifest_records_provenance(planted, fitted, tmp_path):
    ds, _ = planted
    path = save_model(tmp_path, ds, "mostpop", fitted, model_class="mostpop", config={"seed": 7}, seed=7,
                      metrics={"hr@10": 0.5}, train_seconds=1.5)
    man = json.loads((path / "manifest.json").read_text())
    assert man["dataset"]["fingerprint"] == ds.fingerprint and man["seed"] == 7
    assert man["config"] == {"seed": 7} and man["metrics"] == {"hr@10": 0.5}
    assert {"numpy", "python"} <= set(man["versions"]) and man["created"]
    assert man["files"] == ["arrays.npz"]
    with np.load(path / "arrays.npz", allow_pickle=False) as z:  # nothing needs pickle
        assert set(z.files) >= {"item_ids", "item_vectors", "user_vectors"}
    assert list_models(tmp_path, ds.key) == ["mostpop"]


def test_failed_write_keeps_the_previous_model(planted, fitted, tmp_path, monkeypatch):
    ds, _ = planted
    save_model(tmp_path, ds, "mostpop", fitted, model_class="mostpop", config={}, seed=1, metrics={"hr@10": 0.1})

    def boom(folder):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        save_model(tmp_path, ds, "mostpop", fitted, model_class="mostpop", config={}, seed=2, write_files=boom)
    back = load_model(tmp_path, ds.key, "mostpop")
    assert back.manifest["seed"] == 1 and back.metrics == {"hr@10": 0.1}
    assert [p.name for p in (tmp_path / ds.key).iterdir()] == ["mostpop"]  # no temp folder left behind


def test_damaged_and_mismatched_models(planted, fitted, tmp_path):
    ds, _ = planted
    path = save_model(tmp_path, ds, "mostpop", fitted, model_class="mostpop", config={}, seed=1)
    with pytest.raises(StoreError, match="trained on other data"):
        load_model(tmp_path, ds.key, "mostpop", fingerprint="0000")
    (path / "arrays.npz").write_bytes(b"garbage")
    with pytest.raises(StoreError, match="damaged arrays"):
        load_model(tmp_path, ds.key, "mostpop")
    (path / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match="unreadable manifest"):
        load_model(tmp_path, ds.key, "mostpop")
    with pytest.raises(NotTrainedError, match="not in the store"):
        load_model(tmp_path, ds.key, "item2vec")
    with pytest.raises(StoreError, match="invalid model name"):
        store_mod.model_dir(tmp_path, ds.key, "../evil")


# ------------------------------------------------------------------ CLI

@pytest.fixture(scope="module")
def cli_env(planted, tmp_path_factory):
    ds, _ = planted
    root = tmp_path_factory.mktemp("cli")
    folder = write_movielens(ds, root / "data", "ml-100k")
    store = root / "store"
    assert main(["train", "--dataset", str(folder), "--store", str(store), "--models", "mostpop,item2vec"]) == 0
    return str(folder), str(store)


def test_cli_evaluate_json(cli_env, capsys):
    folder, store = cli_env
    capsys.readouterr()
    assert main(["evaluate", "--dataset", folder, "--store", store, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dataset"] == folder and "leave-last-out" in out["protocol"]
    assert set(out["models"]) == {"mostpop", "transition", "ease", "item2vec"}
    i2v = out["models"]["item2vec"]
    for k in (5, 10, 20, 50):
        for m in ("hr", "ndcg", "precision", "recall", "coverage"):
            assert f"{m}@{k}" in i2v
    assert "mrr" in i2v and i2v["train_seconds"] > 0 and "hr@10" in i2v["i2i"]
    # Planted clusters: item2vec must beat popularity by far.
    assert i2v["hr@10"] > out["models"]["mostpop"]["hr@10"] + 0.3


def test_cli_neighbours(cli_env, capsys):
    folder, store = cli_env
    capsys.readouterr()
    assert main(["neighbours", "--dataset", folder, "--store", store, "--model", "item2vec", "--item", "Movie 0",
                 "-k", "5", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)["results"]
    assert len(res) == 5 and all(r["item_id"] != "i0" for r in res)
    assert main(["neighbours", "--dataset", folder, "--store", store, "--model", "item2vec", "--user", "u1"]) == 0
    text = capsys.readouterr().out
    assert text.count("\n") == 11  # a header and 10 titles


@pytest.mark.parametrize("argv,message", [
    (["neighbours", "--model", "nosuch", "--item", "Movie 1"], "model 'nosuch' is not in the store"),
    (["neighbours", "--model", "item2vec", "--item", "Casablanca"], "no item with id or title 'Casablanca'"),
    (["neighbours", "--model", "item2vec", "--user", "zz"], "unknown user 'zz'"),
    (["neighbours", "--model", "mostpop", "--item", "Movie 1", "--view", "next"], "no co-occurrence view"),
    (["train", "--models", "nosuch"], "unknown model 'nosuch'; known: mostpop, item2vec"),
    (["evaluate", "--models", "eges_typo"], "unknown model 'eges_typo'"),
])
def test_cli_errors_are_messages(cli_env, capsys, argv, message):
    folder, store = cli_env
    assert main(argv + ["--dataset", folder, "--store", store]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_bad_dataset_path(tmp_path, capsys):
    assert main(["data", "--dataset", str(tmp_path / "nope")]) == 2
    assert "no such folder" in capsys.readouterr().err


def test_transition_reference_is_computed_once_per_data_and_settings(tmp_path, monkeypatch):
    """The leaderboard's transition row is kept in the store and recomputed when the data or settings change."""
    from recall_core.data.planted import planted_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import baselines
    from recall_core.evaluation.references import transition_metrics

    ds = planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8, noise=0.1, seed=0)
    split = split_for(ds)
    (tmp_path / ds.key).mkdir(parents=True)
    calls = []
    real = baselines.evaluate_transition
    monkeypatch.setattr(baselines, "evaluate_transition", lambda sp: calls.append(1) or real(sp))
    first = transition_metrics(ds, tmp_path, split)
    assert first == real(split) and len(calls) == 1
    assert transition_metrics(ds, tmp_path, split) == first and len(calls) == 1  # read back, not recomputed
    monkeypatch.setitem(baselines.TRANSITION_DEFAULTS, "window", 3)  # other settings: computed again
    transition_metrics(ds, tmp_path, split)
    assert len(calls) == 2
    (tmp_path / ds.key / ".transition.json").write_text("{not json")  # a damaged file is recomputed
    transition_metrics(ds, tmp_path, split)
    assert len(calls) == 3


def test_training_keeps_the_transition_reference_for_the_first_overview(tmp_path, monkeypatch):
    """`train` leaves the transition row in the store, so a new app process's first Overview only reads it."""
    from recall_core.data.planted import planted_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import baselines
    from recall_core.evaluation.references import transition_metrics
    from recall_core.training import train_models

    ds = planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8, noise=0.1, seed=0)
    expected = baselines.evaluate_transition(split_for(ds))
    train_models(ds, ["mostpop"], tmp_path)
    assert (tmp_path / ds.key / ".transition.json").is_file()
    monkeypatch.setattr(baselines, "evaluate_transition", lambda sp: pytest.fail("recomputed, not read"))
    assert transition_metrics(ds, tmp_path, split_for(ds)) == expected


def test_unstored_most_popular_row_is_scored_once_per_data(tmp_path, monkeypatch):
    """Most-popular is always on the leaderboard; when it is not a stored model its metrics are kept in the store
    (a new app process reads them), and they equal scoring it on the spot."""
    from recall_core.data.planted import planted_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import evaluate
    from recall_core.analysis.leaderboard import leaderboard_rows as leaderboard
    from recall_core.models.mostpop import MostPop

    ds = planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8, noise=0.1, seed=0)
    split = split_for(ds)
    (tmp_path / ds.key).mkdir(parents=True)
    fits = []
    real_fit = MostPop.fit
    monkeypatch.setattr(MostPop, "fit", lambda self, train, *a, **k: fits.append(1) or real_fit(self, train, *a, **k))
    rows, _ = leaderboard(ds, tmp_path)
    again, _ = leaderboard(ds, tmp_path)
    expected = evaluate(real_fit(MostPop(), split.train).export(), split)
    assert len(fits) == 1 and (tmp_path / ds.key / ".mostpop.json").is_file()
    for r in (rows, again):
        assert next(x for x in r if x["model"] == "mostpop")["metrics"] == expected


def test_the_store_keeps_reference_files_whole_and_only_under_their_key(tmp_path, monkeypatch):
    """keep_reference/kept_reference: read back only under the same key; never creates a dataset folder; the
    arrays are read only when their checksum matches; a failed replace leaves the kept file as it was."""
    import numpy as np

    from recall_core import fs
    from recall_core.store import keep_reference, kept_reference, kept_reference_arrays, reference_file

    key = {"fingerprint": "abc", "settings": {"k": 1}}
    assert keep_reference(tmp_path, "ds", "ref", key, "result", {"x": 1}) is False  # no dataset folder: not made
    assert not (tmp_path / "ds").exists()
    (tmp_path / "ds").mkdir()
    arrays = {"top_rows": np.arange(6, dtype=np.int64).reshape(2, 3)}
    value = {"x": 1}
    assert keep_reference(tmp_path, "ds", "ref", key, "result", value, arrays=arrays)
    assert reference_file(tmp_path, "ds", "ref") == tmp_path / "ds" / ".ref.json"
    kept = kept_reference(tmp_path, "ds", "ref", key, "result")
    assert kept == value and len(kept["npz_sha256"]) == 64
    assert kept_reference(tmp_path, "ds", "ref", {**key, "fingerprint": "other"}, "result") is None
    got = kept_reference_arrays(tmp_path, "ds", "ref", kept["npz_sha256"])
    assert got.keys() == arrays.keys() and np.array_equal(got["top_rows"], arrays["top_rows"])
    assert kept_reference_arrays(tmp_path, "ds", "ref", "0" * 64) is None  # other bytes: not trusted
    before = reference_file(tmp_path, "ds", "ref").read_bytes()
    monkeypatch.setattr(fs.os, "replace", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    assert keep_reference(tmp_path, "ds", "ref", key, "result", {"x": 2}) is False
    assert reference_file(tmp_path, "ds", "ref").read_bytes() == before
    assert sorted(p.name for p in (tmp_path / "ds").iterdir()) == [".ref.json", ".ref.npz"]  # no temporary left
