"""EGES: Enhanced Graph Embedding with Side information (Wang et al., KDD 2018), on MovieLens.

Method, step by step (``fit``):

1. **Sessions.** Each user's time-ordered training history is cut at gaps
   longer than ``session_gap_seconds`` (one hour, as in the paper).
2. **Session graph.** Directed edge ``i -> j`` for each consecutive pair in a
   session, weighted by how often the transition occurs over all users
   (:mod:`recall_core.features.graph`).
3. **Weighted random walks.** ``walks_per_node`` walks of ``walk_length``
   from every node; the next step is drawn with probability
   ``M_ij / sum_j M_ij`` (vectorised, seeded ``np.random.Generator``). On a
   sparse graph (fewer than ``walks_full_density`` session transitions per
   node) fewer walks start at each node (:func:`walks_per_node_for`), so the
   walk corpus, and the training's cost, follows the transitions, not the
   catalogue; ``info["walks"]`` records the number used.
4. **Side information** (:mod:`recall_core.features.side_info`): the item id
   plus three fields: pooled genres, release-year bucket, popularity bucket.
   On other data the fields follow the declared columns (``train.schema``):
   pooled categories and year where declared, one field per declared
   categorical item field, then popularity (``attention_fields`` lists them).
5. **Item-specific attention.** ``A`` ``(n_items, 4)``; the item's vector is
   ``H_v = sum_j softmax(A_v)_j W^j_v``. Context vectors ``Z`` ``(n_items, d)``.
   Skip-gram pairs from the walks (``window``), ``negative`` sampled
   negatives per pair, sigmoid cross-entropy; Keras 3 on TensorFlow, Adam.

Export:

* ``item_vectors`` = ``H_v``, I2I by cosine.
* U2I (documented scoring): user vector = mean of ``H_v`` over the user's
  last ``user_last_n`` known training items, scored against the context
  vectors ``Z`` with the inner product (``candidate_vectors``): the skip-gram's
  own "j co-occurs with these items" score (``user_last_n`` is chosen on
  validation: :class:`EGESConfig`).
* Items never reached by a walk (no training transitions) have an untrained
  ``H`` and ``Z``: they are marked ``item_known=False`` (ranked last, never
  neighbours) and their ``item_vectors`` row holds the cold-start vector
  instead, so the app still shows where side information would put them.
  Decision: we do not mark them known, because their ``Z`` row (the U2I
  candidate) is untrained and would score about 0, above every negative score.
  Training drops the last partial batch of each epoch (one compiled shape); the
  pairs are reshuffled every epoch, so no pair is dropped for good.
* ``extras``: ``attention`` ``(n_items, 4)`` (rows sum to 1) with
  ``attention_fields``; ``cold_start_vectors`` ``(n_items, d)`` = mean of the
  item's genre and year embeddings (side information a brand-new film has;
  popularity is behaviour, so it is left out), weighted by the fields' mean
  learned attention (``cold_start_field_weights`` ``(3,)`` for genres, year,
  popularity: a plain mean let a year bucket shared by unrelated films pull
  as hard as the genres); and the side tables
  (``genre_embeddings``/``genre_names``, ``year_embeddings``/``year_edges``,
  ``popularity_embeddings``/``popularity_edges``) that
  :func:`cold_start_vector` needs to embed a new item without TensorFlow;
  ``id_embeddings`` ``(n_items, d)`` (the id field's table, so ``H_v`` can be
  recomposed from the store: :func:`recall_core.analysis.mechanisms.attention_breakdown`).
* Exposure (``extras``, ``(n_items,)`` int64): an item's attention row gets a
  gradient only in batches where the item is a walk centre, so how far its
  weights moved from the uniform start depends on how often it was updated.
  ``centre_counts``: the number of (centre, context) examples with the item as
  centre, per epoch (the same every epoch: the pairs are fixed, only their
  order is shuffled); each is one gradient term on the row per epoch.
  ``centre_steps``: the number of optimiser steps, over all epochs, whose
  batch held the item as a centre (steps where its row's gradient is nonzero;
  Adam's momentum keeps moving the row for a while after each). ``info
  ["exposure"]`` summarises both. Items with ``centre_counts == 0`` are exactly
  the untrained ones (``item_known`` False).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from recall_core.features.graph import session_graph, skipgram_pairs, weighted_walks
from recall_core.features.sampling import ExactChoice
from recall_core.features.sessions import sessions_of
from recall_core.features.side_info import (
    BEHAVIOUR_FIELDS, DEFAULT_POPULARITY_EDGES, DEFAULT_YEAR_EDGES, FIELDS, SideInfo, genre_weights,
    popularity_buckets, side_info, year_buckets,
)
from recall_core.models.base import (
    ModelConfig, RecallModel, RecallOutput, no_progress, recent_mean, register,
)
from recall_core.tuning.space import Choice, Float, Int


@dataclass
class EGESConfig(ModelConfig):
    """EGES settings.

    ``session_gap_seconds``: session cut (paper: one hour). ``walks_per_node``,
    ``walk_length``, ``window``: the walk corpus and skip-gram window.
    ``negative``: sampled negatives per pair, drawn from walk frequency **
    ``ns_exponent`` (0 = uniform over graph nodes). ``user_last_n``: how many
    recent training items form the user vector, chosen on validation (make
    ablations, row "user vector: last n films": validation HR@10 for n = 1 / 3
    / 5 is 0.1676 / 0.1782 / 0.1803 on ML-100K and 0.2016 / 0.2115 / 0.1836 on
    the long-tail shape, so 3 holds up on both).
    ``popularity_field``: the popularity bucket is one of the side fields
    (False: its attention weight is held at 0, so H mixes id, genres and year).
    ``cold_start``: how a film with no interactions is embedded from its genres
    and year: ``"attention"`` (weighted by the fields' mean learned attention)
    or ``"mean"`` (the tutorial's plain mean of the side-information vectors).
    ``attention``: how ``H_v`` mixes the field embeddings: ``"learned"`` (EGES,
    item-specific attention logits trained with the rest) or ``"mean"`` (GES:
    the logits are frozen at 0, so ``H_v`` is the plain mean of the active
    fields; with ``popularity_field=False`` that is id, genres and year, 1/3
    each).
    ``walks_full_density``: session transitions per graph node from which
    every node starts all ``walks_per_node`` walks; a sparser graph starts
    proportionally fewer (:func:`walks_per_node_for`; 0 = always
    ``walks_per_node``). Chosen on validation (BENCHMARKS.md, "EGES's cost on a
    sparse catalogue"): 20 keeps ML-100K (57 transitions per node) at all 10
    walks, bit for bit, and gives the 9.7k-film synth-10k shape (8.6 per node)
    4 walks per node. Not in the search space: it sets the cost, like
    ``batch_size``; a tuned ``walks_per_node`` is scaled by the same factor.
    """

    embedding_dim: int = 64
    epochs: int = 6
    session_gap_seconds: float = 3600.0
    walks_per_node: int = 10
    walk_length: int = 10
    window: int = 3
    negative: int = 5
    ns_exponent: float = 0.0
    batch_size: int = 4096  # training seconds: BENCHMARKS.md
    learning_rate: float = 0.02
    user_last_n: int = 3
    jit_compile: bool = True  # XLA-compiled train step: several times faster on CPU
    popularity_field: bool = True
    cold_start: Literal["attention", "mean"] = "attention"
    attention: Literal["learned", "mean"] = "learned"
    year_edges: tuple = DEFAULT_YEAR_EDGES
    popularity_edges: tuple = DEFAULT_POPULARITY_EDGES
    walks_full_density: float = 20.0  # transitions per node; BENCHMARKS.md "EGES's cost on a sparse catalogue"

    def check(self) -> None:
        super().check()
        self.require("walks_per_node", self.walks_per_node >= 1, "at least 1")
        self.require("walks_full_density", self.walks_full_density >= 0, "at least 0 (0: no scaling)")


def walks_per_node_for(walks_per_node: int, transitions_per_node: float, full_density: float) -> int:
    """The walks started at each node: ``walks_per_node`` where the session graph has at least ``full_density``
    transitions (summed edge weights) per node, or when ``full_density`` is 0; on a sparser graph
    ``walks_per_node * transitions_per_node / full_density``, rounded half up, at least 1.

    Why: walks start at every node, so with a fixed count the skip-gram pairs grow with the catalogue, not
    with the data (ML-100K: 1,676 nodes, 0.8M pairs per epoch; the 9.7k-film synth-10k shape, from as many
    ratings: 9,417 nodes, 4.3M pairs). Below ``full_density`` the number of walks follows the transitions
    instead: ``n_walks ~ walks_per_node * transitions / full_density``.
    """
    if full_density <= 0 or transitions_per_node >= full_density:
        return int(walks_per_node)
    return max(1, int(np.floor(walks_per_node * transitions_per_node / full_density + 0.5)))


def softmax_rows(a: np.ndarray) -> np.ndarray:
    """Row softmax, ``(n, f)`` -> ``(n, f)`` float32 (rows sum to 1)."""
    a = np.asarray(a, np.float64)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def field_table_key(side: SideInfo, name: str) -> str:
    """The ``tables`` key of field ``name``: ``id``, ``genre``, ``year``, ``popularity`` or ``field<k>``
    (the k-th declared item field)."""
    fixed = {"item_id": "id", "genres": "genre", "year": "year", "popularity": "popularity"}
    return fixed[name] if name in fixed else f"field{side.item_field_index(name)}"


def field_vector(tables: dict[str, np.ndarray], side: SideInfo, name: str, items=slice(None)) -> np.ndarray:
    """``(n, d)``: field ``name``'s embedding of ``items`` (all by default): the id's, the pooled genres', the
    year bucket's, the popularity bucket's or a declared item field's value."""
    if name == "item_id":
        return tables["id"][items]
    if name == "genres":
        return side.genre_weights[items] @ tables["genre"]
    if name == "year":
        return tables["year"][side.year_bucket[items]]
    if name == "popularity":
        return tables["popularity"][side.popularity_bucket[items]]
    k = side.item_field_index(name)
    return tables[f"field{k}"][side.item_field_codes[k][items]]


def field_vectors(tables: dict[str, np.ndarray], side: SideInfo) -> np.ndarray:
    """``(n_items, n_fields, d)``: each item's embedding per field of ``side.fields`` (MovieLens: id,
    pooled genres, year, popularity)."""
    return np.stack([field_vector(tables, side, f) for f in side.fields], axis=1).astype(np.float32)


def eges_item_vectors(tables: dict[str, np.ndarray], side: SideInfo) -> tuple[np.ndarray, np.ndarray]:
    """Numpy ``H_v``: returns ``(H (n_items, d), attention (n_items, n_fields))``; the TF model must agree."""
    att = softmax_rows(tables["attention"])
    return np.einsum("nf,nfd->nd", att, field_vectors(tables, side)).astype(np.float32), att


def _extras_of(source) -> dict:
    extras = getattr(source, "extras", source)
    return getattr(extras, "extras", extras)  # a StoredModel's output, an output or a dict


def cold_start_vector(source, genres=(), year=None, n_ratings: int | None = None,
                      fields: dict | None = None) -> np.ndarray:
    """Embed a new item from side information alone (numpy only, no TensorFlow).

    ``source``: an EGES :class:`RecallOutput` (or its ``extras`` dict).
    ``genres``: iterable of genre (category) names (unknown names are ignored; none known
    -> the ``(no genre)`` token). ``year``: release year or ``None``.
    ``fields``: ``{item field: value}`` for a model trained on declared item fields
    (a missing or unknown value takes the field's "unknown" row).
    ``n_ratings``: optional interaction count; if given, the popularity
    bucket's embedding joins the mean. The mean is weighted by
    ``cold_start_field_weights`` (see :func:`cold_start_weights`). Returns
    ``(d,)`` float32 in the space of ``item_vectors`` (search it with cosine).
    """
    ex = _extras_of(source)
    side_fields = [str(f) for f in np.asarray(ex.get("attention_fields", FIELDS)).tolist()][1:]
    needed = ["cold_start_field_weights"]
    if "genres" in side_fields:
        needed += ["genre_embeddings", "genre_names"]
    if "year" in side_fields:
        needed += ["year_embeddings", "year_edges"]
    item_fields = [str(f) for f in np.asarray(ex.get("item_field_names", [])).tolist()]
    for k, f in enumerate(item_fields):
        needed += [f"item_field_values_{k}", f"item_field_embeddings_{k}"]
    missing = [k for k in needed if k not in ex]
    if missing:
        raise ValueError(f"not an EGES output: extras lack {missing}")
    w = np.asarray(ex["cold_start_field_weights"], np.float64)  # one per side field (MovieLens: genres, year, popularity)
    parts, weights = [], []
    for j, f in enumerate(side_fields):
        if f == "genres":
            names = np.asarray(ex["genre_names"]).astype(str)
            parts.append(genre_weights([tuple(genres) if genres is not None else ()], names)[0] @ ex["genre_embeddings"])
        elif f == "year":
            parts.append(ex["year_embeddings"][year_buckets([year], ex["year_edges"])[0]])
        elif f == "popularity":
            if n_ratings is None:
                continue
            parts.append(ex["popularity_embeddings"][popularity_buckets([n_ratings], ex["popularity_edges"])[0]])
        else:
            k = item_fields.index(f)
            values = [str(v) for v in np.asarray(ex[f"item_field_values_{k}"]).tolist()]
            value = (fields or {}).get(f)
            row = values.index(str(value).strip()) if value is not None and str(value).strip() in values[1:] else 0
            parts.append(ex[f"item_field_embeddings_{k}"][row])
        weights.append(w[j])
    weights = np.asarray(weights) / np.sum(weights)
    return np.einsum("f,fd->d", weights, np.asarray(parts)).astype(np.float32)


def cold_start_weights(attention: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``(n_fields - 1,)``: the side fields' (MovieLens: genres, year, popularity) mean attention over trained
    items, summing to 1.

    Why weighted: a plain mean lets a field the model learned to ignore (a
    year bucket shared by many unrelated films) pull the vector as hard as the
    genres; the learned attention says how much each field is worth.
    """
    a = attention[known][:, 1:].mean(axis=0) if known.any() else np.ones(attention.shape[1] - 1)
    return (a / a.sum()).astype(np.float32)


def mean_cold_start_weights(fields) -> np.ndarray:
    """``(n_fields - 1,)`` float32: the tutorial's plain mean, an equal share for each content field (MovieLens:
    ``[0.5, 0.5, 0.0]`` for genres, year, popularity)."""
    content = np.asarray([f not in BEHAVIOUR_FIELDS for f in list(fields)[1:]], bool)
    return np.where(content, 1.0 / max(int(content.sum()), 1), 0.0).astype(np.float32)


def cold_start_vectors(tables: dict[str, np.ndarray], side: SideInfo, weights: np.ndarray) -> np.ndarray:
    """``(n_items, d)``: each item's content-field embeddings (MovieLens: genres and year), mixed by their
    ``weights`` (one per side field, in ``side.fields[1:]`` order; renormalised over the content fields).
    Zeros when the data declares no content field (nothing to embed a new item from)."""
    content = [j for j, f in enumerate(side.fields[1:]) if f not in BEHAVIOUR_FIELDS]
    if not content:
        return np.zeros_like(tables["id"], dtype=np.float32)
    chosen = np.asarray(weights)[content]  # summed in its own dtype, as it always was (bit-identical vectors)
    w = np.asarray(chosen, np.float64) / np.sum(chosen)
    out = None
    for wj, j in zip(w, content):
        term = wj * field_vector(tables, side, side.fields[1 + j])
        out = term if out is None else out + term
    return out.astype(np.float32)


def side_field_extras(tables: dict[str, np.ndarray], side: SideInfo) -> dict[str, np.ndarray]:
    """The declared item fields' tables for the store: ``item_field_names`` ``(k,)``, and per field ``k``
    ``item_field_values_<k>`` ``(n_values + 1,)`` str (row 0 unknown) and ``item_field_embeddings_<k>``
    ``(n_values + 1, d)``. Empty on MovieLens."""
    if not side.item_fields:
        return {}
    out = {"item_field_names": np.asarray(side.item_fields, dtype=str)}
    for k, values in enumerate(side.item_field_values):
        out[f"item_field_values_{k}"] = np.asarray(values, dtype=str)
        out[f"item_field_embeddings_{k}"] = tables[f"field{k}"]
    return out


def side_field_sources(schema) -> list[dict]:
    """``[{"field", "source"}]``: each EGES side field and the column it came from (the How page shows them)."""
    from recall_core.features.side_info import side_fields

    src = {e["name"]: e["source"] for e in schema.side_information() if e["what"] != "user_field"}
    return [{"field": f, "source": src.get(f, "training interactions" if f == "popularity" else f)}
            for f in side_fields(schema)[1:]]


def _exposure_summary(centre_counts: np.ndarray, centre_steps: np.ndarray, known: np.ndarray, steps: int) -> dict:
    """JSON facts on how often trained items' attention rows were updated (see ``extras["centre_counts"]``)."""
    def stats(a):
        a = a[known]
        return {"min": int(a.min()), "median": float(np.median(a)), "max": int(a.max())} if len(a) else {}

    return {
        "centre_counts": "(centre, context) examples per epoch with the item as centre (extras centre_counts)",
        "centre_steps": "optimiser steps, all epochs, whose batch held the item as a centre (extras centre_steps)",
        "steps": int(steps), "centre_counts_trained": stats(centre_counts), "centre_steps_trained": stats(centre_steps),
    }


def attention_mask(popularity_field: bool, fields=FIELDS) -> np.ndarray:
    """``(n_fields,)`` float32 added to the attention logits: ``-1e9`` switches a field off (weight 0)."""
    return np.array([-1e9 if (f == "popularity" and not popularity_field) else 0.0 for f in fields], np.float32)


def _build_network(n_items: int, side: SideInfo, dim: int, seed: int, mask: np.ndarray,
                   learn_attention: bool = True):
    import keras
    import tensorflow as tf

    init = lambda k: keras.initializers.RandomUniform(-0.5 / dim, 0.5 / dim, seed=seed + k)  # noqa: E731

    class EGESNet(keras.Model):
        """``call({"center": (B,), "context": (B, 1+K)})`` -> logits ``(B, 1+K)`` = ``H_center . Z_context``."""

        def __init__(self):
            super().__init__()
            self.id_emb = keras.layers.Embedding(n_items, dim, embeddings_initializer=init(1), name="id")
            # Only the fields the data declares get a table (MovieLens: all four, as always).
            self.genre_emb = (keras.layers.Embedding(side.n_genres, dim, embeddings_initializer=init(2), name="genre")
                              if "genres" in side.fields else None)
            self.year_emb = (keras.layers.Embedding(side.n_year_buckets, dim, embeddings_initializer=init(3),
                                                    name="year") if "year" in side.fields else None)
            self.pop_emb = keras.layers.Embedding(side.n_popularity_buckets, dim, embeddings_initializer=init(4),
                                                  name="popularity")
            # Zero attention logits: every field starts with weight 1/n_fields.
            self.attention = keras.layers.Embedding(n_items, len(side.fields), embeddings_initializer="zeros",
                                                    name="attention")
            # word2vec initialises context vectors at 0; a tiny random start breaks ties between items.
            self.ctx_emb = keras.layers.Embedding(n_items, dim, embeddings_initializer=init(5), name="context")
            # Declared item fields: one table each, row 0 = unknown value (seeds after the fixed ones).
            self.field_embs = [keras.layers.Embedding(len(values), dim, embeddings_initializer=init(6 + k),
                                                      name=f"field{k}")
                               for k, values in enumerate(side.item_field_values)]
            for layer in (self.id_emb, self.genre_emb, self.year_emb, self.pop_emb, self.attention, self.ctx_emb,
                          *self.field_embs):
                if layer is not None:
                    layer.build((None,))
            # GES: the logits stay at 0, so every active field keeps an equal weight.
            if not learn_attention:
                self.attention.trainable = False
            self.genre_w = tf.constant(side.genre_weights, tf.float32)
            self.year_b = tf.constant(side.year_bucket, tf.int64)
            self.pop_b = tf.constant(side.popularity_bucket, tf.int64)
            self.field_c = [tf.constant(c, tf.int64) for c in side.item_field_codes]
            self.mask = tf.constant(mask, tf.float32)
            self.side_fields = tuple(side.fields)
            self.item_fields = tuple(side.item_fields)

        def field(self, name, items):
            if name == "item_id":
                return self.id_emb(items)
            if name == "genres":
                return tf.matmul(tf.gather(self.genre_w, items), self.genre_emb.embeddings)
            if name == "year":
                return self.year_emb(tf.gather(self.year_b, items))
            if name == "popularity":
                return self.pop_emb(tf.gather(self.pop_b, items))
            k = self.item_fields.index(name)
            return self.field_embs[k](tf.gather(self.field_c[k], items))

        def item_vectors(self, items):
            fields = tf.stack([self.field(f, items) for f in self.side_fields], axis=1)  # (B, n_fields, d)
            att = tf.nn.softmax(self.attention(items) + self.mask, axis=-1)  # (B, n_fields)
            return tf.reduce_sum(att[:, :, None] * fields, axis=1)

        def call(self, inputs):
            h = self.item_vectors(inputs["center"])  # (B, d)
            z = self.ctx_emb(inputs["context"])  # (B, 1+K, d)
            return tf.einsum("bd,bkd->bk", h, z)

    net = EGESNet()
    net({"center": np.zeros(1, np.int64), "context": np.zeros((1, 2), np.int64)})
    return net


#: cells of the (batches, items) count table :func:`_batches_holding` builds at a time (32 MB of int64)
_CHUNK_CELLS = 4_000_000


def _batches_holding(centres: np.ndarray, batch: int, n_batches: int, n_items: int) -> np.ndarray:
    """``(n_items,)`` int64: in how many of the ``n_batches`` consecutive batches of ``batch`` rows of ``centres``
    each item appears (at least once), without a loop over the batches."""
    out = np.zeros(n_items, np.int64)
    step = max(1, _CHUNK_CELLS // max(n_items, 1))  # batches per chunk: a (chunk, item) count table
    for b0 in range(0, n_batches, step):
        k = min(step, n_batches - b0)
        key = np.repeat(np.arange(k, dtype=np.int64), batch) * n_items + centres[b0 * batch:(b0 + k) * batch]
        out += (np.bincount(key, minlength=k * n_items).reshape(k, n_items) > 0).sum(axis=0)
    return out


def _tables_of(net) -> dict[str, np.ndarray]:
    """``id``, ``genre`` and ``year`` (where declared), ``popularity``, ``attention``, ``context`` and ``field<k>``."""
    out = {"id": net.id_emb.embeddings.numpy()}
    if net.genre_emb is not None:
        out["genre"] = net.genre_emb.embeddings.numpy()
    if net.year_emb is not None:
        out["year"] = net.year_emb.embeddings.numpy()
    out.update({"popularity": net.pop_emb.embeddings.numpy(), "attention": net.attention.embeddings.numpy(),
                "context": net.ctx_emb.embeddings.numpy()})
    for k, layer in enumerate(net.field_embs):
        out[f"field{k}"] = layer.embeddings.numpy()
    return out


@register
class EGES(RecallModel):
    """EGES: weighted walks on the session graph + side information with item-specific attention."""

    name = "eges"
    lane = "tensorflow"  # Keras on TensorFlow (recall_core.training.lanes)
    order = 20
    color = "#E69F00"
    i2i = True
    map_rank = 1
    view_notes = {
        "similar": "Cosine between the films' H vectors (attention-weighted sums of id and side-information "
                   "embeddings); not the trained score (H · Z), but the space cold-start films are embedded in.",
        "cooccur": "H · Z (ip): the trained skip-gram score of a walk centre against a context; walks follow "
                   "directed session edges but the window takes contexts on both sides, so it means "
                   "'co-occurs with on a walk', not 'comes next'.",
        "user": "Mean H of the user's last {user_last_n} known films · context vectors Z (ip).",
    }
    variant_notes = {
        "cold_start": {"attention": "cold start weighted by the learned attention (the tutorial: a plain mean)",
                       "mean": "cold start as the plain mean of side information, as in the tutorial"},
        "attention": {"learned": "item-specific attention over the fields (EGES)",
                      "mean": "fields mixed by a plain mean, attention frozen (GES, the paper's baseline)"},
        "popularity_field": {True: "popularity bucket as a side field (not in the tutorial)",
                             False: "side fields genres and year only"},
    }
    description = ("Session graph, weighted random walks, skip-gram over id + genre/year/popularity embeddings "
                   "mixed by item-specific attention (Keras); cold-start vectors from side information.")
    Config = EGESConfig
    # walks per node and epochs set its cost on a catalogue (issue 22 reads them from tuned models)
    search_space = {
        "epochs": Int(2, 12), "embedding_dim": Choice(32, 64, 128), "walks_per_node": Int(4, 20),
        "walk_length": Int(5, 20), "window": Int(1, 5), "negative": Int(2, 10), "ns_exponent": Float(0.0, 1.0),
        "learning_rate": Float(0.003, 0.1, log=True), "user_last_n": Int(1, 10),
    }

    def fit(self, train, progress=no_progress, on_epoch=None):
        from recall_core.models._tf import runtime

        c = self.config
        t_start = time.perf_counter()
        rng = np.random.default_rng(c.seed)
        keras, tf = runtime.start(c.seed)

        sessions = sessions_of(train, c.session_gap_seconds)
        graph = session_graph(sessions, train.n_items)
        density = graph.total_weight / max(graph.n_nodes, 1)  # session transitions per node
        walks_per_node = walks_per_node_for(c.walks_per_node, density, c.walks_full_density)
        walks = weighted_walks(graph, walks_per_node, c.walk_length, rng)
        centers, contexts = skipgram_pairs(walks, c.window)
        n_items = train.n_items
        centre_counts = np.bincount(centers, minlength=n_items).astype(np.int64)
        freq = centre_counts.astype(np.float64)
        known = freq > 0
        if not known.any():
            raise ValueError("eges: the session graph has no edges (every session has a single item?)")
        neg_p = np.where(known, np.power(np.maximum(freq, 1.0), c.ns_exponent), 0.0)
        neg_p /= neg_p.sum()
        walk_seconds = time.perf_counter() - t_start
        progress(0.05, f"eges: graph {graph.n_nodes} nodes / {graph.n_edges} edges, {len(centers):,} pairs")

        side = side_info(train, c.year_edges, c.popularity_edges)
        fields = side.fields
        net = _build_network(n_items, side, c.embedding_dim, c.seed, attention_mask(c.popularity_field, fields),
                             learn_attention=c.attention == "learned")
        opt = keras.optimizers.Adam(learning_rate=c.learning_rate)
        # Adam's slots made here, not inside the first call: a tf.function that creates variables is traced
        # twice (once to make them, once to run), and a trace is most of a short fit's fixed cost.
        opt.build(net.trainable_variables)
        labels = np.zeros((1, 1 + c.negative), np.float32)
        labels[0, 0] = 1.0

        @tf.function(jit_compile=c.jit_compile, autograph=False)
        def step(center, context):
            with tf.GradientTape() as tape:
                logits = net({"center": center, "context": context})
                y = tf.broadcast_to(tf.constant(labels), tf.shape(logits))
                loss = tf.reduce_mean(tf.reduce_sum(
                    tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=logits), axis=1))
            grads = tape.gradient(loss, net.trainable_variables)
            opt.apply_gradients(zip(grads, net.trainable_variables))
            return loss

        losses = []
        n_pairs = len(centers)
        bs = min(c.batch_size, n_pairs)
        # Steps in which each item's attention row gets a nonzero gradient (it is a centre in the batch).
        centre_steps = np.zeros(n_items, np.int64)
        starts = range(0, max(n_pairs - bs + 1, 1), bs)
        histories = train.histories()

        def export():
            """``(output, tables)``: the model as it is after the last epoch trained."""
            tables = _tables_of(net)
            tables["attention"] = tables["attention"] + attention_mask(c.popularity_field, fields)  # the logits H came from
            h, att = eges_item_vectors(tables, side)
            cs_weights = (cold_start_weights(att, known) if c.cold_start == "attention"
                          else mean_cold_start_weights(fields))
            cold = cold_start_vectors(tables, side, cs_weights)
            item_vectors = np.where(known[:, None], h, cold)
            return RecallOutput(
                item_ids=train.item_vocab.ids, item_vectors=item_vectors, metric="cosine", item_known=known,
                user_ids=train.user_vocab.ids, user_vectors=recent_mean(h, histories, c.user_last_n, known),
                candidate_vectors=tables["context"], u2i_metric="ip", pair_query_vectors=item_vectors,
                extras={
                    "attention": att, "attention_fields": np.asarray(fields, dtype=str),
                    "cold_start_vectors": cold, "cold_start_field_weights": cs_weights,
                    **({"genre_embeddings": tables["genre"], "genre_names": side.genre_names}
                       if "genre" in tables else {}),
                    **({"year_embeddings": tables["year"], "year_edges": side.year_edges} if "year" in tables else {}),
                    "popularity_embeddings": tables["popularity"], "popularity_edges": side.popularity_edges,
                    **side_field_extras(tables, side),
                    "centre_counts": centre_counts, "centre_steps": centre_steps.copy(),
                    "id_embeddings": tables["id"],  # W^0: lets H_v = sum_j a_j W^j be recomposed from the store
                },
                info={
                    "graph": {**graph.summary(), "session_gap_seconds": c.session_gap_seconds,
                              "sessions": sessions.n_sessions},
                    "walks": {"walks_per_node": c.walks_per_node, "walks_per_node_used": walks_per_node,
                              "transitions_per_node": round(float(density), 3),
                              "walks_full_density": c.walks_full_density,
                              "walk_length": c.walk_length, "window": c.window,
                              "n_walks": int(len(walks)), "pairs": int(n_pairs), "negative": c.negative,
                              "seconds": round(walk_seconds, 2)},
                    "attention_fields": list(fields),
                    "mean_attention": dict(zip(fields, att[known].mean(axis=0).round(4).tolist())),
                    "side_fields": side_field_sources(train.schema),
                    "epoch_loss": list(losses),
                    "trained_items": int(known.sum()),
                    "exposure": _exposure_summary(centre_counts, centre_steps, known, len(losses) * len(starts)),
                    "user_scoring": f"mean of H over the last {c.user_last_n} known items . context vectors Z (ip)",
                },
            ), tables

        # rng.choice(n_items, size, p=neg_p), drawn exactly (the same negatives, the same generator state) in
        # O(1) per draw instead of a binary search: half of the host's time per epoch on a 9.7k-film catalogue
        negatives = ExactChoice(neg_p)
        for epoch in range(c.epochs):
            order = rng.permutation(n_pairs)
            negs = negatives.draw(rng, (n_pairs, c.negative))
            ctx = np.concatenate([contexts[order][:, None], negs], axis=1)
            cen = centers[order]
            total, n_batches = 0.0, 0
            centre_steps += _batches_holding(cen, bs, len(starts), n_items)
            # Full batches only (one compiled shape); the few dropped pairs differ every epoch.
            for s in starts:
                total += float(step(cen[s:s + bs], ctx[s:s + bs]))
                n_batches += 1
            losses.append(total / max(n_batches, 1))
            progress(0.05 + 0.9 * (epoch + 1) / c.epochs, f"eges: epoch {epoch + 1}/{c.epochs} loss {losses[-1]:.4f}")
            if on_epoch is not None and on_epoch(epoch + 1, lambda: export()[0]):
                break

        self._output, self._tables = export()
        self._net, self._side = net, side
        return self

