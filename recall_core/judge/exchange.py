"""Judgments in and out: CSV (every row), TREC qrels (merged grades) and TREC run files (a model's lists).

* **csv**: every judgment row with its history, the columns of :data:`recall_core.judge.db.COLUMNS` plus
  ``current`` (1: the row in force; 0: superseded by a later one of the same judge on the same unit).
* **qrels**: ``<probe> 0 <movie id> <merged grade>`` per (probe, movie) with a merged grade
  (:func:`recall_core.judge.metrics.merge_grades`: the same rule as the page and the summary).
* **run**: ``<probe> Q0 <movie id> <rank> <score> <model>`` for a model's top-K on every probe of the qrels. The
  score is ``K + 1 − rank``: trec_eval orders a run by score (ties by movie id), so this keeps the app's order,
  whose ties go to the lower catalogue row. ``trec_eval -m P.10 -m ndcg_cut.10 qrels run`` or ``ir-measures``
  recompute the summary's P@10 and nDCG@10 from the two files.

**Import** (:func:`import_file`) reads a qrels file or a CSV written by the export, checks every line first and
stores all of them in one transaction, or none: the first bad line stops it with one message naming the file, the
line and the field. A qrels line becomes a graded judgment by ``judge`` (default ``imported``; a qrels file names
no judge). A CSV keeps its judges' names and times; its ``fingerprint`` must be this dataset's (a file from
another dataset is refused); rows already stored (same judge, unit, value and time) are skipped, so importing an
export twice adds nothing. Imported rows have ``name_source`` ``imported``.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from recall_core.errors import DataError, RecallError, UsageError
from recall_core.judge import metrics as M
from recall_core.judge.db import COLUMNS, GRADES, PREFERENCES, JudgmentDB, graded_row, normalise_time, now
from recall_core.judge.judges import IMPORTED, check_judge
from recall_core.judge.probes import KINDS, Probe, check_probe

FORMATS = ("csv", "qrels", "run")
CSV_COLUMNS = (*COLUMNS, "current")
_REQUIRED = ("judge", "mode", "probe", "item_id", "grade", "preference", "model_a", "model_b", "created",
             "fingerprint")


def export_csv(db: JudgmentDB, kind: str | None = None) -> str:
    """Every row (history included), oldest first, with ``current``."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in db.rows(kind):
        w.writerow({c: "" if r.get(c) is None else r[c] for c in CSV_COLUMNS})
    return buf.getvalue()


def qrels(db: JudgmentDB, kind: str | None = None) -> dict[str, dict[str, int]]:
    """``{probe: {movie: merged grade}}`` of ``kind`` (both kinds when None)."""
    return M.qrels_from(db.current_graded(kind))


def export_qrels(db: JudgmentDB, kind: str | None = None) -> str:
    q = qrels(db, kind)
    return "".join(f"{p} 0 {i} {g}\n" for p in sorted(q) for i, g in sorted(q[p].items()))


def export_run(ds, store: Path, db: JudgmentDB, model: str, kind: str | None = None, k: int = 10,
               loaded=None) -> str:
    """A TREC run of ``model``'s current top-``k`` on every probe of the qrels (``loaded``: the model, if read)."""
    from recall_core.store import load_trained
    from recall_core.judge.pool import model_lists

    if not model:
        raise UsageError("--format run needs --model M (the model whose lists are written)")
    m = loaded or load_trained(ds, store, model)
    probes = [Probe(p, p.split(":", 1)[0], p.split(":", 1)[1]) for p in sorted(qrels(db, kind))]
    lists = model_lists(ds, m, probes, k)
    return "".join(f"{p.id} Q0 {i} {r} {k + 1 - r} {model}\n" for p in probes
                   for r, i in enumerate(lists.get(p.id, []), start=1))


# --------------------------------------------------------------------------- import


def _bad(path: Path, line: int, field: str, problem: str) -> DataError:
    return DataError(f"{path}, line {line}, field {field}: {problem}; nothing was imported")


def _text(path: Path) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise DataError(f"{path}: cannot read it ({e.strerror or e})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise DataError(f"{path}, line {line}: not UTF-8 text (byte {data[e.start]:#04x}); nothing was imported") \
            from None


def detect_format(text: str) -> str:
    """``csv`` when the first non-empty line is a header naming ``judge`` and ``probe``; else ``qrels``."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    cells = [c.strip() for c in first.split(",")]
    return "csv" if "judge" in cells and "probe" in cells else "qrels"


def _probe(ds, path, line, field, text) -> Probe:
    try:
        return check_probe(ds, text)
    except RecallError as e:
        raise _bad(path, line, field, str(e)) from None


def _movie(ds, path, line, field, text) -> str:
    if text not in ds.item_vocab:
        raise _bad(path, line, field, f"movie {text!r} is not in {ds.name}")
    return text


def read_qrels(ds, path: Path, text: str, judge: str, fingerprint: str) -> list[dict]:
    rows = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = raw.split()
        if len(parts) != 4:
            raise _bad(path, n, "columns", f"expected 4 columns (probe, iteration, movie id, grade), got {len(parts)}")
        probe = _probe(ds, path, n, "probe (column 1)", parts[0])
        item = _movie(ds, path, n, "movie id (column 3)", parts[2])
        try:
            grade = int(parts[3])
        except ValueError:
            grade = None
        if grade not in GRADES:
            raise _bad(path, n, "grade (column 4)", f"{parts[3]!r} is not 0, 1 or 2")
        rows.append(graded_row(judge, probe, item, grade, probe_set=None, name_source="imported", session=None,
                               fingerprint=fingerprint))
    return rows


def read_csv(ds, path: Path, text: str, fingerprint: str) -> list[dict]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise _bad(path, 1, "header", f"missing column(s) {', '.join(missing)} (expected the columns "
                                      "`judgments export --format csv` writes)")
    rows = []
    for r in reader:
        n = reader.line_num
        if None in r:
            raise _bad(path, n, "columns", f"{len(reader.fieldnames) + len(r[None])} values for "
                                           f"{len(reader.fieldnames)} columns")
        get = {c: (r.get(c) or "").strip() for c in reader.fieldnames}
        if get["fingerprint"] != fingerprint:
            raise _bad(path, n, "fingerprint", f"judgments of another dataset ({get['fingerprint']!r}; "
                                               f"{ds.name} has {fingerprint})")
        try:
            judge = check_judge(get["judge"], "imported")
        except UsageError as e:
            raise _bad(path, n, "judge", str(e)) from None
        try:
            created = normalise_time(get["created"])
        except ValueError:
            raise _bad(path, n, "created", f"{get['created']!r} is not an ISO 8601 time") from None
        probe = _probe(ds, path, n, "probe", get["probe"])
        if get.get("probe_kind") and get["probe_kind"] != probe.kind:
            raise _bad(path, n, "probe_kind", f"{get['probe_kind']!r} does not match the probe {probe.id!r}")
        base = {"probe_set": get.get("probe_set") or None, "session": get.get("session") or None}
        if get["mode"] == "graded":
            item = _movie(ds, path, n, "item_id", get["item_id"])
            if get["grade"] not in ("", "0", "1", "2"):
                raise _bad(path, n, "grade", f"{get['grade']!r} is not 0, 1, 2 or empty (can't judge)")
            for c in ("preference", "model_a", "model_b"):
                if get[c]:
                    raise _bad(path, n, c, "must be empty for a graded judgment")
            row = graded_row(judge, probe, item, int(get["grade"]) if get["grade"] else None,
                             name_source="imported", fingerprint=fingerprint, created=created, **base)
        elif get["mode"] == "ab":
            if get["preference"] not in PREFERENCES:
                raise _bad(path, n, "preference", f"{get['preference']!r} is not one of {', '.join(PREFERENCES)}")
            for c in ("model_a", "model_b"):
                if not get[c]:
                    raise _bad(path, n, c, "an A/B vote names both models")
            if get["model_a"] == get["model_b"]:
                raise _bad(path, n, "model_b", "the same model as model_a")
            if get["item_id"] or get["grade"]:
                raise _bad(path, n, "item_id" if get["item_id"] else "grade", "must be empty for an A/B vote")
            row = {"judge": judge, "name_source": "imported", "mode": "ab", "probe": probe.id,
                   "probe_kind": probe.kind, "item_id": None, "grade": None, "preference": get["preference"],
                   "model_a": get["model_a"], "version_a": get.get("version_a") or None, "model_b": get["model_b"],
                   "version_b": get.get("version_b") or None, "created": created, "fingerprint": fingerprint, **base}
        else:
            raise _bad(path, n, "mode", f"{get['mode']!r} is not graded or ab")
        rows.append(row)
    return rows


def import_file(db: JudgmentDB, ds, path: Path, judge: str | None = None) -> dict:
    """Check every line of ``path`` (qrels or CSV), then store them all in one transaction.

    Returns ``{"format", "read", "stored", "skipped"}`` (skipped: rows already in the database)."""
    path = Path(path)
    text = _text(path)
    fmt = detect_format(text)
    if fmt == "csv":
        if judge is not None:
            raise UsageError("--judge names the judge of a qrels file; a CSV names its judges (column judge)")
        rows = read_csv(ds, path, text, db.fingerprint)
    else:
        name = check_judge(IMPORTED if judge is None else judge, "imported")
        rows = read_qrels(ds, path, text, name, db.fingerprint)
        stamp = now()
        for r in rows:
            r["created"] = stamp
    if not rows:
        raise DataError(f"{path}: no judgments in it (empty, or only blank lines); nothing was imported")
    have = db.stored_keys()
    fresh = [r for r in rows if (r["judge"], r["mode"], r["probe"], r["item_id"], r["grade"], r["preference"],
                                 r["model_a"], r["model_b"], r["created"]) not in have]
    if fresh:
        db.add_rows(fresh, f"importing {path}")
    return {"format": fmt, "read": len(rows), "stored": len(fresh), "skipped": len(rows) - len(fresh)}


__all__ = ["CSV_COLUMNS", "FORMATS", "KINDS", "detect_format", "export_csv", "export_qrels", "export_run",
           "import_file", "qrels"]
