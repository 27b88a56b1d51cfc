"""Obtain MovieLens on a fresh machine: ML-100K (with an offline fallback) and every other MovieLens by name.

**ML-100K** (:func:`fetch_ml100k`). Order: the local cache; the official GroupLens zip (short
timeout); the ``recbole==1.2.1`` wheel from the package index, whose
``recbole/dataset_example/ml-100k/ml-100k.{inter,item,user}`` files hold the
full ML-100K. The wheel is only read as a zip archive: recbole is never
installed or imported.

**The others by name** (:func:`fetch_movielens`, names in :data:`MOVIELENS`): the official GroupLens
zip, downloaded on first use into ``<cache dir>/<name>/``:

* from ``<base>/<name>.zip``, ``<base>`` being ``$RECALL_MOVIELENS_URL`` (a mirror) or
  :data:`GROUPLENS_BASE`; progress goes to ``progress(fraction, message)``;
* checked against ``<base>/<name>.zip.md5`` when the server has one (``md5sum`` format
  ``<hash>  <name>.zip`` or BSD ``MD5 (<name>.zip) = <hash>``); where it has none, by the size the
  server announced and the zip's own CRCs; always by its layout: one top folder (``<name>/``, or the
  name GroupLens uses, such as ``ml-10M100K/`` for ml-10m) holding the MovieLens files;
* always installed atomically: the download goes to a hidden ``.<name>.zip.<pid>.part`` file, the
  archive is unpacked into a hidden ``.<name>.unpack-<pid>-*`` folder beside the target, checked,
  and only then renamed to ``<cache dir>/<name>``. A process killed at any point (even ``kill -9``)
  leaves only hidden leftovers that nothing reads as a dataset and the next download of that name
  removes (those of a process that is gone, or older than a day).

Offline, or when the server fails, the :class:`DataError` says which URL could not be reached and where
to put the unzipped folder instead. Every failure is one line and leaves no half-written folder.
"""
from __future__ import annotations

import hashlib
import http.client
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from recall_core.errors import DataError, UsageError
from recall_core.processes import pid_alive

CACHE_ENV = "RECALL_DATA_DIR"
MIRROR_ENV = "RECALL_MOVIELENS_URL"
GROUPLENS_BASE = "https://files.grouplens.org/datasets/movielens"
GROUPLENS_URL = f"{GROUPLENS_BASE}/ml-100k.zip"
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
    url = f"{movielens_base()}/ml-100k.zip"  # GROUPLENS_URL, or $RECALL_MOVIELENS_URL's mirror
    log(f"downloading {url} ...")
    with urllib.request.urlopen(url, timeout=5) as resp:
        data = resp.read()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        files = {Path(n).name: z.read(n) for n in z.namelist() if Path(n).name in ("u.data", "u.item", "u.user")}
    if len(files) != 3:
        raise DataError(f"{url}: archive lacks u.data/u.item/u.user")
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


# --------------------------------------------------------------------------- every MovieLens by name


@dataclass(frozen=True)
class MovieLensRelease:
    """A GroupLens release: ``folders`` are the top folders its zip may hold (the first is ``<name>``)."""

    name: str
    folders: tuple[str, ...]
    note: str


#: The MovieLens releases that can be asked for by name (ML-100K has its own fetcher, with a fallback).
MOVIELENS = {r.name: r for r in (
    MovieLensRelease("ml-1m", ("ml-1m",), "1M ratings, 6,040 users, 3,706 movies, with demographics"),
    MovieLensRelease("ml-10m", ("ml-10m", "ml-10M100K"), "10M ratings (half stars), 72k users, 10k movies"),
    MovieLensRelease("ml-20m", ("ml-20m",), "20M ratings, 138k users, 27k movies"),
    MovieLensRelease("ml-25m", ("ml-25m",), "25M ratings, 162k users, 62k movies"),
    MovieLensRelease("ml-32m", ("ml-32m",), "32M ratings, 200k users, 87k movies"),
    MovieLensRelease("ml-latest-small", ("ml-latest-small",), "100k ratings, 610 users, 9.7k movies (changes over time)"),
    MovieLensRelease("ml-latest", ("ml-latest",), "the full latest release (changes over time; large)"),
)}
#: Seconds without a byte before a download is given up.
TIMEOUT_S = 30
CHUNK = 1 << 16
#: Hidden leftovers of a process that is still alive are removed after this long (a day).
STALE_S = 86_400
_PART = re.compile(r"^\.(?P<name>.+?)\.(?:zip\.(?P<pid>\d+)\.part|unpack-(?P<pid2>\d+)-.*)$")
_MD5_GNU = re.compile(r"^\s*([0-9a-fA-F]{32})\s+\*?(\S+)\s*$")
_MD5_BSD = re.compile(r"^\s*MD5\s*\((.+)\)\s*=\s*([0-9a-fA-F]{32})\s*$")


def movielens_base() -> str:
    """``$RECALL_MOVIELENS_URL`` (a mirror), else GroupLens; without a trailing slash."""
    return (os.environ.get(MIRROR_ENV) or GROUPLENS_BASE).rstrip("/")


def movielens_folder(name: str, cache_dir: Path | str | None = None) -> Path:
    """Where ``name`` is (or will be) installed: ``<cache dir>/<name>``."""
    return (Path(cache_dir) if cache_dir else default_cache_dir()) / name


def is_installed(name: str, cache_dir: Path | str | None = None) -> bool:
    """True when ``name`` is in the data cache (an installed folder is always complete: see the module docstring)."""
    folder = movielens_folder(name, cache_dir)
    return _cached(folder) if name == "ml-100k" else folder.is_dir()


def fetch_movielens(name: str, cache_dir: Path | str | None = None,
                    progress: Callable[[float, str], None] | None = None, base_url: str | None = None) -> Path:
    """The folder of MovieLens release ``name`` in the data cache, downloading and installing it first if needed.

    ``progress(fraction, message)`` sees the download (fraction 0..1; the size is the server's). ``base_url``
    overrides ``$RECALL_MOVIELENS_URL``. Raises :class:`DataError` (one line; nothing half-written is left
    where a dataset is read) when the server cannot be reached, the download is truncated, its checksum
    or CRCs do not match, or the zip does not hold the expected folder.
    """
    if name not in MOVIELENS:
        raise UsageError(f"unknown MovieLens name {name!r}; known: ml-100k, {', '.join(MOVIELENS)}")
    cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
    target = cache_dir / name
    if target.is_dir():
        return target
    progress = progress or (lambda f, m: None)
    base = (base_url or movielens_base()).rstrip("/")
    url = f"{base}/{name}.zip"
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise DataError(f"{cache_dir}: cannot create the data cache ({e.strerror or e})") from None
    remove_leftovers(cache_dir, name)
    part = cache_dir / f".{name}.zip.{os.getpid()}.part"
    try:
        size, md5 = _download(url, part, name, target, progress)
        expected = _published_md5(f"{url}.md5", name)
        if expected is not None and expected != md5:
            raise DataError(f"{url}: checksum mismatch: the download's md5 is {md5}, {name}.zip.md5 says {expected}; "
                            "nothing was installed (try again, or check the mirror)")
        progress(1.0, f"{name}: unpacking")
        _unpack(part, name, target, url, {"url": url, "bytes": size, "md5": md5,
                                           "checked_by": "md5" if expected else "size and zip CRCs"})
    finally:
        part.unlink(missing_ok=True)
    progress(1.0, f"{name}: installed in {target}")
    return target


def _offline(url: str, name: str, target: Path, reason: str, offline: bool = True) -> DataError:
    return DataError(f"could not download {url} ({reason}){'; offline?' if offline else ';'} Download {name}.zip "
                     f"elsewhere and unzip it so that {target}{os.sep} holds its files, or pass the unzipped folder's "
                     "path as the dataset")


def _reason(e: BaseException) -> str:
    if isinstance(e, urllib.error.HTTPError):
        return f"HTTP {e.code} {e.reason}"
    if isinstance(e, urllib.error.URLError):
        return str(e.reason)
    return " ".join(str(e).split()) or type(e).__name__


def _download(url: str, part: Path, name: str, target: Path, progress) -> tuple[int, str]:
    """Stream ``url`` into ``part``; ``(bytes, md5 hex)``. DataError when unreachable or short of the announced size."""
    h = hashlib.md5()
    got, total = 0, None
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            total = resp.headers.get("Content-Length")
            total = int(total) if total and total.isdigit() else None
            progress(0.0, f"{name}: downloading {url}")
            with open(part, "wb") as f:
                last = 0.0
                while True:
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    f.write(chunk)
                    h.update(chunk)
                    got += len(chunk)
                    now = time.monotonic()
                    if now - last > 0.2:
                        last = now
                        frac = got / total if total else 0.0
                        shown = f"{got / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{got / 1e6:.1f} MB"
                        progress(min(frac, 1.0), f"{name}: downloading, {shown}")
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
        if isinstance(e, OSError) and not isinstance(e, urllib.error.URLError) and e.filename:
            raise DataError(f"{e.filename}: cannot be written ({e.strerror or e})") from None
        if got or total:
            of = f" of {total:,}" if total else ""
            raise DataError(f"{url}: truncated download: {got:,}{of} bytes, then {_reason(e)}; nothing was "
                            "installed (try again)") from None
        raise _offline(url, name, target, _reason(e), offline=not isinstance(e, urllib.error.HTTPError)) from None
    if total is not None and got != total:
        raise DataError(f"{url}: truncated download: {got:,} of {total:,} bytes; nothing was installed (try again)")
    return got, h.hexdigest()


def _published_md5(url: str, name: str) -> str | None:
    """The md5 the server publishes beside the zip, or None when it has none (any HTTP error, or unreachable)."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as resp:
            text = resp.read(4096).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException):
        return None
    return parse_md5(text, f"{name}.zip", url)


def parse_md5(text: str, filename: str, where: str) -> str:
    """The hash for ``filename`` in an ``md5sum`` (``<hash>  <file>``) or BSD (``MD5 (<file>) = <hash>``) listing.

    A listing of one hash with another file name is taken as that file's; DataError when there is none.
    """
    found = []
    for line in text.splitlines():
        m = _MD5_GNU.match(line)
        if m:
            found.append((m.group(2), m.group(1).lower()))
            continue
        m = _MD5_BSD.match(line)
        if m:
            found.append((m.group(1).strip(), m.group(2).lower()))
    for fname, digest in found:
        if Path(fname).name == filename:
            return digest
    if len(found) == 1:
        return found[0][1]
    if re.fullmatch(r"\s*[0-9a-fA-F]{32}\s*", text):
        return text.strip().lower()
    raise DataError(f"{where}: not a checksum file for {filename} (expected '<md5>  {filename}' or "
                    f"'MD5 ({filename}) = <md5>'); nothing was installed")


def _unpack(part: Path, name: str, target: Path, url: str, source: dict) -> None:
    """Check the zip (CRCs, one expected top folder with MovieLens files) and install it as ``target`` atomically."""
    from recall_core.data.movielens import detect_layout

    release = MOVIELENS[name]
    try:
        z = zipfile.ZipFile(part)
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(f"{url}: not a zip archive ({_reason(e)}; truncated?); nothing was installed") from None
    with z:
        try:
            bad = z.testzip()
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as e:
            raise DataError(f"{url}: damaged zip ({_reason(e)}); nothing was installed") from None
        if bad is not None:
            raise DataError(f"{url}: damaged zip: {bad} fails its CRC check; nothing was installed")
        names = [i.filename for i in z.infolist()]
        tops = {n.split("/", 1)[0] for n in names if n.strip("/")}
        unsafe = [n for n in names if n.startswith("/") or "\\" in n or ".." in n.split("/")]
        if unsafe:
            raise DataError(f"{url}: unexpected layout: member {unsafe[0]!r} points outside its folder; nothing was installed")
        if len(tops) != 1 or next(iter(tops)) not in release.folders or not any("/" in n for n in names):
            shown = ", ".join(sorted(tops)[:5]) or "(nothing)"
            raise DataError(f"{url}: unexpected layout: expected one folder {release.folders[0]}/ in the zip, "
                            f"found {shown}; nothing was installed")
        top = next(iter(tops))
        tmp = Path(tempfile.mkdtemp(prefix=f".{name}.unpack-{os.getpid()}-", dir=target.parent))
        try:
            try:
                z.extractall(tmp)
            except (OSError, zipfile.BadZipFile, EOFError) as e:
                raise DataError(f"{url}: cannot be unpacked into {target.parent} ({_reason(e)}); nothing was "
                                "installed") from None
            folder = tmp / top
            try:
                detect_layout(folder)
            except DataError as e:
                raise DataError(f"{url}: unexpected layout: {str(e).replace(str(folder), top)}; nothing was "
                                "installed") from None
            (folder / ".source.json").write_text(json.dumps({**source, "installed": time.strftime(
                "%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, indent=2))
            try:
                folder.rename(target)
            except OSError:
                if not target.is_dir():  # another process installed it meanwhile: keep theirs
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def remove_leftovers(cache_dir: Path | str, name: str | None = None) -> list[Path]:
    """Remove hidden download leftovers (of ``name``, or of any release) whose process is gone or that are older
    than :data:`STALE_S`; returns what was removed."""
    removed = []
    try:
        entries = list(Path(cache_dir).iterdir())
    except OSError:
        return removed
    now = time.time()
    for p in entries:
        m = _PART.match(p.name)
        if not m or (name is not None and m.group("name") != name):
            continue
        pid = int(m.group("pid") or m.group("pid2"))
        try:
            old = now - p.stat().st_mtime > STALE_S
        except OSError:
            continue
        if pid != os.getpid() and (old or not pid_alive(pid)):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
            removed.append(p)
    return removed


    return True
