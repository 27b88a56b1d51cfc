"""The app's tuning parts (AppTest on a tiny store where item2vec is tuned and airbnb has its defaults): the
leaderboard's "Set by" column and unequal-budget warning, Optuna's figures in the tuned card, the EASE row and
card, and EASE in the User page's lists; in English and Chinese. The EASE oracle is in tests/evaluation/test_ease.py."""
from __future__ import annotations

import pytest

pytest.importorskip("streamlit")

from tests.app_fixture import copy_store  # noqa: E402
from tests.app.test_app import ok, plotly_specs, run_page, table  # noqa: E402


@pytest.fixture(scope="module")
def tuned_store(tiny_basic_built, tmp_path_factory):
    from recall_core.data import load_dataset
    from recall_core.training import train_models
    from recall_core.tuning.study import Budget, tune_model

    folder, store = copy_store(tiny_basic_built, tmp_path_factory.mktemp("tuning_app"))
    train_models(str(folder), ["airbnb"], store, seed=42)
    tune_model(load_dataset(str(folder)), "item2vec", store, Budget(3))
    return folder, store


@pytest.fixture()
def env(tuned_store, monkeypatch):
    folder, store = tuned_store
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    return folder, store


def test_leaderboard_says_how_each_row_was_set_and_warns_of_unequal_budgets(env):
    at = run_page()
    ok(at)
    lb = table(at, "overview_table").set_index("model")
    assert lb.loc["item2vec", "Set by"].startswith("tuned (3 trials, ")
    assert lb.loc["airbnb", "Set by"] == "defaults"
    assert {lb.loc[r, "Set by"] for r in ("mostpop", "transition", "ease")} == {"reference"}
    assert lb.loc["ease", "HR@10"] > 0  # the EASE reference row, kept by training
    warn = " ".join(w.value for w in at.warning)
    assert "unequal tuning budgets" in warn and "3 trials: item2vec" in warn and "airbnb" in warn
    assert any("ease** is a reference" in c.value and "chosen on validation" in c.value for c in at.caption)


def test_tuned_card_draws_optunas_figures_when_asked(env):
    at = run_page(state={"overview_cards": True})
    ok(at)
    assert any("**Tuned** on validation: 3 trials" in c.value for c in at.caption)
    assert not any(k.startswith("overview_card_item2vec_history") for k in plotly_specs(at))  # not drawn yet
    at.toggle(key="overview_card_item2vec_study").set_value(True).run()
    ok(at)
    specs = plotly_specs(at)
    history = next(v for k, v in specs.items() if k.startswith("overview_card_item2vec_history"))
    assert history["layout"]["title"]["text"] == "Optimisation history (Optuna)"
    assert len(history["data"][0]["x"]) == 3  # one point per trial of the study
    assert any(k.startswith("overview_card_item2vec_importance") for k in specs)
    assert not any(k.startswith("overview_card_airbnb_") and "history" in k for k in specs)  # defaults: no study


def test_chinese_labels(env):
    at = run_page(query={"lang": "zh"})
    ok(at)
    lb = table(at, "overview_table").set_index("model")
    assert lb.loc["item2vec", "Set by"].startswith("已调参（3 次试验")
    assert lb.loc["airbnb", "Set by"] == "默认参数"
    assert any("调参预算不相等" in w.value and "3 次试验的模型：item2vec" in w.value for w in at.warning)


def test_user_page_lists_ease_as_a_reference(env):
    from recall_core.data import load_dataset
    from recall_core.data.split import split_for

    folder, _ = env
    ds = load_dataset(str(folder))
    user = ds.user_vocab.id(int(split_for(ds).test_users[0]))
    at = run_page("pages/users.py", query={"user": user, "k": "5"})
    ok(at)
    assert "ease: rank of the held-out item" in [m.label for m in at.metric]
    side = table(at, "u2i_compare")
    assert "ease" in side.columns and (side["ease"] != "").sum() == 5
    assert any("ease** is a reference" in c.value for c in at.caption)


def test_a_catalogue_above_the_limit_skips_ease_with_a_message(tiny_basic_built, tmp_path, monkeypatch):
    from recall_core.evaluation import ease

    folder, store = copy_store(tiny_basic_built, tmp_path)
    monkeypatch.setattr(ease, "EASE_MAX_ITEMS", 10)
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    at = run_page()
    ok(at)
    lb = table(at, "overview_table").set_index("model")
    assert lb.loc["ease", "HR@10"] != lb.loc["ease", "HR@10"] or lb.loc["ease", "HR@10"] is None  # no number
    assert any("is not computed here: this catalogue has 48 items, above the measured limit of 10" in c.value
               for c in at.caption)
    at = run_page("pages/users.py")
    ok(at)
    assert "ease" not in table(at, "u2i_compare").columns


def test_optuna_stays_off_the_apps_start_path(env):
    """A fresh process renders the Overview (cards closed) and the User page without importing Optuna; the study
    figures import it when drawn."""
    import os
    import subprocess
    import sys

    from tests.app.test_app import APP, ROOT, TIMEOUT

    code = f"""
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()
assert not at.exception
at.switch_page("pages/users.py").run()
assert not at.exception
print("optuna" in sys.modules, "sqlalchemy" in sys.modules)
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().splitlines()[-1] == "False False"
