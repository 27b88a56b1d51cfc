"""The model store: one folder per dataset and model, each model replaced atomically.

Layout::

    <store>/<dataset key>/.lock                   training lock (see "One writer" below); the folder: dataset_dir
                         /.training.json          who holds it: pid, host, started_at, command
                         /judgments.sqlite        human judgments of this dataset (SQLite, WAL; see judgments_path)
                         /.<reference>.json       a reference row's kept result (transition, mostpop, ease: reference_file)
                         /.ease.npz               EASE's top lists for the User page (reference_file)
                         /.tuning/studies.sqlite3 Optuna's studies, one per model (tuning_db; recall_core.tuning)
                         /.tuning/studies.lock    held while a tuning process creates or counts trials
                         /<model name>/manifest.json      the live manifest: names the live version
                                      /.lock              held while a version is published
                                      /v-<UTC time>-<pid>-<random>/manifest.json   (same content)
                                                                  /arrays.npz      (allow_pickle=False)
                                                                  /umap-*.npz      (maps: map_path; the defaults written by train)
                                                                  /serving.json    (ANN measurements, written later: serving_path)
                                                                  /<extra files>   (written by save_model's write_files, if any)

``<dataset key>`` is :func:`store_key` (``ml-100k``, or ``ml-100k@valid`` for the models trained for
validation). **This module owns the layout**: every path above is built by a function here (:func:`dataset_dir`,
:func:`model_dir`, :func:`manifest_path`, :func:`live_dir`, :func:`arrays_path`, :func:`reference_file`,
:func:`judgments_path`, :func:`tuning_db`, :func:`map_path`, :func:`map_files`, :func:`serving_path`), and the
reference rows' files are read and written here (:func:`kept_reference`, :func:`keep_reference`); nothing outside
``recall_core/store/`` joins a path on a store (tests/test_layout.py).

``manifest.json`` says what the model is, how it was made (config, seed,
dataset fingerprint, library versions, creation time), its metrics, the list
of its ``files`` and their ``sha256``, and the ``version`` folder holding them.

**Never a moment without a model.** :func:`save_model` writes a new version
into a hidden ``.tmp-v-…`` folder, fsyncs every file and the folder, renames
it to ``v-…``, and then replaces ``<model>/manifest.json`` with the new
manifest (temporary sibling, fsync, :func:`os.replace`, fsync of the folder).
That one replace is the switch: at every instant, and after a crash or a
``kill -9`` at any point, ``manifest.json`` names either the old complete
version or the new complete one. Only then are the old version and any
leftovers of killed writers (``.tmp-*``, ``v-*`` folders not named by the
manifest, temporary files) removed, so a save cleans up after earlier crashes.
A failed save (an exception) removes its own temporary folder and leaves the
previous model live.

**Readers** (:func:`load_model`) read ``<model>/manifest.json`` once and then
only the version it names; the copy of the manifest inside the version must
equal it. If the version disappears while being read (a concurrent save
replaced it and removed the old one), the read starts over with the new
manifest. ``StoredModel.path`` is the live version's folder: cached maps
written there belong to these vectors and go away with them.

**Checksums.** Every file of a version has its sha256 in the manifest, and
:func:`load_model` verifies all of them: a flipped byte is a
:class:`~recall_core.errors.StoreError` naming the file ("damaged arrays.npz:
checksum mismatch ...; retrain it"), never wrong vectors. ``arrays.npz`` is
read into memory once, checked, and parsed from those same bytes.

**The old flat layout** (``format_version`` 1: ``manifest.json`` and
``arrays.npz`` directly in ``<model>/``, no checksums) is still read as it
is, without verification. The next save of that model migrates it: the new
manifest replaces the old one atomically, then the flat files are removed.

**One writer at a time.** :func:`recall_core.training.train_models` holds
``<store>/<dataset key>/.lock`` (a cross-process ``flock``, released by the
kernel if the process dies) for the whole run, and writes
``.training.json`` beside it. A second training on the same store and
dataset (another CLI run, or the app's Train button) **waits** for the first
one, reporting "waiting for training by pid N started at T (command)" through
its progress callback (or stderr), for up to ``lock_timeout`` seconds
(:data:`~recall_core.store.locks.TRAIN_LOCK_TIMEOUT`, 30 minutes, by default;
``lock_timeout=0`` refuses at once), and then refuses with a ``StoreError``
naming the holder. Trainings never interleave: the second one starts after
the first has stored its last model. :func:`training_status` tells whether
a training is running (asking the lock, so a stale ``.training.json`` left by
a killed process is ignored). :func:`save_model` itself also holds a
per-model lock while it publishes and cleans up, so direct callers are safe.
Readers take no lock.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import platform
import re
import secrets
import shutil
import time
import zipfile
from contextlib import suppress
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from recall_core.errors import NotTrainedError, RecallError, StoreError
from recall_core.models.base import RecallOutput
from recall_core.fs import atomic_write, atomic_write_bytes, fsync_dir, makedirs, sha256_file
from recall_core.store.locks import TRAIN_LOCK_TIMEOUT, model_lock, study_lock, training_lock, training_status

__all__ = [
    "ARRAYS", "DEFAULT_STORE", "FORMAT_VERSION", "MANIFEST", "SERVING", "STORE_ENV", "TRAIN_LOCK_TIMEOUT",
    "StoredModel", "arrays_path", "atomic_write", "dataset_dir", "default_store", "judgments_path", "keep_reference",
    "kept_reference", "kept_reference_arrays", "library_versions", "link_models", "list_models", "live_dir",
    "load_model", "load_trained", "manifest_path", "map_files", "map_path", "model_dir", "read_manifest",
    "reference_file", "save_model", "serving_path", "store_key", "stored_models", "study_lock", "training_lock",
    "training_status", "tuning_db",
]

FORMAT_VERSION = 2
#: 1: the flat layout without checksums (read only); 2: versioned folders with sha256 per file
READABLE_FORMATS = (1, 2)
STORE_ENV = "RECALL_STORE"
#: the store's folder in the checkout when ``$RECALL_STORE`` is not set (:func:`default_store`)
DEFAULT_STORE = "models_store"
ARRAYS = "arrays.npz"
MANIFEST = "manifest.json"
MODEL_LOCK = ".lock"
_NAME = re.compile(r"^[A-Za-z0-9_.@=-]+$")
_VERSION = re.compile(r"^v-[0-9]{8}T[0-9]{12}Z-[0-9]+-[0-9a-f]+$")
_LIBS = ("numpy", "pandas", "gensim", "tensorflow", "keras", "faiss-cpu", "networkx", "scipy")
#: how many times a read starts over when saves keep replacing the version being read
_READ_ATTEMPTS = 5


def default_store() -> Path:
    """``$RECALL_STORE``, else ``models_store/`` next to the package."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / DEFAULT_STORE


def store_key(dataset_key: str, holdout: str = "test") -> str:
    """The store folder of models trained for a split: ``ml-100k`` (test) or ``ml-100k@valid``."""
    from recall_core.data.split import SPLITS

    if holdout not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {holdout!r}")
    return dataset_key if holdout == "test" else f"{dataset_key}@{holdout}"


def dataset_dir(store: Path, dataset_key: str) -> Path:
    """``<store>/<dataset key>``: the folder of one dataset's models and side files (``dataset_key`` as
    :func:`store_key` gives it); what messages name as "the store" of a dataset."""
    return Path(store) / dataset_key


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in _LIBS:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            pass
    return out


def model_dir(store: Path, dataset_key: str, name: str) -> Path:
    """``<store>/<dataset key>/<name>``: the model's folder (its live files are in :func:`live_dir`)."""
    if not _NAME.match(name):
        raise StoreError(f"invalid model name {name!r} (letters, digits and _.@=- only)")
    return dataset_dir(store, dataset_key) / name


def manifest_path(store: Path, dataset_key: str, name: str) -> Path:
    """``<store>/<dataset key>/<name>/manifest.json``: the live manifest, replaced atomically at each save (its
    modification time changes whenever the model is retrained)."""
    return model_dir(store, dataset_key, name) / MANIFEST


JUDGMENTS = "judgments.sqlite"


def judgments_path(store: Path, dataset_key: str) -> Path:
    """``<store>/<dataset key>/judgments.sqlite``: the human judgments of one dataset (:mod:`recall_core.judge.db`).

    One SQLite file per dataset beside its models (the test-split store, the one the app shows), with its
    ``-wal`` and ``-shm`` companions while in use. Judgments are about (probe, movie) pairs, not model
    versions: the file lives outside every model folder, so retraining or removing a model never touches it.
    """
    return dataset_dir(store, dataset_key) / JUDGMENTS


def link_models(src: Path, dst: Path) -> Path:
    """A new store ``dst`` whose model folders are symbolic links to those of ``src`` (every dataset key), with
    nothing else: no judgments, no locks, no cached reference rows. The benches and tests judge there without
    touching the trained store. ``dst`` must not exist yet."""
    dst = Path(dst)
    dst.mkdir(parents=True)
    for ds_dir in sorted(Path(src).resolve().iterdir()):
        if ds_dir.is_dir():
            (dst / ds_dir.name).mkdir()
            for m in sorted(ds_dir.iterdir()):
                if m.is_dir():
                    (dst / ds_dir.name / m.name).symlink_to(m)
    return dst


def reference_file(store: Path, dataset_key: str, name: str, suffix: str = "json") -> Path:
    """``<store>/<dataset key>/.<name>.<suffix>``: what a reference row (a scoring rule, not a model: the
    transition row, EASE) keeps so that it is computed once per data, not in every app process. A dot file:
    :func:`list_models` never takes it for a model."""
    if not _NAME.match(name) or not suffix.isalnum():
        raise StoreError(f"invalid reference name {name!r}.{suffix!r}")
    return dataset_dir(store, dataset_key) / f".{name}.{suffix}"


def kept_reference(store: Path, dataset_key: str, name: str, key: dict, field: str) -> Any | None:
    """The ``field`` of the reference file ``.<name>.json`` (:func:`reference_file`) when it was kept under
    ``key`` (the data's fingerprint and the settings it was computed with); ``None`` when absent, unreadable or
    kept under another key: the caller then computes it again."""
    try:
        kept = json.loads(reference_file(store, dataset_key, name).read_text())
        if kept.get("key") == key:
            return kept[field]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass
    return None


def keep_reference(store: Path, dataset_key: str, name: str, key: dict, field: str, value: Any,
                   arrays: dict[str, np.ndarray] | None = None) -> bool:
    """Keep ``{"key": key, field: value}`` in ``.<name>.json``, atomically; with ``arrays``, first write them to
    ``.<name>.npz`` (atomically, ``np.savez``, no pickle) and set ``value["npz_sha256"]`` to its checksum, so the
    JSON, written last, vouches for the arrays (:func:`kept_reference_arrays`).

    Only into an existing dataset folder, never creating one. Returns whether it was kept: a store that cannot
    be written is not an error (the reference is computed again next time)."""
    path = reference_file(store, dataset_key, name)
    try:
        if not path.parent.is_dir():
            return False
        if arrays is not None:
            buf = io.BytesIO()
            np.savez(buf, **arrays)
            atomic_write_bytes(reference_file(store, dataset_key, name, "npz"), buf.getvalue())
            value["npz_sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
        atomic_write_bytes(path, json.dumps({"key": key, field: value}).encode())
    except OSError:
        return False
    return True


def kept_reference_arrays(store: Path, dataset_key: str, name: str, sha256: str) -> dict[str, np.ndarray] | None:
    """The arrays of ``.<name>.npz`` (:func:`keep_reference`) if its bytes have checksum ``sha256``, else ``None``
    (absent, damaged, or from another computation). Read with ``allow_pickle=False``."""
    try:
        data = reference_file(store, dataset_key, name, "npz").read_bytes()
        if hashlib.sha256(data).hexdigest() != sha256:
            return None
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, zipfile.BadZipFile):
        return None


def tuning_db(store: Path, dataset_key: str) -> Path:
    """``<store>/<dataset key>/.tuning/studies.sqlite3``: the Optuna studies of ``python -m recall_core tune``
    on this dataset (one per model, named after it; :mod:`recall_core.tuning.study`). Its lock file is the
    same path with ``.lock`` for ``.sqlite3`` (:func:`~recall_core.store.locks.study_lock`)."""
    return dataset_dir(store, dataset_key) / ".tuning" / "studies.sqlite3"


def map_path(version_dir: Path, kind: str, n_neighbors: int, min_dist: float, seed: int) -> Path:
    """``<version folder>/umap-<kind>-nn<n_neighbors>-md<min_dist>-s<seed>.npz``: a 2-D map of one stored
    version's item or user vectors (:mod:`recall_core.analysis.maps` writes and reads it; ``train`` writes the
    default ones right after storing a model). Inside the version folder, so a map goes away with its vectors."""
    if kind not in ("items", "users"):
        raise ValueError(f"kind must be one of ('items', 'users'), got {kind!r}")
    return Path(version_dir) / f"umap-{kind}-nn{int(n_neighbors)}-md{float(min_dist):g}-s{int(seed)}.npz"


SERVING = "serving.json"


def map_files(store: Path) -> list[Path]:
    """Every kept map (:func:`map_path`) in every version folder under ``store``, sorted."""
    return sorted(Path(store).rglob("umap-*.npz"))


def serving_path(version_dir: Path) -> Path:
    """``<version folder>/serving.json``: the ANN measurements of one stored version's vectors
    (:mod:`recall_core.analysis.serving` writes and reads it). A side file, not in the manifest's ``files``:
    written after the version is published, and it goes away with the version."""
    return Path(version_dir) / SERVING


@dataclass
class StoredModel:
    """A model read back from the store; ``path`` is the folder of the version that was read."""

    name: str
    path: Path
    manifest: dict[str, Any]
    output: RecallOutput

    @property
    def metrics(self) -> dict[str, float]:
        return self.manifest.get("metrics", {})


def _arrays_of(output: RecallOutput) -> dict[str, np.ndarray]:
    arrays = {"item_ids": output.item_ids, "item_vectors": output.item_vectors}
    if output.user_vectors is not None:
        arrays["user_ids"] = output.user_ids
        arrays["user_vectors"] = output.user_vectors
    if output.candidate_vectors is not None:
        arrays["candidate_vectors"] = output.candidate_vectors
    if output.pair_query_vectors is not None:
        arrays["pair_query_vectors"] = output.pair_query_vectors
    if output.item_known is not None:
        arrays["item_known"] = output.item_known
    for k, v in output.extras.items():
        arr = np.asarray(v)
        if arr.dtype == object:
            arr = arr.astype(str)
        arrays[f"extra__{k}"] = arr
    return arrays


def _json_default(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON-serialisable: {type(o).__name__}")


def _new_version() -> str:
    now = time.time()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 1e6):06d}Z"
    return f"v-{stamp}-{os.getpid()}-{secrets.token_hex(3)}"


def _collect_garbage(folder: Path, live: str) -> None:
    """Remove everything in a model folder but the manifest, the lock and the ``live`` version.

    That is: replaced versions, leftovers of killed writers (``.tmp-*`` folders,
    ``v-*`` folders never published, temporary manifests) and, after a
    migration, the flat layout's files. Called with the model lock held.
    """
    for p in folder.iterdir():
        if p.name in (MANIFEST, MODEL_LOCK, live):
            continue
        if p.is_dir() and not p.is_symlink():
            shutil.rmtree(p, ignore_errors=True)
        else:
            with suppress(FileNotFoundError):
                p.unlink()


def _live_version(folder: Path) -> str | None:
    try:
        return json.loads((folder / MANIFEST).read_text()).get("version")
    except (OSError, ValueError, AttributeError):
        return None


def save_model(
    store: Path,
    dataset,
    name: str,
    output: RecallOutput,
    *,
    model_class: str,
    config: dict,
    seed: int,
    metrics: dict | None = None,
    i2i_metrics: dict | None = None,
    train_seconds: float | None = None,
    extra: dict | None = None,
    write_files=None,
    split: str = "test",
) -> Path:
    """Store a model as a new version and make it the live one atomically; return the version's folder.

    ``dataset`` is a :class:`~recall_core.data.Dataset`; ``write_files(folder)``
    may add files to the new version's folder and
    returns their names. Holds the model's lock (see the module docstring).
    ``split``: the split the model was trained for; ``valid`` models live under
    ``<dataset key>@valid`` (:func:`store_key`).
    """
    folder = model_dir(store, store_key(dataset.key, split), name)
    makedirs(folder)
    with model_lock(folder):
        version = _new_version()
        tmp = folder / f".tmp-{version}"
        final = folder / version
        tmp.mkdir()
        published = False
        try:
            with open(tmp / ARRAYS, "wb") as f:
                np.savez(f, **_arrays_of(output))
            files = [ARRAYS] + [str(n) for n in (write_files(tmp) if write_files else [])]
            for f in files:
                if Path(f).name != f or f in (MANIFEST, MODEL_LOCK) or not (tmp / f).is_file():
                    raise StoreError(f"{tmp}: write_files returned {f!r}, not the name of a file it wrote")
            # sha256 and fsync in one pass: the manifest vouches for bytes that are on disk
            sha = {f: sha256_file(tmp / f, fsync=True) for f in files}
            manifest = {
                "format_version": FORMAT_VERSION,
                "model": name,
                "model_class": model_class,
                "config": config,
                "seed": seed,
                "split": split,
                "dataset": {"name": dataset.name, "key": dataset.key, "fingerprint": dataset.fingerprint,
                            "n_users": dataset.n_users, "n_items": dataset.n_items,
                            "n_interactions": int(len(dataset.interactions))},
                "metric": output.metric,
                "u2i_metric": output.u2i_metric,
                "has_users": output.has_users,
                "metrics": metrics or {},
                "i2i_metrics": i2i_metrics or {},
                "train_seconds": train_seconds,
                "info": output.info,
                "versions": library_versions(),
                "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
                **(extra or {}),
                "files": files,
                "sha256": sha,
                "version": version,
            }
            text = json.dumps(manifest, indent=2, default=_json_default).encode()
            with open(tmp / MANIFEST, "wb") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            fsync_dir(tmp)
            os.rename(tmp, final)
            fsync_dir(folder)
            atomic_write_bytes(folder / MANIFEST, text)  # the switch
            published = True
        finally:
            if not published and _live_version(folder) != version:
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.rmtree(final, ignore_errors=True)
        _collect_garbage(folder, version)
    return final


def read_manifest(path: Path) -> dict:
    """The ``manifest.json`` in ``path`` (a model folder: the live manifest; or a version folder)."""
    mpath = Path(path) / MANIFEST
    if not mpath.exists():
        raise NotTrainedError(f"{path}: no {MANIFEST} (model not trained?)")
    try:
        manifest = json.loads(mpath.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise StoreError(f"{mpath}: unreadable manifest: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") not in READABLE_FORMATS:
        raise StoreError(f"{mpath}: unknown format (expected format_version "
                         f"{' or '.join(map(str, READABLE_FORMATS))})")
    return manifest


def _files_dir(folder: Path, manifest: dict) -> Path:
    """The folder holding the files of the version ``manifest`` (the model folder itself for format 1)."""
    if manifest["format_version"] == 1:
        return folder
    version = manifest.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        raise StoreError(f"{folder / MANIFEST}: names no valid version folder ({version!r}); retrain it")
    return folder / version


def arrays_path(store: Path, dataset_key: str, name: str) -> Path:
    """The live ``arrays.npz`` of a stored model (its vectors, ``np.savez``; read with ``allow_pickle=False``), for a
    reader that needs the file's bytes (a digest); :func:`load_model` is the checked way to read a model."""
    return live_dir(store, dataset_key, name) / ARRAYS


def live_dir(store: Path, dataset_key: str, name: str) -> Path:
    """The folder holding a stored model's live files (a ``v-…`` folder; the model folder in the flat layout)."""
    folder = model_dir(store, dataset_key, name)
    if not (folder / MANIFEST).exists():
        raise NotTrainedError(f"model {name!r} is not in the store {Path(store) / dataset_key} (train it first)")
    return _files_dir(folder, read_manifest(folder))


def _mismatch(path: Path, fname: str, found: str, expected: str) -> StoreError:
    return StoreError(f"{path / fname}: damaged {fname}: checksum mismatch (sha256 {found[:12]}…, "
                      f"the manifest says {expected[:12]}…); retrain it")


def _missing(path: Path, fname: str) -> StoreError:
    return StoreError(f"{path}: damaged model: {fname} is missing; retrain it")


def _read_version(folder: Path, name: str, manifest: dict) -> StoredModel:
    path = _files_dir(folder, manifest)
    files = manifest.get("files", [ARRAYS])
    sha = None
    if manifest["format_version"] >= 2:
        if not (path / MANIFEST).exists():
            raise StoreError(f"{path}: the live version of {name!r} is missing; retrain it")
        if read_manifest(path) != manifest:
            raise StoreError(f"{path / MANIFEST} differs from {folder / MANIFEST} (mixed versions); retrain it")
        sha = manifest.get("sha256")
        if not isinstance(files, list) or not isinstance(sha, dict) or set(sha) != set(files) or ARRAYS not in sha:
            raise StoreError(f"{folder / MANIFEST}: 'files' and 'sha256' do not match; retrain it")
    for fname in files:  # other files: verified here, read by whoever needs them
        if fname != ARRAYS and sha is not None:
            try:
                found = sha256_file(path / fname)
            except FileNotFoundError:
                raise _missing(path, fname) from None
            if found != sha[fname]:
                raise _mismatch(path, fname, found, sha[fname])
    try:
        data = (path / ARRAYS).read_bytes()  # read once: the checked bytes are the parsed bytes
    except FileNotFoundError:
        raise _missing(path, ARRAYS) from None
    if sha is not None and (found := hashlib.sha256(data).hexdigest()) != sha[ARRAYS]:
        raise _mismatch(path, ARRAYS, found, sha[ARRAYS])
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        extras = {k[len("extra__"):]: v for k, v in arrays.items() if k.startswith("extra__")}
        output = RecallOutput(
            item_ids=arrays["item_ids"], item_vectors=arrays["item_vectors"], metric=manifest["metric"],
            user_ids=arrays.get("user_ids"), user_vectors=arrays.get("user_vectors"),
            candidate_vectors=arrays.get("candidate_vectors"), item_known=arrays.get("item_known"),
            pair_query_vectors=arrays.get("pair_query_vectors"),
            u2i_metric=manifest["u2i_metric"], extras=extras, info=manifest.get("info", {}),
        )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as e:
        raise StoreError(f"{path}: damaged arrays ({type(e).__name__}: {e}); retrain it") from None
    if not np.isfinite(output.item_vectors).all():
        raise StoreError(f"{path}: item vectors contain NaN or inf; retrain it")
    return StoredModel(name=name, path=path, manifest=manifest, output=output)


def load_model(store: Path, dataset_key: str, name: str, fingerprint: str | None = None) -> StoredModel:
    """Read a model's live version; StoreError if damaged or made from other data, NotTrainedError if absent."""
    folder = model_dir(store, dataset_key, name)
    for _ in range(_READ_ATTEMPTS):
        if not (folder / MANIFEST).exists():
            raise NotTrainedError(f"model {name!r} is not in the store {Path(store) / dataset_key} (train it first)")
        manifest = read_manifest(folder)
        if fingerprint and manifest.get("dataset", {}).get("fingerprint") != fingerprint:
            raise StoreError(f"{folder}: trained on other data (fingerprint "
                             f"{manifest.get('dataset', {}).get('fingerprint')}, dataset has {fingerprint}); retrain it")
        try:
            return _read_version(folder, name, manifest)
        except (RecallError, OSError):
            if _live_version(folder) == manifest.get("version"):
                raise
            # a save replaced the version while we read it (and removed the old one): read the new one
    raise StoreError(f"{folder}: the model was replaced {_READ_ATTEMPTS} times while being read "
                     f"(is a training writing it?); try again")


def list_models(store: Path, dataset_key: str) -> list[str]:
    """Names of the models in the store for a dataset (folders with a live manifest)."""
    d = dataset_dir(store, dataset_key)
    if not d.exists():
        return []
    return sorted(p.name for p in d.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).exists())


def stored_models(ds, store: Path, split: str = "test") -> list[str]:
    """Stored model names for the dataset ``ds`` (trained for ``split``), in display order (the order of
    :func:`recall_core.models.base.model_names`; variants after their model, imports last)."""
    from recall_core.models.base import model_names

    names = list_models(store, store_key(ds.key, split))
    order = {m: i for i, m in enumerate(model_names())}

    def key(n: str):
        base = n.split("@")[0]
        return (order.get(base, len(order)), base, n)

    return sorted(names, key=key)


def load_trained(ds, store: Path, name: str, split: str = "test") -> StoredModel:
    """The stored model ``name`` trained on the dataset ``ds`` for ``split``, checked against the dataset's
    fingerprint (:func:`load_model`: ``StoreError`` if made from other data, ``NotTrainedError`` if absent)."""
    return load_model(store, store_key(ds.key, split), name, fingerprint=ds.fingerprint)
