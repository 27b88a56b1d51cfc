import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.conformance import planted  # noqa: E402,F401  (shared fixture)


def _scan_installed_components_once() -> None:
    """Every ``AppTest`` scans all installed distributions' metadata for Streamlit v2 components (about 0.2 s
    of the ~0.9 s an AppTest page check takes here); the installed packages do not change during a test run, so
    the scan runs once per process and each AppTest gets a copy of its result. A real server scans once at start
    (``Runtime``), so this makes an AppTest behave as a long-running server does."""
    try:
        from streamlit.components.v2 import manifest_scanner
    except ImportError:  # no streamlit (or an older one): nothing to share
        return
    scan = manifest_scanner.scan_component_manifests
    if getattr(scan, "_scanned_once", False):
        return
    found: dict = {}

    def scan_once(max_workers=None):
        if "result" not in found:
            found["result"] = scan(max_workers)
        return list(found["result"])

    scan_once._scanned_once = True
    manifest_scanner.scan_component_manifests = scan_once


_scan_installed_components_once()


@pytest.fixture(scope="session")
def ml100k():
    """The real ML-100K (obtained into the user cache on first use)."""
    from recall_core.data import load_dataset

    return load_dataset("ml-100k")


@pytest.fixture(scope="session")
def judge_tiny(tmp_path_factory):
    """``(dataset folder, store)``: the app tests' tiny store (tests/app_fixture.py), built once for the Judge
    tests; each test judges in a store of its own (:func:`tests.test_judge.own_store`)."""
    from tests.app_fixture import build_tiny_store

    return build_tiny_store(tmp_path_factory.mktemp("judge"))


@pytest.fixture(scope="session")
def app_store(tmp_path_factory):
    """``(dataset folder, store)``: the app tests' tiny store (tests/app_fixture.py) with a stored model of every
    class (real Airbnb, FM and YouTubeDNN beside the stand-ins), built once per test run. Read it, don't train
    into it."""
    pytest.importorskip("streamlit")
    from tests.app_fixture import add_real_models, build_tiny_store

    folder, store = build_tiny_store(tmp_path_factory.mktemp("app_store"))
    add_real_models(folder, store)
    return folder, store
