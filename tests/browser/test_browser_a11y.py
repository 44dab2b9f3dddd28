"""Accessibility in the browser: axe-core at WCAG 2.2 AA, visible focus, status not by colour alone."""
from __future__ import annotations

import pytest
from browser_harness import Tab, describe_violations

SCHEMES = ["light", "dark"]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_wcag_22_aa_violation(http_site, pages, tabs, axe, scheme):
    """Both colour schemes, since contrast differs: prefers-color-scheme is emulated."""
    tab = tabs("desktop", scheme)
    found = {}
    for relative in pages:
        tab.visit(http_site, relative)
        assert tab.page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches")
        violations = axe(tab)
        if violations:
            found[relative] = describe_violations(violations)
    assert not found, "\n".join(f"{page} ({scheme}):\n{lines}" for page, lines in found.items())


def test_axe_runner_reports_what_it_should(browser):
    """The runner is not blind: a page with known faults yields exactly those rules."""
    tab = Tab(browser.new_page())
    tab.page.set_content('<!doctype html><html lang="en"><title>faults</title><main>'
                         '<img src="data:,"><p style="color:#bbb;background:#fff">faint text</p></main></html>')
    found = {v["id"] for v in tab.run_axe()}
    tab.page.close()
    assert found == {"image-alt", "color-contrast"}


# For the focused element: its outline, the contrast of that outline with what is behind it
# (the nearest opaque background up the tree), and whether it is inside the viewport.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let back = [255, 255, 255];
  for (let n = el.parentElement; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] === 1)) { back = c.slice(0, 3); break; }
  }
  const style = getComputedStyle(el);
  const [a, b] = [lum(rgb(style.outlineColor)), lum(back)];
  const r = el.getBoundingClientRect();
  return {
    element: el.outerHTML.slice(0, 80),
    style: style.outlineStyle, width: parseFloat(style.outlineWidth),
    contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
    inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
            && r.top < innerHeight && r.left < innerWidth,
  };
}"""
MAX_TAB_STOPS = 300


def _focus_fault(state: dict) -> str:
    """Why a focus stop is not visibly focused ('' when it is)."""
    if state["style"] in ("none", "hidden") or state["width"] < 2:
        return "no outline of 2 px or more"
    if state["contrast"] < 3:
        return f"outline contrast {state['contrast']:.2f} < 3"
    return "" if state["inView"] else "outside the viewport"


def _tab_stops(tab) -> list[dict]:
    """Press Tab until focus leaves the page or comes back to the first stop."""
    stops: list[dict] = []
    for _ in range(MAX_TAB_STOPS):
        tab.page.keyboard.press("Tab")
        state = tab.page.evaluate(FOCUS_STATE)
        if state is None or (stops and state["element"] == stops[0]["element"]):
            break
        stops.append(state)
    return stops


def test_focus_check_is_not_blind(browser):
    """Known faults are caught: no outline, a faint outline, a stop off screen; a good one passes."""
    tab = Tab(browser.new_page())
    tab.page.set_content(
        '<!doctype html><html lang="en"><title>focus</title><style>a:focus { outline: 3px solid #00f; }</style>'
        '<a href="#1" style="outline: none">none</a> <a href="#2" style="outline-color: #eee">faint</a>'
        '<a href="#3" style="position: absolute; left: -999px">away</a> <a href="#4">good</a></html>')
    faults = [_focus_fault(stop) for stop in _tab_stops(tab)]
    tab.page.close()
    assert faults == ["no outline of 2 px or more", "outline contrast 1.16 < 3", "outside the viewport", ""]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_keyboard_focus_is_always_visible(http_site, pages, tabs, scheme):
    """Tab through every page: each stop has a solid outline of 2 px or more, contrasting 3:1 with
    what is behind it (WCAG 2.4.7, 1.4.11), and is scrolled into view (2.4.11)."""
    tab = tabs("desktop", scheme)
    hidden = []
    for relative in pages:
        tab.visit(http_site, relative)
        stops = _tab_stops(tab)
        # 404.html links nowhere by design (it is served at any depth): its skip link is its one stop.
        assert len(stops) >= (1 if relative == "404.html" else 2), (relative, stops)
        hidden += [(relative, fault, s["element"]) for s in stops if (fault := _focus_fault(s))]
    assert not hidden, hidden


BADGES = """() => [...document.querySelectorAll('[class*="tone-"]')].map(el => ({
  tone: [...el.classList].find(c => c.startsWith('tone-')),
  label: (getComputedStyle(el, '::before').content.replace(/^"|"$/g, '').replace(/^none$/, '')
          + el.innerText).trim(),
}))"""


def test_status_is_never_conveyed_by_colour_alone(http_site, pages, tab):
    """Every coloured status carries a visible word, and the same words never appear in two colours,
    so the colour adds no meaning the text lacks."""
    tones_by_label: dict[str, set[str]] = {}
    for relative in pages:
        tab.visit(http_site, relative)
        for badge in tab.page.evaluate(BADGES):
            assert any(ch.isalpha() for ch in badge["label"]), (relative, badge)
            tones_by_label.setdefault(badge["label"], set()).add(badge["tone"])
    assert tones_by_label, "no coloured status found"
    ambiguous = {label: tones for label, tones in tones_by_label.items() if len(tones) > 1}
    assert not ambiguous, ambiguous
