"""Command line: ``python -m recall_core {data,train,evaluate,neighbours,synth}``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from recall_core.errors import RecallError


class ProgressBar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream, self.width, self.last = stream, width, ""

    def __call__(self, fraction: float, message: str) -> None:
        fraction = min(max(fraction, 0.0), 1.0)
        filled = int(self.width * fraction)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction * 100:5.1f}% {message}"
        if self.stream.isatty():
            self.stream.write("\r" + line[:120].ljust(len(self.last)))
            if fraction >= 1.0:
                self.stream.write("\n")
        elif message != self.last:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.last = message if not self.stream.isatty() else line[:120]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="ml-100k", help="'ml-100k' (default) or a path to a MovieLens folder")
    p.add_argument("--data-dir", default=None, help="download cache (default $RECALL_DATA_DIR or ~/.cache/vector-recall)")


def _store_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--store", default=None, help="model store (default $RECALL_STORE or ./models_store)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m recall_core", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("data", help="obtain the dataset and print its summary")
    _common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("train", help="train models and store them with their metrics")
    _common(p)
    _store_arg(p)
    p.add_argument("--models", default="all", help="comma-separated model names, or 'all'")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--if-empty", action="store_true", help="train only if the store has no model for the dataset")
    p.add_argument("--dssm-temperatures", default=None,
                   help="with dssm: comma-separated temperatures, one stored variant each (e.g. 0.02,0.05,0.1)")

    p = sub.add_parser("evaluate", help="evaluate stored models (most-popular always included)")
    _common(p)
    _store_arg(p)
    p.add_argument("--models", default="all")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("neighbours", aliases=["neighbors"], help="top-K items for an item (I2I) or a user (U2I)")
    _common(p)
    _store_arg(p)
    p.add_argument("--model", required=True)
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--item", help="item id or (part of) a title")
    g.add_argument("--user", help="user id")
    p.add_argument("-k", type=int, default=10)
    p.add_argument("--view", choices=["similar", "next"], default="similar",
                   help="I2I view: similar items, or likely next items (models with separate candidate vectors)")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("synth", help="write a synthetic MovieLens-shaped folder (ml-latest layout)")
    p.add_argument("--users", required=True, help="number of users, e.g. 610 or 16k")
    p.add_argument("--items", required=True, help="number of items, e.g. 9.7k")
    p.add_argument("--ratings", required=True, help="number of ratings, e.g. 100k or 2.5M")
    p.add_argument("--out", required=True, help="folder to write (refused if it exists and is not empty)")
    p.add_argument("--seed", default="42", help="random seed: the same seed writes the same bytes (default 42)")
    p.add_argument("--force", action="store_true", help="replace --out if it holds an earlier synth folder")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from recall_core import commands

        return getattr(commands, f"cmd_{'neighbours' if args.command == 'neighbors' else args.command}")(args)
    except RecallError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _json(obj) -> str:
    return json.dumps(obj, indent=2, default=lambda o: o.item() if hasattr(o, "item") else str(o))


def _path(p: str | None) -> Path | None:
    return Path(p) if p else None
