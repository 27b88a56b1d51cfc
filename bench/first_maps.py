"""The first visitor of the Maps page on a store that no app has opened (issue 22): ``make bench`` runs it.

1. ``python -m recall_core train --models all --store .bench/store-never-opened`` into an empty store (as
   ``make run`` does on a fresh clone: ``train`` keeps each model's default maps as it stores it);
2. ``python bench/browser_timings.py --first-maps --store .bench/store-never-opened --rounds 3``: a fresh server
   whose very first request is ``/maps`` (cold), and one where a visitor opened the Overview first (warm), each
   ``--rounds`` times, every time on its own fresh copy of that store and in a new browser context, against the
   floor page's new-visitor median (:func:`browser_timings.first_maps_visit`).

Writes its block of BENCHMARKS.md (target: the floor + 1.5 s), with each case's median and range.

    python bench/first_maps.py [--dataset ml-100k] [--rounds 3] [--keep-store]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))
STORE = ROOT / ".bench" / "store-never-opened"
START, END = "<!-- first-maps:start -->", "<!-- first-maps:end -->"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", default="ml-100k")
    ap.add_argument("--rounds", type=int, default=3, help="fresh servers per case (and floor visits)")
    ap.add_argument("--keep-store", action="store_true",
                    help="reuse the store if it is there (the visits run on copies of it, so it stays never-opened)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    train_s = None
    if not (args.keep_store and STORE.exists()):
        shutil.rmtree(STORE, ignore_errors=True)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "recall_core", "train", "--dataset", args.dataset, "--models", "all",
                        "--store", str(STORE)], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        train_s = time.perf_counter() - t0
    cmd = [sys.executable, "bench/browser_timings.py", "--first-maps", "--store", str(STORE), "--dataset",
           args.dataset, "--rounds", str(args.rounds), "--json"]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        print(proc.stderr[-2000:], file=sys.stderr)
        return 1
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    from browser_timings import first_maps_lines
    from common import machine, write_block

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START, "", "## The first visitor of the Maps page on a store no app has opened (issue 22)", "",
             f"Command: `python bench/first_maps.py --dataset {args.dataset} --rounds {args.rounds}` (part of `make bench`). "
             f"Date: {now}. "
             f"Machine: {machine()}. The store: `python -m recall_core train --dataset {args.dataset} --models all "
             f"--store .bench/store-never-opened` into an empty folder"
             + (f" ({train_s:.0f} s, maps included)" if train_s else "") + "; `train` keeps each model's default "
             "UMAP maps (items; users where the model has user vectors) right after storing it. Then, "
             f"{args.rounds} times per case, a fresh server on its own copy of that store, and a new browser "
             "context (the browser bench's settled rule). Before issue 22 this visit computed the maps: "
             "floor + 3.7 s (the issue's measurement).",
             "", *first_maps_lines(res, "python bench/browser_timings.py --first-maps --store "
                                         f".bench/store-never-opened --dataset {args.dataset} --rounds {args.rounds}"),
             "", END]
    write_block("\n".join(lines), start=START, end=END)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
