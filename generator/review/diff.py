"""Diff: what a change does to every state, from the `state` tables of two manifests.

Pure: two parsed scenarios.json in, a `SiteDiff` out, then plain text for a terminal
or Markdown for a pull-request comment. Finding and building the two sites is
`sites.py`'s job. Values are the codes of `rows.py`, so they compare exactly.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import GeneratorError
from ..words import agreeing, counted

#: Shown for a field that one of the two builds does not have.
ABSENT = "(absent)"
#: Markdown details stay open up to this many changed values, collapsed beyond.
OPEN_UP_TO = 12
#: GitHub refuses comments over 65 536 characters; stop adding details well before.
MARKDOWN_BUDGET = 60_000


class DiffError(GeneratorError):
    """The two builds cannot be compared (missing, unreadable or too old a manifest)."""


@dataclass(frozen=True)
class Change:
    section: str
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class ScenarioDiff:
    id: str
    title: str
    kind: Literal["added", "removed", "changed"]
    changes: tuple[Change, ...] = ()
    #: The headline of an added or removed state: readiness and health.
    headline: str = ""

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(c.section for c in self.changes))


@dataclass(frozen=True)
class SiteDiff:
    scenarios: tuple[ScenarioDiff, ...]
    old_count: int
    new_count: int

    @property
    def changed(self) -> bool:
        return bool(self.scenarios)

    def count(self, kind: str) -> int:
        return sum(1 for s in self.scenarios if s.kind == kind)

    @property
    def unchanged(self) -> int:
        return self.new_count - self.count("added") - self.count("changed")


State = dict[str, dict[str, str]]


def _entries(manifest: Any, where: str) -> dict[str, dict[str, Any]]:
    """{id: entry} of a parsed scenarios.json, checked enough to compare safely."""
    scenarios = manifest.get("scenarios") if isinstance(manifest, dict) else None
    if not isinstance(scenarios, list):
        raise DiffError(f"{where}: no 'scenarios' list; is this a site built by `python -m generator build`?")
    out: dict[str, dict[str, Any]] = {}
    for index, entry in enumerate(scenarios):
        sid = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(sid, str):
            raise DiffError(f"{where}: scenarios[{index}] has no 'id'")
        if sid in out:
            raise DiffError(f"{where}: scenarios[{index}]: id '{sid}' appears twice")
        state = entry.get("state")
        if not (isinstance(state, dict) and all(isinstance(v, dict) for v in state.values())):
            raise DiffError(f"{where}: scenarios[{index}] ('{sid}') has no 'state' table; "
                            "it was built by a generator older than `diff`")
        out[sid] = entry
    return out


def _title(entry: dict[str, Any]) -> str:
    return str(entry.get("title") or entry["id"])


def _headline(state: State) -> str:
    return ", ".join(f"{section} {state[section][field]}"
                     for section, field in (("readiness", "code"), ("health", "status"))
                     if field in state.get(section, {}))


def compare_states(old: State, new: State) -> list[Change]:
    """Every (section, field) whose value differs, in the new page's order, then the old-only ones."""
    changes: list[Change] = []
    for section in dict.fromkeys([*new, *old]):
        before, after = old.get(section, {}), new.get(section, {})
        for field in dict.fromkeys([*after, *before]):
            if before.get(field) != after.get(field):
                changes.append(Change(section, field, before.get(field), after.get(field)))
    return changes


def diff_manifests(old: Any, new: Any, old_where: str = "OLD", new_where: str = "NEW") -> SiteDiff:
    """Per scenario: added, removed, or changed (title and every differing state value)."""
    before, after = _entries(old, old_where), _entries(new, new_where)
    found: list[ScenarioDiff] = []
    for sid, entry in after.items():
        if sid not in before:
            found.append(ScenarioDiff(sid, _title(entry), "added", headline=_headline(entry["state"])))
            continue
        changes = compare_states(before[sid]["state"], entry["state"])
        if _title(before[sid]) != _title(entry):
            changes.insert(0, Change("scenario", "title", _title(before[sid]), _title(entry)))
        if changes:
            found.append(ScenarioDiff(sid, _title(entry), "changed", tuple(changes)))
    found += [ScenarioDiff(sid, _title(entry), "removed", headline=_headline(entry["state"]))
              for sid, entry in before.items() if sid not in after]
    return SiteDiff(tuple(found), len(before), len(after))


def _summary(d: SiteDiff) -> str:
    if not d.changed:
        every = agreeing(d.new_count, "the scenario has", f"all {d.new_count} scenarios have")
        return f"No change: {every} the same state in both builds."
    return (f"{len(d.scenarios)} of {counted(d.old_count + d.count('added'), 'scenario')} "
            f"{agreeing(len(d.scenarios), 'differs', 'differ')}: "
            f"{d.count('changed')} changed, {d.count('added')} added, {d.count('removed')} removed; "
            f"{d.unchanged} unchanged.")


def _plain(value: str | None) -> str:
    """One printable line: a manifest is input, and a terminal should not run its control codes."""
    if value is None:
        return ABSENT
    return "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in " ".join(str(value).split()))


def _values(s: ScenarioDiff) -> str:
    return f"{counted(len(s.changes), 'value')} in {counted(len(s.sections), 'section')}"


def to_text(d: SiteDiff) -> str:
    """Readable in a terminal or a CI log."""
    lines = [_summary(d)]
    mark = {"changed": "~", "added": "+", "removed": "-"}
    for s in d.scenarios:
        head = f"{mark[s.kind]} {_plain(s.id)} — {_plain(s.title)}"
        if s.kind != "changed":
            lines.append(f"{head} ({s.kind}{': ' + _plain(s.headline) if s.headline else ''})")
            continue
        lines.append(f"{head}: {_values(s)}")
        for section in s.sections:
            lines.append(f"    {_plain(section)}")
            lines += [f"      {_plain(c.field)}: {_plain(c.old)} → {_plain(c.new)}"
                      for c in s.changes if c.section == section]
    return "\n".join(lines) + "\n"


def _md_text(value: str) -> str:
    """Text in a Markdown table cell: HTML escaped, Markdown punctuation and pipes disarmed."""
    text = html.escape(_plain(value), quote=False)
    return "".join("\\" + c if c in "\\`*_[]|~#" else c for c in text)


def _md_code(value: str | None) -> str:
    """A value as a code span that survives backticks and pipes in it (GFM tables)."""
    if value is None:
        return f"*{ABSENT}*"
    text = _plain(value).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _md_details(s: ScenarioDiff) -> list[str]:
    open_ = " open" if len(s.changes) <= OPEN_UP_TO else ""
    rows = [f"| {_md_text(c.section)} | {_md_code(c.field)} | {_md_code(c.old)} | {_md_code(c.new)} |"
            for c in s.changes]
    return [f"<details{open_}><summary><code>{html.escape(_plain(s.id))}</code> {html.escape(_plain(s.title))}: "
            f"{_values(s)}</summary>", "", "| Section | Field | Before | After |", "|---|---|---|---|",
            *rows, "", "</details>", ""]


def to_markdown(d: SiteDiff, heading: str = "Effect on every state") -> str:
    """A pull-request comment or job summary: one table of scenarios, then one details block each."""
    out = [f"### {heading}", "", _summary(d), ""]
    if not d.changed:
        return "\n".join(out)
    out += ["| Scenario | Change | Sections (or state) |", "|---|---|---|"]
    for s in d.scenarios:
        what = _values(s) if s.kind == "changed" else s.kind
        where = ", ".join(_md_text(x) for x in s.sections) if s.kind == "changed" else _md_text(s.headline)
        out.append(f"| {_md_code(s.id)} {_md_text(s.title)} | {what} | {where or '—'} |")
    out.append("")
    changed = [s for s in d.scenarios if s.kind == "changed"]
    size = sum(len(line) + 1 for line in out)
    for shown, s in enumerate(changed):
        block = _md_details(s)
        cost = sum(len(line) + 1 for line in block)
        if size + cost > MARKDOWN_BUDGET:
            left = len(changed) - shown
            out.append(f"*{counted(left, 'more changed scenario')} {agreeing(left, 'is', 'are')} left out "
                       "to keep this short; "
                       "run `python -m generator diff` for the full report.*")
            out.append("")
            break
        out += block
        size += cost
    return "\n".join(out)
