"""`new` scaffolds a valid scenario from another; `check` validates everything and writes nothing."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from test_cli import ROOT, in_process

from generator.core.derive import derive
from generator.model.load import load_scenarios


@pytest.fixture
def catalogue(tmp_path):
    """A copy of the bundled scenarios that tests may change."""
    folder = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", folder)
    return folder


def test_new_extends_the_source_and_validates(catalogue):
    result = in_process("new", "token-revoked", "--from", "sync-unauthorized", "--scenarios", catalogue)
    assert result.returncode == 0, result.stderr
    path = catalogue / "token-revoked.yml"
    assert result.stdout.strip() == str(path)
    assert "extends: sync-unauthorized" in path.read_text()
    loaded = {s.id: s for s in load_scenarios(catalogue)}
    # Nothing but the title differs, so every derived value is the source's.
    new, source = loaded["token-revoked"], loaded["sync-unauthorized"]
    assert new.text("title", "en")[0] == "Token revoked" != source.text("title", "en")[0]
    assert derive(new) == derive(source)


def test_new_defaults_to_the_base(catalogue):
    assert in_process("new", "first-state", "--scenarios", catalogue).returncode == 0
    assert "extends: _base" in (catalogue / "first-state.yml").read_text()
    assert "first-state" in {s.id for s in load_scenarios(catalogue)}


@pytest.mark.parametrize("args, message", [
    (["healthy"], "already exists"),
    (["Token_Expired"], "not a valid scenario id"),
    (["_mine"], "not a valid scenario id"),
    (["x" * 65], "not a valid scenario id"),
    (["fresh", "--from", "nowhere"], "no such scenario or base"),
])
def test_new_refuses_and_writes_nothing(catalogue, args, message):
    before = {p.name: p.read_bytes() for p in catalogue.iterdir() if p.is_file()}
    result = in_process("new", *args, "--scenarios", catalogue)
    assert result.returncode == 1
    assert message in result.stderr
    assert {p.name: p.read_bytes() for p in catalogue.iterdir() if p.is_file()} == before


def test_check_passes_on_the_catalogue_and_writes_nothing(tmp_path, catalogue):
    # A real process in an empty working folder: after it, the folder holds only what was there.
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--scenarios", str(catalogue)],
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    count = len([p for p in catalogue.glob("*.yml") if not p.name.startswith("_")])
    assert f"OK: {count} scenarios" in result.stdout
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_check_reports_file_line_and_field(catalogue):
    (catalogue / "partial-sync.yml").write_text(
        (catalogue / "partial-sync.yml").read_text().replace("failed: 12", "failed: 0", 1))
    result = in_process("check", "--scenarios", catalogue)
    assert result.returncode == 1
    assert "scenarios/partial-sync.yml:" in result.stderr and "a partial run has failed records" in result.stderr


@pytest.mark.parametrize("new_id, title", [("no", "No"), ("2026", "2026")])
def test_new_title_stays_text_whatever_the_id(catalogue, new_id, title):
    # Unquoted, YAML would read "No" as false and "2026" as a number.
    assert in_process("new", new_id, "--scenarios", catalogue).returncode == 0
    assert {s.id: s.text("title", "en")[0] for s in load_scenarios(catalogue)}[new_id] == title


def test_one_scenario_is_counted_in_the_singular(tmp_path):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    for name in ("_base.yml", "healthy.yml"):
        shutil.copyfile(ROOT / "scenarios" / name, folder / name)
    result = in_process("check", "--scenarios", folder)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"OK: 1 scenario in {folder}/ is valid ("), result.stdout
