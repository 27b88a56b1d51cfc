"""The training loop shared by the Keras models: batches, Adam over several models' variables, prediction."""
from __future__ import annotations

from collections.abc import Callable, Iterator

import keras
import numpy as np
import tensorflow as tf


def batches(n: int, batch_size: int, rng: np.random.Generator | None) -> Iterator[np.ndarray]:
    """Row indices of ``n`` examples in batches (shuffled with ``rng``; in order if ``rng`` is None)."""
    order = rng.permutation(n) if rng is not None else np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


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


def batch_signature(batch):
    """The ``tf.TensorSpec`` structure of a (nested) batch of tensors with the batch dimension (axis 0) left
    open: every batch of a fit, the last partial one included, then runs the one traced step."""
    return tf.nest.map_structure(
        lambda t: tf.TensorSpec([None, *t.shape[1:]] if t.shape.rank else [], t.dtype), batch)


def adam_step(model, loss_fn: Callable, learning_rate: float, weight_decay: float | None = None) -> Callable:
    """``step(batch) -> loss``: one Adam update of ``model.trainable_variables`` on ``loss_fn(batch)``.

    ``batch`` is a (nested) dict of tensors. The update is a ``tf.function`` traced **once**, on the first
    batch, with the batch dimension left open (:func:`batch_signature`): the last partial batch of an epoch
    runs the same graph instead of a second trace (tracing is most of a short fit's fixed cost, paid by
    every tuning trial; ``step.tracing_count()`` says how many traces were made). :func:`train_loop` runs it; so does the softmax bench (bench/_softmax_one.py), to
    time exactly these steps."""
    opt = keras.optimizers.Adam(learning_rate=learning_rate, weight_decay=weight_decay)
    variables = model.trainable_variables
    opt.build(variables)

    def update(batch):
        with tf.GradientTape() as tape:
            loss = loss_fn(batch)
        grads = tape.gradient(loss, variables)
        opt.apply_gradients(zip(grads, variables))
        return loss

    traced = None

    def step(batch):
        nonlocal traced
        if traced is None:
            # autograph off: the losses branch on Python values only (config, not tensors), so the graph is the
            # same, without rewriting every function's source on each fit
            traced = tf.function(update, input_signature=[batch_signature(batch)], autograph=False)
        return traced(batch)

    step.tracing_count = lambda: 0 if traced is None else traced.experimental_get_tracing_count()
    return step


def train_loop(model, loss_fn: Callable, make_batches: Callable[[int], Iterator[dict]], epochs: int,
               learning_rate: float, progress=None, name: str = "", weight_decay: float | None = None,
               on_epoch: Callable[[int], bool] | None = None) -> list[float]:
    """Adam over ``model.trainable_variables``; returns the mean loss per epoch (one per epoch trained).

    ``loss_fn(batch) -> scalar`` is traced once per fit by ``tf.function`` (:func:`adam_step`);
    ``make_batches(epoch)`` yields (nested) plain dicts of numpy arrays (seeded by the caller).
    ``on_epoch(epoch)`` (1-based) is called after each epoch; True stops training there (`make kernels` snapshots the
    variables there).
    """
    step = adam_step(model, loss_fn, learning_rate, weight_decay)
    losses = []
    for epoch in range(epochs):
        total, count = 0.0, 0
        for batch in make_batches(epoch):
            total += float(step(tf.nest.map_structure(tf.convert_to_tensor, batch)))
            count += 1
        losses.append(total / max(count, 1))
        if progress is not None:
            progress(0.1 + 0.8 * (epoch + 1) / epochs, f"{name}: epoch {epoch + 1}/{epochs} loss {losses[-1]:.4f}")
        if on_epoch is not None and on_epoch(epoch + 1):
            break
    return losses


def predict(fn: Callable, batch: dict[str, np.ndarray], batch_size: int = 4096) -> np.ndarray:
    """Apply ``fn(dict of tensors) -> (n, d)`` in chunks; returns float32 numpy."""
    n = len(next(iter(batch.values())))
    out = []
    for start in range(0, n, batch_size):
        chunk = {k: tf.convert_to_tensor(v[start:start + batch_size]) for k, v in batch.items()}
        out.append(np.asarray(fn(chunk), np.float32))
    return np.concatenate(out) if out else np.zeros((0, 0), np.float32)
