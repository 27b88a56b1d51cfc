"""The FM, DSSM and YouTubeDNN sections' strings: the ``how.towers.*`` keys of :mod:`recall_core.app.i18n`.

The texts live in the per-language catalogues (``recall_core/app/i18n/en.py``,
``zh.py``); ``EN``/``ZH`` are read-only views of them without the prefix, and
:func:`_t` looks a key up in a language.
"""
from __future__ import annotations

from recall_core.app.i18n import en, text, zh

PREFIX = "how.towers."
EN = {k[len(PREFIX):]: v for k, v in en.STRINGS.items() if k.startswith(PREFIX)}
ZH = {k[len(PREFIX):]: v for k, v in zh.STRINGS.items() if k.startswith(PREFIX)}


def _t(lang: str, key: str, **fmt) -> str:
    """The string ``key`` in ``lang`` (English when the language is unknown), ``{fields}`` filled from ``fmt``."""
    return text(lang, PREFIX + key, **fmt)
