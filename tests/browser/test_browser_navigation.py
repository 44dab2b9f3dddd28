"""Clicks and keys as a stakeholder uses them: switcher, previous/next, and the action previews."""
from __future__ import annotations

from generator.render import Catalogue

SWITCHER_LINKS = "nav.switcher a"


def _switcher_targets(tab, served) -> list[str]:
    return [served.relative(url) for url in
            tab.page.eval_on_selector_all(SWITCHER_LINKS, "links => links.map(a => a.href)")]


def test_switcher_links_every_scenario_and_clicks_through_all(served, pages, scenarios, tab):
    """Every page's switcher lists every scenario and links only pages of the site. Then, clicking
    once around the switcher's cycle (each page to the next, the last back to the first) uses each
    page's own switcher and lands on each page, which marks itself current. Linear in pages."""
    for relative in pages:
        tab.visit(served, relative)
        linked = _switcher_targets(tab, served)
        assert set(scenarios) <= set(linked) <= set(pages), (served.how, relative, linked)
    cycle = linked
    tab.visit(served, cycle[0])
    for target in cycle[1:] + cycle[:1]:
        start = served.relative(tab.page.url)
        tab.page.locator(SWITCHER_LINKS).nth(_switcher_targets(tab, served).index(target)).click()
        tab.page.wait_for_url(served.url(target))
        current = tab.page.eval_on_selector_all(f"{SWITCHER_LINKS}[aria-current='page']",
                                                "links => links.map(a => a.href)")
        assert current == [served.url(target)], (served.how, start, target)
        assert not tab.problems, (served.how, start, target, tab.problems)


def test_previous_and_next_walk_the_scenarios_in_order(served, scenarios, tab):
    """Following "next" from the first scenario visits them all in the site's order; "previous" back."""
    tab.visit(served, scenarios[0])
    walked = [served.relative(tab.page.url)]
    while tab.page.locator("a[rel=next]").count():
        tab.page.locator("a[rel=next]").click()
        tab.page.wait_for_load_state()
        walked.append(served.relative(tab.page.url))
        assert len(walked) <= len(scenarios), walked
    assert walked == scenarios
    back = [walked[-1]]
    while tab.page.locator("a[rel=prev]").count():
        tab.page.locator("a[rel=prev]").click()
        tab.page.wait_for_load_state()
        back.append(served.relative(tab.page.url))
        assert len(back) <= len(scenarios), back
    assert back == scenarios[::-1]


#: A preview's state in one round trip: open?, body shown?, body text.
PREVIEW_STATE = "d => [d.open, d.querySelector('.preview-body').checkVisibility(), d.innerText]"


def test_each_action_preview_opens_and_closes_by_mouse_and_keyboard(http_site, scenarios, tab):
    """Every preview toggles with a click, Enter and Space, and once open says nothing is executed,
    in the page's own language (the catalogue named by <html lang>)."""
    checked = 0
    for relative in scenarios:
        tab.visit(http_site, relative)
        no_execution = Catalogue.load(tab.page.get_attribute("html", "lang"))("action.no_execution")
        previews = tab.page.locator("details.preview")
        assert previews.count(), f"{relative} has no action preview"
        assert not tab.page.eval_on_selector_all("details.preview[open]", "open => open.length"), relative
        for index in range(previews.count()):
            details = previews.nth(index)
            summary = details.locator("summary")
            where = (relative, index)
            summary.click()
            is_open, shown, text = details.evaluate(PREVIEW_STATE)
            assert is_open and shown, where
            assert no_execution in text and "performsRealAction: false" in text, (where, text)
            summary.click()
            assert details.evaluate(PREVIEW_STATE)[:2] == [False, False], where
            summary.press("Enter")
            assert details.evaluate(PREVIEW_STATE)[:2] == [True, True], where
            summary.press(" ")
            assert details.evaluate(PREVIEW_STATE)[:2] == [False, False], where
            checked += 1
    assert checked >= len(scenarios)
    assert not tab.problems, tab.problems
