"""Widgets and layout pieces shared by pages: pickers, model headers, score columns, tables, error boxes."""
from __future__ import annotations

import streamlit as st

from recall_core.app import i18n, url
from recall_core.app.escape import md_escape  # the pages and the judge call it as widgets.md_escape too
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


def item_columns() -> dict:
    """Column settings of an item table (:func:`recall_core.data.item_table`), headers in the reader's
    language: rank, hidden id, title, year, genres."""
    return {
        "rank": st.column_config.NumberColumn("#", width=40, format="%d"),
        "#": st.column_config.NumberColumn("#", width=40, format="%d"),
        "item_id": None,  # hidden: titles are what people read (the CSV keeps the ids)
        "title": st.column_config.TextColumn(i18n.t("widgets.col_title"), width="medium"),
        "year": st.column_config.NumberColumn(i18n.t("widgets.col_year"), format="%d", width=55),
        "genres": st.column_config.TextColumn(i18n.t("widgets.col_genres"), width="small"),
    }


def item_header(ds, item: str) -> None:
    """``**Title (year)** · genres · n training interactions`` (the title and genres escaped)."""
    from recall_core.analysis.catalogue import NO_GENRE, item_summary
    from recall_core.app.i18n.core_texts import word

    s = item_summary(ds, item, no_genre=word(i18n.current(), "catalogue", "no_genre", NO_GENRE))
    st.markdown(f"**{md_escape(s['label'])}** · {md_escape(s['genres'])} · "
                + i18n.t("widgets.item_line", n=s["interactions"]))


#: Above this many movies (or users) a picker searches on the server and lists only the best matches: a
#: selectbox sends every option to the browser, which draws them all (10k titles took seconds to settle).
SEARCH_ABOVE = 2000
#: How many matches the searching picker lists.
SEARCH_LIMIT = 50


@st.cache_data(show_spinner=False, max_entries=256)
def _matches(dataset_name: str, kind: str, query: str, limit: int, lang: str = "en") -> list[str]:
    from recall_core.analysis.catalogue import search_choices
    from recall_core.app import state

    ids, labels = (state.item_choices if kind == "item" else state.user_choices)(dataset_name, lang)
    return search_choices(ids, labels, query, limit)


def _picker(ctx: Context, kind: str, key: str, param: str | None, label: str, container) -> str:
    """A selectbox of every item (user); above :data:`SEARCH_ABOVE` of them, a search box and a selectbox of the
    top :data:`SEARCH_LIMIT` matches (plus the current choice, so a link's ``?item=`` always opens)."""
    ids, labels = ctx.items() if kind == "item" else ctx.users()
    lang = i18n.current()
    t = i18n.t
    url.seed_state(key, param, ids[0], valid=lambda v: v in labels,
                   expected=t(f"widgets.expected_{kind}", dataset=ctx.ds.name), label=lambda v: labels.get(v, str(v)))
    box = container or st

    if len(ids) <= SEARCH_ABOVE:
        return box.selectbox(label, ids, format_func=labels.__getitem__, key=key)
    qkey = f"{key}_search"

    def choose_first() -> None:  # a new search shows its best match at once (as typing + Enter did before)
        found = _matches(ctx.dataset_name, kind, st.session_state.get(qkey, ""), SEARCH_LIMIT, lang)
        if found:
            st.session_state[key] = found[0]

    c1, c2 = box.columns([2, 3])
    query = c1.text_input(t(f"widgets.search_box_{kind}", n=len(ids)), key=qkey, on_change=choose_first,
                          placeholder=t(f"widgets.search_{kind}_placeholder"),
                          help=t("widgets.search_help", limit=SEARCH_LIMIT, above=SEARCH_ABOVE,
                                 what=t("widgets.search_movies" if kind == "item" else "widgets.search_users")))
    found = _matches(ctx.dataset_name, kind, query, SEARCH_LIMIT, lang)
    current = st.session_state[key]
    options = found if current in found else [current, *found]
    if query.strip() and not found:
        c1.caption(t(f"widgets.no_{kind}_match", query=repr(query.strip())))
    return c2.selectbox(label, options, format_func=labels.__getitem__, key=key)


def pick_item(ctx: Context, key: str, param: str | None, label: str | None = None, container=None) -> str:
    """A movie picker (most-rated first; title, year and genres in the label); a server-side title search
    above :data:`SEARCH_ABOVE` movies. ``label``: the reader's-language "Movie (type part of a title)" by default."""
    return _picker(ctx, "item", key, param, label or i18n.t("widgets.pick_item"), container)


def pick_user(ctx: Context, key: str, param: str | None, label: str | None = None, container=None) -> str:
    """A user picker (type an id; demographics and number of ratings in the label); a server-side search
    above :data:`SEARCH_ABOVE` users."""
    return _picker(ctx, "user", key, param, label or i18n.t("widgets.pick_user"), container)


#: what a table shows in a cell with no value (Streamlit's default is "None")
MISSING = "–"


def dataframe(data, **kwargs):
    """``st.dataframe`` with :data:`MISSING` in empty cells (never "None")."""
    kwargs.setdefault("placeholder", MISSING)
    return st.dataframe(data, **kwargs)


def table(data, key: str, **kwargs) -> None:
    """``st.dataframe`` inside a keyed container (so tests and CSS can find the table by ``key``); empty cells
    show :data:`MISSING`."""
    with st.container(key=key):
        dataframe(data, **kwargs)


_COPY_JS = """
<button id="{id}" class="copy-link" data-link="{link}" title="{title}"
  style="font: inherit; font-size: 0.95rem; padding: 0.3rem 0.8rem; border-radius: 0.5rem; cursor: pointer;
         border: 1px solid rgba(49, 51, 63, 0.2); background: transparent; color: inherit;">{label}</button>
<script>
(() => {{
  const b = document.getElementById("{id}");
  if (!b || b.dataset.ready) return;
  b.dataset.ready = "1";
  b.addEventListener("click", async () => {{
    const link = new URL(b.dataset.link, window.location.href).href;
    let ok = false;
    try {{ await navigator.clipboard.writeText(link); ok = true; }} catch (e) {{
      const t = document.createElement("textarea");  // http beyond localhost has no clipboard API
      t.value = link; document.body.appendChild(t); t.select();
      try {{ ok = document.execCommand("copy"); }} catch (e2) {{}}
      t.remove();
    }}
    b.textContent = ok ? {copied_js} : {copy_this_js} + link;
    setTimeout(() => {{ b.textContent = {label_js}; }}, ok ? 2000 : 15000);
  }});
}})();
</script>
"""


def view_link() -> str:
    """This view as a link relative to the page: ``?item=50&k=10&models=...`` (the URL state just written)."""
    from urllib.parse import urlencode

    params = {k: st.query_params[k] for k in st.query_params}
    return "?" + urlencode(params) if params else "?"


def copy_link(key: str, label: str | None = None, container=None) -> str:
    """A button that copies this view's link (the page's URL with its current state) to the clipboard.

    Call it after the page has written its URL state (:func:`recall_core.app.url.set_url`). The link is
    built here from that state and resolved against the page's address in the browser; returns it.
    """
    import html
    import json

    link = view_link()
    label = label or i18n.t("widgets.copy_link")
    body = _COPY_JS.format(id=f"copy-link-{key}", link=html.escape(link, quote=True), label=html.escape(label),
                           label_js=json.dumps(label), copied_js=json.dumps(i18n.t("widgets.link_copied")),
                           copy_this_js=json.dumps(i18n.t("widgets.copy_this_link")),
                           title=html.escape(i18n.t("widgets.copy_link_title")))
    with (container or st).container(key=key):
        st.html(body, unsafe_allow_javascript=True)
    return link


AGREE_SHADE = "background-color: rgba(255, 193, 7, 0.22)"
HELD_OUT_SHADE = "background-color: rgba(46, 160, 67, 0.35); font-weight: bold"


def side_by_side(labels, marks, key: str, style) -> None:
    """Every model's list in one table (:func:`recall_core.analysis.compare.side_by_side`): a column per model,
    a row per rank; ``style(mark)`` gives each cell's CSS (``""``: none)."""
    styled = labels.style.apply(lambda col: [style(m) for m in marks[col.name]], axis=0)
    rows, cols = len(labels), max(len(labels.columns), 1)
    width = max(110, min(240, 1050 // cols))  # about the main column's width in the wide layout, shared
    table(styled, key=key, width="stretch", height=min(35 * (rows + 1) + 3, 35 * 21 + 3),
          column_config={"#": st.column_config.NumberColumn("#", width=40, format="%d"),
                         **{c: st.column_config.TextColumn(c, width=width) for c in labels.columns}})


def agreement_style(n_models: int):
    """Cell CSS for :func:`side_by_side` by how many of ``n_models`` list the item: darker when more do."""
    def style(agree) -> str:
        if not (agree == agree and agree is not None and agree >= 2):  # NaN: an empty cell
            return ""
        alpha = 0.12 + 0.5 * (agree - 1) / max(n_models - 1, 1)
        return f"background-color: rgba(255, 193, 7, {alpha:.2f})"
    return style


def model_tabs(names: list[str], key: str, default: str | None = None):
    """One tab per model, computed only when open (``on_change="rerun"``): ``[(name, tab)]`` of the open one.

    The browser draws one model's details at a time instead of every model's at once.
    """
    if not names:
        return []
    tabs = st.tabs(names, key=key, on_change="rerun", default=default if default in names else None)
    return [(n, t) for n, t in zip(names, tabs) if t.open is not False]


def pick_with_k(ctx: Context, kind: str, prefix: str, k_max: int) -> tuple[str, int]:
    """The item or user picker beside a K box, both kept in the URL (``?item=`` or ``?user=``, ``?k=``).

    ``kind`` is ``"item"`` or ``"user"``; widget keys are ``<prefix>_<kind>`` and
    ``<prefix>_k``. Writes the page's URL state (with the sidebar's models).
    """
    c1, c2 = st.columns([4, 1])
    pick = pick_item if kind == "item" else pick_user
    value = pick(ctx, f"{prefix}_{kind}", kind, container=c1)
    url.seed_state(f"{prefix}_k", "k", 10, parse=int, valid=lambda v: isinstance(v, int) and 1 <= v <= k_max,
                   expected=i18n.t("widgets.expected_k", k_max=k_max), label=lambda v: f"K = {v}")
    k = c2.number_input("K", min_value=1, max_value=k_max, step=1, key=f"{prefix}_k")
    url.remember(f"{prefix}_{kind}", f"{prefix}_k")
    url.set_url(**{kind: value, "k": k, "models": ",".join(ctx.selected)})
    return value, int(k)
