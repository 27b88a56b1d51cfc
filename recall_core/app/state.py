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
from dataclasses import dataclass, field
from pathlib import Path

import streamlit as st

from recall_core.data import Dataset, load_dataset
from recall_core.data.dataset import DEFAULT_DATASET
from recall_core.errors import RecallError, UsageError
from recall_core.app import i18n, page_list, url
from recall_core.store import (
    StoredModel, dataset_dir, default_store, list_models, manifest_path, model_dir, read_manifest,
)

DATASET_ENV = "RECALL_DATASET"
ROOTS_ENV = "RECALL_DATA_ROOTS"


def data_roots() -> list[Path] | None:
    """Folders the sidebar may read datasets from; ``None`` means any folder.

    ``$RECALL_DATA_ROOTS`` (``os.pathsep``-separated) when set. Otherwise any
    folder while the server listens on localhost only (a desktop), and the data
    cache plus the current directory when it listens beyond (a demo served on a
    network, where a path box must not read the server's files).
    """
    env = os.environ.get(ROOTS_ENV)
    if env is not None:
        return [Path(p).expanduser().resolve() for p in env.split(os.pathsep) if p.strip()]
    from recall_core.access import is_loopback

    if is_loopback(st.get_option("server.address")):
        return None
    from recall_core.data import default_cache_dir

    return [default_cache_dir().resolve(), Path.cwd().resolve()]


def check_data_path(path: str, roots: list[Path] | None) -> None:
    """:class:`UsageError` unless ``path`` (symlinks resolved) lies under one of ``roots``."""
    if roots is None:
        return
    real = Path(path).expanduser().resolve()
    if not any(real == r or real.is_relative_to(r) for r in roots):
        allowed = ", ".join(str(r) for r in roots) or "(none)"
        raise UsageError(f"{path}: this server reads datasets only from {allowed} "
                         f"(set {ROOTS_ENV} to allow other folders)")


def default_dataset() -> str:
    """``$RECALL_DATASET``, else ``ml-100k``."""
    return os.environ.get(DATASET_ENV) or DEFAULT_DATASET


def store_path() -> Path:
    """``$RECALL_STORE``, else the checkout's store folder (:func:`recall_core.store.default_store`)."""
    return default_store()


def shown_path(path: Path | str) -> str:
    """``path`` as a reader can use it: relative to the server's working directory when it lies inside it
    (the checkout's store under ``make run``: its folder name and the dataset key), else absolute. Always a
    true path from where the server runs (never ``..``), written with ``/``."""
    p = Path(os.path.abspath(Path(path).expanduser()))
    try:
        rel = p.relative_to(os.path.abspath(Path.cwd()))
    except ValueError:
        return p.as_posix()
    return rel.as_posix() if rel.parts else "."


# --------------------------------------------------------------------------- cached loaders


# A cached function's spinner text is fixed when the module loads: both languages.
@st.cache_resource(show_spinner=i18n.both("state.loading_dataset"))
def dataset(name: str) -> Dataset:
    """The dataset ``name`` (``ml-100k``, a downloaded MovieLens name, a MovieLens folder or a folder with
    ``dataset.toml``), loaded once per process."""
    return load_dataset(name)


def store_stamp(store: str, dataset_key: str) -> tuple[tuple[str, int], ...]:
    """``((model name, manifest mtime_ns), ...)``: changes whenever a model is (re)trained or removed."""
    out = []
    for name in list_models(Path(store), dataset_key):
        try:
            out.append((name, manifest_path(store, dataset_key, name).stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(out)


@st.cache_resource(show_spinner=False, max_entries=128)
def _model(dataset_name: str, store: str, name: str, mtime_ns: int) -> StoredModel:  # noqa: ARG001 (cache key)
    from recall_core.store import load_trained

    return load_trained(dataset(dataset_name), Path(store), name)


@st.cache_data(show_spinner=i18n.both("state.reading_leaderboard"), max_entries=16)
def leaderboard(dataset_name: str, store: str, stamp: tuple) -> tuple[list[dict], dict[str, str]]:
    """``(rows, errors)`` of :func:`recall_core.analysis.leaderboard.leaderboard_rows` for the stored models in
    ``stamp``."""
    from recall_core.analysis.leaderboard import leaderboard_rows as _leaderboard
    from recall_core.store import stored_models

    ds = dataset(dataset_name)
    return _leaderboard(ds, Path(store), stored_models(ds, Path(store)))


@st.cache_data(show_spinner=False, max_entries=16)
def evaluable_users(dataset_name: str, split: str = "test") -> int:
    """How many users the ``split`` of the dataset evaluates (0: nobody has enough interactions)."""
    from recall_core.data.split import split_for

    return int(len(split_for(dataset(dataset_name), split).test_users))


def no_evaluable_users(ctx: "Context", split: str = "test") -> str | None:
    """One line (in the page's language) when nobody can be evaluated on ``split``, else None: every metric
    is then "–" (evaluation stores ``users: 0`` and no metric, never NaN)."""
    from recall_core.app.i18n import t

    if evaluable_users(ctx.dataset_name, split):
        return None
    return t("overview.no_evaluable", dataset=ctx.ds.name if ctx.ds is not None else ctx.dataset_name,
             need=3 if split == "valid" else 2, split=split)


@st.cache_data(show_spinner=False, max_entries=16)
def manifests(dataset_name: str, store: str, stamp: tuple) -> dict[str, dict | str]:
    """``{name: manifest}`` (or ``{name: error message}``) without loading arrays."""
    ds = dataset(dataset_name)
    out: dict[str, dict | str] = {}
    for name, _ in stamp:
        try:
            out[name] = read_manifest(model_dir(store, ds.key, name))
        except RecallError as e:
            out[name] = str(e)
    return out


# cache_resource, not cache_data: read-only, and a copy per rerun would cost ~80 ms at 60k items.
@st.cache_resource(show_spinner=False, max_entries=8)
def item_choices(dataset_name: str, lang: str = "en") -> tuple[list[str], dict[str, str]]:
    """Item ids (most-rated first) and their picker labels ``Title (year) · genres`` in ``lang`` (shared: do not
    modify)."""
    from recall_core.analysis.catalogue import NO_GENRE, item_choices as _choices
    from recall_core.app.i18n.core_texts import word

    return _choices(dataset(dataset_name), no_genre=word(lang, "catalogue", "no_genre", NO_GENRE))


@st.cache_resource(show_spinner=False, max_entries=8)
def user_choices(dataset_name: str, lang: str = "en") -> tuple[list[str], dict[str, str]]:
    """User ids (dataset order) and labels with demographics and history length in ``lang`` (shared: do not
    modify)."""
    from recall_core.analysis.catalogue import USER_LABEL, user_choices as _choices
    from recall_core.app.i18n.core_texts import word

    return _choices(dataset(dataset_name), label=word(lang, "catalogue", "user_label", USER_LABEL))


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
    pending: str | None = None  # the dataset is not downloaded yet (the sidebar offers the download)

    def model(self, name: str) -> StoredModel:
        """A stored model (cached); raises :class:`RecallError` when missing or damaged."""
        mtime = dict(self.stamp).get(name)
        if mtime is None:
            from recall_core.store import load_trained

            return load_trained(self.ds, self.store, name)  # raises NotTrainedError with the store path
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
        return item_choices(self.dataset_name, i18n.current())

    def users(self):
        return user_choices(self.dataset_name, i18n.current())


def _display_order(ds: Dataset, store: Path) -> list[str]:
    from recall_core.store import stored_models

    return stored_models(ds, store)


def sidebar() -> Context:
    """Render the sidebar (dataset and model choices) and return this run's :class:`Context`."""
    store = store_path()
    default = default_dataset()
    with st.sidebar:
        st.header("Vector Recall Explorer")
        i18n.nouns_from_session()  # a page run on its own (not through app.py) starts from the session's words
        lang = url.language_switch()
        text = i18n.text

        from recall_core.app import datasets

        options = datasets.choices(default)
        name = st.selectbox(text(lang, "dataset.sidebar.label"), options, key="sidebar_dataset",
                            format_func=lambda n: datasets.label(n, lang), help=text(lang, "dataset.sidebar.help"))
        custom = st.text_input(text(lang, "dataset.sidebar.folder"), key="sidebar_dataset_path",
                               placeholder="/path/to/ml-1m", help=text(lang, "dataset.sidebar.folder_help"))
        try:
            if custom.strip():
                check_data_path(custom.strip(), data_roots())
                name = custom.strip()
            elif datasets.needs_download(name):
                from recall_core.data.fetch import movielens_base, movielens_folder

                st.info(text(lang, "dataset.not_downloaded", name=name, base=movielens_base(),
                             folder=movielens_folder(name)))
                if not st.button(text(lang, "dataset.download_button", name=name), key="sidebar_download",
                                 type="primary"):
                    return Context(name, store, None, pending=text(lang, "dataset.pending", name=name))
                datasets.download(name, lang)
                st.rerun()  # the sidebar's label now says "downloaded"; the next run loads it
            ds = dataset(name)
        except RecallError as e:
            st.error(str(e))
            return Context(name, store, None, error=str(e))
        if datasets.choose_nouns(ds):  # another dataset's words: this run's navigation titles used the old ones
            st.rerun()
        stored = _display_order(ds, store)
        stamp = store_stamp(str(store), ds.key)
        # Default selection: every model, but only the default variant of each family.
        default_sel = [n for n in stored if "@" not in n]
        bad_models: list[str] = []
        if "sidebar_models" not in st.session_state:
            asked = [m for m in str(st.query_params.get("models", "")).split(",") if m]
            from_url = [m for m in asked if m in stored]
            bad_models = [m for m in asked if m not in stored]
            st.session_state["sidebar_models"] = from_url or default_sel
        else:  # a dataset or store change can remove models: keep only valid choices
            st.session_state["sidebar_models"] = [m for m in st.session_state["sidebar_models"] if m in stored]
        if add := [m for m in st.session_state.pop("_sidebar_add_models", []) if m in stored]:
            st.session_state["sidebar_models"] = list(dict.fromkeys([*st.session_state["sidebar_models"], *add]))
        selected = st.multiselect(text(lang, "sidebar.models"), stored, key="sidebar_models",
                                  help=text(lang, "sidebar.models_help"))
        st.caption(text(lang, "sidebar.store", store=shown_path(dataset_dir(store, ds.key)), n=len(stored)))
    if bad_models:
        url.ignored("models", ",".join(bad_models),
                    text(lang, "sidebar.models_expected", dataset=ds.name,
                         models=", ".join(stored) or text(lang, "sidebar.none_yet")),
                    text(lang, "sidebar.models_using"))
    return Context(name, store, ds, stored, list(selected), stamp)


def select_models(names: list[str]) -> None:
    """Add models to the sidebar's selection on the next run (a model just imported, for example)."""
    st.session_state["_sidebar_add_models"] = [*st.session_state.get("_sidebar_add_models", []), *names]


def page_context(url_state: dict | None = None) -> Context:
    """Start a page: render the sidebar, then write the page's URL state (``url``; none clears it).

    Each page renders the sidebar itself (not ``app.py``), so a page is complete
    however it is run: through ``st.navigation`` or on its own (AppTest).
    """
    ctx = sidebar()
    if url_state is None:
        url.set_url()
    return ctx


def require_dataset(ctx: Context) -> Dataset:
    """The dataset, or an error box (an info box while it waits to be downloaded) and stop."""
    if ctx.ds is None:
        if ctx.pending:
            st.info(ctx.pending)
        else:
            st.error(i18n.t("state.dataset_error", error=ctx.error))
        st.stop()
    return ctx.ds


def require_models(ctx: Context) -> None:
    """An info box leading to training (and stop) when the store has no model."""
    if not ctx.stored:
        st.info(i18n.t("state.no_models", store=shown_path(dataset_dir(ctx.store, ctx.ds.key))))
        st.page_link(page_list.page("home").file, label=i18n.t("common.go_train"), icon=":material/model_training:")
        st.stop()


def open_page(url_state: dict | None = None, models: bool = True) -> tuple[Context, Dataset]:
    """``(ctx, ds)``: how every page opens, after its ``routing.through_app()`` and before its title: the sidebar
    and the page's URL state (:func:`page_context`), the dataset (:func:`require_dataset`), and a stored model
    unless ``models`` is False (:func:`require_models`); a box and a stop where one is missing. (The title stays
    a literal ``t("page.<url>")`` in the page, where the i18n key check reads it.)"""
    ctx = page_context(url_state)
    ds = require_dataset(ctx)
    if models:
        require_models(ctx)
    return ctx, ds


def training_in_progress(ctx: Context) -> str | None:
    """``"Training in progress (pid N, started at T): ..."`` while any process trains this store, else None."""
    from recall_core.store import training_status

    info = training_status(ctx.store, ctx.ds.key) if ctx.ds is not None else None
    if not info:
        return None
    command = f": `{info['command']}`" if info.get("command") else ""
    return i18n.t("state.training_busy", pid=info.get("pid"), started=info.get("started_at"), command=command)


def run_training(ctx: Context, jobs: list, seed: int = 42, progress_label: str | None = None) -> bool:
    """Train ``jobs`` (names or :class:`~recall_core.training.TrainJob`) with a live progress bar.

    TensorFlow is imported by the models only here, inside ``fit``. Returns
    True on success; errors become an error box. In viewer mode (:mod:`recall_core.app.access`) it refuses with
    :class:`~recall_core.errors.AccessError` before anything is trained.
    """
    from recall_core.app.access import require_write

    require_write("training")
    from recall_core.training import train_models

    busy = training_in_progress(ctx)
    if busy:
        st.warning(busy)
        return False
    progress_label = progress_label or i18n.t("state.training")
    bar = st.progress(0.0, text=f"{progress_label}…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=message)

    try:
        with st.spinner(i18n.t("state.training_spinner", what=progress_label, n=len(jobs))):
            # lock_timeout=0: a page never waits for another training; it says who holds the store.
            # one model at a time: in lanes a model's stored train_seconds would be a contended wall time (README,
            # "Training in lanes"); maps kept as each model is stored
            train_models(ctx.ds, jobs, ctx.store, seed=int(seed), progress=progress, lock_timeout=0)
    except RecallError as e:
        st.error(i18n.t("state.training_failed", error=e))
        return False
    except Exception as e:  # noqa: BLE001 (show, never a traceback)
        st.error(i18n.t("state.training_failed", error=f"{type(e).__name__}: {e}"))
        return False
    bar.progress(1.0, text=i18n.t("state.done"))
    return True


@st.cache_data(show_spinner=False, max_entries=64)
def _map(dataset_name: str, store: str, name: str, mtime_ns: int, kind: str, n_neighbors: int, min_dist: float):
    from recall_core.analysis import maps

    m = maps.umap_map(_model(dataset_name, store, name, mtime_ns), kind, n_neighbors, min_dist)
    return m.rows, m.coords, m.computed


def umap_map(ctx: Context, name: str, kind: str, n_neighbors: int, min_dist: float):
    """``Map`` of a stored model (read from its folder, computed there once if missing)."""
    from recall_core.analysis import maps

    mtime = dict(ctx.stamp).get(name)
    if mtime is None:
        raise RecallError(f"model {name!r} is not in the store")
    model = ctx.model(name)
    path = maps.map_file(model, kind, n_neighbors, min_dist)
    args = (ctx.dataset_name, str(ctx.store), name, mtime, kind, int(n_neighbors), float(min_dist))
    if path.exists():
        rows, coords, _ = _map(*args)
        return maps.Map(rows, coords, path, computed=False)
    what = i18n.t("state.computing_umap", name=name, kind=i18n.t(f"state.umap_{kind}"))
    bar = st.progress(0.0, text=f"{what}…")

    def progress(fraction: float, message: str) -> None:
        bar.progress(min(max(float(fraction), 0.0), 1.0), text=f"{what}: {message}")

    # Computed outside the cached function: a cached function may not draw (the progress bar).
    m = maps.umap_map(model, kind, int(n_neighbors), float(min_dist), progress=progress)
    _map.clear()  # an in-memory copy of a map whose file is gone must not stand in for it
    bar.empty()
    return maps.Map(m.rows, m.coords, path, computed=True)


@st.cache_resource(show_spinner=False, max_entries=16)
def _serving_index(dataset_name: str, store: str, name: str, mtime_ns: int, view: str, kind: str,
                   setting: tuple[str, int]):
    from recall_core.analysis import serving

    index = serving.build_ann(_model(dataset_name, store, name, mtime_ns), view, kind)
    return index.set_search_params(**{setting[0]: setting[1]})


def serving_index(ctx: Context, name: str, view: str, kind: str, setting: tuple[str, int]):
    """An ANN index over a stored model's view (built once per process, model version, kind and setting:
    an index is never shared between settings, so sessions never change each other's parameters)."""
    mtime = dict(ctx.stamp).get(name)
    if mtime is None:
        raise RecallError(f"model {name!r} is not in the store")
    return _serving_index(ctx.dataset_name, str(ctx.store), name, mtime, view, kind,
                          (str(setting[0]), int(setting[1])))
