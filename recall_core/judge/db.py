"""The judgments database: one SQLite file per dataset, append-only, safe under many writers and ``kill -9``.

Path: :func:`recall_core.store.judgments_path` (``<store>/<dataset key>/judgments.sqlite``).

**Tables** (schema version :data:`SCHEMA_VERSION`, in ``PRAGMA user_version`` and in ``meta``):

* ``meta(key, value)``: ``schema_version``, ``dataset_key``, ``fingerprint`` (the dataset's content hash: a
  file opened with another dataset is refused), ``created``.
* ``probe_sets(name, seed, n_items, n_users, created, created_by)`` and
  ``probes(probe_set, position, probe, kind, stratum, added, added_by)``: the probe sets
  (:mod:`recall_core.judge.probes`); a probe is added once per set.
* ``judgments``: one row per click. Columns: ``id`` (increasing), ``judge``, ``name_source`` (``typed``,
  ``login``, ``imported``; :mod:`recall_core.judge.judges`), ``mode`` (``graded`` or ``ab``), ``probe_set``, ``probe``
  (``item:50``), ``probe_kind`` (``item``/``user``), ``item_id`` (graded: the movie), ``grade`` (graded: 0, 1,
  2, or NULL for *can't judge*), ``preference`` (ab: ``a``, ``b``, ``tie`` or ``both_bad``), ``model_a``,
  ``version_a``, ``model_b``, ``version_b`` (ab: the models shown left (A) and right (B), with the version folder
  of each stored model), ``created`` (UTC, ISO 8601 with microseconds), ``fingerprint``, ``session`` (the app
  session that wrote it).

**Append-only.** Triggers refuse every UPDATE and DELETE. A later judgment by the same judge on the same unit
supersedes the earlier one for scoring, and both rows stay (the history): a graded unit is (judge, probe,
movie); an A/B unit is (judge, probe, the unordered pair of models). "Later" is the larger ``created``, then
the larger ``id``, so re-importing an old export never overrides newer judgments.

**Safe.** WAL journal, ``synchronous=FULL`` (a commit is on disk when it returns), a busy timeout
(:data:`BUSY_TIMEOUT`) so writers queue instead of failing, and every write in one ``BEGIN IMMEDIATE``
transaction: five writers at once lose nothing, and a process killed in the middle of a write leaves the file
with every committed row and none of the uncommitted one (SQLite's atomic commit; tests/judge/test_judge_storage.py).
A connection is opened per operation and closed after it, so a web session holds no lock between clicks.

Errors are :class:`~recall_core.errors.StoreError` naming the file: damaged (not a database), locked for longer
than the timeout, made for another dataset, or by a newer version. None of them changes the file.
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from recall_core.errors import StoreError, UsageError
from recall_core.judge.judges import check_judge, check_rate
from recall_core.judge.probes import KINDS, MANUAL, STRATA, Probe, check_set_name

SCHEMA_VERSION = 1
BUSY_TIMEOUT = 15.0  # seconds a write waits for another writer before it is refused
GRADES = (0, 1, 2)
PREFERENCES = ("a", "b", "tie", "both_bad")
MODES = ("graded", "ab")
COLUMNS = ("id", "judge", "name_source", "mode", "probe_set", "probe", "probe_kind", "item_id", "grade",
           "preference", "model_a", "version_a", "model_b", "version_b", "created", "fingerprint", "session")

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE probe_sets (
  name TEXT PRIMARY KEY, seed INTEGER, n_items INTEGER, n_users INTEGER, created TEXT NOT NULL, created_by TEXT);
CREATE TABLE probes (
  probe_set TEXT NOT NULL REFERENCES probe_sets(name), position INTEGER NOT NULL, probe TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('item', 'user')),
  stratum TEXT NOT NULL CHECK (stratum IN ('head', 'torso', 'tail', 'manual')),
  added TEXT NOT NULL, added_by TEXT,
  PRIMARY KEY (probe_set, position), UNIQUE (probe_set, probe));
CREATE TABLE judgments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  judge TEXT NOT NULL, name_source TEXT NOT NULL,
  mode TEXT NOT NULL CHECK (mode IN ('graded', 'ab')),
  probe_set TEXT, probe TEXT NOT NULL, probe_kind TEXT NOT NULL CHECK (probe_kind IN ('item', 'user')),
  item_id TEXT, grade INTEGER CHECK (grade IN (0, 1, 2)),
  preference TEXT CHECK (preference IN ('a', 'b', 'tie', 'both_bad')),
  model_a TEXT, version_a TEXT, model_b TEXT, version_b TEXT,
  created TEXT NOT NULL, fingerprint TEXT NOT NULL, session TEXT,
  CHECK ((mode = 'graded' AND item_id IS NOT NULL AND preference IS NULL AND model_a IS NULL)
      OR (mode = 'ab' AND item_id IS NULL AND grade IS NULL AND preference IS NOT NULL
          AND model_a IS NOT NULL AND model_b IS NOT NULL AND model_a <> model_b)));
CREATE INDEX judgments_graded ON judgments (probe_kind, probe, item_id, judge) WHERE mode = 'graded';
CREATE INDEX judgments_judge ON judgments (judge, mode, probe_kind);
""" + "".join(f"""
CREATE TRIGGER {t}_no_update BEFORE UPDATE ON {t} BEGIN SELECT RAISE(ABORT, '{t} are append-only'); END;
CREATE TRIGGER {t}_no_delete BEFORE DELETE ON {t} BEGIN SELECT RAISE(ABORT, '{t} are append-only'); END;
""" for t in ("judgments", "probes", "probe_sets"))


def now() -> str:
    """The current UTC time as stored: ``2026-12-07T09:00:00.123456+00:00`` (sorts as text)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="microseconds")


def normalise_time(text: str) -> str:
    """An ISO 8601 time as stored (UTC, microseconds); a time without a zone is read as UTC.
    :class:`ValueError` when it is not a time."""
    t = _dt.datetime.fromisoformat(str(text).strip().replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=_dt.timezone.utc)
    return t.astimezone(_dt.timezone.utc).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Dataset:
    """What the database checks a dataset by (a :class:`recall_core.data.Dataset` has these fields)."""

    key: str
    fingerprint: str
    name: str = ""


class JudgmentDB:
    """The judgments of one dataset in ``path`` (created on the first write).

    ``dataset``: anything with ``key``, ``fingerprint`` and ``name`` (a :class:`recall_core.data.Dataset`).
    Reads of a file that does not exist yet return nothing and create nothing.
    """

    def __init__(self, path: Path, dataset, timeout: float = BUSY_TIMEOUT):
        self.path = Path(path)
        self.key = str(dataset.key)
        self.fingerprint = str(dataset.fingerprint)
        self.dataset_name = str(getattr(dataset, "name", "") or self.key)
        self.timeout = float(timeout)

    # ------------------------------------------------------------------ connections

    def exists(self) -> bool:
        return self.path.is_file()

    def _error(self, e: sqlite3.Error, doing: str) -> StoreError:
        msg = str(e)
        if "locked" in msg or "busy" in msg:
            return StoreError(f"{self.path}: the judgments database is locked by another process for more than "
                              f"{self.timeout:g} s; {doing} did not happen, try again")
        if any(w in msg for w in ("not a database", "malformed", "corrupt", "encrypted")):
            return StoreError(f"{self.path}: damaged judgments database ({msg}); {doing} did not happen and the file "
                              "was not changed: restore a copy, or move it away to start a new one")
        return StoreError(f"{self.path}: {doing} failed: {msg}")

    @contextlib.contextmanager
    def _connect(self, write: bool, doing: str):
        """A checked connection (schema, dataset); ``write``: create the file and schema when missing."""
        if write:
            from recall_core.fs import makedirs

            try:
                makedirs(self.path.parent)
            except OSError as e:
                raise StoreError(f"{self.path.parent}: cannot create the store folder ({e}); {doing} did not happen") \
                    from None
        uri = f"file:{quote(str(self.path))}?mode={'rwc' if write else 'rw'}"
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as e:
            raise self._error(e, doing) from None
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = FULL")
            self._check(conn, write)
            yield conn
        except sqlite3.Error as e:
            raise self._error(e, doing) from None
        finally:
            conn.close()

    def _check(self, conn: sqlite3.Connection, write: bool) -> None:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            if not write:
                return  # an empty file (a writer is creating it): nothing to read yet
            conn.execute("PRAGMA journal_mode = WAL")  # first, on the empty file; kept in the file from then on
            conn.execute("BEGIN IMMEDIATE")
            try:
                if conn.execute("PRAGMA user_version").fetchone()[0] == 0:  # still: this connection creates it
                    if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                        raise StoreError(f"{self.path}: an SQLite file that is not a judgments database; "
                                         "it was not changed (move it away to start a new one)")
                    for stmt in _statements(_SCHEMA):
                        conn.execute(stmt)
                    conn.executemany("INSERT INTO meta VALUES (?, ?)", [
                        ("schema_version", str(SCHEMA_VERSION)), ("dataset_key", self.key),
                        ("fingerprint", self.fingerprint), ("created", now())])
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.path}: judgments database of schema {version}, made by a newer version of "
                             f"this program (this one reads up to {SCHEMA_VERSION}); it was not changed")
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("fingerprint") != self.fingerprint:
            raise StoreError(f"{self.path}: judgments of another dataset (fingerprint {meta.get('fingerprint')}, "
                             f"made for {meta.get('dataset_key')}; {self.dataset_name} has {self.fingerprint}); "
                             "the file was not changed")

    @contextlib.contextmanager
    def _transaction(self, doing: str):
        """One ``BEGIN IMMEDIATE`` ... ``COMMIT`` (rolled back on any error)."""
        with self._connect(True, doing) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params=(), doing: str = "reading the judgments") -> list[sqlite3.Row]:
        if not self.exists():
            return []
        with self._connect(False, doing) as conn:
            if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
                return []
            conn.row_factory = sqlite3.Row
            return conn.execute(sql, params).fetchall()

    def integrity(self) -> str:
        """SQLite's ``PRAGMA integrity_check`` (``"ok"`` for a sound file)."""
        with self._connect(False, "the integrity check") as conn:
            return "; ".join(r[0] for r in conn.execute("PRAGMA integrity_check").fetchall())

    # ------------------------------------------------------------------ writes

    def add_graded(self, judge: str, probe: Probe, item_id: str, grade: int | None, *, probe_set: str | None = None,
                   name_source: str = "typed", session: str | None = None) -> int:
        """Store one grade (0, 1, 2; ``None``: can't judge) of ``item_id`` for ``probe``; returns the row id.
        With a ``session``, its write rate is checked first (:func:`recall_core.judge.judges.check_rate`)."""
        row = graded_row(judge, probe, item_id, grade, probe_set=probe_set, name_source=name_source,
                         session=session, fingerprint=self.fingerprint)
        if session is not None:
            check_rate(session)
        return self.add_rows([row], "storing the grade")[0]

    def add_vote(self, judge: str, probe: Probe, model_a: str, version_a: str | None, model_b: str,
                 version_b: str | None, preference: str, *, probe_set: str | None = None,
                 name_source: str = "typed", session: str | None = None) -> int:
        """Store one A/B vote (A was shown left); returns the row id (a ``session``'s rate is checked first)."""
        judge = check_judge(judge, name_source)
        if preference not in PREFERENCES:
            raise UsageError(f"preference must be one of {', '.join(PREFERENCES)}, got {preference!r}")
        if not model_a or not model_b or model_a == model_b:
            raise UsageError(f"an A/B vote needs two different models, got {model_a!r} and {model_b!r}")
        if session is not None:
            check_rate(session)
        row = {"judge": judge, "name_source": name_source, "mode": "ab", "probe_set": probe_set, "probe": probe.id,
               "probe_kind": probe.kind, "item_id": None, "grade": None, "preference": preference,
               "model_a": model_a, "version_a": version_a, "model_b": model_b, "version_b": version_b,
               "created": now(), "fingerprint": self.fingerprint, "session": session}
        return self.add_rows([row], "storing the vote")[0]

    def add_rows(self, rows: list[dict], doing: str = "storing the judgments") -> list[int]:
        """Insert checked rows (:func:`graded_row`, or an A/B row) in one transaction; their ids."""
        cols = COLUMNS[1:]
        with self._transaction(doing) as conn:
            ids = []
            for r in rows:
                cur = conn.execute(f"INSERT INTO judgments ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                   [r.get(c) for c in cols])
                ids.append(cur.lastrowid)
        return ids

    def create_probe_set(self, name: str, probes: list[Probe], seed: int | None = None, n_items: int | None = None,
                         n_users: int | None = None, created_by: str | None = None) -> bool:
        """Store a new probe set; ``False`` (and nothing written) when a set of that name exists already."""
        name = check_set_name(name)
        with self._transaction(f"creating the probe set {name!r}") as conn:
            if conn.execute("SELECT 1 FROM probe_sets WHERE name = ?", (name,)).fetchone():
                return False
            stamp = now()
            conn.execute("INSERT INTO probe_sets VALUES (?, ?, ?, ?, ?, ?)",
                         (name, seed, n_items, n_users, stamp, created_by))
            conn.executemany("INSERT INTO probes VALUES (?, ?, ?, ?, ?, ?, ?)",
                             [(name, i, p.id, p.kind, p.stratum, stamp, created_by) for i, p in enumerate(probes)])
        return True

    def add_probes(self, name: str, probes: list[Probe], added_by: str | None = None) -> list[Probe]:
        """Append probes to a stored set (those already in it are skipped); the ones added."""
        added = []
        with self._transaction(f"adding probes to {name!r}") as conn:
            if not conn.execute("SELECT 1 FROM probe_sets WHERE name = ?", (name,)).fetchone():
                raise UsageError(f"no probe set named {name!r}")
            pos = conn.execute("SELECT coalesce(max(position) + 1, 0) FROM probes WHERE probe_set = ?",
                               (name,)).fetchone()[0]
            for p in probes:
                if conn.execute("SELECT 1 FROM probes WHERE probe_set = ? AND probe = ?", (name, p.id)).fetchone():
                    continue
                conn.execute("INSERT INTO probes VALUES (?, ?, ?, ?, ?, ?, ?)",
                             (name, pos, p.id, p.kind, MANUAL, now(), added_by))
                pos += 1
                added.append(Probe(p.id, p.kind, p.key, MANUAL))
        return added

    # ------------------------------------------------------------------ reads

    def probe_sets(self) -> list[dict]:
        """``[{"name", "seed", "n_items", "n_users", "created", "created_by", "items", "users"}]``, oldest first."""
        rows = self._read("SELECT s.*, (SELECT count(*) FROM probes p WHERE p.probe_set = s.name AND p.kind = 'item')"
                          " AS items, (SELECT count(*) FROM probes p WHERE p.probe_set = s.name AND p.kind = 'user')"
                          " AS users FROM probe_sets s ORDER BY s.created, s.name")
        return [dict(r) for r in rows]

    def probes(self, name: str, kind: str | None = None) -> list[Probe]:
        """The probes of set ``name`` in order (only ``kind``'s when given); ``[]`` for an unknown set."""
        rows = self._read("SELECT probe, kind, stratum FROM probes WHERE probe_set = ? ORDER BY position", (name,))
        return [Probe(r["probe"], r["kind"], r["probe"].split(":", 1)[1], r["stratum"]) for r in rows
                if kind is None or r["kind"] == kind]

    def rows(self, kind: str | None = None) -> list[dict]:
        """Every judgment row (history included), oldest first, with ``current`` (1: not superseded)."""
        cur = {r["id"] for r in self.current_graded(kind)} | {r["id"] for r in self.current_votes(kind)}
        where, params = ("WHERE probe_kind = ?", (kind,)) if kind else ("", ())
        out = []
        for r in self._read(f"SELECT * FROM judgments {where} ORDER BY created, id", params):
            d = dict(r)
            d["current"] = int(d["id"] in cur)
            out.append(d)
        return out

    def current_graded(self, kind: str | None = None, judge: str | None = None, probe: str | None = None,
                       columns: tuple[str, ...] | None = None) -> list[dict]:
        """The graded judgments in force: the latest per (judge, probe, movie), can't-judge included (only
        ``kind``'s, ``judge``'s, ``probe``'s when given; only ``columns`` when given: a summary of 10,000 rows
        reads four of them)."""
        return self._latest("graded", "item_id", kind, judge, probe, "probe, item_id, judge", columns)

    def current_votes(self, kind: str | None = None, judge: str | None = None) -> list[dict]:
        """The A/B votes in force: the latest per (judge, probe, unordered pair of models)."""
        return self._latest("ab", "min(model_a, model_b), max(model_a, model_b)", kind, judge, None, "id")

    def _latest(self, mode: str, unit: str, kind, judge, probe, order: str, columns=None) -> list[dict]:
        """The rows of ``mode`` in force: the latest (``created``, then ``id``) per judge, probe and ``unit``."""
        if columns is not None and not set(columns) <= set(COLUMNS):
            raise UsageError(f"unknown column(s) {sorted(set(columns) - set(COLUMNS))}")
        conds, params = ["mode = ?"], [mode]
        for column, value in (("probe", probe), ("probe_kind", kind or None), ("judge", judge)):
            if value is not None:
                conds.append(f"{column} = ?")
                params.append(value)
        cols = ", ".join(columns) if columns else "*"
        sql = (f"SELECT {cols} FROM (SELECT *, row_number() OVER (PARTITION BY judge, probe, {unit} "
               f"ORDER BY created DESC, id DESC) AS rn FROM judgments WHERE {' AND '.join(conds)}) WHERE rn = 1 "
               f"ORDER BY {order}")
        return [_plain(r) for r in self._read(sql, params)]

    def count_votes(self, judge: str, kind: str, probe_set: str | None) -> int:
        """How many A/B rows ``judge`` wrote for ``kind`` in ``probe_set`` (history included)."""
        return self._read("SELECT count(*) FROM judgments WHERE mode = 'ab' AND judge = ? AND probe_kind = ? "
                          "AND probe_set IS ?", (judge, kind, probe_set))[0][0] if self.exists() else 0

    def stamp(self) -> tuple[int, int]:
        """``(rows, largest id)``: changes with every write (a cache key)."""
        rows = self._read("SELECT count(*), coalesce(max(id), 0) FROM judgments") if self.exists() else []
        return (int(rows[0][0]), int(rows[0][1])) if rows else (0, 0)

    def stored_keys(self) -> set[tuple]:
        """``(judge, mode, probe, item_id, grade, preference, model_a, model_b, created)`` of every row (to skip
        rows an import already stored)."""
        return {tuple(r) for r in self._read("SELECT judge, mode, probe, item_id, grade, preference, model_a, "
                                             "model_b, created FROM judgments")}


def _plain(row: sqlite3.Row) -> dict:
    d = dict(row)
    d.pop("rn", None)
    return d


def _statements(script: str) -> list[str]:
    """The statements of :data:`_SCHEMA` (triggers keep their inner ``;``)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            out.append(text)
            buf = []
    return out


def graded_row(judge: str, probe: Probe, item_id: str, grade: int | None, *, probe_set: str | None,
               name_source: str, session: str | None, fingerprint: str, created: str | None = None) -> dict:
    """A checked graded row for :meth:`JudgmentDB.add_rows`."""
    judge = check_judge(judge, name_source)
    if probe.kind not in KINDS:
        raise UsageError(f"probe kind must be one of {', '.join(KINDS)}, got {probe.kind!r}")
    if grade is not None and grade not in GRADES:
        raise UsageError(f"grade must be 0, 1, 2 or None (can't judge), got {grade!r}")
    if not str(item_id):
        raise UsageError("a graded judgment needs a movie id")
    return {"judge": judge, "name_source": name_source, "mode": "graded", "probe_set": probe_set,
            "probe": probe.id, "probe_kind": probe.kind, "item_id": str(item_id),
            "grade": None if grade is None else int(grade), "preference": None, "model_a": None, "version_a": None,
            "model_b": None, "version_b": None, "created": created or now(), "fingerprint": fingerprint,
            "session": session}


__all__ = ["BUSY_TIMEOUT", "COLUMNS", "GRADES", "JudgmentDB", "MODES", "PREFERENCES", "SCHEMA_VERSION", "STRATA",
           "graded_row", "normalise_time", "now"]
