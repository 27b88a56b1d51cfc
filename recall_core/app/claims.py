"""Streamlit views of the tutorial's claims, tested on the data (one function per claim).

Each ``render_*`` takes plain arguments (the dataset name, the store path, the
language ``"en"``/``"zh"``, a widget ``key`` prefix), computes through
:mod:`recall_core.analysis.claims` (cached by the store's manifest times, so a
retrained model is recomputed) and shows the result whichever way it comes
out, with one sentence saying what it shows. Strings: :mod:`recall_core.app._claims_text`.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from recall_core.analysis import claims
from recall_core.app import state, widgets
from recall_core.app._claims_text import text
from recall_core.app.style import model_color
from recall_core.errors import RecallError

SPARSE_LIMIT = 5  # "sparse": 1 to this many training interactions (the bucket 1–5 of POPULARITY_BUCKETS)


def _manifests(dataset_name: str, store: str) -> dict:
    ds = state.dataset(dataset_name)
    return state.manifests(dataset_name, store, state.store_stamp(store, ds.key))


def _stamp(dataset_name: str, store: str) -> tuple:
    return state.store_stamp(store, state.dataset(dataset_name).key)


def _outputs(dataset_name: str, store: str, names) -> tuple[dict, dict]:
    """``({name: RecallOutput}, {name: error})`` of stored models (cached loads)."""
    stamp = dict(_stamp(dataset_name, store))
    ok, bad = {}, {}
    for n in names:
        if n not in stamp:
            bad[n] = "not stored"
            continue
        try:
            ok[n] = state._model(dataset_name, store, n, stamp[n]).output
        except RecallError as e:
            bad[n] = str(e)
    return ok, bad


def _split(dataset_name: str):
    from recall_core.data.split import split_for

    return split_for(state.dataset(dataset_name))


def ablation_text(lang: str, s: str) -> str:
    """A decision or variant label of ``bench/ablations.json`` in ``lang``: the file's English is its name (shown with the
    nouns in use); its Chinese is the ``zh.py`` key ``ablation.<English>`` (numbers and names without one stay as they are)."""
    from recall_core.app.i18n import en_nouns, nouns, zh

    if lang == "en" or f"ablation.{s}" not in zh.STRINGS:
        return en_nouns(s)  # the file's "film" in the dataset's words ("movie" on MovieLens)
    return zh.STRINGS[f"ablation.{s}"].format(**nouns(lang))


def _variants(tab: pd.DataFrame, lang: str) -> pd.DataFrame:
    """An :func:`claims.ablation_table` with its variant labels in ``lang``."""
    return tab.assign(variant=[ablation_text(lang, v) for v in tab["variant"]]) if "variant" in tab else tab


def _ablation_caption(data: dict, lang: str) -> None:
    st.caption(text(lang, "common.measured_by", date=data.get("measured", "?"), command=data.get("command", "?")))


def _cell(row: dict | None, label: str, metric: str, shape: str = "ml-100k", split: str = "test") -> float | None:
    for v in (row or {}).get("variants", []):
        if v["label"] == label:
            c = (v.get("cells", {}).get(shape) or {}).get(split) or {}
            return c.get(metric)
    return None


# --------------------------------------------------------------------------- 1. sparse items


@st.cache_data(show_spinner=False, max_entries=8)
def _sparse(dataset_name: str, store: str, stamp: tuple, models: tuple, k: int) -> pd.DataFrame:  # noqa: ARG001
    outputs, _ = _outputs(dataset_name, store, models)
    return claims.hr_by_popularity(outputs, _split(dataset_name), k)


def render_sparse_items(dataset_name: str, store: str | Path, lang: str = "en", k: int = 10,
                        models=("eges", "item2vec"), key: str = "claims_sparse") -> None:
    """HR@k by popularity bucket of the held-out film, EGES against Item2Vec (stored U2I scores)."""
    store = str(store)
    st.subheader(text(lang, "sparse.title"))
    st.caption(text(lang, "sparse.claim"))
    _, bad = _outputs(dataset_name, store, models)
    if bad:
        st.info(text(lang, "common.missing_models", names=", ".join(bad)))
        return
    t = _sparse(dataset_name, store, _stamp(dataset_name, store), tuple(models), k)
    st.caption(text(lang, "sparse.how", k=k))
    fig = go.Figure()
    for name in models:
        d = t[t["model"] == name]
        fig.add_bar(x=[f"{b} (n={n})" for b, n in zip(d["bucket"], d["users"])], y=d["hr"], name=name,
                    marker_color=model_color(name), customdata=d["hits"],
                    hovertemplate=text(lang, "sparse.hover", name=name))
    fig.update_layout(barmode="group", title=text(lang, "sparse.chart", k=k), height=340,
                      xaxis_title=text(lang, "sparse.x"), yaxis_title=f"HR@{k}", margin=dict(t=50, b=10, l=10, r=10))
    st.plotly_chart(fig, key=f"{key}_chart", width="stretch")
    wide = t.pivot(index="bucket", columns="model", values="hr").reindex(claims.bucket_labels())
    wide.insert(0, "users", t.drop_duplicates("bucket").set_index("bucket")["users"])
    widgets.table(wide.reset_index(), key=f"{key}_table", hide_index=True)
    a, b = models[0], models[1]
    # films both models know but saw rarely (the "0" bucket is unknown to both: 0 by construction)
    sparse_labels = [claims.bucket_labels()[1]]
    s = t[t["bucket"].isin(sparse_labels)].groupby("model")[["users", "hits"]].sum()
    users = int(s.loc[a, "users"])
    if users == 0:
        st.info(text(lang, "sparse.none", limit=SPARSE_LIMIT))
        return
    ha, hb = s.loc[a, "hits"] / users, s.loc[b, "hits"] / users
    st.markdown(text(lang, "sparse.verdict_helps" if ha > hb else "sparse.verdict_not", limit=SPARSE_LIMIT,
                     users=users, k=k, a=ha, b=hb))
    if users < 30:
        st.caption(text(lang, "sparse.few", users=users))
    st.caption(text(lang, "sparse.unseen"))


# --------------------------------------------------------------------------- 2. EGES vs GES


def render_eges_vs_ges(dataset_name: str, store: str | Path, lang: str = "en", ablations_path=None,
                       key: str = "claims_ges") -> None:
    """The stored EGES beside the ablation row "side-information weights" (learned attention vs plain mean)."""
    st.subheader(text(lang, "ges.title"))
    st.caption(text(lang, "ges.claim"))
    man = _manifests(dataset_name, str(store)).get("eges")
    if isinstance(man, dict) and (man.get("metrics") or {}).get("hr@10") is not None:
        st.markdown(text(lang, "ges.stored", hr=man["metrics"]["hr@10"]))
    data = claims.load_ablations(ablations_path)
    if data is None:
        st.info(text(lang, "common.no_ablations"))
        return
    model, decision = GES_ABLATION
    row = claims.ablation_row(data, model, decision)
    pairs = {split: (_cell(row, "learned attention (EGES)", "hr@10", split=split),
                     _cell(row, "plain mean (GES)", "hr@10", split=split)) for split in ("valid", "test")}
    pairs = {split: p for split, p in pairs.items() if None not in p}
    learned, mean = pairs.get("test", (None, None))
    tab = claims.ablation_table(row, metrics=("hr@10", "ndcg@10"), splits=("valid", "test"))
    if learned is None or mean is None:
        st.info(text(lang, "common.row_missing", model=model, decision=ablation_text(lang, decision)))
    if tab.shape[1] <= 2:  # no measured cell in the row
        return
    widgets.table(_variants(tab, lang), key=f"{key}_table", hide_index=True)
    _ablation_caption(data, lang)
    if pairs:
        verdict = "ges.verdict_" + claims.compare_pairs(pairs)
        splits = "; ".join(text(lang, "ges.split", split=sp, a=a, b=b) for sp, (a, b) in pairs.items())
        st.markdown(text(lang, verdict, splits=splits))


# --------------------------------------------------------------------------- 3. Airbnb


def render_airbnb_context(lang: str = "en", ablations_path=None, key: str = "claims_airbnb") -> None:
    """The ablation rows on Airbnb's market negatives (U2I and I2I) and global context, with what they show."""
    st.subheader(text(lang, "airbnb.title"))
    st.caption(text(lang, "airbnb.claim"))
    data = claims.load_ablations(ablations_path)
    if data is None:
        st.info(text(lang, "common.no_ablations"))
        return
    for decision, label_key, metric in AIRBNB_ABLATIONS:
        st.markdown(f"**{text(lang, label_key)}**")
        row = claims.ablation_row(data, "airbnb", decision)
        tab = claims.ablation_table(row, metrics=("hr@10", "i2i_hr@10"), splits=("valid", "test"))
        if tab.shape[1] <= 2:  # no measured cell in the row
            st.info(text(lang, "common.row_missing", model="airbnb", decision=ablation_text(lang, decision)))
            continue
        widgets.table(_variants(tab, lang), key=f"{key}_{label_key.split('.')[1]}", hide_index=True)
        if tab.drop(columns=["variant", "kept"]).isna().any().any():
            st.caption(text(lang, "common.cells_missing"))
        if decision.startswith("same-market"):
            vals = {v["label"]: _cell(row, v["label"], metric) for v in row["variants"]}
            got = {lab: x for lab, x in vals.items() if x is not None}
            if got and vals.get("0") is not None:
                best = max(got, key=got.get)
                st.markdown(text(lang, "airbnb.best", variant=best, metric=metric, value=got[best], zero=vals["0"]) + " "
                            + text(lang, "airbnb.market_not" if best == "0" else "airbnb.market_helps"))
        else:
            on, off = _cell(row, "on", "i2i_hr@10"), _cell(row, "off", "i2i_hr@10")
            on_u, off_u = _cell(row, "on", "hr@10"), _cell(row, "off", "hr@10")
            if None not in (on, off, on_u, off_u):
                st.markdown(text(lang, "airbnb.global_verdict", on=on, off=off, on_u=on_u, off_u=off_u))
    _ablation_caption(data, lang)
    st.caption(text(lang, "airbnb.note"))


# --------------------------------------------------------------------------- 4. temperature


def render_temperature_coverage(dataset_name: str, store: str | Path, lang: str = "en",
                                key: str = "claims_tau") -> None:
    """Coverage@10 against τ beside HR@10 against τ, from the stored DSSM τ variants."""
    st.subheader(text(lang, "tau.title"))
    st.caption(text(lang, "tau.claim"))
    t = claims.temperature_table(_manifests(dataset_name, str(store))).dropna(subset=["tau"])
    # the default is also stored under its τ name (dssm and dssm@t0.1): one point per τ, the default kept
    t = t.sort_values(["tau", "default"], ascending=[True, False]).drop_duplicates("tau").reset_index(drop=True)
    if len(t) < 2:
        st.info(text(lang, "tau.none"))
        return
    fig = go.Figure()
    for col, dash in (("HR@10", "solid"), ("Coverage@10", "dot")):
        fig.add_scatter(x=t["tau"], y=t[col], mode="lines+markers", name=col, text=t["model"],
                        line=dict(color=model_color("dssm"), dash=dash),
                        hovertemplate="%{text}: τ = %{x}<br>" + col + " %{y:.4f}<extra></extra>")
    fig.update_layout(title=text(lang, "tau.chart"), height=340, margin=dict(t=50, b=10, l=10, r=10),
                      xaxis=dict(title="τ", type="log", tickvals=t["tau"].tolist(),
                                 ticktext=[f"{x:g}" for x in t["tau"]]), yaxis_title=text(lang, "common.value"))
    st.plotly_chart(fig, key=f"{key}_chart", width="stretch")
    widgets.table(t, key=f"{key}_table", hide_index=True)
    first, last = t.iloc[0], t.iloc[-1]
    if None not in (first["Coverage@10"], last["Coverage@10"]):
        st.markdown(text(lang, "tau.verdict", t0=first["tau"], t1=last["tau"], c0=first["Coverage@10"],
                         c1=last["Coverage@10"], h0=first["HR@10"], h1=last["HR@10"]))


# --------------------------------------------------------------------------- 5. normalisation


@st.cache_data(show_spinner=False, max_entries=8)
def _ip_cos(dataset_name: str, store: str, stamp: tuple, names: tuple) -> pd.DataFrame:  # noqa: ARG001
    outputs, _ = _outputs(dataset_name, store, names)
    split = _split(dataset_name)
    recs = []
    for n, o in outputs.items():
        r = claims.ip_vs_cosine(o, split)
        recs.append({"model": n, "trained with": o.u2i_metric, "unit vectors": claims.is_unit(o),
                     "HR@10 ip": r["ip"]["hr@10"], "HR@10 cosine": r["cosine"]["hr@10"]})
    return pd.DataFrame(recs, columns=["model", "trained with", "unit vectors", "HR@10 ip", "HR@10 cosine"])


def render_normalisation(dataset_name: str, store: str | Path, lang: str = "en",
                         models=("item2vec", "eges", "airbnb", "fm", "youtubednn", "dssm"),
                         key: str = "claims_norm") -> None:
    """Norm against training popularity (scatter, Spearman ρ), and ip against cosine HR@10 of the same vectors."""
    store = str(store)
    st.subheader(text(lang, "norm.title"))
    st.caption(text(lang, "norm.claim"))
    outputs, bad = _outputs(dataset_name, store, models)
    outputs = {n: o for n, o in outputs.items() if o.has_users}
    if not outputs:
        st.info(text(lang, "common.missing_models", names=", ".join(models)))
        return
    name = st.selectbox(text(lang, "norm.model"), list(outputs), key=f"{key}_model")
    out = outputs[name]
    if claims.is_unit(out):
        st.markdown(text(lang, "norm.unit", model=name))
    else:
        split = _split(dataset_name)
        t = claims.norm_table(out, split.train.item_counts)
        fig = go.Figure(go.Scatter(x=t["count"] + 1, y=t["norm"], mode="markers",
                                   marker=dict(color=model_color(name), size=4, opacity=0.6),
                                   hovertemplate=text(lang, "norm.hover")))
        fig.update_layout(title=text(lang, "norm.scatter", model=name), height=340, margin=dict(t=50, b=10, l=10, r=10),
                          xaxis=dict(title=text(lang, "norm.x"), type="log"), yaxis_title="‖v‖")
        st.plotly_chart(fig, key=f"{key}_scatter", width="stretch")
        rho = claims.spearman(t["count"], t["norm"])
        st.markdown(text(lang, "norm.rho", rho=rho, n=len(t)) + " " + text(
            lang, "norm.rho_pos" if rho > 0.3 else "norm.rho_neg" if rho < -0.3 else "norm.rho_none"))
    st.markdown(f"**{text(lang, 'norm.table')}**")
    widgets.table(_ip_cos(dataset_name, store, _stamp(dataset_name, store), tuple(outputs)), key=f"{key}_table",
                  hide_index=True)
    st.caption(text(lang, "norm.table_note"))


# --------------------------------------------------------------------------- 6. tutorial table

#: The ablation rows the views show (``bench/ablations.json``: model, decision): EGES against GES ...
GES_ABLATION = ("eges", "side-information weights")
#: ... Airbnb's market negatives and global context: (decision, the title's key, the metric the verdict reads) ...
AIRBNB_ABLATIONS = (("same-market negative share (U2I)", "airbnb.market_u2i", "hr@10"),
                    ("same-market negative share (I2I)", "airbnb.market_i2i", "i2i_hr@10"),
                    ("booked film as global context", "airbnb.global", "i2i_hr@10"))
#: ... and the rows that back the tutorial table's explanations: (model, decision, the tutorial's variant label, ours)
TUTORIAL_ABLATIONS = (
    ("fm", "loss", "BCE with sampled negatives (tutorial)", "softmax over the catalogue"),
    ("fm", "history features", "none (tutorial)", "last 20 films"),
    ("dssm", "tower", "tanh + BatchNorm + dropout (tutorial)", "ReLU"),
    ("item2vec", "history as", "set (paper, tutorial)", "sequence, window 5"),
)


def render_tutorial_table(dataset_name: str, store: str | Path, lang: str = "en", ablations_path=None,
                          key: str = "claims_tutorial") -> None:
    """The tutorial's HR@10 / NDCG@10 (a chosen version of the book) beside this project's stored models."""
    st.subheader(text(lang, "tut.title"))
    snaps = {c: (d, p) for c, d, p, _ in claims.TUTORIAL_SNAPSHOTS}
    # The chapter this app follows is the default row set; the notebook versions stay as the range.
    options = [claims.CHAPTER, *list(snaps)[::-1]]
    snap = st.selectbox(text(lang, "tut.snapshot"), options, key=f"{key}_snapshot",
                        format_func=lambda c: text(lang, "tut.chapter_option") if c == claims.CHAPTER
                        else f"{c} ({snaps[c][0]})")
    if snap == claims.CHAPTER:
        st.caption(text(lang, "tut.chapter_source", n=len(snaps)) + f" {claims.TUTORIAL_REPO}")
    else:
        st.caption(text(lang, "tut.source", commit=snap, date=snaps[snap][0], n=len(snaps))
                   + f" {claims.TUTORIAL_REPO}")
    man = _manifests(dataset_name, str(store))
    t = claims.tutorial_table(claims.project_metrics(man), snap)
    widgets.table(t, key=f"{key}_table", hide_index=True, column_config={
        c: st.column_config.NumberColumn(format="%.4f") for c in t.columns if "HR" in c or "NDCG" in c or "P@" in c})
    st.caption(text(lang, "tut.ours", dataset=dataset_name))
    st.markdown(f"**{text(lang, 'tut.why')}**")
    fm = t.set_index("model").loc["fm"]
    for k in ("tut.why_loss", "tut.why_hist", "tut.why_protocol"):
        st.markdown("- " + text(lang, k))
    st.markdown("- " + text(lang, "tut.why_unstable", lo=fm["tutorial HR@10 min"], hi=fm["tutorial HR@10 max"]))
    data = claims.load_ablations(ablations_path)
    if data is None:
        st.caption(text(lang, "common.no_ablations"))
        return
    for model, decision, tutorial_label, ours in TUTORIAL_ABLATIONS:
        row = claims.ablation_row(data, model, decision)
        a, b = _cell(row, tutorial_label, "hr@10"), _cell(row, ours, "hr@10")
        if a is None or b is None:
            st.caption(text(lang, "tut.ablation_missing", model=model, decision=ablation_text(lang, decision)))
            continue
        st.caption(text(lang, "tut.ablation", model=model, decision=ablation_text(lang, decision),
                        cells=f"{ablation_text(lang, tutorial_label)} {a:.4f} · {ablation_text(lang, ours)} {b:.4f}"))
    _ablation_caption(data, lang)


# --------------------------------------------------------------------------- 7. model cards


def render_card_facts(card: dict, key: str, lang: str = "en", color: str | None = None, cls=None) -> None:
    """On an Overview model card (:func:`recall_core.analysis.compare.model_card`): loss per epoch (a small
    chart), the counts training recorded, and the user-scoring rule (``cls``: the model's class, whose "user"
    view sentence words the rule in ``lang``; the manifest records it in English)."""
    from recall_core.app.i18n import core_texts

    f = card
    if f["epoch_loss"]:
        loss = f["epoch_loss"]
        fig = go.Figure(go.Scatter(x=np.arange(1, len(loss) + 1), y=loss, mode="lines+markers",
                                   line=dict(color=color or "#444444"),
                                   hovertemplate=text(lang, "card.epoch") + " %{x}: %{y:.4f}<extra></extra>"))
        fig.update_layout(title=dict(text=text(lang, "card.loss"), font=dict(size=13)), height=160,
                          margin=dict(t=30, b=5, l=5, r=5), xaxis=dict(title=None, dtick=1), yaxis_title=None,
                          showlegend=False)
        st.plotly_chart(fig, key=f"{key}_loss", width="stretch")
    elif card.get("model_class") not in (None, "imported", "mostpop"):
        st.caption(text(lang, "card.no_loss"))
    if f["counts"]:
        st.caption(text(lang, "card.counts_line", counts=" · ".join(
            f"{core_texts.word(lang, 'card_count', k, k)} {v:,}" for k, v in f["counts"].items())))
    if f["user_scoring"]:
        scoring = widgets.md_escape(str(f["user_scoring"]))
        if lang != "en" and cls is not None and "user" in cls.view_notes:
            scoring = core_texts.view_notes(lang, cls, card.get("config"))["user"]
        st.caption(text(lang, "card.scoring_line", rule=scoring))


def shown_ablations() -> list[tuple[str, str]]:
    """``(model, decision)`` of every ablation row these views show (their labels need a Chinese name)."""
    return [GES_ABLATION, *(("airbnb", d) for d, _, _ in AIRBNB_ABLATIONS),
            *((m, d) for m, d, _, _ in TUTORIAL_ABLATIONS)]
