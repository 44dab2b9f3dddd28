"""Both languages, rendered: every page in en and fr, the switch, hreflang, locale formats, fallbacks.

The untranslated-text check reads every visible text of every page against the
catalogues: a French page may not show a message that exists only in English (and
the other way round), a raw key, or an unfilled placeholder.
"""
from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Comment, NavigableString
from hypothesis import given
from hypothesis import strategies as st

from factories import facts, run, scenario
from parsing import parse_all
from generator.site import render
from generator.build import build
from generator.core.derive import derive
from generator.site.formats import format_datetime, format_number
from generator.output.plan import Plan, render_site
from generator.output.workers import render_jobs
from generator.site.render import Catalogue
from generator.model.scenario import Scenario
from test_catalogues import counted, leaves, load, placeholders
from test_derive import CHECKLIST, CREDENTIAL_ACTIONS, EXCHANGE, READINESS, SCHEMA, SYNC_FINDINGS

TAGS = {"en": "en", "fr": "fr-CH"}
PREFIX = {"en": "", "fr": "fr/"}
PUNCTUATION = " \t\n\u00a0\u202f:;,.()—–-·→←“”«»!?"


def locale_of(relative: str) -> str:
    return "fr" if relative.startswith("fr/") else "en"


def html_pages(site: Path) -> list[str]:
    # 404.html is English only: it is served at any address, where no language can be told.
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if p.name != "404.html")


def resolve(site: Path, relative: str, href: str) -> str:
    """A relative link from one page, as a path inside the site."""
    target = ((site / relative).parent / href.split("#")[0]).resolve()
    return str(target.relative_to(site.resolve()))


# --- every state the derivation tests know, rendered in both languages ------------------

def many_states() -> list[Scenario]:
    """The derive tables' states plus the ones they do not cover: every code reaches a template."""
    overrides = [o for _, o, _ in READINESS] + [o for o, _ in CHECKLIST] + [o for o, _ in CREDENTIAL_ACTIONS]
    overrides += [{"sync_runs": [r]} for r, _, _ in SYNC_FINDINGS]
    overrides += [{"schema": sc, "mapping": {"confirmed": ok}} for sc, ok, _, _ in SCHEMA]
    overrides += [{"exchange": {"outcome": outcome}, "sync_runs": []} for outcome, _ in EXCHANGE]
    overrides += [
        {"as_of": "2026-05-05T08:00:00Z"},  # token expired, data stale
        {"api": {"target_version": "2024-01"}},  # out of support: falls forward
        {"api": {"target_version": "2027-01"}},  # not released yet
        {"api": {"target_version": "2025-07"}},  # leaves support within 90 days
        {"sync_runs": [run("running", started_at="2026-05-03T07:30:00Z"), run("succeeded")]},
        {"sync_runs": [], "exchange": None},
        {"source": {"enabled": False}},
        {"schema": {"change": "breaking", "changes": [{"field": "Order.x", "change": "removed", "detail": "gone"}]}},
        {"external_accounts": [{"store": "other-shop.myshopify.com", "masked_ref": "shop_x_•••2", "in_profile": False}]},
        {"sync_runs": [run("partial", fetched=12345, processed=10000, failed=2345)]},
    ]
    states = []
    for index, over in enumerate(overrides):
        data = facts(**over)
        data.update(id=f"state-{index}", title={"en": f"State {index}", "fr": f"État {index}"})
        states.append(Scenario.model_validate(data))
    return states


@pytest.fixture(scope="module")
def rendered() -> dict[str, BeautifulSoup]:
    """The scenario pages and overviews of the many states, both languages, parsed (rendering raises
    on any missing key). The states exist to reach every message of the scenario template; the other
    templates are read on the bundled site by the same checks: only the jobs of the pages kept here
    are rendered (a third of the time of the whole site of these states)."""
    plan = Plan.make(many_states())
    files = render_jobs(plan, [job for job in plan.jobs() if job.kind in ("scenario", "overview")],
                        processes=1).files
    kept = [path for path in files if re.fullmatch(r"(fr/)?(scenarios/[^/]+/)?index\.html", path)]
    return dict(zip(kept, parse_all(files[path] for path in kept)))


def test_every_page_exists_in_both_languages(site):
    pages = html_pages(site)
    english = [p for p in pages if locale_of(p) == "en"]
    assert len(english) >= 5  # overview + the four required scenarios
    assert sorted(p for p in pages if locale_of(p) == "fr") == sorted("fr/" + p for p in english)


def test_many_states_render_in_both_languages(rendered):
    states = many_states()
    pages = list(rendered)  # generated outcome pages: tests/test_transitions.py
    assert len(pages) == 2 * (len(states) + 1)  # every state and the overview, in two languages
    for s in states:
        assert f"scenarios/{s.id}/index.html" in rendered and f"fr/scenarios/{s.id}/index.html" in rendered


# --- untranslated text ---------------------------------------------------------------------

def normal(text: str) -> str:
    return " ".join(text.split()).strip(PUNCTUATION).casefold()


def only_in(locale: str, other: str) -> set[str]:
    """Messages of `locale` that no message of `other` shares: they betray an untranslated page."""
    def texts(loc):
        out = set()
        for value in leaves(load(loc)).values():
            out.update(normal(v) for v in (value if isinstance(value, list) else [value]))
        return out
    return {text for text in texts(locale) - texts(other) if text}


def shown_texts(node, page_lang: str) -> list[str]:
    """Visible text in the page's own language: not codes, not text marked as another language."""
    out = []
    for child in node.contents:  # bs4's own fields (`contents`, `attrs`): ~300,000 elements a run
        if isinstance(child, NavigableString):
            if child.strip() and not isinstance(child, Comment):
                out.append(str(child))
        elif child.name not in ("code", "script", "style", "head") and "data-fallback" not in child.attrs \
                and child.attrs.get("lang", page_lang).split("-")[0] == page_lang:
            out += shown_texts(child, page_lang)
    return out


PLACEHOLDER = re.compile(r"[{}]|\['|\bTrue\b|\bFalse\b|\bNone\b")


def untranslated(soup: BeautifulSoup, locale: str, foreign: set[str], keys: re.Pattern,
                 sentences: list[str]) -> list[str]:
    """`sentences`: the messages of `foreign` of four words or more, sought inside the page's text."""
    problems = []
    texts = shown_texts(soup.body, locale)
    # Neither pattern matches a line break: one search over the texts joined by line breaks finds a
    # match if and only if one of them holds one, then each text is searched to name it.
    lines = "\n".join(texts)
    suspect = keys.search(lines) or PLACEHOLDER.search(lines)
    for text in texts:
        if normal(text) in foreign:
            problems.append(f"message of the other language: {text!r}")
        if suspect and keys.search(text):
            problems.append(f"raw key: {text!r}")
        if suspect and PLACEHOLDER.search(text):
            problems.append(f"unfilled placeholder or Python value: {text!r}")
    joined = normal(" ".join(texts))
    # A sentence inside `joined` has its inner words there whole, between spaces: a sentence with
    # an inner word the page lacks cannot be there (a set look-up instead of a scan of the page).
    words = set(joined.split(" "))
    problems += [f"sentence of the other language: {m!r}" for m in sentences
                 if all(word in words for word in m.split(" ")[1:-1]) and m in joined]
    return problems


def check_untranslated(pages: dict[str, BeautifulSoup]) -> list[str]:
    keys = re.compile(r"\b(?:%s)\.[A-Za-z_-]+" % "|".join(re.escape(k) for k in load("en")))
    foreign = {"en": only_in("fr", "en"), "fr": only_in("en", "fr")}
    sentences = {locale: [m for m in messages if len(m.split()) >= 4] for locale, messages in foreign.items()}
    problems = []
    for path, soup in pages.items():
        locale = locale_of(path)
        problems += [f"{path}: {p}" for p in untranslated(soup, locale, foreign[locale], keys, sentences[locale])]
    return problems


def test_no_page_shows_an_untranslated_message(site, page, rendered):
    pages = {p: page(p) for p in html_pages(site)} | rendered
    assert check_untranslated(pages) == []


def test_the_untranslated_check_sees_an_english_message_on_a_french_page(monkeypatch):
    """Mutation: French catalogue with two English messages put back, the check must flag them."""
    original = Catalogue.load.__func__

    def load_with_english(cls, locale, *args, **kwargs):
        catalogue = original(cls, locale, *args, **kwargs)
        if locale == "fr":
            english = load("en")
            catalogue.messages["section"]["checklist"] = english["section"]["checklist"]
            catalogue.messages["banner"]["nothing_real"] = english["banner"]["nothing_real"]
        return catalogue
    monkeypatch.setattr(render.Catalogue, "load", classmethod(load_with_english))
    files = render_site([scenario()])
    problems = check_untranslated({"fr/scenarios/t/index.html": BeautifulSoup(files["fr/scenarios/t/index.html"],
                                                                              "html.parser")})
    assert any("'Checklist'" in p for p in problems)
    assert any("No real Shopify API connection" in p for p in problems)


# --- the switch, lang and hreflang -----------------------------------------------------------

def test_the_switch_round_trips_to_the_same_page(site, page):
    for relative in html_pages(site):
        locale = locale_of(relative)
        other = "fr" if locale == "en" else "en"
        links = page(relative).select(f'.languages a[data-switch-locale="{other}"]')
        assert len(links) == 1, relative
        there = resolve(site, relative, links[0]["href"])
        inner = relative[len(PREFIX[locale]):]
        assert there == PREFIX[other] + inner, (relative, there)  # same scenario, other language
        back = page(there).select_one(f'.languages a[data-switch-locale="{locale}"]')
        assert resolve(site, there, back["href"]) == relative
        current = page(relative).select_one(".languages a[aria-current]")
        assert resolve(site, relative, current["href"]) == relative and current["lang"] == TAGS[locale]


def test_lang_and_hreflang_alternates(site, page):
    for relative in html_pages(site):
        locale = locale_of(relative)
        soup = page(relative)
        assert soup.html["lang"] == TAGS[locale]
        alternates = {link["hreflang"]: resolve(site, relative, link["href"])
                      for link in soup.select('head link[rel="alternate"][hreflang]')}
        inner = relative[len(PREFIX[locale]):]
        assert alternates == {"en": inner, "fr-CH": "fr/" + inner, "x-default": inner}, relative
        assert alternates[TAGS[locale]] == relative  # a page lists itself too
        for target in alternates.values():
            assert (site / target).is_file()


def test_the_overview_offers_both_languages_without_javascript(page):
    soup = page("index.html")
    # Its scripts only add the filter box and scroll the switcher; the language links are plain links.
    assert {(s["src"], s.has_attr("defer")) for s in soup.find_all("script")} == {
        ("overview.js", True), ("switcher.js", True)}
    assert soup.select_one('.languages a[data-switch-locale="fr"]')["href"] == "fr/index.html"
    assert page("fr/index.html").select_one('.languages a[data-switch-locale="en"]')["href"] == "../index.html"


def test_french_scenario_pages_read_from_the_french_catalogue(page, bundled_scenarios):
    french = load("fr")
    for s in bundled_scenarios:
        soup = page(f"fr/scenarios/{s.id}/index.html")
        d = derive(s)
        headings = [h.get_text(strip=True) for h in soup.select("[data-section] > h2")]
        assert headings == [french["banner"]["title"]] + [french["section"][key] for key in render.SECTIONS[1:]]
        assert soup.select_one('[data-section="readiness"] .big .badge').get_text(strip=True) == \
            french["readiness"][d.readiness]
        for li in soup.select("[data-check]"):
            assert french["checklist"][li["data-check"]] in li.get_text()


# --- numbers and dates ---------------------------------------------------------------------

@given(st.integers(min_value=-10**12, max_value=10**12))
def test_number_groups_thousands(n):
    for group in (",", "\u202f"):
        text = format_number(n, group, ".")
        assert text.replace(group, "") == str(n)
        groups = text.lstrip("-").split(group)
        assert 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def test_decimals_use_the_locale_mark():
    assert format_number(1234.5, "\u202f", ",", digits=2) == "1\u202f234,50"
    assert format_number(1234.5, ",", ".", digits=2) == "1,234.50"


@pytest.mark.parametrize("locale", sorted(TAGS))
def test_a_counted_message_takes_the_form_of_its_count_and_writes_it_as_the_locale_does(locale):
    t = Catalogue.load(locale)
    singular = {int(n) for n in t("format.singular").split()}
    assert 1 in singular and singular <= {0, 1}
    many = format_number(1234, t("format.group"), t("format.decimal"))
    forms = t.messages["compare"]["count"]  # zero, one, other: "zero" words none its own way
    assert t("compare.count", count=0) == forms["zero"]
    assert t("compare.count", count=1) == forms["one"].format(count="1")
    assert t("compare.count", count=1234) == forms["other"].format(count=many)
    alerts = t.messages["data_quality"]["alerts"]  # one, other: 0 takes the locale's form for it
    assert t("data_quality.alerts", count=0) == alerts["one" if 0 in singular else "other"].format(count="0")
    assert t("data_quality.alerts", count=2) == alerts["other"].format(count="2")
    assert t.forms("compare.count") == {"0": forms["zero"], "1": forms["one"], "other": forms["other"]}
    assert t.forms("data_quality.alerts") == {"0": alerts["one" if 0 in singular else "other"],
                                              "1": alerts["one"], "other": alerts["other"]}


def test_french_writes_none_in_the_singular_and_english_in_the_plural():
    """CLDR's rule for each language: French "0 alerte", English "0 alerts"."""
    assert Catalogue.load("fr")("data_quality.alerts", count=0).startswith("0 alerte ")
    assert Catalogue.load("en")("data_quality.alerts", count=0).startswith("0 alerts ")


@pytest.mark.parametrize("values", [{}, {"n": 3}, {"count": "1"}, {"count": True}, {"count": 1.0}, {"count": -1},
                                    {"count": None}])
def test_a_counted_message_without_a_whole_count_is_an_error_that_names_it(values):
    with pytest.raises(render.MissingMessage, match="'data_quality.alerts' counts"):
        Catalogue.load("en")("data_quality.alerts", **values)


def test_only_a_counted_message_has_forms():
    with pytest.raises(render.MissingMessage, match="'compare.title' .* no forms"):
        Catalogue.load("en").forms("compare.title")


def test_no_page_writes_one_in_the_plural(site):
    """Each counted message's plural, with a count its language writes in the singular, appears on
    no page (a form chosen wrong would write "1 alerts need attention."). The bundled pages count
    no alert, item or step as 0: French 0 is the unit tests' (0 alerte)."""
    wrong = {html.escape(forms["other"].format(count=str(n)))
             for locale in TAGS for n in Catalogue.load(locale).singular
             for forms in counted(load(locale)).values()
             if placeholders(forms["other"]) == {"count"} and forms["other"] != forms["one"]}
    assert {"1 alerts need attention.", "0 alertes à traiter."} <= wrong  # the scan reads the catalogues
    # A 1 that is a whole number, not the end of 11 or 2,001.
    scan = re.compile(r"(?<![\w.,\u202f])(?:" + "|".join(map(re.escape, sorted(wrong))) + ")")
    assert scan.search("<p>1 alerts need attention.</p>") and not scan.search("11 alerts need attention.")
    found = {(page.relative_to(site).as_posix(), match) for page in site.rglob("*.html")
             for match in scan.findall(page.read_text(encoding="utf-8"))}
    assert not found, sorted(found)[:5]


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                    timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=2))])))
def test_swiss_dates_are_day_month_year_in_utc(moment):
    utc = moment.astimezone(timezone.utc)
    expected = f"{utc.day:02d}.{utc.month:02d}.{utc.year} {utc.hour:02d}:{utc.minute:02d} UTC"
    assert format_datetime(moment, load("fr")["format"]["datetime"]) == expected


def test_pages_format_numbers_and_dates_by_locale_and_keep_iso_for_machines(rendered):
    for s in many_states():
        d = derive(s)
        for locale, group in (("en", ","), ("fr", "\u202f")):
            soup = rendered[f"{PREFIX[locale]}scenarios/{s.id}/index.html"]
            rows = soup.select("tr[data-run]")
            assert len(rows) == len(d.sync_runs)
            for row, r in zip(rows, d.sync_runs):
                cells = [td.get_text() for td in row.select("td.num")]
                assert cells == [f"{n:,}".replace(",", group) for n in (r.fetched, r.processed, r.failed)]
            for time in soup.select("time"):
                moment = datetime.strptime(time["datetime"], "%Y-%m-%dT%H:%M:%SZ")  # ISO, machine-readable
                shown = time.get_text()
                if locale == "fr":
                    assert shown == moment.strftime("%d.%m.%Y %H:%M UTC"), shown
                else:
                    assert shown == moment.strftime("%Y-%m-%d %H:%M UTC"), shown


# --- scenario texts: per language, fallback visible -----------------------------------------

def build_one(tmp_path, write_scenarios, title: str, description: str) -> Path:
    base = (Path(__file__).resolve().parent.parent / "scenarios" / "_base.yml").read_text()
    folder = write_scenarios({"_base.yml": base, "x.yml": f"extends: _base\ntitle: {title}\ndescription: {description}\n"})
    build(folder, tmp_path / "site")
    return tmp_path / "site"


def read(site: Path, relative: str) -> BeautifulSoup:
    return BeautifulSoup((site / relative).read_text(encoding="utf-8"), "html.parser")


def test_a_missing_translation_falls_back_visibly(tmp_path, write_scenarios):
    site = build_one(tmp_path, write_scenarios, "{en: Only English}", "{fr: Seulement en français}")
    fr = read(site, "fr/scenarios/x/index.html")
    h1 = fr.select_one("h1")
    assert h1.select_one('[lang="en"]').get_text() == "Only English"
    assert h1.select_one('[data-fallback="en"]').get_text() == "non traduit — affiché en anglais"
    assert fr.select_one('.switcher abbr[data-fallback="en"]')["title"] == "non traduit — affiché en anglais"
    assert fr.title.get_text().startswith("Only English (EN) — ")
    assert fr.select_one('tr[data-scenario="x"] [data-fallback="en"]') is None  # overview is its own page
    overview = read(site, "fr/index.html").select_one('tr[data-scenario="x"]')
    assert overview.select_one('[lang="en"]').get_text() == "Only English" and overview.select_one("[data-fallback]")
    en = read(site, "scenarios/x/index.html")
    assert en.select_one(".description")["lang"] == "fr"
    assert en.select_one('[data-fallback="fr"]').get_text() == "not translated — shown in French"
    assert not en.select_one("h1 [data-fallback]")  # the title is English: nothing to mark
    manifest = json.loads((site / "scenarios.json").read_text())["scenarios"][0]
    assert manifest["titles"] == {"en": "Only English"}  # a fallback is not a translation


def test_a_plain_string_is_english_and_marked_on_french_pages(tmp_path, write_scenarios):
    site = build_one(tmp_path, write_scenarios, "Plain title", "'Plain *text*'")
    fr = read(site, "fr/scenarios/x/index.html")
    assert fr.select_one('h1 [lang="en"]').get_text() == "Plain title"
    assert fr.select_one('.description[lang="en"]') is not None
    assert len(fr.select('[data-fallback="en"]')) >= 3  # title, description, switcher


def test_bundled_scenarios_are_fully_translated(site, page, bundled_scenarios):
    for s in bundled_scenarios:
        for locale in ("en", "fr"):
            soup = page(f"{PREFIX[locale]}scenarios/{s.id}/index.html")
            assert not soup.select("[data-fallback]"), (s.id, locale)


def test_empty_translations_are_refused():
    for title in ({}, {"en": "x", "fr": ""}):
        with pytest.raises(ValueError):
            Scenario.model_validate(facts(title=title))


def test_manifest_lists_both_languages(site):
    for entry in json.loads((site / "scenarios.json").read_text())["scenarios"]:
        assert entry["paths"] == {"en": entry["path"], "fr": "fr/" + entry["path"]}
        assert set(entry["titles"]) == {"en", "fr"} and entry["titles"]["en"] == entry["title"]
        assert all((site / p).is_file() for p in entry["paths"].values())
