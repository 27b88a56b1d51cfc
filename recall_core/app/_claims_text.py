"""The claims views' strings: the ``claims.*`` keys of :mod:`recall_core.app.i18n`.

The texts live in the per-language catalogues (``recall_core/app/i18n/en.py``,
``zh.py``); ``EN``/``ZH`` are read-only views of them without the prefix.
"""
from __future__ import annotations

from recall_core.app import i18n
from recall_core.app.i18n import en, zh

PREFIX = "claims."
EN = {k[len(PREFIX):]: v for k, v in en.STRINGS.items() if k.startswith(PREFIX)}
ZH = {k[len(PREFIX):]: v for k, v in zh.STRINGS.items() if k.startswith(PREFIX)}


def text(lang: str, key: str, **fmt) -> str:
    """The string ``key`` in ``lang`` (``"zh"`` or English), formatted with ``fmt``."""
    return i18n.text(lang, PREFIX + key, **fmt)
