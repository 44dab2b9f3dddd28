"""The leak guard's second net: no rendered file may hold a secret-like value (issue 3).

Whatever put it there (a scenario, a template, a message), a page that would
publish a secret-like value stops the build before anything is swapped in.
"""
from __future__ import annotations

from ..errors import Problem, ScenarioErrors
from .secrets import LineKey, changed_spans, scan_lines


def output_problems(path: str, text: str, known_clean: set[LineKey], before: str | None = None) -> list[Problem]:
    """Problems for one rendered file; `known_clean` holds the keys of lines already scanned clean
    (secrets.line_key; pages share most lines, so each distinct line is scanned once). `before`: a
    version of the same file that passed this guard (the dev server's last one): only the stretches
    of lines where the two differ are read (secrets.changed_spans), so a rebuild of a file listing
    every scenario does not go through all its lines again."""
    if before == text:  # passed the guard as it is
        return []
    spans = [(0, len(text))] if before is None else changed_spans(before, text)
    return [Problem(f"output {path}", text.count("\n", 0, start) + line, None,
                    f"{finding.describe()} would be published; it comes from a scenario, template or message")
            for start, end in spans for line, finding in scan_lines(text[start:end], known_clean)]


def guard_output(files: dict[str, str], known_clean: set[LineKey] | None = None) -> None:
    """Raise ScenarioErrors naming every rendered file that holds a secret-like value.
    `known_clean`: lines found clean before (by this guard, in any file), as in output_problems."""
    known_clean = set() if known_clean is None else known_clean
    problems = [p for path, text in sorted(files.items()) for p in output_problems(path, text, known_clean)]
    if problems:
        raise ScenarioErrors(problems)
