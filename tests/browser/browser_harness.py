"""What the browser tests share: Chromium launch settings, a reusable tab that records problems,
the axe-core runner, and the site served over HTTP or opened from file://.

Kept free of pytest so that tests for later pages (compare view, dev server, other locales) reuse it
by importing, and fixtures in conftest.py stay thin.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

# Chromium launched as the review command launches it: what a test sees is what a review sees.
from generator.review.visual import CHROMIUM, CHROMIUM_ARGS, FULL_PAGE_SIZE, device_metrics, full_page_capture

ROOT = Path(__file__).resolve().parents[2]

#: Installed by `scripts/setup --test` (npm ci, pinned by package-lock.json).
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.2 level AA, with everything from 2.0 and 2.1 it includes.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: axe's own category for the rules whose outcome depends on rendered colours (in axe-core 4.14 at
#: WCAG 2.2 AA: color-contrast and link-in-text-block): all a dark run needs on a page checked in
#: full in light, since the scheme changes colours only (why, and checked:
#: test_browser_a11y.test_the_dark_scheme_changes_colours_only). Measured over the light sample,
#: color-contrast is about half of a full run, so a colour run costs about 60 %.
COLOUR = "cat.color"
#: Backgrounds style.css draws only at a scrolling edge: .table-wrap's scroll shadows, a shade at an
#: edge beyond which more of the table lies. axe cannot see through a gradient, so it left the
#: contrast of every text over them unchecked (about 1,900 table cells on the sample's pages, in
#: each scheme). Tab.run_axe runs with these backgrounds taken away (AUDIT), so those texts are
#: judged against the background they have everywhere but under the shade at an edge, where the
#: text runs on out of view (not checked).
EDGE_SHADES = ".table-wrap"
#: Why axe may rightly leave a text's contrast unchecked (its color-contrast "incomplete" message
#: key): characters outside Unicode's basic plane (icons, not text). Any other text axe leaves, once
#: AUDIT has scrolled those a scroll box cuts into view, is one whose contrast nobody checked:
#: run_axe reports it ("contrast-unchecked"). But for one: an element larger than the scroll box it
#: lies in (LARGER), which no scroll shows whole, whatever axe's reason. Too wide a gap: it is
#: decided by the element's box, not its text's. A text too tall for its box is judged where AUDIT
#: can grow the box. On the bundled site it exempts no text the tests audit (counted over the sample
#: at 1280 px); at 320 px it would exempt the overview's column headers, each a phrase on one line
#: (13 over both languages).
NOT_TEXT = ("nonBmp",)
LARGER = "larger than the scroll box it lies in"
#: WCAG 1.4.3 (AA): 4.5:1 for text, 3:1 for large text (24 px, or 18.66 px bold).
TEXT_CONTRAST, LARGE_TEXT_CONTRAST = 4.5, 3.0

#: Viewports as (width, height, device scale factor). 200 % zoom of a 1280 px window lays the page
#: out in 640 CSS px with two device pixels each: exactly what the browser's zoom does.
VIEWPORTS = {
    "desktop": (1280, 800, 1),
    "mobile": (375, 740, 2),
    "phone": (375, 812, 1),  # issue 20's first screen on a phone
    "narrow": (320, 640, 1),
    "zoom-200": (640, 400, 2),
}
#: Where pages must not scroll sideways (WCAG 1.4.10 reflow): 320 CSS px, and 200 % zoom.
REFLOW = ("narrow", "zoom-200")

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


@dataclass
class Tab:
    """One browser page reused for many visits; each visit records its console errors, failed
    requests and requests leaving the site, so a test can assert there were none."""

    page: object  # playwright.sync_api.Page
    problems: list[str] = field(default_factory=list)
    site_prefix: str = ""
    #: Every base this tab has served: a late request of the previous page (its favicon) is no fault.
    known_prefixes: set[str] = field(default_factory=set)
    _devtools: object = None  # a CDP session of the page, for laid_out_at and full_page_png
    #: From a visit's start until its page replaces the previous one (see visit).
    _leaving: bool = False

    def __post_init__(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self._add(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.on("request", self._request)
        self.page.on("framenavigated", self._navigated)

    def _add(self, problem: str, request=None) -> None:
        """Record a problem of the page shown. While the previous page is being left, only the
        visit's own navigation request can be at fault: the visited page does not exist yet."""
        if self._leaving and not (request is not None and request.is_navigation_request()
                                  and request.frame == self.page.main_frame):
            return
        self.problems.append(problem)

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            self._leaving = False

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self._add(f"console {message.type}: {message.text}")

    def _failed(self, request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled because the test moved on (a late favicon fetch), not a fault of the site
        self._add(f"request failed: {request.url} ({request.failure})", request)

    def _response(self, response) -> None:
        if response.status >= 400:
            self._add(f"HTTP {response.status}: {response.url}", response.request)

    def _request(self, request) -> None:
        if self.site_prefix and not request.url.startswith(tuple(self.known_prefixes)):
            self._add(f"request outside the site: {request.url}", request)

    def visit(self, served: Served, relative: str) -> Tab:
        """Open a site page afresh; problems from earlier visits are forgotten. Until the visited
        page's document replaces the previous one (its commit), what the tab reports is the
        previous page's and is not recorded: 404.html's /favicon.ico, for one, answers with a 404
        just after its load. The previous page's document ends at that commit, and with it what it
        had under way. (Cheaper than leaving it for about:blank first: a quarter of a visit.) No
        fragment: going to the page shown plus a #fragment would stay in its document, not load it."""
        assert "#" not in relative, f"{relative}: a visit loads a page afresh, a fragment would not"
        self._leaving = True
        self.problems = []
        self.site_prefix = served.base
        self.known_prefixes.add(served.base)
        self.page.goto(served.url(relative), wait_until="load")
        assert not self._leaving, f"no commit seen for {relative}: its problems would go unrecorded"
        return self

    def widths_at(self, viewports) -> dict[str, list[int]]:
        """{viewport: [scrollWidth, clientWidth]} of the loaded page at each of `viewports` (VIEWPORTS
        names), each laid out there (laid_out_at), which puts the tab's own back after each: one
        more layout at that size between two viewports, a small part of a load (not measured)."""
        widths = {}
        for viewport in viewports:
            with self.laid_out_at(viewport):
                widths[viewport] = self.page.evaluate(
                    "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        return widths

    @contextlib.contextmanager
    def laid_out_at(self, viewport: str):
        """The loaded page at `viewport` (a VIEWPORTS name) inside the block, then at the tab's own
        again. It is set as Playwright sets a context's (the browser's device metrics: size and
        device scale factor), and the browser lays the page out afresh for it, media queries and
        device pixels included: the page as a load there lays it out, unless a script fitted it to
        the viewport it loaded in, which no site script does
        (test_browser_pages.test_no_script_fits_a_page_to_the_viewport_it_loaded_in). Measured: a
        switch costs a small part of a load."""
        own, wanted = self._own_metrics(), VIEWPORTS[viewport]
        if wanted != own:
            self._metrics(*wanted)
        try:
            width, scale = self.page.evaluate("() => [innerWidth, devicePixelRatio]")
            assert (width, scale) == (wanted[0], wanted[2]), (viewport, width, scale)
            yield self
        finally:
            if wanted != own:  # even after a failure: the tab is shared
                self._metrics(*own)  # exactly as Playwright set them: it does not send what it believes is set

    def full_page_png(self) -> bytes:
        """What page.screenshot(full_page=True, scale="css") takes, pixel for pixel (compared on
        every page of tone_sample, desktop and mobile, light and dark), for less CPU: the review's
        capture (full_page_capture). This session is first given the tab's own device metrics
        (see device_metrics)."""
        *_, scale = self._metrics(*self._own_metrics())
        size = self.page.evaluate(FULL_PAGE_SIZE)
        shot = self._devtools.send("Page.captureScreenshot", full_page_capture(size, self.page.viewport_size, 1 / scale))
        return base64.b64decode(shot["data"])

    def _own_metrics(self) -> tuple:
        """The tab's own (width, height, scale), as its context set them; opens the DevTools session
        that _metrics sends through."""
        if self._devtools is None:
            self._devtools = self.page.context.new_cdp_session(self.page)
        size = self.page.viewport_size
        return size["width"], size["height"], self.page.evaluate("() => devicePixelRatio")

    def _metrics(self, width: int, height: int, scale: float) -> tuple:
        """The device metrics Playwright sends for a context of that viewport (not mobile, screen
        as large as the viewport). Never detached: that would drop Playwright's too."""
        self._devtools.send("Emulation.setDeviceMetricsOverride", device_metrics(width, height, scale))
        return width, height, scale

    @contextlib.contextmanager
    def keeping_scheme(self):
        """Inside the block use_scheme may switch the scheme; after it, even after a failure, the
        tab has the scheme it had before (tabs are shared by the tests after)."""
        own = "dark" if self.page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches") else "light"
        try:
            yield self
        finally:
            self.page.emulate_media(color_scheme=own)

    def use_scheme(self, scheme: str) -> None:
        """The loaded page in `scheme` (prefers-color-scheme emulated), checked from inside the page:
        the browser re-applies the stylesheet's scheme block to the page as it is, and nothing else
        reads the scheme (test_browser_a11y.test_the_dark_scheme_changes_colours_only), so this is
        the page a visitor with that preference loads."""
        self.page.emulate_media(color_scheme=scheme)
        assert self.page.evaluate("s => matchMedia(`(prefers-color-scheme: ${s})`).matches", scheme), scheme

    def inject_axe(self, frame=None) -> None:
        """axe-core into the current page, or into one of its frames (a Playwright Frame), once per
        document. Injected through the DevTools protocol, which the page's strict CSP does not
        govern, so the page under test stays unchanged. A frame that has axe is audited by every
        run in the page after (axe's own iframe support); one without is left out."""
        where = frame or self.page
        if not where.evaluate("() => typeof window.axe === 'object'"):
            where.evaluate(_axe_source())

    def run_axe(self, tags: list[str] = WCAG_22_AA, category: str = "") -> list[dict]:
        """axe-core's violations for the current page (and its frames that have axe: inject_axe).
        With `category` (an axe tag such as "cat.color"), only the rules of `tags` that axe itself
        files under it: see COLOUR. The run is AUDIT's (EDGE_SHADES taken away), and a text whose
        contrast it leaves unchecked is looked at again (_second_look): never passed unseen. What
        axe leaves undecided for another rule is a violation of that rule ("needs review"), unless
        AUDIT accepts it (`accepted`)."""
        self.inject_axe()
        run_only = {"type": "tag", "values": tags}
        if category:
            rules = self.page.evaluate(
                "([tags, category]) => axe.getRules(tags).filter(r => r.tags.includes(category)"
                # a run by rule ids does not apply axe's default exclusion of these tags: do it here
                " && !r.tags.includes('experimental') && !r.tags.includes('deprecated')).map(r => r.ruleId)",
                [tags, category])
            assert rules, f"axe has no rule tagged {category} among {tags}"
            run_only = {"type": "rule", "values": rules}
        # Incomplete nodes in full (axe lists one of each rule otherwise): the texts left unchecked.
        options = {"runOnly": run_only, "resultTypes": ["violations", "incomplete"]}
        found = self.page.evaluate(AUDIT, [options, EDGE_SHADES, SCROLL_ROUNDS, LARGER])
        violations = []
        for more in [*found["violations"], _second_look(found["unchecked"])]:
            violations = _merged(violations, more)
        return violations


@functools.cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


#: axe's run, with the backgrounds of the page's `shades` elements (its frames' too) taken away
#: through the CSSOM, which the page's CSP allows: their texts are judged against the background they
#: have at rest (only colour rules read a background image). Then each text whose contrast it left
#: unchecked is looked at again. One of the page's own scroll boxes (`shades`) that cuts such a text
#: at its top or bottom first grows to its content's height (max-height and height lifted), kept only
#: where nothing else lies where it grows and its ancestors grow with it (below): then the same boxes
#: paint behind the text as when the box is scrolled to it. A text a scroll box still cuts is
#: scrolled to its box's start, with the first such text of every other box, and the texts whole
#: then are judged by axe's contrast rule, round after round until none is left, at most `rounds`
#: times (a round costs about a tenth of a second on a big page: axe maps the whole page again). The
#: rest is resolved in its own document (a target is a path of selectors through frames, an inner
#: list one through shadow roots) with its reason, and for a label of an SVG rect, the colours it is
#: drawn in and on.
#: Everything is put back after: styles (the same declarations; the attribute's text may be
#: written anew), scroll positions.
AUDIT = """async ([options, shades, rounds, larger_reason]) => {
  const docs = [document];
  for (let i = 0; i < docs.length; i++)
    for (const frame of docs[i].querySelectorAll("iframe")) if (frame.contentDocument) docs.push(frame.contentDocument);
  const find = target => target.reduce((doc, step, i) => {
    const found = !doc ? null : !Array.isArray(step) ? doc.querySelector(step) : step.reduce((root, selector, j) => {
      const el = root && root.querySelector(selector);
      return j < step.length - 1 ? el && el.shadowRoot : el;
    }, doc);
    return i < target.length - 1 ? found && found.contentDocument : found;
  }, document);
  // The boxes that may clip an element: ancestors whose overflow is not visible, but the root and
  // body, whose overflow is the viewport's (axe scrolls the window itself).
  const boxes = el => {
    const found = [], doc = el.ownerDocument;
    for (let box = el.parentElement; box && box !== doc.body && box !== doc.documentElement; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX !== "visible" || style.overflowY !== "visible") found.push(box);
    }
    return found;
  };
  // What a box shows of its content (its client area), and whether `el` lies in it across and down.
  const shown = box => {
    const b = box.getBoundingClientRect(), left = b.left + box.clientLeft, top = b.top + box.clientTop;
    return {left, top, right: left + box.clientWidth, bottom: top + box.clientHeight};
  };
  const across = (r, b) => r.left >= b.left - .5 && r.right <= b.right + .5;
  const down = (r, b) => r.top >= b.top - .5 && r.bottom <= b.bottom + .5;
  const within = (el, box) => { const r = el.getBoundingClientRect(), b = shown(box); return across(r, b) && down(r, b); };
  const cut = el => boxes(el).some(box => !within(el, box));
  const meets = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  // An SVG label on an unrotated rect: the colours it is drawn in and on, its size on screen, and
  // whether all is opaque with nothing else drawn over the rect where the label is.
  const drawnOn = el => {
    if (!el || el.tagName !== "text" || !el.ownerSVGElement) return null;
    const r = el.getBoundingClientRect(), svg = el.ownerSVGElement;
    const holds = b => b.left <= r.left && b.top <= r.top && b.right >= r.right && b.bottom >= r.bottom;
    const plain = m => m && Math.abs(m.b) < 1e-9 && Math.abs(m.c) < 1e-9;
    let shape = el.previousElementSibling;
    while (shape && !(shape.tagName === "rect" && plain(shape.getScreenCTM()) && holds(shape.getBoundingClientRect())))
      shape = shape.previousElementSibling;
    if (!shape) return null;
    const over = [...svg.querySelectorAll("*")].some(x => x !== el && x !== shape && !el.contains(x) && !x.contains(el)
      && shape.compareDocumentPosition(x) & Node.DOCUMENT_POSITION_FOLLOWING && meets(x.getBoundingClientRect(), r));
    let alpha = 1;  // every group the label is in, up to the page's root
    for (let a = el.parentElement; a; a = a.parentElement) alpha *= +getComputedStyle(a).opacity;
    const [text, under] = [getComputedStyle(el), getComputedStyle(shape)], m = el.getScreenCTM();
    return {fg: text.fill, bg: under.fill, size: parseFloat(text.fontSize) * Math.hypot(m.a, m.b),
            bold: +text.fontWeight >= 700, opaque: !over && alpha === 1
              && [text.fillOpacity, text.opacity, under.fillOpacity, under.opacity].every(v => +v === 1)};
  };
  // What AUDIT accepts of what axe leaves undecided for other rules (given axe's node).
  // th-has-data-cells: axe leaves a table undecided when a heading spanning the table (a section's,
  // as in compare and the overview) hides the data cells below it from a column header, and names
  // only the last header it doubts. So AUDIT judges every header of the table itself, on its grid
  // (spans expanded), and accepts the table when each heads a data cell (a td with text nobody is
  // hidden from; text inside it marked aria-hidden still counts): a section's heading, in its rows
  // up to the next; a column header, in its columns down to the next column header (or heads row
  // headers only, as a first column's "Scenario" or "Field" does); a row header, after it in its
  // rows. A table with explicit `headers` is not judged here: reported.
  const grid = table => {  // the table's rows, each cell at every column it spans
    const rows = [...table.rows].map(() => []);
    [...table.rows].forEach((row, y) => {
      let x = 0;
      for (const cell of row.cells) {
        while (rows[y][x]) x++;
        for (let dy = 0; dy < Math.max(1, cell.rowSpan) && y + dy < rows.length; dy++)
          for (let dx = 0; dx < Math.max(1, cell.colSpan); dx++) rows[y + dy][x + dx] = cell;
        x += Math.max(1, cell.colSpan);
      }
    });
    return rows;
  };
  const everyHeaderHeadsData = table => {
    if (!table || table.tagName !== "TABLE" || table.querySelector("[headers]")) return false;
    const rows = grid(table), width = Math.max(...rows.map(row => row.length));
    const section = cell => cell.tagName === "TH" && cell.colSpan >= width;
    const column = cell => cell.tagName === "TH" && !section(cell) && (["col", "colgroup"].includes(cell.scope)
      || (cell.parentElement.parentElement.tagName === "THEAD" && !["row", "rowgroup"].includes(cell.scope)));
    const rowHeader = cell => cell.tagName === "TH" && !section(cell) && !column(cell);
    const data = cell => cell.tagName === "TD" && !cell.closest("[aria-hidden=true]") && cell.innerText.trim();
    const until = (cells, stop) => { const end = cells.findIndex(stop); return end < 0 ? cells : cells.slice(0, end); };
    const heads = th => {
      const ys = [...rows.keys()].filter(y => rows[y].includes(th)), last = ys[ys.length - 1];
      const xs = [...rows[ys[0]].keys()].filter(x => rows[ys[0]][x] === th);
      if (section(th)) return until(rows.slice(last + 1), row => row.some(section)).flat().some(data);
      if (rowHeader(th)) return ys.flatMap(y => rows[y].slice(xs[xs.length - 1] + 1)).some(data);
      const below = until(rows.slice(last + 1).flatMap(row => xs.map(x => row[x])).filter(Boolean), column);
      return below.some(data) || (below.some(rowHeader) && below.every(cell => rowHeader(cell) || section(cell)));
    };
    return [...table.querySelectorAll("th")].filter(th => th.closest("table") === table).every(heads);
  };
  const accepted = {"th-has-data-cells": node => everyHeaderHeadsData(find(node.target))};
  const left = result => result.incomplete.filter(r => r.id === "color-contrast").flatMap(r => r.nodes).map(n => ({
    target: n.target, html: n.html, el: find(n.target),
    reason: n.any.map(c => c.data && c.data.messageKey).find(Boolean) || "unknown"}));

  const styles = new Map(), scrolled = new Map();  // what to put back: inline styles, scroll positions
  const restyle = (el, property, value) => {
    if (!styles.has(el)) styles.set(el, el.hasAttribute("style") ? el.style.cssText : null);
    el.style.setProperty(property, value, "important");
  };
  const putBack = el => styles.get(el) === null ? el.removeAttribute("style") : el.style.cssText = styles.get(el);
  const windows = docs.map(doc => [doc.defaultView, doc.defaultView.scrollX, doc.defaultView.scrollY]);
  docs.forEach(doc => doc.querySelectorAll(shades).forEach(w => restyle(w, "background-image", "none")));
  try {
    const result = await axe.run(document, options), violations = [result.violations], unchecked = [];
    let pending = [];
    for (const node of left(result)) (node.el && cut(node.el) ? pending : unchecked).push(node);
    // The page's own scroll boxes (`shades`: their stylesheet is the site's; a box of unknown CSS is
    // only scrolled) that cut a pending text at an end grow to their content's height. Kept only if,
    // grown, nothing but a box's ancestors and its own content lies where the box is, and each
    // ancestor grew as much as the grown boxes in it (the content after a box moved down with it):
    // then the same boxes paint behind each text as when the box is scrolled to it. Else all are put
    // back. Not tried where something the box holds paints outside its clip (a descendant placed
    // against an element outside it, or fixed), nor in a document with shadow roots, whose content
    // may paint out of its host's box. (An ancestor's pseudo-element behind a text: axe leaves it.)
    const grown = new Set(pending.flatMap(n => boxes(n.el).filter(box => box.matches(shades) && !down(n.el.getBoundingClientRect(), shown(box)))));
    const shadowed = doc => [...doc.querySelectorAll("*")].some(el => el.shadowRoot);  // only asked when a box would grow
    const escapes = box => [...box.querySelectorAll("*")].some(el => {
      const position = getComputedStyle(el).position;
      return position === "fixed" || (position === "absolute" && !(el.offsetParent && box.contains(el.offsetParent)));
    });
    const alone = box => {
      const where = box.getBoundingClientRect();
      return [...box.ownerDocument.querySelectorAll("*")].every(el => el === box || box.contains(el)
        || el.contains(box) || !meets(el.getBoundingClientRect(), where));
    };
    if ([...grown].some(box => box.getRootNode() !== box.ownerDocument || shadowed(box.ownerDocument) || escapes(box)))
      grown.clear();
    const height = el => el.getBoundingClientRect().height, before = new Map();
    for (const box of grown) {
      scrolled.set(box, [box.scrollLeft, box.scrollTop]);
      for (let a = box; a; a = a.parentElement) before.set(a, height(a));
    }
    const ungrown = [...grown].map(box => [box, box.style.cssText]);
    grown.forEach(box => { restyle(box, "max-height", "none"); restyle(box, "height", "auto"); });
    const growth = box => height(box) - before.get(box);
    // A grown box within another grown box within `a` counts in the outer one's growth already.
    const owed = a => [...grown].filter(b => a.contains(b) && ![...grown].some(o => o !== b && o.contains(b) && a.contains(o)))
      .reduce((sum, b) => sum + growth(b), 0);
    if (![...before.keys()].every(a => growth(a) + .5 >= owed(a)) || ![...grown].every(alone))
      ungrown.forEach(([box, style]) => box.style.cssText = style);
    const contrast = {runOnly: {type: "rule", values: ["color-contrast"]}, resultTypes: ["violations", "incomplete"]};
    for (let round = 0; pending.length; round++) {
      if (round === rounds) {
        unchecked.push(...pending.map(n => ({...n, reason: `still cut by a scroll box after ${rounds} scrolls`})));
        break;
      }
      // Each box that cuts a pending text scrolls to the first of them: all boxes at once, a round each.
      // A text larger than a box that cuts it no scroll shows whole: left (LARGER).
      const firsts = new Map(), larger = new Set();
      for (const node of pending)
        for (const box of boxes(node.el)) {
          if (within(node.el, box)) continue;
          const r = node.el.getBoundingClientRect();
          if (r.width > box.clientWidth + .5 || r.height > box.clientHeight + .5) larger.add(node);
          else if (!firsts.has(box)) firsts.set(box, node);
        }
      for (const [box, node] of firsts) {
        if (!scrolled.has(box)) scrolled.set(box, [box.scrollLeft, box.scrollTop]);
        const r = node.el.getBoundingClientRect(), b = box.getBoundingClientRect();
        box.scrollTo({left: box.scrollLeft + r.left - b.left - box.clientLeft,
                      top: box.scrollTop + r.top - b.top - box.clientTop, behavior: "instant"});
      }
      const whole = pending.filter(n => !larger.has(n) && !cut(n.el));
      unchecked.push(...[...larger].map(n => ({...n, reason: larger_reason})));
      pending = pending.filter(n => !whole.includes(n) && !larger.has(n));
      if (whole.length) {
        const again = await axe.run({include: whole.map(n => n.target)}, contrast);
        violations.push(again.violations);
        unchecked.push(...left(again));
      }
    }
    // What axe could not decide for any other rule, but what `accepted` accepts, is a violation of
    // that rule: a result nobody judged is no pass.
    const review = result.incomplete.filter(r => r.id !== "color-contrast").map(r => ({id: r.id, impact: r.impact,
      nodes: r.nodes.filter(n => !(accepted[r.id] && accepted[r.id](n))).map(n => ({target: n.target,
        html: n.html, failureSummary: "needs review: " + [...n.any, ...n.all, ...n.none].map(c => c.message).join("; ")}))}))
      .filter(r => r.nodes.length);
    return {violations: [...violations, review], unchecked: unchecked.map(({el, ...node}) => ({...node, label: drawnOn(el)}))};
  } finally {
    styles.forEach((_, el) => putBack(el));
    for (const [box, [x, y]] of scrolled) box.scrollTo({left: x, top: y, behavior: "instant"});
    windows.forEach(([win, x, y]) => win.scrollTo({left: x, top: y, behavior: "instant"}));
  }
}"""
#: Scroll rounds of AUDIT at most on one page (a box of rows or columns a round, every box at once).
SCROLL_ROUNDS = 40


def _merged(violations: list[dict], more: list[dict]) -> list[dict]:
    """Two lists of violations as one, one entry per rule, each node once."""
    by_rule = {v["id"]: {**v, "nodes": list(v["nodes"])} for v in violations}
    for v in more:
        nodes = by_rule.setdefault(v["id"], {**v, "nodes": []})["nodes"]
        seen = {json.dumps(n["target"]) for n in nodes}  # a target may nest lists (shadow roots)
        nodes += [n for n in v["nodes"] if json.dumps(n["target"]) not in seen]
    return list(by_rule.values())


def _luminance(colour: str) -> float:
    """WCAG's relative luminance of a computed colour ("rgb(r, g, b)")."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg: str, bg: str) -> float:
    """WCAG's contrast ratio of two opaque computed colours."""
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _second_look(unchecked: list[dict]) -> list[dict]:
    """The texts a run left unchecked, in axe's shape: an opaque SVG label checked against the shape
    it is drawn on ("color-contrast" when too faint), any other text but NOT_TEXT and LARGER reported
    as "contrast-unchecked"."""
    faint, unseen = [], []
    for node in unchecked:
        label = node["label"]
        if label and label["opaque"] and label["fg"].startswith("rgb(") and label["bg"].startswith("rgb("):
            ratio = contrast(label["fg"], label["bg"])
            large = label["size"] >= 24 or (label["bold"] and label["size"] >= 18.66)
            needed = LARGE_TEXT_CONTRAST if large else TEXT_CONTRAST
            if ratio < needed:
                shown = math.floor(ratio * 100) / 100  # as axe shows a ratio: never rounded up to pass
                faint.append({"target": node["target"], "html": node["html"],
                              "failureSummary": f"SVG label {label['fg']} on {label['bg']}: {shown} < {needed}"})
        elif node["reason"] not in (*NOT_TEXT, LARGER):
            unseen.append({"target": node["target"], "html": node["html"],
                           "failureSummary": f"contrast unchecked: {node['reason']}"})
    return [{"id": rule, "impact": "serious", "nodes": nodes}
            for rule, nodes in (("color-contrast", faint), ("contrast-unchecked", unseen)) if nodes]


def describe_violations(violations: list[dict]) -> str:
    """One line per violation and node: rule, impact, where, and axe's own explanation."""
    lines = []
    for v in violations:
        for node in v["nodes"]:
            where = " ".join(t if isinstance(t, str) else " >>> ".join(t) for t in node["target"])  # >>>: shadow root
            lines.append(f"  {v['id']} ({v['impact']}) at {where}: "
                         f"{node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


#: Where a scenario page's title, status badges and first section's heading are, against the viewport
#: (issue 20: all in the first screen), and whether the skip link is the first thing focusable.
FIRST_SCREEN = """() => {
  const box = el => { const r = el.getBoundingClientRect();
    return {what: el.id || el.className || el.tagName, top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const title = document.querySelector("main h1"), section = document.querySelector("main section h2");
  const focusable = document.querySelector("a[href], button, input:not([type=hidden]), select, textarea, [tabindex]");
  return {width: innerWidth, height: innerHeight, scrollWidth: document.documentElement.scrollWidth,
    skipFirst: !!focusable && focusable.classList.contains("skip"),
    switcher: !!document.querySelector("nav.switcher a") && getComputedStyle(document.querySelector("nav.switcher")).display !== "none",
    boxes: [title, ...document.querySelectorAll("main .summary .badge"), section].filter(Boolean).map(box),
    expected: 2 + document.querySelectorAll("main .summary .badge").length};
}"""

#: What every check of a page's own content needs, gathered in one round trip per visit (see survey).
PAGE_FACTS = """() => ({
  styled: getComputedStyle(document.body).marginTop === "0px",
  lang: document.documentElement.lang,
  headings: [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].map(h => +h.tagName[1]),
  badges: [...document.querySelectorAll('[class*="tone-"]')].map(el => ({
    tone: [...el.classList].find(c => c.startsWith("tone-")),
    label: (getComputedStyle(el, "::before").content.replace(/^"|"$/g, "").replace(/^none$/, "")
            + (el.innerText || el.textContent)).trim(),  // a badge in a closed preview has no innerText
  })),
  switcher: [...document.querySelectorAll("nav.switcher a")].map(a => a.href),
  languages: [...document.querySelectorAll("a[data-switch-locale]")].map(a => [a.dataset.switchLocale, a.href]),
  firstScreen: (""" + FIRST_SCREEN + """)(),
})"""


@dataclass
class Visit:
    """One page as loaded once: its problems, the facts above, and what `survey`'s `measure` found."""

    problems: list[str]
    facts: dict
    measured: dict = field(default_factory=dict)


def survey(tab: Tab, served: Served, pages: list[str], measure=None) -> dict[str, Visit]:
    """Visit each page once and keep everything the per-page checks assert on, so a page is loaded
    once per way of serving it instead of once per check: its problems and facts as loaded, then
    `measure(tab)` → {name: finding} for the checks that need more of the page (axe, widths).
    An error on the way (a timeout, a failed measurement) names the page it happened on."""
    visits = {}
    for relative in pages:
        try:
            tab.visit(served, relative)
            visits[relative] = Visit(list(tab.problems), tab.page.evaluate(PAGE_FACTS))
            if measure:
                visits[relative].measured = measure(tab)
        except Exception as error:
            error.add_note(f"while surveying {relative} over {served.how}")
            raise
    return visits


def page_kind(relative: str) -> str:
    """Which template made a page, from where the site puts it (the same in every language)."""
    name = relative.rsplit("/", 1)[-1]
    if name == "404.html":
        return "404"
    if "/compare/" in f"/{relative}":
        return "compare-pair" if "--" in name else "compare-index"
    if "/outcomes/" in f"/{relative}":
        return "outcome"  # generated outcome pages: scenario.html filled from an action's effect
    if "/journeys/" in f"/{relative}":
        return "journey"
    if "/gallery/" in f"/{relative}":
        return "gallery"
    return "scenario" if "/scenarios/" in f"/{relative}" else "overview"


#: Tags and their attributes in generated HTML (well-formed, attribute values always double-quoted).
_TAG = re.compile(r"<([a-z][a-z0-9]*)((?:\s[^>]*)?)>")
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)(?:="([^"]*)")?')
#: Attributes whose value changes how a page looks or reads to assistive technology (not free text).
_LANG = re.compile(r'<html lang="([^"]+)"')
_KEYED = ("role", "type", "rel", "open", "hidden", "aria-current", "aria-expanded", "aria-hidden", "aria-live")


def page_features(html: str) -> set[str]:
    """What a page is made of, as far as the browser checks care: every element, class and
    attribute it uses, with the value of those in _KEYED."""
    found = set()
    for tag, attributes in _TAG.findall(html):
        found.add(tag)
        for name, value in _ATTRIBUTE.findall(attributes):
            if name == "class":
                found |= {f".{c}" for c in value.split()}
            else:
                found.add(f"{tag}[{name}={value}]" if name in _KEYED else f"{tag}[{name}]")
    return found


def covering_sample(site: Path, pages: list[str], by_language: bool = True) -> list[str]:
    """The pages the browser checks walk: together they show, per template and language, every
    element, class and keyed attribute any page of that template shows (greedy set cover), plus
    each template's longest page in each language (the most text to lay out). Not `by_language`:
    per template only, for checks that words cannot change (a focus ring).

    Why a sample is enough: a page's look, reflow, focus and contrast come from its template, the
    stylesheet and the classes its rows use (each tone is a class), and its script from the
    template; which scenario fills the rows changes words, not kinds of things. What does depend
    on every page (links resolve, both languages, headings, no inline script) is checked on every
    page without a browser (tests/test_pages.py, test_languages.py, test_site_safety.py)."""
    features: dict[str, set] = {}
    longest: dict[tuple[str, str], tuple[int, str]] = {}
    for relative in pages:
        html = (site / relative).read_text(encoding="utf-8")
        kind = (_LANG.search(html).group(1) if by_language else "", page_kind(relative))
        features[relative] = {kind} | {(*kind, f) for f in page_features(html)}
        longest[kind] = max(longest.get(kind, (0, "")), (len(html), relative))
    return sorted(set(covering_pages(features)) | {relative for _, relative in longest.values()})


#: A scenario page's head: everything before its first section's heading is closed.
_HEAD = re.compile(r"<main.*?</h2>", re.S)


def first_screen_sample(site: Path, scenario_pages: list[str], per_language: int = 3) -> list[str]:
    """The scenario pages whose first screen is fullest: in each language, those with the most text
    before their first section's heading ends (title, eyebrow, badges, banner heading). If these fit
    the first screen, a page with less text above its first section fits too, as every scenario
    page lays that text out with the same template."""
    fullest: dict[str, list[tuple[int, str]]] = {}
    for relative in scenario_pages:
        html = (site / relative).read_text(encoding="utf-8")
        head = re.sub(r"<[^>]+>|\s+", " ", _HEAD.search(html).group(0))
        fullest.setdefault(_LANG.search(html).group(1), []).append((-len(head.split()), -len(head), relative))
    return sorted(relative for found in fullest.values() for *_, relative in sorted(found)[:per_language])


def covering_pages(features: dict[str, set]) -> list[str]:
    """A small set of pages that together show every feature (greedy set cover, ties by name)."""
    left = set().union(*features.values()) if features else set()
    chosen = []
    while left:
        best = max(sorted(features), key=lambda p: len(features[p] & left))
        chosen.append(best)
        left -= features[best]
    return sorted(chosen)


def tone_sample(visits: dict, by_language: bool = True) -> list[str]:
    """Pages that together show every template (in every language, if `by_language`) and every
    badge tone each template uses: enough for what only the palette changes. The dark scheme changes only the
    palette (the custom properties in one prefers-color-scheme block of style.css), so its contrast
    depends on which colour pairs a page shows: its template's fixed parts and its tones, not which
    scenario fills it; and a screenshot for reviewers shows each template in each tone. Not
    `by_language`: for checks that words cannot change (a focus ring, contrast)."""
    features: dict[str, set] = {}
    for relative, visit in visits.items():
        kind = (visit.facts["lang"] if by_language else "", page_kind(relative))
        features[relative] = {kind} | {(*kind, badge["tone"]) for badge in visit.facts["badges"]}
    return covering_pages(features)


def site_pages(site: Path) -> list[str]:
    """Every HTML page of a built site, as relative paths: new pages are checked without new tests."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def scenario_paths(site: Path) -> list[str]:
    """Scenario pages in the site's own order (the manifest's, which is the lifecycle order)."""
    manifest = json.loads((site / "scenarios.json").read_text(encoding="utf-8"))
    return [entry["path"] for entry in manifest["scenarios"]]


def locale_prefixes(site: Path) -> dict[str, str]:
    """{locale: folder prefix}, e.g. {'en': '', 'fr': 'fr/'}, from where the manifest puts each
    scenario page in each language (its plain path is the default language's)."""
    entry = json.loads((site / "scenarios.json").read_text(encoding="utf-8"))["scenarios"][0]
    return {locale: path.removesuffix(entry["path"]) for locale, path in entry["paths"].items()}


def screenshot_name(relative: str, variant: str) -> str:
    """'scenarios/healthy/index.html' + 'desktop' → 'scenarios-healthy-desktop.png'."""
    stem = relative.removesuffix("index.html").removesuffix(".html").strip("/").replace("/", "-")
    return f"{stem or 'index'}-{variant}.png"
