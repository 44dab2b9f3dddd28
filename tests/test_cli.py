"""The command line as a user runs it: exit codes, messages, and the previous site kept."""
from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

from generator.build import build
from generator.cli import main
from generator.output.plan import Plan
from generator.output.workers import PARALLEL_FROM

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True)


def in_process(*args) -> subprocess.CompletedProcess:
    """`python -m generator ARGS` run in this process, for tests about what a command does rather
    than the command line itself: its exit code and what it wrote, as `cli` returns them."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(arg) for arg in args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_build_succeeds_and_writes_the_site(tmp_path, bundled_scenarios):
    """The bundled catalogue from the default folder, as a user builds it: with PARALLEL_FROM jobs
    or more, so the command's own choice of processes forks workers that write the staged site (the
    session's site is built in a test process, which runs threads and so never forks)."""
    assert len(Plan.make(bundled_scenarios).jobs()) >= PARALLEL_FROM, "the catalogue no longer builds in workers"
    result = cli("build", "--out", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site/index.html").is_file()
    assert (tmp_path / "site/scenarios/healthy/index.html").is_file()


def test_broken_scenario_exits_non_zero_names_the_file_and_keeps_the_old_site(tmp_path, write_scenarios, few):
    out = tmp_path / "site"
    build(few, out)  # the old site, made in this process: the command under test is the failing one
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    folder = write_scenarios({"broken.yml": "title: x\nsource: {plan: gold}\n"})
    result = cli("build", "--scenarios", str(folder), "--out", str(out))
    assert result.returncode != 0
    assert "scenarios/broken.yml:2: source.plan" in result.stderr
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path, few):
    """Any valid scenarios folder (FEW): what is refused is the --out folder."""
    mine = tmp_path / "precious"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    result = cli("build", "--scenarios", str(few), "--out", str(mine))
    assert result.returncode != 0 and (mine / "keep.txt").read_text() == "mine"
