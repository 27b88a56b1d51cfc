"""How it works: the FM, DSSM and YouTubeDNN sections and the numpy mechanisms behind them.

Oracles: a dense textbook FM and the stored user x candidate products (FM); the model's own
in-batch softmax loss in TensorFlow (DSSM); next_item_examples and the stored U2I scores
(YouTubeDNN). Models are trained for 2 epochs on the planted data.
"""
from __future__ import annotations

import re
import string
from pathlib import Path

import numpy as np
import pytest

from recall_core.analysis import towers_mechanism as tm
from recall_core.app.how import _towers_text as text

SMALL = {"epochs": 2, "embedding_dim": 8, "batch_size": 64, "learning_rate": 0.01, "history_len": 5, "seed": 3}
TOWER = {**SMALL, "hidden": (16,), "field_dim": 4}
HOW = Path(__file__).resolve().parents[2] / "recall_core" / "app" / "how"


def stored(tmp_path, planted, name: str, model):
    """Train ``model`` on the planted split, store it, read it back."""
    from recall_core.store import load_model, save_model

    ds, split = planted
    out = model.fit(split.train).export()
    save_model(tmp_path, ds, name, out, model_class=model.name, config=model.config.to_dict(), seed=3)
    return load_model(tmp_path, ds.key, name, fingerprint=ds.fingerprint)


# ----------------------------------------------------------------------------- strings


def _fields(s: str) -> set[str]:
    """The caller's fields (the nouns, ``{_item}`` ..., are filled from recall_core.app.i18n.glossary.NOUNS)."""
    from recall_core.app.i18n import fields

    return fields(s)


def test_every_string_in_both_languages_with_the_same_fields():
    assert set(text.EN) == set(text.ZH)
    for k in text.EN:
        assert _fields(text.EN[k]) == _fields(text.ZH[k]), k
        assert re.search(r"[\u4e00-\u9fff]", text.ZH[k]), f"ZH[{k!r}] has no Chinese"


def test_every_key_the_sections_use_exists_and_every_string_is_used():
    used, quoted = set(), set()
    for f in ("fm.py", "dssm.py", "youtubednn.py", "_towers_ui.py"):
        src = (HOW / f).read_text()
        used |= set(re.findall(r"_t\(\s*(?:ctx\.)?lang,\s*[\"']([a-z0-9_]+)[\"']", src))
        for a, b in re.findall(r'_t\(\s*(?:ctx\.)?lang,\s*"([a-z0-9_]+)" if [^,]* else "([a-z0-9_]+)"', src):
            used |= {a, b}
        quoted |= set(re.findall(r"[\"']([a-z0-9_]+)[\"']", src))
    assert len(used) > 40
    assert used <= set(text.EN), used - set(text.EN)
    assert set(text.EN) <= quoted, set(text.EN) - quoted  # no dead strings


# ----------------------------------------------------------------------------- FM


def fm_dense(t: tm.FMTables, u_ids, u_vals, i_ids, i_vals) -> float:
    """The textbook FM on the dense vector x = [x_u; x_t]: w0 + w·x + Σ_{i<j} <v_i, v_j> x_i x_j."""
    pu, pt = len(t.user_w), len(t.item_w)
    x = np.zeros(pu + pt)
    np.add.at(x, np.asarray(u_ids), u_vals)
    np.add.at(x, pu + np.asarray(i_ids), i_vals)
    v = np.vstack([t.user_v, t.item_v])
    w = np.concatenate([t.user_w, t.item_w])
    nz = np.flatnonzero(x)
    inter = sum(v[a] @ v[b] * x[a] * x[b] for k, a in enumerate(nz) for b in nz[k + 1:])
    return t.w0 + w @ x + inter


@pytest.fixture(scope="module", params=["bce", "softmax", "sampled"])
def fm_stored(request, planted, tmp_path_factory):
    from recall_core.models.fm import FM

    return stored(tmp_path_factory.mktemp("fm"), planted, "fm", FM(**SMALL, loss=request.param))


def test_fm_identity_on_a_trained_fm_against_the_stored_vectors(fm_stored, planted):
    from recall_core.features.towers import user_histories
    from recall_core.models.fm import FMFeatures

    _, split = planted
    train, cfg = split.train, fm_stored.manifest["config"]
    t = tm.FMTables.from_extras(fm_stored.output.extras)
    feats = FMFeatures(train, cfg["history_len"], cfg["history_decay"])
    u_ids, u_vals = feats.user_side(np.arange(train.n_users), *user_histories(train, cfg["history_len"]))
    i_ids, i_vals = feats.item_side()
    rng = np.random.default_rng(0)
    users, items = rng.integers(train.n_users, size=40), rng.integers(train.n_items, size=40)
    terms = tm.fm_terms(t, u_ids[users], u_vals[users], i_ids[items], i_vals[items])
    np.testing.assert_allclose(terms["two_tower"], terms["full"] - terms["user_only"], atol=1e-4)
    out = fm_stored.output
    oracle = (out.user_vectors[users].astype(np.float64) * out.candidates[items]).sum(axis=1)
    np.testing.assert_allclose(terms["two_tower"], oracle, rtol=1e-4, atol=1e-4)
    for k in range(5):  # the term-by-term sum is the textbook FM
        assert terms["full"][k] == pytest.approx(
            fm_dense(t, u_ids[users[k]], u_vals[users[k]], i_ids[items[k]], i_vals[items[k]]), abs=1e-6)
        shares = tm.fm_cross_by_user_feature(t, u_ids[users[k]], u_vals[users[k]], i_ids[items[k]], i_vals[items[k]])
        assert shares.sum() == pytest.approx(terms["cross"][k], abs=1e-9)
    assert np.abs(terms["user_pairwise"]).max() > 1e-3  # the dropped part is not zero
    if fm_stored.manifest["config"]["loss"] in ("softmax", "sampled"):
        assert t.w0 == 0 and not t.user_w.any()  # the page's claim: never trained under a softmax
    else:
        assert t.w0 != 0 and t.user_w.any()


def test_fm_without_tables_says_retrain():
    with pytest.raises(Exception, match="retrain"):
        tm.FMTables.from_extras({"fm_user_v": np.zeros((2, 2))})


# ----------------------------------------------------------------------------- DSSM


def test_in_batch_logits_are_cosine_over_tau_from_raw_vectors():
    rng = np.random.default_rng(1)
    u, v = rng.normal(size=(6, 4)) * 3, rng.normal(size=(6, 4)) * 0.2  # not unit: the cosine must normalise
    got = tm.in_batch_logits(u, v, 0.2)
    for b in range(6):
        for j in range(6):
            cos = float(u[b] @ v[j]) / (np.linalg.norm(u[b]) * np.linalg.norm(v[j]))
            assert got[b, j] == pytest.approx(cos / 0.2)


def test_in_batch_softmax_rows_sum_to_one_and_mask_accidental_hits():
    rng = np.random.default_rng(2)
    targets = np.array([3, 5, 3, 7, 1, 5])
    z, p = tm.in_batch_softmax(rng.normal(size=(6, 6)) * 5, targets, rng.normal(size=6))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    assert p[0, 2] == 0 and p[2, 0] == 0 and p[1, 5] == 0  # another column holding the row's own positive
    assert np.isneginf(z[0, 2]) and (np.diag(p) > 0).all()


def test_log_q_is_the_models_formula():
    from recall_core.models._tf.losses import log_q

    counts = np.array([0, 1, 5, 40, 3])
    np.testing.assert_allclose(tm.log_q(counts), log_q(counts), rtol=1e-6)
    np.testing.assert_allclose(np.exp(tm.log_q(counts)).sum(), 1.0)


def test_batch_view_gives_the_models_own_loss():
    """mean_b −log p_bb of the view = the model's sampled_softmax_loss (in-batch, logQ, accidental hits)."""
    from recall_core.models._tf import runtime
    from recall_core.models._tf.losses import sampled_softmax_loss

    runtime.start(0)
    rng = np.random.default_rng(3)
    u, v = rng.normal(size=(8, 5)), rng.normal(size=(8, 5))
    u /= np.linalg.norm(u, axis=1, keepdims=True)  # the towers' outputs are unit rows
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    targets = np.array([4, 2, 4, 9, 0, 1, 2, 6])
    lq = tm.log_q(np.arange(10) * 3)[targets]
    _, p = tm.in_batch_softmax(tm.in_batch_logits(u, v, 0.1), targets, lq)
    want = float(sampled_softmax_loss(u.astype(np.float32), v.astype(np.float32), targets.astype(np.int32),
                                      targets.astype(np.int32), lq.astype(np.float32), 10.0))
    assert float(np.mean(-np.log(np.diag(p)))) == pytest.approx(want, rel=1e-4)


@pytest.fixture(scope="module")
def dssm_stored(planted, tmp_path_factory):
    from recall_core.models.dssm import DSSM

    return stored(tmp_path_factory.mktemp("dssm"), planted, "dssm",
                  DSSM(**TOWER, temperature=0.5, softmax="in_batch"))


def test_dssm_stores_a_sample_batch_of_training_examples(dssm_stored, planted):
    _, split = planted
    ex = dssm_stored.output.extras
    users, targets, vecs = ex["batch_users"], ex["batch_targets"], ex["batch_user_vectors"]
    assert len(users) == min(64, split.train.n_users) and len(np.unique(users)) == len(users)
    assert vecs.shape == (len(users), dssm_stored.output.user_vectors.shape[1])
    np.testing.assert_allclose(np.linalg.norm(vecs, axis=1), 1.0, rtol=1e-5)
    for u, t in zip(users, targets):  # a positive the user has, after the first item (it has a history)
        assert t in split.train.history(u)[1:]


# ----------------------------------------------------------------------------- YouTubeDNN


def test_example_table_is_what_next_item_examples_gives(planted):
    from recall_core.features.towers import next_item_examples

    _, split = planted
    train = split.train
    all_ex = next_item_examples(train, 4, None, seed=7)
    kept = next_item_examples(train, 4, 3, seed=7)
    now = int(train.timestamp.max())
    u = 5
    h, ts = train.history(u), train.timestamps(u)
    table = tm.user_example_table(all_ex, kept, u, now, 1.0)
    assert table["position"].tolist() == list(range(1, len(h)))  # every target after the first
    assert table["target"].tolist() == h[1:].tolist()
    for p, hist in zip(table["position"], table["history"]):  # the rollback: only what came before, newest first
        assert list(hist) == h[:p][::-1][:4].tolist()
    np.testing.assert_allclose(table["age_days"], (now - ts[1:]) / 86_400.0)
    assert table["kept"].sum() == 3
    assert set(table["position"][table["kept"]]) == set(kept.position[kept.user == u].tolist())


@pytest.fixture(scope="module", params=["zero", "user_last"])
def ytb_stored(request, planted, tmp_path_factory):
    from recall_core.models.youtubednn import YouTubeDNN

    return stored(tmp_path_factory.mktemp("ytb"), planted, "youtubednn",
                  YouTubeDNN(**TOWER, example_age=True, serving_age=request.param))


def test_age_grid_at_the_serving_age_is_the_stored_u2i_score(ytb_stored, planted):
    _, split = planted
    train, out = split.train, ytb_stored.output
    grid = tm.AgeGrid.from_extras(out.extras)
    labels = grid.labels.tolist()
    assert labels == ["0", "own", "7", "30", "365"] and len(grid.users) == train.n_users
    serve = labels.index("own" if ytb_stored.manifest["config"]["serving_age"] == "user_last" else "0")
    now = train.timestamp.max()
    for u in (0, 17, 42):
        np.testing.assert_allclose(grid.days[grid.row(u)], [0, (now - train.timestamps(u)[-1]) / 86_400, 7, 30, 365])
        np.testing.assert_allclose(grid.scores(u, out.candidates)[serve], out.user_vectors[u] @ out.candidates.T,
                                   rtol=1e-4, atol=1e-5)
    assert not np.allclose(grid.vectors[:, 0], grid.vectors[:, 4])  # the age feature reaches the tower


def test_age_grid_for_a_sample_of_users(planted, monkeypatch):
    from recall_core.models.youtubednn import YouTubeDNN

    _, split = planted
    monkeypatch.setattr(YouTubeDNN, "age_grid_max_users", 10)
    out = YouTubeDNN(**TOWER, example_age=True, serving_age="zero").fit(split.train).export()
    grid = tm.AgeGrid.from_extras(out.extras)
    assert len(grid.users) == 10 and (np.diff(grid.users) > 0).all()
    u = int(grid.users[3])
    np.testing.assert_allclose(grid.scores(u, out.candidates)[0], out.user_vectors[u] @ out.candidates.T, atol=1e-5)
    with pytest.raises(Exception, match="not in the stored age grid"):
        grid.row(int(np.setdiff1d(np.arange(split.train.n_users), grid.users)[0]))


# ----------------------------------------------------------------------------- the sections under AppTest

SCRIPT = """
import importlib
from recall_core.app.how import HowContext
from recall_core.data import leave_last_out
from recall_core.data.planted import planted_dataset
from recall_core.store import load_model
ds = planted_dataset(n_clusters=4, items_per_cluster=12, users_per_cluster=20, history=10)
m = load_model({store!r}, ds.key, {name!r})
if {strip!r}:
    m.output.extras = {{}}
ctx = HowContext(name={name!r}, output=m.output, manifest=m.manifest, dataset=ds, train=leave_last_out(ds).train,
                 lang={lang!r}, key="how")
importlib.import_module("recall_core.app.how." + m.manifest["model_class"]).render(ctx)
"""


def run_section(model, lang: str, strip: bool = False):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(SCRIPT.format(store=str(model.path.parents[2]), name=model.name, lang=lang,
                                           strip=strip), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_sections_render_with_their_checks_holding(fm_stored, dssm_stored, ytb_stored, lang):
    for model in (fm_stored, dssm_stored, ytb_stored):
        at = run_section(model, lang)
        md = "\n".join(m.value for m in at.markdown)
        assert at.get("latex"), model.name
        assert "✓" in md and "✗" not in md, (model.name, md)  # what to look for holds on this data
        from recall_core.app.i18n import text as i18n_text

        assert any(e.label == i18n_text(lang, "how.differs") for e in at.expander), model.name
        if lang == "zh":
            assert text.ZH["look_for"] in md and text.EN["look_for"] not in md


def test_sections_of_models_stored_before_the_extras_still_render(fm_stored, dssm_stored, ytb_stored):
    for model in (fm_stored, dssm_stored, ytb_stored):
        at = run_section(model, "en", strip=True)
        shown = "\n".join(x.value for x in [*at.markdown, *at.caption, *at.warning, *at.info])
        assert "retrain" in shown.lower() or "predates" in shown, model.name


def test_dssm_tau_slider_sharpens_the_row(dssm_stored):
    at = run_section(dssm_stored, "en")
    entropy = re.compile(r"entropy is ([0-9.]+) bits")
    first = float(entropy.search("\n".join(m.value for m in at.markdown)).group(1))
    at.select_slider(key="how_dssm_tau").set_value(0.02).run()
    sharper = float(entropy.search("\n".join(m.value for m in at.markdown)).group(1))
    assert sharper < first
