"""A built site over HTTP on 127.0.0.1 and a free port, in a background thread: how the review
opens the pages of each build, and how the browser tests open the site.

Over HTTP the pages of a site share one origin, as on the hosted site. From file:// each page is
an origin of its own, and Chromium stops painting a frame of another origin while it lies outside
the viewport: a full-page shot of the compare page showed its frames blank, or now and then
painted. Chromium's switch that makes file:// one origin would also let any page it opens read
any file of the machine; a server reads only its own folder.
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import quote


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
        pass


class SiteServer:
    """`with SiteServer(folder) as server:` serves `folder` at server.base until the block ends."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def url(self, relative: str) -> str:
        """The address of a file of the site, by its path relative to the folder."""
        return self.base + quote(relative)

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
