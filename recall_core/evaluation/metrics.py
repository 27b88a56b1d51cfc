"""Ranking metrics for one held-out item per user, over the full catalogue.

Protocol: every user's training items are excluded from the ranking; the rank
of the test item is ``1 + #(unseen items scoring higher) + #(unseen items with
an equal score and a lower row)``: ties are broken by item row, the same rule
as :func:`top_k`, so HR@K and the top-K lists agree.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

KS = (5, 10, 20, 50)
PROTOCOL = (
    "leave-last-out: per user, interactions sorted by timestamp (ties keep file order); the last one is the "
    "test item, the rest is training; users with one interaction are not evaluated. Validation holds out the "
    "second-to-last item instead (training: everything before it; the last item is not used): every setting is "
    "chosen on validation, test is reported. The split is per user, not global. Every model ranks the full "
    "catalogue with the user's training items excluded; ties broken by item row. HR, NDCG, Precision, Recall at K; "
    "MRR over the full ranking; coverage@K = distinct items in all top-K lists / catalogue size."
)


def ranks_from_scores(scores: np.ndarray, seen: sp.csr_matrix, targets: np.ndarray) -> np.ndarray:
    """1-based rank of each target among unseen items.

    ``scores`` ``(B, n_items)`` float; ``seen`` ``(B, n_items)`` CSR of excluded
    items; ``targets`` ``(B,)`` item rows. Returns ``(B,)`` int64. A target that
    is itself excluded gets rank ``n_items + 1`` (it can never be recommended).
    """
    s = np.array(scores, dtype=np.float64, copy=True)
    b, n = s.shape
    rows = np.repeat(np.arange(b), np.diff(seen.indptr))
    s[rows, seen.indices] = -np.inf
    t = s[np.arange(b), targets][:, None]
    higher = (s > t).sum(axis=1)
    ties = ((s == t) & (np.arange(n)[None, :] < targets[:, None])).sum(axis=1)
    r = 1 + higher + ties
    r[np.isneginf(t[:, 0])] = n + 1
    return r.astype(np.int64)


def top_k(scores: np.ndarray, seen: sp.csr_matrix | None, k: int) -> np.ndarray:
    """``(B, k)`` item rows of the highest unseen scores, best first, ties by lower row."""
    s = np.array(scores, dtype=np.float64, copy=True)
    s[np.isnan(s)] = -np.inf
    if seen is not None:
        rows = np.repeat(np.arange(s.shape[0]), np.diff(seen.indptr))
        s[rows, seen.indices] = -np.inf
    b, n = s.shape
    k = min(int(k), n)
    if k <= 0:
        return np.zeros((b, 0), np.int64)
    if k == n:
        # A stable sort on -score keeps lower rows first among equal scores.
        return np.argsort(-s, axis=1, kind="stable").astype(np.int64)
    # O(n) per row: the k-th best value, then every item at least that good, ordered by (score desc, row asc).
    kth = -np.partition(-s, k - 1, axis=1)[:, k - 1]
    out = np.empty((b, k), np.int64)
    for i in range(b):
        cand = np.flatnonzero(s[i] >= kth[i])
        out[i] = cand[np.lexsort((cand, -s[i, cand]))[:k]]
    return out


def metrics_from_ranks(ranks: np.ndarray, ks=KS) -> dict[str, float]:
    """HR, NDCG, Precision, Recall at each K and MRR from 1-based ranks (one relevant item per user).

    No ranks (no user could be evaluated: nobody has two interactions): ``{}``, never NaN; the caller says
    why (:func:`recall_core.evaluation.evaluate.score_and_rank` records ``users: 0``).
    """
    ranks = np.asarray(ranks, dtype=np.float64)
    out: dict[str, float] = {}
    if ranks.size == 0:
        return out
    for k in ks:
        hit = ranks <= k
        out[f"hr@{k}"] = float(hit.mean())
        out[f"ndcg@{k}"] = float(np.where(hit, 1.0 / np.log2(ranks + 1.0), 0.0).mean())
        out[f"precision@{k}"] = float(hit.mean() / k)
        out[f"recall@{k}"] = float(hit.mean())
    out["mrr"] = float((1.0 / ranks).mean())
    return out


def coverage(top_lists: np.ndarray, n_items: int) -> float:
    """Share of the catalogue that appears in at least one list."""
    return float(len(np.unique(top_lists)) / n_items)


def distinct_lists(top_lists: np.ndarray) -> int:
    """Number of different top-K lists (as sets), a personalisation signal."""
    return int(len({tuple(sorted(r)) for r in top_lists.tolist()}))


#: the bootstrap behind every stored interval: resamples of the evaluated users, the level, the seed
BOOTSTRAP = {"resamples": 1000, "level": 0.95, "seed": 0}
#: the key of ``metrics`` that holds the intervals (:func:`bootstrap_intervals`)
INTERVALS = "ci95"


def per_user_values(ranks: np.ndarray, ks=KS) -> dict[str, np.ndarray]:
    """``{"hr@K": (n,) 0/1, "ndcg@K": (n,) gain}`` per evaluated user: the means are :func:`metrics_from_ranks`'."""
    ranks = np.asarray(ranks, dtype=np.float64)
    out = {}
    for k in ks:
        hit = ranks <= k
        out[f"hr@{k}"] = hit.astype(np.float64)
        out[f"ndcg@{k}"] = np.where(hit, 1.0 / np.log2(ranks + 1.0), 0.0)
    return out


def bootstrap_intervals(ranks: np.ndarray, ks=KS, resamples: int = BOOTSTRAP["resamples"],
                        level: float = BOOTSTRAP["level"], seed: int = BOOTSTRAP["seed"]) -> dict[str, list[float]]:
    """Percentile bootstrap intervals over users: ``{"hr@K": [lo, hi], "ndcg@K": [lo, hi]}`` for each K.

    ``ranks`` ``(n,)`` 1-based ranks of the held-out items (one per evaluated user). Each of ``resamples``
    draws ``n`` users with replacement (a fixed ``seed``: the same ranks give the same interval, on any
    model) and takes the metric's mean; the interval is the ``(1 - level) / 2`` and ``(1 + level) / 2``
    quantiles of those means. Empty ``ranks``: ``{}`` (nothing to resample). Memory: ``O(100 * n)``.
    """
    ranks = np.asarray(ranks)
    n = len(ranks)
    if n == 0:
        return {}
    values = per_user_values(ranks, ks)
    names = list(values)
    v = np.stack([values[m] for m in names], axis=1)  # (n, metrics)
    rng = np.random.default_rng(seed)
    means = np.empty((resamples, len(names)))
    for start in range(0, resamples, 100):
        rows = min(100, resamples - start)
        draws = rng.integers(0, n, size=(rows, n))
        counts = np.stack([np.bincount(d, minlength=n) for d in draws]).astype(np.float64)  # (rows, n)
        means[start:start + rows] = counts @ v / n
    lo, hi = np.quantile(means, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return {m: [float(lo[j]), float(hi[j])] for j, m in enumerate(names)}
