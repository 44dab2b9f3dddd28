"""Compare two scenarios: their derived rows aligned side by side, differences counted and explained.

Pure: it reads `rows()` (what the page shows) and the scenario facts, never HTML.
Each difference names its section, field and both values, and the differing facts
that caused it: those the core recorded reading for that row (core/provenance.py)
on either side. compare.js shows pairs chosen in the browser from data computed
here (compare_pages.cause_digests).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping, Sequence

from ..core.derive import Derived
from ..core.provenance import Provenance, covers, record
from ..core.rows import Row, rows
from ..model.scenario import Scenario

#: The state every other one is compared with first, when a scenario has this id.
BASELINE = "healthy"
#: Presentation, not state: two scenarios differing only here are the same state.
NOT_FACTS = frozenset({"id", "title", "description", "lifecycle"})


@dataclass(frozen=True)
class Side:
    """What compare needs of one scenario: its rows and its facts as flat (path, value)."""

    id: str
    rows: tuple[Row, ...]
    facts: tuple[tuple[str, str], ...]
    #: (section, field) → the fact paths the core read to produce that row.
    sources: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class FactChange:
    path: str
    a: str | None
    b: str | None


@dataclass(frozen=True)
class Line:
    """One aligned row: None on a side where the row does not exist (e.g. a finding only one has)."""

    section: str
    field: str
    a: str | None
    b: str | None
    causes: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        return self.a != self.b

    @property
    def key(self) -> str:
        return f"{self.section}/{self.field}"


@dataclass(frozen=True)
class Comparison:
    a: str
    b: str
    lines: tuple[Line, ...]
    facts: tuple[FactChange, ...]
    #: driven_by, worked out by compare() while it finds the causes: {fact path: lines it explains}.
    explained: Mapping[str, tuple[Line, ...]] | None = field(default=None, compare=False, repr=False)

    @property
    def differences(self) -> int:
        return sum(1 for line in self.lines if line.differs)

    def driven_by(self, change: FactChange) -> list[Line]:
        """The differing lines a changed fact explains: the inverse of Line.causes."""
        if self.explained is not None:
            return list(self.explained.get(change.path, ()))
        return [line for line in self.lines if line.differs
                and any(covers(driver, change.path) for driver in line.causes)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "none" if value is None else str(value)


def _flatten(value: Any, path: str, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{path}.{key}" if path else key, out)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _flatten(item, f"{path}[{index}]", out)
    elif value not in ([], {}):  # an empty list is no fact: its items appear as added
        out.append((path, _text(value)))


def facts(s: Scenario) -> tuple[tuple[str, str], ...]:
    """The scenario's facts as flat (path, value), e.g. ("sync_runs[0].status", "failed")."""
    data = s.model_dump(mode="json", by_alias=True, exclude=set(NOT_FACTS))
    # [ACCT-1] Accounts outside the authorised profile never leave the core, not even as facts.
    data["external_accounts"] = [{k: v for k, v in a.items() if k != "in_profile"}
                                 for a in data["external_accounts"] if a["in_profile"]]
    out: list[tuple[str, str]] = []
    _flatten(data, "", out)
    return tuple(out)


def side(s: Scenario, d: Derived, provenance: Provenance | None = None) -> Side:
    """`provenance` as record(s) returned it; recorded here when not given."""
    if provenance is None:
        provenance = record(s)[1]
    return Side(s.id, tuple(rows(s, d)), facts(s), {key: src.facts for key, src in provenance.items()})


def _merge(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """a's order, with each key only b has placed right after the key b shows before it."""
    in_a = set(a)
    after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for key in b:
        if key in in_a:
            anchor = key
        else:
            after.setdefault(anchor, []).append(key)
    merged = list(after.get(None, ()))
    for key in a:
        merged.append(key)
        merged.extend(after.get(key, ()))
    return merged


def align(a: Iterable[Row], b: Iterable[Row]) -> list[tuple[str, str, str | None, str | None]]:
    """Rows of both sides, section by section, each (section, field) once, both sides' order kept."""
    by_section: dict[str, tuple[list[str], list[str]]] = {}
    values: tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]] = ({}, {})
    for index, side_rows in enumerate((a, b)):
        for row in side_rows:
            by_section.setdefault(row.section, ([], []))[index].append(row.field)
            values[index][(row.section, row.field)] = row.value
    return [(section, field, values[0].get((section, field)), values[1].get((section, field)))
            for section, (fields_a, fields_b) in by_section.items()
            for field in _merge(fields_a, fields_b)]


def fact_changes(a: Sequence[tuple[str, str]], b: Sequence[tuple[str, str]]) -> list[FactChange]:
    va, vb = dict(a), dict(b)
    paths = _merge([p for p, _ in a], [p for p, _ in b])
    return [FactChange(p, va.get(p), vb.get(p)) for p in paths if va.get(p) != vb.get(p)]


def covering(path: str) -> Iterator[str]:
    """Every path that covers `path` (see provenance.covers): itself and its ancestors."""
    for index, char in enumerate(path):
        if char in ".[":
            yield path[:index]
    yield path


def _cause(read: str, covered: Mapping[str, list[str]], changed: set[str]) -> str:
    """The cause a read path names: itself when it covers a changed fact, else the changed
    fact covering it (a whole `exchange` removed, where `exchange.outcome` was read); "" if none."""
    if read in covered:
        return read
    return next((path for path in covering(read) if path in changed), "")


def compare(a: Side, b: Side) -> Comparison:
    """Align a's and b's rows; explain each difference by the differing facts that drive it."""
    changed = fact_changes(a.facts, b.facts)
    # Each changed fact under every path that covers it: a cause is then one lookup, not a scan
    # of all changes (the scan was a third of the compare pages' build time).
    covered: dict[str, list[str]] = {}
    for change in changed:
        for path in covering(change.path):
            covered.setdefault(path, []).append(change.path)
    changed_paths = {change.path for change in changed}
    explained: dict[str, list[Line]] = {change.path: [] for change in changed}
    lines = []
    for section, field_, va, vb in align(a.rows, b.rows):
        causes: tuple[str, ...] = ()
        if va != vb:
            read = dict.fromkeys((*a.sources.get((section, field_), ()), *b.sources.get((section, field_), ())))
            # sorted: the order reads happened in differs between scenarios, a cause list must not
            causes = tuple(sorted({c for c in (_cause(path, covered, changed_paths) for path in read) if c}))
        line = Line(section, field_, va, vb, causes)
        lines.append(line)
        for cause in causes:
            for path in covered.get(cause, (cause,)):
                if not explained[path] or explained[path][-1] is not line:
                    explained[path].append(line)
    return Comparison(a.id, b.id, tuple(lines), tuple(changed),
                      {path: tuple(found) for path, found in explained.items()})


def pairs(ids: Sequence[str], baseline: str = BASELINE) -> list[tuple[str, str]]:
    """The pairs worth pre-rendering, linear in N: each scenario against the baseline, then
    lifecycle neighbours (ids in lifecycle order). Any other pair is compared in the browser."""
    seen: set[frozenset[str]] = set()
    out: list[tuple[str, str]] = []
    candidates = [(baseline, x) for x in ids] if baseline in ids else []
    for a, b in [*candidates, *zip(ids, ids[1:])]:
        if a != b and frozenset((a, b)) not in seen:
            seen.add(frozenset((a, b)))
            out.append((a, b))
    return out


def pair_path(a: str, b: str) -> str:
    """compare/<a>--<b>.html: ids never contain "--", so the name is unambiguous."""
    return f"compare/{a}--{b}.html"
