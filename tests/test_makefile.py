"""The Makefile's environment for every target it runs."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_targets_write_the_bytecode_cache_even_where_the_environment_forbids_it():
    """Where PYTHONDONTWRITEBYTECODE is set (this machine's environment sets it), every Python process of `make
    test` would compile recall_core from source again: the Makefile unsets it for its recipes. The caches it lets
    Python write (__pycache__) are git-ignored."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT), "--eval",
                        "show-env: ; @echo \"$${PYTHONDONTWRITEBYTECODE-unset}\"", "show-env"],
                       env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["unset"]
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "__pycache__/" in ignored and "*.pyc" in ignored
