"""The shared ML-100K store of the end-to-end tests: most-popular and item2vec trained on the real ML-100K through
the CLI in a process of its own, once per test run (tests/conftest.py, ``ml100k_trained``), read through copies."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: The command that trains the shared store, as a user types it (after ``python -m recall_core``), without the
#: UMAP maps ``train`` keeps by default: no test of this store reads a map, and the maps kept at training are
#: checked on their own (tests/training/test_maps_at_train.py). On ML-100K they cost each of these processes
#: importing umap (and, through it, TensorFlow) and two UMAP fits.
ML100K_TRAIN = ["train", "--dataset", "ml-100k", "--models", "mostpop,item2vec", "--no-maps"]


def train_through_the_cli(store: Path, dataset: str = "ml-100k") -> Path:
    """Run ``python -m recall_core train --dataset <dataset> --models mostpop,item2vec --no-maps --store <store>``;
    it must exit 0. Returns ``store``."""
    cmd = [*ML100K_TRAIN[:2], dataset, *ML100K_TRAIN[3:]]
    p = subprocess.run([sys.executable, "-m", "recall_core", *cmd, "--store", str(store)],
                       env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-2000:]
    return store


def copy_ml100k_store(source: Path, dest: Path) -> Path:
    """A copy of the shared store at ``dest``: a store of one's own (``evaluate`` may add side files to it)."""
    shutil.copytree(source, dest)
    return dest
