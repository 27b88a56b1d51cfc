"""Leave-last-out split and the training view models are given."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from recall_core.data.dataset import Dataset
from recall_core.data.schema import Schema
from recall_core.data.vocab import VocabSizes, Vocabulary


@dataclass(frozen=True, eq=False)
class TrainData(VocabSizes):
    """Everything a model may see: training interactions and metadata, never a test row.

    Interaction arrays have shape ``(n_train,)`` and are sorted by user row,
    then timestamp, then file order (so each user's slice is their time-ordered
    history). ``schema``: the dataset's declared side information (which item and user fields the
    models may use: :mod:`recall_core.data.schema`).
    """

    dataset_name: str
    items: pd.DataFrame
    users: pd.DataFrame
    item_vocab: Vocabulary
    user_vocab: Vocabulary
    genres: list
    user_idx: np.ndarray
    item_idx: np.ndarray
    rating: np.ndarray
    timestamp: np.ndarray
    schema: Schema = field(default_factory=Schema)

    @cached_property
    def user_offsets(self) -> np.ndarray:
        """``(n_users + 1,)``: user ``u``'s rows are ``offsets[u]:offsets[u+1]``."""
        counts = np.bincount(self.user_idx, minlength=self.n_users)
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def history(self, u: int) -> np.ndarray:
        """Item rows of user ``u`` in time order, ``(len,)`` int64."""
        o = self.user_offsets
        return self.item_idx[o[u]:o[u + 1]]

    def histories(self) -> list[np.ndarray]:
        """Per user row, item rows in time order (empty for users without training data)."""
        o = self.user_offsets
        return [self.item_idx[o[u]:o[u + 1]] for u in range(self.n_users)]

    def timestamps(self, u: int) -> np.ndarray:
        o = self.user_offsets
        return self.timestamp[o[u]:o[u + 1]]

    @cached_property
    def item_counts(self) -> np.ndarray:
        """``(n_items,)`` number of training interactions per item."""
        return np.bincount(self.item_idx, minlength=self.n_items)

    @cached_property
    def matrix(self) -> sp.csr_matrix:
        """Binary ``(n_users, n_items)`` CSR of seen items."""
        m = sp.csr_matrix(
            (np.ones(len(self.item_idx), np.float32), (self.user_idx, self.item_idx)),
            shape=(self.n_users, self.n_items),
        )
        m.data[:] = 1.0
        return m


@dataclass(frozen=True, eq=False)
class Split:
    """Leave-last-out split: ``train`` plus one held-out item per evaluated user.

    ``name`` is ``"test"`` (held out: each user's last interaction) or
    ``"valid"`` (held out: the second-to-last; the last is not used at all).
    The ``test_*`` arrays hold the held-out interactions of either.
    """

    train: TrainData
    test_users: np.ndarray  # (n_test,) user rows
    test_items: np.ndarray  # (n_test,) item rows
    test_timestamps: np.ndarray  # (n_test,)
    name: str = "test"


SPLITS = ("test", "valid")


def leave_last_out(ds: Dataset, holdout: str = "test") -> Split:
    """Per user, sort by timestamp (ties keep file order) and hold out one interaction.

    ``holdout="test"``: the last interaction is held out; training is everything
    before it. ``holdout="valid"``: the last interaction (the test item) is
    dropped entirely and the second-to-last is held out; training is everything
    before *it*, so nothing from the test split's held-out interaction reaches a
    model chosen on validation. The split is per user and temporal, not global:
    other users' later interactions stay in training.

    Users with a single interaction (two, for ``valid``) keep what is left in
    training and are not evaluated (there is nothing to learn their taste from).
    """
    if holdout not in SPLITS:
        raise ValueError(f"holdout must be one of {SPLITS}, got {holdout!r}")
    inter = ds.interactions
    u = inter["user_idx"].to_numpy(np.int64)
    t = inter["timestamp"].to_numpy(np.int64)
    order = np.lexsort((np.arange(len(inter)), t, u))
    u_s = u[order]
    counts = np.bincount(u_s, minlength=ds.n_users)
    ends = np.cumsum(counts)  # one past each user's last sorted position
    from_end = ends[u_s] - 1 - np.arange(len(order))  # 0 = the user's last interaction
    if holdout == "test":
        is_test, dropped = (from_end == 0) & (counts[u_s] >= 2), np.zeros(len(order), bool)
    else:
        is_test = (from_end == 1) & (counts[u_s] >= 3)
        dropped = (from_end == 0) & (counts[u_s] >= 2)
    tr, te = order[~is_test & ~dropped], order[is_test]
    train = TrainData(
        dataset_name=ds.name, items=ds.items, users=ds.users, item_vocab=ds.item_vocab, user_vocab=ds.user_vocab,
        genres=list(ds.genres),
        user_idx=u[tr], item_idx=inter["item_idx"].to_numpy(np.int64)[tr],
        rating=inter["rating"].to_numpy(np.float32)[tr], timestamp=t[tr], schema=ds.schema,
    )
    return Split(
        train=train, test_users=u[te], test_items=inter["item_idx"].to_numpy(np.int64)[te], test_timestamps=t[te],
        name=holdout,
    )


_SPLITS: dict[tuple[str, str], Split] = {}


def split_for(ds: Dataset, holdout: str = "test") -> Split:
    """The leave-last-out split of ``ds`` (``holdout`` ``test`` or ``valid``), memoised per fingerprint."""
    key = (ds.fingerprint, holdout)
    if key not in _SPLITS:
        _SPLITS[key] = leave_last_out(ds, holdout)
    return _SPLITS[key]
