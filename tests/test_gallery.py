"""The section gallery (issue 15): its groups are the classes of scenarios whose rendered section is
equal, read from the built scenario pages with an HTML parser (not the gallery's own extraction)."""
from __future__ import annotations

import copy

from generator.site.render import SECTIONS


def _rendered_sections(site, page, prefix: str) -> dict[str, dict[str, list[str]]]:
    """{section: {its HTML as rendered: ids of the scenarios rendering it so}} from the scenario pages,
    as the session parsed them (`page`): each section is copied, the shared parse left as it is."""
    out: dict[str, dict[str, list[str]]] = {}
    for path in sorted((site / prefix / "scenarios").glob("*/index.html")):
        for section in page(path.relative_to(site).as_posix()).select("section[data-section]"):
            section = copy.copy(section)
            # Links to other states, and "Why?" (one scenario's facts): tiles show the card without them.
            for aside in section.select(".next-states, details.why"):
                aside.decompose()
            out.setdefault(section["data-section"], {}).setdefault(str(section), []).append(path.parent.name)
    return out


def test_each_gallery_groups_exactly_the_scenarios_that_render_the_section_alike(site, page):
    for prefix in ("", "fr"):
        expected = _rendered_sections(site, page, prefix)
        assert set(expected) == set(SECTIONS)
        for section in SECTIONS:
            soup = page(f"{prefix + '/' if prefix else ''}gallery/{section}/index.html")
            tiles = soup.select(f"[data-gallery='{section}'] .tile")
            shown = sorted(sorted(tile["data-group"].split()) for tile in tiles)
            assert shown == sorted(sorted(ids) for ids in expected[section].values()), (prefix, section)
            for tile in tiles:  # each tile names and links every scenario of its group, and shows the section
                linked = [a["href"].split("/")[-2] for a in tile.select(":scope > ul a")]
                assert linked == tile["data-group"].split()
                assert tile.select_one(f"section[data-section='{section}']") is not None
                heading = tile.select_one("h2").get_text()
                assert str(len(linked)) in heading


def test_every_section_heading_and_the_overview_link_to_the_galleries(site, page):
    for prefix in ("", "fr/"):
        overview = {a["href"] for a in page(f"{prefix}index.html").select("a[href*='gallery/']")}
        assert overview == {f"gallery/{s}/index.html" for s in SECTIONS}
        for scenario in sorted((site / prefix / "scenarios").glob("*/index.html"))[:5]:
            soup = page(scenario.relative_to(site).as_posix())
            for section in soup.select("section[data-section]"):
                link = section.select_one("h2 + .gallery-link a")
                assert link["href"] == f"../../gallery/{section['data-section']}/index.html"
                assert (scenario.parent / link["href"]).resolve().is_file()
