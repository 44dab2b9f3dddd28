"""A built site over HTTP on 127.0.0.1 and a free port, in a background thread: how the review
opens the pages of each build, and how the browser tests open the site.

Over HTTP the pages of a site share one origin, as on the hosted site. From file:// each page is
an origin of its own, and Chromium stops painting a frame of another origin while it lies outside
the viewport: a full-page shot of the compare page showed its frames blank, or now and then
painted. Chromium's switch that makes file:// one origin would also let any page it opens read
any file of the machine. This server answers with the files of its folder only: a request is read
as the dev server reads it (urls.site_path: no "..", a folder's "/" is its index.html), and a file
whose real path is not in the folder (a symbolic link out of it) gets 404, as does a folder
without index.html (no listing).
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..urls import site_path


def _real(folder: Path, path: str) -> Path | None:
    """Where the site path `path` really is, symbolic links followed; None when that is outside
    `folder`, or nowhere (a loop of links)."""
    root = folder.resolve()
    try:
        real = (root / path).resolve()
    except RuntimeError:  # what pathlib raises for a loop
        return None
    return real if real.is_relative_to(root) else None


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    def send_head(self):
        target = urlsplit(self.path)
        asked = target.path
        path = site_path(asked) if not (target.scheme or target.netloc) else None  # no other host's address
        real = _real(Path(self.directory), path) if path is not None else None
        try:
            # A file; or a folder asked for without its "/", which the stdlib redirects to it.
            answerable = real is not None and (real.is_file() or (real.is_dir() and not asked.endswith("/")))
        except OSError:  # a name too long to look up
            answerable = False
        if not answerable:
            self.send_error(404)
            return None
        return super().send_head()

    def list_directory(self, path):  # never reached: a folder is only ever redirected
        self.send_error(404)
        return None

    def translate_path(self, path: str) -> str:
        """The file send_head judged, not the stdlib's own reading of the path (it decodes once)."""
        return str(Path(self.directory) / (site_path(urlsplit(path).path) or ""))

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


class SiteServer:
    """`with SiteServer(folder) as server:` serves `folder` at server.base until the block ends."""

    def __init__(self, folder: Path):
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
        """The site path a request for `url` names (urls.site_path), whether this build has that
        file or not; None for an address of another server or one that would leave the site."""
        return site_path(urlsplit(url).path) if url.startswith(self.base) else None

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
