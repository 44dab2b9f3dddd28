"""Fixtures that build on each other: scenarios folder → built site → parsed pages."""
from __future__ import annotations

import collections
import gc
import os
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generator.build import build  # noqa: E402
from generator.model.load import load_scenarios  # noqa: E402
from bundled import FEW, copy_scenarios  # noqa: E402
from parsing import parse_for_good  # noqa: E402


@pytest.fixture(scope="session")
def bundled_scenarios():
    return load_scenarios(ROOT / "scenarios")


def _shared_by_the_run(request, tmp_path_factory) -> Path | None:
    """A folder of this run that its local xdist test processes share, or None (no xdist, remote
    workers, not POSIX): xdist gives each local worker the folder popen-<its id> inside the run's."""
    worker = getattr(request.config, "workerinput", None)
    own = tmp_path_factory.getbasetemp()
    if worker is None or os.name != "posix" or own.name != f"popen-{worker['workerid']}":
        return None
    shared = own.parent / f"shared-{worker['testrunuid']}"
    shared.mkdir(exist_ok=True)
    return shared


@pytest.fixture(scope="session")
def site(request, tmp_path_factory) -> Path:
    """The bundled scenarios, built once for the whole run: where the run's test processes share a
    folder (_shared_by_the_run), the first that needs the site builds it there under a lock and the
    others read it (xdist's own recipe; a build is about 3.7 CPU-s; no test writes into it). A build
    that fails leaves no site there, so the next process to ask builds it again."""
    shared = _shared_by_the_run(request, tmp_path_factory)
    if shared is None:
        out = tmp_path_factory.mktemp("built") / "site"
        build(ROOT / "scenarios", out)
        return out
    import fcntl
    out = shared / "site"
    with open(shared / "site.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not out.is_dir():  # the build swaps its finished site in: a folder there is whole
            build(ROOT / "scenarios", out)
    return out


@pytest.fixture(scope="session")
def page(site):
    """Each page of the session's site, parsed once and kept out of the cycle collector's passes;
    by the modules of SHARING only (checked before each test: SHARED_FIXTURES), so in one process."""
    cache: dict[str, BeautifulSoup] = {}

    def parse(relative: str) -> BeautifulSoup:
        if relative not in cache:
            cache[relative] = parse_for_good((site / relative).read_text(encoding="utf-8"))
        return cache[relative]
    yield parse
    gc.unfreeze()


@pytest.fixture(scope="session")
def few(tmp_path_factory) -> Path:
    """A folder of the FEW scenarios, for tests about the build's mechanics; no test writes into it."""
    return copy_scenarios(tmp_path_factory.mktemp("few") / "scenarios", FEW)


@pytest.fixture(scope="session")
def plan_of_1000():
    """The plan of 1,000 synthetic scenarios (synthetic.many), made once for the tests at N = 1,000
    that only render jobs from it: making it is most of their cost. Their modules are in SHARING
    (checked before each test: SHARED_FIXTURES), so one process makes it."""
    from generator.output.plan import Plan
    from synthetic import many
    return Plan.make(many(1000))


@pytest.fixture
def write_scenarios(tmp_path):
    """Write {file name: YAML text} into a fresh scenarios folder and return it."""
    def write(files: dict[str, str | bytes]) -> Path:
        folder = tmp_path / "scenarios"
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            data = text if isinstance(text, bytes) else text.encode("utf-8")
            (folder / name).write_bytes(data)
        return folder
    return write


_hypothesis_home: list[str] = []


#: Node ids of the browser tests start so: tests/browser/, as the rootdir names it (pytest_configure).
_BROWSER_PREFIX: list[str] = []


def _is_browser_test(nodeid: str) -> bool:
    return nodeid.startswith(_BROWSER_PREFIX[0])


#: Browser modules that use nothing of the session's built site (they build their own sites and
#: start their own browsers): not in the browser scope of the scheduler below, so the test process
#: that has time takes them. That they use no `site` is checked before each of their tests.
ON_THEIR_OWN = ("test_browser_review.py", "test_browser_serve.py")


#: The modules that use the costliest session fixtures outside the browser: the site parsed page by
#: page (`page`: 8.1 CPU-s for every page, which several of them read) and the plan of 1,000
#: scenarios (`plan_of_1000`: 5 to 7 CPU-s). One scope of the scheduler below, so one process makes
#: each once. A test outside it that uses either fails at setup (pytest_runtest_setup).
SHARING = ("test_catalogue.py", "test_compare.py", "test_gallery.py", "test_languages.py", "test_matrix.py",
           "test_navigation.py", "test_page_weight.py", "test_pages.py", "test_site_safety.py", "test_switcher.py",
           "test_transitions.py", "test_why.py")
#: The session fixtures that only SHARING's modules may use. Checked on a test's fixtures as pytest
#: lists them: one fetched by request.getfixturevalue() is not seen, so take them as arguments.
SHARED_FIXTURES = ("page", "plan_of_1000")


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1]


def _shares_the_site(nodeid: str) -> bool:
    """A browser test that shares the session's site, Chromium and surveys with the others."""
    return _is_browser_test(nodeid) and _module(nodeid) not in ON_THEIR_OWN


def _group(nodeid: str) -> str | None:
    """The scope a test shares with other modules' tests (the scheduler's), if any."""
    if _shares_the_site(nodeid):
        return "browser"
    return "sharing" if not _is_browser_test(nodeid) and _module(nodeid) in SHARING else None


def _hand_out_rank(nodeid: str) -> int:
    """When the scheduler hands out a test's scope (lowest first): the longest-running first (the
    browser scope, the modules that build and start their own browsers, the SHARING group), then
    the others (in the order xdist's loadscopereorder would give: most tests first). A long scope
    handed out last keeps one process running alone at the end: the review module, 48 s, last in
    one run, kept one process 12 s after the other."""
    group = _group(nodeid)
    return 0 if group == "browser" else 1 if _module(nodeid) in ON_THEIR_OWN else 2 if group else 3


def pytest_configure(config):
    """Hypothesis caches data in ./.hypothesis (even at collection): keep it in a temporary
    folder removed at the end, so that tests leave nothing behind (issue 3).

    A suite started in the background by a shell (`scripts/test &`) inherits Ctrl+C ignored, and
    so would every command a test starts: the tests that press Ctrl+C would fail. With Python's own
    handler here, a command started from here gets the default, as from a terminal.

    Also: how node ids name the browser tests under this run's rootdir (_is_browser_test), that
    each module ON_THEIR_OWN and SHARING name exists, and, under `--dist loadscope`, that xdist
    hands scopes out in the order the test processes collected them (_hand_out_rank).

    And the cycle collector runs less often: a test process holds a lot for long (built sites,
    parsed pages, Hypothesis' data, Playwright's objects), which the default threshold (a young
    collection every 700 allocations, a full one every 100 of those) walks again and again. With a
    young collection every 100,000, the tests outside tests/browser, run serially, spent 8.5 s of
    the test process's CPU in the collector instead of 16.7, and 158 CPU-s in all instead of 186
    (less collector walking, fewer caches flushed). Garbage is still collected, in larger batches."""
    import signal
    import tempfile

    gc.set_threshold(100_000, 10, 10)
    _BROWSER_PREFIX[:] = [Path(os.path.relpath(Path(__file__).parent / "browser", config.rootpath)).as_posix() + "/"]
    for names, folder in (("ON_THEIR_OWN", "browser"), ("SHARING", "")):
        missing = [name for name in globals()[names] if not (Path(__file__).parent / folder / name).is_file()]
        if missing:
            raise pytest.UsageError(f"tests/conftest.py's {names} names no module: {', '.join(missing)}")
    if config.getoption("dist", "no") == "loadscope":
        config.option.loadscopereorder = False  # the order of scopes is pytest_collection_modifyitems'

    from hypothesis import configuration
    _hypothesis_home.append(tempfile.mkdtemp(prefix="hypothesis-"))
    configuration.set_hypothesis_home_dir(_hypothesis_home[-1])
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_unconfigure(config):
    import shutil
    for folder in _hypothesis_home:
        shutil.rmtree(folder, ignore_errors=True)


#: Browser tests drive a real browser on a shared machine: their limit is generous.
BROWSER_TIMEOUT = 600


def pytest_collection_modifyitems(config, items):
    """Every test has a time limit (pyproject.toml); browser tests a longer one. In an xdist test
    process (whose `dist` option xdist sets to "no") the tests are ordered as the scheduler is to
    hand their scopes out (_hand_out_rank; under `--dist loadscope` xdist's own reordering is off):
    the tests of a scope keep their order."""
    for item in items:
        if _is_browser_test(item.nodeid) and item.get_closest_marker("timeout") is None:
            item.add_marker(pytest.mark.timeout(BROWSER_TIMEOUT))
    if hasattr(config, "workerinput"):  # harmless in xdist's other modes, which ignore scopes
        def scope(item) -> str:  # as the scheduler splits them: the group, or xdist's own rule
            return _group(item.nodeid) or item.nodeid.rsplit("::", 1)[0]
        tests = collections.Counter(map(scope, items))
        items.sort(key=lambda item: (_hand_out_rank(item.nodeid), -tests[scope(item)]))


def pytest_runtest_setup(item):
    """A test of ON_THEIR_OWN that uses the session's site would build it again in another process
    where the run's processes share no folder (_shared_by_the_run), and one outside SHARING that
    uses a SHARED_FIXTURES fixture would parse the pages or make the plan again: it fails, saying so
    (a failure, not a collection error: xdist's workers would lose the message)."""
    fixtures = getattr(item, "fixturenames", ())
    if _is_browser_test(item.nodeid) and not _shares_the_site(item.nodeid) and "site" in fixtures:
        pytest.fail(f"{item.nodeid} uses the session's site: take its module out of tests/conftest.py's "
                    "ON_THEIR_OWN", pytrace=False)
    shared = [name for name in SHARED_FIXTURES if name in fixtures]
    if shared and _group(item.nodeid) != "sharing":
        pytest.fail(f"{item.nodeid} uses {', '.join(shared)}: add its module to tests/conftest.py's SHARING",
                    pytrace=False)


@pytest.hookimpl(optionalhook=True)  # xdist's hook: a run without xdist has no such hook
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadscope` (scripts/test), with the browser tests that share the session's site in
    one scope: they share one Chromium, one HTTP server and the surveys of the sample, which each
    other test process would make again; the modules of SHARING in another. Any other module
    (ON_THEIR_OWN too) is its own scope. Scopes go out in the order of the collected tests, which
    pytest_collection_modifyitems sets (_hand_out_rank).
    The extension point is xdist's own (its loadfile and loadgroup modes override `_split_scope`
    the same way); that it still holds is checked after every run (pytest_sessionfinish)."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _group(nodeid) or super()._split_scope(nodeid)
    return BrowserTogether(config, log)


#: The test processes that ran browser tests sharing the site, as the main process hears of them.
_BROWSER_WORKERS: set[str] = set()


#: Figures for the closing summary, from every test process's reports: time in browser tests, axe runs.
BROWSER = {"seconds": 0.0, "axe_runs": 0, "axe_violations": 0, "axe_seconds": 0.0, "pages": set()}


def pytest_runtest_logreport(report):
    if _is_browser_test(report.nodeid):
        BROWSER["seconds"] += report.duration
        if hasattr(report, "node") and _shares_the_site(report.nodeid):  # main process of an xdist run
            _BROWSER_WORKERS.add(report.node.gateway.id)
    for name, runs in report.user_properties:
        if name == "axe":  # tests/browser/conftest.py
            for page, violations, seconds in runs:
                BROWSER["axe_runs"] += 1
                BROWSER["axe_violations"] += violations
                BROWSER["axe_seconds"] += seconds
                BROWSER["pages"].add(page)


def pytest_sessionfinish(session):
    """Browser tests sharing the site spread over several processes of a run that passed mean the
    scheduler above no longer groups them (an xdist that changed its extension point): say so by
    failing the run, not by a slower one."""
    if session.config.getoption("dist", "no") == "loadscope" and len(_BROWSER_WORKERS) > 1 \
            and session.exitstatus == pytest.ExitCode.OK:  # a crashed worker's tests go to another
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        writer = session.config.get_terminal_writer()
        writer.line()
        writer.line(
            f"browser tests sharing the site ran in {len(_BROWSER_WORKERS)} processes: tests/conftest.py's "
            "scheduler no longer groups them (pytest_xdist_make_scheduler)", red=True)


def pytest_terminal_summary(terminalreporter):
    if BROWSER["seconds"]:
        terminalreporter.write_line(
            f"browser: {BROWSER['seconds']:.1f} s in browser tests; axe-core WCAG 2.2 AA: "
            f"{BROWSER['axe_runs']} runs on {len(BROWSER['pages'])} page URLs, "
            f"{BROWSER['axe_violations']} violations ({BROWSER['axe_seconds']:.1f} s)")
