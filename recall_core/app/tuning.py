"""The Overview's tuning parts (streamlit only): how each row was set, the unequal-budget warning, the EASE
reference's card, and Optuna's own figures in a tuned model's card.

Optuna is imported only in :func:`study_figures`, when a tuned model's card is drawn (the cards are an
expander, drawn when opened): never on the app's start path.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from recall_core.app import i18n
from recall_core.tuning import report


def setting_labels(rows: list[dict], manifests: dict) -> list[str]:
    """One label per leaderboard row: "defaults", "tuned (n trials, m min)", "reference", "variant"."""
    out = []
    for r in rows:
        s = report.setting_of(r["model"], manifests.get(r["model"]))
        if s["kind"] == "tuned":
            text = i18n.t("tuning.set_tuned", trials=s["trials"], minutes=s["minutes"] or 0.0)
            out.append(text + (i18n.t("tuning.defaults_kept") if s.get("chosen") == "defaults" else ""))
        else:
            out.append({"defaults": i18n.t("tuning.set_defaults"), "reference": i18n.t("tuning.set_reference"),
                        "variant": i18n.t("tuning.set_variant")}[s["kind"]])
    return out


def budget_warning(rows: list[dict], manifests: dict) -> None:
    """A warning when the models shown had unequal tuning budgets (references and sweep variants aside)."""
    groups = report.unequal_budgets([r["model"] for r in rows], manifests)
    if not groups:
        return

    def budget(names: list[str]) -> str:
        s = report.setting_of(names[0], manifests.get(names[0]))
        if s["kind"] != "tuned":
            return i18n.t("tuning.budget_defaults")
        b = s["budget"]
        return (i18n.t("tuning.budget_trials_minutes", trials=b.get("trials"), minutes=b["minutes"])
                if b.get("minutes") else i18n.t("tuning.budget_trials", trials=b.get("trials")))

    parts = " · ".join(i18n.t("tuning.budget_group", budget=budget(v), models=", ".join(v)) for v in groups.values())
    st.warning(i18n.t("tuning.unequal", groups=parts), icon=":material/balance:")


def ease_caption(rows: list[dict]) -> None:
    """The EASE row's note under the leaderboard: its λ, or why it was skipped."""
    from recall_core.evaluation.ease import EASE_MAX_ITEMS

    row = next((r for r in rows if r["model"] == "ease"), None)
    if row is None:
        return
    if row.get("error"):
        st.caption(i18n.t("tuning.ease_failed", error=row["error"]))
    elif row.get("skipped"):
        st.caption(i18n.t("tuning.ease_skipped", n=row.get("n_items") or 0, limit=EASE_MAX_ITEMS))
    elif row.get("lambda") is not None:
        st.caption(i18n.t("tuning.ease_note", lam=f"{row['lambda']:g}"))


def ease_card(rows: list[dict], color: str) -> None:
    """The EASE reference's card beside the transition's."""
    from recall_core.evaluation.ease import LAMBDAS

    st.markdown(f"<span style='color:{color};font-size:1.2em'>■</span> **ease** " + i18n.t("overview.reference"),
                unsafe_allow_html=True)
    st.caption(i18n.t("tuning.ease_description", lambdas=", ".join(f"{v:g}" for v in LAMBDAS)))
    ease_caption(rows)


@st.cache_data(show_spinner=False, max_entries=32)
def _figures(db: str, mtime_ns: int, name: str, lang: str):  # noqa: ARG001 (mtime_ns: the cache key)
    """``(history, importances, error)``: Optuna's optimisation history and parameter importances of study
    ``name`` as plotly JSON dicts (importances ``{"error": ...}`` when too few trials say anything), or an error."""
    from recall_core.errors import RecallError
    from recall_core.tuning.study import load_study

    try:
        study = load_study(Path(db), name)
    except RecallError as e:
        return None, None, str(e)
    if study is None:
        return None, None, i18n.text(lang, "tuning.no_study", name=name, db=db)
    import optuna.visualization as vis

    def t(key: str) -> str:
        return i18n.text(lang, key)

    layout = dict(height=320, margin=dict(t=40, b=10, l=10, r=10), legend=dict(orientation="h", y=-0.25))
    history = vis.plot_optimization_history(study, target_name="valid HR@10")
    history.update_layout(title=t("tuning.history_title"), xaxis_title=t("tuning.axis_trial"),
                          yaxis_title=t("tuning.axis_valid"), **layout)
    for trace in history.data:  # Optuna's two traces: every trial's value, and the best so far
        trace.name = t("tuning.axis_valid") if trace.mode == "markers" else t("tuning.best_so_far")
    try:
        importance = vis.plot_param_importances(study, target_name="valid HR@10")
        importance.update_layout(title=t("tuning.importance_title"), xaxis_title=t("tuning.axis_importance"),
                                 yaxis_title="", **layout)
        importance = importance.to_plotly_json()
    except (RuntimeError, ValueError, ZeroDivisionError) as e:  # too few completed trials to say
        importance = {"error": f"{type(e).__name__}: {e}"}
    return history.to_plotly_json(), importance, None


def study_figures(store: Path, dataset_key: str, name: str, manifest: dict, key: str) -> None:
    """In a tuned model's card: what the budget bought, and (behind a toggle) Optuna's own figures of its study:
    the optimisation history and the parameter importances."""
    import plotly.graph_objects as go

    tuned = manifest.get("tuned")
    if not tuned:
        return
    st.caption(i18n.t("tuning.card", trials=tuned.get("trials"), pruned=tuned.get("pruned", 0),
                      minutes=tuned.get("minutes") or 0.0, best=tuned.get("best_valid") or 0.0,
                      default=tuned.get("default_valid") or 0.0, epochs=(tuned.get("params") or {}).get("epochs"),
                      kept=i18n.t("tuning.kept_defaults") if tuned.get("chosen") == "defaults"
                      else i18n.t("tuning.kept_tuned")))
    # Two figures per tuned model: drawn only when asked (a browser settles later with every figure drawn)
    if not st.toggle(i18n.t("tuning.show_study"), key=f"{key}_study"):
        return
    from recall_core.store import tuning_db

    db = tuning_db(store, dataset_key)
    try:
        mtime = db.stat().st_mtime_ns
    except OSError:
        st.info(i18n.t("tuning.no_study", name=name, db=db))
        return
    history, importance, error = _figures(str(db), mtime, tuned.get("study", {}).get("name", name), i18n.current())
    if error:
        st.info(error)
        return
    st.plotly_chart(go.Figure(history), key=f"{key}_history", width="stretch")
    if "error" in importance:
        st.caption(i18n.t("tuning.no_importance", error=importance["error"]))
    else:
        st.plotly_chart(go.Figure(importance), key=f"{key}_importance", width="stretch")


@st.cache_resource(show_spinner=False, max_entries=4)
def _ease_lists(dataset_name: str, store: str, mtime_ns: int):  # noqa: ARG001 (cache key)
    from recall_core.app.state import dataset
    from recall_core.evaluation.references import ease_lists

    return ease_lists(dataset(dataset_name), Path(store))


def ease_for_user(ctx, user: str, k: int):
    """``(table, rank)`` of the EASE reference for ``user`` (:func:`~recall_core.analysis.compare.ease_user_table`),
    or ``(None, None)`` when it is not computed for this catalogue (too large). Computed once into the store when
    missing (a store trained before EASE existed)."""
    from recall_core.analysis import compare
    from recall_core.evaluation.references import ease_reference
    from recall_core.store import reference_file

    path = reference_file(ctx.store, ctx.ds.key, "ease")
    if not path.exists():
        with st.spinner(i18n.t("tuning.ease_computing")):
            ease_reference(ctx.ds, ctx.store)
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None, None
    lists = _ease_lists(ctx.dataset_name, str(ctx.store), mtime)
    if lists is None:
        return None, None
    return compare.ease_user_table(ctx.ds, lists, user, k), compare.ease_rank(ctx.ds, lists, user)
