"""Serve the app: ``python -m recall_core.app.serve [streamlit run options]`` (what ``make run`` runs).

It is ``streamlit run app.py [options]``, plus one background thread that, once the server has started, imports
the libraries and core modules every page needs (:data:`WARM`: numpy, pandas with pyarrow, plotly's figure classes,
scipy.sparse, and ``recall_core``'s data, store, models and maps modules). Without it, the server's very first
request pays for those imports inside its script run (most of what a fresh server's first visitor waits for
beyond a later visitor: BENCHMARKS.md, "The first visitor of the Maps page"). Before that, :func:`skip_direct_run_hint`
spares the first script run Streamlit's check for a hint that never applies here. The thread starts once the server
answers (:func:`_after_start`), so it never delays that; it runs while a first browser loads the page's
JavaScript and opens its websocket, and a visitor arriving at once waits only for what of it is not done by
then. The import lock makes the page's own imports wait for a module being imported, never import it twice.

Not imported here: TensorFlow and umap (never on the app's start path), and ``recall_core.app`` (its cached
loaders are created by ``st.cache_*`` decorators, which bind to Streamlit's runtime once it exists).
"""
from __future__ import annotations

import importlib
import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"

#: imported in the background at start, in this order (a name that fails to import is skipped)
WARM = (
    "numpy", "pandas", "pyarrow.compute", "scipy.sparse", "plotly.graph_objects",
    "recall_core.data", "recall_core.data.split", "recall_core.store", "recall_core.models",
    "recall_core.analysis.maps", "recall_core.explore",
)
#: plotly.graph_objects loads each figure class on first use: these are the ones the pages draw
FIGURES = ("Figure", "Scatter", "Scattergl", "Bar", "Heatmap")


def warm_imports(names=WARM) -> list[str]:
    """Import ``names`` (and plotly's :data:`FIGURES`); returns the ones that failed (kept quiet: an optimisation)."""
    failed = []
    for name in names:
        try:
            mod = importlib.import_module(name)
            if name == "plotly.graph_objects":
                for cls in FIGURES:
                    getattr(mod, cls)
        except Exception:  # noqa: BLE001 (the page imports it again and reports any real error there)
            failed.append(name)
    return failed


def _after_start(poll: float = 0.02, timeout: float = 120.0) -> None:
    """Wait until Streamlit's runtime has started (the server answers from then on), then :func:`warm_imports`.

    Not before: the imports hold the interpreter while they run, and started with the process they delayed the
    server's first answer (a trial, not a benchmark row), which only moves the wait of a visitor who arrives at
    once. Started after, they run while that visitor's browser loads the page's JavaScript and opens its
    websocket; the servers answer as soon as plain ``streamlit run``'s (BENCHMARKS.md, "The first visitor of the
    Maps page")."""
    import time

    from streamlit.runtime import Runtime, RuntimeState

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Runtime.exists() and Runtime.instance().state not in (RuntimeState.INITIAL,):
            break
        time.sleep(poll)
    warm_imports()


def skip_direct_run_hint() -> bool:
    """Mark Streamlit's "run this with `streamlit run`" hint as shown; returns whether Streamlit still has it.

    Streamlit decides whether to print that hint at the first element a process draws, and the test
    (``env_util.is_repl``) calls ``inspect.stack()``, which reads the source of every frame and resolves the real path
    of every loaded module: in the first visitor's script run, with the page's deep stack and every library loaded.
    Here the app always runs under ``streamlit run``, so the hint can never apply. 0.07-0.08 s of the first
    visitor's wait (BENCHMARKS.md, "Streamlit's extras per script run"). A private flag: a Streamlit without it just
    runs the test again (nothing breaks)."""
    import streamlit.delta_generator as dg

    if not hasattr(dg, "_use_warning_has_been_displayed"):
        return False
    dg._use_warning_has_been_displayed = True
    return True


def main(argv: list[str] | None = None) -> int:
    """Start :func:`warm_imports` in a daemon thread (once the server runs), then ``streamlit run app.py <argv>``."""
    skip_direct_run_hint()
    threading.Thread(target=_after_start, name="warm-imports", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    return cli.main()


if __name__ == "__main__":
    raise SystemExit(main())
