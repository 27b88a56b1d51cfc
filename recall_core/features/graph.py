"""The directed, weighted session graph and weighted random walks over it.

Edge ``i -> j`` has weight ``M[i, j]`` = how often ``j`` directly follows ``i``
inside a session, over all users. A walk steps from ``i`` to ``j`` with
probability ``M[i, j] / sum_k M[i, k]`` (not uniformly among neighbours).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recall_core.features.sessions import Sessions

PAD = -1  # walk positions after a dead end (a node without out-edges)


@dataclass(frozen=True)
class SessionGraph:
    """``matrix``: ``(n_items, n_items)`` CSR of transition counts (float64, summed duplicates)."""

    matrix: sp.csr_matrix

    @property
    def n_items(self) -> int:
        return self.matrix.shape[0]

    @property
    def n_edges(self) -> int:
        return int(self.matrix.nnz)

    @property
    def node_mask(self) -> np.ndarray:
        """``(n_items,)`` bool: items with at least one in- or out-edge."""
        m = self.matrix
        return (np.diff(m.indptr) > 0) | (np.bincount(m.indices, minlength=self.n_items) > 0)

    @property
    def n_nodes(self) -> int:
        return int(self.node_mask.sum())

    @property
    def total_weight(self) -> int:
        return int(round(self.matrix.sum()))

    def summary(self) -> dict:
        return {"nodes": self.n_nodes, "edges": self.n_edges, "transitions": self.total_weight}

    def to_networkx(self, item_ids=None):
        """A ``networkx.DiGraph`` with ``weight`` attributes (for inspection; walks use the CSR)."""
        import networkx as nx

        g = nx.DiGraph()
        coo = self.matrix.tocoo()
        name = (lambda i: str(item_ids[i])) if item_ids is not None else int
        nodes = np.flatnonzero(self.node_mask)
        g.add_nodes_from(name(i) for i in nodes)
        g.add_weighted_edges_from((name(i), name(j), float(w)) for i, j, w in zip(coo.row, coo.col, coo.data))
        return g


def session_graph(sessions: Sessions, n_items: int, self_loops: bool = False) -> SessionGraph:
    """Count consecutive pairs ``(item[t], item[t+1])`` inside each session.

    Pairs across a session boundary are not edges. ``self_loops=False`` drops
    ``i -> i`` (a repeated item says nothing about its neighbours).
    """
    items = sessions.item_idx
    if len(items) < 2:
        return SessionGraph(sp.csr_matrix((n_items, n_items), dtype=np.float64))
    same = np.ones(len(items) - 1, bool)
    # position t -> t+1 is inside a session unless t+1 starts a new one
    same[sessions.offsets[1:-1] - 1] = False
    src, dst = items[:-1][same], items[1:][same]
    if not self_loops:
        keep = src != dst
        src, dst = src[keep], dst[keep]
    m = sp.coo_matrix((np.ones(len(src)), (src, dst)), shape=(n_items, n_items)).tocsr()
    m.sum_duplicates()
    m.sort_indices()
    return SessionGraph(m)


def weighted_walks(
    graph: SessionGraph, walks_per_node: int, walk_length: int, rng: np.random.Generator,
    start_nodes: np.ndarray | None = None,
) -> np.ndarray:
    """Weighted random walks, all walkers advanced together (vectorised).

    Returns ``(n_walks, walk_length)`` int64 item rows, ``n_walks =
    walks_per_node * len(start_nodes)`` (default start nodes: every node of the
    graph). A walk that reaches a node without out-edges stops; its remaining
    positions are ``PAD`` (-1).

    Sampling: within row ``v`` of the CSR the cumulative weights form a
    contiguous slice of one global cumulative sum, so drawing ``r ~ U[0, 1)``
    and searching ``base[v] + r * out_weight[v]`` in that sum picks neighbour
    ``j`` with probability ``M[v, j] / out_weight[v]``.
    """
    m = graph.matrix
    if start_nodes is None:
        start_nodes = np.flatnonzero(graph.node_mask)
    start_nodes = np.asarray(start_nodes, np.int64)
    walks = np.full((walks_per_node * len(start_nodes), walk_length), PAD, np.int64)
    if walk_length == 0 or len(start_nodes) == 0:
        return walks
    walks[:, 0] = np.tile(start_nodes, walks_per_node)
    indptr, indices = m.indptr.astype(np.int64), m.indices.astype(np.int64)
    cum = np.cumsum(m.data.astype(np.float64))
    base = np.concatenate([[0.0], cum])[indptr[:-1]]  # weight before row v's slice
    out_w = np.asarray(m.sum(axis=1)).ravel()
    alive = np.flatnonzero(out_w[walks[:, 0]] > 0)
    for t in range(1, walk_length):
        if not len(alive):
            break
        cur = walks[alive, t - 1]
        target = base[cur] + rng.random(len(alive)) * out_w[cur]
        pos = np.searchsorted(cum, target, side="right")
        # float round-off can land one past the row's end: clamp into the row
        pos = np.clip(pos, indptr[cur], indptr[cur + 1] - 1)
        walks[alive, t] = indices[pos]
        nxt = walks[alive, t]
        alive = alive[out_w[nxt] > 0]
    return walks


def skipgram_pairs(walks: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """All ``(center, context)`` pairs within ``window`` positions in each walk (both directions).

    ``walks``: ``(n_walks, L)`` with ``PAD`` tails. Returns two ``(n_pairs,)`` int64 arrays.
    """
    centers, contexts = [], []
    for off in range(1, window + 1):
        a, b = walks[:, :-off].ravel(), walks[:, off:].ravel()
        ok = (a != PAD) & (b != PAD) & (a != b)
        centers += [a[ok], b[ok]]
        contexts += [b[ok], a[ok]]
    if not centers:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(centers), np.concatenate(contexts)
