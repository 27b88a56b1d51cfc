"""EGES attention: per-movie field weights, the catalogue view, and a cold-start simulator."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import compare
from recall_core.app import state, url, widgets
from recall_core.errors import RecallError
from recall_core.explore import item_neighbours

FIELD_COLORS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]

ctx = state.page_context()
ds = state.require_dataset(ctx)
state.require_models(ctx)

st.title("EGES attention")
st.caption("EGES mixes an item's id embedding with side-information embeddings (genres, year, popularity) "
           "using weights learned per item. The method's claim: sparse items lean on side information.")

if "eges" not in ctx.stored:
    st.info("EGES is not in the store yet: train it on the Overview page "
            "(`python -m recall_core train --models eges`).")
    st.page_link("pages/overview.py", label="Go to Overview to train", icon=":material/model_training:")
    st.stop()
models, errors = ctx.models(["eges"])
if errors:
    widgets.show_errors(errors)
    st.stop()
model = models["eges"]
try:
    catalogue = compare.attention_catalogue(ds, model)
except RecallError as e:
    st.error(str(e))
    st.stop()
fields = compare.attention_fields(model)
color = dict(zip(fields, FIELD_COLORS))

st.subheader("One movie")
c1, c2 = st.columns([4, 1])
item = widgets.pick_item(ctx, "eges_item", "item", container=c1)
url.seed_state("eges_k", None, 10, valid=lambda v: isinstance(v, int) and 1 <= v <= 50)
k = c2.number_input("K", min_value=1, max_value=50, step=1, key="eges_k")
url.remember("eges_item", "eges_k")
widgets.item_header(ds, item)
left, right = st.columns([2, 3])
with left:
    att = compare.item_attention(ds, model, item)
    known = model.output.item_known is None or bool(model.output.item_known[ds.item_vocab.index(item)])
    fig = go.Figure(go.Bar(x=att["field"], y=att["weight"], marker_color=[color[f] for f in att["field"]],
                           text=att["weight"].round(3), textposition="outside"))
    fig.update_layout(title="Attention over the fields", yaxis=dict(range=[0, 1], title="weight"), height=340,
                      margin=dict(t=50, b=10, l=10, r=10))
    st.plotly_chart(fig, key="eges_item_bar", width="stretch")
    if not known:
        st.caption("No training transitions for this movie: its weights stayed at their start (uniform) and its "
                   "vector is the cold-start one.")
with right:
    try:
        nb = item_neighbours(ds, model, item, int(k))
        st.markdown(f"**Nearest {k} movies** (cosine)")
        widgets.table(nb, hide_index=True, width="stretch", key="eges_neighbours",
                     column_order=["rank", "title", "year", "genres", "score"],
                     column_config={**widgets.ITEM_COLUMNS, "score": widgets.score_column("Cosine", nb["score"])})
    except RecallError as e:
        st.error(str(e))

st.subheader("Across the catalogue")
rel = compare.id_weight_vs_interactions(ds, model)
st.markdown(rel["verdict"])
left, right = st.columns(2)
with left:
    fig = go.Figure()
    for f in fields:
        fig.add_box(y=catalogue[f], name=f, marker_color=color[f], boxmean=True)
    fig.update_layout(title=f"Weight per field over {len(catalogue):,} trained items", height=380,
                      yaxis=dict(title="weight", range=[0, 1]), showlegend=False, margin=dict(t=50, b=10, l=10, r=10))
    st.plotly_chart(fig, key="eges_boxes", width="stretch")
with right:
    id_field = rel["id_field"]
    fig = go.Figure(go.Scattergl(
        x=catalogue["interactions"], y=catalogue[id_field], mode="markers", text=catalogue["title"],
        marker=dict(size=5, color=color[id_field], opacity=0.55),
        hovertemplate="%{text}<br>%{x} interactions<br>id weight %{y:.3f}<extra></extra>", name="items"))
    fig.update_layout(title=f"Weight on {id_field} vs interactions (ρ = {rel['rho']:+.2f})", height=380,
                      xaxis=dict(title="training interactions (log)", type="log"),
                      yaxis=dict(title=f"{id_field} weight"), margin=dict(t=50, b=10, l=10, r=10))
    st.plotly_chart(fig, key="eges_scatter", width="stretch")
if len(rel["bins"]):
    widgets.table(rel["bins"], hide_index=True, key="eges_bins", column_config={
        rel["bins"].columns[2]: st.column_config.NumberColumn(format="%.3f")})
top = catalogue["top_field"].value_counts()
st.caption("Field with the most attention: " + ", ".join(f"{f} for {n:,} items" for f, n in top.items()))

st.subheader("Cold-start simulator")
st.caption("A movie that does not exist: choose its genres and year; EGES embeds it from side information "
           "alone (its genre and year embeddings, mixed by the model's average attention on those fields) and "
           "finds the nearest real movies.")
c1, c2, c3 = st.columns([4, 1, 1])
url.seed_state("eges_cold_genres", None, [g for g in ("Sci-Fi", "Romance") if g in ds.genres] or ds.genres[:1],
                     valid=lambda v: isinstance(v, list) and all(g in ds.genres for g in v))
genres = c1.multiselect("Genres", ds.genres, key="eges_cold_genres")
years = ds.items["year"].dropna()
lo, hi = (int(years.min()), int(years.max())) if len(years) else (1900, 2030)
url.seed_state("eges_cold_year", None, min(max(1995, lo), hi), valid=lambda v: isinstance(v, int) and lo <= v <= hi)
year = c2.number_input("Year", min_value=lo, max_value=hi, step=1, key="eges_cold_year")
url.seed_state("eges_cold_k", None, 10, valid=lambda v: isinstance(v, int) and 1 <= v <= 50)
kc = c3.number_input("K", min_value=1, max_value=50, step=1, key="eges_cold_k")
url.remember("eges_cold_genres", "eges_cold_year", "eges_cold_k")
try:
    vec, cold = compare.cold_start_neighbours(ds, model, list(genres), int(year), int(kc))
except (RecallError, ImportError) as e:
    st.error(f"The cold-start simulator needs a current EGES model: {e}")
else:
    share = np.mean([bool(set(genres) & set(g.split(", "))) for g in cold["genres"]]) if genres else float("nan")
    st.markdown(f"Nearest real movies to a **{', '.join(genres) or 'genre-less'} film from {year}**"
                + (f" · {share:.0%} share a genre with it" if genres else ""))
    widgets.table(cold, hide_index=True, width="stretch", key="eges_cold_table",
                 column_order=["rank", "title", "year", "genres", "score"],
                 column_config={**widgets.ITEM_COLUMNS, "score": widgets.score_column("Cosine", cold["score"])})
