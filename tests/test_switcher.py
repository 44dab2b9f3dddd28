"""The switcher (issue 20): scenarios grouped by lifecycle stage, the page's own stage listed, every
stage one link away in the overview; every scenario within two activations of any page, and the
switcher's markup bounded whatever N."""
from __future__ import annotations

import functools
import posixpath
import re
from collections import deque

import pytest
from bs4 import BeautifulSoup

from generator.core.stages import STAGES, by_stage, stage_of
from generator.model.scenario import LOCALES
from generator.output.plan import Job, Plan
from generator.site.languages import output_path
from generator.site.render import SWITCHER_GROUP, Catalogue
from synthetic import many

SWITCHER_BYTES = 8 * 1024
NAV = re.compile(r'<nav class="switcher".*?</nav>', re.S)


def test_a_scenario_belongs_to_the_last_stage_starting_at_or_below_its_lifecycle():
    starts = [start for start, _ in STAGES]
    assert starts == sorted(set(starts)) and starts[0] == 0
    for (start, key), following in zip(STAGES, [*starts[1:], None]):
        assert stage_of(start) == key
        if following is not None:
            assert stage_of(following - 1) == key
    assert stage_of(10 ** 9) == STAGES[-1][1]
    assert by_stage([5, 950, 120, 60], lambda x: x) == [("story", [5, 60]), ("configuration", [120]),
                                                       ("disabled", [950])]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_stage_is_named_in_every_language(locale):
    t = Catalogue.load(locale)
    for _, key in STAGES:
        assert t(f"stage.{key}").strip()


def _links(soup: BeautifulSoup, where: str) -> set[str]:
    """The pages `where` links to, as site paths (fragments dropped)."""
    found = set()
    for a in soup.select("a[href]"):
        href = a["href"].split("#")[0]
        if href and "://" not in href and not href.startswith("mailto:"):
            found.add(posixpath.normpath(posixpath.join(posixpath.dirname(where), href)))
    return found


def _within_two(start: str, links_of) -> set[str]:
    """Pages reachable from `start` by following at most two links."""
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        where, depth = queue.popleft()
        if depth < 2:
            for target in links_of(where) - seen:
                seen.add(target)
                queue.append((target, depth + 1))
    return seen


def test_every_bundled_scenario_is_within_two_links_of_every_page(site, page, bundled_scenarios):
    @functools.cache  # a page's links are read once, not once per page whose walk passes by it
    def links_of(where: str) -> set[str]:
        return _links(page(where), where) if where.endswith(".html") and (site / where).is_file() else set()
    pages = [p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.name != "404.html"]
    for locale in LOCALES:
        targets = {output_path(locale, f"scenarios/{s.id}/index.html") for s in bundled_scenarios}
        for where in pages:
            if where.startswith("fr/") == (locale == "fr"):
                assert targets <= _within_two(where, links_of), (where, targets - _within_two(where, links_of))


def test_a_scenario_page_lists_its_stage_and_marks_itself(page, bundled_scenarios):
    for s in bundled_scenarios:
        soup = page(f"scenarios/{s.id}/index.html")
        stage = stage_of(s.lifecycle)
        group = [a["href"] for a in soup.select(".switcher-group a")]
        same = [o for o in bundled_scenarios if stage_of(o.lifecycle) == stage]
        assert len(same) <= SWITCHER_GROUP  # the bundled stages are small: listed whole
        assert group == [f"../../scenarios/{o.id}/index.html" for o in same]
        assert [a["href"] for a in soup.select('.switcher a[aria-current="page"]')] == \
            [f"../../scenarios/{s.id}/index.html"]
        assert [a["href"] for a in soup.select(".switcher-stages a.current")] == [f"../../index.html#stage-{stage}"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_overview_groups_every_scenario_under_its_stage(page, bundled_scenarios, locale):
    soup = page(output_path(locale, "index.html"))
    t = Catalogue.load(locale)
    for tbody in soup.select("table.overview tbody"):
        key = tbody["data-stage"]
        assert tbody["id"] == f"stage-{key}"
        rows = [tr["data-scenario"] for tr in tbody.select("tr[data-scenario]")]
        assert rows == [s.id for s in bundled_scenarios if stage_of(s.lifecycle) == key]
        assert tbody.select_one("tr.stage th").get_text().startswith(t(f"stage.{key}"))
    shown = [tr["data-scenario"] for tr in soup.select("table.overview tr[data-scenario]")]
    assert shown == [s.id for s in bundled_scenarios]
    # Every stage the switcher links exists as a group of the overview.
    anchors = {a["href"].split("#")[1] for a in page(output_path(locale, "scenarios/healthy/index.html"))
               .select(".switcher-stages a[href*='#']")}
    assert anchors == {tbody["id"] for tbody in soup.select("table.overview tbody")}


@pytest.fixture(scope="module", params=["spread", "one-stage"])
def thousand(request, plan_of_1000):
    """1,000 scenarios over every stage (lifecycle 0…999: the session's plan_of_1000), or all in one
    stage (no lifecycle given)."""
    if request.param == "one-stage":
        plan = Plan.make([s.model_copy(update={"lifecycle": 1000}) for s in many(1000)])
    else:
        plan = plan_of_1000
    chosen = sorted({0, 1, 5, 6, 7, 99, 100, 101, 500, 993, 994, 998, 999})
    files = {path: text for job in [Job("overview"), *(Job("scenario", i) for i in chosen)]
             for path, text in plan.render(job)}
    return plan, chosen, files


def test_at_n_1000_the_switcher_stays_small_and_every_scenario_is_two_links_away(thousand):
    plan, chosen, files = thousand
    for locale in LOCALES:
        overview = output_path(locale, "index.html")
        every = {output_path(locale, p.path) for p in plan.pages}
        # A regex, not a parser: the overview of 1,000 scenarios is megabytes of generated HTML.
        from_overview = {posixpath.normpath(posixpath.join(posixpath.dirname(overview), href.split("#")[0]))
                         for href in re.findall(r'<a\b[^>]*\bhref="([^"#][^"]*)"', files[overview])}
        assert every <= from_overview
        for index in chosen:
            where = output_path(locale, plan.pages[index].path)
            nav = NAV.search(files[where]).group(0)
            assert len(nav.encode()) <= SWITCHER_BYTES, (where, len(nav.encode()))
            first = _links(BeautifulSoup(nav, "html.parser"), where)
            assert overview in first and where in first
            assert len(first) <= SWITCHER_GROUP + 1


def test_a_title_shows_on_few_scenario_pages(thousand):
    """Issue 18: a title change re-renders its stage's neighbours, not every page (Plan.needs)."""
    plan, _, _ = thousand
    sid = plan.pages[500].id
    showing = [job for job in plan.jobs() if job.kind == "scenario" and sid in (
        (needs.whole | needs.titles) if (needs := plan.needs(job)) else {sid})]
    assert len(showing) <= SWITCHER_GROUP + 2
