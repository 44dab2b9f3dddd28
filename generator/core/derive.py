"""The derivation core: scenario facts → everything the page *decides*.

Pure functions, no I/O, no rendering. Every rule is written once here and
listed in docs/derivation.md (rule ids in brackets); the page, the manifest
and the comparisons all read the one `Derived` this module computes, so no
part of a page can contradict another.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from ..model.scenario import BulkOperation, Scenario, SyncRun
from .recording import Frame, Recorder, part

Severity = Literal["blocking", "warning", "info"]
#: [READY-1] What readiness can say: READY, or the first unmet condition (in readiness()'s order).
ReadinessCode = Literal["READY", "SOURCE_DISABLED", "SECRET_REFS_MISSING", "SECRET_MANAGER_NOT_CONFIGURED",
                        "FORBIDDEN_SCOPE_REQUESTED", "SCOPES_NOT_V1", "PLAN_NOT_PRO", "EXCHANGE_DISABLED"]

#: [SCOPE-1] Scope policy of V1: orders only, read-only, no personal data.
V1_MINIMUM = "read_orders"
OUT_OF_V1 = frozenset({"read_all_orders"})
FORBIDDEN = frozenset({"read_customers"})
PLANS_FIT_FOR_PRODUCTION = frozenset({"pro", "enterprise"})
#: [API-1] Shopify supports each quarterly version at least 12 months.
SUPPORT_MONTHS = 12
#: [API-2] Within this many days of leaving support, a review is recommended.
SUPPORT_WARNING_DAYS = 90
#: [API-1] Stable versions are released at 5 pm UTC on the first day of their quarter.
RELEASE_HOUR_UTC = 17
#: [DQ-10] Without read_all_orders, the Order object serves only the last 60 days of orders.
ORDERS_WINDOW = timedelta(days=60)
#: [SYNC-5] This many failed runs in a row on 5xx or timeouts: Shopify is unavailable, not one bad run.
UNAVAILABLE_AFTER_RUNS = 2
#: [DQ-9] Data older than this (since the last successful sync) is stale.
STALE_AFTER = timedelta(hours=48)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    ok: bool


@dataclass(frozen=True)
class ScopeRule:
    scope: str
    policy: Literal["v1_minimum", "out_of_v1", "forbidden"]
    requested: bool


@dataclass(frozen=True)
class Finding:
    """A source-health entry or a data-quality issue: code, severity, and a count where one applies."""

    code: str
    severity: Severity
    count: int | None = None


@dataclass(frozen=True)
class Action:
    code: str
    allowed: bool
    #: Why it is (or is not) allowed in this state: a message key under `reason.`.
    reason: str
    performs_real_action: Literal[False] = False


@dataclass(frozen=True)
class Credential:
    code: Literal["client_id", "client_secret", "access_token"]
    status: str
    reference: str | None = None
    value_displayed: Literal[False] = False


@dataclass(frozen=True)
class TokenCache:
    state: Literal["inactive", "active", "expired", "failed", "rejected", "revoked"]
    expires_at: datetime | None = None


@dataclass(frozen=True)
class ApiVersionReview:
    target: str
    review: Literal["NOT_REQUIRED", "RECOMMENDED", "REQUIRED"]
    reason: Literal["supported", "expiring", "unsupported", "release_candidate"]
    #: The version requests really use: an unsupported target falls forward.
    effective: str
    supported_until: str


@dataclass(frozen=True)
class Technical:
    enabled: bool
    api: ApiVersionReview
    schema_changed: bool
    schema_change: str
    changelog_review_required: bool
    field_mapping_check_required: bool
    mapping_status: Literal["confirmed", "unconfirmed"]
    last_successful_sync: datetime | None
    #: [SCHEMA-3] The version change the sync history shows (previous run's version → newest run's).
    api_version_change: tuple[str, str] | None = None
    #: [SYNC-7] What the newest run does, and where the next incremental run starts.
    sync_kind: Literal["incremental", "backfill", "full_resync"] | None = None
    incremental_cursor: datetime | None = None
    #: [SYNC-4] The GraphQL cost bucket's restore rate (points/s) when the newest run was throttled.
    throttle_restore_rate: int | None = None
    #: [SYNC-5] When the scheduler retries after a failed run; None when nothing is retrying.
    next_attempt_at: datetime | None = None
    #: [SYNC-6] The bulk operation of the last finished run, as Shopify reported it.
    bulk_operation: BulkOperation | None = None
    #: [DQ-10] The oldest order the last backfill could read (60 days without read_all_orders).
    history_from: datetime | None = None


@dataclass(frozen=True)
class Health:
    status: Literal["healthy", "warning", "failing", "not_connected", "disabled"]
    issues: tuple[Finding, ...]


@dataclass(frozen=True)
class Derived:
    """Everything the page shows that is decided rather than given."""

    credentials: tuple[Credential, ...]
    persistence_enabled: bool
    readiness: ReadinessCode
    ready: bool
    exchange_enabled: bool
    token: TokenCache
    scope_policy: tuple[ScopeRule, ...]
    checklist: tuple[ChecklistItem, ...]
    source_health: tuple[Finding, ...]
    data_quality: tuple[Finding, ...]
    health: Health
    technical: Technical
    actions: tuple[Action, ...]
    credential_actions: tuple[Action, ...]
    sync_runs: tuple[SyncRun, ...]
    last_finished_sync: SyncRun | None
    running_sync: SyncRun | None
    external_accounts: tuple = field(default=())


# --- scopes and checklist ----------------------------------------------------

def scope_policy(s: Scenario) -> tuple[ScopeRule, ...]:
    """[SCOPE-1] Each scope the policy names, plus any other requested one (out of V1)."""
    requested = set(s.scopes.requested)
    rules = [ScopeRule(V1_MINIMUM, "v1_minimum", V1_MINIMUM in requested)]
    rules += [ScopeRule(x, "out_of_v1", x in requested) for x in sorted(OUT_OF_V1)]
    rules += [ScopeRule(x, "forbidden", x in requested) for x in sorted(FORBIDDEN)]
    named = {r.scope for r in rules}
    for scope in sorted(requested - named):
        # [SCOPE-2] Any write scope is forbidden (the connector only reads); other reads are out of V1.
        rules.append(ScopeRule(scope, "forbidden" if scope.startswith("write_") or "_write_" in scope
                               else "out_of_v1", True))
    return tuple(rules)


def forbidden_requested(s: Scenario) -> bool:
    """[SCOPE-3] A forbidden scope, or protected customer data level 2 (names, addresses…)."""
    return s.scopes.protected_customer_data_level == 2 or any(
        r.requested and r.policy == "forbidden" for r in scope_policy(s))


def scopes_fit_v1(s: Scenario) -> bool:
    """[SCOPE-4] read_orders requested, nothing forbidden, nothing out of V1."""
    rules = scope_policy(s)
    return (not forbidden_requested(s)
            and any(r.policy == "v1_minimum" and r.requested for r in rules)
            and not any(r.policy == "out_of_v1" and r.requested for r in rules))


def checklist(s: Scenario) -> tuple[ChecklistItem, ...]:
    """[CHECK-1…6] The readiness checklist, in the order the page shows it."""
    return (
        ChecklistItem("client_id_ref", s.credentials.client_id_ref is not None),
        ChecklistItem("client_secret_ref", s.credentials.client_secret_ref is not None),
        ChecklistItem("secret_manager", s.secret_manager.configured),
        ChecklistItem("scopes_v1", scopes_fit_v1(s)),
        ChecklistItem("exchange_flags", s.flags.real_exchange),
        ChecklistItem("plan_pro", s.source.plan in PLANS_FIT_FOR_PRODUCTION),
    )


def readiness(s: Scenario) -> ReadinessCode:
    """[READY-1] The first unmet condition, in this order; READY only if all are met."""
    refs = s.credentials.client_id_ref and s.credentials.client_secret_ref
    scope_ok = scopes_fit_v1(s)
    for code, unmet in (
        ("SOURCE_DISABLED", not s.source.enabled),
        ("SECRET_REFS_MISSING", not refs),
        ("SECRET_MANAGER_NOT_CONFIGURED", not s.secret_manager.configured),
        ("FORBIDDEN_SCOPE_REQUESTED", forbidden_requested(s)),
        ("SCOPES_NOT_V1", not scope_ok),
        ("PLAN_NOT_PRO", s.source.plan not in PLANS_FIT_FOR_PRODUCTION),
        ("EXCHANGE_DISABLED", not s.flags.real_exchange),
    ):
        if unmet:
            return code
    return "READY"


# --- token, API version, sync runs -------------------------------------------

def token_cache(s: Scenario) -> TokenCache:
    """[TOKEN-1] A token exists only in memory, only after an exchange, for expires_in seconds.

    There is no refresh token: once expired, a new exchange is needed. With the
    exchange flag off, or the source disabled, the cache is empty.
    """
    if not s.flags.real_exchange or not s.source.enabled or s.exchange is None:
        return TokenCache("inactive")
    if app_uninstalled(s):
        # [TOKEN-4] Shopify revokes the app's tokens on uninstall; only a reinstall and a new exchange help.
        return TokenCache("revoked")
    if s.exchange.outcome != "ok":
        return TokenCache("failed")
    runs = ordered_runs(s)
    last = last_finished(runs)
    if last is not None and sync_problem(last) == "SYNC_UNAUTHORIZED" and last.started_at >= s.exchange.at:
        # [TOKEN-2] Shopify answered 401 to this very token: it is dropped, whatever its age.
        return TokenCache("rejected")
    # [TOKEN-3] A renewal inside a run is an exchange too: the token lives from the newest one.
    issued = max([s.exchange.at, *(r.token_renewed_at for r in runs if r.token_renewed_at)])
    expires_at = issued + timedelta(seconds=s.exchange.expires_in)
    return TokenCache("active" if s.as_of < expires_at else "expired", expires_at)


def app_uninstalled(s: Scenario) -> bool:
    """[TOKEN-4] An app/uninstalled webhook not followed by a successful exchange (a reinstall)."""
    at = s.webhooks.app_uninstalled_at
    return at is not None and not (s.exchange is not None and s.exchange.outcome == "ok" and s.exchange.at > at)


def _version_start(version: str) -> datetime:
    """[API-1] The moment a version is released: 17:00 UTC on the first day of its quarter."""
    year, month = version.split("-")
    return datetime(int(year), int(month), 1, RELEASE_HOUR_UTC, tzinfo=timezone.utc)


def _add_months(version: str, months: int) -> str:
    year, month = (int(x) for x in version.split("-"))
    index = year * 12 + (month - 1) + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def oldest_supported_version(as_of: datetime) -> str:
    """[API-1] The oldest quarterly version still released within the last 12 months."""
    quarter_month = ((as_of.month - 1) // 3) * 3 + 1
    newest = f"{as_of.year:04d}-{quarter_month:02d}"
    if _version_start(newest) > as_of:
        newest = _add_months(newest, -3)  # the quarter's version comes out at 17:00 UTC, not midnight
    return _add_months(newest, -(SUPPORT_MONTHS - 3))


def api_version_review(s: Scenario) -> ApiVersionReview:
    """[API-1…3] Review the target version against Shopify's support window at `as_of`."""
    target = s.api.target_version
    until = _add_months(target, SUPPORT_MONTHS)
    oldest = oldest_supported_version(s.as_of)
    if _version_start(target) > s.as_of:
        # [API-2] Before its release a version is a release candidate: callable, but still changing.
        return ApiVersionReview(target, "REQUIRED", "release_candidate", target, until)
    if _version_start(until) <= s.as_of:
        # [API-3] Requests to an unsupported version fall forward to the oldest supported one.
        return ApiVersionReview(target, "REQUIRED", "unsupported", oldest, until)
    if _version_start(until) - s.as_of <= timedelta(days=SUPPORT_WARNING_DAYS):
        return ApiVersionReview(target, "RECOMMENDED", "expiring", target, until)
    return ApiVersionReview(target, "NOT_REQUIRED", "supported", target, until)


def ordered_runs(s: Scenario) -> tuple[SyncRun, ...]:
    """Newest first, whatever order the file gives."""
    return tuple(sorted(s.sync_runs, key=lambda r: r.started_at, reverse=True))


def last_finished(runs: tuple[SyncRun, ...]) -> SyncRun | None:
    """[SYNC-1] The page reports the last *finished* run: a running one is not a result."""
    return next((r for r in runs if r.status != "running"), None)


def last_successful(runs: tuple[SyncRun, ...]) -> SyncRun | None:
    """[SYNC-2] Only a succeeded run counts as successful: partial and cancelled never do."""
    return next((r for r in runs if r.status == "succeeded"), None)


#: [SYNC-3] Shopify's status → the finding; 402 = store frozen (unpaid), 423 = store locked.
HTTP_PROBLEMS = {401: "SYNC_UNAUTHORIZED", 403: "SYNC_FORBIDDEN", 402: "SHOP_FROZEN", 423: "SHOP_LOCKED"}
#: [SYNC-6] A failed bulk operation, or a result whose URL expired (7 days) before download.
BULK_PROBLEMS = {"FAILED": "BULK_OPERATION_FAILED", "EXPIRED": "BULK_RESULT_EXPIRED"}
#: The store, not the connection, refuses: reconnecting does not help.
SHOP_UNAVAILABLE = frozenset({"SHOP_FROZEN", "SHOP_LOCKED"})


def server_failure(run: SyncRun) -> bool:
    """[SYNC-5] A run failed on Shopify's side: a 5xx status, or a timeout without one."""
    status = run.error.http_status if run.error else None
    return run.status == "failed" and run.error is not None and (
        (status is not None and status >= 500) or (status is None and "timeout" in run.error.code))


def unavailable_streak(runs: tuple[SyncRun, ...]) -> int:
    """[SYNC-5] How many finished runs in a row, newest first, failed on Shopify's side."""
    streak = 0
    for run in (r for r in runs if r.status != "running"):
        if not server_failure(run):
            break
        streak += 1
    return streak


def sync_problem(run: SyncRun | None) -> str | None:
    """[SYNC-3] What the last finished run says about the connection, by Shopify's answer."""
    if run is None or run.status in ("succeeded", "running"):
        return None
    if run.status == "failed":
        bulk = run.bulk_operation.status if run.bulk_operation else None
        if bulk in BULK_PROBLEMS:
            return BULK_PROBLEMS[bulk]  # [SYNC-6]
        status = run.error.http_status if run.error else None
        return HTTP_PROBLEMS.get(status, "LAST_SYNC_FAILED")
    return "LAST_SYNC_PARTIAL" if run.status == "partial" else "LAST_SYNC_CANCELLED"


def mapping_status(s: Scenario) -> Literal["confirmed", "unconfirmed"]:
    """[SCHEMA-2] A breaking change not yet acknowledged unconfirms the mapping."""
    breaking_open = s.schema_.change == "breaking" and not s.schema_.acknowledged
    return "unconfirmed" if (not s.mapping.confirmed or breaking_open) else "confirmed"


def api_version_change(runs: tuple[SyncRun, ...]) -> tuple[str, str] | None:
    """[SCHEMA-3] Fields appear or vanish only with a version change: the one the history shows."""
    finished = [r for r in runs if r.status != "running"]
    if len(finished) >= 2 and finished[0].api_version != finished[1].api_version:
        return finished[1].api_version, finished[0].api_version
    return None


def incremental_cursor(runs: tuple[SyncRun, ...]) -> datetime | None:
    """[SYNC-7] The cursor of the newest succeeded run: a failed or partial run does not move it."""
    return next((r.cursor for r in runs if r.status == "succeeded" and r.cursor is not None), None)


def history_from(s: Scenario, runs: tuple[SyncRun, ...]) -> datetime | None:
    """[DQ-10] Without read_all_orders, the newest backfill or full resync reaches back 60 days only."""
    if "read_all_orders" in s.scopes.requested:
        return None
    full = next((r for r in runs if r.kind != "incremental"), None)
    return full.started_at - ORDERS_WINDOW if full else None


def technical(s: Scenario, runs: tuple[SyncRun, ...]) -> Technical:
    api = api_version_review(s)
    mapping = mapping_status(s)
    changed = s.schema_.change != "none"
    success = last_successful(runs)
    newest = runs[0] if runs else None
    last = last_finished(runs)
    return Technical(
        enabled=s.source.enabled,
        api=api,
        schema_changed=changed,
        schema_change=s.schema_.change,
        # [SCHEMA-1] An unacknowledged change, or a required API review, needs the changelog read.
        changelog_review_required=(changed and not s.schema_.acknowledged) or api.review == "REQUIRED",
        field_mapping_check_required=mapping == "unconfirmed",
        mapping_status=mapping,
        last_successful_sync=success.finished_at if success else None,
        api_version_change=api_version_change(runs),
        sync_kind=newest.kind if newest else None,
        incremental_cursor=incremental_cursor(runs),
        # [SYNC-4] Throttled is not failed: the run waited for the bucket to refill and went on.
        throttle_restore_rate=newest.throttle.restore_rate if newest and newest.throttle else None,
        # [SYNC-5] "Retrying" only while the last finished run failed.
        next_attempt_at=s.next_attempt_at if last is not None and last.status == "failed" else None,
        bulk_operation=last.bulk_operation if last else None,
        history_from=history_from(s, runs),
    )


# --- findings ----------------------------------------------------------------

EXCHANGE_ERRORS = {
    "shop_not_permitted": "SHOP_NOT_PERMITTED",
    "app_not_installed": "APP_NOT_INSTALLED",
    "invalid_client": "INVALID_CLIENT",
}


def source_health(s: Scenario, runs: tuple[SyncRun, ...], token: TokenCache,
                  tech: Technical) -> tuple[Finding, ...]:
    """[HEALTH-SRC] Connection-level findings, each with its next step (in the catalogue)."""
    found: list[Finding] = []
    code = readiness(s)
    if code != "READY":
        # [HEALTH-SRC-1] Disabled is a decision, not a fault: info.
        found.append(Finding(code, "info" if code == "SOURCE_DISABLED" else "blocking"))
    uninstalled = s.source.enabled and app_uninstalled(s)
    if uninstalled:
        # [HEALTH-SRC-8] The uninstall explains a later app_not_installed refusal: said once.
        found.append(Finding("APP_UNINSTALLED", "blocking"))
    if s.source.enabled and s.flags.real_exchange and s.exchange and s.exchange.outcome != "ok" \
            and not (uninstalled and s.exchange.outcome == "app_not_installed"):
        found.append(Finding(EXCHANGE_ERRORS[s.exchange.outcome], "blocking"))  # [HEALTH-SRC-2]
    if token.state == "expired":
        found.append(Finding("TOKEN_EXPIRED", "warning"))  # [HEALTH-SRC-3]
    newest = runs[0] if runs else None
    if newest is not None and newest.token_renewed_at is not None:
        found.append(Finding("TOKEN_RENEWED_MID_RUN", "info"))  # [TOKEN-3]
    problem = sync_problem(last_finished(runs))
    streak = unavailable_streak(runs)
    if problem == "LAST_SYNC_FAILED" and streak >= UNAVAILABLE_AFTER_RUNS:
        # [SYNC-5] Several runs in a row on 5xx/timeouts: Shopify is down; retries go on by themselves.
        found.append(Finding("SHOPIFY_UNAVAILABLE", "warning", streak))
    elif problem:
        severity: Severity = "warning" if problem in ("LAST_SYNC_PARTIAL", "LAST_SYNC_CANCELLED") else "blocking"
        found.append(Finding(problem, severity))  # [HEALTH-SRC-4]
    if newest is not None and newest.throttle is not None:
        found.append(Finding("SYNC_THROTTLED", "info", newest.throttle.waits))  # [SYNC-4]
    if tech.schema_changed and not s.schema_.acknowledged:
        # [HEALTH-SRC-5] A breaking change pauses syncs until reviewed; a non-breaking one only warns.
        found.append(Finding("SCHEMA_CHANGED_BREAKING" if tech.schema_change == "breaking" else "SCHEMA_CHANGED",
                             "blocking" if tech.schema_change == "breaking" else "warning"))
    if tech.api.review == "REQUIRED":
        found.append(Finding("API_VERSION_UNSUPPORTED" if tech.api.reason == "unsupported"
                             else "API_VERSION_RELEASE_CANDIDATE", "warning"))  # [HEALTH-SRC-6]
    elif tech.api.review == "RECOMMENDED":
        found.append(Finding("API_VERSION_EXPIRING", "info"))
    if tech.field_mapping_check_required:
        found.append(Finding("MAPPING_UNCONFIRMED", "warning"))  # [HEALTH-SRC-7]
    return tuple(found)


def data_quality(s: Scenario, runs: tuple[SyncRun, ...], tech: Technical) -> tuple[Finding, ...]:
    """[DQ] Data-level issues: what the data would lack or get wrong in this state."""
    found: list[Finding] = []
    if not (s.credentials.client_id_ref and s.credentials.client_secret_ref):
        found.append(Finding("credential_missing", "blocking"))  # [DQ-1]
    if not s.secret_manager.configured:
        found.append(Finding("secret_manager_missing", "blocking"))
    if forbidden_requested(s):
        found.append(Finding("forbidden_scope", "blocking"))  # [DQ-2]
    elif not scopes_fit_v1(s):
        found.append(Finding("scope_out_of_v1", "warning"))
    last = last_finished(runs)
    if last is not None and last.status == "failed":
        found.append(Finding("sync_failed", "blocking"))  # [DQ-3]
    elif last is not None and last.status == "partial":
        found.append(Finding("records_failed", "warning", last.failed))  # [DQ-4]
    elif last is not None and last.status == "cancelled":
        found.append(Finding("sync_cancelled", "warning"))
    if tech.schema_changed:
        # [DQ-5] Acknowledged changes stay visible as info until the source is re-checked.
        acknowledged = s.schema_.acknowledged
        breaking = tech.schema_change == "breaking"
        found.append(Finding("schema_changed_breaking" if breaking else "schema_changed",
                             "info" if acknowledged else ("blocking" if breaking else "warning"),
                             len(s.schema_.changes) or None))
    if tech.field_mapping_check_required:
        found.append(Finding("mapping_unconfirmed", "warning"))
    if tech.api.effective != tech.api.target:
        found.append(Finding("api_version_fall_forward", "warning"))  # [DQ-6]
    success = last_successful(runs)
    if not s.source.enabled:
        found.append(Finding("data_frozen", "info"))  # [DQ-7]
    elif success is None:
        found.append(Finding("no_data_yet", "info"))  # [DQ-8]
    elif s.as_of - success.finished_at > STALE_AFTER:
        found.append(Finding("stale_data", "warning"))  # [DQ-9]
    if tech.history_from is not None:
        found.append(Finding("history_limited", "info"))  # [DQ-10] no error, but not the whole history
    if runs and runs[0].status == "running" and runs[0].kind == "full_resync":
        found.append(Finding("full_resync_running", "info"))  # [SYNC-7]
    return tuple(found)


def health(s: Scenario, runs: tuple[SyncRun, ...], findings: tuple[Finding, ...]) -> Health:
    """[HEALTH-1] Disabled, then not connected, then the worst severity of all findings.

    It never reads healthy beside a blocking or warning finding.
    """
    issues = tuple(f for f in findings if f.severity != "info")
    if not s.source.enabled:
        return Health("disabled", issues)
    connected = bool(runs) or (s.exchange is not None and s.exchange.outcome == "ok")
    if not connected:
        return Health("not_connected", issues)
    if any(f.severity == "blocking" for f in issues):
        return Health("failing", issues)
    if issues:
        return Health("warning", issues)
    return Health("healthy", ())


# --- actions -----------------------------------------------------------------

def source_actions(s: Scenario, ready_code: str, runs: tuple[SyncRun, ...],
                   tech: Technical) -> tuple[Action, ...]:
    """[ACT-1…9] Which source actions this state allows, and why (or why not)."""
    enabled = s.source.enabled
    last = last_finished(runs)
    running = any(r.status == "running" for r in runs)
    exchange_error = s.exchange is not None and s.exchange.outcome != "ok" and s.flags.real_exchange
    auth_error = sync_problem(last) == "SYNC_UNAUTHORIZED"
    # [TOKEN-4] Until the app is reinstalled, every exchange is refused: reconnecting cannot help.
    uninstalled = (enabled and app_uninstalled(s), "app_uninstalled")
    # [SYNC-3] A frozen (402) or locked (423) store refuses every call until its owner acts.
    shop_unavailable = (sync_problem(last) in SHOP_UNAVAILABLE, "shop_unavailable")
    # A 403 is not a broken connection: the token works, the merchant must approve the scope,
    # so "reconnect first" would send the operator the wrong way (issue #7).
    approval_missing = (sync_problem(last) == "SYNC_FORBIDDEN", "merchant_approval_missing")
    breaking_open = tech.schema_change == "breaking" and not s.schema_.acknowledged

    def gate(*checks: tuple[bool, str], ok: str) -> tuple[bool, str]:
        for failed, reason in checks:
            if failed:
                return False, reason
        return True, ok

    not_ready = (ready_code != "READY", f"readiness.{ready_code}")
    connection = (exchange_error or auth_error, "connection_error")
    sync_gates = (not_ready, uninstalled, connection, approval_missing, shop_unavailable, (running, "sync_running"),
                  (breaking_open, "breaking_schema_change"))
    table = {
        "reconnect": gate(not_ready, uninstalled, ok="reconnect_new_exchange"),
        "disable_source": gate((not enabled, "already_disabled"), ok="disable_freezes_data"),
        "manual_sync": gate(*sync_gates, ok="sync_preview"),
        "retry_failed_sync": gate(*sync_gates, (last is None or last.status not in ("failed", "partial"),
                                                "no_failed_sync"), ok="retry_last_failed"),
        "refresh_metadata": gate(not_ready, uninstalled, connection, approval_missing, shop_unavailable,
                                 ok="refresh_preview"),
        "field_mapping_check": gate((not enabled, "source_disabled"),
                                    (not tech.field_mapping_check_required, "mapping_confirmed"),
                                    ok="mapping_unconfirmed"),
        "acknowledge_schema_change": gate((not tech.schema_changed, "no_schema_change"),
                                          (s.schema_.acknowledged, "schema_already_acknowledged"),
                                          ok="schema_change_pending"),
        "open_sync_history": gate((not runs, "no_sync_yet"), ok="history_available"),
        "open_data_quality": (True, "always_available"),
    }
    return tuple(Action(code, allowed, reason) for code, (allowed, reason) in table.items())


def credential_actions(s: Scenario, items: tuple[ChecklistItem, ...]) -> tuple[Action, ...]:
    """[CRED-1…5] Write-only credential actions available in this state."""
    enabled = s.source.enabled
    refs = s.credentials.client_id_ref is not None and s.credentials.client_secret_ref is not None
    others_ok = all(i.ok for i in items if i.code != "exchange_flags")
    rows = [
        ("enter_credentials", *((False, "source_disabled") if not enabled else
                                (False, "refs_present") if refs else (True, "creates_references"))),
        ("replace_credentials", *((False, "source_disabled") if not enabled else
                                  (True, "never_read_back") if refs else (False, "refs_missing"))),
        ("verify_configuration", True, "verify_without_exchange"),
        ("enable_exchange_staging", *((False, "source_disabled") if not enabled else
                                      (False, "exchange_already_enabled") if s.flags.real_exchange else
                                      (True, "checklist_complete") if others_ok else
                                      (False, "checklist_incomplete"))),
        ("disable_source", *((True, "logical_revocation") if enabled else (False, "already_disabled"))),
    ]
    return tuple(Action(code, allowed, reason) for code, allowed, reason in rows)


def credentials(s: Scenario, token: TokenCache) -> tuple[Credential, ...]:
    """[CRED-0] Statuses only: a reference is a pointer, a value is never displayed."""
    cid, secret = s.credentials.client_id_ref, s.credentials.client_secret_ref
    return (
        Credential("client_id", "configured" if cid else "not_configured", cid),
        Credential("client_secret", "configured" if secret else "not_configured", secret),
        Credential("access_token", f"token_{token.state}"),
    )


class _Parts:
    """The core's rule units for one scenario, each computed once (see recording.part).

    Each property is named after the `Derived` field it fills; a part reading another
    goes through the property, so when recording, its facts flow to the reader.
    """

    def __init__(self, s: Scenario, rec: Recorder | None = None) -> None:
        self.s, self._rec = s, rec
        self._memo: dict[str, Any] = {}
        self._frames: dict[str, Frame] = {}

    @part("SYNC-1")
    def sync_runs(self):
        return ordered_runs(self.s)

    @part("TOKEN-1", "TOKEN-2", "TOKEN-3", "TOKEN-4", "SYNC-3")
    def token(self):
        return token_cache(self.s)

    @part("API-1", "API-2", "API-3", "SCHEMA-1", "SCHEMA-2", "SCHEMA-3", "SYNC-2", "SYNC-4", "SYNC-5",
          "SYNC-6", "SYNC-7", "DQ-10")
    def technical(self):
        return technical(self.s, self.sync_runs)

    @part("CHECK-1…6", "SCOPE-3", "SCOPE-4")
    def checklist(self):
        return checklist(self.s)

    @part("READY-1", "SCOPE-3", "SCOPE-4")
    def readiness(self):
        return readiness(self.s)

    @part("READY-1")
    def ready(self):
        return self.readiness == "READY"

    @part()
    def exchange_enabled(self):
        return self.s.flags.real_exchange

    @part()
    def persistence_enabled(self):
        return self.s.flags.persistence

    @part("SCOPE-1", "SCOPE-2")
    def scope_policy(self):
        return scope_policy(self.s)

    @part("HEALTH-SRC-1", "HEALTH-SRC-2", "HEALTH-SRC-3", "HEALTH-SRC-4", "HEALTH-SRC-5", "HEALTH-SRC-6",
          "HEALTH-SRC-7", "HEALTH-SRC-8")
    def source_health(self):
        return source_health(self.s, self.sync_runs, self.token, self.technical)

    @part("DQ-1", "DQ-2", "DQ-3…4", "DQ-5", "DQ-6", "DQ-7…9", "DQ-10")
    def data_quality(self):
        return data_quality(self.s, self.sync_runs, self.technical)

    @part("HEALTH-1")
    def health(self):
        return health(self.s, self.sync_runs, self.source_health + self.data_quality)

    @part("ACT-1…9")
    def actions(self):
        return source_actions(self.s, self.readiness, self.sync_runs, self.technical)

    @part("CRED-1…5")
    def credential_actions(self):
        return credential_actions(self.s, self.checklist)

    @part("CRED-0")
    def credentials(self):
        return credentials(self.s, self.token)

    @part("SYNC-1")
    def last_finished_sync(self):
        return last_finished(self.sync_runs)

    @part("SYNC-1")
    def running_sync(self):
        return next((r for r in self.sync_runs if r.status == "running"), None)

    @part("ACCT-1")
    def external_accounts(self):
        # [ACCT-1] Accounts outside the authorised profile never leave the core.
        return tuple(a for a in self.s.external_accounts if a.in_profile)


_FIELDS = tuple(f.name for f in fields(Derived))
#: Every rule id a part carries, as docs/derivation.md writes it (tests/test_docs.py checks both agree).
RULE_IDS = frozenset(rule for name in _FIELDS for rule in getattr(_Parts, name).fget.rule_ids)


def derive_parts(s: Scenario, rec: Recorder | None = None) -> tuple[Derived, dict[str, Frame]]:
    """Derive `s`; with a recorder, also what each part (one per Derived field) read."""
    parts = _Parts(s, rec)
    return Derived(**{name: getattr(parts, name) for name in _FIELDS}), parts._frames


def derive(s: Scenario) -> Derived:
    """Compute the whole decided state of one scenario."""
    return derive_parts(s)[0]
