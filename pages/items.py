"""Item neighbours (I2I): one column per selected model, agreement, overlap heatmap, CSV; state in the URL."""
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import compare
from recall_core.app import state, widgets
from recall_core.app import i18n
from recall_core.app.i18n import core_texts
from recall_core.app import routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

ctx, ds = state.open_page(url_state={})
lang = i18n.current()

st.title(i18n.t("page.items"))
st.caption(i18n.t("items.caption"))


@st.fragment
def view() -> None:
    """The movie, K and everything they decide. A fragment: picking another one or changing K reruns
    only this part of the page (not the sidebar), so the browser settles sooner."""
    item, k = widgets.pick_with_k(ctx, "item", "i2i", k_max=50)
    names = ctx.selected
    widgets.copy_link("i2i_copy_link")

    widgets.item_header(ds, item)

    if not names:
        st.info(i18n.t("common.choose_models"))
        st.stop()

    models, load_errors = ctx.models(names)
    tables, errors = compare.neighbour_tables(ds, models, item, int(k), "similar")
    widgets.show_errors({**load_errors, **errors})
    tables = compare.mark_agreement(tables)
    co_tables, co_errors = compare.neighbour_tables(ds, models, item, int(k), "cooccur")
    widgets.show_errors({i18n.t("items.cooccur_of", name=n): m for n, m in co_errors.items()})

    if len(tables) > 1:
        shared = {i for t in tables.values() for i in t.loc[t["agree"] >= 2, "item_id"]}
        st.caption(i18n.t("items.side_by_side", k=k, shared=len(shared), models=len(tables)))
    widgets.side_by_side(*compare.side_by_side(tables), key="i2i_compare", style=widgets.agreement_style(len(tables)))


    def show(table, name, view, note):
        cfg = {**widgets.item_columns(), "score": widgets.score_column(i18n.t("common.score"), table["score"])}
        if "agree" in table:
            cfg["agree"] = st.column_config.NumberColumn(i18n.t("items.agree"), format="%d", width="small",
                                                         help=i18n.t("items.agree_help"))
            styled = table.style.apply(lambda r: [widgets.AGREE_SHADE if r["agree"] >= 2 else "" for _ in r], axis=1)
        else:
            styled = table
        if note:
            st.caption(note)
        widgets.table(styled, hide_index=True, width="stretch", column_config=cfg,
                     column_order=[c for c in ("rank", "title", "year", "genres", "score", "agree") if c in table],
                     key=f"i2i_table_{name}_{view}")


    names_ok = list(tables)
    first = next((n for n in names_ok if n != "mostpop"), None)  # the reference row is rarely the one to read first
    for name, tab in widgets.model_tabs(names_ok, key="i2i_model_tab", default=first):
        with tab:
            widgets.model_header(name)
            notes = core_texts.stored_view_notes(lang, models[name])
            left_col, right_col = st.columns(2) if name in co_tables else (st.container(), None)
            with left_col:
                st.markdown(i18n.t("items.similar_head"))
                show(tables[name], name, "similar", notes["similar"])
            if right_col is not None:
                with right_col:
                    st.markdown(i18n.t("items.cooccur_head"))
                    show(co_tables[name], name, "cooccur", notes["cooccur"])

    left, right = st.columns([3, 2])
    with left:
        if len(tables) >= 2:
            jac = compare.jaccard_matrix(tables)
            fig = go.Figure(go.Heatmap(z=jac.to_numpy(), x=jac.columns, y=jac.index, zmin=0, zmax=1,
                                       colorscale="Blues", text=jac.round(2).to_numpy(), texttemplate="%{text}",
                                       hovertemplate=i18n.t("items.heatmap_hover")))
            fig.update_layout(title=i18n.t("items.heatmap_title", k=k), height=360,
                              margin=dict(t=50, b=10, l=10, r=10), yaxis=dict(autorange="reversed"))
            st.plotly_chart(fig, key="i2i_heatmap", width="stretch")
        else:
            st.caption(i18n.t("items.heatmap_needs_two"))
    with right:
        all_tables = {**tables, **{f"{n} (co-occurs with)": t for n, t in co_tables.items()}}  # CSV: data
        csv = compare.combined_table(all_tables, query_item_id=item, query_title=ds.item_label(ds.item_vocab.index(item)))
        st.download_button(i18n.t("items.download"), csv.to_csv(index=False).encode(), key="i2i_download",
                           file_name=f"neighbours-{item}-k{k}.csv", mime="text/csv")


view()
