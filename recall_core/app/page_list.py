"""The app's pages, written once: app.py's navigation, the screenshots, the browser timings and the tests read them.

Plain data (no streamlit): ``app.py`` turns each :class:`PageSpec` into an ``st.Page``. A page's title is the
i18n text ``page.<url>`` (:attr:`PageSpec.title_key`), read in the reader's language when the navigation is built.

**One file per page, named after its URL**: the page at ``/<url>`` is ``pages/<url>.py`` (:attr:`PageSpec.file`),
and ``pages/`` holds nothing else. Its first statement after the imports is ``routing.through_app()``: Streamlit's
legacy ``pages/`` scan routes a fresh server's first request by file name, and that call hands it to ``app.py``
(see :mod:`recall_core.app.routing`; tests/test_layout.py checks both). What a page draws that is long or shared
lives in ``recall_core/app/`` (the How page's model sections in :mod:`recall_core.app.how`, the Judge page's
panels in :mod:`recall_core.app.judge`), called by the page file.

The ``name`` and ``shot`` fields are data, not reader-facing text: the page's English name in the benchmark
tables of BENCHMARKS.md (bench/browser_timings.py) and the file name of its screenshot (bench/screenshots.py,
``docs/<shot>.png`` in the README tour).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page of the app.

    ``url``: the URL path (``home`` is also served at ``/``, the default page); ``icon``: a Streamlit material
    icon; ``name``: its row label in the benchmark tables; ``shot``: its screenshot's file stem; ``default``: the
    page the root URL opens. Its script is :attr:`file`.
    """

    url: str
    icon: str
    name: str
    shot: str
    default: bool = False

    @property
    def file(self) -> str:
        """The page script, relative to the repository root: ``pages/<url>.py``."""
        return f"pages/{self.url}.py"

    @property
    def title_key(self) -> str:
        """The i18n key of the page's title (its sidebar entry and its heading)."""
        return f"page.{self.url}"

    @property
    def path(self) -> str:
        """The URL path a browser opens it at: ``""`` for the default page (the root URL), else :attr:`url`."""
        return "" if self.default else self.url


#: Every page, in the sidebar's order. Exactly one is the default.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("home", ":material/leaderboard:", "overview", "overview", default=True),
    PageSpec("items", ":material/movie:", "item neighbours", "item_neighbours"),
    PageSpec("users", ":material/person:", "user recall", "user_recall"),
    PageSpec("eges", ":material/bar_chart:", "EGES attention", "eges_attention"),
    PageSpec("dssm", ":material/thermostat:", "DSSM temperature", "dssm_temperature"),
    PageSpec("maps", ":material/scatter_plot:", "embedding maps", "embedding_maps"),
    PageSpec("serving", ":material/speed:", "serving", "serving"),
    # the README tour's "how" screenshot shows the store's first model with a section
    PageSpec("how", ":material/school:", "how it works", "how"),
    # judge_start: a visit without a judge's name writes nothing (bench/judge_timings.py shoots docs/judge.png)
    PageSpec("judge", ":material/gavel:", "judge", "judge_start"),
)


def page(url: str) -> PageSpec:
    """The page at URL path ``url`` (``""`` or ``"home"``: the default page); KeyError names the known ones."""
    for p in PAGES:
        if url in (p.url, p.path):
            return p
    raise KeyError(f"no page at URL path {url!r}; pages: {', '.join(p.url for p in PAGES)}")
