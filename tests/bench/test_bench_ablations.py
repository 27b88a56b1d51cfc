"""bench/ablations.py's decision rule, on hand-made validation cells (no training here)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import ablations  # noqa: E402

SHAPES = ["a", "b"]


def cells(**by_label):
    """{label: {(shape, "valid"): {"hr@10": x, "i2i_hr@10": y}}} from label=((a_hr, a_i2i), (b_hr, b_i2i))."""
    return {lab: {(s, "valid"): {"hr@10": hr, "i2i_hr@10": i2i} for s, (hr, i2i) in zip(SHAPES, v)}
            for lab, v in by_label.items()}


def test_worst_shape_ratio_beats_the_best_on_one_shape():
    # x wins shape a by 10% and collapses on b (ratio 0.5); y is 0.9 and 1.0: y is kept
    row = cells(x=((0.20, 0), (0.05, 0)), y=((0.18, 0), (0.10, 0)))
    r = ablations.ratios(row, "hr@10", SHAPES)
    assert r["x"] == 0.5 and abs(r["y"] - 0.9) < 1e-12
    assert ablations.choose([(row, "hr@10")], SHAPES) == "y"


def test_the_default_stays_within_the_tolerance_and_goes_beyond_it():
    row = cells(x=((0.200, 0), (0.100, 0)), y=((0.197, 0), (0.100, 0)))  # y's worst ratio 0.985
    assert ablations.choose([(row, "hr@10")], SHAPES, default="y") == "y"
    row = cells(x=((0.200, 0), (0.100, 0)), y=((0.180, 0), (0.100, 0)))  # 0.9: beyond TOL
    assert ablations.choose([(row, "hr@10")], SHAPES, default="y") == "x"


def test_one_decision_judged_on_two_metrics_takes_the_worst_of_both():
    # on U2I x is best everywhere; on I2I x is 0.5 of y on shape b: jointly y (worst 0.8) beats x (0.5)
    row = cells(x=((0.20, 0.10), (0.20, 0.05)), y=((0.16, 0.10), (0.18, 0.10)))
    assert ablations.choose([(row, "hr@10")], SHAPES) == "x"
    assert ablations.choose([(row, "hr@10"), (row, "i2i_hr@10")], SHAPES) == "y"


def test_an_unmeasured_cell_chooses_nothing():
    row = cells(x=((0.2, 0), (0.1, 0)), y=((0.1, 0), (0.2, 0)))
    del row["y"][("b", "valid")]
    assert ablations.choose([(row, "hr@10")], SHAPES) is None


def test_default_label_is_the_variant_equal_to_the_code_default():
    assert ablations.default_label("item2vec", {"0": {"ns_exponent": 0.0}, "0.75": {"ns_exponent": 0.75}}) == "0"
    assert ablations.default_label("eges-cold-start", {"att": {"rule": "attention"}, "mean": {"rule": "mean"}}) == "att"


def test_write_block_replaces_its_block_and_appends_when_missing(tmp_path):
    """bench/common.py's one writer of BENCHMARKS.md blocks (every benchmark writes through it)."""
    import common

    path = tmp_path / "B.md"
    path.write_text("# B\n\n<!-- x:start -->\nold\n<!-- x:end -->\n\ntail\n")
    common.write_block("<!-- x:start -->\nnew\n<!-- x:end -->", path, start="<!-- x:start -->", end="<!-- x:end -->")
    assert path.read_text() == "# B\n\n<!-- x:start -->\nnew\n<!-- x:end -->\n\ntail\n"
    common.write_block("<!-- y:start -->\ny\n<!-- y:end -->", path, start="<!-- y:start -->", end="<!-- y:end -->")
    assert path.read_text().endswith("tail\n\n<!-- y:start -->\ny\n<!-- y:end -->\n")


def test_write_block_is_crash_safe(tmp_path, monkeypatch):
    """A write that dies before its rename leaves the old file whole (and no half-written one in its place)."""
    import os

    import common

    path = tmp_path / "B.md"
    path.write_text("# B\n\n<!-- x:start -->\nold\n<!-- x:end -->\n")

    def died(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", died)
    try:
        common.write_block("<!-- x:start -->\nnew\n<!-- x:end -->", path, start="<!-- x:start -->", end="<!-- x:end -->")
    except OSError:
        pass
    assert path.read_text() == "# B\n\n<!-- x:start -->\nold\n<!-- x:end -->\n"
    assert [p.name for p in tmp_path.iterdir()] == ["B.md"]


def test_the_whole_file_writer_keeps_the_other_blocks_and_is_crash_safe(tmp_path, monkeypatch):
    """make bench writes BENCHMARKS.md anew, keeping the blocks the other benchmarks wrote, byte for byte and in
    the order given; a write that dies before its rename leaves the old file whole."""
    import os

    import common

    old = "# B\n\nold rows\n\n<!-- a:start -->\nA  rows\n<!-- a:end -->\nbetween\n<!-- b:start -->\nB\n<!-- b:end -->\n"
    path = tmp_path / "B.md"
    path.write_text(old)
    markers = [("<!-- b:start -->", "<!-- b:end -->"), ("<!-- c:start -->", "<!-- c:end -->"),
               ("<!-- a:start -->", "<!-- a:end -->")]
    common.write_keeping_blocks("# B\n\nnew rows\n", markers, path)
    assert path.read_text() == ("# B\n\nnew rows\n\n<!-- b:start -->\nB\n<!-- b:end -->\n\n"
                                "<!-- a:start -->\nA  rows\n<!-- a:end -->\n")
    before = path.read_text()
    monkeypatch.setattr(os, "replace", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    try:
        common.write_keeping_blocks("# B\n\nnewer\n", markers, path)
    except OSError:
        pass
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["B.md"]


def test_one_fit_and_score_step_for_the_child_processes():
    """bench/_score_one.py and bench/_kernel_one.py share common.fit_and_score: the same seed gives the same
    numbers, and they are evaluate()'s on the fitted model's output."""
    import common

    from recall_core.data.planted import planted_dataset
    from recall_core.data.split import split_for
    from recall_core.evaluation import evaluate, evaluate_i2i
    from recall_core.models import get_model_class

    ds = planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8, noise=0.1, seed=0)
    sp = split_for(ds, "valid")
    cls = get_model_class("item2vec")
    res, out = common.fit_and_score(cls, sp, 3, {"epochs": 2}, keys=("hr@10", "mrr"))
    again, _ = common.fit_and_score(cls, sp, 3, {"epochs": 2}, keys=("hr@10", "mrr"))
    assert {k: v for k, v in res.items() if k != "train_seconds"} == {k: v for k, v in again.items()
                                                                      if k != "train_seconds"}
    assert set(res) == {"train_seconds", "hr@10", "mrr", "i2i_hr@10", "i2i_ndcg@10"}
    ev, i2i = evaluate(out, sp), evaluate_i2i(out, sp)
    assert (res["hr@10"], res["mrr"], res["i2i_hr@10"], res["i2i_ndcg@10"]) == (
        ev["hr@10"], ev["mrr"], i2i["hr@10"], i2i["ndcg@10"])


def test_an_auto_default_is_the_variant_it_resolves_to_on_every_shape(monkeypatch):
    from recall_core.models import _softmax

    n = _softmax.SAMPLED_SOFTMAX_MIN_ITEMS
    sizes = {"small": n - 1, "small2": 10, "large": n}
    monkeypatch.setattr(ablations, "catalogue_items", lambda shape: sizes[shape])
    loss = {"full": {"loss": "softmax"}, "sampled": {"loss": "sampled"}, "bce": {"loss": "bce"}}
    assert ablations.default_label("fm", loss, ["small", "small2"]) == "full"
    assert ablations.default_label("fm", loss, ["large"]) == "sampled"
    assert ablations.default_label("fm", loss, ["small", "large"]) is None  # a different variant per shape
    soft = {"full": {"softmax": "full"}, "sampled (paper)": {"softmax": "sampled"}}
    assert ablations.default_label("youtubednn", soft, ["small"]) == "full"
    # a row about another field: the variant at the other field's default, "auto" included
    hist = {"20": {"history_len": 20}, "0": {"history_len": 0}}
    assert ablations.default_label("fm", hist, ["small", "large"]) == "20"
    # "auto" and the variant it resolves to on a shape are one training (one cache key)
    assert ablations.task_key("large", "fm", {}, "valid", 42) == ablations.task_key("large", "fm", loss["sampled"],
                                                                                     "valid", 42)
    assert ablations.task_key("small", "fm", {}, "valid", 42) != ablations.task_key("small", "fm", loss["sampled"],
                                                                                     "valid", 42)


def test_a_rows_conditions_are_not_its_decision():
    """The serving-age row measures both variants with the age feature on (off by default): its default is the
    variant at the code's serving age, not "none"."""
    from recall_core.models.youtubednn import YouTubeDNNConfig

    row = next(v for m, d, v, _ in ablations.ROWS if m == "youtubednn" and d.startswith("serving age"))
    assert ablations.decision_fields(row) == {"serving_age"}
    want = YouTubeDNNConfig().serving_age
    label = ablations.default_label("youtubednn", row, ["ml-100k"])
    assert row[label]["serving_age"] == want


def test_settings_that_change_nothing_share_one_cache_key(monkeypatch):
    monkeypatch.setattr(ablations, "catalogue_items", lambda shape: 1682)
    key = ablations.task_key
    # without the age feature the serving age is inert; with it, it is not
    assert key("s", "youtubednn", {"serving_age": "zero"}, "valid", 42) == key("s", "youtubednn",
                                                                              {"serving_age": "user_last"}, "valid", 42)
    on = {"example_age": True}
    assert key("s", "youtubednn", {**on, "serving_age": "zero"}, "valid", 42) != key(
        "s", "youtubednn", {**on, "serving_age": "user_last"}, "valid", 42)
    # no booked-film pairs: nothing to give negatives to
    off = {"global_context": False}
    assert key("s", "airbnb", {**off, "global_negatives": False}, "valid", 42) == key("s", "airbnb", off, "valid", 42)
    assert key("s", "airbnb", {"global_negatives": False}, "valid", 42) != key("s", "airbnb", {}, "valid", 42)


def test_the_tables_kept_column_is_the_codes_defaults_and_the_rule_agrees():
    """bench/ablations.json (what BENCHMARKS.md's table shows): per row, *kept* is the code's default variant,
    and the rule, recomputed here from the file's validation cells, chooses that same variant."""
    import json

    data = json.loads(ablations.JSON_PATH.read_text())
    shapes = data["shapes"]
    rows = {(r["model"], r["decision"]): r for r in data["rows"]}
    results = ablations.json_results(shapes)
    chosen = ablations.kept_by_row(results, shapes)
    for model, decision, variants, _ in ablations.ROWS:
        assert (model, decision) in rows, f"{model} / {decision}: not in bench/ablations.json (run make ablations)"
        default = ablations.default_label(model, variants, shapes)
        assert default is not None, (model, decision)
        assert rows[(model, decision)]["kept"] == default, (model, decision, "the file's kept is not the code's")
        assert chosen[(model, decision)] == default, (model, decision, "the rule on validation chose",
                                                      chosen[(model, decision)], "the code's default is", default)
        assert rows[(model, decision)]["chosen"] == chosen[(model, decision)], (model, decision)


def test_compare_stores_sees_equal_stores_and_a_changed_number(tmp_path, capsys):
    """bench/compare_stores.py (the no-behaviour-change check of a restructuring): two trainings of the same data
    compare equal; one changed metric in a live manifest does not."""
    import json

    import compare_stores

    from recall_core.data.planted import planted_dataset
    from recall_core.store import manifest_path
    from recall_core.training import train_models

    ds = planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8, noise=0.1, seed=0)
    for side in ("a", "b"):
        train_models(ds, ["mostpop"], tmp_path / side, maps=False)
    assert compare_stores.compare(tmp_path / "a", tmp_path / "b", ds.key)
    path = manifest_path(tmp_path / "b", ds.key, "mostpop")
    man = json.loads(path.read_text())
    man["metrics"]["hr@10"] += 1e-12
    path.write_text(json.dumps(man))
    assert not compare_stores.compare(tmp_path / "a", tmp_path / "b", ds.key)
    assert "metrics DIFFER" in capsys.readouterr().out
