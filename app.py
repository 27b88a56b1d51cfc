"""Vector Recall Explorer: `streamlit run app.py` (`make run` runs it through `python -m recall_core.app.serve`).

The entry point only sets the layout and the navigation, built from the one page
list (``recall_core.app.page_list.PAGES``). Each page is one file, ``pages/<url path>.py``; it renders
the sidebar (dataset and models) through ``recall_core.app.state.page_context``
and reads the store through cached loaders there. Nothing here imports TensorFlow.
"""
import streamlit as st

from recall_core.app import i18n, page_list, routing

st.set_page_config(page_title="Vector Recall Explorer", page_icon=":material/movie:", layout="wide")

# The nouns ("Movies" / "Items" in titles) are the dataset's the session chose last (state.sidebar).
i18n.nouns_from_session()

# Each page is pages/<url_path>.py: the first request of a fresh server is routed by Streamlit's legacy pages/
# scan, which finds that file by name, and its routing.through_app() hands over to this entry point
# (recall_core/app/routing.py; tests/test_layout.py checks every page has both).
# The page list lives in recall_core/app/page_list.py (the benches and tests read it too). Titles are read in
# the reader's language (i18n key "page.<url_path>"; the sidebar's switch reruns this file).
PAGES = [st.Page(p.file, title=i18n.t(p.title_key), icon=p.icon, url_path=p.url, default=p.default)
         for p in page_list.PAGES]

page = st.navigation(PAGES)  # each page renders the sidebar (dataset, models) itself
with routing.routed():  # a fresh server's first request: the page's through_app() came here (see routing)
    try:
        page.run()
    except Exception as e:  # noqa: BLE001  last net: a message, never a traceback (st.stop/st.rerun pass through)
        st.error(i18n.t("app.page_error", error=f"{type(e).__name__}: {e}"))
