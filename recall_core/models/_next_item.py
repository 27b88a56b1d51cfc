"""What DSSM and YouTubeDNN share: next-item settings and one ``fit`` skeleton (template method).

Both learn a user tower from next-item examples (the history strictly before
each target) with a softmax over items, then export the user tower's vectors
for every user (full training history) and one vector per item. A model fills
in the hooks: ``_build`` (its towers), ``_loss``, ``_item_vectors``, and
optionally ``_check``/``_prepare``/``_user_extras``/``_batch``/``_info``.

No TensorFlow at module level: model modules subclass this at registry time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from recall_core.errors import ConfigError
from recall_core.models.base import ModelConfig, RecallModel, RecallOutput, no_progress


@dataclass
class NextItemConfig(ModelConfig):
    """Settings of a next-item two-tower model.

    Examples are built in time order: each target is seen only with the
    ``history_len`` items before it, at most ``max_examples_per_user`` per user
    (a seeded random subset, so heavy users do not dominate). User tower: one
    ``field_dim`` embedding per user field (``user_id`` only if
    ``use_user_id``; demographics where the dataset has them), the history
    pooled three ways (all items, the last ``recent_k``, the last one), then a
    ReLU DNN of ``hidden`` widths to ``embedding_dim``. Adam with
    ``learning_rate`` on batches of ``batch_size`` for ``epochs``. ``softmax``:
    which items are the negatives (each model lists its choices).
    """

    embedding_dim: int = 64
    epochs: int = 5
    softmax: str = "full"
    batch_size: int = 1024
    learning_rate: float = 5e-3
    history_len: int = 20
    recent_k: int = 3
    max_examples_per_user: int = 200
    field_dim: int = 16
    hidden: tuple = (256,)
    use_user_id: bool = True


class NextItemRun:
    """The state of one ``fit``: set up by the skeleton, read (and extended) by the model's hooks.

    ``examples`` (:class:`~recall_core.features.towers.NextItemExamples`), ``users``
    (:class:`~recall_core.features.towers.UserTable`), ``sizes`` (the user fields the tower
    embeds and their table sizes), ``rng`` (the one generator for shuffling and sampling),
    ``keras``/``tf`` (the modules, after :func:`recall_core.models._tf.runtime.start`).
    Hooks may add attributes (e.g. the item tower) for later hooks.
    """

    def __init__(self, config, train, keras, tf):
        from recall_core.features.towers import next_item_examples, user_sizes, user_table

        self.config, self.train, self.keras, self.tf = config, train, keras, tf
        self.rng = np.random.default_rng(config.seed)
        self.users = user_table(train)
        self.sizes = user_sizes(self.users, config.use_user_id)
        self.examples = next_item_examples(train, config.history_len, config.max_examples_per_user, seed=config.seed)


class NextItemModel(RecallModel):
    """Base of DSSM and YouTubeDNN. ``fit`` is the skeleton every such model runs.

    Check the config (``softmax`` in :attr:`softmax_kinds`, then ``_check``);
    start TensorFlow from a known state (:func:`~recall_core.models._tf.runtime.start`);
    build the examples (:class:`NextItemRun`); ``_prepare``; ``_build`` the
    towers; Adam over ``_batch``es and ``_loss``; export the user tower's
    vectors of every user (full training history, ``_user_extras(run, None)``)
    and ``_item_vectors``.
    """

    Config: ClassVar[type[NextItemConfig]] = NextItemConfig
    #: the allowed values of ``config.softmax``
    softmax_kinds: ClassVar[tuple[str, ...]] = ("full",)
    #: what a training example is called in progress messages
    example_kind: ClassVar[str] = "next-item"
    #: how user vectors score items (the trained logit up to a constant factor)
    u2i_metric: ClassVar[str] = "ip"

    # ----- hooks -----

    def _check(self) -> None:
        """Raise :class:`ConfigError` for settings this model cannot train with (beyond ``softmax``)."""

    def _prepare(self, run: NextItemRun) -> None:
        """Per-fit data the other hooks need, computed once (set as attributes of ``run``)."""

    def _user_extras(self, run: NextItemRun, rows: np.ndarray | None) -> dict[str, np.ndarray]:
        """Extra user-tower inputs for the examples ``rows``, or for serving every user when ``rows`` is None."""
        return {}

    def _build(self, run: NextItemRun):
        """Create the networks; return ``(user_tower, variables)``: the user tower maps a user batch dict to
        ``(B, d)``, ``variables`` has every trainable variable (``training.Variables``)."""
        raise NotImplementedError

    def _batch(self, run: NextItemRun, rows: np.ndarray) -> dict:
        """One training batch: ``user`` (the user tower's input dict) and ``target`` ``(B,)`` item rows."""
        return {"user": self._user_batch(run, rows), "target": run.examples.target[rows].astype(np.int32)}

    def _loss(self, run: NextItemRun, user_vecs, batch: dict):
        """Scalar loss of a batch, given its user vectors ``(B, d)``."""
        raise NotImplementedError

    def _item_vectors(self, run: NextItemRun) -> np.ndarray:
        """``(n_items, d)`` float32 exported item vectors (searched by cosine for I2I)."""
        raise NotImplementedError

    def _info(self, run: NextItemRun) -> dict[str, Any]:
        """Model-specific facts for ``RecallOutput.info``."""
        return {}

    def _extras(self, run: NextItemRun, user_tower, serving: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Arrays for ``RecallOutput.extras`` computed with the trained ``user_tower`` (the app has no
        TensorFlow); ``serving`` is the user batch of every user at serving."""
        return {}

    # ----- the skeleton -----

    def _user_batch(self, run: NextItemRun, rows: np.ndarray) -> dict[str, np.ndarray]:
        from recall_core.features.towers import user_batch

        ex = run.examples
        b = user_batch(run.users, ex.user[rows], ex.hist_ids[rows], ex.hist_mask[rows], run.config.use_user_id)
        return {**b, **self._user_extras(run, rows)}

    def fit(self, train, progress=no_progress, on_epoch=None):
        from recall_core.features.towers import require_examples, user_batch, user_histories
        from recall_core.models._tf import runtime, training

        c = self.config
        if c.softmax not in self.softmax_kinds:
            raise ConfigError(f"{self.name}: softmax must be one of {self.softmax_kinds}, got {c.softmax!r}")
        self._check()
        keras, tf = runtime.start(c.seed)
        run = NextItemRun(c, train, keras, tf)
        require_examples(self.name, run.examples)
        self._prepare(run)
        progress(0.05, f"{self.name}: {len(run.examples)} {self.example_kind} examples")
        user_tower, variables = self._build(run)

        def loss_fn(batch):
            return self._loss(run, user_tower(batch["user"], training=True), batch)

        def make_batches(epoch):
            for rows in training.batches(len(run.examples), c.batch_size, run.rng):
                yield self._batch(run, rows)

        # Serving: every user with the full training history.
        hist_ids, hist_mask = user_histories(train, c.history_len)
        users = user_batch(run.users, np.arange(train.n_users), hist_ids, hist_mask, c.use_user_id)
        users.update(self._user_extras(run, None))

        def export(losses=()) -> RecallOutput:
            """The towers as they are after the last epoch trained (``losses``: per epoch, once training ended)."""
            user_vecs = training.predict(lambda b: user_tower(b, training=False), users)
            return RecallOutput(
                item_ids=train.item_vocab.ids, item_vectors=self._item_vectors(run), metric="cosine",
                user_ids=train.user_vocab.ids, user_vectors=user_vecs, u2i_metric=self.u2i_metric,
                # Items never in training only have untrained (or only pushed-down) vectors: keep them out of rankings.
                item_known=train.item_counts > 0, extras=self._extras(run, user_tower, users),
                info={"epoch_loss": list(losses), "softmax": c.softmax, "examples": int(len(run.examples)),
                      **self._info(run), "runtime": runtime.describe()},
            )

        losses = training.train_loop(variables, loss_fn, make_batches, c.epochs, c.learning_rate, progress,
                                     self.name, on_epoch=on_epoch and (lambda e: on_epoch(e, export)))
        self._output = export(losses)
        return self
