"""Judge: blind, pooled human judgments of the models' lists, and what they say (layout only; every part is drawn
by recall_core/app/judge.py from recall_core.judge)."""
import streamlit as st

from recall_core.app import i18n, judge, state
from recall_core.app import routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

ctx, ds = state.open_page(url_state={})

st.title(i18n.t("page.judge"))
st.caption(i18n.t("judge.caption"))
sess = judge.session_bar(ctx)

graded, ab, results, sets = st.tabs([i18n.t("judge.tab_graded"), i18n.t("judge.tab_ab"), i18n.t("judge.tab_results"),
                                     i18n.t("judge.tab_sets")], key="judge_tab", on_change="rerun")
if graded.open is not False:  # only the open tab is computed and drawn
    with graded:
        judge.graded_panel(sess)
if ab.open is not False:
    with ab:
        judge.ab_panel(sess)
if results.open is not False:
    with results:
        judge.results_panel(sess)
if sets.open is not False:
    with sets:
        judge.probe_sets_panel(sess)
