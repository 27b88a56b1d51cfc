"""bench/dataset_load.py's block: the verdicts follow the numbers."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import dataset_load  # noqa: E402


def result(dat_cold, par_cold, par_cached):
    row = lambda cold, cached: {"cold_s": cold, "cached_s": cached, "import_s": [0.5], "mb": 1.0, "same_data": True}  # noqa: E731
    return {"runs": len(dat_cold), "variants": {
        "ml1m-dat": row(dat_cold, [0.05] * len(dat_cold)), "generic-parquet": row(par_cold, par_cached),
        "save-generic-parquet": row(par_cold, par_cached), "save-generic-csv": row(dat_cold, par_cached)}}


def test_targets_met_and_missed_follow_the_medians():
    text = "\n".join(dataset_load.block(result([1.5, 1.4, 1.6], [0.8, 0.7, 0.9], [0.04, 0.05, 0.04])))
    assert "0.80 s against 1.50 s (**met**)" in text and "0.050 s at most (**met**)" in text
    assert "| 1.50 (1.40–1.60) |" in text
    text = "\n".join(dataset_load.block(result([1.0, 1.0, 1.0], [1.2, 0.9, 1.3], [0.04, 0.25, 0.04])))
    assert "1.20 s against 1.00 s (**missed**)" in text and "0.250 s at most (**missed**)" in text
