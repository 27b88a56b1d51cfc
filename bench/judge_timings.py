"""The Judge page's two speed targets, measured: the next probe in Chromium, and `judgments summary`.

``python bench/judge_timings.py [--store .bench/store] [--rounds 5] [--runs 5] [--write] [--json] [--screenshots DIR]``

Both run on a scratch store (``.bench/judge-store``: links to the models of ``--store``, a trained ML-100K
store, and a judgments database of its own, planted here):

* **10,000 planted judgments**: a probe set ``bench`` of 100 movies (seed 0); the pools of the stored models'
  top-10 (every model but the variants, the sidebar's default); three judges grade the pooled movies (a grade
  from the genres the movie shares with the probe, 20% of them moved by one, 5% can't-judge) until 9,000 graded
  rows, and four judges cast 1,000 A/B votes (the list with more shared genres wins, else a tie).
* **Summary**: ``python -m recall_core judgments summary --kind item --json --rounds 1000`` on that store,
  timed as a whole command (a new process: imports, dataset, models, runs, 1,000 paired-bootstrap rounds over
  probes and 1,000 Bradley–Terry refits), ``--runs`` times; median and range. Target: ≤ 2 s.
* **Next probe**: the app served on that store (``streamlit run``), a judge whose first ``--rounds + 1`` probes are
  graded but for two movies each (planted after the summary is timed). For each probe, in headless Chromium: click a grade of the first
  ungraded movie (the panel reruns, same probe), then of the last one; the time from that last pointer press
  until the next probe has settled (bench/browser_timings.py's definition: the script done, nothing drawing,
  no change for 0.5 s, that quiet time not counted; the heading must name the next probe). Median over rounds.
  Target: ≤ 0.5 s.

``--write`` puts the block between ``<!-- judge:start -->`` and ``<!-- judge:end -->`` in BENCHMARKS.md
(``bench/run.py`` keeps it, and runs this script as its ``judge`` step). ``--screenshots DIR`` also saves
``judge.png`` (a judge half-way through a probe) and ``judge_results.png`` (the Results tab) for the README.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

START, END = "<!-- judge:start -->", "<!-- judge:end -->"
SCRATCH = ROOT / ".bench" / "judge-store"
N_GRADED, N_VOTES, N_PROBES = 9000, 1000, 100
SET = "bench"
BROWSER_JUDGE = "bench-browser"
DEMO_JUDGE = "demo"
SUMMARY_TARGET, NEXT_TARGET = 2.0, 0.5


def scratch_store(store: Path) -> Path:
    """``.bench/judge-store``: links to every model of ``store``, no judgments."""
    from recall_core.store import link_models

    shutil.rmtree(SCRATCH, ignore_errors=True)
    return link_models(store, SCRATCH)


def _grade(ds, probe_key: str, item: str, rng) -> int | None:
    a = set(ds.items["genres"].iloc[ds.item_vocab.index(probe_key)])
    b = set(ds.items["genres"].iloc[ds.item_vocab.index(item)])
    g = min(2, len(a & b))
    if rng.random() < 0.2:
        g = min(2, g + 1) if g < 2 else 1
    return None if rng.random() < 0.05 else g


def plant(dataset: str, store: Path, seed: int = 0) -> dict:
    """The 10,000 judgments (module docstring)."""
    import numpy as np

    from recall_core.data import load_dataset
    from recall_core.judge import pool
    from recall_core.judge.db import graded_row, now
    from recall_core.judge.probes import make_probes
    from recall_core.judge.summary import default_models, load_models, open_db

    ds = load_dataset(dataset)
    db = open_db(ds, store)
    probes = make_probes(ds, seed, N_PROBES, 0)
    db.create_probe_set(SET, probes, seed, N_PROBES, 0)
    models, errors = load_models(ds, store, default_models(ds, store))
    if errors:
        raise SystemExit(f"models that cannot be read: {errors}")
    runs = pool.runs_for(ds, models, probes, 10)
    pools = {p.id: pool.pool_items(ds, runs, p.id) for p in probes}
    rng = np.random.default_rng(seed)
    rows = []
    for judge in ("ann", "bob", "cy"):
        for p in probes:
            for it in pool.shown_order(pools[p.id], judge, p.id):
                if len(rows) < N_GRADED:
                    rows.append(graded_row(judge, p, it, _grade(ds, p.key, it, rng), probe_set=SET,
                                           name_source="typed", session="bench", fingerprint=ds.fingerprint))
    for v in range(N_VOTES):
        judge = ("ann", "bob", "cy", "dee")[v % 4]
        p, a, b = pool.ab_draw(judge, SET, "item", v // 4, probes, runs)
        shared = {m: sum(_grade(ds, p.key, i, np.random.default_rng(0)) or 0 for i in runs[m][p.id]) for m in (a, b)}
        pref = "a" if shared[a] > shared[b] else "b" if shared[b] > shared[a] else "tie"
        rows.append({"judge": judge, "name_source": "typed", "mode": "ab", "probe_set": SET, "probe": p.id,
                     "probe_kind": "item", "item_id": None, "grade": None, "preference": pref, "model_a": a,
                     "version_a": models[a].manifest["version"], "model_b": b,
                     "version_b": models[b].manifest["version"], "created": now(), "fingerprint": ds.fingerprint,
                     "session": "bench"})
    db.add_rows(rows, "planting the bench's judgments")
    return {"planted": len(rows), "graded": sum(r["mode"] == "graded" for r in rows),
            "votes": sum(r["mode"] == "ab" for r in rows), "probes": len(probes),
            "pool_sizes": [len(pools[p.id]) for p in probes], "models": list(models)}


def plant_browser_judges(dataset: str, store: Path, rounds: int, seed: int = 0) -> None:
    """After the summary is timed: the browser's judge, whose first ``rounds + 1`` probes are graded but for the
    two movies shown last, and the README's demo judge (two probes done, the third half-way)."""
    import numpy as np

    from recall_core.data import load_dataset
    from recall_core.judge import pool
    from recall_core.judge.db import graded_row
    from recall_core.judge.summary import default_models, load_models, open_db

    ds = load_dataset(dataset)
    db = open_db(ds, store)
    probes = db.probes(SET, "item")[: max(rounds + 1, 3)]
    models, _ = load_models(ds, store, default_models(ds, store))
    runs = pool.runs_for(ds, models, probes, 10)
    rng = np.random.default_rng(seed)
    rows = []
    for i, p in enumerate(probes):
        items = pool.pool_items(ds, runs, p.id)
        order = pool.shown_order(items, BROWSER_JUDGE, p.id)
        rows += [graded_row(BROWSER_JUDGE, p, it, 1, probe_set=SET, name_source="typed", session="bench",
                            fingerprint=ds.fingerprint) for it in order[:-2]]
        if i < 3:
            order = pool.shown_order(items, DEMO_JUDGE, p.id)
            rows += [graded_row(DEMO_JUDGE, p, it, _grade(ds, p.key, it, rng), probe_set=SET, name_source="typed",
                                session="bench", fingerprint=ds.fingerprint)
                     for it in order[: len(order) if i < 2 else len(order) // 2]]
    db.add_rows(rows, "planting the browser judges' work")


PHASES = r"""
import json, sys, time
t0 = time.perf_counter()
from recall_core import cli  # noqa: F401  (what `python -m recall_core` imports)
import choix, krippendorff  # noqa: F401  (what the summary imports when there are votes and judges)
t1 = time.perf_counter()
from pathlib import Path
from recall_core.data import load_dataset
from recall_core.judge.summary import default_models, load_models, open_db, summarize
ds = load_dataset(sys.argv[1])
store = Path(sys.argv[2])
loaded, _ = load_models(ds, store, default_models(ds, store))
t2 = time.perf_counter()
summarize(ds, store, "item", n_boot=1000, loaded=loaded, db=open_db(ds, store))
t3 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "data_and_models": t2 - t1, "summarize": t3 - t2}))
"""


def time_phases(dataset: str, store: Path, runs: int) -> dict:
    """Where the summary's time goes, in a new process each run: imports, reading data and models, summarize()."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out: dict[str, list[float]] = {}
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-c", PHASES, dataset, str(store)], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"the phases run failed: {proc.stderr[-2000:]}")
        for k, v in json.loads(proc.stdout).items():
            out.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in out.items()}


def time_summary(dataset: str, store: Path, runs: int) -> dict:
    """``judgments summary --json --rounds 1000`` in a new process, ``runs`` times (after one warm-up run)."""
    cmd = [sys.executable, "-m", "recall_core", "judgments", "summary", "--kind", "item", "--json", "--rounds", "1000",
           "--dataset", dataset, "--store", str(store)]
    import resource

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times, cpu, out = [], [], None
    for i in range(runs + 1):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
        dt_ = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise SystemExit(f"judgments summary failed: {proc.stderr[-2000:]}")
        out = json.loads(proc.stdout)
        if i:  # the first run warms the file cache
            times.append(dt_)
            cpu.append(r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime)
    return {"command": "python -m recall_core judgments summary --kind item --json --rounds 1000 --store "
                       ".bench/judge-store", "seconds": times, "median": statistics.median(times),
            "cpu_seconds": cpu, "cpu_median": statistics.median(cpu),
            "n_rows": out["n_rows"], "n_judgments": out["n_judgments"], "n_votes": out["n_votes"],
            "n_probes": out["n_probes"], "n_boot": out["n_boot"], "models": len(out["models"])}


async def _next_probe(url: str, rounds: int) -> dict:
    import re

    from playwright.async_api import async_playwright

    from browser_timings import SETTLE_JS, last_input, problems, settled
    from screenshots import CHROMIUM_ARGS, chromium_path

    out = {"next_probe": [], "same_probe": [], "pool_sizes": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = await browser.new_context(viewport={"width": 1600, "height": 1000})
            await ctx.add_init_script(SETTLE_JS)
            page = await ctx.new_page()
            await page.goto(f"{url}/judge?judge={BROWSER_JUDGE}&set={SET}&kind=item&k=10", wait_until="commit")
            await settled(page, "Judge")
            for r in range(rounds):
                head = (await page.locator("h3").filter(has_text=re.compile(r"^Probe \d+ of")).first.inner_text())
                n = int(re.match(r"Probe (\d+) of", head).group(1))
                groups = page.locator('[data-testid="stButtonGroup"]')
                out["pool_sizes"].append(await groups.count())
                open_ = [i for i in range(await groups.count())
                         if not await groups.nth(i).locator('[aria-checked="true"]').count()]
                if len(open_) != 2:
                    raise RuntimeError(f"probe {n}: expected two ungraded movies, found {len(open_)}")
                for j, i in enumerate(open_):
                    await groups.nth(i).get_by_role("radio", name="2 relevant").click()
                    await page.wait_for_timeout(50)
                    seconds = await settled(page, "Judge", since=await last_input(page))
                    out["same_probe" if j == 0 else "next_probe"].append(seconds)
                head = (await page.locator("h3").filter(has_text=re.compile(r"^Probe \d+ of")).first.inner_text())
                if not head.startswith(f"Probe {n + 1} of"):
                    raise RuntimeError(f"after the last grade of probe {n} the page shows {head!r}")
            out["problems"] = await problems(page)
        finally:
            await browser.close()
    return out


def time_next_probe(dataset: str, store: Path, rounds: int) -> dict:
    from screenshots import chromium_path, serve

    if chromium_path() is None:
        raise SystemExit("chromium not found (apt-get install -y chromium)")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    with serve({"RECALL_STORE": str(store), "RECALL_DATASET": dataset}) as url:
        res = asyncio.run(_next_probe(url, rounds))
    res["median"] = statistics.median(res["next_probe"])
    res["same_probe_median"] = statistics.median(res["same_probe"])
    return res


def screenshots(dataset: str, store: Path, out_dir: Path) -> list[Path]:
    """``judge.png`` (the demo judge half-way through probe 3) and ``judge_results.png`` (the Results tab)."""
    from playwright.sync_api import sync_playwright

    from screenshots import launch, serve, wait_idle

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "judge.png", out_dir / "judge_results.png"]
    with serve({"RECALL_STORE": str(store), "RECALL_DATASET": dataset}) as url, sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1500})
            page.goto(f"{url}/judge?judge={DEMO_JUDGE}&set={SET}&kind=item&k=10", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Judge").first.wait_for(timeout=90_000)
            wait_idle(page)
            page.screenshot(path=str(paths[0]))
            page.get_by_role("tab", name="Results").click()
            page.get_by_text("Bradley–Terry ratings from A/B votes").wait_for(timeout=90_000)
            wait_idle(page)
            page.set_viewport_size({"width": 1600, "height": 2300})
            page.wait_for_timeout(800)
            page.screenshot(path=str(paths[1]))
        finally:
            browser.close()
    return paths


def block(res: dict) -> str:
    from common import machine

    s, b = res["summary"], res["browser"]
    when = res["date"]
    ok = lambda v, target: "yes" if v <= target else "no"  # noqa: E731
    return "\n".join([
        START, "", "## Judge: the next probe and the summary", "",
        f"Command: `python bench/judge_timings.py --write` (also `make bench`'s `judge` step; "
        f"`python bench/run.py --reuse-training --re-evaluate --redo=judge`). Date: {when}. Machine: {machine()}. "
        "Store: the trained ML-100K store of `make bench` (`.bench/store`), linked into `.bench/judge-store` with a "
        f"judgments database planted by the script: {res['plant']['graded']:,} graded judgments by three judges on "
        f"{res['plant']['probes']} movie probes (pools of the {len(res['plant']['models'])} default models' "
        f"top-10, {min(res['plant']['pool_sizes'])}–{max(res['plant']['pool_sizes'])} movies each) and "
        f"{res['plant']['votes']:,} A/B votes.", "",
        "| measurement | median s | all runs s | target | met |", "|---|---|---|---|---|",
        f"| `judgments summary` over {s['n_rows']:,} judgments ({s['n_judgments']:,} graded in force, "
        f"{s['n_votes']:,} votes, {s['n_probes']} probes, {s['models']} models), {s['n_boot']:,} bootstrap rounds, "
        f"a new process each time | {s['median']:.2f} | {', '.join(f'{x:.2f}' for x in s['seconds'])} | "
        f"≤ {SUMMARY_TARGET:g} | {ok(s['median'], SUMMARY_TARGET)} |",
        f"| Chromium: the last grade of a probe -> the next probe settled ({len(b['next_probe'])} probes, "
        f"{min(b['pool_sizes'])}–{max(b['pool_sizes'])} movies each) | {b['median']:.2f} | "
        f"{', '.join(f'{x:.2f}' for x in b['next_probe'])} | ≤ {NEXT_TARGET:g} | {ok(b['median'], NEXT_TARGET)} |",
        f"| Chromium: a grade inside a probe -> the panel settled (same probe) | {b['same_probe_median']:.2f} | "
        f"{', '.join(f'{x:.2f}' for x in b['same_probe'])} | - | - |", "",
        f"The summary's CPU time (user + system, the process and its threads): median {s['cpu_median']:.2f} s "
        f"({', '.join(f'{x:.2f}' for x in s['cpu_seconds'])}). Where its time goes (medians of as many new "
        f"processes): importing the CLI, choix and krippendorff {s['phases']['imports']:.2f} s (pandas, and scipy's "
        f"statistics that choix imports, are most of it), reading the dataset and the models "
        f"{s['phases']['data_and_models']:.2f} s, `summarize()` {s['phases']['summarize']:.2f} s (the lists, both "
        "bootstraps, the Bradley–Terry refits, agreement). The machine is shared: its 1-minute load average was "
        f"{res['load_before'][0]:.1f} before and {res['load_after'][0]:.1f} after these runs (2 cores), and the "
        "spread of the rows above is mostly other work; on the same machine the Streamlit floor page's own "
        "interaction settles in about 0.3 s (*App speed in a browser* above), the least any click here can take.", "",
        "Settled: bench/browser_timings.py's definition (the script done, no skeleton, spinner or stale element, "
        "nothing changing for 0.5 s, that quiet time not counted), from the pointer press on the grade. The judging "
        "panel is a fragment: a grade reruns the panel, not the page. The summary's time includes Python's start "
        "and its imports (numpy, pandas, scipy through choix), reading the dataset and the models, every model's "
        f"lists for the judged probes, and the bootstraps. Problems seen on the page: "
        f"{'; '.join(b.get('problems') or []) or 'none'}.", "", END])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", default=str(ROOT / ".bench" / "store"), help="a trained store (ML-100K)")
    ap.add_argument("--dataset", default="ml-100k")
    ap.add_argument("--rounds", type=int, default=5, help="probes judged in Chromium")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of judgments summary")
    ap.add_argument("--write", action="store_true", help="write the block into BENCHMARKS.md")
    ap.add_argument("--json", action="store_true", help="print only the JSON result")
    ap.add_argument("--screenshots", default=None, metavar="DIR", help="also save judge.png and judge_results.png")
    args = ap.parse_args()
    store = scratch_store(Path(args.store))
    print(f"planting judgments in {store} ...", file=sys.stderr, flush=True)
    res = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "load_before": os.getloadavg(),
           "plant": plant(args.dataset, store)}
    print("timing judgments summary ...", file=sys.stderr, flush=True)
    res["summary"] = time_summary(args.dataset, store, args.runs)
    res["summary"]["phases"] = time_phases(args.dataset, store, args.runs)
    plant_browser_judges(args.dataset, store, args.rounds)
    print("timing the next probe in Chromium ...", file=sys.stderr, flush=True)
    res["browser"] = time_next_probe(args.dataset, store, args.rounds)
    res["load_after"] = os.getloadavg()
    if args.screenshots:
        for p in screenshots(args.dataset, store, Path(args.screenshots)):
            print(f"wrote {p}", file=sys.stderr)
    (ROOT / ".bench").mkdir(exist_ok=True)
    (ROOT / ".bench" / "judge.json").write_text(json.dumps(res, indent=1))
    text = block(res)
    if args.write:
        from common import write_block

        write_block(text, start=START, end=END)
        print("wrote the judge block of BENCHMARKS.md", file=sys.stderr)
    print(json.dumps(res) if args.json else text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
