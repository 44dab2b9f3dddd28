"""A built site over HTTP on 127.0.0.1 and a free port, in a background thread: how the review
opens the pages of each build, and how the browser tests open the site.

Over HTTP the pages of a site share one origin, as on the hosted site. From file:// each page is
an origin of its own, and Chromium stops painting a frame of another origin while it lies outside
the viewport: a full-page shot of the compare page showed its frames blank, or now and then
painted. Chromium's switch that makes file:// one origin would also let any page it opens read
any file of the machine. The server answers with the files of its folder only: a path or a
symbolic link that leads out of it, and a folder without index.html, get 404 (no listing).
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit


def site_path(folder: Path, relative: str) -> str | None:
    """The path, relative to `folder`, of the file a request for the site path `relative` is
    answered with: itself, or a folder's index.html, there or not; None when the path or a
    symbolic link on it leads out of the folder."""
    root = folder.resolve()
    path = (root / relative).resolve()
    if path.is_dir():
        path = (path / "index.html").resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else None


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        # The path as the stdlib reads it (no "..", no query), under the folder: then judged.
        relative = Path(self.translate_path(self.path)).relative_to(self.directory).as_posix()
        path = site_path(Path(self.directory), relative)
        if path is None or not (Path(self.directory) / path).is_file():
            self.send_error(404)
            return None
        return super().send_head()  # which also redirects a folder's path to its "/" form

    def list_directory(self, path):
        self.send_error(404)
        return None

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


class SiteServer:
    """`with SiteServer(folder) as server:` serves `folder` at server.base until the block ends."""

    def __init__(self, folder: Path):
        self.folder = folder
        handler = functools.partial(_SiteHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll: shutdown() waits for it, once per server at the end of a review.
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def url(self, relative: str) -> str:
        """The address of a file of the site, by its path relative to the folder."""
        return self.base + quote(relative)

    def path_of(self, url: str) -> str | None:
        """The site path a request for `url` asks for (site_path), None for an address of
        another server."""
        if not url.startswith(self.base):
            return None
        return site_path(self.folder, unquote(urlsplit(url).path).lstrip("/"))

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
