"""The Makefile's environment for every target it runs."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="no make")
def test_targets_keep_the_bytecode_cache_in_the_venv_even_where_the_environment_forbids_it():
    """Where PYTHONDONTWRITEBYTECODE is set (this machine's environment sets it), every Python process of `make
    test` would compile recall_core from source again; the Makefile unsets it for its recipes and points the cache
    at .venv/pycache (git-ignored), so nothing is written next to the sources."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPYCACHEPREFIX", None)
    p = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT), "--eval",
                        "show-env: ; @echo \"$${PYTHONPYCACHEPREFIX-unset} $${PYTHONDONTWRITEBYTECODE-unset}\"",
                        "show-env"], env=env, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    prefix, dont = p.stdout.split()
    assert Path(prefix) == ROOT / ".venv" / "pycache" and dont == "unset"
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()
