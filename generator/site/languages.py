"""Where each language's pages live, and how a page links to itself in the other languages.

English keeps the historical paths (site/index.html, site/scenarios/<id>/index.html: links
from outside and tools depend on them); every other locale lives under its own folder
(site/fr/…). A page is named by its path *inside* a locale ("scenarios/x/index.html"),
the same in every locale, so the language switch is a change of prefix. All links are
relative so the site works from file:// and from any sub-path.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from ..model.scenario import LOCALES

#: The locale of the historical paths, and of hreflang="x-default".
DEFAULT_LOCALE = "en"

#: Folder of each locale's pages, relative to the site root.
PREFIX = {locale: "" if locale == DEFAULT_LOCALE else f"{locale}/" for locale in LOCALES}


@dataclass(frozen=True)
class Alternate:
    """The same page in one locale, as a link from the page being rendered."""

    locale: str
    #: BCP 47 tag for <html lang> and hreflang (fr pages follow Swiss conventions: fr-CH).
    tag: str
    #: The language's name in itself ("Français"), shown on the switch.
    name: str
    href: str
    #: The page hreflang="x-default" points to.
    default: bool


def output_path(locale: str, path: str) -> str:
    """Where a locale's page lands in the site: "scenarios/x/index.html" → "fr/scenarios/x/index.html"."""
    return PREFIX[locale] + path


def up(path: str) -> str:
    """The relative prefix from the folder of `path` back to the folder `path` is relative to."""
    return "../" * path.count("/")


def links(locale: str, path: str) -> dict[str, str]:
    """`root` leads to the locale's home (its pages link through it), `assets` to the shared files."""
    return {"root": up(path), "assets": up(output_path(locale, path))}


def alternates(locale: str, path: str, catalogues: Mapping[str, Callable[[str], str]]) -> list[Alternate]:
    """The page at `path` in every locale, linked from its `locale` version (itself included)."""
    assets = up(output_path(locale, path))
    return [Alternate(other, catalogues[other]("language.tag"), catalogues[other]("meta.language_name"),
                      assets + output_path(other, path), other == DEFAULT_LOCALE) for other in LOCALES]
