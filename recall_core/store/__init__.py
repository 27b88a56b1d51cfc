"""The model store: one folder per dataset and model, written atomically.

Layout::

    <store>/<dataset key>/<model name>/manifest.json
                                       arrays.npz        (allow_pickle=False)
                                       umap-*.npz        (cached maps, written later)
                                       *.keras           (where a model keeps its network)

``manifest.json`` says what the model is, how it was made (config, seed,
dataset fingerprint, library versions, creation time), its metrics and the
list of its files. A model folder is written to a temporary sibling and
renamed into place, so a reader never sees half a model and a failed
training leaves the previous model untouched.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from recall_core.errors import NotTrainedError, StoreError
from recall_core.models.base import RecallOutput

FORMAT_VERSION = 1
STORE_ENV = "RECALL_STORE"
ARRAYS = "arrays.npz"
MANIFEST = "manifest.json"
_NAME = re.compile(r"^[A-Za-z0-9_.@=-]+$")
_LIBS = ("numpy", "pandas", "gensim", "tensorflow", "keras", "faiss-cpu", "networkx", "scipy")


def default_store() -> Path:
    """``$RECALL_STORE``, else ``models_store/`` next to the package."""
    env = os.environ.get(STORE_ENV)
    return Path(env) if env else Path(__file__).resolve().parents[2] / "models_store"


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for lib in _LIBS:
        try:
            out[lib] = metadata.version(lib)
        except metadata.PackageNotFoundError:
            pass
    return out


def model_dir(store: Path, dataset_key: str, name: str) -> Path:
    if not _NAME.match(name):
        raise StoreError(f"invalid model name {name!r} (letters, digits and _.@=- only)")
    return Path(store) / dataset_key / name


@dataclass
class StoredModel:
    """A model read back from the store."""

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
) -> Path:
    """Write one model folder atomically; return its path.

    ``dataset`` is a :class:`~recall_core.data.Dataset`; ``write_files(folder)``
    may add files (a ``.keras`` network) and returns their names.
    """
    target = model_dir(store, dataset.key, name)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        np.savez(tmp / ARRAYS, **_arrays_of(output))
        files = [ARRAYS] + list(write_files(tmp) if write_files else [])
        manifest = {
            "format_version": FORMAT_VERSION,
            "model": name,
            "model_class": model_class,
            "config": config,
            "seed": seed,
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
            "files": files,
            **(extra or {}),
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, default=_json_default))
        # Keep cached maps (umap-*.npz) only if they were computed from these same vectors: they were not.
        backup = None
        if target.exists():
            backup = target.with_name(f".{name}-old-{os.getpid()}")
            if backup.exists():
                shutil.rmtree(backup)
            target.rename(backup)
        tmp.rename(target)
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def read_manifest(path: Path) -> dict:
    mpath = Path(path) / MANIFEST
    if not mpath.exists():
        raise NotTrainedError(f"{path}: no {MANIFEST} (model not trained?)")
    try:
        manifest = json.loads(mpath.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise StoreError(f"{mpath}: unreadable manifest: {e}") from None
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        raise StoreError(f"{mpath}: unknown format (expected format_version {FORMAT_VERSION})")
    return manifest


def load_model(store: Path, dataset_key: str, name: str, fingerprint: str | None = None) -> StoredModel:
    """Read a model folder; StoreError if damaged or made from other data, NotTrainedError if absent."""
    path = model_dir(store, dataset_key, name)
    if not path.exists():
        raise NotTrainedError(f"model {name!r} is not in the store {Path(store) / dataset_key} (train it first)")
    manifest = read_manifest(path)
    if fingerprint and manifest.get("dataset", {}).get("fingerprint") != fingerprint:
        raise StoreError(f"{path}: trained on other data (fingerprint {manifest['dataset'].get('fingerprint')}, "
                         f"dataset has {fingerprint}); retrain it")
    try:
        with np.load(path / ARRAYS, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        extras = {k[len("extra__"):]: v for k, v in arrays.items() if k.startswith("extra__")}
        output = RecallOutput(
            item_ids=arrays["item_ids"], item_vectors=arrays["item_vectors"], metric=manifest["metric"],
            user_ids=arrays.get("user_ids"), user_vectors=arrays.get("user_vectors"),
            candidate_vectors=arrays.get("candidate_vectors"),
            pair_query_vectors=arrays.get("pair_query_vectors"), item_known=arrays.get("item_known"), u2i_metric=manifest["u2i_metric"],
            extras=extras, info=manifest.get("info", {}),
        )
    except (OSError, ValueError, KeyError, EOFError) as e:
        raise StoreError(f"{path}: damaged arrays ({type(e).__name__}: {e}); retrain it") from None
    if not np.isfinite(output.item_vectors).all():
        raise StoreError(f"{path}: item vectors contain NaN or inf; retrain it")
    return StoredModel(name=name, path=path, manifest=manifest, output=output)


def list_models(store: Path, dataset_key: str) -> list[str]:
    """Names of model folders in the store for a dataset (those with a manifest)."""
    d = Path(store) / dataset_key
    if not d.exists():
        return []
    return sorted(p.name for p in d.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / MANIFEST).exists())


def update_manifest(store: Path, dataset_key: str, name: str, **fields) -> None:
    """Atomically replace fields of a stored manifest (e.g. refreshed metrics)."""
    path = model_dir(store, dataset_key, name)
    manifest = read_manifest(path)
    manifest.update(fields)
    tmp = path / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(manifest, indent=2, default=_json_default))
    os.replace(tmp, path / MANIFEST)
