"""The mechanisms of the skip-gram models, computed on the training split (the "How it works" page).

Each function rebuilds one step of a model's training from the stored model's
own settings (its manifest's ``config``, read through :func:`stored_config`)
and the model's own code: item2vec's sentences, EGES's session graph and
weighted walks (:mod:`recall_core.features.graph`), Airbnb's sessions,
bookings, pairs and market sampler (:mod:`recall_core.models.airbnb`).
Nothing here imports streamlit or TensorFlow.

Items are rows of the training vocabulary (``item_idx``, int64) unless a
name says ``_id``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from recall_core.errors import ConfigError, UnknownIdError
from recall_core.features.graph import PAD, SessionGraph, session_graph, weighted_walks
from recall_core.features.sessions import Sessions, sessions_of
from recall_core.features.side_info import side_info


def stored_config(manifest: dict):
    """The model's full config (a :class:`~recall_core.models.base.ModelConfig`) from a manifest.

    Fields the manifest does not record take the class's documented default
    (an older manifest, or a stand-in). Raises :class:`ConfigError` for an
    unknown model class or a bad field.
    """
    from recall_core.models.base import find_model_class

    cls = find_model_class(manifest.get("model_class") or manifest.get("model"))
    if cls is None:
        raise ConfigError(f"manifest of {manifest.get('model')!r}: unknown model class {manifest.get('model_class')!r}")
    return cls.Config.from_dict(dict(manifest.get("config") or {}))


def _check_item(train, item: int) -> int:
    item = int(item)
    if not 0 <= item < train.n_items:
        raise UnknownIdError(f"item row {item} is outside the catalogue (0..{train.n_items - 1})")
    return item


# --------------------------------------------------------------------------- item2vec


def set_chunk_sizes(length: int, chunk: int) -> list[int]:
    """Sizes of the chunks a shuffled history of ``length`` films is cut into (item2vec's set view)."""
    return [min(chunk, length - i) for i in range(0, length, chunk)]


def item2vec_pairs(train, item: int, context: str, window: int, set_chunk: int = 50) -> pd.DataFrame:
    """The (centre, context) pairs that ``item`` as centre produces in one epoch of item2vec.

    ``context="sequence"``: each history in time order; a context is a film at
    distance ``1..window`` on either side. gensim shrinks the window at random
    for every centre (``shrink_windows``: an effective window drawn uniformly
    from ``1..window``), so a context at distance ``d`` is used with
    probability ``(window - d + 1) / window``. ``context="set"``: every other
    film of the history is context; a history longer than ``set_chunk`` is
    shuffled and cut into chunks each epoch, so a pair is used with probability
    ``sum s(s-1) / (L(L-1))`` over the chunk sizes ``s``.

    Returns one row per context film, sorted by ``expected`` then ``pairs``:
    ``item_idx`` (int64), ``pairs`` (int: pairs under the full window or the
    whole set, over all users), ``users`` (int: histories that produce them),
    ``expected`` (float: the pairs one epoch uses on average).
    """
    item = _check_item(train, item)
    if context not in ("sequence", "set"):
        raise ConfigError(f"item2vec context must be 'sequence' or 'set', got {context!r}")
    rows, weights, users = [], [], []
    for u, h in enumerate(train.histories()):
        where = np.flatnonzero(h == item)
        if not len(where):
            continue
        for p in where:
            if context == "sequence":
                lo, hi = max(0, p - window), min(len(h), p + window + 1)
                pos = np.array([q for q in range(lo, hi) if q != p], np.int64)
                w = (window - np.abs(pos - p) + 1) / window
            else:
                pos = np.array([q for q in range(len(h)) if q != p], np.int64)
                sizes = set_chunk_sizes(len(h), set_chunk)
                prob = sum(s * (s - 1) for s in sizes) / (len(h) * (len(h) - 1)) if len(h) > 1 else 0.0
                w = np.full(len(pos), prob)
            keep = h[pos] != item
            rows.append(h[pos][keep])
            weights.append(w[keep])
            users.append(np.full(int(keep.sum()), u))
    if not rows:
        return pd.DataFrame({"item_idx": pd.Series([], dtype=np.int64), "pairs": pd.Series([], dtype=np.int64),
                             "users": pd.Series([], dtype=np.int64), "expected": pd.Series([], dtype=float)})
    df = pd.DataFrame({"item_idx": np.concatenate(rows), "w": np.concatenate(weights), "u": np.concatenate(users)})
    out = df.groupby("item_idx").agg(pairs=("w", "size"), users=("u", "nunique"), expected=("w", "sum")).reset_index()
    return out.sort_values(["expected", "pairs", "item_idx"], ascending=[False, False, True], ignore_index=True)


def item2vec_sentence(train, item: int, window: int, user: int | None = None) -> dict:
    """One user's history as a "sentence" with ``item`` as centre.

    ``user``: a user row whose history holds ``item``; default: the user with
    the longest such history. Returns ``{"user": int, "history": (L,) int64,
    "position": int, "window": (lo, hi)}`` where ``history[lo:hi]`` is the
    centre's full window (both sides, the centre included). Raises
    :class:`UnknownIdError` when no history holds the item.
    """
    item = _check_item(train, item)
    hs = train.histories()
    holders = [u for u, h in enumerate(hs) if (h == item).any()]
    if not holders:
        raise UnknownIdError(f"item row {item} is in no training history")
    if user is None:
        user = max(holders, key=lambda u: (len(hs[u]), -u))
    elif user not in holders:
        raise UnknownIdError(f"user row {user}'s history does not hold item row {item}")
    h = hs[user]
    p = int(np.flatnonzero(h == item)[0])
    return {"user": int(user), "history": np.asarray(h, np.int64), "position": p,
            "window": (max(0, p - window), min(len(h), p + window + 1))}


# --------------------------------------------------------------------------- EGES


def eges_graph(train, session_gap_seconds: float) -> SessionGraph:
    """EGES's session graph, built as ``EGES.fit`` builds it (same sessions, same edges, same weights)."""
    return session_graph(sessions_of(train, session_gap_seconds), train.n_items)


def first_step(graph: SessionGraph, item: int) -> pd.DataFrame:
    """The first step of a walk from ``item``: ``item_idx``, ``weight`` (``M_ij``) and
    ``probability`` (``M_ij / sum_k M_ik``), heaviest first. Empty for a node without out-edges."""
    m = graph.matrix
    lo, hi = m.indptr[item], m.indptr[item + 1]
    j, w = m.indices[lo:hi].astype(np.int64), m.data[lo:hi].astype(np.float64)
    p = w / w.sum() if len(w) else w
    out = pd.DataFrame({"item_idx": j, "weight": w, "probability": p})
    return out.sort_values(["weight", "item_idx"], ascending=[False, True], ignore_index=True)


def sample_walks(graph: SessionGraph, item: int, n_walks: int, walk_length: int, seed: int) -> np.ndarray:
    """``(n_walks, walk_length)`` int64 weighted walks from ``item`` with EGES's own sampler
    (:func:`~recall_core.features.graph.weighted_walks`, seeded); ``PAD`` (-1) after a dead end."""
    return weighted_walks(graph, int(n_walks), int(walk_length), np.random.default_rng(int(seed)),
                          start_nodes=np.array([int(item)]))


def walk_steps_on_graph(graph: SessionGraph, walks: np.ndarray) -> tuple[int, int]:
    """``(steps that follow an edge of the graph, steps)`` over ``walks`` (PAD positions ignored)."""
    a, b = walks[:, :-1].ravel(), walks[:, 1:].ravel()
    ok = (a != PAD) & (b != PAD)
    a, b = a[ok], b[ok]
    if not len(a):
        return 0, 0
    return int((np.asarray(graph.matrix[a, b]).ravel() > 0).sum()), int(len(a))


def ego_network(graph: SessionGraph, item: int, depth: int = 1, max_neighbours: int = 8) -> pd.DataFrame:
    """The weighted edges around ``item`` within ``depth`` hops (1 or 2), either direction.

    To keep a drawing readable each node expands to its ``max_neighbours``
    heaviest neighbours (in- and out-edges together). Returns the edges among
    the kept nodes: ``src``, ``dst`` (item rows), ``weight`` (transition
    count), ``hop`` (1 if the edge touches ``item``, else 2). Every row is an
    edge of ``graph`` (``M[src, dst] > 0``).
    """
    if depth not in (1, 2):
        raise ConfigError(f"ego network depth must be 1 or 2, got {depth!r}")
    m = graph.matrix.tocsr()
    mt = m.T.tocsr()
    sym = (m + mt).tocsr()

    def top(v: int) -> list[int]:
        lo, hi = sym.indptr[v], sym.indptr[v + 1]
        j, w = sym.indices[lo:hi], sym.data[lo:hi]
        order = np.lexsort((j, -w))[:max_neighbours]
        return [int(x) for x in j[order] if x != v]

    nodes = {int(item)}
    frontier = [int(item)]
    for _ in range(depth):
        nxt = []
        for v in frontier:
            for u in top(v):
                if u not in nodes:
                    nodes.add(u)
                    nxt.append(u)
        frontier = nxt
    keep = np.array(sorted(nodes), np.int64)
    sub = m[keep][:, keep].tocoo()
    src, dst = keep[sub.row], keep[sub.col]
    hop = np.where((src == item) | (dst == item), 1, 2)
    out = pd.DataFrame({"src": src, "dst": dst, "weight": sub.data.astype(np.float64), "hop": hop})
    return out.sort_values(["hop", "weight"], ascending=[True, False], ignore_index=True)


def ego_layout(edges: pd.DataFrame, item: int, seed: int = 42) -> dict[int, tuple[float, float]]:
    """``{item row: (x, y)}``: networkx's spring layout of the ego network (``item`` at the centre, seeded)."""
    import networkx as nx

    g = nx.Graph()
    g.add_node(int(item))
    for s, d, w in zip(edges["src"], edges["dst"], edges["weight"]):
        prev = g.get_edge_data(int(s), int(d), {}).get("weight", 0.0)
        g.add_edge(int(s), int(d), weight=prev + float(w))
    pos = nx.spring_layout(g, seed=int(seed), weight="weight", center=(0, 0))
    return {int(k): (float(v[0]), float(v[1])) for k, v in pos.items()}


def attention_breakdown(output, train, item: int) -> dict:
    """EGES's ``H_v = sum_f a_f W_f`` for one item, from the stored tables.

    ``output``: an EGES :class:`~recall_core.models.base.RecallOutput`. The
    side fields' embeddings (genres pooled, year bucket, popularity bucket)
    are read from ``extras`` with the stored bucket edges. The id embedding is
    stored as ``extras["id_embeddings"]`` by current models; for an older
    model it is recovered as ``(H_v - sum_{f != id} a_f W_f) / a_id`` (then
    ``recomposed`` equals ``stored`` by construction, and ``id_stored`` is
    False). Returns ``{"fields": [str] (n_fields; MovieLens 4), "weights": (n_fields,) float, "parts":
    (n_fields, d) float32 (a_f W_f), "recomposed": (d,), "stored": (d,)
    (``item_vectors[item]``), "max_abs_error": float, "id_stored": bool,
    "known": bool}``. An item that was never a walk centre has the cold-start
    vector stored instead of ``H_v`` (``known`` False).
    """
    from recall_core.features.side_info import DEFAULT_YEAR_EDGES
    from recall_core.models.eges import field_vector

    item = _check_item(train, item)
    ex = output.extras
    if "attention" not in ex or "attention_fields" not in ex or "popularity_embeddings" not in ex:
        raise ConfigError("not an EGES model: its extras have no attention or side-information tables")
    fields = [str(f) for f in ex["attention_fields"]]
    side = side_info(train, tuple(ex["year_edges"]) if "year_edges" in ex else DEFAULT_YEAR_EDGES,
                     tuple(ex["popularity_edges"]))
    if list(side.fields) != fields:
        raise ConfigError(f"the stored EGES fields {fields} are not this dataset's side fields {list(side.fields)}")
    tables = {"genre": ex.get("genre_embeddings"), "year": ex.get("year_embeddings"),
              "popularity": ex["popularity_embeddings"],
              **{f"field{k}": ex[f"item_field_embeddings_{k}"] for k in range(len(side.item_fields))}}
    a = np.asarray(ex["attention"][item], np.float64)
    side_vecs = [field_vector(tables, side, f, item) for f in fields[1:]]
    stored = np.asarray(output.item_vectors[item], np.float64)
    known = bool(output.item_known[item]) if output.item_known is not None else True
    side_sum = sum(a[f + 1] * np.asarray(v, np.float64) for f, v in enumerate(side_vecs))
    id_stored = "id_embeddings" in ex
    w_id = (np.asarray(ex["id_embeddings"][item], np.float64) if id_stored
            else (stored - side_sum) / max(a[0], 1e-12))
    parts = np.stack([a[0] * w_id] + [a[f + 1] * np.asarray(v, np.float64) for f, v in enumerate(side_vecs)])
    recomposed = parts.sum(axis=0)
    return {"fields": fields, "weights": a, "parts": parts.astype(np.float32), "recomposed": recomposed,
            "stored": stored, "max_abs_error": float(np.abs(recomposed - stored).max()), "id_stored": id_stored,
            "known": known}


# --------------------------------------------------------------------------- Airbnb


def airbnb_sessions(train, gap_seconds: float) -> Sessions:
    """All training sessions, cut as ``AirbnbEmbeddings.fit`` cuts them."""
    return sessions_of(train, gap_seconds)


def user_sessions(train, sessions: Sessions, user: int, min_rating: float, rule: str) -> pd.DataFrame:
    """One user's sessions on a timeline, with each session's booked film marked.

    ``sessions``: :func:`airbnb_sessions` of ``train``; the booking follows
    :func:`recall_core.models.airbnb.booked_positions` (``rule``, ``min_rating``).
    Returns one row per training interaction of the user, in time order:
    ``session`` (global session index), ``item_idx``, ``rating``, ``timestamp``
    (seconds), ``booked`` (bool).
    """
    from recall_core.models.airbnb import booked_positions

    user = int(user)
    if not 0 <= user < train.n_users:
        raise UnknownIdError(f"user row {user} is outside 0..{train.n_users - 1}")
    booked = booked_positions(sessions, min_rating, rule)
    s_idx = np.flatnonzero(sessions.user == user)
    rows = []
    ts = train.timestamp  # a session's flat positions are train's rows (sessions_of keeps train's order)
    for s in s_idx:
        lo, hi = sessions.offsets[s], sessions.offsets[s + 1]
        for p in range(lo, hi):
            rows.append((int(s), int(sessions.item_idx[p]), float(sessions.rating[p]), int(ts[p]), p == booked[s]))
    return pd.DataFrame(rows, columns=["session", "item_idx", "rating", "timestamp", "booked"])


def one_session(sessions: Sessions, s: int) -> Sessions:
    """Session ``s`` alone, as a :class:`Sessions` of one session."""
    lo, hi = sessions.offsets[s], sessions.offsets[s + 1]
    return Sessions(offsets=np.array([0, hi - lo], np.int64), item_idx=sessions.item_idx[lo:hi],
                    rating=sessions.rating[lo:hi], user=sessions.user[s:s + 1])


def session_pairs(sessions: Sessions, s: int, window: int, min_rating: float | None, rule: str) -> pd.DataFrame:
    """The training pairs session ``s`` produces, with Airbnb's own pair builder.

    Window pairs: both directions within ``window`` positions; global-context
    pairs (``min_rating`` not None): every other film of a booked session with
    the booked film, whatever the distance. Returns ``centre``, ``context``
    (item rows) and ``kind`` (``"window"`` or ``"global"``), in the builder's order.
    """
    from recall_core.models.airbnb import session_pairs as _pairs

    c, x, n_global = _pairs(one_session(sessions, s), window, min_rating, rule)
    kind = np.array(["window"] * (len(c) - n_global) + ["global"] * n_global, dtype=object)
    return pd.DataFrame({"centre": c, "context": x, "kind": kind})


def negatives_for(train, sessions: Sessions, centre: int, n: int, config, seed: int = 0) -> pd.DataFrame:
    """Negatives for one centre film: ``n`` from its market beside ``n`` from the catalogue, with
    Airbnb's own :class:`~recall_core.models.airbnb.MarketSampler` (candidates: the films of any
    training pair, as in training; market: the most specific genre). Seeded by ``seed``.

    Returns ``item_idx``, ``source`` (``"market"`` or ``"catalogue"``) and
    ``same_market`` (bool: the negative shares the centre's market).
    """
    from recall_core.models.airbnb import MarketSampler, session_pairs as _pairs

    centre = _check_item(train, centre)
    c, x, _ = _pairs(sessions, config.window, config.booking_min_rating if config.global_context else None,
                     config.booking_rule)
    known = np.zeros(train.n_items, bool)
    known[c] = True
    known[x] = True
    market = side_info(train).primary_genre()
    sampler = MarketSampler(market, np.flatnonzero(known))
    rng = np.random.default_rng(int(seed))
    neg = sampler.sample(np.array([centre]), int(n), int(n), rng)[0]
    src = np.array(["market"] * n + ["catalogue"] * n, dtype=object)
    return pd.DataFrame({"item_idx": neg, "source": src, "same_market": market[neg] == market[centre]})


def market_names(train) -> np.ndarray:
    """``(n_items,)`` str: each film's market (its primary genre's name), as the Airbnb model defines it."""
    s = side_info(train)
    return s.genre_names[s.primary_genre()]
