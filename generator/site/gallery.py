"""The section gallery: each section of the scenario pages as it renders in every scenario, grouped
where scenarios render it identically, so a designer reviews every state of one card at once.

Groups are made from the rendered pages themselves (byte-equal section HTML), never from a second
idea of what a section shows. Gallery pages live at gallery/<section>/index.html, as deep as the
scenario pages, so a section's relative links work as they are; its ids are made unique per tile.
"""
from __future__ import annotations

import re
from typing import Any, Callable, Iterable, Sequence

#: One section of a scenario page: sections never nest, so the first closing tag ends it.
SECTION = re.compile(r'<section data-section="(?P<name>[\w-]+)"[^>]*>.*?</section>', re.S)
#: Attributes that name an id, and links to one: rewritten together so each tile's stay paired.
ID_REFS = re.compile(r'\b(id|aria-labelledby|aria-describedby|aria-controls|for)="([^"]*)"|href="#([^"]*)"')
HEADING = re.compile(r"<(/?)h([1-5])\b")
#: What a tile does without: the frame markers (data-shows), the link to this very gallery, indentation.
TRIM = re.compile(r' data-shows="[^"]*"|\n\s*<p class="gallery-link">.*?</p>|(?<=\n)[ \t]+')


def gallery_path(section: str) -> str:
    return f"gallery/{section}/index.html"


#: An action preview's "what you would see next" (templates/_next.html): links to *other* states,
#: different in nearly every scenario, that would make every Actions tile unique. Tiles show the
#: card without them.
NEXT_STATES = re.compile(r'\s*<div class="next-states".*?</div>|\s*<p class="next-states".*?</p>', re.S)


#: A section's "Why?" (templates/scenario.html): the facts of one scenario, beside the card.
WHY = re.compile(r'\s*<details class="why">.*?</details>', re.S)


def sections_of(html: str) -> dict[str, str]:
    """{section name: its rendered HTML, without next-state links and "Why?"} of one scenario page."""
    return {m["name"]: WHY.sub("", NEXT_STATES.sub("", m[0])) for m in SECTION.finditer(html)}


def groups(pages: Iterable[tuple[str, dict[str, str]]], section: str) -> list[tuple[str, list[str]]]:
    """[(the section's rendered HTML, ids of the scenarios that render it so)], from (id, its
    sections), groups in the order their first scenario comes, ids in page order."""
    out: dict[str, list[str]] = {}
    for sid, sections in pages:
        if section in sections:
            out.setdefault(sections[section], []).append(sid)
    return list(out.items())


class SectionStore:
    """The sections of each rendered scenario page, kept so that the gallery does not render a page
    again that has not changed (the dev server's rebuild after one save). Each distinct section's
    HTML is held once, however many scenarios render it."""

    def __init__(self) -> None:
        #: (locale, scenario id) → (the page object they were rendered for, its sections).
        self._of: dict[tuple[str, str], tuple[Any, dict[str, str]]] = {}
        self._distinct: dict[str, str] = {}

    def sections(self, locale: str, page: Any, html: Callable[[], str]) -> dict[str, str]:
        """page's sections in locale; `html()` renders the page when this page object is new."""
        kept = self._of.get((locale, page.id))
        if kept is None or kept[0] is not page:
            self.put(locale, page, html())
            return self._of[locale, page.id][1]
        return kept[1]

    def put(self, locale: str, page: Any, html: str) -> set[str]:
        """Keep page's sections as just rendered (a page re-rendered because another scenario it
        shows changed must not keep its old sections); the names of those that differ from the ones
        kept for its scenario before (all of a new scenario's)."""
        found = {name: self._distinct.setdefault(section, section) for name, section in sections_of(html).items()}
        before = self._of.get((locale, page.id), (None, {}))[1]
        self._of[locale, page.id] = (page, found)
        return {name for name in found.keys() | before.keys() if found.get(name) != before.get(name)}


def in_tile(html: str, prefix: str) -> str:
    """A section's HTML placed in a tile: its ids prefixed (unique on the page), its headings one
    level down (under the tile's heading), and what a tile does without trimmed (TRIM)."""
    def local(m: re.Match[str]) -> str:
        if m[3] is not None:
            return f'href="#{prefix}-{m[3]}"'
        return f'{m[1]}="{" ".join(f"{prefix}-{i}" for i in m[2].split())}"'
    return HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", ID_REFS.sub(local, TRIM.sub("", html)))


#: Tiles as last placed, {(html, tile id): tile HTML}: the dev server's rebuild after a save places
#: nearly every tile as before (a build places each once and keeps none).
Placed = dict[tuple[str, str], str]


def tiles(found: Sequence[tuple[str, list[str]]], section: str,
          placed: Placed | None = None) -> list[tuple[str, str, list[str]]]:
    """(tile id, the section's HTML for that tile, its scenario ids), largest group first. `placed`:
    the tiles of this section's last gallery, read, then left holding this one's."""
    ordered = sorted(found, key=lambda group: -len(group[1]))  # stable: ties keep first-seen order
    now: Placed = {}
    for n, (html, _) in enumerate(ordered, 1):
        key = (html, f"g{n}")
        now[key] = (placed or {}).get(key) or in_tile(*key)
    if placed is not None:
        placed.clear()
        placed.update(now)
    return [(f"g{n}", now[html, f"g{n}"], ids) for n, (html, ids) in enumerate(ordered, 1)]
