"""Viewer mode on a network (issue 23): who may write, judges' names and write rate, upload limits.

The rule (recall_core/access.py) is checked on addresses by hand; the app (AppTest) with ``server.address`` set
to ``0.0.0.0`` has Train and the import controls disabled and their functions refusing, while the Judge page takes
judgments; ``RECALL_ADMIN=1`` or ``localhost`` enables them again. A burst of 100 judgment writes from one session
in one second stores the allowed 5 and refuses the rest with one line each; an upload over the limit is refused
before the parser sees a byte.
"""
from __future__ import annotations

import shutil
import time
import tomllib
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit import config as st_config  # noqa: E402

from recall_core import access  # noqa: E402
from recall_core.errors import AccessError, RateLimitError, UsageError  # noqa: E402
from recall_core.judge import judges  # noqa: E402
from recall_core.judge.probes import check_probe  # noqa: E402
from recall_core.judge.summary import open_db  # noqa: E402
from tests.app.test_app import ok, run_page  # noqa: E402
from tests.judge.test_judge import own_store  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
JUDGE = "pages/judge.py"


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("address, loopback", [
    ("localhost", True), ("LOCALHOST", True), ("127.0.0.1", True), ("127.8.9.10", True), ("::1", True),
    ("[::1]", True), (None, False), ("", False), ("0.0.0.0", False), ("::", False), ("192.168.1.5", False),
    ("10.0.0.1", False), ("demo.example", False), ("localhost.example", False), ("128.0.0.1", False)])
def test_loopback_addresses_by_hand(address, loopback):
    assert access.is_loopback(address) is loopback


@pytest.mark.parametrize("value, admin", [(None, False), ("", False), ("0", False), ("no", False), ("off", False),
                                          ("1", True), ("true", True), ("YES", True), (" on ", True)])
def test_recall_admin_values(value, admin):
    env = {} if value is None else {"RECALL_ADMIN": value}
    assert access.admin_enabled(env) is admin
    assert access.decide("0.0.0.0", env).may_write is admin
    assert access.decide("localhost", env).may_write  # loopback: always


def test_a_mistyped_recall_admin_is_named_and_leaves_viewer_mode():
    with pytest.raises(UsageError, match="RECALL_ADMIN='enable'") as e:
        access.admin_enabled({"RECALL_ADMIN": "enable"})
    assert "\n" not in str(e.value)
    assert not access.decide("0.0.0.0", {"RECALL_ADMIN": "enable"}).may_write


def test_require_write_refuses_in_one_line_naming_what_why_and_how():
    with pytest.raises(AccessError) as e:
        access.require_write(access.decide("0.0.0.0", {}), "training")
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("viewer mode: training is disabled")
    assert "0.0.0.0" in msg and "RECALL_ADMIN=1" in msg
    with pytest.raises(AccessError, match="every interface"):
        access.require_write(access.decide(None, {}), "importing vectors")
    access.require_write(access.decide("127.0.0.1", {}), "training")  # no error
    access.require_write(access.decide("0.0.0.0", {"RECALL_ADMIN": "1"}), "training")


# --------------------------------------------------------------------------- judges' names and write rate


@pytest.mark.parametrize("name, why", [("", "empty"), ("   ", "empty"), ("x" * 61, "61 characters"),
                                       ("ann\x00", "control character"), ("a\tb", "control character"),
                                       ("ann\x1b[31m", "control character"), ("bob\u200b", "control character")])
def test_bad_judge_names_are_refused_in_one_line(name, why):
    with pytest.raises(UsageError, match=why) as e:
        judges.check_judge(name)
    assert "\n" not in str(e.value)


def test_good_names_and_sources():
    assert judges.check_judge("x" * 60) == "x" * 60
    assert judges.check_judge(" Ada Lovelace ") == "Ada Lovelace"
    assert judges.check_judge("李雷") == "李雷"
    assert judges.check_judge("ada@example.org", "login") == "ada@example.org"
    with pytest.raises(UsageError, match="name source"):
        judges.check_judge("ada", "guessed")


def test_write_rate_window_by_hand():
    rate = judges.WriteRate(limit=5, window=1.0)
    for t in (0.0, 0.1, 0.2, 0.3, 0.4):
        rate.check("s", now=t)
    with pytest.raises(RateLimitError):
        rate.check("s", now=0.99)
    rate.check("other", now=0.99)  # per session
    rate.check("s", now=1.0)  # the write at 0.0 left the window
    with pytest.raises(RateLimitError):
        rate.check("s", now=1.05)
    rate.check("s", now=1.1)


@pytest.fixture()
def judge_db(judge_tiny, tmp_path):
    from recall_core.data import load_dataset

    folder, src = judge_tiny
    ds = load_dataset(str(folder))
    return ds, open_db(ds, own_store(src, tmp_path / "store"))


def test_a_burst_of_100_writes_in_one_second_stores_five_and_says_so(judge_db, monkeypatch):
    """100 grades from one session at times 0.00, 0.01, ... 0.99 s: the first 5 are stored, each of the other 95
    is refused with one line, and the database holds exactly 5 rows of that session."""
    ds, db = judge_db
    judges.RATES.reset()
    ticks = iter([i * 0.01 for i in range(100)])
    monkeypatch.setattr(judges, "clock", lambda: next(ticks))
    probe = check_probe(ds, f"item:{ds.item_vocab.ids[0]}")
    stored, refused = 0, []
    for i in range(100):
        try:
            db.add_graded("ann", probe, ds.item_vocab.ids[i % len(ds.item_vocab.ids)], i % 3, session="burst")
            stored += 1
        except RateLimitError as e:
            refused.append(str(e))
    assert stored == judges.RATE_LIMIT == 5 and len(refused) == 95
    assert all("\n" not in m and "more than 5 judgments in 1 s" in m and "not stored" in m for m in refused)
    rows = db.rows()
    assert len(rows) == 5 and {r["session"] for r in rows} == {"burst"}
    # the same with the real clock, as fast as this machine writes: at most 5 per started second
    judges.RATES.reset()
    monkeypatch.setattr(judges, "clock", time.monotonic)
    t0 = time.monotonic()
    n = 0
    for i in range(100):
        try:
            db.add_vote("bob", probe, "item2vec", None, "mostpop", None, "tie", session="real")
            n += 1
        except RateLimitError:
            pass
    elapsed = time.monotonic() - t0
    assert 5 <= n <= 5 * (int(elapsed) + 1), (n, elapsed)
    # imports (no session) are not limited
    db.add_graded("carol", probe, ds.item_vocab.ids[0], 1)


def test_each_row_records_how_the_name_was_given(judge_db):
    ds, db = judge_db
    probe = check_probe(ds, f"item:{ds.item_vocab.ids[0]}")
    judges.RATES.reset()
    db.add_graded("ada@example.org", probe, ds.item_vocab.ids[1], 2, name_source="login", session="a")
    db.add_graded("ann", probe, ds.item_vocab.ids[2], 1, session="b")
    assert [(r["judge"], r["name_source"]) for r in db.rows()] == [("ada@example.org", "login"), ("ann", "typed")]


# --------------------------------------------------------------------------- the app in viewer mode


@pytest.fixture()
def address():
    """Set Streamlit's ``server.address`` for the AppTests of one test (restored afterwards)."""
    before = st_config.get_option("server.address")

    def set_to(value):
        st_config.set_option("server.address", value)

    yield set_to
    st_config.set_option("server.address", before)


@pytest.fixture()
def app_env(judge_tiny, tmp_path, monkeypatch):
    folder, src = judge_tiny
    store = tmp_path / "store"
    shutil.copytree(src, store, symlinks=True)
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    monkeypatch.delenv("RECALL_ADMIN", raising=False)
    return folder, store


def _import_controls(at):
    return [at.text_input(key="overview_import_name"), *(at.file_uploader(key=k) for k in (
        "overview_import_vectors", "overview_import_ids", "overview_import_users", "overview_import_user_ids")),
        at.button(key="overview_import")]


def test_on_0000_train_and_import_are_disabled_and_refuse_when_called(app_env, address, monkeypatch):
    from recall_core.app import state, uploads

    folder, store = app_env
    address("0.0.0.0")
    at = run_page(state={"overview_train_box": True, "overview_files_box": True})
    ok(at)
    assert at.button(key="overview_train").disabled
    assert all(c.disabled for c in _import_controls(at))
    notes = [c.value for c in at.caption if c.value.startswith("Viewer mode:")]
    assert any("training is disabled" in n and "0.0.0.0" in n and "RECALL_ADMIN=1" in n for n in notes), notes
    assert any("importing vectors is disabled" in n for n in notes), notes
    at = run_page("pages/dssm.py", state={"dssm_section": "(b) τ in training"})
    ok(at)
    assert at.button(key="dssm_train").disabled
    # the functions behind the controls refuse when called directly, before anything is read or trained
    monkeypatch.setattr(state.st, "get_option", lambda name: "0.0.0.0" if name == "server.address" else 210)
    before = sorted(p.name for p in (store / next(iter(p.name for p in store.iterdir()))).iterdir())
    with pytest.raises(AccessError, match="viewer mode: training is disabled"):
        state.run_training(None, ["mostpop"])
    with pytest.raises(AccessError, match="viewer mode: importing vectors is disabled"):
        uploads.import_uploads(None, store, "mine", "cosine", Unreadable(), Unreadable())
    after = sorted(p.name for p in (store / next(iter(p.name for p in store.iterdir()))).iterdir())
    assert before == after


class Unreadable:
    """An upload whose content must not be read."""

    name, size = "vectors.tsv", 10

    def getvalue(self):
        raise AssertionError("the upload was read")


def test_on_0000_the_judge_page_accepts_judgments_but_not_probe_sets(app_env, address):
    from recall_core.data import load_dataset

    folder, store = app_env
    address("0.0.0.0")
    at = run_page(JUDGE, {"judge": "viewer"})
    ok(at)
    controls = list(at.segmented_control)
    assert controls
    controls[0].set_value(2)
    at.run()
    ok(at)
    rows = open_db(load_dataset(str(folder)), store).rows()
    assert [(r["judge"], r["grade"], r["name_source"]) for r in rows] == [("viewer", 2, "typed")]
    at.session_state["judge_tab"] = "Probe sets"
    at.run()
    ok(at)
    submits = [b for b in at.get("button") if "FormSubmitter:judge_" in str(b.proto.id)]
    assert len(submits) == 2 and all(b.disabled for b in submits)
    assert any("creating probe sets and adding probes is disabled" in c.value for c in at.caption)


@pytest.mark.parametrize("how", ["RECALL_ADMIN=1", "localhost", "127.0.0.1"])
def test_admin_or_localhost_enables_train_and_import(app_env, address, monkeypatch, how):
    if how == "RECALL_ADMIN=1":
        monkeypatch.setenv("RECALL_ADMIN", "1")
        address("0.0.0.0")
    else:
        address(how)
    at = run_page(state={"overview_train_box": True, "overview_files_box": True})
    ok(at)
    assert not at.button(key="overview_train").disabled
    assert all(not c.disabled for c in _import_controls(at)[:-1])  # Import itself waits for a name and files
    assert not [c for c in at.caption if c.value.startswith("Viewer mode:")]
    at = run_page(JUDGE, {"judge": "ann"}, state={"judge_tab": "Probe sets"})
    ok(at)
    assert not any(b.disabled for b in at.get("button") if "FormSubmitter:judge_" in str(b.proto.id))


def test_the_app_says_when_a_burst_is_cut(app_env, address, monkeypatch):
    """The sixth grade within the same (frozen) second is not stored, and the page says why in one line."""
    from recall_core.data import load_dataset

    folder, store = app_env
    address("0.0.0.0")
    judges.RATES.reset()
    monkeypatch.setattr(judges, "clock", lambda: 1000.0)
    at = run_page(JUDGE, {"judge": "burst"})
    ok(at)
    controls = list(at.segmented_control)
    assert len(controls) >= 6
    for i, sc in enumerate(controls[:6]):  # six clicks reach the server in one go
        sc.set_value(i % 3)
    at.run()
    rows = open_db(load_dataset(str(folder)), store).rows()
    assert len(rows) == 5
    said = [e.value for e in at.error]
    assert len(said) == 1 and said[0].startswith("Not saved: more than 5 judgments in 1 s from this session"), said


def test_a_signed_in_judge_is_the_login_email_and_cannot_type(app_env, address):
    from recall_core.data import load_dataset

    folder, store = app_env
    from streamlit.testing.v1 import AppTest

    from tests.app.test_app import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.user = {"is_logged_in": True, "email": "ada@example.org"}
    at.query_params["judge"] = "mallory"  # a name in the link is ignored behind sign-in
    at.run()
    at.switch_page(JUDGE)
    at.query_params["judge"] = "mallory"
    at.run()
    ok(at)
    shown = at.text_input(key="judge_login_name")
    assert shown.value == "ada@example.org" and shown.disabled
    list(at.segmented_control)[0].set_value(1)
    at.run()
    ok(at)
    rows = open_db(load_dataset(str(folder)), store).rows()
    assert [(r["judge"], r["name_source"]) for r in rows] == [("ada@example.org", "login")]
    # signed out: a sign-in button and nothing to grade
    at.user = {"is_logged_in": False}
    at.run()
    ok(at)
    assert at.button(key="judge_sign_in") and not at.segmented_control
    assert any("Sign in" in i.value for i in at.info)


# --------------------------------------------------------------------------- upload limits


def test_config_sets_the_measured_upload_limit_and_localhost():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["server"]["address"] == "localhost"
    bench = (ROOT / "BENCHMARKS.md").read_text()
    assert f"`server.maxUploadSize` in `.streamlit/config.toml`: **{cfg['server']['maxUploadSize']} MiB**" in bench


def test_check_size_refuses_over_the_limit_in_one_line():
    from recall_core.app import uploads

    class Up:
        name, size = "user_vectors.tsv", 3 * uploads.MIB + 1

    with pytest.raises(UsageError) as e:
        uploads.check_size(Up(), limit=3 * uploads.MIB)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("user_vectors.tsv: 3.0 MiB, over this server's upload limit of 3 MiB")
    Up.size = 3 * uploads.MIB
    uploads.check_size(Up(), limit=3 * uploads.MIB)  # exactly the limit is accepted


def test_an_oversize_upload_is_refused_before_parsing(app_env, address, monkeypatch):
    """server.maxUploadSize = 1 MiB: a 1 MiB + 1 byte vectors file is refused with one line, and the parser
    (projector.read_vectors) is never called."""
    from recall_core.io import projector

    folder, store = app_env
    address("localhost")
    before = st_config.get_option("server.maxUploadSize")
    st_config.set_option("server.maxUploadSize", 1)
    calls = []
    real = projector.read_vectors
    monkeypatch.setattr(projector, "read_vectors", lambda *a, **k: calls.append(a) or real(*a, **k))
    try:
        at = run_page(state={"overview_files_box": True})
        ok(at)
        at.text_input(key="overview_import_name").set_value("big")
        at.file_uploader(key="overview_import_vectors").set_value(("vectors.tsv", b"0" * (1024 * 1024 + 1),
                                                                   "text/plain"))
        at.file_uploader(key="overview_import_ids").set_value(("metadata.tsv", b"i1\n", "text/plain")).run()
        at.button(key="overview_import").click().run()
    finally:
        st_config.set_option("server.maxUploadSize", before)
    assert [e.value for e in at.error] == ["vectors.tsv: 1.0 MiB, over this server's upload limit of 1 MiB "
                                           "(server.maxUploadSize in .streamlit/config.toml); nothing was read"]
    assert calls == [] and not any((store / d).is_dir() and (store / d / "big").exists() for d in
                                   [p.name for p in store.iterdir()])


def test_the_viewer_note_in_chinese(app_env, address):
    address("0.0.0.0")
    at = run_page(query={"lang": "zh"}, state={"overview_train_box": True})
    ok(at)
    notes = [c.value for c in at.caption if c.value.startswith("查看模式")]
    assert notes and "训练已停用" in notes[0] and "RECALL_ADMIN=1" in notes[0] and "0.0.0.0" in notes[0], notes


@pytest.mark.parametrize("page", ["pages/home.py", "pages/items.py", "pages/users.py",
                                  "pages/eges.py", "pages/dssm.py", "pages/maps.py",
                                  "pages/serving.py", "pages/how.py", "pages/judge.py"])
def test_every_page_still_works_for_looking_in_viewer_mode(app_env, address, page):
    address("0.0.0.0")
    at = run_page(page)
    ok(at)
    assert at.title or at.header, page
    if page == "pages/serving.py":  # re-measuring rewrites the model's serving.json: an operator's action
        assert at.button(key="serving_remeasure").disabled
        assert any("measuring the indexes again is disabled" in c.value for c in at.caption)
