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
def good_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("good") / "site"
    assert cli.main(["build", "--scenarios", str(ROOT / "scenarios"), "--out", str(out)]) == 0
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
