"""Reference baselines that are scoring rules, not embeddings: shown on the leaderboard only.

``transition``: "what usually comes next after what you just watched".
Item-to-item transition counts from training histories (j following i within
``window`` steps, weighted 1/step), scored from the user's last ``last_n``
training items with weights ``decay**age``; popularity breaks ties. Its
settings (:data:`TRANSITION_DEFAULTS`: window 2, last 5, decay 0.8) are chosen
like every model setting: on validation, on ML-100K and the long-tail shape
(make ablations, row "transition: reference settings").
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recall_core.data.split import Split, TrainData
from recall_core.evaluation.evaluate import score_and_rank
from recall_core.evaluation.metrics import KS

TRANSITION_COLOR = "#7a5c3e"
#: The reference's settings, chosen on validation (make ablations, row "transition: reference settings").
TRANSITION_DEFAULTS = {"window": 2, "last_n": 5, "decay": 0.8}
TRANSITION_DESCRIPTION = (
    "Reference scoring rule, not an embedding model: counts how often movie j followed movie i within "
    f"{TRANSITION_DEFAULTS['window']} steps in training histories (weight 1/step), and scores every movie from the "
    f"user's last {TRANSITION_DEFAULTS['last_n']} movies with weights {TRANSITION_DEFAULTS['decay']:g}^age; "
    "popularity breaks ties. Its settings were chosen on validation, like the models'.")


def transition_matrix(train: TrainData, window: int = 2) -> sp.csr_matrix:
    """``(n_items, n_items)``: ``T[i, j] = Σ 1/step`` over histories where j follows i within ``window`` steps."""
    rows, cols, vals = [], [], []
    for h in train.histories():
        for w in range(1, window + 1):
            if len(h) > w:
                rows.append(h[:-w])
                cols.append(h[w:])
                vals.append(np.full(len(h) - w, 1.0 / w))
    if not rows:
        return sp.csr_matrix((train.n_items, train.n_items))
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(train.n_items, train.n_items))


def transition_scores(train: TrainData, users: np.ndarray, t: sp.csr_matrix, last_n: int = 5,
                      decay: float = 0.5) -> np.ndarray:
    """``(len(users), n_items)`` transition scores plus a popularity tie-break below any count."""
    w = sp.lil_matrix((len(users), train.n_items))
    for b, u in enumerate(users):
        h = train.history(int(u))[-last_n:][::-1]
        for age, i in enumerate(h):
            w[b, i] += decay ** age
    pop = train.item_counts / max(train.item_counts.max(), 1)
    return (w.tocsr() @ t).toarray() + 1e-6 * pop[None, :]


def evaluate_transition(split: Split, ks=KS, window: int | None = None, last_n: int | None = None,
                        decay: float | None = None) -> dict:
    """Metrics of the transition reference on ``split`` (settings default to :data:`TRANSITION_DEFAULTS`)."""
    window = TRANSITION_DEFAULTS["window"] if window is None else window
    last_n = TRANSITION_DEFAULTS["last_n"] if last_n is None else last_n
    decay = TRANSITION_DEFAULTS["decay"] if decay is None else decay
    t = transition_matrix(split.train, window)
    return score_and_rank(
        lambda s, users: transition_scores(split.train, users, t, last_n, decay), split, ks)


__all__ = ["TRANSITION_DEFAULTS", "evaluate_transition", "transition_matrix", "transition_scores"]
