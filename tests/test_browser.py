"""Browser check: `streamlit run app.py` on a free localhost port, headless Chromium through every page.

Fails on any exception box, error box or traceback text, and saves a
screenshot per page under test-artifacts/browser/. Without Chromium the test
fails when ``CI`` is set (``.ci/run`` installs Debian's ``chromium``) and is
skipped otherwise.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from screenshots import PAGES, chromium_path, serve, visit_all  # noqa: E402

from tests.app_fixture import build_tiny_store  # noqa: E402


@pytest.fixture(scope="module")
def browser_ready():
    if chromium_path() is None:
        msg = "chromium is not installed (apt-get install -y chromium); the browser check cannot run"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")


def test_every_page_in_chromium(browser_ready, tmp_path):
    folder, store = build_tiny_store(tmp_path)
    out = ROOT / "test-artifacts" / "browser"
    out.mkdir(parents=True, exist_ok=True)
    env = {"RECALL_DATASET": str(folder), "RECALL_STORE": str(store)}
    with serve(env) as url:
        results = visit_all(url, out, width=1400, height=900,
                            query={"items": "item=i5&k=5", "users": "user=u3&k=5"})
    assert [r["page"] for r in results] == [p[0] or "overview" for p in PAGES]
    problems = {r["page"]: r["problems"] for r in results if r["problems"]}
    assert not problems, problems
    for r in results:
        assert Path(r["screenshot"]).stat().st_size > 10_000, r
