"""Actions lead somewhere: every allowed action's outcome links to a page showing derive(effect(facts))."""
from __future__ import annotations

import json
import posixpath

import pytest

from generator.core.derive import derive
from generator.core.effects import EFFECTS, outcomes
from generator.core.rows import rows
from generator.core.transitions import all_actions, walk
from generator.site.render import Page, state_table


def _state(scenario) -> dict:
    return state_table(Page(scenario, derive(scenario)))


@pytest.fixture(scope="module")
def manifest(site) -> dict:
    return json.loads((site / "scenarios.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def state_by_path(manifest) -> dict[str, dict]:
    return {entry["path"]: entry["state"] for entry in (*manifest["scenarios"], *manifest["outcomes"])}


def test_every_action_of_the_core_has_an_effect(bundled_scenarios):
    codes = {a.code for s in bundled_scenarios for a in all_actions(derive(s))}
    assert codes == set(EFFECTS)


@pytest.mark.parametrize("locale", ["", "fr/"])
def test_each_allowed_action_links_to_the_state_its_effect_derives(bundled_scenarios, page, site, state_by_path,
                                                                   locale):
    checked = 0
    for s in bundled_scenarios:
        path = f"scenarios/{s.id}/index.html"
        doc = page(locale + path)
        for action in all_actions(derive(s)):
            if not action.allowed:
                continue
            block = doc.select_one(f'[data-next="{action.code}"]')
            assert block is not None, f"{s.id}: {action.code} has no 'what you would see next'"
            items = {li["data-outcome"]: li for li in block.select("li[data-outcome]")}
            assert list(items) == [o.name for o in outcomes(action.code)]
            for out in outcomes(action.code):
                expected = _state(out.apply(s))  # computed here, from the facts, never read from the output
                link = items[out.name].find("a")
                if link is None:  # "you stay on this page": the outcome must be this very state
                    assert expected == state_by_path[path], f"{s.id}: {action.code} → {out.name}"
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(locale + path), link["href"]))
                assert (site / target).is_file(), f"{s.id}: {action.code} → {target} does not resolve"
                assert state_by_path[target.removeprefix(locale)] == expected, f"{s.id}: {action.code} → {out.name}"
                checked += 1
    assert checked > len(bundled_scenarios)


def test_every_link_on_outcome_pages_resolves(manifest, page, site):
    for entry in manifest["outcomes"]:
        for locale, path in entry["paths"].items():
            for link in page(path).select("a[href]"):
                href = link["href"]
                if href.startswith(("#", "http")):
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(path), href.split("?")[0].split("#")[0]))
                assert (site / target).exists(), f"{path}: {href}"


def test_outcome_pages_are_marked_generated_and_name_how_they_are_reached(manifest, page):
    for entry in manifest["outcomes"]:
        doc = page(entry["path"])
        note = doc.select_one("[data-generated]")
        assert note is not None and "generated" in note.get_text()
        assert entry["title"] in doc.h1.get_text()
        assert doc.select(f'section[data-section]'), "every section is there"
        assert len(doc.select("section[data-section]")) == len(page("scenarios/healthy/index.html").select(
            "section[data-section]"))


def test_outcomes_that_derive_alike_share_one_page(bundled_scenarios):
    states = [(s, derive(s)) for s in bundled_scenarios]
    w = walk(states)
    keys = [tuple(rows(g.scenario, g.derived)) for g in w.generated]
    assert len(keys) == len(set(keys))
    bundled = {tuple(rows(s, d)) for s, d in states}
    assert not bundled & set(keys), "a generated page never repeats a bundled scenario"
    # two different scenarios whose same action derives alike: they share the target
    twin = bundled_scenarios[0].model_copy(update={"id": "twin", "title": "Another title", "lifecycle": 999})
    again = walk([*states, (twin, derive(twin))])
    assert len(again.generated) == len(w.generated)
    first = {(t.action, t.outcome): t.target for t in again.transitions if t.source == bundled_scenarios[0].id}
    twins = {(t.action, t.outcome): t.target for t in again.transitions if t.source == "twin"}
    assert twins == first  # the twin is the same state: even "nothing changes" leads to the first file


def test_outcome_pages_link_onward_only_to_bundled_scenarios(manifest):
    generated = {entry["id"] for entry in manifest["outcomes"]}
    scenarios = {entry["id"] for entry in manifest["scenarios"]}
    for t in manifest["transitions"]:
        if t["from"] in generated:
            assert t["target"] is None or t["target"] in scenarios
        assert t["target"] is None or t["path"] is not None


def test_not_allowed_actions_point_to_the_nearest_scenario_where_they_are(bundled_scenarios, page):
    order = [s.id for s in bundled_scenarios]
    allowed = {s.id: {a.code for a in all_actions(derive(s)) if a.allowed} for s in bundled_scenarios}
    for index, s in enumerate(bundled_scenarios):
        doc = page(f"scenarios/{s.id}/index.html")
        for a in all_actions(derive(s)):
            if a.allowed:
                continue
            where = [i for i, sid in enumerate(order) if a.code in allowed[sid]]
            pointer = doc.select_one(f'li[data-action="{a.code}"] [data-allowed-in], '
                                     f'li[data-credential-action="{a.code}"] [data-allowed-in]')
            if not where:
                assert pointer is None
                continue
            distance = min(abs(i - index) for i in where)
            assert pointer is not None, f"{s.id}: {a.code}"
            assert abs(order.index(pointer["data-allowed-in"]) - index) == distance
            assert a.code in allowed[pointer["data-allowed-in"]]


@pytest.mark.parametrize("locale", ["", "fr/"])
def test_overview_draws_the_journey_map_with_its_text_equivalent(page, manifest, locale):
    doc = page(f"{locale}index.html")
    svg = doc.select_one(".journey-map svg")
    nodes = [a["href"] for a in svg.select("a")]
    assert nodes == [entry["path"] for entry in manifest["scenarios"]]  # every state, each links its page
    between = {(t["from"], t["action"], t["target"]) for t in manifest["transitions"]
               if t["target"] and not t["generated"] and t["target"] != t["from"]
               and t["from"] in {e["id"] for e in manifest["scenarios"]}}
    listed = {tuple(li["data-arrow"].split("/")) for li in doc.select(".journey-map-list li[data-arrow]")}
    assert len(svg.select("line.map-arrow")) == len(listed)
    assert listed == between
    uncovered = {li["data-outcome-page"] for li in doc.select("[data-outcome-page]")}
    assert uncovered == {entry["id"] for entry in manifest["outcomes"]}
