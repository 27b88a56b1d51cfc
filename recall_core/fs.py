"""File-system primitives for crash-safe writes: fsync, atomic replace, checksums.

The store is built on them, and the data layer's parse cache writes with them too; they import nothing of
recall_core, so any layer may use them without importing the store (data never imports the store).

A file is *durable* once its data and the directory entry naming it have
reached the disk: :func:`atomic_write` writes a temporary sibling, fsyncs it,
renames it over the target with :func:`os.replace` (atomic on POSIX and
Windows) and fsyncs the directory. A reader sees the old file or the new
one, never a prefix of either, and after a crash the same holds.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import BinaryIO, Callable

_CHUNK = 1 << 20


def fsync_dir(path: Path) -> None:
    """Make the entries of directory ``path`` (creations, renames, removals) durable.

    A no-op where directories cannot be opened (Windows: ``os.replace`` is
    durable there once the file is flushed).
    """
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def makedirs(path: Path) -> None:
    """``mkdir -p path``, fsyncing the parent of every directory it creates."""
    path = Path(path)
    if path.is_dir():
        return
    makedirs(path.parent)
    try:
        path.mkdir()
    except FileExistsError:
        return
    fsync_dir(path.parent)


def sha256_file(path: Path, fsync: bool = False) -> str:
    """Hex sha256 of a file; with ``fsync``, also flush it to disk (one pass)."""
    h = hashlib.sha256()
    with open(path, "rb+" if fsync else "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
        if fsync:
            os.fsync(f.fileno())
    return h.hexdigest()


def _publish(path: Path, build: Callable[[Path], None]) -> None:
    """``build(tmp)`` writes a temporary sibling ``.<name>.<random>.tmp``, which is fsynced and renamed over
    ``path`` (:func:`os.replace`), then the directory is fsynced; on failure the temporary file is removed."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        build(Path(tmp))
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write ``path`` through ``write(file)`` atomically and durably (temp sibling, fsync, replace, fsync dir).

    On failure the temporary file is removed and ``path`` is untouched.
    Temporary names are ``.<name>.<random>.tmp``.
    """
    def build(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            write(f)

    _publish(path, build)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, lambda f: f.write(data))


def atomic_create(path: Path, build: Callable[[Path], None]) -> bool:
    """Create ``path`` whole, or not at all: ``build(tmp)`` makes the file at a temporary sibling
    (``.<name>.<random>.tmp``), which is fsynced and renamed to ``path``; returns False (and builds nothing)
    when ``path`` already exists.

    For files made by a library that writes in place (an SQLite database and its tables): a reader then never
    finds ``path`` half made. The caller serialises creators (a lock); on failure the temporary file is removed.
    """
    if Path(path).exists():
        return False
    _publish(path, build)
    return True
