"""The journey map on the overview: scenarios as nodes, actions between them as arrows, laid out at build time.

A grid in lifecycle order (reading order, so neighbours in the lifecycle sit side by side),
with an arrow for every action whose outcome is another bundled scenario (core/transitions.py).
The template draws it as inline SVG (no script) and lists the same arrows as text, its
accessible equivalent. Size grows with the scenarios and their links, never with their square.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..core.transitions import Transition
from .render import Page

COLUMNS = 5
NODE_W, NODE_H = 190, 40
GAP_X, GAP_Y = 50, 60
MARGIN = 10


@dataclass(frozen=True)
class Node:
    page: Page
    x: int
    y: int


@dataclass(frozen=True)
class Arrow:
    transition: Transition
    source: Page
    target: Page
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class JourneyMap:
    nodes: tuple[Node, ...]
    arrows: tuple[Arrow, ...]
    width: int
    height: int


def _edge_point(node: Node, toward: Node) -> tuple[float, float]:
    """Where the line from `node`'s centre toward `toward`'s centre leaves `node`'s box."""
    cx, cy = node.x + NODE_W / 2, node.y + NODE_H / 2
    dx, dy = toward.x + NODE_W / 2 - cx, toward.y + NODE_H / 2 - cy
    if dx == 0 and dy == 0:
        return cx, cy
    scale = min(NODE_W / 2 / abs(dx) if dx else float("inf"), NODE_H / 2 / abs(dy) if dy else float("inf"))
    return round(cx + dx * scale, 1), round(cy + dy * scale, 1)


def journey_map(pages: Sequence[Page], transitions: Sequence[Transition]) -> JourneyMap:
    """Lay out the bundled scenarios and the actions that lead from one to another."""
    nodes = {p.id: Node(p, MARGIN + (i % COLUMNS) * (NODE_W + GAP_X), MARGIN + (i // COLUMNS) * (NODE_H + GAP_Y))
             for i, p in enumerate(pages)}
    arrows = []
    seen = set()
    for t in transitions:
        if t.generated or t.target is None or t.target == t.source or t.target not in nodes:
            continue
        if (t.source, t.action, t.target) in seen:  # two outcomes of one action to one page: one arrow
            continue
        seen.add((t.source, t.action, t.target))
        a, b = nodes[t.source], nodes[t.target]
        (x1, y1), (x2, y2) = _edge_point(a, b), _edge_point(b, a)
        arrows.append(Arrow(t, a.page, b.page, x1, y1, x2, y2))
    rows = (len(pages) + COLUMNS - 1) // COLUMNS
    width = 2 * MARGIN + min(len(pages), COLUMNS) * (NODE_W + GAP_X) - GAP_X
    height = 2 * MARGIN + rows * (NODE_H + GAP_Y) - GAP_Y
    return JourneyMap(tuple(nodes.values()), tuple(arrows), max(width, 0), max(height, 0))
