"""Train one model variant on one split in a fresh process; print its metrics as JSON (bench/ablations.py).

    python bench/_score_one.py DATASET MODEL '{"config": "overrides"}' valid|test SEED
"""
import json
import sys

from common import fit_and_score  # bench/common.py
from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.models import get_model_class

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
res, _ = fit_and_score(get_model_class(model), sp, seed, overrides, keys=("hr@10", "ndcg@10", "coverage@10", "mrr"))
print(json.dumps(res))
