"""The derived state of one scenario as flat rows: (section, field) → value.

One table shared by everything that compares states: the compare view, the
manifest, and `diff` between two builds. Values are plain strings (codes, not
labels), so they compare exactly and read the same in every language.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .derive import Derived
from ..model.scenario import Scenario


@dataclass(frozen=True)
class Row:
    section: str
    field: str
    value: str


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _when(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else "none"


def rows(s: Scenario, d: Derived, on_row: Callable[[str, str], None] | None = None) -> list[Row]:
    """Every value the page shows for a scenario, section by section, in page order.

    `on_row(section, field)` is called after each row: provenance.record() uses it to cut
    what was read so far into that row's provenance."""
    out: list[Row] = []

    def add(section: str, field: str, value: str | bool | int | None) -> None:
        if isinstance(value, bool):
            value = _flag(value)
        out.append(Row(section, field, "none" if value is None else str(value)))
        if on_row is not None:
            on_row(section, field)

    for c in d.credentials:
        add("credentials", c.code, c.status)
        if c.code != "access_token":
            add("credentials", f"{c.code}.reference", c.reference)
    add("credentials", "persistenceEnabled", d.persistence_enabled)

    add("readiness", "code", d.readiness)
    add("readiness", "exchange_enabled", d.exchange_enabled)
    add("readiness", "token_cache", d.token.state)
    add("readiness", "token_expires_at", _when(d.token.expires_at))
    for rule in d.scope_policy:
        add("readiness", f"scope.{rule.scope}", f"{rule.policy}{' (requested)' if rule.requested else ''}")
    add("readiness", "protected_customer_data_level", s.scopes.protected_customer_data_level)

    for item in d.checklist:
        add("checklist", item.code, "ok" if item.ok else "todo")

    add("source-health", "findings", ", ".join(f.code for f in d.source_health) or "none")
    for f in d.source_health:
        add("source-health", f.code, f.severity)

    add("data-quality-preview", "issues", ", ".join(f.code for f in d.data_quality) or "none")
    for f in d.data_quality:
        add("data-quality-preview", f.code, f.severity + (f" ({f.count})" if f.count else ""))

    add("health", "status", d.health.status)
    add("health", "issues", ", ".join(f.code for f in d.health.issues) or "none")

    t = d.technical
    add("technical-status", "enabled", t.enabled)
    add("technical-status", "api_version_target", t.api.target)
    add("technical-status", "api_version_review", t.api.review)
    add("technical-status", "api_version_effective", t.api.effective)
    add("technical-status", "schema_changed", t.schema_changed)
    add("technical-status", "schema_change", t.schema_change)
    add("technical-status", "changelog_review_required", t.changelog_review_required)
    add("technical-status", "field_mapping_check_required", t.field_mapping_check_required)
    add("technical-status", "mapping_status", t.mapping_status)
    add("technical-status", "last_successful_sync", _when(t.last_successful_sync))
    add("technical-status", "api_version_change", " → ".join(t.api_version_change or ()) or None)
    add("technical-status", "sync_kind", t.sync_kind)
    add("technical-status", "incremental_cursor", _when(t.incremental_cursor))
    add("technical-status", "throttle_restore_rate", t.throttle_restore_rate)
    add("technical-status", "next_attempt_at", _when(t.next_attempt_at))
    bulk = t.bulk_operation
    add("technical-status", "bulk_operation", f"{bulk.status}{f' ({bulk.error_code})' if bulk.error_code else ''}"
        if bulk else None)
    add("technical-status", "history_from", _when(t.history_from))

    for a in d.actions:
        add("actions", a.code, f"{'allowed' if a.allowed else 'not allowed'}: {a.reason}")
    for a in d.credential_actions:
        add("credential-actions", a.code, f"{'available' if a.allowed else 'unavailable'}: {a.reason}")

    alerts = [f for f in d.data_quality if f.severity != "info"]
    add("data-quality", "alerts", ", ".join(f.code for f in alerts) or "none")

    add("sync-history", "runs", len(d.sync_runs))
    # Read in the row itself, not kept in a local: provenance cuts reads at each row.
    add("sync-history", "last_finished", d.last_finished_sync.status if d.last_finished_sync else "none")
    add("sync-history", "last_finished_error", d.last_finished_sync.error.code
        if d.last_finished_sync and d.last_finished_sync.error else "none")
    add("sync-history", "running", d.running_sync is not None)

    add("external-accounts", "shown", ", ".join(a.store for a in d.external_accounts) or "none")
    add("external-accounts", "selected", ", ".join(a.store for a in d.external_accounts if a.selected) or "none")
    return out
