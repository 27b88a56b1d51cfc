"""AppTests of the Judge page on the tiny store: resume after a reload, blindness, A/B votes, results, bad input."""
from __future__ import annotations

import re

import pytest

pytest.importorskip("streamlit")

from recall_core.judge.probes import check_probe  # noqa: E402
from recall_core.judge.summary import open_db  # noqa: E402
from tests.app.test_app import ok, run_page, table  # noqa: E402
from tests.judge.test_judge import own_store  # noqa: E402

PAGE = "pages/judge.py"
MODEL_WORDS = ("mostpop", "item2vec", "eges", "dssm")


@pytest.fixture()
def env(judge_tiny, tmp_path, monkeypatch):
    """A store of its own (no judgments yet) over the shared tiny models."""
    from recall_core.data import load_dataset

    from recall_core.judge import judges

    folder, src = judge_tiny
    store = own_store(src, tmp_path / "store")
    # AppTest delivers a whole probe's grades in one run; the write-rate limit is tested in tests/app/test_access.py
    monkeypatch.setattr(judges, "RATES", judges.WriteRate(limit=10_000))
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    return load_dataset(str(folder)), store


def heading(at) -> str:
    return at.subheader[0].value


def probe_no(at) -> int:
    return int(re.match(r"Probe (\d+) of", heading(at)).group(1))


def grade_all(at, grades=(2, 0, 1, "?")) -> int:
    """Grade every movie shown (cycling through ``grades``) and run; returns how many."""
    controls = list(at.segmented_control)
    for i, sc in enumerate(controls):
        sc.set_value(grades[i % len(grades)])
    at.run()
    ok(at)
    return len(controls)


def submit(at, form: str) -> None:
    """Press the submit button of the form ``form`` and run."""
    (button,) = [b for b in at.get("button") if f"FormSubmitter:{form}-" in str(b.proto.id)]
    button.click().run()


def main_texts(at) -> list[str]:
    """What the main area shows (the sidebar's model picker excluded)."""
    return [e.value for kind in (at.main.markdown, at.main.caption, at.main.subheader, at.main.info, at.main.success)
            for e in kind] + [str(p.proto.text) for p in at.main.get("progress")]


def test_judge_three_probes_reload_resume_at_the_fourth_and_results_show_n(env):
    ds, store = env
    at = run_page(PAGE, {"judge": "ann"})
    ok(at)
    assert at.title[0].value == "Judge" and probe_no(at) == 1
    assert at.query_params["judge"] in ("ann", ["ann"])
    graded = 0
    for expected in (1, 2, 3):
        assert probe_no(at) == expected
        # a new probe's rows start empty (the controls keep their keys from probe to probe, not their values)
        assert all(sc.value is None for sc in at.segmented_control)
        texts = main_texts(at)
        assert not [t for t in texts for w in MODEL_WORDS if w in t], "a model's name on the judging panel"
        graded += grade_all(at)
    assert probe_no(at) == 4  # the last grade of probe 3 opened probe 4
    db = open_db(ds, store)
    rows = db.rows("item")
    assert len(rows) == graded and {r["judge"] for r in rows} == {"ann"} and {r["name_source"] for r in rows} == {"typed"}
    assert 0 < sum(r["grade"] is None for r in rows) < graded  # can't-judge is a judgment too
    # a reload: a new session with the link; it resumes at the first probe with an unjudged movie
    again = run_page(PAGE, {"judge": "ann"})
    ok(again)
    assert probe_no(again) == 4
    progress = again.main.get("progress")[0].proto.text
    assert progress.startswith(f"Judged {graded} of ")
    # the grades stored are shown on the probes already judged
    again.button(key="judge_prev").click().run()
    ok(again)
    assert probe_no(again) == 3 and all(sc.value is not None for sc in again.segmented_control)
    stored = {r["item_id"]: r["grade"] for r in open_db(ds, store).current_graded("item") if r["probe"] ==
              again.subheader[0].value.split("`")[1]}
    labels = [sc.label for sc in again.segmented_control]
    assert len(stored) == len(labels)
    shown = [(sc.value if sc.value != "?" else None) for sc in again.segmented_control]
    assert sorted(map(str, shown)) == sorted(map(str, stored.values()))
    # the Results tab: n = the number of judgments
    again.session_state["judge_tab"] = "Results"
    again.run()
    ok(again)
    assert any(f"n = {graded} judgments" in m.value for m in again.markdown), [m.value for m in again.markdown][:3]
    models = table(again, "judge_results_models")
    assert set(models["model"]) == set(MODEL_WORDS) and (models["probes (n)"] == 3).all()
    # another judge starts at probe 1 and sees another order
    bob = run_page(PAGE, {"judge": "bob"})
    ok(bob)
    assert probe_no(bob) == 1


def test_changing_a_grade_supersedes_it_and_keeps_the_history(env):
    ds, store = env
    at = run_page(PAGE, {"judge": "ann"})
    first = at.segmented_control[0]
    first.set_value(2).run()
    ok(at)
    at.segmented_control[0].set_value(0).run()
    ok(at)
    db = open_db(ds, store)
    assert [r["grade"] for r in db.rows()] == [2, 0]
    assert [r["grade"] for r in db.current_graded()] == [0]
    assert at.segmented_control[0].value == 0 and probe_no(at) == 1


def test_ab_vote_is_blind_and_stored(env):
    ds, store = env
    at = run_page(PAGE, {"judge": "ann"}, state={"judge_tab": "A/B"})
    ok(at)
    texts = main_texts(at)
    assert not [t for t in texts for w in MODEL_WORDS if w in t]
    assert any(t.startswith("**List A**") for t in texts) and any(t.startswith("**List B**") for t in texts)
    at.button(key="judge_ab_a").click().run()
    ok(at)
    votes = open_db(ds, store).current_votes("item")
    assert len(votes) == 1 and votes[0]["preference"] == "a" and votes[0]["judge"] == "ann"
    assert votes[0]["model_a"] != votes[0]["model_b"] and votes[0]["version_a"].startswith("v-")
    assert any("A/B votes in force here: 1" in c.value for c in at.caption)
    at.button(key="judge_ab_tie").click().run()
    ok(at)
    assert len(open_db(ds, store).current_votes("item")) == 2


def test_users_are_judged_against_their_history(env):
    at = run_page(PAGE, {"judge": "ann", "kind": "user"})
    ok(at)
    assert heading(at).startswith("Probe 1 of") and "`user:" in heading(at)
    hist = table(at, "judge_history")
    assert len(hist) > 0 and {"title", "rating"} <= set(hist.columns)
    assert grade_all(at) > 0 and probe_no(at) == 2


def test_no_name_and_bad_names(env):
    ds, store = env
    at = run_page(PAGE)
    ok(at)
    assert any("Type your name" in i.value for i in at.info)
    assert not at.segmented_control and not open_db(ds, store).exists()  # nothing stored, nothing created
    at = run_page(PAGE, {"judge": "a\tb"})
    assert any("control character" in e.value for e in at.error) and not at.exception
    assert not at.segmented_control


def test_a_damaged_or_foreign_database_is_an_error_box(env):
    from recall_core.judge.db import Dataset, JudgmentDB

    ds, store = env
    path = open_db(ds, store).path
    JudgmentDB(path, Dataset("other", "ffffffffffffffff")).add_graded("x", check_probe(ds, "item:i1"), "i2", 1)
    at = run_page(PAGE, {"judge": "ann"})
    assert not at.exception and any("judgments of another dataset" in e.value for e in at.error)
    for f in path.parent.glob("judgments.sqlite*"):
        f.unlink()
    path.write_bytes(b"not a database" * 50)
    at = run_page(PAGE, {"judge": "ann"})
    assert not at.exception and any("damaged judgments database" in e.value for e in at.error)
    assert path.read_bytes() == b"not a database" * 50


def test_probe_sets_tab_makes_sets_and_adds_probes_by_hand(env):
    ds, store = env
    at = run_page(PAGE, {"judge": "ann"}, state={"judge_tab": "Probe sets"})
    ok(at)
    assert table(at, "judge_sets")["name"].tolist() == ["default"]
    at.text_input(key="judge_add_ids").set_value("item:i3, item:nosuch")
    submit(at, "judge_add_probes")
    assert any("'item:nosuch'" in e.value for e in at.error) and not at.exception
    have = {p.id for p in open_db(ds, store).probes("default")}
    new = [next(f"item:{i}" for i in ds.item_vocab.ids if f"item:{i}" not in have),
           next(f"user:{u}" for u in ds.user_vocab.ids if f"user:{u}" not in have)]
    old = next(iter(have))
    at.text_input(key="judge_add_ids").set_value(", ".join([*new, old]))
    submit(at, "judge_add_probes")
    ok(at)
    probes = open_db(ds, store).probes("default")
    assert [p.id for p in probes] == [*[p for p in [q.id for q in probes] if p in have], *new]
    assert [p.stratum for p in probes[-2:]] == ["manual", "manual"]
    assert any("Added 2 probe(s) to default (1 already in it)" in s.value for s in at.success)
    at.text_input(key="judge_new_set_name").set_value("second")
    submit(at, "judge_new_set")
    ok(at)
    assert [s["name"] for s in open_db(ds, store).probe_sets()] == ["default", "second"]


def test_keys_built_from_values_exist_in_both_languages():
    """The page builds some keys from values (t(f"judge.kind_{kind}")): each value has its text in en and zh."""
    from recall_core.app import judge
    from recall_core.app.i18n import en, zh
    from recall_core.judge.probes import KINDS

    built = {f"judge.kind_{k}" for k in KINDS} | {f"judge.ab_{a}" for a in judge.ANSWERS} | \
        {f"judge.grade_{g}" for g in judge.GRADE_OPTIONS if g != judge.CANT} | {"judge.grade_cant"}
    assert built <= set(en.STRINGS) and built <= set(zh.STRINGS)


def test_the_page_in_chinese(env):
    from recall_core.app.i18n import text

    at = run_page(PAGE, {"judge": "ann", "lang": "zh"})
    ok(at)
    assert at.title[0].value == text("zh", "page.judge")
    assert heading(at).startswith("探针 1 / ")
    assert any(c.value == text("zh", "judge.grade_help", k=10) for c in at.caption)
    labels = set(at.segmented_control[0].options)
    assert labels == {text("zh", f"judge.grade_{g}") for g in (0, 1, 2)} | {text("zh", "judge.grade_cant")}


def test_an_empty_store_points_to_training_and_creates_nothing(judge_tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(judge_tiny[0]))
    monkeypatch.setenv("RECALL_STORE", str(tmp_path / "none"))
    at = run_page(PAGE, {"judge": "ann"})
    ok(at)
    assert any("Train them on the Overview page" in i.value for i in at.info)
    assert not (tmp_path / "none").exists()


def test_other_models_in_the_sidebar_show_each_movie_with_its_own_grade(env):
    """The rows' controls keep their keys; when the pool changes under them (other models), every row must show
    the grade of the movie it now shows."""
    from recall_core.analysis.catalogue import item_choices
    from recall_core.app.widgets import md_escape

    ds, store = env
    at = run_page(PAGE, {"judge": "ann"})
    for i, sc in enumerate(list(at.segmented_control)[:5]):
        sc.set_value([2, 0, 1, "?", 2][i])
    at.run()
    ok(at)
    probe = at.subheader[0].value.split("`")[1]
    at.multiselect(key="sidebar_models").set_value(["item2vec", "dssm"]).run()
    ok(at)
    assert at.subheader[0].value.split("`")[1] == probe
    by_label = {md_escape(label): i for i, label in item_choices(ds)[1].items()}
    stored = {r["item_id"]: ("?" if r["grade"] is None else r["grade"])
              for r in open_db(ds, store).current_graded("item", probe=probe)}
    assert len(stored) == 5
    shown = {by_label[sc.label]: sc.value for sc in at.segmented_control}
    assert {i: v for i, v in shown.items() if v is not None} == {i: v for i, v in stored.items() if i in shown}
    assert all(shown[i] is None for i in shown if i not in stored)
