"""Drive the app in headless Chromium: visit every page, check for errors, save a screenshot per page.

Used by ``tests/app/test_browser.py`` (tiny store) and, as a script, for the README
screenshots of a trained ML-100K store (every page, and How it works in Chinese)::

    python bench/screenshots.py --store models_store --out docs

Chinese needs a CJK font (Debian's ``fonts-noto-cjk``): without one Chromium draws
every Chinese glyph as a box. :func:`visit_all` refuses to start without one
(``fc-list :lang=zh``), and on every page checks, element by element, that the
Chinese text was drawn with one (:func:`han_glyph_problems`).

The app is started with ``streamlit run app.py`` on a free localhost port and
stopped afterwards (only the process started here).
"""
from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
sys.path.insert(0, str(ROOT))
from recall_core.app import page_list  # noqa: E402  (the pages visited)
from recall_core.app.i18n import LANGS, text  # noqa: E402  (the page titles and the app's last-net message)


def title(url: str, lang: str = "en") -> str:
    """The heading of the page at url path ``url`` (``""``: the default page) in ``lang``."""
    return text(lang, f"page.{url or 'home'}")


# (url path, page title shown as the h1, screenshot name), from the app's one page list
PAGES = [(p.path, title(p.path), p.shot) for p in page_list.PAGES]
#: The README's Chinese screenshot: How it works for EGES under ?lang=zh.
ZH_PAGES = [("how?model=eges&lang=zh", title("how", "zh"), "how_zh")]
#: What is opened on a page before its screenshot (screenshot name -> the toggle's key): the Maps page draws its
#: close-ups on demand, and the README's picture shows them.
OPEN_BEFORE_SHOT = {"embedding_maps": "maps_closeups"}
SERVERS: dict[str, int] = {}  # base URL -> pid of the server started by serve()
STARTED: dict[str, float] = {}  # base URL -> seconds from its start to its first healthy answer
# Text that must never be on a page (the app's last net in both languages).
FORBIDDEN = ("Traceback (most recent call last)", "Page not found",
             *(text(lang, "app.page_error", error="").rstrip(": ：") for lang in LANGS))
HAN = "[\u4e00-\u9fff]"


# --------------------------------------------------------------------------- Chinese glyphs


def cjk_fonts() -> set[str]:
    """The font families fontconfig offers for Chinese (``fc-list :lang=zh family``); empty when there is none
    (or no fontconfig). Chromium draws a box for every Chinese glyph without one."""
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return set()
    return {f.strip() for line in out.splitlines() for f in line.split(",") if f.strip()}


def require_cjk_font() -> None:
    """``RuntimeError`` (one line) unless a CJK font is installed: checked before any screenshot is taken."""
    if not cjk_fonts():
        raise RuntimeError("no CJK font is installed (`fc-list :lang=zh` lists none), so Chinese text would render "
                           "as boxes: install Debian's fonts-noto-cjk (apt-get install -y fonts-noto-cjk)")


# Marks every element whose own text holds Chinese (main document; Streamlit draws no page text in iframes).
_MARK_HAN = """(limit) => {
  const han = /[\u4e00-\u9fff]/;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode()) && out.length < limit) {
    const el = n.parentElement;
    if (!el || el.dataset.hanCheck !== undefined || !han.test(n.nodeValue)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not rendered: no glyph to check
    el.dataset.hanCheck = String(out.length);
    out.push(n.nodeValue.trim().slice(0, 40));
  }
  return out;
}"""


def han_glyph_problems(page, limit: int = 400) -> tuple[int, list[str]]:
    """``(n drawn and checked, problems)``: every drawn element whose text holds Chinese (up to ``limit``) must be drawn,
    at least in part, with a font that has Chinese glyphs. Chromium reports, per element, the platform fonts it
    used for the element's own text (DevTools ``CSS.getPlatformFontsForNode``); without a CJK font its Chinese
    glyphs come from a fallback font as boxes, and the element's fonts hold no CJK family."""
    fonts = cjk_fonts()
    texts = page.evaluate(_MARK_HAN, limit)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
        node_ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-han-check]"})["nodeIds"]
        problems, drawn = [], 0
        for node_id in node_ids:
            used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node_id})["fonts"]
            if not used:
                continue  # laid out but not drawn (a closed expander's body): no glyph, no box
            drawn += 1
            families = {f["familyName"] for f in used}
            if not families & fonts:
                attrs = cdp.send("DOM.getAttributes", {"nodeId": node_id})["attributes"]
                i = int(dict(zip(attrs[::2], attrs[1::2])).get("data-han-check", -1))
                problems.append(f"{texts[i] if 0 <= i < len(texts) else '?'!r} drawn with {sorted(families)}, "
                                "no CJK font (boxes)")
        return drawn, problems
    finally:
        cdp.detach()


def chromium_path() -> str | None:
    for p in (CHROMIUM, shutil.which("chromium"), shutil.which("chromium-browser")):
        if p and Path(p).exists():
            return p
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve(env: dict[str, str] | None = None, port: int | None = None, timeout: float = 90.0, script: str = "app.py",
          address: str = "127.0.0.1", launcher: bool = True):
    """Run ``streamlit run <script>`` (``app.py``, through ``python -m recall_core.app.serve`` as ``make run``
    does; a path relative to the checkout) listening on ``address``
    (``127.0.0.1``; ``0.0.0.0``: every interface, viewer mode); yield its base URL, always through 127.0.0.1; stop
    it afterwards. The working directory is the checkout, so ``.streamlit/config.toml`` applies. ``launcher=False``:
    plain ``streamlit run app.py`` (without the start-up imports; to compare). ``STARTED[url]``: the seconds from
    the start to the first healthy answer."""
    port = port or free_port()
    log = open(ROOT / "test-artifacts" / f"streamlit-{port}.log", "w") if (ROOT / "test-artifacts").is_dir() else \
        subprocess.DEVNULL
    # app.py as `make run` serves it (recall_core.app.serve: `streamlit run app.py` plus its start-up imports)
    start = [sys.executable, "-m", "recall_core.app.serve"] if script == "app.py" and launcher else \
        [sys.executable, "-m", "streamlit", "run", str(ROOT / script)]
    cmd = [*start, "--server.headless", "true",
           "--server.address", address, "--server.port", str(port), "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
    t0 = time.perf_counter()
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    SERVERS[url] = proc.pid
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {proc.returncode} before serving (see test-artifacts/)")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        STARTED[url] = time.perf_counter() - t0
                        break
            except OSError:
                pass
            if time.time() > deadline:
                raise RuntimeError(f"streamlit did not answer on {url} within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log is not subprocess.DEVNULL:
            log.close()


def wait_idle(page, timeout: float = 120.0, quiet: float = 1.0) -> None:
    """Wait until the script has finished running (no status widget, no spinner) for ``quiet`` seconds."""
    deadline = time.time() + timeout
    calm_since = None
    while time.time() < deadline:
        busy = page.locator('[data-testid="stStatusWidget"], [data-testid="stSpinner"]').count() > 0
        if busy:
            calm_since = None
        elif calm_since is None:
            calm_since = time.time()
        elif time.time() - calm_since >= quiet:
            return
        page.wait_for_timeout(200)
    raise TimeoutError(f"the app was still running after {timeout:.0f} s")


_SETTLED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-connection-state') !== 'CONNECTED') return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"]')) return false;
  return [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'));
}"""


def wait_settled(page, timeout: float = 120.0, confirm: float = 0.2) -> None:
    """Wait until the page has settled, read from the app itself rather than waited out (:func:`wait_idle`'s quiet
    second): connected, the script run over (Streamlit's root element says ``data-test-script-state="notRunning"``),
    no status widget or spinner, and every Plotly chart drawn (its SVG is there), on two reads ``confirm`` seconds
    apart (a rerun the page asks for at the end of a run starts in between). Call it once the page's heading is
    drawn: a page that has just been requested has not run yet."""
    deadline = time.time() + timeout
    settled_before = False
    while time.time() < deadline:
        settled = page.evaluate(_SETTLED)
        if settled and settled_before:
            return
        settled_before = settled
        page.wait_for_timeout(confirm * 1000)
    raise TimeoutError(f"the app was still running after {timeout:.0f} s")


def problems_on(page) -> list[str]:
    """Exceptions, error boxes and traceback text on the current page."""
    found = []
    n_exc = page.locator('[data-testid="stException"]').count()
    if n_exc:
        found.append(f"{n_exc} exception box(es): " + page.locator('[data-testid="stException"]').first.inner_text()[:500])
    errors = page.locator('[data-testid="stAlertContentError"]')
    for i in range(errors.count()):
        found.append("error box: " + errors.nth(i).inner_text()[:300])
    text = page.locator("body").inner_text()
    found += [f"page text contains {t!r}" for t in FORBIDDEN if t in text]
    return found


def launch(playwright):
    path = chromium_path()
    if path is None:
        raise FileNotFoundError("chromium not found (install Debian's package: apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)


def visit_all(base_url: str, out_dir: Path, width: int = 1600, height: int = 1000, full: bool = True,
              query: dict[str, str] | None = None, extra: list[tuple[str, str, str]] = (),
              settle=wait_idle) -> list[dict]:
    """Open every page, wait for it to finish, record problems and save ``<out_dir>/<name>.png``.

    ``query``: extra URL parameters per url path (e.g. ``{"items": "item=50&k=10"}``).
    ``extra``: more ``(url path with its query, h1, screenshot name)`` visited after :data:`PAGES`
    (e.g. ``("how?model=eges", "How it works", "how-eges")``); their ``page`` is that path.
    Checks first that a CJK font is installed (:func:`require_cjk_font`), and on every page that each element
    with Chinese text is drawn with one (:func:`han_glyph_problems`: a box is a problem).
    ``full``: the screenshot is as tall as the page (up to 6000 px), else the viewport.
    ``settle(page)``: how a page is waited for once its heading is drawn (:func:`wait_idle`, or :func:`wait_settled`).
    Before the screenshot, what :data:`OPEN_BEFORE_SHOT` names is opened (the Maps page's close-ups).
    Returns ``[{"page", "title_found", "problems", "screenshot", "seconds", "han_checked", "charts"}]`` (``charts``:
    the plotly charts drawn when the screenshot was taken).
    """
    from playwright.sync_api import sync_playwright

    require_cjk_font()  # before any screenshot: a page in Chinese without one shows boxes
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = []
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            # Warm-up through the entry point: on a fresh server Streamlit shows a "Page not found" dialog
            # when the very first request is a deep link (streamlit/streamlit#9992).
            page.goto(base_url, wait_until="domcontentloaded")
            page.get_by_role("heading", name=PAGES[0][1]).first.wait_for(timeout=90_000)
            settle(page)
            for path, title, name in [*PAGES, *extra]:
                q = (query or {}).get(path)
                t0 = time.time()
                page.goto(f"{base_url}/{path}" + (f"?{q}" if q else ""), wait_until="domcontentloaded")
                try:
                    page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
                    title_found = True
                except Exception:  # noqa: BLE001 (reported below as a problem)
                    title_found = False
                settle(page)
                seconds = time.time() - t0
                if name in OPEN_BEFORE_SHOT and title_found:  # not timed: the page's own first view is above
                    page.locator(f".st-key-{OPEN_BEFORE_SHOT[name]} label").first.click()
                    page.wait_for_timeout(100)
                    settle(page)
                probs = problems_on(page)
                if not title_found:
                    probs.append(f"heading {title!r} not found")
                n_han, glyphs = han_glyph_problems(page)
                probs += glyphs
                shot = out_dir / f"{name}.png"
                if full:
                    h = page.evaluate("() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
                                      " return m ? m.scrollHeight : document.body.scrollHeight; }")
                    page.set_viewport_size({"width": width, "height": int(min(max(h, height), 6000))})
                    page.wait_for_timeout(800)  # plotly re-lays out on resize
                page.screenshot(path=str(shot))
                page.set_viewport_size({"width": width, "height": height})
                charts = page.locator('[data-testid="stPlotlyChart"]:has(.main-svg)').count()
                results.append({"page": path or "overview", "title_found": title_found, "problems": probs,
                                "screenshot": str(shot), "seconds": round(seconds, 2), "han_checked": n_han,
                                "charts": charts})
        finally:
            browser.close()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    from recall_core.store import DEFAULT_STORE
    ap.add_argument("--store", default=str(ROOT / DEFAULT_STORE), help="model store (RECALL_STORE)")
    ap.add_argument("--dataset", default="ml-100k", help="ml-100k or a MovieLens folder (RECALL_DATASET)")
    ap.add_argument("--out", default=str(ROOT / "docs"), help="folder for the PNGs")
    ap.add_argument("--width", type=int, default=1600)
    ap.add_argument("--item", default="50", help="movie id shown on the item pages (50 = Star Wars in ML-100K)")
    ap.add_argument("--user", default="13", help="user id shown on the user page")
    args = ap.parse_args()
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    env = {"RECALL_STORE": str(Path(args.store).resolve()), "RECALL_DATASET": args.dataset}
    with serve(env) as url:
        res = visit_all(url, Path(args.out), width=args.width,
                        query={"items": f"item={args.item}&k=10", "users": f"user={args.user}&k=10"},
                        extra=ZH_PAGES)
    bad = 0
    for r in res:
        print(f"{r['page']:<10} {r['seconds']:6.1f}s  {r['screenshot']}  Chinese elements checked "
              f"{r['han_checked']:>3}  {'; '.join(r['problems']) or 'ok'}")
        bad += bool(r["problems"])
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
