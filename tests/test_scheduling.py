"""The schedule of ``make test`` (tests/scheduling.py): its lists name tests that exist, and units are modules."""
from __future__ import annotations

import ast
from pathlib import Path

from tests import scheduling

ROOT = Path(__file__).resolve().parents[1]


def test_every_listed_unit_is_a_test_file_or_a_test_in_one():
    for unit in scheduling.LONGEST_FIRST:
        path, _, name = unit.partition("::")
        assert (ROOT / path).is_file(), f"tests/scheduling.py names {path}, which does not exist"
        if name:
            tree = ast.parse((ROOT / path).read_text())
            names = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
            assert name in names, f"tests/scheduling.py names {unit}, which does not exist"
    assert len(set(scheduling.LONGEST_FIRST)) == len(scheduling.LONGEST_FIRST)
    assert set(scheduling.ALONE) <= set(scheduling.LONGEST_FIRST)


def test_units_are_modules_except_the_tests_alone():
    lone = scheduling.ALONE[0]
    path = lone.split("::")[0]
    assert scheduling.unit_of(f"{lone}") == lone
    assert scheduling.unit_of(f"{path}::test_something_else[param]") == path
    assert scheduling.unit_of("tests/test_layout.py::TestX::test_y") == "tests/test_layout.py"  # a class stays
    assert scheduling.rank(lone) < scheduling.rank("tests/test_layout.py::test_z") == len(scheduling.LONGEST_FIRST)


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
