"""The parsed-dataset cache: a MovieLens folder read once loads from one ``.npz`` afterwards.

A successful :func:`recall_core.data.dataset.read_dataset` of a folder writes the dataset's internal form
(interactions, items, users, layout, load report, fingerprint, genres, schema) to
``<cache dir>/parsed/<folder name>-<hash of the resolved folder path>.npz``; the cache dir is the one
ML-100K is kept in (``$RECALL_DATA_DIR``, else ``~/.cache/vector-recall``, or the ``cache_dir``
argument). The file is read back with ``allow_pickle=False``: strings are stored as NUL-joined UTF-8
(a NUL never gets past the reader), genre tuples as their strings plus per-row counts, the
interaction ids as rows into the vocabularies, everything else as plain arrays, and the rest as JSON.

A cache file is used only if its format (``PARSE_FORMAT``), the resolved folder, the layout and the
``(name, size, mtime_ns)`` of each file that layout reads all match the folder as it is now.
Anything else (another version, another folder, a truncated, corrupt or foreign file) is ignored: the
folder is read from its files and the cache file rewritten. It is written only after a successful
read (a data error is never cached), atomically (temporary file and ``os.replace``), and only when
the files did not change during the read and are all older than ``RACY_NS``: a file rewritten within
the file system's timestamp granularity after being cached could otherwise keep its size and mtime.
A cache dir that cannot be written only means no cache. ``RECALL_NO_PARSE_CACHE=1`` turns it off.
The ``MAX_ENTRIES`` most recently used files are kept, older ones removed when a new one is written.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import time
from contextlib import suppress
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.data.folders import layout_files
from recall_core.data.movielens import detect_layout, pa
from recall_core.data.schema import Schema
from recall_core.data.vocab import Vocabulary
from recall_core.errors import DataError
from recall_core.fs import atomic_write, makedirs

# Bump whenever what read_folder/build_dataset return for the same files changes (parsing, validation,
# policies, the load report, the fingerprint) or the layout of the cache file itself.
PARSE_FORMAT = 2  # 2: the schema (generic folders: dataset.toml), half-star ml-10m
NO_CACHE_ENV = "RECALL_NO_PARSE_CACHE"
# Files modified less than this long before a read are not cached (see the module docstring).
RACY_NS = 2_000_000_000
# Cache files kept: the most recently used (a hit touches its file); temporary files of a writer that
# died are removed after an hour. Test runs parse many short-lived folders; this keeps the dir bounded.
MAX_ENTRIES = 16
_STALE_TMP_S = 3600
_KIND = "recall_core parsed dataset"
_SEP = "\x00"


class _Uncacheable(Exception):
    """A frame holds something this format does not store; the dataset is simply not cached."""


def enabled() -> bool:
    return os.environ.get(NO_CACHE_ENV, "").strip() in ("", "0")


def cache_file(root: Path | str, folder: Path | str) -> Path:
    """Where the parsed form of ``folder`` is kept under the cache dir ``root``."""
    resolved = Path(folder).resolve()
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", resolved.name) or "data"
    return Path(root) / "parsed" / f"{slug}-{hashlib.sha256(str(resolved).encode()).hexdigest()[:16]}.npz"


def source_stamp(folder: Path | str) -> tuple[dict, int] | None:
    """``(stamp, time taken)``: the resolved folder, its layout and ``[name, size, mtime_ns]`` of each
    file the layout reads. None if the folder cannot be stamped (the read will say why)."""
    now = time.time_ns()
    try:
        folder = Path(folder)
        layout = detect_layout(folder)
        files = []
        for path in layout_files(folder, layout):
            st = path.stat()
            files.append([path.name, int(st.st_size), int(st.st_mtime_ns)])
        return {"folder": str(folder.resolve()), "layout": layout, "files": files}, now
    except (OSError, DataError):
        return None


def load(path: Path, stamp: dict, folder: Path | str) -> dict | None:
    """The Dataset fields (all but ``name`` and ``key``) stored in ``path`` for ``stamp``, or None."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(_bytes(z["meta"]).decode("utf-8"))
            if meta.get("kind") != _KIND or meta.get("format") != PARSE_FORMAT or meta.get("source") != stamp:
                return None
            items = _decode_frame(z, "items", meta["items"], folder)
            users = _decode_frame(z, "users", meta["users"], folder)
            item_vocab = Vocabulary(items["item_id"], kind="item")
            user_vocab = Vocabulary(users["user_id"], kind="user")
            inter = _decode_frame(z, "inter", meta["interactions"], folder,
                                  vocabs={"user_id": (user_vocab, "user_idx"), "item_id": (item_vocab, "item_idx")})
        with suppress(OSError):
            os.utime(path)  # recently used: kept by _prune
        return {
            "layout": meta["layout"], "interactions": inter, "items": items, "users": users,
            "item_vocab": item_vocab, "user_vocab": user_vocab, "fingerprint": meta["fingerprint"],
            "genres": meta["genres"], "load_report": meta["load_report"],
            "schema": Schema.from_json(meta["schema"]),
        }
    except Exception:  # noqa: BLE001  any unreadable, corrupt or foreign file: read the folder instead
        return None


def save(path: Path, stamp: tuple[dict, int] | None, ds, folder: Path | str) -> bool:
    """Write ``ds`` (read from ``folder`` when it matched ``stamp``) to ``path``; False if not written."""
    if stamp is None:
        return False
    before, taken = stamp
    if any(mtime > taken - RACY_NS for _, _, mtime in before["files"]):
        return False  # too fresh: a same-size rewrite in the same clock tick would go unnoticed
    after = source_stamp(folder)
    if after is None or after[0] != before:
        return False  # changed while it was read
    try:
        arrays: dict[str, np.ndarray] = {}
        meta = {
            "kind": _KIND, "format": PARSE_FORMAT, "source": before, "layout": ds.layout,
            "fingerprint": ds.fingerprint, "genres": list(ds.genres), "load_report": ds.load_report,
            "schema": ds.schema.to_json(),
            "items": _encode_frame(arrays, "items", ds.items, folder),
            "users": _encode_frame(arrays, "users", ds.users, folder),
            "interactions": _encode_frame(
                arrays, "inter", ds.interactions, folder,
                vocabs={"user_id": (ds.user_vocab, "user_idx"), "item_id": (ds.item_vocab, "item_idx")}),
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        makedirs(path.parent)
        atomic_write(path, lambda f: np.savez(f, **arrays))
    except (OSError, ValueError, TypeError, _Uncacheable):  # read-only cache dir, a frame this format cannot hold
        return False
    with suppress(OSError):
        _prune(path.parent, keep=path)
    return True


def _prune(folder: Path, keep: Path) -> None:
    """Remove all but the ``MAX_ENTRIES`` most recently used cache files, and stale temporary files."""
    entries = []
    now = time.time()
    for p in folder.iterdir():
        try:
            st = p.stat()
            if p.suffix == ".npz" and p != keep:
                entries.append((st.st_mtime, p))
            elif p.name.startswith(".") and p.suffix == ".tmp" and now - st.st_mtime > _STALE_TMP_S:
                p.unlink()
        except OSError:
            continue
    for _, p in sorted(entries, reverse=True)[MAX_ENTRIES - 1:]:
        try:
            p.unlink()  # a reader that has it open keeps its copy; one that comes later reads the folder
        except OSError:
            pass


# --------------------------------------------------------------------------- frames

def _bytes(a: np.ndarray) -> bytes:
    if a.dtype != np.uint8 or a.ndim != 1:
        raise ValueError("not a byte array")
    return a.tobytes()


def _put_strings(arrays: dict, key: str, values: list) -> None:
    if not all(isinstance(v, str) for v in values):
        raise _Uncacheable(key)
    joined = _SEP.join(values)
    if joined.count(_SEP) != max(len(values) - 1, 0):
        raise _Uncacheable(f"{key}: a string holds a NUL")
    arrays[key] = np.frombuffer(joined.encode("utf-8"), dtype=np.uint8)


def _get_strings(z, key: str, n: int) -> list[str]:
    values = _bytes(z[key]).decode("utf-8").split(_SEP) if n else []
    if len(values) != n:
        raise ValueError(f"{key}: {len(values)} strings, expected {n}")
    return values


def _path_attrs(attrs: dict, folder: Path | str) -> dict:
    """``attrs`` as JSON-able data; a ``path`` inside ``folder`` is kept as its file name only, so a cache
    hit reached through another spelling of the folder names it as a fresh read would."""
    out = dict(attrs)
    p = out.get("path")
    if isinstance(p, str) and p == str(Path(folder) / Path(p).name):
        out["path"] = None
        out["_file"] = Path(p).name
    json.dumps(out)  # TypeError for anything that is not JSON
    return out


def _restore_attrs(attrs: dict, folder: Path | str) -> dict:
    out = dict(attrs)
    if "_file" in out:
        out["path"] = str(Path(folder) / out.pop("_file"))
    return out


def _encode_frame(arrays: dict, prefix: str, df: pd.DataFrame, folder, vocabs: dict | None = None) -> dict:
    """Store ``df``'s columns in ``arrays`` under ``prefix``; returns the JSON spec to rebuild it."""
    vocabs = vocabs or {}
    index = df.index
    if not (isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1):
        raise _Uncacheable(f"{prefix}: index is not 0..n-1")
    n = len(df)
    cols = []
    for j, (name, s) in enumerate(df.items()):
        key = f"{prefix}.{j}"
        if not isinstance(name, str):
            raise _Uncacheable(f"{prefix}: column name {name!r}")
        dtype = s.dtype
        if name in vocabs and str(dtype) == "str":
            vocab, idx_col = vocabs[name]
            rebuilt = _from_vocab(vocab, df[idx_col].to_numpy())
            if not s.reset_index(drop=True).equals(pd.Series(rebuilt)):
                raise _Uncacheable(f"{prefix}.{name} is not {idx_col} into the vocabulary")
            cols.append({"name": name, "kind": "vocab"})
        elif isinstance(dtype, pd.StringDtype) and str(dtype) == "str":
            missing = s.isna().to_numpy()
            _put_strings(arrays, key, s[~missing].tolist())
            arrays[key + ".na"] = missing
            cols.append({"name": name, "kind": "str"})
        elif dtype == object:
            values = s.tolist()
            if not all(isinstance(v, tuple) for v in values):
                raise _Uncacheable(f"{prefix}.{name}: object column of other than tuples")
            _put_strings(arrays, key, [x for v in values for x in v])
            arrays[key + ".len"] = np.fromiter((len(v) for v in values), dtype=np.int64, count=n)
            cols.append({"name": name, "kind": "tuples"})
        elif isinstance(dtype, np.dtype) and dtype.kind in "biuf":
            a = s.to_numpy()
            if dtype == np.int64 and n and np.iinfo(np.int32).min <= a.min() and a.max() <= np.iinfo(np.int32).max:
                a = a.astype(np.int32)  # half the size; restored as int64
            arrays[key] = a
            cols.append({"name": name, "kind": "num", "dtype": dtype.str})
        else:
            raise _Uncacheable(f"{prefix}.{name}: dtype {dtype}")
    return {"rows": n, "columns": cols, "attrs": _path_attrs(df.attrs, folder)}


def _decode_frame(z, prefix: str, spec: dict, folder, vocabs: dict | None = None) -> pd.DataFrame:
    n = int(spec["rows"])
    data: dict[str, object] = {}
    pending = []
    for j, col in enumerate(spec["columns"]):
        key, name, kind = f"{prefix}.{j}", col["name"], col["kind"]
        if kind == "vocab":
            data[name] = None  # keeps the column order; filled once the row columns are read
            pending.append(name)
        elif kind == "str":
            missing = z[key + ".na"]
            if missing.dtype != bool or missing.shape != (n,):
                raise ValueError(f"{key}: bad mask")
            values = np.full(n, None, dtype=object)
            values[~missing] = _get_strings(z, key, int((~missing).sum()))
            data[name] = pd.array(values, dtype="str")
        elif kind == "tuples":
            lengths = z[key + ".len"]
            if lengths.dtype != np.int64 or lengths.shape != (n,) or (lengths < 0).any():
                raise ValueError(f"{key}: bad lengths")
            flat = _get_strings(z, key, int(lengths.sum()))
            ends = np.cumsum(lengths).tolist()
            values = np.empty(n, dtype=object)
            start = 0
            for i, end in enumerate(ends):
                values[i] = tuple(flat[start:end])
                start = end
            data[name] = values
        elif kind == "num":
            a = z[key]
            if a.shape != (n,):
                raise ValueError(f"{key}: {a.shape} values, expected {n}")
            data[name] = a.astype(np.dtype(col["dtype"]), copy=False)
        else:
            raise ValueError(f"{key}: unknown kind {kind!r}")
    for name in pending:
        vocab, idx_col = (vocabs or {})[name]
        idx = np.asarray(data[idx_col])
        if idx.dtype.kind not in "iu" or (n and (idx.min() < 0 or idx.max() >= len(vocab))):
            raise ValueError(f"{prefix}.{idx_col}: rows outside the vocabulary")
        data[name] = _from_vocab(vocab, idx)
    df = pd.DataFrame(data)
    if len(df) != n:
        raise ValueError(f"{prefix}: {len(df)} rows, expected {n}")
    df.attrs = _restore_attrs(spec["attrs"], folder)
    return df


def _from_vocab(vocab: Vocabulary, rows: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``vocab``'s ids at ``rows`` as a ``str`` array (arrow ``take``: no Python string per row)."""
    rows = np.asarray(rows, dtype=np.int64)
    if pa is None:  # pragma: no cover
        return pd.array(np.asarray(vocab.ids.tolist(), dtype=object)[rows], dtype="str")
    return pd.array(pa.array(vocab.ids.tolist(), type=pa.large_string()).take(pa.array(rows)), dtype="str")
