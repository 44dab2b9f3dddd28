"""Build progress: a counting line on a terminal once a build takes a while, silence on a pipe."""
from __future__ import annotations

import io
import os
import pty
import re

from generator import cli
from generator.output import progress as progress_module
from generator.output.progress import DELAY, ERASE, INTERVAL, Progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_quiet_on_a_terminal_until_the_delay_then_throttled_then_erased():
    terminal, clock = FakeTerminal(), Clock()
    progress = Progress(terminal, clock)
    progress(1, 10)
    progress(10, 10)  # done before the delay: a short build shows nothing at all
    assert terminal.getvalue() == ""
    clock.now += DELAY
    progress(2, 10)
    assert terminal.getvalue() == f"{ERASE}rendering 2/10 (20%)"
    progress(3, 10)  # within INTERVAL of the last line: not drawn
    assert "3/10" not in terminal.getvalue()
    clock.now += INTERVAL
    progress(4, 10)
    progress(10, 10)  # the last count is always drawn
    assert terminal.getvalue().endswith(f"{ERASE}rendering 4/10 (40%){ERASE}rendering 10/10 (100%)")
    progress.close()
    assert terminal.getvalue().endswith(ERASE)


def test_never_writes_when_not_a_terminal():
    pipe, clock = io.StringIO(), Clock()
    progress = Progress(pipe, clock)
    clock.now += DELAY * 10
    progress(5, 10)
    progress.close()
    assert pipe.getvalue() == ""


def _build_with_stderr(monkeypatch, tmp_path, stderr, capsys, few) -> str:
    monkeypatch.setattr(progress_module, "DELAY", 0.0)  # a few scenarios build in well under a second
    monkeypatch.setattr(progress_module, "INTERVAL", 0.0)
    monkeypatch.setattr("sys.stderr", stderr)
    assert cli.main(["build", "--scenarios", str(few), "--out", str(tmp_path / "site")]) == 0
    return capsys.readouterr().out


def test_build_on_a_terminal_counts_jobs_then_prints_its_summary_on_a_clean_line(monkeypatch, tmp_path, capsys, few):
    terminal = FakeTerminal()
    summary = _build_with_stderr(monkeypatch, tmp_path, terminal, capsys, few)
    shown = terminal.getvalue()
    # counted per job when serial, per range a worker hands back when parallel
    assert re.search(r"rendering \d+/\d+ \(\d+%\)", shown) and "(100%)" in shown
    assert shown.endswith(ERASE)  # erased before the summary
    assert summary.startswith("Built ")


def test_build_on_a_pipe_prints_only_its_summary(monkeypatch, tmp_path, capsys, few):
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe, os.fdopen(read) as back:
        summary = _build_with_stderr(monkeypatch, tmp_path, pipe, capsys, few)
        pipe.close()
        assert back.read() == ""
    assert summary.startswith("Built ")


def test_draws_on_a_real_pseudo_terminal():
    primary, secondary = pty.openpty()
    clock = Clock()
    try:
        with os.fdopen(secondary, "w", closefd=False) as terminal:
            progress = Progress(terminal, clock)
            clock.now += DELAY
            progress(3, 4)
        assert b"rendering 3/4 (75%)" in os.read(primary, 1024)
    finally:
        os.close(primary)
        os.close(secondary)
