"""The app in Chinese against the app in English: AppTest page times on a trained store (``make app-lang``).

Runs ``bench/app_timings.py --lang en`` and ``--lang zh`` in fresh processes, alternating (en, zh, en, zh, ...),
``--rounds`` times each, and writes the median seconds of every row (a page's first render, its interaction)
in both languages, with their ratio, as the ``app-lang`` block of BENCHMARKS.md. What it answers: whether reading
the page in Chinese costs the reader time (the Chinese labels of the pickers are built once per language, the
Chinese model texts are looked up per run). Run it under the shared CPU lock::

    flock /tmp/vre-heavy.lock .venv/bin/python bench/app_lang.py [--store models_store] [--rounds 3]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

START, END = "<!-- app-lang:start -->", "<!-- app-lang:end -->"
LANGS = ("en", "zh")


def measure(store: Path, dataset: str, rounds: int) -> dict[str, dict[str, list[float]]]:
    """``{lang: {row: [seconds per round]}}`` (rows ``<page> · first render`` and ``<page> · <interaction>``)."""
    from bench.common import run

    out: dict[str, dict[str, list[float]]] = {lang: {} for lang in LANGS}
    for _ in range(rounds):
        for lang in LANGS:
            res = json.loads(run([sys.executable, "bench/app_timings.py", "--store", str(store), "--dataset", dataset,
                                  "--lang", lang, "--json"]).strip().splitlines()[-1])
            for page, t in res.items():
                if page.startswith("embedding maps: first UMAP"):
                    continue  # computed once per store, not per language
                if t.get("first_render") is not None:
                    out[lang].setdefault(f"{page} · first render", []).append(t["first_render"])
                if t.get("interaction_seconds") is not None:
                    out[lang].setdefault(f"{page} · {t['interaction'].split(' (target')[0]}", []).append(
                        t["interaction_seconds"])
    return out


def render(times: dict, command: str, machine: str, date: str, rounds: int) -> str:
    rows = [r for r in times["en"] if r in times["zh"]]
    lines = [START, "## The app in Chinese (AppTest)", "",
             f"Command: `{command}`. Date: {date}. Machine: {machine}. Each row: the median of {rounds} runs of "
             "`bench/app_timings.py` per language, each in a fresh process, the languages alternating (the same "
             "pages, picks and interactions; `--lang zh` opens every session with `?lang=zh`). Seconds of AppTest "
             "script time, not browser time.", "",
             "| page · what | English s (min–max) | Chinese s (min–max) | zh / en | ranges overlap |",
             "|---|---|---|---|---|"]
    ratios, overlaps = [], 0
    for r in rows:
        e, z = times["en"][r], times["zh"][r]
        en, zh = statistics.median(e), statistics.median(z)
        ratio = zh / en if en > 0 else float("nan")
        ratios.append(ratio)
        overlap = min(max(e), max(z)) >= max(min(e), min(z))
        overlaps += overlap
        lines.append(f"| {r} | {en:.3f} ({min(e):.3f}–{max(e):.3f}) | {zh:.3f} ({min(z):.3f}–{max(z):.3f}) | "
                     f"{ratio:.2f} | {'yes' if overlap else 'no'} |")
    if ratios:
        lines += ["", f"Median zh / en over the {len(ratios)} rows: {statistics.median(ratios):.2f} "
                      f"(from {min(ratios):.2f} to {max(ratios):.2f}); the two languages' ranges over the runs overlap "
                      f"in {overlaps} of {len(ratios)} rows."]
    lines.append(END)
    return "\n".join(lines)


def main() -> int:
    from bench.common import machine, write_block

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    from recall_core.store import DEFAULT_STORE
    ap.add_argument("--store", default=str(ROOT / DEFAULT_STORE))
    ap.add_argument("--dataset", default="ml-100k")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-write", action="store_true", help="print the block, leave BENCHMARKS.md alone")
    args = ap.parse_args()
    times = measure(Path(args.store), args.dataset, args.rounds)
    raw = ROOT / ".bench" / "app_lang.json"  # every run's seconds, for a second look
    raw.parent.mkdir(exist_ok=True)
    raw.write_text(json.dumps(times, indent=1))
    command = f"python bench/app_lang.py --rounds {args.rounds}"
    block = render(times, command, machine(), dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                   args.rounds)
    print(block)
    if not args.no_write:
        write_block(block, start=START, end=END)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
