"""Sentences that :mod:`recall_core.analysis` returns as numbers, worded in a language of the catalogues.

The analysis modules stay streamlit-free and do not import the app: they return
a verdict code and its numbers (``values``); these functions word them with the
``eges.verdict.*`` keys. In English the wording equals the analysis's own
``text`` (a test checks it), which the command line and the benchmarks print.
"""
from __future__ import annotations

from recall_core.app.i18n import text


def eges_verdict(lang: str, rel: dict) -> str:
    """The verdict of :func:`recall_core.analysis.eges.controlled_analysis` / ``attention_drivers`` in ``lang``."""
    code, v = rel["verdict"], rel.get("values") or {}
    if code == "unrecorded":
        return text(lang, "eges.verdict.unrecorded", raw=v["raw"])
    if code == "insufficient":
        return text(lang, "eges.verdict.insufficient", n_items=v["n_items"])
    exposure = text(lang, "eges.exposure." + rel.get("exposure", "centre_counts"))
    if v.get("collinear"):
        return text(lang, "eges.verdict.collinear", exposure=exposure, rho_xz=v["rho_xz"], raw=v["raw"])
    nums = text(lang, "eges.verdict.nums", exposure=exposure, n_bins=v["n_bins"], partial=v["partial"],
                partial_p=v["partial_p"], within=v["within"], within_p=v["within_p"], raw=v["raw"])
    caveat = text(lang, "eges.verdict.caveat", exposure=exposure, rho_xz=v["rho_xz"]) if v.get("caveat") else ""
    return text(lang, f"eges.verdict.{code}", nums=nums, caveat=caveat, raw=v["raw"], alone=v["alone"],
                exposure=exposure)


def eges_popularity_note(lang: str, rel: dict) -> str:
    """The note on the popularity field (empty when the model has none) in ``lang``."""
    v = rel.get("popularity_values")
    return text(lang, "eges.popularity_note", **v) if v else ""
