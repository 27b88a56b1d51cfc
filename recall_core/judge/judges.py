"""Who judges: one function checks a judge's name, wherever it comes from.

Every judgment row records the judge's name and where the name came from (``name_source``): ``typed`` (typed on
the Judge page), ``login`` (the e-mail of the signed-in user, when the app runs behind Streamlit's ``st.login``;
it cannot be typed), ``imported`` (read from a file by ``judgments import``).

**Write rate.** An app session stores at most :data:`RATE_LIMIT` judgments in any :data:`RATE_WINDOW` seconds
(:func:`check_rate`, asked by :class:`recall_core.judge.db.JudgmentDB` for every write that names its session):
a person grading by hand stays far below it (about one click a second), a runaway script or a stuck key is
stopped, and each refused write says so. Imports (no session) are not limited. The count is per process, in
memory: a server restart starts it afresh.
"""
from __future__ import annotations

import threading
import time
from collections import deque

from recall_core.errors import RateLimitError, UsageError

NAME_SOURCES = ("typed", "login", "imported")
#: at most this many judgment writes per app session in any RATE_WINDOW seconds
RATE_LIMIT = 5
RATE_WINDOW = 1.0
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


#: the clock of the rate limit (seconds, monotonic); tests replace it to make bursts exact
clock = time.monotonic


class WriteRate:
    """A sliding window per session: the times of its last :data:`RATE_LIMIT` accepted writes (thread-safe: the
    app's sessions run in threads of one process)."""

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW):
        self.limit, self.window = int(limit), float(window)
        self._times: dict[str, deque] = {}
        self._lock = threading.Lock()

    def check(self, session: str, now: float | None = None) -> None:
        """Count one write of ``session``; :class:`RateLimitError` (nothing counted) when it already wrote
        ``limit`` times in the last ``window`` seconds."""
        now = clock() if now is None else float(now)
        with self._lock:
            times = self._times.setdefault(str(session), deque())
            while times and now - times[0] >= self.window:
                times.popleft()
            if len(times) >= self.limit:
                raise RateLimitError(f"session {session}: more than {self.limit} judgments in {self.window:g} s; this "
                                     "one was not stored (a limit against runaway scripts): wait a moment and "
                                     "click again")
            times.append(now)
            if len(self._times) > 10_000:  # forget sessions idle for a window (bounded memory on a long demo)
                for k in [k for k, q in self._times.items() if not q or now - q[-1] >= self.window]:
                    del self._times[k]

    def reset(self) -> None:
        with self._lock:
            self._times.clear()


RATES = WriteRate()


def check_rate(session: str) -> None:
    """:meth:`WriteRate.check` of the process-wide window (:data:`RATES`)."""
    RATES.check(session)
