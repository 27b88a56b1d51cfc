"""Airbnb listing embeddings (Grbovic & Cheng, KDD 2018), mapped onto MovieLens.

The method was built for a booking site; the mapping used here:

* **Sessions** ("click sessions"): each user's time-ordered training history
  cut at gaps longer than ``session_gap_seconds`` (30 minutes).
* **Skip-gram with negative sampling** in a sliding window of ``window``
  positions inside each session.
* **Global context** (the "booked listing"): a session's booking is its
  highest-rated film if that rating is at least ``booking_min_rating`` (4),
  the latest such film when several tie (a booking *ends* a session). The
  booked film is a positive context for every other film of that session,
  whatever the distance. Sessions without such a rating have no booking
  (an "exploratory session"). In the paper the global-context term has no
  negatives of its own; here ``global_negatives`` (on by default: `make
  ablations` kept it on validation, on both shapes and both metrics) samples
  the same negatives for a global pair as for a window pair.
* **Market-aware negatives**: a share ``market_share`` of each pair's
  ``negative`` negatives is drawn from the centre film's "market" (its most
  specific genre, :meth:`SideInfo.primary_genre`), the rest uniformly from
  the catalogue: in-market negatives teach the model to separate films
  *within* a genre, not only across genres.

gensim cannot add the global-context term, so the trainer is numpy:
mini-batches of pairs, the exact sigmoid cross-entropy gradients of
:func:`sgns_loss_grads` (checked against finite differences in the tests),
scattered into the tables with a sparse matrix product and applied with Adam.

Export: I2I ``item_vectors`` = normalised input + normalised output vector
(cosine); U2I: the mean of the user's last ``user_last_n`` known *input*
vectors against the *output* vectors with the inner product (the skip-gram's
own score), as for item2vec. Films that never occur in a training pair are
``item_known=False``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from recall_core.features.sessions import Sessions, sessions_of
from recall_core.features.side_info import side_info
from recall_core.models.base import (
    ModelConfig, RecallModel, RecallOutput, l2_normalize, no_progress, recent_mean, register,
)
from recall_core.tuning.space import Choice, Float, Int


@dataclass
class AirbnbConfig(ModelConfig):
    """Airbnb embedding settings.

    ``market_share``: share of each pair's negatives drawn from the centre's
    market (0 = all from the catalogue). The default keeps the method's term at
    a small share (1 of 10); in-market negatives push same-genre films apart,
    and same-genre films are often good next films on MovieLens.
    ``global_context``: add the booked-film pairs. ``global_negatives``: draw the
    ``negative`` negatives for a booked-film (global) pair as for a window pair
    (True), or none (False: the paper's objective, whose global term
    ``log σ(v_lb · v_l)`` has no negatives). ``booking_rule``: which film
    of a session is its booking: ``"top_rated"`` (its highest rating, if at
    least ``booking_min_rating``) or ``"ends_session"`` (the paper's rule: a
    booking ends the session, so the last film, if rated that high). ``learning_rate``: Adam step
    size. ``user_last_n``: how many recent training films form the user vector.
    """

    embedding_dim: int = 64
    epochs: int = 8  # about 2.6 s per epoch on ML-100K (2 cores, nothing else running)
    session_gap_seconds: float = 1800.0
    window: int = 5
    negative: int = 10
    market_share: float = 0.1
    booking_min_rating: float = 4.0
    booking_rule: Literal["top_rated", "ends_session"] = "top_rated"
    global_context: bool = True
    global_negatives: bool = True  # chosen on validation (make ablations, "negatives for the booked-film pairs")
    batch_size: int = 4096
    learning_rate: float = 0.01
    user_last_n: int = 3

    def check(self) -> None:
        super().check()
        self.require("session_gap_seconds", self.session_gap_seconds > 0, "> 0 seconds")
        self.require("window", self.window >= 1, "at least 1")
        self.require("negative", self.negative >= 1, "at least 1")
        self.require("market_share", 0.0 <= self.market_share <= 1.0, "a share in [0, 1]")
        self.require("batch_size", self.batch_size >= 1, "at least 1")
        self.require("learning_rate", self.learning_rate > 0, "> 0")
        self.require("user_last_n", self.user_last_n >= 1, "at least 1")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # overflow-free logistic


def _log_sigmoid(x: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -x)


def sgns_loss_grads(v: np.ndarray, u_pos: np.ndarray, u_neg: np.ndarray, neg_weight: np.ndarray | None = None,
                    out: np.ndarray | None = None):
    """Skip-gram negative-sampling loss per pair and its exact gradients.

    ``v`` ``(B, d)`` centre input vectors, ``u_pos`` ``(B, d)`` positive
    context output vectors, ``u_neg`` ``(B, K, d)`` negatives' output vectors.
    Loss ``(B,)`` = ``-log s(v.u_pos) - w_b sum_k log s(-v.u_neg_k)``, with
    ``neg_weight`` ``w`` ``(B,)`` (default 1; 0: a pair without negatives).
    Returns ``(loss, d_v (B, d), d_u_pos (B, d), d_u_neg (B, K, d))``.
    ``out``: a float32 ``((1 + K) B, d)`` buffer; when given, ``d_u_pos`` is written into its first ``B`` rows
    and ``d_u_neg`` into the rest (returned as views of it): the context rows and values of one
    :func:`scatter_rows` call without a copy (the same numbers).
    """
    s_pos = np.einsum("bd,bd->b", v, u_pos)
    s_neg = np.einsum("bd,bkd->bk", v, u_neg)
    w = np.ones(len(v), v.dtype) if neg_weight is None else np.asarray(neg_weight, v.dtype)
    loss = -_log_sigmoid(s_pos) - w * _log_sigmoid(-s_neg).sum(axis=1)
    g_pos = _sigmoid(s_pos) - 1.0  # dL/ds_pos
    g_neg = _sigmoid(s_neg) * w[:, None]  # dL/ds_neg
    d_v = g_pos[:, None] * u_pos + np.einsum("bk,bkd->bd", g_neg, u_neg)
    if out is None:
        return loss, d_v, g_pos[:, None] * v, g_neg[:, :, None] * v[:, None, :]
    b = len(v)
    d_pos = np.multiply(g_pos[:, None], v, out=out[:b])
    d_neg = np.multiply(g_neg[:, :, None], v[:, None, :], out=out[b:].reshape(u_neg.shape))
    return loss, d_v, d_pos, d_neg


def scatter_rows(rows: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """``(n, d)``: ``values`` ``(m, d)`` summed into ``rows`` ``(m,)`` (duplicates add up, in the order given,
    from 0: the float32 sums are the same whatever the batch's layout in memory).

    One sparse ``(n, m)`` selection matrix times ``values``. It is built in CSR form directly (a row's
    entries in increasing position: a stable sort of ``rows``), exactly what scipy's COO to CSR conversion
    gives, without the conversion's checks and copies.
    """
    m = len(rows)
    rows = np.asarray(rows)
    # the narrowest integer type for the sort: numpy's stable sort is a radix sort up to 16 bits
    key = rows.astype(np.int16) if n <= np.iinfo(np.int16).max else rows
    indices = np.argsort(key, kind="stable")
    indptr = np.zeros(n + 1, indices.dtype)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    sel = sp.csr_matrix((np.ones(m, values.dtype), indices, indptr), shape=(n, m))
    return np.asarray(sel @ values)


def booked_positions(sessions: Sessions, min_rating: float, rule: str = "top_rated") -> np.ndarray:
    """``(n_sessions,)`` flat position of each session's booking, or -1.

    ``rule="top_rated"``: the highest rating in the session if it is
    ``>= min_rating``; among ties, the latest position. ``rule="ends_session"``
    (the paper's rule: a booking ends the session): the session's last film, if
    its rating is ``>= min_rating``.
    """
    last_pos = sessions.offsets[1:] - 1
    if rule == "ends_session":
        return np.where(sessions.rating[last_pos] >= min_rating, last_pos, -1)
    sid = sessions.session_id()
    pos = np.arange(len(sid))
    order = np.lexsort((pos, sessions.rating, sid))  # by session, then rating, then position
    last = order[last_pos]  # the last of each session's group: max rating, latest
    return np.where(sessions.rating[last] >= min_rating, last, -1)


def session_pairs(sessions: Sessions, window: int, min_rating: float | None,
                  rule: str = "top_rated") -> tuple[np.ndarray, np.ndarray, int]:
    """``(centres, contexts, n_global)``: sliding-window pairs inside sessions, both directions,
    then (if ``min_rating`` is not None) one ``(item, booked item)`` pair per other item of a booked
    session (booking by ``rule``, :func:`booked_positions`)."""
    items, sid = sessions.item_idx, sessions.session_id()
    cs, xs = [], []
    for off in range(1, window + 1):
        ok = (sid[:-off] == sid[off:]) & (items[:-off] != items[off:])
        a, b = items[:-off][ok], items[off:][ok]
        cs += [a, b]
        xs += [b, a]
    n_global = 0
    if min_rating is not None:
        booked = booked_positions(sessions, min_rating, rule)
        bp = booked[sid]
        ok = (bp >= 0) & (bp != np.arange(len(items)))
        ok &= items != items[np.maximum(bp, 0)]
        cs.append(items[ok])
        xs.append(items[bp[ok]])
        n_global = int(ok.sum())
    if not cs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), 0
    return np.concatenate(cs).astype(np.int64), np.concatenate(xs).astype(np.int64), n_global


class MarketSampler:
    """Negatives: ``n_market`` from the centre's market, the rest uniform over ``candidates``.

    ``market`` ``(n_items,)`` market of every item; ``candidates`` the item
    rows negatives may be (items seen in training).
    """

    def __init__(self, market: np.ndarray, candidates: np.ndarray):
        self.candidates = np.asarray(candidates, np.int64)
        cm = market[self.candidates]
        order = np.argsort(cm, kind="stable")
        self.by_market = self.candidates[order]
        n_markets = int(market.max()) + 1
        counts = np.bincount(cm, minlength=n_markets)
        self.start = np.concatenate([[0], np.cumsum(counts)])[:-1]
        self.size = counts
        self.market = market

    def sample(self, centres: np.ndarray, n_market: int, n_global: int, rng: np.random.Generator) -> np.ndarray:
        """``(len(centres), n_market + n_global)`` int64 negative item rows."""
        parts = []
        if n_market:
            m = self.market[centres]
            size = self.size[m]
            # a market without candidates falls back to the whole catalogue
            r = rng.random((len(centres), n_market))
            pick = self.start[m][:, None] + np.floor(r * np.maximum(size, 1)[:, None]).astype(np.int64)
            neg = self.by_market[np.minimum(pick, len(self.by_market) - 1)]
            empty = size == 0
            if empty.any():
                neg[empty] = self.candidates[rng.integers(len(self.candidates), size=(int(empty.sum()), n_market))]
            parts.append(neg)
        if n_global:
            parts.append(self.candidates[rng.integers(len(self.candidates), size=(len(centres), n_global))])
        return np.concatenate(parts, axis=1) if parts else np.zeros((len(centres), 0), np.int64)


class _Adam:
    """Adam on dense float32 tables (they are small: ``n_items x d``).

    The update is the textbook one in float32, except the step ``a * m / (sqrt(v) + eps)``, which numpy
    computes in float64 (``a`` is a float64 scalar) before it is subtracted and rounded to float32. It runs
    in preallocated buffers (``out=``): the same operations in the same order as the plain expressions,
    without allocating six temporaries per table and step.
    """

    def __init__(self, shapes, lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = [np.zeros(s, np.float32) for s in shapes]
        self.v = [np.zeros(s, np.float32) for s in shapes]
        self._f32 = [np.empty(s, np.float32) for s in shapes]
        self._f64 = [np.empty(s, np.float64) for s in shapes]

    def step(self, params, grads) -> None:
        self.t += 1
        a = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)  # a float64 scalar
        for p, g, m, v, t32, t64 in zip(params, grads, self.m, self.v, self._f32, self._f64):
            m *= self.b1
            m += np.multiply(g, 1 - self.b1, out=t32)  # m += (1 - b1) * g
            v *= self.b2
            np.multiply(g, 1 - self.b2, out=t32)
            v += np.multiply(t32, g, out=t32)  # v += (1 - b2) * g * g
            np.multiply(m, a, out=t64)  # a * m, float64
            np.sqrt(v, out=t32)
            t32 += self.eps  # sqrt(v) + eps, float32
            p -= np.divide(t64, t32, out=t64)  # the float64 step, rounded to float32 in p


@register
class AirbnbEmbeddings(RecallModel):
    """Session skip-gram with booked-film global context and market-aware negatives (numpy)."""

    name = "airbnb"
    order = 30
    color = "#009E73"
    i2i = True
    map_rank = 3
    view_notes = {
        "similar": "Cosine between l2n(input) + l2n(output) vectors; not the trained score, the same choice as "
                   "item2vec (the I2I-space table in BENCHMARKS.md compares it with input vectors alone).",
        "cooccur": "Input vector · output vector (ip): the trained score of a session window pair (or of a film "
                   "and its session's booked film); windows are symmetric, so it means 'co-occurs with in a "
                   "session', not 'comes next'.",
        "user": "Mean input vector of the user's last {user_last_n} known films · output vectors (ip).",
    }
    variant_notes = {
        "booking_rule": {"top_rated": "booking = a session's top-rated film (≥ {booking_min_rating:g} stars)",
                         "ends_session": "booking = a session's last film if rated ≥ {booking_min_rating:g}: a "
                                         "booking ends the session, as in the paper"},
        "market_share": {None: "{market_share:g} of each pair's negatives from the film's market"},
        "global_context": {True: "booked film as global context", False: "no global context"},
        "global_negatives": {True: "negatives for the booked-film pairs too (the paper: none)",
                             False: "no negatives for the booked-film pairs, as in the paper"},
    }
    description = ("Airbnb listing embeddings: 30-minute sessions, skip-gram with the session's top-rated film as "
                   "global context and same-genre negatives (numpy trainer).")
    Config = AirbnbConfig
    search_space = {
        "epochs": Int(3, 16), "embedding_dim": Choice(32, 64, 128),
        "session_gap_seconds": Choice(900.0, 1800.0, 3600.0), "window": Int(1, 10), "negative": Int(2, 20), "market_share": Float(0.0, 0.5),
        "learning_rate": Float(0.002, 0.05, log=True), "user_last_n": Int(1, 10),
    }

    def fit(self, train, progress=no_progress, on_epoch=None):
        c = self.config
        rng = np.random.default_rng(c.seed)
        n, d = train.n_items, c.embedding_dim
        sessions = sessions_of(train, c.session_gap_seconds)
        centres, contexts, n_global_pairs = session_pairs(
            sessions, c.window, c.booking_min_rating if c.global_context else None, c.booking_rule)
        if not len(centres):
            raise ValueError("airbnb: no training pairs (every session has a single item?)")
        known = np.zeros(n, bool)
        known[centres] = True
        known[contexts] = True
        market = side_info(train).primary_genre()
        sampler = MarketSampler(market, np.flatnonzero(known))
        k_market = int(round(c.market_share * c.negative))
        k_global = c.negative - k_market
        # session_pairs puts the global (booked-film) pairs last; without global_negatives they get none
        neg_weight = np.ones(len(centres), np.float32)
        if not c.global_negatives and n_global_pairs:
            neg_weight[len(centres) - n_global_pairs:] = 0.0

        # word2vec's start: small random input vectors, zero output vectors
        v_in = ((rng.random((n, d)) - 0.5) / d).astype(np.float32)
        u_out = np.zeros((n, d), np.float32)
        opt = _Adam([(n, d), (n, d)], c.learning_rate)
        n_pairs = len(centres)
        bs = min(c.batch_size, n_pairs)
        losses = []
        progress(0.02, f"airbnb: {sessions.n_sessions} sessions, {n_pairs:,} pairs ({n_global_pairs:,} global)")

        def export() -> RecallOutput:
            """The tables as they are after the last epoch trained, as vectors (copies: training may go on)."""
            v_in_, u_out_ = v_in.copy(), u_out.copy()
            return RecallOutput(
                item_ids=train.item_vocab.ids, item_vectors=l2_normalize(v_in_) + l2_normalize(u_out_),
                metric="cosine", item_known=known,
                user_ids=train.user_vocab.ids,
                user_vectors=recent_mean(v_in_, train.histories(), c.user_last_n, known),
                candidate_vectors=u_out_, u2i_metric="ip", pair_query_vectors=v_in_,
                info={
                    "sessions": sessions.n_sessions, "session_gap_seconds": c.session_gap_seconds,
                    "pairs": int(n_pairs), "global_context_pairs": n_global_pairs,
                    "booked_sessions": int((booked_positions(sessions, c.booking_min_rating,
                                                             c.booking_rule) >= 0).sum()),
                    "booking_rule": c.booking_rule,
                    "negatives": {"market": k_market, "catalogue": k_global},
                    "global_negatives": bool(c.global_negatives and c.global_context),
                    "market_definition": "most specific genre (fewest catalogue films)",
                    "epoch_loss": list(losses), "trained_items": int(known.sum()),
                    "user_scoring": f"mean input vector of the last {c.user_last_n} known items . output vectors (ip)",
                },
            )

        # the output-side gradient rows of a full batch: [positives (B); negatives (B * K)], reused
        out_buf = np.empty((bs * (1 + c.negative), d), np.float32)
        for epoch in range(c.epochs):
            order = rng.permutation(n_pairs)
            total = 0.0
            for s in range(0, n_pairs, bs):
                b = order[s:s + bs]
                cen, pos = centres[b], contexts[b]
                neg = sampler.sample(cen, k_market, k_global, rng)
                # negatives are drawn for every pair (one random stream whatever the switch), then weighted
                out = out_buf[:len(b) * (1 + c.negative)]
                loss, dv, _, _ = sgns_loss_grads(v_in[cen], u_out[pos], u_out[neg],
                                                 None if c.global_negatives else neg_weight[b], out=out)
                total += float(loss.sum())
                # mean loss over the batch -> divide the summed gradients by its size
                scale = np.float32(1.0 / len(b))
                g_in = scatter_rows(cen, dv * scale, n)
                g_out = scatter_rows(np.concatenate([pos, neg.ravel()]), np.multiply(out, scale, out=out), n)
                opt.step([v_in, u_out], [g_in, g_out])
            losses.append(total / n_pairs)
            progress(0.05 + 0.9 * (epoch + 1) / c.epochs, f"airbnb: epoch {epoch + 1}/{c.epochs} loss {losses[-1]:.4f}")
            if on_epoch is not None and on_epoch(epoch + 1, export):
                break
        self._output = export()
        return self
