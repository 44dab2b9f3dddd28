"""Render: derived scenarios → HTML and JSON text, in memory (nothing touches the disk here)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any

import markdown
import nh3
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ..core.derive import Derived
from ..errors import GeneratorError
from .fastcalls import memo
from .formats import FILTERS
from .languages import alternates, links, output_path
from ..core.rows import rows
from ..model.scenario import LOCALES, Scenario

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

#: Markdown may produce only these; everything else is stripped (allow-list, not deny-list).
ALLOWED_TAGS = {"p", "em", "strong", "code", "a", "ul", "ol", "li", "br", "blockquote", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}

#: Up to this many scenarios, every page's switcher links them all; beyond, it shows the
#: lifecycle neighbours and the overview, so that page size does not grow with N (N² site).
SWITCHER_ALL = 40
SWITCHER_WINDOW = 7

SECTIONS = (
    "banner", "credentials", "readiness", "checklist", "source-health", "data-quality-preview",
    "health", "technical-status", "actions", "credential-actions", "data-quality",
    "sync-history", "external-accounts",
)


class MissingMessage(GeneratorError):
    """A template asked for a message key that the catalogue does not have."""


class Catalogue:
    """One locale's messages, looked up by dotted key; a missing key is an error, never blank."""

    def __init__(self, locale: str, messages: dict[str, Any]):
        self.locale = locale
        self.messages = messages
        self._found: dict[str, Any] = {}  # key → message: a page asks for the same keys again and again

    @classmethod
    def load(cls, locale: str, folder: Path = TEMPLATES / "messages") -> Catalogue:
        with open(folder / f"{locale}.yml", encoding="utf-8") as handle:
            # libyaml when present, as in load.py: the pure-Python parser was half of a dev-server rebuild.
            return cls(locale, yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))

    def __call__(self, key: str, **values: Any) -> Any:
        if not values and key in self._found:
            return self._found[key]
        node: Any = self.messages
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise MissingMessage(f"message '{key}' is missing from templates/messages/{self.locale}.yml")
            node = node[part]
        if values and isinstance(node, str):
            return node.format(**values)
        self._found[key] = node
        return node


def markdown_to_html(text: str) -> Markup:
    """Scenario Markdown → sanitised HTML, the only HTML ever marked safe."""
    html = markdown.markdown(text, extensions=[], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=ALLOWED_URL_SCHEMES, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def format_timestamp(value: datetime | None) -> str:
    """UTC, ISO 8601, second precision: the form the reference page uses."""
    if value is None:
        return ""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Page:
    """One scenario with its derived state: what the templates, manifest and compare read."""

    scenario: Scenario
    derived: Derived

    @property
    def id(self) -> str:
        return self.scenario.id

    @property
    def path(self) -> str:
        return f"scenarios/{self.id}/index.html"

    @cached_property
    def last_sync_status(self) -> str:
        run = self.derived.last_finished_sync
        return run.status if run else "none"


def make_environment(templates: Path = TEMPLATES) -> Environment:
    """One environment for the whole build: templates compile once and are reused."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["memo"] = memo
    env.filters["markdown"] = markdown_to_html
    env.filters["timestamp"] = format_timestamp
    env.filters.update(FILTERS)
    return env


def state_table(page: Page) -> dict[str, dict[str, str]]:
    """The page's rows as {section: {field: value}}, in page order."""
    table: dict[str, dict[str, str]] = {}
    for row in rows(page.scenario, page.derived):
        table.setdefault(row.section, {})[row.field] = row.value
    return table


def translations(scenario: Scenario, field: str) -> dict[str, str]:
    """A scenario text per locale it really exists in: a fallback is not a translation."""
    found = {}
    for locale in LOCALES:
        text, really = scenario.text(field, locale)
        if really == locale:
            found[locale] = text
    return found


def manifest(pages: list[Page]) -> str:
    """scenarios.json: ids, titles, paths and key derived states, for tools and tests."""
    entries = []
    for page in pages:
        d = page.derived
        entries.append({
            "id": page.id,
            "title": page.scenario.text("title", "en")[0],
            "path": page.path,
            "titles": translations(page.scenario, "title"),
            "paths": {locale: output_path(locale, page.path) for locale in LOCALES},
            "lifecycle": page.scenario.lifecycle,
            "readiness": d.readiness,
            "ready": d.ready,
            "health": d.health.status,
            "token_cache": d.token.state,
            "exchange_enabled": d.exchange_enabled,
            "last_sync": page.last_sync_status,
            "api_version_review": d.technical.api.review,
            "mapping_status": d.technical.mapping_status,
            "schema_change": d.technical.schema_change,
            "checklist": {item.code: item.ok for item in d.checklist},
            "source_health": [f.code for f in d.source_health],
            "data_quality": [{"code": f.code, "severity": f.severity} for f in d.data_quality],
            "actions": {a.code: a.allowed for a in d.actions},
            "credential_actions": {a.code: a.allowed for a in d.credential_actions},
            "external_accounts": [a.store for a in d.external_accounts],
            # Every shown value, section by section: what `diff` and compare read.
            "state": state_table(page),
        })
    return json.dumps({"scenarios": entries}, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def switcher_pages(pages: list[Page], index: int | None) -> list[Page]:
    """The scenarios the switcher links from page `index` (None: the overview)."""
    if len(pages) <= SWITCHER_ALL or index is None:
        return pages
    low = max(0, min(index - SWITCHER_WINDOW, len(pages) - 2 * SWITCHER_WINDOW - 1))
    return pages[low:low + 2 * SWITCHER_WINDOW + 1]


def render_page(env: Environment, template: str, path: str, locale: str,
                catalogues: dict[str, Catalogue], **context: Any) -> tuple[str, str]:
    """One page in one locale: where it lands and its HTML, with links relative to that place.

    `path` names the page inside a locale ("scenarios/x/index.html"); `root` leads to the
    locale's home, `assets` to the shared files (style.css, scenarios.json).
    """
    html = env.get_template(template).render(
        **context, **links(locale, path), t=catalogues[locale], locale=locale,
        lang=catalogues[locale]("language.tag"), alternates=alternates(locale, path, catalogues))
    return output_path(locale, path), html

