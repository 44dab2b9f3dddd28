""""Why?" beside every section (issue 13): what it lists is what the core recorded, read from the
built pages with an HTML parser and compared with `record(s)`, never with copied text."""
from __future__ import annotations

import re

import pytest

from generator.core.derive import RULE_IDS
from generator.core.provenance import record
from generator.site.compare import facts
from generator.site.render import Catalogue

LOCALES = ("en", "fr")


def _reasons(section) -> list[tuple[list[str], list[str], dict[str, str]]]:
    """Each line of a section's "Why?": (fields shown, rule ids, {fact path: value as written})."""
    out = []
    for line in section.select("details.why li"):
        codes = line.find_all("code")
        fields = codes[0].get_text().split(", ")
        between = codes[0].next_sibling if len(codes) > 1 else None
        has_rules = between is not None and str(between).strip() == "←" and codes[1].previous_sibling is between
        rules = codes[1].get_text().split(", ") if has_rules else []
        read = {}
        for code in codes[2 if has_rules else 1:]:
            text = str(code.next_sibling or "")
            read[code.get_text()] = text.removeprefix(" = ").removesuffix("; ")
        out.append((fields, rules, read))
    return out


def problems(soup, s) -> list[str]:
    """What a scenario page's "Why?" lists and the core did not record, or misses, or misstates."""
    _, recorded = record(s)
    known = dict(facts(s))
    found, listed = [], set()
    for section in soup.select("section[data-section]"):
        name = section["data-section"]
        for fields, rules, read in _reasons(section):
            for field in fields:
                source = recorded.get((name, field))
                if (name, field) in listed or source is None:
                    found.append(f"{name}/{field}: listed twice or never recorded")
                    continue
                listed.add((name, field))
                if tuple(rules) != source.rules or tuple(read) != source.facts:
                    found.append(f"{name}/{field}: {rules} {list(read)} ≠ recorded {source}")
            for path, value in read.items():
                if path in known and value != known[path]:  # one fact: as the scenario states it
                    found.append(f"{path} = {value!r}, the scenario says {known[path]!r}")
    found += [f"{name}/{field}: recorded, not listed" for name, field in set(recorded) - listed]
    return found


def test_every_why_lists_exactly_the_rules_and_facts_the_core_recorded(page, bundled_scenarios):
    for s in bundled_scenarios:
        for prefix in ("", "fr/"):
            assert problems(page(f"{prefix}scenarios/{s.id}/index.html"), s) == [], (s.id, prefix)


@pytest.fixture(scope="module")
def catalogues():
    """Each locale's catalogue, loaded once for the pages of every scenario (it is only read)."""
    return {locale: Catalogue.load(locale) for locale in LOCALES}


def test_the_rules_at_the_foot_are_those_the_page_names_with_their_sentence(page, bundled_scenarios, catalogues):
    for s in bundled_scenarios:
        _, recorded = record(s)
        named = {rule for source in recorded.values() for rule in source.rules}
        for locale, prefix in zip(LOCALES, ("", "fr/")):
            t = catalogues[locale]
            foot = page(f"{prefix}scenarios/{s.id}/index.html").select_one("aside#rules")
            terms = [dt.get_text() for dt in foot.select("dt")]
            assert set(terms) == named, s.id
            for dt in foot.select("dt"):
                assert " ".join(dt.find_next_sibling("dd").get_text().split()) == " ".join(t(f"rule.{dt.get_text()}").split())


@pytest.mark.parametrize("locale", LOCALES)
def test_every_rule_of_the_core_has_a_sentence_and_no_sentence_names_another_rule(locale):
    t = Catalogue.load(locale)
    assert all(t(f"rule.{rule}").strip() for rule in RULE_IDS)
    assert set(t.messages["rule"]) == set(RULE_IDS)


def test_the_rule_ids_are_those_of_docs_derivation(bundled_scenarios):
    from pathlib import Path
    table = (Path(__file__).resolve().parent.parent / "docs" / "derivation.md").read_text(encoding="utf-8")
    assert set(re.findall(r"^\| ([A-Z]+(?:-[A-Z]+)?-[0-9]+(?:…[0-9]+)?) \|", table, re.M)) == set(RULE_IDS)


def test_the_check_is_not_blind(page, bundled_scenarios):
    """A line dropped, a rule dropped or a value changed: each is reported."""
    from bs4 import BeautifulSoup
    s = next(x for x in bundled_scenarios if x.id == "missing-refs")
    html = str(page("scenarios/missing-refs/index.html"))
    dropped = BeautifulSoup(html, "html.parser")
    dropped.select_one("section[data-section='readiness'] details.why li").decompose()
    assert any("recorded, not listed" in p for p in problems(dropped, s))
    ruled = BeautifulSoup(html, "html.parser")
    code = ruled.select_one("section[data-section='readiness'] details.why li").find_all("code")[1]
    code.string = code.get_text().split(", ")[0]
    assert any("≠ recorded" in p for p in problems(ruled, s))
    valued = BeautifulSoup(html.replace("= true", "= false", 1), "html.parser")
    assert any("the scenario says" in p for p in problems(valued, s))


def change_problems(soup, source, reached, t) -> list[str]:
    """What a generated page's "Why?" (the facts its action changed) misses, lists that did not change
    or misstates: every fact that differs between the source's facts and the generated state's lies
    under exactly one listed path, every listed path covers at least one, and a listed single fact
    reads "before → after" as the facts state them (t("why.empty") where one side has none)."""
    from generator.core.provenance import covers
    before, after = dict(facts(source)), dict(facts(reached))
    differ = [p for p in dict.fromkeys([*before, *after]) if before.get(p) != after.get(p)]
    listed = [li.code.get_text() for li in soup.select("details[data-changes] li") if li.code]
    # A group of facts that was empty (exchange: none) and now holds some is told by the facts it holds.
    found = [f"{p}: changed, listed {n} times" for p in differ
             if (n := sum(covers(path, p) for path in listed)) != 1
             and not (n == 0 and any(covers(p, path) for path in listed))]
    found += [f"{path}: listed, nothing beneath it changed" for path in listed
              if not any(covers(path, p) for p in differ)]
    for li in soup.select("details[data-changes] li"):
        path = li.code.get_text() if li.code else None
        if path in before or path in after:
            told = f"{before.get(path, t('why.empty'))} → {after.get(path, t('why.empty'))}"
            if not " ".join(li.get_text().split()).endswith(" ".join(told.split())):
                found.append(f"{path}: reads {li.get_text()!r}, the facts say {told!r}")
    return found


@pytest.fixture(scope="module")
def generated(bundled_scenarios):
    from generator.core.derive import derive
    from generator.core.transitions import walk
    return walk([(s, derive(s)) for s in bundled_scenarios]).generated


def test_a_generated_page_explains_itself_by_the_facts_its_action_changed(page, bundled_scenarios, generated,
                                                                         catalogues):
    by_id = {s.id: s for s in bundled_scenarios}
    assert generated
    for g in generated:
        for locale, prefix in zip(LOCALES, ("", "fr/")):
            soup = page(f"{prefix}outcomes/{g.id}/index.html")
            assert change_problems(soup, by_id[g.source], g.scenario, catalogues[locale]) == [], (g.id, prefix)
            assert soup.select_one("details[data-changes] a")["href"].endswith(f"scenarios/{g.source}/index.html")
            # The rules are explained where the facts are stated: not once more on every generated page.
            assert not soup.select("section details.why, aside#rules"), g.id


def test_the_changed_facts_check_is_not_blind(page, bundled_scenarios, generated):
    from bs4 import BeautifulSoup
    by_id = {s.id: s for s in bundled_scenarios}
    g = next(g for g in generated if len(page(f"outcomes/{g.id}/index.html").select("details[data-changes] li")) > 1)
    html = str(page(f"outcomes/{g.id}/index.html"))
    dropped = BeautifulSoup(html, "html.parser")
    dropped.select_one("details[data-changes] li").decompose()
    t = Catalogue.load("en")
    assert any("listed 0 times" in p for p in change_problems(dropped, by_id[g.source], g.scenario, t))
    extra = BeautifulSoup(html, "html.parser")
    extra.select_one("details[data-changes] li code").string = "source.name"
    assert any("nothing beneath it changed" in p for p in change_problems(extra, by_id[g.source], g.scenario, t))
    misread = BeautifulSoup(html, "html.parser")
    line = next(li for li in misread.select("details[data-changes] li") if "→" in li.get_text() and "[" not in li.code.get_text()
                and li.code.get_text() in dict(facts(g.scenario)))
    line.append(" (stale)")
    assert any("the facts say" in p for p in change_problems(misread, by_id[g.source], g.scenario, t))
