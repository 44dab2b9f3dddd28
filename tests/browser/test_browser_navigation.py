"""Clicks and keys as a stakeholder uses them: switcher, previous/next, and the action previews."""
from __future__ import annotations

from browser_harness import locale_prefixes, page_kind

from generator.site.render import Catalogue

SWITCHER_LINKS = "nav.switcher a"


def _switcher_targets(tab, served) -> list[str]:
    return [served.relative(url) for url in
            tab.page.eval_on_selector_all(SWITCHER_LINKS, "links => links.map(a => a.href)")]


def test_every_switcher_links_pages_of_the_site_the_overview_among_them(served, site, pages, surveys):
    """Every page's switcher links only pages of the site, the overview among them (from the survey's
    one load of each page, both ways of serving it)."""
    for relative, visit in surveys(served).items():
        linked = [served.relative(url).split("#")[0] for url in visit.facts["switcher"]]
        if page_kind(relative) == "404":
            # No link at all by design: served at any depth, where no relative link resolves.
            assert linked == [], (served.how, relative, linked)
            continue
        own = _own_prefix(relative, locale_prefixes(site))
        assert own + "index.html" in linked and set(linked) <= set(pages), (served.how, relative, linked)


def test_switcher_clicks_through_a_stage(http_site, scenarios, tab):
    """Clicking around the first scenario's stage (each page to the next, the last back to the
    first) uses each page's own switcher and lands on each page, which marks itself current; and
    a stage link lands on that stage's rows of the overview.

    Over HTTP only: the switcher is plain links (no script acts on a click: switcher.js only
    scrolls its rows on a narrow screen), so a click lands where the link's href says however the
    page was loaded, and the hrefs are checked from file:// too (the test above), the same
    stylesheet lays the links out either way, and the survey loads pages of every template from
    file:// without a problem."""
    served = http_site
    tab.visit(served, scenarios[0])
    cycle = [target for target in _switcher_targets(tab, served) if target in scenarios]
    assert scenarios[0] in cycle
    if cycle[0] != scenarios[0]:
        tab.visit(served, cycle[0])
    for target in cycle[1:] + cycle[:1]:
        start = served.relative(tab.page.url)
        tab.page.locator(SWITCHER_LINKS).nth(_switcher_targets(tab, served).index(target)).click()
        tab.page.wait_for_url(served.url(target))
        current = tab.page.eval_on_selector_all(f"{SWITCHER_LINKS}[aria-current='page']",
                                                "links => links.map(a => a.href)")
        assert current == [served.url(target)], (start, target)
        assert not tab.problems, (start, target, tab.problems)
    stage = tab.page.eval_on_selector(f"{SWITCHER_LINKS}.current", "a => a.href")
    tab.page.locator(f"{SWITCHER_LINKS}.current").click()
    tab.page.wait_for_url(stage)
    rows = tab.page.eval_on_selector_all(":target tr[data-scenario]", "rows => rows.map(r => r.dataset.scenario)")
    assert served.relative(tab.page.url).split("#")[0].endswith("index.html")
    assert scenarios[0].split("/")[-2] in rows, (stage, rows)


#: Steps walked by clicks and keys; the whole chain, on every page, is tests/test_navigation.py's.
STEPS = 3


def test_previous_and_next_walk_the_scenarios_in_order(http_site, scenarios, tab):
    """Clicking "next" from the first scenario walks them in the site's order; "previous" back.
    Over HTTP only: plain links no script handles, so a click lands where the href says however the
    page was loaded, and tests/test_navigation.py follows every page's hrefs on disk."""
    served = http_site
    tab.visit(served, scenarios[0])
    walked = [served.relative(tab.page.url)]
    for _ in range(STEPS):
        tab.page.locator("a[rel=next]").click()
        tab.page.wait_for_load_state()
        walked.append(served.relative(tab.page.url))
    assert walked == scenarios[:STEPS + 1]
    for _ in range(STEPS):
        tab.page.locator("a[rel=prev]").click()
        tab.page.wait_for_load_state()
        walked.append(served.relative(tab.page.url))
    assert walked[STEPS:] == scenarios[:STEPS + 1][::-1]
    assert not tab.problems, tab.problems


def _own_prefix(relative: str, prefixes: dict[str, str]) -> str:
    """The language folder a page is in ('' for the default language)."""
    return max((p for p in prefixes.values() if relative.startswith(p)), key=len)


def _same_page_in(relative: str, prefixes: dict[str, str]) -> dict[str, str]:
    """{locale: this page in that locale}: the same path under each language's folder."""
    own = _own_prefix(relative, prefixes)
    return {locale: prefix + relative.removeprefix(own) for locale, prefix in prefixes.items()}


def test_language_switch_links_the_same_page_in_the_other_language(served, site, pages, surveys):
    """On every page of the survey (but 404.html, which links nowhere), both ways of serving it, the
    switch links the same page in each other language, and that page exists."""
    prefixes = locale_prefixes(site)
    assert len(prefixes) >= 2, prefixes
    for relative, visit in surveys(served).items():
        if page_kind(relative) == "404":
            assert visit.facts["languages"] == [], relative
            continue
        same = _same_page_in(relative, prefixes)
        others = {locale: served.relative(url) for locale, url in visit.facts["languages"]}
        assert others == {loc: path for loc, path in same.items() if path != relative}, (relative, others)
        assert set(others.values()) <= set(pages), (relative, others)


def test_language_switch_leads_to_the_same_page_in_the_other_language(http_site, site, sample, tab):
    """On one page of each template, clicking the switch lands on the same page in that language,
    and clicking back (the switch of the other language's page of that template) returns: each
    direction between the languages, clicked once per template.

    Over HTTP only: the switch is plain links that no script handles, so a click lands where the
    href says however the page was loaded; the hrefs are checked from file:// too (the test above)."""
    served = http_site
    prefixes = locale_prefixes(site)
    one_of_each: dict[str, str] = {}
    for relative in sample:
        if page_kind(relative) != "404":
            one_of_each.setdefault(page_kind(relative), relative)
    for relative in one_of_each.values():
        for locale, target in _same_page_in(relative, prefixes).items():
            if target == relative:
                continue
            tab.visit(served, relative)
            tab.page.locator(f"a[data-switch-locale='{locale}']").click()
            tab.page.wait_for_url(served.url(target))
            assert tab.page.get_attribute("html", "lang").split("-")[0] == locale, (relative, target)
            back = _same_page_in(target, prefixes)
            back_locale = next(loc for loc, path in back.items() if path == relative)
            tab.page.locator(f"a[data-switch-locale='{back_locale}']").click()
            tab.page.wait_for_url(served.url(relative))
            assert tab.page.get_attribute("html", "lang").split("-")[0] == back_locale, (target, relative)
            assert not tab.problems, (relative, tab.problems)


def test_brackets_walk_the_scenarios_in_every_language(http_site, site, scenarios, tab):
    """On scenario pages "]" follows next and "[" previous (scenario.js), with the hint shown:
    from the first scenario "]" walks in order, then "[" back; in each language."""
    for prefix in locale_prefixes(site).values():
        order = [prefix + path for path in scenarios[:STEPS + 1]]
        tab.visit(http_site, order[0])
        assert tab.page.locator("[data-keyboard-hint]").is_visible(), order[0]
        for key, expected in (("]", order), ("[", order[::-1])):
            walked = [http_site.relative(tab.page.url)]
            while len(walked) < len(expected):
                tab.page.keyboard.press(key)
                tab.page.wait_for_url(lambda url: http_site.relative(url) != walked[-1])
                walked.append(http_site.relative(tab.page.url))
            assert walked == expected, (key, walked)
        assert not tab.problems, (tab.problems)


#: A preview's state in one round trip: open?, body shown?, body text.
PREVIEW_STATE = "d => [d.open, d.querySelector('.preview-body').checkVisibility(), d.innerText]"
#: Every preview of the page opened and closed again in one round trip: its state when open.
EVERY_PREVIEW_OPEN = """() => [...document.querySelectorAll("details.preview")].map(d => {
  const closed = !d.open;
  d.open = true;
  const state = [closed, d.querySelector(".preview-body").checkVisibility(), d.innerText];
  d.open = false;
  return state;
})"""


def test_every_action_preview_starts_closed_and_opens_to_a_visible_body(http_site, sample, tab):
    """On the scenario and outcome pages of the sample: every preview starts closed, and open shows
    its body, which says that nothing is executed (its markup on every page: test_navigation.py)."""
    checked = 0
    for relative in (p for p in sample if page_kind(p) in ("scenario", "outcome")):
        tab.visit(http_site, relative)
        previews = tab.page.evaluate(EVERY_PREVIEW_OPEN)
        assert previews, f"{relative} has no action preview"
        for index, (closed, shown, text) in enumerate(previews):
            assert closed and shown, (relative, index)
            assert "performsRealAction: false" in text, (relative, index, text)
        checked += len(previews)
    assert checked
    assert not tab.problems, tab.problems


def test_each_action_preview_opens_and_closes_by_mouse_and_keyboard(http_site, site, scenarios, tab):
    """Every preview toggles with a click, Enter and Space: all of them on the first and last
    scenario page, in one language (words do not change how a key or a click acts). Every preview
    is the same <details class="preview"> of scenario.html, whatever the scenario; what differs
    (the text, in each language) is checked on every page above."""
    checked = 0
    for locale, prefix in list(locale_prefixes(site).items())[:1]:
        no_execution = Catalogue.load(locale)("action.no_execution")
        for relative in (prefix + scenarios[0], prefix + scenarios[-1]):
            tab.visit(http_site, relative)
            previews = tab.page.locator("details.preview")
            for index in range(previews.count()):
                details = previews.nth(index)
                summary = details.locator("summary")
                where = (relative, index)
                summary.click()
                is_open, shown, text = details.evaluate(PREVIEW_STATE)
                assert is_open and shown, where
                assert no_execution in text, (where, text)
                summary.click()
                assert details.evaluate(PREVIEW_STATE)[:2] == [False, False], where
                summary.press("Enter")
                assert details.evaluate(PREVIEW_STATE)[:2] == [True, True], where
                summary.press(" ")
                assert details.evaluate(PREVIEW_STATE)[:2] == [False, False], where
                checked += 1
    assert checked >= 2
    assert not tab.problems, tab.problems
