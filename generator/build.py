"""The pipeline, top to bottom: load + validate → derive → render → write.

Every scenario is loaded and validated before anything is rendered, and the
whole site is rendered in memory before a single file is written.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment

from . import leak_guard
from .errors import Problem, ScenarioErrors
from .load import load_scenarios
from .render import render_site
from .scenario import Scenario
from .write import write_site


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


def prepare(scenarios_dir: Path, lap: _Laps | None = None,
            env: Environment | None = None) -> tuple[list[Scenario], dict[str, str]]:
    """Everything but writing: load + validate every scenario, derive, render the site in memory.

    `check` stops here; `build` writes the result; `serve` passes its own `env` so that
    templates compile once and only changed ones recompile. Raises GeneratorError on any problem.
    """
    lap = lap or _Laps()
    scenarios = load_scenarios(Path(scenarios_dir))
    lap("load")
    files = render_site(scenarios, env)
    lap("render")
    _guard_output(files)
    lap("leak guard")
    return scenarios, files


def _guard_output(files: dict[str, str]) -> None:
    """Second net: no rendered file may hold a secret-like value, whatever put it there (issue 3)."""
    known_clean: set[str] = set()  # pages share most lines: each distinct line is scanned once
    problems = [
        Problem(f"output {path}", line, None,
                f"{finding.describe()} would be published; it comes from a scenario, template or message")
        for path, text in sorted(files.items())
        for line, finding in leak_guard.scan_lines(text, known_clean)
    ]
    if problems:
        raise ScenarioErrors(problems)


def build(scenarios_dir: Path, out: Path) -> BuildReport:
    """Build the site from `scenarios_dir` into `out`; raise GeneratorError on any problem."""
    lap = _Laps()
    scenarios, files = prepare(scenarios_dir, lap)
    write_site(files, Path(out))
    lap("write")
    return BuildReport(len(scenarios), len(files), sum(len(t.encode()) for t in files.values()), lap.seconds)
