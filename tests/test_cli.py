"""The command line as a user runs it: exit codes, messages, and the previous site kept."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from generator.build import build

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_build_succeeds_and_writes_the_site(tmp_path, few):
    """From the working folder's scenarios/ (the default), here the FEW scenarios: that the bundled
    catalogue builds is checked by the session's `site` (the same build(), every test using it
    fails otherwise) and, in a real process, by test_cli_new_check; what is left here is the
    command line, which the number of scenarios does not change."""
    work = tmp_path / "work"
    shutil.copytree(few, work / "scenarios")
    result = cli("build", "--out", str(tmp_path / "site"), cwd=work)
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
