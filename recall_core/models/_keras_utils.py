"""Shared Keras 3 (TensorFlow backend) helpers for the two-tower models.

This module is imported when the model registry loads, so Keras/TensorFlow are
imported inside the functions only. ``MaskedMeanPooling`` is created on first
access (module ``__getattr__``) for the same reason.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np


def setup_keras(seed: int):
    """Fresh Keras session, seeded, deterministic ops. Returns ``(keras, tf)``."""
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(f"the two-tower models need the TensorFlow Keras backend, got {keras.backend.backend()!r}")
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    return keras, tf


def masked_mean(values, weights, eps: float = 1e-9):
    """Weighted mean over axis 1: ``values`` ``(B, L, d)``, ``weights`` ``(B, L)`` (0 = padding) -> ``(B, d)``.

    Rows with no real position give zeros (never NaN).
    """
    from keras import ops

    w = ops.cast(weights, values.dtype)
    num = ops.sum(values * ops.expand_dims(w, -1), axis=1)
    den = ops.maximum(ops.sum(w, axis=1, keepdims=True), eps)
    return num / den


def masked_mean_numpy(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The numpy oracle of :func:`masked_mean`."""
    w = np.asarray(weights, np.float64)
    num = (np.asarray(values, np.float64) * w[..., None]).sum(axis=1)
    return num / np.maximum(w.sum(axis=1, keepdims=True), 1e-9)


_CLASSES: dict[str, type] = {}


def _masked_mean_pooling_class():
    if "MaskedMeanPooling" not in _CLASSES:
        import keras

        @keras.saving.register_keras_serializable(package="recall_core")
        class MaskedMeanPooling(keras.layers.Layer):
            """``[values (B, L, d), weights (B, L)] -> (B, d)``: padding (weight 0) never enters the mean."""

            def call(self, inputs):
                values, weights = inputs
                return masked_mean(values, weights)

        _CLASSES["MaskedMeanPooling"] = MaskedMeanPooling
    return _CLASSES["MaskedMeanPooling"]


def __getattr__(name: str):
    if name == "MaskedMeanPooling":
        return _masked_mean_pooling_class()
    raise AttributeError(name)


def make_inputs(example: dict[str, np.ndarray]) -> dict:
    """Keras inputs named and shaped after a plain batch dict (one per key, same names)."""
    import keras

    return {k: keras.Input(shape=v.shape[1:], dtype=str(v.dtype), name=k) for k, v in example.items()}


def check_keys(batch: dict, expected) -> dict:
    """Fail loudly when a batch does not have exactly the model's input keys (PITFALLS: mismatched dicts)."""
    got, want = set(batch), set(expected)
    if got != want:
        raise ValueError(f"batch keys {sorted(got)} differ from the model inputs {sorted(want)}")
    return batch


def batches(n: int, batch_size: int, rng: np.random.Generator | None) -> Iterator[np.ndarray]:
    """Row indices of ``n`` examples in batches (shuffled with ``rng``; in order if ``rng`` is None)."""
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


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
    import tensorflow as tf

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
    import tensorflow as tf

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


class Variables:
    """The trainable variables of several Keras models, for :func:`train_loop`."""

    def __init__(self, *models):
        self.models = models

    @property
    def trainable_variables(self) -> list:
        # A shared table appears in several models: list it once, or Adam would step it twice.
        out, seen = [], set()
        for m in self.models:
            for v in m.trainable_variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out


def train_loop(model, loss_fn: Callable, make_batches: Callable[[int], Iterator[dict]], epochs: int,
               learning_rate: float, progress=None, name: str = "", weight_decay: float | None = None) -> list[float]:
    """Adam over ``model.trainable_variables``; returns the mean loss per epoch.

    ``loss_fn(batch) -> scalar`` is traced once per batch shape by ``tf.function``;
    ``make_batches(epoch)`` yields (nested) plain dicts of numpy arrays (seeded by the caller).
    """
    import keras
    import tensorflow as tf

    opt = keras.optimizers.Adam(learning_rate=learning_rate, weight_decay=weight_decay)
    variables = model.trainable_variables
    opt.build(variables)

    @tf.function(reduce_retracing=True)
    def step(batch):
        with tf.GradientTape() as tape:
            loss = loss_fn(batch)
        grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        return loss

    losses = []
    for epoch in range(epochs):
        total, count = 0.0, 0
        for batch in make_batches(epoch):
            total += float(step(tf.nest.map_structure(tf.convert_to_tensor, batch)))
            count += 1
        losses.append(total / max(count, 1))
        if progress is not None:
            progress(0.1 + 0.8 * (epoch + 1) / epochs, f"{name}: epoch {epoch + 1}/{epochs} loss {losses[-1]:.4f}")
    return losses


def predict(fn: Callable, batch: dict[str, np.ndarray], batch_size: int = 4096) -> np.ndarray:
    """Apply ``fn(dict of tensors) -> (n, d)`` in chunks; returns float32 numpy."""
    import tensorflow as tf

    n = len(next(iter(batch.values())))
    out = []
    for start in range(0, n, batch_size):
        chunk = {k: tf.convert_to_tensor(v[start:start + batch_size]) for k, v in batch.items()}
        out.append(np.asarray(fn(chunk), np.float32))
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)


def user_features(inputs: dict, sizes: dict[str, int], n_items: int, field_dim: int, item_dim: int,
                  recent_k: int, prefix: str, history_table=None):
    """Concatenated user-side features of a DNN tower, ``(B, n_fields * field_dim + 3 * item_dim)``.

    ``inputs`` holds one ``(B,)`` code per user field in ``sizes`` plus ``hist_ids``/``hist_mask``
    ``(B, N)`` (most recent first). The history gives three views through one item table:
    the masked mean of all ``N`` items, the masked mean of the last ``recent_k``, and the last
    item (recent items predict the next one best on MovieLens, where users rate in bursts).
    ``history_table``: an ``Embedding(n_items + 1, item_dim)`` to use (and share) for the history.
    """
    import keras

    pool = _masked_mean_pooling_class()
    parts = []
    for name, size in sizes.items():
        emb = keras.layers.Embedding(size, field_dim, name=f"{prefix}_{name}_emb")(inputs[name])
        parts.append(emb)
    table = history_table or keras.layers.Embedding(n_items + 1, item_dim, name=f"{prefix}_history_emb")
    h = table(inputs["hist_ids"])  # (B, N, item_dim)
    mask = inputs["hist_mask"]
    parts.append(pool(name=f"{prefix}_history_mean")([h, mask]))
    parts.append(pool(name=f"{prefix}_recent_mean")([h[:, :recent_k], mask[:, :recent_k]]))
    parts.append(pool(name=f"{prefix}_last_item")([h[:, :1], mask[:, :1]]))
    return keras.layers.Concatenate(name=f"{prefix}_features")(parts)


def dnn(x, hidden: tuple[int, ...], out_dim: int, prefix: str, dropout: float = 0.0):
    """ReLU layers then a linear output layer ``(B, out_dim)``."""
    import keras

    for j, units in enumerate(hidden):
        x = keras.layers.Dense(units, activation="relu", name=f"{prefix}_dense{j}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{prefix}_dropout{j}")(x)
    return keras.layers.Dense(out_dim, name=f"{prefix}_out")(x)


def l2_normalise(x, name: str):
    import keras

    return keras.layers.UnitNormalization(axis=-1, name=name)(x)
