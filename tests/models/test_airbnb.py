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
