"""Lifecycle stages: the bands of the `lifecycle` order that group scenarios in the switcher and overview.

A scenario's stage is the last band starting at or below its `lifecycle` value; the names
are in the message catalogues (`stage.<key>`), in every language.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import Callable, Iterable, TypeVar

T = TypeVar("T")

#: (first lifecycle value, stage key), in lifecycle order. 1000 is the default of a scenario
#: that names no place, so those gather in a stage of their own.
STAGES: tuple[tuple[int, str], ...] = (
    (0, "story"), (100, "configuration"), (200, "exchange"), (300, "sync"), (400, "api"),
    (500, "accounts"), (600, "other"), (900, "disabled"), (1000, "unplaced"),
)
_STARTS = [start for start, _ in STAGES]


def stage_of(lifecycle: int) -> str:
    """The stage key of a lifecycle value (values are ≥ 0, as the model validates)."""
    return STAGES[max(0, bisect_right(_STARTS, lifecycle) - 1)][1]


def by_stage(items: Iterable[T], lifecycle: Callable[[T], int]) -> list[tuple[str, list[T]]]:
    """Items grouped by stage, stages in lifecycle order, items in their given order; empty stages left out."""
    groups: dict[str, list[T]] = {key: [] for _, key in STAGES}
    for item in items:
        groups[stage_of(lifecycle(item))].append(item)
    return [(key, found) for key, found in groups.items() if found]
