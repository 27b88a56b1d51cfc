"""Approximate nearest-neighbour (ANN) indexes beside the exact :class:`VectorIndex`, and :func:`make_index`.

A serving choice, never an evaluation one: the evaluation and every list the
app shows by default score exactly (:class:`VectorIndex`); these indexes
exist so that the cost of ANN can be *measured* as recall against exact
(:mod:`recall_core.index.bench`).

Kinds (faiss, imported only when one of these is built):

* ``hnsw``: ``IndexHNSWFlat(d, M, METRIC_INNER_PRODUCT)``, a graph over the
  full vectors. Parameters ``M`` (32), ``efConstruction`` (80) at build,
  ``efSearch`` (128) at query time; faiss searches with ``max(efSearch, k)``.
  ``euclidean=1`` builds the graph for a Euclidean search with the same
  ranking instead: every vector gets one more coordinate ``sqrt(R² - |x|²)``
  (``R`` the largest norm) and queries get 0, so that
  ``|q - x|² = |q|² + R² - 2 q·x`` falls as ``q·x`` grows (Bachrach et al.,
  2014). Inner product is not a distance and an HNSW graph built on it can
  leave items hard to reach; the Euclidean form is a true distance. Scores
  returned are still the inner products (recomputed from the stored vectors).
  ``reorder=1`` (or :meth:`AnnIndex.reorder` after building) stores the
  vectors and their links in k-means order once the graph is built: the
  graph, and so what a search finds, is unchanged (faiss's
  ``permute_entries``), but the vectors one search visits now sit near each
  other in memory. A search at this size is bound by memory latency, not
  arithmetic: on 1M 64-d vectors an M 48 graph and its vectors take 0.66 GB,
  far beyond the caches, and the k-means order lowers the p50 and p99 of one
  query by a fifth to a third at the same recall (median of 5 rounds,
  BENCHMARKS.md, *Indexes*, "Serving 1M vectors with a margin"). The order
  costs one k-means (``sqrt(n)`` centres, as IVF's lists, trained on 64
  points per centre) and one assignment pass: 4-7 s at 1M, counted in
  ``build_seconds``. Off by default: the defaults are those the ``auto``
  cut-off was measured with.
* ``ivf``: ``IndexIVFFlat`` over an inner-product coarse quantizer with
  ``nlist`` lists (default ``sqrt(n)``, at most ``n / 39`` so k-means has 39
  points per centre, faiss's minimum); ``nprobe`` (16) lists are scanned per
  query. It may return fewer than ``k`` results when the probed lists are small.
* ``ivfpq``: ``IndexIVFPQ``: the same lists holding product-quantised codes of
  ``m`` bytes per vector (default ``d / 4`` sub-vectors of ``nbits`` = 8 bits,
  fewer bits on catalogues too small to train 256 centres per sub-vector).
  For when memory matters: scores are approximate, so recall is lower.
* ``flat``: the exact :class:`VectorIndex` itself (numpy, ties by row).

``metric`` is ``"ip"`` or ``"cosine"``; cosine indexes hold normalised *copies*
and normalise the queries, so it is inner product on unit vectors.

**Contract** (the same as :class:`VectorIndex`): string ``ids``; an optional
``valid`` mask (rows never added to the index, so never returned);
``search(queries, k, exclude)`` returns ``(ids (q, k) str, scores (q, k)
float32)`` padded with ``""`` / ``-inf``; a query of the wrong width is a
:class:`UsageError`. Within what the index returns, ties are ordered by lower
row, as in the exact path.

**Exclusions over-fetch.** faiss cannot drop a different set of ids per query
in one batched call, so a search asks the index for ``k + e`` results, where
``e`` is the largest number of excluded ids (present in the index) of any
query in the batch, drops the excluded ones and keeps the first ``k``. When
the index finds its ``k + e`` results (HNSW always does, IVF when the probed
lists hold enough vectors), every query gets ``k`` results. A user with
hundreds of seen items makes that one search proportionally more expensive.
"""
from __future__ import annotations

import math
import time
from collections.abc import Sequence

import numpy as np

from recall_core.errors import UnknownIdError, UsageError
from recall_core.index.vector_index import IdRows, VectorIndex
from recall_core.models.base import METRICS, l2_normalize

KINDS = ("auto", "flat", "hnsw", "ivf", "ivfpq")
#: catalogue size from which ``auto`` builds HNSW instead of exact search. Measured with
#: ``python -m recall_core index-bench --crossover --dim 64`` (clustered inner-product vectors, one thread,
#: 2-core machine): HNSW at the smallest ``efSearch`` reaching recall@10 >= 0.99 answers a top-50 query with a
#: p99 at least 2x lower than exact search at 50k vectors (0.28 against 7.4 ms) and 100k (0.15 against 9.8 ms);
#: at 10k-20k it is not (at most 1.4x faster, and on inner-product vectors it needed efSearch 192-512 and
#: stayed below 0.99 at 20k); below, both answer in about 0.1 ms and exact search needs no build and misses nothing.
AUTO_EXACT_BELOW = 50_000

#: parameters per kind and their defaults; ``build``: fixed when the index is built, ``search``: changeable after.
#: The HNSW defaults are those the ``auto`` cut-off was measured with; the 1M serving settings (M 48,
#: efConstruction 100, reorder 1, efSearch 80) are chosen with ``index-bench`` (BENCHMARKS.md, *Indexes*).
PARAMS: dict[str, dict[str, dict[str, int | None]]] = {
    "hnsw": {"build": {"M": 32, "efConstruction": 80, "euclidean": 0, "reorder": 0}, "search": {"efSearch": 128}},
    "ivf": {"build": {"nlist": None}, "search": {"nprobe": 16}},
    "ivfpq": {"build": {"nlist": None, "m": None, "nbits": None}, "search": {"nprobe": 16}},
}


#: parameters that are switches (0 or 1) rather than sizes
FLAGS = {"euclidean", "reorder"}
#: k-means seed of the ``reorder`` layout (the layout changes speed only, never results; fixed so that a build
#: is repeatable)
REORDER_SEED = 1234
#: k-means training points per centre for the ``reorder`` layout (a sample: the order needs neighbourhoods,
#: not accurate centres)
REORDER_POINTS_PER_CENTRE = 64


def _faiss():
    try:
        import faiss
    except ImportError as e:  # pragma: no cover (faiss-cpu is in requirements.txt)
        raise UsageError(f"ANN indexes need faiss (pip install faiss-cpu): {e}") from None
    return faiss


def _check_params(kind: str, params: dict) -> dict[str, int]:
    allowed = {**PARAMS[kind]["build"], **PARAMS[kind]["search"]}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise UsageError(f"{kind} index: unknown parameter(s) {', '.join(unknown)}; known: {', '.join(allowed)}")
    out = {}
    for name, value in params.items():
        if value is None:
            continue
        if name in FLAGS:
            if value not in (0, 1) or isinstance(value, float):
                raise UsageError(f"{kind} index: {name} must be 0 or 1, got {value!r}")
            out[name] = int(value)
            continue
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise UsageError(f"{kind} index: {name} must be a positive integer, got {value!r}")
        out[name] = int(value)
    return out


def default_nlist(n: int) -> int:
    """``sqrt(n)`` inverted lists, at most ``n // 39`` (faiss wants 39 training points per centre), at least 1."""
    return max(1, min(int(round(math.sqrt(max(n, 1)))), n // 39))


def default_pq(d: int, n: int) -> tuple[int, int]:
    """``(m, nbits)``: ``d / 4`` sub-vectors when ``d`` allows (else ``d / 2``, else ``d``), and 8 bits,
    fewer when ``n`` cannot train ``2**nbits`` centres with 39 points each."""
    m = d // 4 if d % 4 == 0 else d // 2 if d % 2 == 0 else d
    nbits = max(1, min(8, int(math.floor(math.log2(max(n, 2) / 39))) if n >= 78 else 1))
    return m, nbits


class AnnIndex(IdRows):
    """A faiss index with :class:`VectorIndex`'s contract (see the module docstring).

    ``kind`` is ``"hnsw"``, ``"ivf"`` or ``"ivfpq"``; ``params`` the faiss
    parameters of :data:`PARAMS` (defaults filled in: :attr:`params`).
    ``build_seconds`` is the wall time of training and adding; ``memory_bytes``
    the size of the index as faiss serialises it (codes, graph, lists and
    centroids; not the id strings, which every kind shares).
    """

    def __init__(self, vectors: np.ndarray, ids: Sequence[str], metric: str = "ip", valid: np.ndarray | None = None,
                 kind: str = "hnsw", **params):
        if kind not in PARAMS:
            raise UsageError(f"ANN kind must be one of {', '.join(PARAMS)}, got {kind!r}")
        if metric not in METRICS:
            raise UsageError(f"metric must be one of {METRICS}, got {metric!r}")
        given = _check_params(kind, params)
        vecs = np.asarray(vectors, dtype=np.float32)
        if vecs.ndim != 2 or len(vecs) != len(ids):
            raise UsageError(f"vectors must be (n_ids={len(ids)}, d), got {vecs.shape}")
        self.kind, self.metric = kind, metric
        self.ids = np.asarray(ids, dtype=str)
        self._row = {s: i for i, s in enumerate(self.ids.tolist())}
        self._dim = int(vecs.shape[1])
        keep = np.ones(len(vecs), bool) if valid is None else np.asarray(valid, bool)
        if keep.shape != (len(vecs),):
            raise UsageError(f"valid must be ({len(vecs)},) bool, got {keep.shape}")
        self._rows = np.flatnonzero(keep).astype(np.int64)  # faiss position -> row
        self._pos = np.full(len(vecs), -1, np.int64)  # row -> faiss position (-1: not indexed)
        self._pos[self._rows] = np.arange(len(self._rows))
        data = vecs[self._rows]
        data = l2_normalize(data) if metric == "cosine" else np.ascontiguousarray(data)
        n = len(data)
        build = {**PARAMS[kind]["build"], **{k: v for k, v in given.items() if k in PARAMS[kind]["build"]}}
        search = {**PARAMS[kind]["search"], **{k: v for k, v in given.items() if k in PARAMS[kind]["search"]}}
        if kind in ("ivf", "ivfpq"):
            build["nlist"] = build["nlist"] or default_nlist(n)
            if n and build["nlist"] > n:
                raise UsageError(f"{kind} index: nlist={build['nlist']} is more lists than the {n} vectors indexed")
        if kind == "ivfpq":
            m, nbits = default_pq(self._dim, n)
            build["m"], build["nbits"] = build["m"] or m, build["nbits"] or nbits
            if self._dim % build["m"]:
                raise UsageError(f"ivfpq index: m={build['m']} sub-vectors must divide the width {self._dim}")
            if build["nbits"] > 16:
                raise UsageError(f"ivfpq index: nbits must be at most 16, got {build['nbits']}")
            if n < 2 ** build["nbits"]:
                raise UsageError(f"ivfpq index: {n} vectors cannot train 2^{build['nbits']} codes per sub-vector")
        self.params = {**build, **search, **({"reorder": 0} if kind == "hnsw" else {})}
        t0 = time.perf_counter()
        self._index = self._build(data, build) if n else None
        self._direct_map = False
        self.build_seconds = time.perf_counter() - t0
        self.set_search_params(**search)
        if kind == "hnsw" and build["reorder"]:
            self.reorder()

    # ------------------------------------------------------------------ building

    def _build(self, data: np.ndarray, build: dict):
        faiss = _faiss()
        d, ip = self._dim, faiss.METRIC_INNER_PRODUCT
        if self.kind == "hnsw":
            if build["euclidean"]:
                norms = np.linalg.norm(data, axis=1)
                self._radius = float(norms.max())
                extra = np.sqrt(np.maximum(self._radius ** 2 - norms ** 2, 0.0)).astype(np.float32)
                data = np.hstack([data, extra[:, None]])
                index = faiss.IndexHNSWFlat(d + 1, build["M"], faiss.METRIC_L2)
            else:
                index = faiss.IndexHNSWFlat(d, build["M"], ip)
            index.hnsw.efConstruction = build["efConstruction"]
        else:
            quantizer = faiss.IndexFlatIP(d)
            if self.kind == "ivf":
                index = faiss.IndexIVFFlat(quantizer, d, build["nlist"], ip)
            else:
                index = faiss.IndexIVFPQ(quantizer, d, build["nlist"], build["m"], build["nbits"], ip)
            self._quantizer = quantizer  # faiss does not own it: keep it alive as long as the index
            index.train(data)
        index.add(data)
        return index

    def reorder(self) -> "AnnIndex":
        """Store the HNSW graph's vectors and links in k-means order (module docstring); the same graph.

        Faiss positions are permuted (``permute_entries``: new position ``i``
        holds the old position ``perm[i]``) and the position <-> row maps
        follow, so ids, scores, exclusions and the tie rule are those of the
        index before. The seconds are added to :attr:`build_seconds`; a second
        call does nothing. Returns ``self``.
        """
        if self.kind != "hnsw":
            raise UsageError(f"{self.kind} index: only an HNSW index can be reordered")
        if self.params["reorder"]:
            return self
        t0 = time.perf_counter()
        perm = self._kmeans_order() if self._index is not None else None
        if perm is not None:
            self._index.permute_entries(perm)
            self._rows = self._rows[perm]
            self._pos[self._rows] = np.arange(len(self._rows))
        self.params["reorder"] = 1
        self.build_seconds += time.perf_counter() - t0
        return self

    def _kmeans_order(self) -> np.ndarray | None:
        """``perm (n,)`` int64: faiss positions grouped by their nearest of ``sqrt(n)`` k-means centres
        (:func:`default_nlist`), insertion order within a centre; ``None`` when there are too few vectors for
        two centres. The k-means runs on the vectors the graph was built on (with the extra coordinate, for
        ``euclidean``)."""
        faiss = _faiss()
        n = self._index.ntotal
        centres = default_nlist(n)
        if centres < 2:
            return None
        data = self._index.reconstruct_n(0, n)
        km = faiss.Kmeans(data.shape[1], centres, niter=10, seed=REORDER_SEED,
                          max_points_per_centroid=REORDER_POINTS_PER_CENTRE)
        km.train(data)
        _, nearest = km.index.search(data, 1)
        return np.argsort(nearest[:, 0], kind="stable").astype(np.int64)

    def set_search_params(self, **params) -> "AnnIndex":
        """Change query-time parameters (``efSearch`` for HNSW, ``nprobe`` for IVF) without rebuilding."""
        allowed = PARAMS[self.kind]["search"]
        unknown = sorted(set(params) - set(allowed))
        if unknown:
            raise UsageError(f"{self.kind} index: {', '.join(unknown)} cannot be changed after building; "
                             f"search parameters: {', '.join(allowed)}")
        params = _check_params(self.kind, params)
        self.params.update(params)
        if self._index is not None:
            if self.kind == "hnsw":
                self._index.hnsw.efSearch = self.params["efSearch"]
            else:
                self._index.nprobe = min(self.params["nprobe"], self.params["nlist"])
        return self

    @property
    def memory_bytes(self) -> int:
        if self._index is None:
            return 0
        return int(_faiss().serialize_index(self._index).nbytes)

    # ------------------------------------------------------------------ the VectorIndex contract

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dim(self) -> int:
        return self._dim

    @property
    def n_indexed(self) -> int:
        """Vectors in the index (the ``valid`` rows)."""
        return len(self._rows)

    def vector(self, item_id: str) -> np.ndarray:
        """The indexed vector of ``item_id`` (normalised for cosine), as faiss reconstructs it:
        exact for HNSW and IVF, the decoded approximation for IVFPQ."""
        row = self.row(item_id)
        pos = int(self._pos[row])
        if pos < 0:
            raise UnknownIdError(f"id {item_id!r} is not indexed (not a valid row)")
        if self.kind != "hnsw" and not self._direct_map:
            self._index.make_direct_map()
            self._direct_map = True
        return self._index.reconstruct(pos)[:self._dim]

    @property
    def _euclidean(self) -> bool:
        return bool(self.params.get("euclidean"))

    def _queries(self, queries) -> np.ndarray:
        q = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise UsageError(f"query vectors have width {q.shape[-1]}, but this index holds vectors of width "
                             f"{self.dim}: the query and the indexed vectors belong to different spaces")
        return l2_normalize(q) if self.metric == "cosine" else np.ascontiguousarray(q)

    def search(self, queries: np.ndarray, k: int, exclude: Sequence[Sequence[str]] | None = None):
        """Top-``k`` ids and scores for each query (see :meth:`VectorIndex.search` and the over-fetch note)."""
        q = self._queries(queries)
        k = max(0, min(int(k), len(self)))
        nq = len(q)
        out_ids = np.full((nq, k), "", dtype=self.ids.dtype if len(self.ids) else "<U1")
        out_sc = np.full((nq, k), -np.inf, np.float32)
        if k == 0 or self._index is None:
            return out_ids.astype(str), out_sc
        excluded = [set() for _ in range(nq)]
        for i, ex in enumerate(list(exclude or ())[:nq]):
            rows = [self._row[s] for s in ex if s in self._row]
            excluded[i] = {r for r in rows if self._pos[r] >= 0}
        fetch = min(k + max((len(e) for e in excluded), default=0), self.n_indexed)
        if self._euclidean:
            scores, pos = self._index.search(np.hstack([q, np.zeros((nq, 1), np.float32)]), fetch)
        else:
            scores, pos = self._index.search(q, fetch)
        for i in range(nq):
            p, sc = pos[i], scores[i]
            if p.min() < 0:  # faiss found fewer than asked: -1 / -inf pads the end
                ok = p >= 0
                p, sc = p[ok], sc[ok]
            rows = self._rows[p]
            if self._euclidean and len(rows):  # distances -> the inner products they rank by
                sc = self._index.reconstruct_batch(p)[:, :self._dim] @ q[i]
            if excluded[i]:
                keep = ~np.isin(rows, list(excluded[i]))
                rows, sc = rows[keep], sc[keep]
            if len(sc) > 1 and not (sc[:-1] > sc[1:]).all():
                order = np.lexsort((rows, -sc))[:k]  # score descending, then lower row: the exact path's rule
                rows, sc = rows[order], sc[order]
            else:  # strictly descending already (faiss's order, no ties): nothing to sort
                rows, sc = rows[:k], sc[:k]
            out_ids[i, :len(rows)] = self.ids[rows]
            out_sc[i, :len(rows)] = sc
        return out_ids, out_sc

    def neighbours(self, item_id: str, k: int, exclude_self: bool = True):
        """``(ids (k,), scores (k,))`` nearest to a stored id."""
        ids, sc = self.search(self.vector(item_id)[None, :], k, [[item_id]] if exclude_self else None)
        return ids[0], sc[0]

    def describe(self) -> str:
        """``hnsw M=32 efConstruction=80 euclidean=0 reorder=0 efSearch=128``: the kind and its parameters."""
        return " ".join([self.kind, *(f"{k}={v}" for k, v in self.params.items())])


def make_index(vectors: np.ndarray, ids: Sequence[str], metric: str = "ip", kind: str = "auto",
               valid: np.ndarray | None = None, exact_below: int | None = None, **params):
    """An index over ``vectors`` ``(n, d)`` with string ``ids``: :class:`VectorIndex` or :class:`AnnIndex`.

    ``kind``: ``"flat"`` (exact), ``"hnsw"``, ``"ivf"``, ``"ivfpq"``, or
    ``"auto"``: exact below ``exact_below`` indexed vectors (default
    :data:`AUTO_EXACT_BELOW`, the measured cut-off), HNSW from there on.
    ``params`` go to the ANN kind (:data:`PARAMS`); with ``auto``, they are the
    HNSW parameters and are ignored when exact search is chosen. ``flat`` takes none.
    """
    if kind not in KINDS:
        raise UsageError(f"index kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind == "auto":
        n = len(vectors) if valid is None else int(np.count_nonzero(valid))
        limit = AUTO_EXACT_BELOW if exact_below is None else int(exact_below)
        if n < limit:
            _check_params("hnsw", params)
            return VectorIndex(vectors, ids, metric, valid)
        kind = "hnsw"
    if kind == "flat":
        if params:
            raise UsageError(f"a flat (exact) index takes no parameters, got {', '.join(sorted(params))}")
        return VectorIndex(vectors, ids, metric, valid)
    return AnnIndex(vectors, ids, metric, valid, kind=kind, **params)


def index_kind(index) -> str:
    """``"flat"`` for :class:`VectorIndex`, else the ANN kind."""
    return "flat" if isinstance(index, VectorIndex) else index.kind
