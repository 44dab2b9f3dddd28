"""Rebuild after a save: load the folder again, render only the files that show what changed.

The last good plan is kept. After a save the folder is loaded through the loader's public
path (`load_scenarios`: every check of `build`, the leak guard included, and the same
errors). The scenarios whose loaded value changed (the saved one, and every one that
`extends:` it, directly or through other bases) are derived again, and only the jobs whose
files show one of them are rendered again (`Plan.needs`): whole, by its title when the
title changed, by its compare side when that changed (a compare pair page shows no
description), or by its facts when more than its description changed (the overview,
the manifest, the compare picker page, journeys, outcome pages). Where actions lead is
worked out again only for the changed scenarios (`core.transitions.walk`'s memo). A
section's gallery is made again only when some scenario's section of that name or a title
changed. A scenario added, removed, moved in the lifecycle order or to another stage, a
change of where an action leads, or of which fact paths drive rows (every compare data file
digests them), takes a full build of the plan.

The result is the same as a full build of the folder as it now is (tests/test_speed.py).
"""
from __future__ import annotations

import gc
from dataclasses import replace
from pathlib import Path

from jinja2 import Environment

from ..site.compare import side
from ..core.derive import derive
from ..model.journeys import load_journeys
from ..model.load import Composed, load_scenarios
from ..site.matrix import state_matrix
from ..guard.secrets import LineKey
from ..output.workers import render_jobs
from ..output.plan import KINDS, Plan, in_two_rounds
from ..site.render import Page, stage_counts
from ..model.scenario import LOCALES, Scenario

#: At most this many clean lines are remembered (a few MB of text).
CLEAN_LINES = 200_000
#: Saves between two collections of everything (see Rebuilder.changed): garbage cycles left when
#: the process is frozen stay until then, so this bounds how much can pile up in a long session.
SAVES_PER_FULL_COLLECTION = 20


def changed_value(new: Scenario, old: Scenario) -> bool:
    """Whether a scenario shows differently. The loader gives back the same object when none of
    its files changed; a new one (its base was saved) may equal the old yet differ: == sees no
    change of a time's offset (10:00+02:00 == 08:00Z) nor of a mapping's order, the pages do."""
    return new is not old and (new != old or new.model_dump_json() != old.model_dump_json())


def described_as(s: Scenario, other: Scenario) -> Scenario:
    """`s` with the description of `other`: equal to `other` when only the description differs."""
    return s.model_copy(update={"description": other.description})


def titles(s: Scenario) -> tuple[tuple[str, str], ...]:
    """What the pages that list a scenario by title show of it, in every language."""
    return tuple(s.text("title", locale) for locale in LOCALES)


class Rebuilder:
    """The site of one scenarios folder in memory, kept up to date file by file."""

    def __init__(self, scenarios: Path, env: Environment | None = None):
        self.folder = Path(scenarios)
        self.env = env
        self.files: dict[str, str] = {}
        self.rendered = 0  # files rendered by the last full() or changed()
        self._plan: Plan | None = None
        #: Lines of the one-scenario rebuilds that the leak guard found clean (a line clean once is
        #: clean for good): the next rebuild renders nearly the same lines and scans only the new ones.
        self._clean: set[LineKey] = set()
        #: The documents of the last load: a save parses the saved file again, not the whole folder.
        self._composed: Composed = {}
        #: The sections of the last save were kept but its galleries not made (their rendering failed).
        self._galleries_behind = False
        self._saves = 0

    def full(self) -> dict[str, str]:
        """Load, derive and render everything; returns every file of the site."""
        self.files = {}
        try:
            self._full(load_scenarios(self.folder, self._composed))
        finally:
            gc.freeze()  # see changed()
        return self.files

    def changed(self, paths: list[Path]) -> dict[str, str]:
        """After `paths` were saved: the files whose text changed. The others are as they were.

        `rendered` then tells how many files were rendered to find them. Raises GeneratorError (as `build` would) when
        the folder has a problem; the site kept is then the last good one.
        """
        try:
            return self._changed(paths)
        finally:
            # Most of what the process holds (the site in memory) lives on across saves: frozen out
            # of the cycle collector's sight (gc.freeze, for the whole process), a save's collections
            # scan the objects made since, not the whole site again (at N = 1,000, a fact save took
            # about 30% less CPU). A cycle that was frozen and has since become garbage waits for
            # a full build, or for the collection of everything every SAVES_PER_FULL_COLLECTION saves.
            self._saves += 1
            if self._saves % SAVES_PER_FULL_COLLECTION == 0:
                gc.unfreeze()
                gc.collect()
            gc.freeze()

    def _changed(self, paths: list[Path]) -> dict[str, str]:
        scenarios = load_scenarios(self.folder, self._composed)
        plan = self._plan
        folder = self.folder.resolve()
        if (plan is None or any(Path(path).resolve().parent != folder for path in paths)
                or [s.id for s in scenarios] != [p.id for p in plan.pages]):
            # a template or message, or a scenario added, removed or moved in the order: every page
            return self._full(scenarios)
        stale = {s.id for s, page in zip(scenarios, plan.pages) if changed_value(s, page.scenario)}
        if not stale:
            self.rendered = 0
            return {}
        pages = [Page(s, derive(s)) if s.id in stale else page for s, page in zip(scenarios, plan.pages)]
        plan = replace(plan, pages=pages,
                       sides={**plan.sides, **{p.id: side(p.scenario, p.derived) for p in pages if p.id in stale}},
                       matrix=state_matrix([(p.scenario, p.derived) for p in pages])).walked()
        load_journeys(self.folder, scenarios)  # a saved scenario can break a journey step
        if plan.walk.transitions != self._plan.walk.transitions:
            return self._full(scenarios)  # where actions lead changed (here or on other pages): every page
        if stage_counts(plan.pages) != stage_counts(self._plan.pages):
            return self._full(scenarios)  # a scenario moved to another stage: every switcher's counts
        if plan.drivers != self._plan.drivers:
            return self._full(scenarios)  # a fact path now drives a row (or no longer): every data file
        retitled = {s.id for s, page in zip(scenarios, self._plan.pages)
                    if s.id in stale and titles(s) != titles(page.scenario)}
        # pages whose "allowed in the nearest scenario" now names another scenario
        renamed = {s.id for s in scenarios if plan.walk.nearest.get(s.id) != self._plan.walk.nearest.get(s.id)}
        # scenarios whose compare side changed (a new description, say, leaves it as it was)
        resided = {sid for sid in stale if plan.sides[sid] != self._plan.sides[sid]}
        # scenarios that changed in more than their description
        refacted = {s.id for s, page in zip(scenarios, self._plan.pages)
                    if s.id in stale and changed_value(described_as(s, page.scenario), page.scenario)}
        jobs = [job for job in plan.jobs()
                if (needs := plan.needs(job)) is None or needs.stale(stale | renamed, retitled, resided, refacted)]
        if len(self._clean) > CLEAN_LINES:  # a long session of saves to many scenarios: start afresh
            self._clean = set()
        now, from_pages = in_two_rounds(jobs)
        # Every file kept in self.files passed the leak guard: only the lines new to it are read.
        fresh = render_jobs(plan, now, processes=1, known_clean=self._clean, before=self.files).files
        # A section's gallery shows that section of every scenario page and every title: made again
        # when a scenario's section changed (a new description changes none), for every section when
        # a title changed or when the last attempt at the galleries failed.
        resectioned = plan.keep_pages(fresh.get)
        if not (retitled or self._galleries_behind):
            from_pages = [job for job in from_pages if not KINDS[job.kind].per_section or job.key in resectioned]
        if from_pages:
            self._galleries_behind = True
            fresh |= render_jobs(plan, from_pages, processes=1, known_clean=self._clean, before=self.files).files
            self._galleries_behind = False
        self.rendered = len(fresh)
        changed = {path: text for path, text in fresh.items() if self.files.get(path) != text}
        self.files.update(changed)
        self._plan = plan
        return changed

    def _full(self, scenarios: list[Scenario]) -> dict[str, str]:
        gc.unfreeze()  # garbage frozen by earlier saves is seen again (full() and changed() freeze after)
        before = self.files
        plan = Plan.make(scenarios, self.env, keep_parts=True, journeys=load_journeys(self.folder, scenarios))
        self.files = render_jobs(plan, plan.jobs(), processes=1).files
        self.rendered = len(self.files)
        self._plan, self._galleries_behind = plan, False  # the galleries were made with the rest
        return {path: text for path, text in self.files.items() if before.get(path) != text}
