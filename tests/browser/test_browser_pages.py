"""Every page in Chromium, over HTTP and from file://: loads cleanly, reflows, and is photographed."""
from __future__ import annotations

import struct

import pytest
from browser_harness import VIEWPORTS, screenshot_name


def test_every_page_loads_without_console_error_or_failed_request(served, pages, tab):
    assert pages, "the built site has no page"
    problems = {}
    for relative in pages:
        tab.visit(served, relative)
        # The stylesheet really applied: it sets the body margin to 0 where browsers default to 8px.
        applied = tab.page.evaluate("getComputedStyle(document.body).marginTop")
        found = tab.problems + ([] if applied == "0px" else ["style.css did not apply"])
        if found:
            problems[relative] = found
    assert not problems, f"over {served.how}: {problems}"


@pytest.mark.parametrize("viewport", ["narrow", "zoom-200"])
def test_no_horizontal_scrolling_at_320px_or_200_percent_zoom(http_site, pages, tabs, viewport):
    """WCAG 1.4.10 reflow: wide tables may scroll inside their own region, the page never does."""
    tab = tabs(viewport)
    too_wide = {}
    for relative in pages:
        tab.visit(http_site, relative)
        scroll, client = tab.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if scroll > client:
            too_wide[relative] = f"scrollWidth {scroll} > clientWidth {client}"
    assert not too_wide, f"at {VIEWPORTS[viewport][0]} CSS px: {too_wide}"


def test_headings_form_an_outline(http_site, pages, tab):
    """One h1 first; each heading at most one level deeper than the one before it."""
    broken = {}
    for relative in pages:
        tab.visit(http_site, relative)
        levels = tab.page.evaluate(
            "[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
        skips = [(a, b) for a, b in zip(levels, levels[1:]) if b > a + 1]
        if not levels or levels[0] != 1 or levels.count(1) != 1 or skips:
            broken[relative] = levels
    assert not broken, f"heading levels in page order: {broken}"


def _png_size(path) -> tuple[int, int]:
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("viewport, scheme", [("desktop", "light"), ("mobile", "light"), ("desktop", "dark")])
def test_screenshots_of_every_page(http_site, pages, tabs, screenshots, viewport, scheme):
    """Full-page screenshots for reviewers; as wide as the viewport, so nothing sticks out sideways."""
    tab = tabs(viewport, scheme)
    width, _, scale = VIEWPORTS[viewport]
    variant = viewport if scheme == "light" else f"{viewport}-{scheme}"
    for relative in pages:
        tab.visit(http_site, relative)
        target = screenshots / screenshot_name(relative, variant)
        tab.page.screenshot(path=str(target), full_page=True)
        shot_width, shot_height = _png_size(target)
        assert shot_width == width * scale, (target.name, shot_width)
        assert shot_height >= VIEWPORTS[viewport][1] * scale, (target.name, shot_height)
