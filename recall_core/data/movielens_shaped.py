"""MovieLens-shaped synthetic data of any size: ``python -m recall_core synth``.

(Not to be confused with :mod:`recall_core.data.planted`: tiny datasets with planted, known answers for tests.)

Writes an ``ml-latest`` folder (``ratings.csv``, ``movies.csv``, plus ``synth.json``
with the parameters) that every command reads unchanged. The generative story:

* **Items.** Each item has a primary *topic*, which is a MovieLens genre (drawn with
  ml-latest's genre shares), 0-2 extra genres (mostly genres that go with the
  primary one), a release year skewed to recent decades, and a Zipf(-Mandelbrot)
  popularity weight ``(rank + zipf_offset) ** -zipf_exponent`` (defaults 10 and 1.2:
  the offset keeps the most popular item below ~80% of users, as in MovieLens, where
  a pure Zipf head is rated by nearly everyone) whose rank is shuffled relative to the id.
  Within a topic the items have an *order* (by year, with noise), used for sessions.
* **Users.** Activity is log-normal, scaled so that the counts sum to ``ratings``
  exactly, with at least 20 ratings a user (2 when ``ratings < 20 * users`` or
  ``items < 20``) and at most 60% of the items (more only if the sizes need it). Each user mixes 1-3 topics (Dirichlet).
* **Which items.** A user's items are drawn without replacement (Gumbel top-k over
  the whole catalogue, in batches of users; see :func:`_choose`) with probability proportional to
  ``popularity * affinity``; ``affinity`` is set so that, before saturation, a
  share ``1 - background`` of a user's draws falls in their own topics, split by
  their mixture.
* **In what order.** First an *onboarding* session: the user's most popular items
  (``onboarding_share`` of them, at most ``onboarding_max``), most popular first, as
  MovieLens shows new users well-known films; so later ratings, and the held-out
  last one, are less popular than the first (most-popular is a weak baseline, as on
  MovieLens). The rest is sorted by (topic, position in the topic's order + jitter)
  and cut into sessions (a new one at each topic change, else with probability
  ``1 / session_mean``); the sessions are shuffled in time, and a share
  ``unordered_sessions`` of them loses its inner order. A session is thus a short run
  through neighbouring items of one topic: the next item is predictable from the
  previous ones, which is the signal sequence models learn.
* **When.** Inside a session, ratings are 15 s + Exp(45 s) apart; sessions are at
  least two hours apart, spread over the user's active span (log-normal, median
  four months) placed in 2010-01 .. 2018-09. Timestamps of a user are strictly
  increasing.
* **Ratings.** ``item quality + user bias + in-topic bonus + noise``, mapped by
  rank onto ml-latest-small's distribution of 0.5 .. 5.0 stars.

``ratings.csv`` is sorted by ``userId, movieId`` like the real files, so the time
order exists only in the timestamps. Everything is vectorised numpy. One seed gives
byte-identical files: each stage draws from its own child of ``SeedSequence(seed)`` and
every sort is stable, so no result depends on which sorting algorithm numpy picks. (Across
machines, numpy's SIMD ``log`` may differ in the last bit; the tests compare on one machine.)
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.errors import UsageError

#: The primary topics: ml-latest genre names and roughly their share of ml-latest-small's movies as
#: a first genre (normalised when used).
TOPIC_GENRES = {
    "Drama": 0.22, "Comedy": 0.20, "Action": 0.08, "Thriller": 0.06, "Crime": 0.05, "Adventure": 0.05,
    "Romance": 0.05, "Horror": 0.05, "Documentary": 0.04, "Animation": 0.03, "Children": 0.03,
    "Sci-Fi": 0.03, "Fantasy": 0.02, "Mystery": 0.02, "Musical": 0.02, "War": 0.02, "Western": 0.015,
    "Film-Noir": 0.01,
}
GENRES = list(TOPIC_GENRES)
#: Genres that tend to appear together with a primary genre (extra genres come from here 70% of the time).
RELATED = {
    "Drama": ["Romance", "Crime", "War", "Thriller"], "Comedy": ["Romance", "Drama", "Children", "Musical"],
    "Action": ["Adventure", "Thriller", "Sci-Fi", "Crime"], "Thriller": ["Crime", "Mystery", "Horror", "Drama"],
    "Crime": ["Drama", "Thriller", "Film-Noir", "Mystery"], "Adventure": ["Action", "Fantasy", "Children"],
    "Romance": ["Drama", "Comedy", "Musical"], "Horror": ["Thriller", "Mystery", "Sci-Fi"],
    "Documentary": ["War", "Musical", "Drama"], "Animation": ["Children", "Comedy", "Fantasy", "Adventure"],
    "Children": ["Animation", "Comedy", "Fantasy", "Adventure"], "Sci-Fi": ["Action", "Adventure", "Thriller"],
    "Fantasy": ["Adventure", "Children", "Animation"], "Mystery": ["Thriller", "Crime", "Film-Noir"],
    "Musical": ["Comedy", "Romance", "Children"], "War": ["Drama", "Action", "Adventure"],
    "Western": ["Action", "Adventure", "Drama"], "Film-Noir": ["Crime", "Mystery", "Thriller"],
}
#: ml-latest-small's share of each star value 0.5 .. 5.0 (its counts of each value, out of 100,836).
RATING_SHARES = np.array([1370, 2811, 1791, 7551, 5550, 20047, 13136, 26818, 8551, 13211]) / 100_836
RATING_VALUES = np.arange(1, 11) * 0.5

_ADJECTIVES = (
    "Silent Broken Hidden Golden Last Lost Crimson Endless Wild Quiet Dark Bright Frozen Burning Secret "
    "Distant Hollow Iron Silver Velvet Midnight Northern Southern Electric Savage Gentle Bitter Sweet Lonely "
    "Restless Fading Shining Falling Rising Sleeping Wandering Forgotten Broken-Hearted Painted Stolen "
    "Sacred Wicked Little Grand Final First Second Open"
).split()
_NOUNS = (
    "River Summer Winter City Road Garden Mirror Harbor Kingdom Shadow Letter Station Island Horizon Storm "
    "Promise Echo Empire Voyage Frontier Lantern Orchard Bridge Mountain Desert Ocean Forest Window Tower "
    "Signal Engine Circus Carnival Stranger Witness Detective Soldier Dancer Prophet Orphan Heiress Pilgrim "
    "Machine Planet Comet Heart Crown Passage"
).split()

WINDOW = (1262304000, 1538265600)  # 2010-01-01 .. 2018-09-30 UTC: when ratings happen
LAST_YEAR = 2018
_FILES = ("ratings.csv", "movies.csv", "synth.json")
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class SynthConfig:
    """Sizes, seed and the knobs of the generative story (the module docstring explains each)."""

    users: int
    items: int
    ratings: int
    seed: int = 42
    zipf_exponent: float = 1.2
    zipf_offset: float = 10.0  # Zipf-Mandelbrot: weight (rank + offset) ** -exponent, rank 0 the most popular
    activity_sigma: float = 1.3  # log-normal sigma of ratings per user above the minimum
    background: float = 0.3  # share of a user's draws that ignore their topics (before saturation)
    session_mean: float = 8.0  # mean session length in ratings (geometric), topic changes aside
    unordered_sessions: float = 0.3  # share of sessions whose ratings are in random order
    onboarding_share: float = 0.2  # share of a user's ratings in the first, most-popular-first session
    onboarding_max: int = 15
    order_jitter: float = 0.02  # noise on the position in a topic's order (fraction of the topic)
    user_span_days: float = 120.0  # median active span of a user

    def min_per_user(self) -> int:
        return 20 if self.ratings >= 20 * self.users and self.items >= 20 else 2

    def max_per_user(self) -> int:
        """60% of the catalogue (ML-1M's most active user rated 62%, ML-100K's 44%), or more when the
        sizes need it: nobody rates everything, which would leave the test item the only candidate."""
        return min(self.items, max(-(-6 * self.items // 10), -(-self.ratings // self.users)))


# --------------------------------------------------------------------------- arguments

_COUNT = re.compile(r"^\s*(\d+(?:\.\d+)?|\.\d+)\s*([kKmM]?)\s*$")


def parse_count(text, flag: str) -> int:
    """``"610"``, ``"9.7k"``, ``"2.5M"``, ``"100_000"`` -> int; UsageError naming ``flag`` otherwise."""
    s = str(text).replace("_", "").replace(",", "")
    m = _COUNT.match(s)
    if not m:
        raise UsageError(f"{flag}: expected a non-negative whole number (e.g. 610, 9.7k, 2.5M), got {text!r}")
    value = float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6}[m.group(2).lower()]
    if value != int(value):
        raise UsageError(f"{flag}: {text!r} is not a whole number")
    return int(value)


def check_sizes(users: int, items: int, ratings: int) -> None:
    """UsageError unless the sizes can make a dataset every user can be evaluated on."""
    for flag, v in (("--users", users), ("--items", items), ("--ratings", ratings)):
        if v <= 0:
            raise UsageError(f"{flag} must be positive, got {v}")
    if ratings < 2 * users:
        raise UsageError(f"--ratings {ratings} is below 2 per user ({2 * users} for {users} users): "
                         "every user needs one rating to train on and one to test")
    if ratings > users * items:
        raise UsageError(f"--ratings {ratings} is more than users x items = {users * items}: "
                         "a user rates an item at most once")


# --------------------------------------------------------------------------- the generator

def _gumbel(rng: np.random.Generator, shape) -> np.ndarray:
    u = rng.random(shape, dtype=np.float32)
    with np.errstate(divide="ignore"):
        return -np.log(-np.log(u))


def _activity(rng, cfg: SynthConfig) -> np.ndarray:
    """``(users,)`` int64 ratings per user: min <= n <= max_per_user, sum == ratings exactly."""
    m = cfg.min_per_user()
    extra_total = cfg.ratings - m * cfg.users
    cap = float(cfg.max_per_user() - m)
    w = rng.lognormal(0.0, cfg.activity_sigma, cfg.users)
    alloc = np.zeros(cfg.users)
    free = np.ones(cfg.users, bool)
    left = float(extra_total)
    # Water-filling: share what is left among the uncapped users, cap, repeat.
    while left > 1e-9 and free.any():
        share = left * w * free / w[free].sum()
        alloc = np.minimum(alloc + share, cap)
        free = alloc < cap
        left = extra_total - alloc.sum()
    n = np.floor(alloc + 1e-9).astype(np.int64)
    short = extra_total - int(n.sum())
    if short:  # largest fractional parts first (stable: lower user row first on ties), never above cap
        frac = np.where(n < cap, alloc - n, -1.0)
        n[np.argsort(-frac, kind="stable")[:short]] += 1
    return n + m


def _items(rng, cfg: SynthConfig) -> dict:
    n = cfg.items
    share = np.array(list(TOPIC_GENRES.values()))
    share = share / share.sum()
    topic = rng.choice(len(GENRES), size=n, p=share)
    year = (LAST_YEAR - np.floor(rng.gamma(1.5, 12.0, n))).clip(1902, LAST_YEAR).astype(np.int64)
    rank = rng.permutation(n)
    pop = (rank + cfg.zipf_offset) ** -cfg.zipf_exponent
    # Position in the topic's order: by year with a few years of noise, as a fraction of the topic.
    key = year + rng.normal(0.0, 3.0, n)
    order = np.lexsort((key, topic))
    sizes = np.bincount(topic, minlength=len(GENRES))
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pos = np.empty(n)
    pos[order] = (np.arange(n) - starts[topic[order]] + 0.5) / sizes[topic[order]]
    # Extra genres: Gumbel top-2 over the other genres (related ones weighted up), keep 0, 1 or 2.
    g = len(GENRES)
    related = np.zeros((g, g))
    for t, names in RELATED.items():
        related[GENRES.index(t), [GENRES.index(x) for x in names]] = 0.7 / len(names)
    logw = np.log(related[topic] + 0.3 * share[None, :])
    logw[np.arange(n), topic] = -np.inf
    extra = np.argsort(-(logw + _gumbel(rng, (n, g))), axis=1, kind="stable")[:, :2]
    n_extra = rng.choice(3, size=n, p=[0.35, 0.40, 0.25])
    has = np.zeros((n, g), bool)
    has[np.arange(n), topic] = True
    has[np.arange(n)[n_extra >= 1], extra[n_extra >= 1, 0]] = True
    has[np.arange(n)[n_extra >= 2], extra[n_extra >= 2, 1]] = True
    alpha = np.argsort(GENRES)  # MovieLens lists an item's genres alphabetically
    names = np.array(GENRES)[alpha]
    genres = ["|".join(names[row]) for row in has[:, alpha]]
    # Titles: "Adjective Noun", "Adjective Noun, The" (MovieLens puts the article last) or "Noun of the
    # Adjective Noun"; a repeated title becomes a sequel ("... 2"), numbered by year.
    a, b, c = (rng.integers(k, size=n) for k in (len(_ADJECTIVES), len(_NOUNS), len(_NOUNS)))
    form = rng.choice(3, size=n, p=[0.3, 0.2, 0.5])
    base = pd.Series([f"{_NOUNS[k]} of the {_ADJECTIVES[i]} {_NOUNS[j]}" if f == 2 else
                      f"{_ADJECTIVES[i]} {_NOUNS[j]}, The" if f == 1 else f"{_ADJECTIVES[i]} {_NOUNS[j]}"
                      for i, j, k, f in zip(a.tolist(), b.tolist(), c.tolist(), form.tolist())])
    seq = (pd.DataFrame({"base": base, "year": year, "row": np.arange(n)})
           .sort_values(["base", "year", "row"], kind="stable").groupby("base").cumcount()
           .sort_index().to_numpy())
    titles = [t if s == 0 else (t[:-5] + f" {s + 1}, The" if t.endswith(", The") else f"{t} {s + 1}")
              for t, s in zip(base.tolist(), seq.tolist())]
    titles = [f"{t} ({y})" for t, y in zip(titles, year.tolist())]
    # Sparse increasing ids like MovieLens (mostly +1, sometimes a jump), the first one 1.
    step = 1 + (rng.random(n) < 0.15) * rng.geometric(0.2, n)
    ids = np.cumsum(step) - step[0] + 1
    return {"topic": topic, "year": year, "pop": pop, "pos": pos, "title": titles, "genres": genres,
            "movie_id": ids.astype(np.int64)}


def _user_topics(rng, cfg: SynthConfig, topic_mass: np.ndarray) -> np.ndarray:
    """``(users, n_topics)`` mixture weights: 1-3 topics a user (chosen by share), Dirichlet(1) weights."""
    u, t = cfg.users, len(topic_mass)
    k = rng.choice(3, size=u, p=[0.3, 0.4, 0.3]) + 1
    k = np.minimum(k, int((topic_mass > 0).sum()))
    with np.errstate(divide="ignore"):
        keys = np.log(topic_mass)[None, :] + _gumbel(rng, (u, t))
    chosen = np.argsort(-keys, axis=1, kind="stable")
    theta = np.zeros((u, t))
    w = rng.exponential(1.0, (u, 3))
    for j in range(3):
        on = k > j
        theta[np.flatnonzero(on), chosen[on, j]] = w[on, j]
    return theta / theta.sum(axis=1, keepdims=True)


def _choose(rng, cfg: SynthConfig, n_per_user: np.ndarray, item: dict, theta: np.ndarray):
    """Flat ``(user, item)`` rows grouped by user: each user's ``n`` distinct items, drawn without
    replacement with probability proportional to ``popularity x topic affinity``.

    Gumbel top-k written as exponential races: the ``n`` largest ``w_i / E_i`` (``E_i ~ Exp(1)``) are
    such a sample, since ``log(w / E) = log w + Gumbel``. Per batch of users, a threshold read off a
    fixed sample of columns (a little below each user's ``n``-th largest key) leaves about ``1.25 n``
    candidates to sort instead of the whole catalogue; a user the threshold leaves short of ``n``
    keeps every column, so the result is exact either way.
    """
    n_items = cfg.items
    mass = np.bincount(item["topic"], weights=item["pop"], minlength=theta.shape[1]) / item["pop"].sum()
    aff = ((1 - cfg.background) * theta / np.where(mass > 0, mass, 1.0) + cfg.background).astype(np.float32)
    pop = (item["pop"] / item["pop"].max()).astype(np.float32)
    topic = item["topic"]
    m = min(n_items, max(512, n_items // 8))
    cols = np.sort(rng.choice(n_items, size=m, replace=False))
    batch = max(1, (1 << 22) // n_items)
    users_out, items_out = [], []
    for s in range(0, cfg.users, batch):
        us = np.arange(s, min(cfg.users, s + batch))
        b = len(us)
        need = n_per_user[us]
        e = rng.standard_exponential((b, n_items), dtype=np.float32)
        np.maximum(e, np.float32(1e-30), out=e)
        keys = aff[us][:, topic]
        keys *= pop
        keys /= e
        del e
        sample = np.sort(keys[:, cols], axis=1)
        above = np.ceil(need * (m / n_items) * 1.25 + 4).astype(np.int64)  # sample values kept per user
        thr = np.where(above >= m, -1.0, sample[np.arange(b), np.clip(m - above, 0, m - 1)]).astype(np.float32)
        mask = keys >= thr[:, None]
        short = np.flatnonzero(mask.sum(axis=1) < need)
        mask[short] = True
        flat = np.flatnonzero(mask)
        vals = keys.ravel()[flat].astype(np.float64)
        del keys, mask
        rows, cand = np.divmod(flat, n_items)
        # One sort: by row, then by key descending (v / (1 + v) maps keys >= 0 into [0, 1), monotone).
        o = np.argsort(rows - vals / (1.0 + vals), kind="stable")
        rows, cand = rows[o], cand[o]
        starts = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=b))[:-1]])
        keep = np.arange(len(rows)) - starts[rows] < need[rows]
        users_out.append(us[rows[keep]])
        items_out.append(cand[keep])
    return np.concatenate(users_out).astype(np.int64), np.concatenate(items_out).astype(np.int64)


def _segment_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Exclusive cumulative sum of ``values`` restarting at every index where ``starts`` is True."""
    c = np.cumsum(values) - values
    first = np.flatnonzero(starts)
    seg = np.cumsum(starts) - 1
    return c - c[first][seg]


def _argsort(group: np.ndarray, key: np.ndarray | None = None) -> np.ndarray:
    """Stable permutation sorting by integer ``group`` and, inside a group, by real ``key``.

    One stable sort of ``group + squash(key)`` (``squash`` maps the reals monotonically into
    ``(0, 1)``): much faster than ``np.lexsort`` on floats, and, being stable, the same permutation
    whatever sorting algorithm numpy picks on this machine (the files must not depend on it).
    """
    if key is None:
        return np.argsort(group, kind="stable")
    k = np.arctan(key)
    k *= 0.999 / np.pi
    k += 0.5 * 0.999
    k += group
    return np.argsort(k, kind="stable")


def _first_flags(values: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: True where a run of equal consecutive values starts."""
    first = np.ones(len(values), bool)
    first[1:] = values[1:] != values[:-1]
    return first


def _sessions_and_times(rng, cfg: SynthConfig, user: np.ndarray, itm: np.ndarray, item: dict):
    """Order each user's items into sessions and give them timestamps.

    ``user``, ``itm``: ``(n,)`` rows grouped by user. Returns ``(user, itm, ts)`` sorted by user then
    time (timestamps strictly increasing per user).
    """
    n = len(user)
    n_topics = len(GENRES)
    # Onboarding: each user's most popular items (a share, at most ``onboarding_max``) come first, in
    # one session, most popular first, as the MovieLens site shows new users well-known films.
    item_rank = np.empty(cfg.items, np.int64)
    item_rank[np.argsort(-item["pop"], kind="stable")] = np.arange(cfg.items)
    by_pop = _argsort(user * cfg.items + item_rank[itm])
    first = _first_flags(user[by_pop])
    starts = np.flatnonzero(first)
    counts = np.diff(np.r_[starts, n])
    pop_rank = np.empty(n, np.int64)
    pop_rank[by_pop] = np.arange(n) - np.repeat(starts, counts)
    n_onboard = np.minimum(np.floor(cfg.onboarding_share * counts), cfg.onboarding_max).astype(np.int64)
    onboard = pop_rank < n_onboard[np.cumsum(_first_flags(user)) - 1]
    del by_pop, first
    # The rest: sorted by topic and position in the topic's order, so cutting the sorted list gives
    # runs through neighbouring items of one topic.
    topic = np.where(onboard, -1, item["topic"][itm])
    key = np.where(onboard, pop_rank, item["pos"][itm] + rng.normal(0.0, cfg.order_jitter, n))
    o = _argsort(user * (n_topics + 1) + topic + 1, key)
    del key, pop_rank
    user, itm, topic, onboard = user[o], itm[o], topic[o], onboard[o]
    new = np.ones(n, bool)
    new[1:] = ((user[1:] != user[:-1]) | (topic[1:] != topic[:-1])
               | ((rng.random(n - 1) < 1.0 / cfg.session_mean) & ~onboard[1:]))
    del topic
    sess = np.cumsum(new) - 1
    n_sess = int(sess[-1]) + 1
    # Shuffle each user's sessions in time (onboarding first); some sessions lose their inner order.
    sess_key = np.where(onboard[new], -1.0, rng.random(n_sess))
    rank = np.empty(n_sess, np.int64)
    rank[_argsort(user[new], sess_key)] = np.arange(n_sess)
    unordered = (rng.random(n_sess) < cfg.unordered_sessions) & ~onboard[new]
    inside = np.where(unordered[sess], rng.random(n), 0.0)  # 0: keep the order (the sort is stable)
    o = _argsort(rank[sess], inside)
    del inside, new, onboard
    user, itm, sess = user[o], itm[o], rank[sess[o]]
    del o
    first_row = _first_flags(sess)
    # Inside a session: 15 s + Exp(45 s) between ratings.
    gap = np.where(first_row, 0, 15 + np.floor(rng.exponential(45.0, n))).astype(np.int64)
    in_sess = _segment_cumsum(gap, first_row) + gap  # offset from the session start
    del gap
    dur = in_sess[np.r_[first_row[1:], True]]  # (n_sess,) the offset of each session's last rating
    # Sessions: sorted uniform offsets over the user's span, pushed apart by earlier durations + 2 h.
    sess_user = user[first_row]
    first_sess = _first_flags(sess_user)
    span = np.minimum(rng.lognormal(np.log(cfg.user_span_days * 86400.0), 1.0, cfg.users),
                      0.8 * (WINDOW[1] - WINDOW[0]))
    u01 = np.where(first_sess, 0.0, rng.random(n_sess))
    u01 = u01[_argsort(sess_user, u01)]  # sorted within each user (the first stays 0)
    start = np.floor(u01 * span[sess_user]).astype(np.int64) + _segment_cumsum(dur + 7200, first_sess)
    last = (start + dur)[np.r_[first_sess[1:], True]]  # (users,) end of each user's last session
    room = (WINDOW[1] - WINDOW[0]) - last
    t0 = WINDOW[0] + np.floor(rng.random(cfg.users) * np.maximum(room, 0)).astype(np.int64)
    ts = t0[user] + start[sess] + in_sess
    return user, itm, ts


def _stars(rng, cfg: SynthConfig, user: np.ndarray, itm: np.ndarray, item: dict, theta: np.ndarray) -> np.ndarray:
    """Star ratings: quality + bias + in-topic bonus + noise, mapped by rank onto ``RATING_SHARES``."""
    n = len(user)
    lp = np.log(item["pop"])
    quality = rng.normal(0.0, 0.45, cfg.items) + 0.15 * (lp - lp.mean()) / (lp.std() + 1e-12)
    bias = rng.normal(0.0, 0.35, cfg.users)
    own = theta[user, item["topic"][itm]] > 0
    score = quality[itm] + bias[user] + 0.4 * own + rng.normal(0.0, 0.75, n)
    bounds = np.round(np.cumsum(RATING_SHARES)[:-1] * n).astype(np.int64)
    level = np.searchsorted(bounds, np.arange(n), side="right")
    out = np.empty(n)
    out[np.argsort(score, kind="stable")] = RATING_VALUES[level]
    return out


def generate(cfg: SynthConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(ratings, movies)`` in the ml-latest columns: ``userId, movieId, rating, timestamp`` sorted by
    userId then movieId, and ``movieId, title, genres`` sorted by movieId."""
    check_sizes(cfg.users, cfg.items, cfg.ratings)
    r_items, r_users, r_choose, r_time, r_stars = (np.random.default_rng(s)
                                                   for s in np.random.SeedSequence(cfg.seed).spawn(5))
    item = _items(r_items, cfg)
    n_per_user = _activity(r_users, cfg)
    mass = np.bincount(item["topic"], weights=item["pop"], minlength=len(GENRES))
    theta = _user_topics(r_users, cfg, mass)
    user, itm = _choose(r_choose, cfg, n_per_user, item, theta)
    user, itm, ts = _sessions_and_times(r_time, cfg, user, itm, item)
    stars = _stars(r_stars, cfg, user, itm, item, theta)
    o = _argsort(user * cfg.items + itm)  # item rows are in movieId order
    ratings = pd.DataFrame({"userId": user[o] + 1, "movieId": item["movie_id"][itm[o]],
                            "rating": stars[o], "timestamp": ts[o]})
    movies = pd.DataFrame({"movieId": item["movie_id"], "title": item["title"], "genres": item["genres"]})
    return ratings, movies


# --------------------------------------------------------------------------- writing

def _csv_title(t: str) -> str:
    return f'"{t}"' if "," in t or '"' in t else t


def _digits(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative ints as ASCII: ``(n, w)`` uint8 digits, right-aligned, and the mask of the
    digits to print (no leading zeros)."""
    x = np.asarray(x, np.int64)
    w = len(str(int(x.max()))) if len(x) else 1
    p = 10 ** np.arange(w - 1, -1, -1, dtype=np.int64)
    return ((x[:, None] // p) % 10 + 48).astype(np.uint8), (x[:, None] >= p) | (p == 1)


def _csv_bytes(fields: list[tuple[np.ndarray, np.ndarray]]) -> bytes:
    """Lines ``f1,f2,...\n`` from fields given as ``(chars (n, w) uint8, mask (n, w) bool)``: one
    vectorised gather instead of a Python loop over rows."""
    n = len(fields[0][0])
    chars, masks = [], []
    for j, (c, m) in enumerate(fields):
        chars += [c, np.full((n, 1), ord("\n" if j == len(fields) - 1 else ","), np.uint8)]
        masks += [m, np.ones((n, 1), bool)]
    return np.hstack(chars)[np.hstack(masks)].tobytes()


def _write(folder: Path, ratings: pd.DataFrame, movies: pd.DataFrame, cfg: SynthConfig) -> None:
    stars = np.frombuffer("".join(f"{v:.1f}" for v in RATING_VALUES).encode(), np.uint8).reshape(-1, 3)
    level = np.rint(ratings["rating"].to_numpy() * 2).astype(np.int64) - 1
    cols = [ratings[c].to_numpy() for c in ("userId", "movieId", "timestamp")]
    with open(folder / "ratings.csv", "wb") as f:
        f.write(b"userId,movieId,rating,timestamp\n")
        step = 1 << 18  # rows per block: bounds the (rows, digits) int64 temporaries
        for s in range(0, len(ratings), step):
            lv = level[s:s + step]
            f.write(_csv_bytes([_digits(cols[0][s:s + step]), _digits(cols[1][s:s + step]),
                                (stars[lv], np.ones((len(lv), 3), bool)), _digits(cols[2][s:s + step])]))
    lines = ["movieId,title,genres"] + [f"{i},{_csv_title(t)},{g}" for i, t, g in zip(
        movies["movieId"].tolist(), movies["title"].tolist(), movies["genres"].tolist())]
    (folder / "movies.csv").write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    meta = {"generator": "recall_core.data.movielens_shaped", "version": GENERATOR_VERSION, **asdict(cfg)}
    (folder / "synth.json").write_bytes((json.dumps(meta, indent=2) + "\n").encode("utf-8"))


def _check_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out}: exists and is not a folder")
    if out.is_dir():
        present = sorted(p.name for p in out.iterdir())
        if present and not force:
            raise UsageError(f"--out {out}: folder is not empty ({', '.join(present[:3])}"
                             f"{', ...' if len(present) > 3 else ''}); pass --force to replace it")
        other = [p for p in present if p not in _FILES]
        if other:  # --force replaces a generated folder, never a folder holding anything else
            raise UsageError(f"--out {out}: holds files synth does not write ({', '.join(other[:3])}); "
                             "refusing to replace it even with --force")


def write_synth(out, cfg: SynthConfig, force: bool = False) -> dict:
    """Generate ``cfg`` and write it to folder ``out`` atomically (a temp folder next to it, then a
    rename). Refuses a non-empty ``out`` unless ``force``, and with ``force`` replaces only a folder
    that holds nothing but synth's own files. Returns a summary dict."""
    shown = out
    out = Path(out).resolve()  # "." and "dir/" have a usable name and parent
    check_sizes(cfg.users, cfg.items, cfg.ratings)
    _check_out(out, force)
    if not out.parent.is_dir():
        raise UsageError(f"--out {shown}: parent folder {out.parent} does not exist")
    t = time.perf_counter()
    tmp = out.parent / f".{out.name}.synth-tmp-{os.getpid()}"
    old = out.parent / f".{out.name}.synth-old-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
    except OSError as e:  # before generating anything: a read-only or forbidden place
        raise UsageError(f"--out {shown}: cannot write in {out.parent}: {e.strerror}") from None
    try:
        ratings, movies = generate(cfg)
        gen_s = time.perf_counter() - t
        _write(tmp, ratings, movies, cfg)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not out.exists():
            old.rename(out)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return {"out": str(shown), "users": cfg.users, "items": cfg.items, "ratings": len(ratings), "seed": cfg.seed,
            "generate_seconds": gen_s, "total_seconds": time.perf_counter() - t}


__all__ = ["GENRES", "SynthConfig", "check_sizes", "generate", "parse_count", "write_synth"]
