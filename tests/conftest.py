import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tests.conformance import planted  # noqa: E402,F401  (shared fixture)


@pytest.fixture(scope="session")
def ml100k():
    """The real ML-100K (obtained into the user cache on first use)."""
    from recall_core.data import load_dataset

    return load_dataset("ml-100k")
