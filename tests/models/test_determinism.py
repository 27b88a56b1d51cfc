"""TensorFlow models give the same vectors whatever ran before them in the process.

"Alone" means a fresh process, so each scenario runs in its own subprocess
(the two run side by side, which also puts each under the other's load):

* A: youtubednn, other code that disturbs every global random state and the
  Keras session, fm, dssm, eges (and youtubednn with another seed);
* B: dssm, eges, more disturbance, fm, youtubednn.

youtubednn and dssm trained alone (first in A, B) must equal the same models
trained after others, bit for bit; eges and fm must not depend on which models
preceded them either.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]

TOWER = {"epochs": 3, "embedding_dim": 8, "batch_size": 64, "learning_rate": 0.01, "history_len": 4,
         "hidden": (16,), "field_dim": 4, "seed": 3}
CONFIGS = {
    "youtubednn": TOWER,
    "dssm": {**TOWER, "temperature": 0.5},
    "fm": {k: TOWER[k] for k in ("epochs", "embedding_dim", "batch_size", "learning_rate", "history_len", "seed")},
    "eges": {"embedding_dim": 8, "epochs": 2, "walks_per_node": 4, "walk_length": 8, "window": 2, "negative": 3,
             "batch_size": 256, "learning_rate": 0.05, "seed": 5},
}

SCRIPT = r"""
import json, random, sys
import numpy as np
from recall_core.data import leave_last_out
from recall_core.data.planted import planted_dataset
from recall_core.models import get_model_class

out_dir, steps, configs = sys.argv[1], sys.argv[2].split(","), json.loads(sys.argv[3])
train = leave_last_out(planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8)).train


def disturb():
    # What other code in the process (the app, another model) may leave behind.
    import keras
    import tensorflow as tf

    random.seed(99); random.random(); np.random.seed(99); np.random.rand(5)
    tf.random.set_seed(7); tf.random.uniform([4])
    keras.layers.Dense(3, name="leftover")(np.ones((2, 5), np.float32))


info = {}
for step in steps:
    if step == "disturb":
        disturb()
        continue
    name, _, seed = step.partition("@")
    cfg = dict(configs[name], **({"seed": int(seed)} if seed else {}))
    cfg = {k: tuple(v) if isinstance(v, list) else v for k, v in cfg.items()}
    out = get_model_class(name)(**cfg).fit(train).export()
    arrays = {"item_vectors": out.item_vectors}
    if out.user_vectors is not None:
        arrays["user_vectors"] = out.user_vectors
    np.savez(f"{out_dir}/{step}.npz", **arrays)
    info[step] = out.info.get("runtime")
print(json.dumps(info))
"""

SCENARIOS = {
    "A": ["youtubednn", "disturb", "fm", "dssm", "eges", "youtubednn@4"],
    "B": ["dssm", "eges", "disturb", "fm", "youtubednn"],
}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("RECALL_TF_THREADS", None)
    procs = {}
    for name, steps in SCENARIOS.items():
        d = tmp_path_factory.mktemp(name)
        cmd = [sys.executable, "-c", SCRIPT, str(d), ",".join(steps), json.dumps(CONFIGS)]
        procs[name] = (d, subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                           text=True))
    out = {}
    for name, (d, p) in procs.items():
        stdout, stderr = p.communicate(timeout=600)
        assert p.returncode == 0, stderr[-3000:]
        out[name] = (d, json.loads(stdout.strip().splitlines()[-1]))
    return out


def vectors(runs, scenario, step):
    with np.load(runs[scenario][0] / f"{step}.npz") as z:
        return {k: z[k] for k in z.files}


@pytest.mark.slow  # determinism: two processes train four models each
@pytest.mark.parametrize("model", ["youtubednn", "dssm", "eges", "fm"])
def test_same_vectors_alone_and_after_other_models(runs, model):
    a, b = vectors(runs, "A", model), vectors(runs, "B", model)
    assert set(a) == set(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=f"{model} {k}: {SCENARIOS}")


@pytest.mark.slow
def test_the_comparison_can_tell_models_apart(runs):
    # Another seed gives other vectors: equal vectors above are not an artefact of the check.
    a, other = vectors(runs, "A", "youtubednn"), vectors(runs, "A", "youtubednn@4")
    assert not np.allclose(a["user_vectors"], other["user_vectors"], atol=1e-3)


@pytest.mark.slow
def test_fixed_thread_pools_are_recorded(runs):
    from recall_core.models._tf.runtime import THREADS

    for _, info in runs.values():
        for step, rt in info.items():
            if not step.startswith("eges"):  # eges's info is owned by its module
                assert rt["intra_op_threads"] == THREADS and rt["inter_op_threads"] == THREADS, step
                assert rt["op_determinism"] is True


def test_thread_count_override(monkeypatch):
    from recall_core.errors import ConfigError
    from recall_core.models._tf import runtime

    monkeypatch.delenv(runtime.THREADS_ENV, raising=False)
    assert runtime.thread_count() == runtime.THREADS
    monkeypatch.setenv(runtime.THREADS_ENV, "3")
    assert runtime.thread_count() == 3
    for bad in ("0", "-1", "two"):
        monkeypatch.setenv(runtime.THREADS_ENV, bad)
        with pytest.raises(ConfigError, match="RECALL_TF_THREADS"):
            runtime.thread_count()


def test_importing_models_loads_neither_tensorflow_nor_keras():
    code = ("import json, sys; import recall_core.models as m; "
            "classes = [m.get_model_class(n) for n in m.model_names()]; "
            "print(json.dumps([m.model_names(), sorted({k.split('.')[0] for k in sys.modules} & {'tensorflow', 'keras'})]))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-2000:]
    names, loaded = json.loads(res.stdout.strip().splitlines()[-1])
    assert {"fm", "dssm", "youtubednn", "eges"} <= set(names)
    assert loaded == []
