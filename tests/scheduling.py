"""How ``make test`` shares the suite between processes (pytest-xdist, ``-n 2 --dist loadscope``).

* **A module is one unit of work**, run by one process: its module- and class-scoped fixtures (trained stores,
  fitted models, servers) are built once, as in a run without xdist. A class goes with its module.
* **A few long tests are units apart from their module** (:data:`APART`): two that use nothing of their module's
  fixtures run beside the rest of it, and one joins the module whose session fixture it shares.
* **The long units start first** (:data:`LONGEST_FIRST`, measured per unit from the suite's junitxml; the rest
  follow in collection order), so that no process is left with a long unit at the end while the other one waits,
  and the units that start processes of their own (the browser's server and Chromium, ``tune`` processes) run
  beside units of one process, not beside each other.

Both lists only steer the schedule: a test missing from them runs all the same, in its module's unit. The session's
trained stores are built once per run, by the first process that asks (tests/conftest.py, ``built_once``).
"""
from __future__ import annotations

#: Tests that form a unit of work apart from their module: node id (or its prefix) -> the unit's name. The two
#: tuning processes use nothing of their module but ``tmp_path``, so each can run beside the rest of it on the other
#: process; the ML-100K CLI comparison reads the session's ML-100K store (``ml100k_trained``), so it joins the
#: end-to-end module, which reads it too: one process trains that store, not both.
APART = {
    "tests/tuning/test_tuning.py::test_kill_minus_9_then_rerun_continues_the_study": "tuning: kill -9",
    "tests/tuning/test_tuning.py::test_two_processes_share_one_study_within_its_budget": "tuning: two processes",
    "tests/data/test_generic.py::test_ml100k_both_ways_train_mostpop_and_item2vec_through_the_cli":
        "tests/training/test_e2e_ml100k.py",
}

#: Units in the order they are handed out; a unit that is not listed follows them in collection order. Measured
#: per unit with ``-n 2`` (the suite's junitxml; issue 22's note), and ordered so that the units that
#: start processes of their own (a server and Chromium; ``tune`` processes killed or racing; ``lanes``) do not run
#: beside each other: the browser module (~140 s) goes first, and the other process spends that time on units of
#: one process each (AppTest pages, the ML-100K CLI commands one after the other). Beside the browser, the two
#: tuning process checks took three times as long as beside one-process units (63.7 s against 19.6 s for kill -9).
LONGEST_FIRST = (
    "tests/app/test_browser.py",
    # beside the browser (about as long together): one process each
    "tests/training/test_e2e_ml100k.py",
    "tests/app/test_nouns.py",
    "tests/app/test_i18n.py",
    "tests/app/test_how_towers.py",
    "tests/app/test_app.py",
    "tests/app/test_no_none.py",
    "tests/app/test_app_scale.py",
    "tests/app/test_how.py",
    # after it: the process checks, each between units of one process
    "tuning: kill -9",
    "tests/judge/test_judge_app.py",
    "tests/tuning/test_tuning.py",
    "tuning: two processes",
    "tests/app/test_generic_app.py",
    "tests/training/test_lanes.py",
    "tests/models/test_eges.py",
    "tests/models/test_determinism.py",
    "tests/analysis/test_formulas.py",
    "tests/judge/test_judge_storage.py",
    "tests/index/test_ann.py",
    "tests/models/test_tf_training.py",
    "tests/models/test_dssm.py",
    "tests/data/test_data_fuzz.py",
    "tests/models/test_youtubednn.py",
    "tests/store/test_store_faults.py",
    "tests/data/test_download.py",
    "tests/models/test_softmax_switch.py",
    "tests/app/test_serving_app.py",
    "tests/app/test_access.py",
    "tests/tuning/test_tuning_app.py",
)


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: the one :data:`APART` names for it, else its module's path."""
    for prefix, unit in APART.items():
        if nodeid.startswith(prefix):
            return unit
    return nodeid.split("::", 1)[0]


def rank(nodeid: str) -> int:
    """Position of the test's unit in :data:`LONGEST_FIRST` (``len(LONGEST_FIRST)`` if not listed)."""
    unit = unit_of(nodeid)
    return LONGEST_FIRST.index(unit) if unit in LONGEST_FIRST else len(LONGEST_FIRST)


def longest_first(items: list) -> None:
    """Sort collected items in place so that units come in :data:`LONGEST_FIRST` order; a unit's tests keep
    their order (a stable sort), so module fixtures are set up and torn down as before."""
    items.sort(key=lambda item: rank(item.nodeid))


def make_scheduler(config, log):
    """xdist's ``loadscope`` scheduler with :func:`unit_of` as the scope: modules, and the :data:`APART` units.
    Units are handed out in collection order (the workers collect in :func:`longest_first` order)."""
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    config.option.loadscopereorder = False  # keep the longest-first order, not "most tests first"
    return ModuleScheduling(config, log)
