"""The bad-input corpus (tests/bad_inputs/): each case is refused with its own clear error,
exit non-zero, and the previous site stays byte-for-byte as it was."""
from __future__ import annotations

import shutil
import tracemalloc
from pathlib import Path

import pytest
import yaml

from generator import cli
from generator.errors import ScenarioErrors
from generator.model.load import MAX_FILE_BYTES, load_scenarios

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def place(case: dict, tmp_path: Path) -> Path:
    """A scenarios folder holding the case file, plus whatever its setup asks for."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    source = CORPUS / case["file"]
    target = folder / case["file"]
    setup = case.get("setup")
    if setup == "link_outside":
        outside = tmp_path / "elsewhere" / case["file"]
        outside.parent.mkdir()
        shutil.copyfile(source, outside)
        target.symlink_to(outside)
    else:
        shutil.copyfile(source, target)
    if setup == "twin":
        shutil.copyfile(source, target.with_suffix(".yaml"))
    if setup == "pad":
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(("# padding\n" * (MAX_FILE_BYTES // 10 + 1)))
    return folder


def expected_line(case: dict) -> int | None:
    """The line the error must name: the first line of the case file holding `at`."""
    if case["at"] is None:
        return None
    lines = (CORPUS / case["file"]).read_bytes().decode("utf-8", "replace").splitlines()
    return next(number for number, text in enumerate(lines, 1) if case["at"] in text)


@pytest.fixture(scope="module")
def good_site(tmp_path_factory, few) -> Path:
    out = tmp_path_factory.mktemp("good") / "site"
    assert cli.main(["build", "--scenarios", str(few), "--out", str(out)]) == 0
    return out


def test_every_case_file_is_in_the_table():
    files = {p.name for p in CORPUS.iterdir() if p.suffix == ".yml" and p.name != "expected.yml"}
    assert files == {case["file"] for case in CASES.values()}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_refused_with_a_clear_error(name, tmp_path, good_site, capsys):
    case = CASES[name]
    folder = place(case, tmp_path)
    with pytest.raises(ScenarioErrors) as info:
        load_scenarios(folder)
    [problem] = info.value.problems  # exactly the one problem the case is about
    assert problem.file == f"scenarios/{case['file']}"
    assert problem.line == expected_line(case)
    assert problem.field == case["field"]
    assert case["message"] in problem.message

    # The CLI, as a user runs it: non-zero, the same message on stderr, the old site untouched.
    out = tmp_path / "site"
    shutil.copytree(good_site, out)
    before = snapshot(out)
    assert cli.main(["build", "--scenarios", str(folder), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert str(problem) in err
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["scenarios", "site", *(
        ["elsewhere"] if case.get("setup") == "link_outside" else [])])  # no staging folder left


def test_all_cases_together_are_reported_in_one_run(tmp_path):
    """One folder with every case that can share it: one problem per case, none hidden by another."""
    folder = tmp_path / "scenarios"
    folder.mkdir()
    together = {name: case for name, case in CASES.items() if not case.get("setup")}
    for case in together.values():
        shutil.copyfile(CORPUS / case["file"], folder / case["file"])
    with pytest.raises(ScenarioErrors) as info:
        load_scenarios(folder)
    assert sorted(p.file for p in info.value.problems) == sorted(f"scenarios/{c['file']}" for c in together.values())


def test_alias_bomb_is_bounded_in_memory(tmp_path):
    """Nine levels of nine aliases would be 387 million strings; loading it stays small."""
    folder = place(CASES["alias-bomb"], tmp_path)
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioErrors):
            load_scenarios(folder)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak


# -- the output folder: a full or read-only disk, an interrupt, the swap (issue 17) -----------

@pytest.mark.parametrize("code, words", [(28, "the disk is full"), (30, "the file system is read-only"),
                                         (13, "permission denied")])
@pytest.mark.parametrize("where", ["write", "mkdtemp"])
def test_a_disk_error_is_one_line_and_the_site_stays(code, words, where, tmp_path, good_site, few, capsys, monkeypatch):
    import errno
    import os
    import tempfile
    out = tmp_path / "site"
    shutil.copytree(good_site, out)
    before = snapshot(out)

    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    monkeypatch.setenv("GENERATOR_WORKERS", "1")
    monkeypatch.setattr(os if where == "write" else tempfile, where, fail)
    assert cli.main(["build", "--scenarios", str(few), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: cannot write") and words in err, err
    assert errno.errorcode[code]  # the code is a real errno
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_the_swap_exchanges_the_folders_in_one_step(tmp_path, good_site, few, monkeypatch):
    """Where the system can exchange two folders atomically, site/ is never renamed away."""
    import os
    from generator.output import write
    if write._RENAMEAT2 is None:
        pytest.skip("no renameat2 here: the fallback (two renames) is used")
    out = tmp_path / "site"
    shutil.copytree(good_site, out)
    inode = out.stat().st_ino
    renamed = []
    monkeypatch.setattr(os, "replace", lambda *args: renamed.append(args))
    assert cli.main(["build", "--scenarios", str(few), "--out", str(out)]) == 0
    assert renamed == [] and out.stat().st_ino != inode and snapshot(out) == snapshot(good_site)
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_the_fallback_swap_puts_the_site_back_when_the_second_rename_fails(tmp_path, good_site, few, monkeypatch):
    import os
    from generator.output import write
    out = tmp_path / "site"
    shutil.copytree(good_site, out)
    before = snapshot(out)
    monkeypatch.setattr(write, "exchange", lambda a, b: False)
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(src)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)
    monkeypatch.setattr(os, "replace", replace)
    assert cli.main(["build", "--scenarios", str(few), "--out", str(out)]) == 1
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


_SLOW_BUILD = r'''
import sys, time
from generator import cli
from generator.output.plan import Plan
original = Plan.render
def render(self, job):
    time.sleep(0.05)
    return original(self, job)
Plan.render = render
sys.exit(cli.main(["build", "--scenarios", sys.argv[1], "--out", sys.argv[2]]))
'''


@pytest.mark.parametrize("signal_name, code", [("SIGTERM", 143), ("SIGINT", 130)])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_signal_during_a_build_leaves_the_site_and_nothing_else(signal_name, code, workers, tmp_path, good_site):
    import os
    import signal
    import subprocess
    import sys
    import time
    out = tmp_path / "site"
    shutil.copytree(good_site, out)
    before = snapshot(out)
    env = {**os.environ, "GENERATOR_WORKERS": workers}
    process = subprocess.Popen([sys.executable, "-c", _SLOW_BUILD, str(ROOT / "scenarios"), str(out)],
                               cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".site-new-") for p in tmp_path.iterdir()):  # staging has begun
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    time.sleep(0.3)
    process.send_signal(getattr(signal, signal_name))
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert "previous site is unchanged" in err and "Traceback" not in err
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]
