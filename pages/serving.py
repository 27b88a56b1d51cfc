"""Serving: a model's vectors in ANN indexes (faiss HNSW, IVF), measured against exact search."""
import streamlit as st

from recall_core.analysis import serving
from recall_core.app import access, figures, state, url, widgets
from recall_core.errors import RecallError
from recall_core.index import AUTO_EXACT_BELOW
from recall_core.index.bench import LATENCY_K, RECALL_K, SWEEPS
from recall_core.app import i18n
from recall_core.app.i18n import core_texts
from recall_core.app import routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

ctx, ds = state.open_page()
lang = i18n.current()

st.title(i18n.t("page.serving"))
st.caption(i18n.t("serving.caption", recall_k=RECALL_K, latency_k=LATENCY_K))

sc = serving.scale(ds)
with st.expander(i18n.t("serving.why_title")):
    st.markdown(i18n.t("serving.why_body", users=sc["users"], items=sc["items"], pairs=sc["pairs"],
                       passes=sc["tower_passes"], exact_below=AUTO_EXACT_BELOW))

loaded, errors = ctx.models(ctx.stored)
widgets.show_errors(errors)
skipped = {n: serving.servable(m) for n, m in loaded.items() if serving.servable(m)}
names = [n for n in loaded if n not in skipped]
if skipped:
    reasons = {english: core_texts.word(lang, "serving_skip", k, english) for k, english in serving.SKIP_REASONS.items()}
    st.caption(i18n.t("serving.not_indexed", models="; ".join(f"{n} ({reasons.get(why, why)})"
                                                              for n, why in skipped.items())))
if not names:
    st.info(i18n.t("serving.no_vectors"))
    st.stop()

c = st.columns([2, 3, 1])
prefer = next((n for n in ("dssm", "item2vec") if n in names), names[0])
url.seed_state("serving_model", None, prefer, valid=lambda v: v in names)
name = c[0].selectbox(i18n.t("overview.col_model"), names, key="serving_model")
model = loaded[name]
views = serving.views_of(model)
url.seed_state("serving_view", None, "user" if "user" in views else views[0], valid=lambda v: v in views)


def view_label(v: str) -> str:
    return core_texts.word(lang, "serving_view", v, serving.VIEW_LABELS[v])


view = c[1].radio(i18n.t("serving.vectors_indexed"), views, format_func=view_label, key="serving_view",
                  horizontal=True)
c[2].write("")
remeasure = c[2].button(i18n.t("serving.measure_again"), key="serving_remeasure", disabled=not access.may_write(),
                        help=i18n.t("serving.remeasure_help"))
access.note("access.what_remeasure")
if remeasure:
    access.require_write("measuring the indexes again")
url.remember("serving_model", "serving_view")

data = None if remeasure else serving.read_serving(model)
computed = data is None
if computed:
    try:
        with st.spinner(i18n.t("serving.measuring", name=name)):
            data = serving.measure(model)
    except RecallError as e:
        st.error(str(e))
        st.stop()
entry = data["views"][view]
frame = serving.rows_frame(entry)

widgets.model_header(name, i18n.t("serving.header", view=view_label(view).lower(), n=entry["n"], dim=entry["dim"],
                                  metric=entry["metric"]))
left, right = st.columns([3, 2])
with left:
    fig = figures.serving_tradeoff(frame, i18n.t("serving.chart_title", name=name, k=RECALL_K))
    st.plotly_chart(fig, key="serving_chart", width="stretch")
with right:
    best = serving.best_at(entry)
    flat = frame[frame["kind"] == "flat"]
    exact_p99 = float(flat["p99_ms"].iloc[0]) if len(flat) else float("nan")
    if best:
        st.markdown(i18n.t("serving.fastest", k=RECALL_K, kind=best["kind"], setting=best["setting"],
                           p99=best["p99_ms"], exact=exact_p99))
    else:
        st.markdown(i18n.t("serving.none_099", k=RECALL_K))
    st.markdown(i18n.t("serving.memory_head"))
    widgets.table(serving.memory_frame(entry), key="serving_memory", hide_index=True, width="stretch",
                  column_config={"build_s": st.column_config.NumberColumn(i18n.t("serving.build_s"), format="%.3f"),
                                 "memory_mb": st.column_config.NumberColumn("MB", format="%.3f"),
                                 "× exact": st.column_config.NumberColumn(format="%.2f")})
    st.caption((i18n.t("serving.measured_recorded") if computed and data.get("written") else
                i18n.t("serving.measured_unrecorded") if computed else
                i18n.t("serving.measured_read", created=data["created"]))
               + i18n.t("serving.measured_tail", sidecar=serving.SIDECAR, queries=entry["queries"], n=entry["n"]))
with st.expander(i18n.t("serving.every_setting")):
    widgets.table(frame, key="serving_table", hide_index=True, width="stretch")

st.subheader(i18n.t("serving.norms_head"))
norms = serving.norm_summary(model, view)
m = st.columns(4)
m[0].metric(i18n.t("serving.norm_min"), f"{norms['min']:.3f}")
m[1].metric(i18n.t("serving.norm_median"), f"{norms['median']:.3f}")
m[2].metric(i18n.t("serving.norm_max"), f"{norms['max']:.3f}")
m[3].metric(i18n.t("serving.norm_spread"), f"{norms['spread']:.2f}")
st.markdown(i18n.t("serving.norms." + serving.norm_kind(norms), **norms))

st.subheader(i18n.t("serving.query_head"))
c = st.columns([3, 1, 1, 1])
if view == "similar":
    query = widgets.pick_item(ctx, "serving_item", None, container=c[0])
else:
    query = widgets.pick_user(ctx, "serving_user", None, container=c[0])
ann_kinds = [k for k in SWEEPS if k in set(frame["kind"])]
if not ann_kinds:
    st.info(i18n.t("serving.no_ann"))
    st.stop()
url.seed_state("serving_kind", None, ann_kinds[0], valid=lambda v: v in ann_kinds)
kind = c[1].selectbox(i18n.t("serving.index"), ann_kinds, key="serving_kind")
param, values = SWEEPS[kind]
url.seed_state(f"serving_{param}", None, values[0], valid=lambda v: v in values)
value = c[2].select_slider(param, values, key=f"serving_{param}", help=i18n.t("serving.param_help"))
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
st.markdown(i18n.t("serving.finds_missed" if missed else "serving.finds_all", kind=kind, param=param, value=value,
                   found=len(exact_t) - missed, n=len(exact_t), missed=missed))
cols = st.columns(2)
exact_t["ANN"] = exact_t["found"].map({True: i18n.t("serving.found"), False: i18n.t("serving.missed")})
ann_t["exact"] = ann_t["in_exact"].map({True: "✓", False: i18n.t("serving.not_in_exact")})
for col, t, key, title, flag in ((cols[0], exact_t, "serving_exact", i18n.t("serving.exact_title"), "ANN"),
                                 (cols[1], ann_t, "serving_ann", f"ANN ({kind} {param}={value})", "exact")):
    with col:
        st.markdown(f"**{title}**")
        widgets.table(t, key=key, hide_index=True, width="stretch",
                      column_order=["rank", "title", "year", "score", flag],
                      column_config={**widgets.item_columns(),
                                     "score": widgets.score_column(i18n.t("common.score"), t["score"]),
                                     flag: st.column_config.TextColumn(i18n.t(f"serving.col_{flag.lower()}"),
                                                                       width="small")})
