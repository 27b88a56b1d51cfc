"""The app's view of datasets: the sidebar's choices and labels, downloads with a progress bar, which nouns a
page uses for the data's items and categories (chosen here from the dataset's card, worded by
:mod:`recall_core.app.i18n`), and the Overview's "which columns became side information".

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


def choose_nouns(ds: Dataset) -> bool:
    """Make this run's texts name ``ds``'s things: the noun set of its domain (``movies`` on MovieLens,
    ``items`` elsewhere) with its card's ``item_noun`` / ``category_noun`` over it (one home for the words:
    :mod:`recall_core.app.i18n.glossary` ``NOUNS`` and :func:`recall_core.app.i18n.use_nouns`); kept in the
    session for the next runs. True when the words changed (the navigation titles of this run used the old ones).
    """
    from recall_core.app import i18n

    return i18n.remember_nouns(ds.schema.domain, ds.schema.item_noun, ds.schema.category_noun)


def side_information_lines(ds: Dataset, lang: str) -> list[str]:
    """One markdown line per column that became side information (the Overview), or one saying there is none."""
    from recall_core.app.i18n import text
    from recall_core.app.escape import md_escape

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
