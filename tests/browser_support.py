"""Helpers for the browser tests: build and serve the site, find Chromium, watch the network.

Kept apart from test_browser.py so the tests read as what a reader does, and so nothing
here imports Playwright at module level (the tests must still be collected, and skip or
fail with one clear line, on a machine without it).
"""

from __future__ import annotations

import colorsys
import contextlib
import functools
import http.server
import os
import re
import shutil
import struct
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response, Route, WebSocketRoute

ROOT = Path(__file__).resolve().parent.parent
SITE_ENV = "SNIPPETGUARD_BROWSER_SITE"
CHROMIUM_ENV = "SNIPPETGUARD_CHROMIUM"  # another Chromium binary (or a missing one, to try the skip)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",  # the browser's own phoning home is not the site's
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_CHROMIUM = "install it with `apt-get install chromium` (Debian's package; Playwright's download is not used)"
INSTALL_PLAYWRIGHT = "install it with `.venv/bin/pip install -r requirements.txt` (playwright is pinned there)"
# Material 9.8 renders the copy button as button.md-code__button[data-md-type=copy];
# older releases (and the issue text) call it button.md-clipboard. Accept either.
COPY_BUTTON = 'button.md-clipboard, button.md-code__button[data-md-type="copy"]'


# -- what to test: a project to build, or a site already built ----------------------------------
@dataclass(frozen=True)
class SiteUnderTest:
    project: Path  # holds mkdocs.yml and docs/ (the snippets the copies are compared with)
    prebuilt: Path | None  # a built site to serve as it is, instead of building `project`

    @property
    def snippets(self) -> Path:
        return self.project / "docs" / "snippets"


def site_under_test() -> SiteUnderTest:
    """This repository, or the folder named by $SNIPPETGUARD_BROWSER_SITE.

    That folder is either a project (mkdocs.yml + docs/, e.g. a copy with a deliberate
    breakage) or an already built site (index.html); a built site is compared with the
    snippets of the project it sits in (its parent holds docs/snippets/), else this repository's.
    """
    raw = os.environ.get(SITE_ENV, "").strip()
    if not raw:
        return SiteUnderTest(ROOT, None)
    path = Path(raw).expanduser().resolve()
    if (path / "mkdocs.yml").is_file():
        return SiteUnderTest(path, None)
    if (path / "index.html").is_file():  # compared with the project it was built from, if beside it
        project = path.parent if (path.parent / "docs" / "snippets").is_dir() else ROOT
        return SiteUnderTest(project, path)
    raise FileNotFoundError(f"${SITE_ENV}={raw}: neither a project (mkdocs.yml) nor a built site (index.html)")


def build_site(project: Path, dest: Path, timeout: int = 600) -> Path:
    """A strict build of `project` into `dest` (the same command readers' site is built with)."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SNIPPETGUARD_CACHE_DIR": str(dest.parent / "sg-cache")}
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(project / "mkdocs.yml"),
         "--site-dir", str(dest)],
        cwd=project, capture_output=True, text=True, timeout=timeout, env=env,
    )
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-40:])
        raise RuntimeError(f"strict build of {project} failed (exit {proc.returncode}):\n{tail}")
    return dest


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # failed requests are seen by the browser; the log would only be noise


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) in a thread; yields the base URL without '/'."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def page_paths(site: Path) -> list[str]:
    """Every page of the built site as a URL path ('/', '/security/database/', '/404.html').

    Both the sitemap and a walk of */index.html, so a page missing from either is still visited.
    """
    paths = {"/"}
    sitemap = site / "sitemap.xml"
    if sitemap.is_file():
        ns = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        for loc in ET.parse(sitemap).getroot().findall("sm:url/sm:loc", ns):
            path = urlsplit((loc.text or "").strip()).path or "/"
            paths.add(path if path.endswith("/") else path + "/")
    for index in site.rglob("index.html"):
        rel = index.parent.relative_to(site).as_posix()
        if rel.split("/")[0] in ("assets", "snippets", "search"):
            continue
        paths.add("/" if rel == "." else f"/{rel}/")
    if (site / "404.html").is_file():
        paths.add("/404.html")
    return sorted(paths)


def find_chromium() -> str | None:
    """Debian's Chromium (never a browser Playwright downloads), or the one $SNIPPETGUARD_CHROMIUM names."""
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        return chosen if os.access(chosen, os.X_OK) else None
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


# -- watching what a page does --------------------------------------------------------------------
def is_local(url: str, base: str) -> bool:
    """True for the test server, and for URLs that never touch the network (data:, blob:, about:)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about", "chrome-extension", "devtools"):
        return True
    return parts.hostname == "127.0.0.1" and url.startswith(base)


@dataclass
class Watch:
    """Everything a browser context asked for, and everything that went wrong on its pages."""

    base: str
    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def attach(self, context: BrowserContext) -> BrowserContext:
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_failed)
        context.on("response", self._on_response)
        # Abort anything not on the test server: a leak must not reach the network, and the
        # browser must not hang on a host it cannot reach.
        context.route("**/*", self._route)
        # WebSockets bypass route(): watch them on their own.
        context.route_web_socket(re.compile(r".*"), self._route_ws)
        context.on("page", self._on_page)
        for page in context.pages:
            self._on_page(page)
        return context

    def _on_page(self, page: Page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)
        if not is_local(request.url, self.base):
            self.external.append(f"{request.resource_type} {request.url}")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def _on_failed(self, request: Request) -> None:
        # External ones are aborted on purpose and listed apart; ERR_ABORTED is a late request
        # (the favicon) cut short because the test moved on to the next page.
        if is_local(request.url, self.base) and request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.failure} {request.url}")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if where and not is_local(where, self.base):
            return  # "Failed to load resource" for a request we aborted: reported as external
        self.console_errors.append(f"{where}: {message.text}")

    def _route(self, route: Route) -> None:
        if is_local(route.request.url, self.base):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    def _route_ws(self, ws: WebSocketRoute) -> None:
        self.external.append(f"websocket {ws.url}")  # the site has no WebSocket, local or not
        ws.close()

    def problems(self) -> list[str]:
        return [*self.failed, *self.console_errors, *self.page_errors]


# -- colours -------------------------------------------------------------------------------------
_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_rgb(css: str) -> tuple[float, float, float, float]:
    """A computed CSS colour ('rgb(198, 40, 40)', 'rgba(0, 0, 0, 0.5)') as r, g, b (0-255) and alpha."""
    match = _RGB.search(css)
    if not match:
        raise ValueError(f"not an rgb() colour: {css!r}")
    r, g, b = (float(match.group(i)) for i in (1, 2, 3))
    alpha = match.group(4)
    a = 1.0 if alpha is None else float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha)
    return r, g, b, a


def over(top: tuple[float, float, float, float], below: tuple[float, float, float]) -> tuple[float, float, float]:
    """`top` composited over an opaque `below`."""
    r, g, b, a = top
    return (r * a + below[0] * (1 - a), g * a + below[1] * (1 - a), b * a + below[2] * (1 - a))


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    """WCAG contrast ratio, 1 to 21."""
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def hue_saturation(rgb: tuple[float, float, float]) -> tuple[float, float]:
    """Hue in degrees (-180..180, red = 0) and HLS saturation (0..1)."""
    h, _, s = colorsys.rgb_to_hls(*(v / 255 for v in rgb))
    hue = h * 360
    return (hue - 360 if hue > 180 else hue), s


# -- screenshots ---------------------------------------------------------------------------------
def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's header (and proof that it is one)."""
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError(f"{path} is not a PNG")
    width, height = struct.unpack(">II", head[16:24])
    return width, height
