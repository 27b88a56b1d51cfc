"""DSSM temperature lab: softmax sharpness at inference, and models trained at different τ."""
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import compare, dssm
from recall_core.app import access, state, url, widgets
from recall_core.app.style import model_color
from recall_core.errors import RecallError
from recall_core.explore import user_recommendations
from recall_core.app import i18n
from recall_core.app import page_list, routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

TAUS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0]

ctx, ds = state.open_page()

st.title(i18n.t("page.dssm"))
manifests = ctx.manifests()
st.caption(i18n.t("dssm.training." + dssm.training_kind(manifests.get("dssm"))) + " " + i18n.t("dssm.caption"))

family = [n for n in ctx.stored if isinstance(manifests.get(n), dict) and manifests[n].get("model_class") == "dssm"]
if not family:
    st.info(i18n.t("dssm.not_stored"))
    st.page_link(page_list.page("home").file, label=i18n.t("common.go_train"), icon=":material/model_training:")
    st.stop()
default_name = "dssm" if "dssm" in family else family[0]
models, errors = ctx.models([default_name])
widgets.show_errors(errors)
if not models:
    st.stop()
default = models[default_name]
trained_tau = dssm.temperature_of(default)

user = widgets.pick_user(ctx, "dssm_user", None)
url.remember("dssm_user")
# One part at a time: a closed tab is neither computed nor drawn (the page settles faster in a browser).
part_a, part_b = st.tabs([i18n.t("dssm.tab_a"), i18n.t("dssm.tab_b")], key="dssm_section", on_change="rerun")
if part_a.open is not False:
    with part_a:
        st.subheader(i18n.t("dssm.part_a_head"))
        c2, c3 = st.columns([3, 1])
        start = trained_tau if trained_tau in TAUS else 0.1
        url.seed_state("dssm_tau", None, start, valid=lambda v: v in TAUS)
        tau = c2.select_slider(i18n.t("dssm.tau_label"), TAUS, key="dssm_tau",
                               help=i18n.t("dssm.tau_help", name=default_name, tau=trained_tau))
        url.seed_state("dssm_n", None, 20, valid=lambda v: isinstance(v, int) and 2 <= v <= 100)
        n = c3.number_input("Top-N", min_value=2, max_value=100, step=1, key="dssm_n")
        url.remember("dssm_tau", "dssm_n")
        try:
            table, stats = dssm.softmax_top_n(ds, default, user, int(n), float(tau))
        except RecallError as e:
            st.error(str(e))
            st.stop()
        m = st.columns(4)
        m[0].metric(i18n.t("dssm.entropy"), i18n.t("dssm.bits", h=stats["entropy"]),
                    help=i18n.t("dssm.entropy_help", n=stats["n"], max=stats["max_entropy"]))
        m[1].metric(i18n.t("dssm.top1"), f"{stats['top1']:.1%}")
        m[2].metric(i18n.t("dssm.perplexity"), f"{stats['perplexity']:.1f}", help=i18n.t("dssm.perplexity_help"))
        m[3].metric(i18n.t("dssm.mass", n=stats["n"]), f"{stats['mass_in_catalogue']:.1%}",
                    help=i18n.t("dssm.mass_help"))
        left, right = st.columns([3, 2])
        with left:
            labels = [f"{r}. {t}" for r, t in zip(table["rank"], table["title"])]
            fig = go.Figure(go.Bar(x=table["probability"], y=labels, orientation="h", marker_color=model_color(default_name),
                                   text=(table["probability"] * 100).round(1).astype(str) + "%", textposition="outside",
                                   hovertemplate="%{y}<br>p = %{x:.3f}<extra></extra>"))
            fig.update_layout(title=i18n.t("dssm.softmax_title", tau=tau, n=stats["n"]),
                              height=max(320, 22 * len(table)),
                              xaxis=dict(title=i18n.t("dssm.probability"), tickformat=".0%"),
                              yaxis=dict(autorange="reversed"),
                              margin=dict(t=50, b=10, l=10, r=40))
            st.plotly_chart(fig, key="dssm_softmax", width="stretch")
        with right:
            widgets.table(table, hide_index=True, width="stretch", key="dssm_softmax_table", height=min(36 * len(table) + 40, 600),
                         column_order=["rank", "title", "cosine", "probability"],
                         column_config={**widgets.item_columns(),
                                        "cosine": st.column_config.NumberColumn(i18n.t("common.cosine"), format="%.3f"),
                                        "probability": st.column_config.ProgressColumn("p", min_value=0.0, max_value=1.0,
                                                                                       format="percent")})
        st.caption(i18n.t("dssm.tau_note"))

if part_b.open is not False:
    with part_b:
        st.subheader(i18n.t("dssm.part_b_head"))
        rows, lb_errors = ctx.leaderboard()
        variants = dssm.dssm_variants(rows, manifests)
        if len(variants.dropna(subset=["tau"])) >= 1:
            fig = go.Figure()
            v = variants.dropna(subset=["tau"])
            for metric, dash in (("HR@10", "solid"), ("NDCG@10", "dot")):
                fig.add_scatter(x=v["tau"], y=v[metric], mode="lines+markers", name=metric, text=v["model"],
                                line=dict(color=model_color("dssm"), dash=dash),
                                hovertemplate="%{text}: τ = %{x}<br>" + metric + " %{y:.4f}<extra></extra>")
            d = v[v["default"]]
            if len(d):
                fig.add_scatter(x=d["tau"], y=d["HR@10"], mode="markers", name=i18n.t("dssm.default_point"),
                                marker=dict(size=14, symbol="star", color="black"))
            fig.update_layout(title=i18n.t("dssm.curve_title"), height=360,
                              xaxis=dict(title="τ", type="log", tickvals=v["tau"].tolist(),
                                         ticktext=[f"{t:g}" for t in v["tau"]]),
                              yaxis_title=i18n.t("overview.value"), margin=dict(t=50, b=10, l=10, r=10))
            left, right = st.columns([3, 2])
            left.plotly_chart(fig, key="dssm_tau_curve", width="stretch")
            with right:
                widgets.table(variants, hide_index=True, key="dssm_variants", column_config={
                "tau": st.column_config.NumberColumn("τ", format="%g"),
                "HR@10": st.column_config.NumberColumn(format="%.4f"), "NDCG@10": st.column_config.NumberColumn(format="%.4f"),
                "Coverage@10": st.column_config.NumberColumn(format="%.4f")})
        if len(family) < 2:
            st.info(i18n.t("dssm.one_variant"))
        else:
            others = [f for f in family if f != default_name]
            c1, c2 = st.columns([3, 1])
            url.seed_state("dssm_variant", None, others[0], valid=lambda v: v in others)
            chosen = c1.selectbox(i18n.t("dssm.variant"), others, key="dssm_variant",
                                  format_func=lambda x: f"{x} (τ = {variants.set_index('model')['tau'].get(x)})")
            url.seed_state("dssm_k", None, 10, valid=lambda v: isinstance(v, int) and 1 <= v <= 50)
            kk = c2.number_input("K", min_value=1, max_value=50, step=1, key="dssm_k")
            url.remember("dssm_variant", "dssm_k")
            pair, pair_errors = ctx.models([chosen, default_name])
            widgets.show_errors(pair_errors)
            cols = st.columns(2)
            for col, name in zip(cols, [chosen, default_name]):
                if name not in pair:
                    continue
                with col:
                    widgets.model_header(name, i18n.t("dssm.default_suffix") if name == default_name else "")
                    try:
                        t = user_recommendations(ds, pair[name], user, int(kk))
                    except RecallError as e:
                        st.error(str(e))
                        continue
                    widgets.table(t, hide_index=True, width="stretch", key=f"dssm_recs_{name}",
                                 column_order=["rank", "title", "year", "genres", "score"],
                                 column_config={**widgets.item_columns(),
                                                "score": widgets.score_column(i18n.t("common.cosine"), t["score"])})

        with st.expander(i18n.t("dssm.train_box")):
            span = compare.training_time_span(manifests)
            st.caption(i18n.t("dssm.train_caption", phrase=i18n.t("overview.time_span", span=span) if span
                              else i18n.t("overview.time_unknown")))
            c1, c2 = st.columns([1, 3])
            url.seed_state("dssm_train_tau", None, 0.05, valid=lambda v: isinstance(v, float) and v > 0)
            t_new = c1.number_input("τ", min_value=0.005, max_value=10.0, step=0.01, format="%.3f", key="dssm_train_tau")
            busy = state.training_in_progress(ctx)
            if busy:
                st.info(busy)
            viewer = access.note("access.what_train")
            if c2.button(i18n.t("dssm.train_button"), key="dssm_train", disabled=bool(busy) or viewer):
                from recall_core.training import temperature_jobs

                job = temperature_jobs([float(t_new)])[0]
                if state.run_training(ctx, [job]):
                    st.session_state["dssm_trained_msg"] = i18n.t("dssm.trained_msg", name=job.store_name)
                    st.rerun()
            if msg := st.session_state.pop("dssm_trained_msg", None):
                st.success(msg)
