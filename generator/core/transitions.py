"""Where each action leads: apply its effect, derive, and find the state that shows the result.

Two states are the same when everything the page derives is the same (`rows`, which
leave out presentation: id, title, description, lifecycle), whatever the files are
called. An outcome no bundled scenario shows becomes one generated state; outcomes
that derive alike share it, whichever scenario and action lead there. The walk is one
step deep: a generated state's own actions lead only to bundled scenarios (or nowhere
yet), so the site stays linear in the number of scenarios.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..model.scenario import Scenario
from .derive import Action, Derived, derive
from .effects import outcomes
from .rows import Row, rows


class StateKey:
    """What makes two states the same: every derived value the page shows, kept as a 128-bit digest
    of its rows. A walk holds one key per outcome and onward step: as rows they were most of a
    build's peak memory (~28 MB at N = 200), as digests they are ~0.1 KB each."""

    __slots__ = ("digest", "_hash")

    def __init__(self, found: Iterable[Row]):
        # repr of the (section, field, value) strings: unambiguous whatever a value holds.
        text = repr(tuple((r.section, r.field, r.value) for r in found))
        self.digest = hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()
        self._hash = hash(self.digest)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StateKey) and self.digest == other.digest


def state_key(s: Scenario, d: Derived | None = None) -> StateKey:
    return StateKey(rows(s, d if d is not None else derive(s)))


def all_actions(d: Derived) -> list[Action]:
    """Source actions then credential actions, each code once (disable_source is in both lists)."""
    seen: dict[str, Action] = {}
    for a in (*d.actions, *d.credential_actions):
        seen.setdefault(a.code, a)
    return list(seen.values())


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    outcome: str
    #: The id of the bundled scenario or generated state that shows the outcome, or None (one step deep).
    target: str | None
    generated: bool = False


@dataclass(frozen=True)
class Generated:
    """A state no bundled scenario shows, with the first way the walk reached it."""

    id: str
    scenario: Scenario
    derived: Derived
    source: str
    action: str
    outcome: str


@dataclass(frozen=True)
class Walk:
    transitions: tuple[Transition, ...]
    generated: tuple[Generated, ...]
    #: Transitions leaving generated states (to bundled scenarios only, or None).
    onward: tuple[Transition, ...]
    #: scenario id → action not allowed there → nearest bundled scenario id where it is allowed.
    nearest: dict[str, dict[str, str]]

    def leaving(self, sid: str) -> list[Transition]:
        return [t for t in (*self.transitions, *self.onward) if t.source == sid]


def generated_id(source: str, action: str, outcome: str) -> str:
    return f"{source}--{action.replace('_', '-')}--{outcome.replace('_', '-')}"


@dataclass
class Step:
    """One outcome of one allowed action of one state: the facts after it and what they derive."""

    action: str
    outcome: str
    after: Scenario
    derived: Derived
    key: StateKey
    _onward: tuple[tuple[str, str, StateKey], ...] | None = None
    #: The state after, under the id of the generated state it becomes (made once per kept step).
    _named: Scenario | None = None

    def named(self, gid: str) -> Scenario:
        if self._named is None or self._named.id != gid:
            self._named = self.after.model_copy(update={"id": gid})
        return self._named

    def onward(self) -> tuple[tuple[str, str, StateKey], ...]:
        """(action, outcome, state key) one step further, worked out the first time it is asked."""
        if self._onward is None:
            self._onward = tuple((a.code, out.name, state_key(out.apply(self.after)))
                                 for a in all_actions(self.derived) if a.allowed for out in outcomes(a.code))
        return self._onward


def steps(s: Scenario, d: Derived) -> tuple[Step, ...]:
    """Every step leaving a state: depends on this state alone."""
    found = []
    for action in all_actions(d):
        if action.allowed:
            for out in outcomes(action.code):
                after = out.apply(s)
                derived = derive(after)
                found.append(Step(action.code, out.name, after, derived, state_key(after, derived)))
    return tuple(found)


#: id(Derived) → (that Derived, its state key, steps(...)): a caller that keeps its unchanged states'
#: objects (the dev server) has their steps worked out once, not at every save.
StepMemo = dict[int, tuple[Derived, StateKey, tuple[Step, ...]]]


def walk(states: Sequence[tuple[Scenario, Derived]], memo: StepMemo | None = None) -> Walk:
    """Every allowed action of every bundled state, its outcomes and the state each one reaches.

    Without a memo (a build), each state's steps are worked out, used and let go one state at a
    time: held all at once they are a full scenario and derivation per outcome (~45 MB at N = 200).
    """
    def remembered(s: Scenario, d: Derived) -> tuple[Derived, StateKey, tuple[Step, ...]] | None:
        if memo is None:
            return None
        entry = memo.get(id(d))
        if entry is None or entry[0] is not d:
            entry = memo[id(d)] = (d, state_key(s, d), steps(s, d))
        return entry

    if memo is not None:
        for gone in memo.keys() - {id(d) for _, d in states}:
            del memo[gone]  # states no longer walked: their objects can go
    known: dict[StateKey, str] = {}
    for s, d in states:
        entry = remembered(s, d)
        known.setdefault(state_key(s, d) if entry is None else entry[1], s.id)
    found: dict[StateKey, tuple[Generated, Step]] = {}
    transitions: list[Transition] = []
    for s, d in states:
        entry = remembered(s, d)
        for step in steps(s, d) if entry is None else entry[2]:
            if step.key in known:
                transitions.append(Transition(s.id, step.action, step.outcome, known[step.key]))
                continue
            if step.key not in found:
                gid = generated_id(s.id, step.action, step.outcome)
                found[step.key] = (Generated(gid, step.named(gid), step.derived, s.id, step.action, step.outcome),
                                   step)
            transitions.append(Transition(s.id, step.action, step.outcome, found[step.key][0].id, generated=True))
    onward = [Transition(g.id, action, outcome, known.get(key))
              for g, step in found.values() for action, outcome, key in step.onward()]
    return Walk(tuple(transitions), tuple(g for g, _ in found.values()), tuple(onward), nearest_allowed(states))


def nearest_allowed(states: Sequence[tuple[Scenario, Derived]]) -> dict[str, dict[str, str]]:
    """For each action not allowed in a state, the closest state in lifecycle order where it is."""
    where: dict[str, list[int]] = {}
    for index, (_, d) in enumerate(states):
        for a in all_actions(d):
            if a.allowed:
                where.setdefault(a.code, []).append(index)
    nearest: dict[str, dict[str, str]] = {}
    for index, (s, d) in enumerate(states):
        for a in all_actions(d):
            if not a.allowed and where.get(a.code):
                indices = where[a.code]
                # the closest allowed index on either side (lists are sorted): O(log N), not O(N)
                at = bisect_left(indices, index)
                best = min(indices[max(0, at - 1):at + 1], key=lambda i: (abs(i - index), i))
                nearest.setdefault(s.id, {})[a.code] = states[best][0].id
    return nearest

