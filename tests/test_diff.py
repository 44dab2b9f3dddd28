"""`python -m generator diff`: two builds that differ in known ways, identical builds, and errors.

Expectations come from the derivation rules (docs/derivation.md) for the one fact changed,
and, for completeness, from comparing rows() of the two scenario versions directly.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from factories import facts
from test_cli import in_process
from generator.build import build as build_site
from generator.core.derive import derive
from generator.review.diff import (ABSENT, Change, DiffError, ScenarioDiff, SiteDiff, diff_manifests, to_markdown,
                                   to_text)
from generator.review.visual import scenario_of
from generator.model.load import load_scenarios
from generator.core.rows import rows

ROOT = Path(__file__).resolve().parent.parent


def diff(*args) -> subprocess.CompletedProcess:
    """`python -m generator diff ARGS` in this process (the machine has 2 cores): exit code and output."""
    return in_process("diff", *args)


def scenario_yaml(**overrides) -> str:
    data = facts(**overrides)
    del data["id"]  # the id is the file name
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def build(folder: Path, out: Path) -> Path:
    build_site(folder, out)
    return out


def write(folder: Path, files: dict[str, str]) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# Two states; "beta" differs from "alpha" only by its store, so that it stays untouched below.
BEFORE = {"alpha.yml": scenario_yaml(title="Alpha"),
          "beta.yml": scenario_yaml(title="Beta", source={"store": "shop-two.myshopify.com"})}
# One fact changed: alpha's real-exchange flag goes off.
AFTER = {**BEFORE, "alpha.yml": scenario_yaml(title="Alpha", flags={"real_exchange": False})}


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> Path:
    """Scenario folders before/ and after/, built into old/ and new/."""
    root = tmp_path_factory.mktemp("diff")
    build(write(root / "before", BEFORE), root / "old")
    build(write(root / "after", AFTER), root / "new")
    return root


@pytest.fixture(scope="module")
def two_builds(builds) -> tuple[Path, Path]:
    return builds / "old", builds / "new"


def reported(text: str, sid: str) -> dict[tuple[str, str], tuple[str, str]]:
    """{(section, field): (old, new)} of one scenario in the text report."""
    out, section, inside = {}, None, False
    for line in text.splitlines():
        if re.match(r"^[~+-] ", line):
            inside = line.startswith(f"~ {sid} ")
        elif inside and line.startswith("      "):
            field, _, values = line.strip().partition(": ")
            old, _, new = values.partition(" → ")
            out[(section, field)] = (old, new)
        elif inside and line.startswith("    "):
            section = line.strip()
    return out


def test_one_changed_fact_shows_its_effects_by_the_rules(two_builds):
    old, new = two_builds
    result = diff(str(old), str(new))
    assert result.returncode == 1, result.stderr
    changes = reported(result.stdout, "alpha")
    # READY-1: with the exchange flag off, readiness stops at EXCHANGE_DISABLED.
    assert changes[("readiness", "code")] == ("READY", "EXCHANGE_DISABLED")
    assert changes[("readiness", "exchange_enabled")] == ("true", "false")
    # CHECK-5: the real-exchange checklist item goes from OK to To do.
    assert changes[("checklist", "exchange_flags")] == ("ok", "todo")
    # TOKEN-1: no token is active while the exchange flag is off.
    assert changes[("readiness", "token_cache")] == ("active", "inactive")
    # HEALTH-SRC-1 makes the readiness code a blocking finding; HEALTH-1 then says failing.
    assert changes[("source-health", "EXCHANGE_DISABLED")] == (ABSENT, "blocking")
    assert changes[("health", "status")] == ("healthy", "failing")
    # The untouched state is not reported at all.
    assert "beta" not in result.stdout
    assert result.stdout.splitlines()[0].startswith("1 of 2 scenarios differs: 1 changed, 0 added, 0 removed")


def test_the_report_holds_exactly_the_rows_that_differ(builds):
    """Completeness, from the core and not the manifest: every differing row, and only those."""
    before = {s.id: s for s in load_scenarios(builds / "before")}
    after = {s.id: s for s in load_scenarios(builds / "after")}

    def table(s):
        return {(r.section, r.field): r.value for r in rows(s, derive(s))}
    a, b = table(before["alpha"]), table(after["alpha"])
    expected = {key: (a.get(key, ABSENT), b.get(key, ABSENT)) for key in a.keys() | b.keys()
                if a.get(key) != b.get(key)}
    assert expected  # the changed fact must change something, or this test proves nothing
    assert reported(diff(builds / "old", builds / "new").stdout, "alpha") == expected


def test_markdown_summary_lists_the_changed_scenario_and_its_values(two_builds):
    old, new = two_builds
    result = diff(str(old), str(new), "--markdown")
    assert result.returncode == 1
    md = result.stdout
    assert md.startswith("### ")
    assert re.search(r"^\| `alpha` Alpha \| \d+ values in \d+ sections \| .*readiness.*checklist", md, re.M)
    assert "| readiness | `code` | `READY` | `EXCHANGE_DISABLED` |" in md
    assert "<details" in md and "</details>" in md and "beta" not in md


def test_identical_builds_report_no_change_and_exit_zero(builds, tmp_path):
    """Two builds of the same scenarios: the module's old/ and one more."""
    one, two = builds / "old", build(builds / "before", tmp_path / "two")
    text = diff(str(one), str(two))
    assert text.returncode == 0 and text.stdout.startswith("No change: all 2 scenarios")
    md = diff(str(one), str(two), "--markdown")
    assert md.returncode == 0 and "No change" in md.stdout and "|" not in md.stdout


def test_added_and_removed_scenarios(two_builds, tmp_path):
    old, _ = two_builds  # BEFORE
    renamed = {"alpha.yml": BEFORE["alpha.yml"], "gamma.yml": BEFORE["beta.yml"]}
    new = build(write(tmp_path / "b", renamed), tmp_path / "new")
    result = diff(str(old), str(new))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("+ gamma — Beta (added") for line in lines)
    assert any(line.startswith("- beta — Beta (removed") for line in lines)
    assert not any(line.startswith("~ ") for line in lines)


def test_a_missing_side_exits_two_and_names_it(tmp_path, two_builds):
    old, _ = two_builds
    result = diff(str(tmp_path / "missing"), str(old))
    assert result.returncode == 2
    assert f"{tmp_path / 'missing'}: neither a built site folder nor a git revision" in result.stderr


def test_a_folder_that_is_not_a_site_exits_two_and_names_it(tmp_path, two_builds):
    old, _ = two_builds
    (tmp_path / "empty").mkdir()
    result = diff(str(old), str(tmp_path / "empty"))
    assert result.returncode == 2
    assert f"{tmp_path / 'empty'}: no scenarios.json" in result.stderr


def test_a_manifest_without_state_tables_is_refused(tmp_path, two_builds):
    old, _ = two_builds
    stale = tmp_path / "stale"
    stale.mkdir()
    manifest = json.loads((old / "scenarios.json").read_text())
    for entry in manifest["scenarios"]:
        del entry["state"]
    (stale / "scenarios.json").write_text(json.dumps(manifest))
    result = diff(str(stale), str(old))
    assert result.returncode == 2 and "older than `diff`" in result.stderr


# --- the pure core: hand-made manifests ---------------------------------------------------

def entry(sid, title="T", **state):
    return {"id": sid, "title": title, "state": state}


def test_fields_appearing_and_disappearing_and_title_changes():
    old = {"scenarios": [entry("a", "Old title", health={"status": "healthy", "gone": "x"})]}
    new = {"scenarios": [entry("a", "New title", health={"status": "healthy", "new": "y"})]}
    [s] = diff_manifests(old, new).scenarios
    assert [(c.section, c.field, c.old, c.new) for c in s.changes] == [
        ("scenario", "title", "Old title", "New title"),
        ("health", "new", None, "y"),
        ("health", "gone", "x", None),
    ]


def test_duplicate_ids_are_an_error():
    twice = {"scenarios": [entry("a"), entry("a")]}
    with pytest.raises(DiffError, match="appears twice"):
        diff_manifests(twice, {"scenarios": []})


def test_markdown_keeps_table_cells_intact_and_escapes_html():
    old = {"scenarios": [entry("a", "<script>x</script> | t", s={"f": "one | `two`"})]}
    new = {"scenarios": [entry("a", "<script>x</script> | t", s={"f": "three"})]}
    md = to_markdown(diff_manifests(old, new))
    assert "<script>" not in md
    unescaped_pipe = re.compile(r"(?<!\\)\|")
    for line in md.splitlines():
        if line.startswith("| s |"):
            assert len(unescaped_pipe.split(line)) == 6  # four cells between five pipes


def test_text_report_replaces_control_characters():
    old = {"scenarios": [entry("a", s={"f": "ok"})]}
    new = {"scenarios": [entry("a", s={"f": "bad\x1b[31mred"})]}
    assert "\x1b" not in to_text(diff_manifests(old, new))


# --- git revisions: each side is exported and built by its own generator --------------------

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]


#: The test's repository only, whatever GIT_DIR or GIT_WORK_TREE the caller has set.
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def git(*args, cwd):
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True, env=ENV)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_two_git_revisions_are_built_and_compared(two_builds, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    for part in ("generator", "templates"):
        shutil.copytree(ROOT / part, repo / part, ignore=shutil.ignore_patterns("__pycache__"))
    write(repo / "scenarios", BEFORE)
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "before", cwd=repo)
    write(repo / "scenarios", AFTER)
    git("commit", "-qam", "after", cwd=repo)

    monkeypatch.chdir(repo)  # diff reads revisions of the repository it runs in; each builds in a process of its own
    result = diff("HEAD~1", "HEAD")
    assert result.returncode == 1, result.stderr
    assert reported(result.stdout, "alpha")[("readiness", "code")] == ("READY", "EXCHANGE_DISABLED")
    # A revision against a site folder with the same state: no change, exit 0.
    _, same = two_builds  # AFTER, by this generator: the one the repository holds
    result = diff("HEAD", same)
    assert result.returncode == 0 and result.stdout.startswith("No change"), result.stderr
    # Nothing is left behind in the repository: no worktree, no stray file.
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, env=ENV)
    assert status.stdout == ""
    worktrees = subprocess.run(["git", "worktree", "list"], cwd=repo, capture_output=True, text=True, env=ENV)
    assert len(worktrees.stdout.splitlines()) == 1


def test_an_option_is_never_taken_for_a_revision(tmp_path):
    result = diff("--", "--output=x", tmp_path)
    assert result.returncode == 2 and not (ROOT / "x").exists()


def test_the_review_finds_the_scenario_of_a_page_in_any_locale():
    """The visual review sets each changed page beside its scenario's state diff: by path, whatever
    the locale (its browser tests build English pages only)."""
    assert scenario_of("scenarios/healthy/index.html") == "healthy"
    assert scenario_of("fr/scenarios/failed-sync/index.html") == "failed-sync"
    assert scenario_of("compare/healthy--failed-sync.html") is None
    assert scenario_of("fr/index.html") is None


def test_the_summaries_agree_with_one_and_with_many():
    """A count of one reads in the singular, in the summary line and in a scenario's line."""
    one = ScenarioDiff("a", "A", "changed", (Change("health", "status", "healthy", "failing"),))
    two = ScenarioDiff("b", "B", "changed", (Change("health", "status", "x", "y"), Change("readiness", "code", "x", "y")))
    assert to_text(SiteDiff((), 1, 1)).startswith("No change: the scenario has the same state in both builds.")
    assert to_text(SiteDiff((), 2, 2)).startswith("No change: all 2 scenarios have the same state in both builds.")
    assert to_text(SiteDiff((one,), 2, 2)).startswith("1 of 2 scenarios differs:")
    assert to_text(SiteDiff((one, two), 2, 2)).startswith("2 of 2 scenarios differ:")
    text = to_text(SiteDiff((one, two), 2, 2))
    assert "1 value in 1 section" in text and "2 values in 2 sections" in text, text
