"""The compare view in the browser (issue 4): deep links, reload, keys s/n/p/d, "show only differences".

Expected rows come from the manifest's derived state (scenarios.json), never from compare.js or the
pre-rendered pages: the script must agree with the rule, not with itself.
"""
from __future__ import annotations

import contextlib
import json
from itertools import permutations
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_harness import locale_prefixes

from generator.site.compare import pairs
from generator.model.load import ID_PATTERN
from generator.site.compare_pages import INDEX_DATA, SCENARIO_LIST
from generator.site.render import Catalogue

#: Each aligned row as [key, code shown on side a, on side b, marked as differing], in one round trip.
SHOWN_ROWS = """() => [...document.querySelectorAll("#comparison tr[data-row]")].map(tr => [
  tr.dataset.row,
  ...["a", "b"].map(side => {
    const cell = tr.querySelector(`td[data-side="${side}"] [data-code]`);
    return cell ? cell.dataset.code : null;
  }),
  tr.classList.contains("differs"),
])"""
RENDERED = """([a, b]) => {
  const box = document.getElementById("comparison");
  return box.dataset.a === a && box.dataset.b === b;
}"""


@pytest.fixture(scope="module")
def states(site) -> dict[str, dict[str, str]]:
    """{scenario id: {"section/field": value}} as derived, from the manifest."""
    entries = json.loads((site / "scenarios.json").read_text(encoding="utf-8"))["scenarios"]
    return {e["id"]: {f"{section}/{field}": value for section, fields in e["state"].items()
                      for field, value in fields.items()} for e in entries}


@pytest.fixture(scope="module")
def unprepared(states) -> tuple[str, str]:
    """The first pair (in lifecycle order) with no pre-rendered page and at least two differences:
    only compare.js can show it, and "next difference" has somewhere to go twice."""
    prepared = {frozenset(p) for p in pairs(list(states))}
    for a, b in permutations(states, 2):
        if frozenset((a, b)) not in prepared and _differences(states, a, b) >= 2:
            return a, b
    pytest.fail("every pair of bundled scenarios is pre-rendered or nearly identical")


def _differences(states, a: str, b: str) -> int:
    return sum(1 for key in states[a].keys() | states[b].keys() if states[a].get(key) != states[b].get(key))


def _deep_link(prefix: str, a: str, b: str) -> str:
    return f"{prefix}compare/index.html?a={a}&b={b}"


def _assert_shows(tab, states, a: str, b: str, where) -> None:
    """The page shows exactly the pair a, b: pickers, every row with both derived values, the
    differing rows marked, and the count."""
    tab.page.wait_for_function(RENDERED, arg=[a, b])
    picked = tab.page.eval_on_selector_all("select[data-pick]", "s => s.map(x => x.value)")
    assert picked == [a, b], where
    shown = tab.page.evaluate(SHOWN_ROWS)
    expected = {key: (states[a].get(key), states[b].get(key)) for key in states[a].keys() | states[b].keys()}
    assert {key: (va, vb) for key, va, vb, _ in shown} == expected, where
    assert len(shown) == len(expected), where  # each row once
    assert all(differs == (va != vb) for _, va, vb, differs in shown), where
    count = tab.page.get_attribute("[data-differences]", "data-differences")
    assert int(count) == _differences(states, a, b) == sum(row[3] for row in shown), where
    assert not tab.problems, (where, tab.problems)


def test_deep_link_selects_and_renders_that_pair_and_reload_keeps_it(served, site, states, unprepared, tab):
    """compare/index.html?a=…&b=… for a pair with no pre-rendered page, in every language, over
    HTTP and from file://; reloading shows the same pair."""
    a, b = unprepared
    for prefix in locale_prefixes(site).values():
        link = _deep_link(prefix, a, b)
        tab.visit(served, link)
        _assert_shows(tab, states, a, b, (served.how, link))
        tab.page.reload()
        _assert_shows(tab, states, a, b, (served.how, link, "reloaded"))


def test_the_count_of_any_pair_is_worded_as_the_build_words_it(http_site, site, states, unprepared, tab):
    """No difference, one, several: compare.js picks the form the catalogue gives for each count
    (Catalogue.forms), in every language."""
    a, b = unprepared
    one = next(((x, y) for x, y in permutations(states, 2) if _differences(states, x, y) == 1), None)
    assert one, "no two bundled scenarios differ in exactly one row"
    for locale, prefix in locale_prefixes(site).items():
        for x, y in ((a, a), one, (a, b)):
            tab.visit(http_site, _deep_link(prefix, x, y))
            tab.page.wait_for_function(RENDERED, arg=[x, y])
            count = int(tab.page.get_attribute("[data-differences]", "data-differences"))
            assert count == _differences(states, x, y), (x, y)
            said = Catalogue.load(locale)("compare.count", count=count)
            assert tab.page.text_content(".compare-count").strip() == said, (locale, x, y)


def test_s_swaps_sides_on_a_deep_link_and_on_a_prepared_page(http_site, states, unprepared, tab):
    """Over HTTP only: the key acts the same however the page was loaded, and where it leads (a
    deep link, loading its pair's data files) is loaded from file:// by the deep link and picker
    tests."""
    served = http_site
    a, b = unprepared
    prepared_a, prepared_b = pairs(list(states))[0]
    for start, (x, y) in ((_deep_link("", a, b), (a, b)), (f"compare/{prepared_a}--{prepared_b}.html",
                                                           (prepared_a, prepared_b))):
        tab.visit(served, start)
        tab.page.wait_for_function(RENDERED, arg=[x, y])
        tab.page.keyboard.press("s")
        tab.page.wait_for_url(lambda url: parse_qs(urlsplit(url).query) == {"a": [y], "b": [x]})
        _assert_shows(tab, states, y, x, (served.how, start, "swapped"))


def test_n_and_p_move_focus_between_differences_and_the_button_does_too(http_site, states, unprepared, tab):
    a, b = unprepared
    tab.visit(http_site, _deep_link("", a, b))
    tab.page.wait_for_function(RENDERED, arg=[a, b])
    focused = "() => document.activeElement.id"
    tab.page.keyboard.press("n")
    assert tab.page.evaluate(focused) == "diff-1"
    tab.page.keyboard.press("n")
    assert tab.page.evaluate(focused) == "diff-2"
    tab.page.keyboard.press("p")
    assert tab.page.evaluate(focused) == "diff-1"
    tab.page.keyboard.press("p")  # wraps around to the last one
    assert tab.page.evaluate(focused) == f"diff-{_differences(states, a, b)}"
    tab.page.locator("[data-next]").click()
    assert tab.page.evaluate(focused) == "diff-1"
    # The focused row is in view (the page scrolled to it), not only focused.
    assert tab.page.locator("#diff-1").is_visible()
    assert not tab.problems, tab.problems


#: How many rows of each kind are visible.
VISIBLE_ROWS = """() => ["same", "differs"].map(kind =>
  [...document.querySelectorAll(`#comparison tr.${kind}`)].filter(tr => tr.checkVisibility()).length)"""


def test_show_only_differences_by_d_and_by_the_checkbox(http_site, states, unprepared, tab):
    """Pressing d (or clicking the box's label) hides every row that is the same and keeps every
    difference; again shows them all. On a computed pair and on a pre-rendered page. Over HTTP
    only: it loads nothing, and both pages are loaded from file:// by the deep link and picker tests."""
    served = http_site
    pa, pb = pairs(list(states))[0]
    for start, (a, b) in ((_deep_link("", *unprepared), unprepared), (f"compare/{pa}--{pb}.html", (pa, pb))):
        differs = _differences(states, a, b)
        # A pre-rendered pair page lists only the differences (the rest is on both scenario pages).
        same = 0 if start.endswith("--" + pb + ".html") else len(states[a].keys() | states[b].keys()) - differs
        tab.visit(served, start)
        tab.page.wait_for_function(RENDERED, arg=[a, b])
        assert tab.page.evaluate(VISIBLE_ROWS) == [same, differs], start
        for toggle, only in (("d", True), ("d", False), ("click", True), ("click", False)):
            if toggle == "d":
                tab.page.keyboard.press("d")
            else:
                tab.page.locator(".compare-filter label").click()
            assert tab.page.is_checked("#only-differences") == only, (start, toggle)
            assert tab.page.evaluate(VISIBLE_ROWS) == [0 if only else same, differs], (start, toggle)
        assert not tab.problems, tab.problems


#: The picker's list: compare.js loads it only when a picker is about to be used.
LIST = SCENARIO_LIST
PICKED = """() => [...document.querySelectorAll("select[data-pick]")].map(s => [s.value, [...s.options].map(o => o.value)])"""


@contextlib.contextmanager
def _requests(tab, served):
    """Every site path the tab requests inside the block (a list that fills as it goes); the
    listener goes with the block, whether or not an assertion in it failed (the tab is shared)."""
    seen: list[str] = []

    def listener(request):
        seen.append(served.relative(request.url).split("?")[0])
    tab.page.on("request", listener)
    try:
        yield seen
    finally:
        tab.page.remove_listener("request", listener)


def test_the_picker_lists_every_scenario_but_a_pair_loads_the_list_only_when_the_picker_is_used(
        served, site, states, unprepared, tab):
    """A pair page (and a deep link) loads the two sides' data files, not the list of every scenario;
    a pointer over a picker, or focus on one, loads it and both pickers then list every scenario,
    in lifecycle order, keeping the pair shown; picking one shows that pair."""
    ids = list(states)  # the manifest's order: the lifecycle order
    pa, pb = pairs(ids)[0]
    for prefix in locale_prefixes(site).values():
        for start, (a, b), use in ((f"{prefix}compare/{pa}--{pb}.html", (pa, pb), "hover"),
                                   (_deep_link(prefix, *unprepared), unprepared, "focus")):
            tab.page.mouse.move(0, 0)  # not left over a picker by the last round: no early pointerenter
            tab.page.goto("about:blank")  # the listener sees this visit's requests only
            with _requests(tab, served) as seen:
                tab.visit(served, start)
                tab.page.wait_for_selector("[data-compare-tools]:not([hidden])")
                tab.page.wait_for_load_state("networkidle")
                data = sorted(path for path in seen if "/data/" in path)
                assert data == sorted({f"{prefix}{INDEX_DATA}", f"compare/data/{a}.js", f"compare/data/{b}.js"}), start
                # Until the picker is used each picker holds the scenario it shows.
                assert tab.page.evaluate(PICKED) == [[a, [a]], [b, [b]]], start
                picker = tab.page.locator("select[data-pick=b]")
                picker.hover() if use == "hover" else picker.focus()
                tab.page.wait_for_function(f"() => document.querySelector('select[data-pick=a]').options.length === {len(ids)}")
                assert [path for path in seen if path.endswith(LIST)] == [f"{prefix}{LIST}"], (start, seen)
                assert tab.page.evaluate(PICKED) == [[a, ids], [b, ids]], start
                tab.page.locator("select[data-pick=a]").hover()  # used again: the list is not asked for again
                tab.page.locator("select[data-pick=a]").focus()
                assert tab.page.evaluate(f"() => document.querySelectorAll('script[src$=\"{LIST.split('/')[-1]}\"]').length") == 1
                labels = tab.page.eval_on_selector_all("select[data-pick=a] option", "os => os.map(o => o.textContent)")
                assert all(label.endswith(f" ({sid})") and len(label) > len(sid) + 3 for label, sid in zip(labels, ids))
                assert not tab.problems, (start, tab.problems)
            # Picking another scenario on the left shows that pair (a deep link).
            other = next(x for x in ids if x not in (a, b))
            tab.page.select_option("select[data-pick=a]", other)
            tab.page.wait_for_url(lambda url: parse_qs(urlsplit(url).query) == {"a": [other], "b": [b]})
            _assert_shows(tab, states, other, b, (served.how, start, "picked", other))


def test_a_picker_list_that_failed_to_load_is_asked_for_again_at_the_next_use(http_site, states, tabs):
    """Offline for a moment, or a 404: the pickers keep the pair they show, and the next use of a
    picker asks for the list again (and fills them)."""
    tab = tabs("desktop", "dark")  # a tab of its own: the route below must not outlive this test
    pa, pb = pairs(list(states))[0]
    failures = []

    def once(route):
        if failures:
            return route.continue_()
        failures.append(route.request.url)
        return route.fulfill(status=404, body="")
    tab.page.route(f"**/{LIST}", once)
    try:
        tab.visit(http_site, f"compare/{pa}--{pb}.html")
        tab.page.wait_for_selector("[data-compare-tools]:not([hidden])")
        picker = tab.page.locator("select[data-pick=a]")
        picker.hover()
        tab.page.wait_for_function("() => !document.querySelector('script[src$=\"scenarios.list.js\"]')")
        assert failures and tab.page.evaluate(PICKED) == [[pa, [pa]], [pb, [pb]]]
        tab.page.mouse.move(0, 0)
        picker.hover()
        tab.page.wait_for_function(f"() => document.querySelector('select[data-pick=a]').options.length === {len(states)}")
    finally:
        tab.page.unroute(f"**/{LIST}")
    assert len(failures) == 1


#: Deep links that name no scenario of the site, and the data file each may ask for (None: none,
#: as what it names is no id: only data files may run in the page).
UNKNOWN = {"a=no-such-scenario&b={pb}": "no-such-scenario", "a={pa}&b=constructor": "constructor",
           "a=index.rows&b={pb}": None, "a=..%2Fswitcher&b={pb}": None, "a={pa}": None}


@pytest.mark.parametrize("query", UNKNOWN)
def test_an_unknown_id_in_a_deep_link_says_so_and_shows_the_pages_own_pair(served, site, states, tab, query):
    """Any side: an id the site lacks ("constructor" too: every object has one), what is no id, or
    a side missing from the link."""
    pa, pb = pairs(list(states))[0]
    tab.page.goto("about:blank")
    with _requests(tab, served) as seen:
        tab.visit(served, "compare/index.html?" + query.format(pa=pa, pb=pb))
        tab.page.wait_for_selector("#comparison .notice[role=alert]")
        tab.page.wait_for_function(RENDERED, arg=[pa, pb])  # the picker page's own pair
    asked = UNKNOWN[query]
    # The script's test of an id is the loader's own pattern, read the same way by JavaScript.
    samples = ["healthy", "a-1", "constructor", "index.rows", "../x", "x\n", "A", "-a", ""]
    assert tab.page.evaluate("xs => xs.map(x => new RegExp(window.CompareData.idPattern).test(x))", samples) \
        == [bool(ID_PATTERN.fullmatch(x)) for x in samples]
    data = sorted(path for path in seen if "/data/" in path)
    assert data == sorted([INDEX_DATA, f"compare/data/{pa}.js", f"compare/data/{pb}.js"]
                          + ([f"compare/data/{asked}.js"] if asked else [])), (query, seen)
    if asked:  # the one problem: the data file the site does not have (its console line names no file)
        assert any(f"compare/data/{asked}.js" in p for p in tab.problems), tab.problems
        assert all(f"compare/data/{asked}.js" in p or "Failed to load resource" in p for p in tab.problems)
    else:
        assert not tab.problems, tab.problems
