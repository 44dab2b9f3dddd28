"""Every click leads somewhere (issue 14): action links walk the lifecycle, journeys keep back/next.

The route is worked out from the core (effects applied to the bundled facts), never read from
the pages; the browser then has to reach it by clicking the links the pages offer.
"""
from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from browser_harness import COLOUR, describe_violations, locale_prefixes, page_kind

from generator.core.derive import derive
from generator.core.transitions import walk
from generator.model.journeys import load_journeys
from generator.model.load import load_scenarios

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundled():
    return load_scenarios(ROOT / "scenarios")


def _route(bundled, start: str, goal: str) -> list[tuple[str, str, str]]:
    """Shortest (scenario, action, outcome) chain between two bundled scenarios, by the core's effects."""
    leads: dict[str, list] = {}
    for t in walk([(s, derive(s)) for s in bundled]).transitions:
        if t.target and not t.generated and t.target != t.source:
            leads.setdefault(t.source, []).append(t)
    queue, seen = deque([(start, [])]), {start}
    while queue:
        here, path = queue.popleft()
        if here == goal:
            return path
        for t in leads.get(here, []):
            if t.target not in seen:
                seen.add(t.target)
                queue.append((t.target, [*path, (t.source, t.action, t.outcome)]))
    raise AssertionError(f"no route from {start} to {goal}")


def _open_preview_and_follow(tab, action: str, outcome: str) -> None:
    item = tab.page.locator(f'li[data-action="{action}"], li[data-credential-action="{action}"]').first
    item.locator("summary").click()
    item.locator(f'[data-next="{action}"] li[data-outcome="{outcome}"] a').click()
    tab.page.wait_for_load_state("load")


@pytest.mark.parametrize("prefix", ["", "fr/"])
def test_from_missing_refs_to_healthy_by_action_links_only(served, tab, bundled, prefix):
    route = _route(bundled, "missing-refs", "healthy")
    tab.visit(served, f"{prefix}scenarios/missing-refs/index.html")
    for source, action, outcome in route:
        assert served.relative(tab.page.url) == f"{prefix}scenarios/{source}/index.html"
        _open_preview_and_follow(tab, action, outcome)
    assert served.relative(tab.page.url) == f"{prefix}scenarios/healthy/index.html"
    assert not tab.problems, tab.problems


def _at_step(tab, served, journey, n: int) -> None:
    m = len(journey.steps)
    assert served.relative(tab.page.url).split("?")[0] == f"scenarios/{journey.steps[n - 1].scenario}/index.html"
    step = tab.page.locator("[data-journey-step]")
    assert step.get_attribute("data-journey-step") == str(n)
    assert step.inner_text() == f"Step {n} of {m}"
    assert tab.page.locator("[data-journey-next]").count() == (1 if n < m else 0)
    assert tab.page.locator("[data-journey-prev]").count() == (1 if n > 1 else 0)


def _click(tab, selector: str) -> None:
    tab.page.locator(selector).click()
    tab.page.wait_for_load_state("load")


def test_each_journey_walks_forward_and_back_keeping_the_journey(served, tab, bundled):
    journeys = load_journeys(ROOT / "scenarios", bundled)
    assert len(journeys) >= 2
    for journey in journeys:
        m = len(journey.steps)
        tab.visit(served, journey.path)
        assert tab.page.locator("li[data-step]").count() == m  # the journey page lists every step, no script needed
        _click(tab, 'li[data-step="1"] a')
        for n in range(1, m + 1):
            _at_step(tab, served, journey, n)
            if n < m:
                _click(tab, "[data-journey-next]")
        for n in range(m, 0, -1):
            _at_step(tab, served, journey, n)
            if n > 1:
                _click(tab, "[data-journey-prev]")
        assert not tab.problems, tab.problems


def test_a_scenario_page_without_journey_shows_no_journey_bar(http_site, tab):
    tab.visit(http_site, "scenarios/healthy/index.html?journey=first-connection&step=2")  # wrong step for this page
    assert tab.page.locator("[data-journey-step]").count() == 0
    tab.visit(http_site, "scenarios/healthy/index.html")
    assert tab.page.locator("[data-journey-step]").count() == 0


def test_axe_finds_nothing_on_the_new_pages(http_site, site, sample, tabs, axe, bundled):
    """Issue 14's pages: outcome pages, journey pages, the overview's journey list, and a scenario
    page showing the journey bar. The first three are files of the site, so each language's
    outcome, journey and overview pages are in the covering sample (asserted below): axe runs on
    them in light at 1280 px in test_browser_a11y's light test (every element, class and tone of
    each kind, in each language) and in dark in its dark test (every kind, asserted there), so
    running them here again was the same page in the same combination. The journey bar is drawn
    by journey.js from the address, so no file of the site shows it: it is checked here, in each
    language, on a journey's middle step (both a back and a next link: the fullest bar).

    Each page is loaded once and checked in light with every rule, then in dark (Tab.use_scheme)
    with axe's colour rules only: the same page at the same width, and the scheme changes colours
    only (browser_harness.COLOUR, test_browser_a11y.test_the_dark_scheme_changes_colours_only)."""
    prefixes = locale_prefixes(site).values()
    language = {p: max((x for x in prefixes if p.startswith(x)), key=len) for p in sample}
    assert {(x, k) for x in prefixes for k in ("outcome", "journey", "overview")} <= \
        {(language[p], page_kind(p)) for p in sample}
    journey = next(j for j in load_journeys(ROOT / "scenarios", bundled) if len(j.steps) >= 3)
    bar = f"scenarios/{journey.steps[1].scenario}/index.html?journey={journey.id}&step=2"
    tab = tabs("desktop", "light")
    found = {}
    with tab.keeping_scheme():
        for relative in [prefix + bar for prefix in prefixes]:
            tab.visit(http_site, relative)
            assert tab.page.locator("[data-journey-prev], [data-journey-next]").count() == 2  # drawn when axe runs
            for scheme in ("light", "dark"):
                tab.use_scheme(scheme)
                violations = axe(tab, COLOUR if scheme == "dark" else "")
                if violations:
                    found[f"{relative} ({scheme})"] = describe_violations(violations)
            assert not tab.problems, (relative, tab.problems)
    assert not found, "\n".join(f"{page}:\n{lines}" for page, lines in found.items())
