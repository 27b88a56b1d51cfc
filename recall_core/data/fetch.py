"""Obtain MovieLens-100K on a fresh machine.

Order: the local cache; the official GroupLens zip (short timeout); the
``recbole==1.2.1`` wheel from the package index, whose
``recbole/dataset_example/ml-100k/ml-100k.{inter,item,user}`` files hold the
full ML-100K. The wheel is only read as a zip archive: recbole is never
installed or imported.
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

from recall_core.errors import DataError

CACHE_ENV = "RECALL_DATA_DIR"
GROUPLENS_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
WHEEL_SPEC = "recbole==1.2.1"
WHEEL_MEMBERS = {
    f"recbole/dataset_example/ml-100k/ml-100k.{ext}": f"ml-100k.{ext}" for ext in ("inter", "item", "user")
}


def default_cache_dir() -> Path:
    """``$RECALL_DATA_DIR``, else ``~/.cache/vector-recall``."""
    env = os.environ.get(CACHE_ENV)
    return Path(env) if env else Path.home() / ".cache" / "vector-recall"


def _cached(folder: Path) -> bool:
    return (folder / "u.data").exists() or (folder / "ml-100k.inter").exists()


def fetch_ml100k(
    cache_dir: Path | None = None,
    try_grouplens: bool = True,
    log: Callable[[str], None] = lambda m: print(m, file=sys.stderr),
) -> Path:
    """Folder holding ML-100K in ``cache_dir``, obtaining it first if needed."""
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    target = cache_dir / "ml-100k"
    if _cached(target):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    errors = []
    if try_grouplens:
        try:
            _from_grouplens(target, log)
            return target
        except Exception as e:  # unreachable host, proxy, timeout: fall through to the wheel
            errors.append(f"GroupLens: {e}")
    try:
        _from_wheel(target, log)
        return target
    except Exception as e:
        errors.append(f"package index ({WHEEL_SPEC}): {e}")
    raise DataError("could not obtain ml-100k: " + "; ".join(errors))


def _install(target: Path, files: dict[str, bytes]) -> None:
    """Write files into a temp folder beside ``target`` and rename it into place."""
    tmp = Path(tempfile.mkdtemp(prefix=".ml-100k-", dir=target.parent))
    try:
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _from_grouplens(target: Path, log) -> None:
    log(f"downloading {GROUPLENS_URL} ...")
    with urllib.request.urlopen(GROUPLENS_URL, timeout=5) as resp:
        data = resp.read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {Path(n).name: z.read(n) for n in z.namelist() if Path(n).name in ("u.data", "u.item", "u.user")}
    if len(files) != 3:
        raise DataError(f"{GROUPLENS_URL}: archive lacks u.data/u.item/u.user")
    _install(target, files)


def read_wheel(wheel: Path) -> dict[str, bytes]:
    """The three ML-100K files out of a recbole wheel, by their short names."""
    try:
        with zipfile.ZipFile(wheel) as z:
            names = set(z.namelist())
            missing = [m for m in WHEEL_MEMBERS if m not in names]
            if missing:
                raise DataError(f"{wheel}: wheel lacks {missing[0]}")
            return {short: z.read(member) for member, short in WHEEL_MEMBERS.items()}
    except zipfile.BadZipFile as e:
        raise DataError(f"{wheel}: not a wheel (zip) archive: {e}") from None


def _from_wheel(target: Path, log) -> None:
    log(f"fetching ML-100K from the {WHEEL_SPEC} wheel on the package index ...")
    with tempfile.TemporaryDirectory() as d:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--disable-pip-version-check", "-q", "-d", d, WHEEL_SPEC]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wheels = list(Path(d).glob("recbole-*.whl"))
        if proc.returncode != 0 or not wheels:
            raise DataError(f"pip download failed: {proc.stderr.strip()[-500:]}")
        _install(target, read_wheel(wheels[0]))
