"""Tell the dev server which file was saved, as soon as the kernel says so.

watchdog's default observer is the platform's notification API (inotify on Linux,
FSEvents, kqueue, ReadDirectoryChangesW): a save wakes the server at once instead of
at its next poll, and an idle server does no work. Where that API cannot start (no
inotify, or its watch limit reached) the same observer polls instead.

An editor's save is often several events (truncate, write, close; or a temporary file
renamed over the original): the events of `DEBOUNCE` seconds from the first one make
one change, reported on the server's event loop with the last file touched.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (FileClosedEvent, FileCreatedEvent, FileDeletedEvent, FileModifiedEvent,
                             FileMovedEvent, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

#: Events of one save arrive within a few ms of each other; this gathers them at little cost.
DEBOUNCE = 0.02
#: Where the kernel cannot tell: a stat of a few dozen files each time, well under 1 ms.
POLL_SECONDS = 0.05
#: Writes only: the server's own reads (opens, closes without writing) are not changes.
CHANGES = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent]


def is_editor_litter(path: str) -> bool:
    """Swap, lock and backup files editors leave beside the one being edited: never a source."""
    name = Path(path).name
    return name.startswith((".", "#")) or name.endswith("~")


class FolderWatch:
    """Calls `on_change(path)` on `loop` after files under `folders` change; `start()`, then `stop()`."""

    def __init__(self, folders: Iterable[Path], on_change: Callable[[str], None],
                 loop: asyncio.AbstractEventLoop, polling: bool = False):
        self.folders = [Path(folder) for folder in folders]
        self.on_change = on_change
        self.loop = loop
        self.polling = polling
        self._observer: BaseObserver | None = None
        self._last: str | None = None  # the last file touched since the first event of this change

    def start(self) -> None:
        if not self.polling:
            try:
                self._observer = self._started(Observer())
                return
            except OSError:  # no inotify here, or no watch left: look instead of being told
                self.polling = True
        self._observer = self._started(PollingObserver(timeout=POLL_SECONDS))

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None

    def _started(self, observer: BaseObserver) -> BaseObserver:
        handler = _Handler(self._from_thread)
        try:
            for folder in self.folders:
                observer.schedule(handler, str(folder), recursive=True, event_filter=CHANGES)
            observer.start()
        except BaseException:
            observer.stop()
            raise
        return observer

    def _from_thread(self, path: str) -> None:
        """On the observer's thread: hand the path to the server's loop."""
        try:
            self.loop.call_soon_threadsafe(self._arrived, path)
        except RuntimeError:  # the loop has closed: the server is stopping
            pass

    def _arrived(self, path: str) -> None:
        if self._last is None:
            self.loop.call_later(DEBOUNCE, self._settled)
        self._last = path

    def _settled(self) -> None:
        path, self._last = self._last, None
        if path is not None:
            self.on_change(path)


class _Handler(FileSystemEventHandler):
    def __init__(self, report: Callable[[str], None]):
        self.report = report

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory:
            return
        path = str(event.dest_path or event.src_path)  # a rename over a file changes its target
        if not is_editor_litter(path):
            self.report(path)
