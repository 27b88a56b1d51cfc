"""make run's launcher (recall_core.app.serve): what its start-up thread imports, and what it must never import."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_warm_imports_load_the_pages_libraries_and_never_tensorflow_umap_or_the_app():
    code = ("import sys; from recall_core.app.serve import WARM, warm_imports; failed = warm_imports(); "
            "print(failed, all(n in sys.modules for n in WARM), 'plotly.graph_objs._scatter' in sys.modules, "
            "[m for m in ('tensorflow', 'umap', 'keras', 'recall_core.app.state', 'recall_core.app.figures') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout.split("\n")[0]
    assert out == "[] True True []", out


def test_a_module_that_fails_to_import_is_skipped_and_named():
    from recall_core.app.serve import warm_imports

    assert warm_imports(("json", "no_such_module_here", "recall_core.errors")) == ["no_such_module_here"]


def test_the_launcher_spares_the_first_run_streamlits_direct_run_check(monkeypatch):
    """serve.main marks Streamlit's "use `streamlit run`" hint as shown before the server starts, so the first element
    a script draws does not run the check (inspect.stack() over a page's frames): is_repl is never called."""
    import streamlit.delta_generator as dg
    from streamlit import env_util

    from recall_core.app import serve

    calls = []
    monkeypatch.setattr(dg, "_use_warning_has_been_displayed", False)
    monkeypatch.setattr(env_util, "is_repl", lambda: calls.append(1) or False)
    started = []
    monkeypatch.setattr("streamlit.web.cli.main", lambda: started.append(dg._use_warning_has_been_displayed) or 0)
    monkeypatch.setattr(serve, "_after_start", lambda: None)  # the start-up imports' thread: nothing to wait for
    assert serve.main([]) == 0
    assert started == [True]
    dg._maybe_print_use_warning()
    assert calls == []


def test_streamlit_runs_no_full_collection_after_each_script_run():
    """.streamlit/config.toml turns runner.postScriptGC off (BENCHMARKS.md, "Streamlit's extras per script run")."""
    import tomllib

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
