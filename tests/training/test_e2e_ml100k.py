"""End to end on the real ML-100K: the CLI trains, stores, evaluates and answers neighbour queries."""
from __future__ import annotations

import json

import pytest

from recall_core.cli import main

pytestmark = pytest.mark.slow  # ML-100K trained end to end (tests/conftest.py, ml100k_trained)


@pytest.fixture(scope="module")
def store(ml100k_trained, tmp_path_factory):
    """``train --dataset ml-100k --models mostpop,item2vec --no-maps`` through the CLI (tests/conftest.py, once per
    run; its exit code is checked there), a copy of its own."""
    from tests.ml100k_fixture import copy_ml100k_store

    return str(copy_ml100k_store(ml100k_trained, tmp_path_factory.mktemp("e2e") / "store"))


def test_data_command(ml100k, capsys):
    assert main(["data"]) == 0
    out = capsys.readouterr().out
    assert "943" in out and "1,682" in out and "100,000" in out


def test_item2vec_beats_mostpop(store, capsys):
    capsys.readouterr()
    assert main(["evaluate", "--store", store, "--json"]) == 0
    models = json.loads(capsys.readouterr().out)["models"]
    pop, i2v = models["mostpop"], models["item2vec"]
    assert pop["hr@10"] == pytest.approx(0.0859, abs=1e-3)  # 81 of 943 users
    assert i2v["hr@10"] >= 0.15 and i2v["ndcg@10"] > pop["ndcg@10"]
    assert i2v["distinct_lists@10"] > 900  # personalised, not one list for all
    assert "transition" in models  # the reference baseline is always reported


def test_star_wars_neighbours(store, capsys):
    capsys.readouterr()
    assert main(["neighbours", "--model", "item2vec", "--item", "Star Wars", "--store", store, "--json"]) == 0
    res = json.loads(capsys.readouterr().out)["results"]
    titles = [r["title"] for r in res]
    assert len(titles) == 10 and "Star Wars" not in titles
    assert "Return of the Jedi" in titles[:3]
