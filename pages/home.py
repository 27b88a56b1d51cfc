"""Overview: dataset summary, leaderboard, charts, model cards, training controls, embedding files."""
import json

import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import compare
from recall_core.app import access, leaderboard, state, uploads, url, widgets
from recall_core.app import tuning as tuning_app
from recall_core.app.claims import render_card_facts
from recall_core.app.style import model_color
from recall_core.evaluation.baselines import TRANSITION_DEFAULTS
from recall_core.app import datasets, i18n
from recall_core.store import dataset_dir
from recall_core.app import routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

ctx, ds = state.open_page(models=False)

st.title(i18n.t("page.home"))
s = ds.summary()
c = st.columns(5)
c[0].metric(i18n.t("overview.users"), f"{s['users']:,}")
c[1].metric(i18n.t("overview.items"), f"{s['items']:,}")
c[2].metric(i18n.t("overview.interactions"), f"{s['interactions']:,}")
c[3].metric(i18n.t("overview.first_rating"), s["first"])
c[4].metric(i18n.t("overview.last_rating"), s["last"])
st.caption(i18n.t("overview.summary", dataset=s["dataset"], layout=s["layout"], genres=", ".join(s["genres"]),
                  fields=", ".join(s["user_features"]) or i18n.t("overview.no_user_fields")))
st.markdown("\n".join([i18n.t("dataset.side.head"),  # issue 20: which columns became side information
                         *(f"- {line}" for line in datasets.side_information_lines(ds, i18n.current()))]))
for warning in ds.load_report.get("warnings", []):
    st.warning(widgets.md_escape(f"{s['dataset']}: {warning}"), icon=":material/rule:")

if msg := st.session_state.pop("overview_trained_msg", None):
    st.success(msg)
if lines := st.session_state.pop("overview_imported_msg", None):
    st.success("  \n".join(widgets.md_escape(line) for line in lines))


def time_phrase(family: str | None) -> str:
    """How long training took when this store was trained, or where the times are."""
    span = compare.training_time_span(ctx.manifests(), family=family)
    return i18n.t("overview.time_span", span=span) if span else i18n.t("overview.time_unknown")


def training_controls(expanded: bool) -> None:
    """Choose models (missing ones preselected) and train them with a live progress bar."""
    try:
        from recall_core.models.base import model_names

        known = model_names()
    except Exception as e:  # noqa: BLE001 (a broken model module must not hide the page)
        st.error(i18n.t("overview.list_error", error=f"{type(e).__name__}: {e}"))
        return
    missing = [m for m in known if m not in ctx.stored]
    box = st.expander(i18n.t("overview.train_box") + (i18n.t("overview.train_missing", n=len(missing)) if missing
                                                       else ""), expanded=expanded,
                      key="overview_train_box", on_change="rerun")
    if box.open is False:  # closed: nothing computed or drawn (lazy, for the browser)
        return
    with box:
        st.caption(i18n.t("overview.train_caption", phrase=time_phrase(family=None)))
        url.seed_state("overview_train_models", None, missing or ["mostpop", "item2vec"],
                             valid=lambda v: isinstance(v, list) and all(m in known for m in v))
        col1, col2 = st.columns([4, 1])
        chosen = col1.multiselect(i18n.t("overview.train_models"), known, key="overview_train_models")
        seed = col2.number_input(i18n.t("overview.seed_label"), min_value=0, value=42, step=1, key="overview_seed")
        busy = state.training_in_progress(ctx)
        if busy:
            st.info(busy)
        viewer = access.note("access.what_train")
        if st.button(i18n.t("overview.train_button"), key="overview_train", type="primary",
                     disabled=not chosen or bool(busy) or viewer):
            if state.run_training(ctx, list(chosen), seed=int(seed)):
                st.session_state["overview_trained_msg"] = i18n.t("overview.trained_msg", models=", ".join(chosen))
                st.rerun()


if not ctx.stored:
    st.info(i18n.t("overview.empty_store", store=state.shown_path(dataset_dir(ctx.store, ds.key))))
    training_controls(expanded=True)

rows, errors = ctx.leaderboard()
widgets.show_errors(errors)

st.subheader(i18n.t("overview.leaderboard"))
if why := state.no_evaluable_users(ctx):
    st.warning(why, icon=":material/person_off:")
k = st.radio("K", [5, 10, 20, 50], index=1, horizontal=True, key="overview_k",
             help=i18n.t("overview.k_help"))
leaderboard.render(rows, k, set_by=dict(zip([r["model"] for r in rows],  # issue 21: defaults or tuned
                                            tuning_app.setting_labels(rows, ctx.manifests()))))
st.caption(i18n.t("overview.metrics_note", k=k)
           + i18n.t("overview.transition_description", **TRANSITION_DEFAULTS))
tuning_app.ease_caption(rows)
tuning_app.budget_warning(rows, ctx.manifests())

long = compare.metrics_long(rows)
left, right = st.columns(2)
with left:
    fig = go.Figure()
    for r in rows:
        fig.add_bar(name=r["model"], x=[f"HR@{k}", f"NDCG@{k}"], marker_color=model_color(r["model"]),
                    y=[r["metrics"].get(f"hr@{k}"), r["metrics"].get(f"ndcg@{k}")],
                    hovertemplate=r["model"] + " %{x}: %{y:.4f}<extra></extra>")
    fig.update_layout(barmode="group", title=i18n.t("overview.bars_title", k=k), height=380,
                      margin=dict(t=50, b=10, l=10, r=10), legend_title_text=i18n.t("overview.col_model"),
                      yaxis_title=i18n.t("overview.value"))
    st.plotly_chart(fig, key="overview_bars", width="stretch")
with right:
    fig = go.Figure()
    for name in dict.fromkeys(long["model"]):
        d = long[(long["model"] == name) & (long["metric"] == "HR@K")]
        fig.add_scatter(x=d["K"], y=d["value"], name=name, mode="lines+markers",
                        line=dict(color=model_color(name)))
    fig.update_layout(title=i18n.t("overview.lines_title"), height=380, margin=dict(t=50, b=10, l=10, r=10),
                      xaxis=dict(title="K", tickvals=[5, 10, 20, 50], type="log"), yaxis_title="HR@K")
    st.plotly_chart(fig, key="overview_lines", width="stretch")

if ctx.stored:
    cards = st.expander(i18n.t("overview.cards", n=len(ctx.stored)), key="overview_cards", on_change="rerun")
    if cards.open:  # closed: nothing computed or drawn (lazy, for the browser)
        with cards:
            manifests = ctx.manifests()
            from recall_core.app.i18n import core_texts

            lang = i18n.current()
            try:
                from recall_core.models.base import get_model_class
            except Exception:  # noqa: BLE001
                get_model_class = None
            cols = st.columns(3)
            with cols[0].container(border=True):
                st.markdown(f"<span style='color:{model_color('transition')};font-size:1.2em'>■</span> **transition** "
                            + i18n.t("overview.reference"), unsafe_allow_html=True)
                st.caption(i18n.t("overview.transition_description", **TRANSITION_DEFAULTS))
                st.caption(i18n.t("overview.transition_computed"))
            with cols[1].container(border=True):
                tuning_app.ease_card(rows, model_color("ease"))
            for i, name in enumerate(ctx.stored, start=2):
                man = manifests.get(name)
                with cols[i % 3].container(border=True):
                    st.markdown(f"<span style='color:{model_color(name)};font-size:1.2em'>■</span> **{name}**",
                                unsafe_allow_html=True)
                    if not isinstance(man, dict):
                        st.error(man or i18n.t("overview.no_manifest"))
                        continue
                    card = compare.model_card(man)
                    try:
                        cls = get_model_class(card["model_class"] or name) if get_model_class else None
                    except Exception:  # noqa: BLE001 (unknown class: show the card without a description)
                        cls = None
                    desc = core_texts.description(lang, cls) if cls is not None else ""
                    if desc:
                        st.caption(desc)
                    if cls is not None:  # the class's phrases in the reader's language (the card's are English)
                        card["variant"] = core_texts.variant(lang, cls, man.get("config", {}), man.get("info"))
                    card["views"] = {v: n for v, n in core_texts.manifest_view_notes(lang, man, cls).items()
                                     if v in card["views"]}
                    if card["variant"]:
                        st.caption(i18n.t("overview.variant_stored", variants="; ".join(card["variant"])))
                    ts = card["train_seconds"]
                    if card["model_class"] == "imported":
                        cfg = card["config"]
                        st.caption(widgets.md_escape(i18n.t(
                            "overview.imported", dim=cfg.get("dim"), metric=cfg.get("metric"),
                            vectors=cfg.get("vectors"), ids=cfg.get("ids"))
                            + (i18n.t("overview.imported_users", users=cfg.get("users")) if cfg.get("users") else "")))
                    else:
                        st.markdown(i18n.t("overview.seed_time", seed=card["seed"], secs=ts) if ts is not None
                                    else i18n.t("overview.seed", seed=card["seed"]))
                    st.markdown(i18n.t("overview.created", created=card["created"] or "?")
                                + (i18n.t("overview.variant_of", name=card["variant_of"]) if card["variant_of"] else ""))
                    for view, note in card["views"].items():
                        label = core_texts.word(lang, "view_label", view, compare.VIEW_LABELS.get(view, view))
                        st.caption(i18n.t("overview.view_note", label=label, note=note))
                    render_card_facts(card, key=f"overview_card_{name}", lang=lang, color=model_color(name), cls=cls)
                    tuning_app.study_figures(ctx.store, ds.key, name, man, key=f"overview_card_{name}")
                    st.caption(i18n.t("overview.config", config=json.dumps(card["config"]).replace("`", "'")))

    training_controls(expanded=False)


def embedding_files() -> None:
    """Import vectors trained elsewhere (upload) and export a stored model as TensorFlow Projector files."""
    from recall_core.errors import RecallError
    from recall_core.io import projector

    box = st.expander(i18n.t("overview.files_box"), key="overview_files_box",
                      on_change="rerun")
    if not box.open:  # closed: nothing computed or drawn (lazy, for the browser)
        return
    with box:
        st.caption(i18n.t("overview.files_caption"))
        viewer = access.note("access.what_import")
        c1, c2 = st.columns([3, 2])
        name = c1.text_input(i18n.t("overview.import_name"), key="overview_import_name", placeholder="my-vectors",
                             help=i18n.t("overview.import_name_help"), disabled=viewer)
        metric = c2.radio(i18n.t("overview.import_metric"), ["cosine", "ip"], horizontal=True,
                          key="overview_import_metric", help=i18n.t("overview.import_metric_help"))
        kinds = ["tsv", "txt", "npy"]
        c1, c2 = st.columns(2)
        vec = c1.file_uploader(i18n.t("overview.import_vectors"), type=kinds, key="overview_import_vectors",
                               disabled=viewer)
        ids = c2.file_uploader(i18n.t("overview.import_ids"), type=kinds, key="overview_import_ids", disabled=viewer)
        c1, c2 = st.columns(2)
        uvec = c1.file_uploader(i18n.t("overview.import_users"), type=kinds, key="overview_import_users",
                               disabled=viewer)
        uids = c2.file_uploader(i18n.t("overview.import_user_ids"), type=kinds, key="overview_import_user_ids",
                               disabled=viewer)
        if st.button(i18n.t("overview.import_button"), key="overview_import",
                     disabled=viewer or not (name.strip() and vec and ids)):
            try:
                with st.spinner(i18n.t("overview.importing")):
                    report = uploads.import_uploads(ds, ctx.store, name, metric, vec, ids, uvec, uids)
            except RecallError as e:
                st.error(str(e))
            else:
                st.session_state["overview_imported_msg"] = [
                    i18n.t("overview.replaced" if report.replaced else "overview.imported_ok") + report.lines()[0],
                    *report.lines()[1:]]
                state.select_models([report.name])
                st.rerun()
        if not ctx.stored:
            return
        st.divider()
        c1, c2, c3 = st.columns([2, 2, 1])
        chosen = c1.selectbox(i18n.t("overview.export_model"), ctx.stored, key="overview_export_model")
        view = c2.radio(i18n.t("overview.export_view"), ["similar", "user"], horizontal=True, key="overview_export_view",
                        help=i18n.t("overview.export_view_help"))
        try:
            model = ctx.model(chosen)
        except RecallError as e:
            st.error(str(e))
            return
        if view == "user" and not model.output.has_users:
            c3.caption(i18n.t("overview.no_user_vectors", name=chosen))
            return

        def zipped() -> bytes:  # built when the button is pressed
            import io
            import zipfile

            files = projector.projector_files(ds, model, view)
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
                for fname, text in files.items():
                    z.writestr(fname, text)
            return buf.getvalue()

        c3.download_button(i18n.t("overview.download"), zipped, file_name=f"{chosen.replace('@', '-')}-{view}-projector.zip",
                           mime="application/zip", key="overview_export", on_click="ignore",
                           help=i18n.t("overview.download_help"))


embedding_files()

