"""`make softmax-switch`: full against sampled softmax by catalogue size; the rule that sets the switch.

FM (``loss="softmax"`` against ``"sampled"``) and YouTubeDNN (``softmax="full"``
against ``"sampled"``) default to ``"auto"``: the full softmax below
``SAMPLED_SOFTMAX_MIN_ITEMS`` items (recall_core/models/_softmax.py), the sampled
one from there. DSSM (``"full"`` against its default ``"in_batch"``) is measured
too, as evidence that its default needs no switch. This script measures, on
synthetic MovieLens-shaped folders of growing catalogue size (same users, ratings
and seed; ``python -m recall_core synth``; the 9.7k one is make ablations'
``synth-10k``):

* **cost**: seconds per training step over ``--steps`` steps after ``--warmup``
  warm-up steps (each (size, model, variant) alone in a fresh process, one at a
  time: bench/_softmax_one.py), times the steps of one epoch; and the process's
  peak memory;
* **quality**: validation HR@10 / NDCG@10 of both variants (seed 42, the
  validation split: each user's second-to-last film held out; never test) at
  the sizes in ``--quality-sizes``, with the models' default epochs
  (bench/_score_one.py, two at a time).

The rule (:func:`threshold`): the switch is the smallest measured catalogue from
which on, at it and at every larger measured size, the full softmax's training
epoch costs at least :data:`RATIO` times the sampled one's for every model that
has the switch (FM and YouTubeDNN), and which is above every size where the
sampled softmax's validation HR@10 fell more than :data:`TOL` (relative) below
the full one's for either model (validation decides where it was measured; cost
beyond it). The script prints it, says whether the code's constant agrees, and writes the tables and the rule into BENCHMARKS.md between
the ``softmax`` markers (bench/ablations.py's block writer). Cells are cached in
``.bench/softmax/``; ``--fresh`` re-measures.

    python bench/softmax_switch.py [--sizes 1700,3700,9700,30000,60000] [--quality-sizes 3700,9700]
                                   [--steps 20] [--warmup 5] [--jobs 2] [--fresh]
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / ".bench" / "softmax"
START, END = "<!-- softmax:start -->", "<!-- softmax:end -->"
SEED = 42
#: the synthetic folders: everything but the catalogue size fixed (610 users, 100k ratings: make ablations' synth-10k)
USERS, RATINGS, DATA_SEED = 610, 100_000, 7
SIZES = (1700, 3700, 9700, 30_000, 60_000)
QUALITY_SIZES = (3700, 9700)
#: (model, config field, full softmax value, the scalable value); ``switch``: the model has the "auto" setting
VARIANTS = (
    {"model": "fm", "field": "loss", "full": "softmax", "scalable": "sampled", "switch": True},
    {"model": "youtubednn", "field": "softmax", "full": "full", "scalable": "sampled", "switch": True},
    {"model": "dssm", "field": "softmax", "full": "full", "scalable": "in_batch", "switch": False},
)
#: the rule's cost ratio: full's epoch at least this many times the sampled one's
RATIO = 2.0
#: the rule's validation tolerance: sampled's HR@10 below (1 - TOL) × full's keeps the full softmax (make
#: ablations' tolerance: one seed per cell, smaller gaps are within seed noise)
TOL = 0.02


def size_label(n: int) -> str:
    return f"{n / 1000:g}k"


def folder(n_items: int) -> str:
    """The synthetic folder with ``n_items`` items (written once under .bench/data/)."""
    path = ROOT / ".bench" / "data" / f"softmax-{n_items}"
    if not (path / "ratings.csv").exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "recall_core", "synth", "--users", str(USERS), "--items", str(n_items),
                        "--ratings", str(RATINGS), "--seed", str(DATA_SEED), "--out", str(path), "--force"],
                       check=True, cwd=ROOT, capture_output=True)
    return str(path)


def _key(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:16]


def _run(cmd: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cell(kind: str, n_items: int, model: str, overrides: dict, fresh: bool, steps: int = 0, warmup: int = 0) -> dict:
    """One cached measurement: ``kind`` "cost" (bench/_softmax_one.py) or "quality" (bench/_score_one.py, valid)."""
    from recall_core.models import get_model_class

    config = get_model_class(model).Config(**overrides).to_dict()
    what = [kind, USERS, n_items, RATINGS, DATA_SEED, model, sorted(config.items()), SEED]
    if kind == "cost":
        what += [steps, warmup]
    path = CACHE / f"{kind}-{model}-{n_items}-{_key(*what)}.json"
    if path.exists() and not fresh:
        return json.loads(path.read_text())
    if kind == "cost":
        cmd = [sys.executable, str(ROOT / "bench" / "_softmax_one.py"), folder(n_items), model, json.dumps(overrides),
               str(warmup), str(steps), str(SEED)]
    else:
        cmd = [sys.executable, str(ROOT / "bench" / "_score_one.py"), folder(n_items), model, json.dumps(overrides),
               "valid", str(SEED)]
    t0 = time.perf_counter()
    res = _run(cmd)
    res.update(kind=kind, n_items=n_items, model=model, overrides=overrides, wall_s=round(time.perf_counter() - t0, 1),
               date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    if "error" not in res:
        CACHE.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(res, indent=1))
    return res


def vetoed(quality: dict[tuple[str, str, int], float], models: list[str], qsizes: list[int],
           tol: float = TOL) -> list[int] | None:
    """The sizes in ``qsizes`` at which, for some model in ``models``, the sampled softmax's validation HR@10
    ``quality[(model, "scalable", n)]`` is below ``(1 - tol)`` times the full one's (None if a cell is missing)."""
    out = []
    for n in qsizes:
        cells = [(quality.get((m, "full", n)), quality.get((m, "scalable", n))) for m in models]
        if any(f is None or s is None for f, s in cells):
            return None
        if any(s < (1 - tol) * f for f, s in cells):
            out.append(n)
    return out


def threshold(cost: dict[tuple[str, str, int], float], models: list[str], sizes: list[int], ratio: float = RATIO,
              quality: dict[tuple[str, str, int], float] | None = None, qsizes: list[int] = (),
              tol: float = TOL) -> int | None:
    """The rule: the smallest size ``n`` in ``sizes`` such that

    * cost: at ``n`` and at every larger size, for every model in ``models``,
      ``cost[(model, "full", n)] >= ratio * cost[(model, "scalable", n)]`` (seconds per epoch), and
    * validation: ``n`` is above every size of ``qsizes`` :func:`vetoed` by ``quality`` (validation HR@10):
      where the full softmax was measured better on validation, it is kept.

    None when no measured size qualifies or a needed cell is missing (then nothing is decided).
    """
    sizes = sorted(sizes)
    ok = []
    for n in sizes:
        cells = [(cost.get((m, "full", n)), cost.get((m, "scalable", n))) for m in models]
        if any(f is None or s is None for f, s in cells):
            return None
        ok.append(all(f >= ratio * s for f, s in cells))
    veto = vetoed(quality or {}, models, list(qsizes), tol)
    if veto is None:
        return None
    for i, n in enumerate(sizes):
        if all(ok[i:]) and all(n > q for q in veto):
            return n
    return None


def decide(costs: list[dict], quality: list[dict], sizes: list[int], qsizes: list[int]) -> dict:
    """``switch`` (the rule's size, or None), ``cost_only`` (the cost half alone) and ``veto`` (the sizes where
    validation kept the full softmax) from the measured rows."""
    models = [v["model"] for v in VARIANTS if v["switch"]]
    epoch = {(r["model"], r["variant"], r["n_items"]): r["sec_per_epoch"] for r in costs if "error" not in r}
    hr = {(r["model"], r["variant"], r["n_items"]): r["hr@10"] for r in quality if "error" not in r}
    return {"switch": threshold(epoch, models, sizes, quality=hr, qsizes=qsizes),
            "cost_only": threshold(epoch, models, sizes), "veto": vetoed(hr, models, qsizes)}


def measured_dates(rows: list[dict]) -> str:
    """``"2026-11-29"`` or ``"2026-11-28 … 2026-11-29"``: the days the cells were measured."""
    days = sorted({r["date"][:10] for r in rows if r.get("date")})
    return "never" if not days else days[0] if len(days) == 1 else f"{days[0]} … {days[-1]}"


def _n(n: int | None) -> str:
    return "none" if n is None else f"{n:,} items"


def variant_rows(by: dict, sizes: list[int], cell, ratio_label, ratio) -> list[str]:
    """Per model in :data:`VARIANTS`: a row per variant (``cell(result)`` per size) and a row comparing them
    (``ratio(full, scalable)`` per size, labelled ``ratio_label(variant)``); ``by``: ``{(model, kind, size): result}``.
    A missing cell is "-", a failed one "failed"; a comparison needs both cells."""
    lines = []
    for v in VARIANTS:
        for kind in ("full", "scalable"):
            cells = []
            for n in sizes:
                r = by.get((v["model"], kind, n))
                cells.append("-" if r is None else "failed" if "error" in r else cell(r))
            lines.append(f"| {v['model']} | {v['field']}={v[kind]} | " + " | ".join(cells) + " |")
        ratios = []
        for n in sizes:
            f, s = by.get((v["model"], "full", n)), by.get((v["model"], "scalable", n))
            ratios.append(ratio(f, s) if f and s and "error" not in f and "error" not in s else "-")
        lines.append(f"| {v['model']} | {ratio_label(v)} | " + " | ".join(ratios) + " |")
    return lines


def render(costs: list[dict], quality: list[dict], sizes: list[int], qsizes: list[int], decision: dict,
           seconds: float, steps: int, warmup: int) -> str:
    from bench.common import machine
    from recall_core.models._softmax import SAMPLED_SOFTMAX_MIN_ITEMS

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cell_minutes = sum(r.get("wall_s", 0.0) for r in costs + quality) / 60
    by = {(r["model"], r["variant"], r["n_items"]): r for r in costs}
    qby = {(r["model"], r["variant"], r["n_items"]): r for r in quality}
    lines = [START, "", "## Softmax switch: full against sampled softmax by catalogue size", "",
             f"Command: `make softmax-switch` (`python bench/softmax_switch.py`). Date: {now}. Machine: {machine()}. "
             f"Cells measured {measured_dates(costs + quality)}, {cell_minutes:.0f} min of runs (this run "
             f"{seconds / 60:.0f} min: cached cells are not re-measured).", "",
             f"Data: `python -m recall_core synth --users {USERS} --items I --ratings {RATINGS:,} --seed {DATA_SEED}` "
             f"for I = {', '.join(f'{n:,}' for n in sizes)}"
             + (" (the 9,700 one is make ablations' `synth-10k`)" if 9700 in sizes else "") + "; "
             "the validation split's training set. Cost: seconds per training step over "
             f"{steps} steps after {warmup} warm-up steps (host-side batch building included), each (size, model, "
             "variant) alone in a fresh process, one at a time, times the steps of one epoch (the models' default "
             "batch sizes: FM 1,024, YouTubeDNN 512, DSSM 1,024). Memory: the process's peak RSS, in parentheses its "
             "growth during `fit` (over the peak with the data and TensorFlow loaded).", "",
             "| model | variant | " + " | ".join(f"{size_label(n)}: s/epoch (peak MB; +fit)" for n in sizes) + " |",
             "|---|---|" + "---|" * len(sizes)]
    lines += variant_rows(
        by, sizes,
        lambda r: f"{r['sec_per_epoch']:.1f} ({r['peak_rss_mb']:,.0f}; +{r['peak_rss_mb'] - r['base_rss_mb']:,.0f})",
        lambda v: f"full / {v['scalable']}", lambda f, s: f"**{f['sec_per_epoch'] / s['sec_per_epoch']:.1f}×**")
    lines += ["", f"Validation HR@10 / NDCG@10 (seed 42, the models' default epochs; where the full softmax is still "
                  "affordable):", "",
              "| model | variant | " + " | ".join(f"{size_label(n)} valid" for n in qsizes) + " |",
              "|---|---|" + "---|" * len(qsizes)]
    lines += variant_rows(
        qby, qsizes, lambda r: f"{r['hr@10']:.4f} / {r['ndcg@10']:.4f}",
        lambda v: f"HR@10 {v['scalable']} / full",
        lambda f, s: f"{s['hr@10'] / f['hr@10']:.3f}" if f["hr@10"] > 0 else "-")
    switch = [v["model"] for v in VARIANTS if v["switch"]]
    rule_n = decision["switch"]
    result = (f"This run: the cost half alone gives {_n(decision['cost_only'])}; validation keeps the full softmax "
              f"at {', '.join(f'{q:,}' for q in decision['veto']) or 'no measured size'} items"
              if decision["veto"] is not None else "This run: a validation cell is missing")
    result += (f"; the switch: **{rule_n:,} items**" if rule_n is not None else
               "; no measured size qualifies (or a cell is missing): nothing is decided")
    agree = ("the code's `SAMPLED_SOFTMAX_MIN_ITEMS` is the same" if rule_n == SAMPLED_SOFTMAX_MIN_ITEMS else
             f"the code's `SAMPLED_SOFTMAX_MIN_ITEMS` is {SAMPLED_SOFTMAX_MIN_ITEMS:,}: **it differs from this run**")
    lines += ["", f"**Rule.** `auto` (FM's `loss`, YouTubeDNN's `softmax`) switches to the sampled softmax at the "
                  f"smallest measured catalogue (1) from which on (at it and at every larger measured size) the full "
                  f"softmax's epoch costs at least {RATIO:g}× the sampled one's for every model with the switch "
                  f"({', '.join(switch)}), and (2) above every measured size where the sampled softmax's validation "
                  f"HR@10 is more than {TOL:.0%} below the full one's for either of them (make ablations' tolerance): "
                  "validation decides where it was measured, cost beyond it. Below the switch the full softmax is "
                  f"kept. {result}; {agree}. DSSM has no switch: its default in-batch softmax runs the item tower on "
                  "the batch's targets only, so its cost does not grow with the catalogue (its rows above).", "", END]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)))
    ap.add_argument("--quality-sizes", default=",".join(map(str, QUALITY_SIZES)))
    ap.add_argument("--models", default=",".join(v["model"] for v in VARIANTS))
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--jobs", type=int, default=2, help="quality trainings at a time (cost cells run alone)")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--no-write", action="store_true", help="print the tables, leave BENCHMARKS.md as it is")
    args = ap.parse_args()
    sizes = sorted(int(s) for s in args.sizes.split(","))
    qsizes = sorted(int(s) for s in args.quality_sizes.split(",") if s)
    variants = [v for v in VARIANTS if v["model"] in args.models.split(",")]
    t0 = time.perf_counter()
    costs = []
    for n in sizes:
        for v in variants:
            for kind in ("full", "scalable"):
                r = cell("cost", n, v["model"], {v["field"]: v[kind]}, args.fresh, args.steps, args.warmup)
                costs.append({**r, "variant": kind})
                print(f"cost {size_label(n)} {v['model']} {v['field']}={v[kind]}: " + (
                    r.get("error") or f"{r['sec_per_step'] * 1000:.0f} ms/step × {r['steps_per_epoch']} = "
                                      f"{r['sec_per_epoch']:.1f} s/epoch, peak {r['peak_rss_mb']:.0f} MB"), flush=True)
    tasks = [(n, v, kind) for n in qsizes for v in variants for kind in ("full", "scalable")]
    quality = []
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futs = {pool.submit(cell, "quality", n, v["model"], {v["field"]: v[kind]}, args.fresh): (n, v, kind)
                for n, v, kind in tasks}
        for fut in cf.as_completed(futs):
            n, v, kind = futs[fut]
            r = fut.result()
            quality.append({**r, "variant": kind})
            print(f"valid {size_label(n)} {v['model']} {v['field']}={v[kind]}: " + (
                r.get("error") or f"HR@10 {r['hr@10']:.4f} NDCG@10 {r['ndcg@10']:.4f} ({r['train_seconds']} s fit)"),
                flush=True)
    decision = decide(costs, quality, sizes, qsizes)
    from recall_core.models._softmax import SAMPLED_SOFTMAX_MIN_ITEMS

    print(f"rule: full's epoch >= {RATIO:g}x sampled's for FM and YouTubeDNN from that size on (alone: "
          f"{_n(decision['cost_only'])}), above every size where sampled's valid HR@10 < (1 - {TOL:g}) x full's "
          f"({decision['veto']}): the switch is {_n(decision['switch'])}; "
          f"code: SAMPLED_SOFTMAX_MIN_ITEMS = {SAMPLED_SOFTMAX_MIN_ITEMS:,}", flush=True)
    text = render(costs, quality, sizes, qsizes, decision, time.perf_counter() - t0, args.steps, args.warmup)
    if args.no_write:
        print(text)
        return
    from bench.common import write_block

    write_block(text, start=START, end=END)
    print("wrote the softmax block of BENCHMARKS.md")


if __name__ == "__main__":
    main()
