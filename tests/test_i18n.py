"""English / 中文: every key in both catalogues with the same placeholders, and ?lang=zh on every page."""
from __future__ import annotations

import string

import numpy as np
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
    """Each literal t("...") / text(lang, "...") key in the app's code is in the catalogue (a typo fails here);
    a key built from a prefix ("dssm.training." + kind) has one entry per value the code can produce."""
    import re
    from pathlib import Path

    from recall_core.analysis import compare, eges
    from recall_core.analysis.dssm import training_kind
    from recall_core.analysis.serving import norm_kind

    root = Path(__file__).resolve().parents[1]
    used = set()
    for path in [*root.glob("pages/*.py"), *(root / "recall_core" / "app").rglob("*.py")]:
        src = path.read_text()
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_.]+)\"", src))
        used |= set(re.findall(r"\bi18n\.text\(\s*\w+,\s*\"([a-z0-9_.]+)\"", src))
        if path.parent.name == "i18n" or re.search(r"from recall_core\.app\.i18n import [^\n]*\btext\b", src):
            # (claims' own text() adds the "claims." prefix: not this one)
            used |= set(re.findall(r"\btext\(\s*\w+,\s*\"([a-z0-9_.]+)\"", src))
    prefixes = {k for k in used if k.endswith(".")}
    used -= prefixes
    assert used and not used - set(en.STRINGS), sorted(used - set(en.STRINGS))
    assert {"eges.verdict.nums", "serving.why_body", "sidebar.store"} <= used
    # keys built with f-strings or a prefix
    for k in ("how.item2vec.view_sequence", "how.item2vec.view_set", "how.airbnb.neg_market", "how.airbnb.neg_catalogue"):
        assert k in en.STRINGS
    built = {"dssm.training.": {training_kind(m) for m in (
                 {"info": {"softmax": "in_batch", "logq_correction": True}}, {"config": {"softmax": "in_batch"}},
                 {"info": {"softmax": "full"}}, None)},
             "serving.norms.": {norm_kind({"metric": m, "unit": u}) for m in ("cosine", "ip") for u in (True, False)},
             "eges.verdict.": {*eges.VERDICTS, "collinear"},
             "eges.exposure.": set(eges.EXPOSURES),
             "overview.view.": set(compare.VIEW_LABELS)}
    assert prefixes <= set(built), prefixes - set(built)
    for prefix, values in built.items():
        missing = {prefix + v for v in values} - set(en.STRINGS)
        assert not missing, missing


def test_the_english_catalogue_words_the_analysis_sentences_alike():
    """Where recall_core.analysis still returns an English sentence (for the CLI and the benchmarks), the
    catalogue's English wording of the same numbers is that sentence; the Chinese one is another text."""
    from recall_core.analysis import dssm, serving
    from recall_core.analysis import eges as A
    from recall_core.app.i18n.verdicts import eges_popularity_note, eges_verdict
    from recall_core.evaluation.baselines import TRANSITION_DEFAULTS, TRANSITION_DESCRIPTION
    from tests.test_eges_analysis import FIELDS, planted

    assert text("en", "overview.transition_description", **TRANSITION_DEFAULTS) == TRANSITION_DESCRIPTION
    for m in ({"info": {"softmax": "in_batch", "logq_correction": True}}, {"config": {"softmax": "in_batch"}},
              {"info": {"softmax": "full"}}, None):
        assert text("en", "dssm.training." + dssm.training_kind(m)) == dssm.training_sentence(m)
    for s in ({"metric": "cosine", "unit": True, "min": 1.0, "max": 1.0, "spread": 1.0},
              {"metric": "cosine", "unit": False, "min": 0.5, "max": 3.25, "spread": 2.0},
              {"metric": "ip", "unit": True, "min": 1.0, "max": 1.0, "spread": 1.0},
              {"metric": "ip", "unit": False, "min": 0.5, "max": 3.25, "spread": 2.0}):
        assert text("en", "serving.norms." + serving.norm_kind(s), **s) == serving.norm_sentence(s)

    rng = np.random.default_rng(1)
    cases = [planted(lambda x, z: 0.5 * np.log(x / z)), planted(lambda x, z: -0.5 * np.log(x / z)),
             planted(lambda x, z: 0.5 * np.log(z)), planted(lambda x, z: -0.5 * np.log(x / z), coupling=0.2)]
    x, z, att = planted(lambda x, z: -0.5 * np.log(z))
    cases.append((z + rng.integers(0, 2, len(z)), z, att))  # collinear counts
    cases.append((x[:5], z[:5], att[:5]))  # too few items
    verdicts = set()
    for x, z, att in cases:
        r = A.controlled_analysis(x, z, att, FIELDS)
        verdicts.add(r["verdict"])
        assert eges_verdict("en", r) == r["text"]
        zh_text = eges_verdict("zh", r)
        assert zh_text != r["text"] and any("\u4e00" <= c <= "\u9fff" for c in zh_text)
        assert eges_popularity_note("en", r) == r["popularity_note"]
    assert {"holds", "opposite", "exposure", "inseparable", "insufficient"} <= verdicts
    unrecorded = {"verdict": "unrecorded", "values": {"raw": 0.25}}
    assert "retrain EGES" in eges_verdict("en", unrecorded) and "+0.25" in eges_verdict("zh", unrecorded)


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
         "pages/dssm_temperature.py", "pages/embedding_maps.py", "pages/serving_indexes.py", "pages/how_it_works.py",
         "pages/judging.py"]


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def page_texts(at) -> list[str]:
    """Every caption, markdown, subheader, info box and expander label the run drew (main area and sidebar)."""
    out = [e.value for kind in (at.caption, at.markdown, at.subheader, at.info) for e in kind]
    return out + [e.label for e in at.expander]


#: One text per page that this change moved into the catalogues (besides the page's caption): its key and values.
NEWLY_TRANSLATED = {
    "pages/overview.py": ("overview.leaderboard", {}),
    "pages/item_neighbours.py": ("items.similar_head", {}),
    "pages/user_recall.py": ("users.history_head", {}),
    "pages/eges_attention.py": ("eges.nearest", {"k": 10}),
    "pages/dssm_temperature.py": ("dssm.part_a_head", {}),
    "pages/embedding_maps.py": ("maps.closeups", {}),
    "pages/serving_indexes.py": ("serving.norms_head", {}),
    "pages/how_it_works.py": ("how.caption", {}),
    "pages/judging.py": ("judge.type_name", {}),
}


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
    key, fmt = NEWLY_TRANSLATED[page]
    texts = page_texts(at)
    assert text("zh", key, **fmt) in texts and text("en", key, **fmt) not in texts, key
    assert text("en", key, **fmt) in page_texts(at_en), key
    # the sidebar's store line, on every page
    assert any(c.startswith("模型库：`") for c in zh_caps) and any(c.startswith("Store: `") for c in captions(at_en))
    # switching back to English in the sidebar drops the parameter and the Chinese text
    at.radio(key="sidebar_lang").set_value("en").run()
    ok(at)
    assert "lang" not in at.query_params
    assert not any(any("\u4e00" <= ch <= "\u9fff" for ch in c) for c in captions(at))
