"""Exact nearest-neighbour search over one set of vectors, kept apart from models."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recall_core.errors import UnknownIdError
from recall_core.models.base import METRICS, l2_normalize


class VectorIndex:
    """Exact search with faiss ``IndexFlatIP``.

    ``vectors`` ``(n, d)`` float32 with string ``ids`` ``(n,)``. ``metric`` is
    ``"ip"`` (inner product) or ``"cosine"`` (inner product over normalised
    *copies*: the caller's arrays are never modified). Use the metric the
    model was trained with (``RecallOutput.metric`` / ``u2i_metric``).
    ``valid`` ``(n,)`` bool, optional: rows never returned (items a model
    knows nothing about).
    """

    def __init__(self, vectors: np.ndarray, ids: Sequence[str], metric: str = "ip", valid: np.ndarray | None = None):
        import faiss  # local: keeps `import recall_core` light

        if metric not in METRICS:
            raise ValueError(f"metric must be one of {METRICS}, got {metric!r}")
        vecs = np.asarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or len(vecs) != len(ids):
            raise ValueError(f"vectors must be (n_ids={len(ids)}, d), got {vecs.shape}")
        self.metric = metric
        self.ids = np.asarray(ids, dtype=str)
        self._row = {s: i for i, s in enumerate(self.ids.tolist())}
        self._vectors = l2_normalize(vecs) if metric == "cosine" else np.ascontiguousarray(vecs)
        self._index = faiss.IndexFlatIP(vecs.shape[1])
        self._index.add(self._vectors)
        self._invalid = set(np.flatnonzero(~np.asarray(valid, bool)).tolist()) if valid is not None else set()

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, item_id: str) -> int:
        try:
            return self._row[str(item_id)]
        except KeyError:
            raise UnknownIdError(f"unknown id {item_id!r}") from None

    def vector(self, item_id: str) -> np.ndarray:
        """The stored (normalised, for cosine) vector of ``item_id``."""
        return self._vectors[self.row(item_id)]

    def search(self, queries: np.ndarray, k: int, exclude: Sequence[Sequence[str]] | None = None):
        """Top-``k`` ids and scores for each query.

        ``queries`` ``(q, d)``; ``exclude``: per query, ids never returned
        (a user's seen items, the query item itself). Returns ``ids`` ``(q, k')``
        str and ``scores`` ``(q, k')`` float32 with ``k' = min(k, n - excluded)``
        per row, padded with ``""``/``-inf`` where a row has fewer results.
        """
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if self.metric == "cosine":
            q = l2_normalize(q)
        k = max(0, min(int(k), len(self)))
        if exclude is None:
            exclude = [()] * len(q)
        excl = [self._invalid.union(self._row[s] for s in e if s in self._row) for e in exclude]
        extra = max((len(e) for e in excl), default=0)
        kk = min(len(self), k + extra)
        scores, rows = self._index.search(np.ascontiguousarray(q), kk) if kk else (np.zeros((len(q), 0)), np.zeros((len(q), 0), int))
        out_ids = np.full((len(q), k), "", dtype=object)
        out_sc = np.full((len(q), k), -np.inf, dtype=np.float32)
        for i in range(len(q)):
            j = 0
            for r, s in zip(rows[i], scores[i]):
                if r < 0 or r in excl[i]:
                    continue
                if j == k:
                    break
                out_ids[i, j] = self.ids[r]
                out_sc[i, j] = s
                j += 1
        return out_ids.astype(str), out_sc

    def neighbours(self, item_id: str, k: int, exclude_self: bool = True):
        """``(ids (k,), scores (k,))`` nearest to a stored id."""
        ids, sc = self.search(self.vector(item_id)[None, :], k, [[item_id]] if exclude_self else None)
        return ids[0], sc[0]
