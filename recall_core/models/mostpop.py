"""Most-popular baseline: every user gets the most-rated unseen items."""
from __future__ import annotations

import numpy as np

from recall_core.models.base import ModelConfig, RecallModel, RecallOutput, no_progress, register


@register
class MostPop(RecallModel):
    """Scores each item by its training interaction count.

    Exported as 1-d vectors: item ``[count / max]``, user ``[1]``, inner
    product, so the shared evaluation and index code rank it like any model.
    Ties are broken by item row (lower first), as everywhere.
    """

    name = "mostpop"
    order = 0
    color = "#8c8c8c"
    view_notes = {
        "similar": "Popularity times popularity (ip; popularity = training count / the largest count): the same "
                   "most-rated films for every query movie; a reference, not a similarity.",
        "user": "Popularity of each film (training count / the largest count; ip against a constant user "
                "vector of 1): the most-rated films the user has not rated.",
    }
    description = "Reference baseline: the most-rated items the user has not seen."
    Config = ModelConfig

    def fit(self, train, progress=no_progress):
        counts = train.item_counts.astype(np.float32)
        pop = counts / max(float(counts.max()), 1.0)
        self._output = RecallOutput(
            item_ids=train.item_vocab.ids,
            item_vectors=pop[:, None],
            metric="ip",
            item_known=counts > 0,
            user_ids=train.user_vocab.ids,
            user_vectors=np.ones((train.n_users, 1), np.float32),
            u2i_metric="ip",
            info={"max_count": int(counts.max())},
        )
        progress(1.0, "counted")
        return self
