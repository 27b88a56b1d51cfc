"""Plotly figures shared by pages (the data behind them comes from :mod:`recall_core.analysis`)."""
from __future__ import annotations


#: A map with more points than this is drawn with WebGL (``scattergl``); up to it, with SVG (``scatter``).
#: Measured on ML-100K's item maps (1,682 points, two side by side) in headless Chromium, where WebGL is drawn
#: in software: the page settles sooner with SVG (BENCHMARKS.md, "The first visitor of the Maps page", warm
#: case). Not measured between 2,000 and 30,000 points, so WebGL is kept there, as before (large catalogues,
#: up to ``maps.MAX_POINTS``).
WEBGL_ABOVE = 2_000


def figure(df, colour: str, title: str, hover: str = "title", highlight=(), focus=None, id_col: str = "item_id",
           height: int = 520, webgl: bool | None = None, colour_label: str | None = None,
           colors: dict[str, str] | None = None):
    """A plotly scatter map coloured by ``colour`` (categorical: one trace per value; numeric: a scale).

    ``webgl``: ``scattergl`` traces (True) or SVG ``scatter`` traces (False); by default WebGL only for more
    than :data:`WEBGL_ABOVE` points.

    Categorical: the 20 most frequent values get a colour each (:func:`recall_core.app.style.category_colors`,
    never one twice), the rest is one grey trace, "other". ``colors``: that mapping, computed on a larger
    frame (a close-up passes its full map's, so a genre keeps its colour); default: from ``df``.

    ``webgl=False`` draws SVG ``scatter`` traces: for small figures (a close-up of at most
    :data:`~recall_core.analysis.maps.CLOSE_UP_POINTS` points) the browser draws SVG faster than it sets
    up a WebGL context per trace, which a redraw (a new K) pays again.

    ``highlight``: ids drawn large with a black ring (a movie's neighbours);
    ``focus``: one id drawn as a star (the movie itself).
    ``colour_label``: the colouring's name on the colour bar (default: the column's name). Legend names
    and the colour bar are in the reader's language (:mod:`recall_core.app.i18n`).
    Columns are read once as numpy arrays (plotly validates those quickly; pandas string columns are slow
    to validate and to slice, which showed at 10k points).
    """
    import numpy as np
    import plotly.graph_objects as go

    from recall_core.app.i18n import t

    fig = go.Figure()
    if webgl is None:
        webgl = len(df) > WEBGL_ABOVE
    Scatter = go.Scattergl if webgl else go.Scatter  # noqa: N806
    other = t("figures.other")
    x, y = df["x"].to_numpy(), df["y"].to_numpy()
    text = df[hover].to_numpy(dtype=object)
    ids = df[id_col].to_numpy(dtype=object)
    col = df[colour] if colour in df else None
    hover_t = "%{text}<extra>%{fullData.name}</extra>"
    if col is not None and (col.dtype.kind in "OUSb" or str(col.dtype) in ("category", "string", "str")):
        from recall_core.app.style import OTHER, category_colors, shown_categories

        values = col.astype(str).to_numpy(dtype=object)
        palette = colors if colors is not None else category_colors(shown_categories(values))
        named = [c for c in palette if c != OTHER]
        present = set(values)
        rest = ~np.isin(values, named)
        for value in [*(c for c in named if c in present), *([OTHER] if rest.any() else [])]:
            mask = rest if value == OTHER else values == value
            fig.add_trace(Scatter(x=x[mask], y=y[mask], mode="markers", name=other if value == OTHER else str(value),
                                  text=text[mask],
                                  marker=dict(size=5, opacity=0.75, color=palette[value]), hovertemplate=hover_t))
    else:
        fig.add_trace(Scatter(
            x=x, y=y, mode="markers", name=colour, text=text, hovertemplate=hover_t,
            marker=dict(size=5, opacity=0.8, color=None if col is None else col.to_numpy(), colorscale="Viridis",
                        showscale=col is not None, colorbar=dict(title=colour_label or colour, thickness=12)),
            showlegend=False))
    hl = np.isin(ids, list(set(highlight)))
    if hl.any():
        fig.add_trace(Scatter(x=x[hl], y=y[hl], mode="markers", name=t("figures.neighbours"), text=text[hl],
                                   hovertemplate=hover_t,
                                   marker=dict(size=11, color="rgba(0,0,0,0)", line=dict(color="black", width=2))))
    if focus is not None:
        f = ids == focus
        if f.any():
            fig.add_trace(Scatter(x=x[f], y=y[f], mode="markers", name=t("figures.selected"), text=text[f],
                                       hovertemplate=hover_t,
                                       marker=dict(size=18, symbol="star", color="red", line=dict(color="black", width=1))))
    fig.update_layout(title=title, height=height, margin=dict(t=50, b=10, l=10, r=10),
                      xaxis=dict(showticklabels=False, title=None), yaxis=dict(showticklabels=False, title=None),
                      legend=dict(itemsizing="constant"))
    return fig


def category_palette(df, colour: str) -> dict[str, str] | None:
    """The category colours of ``df[colour]`` (None for a numeric column): pass it to :func:`figure` for
    parts of the same frame (a sample, a close-up) so each category keeps its colour."""
    from recall_core.app.style import category_colors, shown_categories

    col = df[colour] if colour in df else None
    if col is None or not (col.dtype.kind in "OUSb" or str(col.dtype) in ("category", "string", "str")):
        return None
    return category_colors(shown_categories(col.astype(str).to_numpy(dtype=object)))


#: one colour per index kind on the Serving page
INDEX_COLORS = {"flat": "#222222", "hnsw": "#3969ac", "hnsw-l2": "#7f3c8d", "ivf": "#11a579", "ivfpq": "#e73f74"}


def serving_tradeoff(frame, title: str, recall_col: str = "recall@10", target: float = 0.99, height: int = 420):
    """Recall against p99 latency: one line per index kind through its settings (labelled), exact as a star.

    ``frame``: :func:`recall_core.analysis.serving.rows_frame` (``kind, setting, recall@10, p50_ms, p99_ms, ...``).
    """
    import plotly.graph_objects as go

    from recall_core.app.i18n import t

    fig = go.Figure()
    for kind, d in frame.groupby("kind", sort=False):
        exact = kind == "flat"
        label = t("serving.exact_flat") if exact else kind
        fig.add_trace(go.Scatter(
            x=d["p99_ms"], y=d[recall_col], mode="markers" if exact else "lines+markers+text", name=label,
            text=None if exact else d["setting"].str.split("=").str[-1], textposition="top center",
            customdata=d[["setting", "p50_ms"]].to_numpy(),
            marker=dict(size=16 if exact else 8, symbol="star" if exact else "circle",
                        color=INDEX_COLORS.get(kind, "#7f3c8d")),
            line=dict(color=INDEX_COLORS.get(kind, "#7f3c8d")),
            hovertemplate=t("serving.hover", label=label)))
    fig.add_hline(y=target, line=dict(color="#888888", dash="dot"), annotation_text=t("serving.target", target=target),
                  annotation_position="bottom right")
    fig.update_layout(title=title, height=height, margin=dict(t=50, b=10, l=10, r=10),
                      xaxis=dict(title=t("serving.x_title"), type="log"),
                      yaxis=dict(title=t("serving.y_title", col=recall_col),
                                 range=[max(0.0, float(frame[recall_col].min()) - 0.05), 1.02]),
                      legend=dict(orientation="h", y=-0.2))
    return fig
