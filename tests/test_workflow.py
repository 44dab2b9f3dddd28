"""The CI workflow cannot run here, so what can be checked is checked: it parses, its jobs
and steps are there, it runs the README's commands, it uploads what the build writes,
and its permissions, pins and concurrency are as tight as promised."""
from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path

import pytest
import yaml

from generator.build import build
from generator.cli import parser

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github/workflows/site.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


@pytest.fixture(scope="module")
def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as the boolean true.
    data["on"] = data.pop(True, data.get("on"))
    return data


def readme_commands() -> list[str]:
    """The commands of the README's "Two commands" block, without their comments."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"^## Two commands\n.*?```sh\n(.*?)```", text, re.S | re.M)
    assert block, "README.md has no '## Two commands' sh block"
    return [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.split("#")[0].strip()]


def steps(workflow, job):
    return workflow["jobs"][job]["steps"]


def step(workflow, job, uses_or_run):
    found = [s for s in steps(workflow, job) if uses_or_run in (s.get("uses", "") + s.get("run", ""))]
    assert len(found) == 1, f"expected one step with {uses_or_run!r} in job {job}"
    return found[0]


def artefact(workflow, path):
    """The one upload-artifact step of job site that uploads `path`."""
    found = [s for s in steps(workflow, "site") if s.get("uses", "").startswith("actions/upload-artifact@")
             and s.get("with", {}).get("path") == path]
    assert len(found) == 1, f"expected one artefact upload of {path}"
    return found[0]


def test_runs_on_every_push_and_pull_request(workflow):
    assert {"push", "pull_request"} <= set(workflow["on"])
    assert workflow["on"]["push"] is None and workflow["on"]["pull_request"] is None  # no branch filter


def test_runs_the_readme_commands_in_order_test_then_build(workflow):
    commands = readme_commands()
    assert commands == ["scripts/build", "scripts/test"]
    runs = [s["run"].strip() for s in steps(workflow, "site") if "run" in s]
    for command in commands:
        assert command in runs, f"the workflow does not run the README's {command}"
    assert runs.index("scripts/test") < runs.index("scripts/build")
    # .ci/run, the other CI entry point, runs the same test command.
    assert re.search(r"^exec scripts/test$", (ROOT / ".ci/run").read_text(), re.M)


def test_uploads_exactly_the_folder_the_build_writes(workflow, tmp_path, few):
    upload = step(workflow, "site", "actions/upload-pages-artifact@")
    default_out = parser().parse_args(["build"]).out
    assert Path(upload["with"]["path"]) == default_out == Path("site")
    # scripts/build passes its arguments on: the workflow gives none, so the default applies.
    assert "generator build \"$@\"" in (ROOT / "scripts/build").read_text()
    # upload-pages-artifact v4 packs every file but hidden ones (and refuses symlinks):
    # that must be exactly the site, with the generator's own marker file left out.
    assert "# v4." in WORKFLOW.read_text().split("upload-pages-artifact@")[1].splitlines()[0]
    site = tmp_path / "site"
    report = build(few, site)
    packed = {p.relative_to(site).as_posix() for p in site.rglob("*")
              if p.is_file() and not any(part.startswith(".") for part in p.relative_to(site).parts)}
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    assert len(packed) == report.files
    assert {"index.html", "404.html", "robots.txt", "scenarios.json", "style.css"} <= packed


def test_deploys_main_only_with_the_official_actions(workflow):
    main_only = "github.event_name != 'pull_request' && github.ref == 'refs/heads/main'"
    assert step(workflow, "site", "actions/upload-pages-artifact@")["if"] == main_only
    deploy = workflow["jobs"]["deploy"]
    assert deploy["if"] == main_only and deploy["needs"] == "site"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"


def test_permissions_are_least_privilege(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    granted = {name: job.get("permissions") for name, job in workflow["jobs"].items()}
    assert granted == {"site": None, "deploy": {"pages": "write", "id-token": "write"}}


def test_every_action_is_pinned_to_a_commit_with_its_version():
    uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(.+)$", WORKFLOW.read_text(), re.M)
    assert uses
    for line in uses:
        assert PINNED.match(line.strip()), f"not pinned to a full commit SHA with a version comment: {line}"


def test_runs_are_grouped_and_deploys_never_cut_off(workflow):
    assert "github.ref" in workflow["concurrency"]["group"]
    assert workflow["jobs"]["deploy"]["concurrency"] == {"group": "pages", "cancel-in-progress": False}


def test_pull_requests_get_the_state_diff_as_summary_and_artefact(workflow):
    review = step(workflow, "site", "generator diff")
    assert review["if"] == "github.event_name == 'pull_request'"
    assert '"$BASE_SHA" site --markdown' in review["run"]
    assert review["env"]["BASE_SHA"] == "${{ github.event.pull_request.base.sha }}"
    assert artefact(workflow, "state-diff.md")["if"] == review["if"]


def test_pull_requests_get_the_visual_review_as_summary_and_artefact(workflow):
    review = step(workflow, "site", "generator review")
    assert review["if"] == "github.event_name == 'pull_request'"
    assert '"$BASE_SHA" site --out visual-review --markdown' in review["run"]
    assert 'GITHUB_STEP_SUMMARY' in review["run"] and 'test "$status" -le 1' in review["run"]
    assert artefact(workflow, "visual-review")["if"] == review["if"]


@pytest.mark.parametrize("exit_code, step_passes", [(0, True), (1, True), (2, False)])
def test_the_review_step_fails_only_when_the_diff_fails(workflow, tmp_path, exit_code, step_passes):
    """Run the step's own shell script with a stand-in python that exits as diff would."""
    python = tmp_path / ".venv/bin/python"
    python.parent.mkdir(parents=True)
    python.write_text(f"#!/bin/sh\necho '### Effect on every state'\nexit {exit_code}\n")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    summary = tmp_path / "summary.md"
    script = step(workflow, "site", "generator diff")["run"]
    # GitHub runs `run:` steps with `bash -e {0}`.
    done = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "BASE_SHA": "0" * 40, "GITHUB_STEP_SUMMARY": str(summary)})
    assert (done.returncode == 0) is step_passes
    assert summary.read_text() == "### Effect on every state\n"


def test_the_test_screenshots_are_kept_as_an_artefact_pass_or_fail(workflow):
    """README: the browser tests' screenshots are kept by CI. The folder uploaded is the one
    scripts/test gives the tests (its SCREENSHOTS default), uploaded after the test step even when
    it failed, which is when a reviewer most wants the pictures."""
    default = re.search(r'SCREENSHOTS="\$\{SCREENSHOTS:-([^}]+)\}"', (ROOT / "scripts/test").read_text())
    assert default, "scripts/test no longer sets a SCREENSHOTS default"
    upload = artefact(workflow, default.group(1))
    assert upload["if"] == "${{ !cancelled() }}"
    site = steps(workflow, "site")
    assert site.index(upload) == [s.get("run") for s in site].index("scripts/test") + 1
