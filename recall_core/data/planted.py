"""Planted-structure data for tests and demos: users in groups, each group watching one item cluster.

Tiny datasets with known answers (neighbours, clusters, a planted log); MovieLens-shaped folders of any size
for benchmarks are :mod:`recall_core.data.movielens_shaped` (``python -m recall_core synth``).
"""
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
    rows = [(f"u{u}", f"i{i}", 5.0 if i // items_per_cluster == c else 2.0, 1_000_000_000 + u * 86_400 + 600 * j)
            for u, c, j, i in _planted_visits(n_clusters, items_per_cluster, users_per_cluster, history, noise, rng)]
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


def _planted_visits(n_clusters: int, items_per_cluster: int, users_per_cluster: int, history: int, noise: float,
                    rng: np.random.Generator) -> list[tuple[int, int, int, int]]:
    """``(user, its cluster, position, item)`` of every visit: user ``u`` takes ``history`` distinct items of
    cluster ``u % n_clusters`` in a random order, each replaced with probability ``noise`` by any item."""
    n_items = n_clusters * items_per_cluster
    out = []
    for u in range(n_clusters * users_per_cluster):
        c = u % n_clusters
        own = c * items_per_cluster + rng.permutation(items_per_cluster)[:history]
        for j, i in enumerate(own):
            if noise and rng.random() < noise:
                i = int(rng.integers(n_items))
            out.append((u, c, j, int(i)))
    return out


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


def planted_log(n_clusters: int = 4, items_per_cluster: int = 12, users_per_cluster: int = 20, history: int = 10,
                noise: float = 0.1, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A planted non-movie interaction log, as a shop would export it: ``(interactions, items, users)`` frames.

    The structure is :func:`planted_dataset`'s (user group ``c`` browses the products of cluster ``c``,
    with probability ``noise`` one of another cluster), in a shop's columns: ``customer`` (``c-0007``),
    ``product`` (``sku-00017``), ``ts`` (ISO 8601 text with a UTC offset, 10 minutes apart), no rating.
    Items: ``product``, ``brand`` (``brand-<cluster letter>``: follows the cluster), ``colour`` (one of three,
    independent of the cluster); no title, no category, no year. Users: ``customer`` and ``segment``
    (``seg-<group>``: follows the group). Read it with :func:`recall_core.data.from_frames` (``user="customer",
    item="product", time="ts", time_format="iso8601", item_fields=["brand", "colour"], user_fields=["segment"]``).
    """
    rng = np.random.default_rng(seed)
    n_items = n_clusters * items_per_cluster
    n_users = n_clusters * users_per_cluster
    t0 = pd.Timestamp("2021-01-01T08:00:00+01:00")
    rows = [(f"c-{u:04d}", f"sku-{i:05d}", (t0 + pd.Timedelta(days=u, minutes=10 * j)).isoformat())
            for u, _, j, i in _planted_visits(n_clusters, items_per_cluster, users_per_cluster, history, noise, rng)]
    inter = pd.DataFrame(rows, columns=["customer", "product", "ts"]).drop_duplicates(["customer", "product"])
    items = pd.DataFrame({
        "product": [f"sku-{i:05d}" for i in range(n_items)],
        "brand": [f"brand-{chr(65 + i // items_per_cluster)}" for i in range(n_items)],
        "colour": [("red", "green", "blue")[int(v)] for v in rng.integers(0, 3, n_items)],
    })
    users = pd.DataFrame({"customer": [f"c-{u:04d}" for u in range(n_users)],
                          "segment": [f"seg-{u % n_clusters}" for u in range(n_users)]})
    return inter.reset_index(drop=True), items, users


#: The ``dataset.toml`` of :func:`planted_log` written as ``interactions.csv``, ``items.csv``, ``users.csv``.
PLANTED_LOG_CARD = """[interactions]
file = "interactions.csv"
user = "customer"
item = "product"
time = "ts"
time_format = "iso8601"

[items]
file = "items.csv"
id = "product"
fields = ["brand", "colour"]

[users]
file = "users.csv"
id = "customer"
fields = ["segment"]

[dataset]
name = "planted shop log"
item_noun = "product"
"""


def write_planted_log(folder, format: str = "csv", **kwargs):
    """Write :func:`planted_log` as a generic folder (``dataset.toml`` + three tables); returns the folder."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    inter, items, users = planted_log(**kwargs)
    for name, df in (("interactions", inter), ("items", items), ("users", users)):
        if format == "csv":
            df.to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")
        else:
            df.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "dataset.toml").write_text(PLANTED_LOG_CARD.replace(".csv", f".{format}"), encoding="utf-8")
    return folder
