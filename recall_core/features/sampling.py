"""Sampling helpers that draw exactly what numpy draws, faster.

:class:`ExactChoice` replaces ``rng.choice(len(p), size=size, p=p)`` (EGES's
negatives: 4.3M pairs × 5 negatives per epoch on a 9.7k-film catalogue).
numpy's algorithm (``Generator.choice`` with ``p``) is
``cdf = p.cumsum(); cdf /= cdf[-1]; idx = cdf.searchsorted(rng.random(size), side="right")``:
a binary search per draw. Here the same uniforms ``rng.random(size)`` (so the
generator ends in the same state) are mapped to the same indices through a
guide table: for each of ``B`` equal buckets of [0, 1), the first index
whose cdf exceeds the bucket's lower edge, then a forward step while
``cdf[idx] <= u``. The result is the same array, bit for bit
(``tests/features/test_sampling.py`` checks it against ``rng.choice``), in O(1)
expected work per draw instead of O(log n).
"""
from __future__ import annotations

import numpy as np


class ExactChoice:
    """``ExactChoice(p).draw(rng, size)`` == ``rng.choice(len(p), size=size, p=p)``, and leaves ``rng`` in the same
    state. ``p``: ``(n,)`` non-negative probabilities summing to 1 (as ``rng.choice`` requires); the draws are
    ``int64`` indices of shape ``size``."""

    def __init__(self, p: np.ndarray, buckets_per_item: int = 4):
        p = np.asarray(p, np.float64)
        if p.ndim != 1 or len(p) == 0 or (p < 0).any() or not np.isclose(p.sum(), 1.0):
            raise ValueError("p must be a non-empty 1-d array of probabilities summing to 1")
        cdf = p.cumsum()
        cdf /= cdf[-1]
        self.cdf = cdf
        self.buckets = max(1, int(buckets_per_item) * len(p))
        edges = np.arange(self.buckets, dtype=np.float64) / self.buckets
        self.first = cdf.searchsorted(edges, side="right").astype(np.int64)  # first i with cdf[i] > edge

    def draw(self, rng: np.random.Generator, size) -> np.ndarray:
        u = rng.random(size)
        flat = u.reshape(-1)
        # bucket floor(u * B) - 1 (clipped): its lower edge is <= u whatever the rounding of u * B
        g = (flat * self.buckets).astype(np.int64)
        g -= 1
        np.clip(g, 0, self.buckets - 1, out=g)
        idx = self.first[g]  # <= the answer (the first i with cdf[i] > u), as its edge <= u
        todo = np.flatnonzero(self.cdf[idx] <= flat)
        while todo.size:  # cdf[-1] == 1 > u, so this stops at the last index at the latest
            idx[todo] += 1
            todo = todo[self.cdf[idx[todo]] <= flat[todo]]
        return idx.reshape(u.shape)
