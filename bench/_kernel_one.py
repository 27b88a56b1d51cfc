"""Train one model under the kernel setup of this process's environment; print what it gave as JSON
(bench/kernels.py runs it once per setup, model, split and probe).

    python bench/_kernel_one.py DATASET MODEL '{"config": "overrides"}' valid|test SEED '{"probe": "settings"}'

The kernel setup is the environment the process starts with (``TF_ENABLE_ONEDNN_OPTS``, ``ONEDNN_MAX_CPU_ISA``,
``RECALL_TF_THREADS``, ``OPENBLAS_CORETYPE``, ``OPENBLAS_NUM_THREADS``): TensorFlow and OpenBLAS read them once.
Probes (the study of what amplifies last-bit differences; none changes the product's code or defaults):

* ``adam_epsilon``: Adam's epsilon for the Keras models (Keras' default is 1e-7);
* ``perturb_ulp``: before the first step, move weights by one unit in the last place (float32, towards +inf):
  ``"all"`` every element of every trainable variable (a last-bit difference everywhere, planted by hand on one
  kernel setup, as another kernel would leave it), ``True`` only the first variable's first element;
* ``snapshots``: a path; the trainable variables, flattened, after every epoch, are written there (.npz).

Output: HR@10 / NDCG@10 (and I2I HR@10 for the I2I models), the loss per epoch, the fit seconds, and the kernels
the process really used (``runtime.describe()`` and OpenBLAS' core type).
"""
import json
import os
import sys

import numpy as np

from common import fit_and_score  # bench/common.py
from recall_core.data import load_dataset
from recall_core.data.split import split_for
from recall_core.models import get_model_class

dataset, model, overrides, split, seed = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4], int(sys.argv[5])
probe = json.loads(sys.argv[6]) if len(sys.argv) > 6 else {}
cls = get_model_class(model)
tf_model = model in ("eges", "fm", "dssm", "youtubednn")

if tf_model and (probe.get("adam_epsilon") is not None or probe.get("perturb_ulp") or probe.get("snapshots")):
    import functools

    import keras

    from recall_core.models._tf import training

    if probe.get("adam_epsilon") is not None:
        keras.optimizers.Adam = functools.partial(keras.optimizers.Adam, epsilon=float(probe["adam_epsilon"]))

    run_loop = training.train_loop

    def train_loop(model_vars, *args, **kwargs):
        """training.train_loop, after the planted last-bit change, with a snapshot per epoch."""
        if probe.get("perturb_ulp") == "all":
            for v in model_vars.trainable_variables:
                v.assign(np.nextafter(v.numpy(), np.float32(np.inf)))
        elif probe.get("perturb_ulp"):
            v = model_vars.trainable_variables[0]
            x = v.numpy()
            flat = x.reshape(-1)
            flat[0] = np.nextafter(flat[0], np.float32(np.inf))
            v.assign(x)
        snaps = []

        model_hook = kwargs.pop("on_epoch", None)  # the model's own hook (early stopping), kept

        def snapshot(epoch):
            if probe.get("snapshots"):
                snaps.append(np.concatenate([np.ravel(v.numpy()) for v in model_vars.trainable_variables]))
            return model_hook(epoch) if model_hook is not None else None

        losses = run_loop(model_vars, *args, on_epoch=snapshot, **kwargs)
        if probe.get("snapshots"):
            np.savez(probe["snapshots"], params=np.stack(snaps).astype(np.float32))
        return losses

    training.train_loop = train_loop

ds = load_dataset(dataset)
sp = split_for(ds, split)
res, out = fit_and_score(cls, sp, seed, overrides)
res["epoch_loss"] = [float(x) for x in out.info.get("epoch_loss", [])]
if tf_model:
    from recall_core.models._tf import runtime

    res["runtime"] = runtime.describe()
try:
    from threadpoolctl import threadpool_info

    res["openblas"] = [{"core": i.get("architecture"), "threads": i.get("num_threads")} for i in threadpool_info()
                       if i.get("internal_api") == "openblas"]
except ImportError:
    res["openblas"] = []
res["env"] = {k: os.environ.get(k, "") for k in ("TF_ENABLE_ONEDNN_OPTS", "ONEDNN_MAX_CPU_ISA", "RECALL_TF_THREADS",
                                                   "OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS")}
print(json.dumps(res))
