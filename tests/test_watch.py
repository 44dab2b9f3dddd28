"""The dev server's watcher: a save is reported once, soon, by the kernel or by polling."""
from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from generator.dev.watch import DEBOUNCE, FolderWatch, is_editor_litter

#: Long enough for a slow CI machine; the kernel reports a save within milliseconds.
WAIT = 10.0


def _run(coroutine):
    """`asyncio.run` in a thread of its own: Playwright's sync API, used by the browser tests of
    the same session, keeps an event loop running in the main thread, where `asyncio.run` refuses."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _changes(folder, act, polling: bool) -> tuple[list[str], FolderWatch]:
    """Start watching `folder`, run `act()`, return what was reported until things settle."""
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    watch = FolderWatch([folder], seen.append, loop, polling=polling)
    watch.start()
    try:
        if polling:
            await asyncio.sleep(0.2)  # the first look only records what is there
        act()
        deadline = time.monotonic() + WAIT
        while not seen and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # anything more of the same save would have come by now
    finally:
        watch.stop()
    return seen, watch


@pytest.mark.parametrize("polling", [False, True], ids=["kernel", "polling"])
def test_a_save_of_several_writes_is_reported(tmp_path, polling):
    target = tmp_path / "healthy.yml"
    target.write_text("title: a\n")

    def save() -> None:
        with target.open("w") as file:  # truncate, two writes, close: several events
            file.write("title: b\n")
            file.flush()
            file.write("lifecycle: 1\n")

    seen, watch = _run(_changes(tmp_path, save, polling))
    # Usually one report; a poll, or a busy machine, may split a save in two: never another file.
    assert seen and set(seen) == {str(target)}
    assert watch.polling is polling


def test_events_within_the_debounce_make_one_change():
    async def run() -> list[str]:
        seen: list[str] = []
        watch = FolderWatch([], seen.append, asyncio.get_running_loop())
        for path in ("a.yml", "b.yml", "b.yml"):  # as the observer thread hands them over
            watch._arrived(path)
        await asyncio.sleep(DEBOUNCE * 5)
        return seen

    assert _run(run()) == ["b.yml"]


def test_a_file_renamed_over_another_reports_the_target_and_litter_is_ignored(tmp_path):
    target = tmp_path / "healthy.yml"
    target.write_text("title: a\n")

    def atomic_save() -> None:  # as many editors save: write a temporary file, rename it over
        temporary = tmp_path / ".healthy.yml.swp"
        temporary.write_text("title: b\n")
        temporary.replace(target)

    seen, _ = _run(_changes(tmp_path, atomic_save, polling=False))
    assert seen and set(seen) == {str(target)}


def test_editor_litter():
    assert is_editor_litter("scenarios/.healthy.yml.swp") and is_editor_litter("templates/page.html~")
    assert is_editor_litter("scenarios/#healthy.yml#")
    assert not is_editor_litter("scenarios/_base.yml") and not is_editor_litter("templates/scenario.html")


def test_falls_back_to_polling_where_the_kernel_cannot_tell(tmp_path, monkeypatch):
    import generator.dev.watch as watch_module

    class NoInotify:
        def __init__(self) -> None:
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watch_module, "Observer", NoInotify)
    target = tmp_path / "healthy.yml"
    target.write_text("title: a\n")

    async def run() -> FolderWatch:
        watch = FolderWatch([tmp_path], lambda path: None, asyncio.get_running_loop())
        watch.start()
        watch.stop()
        return watch

    assert _run(run()).polling
