"""The errors the generator reports to people: each names where the problem is."""
from __future__ import annotations

from dataclasses import dataclass

from .guard.secrets import redact
from .words import counted


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one input file; `field` is a dotted path such as sync_runs[0].status."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"


class GeneratorError(Exception):
    """Base of every error the CLI turns into a clear message and a non-zero exit."""


class ScenarioErrors(GeneratorError):
    """Every problem found in one run, reported together."""

    def __init__(self, problems: list[Problem]):
        # Last net before people see it: a file name, key or parser message that quotes the
        # input could carry a secret; whatever looks like one is shown by its fingerprint only.
        problems = [Problem(redact(p.file), p.line, p.field and redact(p.field), redact(p.message))
                    for p in problems]
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.field or "", p.message))
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{counted(count, 'problem')} in the scenarios (format: docs/scenarios.md):"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])
