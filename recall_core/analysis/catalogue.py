"""The catalogue as people read it: picker labels and one-line item summaries."""
from __future__ import annotations

import numpy as np

from recall_core.data import Dataset
from recall_core.data.split import split_for


#: How a label names an item without genres.
NO_GENRE = "no genre"
#: A user's picker label (``demo``: " · age gender occupation", or empty).
USER_LABEL = "user {id}{demo} · {n} ratings"


def item_choices(ds: Dataset, no_genre: str = NO_GENRE) -> tuple[list[str], dict[str, str]]:
    """Item ids, most-rated first (ties by row), and labels ``Title (year) · genres`` (``no_genre`` without)."""
    order = np.argsort(-ds.item_counts, kind="stable")
    ids = ds.item_vocab.ids[order].tolist()
    titles = ds.items["title"].to_numpy()
    years = ds.items["year"].to_numpy()
    genres = ds.items["genres"].to_numpy()
    labels = {}
    for r, i in zip(order.tolist(), ids):
        y = "" if np.isnan(years[r]) else f" ({int(years[r])})"
        g = ", ".join(genres[r]) or no_genre
        labels[i] = f"{titles[r]}{y} · {g}"
    return ids, labels


def user_choices(ds: Dataset, label: str = USER_LABEL) -> tuple[list[str], dict[str, str]]:
    """User ids (dataset order) and labels ``user id · age gender occupation · n ratings`` (:data:`USER_LABEL`)."""
    counts = np.bincount(ds.interactions["user_idx"].to_numpy(), minlength=ds.n_users)
    shown = ("age", "gender", "occupation") if ds.schema.domain == "movies" else ds.schema.user_field_names
    cols = [c for c in shown if c in ds.users.columns]
    labels = {}
    for row, rec in enumerate(ds.users[["user_id", *cols]].itertuples(index=False)):
        demo = " ".join(str(v) for v in rec[1:] if v == v and v is not None)
        labels[str(rec[0])] = label.format(id=rec[0], demo=f" · {demo}" if demo else "", n=counts[row])
    return ds.user_vocab.ids.tolist(), labels


def item_summary(ds: Dataset, item: str, no_genre: str = NO_GENRE) -> dict:
    """``{"label": "Title (year)", "genres": "A, B", "interactions": n in training}`` for a page header."""
    row = ds.find_item(item)
    return {"label": ds.item_label(row), "genres": ", ".join(ds.items["genres"].iloc[row]) or no_genre,
            "interactions": int(split_for(ds).train.item_counts[row])}


def search_choices(ids: list[str], labels: dict[str, str], query: str, limit: int = 50) -> list[str]:
    """At most ``limit`` of ``ids`` whose label contains every word of ``query`` (case-insensitive), best first.

    Order: the id itself (``"50"`` finds item 50), then labels that start with the query, then labels with a
    word that starts with it, then the rest; within each, the order of ``ids`` (most-rated first for
    :func:`item_choices`). An empty query gives the first ``limit`` ids.
    """
    words = str(query).casefold().split()
    if not words:
        return list(ids[:limit])
    phrase = " ".join(words)
    exact = str(query).strip()
    tiers: tuple[list[str], ...] = ([], [], [], [])
    for i in ids:
        text = labels[i].casefold()
        if i == exact:
            tiers[0].append(i)
        elif all(w in text for w in words):
            tiers[1 if text.startswith(phrase) else 2 if (" " + phrase) in text else 3].append(i)
    return [i for t in tiers for i in t][:limit]
