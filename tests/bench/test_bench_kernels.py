"""bench/kernels.py (the kernel-spread study) and the README's tie rule in bench/run.py, on planted numbers."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
import kernels  # noqa: E402
import run as bench_run  # noqa: E402


def test_the_tie_rule_takes_the_larger_of_seed_and_kernel_sd():
    seeds = {"a": {"hr@10": (0.200, 0.002)}, "b": {"hr@10": (0.190, 0.001)}}
    # seeds alone: a gap of 0.010 is 5 seed sd: "above"
    assert bench_run.verdict(seeds, "a", "b", kernels={}) == "above b"
    # a kernel sd of 0.006 on either row: 2 x 0.006 = 0.012 > 0.010: a tie
    assert bench_run.verdict(seeds, "a", "b", kernels={"a": 0.006}) == "tie with b"
    assert bench_run.verdict(seeds, "a", "b", kernels={"b": 0.006}) == "tie with b"
    assert bench_run.verdict(seeds, "b", "a", kernels={"a": 0.004}) == "below a"  # 2 x 0.004 < 0.010
    assert bench_run.noise_sd(seeds, "a", {"a": 0.001}) == 0.002


def test_kernel_sds_come_from_the_study(tmp_path):
    path = tmp_path / "kernels.json"
    path.write_text(json.dumps({"summary": {"test": {"youtubednn": {"sd": 0.004}, "item2vec": {"sd": 0.0}}}}))
    assert bench_run.kernel_sds(path) == {"youtubednn": 0.004, "item2vec": 0.0}
    assert bench_run.kernel_sds(tmp_path / "missing.json") == {}


def test_runs_differing_only_in_what_a_model_never_reads_are_one_run():
    a = kernels.SETUPS["oneDNN, native ISA, 2 threads (default here)"]
    b = kernels.SETUPS["Eigen, native ISA, 2 threads"]
    c = kernels.SETUPS["oneDNN, AVX2, 2 threads"]
    # item2vec (gensim) reads OpenBLAS only: oneDNN on/off is the same run; the AVX2 setup's core type is not
    assert kernels.run_key("item2vec", {}, "test", 42, a, {}) == kernels.run_key("item2vec", {}, "test", 42, b, {})
    assert kernels.run_key("item2vec", {}, "test", 42, a, {}) != kernels.run_key("item2vec", {}, "test", 42, c, {})
    # a TensorFlow model reads all of them
    assert kernels.run_key("youtubednn", {}, "test", 42, a, {}) != kernels.run_key("youtubednn", {}, "test", 42, b, {})
    # where the snapshots go is not part of what is measured
    assert kernels.run_key("dssm", {}, "valid", 42, a, {"snapshots": "/x"}) == kernels.run_key("dssm", {}, "valid",
                                                                                               42, a, {})
    assert kernels.DEFAULT_SETUP == next(iter(kernels.SETUPS))
    assert set(kernels.PROBE_SETUPS) <= set(kernels.SETUPS)


def test_summary_range_and_sd_over_the_setups():
    names = list(kernels.SETUPS)[:4]
    hr = [0.20, 0.21, 0.19, 0.20]
    setups = {"test": {"youtubednn": {s: {"hr@10": v} for s, v in zip(names, hr)}}}
    s = kernels.kernel_summary(setups, {"youtubednn": 0.0016})["test"]["youtubednn"]
    assert s["range"] == pytest.approx(0.02) and s["min"] == 0.19 and s["max"] == 0.21
    assert s["sd"] == pytest.approx(0.008165, abs=1e-6)  # sample sd of 0.20, 0.21, 0.19, 0.20
    assert s["default"] == 0.20 and s["seed_sd"] == 0.0016 and s["n_setups"] == 4


def test_the_seed_sd_is_read_from_the_seed_variance_table():
    sds = kernels.seed_sds()
    assert sds.get("youtubednn", 0) > 0 and sds.get("mostpop") == 0.0


def test_the_committed_study_covers_every_model_and_setup():
    """bench/kernels.json, as committed: every model under every kernel setup on the test split at seed 42, the
    default setup reproducing the README's seed-42 numbers (what `make bench` trained on this machine kind)."""
    data = json.loads(kernels.JSON_PATH.read_text())
    test = data["setups"]["test"]
    assert set(test) == set(kernels.MODELS)
    for model, cells in test.items():
        assert set(cells) == set(kernels.SETUPS), model
    summary = data["summary"]["test"]
    for model in kernels.MODELS:
        assert summary[model]["min"] <= summary[model]["default"] <= summary[model]["max"]
    results = (ROOT / "README.md").read_text().split("HR@10, seed 42 (`make run`) | kernel sd |", 1)[1]
    for model in kernels.MODELS:  # the README's seed-42 and kernel sd columns are the study's
        row = [c.strip() for c in results.split(f"\n| {model} |", 1)[1].split("\n", 1)[0].split("|")]
        assert row[4:6] == [f"{test[model][kernels.DEFAULT_SETUP]['hr@10']:.4f}", f"{summary[model]['sd']:.4f}"], model


def test_findings_are_computed_from_the_numbers():
    """The *Reading* sentences come from the tables (planted numbers), not typed by hand."""
    names = list(kernels.SETUPS)[:3]
    setups = {"test": {"youtubednn": {s: {"hr@10": v} for s, v in zip(names, (0.170, 0.160, 0.176))},
                       "fm": {s: {"hr@10": 0.2} for s in names}}}
    summary = kernels.kernel_summary(setups, {"youtubednn": 0.002, "fm": 0.008})
    div = [{"model": "dssm", "label": label, "distance": dist}
           for label, dist in (("1 thread instead of 2", [0.0, 0.0]), ("Eigen instead of oneDNN", [0.03, 0.2]),
                               ("seed 43", [1.4, 1.4]))]
    text = " ".join(kernels.findings({"summary": summary, "divergence": div}))
    assert "youtubednn: test HR@10 over the 3 kernel setups spans 0.1600–0.1760" in text
    assert "4.0× the 3-seed sd 0.0020" in text  # sample sd of (0.170, 0.160, 0.176) = 0.00808
    assert "Unmoved by every setup: fm." in text
    assert "dssm: with oneDNN, 1 thread and 2 threads train the same bits" in text
    assert "after epoch 1 the Eigen run is 3e-02 from the reference; after the last epoch 0.20, against 1.40" in text
