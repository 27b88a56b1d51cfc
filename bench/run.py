"""`make bench`: measure every model on ML-100K and rewrite BENCHMARKS.md.

Each model is trained in its own process (so peak memory is that model's),
into a scratch store under .bench/, then evaluated with the project's one
protocol. Also: the DSSM temperature sweep, the EGES cold-start genre overlap,
the app's page timings (AppTest) against the trained store, and time-to-settled
per page in headless Chromium beside a floor page (bench/browser_timings.py).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from recall_core.models.base import model_names  # noqa: E402

STORE = ROOT / ".bench" / "store"
TEMPERATURES = "0.02,0.05,0.1,0.2,0.5,1.0"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal"))
        mem_s = f"{mem / 1024 / 1024:.0f} GiB RAM"
    except (OSError, StopIteration):
        mem_s = "unknown RAM"
    return f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {mem_s}, Python {platform.python_version()}"


def run(cmd: list[str]) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"bench step failed: {' '.join(cmd)}")
    return proc.stdout


def train_all() -> dict:
    runs = {}
    for model in model_names():
        print(f"training {model} ...", file=sys.stderr, flush=True)
        out = run([sys.executable, "bench/_train_one.py", model, str(STORE)])
        runs[model] = json.loads(out.strip().splitlines()[-1])
    print("training the DSSM temperature variants ...", file=sys.stderr, flush=True)
    out = run([sys.executable, "bench/_train_one.py", "dssm", str(STORE), TEMPERATURES])
    runs["dssm-sweep"] = json.loads(out.strip().splitlines()[-1])
    return runs


def evaluate() -> dict:
    out = run([sys.executable, "-m", "recall_core", "evaluate", "--store", str(STORE), "--json"])
    return json.loads(out)


def cold_start() -> dict:
    from recall_core.data import load_dataset
    from recall_core.evaluation.cold_start import cold_start_genre_overlap

    return cold_start_genre_overlap(load_dataset("ml-100k"), seed=0)


def i2i_spaces() -> dict:
    """I2I HR@10 / NDCG@10 of each skip-gram model's candidate spaces, read from the stored vectors (no retraining).

    in = input (centre) vectors, out = output (context) vectors; the stored
    ``similar`` space of item2vec and airbnb is l2n(in) + l2n(out), EGES's is H.
    """
    from recall_core.data import load_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import evaluate_i2i
    from recall_core.models.base import RecallOutput, l2_normalize
    from recall_core.store import load_model

    ds = load_dataset("ml-100k")
    split = split_for(ds)
    out = {}
    for name in ("item2vec", "eges", "airbnb"):
        o = load_model(STORE, ds.key, name).output
        q, c = o.pair_query_vectors, o.candidates
        spaces = {"in" if name != "eges" else "H": q, "out" if name != "eges" else "Z": c,
                  "l2n(in) + l2n(out)" if name != "eges" else "l2n(H) + l2n(Z)": l2_normalize(q) + l2_normalize(c)}
        out[name] = {}
        for label, vecs in spaces.items():
            r = evaluate_i2i(RecallOutput(item_ids=o.item_ids, item_vectors=vecs, metric="cosine",
                                          item_known=o.item_known), split)
            out[name][label] = {"hr@10": r["hr@10"], "ndcg@10": r["ndcg@10"],
                                "stored": bool(np_equal(vecs, o.item_vectors))}
    return out


def np_equal(a, b) -> bool:
    import numpy as np

    return a.shape == b.shape and bool(np.allclose(a, b))


def app_timings() -> dict:
    # Its own process: TensorFlow's and numba's thread pools from the steps above would slow the app down.
    out = run([sys.executable, "bench/app_timings.py", "--store", str(STORE), "--dataset", "ml-100k", "--json"])
    return json.loads(out.strip().splitlines()[-1])


def browser_timings() -> dict | None:
    """Time-to-settled per page in headless Chromium beside the floor page (bench/browser_timings.py)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from screenshots import chromium_path

    if chromium_path() is None:
        print("chromium not found: no browser timings (apt-get install -y chromium)", file=sys.stderr)
        return None
    out = run([sys.executable, "bench/browser_timings.py", "--store", str(STORE), "--dataset", "ml-100k", "--json"])
    return json.loads(out.strip().splitlines()[-1])


def fmt(x, nd=4):
    return "-" if x is None else f"{x:.{nd}f}"


def render(runs: dict, ev: dict, cs: dict, app: dict, spaces: dict, browser: dict | None = None) -> str:
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        f"Command: `make bench` (runs `python bench/run.py`). Date: {now}. Machine: {machine()}.",
        "",
        f"Protocol: {ev['protocol']}",
        "",
        "Every model is trained once with seed 42 in its own process; seconds are the `fit` time, peak memory is "
        "the process's maximum resident set (data loading included).",
        "",
        "## Models on ML-100K",
        "",
        "| model | HR@10 | NDCG@10 | Recall@20 | HR@50 | MRR | coverage@10 | distinct top-10 lists | I2I HR@10 | train s | peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m in ev["models"].items():
        r = runs.get(name) if "@" not in name else None
        peak = fmt(r["peak_rss_mb"], 0) if r else "-"
        lines.append(
            f"| {name} | {fmt(m['hr@10'])} | {fmt(m['ndcg@10'])} | {fmt(m['recall@20'])} | {fmt(m['hr@50'])} | "
            f"{fmt(m['mrr'])} | {fmt(m['coverage@10'], 3)} | {m.get('distinct_lists@10', '-')} | "
            f"{fmt(m.get('i2i', {}).get('hr@10'))} | {fmt(m.get('train_seconds'), 1)} | {peak} |"
        )
    lines += ["", "## DSSM temperature sweep", "", "| variant | τ | HR@10 | NDCG@10 | coverage@10 | distinct top-10 lists |",
              "|---|---|---|---|---|---|"]
    for name, m in ev["models"].items():
        if name == "dssm" or name.startswith("dssm@"):
            tau = name.split("@t")[1] if "@t" in name else "default"
            lines.append(f"| {name} | {tau} | {fmt(m['hr@10'])} | {fmt(m['ndcg@10'])} | {fmt(m['coverage@10'], 3)} | "
                         f"{m.get('distinct_lists@10', '-')} |")
    lines += ["", "## I2I space", "",
              "Which vectors the I2I \"similar\" view searches, for the three skip-gram models, judged by I2I HR@10 "
              "(query: the user's last training film; is the test film among its 10 nearest?). Read from the stored "
              "vectors, cosine; the row marked *stored* is the model's `similar` view.", "",
              "| model | space | I2I HR@10 | I2I NDCG@10 | stored |", "|---|---|---|---|---|"]
    for name, rows in spaces.items():
        for label, r in rows.items():
            lines.append(f"| {name} | {label} | {fmt(r['hr@10'])} | {fmt(r['ndcg@10'])} | "
                         f"{'*stored*' if r['stored'] else ''} |")
    lines += ["", "## EGES cold start", "",
              "Items held out of training entirely, embedded from side information alone; genre overlap@10 of their "
              "nearest real movies against random movies.", "", "```", json.dumps(cs, indent=2), "```",
              "", "## App speed (AppTest, trained ML-100K store)", "",
              "| page | first render s | interaction | interaction s |", "|---|---|---|---|"]
    for page, t in app.items():
        lines.append(f"| {page} | {fmt(t.get('first_render'), 3)} | {t.get('interaction', '-')} | "
                     f"{fmt(t.get('interaction_seconds'), 3)} |")
    lines += ["", "AppTest times the script only. What a viewer waits for is below.", "",
              "## App speed in a browser (headless Chromium, trained ML-100K store)", ""]
    if browser is None:
        lines.append("Not measured: Chromium was not found.")
    else:
        from browser_timings import QUIET, table_lines

        lines += [f"Command: `python bench/browser_timings.py --store .bench/store` (part of `make bench`). "
                  f"Time-to-settled: from the navigation start (a page) or the key or pointer press (an interaction) "
                  f"until the script has finished, no skeleton, spinner, running indicator or stale element is left, "
                  f"every visible chart and table is drawn, and nothing changes for {QUIET} s (not counted); the "
                  f"median of {browser['rounds']} runs. The floor page is one table and one chart served the same "
                  "way: Streamlit's own cost on this machine. Targets: a page within the floor + 1.5 s, an "
                  "interaction within 1 s, five sessions at once each within 2x its single-session time.", "",
                  *table_lines(browser)]
    return "\n".join(lines) + "\n"


def main() -> None:
    runs = train_all()
    ev = evaluate()
    app = app_timings()
    browser = browser_timings()
    cs = cold_start()
    spaces = i2i_spaces()
    (ROOT / ".bench").mkdir(exist_ok=True)
    (ROOT / ".bench" / "raw.json").write_text(json.dumps({"runs": runs, "evaluate": ev, "cold_start": cs,
                                                           "app": app, "browser": browser, "i2i_spaces": spaces},
                                                          indent=2, default=str))
    (ROOT / "BENCHMARKS.md").write_text(render(runs, ev, cs, app, spaces, browser))
    print("wrote BENCHMARKS.md", file=sys.stderr)


if __name__ == "__main__":
    main()
