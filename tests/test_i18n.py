"""English / 中文: every key in both catalogues with the same placeholders, and ?lang=zh on every page."""
from __future__ import annotations

import string

import pytest

from recall_core.app.i18n import CATALOGUES, LANGS, en, text, zh


def placeholders(s: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(s) if f is not None}


def test_every_key_exists_in_both_languages():
    assert set(LANGS) == set(CATALOGUES) == {"en", "zh"}
    assert set(en.STRINGS) - set(zh.STRINGS) == set(), "keys missing in zh.py"
    assert set(zh.STRINGS) - set(en.STRINGS) == set(), "keys in zh.py that en.py lacks"


def test_placeholders_match_between_languages():
    bad = {k: (placeholders(en.STRINGS[k]), placeholders(zh.STRINGS[k])) for k in en.STRINGS
           if placeholders(en.STRINGS[k]) != placeholders(zh.STRINGS[k])}
    assert not bad, bad


def test_chinese_texts_are_chinese_and_differ_from_english():
    same = [k for k in en.STRINGS if en.STRINGS[k] == zh.STRINGS[k]]
    assert not same, same
    no_han = [k for k, s in zh.STRINGS.items() if not any("\u4e00" <= c <= "\u9fff" for c in s)]
    assert not no_han, no_han


def test_text_formats_and_falls_back_to_english():
    assert text("zh", "how.missing", model="fm") == "fm 的演示部分尚未完成。"
    assert text("fr", "how.missing", model="fm") == "The section for fm is not written yet."
    with pytest.raises(KeyError):
        text("en", "no.such.key")


def test_every_key_used_in_the_code_exists():
    """Each literal t("...") / text(lang, "...") key in the app's code is in the catalogue (a typo fails here)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    used = set()
    for path in [*root.glob("pages/*.py"), *(root / "recall_core" / "app").rglob("*.py")]:
        src = path.read_text()
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_.]+)\"", src))
        used |= set(re.findall(r"\bt\(\s*f\"([a-z0-9_.]+)\{", src)) and set()  # f-string keys: checked below
    assert used and not used - set(en.STRINGS), sorted(used - set(en.STRINGS))
    # keys built with f-strings
    for k in ("how.item2vec.view_sequence", "how.item2vec.view_set", "how.airbnb.neg_market", "how.airbnb.neg_catalogue"):
        assert k in en.STRINGS


# --------------------------------------------------------------------------- ?lang=zh on every page

pytest.importorskip("streamlit")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from tests.app_fixture import build_tiny_store

    return build_tiny_store(tmp_path_factory.mktemp("i18n"))


@pytest.fixture()
def env(tiny, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(tiny[0]))
    monkeypatch.setenv("RECALL_STORE", str(tiny[1]))
    return tiny


PAGES = ["pages/overview.py", "pages/item_neighbours.py", "pages/user_recall.py", "pages/eges_attention.py",
         "pages/dssm_temperature.py", "pages/embedding_maps.py", "pages/serving_indexes.py", "pages/how_it_works.py"]


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_the_navigation_lists_every_page_checked_here():
    from tests.test_layout import navigation_pages

    assert {p for p, _, _ in navigation_pages()} == set(PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_lang_zh_changes_the_captions_and_stays_in_the_url(env, page):
    from tests.test_app import ok, run_page

    at_en = run_page(page)
    ok(at_en)
    assert "lang" not in at_en.query_params  # English is the default: no parameter
    at = run_page(page, {"lang": "zh"})
    ok(at)
    assert at.radio(key="sidebar_lang").value == "zh"
    assert at.query_params["lang"] in ("zh", ["zh"])
    zh_caps = captions(at)
    assert set(zh_caps) != set(captions(at_en))
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in c) for c in zh_caps), zh_caps
    # switching back to English in the sidebar drops the parameter and the Chinese text
    at.radio(key="sidebar_lang").set_value("en").run()
    ok(at)
    assert "lang" not in at.query_params
    assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in c) for c in captions(at))
