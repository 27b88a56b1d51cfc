"""The Overview's leaderboard as data: which rows compete, their 95% intervals, the best and the ties.

Rows are :func:`leaderboard_rows`'s dicts (read from the store) (``model``, ``metrics``, ``i2i``, ``train_seconds``,
``model_class``, and optionally ``reference`` and ``variant_of``). Each row falls in one :data:`GROUPS` group
(:func:`row_group`):

* ``"models"``: the models whose defaults were chosen on validation (`make ablations`) and the reference rows
  (most-popular, the transition rule, and any row marked ``reference``). Only these compete: the best
  highlight is taken among them.
* ``"sweep"``: stored variants of a model (``dssm@t0.05``, ``variant_of`` set): a sweep of one setting, not
  chosen on validation; shown apart, beside the best but never it.
* ``"imported"``: vectors trained elsewhere (model class ``imported``): nobody chose their settings here.

Intervals: the 95% bootstrap interval over users that evaluation stored with the metrics (``metrics["ci95"]``,
:func:`recall_core.evaluation.metrics.bootstrap_intervals`); a manifest written before intervals existed has
none, and the cell is left empty (the page shows "–"). *Tie with best*: a row whose HR@K interval overlaps the
best row's. Overlapping 95% intervals is a conservative test (the users are the same for every row, and a
paired comparison would separate more pairs): "tie" means this data cannot tell the two apart, not that they
are equal.

To add a column (issue 21's "defaults/tuned") add an entry to :data:`COLUMNS`' builders in :func:`frames`; to
add a reference row (EASE), give its row ``reference: True``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from recall_core.evaluation.metrics import INTERVALS

# --------------------------------------------------------------------------- the rows, read from the store


def leaderboard_rows(ds, store: Path, names: list[str] | None = None, recompute: bool = False,
                     split: str = "test") -> tuple[list[dict], dict[str, str]]:
    """``(rows, errors)``: one dict per model (metrics, I2I metrics, train_seconds, created), and
    ``{name: message}`` for models that could not be read.

    Most-popular is always a row: from the store if trained, else computed on the spot;
    so is the ``transition`` reference baseline (a scoring rule, see
    :mod:`recall_core.evaluation.baselines`), and the ``ease`` reference
    (:func:`recall_core.evaluation.references.ease_row`; a row without metrics and with a ``note`` when the
    catalogue is too large for it). The references are kept in the store (:mod:`recall_core.evaluation.references`).
    ``recompute`` re-evaluates the stored vectors on the current split instead of
    trusting the manifest's numbers. ``split``: ``test`` (models trained for the
    test split, scored on each user's last item) or ``valid`` (models trained
    for validation, scored on the second-to-last item).
    """
    from recall_core.data.split import split_for
    from recall_core.errors import RecallError
    from recall_core.evaluation import evaluate, evaluate_i2i
    from recall_core.evaluation.references import ease_row, mostpop_metrics, transition_metrics
    from recall_core.models.base import find_model_class
    from recall_core.store import load_trained, stored_models

    names = stored_models(ds, store, split) if names is None else names
    rows, errors = [], {}
    data_split = split_for(ds, split)
    for name in names:
        try:
            m = load_trained(ds, store, name, split)
        except RecallError as e:
            errors[name] = str(e)
            continue
        metrics, i2i = m.manifest.get("metrics", {}), m.manifest.get("i2i_metrics", {})
        if recompute:
            metrics = evaluate(m.output, data_split) if m.output.has_users else {}
            cls = find_model_class(m.manifest.get("model_class", name))
            i2i = evaluate_i2i(m.output, data_split) if cls and cls.i2i else {}
        rows.append({"model": name, "metrics": metrics, "i2i": i2i,
                     "train_seconds": m.manifest.get("train_seconds"), "created": m.manifest.get("created"),
                     "model_class": m.manifest.get("model_class", name),
                     "variant_of": m.manifest.get("variant_of")})
    rows.insert(0, {"model": "transition", "metrics": transition_metrics(ds, store, data_split, split), "i2i": {},
                    "train_seconds": None,
                    "created": None, "model_class": "transition", "reference": True})
    rows.insert(0, ease_row(ds, store, split))
    if not any(r["model_class"] == "mostpop" for r in rows):
        rows.insert(0, {"model": "mostpop", "metrics": mostpop_metrics(ds, store, data_split, split), "i2i": {},
                        "train_seconds": 0.0, "created": None, "model_class": "mostpop", "reference": True})
    first = {"mostpop": 0, "transition": 1, "ease": 2}
    rows.sort(key=lambda r: first.get(r["model"], 2))  # stable: models keep their order
    return rows, errors


# --------------------------------------------------------------------------- the table

#: the groups, in display order
GROUPS = ("models", "sweep", "imported")
#: rows that are references whatever their dict says
REFERENCES = ("mostpop", "transition")
#: columns where lower is better (the best is the minimum)
LOWER_IS_BETTER = ("Train s",)
#: the vs-best marks (codes; the page words them in its language)
BEST, TIE, BELOW, ABOVE = "best", "tie", "below", "above"


def row_group(row: dict) -> str:
    """``"models"``, ``"sweep"`` or ``"imported"`` (see the module docstring)."""
    name = str(row.get("model", ""))
    if row.get("reference") or name in REFERENCES:
        return "models"
    if row.get("model_class") == "imported":
        return "imported"
    if row.get("variant_of") or "@" in name:
        return "sweep"
    return "models"


def interval(row: dict, metric: str) -> tuple[float, float] | None:
    """The stored 95% interval of ``metric`` (``"hr@10"``) of a row, or None (an older manifest, no users)."""
    ci = (row.get("metrics") or {}).get(INTERVALS) or {}
    v = ci.get(metric)
    if not isinstance(v, (list, tuple)) or len(v) != 2:
        return None
    return float(v[0]), float(v[1])


def interval_text(ci: tuple[float, float] | None) -> str | None:
    return None if ci is None else f"{ci[0]:.4f}–{ci[1]:.4f}"


@dataclass
class Leaderboard:
    """``frames``: ``{group: DataFrame}`` (index: model name; only groups with rows); ``best``: ``{column:
    model}`` among the ``"models"`` group; ``vs_best``: ``{model: BEST | TIE | BELOW | ABOVE}`` on HR@K (no
    entry: no interval to compare); ``k``: the K of the columns."""

    frames: dict[str, pd.DataFrame]
    best: dict[str, str]
    vs_best: dict[str, str] = field(default_factory=dict)
    k: int = 10

    @property
    def metric_columns(self) -> list[str]:
        return [f"HR@{self.k}", f"NDCG@{self.k}", "MRR", f"Coverage@{self.k}", f"I2I HR@{self.k}"]


def _best(frame: pd.DataFrame, columns: list[str]) -> dict[str, str]:
    best = {}
    for c in columns:
        col = pd.to_numeric(frame[c], errors="coerce") if c in frame else pd.Series(dtype=float)
        if col.notna().any():
            best[c] = str(col.idxmin() if c in LOWER_IS_BETTER else col.idxmax())
    return best


def _vs_best(rows: list[dict], best_name: str | None, metric: str) -> dict[str, str]:
    if best_name is None:
        return {}
    best_row = next(r for r in rows if r["model"] == best_name)
    ref = interval(best_row, metric)
    if ref is None:
        return {}
    best_value = (best_row.get("metrics") or {}).get(metric)
    out = {}
    for r in rows:
        ci = interval(r, metric)
        if ci is None:
            continue
        if r["model"] == best_name:
            out[r["model"]] = BEST
        elif ci[0] <= ref[1] and ref[0] <= ci[1]:
            out[r["model"]] = TIE
        else:
            out[r["model"]] = ABOVE if (r.get("metrics") or {}).get(metric, 0) > best_value else BELOW
    return out


def frames(rows: list[dict], k: int = 10) -> Leaderboard:
    """The leaderboard at ``k``: one frame per group, the best per column of the ``"models"`` group, and each
    row's HR@K interval against the best one's.

    Columns (a missing number is NaN or None: the page shows "–"): ``HR@K``, ``HR@K 95%`` (``"lo–hi"``), ``NDCG@K``,
    ``NDCG@K 95%``, ``vs best``, ``MRR``, ``Coverage@K``, ``I2I HR@K``, ``Train s``, ``Distinct lists@10``.
    Precision@K and Recall@K are left out: with one held-out item per user Recall@K = HR@K and
    Precision@K = HR@K / K.
    """
    hr, ndcg = f"hr@{k}", f"ndcg@{k}"
    data: dict[str, dict[str, dict]] = {g: {} for g in GROUPS}
    for r in rows:
        m, i2i = r.get("metrics") or {}, r.get("i2i") or {}
        data[row_group(r)][r["model"]] = {
            f"HR@{k}": m.get(hr), f"HR@{k} 95%": interval_text(interval(r, hr)),
            f"NDCG@{k}": m.get(ndcg), f"NDCG@{k} 95%": interval_text(interval(r, ndcg)),
            "vs best": None,
            "MRR": m.get("mrr"), f"Coverage@{k}": m.get(f"coverage@{k}"), f"I2I HR@{k}": i2i.get(hr),
            "Train s": r.get("train_seconds"), "Distinct lists@10": m.get("distinct_lists@10"),
        }
    out = {g: pd.DataFrame.from_dict(d, orient="index") for g, d in data.items() if d}
    lb = Leaderboard(out, {}, {}, k)
    if "models" in out:
        lb.best = _best(out["models"], [*lb.metric_columns, "Train s"])
        lb.vs_best = _vs_best(rows, lb.best.get(f"HR@{k}"), hr)
    for frame in out.values():
        frame["vs best"] = [lb.vs_best.get(name) for name in frame.index]
    return lb
