"""The Keras training step (recall_core/models/_tf/training.py) and EGES's step are traced once per fit, and
tracing once moves no number: a trial's curve (validation HR@10 after each epoch, as a tuning trial records it),
its losses and its vectors are bit for bit those of the step as it was before (one trace per batch shape, the
optimizer's slots made inside the first call), on planted data with a partial last batch."""
from __future__ import annotations

import numpy as np
import pytest

from recall_core.data import leave_last_out
from recall_core.data.planted import planted_dataset
from recall_core.models import get_model_class
from recall_core.models._tf import training
from recall_core.tuning.study import EpochWatch

pytestmark = pytest.mark.slow  # ten small fits (each model twice), tracing included

TOWER = {"epochs": 3, "embedding_dim": 8, "batch_size": 48, "learning_rate": 0.01, "history_len": 4,
         "hidden": (16,), "field_dim": 4, "seed": 3}
CONFIGS = {
    "youtubednn": TOWER,
    "dssm": {**TOWER, "temperature": 0.5},
    "fm": {k: TOWER[k] for k in ("epochs", "embedding_dim", "batch_size", "learning_rate", "history_len", "seed")},
    "fm-sampled": {**{k: TOWER[k] for k in ("epochs", "embedding_dim", "batch_size", "learning_rate", "history_len",
                                            "seed")}, "loss": "sampled", "num_sampled": 16},
    "eges": {"embedding_dim": 8, "epochs": 3, "walks_per_node": 4, "walk_length": 8, "window": 2, "negative": 3,
             "batch_size": 256, "learning_rate": 0.05, "seed": 5},
}


@pytest.fixture(scope="module")
def split():
    return leave_last_out(planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8))


def per_shape_step(model, loss_fn, learning_rate, weight_decay=None):
    """The step as it was before it was traced once: ``tf.function(reduce_retracing=True)`` with autograph, traced
    for the first batch's shape and again for the last partial batch's."""
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

    return step


def fit_as_a_trial(name, split):
    """``(curve, output)``: the model fitted as a tuning trial fits it (every epoch scored through ``on_epoch``)."""
    cfg = dict(CONFIGS[name])
    cls = get_model_class(name.split("-")[0])
    watch = EpochWatch(split)
    out = cls(**cfg).fit(split.train, on_epoch=watch).export()
    return watch.curve, out


def arrays(out) -> dict[str, np.ndarray]:
    got = {"item_vectors": out.item_vectors, "user_vectors": out.user_vectors,
           "candidate_vectors": out.candidate_vectors,
           **{f"extras.{k}": v for k, v in out.extras.items() if np.asarray(v).dtype.kind in "fiub"}}
    return {k: np.asarray(v) for k, v in got.items() if v is not None}


def assert_same(a, b, what):
    (curve_a, out_a), (curve_b, out_b) = a, b
    assert curve_a == curve_b, what
    assert out_a.info["epoch_loss"] == out_b.info["epoch_loss"], what
    arr_a, arr_b = arrays(out_a), arrays(out_b)
    assert set(arr_a) == set(arr_b)
    for k in arr_a:
        np.testing.assert_array_equal(arr_a[k], arr_b[k], err_msg=f"{what}: {k}")


@pytest.mark.parametrize("name", ["fm", "fm-sampled", "dssm", "youtubednn"])
def test_one_trace_moves_no_number(name, split, monkeypatch):
    traced = []
    real_step = training.adam_step

    def counting_step(*args, **kwargs):
        step = real_step(*args, **kwargs)
        traced.append(step)
        return step

    monkeypatch.setattr(training, "adam_step", counting_step)
    now = fit_as_a_trial(name, split)
    assert now[1].info["examples"] % CONFIGS[name]["batch_size"], "the planted data must end in a partial batch"
    assert [s.tracing_count() for s in traced] == [1], "one trace per fit, the partial batch included"
    monkeypatch.setattr(training, "adam_step", per_shape_step)
    before = fit_as_a_trial(name, split)
    assert len(before[0]) == CONFIGS[name]["epochs"]
    assert_same(now, before, f"{name}: one trace against one per batch shape")


def test_eges_one_trace_moves_no_number(split, monkeypatch):
    import keras
    import tensorflow as tf

    made = []
    real_function = tf.function

    def recording_function(*args, **kwargs):
        fn = real_function(*args, **kwargs)
        if callable(fn) and hasattr(fn, "experimental_get_tracing_count"):
            made.append(fn)
            return fn

        def decorate(f):
            g = fn(f)
            made.append(g)
            return g
        return decorate

    monkeypatch.setattr(tf, "function", recording_function)
    now = fit_as_a_trial("eges", split)
    monkeypatch.setattr(tf, "function", real_function)
    assert [f.experimental_get_tracing_count() for f in made] == [1], "EGES's step: one trace per fit"

    # before: Adam's slots made lazily, inside the step's first call (its first trace)
    real_build = keras.optimizers.Adam.build

    def lazy_build(self, variables):
        if tf.inside_function():
            return real_build(self, variables)

    monkeypatch.setattr(keras.optimizers.Adam, "build", lazy_build)
    before = fit_as_a_trial("eges", split)
    assert_same(now, before, "eges: Adam built before the step against inside its first call")
