"""Tuning on validation with one budget (recall_core.tuning): search spaces, the epoch hook, early stopping,
studies (seeded, resumable, shared by processes), the stored choice, how rows are labelled, and the CLI's
one-line errors. Planted data and the two fast models (gensim item2vec, numpy airbnb); the TensorFlow models'
hooks on tiny configs."""
from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from recall_core.cli import main
from recall_core.data.split import split_for
from recall_core.data.planted import planted_dataset, write_movielens
from recall_core.errors import StoreError, UsageError
from recall_core.evaluation import evaluate
from recall_core.models import get_model_class
from recall_core.store import load_model, read_manifest, tuning_db
from recall_core.tuning import report
from recall_core.tuning import space as sp
from recall_core.tuning.study import (
    Budget, EpochWatch, Settings, counted_trials, default_params, load_study, tunable_models, tune_model, tune_models,
)

ROOT = Path(__file__).resolve().parents[2]
SIX = ["item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn"]


# ------------------------------------------------------------------ search spaces


def test_the_six_models_are_tunable_and_mostpop_is_not():
    assert tunable_models() == SIX
    assert get_model_class("mostpop").search_space == {}


@pytest.mark.parametrize("name", SIX)
def test_search_space_holds_the_defaults(name):
    """Every field of the space is a config field and its default lies inside: the default is trial 0."""
    cls = get_model_class(name)
    defaults = dataclasses.asdict(cls.Config())
    assert "epochs" in cls.search_space and "embedding_dim" in cls.search_space
    for field, param in cls.search_space.items():
        assert field in defaults, field
        assert param.contains(defaults[field]), (field, defaults[field], param)
        assert param.decode(param.encode(defaults[field])) == (tuple(defaults[field]) if isinstance(
            defaults[field], list) else defaults[field])
    # a point from the space builds a valid config (checked ranges)
    cls.Config(**{**defaults, **sp.decode(cls.search_space, default_params(cls))})


def test_eges_space_has_walks_per_node_and_epochs():
    assert {"walks_per_node", "epochs"} <= set(get_model_class("eges").search_space)


def test_param_types():
    assert sp.Int(1, 5).contains(5) and not sp.Int(1, 5).contains(6) and not sp.Int(1, 5).contains(True)
    assert not sp.Int(1, 5).contains(2.0)
    assert sp.Float(0.1, 1.0, log=True).contains(0.1) and not sp.Float(0.1, 1.0).contains(1.5)
    c = sp.Choice((128,), (256, 128))
    assert c.encode((256, 128)) == "256,128" and c.decode("256,128") == (256, 128) and c.contains([256, 128])
    assert sp.Choice(0.0, 1e-4).contains(0) and not sp.Choice(32, 64).contains(True)
    for bad in (lambda: sp.Int(5, 1), lambda: sp.Float(0.0, 1.0, log=True), lambda: sp.Choice(1),
                lambda: sp.Int(0, 3, log=True)):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(ValueError):
        c.decode("64")
    assert sp.signature({"a": sp.Int(1, 2)}) != sp.signature({"a": sp.Int(1, 3)})


# ------------------------------------------------------------------ the epoch hook


SMALL = {
    "item2vec": {"epochs": 4, "embedding_dim": 8},
    "airbnb": {"epochs": 4, "embedding_dim": 8, "batch_size": 256},
    "eges": {"epochs": 4, "embedding_dim": 8, "walks_per_node": 2, "batch_size": 256, "jit_compile": False},
    "fm": {"epochs": 4, "embedding_dim": 8, "batch_size": 64, "history_len": 5},
    "dssm": {"epochs": 4, "embedding_dim": 8, "batch_size": 64, "history_len": 5, "hidden": (16,), "field_dim": 4},
    "youtubednn": {"epochs": 4, "embedding_dim": 8, "batch_size": 64, "history_len": 5, "hidden": (16,),
                   "field_dim": 4},
}


@pytest.mark.parametrize("name", SIX)
def test_on_epoch_sees_every_epoch_and_a_stopped_model_is_the_shorter_one(name, planted):
    """``on_epoch`` runs after epochs 1..E; the snapshot after the last one is the exported model; and (except
    item2vec, whose learning-rate schedule spans its epochs) a model stopped after epoch 2 of 4 is the model trained
    with epochs=2: the test retraining with the best epoch's count reproduces what validation saw."""
    _, split = planted
    cls = get_model_class(name)
    seen, snaps = [], {}

    def watch(epoch, snapshot):
        seen.append(epoch)
        snaps[epoch] = snapshot()
        return False

    full = cls(**SMALL[name]).fit(split.train, on_epoch=watch).export()
    assert seen == [1, 2, 3, 4]
    np.testing.assert_array_equal(snaps[4].user_vectors, full.user_vectors)
    np.testing.assert_array_equal(snaps[4].item_vectors, full.item_vectors)
    if name == "item2vec":
        return
    short = cls(**{**SMALL[name], "epochs": 2}).fit(split.train).export()
    np.testing.assert_allclose(snaps[2].user_vectors, short.user_vectors, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(snaps[2].candidates, short.candidates, rtol=1e-6, atol=1e-7)
    if name in ("airbnb", "fm"):  # returning True stops there (a numpy loop, and the Keras models' shared loop)
        stopped = cls(**SMALL[name]).fit(split.train, on_epoch=lambda e, s: e >= 2).export()
        np.testing.assert_allclose(stopped.user_vectors, short.user_vectors, rtol=1e-6, atol=1e-7)
        assert len(stopped.info["epoch_loss"]) == 2


class FakeTrial:
    def __init__(self, prune_after=None):
        self.reports, self.prune_after = [], prune_after

    def report(self, value, step):
        self.reports.append((step, value))

    def should_prune(self):
        return self.prune_after is not None and self.reports[-1][0] >= self.prune_after


def _watch_curve(monkeypatch, curve, **kw):
    import recall_core.evaluation as ev

    values = iter(curve)
    monkeypatch.setattr(ev, "evaluate", lambda out, split, ks: {"hr@10": next(values)})
    return EpochWatch(split=None, **kw)


def test_early_stopping_keeps_the_first_best_epoch(monkeypatch):
    trial = FakeTrial()
    w = _watch_curve(monkeypatch, [0.1, 0.3, 0.3, 0.2, 0.25, 0.9], trial=trial, patience=3)
    stops = [w(e, lambda: None) for e in range(1, 6)]
    assert stops == [False, False, False, False, True]  # epoch 5 is 3 epochs after the best (epoch 2)
    assert (w.best, w.best_epoch, w.curve) == (0.3, 2, [0.1, 0.3, 0.3, 0.2, 0.25])
    assert trial.reports == [(1, 0.1), (2, 0.3), (3, 0.3), (4, 0.3), (5, 0.3)]  # the best so far, per epoch
    no_patience = _watch_curve(monkeypatch, [0.5, 0.1, 0.1, 0.1, 0.1], patience=None)
    assert not any(no_patience(e, lambda: None) for e in range(1, 6))


def test_the_pruner_stops_a_trial_through_the_hook(monkeypatch):
    import optuna

    w = _watch_curve(monkeypatch, [0.1, 0.2, 0.3], trial=FakeTrial(prune_after=2), prune=True)
    w(1, lambda: None)
    with pytest.raises(optuna.TrialPruned):
        w(2, lambda: None)
    quiet = _watch_curve(monkeypatch, [0.1, 0.2], trial=FakeTrial(prune_after=1), prune=False)
    assert quiet(1, lambda: None) is False  # the default trial is never pruned


# ------------------------------------------------------------------ studies on planted data


@pytest.fixture(scope="module")
def tiny():
    return planted_dataset(n_clusters=4, items_per_cluster=12, users_per_cluster=20, history=10, noise=0.1, seed=0)


@pytest.fixture(scope="module")
def tuned(tiny, tmp_path_factory):
    store = tmp_path_factory.mktemp("tuned")
    results = tune_models(tiny, ["item2vec", "airbnb"], store, Budget(6), Settings(seed=42))
    return store, {r["model"]: r for r in results}


def _trials(store, ds, name):
    return load_study(tuning_db(store, ds.key), name).get_trials(deepcopy=False)


@pytest.mark.parametrize("name", ["item2vec", "airbnb"])
def test_tuned_model_is_stored_with_its_record(tuned, tiny, name):
    store, results = tuned
    m = load_model(store, tiny.key, name, fingerprint=tiny.fingerprint)
    t = m.manifest["tuned"]
    assert {"trials", "budget", "best_valid", "study"} <= set(t)  # the record
    assert t["trials"] == 6 and t["budget"] == {"trials": 6, "minutes": None}
    assert t["study"]["name"] == name and t["study"]["fingerprint"] == tiny.fingerprint and t["study"]["seed"] == 42
    assert (Path(store) / t["study"]["storage"]).is_file()
    assert t["best_valid"] >= t["default_valid"]  # validation HR@10: tuned >= default, by construction
    # the stored config is the defaults with the chosen setting, trained for the chosen epoch count
    cls = get_model_class(name)
    want = {**dataclasses.asdict(cls.Config()), **t["params"], "seed": 42}
    assert m.manifest["config"] == json.loads(json.dumps(want))
    assert m.manifest["split"] == "test"
    # its metrics are the stored vectors' on the test split (reported, never used)
    again = evaluate(m.output, split_for(tiny, "test"))
    assert again["hr@10"] == pytest.approx(m.manifest["metrics"]["hr@10"])
    assert results[name]["test"]["hr@10"] == pytest.approx(again["hr@10"])


@pytest.mark.parametrize("name", ["item2vec", "airbnb"])
def test_trial_zero_is_the_default_configuration(tuned, tiny, name):
    """Trial 0: the default setting, every epoch, no early stop; its last epoch is the default's validation HR@10
    (an independent training of the defaults on the validation split gives the same number)."""
    store, results = tuned
    cls = get_model_class(name)
    t0 = min(_trials(store, tiny, name), key=lambda t: t.number)
    assert t0.user_attrs["default"] and t0.params == default_params(cls)
    assert len(t0.user_attrs["curve"]) == cls.Config().epochs
    valid = split_for(tiny, "valid")
    direct = evaluate(cls(seed=42).fit(valid.train).export(), valid)["hr@10"]
    assert t0.user_attrs["final_hr"] == pytest.approx(direct)
    assert results[name]["default_valid"] == pytest.approx(direct)
    assert t0.value == max(t0.user_attrs["curve"])


def test_the_chosen_setting_is_the_best_trial_at_its_best_epoch(tuned, tiny):
    """airbnb trains the same up to epoch e whatever its epoch count, so the choice retrained on validation scores
    exactly what its trial scored at its best epoch."""
    store, results = tuned
    r = results["airbnb"]
    trials = _trials(store, tiny, "airbnb")
    best = max((t for t in trials if t.state.name == "COMPLETE"), key=lambda t: (t.value, -t.number))
    assert r["best_trial"] == best.number and r["best_epoch"] == best.user_attrs["best_epoch"]
    if r["chosen"] == "tuned":
        assert r["params"]["epochs"] == best.user_attrs["best_epoch"]
        assert r["best_valid"] == pytest.approx(best.value)


def test_same_seed_one_worker_same_trials(tiny, tmp_path):
    """Two fresh studies with the same seed: the same trials (settings and values) and the same best setting."""
    runs = []
    for k in range(2):
        store = tmp_path / f"s{k}"
        r = tune_model(tiny, "airbnb", store, Budget(4), Settings(seed=7))
        trials = sorted(_trials(store, tiny, "airbnb"), key=lambda t: t.number)
        runs.append(([(t.number, t.params, t.value, t.state.name) for t in trials], r["params"], r["best_valid"]))
    assert runs[0] == runs[1]
    assert len({json.dumps(p, sort_keys=True) for _, p, _, _ in runs[0][0]}) == 4  # four different settings
    tune_model(tiny, "airbnb", tmp_path / "s2", Budget(2), Settings(seed=8))
    third = sorted(_trials(tmp_path / "s2", tiny, "airbnb"), key=lambda t: t.number)
    assert third[0].params == runs[0][0][0][1]  # trial 0: the defaults, whatever the seed
    assert third[1].params != runs[0][0][1][1]  # another seed: other trials


def test_a_rerun_continues_the_study_and_a_larger_budget_extends_it(tiny, tmp_path):
    first = tune_model(tiny, "airbnb", tmp_path, Budget(3))
    before = {t.number: (t.params, t.value, t.datetime_start) for t in _trials(tmp_path, tiny, "airbnb")}
    again = tune_model(tiny, "airbnb", tmp_path, Budget(3))
    assert again["stored"] is False and again["best_valid"] == first["best_valid"]  # nothing to do: already stored
    more = tune_model(tiny, "airbnb", tmp_path, Budget(5))
    after = {t.number: (t.params, t.value, t.datetime_start) for t in _trials(tmp_path, tiny, "airbnb")}
    assert sorted(after) == [0, 1, 2, 3, 4] and all(after[n] == before[n] for n in before)
    assert more["trials"] == 5 and more["stored"] is True
    assert read_manifest(tmp_path / tiny.key / "airbnb")["tuned"]["trials"] == 5
    # started again (--fresh): the same seed gives the same trials and best, but it is another study, timed anew;
    # its record (minutes, start) must be stored, not the old study's
    fresh = tune_model(tiny, "airbnb", tmp_path, Budget(5), fresh=True)
    new_start = min(t.datetime_start for t in _trials(tmp_path, tiny, "airbnb"))
    assert fresh["stored"] is True and fresh["best_trial"] == more["best_trial"]
    assert fresh["started"] == new_start.isoformat() != more["started"]
    assert read_manifest(tmp_path / tiny.key / "airbnb")["tuned"]["started"] == fresh["started"]


def test_a_minutes_budget_ends_the_study(tiny, tmp_path):
    r = tune_model(tiny, "airbnb", tmp_path, Budget(50, minutes=1e-6))
    assert r["trials"] == 1 and r["budget"] == {"trials": 50, "minutes": 1e-6}  # the default trial, then time is up


def test_a_trial_lost_with_its_process_is_failed_and_run_again(tiny, tmp_path):
    from optuna.trial import TrialState

    tune_model(tiny, "airbnb", tmp_path, Budget(2))
    study = load_study(tuning_db(tmp_path, tiny.key), "airbnb")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    trial = study.ask()  # as if a process had started it and then been killed
    trial.set_user_attr("pid", int(dead.stdout))
    trial.set_user_attr("host", os.uname().nodename)
    r = tune_model(tiny, "airbnb", tmp_path, Budget(3))
    states = {t.number: t for t in _trials(tmp_path, tiny, "airbnb")}
    lost = states[trial.number]
    assert lost.state == TrialState.FAIL and "lost" in lost.user_attrs
    assert r["trials"] == 3 and len(states) == 4  # 3 counted, the lost one not


def test_a_study_made_otherwise_refuses_to_continue(tiny, tmp_path):
    tune_model(tiny, "airbnb", tmp_path, Budget(2), Settings(seed=1))
    with pytest.raises(StoreError, match=r"another seed \(1; now 2\).*--fresh"):
        tune_model(tiny, "airbnb", tmp_path, Budget(2), Settings(seed=2))
    with pytest.raises(StoreError, match="another pruner"):
        tune_model(tiny, "airbnb", tmp_path, Budget(2), Settings(seed=1, pruner=False))
    r = tune_model(tiny, "airbnb", tmp_path, Budget(2), Settings(seed=2), fresh=True)
    assert r["trials"] == 2 and read_manifest(tmp_path / tiny.key / "airbnb")["seed"] == 2


def test_budget_and_settings_are_checked():
    for bad in (lambda: Budget(0), lambda: Budget(-1), lambda: Budget(3, minutes=0), lambda: Budget(3, minutes=-2),
                lambda: Settings(patience=0), lambda: Settings(seed=-1)):
        with pytest.raises(UsageError):
            bad()


# ------------------------------------------------------------------ how rows are labelled


def test_setting_labels_and_unequal_budgets():
    tuned = {"tuned": {"trials": 20, "minutes": 12.3, "budget": {"trials": 20, "minutes": None}, "chosen": "tuned"}}
    other = {"tuned": {"trials": 10, "minutes": 3.0, "budget": {"trials": 10, "minutes": 5}, "chosen": "defaults"}}
    manifests = {"item2vec": tuned, "fm": tuned, "dssm": {}, "dssm@t0.1": {}, "eges": other}
    assert report.label(report.setting_of("item2vec", tuned)) == "tuned (20 trials, 12 min)"
    assert report.label(report.setting_of("eges", other)) == "tuned (10 trials, 3 min), defaults kept"
    assert report.label(report.setting_of("dssm", {})) == "defaults"
    assert [report.setting_of(n, None)["kind"] for n in ("mostpop", "transition", "ease")] == ["reference"] * 3
    assert report.setting_of("dssm@t0.1", {})["kind"] == "variant"
    assert report.unequal_budgets(["mostpop", "transition", "ease", "item2vec", "fm", "dssm@t0.1"], manifests) is None
    groups = report.unequal_budgets(["item2vec", "fm", "dssm", "eges"], manifests)
    assert groups == {"20 trials": ["item2vec", "fm"], "defaults": ["dssm"], "10 trials or 5 min": ["eges"]}
    assert report.unequal_budgets(["dssm", "eges"], {"dssm": {}, "eges": {}}) is None  # all defaults: equal


# ------------------------------------------------------------------ the CLI: four bad inputs, one line each


@pytest.fixture(scope="module")
def folder_env(tiny, tmp_path_factory):
    root = tmp_path_factory.mktemp("tune_cli")
    return write_movielens(tiny, root / "data", "ml-100k"), root / "store"


def _one_line_error(capsys, argv) -> str:
    capsys.readouterr()
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


def test_cli_tune_prints_the_table(folder_env, capsys):
    folder, store = folder_env
    capsys.readouterr()
    assert main(["tune", "--dataset", str(folder), "--store", str(store), "--models", "airbnb", "--trials", "3"]) == 0
    out = capsys.readouterr().out
    assert "default valid HR@10" in out and "tuned valid HR@10" in out and "trial min" in out
    assert "3 trials per model" in out and "airbnb" in out and "ease (reference): λ" in out


def test_cli_no_search_space(folder_env, capsys):
    folder, store = folder_env
    err = _one_line_error(capsys, ["tune", "--dataset", str(folder), "--store", str(store), "--models", "mostpop",
                                   "--trials", "3"])
    assert "mostpop has no search space" in err and "tunable: item2vec" in err


@pytest.mark.parametrize("flags,message", [(["--trials", "0"], "at least 1 trial per model, got 0"),
                                           (["--trials", "3", "--minutes", "0"], "more than 0 minutes per model")])
def test_cli_a_budget_of_zero(folder_env, capsys, flags, message):
    folder, store = folder_env
    assert message in _one_line_error(capsys, ["tune", "--dataset", str(folder), "--store", str(store), *flags])


def test_cli_a_study_from_another_dataset(tiny, tmp_path, capsys):
    from recall_core.data import dataset as dataset_mod

    folder = write_movielens(tiny, tmp_path / "data", "ml-100k")
    store = tmp_path / "store"
    argv = ["tune", "--dataset", str(folder), "--store", str(store), "--models", "airbnb", "--trials", "2"]
    assert main(argv) == 0
    # the same folder (same store folder) now holds other ratings: the study belongs to the old data
    other = planted_dataset(n_clusters=4, items_per_cluster=12, users_per_cluster=20, history=10, noise=0.3, seed=5)
    write_movielens(other, tmp_path / "data", "ml-100k")
    dataset_mod._CACHE.clear()
    err = _one_line_error(capsys, argv)
    assert "studies.sqlite3: study 'airbnb' was made on another dataset" in err and "--fresh" in err


def test_cli_a_locked_study_database(folder_env, capsys):
    folder, store = folder_env
    from recall_core.data import load_dataset

    db = tuning_db(store, load_dataset(str(folder)).key)
    assert db.is_file()  # made by test_cli_tune_prints_the_table
    holder = sqlite3.connect(db, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing, and holding on
    try:
        err = _one_line_error(capsys, ["tune", "--dataset", str(folder), "--store", str(store), "--models", "airbnb",
                                       "--trials", "4", "--lock-timeout", "0.5"])
    finally:
        holder.rollback()
        holder.close()
    assert "studies.sqlite3: the study database is locked by another process" in err
    # the study's own lock, held by another tuning process, says the same in one line
    from filelock import FileLock

    lock = FileLock(db.with_suffix(".lock"))
    lock.acquire()
    try:
        code = subprocess.run([sys.executable, "-m", "recall_core", "tune", "--dataset", str(folder), "--store",
                               str(store), "--models", "airbnb", "--trials", "4", "--lock-timeout", "0.5"],
                              capture_output=True, text=True, cwd=ROOT, timeout=300)
    finally:
        lock.release()
    assert code.returncode == 2 and code.stderr.count("\n") == 1, code.stderr
    assert "the study database is locked by" in code.stderr


# ------------------------------------------------------------------ crashes and two processes (subprocesses)


def _tune_cmd(folder, store, trials, model="airbnb"):
    return [sys.executable, "-m", "recall_core", "tune", "--dataset", str(folder), "--store", str(store),
            "--models", model, "--trials", str(trials)]


def _wide(tmp_path):
    """Planted data large enough that one airbnb trial takes a moment (a process can be killed inside one, and two
    processes started together both get trials of a 6-trial budget): about 8k ratings, ~1-2 s a trial here. What
    the process tests check (trials kept across kill -9, the lost one failed, the budget shared) does not grow
    with the data; the 29k ratings used before only made each trial longer."""
    ds = planted_dataset(n_clusters=8, items_per_cluster=20, users_per_cluster=50, history=20, noise=0.1, seed=3)
    return write_movielens(ds, tmp_path / "wide", "ml-100k")


@pytest.mark.slow
def test_kill_minus_9_then_rerun_continues_the_study(tmp_path):
    from optuna.trial import TrialState

    from recall_core.data import load_dataset

    folder = _wide(tmp_path)
    store = tmp_path / "store"
    key = load_dataset(str(folder)).key
    proc = subprocess.Popen(_tune_cmd(folder, store, 8), cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600
    done_before = []
    while time.monotonic() < deadline:
        study = load_study(tuning_db(store, key), "airbnb") if tuning_db(store, key).is_file() else None
        trials = study.get_trials(deepcopy=False) if study else []
        done_before = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
        if len(done_before) >= 2 and any(t.state == TrialState.RUNNING for t in trials):
            break
        time.sleep(0.05)
    proc.kill()  # SIGKILL: no cleanup of any kind
    proc.wait()
    assert 2 <= len(done_before) < 8
    snapshot = {t.number: (t.params, t.value) for t in done_before}
    rerun = subprocess.run(_tune_cmd(folder, store, 8), cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    study = load_study(tuning_db(store, key), "airbnb")
    trials = {t.number: t for t in study.get_trials(deepcopy=False)}
    assert all((trials[n].params, trials[n].value) == v for n, v in snapshot.items())  # the stored trials stayed
    lost = [t for t in trials.values() if "lost" in t.user_attrs]
    assert lost and all(t.state == TrialState.FAIL for t in lost)  # the killed one: failed, not counted
    assert len(counted_trials(study)) == 8
    assert read_manifest(store / key / "airbnb")["tuned"]["trials"] == 8


@pytest.mark.slow
def test_two_processes_share_one_study_within_its_budget(tmp_path):
    from recall_core.data import load_dataset

    folder = _wide(tmp_path)
    store = tmp_path / "store"
    key = load_dataset(str(folder)).key
    procs = [subprocess.Popen(_tune_cmd(folder, store, 6), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(2)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    study = load_study(tuning_db(store, key), "airbnb")
    trials = study.get_trials(deepcopy=False)
    assert len(counted_trials(study)) == 6 and len(trials) == 6  # never more than the budget
    assert len({t.user_attrs["pid"] for t in trials}) == 2  # both processes ran trials
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == 6
    assert read_manifest(store / key / "airbnb")["tuned"]["trials"] == 6


def test_core_imports_no_optuna_until_a_study_opens():
    code = ("import sys, recall_core.models, recall_core.tuning.study, recall_core.tuning.report, recall_core.explore\n"
            "from recall_core.models import model_names\nmodel_names()\nprint('optuna' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() == "False", r.stderr[-2000:]


def test_the_documented_budget_is_the_one_make_tune_and_the_bench_use():
    import re

    make = (ROOT / "Makefile").read_text()
    n = int(re.search(r"^TUNE_TRIALS \?= (\d+)$", make, re.M).group(1))
    assert "tune --dataset ml-100k --models all --trials $(TUNE_TRIALS)" in make
    sys.path.insert(0, str(ROOT / "bench"))
    import tuning as bench_tuning

    assert bench_tuning.TRIALS == n
    assert f"**{n} trials per model**" in (ROOT / "README.md").read_text()


def test_the_ease_limit_is_the_measured_one():
    """BENCHMARKS.md's EASE limit block names the largest size within its rule, and the code uses it."""
    import re

    from recall_core.evaluation.ease import EASE_MAX_ITEMS

    text = (ROOT / "BENCHMARKS.md").read_text()
    m = re.search(r"Measured limit: ([\d,]+) items; the code's `EASE_MAX_ITEMS = (\d+)`", text)
    assert m, "run `python bench/tuning.py --steps ease_limit`"
    assert int(m.group(1).replace(",", "")) == int(m.group(2)) == EASE_MAX_ITEMS


def test_a_model_that_cannot_train_here_is_reported_and_the_others_are_tuned(tmp_path, capsys):
    """Airbnb needs two films within 30 minutes; here every rating is a day apart: one FAILED line, exit 1, and
    item2vec is still tuned with the same budget."""
    import pandas as pd

    from recall_core.data.dataset import build_dataset

    rows = [(f"u{u}", f"i{(u + j) % 30}", 4.0, 1_000_000_000 + 86_400 * j) for u in range(40) for j in range(8)]
    inter = pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])
    inter["rating"] = inter["rating"].astype(np.float32)
    items = pd.DataFrame({"item_id": [f"i{i}" for i in range(30)], "title": [f"Film {i}" for i in range(30)],
                          "year": [1990.0] * 30, "genres": [("Drama",)] * 30})
    users = pd.DataFrame({"user_id": [f"u{u}" for u in range(40)]})
    ds = build_dataset("daily", "daily", "synthetic", inter, items, users)
    results = tune_models(ds, ["airbnb", "item2vec"], tmp_path, Budget(2))
    assert results[0]["model"] == "airbnb" and "cannot train" in results[0]["error"]
    assert "no training pairs" in results[0]["error"] and "\n" not in results[0]["error"]
    assert results[1]["trials"] == 2 and "error" not in results[1]


def test_the_median_pruner_spares_the_first_trials_then_prunes_from_epoch_one():
    """No trial is pruned before PRUNER_STARTUP trials completed; then a trial below the median of the completed
    trials at the same epoch is, from its first epoch on (PRUNER_WARMUP = 0), and one at the median is not."""
    import optuna

    from recall_core.tuning import study as st

    study = optuna.create_study(direction="maximize", pruner=st._pruner(Settings()))
    early = study.ask()
    early.report(0.1, 1)
    for _ in range(st.PRUNER_STARTUP):
        assert not early.should_prune()  # too few completed trials yet
        t = study.ask()
        t.report(0.5, 1)
        t.report(0.6, 2)
        study.tell(t, 0.6)
    assert early.should_prune()  # now there are enough
    assert st.PRUNER_WARMUP == 0
    fresh = study.ask()
    fresh.report(0.1, 1)
    assert fresh.should_prune()  # epoch 1, below the median (0.5)
    level = study.ask()
    level.report(0.5, 1)
    assert not level.should_prune()  # at the median: kept
    level.report(0.55, 2)
    assert level.should_prune()  # epoch 2, below the median (0.6)
    assert not st._pruner(Settings(pruner=False)).prune(study, study.trials[-1])


@pytest.mark.parametrize("first_epoch", [1, 2, 3])
def test_the_pruner_replay_agrees_with_optunas_median_pruner(first_epoch):
    """bench/tuning.py's ``replay_pruner`` (the evidence PRUNER_WARMUP was chosen on) against Optuna itself: the
    same planted curves fed, trial by trial, to a study with ``MedianPruner`` stop the same trials at the same
    epochs, and leave the same best."""
    import optuna

    sys.path.insert(0, str(ROOT / "bench"))
    import tuning as bench_tuning

    rng = np.random.default_rng(first_epoch)
    trials = []
    for n in range(14):
        curve = list(np.round(rng.uniform(0.05, 0.3, size=int(rng.integers(1, 7))), 3))
        trials.append({"number": n, "state": "COMPLETE", "curve": curve, "value": max(curve)})
    got = bench_tuning.replay_pruner(trials, first_epoch, startup=3)

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="maximize",
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=first_epoch))
    epochs = stopped = 0
    for t in trials:
        trial = study.ask()
        best = -1.0
        for e, v in enumerate(t["curve"], start=1):
            best = max(best, v)
            trial.report(best, e)
            epochs += 1
            if trial.should_prune():
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
                stopped += 1
                break
        else:
            study.tell(trial, best)
    assert stopped > 0  # the planted curves do exercise the rule
    assert got == {"epochs": epochs, "best": study.best_value, "stopped": stopped}


# ------------------------------------------------------------------ a study database being made while others read


def test_a_database_without_tables_yet_is_no_study(tmp_path):
    """What a reader found while ``tune`` in another process was creating the database (the file exists, Optuna's
    tables not yet): no study, not an error telling the user to move the database away."""
    db = tuning_db(tmp_path, "d-1")
    db.parent.mkdir(parents=True)
    db.touch()
    assert load_study(db, "airbnb") is None
    sqlite3.connect(db).execute("CREATE TABLE unrelated (x)").connection.close()
    assert load_study(db, "airbnb") is None


def test_a_new_study_database_appears_whole(tmp_path, monkeypatch):
    """``open_storage`` builds Optuna's tables in a temporary sibling and renames it: while they are created, the
    database's name does not exist, so no reader can open it half made; a creator killed mid-way leaves only a
    temporary file, which the next creator removes."""
    from recall_core.tuning import study

    db = tuning_db(tmp_path, "d-1")
    seen = []
    real = study._rdb

    def spy(path, lock_timeout, **kw):
        seen.append((Path(path), db.exists()))
        return real(path, lock_timeout, **kw)

    monkeypatch.setattr(study, "_rdb", spy)

    def killed(path, lock_timeout, **kw):
        real(path, lock_timeout, **kw).engine.dispose()
        raise KeyboardInterrupt  # the process dies right after the tables were made, before the rename

    monkeypatch.setattr(study, "_rdb", killed)
    with pytest.raises(KeyboardInterrupt):
        study.open_storage(db)
    assert not db.exists()
    monkeypatch.setattr(study, "_rdb", spy)
    (db.parent / f".{db.name}.left.tmp").write_bytes(b"")  # what a kill -9 at that moment would leave
    storage = study.open_storage(db)
    assert seen[0][0] != db and seen[0][0].parent == db.parent and seen[0][1] is False  # built under another name
    assert seen[-1] == (db, True)  # the storage handed back is the renamed, complete database
    assert sorted(p.name for p in db.parent.iterdir()) == ["studies.lock", "studies.owner.json", "studies.sqlite3"]
    import optuna

    optuna.create_study(storage=storage, study_name="airbnb")
    assert load_study(db, "airbnb").study_name == "airbnb"
    study.open_storage(db)  # an existing database is opened as it is: the study stays
    assert load_study(db, "airbnb").study_name == "airbnb"


def test_a_reader_blocked_by_a_writer_gets_one_line(tmp_path):
    from recall_core.tuning import study

    db = tuning_db(tmp_path, "d-1")
    study.open_storage(db).engine.dispose()
    holder = sqlite3.connect(db, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="studies.sqlite3: the study database is locked by another process") as e:
            load_study(db, "airbnb", lock_timeout=0.2)
    finally:
        holder.rollback()
        holder.close()
    assert "\n" not in str(e.value)


def test_the_pruning_table_calls_a_zero_gap_a_tie_and_an_unmeasured_sd_unknown():
    """bench/tuning.py's verdict on "best within 2 seed sd": a zero gap is within whatever the sd; a non-zero gap
    without a measured sd is unknown ("-"), not "no"; one model outside makes the "all" row "no"."""
    sys.path.insert(0, str(ROOT / "bench"))
    import tuning as bench_tuning

    assert bench_tuning.within_two_sd(0.0, None) is True
    assert bench_tuning.within_two_sd(0.01, None) is None
    assert bench_tuning.within_two_sd(0.01, 0.005) is True       # 0.01 ≤ 2 × 0.005
    assert bench_tuning.within_two_sd(-0.011, 0.005) is False
    assert bench_tuning.all_within({"a": True, "b": True}) == ("yes", "for every model")
    cell, which = bench_tuning.all_within({"a": True, "b": None})
    assert cell == "-" and which.endswith("not known yet for b (no seed sd)")
    assert bench_tuning.all_within({"a": False, "b": None}) == ("no", "not for a")


def test_the_pruning_table_compares_only_studies_run_by_the_same_trial_code(tmp_path, monkeypatch):
    """bench/tuning.py: a pruned study timed with one version of the trial code and an unpruned one timed with
    another are no saving (a cut in every trial's fixed cost moves both arms): that model gets "-" and stays out
    of the total, which covers the models whose two arms ran the same code."""
    sys.path.insert(0, str(ROOT / "bench"))
    import tuning as bench_tuning

    monkeypatch.setattr(bench_tuning, "CACHE", tmp_path)  # no cached studies or profiles: those cells are "-"

    def study(minutes, code):
        return {"minutes": minutes, "best_valid": 0.2, "code": code}

    tuned = {"a": study(6.0, "new"), "b": study(3.0, "new")}
    nop = {"a": study(10.0, "new"), "b": study(9.0, None)}  # b's unpruned study: older code, not recorded
    stats = {m: {("tuned", "valid"): (0.2, 0.01)} for m in tuned}
    text = "\n".join(bench_tuning.pruning_lines(tuned, nop, stats))
    assert "| a | 6.0 | 10.0 | 40% |" in text
    assert "| b | 3.0 | 9.0 | - |" in text
    assert "| all | 6.0 | 10.0 | 40% |" in text
    assert "Pruning saves 40.0% of the trial time over 1 model (a;" in text
    assert 'Not compared ("-"): b: the two studies ran different trial code (b: pruned new, no pruner not recorded' in text
    assert bench_tuning.trial_code() is None or len(bench_tuning.trial_code().split("+")[0]) == 12
