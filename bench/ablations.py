"""`make ablations`: one row per design decision, trained on validation and on test, on two data shapes.

Every variant of every decision is trained twice per data shape: on the
validation split (each user's second-to-last film held out, training = all
before it) and on the test split (the last film held out). The choice kept is
made on **validation only**: the variant whose validation score (the row's
metric: U2I HR@10, or I2I HR@10 for decisions about an I2I space) is best
relative to the best on each shape, taking the worse of the two shapes (a
setting that wins on one shape and collapses on the other is not kept). Test
columns are reported beside it and never used to choose. A default that settles
itself by the catalogue size (``"auto"``: FM's loss, YouTubeDNN's softmax) is
the variant it resolves to on the shapes (:func:`default_label`), and it is
trained (and cached) as that variant.

Shapes: ML-100K, and a synthetic MovieLens-shaped folder with the long-tail
catalogue that broke the tower defaults (610 users, 9.7k movies, 100k ratings;
``python -m recall_core synth``). Each (shape, model, config, split) is
trained once with seed 42 in its own process (two at a time) and cached in
``.bench/ablations/`` so a rerun only trains what changed; ``--fresh`` ignores
the cache. The table is written into BENCHMARKS.md between the ``ablations``
markers (``bench/run.py`` keeps that block when it rewrites the file), and the
same numbers, machine-readable, into ``bench/ablations.json`` (committed; the
app's "How it works" claims read it through
:func:`recall_core.analysis.claims.load_ablations`).

``--from-cache`` trains nothing: it rewrites ``bench/ablations.json`` alone
from the cached variants (a cell with no cached result is left missing, never
guessed) and leaves BENCHMARKS.md as it is.

    python bench/ablations.py [--shapes ml-100k,synth-10k] [--models item2vec,...] [--decisions 'text;...']
                              [--jobs 2] [--fresh]
    python bench/ablations.py --from-cache

A run limited to some rows (``--models``, ``--decisions``) trains only those; every other row's cells come
from the cache, else from ``bench/ablations.json`` (the numbers the last full run measured), never guessed.
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import functools
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / ".bench" / "ablations"
SEED = 42
SYNTH = {"synth-10k": dict(users=610, items=9700, ratings=100_000, seed=7)}
START, END = "<!-- ablations:start -->", "<!-- ablations:end -->"
SHAPES_ALL = ("ml-100k", "synth-10k")
JSON_PATH = ROOT / "bench" / "ablations.json"
#: the metrics a cell of ``bench/ablations.json`` keeps (when the variant has them)
JSON_METRICS = ("hr@10", "ndcg@10", "coverage@10", "mrr", "i2i_hr@10", "i2i_ndcg@10", "cold_recall@10",
                "cold_ndcg@10", "train_seconds")
#: config fields added after the cache was filled: left out of a task's key while at this value, so the
#: cached trainings made before the field existed (which are that value) stay valid
KEY_SKIP_DEFAULTS: dict[str, dict] = {"eges": {"attention": "learned"}, "fm": {"num_sampled": 256, "sample_alpha": 0.75},
                                      "airbnb": {"global_negatives": True}}

# (model, decision, {variant label: config overrides}, metric the choice is judged by)
ROWS: list[tuple[str, str, dict[str, dict], str]] = [
    ("mostpop", "reference (nothing to choose)", {"most popular": {}}, "hr@10"),
    ("transition", "reference settings: window, last n films, decay",
     {f"{w}, {n}, {d}": {"window": w, "last_n": n, "decay": d} for w in (1, 2, 3) for n in (5, 10) for d in (0.5, 0.8)},
     "hr@10"),
    ("item2vec", "negative sampling exponent", {"0 (uniform)": {"ns_exponent": 0.0},
                                                "0.75 (gensim default)": {"ns_exponent": 0.75}}, "hr@10"),
    ("item2vec", "frequent-item down-sampling", {"off (0)": {"sample": 0.0}, "1e-3": {"sample": 1e-3}}, "hr@10"),
    ("item2vec", "history as", {"sequence, window 5": {"context": "sequence"},
                                "set (paper, tutorial)": {"context": "set"}}, "hr@10"),
    ("item2vec", "history as (judged on I2I)", {"sequence, window 5": {"context": "sequence"},
                                               "set (paper, tutorial)": {"context": "set"}}, "i2i_hr@10"),
    ("eges", "popularity side field", {"on": {"popularity_field": True}, "off": {"popularity_field": False}},
     "hr@10"),
    ("eges", "side-information weights", {"learned attention (EGES)": {"attention": "learned"},
                                          "plain mean (GES)": {"attention": "mean"}}, "hr@10"),
    ("eges-cold-start", "cold-start vector (judged by recall@10 of held-out films; 2nd number: genre overlap@10)",
     {"attention-weighted": {"rule": "attention"}, "plain mean (tutorial)": {"rule": "mean"}}, "cold_recall@10"),
    ("eges", "user vector: last n films", {"1": {"user_last_n": 1}, "3": {"user_last_n": 3}, "5": {"user_last_n": 5}},
     "hr@10"),
    ("airbnb", "same-market negative share (I2I)", {"0": {"market_share": 0.0}, "0.1": {"market_share": 0.1},
                                                     "0.3": {"market_share": 0.3}}, "i2i_hr@10"),
    ("airbnb", "same-market negative share (U2I)", {"0": {"market_share": 0.0}, "0.1": {"market_share": 0.1},
                                                     "0.3": {"market_share": 0.3}}, "hr@10"),
    ("airbnb", "booked film as global context", {"on": {"global_context": True}, "off": {"global_context": False}},
     "i2i_hr@10"),
    ("airbnb", "negatives for the booked-film pairs (I2I)",
     {"10 per pair, as a window pair": {"global_negatives": True}, "none (paper)": {"global_negatives": False}},
     "i2i_hr@10"),
    ("airbnb", "negatives for the booked-film pairs (U2I)",
     {"10 per pair, as a window pair": {"global_negatives": True}, "none (paper)": {"global_negatives": False}},
     "hr@10"),
    ("airbnb", "booking rule", {"top-rated film": {"booking_rule": "top_rated"},
                                "ends the session (paper)": {"booking_rule": "ends_session"}}, "i2i_hr@10"),
    ("fm", "loss", {"softmax over the catalogue": {"loss": "softmax"},
                    "BCE with sampled negatives (tutorial)": {"loss": "bce"}}, "hr@10"),
    ("fm", "history features", {"last 20 films": {"history_len": 20}, "none (tutorial)": {"history_len": 0}},
     "hr@10"),
    ("dssm", "softmax", {"in-batch + logQ": {"softmax": "in_batch", "logq_correction": True},
                         "in-batch, no logQ": {"softmax": "in_batch", "logq_correction": False},
                         "full": {"softmax": "full"}}, "hr@10"),
    ("dssm", "tower", {"ReLU": {"tower": "relu"}, "tanh + BatchNorm + dropout (tutorial)": {"tower": "tutorial"}},
     "hr@10"),
    ("dssm", "temperature τ", {"0.05": {"temperature": 0.05}, "0.1": {"temperature": 0.1},
                               "0.2": {"temperature": 0.2}, "0.3": {"temperature": 0.3},
                               "0.5": {"temperature": 0.5}}, "hr@10"),
    ("youtubednn", "softmax", {"full": {"softmax": "full"}, "sampled (paper)": {"softmax": "sampled"}}, "hr@10"),
    ("youtubednn", "example age feature", {"on (paper)": {"example_age": True}, "off": {"example_age": False}},
     "hr@10"),
    ("youtubednn", "serving age (with the example-age feature on)",
     {"0: now (paper)": {"example_age": True, "serving_age": "zero"},
      "now - user's last training time": {"example_age": True, "serving_age": "user_last"}}, "hr@10"),
    ("youtubednn", "examples per user (cap)", {"50": {"max_examples_per_user": 50},
                                               "200": {"max_examples_per_user": 200}}, "hr@10"),
    ("youtubednn", "history table shared with the output table",
     {"shared": {"share_history_table": True}, "separate": {"share_history_table": False}}, "hr@10"),
]


def shape_folder(shape: str) -> str:
    """``ml-100k``, or the synthetic folder (written once under .bench/)."""
    if shape == "ml-100k":
        return "ml-100k"
    p = SYNTH[shape]
    folder = ROOT / ".bench" / "data" / shape
    if not (folder / "ratings.csv").exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "recall_core", "synth", "--users", str(p["users"]), "--items",
                        str(p["items"]), "--ratings", str(p["ratings"]), "--seed", str(p["seed"]), "--out",
                        str(folder), "--force"], check=True, cwd=ROOT, capture_output=True)
    return str(folder)


@functools.lru_cache(maxsize=None)
def catalogue_items(shape: str) -> int:
    """The number of items of ``shape`` (what a model's ``"auto"`` softmax is settled by)."""
    from recall_core.data import load_dataset

    return load_dataset(shape_folder(shape)).n_items


def shape_config(model: str, overrides: dict, shape: str) -> dict:
    """The config a variant trains with on ``shape``: an ``"auto"`` setting (FM's loss, YouTubeDNN's softmax)
    resolved for the shape's catalogue, so ``"auto"`` and the variant it resolves to are one training."""
    from recall_core.models import get_model_class

    cls = get_model_class(model)
    config = cls.Config(**overrides).to_dict()
    if any(config.get(f) == "auto" for f in cls.auto_fields):
        config = cls.used_config(config, n_items=catalogue_items(shape))
    return config


#: settings that change nothing while another one is off: (model, field, {condition field: value}, the value
#: the key uses then), so the configs that train the same model share one cache key (and the keys of cells
#: cached before the field's default changed stay valid)
KEY_INERT: tuple[tuple[str, str, dict, object], ...] = (
    ("youtubednn", "serving_age", {"example_age": False}, "zero"),  # no age feature: no serving age
    ("airbnb", "global_negatives", {"global_context": False}, True),  # no booked-film pairs to give negatives
)


def task_key(shape: str, model: str, overrides: dict, split: str, seed: int) -> str:
    """Keyed by the full resolved config, so two rows' identical variants are trained once."""
    config = overrides if model in ("eges-cold-start", "transition") else shape_config(model, overrides, shape)
    for m, field, when, value in KEY_INERT:
        if m == model and field in config and all(config.get(k) == v for k, v in when.items()):
            config = {**config, field: value}
    skip = KEY_SKIP_DEFAULTS.get(model, {})
    config = {k: v for k, v in config.items() if not (k in skip and skip[k] == v)}
    blob = json.dumps([shape, model, sorted(config.items()), split, seed], default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def run_task(shape: str, model: str, overrides: dict, split: str, seed: int, fresh: bool) -> dict:
    """Train one variant in a fresh process (bench/_score_one.py) and cache its metrics."""
    key = task_key(shape, model, overrides, split, seed)
    path = CACHE / f"{key}.json"
    if path.exists() and not fresh:
        return json.loads(path.read_text())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    cmd = [sys.executable, str(ROOT / "bench" / "_score_one.py"), shape_folder(shape), model, json.dumps(overrides),
           split, str(seed)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        res = {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    else:
        res = json.loads(proc.stdout.strip().splitlines()[-1])
    res.update(shape=shape, model=model, overrides=overrides, split=split, seed=seed,
               wall_seconds=round(time.perf_counter() - t0, 1))
    CACHE.mkdir(parents=True, exist_ok=True)
    if "error" not in res:
        path.write_text(json.dumps(res, indent=1))
    return res


def task_overrides(model: str, overrides: dict) -> dict:
    """What is trained: the cold-start rows' rules share one EGES training (both rules are read from it)."""
    return {} if model == "eges-cold-start" else overrides


def cold_start_cells(r: dict, rule: str) -> dict:
    if "error" in r:
        return r
    return {"cold_recall@10": r[rule]["recall@10"], "cold_ndcg@10": r[rule]["genre_overlap@10"]}


#: A variant replaces the current default only when its worst ratio beats the default's by more than this:
#: every cell is one training with one seed, and smaller gaps are within the seed-to-seed spread of the
#: 3-seed table (BENCHMARKS.md, "Seed variance").
TOL = 0.02


def ratios(row_results: dict[str, dict[str, dict]], metric: str, shapes: list[str]) -> dict[str, float] | None:
    """Per variant: the worst over ``shapes`` of its validation ``metric`` / the shape's best (None if incomplete)."""
    labels = list(row_results)
    out = {}
    for lab in labels:
        worst = float("inf")
        for shape in shapes:
            vals = {l: row_results[l].get((shape, "valid"), {}).get(metric) for l in labels}
            if any(v is None for v in vals.values()):
                return None
            best = max(vals.values())
            worst = min(worst, vals[lab] / best if best > 0 else 0.0)
        out[lab] = worst
    return out


def decision_fields(variants: dict[str, dict]) -> set[str]:
    """The config fields a row decides: those its variants set to different values. A field every variant
    sets alike is a condition of the row (YouTubeDNN's serving age is measured with ``example_age`` on)."""
    keys = {k for ov in variants.values() for k in ov}
    return {k for k in keys if len({json.dumps(ov.get(k), default=str) for ov in variants.values()}) > 1}


def default_label(model: str, variants: dict[str, dict], shapes: list[str] | None = None) -> str | None:
    """The variant that is the code's current default (None when no variant is): the one whose decided
    fields (:func:`decision_fields`) all equal the code's defaults, whatever the row's conditions.

    A default that settles itself by the catalogue (``"auto"``) is the variant it resolves to on every
    one of ``shapes``; when it resolves to different variants on different shapes, no variant is the
    default (None).
    """
    from recall_core.models import get_model_class

    if model == "eges-cold-start":
        rule = get_model_class("eges").Config().cold_start
        return next((lab for lab, ov in variants.items() if ov.get("rule") == rule), None)
    if model == "transition":
        from recall_core.evaluation.baselines import TRANSITION_DEFAULTS

        return next((lab for lab, ov in variants.items() if ov == TRANSITION_DEFAULTS), None)
    cls = get_model_class(model)
    base = cls.Config().to_dict()
    fields = decision_fields(variants) or {k for ov in variants.values() for k in ov}

    def same(a: dict, b: dict) -> bool:
        return all(json.dumps(a.get(f), default=str) == json.dumps(b.get(f), default=str) for f in fields)

    if shapes and any(base.get(f) == "auto" for f in cls.auto_fields):
        found = {next((lab for lab, ov in variants.items() if same(shape_config(model, ov, s), shape_config(model, {}, s))),
                      None) for s in shapes}
        return found.pop() if len(found) == 1 else None
    return next((lab for lab, ov in variants.items() if same(cls.Config(**ov).to_dict(), base)), None)


def choose(rows: list[tuple[dict[str, dict[str, dict]], str]], shapes: list[str],
           default: str | None = None) -> str | None:
    """The kept variant, chosen on validation only, jointly over ``rows`` ((results, metric) of one decision).

    Each variant's score is its worst ratio (over shapes and over the rows' metrics) of its validation
    metric to the best variant's; the best score is kept, except that the current ``default`` stays when
    it is within :data:`TOL` of the best (ties keep the default; among the others, the first listed wins).
    """
    scores: dict[str, float] = {}
    for row_results, metric in rows:
        r = ratios(row_results, metric, shapes)
        if r is None:
            return None
        for lab, v in r.items():
            scores[lab] = min(scores.get(lab, float("inf")), v)
    if not scores:
        return None
    labels = list(scores)
    best = max(labels, key=lambda lab: (scores[lab], -labels.index(lab)))
    if default in scores and scores[default] >= scores[best] - TOL:
        return default
    return best


def kept_by_row(results: dict, shapes: list[str]) -> dict[tuple[str, str], str | None]:
    """(model, decision) -> the variant the rule chooses on validation (:func:`choose`). Rows of one model with
    the same variants are one decision judged on every metric they list (e.g. Airbnb's market share on U2I and
    on I2I). The table's *kept* column is the code's default (:func:`default_label`); a test checks the two
    agree (tests/bench/test_bench_ablations.py)."""
    groups: dict[tuple, list] = {}
    for model, decision, variants, metric in ROWS:
        groups.setdefault((model, json.dumps(variants, sort_keys=True, default=str)), []).append((decision, metric))
    kept = {}
    for (model, vkey), members in groups.items():
        variants = json.loads(vkey)
        rows = [(results.get((model, d), {}), m) for d, m in members]
        k = choose(rows, shapes, default_label(model, variants, shapes)) if all(r for r, _ in rows) else None
        for d, _ in members:
            kept[(model, d)] = k
    return kept


def auto_note(shapes: list[str]) -> str:
    """One sentence on the ``"auto"`` defaults: which variant they are on these shapes."""
    from recall_core.models._softmax import SAMPLED_SOFTMAX_MIN_ITEMS

    sizes = ", ".join(f"{s} {catalogue_items(s):,}" for s in shapes)
    return (f"FM's loss and YouTubeDNN's softmax default to `auto` (the full softmax below "
            f"{SAMPLED_SOFTMAX_MIN_ITEMS:,} items, the sampled one from there: BENCHMARKS.md, *Softmax switch*); "
            f"on these shapes' catalogues ({sizes} items) their default is the variant `auto` resolves to, "
            "and none when it resolves differently on the two shapes.")


def render(results: dict, shapes: list[str], seconds: float) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    from bench.common import machine

    head = "| model | decision | variant | metric | " + " | ".join(
        f"{s} valid | {s} test" for s in shapes) + " | kept (the code's default) | the rule on valid |"
    lines = [START, "", "## Ablations: one row per design decision", "",
             f"Command: `make ablations` (`python bench/ablations.py`). Date: {now}. Machine: {machine()}. "
             f"Wall time {seconds / 60:.0f} min (cached variants are not retrained; a run limited by `--models` or "
             "`--decisions` reads the other rows' cells back from `bench/ablations.json`).", "",
             "Each variant is trained with seed 42 on the validation split (valid: each user's second-to-last film "
             "held out; training = everything before it) and on the test split (test: the last film). The kept "
             "variant is chosen on **validation only**: the best worst-shape ratio of its validation score to the "
             "shape's best, so a setting that wins on one shape and collapses on the other is not kept. Rows of "
             "one model with the same variants are one decision judged on all their metrics (worst ratio over "
             f"both). The current default stays when it is within {TOL} of the best ratio (one seed per cell: "
             "smaller gaps are within seed noise). Metric: "
             "U2I HR@10 (hr@10) or I2I HR@10 (i2i_hr@10; query: the user's last training film). Cells are "
             "HR@10 / NDCG@10 of that metric's list. Shapes: ML-100K and `synth-10k` (`python -m recall_core "
             "synth --users 610 --items 9.7k --ratings 100k --seed 7`: a long-tail catalogue). The *kept* column "
             "is read from the code's defaults (the variant whose decided fields equal them), the last column is "
             "the rule's choice on these cells; tests/bench/test_bench_ablations.py fails when the two differ. "
             + auto_note(shapes)
             + ("" if set(SHAPES_ALL) <= set(shapes) else
                f" **This run covers {', '.join(shapes)} only** (`--shapes {','.join(shapes)}`): the kept column is "
                "provisional until every shape is measured, and no default was changed on it."), "", head,
             "|" + "---|" * (6 + 2 * len(shapes))]
    chosen_rows = kept_by_row(results, shapes)
    for model, decision, variants, metric in ROWS:
        row = results.get((model, decision), {})
        kept = default_label(model, variants, shapes)
        chosen = chosen_rows.get((model, decision))
        ndcg = metric.replace("hr@", "ndcg@").replace("recall@", "ndcg@")
        for label in variants:
            cells = []
            for shape in shapes:
                for split in ("valid", "test"):
                    r = row.get(label, {}).get((shape, split))
                    if r is None:
                        cells.append("-")
                    elif "error" in r:
                        cells.append("failed")
                    else:
                        cells.append(f"{r[metric]:.4f} / {r[ndcg]:.4f}")
            mark = "**kept**" if label == kept else ""
            rule = "chosen" if label == chosen else ""
            lines.append(f"| {model} | {decision} | {label} | {metric} | " + " | ".join(cells) + f" | {mark} | {rule} |")
    lines += ["", END]
    return "\n".join(lines)


def _cell(r: dict | None) -> dict | None:
    if r is None:
        return None
    if "error" in r:
        return {"error": r["error"]}
    return {m: r[m] for m in JSON_METRICS if m in r}


def to_json(results: dict, shapes: list[str], command: str, measured: str, seconds: float | None) -> dict:
    """The ablation table as data: ``rows[i].variants[j].cells[shape][split]`` -> metrics (``None``: not measured).

    ``measured``: when the numbers were made (a date or a range of dates);
    ``kept``: the code's default variant (:func:`default_label`), as in the BENCHMARKS.md table;
    ``chosen``: the variant the rule chooses on validation (``None`` until every shape's validation
    cells exist). tests/bench/test_bench_ablations.py checks that the two agree.
    """
    rows = []
    chosen_rows = kept_by_row(results, shapes)
    for model, decision, variants, metric in ROWS:
        row = results.get((model, decision), {})
        rows.append({
            "model": model, "decision": decision, "metric": metric,
            "kept": default_label(model, variants, shapes),
            "chosen": chosen_rows.get((model, decision)),
            "variants": [{"label": label, "overrides": ov,
                          "cells": {shape: {split: _cell(row.get(label, {}).get((shape, split)))
                                            for split in ("valid", "test")} for shape in shapes}}
                         for label, ov in variants.items()],
        })
    return {"command": command, "measured": measured,
            "written": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "seed": SEED, "shapes": shapes, "wall_seconds": None if seconds is None else round(seconds, 1),
            "note": "cells are the metrics of one training with seed 42; null = not measured (no cached result)",
            "rows": rows}


def write_json(data: dict) -> None:
    JSON_PATH.write_text(json.dumps(data, indent=1, sort_keys=False) + "\n")


def cached_results(shapes: list[str]) -> tuple[dict, list[float]]:
    """``(results, mtimes)`` of every (row, variant, shape, split) with a cached result; nothing is trained."""
    results: dict = {}
    mtimes = []
    for model, decision, variants, _ in ROWS:
        for label, ov in variants.items():
            for shape in shapes:
                for split in ("valid", "test"):
                    path = CACHE / f"{task_key(shape, model, task_overrides(model, ov), split, SEED)}.json"
                    if not path.exists():
                        continue
                    r = json.loads(path.read_text())
                    mtimes.append(path.stat().st_mtime)
                    results.setdefault((model, decision), {}).setdefault(label, {})[(shape, split)] = \
                        cold_start_cells(r, ov["rule"]) if model == "eges-cold-start" else r
    return results, mtimes


def json_results(shapes: list[str], path: Path | None = None) -> dict:
    """The cells of ``bench/ablations.json`` in :func:`cached_results`' shape, for the rows of :data:`ROWS`
    (a row or variant the file lacks is left out): what a run that retrains only some rows keeps for the others."""
    path = JSON_PATH if path is None else path
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    results: dict = {}
    for row in data.get("rows", []):
        for v in row.get("variants", []):
            for shape in shapes:
                for split, cell in ((v.get("cells") or {}).get(shape) or {}).items():
                    if cell is not None:
                        results.setdefault((row["model"], row["decision"]), {}).setdefault(v["label"], {})[
                            (shape, split)] = cell
    return results


def _day(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d")


def measured_dates(mtimes: list[float]) -> str:
    """``"2026-11-28"`` or ``"2026-11-28 … 2026-11-29"``: the days the cached cells were trained."""
    if not mtimes:
        return "no cached result"
    a, b = _day(min(mtimes)), _day(max(mtimes))
    return a if a == b else f"{a} … {b}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default="ml-100k,synth-10k")
    ap.add_argument("--models", default=None, help="only the rows of these models (comma-separated)")
    ap.add_argument("--decisions", default=None,
                    help="only the rows whose decision contains one of these texts (separated by ';'); the other "
                         "rows' cells come from the cache, else from bench/ablations.json")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--from-cache", action="store_true",
                    help="train nothing: rewrite bench/ablations.json from the cached variants only")
    args = ap.parse_args()
    shapes = args.shapes.split(",")
    if args.from_cache:
        results, mtimes = cached_results(shapes)
        write_json(to_json(results, shapes, "python bench/ablations.py --from-cache (numbers cached by make ablations)",
                           measured_dates(mtimes), None))
        n = sum(len(c) for row in results.values() for c in row.values())
        print(f"wrote {JSON_PATH.relative_to(ROOT)} from {n} cached cells (nothing trained)", file=sys.stderr)
        return
    models = set(args.models.split(",")) if args.models else None
    decisions = [d.strip() for d in args.decisions.split(";") if d.strip()] if args.decisions else None
    rows = [r for r in ROWS if (models is None or r[0] in models)
            and (decisions is None or any(d in r[1] for d in decisions))]
    tasks, seen = [], set()
    for shape in shapes:  # every shape's valid runs first: they decide
        for split in ("valid", "test"):
            for model, _, variants, _ in rows:
                for ov in variants.values():
                    ov = task_overrides(model, ov)
                    k = task_key(shape, model, ov, split, SEED)
                    if k not in seen:
                        seen.add(k)
                        tasks.append((shape, model, ov, split))
    t0 = time.perf_counter()
    done: dict[str, dict] = {}
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futs = {pool.submit(run_task, s, m, ov, sp, SEED, args.fresh): (s, m, ov, sp) for s, m, ov, sp in tasks}
        for i, fut in enumerate(cf.as_completed(futs), 1):
            s, m, ov, sp = futs[fut]
            r = fut.result()
            done[task_key(s, m, ov, sp, SEED)] = r
            msg = r.get("error") or " ".join(f"{key} {r[key]:.4f}" for key in ("hr@10", "i2i_hr@10") if key in r) \
                or "cold start: " + ", ".join(f"{rule} recall@10 {r[rule]['recall@10']:.4f}"
                                              for rule in ("attention", "mean") if rule in r)
            print(f"[{i}/{len(tasks)}] {s} {sp} {m} {ov}: {msg} ({r['wall_seconds']} s)", file=sys.stderr, flush=True)
    # every cell: this run's, else the cache's, else (rows this run did not train) bench/ablations.json's
    old_json = json.loads(JSON_PATH.read_text()) if JSON_PATH.exists() else {}
    results = json_results(shapes)
    cached, mtimes = cached_results(shapes)
    for key, by_label in cached.items():
        for label, by_cell in by_label.items():
            results.setdefault(key, {}).setdefault(label, {}).update(by_cell)
    for model, decision, variants, _ in ROWS:
        for label, ov in variants.items():
            for shape in shapes:
                for split in ("valid", "test"):
                    r = done.get(task_key(shape, model, task_overrides(model, ov), split, SEED))
                    if r is not None:
                        results.setdefault((model, decision), {}).setdefault(label, {})[(shape, split)] = \
                            cold_start_cells(r, ov["rule"]) if model == "eges-cold-start" else r
    seconds = time.perf_counter() - t0
    write_block(render(results, shapes, seconds), start=START, end=END)
    # cached cells keep the date they were trained on, cells read back from the file keep the file's dates
    measured = measured_dates(mtimes)
    if old_json.get("measured") and old_json["measured"] != measured and len(mtimes) < sum(
            len(c) for row in results.values() for c in row.values()):
        measured = f"{old_json['measured']}; {measured}"
    write_json(to_json(results, shapes, "make ablations (python bench/ablations.py)", measured, seconds))
    print("wrote the ablation table into BENCHMARKS.md and bench/ablations.json", file=sys.stderr)


if __name__ == "__main__":
    main()
