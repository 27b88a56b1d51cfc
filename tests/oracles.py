"""Each model's stated scoring formulas, recomputed from its exported arrays with plain numpy.

These are the oracles of the view tests: what a page or the CLI shows for a
view must equal what the model's documented formula gives (``view_notes`` on
the model class says the same in words). They are written independently of
:meth:`RecallOutput.view_arrays`, from the raw arrays and the training split.

``ORACLES[model][view](out, train)`` returns ``(n_queries, n_items)`` float64
scores for every query (item rows for ``similar``/``cooccur``, user rows for
``user``), before any exclusion.
"""
from __future__ import annotations

import numpy as np


def _l2n(x):
    x = np.asarray(x, np.float64)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def _cos(a, b):
    return _l2n(a) @ _l2n(b).T


def _recent_mean(vectors, train, last_n, known=None):
    out = np.zeros((train.n_users, vectors.shape[1]))
    for u in range(train.n_users):
        h = train.history(u)
        if known is not None:
            h = h[known[h]]
        if len(h):
            out[u] = np.asarray(vectors, np.float64)[h[-last_n:]].mean(axis=0)
    return out


def _skipgram(known_for_users: bool):
    """item2vec / airbnb: in = pair-query vectors, out = candidates."""
    def similar(o, train):
        s = _l2n(o.pair_query_vectors) + _l2n(o.candidates)
        return _cos(s, s)

    def cooccur(o, train):
        return np.asarray(o.pair_query_vectors, np.float64) @ np.asarray(o.candidates, np.float64).T

    def user(o, train):
        known = o.item_known if known_for_users else None
        return _recent_mean(o.pair_query_vectors, train, 3, known) @ np.asarray(o.candidates, np.float64).T

    return {"similar": similar, "cooccur": cooccur, "user": user}


def _eges():
    def h(o):
        return np.asarray(o.item_vectors, np.float64)

    return {
        "similar": lambda o, tr: _cos(h(o), h(o)),
        "cooccur": lambda o, tr: h(o) @ np.asarray(o.candidates, np.float64).T,
        "user": lambda o, tr: _recent_mean(h(o), tr, 3, o.item_known) @ np.asarray(o.candidates, np.float64).T,
    }


def _counts(o, tr):
    """Popularity: training count / the largest training count."""
    c = np.bincount(tr.item_idx, minlength=tr.n_items).astype(np.float64)
    return c / c.max()


ORACLES = {
    "mostpop": {
        "similar": lambda o, tr: np.outer(_counts(o, tr), _counts(o, tr)),
        "user": lambda o, tr: np.tile(_counts(o, tr), (tr.n_users, 1)),
    },
    "item2vec": _skipgram(known_for_users=False),
    "airbnb": _skipgram(known_for_users=True),
    "eges": _eges(),
    "fm": {
        # The bias coordinate (item terms) is dropped for I2I; users carry a leading 1.
        "similar": lambda o, tr: _cos(o.candidates[:, 1:], o.candidates[:, 1:]),
        "user": lambda o, tr: np.asarray(o.user_vectors, np.float64) @ np.asarray(o.candidates, np.float64).T,
    },
    "dssm": {
        "similar": lambda o, tr: _cos(o.item_vectors, o.item_vectors),
        "user": lambda o, tr: _cos(o.user_vectors, o.item_vectors),
    },
    "youtubednn": {
        "similar": lambda o, tr: _cos(o.item_vectors, o.item_vectors),
        "user": lambda o, tr: np.asarray(o.user_vectors, np.float64) @ np.asarray(o.item_vectors, np.float64).T,
    },
}


def oracle_top(scores: np.ndarray, exclude, known, k: int):
    """``(rows, scores)`` of the top ``k`` of one query: excluded and unknown items dropped, ties by row."""
    s = np.array(scores, np.float64)
    s[list(exclude)] = -np.inf
    if known is not None:
        s[~np.asarray(known, bool)] = -np.inf
    rows = np.flatnonzero(np.isfinite(s))
    order = rows[np.lexsort((rows, -s[rows]))][:k]
    return order, s[order]
