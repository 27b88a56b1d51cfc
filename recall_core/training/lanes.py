"""Parallel lanes: the TensorFlow models train in one process while the gensim/numpy models train beside it.

Why lanes and not more threads: gensim (``workers=1``, the only deterministic
setting) and the numpy models use one core each, and TensorFlow's pools are
fixed at :data:`recall_core.models._tf.runtime.THREADS` threads whatever else
runs. On a 2-core machine a TensorFlow fit leaves part of the cores idle
(between ops, in its Python loop), and a one-core fit leaves the other core.

The schedule (:func:`plan`, ``lanes=2``): one *foreground* lane with the
TensorFlow models, at normal priority, and up to ``lanes`` *background* lanes
with the one-core models (round robin in job order), each its own process at
idle priority (``SCHED_IDLE``, :func:`lower_priority`). The background lanes
run only on the cycles the TensorFlow lane leaves idle, so they do not
oversubscribe its thread pools (two plain lanes did: BENCHMARKS.md, fm took
328 s beside gensim against 163 s alone), and once the TensorFlow lane is done
each background lane has a core of its own.

Why the vectors stay bit-identical to training the models one at a time: a
lane is a fresh ``python -m recall_core.training.lanes`` process that runs
exactly :func:`recall_core.training.train_one` per model, with the same seed
call before each fit; TensorFlow's thread pools and op determinism are set the
same way in every process (:mod:`recall_core.models._tf.runtime`: the numbers
do not depend on the load of the machine, only on the kernels and pool sizes),
gensim runs with one worker, and a process's priority changes when it runs,
never what it computes. ``tests/training/test_lanes.py`` checks it on planted
data; the README ("Training in lanes") quotes the ML-100K check.

Which lane a model takes is a fact of its class: :attr:`RecallModel.lane`.

Protocol between the parent (:func:`run_lanes`) and a lane: the parent writes
one JSON object to the lane's stdin (dataset name, cache folder, expected
fingerprint, store, seed, split, maps, keep_going, idle, references, the jobs); the lane prints
one JSON object per line: ``{"progress": [job, fraction, message]}``,
``{"result": [job, summary]}`` or ``{"error": [job, message]}`` (then stops,
when not ``keep_going``).
"""
from __future__ import annotations

import dataclasses
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from recall_core.errors import RecallError

#: the lane of the models that do not set :attr:`RecallModel.lane` (gensim and numpy: one core each)
CPU_LANE = "cpu"
#: the lane of the Keras models (TensorFlow's fixed thread pools)
TF_LANE = "tensorflow"
#: ``lanes="auto"`` trains in lanes only from this many interactions on: below it a whole training takes
#: seconds, and a lane's own start (a Python process, its imports, reading the data) would be most of it
AUTO_MIN_INTERACTIONS = 50_000


def lane_of(model: str) -> str:
    """The lane of a registry model name (:attr:`recall_core.models.base.RecallModel.lane`)."""
    from recall_core.models.base import get_model_class

    return getattr(get_model_class(model), "lane", CPU_LANE)


@dataclasses.dataclass(frozen=True)
class Lane:
    """One lane process: ``jobs`` (indices into the job list, trained in this order); ``idle``: the process runs
    at idle priority (:func:`lower_priority`), only on the cycles the other lanes leave free; ``references``:
    after its jobs it computes the data's reference rows (:func:`recall_core.training.keep_references`)."""

    jobs: tuple[int, ...]
    idle: bool = False
    references: bool = False


def plan(jobs: list, lanes: int, references: bool = False) -> list[Lane]:
    """The lanes of ``jobs``: one lane (everything, in this process's order) for ``lanes == 1``; else the
    TensorFlow lane in the foreground and the other models round robin over up to ``lanes`` background lanes
    at idle priority (an empty lane is dropped, so there may be only one), and with ``references`` one more
    background lane for the reference rows (the EASE solves: a minute or two of BLAS on ML-1M's shape, which
    one at a time would add to the end)."""
    if lanes <= 1:
        return [Lane(tuple(range(len(jobs))))]
    tf_jobs = tuple(i for i, job in enumerate(jobs) if lane_of(job.model) == TF_LANE)
    cpu_jobs = [i for i, job in enumerate(jobs) if lane_of(job.model) != TF_LANE]
    background = [tuple(cpu_jobs[k::lanes]) for k in range(lanes)]
    out = [Lane(g, idle) for g, idle in [(tf_jobs, False), *((g, True) for g in background)] if g]
    return out + ([Lane((), idle=True, references=True)] if references else [])


def lower_priority() -> str:
    """Put this process at idle priority: Linux ``SCHED_IDLE`` (it runs only when no normal task wants the CPU;
    any normal task preempts it at once), else ``nice 19``. Returns which one it got. Priority changes when a
    process runs, never what it computes."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return "SCHED_IDLE"
    except (AttributeError, OSError):
        try:
            os.nice(19 - os.nice(0))
            return "nice 19"
        except (AttributeError, OSError):
            return "unchanged"


def auto_lanes(n_interactions: int, cpus: int | None = None) -> int:
    """What ``lanes="auto"`` means: 2 with at least two cores and :data:`AUTO_MIN_INTERACTIONS`
    interactions, else 1."""
    cpus = os.cpu_count() if cpus is None else cpus
    return 2 if (cpus or 1) >= 2 and n_interactions >= AUTO_MIN_INTERACTIONS else 1


def reloadable(ds) -> bool:
    """Whether a lane process can read the same data by name (a dataset built in memory cannot)."""
    from recall_core.data.dataset import DEFAULT_DATASET

    return ds.name == DEFAULT_DATASET or Path(ds.name).is_dir()


def run_lanes(ds, jobs: list, lanes: list[Lane], store: Path, seed: int, progress, split: str,
              maps: bool, keep_going: bool, cache_dir: Path | None) -> list[dict]:
    """Train ``jobs`` in one process per lane (:func:`plan`), all at the same time; results in job order.

    ``progress`` is only called from the calling thread (the app's progress bar needs that). A lane that dies
    gives its unfinished jobs one-line errors (``keep_going``) or raises :class:`RecallError`.
    """
    events: queue.Queue = queue.Queue()
    procs = []
    groups = [list(lane.jobs) for lane in lanes]
    for g, idx in enumerate(groups):
        spec = {"dataset": ds.name, "cache_dir": str(cache_dir) if cache_dir else None,
                "fingerprint": ds.fingerprint, "store": str(store), "seed": int(seed), "split": split,
                "maps": bool(maps), "keep_going": bool(keep_going), "idle": lanes[g].idle,
                "references": lanes[g].references,
                "jobs": [dataclasses.asdict(jobs[i]) for i in idx]}
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2")}
        p = subprocess.Popen([sys.executable, "-m", "recall_core.training.lanes"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        p.stdin.write(json.dumps(spec))
        p.stdin.close()
        procs.append(p)
        threading.Thread(target=_read, args=(g, p, events), daemon=True).start()

    fractions = [0.0] * len(jobs)
    results: dict[int, dict] = {}
    failure = None
    open_lanes = len(groups)
    stderr_tail = {g: "" for g in range(len(groups))}
    priority = {g: "normal" for g in range(len(groups))}
    while open_lanes:
        g, kind, payload = events.get()
        idx = groups[g]
        if kind == "progress":
            j, f, msg = payload
            fractions[idx[j]] = float(f)
            progress(sum(fractions) / len(jobs), msg)
        elif kind == "result":
            j, res = payload
            results[idx[j]] = {**res, "lane": {"index": g, "pid": procs[g].pid, "priority": priority[g]}}
            fractions[idx[j]] = 1.0
        elif kind == "error":
            j, msg = payload
            failure = failure or msg
            results[idx[j]] = {"model": jobs[idx[j]].store_name, "error": msg}
        elif kind == "priority":
            priority[g] = str(payload)
        elif kind == "stderr":
            stderr_tail[g] = payload
        elif kind == "end":
            open_lanes -= 1
            code = procs[g].wait()
            for i in idx:
                if i not in results and (code != 0 or failure is None):
                    why = f"its training lane stopped (exit {code}): {stderr_tail[g] or 'no message'}"
                    results[i] = {"model": jobs[i].store_name, "error": why}
                    failure = failure or why
    if failure is not None and not keep_going:
        raise RecallError(failure)
    return [results[i] for i in range(len(jobs)) if i in results]


def _read(g: int, p: subprocess.Popen, events: queue.Queue) -> None:
    """Forward a lane's lines to ``events`` as ``(lane, kind, payload)``; ``"end"`` when it closes."""
    def errors():
        for line in p.stderr:
            if line.strip():
                events.put((g, "stderr", line.strip()))

    t = threading.Thread(target=errors, daemon=True)
    t.start()
    for line in p.stdout:
        try:
            msg = json.loads(line)
        except ValueError:
            continue  # a library printing to stdout
        if isinstance(msg, dict) and len(msg) == 1:
            (kind, payload), = msg.items()
            events.put((g, kind, payload))
    t.join()
    events.put((g, "end", None))


def _lane_main() -> int:
    """A lane process: read the spec from stdin, train its jobs in order with :func:`train_one`."""
    spec = json.loads(sys.stdin.read())
    priority = lower_priority() if spec.get("idle") else "normal"  # before the imports: they are work too

    from recall_core.data import load_dataset
    from recall_core.training import TrainJob, train_one

    jobs = [TrainJob(**j) for j in spec["jobs"]]

    def say(**kw) -> None:
        print(json.dumps(kw, default=lambda o: o.item() if hasattr(o, "item") else str(o)), flush=True)

    say(priority=priority)
    try:
        ds = load_dataset(spec["dataset"], spec["cache_dir"])
    except RecallError as e:
        print(str(e), file=sys.stderr)
        return 1
    if ds.fingerprint != spec["fingerprint"]:
        print(f"dataset {spec['dataset']!r} changed while training (fingerprint {ds.fingerprint}, expected "
              f"{spec['fingerprint']})", file=sys.stderr)
        return 1
    for j, job in enumerate(jobs):
        try:
            res = train_one(ds, job, Path(spec["store"]), spec["seed"], lambda f, m, j=j: say(progress=[j, f, m]),
                            split=spec["split"], maps=spec["maps"])
        except Exception as e:  # noqa: BLE001 (reported to the parent as one line, as train_models does)
            msg = str(e) if isinstance(e, RecallError) else f"{type(e).__name__}: {e}"
            say(error=[j, " ".join(msg.split())])
            if not spec["keep_going"]:
                return 0
            continue
        say(result=[j, res])
    if spec.get("references"):
        from recall_core.training import keep_references

        keep_references(ds, Path(spec["store"]), spec["split"])
    return 0


if __name__ == "__main__":
    sys.exit(_lane_main())
