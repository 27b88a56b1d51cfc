"""bench/scale.py's arithmetic: the growth exponent, the log-log plot, the lanes block (no training here)."""
from __future__ import annotations

import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import scale  # noqa: E402


def test_exponent_is_the_log_log_slope():
    assert scale.exponent([(1e5, 2.0), (1e6, 2.0 * 10**1.5)]) == pytest.approx(1.5)
    # three points, least squares: y = x (b=1) with the middle point off by a factor 10**0.3
    b = scale.exponent([(1.0, 1.0), (10.0, 10 * 10**0.3), (100.0, 100.0)])
    assert b == pytest.approx(1.0)
    assert scale.exponent([(1e5, 3.0)]) is None


def test_svg_plot_is_well_formed_with_one_line_per_model():
    svg = scale.svg_plot({"item2vec": [(1e5, 10.0), (1e6, 100.0)], "fm": [(1e5, 5.0), (2.5e6, 40.0)]},
                         {"item2vec": "#0072B2", "fm": "#009E73"})
    root = ET.fromstring(svg)
    lines = root.findall("{http://www.w3.org/2000/svg}polyline")
    assert [ln.get("stroke") for ln in lines] == ["#0072B2", "#009E73"]
    # 1e5 → 1e6 is one decade on x and one on y: the item2vec line has slope -1 in pixels scaled by the axes
    (x0, y0), (x1, y1) = [tuple(map(float, p.split(","))) for p in lines[0].get("points").split()]
    assert x1 > x0 and y1 < y0


def _lanes_run(lanes, wall, digest, **extra):
    models = {m: {"fit_s": 10.0, "hr@10": 0.25, "digest": digest(m)} for m in scale.MODELS}
    return {"shape": "ml1m-shape", "lanes": lanes, "wall_s": wall, "models": models, "date": "2026-12-07 22:21 UTC",
            **extra}


def test_lanes_block_marks_digests_margin_and_spread():
    """Before and after side by side: a digest that differs is flagged, the margin to 600 s is given both ways, and
    a fresh run's earlier walls give the median and range (hand-computed: 599.9 and 781.0 -> 690.5)."""
    before = _lanes_run(1, 896.6, lambda m: m * 8, commit="97c59f1")
    after = _lanes_run(2, 599.9, lambda m: "x" * 12 if m == "fm" else m * 8, commit="22b223d", cpu_s=1169.4,
                       others_cpu_s=10.5, earlier=[{"wall_s": 781.0, "date": "2026-12-07 21:59 UTC",
                                                    "commit": "875aca9", "cpu_s": None, "others_cpu_s": None}])
    block = scale.render_lanes([before, after])
    rows = {line.split(" | ")[0].strip("| "): line for line in block.splitlines() if line.startswith("| ")}
    assert "(*same*)" in rows["item2vec"] and "(**differs**)" in rows["fm"]
    assert "target 600 s: NOT met, 296.6 s over" in block and "target 600 s: met, 0.1 s to spare" in block
    assert "other processes on the machine 10 CPU s meanwhile" in block and "at commit `22b223d`" in block
    assert "an earlier run: 781.0 s wall" in block and "2 runs: median 690.5 s, range 599.9-781.0 s." in block
    assert block.startswith(scale.LANES_START) and block.endswith(scale.LANES_END)


def test_machine_busy_seconds_grow_with_work():
    start = scale.machine_busy_s()
    if start is None:  # not Linux: nothing to read
        return
    t = time.process_time()
    while time.process_time() - t < 0.3:
        pass
    assert scale.machine_busy_s() - start >= 0.2
