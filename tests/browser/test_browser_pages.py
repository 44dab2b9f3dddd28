"""Every page in Chromium, over HTTP and from file://: loads cleanly, reflows, and is photographed."""
from __future__ import annotations

import re
import struct

import pytest
from browser_harness import REFLOW, VIEWPORTS, tone_sample, page_kind, screenshot_name


def test_every_page_loads_without_console_error_or_failed_request(served, surveys):
    """Each page of the sample (covering_sample), both ways of serving it: no console error or
    warning, no failed request, no request leaving the site, and the stylesheet applied (it sets
    the body margin to 0 where browsers default to 8px)."""
    visits = surveys(served)
    assert visits, "the built site has no page"
    problems = {}
    for relative, visit in visits.items():
        # 404.html has no stylesheet by design (templates/404.html: GitHub Pages serves it at any
        # depth, where no relative link resolves); it must still load without any problem.
        styled = visit.facts["styled"] or page_kind(relative) == "404"
        found = visit.problems + ([] if styled else ["style.css did not apply"])
        if found:
            problems[relative] = found
    assert not problems, f"over {served.how}: {problems}"


@pytest.mark.parametrize("viewport", REFLOW)
def test_no_horizontal_scrolling_at_320px_or_200_percent_zoom(http_site, surveys, viewport):
    """WCAG 1.4.10 reflow: wide tables may scroll inside their own region, the page never does.
    Reflow depends on the template and the kinds of rows, so this walks the sample (every element
    and class of each template, and its longest page: see covering_sample), measured at each of
    REFLOW's viewports on the survey's load of each page (conftest.surveys, Tab.widths_at)."""
    too_wide = {}
    for relative, visit in surveys(http_site).items():
        scroll, client = visit.measured["widths"][viewport]
        if scroll > client:
            too_wide[relative] = f"scrollWidth {scroll} > clientWidth {client}"
    assert not too_wide, f"at {VIEWPORTS[viewport][0]} CSS px: {too_wide}"


#: What a script reads to fit a page to the viewport: sizes, media queries, the screen, resizes.
_READS_SIZE = re.compile(r"\b(?:inner|outer|client|offset|scroll)(?:Width|Height)\b|getBoundingClientRect|"
                         r"getClientRects|matchMedia|devicePixelRatio|\bscreen\.|ResizeObserver|[\"']resize[\"']|onresize")
#: How a script changes a page, but for a scroll position: a property written, an attribute,
#: class, style or node changed.
_CHANGES_PAGE = re.compile(r"\.(?!scroll(?:Left|Top)\b)\w+\s*=(?!=)|\.(?:setAttribute|toggleAttribute|"
                           r"classList|className|style|dataset|append\w*|prepend|insert\w*|remove\w*|replace\w*|"
                           r"before|after|innerHTML|textContent)\b")


def test_no_script_fits_a_page_to_the_viewport_it_loaded_in(site):
    """Why the reflow test may measure a page loaded at another viewport (Tab.widths_at): a script
    that reads a size, the viewport or a media query (at load, or on a resize) changes nothing but
    scroll positions, which widen nothing. The browser does the rest: it lays the page out afresh
    for new device metrics, media queries and device pixels included."""
    scripts = sorted(site.rglob("*.js"))
    assert scripts, "no script in the built site: this check would check nothing"
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        change = _READS_SIZE.search(text) and _CHANGES_PAGE.search(text)
        assert not change, f"{script.name} reads a size and changes the page ({change.group(0)}): the reflow " \
                           "test's one load per page may no longer lay it out as a load at each viewport"


def test_headings_form_an_outline(http_site, surveys):
    """As the browser reads them, on the sample: one h1 first; each heading at most one level
    deeper than the one before it (every page's markup: tests/test_pages.py)."""
    broken = {}
    for relative, visit in surveys(http_site).items():
        levels = visit.facts["headings"]
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        if not levels or levels[0] != 1 or levels.count(1) != 1 or skips:
            broken[relative] = levels
    assert not broken, f"heading levels in page order: {broken}"


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("viewport, schemes", [("desktop", ["light", "dark"]), ("mobile", ["light"])],
                         ids=["desktop-light-dark", "mobile-light"])
def test_screenshots_of_each_template(http_site, surveys, tabs, screenshots, viewport, schemes):
    """Full-page screenshots for reviewers of the pages of tone_sample (every template in every
    language and every tone it shows), at desktop size in light and dark and at mobile size in
    light. Every page, before and after a change: `generator review`. As wide as the viewport, so
    nothing sticks out sideways. Taken at CSS scale: a mobile shot is 375 px wide, though laid out
    with two device pixels each. The dark shot is of the page already loaded for the light one,
    switched to dark (Tab.use_scheme)."""
    tab = tabs(viewport, "light")
    width, height, _ = VIEWPORTS[viewport]
    with tab.keeping_scheme():
        for relative in tone_sample(surveys(http_site)):
            tab.visit(http_site, relative)
            for scheme in schemes:
                tab.use_scheme(scheme)
                variant = viewport if scheme == "light" else f"{viewport}-{scheme}"
                target = screenshots / screenshot_name(relative, variant)
                target.write_bytes(tab.full_page_png())  # page.screenshot's pixels, cheaper
                shot_width, shot_height = _png_size(target)
                assert shot_width == width, (target.name, shot_width)
                assert shot_height >= height, (target.name, shot_height)
