"""The judgments database under load and faults: five writers at once, and kill -9 in the middle of writes.

Writers are real processes (``python -c``, importing only recall_core.judge.db), each opening a connection and a
transaction per write, as the app does per click.

* Five processes × 500 judgments, started at the same moment: all 2,500 are stored, none twice.
* Twenty times: a writer stores batches (of 1 and of 50 rows, in one transaction each) and logs each batch after
  its commit; it is killed with SIGKILL at a random moment. The file must then pass SQLite's integrity check,
  hold every logged batch, hold each batch whole or not at all, and take new writes.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from recall_core.judge.db import Dataset, JudgmentDB
from recall_core.judge.probes import Probe

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")]

ROOT = Path(__file__).resolve().parents[2]
DS = Dataset("storage", "0123456789abcdef", "the storage test's data")
DEADLINE = 120.0  # seconds: a guard against hanging, never a measurement

WRITER = r"""
import os, sys, time
from pathlib import Path
from recall_core.judge.db import Dataset, JudgmentDB, graded_row
from recall_core.judge.probes import Probe
path, judge, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
db = JudgmentDB(Path(path), Dataset("storage", "0123456789abcdef"))
Path(go + "-" + judge).write_text("ready")
while not os.path.exists(go):
    time.sleep(0.001)
for i in range(n):
    db.add_graded(judge, Probe(f"item:{i % 37}", "item", str(i % 37)), str(i), i % 3, probe_set="load")
"""

KILLED = r"""
import os, sys
from pathlib import Path
from recall_core.judge.db import Dataset, JudgmentDB, graded_row
from recall_core.judge.probes import Probe
path, tag, log = sys.argv[1], sys.argv[2], sys.argv[3]
db = JudgmentDB(Path(path), Dataset("storage", "0123456789abcdef"))
fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
os.write(fd, b"ready\n")
batch = 0
while True:
    size = 50 if batch % 2 else 1
    session = f"{tag}-{batch}"
    rows = [graded_row(tag, Probe(f"user:{j}", "user", str(j)), str(batch), j % 3, probe_set=None,
                       name_source="typed", session=session, fingerprint="0123456789abcdef") for j in range(size)]
    db.add_rows(rows)
    os.write(fd, f"{session} {size}\n".encode())  # after the commit returned
    batch += 1
"""


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def test_five_writers_at_once_lose_nothing(tmp_path):
    path, go = tmp_path / "judgments.sqlite", tmp_path / "go"
    JudgmentDB(path, DS).create_probe_set("load", [Probe("item:0", "item", "0")])  # the file exists: no race to make it
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{i}", "500", str(go)], cwd=ROOT,
                              env=_env(), stderr=subprocess.PIPE, text=True) for i in range(5)]
    try:
        end = time.monotonic() + DEADLINE
        while not all((tmp_path / f"go-w{i}").exists() for i in range(5)):  # every writer waits at the gate
            assert time.monotonic() < end and all(p.poll() is None for p in procs), "a writer did not start"
            time.sleep(0.01)
        go.write_text("go")
        for p in procs:
            _, err = p.communicate(timeout=DEADLINE)
            assert p.returncode == 0, err[-2000:]
    finally:
        for p in procs:  # only the processes started here
            if p.poll() is None:
                p.kill()
                p.wait()
    db = JudgmentDB(path, DS)
    rows = db.rows()
    assert len(rows) == 2500 and len({r["id"] for r in rows}) == 2500
    for i in range(5):
        mine = [r for r in rows if r["judge"] == f"w{i}"]
        assert sorted(int(r["item_id"]) for r in mine) == list(range(500))
    assert db.integrity() == "ok"
    # the writers' transactions interleaved (they ran at once), and no row is out of its writer's order
    first = [r["judge"] for r in rows[:200]]
    assert len(set(first)) > 1
    for i in range(5):
        ids = [r["id"] for r in rows if r["judge"] == f"w{i}"]
        items = [int(r["item_id"]) for r in sorted((r for r in rows if r["judge"] == f"w{i}"), key=lambda r: r["id"])]
        assert items == list(range(500)) and ids == sorted(ids)


def test_kill_9_during_writes_never_damages_the_file(tmp_path):
    path = tmp_path / "judgments.sqlite"
    rng = random.Random(18)
    db = JudgmentDB(path, DS)
    for round_ in range(20):
        log = tmp_path / f"log-{round_}"
        tag = f"k{round_}"
        p = subprocess.Popen([sys.executable, "-c", KILLED, str(path), tag, str(log)], cwd=ROOT, env=_env(),
                             stderr=subprocess.PIPE, text=True)
        try:
            end = time.monotonic() + DEADLINE
            while not (log.exists() and len(log.read_text().splitlines()) >= 2):  # its first batch is in
                assert p.poll() is None, p.stderr.read()[-2000:]
                assert time.monotonic() < end, "the writer never started"
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(p.pid, signal.SIGKILL)
            p.wait(timeout=DEADLINE)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        assert p.returncode == -signal.SIGKILL
        logged = [ln.split() for ln in log.read_text().splitlines()[1:] if ln.strip()]
        assert db.integrity() == "ok"
        rows = [r for r in db.rows() if r["judge"] == tag]
        sizes: dict[str, int] = {}
        for r in rows:
            sizes[r["session"]] = sizes.get(r["session"], 0) + 1
        for session, size in logged:  # every committed batch is there, whole
            assert sizes.get(session) == int(size), (round_, session, sizes.get(session))
        extra = set(sizes) - {s for s, _ in logged}
        assert len(extra) <= 1  # at most the batch committed between its commit and its log line
        for session in extra:
            assert sizes[session] == (50 if int(session.split("-")[1]) % 2 else 1)  # whole, never a part
    db.add_graded("after", Probe("item:0", "item", "0"), "0", 2)  # and it takes new writes
    assert db.current_graded(judge="after")[0]["grade"] == 2 and db.integrity() == "ok"
