"""Shared checks every model's tests inherit.

A model's test class sets ``model_name`` (registry name) and ``overrides``
(small, fast config), and gets: shapes/dtypes/finite values, same seed gives
the same vectors, save/load round trip, and planted clusters coming back as
I2I (and U2I, when the model has user vectors) neighbours.
"""
from __future__ import annotations

import numpy as np
import pytest

from recall_core.data import leave_last_out
from recall_core.data.planted import planted_dataset
from recall_core.evaluation import i2i_scores, top_k, u2i_scores
from recall_core.models import get_model_class
from recall_core.store import load_model, save_model

ITEMS_PER_CLUSTER = 12
N_CLUSTERS = 4


@pytest.fixture(scope="module")
def planted():
    ds = planted_dataset(n_clusters=N_CLUSTERS, items_per_cluster=ITEMS_PER_CLUSTER, users_per_cluster=20, history=10)
    return ds, leave_last_out(ds)


class ViewOracle:
    """Mixed into :class:`ModelConformance`: every view shows the score the model's formula gives."""

    def test_views_show_their_stated_score(self, fitted, planted, tmp_path):
        from recall_core.explore import item_neighbours, user_recommendations
        from tests.oracles import ORACLES, oracle_top

        ds, split = planted
        oracles = ORACLES[self.model_name]
        assert set(fitted.views) == set(oracles), "a view without an oracle (or an oracle without its view)"
        cls = get_model_class(self.model_name)
        assert set(cls.view_notes) >= set(fitted.views), "every view needs its sentence in view_notes"
        save_model(tmp_path, ds, self.model_name, fitted, model_class=self.model_name, config={}, seed=0)
        stored = load_model(tmp_path, ds.key, self.model_name, fingerprint=ds.fingerprint)
        rng = np.random.default_rng(0)
        k = 7
        for view in fitted.views:
            full = oracles[view](fitted, split.train)
            n_q = ds.n_users if view == "user" else ds.n_items
            for q in rng.choice(n_q, size=5, replace=False):
                if view == "user":
                    shown = user_recommendations(ds, stored, ds.user_vocab.id(q), k)
                    exclude = split.train.history(q)
                else:
                    shown = item_neighbours(ds, stored, ds.item_vocab.id(q), k, view)
                    exclude = [q]
                want_rows, want_scores = oracle_top(full[q], exclude, fitted.item_known, k)
                np.testing.assert_allclose(shown["score"].to_numpy(), want_scores, rtol=1e-4, atol=1e-5,
                                           err_msg=f"{self.model_name} {view} query {q}")
                assert shown["item_id"].tolist() == ds.item_vocab.ids[want_rows].tolist(), (view, q)


class ModelConformance(ViewOracle):
    model_name: str = ""
    overrides: dict = {}
    #: share of top-5 I2I neighbours that must share the query's cluster
    i2i_purity: float = 0.8
    #: share of top-3 U2I items that must be in the user's group cluster
    u2i_purity: float = 0.8
    has_users: bool = True

    @pytest.fixture(scope="class")
    def fitted(self, planted):
        ds, split = planted
        model = get_model_class(self.model_name)(**self.overrides).fit(split.train)
        return model.export()

    def test_shapes_dtypes_finite(self, fitted, planted):
        ds, _ = planted
        assert fitted.item_vectors.shape[0] == ds.n_items
        assert fitted.item_vectors.dtype == np.float32
        assert np.isfinite(fitted.item_vectors).all()
        assert list(fitted.item_ids) == list(ds.item_vocab.ids)
        assert fitted.has_users == self.has_users
        if fitted.has_users:
            assert fitted.user_vectors.shape == (ds.n_users, fitted.candidates.shape[1])
            assert fitted.user_vectors.dtype == np.float32
            assert np.isfinite(fitted.user_vectors).all()
            assert list(fitted.user_ids) == list(ds.user_vocab.ids)

    def test_same_seed_same_vectors(self, fitted, planted):
        _, split = planted
        again = get_model_class(self.model_name)(**self.overrides).fit(split.train).export()
        np.testing.assert_allclose(again.item_vectors, fitted.item_vectors, rtol=1e-5, atol=1e-6)
        if fitted.has_users:
            np.testing.assert_allclose(again.user_vectors, fitted.user_vectors, rtol=1e-5, atol=1e-6)

    def test_save_load_round_trip(self, fitted, planted, tmp_path):
        ds, _ = planted
        save_model(tmp_path, ds, self.model_name, fitted, model_class=self.model_name, config={}, seed=0)
        back = load_model(tmp_path, ds.key, self.model_name, fingerprint=ds.fingerprint).output
        np.testing.assert_array_equal(back.item_vectors, fitted.item_vectors)
        np.testing.assert_array_equal(back.item_ids, fitted.item_ids)
        assert back.metric == fitted.metric and back.u2i_metric == fitted.u2i_metric
        if fitted.has_users:
            np.testing.assert_array_equal(back.user_vectors, fitted.user_vectors)
            np.testing.assert_array_equal(back.candidates, fitted.candidates)
        assert set(back.extras) == set(fitted.extras)
        for k, v in fitted.extras.items():
            np.testing.assert_array_equal(back.extras[k], v)

    def test_planted_clusters_are_i2i_neighbours(self, fitted, planted):
        ds, _ = planted
        rows = np.arange(ds.n_items)
        scores = i2i_scores(fitted, rows)
        scores[rows, rows] = -np.inf
        top = top_k(scores, None, 5)
        purity = (top // ITEMS_PER_CLUSTER == (rows // ITEMS_PER_CLUSTER)[:, None]).mean()
        assert purity >= self.i2i_purity, f"only {purity:.2f} of top-5 neighbours share the cluster"

    def test_planted_groups_get_their_cluster(self, fitted, planted):
        if not self.has_users:
            pytest.skip("no user vectors")
        ds, split = planted
        users = np.arange(ds.n_users)
        top = top_k(u2i_scores(fitted, users), split.train.matrix, 3)
        purity = (top // ITEMS_PER_CLUSTER == (users % N_CLUSTERS)[:, None]).mean()
        assert purity >= self.u2i_purity, f"only {purity:.2f} of top-3 recommendations are in the group's cluster"

