"""The model store under faults: kill -9 mid-save, concurrent readers, flipped bytes, two trainings at once.

Writers run in real processes, forked from one helper process that imported
everything once (a fresh interpreter per kill would cost about a second
each). A saved model is version A or version B: its manifest (seed, config),
its vectors (all A or all B) and an extra file all say which, so a reader can
tell "old", "new", "missing" and "mixed" apart.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from filelock import FileLock

from recall_core.errors import NotTrainedError, StoreError
from recall_core.models.base import RecallOutput
from recall_core.store import (
    FORMAT_VERSION, MANIFEST, list_models, live_dir, load_model, model_dir, read_manifest, save_model,
    training_status,
)

pytestmark = [pytest.mark.slow,  # store faults: forked writers killed with SIGKILL, processes racing
              pytest.mark.skipif(not hasattr(os, "fork"), reason="writers are forked and killed with SIGKILL")]

ROOT = Path(__file__).resolve().parents[2]
A, B = 1, 2
N_ITEMS, DIM = 400, 16
NAME = "m"
DEADLINE = 60.0  # seconds: only a guard against hanging, never a measurement


class _Data:
    """The dataset attributes save_model records (a real Dataset is not needed to test the store)."""

    name = key = "faults"
    fingerprint = "0123456789abcdef"
    n_users = 0
    n_items = N_ITEMS
    interactions = ()


_OUTPUTS = {v: RecallOutput(item_ids=[f"i{i}" for i in range(N_ITEMS)],
                            item_vectors=np.full((N_ITEMS, DIM), v, np.float32)) for v in (A, B)}


def _save(store: Path, v: int) -> Path:
    def write_files(folder: Path) -> list[str]:
        (folder / "net.bin").write_bytes(bytes([v]) * 65536)  # stands in for a .keras network
        return ["net.bin"]

    return save_model(store, _Data, NAME, _OUTPUTS[v], model_class="mostpop", config={"v": v}, seed=v,
                      metrics={"v": float(v)}, write_files=write_files)


def _check(store: Path, quiet: bool = True) -> int:
    """Load the model; assert manifest, vectors and extra file are all of one version; return it.

    ``quiet``: no writer is running (the files read must still be there afterwards).
    """
    m = load_model(store, _Data.key, NAME, fingerprint=_Data.fingerprint)
    v = m.manifest["seed"]
    assert v in (A, B), m.manifest
    assert m.manifest["config"] == {"v": v} and m.metrics == {"v": float(v)}
    assert (m.output.item_vectors == v).all(), f"manifest of version {v}, vectors {np.unique(m.output.item_vectors)}"
    if quiet:
        assert (m.path / "net.bin").read_bytes() == bytes([v]) * 65536
        assert m.path == live_dir(store, _Data.key, NAME)
        assert list_models(store, _Data.key) == [NAME]
    return v


def _entries(store: Path) -> list[str]:
    return sorted(p.name for p in model_dir(store, _Data.key, NAME).iterdir())


def _assert_clean(store: Path) -> None:
    """After a completed save: the live manifest, the lock and one version, nothing else."""
    names = _entries(store)
    assert len(names) == 3 and names[:2] == [".lock", MANIFEST] and names[2].startswith("v-"), names


def _write_flat(store: Path, v: int) -> Path:
    """A model in the old flat layout (format 1: files beside the manifest, no checksums)."""
    scratch = store / ".scratch"
    version = _save(scratch, v)
    flat = model_dir(store, _Data.key, NAME)
    flat.mkdir(parents=True)
    man = read_manifest(version)
    for f in man["files"]:
        (flat / f).write_bytes((version / f).read_bytes())
    man = {k: x for k, x in man.items() if k not in ("sha256", "version")} | {"format_version": 1}
    (flat / MANIFEST).write_text(json.dumps(man))
    shutil.rmtree(scratch)
    return flat


def _wait_for(cond, what: str):
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        got = cond()
        if got:
            return got
        time.sleep(0.01)
    raise AssertionError(f"gave up waiting for {what}")


# --------------------------------------------------------------------------- a fork server for real writer processes

def _job_save_loop(store: str, first: int) -> None:
    v = first
    for _ in range(100_000):
        _save(Path(store), v)
        v = A + B - v


def _job_crash_at(store: str, k: int, v: int) -> None:
    """Save version ``v`` once, SIGKILLing itself just before the ``k``-th file-system step."""
    calls = [0]

    def wrap(fn):
        def step(*args, **kwargs):
            if calls[0] == k:
                os.kill(os.getpid(), signal.SIGKILL)
            calls[0] += 1
            return fn(*args, **kwargs)
        return step

    for name in ("fsync", "rename", "replace", "unlink", "rmdir", "mkdir"):
        setattr(os, name, wrap(getattr(os, name)))
    _save(Path(store), v)


def _log(path: str, line: str) -> None:
    with open(path, "a") as f:  # O_APPEND: lines of several processes never mix
        f.write(line.replace("\n", " ") + "\n")


def _job_train(store: str, log: str, names: list[str], lock_timeout: float, gate: str | None = None) -> None:
    """``train_models`` on the planted data, logging every progress message as ``<pid> <message>``.

    With ``gate``: at its first message (the lock held), log ``<pid> holding`` and
    wait until the file ``gate`` exists.
    """
    from recall_core.training import TrainJob, train_models

    me, gated = os.getpid(), [gate is None]

    def progress(fraction: float, message: str) -> None:
        _log(log, f"{me} {message}")
        if not gated[0] and not message.startswith("waiting"):
            _log(log, f"{me} holding")
            _wait_for(lambda: os.path.exists(gate), "the gate")
            gated[0] = True

    try:
        train_models(_SERVER["planted"], [TrainJob("mostpop", name=n) for n in names], store,
                     progress=progress, lock_timeout=lock_timeout, maps=False)  # the lock, not the maps
    except StoreError as e:
        _log(log, f"{me} refused: {e}")
        os._exit(3)


_SERVER: dict = {}


def _planted():
    from recall_core.data.planted import planted_dataset

    return planted_dataset(n_clusters=2, items_per_cluster=6, users_per_cluster=5, history=4)


def _serve() -> None:
    """Read ``{"op": "fork", "job": ..., "args": [...]}`` / ``{"op": "wait", "pid": n}`` lines; answer JSON lines."""
    from recall_core.models import get_model_class
    from recall_core.data.split import split_for

    _SERVER["planted"] = _planted()
    split_for(_SERVER["planted"])
    get_model_class("mostpop")
    out = sys.stdout
    for line in sys.stdin:
        req = json.loads(line)
        if req["op"] == "fork":
            out.flush()
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    devnull = os.open(os.devnull, os.O_RDWR)
                    os.dup2(devnull, 0)
                    os.dup2(devnull, 1)
                    globals()[f"_job_{req['job']}"](*req["args"])
                except BaseException:  # noqa: BLE001 (report, then leave without running the server's cleanup)
                    import traceback

                    traceback.print_exc()
                    code = 1
                finally:
                    os._exit(code)
            out.write(json.dumps({"pid": pid}) + "\n")
        elif req["op"] == "wait":
            _, status = os.waitpid(req["pid"], 0)
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            out.write(json.dumps({"signal": sig, "code": os.WEXITSTATUS(status) if sig is None else None}) + "\n")
        out.flush()


class Forker:
    def __init__(self):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        self.proc = subprocess.Popen([sys.executable, "-c", "import tests.store.test_store_faults as t; t._serve()"],
                                     cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.children: set[int] = set()

    def _ask(self, req: dict) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, "the fork server died (see its stderr above)"
        return json.loads(line)

    def start(self, job: str, *args) -> int:
        pid = self._ask({"op": "fork", "job": job, "args": list(args)})["pid"]
        self.children.add(pid)
        return pid

    def wait(self, pid: int) -> dict:
        res = self._ask({"op": "wait", "pid": pid})
        self.children.discard(pid)
        return res

    def kill(self, pid: int) -> dict:
        os.kill(pid, signal.SIGKILL)
        return self.wait(pid)

    def close(self):
        for pid in list(self.children):  # only our own children, by pid
            try:
                self.kill(pid)
            except (OSError, AssertionError):
                pass
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def forker():
    f = Forker()
    yield f
    f.close()


# --------------------------------------------------------------------------- kill -9 while saving

def test_sigkill_at_random_points_leaves_old_or_new_model(forker, tmp_path):
    """25 writers that alternate A and B in a tight loop, each killed after 0-200 ms.

    (The step-by-step test below covers every point of a save deterministically;
    this one kills wherever the timing falls, file writes included.)
    """
    rng = random.Random(9)
    _save(tmp_path, A)
    seen, interrupted = [], 0
    for _ in range(25):
        before = _check(tmp_path)
        pid = forker.start("save_loop", str(tmp_path), A + B - before)
        time.sleep(rng.uniform(0.0, 0.2))
        assert forker.kill(pid)["signal"] == signal.SIGKILL  # killed, not finished or crashed
        seen.append(_check(tmp_path))  # loads; one whole version: never missing, never mixed
        interrupted += len(_entries(tmp_path)) > 3  # killed mid-save: leftovers
    print(f"after 25 kills: {seen.count(A)} x A, {seen.count(B)} x B, {interrupted} with leftovers")
    assert interrupted > 0  # the kills did land inside saves
    _save(tmp_path, A)  # the next save removes every leftover
    assert _check(tmp_path) == A
    _assert_clean(tmp_path)


@pytest.mark.parametrize("layout", ["versioned", "flat"])
def test_sigkill_before_every_step_of_a_save(forker, tmp_path, layout):
    """A save of B over A, killed just before its k-th fsync/rename/replace/mkdir/unlink/rmdir, for every k.

    The model is A up to one step (the replace of the manifest) and B from then on;
    the next save always works and cleans up. ``flat``: A is in the old layout, so
    the save is a migration.
    """
    store = tmp_path / "store"
    template = tmp_path / "flat"
    if layout == "flat":
        _write_flat(template, A)
    seen, k = [], 0
    while True:
        if layout == "flat":
            shutil.rmtree(store, ignore_errors=True)
            shutil.copytree(template, store)
        elif k == 0:
            _save(store, A)
        assert _check(store) == A
        res = forker.wait(forker.start("crash_at", str(store), k, B))
        if res["signal"] is None:  # k is past the last step: the save completed
            assert res["code"] == 0
            assert _check(store) == B
            _assert_clean(store)
            break
        assert res["signal"] == signal.SIGKILL
        seen.append(_check(store))
        _save(store, A)
        assert _check(store) == A
        _assert_clean(store)
        k += 1
        assert k < 200, "a save should not take 200 steps"
    assert seen == sorted(seen) and seen[0] == A and seen[-1] == B, seen  # A...A B...B: one switch


def test_readers_during_saves_see_whole_versions(forker, tmp_path):
    """A reader loading while another process saves A and B in a loop always gets one whole version."""
    _save(tmp_path, A)
    pid = forker.start("save_loop", str(tmp_path), B)
    seen, loads = set(), 0
    end = time.monotonic() + DEADLINE
    while (loads < 100 or seen != {A, B}) and time.monotonic() < end:
        seen.add(_check(tmp_path, quiet=False))
        loads += 1
    forker.kill(pid)
    _check(tmp_path)
    assert seen == {A, B}


# --------------------------------------------------------------------------- checksums and damage

def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_flipped_byte_in_vectors_is_a_store_error(tmp_path):
    path = _save(tmp_path, A)
    man = read_manifest(path)
    assert man["format_version"] == FORMAT_VERSION and set(man["sha256"]) == {"arrays.npz", "net.bin"}
    raw = (path / "arrays.npz").read_bytes()
    # a byte inside the stored vectors (A = 1.0 = 00 00 80 3f), so the file still parses
    _flip(path / "arrays.npz", raw.index(np.full(DIM, A, np.float32).tobytes()) + 5)
    with pytest.raises(StoreError, match=r"damaged arrays\.npz: checksum mismatch .*retrain it"):
        load_model(tmp_path, _Data.key, NAME)


def test_valid_arrays_of_another_version_are_refused(tmp_path):
    """A well-formed arrays.npz that is not the one the manifest vouches for: only the checksum can tell."""
    a = _save(tmp_path / "a", A)
    b = _save(tmp_path / "b", B)
    (a / "arrays.npz").write_bytes((b / "arrays.npz").read_bytes())
    with pytest.raises(StoreError, match=r"damaged arrays\.npz: checksum mismatch"):
        load_model(tmp_path / "a", _Data.key, NAME)


def test_damaged_extra_file_missing_version_and_mixed_manifests(tmp_path):
    path = _save(tmp_path, A)
    _flip(path / "net.bin", 100)
    with pytest.raises(StoreError, match=r"net\.bin: damaged net\.bin: checksum mismatch"):
        load_model(tmp_path, _Data.key, NAME)
    (path / "net.bin").unlink()
    with pytest.raises(StoreError, match="net.bin is missing"):
        load_model(tmp_path, _Data.key, NAME)
    # the version copy of the manifest from another version: a mix, refused
    path = _save(tmp_path, A)
    other = read_manifest(path) | {"seed": B}
    (path / MANIFEST).write_text(json.dumps(other))
    with pytest.raises(StoreError, match="mixed versions"):
        load_model(tmp_path, _Data.key, NAME)
    shutil.rmtree(path)
    with pytest.raises(StoreError, match="live version of 'm' is missing"):
        load_model(tmp_path, _Data.key, NAME)
    with pytest.raises(NotTrainedError, match="not in the store"):
        load_model(tmp_path, _Data.key, "other")


def test_flat_layout_loads_without_checksums_and_migrates_on_save(tmp_path):
    damaged = _write_flat(tmp_path / "damaged", A)
    raw = (damaged / "arrays.npz").read_bytes()
    _flip(damaged / "arrays.npz", raw.index(np.full(DIM, A, np.float32).tobytes()) + 5)
    with pytest.raises(StoreError, match="damaged arrays"):  # no checksum, but the zip's CRC: still a StoreError
        load_model(tmp_path / "damaged", _Data.key, NAME)
    flat = _write_flat(tmp_path, A)
    assert _check(tmp_path) == A and load_model(tmp_path, _Data.key, NAME).path == flat
    (flat / "umap-items-nn15-md0.1-s42.npz").write_bytes(b"a cached map")
    _save(tmp_path, B)
    assert _check(tmp_path) == B
    _assert_clean(tmp_path)  # the flat files and the old map are gone


# --------------------------------------------------------------------------- one writer at a time

def _lines(log: Path) -> list[tuple[int, str]]:
    if not log.exists():
        return []
    return [(int(p), m) for p, _, m in (line.partition(" ") for line in log.read_text().splitlines())]


def test_second_training_waits_third_refuses_and_nothing_interleaves(forker, tmp_path):
    store, log, gate = tmp_path / "store", tmp_path / "log", tmp_path / "gate"
    key = _planted().key
    assert training_status(store, key) is None
    first = forker.start("train", str(store), str(log), ["a1", "a2"], 60.0, str(gate))
    _wait_for(lambda: (first, "holding") in _lines(log), "the first training to hold the lock")
    status = training_status(store, key)
    assert status["pid"] == first and status["command"] and status["started_at"]

    second = forker.start("train", str(store), str(log), ["b1", "b2"], 60.0)
    _wait_for(lambda: any(p == second and m.startswith(f"waiting for training by pid {first} started at ")
                          for p, m in _lines(log)), "the second training to report that it waits")
    third = forker.start("train", str(store), str(log), ["c1"], 0.0)
    assert forker.wait(third)["code"] == 3
    refusal = [m for p, m in _lines(log) if p == third]
    assert len(refusal) == 1 and refusal[0].startswith("refused: ")  # at once: no "waiting" first
    assert f"training by pid {first} started at " in refusal[0] and "try again" in refusal[0]
    assert all(m.startswith("waiting") for p, m in _lines(log) if p == second)  # still only waiting
    assert list_models(store, key) == []

    gate.touch()
    assert forker.wait(first) == {"signal": None, "code": 0}
    assert forker.wait(second) == {"signal": None, "code": 0}
    lines = [(p, m) for p, m in _lines(log) if p in (first, second) and not m.startswith("waiting")]
    order = [p for p, _ in lines]
    assert order == sorted(order, key=lambda p: p != first)  # all of the first run, then all of the second
    assert [m for p, m in lines if m.endswith("stored")] == ["a1: stored", "a2: stored", "b1: stored", "b2: stored"]
    assert list_models(store, key) == ["a1", "a2", "b1", "b2"]
    assert training_status(store, key) is None
    assert not (store / key / ".training.json").exists()


def test_killed_training_releases_the_lock_and_its_stale_owner_file_is_ignored(forker, tmp_path):
    store, log, gate = tmp_path / "store", tmp_path / "log", tmp_path / "gate"
    key = _planted().key
    pid = forker.start("train", str(store), str(log), ["a1"], 60.0, str(gate))
    _wait_for(lambda: (pid, "holding") in _lines(log), "the training to hold the lock")
    assert training_status(store, key)["pid"] == pid
    forker.kill(pid)
    owner = json.loads((store / key / ".training.json").read_text())
    assert owner["pid"] == pid  # left behind by the killed process...
    assert training_status(store, key) is None  # ...and ignored: the lock is free
    # the lock held (by a holder that has not yet written its owner file): the dead pid is not reported
    held = FileLock(store / key / ".lock")
    held.acquire()
    try:
        assert training_status(store, key) == {"pid": None, "started_at": None, "host": None, "command": None}
    finally:
        held.release()
    # a new training takes the store at once, even refusing to wait
    again = forker.start("train", str(store), str(log), ["a1"], 0.0)
    assert forker.wait(again) == {"signal": None, "code": 0}
    assert list_models(store, key) == ["a1"]




def test_lock_is_reentrant_in_a_thread_and_excludes_other_threads(tmp_path):
    """Two Streamlit sessions are two threads of one process: they exclude each other too."""
    import threading

    from recall_core.store import training_lock
    from recall_core.training import train_models

    ds = _planted()
    errors = []
    with training_lock(tmp_path, ds.key):
        assert training_status(tmp_path, ds.key)["pid"] == os.getpid()
        train_models(ds, ["mostpop"], tmp_path, lock_timeout=0)  # the same thread: no deadlock
        other = threading.Thread(target=lambda: errors.append(_refusal(tmp_path, ds)))
        other.start()
        other.join()
    assert errors and f"training by pid {os.getpid()}" in errors[0]
    assert list_models(tmp_path, ds.key) == ["mostpop"] and training_status(tmp_path, ds.key) is None


def _refusal(store: Path, ds) -> str:
    from recall_core.training import train_models

    try:
        train_models(ds, ["mostpop"], store, lock_timeout=0)
    except StoreError as e:
        return str(e)
    return "trained"
