"""Time one model variant's training steps in a fresh process; print seconds and peak memory as JSON.

    python bench/_softmax_one.py DATASET MODEL '{"config": "overrides"}' WARMUP STEPS [SEED]

Used by bench/softmax_switch.py. Trains on the validation split's training set
with the model's own ``fit`` (its features, batches, negatives and loss), but
with ``train_loop`` replaced by one that runs ``WARMUP`` steps (tracing, first
allocations), then times ``STEPS`` steps (host-side batch building included),
counts the epoch's remaining batches without training on them, and stops the
fit. ``peak_rss_mb`` is the process's peak resident memory at that point;
``base_rss_mb`` the peak before ``fit`` (data and TensorFlow loaded).
"""
import json
import resource
import sys
import time

from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.models import get_model_class
from recall_core.training import seed_everything


class Measured(Exception):
    """Raised by the timed loop to end ``fit`` once the steps are measured."""


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    dataset, model, overrides = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    warmup, steps = int(sys.argv[4]), int(sys.argv[5])
    seed = int(sys.argv[6]) if len(sys.argv) > 6 else 42
    ds = load_dataset(dataset)
    train = split_for(ds, "valid").train
    import tensorflow as tf

    from recall_core.models._tf import runtime, training

    runtime.start(seed)
    base = rss_mb()

    def timed_loop(net, loss_fn, make_batches, epochs, learning_rate, progress=None, name="", weight_decay=None):
        step = training.adam_step(net, loss_fn, learning_rate, weight_decay)  # train_loop's own step
        it = iter(make_batches(0))

        def run(n):
            for _ in range(n):
                float(step(tf.nest.map_structure(tf.convert_to_tensor, next(it))))

        run(warmup)
        t0 = time.perf_counter()
        run(steps)
        seconds = time.perf_counter() - t0
        rest = sum(1 for _ in it)
        raise Measured({"sec_per_step": seconds / steps, "steps_per_epoch": warmup + steps + rest})

    training.train_loop = timed_loop  # model modules look it up at fit time
    m = get_model_class(model)(**{"seed": seed, **overrides})
    seed_everything(seed)
    try:
        m.fit(train)
    except Measured as done:
        res = done.args[0]
    else:
        raise SystemExit("fit finished without calling train_loop")
    res.update(model=model, overrides=overrides, items=int(train.n_items), users=int(train.n_users),
               sec_per_epoch=res["sec_per_step"] * res["steps_per_epoch"], peak_rss_mb=rss_mb(), base_rss_mb=base)
    print(json.dumps(res))


if __name__ == "__main__":
    main()
