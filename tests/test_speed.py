"""What the speed-ups must not change: the bytes of the site, the errors, and the rebuild's result.

(How fast is measured by bench/bench.py, not here.)
"""
from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest

from generator.build import PHASES, build
from generator.errors import GeneratorError, ScenarioErrors
from generator.output.workers import render_jobs
from generator.output.plan import Plan
from generator.dev.rebuild import Rebuilder
from generator.core.derive import derive
from generator.core.stages import stage_of
from generator.core.transitions import walk
from generator.model.journeys import load_journeys
from generator.output.plan import render_site
from generator.site.gallery import gallery_path
from generator.site.render import SECTIONS, MissingMessage, Page, manifest
from generator.model.load import load_scenarios
from synthetic import many
from bundled import copy_with_journeys, neighbourhood, with_bases

ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


class Forks:
    """Runs functions in processes forked from one interpreter started for this module (spawn).

    That interpreter runs no thread: this test process may (Playwright, the servers of earlier tests),
    and a process running threads never forks (workers.py), so a test of the workers run here would
    pass on the serial path without testing them. Each call runs in a process of its own (what it
    patches ends with it), forked from that interpreter: started once for the module, not once a
    test (~0.8 CPU-s each), and holding what `keep` made there for the calls after it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self._server = context.Process(target=_serve, args=(theirs,))  # not a daemon: it forks
        self._server.start()
        theirs.close()

    def call(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in a process forked from the server: its value, or fail with its traceback."""
        return self._ask("call", fn, args)

    def forking(self, fn: Callable[..., Any], *args: Any) -> Any:
        """As call(); fn must fork workers."""
        return self._ask("call", _forking, (fn, *args))

    def keep(self, fn: Callable[..., Any], *args: Any) -> Any:
        """fn(*args) in the server itself: what it puts in _HELD is there for every call after it."""
        return self._ask("keep", fn, args)

    def _ask(self, how: str, fn: Callable[..., Any], args: tuple) -> Any:
        try:
            self._conn.send((how, fn, args))
            # a limit of its own: pytest-timeout's signal would leave this test waiting for a hung process
            if not self._conn.poll(110):
                pytest.fail("the server of forked processes did not answer in 110 s")
            ok, value = self._conn.recv()
        except BaseException:  # interrupted (a time limit, Ctrl-C): its late answer must not be the next call's
            self.close()
            raise
        assert ok, value
        return value

    def close(self) -> None:
        try:
            self._conn.send(None)
        except OSError:
            pass
        self._server.join(5)
        if self._server.is_alive():
            self._server.kill()
            self._server.join()


#: In the server (Forks): what `keep` made, and what puts its files back as they were after each call.
_HELD: dict[str, Any] = {}
_PUT_BACK: list[Callable[[], None]] = []


def _serve(conn: Any) -> None:
    from generator.output import workers
    fork = multiprocessing.get_context("fork")
    while (request := conn.recv()) is not None:
        how, fn, args = request
        if how == "keep":
            conn.send(_outcome(fn, args))
            continue
        if not workers.single_threaded():  # its forked workers would run serially, untested
            conn.send((False, "the server of forked processes runs a thread: it would fork no worker"))
            continue
        ours, theirs = fork.Pipe(duplex=False)
        child = fork.Process(target=_answer, args=(theirs, fn, *args))  # not a daemon: it may fork
        child.start()
        theirs.close()
        try:
            reply = ours.recv() if ours.poll(100) else (False, "the forked process hung for 100 s")
        except EOFError:
            reply = (False, f"the forked process ended without a word (exit code {child.join() or child.exitcode})")
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
        ours.close()
        for put_back in _PUT_BACK:
            put_back()
        conn.send(reply)


def _outcome(fn: Callable[..., Any], args: tuple) -> tuple[bool, Any]:
    """(True, fn(*args)), or (False, its traceback)."""
    import traceback
    try:
        return True, fn(*args)
    except BaseException:
        return False, traceback.format_exc()


def _answer(conn: Any, fn: Callable[..., Any], *args: Any) -> None:
    conn.send(_outcome(fn, args))


def _forking(fn: Callable[..., Any], *args: Any) -> Any:
    from generator.output import workers
    forked, parallel = [], workers._parallel
    workers._parallel = lambda *a, **k: forked.append(1) or parallel(*a, **k)
    result = fn(*args)
    assert forked, "no worker was forked"
    return result


@pytest.fixture(scope="module")
def forks() -> Any:
    server = Forks()
    yield server
    server.close()


@pytest.fixture(scope="module")
def twelve(forks) -> Forks:
    """The server of `forks`, holding the plan of 12 synthetic scenarios (_HELD["twelve"]), made once
    for the tests of the workers, which render it in processes forked from the server (Forks.forking):
    its jobs before the galleries go out in ranges to two workers. What a test patches in Plan
    takes effect in its own process only (Kind: methods are looked up at each call)."""
    forks.keep(_keep_twelve)
    return forks


def _keep_twelve() -> None:
    _HELD["twelve"] = Plan.make(many(12))


def _serial_then_parallel(scenarios: str, out: str) -> tuple:
    return build(Path(scenarios), Path(out) / "serial", processes=1), build(Path(scenarios), Path(out) / "parallel", processes=2)


@pytest.fixture(scope="module")
def serial_and_parallel(forks, tmp_path_factory) -> tuple[Path, Path, tuple]:
    """One scenarios folder built serially, then by forked workers (in a process forked from Forks'): the
    failed-sync neighbourhood (SAVED) and its journeys, where every kind of page exists in both
    languages (scenario, outcome, pair, data, gallery, journey), a few hundred jobs for two workers
    to share. Workers split jobs by kind and count, not by which scenarios: the other 27 bundled
    scenarios would add jobs of the same kinds. Both tests below read these two builds."""
    root = tmp_path_factory.mktemp("parallel")
    folder = copy_with_journeys(root / "scenarios", SAVED)
    reports = forks.forking(_serial_then_parallel, str(folder), str(root))
    return folder, root, reports


def test_a_parallel_build_is_byte_identical_to_a_serial_one(serial_and_parallel):
    _, out, (serial, parallel) = serial_and_parallel
    assert tree(out / "serial") == tree(out / "parallel")
    assert (serial.files, serial.bytes) == (parallel.files, parallel.bytes)
    assert serial.files == len(tree(out / "serial")) - 1  # all but the marker
    assert list(parallel.seconds) == list(PHASES)


def _gallery_without_rendering_pages_again(out: str | None) -> tuple[list[str], str]:
    parent, original = os.getpid(), Plan._scenario_page

    def scenario_page(self, *args, **kwargs):
        assert os.getpid() != parent, "the parent rendered a scenario page again"
        return original(self, *args, **kwargs)
    Plan._scenario_page = scenario_page  # a process of its own: nothing to restore
    plan = _HELD["twelve"]
    files = render_jobs(plan, plan.jobs(), Path(out) if out else None, processes=2)
    gallery = (Path(out) / "gallery/readiness/index.html").read_text(encoding="utf-8") if out \
        else files.files["gallery/readiness/index.html"]
    return [p.path for p in plan.pages], gallery


@pytest.mark.parametrize("into_folder", [True, False], ids=["written", "in memory"])
def test_a_parallel_build_makes_the_gallery_from_the_pages_its_workers_rendered(twelve, tmp_path, into_folder):
    """Each scenario page is rendered once: the parent makes the gallery from what the workers wrote
    (or sent back), and renders none of them again. Workers are forked, so only the parent is refused."""
    paths, gallery = twelve.forking(_gallery_without_rendering_pages_again, str(tmp_path) if into_folder else None)
    assert len(paths) == 12 and all(f'href="../../{path}#readiness"' in gallery for path in paths)


def test_the_streamed_build_writes_what_render_site_renders(serial_and_parallel):
    folder, out, _ = serial_and_parallel
    rendered = render_site(found := load_scenarios(folder), journeys=load_journeys(folder, found))
    assert any(path.startswith("journeys/") for path in rendered)  # every kind of file is compared
    assert {path: text.encode() for path, text in rendered.items()} == {
        path: data for path, data in tree(out / "parallel").items() if path != ".generator-site"}


def _a_page_failing_in_a_worker() -> None:
    plan = _HELD["twelve"]
    broken = plan.pages[len(plan.pages) * 3 // 4].path  # late: after each worker has sent ranges back
    original = Plan._scenario

    def scenario(self, index):
        if self.pages[index].path == broken:
            raise MissingMessage("message 'x.y' is missing from templates/messages/en.yml")
        return original(self, index)
    Plan._scenario = scenario  # before the fork: workers inherit it
    with pytest.raises(MissingMessage, match="x.y") as raised:
        render_jobs(plan, plan.jobs(), processes=2)
    assert any(broken in note for note in raised.value.__notes__)


def test_a_page_failing_in_a_worker_raises_its_own_error_naming_the_page(twelve):
    twelve.forking(_a_page_failing_in_a_worker)


def _a_failed_parallel_build(scenarios: Path, out: Path) -> None:
    def fail(self, index):
        raise MissingMessage("message 'x.y' is missing from templates/messages/en.yml")
    Plan._scenario = fail
    with pytest.raises(MissingMessage):
        build(scenarios, out, processes=2)


def test_a_failed_parallel_build_leaves_the_previous_site(forks, few, tmp_path):
    """The FEW scenarios: what the previous site holds does not matter, only that it is kept whole."""
    out = tmp_path / "site"
    build(few, out, processes=1)
    before = tree(out)
    forks.forking(_a_failed_parallel_build, few, out)
    assert tree(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]  # no staging folder left behind


#: The bundled files a save of failed-sync.yml can reach (bundled.neighbourhood): its bases up to
#: _base.yml, the files extending it, its stage (the switchers and previous/next links a title
#: reaches), and one file of another stage that a save must leave alone. _base.yml is extended there
#: directly and through other bases, so a save of it rebuilds many scenarios as it does in the full
#: folder; the journeys through that stage come along. The rebuild reasons per saved scenario, its
#: extenders and its stage: the other stages would add pages of the same kinds, not another path.
SAVED = neighbourhood("failed-sync.yml")


@pytest.fixture
def folder(tmp_path) -> Path:
    return copy_with_journeys(tmp_path / "scenarios", SAVED)


@pytest.fixture(scope="module")
def saved_site(forks, tmp_path_factory) -> Forks:
    """The server of `forks`, holding a Rebuilder of the SAVED folder just after its full(), made once
    for the tests of a save: each runs in a process forked from it (Forks.call), so it starts from that
    Rebuilder as from its own, fresh one; the files it saves are put back as they were after it."""
    forks.keep(_keep_saved_site, str(copy_with_journeys(tmp_path_factory.mktemp("saved") / "scenarios", SAVED)))
    return forks


def _keep_saved_site(folder: str) -> None:
    files = tree(Path(folder))
    rebuilder = Rebuilder(Path(folder))
    rebuilder.full()
    _HELD["saved"] = rebuilder
    _PUT_BACK.append(lambda: _put_back(Path(folder), files))


def _put_back(folder: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(folder)
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer holds {old!r}: choose another edit"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("name, old, new", [
    ("failed-sync.yml", "en: Last sync failed", "en: Last sync failed again"),  # a title: its stage's switchers
    ("failed-sync.yml", "status: failed", "status: cancelled"),  # a fact: its state and comparisons
    ("failed-sync.yml", "token are fine", "token are all fine"),  # its description: no comparison shows it
    ("failed-sync.yml", "lifecycle: 60", "lifecycle: 1"),  # a new place in the order: the full way
    # a base: every scenario extending it (disabling the source there would break the journeys: refused)
    ("_base.yml", "name: Shopify Suisse", "name: Shopify Schweiz"),
    # the same instant at another offset: equal for ==, not on the pages
    ("failed-sync.yml", "finished_at: 2026-05-02T06:04:12Z", "finished_at: 2026-05-02T08:04:12+02:00"),
])
def test_a_rebuild_after_a_save_equals_a_full_build(saved_site, name, old, new):
    before, fresh, files, expected = saved_site.call(_a_save, name, old, new)
    assert files == expected
    assert fresh == {path: text for path, text in expected.items() if text != before.get(path)}


def _a_save(name: str, old: str, new: str) -> tuple[dict[str, str], ...]:
    """The site before, the files a save changed, the site after, and a full build of the folder then."""
    rebuilder = _HELD["saved"]
    folder = rebuilder.folder
    before = dict(rebuilder.files)
    edit(folder / name, old, new)
    fresh = rebuilder.changed([folder / name])
    return before, fresh, rebuilder.files, render_site(found := load_scenarios(folder),
                                                       journeys=load_journeys(folder, found))


def farthest_shared_outcome(scenarios):
    """The move to a generated outcome whose page is titled after another scenario (the first to
    reach it), that scenario the farthest from it in the lifecycle; and that scenario's id."""
    steps = walk([(s, derive(s)) for s in scenarios])
    first = {g.id: g.source for g in steps.generated}
    order = {s.id: i for i, s in enumerate(scenarios)}
    shared = max((t for t in steps.transitions if t.generated and first[t.target] != t.source),
                 key=lambda t: abs(order[t.source] - order[first[t.target]]))
    return shared, first[shared.target], abs(order[shared.source] - order[first[shared.target]])


def test_a_rebuild_after_a_retitle_renders_the_pages_naming_a_shared_outcome(tmp_path):
    """A generated outcome reached from several scenarios is titled after the first one: a new title
    there must reach every page whose previews name that outcome, not only the source's own.

    The pair is found in the bundled scenarios (the walk, no rendering); the rebuild runs on the
    source's neighbourhood (bundled.neighbourhood) and the far page's file with its bases: the
    pair stays the farthest apart there, so its title reaches that page only through the outcome."""
    shared, source, _ = farthest_shared_outcome(load_scenarios(ROOT / "scenarios"))
    folder = copy_with_journeys(tmp_path / "scenarios",
                                neighbourhood(f"{source}.yml") + with_bases(f"{shared.source}.yml"))
    scenarios = load_scenarios(folder)
    shared, source, apart = farthest_shared_outcome(scenarios)
    assert apart > 1  # not a neighbour: its previous/next links would name the source anyway
    lifecycle = {s.id: s.lifecycle for s in scenarios}
    assert stage_of(lifecycle[source]) != stage_of(lifecycle[shared.source])  # nor a stage-mate: its switcher would
    title, _ = next(s for s in scenarios if s.id == source).text("title", "en")
    rebuilder = Rebuilder(folder)
    before = dict(rebuilder.full())
    edit(folder / f"{source}.yml", title, f"{title} (renamed)")
    fresh = rebuilder.changed([folder / f"{source}.yml"])
    expected = render_site(found := load_scenarios(folder), journeys=load_journeys(folder, found))
    assert f"scenarios/{shared.source}/index.html" in fresh
    assert rebuilder.files == expected
    assert fresh == {path: text for path, text in expected.items() if text != before.get(path)}


def test_a_rebuild_after_a_fact_change_leaves_the_pages_that_show_only_titles(saved_site):
    """A fact of a page is not in its neighbours' switchers: they are not rendered again. Its
    description is in no compare pair page either: those are not rendered again for it."""
    (description_changed, description_change), (fact_changed, fact_change), (_, title_change) = \
        saved_site.call(_saves_one_after_another, [("token are fine", "token are all fine"),
                                                   ("fetched: 250", "fetched: 251"),
                                                   ("en: Last sync failed", "en: Last sync failed again")])
    assert description_changed and fact_changed
    assert description_change < fact_change
    assert fact_change < title_change


def _saves_one_after_another(edits: list[tuple[str, str]]) -> list[tuple[bool, int]]:
    """For each save of failed-sync.yml in turn: whether it changed a file, and how many it rendered."""
    rebuilder = _HELD["saved"]
    saved = rebuilder.folder / "failed-sync.yml"
    done = []
    for old, new in edits:
        edit(saved, old, new)
        done.append((bool(rebuilder.changed([saved])), rebuilder.rendered))
    return done


def test_a_saved_description_renders_its_own_pages_and_a_fact_the_pages_listing_states(saved_site):
    """A description shows on its scenario's page alone: saving it renders no overview, manifest,
    compare, journey or outcome page. A fact those pages show (the source's name) renders them
    again, the outcome pages reached from the scenario among them. Each result is a full build's.
    On the SAVED folder (failed-sync.yml): every kind of page is there, outcome pages reached from it."""
    outcomes, journeys, own, description, fact, listing, unlike_full = saved_site.call(_a_description_then_a_fact)
    assert outcomes, "failed-sync reaches no generated state: choose another scenario"
    assert journeys, "no journey page: the test would not check them"
    changed, rendered = description
    assert changed == {"scenarios/failed-sync/index.html"}  # English only
    assert own <= rendered <= own | {"404.html"}, sorted(rendered - own)  # 404.html shows no scenario
    changed, rendered = fact
    assert own <= changed
    assert listing | outcomes <= rendered, sorted((listing | outcomes) - rendered)
    assert unlike_full == []


def _a_description_then_a_fact() -> tuple:
    """For the SAVED folder's failed-sync.yml: its outcome pages, whether there are journey pages, its
    own pages, then (files changed, files rendered) by a save of its description, then of a fact (its
    source's name), the pages listing every scenario, and the files then unlike a full build's."""
    from generator.output import workers
    rebuilder = _HELD["saved"]
    folder = rebuilder.folder
    saved = folder / "failed-sync.yml"
    outcomes = {p for p in rebuilder.files if "/outcomes/" in f"/{p}" and "failed-sync--" in p}
    journeys = [p for p in rebuilder.files if p.startswith("journeys/")]
    own = {p for p in rebuilder.files if p.endswith("scenarios/failed-sync/index.html")}
    rendered: set[str] = set()
    real = workers._render
    workers._render = lambda plan, job: [rendered.add(path) or (path, text) for path, text in real(plan, job)]
    done = []
    edit(saved, "token are fine", "token are all fine")
    done.append((set(rebuilder.changed([saved])), set(rendered)))
    rendered.clear()
    saved.write_text(saved.read_text(encoding="utf-8") + "source:\n  name: Renamed shop\n", encoding="utf-8")
    done.append((set(rebuilder.changed([saved])), set(rendered)))
    listing = {"index.html", "scenarios.json", "compare/index.html", *journeys}
    expected = render_site(found := load_scenarios(folder), journeys=load_journeys(folder, found))
    unlike = sorted(p for p in rebuilder.files.keys() | expected.keys() if rebuilder.files.get(p) != expected.get(p))
    return outcomes, bool(journeys), own, *done, listing, unlike


def test_a_rebuild_makes_the_galleries_again_only_when_a_section_or_title_changed(few, tmp_path, monkeypatch):
    """A description is in no section: the gallery pages are left as they are. A fact shown in a
    section makes the galleries of the sections it changed again, and only those; a title, every
    gallery (each lists scenarios by title); so does the save after an attempt at them that failed."""
    folder = shutil.copytree(few, tmp_path / "scenarios")
    made, failing = [], []
    original = Plan._gallery

    def gallery(self, key):
        if failing:
            raise failing.pop()
        made.append(key)
        return original(self, key)
    monkeypatch.setattr(Plan, "_gallery", gallery)
    rebuilder = Rebuilder(folder)
    rebuilder.full()
    saves = [("token are fine", "token are all fine", False),  # the description
             ("fetched: 250", "fetched: 251", True),  # a count its sync history shows
             ("en: Last sync failed", "en: Last sync failed again", True)]  # its title
    for old, new, remade in saves:
        made.clear()
        edit(folder / "failed-sync.yml", old, new)
        changed = rebuilder.changed([folder / "failed-sync.yml"])
        assert changed
        assert bool(made) == remade, (old, new)
        galleries = {p.removeprefix("fr/") for p in changed if p.removeprefix("fr/").startswith("gallery/")}
        if old.startswith("en:"):  # a title: every gallery page lists it
            assert sorted(made) == sorted(SECTIONS)
        else:  # exactly the galleries of the sections that changed, and none left stale
            assert {gallery_path(s) for s in made} == galleries, (old, made)
            full = render_site(found := load_scenarios(folder), journeys=load_journeys(folder, found))
            assert {p: t for p, t in rebuilder.files.items() if "gallery/" in p} == \
                {p: t for p, t in full.items() if "gallery/" in p}
    failing.append(MissingMessage("message 'x.y' is missing"))
    edit(folder / "failed-sync.yml", "fetched: 251", "fetched: 252")
    with pytest.raises(MissingMessage):
        rebuilder.changed([folder / "failed-sync.yml"])
    made.clear()
    edit(folder / "failed-sync.yml", "token are all fine", "token are fine")
    rebuilder.changed([folder / "failed-sync.yml"])
    assert made, "the galleries the failed attempt did not make were left stale"
    expected = render_site(found := load_scenarios(folder), journeys=load_journeys(folder, found))
    assert rebuilder.files == expected


def test_a_save_that_changes_which_fact_paths_drive_rows_rebuilds_every_data_file(few, tmp_path, monkeypatch):
    """Every compare/data/<id>.js digests the fact paths that drive some row (Plan.drivers), so a
    save that changes them renders every file again. Such a save also changes what other checks
    see (where actions lead, say) in every case found: the set is forced to change here."""
    folder = shutil.copytree(few, tmp_path / "scenarios")
    rebuilder = Rebuilder(folder)
    rebuilder.full()
    edit(folder / "healthy.yml", "Everything is in place", "Everything is now in place")
    rebuilder.changed([folder / "healthy.yml"])
    assert rebuilder.rendered < len(rebuilder.files) / 4  # a description: a few files
    last, its = rebuilder._plan, rebuilder._plan.drivers
    monkeypatch.setattr(Plan, "drivers", property(lambda plan: its if plan is last else its | {"no.such.fact"}))
    edit(folder / "healthy.yml", "Everything is now in place", "Everything is in place")
    rebuilder.changed([folder / "healthy.yml"])
    assert rebuilder.rendered == len(rebuilder.files)


def test_a_rebuild_in_a_big_stage_equals_a_full_build(folder):
    """A page's switcher lists at most SWITCHER_GROUP of its stage's scenarios: the rebuild renders only theirs."""
    for i in range(30):
        (folder / f"copy-{i:02d}.yml").write_text(
            f"extends: failed-sync\nlifecycle: {61 + i}\ntitle: Copy {i:02d}\n", encoding="utf-8")
    rebuilder = Rebuilder(folder)
    before = dict(rebuilder.full())
    edit(folder / "copy-15.yml", "title: Copy 15", "title: Copy fifteen")
    fresh = rebuilder.changed([folder / "copy-15.yml"])
    expected = render_site(found := load_scenarios(folder), journeys=load_journeys(folder, found))
    assert rebuilder.files == expected
    assert fresh == {path: text for path, text in expected.items() if text != before.get(path)}
    assert rebuilder.rendered < len(expected) / 3


def test_garbage_frozen_between_saves_is_collected_within_a_bounded_number_of_saves(forks, few):
    """The dev server freezes the process after each save (Rebuilder.changed): a garbage cycle
    frozen then is out of the collector's sight, but not for more than SAVES_PER_FULL_COLLECTION
    saves, so a long session cannot pile it up.

    In a process forked from Forks' server: the full collection walks everything the process holds,
    and a test process may hold much (the session's parsed pages, plan_of_1000: in the test process
    this test took 2.3 CPU-s after test_pages and test_page_weight, 4.5 in a serial run of the suite,
    0.5 alone); nor is the test process then left unfrozen."""
    forks.call(_garbage_frozen_between_saves, few)


def _garbage_frozen_between_saves(folder: Path) -> None:
    import gc
    import weakref
    from generator.dev import rebuild

    class Cycle:
        pass

    rebuilder = rebuild.Rebuilder(folder)
    rebuilder.full()
    cycle = Cycle()
    cycle.me = cycle
    alive = weakref.ref(cycle)
    unchanged = folder / "healthy.yml"
    rebuilder.changed([unchanged])  # nothing changed: only the freeze after it
    del cycle
    gc.collect()
    assert alive() is not None, "a frozen cycle was collected: the freeze did nothing"
    for _ in range(rebuild.SAVES_PER_FULL_COLLECTION - 1):
        rebuilder.changed([unchanged])
    assert alive() is None, f"still alive after {rebuild.SAVES_PER_FULL_COLLECTION} saves"


def test_a_rebuild_of_a_broken_save_raises_and_keeps_the_last_good_site(saved_site):
    error, kept, redone, kept_after = saved_site.call(_a_broken_save_then_the_good_one_again)
    assert "failed-sync.yml" in error
    assert kept
    assert redone == {}  # back as it was: nothing to redo
    assert kept_after


def _a_broken_save_then_the_good_one_again() -> tuple[str, bool, dict[str, str], bool]:
    """The error of the broken save, whether the site was kept, what the good save then changed,
    and whether the site was kept still."""
    rebuilder = _HELD["saved"]
    saved = rebuilder.folder / "failed-sync.yml"
    good = dict(rebuilder.files)
    edit(saved, "status: failed", "status: exploded")
    with pytest.raises(ScenarioErrors) as raised:
        rebuilder.changed([saved])
    kept = rebuilder.files == good
    edit(saved, "status: exploded", "status: failed")
    return str(raised.value), kept, rebuilder.changed([saved]), rebuilder.files == good


def test_generator_workers_must_be_a_count(monkeypatch):
    from generator.output.workers import workers
    monkeypatch.setenv("GENERATOR_WORKERS", "two")
    with pytest.raises(GeneratorError, match="GENERATOR_WORKERS"):
        workers()
    monkeypatch.setenv("GENERATOR_WORKERS", "3")
    assert workers() in (1, 3)  # 1 where fork is missing


# -- process management (issue 17): no deadlock, whatever the workers are doing ---------------

#: Run in a fresh process: the test process may run threads (then nothing is forked at all).
_FAILING_WORKERS = r'''
import os, sys, time
sys.path.insert(0, sys.argv[1])
from generator.output import workers
from generator.output.plan import Plan
from generator.output.workers import render_jobs, single_threaded
from generator.site.render import MissingMessage
from synthetic import many

assert single_threaded()
plan = Plan.make(many(4))  # about 30 jobs, in many ranges over three workers; the race is in the shutdown
jobs = plan.jobs()
# Each job's files and how long rendering them took, and what the leak guard found in each file and
# how long it took, recorded once here. The workers below replay them: the same files through their
# pipes, busy (asleep) as long, without rendering or scanning them again at every attempt (most of
# this test's CPU), since what is tested is how the build stops, not the pages.
recorded, original = {}, Plan.render
guarded, guard = {}, workers.output_problems

def record(self, job):
    start = time.perf_counter()
    files = list(original(self, job))
    recorded[job] = files, time.perf_counter() - start
    return files

def record_guard(path, *args):
    start = time.perf_counter()
    found = guard(path, *args)
    guarded[path] = found, time.perf_counter() - start
    return found
Plan.render, workers.output_problems = record, record_guard
render_jobs(plan, jobs, processes=1)

def replay_guard(path, *args):
    found, took = guarded[path]
    time.sleep(took)
    return found
workers.output_problems = replay_guard
for attempt in range(len(jobs)):
    broken = jobs[attempt]  # the failure in every position once: first, middle, last range

    def render(self, job, broken=broken):
        if job == broken:
            raise MissingMessage(f"message 'x.y{attempt}' is missing")
        files, took = recorded[job]
        time.sleep(took)
        return files
    Plan.render = render
    start = time.perf_counter()
    try:
        render_jobs(plan, jobs, processes=3)
    except MissingMessage as exc:
        assert f"x.y{attempt}" in str(exc), exc
        assert any(plan.label(broken) in note for note in exc.__notes__)
    else:
        raise SystemExit(f"attempt {attempt}: no error")
    assert time.perf_counter() - start < 20, "not prompt"
    assert not [c for c in os.listdir("/proc/self/task")][1:], "a thread was left"
print("ok", attempt + 1, len(jobs))
'''


def test_a_failing_worker_ends_the_build_with_its_error_every_time(tmp_path):
    """Repeated with the failure in every position: each run ends promptly with the page's own error."""
    import subprocess
    import sys
    tests = Path(__file__).resolve().parent
    done = subprocess.run([sys.executable, "-c", _FAILING_WORKERS, str(tests)], capture_output=True,
                          text=True, timeout=110, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    ok, tried, jobs = done.stdout.split()
    assert ok == "ok" and tried == jobs and int(jobs) >= 30, done.stdout


def _a_worker_that_dies() -> None:
    plan = _HELD["twelve"]
    original = Plan._scenario

    def scenario(self, index):
        if index == len(self.pages) * 3 // 4:  # late: after each worker has sent ranges back
            os._exit(9)  # as if killed (out of memory, a signal)
        return original(self, index)
    Plan._scenario = scenario
    with pytest.raises(GeneratorError, match="ended unexpectedly"):
        render_jobs(plan, plan.jobs(), processes=2)


def test_a_worker_that_dies_ends_the_build_with_an_error_not_a_hang(twelve):
    twelve.forking(_a_worker_that_dies)


def test_a_process_running_threads_is_never_forked(monkeypatch):
    import threading
    from generator.output import workers

    def no_fork(*args, **kwargs):
        raise AssertionError("forked while a thread runs")
    monkeypatch.setattr(workers, "_parallel", no_fork)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        # Two scenarios: with `processes` given, whether to fork depends on the threads alone (render_jobs)
        plan = Plan.make(many(2))
        assert not workers.single_threaded()
        assert render_jobs(plan, plan.jobs(), processes=2).count > 0
    finally:
        stop.set()
        thread.join()


def test_the_manifest_joined_from_cached_entries_is_what_json_writes(bundled_scenarios):
    pages = [Page(s, derive(s)) for s in bundled_scenarios[:3]]
    for listed in (pages, []):
        text = manifest(listed)
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
        assert manifest(listed, keep=True) == text == manifest(listed, keep=True)  # kept, then re-joined


def test_a_built_gallery_keeps_a_carriage_return_as_render_site_does(few, tmp_path):
    """The gallery is made from the pages read back from the staging folder: as bytes, not as text
    whose \\r Python would turn into \\n (the gallery would then differ from check and the dev server).
    The FEW scenarios: _base.yml gives every one of them the name with the \\r."""
    folder = shutil.copytree(few, tmp_path / "scenarios")
    edit(folder / "_base.yml", "name: Shopify Suisse", 'name: "Shopify\\rSuisse"')
    build(folder, tmp_path / "site", processes=1)
    rendered = render_site(found := load_scenarios(folder), journeys=load_journeys(folder, found))
    assert "\r" in rendered["gallery/actions/index.html"]
    for path in ("gallery/actions/index.html", "fr/gallery/actions/index.html"):
        assert (tmp_path / "site" / path).read_bytes() == rendered[path].encode(), path
