"""Every page in Chromium, over HTTP and from file://: loads cleanly, reflows, and is photographed."""
from __future__ import annotations

import struct

import pytest
from browser_harness import VIEWPORTS, dark_sample, page_kind, screenshot_name


def test_every_page_loads_without_console_error_or_failed_request(served, pages, surveys):
    """Every page, both ways of serving it: no console error or warning, no failed request, no
    request leaving the site, and the stylesheet applied (it sets the body margin to 0 where
    browsers default to 8px)."""
    assert pages, "the built site has no page"
    visits = surveys(served)
    problems = {}
    for relative in pages:
        visit = visits[relative]
        # 404.html has no stylesheet by design (templates/404.html: GitHub Pages serves it at any
        # depth, where no relative link resolves); it must still load without any problem.
        styled = visit.facts["styled"] or page_kind(relative) == "404"
        found = visit.problems + ([] if styled else ["style.css did not apply"])
        if found:
            problems[relative] = found
    assert not problems, f"over {served.how}: {problems}"


@pytest.mark.parametrize("viewport", ["narrow", "zoom-200"])
def test_no_horizontal_scrolling_at_320px_or_200_percent_zoom(http_site, template_sample, tabs, viewport):
    """WCAG 1.4.10 reflow: wide tables may scroll inside their own region, the page never does.
    Reflow depends on the template, so this walks the per-template sample (every page but the
    compare pairs, and a few of those: see per_template_sample)."""
    tab = tabs(viewport)
    too_wide = {}
    for relative in template_sample:
        tab.visit(http_site, relative)
        scroll, client = tab.page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if scroll > client:
            too_wide[relative] = f"scrollWidth {scroll} > clientWidth {client}"
    assert not too_wide, f"at {VIEWPORTS[viewport][0]} CSS px: {too_wide}"


def test_headings_form_an_outline(http_site, pages, surveys):
    """Every page: one h1 first; each heading at most one level deeper than the one before it."""
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


@pytest.mark.parametrize("viewport, scheme", [("desktop", "light"), ("mobile", "light"), ("desktop", "dark")])
def test_screenshots_of_every_scenario_page_and_each_template(http_site, template_sample, surveys, tabs,
                                                              screenshots, viewport, scheme):
    """Full-page screenshots for reviewers: in light, of the per-template sample (every scenario page
    and overview in both languages, the compare index and a few pairs); in dark, of the pages of
    dark_sample (every template and tone). As wide as the viewport, so nothing sticks out sideways.
    Taken at CSS scale: a mobile shot is 375 px wide, though laid out with two device pixels each."""
    tab = tabs(viewport, scheme)
    width, height, _ = VIEWPORTS[viewport]
    variant = viewport if scheme == "light" else f"{viewport}-{scheme}"
    for relative in template_sample if scheme == "light" else dark_sample(surveys(http_site)):
        tab.visit(http_site, relative)
        target = screenshots / screenshot_name(relative, variant)
        tab.page.screenshot(path=str(target), full_page=True, scale="css")
        shot_width, shot_height = _png_size(target)
        assert shot_width == width, (target.name, shot_width)
        assert shot_height >= height, (target.name, shot_height)
