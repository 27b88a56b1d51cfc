"""What every benchmark shares: the machine line, a subprocess step, the writers of BENCHMARKS.md (one block, or a
whole new file keeping the blocks other benchmarks wrote), crash-safe text files, and the child processes' one
fit-and-score step.

It imports no other module of ``bench/`` (tests/test_layout.py fails on any import cycle inside bench/), so any
benchmark may import it, whether as ``common`` (``bench/`` on ``sys.path``) or as ``bench.common``.
"""
from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
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


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically: a temporary sibling, fsync, ``os.replace`` (a crash or a
    ``kill -9`` leaves the old file or the new one, never half of it)."""
    atomic_write_bytes(Path(path), text.encode("utf-8"))


def keep_blocks(text: str, old: str, markers) -> str:
    """``text`` followed by each block of ``old`` between a ``(start, end)`` pair of ``markers`` (in that order),
    byte for byte: the blocks other benchmarks wrote, kept when one benchmark writes the whole file anew. A pair
    that ``old`` lacks is skipped."""
    for start, end in markers:
        if start in old and end in old:
            text = text.rstrip() + "\n\n" + old[old.index(start):old.index(end) + len(end)] + "\n"
    return text


def write_keeping_blocks(text: str, markers, path: Path = BENCHMARKS) -> None:
    """Replace ``path`` with ``text`` plus the blocks of the file it replaces (:func:`keep_blocks`), atomically."""
    old = path.read_text() if path.exists() else ""
    write_text(path, keep_blocks(text, old, markers))


def arrays_digest(path: Path) -> str:
    """sha256 over the arrays of an ``.npz`` file (sorted names, dtype, shape, bytes), read with
    ``allow_pickle=False``: equal digests = equal vectors, whatever the zip's own bytes."""
    import hashlib

    import numpy as np

    h = hashlib.sha256()
    with np.load(path, allow_pickle=False) as z:
        for k in sorted(z.files):
            a = z[k]
            h.update(f"{k}:{a.dtype.str}:{a.shape}".encode())
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def fit_and_score(cls, sp, seed: int, overrides: dict, keys=("hr@10", "ndcg@10")) -> tuple[dict, object]:
    """A child process's step: ``cls(seed=seed, **overrides)`` (a model class), the global seeds set, fitted on
    ``sp.train`` (a :class:`~recall_core.data.Split`) and timed, then scored on ``sp``. Returns ``(result,
    output)``: ``result`` holds ``train_seconds`` (rounded to 0.01 s), the U2I metrics ``keys`` when the model has
    user vectors, and ``i2i_hr@10`` / ``i2i_ndcg@10`` for an I2I model; ``output`` is its
    :class:`~recall_core.models.base.RecallOutput`."""
    from recall_core.evaluation import evaluate, evaluate_i2i
    from recall_core.training import seed_everything

    m = cls(**{"seed": seed, **overrides})
    seed_everything(seed)
    t0 = time.perf_counter()
    m.fit(sp.train)
    seconds = time.perf_counter() - t0
    out = m.export()
    res = {"train_seconds": round(seconds, 2)}
    if out.has_users:
        ev = evaluate(out, sp)
        res.update({k: ev[k] for k in keys})
    if cls.i2i:
        ev = evaluate_i2i(out, sp)
        res.update({"i2i_hr@10": ev["hr@10"], "i2i_ndcg@10": ev["ndcg@10"]})
    return res, out


def block_head(start: str, title: str, command: str, what: str) -> list[str]:
    """The first lines of a BENCHMARKS.md block: its ``start`` marker, ``## title``, and one paragraph naming the
    command, the date (UTC, now), the machine (:func:`machine`) and ``what`` was measured; then a blank line."""
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return [start, "", f"## {title}", "", f"Command: {command}. Date: {now}. Machine: {machine()}. {what}", ""]


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
