"""bench/scale.py's arithmetic: the growth exponent and the log-log plot (no training here)."""
from __future__ import annotations

import sys
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
