"""Train and evaluate one model on one dataset in a fresh process; print seconds and peak memory as JSON.

    python bench/_scale_one.py DATASET MODEL [SEED] [STORE]

Used by bench/scale.py. Phases are timed separately: load (read the folder),
split (leave-last-out), fit, export, evaluate (full-catalogue ranking of every
test user, batched). ``peak_rss_mb`` is the process's peak resident memory.
With ``STORE``, the model is then stored there as ``train`` would (for the app timings on this shape).
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
res.update(users=sp.train.n_users, items=sp.train.n_items, ratings=int(len(ds.interactions)))
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
if len(sys.argv) > 4:
    from pathlib import Path

    from recall_core.evaluation import evaluate_i2i
    from recall_core.store import save_model

    cls = type(m)
    save_model(Path(sys.argv[4]), ds, model, out, model_class=model, config=m.config.to_dict(), seed=seed,
               metrics=ev, i2i_metrics=evaluate_i2i(out, sp) if cls.i2i else {}, train_seconds=round(res["fit_s"], 2),
               extra={"views": {v: n for v, n in cls.describe_views(m.config.to_dict()).items() if v in out.views},
                      "variant": cls.describe_variant(m.config.to_dict(), out.info)}, split="test")
    from recall_core.evaluation.references import transition_metrics

    transition_metrics(ds, Path(sys.argv[4]), sp, "test")  # as `train` does: the app's first Overview reads it
print(json.dumps(res))
