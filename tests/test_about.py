"""The "about this build" footer, 404.html and robots.txt, and builds that are byte-reproducible."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from generator.site.render import Catalogue
from bs4 import BeautifulSoup

from generator import __version__
from generator.build import build
from generator.site.about import SHORT, build_info
from generator.errors import GeneratorError

ROOT = Path(__file__).resolve().parent.parent
CI_VARIABLES = ("GITHUB_SHA", "SOURCE_DATE_EPOCH")
SHA = "0123456789abcdef0123456789abcdef01234567"


def build_with(scenarios: Path, out: Path, **environ: str) -> Path:
    """Build `scenarios` in a process whose CI variables are exactly `environ`."""
    env = {k: v for k, v in os.environ.items() if k not in CI_VARIABLES} | environ
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--scenarios", str(scenarios),
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return out


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


#: The footer alone is parsed: a whole page costs ~25 ms, and every page of two sites is read.
FOOTER = re.compile(r'<footer class="about".*?</footer>', re.S)


def footer(path: Path) -> dict[str, str]:
    [html] = FOOTER.findall(path.read_text(encoding="utf-8"))
    [about] = BeautifulSoup(html, "html.parser").select("footer.about")
    return {el["data-about"]: el.get_text(strip=True) for el in about.select("[data-about]")}


@pytest.fixture(scope="module")
def ci_site(tmp_path_factory, few) -> Path:
    """Built in this process, its CI variables set for the build alone (no interpreter to start: the
    builds compared byte for byte below are the ones that need processes of their own)."""
    out = tmp_path_factory.mktemp("ci") / "site"
    with pytest.MonkeyPatch.context() as environ:
        for name in CI_VARIABLES:
            environ.delenv(name, raising=False)
        environ.setenv("GITHUB_SHA", SHA)
        environ.setenv("SOURCE_DATE_EPOCH", "1700000000")
        build(few, out)
    return out


@pytest.fixture(scope="module")
def local_site(tmp_path_factory, few) -> Path:
    return build_with(few, tmp_path_factory.mktemp("local") / "site")


def test_every_page_carries_the_footer_with_what_ci_provides(ci_site):
    count = len(json.loads((ci_site / "scenarios.json").read_text())["scenarios"])
    date = datetime.fromtimestamp(1700000000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    pages = html_pages(ci_site)
    scenario_pages = [p for p in pages if p.parent.parent.name == "scenarios"]
    assert len(scenario_pages) == 2 * count  # every scenario, in two languages
    for page in pages:
        assert footer(page) == {"version": __version__, "revision": SHA[:SHORT],
                                "scenarios": str(count), "built-at": date}, page


def test_a_local_build_has_no_revision_and_no_date(local_site):
    for page in html_pages(local_site):
        about = footer(page)
        locale = "fr" if page.relative_to(local_site).parts[0] == "fr" else "en"
        assert "built-at" not in about, page
        assert about["revision"] == Catalogue.load(locale)("about.revision_none"), page


def test_same_input_and_environment_give_the_same_bytes(local_site, tmp_path, few):
    again = build_with(few, tmp_path / "site")
    files = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(local_site) for p in local_site.rglob("*") if p.is_file())
    for relative in files:
        assert (again / relative).read_bytes() == (local_site / relative).read_bytes(), relative


@pytest.mark.parametrize("environ, message", [
    ({"GITHUB_SHA": "main; rm -rf /"}, "GITHUB_SHA is set but is not a commit id"),
    ({"SOURCE_DATE_EPOCH": "yesterday"}, "SOURCE_DATE_EPOCH must be a whole number"),
    ({"SOURCE_DATE_EPOCH": "-5"}, "SOURCE_DATE_EPOCH must be a whole number"),
    ({"SOURCE_DATE_EPOCH": "9" * 30}, "SOURCE_DATE_EPOCH is out of range"),
])
def test_malformed_ci_variables_are_refused_without_echoing_them(environ, message):
    with pytest.raises(GeneratorError, match=message) as caught:
        build_info(3, environ)
    assert next(iter(environ.values())) not in str(caught.value)


def test_robots_txt_keeps_every_crawler_out(local_site):
    lines = [line.split("#")[0].strip() for line in (local_site / "robots.txt").read_text().splitlines()]
    directives = [line for line in lines if line]
    assert directives == ["User-agent: *", "Disallow: /"]


def test_404_works_from_any_depth(local_site):
    """Served for any missing address, so nothing in it may depend on where it is served from."""
    soup = BeautifulSoup((local_site / "404.html").read_text(encoding="utf-8"), "html.parser")
    assert soup.find("link", rel="stylesheet") is None
    assert [a["href"] for a in soup.select("[href]")] == ["#main"]  # only the in-page skip link
    assert not soup.select("[src]")
    # It points to every page, as text the reader can append to the site's address.
    listed = {code.get_text() for code in soup.select("main code")}
    manifest = json.loads((local_site / "scenarios.json").read_text())
    assert listed == {"index.html", *(entry["path"] for entry in manifest["scenarios"])}
