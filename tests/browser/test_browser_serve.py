"""The dev server in a real browser: the reload client runs under the strict CSP and follows saves."""
from __future__ import annotations

import json
import time

from bundled import FEW, copy_scenarios
from test_serve import FULL_BUILD, WAIT, Running, _retitle, save

# One Playwright per process: this test uses the session's browser (tests/browser/conftest.py);
# a second sync_playwright() in the same thread fails while the first one runs.


def test_saving_a_scenario_takes_the_open_page_to_it_and_shows_problems_until_fixed(tmp_path, browser):
    # A few scenarios, as in tests/test_serve.py: the client and the server's rebuilds are the same
    # for any number, and both full builds here (the start, the save after a failure) cost a tenth.
    scenarios = copy_scenarios(tmp_path / "scenarios", FEW)
    with Running(scenarios) as server:
        entries = json.loads(server.get("/scenarios.json")[1])["scenarios"]
        shown, saved = entries[0], entries[1]
        page = browser.new_page()
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.on("pageerror", lambda error: console.append(str(error)))
        page.goto(server.url + shown["path"])
        _wait(lambda: any(w.open_page == shown["path"] for w in server.server.waiters), "the page connects")
        # The reload plugin reports the generation the page was served from: a page that connects after
        # a rebuild is told to reload (tests/test_serve.py), so a save made while it loaded is not missed.
        assert [w.served_generation for w in server.server.waiters] == [server.server.site.generation]

        file = scenarios / f"{saved['id']}.yml"
        good = file.read_text(encoding="utf-8")
        save(file, _retitle(good, "Saved in the editor"))
        page.wait_for_url(server.url + saved["path"], timeout=WAIT * 1000)
        page.get_by_text("Saved in the editor").first.wait_for(timeout=WAIT * 1000)

        save(file, "extends: _base\nsource: {plan: gold}\n")
        problems = page.locator('[data-dev="problems"]')
        problems.wait_for(timeout=WAIT * 1000)
        assert f"scenarios/{file.name}" in problems.inner_text() and "source.plan" in problems.inner_text()

        save(file, good)
        # The first good save after a failed one builds everything again, as the start does.
        problems.wait_for(state="detached", timeout=FULL_BUILD * 1000)
        # The reload client ran under `script-src 'self'; connect-src 'self'` without a violation.
        assert not [line for line in console if "Content Security Policy" in line or "Refused" in line], console


def _wait(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {WAIT}s")
        time.sleep(0.02)
