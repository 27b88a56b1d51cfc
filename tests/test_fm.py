import numpy as np

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
