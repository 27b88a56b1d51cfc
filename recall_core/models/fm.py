"""FM recall: a factorisation machine split exactly into a user vector and an item vector.

For features ``x = [x_u ; x_t]`` (user side, item side) the FM score is
``w0 + Σ w x + ½ Σ_f ((Σ v_f x)² − Σ v_f² x²)``. Its user-only part (``w0``,
user linear terms, user-user interactions) is the same for every item, so for
ranking items

    user vector  = [1 ; Σ_u v_u x_u]                                      (d + 1)
    item vector  = [Σ_t w_t x_t + ½ Σ_f ((Σ_t v_tf x_t)² − Σ_t v_tf² x_t²) ; Σ_t v_t x_t]

and ``user · item = FM score − user-only terms`` (tests/models/test_fm.py checks it
against a direct numpy FM). Features are sparse: each side is ``ids (n, L)``
int32 rows into that side's feature table and ``vals (n, L)`` float32 values
(0 for padding or a missing value).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recall_core.errors import ConfigError
from recall_core.models._softmax import auto_phrase
from recall_core.models.base import ModelConfig, RecallModel, RecallOutput, l2_normalize, no_progress, register
from recall_core.tuning.space import Choice, Float, Int

LOSSES = ("auto", "softmax", "sampled", "bce")


@dataclass
class FMConfig(ModelConfig):
    """FM settings.

    User features: user id, demographics, and the last ``history_len`` items before
    the target (weights ``history_decay^j`` for the item ``j+1`` steps back,
    normalised to sum 1: recent items count more). Item features: item id,
    genres (weights 1/#genres), year bucket. ``loss``: ``"softmax"`` (full softmax
    over the catalogue of the FM score; the user-only terms cancel in it; the item
    tower runs on every item at every step), ``"sampled"`` (the same softmax over
    each target and ``num_sampled`` negatives shared by the batch, drawn from the
    smoothed popularity ``(count + 1)^sample_alpha``, with the logQ correction and
    accidental hits masked; the item tower runs on those rows only, so a step's
    cost does not grow with the catalogue), ``"auto"`` (the default: ``"softmax"``
    below :data:`~recall_core.models._softmax.SAMPLED_SOFTMAX_MIN_ITEMS` items,
    ``"sampled"`` from there; ``info["loss_used"]`` records which, measured by
    `make softmax-switch`) or ``"bce"`` (logistic loss on the full FM score,
    ``num_negatives`` uniform negatives per positive, never an item the user rated).
    The full softmax beat BCE on validation (`make ablations`, FM "loss");
    ``num_sampled`` and ``sample_alpha`` are YouTubeDNN's values, not tuned for FM.
    """

    embedding_dim: int = 64
    epochs: int = 10
    loss: Literal["auto", "softmax", "sampled", "bce"] = "auto"
    num_negatives: int = 4
    num_sampled: int = 256
    sample_alpha: float = 0.75
    batch_size: int = 1024
    learning_rate: float = 3e-3
    l2: float = 0.0
    history_len: int = 20
    history_decay: float = 0.8
    max_examples_per_user: int = 200


class FMFeatures:
    """Flattened sparse FM features of both sides (offsets per field into one table per side)."""

    def __init__(self, train, history_len: int, history_decay: float):
        from recall_core.features.towers import item_table, user_table

        self.users = user_table(train)
        self.items = item_table(train)
        self.history_len = history_len
        decay = np.asarray([history_decay ** j for j in range(history_len)], np.float32)
        self.decay = decay
        off, self.user_offsets = 0, {}
        for name, size in self.users.sizes.items():
            self.user_offsets[name] = off
            off += size
        self.user_offsets["history"] = off
        self.n_user_features = off + train.n_items + 1
        off, self.item_offsets = 0, {}
        for name in ("item_id", *self.items.side_keys):  # MovieLens: item_id, genre_ids, year
            self.item_offsets[name] = off
            off += self.items.sizes[name]
        self.n_item_features = off

    def user_side(self, user_rows: np.ndarray, hist_ids: np.ndarray, hist_mask: np.ndarray):
        """``ids, vals`` ``(B, n_user_fields + history_len)``."""
        ids, vals = [], []
        for name, codes in self.users.batch(user_rows).items():
            ids.append(self.user_offsets[name] + codes[:, None])
            vals.append((codes[:, None] > 0).astype(np.float32))
        w = hist_mask * self.decay[None, :]
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-9)
        ids.append(self.user_offsets["history"] + hist_ids)
        vals.append(w.astype(np.float32))
        return np.concatenate(ids, axis=1).astype(np.int32), np.concatenate(vals, axis=1).astype(np.float32)

    def item_side(self):
        """``ids, vals`` ``(n_items, 1 + G + 1 + n_item_fields)`` for every item (MovieLens ``2 + G``): the id,
        the genres (weights 1/#genres), then one column per other categorical feature (value 1 when known)."""
        f = self.items.fields
        ids = [self.item_offsets["item_id"] + f["item_id"][:, None]]
        vals = [np.ones((len(f["item_id"]), 1), np.float32)]
        for key in self.items.side_keys:
            if key == "genre_ids":
                g = f["genre_mask"] / np.maximum(f["genre_mask"].sum(axis=1, keepdims=True), 1.0)
                ids.append(self.item_offsets["genre_ids"] + f["genre_ids"])
                vals.append(g.astype(np.float32))
            else:
                ids.append(self.item_offsets[key] + f[key][:, None])
                vals.append((f[key][:, None] > 0).astype(np.float32))
        return np.concatenate(ids, axis=1).astype(np.int32), np.concatenate(vals, axis=1)


class FMNet:
    """FM parameters (Keras layers) and the two tower functions.

    ``user_v`` ``(n_user_features, d)``, ``user_w`` ``(n_user_features, 1)``,
    ``item_v`` ``(n_item_features, d)``, ``item_w`` ``(n_item_features, 1)``, ``w0`` scalar.
    """

    def __init__(self, n_user_features: int, n_item_features: int, dim: int, init_std: float = 0.05):
        import keras

        init = keras.initializers.RandomNormal(stddev=init_std)
        self.user_v = keras.layers.Embedding(n_user_features, dim, embeddings_initializer=init, name="fm_user_v")
        self.item_v = keras.layers.Embedding(n_item_features, dim, embeddings_initializer=init, name="fm_item_v")
        self.user_w = keras.layers.Embedding(n_user_features, 1, embeddings_initializer="zeros", name="fm_user_w")
        self.item_w = keras.layers.Embedding(n_item_features, 1, embeddings_initializer="zeros", name="fm_item_w")
        for layer in (self.user_v, self.item_v, self.user_w, self.item_w):
            layer.build((None,))
        self.w0 = keras.Variable(0.0, name="fm_w0")
        #: the user-only terms (``user_w``, ``w0``) only get gradients from a loss on the full score (BCE)
        self.train_user_terms = True

    @property
    def trainable_variables(self) -> list:
        out = [self.user_v.embeddings, self.item_v.embeddings, self.item_w.embeddings]
        return out + ([self.user_w.embeddings, self.w0] if self.train_user_terms else [])

    def tables(self) -> dict[str, np.ndarray]:
        """The trained parameters as numpy, for the stored extras (the app shows the FM term by term
        without TensorFlow): ``fm_user_v`` ``(n_user_features, d)``, ``fm_user_w`` ``(n_user_features,)``,
        ``fm_item_v`` ``(n_item_features, d)``, ``fm_item_w`` ``(n_item_features,)``, ``fm_w0`` ``(1,)``."""
        def arr(x):
            return np.asarray(x, np.float32)

        return {"fm_user_v": arr(self.user_v.embeddings), "fm_user_w": arr(self.user_w.embeddings)[:, 0],
                "fm_item_v": arr(self.item_v.embeddings), "fm_item_w": arr(self.item_w.embeddings)[:, 0],
                "fm_w0": arr(self.w0).reshape(1)}

    @staticmethod
    def _sums(v_layer, ids, vals):
        from keras import ops

        vx = v_layer(ids) * ops.expand_dims(vals, -1)  # (B, L, d)
        return ops.sum(vx, axis=1), ops.sum(vx * vx, axis=1)

    def user_vectors(self, ids, vals):
        """``(B, d + 1)``: ``[1 ; Σ v_u x_u]``."""
        from keras import ops

        s, _ = self._sums(self.user_v, ids, vals)
        return ops.concatenate([ops.ones_like(s[:, :1]), s], axis=1)

    def item_vectors(self, ids, vals):
        """``(B, d + 1)``: ``[Σ w_t x_t + ½ Σ_f ((Σ v x)² − Σ v² x²) ; Σ v_t x_t]``."""
        from keras import ops

        s, sq = self._sums(self.item_v, ids, vals)
        lin = ops.sum(self.item_w(ids)[..., 0] * vals, axis=1, keepdims=True)
        pair = 0.5 * ops.sum(s * s - sq, axis=1, keepdims=True)
        return ops.concatenate([lin + pair, s], axis=1)

    def user_only(self, ids, vals):
        """``(B,)``: ``w0 + Σ w_u x_u + ½ Σ_f ((Σ v_u x_u)² − Σ v_u² x_u²)`` (same for every item)."""
        from keras import ops

        s, sq = self._sums(self.user_v, ids, vals)
        lin = ops.sum(self.user_w(ids)[..., 0] * vals, axis=1)
        return self.w0 + lin + 0.5 * ops.sum(s * s - sq, axis=1)


def fm_sampled_loss(net: FMNet, user_vecs, i_ids, i_vals, targets, negatives, logq):
    """FM's sampled softmax: :func:`~recall_core.models._tf.losses.sampled_negatives_loss` of the user
    vectors ``(B, d + 1)`` against the item tower run on the ``B`` targets and ``S`` shared negatives only.

    ``i_ids``/``i_vals`` ``(n_items, L)``: every item's features (rows are gathered, the tower is not
    run on the catalogue); ``targets`` ``(B,)``, ``negatives`` ``(S,)`` item rows; ``logq`` ``(n_items,)``.
    """
    import tensorflow as tf

    from recall_core.models._tf.losses import sampled_negatives_loss

    rows = tf.concat([targets, negatives], axis=0)
    cand = net.item_vectors(tf.gather(i_ids, rows), tf.gather(i_vals, rows))
    return sampled_negatives_loss(user_vecs, cand, targets, negatives, logq)


@register
class FM(RecallModel):
    """FM recall (Rendle, 2010) split into two towers.

    Trained on next-item examples (features from the history before each
    target). U2I scores ``user · item`` with the inner product: exactly the FM
    score minus terms that do not depend on the item, i.e. the score the model
    was trained to produce. I2I uses ``Σ_t v_t x_t`` with cosine.
    """

    name = "fm"
    lane = "tensorflow"  # Keras on TensorFlow (recall_core.training.lanes)
    order = 40
    color = "#CC79A7"
    map_rank = 5
    view_notes = {
        "similar": "Cosine between the films' summed feature embeddings Σv_t (the FM's interaction part, bias "
                   "coordinate dropped); FM is never trained on item-item pairs, so this is a view of its "
                   "space, not a trained score.",
        "user": "[1; Σv_u] · [item terms; Σv_t] (ip): exactly the FM score minus the user-only terms, which "
                "are the same for every film.",
    }
    variant_notes = {
        "loss": {"softmax": "softmax over the catalogue (the tutorial's code: pointwise BCE)",
                 "sampled": "sampled softmax with logQ correction (the tutorial's code: pointwise BCE)",
                 "auto": auto_phrase("softmax over the catalogue", "sampled softmax with logQ correction")
                 + " (the tutorial's code: pointwise BCE)",
                 "bce": "pointwise BCE with sampled negatives, as in the tutorial's code"},
        "history_len": {0: "no history features, as in the tutorial",
                        None: "the last {history_len} films as user features (not in the tutorial)"},
    }
    description = "Factorisation machine split exactly into [1; Σv_u] and [item terms; Σv_t] vectors."
    Config = FMConfig
    auto_fields = {"loss": ("softmax", "sampled")}
    search_space = {
        "epochs": Int(3, 20), "embedding_dim": Choice(32, 64, 128), "learning_rate": Float(5e-4, 2e-2, log=True),
        "l2": Choice(0.0, 1e-6, 1e-5, 1e-4), "batch_size": Choice(256, 512, 1024, 2048),
        "history_len": Int(0, 40), "history_decay": Float(0.5, 1.0),
        "max_examples_per_user": Choice(50, 100, 200, 400),
    }

    def fit(self, train, progress=no_progress, on_epoch=None):
        from recall_core.features.towers import next_item_examples, require_examples, user_histories
        from recall_core.models._tf import runtime
        from recall_core.models._tf.losses import full_softmax_loss, log_q, sample_negatives
        from recall_core.models._tf.training import batches, predict, train_loop

        c = self.config
        if c.loss not in LOSSES:
            raise ConfigError(f"fm: loss must be one of {LOSSES}, got {c.loss!r}")
        if c.loss in ("auto", "sampled") and c.num_sampled < 1:
            raise ConfigError(f"fm: num_sampled must be >= 1, got {c.num_sampled}")
        loss, loss_info = self.resolve_auto("loss", train.n_items)
        keras, tf = runtime.start(c.seed)
        rng = np.random.default_rng(c.seed)
        feats = FMFeatures(train, c.history_len, c.history_decay)
        ex = next_item_examples(train, c.history_len, c.max_examples_per_user, seed=c.seed)
        require_examples("fm", ex)
        progress(0.05, f"fm: {len(ex)} next-item examples")
        u_ids, u_vals = feats.user_side(ex.user, ex.hist_ids, ex.hist_mask)
        i_ids, i_vals = feats.item_side()
        i_ids_t, i_vals_t = tf.constant(i_ids), tf.constant(i_vals)
        net = FMNet(feats.n_user_features, feats.n_item_features, c.embedding_dim)
        net.train_user_terms = loss == "bce"  # they cancel in the softmax (full or sampled)
        logq = log_q(train.item_counts, c.sample_alpha)
        logq_t = tf.constant(logq)
        seen = np.sort(train.user_idx * train.n_items + train.item_idx)

        def l2(vs):
            return c.l2 * tf.add_n([tf.reduce_sum(tf.square(v)) for v in vs]) if c.l2 else 0.0

        def loss_fn(batch):
            u = net.user_vectors(batch["u_ids"], batch["u_vals"])
            if loss == "softmax":
                cand = net.item_vectors(i_ids_t, i_vals_t)
                return full_softmax_loss(u, cand, batch["target"]) + l2([u])
            if loss == "sampled":
                return fm_sampled_loss(net, u, i_ids_t, i_vals_t, batch["target"], batch["negatives"], logq_t) \
                    + l2([u])
            items = tf.concat([batch["target"][:, None], batch["negatives"]], axis=1)  # (B, 1 + k)
            b, k1 = tf.shape(items)[0], tf.shape(items)[1]
            flat = tf.reshape(items, [-1])
            iv = tf.reshape(net.item_vectors(tf.gather(i_ids_t, flat), tf.gather(i_vals_t, flat)), [b, k1, -1])
            logits = tf.einsum("bd,bkd->bk", u, iv) + net.user_only(batch["u_ids"], batch["u_vals"])[:, None]
            labels = tf.concat([tf.ones([b, 1]), tf.zeros([b, k1 - 1])], axis=1)
            ce = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits) * batch["weight"]
            return tf.reduce_sum(ce) / tf.reduce_sum(batch["weight"]) + l2([u])

        def make_batches(epoch):
            for rows in batches(len(ex), c.batch_size, rng):
                b = {"u_ids": u_ids[rows], "u_vals": u_vals[rows], "target": ex.target[rows].astype(np.int32)}
                if loss == "sampled":
                    b["negatives"] = sample_negatives(rng, logq, c.num_sampled).astype(np.int32)
                elif loss == "bce":
                    neg = rng.integers(train.n_items, size=(len(rows), c.num_negatives))
                    # A "negative" the user rated is no negative (PITFALLS): weight 0.
                    keys = ex.user[rows][:, None] * train.n_items + neg
                    pos = np.searchsorted(seen, keys).clip(max=len(seen) - 1)
                    rated = seen[pos] == keys
                    b["negatives"] = neg.astype(np.int32)
                    b["weight"] = np.concatenate([np.ones((len(rows), 1)), ~rated], axis=1).astype(np.float32)
                yield b

        hist_ids, hist_mask = user_histories(train, c.history_len)
        uid, uval = feats.user_side(np.arange(train.n_users), hist_ids, hist_mask)

        def export(losses=()) -> RecallOutput:
            """The FM as it is after the last epoch trained (``losses``: per epoch, once training ended)."""
            user_vecs = predict(lambda b: net.user_vectors(b["ids"], b["vals"]), {"ids": uid, "vals": uval})
            cand = predict(lambda b: net.item_vectors(b["ids"], b["vals"]), {"ids": i_ids, "vals": i_vals})
            return RecallOutput(
                item_ids=train.item_vocab.ids, item_vectors=l2_normalize(cand[:, 1:]), metric="cosine",
                user_ids=train.user_vocab.ids, user_vectors=user_vecs, candidate_vectors=cand, u2i_metric="ip",
                item_known=train.item_counts > 0, extras=net.tables(),
                info={"epoch_loss": list(losses), "loss": c.loss, **loss_info, "examples": int(len(ex)),
                      "user_features": list(feats.users.sizes), "w0": float(np.asarray(net.w0)),
                      "runtime": runtime.describe()},
            )

        losses = train_loop(net, loss_fn, make_batches, c.epochs, c.learning_rate, progress, "fm",
                            on_epoch=on_epoch and (lambda e: on_epoch(e, export)))
        self._net, self._features = net, feats
        self._output = export(losses)
        return self
