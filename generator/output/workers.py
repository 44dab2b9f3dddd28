"""Run a plan's jobs over every core: forked workers share the plan and write their own files.

The plan (derived states, compiled templates) is built once in the parent; `fork`
gives each worker a copy-on-write view of it, so nothing is sent to a worker but
a range of job numbers. A worker writes its files straight into the staging folder
(write.staged), or, for `check` and the dev server, sends them back.

Output does not depend on how jobs are shared out: each job's files depend on the
plan alone (the caches in TableRows, fastcalls and Catalogue only remember pure
results), so a parallel build is byte-identical to a serial one (tests/test_speed.py).
A job that fails in a worker is rendered again in the parent, which then raises
the very exception, with its traceback and the page it was rendering. Jobs made from
the scenario pages as rendered (the gallery: Kind.from_pages) are the parent's, once
the others are done, from the pages written (Plan.keep_pages).

Process management (issue 17) is built so that it cannot deadlock:
- each worker has its own pipe and nothing is shared between workers (no queue, no lock
  a killed worker could hold); parent and worker strictly alternate on it (a range
  out, its result back), and the parent is always reading when a worker writes;
- a failure, or a worker that dies, ends the build at once: the others are killed
  (SIGKILL, which nothing can block) and reaped, whatever they were doing;
- a process that already runs threads is never forked (a forked lock held by another
  thread stays locked forever in the child): it renders serially instead.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GeneratorError, Problem, ScenarioErrors
from ..guard.rendered import output_problems
from ..guard.secrets import LineKey
from .plan import Job, Plan, in_two_rounds
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
    bytes: int = 0  # of the files written; those kept in memory are not encoded to count theirs
    render: float = 0.0
    guard: float = 0.0
    write: float = 0.0
    failed: int | None = None  # index of the first job that raised, in a worker
    error: str | None = None  # a GeneratorError (disk full, read-only…) raised in a worker, as its text
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
        self.error = self.error or other.error


def single_threaded() -> bool:
    """True when this process runs one thread only, native threads included (Linux: /proc)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


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
         progress: OnProgress | None = None, known_clean: set[LineKey] | None = None,
         before: dict[str, str] | None = None) -> Rendered:
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
            done.problems += output_problems(path, text, known_clean, before.get(path) if before else None)
        middle = time.perf_counter()
        done.guard += middle - rendered
        for path, text in files:
            done.count += 1
            if staging is None:  # kept as text (check, the dev server): see `bytes`
                done.files[path] = text
            else:
                data = text.encode("utf-8")
                done.bytes += len(data)
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


def _worker(conn: Connection) -> None:
    """A forked worker: render each range the parent sends, send back what it gave, until told to stop."""
    assert _PLAN is not None
    # Ctrl-C and SIGTERM are the parent's to handle: it kills its workers, then cleans up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    known_clean: set[LineKey] = set()  # across its ranges: their pages share most lines too
    while (span := conn.recv()) is not None:
        try:
            done = _run(_PLAN, _JOBS, span[0], span[1], _STAGING, catch=True, known_clean=known_clean)
        except GeneratorError as exc:  # writing failed (disk full, read-only): the message says so
            done = Rendered(error=str(exc))
        conn.send(done)


def render_jobs(plan: Plan, jobs: list[Job], staging: Path | None = None, processes: int | None = None,
                progress: OnProgress | None = None, known_clean: set[LineKey] | None = None,
                before: dict[str, str] | None = None) -> Rendered:
    """Render `jobs` of `plan`: into `staging` when given (nothing kept in memory), else into `.files`.

    `processes`: None picks workers() when there are enough jobs; 1 renders here, in order.
    A process running threads renders here too (see the module's doc).
    `progress` is told how many jobs are done: after each job here, after each range from workers.
    `known_clean`: lines the leak guard found clean before, e.g. in the dev server's last rebuild
    (used where this process renders: serial, or the jobs made from pages); its clean lines are added.
    `before`: {path: text} of files that passed the leak guard (the dev server's site): a file
    rendered again has only its new lines read (guard.rendered.output_problems). Same places.
    """
    processes = processes or (workers() if len(jobs) >= PARALLEL_FROM else 1)
    # Jobs made from the scenario pages as rendered come last, here, from the pages just written
    # (or kept): never from a second rendering of them, nor from every page held since it was made.
    now, after_pages = in_two_rounds(jobs)
    jobs, split = now + after_pages, len(now)
    if processes <= 1 or not single_threaded():
        total = _run(plan, jobs, 0, split, staging, catch=False, progress=progress, known_clean=known_clean,
                     before=before)
    else:
        total = _parallel(plan, jobs[:split], staging, processes, progress, len(jobs))
    if split < len(jobs):
        plan.keep_pages(lambda path: _written(path, staging, total.files))
        total.add(_run(plan, jobs, split, len(jobs), staging, catch=False, progress=progress, known_clean=known_clean,
                       before=before))
    if total.problems:
        raise ScenarioErrors(total.problems)
    return total


def _parallel(plan: Plan, jobs: list[Job], staging: Path | None, processes: int,
              progress: OnProgress | None = None, in_all: int | None = None) -> Rendered:
    """`in_all`: how many jobs progress counts, these and those to come (default: these)."""
    global _PLAN, _JOBS, _STAGING
    in_all = in_all or len(jobs)
    size = max(1, -(-len(jobs) // (processes * RANGES_PER_WORKER)))
    spans = [(low, min(low + size, len(jobs))) for low in range(0, len(jobs), size)]
    parts: list[Rendered | None] = [None] * len(spans)
    context = multiprocessing.get_context("fork")
    running: dict[Connection, tuple[multiprocessing.process.BaseProcess, int]] = {}
    failed: Rendered | None = None
    _PLAN, _JOBS, _STAGING = plan, jobs, staging
    try:
        for _ in range(min(processes, len(spans))):
            ours, theirs = context.Pipe()
            process = context.Process(target=_worker, args=(theirs,), daemon=True)
            process.start()
            theirs.close()
            running[ours] = (process, -1)
        waiting = list(range(len(spans)))
        for conn in list(running):
            _give(conn, running, waiting, spans)
        while running and failed is None:
            for conn in wait(list(running)):
                process, index = running[conn]
                try:
                    part: Rendered = conn.recv()
                except (EOFError, OSError):
                    failed = Rendered(error=f"a worker process ended unexpectedly (exit code {process.exitcode}) "
                                            f"while rendering {plan.label(jobs[spans[index][0]])}")
                    break
                if part.failed is not None or part.error:
                    failed = part
                    break
                parts[index] = part
                if progress:
                    progress(sum(high - low for (low, high), p in zip(spans, parts) if p is not None), in_all)
                _give(conn, running, waiting, spans)
    finally:
        _PLAN, _JOBS, _STAGING = None, [], None
        _stop(running, kill=failed is not None or any(p is None for p in parts))
    if failed is not None:
        if failed.error:
            raise GeneratorError(failed.error)
        assert failed.failed is not None
        _render(plan, jobs[failed.failed])  # raises here, as it did in the worker
        raise GeneratorError(f"rendering {plan.label(jobs[failed.failed])} failed in a worker but not when repeated")
    total = Rendered()
    for part in parts:  # in order: the same files in the same order as serially
        assert part is not None
        total.add(part)
    return total


def _written(path: str, staging: Path | None, files: dict[str, str]) -> str | None:
    """A file just rendered: from the staging folder it was written to, or from the files kept in memory.
    Bytes decoded as they are: read_text would turn a page's \r into \n, and the gallery with it."""
    if staging is None:
        return files.get(path)
    try:
        return (staging / path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None


def _give(conn: Connection, running: dict, waiting: list[int], spans: list[tuple[int, int]]) -> None:
    """The next range to a worker that is free, or its signal to stop."""
    process, _ = running[conn]
    if waiting:
        index = waiting.pop(0)
        running[conn] = (process, index)
        try:
            conn.send(spans[index])
        except OSError:
            pass  # the worker is gone: wait() reports its end on this pipe
    else:
        conn.send(None)
        del running[conn]
        process.join()
        conn.close()


def _stop(running: dict, kill: bool) -> None:
    """Reap every worker still running; on failure or interrupt kill it first, whatever it is doing."""
    for conn, (process, _) in running.items():
        if kill and process.is_alive():
            process.kill()
        process.join()
        conn.close()
