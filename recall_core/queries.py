"""Queries behind the explorer pages: comparisons across models, DSSM temperature.

EGES attention lives in :mod:`recall_core.analysis.eges`.

Everything reads stored vectors (:class:`~recall_core.store.StoredModel`) and
the dataset; nothing imports TensorFlow. Pages only lay the results out.
Tables follow :func:`recall_core.explore.item_table` (``rank, item_id,
title, year, genres[, score]``).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from recall_core.data import Dataset
from recall_core.errors import RecallError, UnknownIdError
from recall_core.evaluation import ranks_from_scores, u2i_scores
from recall_core.explore import has_next_view, item_neighbours, item_table, user_profile, user_recommendations
from recall_core.models.base import l2_normalize
from recall_core.store import StoredModel
from recall_core.training import split_for

# --------------------------------------------------------------------------- pickers


def item_choices(ds: Dataset) -> tuple[list[str], dict[str, str]]:
    """Item ids, most-rated first (ties by row), and labels ``Title (year) · genres``."""
    order = np.argsort(-ds.item_counts, kind="stable")
    ids = ds.item_vocab.ids[order].tolist()
    titles = ds.items["title"].to_numpy()
    years = ds.items["year"].to_numpy()
    genres = ds.items["genres"].to_numpy()
    labels = {}
    for r, i in zip(order.tolist(), ids):
        y = "" if np.isnan(years[r]) else f" ({int(years[r])})"
        g = ", ".join(genres[r]) or "no genre"
        labels[i] = f"{titles[r]}{y} · {g}"
    return ids, labels


def user_choices(ds: Dataset) -> tuple[list[str], dict[str, str]]:
    """User ids (dataset order) and labels ``id · age gender occupation · n ratings``."""
    counts = np.bincount(ds.interactions["user_idx"].to_numpy(), minlength=ds.n_users)
    cols = [c for c in ("age", "gender", "occupation") if c in ds.users.columns]
    labels = {}
    for row, rec in enumerate(ds.users[["user_id", *cols]].itertuples(index=False)):
        demo = " ".join(str(v) for v in rec[1:] if v == v and v is not None)
        labels[str(rec[0])] = f"user {rec[0]}" + (f" · {demo}" if demo else "") + f" · {counts[row]} ratings"
    return ds.user_vocab.ids.tolist(), labels


# --------------------------------------------------------------------------- I2I


def next_view_available(output) -> bool:
    """A "likely next" view exists when candidate vectors live in the item vectors' space (same width).

    FM's candidates carry an extra bias coordinate, so an item vector cannot query them.
    """
    return has_next_view(output) and output.candidate_vectors.shape[1] == output.item_vectors.shape[1]


def neighbour_tables(ds: Dataset, models: dict[str, StoredModel], item: str, k: int, view: str = "similar"):
    """Top-``k`` neighbours per model: ``({name: table}, {name: error})``.

    ``view="next"`` is only computed for models that have it (candidate vectors).
    """
    tables, errors = {}, {}
    for name, m in models.items():
        if view == "next" and not next_view_available(m.output):
            continue
        try:
            tables[name] = item_neighbours(ds, m, item, k, view)
        except RecallError as e:
            errors[name] = str(e)
        except Exception as e:  # noqa: BLE001 (one model's bad vectors never hide the others)
            errors[name] = f"{type(e).__name__}: {e}"
    return tables, errors


def mark_agreement(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Copies of the tables with ``agree``: how many of the models list the item (1 = only this one)."""
    counts: dict[str, int] = {}
    for t in tables.values():
        for i in set(t["item_id"]):
            counts[i] = counts.get(i, 0) + 1
    return {n: t.assign(agree=t["item_id"].map(counts).astype(int)) for n, t in tables.items()}


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


def user_tables(ds: Dataset, models: dict[str, StoredModel], user: str, k: int):
    """Top-``k`` unseen items per model with ``held_out`` (is it the user's test item): ``(tables, errors)``.

    Models without user vectors are reported in ``errors`` with a plain reason.
    """
    test_item = user_profile(ds, user)["test_item"]
    tables, errors = {}, {}
    for name, m in models.items():
        if not m.output.has_users:
            errors[name] = "no user vectors (item-to-item model only)"
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


def test_item_rank(ds: Dataset, model: StoredModel, user: str) -> int | None:
    """1-based rank of the user's held-out item among unseen items under the model's U2I score.

    Same protocol as the evaluation (ties by item row). ``None`` if the user
    has no held-out item or the model no user vectors; ``n_items + 1`` if the
    model cannot rank the item at all (it knows nothing about it).
    """
    out = model.output
    if not out.has_users:
        return None
    split = split_for(ds)
    u = ds.user_vocab.index(str(user))
    hit = np.flatnonzero(split.test_users == u)
    if not len(hit):
        return None
    scores = u2i_scores(out, np.asarray([out.user_row(str(user))]))
    return int(ranks_from_scores(scores, split.train.matrix[[u]], split.test_items[hit[:1]])[0])


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


# --------------------------------------------------------------------------- DSSM temperature


def temperature_of(model: StoredModel) -> float | None:
    """The τ a DSSM was trained with (info, then config)."""
    for src in (model.manifest.get("info", {}), model.manifest.get("config", {})):
        t = src.get("temperature") if isinstance(src, dict) else None
        if t is not None:
            return float(t)
    return None


def softmax_top_n(ds: Dataset, model: StoredModel, user: str, n: int, tau: float) -> tuple[pd.DataFrame, dict]:
    """The user's top-``n`` unseen items by cosine and their softmax probabilities at temperature ``tau``.

    ``p_i = exp(cos_i / τ) / Σ_j exp(cos_j / τ)`` over the ``n`` candidates.
    Returns the table (rank, title, ..., ``cosine``, ``probability``) and
    ``{"entropy": bits, "max_entropy": log2 n, "perplexity": 2**entropy,
    "top1": p_1, "mass_in_catalogue": share of the full-catalogue softmax
    (over all unseen items) held by these n}``.
    """
    if tau <= 0:
        raise ValueError(f"temperature must be > 0, got {tau}")
    out = model.output
    if not out.has_users:
        raise UnknownIdError(f"model {model.name!r} has no user vectors")
    u = ds.user_vocab.index(str(user))
    uv = l2_normalize(out.user_vectors[[out.user_row(str(user))]])[0]
    cos = (l2_normalize(out.candidates) @ uv).astype(np.float64)
    valid = np.ones(len(cos), bool) if out.item_known is None else out.item_known.copy()
    valid[split_for(ds).train.history(u)] = False
    cand = np.flatnonzero(valid)
    order = cand[np.argsort(-cos[cand], kind="stable")]
    top = order[:n]
    logits = cos[top] / tau
    p = np.exp(logits - logits.max())
    p /= p.sum()
    all_logits = cos[cand] / tau
    z_all = np.exp(all_logits - logits.max()).sum()
    mass = float(np.exp(logits - logits.max()).sum() / z_all)
    ent = float(-(p * np.log2(np.where(p > 0, p, 1.0))).sum())
    table = item_table(ds, top, cos[top]).rename(columns={"score": "cosine"})
    table["probability"] = p
    stats = {"entropy": ent, "max_entropy": math.log2(len(top)) if len(top) else 0.0, "perplexity": 2.0 ** ent,
             "top1": float(p[0]) if len(p) else float("nan"), "mass_in_catalogue": mass, "n": int(len(top))}
    return table, stats


def dssm_variants(rows: list[dict], manifests: dict[str, dict | str], k: int = 10) -> pd.DataFrame:
    """Stored DSSM models (default and τ variants): ``model, tau, HR@k, NDCG@k, default`` sorted by τ."""
    recs = []
    for r in rows:
        if r.get("model_class") != "dssm":
            continue
        man = manifests.get(r["model"])
        if not isinstance(man, dict):
            continue
        t = None
        for src in (man.get("info", {}), man.get("config", {})):
            if isinstance(src, dict) and src.get("temperature") is not None:
                t = float(src["temperature"])
                break
        recs.append({"model": r["model"], "tau": t, f"HR@{k}": r["metrics"].get(f"hr@{k}"),
                     f"NDCG@{k}": r["metrics"].get(f"ndcg@{k}"), "default": r["model"] == "dssm"})
    df = pd.DataFrame(recs, columns=["model", "tau", f"HR@{k}", f"NDCG@{k}", "default"])
    return df.sort_values("tau", na_position="last").reset_index(drop=True)


# --------------------------------------------------------------------------- Overview


def best_per_column(frame: pd.DataFrame, lower_is_better=("Train s",)) -> dict[str, str]:
    """``{column: model}`` holding the best value of each column (ties: first in display order)."""
    best = {}
    for c in frame.columns:
        col = pd.to_numeric(frame[c], errors="coerce")
        if col.notna().any():
            best[c] = str(col.idxmin() if c in lower_is_better else col.idxmax())
    return best


def model_card(manifest: dict) -> dict:
    """The facts shown on a model's card: class, config, seed, training time, creation time, variant."""
    return {
        "model_class": manifest.get("model_class"), "variant_of": manifest.get("variant_of"),
        "seed": manifest.get("seed"), "train_seconds": manifest.get("train_seconds"),
        "created": manifest.get("created"), "config": manifest.get("config", {}),
        "metric": manifest.get("metric"), "u2i_metric": manifest.get("u2i_metric"),
        "versions": manifest.get("versions", {}),
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


def item_summary(ds: Dataset, item: str) -> str:
    """``Title (year) · genres · n training interactions`` for a page header."""
    row = ds.find_item(item)
    n = int(split_for(ds).train.item_counts[row])
    return f"**{ds.item_label(row)}** · {', '.join(ds.items['genres'].iloc[row]) or 'no genre'} · {n} training interactions"
