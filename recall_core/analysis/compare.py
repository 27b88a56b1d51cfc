"""Comparisons across models behind the explorer pages: neighbour tables, agreement, ranks, genre mix, the leaderboard.

Everything reads stored vectors (:class:`~recall_core.store.StoredModel`) and
the dataset; nothing imports TensorFlow. Pages only lay the results out.
Tables follow :func:`recall_core.data.item_table` (``rank, item_id,
title, year, genres[, score]``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from recall_core.data import Dataset
from recall_core.errors import RecallError
from recall_core.evaluation import ranks_from_scores, u2i_scores
from recall_core.explore import item_neighbours, user_profile, user_recommendations
from recall_core.store import StoredModel
from recall_core.data.split import split_for

# --------------------------------------------------------------------------- I2I


def neighbour_tables(ds: Dataset, models: dict[str, StoredModel], item: str, k: int, view: str = "similar"):
    """Top-``k`` neighbours per model: ``({name: table}, {name: error})``.

    A view is only computed for the models that offer it (:attr:`RecallOutput.views`).
    """
    tables, errors = {}, {}
    for name, m in models.items():
        if view not in m.output.views:
            continue
        try:
            tables[name] = item_neighbours(ds, m, item, k, view)
        except RecallError as e:
            errors[name] = str(e)
        except Exception as e:  # noqa: BLE001 (one model's bad vectors never hide the others)
            errors[name] = f"{type(e).__name__}: {e}"
    return tables, errors


def view_notes(model: StoredModel) -> dict[str, str]:
    """``{view: sentence}`` for every view the stored model offers: which vectors, which similarity, and why.

    From the model's class (:attr:`RecallModel.view_notes`, filled with the stored
    config); for a model without a class (imported vectors: :mod:`recall_core.io.projector`),
    from the sentences its manifest records (``views``); a view neither describes gets its
    formula from the arrays.
    """
    from recall_core.models.base import find_model_class

    cls = find_model_class(model.manifest.get("model_class", model.name))
    notes = cls.describe_views(model.manifest.get("config", {})) if cls else dict(model.manifest.get("views") or {})
    out = {}
    for view in model.output.views:
        _, _, metric = model.output.view_arrays(view)
        out[view] = notes.get(view) or GENERIC_VIEW_NOTES[view].format(metric=metric)
    return out


#: The sentence of a view that neither a model class nor a manifest describes (the arrays' formula).
GENERIC_VIEW_NOTES = {"similar": "item vectors against item vectors ({metric}).",
                      "cooccur": "pair-query vectors against candidates ({metric}).",
                      "user": "user vectors against candidates ({metric})."}


def mark_agreement(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Copies of the tables with ``agree``: how many of the models list the item (1 = only this one)."""
    counts: dict[str, int] = {}
    for t in tables.values():
        for i in set(t["item_id"]):
            counts[i] = counts.get(i, 0) + 1
    return {n: t.assign(agree=t["item_id"].map(counts).astype(int)) for n, t in tables.items()}


def side_by_side(tables: dict[str, pd.DataFrame], mark: str = "agree") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every model's top-K list in one grid: ``(labels, marks)``, rank x model.

    ``labels`` holds ``Title (year)`` (index: rank from 1; columns: the models, in order; a shorter
    list leaves empty cells). ``marks`` has the same shape and holds each cell's ``mark`` column
    (``agree``: how many models list the item, from :func:`mark_agreement`; ``held_out``: is it the
    user's test item), for shading. One table instead of one per model: the browser draws a table in
    tens of milliseconds, and a page with seven of them settles about a second later (BENCHMARKS.md).
    """
    k = max((len(t) for t in tables.values()), default=0)
    labels = pd.DataFrame(index=pd.RangeIndex(1, k + 1, name="#"), columns=list(tables), dtype=object)
    marks = pd.DataFrame(index=labels.index, columns=list(tables), dtype=object)
    for name, t in tables.items():
        years = [f" ({int(y)})" if y is not None and y == y else "" for y in t["year"]]
        labels.loc[1:len(t), name] = [f"{title}{y}" for title, y in zip(t["title"], years)]
        if mark in t:
            marks.loc[1:len(t), name] = t[mark].to_numpy()
    return labels.fillna(""), marks


def jaccard_matrix(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Models x models Jaccard index of the top-K item sets (1 on the diagonal)."""
    names = list(tables)
    sets = [set(tables[n]["item_id"]) for n in names]
    m = np.ones((len(names), len(names)))
    for a in range(len(names)):
        for b in range(len(names)):
            union = sets[a] | sets[b]
            m[a, b] = len(sets[a] & sets[b]) / len(union) if union else 1.0
    return pd.DataFrame(m, index=names, columns=names)


def combined_table(tables: dict[str, pd.DataFrame], **context) -> pd.DataFrame:
    """One long table (``model`` first, then ``context`` columns such as the query item) for CSV download."""
    frames = [t.assign(model=n, **context) for n, t in tables.items()]
    if not frames:
        return pd.DataFrame(columns=["model", *context, "rank", "item_id", "title", "year", "genres", "score"])
    out = pd.concat(frames, ignore_index=True)
    first = ["model", *context]
    return out[first + [c for c in out.columns if c not in first]]


# --------------------------------------------------------------------------- U2I


#: Why a model has no list for a user (what :func:`user_tables` reports; the app words them in Chinese too).
NO_USER_LIST = {"item_only": "no user vectors (item-to-item model only)",
                "missing": "no user vectors for user {user} (the imported file has none for this user)"}


def user_tables(ds: Dataset, models: dict[str, StoredModel], user: str, k: int):
    """Top-``k`` unseen items per model with ``held_out`` (is it the user's test item): ``(tables, errors)``.

    Models without user vectors are reported in ``errors`` with a plain reason.
    """
    test_item = user_profile(ds, user)["test_item"]
    tables, errors = {}, {}
    for name, m in models.items():
        if not m.output.has_users:
            errors[name] = NO_USER_LIST["item_only"]
            continue
        if not has_user_vector(m, user):
            errors[name] = NO_USER_LIST["missing"].format(user=user)
            continue
        try:
            t = user_recommendations(ds, m, user, k)
        except RecallError as e:
            errors[name] = str(e)
            continue
        except Exception as e:  # noqa: BLE001
            errors[name] = f"{type(e).__name__}: {e}"
            continue
        tables[name] = t.assign(held_out=t["item_id"] == test_item)
    return tables, errors


def has_user_vector(model: StoredModel, user: str) -> bool:
    """Does the model have a vector for ``user``? (Imported models mark the users their file had:
    ``extras["user_known"]``; a trained model has one for every user.)"""
    known = model.output.extras.get("user_known")
    if known is None or not model.output.has_users:
        return model.output.has_users
    rows = np.flatnonzero(model.output.user_ids == str(user))
    return bool(len(rows) and known[rows[0]])


def test_item_rank(ds: Dataset, model: StoredModel, user: str) -> int | None:
    """1-based rank of the user's held-out item among unseen items under the model's U2I score.

    Same protocol as the evaluation (ties by item row). ``None`` if the user
    has no held-out item or the model no user vectors; ``n_items + 1`` if the
    model cannot rank the item at all (it knows nothing about it).
    """
    out = model.output
    if not has_user_vector(model, user):
        return None
    split = split_for(ds)
    u = ds.user_vocab.index(str(user))
    hit = np.flatnonzero(split.test_users == u)
    if not len(hit):
        return None
    scores = u2i_scores(out, np.asarray([out.user_row(str(user))]))
    return int(ranks_from_scores(scores, split.train.matrix[[u]], split.test_items[hit[:1]])[0])


def ease_user_table(ds: Dataset, lists: dict, user: str, k: int) -> pd.DataFrame:
    """The EASE reference's top-``k`` unseen items for ``user`` from its kept lists
    (:func:`recall_core.evaluation.references.ease_lists`), as :func:`user_tables` gives them (with ``held_out``)."""
    from recall_core.data import item_table

    u = ds.user_vocab.index(str(user))
    rows, scores = lists["top_rows"][u][:k], lists["top_scores"][u][:k]
    keep = rows >= 0
    t = item_table(ds, rows[keep], scores[keep])
    return t.assign(held_out=t["item_id"] == user_profile(ds, user)["test_item"])


def ease_rank(ds: Dataset, lists: dict, user: str) -> int | None:
    """1-based rank of ``user``'s held-out item under EASE (kept at fit time, same protocol as
    :func:`test_item_rank`); ``None`` when the user has no held-out item."""
    split = split_for(ds)
    hit = np.flatnonzero(split.test_users == ds.user_vocab.index(str(user)))
    return int(lists["ranks"][hit[0]]) if len(hit) else None


def genre_shares(ds: Dataset, item_ids) -> dict[str, float]:
    """Genre mix of a list of items: each item spreads weight 1 over its genres; shares sum to 1."""
    rows = ds.item_vocab.indices([str(i) for i in item_ids])
    total: dict[str, float] = {}
    for gs in ds.items["genres"].to_numpy()[rows]:
        for g in gs:
            total[g] = total.get(g, 0.0) + 1.0 / len(gs)
    s = sum(total.values())
    return {g: v / s for g, v in total.items()} if s else {}


def genre_mix(ds: Dataset, history_ids, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Long table ``source, genre, share``: the user's history and each model's recommendations."""
    rows = [("history", g, v) for g, v in genre_shares(ds, history_ids).items()]
    for n, t in tables.items():
        rows += [(n, g, v) for g, v in genre_shares(ds, t["item_id"]).items()]
    df = pd.DataFrame(rows, columns=["source", "genre", "share"])
    order = df[df["source"] == "history"].sort_values("share", ascending=False)["genre"].tolist()
    order += sorted(set(df["genre"]) - set(order))
    df["genre"] = pd.Categorical(df["genre"], categories=order, ordered=True)
    return df.sort_values(["genre", "source"]).reset_index(drop=True)


def recent_history(ds: Dataset, user: str, n: int = 15) -> pd.DataFrame:
    """The user's last ``n`` training interactions, most recent first (title, year, genres, rating, date)."""
    hist = user_profile(ds, user)["history"]
    out = hist.iloc[::-1].head(n).reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out.rename(columns={"rank": "#"})


# --------------------------------------------------------------------------- Overview


VIEW_LABELS = {"similar": "Similar", "cooccur": "Co-occurs with", "user": "User recall"}


def model_card(manifest: dict) -> dict:
    """The facts shown on a model's card: class, config, seed, training time, creation time, variant, views,
    and what training recorded (``epoch_loss``, ``counts``, ``user_scoring``: :func:`~recall_core.analysis.claims.card_facts`)."""
    from recall_core.analysis.claims import card_facts
    from recall_core.models.base import find_model_class

    cls = find_model_class(manifest.get("model_class"))
    variant = cls.describe_variant(manifest.get("config", {}), manifest.get("info")) if cls else manifest.get("variant", [])
    return {
        "views": manifest.get("views") or {},
        "variant": variant,
        "model_class": manifest.get("model_class"), "variant_of": manifest.get("variant_of"),
        "seed": manifest.get("seed"), "train_seconds": manifest.get("train_seconds"),
        "created": manifest.get("created"), "config": manifest.get("config", {}),
        "metric": manifest.get("metric"), "u2i_metric": manifest.get("u2i_metric"),
        "versions": manifest.get("versions", {}),
        **card_facts(manifest),
    }


def metrics_long(rows: list[dict], ks=(5, 10, 20, 50)) -> pd.DataFrame:
    """``model, K, metric, value`` for HR and NDCG at every K (for charts)."""
    recs = []
    for r in rows:
        for k in ks:
            for m in ("hr", "ndcg"):
                v = r["metrics"].get(f"{m}@{k}")
                if v is not None:
                    recs.append({"model": r["model"], "K": k, "metric": f"{m.upper()}@K", "value": float(v)})
    return pd.DataFrame(recs, columns=["model", "K", "metric", "value"])


def training_time_phrase(manifests: dict[str, dict | str], family: str | None = "dssm") -> str:
    """``"18 s on this data, as stored"``-style phrase from the stored training times (no guessed numbers).

    ``family``: only models of that class (``None``: every stored model).
    """
    span = training_time_span(manifests, family)
    if span is None:
        return "training times on ML-100K are in BENCHMARKS.md"
    return f"{span} per model when this store was trained"


def training_time_span(manifests: dict[str, dict | str], family: str | None = "dssm") -> str | None:
    """``"18 s"`` or ``"12–30 s"``: the stored training times of ``family`` (``None``: every model); None if none."""
    secs = [m.get("train_seconds") for m in manifests.values() if isinstance(m, dict)
            and (family is None or m.get("model_class") == family) and m.get("train_seconds") is not None]
    if not secs:
        return None
    lo, hi = min(secs), max(secs)
    return f"{lo:.0f} s" if round(lo) == round(hi) else f"{lo:.0f}–{hi:.0f} s"
