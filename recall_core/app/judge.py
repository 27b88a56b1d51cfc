"""The Judge page's body: the session bar, graded judging, blind A/B votes, the results and the probe sets.

The page file (``pages/judge.py``) only lays these out. Every number comes from :mod:`recall_core.judge`;
this module draws widgets and turns clicks into rows of the judgments database.

* **Session bar** (:func:`session_bar`): the judge's name, the probe set, movies or users, and K; kept in the URL
  (``?judge=&set=&kind=&k=``), so a reload, a bookmark or the next day opens the same place.
* **Graded judging** (:func:`graded_panel`, a fragment: a click reruns only the panel, not the page): one probe
  at a time, its pooled movies in the judge's own random order, without model names, scores or ranks, a grade
  control beside each title. Each grade is written at once; after the last grade of a probe the next probe
  opens. A new session (a reload, another day) starts at the first probe with an unjudged movie.
* **A/B** (:func:`ab_panel`, a fragment): two models' lists side by side as A and B (a random pair and order);
  four answers.
* **Results** (:func:`results_panel`): :func:`recall_core.judge.summary.summarize` as tables, with every n, and
  the downloads (CSV, qrels, a model's run).
* **Probe sets** (:func:`probe_sets_panel`): the stored sets, a new seeded set, probes added by hand.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from recall_core.app import access, url, widgets
from recall_core.app.i18n import current, en_nouns, t, text
from recall_core.app.state import Context
from recall_core.errors import RecallError
from recall_core.judge import pool
from recall_core.judge import stats as S
from recall_core.judge.probes import DEFAULT_N, DEFAULT_SEED, DEFAULT_SET, KINDS, Probe

#: the grade control's options, left to right: 0, 1, 2 and can't judge (stored as NULL)
CANT = "?"
GRADE_OPTIONS = (0, 1, 2, CANT)
K_MAX = 50
ANSWERS = ("a", "b", "tie", "both_bad")
#: each movie is one element: its grade control, the title as the control's label, set beside the buttons (one
#: element per row instead of columns + text + control: the next probe drew in half the time on the same machine)
ROWS_CSS = """<style>
.st-key-judge_rows [data-testid="stElementContainer"] { width: 100%; }
.st-key-judge_rows [data-testid="stButtonGroup"] { display: flex; flex-direction: row; align-items: center;
  gap: 1rem; width: 100%; }
.st-key-judge_rows [data-testid="stButtonGroup"] > label { flex: 0 0 55%; max-width: 55%; margin: 0; }
</style>"""
#: after the last grade of a probe (at the bottom of the list), bring the next probe's top into view
SCROLL_JS = """<script>(() => {
  const top = document.querySelector(".st-key-judge_panel_top");
  if (top) top.scrollIntoView({block: "start"});
})();</script>"""


@dataclass
class Session:
    """This run's judging context: the store's database, who judges (None: no valid name yet), which set,
    which kind of probe, K, the models whose lists are pooled (the sidebar's) and how the name was given
    (``typed``, or ``login``: the signed-in user's e-mail)."""

    ctx: Context
    db: object
    judge: str | None
    probe_set: str
    kind: str
    k: int
    names: list[str]
    name_source: str = "typed"

    @property
    def ds(self):
        return self.ctx.ds

    def tag(self) -> str:
        """A short key part naming this judge, set and kind (widget keys stay apart when any of them changes)."""
        return hashlib.sha1(f"{self.judge}\x00{self.probe_set}\x00{self.kind}".encode()).hexdigest()[:8]

    def runs(self, probes: list[Probe]) -> dict[str, dict[str, list[str]]]:
        """``{model: {probe id: list}}`` of the selected models (cached per models, probes and K)."""
        models, errors = self.ctx.models(self.names)
        widgets.show_errors(errors)
        return _runs(self.ctx.dataset_name, str(self.ctx.store), self.ctx.stamp, tuple(models),
                     tuple(p.id for p in probes), self.k, self.ds, models)


@st.cache_data(show_spinner=False, max_entries=64)
def _runs(dataset_name: str, store: str, stamp: tuple, names: tuple, probe_ids: tuple, k: int, _ds, _models):
    probes = [Probe(p, p.split(":", 1)[0], p.split(":", 1)[1]) for p in probe_ids]
    return pool.runs_for(_ds, {n: _models[n] for n in names}, probes, k)


def database(ctx: Context):
    from recall_core.judge.summary import open_db

    return open_db(ctx.ds, ctx.store)


def _session_id() -> str:
    return st.session_state.setdefault("judge_session_id", secrets.token_hex(8))


def login_state() -> tuple[bool, str | None]:
    """``(configured, e-mail)``: whether the app runs behind Streamlit's ``st.login`` (an ``[auth]`` section in
    its secrets: then ``st.user`` has ``is_logged_in``), and the signed-in user's e-mail (None when signed out)."""
    info = st.user.to_dict()
    if "is_logged_in" not in info:
        return False, None
    return True, (str(info.get("email") or "") or None) if info.get("is_logged_in") else None


def _write_error(e: RecallError) -> str:
    """The message of a refused judgment write (the rate limit in the reader's language)."""
    from recall_core.errors import RateLimitError
    from recall_core.judge.judges import RATE_LIMIT, RATE_WINDOW

    return t("judge.too_fast", n=RATE_LIMIT, window=f"{RATE_WINDOW:g}") if isinstance(e, RateLimitError) else str(e)


# --------------------------------------------------------------------------- the session bar


def session_bar(ctx: Context) -> Session:
    """Name, probe set, kind and K, seeded from the URL and written back to it; the probe set ``default`` is
    created (seed 0, 30 movies and 30 users) when a judge opens a store that has none.

    The name: behind ``st.login``, the signed-in user's e-mail, shown and not typed (signed out: a sign-in
    button, no name); otherwise typed once (kept in the URL) and checked by
    :func:`recall_core.judge.judges.check_judge`."""
    from recall_core.judge.judges import check_judge

    db = database(ctx)
    try:
        sets = [s["name"] for s in db.probe_sets()]
    except RecallError as e:
        st.error(str(e))
        st.stop()
    c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
    configured, email = login_state()
    judge = None
    if configured:
        source = "login"
        if email:
            c1.text_input(t("judge.name"), value=email, key="judge_login_name", disabled=True,
                          help=t("judge.login_help"))
            try:
                judge = check_judge(email, source)
            except RecallError as e:
                st.error(str(e))
        elif c1.button(t("judge.sign_in"), key="judge_sign_in", help=t("judge.login_help")):
            st.login()
    else:
        source = "typed"
        url.seed_state("judge_name", "judge", "", valid=lambda v: isinstance(v, str))
        name = c1.text_input(t("judge.name"), key="judge_name", placeholder=t("judge.name_placeholder"),
                             help=t("judge.name_help"), max_chars=60)
        if name.strip():
            try:
                judge = check_judge(name, source)
            except RecallError as e:
                st.error(str(e))
    if judge and not sets:
        _create_default_set(ctx, db, judge)
        sets = [s["name"] for s in db.probe_sets()]
    options = sets or [DEFAULT_SET]
    url.seed_state("judge_set", "set", options[0], valid=lambda v: v in options,
                   expected=f"a probe set of this store ({', '.join(options)})", label=str)
    probe_set = c2.selectbox(t("judge.set"), options, key="judge_set", help=t("judge.set_help"))
    url.seed_state("judge_kind", "kind", "item", valid=lambda v: v in KINDS, expected="item or user",
                   label=lambda v: t(f"judge.kind_{v}"))
    # worded now (language and the dataset's nouns): a format function runs again when the next run reads the widget
    kind_labels = {v: t(f"judge.kind_{v}") for v in KINDS}
    kind = c3.radio(t("judge.kind"), KINDS, key="judge_kind", format_func=kind_labels.__getitem__, horizontal=True)
    url.seed_state("judge_k", "k", 10, parse=int, valid=lambda v: isinstance(v, int) and 1 <= v <= K_MAX,
                   expected=f"a whole number K from 1 to {K_MAX}", label=lambda v: f"K = {v}")
    k = c4.number_input("K", min_value=1, max_value=K_MAX, step=1, key="judge_k", help=t("judge.k_help"))
    url.remember(*(() if configured else ("judge_name",)), "judge_set", "judge_kind", "judge_k")
    params = {"set": probe_set, "kind": kind, "k": k, "models": ",".join(ctx.selected)}
    url.set_url(**({"judge": judge} if judge and not configured else {}), **params)
    return Session(ctx, db, judge, probe_set, kind, int(k), list(ctx.selected), source)


def _create_default_set(ctx: Context, db, judge: str) -> None:
    from recall_core.judge.probes import make_probes

    try:
        db.create_probe_set(DEFAULT_SET, make_probes(ctx.ds, DEFAULT_SEED, DEFAULT_N, DEFAULT_N), DEFAULT_SEED,
                            DEFAULT_N, DEFAULT_N, created_by=judge)
    except RecallError as e:
        st.error(str(e))
        st.stop()


def _probes(sess: Session) -> list[Probe]:
    try:
        return sess.db.probes(sess.probe_set, sess.kind)
    except RecallError as e:
        st.error(str(e))
        return []


def _panel_probes(sess: Session, min_models: int = 1) -> list[Probe]:
    """A judging panel's start: the probes of the set and kind, or ``[]`` after saying why there is nothing to
    judge (no name yet, no probes, too few models); a write that failed in the last click is said first."""
    if sess.judge is None:
        st.info(t("judge.sign_in_first" if sess.name_source == "login" else "judge.type_name"), icon=":material/badge:")
        return []
    if msg := st.session_state.pop("judge_write_error", None):
        st.error(t("judge.not_saved", error=msg))
    probes = _probes(sess)
    if not probes:
        st.info(t("judge.no_probes", kind=t(f"judge.kind_{sess.kind}")))
    elif len(sess.names) < min_models:
        st.info(t("common.choose_models") if min_models == 1 else t("judge.ab_two_models"))
        return []
    return probes


def probe_header(sess: Session, probe: Probe) -> None:
    """What the judge judges against: the movie (title, year, genres, interactions) or the user and their recent
    history (as the User page shows it)."""
    from recall_core.analysis import compare

    if probe.kind == "item":
        widgets.item_header(sess.ds, probe.key)
        return
    from recall_core.explore import user_profile

    prof = user_profile(sess.ds, probe.key)
    demo = {c: v for c, v in prof["demographics"].items() if c != "user_id" and v == v and v is not None}
    st.markdown(t("judge.user_line", user=widgets.md_escape(probe.key), n=len(prof["history"]))
                + (" · " + " · ".join(f"{c}: **{widgets.md_escape(v)}**" for c, v in demo.items()) if demo else ""))
    widgets.table(compare.recent_history(sess.ds, probe.key, 15), hide_index=True, width="stretch", height=250,
                  column_order=["#", "title", "year", "genres", "rating", "date"], key="judge_history",
                  column_config={**widgets.item_columns(),
                                 "rating": st.column_config.NumberColumn("Rating", format="%.0f ★", width="small"),
                                 "date": st.column_config.DatetimeColumn("Date", format="YYYY-MM-DD")})


# --------------------------------------------------------------------------- graded judging


def _grade_labels(lang: str):
    """The grade control's labels in ``lang`` (bound when drawn, not when the next run reads the widget)."""
    return lambda option: text(lang, "judge.grade_cant" if option == CANT else f"judge.grade_{option}")


def _first_open(probes: list[Probe], pools: dict[str, list[str]], mine: dict) -> int:
    """The first probe with a movie the judge has not judged (the last probe when all are judged)."""
    for i, p in enumerate(probes):
        if any((p.id, it) not in mine for it in pools[p.id]):
            return i
    return max(len(probes) - 1, 0)


def _store_grade(db, judge: str, probe: Probe, item: str, key: str, pos_key: str, index: int,
                 pool_ids: tuple, probe_set: str, name_source: str = "typed") -> None:
    """The grade control's callback: write the grade; when it was the probe's last unjudged movie, open the next
    probe. A failed write says so and puts the control back to what is stored."""
    value = st.session_state.get(key)
    if value is None:
        return
    try:
        before = {r["item_id"] for r in db.current_graded(probe.kind, judge, probe.id)}
        db.add_graded(judge, probe, item, None if value == CANT else int(value), probe_set=probe_set,
                      name_source=name_source, session=_session_id())
    except RecallError as e:
        st.session_state["judge_write_error"] = _write_error(e)
        st.session_state[key] = None
        return
    now = before | {item}
    if item not in before and set(pool_ids) <= now and st.session_state.get(pos_key) == index:
        st.session_state[pos_key] = index + 1
        st.session_state["judge_scroll"] = True


@st.fragment
def graded_panel(sess: Session) -> None:
    """One probe: its header, its pool in the judge's order with a grade control per movie, the progress and the
    navigation. A fragment: a grade reruns only this panel."""
    probes = _panel_probes(sess)
    if not probes:
        return
    runs = sess.runs(probes)
    try:
        mine = {(r["probe"], r["item_id"]): r["grade"] for r in sess.db.current_graded(sess.kind, sess.judge)}
    except RecallError as e:
        st.error(str(e))
        return
    pools = {p.id: pool.pool_items(sess.ds, runs, p.id) for p in probes}
    total = sum(len(v) for v in pools.values())
    done = sum(1 for p in probes for it in pools[p.id] if (p.id, it) in mine)
    pos_key = f"judge_pos_{sess.tag()}"
    if pos_key not in st.session_state:
        st.session_state[pos_key] = _first_open(probes, pools, mine)
    pos = min(max(int(st.session_state[pos_key]), 0), len(probes) - 1)
    st.session_state[pos_key] = pos
    probe = probes[pos]
    items = pool.shown_order(pools[probe.id], sess.judge, probe.id)
    here = sum(1 for it in items if (probe.id, it) in mine)
    with st.container(key="judge_panel_top"):
        st.progress(done / total if total else 1.0,
                    text=t("judge.progress", done=done, total=total, here=here, n_here=len(items), probe=pos + 1,
                           n_probes=len(probes)))
    if st.session_state.pop("judge_scroll", False):
        st.html(SCROLL_JS, unsafe_allow_javascript=True)
    if done == total and total:
        st.success(t("judge.all_done", n=total), icon=":material/task_alt:")
    nav = st.columns([1, 1, 1, 3])

    def go(to: int) -> None:
        st.session_state[pos_key] = to

    nav[0].button(t("judge.prev"), key="judge_prev", on_click=go, args=(pos - 1,), disabled=pos == 0,
                  icon=":material/arrow_back:")
    nav[1].button(t("judge.next"), key="judge_next", on_click=go, args=(pos + 1,), disabled=pos >= len(probes) - 1,
                  icon=":material/arrow_forward:")
    nav[2].button(t("judge.next_open"), key="judge_next_open", on_click=go, args=(_first_open(probes, pools, mine),),
                  disabled=done == total, icon=":material/skip_next:")
    st.subheader(t("judge.probe_head", probe=probe.id, n=pos + 1, total=len(probes)))
    probe_header(sess, probe)
    st.caption(t("judge.grade_help", k=sess.k))
    st.html(ROWS_CSS)
    labels = sess.ctx.items()[1]
    tag = sess.tag()
    grade_label = _grade_labels(current())
    # Row i's control keeps its key from probe to probe (its label, the title, changes): the browser updates the
    # rows in place instead of building new ones. So the rows' values are set here whenever they show other
    # movies: another probe, other models, another K.
    shown = (probe.id, tuple(items))
    if st.session_state.get(f"judge_rows_{tag}") != shown:
        for i, it in enumerate(items):
            stored = mine.get((probe.id, it), "missing")
            st.session_state[f"judge_g_{tag}_{i}"] = None if stored == "missing" else (CANT if stored is None
                                                                                       else stored)
        st.session_state[f"judge_rows_{tag}"] = shown
    with st.container(key="judge_rows"):
        for i, it in enumerate(items):
            key = f"judge_g_{tag}_{i}"
            st.segmented_control(
                widgets.md_escape(labels.get(it, it)), GRADE_OPTIONS, format_func=grade_label, key=key,
                required=True, on_change=_store_grade,
                args=(sess.db, sess.judge, probe, it, key, pos_key, pos, tuple(items), sess.probe_set,
                      sess.name_source))


# --------------------------------------------------------------------------- A/B


def _vote(db, judge, probe, a, version_a, b, version_b, answer, probe_set, name_source: str = "typed") -> None:
    try:
        db.add_vote(judge, probe, a, version_a, b, version_b, answer, probe_set=probe_set, name_source=name_source,
                    session=_session_id())
    except RecallError as e:
        st.session_state["judge_write_error"] = _write_error(e)


@st.fragment
def ab_panel(sess: Session) -> None:
    """A blind A/B vote: one probe, two models' lists as A (left) and B (right), four answers."""
    probes = _panel_probes(sess, min_models=2)
    if not probes:
        return
    runs = sess.runs(probes)
    try:
        votes = sess.db.current_votes(sess.kind, sess.judge)
        n = sess.db.count_votes(sess.judge, sess.kind, sess.probe_set)
    except RecallError as e:
        st.error(str(e))
        return
    done = {(v["probe"], frozenset((v["model_a"], v["model_b"]))) for v in votes}
    st.caption(t("judge.ab_count", n=len(votes)))
    drawn = pool.ab_draw(sess.judge, sess.probe_set, sess.kind, n, probes, runs, done)
    if drawn is None:
        st.success(t("judge.ab_all_done"), icon=":material/task_alt:")
        return
    probe, a, b = drawn
    models, _ = sess.ctx.models([a, b])
    labels = sess.ctx.items()[1]
    st.subheader(t("judge.probe_head", probe=probe.id, n=probes.index(probe) + 1, total=len(probes)))
    probe_header(sess, probe)
    st.caption(t("judge.ab_help"))
    left, right = st.columns(2)
    for col, name, side in ((left, a, "A"), (right, b, "B")):
        with col:
            st.markdown(f"**{t('judge.ab_list', side=side)}**")
            st.markdown("\n".join(f"{r}. {widgets.md_escape(labels.get(i, i))}"
                                  for r, i in enumerate(runs[name][probe.id], start=1)))
    cols = st.columns(4)
    args = (sess.db, sess.judge, probe, a, models[a].manifest.get("version") if a in models else None, b,
            models[b].manifest.get("version") if b in models else None)
    for col, answer in zip(cols, ANSWERS):
        col.button(t(f"judge.ab_{answer}"), key=f"judge_ab_{answer}", on_click=_vote,
                   args=(*args, answer, sess.probe_set, sess.name_source), width="stretch")


# --------------------------------------------------------------------------- results


@st.cache_data(show_spinner=False, max_entries=32)
def _summary(dataset_name: str, store: str, stamp: tuple, db_stamp: tuple, kind: str, names: tuple, k: int,
             _ds, _loaded) -> dict:
    from pathlib import Path

    from recall_core.judge.summary import summarize

    return summarize(_ds, Path(store), kind, list(names), k, loaded=_loaded)


def _fmt(x, nd: int = 3) -> str:
    return "–" if x is None else f"{x:.{nd}f}"


def _ci(ci) -> str:
    return "–" if not ci else f"[{ci[0]:.3f}, {ci[1]:.3f}]"


#: The Results tables' column names (as the rows are built) -> their i18n key ("judge.col.*"); a ``{metric}`` or
#: ``{model}`` part is filled from the name. Metric names (P@K, nDCG@K, coverage@K) and model names stay as they are.
_COLUMN_KEYS = {"model": "model", "probes (n)": "probes_n", "verdict": "verdict", "probes needed": "probes_needed",
                "rating": "rating", "votes (n)": "votes_n", "a wins": "a_wins", "b wins": "b_wins", "ties": "ties",
                "both bad": "both_bad", "decisive (n)": "decisive_n", "95% CI": "ci"}


def column_label(col: str) -> str:
    """The reader's-language header of a Results column (``col`` as the rows name it)."""
    if col in _COLUMN_KEYS:
        return t(f"judge.col.{_COLUMN_KEYS[col]}")
    if col.startswith("offline "):
        return t("judge.col.offline", metric=col.removeprefix("offline ").upper())
    if col.endswith(" 95% CI"):
        return t("judge.col.metric_ci", metric=col.removesuffix(" 95% CI"))
    return col  # a metric's name (P@K, nDCG@K, coverage@K, nDCG@K a − b), a/b: as they are


def _number_columns(rows: list[dict]) -> dict:
    """Every column of ``rows`` with its header in the reader's language: three decimals for the score columns,
    whole numbers for counts (``(n)``, ``needed``)."""
    cols = dict.fromkeys(c for r in rows for c in r)
    out = {}
    for c in cols:
        numeric = any(isinstance(r.get(c), float) or r.get(c) is None for r in rows) and c not in (
            "a", "b", "model", "verdict")
        if numeric:
            out[c] = st.column_config.NumberColumn(column_label(c),
                                                   format="%d" if "(n)" in c or "needed" in c else "%.3f")
        else:
            out[c] = st.column_config.Column(column_label(c))
    return out


def results_panel(sess: Session) -> None:
    """The summary of this kind's judgments (every figure with its n), and the downloads."""
    try:
        db_stamp = sess.db.stamp()
    except RecallError as e:
        st.error(str(e))
        return
    if not sess.names:
        st.info(t("common.choose_models"))
        return
    models, errors = sess.ctx.models(sess.names)
    widgets.show_errors(errors)
    try:
        s = _summary(sess.ctx.dataset_name, str(sess.ctx.store), sess.ctx.stamp, db_stamp, sess.kind,
                     tuple(models), sess.k, sess.ds, models)
    except RecallError as e:
        st.error(str(e))
        return
    k = s["k"]
    pk, nk, ck = f"p@{k}", f"ndcg@{k}", f"coverage@{k}"
    st.markdown(t("judge.results_n", n=s["n_judgments"], judges=s["n_judges"], probes=s["n_probes"],
                  units=s["n_units"], rows=s["n_rows"], votes=s["n_votes"], kind=t(f"judge.kind_{sess.kind}")))
    a = s["agreement"]
    merge, agree = st.columns(2)
    merge.info(t("judge.merge_rule"), icon=":material/merge:")
    if a["n_units"]:
        agree.info(t("judge.agreement", units=a["n_units"], judges=a["n_judges"],
                     alpha=_fmt(a["krippendorff_alpha"]), kappa=_fmt(a["cohen_kappa"]))
                   + "".join(t("judge.kappa_pair", a=p["a"], b=p["b"], kappa=_fmt(p["kappa"]), n=p["n"])
                             for p in a["kappa_pairs"] if len(a["kappa_pairs"]) > 1), icon=":material/groups:")
    else:
        agree.info(t("judge.agreement_none"), icon=":material/groups:")
    if not s["n_probes"]:
        st.info(t("judge.no_results"))
    rows = []
    for name, m in s["models"].items():
        rows.append({"model": name, f"P@{k}": m[pk], f"P@{k} 95% CI": _ci(m["ci95"][pk]),
                     f"nDCG@{k}": m[nk], f"nDCG@{k} 95% CI": _ci(m["ci95"][nk]), f"coverage@{k}": m[ck],
                     "probes (n)": m["n_probes"], **{f"offline {x}": v for x, v in m["offline"].items()}})
    st.markdown(t("judge.models_head", k=k))
    widgets.table(pd.DataFrame(rows), key="judge_results_models", hide_index=True, width="stretch",
                  column_config=_number_columns(rows))
    st.caption(t("judge.models_caption", k=k, rounds=s["n_boot"]))
    for o in s["offline"]:
        st.caption(t("judge.offline", metric=o["metric"], k=k, tau=_fmt(o["kendall_tau"]), n=o["n_models"]))
    pairs = [p for p in s["pairs"] if p["metric"] == nk]
    if pairs:
        st.markdown(t("judge.pairs_head", k=k))
        rows = [{"a": p["a"], "b": p["b"], f"nDCG@{k} a − b": p["diff"], "95% CI": _ci(p["ci95"]),
                 "probes (n)": p["n"], "verdict": t("judge.tie") if p["verdict"] == "tie" else (S.winner(p) or "–"),
                 "probes needed": p["probes_needed"] if p["verdict"] == "tie" else None} for p in pairs]
        widgets.table(pd.DataFrame(rows), key="judge_results_pairs", hide_index=True, width="stretch",
                      column_config=_number_columns(rows))
        st.caption(t("judge.pairs_caption"))
    st.markdown(t("judge.bt_head"))
    if s["bradley_terry"]:
        bt = sorted(s["bradley_terry"].items(), key=lambda x: -x[1]["rating"])
        rows = [{"model": n, "rating": r["rating"], "95% CI": _ci(r["ci95"]), "votes (n)": r["votes"]} for n, r in bt]
        widgets.table(pd.DataFrame(rows), key="judge_results_bt", hide_index=True, width="stretch",
                      column_config=_number_columns(rows))
        widgets.table(pd.DataFrame([{"a": p["a"], "b": p["b"], "a wins": p["a_wins"], "b wins": p["b_wins"],
                                     "ties": p["ties"], "both bad": p["both_bad"], "decisive (n)": p["decisive"],
                                     "p": p["p_value"], "verdict": t("judge.separated") if p["separated"] else
                                     t("judge.too_few", needed=p["needed"] or "–")} for p in s["ab_pairs"]]),
                      column_config={**{c: st.column_config.Column(column_label(c)) for c in _COLUMN_KEYS},
                                     "p": st.column_config.NumberColumn("p", format="%.2g")},
                      key="judge_results_ab_pairs", hide_index=True, width="stretch")
    else:
        st.caption(t("judge.bt_none"))
    st.caption(t("judge.power_note"))
    downloads(sess, list(models))


def downloads(sess: Session, names: list[str]) -> None:
    """CSV (every row), qrels (merged grades) and one model's run, as the CLI's ``judgments export`` writes them."""
    from recall_core.judge import exchange

    st.markdown(t("judge.downloads_head"))
    c1, c2, c3, c4 = st.columns([1, 1, 2, 1])
    try:
        c1.download_button(t("judge.download_csv"), exchange.export_csv(sess.db).encode(), key="judge_dl_csv",
                           file_name=f"judgments-{sess.ds.key}.csv", mime="text/csv")
        c2.download_button(t("judge.download_qrels"), exchange.export_qrels(sess.db, sess.kind).encode(),
                           key="judge_dl_qrels", file_name=f"judgments-{sess.ds.key}-{sess.kind}.qrels",
                           mime="text/plain")
        if names:
            model = c3.selectbox(t("judge.run_model"), names, key="judge_dl_model", label_visibility="collapsed")
            models, _ = sess.ctx.models([model])
            if model in models:
                run = exchange.export_run(sess.ds, sess.ctx.store, sess.db, model, sess.kind, sess.k,
                                          loaded=models[model])
                c4.download_button(t("judge.download_run"), run.encode(), key="judge_dl_run",
                                   file_name=f"{model.replace('@', '-')}-{sess.kind}.run", mime="text/plain")
    except RecallError as e:
        st.error(str(e))


# --------------------------------------------------------------------------- probe sets


def probe_sets_panel(sess: Session) -> None:
    """The stored sets; a new seeded set; probes added by hand to the chosen set."""
    from recall_core.judge.probes import check_probe, check_set_name, make_probes

    try:
        sets = sess.db.probe_sets()
    except RecallError as e:
        st.error(str(e))
        return
    st.caption(t("judge.sets_caption"))
    if sets:
        widgets.table(pd.DataFrame([{"name": s["name"], "seed": s["seed"], en_nouns("movies"): s["items"],
                                     "users": s["users"],
                                     "created": s["created"][:19].replace("T", " "), "by": s["created_by"]}
                                    for s in sets]), key="judge_sets", hide_index=True, width="stretch")
    if msg := st.session_state.pop("judge_sets_msg", None):
        st.success(msg)
    viewer = access.note("access.what_sets")
    left, right = st.columns(2)
    with left.form("judge_new_set"):
        st.markdown(t("judge.new_set_head"))
        name = st.text_input(t("judge.new_set_name"), key="judge_new_set_name")
        c1, c2, c3 = st.columns(3)
        seed = c1.number_input(t("judge.new_set_seed"), min_value=0, value=1, step=1, key="judge_new_set_seed")
        n_items = c2.number_input(t("judge.new_set_items"), min_value=0, max_value=1000, value=DEFAULT_N, step=1,
                                  key="judge_new_set_items")
        n_users = c3.number_input(t("judge.new_set_users"), min_value=0, max_value=1000, value=DEFAULT_N, step=1,
                                  key="judge_new_set_users")
        if st.form_submit_button(t("judge.new_set_button"), disabled=viewer):
            try:
                access.require_write("creating a probe set")
                set_name = check_set_name(name)
                made = sess.db.create_probe_set(set_name, make_probes(sess.ds, int(seed), int(n_items), int(n_users)),
                                                int(seed), int(n_items), int(n_users), created_by=sess.judge)
                if not made:
                    st.error(t("judge.set_exists", name=set_name))
                else:
                    st.session_state["judge_sets_msg"] = t("judge.set_made", name=set_name)
                    st.rerun()
            except RecallError as e:
                st.error(str(e))
    with right.form("judge_add_probes"):
        st.markdown(t("judge.add_head", name=sess.probe_set))
        text = st.text_input(t("judge.add_ids"), key="judge_add_ids", placeholder=t("judge.add_placeholder"),
                             help=t("judge.add_help"))
        if st.form_submit_button(t("judge.add_button"), disabled=viewer):
            access.require_write("adding probes")
            bad, good = [], []
            for part in [p for p in text.replace("\n", ",").split(",") if p.strip()]:
                try:
                    good.append(check_probe(sess.ds, part.strip()))
                except RecallError as e:
                    bad.append(str(e))
            for msg in bad:
                st.error(msg)
            if not good and not bad:
                st.error(t("judge.add_none"))
            if good and not bad:
                try:
                    added = sess.db.add_probes(sess.probe_set, good, added_by=sess.judge)
                    st.session_state["judge_sets_msg"] = t("judge.added", n=len(added), name=sess.probe_set,
                                                           skipped=len(good) - len(added))
                    st.rerun()
                except RecallError as e:
                    st.error(str(e))
