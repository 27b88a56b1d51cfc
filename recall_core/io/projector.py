"""Bring your own embeddings: import vectors trained elsewhere as a stored model, export a stored model as files.

**Files read.**

* *Vectors*: a TensorFlow Projector ``vectors.tsv`` (one vector per line, values separated by tabs, no
  header; whitespace-separated values are accepted too) or a ``.npy`` array of shape ``(n, d)``.
* *Ids*: a Projector ``metadata.tsv`` or a text file with one id per line, row ``i`` naming vector ``i``.
  With several columns (tab-separated) the first line is a header and the id column is the one named
  ``item_id``, ``movie_id``, ``movieId``, ``id`` or ``item`` (users: ``user_id``, ``userId``, ``id``,
  ``user``), case-insensitive. With one column, the first line is a header only when it is one of those
  names and the file has one line more than there are vectors (the Projector writes none). A ``.npy``
  array of ids is read too.

**Checks.** Every problem is a :class:`~recall_core.errors.DataError` naming the file and the line (or row):
an empty file, rows of different widths, a value that is not a number, NaN or infinity, more or fewer ids
than vectors, an empty or duplicate id, user vectors of another width than the item vectors, and ids that
match none of the dataset's ids. Ids that match nothing are reported (how many, and the first few) and
left out; if none match, the import is refused.

**What is stored** (:func:`import_model`): a model folder like any other (:func:`recall_core.store.save_model`),
``model_class`` ``"imported"``: item vectors in dataset order, ``item_known`` true for the items the file has
(the others rank below every known item and are never listed as neighbours, as for a trained model that never
saw them); user vectors, when given, in dataset order (``extras["user_known"]`` marks the users the file has;
the others get no list). Views: ``similar`` (item vectors against item vectors under ``metric``) and, with user
vectors, ``user`` (user vectors against the same item vectors, same metric); the manifest's ``views`` holds one
sentence per view naming the files and the metric. The I2I evaluation is stored, and with user vectors the U2I
evaluation over the test users the file has, so the model joins the leaderboard.

**Export** (:func:`export_projector`): ``vectors.tsv`` + ``metadata.tsv`` (header ``item_id, title, year,
genres``) of one view's item space, items the model knows only, values written with 9 significant digits
(float32 round-trips exactly). ``view="user"`` writes the items as users are scored against them (the
candidate vectors) and adds ``user_vectors.tsv`` + ``user_metadata.tsv``. Importing the files again under
another name gives the same neighbours (a test checks it).
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from recall_core.errors import DataError, UsageError

METRICS = ("cosine", "ip")
MODEL_CLASS = "imported"
ITEM_ID_COLUMNS = ("item_id", "itemid", "movie_id", "movieid", "id", "item")
USER_ID_COLUMNS = ("user_id", "userid", "id", "user")
EXPORT_FILES = {"items": ("vectors.tsv", "metadata.tsv"), "users": ("user_vectors.tsv", "user_metadata.tsv")}
_NAME = re.compile(r"^[A-Za-z0-9_.=-]+$")
_SHOWN = 5  # unmatched ids named in a report


def _name_and_bytes(src) -> tuple[str, bytes]:
    """A file to read: a path, or ``(name, bytes)`` (an upload)."""
    if isinstance(src, tuple):
        name, data = src
        return str(name), bytes(data)
    path = Path(src)
    try:
        return path.name, path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder, not a file") from None
    except OSError as e:
        raise DataError(f"{path}: cannot be read ({e.strerror or e})") from None


def _text_lines(name: str, data: bytes) -> list[str]:
    """Lines of a text file (UTF-8, with or without a byte-order mark); trailing blank lines dropped."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise DataError(f"{name}: not UTF-8 text (byte {e.start}); write it as UTF-8") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise DataError(f"{name}: empty file")
    return lines


def _is_npy(name: str, data: bytes) -> bool:
    return name.lower().endswith(".npy") or data[:6] == b"\x93NUMPY"


def _load_npy(name: str, data: bytes) -> np.ndarray:
    if not data:
        raise DataError(f"{name}: empty file")
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise DataError(f"{name}: holds Python objects (a pickled array); save plain numbers or strings") from None
        raise DataError(f"{name}: not a readable .npy file ({e})") from None
    except (OSError, EOFError) as e:
        raise DataError(f"{name}: not a readable .npy file ({e})") from None


# --------------------------------------------------------------------------- reading


@dataclass
class Vectors:
    """Vectors read from files: ``ids[i]`` names ``vectors[i]`` (``(n, d)`` float32)."""

    ids: list[str]
    vectors: np.ndarray
    source: str  # the vectors file's name
    ids_source: str  # the ids file's name
    id_column: str | None = None  # the metadata column the ids came from (None: the only column)


def read_vector_file(src) -> tuple[str, np.ndarray]:
    """``(file name, (n, d) float32)`` from a Projector ``vectors.tsv`` (or whitespace-separated text) or ``.npy``."""
    name, data = _name_and_bytes(src)
    if _is_npy(name, data):
        arr = _load_npy(name, data)
        if arr.ndim != 2:
            raise DataError(f"{name}: expected a 2-D array (n vectors, d values), got shape {arr.shape}")
        if arr.dtype.kind not in "fiub":
            raise DataError(f"{name}: expected numbers, got an array of {arr.dtype}")
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise DataError(f"{name}: empty array of shape {arr.shape}")
        with np.errstate(over="ignore"):
            vecs = arr.astype(np.float32)
        bad = np.flatnonzero(~np.isfinite(vecs).all(axis=1))
        if len(bad):
            col = int(np.flatnonzero(~np.isfinite(vecs[bad[0]]))[0])
            raise DataError(f"{name}: row {bad[0]} holds {float(arr[bad[0], col])} in column {col} "
                            f"(NaN or infinite; {len(bad)} such row(s))")
        return name, vecs
    lines = _text_lines(name, data)
    tabbed = "\t" in lines[0]
    rows = [ln.split("\t") if tabbed else ln.split() for ln in lines]
    width = len(rows[0])
    for i, r in enumerate(rows, start=1):
        if not "".join(r).strip():
            raise DataError(f"{name} line {i}: empty line (every line holds one vector)")
        if len(r) != width:
            raise DataError(f"{name} line {i}: {len(r)} values, but line 1 has {width}: every vector must "
                            "have the same width")
    try:
        vals = np.asarray(rows, dtype=str).astype(np.float64)
    except ValueError:
        for i, r in enumerate(rows, start=1):
            for j, v in enumerate(r, start=1):
                try:
                    float(v)
                except ValueError:
                    raise DataError(f"{name} line {i}, value {j}: {v.strip()!r} is not a number") from None
        raise
    with np.errstate(over="ignore"):  # too large for float32: inf, reported below
        vecs = vals.astype(np.float32)
    bad = np.flatnonzero(~np.isfinite(vecs).all(axis=1))
    if len(bad):
        j = int(np.flatnonzero(~np.isfinite(vecs[bad[0]]))[0])
        raise DataError(f"{name} line {bad[0] + 1}, value {j + 1}: {rows[bad[0]][j].strip()!r} is NaN or infinite "
                        f"(or too large for float32); {len(bad)} such line(s)")
    return name, vecs


def read_id_file(src, n: int, kind: str = "item") -> tuple[str, list[str], str | None]:
    """``(file name, ids, id column or None)``: ``n`` ids, one per vector (see the module docstring)."""
    name, data = _name_and_bytes(src)
    column = None
    if _is_npy(name, data):
        arr = _load_npy(name, data)
        if arr.ndim != 1:
            raise DataError(f"{name}: expected a 1-D array of ids, got shape {arr.shape}")
        if arr.dtype.kind == "f":
            if not np.isfinite(arr).all() or not (arr == np.round(arr)).all():
                raise DataError(f"{name}: ids must be strings or whole numbers, got {arr.dtype} values such as "
                                f"{arr[~(np.isfinite(arr) & (arr == np.round(arr)))][:1].tolist()}")
            arr = arr.astype(np.int64)
        elif arr.dtype.kind not in "iuUS":
            raise DataError(f"{name}: expected ids (strings or whole numbers), got {arr.dtype}")
        ids = [(v.decode() if isinstance(v, bytes) else str(v)).strip() for v in arr.tolist()]
        first_line = 0
    else:
        lines = _text_lines(name, data)
        if "\t" in lines[0]:
            header = [h.strip() for h in lines[0].split("\t")]
            wanted = ITEM_ID_COLUMNS if kind == "item" else USER_ID_COLUMNS
            lower = [h.lower() for h in header]
            idx = next((lower.index(w) for w in wanted if w in lower), None)
            if idx is None:
                raise DataError(f"{name}: line 1 is a header ({', '.join(header)}) with no id column; name one of "
                                f"{', '.join(wanted)}")
            column = header[idx]
            ids = []
            for i, ln in enumerate(lines[1:], start=2):
                parts = ln.split("\t")
                if len(parts) <= idx:
                    raise DataError(f"{name} line {i}: {len(parts)} column(s), the id column {column!r} is "
                                    f"column {idx + 1}")
                ids.append(parts[idx].strip())
            first_line = 2
        else:
            wanted = ITEM_ID_COLUMNS if kind == "item" else USER_ID_COLUMNS
            if len(lines) == n + 1 and lines[0].strip().lower() in wanted:  # a header over a single column
                column, lines, first_line = lines[0].strip(), lines[1:], 2
            else:  # never guess: an extra id is an error below, not a header that shifts every row
                first_line = 1
            ids = [ln.strip() for ln in lines]
    if len(ids) != n:
        raise DataError(f"{name}: {len(ids)} ids for {n} vectors: row i of the ids file names vector i")
    seen: dict[str, int] = {}
    for i, v in enumerate(ids):
        where = f"line {i + first_line}" if first_line else f"row {i}"
        if not v:
            raise DataError(f"{name} {where}: empty id")
        if v in seen:
            prev = f"line {seen[v] + first_line}" if first_line else f"row {seen[v]}"
            raise DataError(f"{name} {where}: duplicate id {v!r} (also on {prev}); each vector needs its own id")
        seen[v] = i
    return name, ids, column


def read_vectors(vectors, ids, kind: str = "item") -> Vectors:
    """Read a vectors file and its ids file (see the module docstring for the formats and the checks)."""
    vname, vecs = read_vector_file(vectors)
    iname, id_list, column = read_id_file(ids, len(vecs), kind)
    return Vectors(id_list, vecs, vname, iname, column)


# --------------------------------------------------------------------------- matching and storing


@dataclass
class Match:
    """Vectors matched to a vocabulary: ``rows[j]`` is the dataset row of matched vector ``j``."""

    rows: np.ndarray
    vectors: np.ndarray
    n_file: int
    unmatched: list[str]
    n_dataset: int

    @property
    def n_matched(self) -> int:
        return len(self.rows)


def match(vectors: Vectors, vocab, what: str, dataset_name: str) -> Match:
    """Match file ids to ``vocab`` (the dataset's :class:`~recall_core.data.Vocabulary`); refuse if none match."""
    rows = np.asarray([vocab.get(i) for i in vectors.ids], dtype=np.int64)
    ok = rows >= 0
    unmatched = [i for i, good in zip(vectors.ids, ok) if not good]
    if not ok.any():
        sample = ", ".join(repr(i) for i in vectors.ids[:3])
        known = ", ".join(repr(str(i)) for i in vocab.ids[:3])
        article = "an" if what == "item" else "a"
        raise DataError(f"{vectors.ids_source}: none of its {len(vectors.ids)} ids is {article} {what} id of {dataset_name} "
                        f"(the file has {sample}; the dataset has {known}, ...): nothing to import")
    return Match(rows[ok], vectors.vectors[ok], len(vectors.ids), unmatched, len(vocab))


@dataclass
class ImportReport:
    """What an import did, in numbers and in sentences (:meth:`lines`)."""

    name: str
    dataset: str
    metric: str
    dim: int
    items: dict
    users: dict | None = None
    replaced: bool = False
    metrics: dict = field(default_factory=dict)
    i2i_metrics: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.items['matched']:,} of {self.items['in_file']:,} item vectors "
               f"({self.dim} dimensions) matched {self.dataset}'s items; {self.items['without_vector']:,} of its "
               f"{self.items['in_dataset']:,} items have none (they are never listed)."]
        if self.items["unmatched"]:
            out.append(f"{self.items['unmatched']:,} item id(s) of {self.items['file']} match no item of "
                       f"{self.dataset} and were left out: {', '.join(map(repr, self.items['unmatched_examples']))}"
                       + (", ..." if self.items["unmatched"] > len(self.items["unmatched_examples"]) else "") + ".")
        if self.users:
            u = self.users
            out.append(f"{u['matched']:,} of {u['in_file']:,} user vectors matched; {u['without_vector']:,} of the "
                       f"{u['in_dataset']:,} users have none.")
            if u["unmatched"]:
                out.append(f"{u['unmatched']:,} user id(s) of {u['file']} match no user and were left out: "
                           f"{', '.join(map(repr, u['unmatched_examples']))}"
                           + (", ..." if u["unmatched"] > len(u["unmatched_examples"]) else "") + ".")
        if self.i2i_metrics:
            out.append(f"I2I HR@10 {self.i2i_metrics.get('hr@10', float('nan')):.4f}"
                       + (f", HR@10 {self.metrics['hr@10']:.4f} over {self.metrics.get('users', 0):,} test users"
                          if self.metrics else " (no user vectors: not on the U2I leaderboard columns)") + ".")
        return out


def _summary(m: Match, v: Vectors) -> dict:
    return {"file": v.source, "ids_file": v.ids_source, "id_column": v.id_column, "in_file": m.n_file,
            "matched": m.n_matched, "unmatched": len(m.unmatched), "unmatched_examples": m.unmatched[:_SHOWN],
            "in_dataset": m.n_dataset, "without_vector": m.n_dataset - m.n_matched}


#: How the sentences below name the similarity of imported vectors.
IMPORTED_METRICS = {"cosine": "Cosine", "ip": "Inner product"}
#: The manifest's ``views`` of imported vectors, per view (the app words the same numbers in Chinese).
VIEW_TEMPLATES = {
    "similar": ("{what} between the item vectors imported from {file} ({dim} dimensions; {matched:,} of "
                "{in_dataset:,} items have one); trained elsewhere, so whether this is the score they were trained "
                "on is not known here."),
    "user": ("{what} between the user vectors imported from {file} and the imported item vectors ({matched:,} "
             "of {in_dataset:,} users have one; the others get no list)."),
}


def view_sentences(metric: str, items: dict, dim: int, users: dict | None) -> dict[str, str]:
    """The manifest's ``views``: one true sentence per view of an imported model."""
    what = IMPORTED_METRICS.get(metric, metric)
    notes = {"similar": VIEW_TEMPLATES["similar"].format(what=what, dim=dim, **items)}
    if users:
        notes["user"] = VIEW_TEMPLATES["user"].format(what=what, dim=dim, **users)
    return notes


def check_name(name: str, store: Path, dataset_key: str) -> bool:
    """:class:`UsageError` unless ``name`` can hold an import; True when it replaces an earlier import."""
    from recall_core.models.base import find_model_class
    from recall_core.store import manifest_path, model_dir, read_manifest

    if not name or not _NAME.match(name):
        raise UsageError(f"model name {name!r}: use letters, digits and _.=- only (no '@', no spaces)")
    if find_model_class(name) is not None or name in ("transition", "ease"):
        raise UsageError(f"model name {name!r} is a built-in model; choose another name for imported vectors")
    folder = model_dir(store, dataset_key, name)
    if not manifest_path(store, dataset_key, name).exists():
        return False
    try:
        cls = read_manifest(folder).get("model_class")
    except Exception:  # noqa: BLE001 (a damaged manifest: refuse rather than overwrite what we cannot read)
        cls = None
    if cls != MODEL_CLASS:
        raise UsageError(f"{folder} holds a trained model ({cls or 'unreadable'}); an import never replaces one: "
                         "choose another name")
    return True


def import_model(ds, store: Path | str, name: str, items: Vectors, users: Vectors | None = None,
                 metric: str = "cosine") -> ImportReport:
    """Match ``items`` (and ``users``) to ``ds``, evaluate, and store them as model ``name`` (class ``imported``).

    Replaces an earlier import of the same name; refuses the name of a built-in or trained model.
    """
    from recall_core.data.split import split_for
    from recall_core.evaluation import evaluate, evaluate_i2i
    from recall_core.models.base import RecallOutput
    from recall_core.store import save_model

    if metric not in METRICS:
        raise UsageError(f"metric {metric!r}: expected one of {', '.join(METRICS)}")
    store = Path(store)
    replaced = check_name(name, store, ds.key)
    mi = match(items, ds.item_vocab, "item", ds.name)
    dim = items.vectors.shape[1]
    item_vectors = np.zeros((ds.n_items, dim), np.float32)
    item_vectors[mi.rows] = mi.vectors
    known = np.zeros(ds.n_items, bool)
    known[mi.rows] = True
    isum = _summary(mi, items)
    usum = None
    user_kw: dict = {}
    user_known = None
    if users is not None:
        if users.vectors.shape[1] != dim:
            raise DataError(f"{users.source}: user vectors have {users.vectors.shape[1]} values, the item vectors "
                            f"in {items.source} {dim}: users are scored against the items, so the widths must match")
        mu = match(users, ds.user_vocab, "user", ds.name)
        user_vectors = np.zeros((ds.n_users, dim), np.float32)
        user_vectors[mu.rows] = mu.vectors
        user_known = np.zeros(ds.n_users, bool)
        user_known[mu.rows] = True
        usum = _summary(mu, users)
        user_kw = {"user_ids": ds.user_vocab.ids, "user_vectors": user_vectors, "u2i_metric": metric}
    views = view_sentences(metric, isum, dim, usum)
    out = RecallOutput(item_ids=ds.item_vocab.ids, item_vectors=item_vectors, metric=metric, item_known=known,
                       extras={"user_known": user_known} if user_known is not None else {},
                       info={"imported": {"items": isum, "users": usum}}, **user_kw)
    split = split_for(ds)
    i2i = evaluate_i2i(out, split)
    metrics = {}
    if user_known is not None:
        has = user_known[split.test_users]
        if has.any():  # the test users the file has a vector for
            metrics = evaluate(out, replace(split, test_users=split.test_users[has], test_items=split.test_items[has],
                                            test_timestamps=split.test_timestamps[has]))
    save_model(store, ds, name, out, model_class=MODEL_CLASS, seed=None,
               config={"vectors": items.source, "ids": items.ids_source, "metric": metric, "dim": dim,
                       "users": users.source if users else None, "user_ids": users.ids_source if users else None},
               metrics=metrics, i2i_metrics=i2i, train_seconds=None, extra={"views": views})
    return ImportReport(name=name, dataset=ds.name, metric=metric, dim=dim, items=isum, users=usum,
                        replaced=replaced, metrics=metrics, i2i_metrics=i2i)


# --------------------------------------------------------------------------- export


def _clean(value) -> str:
    """A metadata cell: no tab or line break (they would shift the Projector's columns)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"[\t\r\n]+", " ", str(value)).strip()


def vectors_tsv(vectors: np.ndarray) -> str:
    """``(n, d)`` vectors as a Projector ``vectors.tsv`` text: one line per row, tab-separated values with 9
    significant digits (float32 round-trips exactly). The one writer of the format (export, and the upload-size
    measurement of bench/upload_sizes.py)."""
    buf = io.StringIO()
    np.savetxt(buf, np.asarray(vectors), fmt="%.9g", delimiter="\t")
    return buf.getvalue()


def projector_files(ds, model, view: str = "similar") -> dict[str, str]:
    """``{file name: text}`` of :func:`export_projector` (also what the app offers as a download)."""
    out = model.output
    if view not in ("similar", "user"):
        raise UsageError(f"view {view!r}: export writes 'similar' (the item space) or 'user' (users and items)")
    if view == "user" and not out.has_users:
        raise UsageError(f"model {model.name!r} has no user vectors: export its 'similar' view")
    items = out.item_vectors if view == "similar" else out.candidates
    rows = np.flatnonzero(out.item_known) if out.item_known is not None else np.arange(len(out.item_ids))
    meta = ds.items.set_index("item_id")
    lines = ["item_id\ttitle\tyear\tgenres"]
    for i in out.item_ids[rows]:
        r = meta.loc[i] if i in meta.index else None
        year = "" if r is None or r["year"] != r["year"] else str(int(r["year"]))
        lines.append("\t".join([_clean(i), _clean(None if r is None else r["title"]), year,
                                _clean(None if r is None else "|".join(r["genres"]))]))
    files = {EXPORT_FILES["items"][0]: vectors_tsv(items[rows]), EXPORT_FILES["items"][1]: "\n".join(lines) + "\n"}
    if view == "user":
        urows = np.arange(len(out.user_ids))
        uk = out.extras.get("user_known")
        if uk is not None:
            urows = np.flatnonzero(uk)
        cols = [c for c in ("age", "gender", "occupation") if c in ds.users.columns]
        users = ds.users.set_index("user_id")
        ulines = ["\t".join(["user_id", *cols])]
        for u in out.user_ids[urows]:
            rec = users.loc[u] if u in users.index else None
            ulines.append("\t".join([_clean(u), *[_clean(None if rec is None else rec[c]) for c in cols]]))
        files[EXPORT_FILES["users"][0]] = vectors_tsv(out.user_vectors[urows])
        files[EXPORT_FILES["users"][1]] = "\n".join(ulines) + "\n"
    return files


def export_projector(ds, model, out_dir: Path | str, view: str = "similar") -> list[Path]:
    """Write a stored model's ``view`` as Projector TSV files into ``out_dir`` (created); return the paths.

    Files: ``vectors.tsv`` and ``metadata.tsv`` (items the model knows), and for ``view="user"`` also
    ``user_vectors.tsv`` and ``user_metadata.tsv``. Files of those names in ``out_dir`` are replaced.
    """
    files = projector_files(ds, model, view)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"{out_dir}: cannot create the folder ({e.strerror or e})") from None
    if not out_dir.is_dir():
        raise UsageError(f"{out_dir}: not a folder")
    paths = []
    for fname, text in files.items():
        p = out_dir / fname
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def reimport_command(model, out_dir: Path | str, view: str = "similar", name: str | None = None) -> str:
    """The ``python -m recall_core import`` line that reads an export back (same metric as the view)."""
    out_dir = Path(out_dir)
    metric = model.output.metric if view == "similar" else model.output.u2i_metric
    cmd = (f"python -m recall_core import --name {name or model.name.replace('@', '-') + '-copy'} "
           f"--vectors {out_dir / 'vectors.tsv'} --ids {out_dir / 'metadata.tsv'} --metric {metric}")
    if view == "user":
        cmd += f" --users {out_dir / 'user_vectors.tsv'} --user-ids {out_dir / 'user_metadata.tsv'}"
    return cmd
