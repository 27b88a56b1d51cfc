"""How it works: FM. One (user, movie) pair's FM score term by term, and the exact two-tower split."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from recall_core.analysis.towers_mechanism import (FMTables, fm_cross_by_user_feature, fm_feature_labels,
                                                   fm_item_vectors, fm_terms, top_k_rows)
from recall_core.app import widgets
from recall_core.app.how import formula
from recall_core.app.how._towers_text import _t
from recall_core.app.how._towers_ui import cache_key, cap_text, checks, config_of, differences, pick_user_among, title
from recall_core.errors import RecallError



@st.cache_resource(show_spinner=False, max_entries=4)
def _features(key: str, _train, history_len: int, history_decay: float):  # noqa: ARG001 (key: cache key)
    """The FM features of every user (serving: full history) and item, built by the model's own code."""
    from recall_core.features.towers import user_histories
    from recall_core.models.fm import FMFeatures

    feats = FMFeatures(_train, history_len, history_decay)
    hist_ids, hist_mask = user_histories(_train, history_len)
    u_ids, u_vals = feats.user_side(np.arange(_train.n_users), hist_ids, hist_mask)
    i_ids, i_vals = feats.item_side()
    labels = fm_feature_labels(feats)
    return u_ids, u_vals, i_ids, i_vals, labels, int(feats.user_offsets["history"])


def _feature_value(ds, field: str, fid: int, hist_offset: int) -> str:
    if field.startswith("history"):
        return title(ds, fid - hist_offset - 1) if fid > hist_offset else "—"
    return ""


def render(ctx) -> None:
    lang, ds, out = ctx.lang, ctx.dataset, ctx.output
    cfg = config_of(ctx)
    formula(ctx)
    st.markdown(_t(lang, "fm_idea"))
    try:
        tables = FMTables.from_extras(out.extras, ctx.name)
    except RecallError as e:
        st.warning(str(e))
        _differences(ctx, cfg)
        return
    u_ids, u_vals, i_ids, i_vals, (u_fields, i_fields), hist_off = _features(
        cache_key(ctx), ctx.train, int(cfg["history_len"]), float(cfg["history_decay"]))

    c1, c2 = st.columns(2)
    with c1:
        u = pick_user_among(ctx, "fm_user")
    seen = ctx.train.history(u)
    stored = out.user_vectors[u].astype(np.float64) @ out.candidates.T.astype(np.float64)
    top = top_k_rows(stored, seen, 10, out.item_known)
    with c2:
        first = set(top.tolist())
        options = [*top.tolist(), *(r for r in range(ds.n_items) if r not in first)]
        t = int(st.selectbox(_t(lang, "pick_movie"), options, key=f"{ctx.key}_fm_item",
                             format_func=lambda r: title(ds, r)))

    terms = {k: v[0] for k, v in fm_terms(tables, u_ids[u], u_vals[u], i_ids[t], i_vals[t]).items()}
    rows = [("w0", "user-only", terms["bias"]),
            ("Σ w_u x_u", "user-only", terms["user_linear"]),
            ("½ Σ_f ((Σ v_u x_u)² − Σ v_u² x_u²)", "user-only", terms["user_pairwise"]),
            ("Σ w_t x_t", "item-only", terms["item_linear"]),
            ("½ Σ_f ((Σ v_t x_t)² − Σ v_t² x_t²)", "item-only", terms["item_pairwise"]),
            ("⟨Σ v_u x_u, Σ v_t x_t⟩", "cross", terms["cross"]),
            ("ŷ (full FM score)", "total", terms["full"])]
    widgets.dataframe(pd.DataFrame(rows, columns=["term", "part", "value"]), hide_index=True,
                 column_config={"value": st.column_config.NumberColumn(format="%.5f")}, key=f"{ctx.key}_fm_terms")
    two, full, uo = float(terms["two_tower"]), float(terms["full"]), float(terms["user_only"])
    stored_pair = float(stored[t])
    st.markdown(_t(lang, "fm_identity", two=two, full=full, uo=uo, diff=full - uo, err=abs(two - (full - uo)),
                   stored=stored_pair))

    contrib = fm_cross_by_user_feature(tables, u_ids[u], u_vals[u], i_ids[t], i_vals[t])
    live = np.asarray(u_vals[u]) != 0
    feat = pd.DataFrame({"feature": np.asarray(u_fields)[live],
                         "value": [_feature_value(ds, f, int(i), hist_off)
                                   for f, i in zip(np.asarray(u_fields)[live], np.asarray(u_ids[u])[live])],
                         "x": np.asarray(u_vals[u], np.float64)[live], "cross share": contrib[live]})
    st.caption(_t(lang, "fm_cross_caption"))
    widgets.dataframe(feat, hide_index=True, key=f"{ctx.key}_fm_cross",
                 column_config={"x": st.column_config.NumberColumn(format="%.3f"),
                                "cross share": st.column_config.NumberColumn(format="%.5f")})

    # What to look for, checked on this user and the whole catalogue.
    item_vecs = fm_item_vectors(tables, i_ids, i_vals)
    full_all = out.user_vectors[u].astype(np.float64) @ item_vecs.T + uo
    cand_err = float(np.abs(item_vecs - out.candidates).max())
    same_top = np.array_equal(top_k_rows(full_all, seen, 10, out.item_known), top)
    hist_share = float(np.abs(contrib[live & np.char.startswith(np.asarray(u_fields, str), "history")]).sum()
                       / max(np.abs(contrib).sum(), 1e-12))
    items = [(abs(two - (full - uo)) < 1e-4, _t(lang, "fm_check_identity", err=abs(two - (full - uo)))),
             (abs(two - stored_pair) < 1e-4 and cand_err < 1e-4,
              _t(lang, "fm_check_stored", err=abs(two - stored_pair), cand_err=cand_err)),
             (same_top, _t(lang, "fm_check_rank", uo=uo, n=int(ds.n_items)))]
    if cfg["loss"] in ("softmax", "sampled"):
        untrained = tables.w0 == 0 and not np.any(tables.user_w)
        items.append((untrained, _t(lang, "fm_check_softmax_bias")))
    if cfg["history_len"]:
        items.append((None, _t(lang, "fm_check_history", share=hist_share)))
    checks(ctx, items)
    _differences(ctx, cfg)


def _differences(ctx, cfg: dict) -> None:
    lang = ctx.lang
    lines = [_t(lang, "fm_diff_softmax", n_items=ctx.train.n_items) if cfg["loss"] == "softmax"
             else _t(lang, "fm_diff_sampled", num_sampled=cfg["num_sampled"], alpha=cfg["sample_alpha"])
             if cfg["loss"] == "sampled" else _t(lang, "fm_diff_bce", num_negatives=cfg["num_negatives"])]
    lines.append(_t(lang, "fm_diff_history", history_len=cfg["history_len"], decay=cfg["history_decay"])
                 if cfg["history_len"] else _t(lang, "fm_diff_no_history"))
    lines.append(_t(lang, "fm_diff_examples", cap=cap_text(cfg)))
    lines.append(_t(lang, "fm_diff_score"))
    lines.append(_t(lang, "fm_diff_typo"))
    differences(ctx, lines)
