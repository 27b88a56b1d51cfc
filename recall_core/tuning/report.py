"""How each leaderboard row was set, and whether the models shown had the same budget.

Read from the stored manifests (``tuned``: :mod:`recall_core.tuning.study`); no Optuna, no streamlit. The app
words these with its i18n texts, the CLI in English (:func:`label`).
"""
from __future__ import annotations

REFERENCES = ("mostpop", "transition", "ease")


def setting_of(name: str, manifest: dict | str | None) -> dict:
    """``{"kind": "reference" | "variant" | "defaults" | "tuned", ...}`` for a leaderboard row.

    ``tuned`` adds ``trials`` (counted), ``minutes`` (trial time), ``budget`` (``{"trials", "minutes"}``) and
    ``chosen`` (``"tuned"``, or ``"defaults"`` when the default setting stayed best on validation).
    """
    if name in REFERENCES or (isinstance(manifest, dict) and manifest.get("model_class") in REFERENCES[1:]):
        return {"kind": "reference"}
    if "@" in name:
        return {"kind": "variant"}
    tuned = manifest.get("tuned") if isinstance(manifest, dict) else None
    if not tuned:
        return {"kind": "defaults"}
    return {"kind": "tuned", "trials": tuned.get("trials"), "minutes": tuned.get("minutes"),
            "budget": tuned.get("budget") or {}, "chosen": tuned.get("chosen", "tuned")}


def budget_key(setting: dict) -> str:
    """What two rows must share to have had the same chance: ``"defaults"`` or ``"20 trials"`` /
    ``"20 trials or 10 min"`` (the budget asked for, not the time it took)."""
    if setting["kind"] != "tuned":
        return setting["kind"]
    b = setting["budget"]
    return f"{b.get('trials')} trials" + (f" or {b['minutes']:g} min" if b.get("minutes") else "")


def unequal_budgets(names: list[str], manifests: dict) -> dict[str, list[str]] | None:
    """``{budget: [models]}`` when the embedding models among ``names`` (references and sweep variants left out)
    had different budgets, else ``None``."""
    groups: dict[str, list[str]] = {}
    for n in names:
        s = setting_of(n, manifests.get(n))
        if s["kind"] in ("reference", "variant"):
            continue
        groups.setdefault(budget_key(s), []).append(n)
    return groups if len(groups) > 1 else None


def label(setting: dict) -> str:
    """English: ``defaults``, ``tuned (20 trials, 12 min)``, ``reference``, ``variant``."""
    if setting["kind"] != "tuned":
        return setting["kind"]
    text = f"tuned ({setting['trials']} trials, {setting['minutes']:.0f} min)"
    return text + (", defaults kept" if setting.get("chosen") == "defaults" else "")


__all__ = ["REFERENCES", "budget_key", "label", "setting_of", "unequal_budgets"]
