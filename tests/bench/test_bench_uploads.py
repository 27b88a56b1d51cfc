"""bench/upload_sizes.py: the TSV writer against a hand-rolled one, the measurement on a tiny store at small sizes
(bytes within the writer's bounds, the limit's rounding), and its block kept by make bench."""
from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import upload_sizes  # noqa: E402


def test_vectors_tsv_equals_a_hand_rolled_writer():
    from recall_core.io.projector import vectors_tsv

    rng = np.random.default_rng(3)
    v = (rng.normal(0, 0.3, (40, 7)) * rng.choice([1, 1e-6, 1e3], (40, 7))).astype(np.float32)
    hand = "".join("\t".join(format(float(x), ".9g") for x in row) + "\n" for row in v)
    assert vectors_tsv(v) == hand
    back = np.array([[float(x) for x in ln.split("\t")] for ln in hand.splitlines()], np.float32)
    assert np.array_equal(back, v)  # 9 significant digits: float32 round-trips


def test_measure_on_a_tiny_store_at_small_sizes(judge_tiny, monkeypatch):
    folder, store = judge_tiny
    monkeypatch.setattr(upload_sizes, "N_ITEMS", 50)
    monkeypatch.setattr(upload_sizes, "N_USERS", 120)
    monkeypatch.setattr(upload_sizes, "SAMPLE_ROWS", 30)
    res = upload_sizes.measure(store, str(folder))
    d = upload_sizes.DIM
    user_tsv = next(v for k, v in res["files"].items() if k.startswith("user_vectors.tsv"))
    # each value is 1 to 15 characters, plus a tab or the line end
    assert 120 * d * 2 <= user_tsv <= 120 * d * 16
    assert res["worst"]["bytes_per_row"] == max(r["bytes_per_row"] for r in res["per_model"])
    assert res["files"][f"user_vectors.npy (120 × {d} float32)"] == 120 * d * 4 + 128
    assert res["largest"] == max(res["files"].values())
    assert res["limit_mib"] % 10 == 0 and res["limit_mib"] == math.ceil(res["largest"] * 1.25 / 2**20 / 10) * 10
    text = upload_sizes.block(res, ".bench/store")
    assert text.startswith(upload_sizes.START) and text.endswith(upload_sizes.END)
    assert f"**{res['limit_mib']} MiB**" in text


def test_an_empty_store_is_said(tmp_path, judge_tiny):
    with pytest.raises(SystemExit, match="no trained model"):
        upload_sizes.measure(tmp_path, str(judge_tiny[0]))


def test_bench_run_keeps_the_block():
    src = (Path(upload_sizes.__file__).parent / "run.py").read_text()
    assert "(uploads_bench.START, uploads_bench.END)" in src and '"uploads": upload_sizes' in src
