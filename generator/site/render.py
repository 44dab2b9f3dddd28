"""Render: derived scenarios → HTML and JSON text, in memory (nothing touches the disk here)."""
from __future__ import annotations

import json
import pickle
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import markdown
import nh3
import yaml
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from markupsafe import Markup

from ..core.derive import Derived
from ..errors import GeneratorError
from .fastcalls import memo
from .formats import FILTERS, locale_number
from .languages import alternates, links, output_path
from ..core.rows import rows
from ..core.stages import by_stage
from ..model.scenario import LOCALES, Scenario

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"

#: Markdown may produce only these; everything else is stripped (allow-list, not deny-list).
ALLOWED_TAGS = {"p", "em", "strong", "code", "a", "ul", "ol", "li", "br", "blockquote", "pre"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"https", "http", "mailto"}

#: A scenario page's switcher lists at most this many of its stage's scenarios (the ones around
#: it); every stage links to its part of the overview, which lists all. So a page's switcher is
#: bounded whatever N, and a title shows on few pages (issue 18: a rebuild renders those only).
SWITCHER_GROUP = 12

SECTIONS = (
    "banner", "credentials", "readiness", "checklist", "source-health", "data-quality-preview",
    "health", "technical-status", "actions", "credential-actions", "data-quality",
    "sync-history", "external-accounts",
)


class MissingMessage(GeneratorError):
    """A template asked for a message key that the catalogue does not have."""


#: Each messages file's text as last read and its messages, parsed (pickled): every plan loads the
#: catalogues (a build, each full rebuild of the dev server), and parsing one took ~10 ms, reading
#: and unpickling it ~0.4 ms. By its text: a file saved since is parsed again.
_PARSED: dict[Path, tuple[str, bytes]] = {}


#: The forms of a counted message: "one" for the counts the locale writes in the singular (its
#: `format.singular`), "other" for every other count, and optionally "zero", a wording of its own
#: for none ("No difference"). A section of a catalogue may not hold these keys alone.
FORM_NAMES = frozenset({"zero", "one", "other"})


def is_counted(node: Any) -> bool:
    """Whether a catalogue entry is a counted message: its forms and nothing else, "other" among them."""
    return isinstance(node, dict) and "other" in node and node.keys() <= FORM_NAMES


class Catalogue:
    """One locale's messages, looked up by dotted key; a missing key is an error, never blank.

    A message given as forms (FORM_NAMES) is counted: t(key, count=n) picks the form for the
    whole number n and writes n as the locale writes numbers."""

    def __init__(self, locale: str, messages: dict[str, Any]):
        self.locale = locale
        self.messages = messages
        self._found: dict[str, Any] = {}  # key → message: a page asks for the same keys again and again

    @classmethod
    def load(cls, locale: str, folder: Path = TEMPLATES / "messages") -> Catalogue:
        path = folder / f"{locale}.yml"
        text = path.read_text(encoding="utf-8")
        parsed = _PARSED.get(path)
        if parsed is None or parsed[0] != text:
            # libyaml when present, as in load.py: the pure-Python parser was half of a dev-server rebuild.
            parsed = _PARSED[path] = text, pickle.dumps(
                yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
        return cls(locale, pickle.loads(parsed[1]))  # a copy of its own: a caller may change its messages

    @cached_property
    def singular(self) -> frozenset[int]:
        """The counts this locale writes in the singular: 1 in English, 0 and 1 in French."""
        return frozenset(int(n) for n in self("format.singular").split())

    def forms(self, key: str) -> dict[str, str]:
        """A counted message's forms by the count that picks each, "other" for any other count:
        what a script needs to make the same choice (compare.js)."""
        forms = self._counted(key)
        return {**{str(n): self._form(forms, n) for n in sorted({0} | self.singular)}, "other": forms["other"]}

    def __call__(self, key: str, **values: Any) -> Any:
        if not values and key in self._found:
            return self._found[key]
        node = self._lookup(key)
        if is_counted(node):
            count = values.get("count")
            if type(count) is not int or count < 0:  # a bool is an int, but no count
                raise MissingMessage(f"message '{key}' counts: it needs count= a whole number, "
                                     f"not {type(count).__name__}")
            node = self._form(node, count)
            values = {**values, "count": locale_number(self, count)}
        if values and isinstance(node, str):
            return node.format(**values)
        self._found[key] = node
        return node

    def _lookup(self, key: str) -> Any:
        node: Any = self.messages
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                raise MissingMessage(f"message '{key}' is missing from templates/messages/{self.locale}.yml")
            node = node[part]
        return node

    def _counted(self, key: str) -> dict[str, str]:
        node = self._lookup(key)
        if not is_counted(node):
            raise MissingMessage(f"message '{key}' of templates/messages/{self.locale}.yml has no forms to count with")
        return node

    def _form(self, forms: dict[str, str], count: int) -> str:
        if count == 0 and "zero" in forms:
            return forms["zero"]
        return forms.get("one", forms["other"]) if count in self.singular else forms["other"]


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
    def fragments(self) -> dict[tuple[Any, ...], Markup]:
        """Rendered parts of the pages that list every scenario (page_fragment), by template, locale and root."""
        return {}

    @cached_property
    def manifest_entry(self) -> str:
        """This page's entry of scenarios.json, encoded once: a rebuild re-joins those of unchanged pages."""
        return manifest_entry(self)

    @cached_property
    def last_sync_status(self) -> str:
        run = self.derived.last_finished_sync
        return run.status if run else "none"


@pass_context
def page_fragment(ctx: Context, page: Page, template: str, **values: Any) -> Markup:
    """`{{ p | fragment('_overview_row.html') }}`: one scenario's part of a page that lists them all.

    It sees only `p`, `t`, `locale`, `root` and the (hashable) `values` given, so it is rendered
    once per locale, place and values and, where the plan says so (Plan.keep_parts), kept on the
    Page: a one-scenario rebuild renders the changed scenario's part alone and re-joins the others.
    (A template change makes new Pages: the full rebuild.)
    """
    key = (template, ctx["locale"], ctx["root"], *sorted(values.items()))
    keep = ctx["keep_parts"]  # Plan.keep_parts: the dev server's Pages outlive a build
    found = page.fragments.get(key) if keep else None
    if found is None:
        found = Markup(ctx.environment.get_template(template).render(
            p=page, t=ctx["t"], locale=ctx["locale"], root=ctx["root"], **values))
        if keep:
            page.fragments[key] = found
    return found


class CompiledTemplates(BytecodeCache):
    """Templates as compiled, kept for the life of the process by file and source (jinja2 compares
    the source's checksum: an edited template is compiled again). Every environment of
    make_environment compiles alike, so a new one (each build or check in a process that made one
    before, such as a test run) skips parsing and compiling: about 0.2 CPU-s each."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = CompiledTemplates()


def make_environment(templates: Path = TEMPLATES) -> Environment:
    """One environment for the whole build: templates compile once and are reused."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=select_autoescape(["html", "xml"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,  # only environments made here: others compile with other settings
    )
    env.filters["memo"] = memo
    env.filters["markdown"] = markdown_to_html
    env.filters["timestamp"] = format_timestamp
    env.filters["fragment"] = page_fragment
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


def manifest(pages: list[Page], keep: bool = False, transitions: list[dict[str, Any]] | None = None,
             outcomes: list[Page] = (), kept: KeptTransitions | None = None) -> str:
    """scenarios.json: ids, titles, paths and key derived states, for tools and tests.

    The same text as json.dumps(document, indent=2), joined from each page's entry as it sits
    there; with `keep`, each entry is kept on its Page (Page.manifest_entry), so that a
    one-scenario rebuild encodes one entry. `transitions`: where each allowed action leads
    (site.outcomes.transitions_json), when known; `outcomes`: the generated outcome pages,
    described like the scenarios; `kept`: the transitions as the last manifest encoded them
    (the dev server's), read, then left holding this one's.
    """
    pieces = ["{\n"]
    _entries(pieces, "scenarios", (page.manifest_entry if keep else manifest_entry(page) for page in pages), first=True)
    if transitions is not None:
        _entries(pieces, "transitions", _transitions(transitions, kept))
        _entries(pieces, "outcomes", (page.manifest_entry if keep else manifest_entry(page) for page in outcomes))
    pieces.append("\n}\n")
    # Joined once: each entry encoded on its own, never the whole document as json.dumps' small chunks,
    # and no copy per member (the file is 25 MB at N = 1,000).
    return "".join(pieces)


def _entries(pieces: list[str], key: str, entries: Iterable[str], first: bool = False) -> None:
    """A list member of scenarios.json, from entries already encoded (see manifest_entry), onto `pieces`."""
    pieces.append(f'  "{key}": ' if first else f',\n  "{key}": ')
    start = len(pieces)
    for entry in entries:
        pieces += ["[\n" if len(pieces) == start else ",\n", entry]
    pieces.append("[]" if len(pieces) == start else "\n  ]")


def manifest_entry(page: Page) -> str:
    """One scenario's entry of scenarios.json, indented as it sits in the list (two levels deep)."""
    d = page.derived
    entry = {
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
    }
    return _indented(entry)


#: Transitions as a manifest last encoded them: every save in the dev server re-joins scenarios.json,
#: whose transitions (about 25 per scenario) are those of the last save unless where an action
#: leads changed. Holds the last manifest's only, so it never grows nor evicts what the next needs.
KeptTransitions = dict[tuple[tuple[str, Any], ...], str]


def _transitions(transitions: list[dict[str, Any]], kept: KeptTransitions | None) -> list[str]:
    """Each transition's entry of scenarios.json; with `kept`, encoded once while it stays."""
    if kept is None:
        return [_indented(t) for t in transitions]
    keys = [tuple(t.items()) for t in transitions]
    now = {key: kept.get(key) or _indented(t) for key, t in zip(keys, transitions)}
    kept.clear()
    kept.update(now)
    return [now[key] for key in keys]


def _indented(entry: dict[str, Any]) -> str:
    """One entry of a scenarios.json list, indented as it sits there (two levels deep)."""
    return "    " + json.dumps(entry, indent=2, ensure_ascii=False).replace("\n", "\n    ")


@dataclass(frozen=True)
class Switcher:
    """What a page's switcher shows: every stage with its count, and the page's own stage open."""

    stages: list[tuple[str, int]]  # (stage key, scenarios in it), in lifecycle order
    current: str | None = None  # the page's stage; None on pages about no one scenario
    shown: list[Page] = field(default_factory=list)  # scenarios of that stage listed on the page
    total: int = 0  # scenarios in that stage


def stages(pages: list[Page]) -> list[tuple[str, list[Page]]]:
    """The pages stage by stage, in lifecycle order (the overview's groups)."""
    return by_stage(pages, lambda p: p.scenario.lifecycle)


def stage_counts(pages: list[Page]) -> list[tuple[str, int]]:
    return [(key, len(group)) for key, group in stages(pages)]


def switcher(pages: list[Page], stages: list[tuple[str, int]], index: int | None) -> Switcher:
    """The switcher of page `index` (None: a page about no one scenario): its stage's scenarios, at
    most SWITCHER_GROUP of them around it. Pages are in lifecycle order, so a stage is a run of them."""
    if index is None:
        return Switcher(stages)
    first = 0
    for key, total in stages:
        if index < first + total:
            break
        first += total
    low = max(first, min(index - SWITCHER_GROUP // 2, first + total - SWITCHER_GROUP))
    return Switcher(stages, key, pages[low:min(low + SWITCHER_GROUP, first + total)], total)


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

