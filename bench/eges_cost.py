"""EGES's cost on a sparse catalogue: walks per node and epochs chosen on validation (issue 22).

EGES trains on skip-gram pairs from ``walks_per_node`` walks of every node of
the session graph, so its pairs per epoch follow the catalogue, not the data:
on ML-100K (1,682 films, 100k ratings) 0.8M pairs, on make ablations'
``synth-10k`` (9,700 films, the same 100k ratings) 4.3M. This bench trains EGES
on the validation split of both shapes, for each ``walks_per_node`` in
:data:`WALKS` (values inside EGES's tuning search space), seed 42, up to
:data:`MAX_EPOCHS` epochs, and reads the validation HR@10 after every epoch
through EGES's ``on_epoch`` hook: training e epochs is exactly the first e
epochs of a longer run (the same draws, no schedule), so one training gives
every epoch count. Fit seconds per epoch exclude the evaluations.

The choice, by make ablations' rule (``bench/ablations.py``: worst-shape
ratio of a variant's validation HR@10 to the shape's best; ties within
:data:`TOL`) with one addition for a cost decision: among the variants tied
with the best, the cheapest (fewest pairs × epochs on synth-10k) is kept.
Then the kept variant and today's default get :data:`SEEDS` seeds on
synth-10k (their mean ± sd), and the kept one's fit is timed on synth-10k's
test split in a fresh process (what ``make scale`` times). Cached per cell in
``.bench/eges-cost/``; writes its block of BENCHMARKS.md.

    python bench/eges_cost.py [--fresh] [--no-seeds]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / ".bench" / "eges-cost"
SHAPES = ("ml-100k", "synth-10k")
from recall_core.models.eges import EGES  # noqa: E402

#: walks per node compared: the value before issue 22 and the smallest of EGES's tuning search space (issue 21's
#: ``EGES.search_space``, reused: the defaults stay inside what ``tune`` may choose)
WALKS = (10, EGES.search_space["walks_per_node"].low)
#: epochs read from each training: 2 (the search space's smallest) .. MAX_EPOCHS (the value before issue 22)
MAX_EPOCHS = 6
TOL = 0.02  # bench/ablations.py's TOL
SEEDS = (42, 1, 2)
START, END = "<!-- eges-cost:start -->", "<!-- eges-cost:end -->"

CELL = r"""
import json, sys, time
from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.evaluation import evaluate
from recall_core.models import get_model_class
from recall_core.training import seed_everything

folder, split, overrides, seed, curve = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
ds = load_dataset(folder)
sp = split_for(ds, split)
m = get_model_class("eges")(seed=seed, **overrides)
seed_everything(seed)
epochs, spent = [], [0.0]
t = [time.perf_counter()]


def hook(epoch, export):
    spent[0] += time.perf_counter() - t[0]
    if curve:
        epochs.append({"epoch": epoch, "fit_s": spent[0], "hr@10": evaluate(export(), sp)["hr@10"]})
    t[0] = time.perf_counter()
    return False


t0 = time.perf_counter()
m.fit(sp.train, on_epoch=hook)
fit_s = time.perf_counter() - t0
out = m.export()
print(json.dumps({"fit_s": fit_s, "fit_s_no_eval": spent[0], "hr@10": evaluate(out, sp)["hr@10"],
                  "pairs": out.info["walks"]["pairs"], "epochs": epochs}))
"""


def folder(shape: str) -> str:
    from bench.ablations import shape_folder

    return shape_folder(shape)


def cell(shape: str, split: str, overrides: dict, seed: int, curve: bool, fresh: bool) -> dict:
    key = f"{shape}-{split}-" + "-".join(f"{k}{v}" for k, v in sorted(overrides.items())) + f"-s{seed}-c{int(curve)}"
    path = CACHE / f"{key}.json"
    if path.exists() and not fresh:
        return json.loads(path.read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, "-c", CELL, folder(shape), split, json.dumps(overrides), str(seed),
                           "1" if curve else "0"], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{key}: " + (proc.stderr.strip().splitlines() or ["failed"])[-1])
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res["date"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(res, indent=1))
    print(f"{key}: fit {res['fit_s']:.1f} s, HR@10 {res['hr@10']:.4f}", flush=True)
    return res


def choose(curves: dict) -> tuple[tuple[int, int], dict]:
    """``(kept (walks, epochs), {variant: worst-shape ratio})`` by the rule in the module docstring."""
    variants = [(w, e) for w in WALKS for e in range(EGES.search_space["epochs"].low, MAX_EPOCHS + 1)]

    def hr(shape, w, e):
        return curves[shape][w]["epochs"][e - 1]["hr@10"]

    best = {s: max(hr(s, w, e) for w, e in variants) for s in SHAPES}
    ratio = {v: min(hr(s, *v) / best[s] for s in SHAPES) for v in variants}
    top = max(ratio.values())
    tied = [v for v in variants if ratio[v] >= top - TOL]
    cost = lambda v: curves["synth-10k"][v[0]]["pairs"] * v[1]  # noqa: E731
    return min(tied, key=lambda v: (cost(v), -ratio[v])), ratio


def mean_sd(xs: list[float]) -> tuple[float, float]:
    m = sum(xs) / len(xs)
    return m, (sum((x - m) ** 2 for x in xs) / (len(xs) - 1)) ** 0.5 if len(xs) > 1 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--no-seeds", action="store_true", help="skip the seed runs (the choice only)")
    ap.add_argument("--retime", action="store_true",
                    help="time the kept setting's fit again (the trainer changed), beside the cached time")
    args = ap.parse_args()
    from bench.common import machine
    from recall_core.models import get_model_class

    default = get_model_class("eges").Config()
    t0 = time.perf_counter()
    curves = {s: {w: cell(s, "valid", {"walks_per_node": w, "epochs": MAX_EPOCHS}, 42, True, args.fresh)
                  for w in WALKS} for s in SHAPES}
    kept, ratio = choose(curves)
    today = (10, 6)
    seeds = {}
    if not args.no_seeds:
        for v in dict.fromkeys([kept, today]):
            # seed 42 is the curve's epoch v[1] (the same training); the others are trained for v[1] epochs
            at = curves["synth-10k"][v[0]]["epochs"][v[1] - 1]
            seeds[v] = [{"hr@10": at["hr@10"], "fit_s": at["fit_s"]} if s == 42 else
                        cell("synth-10k", "valid", {"walks_per_node": v[0], "epochs": v[1]}, s, False, args.fresh)
                        for s in SEEDS]
    timing = cell("synth-10k", "test", {"walks_per_node": kept[0], "epochs": kept[1]}, 42, False, args.fresh)
    before = None
    if args.retime or (CACHE / "retimed.json").exists():
        # the exact negative sampler (recall_core/features/sampling.py): the same draws, so the same model
        if args.retime:
            before = dict(timing)
            timing = cell("synth-10k", "test", {"walks_per_node": kept[0], "epochs": kept[1]}, 42, False, True)
            (CACHE / "retimed.json").write_text(json.dumps({"before": before, "after": timing}, indent=1))
        else:
            saved = json.loads((CACHE / "retimed.json").read_text())
            before, timing = saved["before"], saved["after"]
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [START, "", "## EGES's cost on a sparse catalogue: walks per node and epochs (issue 22)", "",
             f"Command: `python bench/eges_cost.py` (part of `make ablations`' decisions; cached per cell in "
             f".bench/eges-cost/). Date: {now}. Machine: {machine()}. Wall {(time.perf_counter() - t0) / 60:.0f} min "
             "(cached cells are not repeated). Validation split, seed 42; HR@10 after each epoch read through "
             "EGES's `on_epoch` hook (e epochs = the first e of a longer run, exactly); fit seconds without "
             "the evaluations. Rule: make ablations' worst-shape ratio to the shape's best validation HR@10, "
             f"ties within {TOL}; among the tied, the cheapest on synth-10k (pairs × epochs).", ""]
    lines += ["| walks per node | pairs/epoch ml-100k | pairs/epoch synth-10k | " +
              " | ".join(f"{e} ep: ml-100k / synth-10k HR@10 (s on synth-10k)" for e in range(2, MAX_EPOCHS + 1))
              + " |", "|---|---|---|" + "---|" * (MAX_EPOCHS - 1)]
    for w in WALKS:
        row = [str(w), f"{curves['ml-100k'][w]['pairs']:,}", f"{curves['synth-10k'][w]['pairs']:,}"]
        for e in range(2, MAX_EPOCHS + 1):
            a, b = curves["ml-100k"][w]["epochs"][e - 1], curves["synth-10k"][w]["epochs"][e - 1]
            mark = "**" if (w, e) == kept else ""
            row.append(f"{mark}{a['hr@10']:.4f} / {b['hr@10']:.4f} ({b['fit_s']:.0f}){mark} r={ratio[(w, e)]:.3f}")
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", f"Kept: **walks_per_node {kept[0]}, epochs {kept[1]}** (was {default.walks_per_node}, "
              f"{default.epochs} before issue 22; bold above; r = worst-shape ratio).", ""]
    if seeds:
        lines += [f"Seeds {', '.join(map(str, SEEDS))} on synth-10k, validation HR@10 (one fresh process each):", "",
                  "| walks, epochs | HR@10 per seed | mean ± sd | fit s (mean) |", "|---|---|---|---|"]
        for v, rs in seeds.items():
            m, sd = mean_sd([r["hr@10"] for r in rs])
            lines.append(f"| {v[0]}, {v[1]}{' (before)' if v == today else ''}{' (kept)' if v == kept else ''} | "
                         + ", ".join(f"{r['hr@10']:.4f}" for r in rs)
                         + f" | {m:.4f} ± {sd:.4f} | {sum(r['fit_s'] for r in rs) / len(rs):.1f} |")
        if kept in seeds and today in seeds and kept != today:
            (m1, s1), (m0, s0) = mean_sd([r["hr@10"] for r in seeds[kept]]), mean_sd([r["hr@10"] for r in seeds[today]])
            sd = max(s0, s1)
            verdict = "a tie (within 2 sd)" if abs(m1 - m0) <= 2 * sd else ("better" if m1 > m0 else "WORSE") + " (beyond 2 sd)"
            lines += ["", f"Kept against before: {m1:.4f} vs {m0:.4f}, gap {m1 - m0:+.4f}, 2 sd = {2 * sd:.4f} "
                          f"(the larger seed sd): **{verdict}**."]
        lines.append("")
    if before is not None:
        lines += [f"Before the exact negative sampler (`rng.choice` with a binary search per draw, and a per-batch "
                  f"`np.unique` for the exposure counts), measured {before.get('date', '?')}: "
                  f"{before['fit_s']:.1f} s, test HR@10 {before['hr@10']:.4f}. After (`ExactChoice`: the same "
                  "draws through a guide table; the counts in one `bincount`; the same model, bit for bit):", ""]
    lines += [f"EGES fit on synth-10k's test split with the kept setting, a fresh process: **{timing['fit_s']:.1f} s** "
              f"(target ≤ 60 s: {'met' if timing['fit_s'] <= 60 else 'NOT met'}), test HR@10 {timing['hr@10']:.4f}"
              f"{', measured ' + timing['date'] if 'date' in timing else ''}.", "", END]
    from bench.common import write_block

    write_block("\n".join(lines), start=START, end=END)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
