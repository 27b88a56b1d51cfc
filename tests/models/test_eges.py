"""EGES: conformance, attention, cold start, and the TF network against the numpy export."""

import numpy as np
import pytest

from recall_core.data.planted import GENRES
from recall_core.evaluation import i2i_scores
from recall_core.models.base import l2_normalize
from recall_core.features.graph import PAD, session_graph, skipgram_pairs, weighted_walks
from recall_core.features.sessions import sessions_of
from recall_core.evaluation.cold_start import holdout_train
from recall_core.errors import ConfigError
from recall_core.models.eges import EGES, EGESConfig, cold_start_vector, eges_item_vectors, walks_per_node_for
from tests.conformance import ITEMS_PER_CLUSTER, ModelConformance

SMALL = {"embedding_dim": 16, "epochs": 4, "walks_per_node": 20, "walk_length": 10, "window": 3,
         "negative": 5, "batch_size": 256, "learning_rate": 0.05, "seed": 5}


class TestEGES(ModelConformance):
    model_name = "eges"
    overrides = SMALL

    def test_attention_rows_sum_to_one(self, fitted, planted):
        ds, _ = planted
        att = fitted.extras["attention"]
        assert att.shape == (ds.n_items, 4) and att.dtype == np.float32
        np.testing.assert_allclose(att.sum(axis=1), 1.0, rtol=1e-5)
        assert (att > 0).all()
        assert list(fitted.extras["attention_fields"]) == ["item_id", "genres", "year", "popularity"]
        assert fitted.info["attention_fields"] == ["item_id", "genres", "year", "popularity"]

    def test_cold_start_vectors_for_every_item(self, fitted, planted):
        ds, _ = planted
        cold = fitted.extras["cold_start_vectors"]
        assert cold.shape == fitted.item_vectors.shape and np.isfinite(cold).all()
        assert (np.linalg.norm(cold, axis=1) > 0).all()
        # the numpy function reproduces the stored rows from genres and year alone
        for i in (0, 13, 40):
            v = cold_start_vector(fitted, ds.items["genres"][i], ds.items["year"][i])
            np.testing.assert_allclose(v, cold[i], rtol=1e-5, atol=1e-7)
            v2 = cold_start_vector(fitted.extras, list(ds.items["genres"][i]), ds.items["year"][i], n_ratings=5)
            assert v2.shape == v.shape and not np.allclose(v2, v)

    def test_info_records_graph_walks_and_falling_loss(self, fitted, planted):
        info = fitted.info
        assert info["graph"]["nodes"] == planted[0].n_items and info["graph"]["edges"] > 0
        assert info["walks"]["walk_length"] == SMALL["walk_length"]
        loss = info["epoch_loss"]
        assert len(loss) == SMALL["epochs"] and loss[-1] < loss[0]

    def test_centre_counts_are_the_walk_centres(self, fitted, planted):
        """``centre_counts`` = (centre, context) examples per item, counted here from the walks position by
        position (not through ``skipgram_pairs``); ``centre_steps`` = batches holding the item as a centre,
        replaying the fit's seeded walks and shuffles."""
        _, split = planted
        c = EGESConfig(**SMALL)
        n = split.train.n_items
        rng = np.random.default_rng(c.seed)
        # the walks per node the fit used (fewer than the config's on a sparse graph: test_walks_follow_the_data)
        walks = weighted_walks(session_graph(sessions_of(split.train, c.session_gap_seconds), n),
                               fitted.info["walks"]["walks_per_node_used"], c.walk_length, rng)
        expected = np.zeros(n, np.int64)
        for walk in walks:
            w = [int(v) for v in walk if v != PAD]  # PAD only fills a dead-ended walk's tail
            for i in range(len(w)):
                for j in range(max(0, i - c.window), min(len(w), i + c.window + 1)):
                    expected[w[i]] += j != i and w[j] != w[i]
        got = fitted.extras["centre_counts"]
        assert got.dtype == np.int64 and got.shape == (n,)
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(fitted.item_known, expected > 0)

        centers, _ = skipgram_pairs(walks, c.window)
        bs = min(c.batch_size, len(centers))
        neg_p = (expected > 0) / (expected > 0).sum()  # ns_exponent 0: uniform over trained items
        steps = np.zeros(n, np.int64)
        for _ in range(c.epochs):
            order = rng.permutation(len(centers))
            rng.choice(n, size=(len(centers), c.negative), p=neg_p)
            cen = centers[order]
            for s in range(0, len(centers) - bs + 1, bs):
                for v in set(cen[s:s + bs].tolist()):
                    steps[v] += 1
        np.testing.assert_array_equal(fitted.extras["centre_steps"], steps)
        exposure = fitted.info["exposure"]
        assert exposure["steps"] == c.epochs * (len(centers) // bs)
        assert exposure["centre_counts_trained"]["max"] == expected.max()
        assert exposure["centre_steps_trained"]["max"] <= exposure["steps"]


def test_tf_network_agrees_with_numpy_export(planted):
    _, split = planted
    m = EGES(**{**SMALL, "epochs": 1}).fit(split.train)
    items = np.arange(split.train.n_items)
    tf_h = m._net.item_vectors(items).numpy()
    np_h, _ = eges_item_vectors(m._tables, m._side)
    np.testing.assert_allclose(tf_h, np_h, rtol=1e-5, atol=1e-6)
    logits = m._net({"center": items[:4], "context": items[4:12].reshape(4, 2)}).numpy()
    np.testing.assert_allclose(logits, np.einsum("bd,bkd->bk", np_h[:4], m._tables["context"][items[4:12].reshape(4, 2)]),
                               rtol=1e-4, atol=1e-6)


def test_cold_start_items_land_in_their_genre(planted):
    """Held-out items (no interaction in training), embedded from side information alone,
    must have neighbours of their own genre far more often than random (0.25 here)."""
    ds, split = planted
    held = np.array([c * ITEMS_PER_CLUSTER + j for c in range(4) for j in (0, 5)])
    out = EGES(**SMALL).fit(holdout_train(split.train, held)).export()
    assert not out.item_known[held].any() and out.item_known.sum() == ds.n_items - len(held)
    cand = np.flatnonzero(out.item_known)
    space = l2_normalize(out.item_vectors[cand])
    hits = []
    for i in held:
        v = cold_start_vector(out, ds.items["genres"][i], ds.items["year"][i])
        top = cand[np.argsort(-(space @ l2_normalize(v[None])[0]))[:5]]
        hits.append((top // ITEMS_PER_CLUSTER == i // ITEMS_PER_CLUSTER).mean())
    assert np.mean(hits) >= 0.8, f"cold-start genre overlap@5 {np.mean(hits):.2f} vs random 0.25"
    # a genre the model never saw gives the "(no genre)" embedding, not an error
    assert np.isfinite(cold_start_vector(out, ["Unheard-of"], None)).all()
    assert set(GENRES[:4]) <= set(out.extras["genre_names"].tolist())


def test_unknown_items_rank_last(planted):
    ds, split = planted
    held = np.array([3])
    out = EGES(**{**SMALL, "epochs": 1}).fit(holdout_train(split.train, held)).export()
    scores = i2i_scores(out, np.array([0]))
    assert scores[0, 3] == -np.inf
    np.testing.assert_array_equal(out.item_vectors[3], out.extras["cold_start_vectors"][3])


@pytest.mark.slow  # EGES trained on ML-100K
def test_ml100k_cold_start_beats_random(ml100k):
    from recall_core.evaluation.cold_start import cold_start_genre_overlap

    r = cold_start_genre_overlap(ml100k, n_holdout=100, seed=0)
    assert r["held_out_known"] == 0
    assert r["genre_overlap@10"] >= r["random_genre_overlap"] + 0.2, r


def test_switches_popularity_field_off_and_plain_mean_cold_start(planted):
    """The tutorial's variants are one switch away: no popularity field; cold start as a plain mean."""
    ds, split = planted
    out = EGES(**{**SMALL, "epochs": 1, "popularity_field": False, "cold_start": "mean"}).fit(split.train).export()
    att = out.extras["attention"]
    np.testing.assert_allclose(att[:, 3], 0.0, atol=1e-6)
    np.testing.assert_allclose(att.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(out.extras["cold_start_field_weights"], [0.5, 0.5, 0.0])
    # the cold-start vector is then the plain mean of the genre and year vectors
    v = cold_start_vector(out, ["Action"], 1995)
    names = list(np.asarray(out.extras["genre_names"]).astype(str))
    from recall_core.features.side_info import year_buckets
    g = out.extras["genre_embeddings"][names.index("Action")]
    y = out.extras["year_embeddings"][year_buckets([1995], out.extras["year_edges"])[0]]
    np.testing.assert_allclose(v, 0.5 * g + 0.5 * y, rtol=1e-5, atol=1e-6)


def test_walks_per_node_rule_by_hand():
    """Full walks from ``walks_full_density`` transitions per node (or with the rule off), else in proportion,
    rounded half up, at least 1. The numbers of BENCHMARKS.md's block: ML-100K 57.0, synth-10k 8.6 per node."""
    assert walks_per_node_for(10, 57.0, 20.0) == 10  # ML-100K: today's 10, and the tuned 18 stays 18
    assert walks_per_node_for(18, 57.0, 20.0) == 18
    assert walks_per_node_for(10, 20.0, 20.0) == 10  # at the threshold: full
    assert walks_per_node_for(10, 8.6, 20.0) == 4  # synth-10k: 4.3 -> 4
    assert walks_per_node_for(18, 8.6, 20.0) == 8  # 7.74 -> 8: a tuned count is scaled, not capped
    assert walks_per_node_for(10, 3.0, 20.0) == 2  # 1.5 rounds up
    assert walks_per_node_for(10, 0.01, 20.0) == 1  # never 0
    assert walks_per_node_for(10, 8.6, 0.0) == 10  # 0: the rule is off
    with pytest.raises(ConfigError, match="walks_full_density"):
        EGESConfig(walks_full_density=-1.0)
    assert EGESConfig().walks_full_density == 20.0 and EGESConfig().walks_per_node == 10


def test_walks_follow_the_data(planted):
    """On the planted data (sparse: few transitions per node) the fit starts the rule's walks per node, and
    records them; with a threshold at or below the graph's density it trains exactly as with the rule off
    (bit for bit: what keeps ML-100K's models unchanged)."""
    _, split = planted
    train = split.train
    g = session_graph(sessions_of(train, EGESConfig().session_gap_seconds), train.n_items)
    density = float(np.asarray(g.matrix.sum())) / g.n_nodes  # transitions (edge weights) per node, by hand
    fast = {**SMALL, "epochs": 1}
    sparse = EGES(**fast, walks_full_density=4 * density).fit(train).export()
    walks = sparse.info["walks"]
    assert walks["walks_per_node_used"] == 5  # 20 walks * 1/4
    assert walks["n_walks"] == 5 * g.n_nodes and walks["walks_per_node"] == 20
    assert walks["transitions_per_node"] == pytest.approx(density, abs=1e-3)
    assert walks["walks_full_density"] == 4 * density
    off, at = (EGES(**fast, walks_full_density=f).fit(train).export() for f in (0.0, density))
    assert off.info["walks"]["walks_per_node_used"] == at.info["walks"]["walks_per_node_used"] == 20
    for a, b in ((off.item_vectors, at.item_vectors), (off.candidate_vectors, at.candidate_vectors),
                 (off.extras["attention"], at.extras["attention"])):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(sparse.item_vectors, off.item_vectors)  # fewer walks: another model
