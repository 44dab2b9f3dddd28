"""The state matrix: one row per scenario, every value reachable, and the uncovered states listed right."""
from __future__ import annotations

from itertools import product

import pytest

from factories import merge, run, scenario
from generator.core.derive import derive
from generator.model.scenario import LOCALES
from generator.site.render import Catalogue
from generator.site.matrix import BY_NAME, DIMENSIONS, LISTED_AT_MOST, PAIRS, Coverage, cell, state_matrix

#: For every value of every dimension, facts (overrides on the healthy factory) that produce it by the rules.
VALUE_FACTS = {
    "refs": {"both": {}, "partial": {"credentials": {"client_secret_ref": None}},
             "none": {"credentials": {"client_id_ref": None, "client_secret_ref": None}}},
    "secret_manager": {"configured": {}, "not_configured": {"secret_manager": {"configured": False}}},
    "flags": {"on": {}, "off": {"flags": {"real_exchange": False}}},
    "scopes": {"v1": {}, "out_of_v1": {"scopes": {"requested": ["read_orders", "read_all_orders"]}},
               "forbidden": {"scopes": {"protected_customer_data_level": 2}}},
    "token_cache": {"inactive": {"exchange": None}, "active": {},
                    "expired": {"exchange": {"at": "2026-05-01T06:00:00Z"}},
                    "failed": {"exchange": {"outcome": "shop_not_permitted"}},
                    "rejected": {"sync_runs": [run("failed", error={"code": "unauthorized", "http_status": 401,
                                                                     "message": "x"})]},
                    "revoked": {"webhooks": {"app_uninstalled_at": "2026-05-03T07:30:00Z"}}},
    "last_sync": {"none": {"sync_runs": []}, "succeeded": {}, "partial": {"sync_runs": [run("partial")]},
                  "failed": {"sync_runs": [run("failed")]}, "cancelled": {"sync_runs": [run("cancelled")]}},
    "schema": {"none": {}, "non_breaking": {"schema": {"change": "non_breaking"}},
               "breaking": {"schema": {"change": "breaking"}},
               "acknowledged": {"schema": {"change": "non_breaking", "acknowledged": True}}},
    "mapping": {"confirmed": {}, "unconfirmed": {"mapping": {"confirmed": False}}},
    "health": {"healthy": {}, "warning": {"mapping": {"confirmed": False}}, "failing": {"sync_runs": [run("failed")]},
               "not_connected": {"sync_runs": [], "exchange": None}, "disabled": {"source": {"enabled": False}}},
    "readiness": {"READY": {}, "SOURCE_DISABLED": {"source": {"enabled": False}},
                  "SECRET_REFS_MISSING": {"credentials": {"client_id_ref": None}},
                  "SECRET_MANAGER_NOT_CONFIGURED": {"secret_manager": {"configured": False}},
                  "FORBIDDEN_SCOPE_REQUESTED": {"scopes": {"requested": ["read_orders", "read_customers"]}},
                  "SCOPES_NOT_V1": {"scopes": {"requested": ["read_orders", "read_all_orders"]}},
                  "PLAN_NOT_PRO": {"source": {"plan": "growth"}},
                  "EXCHANGE_DISABLED": {"flags": {"real_exchange": False}}},
}


def value_of(dimension: str, overrides: dict) -> str:
    s = scenario(**overrides)
    return cell(BY_NAME[dimension], s, derive(s)).value


def test_every_value_of_every_dimension_is_a_state_the_rules_can_produce():
    assert {d.name: list(d.values) for d in DIMENSIONS} == {k: list(v) for k, v in VALUE_FACTS.items()}
    for dimension, values in VALUE_FACTS.items():
        for value, overrides in values.items():
            assert value_of(dimension, overrides) == value, (dimension, value)


def test_every_value_has_a_tone_and_a_label():
    """A value the core gains (it reaches the matrix through the core's types) fails here until
    it gets a tone and words, instead of showing neutral and unlabelled."""
    for dim in DIMENSIONS:
        for value in dim.values:
            assert dim.tone(value) in ("ok", "warn", "bad", "info", "neutral"), (dim.name, value)
            for locale in LOCALES:  # a missing message raises MissingMessage
                assert Catalogue.load(locale)(dim.label_key(value)), (dim.name, value, locale)


@pytest.mark.parametrize("first, second", PAIRS)
def test_every_combination_of_a_listed_pair_is_a_valid_state(first, second):
    """Pairs are listed only where each combination can be a scenario, so "missing" always means addable."""
    for v1, v2 in product(BY_NAME[first].values, BY_NAME[second].values):
        overrides = merge(VALUE_FACTS[first][v1], VALUE_FACTS[second][v2])
        assert (value_of(first, overrides), value_of(second, overrides)) == (v1, v2)


def test_uncovered_values_and_combinations_follow_the_scenarios():
    states = [(s, derive(s)) for s in (scenario(), scenario(**VALUE_FACTS["last_sync"]["failed"]))]
    m = state_matrix(states)
    assert [sid for sid, _ in m.rows] == ["t", "t"]
    assert m.uncovered["last_sync"] == ["none", "partial", "cancelled"]
    assert m.uncovered["health"] == ["warning", "not_connected", "disabled"]
    flags_sync = next(c for c in m.pairs if (c.rows.name, c.columns.name) == ("flags", "last_sync"))
    assert len(flags_sync.missing) == 2 * 5 - 2


def test_overview_matrix_has_one_row_per_scenario_with_its_values(page, bundled_scenarios):
    soup = page("index.html")
    rows = soup.select("tr[data-matrix-row]")
    assert [r["data-matrix-row"] for r in rows] == [s.id for s in bundled_scenarios]
    for row, s in zip(rows, bundled_scenarios):
        d = derive(s)
        codes = {td["data-dimension"]: td.select_one(".badge")["data-code"] for td in row.select("td")}
        assert list(codes) == [dim.name for dim in DIMENSIONS]
        assert codes["health"] == d.health.status and codes["readiness"] == d.readiness
        assert codes["token_cache"] == d.token.state and codes["mapping"] == d.technical.mapping_status
        assert codes["last_sync"] == (d.last_finished_sync.status if d.last_finished_sync else "none")
        assert codes["flags"] == ("on" if s.flags.real_exchange else "off")


def test_overview_lists_what_no_scenario_covers(page):
    soup = page("index.html")
    shown: dict[str, set[str]] = {}
    for td in soup.select("tr[data-matrix-row] td"):
        shown.setdefault(td["data-dimension"], set()).add(td.select_one(".badge")["data-code"])
    listed = {li["data-uncovered"]: [b["data-code"] for b in li.select(".badge")]
              for li in soup.select("[data-uncovered]")}
    expected = {d.name: [v for v in d.values if v not in shown[d.name]] for d in DIMENSIONS}
    assert listed == {name: values for name, values in expected.items() if values}
    by_scenario = {tr["data-matrix-row"]: {td["data-dimension"]: td.select_one(".badge")["data-code"]
                                           for td in tr.select("td")} for tr in soup.select("tr[data-matrix-row]")}
    tables = soup.select("table[data-pair]")
    assert [t["data-pair"] for t in tables] == [f"{a}/{b}" for a, b in PAIRS]
    t = Catalogue.load("en")
    listed, folded = [], []  # how many scenarios each covered cell lists, inline or folded under their count
    for table, (first, second) in zip(tables, PAIRS):
        for td in table.select("td[data-combo]"):
            combo = tuple(td["data-combo"].split("/"))
            showing = {sid for sid, v in by_scenario.items() if (v[first], v[second]) == combo}
            assert (td["data-covered"] == "true") == bool(showing), combo
            # Each cell links exactly the scenarios that show its combination.
            assert {a["href"].split("/")[-2] for a in td.select("a")} == showing, combo
            summary = td.select_one("details > summary")
            if summary:
                assert summary.get_text() == t("matrix.covered_by", count=len(showing)), combo
            if showing:
                (folded if summary else listed).append(len(showing))
        assert len(table.select("td[data-combo]")) == len(BY_NAME[first].values) * len(BY_NAME[second].values)
    # Many fold, a few do not: the bundled scenarios have both kinds of cell.
    assert listed and all(n <= LISTED_AT_MOST for n in listed), listed
    assert folded and all(n > LISTED_AT_MOST for n in folded), folded


def test_a_coverage_cell_folds_its_scenarios_past_the_limit():
    """LISTED_AT_MOST scenarios are listed; one more folds under their count (the bundled cells
    hold none at the boundary)."""
    rows, columns = BY_NAME[PAIRS[0][0]], BY_NAME[PAIRS[0][1]]
    at, past = (rows.values[0], columns.values[0]), (rows.values[0], columns.values[1])
    coverage = Coverage(rows, columns, {at: [f"s{n}" for n in range(LISTED_AT_MOST)],
                                        past: [f"s{n}" for n in range(LISTED_AT_MOST + 1)]})
    assert not coverage.folded(at) and coverage.folded(past)

