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


def test_a_memo_of_the_last_load_reuses_what_did_not_change_and_still_reports_every_problem(tmp_path):
    """With the dev server's memo a second load gives the same scenario object for a file (and the
    files it extends) left as it was, a new one for a changed file or base, and the same problems:
    a secret found in an unchanged file is reported again, by field, never by value."""
    import random
    import shutil
    from pathlib import Path
    from secret_samples import shopify
    scenarios = shutil.copytree(Path(__file__).parent.parent / "scenarios", tmp_path / "scenarios")
    memo: dict = {}
    first = {s.id: s for s in load_scenarios(scenarios, memo)}
    healthy = scenarios / "healthy.yml"
    healthy.write_text(healthy.read_text(encoding="utf-8").replace("Everything is in place", "All is in place"),
                       encoding="utf-8")
    second = {s.id: s for s in load_scenarios(scenarios, memo)}
    assert second["healthy"] is not first["healthy"] and second["healthy"] != first["healthy"]
    # made again: healthy and those extending it (healthy's file changed); reused: every other
    again = {sid for sid in second if second[sid] is not first[sid]}
    assert "healthy" in again and "missing-refs" not in again and len(again) < len(second)
    assert {s.id: s.model_dump_json() for s in load_scenarios(scenarios)} == \
        {sid: s.model_dump_json() for sid, s in second.items()}  # as a load without the memo gives
    base = scenarios / "_base.yml"
    # Changes of a base: the same instant at another offset (== cannot see it), a new name
    for old, new in (("as_of: 2026-05-03T08:00:00Z", "as_of: 2026-05-03T10:00:00+02:00"),
                     ("name: Shopify Suisse", "name: Shopify Schweiz")):
        base.write_text(base.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        third = {s.id: s.model_dump_json() for s in load_scenarios(scenarios, memo)}
        assert third == {s.id: s.model_dump_json() for s in load_scenarios(scenarios)}, new  # as without the memo
        assert any(new.split(": ", 1)[1] in dump for dump in third.values()), new
    secret, _ = shopify(random.Random(18))
    with open(scenarios / "missing-refs.yml", "a", encoding="utf-8") as handle:
        handle.write(f"notes: {secret}\n")
    reports = []
    for _ in range(2):  # the second load finds the file in the memo
        with pytest.raises(ScenarioErrors) as raised:
            load_scenarios(scenarios, memo)
        reports.append(str(raised.value))
    assert reports[0] == reports[1] and secret not in reports[0]
    assert "missing-refs.yml" in reports[0] and "a scenario never holds a secret" in reports[0]
