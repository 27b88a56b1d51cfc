import numpy as np
import pytest

from recall_core.errors import ConfigError
from recall_core.models.youtubednn import YouTubeDNN, example_age
from tests.conformance import ModelConformance


class TestYouTubeDNN(ModelConformance):
    model_name = "youtubednn"
    overrides = {"epochs": 25, "embedding_dim": 16, "batch_size": 64, "learning_rate": 0.01, "history_len": 5,
                 "hidden": (32,), "field_dim": 4, "seed": 3}

    def test_unit_user_vectors_and_ip(self, fitted):
        np.testing.assert_allclose(np.linalg.norm(fitted.user_vectors, axis=1), 1, rtol=1e-5)
        assert fitted.u2i_metric == "ip"


class TestYouTubeDNNSampled(TestYouTubeDNN):
    overrides = {**TestYouTubeDNN.overrides, "softmax": "sampled", "num_sampled": 16}


def test_example_age():
    a = example_age(np.array([100, 100 - 86_400]), 100, 1.0)
    np.testing.assert_allclose(a[:, 0], [0, np.log(2)], rtol=1e-6)
    np.testing.assert_allclose(a[:, 1], a[:, 0] ** 2)


def test_unknown_softmax_fails_before_training(planted):
    _, split = planted
    with pytest.raises(ConfigError, match="'in_batch'"):
        YouTubeDNN(softmax="in_batch").fit(split.train)


class TestYouTubeDNNWithoutExampleAge(TestYouTubeDNN):
    overrides = {**TestYouTubeDNN.overrides, "example_age": False}


def test_serving_age_per_user_changes_only_the_user_vectors(planted):
    from recall_core.models.youtubednn import YouTubeDNN

    _, split = planted
    small = {**TestYouTubeDNN.overrides, "epochs": 2, "example_age": True}  # the serving age needs the feature
    zero = YouTubeDNN(**{**small, "serving_age": "zero"}).fit(split.train).export()
    last = YouTubeDNN(**{**small, "serving_age": "user_last"}).fit(split.train).export()
    np.testing.assert_array_equal(zero.item_vectors, last.item_vectors)  # same training
    assert not np.allclose(zero.user_vectors, last.user_vectors)  # scored at other ages
