""""Why?": what each section's values were decided by, from the core's own record.

Nothing here knows a rule. `record(s)` (core/provenance.py) says, for every row of the
page (core/rows.py), which rules produced it and which facts they read; this module
only groups a section's rows that share both, and puts each fact's value beside its
path, as the scenario states it (compare.facts: the same flat facts the compare view
shows, so nothing outside the authorised profile appears [ACCT-1]).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.provenance import covers, record
from ..core.rows import rows
from ..model.scenario import Scenario
from .compare import facts


@dataclass(frozen=True)
class Reason:
    """Values of one section decided alike: the (field, value) pairs shown, the rule ids, and the
    facts read as (path, value, count): a fact's value, or for a list or group of facts None and
    how many items it holds (0: empty)."""

    shows: tuple[tuple[str, str], ...]
    rules: tuple[str, ...]
    read: tuple[tuple[str, str | None, int], ...]


@dataclass(frozen=True)
class Why:
    """A page's explanations: {section: its reasons, in page order}, and every rule id they name
    (the page states each rule's sentence once, not once per section)."""

    sections: dict[str, list[Reason]]
    rules: tuple[str, ...]


def explain(s: Scenario) -> Why:
    """Every row of the page in exactly one reason of its section."""
    d, recorded = record(s)
    shown = {(r.section, r.field): r.value for r in rows(s, d)}
    known = facts(s)
    grouped: dict[str, dict[tuple, list[tuple[str, str]]]] = {}
    for (section, field), source in recorded.items():
        grouped.setdefault(section, {}).setdefault((source.rules, source.facts), []).append(
            (field, shown[section, field]))
    sections = {section: [Reason(tuple(fields), rules, tuple(_read(path, known) for path in paths))
                          for (rules, paths), fields in found.items()]
                for section, found in grouped.items()}
    return Why(sections, tuple(sorted({rule for source in recorded.values() for rule in source.rules})))


#: The first step below a path: a list item ("[2]") or a member (".status").
_STEP = re.compile(r"\[\d+\]|\.[^.\[]+")


def _read(path: str, known: tuple[tuple[str, str], ...]) -> tuple[str, str | None, int]:
    """A fact's value; a list of plain values joined; else how many items or members lie beneath."""
    beneath = [(fact[len(path):], value) for fact, value in known if covers(path, fact)]
    if [rest for rest, _ in beneath] == [""]:
        return path, beneath[0][1], 0
    if beneath and all(re.fullmatch(r"\[\d+\]", rest) for rest, _ in beneath):
        return path, ", ".join(value for _, value in beneath), 0
    return path, None, len({_STEP.match(rest).group(0) for rest, _ in beneath})
