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
    """``(page file, url path, default)`` of every page of the one page list (recall_core/app/page_list.py)."""
    from recall_core.app.page_list import PAGES

    return [(p.file, p.url, p.default) for p in PAGES]


def test_the_page_list_has_one_home():
    """app.py builds its navigation from recall_core/app/page_list.py (no st.Page written out by hand); the
    screenshots and the browser timings read the same list, and no other file spells out a list of page files."""
    import ast

    from recall_core.app.page_list import PAGES, page

    app = (ROOT / "app.py").read_text()
    calls = [n for n in ast.walk(ast.parse(app)) if isinstance(n, ast.Call) and getattr(n.func, "attr", None) == "Page"]
    assert len(calls) == 1 and not any(isinstance(a, ast.Constant) for a in calls[0].args), \
        "app.py: build every st.Page from page_list.PAGES"
    assert "page_list.PAGES" in app
    # the list itself: unique URLs, files and screenshot names; one default; every file exists
    assert len({p.url for p in PAGES}) == len({p.file for p in PAGES}) == len({p.shot for p in PAGES}) == len(PAGES)
    assert sum(p.default for p in PAGES) == 1 and PAGES[0].default and PAGES[0].path == ""
    assert all((ROOT / p.file).is_file() for p in PAGES)
    assert page("") is page("home") is PAGES[0] and page("maps").file == "pages/maps.py"
    # nothing else lists the pages: two or more page files named in one file outside the list, app.py, the
    # routing files and the pages themselves (per-page data in tests, keyed by file, is allowed)
    files = {p.file for p in PAGES}
    spelled = []
    for path in [*(ROOT / "bench").glob("*.py"), ROOT / "app.py"]:
        named = [f for f in files if f'"{f}"' in path.read_text()]
        if len(named) >= 2:
            spelled.append(f"{path.relative_to(ROOT)}: {sorted(named)}")
    assert not spelled, f"read recall_core.app.page_list.PAGES instead: {spelled}"


def test_the_benches_visit_every_page():
    """The screenshots and the browser timings visit every page of the list (the timings used to leave out
    Serving), at the same URL paths and with the same headings."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import browser_timings
        import screenshots
    finally:
        sys.path.remove(str(ROOT / "bench"))
    from recall_core.app.i18n import text
    from recall_core.app.page_list import PAGES

    shots = screenshots.PAGES
    assert [(path, title, name) for path, title, name in shots] == \
        [(p.path, text("en", p.title_key), p.shot) for p in PAGES]
    assert shots[0] == ("", "Overview", "overview") and ("serving", text("en", "page.serving"), "serving") in shots
    timed = browser_timings.app_pages("50", "13")
    assert [(name, path.split("?")[0], title) for name, path, title in timed] == \
        [(p.name, p.path, text("en", p.title_key)) for p in PAGES]
    assert ("item neighbours", "items?item=50&k=10", text("en", "page.items")) in timed
    assert ("user recall", "users?user=13&k=10", text("en", "page.users")) in timed
    assert ("judge", "judge?judge=bench", text("en", "page.judge")) in timed
    assert ("serving", "serving", text("en", "page.serving")) in timed


def page_file_problems(files: dict[str, str], urls: list[str]) -> list[str]:
    """What breaks the rule "one file per page, named after its URL, handing a fresh server's first request to
    app.py": ``files`` maps each ``pages/*.py`` name to its source, ``urls`` are the page list's URL paths."""
    import ast

    out = [f"pages/{name}: not a page of the list (a page is pages/<url>.py, and nothing else is in pages/)"
           for name in sorted(files) if name.removesuffix(".py") not in urls]
    for url in urls:
        src = files.get(f"{url}.py")
        if src is None:
            out.append(f"pages/{url}.py is missing (the page at /{url})")
            continue
        body = ast.parse(src).body
        i = 1 if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) else 0
        while i < len(body) and isinstance(body[i], (ast.Import, ast.ImportFrom)):
            i += 1
        if i == len(body) or ast.unparse(body[i]) != "routing.through_app()":
            out.append(f"pages/{url}.py: its first statement after the imports must be routing.through_app()")
    return out


def test_every_page_is_one_file_named_after_its_url():
    """A deep link as a fresh server's first request is routed by Streamlit's pages/ scan (by file name): each
    page is pages/<url path>.py, whose first statement hands that request to app.py (recall_core/app/routing.py).
    No page has a second, look-alike file (main had pages/how.py beside pages/how_it_works.py)."""
    pages = navigation_pages()
    assert len(pages) >= 6 and sum(d for _, _, d in pages) == 1
    assert all(path == f"pages/{url}.py" for path, url, _ in pages), pages
    files = {p.name: p.read_text() for p in (ROOT / "pages").glob("*.py")}
    problems = page_file_problems(files, [url for _, url, _ in pages])
    assert not problems, problems


def test_page_file_problems_are_found():
    """The rule's checker on main's layout (a routing file beside a look-alike page file) and on broken pages."""
    shim = '"""routing"""\nfrom recall_core.app import routing\n\nrouting.through_app()\n'
    page = 'import streamlit as st\nfrom recall_core.app import routing\n\nrouting.through_app()\nst.title("x")\n'
    assert page_file_problems({"how.py": page}, ["how"]) == []
    assert page_file_problems({"how.py": shim, "how_it_works.py": page}, ["how"]) == [
        "pages/how_it_works.py: not a page of the list (a page is pages/<url>.py, and nothing else is in pages/)"]
    late = 'import streamlit as st\nst.title("x")\nfrom recall_core.app import routing\nrouting.through_app()\n'
    assert page_file_problems({"how.py": late}, ["how"]) == [
        "pages/how.py: its first statement after the imports must be routing.through_app()"]
    assert page_file_problems({}, ["how"]) == ["pages/how.py is missing (the page at /how)"]


def _imports(path: Path, package: str | None = None) -> list[tuple[str, int]]:
    """``(dotted module name, line)`` of every import in ``path``, inside functions too (read with ast);
    relative imports resolved against ``package`` (the file's package, dotted)."""
    import ast

    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and package:
                parts = package.split(".")
                parts = parts[:len(parts) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            out.append((base, node.lineno))
            out += [(f"{base}.{a.name}", node.lineno) for a in node.names]  # from bench import ablations
    return out


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle of a directed graph, once each (as found by depth-first search), e.g. ``[["a", "b", "a"]]``."""
    cycles, seen_keys = [], set()

    def visit(node: str, stack: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in stack:
                cycle = stack[stack.index(nxt):] + [nxt]
                key = frozenset(cycle)
                if key not in seen_keys:
                    seen_keys.add(key)
                    cycles.append(cycle)
            elif len(stack) < len(graph):
                visit(nxt, [*stack, nxt])

    for start in sorted(graph):
        visit(start, [start])
    return cycles


def test_import_cycles_are_found():
    """The cycle finder on hand-made graphs: a two-module circle, a longer one, and none."""
    assert import_cycles({"a": {"b"}, "b": {"a"}}) == [["a", "b", "a"]]
    assert import_cycles({"run": {"scale"}, "scale": {"common", "ablations"}, "ablations": {"run"}, "common": set()}) \
        == [["ablations", "run", "scale", "ablations"]]
    assert import_cycles({"run": {"common", "scale"}, "scale": {"common"}, "common": set()}) == []


def bench_import_graph() -> dict[str, set[str]]:
    """``{bench module: the bench modules it imports}`` (as ``X``, ``bench.X`` or ``from bench import X``)."""
    names = {p.stem for p in (ROOT / "bench").glob("*.py")}
    graph = {}
    for path in (ROOT / "bench").glob("*.py"):
        targets = set()
        for mod, _ in _imports(path):
            head = mod.split(".")
            if head[0] in names:
                targets.add(head[0])
            elif head[0] == "bench" and len(head) > 1 and head[1] in names:
                targets.add(head[1])
        graph[path.stem] = targets - {path.stem}
    return graph


def test_no_import_cycle_inside_bench():
    """The benchmarks share their helpers through bench/common.py, which imports none of them: no circle such
    as run.py <-> ablations.py (machine, write_block) is left."""
    graph = bench_import_graph()
    assert graph["common"] == set(), graph["common"]
    assert "common" in graph["run"] and "common" in graph["ablations"] and "ablations" in graph["run"]  # read right
    assert import_cycles(graph) == [], import_cycles(graph)


def test_no_import_cycle_between_data_and_store():
    """recall_core.data never imports recall_core.store (the store imports data: a circle otherwise), in any form."""
    graph: dict[str, set[str]] = {"data": set(), "store": set()}
    where: dict[tuple[str, str], str] = {}
    for sub in graph:
        for path in (ROOT / "recall_core" / sub).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            package = ".".join(rel.parts if path.name == "__init__.py" else rel.parts[:-1])
            for mod, line in _imports(path, package.removesuffix(".__init__")):
                parts = mod.split(".")
                if parts[0] == "recall_core" and len(parts) > 1 and parts[1] in graph and parts[1] != sub:
                    graph[sub].add(parts[1])
                    where.setdefault((sub, parts[1]), f"{path.relative_to(ROOT)}:{line}")
    assert "data" in graph["store"], "the store reads data (store_key): this test would not see the circle"
    cycles = import_cycles(graph)
    assert not cycles, f"import cycle {cycles}: data imports store at {where.get(('data', 'store'))}"


def _resolves(ref: str) -> bool:
    """Whether dotted ``ref`` (``recall_core.app.state.page_context``) names a module or an attribute of one."""
    import importlib

    parts = ref.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for name in parts[i:]:
                obj = getattr(obj, name)
        except AttributeError:
            return False
        return True
    return False


def test_resolves_on_known_names():
    assert _resolves("recall_core.app.state.page_context") and _resolves("recall_core.fs")
    assert not _resolves("recall_core.state.page_context") and not _resolves("recall_core.app.state.no_such")


def test_docstrings_name_only_what_exists():
    """Every ``recall_core.…`` a docstring of app.py, pages/ or recall_core/ names is a real module or attribute
    (app.py's named ``recall_core.state.page_context``, which never existed)."""
    import ast
    import re

    bad = []
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "recall_core").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                doc = ast.get_docstring(node) or ""
                for ref in sorted(set(re.findall(r"\brecall_core(?:\.[A-Za-z_]\w*)+", doc))):
                    if not _resolves(ref):
                        bad.append(f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 1)}: {ref}")
    assert not bad, bad


def test_names_say_what_they_hold():
    """Issue 22's names: one picker of each kind, one spelling of l2_normalize, data generators named after what
    they generate, and train_one never rebinds its ``split`` (a string) to a Split."""
    import ast

    defs: dict[str, list[str]] = {}
    for path in (ROOT / "recall_core").rglob("*.py"):
        text = path.read_text()
        assert "l2_normalise" not in text, f"{path.relative_to(ROOT)}: spell it l2_normalize (one name)"
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef):
                defs.setdefault(node.name, []).append(str(path.relative_to(ROOT)))
    assert defs["pick_item"] == ["recall_core/app/widgets.py"] and defs["pick_user"] == ["recall_core/app/widgets.py"]
    assert defs["l2_normalize"] == ["recall_core/models/base.py"]
    data = {p.name for p in (ROOT / "recall_core" / "data").glob("*.py")}
    assert {"movielens_shaped.py", "planted.py"} <= data and not {"synth.py", "synthetic.py"} & data
    train = ast.parse((ROOT / "recall_core" / "training" / "__init__.py").read_text())
    for fn in (n for n in train.body if isinstance(n, ast.FunctionDef)):
        params = {a.arg for a in [*fn.args.args, *fn.args.kwonlyargs]}
        rebound = {t.id for n in ast.walk(fn) if isinstance(n, ast.Assign) for t in n.targets
                   if isinstance(t, ast.Name)} & params & {"split"}  # (store = Path(store): the same thing, typed)
        assert not rebound, f"recall_core/training/__init__.py: {fn.name} rebinds its parameter(s) {sorted(rebound)}"


# --------------------------------------------------------------------------- issue 22 item 6: the store owns its layout

#: the acceptance grep's words: only recall_core/store/ writes them, even in a docstring or a help text
STORE_WORDS = ("models_store", ".transition.json", "manifest.json")
#: the store's file names: no code outside recall_core/store/ spells them (a docstring may describe them)
STORE_FILES = ("arrays.npz", "serving.json", "judgments.sqlite", "studies.sqlite3", ".ease.npz", ".ease.json",
               ".mostpop.json", ".training.json", "umap-")
#: an expression that is a store root or a stored model's folder: a path joined on it is a store path
_ROOTISH = r"(?i)(\bstore\b|_store\b|\bstore_|\.store\b|\bmodel\.path\b|\bversion_dir\b|\blive_dir\(|\bmodel_dir\()"
#: places that still build a store path, each with why it is left and by whom it goes (the test fails when one is
#: gone, so the entry is removed with it)
STORE_PATH_LEFT: dict[str, str] = {}


def store_path_violations(source: str, where: str, words: bool = True) -> list[str]:
    """``where:line: what`` for each place in ``source`` that builds a path inside the model store (``/`` or
    ``os.path.join`` on a store root or a model's folder) or spells a store file name (``words``: also the
    acceptance grep's words, docstrings included)."""
    import ast
    import re

    out = []
    if words:
        for i, line in enumerate(source.splitlines(), 1):
            out += [f"{where}:{i}: names {w!r} (call a recall_core.store function)" for w in STORE_WORDS if w in line]
    tree = ast.parse(source)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    inner = {id(n.left) for n in ast.walk(tree) if isinstance(n, ast.BinOp) and isinstance(n.op, ast.Div)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            out += [f"{where}:{node.lineno}: spells the store file {f!r}" for f in STORE_FILES if f in node.value]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and id(node) not in inner:
            left = node.left
            while isinstance(left, ast.BinOp) and isinstance(left.op, ast.Div):
                left = left.left
            if re.search(_ROOTISH, ast.unparse(left)):
                out.append(f"{where}:{node.lineno}: joins a path on a store folder: {ast.unparse(node)}")
        elif (isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.path.join", "join") and node.args
              and re.search(_ROOTISH, ast.unparse(node.args[0]))):
            out.append(f"{where}:{node.lineno}: joins a path on a store folder: {ast.unparse(node)}")
    return out


def test_store_path_violations_are_found():
    """The checker on planted violations (each a form main had) and on their mended forms."""
    planted = {
        "p = Path(store) / dataset_key / name / MANIFEST\n": "joins a path",
        "print(f'stored in {ctx.store / ds.key}')\n": "joins a path",
        "x = _store(args) / ds.key / args.name\n": "joins a path",
        "os.path.join(store, key)\n": "joins a path",
        "s = Path(model.path) / SIDECAR\n": "joins a path",
        "SIDECAR = 'serving.json'\n": "spells the store file 'serving.json'",
        "def f():\n    '''Kept in ``<store>/<key>/.transition.json``.'''\n": "names '.transition.json'",
        "p.add_argument('--store', help='default ./models_store')\n": "names 'models_store'",
    }
    for source, what in planted.items():
        found = store_path_violations(source, "x.py")
        assert len(found) == 1 and what in found[0], (source, found)
    mended = ("p = manifest_path(store, dataset_key, name)\nprint(dataset_dir(ctx.store, ds.key))\n"
              "def f():\n    '''The sidecar, ``serving.json`` (serving_path).'''\n"
              "n = len(rows) / total\nq = root / 'docs'\n")
    assert store_path_violations(mended, "x.py") == []


def test_only_the_store_knows_its_layout():
    """Nothing outside recall_core/store/ builds a path inside the model store or spells a store file name: not the
    package, the app, the pages nor the benchmarks (which may name ``models_store`` in a usage line)."""
    found: dict[str, list[str]] = {}
    files = [ROOT / "app.py", *(ROOT / "pages").rglob("*.py"), *(ROOT / "recall_core").rglob("*.py"),
             *(ROOT / "bench").rglob("*.py")]
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("recall_core/store/"):
            continue
        if v := store_path_violations(path.read_text(), rel, words=not rel.startswith("bench/")):
            found[rel] = v
    assert set(found) == set(STORE_PATH_LEFT), {k: v for k, v in found.items() if k not in STORE_PATH_LEFT} or (
        f"no longer builds a store path, remove it from STORE_PATH_LEFT: {set(STORE_PATH_LEFT) - set(found)}")


# --------------------------------------------------------------------------- issue 22 item 6: no import circles


def _module_of(dotted: str) -> str | None:
    """The recall_core module a dotted import name loads (``recall_core.store.StoredModel`` -> ``recall_core.store``),
    or None outside recall_core."""
    parts = dotted.split(".")
    if parts[0] != "recall_core":
        return None
    for i in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:i])
        if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file() or base.is_dir():
            return ".".join(parts[:i])
    return None


def recall_core_module_graph() -> dict[str, set[str]]:
    """``{module: modules it imports}`` over recall_core (imports inside functions too; a module's import also
    runs its packages' ``__init__``, so those count as imported). Namespace folders (no ``__init__``) are no
    modules."""
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "recall_core").rglob("*.py"):
        rel = path.relative_to(ROOT).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for dotted, _ in _imports(path, package):
            mod = _module_of(dotted)
            while mod and mod != "recall_core":
                base = ROOT.joinpath(*mod.split("."))
                if base.with_suffix(".py").is_file() or (base / "__init__.py").is_file():
                    targets.add(mod)
                mod = mod.rpartition(".")[0]
        own = {name.rsplit(".", i)[0] for i in range(1, name.count("."))}  # its packages: already running
        graph[name] = targets - {name} - own
    return graph


def subpackage_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """``graph`` with each module replaced by its top-level part of recall_core (``recall_core.store.locks`` ->
    ``store``; ``recall_core.fs`` -> ``fs``), except modules that import nothing of recall_core: those keep their
    own node (``tuning.space``, a vocabulary the models import), since they can close no circle."""
    def node(m: str) -> str:
        if graph.get(m):
            return m.split(".")[1]
        package = (ROOT.joinpath(*m.split(".")) / "__init__.py").is_file()
        return m.removeprefix("recall_core.") + ("/__init__" if package else "")  # never a subpackage's name

    out: dict[str, set[str]] = {}
    for m, targets in graph.items():
        out.setdefault(node(m), set()).update(node(t) for t in targets)
    return {k: v - {k} for k, v in out.items()}


def test_no_import_cycle_between_recall_core_subpackages():
    """No circle of imports between recall_core's subpackages and top modules (data, store, models, training,
    analysis, explore, ...): each concern sits above the ones it uses. (Counted as part of its package, a leaf
    module such as tuning.space would make models -> tuning -> ... -> models look like a circle; it is none.)"""
    graph = subpackage_graph(recall_core_module_graph())
    assert {"data", "store", "models", "evaluation", "app", "tuning.space"} <= set(graph)
    assert "store" in graph["training"] and "tuning.space" in graph["models"]  # read right
    assert import_cycles(graph) == [], import_cycles(graph)


def _inside(graph: dict[str, set[str]], package: str) -> dict[str, set[str]]:
    return {m: {t for t in ts if t.startswith(package + ".")} for m, ts in graph.items()
            if m.startswith(package + ".")}


def test_no_import_cycle_inside_the_app_or_the_data():
    """No circle between the modules of recall_core/app (main had datasets -> widgets -> state -> datasets, and
    i18n <-> url) nor of recall_core/data (main had dataset <-> generic and movielens <-> generic)."""
    graph = recall_core_module_graph()
    app = _inside(graph, "recall_core.app")
    assert {"recall_core.app.i18n", "recall_core.app.state"} <= app["recall_core.app.widgets"]  # read right
    assert import_cycles(app) == [], import_cycles(app)
    data = _inside(graph, "recall_core.data")
    assert {"recall_core.data.generic", "recall_core.data.movielens"} <= data["recall_core.data.folders"]
    assert import_cycles(data) == [], import_cycles(data)


def test_the_cycle_graphs_see_planted_circles():
    """The graphs above on planted edges: a store module importing the training, an app module importing back."""
    graph = recall_core_module_graph()
    planted = {**graph, "recall_core.store.locks": graph["recall_core.store.locks"] | {"recall_core.training"}}
    assert import_cycles(subpackage_graph(planted)), "store -> training -> store not seen"
    planted = {**graph, "recall_core.app.i18n": graph["recall_core.app.i18n"] | {"recall_core.app.url"}}
    assert ["recall_core.app.i18n", "recall_core.app.url", "recall_core.app.i18n"] in import_cycles(
        _inside(planted, "recall_core.app"))
    planted = {**graph, "recall_core.data.movielens": graph["recall_core.data.movielens"] | {"recall_core.data.generic"}}
    assert ["recall_core.data.movielens", "recall_core.data.generic", "recall_core.data.movielens"] in import_cycles(
        _inside(planted, "recall_core.data"))
