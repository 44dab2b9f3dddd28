"""Which scenario facts drive each derived row: the core's dependency table, kept as data.

Compare uses it to say *why* two states differ: a changed row is caused by those of
its drivers whose facts differ between the two scenarios. Keys are (section, field)
patterns (fnmatch, first match wins); drivers are fact paths as in
`compare.facts()` (`schema.change`, `sync_runs`, …), a path covering everything under
it. Rule ids refer to docs/derivation.md. tests/test_compare.py perturbs every fact
and fails if a row changes without the perturbed fact among its drivers.
"""
from __future__ import annotations

from fnmatch import fnmatchcase
from functools import lru_cache

REFS = ("credentials.client_id_ref", "credentials.client_secret_ref")
SCOPES = ("scopes.requested", "scopes.protected_customer_data_level")
#: [READY-1] every condition the readiness code checks, in its order.
READINESS = ("source.enabled", *REFS, "secret_manager.configured", *SCOPES, "source.plan", "flags.real_exchange")
#: [TOKEN-1] the in-memory token lives from an exchange for expires_in, measured at as_of;
#: [TOKEN-2] a 401 on a later sync run marks it rejected.
TOKEN = ("flags.real_exchange", "source.enabled", "exchange", "as_of", "sync_runs", "webhooks")
#: [API-1…3] the support window is measured at as_of.
API = ("api.target_version", "as_of")
SCHEMA = ("schema.change", "schema.acknowledged")
#: [SCHEMA-2] an unacknowledged breaking change unconfirms the mapping.
MAPPING = ("mapping.confirmed", *SCHEMA)
RUNS = ("sync_runs",)
#: [HEALTH-SRC-2] a refused exchange counts only with the flag on and the source enabled.
EXCHANGE = ("exchange", "flags.real_exchange", "source.enabled", "webhooks")
#: [DQ-1…9] everything a data-quality finding reads.
DATA_QUALITY = (*READINESS, *RUNS, *SCHEMA, *MAPPING, *API)  # DQ-10 reads scopes.requested (in READINESS)
#: [HEALTH-SRC-1…7] everything a source-health finding reads.
SOURCE_HEALTH = (*READINESS, *EXCHANGE, *TOKEN, *RUNS, *SCHEMA, *API, *MAPPING)
#: [HEALTH-1] the worst of all findings, after disabled and not connected.
HEALTH = (*SOURCE_HEALTH, *DATA_QUALITY)
#: [ACT-3…4] sync actions: READY, no connection error, no running sync, no open breaking change.
SYNC_ACTIONS = (*READINESS, *EXCHANGE, *RUNS, *SCHEMA)

DRIVERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # [CRED-0]
    ("credentials/client_id*", ("credentials.client_id_ref",)),
    ("credentials/client_secret*", ("credentials.client_secret_ref",)),
    ("credentials/access_token", TOKEN),
    ("credentials/persistenceEnabled", ("flags.persistence",)),
    ("readiness/code", READINESS),
    ("readiness/exchange_enabled", ("flags.real_exchange",)),
    ("readiness/token_*", TOKEN),
    ("readiness/scope.*", ("scopes.requested",)),  # [SCOPE-1…2]
    ("readiness/protected_customer_data_level", ("scopes.protected_customer_data_level",)),
    # [CHECK-1…6]
    ("checklist/client_id_ref", ("credentials.client_id_ref",)),
    ("checklist/client_secret_ref", ("credentials.client_secret_ref",)),
    ("checklist/secret_manager", ("secret_manager.configured",)),
    ("checklist/scopes_v1", SCOPES),
    ("checklist/exchange_flags", ("flags.real_exchange",)),
    ("checklist/plan_pro", ("source.plan",)),
    # [HEALTH-SRC-2…7] by finding code; any other code is a readiness code [HEALTH-SRC-1].
    ("source-health/findings", SOURCE_HEALTH),
    ("source-health/SHOP_NOT_PERMITTED", EXCHANGE),
    ("source-health/APP_NOT_INSTALLED", EXCHANGE),
    ("source-health/INVALID_CLIENT", EXCHANGE),
    ("source-health/TOKEN_EXPIRED", TOKEN),
    ("source-health/TOKEN_RENEWED_MID_RUN", RUNS),  # [TOKEN-3]
    ("source-health/APP_UNINSTALLED", EXCHANGE),  # [HEALTH-SRC-8]
    ("source-health/SHOP_*", RUNS),
    ("source-health/BULK_*", RUNS),  # [SYNC-6]
    ("source-health/SHOPIFY_UNAVAILABLE", RUNS),  # [SYNC-5]
    ("source-health/SYNC_*", RUNS),
    ("source-health/LAST_SYNC_*", RUNS),
    ("source-health/SCHEMA_CHANGED*", SCHEMA),
    ("source-health/API_VERSION_*", API),
    ("source-health/MAPPING_UNCONFIRMED", MAPPING),
    ("source-health/*", READINESS),
    # [DQ-1…9] by issue code.
    ("data-quality-preview/issues", DATA_QUALITY),
    ("data-quality-preview/credential_missing", REFS),
    ("data-quality-preview/secret_manager_missing", ("secret_manager.configured",)),
    ("data-quality-preview/*scope*", SCOPES),
    ("data-quality-preview/sync_*", RUNS),
    ("data-quality-preview/records_failed", RUNS),
    ("data-quality-preview/schema_changed*", (*SCHEMA, "schema.changes")),  # with the count of changes
    ("data-quality-preview/mapping_unconfirmed", MAPPING),
    ("data-quality-preview/api_version_fall_forward", API),
    ("data-quality-preview/data_frozen", ("source.enabled",)),
    ("data-quality-preview/no_data_yet", ("source.enabled", *RUNS)),
    ("data-quality-preview/stale_data", ("source.enabled", *RUNS, "as_of")),
    ("data-quality-preview/history_limited", ("scopes.requested", *RUNS)),  # [DQ-10]
    ("data-quality-preview/full_resync_running", RUNS),  # [SYNC-7]
    ("health/*", HEALTH),
    # [SCHEMA-1…2], [SYNC-2]
    ("technical-status/enabled", ("source.enabled",)),
    ("technical-status/api_version_*", API),
    ("technical-status/schema_change*", ("schema.change",)),
    ("technical-status/changelog_review_required", (*SCHEMA, *API)),
    ("technical-status/field_mapping_check_required", MAPPING),
    ("technical-status/mapping_status", MAPPING),
    ("technical-status/last_successful_sync", RUNS),
    ("technical-status/api_version_change", RUNS),  # [SCHEMA-3]
    ("technical-status/sync_kind", RUNS),
    ("technical-status/incremental_cursor", RUNS),
    ("technical-status/throttle_restore_rate", RUNS),
    ("technical-status/next_attempt_at", (*RUNS, "next_attempt_at")),
    ("technical-status/bulk_operation", RUNS),
    ("technical-status/history_from", ("scopes.requested", *RUNS)),
    # [ACT-1…9]
    ("actions/reconnect", (*READINESS, *EXCHANGE)),
    ("actions/disable_source", ("source.enabled",)),
    ("actions/manual_sync", SYNC_ACTIONS),
    ("actions/retry_failed_sync", SYNC_ACTIONS),
    ("actions/refresh_metadata", (*READINESS, *EXCHANGE, *RUNS)),
    ("actions/field_mapping_check", ("source.enabled", *MAPPING)),
    ("actions/acknowledge_schema_change", SCHEMA),
    ("actions/open_sync_history", RUNS),
    ("actions/open_data_quality", ()),
    # [CRED-1…5]
    ("credential-actions/enter_credentials", ("source.enabled", *REFS)),
    ("credential-actions/replace_credentials", ("source.enabled", *REFS)),
    ("credential-actions/verify_configuration", ()),
    ("credential-actions/enable_exchange_staging", READINESS),
    ("credential-actions/disable_source", ("source.enabled",)),
    ("data-quality/alerts", DATA_QUALITY),
    ("sync-history/*", RUNS),
    ("external-accounts/*", ("external_accounts",)),  # [ACCT-1]
)


@lru_cache(maxsize=4096)
def drivers(section: str, field: str) -> tuple[str, ...]:
    """The fact paths that decide the row (section, field); () when the table does not know it."""
    key = f"{section}/{field}"
    for pattern, facts in DRIVERS:
        if fnmatchcase(key, pattern):
            return tuple(dict.fromkeys(facts))  # de-duplicated, order kept
    return ()


def covers(driver: str, fact: str) -> bool:
    """A driver path covers itself and every fact beneath it (`sync_runs` covers `sync_runs[0].status`)."""
    return fact == driver or fact.startswith((driver + ".", driver + "["))
