"""Accessibility in the browser: axe-core at WCAG 2.2 AA, visible focus, status not by colour alone."""
from __future__ import annotations

import contextlib
import re
import sys

import pytest
from browser_harness import COLOUR, EDGE_SHADES, Tab, contrast, describe_violations, page_kind, tone_sample

SCHEMES = ["light", "dark"]


def test_axe_finds_no_wcag_22_aa_violation_on_any_page(http_site, surveys):
    """Light scheme, every page of the sample (every element, class and tone of every template in
    each language: covering_sample), at desktop size: axe runs on the survey's load of each page,
    right after its facts are read (conftest.surveys)."""
    found = {}
    for relative, visit in surveys(http_site).items():
        if visit.measured["axe"]:
            found[relative] = describe_violations(visit.measured["axe"])
    assert not found, "\n".join(f"{page} (light):\n{lines}" for page, lines in found.items())


def test_axe_finds_no_wcag_22_aa_violation_in_dark_scheme(http_site, surveys, tabs, axe):
    """Dark scheme (prefers-color-scheme emulated) on the pages of tone_sample, in any language: the
    scheme changes colours, not words, and every page of the sample is checked in light above with
    every rule, at the same width. So only axe's colour rules run here (browser_harness.COLOUR):
    the scheme changes nothing else (test_the_dark_scheme_changes_colours_only)."""
    visits = surveys(http_site)
    sample = tone_sample(visits, by_language=False)
    kinds = {page_kind(p) for p in sample}
    assert kinds == {page_kind(p) for p in visits}, kinds
    tab = tabs("desktop", "dark")
    found = {}
    for relative in sample:
        tab.visit(http_site, relative)
        assert tab.page.evaluate("() => matchMedia('(prefers-color-scheme: dark)').matches")
        violations = axe(tab, COLOUR)
        if violations:
            found[relative] = describe_violations(violations)
    assert not found, "\n".join(f"{page} (dark):\n{lines}" for page, lines in found.items())


def test_axe_runner_reports_what_it_should(browser):
    """The runner is not blind: a page with known faults yields exactly those rules."""
    tab = Tab(browser.new_page())
    tab.page.set_content('<!doctype html><html lang="en"><title>faults</title><main>'
                         '<img src="data:,"><p style="color:#bbb;background:#fff">faint text</p></main></html>')
    found = {v["id"] for v in tab.run_axe()}
    tab.page.close()
    assert found == {"image-alt", "color-contrast"}


#: Tables axe leaves undecided (th-has-data-cells "incomplete": checked below), by id. Accepted:
#: sections under headings spanning the table, as in compare; row groups under such headings, as in
#: the overview; a section whose one data cell under a header is placed by a rowspan; a row header
#: in the head with its data beside it. Reported: the
#: rest, each with a header that heads no data cell, or with explicit `headers` (not judged).
def _head(*names: str, extra: str = "") -> str:
    return "<thead><tr>" + "".join(f'<th scope="col">{name}</th>' for name in names) + f"</tr>{extra}</thead>"


def _section(columns: int) -> str:
    return f'<tr><th scope="colgroup" colspan="{columns}">Section</th></tr>'


_HEAD = _head("Field", "Value")
_GROUP = '<tbody><tr><th scope="rowgroup" colspan="{}">Stage</th></tr>{}</tbody>'
_TABLES = {
    "sections": _HEAD + "<tbody>" + _section(2)
                + '<tr><th scope="row">a</th><td>1</td></tr><tr><th scope="row">b</th><td>2</td></tr></tbody>',
    "groups": _HEAD + _GROUP.format(2, '<tr><th scope="row">a</th><td>ok</td></tr>') * 2,
    "rowspan": _head("A", "B", "C") + "<tbody>" + _section(3)
               + '<tr><th scope="row" rowspan="2">r</th><td>1</td><td></td></tr><tr><td>2</td><td>3</td></tr></tbody>',
    "units-row": _head("Field", "Value").replace("<thead>", '<thead><tr><th scope="row">Units</th><td>kg</td></tr>')
                 + "<tbody>" + _section(2) + '<tr><th scope="row">a</th><td>1</td></tr></tbody>',
    # reported:
    "empty": _head("Field", "Value", "Note") + "<tbody>" + _section(3) + '<tr><th scope="row">a</th><td>1</td><td></td></tr>'
             '<tr><th scope="row">b</th><td>2</td><td>&nbsp;</td></tr></tbody>',
    "hidden": _HEAD + "<tbody>" + _section(2) + '<tr><th scope="row">a</th><td><span hidden>1</span></td></tr>'
              '<tr><th scope="row">b</th><td><span hidden>2</span></td></tr></tbody>',
    "aria-hidden": _HEAD + "<tbody>" + _section(2) + '<tr><th scope="row">a</th><td aria-hidden="true">1</td></tr>'
                   '<tr><th scope="row">b</th><td aria-hidden="true">2</td></tr></tbody>',
    "mixed-first-column": _HEAD + "<tbody>" + _section(2) + '<tr><th scope="row">a</th><td>1</td></tr>'
                          "<tr><td></td><td>2</td></tr></tbody>",
    "spanned": '<thead><tr><th scope="col" colspan="2">AB</th><th scope="col">C</th></tr></thead>'
               "<tbody><tr><td>1</td><td>2</td></tr></tbody>",
    "heading-alone": _HEAD + _GROUP.format(2, '<tr><th scope="row">a</th><td>ok</td></tr>')
                     + _GROUP.format(2, '<tr><th scope="row">b</th><td></td></tr>'),
    "empty-group-first": _HEAD + _GROUP.format(2, "") + _GROUP.format(2, '<tr><th scope="row">a</th><td>ok</td></tr>'),
    "orphan-then-group": _HEAD + '<tbody><tr><th scope="row">Orphan</th></tr></tbody>'
                         + _GROUP.format(2, '<tr><th scope="row">a</th><td>ok</td></tr>'),
    "column-over-nothing-then-group": _head("A", "B", "C") + "<tbody><tr><td>1</td><td>2</td></tr></tbody>"
                                      + _GROUP.format(3, "<tr><td>3</td><td>4</td></tr>"),
    "partial-heading": _head("A", "B", "C") + '<tbody><tr><td>1</td><th scope="colgroup" colspan="2">Part</th></tr>'
                       "<tr><td>2</td><td>3</td><td>4</td></tr></tbody>",
    "relabelled": _head("A", "B", "C") + "<tbody><tr><td>1</td><td>2</td></tr></tbody><tbody>"
                  '<tr><th scope="col">X</th><th scope="col">Y</th><th scope="col">Z</th></tr>'
                  "<tr><td>3</td><td>4</td><td>5</td></tr></tbody>",
    "headers-attr": '<thead><tr><th id="ha">A</th><th id="hb">B</th></tr></thead><tbody>' + _section(2)
                    + '<tr><td headers="ha">1</td><td headers="ha">2</td></tr></tbody>',
    "head-row-header": _head("Field", "Value", extra='<tr><th scope="row">Units</th></tr>') + "<tbody>" + _section(2)
                       + "<tr><td>1</td><td>2</td></tr></tbody>",
    "relabelled-section": _HEAD + "<tbody>" + _section(2) + '<tr><th scope="col">X</th><th scope="col">Y</th></tr>'
                          "<tr><td>1</td><td>2</td></tr></tbody>",
    "over-nothing": _head("A", "B", "C") + "<tbody><tr><td>1</td><td>2</td></tr></tbody>",
    "orphan": _HEAD + '<tbody><tr><th scope="row">a</th><td>1</td></tr><tr><th scope="row">Orphan</th></tr>'
              "<tr><td>2</td><td>3</td></tr></tbody>",
}
_ACCEPTED = ["sections", "groups", "rowspan", "units-row"]


def test_axe_runner_reports_what_axe_leaves_undecided_unless_it_is_accepted(browser):
    """What axe leaves undecided for a rule other than color-contrast is reported ("needs review"),
    but what AUDIT accepts: a label on a paragraph (which assistive technology ignores) and every
    table of _TABLES but the _ACCEPTED are reported."""
    (_, undecided), violations, _ = _audited(browser,
        '<!doctype html><html lang="en"><title>undecided</title><main><p aria-label="Flags">valueDisplayed: false</p>'
        + "".join(f'<table id="{id}">{body}</table>' for id, body in _TABLES.items()) + '</main></html>',
        rule="th-has-data-cells")
    found = {rule: [_opening(html) for html in nodes] for rule, nodes in _found(violations).items()}
    assert sorted(map(_opening, undecided)) == sorted(f'<table id="{id}">' for id in _TABLES), \
        "each table is one axe leaves undecided"
    assert found == {"aria-prohibited-attr": ['<p aria-label="Flags">'],
                     "th-has-data-cells": [f'<table id="{id}">' for id in _TABLES if id not in _ACCEPTED]}, found


def test_axe_runner_checks_the_texts_axe_leaves_unchecked(browser):
    """What axe cannot judge is judged again or reported, never passed: faint text in a table under
    EDGE_SHADES' gradients (axe alone: "incomplete"), a faint cell half beyond its box (axe judges it
    once the shades are away), a faint row below the end of a box (the box grows to it), and
    faint SVG labels on their rect (one under 4.5:1 but over 3:1) are contrast faults; a
    half-transparent label, a text on a background image, and one cut by its box as well (reported
    for its image after a scroll round) are reported unchecked; legible ones pass. The page is as it
    was after: inline styles, scroll positions (the grown box was scrolled a little)."""
    cell = '<div class="table-wrap"{}><table><tr><td style="color:{}">{}</td></tr></table></div>'
    label = ('<svg width="200" height="40"><rect width="200" height="40" fill="#f6f8fa"/>'
             '<text x="10" y="25" fill="{}"{}>{}</text></svg>')
    on_image = '<p style="background-image: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)">on an image</p>'
    half = '<text x="10" y="25" fill="#111" opacity=".5">half label</text>'
    cut_image = '<span style="background-image: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)">cut</span>'
    inline = ' style="background-image: linear-gradient(#fff, transparent) !important"'
    plain, violations, (before, after) = _audited(browser,
        '<!doctype html><html lang="en"><title>unchecked</title><style>'
        f'{EDGE_SHADES} {{ background: linear-gradient(to right, #fff 30%, transparent),'
        ' radial-gradient(#d0d7de, transparent); } td { white-space: nowrap } body { background: #fff }'
        '</style><main>' + cell.format(inline, "#bbb", "faint cell") + cell.format("", "#111", "dark cell")
        + label.format("#bbb", "", "faint label") + label.format("#0b57d0", "", "link label")
        + label.format("#888", "", "grey label") + label.format("#111", ' opacity=".5"', "half label")
        + on_image
        # the faint cell half beyond its box's edge
        + '<div class="table-wrap" style="width: 75px; overflow-x: auto" tabindex="0" role="region" aria-label="wide">'
          '<table><tr><td style="min-width: 50px">one</td><td style="min-width: 50px; color:#bbb">faint</td></tr>'
          '</table></div>'
        # cut by its box and on an image: axe cannot judge it, scrolled to (a round) or not
        + '<div class="table-wrap" style="width: 75px; overflow-x: auto" tabindex="0" role="region" aria-label="cut">'
          f'<table><tr><td style="min-width: 50px">one</td><td style="min-width: 50px">{cut_image}</td></tr>'
          '</table></div>'
        # a faint row below the end of a box scrolled a little: the box grows to it (axe leaves the
        # rows below a box unchecked on a page with a background, as the site's pages have)
        + '<div class="table-wrap" style="max-height: 2.5em; overflow: auto" tabindex="0" role="region" aria-label="tall">'
          '<table><tr><td>one</td></tr><tr><td>two</td></tr><tr><td>three</td></tr><tr><td>four</td></tr>'
          '<tr><td style="color:#bbb">faint row</td></tr>'
          '</table></div></main></html>',
        setup="() => document.querySelector('[aria-label=tall]').scrollTop = 5")
    found = {v["id"]: sorted(n["html"] for n in v["nodes"]) for v in violations}
    why = {n["html"]: n["failureSummary"] for v in violations for n in v["nodes"]}
    # axe alone passes none of these sixteen texts and fails none
    assert [len(nodes) for nodes in plain] == [0, 16], plain
    assert after == before, (before, after)
    assert found == {"color-contrast": ['<td style="color:#bbb">faint cell</td>',
                                        '<td style="color:#bbb">faint row</td>',
                                        '<td style="min-width: 50px; color:#bbb">faint</td>',
                                        '<text x="10" y="25" fill="#888">grey label</text>',
                                        '<text x="10" y="25" fill="#bbb">faint label</text>'],
                     "contrast-unchecked": sorted([on_image, half, cut_image])}, found
    assert why[cut_image] == "contrast unchecked: bgImage", why[cut_image]  # after a scroll round


def _audited(browser, html: str, setup: str = "", rule: str = "color-contrast") -> tuple[list, list[dict], tuple]:
    """`html` on a page of its own (after the `setup` script): what axe alone makes of `rule` there
    ([its violating nodes, its undecided nodes], as html), run_axe's violations, and AFTER_A_RUN
    before and after."""
    tab = Tab(browser.new_page())
    try:
        tab.page.set_content(html)
        if setup:
            tab.page.evaluate(setup)
        tab.inject_axe()
        plain = tab.page.evaluate("rule => axe.run(document, {runOnly: {type: 'rule', values: [rule]}}).then(r =>"
                                  " [r.violations, r.incomplete].map(found => found.flatMap(v => v.nodes.map(n => n.html))))",
                                  rule)
        before = tab.page.evaluate(AFTER_A_RUN)
        violations = tab.run_axe()
        return plain, violations, (before, tab.page.evaluate(AFTER_A_RUN))
    finally:
        tab.page.close()


def _found(violations: list[dict]) -> dict[str, list[str]]:
    return {v["id"]: [n["html"] for n in v["nodes"]] for v in violations}


def _opening(html: str) -> str:
    """An element's opening tag, from its html as axe reports it."""
    return html.split(">")[0] + ">"


#: What AUDIT changes while it runs and must put back: the inline styles of the shades (the boxes it
#: grows among them), the scroll positions of every scroll box and of the window.
AFTER_A_RUN = f"""() => [...document.querySelectorAll('*')].filter(w => w.matches('{EDGE_SHADES}')
  || getComputedStyle(w).overflowY !== "visible").map(w => [w.hasAttribute("style"),
  w.style.cssText, getComputedStyle(w).backgroundImage, w.scrollLeft, w.scrollTop]).concat([[scrollX, scrollY]])"""


def test_a_page_clipped_by_its_root_still_has_its_unchecked_texts_reported(browser):
    """A root that hides overflow clips at the window, not at the page: a text below the first screen
    that axe leaves unchecked is reported, not taken for one a scroll box cuts."""
    on_image = '<p style="background-image: url(data:image/gif;base64,R0lGODlhAQABAAAAACw=)">on an image</p>'
    _, violations, _ = _audited(browser, '<!doctype html><html lang="en" style="overflow-x: hidden"><title>root</title>'
                                f'<main><div style="height: 3000px"></div>{on_image}</main></html>')
    found = _found(violations)
    assert found == {"contrast-unchecked": [on_image]}, found


def test_a_text_taller_than_its_box_is_judged_once_the_box_grows(browser):
    """No scroll shows a text taller than its scroll box whole (LARGER, left unchecked), but the box
    grown to its content does: a faint one is a contrast fault."""
    faint = '<p style="color:#bbb">a faint text of a few lines, taller than its box</p>'
    _, violations, (before, after) = _audited(browser,
        '<!doctype html><html lang="en"><title>taller</title><style>body { background: #fff }</style><main>'
        '<div class="table-wrap" style="max-height: 2em; width: 10em; overflow: auto" tabindex="0" role="region"'
        f' aria-label="short">{faint}</div></main></html>')
    found = _found(violations)
    assert found == {"color-contrast": [faint]}, found
    assert after == before, (before, after)


PANEL = ('<div style="position: absolute; top: 4em; left: 0; right: 0; height: 20em; background: #000;'
         ' z-index: -1"></div>')


@pytest.mark.parametrize("around, inside, expected", [
    # its parent's fixed height: grown, the white rows would land on the page's white, out of the
    # parent's black they are read on
    ('<div style="height: 4em; background: #000; color: #fff">{}</div>', "", {}),
    # a dark panel placed where the box would grow: grown, the faint last row would be read on it
    (f'<div style="position: relative">{PANEL}{{}}</div>', "", {"color-contrast": ['<td style="color:#ddd">row 5</td>']}),
    # the same panel held by the box but placed against its parent: the box does not clip it
    ('<div style="position: relative">{}</div>', PANEL, {"color-contrast": ['<td style="color:#ddd">row 5</td>']}),
], ids=["fixed-parent", "panel-below", "panel-held"])
def test_a_box_that_cannot_grow_in_place_is_scrolled_instead(browser, around, inside, expected):
    """A box that cuts texts at its end grows to them only where nothing but its ancestors and its
    content lies there, and its ancestors grow with it. Else it is scrolled: each text is judged on
    what a visitor scrolling the box sees it on, and the page is as it was after."""
    rows = "".join(f"<tr><td>row {n}</td></tr>" for n in range(5)) + '<tr><td style="color:#ddd">row 5</td></tr>'
    box = ('<div class="table-wrap" style="max-height: 4em; overflow: auto" tabindex="0" role="region"'
           f' aria-label="rows"><table>{rows}</table>{inside}</div>')
    (_, cut), violations, (before, after) = _audited(browser,
        '<!doctype html><html lang="en"><title>in place</title><style>body { background: #fff }'
        f' td {{ color: inherit }}</style><main>{around.replace("{}", box)}</main></html>')
    found = _found(violations)
    assert len(cut) >= 3, cut  # rows the box cuts, which axe alone leaves
    assert found == expected, found
    assert after == before, (before, after)


def test_colour_rules_alone_catch_a_dark_only_contrast_fault(browser):
    """The colour-only run the dark checks make (COLOUR) still finds a contrast fault that only the
    dark scheme has, and runs no other rule (the missing alt text is not reported)."""
    page = browser.new_page(color_scheme="dark")
    tab = Tab(page)
    page.set_content('<!doctype html><html lang="en"><title>dark fault</title><style>'
                     'p { color: #111; background: #fff; } @media (prefers-color-scheme: dark) {'
                     ' p { color: #333; background: #000; } }</style><main><img src="data:,">'
                     '<p>dim in dark only</p></main></html>')
    try:
        dark = {v["id"] for v in tab.run_axe(category=COLOUR)}
        page.emulate_media(color_scheme="light")
        light = {v["id"] for v in tab.run_axe(category=COLOUR)}
    finally:
        page.close()
    assert (dark, light) == ({"color-contrast"}, set())


#: The stylesheet's colour-scheme blocks: their body up to the closing brace of the block.
_SCHEME_BLOCK = re.compile(r"@media\s*\(prefers-color-scheme:[^)]*\)\s*\{((?:[^{}]*\{[^{}]*\})*[^{}]*)\}")
#: A custom property set to a colour: all a scheme block may hold for COLOUR runs to be enough.
_COLOUR_PROPERTY = re.compile(r"--[\w-]+\s*:\s*(#[0-9a-fA-F]{3,8}|rgba?\([^)]*\)|transparent)")


def test_the_dark_scheme_changes_colours_only(site):
    """Why the dark runs need only axe's colour rules. In the built site the scheme acts in two
    places: `color-scheme: light dark` (the browser's own colours: colours only), and the
    stylesheets' prefers-color-scheme blocks. Each such block (every mention of the media feature
    must be one) sets, on :root, custom properties to colours, and each of those properties is a
    colour in light too, so nothing that reads it can change size, position or display with the
    scheme. No script, page or SVG reads the scheme (matchMedia, colorScheme, light-dark())."""
    blocks = []
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        found = _SCHEME_BLOCK.findall(text)
        # A block the pattern misses (another media query form, a nested rule) fails here.
        assert len(found) == text.lower().count("prefers-color-scheme"), (css.name, len(found))
        assert "light-dark(" not in text, css.name
        light = dict(re.findall(r"(--[\w-]+)\s*:\s*([^;}]+)", " ".join(
            re.findall(r"(?<![\w-]):root\s*\{([^{}]*)\}", _SCHEME_BLOCK.sub("", text)))))
        for body in found:
            rules = re.findall(r"([^{}]*)\{([^{}]*)\}", body)
            assert rules and all(sel.strip() == ":root" for sel, _ in rules), (css.name, body)
            declarations = [d.strip() for _, decls in rules for d in decls.split(";") if d.strip()]
            assert all(_COLOUR_PROPERTY.fullmatch(d) for d in declarations), (css.name, declarations)
            for name in (d.split(":", 1)[0].strip() for d in declarations):
                assert _COLOUR_PROPERTY.fullmatch(f"{name}: {light.get(name, '').strip()}"), \
                    (css.name, name, "is not a colour in light")
            blocks.append(css.name)
    assert blocks, "no prefers-color-scheme block found: the dark checks would check nothing new"
    for path in [*site.rglob("*.js"), *site.rglob("*.html"), *site.rglob("*.svg")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"prefers-color-scheme|matchMedia|colorScheme|light-dark\(", text), \
            path.relative_to(site)


# For the focused element: its outline, the contrast of that outline with what is behind it
# (the nearest opaque background up the tree), and whether it is inside the viewport. Focus inside a
# frame (the side-by-side view) is the element focused in the framed page, which draws its own
# outline: measured there, and in view when it is in the frame's viewport and that part of the frame
# in the page's.
FOCUS_STATE = """() => {
  let el = document.activeElement, win = window, frame = null, where = "";
  while (el && el.tagName === "IFRAME" && el.contentDocument && el.contentDocument.activeElement
         && el.contentDocument.activeElement !== el.contentDocument.body) {
    frame = el.getBoundingClientRect();
    where += "frame " + (el.dataset.frame || el.title) + ": ";
    win = el.contentWindow;
    el = el.contentDocument.activeElement;
  }
  if (!el || el === el.ownerDocument.body) return null;
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  let back = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgb(win.getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) { back = c.slice(0, 3); break; }
  }
  const style = win.getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const seen = (r, w, h) => r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < h && r.left < w;
  const onPage = frame ? {top: frame.top + r.top, left: frame.left + r.left, width: r.width, height: r.height,
                          bottom: frame.top + r.bottom, right: frame.left + r.right} : r;
  return {
    element: where + el.outerHTML.slice(0, 80),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    outline: style.outlineColor, behind: `rgb(${back.join(", ")})`,  // their contrast: _focus_fault
    inView: seen(r, win.innerWidth, win.innerHeight) && seen(onPage, innerWidth, innerHeight),
  };
}"""
#: Measured after two frames when focus is in a frame: a busy machine was seen measuring before the
#: page scrolled the frame's element into view.
SETTLED_FOCUS_STATE = """async () => {
  if (document.activeElement && document.activeElement.tagName === "IFRAME")
    await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  return (""" + FOCUS_STATE + """)();
}"""
#: Records FOCUS_STATE at each Tab key's keyup, in the page and in every frame it has: by then the
#: keydown's default action (moving focus, scrolling it into view) is done, so the page keeps what
#: a measurement after each press would read, without a round trip per press.
RECORDER = """measure => {
  const stops = window.__focusStops = [], state = eval("(" + measure + ")");
  const listen = win => {
    win.addEventListener("keyup", event => { if (event.key === "Tab") stops.push(state()); }, true);
    for (const frame of win.document.querySelectorAll("iframe"))
      if (frame.contentDocument) listen(frame.contentWindow);
  };
  listen(window);
}"""
#: More stops than any page has (the overview of the bundled site: about 420): reaching it fails.
MAX_TAB_STOPS = 1000


def _focus_fault(state: dict) -> str:
    """Why a focus stop is not visibly focused ('' when it is)."""
    if state["style"] in ("none", "hidden") or state["width"] < 2:
        return "no outline of 2 px or more"
    ratio = contrast(state["outline"], state["behind"])
    if ratio < 3:
        return f"outline contrast {ratio:.2f} < 3"
    return "" if state["inView"] else "outside the viewport"


def _walk(tab, states) -> list[dict]:
    """Press Tab until focus leaves the page or comes back to the first stop; `states(n)` gives
    the states of the stops after the first n once some more presses are made."""
    stops: list[dict] = []
    while True:
        for state in states(len(stops)):
            if state is None or (stops and state["element"] == stops[0]["element"]):
                return stops
            stops.append(state)
            if len(stops) >= MAX_TAB_STOPS:
                raise AssertionError(f"{tab.page.url}: still on the page after {MAX_TAB_STOPS} Tab presses: "
                                     "a focus trap, or a page longer than MAX_TAB_STOPS")


def _recorded_stops(tab) -> list[dict]:
    """The stops' states as recorded in the page (RECORDER), read once per run of presses (about
    the square root of the stops so far: a few presses past the last stop, a few reads); the
    presses are the real keyboard's."""
    tab.page.evaluate(RECORDER, FOCUS_STATE)
    pressed = [0]

    def recorded(n: int) -> list[dict]:
        for _ in range(max(4, int(n ** 0.5))):
            tab.page.keyboard.press("Tab")
            pressed[0] += 1
        count, found = tab.page.evaluate("n => [window.__focusStops.length, window.__focusStops.slice(n)]", n)
        # One state per press, or a press went to a document without the recorder (a frame loaded later).
        assert count == pressed[0], f"{tab.page.url}: {pressed[0]} Tab presses, {count} focus states recorded"
        return found
    return _walk(tab, recorded)


def _settled_stops(tab) -> list[dict]:
    """The stops' states measured one press at a time, two frames after it when focus is in a frame."""
    def settled(n: int) -> list[dict]:
        tab.page.keyboard.press("Tab")
        return [tab.page.evaluate(SETTLED_FOCUS_STATE)]
    return _walk(tab, settled)


def _fresh(tab) -> None:
    """The page as loaded, focus at its start."""
    if tab.page.url == "about:blank":  # a page made by set_content (the checks of the check)
        tab.page.set_content(tab.page.content())
    else:
        tab.page.reload()


def _tab_stops(tab, cover) -> list[dict]:
    """Press Tab until focus leaves the page or comes back to the first stop, and return each
    stop's state: recorded in the page (_recorded_stops), with the tab behind `cover` (_behind). A
    stop found faulty may only have been measured before a frame scrolled it into view, so a page
    with a fault is walked again from a fresh load, one press and one settled measurement at a
    time, and that walk is the answer. It runs in front: behind, once a page has had input,
    Chromium gives it about one animation frame a second (measured: 945 ms a frame on the compare
    index), and that walk waits for two at each stop in a frame (274 s for that page, 6 s in front)."""
    stops = _recorded_stops(tab)
    if not any(_focus_fault(s) for s in stops):
        return stops
    tab.page.bring_to_front()
    try:
        _fresh(tab)
        return _settled_stops(tab)
    finally:
        cover.bring_to_front()


@contextlib.contextmanager
def _behind(tab):
    """The tab behind a blank page of its context (yielded) while its focus is walked, as a tab left
    in the background: Chromium then paints it seldom, and a recorded walk costs less than half
    (measured), while what it reads is worked out on demand all the same (focus, computed styles,
    layout, the scroll that brings a stop into view, frames included): every stop of the light and
    dark walks read the same behind as in front, and test_focus_check_is_not_blind's recorded walk
    runs behind too. In front again after, for the tests that click in this tab."""
    cover = tab.page.context.new_page()
    try:
        # Headless Chromium keeps a tab behind visible, as it was when every stop read the same
        # behind as in front; should that change, say so here.
        assert tab.page.evaluate("() => document.visibilityState") == "visible", "the tab behind is hidden"
        yield cover
    finally:
        cover.close()
        tab.page.bring_to_front()


def test_focus_check_is_not_blind(browser, monkeypatch):
    """Known faults are caught: no outline, a faint outline, a stop off screen; a good one passes.
    Each walk on its own: the one recorded in the page, and the one measured press by press that
    decides when the first finds a fault."""
    tab = Tab(browser.new_context().new_page())  # a context of its own, to walk behind a page of it
    tab.page.set_content(
        '<!doctype html><html lang="en"><title>focus</title><style>a:focus { outline: 3px solid #00f; }</style>'
        '<a href="#1" style="outline: none">none</a> <a href="#2" style="outline-color: #eee">faint</a>'
        '<a href="#3" style="position: absolute; left: -999px">away</a> <a href="#4">good</a>'
        '<iframe srcdoc="<a href=#5 style=outline:none>framed</a> <a href=#6 style=outline:solid>framed</a>">'
        '</iframe></html>')
    expected = ["no outline of 2 px or more", "outline contrast 1.16 < 3", "outside the viewport", "",
                "no outline of 2 px or more", ""]  # the last two: inside a frame
    try:
        with _behind(tab) as cover:
            _fresh(tab)
            assert [_focus_fault(stop) for stop in _recorded_stops(tab)] == expected, "recorded"
            _fresh(tab)  # faults found: _tab_stops answers with the settled walk, in front
            settled, walk = [], _settled_stops
            monkeypatch.setattr(sys.modules[__name__], "_settled_stops", lambda tab: settled.append(1) or walk(tab))
            assert [_focus_fault(stop) for stop in _tab_stops(tab, cover)] == expected, "settled"
            assert settled, "the recorded walk's faults were not walked again, settled"
    finally:
        tab.page.context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
def test_keyboard_focus_is_always_visible(http_site, focus_sample, surveys, tabs, scheme):
    """Tab through each page: each stop has a solid outline of 2 px or more, contrasting 3:1 with
    what is behind it (WCAG 2.4.7, 1.4.11), and is scrolled into view (2.4.11). Light: the
    sample per template (covering_sample, any language: words do not draw focus rings); dark: the
    pages of tone_sample in any language, since only the palette changes."""
    walked = focus_sample if scheme == "light" else tone_sample(surveys(http_site), by_language=False)
    # Not 404.html: it links nowhere and has no stylesheet by design (templates/404.html), so its
    # one stop is the skip link in the browser's own focus ring; its load and axe are checked above.
    walked = [p for p in walked if page_kind(p) != "404"]
    tab = tabs("desktop", scheme)
    hidden = []
    with _behind(tab) as cover:
        for relative in walked:
            tab.visit(http_site, relative)
            stops = _tab_stops(tab, cover)
            assert len(stops) >= 2, (relative, stops)
            hidden += [(relative, fault, s["element"]) for s in stops if (fault := _focus_fault(s))]
    assert not hidden, hidden


def test_status_is_never_conveyed_by_colour_alone(http_site, surveys):
    """On every page every coloured status carries a visible word, and the same words never appear
    in two colours, so the colour adds no meaning the text lacks."""
    tones_by_label: dict[str, set[str]] = {}
    for relative, visit in surveys(http_site).items():
        for badge in visit.facts["badges"]:
            assert any(ch.isalpha() for ch in badge["label"]), (relative, badge)
            tones_by_label.setdefault(badge["label"], set()).add(badge["tone"])
    assert tones_by_label, "no coloured status found"
    ambiguous = {label: tones for label, tones in tones_by_label.items() if len(tones) > 1}
    assert not ambiguous, ambiguous
