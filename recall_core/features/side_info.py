"""Item side information for EGES (and the Airbnb model's "markets").

Fields (MovieLens):

* ``genres``: one *pooled* field. A film has several genres; its genre
  embedding is the mean of its genres' embeddings (a row-normalised multi-hot
  times the genre table). Decision: pooled rather than one field per genre,
  because with 18 per-genre fields most would be absent for any film, and the
  attention would then spread over empty fields; one pooled field keeps the
  attention row readable (id / genres / year / popularity). Films without a
  genre get the ``(no genre)`` token.
* ``year``: release-year bucket (``year_edges``; bucket 0 = unknown year).
* ``popularity``: bucket of the item's number of *training* interactions
  (``popularity_edges``, log-spaced; bucket 0 = never seen in training).

Other data (a generic folder, :mod:`recall_core.data.generic`): the fields follow the dataset's
declared columns (``train.schema``, :mod:`recall_core.data.schema`): ``item_id``, then ``genres``
(the pooled categories) if a category column was declared, ``year`` if a year was, one field per
declared categorical item field (its own name; code 0 = unknown value), then ``popularity``. On
MovieLens that is exactly :data:`FIELDS`, so nothing changes there.

Everything here is plain numpy so the app can embed a new item without TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recall_core.data.schema import Schema

NO_GENRE = "(no genre)"
#: An item field's code 0: the item has no value for it.
UNKNOWN_VALUE = "(unknown)"
#: The fields on MovieLens (and whenever categories and a year are declared, without other item fields).
FIELDS = ("item_id", "genres", "year", "popularity")
#: Fields that are behaviour, not content: a brand-new item has none of them.
BEHAVIOUR_FIELDS = ("item_id", "popularity")
#: bucket k >= 1 holds years in [edges[k-2], edges[k-1]); bucket 1 is before the first edge
DEFAULT_YEAR_EDGES = (1950, 1960, 1970, 1980, 1985, 1990, 1993, 1995, 1996, 1997, 1998)
#: bucket 0: 0 interactions; bucket k >= 1: counts in [edges[k-1], edges[k])
DEFAULT_POPULARITY_EDGES = (1, 3, 10, 30, 100, 300)


def year_buckets(years, edges=DEFAULT_YEAR_EDGES) -> np.ndarray:
    """``(n,)`` int64 year buckets: 0 for unknown (NaN/None), else ``1 + digitize(year, edges)``."""
    y = np.asarray([np.nan if v is None else v for v in np.atleast_1d(years)], dtype=np.float64)
    out = np.zeros(len(y), np.int64)
    ok = np.isfinite(y)
    out[ok] = 1 + np.digitize(y[ok], np.asarray(edges, np.float64))
    return out


def popularity_buckets(counts, edges=DEFAULT_POPULARITY_EDGES) -> np.ndarray:
    """``(n,)`` int64: ``digitize(count, edges)``; 0 interactions is bucket 0."""
    return np.digitize(np.asarray(counts, np.float64), np.asarray(edges, np.float64)).astype(np.int64)


def genre_weights(genre_lists, genre_names) -> np.ndarray:
    """``(n, len(genre_names))`` float32 row-normalised multi-hot (pooling weights).

    ``genre_names`` must contain :data:`NO_GENRE`, used for items without any
    known genre. Unknown genre names are ignored.
    """
    col = {g: j for j, g in enumerate(genre_names)}
    w = np.zeros((len(genre_lists), len(genre_names)), np.float32)
    for i, gs in enumerate(genre_lists):
        js = [col[g] for g in (gs or ()) if g in col and g != NO_GENRE]
        if not js:
            js = [col[NO_GENRE]]
        w[i, js] = 1.0
    return w / w.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class SideInfo:
    """Side-information indices of every catalogue item (rows = item vocabulary).

    * ``genre_names`` ``(n_genres,)`` str, the last is :data:`NO_GENRE`.
    * ``genre_weights`` ``(n_items, n_genres)`` float32, rows sum to 1.
    * ``year_bucket`` / ``popularity_bucket`` ``(n_items,)`` int64.
    * ``fields``: the EGES fields in attention order (``item_id`` first; see the module docstring).
    * ``item_fields``: the declared categorical item fields among them; ``item_field_codes[k]``
      ``(n_items,)`` int64 (0 = unknown value), ``item_field_values[k]`` ``(n_values + 1,)`` str, row 0
      :data:`UNKNOWN_VALUE`, then the values sorted.
    """

    genre_names: np.ndarray
    genre_weights: np.ndarray
    year_bucket: np.ndarray
    popularity_bucket: np.ndarray
    year_edges: np.ndarray
    popularity_edges: np.ndarray
    fields: tuple = FIELDS
    item_fields: tuple = ()
    item_field_codes: tuple = ()
    item_field_values: tuple = ()

    @property
    def content_fields(self) -> tuple[str, ...]:
        """The side fields a brand-new item has (all but the id and popularity), in attention order."""
        return tuple(f for f in self.fields if f not in BEHAVIOUR_FIELDS)

    def item_field_index(self, name: str) -> int:
        return self.item_fields.index(name)

    @property
    def n_genres(self) -> int:
        return len(self.genre_names)

    @property
    def n_year_buckets(self) -> int:
        return len(self.year_edges) + 2  # unknown + below first edge + one per edge

    @property
    def n_popularity_buckets(self) -> int:
        return len(self.popularity_edges) + 1

    def primary_genre(self) -> np.ndarray:
        """``(n_items,)`` int64 column of each item's primary genre (:func:`primary_genre_columns`);
        used as the Airbnb "market"."""
        return primary_genre_columns(self.genre_weights)


def primary_genre_columns(weights: np.ndarray) -> np.ndarray:
    """THE definition of an item's *primary genre*: its most specific genre. ``(n_items,)`` int64 columns.

    ``weights``: ``(n_items, n_genres)`` (:func:`genre_weights`; nonzero = the
    item has the genre). Most specific = the item's genre listed by the fewest
    items of the catalogue (all items, not training interactions): Toy Story
    (Animation, Children's, Comedy) -> Animation, not Comedy, the first listed
    genre. Ties go to the earlier column (alphabetical for a dataset's
    genres). An item without genres gets its :data:`NO_GENRE` column.
    """
    share = np.asarray(weights) > 0
    freq = share.sum(axis=0).astype(np.float64)
    cost = np.where(share, freq[None, :], np.inf)
    return np.argmin(cost, axis=1).astype(np.int64)


def primary_genres(data) -> np.ndarray:
    """``(n_items,)`` str: each item's primary genre name (:func:`primary_genre_columns`), or :data:`NO_GENRE`.

    ``data``: a :class:`~recall_core.data.Dataset` or its training split
    (anything with ``items["genres"]`` and ``genres``); both give the same
    answer, and the same as :meth:`SideInfo.primary_genre` used by EGES and
    Airbnb. Use this wherever a page says "primary genre" (map colours, tables).
    """
    names = np.asarray(list(data.genres) + [NO_GENRE], dtype=str)
    return names[primary_genre_columns(genre_weights(list(data.items["genres"]), names))]


def field_codes(values) -> tuple[np.ndarray, np.ndarray]:
    """A categorical column as ``(codes (n,) int64, values (K + 1,) str)``: code 0 (and ``values[0]``,
    :data:`UNKNOWN_VALUE`) for a missing or empty value, ``1..K`` for the distinct values sorted."""
    vals = ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in values]
    uniq = sorted({v for v in vals if v})
    index = {v: i + 1 for i, v in enumerate(uniq)}
    return (np.fromiter((index.get(v, 0) for v in vals), dtype=np.int64, count=len(vals)),
            np.asarray([UNKNOWN_VALUE, *uniq], dtype=str))


def side_fields(schema: Schema) -> tuple[str, ...]:
    """The EGES fields of a dataset with ``schema``, in attention order (see the module docstring)."""
    return ("item_id", *(("genres",) if schema.has_categories else ()), *(("year",) if schema.has_year else ()),
            *schema.item_fields, "popularity")


def side_info(train, year_edges=DEFAULT_YEAR_EDGES, popularity_edges=DEFAULT_POPULARITY_EDGES) -> SideInfo:
    """Side information of ``train``'s catalogue; popularity counts come from training interactions only.

    The fields follow ``train.schema`` (:func:`side_fields`); the genre (category) arrays are built
    whatever the schema, as the Airbnb model's markets need them.
    """
    names = np.asarray(list(train.genres) + [NO_GENRE], dtype=str)
    items = train.items
    schema = getattr(train, "schema", None) or Schema()
    codes, values = [], []
    for f in schema.item_fields:
        c, v = field_codes(items[f].tolist())
        codes.append(c)
        values.append(v)
    return SideInfo(
        genre_names=names,
        genre_weights=genre_weights(list(items["genres"]), names),
        year_bucket=year_buckets(items["year"].to_numpy(np.float64), year_edges),
        popularity_bucket=popularity_buckets(train.item_counts, popularity_edges),
        year_edges=np.asarray(year_edges, np.float64),
        popularity_edges=np.asarray(popularity_edges, np.float64),
        fields=side_fields(schema),
        item_fields=tuple(schema.item_fields),
        item_field_codes=tuple(codes),
        item_field_values=tuple(values),
    )
