import numpy as np
import pandas as pd
import pytest

from recall_core.data import leave_last_out
from recall_core.data.dataset import build_dataset
from recall_core.features.towers import (
    item_table, next_item_examples, recent_history, user_batch, user_histories, user_table,
)


def test_recent_history_keeps_the_most_recent_first_and_masks_padding():
    ids, mask = recent_history(np.array([5, 6, 7, 8]), 3)
    assert ids.tolist() == [9, 8, 7]  # rows + 1, newest first
    assert mask.tolist() == [1, 1, 1]
    ids, mask = recent_history(np.array([4]), 3)
    assert ids.tolist() == [5, 0, 0] and mask.tolist() == [1, 0, 0]


def test_tables_on_planted(planted):
    ds, split = planted
    users, items = user_table(split.train), item_table(split.train)
    assert set(users.fields) == {"user_id", "gender", "age", "occupation", "zip"}
    for name, codes in users.fields.items():
        assert codes.shape == (ds.n_users,) and codes.min() >= 0 and codes.max() < users.sizes[name]
    assert (items.fields["genre_mask"].sum(axis=1) == 1).all()
    assert items.fields["year"].min() >= 1
    hist, mask = user_histories(split.train, 4)
    last = np.array([h[-1] for h in split.train.histories()])
    assert (hist[:, 0] == last + 1).all() and (mask == (hist > 0)).all()


def test_users_table_with_only_ids_still_encodes():
    inter = pd.DataFrame({"user_id": ["a", "a", "b", "b"], "item_id": ["x", "y", "x", "z"],
                          "rating": np.float32([5, 4, 3, 2]), "timestamp": np.int64([1, 2, 3, 4])})
    items = pd.DataFrame({"item_id": ["x", "y", "z"], "title": ["X", "Y", "Z"], "year": [np.nan, 1990.0, 2000.0],
                          "genres": [(), ("Drama",), ("Drama", "Comedy")]})
    ds = build_dataset("tiny", "tiny", "ml-latest", inter, items, pd.DataFrame({"user_id": ["a", "b"]}))
    tr = leave_last_out(ds).train
    users = user_table(tr)
    assert list(users.fields) == ["user_id"]
    it = item_table(tr)
    assert it.fields["year"][0] == 0 and it.fields["genre_mask"].sum(axis=1).tolist() == [0, 1, 2]
    b = user_batch(users, np.arange(2), *user_histories(tr, 2))
    assert set(b) == {"user_id", "hist_ids", "hist_mask"}


def test_next_item_examples_never_see_the_future(planted):
    _, split = planted
    tr = split.train
    ex = next_item_examples(tr, history_len=5, max_per_user=6, seed=1)
    hists = tr.histories()
    assert len(ex) and (np.bincount(ex.user) <= 6).all()
    for n in range(len(ex)):
        h = hists[ex.user[n]]
        p = ex.position[n]
        assert h[p] == ex.target[n]
        want, want_mask = recent_history(h[:p], 5)  # strictly before the target
        assert ex.hist_ids[n].tolist() == want.tolist()
        assert ex.hist_mask[n].tolist() == want_mask.tolist()
        assert ex.target[n] + 1 not in ex.hist_ids[n]  # planted histories have no repeats
    again = next_item_examples(tr, history_len=5, max_per_user=6, seed=1)
    np.testing.assert_array_equal(again.position, ex.position)


def test_masked_pooling_matches_numpy_and_ignores_padding():
    from recall_core.models._tf import layers as ku
    from recall_core.models._tf import runtime

    keras, _ = runtime.start(0)
    rng = np.random.default_rng(0)
    values = rng.normal(size=(4, 5, 3)).astype(np.float32)
    mask = np.array([[1, 1, 0, 0, 0], [1, 0, 0, 0, 0], [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]], np.float32)
    got = np.asarray(ku.MaskedMeanPooling()([values, mask]))
    np.testing.assert_allclose(got, ku.masked_mean_numpy(values, mask), rtol=1e-5, atol=1e-6)
    assert (got[2] == 0).all()
    # A whole user tower: random ids in padded slots change nothing.
    n_items = 30
    example = {"user_id": np.array([1, 2], np.int32), "hist_ids": np.array([[3, 4, 0, 0], [7, 0, 0, 0]], np.int32)}
    example["hist_mask"] = (example["hist_ids"] > 0).astype(np.float32)
    inputs = ku.make_inputs(example)
    out = ku.dnn(ku.user_features(inputs, {"user_id": 3}, n_items, 4, 8, 2, "u"), (16,), 8, "u")
    tower = keras.Model(inputs, out)
    a = np.asarray(tower(example))
    changed = dict(example, hist_ids=np.where(example["hist_mask"] > 0, example["hist_ids"],
                                              rng.integers(1, n_items, size=(2, 4))).astype(np.int32))
    assert (changed["hist_ids"] != example["hist_ids"]).any()
    np.testing.assert_allclose(np.asarray(tower(changed)), a, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError):
        ku.check_keys({**example, "extra": example["user_id"]}, inputs)


@pytest.mark.parametrize("name", ["fm", "dssm", "youtubednn"])
def test_models_train_without_demographics(name):
    """ml-latest-small has no users table beyond ids: the towers use what exists."""
    from recall_core.data.planted import planted_dataset
    from recall_core.models import get_model_class

    ds = planted_dataset(n_clusters=2, items_per_cluster=6, users_per_cluster=5, history=5)
    ds = build_dataset("ids-only", "ids-only", "ml-latest", ds.interactions[["user_id", "item_id", "rating", "timestamp"]],
                       ds.items, ds.users[["user_id"]])
    out = get_model_class(name)(epochs=1, embedding_dim=8, history_len=3).fit(leave_last_out(ds).train).export()
    assert out.user_vectors.shape == (ds.n_users, out.candidates.shape[1])
    assert np.isfinite(out.user_vectors).all() and np.isfinite(out.candidates).all()
