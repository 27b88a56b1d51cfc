"""Probes and probe sets: what people judge.

A **probe** is one query whose recall lists are judged:

* ``item:<movie id>``: an I2I probe; the lists are each model's nearest movies to that movie (the ``similar``
  view, the movie itself excluded);
* ``user:<user id>``: a U2I probe; the lists are each model's top-K for that user (the ``user`` view, the user's
  training movies excluded).

These ids are the ``qid`` of the TREC qrels and run files (:mod:`recall_core.judge.exchange`).

A **probe set** is a named, seeded list of probes that every judge works through in the same order. It is
stratified by popularity: the movies (users) with at least one training interaction, most first (ties by row),
are cut into three strata that each hold a third of all training interactions, by the interactions counted
before each one: *head* (the few most-rated movies, or most active users), *torso* and *tail* (the many rare
ones). An equal share of the probes is drawn from each stratum (30 -> 10 + 10 + 10; a remainder goes to head,
then torso); a stratum with too few members gives what it has and the rest is drawn from the other strata's
leftovers. The drawn probes are then shuffled, so a judge does not meet all the popular ones first. People can
also add probes by hand (stratum ``manual``). Sets are stored with the judgments (:mod:`recall_core.judge.db`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recall_core.errors import UnknownIdError, UsageError

KINDS = ("item", "user")
STRATA = ("head", "torso", "tail")
MANUAL = "manual"
DEFAULT_SET = "default"
DEFAULT_SEED = 0
DEFAULT_N = 30  # movies and users each


@dataclass(frozen=True)
class Probe:
    """One probe: ``id`` is ``kind:key`` (``item:50``), ``key`` the raw movie or user id, ``stratum`` its
    popularity third (``head``/``torso``/``tail``) or ``manual``."""

    id: str
    kind: str
    key: str
    stratum: str = MANUAL


def probe_id(kind: str, key: str) -> str:
    if kind not in KINDS:
        raise UsageError(f"probe kind must be one of {', '.join(KINDS)}, got {kind!r}")
    return f"{kind}:{key}"


def parse_probe(text: str) -> tuple[str, str]:
    """``"item:50"`` -> ``("item", "50")``; a :class:`UsageError` for anything else."""
    kind, sep, key = str(text).strip().partition(":")
    if not sep or kind not in KINDS or not key.strip():
        raise UsageError(f"probe {text!r}: expected item:<movie id> or user:<user id>")
    return kind, key.strip()


def check_probe(ds, text: str, stratum: str = MANUAL) -> Probe:
    """The probe ``text`` if its movie or user is in ``ds``; :class:`UnknownIdError` naming it otherwise."""
    kind, key = parse_probe(text)
    vocab = ds.item_vocab if kind == "item" else ds.user_vocab
    if key not in vocab:
        noun = "movie" if kind == "item" else "user"
        raise UnknownIdError(f"probe {text!r}: {noun} {key!r} is not in {ds.name}")
    return Probe(probe_id(kind, key), kind, key, stratum)


def strata(counts: np.ndarray) -> np.ndarray:
    """``(n,)`` stratum index (0 head, 1 torso, 2 tail; -1 for rows without interactions) from ``counts``
    ``(n,)`` training interactions per row: thirds of the interaction mass, most-interacted first, ties by row."""
    counts = np.asarray(counts, dtype=np.int64)
    out = np.full(len(counts), -1, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return out
    order = np.argsort(-counts, kind="stable")
    before = np.cumsum(counts[order]) - counts[order]  # interactions of the rows ranked above
    out[order] = np.minimum(3 * before // total, 2)
    out[counts == 0] = -1
    return out


def _draw(rng: np.random.Generator, stratum: np.ndarray, n: int) -> list[tuple[int, int]]:
    """``[(row, stratum)]``: ``n`` rows drawn as the module docstring says, shuffled."""
    eligible = np.flatnonzero(stratum >= 0)
    n = min(n, len(eligible))
    want = [n // 3 + (1 if i < n % 3 else 0) for i in range(3)]
    chosen: list[int] = []
    for s in range(3):
        rows = np.flatnonzero(stratum == s)
        take = min(want[s], len(rows))
        chosen += rng.choice(rows, size=take, replace=False).tolist() if take else []
    if len(chosen) < n:
        rest = np.setdiff1d(eligible, chosen)
        chosen += rng.choice(rest, size=n - len(chosen), replace=False).tolist()
    chosen = [chosen[i] for i in rng.permutation(len(chosen))]
    return [(r, int(stratum[r])) for r in chosen]


def make_probes(ds, seed: int = DEFAULT_SEED, n_items: int = DEFAULT_N, n_users: int = DEFAULT_N) -> list[Probe]:
    """The probes of a new set: ``n_items`` movies, then ``n_users`` users, stratified and seeded.

    Strata use the test split's training interactions (the store the app shows is trained on it). The same
    data and seed give the same probes, in the same order.
    """
    from recall_core.data.split import split_for

    for n, flag in ((n_items, "movies"), (n_users, "users")):
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise UsageError(f"number of {flag} must be a whole number ≥ 0, got {n!r}")
    train = split_for(ds).train
    rng = np.random.default_rng(int(seed))
    item_counts = train.item_counts
    user_counts = np.diff(train.user_offsets)
    out = [Probe(probe_id("item", ds.item_vocab.id(r)), "item", ds.item_vocab.id(r), STRATA[s])
           for r, s in _draw(rng, strata(item_counts), int(n_items))]
    out += [Probe(probe_id("user", ds.user_vocab.id(r)), "user", ds.user_vocab.id(r), STRATA[s])
            for r, s in _draw(rng, strata(user_counts), int(n_users))]
    return out


def check_set_name(name: str) -> str:
    """A probe set's name, stripped: 1 to 60 printable characters."""
    name = str(name).strip()
    if not name or len(name) > 60 or not name.isprintable():
        raise UsageError(f"probe set name {name!r}: use 1 to 60 printable characters")
    return name
