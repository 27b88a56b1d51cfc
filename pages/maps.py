"""Embedding maps: 2-D UMAP of each model's item vectors (two side by side) and of user vectors."""
import streamlit as st

from recall_core.analysis import maps
from recall_core.app import figures, state, url, widgets
from recall_core.errors import RecallError
from recall_core.explore import item_neighbours
from recall_core.app import i18n
from recall_core.app.i18n import core_texts
from recall_core.app import routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

ctx, ds = state.open_page()
lang = i18n.current()

st.title(i18n.t("page.maps"))
st.caption(i18n.t("maps.caption"))

loaded, errors = ctx.models(ctx.stored)
widgets.show_errors(errors)
item_models = [n for n, m in loaded.items() if maps.mappable(m, "items") is None]
user_models = [n for n, m in loaded.items() if maps.mappable(m, "users") is None]
if not item_models:
    st.info(i18n.t("maps.no_item_models"))
    st.stop()

NN, MD = [5, 10, 15, 30, 50], [0.0, 0.05, 0.1, 0.25, 0.5]
c = st.columns([1, 1, 3])
url.seed_state("maps_nn", None, maps.DEFAULT_N_NEIGHBORS, valid=lambda v: v in NN)  # train computes these
url.seed_state("maps_md", None, maps.DEFAULT_MIN_DIST, valid=lambda v: v in MD)
nn = c[0].select_slider("n_neighbors", NN, key="maps_nn", help=i18n.t("maps.nn_help"))
md = c[1].select_slider("min_dist", MD, key="maps_md", help=i18n.t("maps.md_help"))
url.remember("maps_nn", "maps_md")
# One kind of map at a time: a closed tab is neither computed nor drawn (the page settles faster in a browser).
items_tab, users_tab = st.tabs([i18n.t("overview.items"), i18n.t("overview.users")], key="maps_section",
                               on_change="rerun")
@st.cache_data(show_spinner=False, max_entries=32)
def item_frame(dataset_name: str, store: str, name: str, mtime_ns: int, n_neighbors: int, min_dist: float, _m):
    """:func:`maps.item_frame` of a model's map, built once per model version and setting (not on every rerun)."""
    return maps.item_frame(ds, loaded[name], _m)


def sample_notice(shown, df, id_col: str) -> str:
    """:func:`maps.display_sample`'s notice in the chosen language."""
    return i18n.t("maps.notice_items" if id_col == "item_id" else "maps.notice_users", shown=len(shown),
                  total=len(df), seed=maps.SEED, limit=maps.MAX_POINTS)


def colour_name(colour: str) -> str:
    """A colouring's name (:data:`maps.ITEM_COLOURINGS`; a user column stays as it is) in the reader's language."""
    return core_texts.word(lang, "map_colour", colour, colour) if colour in maps.ITEM_COLOURINGS else colour


def sampled_figure(df, colour: str, title: str, key: str, focus=None, id_col: str = "item_id", hover: str = "title",
                   height: int = 520) -> None:
    """A map (WebGL above :data:`figures.WEBGL_ABOVE` points, else SVG); above :data:`maps.MAX_POINTS` a seeded
    sample, said on the map and under it."""
    shown, notice = maps.display_sample(df, keep=() if focus is None else [focus], id_col=id_col)
    notice = notice and sample_notice(shown, df, id_col)
    fig = figures.figure(shown, colour, title + (f"<br><sup>{notice}</sup>" if notice else ""), hover=hover,
                         focus=focus, id_col=id_col, height=height, colour_label=colour_name(colour),
                         colors=figures.category_palette(df, colour))
    st.plotly_chart(fig, key=key, width="stretch")
    if notice:
        st.caption(i18n.t("maps.sampled", notice=notice))


@st.fragment
def item_maps() -> None:
    """The item maps and their controls. A fragment: changing a control here reruns only this part of the
    page, not the sidebar and the model loading above it."""
    c = st.columns([2, 2, 2])
    prefer = maps.preferred(item_models)
    url.seed_state("maps_left", None, prefer[0], valid=lambda v: v in item_models)
    url.seed_state("maps_right", None, next((n for n in prefer if n != prefer[0]), prefer[0]),
                         valid=lambda v: v in item_models)
    left_name = c[0].selectbox(i18n.t("maps.left"), item_models, key="maps_left")
    right_name = c[1].selectbox(i18n.t("maps.right"), item_models, key="maps_right")
    url.seed_state("maps_colour", None, maps.ITEM_COLOURINGS[0], valid=lambda v: v in maps.ITEM_COLOURINGS)
    colour = c[2].selectbox(i18n.t("maps.colour_by"), maps.ITEM_COLOURINGS, key="maps_colour",
                            format_func={c: colour_name(c) for c in maps.ITEM_COLOURINGS}.__getitem__,
                            help=i18n.t("maps.colour_help"))  # names worded now: the dataset's nouns are this run's
    item = widgets.pick_item(ctx, "maps_item", None, label=i18n.t("maps.highlight"))
    url.remember("maps_left", "maps_right", "maps_colour", "maps_item")

    cols = st.columns(2)
    shown = []
    for side, col, name in zip(("left", "right"), cols, [left_name, right_name]):
        with col:
            widgets.model_header(name)
            try:
                m = state.umap_map(ctx, name, "items", nn, md)
                df = item_frame(ctx.dataset_name, str(ctx.store), name, dict(ctx.stamp).get(name, 0), nn, md, m)
            except RecallError as e:
                st.error(str(e))
                continue
            except Exception as e:  # noqa: BLE001 (one model's map failing leaves the other)
                st.error(i18n.t("maps.draw_error", name=name, error=f"{type(e).__name__}: {e}"))
                continue
            use = colour if colour in df else "primary genre"
            if use != colour:
                st.caption(i18n.t("maps.no_attention", name=name))
            sampled_figure(df, use, i18n.t("maps.items_title", name=name, n=len(df)), key=f"maps_fig_{side}",
                           focus=item)
            st.caption(i18n.t("maps.computed" if m.computed else "maps.from_store", file=m.path.name))
            shown.append((side, name, df, use))
    if shown:
        neighbourhood(item, shown)


@st.fragment
def neighbourhood(item: str, shown: list) -> None:
    """Close-ups of each map around the movie and its K nearest neighbours, on demand (a toggle, off on a first
    visit: they are two more plotly charts to draw, and a first visitor waits 0.2-0.4 s less without them;
    BENCHMARKS.md, "The first visitor of the Maps page"). A fragment of its own: turning them on or changing K
    redraws only the close-ups; the full maps above (thousands of points each) are not sent again."""
    url.seed_state("maps_closeups", None, False, valid=lambda v: isinstance(v, bool))
    on = st.toggle(i18n.t("maps.show_closeups"), key="maps_closeups", help=i18n.t("maps.closeups"))
    url.remember("maps_closeups")
    if not on:
        return
    c1, c2 = st.columns([1, 4])
    url.seed_state("maps_k", None, 10, valid=lambda v: isinstance(v, int) and 0 <= v <= 50)
    k = c1.number_input(i18n.t("maps.neighbours"), min_value=0, max_value=50, step=1, key="maps_k")
    url.remember("maps_k")
    c2.caption(i18n.t("maps.closeups"))
    cols = st.columns(2)
    for (side, name, df, use), col in zip(shown, cols):
        with col:
            try:
                nb = item_neighbours(ds, loaded[name], item, int(k))["item_id"].tolist() if k else []
            except RecallError as e:
                st.error(str(e))
                continue
            sub, notice, xr, yr = maps.close_up(df, item, nb)
            if sub.empty:
                st.caption(i18n.t("maps.not_on_map", name=name))
                continue
            off = len(set(nb) - set(sub["item_id"]))
            fig = figures.figure(sub, use, i18n.t("maps.closeup_title", name=name, n=len(nb)), highlight=nb,
                                 focus=item, height=380, webgl=False, colour_label=colour_name(use),
                                 colors=figures.category_palette(df, use))
            fig.update_layout(xaxis=dict(range=list(xr)), yaxis=dict(range=list(yr)), showlegend=False)
            st.plotly_chart(fig, key=f"maps_zoom_{side}", width="stretch")
            if notice:
                st.caption(i18n.t("maps.sampled_closeup", notice=notice))
            if off:
                st.caption(i18n.t("maps.off_map", n=off))


if items_tab.open is not False:
    with items_tab:
        item_maps()

if users_tab.open is not False:
    with users_tab:
        prefer = maps.preferred(item_models)
        if not user_models:
            st.info(i18n.t("maps.no_user_models"))
            st.stop()
        c = st.columns([2, 2])
        url.seed_state("maps_user_model", None, next((n for n in prefer if n in user_models), user_models[0]),
                             valid=lambda v: v in user_models)
        uname = c[0].selectbox(i18n.t("overview.col_model"), user_models, key="maps_user_model")
        ucols = [x for x in maps.USER_COLOURINGS if x in ds.users.columns]
        if ucols:
            url.seed_state("maps_user_colour", None, ucols[0], valid=lambda v: v in ucols)
            ucolour = c[1].selectbox(i18n.t("maps.colour_by"), ucols, key="maps_user_colour")
        else:
            ucolour = None
            c[1].caption(i18n.t("maps.no_demographics"))
        url.remember("maps_user_model", "maps_user_colour")
        try:
            um = state.umap_map(ctx, uname, "users", nn, md)
            udf = maps.user_frame(ds, um)
            sampled_figure(udf, ucolour or "user_id", i18n.t("maps.users_title", name=uname, n=len(udf)),
                           key="maps_fig_users",
                           id_col="user_id", hover="label", height=480)
        except RecallError as e:
            st.error(str(e))
