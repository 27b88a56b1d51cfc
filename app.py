"""Vector Recall Explorer: `streamlit run app.py`.

The entry point only sets the layout and the navigation. Each page lives in
``pages/``, renders the sidebar (dataset and models) through
``recall_core.state.page_context`` and reads the store through cached
loaders there. Nothing here imports TensorFlow.
"""
import streamlit as st

st.set_page_config(page_title="Vector Recall Explorer", page_icon="🎬", layout="wide")

# URL paths differ from the file names on purpose: Streamlit still runs its legacy "pages/ folder"
# mode for the first request of a fresh server, and a URL equal to a file name would then run that
# page without this entry point (no wide layout, no navigation).
PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/leaderboard:", url_path="home", default=True),
    st.Page("pages/item_neighbours.py", title="Item neighbours", icon=":material/movie:", url_path="items"),
    st.Page("pages/user_recall.py", title="User recall", icon=":material/person:", url_path="users"),
    st.Page("pages/eges_attention.py", title="EGES attention", icon=":material/bar_chart:", url_path="eges"),
    st.Page("pages/dssm_temperature.py", title="DSSM temperature", icon=":material/thermostat:", url_path="dssm"),
    st.Page("pages/embedding_maps.py", title="Embedding maps", icon=":material/scatter_plot:", url_path="maps"),
    st.Page("pages/serving.py", title="Serving", icon=":material/speed:", url_path="serving"),
]

page = st.navigation(PAGES)  # each page renders the sidebar (dataset, models) itself
try:
    page.run()
except Exception as e:  # noqa: BLE001  last net: a message, never a traceback (st.stop/st.rerun pass through)
    st.error(f"Something went wrong on this page: {type(e).__name__}: {e}")
