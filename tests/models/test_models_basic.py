from tests.conformance import ModelConformance


class TestItem2Vec(ModelConformance):
    model_name = "item2vec"
    overrides = {"epochs": 30, "embedding_dim": 16, "window": 3, "seed": 3}


class TestMostPop(ModelConformance):
    model_name = "mostpop"
    # Popularity knows no clusters: only the shape/seed/round-trip checks apply.
    i2i_purity = 0.0
    u2i_purity = 0.0


def test_mostpop_ranks_by_training_count(planted):
    import numpy as np

    from recall_core.evaluation import top_k, u2i_scores
    from recall_core.models import get_model_class

    ds, split = planted
    out = get_model_class("mostpop")().fit(split.train).export()
    counts = np.bincount(split.train.item_idx, minlength=ds.n_items)
    seen = split.train.matrix
    top = top_k(u2i_scores(out, np.arange(ds.n_users)), seen, 5)
    for u in range(ds.n_users):
        unseen = np.setdiff1d(np.arange(ds.n_items), split.train.history(u))
        unseen = unseen[counts[unseen] > 0]  # never-trained items rank last
        want = unseen[np.lexsort((unseen, -counts[unseen]))][:5]
        assert top[u].tolist() == want.tolist()


class TestItem2VecSetView(ModelConformance):
    """The paper's view: a history is an unordered set (shuffled each epoch, the window spans it)."""

    model_name = "item2vec"
    overrides = {"epochs": 30, "embedding_dim": 16, "context": "set", "set_chunk": 8, "seed": 3}
    # A set view ignores order, so recency (the planted groups' last items) counts less: only the clusters are checked.
    u2i_purity = 0.6
