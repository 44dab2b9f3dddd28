"""The site as a plan: what is derived once, and a list of jobs that each render a few files.

Everything every page shares (derived states, compare sides, the matrix, the catalogues,
the compiled templates) is worked out once, before any page. Then each job renders the
files of one thing, in every locale: a scenario, a prepared pair, a scenario's compare
data, or one of the site-wide files. Jobs depend on nothing but the plan, so they can
run in any order, in other processes (parallel.py), or only for the scenarios a save
touched (`Job.needs`, for the dev server's rebuild).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator

from jinja2 import Environment

from ..site.about import BuildInfo, build_info
from ..site.compare import Side, compare, pair_path, pairs, side
from ..site.compare_pages import TableRows, comparison_links, index_data_js, render_comparison, state_js
from ..core.provenance import record
from ..site.languages import output_path
from ..site.matrix import state_matrix
from ..site.render import (SECTIONS, SWITCHER_ALL, TEMPLATES, Catalogue, Page, make_environment, manifest,
                     render_page, switcher_pages)
from ..model.scenario import LOCALES, Scenario

#: Every template a page may use, compiled before any job runs: a syntax error then stops the
#: build before the first page, and forked workers share the compiled code instead of compiling it again.
TEMPLATE_NAMES = ("scenario.html", "index.html", "compare.html", "404.html", "_compare_row.html",
                  "_compare_fact.html")
#: Copied as they are; CSP allows no inline script or style, so these are files.
STATIC = ("robots.txt", "style.css", "favicon.svg")


@dataclass(frozen=True)
class Job:
    """One unit of rendering: `kind` and its key (a scenario index, a pair index, an id or nothing)."""

    kind: str
    key: Any = None


@dataclass
class Plan:
    """Everything derived once for the whole site; `render(job)` makes that job's files."""

    env: Environment
    catalogues: dict[str, Catalogue]
    pages: list[Page]
    about: BuildInfo
    sides: dict[str, Side]
    prepared: list[tuple[str, str]]
    comparisons: dict[str, dict[str, str]]
    matrix: Any
    _rows: dict[str, TableRows] = field(default_factory=dict)

    @classmethod
    def make(cls, scenarios: list[Scenario], env: Environment | None = None,
             about: BuildInfo | None = None) -> Plan:
        if env is None:
            env = make_environment()
            env.auto_reload = False  # one build: no stat() of every template at every page
        for name in TEMPLATE_NAMES:
            env.get_template(name)
        recorded = [record(s) for s in scenarios]  # derived once, with what each row read
        pages = [Page(s, d) for s, (d, _) in zip(scenarios, recorded)]
        ids = [p.id for p in pages]
        return cls(env=env, catalogues={locale: Catalogue.load(locale) for locale in LOCALES}, pages=pages,
                   about=about or build_info(len(pages)),
                   # derived once, shared by the compare pages, their data files and both locales
                   sides={p.id: side(p.scenario, p.derived, prov) for p, (_, prov) in zip(pages, recorded)},
                   prepared=pairs(ids), comparisons=comparison_links(ids),
                   matrix=state_matrix([(p.scenario, p.derived) for p in pages]))

    # -- the jobs ---------------------------------------------------------------------------

    def jobs(self) -> list[Job]:
        """Every job of the site; the big, numerous kinds first so that workers share them out evenly."""
        n = len(self.pages)
        site_wide = [Job("overview"), Job("manifest"), Job("404"), Job("static")]
        if self.pages:
            site_wide += [Job("compare-index"), Job("data-index")]
        return ([Job("pair", j) for j in range(len(self.prepared))] + [Job("scenario", i) for i in range(n)]
                + [Job("data", p.id) for p in self.pages] + site_wide)

    def needs(self, job: Job) -> set[str] | None:
        """The scenario ids whose content the job's files show (None: every scenario).

        Links alone do not count: a page links by id, and ids do not change when a file is saved.
        """
        method = KINDS[job.kind].needs
        return None if method is None else getattr(self, method)(job.key)

    def label(self, job: Job) -> str:
        """The job's first file, to name it in an error."""
        return KINDS[job.kind].label(self, job.key)

    def render(self, job: Job) -> Iterator[tuple[str, str]]:
        """(site path, text) of each file the job makes."""
        if job.kind not in KINDS:
            raise ValueError(f"unknown job {job}")
        return getattr(self, KINDS[job.kind].render)(job.key)

    # -- each kind's files ------------------------------------------------------------------

    def _scenario_needs(self, index: int) -> set[str] | None:
        near = {p.id for p in self._switcher(self.pages[index].id)} if len(self.pages) > SWITCHER_ALL else None
        if near is None:
            return None
        return near | {p.id for p in self.pages[max(0, index - 1):index + 2]}

    def _pair_needs(self, index: int) -> set[str] | None:
        a, b = self.prepared[index]
        near = {p.id for p in self._switcher(a)} if len(self.pages) > SWITCHER_ALL else None
        return None if near is None else near | {a, b}

    def _data_needs(self, sid: str) -> set[str]:
        return {sid}

    def _static_needs(self, _: None) -> set[str]:
        return set()

    def _static(self, _: None) -> Iterator[tuple[str, str]]:
        return _static()

    def _pair(self, index: int) -> Iterator[tuple[str, str]]:
        a, b = self.prepared[index]
        yield from self._compare(pair_path(a, b), a, b, index=False)

    def _compare_index(self, _: None) -> Iterator[tuple[str, str]]:
        # Without JavaScript the picker page shows the first prepared pair (or a scenario with itself).
        a, b = self.prepared[0] if self.prepared else (self.pages[0].id, self.pages[0].id)
        yield from self._compare("compare/index.html", a, b, index=True)

    def _data(self, sid: str) -> Iterator[tuple[str, str]]:
        text = state_js(sid, self.sides[sid])
        for locale in LOCALES:
            yield output_path(locale, f"compare/data/{sid}.js"), text

    def _data_index(self, _: None) -> Iterator[tuple[str, str]]:
        for locale in LOCALES:
            yield output_path(locale, "compare/data/index.js"), index_data_js(
                self.catalogues[locale], self.pages, self.sides, self.prepared, locale)

    def _overview(self, _: None) -> Iterator[tuple[str, str]]:
        for locale in LOCALES:
            yield self._page(locale, "index.html", "index.html", page=None, switcher=self.pages, matrix=self.matrix)

    def _manifest(self, _: None) -> Iterator[tuple[str, str]]:
        yield "scenarios.json", manifest(self.pages)

    def _not_found(self, _: None) -> Iterator[tuple[str, str]]:
        # Served for any missing address at any depth, so it links nowhere (see the template).
        # English only, with no alternates: there is no address a French 404 could be served at.
        en = self.catalogues["en"]
        yield "404.html", self.env.get_template("404.html").render(
            **self._common(), t=en, locale="en", lang=en("language.tag"), alternates=(),
            root="", assets="", page=None)

    # -- the pages --------------------------------------------------------------------------

    def _common(self) -> dict[str, Any]:
        return {"pages": self.pages, "sections": SECTIONS, "about": self.about}

    def _page(self, locale: str, template: str, path: str, **context: Any) -> tuple[str, str]:
        return render_page(self.env, template, path, locale, self.catalogues, **self._common(), **context)

    def _switcher(self, sid: str | None) -> list[Page]:
        return self.pages if sid is None else switcher_pages(self.pages, self._position[sid])

    @cached_property
    def _position(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.pages)}

    def _scenario(self, index: int) -> Iterator[tuple[str, str]]:
        pages, page = self.pages, self.pages[index]
        for locale in LOCALES:
            yield self._page(locale, "scenario.html", page.path, page=page, s=page.scenario, d=page.derived,
                             switcher=switcher_pages(pages, index), comparisons=self.comparisons[page.id],
                             previous=pages[index - 1] if index > 0 else None,
                             next=pages[index + 1] if index + 1 < len(pages) else None)

    def _compare(self, path: str, a: str, b: str, *, index: bool) -> Iterator[tuple[str, str]]:
        c = compare(self.sides[a], self.sides[b])  # once for both locales
        by_id = {a: self.pages[self._position[a]], b: self.pages[self._position[b]]}
        for locale in LOCALES:
            t = self.catalogues[locale]
            if locale not in self._rows:
                self._rows[locale] = TableRows(self.env, t)
            found: list[tuple[str, str]] = []
            render: Callable[..., None] = (
                lambda template, where, **context: found.append(self._page(locale, template, where, **context)))
            render_comparison(render, t, path, by_id, c, index=index, prepared=self.prepared,
                              switcher=self._switcher, rows=self._rows[locale])
            yield from found


@dataclass(frozen=True)
class Kind:
    """One kind of job: the Plan method making its files, its first file (to name it in an error),
    and the Plan method telling the scenarios those files show (none: every one; dev/rebuild.py
    re-renders by it). Methods are named, looked up at each call: a patched Plan method takes effect."""

    render: str
    label: Callable[[Plan, Any], str]
    needs: str | None = None


#: Every job kind, in one table: Plan.jobs() makes them, Plan.render(), label() and needs() follow it.
KINDS: dict[str, Kind] = {
    "pair": Kind("_pair", lambda plan, key: pair_path(*plan.prepared[key]), "_pair_needs"),
    "scenario": Kind("_scenario", lambda plan, key: plan.pages[key].path, "_scenario_needs"),
    "data": Kind("_data", lambda plan, key: f"compare/data/{key}.js", "_data_needs"),
    "overview": Kind("_overview", lambda plan, key: "index.html"),
    "manifest": Kind("_manifest", lambda plan, key: "scenarios.json"),
    "404": Kind("_not_found", lambda plan, key: "404.html"),
    "static": Kind("_static", lambda plan, key: "static", "_static_needs"),
    "compare-index": Kind("_compare_index", lambda plan, key: "compare/index.html"),
    "data-index": Kind("_data_index", lambda plan, key: "compare/data/index.js"),
}


def _static() -> Iterator[tuple[str, str]]:
    for name in STATIC:
        yield name, (TEMPLATES / name).read_text(encoding="utf-8")
    for script in sorted((TEMPLATES / "static").glob("*.js")):
        yield script.name, script.read_text(encoding="utf-8")


def render_all(plan: Plan) -> dict[str, str]:
    """Every file of the site in memory, rendered here, in order."""
    return {path: text for job in plan.jobs() for path, text in plan.render(job)}


def render_site(scenarios: list[Scenario], env: Environment | None = None,
                about: BuildInfo | None = None) -> dict[str, str]:
    """Every output file of the site, in every locale, as {relative path: text}; nothing is written here.

    Here, not in site/render.py: the plan uses render's page functions, so render must not use the plan."""
    return render_all(Plan.make(scenarios, env, about))
