"""Any supported folder: a MovieLens release (:mod:`recall_core.data.movielens`) or a generic folder with
``dataset.toml`` (:mod:`recall_core.data.generic`).

The one place that chooses the reader by the folder's layout (:func:`recall_core.data.movielens.detect_layout`
names it, ``"generic"`` included), so the MovieLens reader never imports the generic one, which builds on its
input policies: ``generic`` -> ``movielens``, and this module above both.
"""
from __future__ import annotations

from pathlib import Path

from recall_core.data import generic, movielens
from recall_core.data.movielens import RawData, detect_layout

__all__ = ["detect_layout", "layout_files", "read_folder"]


def layout_files(folder: Path | str, layout: str) -> list[Path]:
    """The files :func:`read_folder` reads in ``folder`` for ``layout`` (``generic``: the card and the tables it
    names, :func:`recall_core.data.generic.card_files`; a MovieLens layout:
    :func:`recall_core.data.movielens.layout_files`)."""
    if layout == "generic":
        return generic.card_files(Path(folder))
    return movielens.layout_files(Path(folder), layout)


def read_folder(folder: Path | str) -> RawData:
    """Read any supported folder under the input policy of its reader (:class:`~recall_core.data.movielens.RawData`:
    interactions, items, users, layout, report, schema)."""
    folder = Path(folder)
    if detect_layout(folder) == "generic":
        return generic.read_generic(folder)
    return movielens.read_folder(folder)
