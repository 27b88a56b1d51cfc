"""Where one tuning trial's time goes: train MODEL's default setting on ML-100K's validation split in a fresh
process, exactly as trial 0 of a study does (every epoch scored by validation HR@10 through the ``on_epoch``
hook), and print one JSON line (bench/tuning.py, step ``profile``).

    python bench/_trial_profile.py MODEL

Fields (seconds, wall clock): ``prep_s`` = what the first epoch took beyond a later (median) epoch: data
preparation, model building and TensorFlow's tracing, paid by every trial, pruned or not; ``epoch_s`` = the
median training epoch; ``eval_s`` = the mean per-epoch validation HR@10 (export + scoring 943 users against the
catalogue); ``total_s``; ``epochs``; ``curve`` = validation HR@10 after each epoch.
"""
import json
import sys
import time

from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.evaluation import evaluate
from recall_core.models import get_model_class
from recall_core.training import seed_everything

name = sys.argv[1]
split = split_for(load_dataset("ml-100k"), "valid")
marks = []  # (epoch, time the hook was entered, time it returned, HR@10)


def hook(epoch, snapshot):
    t0 = time.perf_counter()
    hr = float(evaluate(snapshot(), split, ks=(10,))["hr@10"])
    marks.append((epoch, t0, time.perf_counter(), hr))
    return False


seed_everything(42)
model = get_model_class(name)(seed=42)
start = time.perf_counter()
model.fit(split.train, on_epoch=hook)
end = time.perf_counter()
train, evals, prev = [], [], start
for _, t0, t1, _ in marks:
    train.append(t0 - prev)
    evals.append(t1 - t0)
    prev = t1
later = sorted(train[1:])[len(train[1:]) // 2] if len(train) > 1 else train[0]
print(json.dumps({"model": name, "total_s": end - start, "epochs": len(marks), "prep_s": max(train[0] - later, 0.0),
                  "epoch_s": later, "eval_s": sum(evals) / len(evals), "curve": [m[3] for m in marks]}))
