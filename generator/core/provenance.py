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

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping

from pydantic import BaseModel


@dataclass
class Frame:
    """What one running rule has read so far: fact paths and the rule ids it went through."""

    facts: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)

    def merge(self, other: Frame) -> None:
        self.facts |= other.facts
        self.rules |= other.rules


class Recorder:
    """A stack of frames: a read lands in the innermost running rule."""

    def __init__(self) -> None:
        self.stack: list[Frame] = [Frame()]

    def read(self, path: str) -> None:
        self.stack[-1].facts.add(path)

    def push(self) -> None:
        self.stack.append(Frame())

    def pop(self) -> Frame:
        return self.stack.pop()


@lru_cache(maxsize=None)
def _fact_key(model: type[BaseModel], name: str) -> str | None:
    """The fact name of a model attribute (`schema_` is the fact `schema`); None if not a field."""
    info = model.model_fields.get(name)
    return None if info is None else info.alias or name


class View:
    """A read-only stand-in for a pydantic model that records each leaf it hands out."""

    __slots__ = ("_obj", "_path", "_rec")

    def __init__(self, obj: BaseModel, path: str, rec: Recorder) -> None:
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_rec", rec)

    def __getattr__(self, name: str) -> Any:
        obj = self._obj
        value = getattr(obj, name)
        key = _fact_key(type(obj), name)
        if key is None:  # a method or property of the model, not a fact
            return value
        path = f"{self._path}.{key}" if self._path else key
        if isinstance(value, BaseModel):
            return View(value, path, self._rec)  # a leaf read beneath it says which part
        self._rec.read(path)  # None, a scalar or a whole list
        return value


def part(*rule_ids: str) -> Callable[[Callable[[Any], Any]], property]:
    """One rule unit of the core: computed once per scenario; when recording, its facts and ids
    are kept under its name and merged into whichever rule read it."""
    def wrap(fn: Callable[[Any], Any]) -> property:
        name = fn.__name__

        def get(self: Any) -> Any:
            memo = self._memo
            rec = self._rec
            if name not in memo:
                if rec is None:
                    memo[name] = fn(self)
                    return memo[name]
                rec.push()
                memo[name] = fn(self)
                frame = rec.pop()
                frame.rules.update(rule_ids)
                self._frames[name] = frame
            if rec is not None:
                rec.stack[-1].merge(self._frames[name])
            return memo[name]
        get.__doc__ = fn.__doc__
        get.rule_ids = rule_ids  # type: ignore[attr-defined]
        return property(get)
    return wrap


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


def record(s: BaseModel) -> tuple[Any, Provenance]:
    """Derive `s` once through recording views; return (Derived, provenance of every row)."""
    from .derive import derive_parts  # the core imports this module, not the other way round
    from .rows import rows

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
