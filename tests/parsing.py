"""Pages parsed for tests to keep and read many times, out of the cycle collector's way.

A parsed page is thousands of objects that make no garbage; with hundreds of pages held, every
full pass of the collector walks them all again: about a third of the cost of parsing them."""
from __future__ import annotations

import gc
from typing import Iterable

from bs4 import BeautifulSoup


def parse_all(texts: Iterable[str]) -> list[BeautifulSoup]:
    """The texts parsed with the collector off (pages a module fixture holds until its end)."""
    gc.disable()
    try:
        return [BeautifulSoup(text, "html.parser") for text in texts]
    finally:
        gc.enable()


def parse_for_good(text: str) -> BeautifulSoup:
    """One page kept to the end of the session: parsed, then frozen out of the collector's passes
    for the rest of the session too (gc.freeze; earlier garbage is collected first, not frozen)."""
    [soup] = parse_all([text])
    gc.collect()
    gc.freeze()
    return soup
