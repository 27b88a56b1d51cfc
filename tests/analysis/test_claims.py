"""The tutorial's claims on the data (recall_core.analysis.claims): planted scores, hand-computed answers, oracles."""
import hashlib
import json

import numpy as np
import pytest

from recall_core.analysis import claims
from recall_core.evaluation import evaluate
from recall_core.models.base import RecallOutput


def score_output(split, scores: np.ndarray, metric: str = "ip") -> RecallOutput:
    """A RecallOutput whose U2I score is exactly ``scores`` ``(n_users, n_items)``: user rows against identity."""
    tr = split.train
    return RecallOutput(item_ids=tr.item_vocab.ids, item_vectors=np.eye(tr.n_items, dtype=np.float32),
                        user_ids=tr.user_vocab.ids, user_vectors=scores.astype(np.float32), u2i_metric=metric)


# --------------------------------------------------------------------------- 1. sparse items


def test_hr_by_bucket_on_planted_ranks():
    ranks = {"a": np.array([1, 11, 3, 50, 2]), "b": np.array([20, 10, 10, 1, 11])}
    counts = np.array([0, 3, 3, 150, 30])  # buckets: 0 | 1–5 | 1–5 | >100 | 21–100
    t = claims.hr_by_bucket(ranks, counts, k=10).set_index(["model", "bucket"])
    assert claims.bucket_labels() == ["0", "1–5", "6–20", "21–100", ">100"]
    # by hand: a hits users 0, 2, 4; b hits users 1, 2, 3
    exp = {("a", "0"): (1, 1), ("a", "1–5"): (2, 1), ("a", "6–20"): (0, 0), ("a", "21–100"): (1, 1),
           ("a", ">100"): (1, 0), ("b", "0"): (1, 0), ("b", "1–5"): (2, 2), ("b", "21–100"): (1, 0),
           ("b", ">100"): (1, 1)}
    for key, (users, hits) in exp.items():
        assert (t.loc[key, "users"], t.loc[key, "hits"]) == (users, hits), key
        if users:
            assert t.loc[key, "hr"] == pytest.approx(hits / users)
    assert np.isnan(t.loc[("a", "6–20"), "hr"])
    with pytest.raises(ValueError):
        claims.hr_by_bucket({"c": np.array([1, 2])}, counts)


def test_u2i_ranks_on_planted_scores(planted):
    """Ranks from planted scores match a per-user count done here (training items excluded, ties by row),
    and their HR@10 is the evaluation's."""
    _, split = planted
    tr = split.train
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 6, size=(tr.n_users, tr.n_items)).astype(np.float64)  # many ties
    out = score_output(split, scores)
    ranks = claims.u2i_ranks(out, split)
    for i, (u, t) in enumerate(zip(split.test_users, split.test_items)):
        seen = set(tr.history(u).tolist())
        better = sum(1 for j in range(tr.n_items) if j not in seen and (scores[u, j] > scores[u, t]
                                                                         or (scores[u, j] == scores[u, t] and j < t)))
        assert ranks[i] == 1 + better
    assert (ranks <= 10).mean() == pytest.approx(evaluate(out, split)["hr@10"])
    # grouped: the buckets' hits add up to all hits
    t = claims.hr_by_popularity({"planted": out}, split)
    assert t["hits"].sum() == int((ranks <= 10).sum()) and t["users"].sum() == len(ranks)


# --------------------------------------------------------------------------- 2. EGES against GES


def test_eges_mean_attention_gives_equal_weights(planted):
    from recall_core.models.eges import EGES
    from tests.models.test_eges import SMALL

    _, split = planted
    fast = {**SMALL, "epochs": 1, "walks_per_node": 5}
    out = EGES(**{**fast, "attention": "mean"}).fit(split.train).export()
    np.testing.assert_allclose(out.extras["attention"], 0.25, atol=1e-6)
    out = EGES(**{**fast, "attention": "mean", "popularity_field": False}).fit(split.train).export()
    np.testing.assert_allclose(out.extras["attention"], [[1 / 3, 1 / 3, 1 / 3, 0.0]] * split.train.n_items, atol=1e-6)
    learned = EGES(**fast).fit(split.train).export()
    assert np.abs(learned.extras["attention"] - 0.25).max() > 1e-3  # the learned attention moves
    assert "GES" in " ".join(EGES.describe_variant({"attention": "mean"}))


def test_ablation_rows_and_cache_keys():
    from bench import ablations

    rows = {(m, d): (v, metric) for m, d, v, metric in ablations.ROWS}
    variants, metric = rows[("eges", "side-information weights")]
    assert metric == "hr@10" and set(variants) == {"learned attention (EGES)", "plain mean (GES)"}
    # the key of a learned-attention EGES is the one it had before the field existed (its cache stays valid)
    from recall_core.models.eges import EGESConfig

    cfg = EGESConfig(popularity_field=False).to_dict()
    del cfg["attention"]
    old = hashlib.sha256(json.dumps(["ml-100k", "eges", sorted(cfg.items()), "test", 42], default=str)
                         .encode()).hexdigest()[:16]
    assert ablations.task_key("ml-100k", "eges", {"popularity_field": False}, "test", 42) == old
    assert ablations.task_key("ml-100k", "eges", {"attention": "mean"}, "test", 42) != \
        ablations.task_key("ml-100k", "eges", {}, "test", 42)


def test_ablation_json_from_cache_keeps_missing_cells_missing(tmp_path, monkeypatch):
    from bench import ablations

    monkeypatch.setattr(ablations, "CACHE", tmp_path)
    ov = {"market_share": 0.0}
    (tmp_path / f"{ablations.task_key('ml-100k', 'airbnb', ov, 'test', 42)}.json").write_text(json.dumps(
        {"hr@10": 0.2, "ndcg@10": 0.1, "i2i_hr@10": 0.15, "i2i_ndcg@10": 0.07, "train_seconds": 3.0, "extra": 1}))
    results, mtimes = ablations.cached_results(["ml-100k", "synth-10k"])
    assert len(mtimes) >= 1
    data = ablations.to_json(results, ["ml-100k", "synth-10k"], "cmd", "2026-01-01", None)
    path = tmp_path / "ablations.json"
    path.write_text(json.dumps(data))
    loaded = claims.load_ablations(path)
    row = claims.ablation_row(loaded, "airbnb", "same-market negative share (U2I)")
    cells = {v["label"]: v["cells"] for v in row["variants"]}
    assert cells["0"]["ml-100k"]["test"] == {"hr@10": 0.2, "ndcg@10": 0.1, "i2i_hr@10": 0.15, "i2i_ndcg@10": 0.07,
                                              "train_seconds": 3.0}
    assert cells["0"]["ml-100k"]["valid"] is None and cells["0.1"]["ml-100k"]["test"] is None
    t = claims.ablation_table(row).set_index("variant")
    assert t.loc["0", "ml-100k test hr@10"] == 0.2 and t.loc["0", "ml-100k test i2i_hr@10"] == 0.15
    assert np.isnan(t.loc["0.3", "ml-100k test hr@10"])
    assert not any(c.startswith("synth-10k") for c in t.columns)  # nothing measured there: no column
    assert row["kept"] == "0.1"  # the code's default market share
    assert row["chosen"] is None  # no validation cells: nothing chosen
    # a row the file lacks, and a missing or broken file, give nothing (never made-up numbers)
    assert claims.ablation_row(loaded, "eges", "no such decision") is None
    assert claims.ablation_table(None).empty
    assert claims.load_ablations(tmp_path / "missing.json") is None
    (tmp_path / "bad.json").write_text("{not json")
    assert claims.load_ablations(tmp_path / "bad.json") is None


def test_compare_pairs():
    assert claims.compare_pairs({"valid": (0.2, 0.1), "test": (0.3, 0.2)}) == "better"
    assert claims.compare_pairs({"valid": (0.1, 0.2), "test": (0.2, 0.2)}) == "worse"
    # the measured GES row: valid favours attention, test the plain mean
    assert claims.compare_pairs({"valid": (0.1782, 0.1697), "test": (0.1739, 0.1771)}) == "mixed"
    assert claims.compare_pairs({}) is None


def test_committed_ablation_json_is_readable():
    data = claims.load_ablations()
    if data is None:
        pytest.skip("bench/ablations.json not written yet")
    assert data["command"] and data["measured"]
    from bench.ablations import ROWS

    assert [(r["model"], r["decision"]) for r in data["rows"]] == [(m, d) for m, d, _, _ in ROWS]


# --------------------------------------------------------------------------- 4. temperature


def test_temperature_table_from_manifests():
    man = {"dssm": {"model_class": "dssm", "info": {"temperature": 0.1}, "metrics": {"hr@10": 0.2, "coverage@10": 0.4}},
           "dssm@t1.0": {"model_class": "dssm", "config": {"temperature": 1.0},
                         "metrics": {"hr@10": 0.15, "coverage@10": 0.3}},
           "dssm@t0.02": {"model_class": "dssm", "info": {"temperature": 0.02}, "metrics": {"hr@10": 0.1,
                                                                                             "coverage@10": 0.6}},
           "fm": {"model_class": "fm", "metrics": {"hr@10": 0.3}}, "broken": "manifest damaged"}
    t = claims.temperature_table(man)
    assert t["model"].tolist() == ["dssm@t0.02", "dssm", "dssm@t1.0"]
    assert t["tau"].tolist() == [0.02, 0.1, 1.0] and t["Coverage@10"].tolist() == [0.6, 0.4, 0.3]
    assert t["default"].tolist() == [False, True, False]


# --------------------------------------------------------------------------- 5. normalisation


def test_norms_are_the_stored_arrays_norms(planted, tmp_path):
    from recall_core.store import load_model, save_model

    ds, split = planted
    tr = split.train
    rng = np.random.default_rng(0)
    cand = rng.normal(size=(tr.n_items, 8)).astype(np.float32) * rng.uniform(0.5, 3, size=(tr.n_items, 1))
    known = np.ones(tr.n_items, bool)
    known[:3] = False
    out = RecallOutput(item_ids=tr.item_vocab.ids, item_vectors=cand, candidate_vectors=cand * 2, item_known=known,
                       user_ids=tr.user_vocab.ids, user_vectors=rng.normal(size=(tr.n_users, 8)), u2i_metric="ip")
    save_model(tmp_path, ds, "x", out, model_class="x", config={}, seed=0)
    stored = load_model(tmp_path, ds.key, "x", fingerprint=ds.fingerprint).output
    t = claims.norm_table(stored, tr.item_counts)
    arrays = np.load(next(tmp_path.rglob("*.npz")))
    key = "candidate_vectors" if "candidate_vectors" in arrays.files else "item_vectors"
    np.testing.assert_allclose(t["norm"], np.linalg.norm(arrays[key][3:], axis=1), rtol=1e-6)
    assert t["item_row"].tolist() == list(range(3, tr.n_items))
    assert t["count"].tolist() == tr.item_counts[3:].tolist()
    assert not claims.is_unit(stored)
    unit = RecallOutput(item_ids=tr.item_vocab.ids, item_vectors=cand / np.linalg.norm(cand, axis=1, keepdims=True))
    assert claims.is_unit(unit)


def test_spearman_against_scipy():
    from scipy.stats import spearmanr

    rng = np.random.default_rng(1)
    x = rng.integers(0, 10, 50)
    y = x + rng.normal(size=50)
    assert claims.spearman(x, y) == pytest.approx(spearmanr(x, y).statistic)
    assert claims.spearman([1, 2, 3, 4], [8, 6, 4, 2]) == pytest.approx(-1.0)
    assert np.isnan(claims.spearman([1, 1, 1], [1, 2, 3])) and np.isnan(claims.spearman([1, 2], [2, 1]))


def test_ip_against_cosine(planted):
    """Unit vectors: ip and cosine agree. A planted norm boost on one item makes ip recall it for everyone."""
    _, split = planted
    tr = split.train
    rng = np.random.default_rng(2)
    users = rng.normal(size=(tr.n_users, 6))
    items = rng.normal(size=(tr.n_items, 6))
    unit = lambda a: a / np.linalg.norm(a, axis=1, keepdims=True)  # noqa: E731
    out = RecallOutput(item_ids=tr.item_vocab.ids, item_vectors=unit(items), user_ids=tr.user_vocab.ids,
                       user_vectors=unit(users), u2i_metric="ip")
    r = claims.ip_vs_cosine(out, split)
    assert r["ip"]["hr@10"] == pytest.approx(r["cosine"]["hr@10"])
    # every test item gets a huge norm along the mean user direction: ip finds them, cosine does not care
    boosted = unit(items).copy()
    direction = users.mean(axis=0) / np.linalg.norm(users.mean(axis=0))
    boosted[np.unique(split.test_items)] += 50 * direction
    r = claims.ip_vs_cosine(RecallOutput(item_ids=tr.item_vocab.ids, item_vectors=boosted, user_ids=tr.user_vocab.ids,
                                         user_vectors=unit(users), u2i_metric="ip"), split)
    assert r["ip"]["hr@10"] > r["cosine"]["hr@10"]
    assert out.u2i_metric == "ip"  # the output itself is unchanged


# --------------------------------------------------------------------------- 6. tutorial table


def test_tutorial_table():
    project = {"fm": {"hr@10": 0.2, "ndcg@10": 0.1}, "dssm": {"hr@10": 0.22, "ndcg@10": 0.12},
               "item2vec": {"hr@10": 0.19}}
    t = claims.tutorial_table(project, claims.TUTORIAL_ISSUE_SNAPSHOT).set_index("model")
    assert list(t.index) == ["item2vec", "eges", "fm", "dssm", "youtubednn"]
    # the two numbers the issue states: FM lowest, DSSM highest at 0.040
    assert t.loc["fm", "tutorial rank"] == 5 and t.loc["dssm", "tutorial rank"] == 1
    assert round(t.loc["dssm", "tutorial HR@10"], 3) == 0.040
    assert t.loc["fm", "tutorial HR@10"] < 0.001
    assert t.loc["dssm", "rank"] == 1 and t.loc["fm", "rank"] == 2 and np.isnan(t.loc["eges", "HR@10"])
    assert (t["tutorial HR@10 min"] <= t["tutorial HR@10"]).all() and (t["tutorial HR@10"] <= t["tutorial HR@10 max"]).all()
    newest = claims.tutorial_table({}, claims.TUTORIAL_SNAPSHOTS[-1][0]).set_index("model")
    assert newest.loc["fm", "tutorial HR@10"] == claims.TUTORIAL_SNAPSHOTS[-1][3]["fm_recall"][0]
    assert newest["HR@10"].isna().all()
    assert newest["tutorial HR@5"].isna().all()  # a notebook version recorded HR@10 and NDCG@10 only
    assert claims.project_metrics({"fm": {"metrics": {"hr@10": 0.2}}, "bad": "damaged"}) == {"fm": {"hr@10": 0.2}}


#: The chapter's results table on ML-1M as issue 19 quotes it: HR@10, HR@5, NDCG@10, NDCG@5, P@10, P@5.
CHAPTER_ISSUE_19 = """
| item2vec | 0.0098 | 0.0033 | 0.0047 | 0.0027 | 0.001 | 0.0007 |
| eges | 0.0179 | 0.0081 | 0.0074 | 0.0042 | 0.0018 | 0.0016 |
| fm_recall | 0.001 | 0 | 0.0003 | 0 | 0.0001 | 0 |
| dssm | 0.0401 | 0.007 | 0.0137 | 0.0037 | 0.004 | 0.0014 |
| youtubednn | 0.023 | 0.0141 | 0.0118 | 0.0089 | 0.0023 | 0.0028 |
"""


def test_the_chapters_table_is_the_default_with_its_six_columns():
    rows = {cells[0]: tuple(float(x) for x in cells[1:]) for cells in
            ([c.strip() for c in line.strip("|").split("|")] for line in CHAPTER_ISSUE_19.strip().splitlines())}
    assert claims.CHAPTER_TABLE == rows
    t = claims.tutorial_table({"dssm": {"hr@10": 0.22, "ndcg@10": 0.12}}).set_index("model")  # default: the chapter
    for tut, ours in claims.TUTORIAL_MODELS.items():
        assert tuple(t.loc[ours, list(claims.TUTORIAL_COLUMNS)]) == rows[tut], ours
    assert t.loc["dssm", "tutorial HR@10"] == 0.0401 and t.loc["dssm", "tutorial rank"] == 1
    assert t.loc["fm", "tutorial rank"] == 5 and t.loc["youtubednn", "tutorial rank"] == 2
    assert t.equals(claims.tutorial_table({"dssm": {"hr@10": 0.22, "ndcg@10": 0.12}}, claims.CHAPTER).set_index("model"))
    # the notebook versions stay the range, whatever the source shown
    for tut, ours in claims.TUTORIAL_MODELS.items():
        hrs = [m[tut][0] for _, _, _, m in claims.TUTORIAL_SNAPSHOTS]
        assert (t.loc[ours, "tutorial HR@10 min"], t.loc[ours, "tutorial HR@10 max"]) == (min(hrs), max(hrs))
    with pytest.raises(KeyError):
        claims.tutorial_source("nosuch")


# --------------------------------------------------------------------------- 7. model cards


def test_card_facts():
    eges = {"info": {"epoch_loss": [2.0, 1.5], "graph": {"nodes": 10, "edges": 30, "sessions": 7},
                     "walks": {"n_walks": 100}, "user_scoring": "mean of H . Z"}, "views": {"user": "other"}}
    f = claims.card_facts(eges)
    assert f["epoch_loss"] == [2.0, 1.5] and f["user_scoring"] == "mean of H . Z"
    assert f["counts"] == {"graph nodes": 10, "graph edges": 30, "sessions": 7, "walks": 100}
    airbnb = {"info": {"sessions": 50, "booked_sessions": 20, "epoch_loss": []}, "views": {"user": "mean v . u"}}
    f = claims.card_facts(airbnb)
    assert f["counts"] == {"sessions": 50, "booked sessions": 20} and f["epoch_loss"] is None
    assert f["user_scoring"] is None  # not recorded in info: the card's view sentence says it
    assert claims.card_facts({}) == {"epoch_loss": None, "counts": {}, "user_scoring": None}


# --------------------------------------------------------------------------- the views (AppTest)


def _views_script(folder: str, store: str, ablations: str, lang: str) -> None:
    from recall_core.app import claims as views
    from recall_core.analysis.compare import model_card
    from recall_core.app import state
    from recall_core.store import read_manifest
    from pathlib import Path

    views.render_sparse_items(folder, store, lang)
    views.render_eges_vs_ges(folder, store, lang, ablations_path=ablations)
    views.render_airbnb_context(lang, ablations_path=ablations)
    views.render_temperature_coverage(folder, store, lang)
    views.render_normalisation(folder, store, lang)
    views.render_tutorial_table(folder, store, lang, ablations_path=ablations)
    ds = state.dataset(folder)
    views.render_card_facts(model_card(read_manifest(Path(store) / ds.key / "item2vec")), key="card", lang=lang)


@pytest.fixture(scope="module")
def tiny_store(tiny_built, tmp_path_factory):
    from tests.app_fixture import copy_store

    return copy_store(tiny_built, tmp_path_factory.mktemp("claims_app"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_views_render_and_say_what_they_show(tiny_store, tmp_path, lang):
    from streamlit.testing.v1 import AppTest

    from bench import ablations
    from recall_core.app._claims_text import text
    from recall_core.app.claims import ablation_text

    folder, store = tiny_store
    # an ablation file with one measured GES cell pair and nothing for Airbnb's global context
    results = {("eges", "side-information weights"): {
        "learned attention (EGES)": {("ml-100k", "test"): {"hr@10": 0.17, "ndcg@10": 0.09}},
        "plain mean (GES)": {("ml-100k", "test"): {"hr@10": 0.18, "ndcg@10": 0.10}}},
        ("airbnb", "same-market negative share (U2I)"): {
        "0": {("ml-100k", "test"): {"hr@10": 0.19, "i2i_hr@10": 0.15}},
        "0.1": {("ml-100k", "test"): {"hr@10": 0.17, "i2i_hr@10": 0.16}}}}
    path = tmp_path / "ablations.json"
    path.write_text(json.dumps(ablations.to_json(results, ["ml-100k"], "planted", "2026-01-01", None)))
    at = AppTest.from_function(_views_script, args=(str(folder), str(store), str(path), lang), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    texts = " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info])
    def d(key, **fmt):
        return text(lang, key, **fmt)

    # the GES verdict follows the (planted) numbers: the plain mean wins here, and the page says so
    assert d("ges.verdict_worse", splits=d("ges.split", split="test", a=0.17, b=0.18)) in texts
    assert d("airbnb.best", variant="0", metric="hr@10", value=0.19, zero=0.19) + " " + d("airbnb.market_not") \
        in texts
    # unmeasured rows say so instead of showing numbers (the row's name in the page's language)
    decision = ablation_text(lang, "booked film as global context")
    assert (decision == "booked movie as global context") == (lang == "en")  # the glossary's "movie", not "film"
    assert d("common.row_missing", model="airbnb", decision=decision) in texts
    assert d("common.measured_by", date="2026-01-01", command="planted") in texts
    # the tiny store has EGES and item2vec: the sparse-items verdict is one of the two sentences
    assert d("sparse.title") in [s.value for s in at.subheader]
    # three DSSM τ variants: the temperature verdict is shown
    from recall_core.app._claims_text import EN, ZH

    assert any(m.value.startswith((ZH if lang == "zh" else EN)["tau.verdict"].split("{")[0]) for m in at.markdown)
    assert any(el.key and "card_loss" in el.key for el in at.get("plotly_chart"))  # item2vec: loss per epoch
    assert len(at.get_by_key("claims_tutorial_table").dataframe) == 1


def test_text_keys_in_both_languages():
    from recall_core.app._claims_text import EN, ZH
    from recall_core.app.i18n import fields

    assert set(EN) == set(ZH)
    for k in EN:
        assert fields(EN[k]) == fields(ZH[k]), k
