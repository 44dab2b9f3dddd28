"""Journeys: each step must follow from the previous one by an action's effect, or build and check refuse."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bundled import copy_with_journeys, neighbourhood
from test_cli import in_process
from generator.errors import ScenarioErrors
from generator.model.journeys import load_journeys
from generator.model.load import load_scenarios

ROOT = Path(__file__).resolve().parent.parent

STEP = """  - scenario: {scenario}
    action: {action}
{outcome}    say: {{en: A step., fr: Une étape.}}
"""


def journey(*steps: tuple[str, str | None, str | None]) -> str:
    text = "title: {en: Test, fr: Test}\nsteps:\n  - scenario: %s\n    say: {en: Start., fr: Début.}\n" % steps[0][0]
    for scenario, action, outcome in steps[1:]:
        text += STEP.format(scenario=scenario, action=action, outcome=f"    outcome: {outcome}\n" if outcome else "")
    return text


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the bundled scenarios (journeys included), to add a journey to."""
    copy = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", copy)
    return copy


def test_bundled_journeys_hold(bundled_scenarios):
    found = {j.id: j for j in load_journeys(ROOT / "scenarios", bundled_scenarios)}
    assert {"first-connection", "failed-sync-recovery"} <= set(found)
    first = found["first-connection"]
    assert [s.scenario for s in first.steps] == ["missing-refs", "refs-present", "exchange-enabled", "healthy"]


@pytest.mark.parametrize("steps, message", [
    ((("missing-refs", None, None), ("healthy", "enter_credentials", None)),
     "step 2: does not follow from 'missing-refs': enter_credentials (references_created)"),
    ((("missing-refs", None, None), ("refs-present", "manual_sync", "sync_succeeded")),
     "step 2: action 'manual_sync' is not allowed in 'missing-refs'"),
    ((("refs-present", None, None), ("exchange-enabled", "enable_exchange_staging", None)),
     "step 2: action 'enable_exchange_staging' has several outcomes"),
    ((("refs-present", None, None), ("nowhere", "enable_exchange_staging", "exchange_accepted")),
     "step 2: names scenario 'nowhere', which does not exist"),
])
def test_an_impossible_step_is_refused_with_file_line_and_step(folder, bundled_scenarios, steps, message):
    (folder / "journeys" / "bad.yml").write_text(journey(*steps), encoding="utf-8")
    with pytest.raises(ScenarioErrors) as raised:
        load_journeys(folder, load_scenarios(folder))
    assert f"scenarios/journeys/bad.yml:5: steps[1]: {message}" in str(raised.value)


def test_build_and_check_refuse_an_impossible_journey_and_keep_the_previous_site(tmp_path):
    """On the files a save of missing-refs.yml reaches (bundled.neighbourhood), where the bad journey
    starts, with every bundled journey through them (both: the previous site has journey pages): a
    refusal and the site it keeps do not depend on the 40 scenarios, at half the build."""
    folder = copy_with_journeys(tmp_path / "scenarios", neighbourhood("missing-refs.yml"))
    out = tmp_path / "site"
    assert in_process("build", "--scenarios", folder, "--out", out).returncode == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (folder / "journeys" / "bad.yml").write_text(
        journey(("missing-refs", None, None), ("healthy", "enter_credentials", None)), encoding="utf-8")
    for command in (["build", "--scenarios", str(folder), "--out", str(out)], ["check", "--scenarios", str(folder)]):
        # In this process: what is tested is what build and check refuse, not the command line.
        result = in_process(*command)
        assert result.returncode != 0, command
        assert "scenarios/journeys/bad.yml:5: steps[1]: step 2: does not follow from 'missing-refs'" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p for p in before if "journeys/" in p.as_posix()], "the previous site had no journey page"
