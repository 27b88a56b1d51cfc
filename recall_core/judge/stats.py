"""Uncertainty and agreement: paired bootstrap over probes, Bradley–Terry with bootstrap, judges' agreement.

* :func:`paired_bootstrap`: 95% percentile intervals of each model's mean score and of every pair's difference,
  resampling *probes* with replacement (the same resampled probes for every model: paired). A pair whose
  difference interval contains 0 is a tie.
* :func:`bradley_terry`: ratings from A/B votes with ``choix`` (iterative Luce spectral ranking on the matrix of
  wins; a tie or *both bad* counts half a win to each side), with 95% intervals from resampling votes. A rating
  is a log-strength (natural log, mean 0 over the models voted on): P(i beats j) = 1 / (1 + exp(r_j − r_i)).
* :func:`pair_votes` and :func:`votes_needed`: votes per pair, an exact binomial test on the decisive ones (ties
  and *both bad* left out), and how many decisive votes a two-sided test at 5% needs to detect a given preference
  with 80% power (normal approximation: 194 for 60/40, 47 for 70/30). :func:`probes_needed` is the same for
  graded judgments: how many probes separate a difference in nDCG@K, given how much it varies between probes.
* :func:`agreement`: Krippendorff's α (ordinal, the ``krippendorff`` package) over the (probe, movie) units
  graded by two or more judges, and Cohen's κ (unweighted; checked against scikit-learn's) between two judges on
  the units both graded. *Can't judge* is a missing value.
* :func:`kendall_tau`: Kendall's τ-b (scipy) between two scores across models.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

N_BOOT = 1000
CI = 95.0
#: choix's regularisation (prior transition rate): keeps ratings finite when a model never lost
BT_ALPHA = 0.01
SIGNIFICANCE = 0.05
POWER = 0.8


def _interval(samples: np.ndarray) -> list[float] | None:
    s = samples[np.isfinite(samples)]
    if not len(s):
        return None
    lo, hi = np.percentile(s, [(100 - CI) / 2, 100 - (100 - CI) / 2])
    return [float(lo), float(hi)]


def resample_counts(n: int, n_boot: int, seed: int) -> np.ndarray:
    """``(n_boot, n)`` how often each of ``n`` units is drawn, with replacement, in each bootstrap round (rows sum
    to ``n``)."""
    rng = np.random.default_rng(seed)
    if n == 0:
        return np.zeros((n_boot, 0))
    draws = rng.integers(0, n, size=(n_boot, n)) + (np.arange(n_boot) * n)[:, None]
    return np.bincount(draws.ravel(), minlength=n_boot * n).reshape(n_boot, n).astype(np.float64)


def paired_bootstrap(scores: np.ndarray, n_boot: int = N_BOOT, seed: int = 0,
                     counts: np.ndarray | None = None) -> dict:
    """Means and 95% intervals of ``scores`` ``(n_probes, n_models)`` (NaN: the model has no list there).

    Returns ``{"mean": (n_models,), "ci": [[lo, hi] | None], "n": (n_models,) probes,
    "pairs": {(a, b): {"diff", "ci", "n", "sd"}}}`` for column indices ``a < b``; a pair's difference is
    mean(a − b) over the probes both have, ``sd`` the standard deviation of the per-probe differences. ``counts``: the resampling (:func:`resample_counts`), shared across calls to pair
    several metrics.
    """
    s = np.asarray(scores, dtype=np.float64)
    n_probes, n_models = s.shape
    c = resample_counts(n_probes, n_boot, seed) if counts is None else counts
    valid = np.isfinite(s)
    filled = np.where(valid, s, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        boot = (c @ filled) / (c @ valid)  # (n_boot, n_models)
        mean = filled.sum(0) / valid.sum(0)
    out = {"mean": mean, "n": valid.sum(0), "ci": [_interval(boot[:, j]) for j in range(n_models)], "pairs": {}}
    for a in range(n_models):
        for b in range(a + 1, n_models):
            both = valid[:, a] & valid[:, b]
            d = np.where(both, filled[:, a] - filled[:, b], 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                db = (c @ d) / (c @ both)
            n = int(both.sum())
            diffs = (filled[:, a] - filled[:, b])[both]
            out["pairs"][(a, b)] = {"diff": float(diffs.mean()) if n else float("nan"), "ci": _interval(db), "n": n,
                                    "sd": float(diffs.std(ddof=1)) if n > 1 else float("nan")}
    return out


def verdict(ci: Sequence[float] | None) -> str | None:
    """For the interval of mean(a − b): ``"a"`` when it lies above 0, ``"b"`` below, ``"tie"`` when it contains 0."""
    if ci is None:
        return None
    lo, hi = ci
    return "a" if lo > 0 else "b" if hi < 0 else "tie"


def winner(pair: Mapping) -> str | None:
    """The model a pair's verdict names (``pair["a"]`` or ``pair["b"]``), ``"tie"`` or None."""
    v = pair.get("verdict")
    return pair[v] if v in ("a", "b") else v


# --------------------------------------------------------------------------- Bradley–Terry

OUTCOMES = ("a", "b", "tie", "both_bad")


def win_matrix(votes: Sequence[tuple[str, str, str]], models: Sequence[str], weights=None) -> np.ndarray:
    """``(m, m)`` wins: ``W[i, j]`` = votes where i beat j; a tie or *both bad* adds 0.5 to each side.
    ``votes``: ``(model_a, model_b, outcome)``; ``weights``: per vote (a bootstrap round's counts)."""
    idx = {m: i for i, m in enumerate(models)}
    w = np.zeros((len(models), len(models)))
    for v, (a, b, o) in enumerate(votes):
        x = 1.0 if weights is None else float(weights[v])
        i, j = idx[a], idx[b]
        if o == "a":
            w[i, j] += x
        elif o == "b":
            w[j, i] += x
        else:
            w[i, j] += x / 2
            w[j, i] += x / 2
    return w


#: ILSR's stopping rule (L1 change of the ratings): on the bench's 963 votes, 1e-3 gives the intervals of 1e-9 to
#: within 1e-4 in half the time (1,000 refits are most of `judgments summary`'s computing; ratings show 3 decimals)
BT_TOL = 1e-3


def _bt_fit(w: np.ndarray, init=None) -> np.ndarray:
    import choix

    return choix.ilsr_pairwise_dense(w, alpha=BT_ALPHA, initial_params=init, max_iter=200, tol=BT_TOL)


def bradley_terry(votes: Sequence[tuple[str, str, str]], models: Sequence[str] | None = None,
                  n_boot: int = N_BOOT, seed: int = 0) -> dict[str, dict]:
    """``{model: {"rating", "ci95", "votes"}}`` for the models in ``votes`` (restricted to ``models`` when given);
    empty with fewer than two models."""
    if models is not None:
        keep = set(models)
        votes = [v for v in votes if v[0] in keep and v[1] in keep]
    names = sorted({m for a, b, _ in votes for m in (a, b)})
    if len(names) < 2:
        return {}
    idx = {m: i for i, m in enumerate(names)}
    # One matrix of unit contributions per vote, so a round's win matrix is one product.
    unit = np.zeros((len(votes), len(names) ** 2))
    for v, (a, b, o) in enumerate(votes):
        i, j = idx[a], idx[b]
        if o == "a":
            unit[v, i * len(names) + j] = 1.0
        elif o == "b":
            unit[v, j * len(names) + i] = 1.0
        else:
            unit[v, i * len(names) + j] = unit[v, j * len(names) + i] = 0.5
    full = _bt_fit(unit.sum(0).reshape(len(names), len(names)))
    rounds = resample_counts(len(votes), n_boot, seed) @ unit
    boot = np.array([_bt_fit(r.reshape(len(names), len(names)), full) for r in rounds])
    n_votes = {m: sum(1 for a, b, _ in votes if m in (a, b)) for m in names}
    return {m: {"rating": float(full[i]), "ci95": _interval(boot[:, i]), "votes": n_votes[m]}
            for i, m in enumerate(names)}


def votes_needed(p: float, alpha: float = SIGNIFICANCE, power: float = POWER) -> int | None:
    """Decisive votes a two-sided binomial test at ``alpha`` needs to tell a ``p`` : ``1 − p`` preference from
    50/50 with ``power`` (normal approximation); ``None`` at 50/50. ``votes_needed(0.6)`` = 194,
    ``votes_needed(0.7)`` = 47."""
    from statistics import NormalDist

    p = max(p, 1 - p)
    if p <= 0.5:
        return None
    p = min(p, 1 - 1e-9)
    za, zb = NormalDist().inv_cdf(1 - alpha / 2), NormalDist().inv_cdf(power)
    return int(math.ceil(((za * 0.5 + zb * math.sqrt(p * (1 - p))) / (p - 0.5)) ** 2))


def probes_needed(diff: float, sd: float, alpha: float = SIGNIFICANCE, power: float = POWER) -> int | None:
    """Probes a paired comparison needs to tell a mean difference ``diff`` from 0 at ``alpha`` (two-sided) with
    ``power``, when per-probe differences have standard deviation ``sd``: ((z_{α/2} + z_power) · sd / diff)²
    (normal approximation of the paired interval). ``probes_needed(0.05, 0.2)`` = 126. None when ``diff`` is 0
    or either is not a number."""
    from statistics import NormalDist

    if not (math.isfinite(diff) and math.isfinite(sd)) or diff == 0:
        return None
    z = NormalDist().inv_cdf(1 - alpha / 2) + NormalDist().inv_cdf(power)
    return max(2, int(math.ceil((z * sd / abs(diff)) ** 2)))


def pair_votes(votes: Sequence[tuple[str, str, str]]) -> list[dict]:
    """Per unordered pair (names sorted): ``a_wins``, ``b_wins``, ``ties``, ``both_bad``, ``decisive``,
    ``p_value`` (exact two-sided binomial test on the decisive votes; None without any), ``separated``
    (p < 0.05) and ``needed`` (decisive votes :func:`votes_needed` at the observed split)."""
    from scipy.stats import binomtest

    pairs: dict[tuple[str, str], dict] = {}
    for a, b, o in votes:
        x, y = sorted((a, b))
        e = pairs.setdefault((x, y), {"a": x, "b": y, "a_wins": 0, "b_wins": 0, "ties": 0, "both_bad": 0})
        if o in ("a", "b"):
            winner = a if o == "a" else b
            e["a_wins" if winner == x else "b_wins"] += 1
        else:
            e["ties" if o == "tie" else "both_bad"] += 1
    out = []
    for (x, y), e in sorted(pairs.items()):
        n = e["a_wins"] + e["b_wins"]
        p_value = float(binomtest(e["a_wins"], n, 0.5).pvalue) if n else None
        share = e["a_wins"] / n if n else 0.5
        out.append({**e, "votes": n + e["ties"] + e["both_bad"], "decisive": n, "p_value": p_value,
                    "separated": p_value is not None and p_value < SIGNIFICANCE,
                    "needed": votes_needed(share) if n else None})
    return out


# --------------------------------------------------------------------------- agreement


def agreement(rows: Iterable[Mapping]) -> dict:
    """Agreement between judges over current graded rows (``judge``, ``probe``, ``item_id``, ``grade``).

    ``{"n_units": units graded (0–2) by two or more judges, "n_judges", "krippendorff_alpha": ordinal α or None,
    "cohen_kappa": κ when exactly two judges share units (else None), "kappa_pairs": [{"a", "b", "n", "kappa"}]}``.
    """
    grades: dict[tuple[str, str], dict[str, int]] = {}
    for r in rows:
        if r["grade"] is not None:
            grades.setdefault((r["probe"], r["item_id"]), {})[r["judge"]] = int(r["grade"])
    units = {u: g for u, g in grades.items() if len(g) >= 2}
    judges = sorted({j for g in units.values() for j in g})
    out = {"n_units": len(units), "n_judges": len(judges), "krippendorff_alpha": None, "cohen_kappa": None,
           "kappa_pairs": []}
    if not units:
        return out
    data = np.full((len(judges), len(units)), np.nan)
    jix = {j: i for i, j in enumerate(judges)}
    for u, g in enumerate(units.values()):
        for j, v in g.items():
            data[jix[j], u] = v
    out["krippendorff_alpha"] = krippendorff_alpha(data)
    for x in range(len(judges)):
        for y in range(x + 1, len(judges)):
            both = ~np.isnan(data[x]) & ~np.isnan(data[y])
            if both.any():
                out["kappa_pairs"].append({"a": judges[x], "b": judges[y], "n": int(both.sum()),
                                           "kappa": cohen_kappa(data[x, both], data[y, both])})
    if len(out["kappa_pairs"]) == 1 and len(judges) == 2:
        out["cohen_kappa"] = out["kappa_pairs"][0]["kappa"]
    return out


def krippendorff_alpha(data: np.ndarray) -> float | None:
    """Ordinal α of ``data`` ``(judges, units)`` (NaN: missing), values 0–2; None when undefined (one value only)."""
    import krippendorff

    values = data[~np.isnan(data)]
    if len(np.unique(values)) < 2:
        return None
    a = float(krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal", value_domain=[0, 1, 2]))
    return a if math.isfinite(a) else None


def cohen_kappa(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Unweighted Cohen's κ = (p_o − p_e) / (1 − p_e) of two judges' grades on the same units: p_o the share of
    units they grade alike, p_e the share expected from their own grade frequencies. None when undefined (both give
    one and the same grade throughout). Written here rather than imported: scikit-learn's
    ``cohen_kappa_score``, which tests/judge/test_judge.py checks this against, costs a second to import on every
    ``judgments summary``."""
    x, y = np.asarray(x, dtype=int), np.asarray(y, dtype=int)
    if not len(x):
        return None
    p_o = float(np.mean(x == y))
    p_e = float(sum(np.mean(x == c) * np.mean(y == c) for c in np.union1d(x, y)))
    if p_e >= 1.0:
        return None
    return (p_o - p_e) / (1.0 - p_e)


def kendall_tau(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Kendall's τ-b; None with fewer than 3 values (2 models always give ±1) or when undefined."""
    from scipy.stats import kendalltau

    if len(x) < 3:
        return None
    t = kendalltau(x, y).statistic
    return float(t) if t == t else None


def named_pairs(models: Sequence[str], boot: dict) -> dict[tuple[str, str], dict]:
    """:func:`paired_bootstrap`'s pairs keyed by model names."""
    return {(models[a], models[b]): v for (a, b), v in boot["pairs"].items()}


__all__ = ["BT_ALPHA", "N_BOOT", "agreement", "bradley_terry", "cohen_kappa", "kendall_tau", "krippendorff_alpha",
           "named_pairs", "pair_votes", "paired_bootstrap", "probes_needed", "resample_counts", "verdict", "winner",
           "votes_needed",
           "win_matrix"]
