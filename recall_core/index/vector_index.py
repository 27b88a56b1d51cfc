"""Exact nearest-neighbour search over one set of vectors, kept apart from models."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from recall_core.errors import UnknownIdError, UsageError
from recall_core.evaluation.metrics import top_k
from recall_core.models.base import METRICS, l2_normalize


class IdRows:
    """String ids to index rows, for every index kind (``self._row``: ``{id: row}``)."""

    _row: dict[str, int]

    def row(self, item_id: str) -> int:
        try:
            return self._row[str(item_id)]
        except KeyError:
            raise UnknownIdError(f"unknown id {item_id!r}") from None


class VectorIndex(IdRows):
    """Exact search: every stored vector is scored, and the top ``k`` are kept.

    ``vectors`` ``(n, d)`` float32 with string ``ids`` ``(n,)``. ``metric`` is
    ``"ip"`` (inner product) or ``"cosine"`` (inner product over normalised
    *copies*: the caller's arrays are never modified). ``valid`` ``(n,)`` bool,
    optional: rows never returned (items a model knows nothing about).

    Ties are broken by row, lower first: the rule of
    :func:`~recall_core.evaluation.metrics.top_k` and of the evaluation's
    ranks, so a list shown here and a rank computed there always agree.
    """

    def __init__(self, vectors: np.ndarray, ids: Sequence[str], metric: str = "ip", valid: np.ndarray | None = None):
        if metric not in METRICS:
            raise UsageError(f"metric must be one of {METRICS}, got {metric!r}")
        vecs = np.asarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or len(vecs) != len(ids):
            raise UsageError(f"vectors must be (n_ids={len(ids)}, d), got {vecs.shape}")
        self.metric = metric
        self.ids = np.asarray(ids, dtype=str)
        self._row = {s: i for i, s in enumerate(self.ids.tolist())}
        self._vectors = l2_normalize(vecs) if metric == "cosine" else np.ascontiguousarray(vecs)
        self._invalid = np.flatnonzero(~np.asarray(valid, bool)) if valid is not None else np.zeros(0, np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dim(self) -> int:
        return int(self._vectors.shape[1])

    def vector(self, item_id: str) -> np.ndarray:
        """The stored (normalised, for cosine) vector of ``item_id``."""
        return self._vectors[self.row(item_id)]

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """``(q, n)`` float32 scores of every stored vector for each query ``(q, d)``."""
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise UsageError(f"query vectors have width {q.shape[-1]}, but this index holds vectors of width "
                             f"{self.dim}: the query and the indexed vectors belong to different spaces")
        if self.metric == "cosine":
            q = l2_normalize(q)
        return q @ self._vectors.T

    def search(self, queries: np.ndarray, k: int, exclude: Sequence[Sequence[str]] | None = None):
        """Top-``k`` ids and scores for each query.

        ``queries`` ``(q, d)``; ``exclude``: per query, ids never returned
        (a user's seen items, the query item itself). Returns ``ids`` ``(q, k)``
        str and ``scores`` ``(q, k)`` float32, padded with ``""``/``-inf``
        where a row has fewer than ``k`` results.
        """
        scores = self.scores(queries).astype(np.float64)
        k = max(0, min(int(k), len(self)))
        scores[:, self._invalid] = -np.inf
        for i, ex in enumerate(exclude or ()):
            rows = [self._row[s] for s in ex if s in self._row]
            scores[i, rows] = -np.inf
        top = top_k(scores, None, k)
        top_scores = np.take_along_axis(scores, top, axis=1)
        ok = np.isfinite(top_scores)
        out_ids = np.where(ok, self.ids[top], "")
        out_sc = np.where(ok, top_scores, -np.inf).astype(np.float32)
        return out_ids.astype(str), out_sc

    def neighbours(self, item_id: str, k: int, exclude_self: bool = True):
        """``(ids (k,), scores (k,))`` nearest to a stored id."""
        ids, sc = self.search(self.vector(item_id)[None, :], k, [[item_id]] if exclude_self else None)
        return ids[0], sc[0]
