"""The site file a URL path names: one reading for both servers that answer with a built site,
the dev server (dev/serve.py) and the review's (review/site_server.py)."""
from __future__ import annotations

from urllib.parse import unquote


def site_path(request_path: str) -> str | None:
    """The site file a URL path names ("/" → index.html), or None when it tries to leave the site.

    Percent-decoding is repeated until stable, so encoded and double-encoded `..`
    are caught as well as plain ones; backslashes and NUL are refused outright.
    """
    path = request_path
    for _ in range(5):
        decoded = unquote(path)
        if decoded == path:
            break
        path = decoded
    else:
        return None
    if "\\" in path or "\0" in path:
        return None
    parts = path.split("/")
    if any(part in (".", "..") for part in parts):
        return None
    key = "/".join(part for part in parts if part)
    if not key or path.endswith("/"):
        key = f"{key}/index.html".lstrip("/")
    return key
