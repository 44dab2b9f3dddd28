"""`python -m generator review`: screenshots of two builds, compared pixel by pixel (issue 19).

Small sites keep these tests cheap: two scenarios, English pages alone, and only the pages of the
templates a change here reaches (a full-page shot of a long gallery at phone width costs seconds, twice per build);
one width where the test is not about widths (a full-page shot takes about half a second).
Builds run as a user runs them, in their own process (a build forks its workers); so do the
reviews that need no browser (the command line's own tests). The reviews that screenshot run
in this process, which spares a Python start and its imports each (about half a CPU-second).
"""
from __future__ import annotations

import contextlib
import html
import io
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image
from browser_harness import ROOT, Served, Tab, describe_violations

from generator.cli import main
from generator.site.languages import PREFIX
from generator.review.visual import (PARALLEL, TOLERANCE, PageChange, ReviewResult, candidates, compare_pictures,
                                     write_report)
from generator.site.formats import format_number
from generator.site.render import Catalogue
from generator.review.widths import size_of

#: healthy's page, and missing-refs's, which a change of healthy's facts leaves byte for byte as it was.
SCENARIOS = ("_base.yml", "missing-refs.yml", "healthy.yml")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=400)


def review(*args: str) -> subprocess.CompletedProcess:
    """`review` as run() runs it, in this process: on a thread of its own, since the browser
    fixture's Playwright driver holds this thread's event loop and the review runs one of its own."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), ThreadPoolExecutor(1) as thread:
        code = thread.submit(main, ["review", *args]).result()
    return subprocess.CompletedProcess(["review", *args], code, out.getvalue(), err.getvalue())


#: Folders of generated pages left out of the test sites.
PRUNED = ("gallery", "outcomes", "journeys")
#: The French pages are left out too: they render from the same templates, stylesheet and scripts
#: as the English ones, so they show the review nothing new and cost about half of its screenshots.
#: That each locale gets its pages is the build's business (tests/test_languages.py), not the review's;
#: that the review finds the scenario of a page in any locale: tests/test_diff.py.
OTHER_LOCALES = tuple(prefix for prefix in PREFIX.values() if prefix)


def build(scenarios: Path, out: Path) -> Path:
    """Build, then drop the PRUNED folders, the OTHER_LOCALES and the compare pairs: what is left is
    the overview, the scenario pages, the compare index and 404.html in English, with every asset."""
    done = run("build", "--scenarios", str(scenarios), "--out", str(out))
    assert done.returncode == 0, done.stderr
    for prefix in OTHER_LOCALES:
        shutil.rmtree(out / prefix)
    for folder in [p for p in out.rglob("*") if p.is_dir() and p.name in PRUNED]:
        shutil.rmtree(folder)
    for pair in out.rglob("compare/*--*.html"):
        pair.unlink()
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, Path]:
    """(scenario folder, its built site) for SCENARIOS."""
    folder = tmp_path_factory.mktemp("review-scenarios")
    for name in SCENARIOS:
        shutil.copyfile(ROOT / "scenarios" / name, folder / name)
    return folder, build(folder, tmp_path_factory.mktemp("review-old") / "site")


def changed_pages(stdout: str) -> set[str]:
    """Pages the text summary lists as changed (one per line: flag, page, [width], ratio)."""
    return {line.split()[-3] if line.startswith(" !") else line.split()[0]
            for line in stdout.splitlines()[1:] if "[" in line}


@pytest.fixture(scope="module")
def restyled(small, tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    """(new site, report folder, the review's run) after a change of the stylesheet alone."""
    _, site = small
    new = shutil.copytree(site, tmp_path_factory.mktemp("review-restyled") / "new")
    with open(new / "style.css", "a", encoding="utf-8") as css:
        css.write("\nh1, h2 { color: #b00000; }\n")
    report = tmp_path_factory.mktemp("review-report") / "report"
    return new, report, review(str(site), str(new), "--width", "phone", "--out", str(report))


def test_an_unchanged_site_reports_nothing_even_when_every_page_is_screenshotted(small, tmp_path):
    """Determinism: the same pages, shot once from each copy, give zero changed pixels (--all skips
    no page)."""
    _, site = small
    copy = shutil.copytree(site, tmp_path / "copy")
    done = review(str(site), str(copy), "--all", "--width", "desktop", "--out", str(tmp_path / "report"))
    assert done.returncode == 0, done.stdout + done.stderr
    pages = len(list(site.rglob("*.html")))
    assert done.stdout.startswith(f"No page changed ({pages} pages compared, {2 * pages} screenshots)"), done.stdout


def test_a_stylesheet_change_reports_every_page_that_uses_it(restyled):
    new, _, done = restyled
    assert done.returncode == 1, done.stdout + done.stderr
    styled = {p.relative_to(new).as_posix() for p in new.rglob("*.html")
              if 'href="' in p.read_text() and "style.css" in p.read_text()}
    assert styled and changed_pages(done.stdout) == styled
    assert "[phone]" in done.stdout and "[desktop]" not in done.stdout  # --width phone: that width alone


def test_one_changed_fact_reports_that_scenario_and_the_pages_that_list_it(small, tmp_path):
    folder, site = small
    edited = shutil.copytree(folder, tmp_path / "scenarios")
    text = (edited / "healthy.yml").read_text()
    (edited / "healthy.yml").write_text(text.replace("fetched: ", "fetched: 1", 1))
    new = build(edited, tmp_path / "new")
    done = review(str(site), str(new), "--width", "desktop", "--out", str(tmp_path / "report"))
    assert done.returncode == 1, done.stdout + done.stderr
    reported = changed_pages(done.stdout)
    own = {"scenarios/healthy/index.html"}
    assert own <= reported
    assert not [page for page in reported if "missing-refs" in page]  # its bytes did not change
    for page in reported - own:  # any other page must show the scenario: it links to it
        assert "healthy" in (new / page).read_text(), page
    report = (tmp_path / "report" / "index.html").read_text()
    assert "sync-history" in report or "healthy" in report  # the state changes from diff are beside


def test_a_changed_file_makes_candidates_only_of_the_pages_that_load_it(tmp_path):
    """A page with the same bytes is shot again only when a file it loads changed: one fetched by a
    script at run time counts, and so do the files its frames load, in view or below the fold (the
    review's shots show such a frame painted, not blank); a page that loads none of them is counted
    without a screenshot. More pages load the script than the review has tabs, so a tab loads it
    again from Chromium's cache, and that load counts too."""
    old = tmp_path / "old"
    old.mkdir()
    loading = [f"loads-{n}.html" for n in range(PARALLEL + 1)]
    pages = {**{name: '<script src="fetch.js"></script>' for name in loading},
             "frames.html": '<iframe src="loads-0.html"></iframe>',
             "frame-below.html": '<div style="height: 1600px"></div><iframe src="loads-0.html"></iframe>',
             "unchanged.html": '<script src="unchanged.js"></script>',
             "plain.html": '<p>nothing loaded</p>'}
    for name, body in pages.items():
        (old / name).write_text(f"<!doctype html><title>{name}</title><body>{body}")
    (old / "fetch.js").write_text("document.head.append(Object.assign(document.createElement('script'), "
                                  "{src: ['da', 'ta.js'].join('')}));")
    (old / "data.js").write_text("document.body.append('data 1');")
    (old / "unchanged.js").write_text("document.body.append('unchanged 1');")
    (old / "unused.js").write_text("document.body.append('unused 1');")
    (old / "scenarios.json").write_text('{"scenarios": []}')  # what `review` reads besides the pages
    # data.js, which most pages load, changed with unused.js, which none loads: a page that loads
    # only an unchanged file, or nothing, is not shot. Then unused.js alone: nothing to report.
    for changed, shown in ((("data.js", "unused.js"), {"frames.html", "frame-below.html", *loading}),
                           (("unused.js",), set())):
        new = shutil.copytree(old, tmp_path / f"new-{len(changed)}")
        for name in changed:
            (new / name).write_text((old / name).read_text().replace("1", "2"))
        done = review(str(old), str(new), "--width", "desktop", "--out", str(tmp_path / f"report-{len(changed)}"))
        assert done.returncode == (1 if shown else 0), done.stdout + done.stderr
        assert changed_pages(done.stdout) == shown, done.stdout
        # Shot: the pages showing the change, from both builds; unchanged.html and plain.html never.
        assert re.search(rf"\b{2 * len(shown)} screenshots\b", done.stdout), done.stdout


def test_the_report_passes_axe_in_both_languages(restyled, browser):
    _, report, done = restyled
    assert done.returncode == 1, done.stdout + done.stderr
    served = Served("file", report.resolve().as_uri() + "/")
    # Each language loaded once, then checked in each scheme as loaded (Tab.use_scheme): the report
    # has no script, so only its stylesheet reads the scheme, and the browser re-applies that.
    page = browser.new_page()
    try:
        tab = Tab(page)
        for path, lang in (("index.html", "en"), ("fr/index.html", "fr-CH")):
            tab.visit(served, path)
            assert page.evaluate("document.documentElement.lang") == lang
            assert page.locator("img").count() >= 3
            assert page.locator("script").count() == 0  # see above
            assert not tab.problems, tab.problems  # before axe, whose own requests file:// refuses
            for scheme in ("light", "dark"):
                tab.use_scheme(scheme)
                violations = tab.run_axe()
                assert not violations, f"{scheme} {path}:\n" + describe_violations(violations)
    finally:
        page.close()


def test_identical_sites_need_no_screenshot_and_no_browser(small, tmp_path):
    _, site = small
    copy = shutil.copytree(site, tmp_path / "copy")
    done = run("review", str(site), str(copy), "--out", str(tmp_path / "report"))
    assert done.returncode == 0, done.stdout + done.stderr
    pages = len(list(site.rglob("*.html")))
    assert done.stdout.startswith(f"No page changed ({pages} pages compared, 0 screenshots)"), done.stdout


def test_what_cannot_be_compared_exits_2(tmp_path):
    done = run("review", str(tmp_path / "missing"), str(tmp_path / "missing-too"), "--out", str(tmp_path / "r"))
    assert done.returncode == 2 and "error:" in done.stderr


def moving_page(moving: bool) -> str:
    """A page with what a screenshot must not catch midway, when `moving`: an endless animation
    (in the page, in a shadow root and in a frame), a long one, a long transition, a focused text
    field (its caret not blinking: shown in every picture unless hidden), and a warning shown on any
    screen but the desktop's (a capture puts back the screen of the DevTools session asking for it);
    else the same page at rest, as the screenshots must see it: endless animations gone, the others
    at their end. Taller than the viewport, so the capture goes beyond it, as on most pages."""
    width, height, _ = size_of("desktop")
    screen = (f"@media not all and (device-width: {width}px) and (device-height: {height}px) "
              "{ body { background: #d00 } }" if moving else "")
    endless = "animation: flash .4s linear infinite;" if moving else ""
    style = (f"<style>@keyframes flash {{ from {{ background: #d00 }} to {{ background: #00d }} }}"
             f"div, p {{ height: 40px; margin: 8px; background: #0a0 }} .endless {{ {endless} }}</style>")
    long = "animation: widen 60s linear forwards" if moving else "width: 400px"
    return f"""<!doctype html><title>moving</title>{style}<style>
      @keyframes widen {{ to {{ width: 400px }} }}
      .long {{ width: 40px; {long} }}
      #slid {{ width: 40px; transition: margin-left 60s linear; margin-left: {0 if moving else 300}px }}
      input {{ outline: none; caret-animation: manual }} {screen}</style>
    <div class=endless></div><div class=long></div><div id=slid></div>
    <div><template shadowrootmode=open>{style}<p class=endless></p></template></div>
    <iframe srcdoc='{html.escape(style)}<div class=endless></div>'></iframe>
    <input value=typed><section style="height: 2000px"></section>
    <script>
      getComputedStyle(slid).marginLeft;  // the start of the transition
      slid.style.marginLeft = "300px";
      {'document.querySelector("input").focus();' if moving else ''}
    </script>"""


def test_screenshots_see_no_animation_no_caret_and_the_screen_of_the_width(tmp_path):
    """As page.screenshot(animations="disabled", caret="hide") would take them: a moving page
    reviewed against the same page at rest shows no change (and its screenshots are steady)."""
    for side, moving in (("old", True), ("new", False)):
        (tmp_path / side).mkdir()
        (tmp_path / side / "moving.html").write_text(moving_page(moving))
        (tmp_path / side / "scenarios.json").write_text('{"scenarios": []}')
    done = review(str(tmp_path / "old"), str(tmp_path / "new"), "--width", "desktop",
                  "--out", str(tmp_path / "report"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("No page changed (1 page compared, 2 screenshots)"), done.stdout


def test_a_reviewed_page_reads_its_own_site_and_nothing_outside_it(tmp_path):
    """A page is shot as its scripts leave it, so what it can read shows in its pictures. It reads
    a file of its site; it reads none beside the site folder: by a relative path (Chromium climbs
    no higher than the site's root), one the server would have to climb ("..%2f"), a symbolic link
    out of the folder, or a file:// address (the review reads a build over HTTP: Chromium's switch
    that makes file:// one origin would let any page read the machine's files)."""
    def side(name: str, inside: str) -> Path:
        folder = tmp_path / name
        (folder / "site").mkdir(parents=True)
        (folder / "outside.txt").write_text(f"outside {name}")  # differs: a read would show
        (folder / "site" / "inside.txt").write_text(inside)
        (folder / "site" / "link.txt").symlink_to(folder / "outside.txt")
        (folder / "site" / "up").symlink_to("..")
        addresses = ["inside.txt", "../outside.txt", "/../outside.txt", "%2e%2e/outside.txt", "..%2foutside.txt",
                     "link.txt", "up/outside.txt", (folder / "outside.txt").as_uri()]
        # Synchronous reads while the page parses: done before it loads, so before its screenshot.
        (folder / "site" / "reads.html").write_text(
            "<!doctype html><title>reads</title><body><script>"
            f"{addresses!r}.forEach(function (address, n) {{ var text;"
            " try { var x = new XMLHttpRequest(); x.open('GET', address, false); x.send();"
            " text = x.status === 200 ? x.responseText : 'status ' + x.status; } catch (e) { text = 'refused'; }"
            " document.write('<p>' + n + ': ' + text + '</p>'); });</script>")  # not the address: it names the side
        (folder / "site" / "scenarios.json").write_text('{"scenarios": []}')
        return folder / "site"
    for inside, changed in (("same", False), ("other", True)):
        old, new = side(f"old-{inside}", "same"), side(f"new-{inside}", inside)
        done = review(str(old), str(new), "--width", "desktop", "--out", str(tmp_path / f"report-{inside}"))
        # The reads show: a changed file of the site changes the page; the files outside never do.
        assert done.returncode == (1 if changed else 0), done.stdout + done.stderr
        assert changed_pages(done.stdout) == ({"reads.html"} if changed else set()), done.stdout


def test_a_page_that_frames_a_folder_shows_the_change_of_its_index(tmp_path):
    """A frame's address may name a folder ("sub/", or "sub", redirected to it): the server answers
    with its index.html, and the review counts that file as the framing page's, whether it reads
    the page's frames from its bytes (no other file changed) or from what the page asks for
    (another file changed), and whether the folder changed or is gone from the new build."""
    old = tmp_path / "old"
    (old / "sub").mkdir(parents=True)
    (old / "page.html").write_text('<!doctype html><title>page</title><body><iframe src="sub/"></iframe>')
    (old / "bare.html").write_text('<!doctype html><title>bare</title><body><iframe src="sub"></iframe>')
    (old / "sub" / "index.html").write_text("<!doctype html><title>sub</title><body><p>sub 1</p>")
    (old / "unused.js").write_text("1")
    (old / "scenarios.json").write_text('{"scenarios": []}')
    # The folder page changed, or is gone from the new build (its frame then shows a 404).
    for n, (changed, removed) in enumerate(((("sub/index.html",), False), (("sub/index.html", "unused.js"), False),
                                            (("unused.js",), True))):
        new = shutil.copytree(old, tmp_path / f"new-{n}")
        for name in changed:
            (new / name).write_text((old / name).read_text().replace("1", "2"))
        if removed:
            shutil.rmtree(new / "sub")
        done = review(str(old), str(new), "--width", "desktop", "--out", str(tmp_path / f"report-{n}"))
        assert done.returncode == 1, done.stdout + done.stderr
        assert changed_pages(done.stdout) == {"page.html", "bare.html", "sub/index.html"}, (changed, removed, done.stdout)


def test_the_report_counts_and_writes_numbers_as_each_language_does(tmp_path):
    """One page changed, by one pixel (0.14 %), in two screenshots: every count in its form for its
    number, the ratio with the language's decimal mark."""
    result = ReviewResult(changes=[PageChange("a.html", "desktop", 0.0014, 1)], unchanged=1, screenshots=2)
    write_report(tmp_path, result, {("a.html", "desktop"): (None, None, None)}, {}, ("old", "new"), 0.05)
    for locale, page in (("en", "index.html"), ("fr", "fr/index.html")):
        text = html.unescape((tmp_path / page).read_text(encoding="utf-8"))
        t = Catalogue.load(locale)
        ratio = format_number(0.14, t("format.group"), t("format.decimal"), digits=2)
        for said in (t("review.changed", count=1), t("review.unchanged", count=1), t("review.screenshots", count=2),
                     t("review.pixels", count=1, ratio=ratio), t("review.ratio", ratio=ratio)):
            assert said in text, (locale, said)
    english = html.unescape((tmp_path / "index.html").read_text(encoding="utf-8"))
    for said in ("1 page changed", "1 unchanged", "2 screenshots taken", "1 pixel changed (0.14 %)."):
        assert said in english, said  # the forms themselves, as written in English
    assert "0,14 %" in html.unescape((tmp_path / "fr" / "index.html").read_text(encoding="utf-8"))


def test_a_frame_is_read_as_a_browser_reads_its_address(tmp_path):
    """Without a changed non-page file the review reads a page's frames from its bytes, with no
    browser: each address, relative or from the root, with "%2e" dots or backslashes, or naming a
    folder with or without its "/", leads to the page a browser would show in the frame."""
    old = tmp_path / "old"
    (old / "sub").mkdir(parents=True)
    (old / "dir").mkdir()
    (old / "sub" / "index.html").write_text("<p>sub 1</p>")
    (old / "elsewhere.html").write_text("<p>elsewhere</p>")
    framing = {"relative": "../sub/", "rooted": "/sub/index.html", "dots": "%2e%2e/sub/index.html",
               "backslashes": "..\\sub\\index.html", "bare": "../sub", "other": "../elsewhere.html",
               "unreadable": "x" * 300}  # a name too long to look up: no file, in either build
    for name, address in framing.items():
        (old / "dir" / f"{name}.html").write_text(f'<iframe src="{address}"></iframe>')
    new = shutil.copytree(old, tmp_path / "new")
    (new / "sub" / "index.html").write_text("<p>sub 2</p>")
    todo, identical, taken = candidates(old, new, browser=None)  # no browser: none is needed
    assert set(todo) == {"sub/index.html"} | {f"dir/{name}.html" for name in framing if name not in ("other", "unreadable")}
    assert identical == 3 and not taken  # dir/other.html, dir/unreadable.html and elsewhere.html


def test_a_path_that_is_a_file_in_one_build_and_a_folder_in_the_other_is_a_change(tmp_path):
    """A frame's "x.html" is a page in the new build and a folder without one in the old (a 404
    there); "y.html" a page in the new build and a folder holding the same bytes as index.html in
    the old (its links then resolve from inside it): each is a change, and so is the page framing
    x.html. A link named like a page that leads nowhere is no page in either build."""
    old, new = tmp_path / "old", tmp_path / "new"
    for site in (old, new):
        site.mkdir()
        (site / "page.html").write_text('<iframe src="x.html"></iframe>')
        (site / "gone.html").symlink_to(site / "nowhere")
    (old / "x.html").mkdir()
    (new / "x.html").write_text("<p>x</p>")
    (old / "y.html").mkdir()
    (old / "y.html" / "index.html").write_text("<p>y</p>")
    (new / "y.html").write_text("<p>y</p>")
    todo, identical, _ = candidates(old, new, browser=None)
    assert set(todo) == {"page.html", "x.html", "y.html", "y.html/index.html"}
    assert identical == 0  # gone.html is not counted: no page


def test_a_pixel_counts_as_changed_when_any_channel_moves():
    """A move of red, green or blue alone by more than TOLERANCE is a change."""
    def png(colour) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (4, 3), colour).save(out, format="PNG")
        return out.getvalue()
    step = TOLERANCE + 1
    for moved in ((100 + step, 100, 100), (100, 100 + step, 100), (100, 100, 100 + step)):
        changed, total, highlight = compare_pictures(png((100, 100, 100)), png(moved))
        assert (changed, total) == (12, 12) and highlight, moved
