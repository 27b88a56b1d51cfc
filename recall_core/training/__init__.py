"""The one place that wires data -> model -> evaluation -> store."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from recall_core.data import Dataset, load_dataset
from recall_core.data.split import split_for
from recall_core.evaluation import evaluate, evaluate_i2i
from recall_core.models.base import Progress, get_model_class, model_names, no_progress
from recall_core.errors import RecallError, UsageError
from recall_core.store import save_model, store_key, training_lock



@dataclass
class TrainJob:
    """One model to train: registry ``model`` name, stored as ``name`` with config ``overrides``; ``manifest``:
    more entries for the stored manifest (``tuned``: :mod:`recall_core.tuning.study`)."""

    model: str
    name: str | None = None
    overrides: dict | None = None
    manifest: dict | None = None

    @property
    def store_name(self) -> str:
        return self.name or self.model


def parse_models(spec: str | list[str] | None) -> list[str]:
    """``"a,b"`` / ``["a", "b"]`` / ``"all"`` -> model names (validated)."""
    known = model_names()
    if spec is None or spec == "all" or spec == ["all"]:
        return known
    names = [s.strip() for s in (spec.split(",") if isinstance(spec, str) else spec) if s.strip()]
    if "all" in names:
        return known
    for n in names:
        get_model_class(n)  # raises UnknownIdError naming the known models
    return names


def train_jobs(models: str, dssm_temperatures: str | None):
    """Model names plus, for ``--dssm-temperatures``, one stored DSSM variant per temperature."""
    names = parse_models(models)
    jobs = [TrainJob(n) for n in names]
    if dssm_temperatures:
        if "dssm" not in names:
            raise UsageError("--dssm-temperatures needs dssm among --models")
        try:
            temps = [float(t) for t in dssm_temperatures.split(",") if t.strip()]
        except ValueError:
            raise UsageError(f"--dssm-temperatures: not a list of numbers: {dssm_temperatures!r}") from None
        if not temps or any(t <= 0 for t in temps):
            raise UsageError(f"--dssm-temperatures: temperatures must be > 0, got {dssm_temperatures!r}")
        jobs += temperature_jobs(temps)
    return jobs


def temperature_jobs(temperatures: list[float]) -> list[TrainJob]:
    """One DSSM variant per temperature, stored as ``dssm@t<τ>`` with the default settings otherwise."""
    from recall_core.models.dssm import variant_name

    return [TrainJob("dssm", variant_name(t), {"temperature": float(t)}) for t in temperatures]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


def train_one(ds: Dataset, job: TrainJob, store: Path, seed: int = 42, progress: Progress = no_progress,
              split: str = "test", maps: bool = True) -> dict:
    """Fit on ``split``'s training view, evaluate on its held-out items, store; return a summary.

    ``split="valid"`` trains on everything before each user's second-to-last
    interaction and stores under ``<dataset key>@valid``: the models every
    choice is made with. Takes no training lock: :func:`train_models` holds it
    around its calls (``save_model`` still publishes each model atomically).
    With ``maps`` (the default), the model's default UMAP maps are computed and
    kept beside it right after it is stored (:func:`keep_maps`), so the first
    visitor of the Maps page reads them instead of waiting; the summary's
    ``maps_seconds`` says how long that took.
    """
    cls = get_model_class(job.model)
    model = cls(**{"seed": seed, **(job.overrides or {})})
    data_split = split_for(ds, split)  # "test" or "valid" -> its Split (train view, held-out items)
    seed_everything(seed)
    t0 = time.perf_counter()
    model.fit(data_split.train, progress=lambda f, m: progress(0.9 * f, m))
    seconds = time.perf_counter() - t0
    output = model.export()
    progress(0.92, f"{job.store_name}: evaluating")
    metrics = evaluate(output, data_split) if output.has_users else {}
    i2i = evaluate_i2i(output, data_split) if cls.i2i else {}
    save_model(
        store, ds, job.store_name, output, model_class=job.model, config=model.config.to_dict(), seed=seed,
        metrics=metrics, i2i_metrics=i2i, train_seconds=round(seconds, 2),
        extra={"variant_of": job.model if job.name else None,
               "views": {v: n for v, n in cls.describe_views(model.config.to_dict()).items() if v in output.views},
               "variant": cls.describe_variant(model.config.to_dict(), output.info), **(job.manifest or {})},
        split=split,
    )
    result = {"model": job.store_name, "train_seconds": seconds, "metrics": metrics, "i2i_metrics": i2i}
    if maps:
        progress(0.95, f"{job.store_name}: stored; computing its default maps")
        t0 = time.perf_counter()
        kinds = keep_maps(store, store_key(ds.key, split), job.store_name,
                          lambda f, m: progress(0.95 + 0.05 * f, f"{job.store_name}: {m}"))
        result["maps_seconds"] = time.perf_counter() - t0
        result["maps"] = kinds
        progress(1.0, f"{job.store_name}: stored; maps ready ({', '.join(kinds) or 'none'}) in "
                      f"{result['maps_seconds']:.1f} s")
    else:
        progress(1.0, f"{job.store_name}: stored")
    return result


def keep_maps(store: Path, key: str, name: str, progress: Progress = no_progress) -> list[str]:
    """Compute and keep the stored model ``name``'s default UMAP maps (:func:`recall_core.analysis.maps.default_maps`)
    in its version folder; returns the kinds now kept (``["items", "users"]``, or fewer). A map that cannot be
    computed never fails the training: the page then computes it on first view, as before."""
    from recall_core.analysis import maps
    from recall_core.store import load_model

    try:
        return list(maps.default_maps(load_model(store, key, name), progress))
    except Exception:  # noqa: BLE001 (a map is a cache: the model is stored, the page can still compute it)
        return []


def train_models(
    dataset: str | Dataset = "ml-100k",
    models: list[str | TrainJob] | str | None = None,
    store: Path | str | None = None,
    seed: int = 42,
    progress: Progress = no_progress,
    cache_dir: Path | None = None,
    keep_going: bool = False,
    lock_timeout: float | None = None,
    split: str = "test",
    lanes: int | str = 1,
    maps: bool = True,
) -> list[dict]:
    """Train several models in turn; ``progress`` sees the overall fraction.

    ``lanes``: ``1`` trains in this process, one model after the other; ``2`` trains the TensorFlow models
    in one process and the others in up to two background processes at idle priority, at the same time
    (:mod:`recall_core.training.lanes`: the vectors are bit-identical to one at a time); ``"auto"`` is 2 on
    two or more cores for data of :data:`~recall_core.training.lanes.AUTO_MIN_INTERACTIONS` interactions
    or more. A dataset built in memory (not readable by name) always trains in this process. ``maps``: see :func:`train_one`.

    With ``keep_going``, a model that fails (it cannot train on this data, its
    config is invalid, ...) gets ``{"model", "error"}`` (one line) in the
    results and the others still train; without it the first failure raises.

    Holds the store's training lock for ``<store>/<dataset key>`` throughout,
    so two runs never interleave: a second run waits for the first up to
    ``lock_timeout`` seconds (default
    :data:`~recall_core.store.TRAIN_LOCK_TIMEOUT`; ``0``: refuse at once),
    reporting whom it waits for through ``progress``, then raises
    :class:`~recall_core.errors.StoreError`.
    """
    from recall_core.store import default_store

    ds = dataset if isinstance(dataset, Dataset) else load_dataset(dataset, cache_dir)
    store = Path(store) if store else default_store()
    jobs = [m if isinstance(m, TrainJob) else TrainJob(m) for m in
            (models if isinstance(models, list) else parse_models(models))]
    from recall_core.training import lanes as _lanes

    n_lanes = _lanes.auto_lanes(len(ds.interactions)) if lanes == "auto" else int(lanes)
    in_lanes = n_lanes > 1 and bool(jobs) and _lanes.reloadable(ds)
    results = []
    with training_lock(store, store_key(ds.key, split), timeout=lock_timeout, progress=progress):
        if in_lanes:  # the reference rows are computed in a lane too, beside the fits
            results = _lanes.run_lanes(ds, jobs, _lanes.plan(jobs, n_lanes, references=True), store, seed,
                                       progress, split, maps, keep_going, cache_dir)
        for i, job in enumerate([] if in_lanes else jobs):
            def step(f: float, msg: str, i=i) -> None:
                progress((i + f) / len(jobs), msg)
            try:
                results.append(train_one(ds, job, store, seed, step, split=split, maps=maps))
            except Exception as e:  # noqa: BLE001 (one model's failure never stops the others)
                if not keep_going:
                    raise
                msg = str(e) if isinstance(e, RecallError) else f"{type(e).__name__}: {e}"
                results.append({"model": job.store_name, "error": " ".join(msg.split())})
        if not in_lanes:
            keep_references(ds, store, split)
    return results


def keep_references(ds: Dataset, store: Path, split: str) -> None:
    """Compute the reference rows of ``ds`` into the store after a training: the transition row on ``split``, and
    EASE (the test row with its λ chosen on validation) when ``split`` is ``"test"``. Either failing never fails
    a training run. :func:`train_models` calls it at the end, or in lanes a background lane does, beside the fits
    (:func:`recall_core.training.lanes.plan`)."""
    _keep_transition(ds, store, split)
    if split == "test":
        keep_ease(ds, store)


def _keep_transition(ds: Dataset, store: Path, split: str) -> None:
    """Compute the transition reference's metrics now, into the store, so a new app process's first Overview
    reads them (:func:`recall_core.evaluation.references.transition_metrics`) instead of scoring every user then."""
    from recall_core.evaluation.references import transition_metrics

    try:
        transition_metrics(ds, store, split_for(ds, split), split)
    except Exception:  # noqa: BLE001 (a reference row that cannot be computed never fails a training run)
        pass


def keep_ease(ds: Dataset, store: Path, progress: Progress = no_progress) -> dict | None:
    """Compute the EASE reference now (λ chosen on validation), into the store, so the first Overview and User
    page read it (:func:`recall_core.evaluation.references.ease_reference`); once per data. ``None`` if it failed."""
    from recall_core.evaluation.references import ease_reference

    try:
        return ease_reference(ds, store, progress=progress)
    except Exception:  # noqa: BLE001 (a reference row that cannot be computed never fails a training run)
        return None
