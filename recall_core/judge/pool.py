"""Pools: what a judge sees for a probe, built from the models' stored vectors.

A model's list for a probe (its *run*) is the app's own list: for ``item:<id>`` the ``similar`` view with the
movie excluded (:func:`recall_core.explore.item_neighbour_ids`), for ``user:<id>`` the ``user`` view with the
user's training movies excluded (:func:`recall_core.explore.user_recommendation_ids`), on the test-split store.
A model that cannot answer a probe (no user vectors; an imported model without a vector for that user; nothing
left after the exclusions) has no list for it.

The **pool** of a probe is the de-duplicated union of the selected models' top-K. A judge sees it in an order
drawn from a seed of (judge, probe) (:func:`shown_order`): the same judge always sees the same order, another
judge another one, and nothing in it says which model listed a movie, or where.

**A/B draws** (:func:`ab_draw`): the n-th vote of a judge in a probe set goes to the probe at position n of a
per-judge shuffle of the set (cycling), and to a pair of models drawn with a seed of (judge, set, kind, n), in a
random left/right order. Pairs whose two lists are the same (nothing to choose between) and pairs the judge has
voted on for that probe are skipped.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np

from recall_core.judge.probes import Probe


def model_lists(ds, model, probes: Sequence[Probe], k: int) -> dict[str, list[str]]:
    """``{probe id: [movie ids, best first]}`` of one stored model (at most ``k`` each)."""
    from recall_core.analysis.compare import has_user_vector
    from recall_core.explore import item_neighbour_ids, user_recommendation_ids

    out: dict[str, list[str]] = {}
    items = [p for p in probes if p.kind == "item"]
    users = [p for p in probes if p.kind == "user" and model.output.has_users and has_user_vector(model, p.key)]
    if items and "similar" in model.output.views:
        ids, _ = item_neighbour_ids(ds, model, [p.key for p in items], k, "similar")
        out.update({p.id: [i for i in row if i] for p, row in zip(items, ids.tolist())})
    if users:
        ids, _ = user_recommendation_ids(ds, model, [p.key for p in users], k)
        out.update({p.id: [i for i in row if i] for p, row in zip(users, ids.tolist())})
    return {p: v for p, v in out.items() if v}  # an empty list is no list (trec_eval skips a query without one)


def runs_for(ds, models: Mapping[str, object], probes: Sequence[Probe], k: int) -> dict[str, dict[str, list[str]]]:
    """``{model: {probe id: list}}`` for every model (:func:`model_lists`)."""
    return {name: model_lists(ds, m, probes, k) for name, m in models.items()}


def pool_items(ds, runs: Mapping[str, Mapping[str, Sequence[str]]], probe_id: str) -> list[str]:
    """The probe's pool: every movie any model lists for it, once, in catalogue order (not a model's order)."""
    items = {i for run in runs.values() for i in run.get(probe_id, ())}
    return sorted(items, key=ds.item_vocab.get)


def seed_of(*parts: object) -> int:
    """A 64-bit seed from text parts (stable across processes and machines, unlike ``hash``)."""
    digest = hashlib.sha256("\x00".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def shown_order(items: Sequence[str], judge: str, probe_id: str) -> list[str]:
    """``items`` in the order ``judge`` sees them for ``probe_id`` (seeded by both)."""
    rng = np.random.default_rng(seed_of("pool", judge, probe_id))
    return [items[i] for i in rng.permutation(len(items))]


def ab_draw(judge: str, probe_set: str, kind: str, n: int, probes: Sequence[Probe],
            runs: Mapping[str, Mapping[str, Sequence[str]]], done=frozenset()):
    """``(probe, model_a, model_b)`` for ``judge``'s vote number ``n`` (from 0); A is shown left.

    ``done``: ``(probe id, frozenset({model, model}))`` the judge has voted on (a new vote there would only
    supersede the old one), skipped. ``None`` when every probe's pairs are done or have the same two lists."""
    if not probes:
        return None
    order = np.random.default_rng(seed_of("ab-order", judge, probe_set, kind)).permutation(len(probes))
    rng = np.random.default_rng(seed_of("ab", judge, probe_set, kind, n))
    for t in range(len(probes)):
        probe = probes[int(order[(n + t) % len(probes)])]
        names = sorted(m for m, run in runs.items() if probe.id in run)
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]
                 if (probe.id, frozenset((a, b))) not in done and list(runs[a][probe.id]) != list(runs[b][probe.id])]
        if pairs:
            a, b = pairs[int(rng.integers(len(pairs)))]
            return (probe, a, b) if rng.random() < 0.5 else (probe, b, a)
    return None
