"""Provenance recorded by the core: perturbing a fact changes only rows that recorded reading it."""
from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from typing import Any, Iterator

import pytest
from pydantic import ValidationError

from generator.core.derive import derive
from generator.core.provenance import covers, record
from generator.core.rows import rows
from generator.model.scenario import Scenario
from generator.site.compare import NOT_FACTS

SHIFTS = (timedelta(hours=-1), timedelta(hours=1), timedelta(days=3), timedelta(days=-70))


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every fact of a dumped scenario as (path, value), paths as compare.facts() writes them;
    a list (and each of its items) is a fact too, so dropping items is a perturbation."""
    if isinstance(value, dict):
        for key, item in value.items():
            if path or key not in NOT_FACTS:
                yield from leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        yield path, value
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    else:
        yield path, value


def shape(path: str) -> str:
    return re.sub(r"\[\d+\]", "[]", path)


def seen_values(scenarios: list[Scenario]) -> dict[str, list[Any]]:
    """Each fact's values across the bundled scenarios: valid alternatives to try."""
    out: dict[str, list[Any]] = {}
    for s in scenarios:
        for path, value in leaves(s.model_dump(mode="json", by_alias=True)):
            if not isinstance(value, (list, dict)) and value not in out.setdefault(shape(path), []):
                out[shape(path)].append(value)
    return out


def alternatives(path: str, value: Any, seen: dict[str, list[Any]]) -> list[Any]:
    if isinstance(value, list):
        return [[]] + [value[:i] + value[i + 1:] for i in range(len(value))] if value else []
    if isinstance(value, bool):
        return [not value]
    found: list[Any] = [v for v in seen.get(shape(path), []) if v != value][:6]
    if isinstance(value, int):
        found += [value + 1, value - 1]
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            found += [(when + shift).strftime("%Y-%m-%dT%H:%M:%SZ") for shift in SHIFTS]
    if value is not None:
        found.append(None)
    return found


def set_path(data: dict, path: str, value: Any) -> dict:
    """`data` with `value` at `path`, `data` untouched. Only the dicts and lists on the path are
    copied, the rest is shared (model_validate only reads it): a deep copy of the whole scenario at
    each of the ~9,000 perturbations cost ~0.6 of the test's ~6 CPU-s."""
    steps = [int(step[1:-1]) if step.startswith("[") else step
             for step in re.findall(r"[^.\[\]]+|\[\d+\]", path)]
    out = copy.copy(data)
    target: Any = out
    for step in steps[:-1]:
        target[step] = copy.copy(target[step])
        target = target[step]
    target[steps[-1]] = value
    return out


def named(fact: str, read: tuple[str, ...]) -> bool:
    return any(covers(path, fact) or covers(fact, path) for path in read)


def test_a_changed_fact_changes_only_rows_whose_provenance_names_it(bundled_scenarios):
    seen = seen_values(bundled_scenarios)
    tried = changed_rows = 0
    for s in bundled_scenarios:
        data = s.model_dump(mode="json", by_alias=True)
        before = {(r.section, r.field): r.value for r in rows(s, derive(s))}
        _, provenance = record(s)
        for fact, value in list(leaves(data)):
            for other in alternatives(fact, value, seen):
                try:
                    p = Scenario.model_validate(set_path(data, fact, other))
                except ValidationError:
                    continue  # not a possible state: nothing to check
                tried += 1
                after = {(r.section, r.field): r.value for r in rows(p, derive(p))}
                differ = [key for key in before.keys() | after.keys() if before.get(key) != after.get(key)]
                if not differ:
                    continue
                moved = record(p)[1]
                for key in differ:
                    changed_rows += 1
                    # A row the original has must name the fact in the original's record (a fact it
                    # did not read cannot change it); a row only the perturbed state has, in its own.
                    read = provenance[key].facts if key in provenance else moved[key].facts
                    assert named(fact, read), (s.id, fact, other, key, read)
    assert tried > 1000 and changed_rows > 1000, (tried, changed_rows)  # the perturbations really bite


def test_recording_changes_nothing_the_core_derives(bundled_scenarios):
    for s in bundled_scenarios:
        d, provenance = record(s)
        assert d == derive(s)
        assert list(provenance) == [(r.section, r.field) for r in rows(s, d)]


def test_every_row_names_a_rule_or_repeats_a_fact(bundled_scenarios):
    for s in bundled_scenarios:
        for key, source in record(s)[1].items():
            assert source.rules or source.facts, (s.id, key)


@pytest.mark.parametrize("path, fact, expected", [
    ("sync_runs", "sync_runs[0].status", True), ("exchange", "exchange.at", True),
    ("exchange.at", "exchange", False), ("as_of", "as_of_x", False)])
def test_covers(path, fact, expected):
    assert covers(path, fact) is expected
