import os
from pathlib import Path

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


def _freeze_the_survivors() -> None:
    """Reclaim what is garbage now, then move every object still alive out of the garbage collector's reach
    (``gc.freeze()``): later collections walk only objects made after this call.

    Why: Streamlit ends every script run with ``keras.backend.clear_session()`` once Keras is imported (its
    ``_clean_problem_modules``), and that calls ``gc.collect()``: with TensorFlow, Streamlit and trained stores
    loaded, a full collection walks about a million objects (~0.3-0.5 s), twice per AppTest page check, about half
    of an AppTest run's time here. A real server pays it only once it has trained from the app: its pages import
    neither TensorFlow nor Keras (tests/app/test_app.py). Frozen objects stay alive and counted by reference; only cycles among them that die
    later are not reclaimed (memory, never behaviour). Every run still clears the Keras session, and every
    collection still reclaims what was made after the last freeze."""
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture(scope="module", autouse=True)
def _earlier_objects_out_of_the_collector():
    """Each module starts with what outlived the previous ones (imported libraries, session fixtures, caches)
    frozen (:func:`_freeze_the_survivors`)."""
    _freeze_the_survivors()
    yield


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """After a session-, module- or class-scoped fixture is built (a trained store, a fitted model: TensorFlow's
    state with it), what it left alive is frozen (:func:`_freeze_the_survivors`), so the AppTest runs of the tests
    that use it do not walk it again and again. Function-scoped fixtures die with their test: never frozen."""
    result = yield
    if fixturedef.scope != "function":
        _freeze_the_survivors()
    return result


@pytest.fixture(scope="session")
def ml100k():
    """The real ML-100K (obtained into the user cache on first use)."""
    from recall_core.data import load_dataset

    return load_dataset("ml-100k")


def built_once(request, tmp_path_factory, name: str, build):
    """``build(folder)``'s result (paths), built by one process of the test run and read by every other.

    Without xdist this is ``build(tmp_path_factory.mktemp(name))``. In an xdist worker the build goes to the run's
    temporary root (the parent of every worker's own), under a file lock: the first worker to ask builds it there
    and writes the result's paths beside it, and a worker that asks later (or waits on the lock meanwhile) reads
    them; a build that fails writes nothing, so the next worker to ask builds it again. Only for what is built
    from the code under test alone (seeded, no state of the worker), and handed to tests as copies."""
    import json
    import tempfile

    if not hasattr(request.config, "workerinput"):
        return build(tmp_path_factory.mktemp(name))
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "built-once"
    shared.mkdir(exist_ok=True)
    with FileLock(str(shared / f"{name}.lock")):
        done = shared / f"{name}.json"
        if done.is_file():
            return _as_paths(json.loads(done.read_text()))
        result = build(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=shared)))
        done.write_text(json.dumps([str(p) for p in result] if isinstance(result, tuple) else str(result)))
        return result


def _as_paths(saved):
    """What :func:`built_once` wrote back as paths: a tuple of them, or one."""
    return tuple(Path(p) for p in saved) if isinstance(saved, list) else Path(saved)


@pytest.fixture(scope="session")
def ml100k_trained(ml100k, request, tmp_path_factory):
    """A store with most-popular and item2vec trained on the real ML-100K through the CLI in a process of its own
    (tests/ml100k_fixture.py), once per test run (:func:`built_once`): the end-to-end tests and the native leg of the
    generic-folder comparison read copies of it (``copy_ml100k_store``)."""
    from tests.ml100k_fixture import train_through_the_cli

    return built_once(request, tmp_path_factory, "ml100k_trained", lambda root: train_through_the_cli(root / "store"))


# ---- the tiny stores of the app tests (tests/app_fixture.py): each kind built once per test run (built_once: by
# the first process that asks), and handed out as copies (copy_store), so a module that writes to its store, or
# needs a first visitor's view of it, has one of its own as before, without training it again. Never hand the
# built stores themselves to a test.


@pytest.fixture(scope="session")
def tiny_basic_built(request, tmp_path_factory):
    """``(dataset folder, store)``: the planted folder with most-popular and item2vec (``with_extras=False``)."""
    from tests.app_fixture import build_tiny_store

    return built_once(request, tmp_path_factory, "tiny_basic",
                      lambda root: build_tiny_store(root, with_extras=False))


@pytest.fixture(scope="session")
def tiny_built(tiny_basic_built, request, tmp_path_factory):
    """``(dataset folder, store)``: :func:`tiny_basic_built` plus the EGES and DSSM stand-ins (``build_tiny_store``)."""
    from tests.app_fixture import add_stand_ins, copy_store

    def build(root):
        folder, store = copy_store(tiny_basic_built, root)
        add_stand_ins(folder, store)
        return folder, store

    return built_once(request, tmp_path_factory, "tiny", build)


@pytest.fixture(scope="session")
def every_model_built(tiny_built, request, tmp_path_factory):
    """``(dataset folder, store)``: :func:`tiny_built` plus real Airbnb, FM and YouTubeDNN (``add_real_models``)."""
    pytest.importorskip("streamlit")
    from tests.app_fixture import add_real_models, copy_store

    def build(root):
        folder, store = copy_store(tiny_built, root)
        add_real_models(folder, store)
        return folder, store

    return built_once(request, tmp_path_factory, "every_model", build)


@pytest.fixture(scope="session")
def judge_tiny(tiny_built, tmp_path_factory):
    """``(dataset folder, store)``: the app tests' tiny store (tests/app_fixture.py), a copy for the Judge tests;
    each test judges in a store of its own (:func:`tests.judge.test_judge.own_store`)."""
    from tests.app_fixture import copy_store

    return copy_store(tiny_built, tmp_path_factory.mktemp("judge"))


@pytest.fixture(scope="session")
def app_store(every_model_built, tmp_path_factory):
    """``(dataset folder, store)``: the app tests' tiny store (tests/app_fixture.py) with a stored model of every
    class (real Airbnb, FM and YouTubeDNN beside the stand-ins), shared by the modules that read it. Read it,
    don't train into it."""
    pytest.importorskip("streamlit")
    from tests.app_fixture import copy_store

    return copy_store(every_model_built, tmp_path_factory.mktemp("app_store"))


# ---- running on two processes (make test: pytest -n 2 --dist loadscope; tests/scheduling.py)


def pytest_collection_modifyitems(config, items):
    """In an xdist worker: the longest units of work first (tests/scheduling.py; the controller hands units out in
    the order the workers collected them). A worker's ``config.option.dist`` reads "no" (xdist resets it), so the
    test is ``workerinput``, which only workers have; every worker sorts alike, so their collections agree."""
    if hasattr(config, "workerinput"):
        from tests.scheduling import longest_first

        longest_first(items)


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist: no error when it is not installed
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with modules as units, a few long tests alone, in tests/scheduling.py's order."""
    if config.getvalue("dist") != "loadscope":
        return None
    from tests.scheduling import make_scheduler

    return make_scheduler(config, log)
