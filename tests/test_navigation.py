"""Navigation as the markup states it, on every scenario page of every language (the browser tests
click through a few of them: tests/browser/test_browser_navigation.py)."""
from __future__ import annotations

import json
import posixpath

from generator.site.render import Catalogue


def _manifest(site) -> list[dict]:
    return json.loads((site / "scenarios.json").read_text(encoding="utf-8"))["scenarios"]


def _follow(page, start: str, rel: str) -> list[str]:
    """Pages reached from `start` by following rel=next (or prev) links, `start` first."""
    walked = [start]
    while (link := page(walked[-1]).find("a", rel=rel)) is not None:
        walked.append(posixpath.normpath(posixpath.join(posixpath.dirname(walked[-1]), link["href"])))
        assert len(walked) <= 10_000, walked[-3:]
    return walked


def test_previous_and_next_chain_every_scenario_in_order_in_every_language(site, page):
    manifest = _manifest(site)
    for locale in manifest[0]["paths"]:
        order = [entry["paths"][locale] for entry in manifest]
        assert _follow(page, order[0], "next") == order, locale
        assert _follow(page, order[-1], "prev") == order[::-1], locale


def test_every_action_preview_starts_closed_and_says_it_executes_nothing(site, page):
    """Every preview of every scenario page in every language, in the page's own language."""
    checked = 0
    for entry in _manifest(site):
        for locale, path in entry["paths"].items():
            no_execution = " ".join(Catalogue.load(locale)("action.no_execution").split())
            previews = page(path).select("details.preview")
            assert previews, f"{path} has no action preview"
            for index, preview in enumerate(previews):
                text = preview.get_text(" ")
                assert not preview.has_attr("open"), (path, index)
                assert no_execution in " ".join(text.split()) and "performsRealAction: false" in text, (path, index)
            checked += len(previews)
    assert checked >= 2 * len(_manifest(site))
