"""Action outcomes as pages and links: what each action preview offers as "what you would see next".

The core (`core.transitions.walk`) says where each outcome leads; this module turns
that into pages: generated outcome pages (a `Page` at `outcomes/<id>/`, titled and
described in every locale from the catalogues, so the scenario template renders them
unchanged) and, per page and action, the links its preview shows.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..core.transitions import Generated, Transition, Walk
from .render import Catalogue, Page


@dataclass(frozen=True)
class OutcomePage(Page):
    """A state no scenario file shows, reached by one action from one scenario."""

    reached: Generated | None = None

    @property
    def path(self) -> str:
        return f"outcomes/{self.id}/index.html"


@dataclass(frozen=True)
class Lead:
    """One outcome of an action, as its preview shows it: `page` None when no page shows it yet."""

    outcome: str
    page: Page | None
    #: The outcome is the state already shown: nothing on the page changes.
    same: bool = False


def action_name(t: Catalogue, code: str) -> str:
    """An action's name: source actions first, then credential actions (disable_source is both)."""
    found = t.messages["action"].get(code) or t.messages["credential_action"][code]
    return found[0]


#: A generated state's page as last made, with the page of the scenario it was reached from then.
KeptOutcomes = dict[str, tuple["OutcomePage", Page]]


def outcome_pages(walk: Walk, by_id: Mapping[str, Page], catalogues: Mapping[str, Catalogue],
                  kept: KeptOutcomes | None = None) -> list[OutcomePage]:
    """One page per generated state, titled "<state>, after <action> — <outcome>" in every locale.

    `kept` (the dev server's, updated here): a page made before is taken again, with what it holds
    encoded, when it derives the very same state and is reached from the very same source page (the
    walk kept that source's steps: nothing is made), or when it comes out equal once made."""
    found = []
    for g in walk.generated:
        old = kept.get(g.id) if kept is not None else None
        if old is not None and old[1] is by_id[g.source] and old[0].derived is g.derived:
            found.append(old[0])
            continue
        source = by_id[g.source].scenario
        title, description = {}, {}
        for locale, t in catalogues.items():
            values = {"state": source.text("title", locale)[0], "action": action_name(t, g.action),
                      "outcome": t(f"outcome.{g.outcome}")}
            title[locale] = t("outcome.title", **values)
            description[locale] = t("outcome.description", **values)
        scenario = g.scenario.model_copy(update={"title": title, "description": description})
        same = old is not None and old[0].derived is g.derived and old[0].scenario == scenario
        found.append(old[0] if same else OutcomePage(scenario, g.derived, reached=g))
    if kept is not None:
        kept.clear()
        kept.update((page.id, (page, by_id[page.reached.source])) for page in found)
    return found


def leads(walk: Walk, by_id: Mapping[str, Page]) -> dict[str, dict[str, list[Lead]]]:
    """page id → action code → its outcomes' leads."""
    table: dict[str, dict[str, list[Lead]]] = {}
    transitions: tuple[Transition, ...] = (*walk.transitions, *walk.onward)
    for t in transitions:
        target = by_id.get(t.target) if t.target else None
        table.setdefault(t.source, {}).setdefault(t.action, []).append(
            Lead(t.outcome, target, same=t.target == t.source))
    return table


def transitions_json(walk: Walk, by_id: Mapping[str, Page]) -> list[dict[str, str | None]]:
    """scenarios.json's transitions: from, action, outcome and the page that shows the outcome."""
    return [{"from": t.source, "action": t.action, "outcome": t.outcome,
             "target": t.target, "generated": t.generated,
             "path": by_id[t.target].path if t.target else None}
            for t in (*walk.transitions, *walk.onward)]
