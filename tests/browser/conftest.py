"""Browser fixtures that build on each other: built site → served (http or file://) → one Chromium
for the session → reusable tabs per viewport and colour scheme.

Missing tools fail the tests with the setup command to run; they never skip, so CI cannot pass
without a browser.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from browser_harness import (CHROMIUM, CHROMIUM_ARGS, REFLOW, ROOT, SETUP_HINT, VIEWPORTS, Served, Tab,
                             covering_sample, missing_tools, scenario_paths, site_pages, survey)

from generator.review.site_server import SiteServer

#: The axe runs since the last test report: (page, violations, seconds). Each report carries its
#: own (tests/conftest.py adds them up), so the summary is whole when tests run in several processes.
AXE_RUNS: list[tuple[str, int, float]] = []


@pytest.fixture(scope="session")
def browser():
    missing = missing_tools()
    if missing:
        pytest.fail(f"browser tests need {', '.join(missing)}: {SETUP_HINT}", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def http_site(site):
    with SiteServer(site) as server:
        yield Served("http", server.base)


@pytest.fixture(scope="session")
def file_site(site):
    return Served("file", site.resolve().as_uri() + "/")


@pytest.fixture(scope="session", params=["http", "file"])
def served(request, site):
    """The site both ways a stakeholder opens it: from a web server and straight from disk. (`site`
    is named so that a test's fixtures show it: tests/conftest.py's check of ON_THEIR_OWN.)"""
    return request.getfixturevalue(f"{request.param}_site")


@pytest.fixture(scope="session")
def pages(site) -> list[str]:
    return site_pages(site)


@pytest.fixture(scope="session")
def sample(site, pages) -> list[str]:
    """The pages the per-page browser checks walk: see covering_sample."""
    return covering_sample(site, pages)


@pytest.fixture(scope="session")
def focus_sample(site, pages) -> list[str]:
    """The sample per template, whatever the language: for checks that words cannot change."""
    return covering_sample(site, pages, by_language=False)


@pytest.fixture(scope="session")
def surveys(sample, tabs, axe):
    """surveys(served) → {page: Visit}: each page of the sample loaded once (desktop, light) per
    way of serving it, and the per-page checks assert on that. Over http each visit also keeps
    axe's violations ("axe", every rule: test_browser_a11y) and the page's widths at REFLOW's
    viewports ("widths", Tab.widths_at: test_browser_pages), so no check loads these pages again.
    Axe runs in the test that first asks for the survey, whose report carries them (AXE_RUNS); so
    a test that reads the http survey, run alone or in a process of its own, pays for those runs.
    A survey that fails fails each test that reads it with the same error (naming the page), and
    is not made again."""
    cache: dict[str, dict | Exception] = {}

    def measure_over_http(tab: Tab) -> dict:
        return {"axe": axe(tab), "widths": tab.widths_at(REFLOW)}

    def of(served: Served) -> dict:
        if served.how not in cache:
            try:
                cache[served.how] = survey(tabs(), served, sample, measure_over_http if served.how == "http" else None)
            except Exception as error:
                cache[served.how] = error
        if isinstance(cache[served.how], Exception):
            raise cache[served.how]
        return cache[served.how]
    return of


@pytest.fixture(scope="session")
def scenarios(site) -> list[str]:
    return scenario_paths(site)


@pytest.fixture(scope="session")
def tabs(browser):
    """tabs(viewport, scheme) → a Tab reused across tests; one browser context per combination.
    One tab per context: a second tab in a context sends the first to the background, where
    Chromium throttles its frames (a click took 1.8 s instead of 0.1 s)."""
    cache: dict[tuple[str, str], Tab] = {}

    def open_tab(viewport: str = "desktop", scheme: str = "light") -> Tab:
        if (viewport, scheme) not in cache:
            width, height, scale = VIEWPORTS[viewport]
            context = browser.new_context(viewport={"width": width, "height": height},
                                          device_scale_factor=scale, color_scheme=scheme)
            context.set_default_timeout(10_000)  # local pages: a wait this long is a failure
            cache[viewport, scheme] = Tab(context.new_page())
        return cache[viewport, scheme]
    yield open_tab
    for tab in cache.values():
        tab.page.context.close()


@pytest.fixture
def tab(tabs) -> Tab:
    return tabs()


@pytest.fixture(scope="session")
def axe():
    """axe(tab) → violations at WCAG 2.2 AA, counted and timed for the closing summary;
    axe(tab, COLOUR) → those of the colour rules only (see browser_harness.COLOUR)."""
    def run(tab: Tab, category: str = "") -> list[dict]:
        start = time.perf_counter()
        violations = tab.run_axe(category=category)
        url = tab.page.url  # the page within its site: the same page served by another process counts once
        page = url.replace(tab.site_prefix, url.split(":", 1)[0] + ":/", 1) if tab.site_prefix else url
        AXE_RUNS.append((page, sum(len(v["nodes"]) for v in violations), time.perf_counter() - start))
        return violations
    return run


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where screenshots go: $SCREENSHOTS (scripts/test sets it to screenshots/, which CI keeps and
    the published site/ never contains), else a temporary folder so a bare pytest leaves nothing."""
    folder = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else \
        tmp_path_factory.mktemp("screenshots")
    folder = folder if folder.is_absolute() else ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    if AXE_RUNS:  # a new list, never the item's own: each phase's report carries its own runs
        report.user_properties = [*report.user_properties, ("axe", list(AXE_RUNS))]
        AXE_RUNS.clear()
