"""The side-by-side compare view and the section galleries in the browser (issue 15).

What must be outlined comes from the manifest's derived state (scenarios.json), never from compare.js:
the frames must show the rule's differences, not the script's idea of them.
"""
from __future__ import annotations

import json
from itertools import permutations
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_harness import COLOUR, describe_violations, locale_prefixes

BASELINE = "healthy"
#: Both frames have answered (compare.js sets these when frame.js says what it outlined).
MARKED = "() => ['a', 'b'].every(s => document.querySelector('.frames').hasAttribute('data-marked-' + s))"
#: What a framed page shows: the row keys ("section/field") it outlines, and whether every outline
#: carries a word, not only a colour.
OUTLINES = """document => [
  [...document.querySelectorAll('[data-changed]')].flatMap(node => node.dataset.changed.split(' ')),
  [...document.querySelectorAll('.change-marker')].every(m => m.textContent.trim().length > 0),
]"""
#: OUTLINES of each frame, read by the page once both frames have answered: one round trip, no
#: polling. Over HTTP only: a file:// frame's document is out of the page's reach.
OUTLINES_ONCE_MARKED = """() => new Promise((done, fail) => {
  const holder = document.querySelector('.frames'), marked = """ + MARKED + """, outlines = """ + OUTLINES + """;
  const answer = () => done(['a', 'b'].map(side =>
    outlines(holder.querySelector(`iframe[data-frame=${side}]`).contentDocument)));
  if (marked()) return answer();
  new MutationObserver((_, watch) => { if (marked()) { watch.disconnect(); answer(); } })
    .observe(holder, {attributes: true});
  setTimeout(() => fail(new Error('a frame has not answered after 10 s')), 10000);
})"""


@pytest.fixture(scope="module")
def states(site) -> dict[str, dict[str, str]]:
    """{scenario id: {"section/field": value}} as derived, from the manifest."""
    entries = json.loads((site / "scenarios.json").read_text(encoding="utf-8"))["scenarios"]
    return {e["id"]: {f"{section}/{field}": value for section, fields in e["state"].items()
                      for field, value in fields.items()} for e in entries}


def _differing(states, a: str, b: str) -> dict[str, set[str]]:
    """{side: row keys that differ and exist on that side}."""
    keys = {k for k in states[a].keys() | states[b].keys() if states[a].get(k) != states[b].get(k)}
    return {"a": {k for k in keys if k in states[a]}, "b": {k for k in keys if k in states[b]}}


def _frames(tab):
    return {side: tab.page.locator(f"iframe[data-frame={side}]").element_handle().content_frame()
            for side in ("a", "b")}


def _open(tab, served, a: str, b: str, prefix: str = "", width: str = "") -> dict:
    tab.visit(served, f"{prefix}compare/index.html?a={a}&b={b}{'&w=' + width if width else ''}")
    tab.page.wait_for_function(MARKED)
    return _frames(tab)


#: A frame is given this long to follow (ms): a message or two, well under a second here; generous
#: for a loaded CI machine. Polled by the clock, not by animation frames, which Chromium does not
#: run in a frame of another origin (any file:// page) outside the viewport.
FOLLOW = {"polling": 50, "timeout": 30_000}


def _row_facts(states, a: str, b: str) -> set[tuple[str, str]]:
    """What the pair (a, b) puts to the outlining: each row of either side as differing or equal,
    and which scenarios are framed."""
    rows = {(key, "equal" if states[a].get(key) == states[b].get(key) else "differs")
            for key in states[a].keys() | states[b].keys()}
    return rows | {("scenario", a), ("scenario", b)}


def _sample_pairs(states) -> list[tuple[str, str]]:
    """Pairs chosen greedily (most new facts first, ties in the manifest's order) until every row
    has differed in some pair and been equal in some pair, and every scenario has been framed on
    some side: a row never outlined, a row outlined though equal, or a scenario whose page the
    outlining cannot work on shows up in at least one pair. The frames run the same script
    (frame.js) for whichever scenario they show and whichever side they are on, and compare.js
    sends each side the rows of that pair. Not covered: a marker missing for one row on one
    scenario's page only is caught when a chosen pair makes that row differ on that scenario,
    which the cover does not promise (the markers come from the same template for every scenario;
    covering every scenario × row took 736 pairs). This replaced every scenario against the
    baseline both ways plus 8 seeded random pairs (47 pairs, 26 here with the bundled scenarios)."""
    candidates = list(permutations(states, 2))
    facts = {pair: _row_facts(states, *pair) for pair in candidates}
    left = set().union(*facts.values())
    chosen = []
    while left:
        best = max(candidates, key=lambda pair: len(facts[pair] & left))
        chosen.append(best)
        left -= facts[best]
    return chosen


def test_outlined_fields_are_exactly_the_fields_whose_derived_values_differ(served, states, tab):
    pairs = _sample_pairs(states)
    if served.how == "file":
        # The same scripts for every pair: file:// only has to prove the frames talk there too
        # (each side told what to outline, each answering), which one pair with differences on
        # both sides does. What differs by pair (which rows) is the pairs' over HTTP.
        pairs = pairs[:1]
        assert all(_differing(states, *pairs[0]).values()), pairs[0]
    for a, b in pairs:
        if served.how == "http":
            tab.visit(served, f"compare/index.html?a={a}&b={b}")
            shown = dict(zip(("a", "b"), tab.page.evaluate(OUTLINES_ONCE_MARKED)))
        else:
            shown = {side: frame.evaluate(f"() => ({OUTLINES})(document)")
                     for side, frame in _open(tab, served, a, b).items()}
        expected = _differing(states, a, b)
        for side, (outlined, worded) in shown.items():
            assert set(outlined) == expected[side], (served.how, a, b, side)
            assert worded, (a, b, side)
        assert not tab.problems, tab.problems


def test_scrolling_one_side_scrolls_the_other(served, tab):
    frames = _open(tab, served, BASELINE, "failed-sync")
    # In view, as when a person scrolls them: Chromium defers scroll events of frames out of view.
    tab.page.locator(".frames").scroll_into_view_if_needed()
    for mover, follower in (("a", "b"), ("b", "a")):
        frames[mover].evaluate("() => window.scrollTo(0, 700)")
        frames[follower].wait_for_function("() => Math.abs(window.scrollY - 700) <= 2", **FOLLOW)
        frames[mover].evaluate("() => window.scrollTo(0, 0)")
        frames[follower].wait_for_function("() => window.scrollY <= 2", **FOLLOW)
    assert not tab.problems, tab.problems


def test_deep_link_keeps_pair_and_width_over_a_reload(served, site, tab):
    for prefix in locale_prefixes(site).values():
        frames = _open(tab, served, "failed-sync", BASELINE, prefix, width="phone")
        for attempt in ("loaded", "reloaded"):
            if attempt == "reloaded":
                tab.page.reload()
                tab.page.wait_for_function(MARKED)
                frames = _frames(tab)
            assert tab.page.is_checked("input[name=width][value=phone]"), attempt
            widths = tab.page.eval_on_selector_all("iframe[data-frame]", "fs => fs.map(f => f.clientWidth)")
            assert all(370 <= w <= 380 for w in widths), (attempt, widths)
            assert [f.evaluate("() => location.pathname.split('/').slice(-2, -1)[0]") for f in frames.values()] \
                == ["failed-sync", BASELINE], attempt
        tab.page.check("input[name=width][value=desktop]")
        assert "w" not in parse_qs(urlsplit(tab.page.url).query)
        widths = tab.page.eval_on_selector_all("iframe[data-frame]", "fs => fs.map(f => f.clientWidth)")
        assert all(w > 500 for w in widths), widths
    assert not tab.problems, tab.problems


IN_VIEW = """key => {
  const node = [...document.querySelectorAll('[data-changed]')].find(n => n.dataset.changed.split(' ').includes(key));
  const r = node.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight;
}"""
FRAMES_IN_VIEW = """() => [...document.querySelectorAll('iframe[data-frame]')].every(f => {
  const r = f.getBoundingClientRect();
  return r.top < innerHeight && r.bottom > 0;
})"""


def test_every_change_list_entry_brings_both_places_into_view(http_site, states, tab):
    a, b = BASELINE, "failed-sync"
    frames = _open(tab, http_site, a, b)
    expected = _differing(states, a, b)
    keys = tab.page.eval_on_selector_all("button[data-show]", "bs => bs.map(b => b.dataset.show)")
    assert set(keys) == expected["a"] | expected["b"]
    for key in keys:
        tab.page.evaluate("() => window.scrollTo(0, 0)")
        for frame in frames.values():
            frame.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        tab.page.locator(f'button[data-show="{key}"]').click()
        tab.page.wait_for_function(FRAMES_IN_VIEW)
        for side, frame in frames.items():
            if key in expected[side]:
                frame.wait_for_function(IN_VIEW, arg=key, **FOLLOW)
    assert not tab.problems, tab.problems


def test_keys_work_when_focus_is_in_a_frame(http_site, tab):
    frames = _open(tab, http_site, BASELINE, "failed-sync")
    frames["a"].locator("body").press("s")
    tab.page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("a") == ["failed-sync"])


def test_axe_finds_nothing_on_the_new_pages_light_and_dark_at_320_and_1280(http_site, site, sample, tabs, axe):
    """The side-by-side view and every gallery in each scheme at each width. Galleries at 1280 px
    in light, in every language, are the light axe test's (every gallery is in the sample); the
    other three in one language: width and scheme change boxes and colours (a scroll cue shows at
    320 px only), not words, and reflow at 320 px in every language is test_browser_pages'.

    The side-by-side view's framed pages, with the outlines and markers frame.js adds, are audited
    with the view at 1280 px (axe in each frame), light and dark, in one language: frame.js adds the
    same in each language but for its word. Not at 320 px, where each frame is 121 px wide and axe
    leaves the markers' contrast unchecked (partly obscured).

    A page is loaded once, at 1280 px, and checked in each of its schemes as loaded (Tab.use_scheme),
    first laid out at 320 px (Tab.laid_out_at), then at 1280 px again. No site script fits a page to
    the viewport it loaded in (test_browser_pages.test_no_script_fits_a_page_to_the_viewport_it_loaded_in);
    checked when this replaced a load per width: axe's outcome on every page here, every rule in
    both schemes, was the same as on the page loaded at that width, but for the frames' nodes at
    320 px (not audited there). A dark run is of a page already checked with every rule at the same
    width, in light: here on the same loaded page, or (galleries at 1280 px) by the light axe test,
    the same file at the same viewport. So it runs axe's colour rules only (browser_harness.COLOUR)."""
    side_by_side = f"compare/index.html?a={BASELINE}&b=failed-sync"
    compare = [prefix + side_by_side for prefix in locale_prefixes(site).values()]
    galleries = sorted(p.relative_to(site).as_posix() for p in site.glob("**/gallery/*/index.html"))
    one_language = [p for p in galleries if not any(p.startswith(x) for x in locale_prefixes(site).values() if x)]
    # Each dark run's page has its full light run at that width: here, or (galleries at 1280 px) in
    # the sample the light axe test walks.
    assert galleries and one_language and set(galleries) <= set(sample)

    def check(page, viewport, schemes):
        for scheme in schemes:
            tab.use_scheme(scheme)
            violations = axe(tab, COLOUR if scheme == "dark" else "")
            assert not violations, f"{page} {viewport} {scheme}:\n{describe_violations(violations)}"
            assert tab.page.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1"), \
                (page, viewport, scheme)

    tab = tabs("desktop", "light")
    with tab.keeping_scheme():
        for page in compare + one_language:
            tab.visit(http_site, page)
            if page in compare:
                tab.page.wait_for_function(MARKED)
            with tab.laid_out_at("narrow"):
                check(page, "narrow", ["light", "dark"])
            if page == side_by_side:
                for frame in _frames(tab).values():
                    tab.inject_axe(frame)
            check(page, "desktop", ["light", "dark"] if page in compare else ["dark"])
            assert not tab.problems, (page, tab.problems)
