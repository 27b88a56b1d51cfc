"""Judge: probes, pools, the database, trec_eval scoring (against ir-measures), bootstrap, Bradley–Terry, agreement,
export / import and the `judgments` CLI, on the tiny planted store (tests/app_fixture.py).

Planted truth: movie ``i<row>`` is in cluster ``row // 12`` and user ``u<row>`` in cluster ``row % 4``
(tests/app_fixture.PLANTED). A judge grades 2 when a pooled movie shares the probe's cluster and 0 otherwise, so
the models that learned the clusters must come out ahead of most-popular.
"""
from __future__ import annotations

import io
import json
import math
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recall_core.errors import DataError, StoreError, UnknownIdError, UsageError
from recall_core.judge import exchange, metrics as M, pool, stats as S
from recall_core.judge.db import JudgmentDB
from recall_core.judge.judges import check_judge
from recall_core.judge.probes import Probe, check_probe, make_probes, parse_probe, strata
from recall_core.judge.summary import default_models, load_models, open_db, summarize

ROOT = Path(__file__).resolve().parents[2]
ITEMS_PER_CLUSTER, CLUSTERS = 12, 4


def own_store(src: Path, dst: Path) -> Path:
    """A store of its own for one test: links to every model folder of ``src`` (no judgments in it)."""
    from recall_core.store import link_models

    return link_models(src, dst)


def cluster_of_item(item_id: str) -> int:
    return int(item_id[1:]) // ITEMS_PER_CLUSTER


def cluster_of(probe: Probe) -> int:
    return cluster_of_item(probe.key) if probe.kind == "item" else int(probe.key[1:]) % CLUSTERS


def truth(probe: Probe, item: str) -> int:
    return 2 if cluster_of_item(item) == cluster_of(probe) else 0


@pytest.fixture(scope="module")
def tiny(judge_tiny):
    from recall_core.data import load_dataset

    folder, store = judge_tiny
    return load_dataset(str(folder)), store


@pytest.fixture()
def store(tiny, tmp_path):
    return own_store(tiny[1], tmp_path / "store")


def plant(ds, store: Path, judges=("ann", "bob"), n=6, seed=0, flip=0.2, votes=60):
    """Judge a probe set of ``n`` movies and ``n`` users: ``ann`` grades the truth, ``bob`` flips a share
    ``flip`` of it to 1, each leaves some movies as can't-judge; and ``votes`` A/B votes by ``ann``, won by the
    list with more of the probe's cluster. Returns ``(db, probes, runs)``."""
    db = open_db(ds, store)
    probes = make_probes(ds, 0, n, n)
    db.create_probe_set("default", probes, 0, n, n)
    models, _ = load_models(ds, store, default_models(ds, store))
    runs = pool.runs_for(ds, models, probes, 10)
    rng = np.random.default_rng(seed)
    for j, judge in enumerate(judges):
        rows = []
        for p in probes:
            for it in pool.shown_order(pool.pool_items(ds, runs, p.id), judge, p.id):
                g = truth(p, it)
                if j and rng.random() < flip:
                    g = 1
                if rng.random() < 0.05:
                    g = None
                rows.append(dict(judge=judge, probe=p, item=it, grade=g))
        from recall_core.judge.db import graded_row

        db.add_rows([graded_row(r["judge"], r["probe"], r["item"], r["grade"], probe_set="default",
                                name_source="typed", session=None, fingerprint=ds.fingerprint) for r in rows])
    items = [p for p in probes if p.kind == "item"]
    done: set = set()
    for v in range(votes):
        d = pool.ab_draw("ann", "default", "item", v, items, runs, done)
        if d is None:
            break
        p, a, b = d
        done.add((p.id, frozenset((a, b))))
        score = {m: sum(truth(p, i) for i in runs[m][p.id]) for m in (a, b)}
        pref = "a" if score[a] > score[b] else "b" if score[b] > score[a] else "tie"
        db.add_vote("ann", p, a, models[a].manifest["version"], b, models[b].manifest["version"], pref,
                    probe_set="default")
    return db, probes, runs


# --------------------------------------------------------------------------- probes and names


def test_strata_are_thirds_of_the_interaction_mass():
    # sorted: 60, 30, 20, 10, 5, 5 (total 130); counted before each: 0, 60, 90, 110, 120, 125;
    # stratum = 3 * before // 130 = 0, 1, 2, 2, 2, 2; no interactions: -1
    s = strata(np.array([10, 60, 0, 30, 5, 20, 5]))
    assert s.tolist() == [2, 0, -1, 1, 2, 2, 2]
    # ties keep row order: equal counts, the earlier row is ranked above
    assert strata(np.array([1, 1, 1])).tolist() == [0, 1, 2]
    assert strata(np.array([0, 0])).tolist() == [-1, -1]


def test_probe_sets_are_seeded_stratified_and_shuffled(tiny):
    ds, _ = tiny
    a, b = make_probes(ds, 7, 9, 6), make_probes(ds, 7, 9, 6)
    assert a == b and make_probes(ds, 8, 9, 6) != a
    items = [p for p in a if p.kind == "item"]
    assert len(items) == 9 and len({p.id for p in items}) == 9 and len(a) == 15
    assert sorted(p.stratum for p in items) == ["head"] * 3 + ["tail"] * 3 + ["torso"] * 3
    from recall_core.data.split import split_for

    counts = split_for(ds).train.item_counts
    st = strata(counts)
    assert all(("head", "torso", "tail")[st[ds.item_vocab.index(p.key)]] == p.stratum for p in items)
    # shuffled: not grouped head, torso, tail in that order
    assert [p.stratum for p in items] != sorted((p.stratum for p in items), key=("head", "torso", "tail").index)
    # more than a stratum holds: what there is, then the other strata's leftovers; never a repeat
    many = make_probes(ds, 0, 40, 0)
    assert len({p.id for p in many}) == 40


def test_probe_ids_and_names_are_checked(tiny):
    ds, _ = tiny
    assert parse_probe("item:i5") == ("item", "i5") and check_probe(ds, "user:u3").kind == "user"
    for bad in ("i5", "movie:i5", "item:", ""):
        with pytest.raises(UsageError):
            parse_probe(bad)
    with pytest.raises(UnknownIdError, match="movie 'nosuch' is not in"):
        check_probe(ds, "item:nosuch")
    with pytest.raises(UnknownIdError, match="user 'u9999' is not in"):
        check_probe(ds, "user:u9999")
    assert check_judge("  Ada  ") == "Ada"
    for bad, what in (("", "empty"), ("   ", "empty"), ("x" * 61, "at most 60"), ("a\tb", "control"),
                      ("a\x00b", "control")):
        with pytest.raises(UsageError, match=what):
            check_judge(bad)
    assert check_judge("ada@example.org", "login") == "ada@example.org"  # st.login's e-mail (issue 23)
    with pytest.raises(UsageError, match="name source"):
        check_judge("Ada", "guessed")


# --------------------------------------------------------------------------- pools


def test_a_models_lists_are_the_apps_lists(tiny):
    from recall_core.explore import item_neighbours, user_recommendations

    ds, store = tiny
    models, _ = load_models(ds, store, default_models(ds, store))
    probes = make_probes(ds, 3, 5, 5)
    for name, m in models.items():
        lists = pool.model_lists(ds, m, probes, 7)
        for p in probes:
            if p.kind == "item":
                assert lists[p.id] == item_neighbours(ds, m, p.key, 7)["item_id"].tolist(), (name, p)
                assert p.key not in lists[p.id]
            elif m.output.has_users:
                assert lists[p.id] == user_recommendations(ds, m, p.key, 7)["item_id"].tolist(), (name, p)
            else:
                assert p.id not in lists


def test_pools_are_unions_in_a_per_judge_order(tiny):
    ds, store = tiny
    models, _ = load_models(ds, store, default_models(ds, store))
    probes = make_probes(ds, 0, 4, 4)
    runs = pool.runs_for(ds, models, probes, 10)
    for p in probes:
        items = pool.pool_items(ds, runs, p.id)
        assert set(items) == {i for r in runs.values() for i in r.get(p.id, [])} and len(set(items)) == len(items)
        ann = pool.shown_order(items, "ann", p.id)
        assert sorted(ann) == sorted(items) and ann == pool.shown_order(items, "ann", p.id)
    orders = [pool.shown_order(pool.pool_items(ds, runs, p.id), j, p.id) for p in probes for j in ("ann", "bob")]
    assert any(a != b for a, b in zip(orders[::2], orders[1::2]))  # another judge, another order
    # the order is not any model's ranking
    p = probes[0]
    shown = pool.shown_order(pool.pool_items(ds, runs, p.id), "ann", p.id)
    assert all(shown[:len(r[p.id])] != r[p.id] for r in runs.values() if p.id in r)


def test_ab_draws_are_seeded_and_skip_pairs_already_voted(tiny):
    ds, store = tiny
    models, _ = load_models(ds, store, default_models(ds, store))
    probes = [p for p in make_probes(ds, 0, 3, 0)]
    runs = pool.runs_for(ds, models, probes, 10)
    assert pool.ab_draw("ann", "s", "item", 4, probes, runs) == pool.ab_draw("ann", "s", "item", 4, probes, runs)
    done, seen = set(), []
    while (d := pool.ab_draw("ann", "s", "item", len(seen), probes, runs, done)) is not None:
        p, a, b = d
        assert a != b and runs[a][p.id] != runs[b][p.id]
        key = (p.id, frozenset((a, b)))
        assert key not in done
        done.add(key)
        seen.append((a, b))
    n_pairs = sum(1 for p in probes for i, a in enumerate(sorted(runs)) for b in sorted(runs)[i + 1:]
                  if runs[a][p.id] != runs[b][p.id])
    assert len(done) == n_pairs
    lefts = [a for a, b in seen]
    assert len(set(lefts)) > 1  # left/right is drawn, not alphabetical


# --------------------------------------------------------------------------- scoring: hand examples and the oracle


def test_merge_rule_and_scores_by_hand():
    assert [M.merge_grades(g) for g in ([0, 2], [1, 2], [0, 1], [0, 1, 2, 2], [None, 2], [None], [2, 2, 0])] == \
        [1, 1, 0, 1, 2, None, 2]
    grades = {"a": 2, "b": 1, "c": 0, "z": 2}
    ranked = ["a", "x", "b", "c"]  # x unjudged
    assert M.precision_at(ranked, grades, 10) == pytest.approx(0.2)
    # DCG = 2/1 + 0 + 1/2 + 0 = 2.5; IDCG = 2/1 + 2/log2(3) + 1/2
    assert M.ndcg_at(ranked, grades, 10) == pytest.approx(2.5 / (2 + 2 / math.log2(3) + 0.5))
    assert M.ndcg_at(ranked, {"c": 0}, 10) == 0.0
    assert M.judged_at(ranked, grades, 3) == (2, 3)
    q = M.qrels_from([{"probe": "item:1", "item_id": "a", "grade": 0}, {"probe": "item:1", "item_id": "a", "grade": 2},
                      {"probe": "item:1", "item_id": "b", "grade": None}])
    assert q == {"item:1": {"a": 1}}


@pytest.mark.parametrize("kind", ["item", "user"])
def test_p10_and_ndcg10_equal_ir_measures_on_the_exported_files(tiny, store, tmp_path, kind):
    """The acceptance oracle: trec_eval (through ir-measures) on the qrels and run files the export writes."""
    import ir_measures
    from ir_measures import P, nDCG

    ds, _ = tiny
    db, probes, runs = plant(ds, store)
    s = summarize(ds, store, kind, n_boot=50)
    qpath = tmp_path / "qrels"
    qpath.write_text(exchange.export_qrels(db, kind))
    assert s["n_probes"] == len({ln.split()[0] for ln in qpath.read_text().splitlines()}) == 6
    qrels = list(ir_measures.read_trec_qrels(str(qpath)))
    checked = 0
    for name, m in s["models"].items():
        rpath = tmp_path / f"{name}.run"
        rpath.write_text(exchange.export_run(ds, store, db, name, kind))
        if not rpath.read_text():
            assert m["n_probes"] == 0  # a model without user vectors has no U2I list
            continue
        got = ir_measures.calc_aggregate([P @ 10, nDCG @ 10], qrels, list(ir_measures.read_trec_run(str(rpath))))
        assert m["p@10"] == pytest.approx(got[P @ 10], abs=1e-12), name
        assert m["ndcg@10"] == pytest.approx(got[nDCG @ 10], abs=1e-12), name
        checked += 1
        # coverage from the raw lists and the exported qrels
        q = {}
        for ln in qpath.read_text().splitlines():
            p, _, i, g = ln.split()
            q.setdefault(p, {})[i] = int(g)
        listed = [(p, i) for p in q for i in runs[name].get(p, [])[:10]]
        assert m["coverage@10"] == pytest.approx(sum(i in q[p] for p, i in listed) / len(listed))
    assert checked >= 3
    # human against offline: Kendall's tau recomputed from the numbers shown
    from scipy.stats import kendalltau

    o = s["offline"][0]
    both = [(m["ndcg@10"], m["offline"]["hr@10"]) for m in s["models"].values()
            if m["ndcg@10"] is not None and m["offline"]["hr@10"] is not None]
    assert o["metric"] == "hr@10" and o["n_models"] == len(both) == 4
    assert o["kendall_tau"] == pytest.approx(kendalltau(*zip(*both)).statistic)
    # the planted truth: a model that learned the clusters beats most-popular, decided by the paired bootstrap
    pair = next(p for p in s["pairs"] if {p["a"], p["b"]} == {"mostpop", "item2vec"} and p["metric"] == "ndcg@10")
    assert pair["verdict"] == ("a" if pair["a"] == "item2vec" else "b") and S.winner(pair) == "item2vec"


def test_judgments_survive_retraining_and_a_new_version_is_partly_unjudged(tiny, store):
    from recall_core.models.base import RecallOutput
    from recall_core.store import load_model, save_model

    ds, _ = tiny
    db, probes, _ = plant(ds, store)
    before = summarize(ds, store, "item", n_boot=20)
    assert before["models"]["item2vec"]["coverage@10"] == 1.0
    old = load_model(store, ds.key, "item2vec")
    rng = np.random.default_rng(0)
    out = RecallOutput(item_ids=old.output.item_ids, item_vectors=rng.normal(size=old.output.item_vectors.shape)
                       .astype(np.float32), metric="cosine", item_known=old.output.item_known)
    (store / ds.key / "item2vec").unlink()  # the link to the shared model: retrain into this store only
    save_model(store, ds, "item2vec", out, model_class="item2vec", config={}, seed=1)
    after = summarize(ds, store, "item", n_boot=20)
    assert after["n_judgments"] == before["n_judgments"]  # nothing lost
    assert after["models"]["item2vec"]["coverage@10"] < 1.0
    assert after["models"]["item2vec"]["version"] != before["models"]["item2vec"]["version"]
    assert after["models"]["mostpop"] == before["models"]["mostpop"]


# --------------------------------------------------------------------------- statistics


def test_paired_bootstrap_separates_a_planted_difference_and_not_a_tie():
    rng = np.random.default_rng(0)
    base = rng.uniform(0, 1, 40)
    better = np.clip(base + 0.15 + rng.normal(0, 0.05, 40), 0, 1)
    same = np.clip(base + rng.normal(0, 0.05, 40), 0, 1)
    out = S.paired_bootstrap(np.stack([better, base, same], axis=1), n_boot=2000, seed=1)
    lo, hi = out["pairs"][(0, 1)]["ci"]
    assert lo > 0 and S.verdict([lo, hi]) == "a" and S.verdict([-hi, -lo]) == "b"
    lo, hi = out["pairs"][(1, 2)]["ci"]
    assert lo < 0 < hi and S.verdict([lo, hi]) == "tie"
    # the paired interval is narrower than the spread of either model alone
    assert hi - lo < out["ci"][1][1] - out["ci"][1][0]
    # calibration: a tie's 95% interval contains 0 in about 95% of planted ties
    hits = 0
    for seed in range(200):
        r = np.random.default_rng(100 + seed)
        a = r.uniform(0, 1, 30)
        b = a + r.normal(0, 0.1, 30)
        lo, hi = S.paired_bootstrap(np.stack([a, b], 1), n_boot=500, seed=seed)["pairs"][(0, 1)]["ci"]
        hits += lo <= 0 <= hi
    assert 175 <= hits <= 200, hits
    # missing lists: a pair is compared on the probes both have
    s = np.array([[1.0, 0.0], [np.nan, 1.0], [1.0, 0.0]])
    out = S.paired_bootstrap(s, n_boot=100)
    assert out["n"].tolist() == [2, 3] and out["pairs"][(0, 1)]["diff"] == 1.0 and out["pairs"][(0, 1)]["n"] == 2


def test_bradley_terry_recovers_planted_strengths():
    rng = np.random.default_rng(0)
    strength = {"V": 1.0, "W": 0.5, "X": 0.0, "Y": -0.5, "Z": -1.0}
    names = list(strength)
    votes = []
    for _ in range(3000):
        a, b = rng.choice(names, 2, replace=False)
        p = 1 / (1 + math.exp(-(strength[a] - strength[b])))
        u = rng.random()
        votes.append((a, b, "tie" if abs(u - p) < 0.03 else "a" if u < p else "b"))
    r = S.bradley_terry(votes, n_boot=300)
    assert sorted(r, key=lambda m: -r[m]["rating"]) == names
    for m in names:
        assert r[m]["rating"] == pytest.approx(strength[m], abs=0.15)
        lo, hi = r[m]["ci95"]
        assert lo < r[m]["rating"] < hi and hi - lo < 0.4
    assert sum(v["rating"] for v in r.values()) == pytest.approx(0, abs=1e-6)


def test_bradley_terry_counts_ties_half_by_hand():
    # A beat B 3 times, B beat A once, 2 ties and a both-bad -> wins 3 + 1.5 = 4.5 against 1 + 1.5 = 2.5;
    # the two-model maximum likelihood gives r_A - r_B = log(4.5 / 2.5) (choix's small prior: within 0.01)
    votes = [("A", "B", "a")] * 3 + [("B", "A", "a")] + [("A", "B", "tie")] * 2 + [("B", "A", "both_bad")]
    r = S.bradley_terry(votes, n_boot=50)
    assert r["A"]["rating"] - r["B"]["rating"] == pytest.approx(math.log(4.5 / 2.5), abs=0.01)
    assert S.win_matrix(votes, ["A", "B"]).tolist() == [[0.0, 4.5], [2.5, 0.0]]
    assert S.bradley_terry([]) == {} and S.bradley_terry(votes, models=["A"]) == {}


def test_votes_needed_and_pair_tests():
    assert S.votes_needed(0.6) == 194 and S.votes_needed(0.7) == 47 and S.votes_needed(0.4) == 194
    assert S.votes_needed(0.5) is None
    votes = [("x", "y", "a")] * 15 + [("y", "x", "a")] * 5 + [("x", "y", "tie")] * 3 + [("x", "y", "both_bad")]
    (p,) = S.pair_votes(votes)
    assert (p["a"], p["b"], p["a_wins"], p["b_wins"], p["ties"], p["both_bad"], p["decisive"]) == \
        ("x", "y", 15, 5, 3, 1, 20)
    from scipy.stats import binomtest

    assert p["p_value"] == pytest.approx(binomtest(15, 20).pvalue) and p["separated"]  # 0.041
    (q,) = S.pair_votes(votes[:6] + votes[15:19])  # 6-4
    assert not q["separated"] and q["needed"] == S.votes_needed(0.6) == 194


def test_agreement_matches_hand_computed_examples():
    """Two judges, four units: (0,0), (1,2), (2,2), (0,1).

    Cohen's κ: p_o = 2/4; marginals 0:2,1:1,2:1 and 0:1,1:1,2:2 -> p_e = (2+1+2)/16 = 5/16;
    κ = (1/2 - 5/16) / (1 - 5/16) = 3/11.
    Krippendorff's α (ordinal): value counts n_0 = 3, n_1 = 2, n_2 = 3 (n = 8); coincidences o_01 = o_10 =
    o_12 = o_21 = 1, o_00 = o_22 = 2. δ²(0,1) = ((3+2) - (3+2)/2)² = 6.25, δ²(1,2) = 6.25, δ²(0,2) = (8 - 3)² = 25.
    D_o ∝ 4 × 6.25 = 25; D_e ∝ 2 (6×6.25 + 6×6.25 + 9×25) = 600; α = 1 - (n-1) 25/600 = 17/24.
    """
    from sklearn.metrics import cohen_kappa_score

    rows = [{"judge": j, "probe": "item:1", "item_id": f"m{u}", "grade": g}
            for u, (a, b) in enumerate([(0, 0), (1, 2), (2, 2), (0, 1)]) for j, g in (("ann", a), ("bob", b))]
    rows.append({"judge": "ann", "probe": "item:1", "item_id": "m9", "grade": 2})  # one judge only: not a unit
    rows.append({"judge": "bob", "probe": "item:1", "item_id": "m8", "grade": None})  # can't judge: missing
    rows.append({"judge": "ann", "probe": "item:1", "item_id": "m8", "grade": 1})
    a = S.agreement(rows)
    assert a["n_units"] == 4 and a["n_judges"] == 2
    assert a["cohen_kappa"] == pytest.approx(3 / 11)
    assert a["krippendorff_alpha"] == pytest.approx(17 / 24)
    # scikit-learn's κ (the oracle of our few lines) on random grades
    r = np.random.default_rng(0)
    for _ in range(20):
        x, y = r.integers(0, 3, 30), r.integers(0, 3, 30)
        assert S.cohen_kappa(x, y) == pytest.approx(cohen_kappa_score(x, y))
    # Krippendorff's published example (Computing Krippendorff's Alpha-Reliability, 2011): ordinal 0.815
    nan = np.nan
    data = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan], [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
                     [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan], [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]])
    import krippendorff

    assert krippendorff.alpha(reliability_data=data, level_of_measurement="ordinal") == pytest.approx(0.815, abs=5e-4)
    # one judge, or one grade throughout: nothing to compute
    assert S.agreement(rows[:1])["krippendorff_alpha"] is None
    assert S.cohen_kappa([1, 1], [1, 1]) is None
    # three judges: κ per pair, none for the whole
    three = rows[:8] + [{"judge": "cy", "probe": "item:1", "item_id": "m0", "grade": 0}]
    t = S.agreement(three)
    assert t["cohen_kappa"] is None and len(t["kappa_pairs"]) == 3


def test_kendall_tau():
    assert S.kendall_tau([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert S.kendall_tau([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert S.kendall_tau([1, 2], [1, 2]) is None


# --------------------------------------------------------------------------- the database


def test_rows_are_append_only_and_later_judgments_supersede(tiny, store):
    ds, _ = tiny
    db = open_db(ds, store)
    p = check_probe(ds, "item:i5")
    assert db.create_probe_set("s", [p]) and not db.create_probe_set("s", [])
    ids = [db.add_graded("ann", p, "i6", 0), db.add_graded("ann", p, "i6", 2), db.add_graded("bob", p, "i6", None)]
    assert ids == sorted(ids)
    cur = {r["judge"]: r["grade"] for r in db.current_graded("item")}
    assert cur == {"ann": 2, "bob": None}
    rows = db.rows()
    assert [(r["grade"], r["current"]) for r in rows] == [(0, 0), (2, 1), (None, 1)]
    assert {r["name_source"] for r in rows} == {"typed"} and {r["fingerprint"] for r in rows} == {ds.fingerprint}
    con = sqlite3.connect(db.path)
    for sql in ("UPDATE judgments SET grade = 1", "DELETE FROM judgments", "DELETE FROM probes",
                "UPDATE probe_sets SET seed = 3", "DELETE FROM probe_sets"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            con.execute(sql)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == 1
    con.close()
    # an A/B vote: one per (judge, probe, unordered pair) in force
    db.add_vote("ann", p, "item2vec", "v1", "mostpop", "v2", "a")
    db.add_vote("ann", p, "mostpop", "v2", "item2vec", "v1", "tie")
    db.add_vote("ann", p, "eges", "v3", "mostpop", "v2", "b")
    votes = db.current_votes("item")
    assert sorted((v["model_a"], v["preference"]) for v in votes) == [("eges", "b"), ("mostpop", "tie")]
    with pytest.raises(UsageError):
        db.add_vote("ann", p, "eges", None, "eges", None, "a")
    with pytest.raises(UsageError):
        db.add_graded("ann", p, "i6", 3)
    with pytest.raises(UsageError):
        db.add_graded("", p, "i6", 1)
    assert db.integrity() == "ok"


def test_bad_databases_get_one_clear_message_and_stay_unchanged(tiny, store):
    from recall_core.judge.db import Dataset

    ds, _ = tiny
    db = open_db(ds, store)
    p = check_probe(ds, "item:i5")
    db.add_graded("ann", p, "i6", 1)
    # another dataset
    other = JudgmentDB(db.path, Dataset("other", "0000000000000000", "other data"))
    with pytest.raises(StoreError, match="judgments of another dataset"):
        other.add_graded("ann", p, "i6", 2)
    with pytest.raises(StoreError, match="another dataset"):
        other.current_graded()
    assert [r["grade"] for r in db.current_graded()] == [1]
    # locked: another process holds the write lock longer than the timeout
    con = sqlite3.connect(db.path, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    quick = JudgmentDB(db.path, ds, timeout=0.2)
    with pytest.raises(StoreError, match="locked by another process.*did not happen"):
        quick.add_graded("ann", p, "i7", 2)
    con.execute("ROLLBACK")
    con.close()
    assert len(db.rows()) == 1
    # a newer schema
    con = sqlite3.connect(db.path)
    con.execute("PRAGMA user_version = 99")
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        db.current_graded()
    # damaged: garbage bytes; every read and write says so and the bytes stay as they were
    bad = store / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    damaged = JudgmentDB(bad, ds)
    for op in (lambda: damaged.add_graded("ann", p, "i6", 1), damaged.current_graded, damaged.probe_sets):
        with pytest.raises(StoreError, match="damaged judgments database"):
            op()
    assert bad.read_bytes() == b"this is not a database" * 100
    # nothing there: reads are empty and create nothing
    empty = JudgmentDB(store / "none" / "judgments.sqlite", ds)
    assert empty.current_graded() == [] and empty.stamp() == (0, 0) and not empty.path.exists()


# --------------------------------------------------------------------------- export and import


def test_export_and_import_round_trip(tiny, store, tmp_path):
    ds, _ = tiny
    db, _, _ = plant(ds, store)
    csv_text = exchange.export_csv(db)
    qrels_text = exchange.export_qrels(db)
    assert csv_text.splitlines()[0].split(",") == list(exchange.CSV_COLUMNS)
    # the CSV into an empty store: the same summary; a second import adds nothing
    other = own_store(tiny[1], tmp_path / "other")
    db2 = open_db(ds, other)
    (tmp_path / "all.csv").write_text(csv_text)
    r = exchange.import_file(db2, ds, tmp_path / "all.csv")
    assert r["format"] == "csv" and r["stored"] == r["read"] == len(db.rows())
    assert exchange.import_file(db2, ds, tmp_path / "all.csv")["stored"] == 0
    a, b = summarize(ds, store, "item", n_boot=30), summarize(ds, other, "item", n_boot=30)
    assert a["models"] == b["models"] and a["bradley_terry"] == b["bradley_terry"]
    assert {r["name_source"] for r in db2.rows()} == {"imported"}
    # qrels into an empty store, under a judge: the same qrels come back
    third = own_store(tiny[1], tmp_path / "third")
    db3 = open_db(ds, third)
    (tmp_path / "q.txt").write_text(qrels_text)
    r = exchange.import_file(db3, ds, tmp_path / "q.txt", judge="panel")
    assert r["format"] == "qrels" and r["stored"] == len(qrels_text.splitlines())
    assert exchange.export_qrels(db3) == qrels_text and {x["judge"] for x in db3.rows()} == {"panel"}
    assert exchange.import_file(db3, ds, tmp_path / "q.txt")["stored"] == r["stored"]  # judge "imported"
    assert {x["judge"] for x in db3.rows()} == {"panel", "imported"}
    # a CSV of another dataset is refused on its first row
    (tmp_path / "other.csv").write_text(csv_text.replace(ds.fingerprint, "ffffffffffffffff"))
    with pytest.raises(DataError, match=r"other\.csv, line 2, field fingerprint: judgments of another dataset"):
        exchange.import_file(db3, ds, tmp_path / "other.csv")


BAD_QRELS = [
    ("item:i5 0 i6 2\nitem:i5 0 i7\n", "line 2, field columns"),
    ("item:i5 0 i6 2\nitem:nosuch 0 i7 1\n", "line 2, field probe \\(column 1\\): probe 'item:nosuch': movie"),
    ("item:i5 0 i6 2\nthing:i5 0 i7 1\n", "line 2, field probe \\(column 1\\)"),
    ("\n\nitem:i5 0 i6 2\nuser:u3 0 zz 1\n", "line 4, field movie id \\(column 3\\): movie 'zz' is not in"),
    ("item:i5 0 i6 2\nitem:i5 0 i7 3\n", "line 2, field grade \\(column 4\\): '3' is not 0, 1 or 2"),
    ("item:i5 0 i6 two\n", "line 1, field grade"),
    ("\n   \n", "no judgments in it"),
]


@pytest.mark.parametrize("text,message", BAD_QRELS)
def test_a_bad_qrels_line_is_named_and_nothing_is_imported(tiny, store, tmp_path, text, message):
    ds, _ = tiny
    db = open_db(ds, store)
    db.add_graded("ann", check_probe(ds, "item:i5"), "i6", 1)
    f = tmp_path / "bad.qrels"
    f.write_text(text)
    with pytest.raises(DataError, match=message):
        exchange.import_file(db, ds, f)
    assert len(db.rows()) == 1


def test_a_bad_csv_row_is_named_and_nothing_is_imported(tiny, store, tmp_path):
    ds, _ = tiny
    db, _, _ = plant(ds, store, judges=("ann",), votes=3)
    n = len(db.rows())
    good = exchange.export_csv(db).splitlines()
    header = good[0].split(",")
    col = {c: i for i, c in enumerate(header)}

    def with_cell(line: int, column: str, value: str) -> str:
        rows = [r.split(",") for r in good]
        rows[line - 1][col[column]] = value
        return "\n".join(",".join(r) for r in rows) + "\n"

    graded = next(i for i, r in enumerate(good[1:], start=2) if ",graded," in r)
    ab = next(i for i, r in enumerate(good[1:], start=2) if ",ab," in r)
    cases = [(with_cell(graded, "grade", "5"), f"line {graded}, field grade"),
             (with_cell(graded, "judge", ""), f"line {graded}, field judge"),
             (with_cell(graded, "created", "yesterday"), f"line {graded}, field created"),
             (with_cell(graded, "item_id", "zz"), f"line {graded}, field item_id"),
             (with_cell(graded, "probe_kind", "user"), f"line {graded}, field probe_kind"),
             (with_cell(graded, "mode", "vote"), f"line {graded}, field mode"),
             (with_cell(ab, "preference", "c"), f"line {ab}, field preference"),
             (with_cell(ab, "model_b", ""), f"line {ab}, field model_b"),
             ("judge,probe\nann,item:i5\n", "line 1, field header: missing column"),
             (good[0] + "\n" + good[1] + ",extra\n", "line 2, field columns")]
    for text, message in cases:
        f = tmp_path / "bad.csv"
        f.write_text(text)
        with pytest.raises(DataError, match=message):
            exchange.import_file(db, ds, f)
        assert len(db.rows()) == n, message
    f.write_bytes(b"item:i5 0 i6 2\n\xff\xfe\n")
    with pytest.raises(DataError, match="line 2: not UTF-8"):
        exchange.import_file(db, ds, f)
    with pytest.raises(UsageError, match="--judge names the judge of a qrels file"):
        (tmp_path / "ok.csv").write_text("\n".join(good) + "\n")
        exchange.import_file(db, ds, tmp_path / "ok.csv", judge="x")


# --------------------------------------------------------------------------- the CLI


def cli(*args) -> subprocess.CompletedProcess:
    """The command line in a process of its own (what a user runs)."""
    return subprocess.run([sys.executable, "-m", "recall_core", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def run_main(capsys, *args) -> tuple[int, str, str]:
    """The command line in this process (same parser and error handling as ``python -m recall_core``)."""
    from recall_core.cli import main

    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_summary_export_import(tiny, judge_tiny, store, tmp_path, capsys):
    ds, _ = tiny
    folder = str(judge_tiny[0])
    common = ["--dataset", folder, "--store", str(store)]
    code, out, err = run_main(capsys, "judgments", "summary", "--json", *common)
    assert code == 0, err
    s = json.loads(out)
    assert s["n_judgments"] == 0 and s["agreement"]["krippendorff_alpha"] is None and s["bradley_terry"] is None
    db, _, _ = plant(ds, store)
    r = cli("judgments", "summary", "--json", "--rounds", "200", *common)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert {"kind", "k", "n_judgments", "models", "pairs", "agreement", "bradley_terry"} <= set(s)
    assert s["kind"] == "item" and s["k"] == 10 and s["n_judgments"] == len(db.current_graded("item"))
    m = s["models"]["item2vec"]
    assert {"p@10", "ndcg@10", "coverage@10", "n_probes", "ci95"} <= set(m) and set(m["ci95"]) == {"p@10", "ndcg@10"}
    assert {"a", "b", "metric", "diff", "ci95", "verdict"} <= set(s["pairs"][0])
    assert {p["verdict"] for p in s["pairs"]} <= {"a", "b", "tie"}
    assert {"n_units", "krippendorff_alpha", "cohen_kappa"} <= set(s["agreement"])
    assert s["agreement"]["cohen_kappa"] is not None
    assert {"rating", "ci95"} <= set(next(iter(s["bradley_terry"].values())))
    assert s == summarize(ds, store, "item", n_boot=200)
    code, out, err = run_main(capsys, "judgments", "summary", "--kind", "user", "--models", "item2vec,dssm", *common)
    assert code == 0 and "item2vec" in out and "dssm" in out and "eges" not in out and "Kendall" in out
    code, out, _ = run_main(capsys, "judgments", "export", "--format", "qrels", *common)
    assert code == 0 and out == exchange.export_qrels(db)
    qrels_text = out
    code, out, _ = run_main(capsys, "judgments", "export", "--format", "run", "--model", "eges", "--kind", "item",
                            *common)
    assert code == 0 and out == exchange.export_run(ds, store, db, "eges", "item")
    assert out.splitlines()[0].split()[1] == "Q0" and out.splitlines()[0].split()[-1] == "eges"
    code, out, _ = run_main(capsys, "judgments", "export", "--format", "csv", *common)
    assert code == 0 and out == exchange.export_csv(db)
    (tmp_path / "q").write_text(qrels_text)
    fresh = own_store(tiny[1], tmp_path / "fresh")
    code, out, err = run_main(capsys, "judgments", "import", str(tmp_path / "q"), "--judge", "panel",
                              "--dataset", folder, "--store", str(fresh))
    assert code == 0 and f"stored {len(qrels_text.splitlines())}" in out, err
    # every error: one line, exit 2, nothing stored
    (tmp_path / "bad").write_text("item:i5 0 i6 9\n")
    n = len(db.rows())
    for args, message in [(["import", str(tmp_path / "bad")], "line 1, field grade"),
                          (["import", str(tmp_path / "nope")], "cannot read it"),
                          (["export", "--format", "run"], "needs --model"),
                          (["export", "--format", "qrels", "--model", "eges"], "--model is for --format run"),
                          (["summary", "--models", "nosuch"], "not in the store"),
                          (["summary", "--k", "0"], "--k must be at least 1"),
                          (["summary", "--kind", "both"], "invalid choice"),
                          (["import", str(tmp_path / "q"), "--judge", " "], "judge name is empty")]:
        code, out, err = run_main(capsys, "judgments", *args, *common)
        assert code == 2 and message in err, (args, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert len(db.rows()) == n
    # a damaged file, in a process of its own: one line, no traceback
    (store / ds.key / "judgments.sqlite").write_bytes(b"garbage" * 1000)
    for f in ("judgments.sqlite-wal", "judgments.sqlite-shm"):
        (store / ds.key / f).unlink(missing_ok=True)
    r = cli("judgments", "summary", *common)
    assert r.returncode == 2 and "damaged judgments database" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_probes_needed_by_hand():
    # ((1.95996 + 0.84162) × 0.2 / 0.05)² = (11.2063)² = 125.58 -> 126
    assert S.probes_needed(0.05, 0.2) == 126 and S.probes_needed(-0.05, 0.2) == 126
    assert S.probes_needed(0.1, 0.2) == 32  # a difference twice as large needs a quarter of the probes
    assert S.probes_needed(0.0, 0.2) is None and S.probes_needed(0.1, float("nan")) is None
    out = S.paired_bootstrap(np.array([[1.0, 0.5], [0.8, 0.5], [0.6, 0.5]]), n_boot=10)
    assert out["pairs"][(0, 1)]["sd"] == pytest.approx(np.std([0.5, 0.3, 0.1], ddof=1))


def test_a_linked_store_reads_the_same_models_and_keeps_its_judgments_apart(tiny, store):
    from recall_core.store import judgments_path, list_models, load_model

    ds, src = tiny
    assert list_models(store, ds.key) == list_models(src, ds.key)
    assert (load_model(store, ds.key, "item2vec").output.item_vectors ==
            load_model(src, ds.key, "item2vec").output.item_vectors).all()
    open_db(ds, store).add_graded("ann", check_probe(ds, "item:i5"), "i6", 2)
    assert judgments_path(store, ds.key).exists() and not judgments_path(src, ds.key).exists()
    with pytest.raises(FileExistsError):
        own_store(src, store)
