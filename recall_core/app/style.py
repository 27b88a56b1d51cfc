"""Colours: each model's own (:attr:`RecallModel.color`), shaded for its stored variants; and one palette for
categories (genres, markets, user fields) on the maps.

Variants (``dssm@t0.05``) get a shade of their model's colour, darker for a
sharper (smaller) temperature, so a family reads as one hue. Categories get
:data:`CATEGORY_COLORS` in order (up to :data:`MAX_CATEGORIES`, no colour twice);
the rest is one group, :data:`OTHER`, always in :data:`OTHER_COLOR` grey.
"""
from __future__ import annotations

import colorsys
import math

from recall_core.evaluation.baselines import TRANSITION_COLOR
from recall_core.evaluation.ease import EASE_COLOR
from recall_core.models.base import find_model_class

_FALLBACK = ["#7f3c8d", "#11a579", "#3969ac", "#f2b701", "#e73f74", "#80ba5a"]
HISTORY_COLOR = "#444444"  # the user's own history in genre-mix charts

#: Kelly's colours of maximum contrast (K. Kelly, "Twenty-two colors of maximum contrast", 1965) without white
#: and his grey (kept for "other"), with black as the twentieth: 20 categories, no two alike (the closest pair
#: is 15 CIE76 ΔE apart; a test checks it). Plotly's default has 10 and repeats them from the 11th.
CATEGORY_COLORS = ("#F3C300", "#875692", "#F38400", "#A1CAF1", "#BE0032", "#C2B280", "#008856", "#E68FAC",
                   "#0067A5", "#F99379", "#604E97", "#F6A600", "#B3446C", "#DCD300", "#882D17", "#8DB600",
                   "#654522", "#E25822", "#2B3D26", "#222222")
#: how many categories get a colour of their own; the rest are grouped as :data:`OTHER`
MAX_CATEGORIES = len(CATEGORY_COLORS)
#: the name of the grouped rest, and its colour (grey: not a category)
OTHER = "other"
OTHER_COLOR = "#9E9E9E"


def shown_categories(values) -> list[str]:
    """The categories of ``values`` that get a colour: the :data:`MAX_CATEGORIES` most frequent (ties by
    name), most frequent first; a category literally named :data:`OTHER` is left to the grouped rest."""
    from collections import Counter

    counts = Counter(str(v) for v in values)
    counts.pop(OTHER, None)
    ranked = sorted(counts, key=lambda c: (-counts[c], c))
    return ranked[:MAX_CATEGORIES]


def category_colors(categories) -> dict[str, str]:
    """``{category: colour}``: the i-th of ``categories`` (at most :data:`MAX_CATEGORIES`, distinct, in the
    order they are shown) gets ``CATEGORY_COLORS[i]``, and :data:`OTHER` gets grey.

    Raises ``ValueError`` for more categories than colours: group the rest into :data:`OTHER` first
    (:func:`shown_categories`), or colours would repeat.
    """
    cats = [str(c) for c in categories if str(c) != OTHER]
    if len(set(cats)) != len(cats):
        raise ValueError(f"categories repeat: {cats}")
    if len(cats) > MAX_CATEGORIES:
        raise ValueError(f"{len(cats)} categories but {MAX_CATEGORIES} colours: group the rest as {OTHER!r}")
    return {**dict(zip(cats, CATEGORY_COLORS)), OTHER: OTHER_COLOR}


def _shade(hex_color: str, amount: float) -> str:
    """Lighten (amount > 0) or darken (amount < 0) in HLS space; ``amount`` in [-1, 1]."""
    r, g, b = (int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))
    h, l, s = colorsys.rgb_to_hls(r, g, b)
    l = min(0.9, max(0.15, l + amount * (0.9 - l if amount > 0 else l - 0.15)))
    r, g, b = colorsys.hls_to_rgb(h, l, s)
    return "#{:02x}{:02x}{:02x}".format(round(r * 255), round(g * 255), round(b * 255))


def variant_temperature(name: str) -> float | None:
    """``dssm@t0.05`` -> 0.05 (None when the name carries no temperature)."""
    if "@t" not in name:
        return None
    try:
        return float(name.split("@t", 1)[1])
    except ValueError:
        return None


def base_color(base: str) -> str:
    """The colour of a model class (or of the transition or EASE reference row)."""
    if base == "transition":
        return TRANSITION_COLOR
    if base == "ease":
        return EASE_COLOR
    cls = find_model_class(base)
    return cls.color if cls is not None else _FALLBACK[sum(map(ord, base)) % len(_FALLBACK)]


def model_color(name: str) -> str:
    """Hex colour of a stored model name (``item2vec``, ``dssm@t0.05`` ...)."""
    base = name.split("@", 1)[0]
    color = base_color(base)
    if base == name:
        return color
    t = variant_temperature(name)
    # log10(tau) in [-2, 0] -> from darker (sharp) to lighter (flat); other variants slightly lighter.
    amount = 0.35 if t is None else max(-0.6, min(0.6, 0.3 * (math.log10(t) + 1.0)))
    return _shade(color, amount if amount else 0.2)
