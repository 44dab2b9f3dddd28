"""The catalogue of states: each bundled scenario's page shows what its facts imply by the rules.

Expectations are reasoned from the facts in scenarios/<id>.yml and the rules in
docs/derivation.md (ids in comments), then read back from the rendered page:
badges by their data-code, texts from the message catalogue.
"""
from __future__ import annotations

import json
from typing import Callable

import pytest

from generator.site.render import Catalogue

T = Catalogue.load("en")
EXPECT: dict[str, Callable] = {}


def expects(sid: str):
    def register(check):
        EXPECT[sid] = check
        return check
    return register


# --- reading a page ------------------------------------------------------------

def readiness(soup) -> str:
    return soup.select_one('[data-section="readiness"] .badge[data-code]')["data-code"]


def health(soup) -> str:
    return soup.select_one('[data-section="health"] .big .badge')["data-code"]


def token(soup) -> str:
    return soup.select_one('[data-fact="token-cache"] .badge')["data-code"]


def findings(soup) -> dict[str, str]:
    """Source health: {code: severity}."""
    return {li["data-finding"]: li.select_one(".badge")["data-code"] for li in soup.select("[data-finding]")}


def issues(soup) -> dict[str, str]:
    """Data quality preview: {code: severity}."""
    return {li["data-issue"]: li.select_one(".badge")["data-code"] for li in soup.select("[data-issue]")}


def alerts(soup) -> list[str]:
    return [li["data-alert"] for li in soup.select("[data-alert]")]


def todo(soup) -> set[str]:
    return {li["data-check"] for li in soup.select("[data-check]") if li.select_one(".badge")["data-code"] == "todo"}


def action(soup, code: str, kind: str = "action") -> tuple[bool, str]:
    """(allowed, the 'In this state' text) of a source or credential action."""
    li = soup.select_one(f'[data-{kind}="{code}"]')
    why = next(p for p in li.select(".preview-body p") if p.get_text().startswith(T("action.why")))
    return li["data-allowed"] == "true", why.get_text(" ", strip=True).removeprefix(T("action.why") + ":").strip()


def allowed(soup, kind: str = "action") -> set[str]:
    return {li[f"data-{kind}"] for li in soup.select(f"[data-{kind}]") if li["data-allowed"] == "true"}


def field(soup, name: str) -> str:
    return soup.select_one(f'[data-field="{name}"] .badge')["data-code"]


def yes(soup, name: str) -> bool:
    """A Yes/No technical field, read by its word (colour never carries it)."""
    return soup.select_one(f'[data-field="{name}"] .badge').get_text(strip=True) == T("meta.bool_true")


def section_text(soup, name: str) -> str:
    return soup.select_one(f'[data-section="{name}"]').get_text(" ", strip=True)


def summary_last_sync(soup) -> str:
    return soup.select(".summary .badge")[2]["data-code"]


def runs(soup) -> list[str]:
    return [tr["data-run"] for tr in soup.select("[data-run]")]


def reason(key: str) -> str:
    return T(f"reason.{key}")


# --- the lifecycle -------------------------------------------------------------

@expects("missing-refs")
def _(soup, s):
    # READY-1: no refs → SECRET_REFS_MISSING; CHECK: refs, manager, flags to do; CRED-1: enter is available.
    assert readiness(soup) == "SECRET_REFS_MISSING"
    assert todo(soup) == {"client_id_ref", "client_secret_ref", "secret_manager", "exchange_flags"}
    assert issues(soup)["credential_missing"] == "blocking"
    assert action(soup, "enter_credentials", "credential-action") == (True, reason("creates_references"))


@expects("refs-present")
def _(soup, s):
    # Refs and Infisical present, flag off: READY-1 → EXCHANGE_DISABLED, the only item to do;
    # CRED-1…5: every other item OK → the exchange may be enabled in staging; no exchange → TOKEN-1 inactive.
    assert readiness(soup) == "EXCHANGE_DISABLED"
    assert todo(soup) == {"exchange_flags"}
    assert action(soup, "enable_exchange_staging", "credential-action") == (True, reason("checklist_complete"))
    assert action(soup, "replace_credentials", "credential-action")[0] is True
    assert token(soup) == "inactive"
    assert health(soup) == "failing"  # HEALTH-1: the earlier syncs connect it; EXCHANGE_DISABLED blocks
    assert action(soup, "manual_sync") == (False, reason("readiness.EXCHANGE_DISABLED"))
    for ref in (s.credentials.client_id_ref, s.credentials.client_secret_ref):
        assert ref in section_text(soup, "credentials")


@expects("exchange-enabled")
def _(soup, s):
    # Exchange ok at as_of → token active; the two earlier syncs are the data: no finding, healthy.
    assert readiness(soup) == "READY" and not todo(soup)
    assert token(soup) == "active"
    assert not issues(soup)
    assert health(soup) == "healthy"
    assert action(soup, "manual_sync") == (True, reason("sync_preview"))
    assert runs(soup) == ["succeeded", "succeeded"]


@expects("new-source")
def _(soup, s):
    # Refs present, flag off, no exchange and no run: HEALTH-1 not_connected, DQ-8 no_data_yet.
    assert readiness(soup) == "EXCHANGE_DISABLED"
    assert health(soup) == "not_connected"
    assert issues(soup)["no_data_yet"] == "info"
    assert action(soup, "open_sync_history") == (False, reason("no_sync_yet"))
    assert T("sync.none") in section_text(soup, "sync-history")


@expects("first-sync-failed")
def _(soup, s):
    # The journey's failure: a 500 on the first sync with the new token → retry allowed.
    assert findings(soup) == {"LAST_SYNC_FAILED": "blocking"}
    assert action(soup, "retry_failed_sync") == (True, reason("retry_last_failed"))
    assert runs(soup) == ["failed", "succeeded", "succeeded"]


@expects("first-sync-retried")
def _(soup, s):
    # The retry succeeded: the failure stays in the history, nothing else is wrong.
    assert health(soup) == "healthy" and not findings(soup)
    assert runs(soup) == ["succeeded", "failed", "succeeded", "succeeded"]
    assert action(soup, "retry_failed_sync") == (False, reason("no_failed_sync"))


@expects("healthy")
def _(soup, s):
    assert readiness(soup) == "READY" and health(soup) == "healthy"
    assert not findings(soup) and not alerts(soup)
    assert T("data_quality.none") in section_text(soup, "data-quality")


@expects("schema-changed")
def _(soup, s):
    # Non-breaking, unacknowledged, mapping not confirmed: HEALTH-SRC-5 warning, SCHEMA-2 unconfirmed.
    assert findings(soup) == {"SCHEMA_CHANGED": "warning", "MAPPING_UNCONFIRMED": "warning"}
    assert health(soup) == "warning"
    assert action(soup, "manual_sync")[0] is True  # non-breaking: syncs go on
    assert action(soup, "acknowledge_schema_change") == (True, reason("schema_change_pending"))
    assert s.schema_.changes[0].field in section_text(soup, "technical-status")
    # SCHEMA-3: the new fields came with the version change the history shows.
    assert soup.select_one('[data-field="api_version_change"]').get_text(" ", strip=True).endswith("2026-04 → 2026-07")


@expects("first-backfill")
def _(soup, s):
    # DQ-10: a backfill without read_all_orders reaches back 60 days: info, not an error; SYNC-7 cursor.
    assert health(soup) == "healthy" and not findings(soup)
    assert issues(soup) == {"history_limited": "info"}
    assert soup.select_one('[data-field="history_from"] time')["datetime"] == "2026-03-04T06:00:00Z"
    assert soup.select_one('[data-field="incremental_cursor"] time')["datetime"] == "2026-05-03T05:59:41Z"
    assert T("technical.kind_backfill") in section_text(soup, "technical-status")


@expects("failed-sync")
def _(soup, s):
    # SYNC-3: a 500 → LAST_SYNC_FAILED (blocking); retry allowed; last success is the run before.
    assert findings(soup) == {"LAST_SYNC_FAILED": "blocking"}
    assert health(soup) == "failing"
    assert action(soup, "retry_failed_sync") == (True, reason("retry_last_failed"))
    assert s.sync_runs[0].error.message in section_text(soup, "sync-history")


@expects("recovered")
def _(soup, s):
    # Newest run succeeded: the failure is history, not a finding; same stable version, no schema change.
    assert health(soup) == "healthy" and not findings(soup)
    assert not issues(soup) and not alerts(soup)
    assert runs(soup) == ["succeeded", "failed", "succeeded"]
    assert action(soup, "retry_failed_sync") == (False, reason("no_failed_sync"))
    assert action(soup, "acknowledge_schema_change") == (False, reason("no_schema_change"))
    assert field(soup, "mapping_status") == "confirmed"
    assert "An internal error occurred in Shopify." in section_text(soup, "sync-history")  # S1's wording


# --- configuration errors ------------------------------------------------------

@expects("secret-manager-missing")
def _(soup, s):
    assert readiness(soup) == "SECRET_MANAGER_NOT_CONFIGURED"
    assert todo(soup) == {"secret_manager", "exchange_flags"}
    assert issues(soup)["secret_manager_missing"] == "blocking"
    assert action(soup, "enable_exchange_staging", "credential-action") == (False, reason("checklist_incomplete"))


def _forbidden(soup, scope: str | None):
    assert readiness(soup) == "FORBIDDEN_SCOPE_REQUESTED"
    assert todo(soup) == {"scopes_v1", "exchange_flags"}
    assert issues(soup)["forbidden_scope"] == "blocking"
    if scope:
        li = soup.select_one(f'[data-scope="{scope}"]')
        assert li.select_one(".badge")["data-code"] == "forbidden"
        assert T("scope_policy.requested") in li.get_text()
    assert action(soup, "enable_exchange_staging", "credential-action") == (False, reason("checklist_incomplete"))


@expects("forbidden-scope")
def _(soup, s):
    _forbidden(soup, "read_customers")  # SCOPE-1


@expects("write-scope")
def _(soup, s):
    _forbidden(soup, "write_orders")  # SCOPE-2: any write scope is forbidden


@expects("protected-data-level-2")
def _(soup, s):
    _forbidden(soup, None)  # SCOPE-3: level 2 alone is enough
    assert soup.select_one('[data-scope="pcd-level"]').get_text(" ", strip=True).startswith(
        T("readiness.pcd_level") + ": 2")


@expects("read-all-orders")
def _(soup, s):
    # SCOPE-1: out of V1, not forbidden → SCOPES_NOT_V1 and a warning, not a blocking issue.
    assert readiness(soup) == "SCOPES_NOT_V1"
    assert soup.select_one('[data-scope="read_all_orders"] .badge')["data-code"] == "out_of_v1"
    assert issues(soup)["scope_out_of_v1"] == "warning" and "forbidden_scope" not in issues(soup)


@expects("plan-not-pro")
def _(soup, s):
    # READY-1: plan is checked before the exchange flag.
    assert readiness(soup) == "PLAN_NOT_PRO"
    assert todo(soup) == {"plan_pro", "exchange_flags"}
    assert action(soup, "enable_exchange_staging", "credential-action") == (False, reason("checklist_incomplete"))
    assert action(soup, "reconnect") == (False, reason("readiness.PLAN_NOT_PRO"))


# --- exchange and token --------------------------------------------------------

@expects("token-expired")
def _(soup, s):
    # TOKEN-1: exchange at + 86399 s is before as_of → expired; HEALTH-SRC-3 warning; a reconnect
    # (new exchange) is allowed. Last success 26 h ago: not stale (DQ-9 is 48 h).
    assert token(soup) == "expired"
    assert findings(soup) == {"TOKEN_EXPIRED": "warning"}
    assert health(soup) == "warning"
    assert action(soup, "reconnect") == (True, reason("reconnect_new_exchange"))
    assert "stale_data" not in issues(soup)
    assert soup.select_one('[data-credential="access_token"] .badge')["data-code"] == "token_expired"


@expects("shop-not-permitted")
def _(soup, s):
    # HEALTH-SRC-2: its own finding, not "wrong credentials"; the token cache is empty; sync blocked.
    assert readiness(soup) == "READY"
    assert findings(soup) == {"SHOP_NOT_PERMITTED": "blocking"}
    assert "INVALID_CLIENT" not in findings(soup)
    assert "shop_not_permitted" in soup.select_one('[data-finding="SHOP_NOT_PERMITTED"]').get_text()
    assert token(soup) == "failed"
    assert action(soup, "manual_sync") == (False, reason("connection_error"))
    assert action(soup, "reconnect")[0] is True
    assert health(soup) == "not_connected"  # never connected: no run, no successful exchange
    assert s.source.store in section_text(soup, "external-accounts")


@expects("app-not-installed")
def _(soup, s):
    # Earlier runs exist, so it is connected and failing (HEALTH-1) on a blocking APP_NOT_INSTALLED.
    assert findings(soup) == {"APP_NOT_INSTALLED": "blocking"}
    assert health(soup) == "failing"
    assert token(soup) == "failed"
    assert action(soup, "manual_sync") == (False, reason("connection_error"))
    assert action(soup, "refresh_metadata") == (False, reason("connection_error"))


# --- sync outcomes -------------------------------------------------------------

@expects("token-renewed-mid-run")
def _(soup, s):
    # TOKEN-3: yesterday's exchange alone would be expired; the renewal inside the run keeps it active.
    assert token(soup) == "active"
    assert findings(soup) == {"TOKEN_RENEWED_MID_RUN": "info"}
    assert health(soup) == "healthy" and runs(soup)[0] == "succeeded"


@expects("app-uninstalled")
def _(soup, s):
    # TOKEN-4 / HEALTH-SRC-8: revoked tokens, one finding for the uninstall, nothing works until a reinstall.
    assert token(soup) == "revoked"
    assert findings(soup) == {"APP_UNINSTALLED": "blocking"}
    assert action(soup, "reconnect") == (False, reason("app_uninstalled"))
    assert action(soup, "manual_sync") == (False, reason("app_uninstalled"))
    assert soup.select_one('[data-credential="access_token"] .badge')["data-code"] == "token_revoked"


@expects("client-secret-revoked")
def _(soup, s):
    # HEALTH-SRC-2: invalid_client is the one refusal that does mean wrong credentials: replace them.
    assert findings(soup) == {"INVALID_CLIENT": "blocking"}
    assert token(soup) == "failed"
    assert action(soup, "replace_credentials", "credential-action")[0] is True
    assert action(soup, "manual_sync") == (False, reason("connection_error"))


@expects("sync-unauthorized")
def _(soup, s):
    # A 401 on the last finished run → SYNC_UNAUTHORIZED (blocking); manual sync not allowed with
    # reason connection_error; TOKEN-2: the token it used is rejected; Shopify's wording in the history.
    assert findings(soup) == {"SYNC_UNAUTHORIZED": "blocking"}
    assert action(soup, "manual_sync") == (False, reason("connection_error"))
    assert action(soup, "retry_failed_sync") == (False, reason("connection_error"))
    assert action(soup, "reconnect") == (True, reason("reconnect_new_exchange"))
    assert token(soup) == "rejected"
    assert health(soup) == "failing"
    history = section_text(soup, "sync-history")
    assert "HTTP 401" in history
    assert "[API] Invalid API key or access token (unrecognized login or wrong password)" in history


@expects("sync-forbidden")
def _(soup, s):
    # A 403 → SYNC_FORBIDDEN; syncs wait for the merchant, not for a reconnect; the token itself works.
    # Last success 2026-04-30 06:03, as_of 2026-05-03 08:00 → over 48 h → stale_data (DQ-9).
    assert findings(soup) == {"SYNC_FORBIDDEN": "blocking"}
    assert action(soup, "manual_sync") == (False, reason("merchant_approval_missing"))
    assert token(soup) == "active"
    assert issues(soup)["stale_data"] == "warning"
    assert "requires merchant approval for read_orders scope" in section_text(soup, "sync-history")
    assert T("source_health.SYNC_FORBIDDEN")[0] in section_text(soup, "source-health")


@expects("partial-sync")
def _(soup, s):
    # SYNC-2: partial is not a success; DQ-4 records_failed with the run's failed count; retry allowed.
    partial = s.sync_runs[0]
    assert summary_last_sync(soup) == "partial"
    assert findings(soup) == {"LAST_SYNC_PARTIAL": "warning"}
    assert issues(soup)["records_failed"] == "warning"
    assert T("data_quality.count", count=partial.failed) in soup.select_one('[data-issue="records_failed"]').get_text()
    assert health(soup) == "warning"
    assert action(soup, "retry_failed_sync") == (True, reason("retry_last_failed"))
    last_success = soup.select_one('[data-field="last_successful_sync"] time')["datetime"]
    assert last_success == s.sync_runs[1].finished_at.strftime("%Y-%m-%dT%H:%M:%SZ")


@expects("sync-running")
def _(soup, s):
    # SYNC-1: the running run is listed but the result shown is the last *finished* one (failed).
    assert runs(soup)[0] == "running"
    assert summary_last_sync(soup) == "failed"
    assert soup.select_one("tr.last-finished")["data-run"] == "failed"
    assert findings(soup) == {"LAST_SYNC_FAILED": "blocking"}
    assert action(soup, "manual_sync") == (False, reason("sync_running"))
    assert action(soup, "retry_failed_sync") == (False, reason("sync_running"))
    assert T("sync.running_now") in section_text(soup, "sync-history")


@expects("sync-throttled")
def _(soup, s):
    # SYNC-4: throttled is not failed; the restore rate is shown; the running sync goes on.
    assert findings(soup) == {"SYNC_THROTTLED": "info"}
    assert health(soup) == "healthy"
    rate = s.sync_runs[0].throttle.restore_rate
    assert soup.select_one('[data-field="throttle_restore_rate"] dd').get_text(strip=True) == T(
        "technical.points_per_second", rate=rate)
    assert T("source_health.count", count=s.sync_runs[0].throttle.waits) in section_text(soup, "source-health")


@expects("shopify-unavailable")
def _(soup, s):
    # SYNC-5: three 5xx in a row → Shopify unavailable (not "last sync failed"), retrying at next_attempt_at.
    assert findings(soup) == {"SHOPIFY_UNAVAILABLE": "warning"}
    assert T("source_health.count", count=3) in section_text(soup, "source-health")
    assert soup.select_one('[data-field="next_attempt_at"] time')["datetime"] == "2026-05-03T08:30:00Z"
    assert runs(soup) == ["failed", "failed", "failed", "succeeded"]


@expects("shop-frozen")
def _(soup, s):
    # SYNC-3: 402 → store frozen; the owner must pay; reconnecting does not help.
    assert findings(soup) == {"SHOP_FROZEN": "blocking"}
    assert action(soup, "manual_sync") == (False, reason("shop_unavailable"))
    assert action(soup, "reconnect")[0] is True
    assert "HTTP 402" in section_text(soup, "sync-history")


@expects("shop-locked")
def _(soup, s):
    assert findings(soup) == {"SHOP_LOCKED": "blocking"}
    assert action(soup, "refresh_metadata") == (False, reason("shop_unavailable"))
    assert "HTTP 423" in section_text(soup, "sync-history")


@expects("bulk-operation-failed")
def _(soup, s):
    # SYNC-6: FAILED with its error code, retry runs a new bulk operation.
    assert findings(soup) == {"BULK_OPERATION_FAILED": "blocking"}
    bulk = soup.select_one('[data-field="bulk_operation"]').get_text(" ", strip=True)
    assert "FAILED" in bulk and "INTERNAL_SERVER_ERROR" in bulk
    assert action(soup, "retry_failed_sync") == (True, reason("retry_last_failed"))


@expects("bulk-result-expired")
def _(soup, s):
    assert findings(soup) == {"BULK_RESULT_EXPIRED": "blocking"}
    assert "EXPIRED" in soup.select_one('[data-field="bulk_operation"]').get_text()
    assert issues(soup)["stale_data"] == "warning"  # the last success is 8 days old


@expects("full-resync")
def _(soup, s):
    # SYNC-7: a running full resync; the cursor stays at the last succeeded run's.
    assert issues(soup) == {"history_limited": "info", "full_resync_running": "info"}
    assert T("technical.kind_full_resync") in section_text(soup, "technical-status")
    assert soup.select_one('[data-field="incremental_cursor"] time')["datetime"] == "2026-05-03T05:59:12Z"
    assert action(soup, "manual_sync") == (False, reason("sync_running"))


@expects("sync-cancelled")
def _(soup, s):
    # SYNC-2: cancelled never looks successful, even though it processed records.
    assert s.sync_runs[0].processed > 0
    assert summary_last_sync(soup) == "cancelled"
    assert soup.select_one("tr.last-finished .badge")["data-code"] == "cancelled"
    assert findings(soup) == {"LAST_SYNC_CANCELLED": "warning"}
    assert issues(soup)["sync_cancelled"] == "warning"
    assert health(soup) == "warning"
    last_success = soup.select_one('[data-field="last_successful_sync"] time')["datetime"]
    assert last_success == s.sync_runs[1].finished_at.strftime("%Y-%m-%dT%H:%M:%SZ")


# --- API version and schema ----------------------------------------------------

@expects("api-version-expiring")
def _(soup, s):
    # API-2: 2025-07 is supported until 2026-07, within 90 days of 2026-05-03 → RECOMMENDED, info only.
    assert field(soup, "api_version_review") == "RECOMMENDED"
    assert findings(soup) == {"API_VERSION_EXPIRING": "info"}
    assert health(soup) == "healthy"
    assert "2026-07" in soup.select_one('[data-field="api_version_target"]').get_text()


@expects("api-version-unsupported")
def _(soup, s):
    # API-2/3: 2025-04 left support in 2026-04 → REQUIRED; requests fall forward to 2025-07 (the oldest
    # supported on 2026-05-03); SCHEMA-1: the changelog must be read.
    assert field(soup, "api_version_review") == "REQUIRED"
    assert soup.select_one('[data-field="api_version_effective"] code').get_text() == "2025-07"
    assert findings(soup) == {"API_VERSION_UNSUPPORTED": "warning"}
    assert issues(soup)["api_version_fall_forward"] == "warning"
    assert yes(soup, "changelog_review_required") and not yes(soup, "schema_changed")
    assert health(soup) == "warning"


@expects("schema-breaking")
def _(soup, s):
    # HEALTH-SRC-5: breaking and unacknowledged → blocking, syncs paused; SCHEMA-2 unconfirms the mapping.
    assert findings(soup)["SCHEMA_CHANGED_BREAKING"] == "blocking"
    assert field(soup, "mapping_status") == "unconfirmed"
    assert action(soup, "manual_sync") == (False, reason("breaking_schema_change"))
    assert action(soup, "field_mapping_check") == (True, reason("mapping_unconfirmed"))
    assert health(soup) == "failing"
    change = s.schema_.changes[0]
    assert change.field in section_text(soup, "technical-status")
    assert T("technical.change_removed") in section_text(soup, "technical-status")
    # SCHEMA-3: the removal came with the target bump, not inside one stable version.
    assert "2024-04 → 2024-07" in soup.select_one('[data-field="api_version_change"]').get_text(" ", strip=True)


# --- accounts and lifecycle end ------------------------------------------------

@expects("several-accounts")
def _(soup, s):
    # ACCT-1: exactly the in-profile accounts, in order; the selected one marked.
    shown = [tr["data-account"] for tr in soup.select("[data-account]")]
    assert shown == [a.store for a in s.external_accounts if a.in_profile]
    assert len(shown) < len(s.external_accounts)


@expects("source-disabled")
def _(soup, s):
    # Disabled: health disabled; data frozen (info), history kept (no hard delete); nothing runs.
    assert readiness(soup) == "SOURCE_DISABLED" and health(soup) == "disabled"
    assert findings(soup) == {"SOURCE_DISABLED": "info"}
    assert issues(soup) == {"data_frozen": "info"}  # DQ-7 wins over stale data (as_of 3 days later)
    assert runs(soup) == [r.status for r in s.sync_runs]
    assert allowed(soup) == {"open_sync_history", "open_data_quality"}
    assert allowed(soup, "credential-action") == {"verify_configuration"}
    assert token(soup) == "inactive"


# --- the catalogue as a whole --------------------------------------------------

REQUIRED = {  # issue #7 and DOMAIN.md: the states a reviewer needs
    "missing-refs", "healthy", "schema-changed", "failed-sync", "refs-present", "secret-manager-missing",
    "forbidden-scope", "protected-data-level-2", "read-all-orders", "token-expired", "shop-not-permitted",
    "app-not-installed", "sync-unauthorized", "sync-forbidden", "partial-sync", "sync-running",
    "sync-cancelled", "api-version-unsupported", "schema-breaking", "source-disabled", "plan-not-pro",
    "several-accounts",
    # issue #16: the states operators meet most
    "sync-throttled", "shopify-unavailable", "token-renewed-mid-run", "first-backfill", "bulk-operation-failed",
    "bulk-result-expired", "app-uninstalled", "shop-frozen", "shop-locked", "client-secret-revoked", "full-resync",
}


def test_every_bundled_scenario_has_expectations(bundled_scenarios):
    ids = {s.id for s in bundled_scenarios}
    assert REQUIRED <= ids
    assert set(EXPECT) == ids, "each scenario in scenarios/ needs an @expects check here"


@pytest.mark.parametrize("sid", sorted(EXPECT))
def test_page_shows_what_the_facts_imply(sid, page, bundled_scenarios):
    s = next(x for x in bundled_scenarios if x.id == sid)
    EXPECT[sid](page(f"scenarios/{sid}/index.html"), s)


def test_lifecycle_reads_as_a_story(site, bundled_scenarios):
    order = [s.id for s in bundled_scenarios]
    story = ["missing-refs", "refs-present", "exchange-enabled", "first-backfill", "healthy", "schema-changed",
             "failed-sync", "recovered"]
    assert order[:len(story)] == story
    manifest = [e["id"] for e in json.loads((site / "scenarios.json").read_text())["scenarios"]]
    assert manifest == order


def test_accounts_outside_the_profile_appear_nowhere(site, bundled_scenarios):
    hidden = {text for s in bundled_scenarios for a in s.external_accounts if not a.in_profile
              for text in (a.store, a.masked_ref)}
    assert hidden, "the catalogue must include accounts outside the profile"
    for path in site.rglob("*"):
        if path.is_file():
            content = path.read_text(encoding="utf-8")
            assert not [h for h in hidden if h in content], path


def test_every_message_is_text():
    # YAML 1.1 reads a bare `on`, `no`, `yes` as booleans: the page then said "True" (issue #7 review).
    def leaves(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                yield from leaves(v, f"{key}.{k}" if key else str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from leaves(v, f"{key}[{i}]")
        else:
            yield key, node
    not_text = [(k, v) for k, v in leaves(T.messages) if not isinstance(v, str)]
    assert not not_text
