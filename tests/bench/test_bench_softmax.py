"""bench/softmax_switch.py's rule, on hand-made cost rows (no training here)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import softmax_switch  # noqa: E402

SIZES = [1000, 4000, 10_000, 30_000]


def rows(**ratios):
    """Seconds per epoch: sampled 1.0 everywhere, full = the given ratio per size, per model."""
    out = {}
    for model, rs in ratios.items():
        for n, r in zip(SIZES, rs):
            out[(model, "scalable", n)] = 1.0
            out[(model, "full", n)] = r
    return out


def test_the_smallest_size_where_every_model_costs_twice():
    cost = rows(a=(1.0, 1.5, 2.5, 9.0), b=(1.1, 2.0, 3.0, 12.0))
    assert softmax_switch.threshold(cost, ["a", "b"], SIZES) == 10_000  # a reaches 2x only at 10k
    assert softmax_switch.threshold(cost, ["b"], SIZES) == 4000  # exactly 2x counts
    assert softmax_switch.threshold(cost, ["a", "b"], SIZES, ratio=4.0) == 30_000


def test_a_size_that_qualifies_only_before_a_larger_one_fails_is_not_the_switch():
    cost = rows(a=(1.0, 2.2, 1.9, 5.0))  # noise at 4k: from 4k on it does not hold
    assert softmax_switch.threshold(cost, ["a"], SIZES) == 30_000


def test_nothing_qualifies_or_a_cell_is_missing():
    assert softmax_switch.threshold(rows(a=(1.0, 1.2, 1.5, 1.9)), ["a"], SIZES) is None
    cost = rows(a=(1.0, 3.0, 3.0, 3.0), b=(3.0, 3.0, 3.0, 3.0))
    del cost[("b", "full", 1000)]
    assert softmax_switch.threshold(cost, ["a", "b"], SIZES) is None
    assert softmax_switch.threshold(cost, ["a"], SIZES) == 4000  # the other model's gap does not matter


def test_validation_keeps_the_full_softmax_where_it_measured_better():
    cost = rows(a=(1.0, 2.5, 3.0, 9.0), b=(2.0, 2.0, 4.0, 12.0))  # cost alone: 4k
    hr = {("a", "full", 4000): 0.30, ("a", "scalable", 4000): 0.297,  # within TOL: no veto
          ("b", "full", 4000): 0.20, ("b", "scalable", 4000): 0.20,
          ("a", "full", 10_000): 0.30, ("a", "scalable", 10_000): 0.30,
          ("b", "full", 10_000): 0.20, ("b", "scalable", 10_000): 0.15}  # b: sampled 25% worse at 10k
    q = [4000, 10_000]
    assert softmax_switch.vetoed(hr, ["a", "b"], q) == [10_000]
    assert softmax_switch.threshold(cost, ["a", "b"], SIZES, quality=hr, qsizes=q) == 30_000
    assert softmax_switch.threshold(cost, ["a"], SIZES, quality=hr, qsizes=q) == 4000  # b's loss is not a's
    hr[("a", "scalable", 4000)] = 0.29  # beyond TOL (2%) at 4k too
    assert softmax_switch.vetoed(hr, ["a"], q) == [4000]
    assert softmax_switch.threshold(cost, ["a"], SIZES, quality=hr, qsizes=q) == 10_000
    del hr[("b", "full", 4000)]
    assert softmax_switch.vetoed(hr, ["a", "b"], q) is None
    assert softmax_switch.threshold(cost, ["a", "b"], SIZES, quality=hr, qsizes=q) is None
    # a veto above every measured cost size leaves no switch
    assert softmax_switch.threshold(cost, ["b"], SIZES[:3], quality={**hr, ("b", "full", 4000): 0.2}, qsizes=q) is None
