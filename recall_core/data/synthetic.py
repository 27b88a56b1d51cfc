"""Planted-structure data for tests and demos: users in groups, each group watching one item cluster."""
from __future__ import annotations

import numpy as np
import pandas as pd

from recall_core.data.dataset import Dataset, build_dataset

GENRES = ["Action", "Comedy", "Drama", "Horror", "Romance", "Sci-Fi", "Western", "War"]


def planted_dataset(
    n_clusters: int = 4,
    items_per_cluster: int = 12,
    users_per_cluster: int = 20,
    history: int = 10,
    noise: float = 0.0,
    seed: int = 0,
) -> Dataset:
    """A tiny dataset with known neighbours.

    Item ``c * items_per_cluster + j`` (id ``"i{row}"``) belongs to cluster
    ``c`` and has genre ``GENRES[c]`` (and year ``1990 + c``). User ``u`` (id
    ``"u{row}"``) belongs to group ``u % n_clusters`` and watches ``history``
    distinct items of that cluster, one every 10 minutes in a random order
    (with probability ``noise`` an item from another cluster instead).
    Demographics: gender and occupation follow the group, so user towers can
    use them. Ratings are 5 for in-cluster items and 2 otherwise.
    """
    rng = np.random.default_rng(seed)
    n_items = n_clusters * items_per_cluster
    n_users = n_clusters * users_per_cluster
    rows = []
    for u in range(n_users):
        c = u % n_clusters
        own = c * items_per_cluster + rng.permutation(items_per_cluster)[:history]
        t0 = 1_000_000_000 + u * 86_400
        for j, i in enumerate(own):
            if noise and rng.random() < noise:
                i = int(rng.integers(n_items))
            rows.append((f"u{u}", f"i{i}", 5.0 if i // items_per_cluster == c else 2.0, t0 + 600 * j))
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])
    inter = inter.drop_duplicates(["user_id", "item_id"]).reset_index(drop=True)
    inter["rating"] = inter["rating"].astype(np.float32)
    inter["timestamp"] = inter["timestamp"].astype(np.int64)
    items = pd.DataFrame({
        "item_id": [f"i{i}" for i in range(n_items)],
        "title": [f"Movie {i} ({GENRES[i // items_per_cluster % len(GENRES)]})" for i in range(n_items)],
        "year": [float(1990 + i // items_per_cluster) for i in range(n_items)],
        "genres": [(GENRES[i // items_per_cluster % len(GENRES)],) for i in range(n_items)],
    })
    users = pd.DataFrame({
        "user_id": [f"u{u}" for u in range(n_users)],
        "gender": ["MF"[u % n_clusters % 2] for u in range(n_users)],
        "age": [20 + 10 * (u % n_clusters) for u in range(n_users)],
        "occupation": [f"job{u % n_clusters}" for u in range(n_users)],
        "zip": [f"{u % n_clusters}0000" for u in range(n_users)],
    })
    return build_dataset("planted", "planted", "synthetic", inter, items, users)


def write_movielens(ds: Dataset, folder, layout: str = "ml-100k"):
    """Write ``ds`` as a MovieLens folder in ``layout`` (``ml-100k``, ``ml-1m`` or ``ml-latest``).

    Used by tests (loader round trips, an app pointed at a tiny dataset folder).
    Genres must be MovieLens genre names for the ml-100k layout.
    """
    from pathlib import Path

    from recall_core.data.movielens import ML100K_GENRES

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    inter, items, users = ds.interactions, ds.items, ds.users

    def title(r) -> str:
        return f"{r.title} ({int(r.year)})" if r.year == r.year else r.title

    if layout == "ml-100k":
        lines = [f"{r.user_id}\t{r.item_id}\t{int(r.rating)}\t{r.timestamp}" for r in inter.itertuples()]
        (folder / "u.data").write_text("\n".join(lines) + "\n")
        rows = []
        for r in items.itertuples():
            flags = "|".join("1" if g in r.genres else "0" for g in ML100K_GENRES)
            date = f"01-Jan-{int(r.year)}" if r.year == r.year else ""
            rows.append(f"{r.item_id}|{title(r)}|{date}||http://example.org|{flags}")
        (folder / "u.item").write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
        rows = [f"{r.user_id}|{r.age}|{r.gender}|{r.occupation}|{r.zip}" for r in users.itertuples()]
        (folder / "u.user").write_text("\n".join(rows) + "\n")
    elif layout == "ml-1m":
        lines = [f"{r.user_id}::{r.item_id}::{int(r.rating)}::{r.timestamp}" for r in inter.itertuples()]
        (folder / "ratings.dat").write_text("\n".join(lines) + "\n")
        rows = [f"{r.item_id}::{title(r)}::{'|'.join(r.genres) or '(no genres listed)'}" for r in items.itertuples()]
        (folder / "movies.dat").write_bytes(("\n".join(rows) + "\n").encode("latin-1"))
        rows = [f"{r.user_id}::{r.gender}::{r.age}::{r.occupation}::{r.zip}" for r in users.itertuples()]
        (folder / "users.dat").write_text("\n".join(rows) + "\n")
    elif layout == "ml-latest":
        lines = ["userId,movieId,rating,timestamp"] + [
            f"{r.user_id},{r.item_id},{r.rating:.1f},{r.timestamp}" for r in inter.itertuples()]
        (folder / "ratings.csv").write_text("\n".join(lines) + "\n")
        rows = ["movieId,title,genres"]
        for r in items.itertuples():
            t = title(r)
            t = f'"{t}"' if "," in t else t
            rows.append(f"{r.item_id},{t},{'|'.join(r.genres) or '(no genres listed)'}")
        (folder / "movies.csv").write_text("\n".join(rows) + "\n")
    else:
        raise ValueError(f"unknown layout {layout!r}")
    return folder
