"""A planted non-movie log (string SKUs, ISO times, two categorical item fields, no titles) trains all six
models, and every page renders on it under AppTest: the Overview says which columns became side information,
and the How page's EGES section shows the declared fields.
"""
from __future__ import annotations


import numpy as np
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.app.test_app import ok, run_page  # noqa: E402

SIX = ["item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn"]
PAGES = ["pages/home.py", "pages/items.py", "pages/users.py", "pages/eges.py",
         "pages/dssm.py", "pages/maps.py", "pages/serving.py",
         "pages/how.py"]


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """``(folder, store, results)``: the planted log as a generic CSV folder and every model trained on it."""
    from recall_core.data import load_dataset
    from recall_core.data.planted import write_planted_log
    from recall_core.training import train_models

    root = tmp_path_factory.mktemp("shop")
    folder = write_planted_log(root / "shop-log")
    store = root / "store"
    results = train_models(load_dataset(str(folder)), ["mostpop", *SIX], store, seed=42)
    return folder, store, results


@pytest.fixture()
def env(shop, monkeypatch):
    folder, store, _ = shop
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    return shop


def run(page: str, query: dict | None = None, state: dict | None = None) -> AppTest:
    # A longer timeout than the other page tests: the first visit to the maps page computes UMAP on a busy machine.
    return run_page(None if page == "pages/home.py" else page, query, state, timeout=180)


def test_all_six_models_train_on_the_log_and_beat_chance(shop):
    """Every model trains and, on the planted clusters, recalls better than most-popular (the log is planted:
    a customer browses one brand's cluster)."""
    folder, store, results = shop
    by = {r["model"]: r for r in results}
    assert set(by) == {"mostpop", *SIX} and not [r for r in results if r.get("error")]
    for name in SIX:
        assert by[name]["metrics"]["hr@10"] > by["mostpop"]["metrics"]["hr@10"], (name, by[name]["metrics"])


def test_the_models_use_the_declared_fields(shop):
    from recall_core.data import load_dataset
    from recall_core.store import load_model

    folder, store, _ = shop
    ds = load_dataset(str(folder))
    eges = load_model(store, ds.key, "eges")
    assert list(eges.output.extras["attention_fields"]) == ["item_id", "brand", "colour", "popularity"]
    assert eges.manifest["info"]["side_fields"] == [
        {"field": "brand", "source": "brand"}, {"field": "colour", "source": "colour"},
        {"field": "popularity", "source": "training interactions"}]
    att = np.asarray(eges.output.extras["attention"])
    assert att.shape == (ds.n_items, 4) and np.allclose(att.sum(axis=1), 1.0, atol=1e-5)
    fm = load_model(store, ds.key, "fm")
    assert fm.manifest["info"]["user_features"] == ["user_id", "segment"]


def test_every_page_renders_on_the_log(env):
    for page in PAGES:
        at = run(page)
        ok(at)


def test_overview_says_which_columns_became_side_information(env):
    at = run("pages/home.py")
    ok(at)
    text = "\n".join(m.value for m in at.markdown)
    assert "**Side information**" in text
    for line in ("item field `brand` (4 values)", "item field `colour` (3 values)", "user field `segment` (4 values)"):
        assert line in text, text
    assert "categories from" not in text and "year from" not in text  # neither was declared
    at = run("pages/home.py", query={"lang": "zh"})
    ok(at)
    assert "物品字段 `brand`（4 个取值）" in "\n".join(m.value for m in at.markdown)


def test_how_page_eges_section_shows_the_declared_fields(env):
    at = run("pages/how.py", query={"model": "eges"})
    ok(at)
    captions = "\n".join(c.value for c in at.caption)
    assert "Side fields of this model, as the data declares them: **brand** (brand), **colour** (colour), " \
           "**popularity** (training interactions)." in captions, captions
    # the attention tab: one bar and one row per declared field, recomposing the stored vector
    at = run("pages/how.py", query={"model": "eges"}, state={"how_eges_tabs": "H_v from its fields"})
    ok(at)
    parts = at.get_by_key("how_eges_parts").dataframe[0].value
    assert list(parts["field"]) == ["item_id", "brand", "colour", "popularity"]
    assert "recomposed" in " ".join(c.value for c in at.caption) or len(parts) == 4
