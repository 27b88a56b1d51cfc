"""Each How section's formula follows the stored model's config: flip a setting, and the formula changes with it.

First on configs alone (every switch that changes the trained objective), then on tiny trained models: the
manifest a training writes gives the formula, and the How page shows that formula (AppTest).
"""
from __future__ import annotations

import pytest

from recall_core.analysis import formulas
from recall_core.models import get_model_class


def f(model_class: str, **overrides) -> formulas.Formula:
    cls = get_model_class(model_class)
    return formulas.formula(model_class, cls.used_config(overrides, n_items=1682))


def tex(fm: formulas.Formula) -> str:
    return "\n".join(fm.latex)


def keys(fm: formulas.Formula) -> list[str]:
    return [k for k, _ in fm.legend]


def test_youtubednn_age_terms_only_with_the_age_feature():
    off, on = f("youtubednn", example_age=False), f("youtubednn", example_age=True)
    assert "a^2" not in tex(off) and r"a;\ a^2" in tex(on)
    assert "how.formula.ytb_no_age" in keys(off) and "how.formula.ytb_no_age" not in keys(on)
    zero, own = f("youtubednn", example_age=True, serving_age="zero"), f("youtubednn", example_age=True,
                                                                          serving_age="user_last")
    assert r"a_{\mathrm{serve}}=0" in tex(zero) and r"t_{\mathrm{last}}(u)" in tex(own)
    assert "how.formula.ytb_age_zero" in keys(zero) and "how.formula.ytb_age_user" in keys(own)
    # without the feature the serving age is not part of the model: the formula does not change with it
    assert tex(f("youtubednn", serving_age="zero")) == tex(f("youtubednn", serving_age="user_last"))


def test_youtubednn_softmax_and_history_table():
    full, sampled = f("youtubednn", softmax="full"), f("youtubednn", softmax="sampled", num_sampled=128)
    assert r"\sum_{j\in V}" in tex(full) and r"\log(|S|\,q_j)" not in tex(full)
    assert r"\sum_{j\in S,\,j\ne i}" in tex(sampled) and r"(n_j+1)^{0.75}" in tex(sampled)
    assert ("how.formula.ytb_sampled", {"s": 128}) in sampled.legend
    # "auto" resolves by the catalogue (1,682 films: the full softmax)
    assert tex(f("youtubednn", softmax="auto")) == tex(full)
    assert "how.formula.ytb_history_shared" in keys(f("youtubednn", share_history_table=True))
    assert "how.formula.ytb_history" in keys(f("youtubednn", share_history_table=False))


def test_dssm_mask_exact_q_and_temperature():
    default = f("dssm")
    t = tex(default)
    # the accidental-hit mask in the denominator, and q from training counts + 1
    assert r"\mathbf{1}[\,j'=b\ \lor\ i_{j'}\ne i_b\,]" in t
    assert r"-\log q_{i_j}" in t and r"q_i=\frac{n_i+1}{\sum_{k\in V}(n_k+1)}" in t
    assert ("how.formula.dssm_q", {"cap": 200}) in default.legend and "how.formula.dssm_mask" in keys(default)
    no_logq = f("dssm", logq_correction=False)
    assert r"\log q" not in tex(no_logq) and r"\mathbf{1}[" in tex(no_logq)  # still masked
    assert "how.formula.dssm_no_logq" in keys(no_logq)
    full = f("dssm", softmax="full")
    assert r"\sum_{j\in V}" in tex(full) and r"\mathbf{1}[" not in tex(full) and r"\log q" not in tex(full)
    assert r"\tau=0.05" in tex(f("dssm", temperature=0.05)) and r"\tau=0.2" in t
    # the temperature training recorded wins over the config's (a variant stored by name)
    stored = formulas.formula("dssm", get_model_class("dssm").used_config({}), info={"temperature": 0.5})
    assert r"\tau=0.5" in tex(stored)


def test_airbnb_global_term_with_or_without_negatives():
    default = f("airbnb")  # 10 negatives, 1 from the market, booked pairs with negatives
    assert r"\sum_{n=1}^{9}" in tex(default) and r"\sum_{m=1}^{1}" in tex(default)
    glob = default.latex[1]
    assert r"\mathcal{D}_b" in glob and r"\sum_{n=1}^{9}" in glob
    paper = f("airbnb", global_negatives=False)
    assert paper.latex[0] == default.latex[0]  # the window term does not change
    assert r"\mathcal{D}_b" in paper.latex[1] and r"\sum_{n=" not in paper.latex[1]
    assert "how.formula.airbnb_global_paper" in keys(paper)
    assert "how.formula.airbnb_global_negatives" in keys(default)
    none = f("airbnb", global_context=False)
    assert r"\mathcal{D}_b" not in tex(none) and "how.formula.airbnb_no_global" in keys(none)
    # no market share: no market term; all 10 from the catalogue
    m0 = f("airbnb", market_share=0.0)
    assert r"\sum_{n=1}^{10}" in tex(m0) and "m_m" not in tex(m0)


def test_fm_objective_and_history():
    assert r"\sum_{j\in V}" in tex(f("fm", loss="softmax"))
    assert r"\sum_{j\in S,\,j\ne i}" in tex(f("fm", loss="sampled"))
    bce = f("fm", loss="bce", num_negatives=4)
    assert r"\sum_{k=1}^{4}\log\sigma" in tex(bce)
    assert "how.formula.fm_no_history" in keys(f("fm", history_len=0))
    assert ("how.formula.fm_history", {"n": 20, "decay": "0.8"}) in f("fm").legend


def test_eges_and_item2vec():
    learned, mean = f("eges"), f("eges", attention="mean")
    assert "e^{a_v^j}" in tex(learned) and "e^{a_v^j}" not in tex(mean) and r"\frac{1}{4}" in tex(mean)
    assert r"\frac{1}{3}" in tex(f("eges", attention="mean", popularity_field=False))
    assert r"\sum_{j=0}^{2}" in tex(f("eges", popularity_field=False))
    seq, setv = f("item2vec", window=5), f("item2vec", context="set")
    assert r"0<|j|\le 5" in tex(seq) and r"\sum_{j\ne i}^{K}" in tex(setv)
    assert r"0<|j|\le 3" in tex(f("item2vec", window=3))


def test_every_legend_key_is_in_both_languages():
    from recall_core.app.i18n import en, text, zh

    configs = [("youtubednn", {}), ("youtubednn", {"example_age": True}),
               ("youtubednn", {"example_age": True, "serving_age": "zero"}), ("youtubednn", {"softmax": "sampled"}),
               ("youtubednn", {"share_history_table": True}), ("dssm", {}), ("dssm", {"logq_correction": False}),
               ("dssm", {"softmax": "full"}), ("airbnb", {}), ("airbnb", {"global_negatives": False}),
               ("airbnb", {"global_context": False}), ("fm", {}), ("fm", {"loss": "bce"}),
               ("fm", {"loss": "sampled", "history_len": 0}), ("eges", {}), ("eges", {"attention": "mean"}),
               ("item2vec", {}), ("item2vec", {"context": "set"})]
    for model, cfg in configs:
        for key, fields in f(model, **cfg).legend:
            assert key in en.STRINGS and key in zh.STRINGS, key
            assert "{" not in text("en", key, **fields) and "{" not in text("zh", key, **fields)
    unresolved = formulas.formula("fm", get_model_class("fm").used_config({}))  # "auto", nothing recorded
    assert "how.formula.auto_unresolved" in keys(unresolved)


# --------------------------------------------------------------------------- on tiny trained models

TINY = {"epochs": 1, "embedding_dim": 8, "batch_size": 64, "history_len": 5, "hidden": (16,), "field_dim": 4}
#: (store name, model, overrides): each pair of neighbours flips one setting
FLIPS = [
    ("youtubednn", "youtubednn", {**TINY}),
    ("youtubednn@age", "youtubednn", {**TINY, "example_age": True}),
    ("dssm", "dssm", {**TINY}),
    ("dssm@nologq", "dssm", {**TINY, "logq_correction": False}),
    ("dssm@full", "dssm", {**TINY, "softmax": "full"}),
    ("airbnb", "airbnb", {"epochs": 1, "embedding_dim": 8}),
    ("airbnb@paper", "airbnb", {"epochs": 1, "embedding_dim": 8, "global_negatives": False}),
    ("airbnb@noglobal", "airbnb", {"epochs": 1, "embedding_dim": 8, "global_context": False}),
]


@pytest.fixture(scope="module")
def flipped(tmp_path_factory):
    """A planted dataset folder and a store with one tiny model per entry of :data:`FLIPS` (a few seconds)."""
    from recall_core.data.planted import planted_dataset, write_movielens
    from recall_core.training import TrainJob, train_models
    from tests.app_fixture import PLANTED

    root = tmp_path_factory.mktemp("formulas")
    folder = write_movielens(planted_dataset(**PLANTED), root / "ml-tiny", "ml-100k")
    store = root / "store"
    results = train_models(str(folder), [TrainJob(m, name, ov) for name, m, ov in FLIPS], store, seed=42)
    assert not [r for r in results if r.get("error")]
    return folder, store


def _manifest(flipped, name):
    from recall_core.data import load_dataset
    from recall_core.store import load_model

    folder, store = flipped
    return load_model(store, load_dataset(str(folder)).key, name).manifest


@pytest.mark.parametrize("a,b", [("youtubednn", "youtubednn@age"), ("dssm", "dssm@nologq"), ("dssm", "dssm@full"),
                                 ("airbnb", "airbnb@paper"), ("airbnb", "airbnb@noglobal")])
def test_a_flipped_setting_on_a_trained_model_changes_its_formula(flipped, a, b):
    fa, fb = formulas.for_manifest(_manifest(flipped, a), a), formulas.for_manifest(_manifest(flipped, b), b)
    assert tex(fa) != tex(fb)
    for name, fm in ((a, fa), (b, fb)):  # the formula of the config it was trained with
        model, overrides = next((m, ov) for n, m, ov in FLIPS if n == name)
        assert tex(fm) == tex(f(model, **overrides))


@pytest.mark.parametrize("name", ["youtubednn", "youtubednn@age", "dssm@nologq", "airbnb@paper"])
def test_the_how_page_shows_the_stored_models_formula(flipped, monkeypatch, name):
    from recall_core.app.i18n import text
    from tests.app.test_app import ok, run_page

    folder, store = flipped
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    at = run_page("pages/how.py", {"model": name})
    ok(at)
    want = formulas.for_manifest(_manifest(flipped, name), name)
    shown = [x.value.strip().removeprefix("$$").removesuffix("$$").strip() for x in at.latex]
    assert shown[:len(want.latex)] == want.latex
    legend = " ".join(text("en", k, **fl) for k, fl in want.legend)
    assert legend in [c.value for c in at.caption]
    # the idea's sentences follow the model too: no example age mentioned as an input of a model without it
    idea = {"youtubednn": "how.towers.ytb_idea_no_age", "youtubednn@age": "how.towers.ytb_idea"}.get(name)
    if idea:
        assert text("en", idea) in [m.value for m in at.markdown]
