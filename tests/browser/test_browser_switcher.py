"""Issue 20 in Chromium: content first at phone and desktop size, every scenario two activations
away by keyboard, the overview's filter box, and the overview readable at 375 px."""
from __future__ import annotations

import json
import unicodedata

import pytest
from browser_harness import FIRST_SCREEN, first_screen_sample, locale_prefixes


def _outside(facts: dict) -> list[str]:
    """What of the first-screen rule a page breaks (empty: none)."""
    faults = [] if facts["skipFirst"] else ["the skip link is not the first focusable element"]
    faults += [] if facts["switcher"] else ["no visible switcher"]
    if len(facts["boxes"]) != facts["expected"] or facts["expected"] != 5:
        faults.append(f"expected a title, three badges and a section heading, found {len(facts['boxes'])}")
    faults += [f"{b['what']} at {b['top']:.0f}–{b['bottom']:.0f} × {b['left']:.0f}–{b['right']:.0f}"
               for b in facts["boxes"]
               if b["top"] < 0 or b["bottom"] > facts["height"] or b["left"] < 0 or b["right"] > facts["width"]]
    if facts["scrollWidth"] > facts["width"]:
        faults.append(f"page scrolls sideways: {facts['scrollWidth']} > {facts['width']}")
    return faults


@pytest.fixture(scope="module")
def fullest(site, scenarios) -> list[str]:
    """The scenario pages with the most text above their first section, in each language."""
    pages = [prefix + path for prefix in locale_prefixes(site).values() for path in scenarios]
    return first_screen_sample(site, pages)


@pytest.mark.parametrize("viewport, size", [("desktop", (1280, 800)), ("phone", (375, 812))])
def test_title_badges_and_first_section_fit_the_first_screen(http_site, fullest, tabs, viewport, size):
    """At desktop and phone size, on the fullest scenario pages of each language (see
    first_screen_sample): title, badges and first section heading in the first screen."""
    tab = tabs(viewport)
    faults = {}
    for relative in fullest:
        tab.visit(http_site, relative)
        facts = tab.page.evaluate(FIRST_SCREEN)
        assert (facts["width"], facts["height"]) == size
        if _outside(facts) or tab.problems:
            faults[relative] = _outside(facts) + tab.problems
    assert not faults


def test_the_first_screen_check_is_not_blind(http_site, scenarios, tabs):
    """A title pushed down a screen is reported."""
    tab = tabs("phone")
    tab.visit(http_site, scenarios[0])
    tab.page.evaluate("() => document.querySelector('main h1').style.marginTop = '900px'")  # the test's own change
    assert [f for f in _outside(tab.page.evaluate(FIRST_SCREEN)) if f.startswith("H1 at")]


def _press_tab_to(tab, href_end: str, limit: int = 200) -> None:
    """Tab forward until the focused link's address ends with `href_end`."""
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate("() => document.activeElement.href || ''").endswith(href_end):
            return
    raise AssertionError(f"no link to {href_end} within {limit} presses of Tab")


def test_a_scenario_of_another_stage_is_two_activations_away_by_keyboard(http_site, site, tabs):
    """From the first scenario (both languages): Enter on a stage link, then Enter on a scenario of
    that stage in the overview. Only two activations; Tab moves between them."""
    manifest = json.loads((site / "scenarios.json").read_text(encoding="utf-8"))["scenarios"]
    start, target = manifest[0], manifest[-1]
    tab = tabs("phone")
    for locale, prefix in locale_prefixes(site).items():
        tab.visit(http_site, start["paths"][locale])
        stage = tab.page.eval_on_selector(".switcher-stages li:last-child a", "a => a.getAttribute('href')")
        _press_tab_to(tab, stage.split("/")[-1])
        tab.page.keyboard.press("Enter")
        tab.page.wait_for_url(http_site.url(prefix + "index.html" + stage[stage.index("#"):]))
        _press_tab_to(tab, target["path"])
        tab.page.keyboard.press("Enter")
        tab.page.wait_for_url(http_site.url(target["paths"][locale]))
        assert not tab.problems


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def test_the_filter_box_narrows_the_overview_as_you_type(http_site, site, tabs):
    manifest = json.loads((site / "scenarios.json").read_text(encoding="utf-8"))["scenarios"]
    tab = tabs("phone")
    for locale, prefix in locale_prefixes(site).items():
        tab.visit(http_site, prefix + "index.html")
        titles = {e["id"]: e["titles"].get(locale, e["title"]) for e in manifest}
        word = _fold(max(titles[manifest[1]["id"]].split(), key=len))  # typed without accents
        tab.page.get_by_role("searchbox").press_sequentially(word)
        shown = tab.page.eval_on_selector_all("table.overview tr[data-scenario]:not([hidden])",
                                              "rows => rows.map(r => r.dataset.scenario)")
        assert manifest[1]["id"] in shown
        assert set(shown) == {sid for sid, title in titles.items() if word in _fold(title + " " + sid)}
        assert len(shown) < len(manifest), word
        assert tab.page.locator("[data-filter-count]").inner_text().strip()
        tab.page.get_by_role("searchbox").fill("")
        tab.page.get_by_role("searchbox").dispatch_event("input")
        assert tab.page.locator("table.overview tr[data-scenario]:not([hidden])").count() == len(manifest)


def test_the_overview_reads_at_375_px(http_site, site, tabs):
    """No sideways page scroll; a table wider than the screen scrolls in its own labelled, focusable
    box, with a visible cue."""
    tab = tabs("phone")
    for prefix in locale_prefixes(site).values():
        tab.visit(http_site, prefix + "index.html")
        facts = tab.page.evaluate("""() => ({
          page: document.documentElement.scrollWidth - innerWidth,
          cue: getComputedStyle(document.querySelector(".scroll-cue")).display !== "none",
          boxes: [...document.querySelectorAll(".table-wrap")].map(w => ({
            wide: w.scrollWidth > w.clientWidth, focusable: w.tabIndex === 0,
            label: w.getAttribute("role") === "region" && !!document.getElementById(w.getAttribute("aria-labelledby"))}))})""")
        assert facts["page"] <= 0
        assert facts["cue"]
        assert all(b["focusable"] and b["label"] for b in facts["boxes"]), facts
