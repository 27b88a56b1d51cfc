"""Train one model variant on one split in a fresh process; print its metrics as JSON (bench/ablations.py).

    python bench/_score_one.py DATASET MODEL '{"config": "overrides"}' valid|test SEED
"""
import json
import sys
import time

from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.evaluation import evaluate, evaluate_i2i
from recall_core.models import get_model_class
from recall_core.training import seed_everything

dataset, model, overrides, split, seed = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5])
ds = load_dataset(dataset)
if model == "eges-cold-start":  # both cold-start rules from one held-out EGES training
    from recall_core.evaluation.cold_start import cold_start_genre_overlap

    print(json.dumps(cold_start_genre_overlap(ds, n_holdout=100, seed=0, split=split, **overrides)))
    sys.exit(0)
sp = split_for(ds, split)
if model == "transition":  # the reference scoring rule (no training)
    from recall_core.evaluation.baselines import evaluate_transition

    ev = evaluate_transition(sp, **overrides)
    print(json.dumps({k: ev[k] for k in ("hr@10", "ndcg@10", "coverage@10", "mrr")}))
    sys.exit(0)
cls = get_model_class(model)
m = cls(**{"seed": seed, **overrides})
seed_everything(seed)
t0 = time.perf_counter()
m.fit(sp.train)
seconds = time.perf_counter() - t0
out = m.export()
res = {"train_seconds": round(seconds, 2)}
if out.has_users:
    ev = evaluate(out, sp)
    res.update({k: ev[k] for k in ("hr@10", "ndcg@10", "coverage@10", "mrr")})
if cls.i2i:
    ev = evaluate_i2i(out, sp)
    res.update({"i2i_hr@10": ev["hr@10"], "i2i_ndcg@10": ev["ndcg@10"]})
print(json.dumps(res))
