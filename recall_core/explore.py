"""Explore a stored model: the items next to an item, a user's recommendations, a user's profile.

What the CLI's ``neighbours`` and the pages ask of one stored model (:class:`~recall_core.store.StoredModel`,
read with :func:`recall_core.store.load_trained`), answered with the model's view vectors and the exact index of
that view (:func:`recall_core.index.index_for`), as tables of :func:`recall_core.data.item_table`. Nothing here
imports TensorFlow, trains or writes. The leaderboard's rows live in :mod:`recall_core.analysis.leaderboard`,
the reference rows in :mod:`recall_core.evaluation.references`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from recall_core.data import Dataset, item_table
from recall_core.data.split import split_for
from recall_core.errors import UnknownIdError
from recall_core.index import index_for
from recall_core.store import StoredModel


def _view_of(model: StoredModel, view: str):
    try:
        return model.output.view_arrays(view)
    except UnknownIdError as e:
        raise UnknownIdError(f"model {model.name!r}: {e}") from None


def item_neighbours(ds: Dataset, model: StoredModel, item: str, k: int = 10, view: str = "similar") -> pd.DataFrame:
    """Top-``k`` items for an item (id or title) in an item view (``similar`` or ``cooccur``); the item excluded."""
    row = ds.find_item(item)
    ids, sc = item_neighbour_ids(ds, model, [ds.item_vocab.id(row)], k, view)
    valid = ids[0] != ""
    return item_table(ds, ds.item_vocab.indices(ids[0][valid]), sc[0][valid])


def item_neighbour_ids(ds: Dataset, model: StoredModel, item_ids, k: int = 10, view: str = "similar"):
    """Top-``k`` ``(ids, scores)``, each ``(len(item_ids), k)``, for many movies (raw ids) in an item view, each
    movie itself excluded: the lists of :func:`item_neighbours`, searched in one batch. ``""``/``-inf`` pad a row
    with fewer than ``k`` results."""
    if view not in ("similar", "cooccur"):
        raise UnknownIdError(f"unknown item view {view!r}; known: similar, cooccur")
    queries, _, _ = _view_of(model, view)
    rows = ds.item_vocab.indices([str(i) for i in item_ids])
    idx = index_for(model.output, view, (str(model.path), model.manifest.get("created")))
    return idx.search(queries[rows], k, [[str(i)] for i in item_ids])


def user_recommendations(ds: Dataset, model: StoredModel, user: str, k: int = 10) -> pd.DataFrame:
    """Top-``k`` unseen items for a user (training items excluded, as in evaluation)."""
    ids, sc = user_recommendation_ids(ds, model, [user], k)
    valid = ids[0] != ""
    return item_table(ds, ds.item_vocab.indices(ids[0][valid]), sc[0][valid])


def user_recommendation_ids(ds: Dataset, model: StoredModel, users, k: int = 10):
    """Top-``k`` unseen ``(ids, scores)``, each ``(len(users), k)``, for many users (raw ids), training items
    excluded: the lists of :func:`user_recommendations`, searched in one batch (``""``/``-inf`` pad)."""
    queries, _, _ = _view_of(model, "user")
    for user in users:
        if str(user) not in ds.user_vocab:
            raise UnknownIdError(f"unknown user {user!r} in {ds.name}")
    urows = [model.output.user_row(str(u)) for u in users]
    train = split_for(ds).train
    seen = [ds.item_vocab.ids[train.history(ds.user_vocab.index(str(u)))].tolist() for u in users]
    idx = index_for(model.output, "user", (str(model.path), model.manifest.get("created")))
    return idx.search(queries[urows], k, seen)


def user_profile(ds: Dataset, user: str) -> dict:
    """Demographics and the time-ordered training history of a user, plus the held-out test item."""
    if str(user) not in ds.user_vocab:
        raise UnknownIdError(f"unknown user {user!r} in {ds.name}")
    u = ds.user_vocab.index(str(user))
    split = split_for(ds)
    tr = split.train
    o = tr.user_offsets
    hist = item_table(ds, tr.item_idx[o[u]:o[u + 1]])
    hist["rating"] = tr.rating[o[u]:o[u + 1]]
    hist["date"] = pd.to_datetime(tr.timestamp[o[u]:o[u + 1]], unit="s")
    test = np.flatnonzero(split.test_users == u)
    demo = ds.users.iloc[u].to_dict()
    return {"user_id": str(user), "demographics": demo, "history": hist,
            "test_item": ds.item_vocab.id(int(split.test_items[test[0]])) if len(test) else None}


__all__ = ["item_neighbour_ids", "item_neighbours", "user_profile", "user_recommendation_ids", "user_recommendations"]
