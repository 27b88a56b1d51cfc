"""Vector Recall Explorer: `streamlit run app.py`.

The entry point only sets the layout and the navigation. Each page lives in
``pages/``, renders the sidebar (dataset and models) through
``recall_core.state.page_context`` and reads the store through cached
loaders there. Nothing here imports TensorFlow.
"""
import streamlit as st

from recall_core.app import i18n, routing

st.set_page_config(page_title="Vector Recall Explorer", page_icon="🎬", layout="wide")

# The nouns ("Movies" / "Items" in titles) are the dataset's the session chose last (state.sidebar).
i18n.nouns_from_session()

# URL paths differ from the page files' names: the first request of a fresh server is routed by Streamlit's
# legacy pages/ scan, which finds pages/<url_path>.py, a two-line file that hands over to this entry point
# (recall_core/app/routing.py). A new page needs that file too (tests/test_layout.py checks it).
# Titles are read in the reader's language (i18n key "page.<url_path>"; the sidebar's switch reruns this file).
PAGES = [
    st.Page("pages/overview.py", title=i18n.t("page.home"), icon=":material/leaderboard:", url_path="home",
            default=True),
    st.Page("pages/item_neighbours.py", title=i18n.t("page.items"), icon=":material/movie:", url_path="items"),
    st.Page("pages/user_recall.py", title=i18n.t("page.users"), icon=":material/person:", url_path="users"),
    st.Page("pages/eges_attention.py", title=i18n.t("page.eges"), icon=":material/bar_chart:", url_path="eges"),
    st.Page("pages/dssm_temperature.py", title=i18n.t("page.dssm"), icon=":material/thermostat:", url_path="dssm"),
    st.Page("pages/embedding_maps.py", title=i18n.t("page.maps"), icon=":material/scatter_plot:", url_path="maps"),
    st.Page("pages/serving_indexes.py", title=i18n.t("page.serving"), icon=":material/speed:", url_path="serving"),
    st.Page("pages/how_it_works.py", title=i18n.t("page.how"), icon=":material/school:", url_path="how"),
    st.Page("pages/judging.py", title=i18n.t("page.judge"), icon=":material/gavel:", url_path="judge"),
]

page = st.navigation(PAGES)  # each page renders the sidebar (dataset, models) itself
with routing.routed():  # a fresh server's first request: every url_path has pages/<url_path>.py (see routing)
    try:
        page.run()
    except Exception as e:  # noqa: BLE001  last net: a message, never a traceback (st.stop/st.rerun pass through)
        st.error(i18n.t("app.page_error", error=f"{type(e).__name__}: {e}"))
