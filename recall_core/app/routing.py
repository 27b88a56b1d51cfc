"""Deep links on a fresh server: every URL path of ``app.py``'s navigation works as the very first request.

Streamlit decides once per server process whether the app uses the legacy ``pages/`` folder mode: at the
first session, a ``pages/`` folder beside ``app.py`` means yes, until ``st.navigation`` is first called. So
the first request of a fresh server is routed by a scan of ``pages/*.py`` (a page's URL is its file name)
before ``app.py`` runs; a URL such as ``/items`` that no file is named after gets a "Page not found" dialog.

The fix: every page's one file is named after its URL path, ``pages/<url path>.py``
(:attr:`recall_core.app.page_list.PageSpec.file`), and calls :func:`through_app` right after its imports. In
the scan's run that call runs ``app.py`` (its ``st.navigation`` routes the same URL to the same file, inside
:func:`routed`) and stops. In every other run ``app.py`` runs the page inside :func:`routed`, and
:func:`through_app` does nothing, so the page goes on. (Measured in headless Chromium on a fresh server: ``st.Page`` callables or page modules the
scan does not pick up still show the dialog, since the scan then knows no page of that name either.)
"""
from __future__ import annotations

import contextlib
import runpy
import threading
from pathlib import Path

import streamlit as st

APP = Path(__file__).resolve().parents[2] / "app.py"
_local = threading.local()  # Streamlit runs each session's script in its own thread


@contextlib.contextmanager
def routed():
    """``app.py`` runs the page inside this block: the page came through the navigation."""
    before = getattr(_local, "routed", False)
    _local.routed = True
    try:
        yield
    finally:
        _local.routed = before


def through_app() -> None:
    """Unless this run came through ``app.py``, run ``app.py`` now (it routes the URL) and stop."""
    if getattr(_local, "routed", False):
        return
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()
