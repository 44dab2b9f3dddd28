"""The documents stay true: rules ↔ derive.py ↔ the scenarios that show them; format ↔ schema."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from generator.core.derive import RULE_IDS, derive
from generator.model.load import load_scenarios

ROOT = Path(__file__).resolve().parent.parent
RULES_DOC = ROOT / "docs/derivation.md"
FORMAT_DOC = ROOT / "docs/scenarios.md"


# --- docs/derivation.md ------------------------------------------------------

def expand(rule_id: str) -> set[str]:
    """'DQ-3…4' → {'DQ-3', 'DQ-4'}; 'TOKEN-1' → {'TOKEN-1'}."""
    match = re.fullmatch(r"(.+)-(\d+)…(\d+)", rule_id)
    if not match:
        return {rule_id}
    prefix, first, last = match.group(1), int(match.group(2)), int(match.group(3))
    return {f"{prefix}-{n}" for n in range(first, last + 1)}


def documented_rules() -> dict[str, list[str]]:
    """{rule id: [scenario ids in its 'Shown by' cell]}, from the rules table."""
    rules: dict[str, list[str]] = {}
    for line in RULES_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and re.fullmatch(r"[A-Z]+(-[A-Z]+)*-\d+(…\d+)?", cells[0]):
            rules[cells[0]] = re.findall(r"`([a-z0-9-]+)`", cells[3])
    return rules


def _codes(findings) -> set[str]:
    return {f.code for f in findings}


def finding(code: str, severity: str, where: str = "source_health"):
    """Evidence that derive() found `code` at `severity` in source health (or data quality)."""
    return lambda s, d: (code, severity) in {(f.code, f.severity) for f in getattr(d, where)}


def _action(d, code):
    return next((a.allowed, a.reason) for a in d.actions + d.credential_actions if a.code == code)


def _check(d) -> dict[str, bool]:
    return {i.code: i.ok for i in d.checklist}


def _policy(d) -> dict[str, tuple[str, bool]]:
    return {r.scope: (r.policy, r.requested) for r in d.scope_policy}


#: (rule, scenario) → what derive(scenario) must show for that scenario to illustrate that rule.
EVIDENCE = {
    ("SCOPE-1", "forbidden-scope"): lambda s, d: _policy(d)["read_customers"] == ("forbidden", True),
    ("SCOPE-1", "read-all-orders"): lambda s, d: _policy(d)["read_all_orders"] == ("out_of_v1", True),
    ("SCOPE-2", "write-scope"): lambda s, d: _policy(d)["write_orders"] == ("forbidden", True),
    ("SCOPE-3", "forbidden-scope"): lambda s, d: "forbidden_scope" in _codes(d.data_quality),
    ("SCOPE-3", "protected-data-level-2"): lambda s, d: (s.scopes.requested == ["read_orders"]
                                                         and d.readiness == "FORBIDDEN_SCOPE_REQUESTED"),
    ("SCOPE-3", "write-scope"): lambda s, d: d.readiness == "FORBIDDEN_SCOPE_REQUESTED",
    ("SCOPE-4", "healthy"): lambda s, d: _check(d)["scopes_v1"],
    ("SCOPE-4", "read-all-orders"): lambda s, d: not _check(d)["scopes_v1"] and d.readiness == "SCOPES_NOT_V1",
    ("CHECK-1…6", "missing-refs"): lambda s, d: {c for c, ok in _check(d).items() if not ok} == {
        "client_id_ref", "client_secret_ref", "secret_manager", "exchange_flags"},
    ("CHECK-1…6", "refs-present"): lambda s, d: {c for c, ok in _check(d).items() if not ok} == {"exchange_flags"},
    ("CHECK-1…6", "plan-not-pro"): lambda s, d: {c for c, ok in _check(d).items() if not ok} == {
        "exchange_flags", "plan_pro"},
    ("READY-1", "healthy"): lambda s, d: d.ready and d.readiness == "READY",
    ("READY-1", "missing-refs"): lambda s, d: d.readiness == "SECRET_REFS_MISSING",
    ("READY-1", "secret-manager-missing"): lambda s, d: d.readiness == "SECRET_MANAGER_NOT_CONFIGURED",
    ("READY-1", "forbidden-scope"): lambda s, d: d.readiness == "FORBIDDEN_SCOPE_REQUESTED",
    ("READY-1", "read-all-orders"): lambda s, d: d.readiness == "SCOPES_NOT_V1",
    # Plan comes before the exchange flag, which is off too here.
    ("READY-1", "plan-not-pro"): lambda s, d: d.readiness == "PLAN_NOT_PRO" and not d.exchange_enabled,
    ("READY-1", "refs-present"): lambda s, d: d.readiness == "EXCHANGE_DISABLED",
    ("READY-1", "source-disabled"): lambda s, d: d.readiness == "SOURCE_DISABLED",
    ("TOKEN-1", "refs-present"): lambda s, d: d.token.state == "inactive" and s.exchange is None,
    ("TOKEN-1", "exchange-enabled"): lambda s, d: d.token.state == "active",
    ("TOKEN-1", "token-expired"): lambda s, d: d.token.state == "expired" and d.token.expires_at <= s.as_of,
    ("TOKEN-1", "shop-not-permitted"): lambda s, d: d.token.state == "failed",
    ("TOKEN-1", "source-disabled"): lambda s, d: d.token.state == "inactive" and s.exchange.outcome == "ok",
    # Rejected although the token has not reached its 24 h: the 401, not its age, dropped it.
    ("TOKEN-2", "sync-unauthorized"): lambda s, d: d.token.state == "rejected" and s.as_of < (
        s.exchange.at + timedelta(seconds=s.exchange.expires_in)),
    ("TOKEN-3", "token-renewed-mid-run"): lambda s, d: d.token.state == "active" and s.as_of >= (
        s.exchange.at + timedelta(seconds=s.exchange.expires_in)) and "TOKEN_RENEWED_MID_RUN" in _codes(d.source_health),
    ("TOKEN-4", "app-uninstalled"): lambda s, d: d.token.state == "revoked" and _action(d, "reconnect") == (
        False, "app_uninstalled"),
    ("API-1", "api-version-expiring"): lambda s, d: d.technical.api.supported_until == "2026-07",
    ("API-2", "healthy"): lambda s, d: d.technical.api.review == "NOT_REQUIRED",
    ("API-2", "api-version-expiring"): lambda s, d: d.technical.api.review == "RECOMMENDED",
    ("API-2", "api-version-unsupported"): lambda s, d: (d.technical.api.review, d.technical.api.reason) == (
        "REQUIRED", "unsupported"),
    ("API-3", "api-version-unsupported"): lambda s, d: (
        d.technical.api.effective != d.technical.api.target
        and all(r.api_version == d.technical.api.effective for r in d.sync_runs)),
    ("SYNC-1", "sync-running"): lambda s, d: (d.sync_runs[0].status == "running"
                                              and d.last_finished_sync is d.sync_runs[1]),
    ("SYNC-2", "partial-sync"): lambda s, d: (d.last_finished_sync.status == "partial"
                                              and d.technical.last_successful_sync == d.sync_runs[1].finished_at),
    ("SYNC-2", "sync-cancelled"): lambda s, d: (d.last_finished_sync.status == "cancelled"
                                                and d.technical.last_successful_sync == d.sync_runs[1].finished_at),
    ("SYNC-3", "failed-sync"): lambda s, d: "LAST_SYNC_FAILED" in _codes(d.source_health),
    ("SYNC-3", "sync-unauthorized"): lambda s, d: "SYNC_UNAUTHORIZED" in _codes(d.source_health),
    ("SYNC-3", "sync-forbidden"): lambda s, d: "SYNC_FORBIDDEN" in _codes(d.source_health),
    ("SYNC-3", "partial-sync"): lambda s, d: "LAST_SYNC_PARTIAL" in _codes(d.source_health),
    ("SYNC-3", "sync-cancelled"): lambda s, d: "LAST_SYNC_CANCELLED" in _codes(d.source_health),
    ("SYNC-3", "shop-frozen"): lambda s, d: "SHOP_FROZEN" in _codes(d.source_health) and _action(
        d, "manual_sync") == (False, "shop_unavailable"),
    ("SYNC-3", "shop-locked"): lambda s, d: "SHOP_LOCKED" in _codes(d.source_health),
    ("SYNC-4", "sync-throttled"): lambda s, d: (d.health.status == "healthy"
                                                and d.technical.throttle_restore_rate == 100
                                                and finding("SYNC_THROTTLED", "info")(s, d)),
    ("SYNC-5", "shopify-unavailable"): lambda s, d: (
        any(f.code == "SHOPIFY_UNAVAILABLE" and f.count == 3 for f in d.source_health)
        and "LAST_SYNC_FAILED" not in _codes(d.source_health) and d.technical.next_attempt_at == s.next_attempt_at),
    ("SYNC-6", "bulk-operation-failed"): lambda s, d: ("BULK_OPERATION_FAILED" in _codes(d.source_health)
                                                       and d.technical.bulk_operation.error_code
                                                       == "INTERNAL_SERVER_ERROR"),
    ("SYNC-6", "bulk-result-expired"): lambda s, d: ("BULK_RESULT_EXPIRED" in _codes(d.source_health)
                                                     and d.technical.bulk_operation.status == "EXPIRED"),
    ("SYNC-7", "first-backfill"): lambda s, d: (d.technical.sync_kind == "backfill"
                                                and d.technical.incremental_cursor == s.sync_runs[0].cursor),
    ("SYNC-7", "full-resync"): lambda s, d: (d.technical.sync_kind == "full_resync"
                                             and d.technical.incremental_cursor == d.sync_runs[1].cursor
                                             and "full_resync_running" in _codes(d.data_quality)),
    ("SCHEMA-1", "schema-changed"): lambda s, d: d.technical.changelog_review_required,
    ("SCHEMA-1", "api-version-unsupported"): lambda s, d: (d.technical.changelog_review_required
                                                           and not d.technical.schema_changed),
    ("SCHEMA-2", "schema-changed"): lambda s, d: (not s.mapping.confirmed
                                                  and d.technical.mapping_status == "unconfirmed"),
    ("SCHEMA-2", "schema-breaking"): lambda s, d: (s.mapping.confirmed
                                                   and d.technical.field_mapping_check_required),
    ("SCHEMA-3", "schema-changed"): lambda s, d: d.technical.api_version_change == ("2026-04", "2026-07"),
    ("SCHEMA-3", "schema-breaking"): lambda s, d: d.technical.api_version_change == ("2024-04", "2024-07"),
    ("HEALTH-SRC-1", "missing-refs"): finding("SECRET_REFS_MISSING", "blocking"),
    ("HEALTH-SRC-1", "source-disabled"): finding("SOURCE_DISABLED", "info"),
    ("HEALTH-SRC-2", "shop-not-permitted"): lambda s, d: _codes(d.source_health) == {"SHOP_NOT_PERMITTED"},
    ("HEALTH-SRC-2", "app-not-installed"): lambda s, d: _codes(d.source_health) == {"APP_NOT_INSTALLED"},
    ("HEALTH-SRC-2", "client-secret-revoked"): lambda s, d: _codes(d.source_health) == {"INVALID_CLIENT"},
    ("HEALTH-SRC-3", "token-expired"): lambda s, d: _codes(d.source_health) == {"TOKEN_EXPIRED"},
    ("HEALTH-SRC-4", "failed-sync"): finding("LAST_SYNC_FAILED", "blocking"),
    ("HEALTH-SRC-4", "partial-sync"): finding("LAST_SYNC_PARTIAL", "warning"),
    ("HEALTH-SRC-4", "sync-cancelled"): finding("LAST_SYNC_CANCELLED", "warning"),
    ("HEALTH-SRC-4", "shop-frozen"): finding("SHOP_FROZEN", "blocking"),
    ("HEALTH-SRC-5", "schema-changed"): finding("SCHEMA_CHANGED", "warning"),
    ("HEALTH-SRC-5", "schema-breaking"): finding("SCHEMA_CHANGED_BREAKING", "blocking"),
    ("HEALTH-SRC-6", "api-version-expiring"): finding("API_VERSION_EXPIRING", "info"),
    ("HEALTH-SRC-6", "api-version-unsupported"): finding("API_VERSION_UNSUPPORTED", "warning"),
    ("HEALTH-SRC-7", "schema-changed"): lambda s, d: "MAPPING_UNCONFIRMED" in _codes(d.source_health),
    # The uninstall is said once: the app_not_installed refusal it explains is not listed again.
    ("HEALTH-SRC-8", "app-uninstalled"): lambda s, d: (s.exchange.outcome == "app_not_installed"
                                                       and _codes(d.source_health) == {"APP_UNINSTALLED"}),
    ("DQ-1", "missing-refs"): lambda s, d: "credential_missing" in _codes(d.data_quality),
    ("DQ-1", "secret-manager-missing"): lambda s, d: ("secret_manager_missing" in _codes(d.data_quality)
                                                      and "credential_missing" not in _codes(d.data_quality)),
    ("DQ-2", "forbidden-scope"): lambda s, d: "forbidden_scope" in _codes(d.data_quality),
    ("DQ-2", "read-all-orders"): lambda s, d: "scope_out_of_v1" in _codes(d.data_quality),
    ("DQ-3…4", "failed-sync"): lambda s, d: "sync_failed" in _codes(d.data_quality),
    ("DQ-3…4", "partial-sync"): lambda s, d: any(
        f.code == "records_failed" and f.count == d.last_finished_sync.failed for f in d.data_quality),
    ("DQ-3…4", "sync-cancelled"): lambda s, d: "sync_cancelled" in _codes(d.data_quality),
    ("DQ-5", "schema-changed"): finding("schema_changed", "warning", "data_quality"),
    ("DQ-5", "schema-breaking"): finding("schema_changed_breaking", "blocking", "data_quality"),
    ("DQ-6", "api-version-unsupported"): lambda s, d: "api_version_fall_forward" in _codes(d.data_quality),
    ("DQ-7…9", "source-disabled"): lambda s, d: "data_frozen" in _codes(d.data_quality),
    ("DQ-7…9", "new-source"): lambda s, d: "no_data_yet" in _codes(d.data_quality),
    ("DQ-7…9", "sync-forbidden"): lambda s, d: "stale_data" in _codes(d.data_quality),
    ("DQ-10", "first-backfill"): lambda s, d: (finding("history_limited", "info", "data_quality")(s, d)
                                               and d.health.status == "healthy"
                                               and d.technical.history_from == s.sync_runs[0].started_at
                                               - timedelta(days=60)),
    ("DQ-10", "full-resync"): lambda s, d: "history_limited" in _codes(d.data_quality),
    ("HEALTH-1", "healthy"): lambda s, d: d.health.status == "healthy",
    ("HEALTH-1", "partial-sync"): lambda s, d: d.health.status == "warning",
    ("HEALTH-1", "failed-sync"): lambda s, d: d.health.status == "failing",
    ("HEALTH-1", "new-source"): lambda s, d: d.health.status == "not_connected",
    ("HEALTH-1", "source-disabled"): lambda s, d: d.health.status == "disabled",
    ("ACT-1…9", "failed-sync"): lambda s, d: _action(d, "retry_failed_sync") == (True, "retry_last_failed"),
    ("ACT-1…9", "sync-running"): lambda s, d: _action(d, "manual_sync") == (False, "sync_running"),
    ("ACT-1…9", "sync-unauthorized"): lambda s, d: _action(d, "manual_sync") == (False, "connection_error"),
    ("ACT-1…9", "sync-forbidden"): lambda s, d: _action(d, "manual_sync") == (False, "merchant_approval_missing"),
    ("ACT-1…9", "schema-breaking"): lambda s, d: _action(d, "manual_sync") == (False, "breaking_schema_change"),
    ("ACT-1…9", "app-uninstalled"): lambda s, d: _action(d, "manual_sync") == (False, "app_uninstalled"),
    ("ACT-1…9", "shop-locked"): lambda s, d: _action(d, "refresh_metadata") == (False, "shop_unavailable"),
    ("ACT-1…9", "source-disabled"): lambda s, d: {a.code for a in d.actions if a.allowed} == {
        "open_sync_history", "open_data_quality"},
    ("CRED-0", "healthy"): lambda s, d: [c.status for c in d.credentials] == [
        "configured", "configured", "token_active"],
    ("CRED-0", "missing-refs"): lambda s, d: [c.status for c in d.credentials] == [
        "not_configured", "not_configured", "token_inactive"],
    ("CRED-0", "token-expired"): lambda s, d: d.credentials[2].status == "token_expired",
    ("CRED-1…5", "missing-refs"): lambda s, d: _action(d, "enter_credentials") == (True, "creates_references"),
    ("CRED-1…5", "refs-present"): lambda s, d: _action(d, "enable_exchange_staging") == (True, "checklist_complete"),
    ("CRED-1…5", "plan-not-pro"): lambda s, d: _action(d, "enable_exchange_staging") == (
        False, "checklist_incomplete"),
    ("CRED-1…5", "source-disabled"): lambda s, d: {a.code for a in d.credential_actions if a.allowed} == {
        "verify_configuration"},
    ("ACCT-1", "several-accounts"): lambda s, d: (
        any(not a.in_profile for a in s.external_accounts)
        and list(d.external_accounts) == [a for a in s.external_accounts if a.in_profile]),
}


@pytest.fixture(scope="module")
def by_id():
    return {s.id: s for s in load_scenarios(ROOT / "scenarios")}


def test_every_documented_rule_is_implemented_in_derive():
    source = (ROOT / "generator/core/derive.py").read_text(encoding="utf-8")
    tagged: set[str] = set()
    for tag in re.findall(r"\[([A-Z]+(?:-[A-Z]+)*-\d+(?:…\d+)?)\]", source):
        tagged |= expand(tag)
    rules = documented_rules()
    assert len(rules) >= 30, "the rules table was not found or lost rows"
    for rule_id in rules:
        assert expand(rule_id) <= tagged, f"{rule_id} has no [{rule_id}] tag in generator/core/derive.py"


def test_the_cores_rule_units_carry_exactly_the_documented_ids():
    """Provenance names rules by the ids of the core's parts: each must be a row of the rules table,
    and every row must be carried by a part, so a recorded rule id always has its documentation."""
    assert RULE_IDS == set(documented_rules())


def test_every_rule_names_a_scenario_that_exists(by_id):
    for rule_id, scenarios in documented_rules().items():
        assert scenarios, f"{rule_id} names no scenario in docs/derivation.md"
        for sid in scenarios:
            assert sid in by_id, f"{rule_id} names {sid}, which is not in scenarios/"


def test_the_rules_table_and_the_evidence_here_name_the_same_pairs():
    documented = {(rule, sid) for rule, sids in documented_rules().items() for sid in sids}
    assert documented == set(EVIDENCE)


@pytest.mark.parametrize("rule, sid", sorted(EVIDENCE), ids=[f"{r}:{s}" for r, s in sorted(EVIDENCE)])
def test_the_named_scenario_exhibits_the_rule(rule, sid, by_id):
    s = by_id[sid]
    assert EVIDENCE[(rule, sid)](s, derive(s)), f"{sid} does not show {rule}"


# --- docs/scenarios.md ---------------------------------------------------------

def schema_fields(model=None, prefix: str = "") -> set[str]:
    """Every field path of the scenario schema as the document writes it: sync_runs[].error.code."""
    from typing import get_args

    from pydantic import BaseModel

    from generator.model.scenario import Scenario

    model = model or Scenario
    paths: set[str] = set()
    for name, info in model.model_fields.items():
        key = info.alias or name
        if model is Scenario and key == "id":
            continue  # the file name, never a field
        path = f"{prefix}{key}"
        paths.add(path)
        annotation = info.annotation
        inner = [annotation, *get_args(annotation)]
        for candidate in inner:
            is_list = candidate is not annotation and getattr(annotation, "__origin__", None) is list
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                paths |= schema_fields(candidate, f"{path}{'[]' if is_list else ''}.")
    return paths


def example_paths(data, prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for key, value in data.items():
        path = f"{prefix}{key}"
        paths.add(path)
        if isinstance(value, dict) and key not in ("title", "description"):
            paths |= example_paths(value, f"{path}.")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                paths |= example_paths(item, f"{path}[].")
    return paths


def complete_example() -> str:
    text = FORMAT_DOC.read_text(encoding="utf-8")
    section = text.split("## A complete example", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_schema_walk_sees_nested_fields():
    fields = schema_fields()
    assert {"source.plan", "schema.changes[].detail", "sync_runs[].error.http_status",
            "external_accounts[].in_profile"} <= fields


def test_every_schema_field_is_explained_in_the_format_doc():
    text = FORMAT_DOC.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("### ")]
    # A leaf has its table row; a block (source, sync_runs…) its heading.
    missing = sorted(f for f in schema_fields()
                     if f"| `{f}` |" not in text and not any(f"`{f}`" in h for h in headings))
    assert not missing, f"docs/scenarios.md does not explain: {missing}"
    assert "| `extends` |" in text


def test_the_complete_example_validates_and_uses_every_field(write_scenarios):
    import yaml

    example = complete_example()
    assert example_paths(yaml.safe_load(example)) == schema_fields()
    [loaded] = load_scenarios(write_scenarios({"doc-example.yml": example}))
    assert loaded.id == "doc-example"
    assert derive(loaded).readiness == "READY"
