"""Run a plan's jobs over every core: forked workers share the plan and write their own files.

The plan (derived states, compiled templates) is built once in the parent; `fork`
gives each worker a copy-on-write view of it, so nothing is sent to a worker but
a range of job numbers. A worker writes its files straight into the staging folder
(write.staged), or, for `check` and the dev server, sends them back.

Output does not depend on how jobs are shared out: each job's files depend on the
plan alone (the caches in TableRows, fastcalls and Catalogue only remember pure
results), so a parallel build is byte-identical to a serial one (tests/test_speed.py).
A job that fails in a worker is rendered again in the parent, which then raises
the very exception, with its traceback and the page it was rendering.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GeneratorError, Problem, ScenarioErrors
from ..guard.rendered import output_problems
from .plan import Job, Plan
from .write import write_file

#: Below this many jobs, starting workers costs more than it saves (~30 ms per worker).
PARALLEL_FROM = 200
#: Each worker takes about this many ranges of jobs, so that neither waits for the other at the end.
RANGES_PER_WORKER = 8

_PLAN: Plan | None = None
_JOBS: list[Job] = []
_STAGING: Path | None = None
#: Told (jobs done, jobs in all) as jobs finish, e.g. output.progress.Progress.
OnProgress = Callable[[int, int], None]


@dataclass
class Rendered:
    """What rendering some jobs gave: the files (when kept in memory), counts and seconds."""

    files: dict[str, str] = field(default_factory=dict)
    count: int = 0
    bytes: int = 0
    render: float = 0.0
    guard: float = 0.0
    write: float = 0.0
    failed: int | None = None  # index of the first job that raised, in a worker
    #: Secret-like values found in rendered files (the leak guard's second net, issue 3).
    problems: list[Problem] = field(default_factory=list)

    def add(self, other: Rendered) -> None:
        self.files.update(other.files)
        self.count += other.count
        self.bytes += other.bytes
        self.render += other.render
        self.guard += other.guard
        self.write += other.write
        self.problems += other.problems
        if self.failed is None:
            self.failed = other.failed


def workers() -> int:
    """How many processes render: GENERATOR_WORKERS, or one per core (1 where fork is missing)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    wanted = os.environ.get("GENERATOR_WORKERS", "").strip()
    if wanted:
        if not wanted.isdigit() or int(wanted) < 1:
            raise GeneratorError("GENERATOR_WORKERS must be a whole number of processes, 1 or more")
        return int(wanted)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _run(plan: Plan, jobs: list[Job], low: int, high: int, staging: Path | None, catch: bool,
         progress: OnProgress | None = None, known_clean: set[str] | None = None) -> Rendered:
    done = Rendered()
    made: set[str] = set()
    known_clean = set() if known_clean is None else known_clean  # pages share most lines: each scanned once
    for index in range(low, high):
        start = time.perf_counter()
        try:
            files = _render(plan, jobs[index])
        except Exception:
            if not catch:
                raise
            done.failed = index
            return done
        rendered = time.perf_counter()
        done.render += rendered - start
        # Second net: no rendered file may hold a secret-like value, whatever put it there.
        for path, text in files:
            done.problems += output_problems(path, text, known_clean)
        middle = time.perf_counter()
        done.guard += middle - rendered
        for path, text in files:
            data = text.encode("utf-8")
            done.count += 1
            done.bytes += len(data)
            if staging is None:
                done.files[path] = text
            else:
                write_file(staging, path, data, made)
        done.write += time.perf_counter() - middle
        if progress:
            progress(index + 1, len(jobs))
    return done


def _render(plan: Plan, job: Job) -> list[tuple[str, str]]:
    try:
        return list(plan.render(job))
    except Exception as exc:
        exc.add_note(f"while rendering {plan.label(job)}")
        raise


def _work(span: tuple[int, int]) -> Rendered:
    assert _PLAN is not None
    return _run(_PLAN, _JOBS, span[0], span[1], _STAGING, catch=True)


def render_jobs(plan: Plan, jobs: list[Job], staging: Path | None = None, processes: int | None = None,
                progress: OnProgress | None = None, known_clean: set[str] | None = None) -> Rendered:
    """Render `jobs` of `plan`: into `staging` when given (nothing kept in memory), else into `.files`.

    `processes`: None picks workers() when there are enough jobs; 1 renders here, in order.
    `progress` is told how many jobs are done: after each job here, after each range from workers.
    `known_clean`: lines the leak guard found clean before (serial only), e.g. in the dev server's
    last rebuild; this one's clean lines are added.
    """
    global _PLAN, _JOBS, _STAGING
    processes = processes or (workers() if len(jobs) >= PARALLEL_FROM else 1)
    if processes <= 1:
        total = _run(plan, jobs, 0, len(jobs), staging, catch=False, progress=progress, known_clean=known_clean)
        if total.problems:
            raise ScenarioErrors(total.problems)
        return total
    size = max(1, -(-len(jobs) // (processes * RANGES_PER_WORKER)))
    spans = [(low, min(low + size, len(jobs))) for low in range(0, len(jobs), size)]
    total = Rendered()
    _PLAN, _JOBS, _STAGING = plan, jobs, staging
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            for (_, high), part in zip(spans, pool.imap(_work, spans)):  # in order: the same files as serially
                total.add(part)
                if progress:
                    progress(high, len(jobs))
                if total.failed is not None:
                    pool.terminate()
                    break
    finally:
        _PLAN, _JOBS, _STAGING = None, [], None
    if total.failed is not None:
        _render(plan, jobs[total.failed])  # raises here, as it did in the worker
        raise GeneratorError(f"rendering {plan.label(jobs[total.failed])} failed in a worker but not when repeated")
    if total.problems:
        raise ScenarioErrors(total.problems)
    return total
