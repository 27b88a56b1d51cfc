import numpy as np
import pytest

from tests.conformance import ModelConformance


class TestFM(ModelConformance):
    model_name = "fm"
    overrides = {"epochs": 30, "embedding_dim": 16, "batch_size": 64, "learning_rate": 0.01, "history_len": 5,
                 "seed": 3}


def fm_numpy(w0, w, v, x):
    """Direct FM: ``w0 + w·x + ½ Σ_f ((Σ_i v_if x_i)² − Σ_i v_if² x_i²)`` for dense ``x`` ``(n, p)``."""
    s = x @ v
    return w0 + x @ w + 0.5 * (s ** 2 - (x ** 2) @ (v ** 2)).sum(axis=1)


def test_tower_product_is_fm_score_minus_user_terms():
    from recall_core.models._tf import runtime
    from recall_core.models.fm import FMNet

    runtime.start(0)
    rng = np.random.default_rng(0)
    pu, pt, d, n, lu, lt = 13, 11, 5, 7, 4, 3
    net = FMNet(pu, pt, d)
    uv, tv = rng.normal(size=(pu, d)), rng.normal(size=(pt, d))
    uw, tw = rng.normal(size=(pu, 1)), rng.normal(size=(pt, 1))
    net.user_v.embeddings.assign(uv), net.item_v.embeddings.assign(tv)
    net.user_w.embeddings.assign(uw), net.item_w.embeddings.assign(tw)
    net.w0.assign(0.7)
    u_ids = np.stack([rng.choice(pu, lu, replace=False) for _ in range(n)]).astype(np.int32)
    t_ids = np.stack([rng.choice(pt, lt, replace=False) for _ in range(n)]).astype(np.int32)
    u_vals, t_vals = rng.normal(size=(n, lu)).astype(np.float32), rng.normal(size=(n, lt)).astype(np.float32)
    u_vals[0, -1] = 0.0  # padding slot
    xu, xt = np.zeros((n, pu)), np.zeros((n, pt))
    np.put_along_axis(xu, u_ids, u_vals, axis=1)
    np.put_along_axis(xt, t_ids, t_vals, axis=1)
    full = fm_numpy(0.7, np.vstack([uw, tw])[:, 0], np.vstack([uv, tv]), np.hstack([xu, xt]))
    user_only = fm_numpy(0.7, uw[:, 0], uv, xu)
    user = np.asarray(net.user_vectors(u_ids, u_vals), np.float64)
    item = np.asarray(net.item_vectors(t_ids, t_vals), np.float64)
    np.testing.assert_allclose((user * item).sum(axis=1), full - user_only, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(net.user_only(u_ids, u_vals)), user_only, rtol=1e-4, atol=1e-4)
    assert np.abs(user_only).max() > 0.1  # the subtracted part is not trivially zero


def test_export_uses_the_fm_score(planted):
    from recall_core.models.fm import FM

    _, split = planted
    out = FM(**{**TestFM.overrides, "epochs": 2}).fit(split.train).export()
    assert out.u2i_metric == "ip" and out.metric == "cosine"
    assert out.user_vectors.shape[1] == out.candidate_vectors.shape[1] == 17
    assert (out.user_vectors[:, 0] == 1).all()
    np.testing.assert_allclose(np.linalg.norm(out.item_vectors, axis=1), 1, rtol=1e-5)


class TestFMSampled(TestFM):
    """The sampled softmax learns the planted structure too (the conformance checks: top-3 U2I items in the
    user's own cluster for 80% of users, which most-popular, one list for everyone, cannot reach)."""

    overrides = {**TestFM.overrides, "loss": "sampled", "num_sampled": 16}

    def test_records_the_loss_used(self, fitted):
        assert fitted.info["loss"] == fitted.info["loss_used"] == "sampled" and "loss_auto" not in fitted.info
        assert fitted.extras["fm_w0"][0] == 0 and not fitted.extras["fm_user_w"].any()  # cancel in any softmax


def test_sampled_loss_is_the_numpy_softmax_over_target_and_shared_negatives():
    """fm_sampled_loss against a numpy recomputation: FM towers, the target against S shared negatives,
    logit − log(S·q) on the negatives, a negative equal to the row's target (accidental hit) left out."""
    import tensorflow as tf

    from recall_core.models._tf import runtime
    from recall_core.models._tf.losses import log_q
    from recall_core.models.fm import FMNet, fm_sampled_loss

    runtime.start(0)
    rng = np.random.default_rng(1)
    pu, pt, d, lu, lt, n_items = 10, 12, 4, 3, 3, 9
    net = FMNet(pu, pt, d, init_std=0.5)
    net.item_w.embeddings.assign(rng.normal(size=(pt, 1)))
    uv, tv, tw = (np.asarray(x, np.float64) for x in (net.user_v.embeddings, net.item_v.embeddings,
                                                      net.item_w.embeddings))
    u_ids = np.stack([rng.choice(pu, lu, replace=False) for _ in range(4)]).astype(np.int32)
    u_vals = rng.uniform(0.2, 1.0, size=(4, lu)).astype(np.float32)
    i_ids = np.stack([rng.choice(pt, lt, replace=False) for _ in range(n_items)]).astype(np.int32)
    i_vals = rng.uniform(0.2, 1.0, size=(n_items, lt)).astype(np.float32)
    targets = np.array([2, 5, 2, 7], np.int32)  # a repeated target: still each row's own column only
    negatives = np.array([5, 1, 1, 8, 0], np.int32)  # 5 is row 1's target (masked there), 1 drawn twice
    logq = log_q(rng.integers(0, 30, size=n_items), 0.75)
    user = np.asarray(net.user_vectors(u_ids, u_vals), np.float64)
    got = float(fm_sampled_loss(net, tf.constant(user, tf.float32), tf.constant(i_ids), tf.constant(i_vals),
                                tf.constant(targets), tf.constant(negatives), tf.constant(logq)))

    xu = np.zeros((4, pu))
    np.put_along_axis(xu, u_ids, u_vals, axis=1)
    np.testing.assert_allclose(user, np.hstack([np.ones((4, 1)), xu @ uv]), rtol=1e-5, atol=1e-6)
    xt = np.zeros((n_items, pt))
    np.put_along_axis(xt, i_ids, i_vals, axis=1)
    s = xt @ tv
    items = np.hstack([xt @ tw + 0.5 * (s ** 2 - (xt ** 2) @ (tv ** 2)).sum(axis=1, keepdims=True), s])
    want = []
    for b, t in enumerate(targets):
        neg = [j for j in negatives if j != t]
        z = np.array([user[b] @ items[t]] + [user[b] @ items[j] - np.log(len(negatives)) - logq[j] for j in neg])
        want.append(np.log(np.exp(z - z.max()).sum()) + z.max() - z[0])
    assert got == pytest.approx(float(np.mean(want)), rel=1e-5)
    assert abs(float(np.mean(want)) - float(np.log(1 + len(negatives)))) > 0.1  # not the untrained uniform value
