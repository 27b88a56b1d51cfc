"""The results of the judgments: one function for the Results tab and ``judgments summary``.

:func:`summarize` reads the current judgments of one probe kind, builds every selected model's current lists
for the judged probes (so a retrained model's new movies count as unjudged and its coverage drops), and returns::

    {"kind": "item", "k": 10, "n_judgments": N, "n_rows": rows in the file, "n_votes": A/B votes in force,
     "n_judges": J, "n_probes": probes with a merged grade, "n_units": (probe, movie) units with a merged grade,
     "merge_rule": "...", "n_boot": 1000,
     "models": {"<model>": {"p@10": x, "ndcg@10": x, "coverage@10": x, "n_probes": n, "listed": n, "judged": n,
                            "ci95": {"p@10": [lo, hi], "ndcg@10": [lo, hi]}, "version": "v-...",
                            "offline": {"hr@10": x, "i2i hr@10": x}}},
     "pairs": [{"a", "b", "metric": "ndcg@10" | "p@10", "diff": mean(a − b), "ci95": [lo, hi], "n": probes,
                "verdict": "a" | "b" | "tie" (the side ahead: its interval excludes 0), "sd": of the per-probe differences,
                "probes_needed": probes that separate this difference (stats.probes_needed)}],
     "agreement": {"n_units", "n_judges", "krippendorff_alpha", "cohen_kappa", "kappa_pairs"},
     "bradley_terry": {"<model>": {"rating", "ci95", "votes"}},
     "ab_pairs": [{"a", "b", "a_wins", "b_wins", "ties", "both_bad", "decisive", "p_value", "separated", "needed"}],
     "offline": [{"metric": "hr@10", "kendall_tau": x, "n_models": n}, {"metric": "i2i hr@10", ...}],
     "errors": {"<model>": "why it is left out"}}

``null`` (None) wherever there is nothing to compute (agreement with one judge, a model with no list). What each
number means: :mod:`recall_core.judge.metrics` and :mod:`recall_core.judge.stats`.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from recall_core.errors import RecallError, UsageError
from recall_core.judge import metrics as M
from recall_core.judge import stats as S
from recall_core.judge.db import JudgmentDB
from recall_core.judge.pool import runs_for
from recall_core.judge.probes import KINDS, Probe


def open_db(ds, store: Path) -> JudgmentDB:
    """The judgments database of ``ds`` in ``store`` (:func:`recall_core.store.judgments_path`)."""
    from recall_core.store import judgments_path

    return JudgmentDB(judgments_path(store, ds.key), ds)


def default_models(ds, store: Path) -> list[str]:
    """The stored models (test split) without their variants: the sidebar's default choice."""
    from recall_core.store import stored_models

    return [n for n in stored_models(ds, store) if "@" not in n]


def load_models(ds, store: Path, names) -> tuple[dict, dict[str, str]]:
    """``({name: StoredModel}, {name: error})``."""
    from recall_core.store import load_trained

    ok, bad = {}, {}
    for n in names:
        try:
            ok[n] = load_trained(ds, store, n)
        except RecallError as e:
            bad[n] = str(e)
    return ok, bad


def _num(x):
    return None if x is None or (isinstance(x, float) and not math.isfinite(x)) else float(x)


def offline_metrics(model, k: int) -> dict[str, float | None]:
    """The offline numbers set beside the human ones, from the manifest: HR@k (U2I) and I2I HR@k (the I2I models)."""
    return {f"hr@{k}": _num(model.manifest.get("metrics", {}).get(f"hr@{k}")),
            f"i2i hr@{k}": _num(model.manifest.get("i2i_metrics", {}).get(f"hr@{k}"))}


def summarize(ds, store: Path, kind: str = "item", models=None, k: int = 10, n_boot: int = S.N_BOOT,
              seed: int = 0, db: JudgmentDB | None = None, loaded: dict | None = None) -> dict:
    """The summary of ``kind``'s judgments (see the module docstring). ``models``: names (default: every stored
    model but variants); ``loaded``: those models already read (the app's cache), else they are read here."""
    if kind not in KINDS:
        raise UsageError(f"--kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if not isinstance(k, int) or k < 1:
        raise UsageError(f"--k must be a whole number ≥ 1, got {k!r}")
    if n_boot < 1:
        raise UsageError(f"bootstrap rounds must be ≥ 1, got {n_boot}")
    db = db or open_db(ds, store)
    names = list(models) if models else default_models(ds, store)
    if loaded is None:
        loaded, errors = load_models(ds, store, names)
    else:
        errors = {n: "not loaded" for n in names if n not in loaded}
        loaded = {n: loaded[n] for n in names if n in loaded}
    graded = db.current_graded(kind, columns=("judge", "probe", "item_id", "grade"))
    votes = db.current_votes(kind)
    qrels = M.qrels_from(graded)
    probe_ids = sorted(qrels)
    probes = [Probe(p, kind, p.split(":", 1)[1]) for p in probe_ids]
    runs = runs_for(ds, loaded, probes, k)
    names = list(runs)
    sc = M.probe_scores(runs, qrels, probe_ids, k)
    counts = S.resample_counts(len(probe_ids), n_boot, seed)
    boot = {"p": S.paired_bootstrap(sc["p"], counts=counts), "ndcg": S.paired_bootstrap(sc["ndcg"], counts=counts)}
    pk, nk, ck = f"p@{k}", f"ndcg@{k}", f"coverage@{k}"
    out_models = {}
    for j, name in enumerate(names):
        n = int(boot["p"]["n"][j])
        listed, judged = np.nansum(sc["listed"][:, j]), np.nansum(sc["judged"][:, j])
        out_models[name] = {
            pk: _num(boot["p"]["mean"][j]) if n else None, nk: _num(boot["ndcg"]["mean"][j]) if n else None,
            ck: float(judged / listed) if listed else None, "n_probes": n, "listed": int(listed),
            "judged": int(judged), "ci95": {pk: boot["p"]["ci"][j] if n else None,
                                            nk: boot["ndcg"]["ci"][j] if n else None},
            "version": loaded[name].manifest.get("version"), "offline": offline_metrics(loaded[name], k)}
    pairs = []
    for key, metric in (("ndcg", nk), ("p", pk)):
        for (a, b), v in S.named_pairs(names, boot[key]).items():
            ci = v["ci"] if v["n"] else None
            pairs.append({"a": a, "b": b, "metric": metric, "diff": _num(v["diff"]), "ci95": ci, "n": v["n"],
                          "verdict": S.verdict(ci), "sd": _num(v["sd"]),
                          "probes_needed": S.probes_needed(v["diff"], v["sd"]) if v["n"] > 1 else None})
    vote_list = [(r["model_a"], r["model_b"], r["preference"]) for r in votes]
    if models:
        keep = set(names)
        vote_list = [v for v in vote_list if v[0] in keep and v[1] in keep]
    offline = []
    for metric in (f"hr@{k}", f"i2i hr@{k}"):
        both = [(out_models[n][nk], out_models[n]["offline"][metric]) for n in names
                if out_models[n][nk] is not None and out_models[n]["offline"][metric] is not None]
        offline.append({"metric": metric, "n_models": len(both),
                        "kendall_tau": S.kendall_tau([x for x, _ in both], [y for _, y in both])})
    return {
        "kind": kind, "k": k, "n_judgments": len(graded), "n_rows": db.stamp()[0], "n_votes": len(vote_list),
        "n_judges": len({r["judge"] for r in graded}), "n_probes": len(probe_ids),
        "n_units": sum(len(g) for g in qrels.values()), "merge_rule": M.MERGE_RULE, "n_boot": n_boot,
        "models": out_models, "pairs": pairs, "agreement": S.agreement(graded),
        "bradley_terry": S.bradley_terry(vote_list, n_boot=n_boot, seed=seed) or None,
        "ab_pairs": S.pair_votes(vote_list),
        "offline": offline,
        "errors": errors,
    }


def _f(x, nd: int = 3) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


def _ci(ci, nd: int = 3) -> str:
    return "-" if not ci else f"[{ci[0]:.{nd}f}, {ci[1]:.{nd}f}]"


def format_summary(s: dict) -> str:
    """The summary as text tables (the CLI without ``--json``)."""
    k, kind = s["k"], s["kind"]
    pk, nk, ck = f"p@{k}", f"ndcg@{k}", f"coverage@{k}"
    noun = "movie" if kind == "item" else "user"
    lines = [f"{s['n_judgments']:,} graded judgments in force by {s['n_judges']} judge(s) on {s['n_probes']} {noun} "
             f"probe(s) with a merged grade ({s['n_units']:,} (probe, movie) units; {s['n_rows']:,} rows in the "
             f"file, history included); {s['n_votes']:,} A/B votes.",
             f"Merged grade: {s['merge_rule']}. Intervals: 95%, paired bootstrap over probes, {s['n_boot']} rounds.",
             "", f"{'model':<20}{pk:>8}{'95% CI':>18}{nk:>10}{'95% CI':>18}{ck:>13}{'probes':>8}"
             f"{f'hr@{k}':>10}{f'i2i hr@{k}':>12}"]
    for name, m in s["models"].items():
        lines.append(f"{name:<20}{_f(m[pk]):>8}{_ci(m['ci95'][pk]):>18}{_f(m[nk]):>10}{_ci(m['ci95'][nk]):>18}"
                     f"{_f(m[ck]):>13}{m['n_probes']:>8}{_f(m['offline'][f'hr@{k}'], 4):>10}"
                     f"{_f(m['offline'][f'i2i hr@{k}'], 4):>12}")
    pairs = [p for p in s["pairs"] if p["metric"] == nk]
    if pairs:
        lines += ["", f"{nk} differences (a − b; tie when the interval contains 0):"]
        lines += [f"  {p['a']} − {p['b']}: {_f(p['diff'])} {_ci(p['ci95'])} over {p['n']} probes -> {S.winner(p) or '-'}"
                  + (f" (about {p['probes_needed']} probes would separate a difference this size)"
                     if p["verdict"] == "tie" and p["probes_needed"] else "") for p in pairs]
    a = s["agreement"]
    lines += ["", f"Agreement on {a['n_units']} unit(s) graded by two or more of {a['n_judges']} judge(s): "
                  f"Krippendorff's α (ordinal) {_f(a['krippendorff_alpha'])}; Cohen's κ {_f(a['cohen_kappa'])}"
                  + ("".join(f"; κ {p['a']}/{p['b']} {_f(p['kappa'])} (n {p['n']})" for p in a["kappa_pairs"])
                     if len(a["kappa_pairs"]) > 1 else "")]
    for o in s["offline"]:
        lines.append(f"Human {nk} against offline {o['metric']}: Kendall's τ {_f(o['kendall_tau'])} over "
                     f"{o['n_models']} model(s) with both.")
    if s["bradley_terry"]:
        lines += ["", "Bradley–Terry ratings from A/B votes (log-strength; P(i beats j) = 1/(1+exp(r_j − r_i))):"]
        for name, r in sorted(s["bradley_terry"].items(), key=lambda x: -x[1]["rating"]):
            lines.append(f"  {name:<20}{r['rating']:+.3f} {_ci(r['ci95'])}  ({r['votes']} votes)")
        for p in s["ab_pairs"]:
            verdict = (f"separated (p {p['p_value']:.3g})" if p["separated"] else
                       f"too few to separate (p {_f(p['p_value'], 3)}"
                       + (f"; at this split about {p['needed']} decisive votes would be needed)" if p["needed"]
                          else "; an even split)"))
            lines.append(f"  {p['a']} vs {p['b']}: {p['a_wins']}–{p['b_wins']}, {p['ties']} tie(s), "
                         f"{p['both_bad']} both bad: {verdict}")
    for name, msg in s["errors"].items():
        lines.append(f"warning: {name}: {msg}")
    return "\n".join(lines)
