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
