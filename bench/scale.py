"""`make scale`: train every model on MovieLens-shaped catalogues of growing size; time, memory, growth.

Shapes: ML-100K itself, and synthetic folders written by ``python -m recall_core
synth`` (Zipf-like popularity, users mixing genre-tied topics, ratings in
sessions): ``ml1m-shape`` (6,040 users, 3,700 items, 1M ratings, the size of
ML-1M) and ``ml25m-tenth`` (16k users, 6k items, 2.5M ratings: ML-25M at one
tenth). Each (shape, model) runs alone in a fresh process
(bench/_scale_one.py), one at a time, so the timings are not contended. Per
model: fit seconds, evaluation seconds (full-catalogue ranking of every test
user, in batches of ``evaluation.evaluate.BATCH`` users), peak memory, HR@10,
and the growth exponent b of ``fit seconds ∝ ratings^b`` (least squares on
the log-log points). Writes its block of BENCHMARKS.md, the README's growth
block and ``docs/scale.svg`` (the log-log plot). Results are cached per
(shape, model, config) in ``.bench/scale/``; ``--fresh`` retrains.

    python bench/scale.py [--shapes ml-100k,ml1m-shape,ml25m-tenth] [--models item2vec,...] [--fresh]
    python bench/scale.py --lanes-only --lanes 1,2     # all six on ml1m-shape: one at a time, then in lanes

After the per-model runs, ``make scale`` also trains all six together on
ml1m-shape, with ``train --lanes 1`` (one after the other: the before) and
``train --lanes 2`` (the TensorFlow models in the foreground, the one-core
models in background processes at idle priority: the after), each timed as a
whole, with a digest of each stored model's arrays: its own block of
BENCHMARKS.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / ".bench" / "scale"
SHAPES = {
    "ml-100k": None,
    "ml1m-shape": dict(users=6040, items=3700, ratings=1_000_000, seed=7),
    "ml25m-tenth": dict(users=16_000, items=6000, ratings=2_500_000, seed=7),
}
MODELS = ("item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn")
START, END = "<!-- scale:start -->", "<!-- scale:end -->"
SVG = ROOT / "docs" / "scale.svg"
STORES = ROOT / ".bench" / "scale-stores"  # each shape's trained models, for the app timings
APP_SHAPES = ("ml1m-shape",)
CACHED_ONLY = False  # --cached-only: write the tables from the cached runs, train nothing  # the app is timed on these shapes' stores (AppTest, bench/app_timings.py)


def app_timings(shape: str) -> dict:
    """AppTest first render and interaction seconds per page on ``shape``'s store (bench/app_timings.py)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "app_timings.py"), "--store", str(STORES / shape),
                           "--dataset", shape_folder(shape), "--json"], cwd=ROOT, env=env, capture_output=True,
                          text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def load_timings(shape: str) -> dict:
    """Reading ``shape``'s folder in a fresh process, cold and from the parsed cache (bench/_load_one.py)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("RECALL_NO_PARSE_CACHE", None)
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "_load_one.py"), shape_folder(shape)], cwd=ROOT,
                          env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def shape_folder(shape: str) -> str:
    p = SHAPES[shape]
    if p is None:
        return shape
    folder = ROOT / ".bench" / "data" / shape
    if not (folder / "ratings.csv").exists():
        folder.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "recall_core", "synth", "--users", str(p["users"]), "--items",
                        str(p["items"]), "--ratings", str(p["ratings"]), "--seed", str(p["seed"]), "--out",
                        str(folder), "--force"], check=True, cwd=ROOT, capture_output=True)
    return str(folder)


def run(shape: str, model: str, fresh: bool) -> dict:
    from recall_core.models import get_model_class

    config = get_model_class(model).Config().to_dict()
    key = hashlib.sha256(json.dumps([shape, model, sorted(config.items())], default=str).encode()).hexdigest()[:16]
    path = CACHE / f"{shape}-{model}-{key}.json"
    if path.exists() and not fresh:
        return json.loads(path.read_text())
    if CACHED_ONLY:
        return {"model": model, "error": "not measured in this run (--cached-only)"}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "_scale_one.py"), shape_folder(shape), model, "42",
                           str(STORES / shape)], cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"model": model, "error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    res.update(shape=shape, wall_s=time.perf_counter() - t0,
               date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(res, indent=1))
    return res


LANES_START, LANES_END = "<!-- scale-lanes:start -->", "<!-- scale-lanes:end -->"
LANES_SHAPES = ("ml1m-shape",)
LANES_STORES = ROOT / ".bench" / "scale-lanes"
#: what a lanes run keeps of the runs before it (``--fresh``): the block lists them under the latest
EARLIER_FIELDS = ("wall_s", "date", "commit", "cpu_s", "others_cpu_s")


def vector_digest(store: Path, folder: str, model: str) -> str:
    """sha256 over a stored model's arrays (sorted names, dtype, shape, bytes): equal digests = equal vectors
    (:func:`common.arrays_digest`)."""
    from bench.common import arrays_digest
    from recall_core.data import load_dataset
    from recall_core.store import arrays_path

    return arrays_digest(arrays_path(store, load_dataset(folder).key, model))


def lanes_run(shape: str, lanes: int, fresh: bool) -> dict:
    """``python -m recall_core train --models <the six> --lanes N --no-maps`` on ``shape`` into a fresh store,
    timed as a whole (wall seconds: start to the last model stored, evaluation included); per model its fit
    seconds, HR@10 and :func:`vector_digest`. Cached in ``.bench/scale/lanes-<shape>-<N>.json``."""
    path = CACHE / f"lanes-{shape}-{lanes}.json"
    if path.exists() and not fresh:
        return json.loads(path.read_text())
    # a fresh run keeps the earlier runs' walls (the block reports the spread, not one run)
    earlier = []
    if path.exists():
        old = json.loads(path.read_text())
        if "wall_s" in old:
            earlier = old.get("earlier", []) + [{k: old.get(k) for k in EARLIER_FIELDS}]
    if CACHED_ONLY:
        return {"shape": shape, "lanes": lanes, "error": "not measured in this run (--cached-only)"}
    import shutil

    folder = shape_folder(shape)
    store = LANES_STORES / f"{shape}-lanes{lanes}"
    shutil.rmtree(store, ignore_errors=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    import resource

    busy0, ours0 = machine_busy_s(), resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "recall_core", "train", "--dataset", folder, "--models",
                           ",".join(MODELS), "--lanes", str(lanes), "--no-maps", "--seed", "42", "--store", str(store)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    ours1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ours = (ours1.ru_utime + ours1.ru_stime) - (ours0.ru_utime + ours0.ru_stime)
    others = None if busy0 is None else max(0.0, machine_busy_s() - busy0 - ours)
    if proc.returncode != 0:
        return {"shape": shape, "lanes": lanes,
                "error": (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]}
    models = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] in MODELS and len(parts) > 1 and parts[1].endswith("s"):
            hr = parts[parts.index("HR@10") + 1] if "HR@10" in parts else None
            models[parts[0]] = {"fit_s": float(parts[1][:-1]), "hr@10": float(hr) if hr else None,
                                "digest": vector_digest(store, folder, parts[0])}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    res = {"shape": shape, "lanes": lanes, "wall_s": wall, "models": models, "cpu_s": ours, "others_cpu_s": others,
           "commit": commit.stdout.strip() or None, "earlier": earlier,
           "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(res, indent=1))
    return res


def machine_busy_s() -> float | None:
    """CPU seconds the whole machine has been busy since boot (every core; ``/proc/stat``), or None elsewhere. The
    lanes runs subtract their own CPU time from its change to say how much other processes ran meanwhile."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def sequential_before(shape: str) -> str | None:
    """The scale block's "all six" fit seconds on ``shape`` and its date, as BENCHMARKS.md holds them now."""
    import re

    text = (ROOT / "BENCHMARKS.md").read_text() if (ROOT / "BENCHMARKS.md").exists() else ""
    if START not in text or END not in text:
        return None
    block = text[text.index(START):text.index(END)]
    date = re.search(r"Date: ([^.]+ UTC)", block)
    part = block.split(f"### {shape}:", 1)
    row = re.search(r"\| \*\*all six\*\* \| \*\*(\d+)\*\* \|", part[1]) if len(part) > 1 else None
    return f"{row.group(1)} s of fit time ({date.group(1) if date else 'date unknown'})" if row else None


def render_lanes(runs: list[dict]) -> str:
    """The lanes block of BENCHMARKS.md: one table per shape, one column per lane count measured."""
    from bench.common import machine

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [LANES_START, "", "## Scale: all six models in lanes (issue 22)", "",
             f"Command: `make scale` (`python bench/scale.py`; this block alone: `python bench/scale.py --lanes-only "
             f"--lanes 1,2`). Date: {now}. Machine: {machine()}. Each cell is one run of `python -m recall_core "
             "train --models item2vec,eges,airbnb,fm,dssm,youtubednn --lanes N --no-maps --seed 42` into an empty "
             "store (wall seconds from start to the last model stored: data, fits, evaluation, storing and the "
             "reference rows). `--lanes 1` (*before*): one model after the other in one process. `--lanes 2` "
             "(*after*): the TensorFlow models (eges, fm, dssm, youtubednn) in a foreground process; item2vec "
             "(gensim), airbnb (numpy) and the reference rows (transition, EASE) each in a background process at "
             "idle priority (`SCHED_IDLE`); all four at once (`recall_core/training/lanes.py`). The per-model fit seconds in lanes are contended (the "
             "processes share 2 cores; a background fit runs on the cycles the foreground leaves). Digest: sha256 "
             "over the stored arrays; *same* = equal to the `--lanes 1` run's digest. Target: all six ≤ 600 s.",
             ""]
    for shape in dict.fromkeys(r["shape"] for r in runs):
        cells = {r["lanes"]: r for r in runs if r["shape"] == shape}
        counts = sorted(cells)
        lines += [f"### {shape}", ""]
        before = sequential_before(shape)
        if 1 not in cells or "error" in cells[1]:
            lines += [f"Before (one at a time): not rerun here; the *Scale* block above, one fresh process per "
                      f"model: {before or 'not measured'}.", ""]
        lines += ["| model | " + " | ".join(f"--lanes {n}: fit s | HR@10 | digest" for n in counts) + " |",
                  "|---|" + "---|---|---|" * len(counts)]
        for m in MODELS:
            row = []
            for n in counts:
                r = cells[n]
                c = r.get("models", {}).get(m)
                if "error" in r or c is None:
                    row += [r.get("error", "-"), "", ""]
                    continue
                ref = cells.get(1, {}).get("models", {}).get(m, {}).get("digest")
                same = "" if n == 1 or ref is None else (" (*same*)" if ref == c["digest"] else " (**differs**)")
                hr = "-" if c["hr@10"] is None else f"{c['hr@10']:.4f}"
                row += [f"{c['fit_s']:.1f}", hr, f"`{c['digest'][:12]}`{same}"]
            lines.append(f"| {m} | " + " | ".join(row) + " |")
        walls = []
        for n in counts:
            r = cells[n]
            walls += ["-" if "error" in r else f"**{r['wall_s']:.0f}**", "", ""]
        lines += ["| **all six, wall s** | " + " | ".join(walls) + " |", ""]
        for n in counts:
            r = cells[n]
            if "error" not in r:
                gap = abs(600 - r["wall_s"])
                met = f"met, {gap:.1f} s to spare" if r["wall_s"] <= 600 else f"NOT met, {gap:.1f} s over"
                load = ""
                if r.get("others_cpu_s") is not None:
                    load = (f"; this run's processes used {r['cpu_s']:.0f} CPU s, other processes on the machine "
                            f"{r['others_cpu_s']:.0f} CPU s meanwhile")
                at = f" at commit `{r['commit']}`" if r.get("commit") else ""
                lines.append(f"- `--lanes {n}`: {r['wall_s']:.1f} s wall, measured {r['date']}{at} (target 600 s: "
                             f"{met}){load}.")
                for e in reversed(r.get("earlier", [])):
                    at = f" at commit `{e['commit']}`" if e.get("commit") else ""
                    others = ("other processes' CPU not recorded" if e.get("others_cpu_s") is None
                              else f"other processes {e['others_cpu_s']:.0f} CPU s meanwhile")
                    lines.append(f"  - an earlier run: {e['wall_s']:.1f} s wall, {e['date']}{at} ({others}).")
                if r.get("earlier"):
                    import statistics

                    walls = [r["wall_s"], *(e["wall_s"] for e in r["earlier"])]
                    lines.append(f"  - {len(walls)} runs: median {statistics.median(walls):.1f} s, range "
                                 f"{min(walls):.1f}-{max(walls):.1f} s.")
        lines.append("")
    lines.append(LANES_END)
    return "\n".join(lines)


def exponent(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of log y on log x (None with fewer than two points)."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(p[0] for p in pts) / len(pts)
    my = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else None


def svg_plot(series: dict[str, list[tuple[float, float]]], colors: dict[str, str]) -> str:
    """A log-log line plot (ratings → fit seconds), one line per model, as SVG text."""
    w, h, ml, mr, mt, mb = 640, 400, 60, 130, 20, 45
    xs = [x for s in series.values() for x, _ in s]
    ys = [y for s in series.values() for _, y in s]
    lx0, lx1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    ly0, ly1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    lx1, ly1 = max(lx1, lx0 + 1), max(ly1, ly0 + 1)

    def px(x):
        return ml + (math.log10(x) - lx0) / (lx1 - lx0) * (w - ml - mr)

    def py(y):
        return h - mb - (math.log10(y) - ly0) / (ly1 - ly0) * (h - mt - mb)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" '
           f'font-size="12"><rect width="{w}" height="{h}" fill="white"/>']
    for e in range(lx0, lx1 + 1):
        out.append(f'<line x1="{px(10**e):.1f}" y1="{mt}" x2="{px(10**e):.1f}" y2="{h - mb}" stroke="#ddd"/>'
                   f'<text x="{px(10**e):.1f}" y="{h - mb + 16}" text-anchor="middle">1e{e}</text>')
    for e in range(ly0, ly1 + 1):
        out.append(f'<line x1="{ml}" y1="{py(10**e):.1f}" x2="{w - mr}" y2="{py(10**e):.1f}" stroke="#ddd"/>'
                   f'<text x="{ml - 6}" y="{py(10**e) + 4:.1f}" text-anchor="end">{10**e:g}</text>')
    out.append(f'<text x="{(ml + w - mr) / 2}" y="{h - 8}" text-anchor="middle">ratings (log)</text>'
               f'<text x="14" y="{(mt + h - mb) / 2}" transform="rotate(-90 14 {(mt + h - mb) / 2})" '
               'text-anchor="middle">fit seconds (log)</text>')
    for i, (name, pts) in enumerate(series.items()):
        pts = sorted(pts)
        c = colors.get(name, "#333")
        out.append('<polyline fill="none" stroke-width="2" stroke="{}" points="{}"/>'.format(
            c, " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)))
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{c}"/>' for x, y in pts]
        out.append(f'<rect x="{w - mr + 12}" y="{mt + 18 * i}" width="12" height="3" fill="{c}"/>'
                   f'<text x="{w - mr + 30}" y="{mt + 18 * i + 5}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def app_table(shape: str, res: dict) -> list[str]:
    """The AppTest timing rows of one shape's store (targets: first render ≤ 2 s, interaction ≤ 0.3 s)."""
    lines = [f"### The app on {shape} (AppTest, `python bench/app_timings.py --store .bench/scale-stores/{shape} "
             f"--dataset {shape_folder(shape).replace(str(ROOT) + '/', '')}`)", ""]
    if "error" in res:
        return lines + [f"failed: {res['error']}", ""]
    lines += ["| page | first render s | interaction | interaction s |", "|---|---|---|---|"]
    for page, t in res.items():
        fr = "-" if t.get("first_render") is None else f"{t['first_render']:.2f}"
        it = "-" if t.get("interaction_seconds") is None else f"{t['interaction_seconds']:.3f}"
        lines.append(f"| {page} | {fr} | {t.get('interaction', '')} | {it} |")
    return lines + [""]


def render(results: list[dict], shapes: list[str], seconds: float, apps: dict | None = None,
           loads: dict | None = None) -> tuple[str, str]:
    """(BENCHMARKS.md block, README block)."""
    from bench.common import machine
    from recall_core.evaluation.evaluate import BATCH

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    by = {(r.get("shape"), r["model"]): r for r in results}
    lines = [START, "", "## Scale: every model on MovieLens-shaped catalogues", "",
             f"Command: `make scale` (`python bench/scale.py`). Date: {now}. Machine: {machine()}. "
             f"Wall time {seconds / 60:.0f} min (cached runs are not repeated). One model at a time, each in a "
             "fresh process; default configs, seed 42, test split.", "",
             "Shapes: `ml-100k` (the real data); `ml1m-shape` = `python -m recall_core synth --users 6040 --items "
             "3700 --ratings 1M --seed 7`; `ml25m-tenth` = `synth --users 16k --items 6k --ratings 2.5M --seed 7`. "
             f"This run measured: {', '.join(shapes)}. "
             f"Evaluation ranks the full catalogue for every test user in batches of {BATCH} users: "
             "O(U·I·d) multiply-adds and O(BATCH·I) memory per batch.", ""]
    for shape in shapes:
        rows = [by[(shape, m)] for m in MODELS if (shape, m) in by]
        if not rows:
            continue
        ok = [r for r in rows if "error" not in r]
        head = ok[0] if ok else {}
        lines += [f"### {shape}: {head.get('users', '?'):,} users, {head.get('items', '?'):,} items, "
                  f"{head.get('ratings', '?'):,} ratings" if ok else f"### {shape}", "",
                  "| model | fit s | eval s | peak memory MB | HR@10 |", "|---|---|---|---|---|"]
        for r in rows:
            if "error" in r:
                what = r["error"] if r["error"].startswith("not measured") else f"failed: {r['error']}"
                lines.append(f"| {r['model']} | {what} | | | |")
            else:
                hr = f"{r['hr@10']:.4f}" if r.get("hr@10") is not None else "-"
                lines.append(f"| {r['model']} | {r['fit_s']:.1f} | {r['eval_s']:.1f} | {r['peak_rss_mb']:.0f} | {hr} |")
        if ok:
            lines.append(f"| **all six** | **{sum(r['fit_s'] for r in ok):.0f}** | {sum(r['eval_s'] for r in ok):.0f} "
                         f"| max {max(r['peak_rss_mb'] for r in ok):.0f} | |")
        lines.append("")
        load = (loads or {}).get(shape)
        if load and "error" not in load:
            lines += [f"Reading the folder in a fresh process (`python bench/_load_one.py`): {load['cold_s']:.2f} s "
                      f"with the validating reader, {load['cached_s']:.2f} s from the parsed cache (same "
                      f"fingerprint: {'yes' if load['same_fingerprint'] else 'NO'}), after "
                      f"{load['import_s']:.2f} s of imports.", ""]
        elif load:
            lines += [f"Reading the folder: failed: {load['error']}", ""]
        if apps and shape in apps:
            lines += app_table(shape, apps[shape])
    series, exps = {}, {}
    for m in MODELS:
        pts = [(by[(s, m)]["ratings"], by[(s, m)]["fit_s"]) for s in shapes
               if (s, m) in by and "error" not in by[(s, m)]]
        if len(pts) >= 2:
            series[m], exps[m] = pts, exponent(pts)
    growth = ["| model | " + " | ".join(f"fit s at {s}" for s in shapes) + " | exponent b (fit s ∝ ratings^b) |",
              "|---|" + "---|" * (len(shapes) + 1)]
    for m, b in exps.items():
        cells = [f"{by[(s, m)]['fit_s']:.1f}" if (s, m) in by and "error" not in by[(s, m)] else "-" for s in shapes]
        growth.append(f"| {m} | " + " | ".join(cells) + f" | {b:.2f} |")
    lines += ["### Growth", "", "b = 1 is linear in the number of ratings. The plot: `docs/scale.svg`.", "",
              *growth, "", END]
    readme = [START, "", f"![fit seconds against ratings, log-log](docs/scale.svg)", "",
              f"Measured by `make scale` on {now} (BENCHMARKS.md, *Scale*):", "", *growth, "", END]
    if series:
        from recall_core.models import get_model_class

        SVG.parent.mkdir(exist_ok=True)
        SVG.write_text(svg_plot(series, {m: get_model_class(m).color for m in series}))
    return "\n".join(lines), "\n".join(readme)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--models", default=",".join(MODELS))
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--no-app", action="store_true", help="skip the AppTest timings on the ml1m-shape store")
    ap.add_argument("--cached-only", action="store_true", help="train nothing: tables from the cached runs only")
    ap.add_argument("--lanes", default="1,2",
                    help="lane counts of the all-six runs on ml1m-shape (comma-separated; 2 = after, 1 = before)")
    ap.add_argument("--lanes-only", action="store_true", help="only the all-six lane runs and their block")
    ap.add_argument("--compare", nargs=2, metavar=("STORE_A", "STORE_B"),
                    help="only compare the six models' stored arrays in two stores (--dataset's key) and exit")
    ap.add_argument("--dataset", default="ml-100k", help="with --compare: the dataset both stores hold")
    args = ap.parse_args()
    if args.compare:
        same = True
        for m in MODELS:
            a, b = (vector_digest(Path(st), args.dataset, m) for st in args.compare)
            same &= a == b
            print(f"{m:<11} {a[:16]} {b[:16]} {'same' if a == b else 'DIFFERS'}")
        print("all bit-identical" if same else "NOT all bit-identical")
        sys.exit(0 if same else 1)
    global CACHED_ONLY
    CACHED_ONLY = args.cached_only
    shapes, models = args.shapes.split(","), args.models.split(",")
    lane_counts = [int(n) for n in args.lanes.split(",") if n.strip()]
    lane_shapes = [s for s in shapes if s in LANES_SHAPES] or list(LANES_SHAPES)
    if args.lanes_only:
        runs = []
        for shape in lane_shapes:
            for n in lane_counts:
                r = lanes_run(shape, n, args.fresh)
                runs.append(r)
                print(f"{shape} all six, --lanes {n}: " + (r.get("error") or f"{r['wall_s']:.0f} s wall"), flush=True)
        from bench.common import write_block

        write_block(render_lanes(runs), start=LANES_START, end=LANES_END)
        print("wrote the scale-lanes block of BENCHMARKS.md")
        return
    t0 = time.perf_counter()
    results = []
    for shape in shapes:
        for m in models:
            r = run(shape, m, args.fresh)
            r.setdefault("shape", shape)
            results.append(r)
            print(f"{shape} {m}: " + (r.get("error") or f"fit {r['fit_s']:.1f} s, eval {r['eval_s']:.1f} s, "
                                      f"peak {r['peak_rss_mb']:.0f} MB, HR@10 {r.get('hr@10')}"), flush=True)
    apps = {}
    for shape in shapes:
        if shape in APP_SHAPES and not args.no_app:
            print(f"app timings on {shape} ...", flush=True)
            apps[shape] = app_timings(shape)
    loads = {shape: load_timings(shape) for shape in shapes} if not args.cached_only else {}
    bench, readme = render(results, shapes, time.perf_counter() - t0, apps, loads)
    from bench.common import write_block

    write_block(bench, start=START, end=END)
    runs = [lanes_run(shape, n, args.fresh) for shape in shapes if shape in LANES_SHAPES for n in lane_counts]
    if runs:
        write_block(render_lanes(runs), start=LANES_START, end=LANES_END)
    if (ROOT / "README.md").exists() and START in (ROOT / "README.md").read_text():
        write_block(readme, ROOT / "README.md", start=START, end=END)
    print("wrote the scale block of BENCHMARKS.md" + (f" and {SVG.relative_to(ROOT)}" if SVG.exists() else ""))


if __name__ == "__main__":
    main()
