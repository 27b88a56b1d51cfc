"""Cut time-ordered histories into sessions at gaps longer than a time window."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Sessions:
    """Sessions as flat arrays (CSR-like).

    * ``offsets`` ``(n_sessions + 1,)`` int64: session ``s`` is ``item_idx[offsets[s]:offsets[s+1]]``.
    * ``item_idx`` ``(n,)`` int64 item rows, ``rating`` ``(n,)`` float32, in time order within a session.
    * ``user`` ``(n_sessions,)`` int64: the user row of each session.
    """

    offsets: np.ndarray
    item_idx: np.ndarray
    rating: np.ndarray
    user: np.ndarray

    @property
    def n_sessions(self) -> int:
        return len(self.offsets) - 1

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def session_id(self) -> np.ndarray:
        """``(n,)`` the session index of every position."""
        return np.repeat(np.arange(self.n_sessions), self.lengths)


def cut_sessions(user_idx: np.ndarray, timestamp: np.ndarray, gap_seconds: float) -> np.ndarray:
    """Session start flags for interactions sorted by user then time.

    ``user_idx``, ``timestamp``: ``(n,)``. Returns ``(n + 1,)`` int64 offsets:
    a session starts at each user's first interaction and wherever the time
    since the previous interaction of the same user is strictly greater than
    ``gap_seconds`` (a gap of exactly the window stays in the session).
    """
    user_idx = np.asarray(user_idx)
    timestamp = np.asarray(timestamp, dtype=np.int64)
    n = len(user_idx)
    if n == 0:
        return np.zeros(1, np.int64)
    if (np.diff(user_idx) < 0).any() or ((np.diff(timestamp) < 0) & (np.diff(user_idx) == 0)).any():
        raise ValueError("cut_sessions needs interactions sorted by user, then timestamp")
    start = np.ones(n, bool)
    start[1:] = (user_idx[1:] != user_idx[:-1]) | (np.diff(timestamp) > gap_seconds)
    return np.concatenate([np.flatnonzero(start), [n]]).astype(np.int64)


def sessions_of(train, gap_seconds: float) -> Sessions:
    """The sessions of a :class:`~recall_core.data.TrainData` (its rows are sorted by user, then time)."""
    offsets = cut_sessions(train.user_idx, train.timestamp, gap_seconds)
    return Sessions(
        offsets=offsets, item_idx=np.asarray(train.item_idx, np.int64),
        rating=np.asarray(train.rating, np.float32), user=np.asarray(train.user_idx, np.int64)[offsets[:-1]],
    )
