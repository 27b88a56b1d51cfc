"""DSSM two-tower retrieval: DNN user and item towers, L2-normalised, score = cosine / temperature."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recall_core.errors import ConfigError
from recall_core.models._next_item import NextItemConfig, NextItemModel
from recall_core.models.base import register
from recall_core.tuning.space import Choice, Float, Int


def variant_name(t: float) -> str:
    """Store name of the DSSM trained with temperature ``t``: ``variant_name(0.05) == "dssm@t0.05"``."""
    return f"dssm@t{float(t):g}"


@dataclass
class DSSMConfig(NextItemConfig):
    """DSSM settings (the shared next-item ones: :class:`~recall_core.models._next_item.NextItemConfig`).

    ``temperature`` τ: logits are ``cosine(user, item) / τ``; small τ sharpens the
    softmax (see the temperature page). ``softmax``: ``"in_batch"`` (the default:
    the other targets of the batch are the negatives, with the logQ popularity
    correction when ``logq_correction``) or ``"full"`` (every item is a
    negative; cheap for catalogues of a few thousand items). At τ = 0.1 the
    full softmax measured better on validation, at τ = 0.2 the in-batch one
    (make ablations, "softmax" and "temperature τ"). Unlike FM and YouTubeDNN,
    DSSM needs no ``"auto"`` switch to a sampled softmax on large catalogues: the
    in-batch one runs the item tower on the batch's ``B`` targets only, ``O(B²)``
    logits a step whatever the catalogue size, while ``"full"`` runs it on every
    item each step (`make softmax-switch` measures both). ``tower``: ``"relu"`` (ReLU layers) or
    ``"tutorial"`` (the tutorial's tower: Dense + BatchNorm + tanh + dropout
    ``dropout``). `make ablations` measures each choice (BENCHMARKS.md, ablation table).
    """

    softmax: Literal["in_batch", "full"] = "in_batch"
    temperature: float = 0.2  # chosen on validation on both shapes (make ablations, "temperature τ")
    logq_correction: bool = True
    tower: Literal["relu", "tutorial"] = "relu"
    dropout: float = 0.2


def _build(keras, user_example: dict, item_example: dict, user_sizes: dict, item_sizes: dict, n_items: int, c):
    """``(user_tower, item_tower)``: functional models from the example batch dicts, outputs ``(B, d)`` unit rows."""
    from recall_core.models._tf.layers import MaskedMeanPooling, dnn, l2_normalize_layer, make_inputs, user_features

    uin = make_inputs(user_example)
    x = user_features(uin, user_sizes, n_items, c.field_dim, c.embedding_dim, c.recent_k, "user")
    drop = c.dropout if c.tower == "tutorial" else 0.0
    u = l2_normalize_layer(dnn(x, tuple(c.hidden), c.embedding_dim, "user", drop, c.tower), "user_norm")
    iin = make_inputs(item_example)
    parts = [keras.layers.Embedding(item_sizes["item_id"], c.embedding_dim, name="item_id_emb")(iin["item_id"])]
    if "genre_ids" in iin:  # the data's categories (MovieLens: genres), pooled
        parts.append(MaskedMeanPooling(name="item_genres")([
            keras.layers.Embedding(item_sizes["genre_ids"], c.field_dim, name="item_genre_emb")(iin["genre_ids"]),
            iin["genre_mask"],
        ]))
    if "year" in iin:
        parts.append(keras.layers.Embedding(item_sizes["year"], c.field_dim, name="item_year_emb")(iin["year"]))
    for key in sorted((k for k in iin if k.startswith("item_field")), key=lambda k: int(k[len("item_field"):])):
        parts.append(keras.layers.Embedding(item_sizes[key], c.field_dim, name=f"{key}_emb")(iin[key]))
    y = keras.layers.Concatenate(name="item_features")(parts)
    i = l2_normalize_layer(dnn(y, tuple(c.hidden), c.embedding_dim, "item", drop, c.tower), "item_norm")
    return keras.Model(uin, u, name="dssm_user"), keras.Model(iin, i, name="dssm_item")


@register
class DSSM(NextItemModel):
    """DSSM (Huang et al., 2013) as a two-tower retrieval model.

    User tower: user id, demographics, and the recent history (mean of the last
    ``history_len`` items, mean of the last ``recent_k``, last item; padding masked).
    Item tower: item id, pooled genres, year bucket. Both outputs are
    L2-normalised; the logit is ``cosine / temperature``. Training: by default an
    in-batch softmax (each example's positive against the batch's other
    positives) with the logQ correction (``logit - log q(item)``, q the
    in-batch sampling probability ∝ popularity), or a full softmax over every
    item (``softmax="full"``). Export: the normalised vectors, searched by
    cosine for U2I and I2I.
    """

    name = "dssm"
    lane = "tensorflow"  # Keras on TensorFlow (recall_core.training.lanes)
    order = 50
    color = "#D55E00"
    map_rank = 2
    view_notes = {
        "similar": "Cosine between item-tower outputs; the towers are trained on user-item pairs only, so "
                   "this is a view of the item space, not a trained score.",
        "user": "Cosine between the L2-normalised user and item towers: the trained logit times the "
                "temperature τ (dividing by τ does not change the ranking).",
    }
    variant_notes = {
        "softmax": {"in_batch": "in-batch softmax (its cost does not grow with the catalogue)",
                    "full": "full softmax over the catalogue"},
        "logq_correction": {True: "logQ correction (in-batch only)", False: "no logQ correction"},
        "tower": {"relu": "ReLU towers (the tutorial: tanh + BatchNorm + dropout)",
                  "tutorial": "tanh + BatchNorm + dropout towers, as in the tutorial"},
        "temperature": {None: "τ = {temperature:g}"},
    }
    description = ("Two DNN towers, L2-normalised; logit cosine / τ; in-batch softmax with the logQ popularity "
                   "correction by default.")
    Config = DSSMConfig
    softmax_kinds = ("in_batch", "full")
    # batch_size is also the number of in-batch negatives
    search_space = {
        "epochs": Int(2, 12), "embedding_dim": Choice(32, 64, 128), "learning_rate": Float(1e-3, 2e-2, log=True),
        "temperature": Float(0.03, 0.5, log=True), "batch_size": Choice(256, 512, 1024, 2048),
        "history_len": Int(5, 50), "recent_k": Int(1, 10), "hidden": Choice((128,), (256,), (256, 128)),
        "max_examples_per_user": Choice(50, 100, 200, 400),
    }
    u2i_metric = "cosine"

    def _check(self):
        if self.config.temperature <= 0:
            raise ConfigError(f"dssm: temperature must be > 0, got {self.config.temperature}")

    def _prepare(self, run):
        from recall_core.features.towers import item_table

        run.items = item_table(run.train)

    def _build(self, run):
        from recall_core.models._tf.losses import log_q
        from recall_core.models._tf.training import Variables

        tf, train = run.tf, run.train
        user_tower, run.item_tower = _build(run.keras, self._user_batch(run, np.arange(2)),
                                            run.items.batch(np.arange(2)), run.sizes, run.items.sizes,
                                            train.n_items, self.config)
        run.logq = tf.constant(log_q(train.item_counts))
        run.all_items = {k: tf.constant(v) for k, v in run.items.batch().items()}
        return user_tower, Variables(user_tower, run.item_tower)

    def _batch(self, run, rows):
        b = super()._batch(run, rows)
        if self.config.softmax == "in_batch":
            b["item"] = run.items.batch(run.examples.target[rows])
        return b

    def _loss(self, run, user_vecs, batch):
        from recall_core.models._tf.losses import full_softmax_loss, sampled_softmax_loss

        c, tf = self.config, run.tf
        scale = 1.0 / c.temperature
        if c.softmax == "full":
            return full_softmax_loss(user_vecs, run.item_tower(run.all_items, training=True), batch["target"], scale)
        items = run.item_tower(batch["item"], training=True)
        lq = tf.gather(run.logq, batch["target"]) if c.logq_correction else None
        return sampled_softmax_loss(user_vecs, items, batch["target"], batch["target"], lq, scale)

    def _item_vectors(self, run):
        from recall_core.models._tf.training import predict

        return predict(lambda b: run.item_tower(b, training=False), run.items.batch())

    #: examples in the stored sample batch (``batch_*`` extras), drawn one per user
    n_batch_examples = 64

    def _extras(self, run, user_tower, serving):
        """A seeded sample of training examples, one per user, for the app's in-batch softmax view:
        ``batch_users`` ``(n,)`` user rows, ``batch_targets`` ``(n,)`` item rows (the positives) and
        ``batch_user_vectors`` ``(n, d)``: the user tower at each example's own history (what training saw)."""
        from recall_core.models._tf.training import predict

        ex = run.examples
        rng = np.random.default_rng(self.config.seed)  # its own generator: training's draws stay as they were
        order = rng.permutation(len(ex))
        _, first = np.unique(ex.user[order], return_index=True)
        rows = order[np.sort(first)[:self.n_batch_examples]]
        vecs = predict(lambda b: user_tower(b, training=False), self._user_batch(run, rows))
        return {"batch_users": ex.user[rows].astype(np.int64), "batch_targets": ex.target[rows].astype(np.int64),
                "batch_user_vectors": vecs}

    def _info(self, run):
        c = self.config
        return {"temperature": float(c.temperature),
                "logq_correction": bool(c.logq_correction and c.softmax == "in_batch")}
