"""EGES attention: per-movie field weights, what drives them (controlled for exposure), weights by kind
of item, and a cold-start simulator. All numbers come from :mod:`recall_core.analysis.eges`."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from recall_core.app import state, url, widgets
from recall_core.analysis import eges as analysis
from recall_core.errors import RecallError
from recall_core.explore import item_neighbours
from recall_core.app import i18n
from recall_core.app.i18n import verdicts
from recall_core.app import page_list, routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

FIELD_COLORS = ["#E69F00", "#0072B2", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"]

ctx, ds = state.open_page()
lang = i18n.current()

st.title(i18n.t("page.eges"))
st.caption(i18n.t("eges.caption"))

if "eges" not in ctx.stored:
    st.info(i18n.t("eges.not_stored"))
    st.page_link(page_list.page("home").file, label=i18n.t("common.go_train"), icon=":material/model_training:")
    st.stop()
models, errors = ctx.models(["eges"])
if errors:
    widgets.show_errors(errors)
    st.stop()
model = models["eges"]
try:
    fields = analysis.attention_fields(model)
except RecallError as e:
    st.error(str(e))
    st.stop()
color = dict(zip(fields, FIELD_COLORS))


def catalogue_analysis():
    """The catalogue's attention and what drives it (the two sections that read them), or an error and stop."""
    try:
        return analysis.attention_catalogue(ds, model), analysis.attention_drivers(ds, model)
    except RecallError as e:
        st.error(str(e))
        st.stop()


# One section at a time: a closed tab is neither computed nor drawn (the page settles faster in a browser).
one, across, kinds, cold_tab = st.tabs(
    [i18n.t("eges.tab_one"), i18n.t("eges.tab_across"), i18n.t("eges.tab_kinds"), i18n.t("eges.tab_cold")],
    key="eges_section", on_change="rerun")

if one.open is not False:
    with one:
        c1, c2 = st.columns([4, 1])
        item = widgets.pick_item(ctx, "eges_item", "item", container=c1)
        url.seed_state("eges_k", None, 10, valid=lambda v: isinstance(v, int) and 1 <= v <= 50)
        k = c2.number_input("K", min_value=1, max_value=50, step=1, key="eges_k")
        url.remember("eges_item", "eges_k")
        widgets.item_header(ds, item)
        left, right = st.columns([2, 3])
        with left:
            att = analysis.item_attention(ds, model, item)
            exp = analysis.item_exposure(ds, model, item)
            fig = go.Figure(go.Bar(x=att["field"], y=att["weight"], marker_color=[color[f] for f in att["field"]],
                                   text=att["weight"].round(3), textposition="outside"))
            fig.update_layout(title=i18n.t("eges.bar_title"), yaxis=dict(range=[0, 1], title=i18n.t("eges.weight")),
                              height=340, margin=dict(t=50, b=10, l=10, r=10))
            st.plotly_chart(fig, key="eges_item_bar", width="stretch")
            if exp["centre_count"] == 0 or not exp["known"]:
                st.caption(i18n.t("eges.never_centre"))
            elif exp["centre_count"] is not None:
                steps = (i18n.t("eges.centre_steps", centre=exp["centre_steps"], steps=exp["steps"])
                         if exp["centre_steps"] is not None and exp["steps"] else "")
                st.caption(i18n.t("eges.centre_line", count=exp["centre_count"], median=exp["median_centre_count"],
                                  steps=steps))
            else:
                st.caption(i18n.t("eges.not_recorded"))
        with right:
            try:
                nb = item_neighbours(ds, model, item, int(k))
                st.markdown(i18n.t("eges.nearest", k=k))
                widgets.table(nb, hide_index=True, width="stretch", key="eges_neighbours",
                             column_order=["rank", "title", "year", "genres", "score"],
                             column_config={**widgets.item_columns(),
                                            "score": widgets.score_column(i18n.t("common.cosine"), nb["score"])})
            except RecallError as e:
                st.error(str(e))

if across.open is not False:
    with across:
        catalogue, rel = catalogue_analysis()
        recorded = "centre_count" in catalogue
        st.subheader(i18n.t("eges.sparse_head"))
        st.caption(i18n.t("eges.exposure_note"))
        st.markdown(verdicts.eges_verdict(lang, rel))
        if rel["verdict"] != "unrecorded":
            m = st.columns(4)
            m[0].metric(i18n.t("eges.metric_raw"), f"{rel['raw'][0]:+.2f}", help=i18n.t("eges.help_raw"))
            m[1].metric(i18n.t("eges.metric_exposure"), f"{rel['rho_interactions_exposure']:+.2f}",
                        help=i18n.t("eges.help_exposure"))
            m[2].metric(i18n.t("eges.metric_partial"), f"{rel['partial'][0]:+.2f}",
                        help=i18n.t("eges.help_partial"))
            m[3].metric(i18n.t("eges.metric_within", n=rel["n_bins"]), f"{rel['within'][0]:+.2f}",
                        help=i18n.t("eges.help_within"))
            if note := verdicts.eges_popularity_note(lang, rel):
                st.caption(note)
        left, right = st.columns(2)
        with left:
            fig = go.Figure()
            for f in fields:
                fig.add_box(y=catalogue[f], name=f, marker_color=color[f], boxmean=True)
            fig.update_layout(title=i18n.t("eges.boxes_title", n=len(catalogue)), height=380,
                              yaxis=dict(title=i18n.t("eges.weight"), range=[0, 1]), showlegend=False,
                              margin=dict(t=50, b=10, l=10, r=10))
            st.plotly_chart(fig, key="eges_boxes", width="stretch")
        with right:
            id_field = rel["id_field"]
            if recorded:
                cc = catalogue["centre_count"].to_numpy()
                marker = dict(size=5, opacity=0.7, color=np.log10(np.maximum(cc, 1)), colorscale="Viridis", showscale=True,
                              colorbar=dict(title=i18n.t("eges.centre_count"), tickvals=[1, 2, 3, 4],
                                            ticktext=["10", "100", "1k", "10k"]))
                custom, extra = cc, i18n.t("eges.hover_centre")
            else:
                marker, custom, extra = dict(size=5, color=color[id_field], opacity=0.55), None, ""
            fig = go.Figure(go.Scattergl(
                x=catalogue["interactions"], y=catalogue[id_field], mode="markers", text=catalogue["title"],
                marker=marker, customdata=custom,
                hovertemplate=i18n.t("eges.hover_item", extra=extra), name=i18n.t("eges.items")))
            fig.update_layout(title=i18n.t("eges.scatter_title", field=id_field, rho=rel["raw"][0]), height=380,
                              xaxis=dict(title=i18n.t("eges.interactions_log"), type="log"),
                              yaxis=dict(title=i18n.t("eges.field_weight", field=id_field)),
                              margin=dict(t=50, b=10, l=10, r=10))
            st.plotly_chart(fig, key="eges_scatter", width="stretch")
        RHO = st.column_config.NumberColumn(format="%+.2f")
        if len(rel["fields"]):
            st.markdown(i18n.t("eges.fields_head"))
            widgets.table(rel["fields"], hide_index=True, key="eges_fields", column_config={
                "weight": i18n.t("eges.weight"),
                "mean": st.column_config.NumberColumn(i18n.t("eges.col_mean"), format="%.3f"),
                "rho_interactions": st.column_config.NumberColumn(i18n.t("eges.col_rho_interactions"), format="%+.2f"),
                "rho_exposure": st.column_config.NumberColumn(i18n.t("eges.col_rho_exposure"), format="%+.2f"),
                "partial_interactions": st.column_config.NumberColumn(i18n.t("eges.col_partial_interactions"),
                                                                      format="%+.2f"),
                "partial_exposure": st.column_config.NumberColumn(i18n.t("eges.col_partial_exposure"),
                                                                  format="%+.2f"),
                "within_bins": st.column_config.NumberColumn(i18n.t("eges.col_within"), format="%+.2f")})
        left, right = st.columns(2)
        with left:
            if len(rel["bins"]):
                st.markdown(i18n.t("eges.bins_head"))
                widgets.table(rel["bins"], hide_index=True, key="eges_bins", column_config={
                    rel["bins"].columns[2]: st.column_config.NumberColumn(format="%.3f")})
        with right:
            if len(rel["strata"]):
                st.markdown(i18n.t("eges.strata_head", field=rel["id_field"]))
                widgets.table(rel["strata"], hide_index=True, key="eges_strata",
                                column_config={c: RHO for c in rel["strata"].columns[2:]})
        top = catalogue["top_field"].value_counts()
        st.caption(i18n.t("eges.top_field", fields=", ".join(i18n.t("eges.top_field_one", field=f, n=n)
                                                             for f, n in top.items())))

if kinds.open is not False:
    with kinds:
        catalogue, _ = catalogue_analysis()
        recorded = "centre_count" in catalogue
        st.subheader(i18n.t("eges.kinds_head"))
        st.caption(i18n.t("eges.kinds_note"))
        relative = st.toggle(i18n.t("eges.relative"), key="eges_group_relative",
                             disabled=not recorded, help=i18n.t("eges.relative_help"))
        cols = st.columns(2)
        for col, by, title in ((cols[0], "genre", i18n.t("eges.by_genre")), (cols[1], "year_band", i18n.t("eges.by_year"))):
            with col:
                try:
                    groups = analysis.attention_by_group(ds, model, by, relative_to_exposure=relative and recorded)
                except RecallError as e:
                    st.error(str(e))
                    continue
                z = groups[fields].to_numpy()
                ylab = [f"{g} ({n})" for g, n in zip(groups.iloc[:, 0], groups["items"])]
                heat = go.Heatmap(z=z, x=fields, y=ylab, text=np.round(z, 3), texttemplate="%{text}",
                                  colorscale="RdBu" if relative else "Viridis", zmid=0 if relative else None,
                                  hovertemplate="%{y}<br>%{x}: %{z:.3f}<extra></extra>")
                fig = go.Figure(heat)
                fig.update_layout(title=i18n.t("eges.heat_relative" if relative else "eges.heat_mean", by=title),
                                  height=max(300, 26 * len(groups) + 120),
                                  yaxis=dict(autorange="reversed"), margin=dict(t=50, b=10, l=10, r=10))
                st.plotly_chart(fig, key=f"eges_by_{by}", width="stretch")
                contrast = analysis.group_contrast(groups, fields)
                if len(contrast):
                    st.caption(i18n.t("eges.contrast", groups="; ".join(
                        f"{r.field} {r.low:+.3f} ({r.low_group}) → {r.high:+.3f} ({r.high_group})"
                        if relative else f"{r.field} {r.low:.3f} ({r.low_group}) → {r.high:.3f} ({r.high_group})"
                        for r in contrast.itertuples())))
                with st.expander(i18n.t("eges.table_by", by=title)):
                    widgets.table(groups, hide_index=True, key=f"eges_by_{by}_table",
                                    column_config={f: st.column_config.NumberColumn(format="%.3f") for f in fields})

if cold_tab.open is not False:
    with cold_tab:
        st.caption(i18n.t("eges.cold_note"))
        c1, c2, c3 = st.columns([4, 1, 1])
        url.seed_state("eges_cold_genres", None, [g for g in ("Sci-Fi", "Romance") if g in ds.genres] or ds.genres[:1],
                             valid=lambda v: isinstance(v, list) and all(g in ds.genres for g in v))
        genres = c1.multiselect(i18n.t("widgets.col_genres"), ds.genres, key="eges_cold_genres")
        years = ds.items["year"].dropna()
        lo, hi = (int(years.min()), int(years.max())) if len(years) else (1900, 2030)
        url.seed_state("eges_cold_year", None, min(max(1995, lo), hi), valid=lambda v: isinstance(v, int) and lo <= v <= hi)
        year = c2.number_input(i18n.t("widgets.col_year"), min_value=lo, max_value=hi, step=1, key="eges_cold_year")
        url.seed_state("eges_cold_k", None, 10, valid=lambda v: isinstance(v, int) and 1 <= v <= 50)
        kc = c3.number_input("K", min_value=1, max_value=50, step=1, key="eges_cold_k")
        url.remember("eges_cold_genres", "eges_cold_year", "eges_cold_k")
        try:
            vec, cold = analysis.cold_start_neighbours(ds, model, list(genres), int(year), int(kc))
        except (RecallError, ImportError) as e:
            st.error(i18n.t("eges.cold_error", error=e))
        else:
            share = np.mean([bool(set(genres) & set(g.split(", "))) for g in cold["genres"]]) if genres else float("nan")
            st.markdown(i18n.t("eges.cold_head", genres=", ".join(genres) or i18n.t("eges.genreless"), year=year)
                        + (i18n.t("eges.cold_share", share=share) if genres else ""))
            widgets.table(cold, hide_index=True, width="stretch", key="eges_cold_table",
                         column_order=["rank", "title", "year", "genres", "score"],
                         column_config={**widgets.item_columns(),
                                        "score": widgets.score_column(i18n.t("common.cosine"), cold["score"])})

