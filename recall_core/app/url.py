"""URL and widget state: a shared link opens the same view, and a bad parameter is said, not hidden."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def ignored(param: str, raw: str, expected: str, using: str) -> None:
    """Say on the page that a link's parameter was not used, and what is shown instead."""
    from recall_core.app.i18n import t

    st.warning(t("url.ignored", param=param, raw=raw, expected=expected, using=using), icon=":material/link_off:")


def seed_state(key: str, param: str | None, default: Any, parse: Callable[[str], Any] = str,
               valid: Callable[[Any], bool] = lambda v: True, expected: str | None = None,
               label: Callable[[Any], str] = str) -> None:
    """Give widget ``key`` its starting value before the widget is drawn.

    Order: the URL (``?param=``, a shared link), then the value the page had
    when the user left it (widget state is dropped on page change, so a copy
    is kept under ``_key``), then ``default``. A URL value that cannot be used
    falls back too, and the page says so (:func:`ignored`, with ``expected``
    and the ``label`` of the value used instead).
    """
    if key in st.session_state:
        if valid(st.session_state[key]):
            return
        del st.session_state[key]
    candidates = []
    from_url = param is not None and param in st.query_params
    if from_url:
        candidates.append(("url", st.query_params.get(param)))
    if f"_{key}" in st.session_state:
        candidates.append(("kept", st.session_state[f"_{key}"]))
    chosen = default
    for source, raw in candidates:
        try:
            value = parse(raw) if isinstance(raw, str) else raw
        except (TypeError, ValueError):
            continue
        if valid(value):
            chosen = value
            break
    st.session_state[key] = chosen
    if from_url and (not candidates or candidates[0][1] is not None):
        raw = candidates[0][1]
        try:
            ok = valid(parse(raw))
        except (TypeError, ValueError):
            ok = False
        if not ok:
            from recall_core.app.i18n import t

            ignored(param, raw, expected or t("url.expected_valid"), label(chosen))


def remember(*keys: str) -> None:
    """Keep a copy of widget values so a page restores them when the user comes back."""
    for key in keys:
        if key in st.session_state:
            st.session_state[f"_{key}"] = st.session_state[key]


URL_PARAMS = ("item", "user", "k", "models", "model",  # the parameters pages write (?lang= is the sidebar's: kept)
              "judge", "set", "kind")  # the Judge page's


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


def language_switch() -> str:
    """The sidebar's English / 中文 switch, seeded from ``?lang=`` and written back to the URL; returns the language."""
    from recall_core.app.i18n import DEFAULT, LANGS, PARAM, STATE_KEY, text

    seed_state(STATE_KEY, PARAM, DEFAULT, valid=lambda v: v in LANGS, expected="en / zh",
               label=lambda v: LANGS.get(v, str(v)))
    # Re-assigning makes the value the app's, not the previous page's widget's: Streamlit would otherwise
    # reset the switch to English when the same sidebar widget is drawn by another page.
    st.session_state[STATE_KEY] = st.session_state[STATE_KEY]
    # The switch's label in both languages: whoever cannot read the current one still finds it.
    label = f"{text('en', 'sidebar.language')} / {text('zh', 'sidebar.language')}"
    lang = st.radio(label, list(LANGS), format_func=LANGS.__getitem__, key=STATE_KEY, horizontal=True)
    remember(STATE_KEY)
    write_lang(lang)
    return lang


def write_lang(lang: str) -> None:
    """``?lang=zh`` for Chinese; English (the default) keeps the URL clean."""
    from recall_core.app.i18n import DEFAULT, PARAM

    if lang == DEFAULT:
        if PARAM in st.query_params:
            del st.query_params[PARAM]
    elif st.query_params.get(PARAM) != lang:
        st.query_params[PARAM] = lang
