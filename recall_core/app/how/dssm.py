"""How it works: DSSM. One in-batch softmax: the B x B logits cos/τ, the logQ correction, one user's row."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from recall_core.analysis.towers_mechanism import entropy_bits, in_batch_logits, in_batch_softmax, log_q
from recall_core.app import widgets
from recall_core.app.how import formula
from recall_core.app.how._towers_text import _t
from recall_core.app.how._towers_ui import cap_text, checks, config_of, differences, title

B = 8
TAUS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)


def batch_of(ctx, number: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """``(users (B,), targets (B,), user_vectors (B, d), from_training)`` of batch ``number``.

    From the stored sample of training examples (the user tower at each example's own
    history) when the model has it; else B seeded users with a positive drawn from their
    training history and their stored serving vectors (``from_training`` False).
    """
    ex = ctx.output.extras
    if all(k in ex for k in ("batch_users", "batch_targets", "batch_user_vectors")):
        n = len(ex["batch_users"]) // B
        sl = slice((number % max(n, 1)) * B, (number % max(n, 1)) * B + B)
        return (np.asarray(ex["batch_users"])[sl], np.asarray(ex["batch_targets"])[sl],
                np.asarray(ex["batch_user_vectors"])[sl], True)
    train = ctx.train
    rng = np.random.default_rng(number)
    active = np.flatnonzero(np.diff(train.user_offsets) > 0)
    users = np.sort(rng.choice(active, size=min(B, len(active)), replace=False))
    targets = np.asarray([rng.choice(train.history(u)) for u in users], np.int64)
    return users, targets, ctx.output.user_vectors[users], False


def n_batches(ctx) -> int:
    ex = ctx.output.extras
    return max(1, len(ex["batch_users"]) // B) if "batch_users" in ex else 100


def render(ctx) -> None:
    lang, ds, out = ctx.lang, ctx.dataset, ctx.output
    cfg = config_of(ctx)
    info = ctx.manifest.get("info") or {}
    tau0 = float(info.get("temperature", cfg["temperature"]))
    logq_used = bool(info.get("logq_correction", cfg["logq_correction"] and cfg["softmax"] == "in_batch"))
    formula(ctx)
    st.markdown(_t(lang, "dssm_idea" if cfg["softmax"] == "in_batch" else "dssm_idea_full"))

    c1, c2, c3 = st.columns(3)
    number = int(c1.number_input(_t(lang, "dssm_batch"), 0, n_batches(ctx) - 1, 0, key=f"{ctx.key}_dssm_batch"))
    taus = sorted({*TAUS, tau0})
    tau = float(c2.select_slider("τ", taus, value=tau0, key=f"{ctx.key}_dssm_tau"))
    use_logq = c3.checkbox(_t(lang, "dssm_logq_box"), value=logq_used, key=f"{ctx.key}_dssm_logq")
    users, targets, uvecs, from_training = batch_of(ctx, number)
    st.caption(_t(lang, "dssm_source_training" if from_training else "dssm_source_serving"))

    counts = ctx.train.item_counts
    lq = log_q(counts)[targets]
    logits = in_batch_logits(uvecs, out.item_vectors[targets], tau)
    corrected, probs = in_batch_softmax(logits, targets, lq if use_logq else None)
    uid = ds.user_vocab.ids
    cols = [f"{j + 1}. {title(ds, t)[:28]}" for j, t in enumerate(targets)]
    rows = [f"user {uid[u]}" for u in users]
    st.markdown(f"**{_t(lang, 'dssm_matrix')}**")
    widgets.dataframe(pd.DataFrame(logits, index=rows, columns=cols).round(2), key=f"{ctx.key}_dssm_logits")
    widgets.dataframe(pd.DataFrame({"column": cols, "train count": counts[targets], "log q": lq,
                               "correction −log q": -lq}).round(3), hide_index=True,
                 key=f"{ctx.key}_dssm_logq_table")

    b = int(st.selectbox(_t(lang, "dssm_row"), list(range(len(users))), key=f"{ctx.key}_dssm_row",
                         format_func=lambda i: f"user {uid[users[i]]} → {title(ds, targets[i])}"))
    _row_chart(ctx, cols, probs[b], b)

    # What to look for, on this batch.
    sums = probs.sum(axis=1)
    own_first = int((probs.argmax(axis=1) == np.arange(len(users))).sum())
    _, p1 = in_batch_softmax(in_batch_logits(uvecs, out.item_vectors[targets], 1.0), targets,
                             lq if use_logq else None)
    rare, pop = int(np.argmin(counts[targets])), int(np.argmax(counts[targets]))
    items = [(bool(np.allclose(sums, 1.0)), _t(lang, "dssm_check_rows", err=float(np.abs(sums - 1).max()))),
             (None, _t(lang, "dssm_check_own", k=own_first, b=len(users), tau=tau)),
             (bool(entropy_bits(probs[b]) <= entropy_bits(p1[b]) + 1e-9) if tau <= 1 else None,
              _t(lang, "dssm_check_entropy", tau=tau, h=float(entropy_bits(probs[b])), h1=float(entropy_bits(p1[b])),
                 hmax=float(np.log2(len(users))))),
             (None, _t(lang, "dssm_check_logq", rare=cols[rare], n_rare=int(counts[targets][rare]), c_rare=-lq[rare],
                       pop=cols[pop], n_pop=int(counts[targets][pop]), c_pop=-lq[pop]))]
    if cfg["softmax"] != "in_batch":
        items.append((None, _t(lang, "dssm_check_full")))
    checks(ctx, items)
    _differences(ctx, cfg, tau0, logq_used)


def _row_chart(ctx, cols: list[str], p: np.ndarray, b: int) -> None:
    import plotly.graph_objects as go

    colors = ["#D55E00" if j == b else "#999999" for j in range(len(cols))]
    fig = go.Figure(go.Bar(x=cols, y=p, marker_color=colors, text=[f"{v:.3f}" for v in p], textposition="outside"))
    fig.update_layout(height=320, margin=dict(t=40, b=10, l=10, r=10), yaxis=dict(range=[0, 1.1], title="p"),
                      title=_t(ctx.lang, "dssm_row_title"))
    st.plotly_chart(fig, width="stretch", key=f"{ctx.key}_dssm_chart")


def _differences(ctx, cfg: dict, tau0: float, logq_used: bool) -> None:
    lang = ctx.lang
    if cfg["softmax"] == "in_batch":
        lines = [_t(lang, "dssm_diff_in_batch" if logq_used else "dssm_diff_in_batch_no_logq",
                    batch_size=cfg["batch_size"])]
    else:
        lines = [_t(lang, "dssm_diff_full", n_items=ctx.train.n_items)]
    lines.append(_t(lang, "dssm_diff_tau", tau=tau0))
    lines.append(_t(lang, "dssm_diff_relu" if cfg["tower"] == "relu" else "dssm_diff_tutorial_tower",
                    hidden=", ".join(str(h) for h in cfg["hidden"]), dropout=cfg["dropout"]))
    lines.append(_t(lang, "dssm_diff_features", history_len=cfg["history_len"], recent_k=cfg["recent_k"],
                    user_id=_t(lang, "with_user_id" if cfg["use_user_id"] else "without_user_id")))
    lines.append(_t(lang, "dssm_diff_examples", cap=cap_text(cfg)))
    differences(ctx, lines)
