"""Rebuild after a save: reload the saved scenario only, and render only the files that show it.

The last good plan is kept. When one scenario file changes (and nothing else: no file
added or removed, no base `_*.yml`, the same place in the lifecycle order), only that
file is parsed and validated again, only its state is derived again, and only the jobs
whose files show that scenario are rendered again (`Plan.needs`). Anything else, or any
problem at all, takes a full load and build, so errors read exactly as in `build`.

The result is the same as a full build of the folder as it now is (tests/test_speed.py).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from jinja2 import Environment

from ..site.compare import side
from ..core.derive import derive
from ..model.journeys import load_journeys
from ..model.load import _parse, _Reject, _resolve, load_scenarios, scenario_files
from ..site.matrix import state_matrix
from ..output.workers import render_jobs
from ..output.plan import Plan
from ..site.render import Page
from ..model.scenario import Scenario


class Rebuilder:
    """The site of one scenarios folder in memory, kept up to date file by file."""

    def __init__(self, scenarios: Path, env: Environment | None = None):
        self.folder = Path(scenarios)
        self.env = env
        self.files: dict[str, str] = {}
        self.rendered = 0  # files rendered by the last full() or changed()
        self._plan: Plan | None = None
        self._stamps: dict[Path, tuple[int, int]] = {}

    def full(self) -> dict[str, str]:
        """Load, derive and render everything; returns every file of the site."""
        scenarios = load_scenarios(self.folder)
        plan = Plan.make(scenarios, self.env, journeys=load_journeys(self.folder, scenarios))
        self.files = render_jobs(plan, plan.jobs(), processes=1).files
        self.rendered = len(self.files)
        self._plan, self._stamps = plan, self._stamp()
        return self.files

    def changed(self, paths: list[Path]) -> dict[str, str]:
        """After `paths` were saved: the files whose text changed. The others are as they were.

        `rendered` then tells how many files were rendered to find them. Raises GeneratorError (as `build` would) when
        the folder has a problem; the site kept is then the last good one.
        """
        sid = self._one_scenario(paths)
        if sid is None:
            before = self.files
            self.full()
            return {path: text for path, text in self.files.items() if before.get(path) != text}
        plan = self._plan
        assert plan is not None
        scenario = self._reload(sid)
        index = next(i for i, p in enumerate(plan.pages) if p.id == sid)
        if scenario is None or scenario.lifecycle != plan.pages[index].scenario.lifecycle:
            return self.changed([])  # a problem, or a new place in the order: the full way
        pages = list(plan.pages)
        pages[index] = Page(scenario, derive(scenario))
        before = plan.walk
        plan = replace(plan, pages=pages, sides={**plan.sides, sid: side(scenario, pages[index].derived)},
                       matrix=state_matrix([(p.scenario, p.derived) for p in pages])).walked()
        load_journeys(self.folder, [p.scenario for p in pages])  # a saved scenario can break a journey step
        if before is None or plan.walk.transitions != before.transitions:
            return self.changed([])  # where actions lead changed (here or on other pages): the full way
        jobs = [job for job in plan.jobs() if (needs := plan.needs(job)) is None or sid in needs]
        fresh = render_jobs(plan, jobs, processes=1).files
        self.rendered = len(fresh)
        changed = {path: text for path, text in fresh.items() if self.files.get(path) != text}
        self.files.update(changed)
        self._plan, self._stamps = plan, self._stamp()
        return changed

    def _stamp(self) -> dict[Path, tuple[int, int]]:
        stamps = {}
        for path in scenario_files(self.folder):
            stat = path.stat()
            stamps[path] = (stat.st_mtime_ns, stat.st_size)
        return stamps

    def _one_scenario(self, paths: list[Path]) -> str | None:
        """The id of the one scenario that changed, or None when the change is anything else."""
        if self._plan is None or len(paths) != 1:
            return None
        path = Path(paths[0])
        if path.parent.resolve() != self.folder.resolve() or path.name.startswith("_"):
            return None
        stamps = self._stamp()
        if set(stamps) != set(self._stamps):
            return None  # a file was added or removed
        if any(stamp != self._stamps[p] for p, stamp in stamps.items() if p.name != path.name):
            return None  # another file changed too (say, while the last rebuild was failing)
        return path.stem if any(p.id == path.stem for p in self._plan.pages) else None

    def _reload(self, sid: str) -> Scenario | None:
        """The scenario `sid` read again, with its bases; None on any problem (the full load reports it)."""
        files = {p.stem: p for p in scenario_files(self.folder)}
        labels = {name: f"{self.folder.name}/{p.name}" for name, p in files.items()}
        try:
            docs = {sid: _parse(files[sid], labels[sid])}
            parent = docs[sid].data.get("extends")
            while isinstance(parent, str) and parent in files and parent not in docs:
                docs[parent] = _parse(files[parent], labels[parent])
                parent = docs[parent].data.get("extends")
            if "id" in docs[sid].data:
                return None
            merged = _resolve(sid, docs, files, labels)
            return Scenario.model_validate({**merged.data, "id": sid})
        except (_Reject, ValueError):
            return None
