"""The dev server: build, serve from memory, watch, rebuild on save, reload the open pages.

At the edge of the pipeline, like the CLI. It reuses livereload's pieces (issue #5):
its WebSocket protocol handler and its browser client (served as a file); but not `livereload.Server`, because that one injects an inline
<script> (blocked by our `script-src 'self'`), polls every 800 ms and ignores
changes within 3 s of a reload (the target is 300 ms from save to page), and
keeps its state in one global IOLoop that tests cannot stop.

- The site lives in memory and is swapped whole after a successful rebuild, so a
  half-built or broken site is never served; nothing is written to disk, so a
  published build (`generator build`) never contains reload code.
- A saved scenario re-renders only the pages that show it (generator/rebuild.py); any
  other change (a base, a template, a file added or removed) re-renders the whole site
  in memory with a warm template cache. Either way bytes are compared: the changed files
  are exactly the pages that depend on what was saved. Only open pages whose file
  changed are told to reload.
- A failed rebuild keeps the last good site and shows its problems (file, line,
  field) above every page until a rebuild succeeds.
- Each page carries the generation of the site it was served from (this server's run and
  its count of rebuilds). A page still loading when a rebuild ends is not yet listening, and
  a page of an earlier run reconnects after a restart: when either connects with another
  generation than the current one, it is told to reload (in full: it was not listening when
  the changed files were known).
"""
from __future__ import annotations

import asyncio
import json
import mimetypes
import re
import secrets
import socket
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
import yaml
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import httpserver, netutil, web

from ..errors import GeneratorError, Problem
from ..urls import site_path
from ..words import counted
from .rebuild import Rebuilder
from .watch import FolderWatch
from ..site.render import TEMPLATES, make_environment

DEV = Path(__file__).resolve().parent
#: Served by the dev server only, under a prefix no site path can take (ids are kebab-case).
DEV_ASSETS = {"reload.js": "application/javascript; charset=utf-8", "overlay.css": "text/css; charset=utf-8"}
_HEAD_END = "</head>"
_BODY_START = re.compile(r"<body[^>]*>")


def reload_path(open_page: str | None, changed: set[str], target: str | None,
                scenario_pages: set[str], problems_changed: bool) -> str | None:
    """What one open page is told after a rebuild: a page to go to, a stylesheet, "*" (reload) or nothing.

    A saved scenario takes a page showing another scenario to the saved one.
    """
    if target and open_page in scenario_pages and open_page != target:
        return "/" + target
    if problems_changed or open_page is None or open_page in changed:
        return "*"
    styles = {path for path in changed if path.endswith(".css")}
    if styles and changed <= styles:
        return "/" + styles.pop() if len(styles) == 1 else "*"
    return None


def problems_of(exc: BaseException, templates: Path = TEMPLATES) -> list[Problem]:
    """A failed rebuild as problems naming file, line and field where the error knows them.

    Messages come from our own errors (scenario and leak-guard errors never carry a
    value), Jinja and YAML; any other exception shows only its type and where it
    happened, since its message could quote a value.
    """
    found = getattr(exc, "problems", None)
    if found:
        return list(found)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return [Problem(_relative(exc.filename or exc.name or "", templates), exc.lineno, None, exc.message or "")]
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        mark = exc.problem_mark
        return [Problem(_relative(mark.name, templates), mark.line + 1, None,
                        f"is not valid YAML: {exc.problem or exc.context}")]
    file, line = _template_frame(exc, templates)
    if isinstance(exc, (GeneratorError, jinja2.TemplateError)):
        return [Problem(file, line, None, str(exc))]
    return [Problem(file, line, None,
                    f"{type(exc).__name__} while building; run `python -m generator build` for details")]


def _relative(name: str, templates: Path) -> str:
    try:
        return str(Path(name).resolve().relative_to(templates.parent))
    except (ValueError, OSError):
        return name


def _template_frame(exc: BaseException, templates: Path) -> tuple[str, int | None]:
    """The innermost template file and line in a traceback (Jinja maps frames to template lines)."""
    where: tuple[str, int | None] = ("", None)
    for frame, line in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.startswith(str(templates)):
            where = (_relative(name, templates), line)
    return where


@dataclass
class Rebuild:
    """What one rebuild did, for the log and for the open pages."""

    ok: bool
    changed: set[str] = field(default_factory=set)
    problems_changed: bool = False
    seconds: float = 0.0


class DevSite:
    """The site as served: the last good files in memory, and the problems of the last rebuild."""

    def __init__(self, scenarios: Path, templates: Path = TEMPLATES):
        self.scenarios = Path(scenarios)
        self.templates = templates
        self.files: dict[str, bytes] = {}
        self.problems: list[Problem] = []
        # A page's generation: this run (a restarted server's pages are stale) and the number of
        # rebuilds that changed what a page shows (a file, or the problems).
        self._run = secrets.token_hex(4)
        self._rebuilds = 0
        self.scenario_pages: dict[str, str] = {}
        # One environment for the server's life: Jinja recompiles a template only when
        # its file changed, which saves most of a cold build's time.
        self._env = make_environment(templates)
        self._dev = jinja2.Environment(loader=jinja2.FileSystemLoader(str(DEV)), autoescape=True,
                                       trim_blocks=True, lstrip_blocks=True)
        self._dev.globals["counted"] = counted
        # Keeps the last good plan: a saved scenario re-renders only the pages that show it (issue 8).
        self._rebuilder = Rebuilder(self.scenarios, self._env)

    def rebuild(self, changed_file: str | None = None) -> Rebuild:
        """Rebuild after `changed_file` was saved (None: everything, as at start)."""
        start = time.perf_counter()
        before = self.problems
        try:
            if changed_file and self.files and not before:
                rendered = self._rebuilder.changed([Path(changed_file)])
            else:
                old = self._rebuilder.files
                self._rebuilder.full()
                rendered = {path: text for path, text in self._rebuilder.files.items() if old.get(path) != text}
        except Exception as exc:  # noqa: BLE001 — the server outlives any broken input
            self.problems = problems_of(exc, self.templates)
            return self._counted(Rebuild(False, set(), self.problems != before, time.perf_counter() - start))
        gone = self.files.keys() - self._rebuilder.files.keys()
        files = {path: data for path, data in self.files.items() if path not in gone}
        files.update((path, text.encode("utf-8")) for path, text in rendered.items())
        changed = set(rendered) | gone
        self.files = files
        self.problems = []
        self.scenario_pages = _scenario_pages(files)
        return self._counted(Rebuild(True, changed, bool(before), time.perf_counter() - start))

    def _counted(self, result: Rebuild) -> Rebuild:
        if result.changed or result.problems_changed:
            self._rebuilds += 1
        return result

    @property
    def generation(self) -> str:
        """What a page served now carries, and reports when it connects."""
        return f"{self._run}-{self._rebuilds}"

    def page_of(self, changed_file: str | None) -> str | None:
        """The page of a saved scenario file, if it has one in the current site."""
        if not changed_file:
            return None
        path = Path(changed_file)
        if path.parent.resolve() != self.scenarios.resolve():
            return None
        return self.scenario_pages.get(path.stem)

    def respond(self, key: str) -> tuple[int, bytes]:
        """Status and body for one site path, with the dev additions in HTML."""
        if key in self.files:
            body = self.files[key]
            return 200, self._inject(body.decode("utf-8")) if key.endswith(".html") else body
        if not self.files:
            return 500, self._dev_page("No site yet", "The first build failed; the problems are listed above.")
        return 404, self._dev_page("Not found", "This page is not part of the site.")

    def _inject(self, html: str) -> bytes:
        """Add the reload scripts (as files: the CSP stays strict) and any problems."""
        head = self._dev.get_template("head.html").render(generation=self.generation)
        html = html.replace(_HEAD_END, head + _HEAD_END, 1)
        if self.problems:
            panel = self._dev.get_template("problems.html").render(problems=self.problems,
                                                                    has_site=bool(self.files))
            html = _BODY_START.sub(lambda m: m.group(0) + "\n" + panel, html, count=1)
        return html.encode("utf-8")

    def _dev_page(self, title: str, text: str) -> bytes:
        return self._inject(self._dev.get_template("page.html").render(title=title, text=text))


def _scenario_pages(files: dict[str, bytes]) -> dict[str, str]:
    """{scenario id: page path}, read from the manifest: the site's own contract for tools."""
    try:
        entries = json.loads(files["scenarios.json"])["scenarios"]
        return {entry["id"]: entry["path"] for entry in entries}
    except (KeyError, TypeError, ValueError):
        return {}


class _ReloadSocket(LiveReloadHandler):
    """livereload's WebSocket handshake, with per-server waiters and same-origin pages only."""

    def initialize(self, waiters: set[_ReloadSocket], site: DevSite) -> None:
        self.waiters = waiters
        self.site = site
        self.open_page: str | None = None
        self.served_generation: str | None = None  # as the page reported it when it connected

    def check_origin(self, origin: str) -> bool:
        # livereload accepts any origin; a page of another site has no business here.
        return urlsplit(origin).netloc == self.request.host

    def on_message(self, message: str) -> None:
        super().on_message(message)
        # livereload keeps waiters in one class-wide set, which would mix servers in one
        # process (tests); keep ours apart, and remember which page each one shows.
        LiveReloadHandler.waiters.discard(self)
        data = json.loads(message)
        if data.get("command") == "info" and "url" in data:
            self.open_page = site_path(urlsplit(str(data["url"])).path)
            self.served_generation = _reported_generation(data)
            self.waiters.add(self)
            # A page that loaded during a rebuild, or one of an earlier run: it missed what changed.
            if self.served_generation not in (None, self.site.generation):
                self.send_message(reload_message("*"))

    def on_close(self) -> None:
        self.waiters.discard(self)


def reload_message(path: str) -> dict:
    """livereload's command to reload `path` ("*": the page itself; a page path: go there)."""
    return {"command": "reload", "path": path, "liveCSS": True, "liveImg": True}


def _reported_generation(info: dict) -> str | None:
    """The generation our reload plugin reports in livereload's `info` (None from any other client)."""
    plugins = info.get("plugins")
    navigate = plugins.get("navigate") if isinstance(plugins, dict) else None
    generation = navigate.get("generation") if isinstance(navigate, dict) else None
    return generation if isinstance(generation, str) else None


class _DevAsset(web.RequestHandler):
    def get(self, name: str) -> None:
        self.set_header("Content-Type", DEV_ASSETS[name])
        self.set_header("Cache-Control", "no-store")
        self.write((DEV / name).read_bytes())


class _SiteFile(web.RequestHandler):
    """Any other path: a file of the in-memory site, never a file of the disk."""

    def initialize(self, site: DevSite) -> None:
        self.site = site

    def get(self) -> None:
        key = site_path(self.request.path)
        if key is None:
            raise web.HTTPError(403)
        if key not in self.site.files and f"{key}/index.html" in self.site.files:
            # Relative links in a page resolve against its folder, so the folder needs its slash.
            # Built from the key, not the raw path: "//host/x" would leave the site.
            self.redirect(f"/{key}/", permanent=True)
            return
        status, body = self.site.respond(key)
        kind = "text/html" if status != 200 else (mimetypes.guess_type(key)[0] or "application/octet-stream")
        self.set_status(status)
        self.set_header("Content-Type", f"{kind}; charset=utf-8" if kind.startswith("text/") else kind)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.write(body)

    head = get


class DevServer:
    """Serve `scenarios` on host:port until stop(); port 0 takes a free one."""

    def __init__(self, scenarios: Path, host: str = "127.0.0.1", port: int = 8000,
                 templates: Path = TEMPLATES, log: Callable[[str], None] | None = None):
        self.site = DevSite(scenarios, templates)
        self.host, self.port = host, port
        self.log = log or (lambda line: print(line, flush=True))
        self.waiters: set[_ReloadSocket] = set()
        self.watched = (self.site.scenarios, templates)
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def _application(self) -> web.Application:
        return web.Application([
            (r"/livereload", _ReloadSocket, {"waiters": self.waiters, "site": self.site}),
            (r"/livereload\.js", LiveReloadJSHandler),
            (r"/_dev/(%s)" % "|".join(re.escape(name) for name in DEV_ASSETS), _DevAsset),
            (r"/.*", _SiteFile, {"site": self.site}),
        ], log_function=lambda handler: None)

    async def run(self, ready: Callable[[str], None] | None = None) -> None:
        """Listen, build, watch; return after stop()."""
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:  # before the build: a port in use is said at once, not after a long build
            sockets = netutil.bind_sockets(self.port, address=self.host, family=socket.AF_UNSPEC)
        except OSError as exc:
            raise GeneratorError(f"cannot listen on {self.host}:{self.port} ({exc.strerror}); "
                                 "choose another --port") from None
        self.port = sockets[0].getsockname()[1]
        try:
            self._report(self.site.rebuild(), "start")
        except BaseException:
            for sock in sockets:
                sock.close()
            raise
        server = httpserver.HTTPServer(self._application())
        server.add_sockets(sockets)
        watch = FolderWatch(self.watched, self._changed, self._loop)
        watch.start()
        if ready:
            ready(self.url)
        try:
            await self._stop.wait()
        finally:
            watch.stop()
            server.stop()
            for waiter in list(self.waiters):
                waiter.close()
            await server.close_all_connections()

    def stop(self) -> None:
        """Stop serving; safe to call from any thread."""
        if self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)

    def _changed(self, changed_file: str) -> None:
        result = self.site.rebuild(changed_file)
        self._report(result, changed_file)
        target = self.site.page_of(changed_file) if result.ok else None
        pages = set(self.site.scenario_pages.values())
        for waiter in list(self.waiters):
            path = reload_path(waiter.open_page, result.changed, target, pages, result.problems_changed)
            if path:
                waiter.send_message(reload_message(path))

    def _report(self, result: Rebuild, cause: str) -> None:
        cause = _relative(cause, self.site.templates) if cause != "start" else cause
        if result.ok:
            listed = ", ".join(sorted(result.changed)[:5]) + (" …" if len(result.changed) > 5 else "")
            self.log(f"{'built' if cause == 'start' else 'rebuilt'} in {result.seconds * 1000:.0f} ms ({cause}): "
                     f"{len(result.changed)} of {len(self.site.files)} files changed{': ' + listed if listed else ''}")
        else:
            self.log(f"build failed ({cause}); still serving the last good site:")
            for problem in self.site.problems:
                self.log(f"  {problem}")


def serve(scenarios: Path, host: str = "127.0.0.1", port: int = 8000) -> int:
    """The `serve` command: run until Ctrl+C."""
    server = DevServer(scenarios, host, port)

    def ready(url: str) -> None:
        print(f"Serving {url} (watching {scenarios}/ and templates/); Ctrl+C stops", flush=True)
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(f"note: {host} is reachable from other machines", flush=True)

    try:
        asyncio.run(server.run(ready))
    except KeyboardInterrupt:
        print("stopped")
    return 0
