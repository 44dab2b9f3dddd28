"""The pipeline, top to bottom: load + validate → leak guard → derive → render → write.

Every scenario is loaded and validated, and everything the pages share is derived,
before anything is rendered. A build renders over every core and writes each file
into a staging folder as soon as it is rendered (the site is never whole in memory);
the folder replaces the previous site only once every file is there.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from .model.journeys import load_journeys
from .model.load import load_scenarios
from .output.workers import OnProgress, render_jobs
from .output.plan import Plan
from .model.scenario import Scenario
from .output.write import staged

#: The phases of a build, in order, as the timings name them (bench/bench.py prints them).
PHASES = ("load", "derive", "render", "leak guard", "write")


@dataclass
class BuildReport:
    scenarios: int
    files: int
    bytes: int
    seconds: dict[str, float] = field(default_factory=dict)


class _Laps:
    """Seconds per phase, for the build summary and the benchmark."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self._clock
        self._clock = now

    def split(self, shares: dict[str, float]) -> None:
        """The time since the last lap, shared out among phases that ran interleaved (in workers),
        in proportion to the time the workers spent in each."""
        now = time.perf_counter()
        total = sum(shares.values()) or 1.0
        for phase, share in shares.items():
            self.seconds[phase] = self.seconds.get(phase, 0.0) + (now - self._clock) * share / total
        self._clock = now


def _plan(scenarios_dir: Path, lap: _Laps, env: Environment | None) -> tuple[list[Scenario], Plan]:
    scenarios = load_scenarios(Path(scenarios_dir))
    journeys = load_journeys(Path(scenarios_dir), scenarios)  # refused, like a bad scenario, before any page
    lap("load")
    # The leak guard scans every scenario string while loading, where file, line and field are
    # known (load.py), and every rendered page as it passes by (output/workers.py): its time is in theirs.
    plan = Plan.make(scenarios, env, journeys=journeys)
    lap("derive")
    return scenarios, plan


def prepare(scenarios_dir: Path, lap: _Laps | None = None,
            env: Environment | None = None, processes: int | None = 1) -> tuple[list[Scenario], dict[str, str]]:
    """Everything but writing: load + validate every scenario, derive, render the site in memory.

    `check` stops here; `serve` passes its own `env` so that templates compile once and only
    changed ones recompile. Raises GeneratorError on any problem. Serial unless `processes`
    says otherwise (None: every core when the site is large): the dev server has threads, and
    a forked thread is no thread.
    """
    lap = lap or _Laps()
    scenarios, plan = _plan(scenarios_dir, lap, env)
    rendered = render_jobs(plan, plan.jobs(), processes=processes)
    lap.split({"render": rendered.render, "leak guard": rendered.guard})
    return scenarios, rendered.files


def build(scenarios_dir: Path, out: Path, processes: int | None = None,
          progress: OnProgress | None = None) -> BuildReport:
    """Build the site from `scenarios_dir` into `out`; raise GeneratorError on any problem.

    `progress` is told (jobs done, jobs in all) while the site renders (output.progress).
    """
    lap = _Laps()
    scenarios, plan = _plan(scenarios_dir, lap, None)
    with staged(Path(out)) as staging:
        rendered = render_jobs(plan, plan.jobs(), staging, processes, progress)
        lap.split({"render": rendered.render, "leak guard": rendered.guard, "write": rendered.write})
    lap("write")  # the swap, and the removal of the previous site
    return BuildReport(len(scenarios), rendered.count, rendered.bytes, lap.seconds)
