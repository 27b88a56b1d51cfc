"""Widgets and layout pieces shared by pages: pickers, model headers, score columns, tables, error boxes."""
from __future__ import annotations

import re

import streamlit as st

from recall_core.app import url
from recall_core.app.state import Context

def show_errors(errors: dict[str, str]) -> None:
    """One error box per model that could not be used."""
    for name, msg in errors.items():
        st.error(f"**{name}**: {msg}", icon="⚠️")




def model_header(name: str, note: str = "") -> None:
    """A model's name with its fixed colour (the same swatch on every page)."""
    from recall_core.app.style import model_color

    st.markdown(f"<span style='color:{model_color(name)};font-size:1.25em'>■</span> **{name}**{note}",
                unsafe_allow_html=True)


def score_column(label: str, scores) -> "st.column_config.Column":
    """Scores as a bar scaled to the table's range, value printed with 3 decimals."""
    import numpy as np

    s = np.asarray(scores, dtype=float)
    s = s[np.isfinite(s)]
    lo = float(min(0.0, s.min())) if len(s) else 0.0
    hi = float(s.max()) if len(s) and s.max() > lo else lo + 1.0
    return st.column_config.ProgressColumn(label, min_value=lo, max_value=hi, format="%.3f", width="small")


ITEM_COLUMNS = {
    "rank": st.column_config.NumberColumn("#", width=40, format="%d"),
    "#": st.column_config.NumberColumn("#", width=40, format="%d"),
    "item_id": None,  # hidden: titles are what people read (the CSV keeps the ids)
    "title": st.column_config.TextColumn("Title", width="medium"),
    "year": st.column_config.NumberColumn("Year", format="%d", width=55),
    "genres": st.column_config.TextColumn("Genres", width="small"),
}


def md_escape(text: str) -> str:
    """``text`` shown literally in markdown: titles from user files never become links, emphasis or HTML."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:])", r"\\\1", str(text))


def item_header(ds, item: str) -> None:
    """``**Title (year)** · genres · n training interactions`` (the title and genres escaped)."""
    from recall_core.analysis.catalogue import item_summary

    s = item_summary(ds, item)
    st.markdown(f"**{md_escape(s['label'])}** · {md_escape(s['genres'])} · {s['interactions']} training interactions")


def pick_item(ctx: Context, key: str, param: str | None, label: str = "Movie (type part of a title)",
              container=None) -> str:
    """A searchable movie picker (most-rated first; title, year and genres in the label)."""
    ids, labels = ctx.items()
    url.seed_state(key, param, ids[0], valid=lambda v: v in labels,
                   expected=f"a movie id of {ctx.ds.name}", label=lambda v: labels.get(v, str(v)))
    return (container or st).selectbox(label, ids, format_func=labels.__getitem__, key=key)


def pick_user(ctx: Context, key: str, param: str | None, label: str = "User", container=None) -> str:
    """A user picker (type an id; demographics and number of ratings in the label)."""
    ids, labels = ctx.users()
    url.seed_state(key, param, ids[0], valid=lambda v: v in labels,
                   expected=f"a user id of {ctx.ds.name}", label=lambda v: labels.get(v, str(v)))
    return (container or st).selectbox(label, ids, format_func=labels.__getitem__, key=key)


def table(data, key: str, **kwargs) -> None:
    """``st.dataframe`` inside a keyed container (so tests and CSS can find the table by ``key``)."""
    with st.container(key=key):
        st.dataframe(data, **kwargs)


def pick_with_k(ctx: Context, kind: str, prefix: str, k_max: int) -> tuple[str, int]:
    """The item or user picker beside a K box, both kept in the URL (``?item=`` or ``?user=``, ``?k=``).

    ``kind`` is ``"item"`` or ``"user"``; widget keys are ``<prefix>_<kind>`` and
    ``<prefix>_k``. Writes the page's URL state (with the sidebar's models).
    """
    c1, c2 = st.columns([4, 1])
    pick = pick_item if kind == "item" else pick_user
    value = pick(ctx, f"{prefix}_{kind}", kind, container=c1)
    url.seed_state(f"{prefix}_k", "k", 10, parse=int, valid=lambda v: isinstance(v, int) and 1 <= v <= k_max,
                   expected=f"a whole number K from 1 to {k_max}", label=lambda v: f"K = {v}")
    k = c2.number_input("K", min_value=1, max_value=k_max, step=1, key=f"{prefix}_k")
    url.remember(f"{prefix}_{kind}", f"{prefix}_k")
    url.set_url(**{kind: value, "k": k, "models": ",".join(ctx.selected)})
    return value, int(k)
