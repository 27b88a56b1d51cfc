"""Train one model with a given setting on one split in a fresh process; print its metrics as JSON (bench/tuning.py).

    python bench/_tuned_one.py MODEL SPLIT SEED PARAMS_JSON [DATASET]

``PARAMS_JSON``: config overrides (``{}``: the defaults). Scored on the split's held-out items with the project's
one protocol; nothing is stored.
"""
import json
import sys
import time

from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.evaluation import evaluate
from recall_core.models import get_model_class
from recall_core.training import seed_everything

model, split_name, seed, params = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
ds = load_dataset(sys.argv[5] if len(sys.argv) > 5 else "ml-100k")
split = split_for(ds, split_name)
params = {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
seed_everything(seed)
t0 = time.perf_counter()
out = get_model_class(model)(**{**params, "seed": seed}).fit(split.train).export()
seconds = time.perf_counter() - t0
m = evaluate(out, split)
print(json.dumps({"model": model, "split": split_name, "seed": seed, "params": sys.argv[4], "train_seconds": seconds,
                  "metrics": {k: m[k] for k in ("hr@10", "ndcg@10", "coverage@10", "mrr")}}))
