"""bench/judge_timings.py's block (targets met or not, every run listed) and its place in BENCHMARKS.md."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import judge_timings  # noqa: E402


def result(summary_s, next_s):
    return {"date": "2026-12-07 10:00 UTC", "load_before": (1.0, 1.0, 1.0), "load_after": (1.5, 1.0, 1.0),
            "plant": {"graded": 9000, "votes": 1000, "probes": 100, "pool_sizes": [29, 63], "models": list("abcdefg")},
            "summary": {"seconds": summary_s, "median": sorted(summary_s)[len(summary_s) // 2],
                        "cpu_seconds": summary_s, "cpu_median": 1.0, "n_rows": 10_000, "n_judgments": 9000,
                        "n_votes": 963, "n_probes": 100, "n_boot": 1000, "models": 7,
                        "phases": {"imports": 1.0, "data_and_models": 0.1, "summarize": 0.4}},
            "browser": {"next_probe": next_s, "median": sorted(next_s)[len(next_s) // 2], "same_probe": [0.3],
                        "same_probe_median": 0.3, "pool_sizes": [40, 60], "problems": []}}


def test_the_block_says_whether_each_target_is_met_and_lists_every_run():
    text = judge_timings.block(result([1.5, 1.7, 1.9], [0.3, 0.4, 0.7]))
    assert text.startswith(judge_timings.START) and text.endswith(judge_timings.END)
    rows = [ln for ln in text.splitlines() if ln.startswith("| ")]
    summary = next(r for r in rows if "judgments summary" in r)
    assert "| 1.70 | 1.50, 1.70, 1.90 | ≤ 2 | yes |" in summary and "10,000 judgments" in summary
    nxt = next(r for r in rows if "next probe settled" in r)
    assert "| 0.40 | 0.30, 0.40, 0.70 | ≤ 0.5 | yes |" in nxt
    late = judge_timings.block(result([2.5, 2.1, 1.9], [0.6, 0.55, 0.4]))
    assert "≤ 2 | no |" in late and "≤ 0.5 | no |" in late


def test_bench_run_keeps_the_block():
    """make bench rewrites BENCHMARKS.md and keeps the blocks other scripts write: the judge block among them."""
    src = (Path(judge_timings.__file__).parent / "run.py").read_text()
    assert "(judge_bench.START, judge_bench.END)" in src and '"judge": judge_timings' in src
