"""AppTests: every page against a tiny store (planted data; see tests/app_fixture.py).

Each page is run headless through the app's navigation; the tests pick movies
and users, change K and τ, and check what is displayed (titles, ranks,
probabilities), that errors are boxes rather than tracebacks, and that the
URL carries the I2I / U2I selection.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.app_fixture import copy_store, damage  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
TIMEOUT = 60


@pytest.fixture(scope="module")
def tiny(tiny_built, tmp_path_factory):
    """``(dataset folder, store)`` with mostpop, item2vec, EGES and three DSSM stand-ins (a store of its own)."""
    return copy_store(tiny_built, tmp_path_factory.mktemp("app"))


@pytest.fixture()
def env(tiny, monkeypatch):
    folder, store = tiny
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    return folder, store


def run_page(page: str | None = None, query: dict | None = None, state: dict | None = None,
             timeout: float = TIMEOUT) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    for k, v in (query or {}).items():  # a shared link: the URL is there from the session's first run
        at.query_params[k] = v
    at.run()
    if page:
        at.switch_page(page)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    return at


def ok(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def table(at: AppTest, key: str):
    """The DataFrame shown in the keyed container ``key`` (see ``widgets.table``)."""
    box = at.get_by_key(key)
    assert len(box.dataframe) == 1, key
    df = box.dataframe[0].value
    return df.data if hasattr(df, "data") and not hasattr(df, "columns") else df


def clusters(titles) -> set[str]:
    """Planted titles are 'Movie <row> (<Genre>) ...': the genre names the cluster."""
    return {t.split("(")[1].split(")")[0] for t in titles}


def values(v) -> list:
    """A plotly JSON array (plain list, or ``{"dtype", "bdata"}`` for numpy data) as a list."""
    if isinstance(v, dict) and "bdata" in v:
        import base64

        import numpy as np

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"])).tolist()
    return list(v)


def plotly_specs(at: AppTest) -> dict[str, dict]:
    return {el.key: json.loads(el.proto.spec) for el in at.get("plotly_chart")}


# --------------------------------------------------------------------------- Overview


def test_overview_leaderboard_and_k(env):
    at = run_page()
    ok(at)
    assert at.title[0].value == "Overview"
    lb = table(at, "overview_table")
    assert {"mostpop", "transition", "item2vec", "eges", "dssm"} <= set(lb["model"])
    assert not any("@" in m for m in lb["model"])  # the τ sweep stands apart
    assert set(table(at, "overview_sweep_table")["model"]) == {"dssm@t0.05", "dssm@t0.5"}
    assert "HR@10" in lb.columns and "HR@10 95%" in lb.columns
    from recall_core.data import load_dataset
    from recall_core.store import load_model

    ds = load_dataset(str(env[0]))
    hr20 = load_model(env[1], ds.key, "item2vec").manifest["metrics"]["hr@20"]
    at.radio(key="overview_k").set_value(20).run()
    ok(at)
    lb = table(at, "overview_table").set_index("model")
    assert "HR@20" in lb.columns and "HR@10" not in lb.columns
    assert lb.loc["item2vec", "HR@20"] == pytest.approx(hr20)
    # one card per stored model, with its seed
    assert not [m for m in at.markdown if "seed **42**" in m.value]  # the cards' expander is closed: not drawn
    at.session_state["overview_cards"] = True
    at.run()
    ok(at)
    assert sum("seed **42**" in m.value for m in at.markdown) == 6
    # what training recorded: item2vec's loss per epoch as a small chart
    assert any("overview_card_item2vec_loss" in k for k in plotly_specs(at))
    # the bar chart uses the fixed model colours
    from recall_core.app.style import model_color

    bars = next(s for k, s in plotly_specs(at).items() if "overview_bars" in k)
    colours = {t["name"]: t["marker"]["color"] for t in bars["data"]}
    assert colours["item2vec"] == model_color("item2vec") and colours["eges"] == model_color("eges")


def test_empty_store_leads_to_training(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(tiny[0]))
    monkeypatch.setenv("RECALL_STORE", str(tmp_path / "empty"))
    at = run_page()
    ok(at)
    assert any("has no trained model" in i.value for i in at.info)
    assert set(table(at, "overview_table")["model"]) <= {"mostpop", "transition", "ease"}  # computed on the spot
    at.multiselect(key="overview_train_models").set_value(["mostpop", "item2vec"])
    at.button(key="overview_train").click().run()
    ok(at)
    assert any("Trained and stored" in s.value for s in at.success)
    assert {"mostpop", "item2vec"} <= set(table(at, "overview_table")["model"])
    assert (tmp_path / "empty").exists()
    # other pages now work
    at.switch_page("pages/items.py").run()
    ok(at)


def test_empty_store_other_pages_point_to_overview(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(tiny[0]))
    monkeypatch.setenv("RECALL_STORE", str(tmp_path / "none"))
    for page in ("pages/items.py", "pages/users.py", "pages/eges.py",
                 "pages/dssm.py", "pages/maps.py"):
        at = run_page(page)
        ok(at)
        assert any("Train them on the Overview page" in i.value for i in at.info), page


# --------------------------------------------------------------------------- Item neighbours


def test_item_neighbours_pick_k_and_url(env):
    at = run_page("pages/items.py", query={"item": "i5", "k": "5"})
    ok(at)
    assert at.selectbox(key="i2i_item").value == "i5"
    i2v = table(at, "i2i_table_item2vec_similar")
    assert len(i2v) == 5
    assert clusters(i2v["title"]) == {"Action"}  # i5 is in the Action cluster (rows 0-11)
    assert "i5" not in set(i2v["item_id"])  # the query item is never its own neighbour
    # "co-occurs with" view for the skip-gram models (input vectors against output vectors)
    assert len(table(at, "i2i_table_item2vec_cooccur")) == 5
    # all lists side by side in one table; the default details tab is the first model that is not mostpop
    grid = table(at, "i2i_compare")
    assert list(grid.columns) == ["mostpop", "item2vec", "eges", "dssm"] and len(grid) == 5
    assert grid["item2vec"].tolist() == [f"{t} ({y})" for t, y in zip(i2v["title"], i2v["year"])]
    with pytest.raises(KeyError):
        at.get_by_key("i2i_table_eges_similar")  # a closed tab is not computed
    # agreement: item2vec and its stand-ins agree on the cluster (the eges tab, opened)
    at.session_state["i2i_model_tab"] = "eges"
    at.run()
    ok(at)
    assert table(at, "i2i_table_eges_similar")["agree"].max() >= 2
    at.session_state["i2i_model_tab"] = "item2vec"
    assert any("i2i_heatmap" in k for k in plotly_specs(at))
    assert at.get("download_button")
    # K
    at.number_input(key="i2i_k").set_value(3).run()
    ok(at)
    assert len(table(at, "i2i_table_item2vec_similar")) == 3
    assert at.query_params["k"] == ["3"] or at.query_params["k"] == "3"
    # another movie: i30 is in the Drama cluster (rows 24-35)
    at.selectbox(key="i2i_item").set_value("i30").run()
    ok(at)
    assert clusters(table(at, "i2i_table_item2vec_similar")["title"]) == {"Drama"}
    qp = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert qp["item"] == "i30" and qp["models"].split(",")[:2] == ["mostpop", "item2vec"]


def test_item_neighbours_models_from_url_and_damaged_model(tiny, tmp_path, monkeypatch):
    store = tmp_path / "store"
    shutil.copytree(tiny[1], store)
    from recall_core.data import load_dataset

    damage(store, load_dataset(str(tiny[0])).key, "eges")
    monkeypatch.setenv("RECALL_DATASET", str(tiny[0]))
    monkeypatch.setenv("RECALL_STORE", str(store))
    at = run_page("pages/items.py", query={"item": "i13", "models": "item2vec,eges,dssm"})
    assert not at.exception
    assert at.multiselect(key="sidebar_models").value == ["item2vec", "eges", "dssm"]
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "eges" in errors[0] and "damaged" in errors[0]
    assert clusters(table(at, "i2i_table_item2vec_similar")["title"]) == {"Comedy"}
    grid = table(at, "i2i_compare")
    assert list(grid.columns) == ["item2vec", "dssm"] and (grid["dssm"] != "").sum() == 10


# --------------------------------------------------------------------------- User recall


def test_user_recall_history_ranks_and_k(env):
    from recall_core.data import load_dataset
    from recall_core.explore import user_profile

    ds = load_dataset(str(env[0]))
    prof = user_profile(ds, "u3")
    at = run_page("pages/users.py", query={"user": "u3", "k": "10"})
    ok(at)
    assert at.subheader[0].value == "User u3"
    hist = table(at, "u2i_history")
    assert hist["title"].iloc[0] == prof["history"]["title"].iloc[-1]  # most recent first
    test_title = ds.items.set_index("item_id").loc[prof["test_item"], "title"]
    ranks = {m.label.split(":")[0]: m.value for m in at.metric}
    recs = table(at, "u2i_table_item2vec")
    assert len(recs) == 10
    held = recs[recs["held_out"]]
    if int(ranks["item2vec"]) <= 10:  # shown with the held-out flag exactly at its rank
        assert held["rank"].tolist() == [int(ranks["item2vec"])] and held["title"].iloc[0] == test_title
    else:
        assert held.empty
    seen = set(prof["history"]["item_id"])
    assert not seen & set(recs["item_id"])  # training items excluded
    assert any("u2i_genres" in k for k in plotly_specs(at))
    at.number_input(key="u2i_k").set_value(4).run()
    ok(at)
    assert len(table(at, "u2i_table_item2vec")) == 4
    at.selectbox(key="u2i_user").set_value("u6").run()
    ok(at)
    assert at.subheader[0].value == "User u6"
    qp = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert qp["user"] == "u6" and "item" not in qp


# --------------------------------------------------------------------------- EGES


def test_eges_attention_and_cold_start(env):
    at = run_page("pages/eges.py", state={"eges_item": "i40"})
    ok(at)
    bar = next(s for k, s in plotly_specs(at).items() if "eges_item_bar" in k)
    weights = values(bar["data"][0]["y"])
    assert values(bar["data"][0]["x"]) == ["item_id", "genres", "year", "popularity"]
    assert sum(weights) == pytest.approx(1.0, abs=1e-5)
    assert any(c.value.startswith("Walk centre in **") for c in at.caption)  # the movie's update count
    assert clusters(table(at, "eges_neighbours")["title"]) == {"Horror"}
    assert not [k for k in plotly_specs(at) if "eges_scatter" in k]  # one section at a time
    # the stand-in's id weight grows with interactions, its exposure is random: the claim holds when controlled
    at.session_state["eges_section"] = "Across the catalogue"
    at.run()
    ok(at)
    assert any(m.value.startswith("The claim holds after controlling for exposure") for m in at.markdown)
    specs = plotly_specs(at)
    assert "centre count" in json.dumps(specs[next(k for k in specs if "eges_scatter" in k)]["data"][0]["marker"])
    at.session_state["eges_section"] = "By kind of item"
    at.run()
    ok(at)
    specs = plotly_specs(at)
    genre_heat = specs[next(k for k in specs if "eges_by_genre" in k)]["data"][0]
    assert values(genre_heat["x"]) == ["item_id", "genres", "year", "popularity"] and len(values(genre_heat["y"])) == 4
    at.session_state["eges_section"] = "Cold-start simulator"
    at.run()
    ok(at)
    at.multiselect(key="eges_cold_genres").set_value(["Horror"]).run()
    ok(at)
    cold = table(at, "eges_cold_table")
    assert len(cold) == 10 and clusters(cold["title"][:5]) == {"Horror"}
    at.multiselect(key="eges_cold_genres").set_value(["Comedy"])
    at.number_input(key="eges_cold_k").set_value(3).run()
    ok(at)
    cold = table(at, "eges_cold_table")
    assert len(cold) == 3 and clusters(cold["title"]) == {"Comedy"}


# --------------------------------------------------------------------------- DSSM


def _stats(at: AppTest) -> dict[str, float]:
    m = {x.label: x.value for x in at.metric}
    return {"entropy": float(m["Entropy"].split()[0]), "top1": float(m["Top-1 probability"].rstrip("%")) / 100}


def test_dssm_temperature_sharpens(env):
    at = run_page("pages/dssm.py", state={"dssm_user": "u2"})
    ok(at)
    assert at.select_slider(key="dssm_tau").value == 0.1  # the default model's training τ
    base = _stats(at)
    p = table(at, "dssm_softmax_table")
    assert len(p) == 20 and p["probability"].sum() == pytest.approx(1.0, abs=1e-6)
    assert p["probability"].is_monotonic_decreasing
    titles = p["title"].tolist()
    at.select_slider(key="dssm_tau").set_value(0.02).run()
    ok(at)
    sharp = _stats(at)
    assert sharp["entropy"] < base["entropy"] and sharp["top1"] > base["top1"]
    assert table(at, "dssm_softmax_table")["title"].tolist() == titles  # τ never reorders
    at.select_slider(key="dssm_tau").set_value(2.0).run()
    flat = _stats(at)
    assert flat["entropy"] > base["entropy"] and flat["top1"] < base["top1"]
    assert flat["entropy"] <= 20 ** 0 * __import__("math").log2(20) + 1e-9
    # stored variants against τ and the chosen variant beside the default
    at.session_state["dssm_section"] = "(b) τ in training"
    at.run()
    ok(at)
    v = table(at, "dssm_variants")
    assert v["tau"].tolist() == [0.05, 0.1, 0.5]
    assert at.selectbox(key="dssm_variant").value == "dssm@t0.05"
    assert len(table(at, "dssm_recs_dssm@t0.05")) == 10 and len(table(at, "dssm_recs_dssm")) == 10
    at.selectbox(key="dssm_variant").set_value("dssm@t0.5").run()
    ok(at)
    assert len(table(at, "dssm_recs_dssm@t0.5")) == 10


# --------------------------------------------------------------------------- Maps


def test_embedding_maps_computed_once_then_read(env):
    from recall_core.data import load_dataset
    from recall_core.store import live_dir

    folder = live_dir(Path(env[1]), load_dataset(str(env[0])).key, "item2vec")  # the live version's folder
    at = run_page("pages/maps.py", state={"maps_item": "i3", "maps_k": 5, "maps_closeups": True})
    ok(at)
    assert list(folder.glob("umap-items-nn15-md0.1-s42.npz"))
    specs = plotly_specs(at)
    left = next(s for k, s in specs.items() if "maps_fig_left" in k)
    names = [t["name"] for t in left["data"]]
    assert {"Action", "Comedy", "Drama", "Horror"} <= set(names) and "selected" in names
    assert {t["type"] for t in left["data"]} == {"scatter"}  # a small map: SVG (figures.WEBGL_ABOVE)
    zoom = next(s for k, s in specs.items() if "maps_zoom_left" in k)  # the close-up carries the neighbours
    hl = next(t for t in zoom["data"] if t["name"] == "neighbours")
    assert len(values(hl["x"])) == 5 and {t["type"] for t in zoom["data"]} == {"scatter"}  # small: SVG
    assert not any("maps_fig_users" in k for k in specs)  # one kind of map at a time
    at.session_state["maps_section"] = "Users"
    at.run()
    ok(at)
    assert any("maps_fig_users" in k for k in plotly_specs(at))
    at.session_state["maps_section"] = "Items"
    # a second session reads the maps from the store
    at2 = run_page("pages/maps.py")
    ok(at2)
    assert any("read from the store" in c.value for c in at2.caption)
    at2.selectbox(key="maps_colour").set_value("year").run()
    ok(at2)
    left = next(s for k, s in plotly_specs(at2).items() if "maps_fig_left" in k)
    assert left["data"][0]["marker"]["showscale"] is True


def test_pages_import_neither_tensorflow_nor_umap(env, tmp_path):
    """A fresh process renders every page (maps already cached) without importing TensorFlow or umap."""
    ok(run_page("pages/maps.py"))  # the maps the page shows by default now exist in the store
    code = f"""
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({APP!r}, default_timeout={TIMEOUT}).run()
for p in ["pages/items.py", "pages/users.py", "pages/eges.py",
          "pages/dssm.py", "pages/maps.py"]:
    at.switch_page(p).run()
    assert not at.exception, (p, [e.message for e in at.exception])
for key, section in [("eges_section", "Across the catalogue"), ("eges_section", "By kind of item"),
                     ("maps_section", "Users")]:  # the lazy sections, opened
    at.session_state[key] = section
    at.switch_page("pages/" + ("eges.py" if key.startswith("eges") else "maps.py")).run()
    assert not at.exception, (key, [e.message for e in at.exception])
print("tensorflow" in sys.modules, "umap" in sys.modules, "keras" in sys.modules)
"""
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=180,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().splitlines()[-1] == "False False False"


# --------------------------------------------------------------------------- bad links


@pytest.mark.parametrize("page,query,said", [
    ("pages/items.py", {"item": "99999"}, ["`item=99999`", "a movie id of"]),
    ("pages/items.py", {"item": "i5", "k": "-3"}, ["`k=-3`", "from 1 to 50", "K = 10"]),
    ("pages/users.py", {"user": "abc", "k": "-3"}, ["`user=abc`", "a user id of", "`k=-3`"]),
    (None, {"models": "nosuch,item2vec"}, ["`models=nosuch`", "models stored for"]),
])
def test_bad_link_parameters_are_said_on_the_page(env, page, query, said):
    if page is None:  # the link's first run, on the home page
        at = AppTest.from_file(APP, default_timeout=TIMEOUT)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
    else:
        at = run_page(page, query=query)
    ok(at)
    text = " ".join(w.value for w in at.warning)
    for s in said:
        assert s in text, (s, text)
    at.run()  # the next run (the URL now holds the values in use) says nothing more
    assert not [w for w in at.warning if "Ignored" in w.value]


def test_titles_from_files_are_shown_as_text():
    from recall_core.app.widgets import md_escape

    shown = md_escape("[click](http://evil.example) <b>x</b> *y*")
    assert "](" not in shown.replace("\\]\\(", "") and "\\<b\\>" in shown and "\\*y\\*" in shown


def test_sidebar_path_outside_the_allowed_roots_is_refused(env, tmp_path, monkeypatch):
    monkeypatch.setenv("RECALL_DATA_ROOTS", str(tmp_path))
    at = run_page(state={"sidebar_dataset_path": "/etc"})
    assert not at.exception
    assert any("reads datasets only from" in e.value and str(tmp_path) in e.value for e in at.error)
    # a folder under a root is read as usual
    monkeypatch.setenv("RECALL_DATA_ROOTS", str(Path(env[0]).parent))
    at = run_page(state={"sidebar_dataset_path": str(env[0])})
    ok(at)


def test_data_roots_default_to_cache_and_cwd_beyond_localhost(monkeypatch):
    from recall_core.app import state

    monkeypatch.delenv("RECALL_DATA_ROOTS", raising=False)
    monkeypatch.setattr(state.st, "get_option", lambda name: "localhost")
    assert state.data_roots() is None
    monkeypatch.setattr(state.st, "get_option", lambda name: "0.0.0.0")
    roots = state.data_roots()
    assert Path.cwd().resolve() in roots and len(roots) == 2
    with pytest.raises(Exception, match="reads datasets only from"):
        state.check_data_path("/etc", roots)


def test_train_button_is_disabled_while_another_process_trains(env):
    """A training elsewhere (here: another process holding the store's lock) disables the Train buttons."""
    import time

    from recall_core.data import load_dataset

    folder, store = env
    key = load_dataset(str(folder)).key
    code = ("import sys, time; from recall_core.store import training_lock\n"
            f"with training_lock({str(store)!r}, {key!r}):\n    print('held', flush=True); time.sleep(30)\n")
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
    try:
        assert holder.stdout.readline().strip() == "held"
        at = run_page(state={"overview_train_box": True})
        ok(at)
        assert any(f"pid {holder.pid}" in i.value and "Training in progress" in i.value for i in at.info)
        assert at.button(key="overview_train").disabled
        at = run_page("pages/dssm.py", state={"dssm_section": "(b) τ in training"})
        ok(at)
        assert at.button(key="dssm_train").disabled
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.2)
    at = run_page(state={"overview_train_box": True})
    ok(at)
    assert not at.button(key="overview_train").disabled


def test_overview_shows_the_loaders_warnings(tiny, tmp_path, monkeypatch):
    """A duplicate (user, item) row is dropped by policy, and the Overview says so."""
    folder = tmp_path / "dup"
    shutil.copytree(tiny[0], folder)
    first = (folder / "u.data").read_text().splitlines()[0].split("\t")
    with open(folder / "u.data", "a") as f:
        f.write("\t".join([first[0], first[1], "3", str(int(first[3]) - 5)]) + "\n")
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(tmp_path / "store"))
    at = run_page()
    ok(at)
    assert any("duplicate" in w.value for w in at.warning), [w.value for w in at.warning]


# --------------------------------------------------------------------------- demo mode: links and imports


def copied_link(at: AppTest, key: str) -> dict[str, str]:
    """The query of the link the "Copy link to this view" button in container ``key`` copies."""
    import html
    import re
    from urllib.parse import parse_qs, urlparse

    bodies = [h.value for h in at.get_by_key(key).get("html")]
    assert len(bodies) == 1 and "Copy link to this view" in bodies[0], key
    link = html.unescape(re.search(r'data-link="([^"]*)"', bodies[0]).group(1))
    return {k: v[0] for k, v in parse_qs(urlparse(link).query).items()}


def test_copy_link_carries_the_view_and_reopens_it(env):
    at = run_page("pages/items.py", query={"item": "i5", "k": "5"})
    ok(at)
    q = copied_link(at, "i2i_copy_link")
    assert q["item"] == "i5" and q["k"] == "5" and q["models"].split(",")[:2] == ["mostpop", "item2vec"]
    at.number_input(key="i2i_k").set_value(3).run()
    at.selectbox(key="i2i_item").set_value("i30").run()
    q = copied_link(at, "i2i_copy_link")
    assert (q["item"], q["k"]) == ("i30", "3")
    shown = table(at, "i2i_compare")
    again = run_page("pages/items.py", query=q)  # a new session opening the copied link
    ok(again)
    assert table(again, "i2i_compare").equals(shown)
    at = run_page("pages/users.py", query={"user": "u3", "k": "4", "models": "item2vec,dssm"})
    ok(at)
    assert copied_link(at, "u2i_copy_link") == {"user": "u3", "k": "4", "models": "item2vec,dssm"}


def test_upload_imports_vectors_that_show_on_the_item_page(tiny, tmp_path, monkeypatch):
    from recall_core.data import load_dataset
    from recall_core.store import load_trained as load
    from recall_core.io.projector import projector_files

    folder, store = tiny[0], tmp_path / "store"
    shutil.copytree(tiny[1], store)
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    ds = load_dataset(str(folder))
    files = projector_files(ds, load(ds, store, "item2vec"))
    vectors = files["vectors.tsv"] + files["vectors.tsv"].splitlines()[0] + "\n"  # one more row ...
    meta = files["metadata.tsv"] + "no-such-movie\tNowhere\t\t\n"  # ... for an id the dataset lacks
    at = run_page(state={"overview_files_box": True})
    ok(at)
    at.text_input(key="overview_import_name").set_value("mine")
    at.file_uploader(key="overview_import_vectors").set_value(("vec.tsv", b"1\t2\n3\n", "text/plain"))
    at.file_uploader(key="overview_import_ids").set_value(("meta.tsv", meta.encode(), "text/plain")).run()
    at.button(key="overview_import").click().run()
    assert [e.value for e in at.error] == ["vec.tsv line 2: 1 values, but line 1 has 2: every vector must have "
                                           "the same width"]
    assert not (store / ds.key / "mine").exists()
    at.file_uploader(key="overview_import_vectors").set_value(("vectors.tsv", vectors.encode(), "text/plain")).run()
    at.button(key="overview_import").click().run()
    ok(at)
    said = " ".join(s.value for s in at.success).replace("\\", "")  # shown as escaped markdown
    assert "Imported. mine: 48 of 49 item vectors" in said and "left out: 'no-such-movie'" in said
    lb = table(at, "overview_table").set_index("model")
    mine = table(at, "overview_imported_table").set_index("model")  # imported vectors stand apart
    i2i = next(c for c in lb.columns if c.startswith("I2I HR@"))
    assert mine.loc["mine", i2i] == pytest.approx(lb.loc["item2vec", i2i])
    assert "mine" in at.multiselect(key="sidebar_models").value
    at.switch_page("pages/items.py").run()
    ok(at)
    grid = table(at, "i2i_compare")
    assert grid["mine"].tolist() == grid["item2vec"].tolist()
    at.session_state["i2i_model_tab"] = "mine"
    at.run()
    ok(at)
    assert any("imported from vectors.tsv" in c.value and c.value.startswith("Cosine") for c in at.caption)
    assert len(table(at, "i2i_table_mine_similar")) == 10
