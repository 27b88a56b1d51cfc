"""The "How it works" page: its mechanisms on planted data (hand-computed), and every section under AppTest."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from recall_core.analysis import mechanisms
from recall_core.features.graph import PAD, SessionGraph

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
SIX = ("item2vec", "eges", "airbnb", "fm", "dssm", "youtubednn")


class _Train:
    """The part of TrainData item2vec_pairs reads: item rows per user in time order."""

    def __init__(self, histories, n_items):
        self._h = [np.asarray(h, np.int64) for h in histories]
        self.n_items = n_items

    def histories(self):
        return self._h


# --------------------------------------------------------------------------- item2vec pairs, by hand

def test_item2vec_pairs_sequence_window_hand_computed():
    # histories: item 0 is the centre
    train = _Train([[5, 1, 0, 2, 3, 4], [0, 2], [7, 8]], n_items=9)
    got = mechanisms.item2vec_pairs(train, 0, "sequence", window=2).set_index("item_idx")
    # user 0: distance 1 -> 1, 2; distance 2 -> 5, 3.  user 1: distance 1 -> 2.  (4, 7, 8 are never in the window)
    assert set(got.index) == {1, 2, 3, 5}
    assert got.loc[2, "pairs"] == 2 and got.loc[2, "users"] == 2
    assert got.loc[1, "pairs"] == 1 and got.loc[5, "pairs"] == 1 and got.loc[3, "pairs"] == 1
    # gensim's shrunk window keeps distance d with probability (w - d + 1) / w: 1 at d=1, 1/2 at d=2
    assert got.loc[2, "expected"] == pytest.approx(2.0)
    assert got.loc[5, "expected"] == pytest.approx(0.5) and got.loc[3, "expected"] == pytest.approx(0.5)
    assert list(got.index[:2]) == [2, 1]  # sorted by expected use, heaviest first


def test_item2vec_pairs_set_view_hand_computed():
    train = _Train([[5, 1, 0, 2, 3, 4], [0, 2], [7, 8]], n_items=9)
    got = mechanisms.item2vec_pairs(train, 0, "set", window=2, set_chunk=50).set_index("item_idx")
    # the set view: every other film of every history holding 0, whatever the distance
    assert set(got.index) == {1, 2, 3, 4, 5}
    assert got.loc[2, "pairs"] == 2 and got.loc[4, "pairs"] == 1
    assert got["expected"].to_dict() == pytest.approx({1: 1.0, 2: 2.0, 3: 1.0, 4: 1.0, 5: 1.0})
    # chunks of 3 on a history of 6: a pair shares a chunk with probability 2*3*2 / (6*5) = 0.4
    chunked = mechanisms.item2vec_pairs(train, 0, "set", window=2, set_chunk=3).set_index("item_idx")
    assert chunked.loc[4, "expected"] == pytest.approx(0.4)
    assert chunked.loc[2, "expected"] == pytest.approx(0.4 + 1.0)  # user 1's history (2 films) is one chunk


def test_item2vec_sentence_marks_the_window():
    train = _Train([[5, 1, 0, 2, 3, 4], [0, 2]], n_items=6)
    s = mechanisms.item2vec_sentence(train, 0, window=2)
    assert s["user"] == 0 and s["position"] == 2 and s["window"] == (0, 5)


# --------------------------------------------------------------------------- EGES walks stay on edges

def _graph(edges: dict[tuple[int, int], float], n: int) -> SessionGraph:
    import scipy.sparse as sp

    src, dst = zip(*edges)
    return SessionGraph(sp.csr_matrix((list(edges.values()), (src, dst)), shape=(n, n)))


def test_walks_only_take_edges_of_the_graph_and_first_step_probabilities():
    g = _graph({(0, 1): 3.0, (0, 2): 1.0, (1, 2): 1.0, (2, 0): 2.0, (2, 3): 2.0}, n=5)  # 3 is a dead end, 4 isolated
    fs = mechanisms.first_step(g, 0)
    assert fs["item_idx"].tolist() == [1, 2] and fs["probability"].tolist() == pytest.approx([0.75, 0.25])
    walks = mechanisms.sample_walks(g, 0, n_walks=400, walk_length=6, seed=3)
    assert walks.shape == (400, 6) and (walks[:, 0] == 0).all()
    ok, n = mechanisms.walk_steps_on_graph(g, walks)
    assert n > 0 and ok == n
    first = walks[:, 1]
    assert abs((first == 1).mean() - 0.75) < 0.07  # M_01 / (M_01 + M_02)
    # a walk that reaches the dead end 3 is padded, never continued
    at3 = np.argwhere(walks == 3)
    assert all((walks[r, c + 1:] == PAD).all() for r, c in at3)
    # the check itself catches a step off an edge
    bad = walks.copy()
    bad[0, 1] = 4
    assert mechanisms.walk_steps_on_graph(g, bad)[0] < mechanisms.walk_steps_on_graph(g, bad)[1]


def test_ego_network_edges_exist_in_the_graph():
    g = _graph({(0, 1): 3.0, (1, 2): 1.0, (2, 3): 2.0, (3, 4): 1.0}, n=5)
    e1 = mechanisms.ego_network(g, 1, depth=1)
    assert set(map(tuple, e1[["src", "dst"]].to_numpy())) == {(0, 1), (1, 2)}
    e2 = mechanisms.ego_network(g, 1, depth=2)
    assert set(map(tuple, e2[["src", "dst"]].to_numpy())) == {(0, 1), (1, 2), (2, 3)}
    assert all(g.matrix[int(s), int(d)] == w for s, d, w in e2[["src", "dst", "weight"]].itertuples(index=False))
    pos = mechanisms.ego_layout(e2, 1)
    assert set(pos) == {0, 1, 2, 3}


# --------------------------------------------------------------------------- the page under AppTest

@pytest.fixture(scope="module")
def how_store(every_model_built, tmp_path_factory):
    """The app tests' tiny store (tests/app_fixture.py) plus real Airbnb, FM and YouTubeDNN models (a store of
    its own, copied from the session's build).

    FM and YouTubeDNN are trained for 2 epochs with small towers (a few seconds): the page test
    checks that their sections render from real stored extras, not model quality.
    """
    pytest.importorskip("streamlit")
    from tests.app_fixture import copy_store

    return copy_store(every_model_built, tmp_path_factory.mktemp("how"))


@pytest.fixture()
def how_env(how_store, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(how_store[0]))
    monkeypatch.setenv("RECALL_STORE", str(how_store[1]))
    return how_store


def run_how(query: dict, state: dict | None = None):
    from tests.app.test_app import run_page

    return run_page("pages/how.py", query, state)


def _stored(store_env, name: str) -> bool:
    from recall_core.data import load_dataset
    from recall_core.store import list_models

    ds = load_dataset(str(store_env[0]))
    return name in list_models(store_env[1], ds.key)


@pytest.mark.parametrize("name", SIX)
def test_how_section_renders_with_formula_and_live_view(how_env, name):
    from recall_core.app import how
    from tests.app.test_app import ok

    assert how.section_module(name) is not None, f"recall_core/app/how/{name}.py is missing"
    assert _stored(how_env, name), f"{name} is not in the fixture store"
    at = run_how({"model": name})
    ok(at)
    assert at.selectbox(key="how_model").value == name
    assert at.query_params["model"] == [name] or at.query_params["model"] == name
    assert len(at.get("latex")) >= 1
    assert len(at.get("plotly_chart")) + len(at.dataframe) >= 1
    assert any("tutorial" in e.label for e in at.expander)  # the "How this differs" box


def test_how_eges_walks_on_the_stored_graph_and_recomposed_h(how_env):
    """The walk view only steps on edges of the graph EGES trains on, and its "what to look for" says so."""
    from recall_core.data import load_dataset
    from recall_core.data.split import split_for
    from tests.app.test_app import ok

    at = run_how({"model": "eges"}, {"how_eges_tabs": "Weighted walks"})
    ok(at)
    ds = load_dataset(str(how_env[0]))
    train = split_for(ds).train
    from recall_core.models.eges import EGESConfig

    graph = mechanisms.eges_graph(train, EGESConfig().session_gap_seconds)
    walks_df = at.get_by_key("how_eges_walks").dataframe[0].value
    title_row = {t: i for i, t in enumerate(ds.items["title"])}
    for _, row in walks_df.iterrows():
        seq = [title_row[v] for v in row if v != "—"]
        assert all(graph.matrix[a, b] > 0 for a, b in zip(seq, seq[1:])), seq
    said = " ".join(m.value for m in at.markdown)
    assert "walk steps follow an edge" in said
    ok_n = [m.value for m in at.markdown if "walk steps follow" in m.value][0]
    import re

    a, b = map(int, re.search(r"\*\*(\d+) of (\d+)\*\*", ok_n).groups())
    assert a == b and b > 0
    # the stand-in EGES records no walks (a store from before issue 22): the caption falls back to the config's
    assert any(f"samples {mechanisms.stored_config(read_eges_manifest(how_env)).walks_per_node} walks from every "
               "node" in c.value for c in at.caption)


def read_eges_manifest(store_env) -> dict:
    from recall_core.data import load_dataset
    from recall_core.store import model_dir, read_manifest

    return read_manifest(model_dir(store_env[1], load_dataset(str(store_env[0])).key, "eges"))


def test_how_eges_caption_names_the_walks_fit_used(every_model_built, tmp_path, monkeypatch):
    """A model trained on a sparse graph records fewer walks per node than its config's (issue 22): the caption
    says how many it used, and why."""
    import json

    from recall_core.data import load_dataset
    from recall_core.store import MANIFEST, live_dir, manifest_path
    from tests.app.test_app import ok
    from tests.app_fixture import copy_store

    folder, store = copy_store(every_model_built, tmp_path)
    key = load_dataset(str(folder)).key
    manifest = json.loads(manifest_path(store, key, "eges").read_text())
    manifest["config"]["walks_per_node"] = 10
    manifest["info"]["walks"] = {"walks_per_node": 10, "walks_per_node_used": 4, "transitions_per_node": 8.6,
                                 "walks_full_density": 20.0}
    for path in (manifest_path(store, key, "eges"), live_dir(store, key, "eges") / MANIFEST):  # live = its version
        path.write_text(json.dumps(manifest))
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(store))
    at = run_how({"model": "eges"}, {"how_eges_tabs": "Weighted walks"})
    ok(at)
    caption = [c.value for c in at.caption if "walks from every node" in c.value][0]
    assert "samples 4 walks from every node" in caption
    assert "(4 of the 10 walks set: this session graph has 8.6 transitions per node, below 20" in caption


def test_how_model_picker_defaults_to_first_stored_and_ignores_a_bad_link(how_env):
    from tests.app.test_app import ok

    at = run_how({"model": "nosuch"})
    ok(at)
    assert at.selectbox(key="how_model").value == "item2vec"  # the first stored model with a section
    assert any("model=nosuch" in w.value for w in at.warning)


def test_attention_breakdown_recomposes_h_from_the_stored_tables():
    """H_v = sum_j a_j W^j with EGES's own numpy export; with the id table stored the check is independent."""
    from recall_core.data.planted import planted_dataset
    from recall_core.data.split import leave_last_out
    from recall_core.features.side_info import FIELDS, side_info
    from recall_core.models.base import RecallOutput
    from recall_core.models.eges import eges_item_vectors

    ds = planted_dataset(n_clusters=2, items_per_cluster=5, users_per_cluster=6, history=4, noise=0.1, seed=0)
    train = leave_last_out(ds).train
    side = side_info(train)
    rng = np.random.default_rng(0)
    d = 6
    tables = {"id": rng.normal(size=(train.n_items, d)), "genre": rng.normal(size=(side.n_genres, d)),
              "year": rng.normal(size=(side.n_year_buckets, d)),
              "popularity": rng.normal(size=(side.n_popularity_buckets, d)),
              "attention": rng.normal(size=(train.n_items, 4))}
    h, att = eges_item_vectors(tables, side)
    extras = {"attention": att, "attention_fields": np.asarray(FIELDS), "genre_embeddings": tables["genre"],
              "year_embeddings": tables["year"], "popularity_embeddings": tables["popularity"],
              "year_edges": side.year_edges, "popularity_edges": side.popularity_edges}
    out = RecallOutput(item_ids=train.item_vocab.ids, item_vectors=h, extras={**extras, "id_embeddings": tables["id"]})
    b = mechanisms.attention_breakdown(out, train, 3)
    assert b["id_stored"] and b["max_abs_error"] < 1e-5
    np.testing.assert_allclose(b["weights"], att[3], rtol=1e-6)
    assert b["weights"].sum() == pytest.approx(1.0, abs=1e-6)
    # a wrong id table is caught (the check is not a tautology when the table is stored)
    wrong = RecallOutput(item_ids=train.item_vocab.ids, item_vectors=h,
                         extras={**extras, "id_embeddings": tables["id"][::-1].copy()})
    assert mechanisms.attention_breakdown(wrong, train, 3)["max_abs_error"] > 1e-3
    # an older store without the id table: the id part is the remainder
    old = RecallOutput(item_ids=train.item_vocab.ids, item_vectors=h, extras=extras)
    ob = mechanisms.attention_breakdown(old, train, 3)
    assert not ob["id_stored"]
    np.testing.assert_allclose(ob["parts"][0], att[3, 0] * tables["id"][3], atol=1e-4)


@pytest.mark.parametrize("name", ["eges", "airbnb", "dssm", "item2vec"])
def test_how_claims_and_tutorial_table_render_on_demand(how_env, name):
    """The claims toggle shows this model's checked claims; the tutorial table toggle shows the table."""
    from tests.app.test_app import ok

    at = run_how({"model": name})
    ok(at)
    before = len(at.get("plotly_chart")) + len(at.dataframe)
    at.toggle(key="how_claims").set_value(True).run()
    ok(at)
    at.toggle(key="how_tutorial_table").set_value(True).run()
    ok(at)
    assert len(at.get("plotly_chart")) + len(at.dataframe) > before
    assert any("tutorial" in s.value.lower() for s in at.subheader)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tutorial_table_shows_the_chapters_table_by_default(how_env, lang):
    """Opened, the tutorial-table view shows the chapter's own table: DSSM's HR@10 reads 0.0401, all six columns."""
    from recall_core.analysis.claims import CHAPTER, TUTORIAL_COLUMNS
    from recall_core.app.i18n import text
    from tests.app.test_app import ok, table

    at = run_how({"model": "dssm", "lang": lang})
    at.toggle(key="how_tutorial_table").set_value(True).run()
    ok(at)
    assert at.selectbox(key="claims_tutorial_snapshot").value == CHAPTER
    t = table(at, "claims_tutorial_table").set_index("model")
    assert t.loc["dssm", "tutorial HR@10"] == 0.0401
    assert t.loc["dssm", list(TUTORIAL_COLUMNS)].tolist() == [0.0401, 0.007, 0.0137, 0.0037, 0.004, 0.0014]
    assert any(c.value.startswith(text(lang, "claims.tut.chapter_source", n=14)[:20]) for c in at.caption)


def test_how_texts_have_no_unfilled_placeholders(how_env):
    """Every section's text is formatted: no "{name}" left over from a catalogue string."""
    import re

    from tests.app.test_app import ok

    for name in SIX:
        at = run_how({"model": name})
        ok(at)
        shown = "\n".join(x.value for x in [*at.markdown, *at.caption])
        assert not re.search(r"\{[a-z_]+(:[^}]*)?\}", shown), (name, re.findall(r"\{[a-z_]+[^}]*\}", shown))
