"""The explorer on a catalogue too big for a plain selectbox: server-side search in the pickers.

A planted ml-latest folder with 2,500 movies and 2,100 users (both above ``widgets.SEARCH_ABOVE``), one movie
with a title found nowhere else ("Zebra Quest") rated once (so it is never among the most-rated matches), and a
store holding most-popular only (trained in a second): the pickers are drawn before any model is used.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")

from recall_core.app import widgets  # noqa: E402
from tests.app.test_app import ok, run_page  # noqa: E402

N_ITEMS, N_USERS, ZEBRA = 2500, 2100, "2417"


def write_catalogue(folder: Path) -> Path:
    folder.mkdir(parents=True)
    genres = ["Action", "Comedy", "Drama", "Horror"]
    titles = [f"Planted Movie {i} ({1950 + i % 60})" for i in range(1, N_ITEMS + 1)]
    titles[int(ZEBRA) - 1] = "Zebra Quest (1977)"
    with open(folder / "movies.csv", "w") as f:
        f.write("movieId,title,genres\n")
        for i, t in enumerate(titles, start=1):
            f.write(f'{i},"{t}",{genres[i % 4]}\n')
    rng = np.random.default_rng(0)
    rows, t0 = [], 1_000_000_000
    for u in range(1, N_USERS + 1):
        # every user rates three of the 40 most popular movies and two others; each movie is rated at least once
        items = {int(x) for x in rng.choice(40, 3, replace=False) + 1}
        items |= {(u * 7) % N_ITEMS + 1, (u * 13 + 5) % N_ITEMS + 1} - {int(ZEBRA)}
        rows += [(u, i, 4.0, t0 + u * 100 + j) for j, i in enumerate(sorted(items))]
    covered = {i for _, i, _, _ in rows}
    rows += [((i % N_USERS) + 1, i, 3.0, t0 + 10**7 + i) for i in range(1, N_ITEMS + 1) if i not in covered]
    with open(folder / "ratings.csv", "w") as f:
        f.write("userId,movieId,rating,timestamp\n")
        f.writelines(f"{u},{i},{r},{t}\n" for u, i, r, t in rows)
    return folder


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    from recall_core.training import train_models

    root = tmp_path_factory.mktemp("bigcat")
    folder = write_catalogue(root / "ml-big")
    train_models(str(folder), ["mostpop"], root / "store", seed=42)
    return folder, root / "store"


@pytest.fixture()
def big_env(big, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(big[0]))
    monkeypatch.setenv("RECALL_STORE", str(big[1]))
    return big


def test_search_choices_ranks_id_then_prefix_then_word_then_substring():
    from recall_core.analysis.catalogue import search_choices

    ids = ["1", "2", "3", "4", "5"]
    labels = {"1": "The Star Maker (1990)", "2": "Star Wars (1977)", "3": "Lodestar (2001)",
              "4": "Starship (1985) · 5 stars", "5": "Heat (1995)"}
    assert search_choices(ids, labels, "star") == ["2", "4", "1", "3"]
    assert search_choices(ids, labels, "STAR wars") == ["2"]
    assert search_choices(ids, labels, "5") == ["5", "4"]  # the id first, then labels containing it
    assert search_choices(ids, labels, "", limit=2) == ["1", "2"]
    assert search_choices(ids, labels, "star", limit=2) == ["2", "4"]
    assert search_choices(ids, labels, "nothing") == []


def test_big_catalogue_pickers_list_at_most_the_limit_and_search_on_the_server(big_env):
    assert N_ITEMS > widgets.SEARCH_ABOVE and N_USERS > widgets.SEARCH_ABOVE
    at = run_page("pages/items.py")
    assert not at.exception, [e.message for e in at.exception]
    box = at.selectbox(key="i2i_item")
    assert len(box.options) <= widgets.SEARCH_LIMIT + 1
    assert not any("Zebra" in o for o in box.options)
    at.text_input(key="i2i_item_search").input("zebra").run()
    assert not at.exception
    assert at.selectbox(key="i2i_item").value == ZEBRA  # the best match is shown at once
    assert any("Zebra Quest" in o for o in at.selectbox(key="i2i_item").options)
    assert at.query_params["item"] == ZEBRA
    at.text_input(key="i2i_item_search").input("Planted Movie 12").run()
    opts = at.selectbox(key="i2i_item").options
    assert 1 < len(opts) <= widgets.SEARCH_LIMIT + 1 and all("Planted Movie 12" in o for o in opts)

    at = run_page("pages/users.py")
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.selectbox(key="u2i_user").options) <= widgets.SEARCH_LIMIT + 1
    at.text_input(key="u2i_user_search").input("2077").run()
    assert at.selectbox(key="u2i_user").value == "2077"


def test_big_catalogue_link_to_a_movie_outside_the_matches_opens_it(big_env):
    at = run_page("pages/items.py", query={"item": ZEBRA, "k": "5"})
    ok_boxes = [w.value for w in at.warning]
    assert not at.exception and not any("Ignored" in str(w) for w in ok_boxes), ok_boxes
    box = at.selectbox(key="i2i_item")
    assert box.value == ZEBRA and len(box.options) <= widgets.SEARCH_LIMIT + 1
    assert any("Zebra Quest" in m.value for m in at.markdown)


@pytest.fixture(scope="module")
def small(tiny_basic_built, tmp_path_factory):
    """The planted 48-movie folder with most-popular and item2vec (see tests/app_fixture.py), a store of its own."""
    from tests.app_fixture import copy_store

    return copy_store(tiny_basic_built, tmp_path_factory.mktemp("small"))


@pytest.fixture()
def small_env(small, monkeypatch):
    monkeypatch.setenv("RECALL_DATASET", str(small[0]))
    monkeypatch.setenv("RECALL_STORE", str(small[1]))
    return small


def test_small_catalogue_keeps_one_selectbox_of_every_movie(small_env):
    at = run_page("pages/items.py")
    ok(at)
    assert len(at.selectbox(key="i2i_item").options) == 48  # 4 planted clusters of 12
    assert not [t for t in at.text_input if t.key == "i2i_item_search"]


def _points(spec: dict) -> int:
    from tests.app.test_app import values

    return sum(len(values(t["x"])) for t in spec["data"] if t["name"] not in ("neighbours", "selected"))


def test_display_sample_and_close_up():
    import pandas as pd

    from recall_core.analysis import maps

    df = pd.DataFrame({"x": np.arange(100.0), "y": np.zeros(100), "item_id": [str(i) for i in range(100)]})
    same, notice = maps.display_sample(df, limit=100)
    assert notice is None and same is df
    sub, notice = maps.display_sample(df, limit=10, keep=["99"])
    assert notice.startswith("showing 11 of 100 items") and "99" in set(sub["item_id"]) and len(sub) == 11
    assert maps.display_sample(df, limit=10, keep=["99"])[0].equals(sub)  # seeded: the same sample every run
    # close-up of item 50 and neighbours 48, 53: the box [48, 53] is narrower than 10% of the map (9.9), so the
    # window is 9.9 wide around 50.5, plus 15% of 9.9 on each side: [44.065, 56.935]
    sub, notice, xr, yr = maps.close_up(df, "50", ["48", "53"])
    assert notice is None and set(sub["item_id"]) == {str(i) for i in range(45, 57)}
    assert xr == pytest.approx((44.065, 56.935))
    assert maps.close_up(df, "nope", ["48"])[0].empty


def test_maps_say_when_they_are_sampled_and_only_then(small_env, monkeypatch):
    from recall_core.analysis import maps
    from tests.app.test_app import plotly_specs

    at = run_page("pages/maps.py", state={"maps_item": "i3"})
    ok(at)
    left = next(s for k, s in plotly_specs(at).items() if "maps_fig_left" in k)
    n = _points(left)
    assert n == 48 and {t["type"] for t in left["data"]} == {"scatter"}  # up to figures.WEBGL_ABOVE: SVG
    assert not any("Sampled" in c.value for c in at.caption) and "sampled" not in left["layout"]["title"]["text"]
    from recall_core.app import figures

    webgl_above = figures.WEBGL_ABOVE
    monkeypatch.setattr(figures, "WEBGL_ABOVE", 47)  # one point fewer than the map has: WebGL
    at = run_page("pages/maps.py", state={"maps_item": "i3"})
    left = next(s for k, s in plotly_specs(at).items() if "maps_fig_left" in k)
    assert _points(left) == 48 and {t["type"] for t in left["data"]} == {"scattergl"}
    monkeypatch.setattr(figures, "WEBGL_ABOVE", webgl_above)

    monkeypatch.setattr(maps, "MAX_POINTS", 20)
    at = run_page("pages/maps.py", state={"maps_item": "i3"})
    ok(at)
    left = next(s for k, s in plotly_specs(at).items() if "maps_fig_left" in k)
    n = _points(left)
    assert n in (20, 21)  # 20 sampled, and the highlighted movie if it was not among them
    notes = [c.value for c in at.caption if c.value.startswith("Sampled map")]
    assert len(notes) == 2 and f"showing {n} of 48 items" in notes[0]  # one per map
    assert f"showing {n} of 48 items" in left["layout"]["title"]["text"]  # on the map itself
    monkeypatch.setattr(maps, "MAX_POINTS", 48)
    at = run_page("pages/maps.py", state={"maps_item": "i3"})
    assert not any(c.value.startswith("Sampled") for c in at.caption)


def test_changing_k_leaves_the_full_maps_untouched(small_env):
    """K lives in a fragment of its own: the full maps' specs stay byte-identical (the browser keeps them)."""
    from tests.app.test_app import plotly_specs, values

    at = run_page("pages/maps.py", state={"maps_item": "i3", "maps_k": 5, "maps_closeups": True})
    ok(at)
    before = {k: s for k, s in plotly_specs(at).items() if "maps_fig_" in k}
    at.number_input(key="maps_k").set_value(8).run()
    ok(at)
    specs = plotly_specs(at)
    after = {k: s for k, s in specs.items() if "maps_fig_" in k}
    assert after == before and len(after) == 2
    zoom = next(s for k, s in specs.items() if "maps_zoom_left" in k)
    assert len(values(next(t for t in zoom["data"] if t["name"] == "neighbours")["x"])) == 8


def test_close_ups_are_drawn_on_demand_and_kept_when_the_visitor_comes_back(small_env):
    """A first visit draws the two full maps and a toggle, no close-up (two fewer plotly charts for the browser to
    draw: BENCHMARKS.md, "The first visitor of the Maps page"). Turning the toggle on draws each model's close-up
    around the highlighted movie with its K neighbours, leaves the full maps' specs as they were (a fragment),
    and the page keeps the choice when the visitor comes back to it."""
    from tests.app.test_app import plotly_specs, values

    at = run_page("pages/maps.py", state={"maps_item": "i3"})
    ok(at)
    specs = plotly_specs(at)
    maps_before = {k: s for k, s in specs.items() if "maps_fig_" in k}
    assert len(maps_before) == 2 and not any("maps_zoom_" in k for k in specs)
    assert at.toggle(key="maps_closeups").value is False
    assert not [n for n in at.number_input if n.key == "maps_k"]  # K belongs to the close-ups
    at.toggle(key="maps_closeups").set_value(True).run()
    ok(at)
    specs = plotly_specs(at)
    assert {k: s for k, s in specs.items() if "maps_fig_" in k} == maps_before
    zooms = {k: s for k, s in specs.items() if "maps_zoom_" in k}
    assert len(zooms) == 2 and at.number_input(key="maps_k").value == 10
    for zoom in zooms.values():  # the default K: ten ringed neighbours and the movie's star
        assert len(values(next(t for t in zoom["data"] if t["name"] == "neighbours")["x"])) == 10
        assert len(values(next(t for t in zoom["data"] if t["name"] == "selected")["x"])) == 1
    assert at.session_state["_maps_closeups"] is True  # kept for the next visit (url.remember)


def test_umap_reports_progress_through_the_layout_epochs():
    from recall_core.analysis import maps

    seen = []
    vecs = np.random.default_rng(0).normal(size=(40, 8)).astype(np.float32)
    coords = maps.compute(vecs, progress=lambda f, m: seen.append((f, m)))
    fractions = [f for f, _ in seen]
    assert fractions[0] == 0.0 and fractions[-1] == 1.0 and fractions == sorted(fractions)
    assert any(m.startswith("layout: epoch") for _, m in seen)
    assert np.array_equal(coords, maps.compute(vecs))  # reporting changes nothing
