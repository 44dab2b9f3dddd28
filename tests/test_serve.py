"""The dev server over HTTP: edits appear, broken input never kills it, nothing outside the site is served."""
from __future__ import annotations

import asyncio
import concurrent.futures
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from generator.output.plan import render_site
from generator.site.render import TEMPLATES
from generator.dev.serve import DevServer, DevSite, reload_path
from generator.urls import site_path
from generator.model.load import load_scenarios
from bundled import FEW, copy_scenarios

ROOT = Path(__file__).resolve().parent.parent
#: Long enough for a slow CI machine; a working server answers in well under a second.
WAIT = 15.0
#: For what waits on a full build (the server's start; the first good save after a failed one): a
#: machine running the suite's other process (or more) beside it once took over 15 s for one of the
#: bundled scenarios.
FULL_BUILD = 60.0
#: livereload's protocol for "reload this page" (livereload.js, `reload` with path "*"), written
#: here as the protocol has it rather than taken from the server's own helper.
RELOAD_PAGE = {"command": "reload", "path": "*", "liveCSS": True, "liveImg": True}


class Running:
    """A DevServer on a free port in a thread of this process, stopped on exit."""

    def __init__(self, scenarios: Path, templates: Path = TEMPLATES):
        self.lines: list[str] = []
        self.server = DevServer(scenarios, port=0, templates=templates, log=self.lines.append)
        self.url = ""
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio.run(self.server.run(ready=self._started))
        except BaseException as exc:  # surfaced by __enter__/__exit__
            self.error = exc
            self._ready.set()

    def _started(self, url: str) -> None:
        self.url = url
        self._ready.set()

    def __enter__(self) -> Running:
        self._thread.start()
        if not self._ready.wait(FULL_BUILD) or self.error is not None:
            if self.error is None:  # still starting: `with` calls no __exit__, and it would serve on
                self.server.stop()
                self._thread.join(WAIT)
            raise AssertionError(f"not started: {self.error!r}" if self.error else f"not started in {FULL_BUILD} s") \
                from self.error
        return self

    def __exit__(self, *exc) -> None:
        self.server.stop()
        self._thread.join(WAIT)
        assert not self._thread.is_alive()

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path.lstrip("/"), timeout=WAIT) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8")

    def raw(self, path: str) -> int:
        """Status for a path sent exactly as given (urllib would not send some of these)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=WAIT)
        try:
            connection.request("GET", path)
            return connection.getresponse().status
        finally:
            connection.close()

    def until(self, path: str, test, what: str) -> tuple[int, str]:
        """Fetch `path` until `test(status, body)` holds; the watcher needs a poll or two."""
        deadline = time.monotonic() + WAIT
        while True:
            status, body = self.get(path)
            if test(status, body):
                return status, body
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: still {status} after {WAIT}s; log: {self.lines}")
            time.sleep(0.02)


def save(path: Path, text: str) -> None:
    """Write like an editor does, and make sure the mtime moves even on a coarse clock."""
    old = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == old:
        os.utime(path, ns=(old + 10_000_000, old + 10_000_000))


@pytest.fixture
def scenarios(tmp_path) -> Path:
    """A few bundled scenarios: these tests are about the server, not about the bundled states."""
    return copy_scenarios(tmp_path / "scenarios", FEW)


@pytest.fixture
def server(scenarios):
    """A server of its own, for a test that saves files."""
    with Running(scenarios) as running:
        yield running


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    """One server for the tests that only read."""
    with Running(copy_scenarios(tmp_path_factory.mktemp("served") / "scenarios", FEW)) as running:
        yield running


def _retitle(text: str, title: str) -> str:
    """Replace the English title of a scenario file (`title: …` or `title:` then `  en: …`)."""
    new, count = re.subn(r"(?m)^(title:\n  en: |title: (?=\S)).*$", lambda m: m.group(1) + title, text)
    assert count == 1, "the scenario has one English title"
    return new


def test_serves_the_site_with_the_reload_script_as_files(serving):
    status, index = serving.get("/")
    assert status == 200
    manifest = json.loads(serving.get("/scenarios.json")[1])
    assert manifest["scenarios"], "the manifest lists the scenarios"
    for entry in manifest["scenarios"]:
        status, html = serving.get(entry["path"])
        assert status == 200 and 'data-section="readiness"' in html
    # The reload code arrives as files from the same origin; no inline script anywhere.
    assert '<script src="/livereload.js" defer></script>' in index
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", index)
    assert "Content-Security-Policy" in index and "script-src 'self'" in index
    assert serving.get("/livereload.js")[0] == 200
    status, script = serving.get("/_dev/reload.js")
    assert status == 200 and "LiveReloadPlugin" in script


def test_a_folder_without_its_slash_is_redirected_so_relative_links_work(serving):
    page = json.loads(serving.get("/scenarios.json")[1])["scenarios"][0]["path"]
    folder = "/" + page.removesuffix("index.html").rstrip("/")
    connection = http.client.HTTPConnection("127.0.0.1", serving.server.port, timeout=WAIT)
    connection.request("GET", folder)
    response = connection.getresponse()
    assert response.status == 301 and response.getheader("Location") == folder + "/"
    connection.close()


def test_a_saved_scenario_is_served_rebuilt(server, scenarios):
    entry = json.loads(server.get("/scenarios.json")[1])["scenarios"][0]
    file = scenarios / f"{entry['id']}.yml"
    save(file, _retitle(file.read_text(encoding="utf-8"), "Retitled while serving"))
    server.until(entry["path"], lambda s, body: "Retitled while serving" in body, "the page shows the new title")
    # Every page lists every scenario, so the overview and the manifest follow too.
    assert "Retitled while serving" in server.get("/")[1]
    titles = [e["title"] for e in json.loads(server.get("/scenarios.json")[1])["scenarios"]]
    assert "Retitled while serving" in titles


def test_a_broken_scenario_shows_its_problem_and_keeps_the_last_good_site(server, scenarios):
    entry = json.loads(server.get("/scenarios.json")[1])["scenarios"][0]
    file = scenarios / f"{entry['id']}.yml"
    good_text = file.read_text(encoding="utf-8")
    _, good_page = server.get(entry["path"])
    # An unknown plan on line 2 of the file: load names file, line and field.
    save(file, "extends: _base\nsource: {plan: gold}\n")
    _, shown = server.until(entry["path"], lambda s, body: 'data-dev="problems"' in body, "the problem is shown")
    assert f"scenarios/{file.name}</code>, line <span data-dev=\"line\">2</span>" in shown
    assert '<code data-dev="field">source.plan</code>' in shown
    # The last good page is still the one served, under the problems.
    assert _strip_dev(shown) == _strip_dev(good_page)
    status, index = server.get("/")
    assert status == 200 and 'data-dev="problems"' in index
    assert any("build failed" in line for line in server.lines)

    save(file, good_text)
    server.until(entry["path"], lambda s, body: 'data-dev="problems"' not in body, "fixing clears the problem")


@pytest.mark.parametrize("saved", ["good", "broken"])
def test_a_page_that_connects_after_a_rebuild_is_told_to_reload(server, scenarios, saved):
    """A page still loading when a rebuild ends (one that changed the page, or one that failed and
    brings the problems panel) was not listening: it connects with the generation it was served."""
    entry = json.loads(server.get("/scenarios.json")[1])["scenarios"][0]
    served = _generation(server.get(entry["path"])[1])
    file = scenarios / f"{entry['id']}.yml"
    text, shown = ((_retitle(file.read_text(encoding="utf-8"), "Saved while a page loaded"), "Saved while a page loaded")
                   if saved == "good" else ("extends: _base\nsource: {plan: gold}\n", 'data-dev="problems"'))
    save(file, text)
    _, now = server.until(entry["path"], lambda s, body: shown in body, "the rebuild")
    assert _generation(now) != served
    # What our reload plugin reports; a client without it (None) is left alone, or it would reload forever.
    told = {generation: _told(server, entry["path"], generation) for generation in (served, _generation(now), None)}
    assert told == {served: [RELOAD_PAGE], _generation(now): [], None: []}


def test_a_page_of_an_earlier_run_is_told_to_reload_when_it_reconnects(scenarios):
    """livereload.js reconnects to a restarted server: what was saved while it was down is shown."""
    with Running(scenarios) as first:
        path = json.loads(first.get("/scenarios.json")[1])["scenarios"][0]["path"]
        served = _generation(first.get(path)[1])
    with Running(scenarios) as second:
        assert _told(second, path, served) == [RELOAD_PAGE]
        assert _told(second, path, _generation(second.get(path)[1])) == []


def _generation(page: str) -> str:
    return re.search(r'<meta name="dev-generation" content="([^"]+)">', page).group(1)


def _told(server: Running, path: str, generation: str | None) -> list[dict]:
    """What the server sends a page at `path` that connects reporting `generation`."""
    hello = json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]})

    async def session() -> list[dict]:
        socket = await websocket_connect(server.url.replace("http", "ws", 1) + "livereload", connect_timeout=WAIT)
        try:
            socket.write_message(hello)
            assert json.loads(await asyncio.wait_for(socket.read_message(), WAIT))["command"] == "hello"
            plugins = {"navigate": {"version": "1.0", "generation": generation}} if generation else {}
            socket.write_message(json.dumps({"command": "info", "plugins": plugins,
                                             "url": server.url + path.lstrip("/")}))
            # A second hello as a fence: its answer comes after anything the info made the server send.
            socket.write_message(hello)
            messages = []
            while (message := json.loads(await asyncio.wait_for(socket.read_message(), WAIT)))["command"] != "hello":
                messages.append(message)
            return messages
        finally:
            socket.close()

    # In a thread of its own: the browser tests' Playwright may run an event loop in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, session()).result()


@pytest.mark.parametrize("breakage", ["{% if %}", "{{ no_such_value }}"], ids=["syntax", "undefined"])
def test_a_broken_template_never_kills_the_server(tmp_path, scenarios, breakage):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    with Running(scenarios, templates) as server:
        good = server.get("/")[1]
        index = templates / "index.html"
        good_template = index.read_text(encoding="utf-8")
        # Appended inside the last block: Jinja renders nothing outside blocks of a child template.
        head, tail = good_template.rsplit("{% endblock %}", 1)
        broken_line = head.count("\n") + 1
        save(index, head + breakage + "{% endblock %}" + tail)
        _, shown = server.until("/", lambda s, body: 'data-dev="problems"' in body, "the template error is shown")
        assert f'<code data-dev="file">templates/index.html</code>, line <span data-dev="line">{broken_line}</span>' \
            in shown
        assert _strip_dev(shown) == _strip_dev(good)
        save(index, good_template)
        server.until("/", lambda s, body: 'data-dev="problems"' not in body, "fixing the template clears it")


def test_a_first_build_that_fails_serves_the_problems_until_fixed(scenarios):
    file = next(p for p in sorted(scenarios.glob("*.yml")) if not p.name.startswith("_"))
    good_text = file.read_text(encoding="utf-8")
    save(file, "extends: _base\nlifecycle: -1\n")
    with Running(scenarios) as server:
        status, body = server.get("/")
        assert status == 500 and 'data-dev="problems"' in body and "lifecycle" in body
        save(file, good_text)
        server.until("/", lambda s, body: s == 200 and 'data-dev="problems"' not in body, "the site appears")


def test_problems_are_escaped_in_the_panel(scenarios):
    from generator.errors import Problem
    from generator.dev.serve import DevSite
    site = DevSite(scenarios)
    assert site.rebuild().ok
    site.problems = [Problem("scenarios/<b>.yml", 3, "title", '<script src="x.js"></script>')]
    _, body = site.respond("index.html")
    panel = re.search(r'<aside class="dev-problems".*?</aside>', body.decode(), re.S).group(0)
    assert "<script" not in panel and "&lt;script src=&#34;x.js&#34;&gt;" in panel
    assert "scenarios/&lt;b&gt;.yml" in panel


@pytest.mark.parametrize("path", [
    "/../pyproject.toml", "/scenarios/../../pyproject.toml", "/%2e%2e/pyproject.toml",
    "/%2E%2E%2Fpyproject.toml", "/%252e%252e/pyproject.toml", "/..%5cpyproject.toml",
    "/scenarios/..%2f..%2fgenerator/serve.py", "/.%2e/.%2e/etc/passwd",
])
def test_no_path_outside_the_site_is_served(serving, path):
    assert serving.raw(path) in (403, 404)


def test_files_that_are_not_part_of_the_site_are_404(serving):
    for path in ("/generator/serve.py", "/_dev/page.html", "/scenarios/healthy.yml", "/.generator-site"):
        assert serving.raw(path) == 404, path


def test_a_published_build_contains_no_reload_code(site):
    for file in site.rglob("*"):
        if file.is_file():
            text = file.read_text(encoding="utf-8")
            assert "livereload" not in text.lower() and "_dev/" not in text, file
            # The site's own scripts are files (scenario.js, compare.js, compare data); no inline one.
            for tag in re.findall(r"<script\b[^>]*>", text):
                assert re.search(r'\ssrc="[^"]+\.js"', tag), (file, tag)
                assert "reload" not in tag, (file, tag)


@pytest.mark.parametrize("open_page, changed, target, problems_changed, expected", [
    # Saving scenario b while a page of scenario a is open: go to b.
    ("s/a/index.html", {"s/b/index.html"}, "s/b/index.html", False, "/s/b/index.html"),
    # Already on b, or on the overview: reload if that page changed.
    ("s/b/index.html", {"s/b/index.html"}, "s/b/index.html", False, "*"),
    ("index.html", {"index.html", "s/b/index.html"}, "s/b/index.html", False, "*"),
    # A page that did not change stays as it is.
    ("s/a/index.html", {"s/b/index.html"}, None, False, None),
    # Only the stylesheet changed: swap it without reloading.
    ("s/a/index.html", {"style.css"}, None, False, "/style.css"),
    # The problems appeared or went away: every page reloads to show it.
    ("s/a/index.html", set(), None, True, "*"),
    # A page whose address is unknown reloads.
    (None, {"x"}, None, False, "*"),
])
def test_reload_path(open_page, changed, target, problems_changed, expected):
    pages = {"s/a/index.html", "s/b/index.html"}
    assert reload_path(open_page, changed, target, pages, problems_changed) == expected


@pytest.mark.parametrize("path, key", [
    ("/", "index.html"), ("", "index.html"), ("/scenarios/x/", "scenarios/x/index.html"),
    ("/style.css", "style.css"), ("//style.css", "style.css"), ("/a%20b", "a b"),
    ("/../x", None), ("/%2e%2e/x", None), ("/%252e%252e/x", None), ("/a\\..\\x", None), ("/a%00", None),
])
def test_site_path(path, key):
    assert site_path(path) == key


def test_the_serve_command_prints_its_url_and_stops_on_ctrl_c(scenarios):
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", "0",
                                "--scenarios", str(scenarios)],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = None
        deadline = time.monotonic() + WAIT
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            match = re.search(r"Serving (http://127\.0\.0\.1:\d+/)", line)
            url = match.group(1) if match else None
        assert url, "the URL is printed, bound to 127.0.0.1 by default"
        with urllib.request.urlopen(url, timeout=WAIT) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(WAIT) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_a_port_in_use_is_a_clear_error(scenarios):
    with Running(scenarios) as first:
        result = subprocess.run([sys.executable, "-m", "generator", "serve", "--port", str(first.server.port),
                                 "--scenarios", str(scenarios)],
                                cwd=ROOT, capture_output=True, text=True, timeout=WAIT)
        assert result.returncode == 1 and f"cannot listen on 127.0.0.1:{first.server.port}" in result.stderr


def _strip_dev(html: str) -> str:
    """A served page without what the dev server adds to it."""
    html = re.sub(r'<aside class="dev-problems".*?</aside>\n?', "", html, flags=re.S)
    html = re.sub(r'<meta name="dev-generation" content="[^"]*">', "", html)
    return html.replace("\n", "")


# -- issue 17: the dev server is as strict as the build, and follows `extends:` -------------

def test_a_saved_base_rebuilds_every_scenario_extending_it_as_a_full_build_would(scenarios):
    """A base and a scenario others extend: every dependent shows the new value, nothing stale."""
    site = DevSite(scenarios)
    assert site.rebuild().ok
    (scenarios / "healthy-c1.yml").write_text("extends: healthy\nlifecycle: 998\ntitle: Copy one\n", encoding="utf-8")
    (scenarios / "healthy-c2.yml").write_text("extends: healthy-c1\nlifecycle: 999\ntitle: Copy two\n",
                                              encoding="utf-8")
    assert site.rebuild(str(scenarios / "healthy-c2.yml")).ok
    healthy = scenarios / "healthy.yml"
    save(healthy, healthy.read_text(encoding="utf-8") + "mapping:\n  confirmed: false\n")  # a fact, not a title
    result = site.rebuild(str(healthy))
    assert result.ok
    expected = {path: text.encode() for path, text in render_site(load_scenarios(scenarios)).items()}
    assert site.files == expected
    assert {"scenarios/healthy-c1/index.html", "scenarios/healthy-c2/index.html"} <= result.changed


@pytest.mark.parametrize("title", ['"password": "Hunter2Summer"', '\\"password\\": \\"Hunter2Summer\\"'])
def test_a_saved_secret_is_refused_as_build_refuses_it_and_never_served(scenarios, title):
    site = DevSite(scenarios)
    assert site.rebuild().ok
    served = dict(site.files)
    file = scenarios / "healthy.yml"
    save(file, _retitle(file.read_text(encoding="utf-8"), json.dumps(title)))
    result = site.rebuild(str(file))
    assert not result.ok and site.files == served
    [problem] = site.problems
    assert problem.file == "scenarios/healthy.yml" and problem.field == "title.en"
    assert "Hunter2Summer" not in str(problem) and "never holds a secret" in problem.message
