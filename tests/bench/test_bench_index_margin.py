"""bench/run.py's index-margin block: rendered from the rounds' summary, and rewritten alone in BENCHMARKS.md
(no 1M measurement here: the rounds are planted)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import run  # noqa: E402


def planted_tuned() -> dict:
    """Two layouts of one efSearch over 3 rounds: insertion order misses the margin, the k-means order keeps it."""
    rows = []
    for rnd, (slow, fast) in enumerate([(0.46, 0.26), (0.49, 0.25), (0.52, 0.31)]):
        for reorder, p99 in ((0, slow), (1, fast)):
            rows.append({"kind": "hnsw", "setting": "efSearch=96", "round": rnd, "recall@10": 0.9927,
                         "params": {"M": 48, "efConstruction": 100, "euclidean": 0, "reorder": reorder,
                                    "efSearch": 96},
                         "p50_ms": p99 / 2, "p99_ms": p99, "build_s": 98.0 + reorder * 4 + rnd, "memory_mb": 656.1})
    return {"rounds": 3, "rows": rows, "measured": {"date": "2026-12-07 10:00 UTC", "machine": "a test machine"}}


def test_margin_block_reads_the_median_and_range_and_the_target():
    lines = run.render_margin(planted_tuned())
    assert lines[0] == run.MARGIN_START and lines[-1] == run.MARGIN_END
    text = "\n".join(lines)
    assert "Measured 2026-12-07 10:00 UTC on a test machine" in text and "--rounds 5" in text
    assert "| 48 | 100 | 0 | efSearch=96 | 0.9927 [0.9927–0.9927] | 0.245 [0.230–0.260] | 0.490 [0.460–0.520] |" in text
    assert "| 48 | 100 | 1 | efSearch=96 | 0.9927 [0.9927–0.9927] | 0.130 [0.125–0.155] | 0.260 [0.250–0.310] |" in text
    target = next(ln for ln in lines if ln.startswith("Target"))
    assert "met in every round by M=48 efConstruction=100 reorder=1 efSearch=96" in target
    assert "48% of the 0.5 ms budget to spare on the median, 38% in the slowest round" in target


def test_index_margin_rewrites_only_its_block(tmp_path, monkeypatch):
    bench_md = tmp_path / "BENCHMARKS.md"
    before, after = "# Benchmarks\n\n## Indexes\n\nkept above\n\n", "\n\n### The `auto` cut-off\n\nkept below\n"
    bench_md.write_text(before + run.MARGIN_START + "\nold rows\n" + run.MARGIN_END + after)
    monkeypatch.setattr(run, "ROOT", tmp_path)
    monkeypatch.setattr(run, "index_margin", planted_tuned)
    run.main_index_margin()
    text = bench_md.read_text()
    assert text.startswith(before) and text.endswith(after) and "old rows" not in text
    assert text.count(run.MARGIN_START) == 1 and "| 48 | 100 | 1 | efSearch=96 |" in text
    bench_md.write_text("# Benchmarks\n")  # no block yet: refused, nothing measured
    monkeypatch.setattr(run, "index_margin", lambda: pytest.fail("measured without a block to write"))
    with pytest.raises(SystemExit, match="no <!-- index-margin:start -->"):
        run.main_index_margin()
