"""Every text the reader reads, in English and Simplified Chinese: one dictionary per language.

``en.STRINGS`` and ``zh.STRINGS`` map the same keys (``<page>.<what>``) to
texts; ``{name}`` placeholders are filled by :func:`t`. Data, titles, ids,
column names and model names are never translated. The language is the
sidebar's switch (``sidebar_lang``, drawn by :func:`recall_core.app.url.language_switch`), kept in the URL
as ``?lang=zh`` (English, the default, writes no parameter).

Three more homes: :mod:`.glossary` fixes each term once per language and
holds the dataset-dependent nouns (``{_item}``, ``{_genre}`` ... in a text
are filled from the noun set in use, see :func:`use_nouns`);
:mod:`.core_texts` words the model classes' own texts (description, view
notes, variant notes: English on the class, Chinese in ``zh.py``);
:mod:`.verdicts` words the analysis modules' verdicts.
"""
from __future__ import annotations

import re
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
#: Where the page context keeps this session's noun choice (:func:`remember_nouns`), so the next run's
#: navigation titles, drawn before the dataset loads, already use it.
NOUNS_STATE_KEY = "_i18n_nouns"
_HAN = re.compile(r"[\u3400-\u9fff]")


def use_nouns(kind: str, item: str | None = None, category: str | None = None) -> None:
    """Choose the dataset-dependent nouns for this thread's texts: the set ``kind`` (:data:`.glossary.NOUNS`:
    ``"movies"``, ``"items"``), with a dataset card's own words (``item_noun`` / ``category_noun``) over it.

    A card's word is used in the language it is written in: a word with Chinese characters in the Chinese
    texts (measure word 个), any other word in the English ones (its plural, capitalised and article forms
    derived: "product" -> "products", "Product", "a product"). Unknown sets raise ``KeyError``.
    """
    if kind not in NOUNS:
        raise KeyError(f"noun set {kind!r}: expected one of {', '.join(NOUNS)}")
    _local.nouns = kind
    _local.tables = {lang: _with_own(NOUNS[kind][lang], lang, item, category) for lang in NOUNS[kind]}
    _local.spec = (kind, item, category)


def nouns_spec() -> tuple[str, str | None, str | None]:
    """``(set, card item noun, card category noun)`` in use on this thread (:func:`use_nouns`)."""
    return getattr(_local, "spec", (DEFAULT_NOUNS, None, None))


def _with_own(table: dict[str, str], lang: str, item: str | None, category: str | None) -> dict[str, str]:
    out = dict(table)
    for own, base in ((item, "item"), (category, "genre")):
        own = (own or "").strip()
        if not own or bool(_HAN.search(own)) != (lang == "zh"):
            continue
        if lang == "zh":
            out["_" + base] = own
            if base == "item":
                out["_unit"] = "个"
            continue
        plural = _plural(own)
        out.update({f"_{base}": own, f"_{base}s": plural, f"_{base.capitalize()}": own[:1].upper() + own[1:],
                    f"_{base.capitalize()}s": plural[:1].upper() + plural[1:]})
        if base == "item":
            article = "an" if own[:1].lower() in "aeiou" else "a"
            out["_an_item"], out["_An_item"] = f"{article} {own}", f"{article.capitalize()} {own}"
    return out


def _plural(noun: str) -> str:
    """An English noun's plural by the usual rules (``category`` -> ``categories``, ``box`` -> ``boxes``)."""
    if noun.endswith("y") and noun[-2:-1].lower() not in ("a", "e", "i", "o", "u"):
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "z", "ch", "sh")) else "s")


def noun_set() -> str:
    """The noun set in use (:func:`use_nouns`; ``"movies"`` until one is chosen)."""
    return getattr(_local, "nouns", DEFAULT_NOUNS)


def nouns(lang: str, kind: str | None = None) -> dict[str, str]:
    """``{placeholder: word}`` of a noun set (default: the one in use, with a card's own words) in ``lang``
    (English when unknown)."""
    if kind is None and hasattr(_local, "tables"):
        tables = _local.tables
        return tables.get(lang, tables["en"])
    table = NOUNS[kind or noun_set()]
    return table.get(lang, table["en"])


def remember_nouns(kind: str, item: str | None = None, category: str | None = None) -> bool:
    """Use these nouns for this run and keep them in the session for the next runs (:func:`nouns_from_session`).
    True when they differ from the ones this run started with (the navigation's titles need one rerun)."""
    import streamlit as st

    changed = nouns_spec() != (kind, item, category)
    use_nouns(kind, item, category)
    st.session_state[NOUNS_STATE_KEY] = [kind, item, category]
    return changed


def nouns_from_session() -> None:
    """Start a run with the nouns the session chose last (:func:`remember_nouns`; ``"movies"`` for a new one)."""
    import streamlit as st

    spec = st.session_state.get(NOUNS_STATE_KEY)
    try:
        use_nouns(*spec) if spec else use_nouns(DEFAULT_NOUNS)
    except (KeyError, TypeError):
        use_nouns(DEFAULT_NOUNS)


#: English library texts (model classes, analysis modules) say film/movie/genre: :func:`en_nouns` rewrites them.
_EN_WORDS = (
    (re.compile(r"\b(a|A) (?:movie|film)\b(?!\})"), lambda m, w: w["_an_item" if m.group(1) == "a" else "_An_item"]),
    (re.compile(r"(?<!\{)\b(?:Movies|Films)\b(?!\})"), "_Items"),
    (re.compile(r"(?<!\{)\b(?:Movie|Film)\b(?!\})"), "_Item"),
    (re.compile(r"(?<!\{)\b(?:movies|films)\b(?!\})"), "_items"),
    (re.compile(r"(?<!\{)\b(?:movie|film)\b(?!\})"), "_item"),
    (re.compile(r"(?<!\{)\bGenres\b(?!\})"), "_Genres"),
    (re.compile(r"(?<!\{)\bGenre\b(?!\})"), "_Genre"),
    (re.compile(r"(?<!\{)\bgenres\b(?!\})"), "_genres"),
    (re.compile(r"(?<!\{)\bgenre\b(?!\})"), "_genre"),
)


def en_nouns(s: str) -> str:
    """An English text of the library (``recall_core`` writes "film", "movie", "genre": the CLI and the
    benchmarks' ablation names read it there) with the nouns in use: "movie"/"genre" on MovieLens (the
    glossary's word, never "film"), "item"/"category" or the card's own words elsewhere. ``{fields}`` and
    "MovieLens" are left alone."""
    w = nouns("en")
    for pattern, rep in _EN_WORDS:
        s = pattern.sub((lambda m, rep=rep: rep(m, w)) if callable(rep) else (lambda m, rep=rep: w[rep]), s)
    return s


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
