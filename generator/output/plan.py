"""The site as a plan: what is derived once, and a list of jobs that each render a few files.

Everything every page shares (derived states, compare sides, the matrix, the catalogues,
the compiled templates) is worked out once, before any page. Then each job renders the
files of one thing, in every locale: a scenario, a prepared pair, a scenario's compare
data, or one of the site-wide files. Jobs depend on nothing but the plan, so they can
run in any order, in other processes (workers.py), or only for the scenarios a save
touched (`Job.needs`, for the dev server's rebuild).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Callable, Iterator, NamedTuple

from jinja2 import Environment

from ..site.about import BuildInfo, build_info
from ..site.compare import Side, compare, pair_path, pairs, side
from ..site.compare_pages import (INDEX_DATA, SCENARIO_LIST, TableRows, comparison_links, driver_paths,
                                  index_data_js, render_comparison, scenario_list_js, state_js)
from ..site.gallery import Placed, SectionStore, gallery_path, groups, tiles
from ..core.provenance import record
from ..site.why import Why, changes, explain
from ..core.transitions import StepMemo, Walk, walk
from ..site.languages import output_path
from ..site.matrix import state_matrix
from ..site.render import (SECTIONS, TEMPLATES, Catalogue, KeptTransitions, Page, Switcher, make_environment,
                           manifest, render_page, stage_counts, stages, switcher)
from ..site.journey_map import journey_map
from ..site.journey_pages import JOURNEY_DATA, journey_data_js
from ..site.outcomes import (KeptOutcomes, Lead, OutcomePage, action_name, leads, outcome_pages,
                             transitions_json)
from ..model.journeys import Journey
from ..model.scenario import LOCALES, Scenario


def _templates(env: Environment) -> list[str]:
    """Every template of the folder: the pages' own, what they extend, include or import, and the
    review report's. All are compiled before any job runs: a syntax error then stops the build
    before the first page, and forked workers share the compiled code instead of compiling it again."""
    return env.list_templates(filter_func=lambda name: name.endswith(".html") and "/" not in name)


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
    #: Keep each scenario's parts of the listing files on its Page (render.page_fragment): only
    #: worth their memory (~10 KB a scenario) where Pages outlive a build, in the dev server's rebuilds.
    keep_parts: bool = False
    #: Where every allowed action leads (core.transitions), the generated outcome pages and each page's links.
    walk: Walk | None = None
    outcomes: list[OutcomePage] = field(default_factory=list)
    leads: dict[str, dict[str, list[Lead]]] = field(default_factory=dict)
    journeys: list[Journey] = field(default_factory=list)
    _rows: dict[str, TableRows] = field(default_factory=dict)
    #: Shared with the plans the dev server derives from this one (dataclasses.replace keeps it).
    _sections: SectionStore = field(default_factory=SectionStore)
    #: Where each page's actions lead, kept with its Derived object (dev server only); shared like `_sections`.
    _steps: StepMemo = field(default_factory=dict)
    _outcomes_kept: KeptOutcomes = field(default_factory=dict)
    #: Each gallery's tiles as last placed, per (locale, section) (dev server only).
    _tiles: dict[tuple[str, str], Placed] = field(default_factory=dict)
    #: scenarios.json's transitions as last encoded (dev server only).
    _transitions: KeptTransitions = field(default_factory=dict)

    @classmethod
    def make(cls, scenarios: list[Scenario], env: Environment | None = None,
             about: BuildInfo | None = None, keep_parts: bool = False, journeys: list[Journey] = ()) -> Plan:
        if env is None:
            env = make_environment()
            env.auto_reload = False  # one build: no stat() of every template at every page
        for name in _templates(env):
            env.get_template(name)
        recorded = [record(s) for s in scenarios]  # derived once, with what each row read
        pages = [Page(s, d) for s, (d, _) in zip(scenarios, recorded)]
        ids = [p.id for p in pages]
        catalogues = {locale: Catalogue.load(locale) for locale in LOCALES}
        return cls(env=env, catalogues=catalogues, pages=pages,
                   about=about or build_info(len(pages)),
                   # derived once, shared by the compare pages, their data files and both locales
                   sides={p.id: side(p.scenario, p.derived, prov) for p, (_, prov) in zip(pages, recorded)},
                   prepared=pairs(ids), comparisons=comparison_links(ids),
                   matrix=state_matrix([(p.scenario, p.derived) for p in pages]), keep_parts=keep_parts,
                   journeys=list(journeys)).walked()

    def walked(self) -> Plan:
        """The plan with where every action leads worked out again from its pages (core.transitions)."""
        # the dev server keeps every state's steps for the next save; a build lets them go (memory)
        steps = walk([(p.scenario, p.derived) for p in self.pages], self._steps if self.keep_parts else None)
        by_id = {p.id: p for p in self.pages}
        # the dev server: an outcome page as before keeps what it holds encoded
        generated = outcome_pages(steps, by_id, self.catalogues, self._outcomes_kept if self.keep_parts else None)
        by_id.update((p.id, p) for p in generated)
        return replace(self, walk=steps, outcomes=generated, leads=leads(steps, by_id))

    # -- the jobs ---------------------------------------------------------------------------

    def jobs(self) -> list[Job]:
        """Every job of the site; the big, numerous kinds first so that workers share them out evenly."""
        n = len(self.pages)
        site_wide = [Job("overview"), Job("manifest"), Job("404"), Job("static")]
        if self.pages:
            site_wide += [Job("compare-index"), Job("data-index"), Job("scenario-list")]
            # one job per section: a save that changes one section of a page makes that gallery alone again
            site_wide += [Job("gallery", section) for section in SECTIONS]
        site_wide += [Job("journey", i) for i in range(len(self.journeys))]
        if self.journeys:
            site_wide.append(Job("journey-data"))
        now, after_pages = in_two_rounds([Job("pair", j) for j in range(len(self.prepared))]
                                         + [Job("scenario", i) for i in range(n)]
                                         + [Job("outcome", i) for i in range(len(self.outcomes))]
                                         + [Job("data", p.id) for p in self.pages] + site_wide)
        return now + after_pages

    def needs(self, job: Job) -> Needs | None:
        """The scenarios the job's files show (None: every scenario, whole).

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

    # -- what each kind's files show (needs) ---------------------------------------------------

    def _scenario_needs(self, index: int) -> Needs:
        # itself; the titles of its switcher's share of its stage, previous/next, where its actions lead
        neighbours = {p.id for p in self.pages[max(0, index - 1):index + 2]}
        return Needs({self.pages[index].id}, {p.id for p in self._switcher_of(index).shown}
                     | neighbours | self._shown(self.pages[index].id))

    def _outcome_needs(self, index: int) -> Needs:
        # the facts of the scenario it is reached from (its facts and its title start from them, its
        # description is its own); its switcher shows the stages only (a generated state is in none)
        return Needs(set(), self._shown(self.outcomes[index].id), facts={self.outcomes[index].reached.source})

    def _every_state_needs(self, _: Any) -> Needs:
        # every scenario by its state and title, never its description: the overview, scenarios.json,
        # the compare picker page and the journeys (an added, removed or moved scenario, or a change
        # of where an action leads, is a full build)
        return Needs(set(), set(), facts={p.id for p in self.pages})

    def _pair_needs(self, index: int) -> Needs:
        # the pair's compare sides and titles; its switcher shows the stages only
        pair = set(self.prepared[index])
        return Needs(set(), pair, compared=pair)

    def _data_needs(self, sid: str) -> Needs:
        # its title, page and compare side (digested by self.drivers: a change there is a full build)
        return Needs(set(), {sid}, compared={sid})

    def _data_index_needs(self, _: None) -> Needs:
        # labels and the values, fields and fact paths of every compare side: not a description
        return Needs(set(), set(), compared={p.id for p in self.pages})

    def _scenario_list_needs(self, _: None) -> Needs:
        # every scenario by its title only (a scenario added, removed or moved is a full build)
        return Needs(set(), {p.id for p in self.pages})

    def _static_needs(self, _: None) -> Needs:
        return Needs(set(), set())

    # -- each kind's files -----------------------------------------------------------------------

    def _pair(self, index: int) -> Iterator[tuple[str, str]]:
        a, b = self.prepared[index]
        yield from self._compare(pair_path(a, b), a, b, index=False)

    def _compare_index(self, _: None) -> Iterator[tuple[str, str]]:
        # Without JavaScript the picker page shows the first prepared pair (or a scenario with itself).
        a, b = self.prepared[0] if self.prepared else (self.pages[0].id, self.pages[0].id)
        yield from self._compare("compare/index.html", a, b, index=True)

    def _data(self, sid: str) -> Iterator[tuple[str, str]]:
        # The same in every language: one file, beside the shared assets (compare.js finds it there).
        yield f"compare/data/{sid}.js", state_js(self.pages[self._position[sid]], self.sides[sid], self.drivers)

    def _data_index(self, _: None) -> Iterator[tuple[str, str]]:
        for locale in LOCALES:
            yield output_path(locale, INDEX_DATA), index_data_js(self.catalogues[locale], self.sides, self.drivers,
                                                                 locale)

    def _scenario_list(self, _: None) -> Iterator[tuple[str, str]]:
        for locale in LOCALES:
            yield output_path(locale, SCENARIO_LIST), scenario_list_js(self.pages, locale)

    def _journey(self, index: int) -> Iterator[tuple[str, str]]:
        journey = self.journeys[index]
        steps = [self.pages[self._position[step.scenario]] for step in journey.steps]
        for locale in LOCALES:
            yield self._page(locale, "journey.html", journey.path, page=None, switcher=self._switcher_of(None),
                             journey=journey, steps=list(zip(journey.steps, steps)))

    def _journey_data(self, _: None) -> Iterator[tuple[str, str]]:
        for locale in LOCALES:
            yield output_path(locale, JOURNEY_DATA), journey_data_js(
                self.journeys, self.pages, self._position, self.catalogues[locale], locale)

    def _overview(self, _: None) -> Iterator[tuple[str, str]]:
        for locale in LOCALES:
            yield self._page(locale, "index.html", "index.html", page=None, switcher=self._switcher_of(None),
                             matrix=self.matrix, stages=stages(self.pages), outcomes=self.outcomes,
                             journey_map=journey_map(self.pages, self.walk.transitions if self.walk else ()))

    def _manifest(self, _: None) -> Iterator[tuple[str, str]]:
        yield "scenarios.json", manifest(self.pages, self.keep_parts, transitions=transitions_json(
            self.walk, {p.id: p for p in (*self.pages, *self.outcomes)}) if self.walk else None,
            outcomes=self.outcomes, kept=self._transitions if self.keep_parts else None)

    def _not_found(self, _: None) -> Iterator[tuple[str, str]]:
        # Served for any missing address at any depth, so it links nowhere (see the template).
        # English only, with no alternates: there is no address a French 404 could be served at.
        en = self.catalogues["en"]
        yield "404.html", self.env.get_template("404.html").render(
            **self._common(), t=en, locale="en", lang=en("language.tag"), alternates=(),
            root="", assets="", page=None)

    def _static(self, _: None) -> Iterator[tuple[str, str]]:
        return _static()

    # -- the pages --------------------------------------------------------------------------

    def _common(self) -> dict[str, Any]:
        return {"pages": self.pages, "sections": SECTIONS, "about": self.about, "keep_parts": self.keep_parts,
                "journeys": self.journeys, "action_name": action_name}

    def _page(self, locale: str, template: str, path: str, **context: Any) -> tuple[str, str]:
        return render_page(self.env, template, path, locale, self.catalogues, **self._common(), **context)

    def _switcher_of(self, index: int | None) -> Switcher:
        return switcher(self.pages, self._stage_counts, index)

    @cached_property
    def _stage_counts(self) -> list[tuple[str, int]]:
        return stage_counts(self.pages)

    @cached_property
    def _position(self) -> dict[str, int]:
        return {p.id: i for i, p in enumerate(self.pages)}

    def _scenario(self, index: int) -> Iterator[tuple[str, str]]:
        reasons = explain(self.pages[index].scenario)  # once for both locales
        for locale in LOCALES:
            yield self._scenario_page(locale, index, reasons)

    def _scenario_page(self, locale: str, index: int, reasons: Why | None = None) -> tuple[str, str]:
        pages, page = self.pages, self.pages[index]
        return self._page(locale, "scenario.html", page.path, page=page, s=page.scenario, d=page.derived,
                          reasons=explain(page.scenario) if reasons is None else reasons,
                          switcher=self._switcher_of(index), comparisons=self.comparisons[page.id],
                          previous=pages[index - 1] if index > 0 else None,
                          next=pages[index + 1] if index + 1 < len(pages) else None,
                          leads=self.leads.get(page.id, {}), nearest=self._nearest(page.id))

    @cached_property
    def drivers(self) -> frozenset[str]:
        """The fact paths every data file digests: read for a row of some scenario."""
        return driver_paths(self.sides.values())

    def keep_pages(self, read: Callable[[str], str | None]) -> set[str]:
        """Keep the sections of every scenario page just rendered, read by output path (None: not
        rendered this time; the dev server keeps what it had), so that the galleries are made without
        rendering them again. Workers keep none: only the process making the galleries needs them.
        Returns the sections that some scenario now renders otherwise than kept before (in any language)."""
        changed: set[str] = set()
        for locale in LOCALES:
            for page in self.pages:
                html = read(output_path(locale, page.path))
                if html is not None:
                    changed |= self._sections.put(locale, page, html)
        return changed

    def _gallery(self, section: str) -> Iterator[tuple[str, str]]:
        """A section's gallery page, from the scenario pages as rendered (gallery/<section>/index.html
        is as deep as a scenario page, so a section's relative links work on both)."""
        by_id = {p.id: p for p in self.pages}
        for locale in LOCALES:
            found = groups(((page.id, self._sections.sections(locale, page, lambda: self._scenario_page(locale, i)[1]))
                            for i, page in enumerate(self.pages)), section)
            yield self._page(locale, "gallery.html", gallery_path(section), page=None,
                             switcher=self._switcher_of(None),
                             section=section, by_id=by_id,
                             tiles=tiles(found, section,
                                         self._tiles.setdefault((locale, section), {}) if self.keep_parts else None))

    def _shown(self, pid: str) -> set[str]:
        """The scenarios whose titles a page's action previews show (their outcomes, the nearest allowed);
        a generated outcome's title is that of the scenario it is reached from."""
        found = {(lead.page.reached.source if isinstance(lead.page, OutcomePage) else lead.page.id)
                 for found in self.leads.get(pid, {}).values() for lead in found if lead.page}
        return found | {p.id for p in self._nearest(pid).values()}

    def _nearest(self, sid: str) -> dict[str, Page]:
        """action code → the nearest scenario page where that action, not allowed on `sid`, is allowed."""
        if self.walk is None:
            return {}
        return {code: self.pages[self._position[target]] for code, target in self.walk.nearest.get(sid, {}).items()}

    def _outcome(self, index: int) -> Iterator[tuple[str, str]]:
        """A generated state: the scenario template and every section, marked as generated, no neighbours,
        and a switcher of the stages only: it belongs to none (so a stage-mate's new title leaves it be)."""
        page = self.outcomes[index]
        source = self.pages[self._position[page.reached.source]]
        changed = changes(source.scenario, page.scenario)  # its "Why?": the effect, not every rule again
        for locale in LOCALES:
            yield self._page(locale, "scenario.html", page.path, page=page, s=page.scenario, d=page.derived,
                             reasons=None, changes=changed, source=source,
                             switcher=self._switcher_of(None), comparisons={}, previous=None, next=None,
                             leads=self.leads.get(page.id, {}), nearest={})

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
                              switcher=self._switcher_of(None), rows=self._rows[locale])
            yield from found


class Needs(NamedTuple):
    """The scenarios a job's files show: whole (their facts, derived, description), by title only
    (switcher, previous/next, the titles in action previews), by their compare side (rows and
    facts, not the description), or by everything but the description (`facts`: the pages that
    list scenarios by their state, and the generated pages that start from one). A saved scenario
    whose titles did not change re-renders only the files that show it whole, by a side that
    changed, or by its facts when more than its description changed."""

    whole: set[str]
    titles: set[str]
    compared: frozenset[str] | set[str] = frozenset()
    facts: frozenset[str] | set[str] = frozenset()

    def stale(self, changed: set[str], retitled: set[str], resided: set[str], refacted: set[str]) -> bool:
        return bool(self.whole & changed or self.titles & retitled or self.compared & resided
                    or self.facts & refacted)


@dataclass(frozen=True)
class Kind:
    """One kind of job: the Plan method making its files, its first file (to name it in an error),
    and the Plan method telling the scenarios those files show (none: every one; dev/rebuild.py
    re-renders by it). Methods are named, looked up at each call: a patched Plan method takes effect."""

    render: str
    label: Callable[[Plan, Any], str]
    needs: str | None = None
    #: Made from the scenario pages as rendered: last, in the process that renders the others or
    #: their parent, from the pages just written (Plan.keep_pages), never rendered twice.
    from_pages: bool = False
    #: Its key is a section, and its files show that section of every scenario page and every title:
    #: a rebuild makes it again when keep_pages names its section, or a title changed.
    per_section: bool = False


#: Every job kind, in one table: Plan.jobs() makes them, Plan.render(), label() and needs() follow it.
KINDS: dict[str, Kind] = {
    "pair": Kind("_pair", lambda plan, key: pair_path(*plan.prepared[key]), "_pair_needs"),
    "scenario": Kind("_scenario", lambda plan, key: plan.pages[key].path, "_scenario_needs"),
    "outcome": Kind("_outcome", lambda plan, key: plan.outcomes[key].path, "_outcome_needs"),
    "data": Kind("_data", lambda plan, key: f"compare/data/{key}.js", "_data_needs"),
    "overview": Kind("_overview", lambda plan, key: "index.html", "_every_state_needs"),
    "manifest": Kind("_manifest", lambda plan, key: "scenarios.json", "_every_state_needs"),
    "404": Kind("_not_found", lambda plan, key: "404.html"),
    "static": Kind("_static", lambda plan, key: "static", "_static_needs"),
    "compare-index": Kind("_compare_index", lambda plan, key: "compare/index.html", "_every_state_needs"),
    "data-index": Kind("_data_index", lambda plan, key: INDEX_DATA, "_data_index_needs"),
    "scenario-list": Kind("_scenario_list", lambda plan, key: SCENARIO_LIST, "_scenario_list_needs"),
    "gallery": Kind("_gallery", lambda plan, key: gallery_path(key), from_pages=True, per_section=True),
    "journey": Kind("_journey", lambda plan, key: plan.journeys[key].path, "_every_state_needs"),
    "journey-data": Kind("_journey_data", lambda plan, key: JOURNEY_DATA, "_every_state_needs"),
}


def _static() -> Iterator[tuple[str, str]]:
    for name in STATIC:
        yield name, (TEMPLATES / name).read_text(encoding="utf-8")
    for script in sorted((TEMPLATES / "static").glob("*.js")):
        yield script.name, script.read_text(encoding="utf-8")


def in_two_rounds(jobs: list[Job]) -> tuple[list[Job], list[Job]]:
    """The jobs made from the scenario pages as rendered (Kind.from_pages) apart, in their order, to
    be rendered once the others are, after Plan.keep_pages has read the pages those rendered."""
    later = [KINDS[job.kind].from_pages for job in jobs]
    return [job for job, wait in zip(jobs, later) if not wait], [job for job, wait in zip(jobs, later) if wait]


def render_all(plan: Plan) -> dict[str, str]:
    """Every file of the site in memory, rendered here, in order (the gallery from the pages rendered)."""
    now, after_pages = in_two_rounds(plan.jobs())
    files = {path: text for job in now for path, text in plan.render(job)}
    plan.keep_pages(files.get)
    files.update((path, text) for job in after_pages for path, text in plan.render(job))
    return files


def render_site(scenarios: list[Scenario], env: Environment | None = None,
                about: BuildInfo | None = None, journeys: list[Journey] = ()) -> dict[str, str]:
    """Every output file of the site, in every locale, as {relative path: text}; nothing is written here.

    Here, not in site/render.py: the plan uses render's page functions, so render must not use the plan."""
    return render_all(Plan.make(scenarios, env, about, journeys=journeys))
