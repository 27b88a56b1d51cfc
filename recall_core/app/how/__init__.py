"""The "How it works" page's sections (minimal stand-in: engineer A's version replaces this file)."""
from __future__ import annotations

from dataclasses import dataclass

from recall_core.data import Dataset
from recall_core.models.base import RecallOutput


@dataclass
class HowContext:
    name: str            # store name of the model (e.g. "fm")
    output: RecallOutput  # loaded from the store
    manifest: dict       # its manifest
    dataset: Dataset     # the loaded dataset
    train: Dataset       # the training split the stored model was trained on
    lang: str            # "en" | "zh"
    key: str             # widget key prefix
