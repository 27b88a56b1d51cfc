"""DSSM temperature: the softmax of one user's candidates at any τ, and the stored τ variants."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from recall_core.data import Dataset
from recall_core.data.split import split_for
from recall_core.errors import UnknownIdError
from recall_core.data import item_table
from recall_core.models.base import l2_normalize
from recall_core.store import StoredModel


def temperature_of(model: StoredModel) -> float | None:
    """The τ a DSSM was trained with (info, then config)."""
    for src in (model.manifest.get("info", {}), model.manifest.get("config", {})):
        t = src.get("temperature") if isinstance(src, dict) else None
        if t is not None:
            return float(t)
    return None


def softmax_top_n(ds: Dataset, model: StoredModel, user: str, n: int, tau: float) -> tuple[pd.DataFrame, dict]:
    """The user's top-``n`` unseen items by cosine and their softmax probabilities at temperature ``tau``.

    ``p_i = exp(cos_i / τ) / Σ_j exp(cos_j / τ)`` over the ``n`` candidates.
    Returns the table (rank, title, ..., ``cosine``, ``probability``) and
    ``{"entropy": bits, "max_entropy": log2 n, "perplexity": 2**entropy,
    "top1": p_1, "mass_in_catalogue": share of the full-catalogue softmax
    (over all unseen items) held by these n}``.
    """
    if tau <= 0:
        raise ValueError(f"temperature must be > 0, got {tau}")
    out = model.output
    if not out.has_users:
        raise UnknownIdError(f"model {model.name!r} has no user vectors")
    u = ds.user_vocab.index(str(user))
    uv = l2_normalize(out.user_vectors[[out.user_row(str(user))]])[0]
    cos = (l2_normalize(out.candidates) @ uv).astype(np.float64)
    valid = np.ones(len(cos), bool) if out.item_known is None else out.item_known.copy()
    valid[split_for(ds).train.history(u)] = False
    cand = np.flatnonzero(valid)
    order = cand[np.argsort(-cos[cand], kind="stable")]
    top = order[:n]
    logits = cos[top] / tau
    p = np.exp(logits - logits.max())
    p /= p.sum()
    all_logits = cos[cand] / tau
    z_all = np.exp(all_logits - logits.max()).sum()
    mass = float(np.exp(logits - logits.max()).sum() / z_all)
    ent = float(-(p * np.log2(np.where(p > 0, p, 1.0))).sum())
    table = item_table(ds, top, cos[top]).rename(columns={"score": "cosine"})
    table["probability"] = p
    stats = {"entropy": ent, "max_entropy": math.log2(len(top)) if len(top) else 0.0, "perplexity": 2.0 ** ent,
             "top1": float(p[0]) if len(p) else float("nan"), "mass_in_catalogue": mass, "n": int(len(top))}
    return table, stats


def temperature_of_manifest(manifest: dict) -> float | None:
    """The τ recorded in a DSSM manifest (``info``, then ``config``), or ``None``."""
    for src in (manifest.get("info", {}), manifest.get("config", {})):
        if isinstance(src, dict) and src.get("temperature") is not None:
            return float(src["temperature"])
    return None


def dssm_variants(rows: list[dict], manifests: dict[str, dict | str], k: int = 10) -> pd.DataFrame:
    """Stored DSSM models (default and τ variants): ``model, tau, HR@k, NDCG@k, Coverage@k, default`` sorted by τ."""
    recs = []
    for r in rows:
        if r.get("model_class") != "dssm":
            continue
        man = manifests.get(r["model"])
        if not isinstance(man, dict):
            continue
        recs.append({"model": r["model"], "tau": temperature_of_manifest(man), f"HR@{k}": r["metrics"].get(f"hr@{k}"),
                     f"NDCG@{k}": r["metrics"].get(f"ndcg@{k}"), f"Coverage@{k}": r["metrics"].get(f"coverage@{k}"),
                     "default": r["model"] == "dssm"})
    df = pd.DataFrame(recs, columns=["model", "tau", f"HR@{k}", f"NDCG@{k}", f"Coverage@{k}", "default"])
    return df.sort_values("tau", na_position="last").reset_index(drop=True)


def training_kind(manifest: dict | str | None) -> str:
    """How the stored default DSSM was trained, read from its manifest: ``"in_batch_logq"``, ``"in_batch"``,
    ``"full"`` or ``"unknown"`` (the app words each in the chosen language)."""
    info = manifest.get("info", {}) if isinstance(manifest, dict) else {}
    cfg = manifest.get("config", {}) if isinstance(manifest, dict) else {}
    softmax = info.get("softmax", cfg.get("softmax"))
    if softmax == "in_batch":
        return "in_batch_logq" if info.get("logq_correction", cfg.get("logq_correction")) else "in_batch"
    return "full" if softmax == "full" else "unknown"


def training_sentence(manifest: dict | str | None) -> str:
    """One true sentence on how the stored default DSSM was trained (its loss, read from the manifest)."""
    kind = training_kind(manifest)
    if kind == "in_batch_logq":
        return ("DSSM scores a user-movie pair by cosine / τ. The stored model was trained with an in-batch softmax: "
                "each user's next movie against the other movies of the same batch, with the logQ correction, which "
                "subtracts log(sampling probability) from each logit. Popular movies turn up as in-batch negatives "
                "more often; without the correction they would be pushed down for being popular.")
    if kind == "in_batch":
        return ("DSSM scores a user-movie pair by cosine / τ. The stored model was trained with an in-batch softmax "
                "(the other movies of the batch are the negatives) without the logQ correction.")
    if kind == "full":
        return ("DSSM scores a user-movie pair by cosine / τ. The stored model was trained with a full softmax over "
                "every movie of the catalogue.")
    return "DSSM scores a user-movie pair by cosine / τ and is trained with a softmax."

