"""One Optuna study per dataset and model: trials on validation, the best setting retrained on test and stored.

What :func:`tune_model` does, step by step:

1. **Trials on validation.** A trial trains the model on the ``valid`` split's training view (everything before
   each user's second-to-last interaction) with a setting drawn from its class's
   :attr:`~recall_core.models.base.RecallModel.search_space`, and scores it by validation HR@10 after every epoch
   (the model's ``on_epoch`` hook). Trial 0 is the default configuration, enqueued, trained to its full epoch
   count without early stopping or pruning: its last epoch is the default's validation HR@10 (``final_hr``), and
   since a trial's value is its best epoch, the best trial is at least the default on validation.
2. **Sampling.** Optuna's TPE sampler, seeded for each trial from ``(seed, trial number)``: the same seed on one
   worker gives the same trials, a resumed study does not repeat the random start, and two processes sharing a
   study never draw the same point. The first :data:`STARTUP_TRIALS` trials (the default among them) are TPE's
   random start.
3. **Early stopping.** A trial stops once validation HR@10 has not improved for ``patience`` epochs; its value is
   the best epoch's HR@10, and that epoch is kept (``best_epoch``): the retraining uses that epoch count.
4. **Pruning.** Optuna's ``MedianPruner`` sees the best-so-far validation HR@10 after each epoch and stops a trial
   below the median of the earlier trials at the same epoch (from epoch :data:`PRUNER_WARMUP` + 1, once
   :data:`PRUNER_STARTUP` trials completed). ``pruner=False`` runs the same study without it.
5. **One budget.** Every model gets the same :class:`Budget`: ``trials`` trials, or ``minutes`` minutes of trial
   time, whichever ends first (a started trial finishes). Completed, pruned and failed (an error) trials count;
   a trial lost with its process (``kill -9``) does not, and is run again.
6. **The choice.** Among the first ``trials`` counted trials, the completed one with the best value; its setting,
   with ``epochs`` = its best epoch, is trained again on validation (``best_valid``: the number the choice stands
   on) and kept if it is at least the default's validation HR@10, else the default configuration is kept. It is
   then trained on the test split and stored; the manifest says ``tuned: {trials, budget, best_valid, study, ...}``.
   Test numbers are reported, never used to choose.
7. **Storage.** The study lives in Optuna's SQLite storage in the store (:func:`recall_core.store.tuning_db`),
   named after the model. Its user attributes hold the dataset's fingerprint, the seed, the pruner, the patience
   and the search space; a study made otherwise refuses to continue (one line; ``fresh=True`` starts it again).
   A rerun continues from the stored trials. Several processes may run the same study at once: trials are
   counted and started under :func:`recall_core.store.study_lock`, so the budget holds, and each process waits
   for the others' running trials before choosing. Processes are told dead by their pid, on this host only.

Optuna is imported when a study is opened, never by the app's start path.
"""
from __future__ import annotations

import dataclasses
import math
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recall_core.data import Dataset
from recall_core.data.split import split_for
from recall_core.errors import RecallError, StoreError, UsageError
from recall_core.models.base import Progress, get_model_class, model_names, no_progress
from recall_core.training import seed_everything
from recall_core.tuning import space as sp

#: trials TPE draws at random before it models the history (Optuna's default)
STARTUP_TRIALS = 10
#: completed trials before the median pruner prunes anything
PRUNER_STARTUP = 3
#: epochs a trial always trains before it may be pruned: none (Optuna's default), so a trial below the median
#: after its first epoch stops there. Chosen on the no-pruner study's validation curves (BENCHMARKS.md, *Fair
#: comparison*): replaying the pruner over them kept each model's best within 2 seed sd from epoch 1 on, and
#: epoch 1 carries most of a pruned trial's cost after its fixed start
PRUNER_WARMUP = 0
#: epochs without a better validation HR@10 before a trial stops (early stopping)
PATIENCE = 3
#: seconds a process waits for another one holding the study database
LOCK_TIMEOUT = 60.0
#: the metric every choice is made by: validation HR@10 (leave-last-out, full catalogue)
METRIC = "hr@10"
#: bumped when a study's meaning changes: older studies then refuse to continue
STUDY_FORMAT = 1
_POLL = 2.0


class CannotTrain(RecallError):
    """The model cannot train on this data (its default setting failed on validation): one line, the other
    models are still tuned."""


@dataclass(frozen=True)
class Budget:
    """What every model gets: ``trials`` trials, or ``minutes`` minutes of trial time if that ends first."""

    trials: int
    minutes: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.trials, bool) or not isinstance(self.trials, int) or self.trials < 1:
            raise UsageError(f"--trials: the budget must be at least 1 trial per model, got {self.trials!r}")
        if self.minutes is not None and not (isinstance(self.minutes, (int, float)) and math.isfinite(self.minutes)
                                             and self.minutes > 0):
            raise UsageError(f"--minutes: the budget must be more than 0 minutes per model, got {self.minutes!r}")

    def to_dict(self) -> dict:
        return {"trials": self.trials, "minutes": self.minutes}


@dataclass(frozen=True)
class Settings:
    """How studies run: ``seed`` (sampler and models), the median ``pruner`` on or off, early-stopping
    ``patience`` (epochs), ``lock_timeout`` (seconds to wait for another process on the database)."""

    seed: int = 42
    pruner: bool = True
    patience: int = PATIENCE
    lock_timeout: float = LOCK_TIMEOUT

    def __post_init__(self) -> None:
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise UsageError(f"--seed must be a non-negative integer, got {self.seed!r}")
        if isinstance(self.patience, bool) or not isinstance(self.patience, int) or self.patience < 1:
            raise UsageError(f"--patience must be at least 1 epoch, got {self.patience!r}")
        if not (math.isfinite(self.lock_timeout) and self.lock_timeout >= 0):
            raise UsageError(f"--lock-timeout must be a number of seconds >= 0, got {self.lock_timeout!r}")

    def study_attrs(self) -> dict:
        """What a study must have been made with to be continued (besides the data and the space)."""
        pruner = (f"median (after {PRUNER_STARTUP} completed trials, from epoch {PRUNER_WARMUP + 1})" if self.pruner
                  else "none")
        return {"seed": self.seed, "pruner": pruner, "patience": self.patience,
                "sampler": f"TPE (seeded per trial, {STARTUP_TRIALS} random start)", "metric": f"valid {METRIC}",
                "format": STUDY_FORMAT}


def tunable_models() -> list[str]:
    """Registered models with a search space, in display order."""
    return [n for n in model_names() if get_model_class(n).search_space]


def parse_tune_models(spec: str) -> list[str]:
    """``"all"`` (every tunable model) or ``"a,b"``: names checked to exist and to have a search space."""
    names = [s.strip() for s in str(spec).split(",") if s.strip()]
    if not names or "all" in names:
        return tunable_models()
    for n in names:
        cls = get_model_class(n)  # UnknownIdError naming the known models
        if not cls.search_space:
            raise UsageError(f"--models: {n} has no search space (nothing to tune: a reference with no settings); "
                             f"tunable: {', '.join(tunable_models())}")
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- storage


def _optuna():
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)  # our progress lines say what happens
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


def _locked(db: Path, e: Exception) -> StoreError:
    cause = e.__cause__ or e.__context__ or e
    return StoreError(f"{db}: the study database is locked by another process ({' '.join(str(cause).split())[:160]})"
                      f"; try again when it has finished, or wait longer with --lock-timeout")


class _DatabaseErrors:
    """Turns SQLite's "database is locked" (and an unreadable database) into one-line :class:`StoreError`s."""

    def __init__(self, db: Path):
        self.db = db

    def __enter__(self):
        return self

    def __exit__(self, kind, e, tb):
        if e is None or isinstance(e, RecallError):
            return False
        import sqlalchemy.exc

        optuna = _optuna()
        text = f"{e} {e.__cause__ or ''}".lower()
        if isinstance(e, (sqlalchemy.exc.OperationalError, optuna.exceptions.StorageInternalError)) and \
                "locked" in text:
            raise _locked(self.db, e) from None
        if isinstance(e, (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError)):
            raise StoreError(f"{self.db}: cannot use the study database ({type(e).__name__}: "
                             f"{' '.join(str(e).split())[:200]}); move it away to start the studies again") from None
        return False


def _rdb(db: Path, lock_timeout: float, **kwargs):
    optuna = _optuna()
    return optuna.storages.RDBStorage(f"sqlite:///{Path(db).resolve()}",
                                      engine_kwargs={"connect_args": {"timeout": float(lock_timeout)}}, **kwargs)


def open_storage(db: Path, lock_timeout: float = LOCK_TIMEOUT):
    """Optuna's SQLite storage at ``db``, under the study lock.

    A new database is made whole before it gets its name (:func:`recall_core.fs.atomic_create`: Optuna's tables
    are created in a temporary sibling, which is then renamed), so a reader in another process (the app, a
    report, ``load_study``) never opens a file whose tables do not exist yet, and a ``kill -9`` during the
    creation leaves only a temporary file, removed by the next creator. A file that has no tables (left by an
    older version) gets them here.
    """
    from recall_core.fs import atomic_create
    from recall_core.store import study_lock

    def build(tmp: Path) -> None:
        _rdb(tmp, lock_timeout).engine.dispose()

    db = Path(db)
    with _DatabaseErrors(db), study_lock(db, lock_timeout):
        for left in db.parent.glob(f".{db.name}.*.tmp"):  # a creator killed mid-way (creators hold the lock)
            left.unlink(missing_ok=True)
        atomic_create(db, build)
        return _rdb(db, lock_timeout)


def _has_tables(db: Path, lock_timeout: float) -> bool:
    """Does ``db`` hold Optuna's tables? (Read only; False for an empty or half-made file.)"""
    import sqlite3

    con = sqlite3.connect(f"{Path(db).resolve().as_uri()}?mode=ro", uri=True, timeout=float(lock_timeout))
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()
    return {"studies", "trials", "version_info"} <= names


def load_study(db: Path, name: str, lock_timeout: float = 5.0):
    """The stored study ``name`` (read only: for figures and reports), or ``None`` when there is none (no
    database, or one without Optuna's tables: nothing was stored in it yet)."""
    import sqlite3

    optuna = _optuna()
    if not Path(db).is_file():
        return None
    try:
        if not _has_tables(db, lock_timeout):
            return None
    except sqlite3.DatabaseError as e:
        text = " ".join(str(e).split())
        if "locked" in text:
            raise _locked(Path(db), e) from None
        raise StoreError(f"{db}: cannot read the study database (sqlite3: {text[:200]}); move it away to start "
                         f"the studies again") from None
    with _DatabaseErrors(db):
        storage = _rdb(db, lock_timeout, skip_table_creation=True)
        try:
            return optuna.load_study(study_name=name, storage=storage)
        except KeyError:
            return None


def _study(ds: Dataset, name: str, storage, settings: Settings, fresh: bool, db: Path):
    """Create or continue the study of model ``name``; refuse one made with other data or settings."""
    optuna = _optuna()
    cls = get_model_class(name)
    want = {"dataset": ds.name, "fingerprint": ds.fingerprint, "space": sp.signature(cls.search_space),
            **settings.study_attrs()}
    if fresh and name in optuna.get_all_study_names(storage):
        optuna.delete_study(study_name=name, storage=storage)
    study = optuna.create_study(storage=storage, study_name=name, direction="maximize", load_if_exists=True,
                                pruner=_pruner(settings))
    have = study.user_attrs
    if not have:
        for k, v in want.items():
            study.set_user_attr(k, v)
        return study
    if have.get("fingerprint") != want["fingerprint"]:
        raise StoreError(f"{db}: study {name!r} was made on another dataset ({have.get('dataset')}, fingerprint "
                         f"{have.get('fingerprint')}; this is {ds.name}, {ds.fingerprint}): use another --store, or "
                         f"--fresh to start the study again")
    for k in ("seed", "pruner", "patience", "space", "sampler", "metric", "format"):
        if have.get(k) != want[k]:
            what = "search space" if k == "space" else k
            raise StoreError(f"{db}: study {name!r} was made with another {what} ({_short(have.get(k))}; now "
                             f"{_short(want[k])}): rerun with the same settings, or --fresh to start the study again")
    return study


def _short(v) -> str:
    text = str(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _pruner(settings: Settings):
    optuna = _optuna()
    if not settings.pruner:
        return optuna.pruners.NopPruner()
    # Optuna's warm-up protects steps below n_warmup_steps; our steps are epochs counted from 1
    return optuna.pruners.MedianPruner(n_startup_trials=PRUNER_STARTUP, n_warmup_steps=PRUNER_WARMUP + 1)


def _sampler(seed: int, number: int):
    """TPE seeded from ``(seed, trial number)``: see the module docstring, point 2."""
    optuna = _optuna()
    derived = int(np.random.SeedSequence([seed, number]).generate_state(1)[0])
    return optuna.samplers.TPESampler(seed=derived, n_startup_trials=STARTUP_TRIALS, constant_liar=True)


# --------------------------------------------------------------------------- trials


def _counts(t) -> bool:
    """Does a finished trial count toward the budget? (Completed, pruned, or failed with an error.)"""
    from optuna.trial import TrialState

    return t.state in (TrialState.COMPLETE, TrialState.PRUNED) or (t.state == TrialState.FAIL
                                                                    and "error" in t.user_attrs)


def _duration(t) -> float:
    if t.datetime_start is None or t.datetime_complete is None:
        return 0.0
    return (t.datetime_complete - t.datetime_start).total_seconds()


def counted_trials(study, budget: Budget | None = None) -> list:
    """The trials the budget counts, by number; with ``budget``, only those within it (the first ``trials``,
    and while the trial time before each stayed under ``minutes``)."""
    trials = sorted((t for t in study.get_trials(deepcopy=False) if _counts(t)), key=lambda t: t.number)
    if budget is None:
        return trials
    out, spent = [], 0.0
    for t in trials:
        if len(out) >= budget.trials or (budget.minutes is not None and spent >= budget.minutes * 60):
            break
        out.append(t)
        spent += _duration(t)
    return out


def _spent(trials) -> float:
    return sum(_duration(t) for t in trials)


def _fail_lost_trials(study, storage, lock_held: bool) -> int:
    """Mark RUNNING trials whose process died (``kill -9``) as failed (not counted; they run again)."""
    from optuna.trial import TrialState

    from recall_core.store.locks import process_alive

    lost = 0
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        pid, host = t.user_attrs.get("pid"), t.user_attrs.get("host")
        # a trial is started and given its pid under the study lock: without a pid while we hold it, its process died
        dead = process_alive(pid, host) is False if pid is not None else lock_held
        if dead:
            storage.set_trial_user_attr(t._trial_id, "lost", "its process ended while it ran")
            storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL)
            lost += 1
    return lost


def _running(study) -> list:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))


def _has_default(study) -> bool:
    from optuna.trial import TrialState

    live = (TrialState.COMPLETE, TrialState.RUNNING, TrialState.WAITING, TrialState.PRUNED)
    return any(t.user_attrs.get("default") and (t.state in live or "error" in t.user_attrs)
               for t in study.get_trials(deepcopy=False))


def default_params(cls) -> dict:
    """The default configuration's values of the search space, as Optuna parameters."""
    return sp.encode(cls.search_space, dataclasses.asdict(cls.Config()))


def _start_trial(study, storage, cls, settings: Settings, budget: Budget, db: Path):
    """Under the study lock: ``("run", trial)``, ``("wait", n running elsewhere)`` or ``("done", None)``."""
    from recall_core.store import study_lock

    with study_lock(db, settings.lock_timeout):
        _fail_lost_trials(study, storage, lock_held=True)
        counted = counted_trials(study)
        running = _running(study)
        if len(counted) >= budget.trials or (budget.minutes is not None and _spent(counted) >= budget.minutes * 60):
            return "done", None
        if len(counted) + len(running) >= budget.trials:
            return "wait", len(running)
        if not _has_default(study):
            study.enqueue_trial(default_params(cls), user_attrs={"default": True})
        study.sampler = _sampler(settings.seed, len(study.get_trials(deepcopy=False)))
        trial = study.ask(fixed_distributions=sp.distributions(cls.search_space))
        trial.set_user_attr("pid", os.getpid())
        trial.set_user_attr("host", socket.gethostname())
        return "run", trial


class EpochWatch:
    """The ``on_epoch`` hook of a trial: validation HR@10 after each epoch, early stopping, pruning.

    ``curve``: HR@10 per epoch trained; ``best``/``best_epoch``: the best (earliest on ties). With ``trial``,
    reports the best-so-far value to Optuna each epoch and raises ``optuna.TrialPruned`` when the pruner says so
    (only if ``prune``). ``patience=None`` trains every epoch. ``progress`` gets one line per epoch (its
    fraction argument is 0: the caller keeps its own).
    """

    def __init__(self, split, trial=None, prune: bool = False, patience: int | None = None,
                 progress: Progress = no_progress, label: str = ""):
        self.split, self.trial, self.prune, self.patience = split, trial, prune, patience
        self.progress, self.label = progress, label
        self.curve: list[float] = []
        self.best, self.best_epoch = -1.0, 0

    def __call__(self, epoch: int, snapshot) -> bool:
        from recall_core.evaluation import evaluate

        hr = float(evaluate(snapshot(), self.split, ks=(10,))[METRIC])
        self.curve.append(hr)
        if hr > self.best:
            self.best, self.best_epoch = hr, epoch
        self.progress(0.0, f"{self.label} epoch {epoch}: valid HR@10 {hr:.4f} "
                           f"(best {self.best:.4f} at epoch {self.best_epoch})")
        if self.trial is not None:
            self.trial.report(self.best, epoch)
            if self.prune and self.trial.should_prune():
                optuna = _optuna()
                raise optuna.TrialPruned(f"pruned after epoch {epoch}")
        return self.patience is not None and epoch - self.best_epoch >= self.patience


def _run_trial(study, trial, cls, valid, settings: Settings, progress: Progress) -> None:
    """Train one trial on validation and tell the study its value (or that it was pruned or failed)."""
    from optuna.trial import TrialState

    optuna = _optuna()
    default = bool(trial.user_attrs.get("default"))
    params = sp.decode(cls.search_space, trial.params)
    label = f"{cls.name}: trial {trial.number}" + (" (defaults)" if default else "")
    watch = EpochWatch(valid, trial, prune=settings.pruner and not default,
                       patience=None if default else settings.patience, progress=progress, label=label)
    state = TrialState.COMPLETE
    try:
        model = cls(**{**params, "seed": settings.seed})
        seed_everything(settings.seed)  # as train_one does: a trial trains exactly as `train` would
        model.fit(valid.train, on_epoch=watch)
    except optuna.TrialPruned:
        state = TrialState.PRUNED
    except (KeyboardInterrupt, SystemExit):
        study.tell(trial, state=TrialState.FAIL)
        raise
    except Exception as e:  # noqa: BLE001 (a setting that cannot train is a result: recorded, counted)
        trial.set_user_attr("error", " ".join(f"{type(e).__name__}: {e}".split())[:300])
        study.tell(trial, state=TrialState.FAIL)
        if default:
            raise CannotTrain(f"{cls.name}: the default setting cannot train on this data's validation split: "
                              f"{' '.join(str(e).split())}") from None
        return
    if not watch.curve:  # a class with a search space must report its epochs (RecallModel.fit's on_epoch)
        study.tell(trial, state=TrialState.FAIL)
        raise RecallError(f"{cls.name}: its fit never called on_epoch, so it cannot be tuned on validation")
    trial.set_user_attr("curve", [round(v, 6) for v in watch.curve])
    trial.set_user_attr("best_epoch", watch.best_epoch)
    trial.set_user_attr("epochs_run", len(watch.curve))
    if default:
        trial.set_user_attr("final_hr", watch.curve[-1] if watch.curve else None)
    if state == TrialState.PRUNED:
        study.tell(trial, state=state)
    else:
        study.tell(trial, watch.best)


# --------------------------------------------------------------------------- one model


def tune_model(ds: Dataset, name: str, store: Path, budget: Budget, settings: Settings = Settings(),
               progress: Progress = no_progress, fresh: bool = False) -> dict:
    """Tune model ``name`` on ``ds`` (see the module docstring), store the chosen setting trained on the test
    split, and return a JSON-ready summary (``default_valid``, ``best_valid``, ``test``, ``trials``, ...)."""
    from recall_core.store import tuning_db

    cls = get_model_class(name)
    if not cls.search_space:
        raise UsageError(f"--models: {name} has no search space (nothing to tune); tunable: "
                         f"{', '.join(tunable_models())}")
    db = tuning_db(store, ds.key)
    valid = split_for(ds, "valid")
    t0 = time.perf_counter()
    with _DatabaseErrors(db):
        storage = open_storage(db, settings.lock_timeout)
        from recall_core.store import study_lock

        with study_lock(db, settings.lock_timeout):
            study = _study(ds, name, storage, settings, fresh, db)
        while True:
            what, trial = _start_trial(study, storage, cls, settings, budget, db)
            if what == "done":
                break
            if what == "wait":
                progress(0.85, f"{name}: waiting for {trial} trial(s) another process is running")
                time.sleep(_POLL)
                continue
            n = len(counted_trials(study))
            frac = 0.85 * min(n / budget.trials, 1.0)
            progress(frac, f"{name}: trial {trial.number} ({n + 1} of {budget.trials})")
            _run_trial(study, trial, cls, valid, settings, lambda _f, msg, frac=frac: progress(frac, msg))
        while _running(study):  # another process's trials: the choice needs them
            with study_lock(db, settings.lock_timeout):
                _fail_lost_trials(study, storage, lock_held=True)
            if _running(study):
                progress(0.86, f"{name}: waiting for {len(_running(study))} trial(s) of another process")
                time.sleep(_POLL)
        result = _choose_and_store(ds, cls, study, budget, settings, store, db, progress)
    return {**result, "seconds": round(time.perf_counter() - t0, 1)}  # the whole run: trials, waits, final trainings


def _choose_and_store(ds, cls, study, budget: Budget, settings: Settings, store: Path, db: Path, progress) -> dict:
    from optuna.trial import TrialState

    from recall_core.evaluation import evaluate
    from recall_core.store import model_dir, read_manifest, training_lock
    from recall_core.training import TrainJob, train_one

    name = cls.name
    trials = counted_trials(study, budget)
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    defaults = [t for t in complete if t.user_attrs.get("default")]
    if not defaults:
        raise RecallError(f"{name}: the default configuration's trial did not complete within the budget; "
                          f"nothing to compare with")
    default = defaults[0]
    best = max(complete, key=lambda t: (t.value, -t.number))
    default_cfg = dataclasses.asdict(cls.Config())
    chosen_params = {**sp.decode(cls.search_space, best.params), "epochs": int(best.user_attrs["best_epoch"])}
    default_valid = float(default.user_attrs["final_hr"])
    record = {
        "trials": len(trials), "pruned": sum(t.state == TrialState.PRUNED for t in trials),
        "failed": sum(t.state == TrialState.FAIL for t in trials), "budget": budget.to_dict(),
        "minutes": round(_spent(trials) / 60, 2), "default_valid": default_valid,
        # which study this is: a study started again (--fresh) is another one, even with the same trials and best
        "started": trials[0].datetime_start.isoformat() if trials[0].datetime_start else None,
        "best_trial": best.number, "best_trial_value": float(best.value),
        "best_epoch": int(best.user_attrs["best_epoch"]), "metric": f"valid {METRIC}",
        "study": {"name": name, "storage": str(Path(db).relative_to(Path(store))) if _inside(db, store) else str(db),
                  "dataset": ds.name, "fingerprint": ds.fingerprint, **settings.study_attrs()},
    }
    try:
        manifest = read_manifest(model_dir(Path(store), ds.key, name))
    except RecallError:
        manifest = {}
    stored = manifest.get("tuned") or {}
    if (manifest.get("dataset", {}).get("fingerprint") == ds.fingerprint and manifest.get("seed") == settings.seed
            and all(stored.get(k) == record[k] for k in ("trials", "best_trial", "budget", "study", "started"))):
        progress(1.0, f"{name}: already stored from this study")
        return {"model": name, **stored, "test": manifest.get("metrics", {}), "stored": False}
    valid = split_for(ds, "valid")
    is_default = chosen_params == {k: default_cfg[k] for k in chosen_params}
    if is_default:
        best_valid = default_valid  # the default configuration at its own epoch count: measured by trial 0
    else:
        progress(0.88, f"{name}: training the chosen setting on validation again")
        model = cls(**{**chosen_params, "seed": settings.seed})
        seed_everything(settings.seed)
        model.fit(valid.train)
        best_valid = float(evaluate(model.export(), valid, ks=(10,))[METRIC])
    chosen = "defaults" if is_default else "tuned"
    if best_valid < default_valid:  # the retrained choice fell below the defaults: keep them (validation only)
        chosen, best_valid = "defaults", default_valid
        chosen_params = {k: default_cfg[k] for k in cls.search_space}
    record.update({"chosen": chosen, "best_valid": best_valid, "params": _jsonable(chosen_params)})
    progress(0.93, f"{name}: training the chosen setting on the test split")
    with training_lock(store, ds.key, timeout=settings.lock_timeout * 10):
        result = train_one(ds, TrainJob(name, overrides=chosen_params, manifest={"tuned": record}), Path(store),
                           settings.seed, split="test")
    progress(1.0, f"{name}: stored")
    return {"model": name, **record, "test": result["metrics"], "stored": True,
            "test_train_seconds": round(result["train_seconds"], 1)}


def _inside(path: Path, root: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
        return True
    except ValueError:
        return False


def _jsonable(params: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}


def tune_models(ds: Dataset, names: list[str], store: Path, budget: Budget, settings: Settings = Settings(),
                progress: Progress = no_progress, fresh: bool = False) -> list[dict]:
    """:func:`tune_model` for each model in turn (one at a time), with the same budget. A model that cannot train
    on this data gets ``{"model", "error"}`` and the others are still tuned; any other error (a study that
    refuses, a locked database, a bad argument) stops the run."""
    results = []
    for i, name in enumerate(names):
        def step(f: float, msg: str, i=i) -> None:
            progress((i + min(max(f, 0.0), 1.0)) / len(names), msg)
        try:
            results.append(tune_model(ds, name, store, budget, settings, step, fresh))
        except CannotTrain as e:
            results.append({"model": name, "error": str(e)})
    return results


__all__ = ["Budget", "CannotTrain", "EpochWatch", "Settings", "counted_trials", "default_params", "load_study", "open_storage",
           "parse_tune_models", "tunable_models", "tune_model", "tune_models"]
