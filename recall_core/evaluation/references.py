"""The reference rows of the leaderboard (scoring rules, not embedding models), computed once per data and kept
in the store.

* **most-popular**, when it is not stored as a model (:func:`mostpop_metrics`);
* **transition** (:mod:`recall_core.evaluation.baselines`; :func:`transition_metrics`);
* **EASE** (:mod:`recall_core.evaluation.ease`: λ chosen on validation, fitted on the test split;
  :func:`ease_reference`, its top lists :func:`ease_lists`, its row :func:`ease_row`).

Each is scored on every evaluable user, and only changes with the data (``ds.fingerprint``) or its settings, so
the Overview need not pay for it in every new server process. The store keeps the results under that key
(:func:`recall_core.store.keep_reference`, ``.<name>.json`` beside the models, a dot file that is never taken
for a model); a store that cannot be written, or a kept file that does not match, just means computing again.
Metrics dicts are :func:`recall_core.evaluation.evaluate`'s (``hr@K``, ``ndcg@K``, ..., ``users``, ``ci95``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from recall_core.store import keep_reference, kept_reference, kept_reference_arrays, store_key

#: the format of a kept metrics dict (2: with the bootstrap intervals); an older file is computed again
METRICS_FORMAT = 2


def kept_metrics(ds, store: Path, holdout: str, name: str, settings: dict, compute) -> dict:
    """``compute()``'s metrics, kept in the store under the data's fingerprint, the split ``holdout`` and
    ``settings`` (:func:`recall_core.store.reference_file` ``name``): scored once per data, not in every app
    process."""
    key = {"fingerprint": ds.fingerprint, "split": holdout, "settings": settings, "metrics": METRICS_FORMAT}
    skey = store_key(ds.key, holdout)
    cached = kept_reference(store, skey, name, key, "metrics")
    if cached is not None:
        return cached
    metrics = compute()
    keep_reference(store, skey, name, key, "metrics", metrics)
    return metrics


def transition_metrics(ds, store: Path, split, holdout: str = "test") -> dict:
    """The transition reference's metrics on ``split`` (the :class:`~recall_core.data.Split` of ``holdout``),
    computed once per data and settings and kept in the store (:func:`kept_metrics`)."""
    from recall_core.evaluation.baselines import TRANSITION_DEFAULTS, evaluate_transition

    return kept_metrics(ds, store, holdout, "transition", TRANSITION_DEFAULTS, lambda: evaluate_transition(split))


def mostpop_metrics(ds, store: Path, split, holdout: str = "test") -> dict:
    """Most-popular's metrics on ``split`` when no most-popular model is stored: fitted on the split's training
    data, evaluated, and kept in the store (:func:`kept_metrics`)."""
    from recall_core.evaluation import evaluate
    from recall_core.models.mostpop import MostPop

    return kept_metrics(ds, store, holdout, "mostpop", {},
                        lambda: evaluate(MostPop().fit(split.train).export(), split))


def ease_row(ds, store: Path, holdout: str = "test") -> dict:
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


def _ease_key() -> dict:
    from recall_core.evaluation import ease

    return {"lambdas": list(ease.LAMBDAS), "max_items": ease.EASE_MAX_ITEMS, "keep_top": ease.KEEP_TOP}


def ease_reference(ds, store: Path, compute: bool = True, progress=None) -> dict | None:
    """The EASE reference of ``ds`` (:func:`recall_core.evaluation.ease.fit_reference`: λ chosen on validation,
    fitted on the test split), computed once per data and settings and kept in the store.

    Returns ``{"lambda", "valid", "test", "valid_by_lambda", "seconds", "n_items"}`` (metrics dicts), or
    ``{"skipped": message}`` above :data:`~recall_core.evaluation.ease.EASE_MAX_ITEMS` items; ``None`` when
    nothing is kept and ``compute`` is False. Kept with every user's top
    :data:`~recall_core.evaluation.ease.KEEP_TOP` unseen items (:func:`ease_lists`): the arrays first, then the
    result holding their sha256 (:func:`recall_core.store.keep_reference`), each atomically.
    """
    from recall_core.data.split import split_for
    from recall_core.evaluation import ease

    key = {"fingerprint": ds.fingerprint, **_ease_key()}
    kept = kept_reference(store, ds.key, "ease", key, "result")
    if kept is not None:
        return kept
    if not compute:
        return None
    if ds.n_items > ease.EASE_MAX_ITEMS:
        result, arrays = {"skipped": ease.too_large(ds.n_items)}, None
    else:
        full = ease.fit_reference(split_for(ds, "valid"), split_for(ds, "test"), progress=progress)
        arrays = {k: full.pop(k) for k in ("top_rows", "top_scores", "ranks")}
        result = full
    keep_reference(store, ds.key, "ease", key, "result", result, arrays=arrays)
    return result


def ease_lists(ds, store: Path) -> dict[str, np.ndarray] | None:
    """The kept EASE top lists of the test split (``top_rows``, ``top_scores`` ``(n_users, KEEP_TOP)``, ``ranks``
    ``(n_test,)``: :func:`recall_core.evaluation.ease.fit_reference`), or ``None`` when none are kept for this
    data or the file does not match its checksum."""
    ref = ease_reference(ds, store, compute=False)
    if not ref or "npz_sha256" not in ref:
        return None
    return kept_reference_arrays(store, ds.key, "ease", ref["npz_sha256"])
