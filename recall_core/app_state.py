"""Shared state of the Streamlit app: the sidebar, cached loaders, URL state.

Pages call :func:`page_context` for a :class:`Context` (dataset, store, stored and
selected models) and read models through :meth:`Context.model`, which is
cached per process with ``st.cache_resource`` and keyed by the manifest's
modification time, so retraining a model refreshes it without a restart.
Everything is keyed by plain strings and numbers (real cache keys).

Nothing here imports TensorFlow or umap: the app reads stored vectors.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from recall_core.data import Dataset, load_dataset
from recall_core.data.dataset import DEFAULT_DATASET
from recall_core.errors import RecallError
from recall_core.store import MANIFEST, StoredModel, default_store, list_models, read_manifest

DATASET_ENV = "RECALL_DATASET"


def default_dataset() -> str:
    """``$RECALL_DATASET``, else ``ml-100k``."""
    return os.environ.get(DATASET_ENV) or DEFAULT_DATASET


def store_path() -> Path:
    """``$RECALL_STORE``, else ``models_store/`` in the checkout."""
    return default_store()


# --------------------------------------------------------------------------- cached loaders


@st.cache_resource(show_spinner="Loading the dataset…")
def dataset(name: str) -> Dataset:
    """The dataset ``name`` (``ml-100k`` or a folder path), loaded once per process."""
    return load_dataset(name)


def store_stamp(store: str, dataset_key: str) -> tuple[tuple[str, int], ...]:
    """``((model name, manifest mtime_ns), ...)``: changes whenever a model is (re)trained or removed."""
    out = []
    for name in list_models(Path(store), dataset_key):
        try:
            out.append((name, (Path(store) / dataset_key / name / MANIFEST).stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(out)


@st.cache_resource(show_spinner=False, max_entries=128)
def _model(dataset_name: str, store: str, name: str, mtime_ns: int) -> StoredModel:  # noqa: ARG001 (cache key)
    from recall_core.explore import load

    return load(dataset(dataset_name), Path(store), name)


@st.cache_data(show_spinner="Reading the leaderboard…", max_entries=16)
def leaderboard(dataset_name: str, store: str, stamp: tuple) -> tuple[list[dict], dict[str, str]]:
    """``(rows, errors)`` of :func:`recall_core.explore.leaderboard` for the stored models in ``stamp``."""
    from recall_core.explore import leaderboard as _leaderboard, stored_models

    ds = dataset(dataset_name)
    return _leaderboard(ds, Path(store), stored_models(ds, Path(store)))


@st.cache_data(show_spinner=False, max_entries=16)
def manifests(dataset_name: str, store: str, stamp: tuple) -> dict[str, dict | str]:
    """``{name: manifest}`` (or ``{name: error message}``) without loading arrays."""
    ds = dataset(dataset_name)
    out: dict[str, dict | str] = {}
    for name, _ in stamp:
        try:
            out[name] = read_manifest(Path(store) / ds.key / name)
        except RecallError as e:
            out[name] = str(e)
    return out


@st.cache_data(show_spinner=False, max_entries=8)
def item_choices(dataset_name: str) -> tuple[list[str], dict[str, str]]:
    """Item ids (most-rated first) and their picker labels ``Title (year) · genres``."""
    from recall_core.queries import item_choices as _choices

    return _choices(dataset(dataset_name))


@st.cache_data(show_spinner=False, max_entries=8)
def user_choices(dataset_name: str) -> tuple[list[str], dict[str, str]]:
    """User ids (dataset order) and labels with demographics and history length."""
    from recall_core.queries import user_choices as _choices

    return _choices(dataset(dataset_name))


# --------------------------------------------------------------------------- context


@dataclass
class Context:
    """What a page needs: the dataset, the store and the models (names in display order)."""

    dataset_name: str
    store: Path
    ds: Dataset | None
    stored: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    stamp: tuple = ()
    error: str | None = None

    def model(self, name: str) -> StoredModel:
        """A stored model (cached); raises :class:`RecallError` when missing or damaged."""
        mtime = dict(self.stamp).get(name)
        if mtime is None:
            from recall_core.explore import load

            return load(self.ds, self.store, name)  # raises NotTrainedError with the store path
        return _model(self.dataset_name, str(self.store), name, mtime)

    def models(self, names) -> tuple[dict[str, StoredModel], dict[str, str]]:
        """``({name: model}, {name: error message})``: one bad model never hides the others."""
        ok, bad = {}, {}
        for n in names:
            try:
                ok[n] = self.model(n)
            except RecallError as e:
                bad[n] = str(e)
            except Exception as e:  # noqa: BLE001 (a damaged file must not take the page down)
                bad[n] = f"{type(e).__name__}: {e}"
        return ok, bad

    def leaderboard(self):
        return leaderboard(self.dataset_name, str(self.store), self.stamp)

    def manifests(self):
        return manifests(self.dataset_name, str(self.store), self.stamp)

    def items(self):
        return item_choices(self.dataset_name)

    def users(self):
        return user_choices(self.dataset_name)


def _display_order(ds: Dataset, store: Path) -> list[str]:
    from recall_core.explore import stored_models

    return stored_models(ds, store)


def sidebar() -> Context:
    """Render the sidebar (dataset and model choices) and return this run's :class:`Context`."""
    store = store_path()
    default = default_dataset()
    with st.sidebar:
        st.header("Vector Recall Explorer")
        options = list(dict.fromkeys([default, DEFAULT_DATASET]))
        name = st.selectbox("Dataset", options, key="sidebar_dataset",
                            help="ml-100k is fetched and cached on first use; set RECALL_DATASET for a folder.")
        custom = st.text_input("…or a MovieLens folder", key="sidebar_dataset_path",
                               placeholder="/path/to/ml-1m", help="ml-100k, ml-1m or ml-latest layout")
        if custom.strip():
            name = custom.strip()
        try:
            ds = dataset(name)
        except RecallError as e:
            st.error(str(e))
            return Context(name, store, None, error=str(e))
        stored = _display_order(ds, store)
        stamp = store_stamp(str(store), ds.key)
        # Default selection: every model, but only the default variant of each family.
        default_sel = [n for n in stored if "@" not in n]
        if "sidebar_models" not in st.session_state:
            from_url = [m for m in str(st.query_params.get("models", "")).split(",") if m in stored]
            st.session_state["sidebar_models"] = from_url or default_sel
        else:  # a dataset or store change can remove models: keep only valid choices
            st.session_state["sidebar_models"] = [m for m in st.session_state["sidebar_models"] if m in stored]
        selected = st.multiselect("Models", stored, key="sidebar_models",
                                  help="Models shown on the item and user pages (colours are fixed per model).")
        st.caption(f"Store: `{store / ds.key}` · {len(stored)} model(s)")
    return Context(name, store, ds, stored, list(selected), stamp)


def page_context(url: dict | None = None) -> Context:
    """Start a page: render the sidebar, then write the page's URL state (``url``; none clears it).

    Each page renders the sidebar itself (not ``app.py``), so a page is complete
    however it is run: through ``st.navigation`` or on its own (AppTest).
    """
    ctx = sidebar()
    if url is None:
        set_url()
    return ctx


def require_dataset(ctx: Context) -> Dataset:
    """The dataset, or an error box and stop."""
    if ctx.ds is None:
        st.error(f"The dataset could not be loaded: {ctx.error}")
        st.stop()
    return ctx.ds


def require_models(ctx: Context, what: str = "models") -> None:
    """An info box leading to training (and stop) when the store has no model."""
    if not ctx.stored:
        st.info(f"No trained {what} in `{ctx.store / ctx.ds.key}` yet. Train them on the Overview page "
                "(or run `python -m recall_core train --models all`).")
        st.page_link("pages/overview.py", label="Go to Overview to train", icon=":material/model_training:")
        st.stop()


# --------------------------------------------------------------------------- URL and widget state


def seed_state(key: str, param: str | None, default: Any, parse: Callable[[str], Any] = str,
               valid: Callable[[Any], bool] = lambda v: True) -> None:
    """Give widget ``key`` its starting value before the widget is drawn.

    Order: the URL (``?param=``, a shared link), then the value the page had
    when the user left it (widget state is dropped on page change, so a copy
    is kept under ``_key``), then ``default``. Invalid values fall back.
    """
    if key in st.session_state:
        if valid(st.session_state[key]):
            return
        del st.session_state[key]
    candidates = []
    if param is not None and param in st.query_params:
        candidates.append(st.query_params.get(param))
    if f"_{key}" in st.session_state:
        candidates.append(st.session_state[f"_{key}"])
    for raw in candidates:
        try:
            value = parse(raw) if isinstance(raw, str) else raw
        except (TypeError, ValueError):
            continue
        if valid(value):
            st.session_state[key] = value
            return
    st.session_state[key] = default


def remember(*keys: str) -> None:
    """Keep a copy of widget values so a page restores them when the user comes back."""
    for key in keys:
        if key in st.session_state:
            st.session_state[f"_{key}"] = st.session_state[key]


URL_PARAMS = ("item", "user", "k", "models")  # the parameters pages write


def set_url(**params: Any) -> None:
    """Write this page's state into the URL and drop other pages' parameters.

    Only changed values are written, to avoid needless browser history.
    """
    for k in URL_PARAMS:
        if k not in params and k in st.query_params:
            del st.query_params[k]
    for k, v in params.items():
        v = str(v)
        if st.query_params.get(k) != v:
            st.query_params[k] = v


def show_errors(errors: dict[str, str]) -> None:
    """One error box per model that could not be used."""
    for name, msg in errors.items():
        st.error(f"**{name}**: {msg}", icon="⚠️")


def run_training(ctx: Context, jobs: list, seed: int = 42, progress_label: str = "Training") -> bool:
    """Train ``jobs`` (names or :class:`~recall_core.training.TrainJob`) with a live progress bar.

    TensorFlow is imported by the models only here, inside ``fit``. Returns
    True on success; errors become an error box.
    """
    from recall_core.training import train_models

    bar = st.progress(0.0, text=f"{progress_label}…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    try:
        with st.spinner(f"{progress_label} {len(jobs)} model(s); this runs in this browser session…"):
            train_models(ctx.ds, jobs, ctx.store, seed=int(seed), progress=progress)
    except RecallError as e:
        st.error(f"Training failed: {e}")
        return False
    except Exception as e:  # noqa: BLE001 (show, never a traceback)
        st.error(f"Training failed: {type(e).__name__}: {e}")
        return False
    bar.progress(1.0, text="Done")
    return True


# --------------------------------------------------------------------------- shared layout helpers


def model_header(name: str, note: str = "") -> None:
    """A model's name with its fixed colour (the same swatch on every page)."""
    from recall_core.colors import model_color

    st.markdown(f"<span style='color:{model_color(name)};font-size:1.25em'>■</span> **{name}**{note}",
                unsafe_allow_html=True)


def score_column(label: str, scores) -> "st.column_config.Column":
    """Scores as a bar scaled to the table's range, value printed with 3 decimals."""
    import numpy as np

    s = np.asarray(scores, dtype=float)
    s = s[np.isfinite(s)]
    lo = float(min(0.0, s.min())) if len(s) else 0.0
    hi = float(s.max()) if len(s) and s.max() > lo else lo + 1.0
    return st.column_config.ProgressColumn(label, min_value=lo, max_value=hi, format="%.3f", width="small")


ITEM_COLUMNS = {
    "rank": st.column_config.NumberColumn("#", width=40, format="%d"),
    "#": st.column_config.NumberColumn("#", width=40, format="%d"),
    "item_id": None,  # hidden: titles are what people read (the CSV keeps the ids)
    "title": st.column_config.TextColumn("Title", width="medium"),
    "year": st.column_config.NumberColumn("Year", format="%d", width=55),
    "genres": st.column_config.TextColumn("Genres", width="small"),
}


def pick_item(ctx: Context, key: str, param: str | None, label: str = "Movie (type part of a title)",
              container=None) -> str:
    """A searchable movie picker (most-rated first; title, year and genres in the label)."""
    ids, labels = ctx.items()
    seed_state(key, param, ids[0], valid=lambda v: v in labels)
    return (container or st).selectbox(label, ids, format_func=labels.__getitem__, key=key)


def pick_user(ctx: Context, key: str, param: str | None, label: str = "User", container=None) -> str:
    """A user picker (type an id; demographics and number of ratings in the label)."""
    ids, labels = ctx.users()
    seed_state(key, param, ids[0], valid=lambda v: v in labels)
    return (container or st).selectbox(label, ids, format_func=labels.__getitem__, key=key)


@st.cache_data(show_spinner=False, max_entries=64)
def _map(dataset_name: str, store: str, name: str, mtime_ns: int, kind: str, n_neighbors: int, min_dist: float):
    from recall_core import maps

    m = maps.umap_map(_model(dataset_name, store, name, mtime_ns), kind, n_neighbors, min_dist)
    return m.rows, m.coords, m.computed


def umap_map(ctx: Context, name: str, kind: str, n_neighbors: int, min_dist: float):
    """``Map`` of a stored model (read from its folder, computed there once if missing)."""
    from recall_core import maps

    mtime = dict(ctx.stamp).get(name)
    if mtime is None:
        raise RecallError(f"model {name!r} is not in the store")
    model = ctx.model(name)
    path = maps.map_file(model, kind, n_neighbors, min_dist)
    args = (ctx.dataset_name, str(ctx.store), name, mtime, kind, int(n_neighbors), float(min_dist))
    if path.exists():
        rows, coords, _ = _map(*args)
        return maps.Map(rows, coords, path, computed=False)
    with st.spinner(f"Computing the UMAP of {name}'s {kind} (once; then read from the store)…"):
        _map.clear()  # an in-memory copy of a map whose file is gone must not stand in for it
        rows, coords, _ = _map(*args)
    return maps.Map(rows, coords, path, computed=True)


def table(data, key: str, **kwargs) -> None:
    """``st.dataframe`` inside a keyed container (so tests and CSS can find the table by ``key``)."""
    with st.container(key=key):
        st.dataframe(data, **kwargs)
