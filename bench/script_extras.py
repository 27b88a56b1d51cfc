"""What Streamlit adds to a script run of this app beyond the page itself (issue 22): two costs the launcher avoids.

In a fresh process that has what the app's server holds after a first visit (the launcher's start-up imports,
``recall_core.app``, the ML-100K dataset and every model of the store read), it times:

* ``gc.collect(2)``: the full collection Streamlit runs after every script run while ``runner.postScriptGC`` is on
  (its default); ``.streamlit/config.toml`` turns it off. Median (range) of ``--repeats``.
* ``env_util.is_repl()`` called 40 frames deep (about a page's depth in a script run): the check behind
  Streamlit's "run this with `streamlit run`" hint, made at the first element a process draws;
  :func:`recall_core.app.serve.skip_direct_run_hint` marks the hint as shown. First call, then a second one.

Writes its block of BENCHMARKS.md.

    python bench/script_extras.py [--store .bench/store-never-opened] [--repeats 9]
"""
from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))
START, END = "<!-- script-extras:start -->", "<!-- script-extras:end -->"


def _deep(n: int, fn):
    return fn() if n == 0 else _deep(n - 1, fn)


def measure(store: Path, dataset: str, repeats: int) -> dict:
    from recall_core.app.serve import warm_imports

    warm_imports()
    import recall_core.app.figures  # noqa: F401 (what a page imports)
    import recall_core.app.state  # noqa: F401
    from recall_core.data import load_dataset
    from recall_core.store import list_models, load_model, store_key

    ds = load_dataset(dataset)
    key = store_key(ds.key, "test")
    models = [load_model(store, key, m) for m in list_models(store, key)]
    from streamlit import env_util

    def timed(fn) -> float:
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    first = _deep(40, lambda: timed(env_util.is_repl))
    again = _deep(40, lambda: timed(env_util.is_repl))
    gcs = [timed(lambda: gc.collect(2)) for _ in range(repeats)]
    return {"models": len(models), "objects": len(gc.get_objects()), "is_repl_first": first, "is_repl_again": again,
            "gc": gcs}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--store", default=str(ROOT / ".bench" / "store-never-opened"))
    ap.add_argument("--dataset", default="ml-100k")
    ap.add_argument("--repeats", type=int, default=9)
    args = ap.parse_args()
    from common import block_head, write_block

    r = measure(Path(args.store), args.dataset, args.repeats)
    g = r["gc"]
    lines = [*block_head(START, "Streamlit's extras per script run (issue 22)",
                         f"`python bench/script_extras.py --repeats {args.repeats}` (part of `make bench`, after the "
                         "first-visitor block, on its store)",
                         "A fresh process holding what the app's server holds after a first visit: the launcher's "
                         f"start-up imports, `recall_core.app`, the {args.dataset} dataset and the store's "
                         f"{r['models']} models ({r['objects']:,} objects tracked by the garbage collector)."),
             "| what | seconds | where it was paid | now |", "|---|---|---|---|",
             f"| `gc.collect(2)`, median (range) of {len(g)} | {statistics.median(g):.3f} ({min(g):.3f}–{max(g):.3f}) "
             "| after every script run (Streamlit's `runner.postScriptGC`, on by default), holding the interpreter "
             "while the run's last messages wait to be sent | off in `.streamlit/config.toml`; Python's own "
             "collector still runs |",
             f"| `env_util.is_repl()` 40 frames deep: first call, second call | {r['is_repl_first']:.3f}, "
             f"{r['is_repl_again']:.3f} | once per server process, at the first element drawn: in the first "
             "visitor's script run | skipped (`recall_core.app.serve.skip_direct_run_hint`) |", "", END]
    write_block("\n".join(lines), start=START, end=END)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
