"""The shape of the package: the core imports without streamlit; the app's code stays in recall_core/app."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import recall_core

ROOT = Path(__file__).resolve().parents[1]


def core_modules() -> list[str]:
    """Every module of recall_core except the Streamlit-only ``recall_core.app`` package."""
    out = []
    for m in pkgutil.walk_packages(recall_core.__path__, "recall_core."):
        if m.name == "recall_core.app" or m.name.startswith("recall_core.app.") or m.name == "recall_core.__main__":
            continue
        out.append(m.name)
    return out


def test_core_imports_without_streamlit():
    """The issue's acceptance line, and then every core module, with streamlit (and plotly) made unimportable."""
    mods = core_modules()
    assert {"recall_core.data", "recall_core.models", "recall_core.index", "recall_core.evaluation",
            "recall_core.store", "recall_core.training", "recall_core.analysis.eges"} <= set(mods)
    code = ("import sys; sys.modules['streamlit'] = None; sys.modules['plotly'] = None\n"
            "import recall_core.data, recall_core.models, recall_core.index, recall_core.evaluation, "
            "recall_core.store, recall_core.training\n"
            "import importlib\n"
            f"for m in {[m for m in mods if '._tf' not in m]!r}: importlib.import_module(m)\n"
            "print('tensorflow' in sys.modules, 'keras' in sys.modules, 'umap' in sys.modules)\n"
            # the TensorFlow layer (imported inside fit) also needs no streamlit
            f"for m in {[m for m in mods if '._tf' in m]!r}: importlib.import_module(m)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split()[:3] == ["False", "False", "False"], r.stdout  # nor TensorFlow, Keras or umap


def test_only_the_app_package_and_pages_import_streamlit():
    offenders = []
    for path in (ROOT / "recall_core").rglob("*.py"):
        rel = path.relative_to(ROOT / "recall_core")
        if rel.parts[0] == "app":
            continue
        text = path.read_text()
        if "import streamlit" in text or "from streamlit" in text or "import plotly" in text:
            offenders.append(str(rel))
    assert not offenders, offenders


def navigation_pages() -> list[tuple[str, str, bool]]:
    """``(page file, url path, default)`` of every ``st.Page`` in app.py's navigation (read with ast)."""
    import ast

    out = []
    for node in ast.walk(ast.parse((ROOT / "app.py").read_text())):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "Page" and node.args:
            kw = {k.arg: k.value for k in node.keywords}
            path = node.args[0].value
            url = kw["url_path"].value if "url_path" in kw else Path(path).stem
            default = "default" in kw and kw["default"].value is True
            out.append((path, url, default))
    return out


def test_every_url_path_has_its_routing_file_for_a_fresh_server():
    """A deep link as a fresh server's first request is routed by Streamlit's pages/ scan (by file name):
    pages/<url path>.py must exist and hand over to app.py (recall_core/app/routing.py)."""
    pages = navigation_pages()
    assert len(pages) >= 6 and sum(d for _, _, d in pages) == 1
    missing = []
    for path, url, default in pages:
        assert (ROOT / path).is_file(), path
        if default:
            continue  # the root URL runs app.py itself
        shim = ROOT / "pages" / f"{url}.py"
        if not shim.is_file() or "routing.through_app()" not in shim.read_text():
            missing.append(f"pages/{url}.py (for {path})")
    assert not missing, f"add a routing file like pages/items.py: {missing}"
