"""`make tune-bench` (a step of `make bench`): every model tuned against its defaults on ML-100K, pruning, EASE.

Steps, each cached under ``.bench/tuning/`` so that a rerun only does what is missing (``--steps`` picks some,
``--models`` some models; ``--render`` only rewrites the block from the cache):

* ``tune``: ``python -m recall_core tune --dataset ml-100k --models M --trials TRIALS`` (the ``make tune``
  budget, :data:`TRIALS`) into ``.bench/tuning/store``, one model per process; each model's summary is kept in
  ``tune-M.json``. The studies are resumable, so an interrupted step continues.
* ``nopruner``: the same studies with ``--no-pruner`` (early stopping still on), into
  ``.bench/tuning/store-nopruner``: what the median pruner saves in trial time, and what it costs in the best
  validation HR@10.
* ``seeds``: each model's default and tuned setting trained with seeds 42, 43 and 44 on the validation and the
  test split, one training per process (``bench/_tuned_one.py``), cached per cell in ``cells/``. The tuned
  setting is the one ``tune`` chose on validation at seed 42; the other seeds say whether it holds. Test
  numbers are reported, never used.
* ``profile``: where one trial's time goes, per model (``bench/_trial_profile.py``: data preparation and
  tracing, a training epoch, a per-epoch validation score), cached in ``profile-M.json``. With the studies'
  own records (epochs trained, the epoch pruned trials stopped at, trial 0's time in both arms as a load check,
  how well epoch 1 or 2 ranks the trials) it explains what the pruner can save.
* ``ease``: the EASE reference on ML-100K (λ chosen on validation; ``recall_core.evaluation.ease``).
* ``ease_limit``: one EASE solve on synthetic catalogues of several sizes (``bench/_ease_one.py``, one process
  each): seconds and peak memory, and the rule behind ``EASE_MAX_ITEMS``.

Heavy steps should run under the machine's CPU lock one model at a time, e.g.
``flock /tmp/vre-heavy.lock python bench/tuning.py --steps tune --models eges``. The block between the
``tuning`` markers of BENCHMARKS.md is written at the end of every run (``bench/run.py`` keeps it).

    python bench/tuning.py [--steps tune,nopruner,seeds,profile,ease,ease_limit] [--models item2vec,...] [--render]
                           [--fresh]
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import common  # noqa: E402
from common import machine, run  # noqa: E402  (bench/common.py: a subprocess step, the machine line)
CACHE = ROOT / ".bench" / "tuning"
START, END = "<!-- tuning:start -->", "<!-- tuning:end -->"
#: the budget of `make tune` (the Makefile's TUNE_TRIALS and the README say the same; a test checks it)
TRIALS = 20
SEEDS = (42, 43, 44)
STEPS = ("tune", "nopruner", "seeds", "profile", "ease", "ease_limit")
#: catalogue sizes of the EASE limit measurement, and the rule: the largest size whose whole reference
#: (len(LAMBDAS) solves on validation and one on test) takes at most EASE_LIMIT_MINUTES, with a peak below
#: EASE_LIMIT_GIB
EASE_SIZES = (2000, 4000, 6000, 8000, 10000, 12000, 14000)
EASE_LIMIT_MINUTES = 10.0
EASE_LIMIT_GIB = 4.0


def models() -> list[str]:
    from recall_core.tuning.study import tunable_models

    return tunable_models()


def tune_file(model: str, pruner: bool = True) -> Path:
    return CACHE / f"tune{'' if pruner else '-nopruner'}-{model}.json"


def tune(model: str, pruner: bool = True, fresh: bool = False) -> dict:
    """One model's study with the `make tune` budget (resumed if it was interrupted; ``fresh``: started again,
    e.g. to time it again on a quieter machine)."""
    store = CACHE / ("store" if pruner else "store-nopruner")
    cmd = [sys.executable, "-m", "recall_core", "tune", "--dataset", "ml-100k", "--store", str(store), "--models",
           model, "--trials", str(TRIALS), "--json"] + ([] if pruner else ["--no-pruner"]) + (["--fresh"] if fresh else [])
    print(f"{' '.join(cmd[1:])} ...", file=sys.stderr, flush=True)
    out = json.loads(run(cmd))
    result = {**out["models"][0], "ease": out["ease"], "budget": out["budget"], "settings": out["settings"],
              "code": trial_code()}
    CACHE.mkdir(parents=True, exist_ok=True)
    tune_file(model, pruner).write_text(json.dumps(result, indent=2))
    return result


#: the packages a trial runs: a study's minutes are compared with another's only when these were the same
TRIAL_CODE = ("recall_core/data", "recall_core/features", "recall_core/models", "recall_core/evaluation",
              "recall_core/training", "recall_core/tuning")


def trial_code() -> str | None:
    """Which code ran a study's trials: a digest of the git trees of :data:`TRIAL_CODE` at HEAD, ``+dirty`` when
    they have uncommitted changes (None outside a git checkout). A study cached before this was recorded has
    none: two such studies count as made with the same code."""
    import subprocess

    try:
        trees = [subprocess.run(["git", "rev-parse", f"HEAD:{d}"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout.strip() for d in TRIAL_CODE]
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *TRIAL_CODE], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return hashlib.sha1(" ".join(trees).encode()).hexdigest()[:12] + ("+dirty" if dirty else "")


def cell(model: str, config: str, split: str, seed: int, params: dict) -> dict:
    """One training (cached): ``config`` is ``default`` or ``tuned`` (``params`` its overrides)."""
    text = json.dumps(params, sort_keys=True)
    key = hashlib.sha1(f"{model}|{config}|{split}|{seed}|{text}".encode()).hexdigest()[:12]
    path = CACHE / "cells" / f"{model}-{config}-{split}-{seed}-{key}.json"
    if path.exists():
        return json.loads(path.read_text())
    print(f"training {model} ({config}) on {split}, seed {seed} ...", file=sys.stderr, flush=True)
    out = run([sys.executable, "bench/_tuned_one.py", model, split, str(seed), text])
    out = json.loads(out.strip().splitlines()[-1])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out))
    return out


def tuned_params(tuned: dict) -> tuple[str, dict]:
    """The cells of the tuned setting: when tuning kept the defaults, they are the default cells (the same config)."""
    return ("default", {}) if tuned["chosen"] == "defaults" else ("tuned", tuned["params"])


def seeds(model: str) -> None:
    tuned = json.loads(tune_file(model).read_text())
    for split in ("valid", "test"):
        for seed in SEEDS:
            for config, params in (("default", {}), tuned_params(tuned)):
                cell(model, config, split, seed, params)


def whole_run_minutes(t: dict) -> float | None:
    """What one model costs ``make tune``: its trials plus the trainings that store the choice. ``seconds`` is the
    wall time of the last ``tune`` invocation; when it is shorter than the study's trial minutes, an earlier
    invocation ran the trials and this one only stored the choice, so the two add up."""
    if t.get("seconds") is None:
        return None
    return t["seconds"] / 60 if t["seconds"] / 60 >= t["minutes"] else t["minutes"] + t["seconds"] / 60


def profile_file(model: str) -> Path:
    return CACHE / f"profile-{model}.json"


def profile(model: str) -> dict:
    """Where one trial's time goes (``bench/_trial_profile.py``, the default setting, a fresh process; cached)."""
    if profile_file(model).exists():
        return json.loads(profile_file(model).read_text())
    print(f"profiling one {model} trial ...", file=sys.stderr, flush=True)
    out = json.loads(run([sys.executable, "bench/_trial_profile.py", model]).strip().splitlines()[-1])
    profile_file(model).write_text(json.dumps(out, indent=2))
    return out


def profile_before_file(model: str) -> Path:
    """A profile made with the code before the one-trace change (kept beside the current one for the fixed-cost
    comparison: ``bench/_trial_profile.py M`` run from a checkout of that code, back to back with the current
    code's profile under one hold of the CPU lock; this script only reads it)."""
    return CACHE / f"profile-before-{model}.json"


#: which code the ``profile-before-M.json`` files were made with
BEFORE_NOTE = "main at 4069491"


def study_trials(model: str, pruner: bool = True) -> list[dict] | None:
    """The counted trials of a cached study: ``{number, state, seconds, epochs, value, curve}`` each (None when
    the study is not there)."""
    t = _read(tune_file(model, pruner))
    if not t:
        return None
    from recall_core.tuning.study import counted_trials, load_study

    db = CACHE / ("store" if pruner else "store-nopruner") / t["study"]["storage"]
    study = load_study(db, model)
    if study is None:
        return None
    budget_trials = t["budget"]["trials"]
    return [{"number": x.number, "state": x.state.name, "seconds": (x.datetime_complete - x.datetime_start)
             .total_seconds(), "epochs": int(x.user_attrs.get("epochs_run", 0)), "value": x.value,
             "epochs_set": int(x.params.get("epochs", 0)),
             "curve": x.user_attrs.get("curve", [])} for x in counted_trials(study)[:budget_trials]]


def rank_agreement(trials: list[dict], epoch: int) -> float | None:
    """Spearman correlation, over a no-pruner study's completed trials, of the best validation HR@10 within the
    first ``epoch`` epochs and the trial's final value: how well an early epoch ranks the settings."""
    from scipy.stats import spearmanr

    done = [t for t in trials if t["state"] == "COMPLETE" and t["curve"]]
    if len(done) < 3:
        return None
    return float(spearmanr([max(t["curve"][:epoch]) for t in done], [t["value"] for t in done])[0])


def replay_pruner(trials: list[dict], first_epoch: int, startup: int) -> dict:
    """Optuna's ``MedianPruner`` replayed over a no-pruner study's trials, in trial order: a trial is stopped at
    the first epoch ``e >= first_epoch`` where its best validation HR@10 so far is below the median of the same
    number over the earlier unstopped trials that reached epoch ``e`` (once ``startup`` of them finished).
    The trials' settings are the no-pruner study's, so this says what a pruning rule would cut from *those*
    trials, not which trials a pruned study's sampler would draw. ``trials``: :func:`study_trials` rows (each
    ``curve`` the per-epoch validation HR@10). Returns ``{"epochs": epochs trained, "best": the best value among
    the trials left whole, "stopped": how many were stopped}``."""
    done: list[list[float]] = []  # best-so-far curves of the trials left whole
    epochs, stopped, best = 0, 0, None
    for t in trials:
        curve = list(np.maximum.accumulate(t["curve"])) if t["curve"] else []
        cut = None
        for e in range(1, len(curve) + 1):
            if len(done) >= startup and e >= first_epoch:
                at = [c[e - 1] for c in done if len(c) >= e]
                if at and curve[e - 1] < float(np.median(at)):
                    cut = e
                    break
        epochs += cut or len(curve)
        if cut is None:
            if t["state"] == "COMPLETE":
                done.append(curve)
                best = t["value"] if best is None else max(best, t["value"])
        else:
            stopped += 1
    return {"epochs": epochs, "best": best, "stopped": stopped}


def replay_lines(nop: dict, stats: dict) -> list[str]:
    """What pruning from epoch 1 or from epoch 2 would cut from the no-pruner studies (:func:`replay_pruner`):
    the evidence :data:`recall_core.tuning.study.PRUNER_WARMUP` was chosen on (validation curves only)."""
    from recall_core.tuning.study import PRUNER_STARTUP

    rows = []
    for m in nop:
        tb = study_trials(m, False)
        if not tb:
            continue
        whole = max(t["value"] for t in tb if t["state"] == "COMPLETE")
        sd = (stats.get(m, {}).get(("tuned", "valid")) or (None, None))[1]
        cells = []
        for first in (1, 2):
            r = replay_pruner(tb, first, PRUNER_STARTUP)
            gap = r["best"] - whole
            ok = within_two_sd(gap, sd)
            cells.append(f"{r['epochs']} ({r['stopped']}) | {r['best']:.4f} ({gap:+.4f}, "
                         f"{'-' if ok is None else ('within' if ok else 'outside')})")
        rows.append(f"| {m} | {sum(t['epochs'] for t in tb)} | {whole:.4f} | {cells[0]} | {cells[1]} |")
    if not rows:
        return []
    return ["", "### Pruning from epoch 1 or from epoch 2: the pruner replayed over the no-pruner studies", "",
            "The median pruner's rule applied, trial by trial, to the curves of the studies without it "
            "(`replay_pruner` in bench/tuning.py; its test checks it against Optuna's own `MedianPruner`): the "
            "epochs it would have trained (the trials it would have stopped), and the best validation HR@10 among "
            "the trials it would have left whole, against the no-pruner study's best (gap; within 2 seed sd or "
            "not). Validation only. It replays the same trials, so it does not show the sampler drawing other "
            "settings after a pruned trial, which the measured studies above do.", "",
            "| model | epochs, no pruner | best, no pruner | from epoch 1: epochs (stopped) | best kept | "
            "from epoch 2: epochs (stopped) | best kept |", "|---|---|---|---|---|---|---|"] + rows


def ease_ml100k() -> dict:
    from recall_core.data import load_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import ease
    from recall_core.evaluation.baselines import evaluate_transition
    from recall_core.models.mostpop import MostPop
    from recall_core.evaluation import evaluate

    ds = load_dataset("ml-100k")
    r = ease.fit_reference(split_for(ds, "valid"), split_for(ds, "test"))
    out = {k: r[k] for k in ("lambda", "valid", "valid_by_lambda", "test", "seconds", "n_items")}
    test = split_for(ds, "test")
    out["transition_test"] = evaluate_transition(test)
    out["mostpop_test"] = evaluate(MostPop().fit(test.train).export(), test)
    (CACHE / "ease.json").write_text(json.dumps(out, indent=2))
    return out


def ease_limit() -> list[dict]:
    rows = []
    for n in EASE_SIZES:
        print(f"one EASE solve at {n:,} items ...", file=sys.stderr, flush=True)
        rows.append(json.loads(run([sys.executable, "bench/_ease_one.py", str(n)]).strip().splitlines()[-1]))
        if reference_minutes(rows[-1]) > 3 * EASE_LIMIT_MINUTES:
            break  # far past the rule already: larger sizes only cost time
    (CACHE / "ease_limit.json").write_text(json.dumps(rows, indent=2))
    return rows


def reference_minutes(row: dict) -> float:
    """The whole EASE reference at this size: one Gram matrix per split, len(LAMBDAS) + 1 solves, the scoring."""
    from recall_core.evaluation.ease import LAMBDAS

    return (2 * row["gram_s"] + (len(LAMBDAS) + 1) * (row["solve_s"] + row["score_s"])) / 60


def limit_of(rows: list[dict]) -> int | None:
    """The largest measured size within the rule (:data:`EASE_LIMIT_MINUTES`, :data:`EASE_LIMIT_GIB`)."""
    ok = [r["n_items"] for r in rows if reference_minutes(r) <= EASE_LIMIT_MINUTES
          and (r["peak_rss_mb"] - r["baseline_rss_mb"]) / 1024 <= EASE_LIMIT_GIB]
    return max(ok) if ok else None


# --------------------------------------------------------------------------- rendering


def fmt(x, nd=4) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def mean_sd(values: list[float]) -> tuple[float, float] | None:
    import numpy as np

    if len(values) < 2:
        return None
    return float(np.mean(values)), float(np.std(values, ddof=1))


def ms(v) -> str:
    return "-" if v is None else f"{v[0]:.4f} ± {v[1]:.4f}"


def seed_stats(model: str, tuned: dict) -> dict:
    """``{(config, split): (mean, sd)}`` of HR@10 over the seeds (cells read from the cache only)."""
    out = {}
    for label, (config, params) in (("default", ("default", {})), ("tuned", tuned_params(tuned))):
        for split in ("valid", "test"):
            vals = []
            for seed in SEEDS:
                text = json.dumps(params, sort_keys=True)
                key = hashlib.sha1(f"{model}|{config}|{split}|{seed}|{text}".encode()).hexdigest()[:12]
                path = CACHE / "cells" / f"{model}-{config}-{split}-{seed}-{key}.json"
                if path.exists():
                    vals.append(json.loads(path.read_text())["metrics"]["hr@10"])
            out[(label, split)] = mean_sd(vals) if len(vals) == len(SEEDS) else None
    return out


def verdict(a, b) -> str:
    """``a`` against ``b`` (mean, sd): above / below when the gap is at least 2 sd (the larger), else a tie."""
    if a is None or b is None:
        return "-"
    gap, sd = a[0] - b[0], max(a[1], b[1])
    return "tie" if abs(gap) < 2 * sd else ("above" if gap > 0 else "below")


def render() -> list[str]:
    from recall_core.evaluation.ease import EASE_MAX_ITEMS, LAMBDAS
    from recall_core.tuning import study

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    names = [m for m in models() if tune_file(m).exists()]
    tuned = {m: json.loads(tune_file(m).read_text()) for m in names}
    lines = [START, "", "## Fair comparison: every model tuned on ML-100K with one budget", "",
             f"Command: `make tune-bench` (`python bench/tuning.py`; a step of `make bench`). Date: {now}. "
             f"Machine: {machine()}. Budget: **{TRIALS} trials per model** (`make tune`: `python -m recall_core tune "
             f"--dataset ml-100k --models all --trials {TRIALS}`), seed 42, {study.STARTUP_TRIALS} random trials "
             f"then TPE, median pruning (after {study.PRUNER_STARTUP} completed trials, from epoch "
             f"{study.PRUNER_WARMUP + 1}), early stopping after {study.PATIENCE} epochs without a better validation "
             "HR@10. Trial 0 is each model's default setting (every epoch): the default column is its last epoch. "
             "Every choice is made on validation; test numbers are reported.", ""]
    if names:
        lines += ["### What the budget bought (seed 42, validation HR@10)", "",
                  "| model | trials (pruned) | trial minutes | whole run minutes | default | tuned | best trial | "
                  "epochs kept | kept | setting kept |", "|---|---|---|---|---|---|---|---|---|---|"]
        total = whole = 0.0
        for m in names:
            t = tuned[m]
            total += t["minutes"]
            run_min = whole_run_minutes(t)
            whole += run_min or 0.0
            setting = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in t["params"].items())
            lines.append(f"| {m} | {t['trials']} ({t['pruned']}) | {t['minutes']:.1f} | "
                         f"{fmt(run_min, 1)} | {t['default_valid']:.4f} | "
                         f"{t['best_valid']:.4f} | {t['best_trial']} | {t['params'].get('epochs')} | {t['chosen']} | "
                         f"{setting} |")
        ok = all(tuned[m]["best_valid"] >= tuned[m]["default_valid"] for m in names)
        missing = [m for m in models() if m not in names]
        lines += ["", f"Trial time, the {len(names)} models above: {total:.1f} min; whole runs (the trials, then one "
                      f"validation and one test training per model to store the choice, as `make tune` does them; where a "
                      f"rerun only stored the choice, its time plus the study's trial minutes): "
                      f"{whole:.1f} min. Validation HR@10 tuned ≥ default for every model "
                      f"above: **{'yes' if ok else 'no'}**."
                      + (f" Not measured yet (no cached study result): {', '.join(missing)}." if missing else ""), ""]
        stats = {m: seed_stats(m, tuned[m]) for m in names}
        lines += [f"### Tuned against default, {len(SEEDS)} seeds ({', '.join(map(str, SEEDS))})", "",
                  "Each setting trained once per seed in its own process (`bench/_tuned_one.py`); HR@10 mean ± sample "
                  "sd. The tuned setting is the one chosen at seed 42 on validation. A gap below 2 sd (the larger of "
                  "the two rows) is a tie.", "",
                  "| model | valid, default | valid, tuned | test, default | test, tuned | "
                  "test: tuned against default |", "|---|---|---|---|---|---|"]
        for m in names:
            s = stats[m]
            stand = "defaults kept" if tuned[m]["chosen"] == "defaults" else verdict(s[("tuned", "test")],
                                                                                      s[("default", "test")])
            lines.append(f"| {m} | {ms(s[('default', 'valid')])} | {ms(s[('tuned', 'valid')])} | "
                         f"{ms(s[('default', 'test')])} | {ms(s[('tuned', 'test')])} | {stand} |")
        unseeded = [m for m in names if stats[m][("tuned", "test")] is None]
        if unseeded:
            lines += ["", f"Not measured yet (\"-\"): {', '.join(unseeded)} "
                          f"(`python bench/tuning.py --steps seeds --models M`)."]
        nop = {m: json.loads(tune_file(m, False).read_text()) for m in names if tune_file(m, False).exists()}
        if nop:
            lines += pruning_lines(tuned, nop, stats) + replay_lines(nop, stats)
        missing_nop = [m for m in names if m not in nop]
        if missing_nop:
            lines += ["", f"Pruning not measured yet for: {', '.join(missing_nop)} "
                          f"(`python bench/tuning.py --steps nopruner --models M`)."]
    e = _read(CACHE / "ease.json")
    if e:
        grid = " · ".join(f"λ {k}: {v:.4f}" for k, v in e["valid_by_lambda"].items())
        lines += ["", "### EASE on ML-100K", "",
                  "`recall_core.evaluation.ease.fit_reference`: λ chosen on validation HR@10 among "
                  f"{', '.join(f'{v:g}' for v in LAMBDAS)}, then fitted on the test split's training matrix "
                  f"({e['seconds']:.1f} s in all). Validation HR@10 per λ: {grid}.", "",
                  "| row | λ | valid HR@10 | test HR@10 | test NDCG@10 | test coverage@10 |",
                  "|---|---|---|---|---|---|",
                  f"| ease | {e['lambda']:g} | {e['valid']['hr@10']:.4f} | {e['test']['hr@10']:.4f} | "
                  f"{e['test']['ndcg@10']:.4f} | {e['test']['coverage@10']:.3f} |"]
        for ref in ("transition", "mostpop"):
            t = e[f"{ref}_test"]
            lines.append(f"| {ref} | - | - | {t['hr@10']:.4f} | {t['ndcg@10']:.4f} | {t['coverage@10']:.3f} |")
    rows = _read(CACHE / "ease_limit.json")
    if rows:
        lines += ["", "### EASE: item-count limit", "",
                  "`python bench/_ease_one.py N` in a fresh process per size: a random sparse user-item matrix "
                  "(2,000 users, about 100 items each), the Gram matrix, one Cholesky solve for B, scoring every "
                  f"user. The whole reference is one Gram matrix per split and {len(LAMBDAS) + 1} solves "
                  f"({len(LAMBDAS)} λ on validation, one on test). Rule: the largest measured size whose whole "
                  f"reference takes at most {EASE_LIMIT_MINUTES:g} min with a peak below {EASE_LIMIT_GIB:g} GiB.", "",
                  "| items | Gram s | one solve s | scoring s | whole reference min | peak GiB (above start) | "
                  "within the rule |", "|---|---|---|---|---|---|---|"]
        limit = limit_of(rows)
        for r in rows:
            peak = (r["peak_rss_mb"] - r["baseline_rss_mb"]) / 1024
            ok = reference_minutes(r) <= EASE_LIMIT_MINUTES and peak <= EASE_LIMIT_GIB
            lines.append(f"| {r['n_items']:,} | {r['gram_s']:.1f} | {r['solve_s']:.1f} | {r['score_s']:.1f} | "
                         f"{reference_minutes(r):.1f} | {peak:.2f} | {'yes' if ok else 'no'} |")
        lines += ["", f"Measured limit: {f'{limit:,} items' if limit else 'none of the sizes'}; the code's "
                      f"`EASE_MAX_ITEMS = {EASE_MAX_ITEMS}` (`recall_core/evaluation/ease.py`)."]
    return lines + ["", END]


def within_two_sd(gap: float, sd: float | None) -> bool | None:
    """Is a gap between two best validation HR@10 values a tie (|gap| ≤ 2 sd)? A gap of exactly 0 is, whatever the
    sd; otherwise None when the seed sd is not measured yet (unknown, not "no")."""
    if gap == 0:
        return True
    return None if sd is None else abs(gap) <= 2 * sd


def all_within(verdicts: dict[str, bool | None]) -> tuple[str, str]:
    """The "all" row's cell and the sentence's end for per-model :func:`within_two_sd` verdicts: ``no`` when one is
    not within, ``-`` when one is unknown (naming the models), ``yes`` when every one is within."""
    outside = [m for m, v in verdicts.items() if v is False]
    unknown = [m for m, v in verdicts.items() if v is None]
    if outside:
        return "no", f"not for {', '.join(outside)}"
    if unknown:
        return "-", f"for every model whose seed sd is measured; not known yet for {', '.join(unknown)} (no seed sd)"
    return "yes", "for every model"


def pruning_lines(tuned: dict, nop: dict, stats: dict) -> list[str]:
    """The pruning tables: the acceptance (trial minutes with and without the pruner, the best kept), then what
    explains the saving (epochs trained, a load check, where a pruned trial's time goes, early ranks)."""
    lines = ["", "### Pruning: the same studies without the pruner", "",
             f"`python -m recall_core tune --dataset ml-100k --models M --trials {TRIALS} --no-pruner` "
             "(early stopping still on, same seed, same budget). Trial minutes: the wall time of the trials (the "
             "study's own record). Best: the chosen setting's validation HR@10. Seed sd: the tuned setting's "
             "validation HR@10 over the seeds above. Epochs: epochs trained over the 20 trials (independent of the "
             "machine's load), against the epochs the trials' settings asked for (what early stopping alone cut). Trial 0 s: the default setting's trial, the same computation in both studies, so its "
             "two times say how much the machine's load differed between the two runs.", "",
             "| model | minutes, pruned | minutes, no pruner | saved | epochs set / no pruner / pruned | epochs saved | "
             "trial 0 s, pruned / no pruner | best, pruned | best, no pruner | gap | 2 seed sd | within |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    tp = tn = ep = en = 0.0
    verdicts: dict[str, bool | None] = {}
    # minutes from two code versions are no saving (a change to the trials' fixed cost moves both arms)
    other = {m: (tuned[m].get("code"), nop[m].get("code")) for m in nop if tuned[m].get("code") != nop[m].get("code")}
    for m in nop:
        a, b = tuned[m], nop[m]
        if m in other:
            lines.append(f"| {m} | {a['minutes']:.1f} | {b['minutes']:.1f} | - | - | - | - | - | - | - | - | - |")
            continue
        tp, tn = tp + a["minutes"], tn + b["minutes"]
        sd = (stats[m][("tuned", "valid")] or (None, None))[1]
        gap = a["best_valid"] - b["best_valid"]
        within = verdicts[m] = within_two_sd(gap, sd)
        ta, tb = study_trials(m, True), study_trials(m, False)
        if ta and tb:
            ea, eb = sum(t["epochs"] for t in ta), sum(t["epochs"] for t in tb)
            ep, en = ep + ea, en + eb
            es = sum(t["epochs_set"] for t in tb)
            epochs = f"{es} / {eb} / {ea} | {1 - ea / eb:.0%} | {ta[0]['seconds']:.1f} / {tb[0]['seconds']:.1f}"
        else:
            epochs = "- | - | -"
        lines.append(f"| {m} | {a['minutes']:.1f} | {b['minutes']:.1f} | {1 - a['minutes'] / b['minutes']:.0%} | "
                     f"{epochs} | {a['best_valid']:.4f} | {b['best_valid']:.4f} | {gap:+.4f} | {fmt(sd and 2 * sd)} | "
                     f"{'-' if within is None else ('yes' if within else 'no')} |")
    cell, which = all_within(verdicts)
    compared = [m for m in nop if m not in other]
    if compared:
        lines += [f"| all | {tp:.1f} | {tn:.1f} | {1 - tp / tn:.0%} | - / {en:.0f} / {ep:.0f} | "
                  f"{(1 - ep / en) if en else 0:.0%} | | | | | | {cell} |", "",
                  f"Pruning saves {1 - tp / tn:.1%} of the trial time over {len(compared)} model"
                  f"{'' if len(compared) == 1 else 's'} ({', '.join(compared)}; target ≥ 40%: "
                  f"**{'met' if 1 - tp / tn >= 0.4 else 'not met'}**); the best validation HR@10 is within 2 seed sd "
                  f"{which}."]
    if other:
        codes = "; ".join(f"{m}: pruned {a or 'not recorded'}, no pruner {b or 'not recorded'}"
                          for m, (a, b) in other.items())
        lines += ["", f"Not compared (\"-\"): {', '.join(other)}: the two studies ran different trial code "
                      f"({codes}"
                      "; `trial_code()` in bench/tuning.py), so their minutes are not a saving. Rerun the older arm: "
                      "`python bench/tuning.py --steps tune|nopruner --models M --fresh`."]
    from recall_core.tuning.study import PRUNER_WARMUP

    rows = []
    before = any(profile_before_file(m).exists() for m in tuned)
    for m in tuned:
        ta, tb, p = study_trials(m, True), (study_trials(m, False) if m in nop else None), _read(profile_file(m))
        if not ta:
            continue
        pruned = [t for t in ta if t["state"] == "PRUNED"]
        stop = f"{sum(t['epochs'] for t in pruned) / len(pruned):.1f}" if pruned else "-"
        if p:
            fixed = p["prep_s"] / (p["prep_s"] + (PRUNER_WARMUP + 1) * (p["epoch_s"] + p["eval_s"]))
            prof = f"{p['prep_s']:.1f} | {p['epoch_s']:.2f} | {p['eval_s']:.2f} | {fixed:.0%}"
        else:
            prof = "- | - | - | -"
        if before:
            b = _read(profile_before_file(m))
            prof = (f"{b['prep_s']:.1f} → " if b else "- → ") + prof
        r1, r2 = (rank_agreement(tb, 1), rank_agreement(tb, 2)) if tb else (None, None)
        rows.append(f"| {m} | {len(pruned)} | {stop} | {prof} | {fmt(r1, 2)} | {fmt(r2, 2)} |")
    if rows:
        lines += ["", "### What the pruner can save: where a trial's time goes", "",
                  "Pruned trials: how many of the 20, and the mean epoch they stopped at (the pruner may stop a "
                  f"trial from epoch {PRUNER_WARMUP + 1} on). Prep s, epoch s, validation s: one trial of the default "
                  "setting profiled in a fresh process (`python bench/tuning.py --steps profile --models M`: "
                  "`bench/_trial_profile.py`): data preparation, model building and TensorFlow's tracing (paid by "
                  "every trial, pruned or not), the median training epoch, the per-epoch validation HR@10. Fixed "
                  f"share: prep over a trial pruned at epoch {PRUNER_WARMUP + 1}. Spearman: over the no-pruner study's trials, how well "
                  "the best validation HR@10 of the first 1 (or 2) epochs ranks the trials' final values."
                  + (" Prep s before → now: the same profile made with the code before the training step was "
                     "traced once per fit (one trace per batch shape before, and EGES's step traced twice), "
                     f"{BEFORE_NOTE}, back to back with the current code's in one hold of the CPU lock (the other "
                     "columns are the current code's). item2vec and Airbnb train without TensorFlow, so that change "
                     "did not touch them: their two numbers show one profile's run-to-run spread." if before else ""),
                  "",
                  "| model | pruned trials | stopped at epoch | prep s" + (", before → now" if before else "")
                  + " | epoch s | validation s | fixed share | Spearman, epoch 1 | Spearman, epoch 2 |",
                  "|---|---|---|---|---|---|---|---|---|"] + rows
    return lines


def _read(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def write_tuning_block() -> None:
    common.write_block("\n".join(render()), start=START, end=END)
    print("wrote the tuning block of BENCHMARKS.md", file=sys.stderr)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--models", default="all")
    ap.add_argument("--render", action="store_true", help="only rewrite the block from the cache")
    ap.add_argument("--fresh", action="store_true", help="tune, nopruner: start the studies again (to time them anew)")
    args = ap.parse_args(argv)
    steps = [s for s in args.steps.split(",") if s]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        sys.exit(f"--steps: unknown {', '.join(unknown)}; known: {', '.join(STEPS)}")
    names = models() if args.models == "all" else [m.strip() for m in args.models.split(",") if m.strip()]
    CACHE.mkdir(parents=True, exist_ok=True)
    if not args.render:
        for step in steps:
            if step in ("tune", "nopruner", "seeds"):
                for m in names:
                    if step == "tune":
                        tune(m, fresh=args.fresh)
                    elif step == "nopruner":
                        tune(m, pruner=False, fresh=args.fresh)
                    elif step == "seeds":
                        seeds(m)
            elif step == "profile":
                for m in names:
                    profile(m)
            elif step == "ease" and not (CACHE / "ease.json").exists():
                ease_ml100k()
            elif step == "ease_limit" and not (CACHE / "ease_limit.json").exists():
                ease_limit()
    write_tuning_block()


if __name__ == "__main__":
    main()
