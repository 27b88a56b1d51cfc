"""Scores from human grades, with trec_eval's semantics.

**One merged grade per (probe, movie).** Several judges' grades of the same unit are merged by one rule,
:data:`MERGE_RULE` (:func:`merge_grades`): the median of their grades, rounded down. *Can't judge* votes are left
out; a unit with only *can't judge* votes has no merged grade (it is unjudged). The page, the summary and the
qrels export all use this function.

**Scoring (trec_eval's ``P_10`` and ``ndcg_cut_10``).** For a probe with merged grades (its *qrels*) and a model's
ranked list (its *run*): a movie is relevant when its grade is ≥ 1; the gain is the grade (0, 1 or 2); a movie
without a merged grade counts as not relevant (coverage says how many were unjudged).

* ``P@k`` = (relevant movies among the first k) / k, also when the list is shorter than k.
* ``nDCG@k`` = DCG@k / IDCG@k with DCG@k = Σ_{i ≤ k} gain_i / log2(i + 1); IDCG@k is the DCG of the probe's
  merged grades sorted from high to low (every judged movie of the probe, listed by this model or not); 0 when
  the probe has no relevant movie.
* ``coverage@k`` = (movies among the model's first k with a merged grade) / (movies among its first k), pooled
  over the probes.

A model's score is the mean over the probes that have qrels (at least one merged grade) and a list from the
model, exactly the queries trec_eval averages over; tests/judge/test_judge.py checks both numbers against
``ir-measures`` (trec_eval) on the exported qrels and run files.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

#: the rule that merges several judges' grades of one (probe, movie), as the page and the README say it
MERGE_RULE = "the median of the judges' grades, rounded down (can't-judge votes left out)"


def merge_grades(grades: Iterable[int | None]) -> int | None:
    """The merged grade of one unit (:data:`MERGE_RULE`): ``floor(median)`` of the numeric grades; ``None`` when
    there are none. ``[0, 2]`` -> 1, ``[1, 2]`` -> 1, ``[0, 1, 2, 2]`` -> 1, ``[None, 2]`` -> 2."""
    g = sorted(int(x) for x in grades if x is not None)
    if not g:
        return None
    n = len(g)
    mid = g[n // 2] if n % 2 else (g[n // 2 - 1] + g[n // 2]) / 2
    return int(math.floor(mid))


def qrels_from(rows: Iterable[Mapping]) -> dict[str, dict[str, int]]:
    """``{probe: {movie: merged grade}}`` from current graded rows (``probe``, ``item_id``, ``grade``);
    units with no merged grade are left out."""
    units: dict[tuple[str, str], list] = {}
    for r in rows:
        units.setdefault((r["probe"], r["item_id"]), []).append(r["grade"])
    out: dict[str, dict[str, int]] = {}
    for (probe, item), grades in units.items():
        g = merge_grades(grades)
        if g is not None:
            out.setdefault(probe, {})[item] = g
    return out


def dcg(gains: Sequence[float], k: int) -> float:
    """Σ_{i ≤ k} gain_i / log2(i + 1), ranks from 1."""
    g = np.asarray(list(gains)[:k], dtype=np.float64)
    return float((g / np.log2(np.arange(2, len(g) + 2))).sum())


def precision_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """trec_eval's P@k: relevant (grade ≥ 1) among the first ``k`` of ``ranked``, divided by ``k``."""
    return sum(1 for i in ranked[:k] if grades.get(i, 0) >= 1) / k


def ndcg_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> float:
    """trec_eval's ndcg_cut_k with the grade as gain; unjudged movies gain 0; 0 when nothing is relevant."""
    ideal = dcg(sorted((g for g in grades.values() if g > 0), reverse=True), k)
    if ideal <= 0:
        return 0.0
    return dcg([grades.get(i, 0) for i in ranked[:k]], k) / ideal


def judged_at(ranked: Sequence[str], grades: Mapping[str, int], k: int) -> tuple[int, int]:
    """``(movies among the first k with a merged grade, movies among the first k)``."""
    top = ranked[:k]
    return sum(1 for i in top if i in grades), len(top)


def probe_scores(runs: Mapping[str, Mapping[str, Sequence[str]]], qrels: Mapping[str, Mapping[str, int]],
                 probes: Sequence[str], k: int) -> dict[str, np.ndarray]:
    """Per-probe scores of every model, ``(n_probes, n_models)`` arrays (NaN where the model has no list):
    ``p``, ``ndcg``, ``judged`` and ``listed`` (counts for coverage).

    ``runs``: ``{model: {probe: ranked movie ids}}``; ``probes``: the rows, in order; columns follow ``runs``.
    """
    models = list(runs)
    shape = (len(probes), len(models))
    out = {name: np.full(shape, np.nan) for name in ("p", "ndcg", "judged", "listed")}
    for j, m in enumerate(models):
        for i, probe in enumerate(probes):
            ranked = runs[m].get(probe)
            if ranked is None:
                continue
            grades = qrels.get(probe, {})
            out["p"][i, j] = precision_at(ranked, grades, k)
            out["ndcg"][i, j] = ndcg_at(ranked, grades, k)
            out["judged"][i, j], out["listed"][i, j] = judged_at(ranked, grades, k)
    return out
