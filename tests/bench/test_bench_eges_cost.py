"""bench/eges_cost.py: the rule that keeps EGES's walks per node and epochs, on hand-made curves."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import eges_cost  # noqa: E402


def curves(hr: dict) -> dict:
    """``hr[(shape, walks)]`` = HR@10 after epochs 1..6 -> the bench's curve cells (pairs ∝ walks)."""
    return {s: {w: {"pairs": 1000 * w, "epochs": [{"epoch": e + 1, "hr@10": v, "fit_s": float(e)}
                                                   for e, v in enumerate(hr[(s, w)])]}
                for w in eges_cost.WALKS} for s in eges_cost.SHAPES}


def test_the_cheapest_of_the_tied_is_kept():
    flat = [0.10, 0.20, 0.20, 0.20, 0.20, 0.20]
    hr = {(s, w): flat for s in eges_cost.SHAPES for w in eges_cost.WALKS}
    kept, ratio = eges_cost.choose(curves(hr))
    assert kept == (min(eges_cost.WALKS), 2)  # every variant ties: fewest pairs, fewest epochs
    assert ratio[kept] == pytest.approx(1.0)


def test_a_cheap_variant_that_loses_on_one_shape_is_not_kept():
    hr = {(s, w): [0.1, 0.20, 0.20, 0.20, 0.20, 0.20] for s in eges_cost.SHAPES for w in eges_cost.WALKS}
    hr[("synth-10k", 4)] = [0.1, 0.15, 0.15, 0.15, 0.15, 0.15]  # 25% below the best there
    hr[("ml-100k", 10)] = [0.1, 0.19, 0.199, 0.20, 0.20, 0.20]   # epochs 2 loses 5%; 3 is within TOL
    kept, ratio = eges_cost.choose(curves(hr))
    assert kept == (10, 3)
    assert ratio[(4, 6)] == pytest.approx(0.75)


def test_the_defaults_are_what_the_bench_kept():
    """EGESConfig's walks per node and epochs are the ones BENCHMARKS.md's eges-cost block says it kept."""
    from recall_core.models.eges import EGESConfig

    text = (ROOT / "BENCHMARKS.md").read_text()
    if eges_cost.START not in text:
        pytest.fail("BENCHMARKS.md has no eges-cost block: run python bench/eges_cost.py")
    block = text[text.index(eges_cost.START):text.index(eges_cost.END)]
    m = re.search(r"Kept: \*\*walks_per_node (\d+), epochs (\d+)\*\*", block)
    assert m, block[:500]
    c = EGESConfig()
    assert (c.walks_per_node, c.epochs) == (int(m.group(1)), int(m.group(2)))
