"""The store path the sidebar shows (recall_core.app.state.shown_path): one a reader can use, and a true one."""
from pathlib import Path

from recall_core.app.state import shown_path


def test_inside_the_working_directory_is_relative(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "models_store" / "ml-100k"
    assert shown_path(store) == "models_store/ml-100k"
    assert (Path.cwd() / shown_path(store)) == store  # the same folder, from where the server runs
    assert shown_path(tmp_path / "a" / ".." / "models_store") == "models_store"  # normalised, no ".."
    assert shown_path("models_store") == "models_store"
    assert shown_path(tmp_path) == "."


def test_outside_the_working_directory_stays_absolute(tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    other = tmp_path / "elsewhere" / "ml-100k"
    assert shown_path(other) == other.as_posix()  # never "../elsewhere": absolute when outside
    assert shown_path(tmp_path / "workshop") == (tmp_path / "workshop").as_posix()  # a prefix is not inside
