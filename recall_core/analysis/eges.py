"""EGES attention: the learned field weights, and what drives them.

The EGES paper makes two claims about its item-specific attention: the
importance of a field differs by *kind* of item, and sparse items lean on
side information (less weight on their own id). Read naively, Spearman
ρ(training interactions, id weight) tests the second claim. It is confounded
twice:

* **Exposure.** Attention logits start equal (weight 1/4 per field) and an
  item's row gets a gradient only in steps where the item is a walk centre;
  with Adam's per-parameter steps and momentum, how far a row moved depends on
  how often (and how recently) it was updated. The interaction count tracks
  that exposure, so a correlation with it can come from the training loop.
  EGES records the exposure per item (``extras["centre_counts"]``: the
  (centre, context) examples per epoch with the item as centre).
* **The popularity field** is a bucket of the very interaction count.

:func:`attention_drivers` therefore measures the relation *at equal exposure*,
two ways: (a) a partial Spearman correlation (Pearson correlation of the
rank residuals after a least-squares fit on the ranks of the centre count),
and (b) within quantile bins of the centre count (the same partial ρ inside
each bin, pooled by Fisher's z; the plain within-bin ρ is shown beside it).
Its verdict is one of :data:`VERDICTS`. :func:`attention_by_group`
shows the first claim: mean attention per field by primary genre
(:func:`recall_core.features.side_info.primary_genres`) and by release decade.

Everything reads stored arrays; nothing imports streamlit or TensorFlow.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special, stats

from recall_core.data import Dataset
from recall_core.errors import UnknownIdError, UsageError
from recall_core.data import item_table
from recall_core.features.side_info import primary_genres
from recall_core.models.base import l2_normalize
from recall_core.store import StoredModel
from recall_core.data.split import split_for

#: verdict codes of :func:`controlled_analysis` / :func:`attention_drivers`
VERDICTS = ("holds", "opposite", "exposure", "none", "inseparable", "insufficient", "unrecorded")
ALPHA = 0.01  # significance level of every verdict
MIN_EFFECT = 0.1  # smallest |ρ| a verdict calls a relation
NEAR_COLLINEAR = 0.95  # above this |ρ(interactions, centre count)| the verdict carries a caveat
COLLINEAR = 0.99  # above this the data cannot separate exposure from sparsity
EXPOSURES = {"centre_counts": "centre count", "centre_steps": "centre steps"}
GROUPINGS = {"genre": "primary_genre", "year_band": "year_band"}

# --------------------------------------------------------------------------- stored arrays


def _eges_extras(model: StoredModel) -> tuple[np.ndarray, list[str]]:
    ex = model.output.extras
    if "attention" not in ex or "attention_fields" not in ex:
        raise UnknownIdError(f"model {model.name!r} has no attention weights (is it an EGES model?)")
    att = np.asarray(ex["attention"], np.float64)
    fields = [str(f) for f in np.asarray(ex["attention_fields"]).tolist()]
    if att.ndim != 2 or att.shape != (len(model.output.item_ids), len(fields)):
        raise UnknownIdError(f"model {model.name!r}: attention has shape {att.shape}, expected "
                             f"({len(model.output.item_ids)}, {len(fields)})")
    return att, fields


def exposure_of(model: StoredModel, name: str = "centre_counts") -> np.ndarray | None:
    """``(n_items,)`` int64 exposure array from the model's extras, or ``None`` if the model predates it.

    ``name``: ``"centre_counts"`` ((centre, context) examples per epoch with the
    item as centre) or ``"centre_steps"`` (optimiser steps whose batch held it
    as a centre); see :mod:`recall_core.models.eges`.
    """
    if name not in EXPOSURES:
        raise UsageError(f"exposure must be one of {sorted(EXPOSURES)}, got {name!r}")
    a = model.output.extras.get(name)
    if a is None:
        return None
    a = np.asarray(a)
    if a.shape != (len(model.output.item_ids),):
        raise UnknownIdError(f"model {model.name!r}: {name} has shape {a.shape}, "
                             f"expected ({len(model.output.item_ids)},)")
    return a.astype(np.int64)


def item_attention(ds: Dataset, model: StoredModel, item: str) -> pd.DataFrame:
    """``field, weight``: one item's attention over its fields (weights sum to 1)."""
    att, fields = _eges_extras(model)
    row = ds.find_item(item)
    return pd.DataFrame({"field": fields, "weight": att[row]})


def attention_fields(model: StoredModel) -> list[str]:
    """Names of the attention fields (the first is the item id)."""
    return _eges_extras(model)[1]


def item_exposure(ds: Dataset, model: StoredModel, item: str) -> dict:
    """How often one item's attention row was updated in training.

    ``{"interactions", "known", "centre_count", "centre_steps", "steps",
    "median_centre_count"}``; the centre fields are ``None`` when the model
    predates them. ``centre_count`` 0 = never a walk centre (weights still at
    their uniform start). ``median_centre_count`` is over trained items.
    """
    row = ds.find_item(item)
    out = model.output
    cc, cs = exposure_of(model, "centre_counts"), exposure_of(model, "centre_steps")
    known = out.item_known is None or bool(out.item_known[row])
    info = model.manifest.get("info", {}) if isinstance(model.manifest, dict) else {}
    steps = (info.get("exposure") or {}).get("steps") if isinstance(info, dict) else None
    return {
        "interactions": int(split_for(ds).train.item_counts[row]), "known": known,
        "centre_count": None if cc is None else int(cc[row]),
        "centre_steps": None if cs is None else int(cs[row]),
        "steps": None if steps is None else int(steps),
        "median_centre_count": None if cc is None or not (cc > 0).any() else float(np.median(cc[cc > 0])),
    }


def year_bands(years, first: int = 1960) -> np.ndarray:
    """``(n,)`` str release decades: ``"<1960"``, ``"1960s"``, ..., and ``"unknown"`` for a missing year."""
    y = np.asarray(years, np.float64)
    out = np.full(len(y), "unknown", dtype=object)
    ok = np.isfinite(y)
    out[ok & (y < first)] = f"<{first}"
    later = ok & (y >= first)
    out[later] = [f"{int(v) // 10 * 10}s" for v in y[later]]
    return out.astype(str)


def _band_order(bands) -> list[str]:
    bands = set(bands)
    early = sorted(b for b in bands if b.startswith("<"))
    decades = sorted(b for b in bands if b.endswith("s") and b[:-1].isdigit())
    return early + decades + sorted(bands - set(early) - set(decades))


def attention_catalogue(ds: Dataset, model: StoredModel) -> pd.DataFrame:
    """Per trained item: ``movie_id, title, interactions[, centre_count], primary_genre, year_band``,
    one weight column per field, ``top_field``.

    ``centre_count`` (present when the model recorded it): (centre, context)
    examples per epoch with the item as centre. ``primary_genre``: its most
    specific genre (:func:`~recall_core.features.side_info.primary_genres`).
    Items the model never trained (``item_known`` False: never a walk centre)
    keep their initial uniform weights, so they are left out.
    """
    att, fields = _eges_extras(model)
    counts = split_for(ds).train.item_counts
    known = model.output.item_known
    rows = np.flatnonzero(known) if known is not None else np.arange(len(att))
    df = pd.DataFrame(att[rows], columns=fields)
    df.insert(0, "year_band", year_bands(ds.items["year"].to_numpy(np.float64)[rows]))
    df.insert(0, "primary_genre", primary_genres(ds)[rows])
    cc = exposure_of(model)
    if cc is not None:
        df.insert(0, "centre_count", cc[rows])
    df.insert(0, "interactions", counts[rows])
    df.insert(0, "title", ds.items["title"].to_numpy()[rows])
    df.insert(0, "movie_id", ds.item_vocab.ids[rows])
    df["top_field"] = np.asarray(fields)[att[rows].argmax(axis=1)]
    return df


# --------------------------------------------------------------------------- statistics


def ranks(a) -> np.ndarray:
    """``(n,)`` float64 ranks from 1, ties given their average rank (= ``scipy.stats.rankdata``, faster)."""
    a = np.asarray(a, np.float64)
    order = np.argsort(a, kind="mergesort")
    s = a[order]
    new = np.r_[True, s[1:] != s[:-1]] if len(s) else np.zeros(0, bool)
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(a)]
    out = np.empty(len(a))
    out[order] = ((starts + ends + 1) / 2.0)[np.cumsum(new) - 1]
    return out


def _t_p(r: float, n: int, k: int) -> float:
    """Two-sided p of a correlation ``r`` from ``n`` values with ``k`` parameters (t with ``n - k`` df)."""
    if abs(r) >= 1.0:
        return 0.0
    t = r * np.sqrt((n - k) / (1.0 - r ** 2))
    return float(2 * special.stdtr(n - k, -abs(t)))


def spearman(x, y) -> tuple[float, float]:
    """Spearman ``(ρ, two-sided p)``; ``(nan, nan)`` with fewer than 3 values or a constant input."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan"), float("nan")
    # = scipy.stats.spearmanr (Pearson ρ of average ranks, p from t with n - 2 df), without its overhead
    rho = float(np.clip(np.corrcoef(ranks(x), ranks(y))[0, 1], -1.0, 1.0))
    return rho, _t_p(rho, n, 2)


def partial_spearman(x, y, z) -> tuple[float, float]:
    """Partial Spearman ``(ρ, two-sided p)`` of ``x`` and ``y`` controlling for ``z``.

    Ranks (average ties) of all three; the ranks of ``x`` and of ``y`` are each
    regressed on ``[1, rank(z)]`` by least squares, and ρ is the Pearson
    correlation of the two residuals. ``p`` from ``t = ρ sqrt((n - 3) / (1 - ρ²))``
    with ``n - 3`` degrees of freedom. ``(nan, nan)`` when undefined (fewer than
    5 values, or a residual is constant).
    """
    x, y, z = (np.asarray(a, np.float64) for a in (x, y, z))
    n = len(x)
    if n < 5 or min(np.ptp(x), np.ptp(y), np.ptp(z)) == 0:
        return float("nan"), float("nan")
    rx, ry, rz = (ranks(a) for a in (x, y, z))
    design = np.column_stack([np.ones(n), rz])
    ex = rx - design @ np.linalg.lstsq(design, rx, rcond=None)[0]
    ey = ry - design @ np.linalg.lstsq(design, ry, rcond=None)[0]
    sx, sy = np.sqrt(ex @ ex), np.sqrt(ey @ ey)
    scale = np.sqrt(n) * max(np.std(rx), np.std(ry))
    if sx <= 1e-9 * scale or sy <= 1e-9 * scale:
        return float("nan"), float("nan")
    rho = float(np.clip(ex @ ey / (sx * sy), -1.0, 1.0))
    return rho, _t_p(rho, n, 3)


def _strata(z: np.ndarray, n_bins: int) -> np.ndarray:
    """``(n,)`` int bin of each value of ``z``: quantile bins, equal values always in the same bin."""
    codes = pd.qcut(pd.Series(z), n_bins, labels=False, duplicates="drop")
    return np.asarray(codes, np.int64)


def within_strata(x, y, z, n_bins: int = 10) -> tuple[pd.DataFrame, tuple[float, float]]:
    """``x`` against ``y`` inside quantile bins of ``z``: compare items with similar ``z``.

    Returns the per-bin table (``bin`` = range of ``z``, ``items``,
    ``rho_x_z`` = how much ``x`` still tracks ``z`` inside the bin, Spearman
    ``rho_x_y`` and ``rho_z_y``, and ``partial_x_y`` = the partial Spearman ρ of
    ``x`` and ``y`` given ``z`` inside the bin) and the pooled ``(ρ, p)`` of
    ``partial_x_y``: bins of at least 6 items with a defined value, Fisher's z
    averaged with weights ``n - 4``, ``p`` two-sided normal.

    Why the partial inside each bin: a bin still spans a range of ``z``
    (the top decile of a skewed count most of all), and a plain within-bin ρ
    would keep the part of the relation that runs through that range.
    """
    x, y, z = (np.asarray(a, np.float64) for a in (x, y, z))
    codes = _strata(z, n_bins)
    rows, zs, ws = [], [], []
    for b in np.unique(codes):
        m = codes == b
        lo, hi = z[m].min(), z[m].max()
        r_part = partial_spearman(x[m], y[m], z[m])[0] if np.ptp(z[m]) > 0 else spearman(x[m], y[m])[0]
        rows.append({"bin": f"{lo:g}–{hi:g}", "items": int(m.sum()), "rho_x_z": spearman(x[m], z[m])[0],
                     "rho_x_y": spearman(x[m], y[m])[0], "rho_z_y": spearman(z[m], y[m])[0],
                     "partial_x_y": r_part})
        if m.sum() >= 6 and np.isfinite(r_part):
            zs.append(np.arctanh(np.clip(r_part, -0.999999, 0.999999)))
            ws.append(m.sum() - 4.0)
    table = pd.DataFrame(rows, columns=["bin", "items", "rho_x_z", "rho_x_y", "rho_z_y", "partial_x_y"])
    if not ws:
        return table, (float("nan"), float("nan"))
    ws = np.asarray(ws)
    zbar = float(np.dot(ws, zs) / ws.sum())
    p = float(2 * stats.norm.sf(abs(zbar) * np.sqrt(ws.sum())))
    return table, (float(np.tanh(zbar)), p)


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _significant(r: float, p: float) -> bool:
    return bool(np.isfinite(r) and np.isfinite(p) and p < ALPHA and abs(r) >= MIN_EFFECT)


def _verdict(raw, partial, within, rho_xz, alone, n_bins, exposure_label, collinear) -> tuple[str, str]:
    """``(code, text)`` from the measured correlations (see :func:`controlled_analysis`)."""
    if abs(rho_xz) > collinear:
        return "inseparable", (
            f"The data cannot separate exposure from sparsity: an item's training interactions and its "
            f"{exposure_label} rank almost alike (Spearman ρ = {rho_xz:+.3f}), so there are no items with equal "
            f"exposure and different interactions to compare. Uncontrolled, ρ(interactions, id weight) = "
            f"{raw[0]:+.2f}.")
    ps, ws = _significant(*partial), _significant(*within)
    nums = (f"partial Spearman ρ = {partial[0]:+.2f} ({_p(partial[1])}) controlling for the {exposure_label}; "
            f"within {n_bins} bins of similar {exposure_label}, partial ρ = {within[0]:+.2f} ({_p(within[1])}); "
            f"uncontrolled ρ = {raw[0]:+.2f}")
    caveat = (f" Caveat: interactions and {exposure_label} are nearly collinear (ρ = {rho_xz:+.2f}), so these "
              f"figures rest on the items whose two counts disagree." if abs(rho_xz) > NEAR_COLLINEAR else "")
    if ps and ws and np.sign(partial[0]) == np.sign(within[0]):
        if partial[0] > 0:
            return "holds", (
                f"The claim holds after controlling for exposure: among items that were walk centres about equally "
                f"often, those with more training interactions put more weight on their id, so sparse items lean "
                f"on side information ({nums}).{caveat}")
        return "opposite", (
            f"The opposite of the claim, after controlling for exposure: among items that were walk centres about "
            f"equally often, those with more training interactions put *less* weight on their id, so sparse items "
            f"lean on their id ({nums}).{caveat}")
    if ps or ws:
        return "inseparable", (
            f"The data cannot separate exposure from sparsity: the two controls disagree ({nums}).{caveat}")
    if _significant(*raw):
        return "exposure", (
            f"Exposure, not sparsity: the uncontrolled relation (ρ = {raw[0]:+.2f}) disappears at equal exposure "
            f"({nums}); the {exposure_label} alone gives ρ = {alone[0]:+.2f} with the id weight.{caveat}")
    return "none", f"No clear relation between interactions and id weight, with or without controlling ({nums})."


def controlled_analysis(interactions, exposure, attention, fields, n_bins: int = 10,
                        exposure_label: str = "centre count", collinear: float = COLLINEAR) -> dict:
    """Does the id weight follow the interaction count once exposure is held fixed? Arrays in, numbers out.

    ``interactions``, ``exposure`` ``(n,)``; ``attention`` ``(n, n_fields)``
    (rows: trained items only); ``fields``: names, the first is the item id.
    Returns::

        {"verdict": one of VERDICTS, "text": a sentence with the numbers,
         "n_items", "id_field", "n_bins",
         "rho_interactions_exposure": Spearman ρ of the two counts,
         "raw": (ρ, p) interactions vs id weight,
         "partial": (ρ, p) the same controlling for exposure,
         "within": (ρ, p) pooled within exposure bins (:func:`within_strata`),
         "exposure_alone": (ρ, p) exposure vs id weight,
         "exposure_partial": (ρ, p) exposure vs id weight controlling for interactions,
         "fields": DataFrame, one row per field (+ the id's share of the fields
                   other than popularity): mean weight and the same correlations,
         "strata": DataFrame, the id weight within each exposure bin,
         "popularity_note": text or "",
         "values": the verdict's numbers (``raw``, ``partial``, ``partial_p``, ``within``, ``within_p``,
                   ``rho_xz``, ``alone``, ``n_bins``, ``caveat``, ``collinear``) for the app to word in
                   another language; "popularity_values": the note's numbers, or None}

    Verdict: ``inseparable`` if ``|ρ(interactions, exposure)| > collinear``;
    ``holds`` / ``opposite`` when the partial and the pooled within-bin partial ρ are
    both significant (p < ALPHA, ``|ρ| >= MIN_EFFECT``) with the same sign
    (positive = the paper's claim); ``inseparable`` when only one of them is,
    or they disagree; otherwise ``exposure`` if the uncontrolled ρ was
    significant, else ``none``.
    """
    x = np.asarray(interactions, np.float64)
    z = np.asarray(exposure, np.float64)
    att = np.asarray(attention, np.float64)
    fields = [str(f) for f in fields]
    id_field = fields[0]
    base = {"n_items": int(len(x)), "id_field": id_field, "n_bins": 0, "fields": pd.DataFrame(),
            "strata": pd.DataFrame(), "popularity_note": ""}
    nan2 = (float("nan"), float("nan"))
    if len(x) < 10 or np.ptp(x) == 0 or np.ptp(z) == 0 or np.ptp(att[:, 0]) == 0:
        return {**base, "verdict": "insufficient", "rho_interactions_exposure": float("nan"), "raw": nan2,
                "partial": nan2, "within": nan2, "exposure_alone": nan2, "exposure_partial": nan2,
                "text": f"Not enough variation in weights or counts over {len(x)} trained items to tell.",
                "values": {"n_items": int(len(x))}, "popularity_values": None}
    rho_xz = spearman(x, z)[0]
    targets = {f: att[:, j] for j, f in enumerate(fields)}
    if "popularity" in fields and len(fields) > 2:
        keep = [j for j, f in enumerate(fields) if f != "popularity"]
        share = f"{id_field} / ({' + '.join(fields[j] for j in keep)})"
        targets[share] = att[:, 0] / att[:, keep].sum(axis=1)
    rows, strata, within = [], None, nan2
    for name, y in targets.items():
        tab, w = within_strata(x, y, z, n_bins)
        if strata is None:  # the first target is the id weight
            strata, within = tab, w
        rows.append({"weight": name, "mean": float(y.mean()), "rho_interactions": spearman(x, y)[0],
                     "rho_exposure": spearman(z, y)[0], "partial_interactions": partial_spearman(x, y, z)[0],
                     "partial_exposure": partial_spearman(z, y, x)[0], "within_bins": w[0]})
    table = pd.DataFrame(rows)
    y = att[:, 0]
    raw, partial = spearman(x, y), partial_spearman(x, y, z)
    alone, alone_partial = spearman(z, y), partial_spearman(z, y, x)
    n_used = int(len(strata))
    code, text = _verdict(raw, partial, within, rho_xz, alone, n_used, exposure_label, collinear)
    values = {"raw": raw[0], "partial": partial[0], "partial_p": _p(partial[1]), "within": within[0],
              "within_p": _p(within[1]), "rho_xz": rho_xz, "alone": alone[0], "n_bins": n_used,
              "caveat": bool(abs(rho_xz) > NEAR_COLLINEAR), "collinear": bool(abs(rho_xz) > collinear)}
    note, note_values = "", None
    if "popularity" in targets and len(table) > len(fields):
        pop, sh = table.iloc[fields.index("popularity")], table.iloc[-1]
        note_values = {"pop_rho": pop["rho_interactions"], "pop_partial": pop["partial_interactions"],
                       "fields": sh["weight"].split("/ ")[1], "rho": sh["rho_interactions"],
                       "partial": sh["partial_interactions"], "within": sh["within_bins"]}
        note = (f"The popularity field is a bucket of the interaction count itself, so its weight can follow the "
                f"count by construction (popularity weight: ρ = {pop['rho_interactions']:+.2f}, partial ρ = "
                f"{pop['partial_interactions']:+.2f}). Leaving that field out, the id's share of "
                f"{sh['weight'].split('/ ')[1]} gives ρ = {sh['rho_interactions']:+.2f}, partial ρ = "
                f"{sh['partial_interactions']:+.2f}, within bins partial ρ = {sh['within_bins']:+.2f}.")
    return {**base, "verdict": code, "text": text, "n_bins": n_used, "rho_interactions_exposure": rho_xz,
            "raw": raw, "partial": partial, "within": within, "exposure_alone": alone,
            "exposure_partial": alone_partial, "fields": table,
            "strata": strata.rename(columns={"bin": exposure_label, "rho_x_z": "rho_interactions_exposure",
                                             "rho_x_y": f"rho_interactions_{id_field}",
                                             "rho_z_y": f"rho_exposure_{id_field}",
                                             "partial_x_y": f"partial_interactions_{id_field}"}),
            "popularity_note": note, "values": values, "popularity_values": note_values}


def _interaction_bins(df: pd.DataFrame, id_field: str) -> pd.DataFrame:
    """Trained items by interaction count: ``interactions, items, mean id weight[, median centre count]``."""
    edges = [0, 5, 20, 100, 300, np.inf]
    labels = ["1-5", "6-20", "21-100", "101-300", ">300"]
    b = pd.cut(df["interactions"], edges, labels=labels, right=True)
    agg = {"items": (id_field, "size"), f"mean {id_field} weight": (id_field, "mean")}
    if "centre_count" in df:
        agg["median centre count"] = ("centre_count", "median")
    return df.groupby(b, observed=True).agg(**agg).reset_index()


def attention_drivers(ds: Dataset, model: StoredModel, n_bins: int = 10, exposure: str = "centre_counts",
                      collinear: float = COLLINEAR) -> dict:
    """What drives the id weight of a stored EGES model: :func:`controlled_analysis` on its trained items.

    Adds ``"bins"`` (the uncontrolled view by interaction count) and
    ``"exposure"`` (the name used). A model stored before EGES recorded its
    centre counts gets ``verdict="unrecorded"`` and the uncontrolled figures only.
    """
    att, fields = _eges_extras(model)
    df = attention_catalogue(ds, model)
    z_all = exposure_of(model, exposure)
    id_field = fields[0]
    bins = _interaction_bins(df, id_field) if len(df) else pd.DataFrame()
    if z_all is None:
        raw = spearman(df["interactions"], df[id_field])
        return {"verdict": "unrecorded", "exposure": exposure, "id_field": id_field, "n_items": len(df),
                "raw": raw, "bins": bins, "fields": pd.DataFrame(), "strata": pd.DataFrame(), "popularity_note": "",
                "values": {"raw": raw[0]}, "popularity_values": None,
                "text": (f"This EGES model was stored before training recorded how often each item was a walk "
                         f"centre, so exposure cannot be told from sparsity: retrain EGES. Uncontrolled, "
                         f"ρ(interactions, id weight) = {raw[0]:+.2f}, which by itself says nothing about the claim.")}
    known = model.output.item_known
    rows = np.flatnonzero(known) if known is not None else np.arange(len(att))
    res = controlled_analysis(df["interactions"].to_numpy(), z_all[rows], att[rows], fields, n_bins,
                              EXPOSURES[exposure], collinear)
    return {**res, "bins": bins, "exposure": exposure}


# --------------------------------------------------------------------------- by kind of item


def attention_by_group(ds: Dataset, model: StoredModel, by: str = "genre", relative_to_exposure: bool = False,
                       n_bins: int = 10) -> pd.DataFrame:
    """Mean attention per field by kind of item (the paper's first claim), trained items only.

    ``by="genre"``: the item's primary genre (its most specific one,
    :func:`~recall_core.features.side_info.primary_genres`), groups by size;
    ``by="year_band"``: release decade (:func:`year_bands`), in time order.
    Columns: the group, ``items``, ``median_interactions``,
    ``median_centre_count`` (when recorded: groups also differ in exposure),
    then one mean-weight column per field.

    ``relative_to_exposure``: each item's weight minus the mean weight of the
    items in its centre-count bin (``n_bins`` quantile bins), so a group's
    value says how it differs from items updated about as often (0 = no
    difference). Needs recorded centre counts.
    """
    if by not in GROUPINGS:
        raise UsageError(f"by must be one of {sorted(GROUPINGS)}, got {by!r}")
    col = GROUPINGS[by]
    _, fields = _eges_extras(model)
    df = attention_catalogue(ds, model)
    if relative_to_exposure:
        if "centre_count" not in df:
            raise UsageError(f"model {model.name!r} has no recorded centre counts: retrain EGES to compare "
                             f"items of equal exposure")
        codes = _strata(df["centre_count"].to_numpy(np.float64), n_bins)
        for f in fields:
            df[f] = df[f] - df.groupby(codes)[f].transform("mean")
    agg = {"items": (fields[0], "size"), "median_interactions": ("interactions", "median")}
    if "centre_count" in df:
        agg["median_centre_count"] = ("centre_count", "median")
    agg.update({f: (f, "mean") for f in fields})
    out = df.groupby(col).agg(**agg).reset_index()
    if by == "year_band":
        out = out.set_index(col).loc[_band_order(out[col])].reset_index()
    else:
        out = out.sort_values(["items", col], ascending=[False, True]).reset_index(drop=True)
    return out


def group_contrast(table: pd.DataFrame, fields: list[str], min_items: int = 20) -> pd.DataFrame:
    """Per field, the lowest and highest group mean among groups of at least ``min_items`` items.

    ``field, low_group, low, high_group, high, spread`` (spread = high - low), largest spread first.
    """
    group = table.columns[0]
    t = table[table["items"] >= min_items]
    rows = []
    for f in fields:
        if not len(t):
            break
        lo, hi = t.loc[t[f].idxmin()], t.loc[t[f].idxmax()]
        rows.append({"field": f, "low_group": lo[group], "low": float(lo[f]), "high_group": hi[group],
                     "high": float(hi[f]), "spread": float(hi[f] - lo[f])})
    out = pd.DataFrame(rows, columns=["field", "low_group", "low", "high_group", "high", "spread"])
    return out.sort_values("spread", ascending=False).reset_index(drop=True)


# --------------------------------------------------------------------------- cold start


def cold_start_neighbours(ds: Dataset, model: StoredModel, genres: list[str], year: int | None, k: int = 10):
    """``(vector (d,), table)``: a film that does not exist, embedded from genres + year only, and its
    ``k`` nearest trained films by cosine (EGES :func:`~recall_core.models.eges.cold_start_vector`)."""
    from recall_core.models.eges import cold_start_vector

    out = model.output
    try:
        v = cold_start_vector(out, list(genres), year)
    except ValueError as e:
        raise UnknownIdError(f"model {model.name!r}: {e}") from None
    known = out.item_known if out.item_known is not None else np.ones(len(out.item_ids), bool)
    cand = np.flatnonzero(known)
    sims = l2_normalize(out.item_vectors[cand]) @ l2_normalize(v[None, :])[0]
    top = np.argsort(-sims, kind="stable")[:k]
    return v, item_table(ds, cand[top], sims[top])
