"""Invariants that hold for every scenario, checked on generated ones (hypothesis).

Example counts are kept modest so the suite stays fast; `database=None` so that no
.hypothesis/ folder is left behind.
"""
from __future__ import annotations

import copy
import json

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.guard.rendered import guard_output
from generator.core.derive import derive
from generator.errors import ScenarioErrors
from generator.guard.secrets import scan
from generator.model.load import load_scenarios
from generator.output.plan import Job, Plan, render_site
from generator.site.render import make_environment
from generator.model.scenario import Scenario
from secret_samples import secret_part
from strategies import scenario_facts, secrets

FAST = settings(max_examples=200, deadline=None, database=None)
LOADS = settings(max_examples=100, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
#: Rendering a page costs ~30 ms: fewer examples where every example renders.
PAGES = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])

ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
FORBIDDEN_SCOPES = {"read_customers"}
ENV = make_environment()  # templates compile once for all examples
#: Lines the leak guard found clean in earlier examples: every pattern is confined to one line, so
#: they are clean in every example (secrets.scan_lines); most lines of a page come from its templates.
CLEAN_LINES: set = set()


def forbidden_by_facts(facts: dict) -> bool:
    """Read straight from the facts (not from derive): a forbidden scope or PCD level 2."""
    requested = facts["scopes"]["requested"]
    return (facts["scopes"]["protected_customer_data_level"] == 2
            or any(s in FORBIDDEN_SCOPES or s.startswith("write_") for s in requested))


@FAST
@given(scenario_facts())
def test_derived_state_is_never_self_contradictory(facts):
    d = derive(Scenario.model_validate(facts))
    # No action of any kind performs a real action.
    assert all(a.performs_real_action is False for a in d.actions + d.credential_actions)
    # No credential value is ever displayed; a reference shown is the scenario's own reference.
    assert all(c.value_displayed is False for c in d.credentials)
    refs = {facts["credentials"]["client_id_ref"], facts["credentials"]["client_secret_ref"]}
    assert all(c.reference in refs for c in d.credentials if c.reference)
    # A forbidden scope never shows as OK.
    if forbidden_by_facts(facts):
        assert not dict((i.code, i.ok) for i in d.checklist)["scopes_v1"]
        assert not d.ready
    for rule in d.scope_policy:
        if rule.scope in FORBIDDEN_SCOPES or rule.scope.startswith("write_"):
            assert rule.policy == "forbidden"
    # Ready only if every checklist item is OK.
    if d.ready:
        assert all(item.ok for item in d.checklist)
    # Never healthy beside a blocking issue.
    if any(f.severity == "blocking" for f in d.source_health + d.data_quality):
        assert d.health.status != "healthy"
    # Accounts outside the authorised profile never leave the core.
    assert all(a.in_profile for a in d.external_accounts)


@PAGES
@given(scenario_facts())
def test_rendered_page_keeps_the_invariants(facts):
    scenario = Scenario.model_validate(facts)
    # The page in both languages and every other form the facts take (scenarios.json, the overview,
    # the compare data), not the whole site: outcome pages and galleries show the page's sections
    # again, and would more than double the cost of an example.
    plan = Plan.make([scenario], ENV)
    jobs = (Job("scenario", 0), Job("manifest"), Job("overview"), Job("data", scenario.id), Job("data-index"))
    files = {path: text for job in jobs for path, text in plan.render(job)}
    guard_output(files, CLEAN_LINES)  # a generated scenario without secrets passes the second net
    soup = BeautifulSoup(files["scenarios/t/index.html"], "html.parser")
    previews = soup.select("[data-action], [data-credential-action]")
    assert previews and all("performsRealAction: false" in p.get_text(" ", strip=True) for p in previews)
    assert "performsRealAction: true" not in soup.get_text(" ")
    assert "valueDisplayed: false" in soup.select_one('[data-section="credentials"]').get_text(" ", strip=True)
    shown_refs = {code.get_text() for code in soup.select('[data-section="credentials"] code.ref')}
    assert shown_refs <= {facts["credentials"]["client_id_ref"], facts["credentials"]["client_secret_ref"]}
    checks = {li["data-check"]: li.select_one(".badge")["data-code"] for li in soup.select("[data-check]")}
    if forbidden_by_facts(facts):
        assert checks["scopes_v1"] != "ok"
    readiness = soup.select_one('[data-section="readiness"] .badge[data-code]')["data-code"]
    if readiness == "READY":
        assert set(checks.values()) == {"ok"}
    health = soup.select_one('[data-section="health"] .big .badge')["data-code"]
    blocking = derive(scenario)
    if any(f.severity == "blocking" for f in blocking.source_health + blocking.data_quality):
        assert health != "healthy"
    hidden = [a["store"] for a in facts["external_accounts"] if not a["in_profile"]]
    for store in hidden:
        assert store not in files["scenarios/t/index.html"] and store not in files["scenarios.json"]


def plant(facts: dict, place: str, secret: str) -> tuple[dict, str]:
    """`facts` with `secret` pasted at `place`; returns them and the field the guard must name."""
    facts = copy.deepcopy(facts)
    if place == "title":
        facts["title"] = {"en": secret, "fr": "Titre"}
        return facts, "title.en"
    if place == "description":
        facts["description"] = f"Some *Markdown* first.\n\n{secret}\n\nAnd after."
        return facts, "description"
    if place == "source name":
        facts["source"]["name"] = secret
        return facts, "source.name"
    if place == "sync error":
        facts["sync_runs"] = [{"started_at": "2026-05-03T06:00:00Z", "finished_at": "2026-05-03T06:05:00Z",
                               "status": "failed", "fetched": 1, "processed": 0, "failed": 1,
                               "api_version": "2026-04", "error": {"code": "boom", "message": secret}}]
        return facts, "sync_runs[0].error.message"
    if place == "schema detail":
        facts["schema"] = {"change": "breaking", "changes": [{"field": "Order.x", "change": "removed", "detail": secret}]}
        return facts, "schema.changes[0].detail"
    if place == "unknown key":
        facts["source"][secret] = "x"
        return facts, None
    facts["scopes"]["requested"] = [*facts["scopes"]["requested"], secret]  # list item
    return facts, f"scopes.requested[{len(facts['scopes']['requested']) - 1}]"


PLACES = ["title", "description", "source name", "sync error", "schema detail", "unknown key", "list item"]


@LOADS
@given(scenario_facts(), secrets(), st.sampled_from(PLACES))
def test_a_generated_secret_in_any_field_is_caught_and_never_echoed(tmp_path_factory, facts, secret, place):
    text, kind = secret
    hidden = secret_part(text, kind)
    planted, field = plant(facts, place, text)
    planted.pop("id")
    folder = tmp_path_factory.mktemp("planted")
    # JSON is YAML: the file holds the secret exactly as pasted, whatever its characters.
    (folder / "pasted.yml").write_text(json.dumps(planted, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ScenarioErrors) as info:
        load_scenarios(folder)
    leaks = [p for p in info.value.problems if "never holds a secret" in p.message]
    assert leaks
    if field is not None:
        assert field in {p.field for p in leaks}
    assert hidden not in str(info.value) and hidden not in repr(info.value.problems)


@PAGES
@given(scenario_facts(), secrets(), st.sampled_from(["title", "description", "sync error", "schema detail"]))
def test_no_generated_secret_survives_into_the_output(facts, secret, place):
    """Even past the load phase (a scenario built in code), the page net stops the secret:
    either the build fails with a finding, or the secret is nowhere in the output."""
    text, kind = secret
    planted, _ = plant(facts, place, text)
    try:
        scenario = Scenario.model_validate(planted)
    except ValueError:
        return  # too long for this field: it never reaches a page
    files = render_site([scenario], ENV)
    try:
        guard_output(files, CLEAN_LINES)
    except ScenarioErrors as errors:
        assert secret_part(text, kind) not in str(errors)
        return
    hidden = secret_part(text, kind)
    assert all(hidden not in body for body in files.values())
    assert all(scan(body) == [] for body in files.values())


def test_strategies_reach_every_state_that_matters():
    """The generator is not stuck in one corner: the invariants above are exercised for real."""
    seen: dict[str, set] = {"readiness": set(), "health": set(), "forbidden": set()}

    @settings(max_examples=200, deadline=None, database=None)
    @given(scenario_facts())
    def collect(facts):
        d = derive(Scenario.model_validate(facts))
        seen["readiness"].add(d.readiness)
        seen["health"].add(d.health.status)
        seen["forbidden"].add(forbidden_by_facts(facts))

    collect()
    assert "READY" in seen["readiness"] and len(seen["readiness"]) >= 5
    assert {"healthy", "failing"} <= seen["health"]
    assert seen["forbidden"] == {True, False}

# -- fuzzing (issue 17): the loader and the guard, from outside, bounded in time -------------
# Inputs are built from pieces an attacker or a careless user would try (not from the schema's
# rules): a hang fails the per-test time limit, a traceback fails the test, and every secret
# planted, disguised or not, is refused and never printed.

import random  # noqa: E402
import time  # noqa: E402

from generator import cli  # noqa: E402
from generator.guard.secrets import normalise, redact  # noqa: E402
from secret_samples import DISGUISES, FORMATS  # noqa: E402

FUZZ = settings(max_examples=60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
KEYS = ["title", "as_of", "source", "name", "store", "plan", "api", "target_version", "sync_runs", "started_at",
        "finished_at", "status", "fetched", "processed", "failed", "api_version", "description", "lifecycle",
        "exchange", "at", "outcome", "expires_in", "extends", "en", "fr", "<<", "? x", "id", "schema"]
VALUES = ["2026-02-30T00:00:00Z", "2026-02-29", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-10", "2026-04",
          "1e309", ".nan", "-.inf", "0x" + "f" * 40, "0o777777777777777777777777", "9" * 4400, "-1", "~", "[]", "{}",
          "&a x", "*a", "*zz", "!!python/object:os.system x", "!!binary aGk=", "'\\x00'", "\"\\ud800\"", "|",
          ">", "- - - -", "[" * 50, "1. " * 40, "> " * 40, "*" * 100, "`" * 30, "<script>x</script>", "[x](javascript:y)",
          "_base", "../etc/passwd", "healthy", "ok", "pro", "succeeded", "failed", "true", "null", "é" * 50, "\t"]


@st.composite
def hostile_yaml(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(1, 25))):
        indent = "  " * draw(st.integers(0, 4))
        key = draw(st.sampled_from(KEYS))
        value = draw(st.one_of(st.sampled_from(VALUES), st.text(max_size=40)))
        lines.append(f"{indent}{draw(st.sampled_from(['', '- ']))}{key}: {value}")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n# c", "\n---\nx: 1"]))


@FUZZ
@given(hostile_yaml())
def test_fuzz_any_file_is_a_site_or_a_clear_error(tmp_path_factory, text):
    """No input gives a traceback or hangs: the CLI check exits 0, or 1 with problems naming the file."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "_base.yml").write_text(
        (ROOT / "scenarios" / "_base.yml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "fuzzed.yml").write_text("extends: _base\n" + text, encoding="utf-8", errors="surrogatepass")
    start = time.perf_counter()
    try:
        scenarios = load_scenarios(folder)
    except ScenarioErrors as errors:
        assert all(p.file.endswith(".yml") for p in errors.problems)
    else:
        for scenario in scenarios:  # derive and render what loads: bounded cost, no crash
            render_site([scenario], ENV)
    assert time.perf_counter() - start < 10


@FUZZ
@given(st.sampled_from(sorted(FORMATS)), st.sampled_from(["none", *sorted(DISGUISES)]), st.integers(0, 2**32),
       st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
       st.sampled_from(["title", "description", "comment", "key", "anchor-free list"]))
def test_fuzz_a_planted_secret_is_refused_and_never_printed(tmp_path_factory, capsys, name, disguise, seed,
                                                            noise, where):
    rng = random.Random(seed)
    text, kind = FORMATS[name](rng)
    secret = secret_part(text, kind)
    if disguise != "none":
        text = DISGUISES[disguise](text, text.index(secret) + rng.randrange(1, len(secret) - 3))
    value = json.dumps(f"{noise} {text} {noise[::-1]}", ensure_ascii=rng.random() < 0.5)
    body = {"title": f"title: {value}\n", "description": f"description: {value}\n",
            "comment": "title: t\n# " + value.replace("\n", " ") + "\n",
            "key": f"title: t\nflags:\n  {value}: true\n",
            "anchor-free list": f"title: t\nscopes:\n  requested:\n    - {value}\n"}[where]
    folder = tmp_path_factory.mktemp("planted")
    (folder / "_base.yml").write_text((ROOT / "scenarios" / "_base.yml").read_text(encoding="utf-8"),
                                      encoding="utf-8")
    (folder / "pasted.yml").write_text("extends: _base\n" + body, encoding="utf-8")
    assert cli.main(["check", "--scenarios", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "never holds a secret" in err and "Traceback" not in err
    assert secret not in err and secret not in normalise(err)


@FUZZ
@given(st.text(max_size=3000), st.sampled_from(sorted(FORMATS)), st.integers(0, 2**32))
def test_fuzz_the_guard_finds_a_secret_in_any_text_and_redacts_it(noise, name, seed):
    text, kind = FORMATS[name](random.Random(seed))
    secret = secret_part(text, kind)
    cut = len(noise) // 2
    whole = f"{noise[:cut]}\n{text}\n{noise[cut:]}"
    start = time.perf_counter()
    assert scan(whole)
    shown = redact(whole)
    assert secret not in shown and secret not in normalise(shown)
    assert time.perf_counter() - start < 2
