"""Who judges: one function checks a judge's name, wherever it comes from.

Every judgment row records the judge's name and where the name came from (``name_source``): ``typed`` (typed on
the Judge page), ``imported`` (read from a file by ``judgments import``). Issue 23 adds ``login`` and a per-session
write-rate limit; both belong here, in :func:`check_judge`, the one gate every write passes.
"""
from __future__ import annotations

from recall_core.errors import UsageError

NAME_SOURCES = ("typed", "imported")
MAX_NAME = 60
#: the judge named when a qrels file is imported without ``--judge`` (a qrels file names no judge)
IMPORTED = "imported"


def check_judge(name: str | None, source: str = "typed") -> str:
    """The judge's name, stripped of surrounding spaces; :class:`UsageError` unless it has 1 to 60 printable
    characters (no tabs, line breaks or control characters) and ``source`` is a known name source."""
    if source not in NAME_SOURCES:
        raise UsageError(f"name source must be one of {', '.join(NAME_SOURCES)}, got {source!r}")
    text = "" if name is None else str(name).strip()
    if not text:
        raise UsageError("judge name is empty: type your name (1 to 60 printable characters)")
    if len(text) > MAX_NAME:
        raise UsageError(f"judge name {text[:20]!r}… has {len(text)} characters; at most {MAX_NAME}")
    if not text.isprintable():
        bad = next(c for c in text if not c.isprintable())
        raise UsageError(f"judge name {text!r} contains the control character {bad!r}; use printable characters")
    return text
