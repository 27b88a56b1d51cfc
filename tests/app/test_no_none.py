"""No "None" on any page: every page of the app's navigation, in both languages, under AppTest.

Python's ``None`` leaks into a page as the text "None" (a formatted value), as an empty table cell (Streamlit
draws a missing value as "None" unless the table sets a placeholder), or as a chart's trace or title. Each page
is run on the tiny store with every model class stored (tests/app_fixture.py plus real Airbnb, FM and
YouTubeDNN), the How page once per model, the Overview with its model cards open; every element is read.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("streamlit")

ROOT = Path(__file__).resolve().parents[2]
#: the word None as a value: not the English "None of ..." (a sentence may start with it)
NONE = re.compile(r"\bNone\b(?! of\b)")


def app_pages() -> list[str]:
    """The page files of the app's page list (a page added there is covered here without a change)."""
    from recall_core.app.page_list import PAGES

    return [p.file for p in PAGES]


@pytest.fixture(scope="module")
def every_model(every_model_built, tmp_path_factory):
    """A store of its own with every model class (tests/app_fixture.py + ``add_real_models``)."""
    from tests.app_fixture import copy_store

    return copy_store(every_model_built, tmp_path_factory.mktemp("nonone"))


def nones(at) -> list[str]:
    """Where "None" shows on the page: ``["<element type> <key>: <text around it>", ...]``."""
    from google.protobuf.message import Message
    from google.protobuf.text_format import MessageToString

    found = []
    for node in at._tree:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        where = f"{kind} {getattr(node, 'key', None) or ''}".strip()
        if kind == "dataframe":
            frame = node.value
            empty = frame.isna().any().any() if len(frame) else False
            if empty and node.proto.placeholder in ("", "None"):
                found.append(f"{where}: empty cells drawn as None (no placeholder)")
            as_text = frame.astype(str)
            if (as_text == "None").any().any() or any(NONE.search(str(c)) for c in frame.columns):
                found.append(f"{where}: a cell or column reads None")
            continue
        if kind == "plotly_chart":
            spec = json.loads(node.proto.spec)
            for trace in spec.get("data", []):
                if NONE.search(str(trace.get("name", ""))) or NONE.search(str(trace.get("hovertemplate", ""))):
                    found.append(f"{where}: trace {trace.get('name')!r}")
            title = spec.get("layout", {}).get("title", {})
            if NONE.search(json.dumps(title)):
                found.append(f"{where}: title {title}")
            continue
        if isinstance(proto, Message):
            text = MessageToString(proto, as_utf8=True)
            for m in NONE.finditer(text):
                found.append(f"{where}: …{text[max(0, m.start() - 60):m.end() + 40]}…")
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_page_shows_none(every_model, monkeypatch, lang):
    from tests.app.test_app import run_page

    folder, store = every_model
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    pages = app_pages()
    assert "pages/home.py" in pages and len(pages) >= 8
    shown = {}
    for page in pages:
        runs = [({"lang": lang}, None)]
        if page.endswith("how.py"):
            runs = [({"lang": lang, "model": m}, None)
                    for m in ("item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn")]
        if page.endswith("home.py"):
            runs.append(({"lang": lang}, {"overview_cards": True}))
        for query, state in runs:
            at = run_page(page, query, state)
            assert not at.exception, (page, [e.message for e in at.exception])
            shown[f"{page} {query} {state or ''}"] = nones(at)
    bad = {k: v for k, v in shown.items() if v}
    assert not bad, json.dumps(bad, indent=1, ensure_ascii=False)


def test_the_check_finds_a_none():
    """The checker itself: a page that prints None, and a table with an empty cell and no placeholder."""
    from streamlit.testing.v1 import AppTest

    def script():
        import pandas as pd
        import streamlit as st

        st.caption(f"seed {None}")
        st.dataframe(pd.DataFrame({"a": [1.0, None]}), key="t")
        st.markdown("None of the models is stored.")  # an English sentence, not a leaked value

    at = AppTest.from_function(script).run()
    found = nones(at)
    assert len(found) == 2 and any("seed None" in f for f in found) and any("placeholder" in f for f in found)
