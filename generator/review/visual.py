"""Visual review: every page of two builds as pictures, compared pixel by pixel.

`diff` says which derived values changed; a template or stylesheet change moves no
value and can still break every page. This module screenshots both builds in
Debian's Chromium at desktop and phone width (or one of them), compares the pictures with Pillow
and writes a static report (before, after, the difference highlighted) beside the
state changes `diff` found for the same scenario.

Cheap where it can be: a page renders from its own bytes and the files it loads
(frames, stylesheet, scripts, data), so when all of those are identical it is counted
without a screenshot. When only pages changed, that is read from the bytes; when a
non-page file changed, each page whose own bytes did not change is loaded once per
width reviewed to see which files it asks for (and screenshotted there if one of them changed).
Deterministic where it must be: animations
and the caret are off in every screenshot, fonts are Debian's (scripts/setup
installs them), and nothing on a page depends on the clock.
"""
from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import html
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote, urljoin, urlsplit

from ..errors import GeneratorError
from ..words import counted
from ..urls import site_path
from .site_server import SiteServer
from .widths import WIDTH_NAMES, size_of

#: Debian's Chromium (Playwright's own browser download cannot work offline), started without
#: background networking (else it keeps dialling out) and without the sandbox (unusable as root).
#: The browser tests launch it the same way: tests/browser/browser_harness.py imports both.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--font-render-hinting=none", "--force-color-profile=srgb", "--hide-scrollbars"]
#: Fonts loaded and two frames painted: a screenshot taken sooner was seen showing stale tiles.
SETTLED = "document.fonts.ready.then(() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done))))"
#: Screenshots of one page taken at most, looking for two identical in a row.
STEADY_TRIES = 4
#: A whole page's size as Playwright's full-page screenshot measures it.
FULL_PAGE_SIZE = """() => [document.body, document.documentElement].reduce(([w, h], e) =>
  [Math.max(w, e.scrollWidth, e.offsetWidth, e.clientWidth), Math.max(h, e.scrollHeight, e.offsetHeight, e.clientHeight)],
  [0, 0])"""
#: Run in every frame before each capture: what Playwright's screenshot(animations="disabled",
#: caret="hide") does, in the document and every shadow root: finite animations and transitions
#: finished, infinite ones cancelled (also those that start while the page is shot), the caret of
#: every text field transparent. Nothing is undone: a page is not shown again after its screenshots.
#: Its roots are remembered so that a second run adds no second listener.
STILL = """() => {
  const seen = window[Symbol.for("generator.review.still")] ??= new WeakSet();
  const roots = [document];
  for (let i = 0; i < roots.length; i++) {
    const walker = document.createTreeWalker(roots[i], NodeFilter.SHOW_ELEMENT);
    for (let node = walker.currentNode; node; node = walker.nextNode())
      if (node.shadowRoot) roots.push(node.shadowRoot);
  }
  for (const root of roots) {
    const still = () => {
      for (const animation of root.getAnimations()) {
        if (!animation.effect || animation.playbackRate === 0) continue;
        try {
          if (Number.isFinite(animation.effect.getComputedTiming().endTime)) animation.finish();
          else animation.cancel();
        } catch (e) {}
      }
    };
    still();
    if (!seen.has(root)) {
      seen.add(root);
      root.addEventListener("transitionrun", still);
      root.addEventListener("animationstart", still);
    }
    for (const field of root.querySelectorAll("input,textarea,[contenteditable]"))
      field.style.setProperty("caret-color", "transparent", "important");
  }
  return document.fonts.ready.then(() => {});  // as Playwright waits: a finished animation may want a font
}"""
#: Seconds STILL waits for a frame's document: a frame that never gets one is shot as it is.
FRAME_WAIT = 5
#: Pages screenshotted at once: Chromium renders in parallel, Python only waits.
PARALLEL = 4
#: A pixel counts as changed when any channel moves by more than this (antialiasing noise is 0 here).
TOLERANCE = 0
#: References to other pages a page draws inside itself (frames): their bytes count as the page's.
FRAME_SRC = re.compile(rb"<(?:iframe|frame|object|embed)\b[^>]*?\b(?:src|data)=\"([^\"#?]+)", re.I)
#: A dot written as a percent escape, which a browser reads as a dot in "." and ".." segments.
DOT = re.compile("%2e", re.I)


class ReviewError(GeneratorError):
    """The two builds cannot be reviewed (missing folder, no browser, unreadable page)."""


@dataclass(frozen=True)
class Tab:
    """A tab of the review's browser and a DevTools session of it, for its screenshots."""

    page: object  # playwright.async_api.Page
    devtools: object  # playwright.async_api.CDPSession, given the tab's device metrics


@dataclass(frozen=True)
class PageChange:
    page: str
    width: str
    #: Changed pixels / pixels of the larger picture; 1.0 for a page only one build has.
    ratio: float
    changed_pixels: int
    kind: str = "changed"  # "changed", "added" or "removed"


@dataclass
class ReviewResult:
    changes: list[PageChange] = field(default_factory=list)
    unchanged: int = 0
    #: Pages skipped without a screenshot because every byte they render from is identical.
    identical: int = 0
    screenshots: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def pages(self) -> list[str]:
        return list(dict.fromkeys(c.page for c in self.changes))


# --- which pages can have changed --------------------------------------------------------------

def html_pages(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.is_file()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assets(site: Path) -> set[str]:
    """Everything but the pages: stylesheet, scripts, data, icons."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and p.suffix != ".html"}


def _frames(site: Path, page: str) -> list[str]:
    """The site paths `page`'s frames name: each address FRAME_SRC finds (in double quotes, as the
    generator writes them) resolved from the page's own, a backslash read as a slash and "%2e" as
    a dot, as a browser reads them."""
    found = []
    for target in FRAME_SRC.findall((site / page).read_bytes()):
        written = DOT.sub(".", target.decode("utf-8", "replace").replace("\\", "/"))
        path = site_path(urlsplit(urljoin("/" + quote(page), written)).path)
        if path is not None:
            found.append(path)
    return found


def candidates(old: Path, new: Path, browser: Browser,
               force: bool = False) -> tuple[list[str], int, dict[tuple[str, str], bytes]]:
    """(pages to screenshot, pages counted identical without one, {(page, width): screenshot of
    `new`} already taken). A page is identical when it and every file it loads are byte for byte
    the same in both sites. Without a changed non-page file that is its bytes and its frames';
    with one, what a page loads is read in the browser (scripts may ask for any file), once per
    width for each page whose own bytes are the same, and a page that asked for a changed file is
    screenshotted there and then."""
    old_pages, new_pages = html_pages(old), html_pages(new)
    every = sorted(old_pages | new_pages)
    if force:
        return every, 0, {}
    digests: dict[tuple[Path, str], tuple[str, str | None] | None] = {}

    def same(relative: str) -> bool:
        """Whether a site path is the same in both builds: a file with the same bytes, or a folder
        whose index.html has them (its address without the "/" is redirected there), or nothing
        in either. A file in one build and a folder in the other differ: relative addresses on
        them resolve from another place."""
        for site in (old, new):
            if (site, relative) not in digests:
                path = site / relative
                try:
                    if path.is_dir():
                        index = path / "index.html"
                        digests[site, relative] = ("folder", _digest(index) if index.is_file() else None)
                    else:
                        digests[site, relative] = ("file", _digest(path)) if path.is_file() else None
                except OSError:  # a name too long to look up: no file there
                    digests[site, relative] = None
        return digests[(old, relative)] == digests[(new, relative)]  # also: missing from both

    unchanged = [p for p in every if same(p)]
    # Each file read once: its digest serves the pages and the assets alike.
    taken: dict[tuple[str, str], bytes] = {}
    if all(same(f) for f in _assets(old) | _assets(new)):
        kept = [p for p in unchanged if all(same(f) for f in set(_frames(old, p) + _frames(new, p)))]
    else:
        loads, taken = record_loads(browser, new, unchanged, lambda asked: not all(map(same, asked)))
        kept = [p for p in unchanged if all(same(f) for f in loads[p])]
    todo = sorted(set(every) - set(kept))
    return todo, len(every) - len(todo), taken


# --- screenshots -------------------------------------------------------------------------------

def _playwright():
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        raise ReviewError("review needs Playwright: run scripts/setup --test") from None
    if not CHROMIUM.exists():
        raise ReviewError(f"review needs Debian's Chromium at {CHROMIUM}: run scripts/setup --test")
    return async_playwright


class Browser:
    """One browser for a whole review, started at its first use and closed by `with`: the pages
    loaded to see which files they ask for and the screenshots share it, its contexts and its tabs
    (a start with its tabs costs about as much CPU as four screenshots). It opens the pages of
    each site over HTTP, as the hosted site is read (site_server.py says why not from file://)."""

    def __init__(self, widths: Iterable[str]):
        self.widths = list(widths)
        self._runner = asyncio.Runner()
        self._stack = contextlib.AsyncExitStack()
        self._browser = None
        self._contexts: dict[str, object] = {}
        self._tabs: dict[str, list] = {}
        self._servers: dict[Path, SiteServer] = {}
        self._serving = contextlib.ExitStack()

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, kind, *_) -> None:
        try:
            self._run(self._stack.aclose())
        except ReviewError:
            if kind is None:  # else the error on its way out says more than a failed close
                raise
        finally:
            try:
                self._runner.close()
            finally:
                self._serving.close()

    def server(self, site: Path) -> SiteServer:
        """The server of the folder `site`, started at its first use, until the browser closes."""
        if site not in self._servers:
            self._servers[site] = self._serving.enter_context(SiteServer(site))
        return self._servers[site]

    def url(self, site: Path, page: str) -> str:
        """The address of `page`, a path relative to the folder `site`."""
        return self.server(site).url(page)

    def visit_all(self, jobs: list, width_of, visit) -> dict:
        """{job: await visit(tab, job)} for each job, in tabs of width_of(job)'s context."""
        return self._run(self._visit_all(jobs, width_of, visit)) if jobs else {}

    def _run(self, work):
        try:
            return self._runner.run(work)
        except ReviewError:
            raise
        except Exception as exc:  # Playwright's own errors: name the kind, never a page's text
            raise ReviewError(f"the browser could not load the pages ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:200] if str(exc) else ''})") from None

    async def _visit_all(self, jobs: list, width_of, visit) -> dict:
        """PARALLEL tabs at a time over the widths, no more tabs than jobs: Chromium renders in
        parallel, Python only waits."""
        results: dict = {}
        queues: dict[str, asyncio.Queue] = {}
        for job in jobs:
            queues.setdefault(width_of(job), asyncio.Queue()).put_nowait(job)

        async def worker(tab, queue: asyncio.Queue) -> None:
            while not queue.empty():
                job = queue.get_nowait()
                results[job] = await visit(tab, job)

        per_width = max(1, PARALLEL // len(queues))
        workers = [worker(tab, queue) for name, queue in queues.items()
                   for tab in await self._tabs_of(name, min(per_width, queue.qsize()))]
        await asyncio.gather(*workers)
        return results

    async def _tabs_of(self, width: str, count: int) -> list:
        """`count` tabs of `width`'s context: the ones opened before, and new ones if too few."""
        if self._browser is None:
            playwright = await self._stack.enter_async_context(_playwright()())
            self._browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            self._stack.push_async_callback(self._browser.close)
        w, h, scale = size_of(width)
        if width not in self._contexts:
            self._contexts[width] = await self._browser.new_context(
                viewport={"width": w, "height": h}, device_scale_factor=scale,
                reduced_motion="reduce", color_scheme="light", locale="en-US", timezone_id="UTC")
        tabs = self._tabs.setdefault(width, [])
        while len(tabs) < count:
            page = await self._contexts[width].new_page()
            devtools = await self._contexts[width].new_cdp_session(page)
            await devtools.send("Emulation.setDeviceMetricsOverride", device_metrics(w, h, scale))
            tabs.append(Tab(page, devtools))
        return tabs[:count]


async def _open_settled(page, url: str) -> None:
    await page.goto(url, wait_until="load")
    await page.evaluate(SETTLED)


def record_loads(browser: Browser, site: Path, pages: list[str], shows_change: Callable[[set[str]], bool],
                 ) -> tuple[dict[str, set[str]], dict[tuple[str, str], bytes]]:
    """({page: every file of `site` (the new build) it asks for until it is settled, as for its
    screenshot, at any of the browser's widths}: itself, its frames, and whatever its stylesheets
    and scripts fetch; {(page, width): its screenshot} where shows_change(what it asked for))."""
    server = browser.server(site)

    async def record(tab, job):
        page = tab.page
        asked: set[str] = set()

        def on_request(request) -> None:
            path = server.path_of(request.url)  # a folder's address counts as its index.html
            if path is not None:
                asked.add(path)
        page.on("request", on_request)
        try:
            await _open_settled(page, browser.url(site, job[0]))
        finally:
            page.remove_listener("request", on_request)
        # Loaded and settled as screenshot() would have it: shot now rather than loaded again.
        return asked, (await _steady_screenshot(tab, f"{job[0]} (new)") if shows_change(asked) else None)
    found = browser.visit_all([(page, width) for page in pages for width in browser.widths],
                              lambda job: job[1], record)
    loads: dict[str, set[str]] = {page: set() for page in pages}
    shots: dict[tuple[str, str], bytes] = {}
    for (page, width), (asked, shot) in found.items():
        loads[page] |= asked
        if shot is not None:
            shots[page, width] = shot
    return loads, shots


def device_metrics(width: int, height: int, scale: float) -> dict:
    """The device metrics Playwright sends for a context of that viewport and scale (not mobile,
    screen as large as the viewport). A DevTools session that captures must be given them first:
    a capture from it puts back that session's metrics, even one within the viewport; with none
    set, the page was seen left on an 800 x 600 screen."""
    return {"mobile": False, "width": width, "height": height, "screenWidth": width, "screenHeight": height,
            "deviceScaleFactor": scale, "screenOrientation": {"angle": 0, "type": "landscapePrimary"}}


def full_page_capture(size: list[int], viewport: dict, scale: float = 1) -> dict:
    """Page.captureScreenshot's request for a whole page of `size` (FULL_PAGE_SIZE) as Playwright's
    page.screenshot(full_page=True) makes it (`scale` 1: device pixels; 1 / device scale factor:
    CSS pixels), the same pixels, with the encoder asked for speed, which Playwright does not
    expose: about 40 % less CPU a shot, for a PNG about a quarter larger."""
    width, height = size
    return {"format": "png", "optimizeForSpeed": True,
            "captureBeyondViewport": width > viewport["width"] or height > viewport["height"],
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": scale}}


async def _still(frame, main: bool) -> None:
    """STILL in one frame. A frame detached meanwhile, or with no document yet (for FRAME_WAIT
    seconds), is left as it is, as Playwright's own capture leaves it; the page's own frame is not."""
    try:
        await asyncio.wait_for(frame.evaluate(STILL), FRAME_WAIT)
    except Exception:
        if main:
            raise


async def _full_page_png(tab: Tab) -> bytes:
    """page.screenshot(full_page=True, animations="disabled", caret="hide"), for less CPU."""
    main = tab.page.main_frame
    await asyncio.gather(*(_still(frame, frame == main) for frame in tab.page.frames))
    size = await tab.page.evaluate(FULL_PAGE_SIZE)
    shot = await tab.devtools.send("Page.captureScreenshot", full_page_capture(size, tab.page.viewport_size))
    return base64.b64decode(shot["data"])


async def _steady_screenshot(tab: Tab, page: str) -> bytes:
    """A full-page screenshot taken until two in a row are identical: Chromium's full-page capture
    of a long phone page was seen, now and then, repeating tiles of the page."""
    previous = None
    for _ in range(STEADY_TRIES):
        shot = await _full_page_png(tab)
        if shot == previous:
            return shot
        previous = shot
    raise ReviewError(f"{page}: no two screenshots in a row were the same")


def screenshot(browser: Browser, jobs: list[tuple[str, Path, str, str]]) -> dict[tuple[str, Path, str, str], bytes]:
    """Screenshot every (side, site, page, width), whole page."""
    async def shoot(tab, job):
        side, site, rel, _ = job
        await _open_settled(tab.page, browser.url(site, rel))
        return await _steady_screenshot(tab, f"{rel} ({side})")
    return browser.visit_all(jobs, lambda job: job[3], shoot)


# --- pictures ----------------------------------------------------------------------------------

def compare_pictures(before: bytes, after: bytes) -> tuple[int, int, bytes | None]:
    """(changed pixels, pixels, highlight PNG or None). Pictures of different heights are compared
    on the larger canvas: what only one side has counts as changed."""
    from PIL import Image, ImageChops

    if before == after:  # the same PNG: the same pixels, read from its header without decoding them
        width, height = Image.open(io.BytesIO(before)).size
        return 0, width * height, None
    a = Image.open(io.BytesIO(before)).convert("RGB")
    b = Image.open(io.BytesIO(after)).convert("RGB")
    size = (max(a.width, b.width), max(a.height, b.height))
    canvas_a, canvas_b = (Image.new("RGB", size, (255, 0, 255)) for _ in range(2))
    canvas_a.paste(a)
    canvas_b.paste(b)
    # Each channel against TOLERANCE, then any of them: "L" alone weighs the channels and lost
    # small changes of red or blue (a blue moved by 4 weighs 0).
    mask = (ImageChops.difference(canvas_a, canvas_b).point(lambda v: 255 if v > TOLERANCE else 0)
            .convert("L").point(lambda v: 255 if v else 0))
    changed = mask.histogram()[255]
    total = size[0] * size[1]
    if not changed:
        return 0, total, None
    # The after picture faded, changed pixels in solid magenta: visible on light and dark pages.
    faded = Image.blend(canvas_b, Image.new("RGB", size, (255, 255, 255)), 0.65)
    faded.paste(Image.new("RGB", size, (214, 0, 120)), mask=mask)
    out = io.BytesIO()
    faded.save(out, format="PNG", optimize=False)
    return changed, total, out.getvalue()


# --- the whole review --------------------------------------------------------------------------

def review(old: Path, new: Path, force: bool = False,
           widths: Iterable[str] = WIDTH_NAMES) -> tuple[ReviewResult, dict]:
    """Compare two built site folders at `widths` (names in WIDTHS). Returns the result and the
    pictures of changed pages: {(page, width): (before PNG or None, after PNG or None, highlight PNG or None)}."""
    wanted = set(widths)
    if not wanted or wanted - set(WIDTH_NAMES):
        raise ReviewError(f"widths must be some of {', '.join(WIDTH_NAMES)}")
    widths = [name for name in WIDTH_NAMES if name in wanted]
    for site in (old, new):
        if not site.is_dir():
            raise ReviewError(f"{site}: not a built site folder")
    with Browser(widths) as browser:  # started only if a page must be loaded
        todo, identical, taken = candidates(old, new, browser, force)
        old_pages, new_pages = html_pages(old), html_pages(new)
        jobs = [(side, site, page, width) for page in todo
                for side, site, pages in (("old", old, old_pages), ("new", new, new_pages))
                if page in pages for width in widths if not (side == "new" and (page, width) in taken)]
        shots = screenshot(browser, jobs) | {("new", new, page, width): png for (page, width), png in taken.items()}
    result = ReviewResult(identical=identical, screenshots=len(shots))
    pictures: dict[tuple[str, str], tuple[bytes | None, bytes | None, bytes | None]] = {}
    for page in todo:
        page_changed = False
        for width in widths:
            before, after = shots.get(("old", old, page, width)), shots.get(("new", new, page, width))
            if before is None or after is None:
                kind = "added" if before is None else "removed"
                result.changes.append(PageChange(page, width, 1.0, 0, kind))
                pictures[(page, width)] = (before, after, None)
                page_changed = True
                continue
            changed, total, highlight = compare_pictures(before, after)
            if changed:
                result.changes.append(PageChange(page, width, changed / total, changed))
                pictures[(page, width)] = (before, after, highlight)
                page_changed = True
        if not page_changed:
            result.unchanged += 1
    result.unchanged += identical
    result.changes.sort(key=lambda c: (-c.ratio, c.page, c.width))
    return result, pictures


def scenario_of(page: str) -> str | None:
    """The scenario a page shows (scenarios/<id>/index.html, in any locale), else None."""
    match = re.search(r"(?:^|/)scenarios/([^/]+)/index\.html$", page)
    return match.group(1) if match else None


def locale_of(page: str, locales: Iterable[str]) -> str:
    first = page.split("/", 1)[0]
    return first if first in locales else "en"


def write_report(out: Path, result: ReviewResult, pictures: dict, state_changes: dict[str, list],
                 labels: tuple[str, str], threshold: float) -> Path:
    """The report as static files: index.html (English) and fr/index.html, pictures under img/."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    from ..site.formats import FILTERS
    from ..site.render import TEMPLATES, Catalogue
    from ..model.scenario import LOCALES

    if out.exists():
        shutil.rmtree(out)
    (out / "img").mkdir(parents=True)
    names: dict[tuple[str, str], dict[str, str]] = {}
    for number, ((page, width), trio) in enumerate(sorted(pictures.items())):
        names[(page, width)] = {}
        for role, png in zip(("before", "after", "difference"), trio):
            if png is not None:
                name = f"img/{number:04d}-{width}-{role}.png"
                (out / name).write_bytes(png)
                names[(page, width)][role] = name
    shutil.copyfile(TEMPLATES / "review.css", out / "review.css")
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    env.filters.update(FILTERS)  # numbers as each locale writes them
    template = env.get_template("review.html")
    for locale in LOCALES:
        prefix = "" if locale == "en" else f"{locale}/"
        root = "../" * prefix.count("/")
        entries = [{"change": c, "images": names.get((c.page, c.width), {}),
                    "scenario": scenario_of(c.page), "states": state_changes.get(scenario_of(c.page) or "", []),
                    "over": c.ratio >= threshold, "page_locale": locale_of(c.page, LOCALES)}
                   for c in result.changes]
        text = template.render(t=Catalogue.load(locale), lang=locale, root=root, result=result,
                               entries=entries, labels=labels, threshold=threshold,
                               alternates=[(other, "../" * prefix.count("/") + ("" if other == "en" else f"{other}/")
                                            + "index.html") for other in LOCALES if other != locale])
        target = out / prefix / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return out / "index.html"


def summary_markdown(result: ReviewResult, threshold: float) -> str:
    """For a pull request's job summary: changed pages, the large changes first."""
    lines = ["## Visual review", ""]
    if not result.changed:
        lines.append(f"No page changed ({counted(result.unchanged, 'page')} compared).")
        return "\n".join(lines) + "\n"
    over = [c for c in result.changes if c.ratio >= threshold]
    lines.append(f"{counted(len(result.pages()), 'page')} changed, {result.unchanged} unchanged; "
                 f"{counted(len(over), 'view')} changed by {threshold:.0%} or more (listed first).")
    lines += ["", "| page | width | changed | |", "|---|---|---|---|"]
    for c in result.changes:
        mark = "**large**" if c.ratio >= threshold else ""
        what = c.kind if c.kind != "changed" else f"{c.ratio:.2%}"
        lines.append(f"| `{html.escape(c.page)}` | {c.width} | {what} | {mark} |")
    return "\n".join(lines) + "\n"


def summary_text(result: ReviewResult, threshold: float) -> str:
    if not result.changed:
        return (f"No page changed ({counted(result.unchanged, 'page')} compared, "
                f"{counted(result.screenshots, 'screenshot')}).\n")
    lines = [f"{counted(len(result.pages()), 'page')} changed, {result.unchanged} unchanged "
             f"({counted(result.screenshots, 'screenshot')}, "
             f"{counted(result.identical, 'page')} identical by their bytes):"]
    for c in result.changes:
        flag = "!" if c.ratio >= threshold else " "
        what = c.kind if c.kind != "changed" else f"{c.ratio:7.2%}"
        lines.append(f" {flag} {c.page} [{c.width}] {what}")
    return "\n".join(lines) + "\n"
