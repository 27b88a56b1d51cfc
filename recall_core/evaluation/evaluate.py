"""Evaluate exported vectors on a leave-last-out split."""
from __future__ import annotations

import numpy as np

from recall_core.data.split import Split
from recall_core.evaluation.metrics import (INTERVALS, KS, bootstrap_intervals, coverage, distinct_lists,
                                           metrics_from_ranks, ranks_from_scores, top_k)
from recall_core.models.base import RecallOutput, l2_normalize

BATCH = 1024


def _space(x: np.ndarray, metric: str) -> np.ndarray:
    return l2_normalize(x) if metric == "cosine" else x


def _mask_unknown(scores: np.ndarray, output: RecallOutput) -> np.ndarray:
    """Items the model knows nothing about score -inf: below every known item."""
    if output.item_known is not None:
        scores[:, ~output.item_known] = -np.inf
    return scores


def view_scores(output: RecallOutput, view: str, query_rows: np.ndarray) -> np.ndarray:
    """``(len(query_rows), n_items)`` scores of a view (:meth:`RecallOutput.view_arrays`).

    ``query_rows`` are item rows (``similar``, ``cooccur``) or user rows
    (``user``). Items the model knows nothing about score ``-inf``.
    """
    queries, keys, metric = output.view_arrays(view)
    q = _space(np.asarray(queries)[np.asarray(query_rows, dtype=np.int64)], metric)
    return _mask_unknown(q @ _space(keys, metric).T, output)


def u2i_scores(output: RecallOutput, user_rows: np.ndarray) -> np.ndarray:
    """``(len(user_rows), n_items)`` scores the model was trained to produce for users."""
    return view_scores(output, "user", user_rows)


def i2i_scores(output: RecallOutput, item_rows: np.ndarray) -> np.ndarray:
    """``(len(item_rows), n_items)``: the I2I ``similar`` view."""
    return view_scores(output, "similar", item_rows)


def ranks_and_tops(score_fn, split: Split, kmax: int) -> tuple[np.ndarray, np.ndarray]:
    """Per test user, in batches of ``BATCH``: ``(ranks (n_test,) int64, top (n_test, kmax) item rows)``.

    ``score_fn(start, users)`` returns ``(len(users), n_items)`` scores for the
    test users ``split.test_users[start:start + len(users)]``; ``ranks`` are the
    1-based ranks of the held-out items (:func:`ranks_from_scores`), ``top`` the
    top-``kmax`` lists, training items excluded from both.
    """
    seen_all = split.train.matrix
    ranks, tops = [], []
    for start in range(0, len(split.test_users), BATCH):
        users = split.test_users[start:start + BATCH]
        scores = score_fn(start, users)
        seen = seen_all[users]
        ranks.append(ranks_from_scores(scores, seen, split.test_items[start:start + BATCH]))
        tops.append(top_k(scores, seen, kmax))
    if not ranks:
        return np.zeros(0, np.int64), np.zeros((0, kmax), np.int64)
    return np.concatenate(ranks), np.concatenate(tops)


def score_and_rank(score_fn, split: Split, ks) -> dict[str, float]:
    """Metrics of any scoring rule on ``split``, in batches of ``BATCH`` test users (see :func:`ranks_and_tops`).

    Besides the means: ``users`` (how many were evaluated) and, under :data:`~recall_core.evaluation.metrics.
    INTERVALS` (``"ci95"``), a 95% bootstrap interval over users of HR@K and NDCG@K for every K
    (:func:`~recall_core.evaluation.metrics.bootstrap_intervals`), kept in the manifest with the metrics.
    A split with no test user (nobody has two interactions) gives ``{"users": 0}`` and nothing else: no
    metric, never NaN (:func:`no_evaluable_users` says it in one line).
    """
    ranks_a, top = ranks_and_tops(score_fn, split, max(ks))
    if len(ranks_a) == 0:
        return {"users": 0}
    out = metrics_from_ranks(ranks_a, ks)
    n_items = split.train.n_items
    for k in ks:
        out[f"coverage@{k}"] = coverage(top[:, :k], n_items)
    out["distinct_lists@10"] = distinct_lists(top[:, :10])
    out["users"] = int(len(ranks_a))
    out[INTERVALS] = bootstrap_intervals(ranks_a, ks)
    return out


def no_evaluable_users(split: Split) -> str | None:
    """One line saying why nothing can be evaluated on ``split``, or None when some user can be.

    A user is evaluated when they have a held-out item and something before it: with leave-last-out, at
    least two interactions (three for the validation split)."""
    if len(split.test_users):
        return None
    need = 3 if split.name == "valid" else 2
    return (f"no user has {need} or more interactions, so no user can be evaluated on the {split.name} split: "
            "every metric is shown as –")


def evaluate(output: RecallOutput, split: Split, ks=KS) -> dict[str, float]:
    """U2I metrics of ``output`` on ``split`` (see :data:`~recall_core.evaluation.metrics.PROTOCOL`)."""
    return score_and_rank(lambda _s, users: u2i_scores(output, users), split, ks)


def evaluate_i2i(output: RecallOutput, split: Split, ks=KS) -> dict[str, float]:
    """I2I metrics: query with each user's last training item; is the test item among the neighbours?

    Neighbours use the model's I2I ``metric``; the user's training items
    (the query among them) are excluded, as in the U2I protocol.
    """
    tr = split.train
    last = np.asarray([tr.history(u)[-1] for u in split.test_users], dtype=np.int64).reshape(-1)
    res = score_and_rank(lambda s, _u: i2i_scores(output, last[s:s + BATCH]), split, ks)
    return {k: v for k, v in res.items() if k.startswith(("hr@", "ndcg@", "mrr", "coverage@", "users", INTERVALS))}
