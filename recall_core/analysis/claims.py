"""The tutorial's claims, tested on the stored models and the split ("How it works").

Each function computes one claim's evidence from stored vectors, manifests, the
split or the committed ablation file; none trains, none imports streamlit or
TensorFlow. The views (:mod:`recall_core.app.claims`) lay them out and say what
they show, whichever way it comes out.

* :func:`hr_by_popularity`: HR@K per popularity bucket of the test item
  ("side information helps sparse items").
* :func:`load_ablations`, :func:`ablation_table`: the numbers of ``make
  ablations`` (``bench/ablations.json``): EGES against GES, Airbnb's global
  context and market negatives.
* :func:`temperature_table`: HR@10 and coverage@10 of the stored DSSM τ variants.
* :func:`norm_table`, :func:`spearman`, :func:`ip_vs_cosine`: item norm against
  popularity, and the same vectors scored by inner product and by cosine.
* :data:`CHAPTER_TABLE`, :data:`TUTORIAL_SNAPSHOTS`, :func:`tutorial_table`: the
  results table of the chapter this app follows (the default), or one version of the
  tutorial's notebooks, beside this project's; the versions give the range.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.data.split import Split
from recall_core.evaluation.evaluate import evaluate, ranks_and_tops, u2i_scores
from recall_core.models.base import RecallOutput

# --------------------------------------------------------------------------- 1. sparse items

#: training-count buckets of the test item: ``(low, high)`` inclusive, ``None`` = no upper bound
POPULARITY_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 0), (1, 5), (6, 20), (21, 100), (101, None))


def bucket_labels(buckets=POPULARITY_BUCKETS) -> list[str]:
    """``["0", "1–5", ..., ">100"]`` for :data:`POPULARITY_BUCKETS`-style edges."""
    out = []
    for lo, hi in buckets:
        out.append(f">{lo - 1}" if hi is None else (str(lo) if lo == hi else f"{lo}–{hi}"))
    return out


def popularity_bucket(counts: np.ndarray, buckets=POPULARITY_BUCKETS) -> np.ndarray:
    """``(n,)`` int64 bucket index of each training count ``counts`` ``(n,)`` (-1 if no bucket holds it)."""
    counts = np.asarray(counts, np.int64)
    out = np.full(len(counts), -1, np.int64)
    for b, (lo, hi) in enumerate(buckets):
        out[(counts >= lo) & ((counts <= hi) if hi is not None else True)] = b
    return out


def u2i_ranks(output: RecallOutput, split: Split) -> np.ndarray:
    """``(n_test_users,)`` int64: 1-based rank of each test user's held-out item under the model's U2I score.

    The evaluation's protocol (:func:`recall_core.evaluation.evaluate`): full
    catalogue, the user's training items excluded, ties by item row; so
    ``(u2i_ranks(o, s) <= k).mean()`` is the stored HR@k.
    """
    return ranks_and_tops(lambda _s, users: u2i_scores(output, users), split, 1)[0]


def hr_by_bucket(ranks: dict[str, np.ndarray], test_counts: np.ndarray, k: int = 10,
                 buckets=POPULARITY_BUCKETS) -> pd.DataFrame:
    """HR@k per popularity bucket: long table ``bucket, users, model, hits, hr``.

    ``ranks``: ``{model: (n_test_users,) ranks}`` (:func:`u2i_ranks`), all over the
    same test users; ``test_counts`` ``(n_test_users,)``: the training count of
    each user's test item. ``hits`` = users whose test item ranks within ``k``;
    ``hr = hits / users`` (NaN for an empty bucket).
    """
    b = popularity_bucket(test_counts, buckets)
    labels = bucket_labels(buckets)
    rows = []
    for name, r in ranks.items():
        r = np.asarray(r)
        if len(r) != len(b):
            raise ValueError(f"{name}: {len(r)} ranks for {len(b)} test users")
        for i, lab in enumerate(labels):
            sel = b == i
            n, hits = int(sel.sum()), int((r[sel] <= k).sum())
            rows.append({"bucket": lab, "users": n, "model": name, "hits": hits, "hr": hits / n if n else np.nan})
    return pd.DataFrame(rows, columns=["bucket", "users", "model", "hits", "hr"])


def hr_by_popularity(outputs: dict[str, RecallOutput], split: Split, k: int = 10,
                     buckets=POPULARITY_BUCKETS) -> pd.DataFrame:
    """:func:`hr_by_bucket` for stored models (each ranked with :func:`u2i_ranks`) on ``split``."""
    counts = np.asarray(split.train.item_counts)[split.test_items]
    return hr_by_bucket({n: u2i_ranks(o, split) for n, o in outputs.items()}, counts, k, buckets)


# --------------------------------------------------------------------------- 2, 3. ablations

#: the committed ablation file written by ``bench/ablations.py``
ABLATIONS_JSON = Path(__file__).resolve().parents[2] / "bench" / "ablations.json"


def load_ablations(path: Path | str | None = None) -> dict | None:
    """The ablation file (``rows`` x ``variants`` x shape x split -> metrics), or ``None`` if absent or unreadable."""
    p = Path(path) if path else ABLATIONS_JSON
    try:
        data = json.loads(p.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("rows"), list) else None


def ablation_row(data: dict | None, model: str, decision: str) -> dict | None:
    """The row ``(model, decision)`` of the ablation file, or ``None``."""
    for row in (data or {}).get("rows", []):
        if row.get("model") == model and row.get("decision") == decision:
            return row
    return None


def ablation_table(row: dict | None, metrics=("hr@10", "i2i_hr@10"), splits=("test",)) -> pd.DataFrame:
    """One line per variant: ``variant, kept`` then ``<shape> <split> <metric>`` columns (NaN: not measured).

    Only measured numbers appear: a cell the file lacks, or whose training
    failed, is NaN; a metric no variant has is left out.
    """
    if not row:
        return pd.DataFrame(columns=["variant", "kept"])
    recs, cols = [], []
    shapes = sorted({s for v in row["variants"] for s in v.get("cells", {})}, key=lambda s: (s != "ml-100k", s))
    for v in row["variants"]:
        rec = {"variant": v["label"], "kept": v["label"] == row.get("kept")}
        for shape in shapes:
            for split in splits:
                cell = (v.get("cells", {}).get(shape) or {}).get(split) or {}
                for m in metrics:
                    col = f"{shape} {split} {m}"
                    if col not in cols:
                        cols.append(col)
                    rec[col] = cell.get(m, np.nan) if "error" not in cell else np.nan
        recs.append(rec)
    df = pd.DataFrame(recs, columns=["variant", "kept", *cols])
    keep = [c for c in cols if df[c].notna().any()]
    return df[["variant", "kept", *keep]]


def compare_pairs(pairs: dict[str, tuple[float, float]]) -> str | None:
    """``"better"`` if ``a > b`` on every split of ``{split: (a, b)}``, ``"worse"`` if on none, else ``"mixed"``
    (``None`` without pairs): a claim counts as shown only when the validation and test runs agree."""
    if not pairs:
        return None
    wins = {a > b for a, b in pairs.values()}
    return "mixed" if len(wins) > 1 else "better" if wins == {True} else "worse"


# --------------------------------------------------------------------------- 4. temperature


def temperature_table(manifests: dict[str, dict | str], k: int = 10) -> pd.DataFrame:
    """Stored DSSM models by τ: ``model, tau, HR@k, Coverage@k, default`` (from the manifests' metrics), by τ."""
    from recall_core.analysis.dssm import temperature_of_manifest

    recs = []
    for name, man in manifests.items():
        if not isinstance(man, dict) or man.get("model_class") != "dssm":
            continue
        m = man.get("metrics") or {}
        recs.append({"model": name, "tau": temperature_of_manifest(man), f"HR@{k}": m.get(f"hr@{k}"),
                     f"Coverage@{k}": m.get(f"coverage@{k}"), "default": name == "dssm"})
    df = pd.DataFrame(recs, columns=["model", "tau", f"HR@{k}", f"Coverage@{k}", "default"])
    return df.sort_values("tau", na_position="last").reset_index(drop=True)


# --------------------------------------------------------------------------- 5. normalisation


def candidate_norms(output: RecallOutput) -> np.ndarray:
    """``(n_items,)`` float64: L2 norm of each item as users score it (``output.candidates``)."""
    return np.linalg.norm(np.asarray(output.candidates, np.float64), axis=1)


def is_unit(output: RecallOutput, tol: float = 1e-3) -> bool:
    """Are the U2I candidates stored as unit vectors (every known item's norm within ``tol`` of 1)?"""
    n = candidate_norms(output)
    if output.item_known is not None:
        n = n[output.item_known]
    return bool(len(n) and np.all(np.abs(n - 1.0) <= tol))


def norm_table(output: RecallOutput, item_counts: np.ndarray) -> pd.DataFrame:
    """``item_row, count, norm`` for the items the model knows (``item_counts`` ``(n_items,)`` training counts)."""
    norms = candidate_norms(output)
    rows = np.arange(len(norms)) if output.item_known is None else np.flatnonzero(output.item_known)
    return pd.DataFrame({"item_row": rows, "count": np.asarray(item_counts)[rows], "norm": norms[rows]})


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's ρ (average ranks for ties); NaN with fewer than 3 points or a constant input."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    if len(x) < 3:
        return float("nan")
    rx, ry = pd.Series(x).rank().to_numpy(), pd.Series(y).rank().to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def ip_vs_cosine(output: RecallOutput, split: Split, ks=(10,)) -> dict[str, dict[str, float]]:
    """U2I metrics of the same stored vectors scored by inner product and by cosine.

    Returns ``{"ip": metrics, "cosine": metrics}`` (:func:`recall_core.evaluation.evaluate`
    with ``u2i_metric`` set to each; the vectors are not changed).
    """
    return {m: evaluate(dataclasses.replace(output, u2i_metric=m), split, ks) for m in ("ip", "cosine")}


# --------------------------------------------------------------------------- 6. the tutorial's table

#: The tutorial's source (Datawhale fun-rec): the book pages print each model's metrics on ML-1M as
#: ``run_experiment`` output, and every deploy of the book re-ran them, so the numbers differ by version.
TUTORIAL_REPO = "https://github.com/datawhalechina/fun-rec"
TUTORIAL_MODELS = {"item2vec": "item2vec", "eges": "eges", "fm_recall": "fm", "dssm": "dssm",
                   "youtubednn": "youtubednn"}
#: (commit, date, page(s), {tutorial model: (HR@10, NDCG@10)}): read from the ``docs/_sources/chapter_1_retrieval``
#: pages of the commits named, the output cells of ``run_experiment(...)`` / ``load_config(...)``.
TUTORIAL_SNAPSHOTS: tuple[tuple[str, str, str, dict[str, tuple[float, float]]], ...] = (
    ("6ea5678a", "2025-09-07", "2.embedding", {"item2vec": (0.0115, 0.0046), "eges": (0.0118, 0.0055),
                                               "fm_recall": (0.0005, 0.0003), "dssm": (0.1366, 0.0448),
                                               "youtubednn": (0.0088, 0.0034)}),
    ("50ec77dd", "2025-09-08", "2.embedding", {"item2vec": (0.0131, 0.0050), "eges": (0.0179, 0.0081),
                                               "fm_recall": (0.0452, 0.0223), "dssm": (0.0389, 0.0169),
                                               "youtubednn": (0.0414, 0.0145)}),
    ("59302b61", "2025-09-10", "2.embedding", {"item2vec": (0.0098, 0.0035), "eges": (0.0089, 0.0040),
                                               "fm_recall": (0.0002, 0.0000), "dssm": (0.0397, 0.0160),
                                               "youtubednn": (0.0207, 0.0077)}),
    ("da2d35f8", "2025-09-10", "2.embedding", {"item2vec": (0.0131, 0.0050), "eges": (0.0179, 0.0081),
                                               "fm_recall": (0.0012, 0.0004), "dssm": (0.0460, 0.0161),
                                               "youtubednn": (0.0224, 0.0084)}),
    ("9e7a3e37", "2025-09-16", "2.embedding", {"item2vec": (0.0098, 0.0035), "eges": (0.0089, 0.0040),
                                               "fm_recall": (0.0520, 0.0230), "dssm": (0.0397, 0.0171),
                                               "youtubednn": (0.0086, 0.0038)}),
    ("e5a42c78", "2025-09-17", "2.embedding", {"item2vec": (0.0115, 0.0048), "eges": (0.0172, 0.0078),
                                               "fm_recall": (0.0666, 0.0365), "dssm": (0.0401, 0.0158),
                                               "youtubednn": (0.0041, 0.0014)}),
    ("346d3ab1", "2025-09-17", "2.embedding", {"item2vec": (0.0098, 0.0036), "eges": (0.0142, 0.0067),
                                               "fm_recall": (0.0000, 0.0000), "dssm": (0.0455, 0.0179),
                                               "youtubednn": (0.0035, 0.0012)}),
    ("968d8ae2", "2025-10-27", "2.embedding", {"item2vec": (0.0066, 0.0023), "eges": (0.0141, 0.0058),
                                               "fm_recall": (0.0008, 0.0003), "dssm": (0.0142, 0.0054),
                                               "youtubednn": (0.0144, 0.0051)}),
    ("2b418025", "2025-11-03", "2.embedding", {"item2vec": (0.0148, 0.0064), "eges": (0.0169, 0.0102),
                                               "fm_recall": (0.0624, 0.0327), "dssm": (0.0460, 0.0157),
                                               "youtubednn": (0.0099, 0.0038)}),
    ("9551a83d", "2025-11-16", "2.embedding", {"item2vec": (0.0066, 0.0025), "eges": (0.0136, 0.0064),
                                               "fm_recall": (0.0123, 0.0071), "dssm": (0.0161, 0.0083),
                                               "youtubednn": (0.0303, 0.0169)}),
    ("718ffd79", "2026-03-01", "2.embedding", {"item2vec": (0.0115, 0.0047), "eges": (0.0132, 0.0063),
                                               "fm_recall": (0.0536, 0.0200), "dssm": (0.0460, 0.0178),
                                               "youtubednn": (0.0884, 0.0359)}),
    ("613d4f65", "2026-03-04", "2.embedding", {"item2vec": (0.0082, 0.0035), "eges": (0.0210, 0.0116),
                                               "fm_recall": (0.0003, 0.0001), "dssm": (0.0401, 0.0136),
                                               "youtubednn": (0.0132, 0.0057)}),
    ("4e8cef29", "2026-03-09", "2.embedding", {"item2vec": (0.0115, 0.0047), "eges": (0.0252, 0.0110),
                                               "fm_recall": (0.0536, 0.0200), "dssm": (0.0460, 0.0178),
                                               "youtubednn": (0.0263, 0.0128)}),
    ("13509d60", "2026-04-16", "2.i2i, 3.two_tower", {"item2vec": (0.0082, 0.0036), "eges": (0.0189, 0.0097),
                                                      "fm_recall": (0.0467, 0.0240), "dssm": (0.0161, 0.0084),
                                                      "youtubednn": (0.0126, 0.0050)}),
)
#: the snapshot whose ordering the issue describes (FM lowest, DSSM highest at 0.040); the newest is the last
TUTORIAL_ISSUE_SNAPSHOT = "613d4f65"

#: The source that stands for the chapter this app follows (fun-rec, chapter 1 "召回", vector recall) in
#: :func:`tutorial_table`: its own results table, the default row set of the tutorial-table view.
CHAPTER = "chapter"
#: the chapter's six columns, in its order, as this project names the metrics (P@K is precision@K)
CHAPTER_COLUMNS = ("hr@10", "hr@5", "ndcg@10", "ndcg@5", "precision@10", "precision@5")
#: The chapter's results table on ML-1M, one row per tutorial model, in :data:`CHAPTER_COLUMNS` order
#: (HR@10, HR@5, NDCG@10, NDCG@5, P@10, P@5), as the chapter prints it (quoted in issue 19). No single
#: notebook output of the fun-rec history in :data:`TUTORIAL_SNAPSHOTS` holds all five rows: the chapter's
#: table is its own source, and those snapshots are the range the same notebooks moved in.
CHAPTER_TABLE: dict[str, tuple[float, float, float, float, float, float]] = {
    "item2vec": (0.0098, 0.0033, 0.0047, 0.0027, 0.001, 0.0007),
    "eges": (0.0179, 0.0081, 0.0074, 0.0042, 0.0018, 0.0016),
    "fm_recall": (0.001, 0.0, 0.0003, 0.0, 0.0001, 0.0),
    "dssm": (0.0401, 0.007, 0.0137, 0.0037, 0.004, 0.0014),
    "youtubednn": (0.023, 0.0141, 0.0118, 0.0089, 0.0023, 0.0028),
}
#: the tutorial columns of :func:`tutorial_table`, one per chapter column
TUTORIAL_COLUMNS = ("tutorial HR@10", "tutorial HR@5", "tutorial NDCG@10", "tutorial NDCG@5", "tutorial P@10",
                    "tutorial P@5")


def tutorial_source(source: str | None = None) -> dict[str, tuple[float, ...]]:
    """``{tutorial model: six values}`` (:data:`CHAPTER_COLUMNS` order) of ``source``: :data:`CHAPTER` (the
    default) or a commit of :data:`TUTORIAL_SNAPSHOTS` (which recorded HR@10 and NDCG@10 only: the other four
    are NaN)."""
    if source in (None, CHAPTER):
        return dict(CHAPTER_TABLE)
    snaps = {c: m for c, _, _, m in TUTORIAL_SNAPSHOTS}
    if source not in snaps:
        raise KeyError(f"unknown tutorial source {source!r}: {CHAPTER!r} or one of {', '.join(snaps)}")
    nan = float("nan")
    return {tut: (hr, nan, ndcg, nan, nan, nan) for tut, (hr, ndcg) in snaps[source].items()}


def tutorial_table(project: dict[str, dict], snapshot: str | None = None) -> pd.DataFrame:
    """The tutorial's results beside this project's, one line per model.

    ``project``: ``{model: metrics}`` from the store's manifests (``hr@10``,
    ``ndcg@10``; a model not stored gives NaN). ``snapshot``: :data:`CHAPTER`
    (the default: the chapter's own table, all six columns) or a commit of
    :data:`TUTORIAL_SNAPSHOTS` (HR@10 and NDCG@10 only). Columns: ``model``, the six
    :data:`TUTORIAL_COLUMNS` (NaN where the source has no such number), ``tutorial HR@10 min``,
    ``... max`` (over all snapshots: the range the notebooks moved in), ``tutorial rank``,
    ``HR@10``, ``NDCG@10``, ``rank`` (1 = best HR@10).
    """
    snaps = {c: m for c, _, _, m in TUTORIAL_SNAPSHOTS}
    chosen = tutorial_source(snapshot)
    recs = []
    for tut, ours in TUTORIAL_MODELS.items():
        hrs = [m[tut][0] for m in snaps.values() if tut in m]
        pm = project.get(ours) or {}
        recs.append({"model": ours, **dict(zip(TUTORIAL_COLUMNS, chosen[tut])),
                     "tutorial HR@10 min": min(hrs), "tutorial HR@10 max": max(hrs),
                     "HR@10": pm.get("hr@10", np.nan), "NDCG@10": pm.get("ndcg@10", np.nan)})
    df = pd.DataFrame(recs)
    df["tutorial rank"] = df["tutorial HR@10"].rank(ascending=False, method="min").astype(int)
    df["rank"] = df["HR@10"].rank(ascending=False, method="min")
    return df[["model", *TUTORIAL_COLUMNS, "tutorial HR@10 min", "tutorial HR@10 max", "tutorial rank", "HR@10",
               "NDCG@10", "rank"]]


def project_metrics(manifests: dict[str, dict | str]) -> dict[str, dict]:
    """``{model: metrics}`` of the stored models (the manifests' U2I metrics; damaged manifests skipped)."""
    return {n: m.get("metrics") or {} for n, m in manifests.items() if isinstance(m, dict)}


# --------------------------------------------------------------------------- 7. model cards


#: The labels of what training recorded (``card_facts``'s ``counts``).
COUNT_LABELS = ("graph nodes", "graph edges", "sessions", "walks", "booked sessions", "training examples")


def card_facts(manifest: dict) -> dict:
    """What the manifest records beyond the config, for the Overview card.

    ``epoch_loss`` (list of floats or None), ``counts`` (``{label: int}``:
    graph nodes/edges and sessions for EGES, sessions and booked sessions for
    Airbnb, training examples for the towers), ``user_scoring`` (the rule as
    ``info`` records it, or None: the card shows the ``user`` view's sentence anyway).
    """
    info = manifest.get("info") or {}
    loss = info.get("epoch_loss")
    loss = [float(x) for x in loss] if isinstance(loss, list) and loss else None
    counts: dict[str, int] = {}
    graph = info.get("graph") if isinstance(info.get("graph"), dict) else {}
    for key, label in (("nodes", "graph nodes"), ("edges", "graph edges"), ("sessions", "sessions")):
        if graph.get(key) is not None:
            counts[label] = int(graph[key])
    walks = info.get("walks") if isinstance(info.get("walks"), dict) else {}
    if walks.get("n_walks") is not None:
        counts["walks"] = int(walks["n_walks"])
    for key, label in (("sessions", "sessions"), ("booked_sessions", "booked sessions"),
                       ("examples", "training examples")):
        if info.get(key) is not None and not isinstance(info.get(key), (dict, list)):
            counts[label] = int(info[key])
    # the rule as training recorded it; the card already shows every model's "user" view sentence
    scoring = info.get("user_scoring")
    return {"epoch_loss": loss, "counts": counts, "user_scoring": scoring}
