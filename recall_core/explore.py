"""Queries over stored models, shared by the CLI and the app.

Everything here reads the store (vectors, manifests) and the dataset; nothing
imports TensorFlow or trains.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.data import Dataset
from recall_core.errors import RecallError, UnknownIdError
from recall_core.evaluation import KS, evaluate, evaluate_i2i
from recall_core.index import VectorIndex
from recall_core.models.base import RecallOutput, find_model_class, model_names
from recall_core.store import StoredModel, list_models, load_model, reference_file
from recall_core.data.split import split_for, store_key


def stored_models(ds: Dataset, store: Path, split: str = "test") -> list[str]:
    """Stored model names for ``ds`` (trained for ``split``), in display order (variants after their model)."""
    names = list_models(store, store_key(ds.key, split))
    order = {m: i for i, m in enumerate(model_names())}

    def key(n: str):
        base = n.split("@")[0]
        return (order.get(base, len(order)), base, n)

    return sorted(names, key=key)


def is_i2i(model_class: str) -> bool:
    """Is the model class's item space meant for I2I (:attr:`RecallModel.i2i`)?"""
    cls = find_model_class(model_class)
    return bool(cls and cls.i2i)


def load(ds: Dataset, store: Path, name: str, split: str = "test") -> StoredModel:
    """A stored model trained on ``ds`` for ``split`` (checked against the dataset's fingerprint)."""
    return load_model(store, store_key(ds.key, split), name, fingerprint=ds.fingerprint)


def leaderboard(ds: Dataset, store: Path, names: list[str] | None = None, recompute: bool = False,
                split: str = "test"):
    """``(rows, errors)``: one dict per model (metrics, I2I metrics, train_seconds, created), and
    ``{name: message}`` for models that could not be read.

    Most-popular is always a row: from the store if trained, else computed on the spot;
    so is the ``transition`` reference baseline (a scoring rule, see
    :mod:`recall_core.evaluation.baselines`), and the ``ease`` reference (:func:`ease_reference`; a row
    without metrics and with a ``note`` when the catalogue is too large for it).
    ``recompute`` re-evaluates the stored vectors on the current split instead of
    trusting the manifest's numbers. ``split``: ``test`` (models trained for the
    test split, scored on each user's last item) or ``valid`` (models trained
    for validation, scored on the second-to-last item).
    """
    from recall_core.models.mostpop import MostPop

    holdout = split
    names = stored_models(ds, store, holdout) if names is None else names
    rows, errors = [], {}
    split = split_for(ds, holdout)
    for name in names:
        try:
            m = load(ds, store, name, holdout)
        except RecallError as e:
            errors[name] = str(e)
            continue
        metrics, i2i = m.manifest.get("metrics", {}), m.manifest.get("i2i_metrics", {})
        if recompute:
            metrics = evaluate(m.output, split) if m.output.has_users else {}
            base = m.manifest.get("model_class", name)
            i2i = evaluate_i2i(m.output, split) if is_i2i(base) else {}
        rows.append({"model": name, "metrics": metrics, "i2i": i2i,
                     "train_seconds": m.manifest.get("train_seconds"), "created": m.manifest.get("created"),
                     "model_class": m.manifest.get("model_class", name),
                     "variant_of": m.manifest.get("variant_of")})
    rows.insert(0, {"model": "transition", "metrics": transition_metrics(ds, store, split, holdout), "i2i": {},
                    "train_seconds": None,
                    "created": None, "model_class": "transition", "reference": True})
    rows.insert(0, ease_row(ds, store, holdout))
    if not any(r["model_class"] == "mostpop" for r in rows):
        metrics = _kept_metrics(ds, store, holdout, "mostpop", {},
                                lambda: evaluate(MostPop().fit(split.train).export(), split))
        rows.insert(0, {"model": "mostpop", "metrics": metrics, "i2i": {}, "train_seconds": 0.0,
                        "created": None, "model_class": "mostpop", "reference": True})
    first = {"mostpop": 0, "transition": 1, "ease": 2}
    rows.sort(key=lambda r: first.get(r["model"], 2))  # stable: models keep their order
    return rows, errors


def transition_metrics(ds: Dataset, store: Path, split, holdout: str = "test") -> dict:
    """The transition reference's metrics on ``split``, computed once per data and settings and kept in the store.

    It scores every test user against every item, and it only changes with the data (``ds.fingerprint``) or
    the reference's settings, so the Overview need not pay for it in every new server process.
    Kept in ``<store>/<dataset key>/.transition.json`` (a dot file: not a model); a store that cannot be
    written, or a file that does not match, just means computing it again.
    """
    from recall_core.evaluation.baselines import TRANSITION_DEFAULTS, evaluate_transition

    return _kept_metrics(ds, store, holdout, "transition", TRANSITION_DEFAULTS, lambda: evaluate_transition(split))


def _kept_metrics(ds: Dataset, store: Path, holdout: str, name: str, settings: dict, compute) -> dict:
    """``compute()``'s metrics, kept in ``<store>/<dataset key>/.<name>.json`` under the data's fingerprint, the
    split and ``settings``: a reference row (a scoring rule, or most-popular when it is not stored as a model)
    is scored once per data, not in every new app process."""
    import json

    from recall_core.fs import atomic_write_bytes

    # "metrics": the format of the metrics dict (2: with the bootstrap intervals); an older file is recomputed
    key = {"fingerprint": ds.fingerprint, "split": holdout, "settings": settings, "metrics": 2}
    path = reference_file(store, store_key(ds.key, holdout), name)
    try:
        cached = json.loads(path.read_text())
        if cached.get("key") == key:
            return cached["metrics"]
    except (OSError, ValueError, AttributeError, KeyError):
        pass
    metrics = compute()
    try:
        if path.parent.is_dir():
            atomic_write_bytes(path, json.dumps({"key": key, "metrics": metrics}).encode())
    except OSError:
        pass
    return metrics


# --------------------------------------------------------------------------- the EASE reference row (issue 21)


def ease_row(ds: Dataset, store: Path, holdout: str = "test") -> dict:
    """The leaderboard's ``ease`` row: the kept (or now computed) reference's metrics on ``holdout`` and its
    ``lambda``; no metrics, ``skipped`` True and the reason in ``note`` (English, for the CLI) when the catalogue
    is too large for it; no metrics and the one-line ``error`` (also the ``note``) when it failed."""
    try:
        ref = ease_reference(ds, store)
    except Exception as e:  # noqa: BLE001 (a reference row that cannot be computed never hides the leaderboard)
        ref = {"error": " ".join(f"EASE failed: {type(e).__name__}: {e}".split())[:300]}
    note = ref.get("skipped") or ref.get("error") or f"λ {ref['lambda']:g} chosen on validation"
    return {"model": "ease", "metrics": ref.get(holdout, {}), "i2i": {}, "train_seconds": ref.get("seconds"),
            "created": None, "model_class": "ease", "reference": True, "note": note, "lambda": ref.get("lambda"),
            "skipped": bool(ref.get("skipped")), "error": ref.get("error"), "n_items": ds.n_items}


def ease_reference(ds: Dataset, store: Path, compute: bool = True, progress=None) -> dict | None:
    """The EASE reference of ``ds`` (:func:`recall_core.evaluation.ease.fit_reference`: λ chosen on validation,
    fitted on the test split), computed once per data and settings and kept in the store.

    Returns ``{"lambda", "valid", "test", "valid_by_lambda", "seconds", "n_items"}`` (metrics dicts), or
    ``{"skipped": message}`` above :data:`~recall_core.evaluation.ease.EASE_MAX_ITEMS` items; ``None`` when
    nothing is kept and ``compute`` is False. Kept in ``.ease.json``, with every user's top
    :data:`~recall_core.evaluation.ease.KEEP_TOP` unseen items in ``.ease.npz`` (:func:`ease_lists`), written
    npz first and the JSON (holding the npz's sha256) last, each atomically.
    """
    import hashlib
    import io
    import json

    from recall_core.evaluation import ease
    from recall_core.fs import atomic_write_bytes

    key = {"fingerprint": ds.fingerprint, "lambdas": list(ease.LAMBDAS), "max_items": ease.EASE_MAX_ITEMS,
           "keep_top": ease.KEEP_TOP}
    path = reference_file(store, ds.key, "ease")
    try:
        kept = json.loads(path.read_text())
        if kept.get("key") == key:
            return kept["result"]
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass
    if not compute:
        return None
    if ds.n_items > ease.EASE_MAX_ITEMS:
        result, arrays = {"skipped": ease.too_large(ds.n_items)}, None
    else:
        full = ease.fit_reference(split_for(ds, "valid"), split_for(ds, "test"), progress=progress)
        arrays = {k: full.pop(k) for k in ("top_rows", "top_scores", "ranks")}
        result = full
    try:
        if path.parent.is_dir():
            if arrays is not None:
                buf = io.BytesIO()
                np.savez(buf, **arrays)
                atomic_write_bytes(reference_file(store, ds.key, "ease", "npz"), buf.getvalue())
                result["npz_sha256"] = hashlib.sha256(buf.getvalue()).hexdigest()
            atomic_write_bytes(path, json.dumps({"key": key, "result": result}).encode())
    except OSError:
        pass  # a store that cannot be written: computed again next time
    return result


def ease_lists(ds: Dataset, store: Path) -> dict[str, np.ndarray] | None:
    """The kept EASE top lists of the test split (``top_rows``, ``top_scores`` ``(n_users, KEEP_TOP)``, ``ranks``
    ``(n_test,)``: :func:`recall_core.evaluation.ease.fit_reference`), or ``None`` when none are kept for this
    data or the file does not match its checksum."""
    import hashlib
    import io

    ref = ease_reference(ds, store, compute=False)
    if not ref or "npz_sha256" not in ref:
        return None
    try:
        data = reference_file(store, ds.key, "ease", "npz").read_bytes()
        if hashlib.sha256(data).hexdigest() != ref["npz_sha256"]:
            return None
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError):
        return None


def item_table(ds: Dataset, rows, scores=None) -> pd.DataFrame:
    """Titles, years and genres of item rows (with scores when given)."""
    rows = np.asarray(rows, dtype=np.int64)
    it = ds.items.iloc[rows]
    df = pd.DataFrame({
        "rank": np.arange(1, len(rows) + 1),
        "item_id": it["item_id"].to_numpy(),
        "title": it["title"].to_numpy(),
        "year": [None if np.isnan(y) else int(y) for y in it["year"].to_numpy()],
        "genres": [", ".join(g) for g in it["genres"]],
    })
    if scores is not None:
        df["score"] = np.asarray(scores, dtype=np.float64)
    return df


_INDEXES: dict[tuple, VectorIndex] = {}


def index_for(output: RecallOutput, view: str = "similar", cache_key: tuple | None = None) -> VectorIndex:
    """The index holding the key side of a view (:meth:`RecallOutput.view_arrays`)."""
    key = (cache_key, view) if cache_key else None
    if key and key in _INDEXES:
        return _INDEXES[key]
    _, keys, metric = output.view_arrays(view)
    idx = VectorIndex(keys, output.item_ids, metric, output.item_known)
    if key:
        _INDEXES[key] = idx
    return idx


def _view_of(model: StoredModel, view: str):
    try:
        return model.output.view_arrays(view)
    except UnknownIdError as e:
        raise UnknownIdError(f"model {model.name!r}: {e}") from None


def item_neighbours(ds: Dataset, model: StoredModel, item: str, k: int = 10, view: str = "similar") -> pd.DataFrame:
    """Top-``k`` items for an item (id or title) in an item view (``similar`` or ``cooccur``); the item excluded."""
    row = ds.find_item(item)
    ids, sc = item_neighbour_ids(ds, model, [ds.item_vocab.id(row)], k, view)
    valid = ids[0] != ""
    return item_table(ds, ds.item_vocab.indices(ids[0][valid]), sc[0][valid])


def item_neighbour_ids(ds: Dataset, model: StoredModel, item_ids, k: int = 10, view: str = "similar"):
    """Top-``k`` ``(ids, scores)``, each ``(len(item_ids), k)``, for many movies (raw ids) in an item view, each
    movie itself excluded: the lists of :func:`item_neighbours`, searched in one batch. ``""``/``-inf`` pad a row
    with fewer than ``k`` results."""
    if view not in ("similar", "cooccur"):
        raise UnknownIdError(f"unknown item view {view!r}; known: similar, cooccur")
    queries, _, _ = _view_of(model, view)
    rows = ds.item_vocab.indices([str(i) for i in item_ids])
    idx = index_for(model.output, view, (str(model.path), model.manifest.get("created")))
    return idx.search(queries[rows], k, [[str(i)] for i in item_ids])


def user_recommendations(ds: Dataset, model: StoredModel, user: str, k: int = 10) -> pd.DataFrame:
    """Top-``k`` unseen items for a user (training items excluded, as in evaluation)."""
    ids, sc = user_recommendation_ids(ds, model, [user], k)
    valid = ids[0] != ""
    return item_table(ds, ds.item_vocab.indices(ids[0][valid]), sc[0][valid])


def user_recommendation_ids(ds: Dataset, model: StoredModel, users, k: int = 10):
    """Top-``k`` unseen ``(ids, scores)``, each ``(len(users), k)``, for many users (raw ids), training items
    excluded: the lists of :func:`user_recommendations`, searched in one batch (``""``/``-inf`` pad)."""
    queries, _, _ = _view_of(model, "user")
    for user in users:
        if str(user) not in ds.user_vocab:
            raise UnknownIdError(f"unknown user {user!r} in {ds.name}")
    urows = [model.output.user_row(str(u)) for u in users]
    train = split_for(ds).train
    seen = [ds.item_vocab.ids[train.history(ds.user_vocab.index(str(u)))].tolist() for u in users]
    idx = index_for(model.output, "user", (str(model.path), model.manifest.get("created")))
    return idx.search(queries[urows], k, seen)


def user_profile(ds: Dataset, user: str) -> dict:
    """Demographics and the time-ordered training history of a user, plus the held-out test item."""
    if str(user) not in ds.user_vocab:
        raise UnknownIdError(f"unknown user {user!r} in {ds.name}")
    u = ds.user_vocab.index(str(user))
    split = split_for(ds)
    tr = split.train
    o = tr.user_offsets
    hist = item_table(ds, tr.item_idx[o[u]:o[u + 1]])
    hist["rating"] = tr.rating[o[u]:o[u + 1]]
    hist["date"] = pd.to_datetime(tr.timestamp[o[u]:o[u + 1]], unit="s")
    test = np.flatnonzero(split.test_users == u)
    demo = ds.users.iloc[u].to_dict()
    return {"user_id": str(user), "demographics": demo, "history": hist,
            "test_item": ds.item_vocab.id(int(split.test_items[test[0]])) if len(test) else None}


__all__ = ["KS", "item_neighbour_ids", "item_neighbours", "item_table", "leaderboard", "load", "stored_models",
           "user_profile", "user_recommendation_ids", "user_recommendations"]
