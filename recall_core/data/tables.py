"""Item rows as a table a person reads: rank, raw id, title, year and genres (and a score when given).

One home for this table: the CLI prints it, the analyses (:mod:`recall_core.analysis`) build their neighbour and
recommendation tables on it, and the app's widgets set its column headers. The column names are data, not
reader text; the app translates the headers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def item_table(ds, rows, scores=None) -> pd.DataFrame:
    """Titles, years and genres of item ``rows`` (positions in ``ds.item_vocab``, shape ``(n,)``) of the dataset
    ``ds``: columns ``rank`` (1..n), ``item_id``, ``title``, ``year`` (int or None), ``genres`` (comma-joined),
    and ``score`` (float64, shape ``(n,)``) when ``scores`` is given."""
    rows = np.asarray(rows, dtype=np.int64)
    it = ds.items.iloc[rows]
    df = pd.DataFrame({
        "rank": np.arange(1, len(rows) + 1),
        "item_id": it["item_id"].to_numpy(),
        "title": it["title"].to_numpy(),
        "year": [None if np.isnan(y) else int(y) for y in it["year"].to_numpy()],
        "genres": [", ".join(g) for g in it["genres"]],
    })
    if scores is not None:
        df["score"] = np.asarray(scores, dtype=np.float64)
    return df
