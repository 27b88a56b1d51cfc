"""Retrieval losses: full softmax, sampled / in-batch softmax with the logQ correction, and its sampler."""
from __future__ import annotations

import numpy as np
import tensorflow as tf


def log_q(counts: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """``(n_items,)`` float32 log of the sampling probability ``q ∝ (count + 1)^alpha`` (logQ correction)."""
    p = (np.asarray(counts, np.float64) + 1.0) ** alpha
    return np.log(p / p.sum()).astype(np.float32)


def sample_negatives(rng: np.random.Generator, logq: np.ndarray, n: int) -> np.ndarray:
    """``(n,)`` int64 item rows drawn with replacement from ``exp(logq)`` (the same q the correction uses)."""
    p = np.exp(logq.astype(np.float64))
    return rng.choice(len(p), size=n, replace=True, p=p / p.sum()).astype(np.int64)


def full_softmax_loss(user_vecs, cand_vecs, targets, scale: float = 1.0):
    """Mean cross-entropy of ``targets`` ``(B,)`` over every candidate ``(n_items, d)``; ``user_vecs`` ``(B, d)``."""
    logits = tf.matmul(user_vecs, cand_vecs, transpose_b=True) * scale
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=targets, logits=logits))


def sampled_softmax_loss(user_vecs, cand_vecs, cand_ids, pos_ids, logq_cand=None, scale: float = 1.0,
                         in_batch_negatives: bool = True):
    """Softmax over a candidate set whose first ``B`` columns are the batch's positives.

    ``user_vecs`` ``(B, d)``, ``cand_vecs`` ``(C, d)`` with ``C >= B``, ``cand_ids``
    ``(C,)`` int item rows (the positives, then optional sampled negatives),
    ``pos_ids`` ``(B,)``. Row ``b``'s label is column ``b``. Other columns holding
    the same item as row ``b``'s positive (accidental hits) are masked out.
    ``logq_cand`` ``(C,)``: log sampling probability of each candidate; subtracted
    from the logits (logQ correction) so popular items are not over-penalised.
    In-batch softmax is the case ``C == B``. With ``in_batch_negatives=False`` the
    other rows' positives are masked too, so only the sampled columns are negatives
    (their logQ then matches the sampler exactly).
    """
    logits = tf.matmul(user_vecs, cand_vecs, transpose_b=True) * scale
    if logq_cand is not None:
        logits = logits - logq_cand[None, :]
    b = tf.shape(user_vecs)[0]
    c = tf.shape(cand_vecs)[0]
    same = tf.equal(pos_ids[:, None], cand_ids[None, :])
    own = tf.equal(tf.range(b)[:, None], tf.range(c)[None, :])
    drop = same & ~own
    if not in_batch_negatives:
        drop = drop | ((tf.range(c)[None, :] < b) & ~own)
    logits = tf.where(drop, tf.constant(-1e9, logits.dtype), logits)
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.range(b), logits=logits))


def sampled_negatives_loss(user_vecs, cand_vecs, targets, negatives, logq, scale: float = 1.0):
    """Sampled softmax: each row's target against ``S`` negatives shared by the batch, with the logQ correction.

    ``user_vecs`` ``(B, d)``; ``targets`` ``(B,)`` and ``negatives`` ``(S,)`` int item rows, the
    negatives drawn (with replacement) from ``q = exp(logq)`` by :func:`sample_negatives`;
    ``cand_vecs`` ``(B + S, d)``: the vectors of ``concat(targets, negatives)``, so a model
    evaluates its item side on ``B + S`` rows only, never the whole catalogue; ``logq``
    ``(n_items,)`` tensor. Row ``b``'s logits are its target's and the ``S`` negatives'
    (the other rows' targets are masked, and so is a negative equal to the target: an
    accidental hit); a negative's logit is corrected by ``− log(S · q)``, its expected
    count in the sample. The target comes from the data, not the sampler: no correction.
    """
    cand = tf.concat([targets, negatives], axis=0)
    s = tf.cast(tf.shape(negatives)[0], tf.float32)
    lq = tf.concat([tf.zeros_like(targets, tf.float32), tf.gather(logq, negatives) + tf.math.log(s)], axis=0)
    return sampled_softmax_loss(user_vecs, cand_vecs, cand, targets, lq, scale, in_batch_negatives=False)
