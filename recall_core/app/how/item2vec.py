"""Item2Vec: a user's history as a sentence, the (centre, context) pairs of one film, and its two vectors."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import mechanisms
from recall_core.app import widgets
from recall_core.app.how import (HowContext, data_key, differs, formula, idea, look_for, neighbours, pick_item_row,
                                  titles)
from recall_core.app.i18n import t
from recall_core.app.style import model_color

K = 10


@st.cache_data(show_spinner=False, max_entries=64)
def _pairs(_train, data_key: str, item: int, context: str, window: int, set_chunk: int) -> pd.DataFrame:  # noqa: ARG001
    return mechanisms.item2vec_pairs(_train, item, context, window, set_chunk)


def render(ctx: HowContext) -> None:
    cfg = mechanisms.stored_config(ctx.manifest)
    context, window = cfg.context, int(cfg.window)
    formula(ctx)
    idea("how.item2vec.idea")

    item = pick_item_row(ctx)
    sentence = mechanisms.item2vec_sentence(ctx.train, item, window if context == "sequence" else 10 ** 6)
    h, p = sentence["history"], sentence["position"]
    lo, hi = sentence["window"]
    user_id = ctx.train.user_vocab.id(sentence["user"])
    st.markdown("**" + t("how.item2vec.sentence_head", user=user_id, n=len(h), view=t(f"how.item2vec.view_{context}", window=window),
                                                      window=window) + "**")
    # Show the centre's neighbourhood of the sentence (a few films beyond the window on each side).
    show_lo, show_hi = max(0, lo - 3), min(len(h), hi + 3)
    role = [t("how.item2vec.role_centre") if q == p else
            (t("how.item2vec.role_context", d=abs(q - p)) if lo <= q < hi else t("how.item2vec.role_outside"))
            for q in range(show_lo, show_hi)]
    sent = pd.DataFrame({"position": range(show_lo + 1, show_hi + 1), "title": titles(ctx, h[show_lo:show_hi]),
                         "role": role})
    widgets.table(sent.style.apply(lambda r: ["font-weight: bold; background-color: rgba(0,114,178,0.18)"
                                              if r["position"] - 1 == p else
                                              ("background-color: rgba(0,114,178,0.07)" if lo <= r["position"] - 1 < hi
                                               else "")] * len(r), axis=1),
                  key=f"{ctx.key}_sentence", hide_index=True, width="stretch")

    pairs = _pairs(ctx.train, data_key(ctx), item, context, window, int(cfg.set_chunk))
    left, right = st.columns(2)
    with left:
        st.markdown("**" + t("how.item2vec.pairs_head", n=int(pairs["pairs"].sum()), contexts=len(pairs)) + "**")
        top = pairs.head(15)
        fig = go.Figure(go.Bar(x=top["expected"][::-1], y=titles(ctx, top["item_idx"])[::-1], orientation="h",
                               marker_color=model_color(ctx.name),
                               customdata=top[["pairs", "users"]].to_numpy()[::-1],
                               hovertemplate="%{y}<br>" + t("how.item2vec.hover_pairs") + "<extra></extra>"))
        fig.update_layout(height=420, margin=dict(t=10, b=10, l=10, r=10),
                          xaxis=dict(title=t("how.item2vec.axis_expected")))
        st.plotly_chart(fig, key=f"{ctx.key}_pairs_chart", width="stretch")
    sim = neighbours(ctx, item, K, "similar")
    co = neighbours(ctx, item, K, "cooccur")
    with right:
        both = pd.DataFrame({"#": range(1, K + 1),
                             t("how.item2vec.col_similar"): list(sim["title"]) + [""] * (K - len(sim)),
                             t("how.item2vec.col_cooccur"): list(co["title"]) + [""] * (K - len(co))})
        st.markdown("**" + t("how.item2vec.lists_head") + "**")
        widgets.table(both, key=f"{ctx.key}_lists", hide_index=True, width="stretch")
        st.caption(t("how.item2vec.lists_caption"))

    shared = len(set(sim["item_id"]) & set(co["item_id"]))
    top_ids = set(ctx.train.item_vocab.ids[pairs["item_idx"].head(20).to_numpy()])
    co_in_pairs = len(set(co["item_id"]) & top_ids)
    co_any_pair = len(set(co["item_id"]) & set(ctx.train.item_vocab.ids[pairs["item_idx"].to_numpy()]))
    look_for([
        t("how.item2vec.look_shared", shared=shared, k=K),
        t("how.item2vec.look_pairs", n=co_in_pairs, k=len(co), any=co_any_pair),
        t("how.item2vec.look_vectors"),
    ])
    info = ctx.manifest.get("info", {})
    lines = [t("how.item2vec.diff_context_sequence", window=window) if context == "sequence"
             else t("how.item2vec.diff_context_set", chunk=cfg.set_chunk),
             t("how.item2vec.diff_negatives_uniform") if float(cfg.ns_exponent) == 0.0
             else t("how.item2vec.diff_negatives_power", e=cfg.ns_exponent),
             t("how.item2vec.diff_user", n=cfg.user_last_n),
             t("how.item2vec.diff_similar"),
             t("how.item2vec.diff_skipgram", epochs=cfg.epochs)]
    if info.get("window") is not None and context == "set":
        lines.append(t("how.item2vec.diff_set_window", window=info["window"]))
    differs(lines)
