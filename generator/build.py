"""The pipeline, top to bottom: load + validate → derive → render → write.

Every scenario is loaded and validated before anything is rendered, and the
whole site is rendered in memory before a single file is written.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .load import load_scenarios
from .render import render_site
from .write import write_site


@dataclass
class BuildReport:
    scenarios: int
    files: int
    bytes: int
    seconds: dict[str, float] = field(default_factory=dict)


def build(scenarios_dir: Path, out: Path) -> BuildReport:
    """Build the site from `scenarios_dir` into `out`; raise GeneratorError on any problem."""
    clock = time.perf_counter()
    seconds: dict[str, float] = {}

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[phase] = now - clock
        clock = now

    scenarios = load_scenarios(Path(scenarios_dir))
    lap("load")
    files = render_site(scenarios)
    lap("render")
    write_site(files, Path(out))
    lap("write")
    return BuildReport(len(scenarios), len(files), sum(len(t.encode()) for t in files.values()), seconds)
