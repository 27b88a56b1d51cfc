"""Training in lanes (``train --lanes 2``) stores the same vectors as training one model at a time.

Planted data (tests' planted generator written as an ML-100K folder, so a lane process can read it by path);
a gensim model and a numpy one (item2vec, airbnb: background lanes at idle priority) and two Keras models
(eges, youtubednn: the TensorFlow lane), tiny settings. Once with ``lanes=1`` (this process, one after the
other) into one store, once with ``lanes=2`` (three lane processes at the same time) into another; every
stored array must be equal bit for bit. The check is sensitive: another seed gives other vectors (checked
too), and the lane run really ran in three other processes, the background ones at idle priority.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from recall_core.training import TrainJob

pytestmark = pytest.mark.slow  # two lane processes importing TensorFlow

TINY = {
    "item2vec": {"epochs": 3, "embedding_dim": 8},
    "airbnb": {"epochs": 2, "embedding_dim": 8, "batch_size": 64},
    "eges": {"embedding_dim": 8, "epochs": 2, "walks_per_node": 4, "walk_length": 8, "window": 2, "negative": 3,
             "batch_size": 256, "learning_rate": 0.05},
    "youtubednn": {"epochs": 2, "embedding_dim": 8, "batch_size": 64, "history_len": 4, "hidden": (16,)},
}


def jobs():
    return [TrainJob(m, overrides=cfg) for m, cfg in TINY.items()]


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    from recall_core.data.planted import planted_dataset, write_movielens
    from recall_core.training import train_models

    root = tmp_path_factory.mktemp("lanes")
    folder = write_movielens(planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8),
                             root / "ml-tiny", "ml-100k")
    heard = []
    one = train_models(str(folder), jobs(), root / "one", seed=7, lanes=1, maps=False)
    two = train_models(str(folder), jobs(), root / "two", seed=7, lanes=2, maps=True,
                       progress=lambda f, m: heard.append((f, m)))
    other = train_models(str(folder), [jobs()[0]], root / "other", seed=8, lanes=1, maps=False)
    return folder, root, one, two, other, heard


def arrays(store: Path, folder: Path, name: str) -> dict[str, np.ndarray]:
    from recall_core.data import load_dataset
    from recall_core.store import live_dir

    with np.load(live_dir(store, load_dataset(str(folder)).key, name) / "arrays.npz", allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("model", list(TINY))
def test_lanes_store_bit_identical_vectors(stores, model):
    folder, root, one, two, _, _ = stores
    a, b = arrays(root / "one", folder, model), arrays(root / "two", folder, model)
    assert set(a) == set(b) and "item_vectors" in a
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=f"{model}: {k} differs between lanes=1 and lanes=2")


def test_the_comparison_can_fail(stores):
    folder, root, *_ = stores
    a, c = arrays(root / "one", folder, "item2vec"), arrays(root / "other", folder, "item2vec")
    assert not np.array_equal(a["item_vectors"], c["item_vectors"])  # seed 8 vs 7: the check sees a difference


def test_lanes_ran_in_three_other_processes_in_job_order(stores):
    _, _, one, two, _, heard = stores
    assert [r["model"] for r in two] == [r["model"] for r in one] == list(TINY)
    pids = {r["model"]: r["lane"]["pid"] for r in two}
    assert os.getpid() not in pids.values()
    # the TensorFlow lane, and one background lane per one-core model
    assert pids["eges"] == pids["youtubednn"] and len({pids["eges"], pids["item2vec"], pids["airbnb"]}) == 3
    priority = {r["model"]: r["lane"]["priority"] for r in two}
    assert priority["eges"] == priority["youtubednn"] == "normal"
    assert priority["item2vec"] == priority["airbnb"] == ("SCHED_IDLE" if hasattr(os, "SCHED_IDLE") else "nice 19")
    assert all("lane" not in r for r in one)
    for r1, r2 in zip(one, two):
        assert r1["metrics"] == r2["metrics"]  # bit-identical vectors: the same numbers, intervals included
    fractions = [f for f, _ in heard]
    assert fractions and max(fractions) == pytest.approx(1.0) and all(0 <= f <= 1 for f in fractions)


def test_lanes_keep_the_default_maps(stores):
    """``maps=True``: each model's default maps are in its version folder when training returns."""
    from recall_core.analysis import maps
    from recall_core.data import load_dataset
    from recall_core.store import load_model

    folder, root, one, two, _, heard = stores
    key = load_dataset(str(folder)).key
    for model in TINY:
        m = load_model(root / "two", key, model)
        for kind in ("items", "users"):
            found = maps.read_map(m, kind, maps.DEFAULT_N_NEIGHBORS, maps.DEFAULT_MIN_DIST)
            assert found is not None and not found.computed, (model, kind)
        assert not list(load_model(root / "one", key, model).path.glob("umap-*.npz"))  # maps=False: none
    assert all(r["maps"] == ["items", "users"] for r in two)
    assert any("maps ready" in m for _, m in heard)


def test_a_failing_job_in_a_lane_is_one_line_and_the_others_train(tmp_path):
    from recall_core.data.planted import planted_dataset, write_movielens
    from recall_core.errors import RecallError
    from recall_core.training import train_models

    folder = write_movielens(planted_dataset(n_clusters=2, items_per_cluster=6, users_per_cluster=6, history=6),
                             tmp_path / "ml-tiny", "ml-100k")
    bad = [TrainJob("item2vec", overrides={"epochs": 1, "embedding_dim": 4}),
           TrainJob("eges", overrides={"embedding_dim": -3})]
    res = train_models(str(folder), bad, tmp_path / "s", lanes=2, maps=False, keep_going=True)
    assert "error" not in res[0] and res[1]["model"] == "eges"
    assert "\n" not in res[1]["error"] and "embedding_dim" in res[1]["error"]
    with pytest.raises(RecallError, match="embedding_dim"):
        train_models(str(folder), bad, tmp_path / "s2", lanes=2, maps=False, keep_going=False)


def test_plan_and_auto():
    from recall_core.training.lanes import AUTO_MIN_INTERACTIONS, Lane, auto_lanes, plan

    js = [TrainJob("mostpop"), TrainJob("fm"), TrainJob("item2vec"), TrainJob("dssm", "dssm@t0.5"),
          TrainJob("airbnb")]
    assert plan(js, 1) == [Lane((0, 1, 2, 3, 4))]
    # the TensorFlow lane in the foreground; the others round robin over two background lanes
    assert plan(js, 2) == [Lane((1, 3)), Lane((0, 4), idle=True), Lane((2,), idle=True)]
    assert plan(js, 2, references=True)[-1] == Lane((), idle=True, references=True)
    assert plan([TrainJob("item2vec")], 2) == [Lane((0,), idle=True)]
    assert plan([TrainJob("fm"), TrainJob("eges")], 2) == [Lane((0, 1))]
    assert auto_lanes(AUTO_MIN_INTERACTIONS, cpus=2) == 2
    assert auto_lanes(AUTO_MIN_INTERACTIONS - 1, cpus=2) == 1
    assert auto_lanes(10 ** 6, cpus=1) == 1


def test_cli_help_states_the_auto_threshold():
    import argparse

    from recall_core import cli
    from recall_core.training.lanes import AUTO_MIN_INTERACTIONS

    sub = next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert f"{AUTO_MIN_INTERACTIONS:,}" in " ".join(sub.choices["train"].format_help().split())


def test_lanes_keep_the_same_reference_rows(stores):
    """``lanes=2`` computes the transition and EASE rows in a background lane, beside the fits: both stores keep
    them, with the same numbers."""
    from recall_core.data import load_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation.baselines import TRANSITION_DEFAULTS
    from recall_core.evaluation.references import METRICS_FORMAT, ease_reference
    from recall_core.store import kept_reference, store_key

    folder, root, *_ = stores
    ds = load_dataset(str(folder))
    key = {"fingerprint": ds.fingerprint, "split": "test", "settings": TRANSITION_DEFAULTS,
           "metrics": METRICS_FORMAT}
    kept = [kept_reference(root / s, store_key(ds.key, "test"), "transition", key, "metrics") for s in ("one", "two")]
    assert kept[0] is not None and kept[0] == kept[1]
    ease = [ease_reference(ds, root / s, compute=False) for s in ("one", "two")]
    assert ease[0] is not None and "lambda" in ease[0]
    assert {k: v for k, v in ease[0].items() if k != "seconds"} == {k: v for k, v in ease[1].items() if k != "seconds"}
    assert split_for(ds, "test").train.n_items == ease[1]["n_items"]
