"""ANN indexes against exact search (faiss contrib style: recall thresholds on clustered data), the index
contract (ids, exclusions, valid rows, widths, padding), make_index and auto, index-bench and the serving sidecar."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recall_core.cli import main
from recall_core.errors import UnknownIdError, UsageError
from recall_core.index import AUTO_EXACT_BELOW, AnnIndex, VectorIndex, index_kind, make_index
from recall_core.index.bench import KINDS, SWEEPS, bench_vectors, clustered_vectors

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True, scope="module")
def one_faiss_thread():
    """Builds on one thread: these indexes are small, and on a shared 2-core machine OpenMP's waiting
    threads cost more than the second core gives."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)


def recall_at(found: np.ndarray, truth: np.ndarray, k: int = 10) -> float:
    return float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)]))


@pytest.fixture(scope="module", params=["ip", "cosine"])
def data(request):
    """3,000 clustered vectors of width 16 with permuted string ids, 200 queries, exact answers."""
    items, queries = clustered_vectors(3000, 16, 200, metric=request.param, seed=3)
    ids = np.array([f"item-{i}" for i in np.random.default_rng(0).permutation(3000)])
    exact = VectorIndex(items, ids, request.param)
    return request.param, items, ids, queries, exact


# --------------------------------------------------------------------------- recall against exact


@pytest.mark.parametrize("kind,params,threshold", [("hnsw", {}, 0.97), ("ivf", {"nprobe": 16}, 0.9),
                                                   ("ivfpq", {"nprobe": 16}, 0.4)])
def test_recall_against_exact_on_clustered_vectors(data, kind, params, threshold):
    metric, items, ids, queries, exact = data
    truth, _ = exact.search(queries, 10)
    ann = make_index(items, ids, metric, kind=kind, **params)
    found, scores = ann.search(queries, 10)
    assert found.shape == (200, 10) and scores.dtype == np.float32
    assert recall_at(found, truth) >= threshold
    # a crippled setting finds less: the threshold above measures the index, not an echo of exact search
    if kind == "hnsw":
        ann.set_search_params(efSearch=1)
    else:
        ann.set_search_params(nprobe=1)
    assert recall_at(ann.search(queries, 10)[0], truth) < recall_at(found, truth)


def test_euclidean_hnsw_ranks_by_inner_product(data):
    """euclidean=1: one extra coordinate makes Euclidean distance rank as inner product (plain L2 on these
    vectors finds about 5% of the exact top-10); scores are the inner products themselves."""
    metric, items, ids, queries, exact = data
    truth, _ = exact.search(queries, 10)
    ann = make_index(items, ids, metric, kind="hnsw", euclidean=1, efSearch=256)
    found, scores = ann.search(queries, 10)
    assert recall_at(found, truth) >= 0.97
    rows = np.vectorize(exact.row)(found)
    q = queries / np.linalg.norm(queries, axis=1, keepdims=True) if metric == "cosine" else queries
    ref = np.einsum("qkd,qd->qk", np.stack([[exact.vector(ids[r]) for r in rr] for rr in rows]), q)
    np.testing.assert_allclose(scores, ref, rtol=1e-5, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 0).all()
    np.testing.assert_allclose(ann.vector(ids[5]), exact.vector(ids[5]), rtol=1e-6)  # not the extra coordinate


def test_exhaustive_ivf_is_exact_search(data):
    """IVF probing every list scans every vector: ids, order (ties by row) and scores equal exact search."""
    metric, items, ids, queries, exact = data
    ann = make_index(items, ids, metric, kind="ivf", nlist=20, nprobe=20)
    e_ids, e_sc = exact.search(queries, 25)
    a_ids, a_sc = ann.search(queries, 25)
    assert (a_ids == e_ids).all()  # the row -> string id mapping is right (ids are a permutation)
    np.testing.assert_allclose(a_sc, e_sc, rtol=1e-5, atol=1e-5)


def test_exclusions_and_valid_rows_are_honoured(data):
    metric, items, ids, queries, exact = data
    rng = np.random.default_rng(1)
    valid = rng.random(len(ids)) > 0.2
    top, _ = exact.search(queries, 30)
    # per query a different exclusion list: its exact top-30 (more than k, so the over-fetch must cover it)
    exclude = [list(t) for t in top]
    ref = VectorIndex(items, ids, metric, valid)
    for ann in (make_index(items, ids, metric, kind="hnsw", valid=valid),
                make_index(items, ids, metric, kind="ivf", valid=valid, nlist=20, nprobe=20)):
        got, sc = ann.search(queries, 10, exclude)
        assert (got != "").all(), "over-fetching k + len(exclude) still fills every row"
        invalid = set(ids[~valid])
        for g, ex in zip(got, exclude):
            assert not set(g) & set(ex) and not set(g) & invalid
        if index_kind(ann) == "ivf":  # exhaustive: exactly the exact search's answer
            assert (got == ref.search(queries, 10, exclude)[0]).all()
        assert ann.n_indexed == int(valid.sum())


def test_cosine_indexes_ignore_norms(data):
    _, items, ids, queries, _ = data
    scale = np.random.default_rng(2).uniform(0.1, 10.0, size=(len(items), 1)).astype(np.float32)
    a = make_index(items, ids, "cosine", kind="ivf", nlist=20, nprobe=20).search(queries, 10)[0]
    b = make_index(items * scale, ids, "cosine", kind="ivf", nlist=20, nprobe=20).search(queries, 10)[0]
    assert (a == b).all()
    assert not (items == items * scale).all()  # the caller's array is never normalised in place


# --------------------------------------------------------------------------- the contract


def test_widths_padding_and_unknown_ids():
    items, queries = clustered_vectors(300, 8, 3, seed=0)
    ids = [f"x{i}" for i in range(300)]
    valid = np.zeros(300, bool)
    valid[:5] = True
    ann = make_index(items, ids, "ip", kind="hnsw", valid=valid)
    with pytest.raises(UsageError, match="width 4.*width 8"):
        ann.search(queries[:, :4], 5)
    got, sc = ann.search(queries, 8)
    assert got.shape == (3, 8) and (got[:, 5:] == "").all() and np.isneginf(sc[:, 5:]).all()
    assert (got[:, :5] != "").all()
    assert ann.search(queries, 0)[0].shape == (3, 0)
    with pytest.raises(UnknownIdError):
        ann.row("nope")
    with pytest.raises(UnknownIdError, match="not indexed"):
        ann.vector("x10")
    np.testing.assert_allclose(ann.vector("x1"), items[1], rtol=1e-6)
    nb, _ = ann.neighbours("x1", 3)
    assert "x1" not in nb and set(nb) <= {"x0", "x2", "x3", "x4"}


@pytest.mark.parametrize("kwargs,message", [
    ({"kind": "annoy"}, "index kind must be one of"),
    ({"kind": "hnsw", "efsearch": 10}, "unknown parameter.*efsearch.*known: M, efConstruction, euclidean, reorder, efSearch"),
    ({"kind": "hnsw", "M": 0}, "M must be a positive integer"),
    ({"kind": "hnsw", "efSearch": 1.5}, "efSearch must be a positive integer"),
    ({"kind": "ivf", "nprobe": True}, "nprobe must be a positive integer"),
    ({"kind": "hnsw", "euclidean": 2}, "euclidean must be 0 or 1"),
    ({"kind": "ivf", "nlist": 500}, "nlist=500 is more lists than the 300 vectors"),
    ({"kind": "ivfpq", "m": 3}, "m=3 sub-vectors must divide the width 8"),
    ({"kind": "flat", "efSearch": 10}, "a flat .* takes no parameters"),
    ({"kind": "hnsw", "metric": "l2"}, "metric must be one of"),
])
def test_bad_index_arguments_are_usage_errors(kwargs, message):
    items, _ = clustered_vectors(300, 8, 0, seed=0)
    kwargs = {"metric": "ip", **kwargs}
    with pytest.raises(UsageError, match=message):
        make_index(items, [str(i) for i in range(300)], **kwargs)


def test_search_parameters_only_after_building():
    items, _ = clustered_vectors(300, 8, 0, seed=0)
    ann = make_index(items, [str(i) for i in range(300)], "ip", kind="hnsw")
    with pytest.raises(UsageError, match="M cannot be changed after building"):
        ann.set_search_params(M=8)
    assert ann.set_search_params(efSearch=7).params["efSearch"] == 7
    assert ann.describe() == "hnsw M=32 efConstruction=80 euclidean=0 reorder=0 efSearch=7"


def test_auto_is_exact_below_the_cutoff_and_hnsw_from_it():
    items, queries = clustered_vectors(400, 8, 5, seed=0)
    ids = [str(i) for i in range(400)]
    flat = make_index(items, ids, "ip")  # default auto: 400 vectors is far below the measured cut-off
    assert AUTO_EXACT_BELOW > 400 and isinstance(flat, VectorIndex) and index_kind(flat) == "flat"
    assert (flat.search(queries, 10)[0] == VectorIndex(items, ids, "ip").search(queries, 10)[0]).all()
    assert index_kind(make_index(items, ids, "ip", exact_below=400)) == "hnsw"  # n == cut-off: HNSW
    assert index_kind(make_index(items, ids, "ip", exact_below=401)) == "flat"
    valid = np.arange(400) < 100  # the cut-off counts the vectors indexed, not the ids
    assert index_kind(make_index(items, ids, "ip", valid=valid, exact_below=200)) == "flat"
    hn = make_index(items, ids, "ip", exact_below=10, efSearch=64)
    assert isinstance(hn, AnnIndex) and hn.params["efSearch"] == 64
    with pytest.raises(UsageError, match="unknown parameter"):
        make_index(items, ids, "ip", nprobe=3)  # auto takes HNSW's parameters, checked even when exact wins


def test_faiss_is_imported_only_when_an_ann_index_is_built():
    code = ("import sys\nimport recall_core.index, recall_core.index.bench, recall_core.analysis.serving, "
            "recall_core.explore\nimport numpy as np\nfrom recall_core.index import make_index\n"
            "make_index(np.eye(4, dtype='float32'), list('abcd'), 'ip', kind='flat')\n"
            "print('faiss' in sys.modules)\n"
            "make_index(np.eye(4, dtype='float32'), list('abcd'), 'ip', kind='hnsw')\nprint('faiss' in sys.modules)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["False", "True"]


# --------------------------------------------------------------------------- the generator and the bench


def test_clustered_vectors_are_seeded_clustered_and_have_varying_norms():
    a, qa = clustered_vectors(5000, 16, 50, seed=7)
    b, qb = clustered_vectors(5000, 16, 50, seed=7)
    assert a.dtype == np.float32 and a.shape == (5000, 16) and qa.shape == (50, 16)
    assert (a == b).all() and (qa == qb).all() and not (a == clustered_vectors(5000, 16, 50, seed=8)[0]).all()
    log_norms = np.log(np.linalg.norm(a, axis=1))
    assert 0.25 < log_norms.std() < 0.35  # exp(N(0, 0.3)) norms for inner product
    c, _ = clustered_vectors(5000, 16, 0, metric="cosine", seed=7)
    cn = l2n(c)
    # clustered: a vector's nearest neighbour is far closer than a random vector
    sims = cn[:200] @ cn.T
    np.fill_diagonal(sims[:, :200], -np.inf)
    assert np.median(sims.max(axis=1)) > 0.9 and np.median(cn[:200] @ cn[200:400].T) < 0.5


def l2n(x):
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_bench_vectors_rows():
    items, queries = clustered_vectors(2000, 16, 50, seed=1)
    skipped: dict = {}
    rows = bench_vectors(items, queries, "ip", skipped=skipped)
    assert [r.kind for r in rows] == ["flat"] + [k for k in KINDS[1:] for _ in SWEEPS[k][1]]
    assert [r.params["euclidean"] for r in rows if r.kind.startswith("hnsw")] == [0] * 5 + [1] * 5
    flat = rows[0]
    assert flat.recall == 1.0 and flat.memory_mb == pytest.approx(2000 * 16 * 4 / 1e6)
    by = {(r.kind, r.setting): r for r in rows}
    assert by["hnsw", "efSearch=256"].recall >= 0.97
    assert by["ivf", "nprobe=64"].recall == pytest.approx(1.0)  # 45 lists: probing 64 scans them all
    assert by["ivfpq", "nprobe=16"].memory_mb < by["ivf", "nprobe=16"].memory_mb < by["hnsw", "efSearch=16"].memory_mb
    assert all(0 <= r.recall <= 1 and r.p50_ms <= r.p99_ms for r in rows) and not skipped
    cos = bench_vectors(items, queries, "cosine", kinds=("flat", "hnsw-l2"), skipped=skipped)
    assert [r.kind for r in cos] == ["flat"] and "unit vectors" in skipped["hnsw-l2"]


def test_bench_recall_counts_ties_at_the_boundary_as_found():
    """Duplicated vectors tie: an index returning the other copy of a tied 10th item has not missed it."""
    base, queries = clustered_vectors(400, 8, 20, seed=2)
    items = np.concatenate([base, base])  # row r and row r + 400 tie for every query
    rows = bench_vectors(items, queries, "ip", kinds=("flat", "ivf"), sweeps={"ivf": ("nprobe", (10,))},
                         params={"ivf": {"nlist": 10}})
    assert rows[1].recall == pytest.approx(1.0)


def test_tiny_catalogues_skip_what_cannot_be_trained():
    items, queries = clustered_vectors(60, 8, 10, seed=0)
    skipped: dict = {}
    rows = bench_vectors(items, queries, "ip", skipped=skipped)
    assert {r.kind for r in rows} == set(KINDS)
    items, queries = clustered_vectors(1, 8, 3, seed=0)
    rows = bench_vectors(items, queries, "ip", skipped=skipped)
    assert "ivfpq" in skipped and "cannot train" in skipped["ivfpq"]


# --------------------------------------------------------------------------- index-bench


def test_cli_synthetic_json(capsys):
    assert main(["index-bench", "--synthetic-items", "20000", "--dim", "32", "--json", "--queries", "100"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"]["synthetic_items"] == 20000 and out["source"]["dim"] == 32
    assert out["latency_k"] == 50 and out["recall_k"] == 10 and out["search_threads"] == 1
    kinds = [r["kind"] for r in out["rows"]]
    assert kinds[0] == "flat" and {"hnsw", "hnsw-l2", "ivf", "ivfpq"} <= set(kinds)
    for r in out["rows"]:
        assert {"recall@10", "p50_ms", "p99_ms", "build_s", "memory_mb", "setting"} <= set(r)
    hnsw = {r["setting"]: r for r in out["rows"] if r["kind"] == "hnsw"}
    assert hnsw["efSearch=128"]["recall@10"] >= 0.95 and hnsw["efSearch=128"]["n"] == 20000


def test_cli_synthetic_hnsw_settings_reach_the_index(capsys):
    """--kinds, --hnsw-m, --ef-construction and --ef-search are the rows' kinds and the built index's parameters."""
    assert main(["index-bench", "--synthetic-items", "3000", "--dim", "16", "--json", "--queries", "20",
                 "--kinds", "flat,hnsw", "--hnsw-m", "12", "--ef-construction", "40", "--ef-search", "24,48"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert [(r["kind"], r["setting"]) for r in rows] == [("flat", "exact"), ("hnsw", "efSearch=24"),
                                                         ("hnsw", "efSearch=48")]
    assert all(r["params"]["M"] == 12 and r["params"]["efConstruction"] == 40 for r in rows[1:])


@pytest.mark.parametrize("argv,message", [
    ([], "one of the arguments --model --synthetic-items --crossover is required"),
    (["--model", "x", "--synthetic-items", "10"], "not allowed with argument"),
    (["--synthetic-items", "many"], "--synthetic-items: expected a non-negative whole number"),
    (["--synthetic-items", "0"], "--synthetic-items must be at least 1"),
    (["--synthetic-items", "100", "--dim", "0"], "--dim must be at least 1"),
    (["--synthetic-items", "100", "--queries", "0"], "--queries must be at least 1"),
    (["--synthetic-items", "100", "--seed", "-1"], "--seed must be a non-negative integer"),
    (["--synthetic-items", "1000M"], "this benchmark allows up to 2 GB"),
    (["--model", "item2vec", "--dim", "8"], "--dim and --metric describe synthetic vectors"),
    (["--synthetic-items", "100", "--metric", "l2"], "invalid choice: 'l2'"),
    (["--synthetic-items", "100", "--hnsw-m", "0"], "--hnsw-m must be a positive integer, got '0'"),
    (["--synthetic-items", "100", "--ef-construction", "lots"], "--ef-construction must be a positive integer"),
    (["--synthetic-items", "100", "--ef-search", "64,x"], "--ef-search must be a positive integer, got 'x'"),
    (["--synthetic-items", "100", "--kinds", "hnsw,annoy"], "--kinds: unknown kind(s) annoy"),
    (["--crossover", "--hnsw-m", "48"], "--hnsw-m: only with --synthetic-items"),
])
def test_cli_bad_arguments_are_one_line(capsys, argv, message):
    assert main(["index-bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err


# --------------------------------------------------------------------------- a stored model and its sidecar


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A planted dataset of 960 items and a stored model with clustered item (cosine) and candidate (ip) vectors."""
    from recall_core.data import load_dataset
    from recall_core.data.planted import planted_dataset, write_movielens
    from recall_core.models.base import RecallOutput
    from recall_core.store import save_model

    root = tmp_path_factory.mktemp("serving")
    folder = write_movielens(planted_dataset(n_clusters=8, items_per_cluster=120, users_per_cluster=10, history=8),
                             root / "ml-planted", "ml-100k")
    ds = load_dataset(str(folder))
    items, _ = clustered_vectors(ds.n_items, 16, 0, metric="cosine", seed=4)
    cand, users = clustered_vectors(ds.n_items, 16, ds.n_users, metric="ip", seed=5)
    known = np.ones(ds.n_items, bool)
    known[::50] = False
    out = RecallOutput(item_ids=ds.item_vocab.ids, item_vectors=items, metric="cosine", user_ids=ds.user_vocab.ids,
                       user_vectors=users, candidate_vectors=cand, u2i_metric="ip", item_known=known)
    save_model(root / "store", ds, "toy", out, model_class="item2vec", config={}, seed=0)
    return ds, folder, root / "store"


def test_cli_model_records_the_sidecar(stored, capsys):
    from recall_core.analysis import serving
    from recall_core.store import load_trained as load

    ds, folder, store = stored
    assert main(["index-bench", "--model", "toy", "--dataset", str(folder), "--store", str(store),
                 "--queries", "60"]) == 0
    text = capsys.readouterr().out
    assert "similar: 960 vectors of width 16, cosine" in text and "user: 960 vectors of width 16, ip" in text
    assert "recorded in" in text and "serving.json" in text
    model = load(ds, store, "toy")
    rec = serving.read_serving(model)
    assert rec is not None and set(rec["views"]) == {"similar", "user"}
    assert rec["views"]["user"]["queries"] == 60 and rec["views"]["similar"]["n"] == 960
    assert (Path(model.path) / serving.SIDECAR).exists()
    assert load(ds, store, "toy").manifest == model.manifest  # the manifest itself is never rewritten
    # the sidecar belongs to these vectors: another digest makes it unreadable (measured again by its users)
    path = Path(model.path) / serving.SIDECAR
    saved = path.read_text()
    try:
        data = json.loads(saved)
        data["views"]["user"]["digest"] = "0" * 40
        path.write_text(json.dumps(data))
        assert serving.read_serving(model) is None
        path.write_text("{broken")
        assert serving.read_serving(model) is None
    finally:
        path.write_text(saved)
    assert main(["index-bench", "--model", "nosuch", "--dataset", str(folder), "--store", str(store)]) == 2
    assert "nosuch" in capsys.readouterr().err


def test_one_query_exact_beside_ann(stored):
    from recall_core.analysis import serving
    from recall_core.store import load_trained as load
    from recall_core.explore import user_recommendations

    ds, _, store = stored
    model = load(ds, store, "toy")
    full = serving.build_ann(model, "user", "ivf", nlist=24, nprobe=24)
    ex, an, rec = serving.compare_one(ds, model, "user", "u3", full, 10)
    assert ex["item_id"].tolist() == user_recommendations(ds, model, "u3", 10)["item_id"].tolist()  # the app's list
    assert rec == 1.0 and ex["found"].all() and an["in_exact"].all()
    one = serving.build_ann(model, "user", "ivf", nlist=24, nprobe=1)
    ex1, an1, rec1 = serving.compare_one(ds, model, "user", "u3", one, 10)
    assert (ex1["found"] == ex1["item_id"].isin(set(an1["item_id"]))).all()
    assert rec1 == pytest.approx(ex1["found"].mean()) and rec1 < 1.0  # one list of 24 misses some
    seen = set(user_recommendations(ds, model, "u3", 960)["item_id"])
    assert set(an1["item_id"]) <= seen  # the user's training items are excluded from ANN lists too
    ex2, an2, _ = serving.compare_one(ds, model, "similar", "i7", serving.build_ann(model, "similar", "hnsw"), 5)
    assert "i7" not in set(ex2["item_id"]) | set(an2["item_id"]) and len(an2) == 5


def test_norm_summary(stored):
    from recall_core.analysis import serving
    from recall_core.store import load_trained as load

    ds, _, store = stored
    model = load(ds, store, "toy")
    ip = serving.norm_summary(model, "user")
    assert ip["metric"] == "ip" and not ip["unit"] and ip["spread"] > 1.3 and ip["n"] == int((np.arange(960) % 50 != 0).sum())
    assert "not a distance" in serving.norm_sentence(ip)
    cos = serving.norm_summary(model, "similar")
    assert "normalised copies" in serving.norm_sentence(cos)


# --------------------------------------------------------------------------- the k-means layout (reorder)


def test_reorder_keeps_the_graph_and_the_contract(data):
    """reorder() moves the vectors and links in memory, never what a search finds: the same ids and scores,
    with exclusions and invalid rows, before and after; the rows behind the faiss positions move with them."""
    metric, items, ids, queries, exact = data
    valid = np.random.default_rng(5).random(len(ids)) > 0.1
    exclude = [list(t) for t in exact.search(queries, 7)[0]]
    for extra in ({}, {"euclidean": 1}):
        if extra and metric == "cosine":
            continue
        ann = make_index(items, ids, metric, kind="hnsw", valid=valid, efSearch=64, **extra)
        before = ann.search(queries, 10, exclude)
        rows_before, built = ann._rows.copy(), ann.build_seconds
        assert ann.reorder() is ann and ann.params["reorder"] == 1 and ann.build_seconds > built
        after = ann.search(queries, 10, exclude)
        assert (after[0] == before[0]).all() and (after[0] != "").all()
        np.testing.assert_array_equal(after[1], before[1])
        assert sorted(ann._rows) == sorted(rows_before) and (ann._rows != rows_before).mean() > 0.9
        assert (ann._pos[ann._rows] == np.arange(ann.n_indexed)).all() and (ann._pos[~valid] == -1).all()
        for r in (0, 17, 2999):
            if valid[r]:
                np.testing.assert_allclose(ann.vector(ids[r]), exact.vector(ids[r]), rtol=1e-6)
        assert "reorder=1" in ann.describe()


def test_reorder_puts_neighbours_next_to_each_other():
    """The point of the layout: vectors at neighbouring faiss positions are near each other in space (a
    search's next vector is likely on a page already read), and they were not in insertion order."""
    items, _ = clustered_vectors(8000, 16, 0, metric="cosine", seed=11)
    ids = [f"i{i}" for i in range(8000)]
    ann = make_index(items, ids, "cosine", kind="hnsw")
    stored = ann._index.reconstruct_n(0, 8000)

    def step(x):  # mean distance between the vectors at positions p and p + 1
        return float(np.linalg.norm(np.diff(x, axis=0), axis=1).mean())

    before = step(stored)
    ann.reorder()
    moved = ann._index.reconstruct_n(0, 8000)
    assert step(moved) < 0.6 * before  # measured 0.51 of insertion order's
    np.testing.assert_array_equal(moved, stored[ann._rows])  # position p holds row _rows[p], as the maps say


def test_reorder_as_a_build_parameter_and_its_errors():
    items, queries = clustered_vectors(600, 8, 20, seed=0)
    ids = [str(i) for i in range(600)]
    a = make_index(items, ids, "ip", kind="hnsw", reorder=1)
    assert a.params["reorder"] == 1 and a.describe().startswith("hnsw M=32 efConstruction=80 euclidean=0 reorder=1")
    b = make_index(items, ids, "ip", kind="hnsw")
    assert (a.search(queries, 10)[0] == b.search(queries, 10)[0]).all()
    rows = a._rows.copy()
    assert a.reorder()._rows.tolist() == rows.tolist()  # a second call does nothing
    with pytest.raises(UsageError, match="reorder must be 0 or 1"):
        make_index(items, ids, "ip", kind="hnsw", reorder=2)
    with pytest.raises(UsageError, match="only an HNSW index can be reordered"):
        make_index(items, ids, "ip", kind="ivf").reorder()
    with pytest.raises(UsageError, match="reorder cannot be changed after building"):
        b.set_search_params(reorder=1)
    tiny = make_index(items[:40], ids[:40], "ip", kind="hnsw", reorder=1)  # too few vectors for two centres
    assert tiny.params["reorder"] == 1 and tiny._rows.tolist() == list(range(40))


def test_ties_are_ordered_by_row_in_every_kind():
    """Every item twice (rows r and r + 300 tie for every query): each list is by score, then lower row, as
    in exact search, also when the reordered layout stores the later copy first."""
    base, queries = clustered_vectors(300, 8, 30, seed=6)
    items = np.concatenate([base, base])
    ids = np.array([f"t{i:04d}" for i in range(600)])[np.random.default_rng(2).permutation(600)]
    exact = VectorIndex(items, ids, "ip")
    e_ids, e_sc = exact.search(queries, 12)
    hn = make_index(items, ids, "ip", kind="hnsw", efSearch=600)
    hr = make_index(items, ids, "ip", kind="hnsw", efSearch=600, reorder=1)
    assert (hr._rows[:300] >= 300).any()  # some later copies now sit before their first copy
    for ann in (hn, hr, make_index(items, ids, "ip", kind="ivf", nlist=10, nprobe=10)):
        got, sc = ann.search(queries, 12)
        rows = np.vectorize(exact.row)(got)
        for r, s in zip(rows, sc):
            order = np.lexsort((r, -s.astype(np.float64)))
            assert (order == np.arange(len(r))).all(), (ann.describe(), r, s)
        assert (got == e_ids).all(), ann.describe()  # a small catalogue searched in full: exact search's lists
        np.testing.assert_allclose(sc, e_sc, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- rounds, summary, target


def test_rounds_rebuild_every_index_and_measure_both_layouts(monkeypatch):
    from recall_core.index import bench

    built = []
    real = bench.build_kind

    def counting(kind, *a, **kw):
        built.append((kind, kw.get("reorder")))
        return real(kind, *a, **kw)

    monkeypatch.setattr(bench, "build_kind", counting)
    items, queries = clustered_vectors(1500, 8, 30, seed=1)
    rows = bench_vectors(items, queries, "ip", kinds=("hnsw", "ivf"), sweeps={"hnsw": ("efSearch", (16, 64))},
                         reorders=(0, 1), rounds=3)
    assert built == [("hnsw", 0), ("ivf", None)] * 3  # one build per kind and round; the layout is a post-step
    hn = [r for r in rows if r.kind == "hnsw"]
    assert [(r.round, r.params["reorder"], r.setting) for r in hn] == [
        (k, lay, f"efSearch={v}") for k in range(3) for lay in (0, 1) for v in (16, 64)]
    assert len(rows) == 3 * (4 + 4) and all(r.round == k for k in range(3) for r in rows[k * 8:(k + 1) * 8])
    by = {(r.round, r.params["reorder"], r.setting): r for r in hn}
    for k in range(3):  # the same graph in both layouts: the same recall
        assert by[k, 0, "efSearch=64"].recall == by[k, 1, "efSearch=64"].recall
        assert by[k, 1, "efSearch=64"].build_s >= by[k, 0, "efSearch=64"].build_s
    summary = bench.summarise([r.to_dict() for r in rows])
    assert [(e["kind"], e["params"].get("reorder"), e["setting"], e["rounds"]) for e in summary] == [
        ("hnsw", 0, "efSearch=16", 3), ("hnsw", 0, "efSearch=64", 3), ("hnsw", 1, "efSearch=16", 3),
        ("hnsw", 1, "efSearch=64", 3), ("ivf", None, "nprobe=1", 3), ("ivf", None, "nprobe=4", 3),
        ("ivf", None, "nprobe=16", 3), ("ivf", None, "nprobe=64", 3)]
    with pytest.raises(UsageError, match="reorder values must be 0, 1 or 0,1"):
        bench_vectors(items, queries, "ip", kinds=("hnsw",), reorders=(1, 0))
    with pytest.raises(UsageError, match="rounds must be a positive integer"):
        bench_vectors(items, queries, "ip", kinds=("hnsw",), rounds=0)
    with pytest.raises(UsageError, match="either as reorders or as the reorder build parameter"):
        bench_vectors(items, queries, "ip", kinds=("hnsw",), reorders=(1,), params={"hnsw": {"reorder": 1}})


def test_recall_without_exact_timings_uses_the_same_truth():
    """Without ``flat`` the exact answers come from batched exact search: exhaustive IVF still reads 1.0, one
    list reads less, and an HNSW row reads the same recall with or without ``flat`` beside it."""
    items, queries = clustered_vectors(2000, 16, 60, seed=4)
    rows = bench_vectors(items, queries, "ip", kinds=("ivf",), sweeps={"ivf": ("nprobe", (1, 20))},
                         params={"ivf": {"nlist": 20}})
    assert rows[1].recall == 1.0 and rows[0].recall < 0.9
    a = bench_vectors(items, queries, "ip", kinds=("hnsw",), sweeps={"hnsw": ("efSearch", (8,))})
    b = bench_vectors(items, queries, "ip", kinds=("flat", "hnsw"), sweeps={"hnsw": ("efSearch", (8,))})
    assert a[0].recall == b[1].recall < 1.0


def _entry(kind, setting, recalls, p99s, builds=(60.0,)):
    from recall_core.index.bench import summarise

    rows = [{"kind": kind, "setting": setting, "params": {"M": 48, "efSearch": int(setting.split("=")[1])},
             "recall@10": r, "p50_ms": p / 2, "p99_ms": p, "build_s": builds[i % len(builds)], "memory_mb": 1.0}
            for i, (r, p) in enumerate(zip(recalls, p99s))]
    return summarise(rows)[0]


def test_summary_is_the_median_and_range_over_rounds():
    e = _entry("hnsw", "efSearch=96", [0.991, 0.993, 0.992, 0.990], [0.30, 0.50, 0.10, 0.20], builds=(100, 130))
    assert e["rounds"] == 4 and e["p99_ms"] == {"median": 0.25, "min": 0.1, "max": 0.5}  # even count: mean of two
    assert e["recall@10"] == {"median": 0.9915, "min": 0.99, "max": 0.993}
    assert e["p50_ms"]["median"] == 0.125 and e["build_s"] == {"median": 115.0, "min": 100.0, "max": 130.0}


def test_serving_target_wants_the_recall_in_every_round_and_reports_the_margin():
    from recall_core.index.bench import serving_target, target_sentence

    fast_but_short = _entry("hnsw", "efSearch=64", [0.995, 0.989, 0.995], [0.10, 0.10, 0.10])
    chosen = _entry("hnsw", "efSearch=96", [0.991, 0.992, 0.993], [0.30, 0.25, 0.45])
    slower = _entry("hnsw", "efSearch=128", [0.995, 0.995, 0.995], [0.35, 0.35, 0.35])
    t = serving_target([fast_but_short, chosen, slower])
    assert t["chosen"] is chosen and t["limit_ms"] == 0.4
    assert t["met_median"] and not t["met"] and t["within_budget"]  # the slowest round (0.45 ms) is over 0.4
    assert t["margin_median"] == 0.4 and t["margin_worst"] == pytest.approx(0.1) and t["build_ok"]
    text = target_sentence(t)
    assert "met on the median, not in every round" in text and "efSearch=96" in text and "40% of the 0.5 ms" in text
    calm = _entry("hnsw", "efSearch=96", [0.991] * 5, [0.25, 0.26, 0.27, 0.3, 0.31], builds=(150,))
    t = serving_target([calm])
    assert t["met"] and not t["build_ok"] and "met in every round" in target_sentence(t)
    assert "over 120 s" in target_sentence(t)
    t = serving_target([fast_but_short])
    assert t["chosen"] is None and not t["met"] and "not met" in target_sentence(t)


def test_cli_rounds_and_layouts(capsys):
    argv = ["index-bench", "--synthetic-items", "2500", "--dim", "16", "--queries", "40", "--kinds", "hnsw",
            "--ef-search", "32", "--reorder", "0,1", "--rounds", "2"]
    assert main(argv + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rounds"] == 2 and [(r["round"], r["params"]["reorder"]) for r in out["rows"]] == [
        (0, 0), (0, 1), (1, 0), (1, 1)]
    assert [e["rounds"] for e in out["summary"]] == [2, 2] and "chosen" in out["target"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "2 rounds, each rebuilding every index" in text and "target recall@10 >= 0.99 in every round" in text


@pytest.mark.parametrize("argv,message", [
    (["--synthetic-items", "100", "--reorder", "2"], "--reorder must be 0, 1 or 0,1, got '2'"),
    (["--synthetic-items", "100", "--reorder", "1,0"], "--reorder must be 0, 1 or 0,1, got '1,0'"),
    (["--synthetic-items", "100", "--rounds", "0"], "--rounds must be a positive integer, got '0'"),
    (["--crossover", "--rounds", "5"], "--rounds: only with --synthetic-items"),
    (["--model", "x", "--reorder", "1"], "--reorder: only with --synthetic-items"),
])
def test_cli_bad_round_and_layout_arguments_are_one_line(capsys, argv, message):
    assert main(["index-bench", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err, err
