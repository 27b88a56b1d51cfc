"""The category palette of the maps: up to 20 categories, no colour twice, "other" in grey."""
from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from recall_core.app import figures, style


def _lab(hex_color: str) -> tuple[float, float, float]:
    """CIE L*a*b* (D65) of an sRGB hex colour: an independent oracle of "looks different"."""
    rgb = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_twenty_categories_no_colour_twice_and_other_is_grey():
    cats = [f"genre {i}" for i in range(20)]
    pal = style.category_colors(cats)
    assert len(pal) == 21 and pal[style.OTHER] == style.OTHER_COLOR
    colours = [pal[c].lower() for c in cats]
    assert len(set(colours)) == 20 and style.OTHER_COLOR.lower() not in colours
    # far apart, grey included: the closest two differ by more than 10 ΔE (CIE76)
    closest = min(math.dist(_lab(a), _lab(b)) for a, b in itertools.combinations([*colours, style.OTHER_COLOR], 2))
    assert closest > 10
    r, g, b = (int(style.OTHER_COLOR[i:i + 2], 16) for i in (1, 3, 5))
    assert r == g == b  # grey
    with pytest.raises(ValueError):
        style.category_colors([f"g{i}" for i in range(21)])
    with pytest.raises(ValueError):
        style.category_colors(["Drama", "Drama"])


def test_the_issues_pairs_get_different_colours():
    """ML-100K's maps: Drama/Mystery, Romance/other and Comedy/Documentary shared colours with plotly's 10."""
    genres = ["Drama", "Comedy", "Action", "Thriller", "Romance", "Adventure", "Children's", "Crime", "Sci-Fi",
              "Horror", "War", "Mystery", "Musical", "Documentary", "Animation", "Western", "Film-Noir", "Fantasy",
              "unknown"]
    pal = style.category_colors(genres)
    for a, b in (("Drama", "Mystery"), ("Romance", style.OTHER), ("Comedy", "Documentary")):
        assert pal[a] != pal[b], (a, b)


def _traces(fig) -> dict[str, str]:
    return {t.name: t.marker.color for t in fig.data}


def test_map_with_more_categories_groups_the_rest_as_grey_other():
    rng = np.random.default_rng(0)
    # 25 categories, category i has 30 - i points: the 20 largest get colours, the 5 smallest are "other"
    labels = np.concatenate([[f"c{i:02d}"] * (30 - i) for i in range(25)])
    df = pd.DataFrame({"x": rng.normal(size=len(labels)), "y": rng.normal(size=len(labels)), "cat": labels,
                       "title": labels, "item_id": [str(i) for i in range(len(labels))]})
    fig = figures.figure(df, "cat", "t")
    tr = _traces(fig)
    assert list(tr) == [f"c{i:02d}" for i in range(20)] + [style.OTHER]
    assert tr[style.OTHER] == style.OTHER_COLOR
    assert len({tr[f"c{i:02d}"] for i in range(20)}) == 20
    other = next(t for t in fig.data if t.name == style.OTHER)
    assert len(other.x) == sum(30 - i for i in range(20, 25))
    # a close-up of a few points keeps each category's colour when given the full map's palette
    sub = df[df["cat"].isin(["c03", "c22"])]
    close = _traces(figures.figure(sub, "cat", "close", colors=figures.category_palette(df, "cat"), webgl=False))
    assert close == {"c03": tr["c03"], style.OTHER: style.OTHER_COLOR}
    # a numeric column is a colour scale, not categories
    assert figures.category_palette(df.assign(n=np.arange(len(df))), "n") is None


def test_a_category_named_other_joins_the_grey_group():
    df = pd.DataFrame({"x": [0.0, 1, 2], "y": [0.0, 1, 2], "cat": ["other", "A", "A"], "title": ["a", "b", "c"],
                       "item_id": ["1", "2", "3"]})
    tr = _traces(figures.figure(df, "cat", "t"))
    assert tr == {"A": style.CATEGORY_COLORS[0], style.OTHER: style.OTHER_COLOR}


def test_a_map_is_svg_up_to_webgl_above_points_and_webgl_beyond(monkeypatch):
    df = pd.DataFrame({"x": np.arange(6.0), "y": np.arange(6.0), "cat": list("AABBCC"), "title": list("abcdef"),
                       "item_id": [str(i) for i in range(6)]})
    kinds = lambda fig: {t.type for t in fig.data}  # noqa: E731
    monkeypatch.setattr(figures, "WEBGL_ABOVE", 6)
    assert kinds(figures.figure(df, "cat", "t", focus="1", highlight=["2"])) == {"scatter"}  # 6 points: SVG
    monkeypatch.setattr(figures, "WEBGL_ABOVE", 5)
    assert kinds(figures.figure(df, "cat", "t", focus="1", highlight=["2"])) == {"scattergl"}  # one more: WebGL
    assert kinds(figures.figure(df, "cat", "t", webgl=False)) == {"scatter"}  # the caller's choice wins
    monkeypatch.setattr(figures, "WEBGL_ABOVE", 6)
    assert kinds(figures.figure(df, "cat", "t", webgl=True)) == {"scattergl"}
