"""Injection-proof pages with a strict CSP, and output that is atomic and reproducible."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.output import workers as parallel
from generator import cli
from generator.output import write
from generator.build import build
from generator.errors import GeneratorError
from bundled import FEW, copy_scenarios, copy_with_journeys, neighbourhood

ROOT = Path(__file__).resolve().parent.parent

PAYLOADS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '"><svg onload=alert(1)>',
    "<a href=\"javascript:alert(1)\">x</a>", "<style>body{display:none}</style>", "<iframe src=//evil.example>",
    "{{ 7*7 }} {% raw %}", "[x](javascript:alert(1))", "[y](JaVaScRiPt:alert(1))",
    "[z](data:text/html;base64,PHNjcmlwdD4=)", "[w](vbscript:msgbox)", "<p style=\"color:red\">styled</p>",
    "![i](https://evil.example/p.png)", "&lt;script&gt; &#x3C;script&#x3E;",
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def injection_scenario() -> str:
    """Every free-text field of the format carries every payload."""
    inline = json.dumps(" ".join(PAYLOADS))
    markdown = json.dumps("[docs](https://example.org/docs)\n\n" + "\n\n".join(PAYLOADS))
    return f"""\
extends: _base
title:
  en: {inline}
  fr: {inline}
description: {markdown}
source:
  name: "<b onmouseover=alert(1)>N</b>"
schema:
  change: non_breaking
  changes:
    - field: "<script>f()</script>"
      change: added
      detail: "<img src=x onerror=d()>"
sync_runs:
  - started_at: 2026-05-03T06:00:00Z
    finished_at: 2026-05-03T06:05:00Z
    status: failed
    fetched: 1
    processed: 0
    failed: 1
    api_version: "2026-04"
    error: {{code: boom, http_status: 500, message: "<script>m()</script> [l](javascript:x)"}}
"""


#: The bundled journey of the hostile site, and the scenarios beside the injection one.
JOURNEY = "failed-sync-recovery.yml"
HOSTILE_NEIGHBOURS = FEW + ("refs-present.yml", "exchange-enabled.yml", "first-sync-failed.yml",
                            "first-sync-retried.yml")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    """A few bundled scenarios and a journey through three of them (every kind of page exists), and the
    injection scenario, which reaches the overview, galleries and compare pairs too."""
    folder = copy_scenarios(tmp_path_factory.mktemp("hostile") / "scenarios", HOSTILE_NEIGHBOURS)
    (folder / "journeys").mkdir()
    shutil.copyfile(ROOT / "scenarios/journeys" / JOURNEY, folder / "journeys" / JOURNEY)
    (folder / "injection.yml").write_text(injection_scenario(), encoding="utf-8")
    out = folder.parent / "site"
    build(folder, out)
    return out


@pytest.fixture(scope="module")
def hostile_pages(hostile_site) -> list[tuple[Path, BeautifulSoup]]:
    """Every page of the hostile site, parsed once for the tests that read them all."""
    return [(p, BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser"))
            for p in sorted(hostile_site.rglob("*.html"))]


@pytest.fixture(scope="module")
def every_page(hostile_pages, site, page) -> list[tuple[Path, BeautifulSoup]]:
    """The hostile site's pages and every page of the bundled site (the session's build), whose
    descriptions, names and journeys the hostile site holds only a few of."""
    return hostile_pages + [(p, page(p.relative_to(site).as_posix())) for p in sorted(site.rglob("*.html"))]


def test_every_page_starts_with_charset_then_a_strict_csp_and_referrer_policy(hostile_site, hostile_pages,
                                                                              every_page):
    found = hostile_pages
    ids = ["injection"] + [Path(name).stem for name in HOSTILE_NEIGHBOURS if not name.startswith("_")]
    paths = {p.relative_to(hostile_site).as_posix() for p, _ in found}
    assert {f"{prefix}scenarios/{sid}/index.html" for sid in ids for prefix in ("", "fr/")} <= paths
    kinds = ("journeys/", "outcomes/", "gallery/", "compare/index.html", "404.html")
    assert [kind for kind in kinds if not any(kind in path for path in paths)] == [], "a kind of page is missing"
    assert [path for path in paths if "compare/" in path and "--" in path], "no compare pair page"
    for path, soup in every_page:
        head = [el for el in soup.head.children if getattr(el, "name", None)]
        assert head[0].name == "meta" and head[0].get("charset") == "utf-8", path
        csp = head[1]
        assert csp.get("http-equiv") == "Content-Security-Policy", path
        directives = {d.split()[0]: d.split()[1:] for d in csp["content"].split(";") if d.strip()}
        assert directives["default-src"] == ["'none'"]
        for name in ("script-src", "style-src", "img-src", "connect-src", "frame-src"):
            assert directives.get(name, ["'none'"]) in (["'self'"], ["'none'"]), (name, directives)
        # Frames only where the side-by-side view needs them.
        assert ("frame-src" in directives) == path.as_posix().endswith("compare/index.html"), path
        assert directives["base-uri"] == ["'none'"] and directives["form-action"] == ["'none'"]
        sources = " ".join(" ".join(v) for v in directives.values())
        for weak in ("unsafe-inline", "unsafe-eval", "*", "http:", "https:", "data:", "blob:"):
            assert weak not in sources.split() and f"'{weak}'" not in sources.split(), weak
        assert soup.find("meta", attrs={"name": "referrer"})["content"] == "no-referrer"


def test_no_inline_script_or_style_and_no_active_content_on_any_page(every_page):
    for path, soup in every_page:
        assert soup.find_all(["style", "object", "embed", "img", "form"]) == [], path
        # Only the side-by-side view frames pages, and only the site's own: compare.js sets their src.
        frames = soup.find_all("iframe")
        if path.as_posix().endswith("compare/index.html"):
            assert len(frames) == 2 and all("src" not in f.attrs and "srcdoc" not in f.attrs for f in frames), path
        else:
            assert frames == [], path
        # The one SVG is the overview's journey map, drawn by the build: no script, no event handler.
        for svg in soup.find_all("svg"):
            assert "journey-map" in svg.parent.get("class", []), path
            assert not svg.find_all(["script", "foreignobject", "style"]), path
            assert not [a for tag in svg.find_all(True) for a in tag.attrs if a.lower().startswith("on")], path
        for script in soup.find_all("script"):  # the site's own scripts are files, never inline
            assert script.get("src", "").endswith(".js") and not script.get_text(strip=True), (path, script)
        for el in soup.find_all(True):
            assert not any(attr.lower().startswith("on") for attr in el.attrs), (path, el.name, el.attrs)
            assert "style" not in el.attrs, (path, el.name)
            for attr in ("href", "src", "action"):
                url = el.get(attr, "").strip().lower()
                assert not url.startswith(("javascript:", "data:", "vbscript:")), (path, url)
                if url.startswith(("http:", "https:", "mailto:")):
                    assert el.find_parent(class_="description"), (path, url)  # only scenario Markdown links out


def test_html_in_text_fields_shows_as_text(hostile_site):
    soup = BeautifulSoup((hostile_site / "scenarios/injection/index.html").read_text(encoding="utf-8"), "html.parser")
    assert "<script>alert(1)</script>" in soup.h1.get_text() and "<iframe src=//evil.example>" in soup.h1.get_text()
    assert "<b onmouseover=alert(1)>N</b>" in soup.h1.get_text()
    technical = soup.select_one('[data-section="technical-status"]').get_text()
    assert "<script>f()</script>" in technical and "<img src=x onerror=d()>" in technical
    history = soup.select_one('[data-section="sync-history"]').get_text()
    assert "<script>m()</script>" in history
    assert "{{ 7*7 }}" in soup.h1.get_text() and "49" not in soup.h1.get_text()


def test_markdown_links_keep_only_safe_schemes(hostile_site):
    soup = BeautifulSoup((hostile_site / "scenarios/injection/index.html").read_text(encoding="utf-8"), "html.parser")
    description = soup.select_one(".description")
    links = description.find_all("a")
    assert links, "the payload has Markdown links; some must render as links"
    for a in links:
        href = a.get("href")
        assert href is None or href.startswith(("https://", "http://", "mailto:")), href
        if href:
            assert set(a.get("rel", [])) >= {"noopener", "noreferrer", "nofollow"}


def test_two_builds_are_byte_identical_whatever_the_clock_or_file_order(tmp_path, monkeypatch):
    """On the failed-sync neighbourhood and its journeys (bundled.neighbourhood), not the 40 scenarios:
    files of every stage, chains of `extends`, journeys, and every kind of page, in both languages,
    which is all that file order or the clock could reorder or stamp, at a third of the cost."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    source = copy_with_journeys(tmp_path / "scenarios", neighbourhood("failed-sync.yml"))
    build(source, tmp_path / "a")
    # Same input, copied in reverse order (another directory order), later in time. The same
    # SOURCE_DATE_EPOCH: the footer shows it (issue 9), and it is part of the environment.
    folder = tmp_path / "reversed"
    folder.mkdir()
    for path in sorted(source.iterdir(), reverse=True):
        if path.is_dir():  # the journeys
            shutil.copytree(path, folder / path.name)
        else:
            shutil.copyfile(path, folder / path.name)
    build(folder, tmp_path / "b")
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) > 3
    assert [name for name in a if a[name] != b[name]] == []


@pytest.mark.parametrize("failure", [OSError("disk full"), KeyboardInterrupt()])
def test_a_build_that_fails_while_writing_leaves_the_previous_site_intact(tmp_path, monkeypatch, capsys, failure,
                                                                          few):
    out = tmp_path / "site"
    assert cli.main(["build", "--scenarios", str(few), "--out", str(out)]) == 0
    before = snapshot(out)
    real_write, written = parallel.write_file, []

    def failing_write(staging, path, *args, **kwargs):
        written.append(path)
        if len(written) == 3:  # some files are already in the staging folder
            raise failure
        return real_write(staging, path, *args, **kwargs)

    # Serial, so that the interrupt reaches the build as a user's Ctrl+C would.
    monkeypatch.setenv("GENERATOR_WORKERS", "1")
    monkeypatch.setattr(parallel, "write_file", failing_write)
    code = cli.main(["build", "--scenarios", str(few), "--out", str(out)])
    assert code == (130 if isinstance(failure, KeyboardInterrupt) else 2)
    assert len(written) == 3
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no staging folder left behind


def test_a_failed_swap_puts_the_previous_site_back(tmp_path, monkeypatch, few):
    out = tmp_path / "site"
    build(few, out)
    before = snapshot(out)
    real_replace = os.replace

    def replace(src, dst):
        if Path(src).name.startswith(".site-new-"):
            raise OSError("rename failed")
        return real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", replace)
    monkeypatch.setattr(write, "exchange", lambda a, b: False)  # as where renameat2 is missing: two renames
    with pytest.raises(GeneratorError, match="the previous site is unchanged"):
        build(few, out)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
