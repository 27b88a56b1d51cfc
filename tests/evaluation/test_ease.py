"""EASE, the closed-form reference row: against a direct numpy computation on planted data (the weights, the
scores, the λ chosen on validation, the kept top lists and ranks), and how it is kept in the store."""
from __future__ import annotations

import json

import numpy as np
import pytest

from recall_core.data.split import split_for
from recall_core.data.planted import planted_dataset
from recall_core.evaluation import ease


@pytest.fixture(scope="module")
def noisy():
    return planted_dataset(n_clusters=4, items_per_cluster=12, users_per_cluster=20, history=10, noise=0.3, seed=2)


def numpy_ease(x: np.ndarray, lam: float) -> np.ndarray:
    """Steck (2019), eq. 8, as written: B = I - P diag(1/diag(P)), P = (X'X + λI)^-1."""
    p = np.linalg.inv(x.T @ x + lam * np.eye(x.shape[1]))
    return np.eye(x.shape[1]) - p @ np.diag(1.0 / np.diag(p))


def numpy_ranks(scores: np.ndarray, seen: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """1-based rank of each target among unseen items, ties by item row (the protocol), by sorting."""
    out = []
    for s, m, t in zip(scores, seen, targets):
        unseen = np.flatnonzero(~m)
        order = unseen[np.lexsort((unseen, -s[unseen]))]
        out.append(int(np.flatnonzero(order == t)[0]) + 1)
    return np.asarray(out)


def test_weights_match_the_formula(noisy):
    x = split_for(noisy, "test").train.matrix.toarray().astype(np.float64)
    for lam in (0.5, 10.0, 500.0):
        b = ease.ease_weights(ease.gram(split_for(noisy, "test").train.matrix), lam)
        want = numpy_ease(x, lam)
        np.testing.assert_allclose(b, want, rtol=1e-5, atol=1e-6)
        assert np.all(np.diag(b) == 0.0)
    with pytest.raises(Exception, match="lambda must be > 0"):
        ease.ease_weights(np.eye(3), 0.0)


def test_lambda_is_chosen_on_validation_by_hr10(noisy):
    """choose_lambda's HR@10 per λ equals a numpy computation of the scores and ranks, and it keeps the best."""
    valid = split_for(noisy, "valid")
    x = valid.train.matrix.toarray().astype(np.float64)
    lambdas = (0.1, 5.0, 50.0, 5000.0)
    chosen, results = ease.choose_lambda(valid, lambdas)
    want = {}
    for lam in lambdas:
        scores = x[valid.test_users] @ numpy_ease(x, lam)
        ranks = numpy_ranks(scores, x[valid.test_users] > 0, valid.test_items)
        want[lam] = float((ranks <= 10).mean())
        assert results[lam]["hr@10"] == pytest.approx(want[lam])
        assert results[lam]["ndcg@10"] == pytest.approx(float(np.where(ranks <= 10, 1 / np.log2(ranks + 1), 0).mean()))
    assert chosen == max(lambdas, key=lambda lam: (want[lam], -lam))
    assert len(set(want.values())) > 1  # λ matters on this data: the choice is a real one


def test_reference_row_top_lists_and_ranks(noisy):
    valid, test = split_for(noisy, "valid"), split_for(noisy, "test")
    r = ease.fit_reference(valid, test, lambdas=(1.0, 20.0), keep_top=7)
    assert r["lambda"] in (1.0, 20.0) and r["valid"]["hr@10"] == max(r["valid_by_lambda"].values())
    x = test.train.matrix.toarray().astype(np.float64)
    scores = x @ numpy_ease(x, r["lambda"])
    seen = x > 0
    for u in range(noisy.n_users):
        unseen = np.flatnonzero(~seen[u])
        order = unseen[np.lexsort((unseen, -scores[u, unseen]))][:7]
        got = r["top_rows"][u][r["top_rows"][u] >= 0]
        np.testing.assert_array_equal(got, order)
        np.testing.assert_allclose(r["top_scores"][u][:len(got)], scores[u, order], rtol=1e-4, atol=1e-5)
    ranks = numpy_ranks(scores[test.test_users], seen[test.test_users], test.test_items)
    np.testing.assert_array_equal(r["ranks"], ranks)
    assert r["test"]["hr@10"] == pytest.approx(float((ranks <= 10).mean()))
    assert r["top_rows"].shape == (noisy.n_users, 7) and r["top_rows"].dtype == np.int32


def test_kept_once_per_data_and_read_back(noisy, tmp_path, monkeypatch):
    from recall_core.evaluation.references import ease_lists, ease_reference
    from recall_core.analysis.leaderboard import leaderboard_rows as leaderboard

    (tmp_path / noisy.key).mkdir()
    first = ease_reference(noisy, tmp_path)
    assert (tmp_path / noisy.key / ".ease.json").is_file() and (tmp_path / noisy.key / ".ease.npz").is_file()
    monkeypatch.setattr(ease, "fit_reference", lambda *a, **k: pytest.fail("recomputed, not read"))
    assert ease_reference(noisy, tmp_path) == first
    lists = ease_lists(noisy, tmp_path)
    assert lists["top_rows"].shape == (noisy.n_users, ease.KEEP_TOP if noisy.n_items > ease.KEEP_TOP
                                       else noisy.n_items)
    rows, _ = leaderboard(noisy, tmp_path, names=[])
    row = next(r for r in rows if r["model"] == "ease")
    assert row["metrics"] == first["test"] and row["reference"] and f"λ {first['lambda']:g}" in row["note"]
    assert [r["model"] for r in rows][:3] == ["mostpop", "transition", "ease"]
    # a damaged list file is not shown (its checksum is in the JSON)
    npz = tmp_path / noisy.key / ".ease.npz"
    npz.write_bytes(npz.read_bytes()[:-10] + b"0123456789")
    assert ease_lists(noisy, tmp_path) is None


def test_too_large_a_catalogue_is_skipped_with_one_line(noisy, tmp_path, monkeypatch):
    from recall_core.evaluation.references import ease_row

    monkeypatch.setattr(ease, "EASE_MAX_ITEMS", 20)
    (tmp_path / noisy.key).mkdir()
    row = ease_row(noisy, tmp_path)
    assert row["metrics"] == {} and row["skipped"] is True
    assert row["note"].startswith("EASE skipped: 48 items > EASE_MAX_ITEMS 20") and "\n" not in row["note"]
    kept = json.loads((tmp_path / noisy.key / ".ease.json").read_text())
    assert "skipped" in kept["result"]
    with pytest.raises(Exception, match="EASE skipped"):
        ease.fit_reference(split_for(noisy, "valid"), split_for(noisy, "test"))


def test_training_keeps_it_for_the_first_visit(tmp_path):
    from recall_core.data.planted import write_movielens
    from recall_core.training import train_models

    ds = planted_dataset(n_clusters=2, items_per_cluster=6, users_per_cluster=6, history=4, seed=1)
    folder = write_movielens(ds, tmp_path / "data", "ml-100k")
    train_models(str(folder), ["mostpop"], tmp_path / "store")
    from recall_core.data import load_dataset

    key = load_dataset(str(folder)).key
    kept = json.loads((tmp_path / "store" / key / ".ease.json").read_text())
    assert kept["result"]["lambda"] in ease.LAMBDAS


def test_a_failing_ease_never_hides_the_leaderboard(noisy, tmp_path, monkeypatch):
    from recall_core.analysis.leaderboard import leaderboard_rows as leaderboard

    def boom(*a, **k):
        raise np.linalg.LinAlgError("not positive definite")

    monkeypatch.setattr(ease, "fit_reference", boom)
    rows, errors = leaderboard(noisy, tmp_path, names=[])
    row = next(r for r in rows if r["model"] == "ease")
    assert row["metrics"] == {} and row["error"] == "EASE failed: LinAlgError: not positive definite" and not errors


@pytest.mark.parametrize("block", [1, 7, 48, 512])
def test_scores_in_column_blocks_are_the_one_product_bit_for_bit(noisy, monkeypatch, block):
    """ease_scores multiplies by B a block of columns at a time (for the cache): the same floats as one sparse
    product, for any block width (one column, a width that does not divide the catalogue, wider than it), users
    without items included."""
    x = split_for(noisy, "test").train.matrix
    b = ease.ease_weights(ease.gram(x), 50.0)
    rows = x[np.r_[0:x.shape[0], 0]].tolil()
    rows[3, :] = 0  # a user without any item
    rows = rows.tocsr()
    want = np.asarray(rows.astype(np.float32) @ b, np.float32)
    monkeypatch.setattr(ease, "COLUMN_BLOCK", block)
    got = ease.ease_scores(rows, b)
    assert got.dtype == np.float32 and got.shape == want.shape
    assert np.array_equal(got.view(np.uint32), want.view(np.uint32))
    assert np.all(got[3] == 0)
