"""The schedule of ``make test`` (tests/scheduling.py): its lists name tests that exist, and units are modules; the
stores the workers share are built once per run (tests/conftest.py, ``built_once``)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests import scheduling

ROOT = Path(__file__).resolve().parents[1]


def test_every_listed_test_file_and_test_exists():
    for nodeid in scheduling.APART:
        path, _, name = nodeid.partition("::")
        tree = ast.parse((ROOT / path).read_text())
        assert name in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}, \
            f"tests/scheduling.py names {nodeid}, which does not exist"
    apart = set(scheduling.APART.values())
    for unit in scheduling.LONGEST_FIRST:
        assert unit in apart or (ROOT / unit).is_file(), f"tests/scheduling.py names {unit}, which does not exist"
    assert len(set(scheduling.LONGEST_FIRST)) == len(scheduling.LONGEST_FIRST)
    assert apart <= set(scheduling.LONGEST_FIRST)


def test_units_are_modules_except_the_tests_apart():
    nodeid, unit = next(iter(scheduling.APART.items()))
    path = nodeid.split("::")[0]
    assert scheduling.unit_of(nodeid) == unit != path
    assert scheduling.unit_of(f"{path}::test_something_else[param]") == path
    assert scheduling.unit_of("tests/test_layout.py::TestX::test_y") == "tests/test_layout.py"  # a class stays
    assert scheduling.rank(nodeid) < scheduling.rank("tests/test_layout.py::test_z") == len(scheduling.LONGEST_FIRST)
    # the ML-100K comparison runs with the end-to-end module: one process trains the session's ML-100K store
    cli = "tests/data/test_generic.py::test_ml100k_both_ways_train_mostpop_and_item2vec_through_the_cli"
    assert scheduling.unit_of(cli) == scheduling.unit_of("tests/training/test_e2e_ml100k.py::test_star_wars_neighbours")


def test_longest_first_keeps_each_units_order():
    class Item:
        def __init__(self, nodeid):
            self.nodeid = nodeid

    first = scheduling.LONGEST_FIRST[0]
    ids = ["tests/test_layout.py::a", f"{first}::b", "tests/test_layout.py::c", f"{first}::d"]
    items = [Item(i) for i in ids]
    scheduling.longest_first(items)
    assert [i.nodeid for i in items] == [f"{first}::b", f"{first}::d", "tests/test_layout.py::a",
                                         "tests/test_layout.py::c"]


def test_workers_sort_and_a_run_without_xdist_keeps_the_collection_order():
    """The sort runs in an xdist worker (which has ``workerinput``; xdist resets its ``option.dist`` to "no"), and
    nowhere else."""
    from types import SimpleNamespace

    from tests.conftest import pytest_collection_modifyitems

    first = scheduling.LONGEST_FIRST[0]
    ids = ["tests/test_layout.py::a", f"{first}::b"]
    worker = SimpleNamespace(workerinput={"workerid": "gw0"}, option=SimpleNamespace(dist="no"))
    alone = SimpleNamespace(option=SimpleNamespace(dist="no"))
    for config, want in ((worker, [ids[1], ids[0]]), (alone, ids)):
        items = [SimpleNamespace(nodeid=i) for i in ids]
        pytest_collection_modifyitems(config, items)
        assert [i.nodeid for i in items] == want


def test_built_once_builds_once_per_run_and_again_after_a_failed_build(tmp_path):
    """tests/conftest.py's ``built_once``: two workers of one run (basetemps under one root) get the same build, made
    once; a build that raised is made again by the next worker that asks; without xdist each call builds."""
    from types import SimpleNamespace

    from tests.conftest import built_once

    calls = []

    def build(root):
        calls.append(root)
        (root / "store").mkdir()
        return root / "folder", root / "store"

    def worker(n):
        base = tmp_path / "run" / f"popen-gw{n}"
        base.mkdir(parents=True, exist_ok=True)
        factory = SimpleNamespace(getbasetemp=lambda: base, mktemp=None)
        return SimpleNamespace(config=SimpleNamespace(workerinput={"workerid": f"gw{n}"})), factory

    def fails(root):
        calls.append(root)
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        built_once(*worker(0), "x", fails)
    first = built_once(*worker(0), "x", build)
    assert built_once(*worker(1), "x", build) == first and len(calls) == 2  # the failed one, then one build
    assert first[1].is_dir() and first[1].is_relative_to(tmp_path / "run")
    alone = SimpleNamespace(config=SimpleNamespace())
    factory = SimpleNamespace(mktemp=lambda name: Path(tmp_path / f"alone-{len(calls)}").mkdir() or
                              tmp_path / f"alone-{len(calls)}")
    a, b = built_once(alone, factory, "x", build), built_once(alone, factory, "x", build)
    assert a != b and len(calls) == 4


_MADE_WHEN_COLLECTED = [["a list, which the garbage collector tracks"]]


@pytest.fixture(scope="module")
def _module_made():
    return [["made by a module-scoped fixture"]]


def test_objects_older_than_the_test_are_out_of_the_collectors_reach(_module_made):
    """tests/conftest.py freezes what exists when a module starts and what a module-scoped fixture leaves alive
    (so Streamlit's ``gc.collect()`` after each script run walks only what the test makes): those are frozen, new
    objects are not, and a collection still reclaims a new cycle."""
    import gc
    import weakref

    assert gc.get_freeze_count() > 0
    tracked = {id(o) for o in gc.get_objects()}
    assert id(_MADE_WHEN_COLLECTED) not in tracked and id(_module_made) not in tracked
    fresh: list = [[]]
    assert id(fresh) in {id(o) for o in gc.get_objects()}

    class Node:
        pass

    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None
