import pytest

from recall_core.training import train_jobs
from recall_core.errors import ConfigError
from recall_core.models.dssm import DSSM
from recall_core.models.dssm import variant_name
from tests.conformance import ModelConformance


class TestDSSM(ModelConformance):
    model_name = "dssm"
    overrides = {"epochs": 25, "embedding_dim": 16, "batch_size": 64, "learning_rate": 0.01, "history_len": 5,
                 "hidden": (32,), "field_dim": 4, "seed": 3,
                 # a small τ (0.1) lets 80 planted users memorise their own orders
                 "temperature": 0.5, "softmax": "in_batch"}

    def test_temperature_and_metric(self, fitted):
        assert fitted.info["temperature"] == 0.5
        assert fitted.metric == fitted.u2i_metric == "cosine"
        assert fitted.info["softmax"] == "in_batch" and fitted.info["logq_correction"] is True


class TestDSSMFullSoftmax(TestDSSM):
    overrides = {**TestDSSM.overrides, "softmax": "full", "temperature": 0.4}

    def test_temperature_and_metric(self, fitted):
        assert fitted.info["temperature"] == 0.4 and fitted.info["logq_correction"] is False


def test_variant_names():
    assert variant_name(0.05) == "dssm@t0.05"
    assert variant_name(1) == "dssm@t1"
    jobs = train_jobs("dssm", "0.02,0.5")
    assert [(j.store_name, j.overrides) for j in jobs] == [
        ("dssm", None), ("dssm@t0.02", {"temperature": 0.02}), ("dssm@t0.5", {"temperature": 0.5})]


@pytest.mark.parametrize("bad, match", [({"softmax": "sampled"}, "softmax"), ({"temperature": 0.0}, "temperature")])
def test_bad_settings_fail_before_training(planted, bad, match):
    _, split = planted
    with pytest.raises(ConfigError, match=match):
        DSSM(**bad).fit(split.train)


class TestDSSMTutorialTower(TestDSSM):
    """The tutorial's tower: Dense + BatchNorm + tanh + dropout; it must still find the planted clusters."""

    overrides = {**TestDSSM.overrides, "tower": "tutorial"}
