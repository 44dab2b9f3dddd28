"""Journeys: named walkthroughs of the scenarios, declared in `scenarios/journeys/*.yml`.

Each step names a scenario, the action (and, when it has several, the outcome)
that led there from the previous step, and a sentence for the stakeholder. A step
must follow from the previous one: applying the action's effect to the previous
scenario's facts derives the same state as the step's scenario (core/transitions.py).
Files are read by the same YAML-with-line-numbers machinery as scenarios, so an
error names file, line and step. Format: docs/scenarios.md, "Journeys".
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationError

from ..core.derive import derive
from ..core.effects import EFFECTS
from ..core.transitions import all_actions, state_key
from ..errors import Problem, ScenarioErrors
from .load import ID_PATTERN, _parse, _Reject, _validation_problems, scenario_files
from .scenario import Facts, LocalText, Scenario

#: The folder of journey files, inside the scenarios folder (the scenario loader skips folders).
FOLDER = "journeys"


class Step(Facts):
    scenario: str = Field(min_length=1)
    #: The action taken on the previous step's scenario; the first step has none.
    action: str | None = None
    #: Which outcome of the action, when it has several.
    outcome: str | None = None
    say: LocalText


class Journey(Facts):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)
    title: LocalText
    steps: list[Step] = Field(min_length=2, max_length=50)

    def text(self, value: LocalText, locale: str) -> str:
        return value if isinstance(value, str) else value.get(locale) or next(iter(value.values()))

    @property
    def path(self) -> str:
        return f"journeys/{self.id}/index.html"


def _step_problem(journey: Journey, index: int, step: Step, by_id: dict[str, Scenario]) -> str | None:
    """Why step `index` does not follow from the one before, or None."""
    if step.scenario not in by_id:
        return f"names scenario '{step.scenario}', which does not exist"
    if index == 0:
        return "the first step is where the journey starts: it takes no action" if step.action else None
    if step.action is None:
        return "names no action: every step after the first says which action led there"
    if step.action not in EFFECTS:
        return f"action '{step.action}' is not an action of the page ({', '.join(sorted(EFFECTS))})"
    before = by_id[journey.steps[index - 1].scenario]
    allowed = {a.code for a in all_actions(derive(before)) if a.allowed}
    if step.action not in allowed:
        return f"action '{step.action}' is not allowed in '{before.id}', the previous step"
    outcomes = EFFECTS[step.action]
    names = [o.name for o in outcomes]
    if step.outcome is None and len(outcomes) > 1:
        return f"action '{step.action}' has several outcomes: say which ({', '.join(names)})"
    if step.outcome is not None and step.outcome not in names:
        return f"action '{step.action}' has no outcome '{step.outcome}' ({', '.join(names)})"
    chosen = outcomes[names.index(step.outcome)] if step.outcome else outcomes[0]
    if state_key(chosen.apply(before)) != state_key(by_id[step.scenario]):
        return (f"does not follow from '{before.id}': {step.action} ({chosen.name}) there does not "
                f"derive the state of '{step.scenario}'")
    return None


def load_journeys(scenarios_dir: Path, scenarios: list[Scenario]) -> list[Journey]:
    """Every journey in `<scenarios_dir>/journeys/`, checked step by step; ScenarioErrors lists all problems."""
    folder = Path(scenarios_dir) / FOLDER
    if not folder.is_dir():
        return []
    by_id = {s.id: s for s in scenarios}
    problems: list[Problem] = []
    journeys: list[Journey] = []
    for path in scenario_files(folder):
        label = f"{Path(scenarios_dir).name}/{FOLDER}/{path.name}"
        if not ID_PATTERN.match(path.stem):
            problems.append(Problem(label, None, "id", "the file name must be lower-case kebab-case"))
            continue
        try:
            doc = _parse(path, label)
            journey = Journey.model_validate({**doc.data, "id": path.stem})
        except _Reject as reject:
            problems.append(reject.problem)
            continue
        except ValidationError as exc:
            problems.extend(_validation_problems(exc, doc))
            continue
        for index, step in enumerate(journey.steps):
            message = _step_problem(journey, index, step, by_id)
            if message:
                line = doc.lines.get(("steps", index), (None, None))[1]
                problems.append(Problem(label, line, f"steps[{index}]", f"step {index + 1}: {message}"))
        journeys.append(journey)
    if problems:
        raise ScenarioErrors(problems)
    return journeys
