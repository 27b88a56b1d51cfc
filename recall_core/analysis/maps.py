"""2-D UMAP maps of stored item and user vectors, computed once and cached in the model's folder.

A map is ``umap-<kind>-nn<n_neighbors>-md<min_dist>-s<seed>.npz`` inside the
model's store folder, holding ``rows`` ``(m,)`` int64 (which item/user rows
were mapped: vectors with a non-zero norm that the model knows) and
``coords`` ``(m, 2)`` float32, plus a digest of the vectors it was computed
from. A retrained model gets a new version folder (the store writes whole versions),
and a digest mismatch recomputes, so a map never belongs to other vectors.
Files are written atomically and durably (:func:`recall_core.store.atomic_write`).

``umap`` is imported only when a map has to be computed: it takes seconds to
import and compiles numba code on first use.
"""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.errors import RecallError, StoreError
from recall_core.store import StoredModel, atomic_write, map_path

KINDS = ("items", "users")
SEED = 42
#: the Maps page's first settings (its n_neighbors and min_dist sliders start here); ``train`` computes the
#: maps at these settings right after storing a model (:func:`default_maps`), so the first visitor reads them
DEFAULT_N_NEIGHBORS = 15
DEFAULT_MIN_DIST = 0.1


@dataclass(frozen=True)
class Map:
    """``rows`` ``(m,)`` int64 into the model's item (or user) ids; ``coords`` ``(m, 2)`` float32."""

    rows: np.ndarray
    coords: np.ndarray
    path: Path
    computed: bool  # True if computed by this call (False: read from disk)


def map_file(model: StoredModel, kind: str, n_neighbors: int, min_dist: float, seed: int = SEED) -> Path:
    """Where the map of ``model``'s live version is kept (:func:`recall_core.store.map_path`)."""
    return map_path(Path(model.path), kind, n_neighbors, min_dist, seed)


def mappable(model: StoredModel, kind: str) -> str | None:
    """Why the model cannot have this map (``None`` if it can)."""
    out = model.output
    if kind == "users" and not out.has_users:
        return "no user vectors"
    vecs = out.item_vectors if kind == "items" else out.user_vectors
    if vecs.shape[1] < 2:
        return f"{vecs.shape[1]}-dimensional vectors (nothing to lay out)"
    if len(_rows(model, kind)) < 4:
        return "fewer than 4 vectors"
    return None


def _vectors(model: StoredModel, kind: str) -> np.ndarray:
    out = model.output
    return out.item_vectors if kind == "items" else out.user_vectors


def _rows(model: StoredModel, kind: str) -> np.ndarray:
    """Rows worth mapping: non-zero vectors (cosine is undefined at 0) of items the model knows."""
    v = _vectors(model, kind)
    ok = np.linalg.norm(v, axis=1) > 1e-12
    if kind == "items" and model.output.item_known is not None:
        ok &= model.output.item_known
    return np.flatnonzero(ok).astype(np.int64)


def _digest(vectors: np.ndarray, rows: np.ndarray) -> str:
    h = hashlib.sha1(np.ascontiguousarray(vectors[rows], dtype=np.float32).tobytes())
    h.update(rows.tobytes())
    return h.hexdigest()


def _import_umap():
    """Import umap without TensorFlow and with numba's on-disk cache for its kernels.

    umap imports TensorFlow (for its optional ParametricUMAP) when it is
    installed, which costs seconds and is not needed here: we block it while
    importing, unless TensorFlow is already loaded. umap compiles its numba
    kernels on every new process (about 15 s here); enabling numba's file
    cache on those kernels makes later processes reuse the compiled code.
    """
    blocked = "tensorflow" not in sys.modules
    if blocked:
        sys.modules["tensorflow"] = None  # makes `import tensorflow` raise ImportError
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import umap
            import umap.distances
            import umap.layouts
            import umap.spectral
            import umap.umap_
            import umap.utils
    finally:
        if blocked and sys.modules.get("tensorflow", 0) is None:
            del sys.modules["tensorflow"]
    try:
        from numba.core.registry import CPUDispatcher

        for mod in (umap.umap_, umap.layouts, umap.utils, umap.distances, umap.spectral):
            for f in vars(mod).values():
                if isinstance(f, CPUDispatcher) and type(f._cache).__name__ == "NullCache":
                    f.enable_caching()
    except Exception:  # noqa: BLE001 (an optimisation only: without it, maps are just slower to compute)
        pass
    return umap


class _EpochWriter:
    """A file for umap's tqdm bar (``bar_format="{n}/{total}"``) that reports each update to ``progress``."""

    def __init__(self, progress):
        self.progress = progress

    def write(self, text: str) -> None:
        import re

        m = re.findall(r"(\d+)/(\d+)", text)
        if m:
            n, total = map(int, m[-1])
            self.progress(NN_SHARE + (1 - NN_SHARE) * n / max(total, 1), f"layout: epoch {n} of {total}")

    def flush(self) -> None:
        pass


#: the share of a map's progress bar given to the nearest-neighbour graph (reported as one step); the layout's
#: epochs fill the rest
NN_SHARE = 0.3


def compute(vectors: np.ndarray, n_neighbors: int = 15, min_dist: float = 0.1, seed: int = SEED,
            progress=None) -> np.ndarray:
    """``(n, d)`` vectors -> ``(n, 2)`` float32 UMAP coordinates (cosine, fixed seed, single-threaded).

    ``progress(fraction, message)``, if given, hears the steps: the nearest-neighbour graph, then each layout epoch.
    """
    n = len(vectors)
    if n < 4:
        raise RecallError(f"a map needs at least 4 vectors, got {n}")
    report = progress or (lambda fraction, message: None)
    report(0.0, f"nearest neighbours of {n:,} vectors")
    umap = _import_umap()
    import warnings

    tqdm_kwds = {"disable": False, "file": _EpochWriter(report), "bar_format": "{n}/{total}", "mininterval": 0.25,
                 "ascii": True} if progress else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "n_jobs overridden by random_state": wanted, for determinism
        reducer = umap.UMAP(n_components=2, n_neighbors=max(2, min(int(n_neighbors), n - 1)),
                            min_dist=float(min_dist), metric="cosine", random_state=seed,
                            init="spectral" if n > 10 else "random", tqdm_kwds=tqdm_kwds)
        coords = reducer.fit_transform(np.asarray(vectors, np.float32))
    report(1.0, "done")
    return np.asarray(coords, np.float32)


def _write_atomic(path: Path, **arrays) -> None:
    atomic_write(path, lambda f: np.savez(f, **arrays))


def read_map(model: StoredModel, kind: str, n_neighbors: int, min_dist: float, seed: int = SEED) -> Map | None:
    """The cached map if it exists and matches the model's current vectors, else ``None``."""
    path = map_file(model, kind, n_neighbors, min_dist, seed)
    if not path.exists():
        return None
    rows = _rows(model, kind)
    try:
        with np.load(path, allow_pickle=False) as z:
            ok = str(z["digest"]) == _digest(_vectors(model, kind), rows)
            m_rows, coords = z["rows"], z["coords"]
    except (OSError, ValueError, KeyError, EOFError):
        return None  # damaged cache: recompute
    if not ok or coords.shape != (len(m_rows), 2) or not np.array_equal(m_rows, rows):
        return None
    return Map(m_rows.astype(np.int64), coords.astype(np.float32), path, computed=False)


def umap_map(model: StoredModel, kind: str = "items", n_neighbors: int = 15, min_dist: float = 0.1,
             seed: int = SEED, progress=None) -> Map:
    """The 2-D map of a model's item or user vectors: read from disk, or computed once and written
    (``progress``: see :func:`compute`)."""
    found = read_map(model, kind, n_neighbors, min_dist, seed)
    if found is not None:
        return found
    why = mappable(model, kind)
    if why:
        raise RecallError(f"model {model.name!r} has no {kind} map: {why}")
    rows = _rows(model, kind)
    vecs = _vectors(model, kind)
    coords = compute(vecs[rows], n_neighbors, min_dist, seed, progress=progress)
    path = map_file(model, kind, n_neighbors, min_dist, seed)
    if not path.parent.is_dir():  # the model was retrained meanwhile and this version removed: nothing to cache
        return Map(rows, coords, path, computed=True)
    try:
        _write_atomic(path, rows=rows, coords=coords, digest=np.asarray(_digest(vecs, rows)))
    except OSError as e:
        raise StoreError(f"could not cache the map in {path.parent}: {e}") from None
    return Map(rows, coords, path, computed=True)


def default_maps(model: StoredModel, progress=None) -> dict[str, Map]:
    """The maps the Maps page opens with for ``model``: its items and (if it has them) its users at
    :data:`DEFAULT_N_NEIGHBORS` / :data:`DEFAULT_MIN_DIST`, computed and kept in its version folder unless
    already there. A kind the model cannot map (:func:`mappable`) is skipped. ``progress(fraction, message)``
    hears each map's steps (fractions over all of them). Returns ``{kind: Map}``."""
    kinds = [k for k in KINDS if mappable(model, k) is None]
    out = {}
    for i, kind in enumerate(kinds):
        def step(f: float, msg: str, i=i, kind=kind) -> None:
            if progress is not None:
                progress((i + f) / len(kinds), f"{kind} map: {msg}")
        out[kind] = umap_map(model, kind, DEFAULT_N_NEIGHBORS, DEFAULT_MIN_DIST, progress=step)
    return out


# --------------------------------------------------------------------------- frames and figures for the page

ITEM_COLOURINGS = ("primary genre", "year", "popularity (log)", "top attention field")
USER_COLOURINGS = ("age", "gender", "occupation")


def item_frame(ds, model: StoredModel, m: Map) -> "pd.DataFrame":
    """One row per mapped item: ``x, y, item_id, title, primary genre, year, popularity (log), top attention field``."""
    import pandas as pd

    from recall_core.data.split import split_for

    from recall_core.features.side_info import primary_genres

    rows = m.rows
    items = ds.items.iloc[rows]
    counts = split_for(ds).train.item_counts[rows]
    df = pd.DataFrame({
        "x": m.coords[:, 0], "y": m.coords[:, 1], "item_id": ds.item_vocab.ids[rows],
        "title": item_labels(ds, rows),
        "primary genre": primary_genres(ds)[rows],
        "year": items["year"].to_numpy(), "interactions": counts,
        "popularity (log)": np.log10(1.0 + counts),
    })
    ex = model.output.extras
    if "attention" in ex and "attention_fields" in ex:
        fields = np.asarray(ex["attention_fields"]).astype(str)
        df["top attention field"] = fields[np.asarray(ex["attention"])[rows].argmax(axis=1)]
    return df


def item_labels(ds, rows: np.ndarray) -> np.ndarray:
    """``Title (year)`` of item ``rows`` (as :meth:`Dataset.item_label`, for many rows at once)."""
    items = ds.items.iloc[rows]
    years = items["year"].to_numpy(dtype=float)
    suffix = np.where(np.isnan(years), "", " (" + np.nan_to_num(years).astype(np.int64).astype(str) + ")")
    return (items["title"].astype(str).to_numpy().astype(object) + suffix.astype(object)).astype(str)


#: A map draws at most this many points (per model); above it, a uniform random sample (seed 42) that always
#: keeps the highlighted movie, and the map says so. 30k points are drawn by scattergl in about a second;
#: the payload (coordinates and hover titles) is about 1.5 MB.
MAX_POINTS = 30_000


def display_sample(df: "pd.DataFrame", limit: int | None = None, keep=(), id_col: str = "item_id",
                   seed: int = SEED) -> tuple["pd.DataFrame", str | None]:
    """``(rows to draw, notice)``: all of ``df`` and ``None`` when it has at most ``limit`` rows (default
    :data:`MAX_POINTS`); else ``limit`` rows drawn uniformly at random (seeded, in ``df``'s order) plus the ids in
    ``keep``, and a sentence saying so."""
    limit = MAX_POINTS if limit is None else int(limit)
    n = len(df)
    if n <= limit:
        return df, None
    rng = np.random.default_rng(seed)
    take = np.zeros(n, bool)
    take[rng.choice(n, size=limit, replace=False)] = True
    take |= df[id_col].isin(set(keep)).to_numpy()
    what = "items" if id_col == "item_id" else "users"
    return df[take], (f"showing {int(take.sum()):,} of {n:,} {what}, sampled uniformly at random (seed {seed}; "
                      f"above {limit:,} points a map is sampled)")


def user_frame(ds, m: Map) -> "pd.DataFrame":
    """One row per mapped user: ``x, y, user_id`` and the demographics the dataset has."""
    import pandas as pd

    users = ds.users.iloc[m.rows].reset_index(drop=True)
    df = pd.DataFrame({"x": m.coords[:, 0], "y": m.coords[:, 1], "user_id": users["user_id"].to_numpy()})
    label = "user " + df["user_id"].astype(str)
    for c in USER_COLOURINGS:
        if c in users.columns:
            df[c] = users[c].to_numpy()
            label = label + " · " + df[c].astype(str)
    df["label"] = label
    return df


def preferred(names: list[str]) -> list[str]:
    """``names`` ordered for the maps' default choice: by :attr:`RecallModel.map_rank`, then as given."""
    from recall_core.models.base import find_model_class

    def rank(n: str) -> float:
        r = getattr(find_model_class(n), "map_rank", None)
        return float("inf") if r is None else r

    return sorted(names, key=rank)


#: A close-up draws at most this many points around the movie and its neighbours (a seeded sample above it,
#: said). Close-ups are SVG figures (redrawn on every change of K), so they stay small.
CLOSE_UP_POINTS = 1_000


def close_up(df: "pd.DataFrame", focus, neighbours, limit: int | None = None, pad: float = 0.15,
             id_col: str = "item_id") -> tuple["pd.DataFrame", str | None, tuple, tuple]:
    """The window of a map around ``focus`` and its ``neighbours`` (ids): ``(rows inside, notice, x range, y range)``.

    The window is the bounding box of those points, widened by ``pad`` of its size on each side (at least 5% of
    the whole map's size); every map point inside is returned, or a seeded sample of ``limit`` (default
    :data:`CLOSE_UP_POINTS`) plus the focus and neighbours, with a notice. Empty when ``focus`` is not mapped.
    """
    limit = CLOSE_UP_POINTS if limit is None else int(limit)
    marked = df[df[id_col].isin({focus, *neighbours})]
    if marked.empty or not (df[id_col] == focus).any():
        return df.iloc[:0], None, (0.0, 1.0), (0.0, 1.0)
    span = max(float(np.ptp(df["x"])), float(np.ptp(df["y"])), 1e-6)
    lo_x, hi_x = float(marked["x"].min()), float(marked["x"].max())
    lo_y, hi_y = float(marked["y"].min()), float(marked["y"].max())
    w = max(hi_x - lo_x, hi_y - lo_y, 0.1 * span)
    cx, cy = (lo_x + hi_x) / 2, (lo_y + hi_y) / 2
    half = w / 2 + pad * w
    xr, yr = (cx - half, cx + half), (cy - half, cy + half)
    inside = df[df["x"].between(*xr) & df["y"].between(*yr)]
    sub, notice = display_sample(inside, limit, keep={focus, *neighbours}, id_col=id_col)
    return sub, notice, xr, yr
