"""ExactChoice draws what numpy's rng.choice(n, size, p=p) draws, bit for bit, and leaves the generator alike."""
from __future__ import annotations

import numpy as np
import pytest

from recall_core.features.sampling import ExactChoice


def _ps():
    r = np.random.default_rng(0)
    yield np.full(7, 1 / 7)                                        # uniform
    known = r.random(3000) > 0.05
    yield np.where(known, 1.0, 0.0) / known.sum()                  # EGES's default: uniform over walked items
    f = np.where(known, np.power(r.integers(1, 500, 3000).astype(float), 0.75), 0.0)
    yield f / f.sum()                                              # ns_exponent 0.75
    z = np.zeros(50); z[[0, 49]] = [0.3, 0.7]
    yield z                                                        # long runs of zeros, mass at both ends
    yield np.array([1.0])                                          # one item


@pytest.mark.parametrize("p", list(_ps()), ids=["uniform", "known-only", "ns0.75", "zeros", "single"])
@pytest.mark.parametrize("size", [(20_000, 5), 1, (3,)])
def test_same_draws_as_rng_choice(p, size):
    a, b = np.random.default_rng(11), np.random.default_rng(11)
    want = a.choice(len(p), size=size, p=p)
    got = ExactChoice(p).draw(b, size)
    assert got.dtype == np.int64 and np.shape(got) == np.shape(want)
    np.testing.assert_array_equal(got, want)
    assert a.random() == b.random()  # the generator is left in the same state
    assert (p[np.asarray(got)] > 0).all()  # never a zero-probability item


def test_uniforms_on_the_bucket_edges():
    """Uniforms exactly on a bucket's edge or a cdf step (where a rounding slip would show)."""
    p = np.full(8, 1 / 8)
    s = ExactChoice(p)

    class Fixed:
        def random(self, size):
            return np.array([0.0, 0.125, 0.25, 0.5, 0.875, np.nextafter(1.0, 0), np.nextafter(0.125, 0)])

    cdf = p.cumsum() / p.cumsum()[-1]
    u = Fixed().random(None)
    np.testing.assert_array_equal(s.draw(Fixed(), None), cdf.searchsorted(u, side="right"))


def test_bad_probabilities_are_refused():
    with pytest.raises(ValueError, match="probabilities"):
        ExactChoice(np.array([0.5, -0.1, 0.6]))
    with pytest.raises(ValueError, match="probabilities"):
        ExactChoice(np.array([0.5, 0.1]))


@pytest.mark.parametrize("n_items,batch,chunk_cells", [(7, 4, 4_000_000), (50, 16, 4_000_000), (3, 1, 5),
                                                      (50, 16, 120), (7, 4, 1)])
def test_eges_exposure_counts_match_the_per_batch_loop(n_items, batch, chunk_cells, monkeypatch):
    """``_batches_holding`` (one bincount per chunk) == the loop it replaced (``np.unique`` per batch)."""
    from recall_core.models import eges

    monkeypatch.setattr(eges, "_CHUNK_CELLS", chunk_cells)  # several chunks, and a chunk of one batch
    r = np.random.default_rng(n_items)
    cen = r.integers(0, n_items, 10 * batch + 3)  # a partial batch at the end: not counted (dropped)
    n_batches = len(range(0, len(cen) - batch + 1, batch))
    want = np.zeros(n_items, np.int64)
    for s in range(0, len(cen) - batch + 1, batch):
        want[np.unique(cen[s:s + batch])] += 1
    np.testing.assert_array_equal(eges._batches_holding(cen, batch, n_batches, n_items), want)
