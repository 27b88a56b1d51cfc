"""Every text the reader reads, in English and Simplified Chinese: one dictionary per language.

``en.STRINGS`` and ``zh.STRINGS`` map the same keys (``<page>.<what>``) to
texts; ``{name}`` placeholders are filled by :func:`t`. Data, titles, ids,
column names and model names are never translated. The language is the
sidebar's switch (``sidebar_lang``), kept in the URL as ``?lang=zh``
(English, the default, writes no parameter).

Three more homes: :mod:`.glossary` fixes each term once per language and
holds the dataset-dependent nouns (``{_item}``, ``{_genre}`` ... in a text
are filled from the noun set in use, see :func:`use_nouns`);
:mod:`.model_texts` words the model classes' own texts (description, view
notes, variant notes: English on the class, Chinese in ``zh.py``);
:mod:`.verdicts` words the analysis modules' verdicts.
"""
from __future__ import annotations

import string
import threading

from recall_core.app.i18n import en, zh
from recall_core.app.i18n.glossary import DEFAULT_NOUNS, NOUNS, is_noun

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


_local = threading.local()  # Streamlit runs each session's script in its own thread


def use_nouns(kind: str) -> None:
    """Choose the dataset-dependent nouns for this thread's texts (:data:`.glossary.NOUNS`: ``"movies"``,
    ``"items"``); a page calls it before drawing. Unknown sets raise ``KeyError``."""
    if kind not in NOUNS:
        raise KeyError(f"noun set {kind!r}: expected one of {', '.join(NOUNS)}")
    _local.nouns = kind


def noun_set() -> str:
    """The noun set in use (:func:`use_nouns`; ``"movies"`` until one is chosen)."""
    return getattr(_local, "nouns", DEFAULT_NOUNS)


def nouns(lang: str, kind: str | None = None) -> dict[str, str]:
    """``{placeholder: word}`` of a noun set (default: the one in use) in ``lang`` (English when unknown)."""
    table = NOUNS[kind or noun_set()]
    return table.get(lang, table["en"])


def fields(s: str) -> set[str]:
    """The ``{placeholders}`` of a text that the caller fills (noun placeholders left out)."""
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(s)
            if f is not None and not is_noun(f.split(".")[0].split("[")[0])}


def text(lang: str, key: str, **fmt) -> str:
    """The text of ``key`` in ``lang`` (English when ``lang`` lacks it), formatted with ``fmt`` and the nouns.

    Raises ``KeyError`` for a key no language has (a typo in the code: tests find it). A literal brace in
    a catalogue text is doubled (``%{{x}}`` in a plotly hover template).
    """
    s = CATALOGUES.get(lang, en.STRINGS).get(key)
    if s is None:
        s = en.STRINGS[key]
        lang = "en"
    return s.format(**{**nouns(lang), **fmt})


def both(key: str, **fmt) -> str:
    """``"<English> / <中文>"``: for a text fixed before the reader's language is known (a cached function's
    spinner, set when its module loads)."""
    return " / ".join(text(lang, key, **fmt) for lang in LANGS)


def t(key: str, **fmt) -> str:
    """The text of ``key`` in the current language."""
    return text(current(), key, **fmt)


def language_switch() -> str:
    """The sidebar's English / 中文 switch, seeded from ``?lang=`` and written back to the URL; returns the language."""
    import streamlit as st

    from recall_core.app import url

    url.seed_state(STATE_KEY, PARAM, DEFAULT, valid=lambda v: v in LANGS, expected="en / zh",
                   label=lambda v: LANGS.get(v, str(v)))
    # Re-assigning makes the value the app's, not the previous page's widget's: Streamlit would otherwise
    # reset the switch to English when the same sidebar widget is drawn by another page.
    st.session_state[STATE_KEY] = st.session_state[STATE_KEY]
    # The switch's label in both languages: whoever cannot read the current one still finds it.
    label = f"{text('en', 'sidebar.language')} / {text('zh', 'sidebar.language')}"
    lang = st.radio(label, list(LANGS), format_func=LANGS.__getitem__, key=STATE_KEY, horizontal=True)
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
