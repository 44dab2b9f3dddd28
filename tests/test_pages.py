"""Rendered pages, read back with BeautifulSoup: sections, badges and facts follow the derived state."""
from __future__ import annotations

import functools
import json
import re

import pytest

from generator.core.derive import derive
from generator.site.render import SECTIONS

SCENARIOS = ["missing-refs", "healthy", "schema-changed", "failed-sync"]
SECRET_LIKE = re.compile(r"shp(ss|at|ca|pa)_[a-fA-F0-9]{8,}")


def scenario_page(page, sid):
    return page(f"scenarios/{sid}/index.html")


def test_four_required_scenarios_are_built(site):
    manifest = json.loads((site / "scenarios.json").read_text())
    ids = [entry["id"] for entry in manifest["scenarios"]]
    assert set(SCENARIOS) <= set(ids)
    for entry in manifest["scenarios"]:
        assert (site / entry["path"]).is_file()


def test_every_page_has_all_thirteen_sections_once(site, page, bundled_scenarios):
    assert len(SECTIONS) == 13
    for s in bundled_scenarios:
        soup = scenario_page(page, s.id)
        found = [el["data-section"] for el in soup.select("[data-section]")]
        assert found == list(SECTIONS), s.id
        for el in soup.select("[data-section]"):
            assert el.find(["h2"]) is not None, (s.id, el["data-section"])


def test_pages_show_what_the_core_derived(page, bundled_scenarios):
    """Badges are checked against derive(), the single source, for every bundled scenario."""
    for s in bundled_scenarios:
        d = derive(s)
        soup = scenario_page(page, s.id)
        readiness = soup.select_one('[data-section="readiness"] .badge[data-code]')
        assert readiness["data-code"] == d.readiness
        checks = {li["data-check"]: li.select_one(".badge")["data-code"] for li in soup.select("[data-check]")}
        assert checks == {i.code: ("ok" if i.ok else "todo") for i in d.checklist}
        health = soup.select_one('[data-section="health"] .big .badge')
        assert health["data-code"] == d.health.status
        actions = {li["data-action"]: li["data-allowed"] == "true" for li in soup.select("[data-action]")}
        assert actions == {a.code: a.allowed for a in d.actions}
        creds = {li["data-credential-action"]: li["data-allowed"] == "true"
                 for li in soup.select("[data-credential-action]")}
        assert creds == {a.code: a.allowed for a in d.credential_actions}
        runs = [tr["data-run"] for tr in soup.select("[data-run]")]
        assert runs == [r.status for r in d.sync_runs]
        findings = [li["data-finding"] for li in soup.select("[data-finding]")]
        assert findings == [f.code for f in d.source_health]
        issues = [li["data-issue"] for li in soup.select("[data-issue]")]
        assert issues == [f.code for f in d.data_quality]


def test_flags_are_visible_facts(page):
    for sid in SCENARIOS:
        facts = [el.get_text(" ", strip=True) for el in scenario_page(page, sid).select(
            '[data-section="credentials"] [data-fact]')]
        assert "valueDisplayed: false" in facts
        assert "performsRealAction: false" in facts
        assert any(f.startswith("persistenceEnabled: ") for f in facts)


def test_missing_refs_reproduces_the_reference(page):
    soup = scenario_page(page, "missing-refs")
    text = soup.get_text(" ", strip=True)
    assert "SECRET_REFS_MISSING" in text
    assert "cyspera-ch.myshopify.com" in text and "shop_ch_•••1" in text
    checks = {li["data-check"]: li.select_one(".badge").get_text(strip=True) for li in soup.select("[data-check]")}
    # The reference's outcome: refs, manager and flags to do; scopes and plan OK.
    assert checks == {"client_id_ref": "To do", "client_secret_ref": "To do", "secret_manager": "To do",
                      "scopes_v1": "OK", "exchange_flags": "To do", "plan_pro": "OK"}
    assert [li["data-issue"] for li in soup.select("[data-issue]")][0] == "credential_missing"
    # Unlike the reference, the page never says healthy beside a blocking issue.
    assert soup.select_one('[data-section="health"] .big .badge')["data-code"] != "healthy"
    assert "No data quality alert" not in soup.select_one('[data-section="data-quality"]').get_text()


def test_healthy_is_healthy_everywhere(page):
    soup = scenario_page(page, "healthy")
    assert soup.select_one('[data-section="health"] .big .badge')["data-code"] == "healthy"
    assert soup.select_one('[data-section="readiness"] .badge')["data-code"] == "READY"
    assert not soup.select("[data-finding]")
    assert "No data quality alert" in soup.select_one('[data-section="data-quality"]').get_text()
    assert soup.select_one('[data-fact="token-cache"] .badge')["data-code"] == "active"


def test_schema_changed_and_failed_sync_show_their_cause(page):
    schema = scenario_page(page, "schema-changed")
    assert schema.select_one('[data-field="schema_changed"] .badge').get_text(strip=True) == "Yes"
    assert schema.select_one('[data-action="acknowledge_schema_change"]')["data-allowed"] == "true"
    assert "Order.cartToken" in schema.select_one('[data-section="technical-status"]').get_text()
    failed = scenario_page(page, "failed-sync")
    assert failed.select_one('[data-finding="LAST_SYNC_FAILED"]') is not None
    assert failed.select_one('[data-action="retry_failed_sync"]')["data-allowed"] == "true"
    assert failed.select("[data-run]")[0]["data-run"] == "failed"


def test_every_action_has_a_preview_that_executes_nothing(page):
    for sid in SCENARIOS:
        soup = scenario_page(page, sid)
        for item in soup.select("[data-action], [data-credential-action]"):
            details = item.find("details")
            assert details is not None and details.find("summary") is not None
            body = details.get_text(" ", strip=True)
            assert "No execution" in body and "performsRealAction: false" in body


def test_links_are_relative_and_resolve(site, page):
    # Pages of one folder link the same files (~18,500 links, ~10,500 targets): each looked up once.
    exists = functools.cache(lambda target: target.resolve().exists())
    for html in site.rglob("*.html"):
        soup = page(str(html.relative_to(site)))
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src")):
            for el in soup.find_all(tag):
                url = el.get(attr)
                if not url or url.startswith("#") or url.startswith(("https://", "http://", "mailto:")) and tag == "a" \
                        and el.find_parent(class_="description"):
                    continue
                assert not re.match(r"^(/|[a-z]+:)", url), (html, url)
                assert exists(html.parent / url.split("#")[0].split("?")[0]), (html, url)


def test_overview_lists_every_scenario_with_key_badges(page, bundled_scenarios):
    soup = page("index.html")
    rows = soup.select("tr[data-scenario]")
    assert [r["data-scenario"] for r in rows] == [s.id for s in bundled_scenarios]
    for row, s in zip(rows, bundled_scenarios):
        d = derive(s)
        codes = [b["data-code"] for b in row.select(".badge")]
        assert codes == [d.readiness, d.health.status,
                         d.last_finished_sync.status if d.last_finished_sync else "none"]


def test_no_page_contains_a_secret_like_string(site):
    for path in site.rglob("*"):
        if path.is_file():
            assert not SECRET_LIKE.search(path.read_text(encoding="utf-8")), path


def test_markdown_is_sanitised(tmp_path, write_scenarios):
    from generator.build import build
    base = (ROOT_SCENARIOS / "_base.yml").read_text()
    folder = write_scenarios({"_base.yml": base, "x.yml": (
        "extends: _base\ntitle: '<script>alert(1)</script>'\n"
        "description: \"[click](javascript:alert(1)) <img src=x onerror=alert(1)> **ok**\"\n")})
    build(folder, tmp_path / "out")
    html = (tmp_path / "out/scenarios/x/index.html").read_text()
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html and "onerror" not in html
    assert "<strong>ok</strong>" in html


from pathlib import Path  # noqa: E402

ROOT_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


def test_headings_form_an_outline_on_every_page(site, page):
    """One h1 first; each heading at most one level deeper than the one before it."""
    broken = {}
    for html in site.rglob("*.html"):
        relative = str(html.relative_to(site))
        levels = [int(h.name[1]) for h in page(relative).find_all(re.compile(r"^h[1-6]$"))]
        if not levels or levels[0] != 1 or levels.count(1) != 1 or any(b > a + 1 for a, b in zip(levels, levels[1:])):
            broken[relative] = levels
    assert not broken, broken


def test_every_coloured_status_carries_a_word(site, page):
    """Every element with a tone (a colour) says its status in words, on every page (that the same
    words never come in two colours, symbols included, is checked as rendered:
    tests/browser/test_browser_a11y.py)."""
    for html in site.rglob("*.html"):
        relative = str(html.relative_to(site))
        for element in page(relative).select('[class*="tone-"]'):
            assert any(ch.isalpha() for ch in element.get_text()), (relative, str(element)[:200])


def test_no_two_files_of_the_site_take_the_same_path_whatever_the_scenarios_are_named(site):
    """A scenario's files are named after its id, beside files of fixed names (compare/data/<id>.js
    beside the compare tables): ids that are those names, or the folders', must not overwrite them."""
    from collections import Counter
    from factories import scenario
    from generator.model.load import ID_PATTERN
    from generator.output.plan import Plan
    fixed = {Path(p).stem.split(".")[0] for p in (str(f.relative_to(site)) for f in site.rglob("*"))} \
        | {f.name for f in site.rglob("*") if f.is_dir()}
    names = sorted(n for n in fixed if ID_PATTERN.match(n))
    assert "index" in names and "data" in names and "compare" in names
    # Names a site file takes whole (compare/data/index.rows.js): the loader refuses them as ids.
    assert not [n for n in {f.name.removesuffix(".js") for f in site.rglob("*.js")} if "." in n and ID_PATTERN.match(n)]
    plan = Plan.make([scenario(id=name, lifecycle=i) for i, name in enumerate(names)])
    written = Counter(path for job in plan.jobs() for path, _ in plan.render(job))
    assert [path for path, times in written.items() if times > 1] == []
