"""Train and evaluate one model on one dataset in a fresh process; print seconds and peak memory as JSON.

    python bench/_scale_one.py DATASET MODEL [SEED]

Used by bench/scale.py. Phases are timed separately: load (read the folder),
split (leave-last-out), fit, export, evaluate (full-catalogue ranking of every
test user, batched). ``peak_rss_mb`` is the process's peak resident memory.
"""
import json
import resource
import sys
import time

t = time.perf_counter()
from recall_core.data import load_dataset  # noqa: E402
from recall_core.data.split import split_for  # noqa: E402
from recall_core.evaluation import evaluate  # noqa: E402
from recall_core.models import get_model_class  # noqa: E402
from recall_core.training import seed_everything  # noqa: E402

dataset, model = sys.argv[1], sys.argv[2]
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
res = {"model": model}
t0 = time.perf_counter()
ds = load_dataset(dataset)
res["load_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
sp = split_for(ds, "test")
res["split_s"] = time.perf_counter() - t0
res.update(users=sp.train.n_users, items=sp.train.n_items, ratings=int(len(ds.ratings)))
m = get_model_class(model)(seed=seed)
seed_everything(seed)
t0 = time.perf_counter()
m.fit(sp.train)
res["fit_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
out = m.export()
res["export_s"] = time.perf_counter() - t0
t0 = time.perf_counter()
ev = evaluate(out, sp) if out.has_users else {}
res["eval_s"] = time.perf_counter() - t0
res["hr@10"] = ev.get("hr@10")
res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(res))
