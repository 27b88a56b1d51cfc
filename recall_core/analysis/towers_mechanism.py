"""The mechanisms of the tower models, recomputed in numpy from what the store holds.

For the "How it works" page (no streamlit, no TensorFlow):

* **FM**: the FM score of one (user, movie) pair term by term, from the trained
  parameter tables the model stores (``extras["fm_*"]``) and the features
  :class:`~recall_core.models.fm.FMFeatures` builds (the same code training used).
* **DSSM**: one in-batch softmax: the ``B x B`` logits ``cos / τ``, the logQ
  correction per column and each row's softmax, with accidental hits masked as
  in :func:`recall_core.models._tf.losses.sampled_softmax_loss`.
* **YouTubeDNN**: the next-watch examples one user contributes
  (:func:`~recall_core.features.towers.next_item_examples`), and the user's
  scores at several serving ages (``extras["age_grid_*"]``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recall_core.errors import NotTrainedError, UnknownIdError

# ----------------------------------------------------------------------------- FM

FM_KEYS = ("fm_user_v", "fm_user_w", "fm_item_v", "fm_item_w", "fm_w0")


@dataclass(frozen=True)
class FMTables:
    """Trained FM parameters: ``user_v`` ``(P_u, d)``, ``user_w`` ``(P_u,)``, ``item_v`` ``(P_t, d)``,
    ``item_w`` ``(P_t,)``, ``w0`` scalar. ``P_u``/``P_t``: feature counts of each side."""

    user_v: np.ndarray
    user_w: np.ndarray
    item_v: np.ndarray
    item_w: np.ndarray
    w0: float

    @classmethod
    def from_extras(cls, extras: dict, name: str = "fm") -> "FMTables":
        """Read the ``fm_*`` extras; :class:`NotTrainedError` if the stored model predates them."""
        missing = [k for k in FM_KEYS if k not in extras]
        if missing:
            raise NotTrainedError(f"{name}: the stored model has no {', '.join(missing)} (trained before the "
                                  f"parameter tables were exported); retrain it")
        f = {k: np.asarray(extras[k], np.float64) for k in FM_KEYS}
        return cls(f["fm_user_v"], f["fm_user_w"], f["fm_item_v"], f["fm_item_w"], float(f["fm_w0"].reshape(-1)[0]))


def _side(v: np.ndarray, w: np.ndarray, ids: np.ndarray, vals: np.ndarray):
    """One side's sums for sparse features ``ids, vals`` ``(n, L)``.

    Returns ``s = Σ v x`` ``(n, d)``, ``lin = Σ w x`` ``(n,)`` and
    ``pair = ½ Σ_f ((Σ v_f x)² − Σ v_f² x²)`` ``(n,)``.
    """
    vals = np.asarray(vals, np.float64)
    vx = v[ids] * vals[..., None]  # (n, L, d)
    s = vx.sum(axis=1)
    pair = 0.5 * (s * s - (vx * vx).sum(axis=1)).sum(axis=1)
    lin = (w[ids] * vals).sum(axis=1)
    return s, lin, pair


def fm_terms(t: FMTables, u_ids, u_vals, i_ids, i_vals) -> dict[str, np.ndarray]:
    """The FM score of ``n`` (user, item) pairs term by term.

    ``u_ids, u_vals`` ``(n, L_u)`` and ``i_ids, i_vals`` ``(n, L_t)``: sparse
    features of each side. Every value is ``(n,)`` except the tower vectors
    ``user_vector``/``item_vector`` ``(n, d + 1)``:

    * ``bias`` w0; ``user_linear`` Σ w_u x_u; ``user_pairwise`` ½ Σ_f ((Σ v_u x_u)² − Σ v_u² x_u²);
    * ``item_linear``, ``item_pairwise`` (the same over the item side; the text's ``x_t²``);
    * ``cross`` (Σ v_u x_u) · (Σ v_t x_t): every user-item feature interaction;
    * ``full`` = the sum of those six; ``user_only`` = bias + user_linear + user_pairwise;
    * ``two_tower`` = ``[1; Σ v_u x_u] · [item_linear + item_pairwise; Σ v_t x_t]`` = full − user_only.
    """
    su, ulin, upair = _side(t.user_v, t.user_w, np.atleast_2d(u_ids), np.atleast_2d(u_vals))
    st, ilin, ipair = _side(t.item_v, t.item_w, np.atleast_2d(i_ids), np.atleast_2d(i_vals))
    cross = (su * st).sum(axis=1)
    bias = np.full(len(cross), t.w0)
    user_vec = np.concatenate([np.ones((len(su), 1)), su], axis=1)
    item_vec = np.concatenate([(ilin + ipair)[:, None], st], axis=1)
    user_only = bias + ulin + upair
    return {"bias": bias, "user_linear": ulin, "user_pairwise": upair, "item_linear": ilin,
            "item_pairwise": ipair, "cross": cross, "full": user_only + ilin + ipair + cross,
            "user_only": user_only, "two_tower": (user_vec * item_vec).sum(axis=1),
            "user_vector": user_vec, "item_vector": item_vec}


def fm_cross_by_user_feature(t: FMTables, u_ids, u_vals, i_ids, i_vals) -> np.ndarray:
    """``(L_u,)``: each user feature's share of the cross term, ``x_u v_u · Σ_t v_t x_t`` (one pair;
    ``u_ids, u_vals`` ``(L_u,)``, ``i_ids, i_vals`` ``(L_t,)``). They sum to ``cross``."""
    st = (t.item_v[np.asarray(i_ids)] * np.asarray(i_vals, np.float64)[:, None]).sum(axis=0)
    return (t.user_v[np.asarray(u_ids)] * np.asarray(u_vals, np.float64)[:, None]) @ st


def fm_item_vectors(t: FMTables, i_ids, i_vals) -> np.ndarray:
    """``(n, d + 1)`` item-tower vectors ``[Σ w_t x_t + pairwise ; Σ v_t x_t]`` of ``n`` items."""
    st, ilin, ipair = _side(t.item_v, t.item_w, np.asarray(i_ids), np.asarray(i_vals))
    return np.concatenate([(ilin + ipair)[:, None], st], axis=1)


def fm_feature_labels(features) -> tuple[list[str], list[str]]:
    """Field name of each user slot and each item slot of :class:`~recall_core.models.fm.FMFeatures`
    (``"history 1"`` is the last item before the prediction point)."""
    user = [*features.users.sizes, *(f"history {j + 1}" for j in range(features.history_len))]
    g = features.items.fields["genre_ids"].shape[1]
    return user, ["item_id", *(["genre"] * g), "year"]


# ----------------------------------------------------------------------------- DSSM


def log_q(counts: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """``(n_items,)`` log of the in-batch sampling probability ``q ∝ (count + 1)^alpha``.

    An item is a batch's column as often as it is a training target, i.e. in
    proportion to its training count; the +1 keeps unseen items finite. The
    same formula as the model's (:func:`recall_core.models._tf.losses.log_q`).
    """
    p = (np.asarray(counts, np.float64) + 1.0) ** alpha
    return np.log(p / p.sum())


def in_batch_logits(user_vectors: np.ndarray, item_vectors: np.ndarray, tau: float) -> np.ndarray:
    """``(B, B)``: ``cos(user_b, item_j) / τ`` for user vectors ``(B, d)`` and the batch's positives ``(B, d)``."""
    if tau <= 0:
        raise ValueError(f"temperature must be > 0, got {tau}")
    u = np.asarray(user_vectors, np.float64)
    i = np.asarray(item_vectors, np.float64)
    u = u / np.maximum(np.linalg.norm(u, axis=1, keepdims=True), 1e-12)
    i = i / np.maximum(np.linalg.norm(i, axis=1, keepdims=True), 1e-12)
    return u @ i.T / tau


def in_batch_softmax(logits: np.ndarray, targets: np.ndarray, logq: np.ndarray | None = None):
    """The in-batch softmax of the model's loss: row ``b``'s label is column ``b``.

    ``logits`` ``(B, B)``, ``targets`` ``(B,)`` item rows of the columns,
    ``logq`` ``(B,)`` log q of each column or None (no correction). Returns
    ``(corrected, probs)``, both ``(B, B)``: ``corrected = logits − log q``
    with accidental hits (another column holding row ``b``'s own positive)
    set to ``-inf``; ``probs`` its row-wise softmax (each row sums to 1, masked
    cells are 0). The loss is ``mean_b −log probs[b, b]``.
    """
    z = np.array(logits, np.float64)
    if logq is not None:
        z = z - np.asarray(logq, np.float64)[None, :]
    t = np.asarray(targets)
    hit = (t[:, None] == t[None, :]) & ~np.eye(len(t), dtype=bool)
    z[hit] = -np.inf
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return z, e / e.sum(axis=1, keepdims=True)


def entropy_bits(p: np.ndarray) -> np.ndarray:
    """Entropy in bits of each row of ``p`` ``(..., n)``."""
    p = np.asarray(p, np.float64)
    return -(p * np.log2(np.where(p > 0, p, 1.0))).sum(axis=-1)


# ----------------------------------------------------------------------------- YouTubeDNN


def user_example_table(all_examples, kept_examples, user: int, now: int, unit_days: float) -> pd.DataFrame:
    """One user's next-watch examples, one row per candidate target, in time order.

    ``all_examples``: :func:`~recall_core.features.towers.next_item_examples` without
    a cap; ``kept_examples``: with the model's cap and seed (what training used).
    Columns: ``position`` (of the target in the user's history), ``target``
    (item row), ``timestamp``, ``history`` (tuple of item rows strictly before,
    most recent first, at most ``history_len``), ``age_days`` ((now − timestamp) / 1 day),
    ``age_feature`` (log1p(age in ``unit_days``), the tower's input) and ``kept``
    (the cap kept it).
    """
    from recall_core.models.youtubednn import example_age

    rows = np.flatnonzero(all_examples.user == user)
    kept_pos = set(kept_examples.position[kept_examples.user == user].tolist())
    ts = all_examples.timestamp[rows]
    hist = [tuple(int(i) - 1 for i in h[h > 0]) for h in all_examples.hist_ids[rows]]
    return pd.DataFrame({
        "position": all_examples.position[rows], "target": all_examples.target[rows], "timestamp": ts,
        "history": hist, "age_days": np.maximum(now - ts.astype(np.float64), 0) / 86_400.0,
        "age_feature": example_age(ts, now, unit_days)[:, 0] if len(rows) else np.zeros(0, np.float32),
        "kept": [int(p) in kept_pos for p in all_examples.position[rows]],
    })


AGE_KEYS = ("age_grid_labels", "age_grid_users", "age_grid_days", "age_grid_user_vectors")


@dataclass(frozen=True)
class AgeGrid:
    """The stored user tower at several serving ages: ``labels`` ``(A,)`` str, ``users`` ``(m,)`` user rows,
    ``days`` ``(m, A)`` float, ``vectors`` ``(m, A, d)`` float32."""

    labels: np.ndarray
    users: np.ndarray
    days: np.ndarray
    vectors: np.ndarray

    @classmethod
    def from_extras(cls, extras: dict, name: str = "youtubednn") -> "AgeGrid":
        missing = [k for k in AGE_KEYS if k not in extras]
        if missing:
            raise NotTrainedError(f"{name}: the stored model has no {', '.join(missing)} (trained before the age "
                                  f"grid was exported, or without example age); retrain it with example_age on")
        return cls(*(np.asarray(extras[k]) for k in AGE_KEYS))

    def row(self, user: int) -> int:
        hit = np.flatnonzero(self.users == user)
        if not len(hit):
            raise UnknownIdError(f"user row {user} is not in the stored age grid ({len(self.users)} users)")
        return int(hit[0])

    def scores(self, user: int, candidates: np.ndarray, item_rows: np.ndarray | None = None) -> np.ndarray:
        """``(A, k)``: ``user_vector(age) · candidate`` for ``item_rows`` (all items when None)."""
        c = candidates if item_rows is None else candidates[np.asarray(item_rows)]
        return self.vectors[self.row(user)].astype(np.float64) @ np.asarray(c, np.float64).T


def top_k_rows(scores: np.ndarray, exclude: np.ndarray, k: int, known: np.ndarray | None = None) -> np.ndarray:
    """``(k,)`` item rows of the ``k`` best ``scores`` ``(n_items,)``, skipping ``exclude`` and unknown items."""
    s = np.array(scores, np.float64)
    s[np.asarray(exclude, np.int64)] = -np.inf
    if known is not None:
        s[~np.asarray(known, bool)] = -np.inf
    order = np.argsort(-s, kind="stable")[:k]
    return order[np.isfinite(s[order])]
