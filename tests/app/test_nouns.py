"""Pages name a dataset's things by the dataset: "movie" / "genre" (电影 / 类型) on MovieLens, "item" /
"category" (物品 / 类别) on any other log, or the card's own words (``item_noun = "product"``).

One home for the words: :data:`recall_core.app.i18n.glossary.NOUNS` and :func:`recall_core.app.i18n.use_nouns`
(every catalogue text writes ``{_item}``, ``{_genre}`` ...; the library's English goes through
:func:`recall_core.app.i18n.en_nouns`); the sidebar chooses them once per run from the loaded dataset
(:func:`recall_core.app.datasets.choose_nouns`).

The page test runs every page of app.py's navigation, in English and in Chinese, with every keyed tab, expander
and toggle opened (and the How page once per stored model class), on a tiny planted shop log (SKUs, a ``brand``
field, ``|``-separated categories, no titles) written by ``from_frames`` + ``save_generic`` with all six models
trained small; no text outside data may say movie, film, genre, 电影 or 影片.
"""
from __future__ import annotations

import re

import pytest

from recall_core.app import i18n
from recall_core.app.i18n.glossary import DEFAULT_NOUNS

MOVIE_WORDS = re.compile(r"\b(movies?|films?|genres?)\b|电影|影片", flags=re.I)
SIX = ["item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn"]
SMALL = {"item2vec": {"epochs": 2}, "eges": {"epochs": 1, "embedding_dim": 8, "walks_per_node": 2},
         "airbnb": {"epochs": 1, "embedding_dim": 8},
         "fm": {"epochs": 1, "embedding_dim": 8, "batch_size": 64, "history_len": 5},
         "dssm": {"epochs": 1, "embedding_dim": 8, "batch_size": 64, "history_len": 5},
         "youtubednn": {"epochs": 1, "embedding_dim": 8, "batch_size": 64, "history_len": 5, "hidden": (16,),
                        "field_dim": 4}}


@pytest.fixture(autouse=True)
def _default_nouns():
    yield
    i18n.use_nouns(DEFAULT_NOUNS)  # the noun choice is per thread: leave the default for the next test


# --------------------------------------------------------------------------- the words (no app run)


def test_movies_say_movie_and_never_film():
    """MovieLens reads as before, with the glossary's one word: "movie" (the library's "film" rewritten)."""
    i18n.use_nouns("movies")
    assert i18n.text("en", "judge.kind_item") == "Movies (I2I)"
    assert i18n.text("zh", "judge.kind_item") == "电影（I2I）"
    assert i18n.text("en", "how.formula.airbnb_no_global") == (
        "This model was trained without the booked movie as global context: no D_b term.")
    assert i18n.text("zh", "judge.progress", done=1, total=3, here=1, n_here=2, probe=1, n_probes=4).startswith(
        "本集已评 1 / 3 部电影")
    assert i18n.en_nouns("A film's genres: {genres}; films of MovieLens") == "A movie's genres: {genres}; movies of MovieLens"


def test_other_logs_say_item_and_category_or_the_cards_own_words():
    i18n.use_nouns("items")
    assert i18n.text("en", "judge.kind_item") == "Items (I2I)"
    assert i18n.text("en", "judge.type_name").endswith("until you grade an item.")
    assert i18n.text("zh", "judge.progress", done=1, total=3, here=1, n_here=2, probe=1, n_probes=4).startswith(
        "本集已评 1 / 3 个物品")
    assert i18n.en_nouns("A film co-occurs with films of one genre") == "An item co-occurs with items of one category"
    # the card's words: English ones in the English texts (plural, capital, article derived), Chinese stays 物品
    i18n.use_nouns("items", item="product", category="family")
    assert i18n.text("en", "judge.kind_item") == "Products (I2I)"
    assert i18n.text("en", "judge.type_name").endswith("until you grade a product.")
    assert i18n.en_nouns("Genres of a film") == "Families of a product"
    assert i18n.text("zh", "judge.kind_item") == "物品（I2I）"
    i18n.use_nouns("items", item="商品", category="品类")
    assert i18n.text("zh", "judge.progress", done=1, total=3, here=1, n_here=2, probe=1, n_probes=4).startswith(
        "本集已评 1 / 3 个商品")
    assert i18n.text("en", "judge.kind_item") == "Items (I2I)"
    i18n.use_nouns("items", item="umbrella")
    assert i18n.text("en", "judge.type_name").endswith("until you grade an umbrella.")


def test_the_noun_choice_follows_the_dataset_card():
    """``choose_nouns`` reads the dataset's domain and card nouns (MovieLens: movies; a log: items)."""
    from recall_core.app import datasets
    from recall_core.data import from_frames
    from recall_core.data.planted import planted_log

    inter, items, users = planted_log(n_clusters=2, items_per_cluster=4, users_per_cluster=4, history=3)
    ds = from_frames(inter, items=items, user="customer", item="product", time="ts", time_format="iso8601",
                     item_fields=["brand"], item_noun="product")
    st_state: dict = {}
    import streamlit as st

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(st, "session_state", st_state)
        i18n.use_nouns(DEFAULT_NOUNS)
        assert datasets.choose_nouns(ds) is True  # changed: movies -> this card's
        assert i18n.nouns_spec() == ("items", "product", None)
        assert st_state[i18n.NOUNS_STATE_KEY] == ["items", "product", None]
        assert datasets.choose_nouns(ds) is False
        assert i18n.text("en", "widgets.pick_item").startswith("Product")
        i18n.use_nouns(DEFAULT_NOUNS)
        i18n.nouns_from_session()
        assert i18n.nouns_spec() == ("items", "product", None)


# --------------------------------------------------------------------------- every page, on a shop log


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """``(folder, store)``: a planted shop log with ``|``-separated categories and a ``brand`` field (no titles,
    no card nouns: the app's own "item" / "category"), every model trained small."""
    from recall_core.data import from_frames
    from recall_core.data.planted import planted_log
    from recall_core.training import TrainJob, train_models

    inter, items, users = planted_log(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8)
    cluster = items["brand"].str[-1]
    items = items.assign(tags=[f"aisle-{c}|{'sale' if i % 3 == 0 else 'regular'}" for i, c in enumerate(cluster)])
    ds = from_frames(inter, items=items, users=users, user="customer", item="product", time="ts",
                     time_format="iso8601", categories="tags", category_sep="|", item_fields=["brand"],
                     user_fields=["segment"], name="shop")
    root = tmp_path_factory.mktemp("nouns")
    folder = ds.save_generic(root / "shop")
    store = root / "store"
    train_models(str(folder), ["mostpop", *[TrainJob(m, overrides=SMALL[m]) for m in SIX]], store, seed=42)
    return folder, store


@pytest.fixture()
def shop_env(shop, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(shop[0]))
    monkeypatch.setenv("RECALL_STORE", str(shop[1]))
    return shop


def _pages() -> list[str]:
    from tests.test_layout import navigation_pages

    return [p for p, _, _ in navigation_pages()]


def _queries(page: str, folder, store, lang: str) -> list[dict]:
    from tests.app.test_i18n import zh_queries

    return [{**q, "lang": lang} if lang == "zh" else {k: v for k, v in q.items() if k != "lang"}
            for q in zh_queries(page, folder, store)]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("page", _pages())
def test_no_page_says_movie_on_a_shop_log(shop_env, page, lang):
    from recall_core.data import load_dataset
    from recall_core.store import stored_models
    from tests.i18n_scan import _strip, data_strings
    from tests.app.test_i18n import explore

    folder, store = shop_env
    ds = load_dataset(str(folder))
    assert ds.schema.domain == "items" and len(ds.genres) >= 2 and "brand" in ds.items.columns
    data = data_strings(ds, stored_models(ds, store))
    problems, n = {}, 0
    for query in _queries(page, folder, store, lang):
        texts, _, _ = explore(page, query)
        n += len(texts)
        for where, s in texts:
            if m := MOVIE_WORDS.search(_strip(s, data)):
                problems[f"{query.get('model', '')} {where}: {s[:160]!r}"] = m.group(0)
    assert n > 10
    assert not problems, problems


def test_a_shop_log_says_item_and_category(shop_env):
    """The positive side: the shop log's pages say "Item" / 物品 where MovieLens says "Movie" / 电影, from the first
    visit (the sidebar chooses the words, the session keeps them, the navigation titles follow after one rerun)."""
    from tests.i18n_scan import shown_texts
    from tests.app.test_app import ok, run_page

    for lang, word in (("en", "Item (type part of a title)"), ("zh", "物品")):
        at = run_page("pages/items.py", {"lang": lang} if lang == "zh" else None)
        ok(at)
        assert at.session_state[i18n.NOUNS_STATE_KEY] == ["items", None, None]
        shown = [s for where, s in shown_texts(at) if where.endswith(".label")]
        assert any(word in s for s in shown), (lang, shown)


# --------------------------------------------------------------------------- MovieLens still says movie


@pytest.mark.parametrize("lang,word", [("en", "Movie"), ("zh", "电影")])
def test_movielens_pages_still_say_movie(app_store, monkeypatch, lang, word):
    from tests.i18n_scan import shown_texts
    from tests.app.test_app import ok, run_page

    monkeypatch.setenv("RECALL_DATASET", str(app_store[0]))
    monkeypatch.setenv("RECALL_STORE", str(app_store[1]))
    for page, key in (("pages/items.py", "widgets.pick_item"), ("pages/judge.py", "judge.kind_item")):
        at = run_page(page, {"lang": lang} if lang == "zh" else None)
        ok(at)
        assert at.session_state[i18n.NOUNS_STATE_KEY][0] == "movies"
        shown = [s for _, s in shown_texts(at)]
        i18n.use_nouns("movies")
        expected = i18n.text(lang, key)
        assert word in expected and any(expected in s for s in shown), (page, expected)
