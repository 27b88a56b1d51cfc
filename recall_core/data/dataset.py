"""The Dataset object and ``load_dataset``."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from recall_core.data import parse_cache as _parse_cache
from recall_core.data.fetch import MOVIELENS, default_cache_dir, fetch_ml100k, fetch_movielens
from recall_core.data.folders import read_folder
from recall_core.data.movielens import drop_duplicate_pairs
from recall_core.data.schema import Schema, movielens_schema
from recall_core.data.vocab import VocabSizes, Vocabulary
from recall_core.errors import DataError, UnknownIdError

DEFAULT_DATASET = "ml-100k"
#: Every dataset that can be asked for by name: ML-100K (offline fallback) and the MovieLens downloads.
NAMED_DATASETS = (DEFAULT_DATASET, *MOVIELENS)


@dataclass(frozen=True)
class Dataset(VocabSizes):
    """One dataset (MovieLens, or your own log) in the internal form.

    ``interactions`` keeps file order and adds ``user_idx``/``item_idx`` rows
    into ``user_vocab``/``item_vocab``. ``items`` and ``users`` are in vocabulary
    row order. The catalogue is every item in the item file. ``load_report``
    says what the loader's input policy changed (duplicate rows dropped,
    ratings off the scale; see :mod:`recall_core.data.movielens`). ``schema``
    says which columns are side information and what the items are called
    (:mod:`recall_core.data.schema`); ``genres`` are the category names (a
    MovieLens dataset's genres).
    """

    name: str  # "ml-100k", a MovieLens name or the folder path given
    key: str  # short name for the store folder
    layout: str
    interactions: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame
    item_vocab: Vocabulary
    user_vocab: Vocabulary
    fingerprint: str
    genres: list[str] = field(default_factory=list)
    load_report: dict = field(default_factory=dict)
    schema: Schema = field(default_factory=Schema)

    @property
    def domain(self) -> str:
        """``"movies"`` (MovieLens) or ``"items"`` (any other log): which words the pages use."""
        return self.schema.domain

    def save_generic(self, path: Path | str, format: str = "csv", overwrite: bool = False) -> Path:
        """Write this dataset as a generic folder (``dataset.toml`` plus ``interactions``, ``items`` and
        ``users`` tables, ``format`` ``"csv"`` or ``"parquet"``) that reads back as the same data.

        Columns are renamed (``user``, ``item``, ``rating``, ``time``; ``item``, ``title``, ``categories``,
        ``year`` and the item fields; ``user`` and the user fields), categories are one column joined by
        ``|`` (another separator if a name holds one), times are ISO 8601 (UTC). Interactions, items and
        users keep their order, so the splits and every model trained on them are the same; user fields
        become categorical (a MovieLens age is a category there, not an age band). Written into a
        temporary folder and renamed into place; an existing non-empty ``path`` is refused unless
        ``overwrite`` (and it is a generic folder). Returns ``path``.
        """
        from recall_core.data.generic import write_generic

        return write_generic(self, path, format=format, overwrite=overwrite)

    @cached_property
    def item_counts(self) -> np.ndarray:
        """``(n_items,)`` interactions per item over the *whole* dataset (for ordering pickers and title
        look-ups, never for training or scoring)."""
        return np.bincount(self.interactions["item_idx"].to_numpy(), minlength=self.n_items)

    def summary(self) -> dict:
        ts = self.interactions["timestamp"]
        return {
            "dataset": self.name,
            "layout": self.layout,
            "users": self.n_users,
            "items": self.n_items,
            "interactions": int(len(self.interactions)),
            "first": pd.to_datetime(int(ts.min()), unit="s").strftime("%Y-%m-%d"),
            "last": pd.to_datetime(int(ts.max()), unit="s").strftime("%Y-%m-%d"),
            "genres": list(self.genres),
            "user_features": [c for c in self.users.columns if c != "user_id"],
            "domain": self.schema.domain,
            "side_information": self.schema.side_information(),
            "fingerprint": self.fingerprint,
            "load_report": self.load_report,
        }

    def item_label(self, idx: int) -> str:
        row = self.items.iloc[idx]
        year = "" if np.isnan(row["year"]) else f" ({int(row['year'])})"
        return f"{row['title']}{year}"

    def find_item(self, query: str) -> int:
        """Row of an item given its id or (part of) its title.

        Exact id first, then exact title, then the most-rated title that
        contains ``query`` (case-insensitive).
        """
        q = str(query).strip()
        if q in self.item_vocab:
            return self.item_vocab.index(q)
        titles = self.items["title"].str.lower()
        exact = np.flatnonzero((titles == q.lower()).to_numpy())
        cands = exact if len(exact) else np.flatnonzero(titles.str.contains(q.lower(), regex=False).to_numpy())
        if not len(cands):
            raise UnknownIdError(f"no item with id or title {query!r} in {self.name}")
        return int(cands[np.argmax(self.item_counts[cands])])


def _fingerprint(inter: pd.DataFrame, items: pd.DataFrame) -> str:
    """Content hash: the same data from another source (zip or wheel) hashes the same.

    The rows are hashed sorted by (user id, item id, timestamp), ids compared as Python strings, ties in
    file order (stores record this digest: it must not change). The ids are sorted once each, as the
    distinct values ``pd.factorize`` finds, instead of sorting a million Python strings in a lexsort.
    """
    h = hashlib.sha256()
    # factorize sorts the distinct ids as Python compares them (code points; arrow strings compare their
    # UTF-8 bytes, which orders the same), as lexsort on the object arrays did.
    keys = {col: pd.factorize(inter[col], sort=True, use_na_sentinel=False) for col in ("user_id", "item_id")}
    order = np.lexsort((inter["timestamp"].to_numpy(), keys["item_id"][0], keys["user_id"][0]))
    for col in ("user_id", "item_id"):
        codes, uniques = keys[col]
        h.update("\n".join(np.asarray(uniques, dtype=object)[codes[order]].tolist()).encode())
    h.update(inter["rating"].to_numpy(np.float32)[order].tobytes())
    h.update(inter["timestamp"].to_numpy(np.int64)[order].tobytes())
    h.update("\n".join(sorted(items["item_id"].tolist())).encode())
    return h.hexdigest()[:16]


def _vocab_rows(ids: pd.Series, vocab: Vocabulary) -> np.ndarray:
    """``ids.map(vocab.get)`` as int64 (-1 for an id not in ``vocab``), looking up each distinct id once."""
    codes, uniques = pd.factorize(ids, use_na_sentinel=False)
    rows = np.fromiter((vocab.get(u) for u in uniques), dtype=np.int64, count=len(uniques))
    return rows[codes]


def build_dataset(name: str, key: str, layout: str, inter: pd.DataFrame, items: pd.DataFrame, users: pd.DataFrame,
                  load_report: dict | None = None, schema: Schema | None = None) -> Dataset:
    """Validate the internal form and attach vocabularies.

    Duplicate (user, item) rows get the loader's policy here too (keep the
    latest), so a dataset built from frames in code holds each pair once.
    ``schema``: what the columns mean; by default MovieLens's (genres, year and
    the demographics among the user columns).
    """
    src = inter.attrs.get("path", name)
    report = {**(load_report or {})}
    dup = items["item_id"].duplicated()
    if dup.any():
        raise DataError(f"{name}: item id {items['item_id'][dup].iloc[0]!r} appears twice in the item file")
    item_vocab = Vocabulary(items["item_id"], kind="item")
    # Users: those in the user file, then any rated-only user (kept, without demographics).
    extra = pd.unique(inter.loc[~inter["user_id"].isin(users["user_id"]), "user_id"])
    if len(extra):
        users = pd.concat([users, pd.DataFrame({"user_id": extra})], ignore_index=True)
    users = users.drop_duplicates("user_id").reset_index(drop=True)
    user_vocab = Vocabulary(users["user_id"], kind="user")
    item_idx = _vocab_rows(inter["item_id"], item_vocab)
    if (item_idx < 0).any():
        bad = int(np.flatnonzero(item_idx < 0)[0])
        raise DataError(f"{src}: row {bad + 1} rates item {inter['item_id'].iloc[bad]!r}, which is not in the item file")
    inter = inter.copy()
    inter["user_idx"] = _vocab_rows(inter["user_id"], user_vocab)
    inter["item_idx"] = item_idx
    # read_folder has applied the policy already; frames built in code get it here (checked on rows, cheaply).
    if pd.Series(inter["user_idx"].to_numpy() * len(item_vocab) + item_idx).duplicated().any():
        inter, dropped = drop_duplicate_pairs(inter)
        report["duplicates_dropped"] = report.get("duplicates_dropped", 0) + int(len(dropped))
        report["warnings"] = [*report.get("warnings", []),
                              f"{src}: {len(dropped)} duplicate (user, item) row(s) dropped, keeping the latest of each pair"]
    genres = sorted({g for gs in items["genres"] for g in gs})
    return Dataset(
        name=name, key=key, layout=layout, interactions=inter.reset_index(drop=True),
        items=items.reset_index(drop=True), users=users, item_vocab=item_vocab, user_vocab=user_vocab,
        fingerprint=_fingerprint(inter, items), genres=genres, load_report=report,
        schema=schema if schema is not None else movielens_schema(users.columns),
    )


_CACHE: dict[tuple, Dataset] = {}


def from_frames(interactions: pd.DataFrame, items: pd.DataFrame | None = None, users: pd.DataFrame | None = None,
                *, name: str = "frames", **columns) -> Dataset:
    """A :class:`~recall_core.data.Dataset` from pandas frames, by the rules of a generic folder.

    ``columns`` are the card's keys: ``user``, ``item``, ``time`` (required), ``time_format``
    (``"unix_s"`` by default; a datetime column is read as its instants), ``rating``, ``rating_scale``;
    for ``items``: ``item_id`` (default: ``item``), ``title``, ``categories``, ``category_sep``, ``year``,
    ``item_fields``, ``unknown_items``; for ``users``: ``user_id`` (default: ``user``), ``user_fields``;
    and ``item_noun`` / ``category_noun``. Errors name the frame, the row (from 1) and the column::

        ds = from_frames(log, items=catalogue, user="customer", item="sku", time="ts",
                         time_format="iso8601", categories="tags", item_fields=["brand"])

    The dataset's ``key`` (its store folder) is ``<name>-<6 characters of its fingerprint>``.
    """
    from recall_core.data.generic import read_frames

    raw = read_frames(interactions, items, users, **columns)
    ds = build_dataset(name, name, "frames", raw.interactions, raw.items, raw.users, load_report=raw.report,
                       schema=raw.schema)
    import dataclasses

    return dataclasses.replace(ds, key=f"{slug(name)}-{ds.fingerprint[:6]}")


def slug(text: str) -> str:
    """``text`` as a folder-name part: runs of other characters than ``A-Za-z0-9_.-`` become ``-``."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)) or "data"


def dataset_key(name: str) -> str:
    """The store folder of a dataset: a MovieLens name itself, else ``<folder name>-<hash of its path>``."""
    if name in NAMED_DATASETS:
        return name
    p = Path(name).resolve()
    return f"{slug(p.name)}-{hashlib.sha1(str(p).encode()).hexdigest()[:6]}"


def list_datasets(cache_dir: Path | str | None = None) -> list[dict]:
    """What can be opened by name, and what the data cache holds: ``[{"name", "kind", "installed", "path"}]``.

    ``kind``: ``"named"`` (ML-100K and the MovieLens releases, ``installed`` when in the cache) or
    ``"cached"`` (any other folder in the data cache that holds a dataset: MovieLens files or
    ``dataset.toml``; ``name`` is then its path). Hidden entries (downloads in progress or left by a
    killed process) and the parsed-dataset cache are never listed.
    """
    from recall_core.data.fetch import is_installed, movielens_folder
    from recall_core.data.movielens import detect_layout

    root = Path(cache_dir) if cache_dir else default_cache_dir()
    out = [{"name": n, "kind": "named", "installed": is_installed(n, root), "path": str(movielens_folder(n, root))}
           for n in NAMED_DATASETS]
    try:
        entries = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        entries = []
    for p in entries:
        if p.name.startswith(".") or p.name in NAMED_DATASETS or p.name == "parsed":
            continue
        try:
            detect_layout(p)
        except DataError:
            continue
        out.append({"name": str(p), "kind": "cached", "installed": True, "path": str(p)})
    return out


def load_dataset(name: str = DEFAULT_DATASET, cache_dir: Path | str | None = None, progress=None) -> Dataset:
    """Load ``ml-100k`` (obtained and cached on first use), a MovieLens name such as ``ml-1m``
    (downloaded into the data cache on first use: :func:`recall_core.data.fetch.fetch_movielens`), or a
    folder: MovieLens files, or your own log described by ``dataset.toml`` (:mod:`recall_core.data.generic`).

    Results are memoised per process on ``(name, cache_dir)``. ``progress(fraction, message)`` sees a download.
    """
    key = (str(name), str(cache_dir))
    if key in _CACHE:
        return _CACHE[key]
    ds = read_dataset(name, cache_dir, progress=progress)
    _CACHE[key] = ds
    return ds


def read_dataset(name: str = DEFAULT_DATASET, cache_dir: Path | str | None = None,
                 parse_cache: bool | None = None, progress=None) -> Dataset:
    """:func:`load_dataset` without the memo: read the files now. Raises only :class:`DataError`
    for anything wrong in them.

    The folder's parsed form is kept in ``<cache dir>/parsed/`` (:mod:`recall_core.data.parse_cache`)
    and used while its files are unchanged; ``parse_cache=False`` (or ``$RECALL_NO_PARSE_CACHE=1``)
    reads the files whatever is cached, and writes nothing there. ``progress(fraction, message)`` sees a
    MovieLens download.
    """
    if name == DEFAULT_DATASET:
        folder = fetch_ml100k(Path(cache_dir) if cache_dir else None)
    elif name in MOVIELENS:
        folder = fetch_movielens(name, Path(cache_dir) if cache_dir else None, progress=progress)
    else:
        folder = Path(name)
        if not folder.exists():
            raise DataError(f"dataset {name!r}: no such folder (use {', '.join(NAMED_DATASETS)}, a path to a "
                            "MovieLens folder, or a folder with dataset.toml)")
    use_cache = _parse_cache.enabled() if parse_cache is None else parse_cache
    stamp = cached = None
    if use_cache:
        cached = _parse_cache.cache_file(Path(cache_dir) if cache_dir else default_cache_dir(), folder)
        stamp = _parse_cache.source_stamp(folder)
        parts = _parse_cache.load(cached, stamp[0], folder) if stamp else None
        if parts is not None:
            return Dataset(name=str(name), key=dataset_key(str(name)), **parts)
    raw = read_folder(folder)
    ds = build_dataset(str(name), dataset_key(str(name)), raw.layout, raw.interactions, raw.items, raw.users,
                       load_report=raw.report, schema=raw.schema)
    if use_cache:
        _parse_cache.save(cached, stamp, ds, folder)
    return ds
