"""`make kernels`: how much each model's HR@10 moves with the CPU kernels, and why (BENCHMARKS.md, "Kernels").

A seed fixes the vectors on one machine (tests/models/test_determinism.py), not across machines: TensorFlow's matrix
products run in oneDNN (its own kernels, or, with ``TF_ENABLE_ONEDNN_OPTS=0``, Eigen, whose contractions still
call oneDNN's sgemm), which picks its instructions by CPU at run time; the thread count splits the sums; OpenBLAS
(numpy, gensim) also picks its kernels by CPU. Each kernel setup below is an environment a fresh process starts
with, so one machine can stand in for several: ``ONEDNN_MAX_CPU_ISA=AVX2`` and ``OPENBLAS_CORETYPE=Haswell``
make an AVX-512 machine compute as an AVX2 one does.

Every model is trained at seed 42 in a fresh process per (setup, model, split) (bench/_kernel_one.py), one at a
time, under the machine's shared CPU lock (taken for a few runs at a time: :class:`CpuLock`), and cached in
``.bench/kernels/`` (``--fresh`` ignores the cache). A run whose setup differs from another's
only in variables the model never reads is the same run (item2vec and airbnb read OpenBLAS' only). Besides the
setups, the study measures:

* **seeds**: YouTubeDNN and DSSM at more seeds on the default setup, for a seed sd that is not a 3-sample guess;
* **divergence**: the relative distance between two runs' trainable variables after each epoch (kernels changed,
  one variable moved by one unit in the last place, another seed);
* **amplifiers**: the kernel spread of validation HR@10 when one suspect is changed (Adam's epsilon, the learning
  rate, the full against the sampled softmax).

Writes its block of BENCHMARKS.md (between the ``kernels`` markers) and ``bench/kernels.json`` (committed: the
README's tie rule and bench/run.py read the kernel sd from it).

    python bench/kernels.py [--parts setups,divergence,amplifiers,seeds] [--fresh] [--from-cache]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / ".bench" / "kernels"
JSON_PATH = ROOT / "bench" / "kernels.json"
START, END = "<!-- kernels:start -->", "<!-- kernels:end -->"
SEED = 42
#: the shared lock heavy jobs take turns with (TEAM.md), and how many runs (about 30 s of CPU each) one hold
#: of it covers: short enough for the other jobs waiting, long enough not to queue behind them after every run
LOCK_PATH = os.environ.get("VRE_HEAVY_LOCK", "/tmp/vre-heavy.lock")
RUNS_PER_HOLD = 12
#: ``--from-cache``: render what the cache holds, run nothing (a run not yet measured is left out, shown as "-")
FROM_CACHE = False


class CpuLock:
    """The shared CPU lock, held for :data:`RUNS_PER_HOLD` runs at a time (``flock`` on :data:`LOCK_PATH`)."""

    def __init__(self, path: str = LOCK_PATH, runs_per_hold: int = RUNS_PER_HOLD):
        self.path, self.runs_per_hold, self.file, self.runs = path, runs_per_hold, None, 0

    def before_run(self) -> None:
        import fcntl

        if self.file is None:
            self.file = open(self.path, "a")  # noqa: SIM115 (held across runs, closed by release)
            fcntl.flock(self.file, fcntl.LOCK_EX)

    def after_run(self) -> None:
        self.runs += 1
        if self.runs % self.runs_per_hold == 0:
            self.release()

    def release(self) -> None:
        if self.file is not None:
            self.file.close()  # closing the file drops the flock
            self.file = None


LOCK = CpuLock()
MODELS = ("item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn")
TF_MODELS = ("eges", "fm", "dssm", "youtubednn")
#: the environment variables a model's numbers can depend on: TensorFlow's and OpenBLAS' for the Keras models
#: (numpy builds their batches and evaluates them), OpenBLAS' alone for item2vec (gensim) and airbnb (numpy)
TF_VARS = ("TF_ENABLE_ONEDNN_OPTS", "ONEDNN_MAX_CPU_ISA", "RECALL_TF_THREADS", "OPENBLAS_CORETYPE",
           "OPENBLAS_NUM_THREADS")
BLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS")


def _setup(onednn: bool, threads: int, avx2: bool) -> dict[str, str]:
    env = {"TF_ENABLE_ONEDNN_OPTS": "1" if onednn else "0", "RECALL_TF_THREADS": str(threads),
           "OPENBLAS_NUM_THREADS": str(threads)}
    if avx2:
        env.update(ONEDNN_MAX_CPU_ISA="AVX2", OPENBLAS_CORETYPE="Haswell")
    return env


#: label -> environment. The first is this machine's default (what `make bench` and `make run` use here).
SETUPS: dict[str, dict[str, str]] = {
    "oneDNN, native ISA, 2 threads (default here)": _setup(True, 2, False),
    "oneDNN, native ISA, 1 thread": _setup(True, 1, False),
    "oneDNN, native ISA, 4 threads": _setup(True, 4, False),
    "Eigen, native ISA, 2 threads": _setup(False, 2, False),
    "Eigen, native ISA, 1 thread": _setup(False, 1, False),
    "Eigen, native ISA, 4 threads": _setup(False, 4, False),
    "oneDNN, AVX2, 2 threads": _setup(True, 2, True),
    "Eigen, AVX2, 2 threads (the issue's machine kind)": _setup(False, 2, True),
    "Eigen, AVX2, 1 thread": _setup(False, 1, True),
    "Eigen, AVX2, 4 threads": _setup(False, 4, True),
}
DEFAULT_SETUP = next(iter(SETUPS))
#: the setups the amplifier probes are run on (both kernel libraries, both instruction sets)
PROBE_SETUPS = ("oneDNN, native ISA, 2 threads (default here)", "Eigen, native ISA, 2 threads",
                "oneDNN, AVX2, 2 threads", "Eigen, AVX2, 2 threads (the issue's machine kind)")
#: extra seeds for the seed sd of the two models the issue names (on the default setup, test split)
SEED_MODELS = ("dssm", "youtubednn")
SEEDS = tuple(range(42, 50))
#: suspects of amplifying last-bit differences, changed one at a time: (label, model, config overrides, probe)
AMPLIFIERS: list[tuple[str, str, dict, dict]] = [
    ("as trained (Adam ε 1e-7, lr 3e-3, full softmax)", "youtubednn", {}, {}),
    ("Adam ε 1e-4", "youtubednn", {}, {"adam_epsilon": 1e-4}),
    ("learning rate 1e-3", "youtubednn", {"learning_rate": 1e-3}, {}),
    ("sampled softmax", "youtubednn", {"softmax": "sampled"}, {}),
    ("as trained (Adam ε 1e-7, lr 5e-3, in-batch softmax, τ 0.2)", "dssm", {}, {}),
    ("Adam ε 1e-4", "dssm", {}, {"adam_epsilon": 1e-4}),
]
#: divergence runs: (label, model, setup, seed, probe, the label of the run it is compared with)
REFERENCE = "reference: default setup, seed 42"
EPS_REFERENCE = "Adam ε 1e-4: default setup"
DIVERGENCE: list[tuple[str, str, str, int, dict, str]] = [
    (label, model, setup, seed, probe, against)
    for model in ("youtubednn", "dssm")
    for label, setup, seed, probe, against in (
        (REFERENCE, DEFAULT_SETUP, 42, {}, REFERENCE),
        ("Eigen instead of oneDNN", "Eigen, native ISA, 2 threads", 42, {}, REFERENCE),
        ("AVX2 instead of AVX-512 (oneDNN)", "oneDNN, AVX2, 2 threads", 42, {}, REFERENCE),
        ("1 thread instead of 2", "oneDNN, native ISA, 1 thread", 42, {}, REFERENCE),
        ("every weight moved by 1 ulp before training", DEFAULT_SETUP, 42, {"perturb_ulp": "all"}, REFERENCE),
        ("seed 43", DEFAULT_SETUP, 43, {}, REFERENCE),
        (EPS_REFERENCE, DEFAULT_SETUP, 42, {"adam_epsilon": 1e-4}, EPS_REFERENCE),
        ("Adam ε 1e-4: Eigen instead of oneDNN", "Eigen, native ISA, 2 threads", 42, {"adam_epsilon": 1e-4},
         EPS_REFERENCE),
    )
]


def relevant_env(model: str, env: dict[str, str]) -> dict[str, str]:
    keys = TF_VARS if model in TF_MODELS else BLAS_VARS
    return {k: env.get(k, "") for k in keys}


def run_key(model: str, overrides: dict, split: str, seed: int, env: dict, probe: dict) -> str:
    blob = json.dumps([model, sorted(overrides.items()), split, seed, sorted(relevant_env(model, env).items()),
                       sorted((k, v) for k, v in probe.items() if k != "snapshots")], default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def run_one(model: str, split: str, setup: str, seed: int = SEED, overrides: dict | None = None,
            probe: dict | None = None, fresh: bool = False, snapshots: bool = False,
            dataset: str = "ml-100k") -> dict | None:
    """Train in a fresh process under ``setup``'s environment (cached); with ``snapshots``, per-epoch weights.
    None when :data:`FROM_CACHE` and the run is not in the cache."""
    overrides, probe = dict(overrides or {}), dict(probe or {})
    env_setup = SETUPS[setup]
    key = run_key(model, overrides, split, seed, env_setup, probe)
    path = CACHE / f"{key}.json"
    snap = CACHE / f"{key}-snapshots.npz"
    if path.exists() and not fresh and (not snapshots or snap.exists()):
        return json.loads(path.read_text())
    if FROM_CACHE:
        return None
    if snapshots:
        probe["snapshots"] = str(snap)
    CACHE.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in TF_VARS}
    env.update(env_setup, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="2")
    cmd = [sys.executable, str(ROOT / "bench" / "_kernel_one.py"), dataset, model, json.dumps(overrides), split,
           str(seed), json.dumps(probe)]
    LOCK.before_run()  # the shared CPU lock, a few runs per hold, so other heavy jobs run in between
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    finally:
        LOCK.after_run()
    if proc.returncode != 0:
        raise SystemExit(f"{model} {split} {setup}: {proc.stderr.strip().splitlines()[-1:]}")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res.update(model=model, split=split, setup=setup, seed=seed, overrides=overrides,
               probe={k: v for k, v in probe.items() if k != "snapshots"},
               wall_seconds=round(time.perf_counter() - t0, 1), measured=_now())
    path.write_text(json.dumps(res, indent=1))
    print(f"{model:<11} {split:<5} seed {seed} {setup} {res['probe'] or ''}{overrides or ''}: "
          f"HR@10 {res.get('hr@10', float('nan')):.4f} ({res['wall_seconds']} s)", file=sys.stderr, flush=True)
    return res


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def sd(values) -> float:
    v = np.asarray(list(values), np.float64)
    return float(v.std(ddof=1)) if len(v) > 1 else 0.0


# --------------------------------------------------------------------------- the parts


def part_setups(fresh: bool) -> dict:
    """``{split: {model: {setup: result}}}``: every model under every setup at seed 42 on the test split (what
    the README reports); the validation split for the two models the issue names on the four probe setups (what
    the study reads; the same runs as the amplifiers' "as trained" rows)."""
    out: dict = {}
    for split in ("test", "valid"):
        for model in ("youtubednn", "dssm", "fm", "eges", "item2vec", "airbnb"):  # the two the issue names first
            if split == "valid" and model not in SEED_MODELS:
                continue
            for setup in (SETUPS if split == "test" else PROBE_SETUPS):
                r = run_one(model, split, setup, fresh=fresh)
                if r is not None:
                    out.setdefault(split, {}).setdefault(model, {})[setup] = r
    return out


def part_seeds(fresh: bool) -> dict:
    """``{model: {seed: result}}``: the default setup, test split."""
    out = {m: {s: run_one(m, "test", DEFAULT_SETUP, seed=s, fresh=fresh) for s in SEEDS} for m in SEED_MODELS}
    return {m: {s: r for s, r in by.items() if r is not None} for m, by in out.items()
            if all(r is not None for r in by.values())}


def part_amplifiers(fresh: bool) -> list[dict]:
    rows = []
    for label, model, overrides, probe in AMPLIFIERS:
        cells = {s: run_one(model, "valid", s, overrides=overrides, probe=probe, fresh=fresh) for s in PROBE_SETUPS}
        if any(r is None for r in cells.values()):
            continue
        rows.append({"label": label, "model": model, "overrides": overrides, "probe": probe, "cells": cells})
    return rows


def part_divergence(fresh: bool) -> list[dict]:
    """Per run: valid HR@10 and, per epoch, ||θ − θ_ref|| / ||θ_ref|| against the run it is compared with."""
    rows, params = [], {}
    for label, model, setup, seed, probe, against in DIVERGENCE:
        r = run_one(model, "valid", setup, seed=seed, probe=probe, fresh=fresh, snapshots=True)
        if r is None or (model, against) not in params and against != label:
            continue
        key = run_key(model, {}, "valid", seed, SETUPS[setup], probe)
        params[(model, label)] = np.load(CACHE / f"{key}-snapshots.npz")["params"].astype(np.float64)
        base = params[(model, against)]
        dist = (np.linalg.norm(params[(model, label)] - base, axis=1) / np.linalg.norm(base, axis=1)).tolist()
        rows.append({"label": label, "model": model, "setup": setup, "seed": seed, "probe": probe,
                     "against": against, "hr@10": r.get("hr@10"), "epoch_loss": r.get("epoch_loss"),
                     "distance": dist})
    return rows


# --------------------------------------------------------------------------- summary and rendering


def kernel_summary(setups: dict, seed_sd: dict[str, float]) -> dict:
    """``{split: {model: {"min", "max", "range", "sd", "default", "n_setups", "seed_sd"}}}``."""
    out: dict = {}
    for split, models in setups.items():
        for model, cells in models.items():
            hr = [c["hr@10"] for c in cells.values()]
            out.setdefault(split, {})[model] = {
                "min": min(hr), "max": max(hr), "range": max(hr) - min(hr), "sd": sd(hr),
                "default": (cells.get(DEFAULT_SETUP) or {}).get("hr@10"), "n_setups": len(hr),
                "distinct_runs": len({json.dumps(relevant_env(model, SETUPS[s]), sort_keys=True) for s in cells}),
                "seed_sd": seed_sd.get(model)}
    return out


def seed_sds() -> dict[str, float]:
    """The 3-seed sample sd of test HR@10 per model, as BENCHMARKS.md's "Seed variance" table has it."""
    text = (ROOT / "BENCHMARKS.md").read_text()
    out = {}
    if "## Seed variance" not in text:
        return out
    block = text.split("## Seed variance", 1)[1].split("\n## ", 1)[0]
    for line in block.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) >= 2 and "±" in cells[1]:
            out[cells[0]] = float(cells[1].split("±")[1])
    return out


def f4(x) -> str:
    return "-" if x is None else f"{x:.4f}"


def render(data: dict) -> str:
    setups, seeds, amps, div, summ = (data.get(k) for k in ("setups", "seeds", "amplifiers", "divergence",
                                                            "summary"))
    from bench.common import machine

    lines = [START, "", "## Kernels: HR@10 across kernel setups", "",
             f"Command: `make kernels` (`python bench/kernels.py`). Date: {data['written']} (cells measured "
             f"{data['measured']}). Machine: {machine()}; TensorFlow {data.get('tensorflow', '?')}.", "",
             "Each model is trained at seed 42 in a fresh process per kernel setup, one at a time; the setup is the "
             "environment the process starts with: `TF_ENABLE_ONEDNN_OPTS` (oneDNN's kernels, or Eigen's, whose "
             "matrix products still call oneDNN's sgemm), `RECALL_TF_THREADS` (TensorFlow's pools) with "
             "`OPENBLAS_NUM_THREADS`, and for *AVX2* `ONEDNN_MAX_CPU_ISA=AVX2` with `OPENBLAS_CORETYPE=Haswell` "
             "(this AVX-512 machine then computes as an AVX2 one does; checked: without the cap, Eigen gives the "
             "same numbers whatever numpy's and OpenBLAS' instruction sets, so the cap is what moves it). item2vec "
             "and airbnb read OpenBLAS' variables only: their setups that differ in TensorFlow's alone are one run.",
             ""]
    if setups:
        for split in ("test", "valid"):
            if split not in setups:
                continue
            models = [m for m in MODELS if m in setups[split]]
            lines += [f"### {split.capitalize()} HR@10 at seed 42", "",
                      "| kernel setup | " + " | ".join(models) + " |", "|---|" + "---|" * len(models)]
            for setup in (SETUPS if split == "test" else PROBE_SETUPS):
                cells = [f4(setups[split].get(m, {}).get(setup, {}).get("hr@10")) for m in models]
                lines.append(f"| {setup} | " + " | ".join(cells) + " |")
            s = summ[split]
            lines.append("| **range (max − min)** | " + " | ".join(f"**{s[m]['range']:.4f}**" for m in models) + " |")
            lines.append("| **kernel sd** (sample sd over the setups) | " + " | ".join(
                f"**{s[m]['sd']:.4f}**" for m in models) + " |")
            if split == "test":
                lines.append("| seed sd (3 seeds, *Seed variance*) | " + " | ".join(
                    f4(s[m]["seed_sd"]) for m in models) + " |")
                if seeds:
                    lines.append(f"| seed sd ({len(SEEDS)} seeds, default setup) | " + " | ".join(
                        f4(data["seed_stats"][m]["sd"]) if m in data["seed_stats"] else "-" for m in models) + " |")
                lines.append("| distinct runs | " + " | ".join(str(s[m]["distinct_runs"]) for m in models) + " |")
            lines.append("")
    if seeds:
        lines += [f"### Seeds {SEEDS[0]}–{SEEDS[-1]} on the default setup (test HR@10)", "",
                  "| model | " + " | ".join(map(str, SEEDS)) + " | mean | sd |", "|---|" + "---|" * (len(SEEDS) + 2)]
        for m, by_seed in seeds.items():
            hr = [by_seed[str(s)]["hr@10"] if str(s) in by_seed else by_seed[s]["hr@10"] for s in SEEDS]
            lines.append(f"| {m} | " + " | ".join(f"{v:.4f}" for v in hr)
                         + f" | {np.mean(hr):.4f} | {sd(hr):.4f} |")
        lines.append("")
    if div:
        lines += ["### Where the difference comes from: distance between two trainings, epoch by epoch", "",
                  "Validation split. ‖θ − θ_ref‖ / ‖θ_ref‖ over every trainable variable after each epoch, against "
                  "the run named in *against* (the reference: default setup, seed 42); its validation HR@10 "
                  "beside.", ""]
        for model in dict.fromkeys(r["model"] for r in div):
            rows = [r for r in div if r["model"] == model]
            n = len(rows[0]["distance"])
            lines += [f"**{model}**", "", "| run | against | " + " | ".join(f"epoch {i + 1}" for i in range(n))
                      + " | valid HR@10 |", "|---|---|" + "---|" * (n + 1)]
            for r in rows:
                against = "-" if r.get("against", REFERENCE) == r["label"] else r.get("against", REFERENCE)
                lines.append(f"| {r['label']} | {against} | " + " | ".join(f"{d:.1e}" for d in r["distance"])
                             + f" | {f4(r['hr@10'])} |")
            lines += ["", "| run | " + " | ".join(f"loss {i + 1}" for i in range(n)) + " |", "|---|" + "---|" * n]
            for r in rows:
                lines.append(f"| {r['label']} | " + " | ".join(f"{x:.6f}" for x in r["epoch_loss"]) + " |")
            lines.append("")
    if amps:
        lines += ["### Suspected amplifiers, changed one at a time", "",
                  "Validation HR@10 at seed 42 on four setups (oneDNN and Eigen, native and AVX2, 2 threads); "
                  "a smaller range means the change damps what the kernels start. These are probes of the cause, "
                  "not candidate defaults: a default changes only through `make ablations`' rule.", "",
                  "| model | change | " + " | ".join(PROBE_SETUPS) + " | mean | range |",
                  "|---|---|" + "---|" * (len(PROBE_SETUPS) + 2)]
        for r in amps:
            hr = [r["cells"][s]["hr@10"] for s in PROBE_SETUPS]
            lines.append(f"| {r['model']} | {r['label']} | " + " | ".join(f"{v:.4f}" for v in hr)
                         + f" | {np.mean(hr):.4f} | {max(hr) - min(hr):.4f} |")
        lines.append("")
    if data.get("findings"):
        lines += ["### Reading", ""] + [f"- {x}" for x in data["findings"]] + [""]
    lines.append(END)
    return "\n".join(lines)


def findings(data: dict) -> list[str]:
    """What the numbers say, in sentences computed from them (no number typed by hand)."""
    out = []
    summ, seeds = data.get("summary", {}), data.get("seed_stats", {})
    if "test" in summ:
        t = summ["test"]
        for m in ("youtubednn", "dssm"):
            if m in t:
                ratio = (f", {t[m]['sd'] / t[m]['seed_sd']:.1f}× the 3-seed sd {t[m]['seed_sd']:.4f} of *Seed "
                         f"variance*" if t[m]["seed_sd"] else "")
                more = (f"; over {len(SEEDS)} seeds on one setup it has sd {seeds[m]['sd']:.4f}"
                        if m in seeds else "")
                out.append(f"{m}: test HR@10 over the {t[m]['n_setups']} kernel setups spans {t[m]['min']:.4f}–"
                           f"{t[m]['max']:.4f} (kernel sd {t[m]['sd']:.4f}{ratio}){more}.")
        same = [m for m in MODELS if m in t and t[m]["range"] == 0]
        if same:
            out.append(f"Unmoved by every setup: {', '.join(same)}.")
    div = data.get("divergence") or []
    for model in dict.fromkeys(r["model"] for r in div):
        rows = {r["label"]: r for r in div if r["model"] == model}
        ulp = rows.get("every weight moved by 1 ulp before training")
        seed = rows.get("seed 43")
        eig = rows.get("Eigen instead of oneDNN")
        eps = rows.get("Adam ε 1e-4: Eigen instead of oneDNN")
        one = rows.get("1 thread instead of 2")
        if one and not any(one["distance"]):
            out.append(f"{model}: with oneDNN, 1 thread and 2 threads train the same bits (distance 0 every epoch).")
        if seed and eig:
            out.append(f"{model}: after epoch 1 the Eigen run is {eig['distance'][0]:.0e} from the reference"
                       + (f" (every weight one ulp up: {ulp['distance'][0]:.0e})" if ulp else "")
                       + f"; after the last epoch {eig['distance'][-1]:.2f}"
                       + (f" ({ulp['distance'][-1]:.2f})" if ulp else "")
                       + f", against {seed['distance'][-1]:.2f} for another seed"
                       + (f"; with Adam's ε at 1e-4 Eigen and oneDNN end {eps['distance'][-1]:.2f} apart"
                          if eps else "") + ".")
        eps_ref, ref = rows.get(EPS_REFERENCE), rows.get(REFERENCE)
        if eps_ref and ref and eps_ref.get("hr@10") is not None and ref.get("hr@10") is not None:
            out.append(f"{model}: Adam's ε at 1e-4 gives validation HR@10 {eps_ref['hr@10']:.4f} (ε 1e-7: "
                       f"{ref['hr@10']:.4f}) on the default setup"
                       + ("" if eps else "; whether it damps the kernels' effect is not measured yet (its Eigen run "
                          "is missing)") + ".")
    return out


def write(data: dict) -> None:
    """Summaries, findings, bench/kernels.json and the kernels block of BENCHMARKS.md from ``data``."""
    if data.get("seeds"):
        data["seed_stats"] = {m: {"mean": float(np.mean([r["hr@10"] for r in by.values()])),
                                  "sd": sd(r["hr@10"] for r in by.values())} for m, by in data["seeds"].items()}
    if data.get("setups"):
        data["summary"] = kernel_summary(data["setups"], seed_sds())
    import tensorflow as tf

    data["tensorflow"] = tf.__version__
    stamps = [c["measured"] for sp in (data.get("setups") or {}).values() for m in sp.values() for c in m.values()]
    data["measured"] = (min(stamps)[:10] + (" … " + max(stamps)[:10] if max(stamps)[:10] != min(stamps)[:10] else "")
                        if stamps else "-")
    data["written"] = _now()
    data["command"] = "make kernels (python bench/kernels.py)"
    data["findings"] = findings(data)
    tmp = JSON_PATH.with_suffix(".json.tmp")  # crash-safe: a killed run leaves the last complete file
    tmp.write_text(json.dumps(data, indent=1, default=str) + "\n")
    os.replace(tmp, JSON_PATH)
    from bench.common import write_block

    write_block(render(data), start=START, end=END)
    print(f"wrote {JSON_PATH} and the kernels block of BENCHMARKS.md", file=sys.stderr)


#: the parts in the order they run (the cheapest answers first); each is written as soon as it is done
PARTS = {"setups": part_setups, "divergence": part_divergence, "amplifiers": part_amplifiers, "seeds": part_seeds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--parts", default=",".join(PARTS))
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--from-cache", action="store_true", help="render what .bench/kernels/ holds; train nothing")
    args = ap.parse_args()
    global FROM_CACHE
    FROM_CACHE = args.from_cache
    parts = args.parts.split(",")
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise SystemExit(f"--parts: unknown part(s) {', '.join(unknown)}; known: {', '.join(PARTS)}")
    data = json.loads(JSON_PATH.read_text()) if JSON_PATH.exists() else {}
    for name, part in PARTS.items():
        if name in parts:
            data[name] = part(args.fresh)
            write(data)
    LOCK.release()


if __name__ == "__main__":
    main()
