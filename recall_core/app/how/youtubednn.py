"""How it works: YouTubeDNN. One user's next-watch examples (rollback, example age, the cap) and the
scores of a few movies as the serving age varies."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from recall_core.analysis.towers_mechanism import AgeGrid, top_k_rows, user_example_table
from recall_core.app import widgets
from recall_core.app.how import formula
from recall_core.app.how._towers_text import _t
from recall_core.app.how._towers_ui import cache_key, cap_text, checks, config_of, differences, pick_user_among, title
from recall_core.errors import RecallError



@st.cache_resource(show_spinner=False, max_entries=4)
def _examples(key: str, _train, history_len: int, cap: int | None, seed: int):  # noqa: ARG001 (key: cache key)
    """Every candidate example (no cap) and the ones the model's seeded cap kept: what training saw."""
    from recall_core.features.towers import next_item_examples

    return (next_item_examples(_train, history_len, None, seed=seed),
            next_item_examples(_train, history_len, cap, seed=seed))


def render(ctx) -> None:
    lang, ds, out = ctx.lang, ctx.dataset, ctx.output
    cfg = config_of(ctx)
    formula(ctx)
    st.markdown(_t(lang, "ytb_idea" if cfg["example_age"] else "ytb_idea_no_age"))
    try:
        grid = AgeGrid.from_extras(out.extras, ctx.name)
        grid_error = None
    except RecallError as e:
        grid, grid_error = None, str(e)
    train = ctx.train
    now = int(train.timestamp.max())
    u = pick_user_among(ctx, "ytb_user", None if grid is None else grid.users)

    # 1. The examples this user gave training.
    all_ex, kept_ex = _examples(cache_key(ctx), train, int(cfg["history_len"]), cfg["max_examples_per_user"],
                                int(cfg["seed"]))
    table = user_example_table(all_ex, kept_ex, u, now, float(cfg["age_unit_days"]))
    n_hist = len(train.history(u))
    st.markdown(f"**{_t(lang, 'ytb_examples')}**")
    st.caption(_t(lang, "ytb_examples_caption", n=n_hist, m=len(table), cap=cap_text(cfg),
                  kept=int(table["kept"].sum()), history_len=cfg["history_len"]))
    shown = pd.DataFrame({
        "position": table["position"], "target": [title(ds, t) for t in table["target"]],
        "date": pd.to_datetime(table["timestamp"], unit="s").dt.date,
        "history (most recent first)": [" · ".join(title(ds, i)[:24] for i in h[:3]) + (f" … (+{len(h) - 3})"
                                                                                       if len(h) > 3 else "")
                                        for h in table["history"]],
        "age (days)": table["age_days"], "a = log1p(age)": table["age_feature"], "kept": table["kept"]})
    widgets.dataframe(shown, hide_index=True, key=f"{ctx.key}_ytb_examples", height=280,
                 column_config={"age (days)": st.column_config.NumberColumn(format="%.1f"),
                                "a = log1p(age)": st.column_config.NumberColumn(format="%.3f")})

    # 2. Scores as the serving age varies.
    st.markdown(f"**{_t(lang, 'ytb_ages')}**")
    items: list[tuple[bool | None, str]] = []
    if len(table):
        items.append((None, _t(lang, "ytb_check_ages", newest=float(table["age_days"].min()),
                               oldest=float(table["age_days"].max()))))
    if not cfg["example_age"]:
        st.info(_t(lang, "ytb_no_age_view"))
    elif grid is None:
        st.info(grid_error)
    else:
        _age_view(ctx, cfg, grid, u, items)
    checks(ctx, items)
    _differences(ctx, cfg)


def _age_view(ctx, cfg: dict, grid: AgeGrid, u: int, items: list) -> None:
    lang, ds, out = ctx.lang, ctx.dataset, ctx.output
    cand = out.candidates
    seen = ctx.train.history(u)
    counts = ctx.train.item_counts
    scores_all = grid.scores(u, cand)  # (A, n_items)
    labels = [str(x) for x in grid.labels]
    days = grid.days[grid.row(u)]
    serve = labels.index("own") if cfg["serving_age"] == "user_last" else labels.index("0")
    stored = out.user_vectors[u].astype(np.float64) @ cand.T.astype(np.float64)
    top_serve = top_k_rows(scores_all[serve], seen, 5, out.item_known)
    pop = [r for r in top_k_rows(counts.astype(np.float64), seen, 8, out.item_known) if r not in set(top_serve)][:3]
    rows = np.asarray([*top_serve, *pop], np.int64)
    order = np.argsort(days, kind="stable")
    names = [f"{'own, ' if labels[a] == 'own' else ''}{days[a]:.0f} d" for a in order]
    frame = pd.DataFrame(scores_all[order][:, rows].T, columns=names)
    frame.insert(0, "movie", [title(ds, r) for r in rows])
    widgets.dataframe(frame, hide_index=True, key=f"{ctx.key}_ytb_age_scores",
                 column_config={n: st.column_config.NumberColumn(format="%.3f") for n in names})
    st.caption(_t(lang, "ytb_ages_caption", serve=names[list(order).index(serve)]))

    err = float(np.abs(scores_all[serve] - stored).max())
    items.append((err < 1e-4, _t(lang, "ytb_check_oracle", err=err)))
    tops = {a: top_k_rows(scores_all[a], seen, 10, out.item_known) for a in range(len(labels))}
    old = int(order[-1])
    overlap = len(set(tops[serve]) & set(tops[old]))
    items.append((None, _t(lang, "ytb_check_overlap", serve=names[list(order).index(serve)],
                           old=names[-1], k=overlap)))
    pops = "; ".join(f"{names[i]}: {counts[tops[a]].mean():.0f}" for i, a in enumerate(order))
    items.append((None, _t(lang, "ytb_check_popularity", pops=pops)))
    oldest = float((int(ctx.train.timestamp.max()) - int(ctx.train.timestamp.min())) / 86_400.0)
    beyond = [names[i] for i, a in enumerate(order) if days[a] > oldest]
    if beyond:
        items.append((None, _t(lang, "ytb_check_extrapolate", oldest=oldest, ages=", ".join(beyond))))
    if len(grid.users) < len(ds.user_vocab.ids):
        items.append((None, _t(lang, "ytb_sample", m=len(grid.users))))


def _differences(ctx, cfg: dict) -> None:
    lang = ctx.lang
    lines = [_t(lang, "ytb_diff_full", n_items=ctx.train.n_items) if cfg["softmax"] == "full"
             else _t(lang, "ytb_diff_sampled", num_sampled=cfg["num_sampled"], alpha=cfg["sample_alpha"])]
    lines.append(_t(lang, "ytb_diff_cap", cap=cap_text(cfg)))
    lines.append(_t(lang, "ytb_diff_table"))
    if cfg["example_age"]:
        lines.append(_t(lang, "ytb_diff_age_zero" if cfg["serving_age"] == "zero" else "ytb_diff_age_user",
                        unit=cfg["age_unit_days"]))
    else:
        lines.append(_t(lang, "ytb_diff_no_age"))
    lines.append(_t(lang, "ytb_diff_history", history_len=cfg["history_len"], recent_k=cfg["recent_k"]))
    differences(ctx, lines)
