"""The synthetic MovieLens generator (``python -m recall_core synth``): sizes, layout, determinism,
the shape of the data (heavy-tailed popularity, sessions, topics, sequence signal), the CLI errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from recall_core.cli import main
from recall_core.data import leave_last_out, load_dataset
from recall_core.data.movielens_shaped import (GENRES, RATING_SHARES, RATING_VALUES, WINDOW, SynthConfig, _activity,
                                    generate, parse_count, write_synth)
from recall_core.errors import UsageError

MEDIUM = SynthConfig(users=300, items=2000, ratings=30_000, seed=5)


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synth") / "medium"
    write_synth(folder, MEDIUM)
    return folder, load_dataset(str(folder))


def _histories(ds):
    """Interactions sorted by user row then time (ties never happen: timestamps strictly increase)."""
    return ds.interactions.sort_values(["user_idx", "timestamp"], kind="stable").reset_index(drop=True)


def test_loads_with_the_exact_sizes(medium):
    folder, ds = medium
    assert ds.layout == "ml-latest"
    assert (ds.n_users, ds.n_items, len(ds.interactions)) == (300, 2000, 30_000)
    assert sorted(p.name for p in folder.iterdir()) == ["movies.csv", "ratings.csv", "synth.json"]
    assert folder.joinpath("ratings.csv").read_text().split("\n", 1)[0] == "userId,movieId,rating,timestamp"
    assert folder.joinpath("movies.csv").read_text().split("\n", 1)[0] == "movieId,title,genres"


def test_files_hold_what_generate_returns(medium):
    """The vectorised CSV writer against the data frames it was given, value by value."""
    _, ds = medium
    ratings, movies = generate(MEDIUM)
    got = ds.interactions
    assert got["user_id"].tolist() == ratings["userId"].astype(str).tolist()
    assert got["item_id"].tolist() == ratings["movieId"].astype(str).tolist()
    assert np.array_equal(got["rating"].to_numpy(np.float64), ratings["rating"].to_numpy())
    assert np.array_equal(got["timestamp"].to_numpy(), ratings["timestamp"].to_numpy())
    assert ds.items["item_id"].tolist() == movies["movieId"].astype(str).tolist()
    # Titles end with " (YEAR)" and carry no other parenthesised year; genres are MovieLens names.
    assert ds.items["year"].between(1902, 2018).all()
    full = ds.items["title"] + " (" + ds.items["year"].astype(int).astype(str) + ")"
    assert full.tolist() == movies["title"].tolist()
    assert ds.items["genres"].map(len).between(1, 3).all()
    assert {g for gs in ds.items["genres"] for g in gs} <= set(GENRES)
    assert all(list(gs) == sorted(gs) for gs in ds.items["genres"])  # alphabetical, like MovieLens
    assert ds.items["title"].is_unique and ds.items["title"].str.contains(", The").any()


def test_ids_and_ratings_look_like_ml_latest(medium):
    _, ds = medium
    ids = ds.items["item_id"].astype(int).to_numpy()
    assert ids[0] == 1 and (np.diff(ids) > 0).all() and ids[-1] > len(ids)  # sparse increasing ids
    assert ds.users["user_id"].tolist() == [str(u) for u in range(1, 301)]
    r = ds.interactions["rating"].to_numpy()
    assert set(np.unique(r)) <= set(RATING_VALUES)
    shares = np.array([(r == v).mean() for v in RATING_VALUES])
    assert np.abs(shares - RATING_SHARES).max() < 1e-3  # mapped by rank onto the target shares


def test_no_duplicate_pairs_and_minimum_per_user(medium):
    _, ds = medium
    inter = ds.interactions
    assert not inter.duplicated(["user_id", "item_id"]).any()
    counts = np.bincount(inter["user_idx"], minlength=ds.n_users)
    assert counts.min() >= 20 and counts.max() <= 0.6 * ds.n_items
    assert counts.max() > 3 * np.median(counts)  # heavy-tailed activity, not equal shares


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    cfg = SynthConfig(users=40, items=300, ratings=2500, seed=11)
    a, b, c = (write_synth(tmp_path / name, cfg if name != "c" else SynthConfig(40, 300, 2500, seed=12))
               for name in "abc")
    for f in ("ratings.csv", "movies.csv", "synth.json"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes()
    assert (tmp_path / "a" / "ratings.csv").read_bytes() != (tmp_path / "c" / "ratings.csv").read_bytes()
    assert a["ratings"] == b["ratings"] == c["ratings"] == 2500


def test_popularity_is_heavy_tailed(medium):
    _, ds = medium
    counts = np.sort(np.bincount(ds.interactions["item_idx"], minlength=ds.n_items))[::-1]
    assert counts[: ds.n_items // 10].sum() > 0.4 * counts.sum()
    # Zipf-like: log count against log rank is close to a line of slope about -1 over the middle ranks.
    ranks = np.arange(20, 1000)
    slope = np.polyfit(np.log(ranks + 1), np.log(np.maximum(counts[ranks], 1)), 1)[0]
    assert -2.0 < slope < -0.5


def test_ratings_come_in_sessions_spread_over_months(medium):
    _, ds = medium
    h = _histories(ds)
    same_user = np.diff(h["user_idx"].to_numpy()) == 0
    gaps = np.diff(h["timestamp"].to_numpy())[same_user]
    assert (gaps > 0).all()  # strictly increasing per user: the time order is never ambiguous
    assert np.median(gaps) < 600
    assert (gaps > 3600).mean() > 0.05  # and there are many sessions, not one burst per user
    span = h.groupby("user_idx")["timestamp"].agg(lambda t: t.max() - t.min())
    assert span.median() > 30 * 86400
    assert WINDOW[0] <= h["timestamp"].min() and h["timestamp"].max() <= WINDOW[1]


def test_sessions_stay_in_a_topic(medium):
    """Consecutive ratings of one session share a genre far more often than two random ratings of
    the same user do (sessions are runs through one topic)."""
    _, ds = medium
    h = _histories(ds)
    genres = ds.items["genres"].to_numpy()
    items, users, ts = h["item_idx"].to_numpy(), h["user_idx"].to_numpy(), h["timestamp"].to_numpy()
    in_session = (users[1:] == users[:-1]) & (np.diff(ts) < 1800)
    a, b = items[:-1][in_session], items[1:][in_session]
    share_next = np.mean([bool(set(genres[i]) & set(genres[j])) for i, j in zip(a, b)])
    rng = np.random.default_rng(0)
    perm = h.groupby("user_idx")["item_idx"].transform(lambda s: rng.permutation(s.to_numpy())).to_numpy()
    share_random = np.mean([bool(set(genres[i]) & set(genres[j]))
                            for i, j in zip(items[:-1][in_session], perm[1:][in_session])])
    assert share_next > 0.9 and share_next > share_random + 0.2


def test_last_item_is_predictable_above_most_popular(medium):
    """The sequence signal the generator plants: last-items transitions beat most-popular clearly."""
    from recall_core.evaluation.baselines import evaluate_transition
    from recall_core.evaluation.evaluate import score_and_rank

    _, ds = medium
    split = leave_last_out(ds)
    pop = split.train.item_counts.astype(np.float64)
    mostpop = score_and_rank(lambda _s, users: np.tile(pop, (len(users), 1)), split, (10,))["hr@10"]
    transition = evaluate_transition(split, (10,))["hr@10"]
    assert mostpop > 0.0
    assert transition > 2 * mostpop


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 60), st.floats(0, 1))
def test_activity_sums_exactly_within_bounds(users, items, frac):
    lo, hi = 2 * users, users * items
    assume(lo <= hi)
    ratings = lo + int(frac * (hi - lo))
    cfg = SynthConfig(users, items, ratings, seed=3)
    n = _activity(np.random.default_rng(0), cfg)
    assert n.sum() == ratings and n.min() >= cfg.min_per_user() and n.max() <= cfg.max_per_user() <= items
    assert cfg.max_per_user() <= max(0.6 * items + 1, -(-ratings // users))


@pytest.mark.parametrize("users,items,ratings", [(5, 4, 20), (7, 2, 14), (30, 25, 60), (3, 500, 6), (1, 1000, 999)])
def test_edge_sizes(tmp_path, users, items, ratings):
    """Every user rates every item; two ratings a user; fewer than 20 a user; a single user."""
    folder = write_synth(tmp_path / "x", SynthConfig(users, items, ratings, seed=1))["out"]
    ds = load_dataset(folder)
    assert (ds.n_users, ds.n_items, len(ds.interactions)) == (users, items, ratings)
    assert not ds.interactions.duplicated(["user_id", "item_id"]).any()
    assert np.bincount(ds.interactions["user_idx"]).min() >= 2


def test_parse_count():
    assert [parse_count(s, "--x") for s in ("610", "9.7k", "2.5M", "100_000", "1,000", " 16K ")] == [
        610, 9700, 2_500_000, 100_000, 1000, 16_000]
    for bad in ("abc", "1.5", "-3", "", "2.5x", "1e5"):
        with pytest.raises(UsageError, match="--x"):
            parse_count(bad, "--x")


@pytest.mark.parametrize("args,message", [
    (["--users", "0", "--items", "5", "--ratings", "5"], "--users must be positive, got 0"),
    (["--users", "10", "--items", "-1", "--ratings", "30"], "--items: expected a non-negative whole number"),
    (["--users", "10", "--items", "5", "--ratings", "19"], "below 2 per user (20 for 10 users)"),
    (["--users", "10", "--items", "5", "--ratings", "51"], "more than users x items = 50"),
    (["--users", "ten", "--items", "5", "--ratings", "20"], "--users: expected a non-negative whole number"),
    (["--users", "10", "--items", "5", "--ratings", "20", "--seed", "x"], "--seed: expected"),
])
def test_cli_bad_sizes_are_one_line_errors(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert main(["synth", *args, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and "Traceback" not in captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""
    assert not out.exists()


def test_cli_writes_and_refuses_a_non_empty_folder(tmp_path, capsys):
    out = tmp_path / "data"
    argv = ["synth", "--users", "20", "--items", "100", "--ratings", "1k", "--out", str(out), "--seed", "3"]
    assert main(argv) == 0
    assert "20 users, 100 items, 1,000 ratings (seed 3)" in capsys.readouterr().out
    before = (out / "ratings.csv").read_bytes()
    assert main(argv[:-1] + ["4"]) == 2  # exists, no --force
    err = capsys.readouterr().err
    assert "is not empty" in err and "--force" in err and err.count("\n") == 1
    assert (out / "ratings.csv").read_bytes() == before
    assert main(argv[:-1] + ["4", "--force"]) == 0
    capsys.readouterr()
    assert (out / "ratings.csv").read_bytes() != before
    # --force never deletes a folder holding anything synth did not write.
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    assert main(["synth", "--users", "20", "--items", "100", "--ratings", "1k", "--out", str(mine), "--force"]) == 2
    assert "notes.txt" in capsys.readouterr().err and (mine / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "mine"]  # no temp folders left
    # An existing empty folder is fine.
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["synth", "--users", "20", "--items", "100", "--ratings", "1k", "--out", str(empty)]) == 0


def test_failed_write_keeps_the_previous_folder(tmp_path, monkeypatch):
    import recall_core.data.movielens_shaped as synth

    out = tmp_path / "data"
    write_synth(out, SynthConfig(20, 100, 1000, seed=1))
    before = (out / "ratings.csv").read_bytes()

    def boom(folder, *args):
        (folder / "ratings.csv").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(synth, "_write", boom)
    with pytest.raises(OSError, match="disk full"):
        write_synth(out, SynthConfig(20, 100, 1000, seed=2), force=True)
    assert (out / "ratings.csv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_dataframe_columns():
    ratings, movies = generate(SynthConfig(10, 50, 300, seed=0))
    assert list(ratings.columns) == ["userId", "movieId", "rating", "timestamp"]
    assert list(movies.columns) == ["movieId", "title", "genres"]
    assert ratings.equals(ratings.sort_values(["userId", "movieId"]).reset_index(drop=True))
    assert isinstance(movies, pd.DataFrame) and movies["movieId"].is_monotonic_increasing
