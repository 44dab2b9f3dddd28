""""Why?": what each section's values were decided by, from the core's own record.

Nothing here knows a rule. `record(s)` (core/provenance.py) says, for every row of the
page (core/rows.py), which rules produced it and which facts they read; this module
only groups a section's rows that share both, and puts each fact's value beside its
path, as the scenario states it (compare.facts: the same flat facts the compare view
shows, so nothing outside the authorised profile appears [ACCT-1]).
"""
from __future__ import annotations

import re
from bisect import bisect_left
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
    known = _Facts(facts(s))
    grouped: dict[str, dict[tuple, list[tuple[str, str]]]] = {}
    for (section, field), source in recorded.items():
        grouped.setdefault(section, {}).setdefault((source.rules, source.facts), []).append(
            (field, shown[section, field]))
    sections = {section: [Reason(tuple(fields), rules, tuple(known.read(path) for path in paths))
                          for (rules, paths), fields in found.items()]
                for section, found in grouped.items()}
    return Why(sections, tuple(sorted({rule for source in recorded.values() for rule in source.rules})))


@dataclass(frozen=True)
class Change:
    """A fact an action's effect changed, read as `Reason.read` reads one: (path, value, count) before and after."""

    path: str
    before: tuple[str | None, int]
    after: tuple[str | None, int]


def changes(before: Scenario, after: Scenario) -> tuple[Change, ...]:
    """What an action's effect changed, for a generated page's "Why?": each changed fact, a changed list
    or group of facts once as a whole (a run inserted at the top of sync_runs is one change, not one
    per shifted item), in the facts' order."""
    old, new = _Facts(facts(before)), _Facts(facts(after))
    changed = list(dict.fromkeys(_group(path) for path in _changed(old.known, new.known)))
    found = []
    # A group that was empty and now holds facts (exchange: none → {at, outcome…}) shows its facts.
    for path in [p for p in changed if not any(q != p and covers(p, q) for q in changed)]:
        (_, *was), (_, *now) = old.read(path), new.read(path)
        found.append(Change(path, tuple(was), tuple(now)))
    return tuple(found)


def _changed(a: tuple[tuple[str, str], ...], b: tuple[tuple[str, str], ...]) -> list[str]:
    """The paths whose value differs, or that only one side has, in a's order then b's."""
    in_a, in_b = dict(a), dict(b)
    return [path for path in dict.fromkeys([*in_a, *in_b]) if in_a.get(path) != in_b.get(path)]


def _group(path: str) -> str:
    """A path inside a list stands for its list: `sync_runs[0].status` → `sync_runs`."""
    return path.split("[", 1)[0]


#: The first step below a path: a list item ("[2]") or a member (".status").
_STEP = re.compile(r"\[\d+\]|\.[^.\[]+")


class _Facts:
    """A scenario's flat facts, to read what lies beneath a path: sorted once, each path read once
    (a page's reasons name the same few paths many times)."""

    def __init__(self, known: tuple[tuple[str, str], ...]):
        self.known = known
        self.order = sorted(range(len(known)), key=lambda i: known[i][0])
        self.paths = [known[i][0] for i in self.order]
        self.memo: dict[str, tuple[str, str | None, int]] = {}

    def beneath(self, path: str) -> list[tuple[str, str]]:
        """(the rest of the path, value) of each fact under `path`, in the facts' own order."""
        at, found = bisect_left(self.paths, path), []
        while at < len(self.paths) and self.paths[at].startswith(path):  # a prefix's facts sort together
            if covers(path, self.paths[at]):
                found.append(self.order[at])
            at += 1
        return [(self.known[i][0][len(path):], self.known[i][1]) for i in sorted(found)]

    def read(self, path: str) -> tuple[str, str | None, int]:
        """A fact's value; a list of plain values joined; else how many items or members lie beneath."""
        if path not in self.memo:
            beneath = self.beneath(path)
            if [rest for rest, _ in beneath] == [""]:
                self.memo[path] = (path, beneath[0][1], 0)
            elif beneath and all(re.fullmatch(r"\[\d+\]", rest) for rest, _ in beneath):
                self.memo[path] = (path, ", ".join(value for _, value in beneath), 0)
            else:
                self.memo[path] = (path, None, len({_STEP.match(rest).group(0) for rest, _ in beneath}))
        return self.memo[path]
