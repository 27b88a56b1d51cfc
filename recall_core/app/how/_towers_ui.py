"""What the FM, DSSM and YouTubeDNN sections share: config from the manifest, cache keys, small widgets."""
from __future__ import annotations

import numpy as np
import streamlit as st

from recall_core.app.how._towers_text import _t
from recall_core.models.base import find_model_class


def config_of(ctx) -> dict:
    """The stored model's config as trained: the manifest's ``config`` over its class's defaults (never
    hard-coded), an ``"auto"`` setting replaced by the value training used (``RecallModel.used_config``)."""
    cls = find_model_class(ctx.manifest.get("model_class") or ctx.name)
    if cls is None:
        return dict(ctx.manifest.get("config") or {})
    return cls.used_config(ctx.manifest.get("config"), ctx.manifest.get("info"))


def cap_text(cfg: dict) -> str:
    """``max_examples_per_user`` for a sentence ("∞" when there is no cap)."""
    cap = cfg.get("max_examples_per_user")
    return "∞" if cap is None else str(cap)


def cache_key(ctx) -> str:
    """A string naming the stored version and the data it was trained on (for ``st.cache_*``)."""
    m = ctx.manifest
    return "|".join(str(x) for x in (ctx.dataset.key, m.get("split", "test"), ctx.name, m.get("version"),
                                     m.get("created")))


def title(ds, row: int) -> str:
    return ds.item_label(int(row))


def pick_user_among(ctx, key: str, rows: np.ndarray | None = None) -> int:
    """A plain selectbox over user ``rows`` of ``ctx.dataset`` (all users by default; raw ids shown, as on every
    page); returns the chosen row. (The URL-kept search picker is :func:`recall_core.app.widgets.pick_user`.)"""
    ids = ctx.dataset.user_vocab.ids
    rows = np.arange(len(ids)) if rows is None else np.asarray(rows)
    choice = st.selectbox(_t(ctx.lang, "pick_user"), rows.tolist(), key=f"{ctx.key}_{key}",
                          format_func=lambda r: str(ids[r]))
    return int(choice)


def checks(ctx, items: list[tuple[bool | None, str]]) -> None:
    """The "what to look for" list: each line marked ✓ (holds on the data), ✗ (does not) or • (a reading)."""
    st.markdown(f"**{_t(ctx.lang, 'look_for')}**")
    mark = {True: "✓", False: "✗", None: "•"}
    st.markdown("\n".join(f"- {mark[ok]} {text}" for ok, text in items))


def differences(ctx, lines: list[str]) -> None:
    """The "How this differs from the tutorial" box (the page's one expander: :func:`recall_core.app.how.differs`)."""
    from recall_core.app.how import differs

    differs(lines, lang=ctx.lang)
