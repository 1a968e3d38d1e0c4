"""What readers see: the strictly built site, driven in Debian's Chromium through Playwright.

The module builds the site once (``python -m mkdocs build --strict`` into a temporary folder),
serves it on 127.0.0.1 from a thread, and drives one headless Chromium
(``/usr/bin/chromium``; Playwright's own browser downloads are never used). Every browser
context routes all requests: anything not addressed to the test server is recorded and
aborted, so a leak is both reported and kept off the network.

Running
    .venv/bin/python -m pytest tests/test_browser.py -q        (marker: ``browser``)

    Without Chromium or Playwright the module is skipped with one line saying how to install
    them; with ``CI=true`` it fails instead, so CI cannot go green by skipping it.

Testing another site (e.g. a copy with a deliberate breakage)
    SNIPPETGUARD_BROWSER_SITE=/path/to/project   a folder with mkdocs.yml and docs/: built strictly
                                                 and compared with its own docs/snippets/
    SNIPPETGUARD_BROWSER_SITE=/path/to/site      an already built site (index.html): served as is
                                                 and compared with this repository's snippets
    SNIPPETGUARD_CHROMIUM=/path/to/chromium      another Chromium binary (a missing path shows the
                                                 skip, or under CI=true the failure)

Screenshots (desktop light, desktop dark, phone) are written to test-artifacts/screenshots/
(git-ignored) for people to look at.
"""

from __future__ import annotations

import json
import os
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from snippetguard.embed import EmbedError, known_regions, load
from snippetguard.sitecontent import NO_COPY_NOTE

from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CHROMIUM_ENV,
    COPY_BUTTON,
    INSTALL_CHROMIUM,
    INSTALL_PLAYWRIGHT,
    ROOT,
    SiteUnderTest,
    Watch,
    build_site,
    contrast,
    find_chromium,
    hue_saturation,
    over,
    page_paths,
    parse_rgb,
    png_size,
    serve,
    site_under_test,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Locator, Page

pytestmark = pytest.mark.browser

IN_CI = os.environ.get("CI") == "true"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # reported below: skipped locally, failed under CI
    sync_playwright = None  # type: ignore[assignment]

_MISSING = (
    f"Playwright for Python is not installed: {INSTALL_PLAYWRIGHT}" if sync_playwright is None
    else f"Chromium not found at {os.environ.get(CHROMIUM_ENV) or CHROMIUM}: {INSTALL_CHROMIUM}"
    if find_chromium() is None else ""
)
if _MISSING and not IN_CI:
    pytest.skip(f"browser tests skipped: {_MISSING}", allow_module_level=True)


# -- the site, the server, the browser -----------------------------------------------------------
@pytest.fixture(scope="module")
def sut() -> SiteUnderTest:
    return site_under_test()


@pytest.fixture(scope="module")
def site_dir(sut: SiteUnderTest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if sut.prebuilt is not None:
        return sut.prebuilt
    return build_site(sut.project, tmp_path_factory.mktemp("browser-site") / "site")


@pytest.fixture(scope="module")
def base_url(site_dir: Path) -> Iterator[str]:
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if _MISSING:  # only reached under CI=true: a missing browser is a failure there, not a skip
        pytest.fail(f"{_MISSING} (CI=true: a missing browser fails instead of skipping)", pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Session:
    """One browser context (its own storage, viewport and colour scheme) and what it saw."""

    context: BrowserContext
    watch: Watch
    base: str
    pages: list[Page] = field(default_factory=list)

    def page(self) -> Page:
        page = self.context.new_page()
        self.pages.append(page)
        return page

    def open(self, page: Page, path: str, *, quiet: bool = False) -> None:
        """Load a page; Material's scripts (at the end of <body>) have run by the load event.
        `quiet` also waits for a quiet network: the search worker and any stray fetch have
        been sent by then (half a second per page, so only where requests are the point)."""
        page.goto(self.base + path, wait_until="networkidle" if quiet else "load")
        page.wait_for_function("() => typeof window.document$ !== 'undefined'")

    def visit_all(self, paths: list[str], look: Callable[[Page, str], None], *, quiet: bool = False,
                  tabs: int = 4) -> None:
        """Open `paths` a few tabs at a time (waiting is most of a visit's cost, and tabs wait
        in parallel), calling `look(page, path)` on each once it is loaded (see `open`)."""
        pages = [self.page() for _ in range(tabs)]
        for start in range(0, len(paths), tabs):
            batch = list(zip(pages, paths[start:start + tabs], strict=False))
            for page, path in batch:
                page.goto(self.base + path, wait_until="commit")
            for page, path in batch:
                page.wait_for_load_state("networkidle" if quiet else "load")
                page.wait_for_function("() => typeof window.document$ !== 'undefined'")
                look(page, path)

    def assert_clean(self) -> None:
        assert self.watch.problems() == [], "console errors or failed requests:\n" + "\n".join(self.watch.problems())


@pytest.fixture(scope="module")
def sessions(browser: Browser, base_url: str) -> Iterator[Callable[..., Session]]:
    """Contexts on the one browser; all closed with the module."""
    made: list[Session] = []

    def make(**options: Any) -> Session:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("color_scheme", "light")
        context = browser.new_context(service_workers="block", **options)
        context.set_default_timeout(10_000)
        # Copy buttons are checked through the real clipboard.
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
        watch = Watch(base_url)
        watch.attach(context)
        session = Session(context, watch, base_url)
        made.append(session)
        return session

    yield make
    for session in made:
        session.context.close()


# -- one visit to every page, shared by the tests that only look ----------------------------------
@dataclass
class PageReport:
    path: str
    title: str
    code_blocks: int  # outside counter-examples
    copy_buttons: int  # on those
    downloads: int
    insecure: int  # counter-example boxes
    insecure_blocks: int  # code blocks inside them
    insecure_buttons: int  # copy buttons on those: must be none


@dataclass
class Sweep:
    watch: Watch
    pages: dict[str, PageReport]


INSECURE_BOX = ".admonition.insecure, details.insecure"
COUNT_JS = f"""() => {{
  const codes = [...document.querySelectorAll('pre > code')];
  const inBox = code => !!code.closest('{INSECURE_BOX}');
  const button = code => !!code.closest('pre').querySelector('{COPY_BUTTON}');
  return {{
    title: document.title,
    code_blocks: codes.filter(c => !inBox(c)).length,
    copy_buttons: codes.filter(c => !inBox(c) && button(c)).length,
    downloads: document.querySelectorAll('a.sg-download').length,
    insecure: document.querySelectorAll('{INSECURE_BOX}').length,
    insecure_blocks: codes.filter(inBox).length,
    insecure_buttons: codes.filter(c => inBox(c) && button(c)).length,
  }};
}}"""


@pytest.fixture(scope="module")
def sweep(sessions: Callable[..., Session], site_dir: Path) -> Sweep:
    session = sessions()
    reports: dict[str, PageReport] = {}
    session.visit_all(page_paths(site_dir), quiet=True, tabs=6,
                      look=lambda page, path: reports.__setitem__(path, PageReport(path, **page.evaluate(COUNT_JS))))
    return Sweep(session.watch, reports)


def test_every_page_loads_without_console_errors_or_failed_requests(sweep: Sweep) -> None:
    assert len(sweep.pages) >= 10, f"too few pages found: {sorted(sweep.pages)}"
    assert {"/", "/security/", "/security/database/", "/security/checklist/"} <= set(sweep.pages)
    untitled = [p for p, r in sweep.pages.items() if not r.title.strip()]
    assert untitled == []
    problems = sweep.watch.problems()
    assert problems == [], "\n".join(problems)


def test_no_request_leaves_127_0_0_1(sweep: Sweep, sessions: Callable[..., Session]) -> None:
    # The sweep loaded every page (scripts, styles, fonts, images, the search worker and its
    # index). Searching is the one interaction that fetches more, so do it once here too.
    session = sessions()
    page = session.page()
    session.open(page, "/", quiet=True)
    _search(page, "docker")
    page.wait_for_load_state("networkidle")
    external = sorted(set(sweep.watch.external) | set(session.watch.external))
    assert sweep.watch.requests, "the sweep recorded no request at all: is the network watch attached?"
    assert external == [], "requests to other hosts (aborted by the test):\n" + "\n".join(external)


def test_the_network_watch_sees_and_blocks_other_hosts(sessions: Callable[..., Session]) -> None:
    """The guard itself can fail: a fetch, an image and a worker's fetch to another loopback
    address (harmless, but not the test server) must all be recorded and aborted."""
    session = sessions()
    page = session.page()
    session.open(page, "/")
    outcome = page.evaluate("""async () => {
        const other = 'http://127.0.0.2:9/';
        const fetched = await fetch(other + 'page').then(() => 'loaded', () => 'blocked');
        const img = await new Promise(done => { const i = new Image(); i.onload = () => done('loaded');
                                               i.onerror = () => done('blocked'); i.src = other + 'img.png'; });
        const code = `fetch('${other}worker').then(() => postMessage('loaded'), () => postMessage('blocked'))`;
        const worker = new Worker(URL.createObjectURL(new Blob([code], {type: 'text/javascript'})));
        const inWorker = await new Promise(done => { worker.onmessage = e => done(e.data); });
        return [fetched, img, inWorker];
    }""")
    assert outcome == ["blocked", "blocked", "blocked"]
    seen = " ".join(session.watch.external)
    for what in ("127.0.0.2:9/page", "127.0.0.2:9/img.png", "127.0.0.2:9/worker"):
        assert what in seen, f"{what} was not recorded: {session.watch.external}"


# -- search --------------------------------------------------------------------------------------
def _search(page: Page, query: str) -> list[str]:
    """Type into Material's search box; the result links (absolute URLs) once some appear."""
    opener = page.locator("label.md-header__button[for='__search']").first
    if opener.is_visible():  # phones: the box hides behind the header's magnifier
        opener.click()
    box = page.locator("input.md-search__input")
    assert box.count() == 1, "no search box on the page"
    box.click()
    # Material searches on keyup: fill the whole query, then one key, so that no partial
    # query ("5", "54") can answer first and be mistaken for the real one.
    box.fill(query)
    box.press("End")
    links = page.locator(".md-search-result a.md-search-result__link, .md-search-result a")
    links.first.wait_for(state="attached", timeout=10_000)
    return [a.get_attribute("href") or "" for a in links.all()]


def test_search_finds_the_database_port_advice(sessions: Callable[..., Session]) -> None:
    session = sessions()
    page = session.page()
    session.open(page, "/")
    hrefs = _search(page, "5432")
    paths = [urlsplit(h).path for h in hrefs]  # results carry ?h=5432 and an anchor
    assert any(p.endswith("/security/database/") for p in paths), hrefs
    session.assert_clean()


NOT_GUIDE = ("/reference/", "/contributing/")  # for contributors, not for readers looking for help


def _result_pages(page: Page, query: str) -> list[str]:
    """The pages Material's search lists for `query`, best first, once it has finished."""
    _search(page, query)
    page.locator(".md-search-result__meta").filter(has_text=re.compile(r"\d+ matching")).wait_for()
    hrefs = page.evaluate("""() => [...document.querySelectorAll('.md-search-result__item > a')]
        .map(a => a.getAttribute('href'))""")
    pages: list[str] = []
    for href in hrefs:
        path = urlsplit(href).path
        if path not in pages:
            pages.append(path)
    return pages


@pytest.mark.parametrize("query", ["exposed", "password", "rate limit"])
def test_search_lands_on_the_guide_first(query: str, sessions: Callable[..., Session]) -> None:
    session = sessions()
    page = session.page()
    session.open(page, "/")
    pages = _result_pages(page, query)
    guide = [p for p in pages if not p.startswith(NOT_GUIDE)]
    assert len(guide) >= 2, f"{query!r}: too few guide pages found: {pages}"
    assert not pages[0].startswith(NOT_GUIDE), f"{query!r}: the first result is not a guide page: {pages}"
    first_other = next((i for i, p in enumerate(pages) if p.startswith(NOT_GUIDE)), len(pages))
    late = [p for p in pages[first_other:] if not p.startswith(NOT_GUIDE)]
    assert late == [], f"{query!r}: guide pages ranked below the reference or contributing pages: {pages}"
    if query == "exposed":  # the word readers use when they fear the worst: the alert and the check
        assert {"/", "/security/database/"} & set(pages[:3]), f"'exposed' does not lead to the check: {pages}"
    session.assert_clean()


# -- content tabs --------------------------------------------------------------------------------
TABS_JS = """() => [...document.querySelectorAll('article .tabbed-set')].map(set => {
  const labels = [...set.querySelectorAll(':scope > .tabbed-labels > label')].map(l => l.textContent.trim());
  const inputs = [...set.querySelectorAll(':scope > input')];
  const blocks = [...set.querySelectorAll(':scope > .tabbed-content > .tabbed-block')];
  return {labels, checked: inputs.findIndex(i => i.checked),
          shown: blocks.map((b, i) => b.checkVisibility() ? i : -1).filter(i => i >= 0)};
})"""


def _tabs(page: Page) -> list[dict[str, Any]]:
    return page.evaluate(TABS_JS)


def _selected(page: Page, label: str) -> list[bool]:
    """For each tab set offering `label`: is that tab the chosen and the only visible one?"""
    out = []
    for tab_set in _tabs(page):
        if label in tab_set["labels"]:
            index = tab_set["labels"].index(label)
            out.append(tab_set["checked"] == index and tab_set["shown"] == [index])
    return out


def _all_selected(page: Page, label: str, timeout: float = 2.0) -> bool:
    """Every set offering `label` shows it (and there is one): polled, since Material links
    the sets and restores a stored choice from its own event handlers."""
    deadline = time.monotonic() + timeout
    while True:
        chosen = _selected(page, label)
        if (chosen and all(chosen)) or time.monotonic() > deadline:
            return bool(chosen) and all(chosen)
        page.wait_for_timeout(50)


def _click_tab(page: Page, set_index: int, label: str) -> None:
    tab_set = page.locator("article .tabbed-set").nth(set_index)
    tab_set.locator(":scope > .tabbed-labels > label", has_text=re.compile(f"^{re.escape(label)}$")).click()


def test_content_tabs_switch_and_the_choice_follows_the_reader(sessions: Callable[..., Session]) -> None:
    session = sessions()
    page = session.page()

    session.open(page, "/security/https/")
    sets = [s for s in _tabs(page) if s["labels"] == ["Ubuntu/Debian", "macOS"]]
    assert len(sets) >= 2, f"the HTTPS page should offer Ubuntu/Debian vs. macOS at least twice: {_tabs(page)}"
    assert _all_selected(page, "Ubuntu/Debian"), "the first tab should be chosen by default"
    first = next(i for i, s in enumerate(_tabs(page)) if s["labels"] == ["Ubuntu/Debian", "macOS"])
    last = max(i for i, s in enumerate(_tabs(page)) if s["labels"] == ["Ubuntu/Debian", "macOS"])

    _click_tab(page, first, "macOS")
    assert _all_selected(page, "macOS"), f"choosing macOS once should switch every set on the page: {_tabs(page)}"
    _click_tab(page, last, "Ubuntu/Debian")  # linked both ways, from any set
    assert _all_selected(page, "Ubuntu/Debian"), _tabs(page)
    _click_tab(page, first, "macOS")

    # The choice is remembered (localStorage) on the next page that offers it.
    session.open(page, "/security/firewall/")
    fw = [s for s in _tabs(page) if {"UFW", "firewalld", "macOS"} <= set(s["labels"])]
    assert fw, f"the firewall page should offer UFW, firewalld and macOS: {_tabs(page)}"
    assert _all_selected(page, "macOS"), _tabs(page)

    set_index = next(i for i, s in enumerate(_tabs(page)) if {"UFW", "firewalld", "macOS"} <= set(s["labels"]))
    _click_tab(page, set_index, "firewalld")
    assert _all_selected(page, "firewalld"), _tabs(page)
    visible = page.locator("article .tabbed-set").nth(set_index).locator(".tabbed-block").filter(
        visible=True).first.inner_text()
    assert "firewall-cmd" in visible, f"the firewalld tab should show firewalld's commands: {visible[:300]!r}"
    _click_tab(page, set_index, "UFW")
    assert _all_selected(page, "UFW"), _tabs(page)

    page.reload(wait_until="load")
    assert _all_selected(page, "UFW"), "the choice should survive a reload"
    session.assert_clean()


# -- copy buttons --------------------------------------------------------------------------------
def test_every_code_block_has_a_copy_button(sweep: Sweep) -> None:
    total = sum(r.code_blocks for r in sweep.pages.values())
    assert total >= 30, f"only {total} code blocks on the whole site: did the pages render?"
    missing = {p: f"{r.copy_buttons}/{r.code_blocks}" for p, r in sweep.pages.items() if r.copy_buttons != r.code_blocks}
    assert missing == {}, f"pages with code blocks lacking a copy button (buttons/blocks): {missing}"


def test_counter_examples_have_no_copy_button(sweep: Sweep) -> None:
    # Copying a "do not use" example is never what a reader should do; a warning inside the copied
    # text would not help (a shell drops comments), so the button is not there at all.
    boxed = {p: r.insecure_blocks for p, r in sweep.pages.items() if r.insecure_blocks}
    assert sweep.pages["/security/database/"].insecure_blocks >= 1 and len(boxed) >= 2, boxed
    offered = {p: r.insecure_buttons for p, r in sweep.pages.items() if r.insecure_buttons}
    assert offered == {}, f"counter-examples with a copy button (page: buttons): {offered}"


def test_a_counter_example_says_why_it_cannot_be_copied(sessions: Callable[..., Session]) -> None:
    session = sessions()
    page = session.page()
    session.open(page, "/security/database/")
    box = page.locator(f"article :is({INSECURE_BOX})").first
    _reveal(page, box)
    assert box.locator(COPY_BUTTON).count() == 0
    assert NO_COPY_NOTE in box.inner_text(), box.inner_text()[:300]
    box.locator("pre").first.hover()  # Material adds its buttons on load, not on hover: still none
    assert box.locator(COPY_BUTTON).count() == 0
    outside = page.locator("article div.highlight").filter(has_not=page.locator(INSECURE_BOX)).first
    assert outside.locator(COPY_BUTTON).count() == 1, "the secure example beside it keeps its button"
    session.assert_clean()


# For each code block: the snippet file its download link names (the .sg-meta that follows it
# in document order belongs to it), whether it is a counter-example, and its copy button.
BLOCKS_JS = """() => {
  const order = [...document.querySelectorAll('article div.highlight, article .sg-meta')];
  const blocks = [];
  for (const el of order) {
    if (el.matches('div.highlight')) {
      if (!el.querySelector('pre > code')) continue;
      blocks.push({el, download: null, insecure: !!el.closest('.admonition.insecure, details.insecure'),
                   text: el.querySelector('pre > code').textContent});
    } else if (blocks.length && blocks[blocks.length - 1].download === null) {
      const a = el.querySelector('a.sg-download');
      if (a) blocks[blocks.length - 1].download = new URL(a.getAttribute('href'), location.href).pathname;
    }
  }
  return blocks.map((b, i) => { b.el.dataset.sgBlock = String(i);
                                return {download: b.download, insecure: b.insecure, text: b.text}; });
}"""

# What hides a block: closed <details> (opened here) and unchosen tabs (their inputs' ids
# returned, outermost first, so the test clicks their labels as a reader would).
HIDING_TABS_JS = """el => {
  const tabs = [];
  for (let node = el; node; node = node.parentElement) {
    if (node.tagName === 'DETAILS') node.open = true;
    if (node.classList && node.classList.contains('tabbed-block')) {
      const index = [...node.parentElement.children].indexOf(node);
      const input = node.closest('.tabbed-set').querySelectorAll(':scope > input')[index];
      if (!input.checked) tabs.unshift(input.id);
    }
  }
  return tabs;
}"""


def _reveal(page: Page, element: Locator) -> None:
    for ident in element.evaluate(HIDING_TABS_JS):
        page.locator(f"label[for='{ident}']").click()


KNOWN_BLOCKS = [  # (page, snippet file, region): each must be on its page and copy exactly
    ("/deployment/docker/", "compose/stack.yml", None),
    ("/security/database/", "compose/stack.yml", "postgres"),
    ("/security/https/", "caddy/Caddyfile", None),
]
KNOWN_INSECURE = [("/security/database/", "compose/db-exposed.yml")]


def _shown_versions(snippets: Path, rel: str) -> dict[str | None, str]:
    """What a reader may be shown of one file: the whole of it, or one of its regions."""
    out: dict[str | None, str] = {None: load(snippets, rel).text}
    for region in known_regions(snippets, rel):
        out[region] = load(snippets, rel, region).text
    return out


def _counter_examples(snippets: Path) -> dict[tuple[str, str | None], str]:
    out: dict[tuple[str, str | None], str] = {}
    for path in sorted(p for p in snippets.rglob("*") if p.is_file()):
        rel = path.relative_to(snippets).as_posix()
        try:
            if load(snippets, rel).expect:
                out.update({(rel, region): text for region, text in _shown_versions(snippets, rel).items()})
        except EmbedError:
            continue
    return out


STALE = "\u2063not copied"  # put on the clipboard first: a stale clipboard must not pass
READ_CLIPBOARD_JS = """async stale => {
  for (let i = 0; i < 60; i++) {
    const text = await navigator.clipboard.readText();
    if (text !== stale) return text;
    await new Promise(done => setTimeout(done, 50));
  }
  return stale;
}"""


def _copy(page: Page, index: int) -> str | None:
    """Click block `index`'s copy button; the clipboard's text (STALE if nothing was copied),
    or None if the block has no button."""
    block = page.locator(f"[data-sg-block='{index}']")
    button = block.locator(COPY_BUTTON).first
    if not button.count():
        return None
    _reveal(page, block)
    page.evaluate("stale => navigator.clipboard.writeText(stale)", STALE)
    button.click()
    return page.evaluate(READ_CLIPBOARD_JS, STALE)


def test_copy_buttons_copy_exactly_the_snippet(sweep: Sweep, sessions: Callable[..., Session],
                                               sut: SiteUnderTest) -> None:
    snippets = sut.snippets
    counter = _counter_examples(snippets)
    session = sessions()
    page = session.page()
    found: set[tuple[str, str, str | None]] = set()
    found_insecure: set[tuple[str, str]] = set()
    wrong: list[str] = []
    tabs_expanded: list[str] = []
    pages = [p for p, r in sweep.pages.items() if r.downloads or (r.insecure and p != "/reference/rules/")]
    for path in pages:
        session.open(page, path)
        blocks = page.evaluate(BLOCKS_JS)
        for index, block in enumerate(blocks):
            if not (block["download"] or block["insecure"]):
                continue  # a block written on the page itself: its button is checked above
            where = f"{path} block {index}"
            if block["insecure"]:  # no button (checked above): what it shows must be a declared counter-example
                shown = block["text"].rstrip("\n")
                match = [key for key, text in counter.items() if text.rstrip("\n") == shown]
                if not match:
                    wrong.append(f"{where}: an insecure example that matches no counter-example file:\n{shown[:400]}")
                if "--8<--" in shown or "snippetguard: expect" in shown:
                    wrong.append(f"{where}: the example shows a region marker or an expect line")
                found_insecure.update((path, rel) for rel, _ in match)
                continue
            copied = _copy(page, index)
            if copied is None:
                wrong.append(f"{where}: no copy button")
                continue
            if copied == STALE:
                wrong.append(f"{where}: clicking the copy button put nothing on the clipboard")
                continue
            if "--8<--" in copied or "snippetguard: expect" in copied:
                wrong.append(f"{where}: the copy contains a region marker or an expect line")
            rel = block["download"].split("/snippets/", 1)[-1]
            try:
                versions = _shown_versions(snippets, rel)
            except EmbedError as err:
                wrong.append(f"{where}: its download {rel} cannot be read: {err}")
                continue
            match = [region for region, text in versions.items() if text == copied]
            expanded = [region for region, text in versions.items() if "\t" in text and text.expandtabs(4) == copied]
            if expanded and not match:
                tabs_expanded.append(f"{where}: {rel}")
                match = expanded
            if not match:
                wrong.append(f"{where}: copy differs from {rel} and all its regions:\n{copied[:400]}")
            found.update((path, rel, region) for region in match)
    assert wrong == [], "\n\n".join(wrong)
    missing = [k for k in KNOWN_BLOCKS if k not in found]
    assert missing == [], f"expected code blocks not found (page, file, region): {missing}"
    missing_insecure = [k for k in KNOWN_INSECURE if k not in found_insecure]
    assert missing_insecure == [], f"expected counter-examples not found: {missing_insecure}"
    assert tabs_expanded == [], "\n".join(tabs_expanded)
    session.assert_clean()


# -- the insecure example, in both colour schemes -------------------------------------------------
COLOURS_JS = """box => {
  const style = el => getComputedStyle(el);
  const opaque = el => {
    const parts = (style(el).backgroundColor.match(/\\(([^)]*)\\)/) || [, ''])[1].split(/[\\s,\\/]+/).filter(Boolean);
    return parts.length === 3 || (parts.length === 4 && parseFloat(parts[3]) === 1);
  };
  let bg = box.parentElement;  // what the box sits on: the first ancestor with a solid background
  while (bg && !opaque(bg)) bg = bg.parentElement;
  const title = box.querySelector(':scope > .admonition-title, :scope > summary');
  return {
    scheme: document.body.getAttribute('data-md-color-scheme'),
    border: [style(box).borderTopColor, style(box).borderLeftColor],
    borderWidth: parseFloat(style(box).borderLeftWidth),
    boxBg: style(box).backgroundColor,
    pageBg: bg ? style(bg).backgroundColor : 'rgb(255, 255, 255)',
    titleBg: style(title).backgroundColor,
    titleFg: style(title).color,
  };
}"""


def _set_scheme(page: Page, scheme: str) -> None:
    """Switch with the header's palette toggle, as a reader does."""
    if page.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme:
        page.locator("label.md-header__button[for^='__palette']").filter(visible=True).first.click()
    page.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'")


def test_insecure_example_is_marked_in_light_and_dark_mode(sessions: Callable[..., Session]) -> None:
    session = sessions()
    page = session.page()
    session.open(page, "/security/database/")
    box = page.locator("article .admonition.insecure").first
    assert box.count() == 1, "the database page should show its declared insecure example"
    _reveal(page, box)  # it sits in the "Not this" tab
    title = box.locator(":scope > .admonition-title")
    title.scroll_into_view_if_needed()
    assert title.is_visible() and title.inner_text().strip(), "the warning's title must be visible"

    for scheme in ("default", "slate"):
        _set_scheme(page, scheme)
        c = box.evaluate(COLOURS_JS)
        page_bg = parse_rgb(c["pageBg"])[:3]
        for css in c["border"]:
            border = over(parse_rgb(css), page_bg)
            hue, saturation = hue_saturation(border)
            assert abs(hue) <= 20 and saturation >= 0.5, f"{scheme}: border {css} is not a strong red"
            assert contrast(border, page_bg) >= 3, (
                f"{scheme}: border {css} on {c['pageBg']} has contrast {contrast(border, page_bg):.2f} < 3")
        assert c["borderWidth"] >= 2, f"{scheme}: border only {c['borderWidth']}px wide"
        title_bg = over(parse_rgb(c["titleBg"]), page_bg)
        assert abs(hue_saturation(title_bg)[0]) <= 20, f"{scheme}: title background {c['titleBg']} is not red"
        title_contrast = contrast(over(parse_rgb(c["titleFg"]), title_bg), title_bg)
        low = f"{scheme}: title text {c['titleFg']} on {c['titleBg']} has contrast {title_contrast:.2f} < 4.5"
        assert title_contrast >= 4.5, low
        tint = over(parse_rgb(c["boxBg"]), page_bg)
        assert tint[0] > tint[1] and tint[0] > tint[2], f"{scheme}: the box is not tinted red ({c['boxBg']})"
        assert title.is_visible()
    session.assert_clean()


# -- the security checklist ----------------------------------------------------------------------
def _ticks(page: Page) -> dict[str, bool]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('span.sg-check[data-id]')]
        .map(mark => [mark.dataset.id, mark.closest('li').querySelector('input[type=checkbox]').checked]))""")


# The box a reader sees is the ::before of an empty span.task-list-indicator (the input itself
# is hidden): find where it is drawn, so the test clicks the very spot a reader would.
BOX_JS = """ident => {
  const item = document.querySelector(`span.sg-check[data-id="${ident}"]`).closest('li');
  const mark = item.querySelector('.task-list-indicator');
  mark.scrollIntoView({block: 'center'});
  const r = mark.getBoundingClientRect(), b = getComputedStyle(mark, '::before');
  const left = parseFloat(b.left) || 0, top = parseFloat(b.top) || 0;
  return {x: r.left + left + parseFloat(b.width) / 2, y: r.top + top + parseFloat(b.height) / 2};
}"""


def _tick(page: Page, ident: str) -> None:
    spot = page.evaluate(BOX_JS, ident)
    page.mouse.click(spot["x"], spot["y"])


def test_checklist_ticks_survive_a_reload(sessions: Callable[..., Session]) -> None:
    session = sessions()
    page = session.page()
    session.open(page, "/security/checklist/")
    ticks = _ticks(page)
    assert len(ticks) >= 5, f"the checklist has only {len(ticks)} items"
    assert not any(ticks.values()), "a fresh browser should start with nothing ticked"
    disabled = page.evaluate("""() => [...document.querySelectorAll('span.sg-check[data-id]')]
        .filter(m => m.closest('li').querySelector('input[type=checkbox]').disabled).map(m => m.dataset.id)""")
    assert disabled == [], f"checkboxes a reader cannot tick: {disabled}"

    ids = list(ticks)
    chosen = [ids[0], ids[len(ids) // 2], ids[-1]]
    for ident in chosen:
        _tick(page, ident)
    assert {k for k, v in _ticks(page).items() if v} == set(chosen)

    page.reload(wait_until="load")
    assert {k for k, v in _ticks(page).items() if v} == set(chosen), "ticks were lost on reload"

    _tick(page, chosen[1])  # and untick one
    page.reload(wait_until="load")
    assert {k for k, v in _ticks(page).items() if v} == {chosen[0], chosen[2]}, "an untick was not kept"
    stored = page.evaluate("JSON.stringify(Object.keys(localStorage).filter(k => k.includes('checklist')))")
    assert len(json.loads(stored)) == 2, f"localStorage should hold exactly the two ticks: {stored}"
    session.assert_clean()


# -- phones --------------------------------------------------------------------------------------
OVERFLOW_JS = """width => {
  // The culprits: outermost elements that stick out, not their children nor what scrolls inside a box.
  const out = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; };
  const scrolls = el => /(auto|scroll|hidden)/.test(getComputedStyle(el).overflowX);
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    if (!out(el) || getComputedStyle(el).position === 'fixed') return false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (out(up) || scrolls(up)) return false;
    }
    return true;
  }).slice(0, 5).map(el => `${el.tagName.toLowerCase()}${[...el.classList].map(c => '.' + c).join('')} right=${
      Math.round(el.getBoundingClientRect().right)}`);
  return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth, wide};
}"""


def test_security_guide_has_no_horizontal_scroll_on_a_phone(sweep: Sweep, sessions: Callable[..., Session]) -> None:
    session = sessions(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    guide = [p for p in sweep.pages if p.startswith("/security/")]
    assert len(guide) >= 5, guide
    too_wide: dict[str, Any] = {}

    def measure(page: Page, path: str) -> None:
        # A phone zooms out to fit a too-wide page, which widens innerWidth with it: so compare
        # with the phone's width too, not only with innerWidth.
        m = page.evaluate(OVERFLOW_JS, PHONE["width"])
        if m["scroll"] > m["inner"] or m["inner"] != PHONE["width"]:
            too_wide[path] = m

    session.visit_all(guide, measure)
    assert too_wide == {}, f"pages wider than a {PHONE['width']}px phone: {too_wide}"
    session.assert_clean()


# The v0.2.0 alert: the first thing on the home page, red, above the fold on a phone and a desktop.
ALERT_JS = """() => {
  const box = document.querySelector('article h1 + .admonition');
  if (!box) return null;
  const title = box.querySelector('.admonition-title');
  const link = [...box.querySelectorAll('a')].find(a => a.href.includes('#check-your-install'));
  return {classes: [...box.classList], border: getComputedStyle(box).borderLeftColor,
          titleBottom: title.getBoundingClientRect().bottom, linkBottom: link ? link.getBoundingClientRect().bottom : null,
          href: link ? new URL(link.href).pathname + new URL(link.href).hash : null,
          text: box.innerText, height: innerHeight};
}"""


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_home_page_opens_with_the_v020_alert(viewport: str, sessions: Callable[..., Session]) -> None:
    options = {"viewport": PHONE, "is_mobile": True, "has_touch": True} if viewport == "phone" else {}
    session = sessions(**options)
    page = session.page()
    session.open(page, "/")
    alert = page.evaluate(ALERT_JS)
    assert alert is not None, "the home page's first block after its title is not an admonition"
    assert "danger" in alert["classes"], f"the alert is styled as {alert['classes']}, not as danger"
    hue, saturation = hue_saturation(parse_rgb(alert["border"])[:3])
    assert abs(hue) <= 20 and saturation >= 0.5, f"the alert's border {alert['border']} is not red"
    assert alert["href"] == "/security/database/#check-your-install", alert["href"]
    assert alert["titleBottom"] <= alert["height"], "the alert's title is below the fold"
    if viewport == "desktop":  # on a phone the list is longer than a screen; the title is what must show
        assert alert["linkBottom"] <= alert["height"], "the check-your-install button is below the fold"
    for fact in ("5432", "every network interface", "no login", "/api/v1/logs", "password"):
        assert fact in alert["text"], f"the alert does not mention {fact!r}"
    session.assert_clean()


def _svg_text_sizes(svg: Path) -> list[float]:
    """Font size (SVG units) of every <text> in `svg`, from its <style> classes (the largest class wins)."""
    source = svg.read_text(encoding="utf-8")
    sizes = {m.group(1): float(m.group(2)) for m in
             re.finditer(r"\.([\w-]+)\s*\{[^}]*?font-size:\s*([\d.]+)px", source)}
    default = re.search(r"\btext\s*\{[^}]*?font-size:\s*([\d.]+)px", source)
    out = []
    for element in ET.fromstring(source).iter("{http://www.w3.org/2000/svg}text"):
        own = [sizes[c] for c in element.get("class", "").split() if c in sizes]
        size = max(own) if own else float(default.group(1)) if default else 16.0
        out.append(size)
    return out


DIAGRAM_JS = """() => [...document.querySelectorAll('article img[src*="diagrams/deployment-options"]')]
  .filter(img => img.checkVisibility())
  .map(img => ({src: new URL(img.currentSrc || img.src).pathname, width: img.getBoundingClientRect().width}))"""
MIN_TEXT_PX = 12  # the smallest text people read comfortably on a phone held at arm's length


def test_the_deployment_diagram_is_readable_on_a_phone(site_dir: Path, sessions: Callable[..., Session]) -> None:
    pages = sorted("/" + str(p.parent.relative_to(site_dir)) + "/" for p in site_dir.rglob("index.html")
                   if "diagrams/deployment-options" in p.read_text(encoding="utf-8"))
    assert len(pages) >= 2, f"the deployment diagram should be on at least two pages: {pages}"
    phone = sessions(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    desktop = sessions()
    for path in pages:
        for session, name in ((phone, "phone"), (desktop, "desktop")):
            page = session.page()
            session.open(page, path)
            shown = page.evaluate(DIAGRAM_JS)
            assert len(shown) == 1, f"{path} ({name}): {len(shown)} deployment diagrams displayed: {shown}"
            src, width = shown[0]["src"], shown[0]["width"]
            svg = site_dir / src.lstrip("/")
            view_width = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', svg.read_text(encoding="utf-8")).group(1))
            smallest = min(_svg_text_sizes(svg)) * width / view_width
            if name == "phone":
                assert src.endswith("-narrow.svg"), f"{path}: a phone is shown {src}"
                assert smallest >= MIN_TEXT_PX, f"{path}: the diagram's smallest text is {smallest:.1f}px on a phone"
            else:
                assert not src.endswith("-narrow.svg"), f"{path}: a desktop is shown the phone layout"
            page.close()
    phone.assert_clean()
    desktop.assert_clean()


TABLES_JS = """width => {
  const out = [];
  for (const table of document.querySelectorAll('article table')) {
    if (table.closest('.highlight')) continue;  // line-number tables of code blocks scroll by design
    const r = table.getBoundingClientRect(), box = table.closest('.md-typeset__scrollwrap') || table.parentElement;
    if (r.right > width + 1 || table.scrollWidth > box.clientWidth + 1)
      out.push(`${table.rows[0] ? table.rows[0].innerText.slice(0, 60) : '?'} right=${Math.round(r.right)} ` +
               `scroll=${table.scrollWidth} box=${box.clientWidth}`);
  }
  const cards = [...document.querySelectorAll('article .grid.cards > ul > li')].map(li => li.getBoundingClientRect());
  return {tables: out, cards: cards.length, cardsOut: cards.filter(r => r.left < 0 || r.right > width + 1).length};
}"""


def test_tables_and_cards_fit_a_phone(sweep: Sweep, sessions: Callable[..., Session]) -> None:
    """No column hides to the right of a phone's screen, on any page (tables stack into cards)."""
    session = sessions(viewport=PHONE, is_mobile=True, has_touch=True)
    cut: dict[str, Any] = {}
    home: dict[str, Any] = {}

    def measure(page: Page, path: str) -> None:
        m = page.evaluate(TABLES_JS, PHONE["width"])
        if m["tables"] or m["cardsOut"]:
            cut[path] = m
        if path == "/":
            home.update(m)

    session.visit_all([p for p in sweep.pages if p != "/404.html"], measure)
    assert cut == {}, f"tables or cards wider than a {PHONE['width']}px phone: {cut}"
    assert home.get("cards") == 3, f"the home page should offer its three choices as cards: {home}"
    session.assert_clean()


# -- screenshots ---------------------------------------------------------------------------------
def test_screenshots_of_the_guide(sessions: Callable[..., Session]) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shots = {  # name: (context options, expected scheme, image width)
        "desktop-light": ({"viewport": DESKTOP, "color_scheme": "light"}, "default", DESKTOP["width"]),
        "desktop-dark": ({"viewport": DESKTOP, "color_scheme": "dark"}, "slate", DESKTOP["width"]),
        "phone": ({"viewport": PHONE, "is_mobile": True, "has_touch": True, "device_scale_factor": 2,
                   "color_scheme": "light"}, "default", PHONE["width"] * 2),
    }
    written: list[Path] = []
    for name, (options, scheme, width) in shots.items():
        session = sessions(**options)
        page = session.page()
        session.open(page, "/security/")
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == scheme
        index_shot = SCREENSHOTS / f"security-index-{name}.png"
        db_shot = SCREENSHOTS / f"security-database-insecure-{name}.png"
        for stale in (index_shot, db_shot):  # an old run's file must not pass for this run's
            stale.unlink(missing_ok=True)
        page.screenshot(path=str(index_shot))
        diagram = page.locator("article img[src*='diagrams/']").filter(visible=True).first
        if diagram.count():  # the deployment diagram is an SVG: does it read in dark mode too?
            diagram.screenshot(path=str(SCREENSHOTS / f"security-diagram-{name}.png"))
        session.open(page, "/security/database/")
        box = page.locator("article .admonition.insecure").first
        _reveal(page, box)
        box.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(200)  # let Material's header settle after the scroll
        page.screenshot(path=str(db_shot))
        home_shot = SCREENSHOTS / f"home-{name}.png"
        home_shot.unlink(missing_ok=True)
        session.open(page, "/")
        page.screenshot(path=str(home_shot))  # the v0.2.0 alert must be in this picture
        for shot in (index_shot, db_shot, home_shot):
            assert png_size(shot)[0] == width, f"{shot.name}: {png_size(shot)} is not {width} wide"
            # A blank page compresses to a few kB; a rendered page of text is far larger.
            assert shot.stat().st_size > 20_000, f"{shot.name} is only {shot.stat().st_size} bytes"
        written += [index_shot, db_shot, home_shot]
        session.assert_clean()
    assert len({p.read_bytes() for p in written}) == len(written), "two screenshots are identical"

