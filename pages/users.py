"""User recall (U2I): a user's history, each model's top-K unseen items, the held-out item's rank, genre mix."""
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import compare
from recall_core.app import state, widgets
from recall_core.app import tuning as tuning_app
from recall_core.app.style import HISTORY_COLOR, model_color
from recall_core.explore import user_profile
from recall_core.app import i18n
from recall_core.app.i18n import core_texts
from recall_core.app import routing

routing.through_app()  # a fresh server's first request of this URL: handed to app.py (see routing)

ctx, ds = state.open_page(url_state={})
lang = i18n.current()

st.title(i18n.t("page.users"))
st.caption(i18n.t("users.caption"))


@st.fragment
def view() -> None:
    """The user, K and everything they decide. A fragment: picking another one or changing K reruns
    only this part of the page (not the sidebar), so the browser settles sooner."""
    user, k = widgets.pick_with_k(ctx, "user", "u2i", k_max=100)
    names = ctx.selected
    widgets.copy_link("u2i_copy_link")

    profile = user_profile(ds, user)
    demo = {c: v for c, v in profile["demographics"].items() if c != "user_id" and v == v and v is not None}
    test_item = profile["test_item"]
    left, right = st.columns([2, 3])
    with left:
        st.subheader(i18n.t("users.user_head", user=user))
        if demo:
            st.markdown(" · ".join(f"{c}: **{v}**" for c, v in demo.items()))
        st.markdown(i18n.t("users.n_training", n=len(profile["history"])))
        if test_item is not None:
            st.markdown(i18n.t("users.held_out", title=widgets.md_escape(ds.item_label(ds.item_vocab.index(test_item)))))
        else:
            st.caption(i18n.t("users.single"))
    with right:
        st.markdown(i18n.t("users.history_head"))
        widgets.table(compare.recent_history(ds, user, 15), hide_index=True, width="stretch", height=250,
                     column_order=["#", "title", "year", "genres", "rating", "date"], key="u2i_history",
                     column_config={**widgets.item_columns(),
                                    "rating": st.column_config.NumberColumn(i18n.t("users.col_rating"), format="%.0f ★",
                                                                            width="small"),
                                    "date": st.column_config.DatetimeColumn(i18n.t("users.col_date"),
                                                                            format="YYYY-MM-DD HH:mm")})

    if not names:
        st.info(i18n.t("common.choose_models"))
        st.stop()

    models, load_errors = ctx.models(names)
    tables, errors = compare.user_tables(ds, models, user, int(k))
    ease_table, ease_rank = tuning_app.ease_for_user(ctx, user, int(k))  # issue 21: the EASE reference
    refs = {} if ease_table is None else {"ease": ease_table}
    widgets.show_errors(load_errors)
    reasons = {english.format(user=user): core_texts.word(lang, "no_user_list", why, english).format(user=user)
               for why, english in compare.NO_USER_LIST.items()}
    for name, msg in errors.items():
        (st.info if msg in reasons else st.error)(f"**{name}**: {reasons.get(msg, msg)}")

    if tables and test_item is not None:
        ranks = {n: compare.test_item_rank(ds, models[n], user) for n in tables}
        if refs:
            ranks["ease"] = ease_rank
        cols = st.columns(len(ranks))
        for col, (n, r) in zip(cols, ranks.items()):
            hit = r is not None and r <= k
            col.metric(i18n.t("users.rank_label", name=n),
                       "—" if r is None else (f"{r}" if r <= ds.n_items else i18n.t("users.unranked")),
                       delta=i18n.t("users.in_top_k") if hit else None, delta_color="normal", border=True)

    if tables:
        if test_item is not None:
            st.caption(i18n.t("users.side_by_side", k=k))
        widgets.side_by_side(*compare.side_by_side({**tables, **refs}, mark="held_out"), key="u2i_compare",
                             style=lambda h: widgets.HELD_OUT_SHADE if h is True or h == 1 else "")
        if refs:
            st.caption(i18n.t("tuning.ease_user_caption"))
    names_ok = list(tables)
    first = next((n for n in names_ok if n != "mostpop"), None)
    for name, tab in widgets.model_tabs(names_ok, key="u2i_model_tab", default=first):
        t = tables[name]
        with tab:
            widgets.model_header(name)
            st.caption(core_texts.stored_view_notes(lang, models[name]).get("user", ""))
            styled = t.style.apply(lambda r: [widgets.HELD_OUT_SHADE if r["held_out"] else "" for _ in r], axis=1)
            widgets.table(styled, hide_index=True, width="stretch", key=f"u2i_table_{name}",
                          column_order=["rank", "title", "year", "genres", "score", "held_out"],
                          column_config={**widgets.item_columns(),
                                         "score": widgets.score_column(i18n.t("common.score"), t["score"]),
                                         "held_out": st.column_config.CheckboxColumn(i18n.t("users.col_held_out"),
                                                                                     width="small")})

    if tables:
        mix = compare.genre_mix(ds, profile["history"]["item_id"], {**tables, **refs})
        fig = go.Figure()
        for src in ["history", *tables, *refs]:
            d = mix[mix["source"] == src]
            fig.add_bar(name=i18n.t("users.history_trace") if src == "history" else src, x=d["genre"].astype(str),
                        y=d["share"], marker_color=HISTORY_COLOR if src == "history" else model_color(src))
        fig.update_layout(barmode="group", title=i18n.t("users.genre_mix", k=k), height=380,
                          yaxis=dict(title=i18n.t("users.share"), tickformat=".0%"), margin=dict(t=50, b=10, l=10, r=10))
        st.plotly_chart(fig, key="u2i_genres", width="stretch")


view()
