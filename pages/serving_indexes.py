"""Serving: a model's vectors in ANN indexes (faiss HNSW, IVF), measured against exact search."""
import streamlit as st

from recall_core.analysis import serving
from recall_core.app import figures, state, url, widgets
from recall_core.errors import RecallError
from recall_core.index import AUTO_EXACT_BELOW
from recall_core.index.bench import LATENCY_K, RECALL_K, SWEEPS
from recall_core.app import i18n

ctx = state.page_context()
ds = state.require_dataset(ctx)
state.require_models(ctx)

st.title("Serving")
st.caption(i18n.t("serving.caption", recall_k=RECALL_K, latency_k=LATENCY_K))

sc = serving.scale(ds)
with st.expander("Why two towers serve fast, and what vector norms do to an index"):
    st.markdown(
        f"**From O(U×I) to O(U+I).** Scoring every user against every item is U×I dot products: "
        f"{sc['users']:,} × {sc['items']:,} = {sc['pairs']:,} here, and out of reach for millions of users "
        "and items. A two-tower model keeps user and item apart until the final dot product, so each item "
        "vector is computed once, offline, and stored in an index; at request time only the user tower runs. "
        f"That is U + I tower passes ({sc['tower_passes']:,} here) instead of U×I model calls, and an ANN index "
        "answers each user's top-K by visiting a small part of the catalogue instead of all of it. A model "
        "that crosses user and item features inside the network cannot do this: it needs both to score.\n\n"
        "**Normalised vectors make three measures agree.** For unit vectors, cos(q, x) = q·x and "
        "‖q − x‖² = ‖q‖² + ‖x‖² − 2 q·x = 2 − 2 q·x, so the highest inner product, the highest cosine and the "
        "smallest Euclidean distance pick the same items, and any index built for one serves the others. "
        "DSSM's towers end in an L2 normalisation, so its vectors are unit vectors; Item2Vec and FM vectors "
        "are not (cosine views here use normalised copies).\n\n"
        "**Norms and ANN recall.** Without normalisation, inner product ranks by ‖x‖·cos θ: a long item vector "
        "scores high for many users whatever its direction. Inner product is not a distance (a vector need not "
        "be its own nearest neighbour; no triangle inequality), which is what graph and cluster indexes lean "
        "on. HNSW links each vector to its best-scoring neighbours, so long vectors collect links while short "
        "ones become hard to reach; IVF assigns each vector to the centroid with the highest inner product, which "
        "favours long centroids and unbalances the lists. The usual fixes are to normalise (the score becomes "
        "cosine) or to add one coordinate √(R² − ‖x‖²) to every item (R the largest norm, 0 to queries), which "
        "turns the search into a Euclidean one with the same ranking. The chart's **hnsw-l2** line measures that "
        "rewrite on the chosen vectors: it is not free either (every rewritten vector has norm R, and short items "
        "crowd together near one pole), so whether it helps depends on the vectors. The norms section below "
        f"says which case the chosen vectors are. Below "
        f"{AUTO_EXACT_BELOW:,} vectors, `make_index(kind='auto')` keeps exact search: there, it is faster than "
        "HNSW at recall 0.99 (measured with `python -m recall_core index-bench --crossover`).")

loaded, errors = ctx.models(ctx.stored)
widgets.show_errors(errors)
skipped = {n: serving.servable(m) for n, m in loaded.items() if serving.servable(m)}
names = [n for n in loaded if n not in skipped]
if skipped:
    st.caption("Not indexed: " + "; ".join(f"{n} ({why})" for n, why in skipped.items()) + ".")
if not names:
    st.info("No stored model has vectors to index.")
    st.stop()

c = st.columns([2, 3, 1])
prefer = next((n for n in ("dssm", "item2vec") if n in names), names[0])
url.seed_state("serving_model", None, prefer, valid=lambda v: v in names)
name = c[0].selectbox("Model", names, key="serving_model")
model = loaded[name]
views = serving.views_of(model)
url.seed_state("serving_view", None, "user" if "user" in views else views[0], valid=lambda v: v in views)
view = c[1].radio("Vectors indexed", views, format_func=serving.VIEW_LABELS.get, key="serving_view",
                  horizontal=True)
c[2].write("")
remeasure = c[2].button("Measure again", key="serving_remeasure",
                        help="Re-run the benchmark on this model and record it in its folder")
url.remember("serving_model", "serving_view")

data = None if remeasure else serving.read_serving(model)
computed = data is None
if computed:
    try:
        with st.spinner(f"Measuring every index kind on {name}'s vectors (once; then read from the store)…"):
            data = serving.measure(model)
    except RecallError as e:
        st.error(str(e))
        st.stop()
entry = data["views"][view]
frame = serving.rows_frame(entry)

widgets.model_header(name, f" · {serving.VIEW_LABELS[view].lower()}: {entry['n']:,} vectors of width "
                           f"{entry['dim']}, {entry['metric']}")
left, right = st.columns([3, 2])
with left:
    fig = figures.serving_tradeoff(frame, f"{name}: recall@{RECALL_K} against p99 latency")
    st.plotly_chart(fig, key="serving_chart", width="stretch")
with right:
    best = serving.best_at(entry)
    flat = frame[frame["kind"] == "flat"]
    exact_p99 = float(flat["p99_ms"].iloc[0]) if len(flat) else float("nan")
    if best:
        st.markdown(f"Fastest setting at recall@{RECALL_K} ≥ 0.99: **{best['kind']} {best['setting']}**, "
                    f"p99 {best['p99_ms']:.3f} ms against {exact_p99:.3f} ms for exact search.")
    else:
        st.markdown(f"No ANN setting reaches recall@{RECALL_K} ≥ 0.99 on these vectors.")
    st.markdown("**Memory and build time of each index**")
    widgets.table(serving.memory_frame(entry), key="serving_memory", hide_index=True, width="stretch",
                  column_config={"build_s": st.column_config.NumberColumn("build s", format="%.3f"),
                                 "memory_mb": st.column_config.NumberColumn("MB", format="%.3f"),
                                 "× exact": st.column_config.NumberColumn(format="%.2f")})
    st.caption(("Measured now and recorded" if computed and data.get("written") else
                "Measured now (not recorded: the model was retrained meanwhile)" if computed else
                f"Read from the store (measured {data['created']})")
               + f" in `{serving.SIDECAR}` beside the model's vectors; {entry['queries']:,} of the view's own "
               f"queries, each searched alone on one thread, median of 3 rounds. At {entry['n']:,} vectors exact "
               "search is cheap: the differences grow with the catalogue (see `index-bench --synthetic-items 1M`).")
with st.expander("Every setting"):
    widgets.table(frame, key="serving_table", hide_index=True, width="stretch")

st.subheader("Vector norms")
norms = serving.norm_summary(model, view)
m = st.columns(4)
m[0].metric("Smallest norm", f"{norms['min']:.3f}")
m[1].metric("Median norm", f"{norms['median']:.3f}")
m[2].metric("Largest norm", f"{norms['max']:.3f}")
m[3].metric("p99 / median", f"{norms['spread']:.2f}")
st.markdown(serving.norm_sentence(norms))

st.subheader("One query: exact top-K beside ANN top-K")
c = st.columns([3, 1, 1, 1])
if view == "similar":
    query = widgets.pick_item(ctx, "serving_item", None, container=c[0])
else:
    query = widgets.pick_user(ctx, "serving_user", None, container=c[0])
ann_kinds = [k for k in SWEEPS if k in set(frame["kind"])]
if not ann_kinds:
    st.info("No ANN index could be built on these vectors.")
    st.stop()
url.seed_state("serving_kind", None, ann_kinds[0], valid=lambda v: v in ann_kinds)
kind = c[1].selectbox("Index", ann_kinds, key="serving_kind")
param, values = SWEEPS[kind]
url.seed_state(f"serving_{param}", None, values[0], valid=lambda v: v in values)
value = c[2].select_slider(param, values, key=f"serving_{param}", help="lower: faster, and more misses")
url.seed_state("serving_k", None, 10, valid=lambda v: isinstance(v, int) and 1 <= v <= 50)
k = c[3].number_input("K", min_value=1, max_value=50, step=1, key="serving_k")
url.remember("serving_item", "serving_user", "serving_kind", f"serving_{param}", "serving_k")
try:
    ann = state.serving_index(ctx, name, view, kind, (param, value))
    exact_t, ann_t, rec = serving.compare_one(ds, model, view, query, ann, int(k))
except RecallError as e:
    st.error(str(e))
    st.stop()
missed = int((~exact_t["found"]).sum())
st.markdown(f"**{kind} {param}={value}** finds {len(exact_t) - missed} of the exact top-{len(exact_t)}"
            + (f"; the {missed} it missed are marked ✗." if missed else "."))
cols = st.columns(2)
exact_t["ANN"] = exact_t["found"].map({True: "✓ found", False: "✗ missed"})
ann_t["exact"] = ann_t["in_exact"].map({True: "✓", False: "✗ not in exact top-K"})
for col, t, key, title, flag in ((cols[0], exact_t, "serving_exact", "Exact (flat)", "ANN"),
                                 (cols[1], ann_t, "serving_ann", f"ANN ({kind} {param}={value})", "exact")):
    with col:
        st.markdown(f"**{title}**")
        widgets.table(t, key=key, hide_index=True, width="stretch",
                      column_order=["rank", "title", "year", "score", flag],
                      column_config={**widgets.ITEM_COLUMNS, "score": widgets.score_column("score", t["score"]),
                                     flag: st.column_config.TextColumn(flag, width="small")})
