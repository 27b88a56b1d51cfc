"""Cross-process locks on the store: one training per dataset, one writer per model.

* ``<store>/<dataset key>/.lock`` is held for a whole training run
  (:func:`training_lock`, taken by :func:`recall_core.training.train_models`).
  While it is held, ``<store>/<dataset key>/.training.json`` says who holds
  it (``pid``, ``host``, ``started_at``, ``command``); :func:`training_status`
  reads it for the app.
* ``<store>/<dataset key>/<model>/.lock`` is held by
  :func:`~recall_core.store.save_model` while it publishes a version and removes
  the old ones, so direct ``save_model`` calls are safe too.
* ``<store>/<dataset key>/.tuning/studies.lock`` (:func:`study_lock`) is held
  for a moment by a tuning process while it counts a study's trials and starts
  the next one, so processes sharing a study never exceed its budget.

Locks are ``flock`` locks (the ``filelock`` package): the kernel releases them
when their process dies, however it dies, so a killed training never leaves
the store locked. The owner file can outlive a killed holder; it is trusted
only while the lock is actually held.

The training lock is re-entrant within a thread (code holding it may call
``train_models``); two threads or two processes exclude each other.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import socket
import sys
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Callable, Iterator

from filelock import FileLock, Timeout

from recall_core.errors import StoreError
from recall_core.fs import atomic_write_bytes, makedirs
from recall_core.processes import pid_alive

LOCK = ".lock"
OWNER = ".training.json"
#: how long a second training waits for the first one by default (seconds)
TRAIN_LOCK_TIMEOUT = 30 * 60.0
#: a refusing writer (timeout 0) still tries this long, so that a status probe does not make it fail
_MIN_WAIT = 1.0
_POLL = 0.25

_held = threading.local()


def _held_paths() -> set[str]:
    if not hasattr(_held, "paths"):
        _held.paths = set()
    return _held.paths


    return True


def _read_owner(folder: Path) -> dict:
    return _read_json(Path(folder) / OWNER)


def _describe(info: dict) -> str:
    if not info.get("pid"):
        return "another process"
    text = f"pid {info['pid']}"
    if info.get("host") and info["host"] != socket.gethostname():
        text += f" on {info['host']}"
    if info.get("started_at"):
        text += f" started at {info['started_at']}"
    if info.get("command"):
        text += f" ({info['command']})"
    return text


def training_status(store: Path, dataset_key: str) -> dict | None:
    """``{"pid", "started_at", "host", "command"}`` of the training running on this store and dataset, else ``None``.

    Asks the lock itself (a non-blocking try), so a stale owner file left by a
    killed training is ignored. ``pid``/``started_at`` are ``None`` when the
    holder has not written its owner file yet, or it names a dead process.
    Never creates files or folders unless the dataset folder and its lock file
    already exist.
    """
    folder = Path(store) / dataset_key
    path = folder / LOCK
    if not path.is_file():
        return None
    if str(path) not in _held_paths():
        probe = FileLock(path)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            pass  # held by someone else: a training is running
        except OSError:
            return None  # unreadable lock file (read-only store...): nobody can be training into it
        else:
            probe.release()
            return None
    info = _read_owner(folder)
    pid = info.get("pid") if isinstance(info.get("pid"), int) else None
    if pid is not None and info.get("host") in (None, socket.gethostname()) and not pid_alive(pid):
        info = {}  # left by an earlier, killed training; the new holder has not written its own yet
    return {"pid": info.get("pid"), "started_at": info.get("started_at"), "host": info.get("host"),
            "command": info.get("command")}


def _command() -> str:
    """The command line, short: ``python -m recall_core train ...``, ``streamlit run app.py ...``."""
    argv = sys.argv or [""]
    first = Path(argv[0])
    head = f"python -m {first.parent.name}" if first.name == "__main__.py" else (first.name or "python")
    return " ".join([head, *argv[1:]])[:200]


@contextmanager
def training_lock(store: Path, dataset_key: str, timeout: float | None = None,
                  progress: Callable[[float, str], None] | None = None) -> Iterator[None]:
    """Hold the training lock of ``<store>/<dataset key>`` for the ``with`` block.

    If another process (or thread) holds it, wait up to ``timeout`` seconds
    (default :data:`TRAIN_LOCK_TIMEOUT`; ``0`` refuses at once, after a
    second's grace) reporting ``"waiting for training by pid N started at T
    (command)"`` through ``progress(0.0, message)`` (or once on stderr when
    there is no ``progress``); then raise :class:`StoreError` naming the holder.
    """
    folder = Path(store) / dataset_key
    path = folder / LOCK
    held = _held_paths()
    if str(path) in held:  # re-entrant: this thread already holds it
        yield
        return
    makedirs(folder)
    timeout = TRAIN_LOCK_TIMEOUT if timeout is None else float(timeout)
    deadline = time.monotonic() + max(timeout, _MIN_WAIT)
    lock = FileLock(path)
    told = None
    while True:
        try:
            lock.acquire(timeout=min(_POLL, max(0.0, deadline - time.monotonic())))
            break
        except Timeout:
            holder = _describe(_read_owner(folder))
            if time.monotonic() >= deadline:
                waited = f"waited {timeout:g} s" if timeout > 0 else "not waiting"
                raise StoreError(f"{folder}: training by {holder} is writing this store ({waited}); "
                                 f"try again when it has finished") from None
            message = f"waiting for training by {holder}"
            if timeout <= 0:
                continue  # refusing: only the grace period, silently
            if progress is not None:
                progress(0.0, message)
            elif message != told:
                print(message, file=sys.stderr, flush=True)
            told = message
    held.add(str(path))
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started_at": _dt.datetime.now().astimezone().isoformat(timespec="seconds"), "command": _command()}
    try:
        with suppress(OSError):  # the owner file is information only: never fail a training over it
            atomic_write_bytes(folder / OWNER, json.dumps(me).encode())
        yield
    finally:
        held.discard(str(path))
        if _read_owner(folder).get("pid") == me["pid"]:
            with suppress(OSError):
                (folder / OWNER).unlink()
        lock.release()


@contextmanager
def model_lock(folder: Path, timeout: float = 300.0) -> Iterator[None]:
    """Hold ``<model folder>/.lock`` (one writer per model); :class:`StoreError` after ``timeout`` s."""
    lock = FileLock(Path(folder) / LOCK)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise StoreError(f"{folder}: another process has been saving this model for {timeout:g} s "
                         f"(lock {Path(folder) / LOCK}); try again") from None
    try:
        yield
    finally:
        lock.release()


@contextmanager
def study_lock(db: Path, timeout: float) -> Iterator[None]:
    """Hold the lock beside the study database ``db`` (``studies.sqlite3`` -> ``studies.lock``).

    Raises :class:`StoreError` naming the database and the holder when another process has held it for
    ``timeout`` seconds (a tuning process holds it only while it counts trials and starts one).
    """
    db = Path(db)
    makedirs(db.parent)
    path = db.with_suffix(".lock")
    owner = db.with_suffix(".owner.json")
    lock = FileLock(path)
    try:
        lock.acquire(timeout=max(float(timeout), 0.0))
    except Timeout:
        holder = _describe(_read_json(owner))
        raise StoreError(f"{db}: the study database is locked by {holder} (waited {timeout:g} s); try again when it "
                         f"has finished, or wait longer with --lock-timeout") from None
    try:
        with suppress(OSError):
            atomic_write_bytes(owner, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                                  "command": _command()}).encode())
        yield
    finally:
        lock.release()


def _read_json(path: Path) -> dict:
    try:
        info = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def process_alive(pid: int | None, host: str | None) -> bool | None:
    """Is process ``pid`` on ``host`` still running? ``None`` when this machine cannot tell (another host)."""
    if host not in (None, socket.gethostname()):
        return None
    return isinstance(pid, int) and pid_alive(pid)
