"""Uploads: the size limit, checked before a byte is parsed, and the import of uploaded vectors into the store.

The limit is Streamlit's own ``server.maxUploadSize`` (MiB; set in ``.streamlit/config.toml`` to what the largest
import needs, measured by ``bench/upload_sizes.py``: BENCHMARKS.md, *Upload limit*). The browser refuses a larger
file before sending it; :func:`check_size` refuses it again on the server from the upload's recorded size, before
:mod:`recall_core.io.projector` reads it, so a request that bypasses the browser is refused the same way.
"""
from __future__ import annotations

import streamlit as st

from recall_core.errors import UsageError

MIB = 1024 * 1024  # Streamlit's maxUploadSize is in MiB (its upload route multiplies by 1024 * 1024)


def limit_bytes() -> int:
    """This server's upload limit in bytes (``server.maxUploadSize`` MiB)."""
    return int(st.get_option("server.maxUploadSize")) * MIB


def check_size(upload, limit: int | None = None) -> None:
    """:class:`UsageError` (one line naming the file, its size and the limit) when ``upload`` (a Streamlit
    ``UploadedFile``: ``name``, ``size``) is over ``limit`` bytes (default :func:`limit_bytes`). Reads only the
    recorded size, never the content."""
    limit = limit_bytes() if limit is None else int(limit)
    size = int(upload.size)
    if size > limit:
        raise UsageError(f"{upload.name}: {size / MIB:.1f} MiB, over this server's upload limit of {limit / MIB:g} MiB "
                         "(server.maxUploadSize in .streamlit/config.toml); nothing was read")


def import_uploads(ds, store, name: str, metric: str, vectors, ids, user_vectors=None, user_ids=None):
    """Import uploaded Projector files (or ``.npy``) as the stored model ``name``; returns the
    :class:`~recall_core.io.projector.ImportReport`.

    In order, before anything is read: the write is allowed (:func:`recall_core.app.access.require_write`: viewer
    mode refuses), user vectors and user ids come together, and every file is within the upload limit.
    """
    from recall_core.app.access import require_write
    from recall_core.io import projector

    require_write("importing vectors")
    if bool(user_vectors) != bool(user_ids):
        raise UsageError("user vectors and user ids go together: upload both, or neither")
    for f in (vectors, ids, user_vectors, user_ids):
        if f is not None:
            check_size(f)
    items = projector.read_vectors((vectors.name, vectors.getvalue()), (ids.name, ids.getvalue()), "item")
    users = (projector.read_vectors((user_vectors.name, user_vectors.getvalue()),
                                    (user_ids.name, user_ids.getvalue()), "user") if user_vectors else None)
    return projector.import_model(ds, store, name.strip(), items, users, metric=metric)
