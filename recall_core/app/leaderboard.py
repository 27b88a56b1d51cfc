"""The Overview's leaderboard: the competing models with the best highlighted, then each sweep and the imported
vectors apart (the data: :mod:`recall_core.analysis.leaderboard`)."""
from __future__ import annotations

import streamlit as st

from recall_core.analysis import leaderboard as lb
from recall_core.app import widgets
from recall_core.app.i18n import t

HIGHLIGHT = "font-weight: bold; background-color: rgba(46, 160, 67, 0.25)"


def _column_config(k: int) -> dict:
    metric_cols = [f"HR@{k}", f"NDCG@{k}", "MRR", f"Coverage@{k}", f"I2I HR@{k}"]
    return {
        "model": st.column_config.TextColumn(t("overview.col_model"), pinned=True),
        "Set by": st.column_config.TextColumn(t("tuning.set_by"), help=t("tuning.set_by_help")),
        **{c: st.column_config.NumberColumn(c, format="%.4f") for c in metric_cols},
        f"HR@{k} 95%": st.column_config.TextColumn(f"HR@{k} 95%", help=t("overview.lb.ci_help")),
        f"NDCG@{k} 95%": st.column_config.TextColumn(f"NDCG@{k} 95%", help=t("overview.lb.ci_help")),
        "vs best": st.column_config.TextColumn(t("overview.lb.vs_best"), help=t("overview.lb.vs_best_help", k=k)),
        "Train s": st.column_config.NumberColumn(t("overview.col_train_s"), format="%.1f", help=t("overview.train_s_help")),
        "Distinct lists@10": st.column_config.NumberColumn(t("overview.col_distinct"), format="%d",
                                                           help=t("overview.distinct_help")),
    }


def _table(frame, key: str, k: int, best: dict[str, str] | None = None, set_by: dict[str, str] | None = None) -> None:
    shown = frame.copy()
    shown.insert(0, "model", shown.index)
    if set_by:  # how each row was set (issue 21: defaults, tuned, reference, sweep variant)
        shown.insert(1, "Set by", [set_by.get(name) for name in shown.index])
    shown["vs best"] = [t(f"overview.lb.mark_{v}") if isinstance(v, str) else None for v in shown["vs best"]]
    styled = shown.style
    if best:
        def mark(col):
            return [HIGHLIGHT if best.get(col.name) == name else "" for name in shown["model"]]

        styled = styled.apply(mark, subset=[c for c in shown.columns if c in best])
    widgets.table(styled, hide_index=True, width="stretch", key=key, height=35 * (len(shown) + 1) + 3,
                  column_config=_column_config(k))


def render(rows: list[dict], k: int, set_by: dict[str, str] | None = None) -> lb.Leaderboard:
    """Draw the leaderboard of ``rows`` at ``k``; returns its data (for the captions and charts).

    ``set_by``: ``{model: how its row was set}`` (:func:`recall_core.app.tuning.setting_labels`), a column
    after the model's name when given."""
    board = lb.frames(rows, k)
    models = board.frames.get("models")
    if models is not None:
        _table(models, "overview_table", k, board.best, set_by)
        st.caption(t("overview.lb.best_caption") + " · ".join(
            t("overview.best_of", col=c, model=m) for c, m in board.best.items() if c.startswith(("HR@", "NDCG@"))))
        st.caption(t("overview.lb.ci_caption", k=k))
    if "sweep" in board.frames:
        st.markdown(f"**{t('overview.lb.sweep_head')}**")
        st.caption(t("overview.lb.sweep_caption"))
        _table(board.frames["sweep"], "overview_sweep_table", k, set_by=set_by)
    if "imported" in board.frames:
        st.markdown(f"**{t('overview.lb.imported_head')}**")
        st.caption(t("overview.lb.imported_caption"))
        _table(board.frames["imported"], "overview_imported_table", k, set_by=set_by)
    return board
