"""Journeys as pages: the journey page (works without script) and the data journey.js reads.

A scenario page opened from a journey carries `?journey=<id>&step=<n>` in its address;
journey.js (a file: the CSP allows no inline script) reads it and this data, and shows
"step n of m" with back and next links that keep the journey. Without script, the
journey page itself lists every step with its links.
"""
from __future__ import annotations

import json
from typing import Mapping, Sequence

from ..model.journeys import Journey
from .render import Catalogue, Page

#: Per locale, next to the locale's pages: titles and labels are in the page's language.
JOURNEY_DATA = "journeys/data.js"


def step_href(journey: Journey, index: int, page: Page) -> str:
    """A step's address from the locale root: the scenario page, told which journey and step it is."""
    return f"{page.path}?journey={journey.id}&step={index + 1}"


def journey_data_js(journeys: Sequence[Journey], pages: Sequence[Page], position: Mapping[str, int],
                    t: Catalogue, locale: str) -> str:
    data = {
        "labels": {"step": t("journey.step"), "back": t("journey.back"), "next": t("journey.next"),
                   "nav": t("journey.nav")},
        "journeys": {
            j.id: {"title": j.text(j.title, locale), "path": j.path,
                   "steps": [{"href": step_href(j, i, pages[position[step.scenario]]),
                              "id": step.scenario, "say": j.text(step.say, locale)}
                             for i, step in enumerate(j.steps)]}
            for j in journeys},
    }
    return "window.SCENARIO_JOURNEYS = " + json.dumps(data, ensure_ascii=True, sort_keys=True) + ";\n"
