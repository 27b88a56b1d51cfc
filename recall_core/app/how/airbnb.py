"""Airbnb: one user's 30-minute sessions with the booked film, a session's pairs, and market negatives."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import mechanisms
from recall_core.app import widgets
from recall_core.app.how import HowContext, data_key, differs, formula, idea, look_for, pick_user_row, titles
from recall_core.app.i18n import t
from recall_core.app.style import model_color

N_NEGATIVES = 10
NEG_SEED = 0


@st.cache_resource(show_spinner=False, max_entries=8)
def _sessions(_train, key: str, gap: float):  # noqa: ARG001 (key: the cache key of _train)
    return mechanisms.airbnb_sessions(_train, gap)


def _timeline(ctx: HowContext, us: pd.DataFrame) -> go.Figure:
    when = pd.to_datetime(us["timestamp"], unit="s")
    order = {s: i + 1 for i, s in enumerate(dict.fromkeys(us["session"]))}
    y = us["session"].map(order)
    names = titles(ctx, us["item_idx"])
    fig = go.Figure()
    for booked, symbol, size, colour, label in ((False, "circle", 8, "#9aa0a6", t("how.airbnb.legend_film")),
                                                (True, "star", 16, model_color(ctx.name), t("how.airbnb.legend_booked"))):
        m = (us["booked"] == booked).to_numpy()
        fig.add_trace(go.Scatter(
            x=when[m], y=y[m], mode="markers", name=label, marker=dict(symbol=symbol, size=size, color=colour),
            text=np.asarray(names, dtype=object)[m], customdata=us.loc[m, "rating"],
            hovertemplate="%{text}<br>%{x}<br>★ %{customdata}<extra></extra>"))
    fig.update_layout(height=min(120 + 14 * len(order), 460), margin=dict(t=10, b=10, l=10, r=10),
                      yaxis=dict(title=t("how.airbnb.axis_session"), autorange="reversed"),
                      legend=dict(orientation="h", y=1.08))
    return fig


def render(ctx: HowContext) -> None:
    cfg = mechanisms.stored_config(ctx.manifest)
    formula(ctx)
    gap_min = int(cfg.session_gap_seconds // 60)
    idea("how.airbnb.idea", gap=gap_min)
    key, gap = data_key(ctx), float(cfg.session_gap_seconds)
    sessions = _sessions(ctx.train, key, gap)
    min_rating = float(cfg.booking_min_rating)
    user = pick_user_row(ctx)
    us = mechanisms.user_sessions(ctx.train, sessions, user, min_rating, cfg.booking_rule)
    if not len(us):
        st.info(t("how.airbnb.no_history"))
        return
    n_sess = us["session"].nunique()
    n_booked = int(us.groupby("session")["booked"].any().sum())
    st.markdown("**" + t("how.airbnb.timeline_head", sessions=n_sess, booked=n_booked, gap=gap_min) + "**")
    st.plotly_chart(_timeline(ctx, us), key=f"{ctx.key}_timeline", width="stretch")

    # The session to open: default the user's longest booked session (else the longest).
    sizes = us.groupby("session").agg(n=("item_idx", "size"), booked=("booked", "any"))
    order = list(dict.fromkeys(us["session"]))
    default = sizes.sort_values(["booked", "n"], ascending=False).index[0]
    label = {s: t("how.airbnb.session_label", i=order.index(s) + 1, n=int(sizes.loc[s, "n"]),
                  booked="★" if sizes.loc[s, "booked"] else "") for s in order}
    skey = f"{ctx.key}_session"
    if st.session_state.get(skey) not in label:
        st.session_state[skey] = int(default)
    s = st.selectbox(t("how.airbnb.pick_session"), order, format_func=label.__getitem__, key=skey)
    pairs = mechanisms.session_pairs(sessions, int(s), int(cfg.window),
                                     min_rating if cfg.global_context else None, cfg.booking_rule)
    films = us[us["session"] == s]
    left, right = st.columns(2)
    with left:
        st.markdown("**" + t("how.airbnb.session_head", n=len(films)) + "**")
        widgets.table(pd.DataFrame({"title": titles(ctx, films["item_idx"]), "rating": films["rating"].to_numpy(),
                                    "booked": np.where(films["booked"], "★", "")}),
                      key=f"{ctx.key}_session_films", hide_index=True, width="stretch")
    with right:
        n_window = int((pairs["kind"] == "window").sum())
        n_global = int((pairs["kind"] == "global").sum())
        st.markdown("**" + t("how.airbnb.pairs_head", window=n_window, glob=n_global, w=cfg.window) + "**")
        shown = pairs.assign(centre=titles(ctx, pairs["centre"]), context=titles(ctx, pairs["context"]))
        widgets.table(shown, key=f"{ctx.key}_pairs", hide_index=True, width="stretch", height=300)

    centre = int(films["item_idx"].iloc[0])
    k_market = int(round(cfg.market_share * cfg.negative))
    negs = mechanisms.negatives_for(ctx.train, sessions, centre, N_NEGATIVES, cfg, seed=NEG_SEED)
    market = mechanisms.market_names(ctx.train)
    st.markdown("**" + t("how.airbnb.neg_head", title=titles(ctx, [centre])[0], market=market[centre],
                         n=N_NEGATIVES) + "**")
    st.caption(t("how.airbnb.neg_caption", k_market=k_market, k_cat=cfg.negative - k_market, share=cfg.market_share,
                 n=N_NEGATIVES))
    cols = st.columns(2)
    for col, source in zip(cols, ("market", "catalogue")):
        sel = negs[negs["source"] == source]
        with col:
            st.markdown(t(f"how.airbnb.neg_{source}"))
            widgets.table(pd.DataFrame({"title": titles(ctx, sel["item_idx"]), "market": market[sel["item_idx"]]}),
                          key=f"{ctx.key}_neg_{source}", hide_index=True, width="stretch")

    cat = negs[negs["source"] == "catalogue"]
    in_market = mechanisms.market_names(ctx.train)[ctx.train.item_counts > 0] == market[centre]
    look_for([
        t("how.airbnb.look_sessions", sessions=n_sess, booked=n_booked,
          total=int(ctx.manifest.get("info", {}).get("booked_sessions", 0)),
          all_sessions=int(ctx.manifest.get("info", {}).get("sessions", sessions.n_sessions))),
        t("how.airbnb.look_global", glob=n_global) if n_global else t("how.airbnb.look_no_booking"),
        t("how.airbnb.look_market", m=int(negs.loc[negs["source"] == "market", "same_market"].sum()), n=N_NEGATIVES,
          c=int(cat["same_market"].sum()), share=float(in_market.mean()) if len(in_market) else 0.0),
    ])
    rule = (t("how.airbnb.rule_top_rated", r=min_rating) if cfg.booking_rule == "top_rated"
            else t("how.airbnb.rule_ends_session", r=min_rating))
    differs([t("how.airbnb.diff_booking", rule=rule),
             t("how.airbnb.diff_market", share=cfg.market_share, k=k_market, neg=cfg.negative),
             t("how.airbnb.diff_global") if cfg.global_context else t("how.airbnb.diff_no_global"),
             *([_global_negatives_line(cfg)] if cfg.global_context else []),
             t("how.airbnb.diff_no_code"),
             t("how.airbnb.diff_user", n=cfg.user_last_n)])


def _global_negatives_line(cfg) -> str:
    """The booked-film pairs' negatives (the paper's term has none), with `make ablations`' validation cells."""
    from recall_core.analysis.claims import ablation_row, load_ablations

    row = ablation_row(load_ablations(), "airbnb", "negatives for the booked-film pairs (I2I)")
    cells = {}
    for v in (row or {}).get("variants", []):
        on = v["overrides"].get("global_negatives")
        vals = [((v["cells"].get(shape) or {}).get("valid") or {}).get("i2i_hr@10") for shape in ("ml-100k", "synth-10k")]
        if all(x is not None for x in vals):
            cells[on] = " / ".join(f"{x:.4f}" for x in vals)
    key = "how.airbnb.diff_global_negatives" if cfg.global_negatives else "how.airbnb.diff_global_no_negatives"
    if True in cells and False in cells:
        return t(key, k=cfg.negative) + " " + t("how.airbnb.diff_global_negatives_measured", on=cells[True],
                                                 off=cells[False])
    return t(key, k=cfg.negative)
