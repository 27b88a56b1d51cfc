"""Maps ready when training ends (issue 22): ``train`` keeps each model's default UMAP maps as it stores it,
so the first visitor of the Maps page reads them instead of computing them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recall_core.analysis import maps
from recall_core.store import map_path

ROOT = Path(__file__).resolve().parents[2]


def test_map_path_is_the_stores_layout(tmp_path):
    assert map_path(tmp_path, "items", 15, 0.1, 42) == tmp_path / "umap-items-nn15-md0.1-s42.npz"
    assert map_path(tmp_path, "users", 5, 0.0, 1).name == "umap-users-nn5-md0-s1.npz"
    with pytest.raises(ValueError, match="kind"):
        map_path(tmp_path, "films", 15, 0.1, 42)


def test_the_page_starts_at_the_default_maps():
    """The page's sliders start where train computes: one pair of constants, read by both."""
    src = (ROOT / "pages" / "maps.py").read_text()
    assert "maps.DEFAULT_N_NEIGHBORS" in src and "maps.DEFAULT_MIN_DIST" in src
    assert (maps.DEFAULT_N_NEIGHBORS, maps.DEFAULT_MIN_DIST) == (15, 0.1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny planted store trained by the CLI (`train`), never opened by the app; and one with --no-maps."""
    from recall_core.cli import main
    from recall_core.data.planted import planted_dataset, write_movielens

    root = tmp_path_factory.mktemp("maps_at_train")
    folder = write_movielens(planted_dataset(n_clusters=3, items_per_cluster=8, users_per_cluster=10, history=8),
                             root / "ml-tiny", "ml-100k")
    assert main(["train", "--dataset", str(folder), "--store", str(root / "store"), "--models", "mostpop,item2vec"]) == 0
    assert main(["train", "--dataset", str(folder), "--store", str(root / "bare"), "--models", "item2vec",
                 "--no-maps"]) == 0
    return folder, root


def _maps_of(store: Path, folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in store.rglob("umap-*.npz")}


def test_train_keeps_the_default_maps_equal_to_the_pages(trained):
    """The kept maps are exactly what the page would compute (same vectors, settings, seed)."""
    from recall_core.data import load_dataset
    from recall_core.store import load_model

    folder, root = trained
    m = load_model(root / "store", load_dataset(str(folder)).key, "item2vec")
    for kind in ("items", "users"):
        kept = maps.read_map(m, kind, maps.DEFAULT_N_NEIGHBORS, maps.DEFAULT_MIN_DIST)
        assert kept is not None, kind
        fresh = maps.compute(maps._vectors(m, kind)[kept.rows], maps.DEFAULT_N_NEIGHBORS, maps.DEFAULT_MIN_DIST)
        np.testing.assert_array_equal(kept.coords, fresh)
    assert not _maps_of(root / "bare", folder)  # --no-maps: none
    # mostpop's vectors cannot be laid out (mappable says why): train skips it without failing
    assert not list((root / "store").rglob("mostpop/*/umap-*.npz"))


def test_cli_says_how_long_the_maps_took(trained, capsys):
    from recall_core.cli import main

    folder, root = trained
    assert main(["train", "--dataset", str(folder), "--store", str(root / "again"), "--models", "item2vec"]) == 0
    line = next(l for l in capsys.readouterr().out.splitlines() if l.startswith("item2vec"))
    assert "maps" in line and line.rstrip().endswith("s")


def test_first_visitor_of_the_maps_page_reads_them(trained, monkeypatch):
    from streamlit.testing.v1 import AppTest

    folder, root = trained
    monkeypatch.setenv("RECALL_DATASET", str(folder))
    monkeypatch.setenv("RECALL_STORE", str(root / "store"))
    before = _maps_of(root / "store", folder)
    assert {"umap-items-nn15-md0.1-s42.npz", "umap-users-nn15-md0.1-s42.npz"} <= set(before)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page("pages/maps.py").run()
    assert not at.exception and not at.error
    captions = [c.value for c in at.caption]
    assert any("read from the store" in c for c in captions), captions
    assert not any("computed now" in c for c in captions), captions
    assert _maps_of(root / "store", folder) == before  # nothing computed or rewritten by the visit
