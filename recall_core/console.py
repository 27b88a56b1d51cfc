"""Console helpers of the command line: a progress bar, JSON output, path arguments."""
from __future__ import annotations

import json
import sys
from pathlib import Path


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


def to_json(obj) -> str:
    """Indented JSON; numpy scalars become Python numbers, anything else its ``str``."""
    return json.dumps(obj, indent=2, default=lambda o: o.item() if hasattr(o, "item") else str(o))


def path_or_none(p: str | None) -> Path | None:
    return Path(p) if p else None
