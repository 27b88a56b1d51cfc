"""EGES: the weighted session graph around a movie, walks sampled on it, and H_v as an attention-weighted sum."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import mechanisms
from recall_core.app import widgets
from recall_core.app.how import HowContext, data_key, differs, formula, idea, look_for, pick_item_row, titles
from recall_core.app.i18n import t
from recall_core.app.style import model_color
from recall_core.features.graph import PAD

N_WALKS = 5
WALK_SEED = 0


@st.cache_resource(show_spinner=False, max_entries=8)
def _graph(_train, key: str, gap: float):  # noqa: ARG001 (key: the cache key of _train)
    return mechanisms.eges_graph(_train, gap)


@st.cache_data(show_spinner=False, max_entries=64)
def _ego(_train, key: str, gap: float, item: int, depth: int):
    edges = mechanisms.ego_network(_graph(_train, key, gap), item, depth)
    return edges, mechanisms.ego_layout(edges, item)


def _ego_figure(ctx: HowContext, edges: pd.DataFrame, pos: dict, item: int) -> go.Figure:
    fig = go.Figure()
    wmax = float(edges["weight"].max()) if len(edges) else 1.0
    # One line trace per width band and one layout update for the arrows: plotly validates every
    # add_trace / add_annotation call, which is slow for a hundred edges.
    band = np.minimum((4 * edges["weight"].to_numpy() / wmax).astype(int), 3) if len(edges) else np.zeros(0, int)
    for b in range(4):
        xs, ys = [], []
        for r in edges[band == b].itertuples():
            (x0, y0), (x1, y1) = pos[int(r.src)], pos[int(r.dst)]
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                                     line=dict(width=1 + 2.3 * b, color="rgba(120,120,120,0.45)")))
    fig.update_layout(annotations=[
        dict(x=pos[int(r.dst)][0], y=pos[int(r.dst)][1], ax=pos[int(r.src)][0], ay=pos[int(r.src)][1], xref="x", yref="y",
             axref="x", ayref="y", showarrow=True, arrowhead=2, arrowsize=1, arrowwidth=1,
             arrowcolor="rgba(120,120,120,0.6)", text="", standoff=8) for r in edges.itertuples()])
    nodes = list(pos)
    out_w = edges.groupby("src")["weight"].sum()
    in_w = edges.groupby("dst")["weight"].sum()
    labels = titles(ctx, nodes)
    fig.add_trace(go.Scatter(
        x=[pos[n][0] for n in nodes], y=[pos[n][1] for n in nodes], mode="markers+text", showlegend=False,
        text=[lab[:22] for lab in labels], textposition="top center", textfont=dict(size=10),
        customdata=np.stack([labels, [int(out_w.get(n, 0)) for n in nodes], [int(in_w.get(n, 0)) for n in nodes]],
                            axis=1),
        hovertemplate="%{customdata[0]}<br>" + t("how.eges.hover_node") + "<extra></extra>",
        marker=dict(size=[22 if n == item else 12 for n in nodes],
                    color=[model_color(ctx.name) if n == item else "#9aa0a6" for n in nodes],
                    line=dict(width=1, color="white"))))
    fig.update_layout(height=480, margin=dict(t=10, b=10, l=10, r=10), xaxis=dict(visible=False),
                      yaxis=dict(visible=False))
    return fig


def render(ctx: HowContext) -> None:
    cfg = mechanisms.stored_config(ctx.manifest)
    formula(ctx)
    idea("how.eges.idea", gap=int(cfg.session_gap_seconds // 60))
    if side := ctx.manifest.get("info", {}).get("side_fields"):  # the fields the data declared (issue 20)
        st.caption(t("dataset.eges_fields", fields=", ".join(
            f"**{widgets.md_escape(f['field'])}** ({widgets.md_escape(f['source'])})" for f in side)))

    c1, c2 = st.columns([4, 1])
    item = pick_item_row(ctx, container=c1)
    depth = c2.radio(t("how.eges.depth"), [1, 2], horizontal=True, key=f"{ctx.key}_depth")
    key, gap = data_key(ctx), float(cfg.session_gap_seconds)
    graph = _graph(ctx.train, key, gap)
    steps = mechanisms.first_step(graph, item)
    graph_tab, walk_tab, att_tab = st.tabs([t("how.eges.tab_graph"), t("how.eges.tab_walks"), t("how.eges.tab_att")],
                                           key=f"{ctx.key}_tabs", on_change="rerun")
    # Cheap parts are computed whatever the open tab: "what to look for" checks them.
    walks = mechanisms.sample_walks(graph, item, N_WALKS, int(cfg.walk_length), WALK_SEED)
    on_edges = mechanisms.walk_steps_on_graph(graph, walks)
    att = mechanisms.attention_breakdown(ctx.output, ctx.train, item)
    if graph_tab.open is not False:
        with graph_tab:
            edges, pos = _ego(ctx.train, key, gap, item, int(depth))
            if len(edges):
                st.plotly_chart(_ego_figure(ctx, edges, pos, item), key=f"{ctx.key}_ego", width="stretch")
                st.caption(t("how.eges.ego_caption", nodes=len(pos), edges=len(edges), gap=int(gap // 60)))
            else:
                st.info(t("how.eges.no_edges"))
    if walk_tab.open is not False:
        with walk_tab:
            left, right = st.columns([2, 3])
            with left:
                st.markdown("**" + t("how.eges.first_step_head", n=len(steps)) + "**")
                fs = steps.head(12).assign(title=lambda d: titles(ctx, d["item_idx"]))
                widgets.table(fs[["title", "weight", "probability"]], key=f"{ctx.key}_first_step", hide_index=True,
                              width="stretch", column_config={
                                  "weight": st.column_config.NumberColumn("M_ij", format="%d"),
                                  "probability": st.column_config.ProgressColumn(
                                      "M_ij / Σ M_ij", min_value=0.0, max_value=1.0, format="%.3f")})
            with right:
                st.markdown("**" + t("how.eges.walks_head", n=N_WALKS, length=cfg.walk_length) + "**")
                names = np.asarray(titles(ctx, range(ctx.train.n_items)), dtype=object)
                table = pd.DataFrame({f"{s + 1}": [names[v] if v != PAD else "—" for v in walks[:, s]]
                                      for s in range(walks.shape[1])})
                widgets.table(table, key=f"{ctx.key}_walks", hide_index=True, width="stretch")
                used = ctx.manifest.get("info", {}).get("walks", {})
                wpn = used.get("walks_per_node_used", cfg.walks_per_node)  # scaled on a sparse graph (issue 22)
                caption = t("how.eges.walks_caption", window=cfg.window, wpn=wpn)
                if wpn != cfg.walks_per_node:
                    caption += " " + t("how.eges.walks_scaled", wpn=wpn, set=cfg.walks_per_node,
                                       density=used.get("transitions_per_node", 0.0),
                                       full=used.get("walks_full_density", 0.0))
                st.caption(caption)
    if att_tab.open is not False:
        with att_tab:
            left, right = st.columns(2)
            with left:
                fig = go.Figure(go.Bar(x=att["fields"], y=att["weights"], marker_color=model_color(ctx.name),
                                       text=np.round(att["weights"], 3), textposition="outside"))
                fig.update_layout(height=320, yaxis=dict(range=[0, 1], title="a_v^j"),
                                  margin=dict(t=20, b=10, l=10, r=10))
                st.plotly_chart(fig, key=f"{ctx.key}_att", width="stretch")
            with right:
                parts = pd.DataFrame({"field": att["fields"], "weight": att["weights"],
                                      "norm": np.linalg.norm(att["parts"], axis=1),
                                      "cos_to_H": [float(p @ att["stored"] / max(np.linalg.norm(p) *
                                                                                   np.linalg.norm(att["stored"]), 1e-12))
                                                   for p in att["parts"]]})
                widgets.table(parts, key=f"{ctx.key}_parts", hide_index=True, width="stretch", column_config={
                    "weight": st.column_config.NumberColumn("a_v^j", format="%.3f"),
                    "norm": st.column_config.NumberColumn("‖a_v^j W_v^j‖", format="%.4f"),
                    "cos_to_H": st.column_config.NumberColumn("cos(a_v^j W_v^j, H_v)", format="%+.3f")})
                st.caption(t("how.eges.recompose", err=att["max_abs_error"]) if att["id_stored"]
                           else t("how.eges.recompose_derived"))
                if not att["known"]:
                    st.caption(t("how.eges.cold_item"))

    lines = []
    if len(steps):
        lines.append(t("how.eges.look_first_step", n=len(steps), p=float(steps["probability"].iloc[0]),
                       title=titles(ctx, [steps["item_idx"].iloc[0]])[0]))
    else:
        lines.append(t("how.eges.look_dead_end"))
    lines.append(t("how.eges.look_walks", ok=on_edges[0], n=on_edges[1]))
    if att["known"]:
        top = att["fields"][int(np.argmax(att["weights"]))]
        lines.append(t("how.eges.look_att", field=top, w=float(att["weights"].max())))
    look_for(lines)
    info = ctx.manifest.get("info", {})
    g = info.get("graph", {})
    lines = [t("how.eges.diff_graph", nodes=g.get("nodes", graph.n_nodes), edges=g.get("edges", graph.n_edges)),
             t("how.eges.diff_formula"),
             t("how.eges.diff_popularity") if cfg.popularity_field else t("how.eges.diff_no_popularity"),
             t("how.eges.diff_cold_attention") if cfg.cold_start == "attention" else t("how.eges.diff_cold_mean"),
             t("how.eges.diff_user", n=cfg.user_last_n)]
    differs(lines)
