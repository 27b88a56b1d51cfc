"""The EGES attention analysis on planted data, where the driver of the weights is known.

Arrays are planted with a chosen driver of the id weight (exposure only,
sparsity at fixed exposure, or interaction and centre counts that rank alike)
and the verdict must name it. The partial correlation is checked against the
textbook formula; stored-model paths use a fake EGES output on the planted
dataset (no TensorFlow).
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from recall_core.analysis import eges as A
from recall_core.errors import UnknownIdError, UsageError
from recall_core.features.side_info import FIELDS, NO_GENRE, primary_genres, side_info
from recall_core.models.base import RecallOutput
from recall_core.store import StoredModel
from tests.conformance import ITEMS_PER_CLUSTER

ROOT = Path(__file__).resolve().parents[2]


def softmax(logits: np.ndarray) -> np.ndarray:
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def planted(id_logit, n: int = 1500, seed: int = 0, coupling: float = 0.6):
    """``(interactions, centre_counts, attention (n, 4))``: skewed centre counts; interactions track them
    (``log x = log z + N(0, coupling)``, Spearman ρ about 0.85); the id logit is ``id_logit(x, z)`` + noise."""
    rng = np.random.default_rng(seed)
    z = np.round(np.exp(rng.normal(5, 1, n))).astype(np.int64) + 1
    x = np.maximum(1, np.round(z / 10 * np.exp(rng.normal(0, coupling, n)))).astype(np.int64)
    logits = np.column_stack([id_logit(x, z) + rng.normal(0, 0.2, n), rng.normal(0, 0.2, (n, 3))])
    return x, z, softmax(logits)


# --------------------------------------------------------------------------- statistics


def test_partial_spearman_matches_the_formula():
    """Partial ρ = (r_xy - r_xz r_yz) / sqrt((1 - r_xz²)(1 - r_yz²)) on the ranks, p from t with n - 3 df."""
    rng = np.random.default_rng(3)
    z = rng.normal(size=200)
    x = z + rng.normal(size=200)
    y = np.exp(z) + 0.5 * x + rng.normal(size=200)
    rank = lambda a: np.argsort(np.argsort(a)).astype(float)  # noqa: E731  (no ties here)
    r = np.corrcoef([rank(x), rank(y), rank(z)])
    expected = (r[0, 1] - r[0, 2] * r[1, 2]) / np.sqrt((1 - r[0, 2] ** 2) * (1 - r[1, 2] ** 2))
    rho, p = A.partial_spearman(x, y, z)
    assert rho == pytest.approx(expected, abs=1e-10)
    t = expected * np.sqrt(197 / (1 - expected ** 2))
    assert p == pytest.approx(2 * stats.t.sf(abs(t), 197), rel=1e-8)
    # with ties: average ranks, same formula
    xt, yt, zt = np.round(x), np.round(y), np.round(z)
    rt = np.corrcoef([stats.rankdata(xt), stats.rankdata(yt), stats.rankdata(zt)])
    exp_t = (rt[0, 1] - rt[0, 2] * rt[1, 2]) / np.sqrt((1 - rt[0, 2] ** 2) * (1 - rt[1, 2] ** 2))
    assert A.partial_spearman(xt, yt, zt)[0] == pytest.approx(exp_t, abs=1e-10)


def test_ranks_and_spearman_agree_with_scipy():
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 20, 300).astype(float), rng.normal(size=300)
    np.testing.assert_array_equal(A.ranks(a), stats.rankdata(a))
    np.testing.assert_array_equal(A.ranks([3.0, 1.0, 3.0, 2.0]), [3.5, 1.0, 3.5, 2.0])
    ref = stats.spearmanr(a, a + 10 * b)
    assert A.spearman(a, a + 10 * b) == pytest.approx((ref.statistic, ref.pvalue), rel=1e-9)


def test_partial_spearman_undefined_cases():
    same = np.arange(10.0)
    assert np.isnan(A.partial_spearman(same, same[::-1] ** 2, same)[0])  # x is z: nothing left to correlate
    assert np.isnan(A.partial_spearman([1, 2, 3, 4], [1, 2, 3, 4], [4, 3, 2, 1])[0])  # too few
    assert np.isnan(A.spearman([1, 1, 1], [1, 2, 3])[0])


def test_within_strata_pools_bins_by_fisher_z():
    """Two bins of constant z (so the in-bin partial is the plain ρ); equal z values share a bin."""
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=30), rng.normal(size=20)
    y1, y2 = x1 + rng.normal(size=30), -x2 + 2 * rng.normal(size=20)
    z = np.r_[np.full(30, 5.0), np.full(20, 9.0)]
    table, (rho, p) = A.within_strata(np.r_[x1, x2], np.r_[y1, y2], z, n_bins=10)
    assert list(table["items"]) == [30, 20] and list(table["bin"]) == ["5–5", "9–9"]
    r1, r2 = stats.spearmanr(x1, y1).statistic, stats.spearmanr(x2, y2).statistic
    assert table["partial_x_y"].tolist() == pytest.approx([r1, r2])
    zbar = (26 * np.arctanh(r1) + 16 * np.arctanh(r2)) / 42
    assert rho == pytest.approx(np.tanh(zbar))
    assert p == pytest.approx(2 * stats.norm.sf(abs(zbar) * np.sqrt(42)))


# --------------------------------------------------------------------------- verdicts on planted data


@pytest.mark.parametrize("sign", [-1, 1])
def test_weights_driven_by_exposure_alone_are_called_exposure(sign):
    """id weight = f(centre count): a strong raw ρ with interactions (positive for sign=+1, which naively
    'confirms' the claim), but none at equal exposure."""
    x, z, att = planted(lambda x, z: sign * 0.5 * np.log(z))
    r = A.controlled_analysis(x, z, att, FIELDS)
    assert sign * r["raw"][0] > 0.5 and r["raw"][1] < 1e-10
    assert abs(r["partial"][0]) < 0.06 and abs(r["within"][0]) < 0.06
    assert r["verdict"] == "exposure", r["text"]
    assert r["text"].startswith("Exposure, not sparsity") and "holds" not in r["text"]
    assert sign * r["exposure_alone"][0] > 0.8


@pytest.mark.parametrize("sign, verdict, opening", [
    (1, "holds", "The claim holds after controlling for exposure"),
    (-1, "opposite", "The opposite of the claim, after controlling for exposure"),
])
def test_sparsity_at_fixed_exposure_decides_the_claim(sign, verdict, opening):
    """id weight = g(interactions / centre count): at equal exposure, interactions drive it."""
    x, z, att = planted(lambda x, z: sign * 0.5 * np.log(x / z))
    r = A.controlled_analysis(x, z, att, FIELDS)
    assert r["verdict"] == verdict, r["text"]
    assert r["text"].startswith(opening)
    assert sign * r["partial"][0] > 0.5 and sign * r["within"][0] > 0.5
    assert "Caveat" not in r["text"]  # counts correlate at about 0.85, not nearly collinear


def test_controlled_verdict_can_reverse_the_raw_one():
    """Exposure pulls the id weight down strongly, sparsity (at fixed exposure) pushes it the claim's way:
    the raw ρ says 'opposite', the controlled verdict says the claim holds."""
    x, z, att = planted(lambda x, z: -1.0 * np.log(z) + 1.0 * np.log(x / z))
    r = A.controlled_analysis(x, z, att, FIELDS)
    assert r["raw"][0] < -0.3
    assert r["verdict"] == "holds", r["text"]


def test_collinear_counts_cannot_be_separated():
    rng = np.random.default_rng(1)
    x, z, att = planted(lambda x, z: -0.5 * np.log(z))
    x = z + rng.integers(0, 2, len(z))  # interactions = centre count, give or take one
    r = A.controlled_analysis(x, z, att, FIELDS)
    assert r["rho_interactions_exposure"] > 0.99
    assert r["verdict"] == "inseparable" and "cannot separate exposure from sparsity" in r["text"]
    # a looser threshold lets the same data be judged (it is pure exposure)
    assert A.controlled_analysis(x, z, att, FIELDS, collinear=1.0)["verdict"] == "exposure"


def test_near_collinear_counts_carry_a_caveat_and_still_separate():
    """At ML-100K's collinearity (Spearman ρ about 0.98 between the counts) both planted drivers are
    still told apart, and the text says the counts are nearly collinear."""
    x, z, att = planted(lambda x, z: -0.5 * np.log(x / z), coupling=0.2)
    r = A.controlled_analysis(x, z, att, FIELDS)
    assert 0.97 < r["rho_interactions_exposure"] < 0.99
    assert r["verdict"] == "opposite" and "Caveat: interactions and centre count are nearly collinear" in r["text"]
    x, z, att = planted(lambda x, z: -0.5 * np.log(z), coupling=0.2)
    r = A.controlled_analysis(x, z, att, FIELDS)
    assert r["raw"][0] < -0.8 and r["verdict"] == "exposure", r["text"]


def test_controls_that_disagree_cannot_separate():
    nan = float("nan")
    code, text = A._verdict((-0.8, 0.0), (-0.3, 1e-9), (0.02, 0.6), 0.8, (-0.8, 0.0), 10, "centre count", 0.99)
    assert code == "inseparable" and "disagree" in text
    code, _ = A._verdict((-0.8, 0.0), (-0.3, 1e-9), (0.3, 1e-9), 0.8, (-0.8, 0.0), 10, "centre count", 0.99)
    assert code == "inseparable"  # significant both, opposite signs
    code, _ = A._verdict((0.05, 0.3), (0.01, 0.8), (nan, nan), 0.5, (0.0, 1.0), 10, "centre count", 0.99)
    assert code == "none"


def test_not_enough_variation_is_insufficient():
    x, z, _ = planted(lambda x, z: 0 * x)
    att = np.full((len(x), 4), 0.25)
    r = A.controlled_analysis(x, z, att, FIELDS)
    assert r["verdict"] == "insufficient"


def test_field_table_covers_every_field_and_the_id_share_without_popularity():
    x, z, att = planted(lambda x, z: 0.5 * np.log(x / z))
    r = A.controlled_analysis(x, z, att, FIELDS)
    t = r["fields"]
    assert t["weight"].tolist() == [*FIELDS, "item_id / (item_id + genres + year)"]
    share = att[:, 0] / att[:, :3].sum(axis=1)
    assert t["mean"].iloc[-1] == pytest.approx(share.mean())
    assert t["mean"].iloc[:4].tolist() == pytest.approx(att.mean(axis=0).tolist())
    assert t["partial_interactions"].iloc[0] == pytest.approx(r["partial"][0])
    assert "popularity field is a bucket of the interaction count" in r["popularity_note"]
    assert len(r["strata"]) == 10 and r["strata"]["items"].sum() == len(x)


# --------------------------------------------------------------------------- stored models (fake EGES outputs)


def fake_eges(ds, attention: np.ndarray, known: np.ndarray | None = None, **extras) -> StoredModel:
    n = ds.n_items
    out = RecallOutput(item_ids=ds.item_vocab.ids, item_vectors=np.ones((n, 2), np.float32), item_known=known,
                       extras={"attention": attention.astype(np.float32),
                               "attention_fields": np.asarray(FIELDS, dtype=str), **extras})
    return StoredModel(name="eges", path=Path("."), manifest={"info": {"exposure": {"steps": 99}}}, output=out)


@pytest.fixture(scope="module")
def counts(planted):
    from recall_core.data.split import split_for

    ds, _ = planted
    return split_for(ds).train.item_counts


def test_stored_model_where_sparsity_drives_the_id_weight(planted, counts):
    ds, _ = planted
    rng = np.random.default_rng(0)
    centre = rng.integers(20, 400, ds.n_items)  # exposure independent of interactions
    logits = np.column_stack([np.log(counts) * 3 + rng.normal(0, 0.01, ds.n_items), np.zeros((ds.n_items, 3))])
    m = fake_eges(ds, softmax(logits), centre_counts=centre, centre_steps=np.minimum(centre, 99))
    r = A.attention_drivers(ds, m, n_bins=4)
    assert r["verdict"] == "holds", r["text"]
    assert r["exposure"] == "centre_counts" and r["n_items"] == ds.n_items
    assert list(r["bins"].columns) == ["interactions", "items", "mean item_id weight", "median centre count"]
    cat = A.attention_catalogue(ds, m)
    np.testing.assert_array_equal(cat["centre_count"], centre)
    np.testing.assert_array_equal(cat["interactions"], counts)
    assert A.attention_drivers(ds, m, n_bins=4, exposure="centre_steps")["exposure"] == "centre_steps"
    e = A.item_exposure(ds, m, "i7")
    assert e == {"interactions": int(counts[7]), "known": True, "centre_count": int(centre[7]),
                 "centre_steps": int(min(centre[7], 99)), "steps": 99, "median_centre_count": float(np.median(centre))}


def test_untrained_items_are_left_out_and_never_a_centre(planted, counts):
    ds, _ = planted
    centre = np.full(ds.n_items, 50)
    centre[[3, 17]] = 0
    m = fake_eges(ds, np.full((ds.n_items, 4), 0.25), known=centre > 0, centre_counts=centre)
    cat = A.attention_catalogue(ds, m)
    assert len(cat) == ds.n_items - 2 and not {"i3", "i17"} & set(cat["movie_id"])
    assert A.item_exposure(ds, m, "i3")["centre_count"] == 0 and not A.item_exposure(ds, m, "i3")["known"]


def test_model_stored_before_centre_counts_says_so(planted):
    ds, _ = planted
    m = fake_eges(ds, np.full((ds.n_items, 4), 0.25))
    r = A.attention_drivers(ds, m)
    assert r["verdict"] == "unrecorded" and "retrain EGES" in r["text"]
    assert "centre_count" not in A.attention_catalogue(ds, m)
    assert A.item_exposure(ds, m, "i0")["centre_count"] is None
    assert "median_centre_count" not in A.attention_by_group(ds, m, "genre")
    with pytest.raises(UsageError, match="no recorded centre counts"):
        A.attention_by_group(ds, m, "genre", relative_to_exposure=True)


def test_bad_arguments_name_the_value(planted):
    ds, _ = planted
    m = fake_eges(ds, np.full((ds.n_items, 4), 0.25), centre_counts=np.ones(ds.n_items, np.int64))
    with pytest.raises(UsageError, match="'decade'"):
        A.attention_by_group(ds, m, "decade")
    with pytest.raises(UsageError, match="'visits'"):
        A.exposure_of(m, "visits")
    bad = fake_eges(ds, np.full((ds.n_items, 4), 0.25), centre_counts=np.ones(5, np.int64))
    with pytest.raises(UnknownIdError, match=r"centre_counts has shape \(5,\)"):
        A.attention_catalogue(ds, bad)
    no_att = StoredModel("mostpop", Path("."), {}, RecallOutput(item_ids=ds.item_vocab.ids,
                                                                 item_vectors=np.ones((ds.n_items, 2))))
    with pytest.raises(UnknownIdError, match="no attention weights"):
        A.attention_drivers(ds, no_att)


def test_attention_by_group_recovers_planted_means(planted, counts):
    """Planted: cluster c (genre GENRES[c], year 1990 + c) has genre logit c; the table must show the
    softmax of it per genre, with group sizes and medians."""
    ds, _ = planted
    cluster = np.arange(ds.n_items) // ITEMS_PER_CLUSTER
    logits = np.column_stack([np.zeros(ds.n_items), cluster.astype(float), np.zeros((ds.n_items, 2))])
    att = softmax(logits)
    centre = 100 * (cluster + 1) + np.arange(ds.n_items) % ITEMS_PER_CLUSTER  # disjoint range per cluster
    m = fake_eges(ds, att, centre_counts=centre)
    t = A.attention_by_group(ds, m, "genre")
    assert list(t.columns) == ["primary_genre", "items", "median_interactions", "median_centre_count", *FIELDS]
    genres = primary_genres(ds)
    for c in range(4):
        row = t[t["primary_genre"] == genres[c * ITEMS_PER_CLUSTER]].iloc[0]
        assert row["items"] == ITEMS_PER_CLUSTER
        assert row["genres"] == pytest.approx(att[c * ITEMS_PER_CLUSTER, 1], rel=1e-6)
        assert row["median_centre_count"] == np.median(centre[cluster == c])
        assert row["median_interactions"] == np.median(counts[cluster == c])
    years = A.attention_by_group(ds, m, "year_band")
    assert years["year_band"].tolist() == ["1990s"] and years["items"].tolist() == [ds.n_items]
    # the genre difference is planted as pure exposure (one cluster per centre-count quartile):
    # relative to items of similar exposure, nothing is left
    rel = A.attention_by_group(ds, m, "genre", relative_to_exposure=True, n_bins=4)
    np.testing.assert_allclose(rel[list(FIELDS)].to_numpy(), 0.0, atol=1e-6)
    contrast = A.group_contrast(t, list(FIELDS), min_items=5)
    top = contrast.iloc[0]
    assert top["field"] == "genres" and top["spread"] > 0.5


def test_year_bands_are_decades_in_time_order():
    bands = A.year_bands([1950, 1959.0, 1960, 1969, 1995, np.nan, 2003])
    assert bands.tolist() == ["<1960", "<1960", "1960s", "1960s", "1990s", "unknown", "2000s"]
    assert A._band_order(set(bands)) == ["<1960", "1960s", "1990s", "2000s", "unknown"]


def test_primary_genre_is_one_definition():
    """The rarest of an item's genres in the catalogue (ties: the earlier name), not the first listed."""
    items = pd.DataFrame({"genres": [("Comedy", "Animation", "Children's"), ("Comedy",), ("Comedy", "Drama"),
                                     ("Children's", "Comedy"), (), ("Drama", "Animation")]})
    data = SimpleNamespace(genres=["Animation", "Children's", "Comedy", "Drama"], items=items)
    assert primary_genres(data).tolist() == ["Animation", "Comedy", "Drama", "Children's", NO_GENRE, "Animation"]


def test_primary_genres_agree_with_side_info(planted):
    ds, split = planted
    side = side_info(split.train)
    np.testing.assert_array_equal(primary_genres(ds), side.genre_names[side.primary_genre()])
    np.testing.assert_array_equal(primary_genres(ds), primary_genres(split.train))


def test_analysis_imports_neither_streamlit_nor_tensorflow():
    code = ("import sys, recall_core.analysis.eges; "
            "print('streamlit' in sys.modules, 'tensorflow' in sys.modules, 'keras' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().splitlines()[-1] == "False False False"
