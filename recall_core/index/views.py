"""The index of a model's view, built once per stored version and view.

A view (:meth:`recall_core.models.base.RecallOutput.view_arrays`) names a query side, a key side and the
similarity it is searched with; :func:`index_for` builds the exact :class:`~recall_core.index.VectorIndex` over
the key side (``(n_items, d)`` float32, the model's ``item_known`` mask) and keeps it per ``(cache_key, view)``
for the life of the process, so a page or a CLI call that asks again does not rebuild it.
"""
from __future__ import annotations

from recall_core.index.vector_index import VectorIndex

_INDEXES: dict[tuple, VectorIndex] = {}


def index_for(output, view: str = "similar", cache_key: tuple | None = None) -> VectorIndex:
    """The index holding the key side of ``output``'s ``view`` (a :class:`~recall_core.models.base.RecallOutput`);
    kept under ``(cache_key, view)`` when ``cache_key`` is given (a stored version: its path and creation time),
    built afresh otherwise."""
    key = (cache_key, view) if cache_key else None
    if key and key in _INDEXES:
        return _INDEXES[key]
    _, keys, metric = output.view_arrays(view)
    idx = VectorIndex(keys, output.item_ids, metric, output.item_known)
    if key:
        _INDEXES[key] = idx
    return idx
