"""The leaderboard: bootstrap intervals (against independent oracles), groups, the best among the models chosen
on validation, the tie mark, and a dataset nobody can be evaluated on ("–", one warning, never nan)."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from recall_core.analysis import leaderboard as lb
from recall_core.evaluation import INTERVALS, bootstrap_intervals, evaluate, metrics_from_ranks
from recall_core.evaluation.evaluate import no_evaluable_users, score_and_rank


# --------------------------------------------------------------------------- the bootstrap


def test_intervals_of_certain_outcomes_are_points():
    assert bootstrap_intervals(np.ones(50, np.int64), ks=(10,)) == {"hr@10": [1.0, 1.0], "ndcg@10": [1.0, 1.0]}
    assert bootstrap_intervals(np.full(50, 99), ks=(10,)) == {"hr@10": [0.0, 0.0], "ndcg@10": [0.0, 0.0]}
    assert bootstrap_intervals(np.zeros(0, np.int64)) == {}


def test_interval_agrees_with_the_normal_approximation_and_a_naive_bootstrap():
    rng = np.random.default_rng(5)
    n, p = 4000, 0.2
    ranks = np.where(rng.random(n) < p, rng.integers(1, 11, n), rng.integers(11, 500, n))
    ci = bootstrap_intervals(ranks, ks=(10,))
    hit = ranks <= 10
    m = hit.mean()
    half = 1.96 * math.sqrt(m * (1 - m) / n)  # Wald interval: the textbook oracle for a proportion
    assert ci["hr@10"][0] == pytest.approx(m - half, abs=0.003) and ci["hr@10"][1] == pytest.approx(m + half, abs=0.003)
    assert ci["hr@10"][0] < m < ci["hr@10"][1]
    # an independent, naive bootstrap (another generator, resampling the per-user gains directly)
    gains = np.where(hit, 1 / np.log2(ranks + 1.0), 0.0)
    other = np.random.default_rng(123)
    means = [gains[other.integers(0, n, n)].mean() for _ in range(2000)]
    lo, hi = np.quantile(means, [0.025, 0.975])
    assert ci["ndcg@10"][0] == pytest.approx(lo, abs=0.002) and ci["ndcg@10"][1] == pytest.approx(hi, abs=0.002)
    assert bootstrap_intervals(ranks, ks=(10,)) == ci  # a fixed seed: the same ranks, the same interval


def test_evaluation_keeps_an_interval_per_k_in_the_metrics(planted):
    from recall_core.models.mostpop import MostPop

    _, split = planted
    m = evaluate(MostPop().fit(split.train).export(), split)
    ci = m[INTERVALS]
    for k in (5, 10, 20, 50):
        for name in (f"hr@{k}", f"ndcg@{k}"):
            lo, hi = ci[name]
            assert lo <= m[name] <= hi, name
    json.dumps(m, allow_nan=False)  # the manifest can hold it: plain numbers, no NaN


def test_nobody_evaluable_gives_no_metric_and_one_line():
    assert metrics_from_ranks(np.zeros(0)) == {}

    class _Split:
        test_users = np.zeros(0, np.int64)
        test_items = np.zeros(0, np.int64)
        name = "test"

        class train:  # noqa: N801 (a stand-in)
            n_items = 3
            matrix = None

    out = score_and_rank(lambda s, u: np.zeros((len(u), 3)), _Split, (10,))
    assert out == {"users": 0}
    why = no_evaluable_users(_Split)
    assert why and "\n" not in why and "no user has 2 or more interactions" in why and "–" in why
    _Split.name = "valid"
    assert "3 or more" in no_evaluable_users(_Split)


# --------------------------------------------------------------------------- groups, best and ties


def row(name, hr, ci=None, **extra):
    metrics = {"hr@10": hr, "ndcg@10": hr / 2, "mrr": hr / 3, "coverage@10": 0.5, "distinct_lists@10": 10}
    if ci is not None:
        metrics[INTERVALS] = {"hr@10": list(ci), "ndcg@10": [ci[0] / 2, ci[1] / 2]}
    return {"model": name, "metrics": metrics, "i2i": {}, "train_seconds": 1.0, "model_class": name.split("@")[0],
            **extra}


def test_sweeps_and_imports_stand_apart_and_the_best_is_among_the_validated():
    rows = [row("mostpop", 0.08, (0.06, 0.10)), row("transition", 0.19, (0.17, 0.21), reference=True),
            row("item2vec", 0.20, (0.18, 0.22)), row("fm", 0.12, (0.10, 0.14)),
            row("dssm", 0.21, (0.19, 0.23)), row("dssm@t0.1", 0.26, (0.24, 0.28), variant_of="dssm"),
            {**row("mine", 0.30), "model_class": "imported"}, row("eges", 0.17)]  # eges: an older manifest
    board = lb.frames(rows, 10)
    assert list(board.frames) == ["models", "sweep", "imported"]
    assert list(board.frames["models"].index) == ["mostpop", "transition", "item2vec", "fm", "dssm", "eges"]
    assert list(board.frames["sweep"].index) == ["dssm@t0.1"] and list(board.frames["imported"].index) == ["mine"]
    assert board.best["HR@10"] == "dssm"  # not the sweep's 0.26, not the imported 0.30
    marks = board.vs_best
    assert marks["dssm"] == lb.BEST
    assert marks["item2vec"] == lb.TIE and marks["transition"] == lb.TIE  # 0.17–0.21 touches 0.19–0.23
    assert marks["fm"] == lb.BELOW and marks["mostpop"] == lb.BELOW
    assert marks["dssm@t0.1"] == lb.ABOVE  # shown beside the best, never highlighted as it
    assert "eges" not in marks and "mine" not in marks  # no interval: no mark
    m = board.frames["models"]
    assert m.loc["dssm", "HR@10 95%"] == "0.1900–0.2300" and pd.isna(m.loc["eges", "HR@10 95%"])
    assert m.loc["fm", "vs best"] == lb.BELOW and pd.isna(m.loc["eges", "vs best"])
    assert board.best["Train s"] in m.index


def test_rows_without_metrics_are_empty_cells_not_text():
    board = lb.frames([{"model": "mostpop", "metrics": {"users": 0}, "i2i": {}, "train_seconds": 0.0,
                        "model_class": "mostpop"}], 10)
    frame = board.frames["models"]
    assert frame["HR@10"].isna().all() and frame["HR@10 95%"].isna().all()  # empty cells: the page draws "–"
    assert "HR@10" not in board.best and board.vs_best == {}


# --------------------------------------------------------------------------- nobody evaluable: CLI and app


@pytest.fixture(scope="module")
def lonely(tmp_path_factory):
    """A MovieLens folder where every user has one interaction, with mostpop stored."""
    from recall_core.data.planted import planted_dataset, write_movielens
    from recall_core.training import train_models

    root = tmp_path_factory.mktemp("lonely")
    folder = write_movielens(planted_dataset(history=1), root / "data", "ml-100k")
    train_models(str(folder), ["mostpop"], root / "store", seed=42)
    return folder, root / "store"


def test_cli_says_why_in_one_line_and_shows_dashes(lonely, capsys):
    from recall_core.cli import main

    folder, store = lonely
    code = main(["train", "--dataset", str(folder), "--store", str(store), "--models", "mostpop,fm"])
    out, err = capsys.readouterr()
    assert code == 1  # fm cannot train: no next-item example
    assert "nan" not in out.lower() and "HR@10 –" in out
    assert "fm: no training examples: no user has two training interactions" in out
    warnings = [line for line in err.splitlines() if "no user has 2 or more interactions" in line]
    assert len(warnings) == 1 and "Traceback" not in err
    assert main(["evaluate", "--dataset", str(folder), "--store", str(store)]) == 0
    out, err = capsys.readouterr()
    assert "nan" not in out.lower() and "mostpop" in out and "–" in out
    assert sum("no user has 2 or more interactions" in line for line in err.splitlines()) == 1


def test_app_overview_warns_once_and_shows_dashes(lonely, monkeypatch):
    from tests.app.test_app import ok, run_page, table

    folder, store = lonely
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    at = run_page()
    ok(at)
    warned = [w.value for w in at.warning if "no user has 2 or more interactions" in w.value]
    assert len(warned) == 1
    box = at.get_by_key("overview_table")
    assert box.dataframe[0].proto.placeholder == "–"
    lb_frame = table(at, "overview_table")
    assert lb_frame["HR@10"].isna().all()  # empty cells, drawn as "–"
