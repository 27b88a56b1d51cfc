"""Reading 1M interactions: the same data as ML-1M ``.dat`` files and as generic folders (dataset.toml).

    python bench/dataset_load.py [--runs 3]      (part of `make bench`; alone: `make bench-data`)

The data: ``python -m recall_core synth`` at ML-1M's size (6,040 users, 3,706 items, 1,000,209 ratings,
seed 7; ratings rounded up to whole stars, as ML-1M's), written four ways into ``.bench/data/load-*``:

* ``ml1m-dat``: ``ratings.dat``, ``movies.dat``, ``users.dat`` (the ml-1m layout, ``::``-separated);
* ``generic-parquet``: a log as a shop would export it: ``interactions.parquet`` with integer ids,
  integer stars and integer seconds (``time_format = "unix_s"``), ``items.parquet``, ``users.parquet``;
* ``save-generic-parquet`` / ``save-generic-csv``: what ``Dataset.save_generic`` writes (text ids, a
  timestamp column / ISO 8601 text).

Each folder is read in ``--runs`` fresh processes by ``bench/_load_one.py``: cold (``parse_cache=False``:
the validating reader) and from the parsed cache (the best of two reads after one that writes it), with
``RECALL_DATA_DIR`` pointing at ``.bench/load-cache``. The table gives the median and the range over the
runs, the files' size, and whether every reading has the ML-1M folder's fingerprint (the same data).
Targets (issue 20): the generic Parquet log cold in at most the ``.dat`` time; from the cache in 0.2 s or
less. Writes its block of BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT / ".bench" / "data"
CACHE = ROOT / ".bench" / "load-cache"
SYNTH = dict(users=6040, items=3706, ratings=1_000_209, seed=7)
START, END = "<!-- dataset-load:start -->", "<!-- dataset-load:end -->"
VARIANTS = ("ml1m-dat", "generic-parquet", "save-generic-parquet", "save-generic-csv")
TARGET_CACHED_S = 0.2
CARD = """[interactions]
file = "interactions.parquet"
user = "customer"
item = "product"
time = "ts"
time_format = "unix_s"
rating = "stars"
rating_scale = [1, 5, 1]

[items]
file = "items.parquet"
id = "product"
title = "name"
categories = "genres"
category_sep = "|"
year = "year"

[users]
file = "users.parquet"
id = "customer"
fields = ["gender", "age", "occupation", "zip"]

[dataset]
domain = "movies"
"""


def folder(variant: str) -> Path:
    return DATA / f"load-{variant}"


def make_data() -> None:
    """Write the four folders (kept in .bench/data; remove them to regenerate)."""
    if all((folder(v) / ".done").exists() for v in VARIANTS):
        return
    import shutil

    from recall_core.data.dataset import read_dataset
    from recall_core.data.movielens_shaped import SynthConfig, write_synth

    DATA.mkdir(parents=True, exist_ok=True)
    src = DATA / "load-synth"
    if not (src / "ratings.csv").exists():
        write_synth(src, SynthConfig(**SYNTH), force=True)
    ratings = pd.read_csv(src / "ratings.csv")
    movies = pd.read_csv(src / "movies.csv")
    stars = np.ceil(ratings["rating"].to_numpy()).astype(np.int64)
    rng = np.random.default_rng(SYNTH["seed"])
    users = np.unique(ratings["userId"].to_numpy())
    demo = pd.DataFrame({"user": users, "gender": rng.choice(["M", "F"], len(users)),
                         "age": rng.choice([1, 18, 25, 35, 45, 50, 56], len(users)),
                         "occupation": rng.integers(0, 21, len(users)),
                         "zip": [f"{z:05d}" for z in rng.integers(0, 100_000, len(users))]})
    for v in VARIANTS:
        shutil.rmtree(folder(v), ignore_errors=True)
    dat = folder("ml1m-dat")
    dat.mkdir(parents=True)
    with open(dat / "ratings.dat", "w") as f:
        for u, i, r, t in zip(ratings["userId"], ratings["movieId"], stars, ratings["timestamp"]):
            f.write(f"{u}::{i}::{r}::{t}\n")
    with open(dat / "movies.dat", "w", encoding="latin-1", errors="replace") as f:
        for i, title, g in zip(movies["movieId"], movies["title"], movies["genres"]):
            f.write(f"{i}::{title}::{g}\n")
    with open(dat / "users.dat", "w") as f:
        for r in demo.itertuples(index=False):
            f.write(f"{r.user}::{r.gender}::{r.age}::{r.occupation}::{r.zip}\n")
    ref = read_dataset(str(dat), parse_cache=False)
    gen = folder("generic-parquet")
    gen.mkdir(parents=True)
    pd.DataFrame({"customer": ratings["userId"].astype("int64"), "product": ratings["movieId"].astype("int64"),
                  "stars": stars.astype("int8"), "ts": ratings["timestamp"].astype("int64")}).to_parquet(
        gen / "interactions.parquet", index=False)
    items = ref.items
    pd.DataFrame({"product": items["item_id"].astype("int64"), "name": items["title"].astype(str),
                  "genres": ["|".join(g) for g in items["genres"]],
                  "year": pd.array([None if y != y else int(y) for y in items["year"]], dtype="Int64")}).to_parquet(
        gen / "items.parquet", index=False)
    demo.rename(columns={"user": "customer"}).astype({"age": str, "occupation": str}).to_parquet(
        gen / "users.parquet", index=False)
    (gen / "dataset.toml").write_text(CARD)
    ref.save_generic(folder("save-generic-parquet"), format="parquet")
    ref.save_generic(folder("save-generic-csv"), format="csv")
    for v in VARIANTS:
        (folder(v) / ".done").write_text("")


def read_once(variant: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RECALL_DATA_DIR": str(CACHE)}
    env.pop("RECALL_NO_PARSE_CACHE", None)
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "_load_one.py"), str(folder(variant))], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"reading {variant} failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fingerprint(variant: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = ("import sys; from recall_core.data.dataset import read_dataset; "
            "print(read_dataset(sys.argv[1], parse_cache=False).fingerprint)")
    return subprocess.run([sys.executable, "-c", code, str(folder(variant))], env=env, capture_output=True,
                          text=True, check=True).stdout.strip()


def measure(runs: int = 3) -> dict:
    make_data()
    out = {"runs": runs, "variants": {}}
    ref = fingerprint("ml1m-dat")
    for v in VARIANTS:
        print(f"reading {v} ({runs} fresh processes) ...", file=sys.stderr, flush=True)
        rs = [read_once(v) for _ in range(runs)]
        files = [p for p in folder(v).iterdir() if not p.name.startswith(".")]
        out["variants"][v] = {
            "cold_s": [r["cold_s"] for r in rs], "cached_s": [r["cached_s"] for r in rs],
            "import_s": [r["import_s"] for r in rs], "mb": sum(p.stat().st_size for p in files) / 1e6,
            "same_data": fingerprint(v) == ref and all(r["same_fingerprint"] for r in rs),
        }
    return out


def _cell(xs: list[float]) -> str:
    return f"{statistics.median(xs):.2f} ({min(xs):.2f}–{max(xs):.2f})"


def block(result: dict) -> list[str]:
    from common import machine  # bench/common.py

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    v = result["variants"]
    dat, par = v["ml1m-dat"], v["generic-parquet"]
    cold_ok = statistics.median(par["cold_s"]) <= statistics.median(dat["cold_s"])
    cached_ok = max(par["cached_s"]) <= TARGET_CACHED_S
    lines = [START, "", "## Reading 1M interactions: ML-1M `.dat` files and generic folders", "",
             f"Command: `python bench/dataset_load.py` (part of `make bench`; alone: `make bench-data`). Date: {now}. "
             f"Machine: {machine()}.", "",
             f"The same data (`python -m recall_core synth` at ML-1M's size: {SYNTH['users']:,} users, "
             f"{SYNTH['items']:,} items, {SYNTH['ratings']:,} ratings, seed {SYNTH['seed']}; whole stars) as the ml-1m "
             "layout's `.dat` files and as generic folders with `dataset.toml`, each read in "
             f"{result['runs']} fresh processes by `bench/_load_one.py`: cold (the validating reader, "
             "`parse_cache=False`) and from the parsed-dataset cache (best of two reads after one that writes it). "
             "Seconds: median (range over the processes); imports not included.", "",
             "| folder | files MB | cold s | from the parse cache s | same data as the `.dat` files |",
             "|---|---|---|---|---|"]
    names = {"ml1m-dat": "ML-1M `.dat` (`::`, ml-1m layout)",
             "generic-parquet": "generic Parquet log (integer ids, stars and seconds)",
             "save-generic-parquet": "generic Parquet by `save_generic` (text ids, timestamp column)",
             "save-generic-csv": "generic CSV by `save_generic` (text ids, ISO 8601 times)"}
    for key in VARIANTS:
        r = v[key]
        lines.append(f"| {names[key]} | {r['mb']:.1f} | {_cell(r['cold_s'])} | {_cell(r['cached_s'])} | "
                     f"{'yes' if r['same_data'] else '**no**'} |")
    lines += ["", f"Targets: the generic Parquet log cold in at most the `.dat` time: "
                  f"{statistics.median(par['cold_s']):.2f} s against {statistics.median(dat['cold_s']):.2f} s "
                  f"(**{'met' if cold_ok else 'missed'}**); from the parse cache in {TARGET_CACHED_S} s or less: "
                  f"{max(par['cached_s']):.3f} s at most (**{'met' if cached_ok else 'missed'}**).", "", END]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = measure(args.runs)
    (ROOT / ".bench").mkdir(exist_ok=True)
    (ROOT / ".bench" / "dataset_load.json").write_text(json.dumps(result, indent=2))
    if args.json:
        print(json.dumps(result))
    lines = block(result)
    from common import write_block  # bench/common.py: the one writer of BENCHMARKS.md blocks

    write_block("\n".join(lines), start=START, end=END)
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    main()
