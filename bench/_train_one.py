"""Train one model in a fresh process and print its seconds and peak memory as JSON (used by bench/run.py)."""
import json
import resource
import sys
import time

from recall_core.training import train_jobs
from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.training import train_models

model, store = sys.argv[1], sys.argv[2]
temps = (sys.argv[3] or None) if len(sys.argv) > 3 else None
seed = int(sys.argv[4]) if len(sys.argv) > 4 else 42
ds = load_dataset("ml-100k")
split_for(ds)
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
results = train_models(ds, train_jobs(model, temps), store, seed=seed)
print(json.dumps({
    "model": model,
    "wall_seconds": time.perf_counter() - t0,
    "results": [{"model": r["model"], "train_seconds": r["train_seconds"]} for r in results],
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "baseline_rss_mb": base_rss / 1024,
}))
