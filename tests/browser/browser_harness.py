"""What the browser tests share: Chromium launch settings, a reusable tab that records problems,
the axe-core runner, and the site served over HTTP or opened from file://.

Kept free of pytest so that tests for later pages (compare view, dev server, other locales) reuse it
by importing, and fixtures in conftest.py stay thin.
"""
from __future__ import annotations

import functools
import http.server
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parents[2]

#: Debian's Chromium; Playwright's own browser download cannot work offline.
CHROMIUM = Path("/usr/bin/chromium")
#: From DEVELOPERS.md: without the background-networking flags Chromium keeps dialling out.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

#: Installed by `scripts/setup --test` (npm ci, pinned by package-lock.json).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 level AA, with everything from 2.0 and 2.1 it includes.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: Viewports as (width, height, device scale factor). 200 % zoom of a 1280 px window lays the page
#: out in 640 CSS px with two device pixels each: exactly what the browser's zoom does.
VIEWPORTS = {
    "desktop": (1280, 800, 1),
    "mobile": (375, 740, 2),
    "narrow": (320, 640, 1),
    "zoom-200": (640, 400, 2),
}

SETUP_HINT = "run scripts/setup --test (installs Debian's chromium, playwright and axe-core)"


def missing_tools() -> list[str]:
    """What `scripts/setup --test` would install and is not there; empty when ready."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(str(CHROMIUM))
    try:
        import playwright  # noqa: F401
    except ImportError:
        missing.append("playwright (Python)")
    if not AXE.is_file():
        missing.append(str(AXE.relative_to(ROOT)))
    return missing


@dataclass(frozen=True)
class Served:
    """The built site as the browser reaches it: base URL ending in '/', and how (http or file)."""

    how: str
    base: str

    def url(self, relative: str) -> str:
        return urljoin(self.base, relative)

    def relative(self, url: str) -> str:
        """The site path of a URL under this base ('' for one outside it)."""
        return url[len(self.base):].split("#")[0] if url.startswith(self.base) else ""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


class SiteServer:
    """The built site over HTTP on 127.0.0.1 and a free port, in a background thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@dataclass
class Tab:
    """One browser page reused for many visits; each visit records its console errors, failed
    requests and requests leaving the site, so a test can assert there were none."""

    page: object  # playwright.sync_api.Page
    problems: list[str] = field(default_factory=list)
    site_prefix: str = ""

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.on("request", self._request)

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _failed(self, request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled because the test moved on (a late favicon fetch), not a fault of the site
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request) -> None:
        if self.site_prefix and not request.url.startswith(self.site_prefix):
            self.problems.append(f"request outside the site: {request.url}")

    def visit(self, served: Served, relative: str) -> Tab:
        """Open a site page afresh; problems from earlier visits are forgotten."""
        self.problems = []
        self.site_prefix = served.base
        self.page.goto(served.url(relative), wait_until="load")
        return self

    def run_axe(self, tags: list[str] = WCAG_22_AA) -> list[dict]:
        """axe-core's violations for the current page. Injected through the DevTools protocol,
        which the page's strict CSP does not govern, so the page under test stays unchanged."""
        if not self.page.evaluate("() => typeof window.axe === 'object'"):
            self.page.evaluate(_axe_source())
        options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
        return self.page.evaluate("options => axe.run(document, options).then(r => r.violations)", options)


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def describe_violations(violations: list[dict]) -> str:
    """One line per violation and node: rule, impact, where, and axe's own explanation."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            lines.append(f"  {v['id']} ({v['impact']}) at {' '.join(node['target'])}: "
                         f"{node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


def site_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, as relative paths: new pages are checked without new tests."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def scenario_paths(site: Path) -> list[str]:
    """Scenario pages in the site's own order (the manifest's, which is the lifecycle order)."""
    manifest = json.loads((site / "scenarios.json").read_text(encoding="utf-8"))
    return [entry["path"] for entry in manifest["scenarios"]]


def screenshot_name(relative: str, variant: str) -> str:
    """'scenarios/healthy/index.html' + 'desktop' → 'scenarios-healthy-desktop.png'."""
    stem = relative.removesuffix("index.html").removesuffix(".html").strip("/").replace("/", "-")
    return f"{stem or 'index'}-{variant}.png"
