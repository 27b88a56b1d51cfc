"""English / 中文: the catalogues, the library's own texts, the glossary, and every page under ?lang=zh.

* Every key in both catalogues with the same placeholders; the Chinese is Chinese.
* ``core.*`` / ``ablation.*``: the Chinese of texts whose English lives in ``recall_core`` (model classes,
  the library's sentences) or in ``bench/ablations.json`` is there for every one of them, and only for them.
* The glossary: each term used, no avoided variant anywhere, full-width parentheses around Chinese.
* The nouns: a dataset that is not about movies can say "item" / 物品 everywhere by choosing a noun set.
* Every page of app.py's navigation rendered under ``?lang=zh`` on a tiny store (every tab, expander and
  toggle opened once; the How page for every stored model class) shows no run of four or more English words
  outside data, and no label (heading, widget, tab, metric, column, chart title) without Chinese.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

from recall_core.app.i18n import CATALOGUES, LANGS, en, fields, nouns, text, zh
from recall_core.app.i18n.glossary import DEFAULT_NOUNS, GLOSSARY, KEPT_IN_ENGLISH, NOUNS, is_noun

HAN = re.compile(r"[\u4e00-\u9fff]")
#: zh.py keys whose English is not in en.py: it lives in recall_core (core.*) or bench/ablations.json (ablation.*)
ZH_ONLY = ("core.", "ablation.")


def zh_catalogue() -> dict[str, str]:
    return {k: v for k, v in zh.STRINGS.items() if not k.startswith(ZH_ONLY)}


def all_fields(s: str) -> set[str]:
    import string

    return {f.split(".")[0].split("[")[0].split(":")[0] for _, f, _, _ in string.Formatter().parse(s) if f}


def dummy(s: str) -> dict:
    """Values for the caller's fields of ``s`` that every format spec accepts (floats format as d? no: ints)."""
    out = {}
    for _, f, spec, _ in __import__("string").Formatter().parse(s):
        if f and not is_noun(f):
            name = f.split(".")[0].split("[")[0]
            out[name] = 0.5 if spec and spec[-1:] in "efg%" else 3 if spec else "x"
    return out


# --------------------------------------------------------------------------- the catalogues


def test_every_key_exists_in_both_languages():
    assert set(LANGS) == set(CATALOGUES) == {"en", "zh"}
    assert set(en.STRINGS) - set(zh.STRINGS) == set(), "keys missing in zh.py"
    assert set(zh_catalogue()) - set(en.STRINGS) == set(), "keys in zh.py that en.py lacks"
    assert not [k for k in en.STRINGS if k.startswith(ZH_ONLY)], "core.* / ablation.* keys have no English copy"


def test_placeholders_match_between_languages():
    bad = {k: (fields(en.STRINGS[k]), fields(zh.STRINGS[k])) for k in en.STRINGS
           if fields(en.STRINGS[k]) != fields(zh.STRINGS[k])}
    assert not bad, bad


def test_chinese_texts_are_chinese_and_differ_from_english():
    same = [k for k, s in en.STRINGS.items() if text("en", k, **dummy(s)) == text("zh", k, **dummy(s))]
    assert not same, same
    # (a text of placeholders and punctuation only, "**{label}：**{note}", has no words to translate)
    no_han = [k for k, s in zh.STRINGS.items() if not HAN.search(s.format(**nouns("zh"), **dummy(s)))
              and re.search(r"[A-Za-z]", re.sub(r"\{[^{}]*\}", "", en.STRINGS.get(k, s)))]
    assert not no_han, no_han


def test_every_text_formats_in_both_languages_with_every_noun_set():
    """Literal braces are doubled (plotly's %{{x}}), each text's nouns are its language's, and every text
    formats with every noun set (``{_item}`` ... filled by text())."""
    for kind, table in NOUNS.items():
        assert set(table) == {"en", "zh"}
        assert set(table["en"]) == set(NOUNS[DEFAULT_NOUNS]["en"]) and set(table["zh"]) == set(
            NOUNS[DEFAULT_NOUNS]["zh"]), kind
    for lang, cat in (("en", en.STRINGS), ("zh", zh.STRINGS)):
        for key, s in cat.items():
            used = {f for f in all_fields(s) if f.startswith("_")}
            assert used <= set(nouns(lang)), (lang, key, used - set(nouns(lang)))
            for kind in NOUNS:
                s.format(**nouns(lang, kind), **dummy(s))


def test_text_formats_and_falls_back_to_english():
    assert text("zh", "how.missing", model="fm") == "fm 的演示部分尚未完成。"
    assert text("fr", "how.missing", model="fm") == "The section for fm is not written yet."
    assert text("en", "widgets.pick_item") == "Movie (type part of a title)"
    assert text("zh", "widgets.search_box_item", n=1682) == "搜索 1,682 部电影"
    assert text("en", "how.item2vec.hover_pairs").startswith("%{customdata[0]} pairs")  # doubled braces
    with pytest.raises(KeyError):
        text("en", "no.such.key")


def test_a_dataset_that_is_not_about_movies_can_say_item_everywhere():
    """With the "items" noun set no catalogue text names a movie, a film or a genre (issue 20 chooses the set
    by dataset); the few texts below are about MovieLens itself and keep it."""
    from recall_core.app import i18n

    about_movielens = {"eges.kinds_note"}  # its example is Toy Story's genre on MovieLens
    i18n.use_nouns("items")
    try:
        for lang, cat in (("en", en.STRINGS), ("zh", zh_catalogue())):
            for key, s in cat.items():
                if key in about_movielens:
                    continue
                out = text(lang, key, **dummy(s))
                assert not re.search(r"\b(movies?|films?|genres?)\b|电影|影片", out.replace("MovieLens", ""),
                                     flags=re.I), (lang, key, out)
        assert text("en", "widgets.pick_item") == "Item (type part of a title)"
        assert text("zh", "widgets.search_box_item", n=3) == "搜索 3 个物品"
    finally:
        i18n.use_nouns(DEFAULT_NOUNS)
    with pytest.raises(KeyError):
        i18n.use_nouns("books")


def test_every_key_used_in_the_code_exists():
    """Each literal t("...") / text(lang, "...") key in the app's code is in the catalogue (a typo fails here);
    a key built from a prefix ("dssm.training." + kind) has one entry per value the code can produce."""
    from pathlib import Path

    from recall_core.analysis import eges
    from recall_core.analysis.dssm import training_kind
    from recall_core.analysis.serving import norm_kind

    root = Path(__file__).resolve().parents[2]
    used = set()
    for path in [root / "app.py", *root.glob("pages/*.py"), *(root / "recall_core" / "app").rglob("*.py")]:
        src = path.read_text()
        used |= set(re.findall(r"\bt\(\s*f?\"([a-z0-9_.]+)\"", src))
        used |= set(re.findall(r"\bi18n\.(?:text|both)\(\s*(?:\w+,\s*)?\"([a-z0-9_.]+)\"", src))
        if path.parent.name == "i18n" or re.search(r"from recall_core\.app\.i18n import [^\n]*\btext\b", src) \
                or "text = i18n.text" in src:
            # (claims' own text() adds the "claims." prefix: not this one)
            used |= set(re.findall(r"\btext\(\s*\w+,\s*\"([a-z0-9_.]+)\"", src))
    prefixes = {k for k in used if k.endswith(".") or k.endswith("_")}
    used -= prefixes
    assert used and not used - set(en.STRINGS), sorted(used - set(en.STRINGS))
    assert {"eges.verdict.nums", "serving.why_body", "sidebar.store", "page.home", "widgets.copy_link"} <= used
    built = {"dssm.training.": {training_kind(m) for m in (
                 {"info": {"softmax": "in_batch", "logq_correction": True}}, {"config": {"softmax": "in_batch"}},
                 {"info": {"softmax": "full"}}, None)},
             "serving.norms.": {norm_kind({"metric": m, "unit": u}) for m in ("cosine", "ip") for u in (True, False)},
             "eges.verdict.": {*eges.VERDICTS, "collinear"},
             "eges.exposure.": set(eges.EXPOSURES),
             "widgets.expected_": {"item", "user"}, "widgets.search_box_": {"item", "user"},
             "widgets.no_": {"item_match", "user_match"}, "state.umap_": {"items", "users"},
             "serving.col_": {"ann", "exact"}}
    assert prefixes <= set(built), prefixes - set(built)
    for prefix, values in built.items():
        missing = {prefix + v for v in values} - set(en.STRINGS)
        assert not missing, missing


def test_every_page_title_comes_from_the_catalogue():
    """app.py titles each st.Page with i18n.t("page.<url path>"), and every page file heads with the same key."""
    import ast
    from pathlib import Path

    from tests.test_layout import navigation_pages

    root = Path(__file__).resolve().parents[2]
    from recall_core.app.page_list import PAGES

    calls = [n for n in ast.walk(ast.parse((root / "app.py").read_text()))
             if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "Page"]
    assert [ast.unparse(c) for c in calls] == \
        ["st.Page(p.file, title=i18n.t(p.title_key), icon=p.icon, url_path=p.url, default=p.default)"]
    assert all(p.title_key == f"page.{p.url}" for p in PAGES)
    for path, url, _ in navigation_pages():
        assert f"page.{url}" in en.STRINGS and HAN.search(zh.STRINGS[f"page.{url}"])
        assert f'"page.{url}"' in (root / path).read_text(), f"{path} should head with t(\"page.{url}\")"


def test_the_english_catalogue_words_the_analysis_sentences_alike():
    """Where recall_core.analysis still returns an English sentence (for the CLI and the benchmarks), the
    catalogue's English wording of the same numbers is that sentence; the Chinese one is another text."""
    from recall_core.analysis import dssm, serving
    from recall_core.analysis import eges as A
    from recall_core.app.i18n.verdicts import eges_popularity_note, eges_verdict
    from recall_core.evaluation.baselines import TRANSITION_DEFAULTS, TRANSITION_DESCRIPTION
    from tests.analysis.test_eges_analysis import FIELDS, planted

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
        assert zh_text != r["text"] and HAN.search(zh_text)
        assert eges_popularity_note("en", r) == r["popularity_note"]
    assert {"holds", "opposite", "exposure", "inseparable", "insufficient"} <= verdicts
    unrecorded = {"verdict": "unrecorded", "values": {"raw": 0.25}}
    assert "retrain EGES" in eges_verdict("en", unrecorded) and "+0.25" in eges_verdict("zh", unrecorded)


# --------------------------------------------------------------------------- texts whose English is the library's


def test_every_library_text_has_its_chinese_with_the_same_fields():
    """zh.py holds exactly one core.* entry per text recall_core words in English and the app shows (every
    model class's description, view notes and variant notes, and core_texts' others): none missing, none dead."""
    from recall_core.app.i18n.core_texts import AUTO_MIN_FIELD, core_texts

    texts = core_texts()
    zh_core = {k: v for k, v in zh.STRINGS.items() if k.startswith("core.")}
    assert set(texts) - set(zh_core) == set(), "library texts without their Chinese in zh.py"
    assert set(zh_core) - set(texts) == set(), "core.* keys in zh.py that no library text has"
    assert len([k for k in texts if k.startswith("core.model.")]) > 50
    for key, english in texts.items():
        mine = fields(zh_core[key]) - {AUTO_MIN_FIELD}
        assert mine == fields(english), (key, mine, fields(english))
        assert HAN.search(zh_core[key]), key


def test_model_texts_in_chinese_fill_every_field_for_every_variant():
    """Every class's description, view notes and every variant value read in Chinese, fields filled; the
    recorded "auto" reason of a softmax is worded from its numbers."""
    import dataclasses
    import typing

    from recall_core.app.i18n import core_texts as C, en_nouns
    from recall_core.models.base import REGISTRY, model_names

    model_names()
    for name, cls in REGISTRY.items():
        # English: the class's own words with the dataset's nouns (on MovieLens the glossary's "movie", never "film")
        assert HAN.search(C.description("zh", cls)) and C.description("en", cls) == en_nouns(cls.description)
        assert not re.search(r"\bfilms?\b", C.description("en", cls))
        zh_notes = C.view_notes("zh", cls)
        assert zh_notes.keys() == cls.describe_views().keys() and C.view_notes("en", cls) == {
            v: en_nouns(n) for v, n in cls.describe_views().items()}
        for view, note in zh_notes.items():
            assert "{" not in note and HAN.search(note), (name, view, note)
        hints = typing.get_type_hints(cls.Config)
        for field in cls.variant_notes:
            tp = hints[field]
            values = typing.get_args(tp) if typing.get_origin(tp) is typing.Literal else (
                (True, False) if tp is bool else (getattr(cls.Config(), field),))
            for v in values:
                zh_phrases = C.variant("zh", cls, {field: v})
                assert zh_phrases and all("{" not in p and HAN.search(p) for p in zh_phrases), (name, field, v)
                assert C.variant("en", cls, {field: v}) == [en_nouns(p) for p in cls.describe_variant({field: v})]
        assert dataclasses.is_dataclass(cls.Config)
    fm = REGISTRY["fm"]
    info = {"loss_used": "softmax", "loss_auto": "catalogue 1,682 items < 30,000"}
    zh_auto = C.variant("zh", fm, {"loss": "auto"}, info)[0]
    assert zh_auto.startswith("auto → 对整个物料库做 softmax") and "物料库 1,682 个物品 < 30,000" in zh_auto
    assert C.variant("zh", fm, {"loss": "auto"})[0].startswith("auto：物料库少于 30,000 个物品时")
    assert C.auto_reason("zh", "not a recorded reason") == "not a recorded reason"


def test_imported_and_generic_view_sentences_in_chinese():
    from recall_core.app.i18n import core_texts as C
    from recall_core.io.projector import view_sentences

    items = {"file": "vectors.tsv", "matched": 40, "in_dataset": 48}
    users = {"file": "u.npy", "matched": 10, "in_dataset": 60}
    manifest = {"views": view_sentences("ip", items, 8, users), "config": {"metric": "ip", "dim": 8},
                "info": {"imported": {"items": items, "users": users}}}
    assert C.imported_views("en", manifest) == manifest["views"]
    zh_views = C.imported_views("zh", manifest)
    assert zh_views["similar"].startswith("内积：从 vectors.tsv 导入的物品向量之间（8 维；48 个物品中有 40 个")
    assert "u.npy" in zh_views["user"] and "60 个用户中有 10 个" in zh_views["user"]
    old = {"views": {"similar": "an older sentence"}, "config": {"metric": "ip"}}
    assert C.imported_views("zh", old) == {"similar": "an older sentence"}  # no numbers recorded: its own words


def test_every_ablation_label_the_views_show_has_its_chinese():
    """The claims views show some rows of bench/ablations.json; each decision and variant label with an English
    word has a zh.py ablation.* entry, and every ablation.* entry names one of them."""
    from recall_core.analysis import claims
    from recall_core.app.claims import ablation_text, shown_ablations

    data = claims.load_ablations()
    names = set()
    for model, decision in shown_ablations():
        row = claims.ablation_row(data, model, decision)
        assert row, (model, decision)
        names |= {decision, *(v["label"] for v in row["variants"])}
    wordy = {n for n in names if re.search(r"[A-Za-z]{2,}", n) and n not in KEPT_IN_ENGLISH}
    assert wordy - {n for n in names if f"ablation.{n}" in zh.STRINGS} == set()
    assert {k[len("ablation."):] for k in zh.STRINGS if k.startswith("ablation.")} <= names
    assert ablation_text("zh", "booked film as global context") == "以预订的电影作为全局上下文"
    assert ablation_text("en", "booked film as global context") == "booked movie as global context"
    assert ablation_text("zh", "0.1") == "0.1"


# --------------------------------------------------------------------------- the glossary


def _english_texts() -> dict[str, str]:
    from recall_core.app.i18n.core_texts import core_texts

    out = {f"en:{k}": v for k, v in en.STRINGS.items()}
    out.update({f"core:{k}": v for k, v in core_texts().items()})
    return out


def _chinese_texts() -> dict[str, str]:
    return {f"zh:{k}": v for k, v in zh.STRINGS.items()}


def test_glossary_terms_are_used_and_their_variants_are_not():
    """Each term's word is used by the texts of its language, and no text uses a variant the glossary rules out
    (看点, 邻近出现, bits, epoch / 轮次 in Chinese, 目录 for the catalogue, "appears near" in English, ...)."""
    assert len({t.key for t in GLOSSARY}) == len(GLOSSARY)
    words = lambda texts: {k: re.sub(r"\{[^{}]*\}", " ", s) for k, s in texts.items()}  # noqa: E731 (no fields)
    english, chinese = words(_english_texts()), words(_chinese_texts())
    for term in GLOSSARY:
        assert any(term.en.lower() in s.lower() for s in english.values()), f"{term.key}: {term.en!r} unused"
        assert any(term.zh in s for s in chinese.values()), f"{term.key}: {term.zh!r} unused"
        for pattern in term.en_avoid:
            bad = {k: s for k, s in english.items() if re.search(pattern, s, flags=re.I)}
            assert not bad, (term.key, pattern, bad)
        for pattern in term.zh_avoid:
            bad = {k: s for k, s in chinese.items() if re.search(pattern, s)}
            assert not bad, (term.key, pattern, bad)


def test_the_glossary_fixes_the_terms_the_issue_names():
    zh_words = {t.zh for t in GLOSSARY}
    assert {"召回", "物料库", "候选", "负采样", "温度系数", "冷启动", "会话", "辅助信息", "共现", "轮", "比特",
            "值得关注之处"} <= zh_words
    co = next(t for t in GLOSSARY if t.key == "co_occurrence")
    assert co.en == "co-occurs with" and any(re.search(p, "appears near") for p in co.en_avoid)


def test_chinese_parentheses_are_full_width():
    """Around Chinese, parentheses are full-width: "轮（epoch）", not "轮 (epoch)"; a formula keeps ASCII ones
    (log(采样概率), l2n(u))."""
    bad = {}
    for key, s in _chinese_texts().items():
        for m in re.finditer(r"\(", s):
            before = s[:m.start()].rstrip()
            close = s.find(")", m.end())
            inner = s[m.end():close] if close > 0 else ""
            function_call = m.start() > 0 and re.match(r"[A-Za-z0-9_α-ωΑ-Ω]", s[m.start() - 1])
            annotation = re.fullmatch(r"[A-Za-z][A-Za-z -]*", inner)  # "(epoch)", "(b)"; not "(n, d)" or "(a + b)"
            if not function_call and (HAN.search(inner) or (before and HAN.search(before[-1]) and annotation)):
                bad[key] = s[max(0, m.start() - 12):m.start() + 20]
    assert not bad, bad


def test_kept_english_terms_appear_in_the_chinese_texts_as_they_are():
    """The words the Chinese keeps in English are spelled one way (softmax, not Softmax in one place)."""
    chinese = " ".join(_chinese_texts().values())
    for term in ("softmax", "skip-gram", "logQ"):
        assert term in chinese
        variants = {w for w in re.findall(r"[A-Za-z-]+", chinese) if w.lower() == term.lower() and w != term}
        assert not variants, (term, variants)


# --------------------------------------------------------------------------- ?lang=zh on every page

pytest.importorskip("streamlit")


@pytest.fixture(scope="module")
def tiny(app_store):
    return app_store


@pytest.fixture()
def env(tiny, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(tiny[0]))
    monkeypatch.setenv("RECALL_STORE", str(tiny[1]))
    return tiny


def pages() -> list[str]:
    from tests.test_layout import navigation_pages

    return [p for p, _, _ in navigation_pages()]


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def page_texts(at) -> list[str]:
    """Every caption, markdown, subheader, info box, expander label and toggle label the run drew (main area and
    sidebar)."""
    out = [e.value for kind in (at.caption, at.markdown, at.subheader, at.info) for e in kind]
    return out + [e.label for e in at.expander] + [e.label for e in at.toggle]


#: One text per page that the i18n moved into the catalogues (besides the page's caption): its key and values.
NEWLY_TRANSLATED = {
    "pages/home.py": ("overview.leaderboard", {}),
    "pages/items.py": ("items.similar_head", {}),
    "pages/users.py": ("users.history_head", {}),
    "pages/eges.py": ("eges.nearest", {"k": 10}),
    "pages/dssm.py": ("dssm.part_a_head", {}),
    "pages/maps.py": ("maps.show_closeups", {}),
    "pages/serving.py": ("serving.norms_head", {}),
    "pages/how.py": ("how.caption", {}),
    "pages/judge.py": ("judge.type_name", {}),
}


def _key_of(element_id: str) -> str | None:
    """A widget's or container's own key from its element id (``$$ID-<hash>-<key>``)."""
    parts = element_id.split("-", 2)
    return parts[2] if element_id.startswith("$$ID-") and len(parts) == 3 else None


def openers(at) -> list[tuple[str, object]]:
    """``(session-state key, value)`` that opens each keyed tab, closed expander and off toggle of a run."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        kind = type(node).__name__
        if proto is not None and proto.DESCRIPTOR.name == "Block" and proto.HasField("tab_container"):
            key = _key_of(proto.id)
            if key:
                out.extend((key, tab.proto.label) for tab in node.children.values())
        if kind == "Expander" and _key_of(proto.id) and not proto.expanded:
            out.append((_key_of(proto.id), True))
        if kind == "Toggle" and node.key and not node.value:
            out.append((node.key, True))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return out


def explore(page: str, query: dict, max_runs: int = 40, check=None):
    """Every text a reader can reach on ``page`` by opening its tabs, expanders and toggles one at a time:
    ``([(where, text)], runs, the AppTest)``; each run must draw no exception and no error box. ``check(at)``
    looks at the first run before anything is opened. An opener whose value the session already holds (the tab
    that is showing: a tab group's first one) is not run again: it would draw the state just read."""
    from tests.i18n_scan import shown_texts
    from tests.app.test_app import ok, run_page

    at = run_page(page, query)
    ok(at)
    if check is not None:
        check(at)
    texts, done, runs = shown_texts(at), set(), 1
    queue = openers(at)
    while queue and runs < max_runs:
        key, value = queue.pop(0)
        if (key, str(value)) in done:
            continue
        done.add((key, str(value)))
        if key in at.session_state and str(at.session_state[key]) == str(value):
            continue  # already showing: the last run drew it
        at.session_state[key] = value
        at.run()
        runs += 1
        ok(at)
        texts += shown_texts(at)
        queue += [o for o in openers(at) if (o[0], str(o[1])) not in done]
    return texts, runs, at


def _stored_classes(folder, store) -> list[str]:
    from recall_core.app import how
    from recall_core.data import load_dataset
    from recall_core.store import stored_models
    from recall_core.store import model_dir, read_manifest

    ds = load_dataset(str(folder))
    names = [n for n in stored_models(ds, store)
             if how.model_class_of(read_manifest(model_dir(store, ds.key, n)), n) in how.SECTIONS]
    return list(dict.fromkeys(how.model_class_of(None, n) for n in names))


def zh_queries(page: str, folder, store) -> list[dict]:
    """The page under ?lang=zh; the How page once per stored model class (each has its own section)."""
    if page.endswith("how.py"):
        return [{"lang": "zh", "model": c} for c in _stored_classes(folder, store)]
    return [{"lang": "zh"}]


@pytest.mark.parametrize("page", pages())
def test_every_page_in_chinese(env, page):
    """?lang=zh turns the page's heading, captions and sidebar Chinese and stays in the URL (switching back drops
    it); and anywhere a reader can get to on the page (every tab, expander and toggle opened) there is no run of
    four or more English words outside data, and no untranslated label."""
    from recall_core.data import load_dataset
    from recall_core.store import stored_models
    from tests.i18n_scan import data_strings, english_runs, untranslated_label
    from tests.app.test_app import ok, run_page

    folder, store = env
    at_en = run_page(page)
    ok(at_en)
    assert "lang" not in at_en.query_params  # English is the default: no parameter

    def first_run_in_chinese(at):
        assert at.radio(key="sidebar_lang").value == "zh"
        assert at.query_params["lang"] in ("zh", ["zh"])
        zh_caps = captions(at)
        assert set(zh_caps) != set(captions(at_en)) and any(HAN.search(c) for c in zh_caps), zh_caps
        if page in NEWLY_TRANSLATED:
            key, fmt = NEWLY_TRANSLATED[page]
            assert text("zh", key, **fmt) in page_texts(at) and text("en", key, **fmt) not in page_texts(at), key
            assert text("en", key, **fmt) in page_texts(at_en), key
        assert HAN.search(at.title[0].value) and not HAN.search(at_en.title[0].value)  # the page's heading
        # the sidebar's store line, on every page
        assert any(c.startswith("模型库：`") for c in zh_caps) and any(c.startswith("Store: `") for c in captions(at_en))

    ds = load_dataset(str(folder))
    data = data_strings(ds, stored_models(ds, store))
    problems, n_texts = {}, 0
    for i, query in enumerate(zh_queries(page, folder, store)):
        texts, runs, at = explore(page, query, check=first_run_in_chinese if i == 0 else None)
        if i == 0:  # switching back to English in the sidebar drops the parameter and the Chinese text
            at.radio(key="sidebar_lang").set_value("en").run()
            ok(at)
            assert "lang" not in at.query_params and not any(HAN.search(c) for c in captions(at))
        assert runs > 1 or not page.endswith(("home.py", "eges.py")), "nothing opened"
        n_texts += len(texts)
        for where, s in texts:
            bad = english_runs(s, data) or untranslated_label(where, s, data, KEPT_IN_ENGLISH)
            if bad:
                problems[f"{query.get('model', '')} {where}: {s[:120]!r}"] = bad
    assert n_texts > 20
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_an_empty_store_in_chinese(tiny, tmp_path, monkeypatch):
    """A first visitor's Overview (nothing trained yet: the training panel open) in Chinese, and a page that
    needs models, say so in Chinese."""
    from recall_core.data import load_dataset
    from tests.i18n_scan import data_strings, english_runs, untranslated_label

    monkeypatch.setenv("RECALL_DATASET", str(tiny[0]))
    monkeypatch.setenv("RECALL_STORE", str(tmp_path / "empty"))
    data = data_strings(load_dataset(str(tiny[0])), ["mostpop", "transition", "item2vec"])
    problems = {}
    for page in ("pages/home.py", "pages/items.py"):
        texts, _, at = explore(page, {"lang": "zh"})
        assert any(HAN.search(i.value) for i in at.info)
        for where, s in texts:
            bad = english_runs(s, data) or untranslated_label(where, s, data, KEPT_IN_ENGLISH)
            if bad:
                problems[f"{page} {where}: {s[:100]!r}"] = bad
    assert not problems, json.dumps(problems, ensure_ascii=False, indent=1)


def test_the_english_detector_finds_english_and_ignores_data_code_and_formulas():
    """The check above is not vacuous: planted sentences are found, data and code are not."""
    from tests.i18n_scan import english_runs, untranslated_label

    data = ["Star Wars (1977)", "item2vec"]
    assert english_runs("这是 a run of four words 在中文里", data) == ["a run of four words"]
    assert english_runs("Model descriptions stay English here", data)
    assert english_runs("片名 Star Wars (1977) 和 item2vec", data) == []
    assert english_runs("命令 `python -m recall_core train --models all` 与公式 $a + b = c$", data) == []
    assert english_runs("%{text}<br>%{x} 次交互<extra></extra>", data) == []
    assert english_runs("三个词 only three words", data) == []
    assert untranslated_label("Selectbox.label", "Colour by", data, KEPT_IN_ENGLISH) == ["Colour", "by"]
    assert untranslated_label("Selectbox.label", "着色依据", data, KEPT_IN_ENGLISH) == []
    assert untranslated_label("Slider.label", "n_neighbors", data, KEPT_IN_ENGLISH) == []
    assert untranslated_label("Metric.label", "HR@10", data, KEPT_IN_ENGLISH) == []
    assert untranslated_label("Markdown.body", "Colour by", data, KEPT_IN_ENGLISH) == []  # not a label
