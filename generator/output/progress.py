"""A counting line on a terminal while a long build renders; nothing at all anywhere else.

A build that ends within `DELAY` seconds never shows it, so short builds and every
build whose stderr is a pipe or a file (CI, tests, `2> log`) print their summary
alone. On a terminal the line is rewritten in place (carriage return), at most every
`INTERVAL` seconds, and erased before the summary is printed.
"""
from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

#: Seconds of silence before the line appears: a build that ends sooner shows only its summary.
DELAY = 1.0
#: Seconds between two rewrites of the line: a terminal need not redraw more often.
INTERVAL = 0.1
#: Erases the line: back to its start, then clear to its end.
ERASE = "\r\x1b[K"


class Progress:
    """`progress(done, total)` after each batch of rendered jobs; `close()` before the summary."""

    def __init__(self, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic):
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.shown = False
        isatty = getattr(self.stream, "isatty", None)
        self._enabled = bool(isatty and isatty())
        self._start = clock()
        self._next = self._start + DELAY

    def __call__(self, done: int, total: int) -> None:
        if not self._enabled:
            return
        now = self.clock()
        if now < self._next and done < total:
            return
        if now < self._start + DELAY:
            return  # finished before the delay: stays quiet
        self._next = now + INTERVAL
        percent = done * 100 // total if total else 100
        self.stream.write(f"{ERASE}rendering {done}/{total} ({percent}%)")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Erase the line, if one was shown, so that the summary starts a clean line."""
        if self.shown:
            self.stream.write(ERASE)
            self.stream.flush()
            self.shown = False
