"""Compare: the diff of derived rows (plain unit tests), its causes, and the rendered compare pages."""
from __future__ import annotations

import json
import re
from itertools import permutations, product

import pytest

from factories import HEALTHY, scenario
from generator.site.compare import BASELINE, align, compare, pair_path, pairs, side
from generator.site.compare_pages import INDEX_DATA, SCENARIO_LIST
from generator.core.derive import derive
from generator.core.rows import rows


def assigned(path):
    """The JSON a generated data script assigns: `window.Name = …;` or `(…)["id"] = …;`."""
    text = path.read_text(encoding="utf-8")
    return json.loads(text[re.match(r'(window\.\w+|\(.*?\)\[".*?"\]) = ', text).end():].rstrip(";\n"))


def side_of(s):
    return side(s, derive(s))


def state(s) -> dict[tuple[str, str], str]:
    return {(r.section, r.field): r.value for r in rows(s, derive(s))}


def expected_differences(a: dict, b: dict) -> int:
    """Independent of compare(): keys of either side whose values are not the same on both."""
    return sum(1 for key in a.keys() | b.keys() if a.get(key) != b.get(key))


@pytest.fixture(scope="module")
def derived(bundled_scenarios) -> list[tuple[object, dict, list]]:
    """Each bundled scenario's (side_of, state, rows), made once: the tests of every bundled pair
    check compare() and align() on 40 × 40 pairs, which derived (and recorded) each side 80 times.
    derive, record and rows are pure: the same values, only not made again for every pair."""
    out = []
    for s in bundled_scenarios:
        d = derive(s)
        own = rows(s, d)
        out.append((side(s, d), {(r.section, r.field): r.value for r in own}, own))
    return out


# --- the diff, as plain unit tests ------------------------------------------------

def test_identical_pair_has_no_difference(bundled_scenarios):
    for s in bundled_scenarios:
        c = compare(side_of(s), side_of(s))
        assert c.differences == 0 and c.facts == ()
        assert [(line.section, line.field) for line in c.lines] == list(state(s))


def test_counts_equal_the_derived_differences_for_every_bundled_pair(derived):
    for (a, sa, _), (b, sb, _) in product(derived, repeat=2):
        c = compare(a, b)
        assert c.differences == expected_differences(sa, sb), (a.id, b.id)
        for line in c.lines:  # each difference names the field and both values, as derived
            assert (line.a, line.b) == (sa.get((line.section, line.field)), sb.get((line.section, line.field)))


def test_alignment_keeps_every_row_once_in_each_sides_order(derived):
    for (_, _, ra), (_, _, rb) in product(derived, repeat=2):
        keys = [(section, field) for section, field, _, _ in align(ra, rb)]
        assert len(keys) == len(set(keys)) == len({(r.section, r.field) for r in ra + rb})
        for side_rows in (ra, rb):
            own = [(r.section, r.field) for r in side_rows]
            assert [k for k in keys if k in set(own)] == own
        sections = [section for section, _ in keys]
        assert sections == sorted(sections, key=sections.index)  # each section in one block


SINGLE_FACT = [
    # (case, overrides on the healthy factory, rows that must differ, fact each must name) — from the rules.
    ("persistence flag", {"flags": {"persistence": False}}, {"credentials/persistenceEnabled"}, "flags.persistence"),
    # [CHECK-6] enterprise is as fit as pro: the fact differs, the page does not.
    ("enterprise plan", {"source": {"plan": "enterprise"}}, set(), "source.plan"),
    # [ACT-7] an unacknowledged change allows acknowledging it; [HEALTH-SRC-5] non-breaking only warns.
    ("schema change", {"schema": {"change": "non_breaking"}},
     {"actions/acknowledge_schema_change", "health/status", "source-health/SCHEMA_CHANGED",
      "technical-status/schema_changed", "technical-status/changelog_review_required"}, "schema.change"),
    # [CRED-1…2] without a secret ref, entering is available and replacing is not.
    ("secret ref", {"credentials": {"client_secret_ref": None}},
     {"credential-actions/enter_credentials", "credential-actions/replace_credentials", "readiness/code",
      "checklist/client_secret_ref"}, "credentials.client_secret_ref"),
]


@pytest.mark.parametrize("case, overrides, must_differ, fact", SINGLE_FACT, ids=[c[0] for c in SINGLE_FACT])
def test_one_fact_explains_its_differences(case, overrides, must_differ, fact):
    c = compare(side_of(scenario()), side_of(scenario(**overrides)))
    differing = {line.key for line in c.lines if line.differs}
    assert must_differ <= differing
    if not must_differ:
        assert differing == set()
    assert [f.path for f in c.facts] == [fact]
    for line in c.lines:  # one fact differs, so it is the whole cause of every difference
        assert line.causes == ((fact,) if line.differs else ()), line.key
    assert {line.key for line in c.driven_by(c.facts[0])} == differing


def test_accounts_outside_the_profile_are_not_even_a_fact():
    hidden = {"store": "other-shop.myshopify.com", "masked_ref": "shop_x_•••9", "in_profile": False}
    base = scenario()
    more = scenario(external_accounts=[*HEALTHY["external_accounts"], hidden])
    c = compare(side_of(base), side_of(more))
    assert c.differences == 0 and c.facts == ()
    assert "other-shop" not in json.dumps(side_of(more).facts)


# Perturbing every fact of every bundled scenario: tests/test_provenance.py.


def test_every_difference_between_bundled_scenarios_has_a_cause(derived):
    for (a, _, _), (b, _, _) in product(derived, repeat=2):
        for line in compare(a, b).lines:
            assert not line.differs or line.causes, (a.id, b.id, line.key)


# --- which pairs are pre-rendered ---------------------------------------------------

def test_prepared_pairs_are_linear_in_n():
    ids = [f"s{i}" for i in range(40)]
    ids.insert(17, BASELINE)
    prepared = pairs(ids)
    assert len(prepared) <= 2 * len(ids)
    unordered = [frozenset(p) for p in prepared]
    assert len(unordered) == len(set(unordered))
    assert {frozenset((BASELINE, x)) for x in ids if x != BASELINE} <= set(unordered)
    assert {frozenset(p) for p in zip(ids, ids[1:])} <= set(unordered)
    assert pairs(ids[:17]) == list(zip(ids[:17], ids[1:17]))  # no baseline: neighbours only


# --- the rendered compare pages -------------------------------------------------------

def manifest_states(site) -> dict[str, dict[tuple[str, str], str]]:
    entries = json.loads((site / "scenarios.json").read_text())["scenarios"]
    return {e["id"]: {(section, field): value for section, fields in e["state"].items()
                      for field, value in fields.items()} for e in entries}


def test_prepared_pages_count_the_differences_of_the_derived_data(site, page):
    states = manifest_states(site)
    files = sorted((site / "compare").glob("*--*.html"))
    assert len(files) == len(pairs(list(states)))
    for path in files:
        soup = page(f"compare/{path.name}")
        box = soup.select_one("#comparison")
        a, b = box["data-a"], box["data-b"]
        assert path.name == f"{a}--{b}.html"
        expected = expected_differences(states[a], states[b])
        assert int(soup.select_one("[data-differences]")["data-differences"]) == expected
        assert len(soup.select("tr.differs")) == expected
        assert not soup.select("tr.same")  # a pair page lists only what differs: the rest is on both pages
        assert soup.select_one(".compare-count").get_text(strip=True) == (
            f"{expected} differences" if expected > 1 else "1 difference" if expected else "No difference")
        for tr in soup.select("tr[data-row]"):
            section, field = tr["data-row"].split("/", 1)
            cells = [td.select_one("[data-code]") for td in tr.select("td[data-side]")]
            shown = [cell["data-code"] if cell else None for cell in cells]
            assert shown == [states[a].get((section, field)), states[b].get((section, field))], tr["data-row"]
            assert ("differs" in tr["class"]) == (shown[0] != shown[1])


def test_identical_pair_page_shows_zero(bundled_scenarios):
    """With a single scenario, the picker page compares it with itself."""
    from bs4 import BeautifulSoup
    from generator.output.plan import render_site
    files = render_site(bundled_scenarios[:1])
    for path in ("compare/index.html", "fr/compare/index.html"):
        soup = BeautifulSoup(files[path], "html.parser")
        assert soup.select_one("[data-differences]")["data-differences"] == "0"
        assert not soup.select("tr.differs") and not soup.select("tr.same")


def test_deep_links_of_scenario_pages_resolve_to_their_comparison(site, page, bundled_scenarios):
    ids = [s.id for s in bundled_scenarios]
    for index, sid in enumerate(ids):
        links = {a["data-compare"]: a["href"] for a in page(f"scenarios/{sid}/index.html").select("a[data-compare]")}
        expected = {"baseline": BASELINE if BASELINE in ids and sid != BASELINE else None,
                    "previous": ids[index - 1] if index else None,
                    "next": ids[index + 1] if index + 1 < len(ids) else None}
        assert set(links) == {kind for kind, other in expected.items() if other}
        for kind, href in links.items():
            target = (site / "scenarios" / sid / href).resolve()
            assert target.is_file(), href
            box = page(str(target.relative_to(site.resolve()))).select_one("#comparison")
            assert {box["data-a"], box["data-b"]} == {sid, expected[kind]}


def test_picker_page_lists_every_prepared_pair_and_its_data(site, page, bundled_scenarios):
    soup = page("compare/index.html")
    ids = [s.id for s in bundled_scenarios]
    assert [a["href"] for a in soup.select(".prepared a")] == [f"../{pair_path(a, b)}" for a, b in pairs(ids)]
    assert soup.select_one("[data-compare-tools]").has_attr("hidden")  # the picker needs JavaScript
    index = assigned(site / INDEX_DATA)
    assert "scenarios" not in index  # every compare page loads it: it must not list every scenario
    manifest = {e["id"]: e for e in json.loads((site / "scenarios.json").read_text())["scenarios"]}
    for prefix, locale in (("", "en"), ("fr/", "fr")):
        # The picker's list, in each language: every scenario in lifecycle order, with its title.
        listed = assigned(site / prefix / SCENARIO_LIST)
        assert listed == [[s.id, s.text("title", locale)[0]] for s in bundled_scenarios]
    for s in bundled_scenarios:
        data = assigned(site / f"compare/data/{s.id}.js")
        assert {tuple(key.split("/", 1)): value for key, (value, *_) in data["rows"].items()} == state(s)
        assert all(key in index["fields"] and key in index["keys"] for key in data["rows"])
        # What a compare page names a side by: its title in every language and its page.
        assert data["title"] == {locale: s.text("title", locale)[0] for locale in ("en", "fr")}
        assert data["path"] == manifest[s.id]["path"]


def test_data_files_give_what_compare_gives_by_equality_alone(site, bundled_scenarios):
    """compare.js applies no rule: a row differs when its values differ, a fact path is a cause when
    its digests differ. For every bundled pair that must give exactly compare()'s lines and causes."""
    index = assigned(site / INDEX_DATA)
    data = {s.id: assigned(site / f"compare/data/{s.id}.js") for s in bundled_scenarios}
    sides = {s.id: side(s, derive(s)) for s in bundled_scenarios}
    for a, b in permutations(sides, 2):
        A, B = data[a], data[b]
        expected = {line.key: (line.differs, line.causes) for line in compare(sides[a], sides[b]).lines}
        shown = {}
        for key in index["keys"]:
            if key in A["rows"] or key in B["rows"]:
                va, vb = (A["rows"].get(key, [None])[0], B["rows"].get(key, [None])[0])
                read = [index["paths"][i] for i in
                        A["rows"].get(key, [None, None, []])[2] + B["rows"].get(key, [None, None, []])[2]]
                causes = tuple(p for p in index["fields"][key][1]
                               if p in read and A["causes"].get(p) != B["causes"].get(p))
                shown[key] = (va != vb, causes if va != vb else ())
        assert shown == expected, (a, b)


def test_scripts_are_small_files_and_no_page_has_inline_script(site):
    for script in site.glob("*.js"):
        assert script.stat().st_size <= 10 * 1024, script
    for html in site.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert text.count("<script") == text.count("<script src="), html
