"""Feature encoding for the two-tower models (FM, DSSM, YouTubeDNN): plain numpy, no TensorFlow.

Conventions (shared by every tower):

* Categorical codes are ``int32`` with ``0`` = missing/padding, known values ``1..K``
  (so a field's embedding table has ``K + 1`` rows).
* A history is stored **most recent first**: column 0 is the last item before the
  prediction point, column 1 the one before, ...; ids are ``item row + 1`` and
  ``0`` pads, with a ``float32`` mask (1 = real item, 0 = padding) so padding never
  enters any pooling.
* Batches are plain ``dict[str, np.ndarray]`` whose keys are exactly the Keras model's
  input names (built from the same dict, see :func:`recall_core.models._tf.layers.make_inputs`).

User fields: ``user_id`` and, where the users table has them, ``gender``, ``age``
(bucketed), ``occupation``, ``zip`` (prefix). A dataset whose users table has only
``user_id`` (ml-latest-small) simply has fewer fields. Item fields: ``item_id``,
``genre_ids``/``genre_mask`` (several genres per item, pooled), ``year`` (bucketed).

Other data: the fields follow the declared columns (``train.schema``,
:mod:`recall_core.data.schema`): the user fields the card declares (each value a
category), ``genre_ids``/``genre_mask`` only where categories are declared, ``year``
only where a year is, and ``item_field<k>`` (codes of the k-th declared categorical
item field, :data:`ItemTable.item_fields` names them). On MovieLens that is exactly
the fields above.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from recall_core.data.schema import Schema
from recall_core.features.side_info import field_codes

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
#: Keys the towers use themselves (a user field with such a name gets a ``user_field<k>`` key).
_TOWER_KEYS = ("user_id", "hist_ids", "hist_mask", "item", "center", "context")
#: age bucket edges (the ML-1M age groups); ML-1M's own age codes fall into the same buckets
AGE_EDGES = (18, 25, 35, 45, 50, 56)
DEMOGRAPHICS = ("gender", "age", "occupation", "zip")


def _codes(values) -> tuple[np.ndarray, int]:
    """Strings -> ``(codes (n,) int32, vocab_size)`` with 0 for missing/empty values."""
    vals = np.asarray(["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
                       for v in values], dtype=object)
    uniq = sorted({v for v in vals if v})
    index = {v: i + 1 for i, v in enumerate(uniq)}
    return np.asarray([index.get(v, 0) for v in vals], dtype=np.int32), len(uniq) + 1


@dataclass(frozen=True)
class UserTable:
    """Per user row: ``fields[key]`` ``(n_users,)`` int32 codes; ``sizes[key]`` = rows of its embedding table.

    ``names[key]``: the declared user field a key encodes (the key is the field's name when that is a
    plain identifier, else ``user_field<k>``: keys become Keras input names).
    """

    fields: dict[str, np.ndarray]
    sizes: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)

    def batch(self, user_rows: np.ndarray) -> dict[str, np.ndarray]:
        return {k: v[user_rows] for k, v in self.fields.items()}


@dataclass(frozen=True)
class ItemTable:
    """Per item row: ``item_id`` ``(n,)``, ``genre_ids``/``genre_mask`` ``(n, G)``, ``year`` ``(n,)``, and
    ``item_field<k>`` ``(n,)`` for the declared item fields (``item_fields[k]`` names the k-th)."""

    fields: dict[str, np.ndarray]
    sizes: dict[str, int]
    item_fields: tuple[str, ...] = field(default=())

    @property
    def side_keys(self) -> list[str]:
        """The categorical item features, in the towers' order: ``genre_ids`` (pooled), ``year``, ``item_field<k>``."""
        return [k for k in ("genre_ids", "year", *(f"item_field{j}" for j in range(len(self.item_fields))))
                if k in self.fields]

    @property
    def n_items(self) -> int:
        return len(self.fields["item_id"])

    def batch(self, item_rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
        if item_rows is None:
            return dict(self.fields)
        return {k: v[item_rows] for k, v in self.fields.items()}


def user_table(train, zip_prefix: int = 1) -> UserTable:
    """Encode the user fields the data declares (``train.schema.user_fields``; MovieLens: the demographics it
    has). ``user_id`` code = user row + 1."""
    users = train.users
    n = train.n_users
    fields = {"user_id": np.arange(1, n + 1, dtype=np.int32)}
    sizes = {"user_id": n + 1}
    schema = getattr(train, "schema", None) or Schema()
    declared = schema.user_fields if schema.user_fields or schema.domain != "movies" else tuple(
        (c, e) for c, e in (("gender", "category"), ("age", "age_bucket"), ("occupation", "category"),
                            ("zip", "zip_prefix")) if c in users.columns)
    names = {}
    for k, (col, encoding) in enumerate(declared):
        if col not in users.columns or users[col].isna().all():
            continue
        key = col if _PLAIN.fullmatch(col) and col not in _TOWER_KEYS else f"user_field{k}"
        vals = users[col]
        if encoding == "age_bucket":
            ages = vals.to_numpy(np.float64)
            buckets = np.where(np.isnan(ages), -1, np.searchsorted(AGE_EDGES, np.nan_to_num(ages), side="right"))
            vals = [None if b < 0 else str(b) for b in buckets]
        elif encoding == "zip_prefix":
            vals = [None if v is None or v != v else str(v).strip()[:zip_prefix] for v in vals]
        codes, size = _codes(list(vals))
        if size <= 1:
            continue
        fields[key], sizes[key], names[key] = codes, size, col
    return UserTable(fields, sizes, names)


def item_table(train, year_bucket: int = 5) -> ItemTable:
    """Encode item fields. ``item_id`` code = item row + 1; genres pooled through ``genre_mask``; categories,
    year and item fields as the data declares them (``train.schema``)."""
    items = train.items
    n = train.n_items
    schema = getattr(train, "schema", None) or Schema()
    genre_index = {g: i + 1 for i, g in enumerate(train.genres)}
    g_max = max(1, max((len(g) for g in items["genres"]), default=1))
    genre_ids = np.zeros((n, g_max), np.int32)
    for r, gs in enumerate(items["genres"]):
        codes = [genre_index[g] for g in gs if g in genre_index]
        genre_ids[r, :len(codes)] = codes
    years = items["year"].to_numpy(np.float64)
    ok = ~np.isnan(years)
    year = np.zeros(n, np.int32)
    if ok.any():
        lo = np.floor(years[ok].min() / year_bucket)
        year[ok] = (np.floor(years[ok] / year_bucket) - lo + 1).astype(np.int32)
    fields = {"item_id": np.arange(1, n + 1, dtype=np.int32)}
    sizes = {"item_id": n + 1}
    if schema.has_categories:
        fields["genre_ids"], fields["genre_mask"] = genre_ids, (genre_ids > 0).astype(np.float32)
        sizes["genre_ids"] = len(genre_index) + 1
    if schema.has_year:
        fields["year"], sizes["year"] = year, int(year.max()) + 1
    for k, name in enumerate(schema.item_fields):
        codes, values = field_codes(items[name].tolist())
        fields[f"item_field{k}"], sizes[f"item_field{k}"] = codes.astype(np.int32), len(values)
    return ItemTable(fields, sizes, tuple(schema.item_fields))


def recent_history(items: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The last ``n`` of a time-ordered item-row array, most recent first.

    Returns ``ids (n,)`` int32 (item row + 1, 0 = padding) and ``mask (n,)`` float32.
    """
    ids = np.zeros(n, np.int32)
    last = np.asarray(items[-n:] if n else items[:0], dtype=np.int64)[::-1]
    ids[:len(last)] = last + 1
    return ids, (ids > 0).astype(np.float32)


def user_histories(train, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every user's full training history (last ``n`` items): ``ids, mask`` ``(n_users, n)``."""
    ids = np.zeros((train.n_users, n), np.int32)
    for u, h in enumerate(train.histories()):
        ids[u] = recent_history(h, n)[0]
    return ids, (ids > 0).astype(np.float32)


@dataclass(frozen=True)
class NextItemExamples:
    """Next-item training examples in time order: the target at ``position`` of the user's history.

    All arrays ``(n_examples,)``: ``user`` (row), ``target`` (item row), ``position``
    (index of the target in the user's time-ordered training history),
    ``timestamp`` (of the target), plus ``hist_ids``/``hist_mask`` ``(n_examples, n)``:
    the ``n`` items *strictly before* ``position``, most recent first.
    """

    user: np.ndarray
    target: np.ndarray
    position: np.ndarray
    timestamp: np.ndarray
    hist_ids: np.ndarray
    hist_mask: np.ndarray

    def __len__(self) -> int:
        return len(self.target)


def require_examples(model: str, examples: "NextItemExamples") -> None:
    """Raise :class:`~recall_core.errors.DataError` (one line) when there is no next-item example to train on."""
    from recall_core.errors import DataError

    if len(examples) == 0:
        raise DataError(f"{model}: no training examples: no user has two training interactions (a next-item "
                        "example needs a film before its target)")


def next_item_examples(train, history_len: int, max_per_user: int | None = None, seed: int = 0,
                       min_history: int = 1) -> NextItemExamples:
    """One example per training interaction with at least ``min_history`` earlier items.

    Only the history *before* each target enters its features (no future leakage).
    With ``max_per_user``, heavy users keep a random (seeded) subset of that many
    examples so they do not dominate the loss.
    """
    rng = np.random.default_rng(seed)
    users, positions = [], []
    for u, h in enumerate(train.histories()):
        pos = np.arange(min_history, len(h))
        if max_per_user is not None and len(pos) > max_per_user:
            pos = np.sort(rng.choice(pos, size=max_per_user, replace=False))
        users.append(np.full(len(pos), u, np.int64))
        positions.append(pos.astype(np.int64))
    user = np.concatenate(users) if users else np.zeros(0, np.int64)
    position = np.concatenate(positions) if positions else np.zeros(0, np.int64)
    off = train.user_offsets
    flat = off[user] + position
    target = train.item_idx[flat].astype(np.int64)
    hist_ids = np.zeros((len(user), history_len), np.int32)
    # Column j holds the item j+1 steps before the target, if it is still this user's.
    for j in range(history_len):
        src = flat - (j + 1)
        ok = src >= off[user]
        hist_ids[ok, j] = train.item_idx[src[ok]] + 1
    return NextItemExamples(user=user, target=target, position=position, timestamp=train.timestamp[flat],
                            hist_ids=hist_ids, hist_mask=(hist_ids > 0).astype(np.float32))


def user_batch(users: UserTable, user_rows: np.ndarray, hist_ids: np.ndarray, hist_mask: np.ndarray,
               use_user_id: bool = True) -> dict[str, np.ndarray]:
    """The user tower's input dict: one ``(B,)`` code per user field, ``hist_ids``/``hist_mask`` ``(B, N)``."""
    out = {k: v for k, v in users.batch(user_rows).items() if use_user_id or k != "user_id"}
    out["hist_ids"] = np.asarray(hist_ids, np.int32)
    out["hist_mask"] = np.asarray(hist_mask, np.float32)
    return out


def user_sizes(users: UserTable, use_user_id: bool = True) -> dict[str, int]:
    return {k: v for k, v in users.sizes.items() if use_user_id or k != "user_id"}
