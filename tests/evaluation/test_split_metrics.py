"""Leave-last-out split, leakage, hand-computed metrics, and the index against a numpy oracle."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from recall_core.data import leave_last_out
from recall_core.data.dataset import build_dataset
from recall_core.evaluation import evaluate, metrics_from_ranks, ranks_from_scores, top_k
from recall_core.evaluation.metrics import coverage, distinct_lists
from recall_core.index import VectorIndex
from recall_core.models import get_model_class, model_names
from recall_core.models.base import RecallOutput


def _ds(rows):
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])
    inter["rating"] = inter["rating"].astype(np.float32)
    inter["timestamp"] = inter["timestamp"].astype(np.int64)
    ids = sorted(set(inter["item_id"]))
    items = pd.DataFrame({"item_id": ids, "title": ids, "year": np.nan, "genres": [()] * len(ids)})
    users = pd.DataFrame({"user_id": sorted(set(inter["user_id"]))})
    return build_dataset("t", "t", "synthetic", inter, items, users)


def test_last_by_timestamp_not_file_order():
    # File order is not time order: the test item must be the latest, not the last line.
    ds = _ds([("a", "x", 5, 300), ("a", "y", 5, 100), ("a", "z", 5, 200)])
    s = leave_last_out(ds)
    assert ds.item_vocab.ids[s.test_items].tolist() == ["x"]
    assert ds.item_vocab.ids[s.train.history(0)].tolist() == ["y", "z"]


def test_ties_keep_file_order():
    ds = _ds([("a", "x", 5, 100), ("a", "y", 5, 200), ("a", "z", 5, 200), ("a", "w", 5, 50)])
    s = leave_last_out(ds)
    assert ds.item_vocab.ids[s.test_items].tolist() == ["z"]  # last in file among the tied latest
    assert ds.item_vocab.ids[s.train.history(0)].tolist() == ["w", "x", "y"]


def test_single_interaction_user_trains_but_is_not_evaluated():
    ds = _ds([("a", "x", 5, 1), ("a", "y", 5, 2), ("b", "x", 3, 5)])
    s = leave_last_out(ds)
    b = ds.user_vocab.index("b")
    assert b not in s.test_users.tolist()
    assert ds.item_vocab.ids[s.train.history(b)].tolist() == ["x"]


def test_ml100k_split_and_leakage(ml100k):
    s = leave_last_out(ml100k)
    assert len(s.test_users) == 943 and len(s.train.item_idx) == 100_000 - 943
    inter = ml100k.interactions
    # Each test row is its user's latest interaction.
    latest = inter.groupby("user_idx")["timestamp"].max()
    assert (s.test_timestamps == latest.loc[s.test_users].to_numpy()).all()
    # No test (user, item) pair is in training, and every train row is a real interaction.
    test_pairs = set(zip(s.test_users.tolist(), s.test_items.tolist()))
    train_pairs = set(zip(s.train.user_idx.tolist(), s.train.item_idx.tolist()))
    assert not test_pairs & train_pairs
    assert len(train_pairs | test_pairs) == len(inter)
    # Histories are time-ordered.
    for u in range(0, 943, 97):
        assert (np.diff(s.train.timestamps(u)) >= 0).all()
    # TrainData carries no test rows and no reference to the full interactions table.
    assert not any(isinstance(v, pd.DataFrame) and "timestamp" in v for v in vars(s.train).values())


class _Spy:
    """Records what a model's fit receives."""

    seen = None


@pytest.mark.parametrize("name", ["mostpop", "item2vec"])
def test_models_only_see_training_rows(planted, name, monkeypatch):
    """Leakage guard: the object every model is fitted on is the training view, without the test rows."""
    from recall_core import training

    ds, split = planted
    cls = get_model_class(name)
    orig = cls.fit

    def spy(self, train, progress=None, **kw):
        _Spy.seen = train
        return orig(self, train, **({"progress": progress} if progress else {}))

    monkeypatch.setattr(cls, "fit", spy)
    monkeypatch.setattr(training, "save_model", lambda *a, **k: None)
    from recall_core.data import split as split_module

    monkeypatch.setitem(split_module._SPLITS, (ds.fingerprint, "test"), split)
    training.train_one(ds, training.TrainJob(name, overrides={"epochs": 1} if name != "mostpop" else None),
                       store=None, seed=0)
    train = _Spy.seen
    assert train is split.train
    pairs = set(zip(train.user_idx.tolist(), train.item_idx.tolist()))
    assert not pairs & set(zip(split.test_users.tolist(), split.test_items.tolist()))


def test_all_registered_models_are_listed():
    assert model_names()[:2] == ["mostpop", "item2vec"]


# ------------------------------------------------------------------ metrics, by hand

def test_ranks_exclude_seen_and_break_ties_by_row():
    scores = np.array([
        [0.9, 0.8, 0.7, 0.6, 0.5],  # item 0 seen -> test item 2 ranks 2nd
        [0.5, 0.5, 0.5, 0.5, 0.5],  # all tied -> rank = 1 + lower unseen rows
        [0.1, 0.2, 0.3, 0.4, 0.5],
    ])
    seen = sp.csr_matrix(np.array([[1, 0, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 1]], dtype=np.float32))
    ranks = ranks_from_scores(scores, seen, np.array([2, 3, 4]))
    assert ranks.tolist() == [2, 3, 6]  # user 2's test item is a seen item: never recommendable
    top = top_k(scores, seen, 3)
    assert top.tolist() == [[1, 2, 3], [1, 2, 3], [3, 2, 1]]


def test_metric_values_by_hand():
    m = metrics_from_ranks(np.array([1, 3, 11]), ks=(1, 5, 10))
    assert m["hr@1"] == pytest.approx(1 / 3)
    assert m["hr@5"] == pytest.approx(2 / 3) and m["recall@5"] == pytest.approx(2 / 3)
    assert m["precision@5"] == pytest.approx(2 / 3 / 5)
    assert m["ndcg@5"] == pytest.approx((1 / np.log2(2) + 1 / np.log2(4)) / 3)  # (1 + 0.5) / 3
    assert m["ndcg@10"] == pytest.approx(0.5)
    assert m["mrr"] == pytest.approx((1 + 1 / 3 + 1 / 11) / 3)
    tops = np.array([[0, 1], [1, 0], [2, 3]])
    assert coverage(tops, 10) == pytest.approx(0.4)
    assert distinct_lists(tops) == 2


def test_evaluate_end_to_end_on_a_tiny_case():
    # Two users, 4 items; user vectors pick items by a 2-d score.
    ds = _ds([("a", "i0", 5, 1), ("a", "i1", 5, 2), ("b", "i2", 5, 1), ("b", "i3", 5, 2)])
    s = leave_last_out(ds)  # tests: a->i1, b->i3
    out = RecallOutput(
        item_ids=ds.item_vocab.ids, item_vectors=np.array([[1, 0], [0.9, 0.1], [0, 1], [0.5, 0.5]], np.float32),
        metric="ip", user_ids=ds.user_vocab.ids, user_vectors=np.array([[1, 0], [0, 1]], np.float32),
    )
    m = evaluate(out, s, ks=(1, 2))
    # a (seen i0): i1 .9, i3 .5, i2 0 -> rank 1. b (seen i2): i3 .5, i1 .1, i0 0 -> rank 1.
    assert m["hr@1"] == 1.0 and m["mrr"] == 1.0
    assert m["coverage@2"] == pytest.approx(2 / 4)  # a: [i1, i3], b: [i3, i1]
    assert m["distinct_lists@10"] == 1  # lists are cut at max(ks)=2: both are {i1, i3}


def test_unknown_items_rank_last():
    ds = _ds([("a", "i0", 5, 1), ("a", "i1", 5, 2)])
    s = leave_last_out(ds)
    out = RecallOutput(item_ids=ds.item_vocab.ids, item_vectors=np.array([[1.0], [-1.0]], np.float32), metric="ip",
                       user_ids=ds.user_vocab.ids, user_vectors=np.array([[1.0]], np.float32),
                       item_known=np.array([True, False]))
    assert evaluate(out, s, ks=(1,))["hr@1"] == 0.0  # the test item is unknown: a miss, not a free hit


# ------------------------------------------------------------------ index

@pytest.mark.parametrize("metric", ["ip", "cosine"])
def test_index_matches_numpy_oracle(metric):
    rng = np.random.default_rng(0)
    vecs = rng.normal(size=(200, 8)).astype(np.float32)
    original = vecs.copy()
    ids = [f"m{i}" for i in range(200)]
    idx = VectorIndex(vecs, ids, metric)
    np.testing.assert_array_equal(vecs, original)  # never normalised in place
    q = rng.normal(size=(5, 8)).astype(np.float32)
    exclude = [[f"m{j}" for j in rng.choice(200, 30, replace=False)] for _ in range(5)]
    got_ids, got_sc = idx.search(q, 10, exclude)
    base = vecs / np.linalg.norm(vecs, axis=1, keepdims=True) if metric == "cosine" else vecs
    qq = q / np.linalg.norm(q, axis=1, keepdims=True) if metric == "cosine" else q
    scores = qq @ base.T
    for i in range(5):
        s = scores[i].copy()
        s[[int(e[1:]) for e in exclude[i]]] = -np.inf
        want = np.argsort(-s)[:10]
        assert got_ids[i].tolist() == [f"m{j}" for j in want]
        np.testing.assert_allclose(got_sc[i], s[want], rtol=1e-5)


def test_index_neighbours_exclude_self_and_invalid():
    vecs = np.array([[1, 0], [0.9, 0.1], [0.8, 0.2], [0, 1]], np.float32)
    idx = VectorIndex(vecs, ["a", "b", "c", "d"], "cosine", valid=np.array([True, False, True, True]))
    ids, sc = idx.neighbours("a", 2)
    assert ids.tolist() == ["c", "d"]
    ids, sc = idx.search(vecs[:1], 10)
    assert ids.tolist()[0] == ["a", "c", "d", ""] and np.isneginf(sc[0][3])  # padded: b is never returned


def test_transition_baseline_by_hand():
    from recall_core.evaluation.baselines import transition_matrix, transition_scores

    ds = _ds([("a", "x", 5, 1), ("a", "y", 5, 2), ("a", "z", 5, 3), ("a", "w", 5, 4),
              ("b", "x", 5, 1), ("b", "z", 5, 2), ("b", "y", 5, 3)])
    s = leave_last_out(ds)  # train: a: x y z, b: x z; tests a->w, b->y
    v = ds.item_vocab.index
    t = transition_matrix(s.train, window=2).toarray()
    assert t[v("x"), v("y")] == 1 and t[v("y"), v("z")] == 1 and t[v("x"), v("z")] == 1 + 0.5
    assert t[v("z"), v("x")] == 0
    sc = transition_scores(s.train, np.array([ds.user_vocab.index("b")]), transition_matrix(s.train, 2),
                           last_n=2, decay=0.5)[0]
    # b's last items: z (weight 1), x (weight 0.5): score(y) = 0.5 * T[x, y] = 0.5; score(z) = 0.5 * 1.5
    assert sc[v("y")] == pytest.approx(0.5, abs=1e-5) and sc[v("z")] == pytest.approx(0.75, abs=1e-5)


def test_validation_split_holds_out_the_second_to_last_and_drops_the_last():
    # a: 5 interactions in shuffled file order; b: two; c: one.
    ds = _ds([("a", "x", 5, 300), ("a", "y", 5, 100), ("a", "z", 5, 500), ("a", "w", 5, 200), ("a", "v", 5, 400),
              ("b", "x", 3, 5), ("b", "y", 3, 9), ("c", "x", 4, 1)])
    v = leave_last_out(ds, "valid")
    t = leave_last_out(ds, "test")
    a, b, c = (ds.user_vocab.index(u) for u in "abc")
    assert v.name == "valid" and t.name == "test"
    # a: test = z (t=500), valid = v (t=400), valid's training = everything before v
    assert ds.item_vocab.ids[t.test_items[t.test_users == a]].tolist() == ["z"]
    assert ds.item_vocab.ids[v.test_items[v.test_users == a]].tolist() == ["v"]
    assert ds.item_vocab.ids[v.train.history(a)].tolist() == ["y", "w", "x"]
    assert ds.item_vocab.ids[t.train.history(a)].tolist() == ["y", "w", "x", "v"]
    # b (two interactions): a test item, but nothing to validate on; its first item stays in training
    assert b in t.test_users.tolist() and b not in v.test_users.tolist()
    assert ds.item_vocab.ids[v.train.history(b)].tolist() == ["x"]
    # c (one interaction): trains in both, evaluated in neither
    assert c not in v.test_users.tolist() and ds.item_vocab.ids[v.train.history(c)].tolist() == ["x"]


def test_validation_never_sees_the_test_items(ml100k):
    v, t = leave_last_out(ml100k, "valid"), leave_last_out(ml100k, "test")
    assert len(v.test_users) == 943 and len(v.train.item_idx) == 100_000 - 2 * 943
    test_pairs = set(zip(t.test_users.tolist(), t.test_items.tolist()))
    valid_pairs = set(zip(v.test_users.tolist(), v.test_items.tolist()))
    train_pairs = set(zip(v.train.user_idx.tolist(), v.train.item_idx.tolist()))
    assert not (test_pairs | valid_pairs) & train_pairs
    assert valid_pairs <= set(zip(t.train.user_idx.tolist(), t.train.item_idx.tolist()))
    # each validation item is its user's latest interaction in the test split's training view
    for u, ts in zip(v.test_users[:50], v.test_timestamps[:50]):
        assert ts == t.train.timestamps(u).max()
