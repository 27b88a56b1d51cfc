"""Time-to-settled of every page in headless Chromium, beside a floor page served the same way.

``python bench/browser_timings.py [--store DIR] [--dataset ml-100k | FOLDER] [--rounds 3] [--json]``

On ML-100K the pages open on Star Wars (item 50) and user 13; on any other dataset (a MovieLens or synth folder)
on its most-rated movie and its first user, and the pickers are driven with titles of that catalogue
(:func:`targets`). Above ``widgets.SEARCH_ABOVE`` movies the pickers are a server-side search box: the
interaction types into it.

**Settled**, precisely. A script installed in every document before the page's own (``add_init_script``)
checks the page every 50 ms. The page is *calm* when all of these hold:

* ``[data-testid="stApp"]`` has ``data-test-script-state="notRunning"`` (Streamlit's own run state: the
  script has finished and no rerun is pending);
* there is no ``[data-testid="stSkeleton"]`` (an element still loading), no ``[data-testid="stSpinner"]``,
  no ``[data-testid="stStatusWidget"]`` (the running indicator) and no ``[data-stale="true"]`` element (left
  over from the previous run);
* the page's title (its ``h1``) is shown;
* every visible ``[data-testid="stPlotlyChart"]`` has drawn its SVG (``.main-svg``) and every visible
  ``[data-testid="stDataFrame"]`` its canvas (visible: ``Element.checkVisibility()``; an element in a closed
  expander or an inactive tab is not drawn until it is opened, and is not waited for).

Any DOM mutation (a MutationObserver on the document) or a change of that state counts as a *change*.
The page has **settled** at the last change after which it stays calm, with no change, for ``QUIET``
(0.5 s). Time-to-settled is that moment minus the start: the navigation start of the document for a page
load (``performance.now()`` is 0 there: the request, the JavaScript bundle, the websocket session, the
script run and the rendering are all in it), or the last key press or pointer press for an interaction
(typing Enter in a picker, a click on a radio). The quiet period itself is not counted.

**Protocol** (one fresh server for the app, one for the floor page, same flags, same machine, one
Chromium):

1. The app's very first request is a deep link (``/items?item=50&k=10`` on ML-100K); the page must show
   its title and no "Page not found".
2. One warm-up visit of every page (the server loads models and reads cached maps once per process).
3. ``rounds`` rounds over the floor page and every page, each opened twice: as a **new visitor** (a fresh
   browser context: empty cache, a new renderer; what a shared link costs) and **in the app** (the same
   tab, the app already loaded, warm cache). Medians are reported.
4. Interactions, each ``rounds`` times on a settled page: change K, pick another movie or user, move τ.
5. Concurrency: five new visitors open five different pages at the same moment; each one's time is
   compared with its time alone (target: within 2x), and every page must be free of error boxes and
   exceptions. Five new visitors on the floor page, at once, give the machine's own factor (the five
   browsers share this machine's cores with the server); the CPU seconds of the server and of Chromium
   during each run show where the time went.

Targets (the issue): page ≤ floor + 1.5 s; interaction ≤ 1 s.
"""
from __future__ import annotations

import argparse
import asyncio
import re
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))

from screenshots import (  # noqa: E402
    CHROMIUM_ARGS, FORBIDDEN, SERVERS, STARTED, chromium_path, require_cjk_font, serve, title,
)
from recall_core.app import page_list  # noqa: E402  (the pages measured)
from recall_core.app.i18n import text  # noqa: E402

QUIET = 0.5  # seconds without a change that make a calm page settled
PAGE_TARGET = 1.5  # seconds over the floor
INTERACTION_TARGET = 1.0
CONCURRENT_FACTOR = 2.0

SETTLE_JS = """
(() => {
  const S = window.__settle = {lastChange: performance.now(), lastInput: null, calm: false, sig: "",
                               runStart: null, runEnd: null, running: false};
  const visible = (e) => e.checkVisibility({contentVisibilityAuto: true, opacityProperty: true,
                                            visibilityProperty: true});  // not in a closed expander or tab
  const state = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return "no app";
    const run = app.getAttribute("data-test-script-state");
    if (run !== "notRunning") return "run " + run;
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"], '
        + '[data-testid="stStatusWidget"], [data-stale="true"]')) return "busy";
    const h1 = document.querySelector('h1');
    if (!h1 || (S.title && !h1.innerText.includes(S.title))) return "no title";
    const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].filter(visible);
    if (charts.some(c => !c.querySelector('.main-svg'))) return "charts drawing";
    const tables = [...document.querySelectorAll('[data-testid="stDataFrame"]')].filter(visible);
    if (tables.some(t => !t.querySelector('canvas'))) return "tables drawing";
    return "calm " + document.querySelectorAll('[data-testid="stElementContainer"]').length + " "
      + charts.length + " " + tables.length;
  };
  const tick = () => {
    const s = state();
    if (s !== S.sig) { S.sig = s; S.lastChange = performance.now(); }
    S.calm = s.startsWith("calm");
  };
  const runState = () => {  // when the script run starts and ends, as the browser sees it (for the breakdown)
    const app = document.querySelector('[data-testid="stApp"]');
    const running = !!app && app.getAttribute("data-test-script-state") === "running";
    if (running && !S.running && S.runStart === null) S.runStart = performance.now();
    if (!running && S.running) S.runEnd = performance.now();
    S.running = running;
  };
  const start = () => {
    new MutationObserver(() => { S.lastChange = performance.now(); runState(); })
      .observe(document.documentElement, {subtree: true, childList: true, attributes: true, characterData: true});
    setInterval(tick, 50);
  };
  for (const ev of ["keydown", "pointerdown"]) {
    window.addEventListener(ev, () => { S.lastInput = performance.now(); }, true);
  }
  if (document.documentElement) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""


async def settled(page, title: str | None, since: float | None = None, timeout: float = 120.0) -> float:
    """Seconds from ``since`` (ms of ``performance.now()``; None = the navigation start) to settled."""
    await page.evaluate("(t) => { window.__settle.title = t; }", title or "")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = await page.evaluate("() => { const S = window.__settle; return {calm: S.calm, last: S.lastChange, "
                                "now: performance.now(), sig: S.sig}; }")
        started = since is None or s["last"] > since
        if not started and s["now"] - since > 15_000:
            raise RuntimeError(f"{page.url}: the interaction changed nothing on the page in 15 s")
        if s["calm"] and started and s["now"] - s["last"] >= QUIET * 1000:
            return (s["last"] - (since or 0.0)) / 1000
        await asyncio.sleep(0.1)
    raise TimeoutError(f"{page.url}: not settled after {timeout:.0f} s (state {s['sig']!r})")


async def problems(page) -> list[str]:
    found = []
    n = await page.locator('[data-testid="stException"]').count()
    if n:
        found.append(f"{n} exception box(es)")
    errors = page.locator('[data-testid="stAlertContentError"]')
    for i in range(await errors.count()):
        found.append("error box: " + (await errors.nth(i).inner_text())[:200])
    text = await page.locator("body").inner_text()
    found += [f"page text contains {t!r}" for t in FORBIDDEN if t in text]
    return found


async def open_page(page, url: str, title: str) -> float:
    await page.goto(url, wait_until="commit")
    return await settled(page, title)


async def profile_page(page, url: str, title: str) -> dict:
    """One page load with where its time goes: ``connect`` (navigation start to the script run's start, as the
    browser sees it: HTML, JavaScript bundle, websocket session), ``run`` (the run: the server's script and the
    elements streamed and drawn meanwhile), ``tail`` (drawing after the run ended, to settled), the websocket
    bytes received, and the renderer's main-thread busy seconds (CDP ``Performance`` TaskDuration, of which
    JavaScript ``ScriptDuration`` and ``LayoutDuration``)."""
    cdp = await page.context.new_cdp_session(page)
    received = [0]

    def on_frame(ev):
        data = ev["response"]["payloadData"]
        received[0] += len(data) * 3 // 4 if ev["response"].get("opcode") == 2 else len(data.encode())

    cdp.on("Network.webSocketFrameReceived", on_frame)
    await cdp.send("Network.enable")
    await cdp.send("Performance.enable")
    before = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    total = await open_page(page, url, title)
    after = {m["name"]: m["value"] for m in (await cdp.send("Performance.getMetrics"))["metrics"]}
    s = await page.evaluate("() => window.__settle")
    await cdp.detach()
    busy = {k: after.get(k, 0) - before.get(k, 0) for k in ("TaskDuration", "ScriptDuration", "LayoutDuration",
                                                               "RecalcStyleDuration")}
    start, end = (s["runStart"] or 0) / 1000, (s["runEnd"] or 0) / 1000
    return {"settled": total, "connect": start, "run": end - start, "tail": total - end,
            "ws_kb": received[0] / 1024, **{k: round(v, 3) for k, v in busy.items()}}


async def last_input(page) -> float:
    return await page.evaluate("() => window.__settle.lastInput")


async def pick(page, label: str, text: str) -> None:
    """Type ``text`` into the picker labelled ``label`` and press Enter (the first match is chosen).

    A big catalogue's picker is a search box (``Search N movies`` / ``users``) beside a selectbox of matches:
    the text goes into the search box, where Enter chooses the best match on the server."""
    # Only the picker's text box ("Search 9,702 movies"), not other "Search" buttons (a table's toolbar has one).
    search = page.get_by_role("textbox", name=re.compile(r"^Search [\d,]+ "))
    if await search.count():
        box = search.first
        await box.fill("")
        await box.click()
        await page.keyboard.type(text, delay=20)
        await page.keyboard.press("Enter")
        return
    box = page.get_by_label(label, exact=True).first
    await box.click()
    await page.keyboard.type(text, delay=20)
    await page.wait_for_timeout(300)
    await page.keyboard.press("Enter")


def targets(dataset: str) -> dict:
    """What the pages open on and what the pickers are driven with: ``item``, ``user`` (ids in the deep links),
    ``item_queries`` and ``user_queries`` (two texts each, alternated between rounds). ML-100K keeps Star Wars /
    Toy Story and users 13 / 14; another dataset uses its most-rated movie, the titles of its 2nd and 3rd
    most-rated movies, and its first three users."""
    if dataset == "ml-100k":
        return {"item": "50", "user": "13", "item_queries": ["Toy Story", "Star Wars"],
                "user_queries": ["user 14", "user 13"]}
    import re

    from recall_core.analysis.catalogue import item_choices
    from recall_core.data import load_dataset

    ds = load_dataset(dataset)
    ids, labels = item_choices(ds)
    titles = [re.sub(r" \(\d{4}\)$", "", labels[i].split(" · ")[0]) for i in ids[1:3]]
    users = ds.user_vocab.ids.tolist()[:3]
    return {"item": ids[0], "user": users[0], "item_queries": titles,
            "user_queries": [f"user {users[1]}", f"user {users[0]}"]}


async def set_number(page, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True).first
    await box.fill(str(value))
    await box.press("Enter")


async def maps_neighbours(page, i: int) -> None:
    """The Maps page's K (``Neighbours``) to 20, then 10, ...; the close-ups are drawn on demand, so the first round
    turns them on first and waits until the page has settled (not counted: the round times the K change only)."""
    box = page.get_by_label("Neighbours", exact=True)
    if not await box.count():
        await page.locator(".st-key-maps_closeups label").first.click()  # the toggle (keyed: any dataset's nouns)
        await page.wait_for_timeout(50)
        await settled(page, None, since=await last_input(page))
    await set_number(page, "Neighbours", [20, 10][i % 2])


async def click_radio(page, label: str) -> None:
    await page.get_by_text(label, exact=True).first.click()


async def slider_left(page) -> None:
    thumb = page.get_by_role("slider").first
    await thumb.focus()
    await thumb.press("ArrowLeft")


#: The query each page is opened with (``{item}``/``{user}``: the dataset's targets); other pages open bare.
#: items/users: the deep links a shared URL carries; how: its first model's section (item2vec on a full store);
#: judge: a judge's first probe (opening it makes the default probe set).
QUERIES = {"items": "item={item}&k=10", "users": "user={user}&k=10", "judge": "judge=bench"}


def app_pages(item: str, user: str) -> list[tuple[str, str, str]]:
    """``(name, url path with query, h1)`` of every page of the app's page list (recall_core/app/page_list.py)."""
    out = []
    for p in page_list.PAGES:
        query = QUERIES.get(p.url, "").format(item=item, user=user)
        out.append((p.name, p.path + (f"?{query}" if query else ""), title(p.path)))
    return out


#: How many sessions open pages at the same moment (the pages after the Overview, in app_pages' order).
CONCURRENT = 5


def interactions(item_queries, user_queries):
    """``(page name, what, action(page) coroutine, rounds alternate between two values)``.

    ``item_queries`` / ``user_queries``: two texts each (a str: that one, then ML-100K's Star Wars / user 13)."""
    if isinstance(item_queries, str):
        item_queries = [item_queries, "Star Wars"]
    if isinstance(user_queries, str):
        user_queries = [user_queries, "user 13"]
    return [
        ("overview", "K 10 -> 20", lambda p, i: click_radio(p, ["20", "10"][i % 2])),
        ("item neighbours", "K 10 -> 20", lambda p, i: set_number(p, "K", [20, 10][i % 2])),
        ("item neighbours", "pick another movie",
         lambda p, i: pick(p, text("en", "widgets.pick_item"), item_queries[i % 2])),
        ("user recall", "K 10 -> 20", lambda p, i: set_number(p, "K", [20, 10][i % 2])),
        ("user recall", "pick another user", lambda p, i: pick(p, "User", user_queries[i % 2])),
        ("EGES attention", "pick another movie",
         lambda p, i: pick(p, text("en", "widgets.pick_item"), item_queries[i % 2])),
        ("DSSM temperature", "τ one step", lambda p, i: slider_left(p)),
        ("embedding maps", "neighbours 10 -> 20", maps_neighbours),
    ]


async def new_visitor(browser, url: str, title: str) -> tuple[float, list[str]]:
    """Open ``url`` in a fresh browser context (empty cache, new renderer): a new visitor's first load."""
    ctx = await browser.new_context(viewport={"width": 1600, "height": 1000})
    await ctx.add_init_script(SETTLE_JS)
    try:
        page = await ctx.new_page()
        t = await open_page(page, url, title)
        return t, await problems(page)
    finally:
        await ctx.close()


def _cpu(pids) -> float:
    """CPU seconds (user + system) used so far by ``pids`` (Linux /proc; 0 for a process that is gone)."""
    import os

    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            continue
    return total / tick


def _descendants(root: int) -> set[int]:
    """Process ids below ``root`` (here: the Playwright driver and its Chromium processes)."""
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


async def at_once(browser, targets: list[tuple[str, str, str]], server_pids=()) -> dict:
    """Open ``targets`` (``(name, url, title)``) in fresh contexts at the same moment: their times and problems,
    and the CPU seconds the servers and the browser processes used meanwhile, all on this machine's cores
    (read from /proc every 0.25 s: the last moments of a renderer that exits are missed)."""
    import os

    servers = set(server_pids)
    seen: dict[int, tuple[float, float]] = {}  # pid: (CPU when first seen, CPU last seen)

    def sample():
        for pid in _descendants(os.getpid()) - servers:
            c = _cpu([pid])
            seen[pid] = (seen[pid][0] if pid in seen else c, c)

    sample()
    start = {pid: first for pid, (first, _) in seen.items()}
    cpu0, t0 = _cpu(servers), time.monotonic()
    task = asyncio.gather(*(new_visitor(browser, url, title) for _, url, title in targets))
    while not task.done():
        sample()
        await asyncio.sleep(0.25)
    res = await task
    sample()
    browser_cpu = sum(last - start.get(pid, 0.0) for pid, (_, last) in seen.items())
    return {"sessions": [{"page": n, "seconds": t, "problems": pr} for (n, _, _), (t, pr) in zip(targets, res)],
            "wall_s": time.monotonic() - t0, "server_cpu_s": _cpu(servers) - cpu0, "browser_cpu_s": browser_cpu}


async def _measure(app_url: str, floor_url: str, rounds: int, item: str, user: str, item_query: str,
                   user_query: str, concurrent: bool = True, server_pids=()) -> dict:
    from playwright.async_api import async_playwright

    pages = app_pages(item, user)
    out: dict = {"quiet_s": QUIET, "rounds": rounds, "pages": {}, "interactions": [], "concurrent": {}}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = await browser.new_context(viewport={"width": 1600, "height": 1000})
            await ctx.add_init_script(SETTLE_JS)
            page = await ctx.new_page()
            # 1. The deep link as the very first request of the fresh server.
            first = await open_page(page, f"{app_url}/{pages[1][1]}", pages[1][2])
            out["first_request"] = {"url": f"/{pages[1][1]}", "seconds": first, "problems": await problems(page)}
            # 2. Warm-up of every page, then 3. the measured rounds: a new visitor (fresh context) and a
            # page opened in a browser that has the app loaded (same tab, warm cache).
            targets = [("floor", floor_url, "Floor"), *((n, f"{app_url}/{p}", t) for n, p, t in pages)]
            for _, url, title in targets:
                await open_page(page, url, title)
            visitor: dict[str, list[float]] = {n: [] for n, _, _ in targets}
            in_app: dict[str, list[float]] = {n: [] for n, _, _ in targets}
            for _ in range(rounds):
                for name, url, title in targets:
                    t, probs = await new_visitor(browser, url, title)
                    visitor[name].append(t)
                    in_app[name].append(await open_page(page, url, title))
                    if probs := probs + await problems(page):
                        out.setdefault("problems", {})[name] = probs
            for name in visitor:
                entry = {"median": statistics.median(visitor[name]), "all": visitor[name],
                         "in_app": statistics.median(in_app[name]), "in_app_all": in_app[name]}
                if name == "floor":
                    out["floor"] = entry
                else:
                    out["pages"][name] = entry
            # Floor interaction, for reference.
            await open_page(page, floor_url, "Floor")
            f_int = []
            for i in range(rounds):
                await click_radio(page, ["20", "10"][i % 2])
                await page.wait_for_timeout(50)
                f_int.append(await settled(page, "Floor", since=await last_input(page)))
            out["floor"]["interaction"] = statistics.median(f_int)
            # 4. Interactions.
            by_name = {name: (path, title) for name, path, title in pages}
            for name, what, act in interactions(item_query, user_query):
                path, title = by_name[name]
                await open_page(page, f"{app_url}/{path}", title)
                ts = []
                for i in range(rounds):
                    await act(page, i)
                    await page.wait_for_timeout(50)
                    ts.append(await settled(page, title, since=await last_input(page)))
                out["interactions"].append({"page": name, "interaction": what, "median": statistics.median(ts),
                                            "all": ts, "problems": await problems(page)})
            await ctx.close()
            # 5. Five sessions at once (new visitors), and five floor pages at once: the machine's own factor.
            if concurrent:
                app = await at_once(browser, [(n, f"{app_url}/{p}", t) for n, p, t in pages[1:1 + CONCURRENT]],
                                    server_pids)
                for r in app["sessions"]:
                    r["single"] = out["pages"][r["page"]]["median"]
                    r["ratio"] = r["seconds"] / r["single"]
                floor = await at_once(browser, [("floor", floor_url, "Floor")] * 5, server_pids)
                for r in floor["sessions"]:
                    r["single"] = out["floor"]["median"]
                    r["ratio"] = r["seconds"] / r["single"]
                out["concurrent"] = {"app": app, "floor": floor}
        finally:
            await browser.close()
    return out


async def five_sessions(browser, app_url: str, pages) -> list[dict]:
    """Open five pages (``(name, url path, title)``) in five fresh contexts at the same moment."""
    return (await at_once(browser, [(n, f"{app_url}/{p}", t) for n, p, t in pages]))["sessions"]


async def _profile(app_url: str, floor_url: str, rounds: int, item: str, user: str, only=None) -> dict:
    """Median breakdown (:func:`profile_page`) per page after a warm-up visit; the floor page beside them."""
    from playwright.async_api import async_playwright

    pages = [("floor", None, "Floor"), *(p for p in app_pages(item, user) if not only or p[0] in only)]
    out = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = await browser.new_context(viewport={"width": 1600, "height": 1000})
            await ctx.add_init_script(SETTLE_JS)
            page = await ctx.new_page()
            for name, path, title in pages:
                url = floor_url if path is None else f"{app_url}/{path}"
                await open_page(page, url, title)
                runs = [await profile_page(page, url, title) for _ in range(rounds)]
                out[name] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        finally:
            await browser.close()
    return out


def profile(store: Path | str, dataset: str = "ml-100k", rounds: int = 3, item: str | None = None,
            user: str | None = None, pages: list[str] | None = None) -> dict:
    """:func:`_profile` (``pages``: only these page names, and the floor)."""
    require_cjk_font()
    t = targets(dataset)
    item, user = item or t["item"], user or t["user"]
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    env = {"RECALL_STORE": str(Path(store).resolve()), "RECALL_DATASET": dataset}
    with serve(env) as app_url, serve(script="bench/floor_app.py") as floor_url:
        return asyncio.run(_profile(app_url, floor_url, rounds, item, user, pages))


def concurrent_sessions(app_url: str, pages: list[tuple[str, str, str]]) -> list[dict]:
    """Synchronous :func:`five_sessions` with a browser of its own (for the browser check)."""
    from playwright.async_api import async_playwright

    async def run():
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            try:
                return await five_sessions(browser, app_url, pages)
            finally:
                await browser.close()

    return asyncio.run(run())


def measure(store: Path | str, dataset: str = "ml-100k", rounds: int = 3, item: str | None = None,
            user: str | None = None, item_query=None, user_query=None, concurrent: bool = True) -> dict:
    """Serve the app and the floor page, drive them (see the module docstring), return the timings.

    ``item``, ``user``, ``item_query``, ``user_query``: by default from :func:`targets` of ``dataset``."""
    if chromium_path() is None:
        raise FileNotFoundError("chromium not found (apt-get install -y chromium)")
    require_cjk_font()  # Chromium renders for the project only with a CJK font (fonts-noto-cjk)
    t = targets(dataset)
    item, user = item or t["item"], user or t["user"]
    item_query, user_query = item_query or t["item_queries"], user_query or t["user_queries"]
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    env = {"RECALL_STORE": str(Path(store).resolve()), "RECALL_DATASET": dataset}
    with serve(env) as app_url, serve(script="bench/floor_app.py") as floor_url:
        pids = (SERVERS[app_url], SERVERS[floor_url])
        return asyncio.run(_measure(app_url, floor_url, rounds, item, user, item_query, user_query, concurrent, pids))


def map_files(store: Path | str) -> dict[str, int]:
    """Every kept map under ``store`` (path -> mtime in ns): what a visit computed shows as a new entry."""
    from recall_core.store import map_files as kept_maps

    return {str(p): p.stat().st_mtime_ns for p in kept_maps(store)}


async def _first_maps(app_url: str, warm: bool) -> dict:
    from playwright.async_api import async_playwright

    name, path, title = next(p for p in app_pages("", "") if p[1] == "maps")
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            if warm:  # someone opened the Overview first: the server has read the dataset and the store's list
                await new_visitor(browser, f"{app_url}/", "Overview")
            t, probs = await new_visitor(browser, f"{app_url}/{path}", title)
        finally:
            await browser.close()
    return {"page": name, "url": f"/{path}", "seconds": t, "problems": probs}


async def _floor_visits(floor_url: str, rounds: int) -> list[float]:
    """``rounds`` new visitors of the floor page, after one warm-up visit."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            return [(await new_visitor(browser, floor_url, "Floor"))[0] for _ in range(rounds + 1)][1:]
        finally:
            await browser.close()


def _files(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder`` (relative path -> (size, mtime in ns)): what a visit wrote shows as a change."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def first_maps_visit(store: Path | str, dataset: str = "ml-100k", rounds: int = 3) -> dict:
    """The first visitor of the Maps page on a store that no app has opened, in two cases, ``rounds`` times each:
    ``cold``, ``/maps`` is a fresh server's very first request; ``warm``, one new visitor opened the Overview
    first, then the first visitor of ``/maps``. Every visit gets its own fresh server, a new browser context and
    its own copy of ``store`` (copied before any server opens it: each visit meets a never-opened store). The
    floor page: ``rounds`` new visitors after one warm-up, on its own server.

    Per case: ``seconds_all`` and their median ``seconds``; ``over_floor`` is the median minus the floor's median.
    ``computed_on_visit``: the maps the visits had to compute (0 when ``train`` kept them: issue 22);
    ``files_written``: ``"<case>: <file>"`` for each file of a store copy that a visit created or changed (none:
    the visits only read)."""
    import shutil
    import tempfile

    if chromium_path() is None:
        raise FileNotFoundError("chromium not found (apt-get install -y chromium)")
    store = Path(store).resolve()
    pristine = _files(store)
    out: dict = {"maps_kept_by_train": len(map_files(store)), "computed_on_visit": 0, "files_written": []}
    (ROOT / ".bench").mkdir(exist_ok=True)
    for case in ("cold", "warm"):
        runs = []
        for _ in range(rounds):
            with tempfile.TemporaryDirectory(prefix="first-maps-", dir=ROOT / ".bench") as tmp:
                copy = Path(tmp) / "store"
                shutil.copytree(store, copy)
                before = map_files(copy)
                with serve({"RECALL_STORE": str(copy), "RECALL_DATASET": dataset}) as app_url:
                    runs.append(asyncio.run(_first_maps(app_url, warm=case == "warm")))
                    runs[-1]["start"] = STARTED[app_url]
                after = map_files(copy)
                out["computed_on_visit"] += sum(1 for p, t in after.items() if before.get(p) != t)
                now = _files(copy)
                out["files_written"] += sorted({f"{case}: {f}" for f, st in now.items() if pristine.get(f) != st}
                                               - set(out["files_written"]))
        secs = [r["seconds"] for r in runs]
        out[case] = {"page": runs[0]["page"], "url": runs[0]["url"], "seconds_all": secs,
                     "start_all": [r["start"] for r in runs],
                     "seconds": statistics.median(secs),
                     "problems": sorted({p for r in runs for p in r["problems"]})}
    with serve(script="bench/floor_app.py") as floor_url:
        out["floor_all"] = asyncio.run(_floor_visits(floor_url, rounds))
    out["plain_start_all"] = []  # plain `streamlit run app.py` (no start-up imports): how long it takes to answer
    for _ in range(rounds):
        with serve({"RECALL_STORE": str(store), "RECALL_DATASET": dataset}, launcher=False) as plain_url:
            out["plain_start_all"].append(STARTED[plain_url])
    floor = statistics.median(out["floor_all"])
    for case in ("cold", "warm"):
        r = out[case]
        r["floor"] = floor
        r["over_floor"] = r["seconds"] - floor
        r["met"] = r["over_floor"] <= PAGE_TARGET
    return out


def first_maps_lines(res: dict, command: str) -> list[str]:
    """The never-opened store's rows for BENCHMARKS.md: median (range) of the visits, each on a fresh server."""
    fl = res["floor_all"]
    lines = [f"| case | first visitor of `/maps` s, median (range) of {len(res['cold']['seconds_all'])} fresh "
             f"servers | floor s, median (range) of {len(fl)} new visitors | over the floor s, median (worst) | "
             f"target ≤ floor + {PAGE_TARGET:g} s | problems |", "|---|---|---|---|---|---|"]
    what = {"cold": "a fresh server's very first request (it also imports the app, reads the dataset and the models)",
            "warm": "a fresh server after one visitor opened the Overview"}
    for case in ("cold", "warm"):
        r = res[case]
        s = r["seconds_all"]
        lines.append(f"| {what[case]} | {r['seconds']:.2f} ({min(s):.2f}–{max(s):.2f}) | {r['floor']:.2f} "
                     f"({min(fl):.2f}–{max(fl):.2f}) | {r['over_floor']:+.2f} ({max(s) - r['floor']:+.2f}) | "
                     f"{'met' if r['met'] else 'NOT met'} | {'; '.join(r['problems']) or 'none'} |")
    starts = res["cold"]["start_all"] + res["warm"]["start_all"]
    plain = res.get("plain_start_all") or []
    lines += ["", f"Each app server was started as `make run` starts it (`python -m recall_core.app.serve`: "
                  f"`streamlit run app.py` plus a thread importing the libraries every page needs) and visited as "
                  f"soon as it answered: {statistics.median(starts):.2f} s from its start "
                  f"({min(starts):.2f}–{max(starts):.2f}, {len(starts)} starts)"
                  + (f"; plain `streamlit run app.py` answered after {statistics.median(plain):.2f} s "
                     f"({min(plain):.2f}–{max(plain):.2f}, {len(plain)} starts)" if plain else "")
                  + ". The cold row is therefore a visitor arriving at once."]
    return lines + ["", f"Maps kept by `train` in the store: {res['maps_kept_by_train']}; maps the visits computed: "
                        f"{res['computed_on_visit']}; store files the visits wrote: "
                        f"{', '.join(f'`{f}`' for f in res['files_written']) or 'none'} (each visit had its own copy "
                        f"of the freshly trained store). Command: `{command}`."]


def interactions_only(store: Path | str, dataset: str, page_name: str, rounds: int = 3) -> dict:
    """Only ``page_name``'s interactions (a short check): ``{what: {"median", "all"}}`` seconds to settled."""
    t = targets(dataset)
    env = {"RECALL_STORE": str(Path(store).resolve()), "RECALL_DATASET": dataset}

    async def run(app_url):
        from playwright.async_api import async_playwright

        by_name = {n: (p, title) for n, p, title in app_pages(t["item"], t["user"])}
        path, title = by_name[page_name]
        out = {}
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
            try:
                ctx = await browser.new_context(viewport={"width": 1600, "height": 1000})
                await ctx.add_init_script(SETTLE_JS)
                page = await ctx.new_page()
                out["first visit"] = await open_page(page, f"{app_url}/{path}", title)
                out["warm visit"] = await open_page(page, f"{app_url}/{path}", title)
                for name, what, act in interactions(t["item_queries"], t["user_queries"]):
                    if name != page_name:
                        continue
                    ts = []
                    for i in range(rounds):
                        await act(page, i)
                        await page.wait_for_timeout(50)
                        ts.append(await settled(page, title, since=await last_input(page)))
                    out[what] = {"median": statistics.median(ts), "all": ts, "problems": await problems(page)}
            finally:
                await browser.close()
        return out

    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    with serve(env) as app_url:
        return asyncio.run(run(app_url))


def table_lines(res: dict, page_target: float = PAGE_TARGET) -> list[str]:
    """Markdown tables for BENCHMARKS.md (``page_target``: seconds over the floor a page may take)."""
    f, fa = res["floor"]["median"], res["floor"]["in_app"]
    ok = lambda m, floor: "yes" if m <= floor + page_target else "no"  # noqa: E731
    lines = ["| page | new visitor s | over the floor s | ratio | target | in the app s | over the floor s | ratio | target |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| floor page (one table, one chart) | {f:.2f} | - | 1.00 | - | {fa:.2f} | - | 1.00 | - |"]
    for name, t in res["pages"].items():
        m, a = t["median"], t["in_app"]
        lines.append(f"| {name} | {m:.2f} | {m - f:+.2f} | {m / f:.2f} | {ok(m, f)} | "
                     f"{a:.2f} | {a - fa:+.2f} | {a / fa:.2f} | {ok(a, fa)} |")
    lines += ["", "*New visitor*: the page opened in a fresh browser context (empty cache, a new renderer), as a "
              "shared link is. *In the app*: the page opened again in a tab that has the app loaded (warm "
              f"cache). Target: the floor + {page_target:g} s.",
              "", "| page | interaction | settled s (median) | target ≤ 1 s |", "|---|---|---|---|",
              f"| floor page | K 10 -> 20 | {res['floor']['interaction']:.2f} | - |"]
    for r in res["interactions"]:
        lines.append(f"| {r['page']} | {r['interaction']} | {r['median']:.2f} | "
                     f"{'yes' if r['median'] <= INTERACTION_TARGET else 'no'} |")
    conc = res.get("concurrent") or {}
    if conc:
        app, floor = conc["app"], conc["floor"]
        floor_ratio = statistics.median(r["ratio"] for r in floor["sessions"])
        lines += ["", "Five new visitors at the same moment, one per page (and, as the machine's own factor, five on "
                  "the floor page):", "",
                  "| page | settled s | alone s | ratio | target ≤ 2x | ratio / the floor's | problems |",
                  "|---|---|---|---|---|---|---|"]
        for r in app["sessions"]:
            lines.append(f"| {r['page']} | {r['seconds']:.2f} | {r['single']:.2f} | {r['ratio']:.2f} | "
                         f"{'yes' if r['ratio'] <= CONCURRENT_FACTOR else 'no'} | {r['ratio'] / floor_ratio:.2f} | "
                         f"{'; '.join(r['problems']) or 'none'} |")
        lines.append(f"| floor page x5 | {statistics.median(r['seconds'] for r in floor['sessions']):.2f} | "
                     f"{res['floor']['median']:.2f} | {floor_ratio:.2f} | "
                     f"{'yes' if floor_ratio <= CONCURRENT_FACTOR else 'no'} | 1.00 | "
                     f"{'; '.join(p for r in floor['sessions'] for p in r['problems']) or 'none'} |")
        lines += ["", f"CPU while the five app pages loaded ({app['wall_s']:.1f} s): the server {app['server_cpu_s']:.1f} "
                  f"s, Chromium {app['browser_cpu_s']:.1f} s; while the five floor pages loaded ({floor['wall_s']:.1f} "
                  f"s): the server {floor['server_cpu_s']:.1f} s, Chromium {floor['browser_cpu_s']:.1f} s. The five "
                  "browsers run on the server's cores here; at a demo each viewer's browser has its own."]
    fr = res.get("first_request", {})
    lines += ["", f"First request of the fresh server: `{fr.get('url')}`, settled in {fr.get('seconds', 0):.2f} s "
              f"(the server loads the dataset and the models), problems: "
              f"{'; '.join(fr.get('problems') or []) or 'none'}."]
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from recall_core.store import DEFAULT_STORE
    ap.add_argument("--store", default=str(ROOT / DEFAULT_STORE))
    ap.add_argument("--dataset", default="ml-100k", help="ml-100k or a MovieLens / synth folder")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--pages", default=None, help="with --profile: only these pages (comma-separated names)")
    ap.add_argument("--interactions-only", default=None, metavar="PAGE",
                    help="only the interactions of this page (e.g. 'embedding maps'), after one warm-up visit")
    ap.add_argument("--no-concurrent", action="store_true")
    ap.add_argument("--json", action="store_true", help="print only the JSON result")
    ap.add_argument("--profile", action="store_true", help="only where each page's time goes (see profile_page)")
    ap.add_argument("--first-maps", action="store_true",
                    help="only the first visitor of /maps on a store no app has opened (a fresh server; the store "
                         "should be fresh from `python -m recall_core train`)")
    args = ap.parse_args()
    if Path(args.dataset).exists():  # a folder: the server runs elsewhere (its own working directory)
        args.dataset = str(Path(args.dataset).resolve())
    if args.profile:
        res = profile(args.store, args.dataset, args.rounds,
                      pages=args.pages.split(",") if args.pages else None)
        print("| page | settled s | connect s | run s | tail s | websocket KB | main thread busy s | JS s | layout s |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, r in res.items():
            print(f"| {name} | {r['settled']:.2f} | {r['connect']:.2f} | {r['run']:.2f} | {r['tail']:.2f} | "
                  f"{r['ws_kb']:.0f} | {r['TaskDuration']:.2f} | {r['ScriptDuration']:.2f} | {r['LayoutDuration']:.2f} |")
        return 0
    if args.first_maps:
        res = first_maps_visit(args.store, args.dataset, args.rounds)
        print(json.dumps(res) if args.json else "\n".join(first_maps_lines(res, " ".join(sys.argv))))
        return 0
    if args.interactions_only:
        res = interactions_only(args.store, args.dataset, args.interactions_only, args.rounds)
        print(json.dumps(res, indent=1))
        return 0
    res = measure(args.store, args.dataset, args.rounds, concurrent=not args.no_concurrent)
    if args.json:
        print(json.dumps(res))
        return 0
    print("\n".join(table_lines(res)))
    print(json.dumps(res, indent=1), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
