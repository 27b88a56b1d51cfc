"""Keras layers and blocks of the towers: masked pooling, user features, DNN, L2 normalisation."""
from __future__ import annotations

import keras
import numpy as np
from keras import ops


def masked_mean(values, weights, eps: float = 1e-9):
    """Weighted mean over axis 1: ``values`` ``(B, L, d)``, ``weights`` ``(B, L)`` (0 = padding) -> ``(B, d)``.

    Rows with no real position give zeros (never NaN).
    """
    w = ops.cast(weights, values.dtype)
    num = ops.sum(values * ops.expand_dims(w, -1), axis=1)
    den = ops.maximum(ops.sum(w, axis=1, keepdims=True), eps)
    return num / den


def masked_mean_numpy(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The numpy oracle of :func:`masked_mean`."""
    w = np.asarray(weights, np.float64)
    num = (np.asarray(values, np.float64) * w[..., None]).sum(axis=1)
    return num / np.maximum(w.sum(axis=1, keepdims=True), 1e-9)


@keras.saving.register_keras_serializable(package="recall_core")
class MaskedMeanPooling(keras.layers.Layer):
    """``[values (B, L, d), weights (B, L)] -> (B, d)``: padding (weight 0) never enters the mean."""

    def call(self, inputs):
        values, weights = inputs
        return masked_mean(values, weights)


def make_inputs(example: dict[str, np.ndarray]) -> dict:
    """Keras inputs named and shaped after a plain batch dict (one per key, same names)."""
    return {k: keras.Input(shape=v.shape[1:], dtype=str(v.dtype), name=k) for k, v in example.items()}


def check_keys(batch: dict, expected) -> dict:
    """Fail loudly when a batch does not have exactly the model's input keys (PITFALLS: mismatched dicts)."""
    got, want = set(batch), set(expected)
    if got != want:
        raise ValueError(f"batch keys {sorted(got)} differ from the model inputs {sorted(want)}")
    return batch


def user_features(inputs: dict, sizes: dict[str, int], n_items: int, field_dim: int, item_dim: int,
                  recent_k: int, prefix: str, history_table=None):
    """Concatenated user-side features of a DNN tower, ``(B, n_fields * field_dim + 3 * item_dim)``.

    ``inputs`` holds one ``(B,)`` code per user field in ``sizes`` plus ``hist_ids``/``hist_mask``
    ``(B, N)`` (most recent first). The history gives three views through one item table:
    the masked mean of all ``N`` items, the masked mean of the last ``recent_k``, and the last
    item (recent items predict the next one best on MovieLens, where users rate in bursts).
    ``history_table``: an ``Embedding(n_items + 1, item_dim)`` to use (and share) for the history.
    """
    parts = []
    for name, size in sizes.items():
        emb = keras.layers.Embedding(size, field_dim, name=f"{prefix}_{name}_emb")(inputs[name])
        parts.append(emb)
    table = history_table or keras.layers.Embedding(n_items + 1, item_dim, name=f"{prefix}_history_emb")
    h = table(inputs["hist_ids"])  # (B, N, item_dim)
    mask = inputs["hist_mask"]
    parts.append(MaskedMeanPooling(name=f"{prefix}_history_mean")([h, mask]))
    parts.append(MaskedMeanPooling(name=f"{prefix}_recent_mean")([h[:, :recent_k], mask[:, :recent_k]]))
    parts.append(MaskedMeanPooling(name=f"{prefix}_last_item")([h[:, :1], mask[:, :1]]))
    return keras.layers.Concatenate(name=f"{prefix}_features")(parts)


def dnn(x, hidden: tuple[int, ...], out_dim: int, prefix: str, dropout: float = 0.0, style: str = "relu"):
    """Hidden layers then a linear output layer ``(B, out_dim)``.

    ``style="relu"``: Dense + ReLU (+ dropout). ``style="tutorial"``: the
    tutorial's DSSM tower, Dense + BatchNormalization + tanh + dropout.
    """
    for j, units in enumerate(hidden):
        if style == "tutorial":
            x = keras.layers.Dense(units, name=f"{prefix}_dense{j}")(x)
            x = keras.layers.BatchNormalization(name=f"{prefix}_bn{j}")(x)
            x = keras.layers.Activation("tanh", name=f"{prefix}_tanh{j}")(x)
        else:
            x = keras.layers.Dense(units, activation="relu", name=f"{prefix}_dense{j}")(x)
        if dropout:
            x = keras.layers.Dropout(dropout, name=f"{prefix}_dropout{j}")(x)
    return keras.layers.Dense(out_dim, name=f"{prefix}_out")(x)


def l2_normalize_layer(x, name: str):
    """A Keras layer making unit rows ``(B, d)`` of ``x`` (the towers' L2 norm; numpy arrays:
    :func:`recall_core.models.base.l2_normalize`)."""
    return keras.layers.UnitNormalization(axis=-1, name=name)(x)
