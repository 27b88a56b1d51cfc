"""EASE (Steck, 2019, "Embarrassingly Shallow Autoencoders"): a closed-form item-item reference row.

With ``X`` the binary ``(n_users, n_items)`` training matrix and ``λ > 0``::

    P = (XᵀX + λI)⁻¹            (n_items, n_items)
    B = I − P · diag(1 / diag(P))   i.e. B_ij = −P_ij / P_jj for i ≠ j, and B_ii = 0
    scores = X B                (n_users, n_items): user u's score of item j is Σ_{i seen by u} B_ij

It is a *reference*, like the transition row: a scoring rule learned in one
solve, not an embedding model (its "vectors" would be whole rows of ``B``), so
it lives here beside :mod:`~recall_core.evaluation.baselines` and never in the
model registry or the pages that show vectors. ``λ`` is chosen on validation
(:func:`choose_lambda`, HR@10 over :data:`LAMBDAS`; ties go to the smaller
``λ``), and the test row is fitted with it on the test split's training matrix.

Cost: the Gram matrix and its inverse are dense ``float64`` ``(n_items,
n_items)`` and ``B`` is ``float32``, so memory grows as ``n_items²`` and the
solve as ``n_items³``. It is computed only for catalogues of at most
:data:`EASE_MAX_ITEMS` items and skipped, with a message, above.
"""
from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from recall_core.data.split import Split
from recall_core.errors import UsageError
from recall_core.evaluation.evaluate import BATCH, ranks_and_tops, score_and_rank
from recall_core.evaluation.metrics import KS, top_k

#: The λ values tried on validation (HR@10), smallest first.
LAMBDAS = (1.0, 10.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0)
#: The largest catalogue EASE is computed for: there the whole reference (len(LAMBDAS) solves on validation and one
#: on test) took 7 minutes with a peak of 3.7 GiB on 2 cores, within the rule of 10 minutes and 4 GiB
#: (`python bench/tuning.py --steps ease_limit`; BENCHMARKS.md, *Fair comparison*, "EASE: item-count limit"; the
#: memory grows as n_items², so the next size would pass 4 GiB). Above it the row is skipped with a message.
EASE_MAX_ITEMS = 14_000
EASE_COLOR = "#2f4b7c"
#: how many of each user's best unseen items are kept for the User page (its K goes up to 100)
KEEP_TOP = 100
#: :func:`ease_scores` multiplies by ``B`` this many columns at a time: a block of ``B`` (``n_items x 512`` float32,
#: 7.4 MB at 3,700 items) stays in the cache while every user's rows are added up, instead of ``B``'s whole rows
#: (55 MB) streaming from memory for each user. The same sums in the same order, so the same floats.
COLUMN_BLOCK = 512


def gram(x: sp.csr_matrix) -> np.ndarray:
    """``(n_items, n_items)`` float64 ``XᵀX`` of a binary user-item matrix."""
    x = sp.csr_matrix(x, dtype=np.float64)
    return np.asarray((x.T @ x).todense(), dtype=np.float64)


def ease_weights(g: np.ndarray, lam: float) -> np.ndarray:
    """``B`` ``(n_items, n_items)`` float32 from the Gram matrix ``g`` (not modified) and ``λ``.

    ``P = (g + λI)⁻¹`` by a Cholesky factorisation (``g + λI`` is symmetric positive definite for ``λ > 0``),
    then ``B = −P / diag(P)`` column-wise, whose diagonal is 0. Peak memory beside ``g``: one float64 and one
    float32 ``(n_items, n_items)`` matrix (the inverse is built and scaled in place).
    """
    from scipy.linalg import lapack

    if not lam > 0:
        raise UsageError(f"EASE: lambda must be > 0, got {lam!r}")
    a = np.array(g, dtype=np.float64, order="F", copy=True)
    a[np.diag_indices_from(a)] += lam
    c, info = lapack.dpotrf(a, lower=False, overwrite_a=True, clean=False)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: XᵀX + {lam:g}·I is not positive definite (dpotrf info {info})")
    p, info = lapack.dpotri(c, lower=False, overwrite_c=True)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: inverting XᵀX + {lam:g}·I failed (dpotri info {info})")
    n = p.shape[0]
    for i in range(0, n, 1024):  # dpotri fills the upper triangle: mirror it, a block of rows at a time
        p[i:i + 1024, :i] = p[:i, i:i + 1024].T
        blk = p[i:i + 1024, i:i + 1024]
        blk[...] = np.triu(blk) + np.triu(blk, 1).T
    p /= -np.diag(p)[None, :]
    p[np.diag_indices_from(p)] = 0.0
    return p.astype(np.float32)


def ease_scores(x_rows: sp.csr_matrix, b: np.ndarray) -> np.ndarray:
    """``(len(rows), n_items)`` float32: ``X_rows B``, :data:`COLUMN_BLOCK` columns of ``B`` at a time.

    Each score is scipy's sum over the user's items in the row's order, whatever the block: bit for bit the
    scores of ``X_rows @ B`` in one product (tests/evaluation/test_ease.py), computed 1.9 to 2.3 times faster on
    the ML-1M shape (BENCHMARKS.md, "EASE: scoring in column blocks")."""
    x = sp.csr_matrix(x_rows, dtype=np.float32)
    out = np.empty((x.shape[0], b.shape[1]), np.float32)
    for j in range(0, b.shape[1], COLUMN_BLOCK):
        out[:, j:j + COLUMN_BLOCK] = x @ np.ascontiguousarray(b[:, j:j + COLUMN_BLOCK], dtype=np.float32)
    return out


def evaluate_ease(split: Split, b: np.ndarray, ks=KS) -> dict:
    """Metrics of the scores ``X B`` on ``split`` (the same protocol as every model)."""
    x = split.train.matrix
    return score_and_rank(lambda _s, users: ease_scores(x[users], b), split, ks)


def choose_lambda(valid: Split, lambdas=LAMBDAS, progress=None) -> tuple[float, dict[float, dict]]:
    """``(λ, {λ: validation metrics})``: the ``λ`` with the best validation HR@10 (ties: the smaller ``λ``)."""
    g = gram(valid.train.matrix)
    results = {}
    for i, lam in enumerate(lambdas):
        if progress is not None:
            progress(i / len(lambdas), f"ease: λ {lam:g} on validation")
        results[float(lam)] = evaluate_ease(valid, ease_weights(g, lam))
    best = max(results, key=lambda lam: (results[lam]["hr@10"], -lam))
    return best, results


def fit_reference(valid: Split, test: Split, lambdas=LAMBDAS, keep_top: int = KEEP_TOP, progress=None) -> dict:
    """The EASE reference row: ``λ`` chosen on ``valid``, then fitted on ``test``'s training matrix.

    Returns ``{"lambda", "valid" (metrics at λ), "valid_by_lambda" ({λ: hr@10}), "test" (metrics), "seconds",
    "n_items", "top_rows" (n_users, keep_top) int32, "top_scores" (n_users, keep_top) float32 (every user's best
    unseen items, training items excluded, best first; row -1 and score -inf pad a user with fewer unseen items),
    "ranks" (n_test,) int64 (1-based rank of each test user's held-out item, in ``test.test_users`` order)}``.
    The arrays are what the User page shows; the rest is JSON-ready.
    """
    n_items = test.train.n_items
    if n_items > EASE_MAX_ITEMS:
        raise UsageError(too_large(n_items))
    t0 = time.perf_counter()
    lam, by_lambda = choose_lambda(valid, lambdas, progress)
    if progress is not None:
        progress(0.9, f"ease: λ {lam:g} on the test split")
    b = ease_weights(gram(test.train.matrix), lam)
    x = test.train.matrix
    ranks, _ = ranks_and_tops(lambda _s, users: ease_scores(x[users], b), test, 1)
    metrics = evaluate_ease(test, b)
    keep = min(keep_top, n_items)
    top_rows = np.empty((test.train.n_users, keep), np.int32)
    top_scores = np.empty((test.train.n_users, keep), np.float32)
    for start in range(0, test.train.n_users, BATCH):
        users = np.arange(start, min(start + BATCH, test.train.n_users))
        scores = ease_scores(x[users], b)
        seen = x[users]
        scores[np.repeat(np.arange(len(users)), np.diff(seen.indptr)), seen.indices] = -np.inf
        top = top_k(scores, None, keep)
        s = np.take_along_axis(scores, top, axis=1)
        top_rows[users] = np.where(np.isneginf(s), -1, top)
        top_scores[users] = s
    return {"lambda": lam, "valid": by_lambda[lam],
            "valid_by_lambda": {f"{k:g}": v["hr@10"] for k, v in by_lambda.items()},
            "test": metrics, "seconds": round(time.perf_counter() - t0, 2), "n_items": int(n_items),
            "top_rows": top_rows, "top_scores": top_scores, "ranks": ranks.astype(np.int64)}


def too_large(n_items: int) -> str:
    """The one-line reason EASE is skipped on a catalogue of ``n_items``."""
    gib = 20 * n_items ** 2 / 2 ** 30
    return (f"EASE skipped: {n_items:,} items > EASE_MAX_ITEMS {EASE_MAX_ITEMS:,} (its dense n_items² solve would "
            f"need about {gib:.1f} GiB and grows as n_items³ in time; recall_core/evaluation/ease.py)")


__all__ = ["EASE_MAX_ITEMS", "KEEP_TOP", "LAMBDAS", "choose_lambda", "ease_scores", "ease_weights", "evaluate_ease",
           "fit_reference", "gram", "too_large"]
