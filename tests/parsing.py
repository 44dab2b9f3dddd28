"""Pages parsed for tests to keep and read many times, out of the cycle collector's way.

A parsed page is thousands of objects that make no garbage; with hundreds of pages held, every
full pass of the collector walks them all again: about a third of the cost of parsing them."""
from __future__ import annotations

import gc
from typing import Iterable

from bs4 import BeautifulSoup


def parse_all(texts: Iterable[str]) -> list[BeautifulSoup]:
    """The texts parsed with the collector off (pages a module fixture holds until its end)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return [BeautifulSoup(text, "html.parser") for text in texts]
    finally:
        if was_enabled:
            gc.enable()


def parse_for_good(text: str) -> BeautifulSoup:
    """One page kept to the end of the session: parsed, then frozen out of the collector's passes
    (gc.freeze, with everything alive then; earlier garbage is collected first, not frozen). Until
    something unfreezes: the dev server's Rebuilder does at each full build, so in a process that
    runs one after this, the pages are scanned again; slower, never wrong."""
    [soup] = parse_all([text])
    gc.collect()
    gc.freeze()
    return soup
