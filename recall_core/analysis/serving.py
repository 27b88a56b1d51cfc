"""What the Serving page shows: ANN indexes over a stored model's vectors, measured against exact search.

**Where the measurements live.** A stored model's folder is a published
version whose manifest is written once, atomically, by
:func:`~recall_core.store.save_model` and vouched for by checksums; rewriting
it to add fields later would need a second publishing path. Serving
measurements are therefore a *sidecar* in the live version folder
(:func:`recall_core.store.serving_path`, beside the cached UMAP maps), written atomically and durably with
:func:`recall_core.store.atomic_write`. It belongs to that version (a
retrained model gets a new folder) and records a digest of the vectors each
view indexed, so a file that does not match is ignored and measured again.
:func:`read_serving` is the one reader; :func:`measure` the one writer (the CLI's
``index-bench --model`` and the page both use it).

Evaluation never uses these indexes: it always scores exactly.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import json
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.data import Dataset
from recall_core.errors import RecallError, StoreError, UnknownIdError
from recall_core.index.bench import LATENCY_K, RECALL_K, SWEEPS, bench_output
from recall_core.store import SERVING, StoredModel, atomic_write, serving_path

#: the sidecar's file name, as the page names it (the store owns it: :func:`recall_core.store.serving_path`)
SIDECAR = SERVING
FORMAT = 1
#: views whose key vectors are indexed: the item space (``similar``) and the candidates users are scored against
VIEWS = ("similar", "user")
VIEW_LABELS = {"similar": "Similar items (item vectors)", "user": "User recall (candidate vectors)"}
#: queries per view when the page measures (the CLI's default is 1,000)
PAGE_QUERIES = 300


#: Why a model's vectors are not indexed (what :func:`servable` says).
SKIP_REASONS = {"scalar": "one number per item (a ranking, not an embedding space)"}


def servable(model: StoredModel) -> str | None:
    """Why the model's vectors are not worth indexing (``None`` when they are): a :data:`SKIP_REASONS` text."""
    if model.output.item_vectors.shape[1] < 2:
        return SKIP_REASONS["scalar"]
    return None


def views_of(model: StoredModel) -> list[str]:
    return [v for v in VIEWS if v in model.output.views]


def _digest(keys: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(keys, dtype=np.float32).tobytes()).hexdigest()


def sidecar_path(model: StoredModel) -> Path:
    """Where ``model``'s live version keeps its measurements (:func:`recall_core.store.serving_path`)."""
    return serving_path(model.path)


def read_serving(model: StoredModel) -> dict | None:
    """The recorded measurements if present and made from these vectors, else ``None``."""
    path = sidecar_path(model)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("views"), dict):
        return None
    if set(data["views"]) != set(views_of(model)):
        return None
    for view, entry in data["views"].items():
        try:
            keys = model.output.view_arrays(view)[1]
        except UnknownIdError:
            return None
        if not isinstance(entry, dict) or entry.get("digest") != _digest(keys) or not entry.get("rows"):
            return None
    return data


def measure(model: StoredModel, n_queries: int = PAGE_QUERIES, seed: int = 0, progress=None,
            write: bool = True) -> dict:
    """Benchmark every index kind on each view's key vectors and record it in the model's sidecar
    (:func:`sidecar_path`).

    Returns the recorded dict: ``{"format", "created", "machine", "model", "recall_k", "latency_k",
    "views": {view: {"metric", "n", "dim", "queries", "digest", "rows": [...]}}, "path", "written"}``.
    ``written`` is False when the version folder no longer exists (the model was retrained meanwhile).
    """
    why = servable(model)
    if why:
        raise RecallError(f"model {model.name!r} is not indexed: {why}")
    from recall_core.index.bench import build_threads

    views = bench_output(model.output, views_of(model), n_queries=n_queries, seed=seed, progress=progress)
    for view, entry in views.items():
        entry["digest"] = _digest(model.output.view_arrays(view)[1])
    data = {"format": FORMAT, "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"platform": platform.platform(terse=True), "build_threads": build_threads(),
                        "search_threads": 1},
            "model": model.name, "model_version": model.manifest.get("version"), "recall_k": RECALL_K,
            "latency_k": LATENCY_K, "views": views}
    path = sidecar_path(model)
    written = False
    if write and path.parent.is_dir():
        text = json.dumps(data, indent=2).encode()
        try:
            atomic_write(path, lambda f: f.write(text))
        except OSError as e:
            raise StoreError(f"could not record the serving measurements in {path}: {e}") from None
        written = True
    return {**data, "path": str(path), "written": written}


def measurements(model: StoredModel, n_queries: int = PAGE_QUERIES, progress=None) -> tuple[dict, bool]:
    """``(measurements, computed_now)``: read from the sidecar (:func:`sidecar_path`), or measured once and
    recorded there."""
    found = read_serving(model)
    if found is not None:
        return {**found, "path": str(sidecar_path(model)), "written": True}, False
    return measure(model, n_queries=n_queries, progress=progress), True


# --------------------------------------------------------------------------- frames


def rows_frame(entry: dict) -> pd.DataFrame:
    """One row per kind and setting: ``kind, setting, recall@10, p50_ms, p99_ms, build_s, memory_mb``."""
    df = pd.DataFrame(entry["rows"])
    return df[["kind", "setting", f"recall@{RECALL_K}", "p50_ms", "p99_ms", "build_s", "memory_mb"]]


def memory_frame(entry: dict) -> pd.DataFrame:
    """One row per kind: its build parameters, build seconds, memory and memory relative to exact search."""
    df = pd.DataFrame(entry["rows"]).drop_duplicates("kind")
    flat = df.loc[df["kind"] == "flat", "memory_mb"]
    base = float(flat.iloc[0]) if len(flat) else float("nan")
    search = {name for name, _ in SWEEPS.values()}
    off = {("euclidean", 0), ("reorder", 0)}  # switches at their default say nothing
    return pd.DataFrame({
        "kind": df["kind"].to_numpy(),
        "built with": [" ".join(f"{k}={v}" for k, v in p.items() if k not in search and (k, v) not in off)
                       or "-" for p in df["params"]],
        "build_s": df["build_s"].to_numpy(), "memory_mb": df["memory_mb"].to_numpy(),
        "× exact": (df["memory_mb"] / base).round(2).to_numpy() if base == base and base > 0 else np.nan,
    })


def best_at(entry: dict, target: float = 0.99) -> dict | None:
    """The fastest (p99) ANN setting reaching recall@10 >= ``target``, or ``None``."""
    rows = [r for r in entry["rows"] if r["kind"] != "flat" and r[f"recall@{RECALL_K}"] >= target]
    return min(rows, key=lambda r: r["p99_ms"]) if rows else None


def scale(ds: Dataset) -> dict:
    """``{"users", "items", "pairs": U×I, "tower_passes": U+I}`` of a dataset: the serving argument in numbers."""
    u, i = int(ds.n_users), int(ds.n_items)
    return {"users": u, "items": i, "pairs": u * i, "tower_passes": u + i}


# --------------------------------------------------------------------------- vector norms


def norm_summary(model: StoredModel, view: str) -> dict:
    """Norms of the vectors a view indexes (the items the model knows):
    ``{"metric", "n", "min", "median", "p99", "max", "log_sd", "unit", "spread"}``.
    ``unit``: all norms are 1 (to 1e-3); ``spread``: p99 / median."""
    _, keys, metric = model.output.view_arrays(view)
    known = model.output.item_known
    k = keys[known] if known is not None else keys
    n = np.linalg.norm(k, axis=1)
    pos = n[n > 0]
    med = float(np.median(n)) if len(n) else float("nan")
    return {"metric": metric, "n": int(len(n)), "min": float(n.min()) if len(n) else float("nan"), "median": med,
            "p99": float(np.percentile(n, 99)) if len(n) else float("nan"),
            "max": float(n.max()) if len(n) else float("nan"),
            "log_sd": float(np.log(pos).std()) if len(pos) else float("nan"),
            "unit": bool(len(n) and np.allclose(n, 1.0, atol=1e-3)),
            "spread": float(np.percentile(n, 99) / med) if med and med > 0 else float("nan")}


def norm_kind(s: dict) -> str:
    """Which case :func:`norm_sentence` words: ``"cosine_unit"``, ``"cosine"``, ``"ip_unit"`` or ``"ip"``."""
    return ("cosine" if s["metric"] == "cosine" else "ip") + ("_unit" if s["unit"] else "")


def norm_sentence(s: dict) -> str:
    """What the view's norms mean for its index, in one or two sentences."""
    if s["metric"] == "cosine":
        return ("Scored by cosine: the index holds normalised copies, so inner product, cosine and Euclidean "
                "distance rank alike here, whatever the stored norms" + (" (already 1)." if s["unit"] else
                                                                       f" (from {s['min']:.2f} to {s['max']:.2f})."))
    if s["unit"]:
        return "Scored by inner product on unit vectors: the same ranking as cosine and as Euclidean distance."
    return (f"Scored by inner product on vectors whose norms run from {s['min']:.2f} to {s['max']:.2f} "
            f"(the 99th percentile is {s['spread']:.2f}× the median): a long vector scores high for many queries "
            "whatever its direction. Inner product is not a distance (a vector need not be its own best match; "
            "there is no triangle inequality), and graph (HNSW) and cluster (IVF) indexes rely on one to prune "
            "their search. How much recall that costs depends on the vectors and on where the queries come from, "
            "not on the norms alone: compare this view's recall with a cosine view's. Adding one coordinate "
            "√(R² − ‖x‖²) to every item (R the largest norm; 0 to the queries) makes it a Euclidean search with "
            "the same ranking: that is the chart's hnsw-l2 line.")


# --------------------------------------------------------------------------- one query, exact beside ANN


def query_of(ds: Dataset, model: StoredModel, view: str, query: str) -> tuple[np.ndarray, list[str], str]:
    """``(query vector (d,), excluded ids, label)`` as the app's lists use them: an item excludes itself,
    a user excludes their training items."""
    from recall_core.data.split import split_for

    queries, _, _ = model.output.view_arrays(view)
    if view == "similar":
        row = ds.find_item(query)
        item_id = ds.item_vocab.id(row)
        return queries[row], [item_id], ds.item_label(row)
    if str(query) not in ds.user_vocab:
        raise UnknownIdError(f"unknown user {query!r} in {ds.name}")
    urow = model.output.user_row(str(query))
    seen = ds.item_vocab.ids[split_for(ds).train.history(ds.user_vocab.index(str(query)))]
    return queries[urow], seen.tolist(), f"user {query}"


def compare_one(ds: Dataset, model: StoredModel, view: str, query: str, ann, k: int = 10):
    """``(exact table, ANN table, recall)`` for one query: each table is :func:`~recall_core.data.item_table`
    with ``found`` (exact rows the ANN index also returned) or ``in_exact`` (ANN rows that are in the exact top-K)."""
    from recall_core.index import index_for
    from recall_core.data import item_table

    qv, exclude, _ = query_of(ds, model, view, query)
    exact = index_for(model.output, view, (str(model.path), model.manifest.get("created")))

    def table(index):
        ids, sc = index.search(qv[None, :], k, [exclude])
        ok = ids[0] != ""
        return item_table(ds, ds.item_vocab.indices(ids[0][ok]), sc[0][ok])

    ex, an = table(exact), table(ann)
    ex["found"] = ex["item_id"].isin(set(an["item_id"]))
    an["in_exact"] = an["item_id"].isin(set(ex["item_id"]))
    recall = float(ex["found"].mean()) if len(ex) else 1.0
    return ex, an, recall


def build_ann(model: StoredModel, view: str, kind: str, **params):
    """The ANN index a measured ``kind`` (``hnsw``, ``hnsw-l2``, ``ivf``, ``ivfpq``) stands for, over the
    view's key vectors (:func:`recall_core.index.bench.build_kind`)."""
    from recall_core.index.bench import build_kind

    _, keys, metric = model.output.view_arrays(view)
    return build_kind(kind, keys, model.output.item_ids, metric, valid=model.output.item_known, **params)
