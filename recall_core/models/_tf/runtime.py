"""The one way into TensorFlow: fixed thread pools once per process, then a reproducible start per fit.

What a seed fixes (checked on ML-100K with YouTubeDNN; tests/models/test_determinism.py checks the first point):

* On one machine: bit-identical vectors whether the model is trained alone,
  after other models in the same process (``--models all``), in its own
  process (``make bench``), in a worker thread (the app), under full CPU load,
  or pinned to one core.
* Not across machines. TensorFlow's CPU kernels add floats in an order that
  depends on the kernel library (oneDNN, which TensorFlow turns on by default
  on some x86 CPUs only, else Eigen), on the instruction set oneDNN picks, on
  the size of the intra-op thread pool, and on op determinism itself;
  training amplifies the last-bit differences into another model.

Measured (``make kernels``: BENCHMARKS.md, "Kernels: HR@10 across kernel
setups"; ML-100K, seed 42, test HR@10 over 10 setups: oneDNN or Eigen,
AVX-512 or AVX2, 1/2/4 threads): YouTubeDNN spans 0.1612-0.1760 (kernel sd
0.0062, about 4x its 3-seed sd of 0.0016), DSSM 0.2121-0.2206 (kernel sd
0.0022, about 2x its seed sd of 0.0012); FM and EGES give the same HR@10
under every setup. Between machines a number moves by more than between
seeds, so the README calls a gap a tie below 2 x max(seed sd, kernel sd).
The amplifier is training itself, not one kernel: on one setup, moving every
initial weight of YouTubeDNN by one ulp leaves its weights 0.23 apart
(relative L2) after 8 epochs, as far as Eigen instead of oneDNN does (0.24;
another seed: 1.3), and validation HR@10 moves by 0.011.

So the pools have a fixed size (:data:`THREADS`, not "one per core"): the same
CPU family then gives the same numbers on any number of cores. To reproduce a
number from another machine, match its kernels before training:
``TF_ENABLE_ONEDNN_OPTS=0|1``, ``ONEDNN_MAX_CPU_ISA`` (e.g. ``AVX2``) and
``RECALL_TF_THREADS``; each model's ``info["runtime"]`` records them.
"""
from __future__ import annotations

import os
import platform
import warnings

from recall_core.errors import ConfigError

#: threads of TensorFlow's intra-op pool (work split inside one op) and inter-op pool (independent
#: ops run side by side). Fixed, not "one per core": with Eigen or AVX2 kernels the intra-op count
#: changes the numbers. 2 is what the 2-core machine of BENCHMARKS.md used anyway.
THREADS = 2
#: environment variable overriding :data:`THREADS` (a positive integer)
THREADS_ENV = "RECALL_TF_THREADS"

_configured: dict | None = None


def thread_count() -> int:
    """:data:`THREADS`, or the positive integer in ``$RECALL_TF_THREADS``."""
    raw = os.environ.get(THREADS_ENV, "").strip()
    if not raw:
        return THREADS
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if n < 1:
        raise ConfigError(f"{THREADS_ENV} must be a positive integer (TensorFlow threads), got {raw!r}")
    return n


def tensorflow():
    """Import TensorFlow and Keras once, with fixed thread pools; returns ``(keras, tf)``.

    Thread pools can only be sized before TensorFlow runs its first op. If
    something ran one before (outside this module), the pools keep the sizes
    they got and a warning says so; :func:`describe` reports the real sizes.
    """
    global _configured
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    if _configured is None:
        if keras.backend.backend() != "tensorflow":
            raise RuntimeError(f"the Keras models need the TensorFlow Keras backend, got {keras.backend.backend()!r}")
        n = thread_count()
        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(n)
        except RuntimeError:
            warnings.warn(f"TensorFlow was started before recall_core could fix its thread pools to {n}: "
                          "numbers may differ from a fresh process on some CPUs", RuntimeWarning, stacklevel=2)
        _configured = {"threads": n}
    return keras, tf


def start(seed: int):
    """Start a fit from a known state; returns ``(keras, tf)``.

    A fresh Keras session (layer names, cached state of earlier models), every
    global seed (Python ``random``, which Keras draws unseeded initialisers
    from; NumPy's global generator; TensorFlow's), and op determinism
    (process-wide and never turned off: every TensorFlow model wants it).
    """
    keras, tf = tensorflow()
    keras.backend.clear_session()
    keras.utils.set_random_seed(int(seed))
    tf.config.experimental.enable_op_determinism()
    return keras, tf


def describe() -> dict:
    """What the numbers depend on beyond seed and config (stored in a model's ``info["runtime"]``)."""
    _, tf = tensorflow()
    return {
        "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "op_determinism": True,
        "cpu": _cpu_name(),
        "cpu_isa": _cpu_isa(),
        "onednn": _onednn_enabled(),
        "onednn_max_cpu_isa": os.environ.get("ONEDNN_MAX_CPU_ISA", ""),
    }


def _onednn_enabled() -> bool | None:
    """Whether TensorFlow uses its oneDNN kernels (None if this TensorFlow cannot say)."""
    try:
        from tensorflow.python.util import _pywrap_util_port  # private, but the documented way to ask

        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):
        return None


def _cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _cpu_isa() -> str:
    """The widest vector instruction set the CPU reports (x86 Linux), else the machine name."""
    flags = _cpu_flags()
    for isa in ("avx512f", "avx2", "avx", "sse4_1"):
        if isa in flags:
            return isa
    return platform.machine()
