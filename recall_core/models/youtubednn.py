"""YouTubeDNN candidate generation (Covington et al., 2016): next-watch softmax over the catalogue."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from recall_core.models._next_item import NextItemConfig, NextItemModel
from recall_core.models._softmax import auto_phrase
from recall_core.models.base import register
from recall_core.tuning.space import Choice, Float, Int


@dataclass
class YouTubeDNNConfig(NextItemConfig):
    """YouTubeDNN settings (the shared next-item ones: :class:`~recall_core.models._next_item.NextItemConfig`).

    ``softmax``: ``"full"`` (all items: exact, and measured better on validation,
    but its cost per step grows with the catalogue), ``"sampled"`` (``num_sampled``
    negatives shared by the batch, drawn from the smoothed popularity
    ``(count + 1)^sample_alpha`` with the matching logQ correction, accidental hits
    masked: the paper's choice; its cost does not grow with the catalogue) or
    ``"auto"`` (the default: full below
    :data:`~recall_core.models._softmax.SAMPLED_SOFTMAX_MIN_ITEMS` items, sampled
    from there; ``info["softmax_used"]`` records which, measured by `make softmax-switch`).
    ``share_history_table``: the history films are embedded with the candidate
    (softmax output) table itself, else (the default) with a separate input table.
    ``example_age``: feed each example's age (time from the example to the end
    of training, log1p(days / ``age_unit_days``) and its square) into the user
    tower, as in the paper (off by default). ``serving_age``: the age users are
    scored at when ``example_age`` is on: ``"zero"`` (the paper's: "now") or
    ``"user_last"`` (now minus the user's last training time; the default: the
    validation rule's choice, measured with the feature on). `make ablations`
    measures each choice on ML-100K and on the long-tail synthetic shape
    (BENCHMARKS.md, ablation table): the shared table and the age feature both
    lose most on the long tail, so neither is the default.
    """

    epochs: int = 8
    softmax: Literal["auto", "full", "sampled"] = "auto"
    batch_size: int = 512
    learning_rate: float = 3e-3
    hidden: tuple = (256, 128)
    num_sampled: int = 256
    sample_alpha: float = 0.75
    share_history_table: bool = False
    example_age: bool = False
    serving_age: Literal["zero", "user_last"] = "user_last"  # chosen on validation (make ablations, "serving age")
    age_unit_days: float = 1.0


def example_age(timestamps: np.ndarray, now: int, unit_days: float) -> np.ndarray:
    """``(n, 2)`` float32: log1p(age in units) and its square; ``now`` is the last training timestamp."""
    a = np.log1p(np.maximum(now - np.asarray(timestamps, np.float64), 0) / (86_400.0 * unit_days))
    return np.stack([a, a * a], axis=1).astype(np.float32)


def _build(keras, user_example: dict, sizes: dict, n_items: int, c):
    """``(user_tower, item_table)``: the tower gives ``(B, d)`` unit rows; the table is ``(n_items + 1, d)``."""
    from recall_core.models._tf.layers import dnn, l2_normalize_layer, make_inputs, user_features

    uin = make_inputs(user_example)
    # Row 0 pads the history (ids are item row + 1); the candidates are rows 1..n_items.
    table = keras.layers.Embedding(n_items + 1, c.embedding_dim, name="item_table",
                                   embeddings_initializer=keras.initializers.RandomNormal(stddev=0.05))
    table.build((None,))
    x = user_features(uin, sizes, n_items, c.field_dim, c.embedding_dim, c.recent_k, "user",
                      history_table=table if c.share_history_table else None)
    if c.example_age:
        x = keras.layers.Concatenate(name="user_with_age")([x, uin["example_age"]])
    u = l2_normalize_layer(dnn(x, tuple(c.hidden), c.embedding_dim, "user"), "user_norm")
    user_tower = keras.Model(uin, u, name="youtubednn_user")
    return user_tower, table


@register
class YouTubeDNN(NextItemModel):
    """YouTubeDNN: history pooling + user features + example age -> ReLU DNN -> unit user vector.

    The item tower is the item embedding table (the softmax weights). The user
    vector is L2-normalised, the table is not, so an item's norm can carry its
    popularity; U2I scores by inner product, exactly the trained logit.
    User vectors come from each user's full training history (with ``example_age``, at the ``serving_age``).
    I2I item vectors are the same table (cosine).
    """

    name = "youtubednn"
    lane = "tensorflow"  # Keras on TensorFlow (recall_core.training.lanes)
    order = 60
    color = "#56B4E9"
    map_rank = 4
    view_notes = {
        "similar": "Cosine between the softmax output vectors of the films; the model is trained on "
                   "user-film pairs only, so this is a view of the item space, not a trained score.",
        "user": "User-tower output · film output vector (ip): the trained next-watch softmax logit.",
    }
    variant_notes = {
        "softmax": {"full": "full softmax (the paper: sampled)", "sampled": "sampled softmax, as in the paper",
                    "auto": auto_phrase("full softmax", "sampled softmax (as in the paper)")},
        "example_age": {True: "example age as a feature, as in the paper",
                        False: "no example age (the paper: example age; measured better without on validation)"},
        "share_history_table": {True: "history embedded with the output table",
                                False: "separate history table (measured better on validation)"},
        "serving_age": {"zero": "served at age 0, as in the paper",
                        "user_last": "served at each user's own age (now − last training time)"},
        "max_examples_per_user": {None: "at most {max_examples_per_user} examples per user (the tutorial: a "
                                        "fixed number per user)"},
    }
    description = ("Next-watch softmax: pooled history + demographics (+ example age, a switch) through a ReLU "
                   "DNN.")
    Config = YouTubeDNNConfig
    softmax_kinds = ("auto", "full", "sampled")
    search_space = {
        "epochs": Int(3, 16), "embedding_dim": Choice(32, 64, 128), "learning_rate": Float(5e-4, 1e-2, log=True),
        "batch_size": Choice(256, 512, 1024), "history_len": Int(5, 50), "recent_k": Int(1, 10),
        "hidden": Choice((128,), (256, 128), (512, 256)), "max_examples_per_user": Choice(50, 100, 200, 400),
    }
    auto_fields = {"softmax": ("full", "sampled")}
    example_kind = "next-watch"
    u2i_metric = "ip"

    def _prepare(self, run):
        run.softmax, run.softmax_info = self.resolve_auto("softmax", run.train.n_items)
        run.now = int(run.train.timestamp.max())
        run.ages = example_age(run.examples.timestamp, run.now, self.config.age_unit_days)

    def _user_extras(self, run, rows):
        c = self.config
        if not c.example_age:
            return {}
        if rows is None:  # serving: every user, at age 0 ("now") or at their last training time
            at = np.full(run.train.n_users, run.now)
            if c.serving_age == "user_last":
                last = np.full(run.train.n_users, run.now, np.int64)
                tr = run.train
                has = np.diff(tr.user_offsets) > 0
                last[has] = tr.timestamp[tr.user_offsets[1:][has] - 1]
                at = last
            return {"example_age": example_age(at, run.now, c.age_unit_days)}
        return {"example_age": run.ages[rows]}

    def _build(self, run):
        from recall_core.models._tf.losses import log_q
        from recall_core.models._tf.training import Variables

        c = self.config
        user_tower, run.table = _build(run.keras, self._user_batch(run, np.arange(2)), run.sizes,
                                       run.train.n_items, c)
        run.logq = log_q(run.train.item_counts, c.sample_alpha)
        run.logq_t = run.tf.constant(run.logq)
        return user_tower, Variables(user_tower, run.table)

    @staticmethod
    def _candidates(run):
        return run.table.embeddings[1:]  # (n_items, d): row 0 is the history padding

    def _batch(self, run, rows):
        from recall_core.models._tf.losses import sample_negatives

        b = super()._batch(run, rows)
        if run.softmax == "sampled":
            b["negatives"] = sample_negatives(run.rng, run.logq, self.config.num_sampled).astype(np.int32)
        return b

    def _loss(self, run, user_vecs, batch):
        from recall_core.models._tf.losses import full_softmax_loss, sampled_negatives_loss

        tf = run.tf
        if run.softmax == "full":
            return full_softmax_loss(user_vecs, self._candidates(run), batch["target"])
        cand = tf.concat([batch["target"], batch["negatives"]], axis=0)
        return sampled_negatives_loss(user_vecs, tf.gather(self._candidates(run), cand), batch["target"],
                                      batch["negatives"], run.logq_t)

    def _item_vectors(self, run):
        return np.asarray(self._candidates(run), np.float32)

    #: fixed serving ages (days) of the stored age grid; a column "own" (the user's own age) follows the first
    age_grid_days = (0.0, 7.0, 30.0, 365.0)
    #: users in the stored age grid (all when there are fewer, else a seeded sample)
    age_grid_max_users = 1000

    def _extras(self, run, user_tower, serving):
        """The user tower at several serving ages, for the app's example-age view (``example_age`` only).

        ``age_grid_labels`` ``(A,)`` str (``"0"``, ``"own"``, ``"7"``, ...), ``age_grid_users`` ``(m,)``
        user rows, ``age_grid_days`` ``(m, A)`` float64 ages in days, ``age_grid_user_vectors``
        ``(m, A, d)`` float32. ``own`` is now minus the user's last training time.
        """
        from recall_core.models._tf.training import predict

        c, tr = self.config, run.train
        if not c.example_age:
            return {}
        users = np.arange(tr.n_users)
        if tr.n_users > self.age_grid_max_users:
            users = np.sort(np.random.default_rng(c.seed).choice(tr.n_users, self.age_grid_max_users, replace=False))
        last = np.full(tr.n_users, run.now, np.int64)
        has = np.diff(tr.user_offsets) > 0
        last[has] = tr.timestamp[tr.user_offsets[1:][has] - 1]
        fixed = [run.now - np.round(np.full(len(users), d) * 86_400).astype(np.int64) for d in self.age_grid_days]
        at = np.stack([fixed[0], last[users], *fixed[1:]], axis=1)  # (m, A) timestamps
        labels = [f"{self.age_grid_days[0]:g}", "own", *(f"{d:g}" for d in self.age_grid_days[1:])]
        base = {k: v[users] for k, v in serving.items()}
        vecs = []
        for a in range(at.shape[1]):
            batch = {**base, "example_age": example_age(at[:, a], run.now, c.age_unit_days)}
            vecs.append(predict(lambda b: user_tower(b, training=False), batch))
        return {"age_grid_labels": np.asarray(labels, dtype=str), "age_grid_users": users.astype(np.int64),
                "age_grid_days": (run.now - at) / 86_400.0, "age_grid_user_vectors": np.stack(vecs, axis=1)}

    def _info(self, run):
        return {"max_examples_per_user": self.config.max_examples_per_user, **run.softmax_info}
