"""Provenance: which scenario facts each derived value actually read, recorded while the core runs.

Nothing here is a table kept by hand. `record(s)` runs the core's own rules over a
*recording view* of the scenario: every attribute read through it is noted under
the fact path `compare.facts()` uses (`credentials.client_id_ref`, `sync_runs`,
`as_of`; reading a list records the list as a whole). Rules are the `@part` units of
`derive.py`, each tagged with its ids from docs/derivation.md; a part that reads
another inherits its facts and ids, so provenance is transitive. Rows (`rows.py`)
are then read through a recording view of `Derived`, so each row gets the union of
the parts it read plus any fact it read directly.

derive() without a recorder reads the plain scenario: recording costs nothing there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from ..model.scenario import Scenario
from .derive import Derived, derive_parts
from .recording import Frame, Recorder, View
from .rows import rows


@dataclass(frozen=True)
class Source:
    """Where one row comes from: the rule ids that produced it and the fact paths they read."""

    rules: tuple[str, ...]
    facts: tuple[str, ...]


#: (section, field) → Source, for every row of `rows()`.
Provenance = Mapping[tuple[str, str], Source]


class _DerivedView:
    """Reads of a Derived value (or anything inside it) note the top-level field they came from."""

    __slots__ = ("_obj", "_tag", "_seen")

    def __init__(self, obj: Any, tag: str | None, seen: set[str]) -> None:
        self._obj, self._tag, self._seen = obj, tag, seen

    def _wrap(self, value: Any, tag: str) -> Any:
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        return _DerivedView(value, tag, self._seen)

    def __getattr__(self, name: str) -> Any:
        tag = self._tag or name
        self._seen.add(tag)
        return self._wrap(getattr(self._obj, name), tag)

    def __iter__(self):
        self._seen.add(self._tag)
        return (self._wrap(x, self._tag) for x in self._obj)

    def __len__(self) -> int:
        self._seen.add(self._tag)
        return len(self._obj)

    def __bool__(self) -> bool:
        self._seen.add(self._tag)
        return bool(self._obj)

    def __format__(self, spec: str) -> str:
        self._seen.add(self._tag)
        return format(self._obj, spec)

    def strftime(self, fmt: str) -> str:
        self._seen.add(self._tag)
        return self._obj.strftime(fmt)


def covers(path: str, fact: str) -> bool:
    """A recorded path covers itself and every fact beneath it (`sync_runs` covers `sync_runs[0].status`)."""
    return fact == path or fact.startswith((path + ".", path + "["))


def record(s: Scenario) -> tuple[Derived, Provenance]:
    """Derive `s` once through recording views; return (Derived, provenance of every row)."""
    rec = Recorder()
    view = View(s, "", rec)
    d, frames = derive_parts(view, rec)
    seen: set[str] = set()
    out: dict[tuple[str, str], Source] = {}
    # Rows mostly share what they read (a part, or the same few): build each distinct Source once.
    made: dict[tuple[frozenset[str], frozenset[str]], Source] = {}

    def on_row(section: str, field_: str) -> None:
        direct = rec.stack[-1]
        key = (frozenset(seen), frozenset(direct.facts))
        if key not in made:
            frame = Frame(set(direct.facts), set(direct.rules))
            for name in seen:
                frame.merge(frames[name])
            made[key] = Source(tuple(sorted(frame.rules)), tuple(sorted(frame.facts)))
        out[(section, field_)] = made[key]
        rec.stack[-1] = Frame()
        seen.clear()

    rec.stack[-1] = Frame()
    rows(view, _DerivedView(d, None, seen), on_row)  # type: ignore[arg-type]
    return d, out
