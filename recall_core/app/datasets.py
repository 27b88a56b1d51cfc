"""The app's view of datasets: the sidebar's choices and labels, downloads with a progress bar, the words a
page uses for the data's items and categories, and the Overview's "which columns became side information".

Texts come from :mod:`recall_core.app.i18n` (keys ``dataset.*``). Nothing here imports TensorFlow.
"""
from __future__ import annotations

from pathlib import Path

from recall_core.data import Dataset
from recall_core.data.dataset import DEFAULT_DATASET, NAMED_DATASETS, list_datasets
from recall_core.data.fetch import MOVIELENS, is_installed


def choices(default: str) -> list[str]:
    """The sidebar's dataset options: ``default`` (``$RECALL_DATASET`` or ml-100k), every MovieLens name, then the
    other datasets in the data cache (by path)."""
    cached = [r["name"] for r in list_datasets() if r["kind"] == "cached"]
    return list(dict.fromkeys([default, DEFAULT_DATASET, *NAMED_DATASETS, *cached]))


def label(name: str, lang: str) -> str:
    """``ml-1m · downloaded`` / ``ml-1m · download on first use`` / ``my-log · folder`` (in ``lang``)."""
    from recall_core.app.i18n import text

    if name == DEFAULT_DATASET:
        return text(lang, "dataset.label.ml100k", name=name)
    if name in MOVIELENS:
        key = "dataset.label.downloaded" if is_installed(name) else "dataset.label.download"
        return text(lang, key, name=name)
    return text(lang, "dataset.label.folder", name=Path(name).name or name)


def needs_download(name: str) -> bool:
    """True for a MovieLens name that is not in the data cache yet."""
    return name in MOVIELENS and not is_installed(name)


def download(name: str, lang: str) -> None:
    """Download and install ``name`` with a progress bar (raises :class:`~recall_core.errors.DataError`, one line)."""
    import streamlit as st

    from recall_core.app.i18n import text
    from recall_core.data.fetch import fetch_movielens

    bar = st.progress(0.0, text=text(lang, "dataset.download_start", name=name))

    def progress(fraction: float, message: str) -> None:  # fetch's messages are English: the bar says its own
        f = min(max(float(fraction), 0.0), 1.0)
        key = "dataset.download_unpack" if message.endswith("unpacking") else "dataset.download_progress"
        bar.progress(f, text=text(lang, key, name=name, pct=100 * f))

    fetch_movielens(name, progress=progress)
    bar.progress(1.0, text=text(lang, "dataset.download_done", name=name))


def nouns(ds: Dataset, lang: str) -> dict[str, str]:
    """The words a page uses for this dataset's things: ``{"item", "items", "category", "categories"}``.

    A card's ``item_noun`` / ``category_noun`` win (plural: the noun with an ``s`` in English, the noun
    itself in Chinese); otherwise the catalogue's words for the dataset's domain (``movies``: movie, genre;
    ``items``: item, category). For the pages' "item and category where the data is not movies".
    """
    from recall_core.app.i18n import text

    domain = ds.schema.domain
    out = {k: text(lang, f"dataset.noun.{domain}.{k}") for k in ("item", "items", "category", "categories")}
    for key, plural, own in (("item", "items", ds.schema.item_noun), ("category", "categories", ds.schema.category_noun)):
        if own:
            out[key] = own
            out[plural] = own if lang == "zh" else _plural(own)
    return out


def _plural(noun: str) -> str:
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def side_information_lines(ds: Dataset, lang: str) -> list[str]:
    """One markdown line per column that became side information (the Overview), or one saying there is none."""
    from recall_core.app.i18n import text
    from recall_core.app.widgets import md_escape

    lines = []
    for e in ds.schema.side_information():
        what = e["what"]
        if what == "categories":
            n = len(ds.genres)
        elif what == "year":
            n = int(ds.items["year"].notna().sum())
        elif what == "item_field":
            n = int(ds.items[e["name"]].nunique())
        else:
            n = int(ds.users[e["name"]].nunique()) if e["name"] in ds.users.columns else 0
        lines.append(text(lang, f"dataset.side.{what}", name=md_escape(e["name"]), source=md_escape(e["source"]), n=n))
    return lines or [text(lang, "dataset.side.none")]
