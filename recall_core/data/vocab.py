"""Vocabulary: raw string ids <-> contiguous rows."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from recall_core.errors import UnknownIdError


class Vocabulary:
    """Maps raw string ids to rows ``0..n-1`` in a fixed order.

    Unknown ids raise :class:`UnknownIdError` (there is no silent fallback
    row): callers that want to skip unknown ids use :meth:`get` instead.
    """

    def __init__(self, ids: Iterable[str], kind: str = "id"):
        arr = np.asarray([str(i) for i in ids], dtype=str)
        self.kind = kind
        self._ids = arr
        self._index = {s: i for i, s in enumerate(arr.tolist())}
        if len(self._index) != len(arr):
            seen: set[str] = set()
            dup = next(s for s in arr.tolist() if s in seen or seen.add(s))
            raise ValueError(f"duplicate {kind} {dup!r} in vocabulary")

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._index

    @property
    def ids(self) -> np.ndarray:
        """All ids as a ``(n,)`` str array, row order."""
        return self._ids

    def index(self, key: str) -> int:
        """Row of ``key``; raises UnknownIdError naming the id."""
        try:
            return self._index[str(key)]
        except KeyError:
            raise UnknownIdError(f"unknown {self.kind} {key!r}") from None

    def get(self, key: str, default: int = -1) -> int:
        return self._index.get(str(key), default)

    def indices(self, keys: Iterable[str]) -> np.ndarray:
        """Rows of ``keys`` as an int64 array; raises on the first unknown id."""
        return np.fromiter((self.index(k) for k in keys), dtype=np.int64)

    def id(self, row: int) -> str:
        return str(self._ids[row])


class VocabSizes:
    """``n_items`` and ``n_users`` from ``item_vocab`` and ``user_vocab`` (mixed into Dataset and TrainData)."""

    item_vocab: Vocabulary
    user_vocab: Vocabulary

    @property
    def n_items(self) -> int:
        return len(self.item_vocab)

    @property
    def n_users(self) -> int:
        return len(self.user_vocab)
