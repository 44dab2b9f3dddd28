"""What the speed-ups must not change: the bytes of the site, the errors, and the rebuild's result.

(How fast is measured by bench/bench.py, not here.)
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.build import PHASES, build
from generator.errors import GeneratorError, ScenarioErrors
from generator.output.workers import render_jobs
from generator.output.plan import Plan
from generator.dev.rebuild import Rebuilder
from generator.output.plan import render_site
from generator.site.render import MissingMessage
from generator.model.load import load_scenarios
from synthetic import many

ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_parallel_build_is_byte_identical_to_a_serial_one(tmp_path):
    serial = build(ROOT / "scenarios", tmp_path / "serial", processes=1)
    parallel = build(ROOT / "scenarios", tmp_path / "parallel", processes=2)
    assert tree(tmp_path / "serial") == tree(tmp_path / "parallel")
    assert (serial.files, serial.bytes) == (parallel.files, parallel.bytes)
    assert serial.files == len(tree(tmp_path / "serial")) - 1  # all but the marker
    assert list(parallel.seconds) == list(PHASES)


def test_the_streamed_build_writes_what_render_site_renders(tmp_path):
    build(ROOT / "scenarios", tmp_path / "site", processes=2)
    rendered = render_site(load_scenarios(ROOT / "scenarios"))
    assert {path: text.encode() for path, text in rendered.items()} == {
        path: data for path, data in tree(tmp_path / "site").items() if path != ".generator-site"}


def test_a_page_failing_in_a_worker_raises_its_own_error_naming_the_page(monkeypatch):
    plan = Plan.make(many(60))
    broken = plan.pages[45].path
    original = Plan._scenario

    def scenario(self, index):
        if self.pages[index].path == broken:
            raise MissingMessage("message 'x.y' is missing from templates/messages/en.yml")
        return original(self, index)
    monkeypatch.setattr(Plan, "_scenario", scenario)  # before the fork: workers inherit it
    with pytest.raises(MissingMessage, match="x.y") as raised:
        render_jobs(plan, plan.jobs(), processes=2)
    assert any(broken in note for note in raised.value.__notes__)


def test_a_failed_parallel_build_leaves_the_previous_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(ROOT / "scenarios", out, processes=1)
    before = tree(out)

    def fail(self, index):
        raise MissingMessage("message 'x.y' is missing from templates/messages/en.yml")
    monkeypatch.setattr(Plan, "_scenario", fail)
    with pytest.raises(MissingMessage):
        build(ROOT / "scenarios", out, processes=2)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left behind


@pytest.fixture
def folder(tmp_path) -> Path:
    copy = tmp_path / "scenarios"
    shutil.copytree(ROOT / "scenarios", copy)
    return copy


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}: choose another edit"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name, old, new", [
    ("failed-sync.yml", "en: Last sync failed", "en: Last sync failed again"),  # a title: every switcher
    ("failed-sync.yml", "status: failed", "status: cancelled"),  # a fact: its state and comparisons
    ("failed-sync.yml", "lifecycle: 60", "lifecycle: 1"),  # a new place in the order: the full way
    ("_base.yml", "enabled: true", "enabled: false"),  # a base: every scenario extending it
])
def test_a_rebuild_after_a_save_equals_a_full_build(folder, name, old, new):
    rebuilder = Rebuilder(folder)
    rebuilder.full()
    before = dict(rebuilder.files)
    edit(folder / name, old, new)
    fresh = rebuilder.changed([folder / name])
    expected = render_site(load_scenarios(folder))
    assert rebuilder.files == expected
    assert fresh == {path: text for path, text in expected.items() if text != before.get(path)}


def test_a_rebuild_past_the_switcher_window_equals_a_full_build(folder):
    """Beyond 40 scenarios a page shows only its neighbours: the rebuild then renders only theirs."""
    for i in range(30):
        (folder / f"copy-{i:02d}.yml").write_text(
            f"extends: failed-sync\nlifecycle: {61 + i}\ntitle: Copy {i:02d}\n", encoding="utf-8")
    rebuilder = Rebuilder(folder)
    before = dict(rebuilder.full())
    edit(folder / "copy-15.yml", "title: Copy 15", "title: Copy fifteen")
    fresh = rebuilder.changed([folder / "copy-15.yml"])
    expected = render_site(load_scenarios(folder))
    assert rebuilder.files == expected
    assert fresh == {path: text for path, text in expected.items() if text != before.get(path)}
    assert rebuilder.rendered < len(expected) / 3


def test_a_rebuild_of_a_broken_save_raises_and_keeps_the_last_good_site(folder):
    rebuilder = Rebuilder(folder)
    good = dict(rebuilder.full())
    edit(folder / "failed-sync.yml", "status: failed", "status: exploded")
    with pytest.raises(ScenarioErrors) as raised:
        rebuilder.changed([folder / "failed-sync.yml"])
    assert "failed-sync.yml" in str(raised.value)
    assert rebuilder.files == good
    edit(folder / "failed-sync.yml", "status: exploded", "status: failed")
    assert rebuilder.changed([folder / "failed-sync.yml"]) == {}  # back as it was: nothing to redo
    assert rebuilder.files == good


def test_generator_workers_must_be_a_count(monkeypatch):
    from generator.output.workers import workers
    monkeypatch.setenv("GENERATOR_WORKERS", "two")
    with pytest.raises(GeneratorError, match="GENERATOR_WORKERS"):
        workers()
    monkeypatch.setenv("GENERATOR_WORKERS", "3")
    assert workers() in (1, 3)  # 1 where fork is missing
