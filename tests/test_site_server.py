"""The review's server (generator/review/site_server.py): the files of its folder, nothing else.

What a page under review can ask for is whatever its scripts write, so the server is asked here
directly, with addresses a browser would normalise before sending.
"""
from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from generator.review.site_server import SiteServer


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A server of a folder with a page, a folder page, a folder without one, links in and out."""
    top = tmp_path_factory.mktemp("served")
    site = top / "site"
    (site / "sub").mkdir(parents=True)
    (site / "bare").mkdir()
    (top / "outside.txt").write_text("outside")
    (site / "inside.txt").write_text("inside")
    (site / "sub" / "index.html").write_text("sub page")
    (site / "alias.txt").symlink_to("inside.txt")
    (site / "out.txt").symlink_to(top / "outside.txt")
    (site / "up").symlink_to("..")
    (site / "odd" / "index.html").mkdir(parents=True)  # a folder named as a page, holding a link out
    (site / "odd" / "index.html" / "index.html").symlink_to(top / "outside.txt")
    (site / "aA.txt").write_text("inside")
    (site / "a%41.txt").symlink_to(top / "outside.txt")  # what the stdlib's one decoding would name
    (site / "loop").symlink_to("loop")
    with SiteServer(site) as server:
        yield server


def _get(server: SiteServer, path: str) -> tuple[int, bytes]:
    host, port = server.httpd.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path, status, body", [
    ("/inside.txt", 200, b"inside"),
    ("/inside.txt?x=1", 200, b"inside"),
    ("/alias.txt", 200, b"inside"),  # a link that stays in the folder
    ("/sub/", 200, b"sub page"),
    ("/sub", 301, None),  # to "/sub/", as a hosted site does
])
def test_the_files_of_the_folder_are_served(served, path, status, body):
    got, content = _get(served, path)
    assert got == status, path
    if body is not None:
        assert content == body, path


@pytest.mark.parametrize("path", [
    "/out.txt", "/up/outside.txt",  # symbolic links out of the folder
    "/../outside.txt", "/%2e%2e/outside.txt", "/..%2foutside.txt", "/sub/..%2f..%2foutside.txt",
    "/%252e%252e/outside.txt", "//outside.txt", "/a%00b", "/a%5c..%5coutside.txt",
    "/", "/bare/", "/odd/",  # no page there, and no listing of the folder
    "/odd/index.html/",  # through the redirect of /odd/index.html: a link out
    "/missing.txt", "/loop", "/" + "x" * 300,  # unreadable names: 404, not a broken connection
    "http://example.com/sub",  # another host's address: no redirect there
])
def test_nothing_else_is(served, path):
    status, content = _get(served, path)
    assert status == 404, (path, status)
    assert b"outside" not in content and b"Directory listing" not in content, path


def test_the_file_judged_is_the_file_served(served):
    """urls.site_path decodes until stable, the stdlib once: the server answers with the file it
    judged ("aA.txt"), not a file the stdlib would have read ("a%41.txt", a link out)."""
    assert _get(served, "/a%2541.txt") == (200, b"inside")


def test_an_address_names_the_site_path_it_asks_for(served):
    """What the review records a page asking for: the path by its name in the build (a link is not
    followed: the other build may hold a file there), a folder's "/" as its index.html."""
    assert served.path_of(served.url("inside.txt") + "?v=2#top") == "inside.txt"
    assert served.path_of(served.url("alias.txt")) == "alias.txt"
    assert served.path_of(served.url("sub/")) == "sub/index.html"
    assert served.path_of(served.base) == "index.html"
    assert served.path_of(served.url("gone/page.html")) == "gone/page.html"
    assert served.path_of(served.base + "a%00b") is None
    assert served.path_of("http://example.com/inside.txt") is None
