"""Sessions, the session graph, weighted walks and side information."""
from collections import Counter

import numpy as np
import pytest

from recall_core.features.graph import PAD, SessionGraph, session_graph, skipgram_pairs, weighted_walks
from recall_core.features.sessions import Sessions, cut_sessions, sessions_of
from recall_core.features.side_info import (
    NO_GENRE, genre_weights, popularity_buckets, side_info, year_buckets,
)


def make_sessions(lists):
    items = np.concatenate([np.asarray(s, np.int64) for s in lists])
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in lists])]).astype(np.int64)
    return Sessions(offsets=offsets, item_idx=items, rating=np.full(len(items), 3.0, np.float32),
                    user=np.zeros(len(lists), np.int64))


def test_sessions_cut_at_the_gap():
    users = np.array([0, 0, 0, 0, 0, 1, 1])
    # gap exactly 1800 stays in the session; 1801 starts a new one; a new user always starts one
    ts = np.array([0, 100, 1900, 3701, 3701, 0, 5000])
    np.testing.assert_array_equal(cut_sessions(users, ts, 1800), [0, 3, 5, 6, 7])
    np.testing.assert_array_equal(cut_sessions(users, ts, 10_000), [0, 5, 7])
    np.testing.assert_array_equal(cut_sessions(users, ts, 0), [0, 1, 2, 3, 5, 6, 7])


def test_sessions_reject_unsorted_input():
    with pytest.raises(ValueError, match="sorted"):
        cut_sessions(np.array([0, 0]), np.array([10, 5]), 60)


def test_sessions_of_train_respect_the_gap(planted):
    _, split = planted
    tr = split.train
    gap = 1200
    s = sessions_of(tr, gap)
    assert s.offsets[-1] == len(tr.item_idx)
    for k in range(s.n_sessions):
        a, b = s.offsets[k], s.offsets[k + 1]
        assert (np.diff(tr.timestamp[a:b]) <= gap).all()
        assert (tr.user_idx[a:b] == s.user[k]).all()
        if k + 1 < s.n_sessions and s.user[k + 1] == s.user[k]:
            assert tr.timestamp[b] - tr.timestamp[b - 1] > gap
    # planted users watch one item every 10 minutes, users a day apart: one session per user
    assert s.n_sessions == len(np.unique(tr.user_idx))
    assert sessions_of(tr, 300).n_sessions == len(tr.item_idx)


def test_graph_edge_weights_are_transition_counts():
    g = session_graph(make_sessions([[0, 1, 2], [3, 0, 1], [2, 4], [4, 4, 1]]), 5)
    m = g.matrix.toarray()
    expected = np.zeros((5, 5))
    expected[0, 1] = 2  # twice 0 -> 1
    expected[1, 2] = expected[3, 0] = expected[2, 4] = expected[4, 1] = 1
    # 2 -> 3, 1 -> 2 and 4 -> 4 cross a session boundary or are self loops: not edges
    np.testing.assert_array_equal(m, expected)
    assert g.n_edges == 5 and g.total_weight == 6 and g.n_nodes == 5
    nx_g = g.to_networkx()
    assert nx_g.number_of_edges() == 5 and nx_g[0][1]["weight"] == 2.0


def test_graph_matches_brute_force_count():
    rng = np.random.default_rng(1)
    lists = [rng.integers(0, 20, size=rng.integers(1, 8)) for _ in range(200)]
    g = session_graph(make_sessions(lists), 20)
    counts = Counter((int(a), int(b)) for s in lists for a, b in zip(s[:-1], s[1:]) if a != b)
    m = g.matrix.toarray()
    assert m.sum() == sum(counts.values())
    for (a, b), n in counts.items():
        assert m[a, b] == n


def test_walk_transitions_follow_edge_weights():
    # node 0 -> 1, 2, 3 with weights 1, 2, 7; every other node returns to 0
    import scipy.sparse as sp

    rows, cols, w = [0, 0, 0, 1, 2, 3], [1, 2, 3, 0, 0, 0], [1.0, 2.0, 7.0, 1.0, 1.0, 1.0]
    g = SessionGraph(sp.csr_matrix((w, (rows, cols)), shape=(4, 4)))
    walks = weighted_walks(g, walks_per_node=500, walk_length=20, rng=np.random.default_rng(0))
    assert walks.shape == (2000, 20) and (walks != PAD).all()
    src, dst = walks[:, :-1].ravel(), walks[:, 1:].ravel()
    from_0 = dst[src == 0]
    freq = np.bincount(from_0, minlength=4)[1:] / len(from_0)
    # ~19,000 draws from node 0: the binomial s.d. is below 0.004; 0.02 is five of them
    np.testing.assert_allclose(freq, [0.1, 0.2, 0.7], atol=0.02)
    assert (dst[src != 0] == 0).all()  # only real edges are walked


def test_walks_stop_at_dead_ends_and_are_seeded():
    g = session_graph(make_sessions([[0, 1, 2]]), 4)  # 0 -> 1 -> 2, 2 has no out-edge, 3 isolated
    walks = weighted_walks(g, 3, 5, np.random.default_rng(0))
    assert set(walks[:, 0]) == {0, 1, 2}  # isolated node 3 starts no walk
    np.testing.assert_array_equal(walks[walks[:, 0] == 0][0], [0, 1, 2, PAD, PAD])
    np.testing.assert_array_equal(walks[walks[:, 0] == 2][0], [2, PAD, PAD, PAD, PAD])
    big = session_graph(make_sessions([np.random.default_rng(2).integers(0, 30, 300)]), 30)
    a = weighted_walks(big, 5, 10, np.random.default_rng(7))
    b = weighted_walks(big, 5, 10, np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_skipgram_pairs_within_window():
    c, x = skipgram_pairs(np.array([[0, 1, 2, PAD]]), window=1)
    assert sorted(zip(c.tolist(), x.tolist())) == [(0, 1), (1, 0), (1, 2), (2, 1)]
    c, x = skipgram_pairs(np.array([[0, 1, 2, PAD]]), window=2)
    assert (0, 2) in set(zip(c.tolist(), x.tolist())) and PAD not in c and PAD not in x


def test_side_info_buckets_and_pooled_genres(planted):
    ds, split = planted
    assert list(year_buckets([np.nan, 1940, 1950, 1995.5, 2005])) == [0, 1, 2, 9, 12]
    assert list(popularity_buckets([0, 1, 2, 3, 500])) == [0, 1, 1, 2, 6]
    names = np.array(["A", "B", "C", NO_GENRE])
    w = genre_weights([("A", "C"), (), ("Z",), ("B",)], names)
    np.testing.assert_allclose(w, [[0.5, 0, 0.5, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 1, 0, 0]])
    side = side_info(split.train)
    assert side.genre_weights.shape == (ds.n_items, len(ds.genres) + 1)
    np.testing.assert_allclose(side.genre_weights.sum(axis=1), 1.0, rtol=1e-6)
    assert side.year_bucket.max() < side.n_year_buckets
    assert side.popularity_bucket.max() < side.n_popularity_buckets
    np.testing.assert_array_equal(side.popularity_bucket, popularity_buckets(split.train.item_counts))
    # planted: item genre = cluster genre, so the market is the cluster
    prim = side.primary_genre()
    assert len(set(zip(prim.tolist(), (np.arange(ds.n_items) // 12).tolist()))) == 4


def test_primary_genre_is_the_most_specific():
    from recall_core.features.side_info import SideInfo

    names = np.array(["Comedy", "Animation", NO_GENRE])
    w = genre_weights([("Comedy",), ("Comedy",), ("Animation", "Comedy")], names)
    side = SideInfo(names, w, np.zeros(3, np.int64), np.zeros(3, np.int64), np.zeros(1), np.zeros(1))
    assert list(side.primary_genre()) == [0, 0, 1]
