"""What every benchmark shares: the machine line, a subprocess step, and the writer of BENCHMARKS.md blocks.

It imports no other module of ``bench/`` (tests/test_layout.py fails on any import cycle inside bench/), so any
benchmark may import it, whether as ``common`` (``bench/`` on ``sys.path``) or as ``bench.common``.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from recall_core.fs import atomic_write_bytes  # noqa: E402

#: The file the benchmarks write their blocks into.
BENCHMARKS = ROOT / "BENCHMARKS.md"


def machine() -> str:
    """One line naming the machine: OS, architecture, cores, CPU model, RAM and Python version."""
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
    """Run ``cmd`` from the repository root (``PYTHONPATH`` = the root) and return its stdout; on failure, print
    the end of its stderr and stop with one line naming the command."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"bench step failed: {' '.join(cmd)}")
    return proc.stdout


def write_block(text: str, path: Path = BENCHMARKS, *, start: str, end: str) -> None:
    """Put ``text`` (which carries its own ``start`` and ``end`` markers) in place of ``path``'s block between
    ``start`` and ``end``, or append it when the file has no such block. The rest of the file is kept byte for
    byte; the file is replaced atomically (a crash leaves the old file or the new one, never half of it)."""
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    if start in old and end in old:
        new = old[:old.index(start)] + text + old[old.index(end) + len(end):]
    else:
        new = old.rstrip() + "\n\n" + text + "\n"
    atomic_write_bytes(path, new.encode("utf-8"))
