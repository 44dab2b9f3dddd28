"""Derivation rules, table-driven: facts in, decided values out (rule ids as in docs/derivation.md)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from factories import run, scenario
from generator.core.derive import derive

READINESS = [
    # (rule case, overrides, expected readiness code)
    ("all met", {}, "READY"),
    ("disabled wins", {"source": {"enabled": False}, "credentials": {"client_id_ref": None}}, "SOURCE_DISABLED"),
    ("no client id ref", {"credentials": {"client_id_ref": None}}, "SECRET_REFS_MISSING"),
    ("no secret ref", {"credentials": {"client_secret_ref": None}}, "SECRET_REFS_MISSING"),
    ("refs before manager", {"credentials": {"client_id_ref": None}, "secret_manager": {"configured": False}},
     "SECRET_REFS_MISSING"),
    ("manager", {"secret_manager": {"configured": False}}, "SECRET_MANAGER_NOT_CONFIGURED"),
    ("read_customers", {"scopes": {"requested": ["read_orders", "read_customers"]}}, "FORBIDDEN_SCOPE_REQUESTED"),
    ("pcd level 2", {"scopes": {"protected_customer_data_level": 2}}, "FORBIDDEN_SCOPE_REQUESTED"),
    ("write scope", {"scopes": {"requested": ["read_orders", "write_orders"]}}, "FORBIDDEN_SCOPE_REQUESTED"),
    ("read_all_orders", {"scopes": {"requested": ["read_orders", "read_all_orders"]}}, "SCOPES_NOT_V1"),
    ("no read_orders", {"scopes": {"requested": ["read_products"]}}, "SCOPES_NOT_V1"),
    ("pcd level 1 is fine", {"scopes": {"protected_customer_data_level": 1}}, "READY"),
    ("plan", {"source": {"plan": "growth"}}, "PLAN_NOT_PRO"),
    ("enterprise is fit", {"source": {"plan": "enterprise"}}, "READY"),
    ("flags", {"flags": {"real_exchange": False}}, "EXCHANGE_DISABLED"),
]


@pytest.mark.parametrize("case, overrides, expected", READINESS, ids=[r[0] for r in READINESS])
def test_readiness(case, overrides, expected):
    d = derive(scenario(**overrides))
    assert d.readiness == expected
    # [READY-1] ready exactly when the code is READY, and only with every checklist item OK.
    assert d.ready == (expected == "READY")
    if d.ready:
        assert all(item.ok for item in d.checklist)


CHECKLIST = [
    ({}, {}),
    ({"credentials": {"client_id_ref": None}}, {"client_id_ref": False}),
    ({"credentials": {"client_secret_ref": None}}, {"client_secret_ref": False}),
    ({"secret_manager": {"configured": False}}, {"secret_manager": False}),
    ({"scopes": {"requested": ["read_orders", "read_all_orders"]}}, {"scopes_v1": False}),
    ({"scopes": {"protected_customer_data_level": 2}}, {"scopes_v1": False}),
    ({"flags": {"real_exchange": False}}, {"exchange_flags": False}),
    ({"source": {"plan": "starter"}}, {"plan_pro": False}),
]


@pytest.mark.parametrize("overrides, not_ok", CHECKLIST)
def test_checklist_marks_exactly_the_unmet_items(overrides, not_ok):
    items = {i.code: i.ok for i in derive(scenario(**overrides)).checklist}
    assert list(items) == ["client_id_ref", "client_secret_ref", "secret_manager", "scopes_v1",
                           "exchange_flags", "plan_pro"]
    assert {code for code, ok in items.items() if not ok} == set(not_ok)


TOKEN = [
    ("active within 24 h", {}, "active"),
    ("expired after expires_in", {"as_of": "2026-05-04T06:00:00Z"}, "expired"),
    ("expired exactly at expiry", {"exchange": {"at": "2026-05-02T08:00:00Z", "expires_in": 86400}}, "expired"),
    ("flags off: nothing in memory", {"flags": {"real_exchange": False}}, "inactive"),
    ("no exchange yet", {"exchange": None}, "inactive"),
    ("refused exchange", {"exchange": {"outcome": "shop_not_permitted"}}, "failed"),
    ("disabled source clears it", {"source": {"enabled": False}}, "inactive"),
]


@pytest.mark.parametrize("case, overrides, expected", TOKEN, ids=[r[0] for r in TOKEN])
def test_token_cache(case, overrides, expected):
    assert derive(scenario(**overrides)).token.state == expected


API = [
    # target, as_of, review, reason, effective
    ("2026-04", "2026-05-03T08:00:00Z", "NOT_REQUIRED", "supported", "2026-04"),
    ("2025-07", "2026-05-03T08:00:00Z", "RECOMMENDED", "expiring", "2025-07"),
    ("2025-04", "2026-05-03T08:00:00Z", "REQUIRED", "unsupported", "2025-07"),
    ("2024-10", "2026-05-03T08:00:00Z", "REQUIRED", "unsupported", "2025-07"),
    # [API-2] A version named before its release is a release candidate: callable, no fall-forward.
    ("2026-07", "2026-05-03T08:00:00Z", "REQUIRED", "release_candidate", "2026-07"),
    ("2025-04", "2026-03-31T23:00:00Z", "RECOMMENDED", "expiring", "2025-04"),
    # [API-1] Versions are released at 17:00 UTC: at noon on April 1st, 2025-04 is still supported
    # and 2026-04 is still a release candidate; at 17:00 the window moves.
    ("2025-04", "2026-04-01T12:00:00Z", "RECOMMENDED", "expiring", "2025-04"),
    ("2026-04", "2026-04-01T12:00:00Z", "REQUIRED", "release_candidate", "2026-04"),
    ("2025-04", "2026-04-01T17:00:00Z", "REQUIRED", "unsupported", "2025-07"),
    ("2026-04", "2026-04-01T17:00:00Z", "NOT_REQUIRED", "supported", "2026-04"),
]


@pytest.mark.parametrize("target, as_of, review, reason, effective", API)
def test_api_version_review(target, as_of, review, reason, effective):
    api = derive(scenario(api={"target_version": target}, as_of=as_of,
                          exchange={"at": as_of})).technical.api
    assert (api.review, api.reason, api.effective) == (review, reason, effective)


def test_last_finished_sync_ignores_a_running_one():
    d = derive(scenario(sync_runs=[run("running", started_at="2026-05-03T07:30:00Z"),
                                   run("failed", started_at="2026-05-03T07:00:00Z")]))
    assert d.running_sync.status == "running"
    assert d.last_finished_sync.status == "failed"
    assert {a.code: a.reason for a in d.actions}["manual_sync"] == "sync_running"


@pytest.mark.parametrize("status", ["cancelled", "partial", "failed"])
def test_only_succeeded_counts_as_successful(status):
    d = derive(scenario(sync_runs=[run(status)]))
    assert d.technical.last_successful_sync is None
    assert d.health.status != "healthy"


SYNC_FINDINGS = [
    (run("failed", error={"code": "invalid_token", "http_status": 401, "message": "[API] Invalid API key"}),
     "SYNC_UNAUTHORIZED", "blocking"),
    (run("failed", error={"code": "missing_approval", "http_status": 403, "message": "approval"}),
     "SYNC_FORBIDDEN", "blocking"),
    (run("failed"), "LAST_SYNC_FAILED", "blocking"),
    (run("failed", error={"code": "payment_required", "http_status": 402, "message": "frozen"}),
     "SHOP_FROZEN", "blocking"),
    (run("failed", error={"code": "locked", "http_status": 423, "message": "locked"}), "SHOP_LOCKED", "blocking"),
    (run("failed", bulk_operation={"status": "FAILED", "error_code": "TIMEOUT"}), "BULK_OPERATION_FAILED", "blocking"),
    (run("failed", bulk_operation={"status": "EXPIRED", "completed_at": "2026-04-20T06:00:00Z"}),
     "BULK_RESULT_EXPIRED", "blocking"),
    (run("partial"), "LAST_SYNC_PARTIAL", "warning"),
    (run("cancelled"), "LAST_SYNC_CANCELLED", "warning"),
]


@pytest.mark.parametrize("last, code, severity", SYNC_FINDINGS)
def test_sync_findings(last, code, severity):
    d = derive(scenario(sync_runs=[last]))
    assert (code, severity) in {(f.code, f.severity) for f in d.source_health}
    assert d.health.status == ("failing" if severity == "blocking" else "warning")


SCHEMA = [
    # schema facts, mapping confirmed?, health, allowed actions among the schema ones
    ({"change": "non_breaking", "changes": [{"field": "Order.x", "change": "added"}]}, True, "warning",
     {"acknowledge_schema_change"}),
    ({"change": "non_breaking"}, False, "warning", {"acknowledge_schema_change", "field_mapping_check"}),
    ({"change": "breaking"}, True, "failing", {"acknowledge_schema_change", "field_mapping_check"}),
    ({"change": "breaking", "acknowledged": True}, True, "healthy", set()),
    ({"change": "none"}, True, "healthy", set()),
]


@pytest.mark.parametrize("schema, confirmed, health, allowed", SCHEMA)
def test_schema_change_rules(schema, confirmed, health, allowed):
    d = derive(scenario(schema=schema, mapping={"confirmed": confirmed}))
    assert d.health.status == health
    actions = {a.code: a.allowed for a in d.actions}
    assert {c for c in ("acknowledge_schema_change", "field_mapping_check") if actions[c]} == allowed
    # [SCHEMA-2] a breaking change blocks syncs until acknowledged
    assert actions["manual_sync"] == (schema.get("change") != "breaking" or schema.get("acknowledged", False))


EXCHANGE = [
    ("shop_not_permitted", "SHOP_NOT_PERMITTED"),
    ("app_not_installed", "APP_NOT_INSTALLED"),
    ("invalid_client", "INVALID_CLIENT"),
]


@pytest.mark.parametrize("outcome, code", EXCHANGE)
def test_exchange_errors_have_their_own_finding(outcome, code):
    d = derive(scenario(exchange={"outcome": outcome}, sync_runs=[]))
    assert code in [f.code for f in d.source_health]
    actions = {a.code: a for a in d.actions}
    assert not actions["manual_sync"].allowed and actions["manual_sync"].reason == "connection_error"
    assert actions["reconnect"].allowed


CREDENTIAL_ACTIONS = [
    ({}, {"replace_credentials", "verify_configuration", "disable_source"}),
    ({"credentials": {"client_id_ref": None, "client_secret_ref": None}, "flags": {"real_exchange": False}},
     {"enter_credentials", "verify_configuration", "disable_source"}),
    ({"flags": {"real_exchange": False}},
     {"replace_credentials", "verify_configuration", "enable_exchange_staging", "disable_source"}),
    ({"flags": {"real_exchange": False}, "source": {"plan": "starter"}},
     {"replace_credentials", "verify_configuration", "disable_source"}),
    ({"source": {"enabled": False}}, {"verify_configuration"}),
]


@pytest.mark.parametrize("overrides, available", CREDENTIAL_ACTIONS)
def test_credential_actions(overrides, available):
    d = derive(scenario(**overrides))
    assert {a.code for a in d.credential_actions if a.allowed} == available
    assert all(a.performs_real_action is False for a in d.credential_actions + d.actions)


def test_disabled_source_freezes_data_and_allows_no_sync():
    d = derive(scenario(source={"enabled": False}))
    assert d.health.status == "disabled"
    assert "data_frozen" in [f.code for f in d.data_quality]
    allowed = {a.code for a in d.actions if a.allowed}
    assert allowed == {"open_sync_history", "open_data_quality"}


def test_accounts_outside_the_profile_never_leave_the_core():
    d = derive(scenario(external_accounts=[
        {"store": "in-one.myshopify.com", "masked_ref": "shop_a_•••1", "selected": True},
        {"store": "out-two.myshopify.com", "masked_ref": "shop_b_•••2", "in_profile": False}]))
    assert [a.store for a in d.external_accounts] == ["in-one.myshopify.com"]


def test_stale_data_after_48_hours():
    d = derive(scenario(as_of="2026-05-06T08:00:00Z", exchange={"at": "2026-05-06T07:00:00Z"}))
    assert "stale_data" in [f.code for f in d.data_quality]
    assert d.health.status == "warning"


def test_never_healthy_beside_a_blocking_or_warning_finding():
    for overrides in [{}, *[o for _, o, _ in READINESS], *[{"sync_runs": [r]} for r, _, _ in SYNC_FINDINGS]]:
        d = derive(scenario(**overrides))
        findings = d.source_health + d.data_quality
        if d.health.status == "healthy":
            assert all(f.severity == "info" for f in findings)


UNAUTHORIZED = {"code": "unauthorized", "http_status": 401,
                "message": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


@pytest.mark.parametrize("exchange_at, token", [
    ("2026-05-03T06:00:00Z", "rejected"),  # the 401 run used this token
    ("2026-05-03T07:30:00Z", "active"),    # a reconnect after the 401 issued a new one
])
def test_a_401_rejects_the_token_it_was_sent_with(exchange_at, token):
    # [TOKEN-2] factory run starts 07:00: after the 06:00 exchange, before the 07:30 one.
    d = derive(scenario(exchange={"at": exchange_at}, sync_runs=[run("failed", error=UNAUTHORIZED)]))
    assert d.token.state == token
    assert {c.code: c.status for c in d.credentials}["access_token"] == f"token_{token}"


def test_403_waits_for_merchant_approval_not_for_a_reconnect():
    # [ACT-1…9] A 403 keeps syncs blocked, but for the merchant's approval; a 401 asks for a reconnect.
    forbidden = {"code": "forbidden", "http_status": 403,
                 "message": "[API] This action requires merchant approval for read_orders scope."}
    for error, reason in ((forbidden, "merchant_approval_missing"), (UNAUTHORIZED, "connection_error")):
        actions = {a.code: a for a in derive(scenario(sync_runs=[run("failed", error=error)])).actions}
        for code in ("manual_sync", "retry_failed_sync", "refresh_metadata"):
            assert (actions[code].allowed, actions[code].reason) == (False, reason), (code, error["http_status"])
        assert actions["reconnect"].allowed


SERVER_ERROR = {"code": "internal_server_error", "http_status": 500, "message": "An internal error occurred in Shopify."}
TIMEOUT = {"code": "read_timeout", "message": "no answer within 30 s"}


@pytest.mark.parametrize("errors, code, count", [
    ([SERVER_ERROR], "LAST_SYNC_FAILED", None),                 # one bad run is not an outage
    ([SERVER_ERROR, TIMEOUT], "SHOPIFY_UNAVAILABLE", 2),        # a timeout without a status counts too
    ([SERVER_ERROR, SERVER_ERROR, SERVER_ERROR], "SHOPIFY_UNAVAILABLE", 3),
    ([SERVER_ERROR, UNAUTHORIZED], "LAST_SYNC_FAILED", None),   # the streak stops at a non-server failure
])
def test_several_server_failures_in_a_row_say_shopify_is_unavailable(errors, code, count):
    # [SYNC-5] newest first, one hour apart, with the scheduler's next attempt shown while retrying.
    runs = [run("failed", error=e, started_at=f"2026-05-03T0{7 - i}:00:00Z", finished_at=f"2026-05-03T0{7 - i}:01:00Z")
            for i, e in enumerate(errors)]
    d = derive(scenario(sync_runs=runs, next_attempt_at="2026-05-03T09:00:00Z"))
    found = {f.code: f.count for f in d.source_health}
    assert code in found and found[code] == count
    assert d.technical.next_attempt_at is not None
    recovered = derive(scenario(sync_runs=[run("succeeded", started_at="2026-05-03T07:30:00Z",
                                               finished_at="2026-05-03T07:35:00Z"), *runs],
                                next_attempt_at="2026-05-03T09:00:00Z"))
    assert recovered.technical.next_attempt_at is None  # nothing is retrying once a run succeeded


def test_a_frozen_or_locked_store_blocks_syncs_but_not_for_a_reconnect():
    for status in (402, 423):
        error = {"code": "x", "http_status": status, "message": "shop"}
        actions = {a.code: a for a in derive(scenario(sync_runs=[run("failed", error=error)])).actions}
        assert (actions["manual_sync"].allowed, actions["manual_sync"].reason) == (False, "shop_unavailable")
        assert (actions["refresh_metadata"].allowed, actions["refresh_metadata"].reason) == (False, "shop_unavailable")


def test_a_throttled_run_is_not_a_failure():
    # [SYNC-4]
    d = derive(scenario(sync_runs=[run("succeeded", throttle={"waits": 3, "restore_rate": 100})]))
    assert d.health.status == "healthy"
    assert ("SYNC_THROTTLED", "info", 3) in {(f.code, f.severity, f.count) for f in d.source_health}
    assert d.technical.throttle_restore_rate == 100


def test_a_renewal_inside_a_run_is_an_exchange():
    # [TOKEN-3] exchange 26 h ago would be expired; the renewal mid-run keeps the token alive.
    d = derive(scenario(exchange={"at": "2026-05-02T06:00:00Z"}, sync_runs=[run(
        "succeeded", started_at="2026-05-03T05:30:00Z", finished_at="2026-05-03T06:30:00Z",
        token_renewed_at="2026-05-03T06:00:10Z")]))
    assert d.token.state == "active"
    assert "TOKEN_RENEWED_MID_RUN" in [f.code for f in d.source_health]
    assert d.health.status == "healthy"


@pytest.mark.parametrize("exchange, token, findings", [
    ({"at": "2026-05-03T06:00:00Z", "outcome": "ok"}, "revoked", ["APP_UNINSTALLED"]),  # token issued before
    ({"at": "2026-05-03T07:30:00Z", "outcome": "app_not_installed"}, "revoked", ["APP_UNINSTALLED"]),
    ({"at": "2026-05-03T07:30:00Z", "outcome": "ok"}, "active", []),  # reinstalled, exchanged again
])
def test_an_uninstall_revokes_tokens_until_a_reinstall(exchange, token, findings):
    # [TOKEN-4] [HEALTH-SRC-8]
    d = derive(scenario(exchange=exchange, webhooks={"app_uninstalled_at": "2026-05-03T07:00:00Z"}))
    assert d.token.state == token
    assert [f.code for f in d.source_health if f.code.startswith("APP_")] == findings
    actions = {a.code: a for a in d.actions}
    if findings:
        assert (actions["reconnect"].allowed, actions["reconnect"].reason) == (False, "app_uninstalled")
        assert actions["manual_sync"].reason == "app_uninstalled"


@pytest.mark.parametrize("kind, requested, limited", [
    ("backfill", ["read_orders"], True),
    ("full_resync", ["read_orders"], True),
    ("incremental", ["read_orders"], False),
    ("backfill", ["read_orders", "read_all_orders"], False),
])
def test_a_backfill_without_read_all_orders_reaches_back_60_days(kind, requested, limited):
    # [DQ-10]
    d = derive(scenario(scopes={"requested": requested}, sync_runs=[run("succeeded", kind=kind)]))
    assert ("history_limited" in [f.code for f in d.data_quality]) is limited
    if limited:
        assert d.technical.history_from == d.sync_runs[0].started_at - timedelta(days=60)


def test_the_cursor_moves_only_with_a_succeeded_run():
    # [SYNC-7]
    d = derive(scenario(sync_runs=[
        run("partial", started_at="2026-05-03T07:00:00Z", finished_at="2026-05-03T07:05:00Z",
            cursor="2026-05-03T06:59:00Z"),
        run("succeeded", started_at="2026-05-03T06:00:00Z", finished_at="2026-05-03T06:05:00Z",
            cursor="2026-05-03T05:59:00Z")]))
    assert d.technical.incremental_cursor.isoformat() == "2026-05-03T05:59:00+00:00"


def test_the_version_change_is_read_from_the_history():
    # [SCHEMA-3]
    d = derive(scenario(sync_runs=[
        run("succeeded", started_at="2026-05-03T06:00:00Z", finished_at="2026-05-03T06:05:00Z"),
        run("succeeded", started_at="2026-05-02T06:00:00Z", finished_at="2026-05-02T06:05:00Z",
            api_version="2026-01")]))
    assert d.technical.api_version_change == ("2026-01", "2026-04")
