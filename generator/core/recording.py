"""The recording mechanism under provenance.py: frames, the recording view, the `part` rule unit.

derive.py builds on `part`; provenance.record() drives the recording. Kept apart from
provenance.py so the core imports this without importing back what imports the core.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable

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
