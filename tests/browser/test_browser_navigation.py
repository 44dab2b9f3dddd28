"""Clicks and keys as a stakeholder uses them: switcher, previous/next, and the action previews."""
from __future__ import annotations

from generator.render import Catalogue

SWITCHER_LINKS = "nav.switcher a"


def test_switcher_reaches_every_scenario_from_every_page(served, pages, scenarios, tab):
    """Each switcher link, clicked from each page, lands on its page, which marks itself current."""
    for start in pages:
        tab.visit(served, start)
        targets = tab.page.eval_on_selector_all(SWITCHER_LINKS, "links => links.map(a => a.href)")
        assert {served.relative(url) for url in targets} >= set(scenarios), (served.how, start)
        for index, target in enumerate(targets):
            tab.page.locator(SWITCHER_LINKS).nth(index).click()
            tab.page.wait_for_url(target)
            current = tab.page.eval_on_selector_all(
                f"{SWITCHER_LINKS}[aria-current='page']", "links => links.map(a => a.href)")
            assert current == [target], (served.how, start, target)
            if target != served.url(start):
                tab.page.go_back()
                tab.page.wait_for_url(served.url(start))
        assert not tab.problems, (served.how, start, tab.problems)


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
        for index in range(previews.count()):
            details = previews.nth(index)
            summary = details.locator("summary")
            where = (relative, index)
            is_open, shown, _ = details.evaluate(PREVIEW_STATE)
            assert not is_open and not shown, where
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
