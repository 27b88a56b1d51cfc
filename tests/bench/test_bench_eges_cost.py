"""bench/eges_cost.py: the rule that chooses EGES's ``walks_full_density`` on validation, on hand-made curves."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import eges_cost  # noqa: E402

#: transitions per node of the two shapes' validation data (BENCHMARKS.md's block)
DENSITIES = {"ml-100k": 57.0, "synth-10k": 8.6}


def curves(hr: dict) -> dict:
    """``hr[(shape, walks)]`` = HR@10 after epochs 1..6 -> the bench's curve cells (pairs ∝ walks)."""
    return {s: {w: {"pairs": 1000 * w, "epochs": [{"epoch": e + 1, "hr@10": v, "fit_s": float(e)}
                                                   for e, v in enumerate(hr[(s, w)])]}
                for w in eges_cost.CURVE_WALKS[s]} for s in eges_cost.SHAPES}


def flat(v: float) -> list[float]:
    return [0.1, v, v, v, v, v]


def test_candidates_resolve_to_the_curves_walks():
    """Each candidate threshold gives ML-100K its 10 walks and synth-10k one of the trained counts."""
    walks = eges_cost.resolved(DENSITIES)
    assert walks == {0.0: {"ml-100k": 10, "synth-10k": 10}, 12.0: {"ml-100k": 10, "synth-10k": 7},
                     20.0: {"ml-100k": 10, "synth-10k": 4}}
    assert all(ws[s] in eges_cost.CURVE_WALKS[s] for ws in walks.values() for s in eges_cost.SHAPES)


def test_the_cheapest_of_the_tied_is_kept():
    hr = {(s, w): flat(0.20) for s in eges_cost.SHAPES for w in eges_cost.CURVE_WALKS[s]}
    hr[("synth-10k", 4)] = flat(0.197)  # 1.5% below the best: tied
    kept, ratio, walks = eges_cost.choose(curves(hr), DENSITIES)
    assert kept == 20.0 and walks[kept]["synth-10k"] == 4
    assert ratio[kept] == pytest.approx(0.985)


def test_a_cheap_threshold_that_loses_is_not_kept():
    hr = {(s, w): flat(0.20) for s in eges_cost.SHAPES for w in eges_cost.CURVE_WALKS[s]}
    hr[("synth-10k", 4)] = flat(0.15)  # 25% below the best
    hr[("synth-10k", 7)] = flat(0.19)  # 5% below: beyond the tie
    hr[("ml-100k", 4)] = flat(0.30)  # ML-100K's 4 walks are never a candidate (ML-100K keeps its walks)
    kept, ratio, _ = eges_cost.choose(curves(hr), DENSITIES)
    assert kept == 0.0
    assert ratio[20.0] == pytest.approx(0.75) and ratio[12.0] == pytest.approx(0.95)


def test_candidates_below_the_search_space_or_moving_ml100k_are_left_out(monkeypatch):
    monkeypatch.setattr(eges_cost, "DENSITIES", (0.0, 20.0, 30.0, 60.0))  # 30: 3 walks on synth; 60: ML-100K 9
    hr = {(s, w): flat(0.20) for s in eges_cost.SHAPES for w in eges_cost.CURVE_WALKS[s]}
    _, ratio, _ = eges_cost.choose(curves(hr), DENSITIES)
    assert set(ratio) == {0.0, 20.0}


def test_the_default_is_what_the_bench_kept():
    """EGESConfig's walks_full_density, walks per node and epochs are the ones BENCHMARKS.md's eges-cost block
    says it kept."""
    from recall_core.models.eges import EGESConfig

    text = (ROOT / "BENCHMARKS.md").read_text()
    if eges_cost.START not in text:
        pytest.fail("BENCHMARKS.md has no eges-cost block: run python bench/eges_cost.py")
    block = text[text.index(eges_cost.START):text.index(eges_cost.END)]
    m = re.search(r"Kept: \*\*walks_full_density ([\d.]+)\*\* \(walks_per_node (\d+), epochs (\d+)", block)
    assert m, block[:500]
    c = EGESConfig()
    assert (c.walks_full_density, c.walks_per_node, c.epochs) == (float(m.group(1)), int(m.group(2)),
                                                                  int(m.group(3)))
