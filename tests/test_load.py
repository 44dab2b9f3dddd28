"""Load + validate: a broken scenario names its file, line and field."""
from __future__ import annotations

import pytest

from generator.errors import ScenarioErrors
from generator.model.load import load_scenarios

GOOD = """\
title: One
as_of: 2026-05-03T08:00:00Z
source:
  name: Shop
  store: shop.myshopify.com
  plan: pro
api:
  target_version: "2026-04"
"""


def problems(folder):
    with pytest.raises(ScenarioErrors) as info:
        load_scenarios(folder)
    return info.value.problems


def test_good_scenario_loads_with_defaults(write_scenarios):
    [s] = load_scenarios(write_scenarios({"one.yml": GOOD}))
    assert s.id == "one" and s.flags.real_exchange is False and s.scopes.requested == ["read_orders"]


@pytest.mark.parametrize("change, line, field, words", [
    (("  plan: pro\n", "  plan: platinum\n"), 6, "source.plan", "'pro'"),
    (("  plan: pro\n", "  plan: pro\n  colour: red\n"), 7, "source.colour", "not a known field"),
    (("title: One\n", "title: One\nsync_runs: 3\n"), 2, "sync_runs", "list"),
    (("  name: Shop\n", ""), 3, "source.name", "required"),
    (('  target_version: "2026-04"\n', '  target_version: "2026-05"\n'), 8, "api.target_version", "quarterly API version"),
])
def test_invalid_field_is_named_with_its_line(write_scenarios, change, line, field, words):
    bad = GOOD.replace(*change)
    [p] = problems(write_scenarios({"bad.yml": bad}))
    assert (p.file, p.line, p.field) == ("scenarios/bad.yml", line, field)
    assert words in p.message


def test_all_problems_are_reported_together(write_scenarios):
    folder = write_scenarios({"a.yml": GOOD.replace("pro\n", "gold\n"), "b.yml": "title: [unclosed\n",
                              "Bad_Name.yml": GOOD, "c.yml": ""})
    found = problems(folder)
    assert {p.file for p in found} == {"scenarios/a.yml", "scenarios/b.yml", "scenarios/Bad_Name.yml",
                                       "scenarios/c.yml"}


def test_extends_merges_and_errors_point_to_the_right_file(write_scenarios):
    folder = write_scenarios({"_base.yml": GOOD, "child.yml": "extends: _base\ntitle: Child\nflags:\n  real_exchange: yes\n"})
    [s] = load_scenarios(folder)
    assert s.title == "Child" and s.source.store == "shop.myshopify.com" and s.flags.real_exchange is True
    folder = write_scenarios({"_base.yml": GOOD.replace("pro\n", "gold\n"), "child.yml": "extends: _base\n"})
    [p] = problems(folder)
    assert (p.file, p.line, p.field) == ("scenarios/_base.yml", 6, "source.plan")


def test_extends_cycle_is_an_error(write_scenarios):
    folder = write_scenarios({"a.yml": "extends: b\n" + GOOD, "b.yml": "extends: a\n" + GOOD})
    assert any("cycle" in p.message for p in problems(folder))
