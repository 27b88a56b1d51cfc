"""URL and widget state: a shared link opens the same view, and a bad parameter is said, not hidden."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st



def seed_state(key: str, param: str | None, default: Any, parse: Callable[[str], Any] = str,
               valid: Callable[[Any], bool] = lambda v: True) -> None:
    """Give widget ``key`` its starting value before the widget is drawn.

    Order: the URL (``?param=``, a shared link), then the value the page had
    when the user left it (widget state is dropped on page change, so a copy
    is kept under ``_key``), then ``default``. Invalid values fall back.
    """
    if key in st.session_state:
        if valid(st.session_state[key]):
            return
        del st.session_state[key]
    candidates = []
    if param is not None and param in st.query_params:
        candidates.append(st.query_params.get(param))
    if f"_{key}" in st.session_state:
        candidates.append(st.session_state[f"_{key}"])
    for raw in candidates:
        try:
            value = parse(raw) if isinstance(raw, str) else raw
        except (TypeError, ValueError):
            continue
        if valid(value):
            st.session_state[key] = value
            return
    st.session_state[key] = default


def remember(*keys: str) -> None:
    """Keep a copy of widget values so a page restores them when the user comes back."""
    for key in keys:
        if key in st.session_state:
            st.session_state[f"_{key}"] = st.session_state[key]


URL_PARAMS = ("item", "user", "k", "models")  # the parameters pages write


def set_url(**params: Any) -> None:
    """Write this page's state into the URL and drop other pages' parameters.

    Only changed values are written, to avoid needless browser history.
    """
    for k in URL_PARAMS:
        if k not in params and k in st.query_params:
            del st.query_params[k]
    for k, v in params.items():
        v = str(v)
        if st.query_params.get(k) != v:
            st.query_params[k] = v


