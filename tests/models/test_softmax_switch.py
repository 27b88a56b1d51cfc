"""The "auto" softmax of FM and YouTubeDNN: full below SAMPLED_SOFTMAX_MIN_ITEMS items (bit for bit the
explicit full softmax, so the measured defaults stay as they were), sampled at or above it."""
from __future__ import annotations

import numpy as np
import pytest

from recall_core.models import _softmax, get_model_class

SMALL = {
    "fm": {"epochs": 2, "embedding_dim": 8, "batch_size": 64, "learning_rate": 0.01, "history_len": 4,
           "num_sampled": 8, "seed": 3},
    "youtubednn": {"epochs": 2, "embedding_dim": 8, "batch_size": 64, "learning_rate": 0.01, "history_len": 4,
                   "hidden": (16,), "field_dim": 4, "num_sampled": 8, "seed": 3},
}
FIELD = {"fm": "loss", "youtubednn": "softmax"}


def fit(model, planted, **cfg):
    _, split = planted
    return get_model_class(model)(**{**SMALL[model], **cfg}).fit(split.train).export()


def test_resolve_at_the_threshold():
    n = _softmax.SAMPLED_SOFTMAX_MIN_ITEMS
    assert _softmax.resolve_softmax("auto", n - 1, "full", "sampled") == "full"
    assert _softmax.resolve_softmax("auto", n, "full", "sampled") == "sampled"
    assert _softmax.resolve_softmax("full", 10 * n, "full", "sampled") == "full"  # an explicit choice stays
    assert _softmax.auto_reason(n - 1).endswith(f"< {n:,}") and _softmax.auto_reason(n).endswith(f"≥ {n:,}")


@pytest.mark.parametrize("model", ["fm", "youtubednn"])
def test_auto_is_the_default_and_resolves_by_the_catalogue(model):
    cls, field = get_model_class(model), FIELD[model]
    full, sampled = cls.auto_fields[field]
    assert getattr(cls.Config(), field) == "auto"
    n = _softmax.SAMPLED_SOFTMAX_MIN_ITEMS
    assert cls.used_config({}, n_items=n - 1)[field] == full and cls.used_config({}, n_items=n)[field] == sampled
    assert cls.used_config({field: "auto"}, {f"{field}_used": sampled}, n_items=1)[field] == sampled  # info first
    assert cls.used_config({field: full}, n_items=10 * n)[field] == full


@pytest.mark.parametrize("model", ["fm", "youtubednn"])
@pytest.mark.parametrize("small_threshold", [False, True])
def test_auto_trains_exactly_the_variant_it_resolves_to(model, planted, monkeypatch, small_threshold):
    ds, _ = planted
    cls, field = get_model_class(model), FIELD[model]
    full, sampled = cls.auto_fields[field]
    if small_threshold:  # the planted catalogue (48 items) reaches the threshold
        monkeypatch.setattr(_softmax, "SAMPLED_SOFTMAX_MIN_ITEMS", ds.n_items)
    want = sampled if small_threshold else full
    auto, explicit = fit(model, planted, **{field: "auto"}), fit(model, planted, **{field: want})
    np.testing.assert_array_equal(auto.item_vectors, explicit.item_vectors)
    np.testing.assert_array_equal(auto.user_vectors, explicit.user_vectors)
    assert auto.info[f"{field}_used"] == explicit.info[f"{field}_used"] == want
    op = "≥" if small_threshold else "<"
    assert auto.info[f"{field}_auto"] == f"catalogue {ds.n_items} items {op} {_softmax.SAMPLED_SOFTMAX_MIN_ITEMS:,}"
    # the model card names the resolved variant; without what fit recorded, the rule
    card = cls.describe_variant({field: "auto"}, auto.info)
    assert f"auto → {cls.variant_notes[field][want]}; catalogue {ds.n_items} items {op}" in " | ".join(card)
    assert any(p.startswith("auto: ") and "items" in p for p in cls.describe_variant({field: "auto"}))
    assert cls.used_config({field: "auto"}, auto.info)[field] == want
    if not small_threshold:  # the other variant does train differently: the equality above is not vacuous
        other = fit(model, planted, **{field: sampled})
        assert not np.array_equal(other.item_vectors, auto.item_vectors)


@pytest.mark.parametrize("model, used", [("fm", "sampled"), ("fm", "softmax"), ("youtubednn", "sampled")])
def test_how_pages_read_the_softmax_training_used(model, used):
    """The How page's config is the one trained: "auto" replaced by what fit recorded in info."""
    from types import SimpleNamespace

    pytest.importorskip("streamlit")
    from recall_core.app.how._towers_text import _t
    from recall_core.app.how._towers_ui import config_of

    field = FIELD[model]
    ctx = SimpleNamespace(name=model, manifest={"model_class": model, "config": {field: "auto"},
                                                "info": {f"{field}_used": used}})
    cfg = config_of(ctx)
    assert cfg[field] == used and cfg["num_sampled"] == 256
    for lang in ("en", "zh"):
        said = _t(lang, "fm_diff_sampled", num_sampled=cfg["num_sampled"], alpha=0.75)
        assert "256" in said and "0.75" in said and "{" not in said
