"""Item neighbours (I2I): one column per selected model, agreement, overlap heatmap, CSV; state in the URL."""
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import compare
from recall_core.app import state, widgets

ctx = state.page_context(url_state={})
ds = state.require_dataset(ctx)
state.require_models(ctx)

st.title("Item neighbours")
st.caption("Nearest items in each model's item space. Above each list, one sentence says which vectors and which "
           "similarity it uses, and whether that is the score the model was trained on. Models come from the "
           "sidebar; the view is in the URL (share it).")

item, k = widgets.pick_with_k(ctx, "item", "i2i", k_max=50)
names = ctx.selected

widgets.item_header(ds, item)

if not names:
    st.info("Choose one or more models in the sidebar.")
    st.stop()

models, load_errors = ctx.models(names)
tables, errors = compare.neighbour_tables(ds, models, item, int(k), "similar")
widgets.show_errors({**load_errors, **errors})
tables = compare.mark_agreement(tables)
co_tables, co_errors = compare.neighbour_tables(ds, models, item, int(k), "cooccur")
widgets.show_errors({f"{n} (co-occurs with)": m for n, m in co_errors.items()})

shared = {i for t in tables.values() for i in t.loc[t["agree"] >= 2, "item_id"]}
if len(tables) > 1:
    st.caption(f"Rows shaded and marked in **agree** are listed by more than one model "
               f"({len(shared)} such item(s) across {len(tables)} models).")


def show(table, name, view, note):
    cfg = {**widgets.ITEM_COLUMNS, "score": widgets.score_column("Score", table["score"])}
    if "agree" in table:
        cfg["agree"] = st.column_config.NumberColumn("agree", format="%d", width="small",
                                                     help="number of selected models listing this item")
        styled = table.style.apply(lambda r: ["background-color: rgba(255, 193, 7, 0.22)" if r["agree"] >= 2
                                              else "" for _ in r], axis=1)
    else:
        styled = table
    if note:
        st.caption(note)
    widgets.table(styled, hide_index=True, width="stretch", column_config=cfg,
                 column_order=[c for c in ("rank", "title", "year", "genres", "score", "agree") if c in table],
                 key=f"i2i_table_{name}_{view}")


per_row = 2
names_ok = list(tables)
for start in range(0, len(names_ok), per_row):
    cols = st.columns(per_row)
    for col, name in zip(cols, names_ok[start:start + per_row]):
        with col:
            widgets.model_header(name)
            notes = compare.view_notes(models[name])
            if name in co_tables:
                sim, co = st.tabs(["Similar", "Co-occurs with"])
                with sim:
                    show(tables[name], name, "similar", notes["similar"])
                with co:
                    show(co_tables[name], name, "cooccur", notes["cooccur"])
            else:
                show(tables[name], name, "similar", notes["similar"])

left, right = st.columns([3, 2])
with left:
    if len(tables) >= 2:
        jac = compare.jaccard_matrix(tables)
        fig = go.Figure(go.Heatmap(z=jac.to_numpy(), x=jac.columns, y=jac.index, zmin=0, zmax=1,
                                   colorscale="Blues", text=jac.round(2).to_numpy(), texttemplate="%{text}",
                                   hovertemplate="%{y} vs %{x}: Jaccard %{z:.2f}<extra></extra>"))
        fig.update_layout(title=f"Overlap of the top-{k} lists (Jaccard)", height=360,
                          margin=dict(t=50, b=10, l=10, r=10), yaxis=dict(autorange="reversed"))
        st.plotly_chart(fig, key="i2i_heatmap", width="stretch")
    else:
        st.caption("Select two or more models for the overlap heatmap.")
with right:
    all_tables = {**tables, **{f"{n} (co-occurs with)": t for n, t in co_tables.items()}}
    csv = compare.combined_table(all_tables, query_item_id=item, query_title=ds.item_label(ds.item_vocab.index(item)))
    st.download_button("Download the table (CSV)", csv.to_csv(index=False).encode(), key="i2i_download",
                       file_name=f"neighbours-{item}-k{k}.csv", mime="text/csv")
