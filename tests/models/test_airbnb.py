"""Airbnb embeddings: conformance, the gradient against finite differences, bookings, markets."""
import numpy as np

from recall_core.models.airbnb import (
    MarketSampler, booked_positions, scatter_rows, session_pairs, sgns_loss_grads,
)
from tests.conformance import ModelConformance
from tests.features.test_features import make_sessions

SMALL = {"embedding_dim": 16, "epochs": 15, "window": 3, "negative": 5, "market_share": 0.3, "batch_size": 128,
         "learning_rate": 0.02, "seed": 5}


class TestAirbnb(ModelConformance):
    model_name = "airbnb"
    overrides = SMALL

    def test_loss_falls_and_info(self, fitted):
        loss = fitted.info["epoch_loss"]
        assert len(loss) == SMALL["epochs"] and loss[-1] < 0.8 * loss[0]
        assert fitted.info["global_context_pairs"] > 0 and fitted.info["negatives"] == {"market": 2, "catalogue": 3}


def assert_gradients_match_finite_differences(total, arrays, grads, eps=1e-6):
    """Central differences of ``total()`` (the summed loss) in every element of each of ``arrays`` (changed
    in place, then restored) against the analytic ``grads``."""
    for arr, grad in zip(arrays, grads):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            old = arr[idx]
            arr[idx] = old + eps
            plus = total()
            arr[idx] = old - eps
            minus = total()
            arr[idx] = old
            num[idx] = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-8)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    v, up, un = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 2, 4))
    _, dv, dup, dun = sgns_loss_grads(v, up, un)
    assert_gradients_match_finite_differences(lambda: sgns_loss_grads(v, up, un)[0].sum(), (v, up, un),
                                              (dv, dup, dun))


def test_pairs_without_negatives_match_finite_differences_and_move_no_negative():
    """``neg_weight`` 0 (a booked-film pair with ``global_negatives=False``): loss and gradients are those of
    ``-log σ(v · u_pos)`` alone, checked against finite differences; its negatives get no gradient."""
    rng = np.random.default_rng(1)
    v, up, un = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.normal(size=(3, 2, 4))
    w = np.array([1.0, 0.0, 1.0])

    loss, dv, dup, dun = sgns_loss_grads(v, up, un, w)
    assert loss[1] == np.logaddexp(0.0, -(v[1] @ up[1]))  # the positive term only
    assert not dun[1].any() and dun[0].any()
    assert_gradients_match_finite_differences(lambda: sgns_loss_grads(v, up, un, w)[0].sum(), (v, up, un),
                                              (dv, dup, dun))
    # weight 1 everywhere is the default, bit for bit
    for a, b in zip(sgns_loss_grads(v, up, un, np.ones(3)), sgns_loss_grads(v, up, un)):
        np.testing.assert_array_equal(a, b)


def test_global_negatives_switch_changes_training_only_through_the_global_pairs(planted):
    from recall_core.models.airbnb import AirbnbEmbeddings

    train = planted[1].train
    cfg = {**SMALL, "epochs": 2}
    on = AirbnbEmbeddings(**cfg).fit(train).export()
    off = AirbnbEmbeddings(**cfg, global_negatives=False).fit(train).export()
    assert on.info["global_negatives"] and not off.info["global_negatives"]
    assert not np.array_equal(on.item_vectors, off.item_vectors)
    # without global pairs the switch has nothing to act on: the same vectors, bit for bit
    a = AirbnbEmbeddings(**cfg, global_context=False).fit(train).export()
    b = AirbnbEmbeddings(**cfg, global_context=False, global_negatives=False).fit(train).export()
    np.testing.assert_array_equal(a.item_vectors, b.item_vectors)
    assert not b.info["global_negatives"]


def test_loss_is_stable_for_large_scores():
    v = np.full((1, 2), 100.0)
    loss, dv, _, _ = sgns_loss_grads(v, -v, v[:, None, :])
    assert np.isfinite(loss).all() and np.isfinite(dv).all() and loss[0] > 1e4


def test_scatter_rows_sums_duplicates():
    rows = np.array([2, 0, 2, 2])
    vals = np.arange(8, dtype=np.float32).reshape(4, 2)
    expected = np.zeros((3, 2), np.float32)
    np.add.at(expected, rows, vals)
    np.testing.assert_array_equal(scatter_rows(rows, vals, 3), expected)


def test_booking_is_highest_rating_at_threshold():
    s = make_sessions([[0, 1, 2, 3], [4, 5], [6, 7, 8]])
    s = type(s)(s.offsets, s.item_idx, np.array([3, 5, 2, 5, 4, 3, 3, 2, 1], np.float32), s.user)
    # session 0: two 5s -> the later one (position 3); session 1: the 4; session 2: max 3 < 4 -> none
    np.testing.assert_array_equal(booked_positions(s, 4.0), [3, 4, -1])
    # the paper's rule: a booking ends the session (the last film, if rated >= 4)
    np.testing.assert_array_equal(booked_positions(s, 4.0, "ends_session"), [3, -1, -1])
    s2 = type(s)(s.offsets, s.item_idx, np.array([5, 1, 1, 2, 1, 4, 1, 1, 4], np.float32), s.user)
    np.testing.assert_array_equal(booked_positions(s2, 4.0, "ends_session"), [-1, 5, 8])
    np.testing.assert_array_equal(booked_positions(s2, 4.0), [0, 5, 8])


def test_global_context_pairs_ignore_distance_and_sessions():
    items = [[0, 1, 2, 3, 4, 5, 6], [7, 8]]
    s = make_sessions(items)
    s = type(s)(s.offsets, s.item_idx, np.array([5, 1, 1, 1, 1, 1, 1, 1, 1], np.float32), s.user)
    c, x, n_global = session_pairs(s, window=1, min_rating=4.0)
    pairs = list(zip(c.tolist(), x.tolist()))
    assert n_global == 6
    assert set(pairs[-6:]) == {(i, 0) for i in range(1, 7)}  # item 0 is the booking of session 0
    assert (6, 7) not in pairs and (7, 6) not in pairs  # no pair crosses a session boundary
    assert (0, 2) not in pairs[:-6]  # the window is 1
    c2, _, n2 = session_pairs(s, window=1, min_rating=None)
    assert n2 == 0 and len(c2) == len(c) - 6


def test_market_negatives_come_from_the_centres_market():
    market = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    sampler = MarketSampler(market, np.arange(7))  # item 7 is not a candidate
    centres = np.repeat(np.arange(7), 200)
    neg = sampler.sample(centres, 3, 2, np.random.default_rng(0))
    assert neg.shape == (len(centres), 5)
    assert (market[neg[:, :3]] == market[centres][:, None]).all()
    assert (neg != 7).all()
    # the catalogue part covers every candidate about uniformly
    counts = np.bincount(neg[:, 3:].ravel(), minlength=8)[:7]
    assert counts.min() > 0.7 * counts.mean()


# ---- issue 22: the trainer's buffers (out=, CSR built directly) give the same floats as the plain expressions


def _scatter_plain(rows, values, n):
    """The first scatter: scipy's COO -> CSR conversion of the selection matrix, times ``values``."""
    import scipy.sparse as sp

    m = len(rows)
    return np.asarray(sp.csr_matrix((np.ones(m, values.dtype), (rows, np.arange(m))), shape=(n, m)) @ values)


class _AdamPlain:
    """The first Adam: plain numpy expressions, temporaries and all."""

    def __init__(self, shapes, lr, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, b1, b2, eps, 0
        self.m = [np.zeros(s, np.float32) for s in shapes]
        self.v = [np.zeros(s, np.float32) for s in shapes]

    def step(self, params, grads):
        self.t += 1
        a = self.lr * np.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            p -= a * m / (np.sqrt(v) + self.eps)


def _fit_plain(train, c):
    """The first trainer's loop (concatenated gradients, plain scatter and Adam), from the same setup as
    ``AirbnbEmbeddings.fit``: ``(v_in, u_out, epoch losses)``."""
    from recall_core.features.sessions import sessions_of
    from recall_core.features.side_info import side_info

    rng = np.random.default_rng(c.seed)
    n, d = train.n_items, c.embedding_dim
    centres, contexts, n_global = session_pairs(sessions_of(train, c.session_gap_seconds), c.window,
                                                c.booking_min_rating if c.global_context else None, c.booking_rule)
    known = np.zeros(n, bool)
    known[centres] = True
    known[contexts] = True
    sampler = MarketSampler(side_info(train).primary_genre(), np.flatnonzero(known))
    k_market = int(round(c.market_share * c.negative))
    neg_weight = np.ones(len(centres), np.float32)
    if not c.global_negatives and n_global:
        neg_weight[len(centres) - n_global:] = 0.0
    v_in = ((rng.random((n, d)) - 0.5) / d).astype(np.float32)
    u_out = np.zeros((n, d), np.float32)
    opt = _AdamPlain([(n, d), (n, d)], c.learning_rate)
    bs, losses = min(c.batch_size, len(centres)), []
    for _ in range(c.epochs):
        order, total = rng.permutation(len(centres)), 0.0
        for s in range(0, len(centres), bs):
            b = order[s:s + bs]
            cen, pos = centres[b], contexts[b]
            neg = sampler.sample(cen, k_market, c.negative - k_market, rng)
            loss, dv, dpos, dneg = sgns_loss_grads(v_in[cen], u_out[pos], u_out[neg],
                                                   None if c.global_negatives else neg_weight[b])
            total += float(loss.sum())
            scale = np.float32(1.0 / len(b))
            g_in = _scatter_plain(cen, dv * scale, n)
            g_out = _scatter_plain(np.concatenate([pos, neg.ravel()]),
                                   np.concatenate([dpos, dneg.reshape(-1, d)]) * scale, n)
            opt.step([v_in, u_out], [g_in, g_out])
        losses.append(total / len(centres))
    return v_in, u_out, losses


def test_scatter_rows_is_the_plain_scatter_bit_for_bit():
    rng = np.random.default_rng(3)
    for n in (5, 300, 40_000):  # 40,000 rows: past the int16 sort key
        rows = rng.integers(n, size=2_000)
        rows[:50] = n - 1  # a long run of one row: its sum's order matters in float32
        vals = (rng.standard_normal((2_000, 8)) * 1e-3).astype(np.float32)
        vals[rows == rows[60]] = -0.0  # a row of negative zeros: summed from +0, as the plain scatter does
        got, want = scatter_rows(rows, vals, n), _scatter_plain(rows, vals, n)
        np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))


def test_adam_buffers_are_the_plain_adam_bit_for_bit():
    from recall_core.models.airbnb import _Adam

    rng = np.random.default_rng(4)
    p1 = [rng.standard_normal((7, 3)).astype(np.float32), rng.standard_normal((5, 3)).astype(np.float32)]
    p2 = [p.copy() for p in p1]
    fast, plain = _Adam([(7, 3), (5, 3)], 0.01), _AdamPlain([(7, 3), (5, 3)], 0.01)
    for _ in range(30):
        g = [rng.standard_normal(p.shape).astype(np.float32) * 1e-2 for p in p1]
        fast.step(p1, g)
        plain.step(p2, g)
    for a, b in zip(p1 + fast.m + fast.v, p2 + plain.m + plain.v):
        np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))


def test_sgns_out_buffer_holds_the_same_gradients():
    rng = np.random.default_rng(5)
    v, up, un = (rng.standard_normal(s).astype(np.float32) for s in ((4, 3), (4, 3), (4, 2, 3)))
    out = np.full((4 * 3, 3), np.nan, np.float32)
    plain = sgns_loss_grads(v, up, un)
    buffered = sgns_loss_grads(v, up, un, out=out)
    for a, b in zip(plain, buffered):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(out, np.concatenate([plain[2], plain[3].reshape(-1, 3)]))


def test_trainer_gives_the_plain_trainers_vectors_bit_for_bit(planted):
    """The whole fit against the first trainer's loop, on planted data, with and without global negatives
    (a last batch smaller than the others included); another seed gives other vectors, so the check can fail."""
    from recall_core.models.airbnb import AirbnbEmbeddings

    train = planted[1].train
    for extra in ({}, {"global_negatives": False, "market_share": 0.0}):
        cfg = {**SMALL, "epochs": 3, "batch_size": 97, **extra}
        model = AirbnbEmbeddings(**cfg).fit(train)
        out = model.export()
        v_in, u_out, losses = _fit_plain(train, model.config)
        np.testing.assert_array_equal(out.pair_query_vectors.view(np.uint32), v_in.view(np.uint32))
        np.testing.assert_array_equal(out.candidate_vectors.view(np.uint32), u_out.view(np.uint32))
        assert out.info["epoch_loss"] == losses
    other, _, _ = _fit_plain(train, AirbnbEmbeddings(**{**cfg, "seed": SMALL["seed"] + 1}).config)
    assert not np.array_equal(other, v_in)
