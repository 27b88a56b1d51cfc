"""The app's explainer texts in English and Simplified Chinese: one dictionary per language.

``en.STRINGS`` and ``zh.STRINGS`` map the same keys (``<page>.<what>``) to
texts; ``{name}`` placeholders are filled by :func:`t`. Data, film titles,
column names and model names are never translated. The language is the
sidebar's switch (``sidebar_lang``), kept in the URL as ``?lang=zh``
(English, the default, writes no parameter).
"""
from __future__ import annotations

from recall_core.app.i18n import en, zh

LANGS = {"en": "English", "zh": "中文"}
DEFAULT = "en"
STATE_KEY = "sidebar_lang"
PARAM = "lang"
CATALOGUES = {"en": en.STRINGS, "zh": zh.STRINGS}


def current() -> str:
    """The language of this run: the sidebar's choice, else ``?lang=``, else English."""
    import streamlit as st

    lang = st.session_state.get(STATE_KEY)
    if lang not in LANGS:
        lang = st.query_params.get(PARAM)
    return lang if lang in LANGS else DEFAULT


def text(lang: str, key: str, **fmt) -> str:
    """The text of ``key`` in ``lang`` (English when ``lang`` lacks it), formatted with ``fmt``.

    Raises ``KeyError`` for a key no language has (a typo in the code: tests find it).
    """
    s = CATALOGUES.get(lang, en.STRINGS).get(key)
    if s is None:
        s = en.STRINGS[key]
    return s.format(**fmt) if fmt else s


def t(key: str, **fmt) -> str:
    """The text of ``key`` in the current language."""
    return text(current(), key, **fmt)


def language_switch() -> str:
    """The sidebar's English / 中文 switch, seeded from ``?lang=`` and written back to the URL; returns the language."""
    import streamlit as st

    from recall_core.app import url

    url.seed_state(STATE_KEY, PARAM, DEFAULT, valid=lambda v: v in LANGS, expected="en or zh",
                   label=lambda v: LANGS.get(v, str(v)))
    # Re-assigning makes the value the app's, not the previous page's widget's: Streamlit would otherwise
    # reset the switch to English when the same sidebar widget is drawn by another page.
    st.session_state[STATE_KEY] = st.session_state[STATE_KEY]
    lang = st.radio("Language / 语言", list(LANGS), format_func=LANGS.__getitem__, key=STATE_KEY, horizontal=True)
    url.remember(STATE_KEY)
    write_url(lang)
    return lang


def write_url(lang: str) -> None:
    """``?lang=zh`` for Chinese; English (the default) keeps the URL clean."""
    import streamlit as st

    if lang == DEFAULT:
        if PARAM in st.query_params:
            del st.query_params[PARAM]
    elif st.query_params.get(PARAM) != lang:
        st.query_params[PARAM] = lang
