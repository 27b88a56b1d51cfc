"""App speed with AppTest: first render and one interaction per page, against a trained store.

``measure(store, dataset)`` returns ``{page: {"first_render": s, "interaction": what, "interaction_seconds": s}}``
(used by ``make bench`` to fill BENCHMARKS.md). Protocol, in one fresh process:

1. One AppTest session opens the Overview (the process's first render: it loads
   the dataset and reads every model's manifest and arrays).
2. The UMAP maps the maps page shows by default are computed (once per model,
   cached in the store); that one-off cost is its own row.
3. The session visits each page in turn: "first render" is that page's first run in the session
   (its models and indexes are not yet loaded by the page's own loaders).
4. On each page one interaction (pick another movie or user, change K or τ),
   timed as the rerun it causes.
5. The How it works page, once per stored model class (rows ``how it works: <class>``): the run that
   draws that class's section for the first time (issue 11's target: at most 1 s each on ML-100K).
6. A second session opens the Overview: a new viewer of a server that is already running (the dataset,
   models and imports are loaded; step 1 paid for them).

Run alone: ``python bench/app_timings.py [--store DIR] [--dataset ml-100k | FOLDER] [--lang en|zh]`` (a MovieLens
or synth folder, with a store trained on it: ``python -m recall_core train --dataset FOLDER --store DIR``; ``--lang
zh``: every session opens with ``?lang=zh``, as a shared Chinese link does).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from recall_core.app.page_list import page  # noqa: E402  (the pages timed: their files and row names)

TIMEOUT = 900.0  # the first UMAP of a model may take a while on a slow machine


def _timed(at) -> float:
    t0 = time.perf_counter()
    at.run(timeout=TIMEOUT)
    dt = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"page raised: {[e.message for e in at.exception]}")
    return dt


def payload(at) -> dict:
    """What the last run sent to the browser, from AppTest's element tree: ``{"kb": serialized size of every
    element, "charts", "chart_kb", "dataframes", "dataframe_kb", "options": selectbox options}``."""
    out = {"kb": 0.0, "charts": 0, "chart_kb": 0.0, "dataframes": 0, "dataframe_kb": 0.0, "options": 0}

    def walk(node) -> None:
        for child in getattr(node, "children", {}).values():
            walk(child)
        proto = getattr(node, "proto", None)
        if proto is None or getattr(node, "children", None):
            return
        try:
            kb = proto.ByteSize() / 1024
        except AttributeError:
            return
        out["kb"] += kb
        kind = getattr(node, "type", "")
        if kind == "plotly_chart":
            out["charts"] += 1
            out["chart_kb"] += kb
        elif kind in ("arrow_data_frame", "dataframe"):
            out["dataframes"] += 1
            out["dataframe_kb"] += kb
        elif kind == "selectbox":
            out["options"] += len(proto.options)

    walk(at._tree)
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}


def _precompute_maps(store: Path, dataset: str) -> dict | None:
    """Compute the maps the maps page shows by default (left/right item maps and the user map)."""
    from recall_core.analysis import maps
    from recall_core.data import load_dataset
    from recall_core.store import load_trained, stored_models

    ds = load_dataset(dataset)
    names = stored_models(ds, store)
    loaded = {}
    for n in names:
        try:
            loaded[n] = load_trained(ds, store, n)
        except Exception:  # noqa: BLE001 (a broken model is the page's business, not the benchmark's)
            continue
    items = [n for n, m in loaded.items() if maps.mappable(m, "items") is None]
    prefer = maps.preferred(items)
    users = [n for n in prefer if n in loaded and maps.mappable(loaded[n], "users") is None]
    todo = [(n, "items") for n in dict.fromkeys(prefer[:2])] + [(n, "users") for n in users[:1]]
    if not todo:
        return None
    t0 = time.perf_counter()
    computed = 0
    for n, kind in todo:
        computed += maps.umap_map(loaded[n], kind, 15, 0.1).computed
    which = ", ".join(f"{n} {k}" for n, k in todo)
    what = (f"{computed} of {len(todo)} map(s) computed ({which}); then read from the store" if computed else
            f"none computed: the {len(todo)} map(s) ({which}) were already in the store (computed by an earlier run; "
            "this row is then only the read)")
    return {"first_render": time.perf_counter() - t0, "interaction": what, "interaction_seconds": None}


def _precompute_maps_in_child(store: Path, dataset: str) -> dict | None:
    import subprocess

    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[1] + '/bench'); "
            "from app_timings import _precompute_maps; from pathlib import Path; "
            "print(json.dumps(_precompute_maps(Path(sys.argv[2]), sys.argv[3])))")
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT), str(store), dataset], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"computing the maps failed: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(store: Path | str | None = None, dataset: str = "ml-100k", lang: str = "en") -> dict[str, dict]:
    """Timings in seconds per page (see the module docstring), the pages in ``lang``."""
    from recall_core.store import default_store

    store = Path(store) if store else default_store()
    os.environ["RECALL_STORE"] = str(store)
    os.environ["RECALL_DATASET"] = dataset
    out: dict[str, dict] = {}
    at = _session(lang)
    first = _timed(at)
    at.radio(key="overview_k").set_value(20)
    t = _timed(at)
    out["overview (first page of the process)"] = {"first_render": first, "interaction": "K 10 -> 20",
                                                   "interaction_seconds": t, "payload": payload(at)}
    # In a child process: numba's UMAP kernels (and their threads) stay out of the timed process.
    pre = _precompute_maps_in_child(store, dataset)

    steps = [
        (page("items"), "pick another movie",
         lambda: at.selectbox(key="i2i_item").select_index(1)),
        (page("users"), "pick another user",
         lambda: at.selectbox(key="u2i_user").select_index(1)),
        (page("eges"), "pick another movie",
         lambda: at.selectbox(key="eges_item").select_index(1)),
        (page("dssm"), "τ -> 0.05",
         lambda: at.select_slider(key="dssm_tau").set_value(0.05)),
        (page("maps"), "highlight another movie",
         lambda: at.selectbox(key="maps_item").select_index(1)),
    ]
    for p, what, act in steps:  # each page by its file (AppTest switches by file), named as in the list
        name = p.name
        at.switch_page(p.file)
        first = _timed(at)
        try:
            act()
        except (KeyError, IndexError, ValueError):
            out[name] = {"first_render": first, "interaction": f"{what}: not available (model missing?)",
                         "interaction_seconds": None}
            continue
        sent = payload(at)
        out[name] = {"first_render": first, "interaction": what, "interaction_seconds": _timed(at),
                     "payload": sent}
    # A second interaction where K matters most.
    at.switch_page(page("items").file)
    _timed(at)
    at.number_input(key="i2i_k").set_value(20)
    out["item neighbours (K)"] = {"first_render": None, "interaction": "K 10 -> 20", "interaction_seconds": _timed(at)}
    # The maps' neighbours (a fragment of its own: only the close-ups rerun).
    at.switch_page(page("maps").file)
    _timed(at)
    try:
        at.toggle(key="maps_closeups").set_value(True)  # the close-ups (and K) are drawn on demand
        _timed(at)
        at.number_input(key="maps_k").set_value(20)
        out["embedding maps (neighbours)"] = {"first_render": None, "interaction": "neighbours 10 -> 20",
                                              "interaction_seconds": _timed(at)}
    except (KeyError, IndexError, ValueError):
        pass
    out.update(how_timings(at, store, dataset))
    # A new viewer of a server that is already running: a new session in this process (the dataset, the models
    # and the imports are loaded; the first row above paid for them once).
    again = _session(lang)
    out["overview (a new session of a running server)"] = {"first_render": _timed(again), "interaction": "-",
                                                            "interaction_seconds": None}
    if pre:
        out["embedding maps: first UMAP (once per model)"] = pre
    return out


def _session(lang: str):
    """A new AppTest session of app.py, opened in ``lang`` (``?lang=zh`` for Chinese; English writes nothing)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if lang != "en":
        at.query_params["lang"] = lang
    return at


#: Row names of the How page's sections: ``HOW_ROW.format(model=...)``.
HOW_ROW = "how it works: {model}"
#: Issue 11's target for each section's render under AppTest on the ML-100K store.
HOW_TARGET_SECONDS = 1.0


def how_models(store: Path, dataset: str) -> dict[str, str]:
    """``{model class: store name}`` for every model class with a How section that the store holds (the default
    variant of each, e.g. ``dssm`` rather than ``dssm@t0.5``), in the page's order."""
    from recall_core.app import how
    from recall_core.data import load_dataset
    from recall_core.store import stored_models
    from recall_core.store import model_dir, read_manifest

    ds = load_dataset(dataset)
    found: dict[str, str] = {}
    for name in sorted(stored_models(ds, store), key=lambda n: ("@" in n, n)):
        try:
            cls = how.model_class_of(read_manifest(model_dir(store, ds.key, name)), name)
        except Exception:  # noqa: BLE001 (an unreadable manifest: the page says so, the bench skips it)
            continue
        if cls in how.SECTIONS:
            found.setdefault(cls, name)
    return {cls: found[cls] for cls in how.SECTIONS if cls in found}


def how_timings(at, store: Path, dataset: str) -> dict[str, dict]:
    """The How page (``/how?model=M``) for each stored model class: the run that draws M's section for the first
    time in the session. The first model switches to the page (its row includes loading the split); each next one
    is chosen in the page's model box, as a viewer does."""
    out: dict[str, dict] = {}
    for i, (cls, name) in enumerate(how_models(store, dataset).items()):
        if i == 0:
            at.session_state["how_model"] = name
            at.switch_page(page("how").file)
        else:
            at.selectbox(key="how_model").set_value(name)
        dt = _timed(at)
        what = ("open /how?model=" if i == 0 else "choose ") + name + f" (target <= {HOW_TARGET_SECONDS:g} s)"
        boxes = [e.value for e in (*at.error, *at.warning)]
        if boxes:  # a stale model's section says so instead of drawing: the time is not the section's
            what += f"; the page shows a box instead: {boxes[0][:120].replace('|', '/')}"
        out[HOW_ROW.format(model=cls)] = {"first_render": dt, "interaction": what, "interaction_seconds": None,
                                          "payload": payload(at), "boxes": len(boxes)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description="AppTest page timings")
    ap.add_argument("--store", default=None)
    ap.add_argument("--dataset", default="ml-100k", help="ml-100k or a MovieLens / synth folder")
    ap.add_argument("--lang", default="en", choices=["en", "zh"], help="the pages' language")
    ap.add_argument("--json", action="store_true", help="print only the JSON result")
    args = ap.parse_args()
    res = measure(args.store, args.dataset, args.lang)
    if args.json:
        print(json.dumps(res))
        return
    for page, t in res.items():
        fr = "-" if t["first_render"] is None else f"{t['first_render']:.3f}"
        it = "-" if t["interaction_seconds"] is None else f"{t['interaction_seconds']:.3f}"
        sent = t.get("payload")
        sent = "" if not sent else (f"   sent {sent['kb']:.0f} KB ({sent['charts']} charts {sent['chart_kb']:.0f} KB, "
                                    f"{sent['dataframes']} tables {sent['dataframe_kb']:.0f} KB, "
                                    f"{sent['options']} options)")
        print(f"{page:<48} first render {fr:>7} s   {t['interaction']}: {it} s{sent}")
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
