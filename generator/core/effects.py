"""What each action would do to a scenario's facts, written once, as data.

`EFFECTS` maps every source action and credential action (the codes `derive.py`
decides on) to its possible outcomes. Each outcome is named and is a pure
function of the facts: where the result depends on Shopify (an exchange can be
refused, a sync can fail), the action lists every outcome instead of picking one.
An action that only opens or checks something leaves the facts as they are.
Everything here happens at the scenario's `as_of`: the mock depicts one moment,
and an action taken "now" is taken then.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..model.scenario import Credentials, Exchange, Scenario, SecretManager, SyncError, SyncRun
from .derive import last_finished, ordered_runs

Effect = Callable[[Scenario], Scenario]

#: Where new references go when the secret manager names no project or environment yet.
DEFAULT_PROJECT = "data-platform"
DEFAULT_ENVIRONMENT = "staging"
#: Shopify's answer to a client-credentials exchange: a token for 24 h minus a second.
TOKEN_SECONDS = 86399


@dataclass(frozen=True)
class Outcome:
    """One named way an action can turn out: `name` is a message key under `outcome.`."""

    name: str
    apply: Effect


def _update(s: Scenario, **changes: object) -> Scenario:
    return s.model_copy(update=changes)


def unchanged(s: Scenario) -> Scenario:
    return s


def create_references(s: Scenario) -> Scenario:
    """Write-only entry: the values go to the secret manager, the page keeps two references."""
    manager = s.secret_manager
    project = manager.project or DEFAULT_PROJECT
    environment = manager.environment or DEFAULT_ENVIRONMENT
    base = f"{project}/{environment}/shopify/{s.source.store.split('.')[0]}"
    return _update(s, credentials=Credentials(client_id_ref=f"{base}/CLIENT_ID",
                                              client_secret_ref=f"{base}/CLIENT_SECRET"),
                   secret_manager=SecretManager(provider=manager.provider, configured=True,
                                                project=project, environment=environment))


def exchange(outcome: str) -> Effect:
    """A new client-credentials exchange at `as_of`, answered `outcome` by Shopify."""
    def apply(s: Scenario) -> Scenario:
        return _update(s, exchange=Exchange(at=s.as_of, outcome=outcome, expires_in=TOKEN_SECONDS))
    return apply


def enable_exchange(outcome: str) -> Effect:
    """Switch the real-exchange flags on; the first exchange follows at once."""
    then = exchange(outcome)

    def apply(s: Scenario) -> Scenario:
        return then(_update(s, flags=s.flags.model_copy(update={"real_exchange": True, "persistence": True})))
    return apply


def disable(s: Scenario) -> Scenario:
    return _update(s, source=s.source.model_copy(update={"enabled": False}))


def run(status: str) -> Effect:
    """A sync run started and finished at `as_of`; a failure repeats the last error (or a 500)."""
    def apply(s: Scenario) -> Scenario:
        runs = ordered_runs(s)
        last = last_finished(runs)
        fetched = last.fetched if last else 0
        version = s.api.target_version
        if status == "succeeded":
            new = SyncRun(started_at=s.as_of, finished_at=s.as_of, status="succeeded", fetched=fetched,
                          processed=fetched, failed=0, api_version=version)
        else:
            error = (last.error if last and last.error else
                     SyncError(code="server_error", http_status=500, message="Shopify answered 500."))
            new = SyncRun(started_at=s.as_of, finished_at=s.as_of, status="failed", fetched=0, processed=0,
                          failed=0, api_version=version, error=error)
        return _update(s, sync_runs=[new, *runs])
    return apply


def acknowledge(s: Scenario) -> Scenario:
    return _update(s, schema_=s.schema_.model_copy(update={"acknowledged": True}))


def confirm_mapping(s: Scenario) -> Scenario:
    return _update(s, mapping=s.mapping.model_copy(update={"confirmed": True}))


NOTHING_CHANGES = (Outcome("nothing_changes", unchanged),)

#: action code → its outcomes, in the order the preview lists them.
EFFECTS: dict[str, tuple[Outcome, ...]] = {
    # source actions
    "reconnect": (Outcome("exchange_accepted", exchange("ok")),
                  Outcome("exchange_refused", exchange("invalid_client"))),
    "disable_source": (Outcome("source_disabled", disable),),
    "manual_sync": (Outcome("sync_succeeded", run("succeeded")), Outcome("sync_failed", run("failed"))),
    "retry_failed_sync": (Outcome("sync_succeeded", run("succeeded")), Outcome("sync_failed_again", run("failed"))),
    "refresh_metadata": NOTHING_CHANGES,
    "field_mapping_check": (Outcome("mapping_confirmed", confirm_mapping),),
    "acknowledge_schema_change": (Outcome("schema_acknowledged", acknowledge),),
    "open_sync_history": NOTHING_CHANGES,
    "open_data_quality": NOTHING_CHANGES,
    # credential actions
    "enter_credentials": (Outcome("references_created", create_references),),
    "replace_credentials": NOTHING_CHANGES,  # same references, new values behind them: nothing shows
    "verify_configuration": NOTHING_CHANGES,
    "enable_exchange_staging": (Outcome("exchange_accepted", enable_exchange("ok")),
                                Outcome("exchange_refused", enable_exchange("invalid_client"))),
}


def outcomes(action: str) -> tuple[Outcome, ...]:
    """The outcomes of one action; an action without an effect is a programming error."""
    return EFFECTS[action]


def outcome(action: str, name: str) -> Outcome:
    for found in EFFECTS[action]:
        if found.name == name:
            return found
    raise KeyError(f"action {action} has no outcome {name}")
