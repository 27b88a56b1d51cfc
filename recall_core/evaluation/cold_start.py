"""The EGES cold-start check: films held out of training entirely, embedded from side information alone.

Training EGES happens inside :func:`cold_start_genre_overlap` (TensorFlow is
imported there, not when this module is imported).
"""
from __future__ import annotations

import dataclasses
import time

import numpy as np

from recall_core.models.base import l2_normalize
from recall_core.models.eges import cold_start_vector


def holdout_train(train, held_items: np.ndarray):
    """A copy of ``train`` with every interaction on ``held_items`` removed (for the cold-start check)."""
    keep = ~np.isin(train.item_idx, held_items)
    fields = {f.name: getattr(train, f.name) for f in dataclasses.fields(train)}
    for name in ("user_idx", "item_idx", "rating", "timestamp"):
        fields[name] = fields[name][keep]
    return type(train)(**fields)


def genre_overlap(query_genres: list, neighbour_genres: list[list]) -> tuple[float, float]:
    """(share of neighbours sharing >= 1 genre with the query, mean Jaccard of genre sets)."""
    q = set(query_genres)
    share = np.mean([bool(q & set(g)) for g in neighbour_genres])
    jac = np.mean([len(q & set(g)) / max(len(q | set(g)), 1) for g in neighbour_genres])
    return float(share), float(jac)


def cold_start_genre_overlap(ds, n_holdout: int = 100, k: int = 10, seed: int = 0, min_ratings: int = 5,
                             **overrides) -> dict:
    """Cold-start check on a dataset: genre overlap@k of held-out items' neighbours vs random items.

    ``n_holdout`` items with at least ``min_ratings`` training interactions are
    drawn (seeded) and *all* their interactions removed from the training
    split; EGES is trained on the rest. Each held-out item is embedded from
    side information alone (:func:`cold_start_vector`: genres + year) and its
    ``k`` cosine neighbours are taken among the trained items. Overlap =
    share of neighbours sharing at least one genre with the held-out item; the
    random baseline is its exact expectation over all trained items (and the
    same for the genre-set Jaccard). Returns a JSON-ready dict.
    """
    from recall_core.data.split import split_for

    train = split_for(ds).train
    rng = np.random.default_rng(seed)
    pool = np.flatnonzero(train.item_counts >= min_ratings)
    held = np.sort(rng.choice(pool, size=min(n_holdout, len(pool)), replace=False))
    t0 = time.perf_counter()
    from recall_core.models.eges import EGES

    out = EGES(**{"seed": seed, **overrides}).fit(holdout_train(train, held)).export()
    seconds = time.perf_counter() - t0
    genres = list(ds.items["genres"])
    years = ds.items["year"].to_numpy(np.float64)
    cand = np.flatnonzero(out.item_known)
    cand_space = l2_normalize(out.item_vectors[cand])
    shares, jacs, r_shares, r_jacs = [], [], [], []
    for i in held:
        v = cold_start_vector(out, genres[i], None if np.isnan(years[i]) else years[i])
        top = cand[np.argsort(-(cand_space @ l2_normalize(v[None])[0]), kind="stable")[:k]]
        s, j = genre_overlap(genres[i], [genres[t] for t in top])
        rs, rj = genre_overlap(genres[i], [genres[t] for t in cand])
        shares.append(s), jacs.append(j), r_shares.append(rs), r_jacs.append(rj)
    return {
        "k": k, "n_holdout": int(len(held)), "seed": seed, "train_seconds": round(seconds, 2),
        f"genre_overlap@{k}": float(np.mean(shares)), "random_genre_overlap": float(np.mean(r_shares)),
        f"genre_jaccard@{k}": float(np.mean(jacs)), "random_genre_jaccard": float(np.mean(r_jacs)),
        "held_out_known": int(out.item_known[held].sum()),  # must be 0: no interaction left
    }
