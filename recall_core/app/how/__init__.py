"""The "How it works" page's sections: one module per model class, ``recall_core.app.how.<model class>``.

Each section module has ``render(ctx: HowContext) -> None`` and draws, in
this order: the key formula (:func:`formula`: built from the stored model's
config, with what its symbols stand for), two sentences on the idea, one
live view of the mechanism on the training split, "what to look for" (checked
on the data where possible) and a "How this differs from the tutorial" box.
Config values (window, walk length, market share, ...) come from the stored
manifest, never from the code's defaults. Texts come from
:mod:`recall_core.app.i18n` (``t(key)``, keys ``how.<model>.*``).
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from recall_core.data import Dataset
from recall_core.data.split import Split, TrainData
from recall_core.models.base import RecallOutput


@dataclass
class HowContext:
    """What a section needs.

    ``name``: the store name of the model (``"eges"``, ``"dssm@t0.05"``);
    ``output``: its stored vectors; ``manifest``: its manifest; ``dataset``:
    the loaded dataset; ``train``: the training split the stored model was
    trained on (``split_for(dataset, manifest["split"]).train``); ``lang``:
    ``"en"`` or ``"zh"``; ``key``: the widget-key prefix of the section.
    ``split``: the whole split (held-out items too), for sections that need it;
    ``app``: the page's :class:`recall_core.app.state.Context` (for the shared pickers).
    """

    name: str
    output: RecallOutput
    manifest: dict
    dataset: Dataset
    train: TrainData
    lang: str
    key: str
    split: Split | None = field(default=None, repr=False)
    app: Any = field(default=None, repr=False)  # the page's recall_core.app.state.Context (pickers)

    @property
    def model_class(self) -> str:
        return model_class_of(self.manifest, self.name)


def model_class_of(manifest: dict | None, name: str) -> str:
    """The class name a stored model's section is registered under (``dssm@t0.5`` -> ``dssm``)."""
    return str((manifest or {}).get("model_class") or name.split("@")[0])


#: Model classes with a section, in display order (a missing module says so instead of failing).
SECTIONS = ("item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn")


def section_module(model_class: str) -> ModuleType | None:
    """``recall_core.app.how.<model_class>``, imported on first use; None when there is no such section."""
    if model_class not in SECTIONS:
        return None
    try:
        return importlib.import_module(f"{__name__}.{model_class}")
    except ModuleNotFoundError as e:
        if e.name == f"{__name__}.{model_class}":
            return None
        raise


def section(model_class: str) -> Callable[[HowContext], None] | None:
    """The ``render`` function of a model class's section, or None."""
    mod = section_module(model_class)
    return getattr(mod, "render", None) if mod is not None else None


def render(ctx: HowContext) -> None:
    """Draw the section of ``ctx``'s model class, or an info box when it has none (yet)."""
    import streamlit as st

    from recall_core.app.i18n import t

    fn = section(ctx.model_class)
    if fn is None:
        st.info(t("how.missing", model=ctx.model_class), icon=":material/construction:")
        return
    fn(ctx)


# --------------------------------------------------------------------------- helpers shared by the sections


def pick_item_row(ctx: HowContext, suffix: str = "item", container=None) -> int:
    """The app's one movie picker (:func:`recall_core.app.widgets.pick_item`, most-rated first), kept in the URL;
    returns the movie's row in ``ctx.train``."""
    from recall_core.app import url, widgets
    from recall_core.app.i18n import t

    key = f"{ctx.key}_{suffix}"
    item_id = widgets.pick_item(ctx.app, key, None, container=container)
    url.remember(key)
    return int(ctx.train.item_vocab.index(str(item_id)))


def pick_user_row(ctx: HowContext, suffix: str = "user", container=None) -> int:
    """The app's one user picker (:func:`recall_core.app.widgets.pick_user`), kept in the URL; returns the user's
    row in ``ctx.train``."""
    from recall_core.app import url, widgets
    from recall_core.app.i18n import t

    key = f"{ctx.key}_{suffix}"
    user_id = widgets.pick_user(ctx.app, key, None, container=container)
    url.remember(key)
    return int(ctx.train.user_vocab.index(str(user_id)))


def data_key(ctx: HowContext) -> str:
    """A plain cache key for ``ctx.train``: the dataset's fingerprint and the split's name."""
    return f"{ctx.dataset.fingerprint}:{ctx.manifest.get('split', 'test')}"


def titles(ctx: HowContext, rows) -> list[str]:
    """``Title (year)`` labels of item rows (the dataset's titles as they are)."""
    return [str(x) for x in ctx.dataset.items["title"].to_numpy()[list(map(int, rows))]]


def neighbours(ctx: HowContext, item: int, k: int, view: str):
    """Top-``k`` of one of the model's item views (``similar``/``cooccur``) for item row ``item`` (itself
    excluded): the table of :func:`recall_core.data.item_table`."""
    from recall_core.index import index_for
    from recall_core.data import item_table

    queries, _, _ = ctx.output.view_arrays(view)
    idx = index_for(ctx.output, view, (ctx.name, ctx.manifest.get("created"), ctx.manifest.get("version")))
    item_id = ctx.output.item_ids[item]
    ids, sc = idx.search(queries[item][None, :], k, [[item_id]])
    ok = ids[0] != ""
    return item_table(ctx.dataset, ctx.dataset.item_vocab.indices(ids[0][ok]), sc[0][ok])


def formula(ctx: HowContext) -> None:
    """The key formula, built from the stored model's config (:mod:`recall_core.analysis.formulas`: the terms
    the code trains, never the paper's by default), and below it what its symbols are in this model."""
    import streamlit as st

    from recall_core.analysis.formulas import for_manifest
    from recall_core.app.i18n import text

    f = for_manifest(ctx.manifest, ctx.name)
    for line in f.latex:
        st.latex(line)
    st.caption(" ".join(text(ctx.lang, key, **fields) for key, fields in f.legend))


def idea(key: str, **fmt) -> None:
    """The two sentences on the idea."""
    import streamlit as st

    from recall_core.app.i18n import t

    st.markdown(t(key, **fmt))


def look_for(lines: list[str]) -> None:
    """The "what to look for" list (each line already checked on the data by the caller)."""
    import streamlit as st

    from recall_core.app.i18n import t

    st.markdown(f"**{t('how.look_for')}**\n\n" + "\n".join(f"- {line}" for line in lines))


def differs(lines: list[str], expanded: bool = False, lang: str | None = None) -> None:
    """The "How this differs from the tutorial" box (in ``lang``, default the page's language)."""
    import streamlit as st

    from recall_core.app.i18n import current, text

    with st.expander(text(lang or current(), "how.differs"), expanded=expanded, icon=":material/compare_arrows:"):
        st.markdown("\n".join(f"- {line}" for line in lines))
