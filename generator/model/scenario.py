"""The scenario schema: the raw facts of one state of the connector page.

A scenario says what *is* (references present, flags, sync runs, …); it never
says what the page should conclude. Conclusions are made in `derive.py`.
The format is documented field by field in docs/scenarios.md.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

DOCS = "docs/scenarios.md"

LOCALES = ("en", "fr")

#: What a value matching each pattern looks like, for validation errors (a pattern is no help).
PATTERN_HINTS: dict[str, str] = {}


def _pattern(regex: str, hint: str) -> str:
    PATTERN_HINTS[regex] = hint
    return regex


#: Dates a scenario may name (timestamps, API versions): any other year is a typo, and the
#: date arithmetic of the core (support windows, token expiry) stays within Python's dates.
YEARS = (1970, 2999)


def _in_years(year: int) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise ValueError(f"the year must be between {YEARS[0]} and {YEARS[1]}")


def _version_year(value: str) -> str:
    _in_years(int(value[:4]))
    return value


#: An API version as Shopify names them: quarterly, YYYY-01/04/07/10.
ApiVersion = Annotated[str, Field(pattern=_pattern(
    r"^\d{4}-(01|04|07|10)$", "must be a quarterly API version such as 2026-04 (YYYY-01, -04, -07 or -10)")),
    AfterValidator(_version_year)]

#: A pointer to a secret in the secret manager (project/env/path/KEY), never the value.
SecretRef = Annotated[
    str,
    Field(pattern=_pattern(r"^[a-z0-9][a-z0-9-]*/(dev|staging|prod)(/[A-Za-z0-9_.-]+)*/[A-Z][A-Z0-9_]*$",
                           "must be a secret reference project/environment/path/KEY, "
                           "e.g. data-platform/staging/shopify/CLIENT_ID (never the secret itself)")),
]

ShopDomain = Annotated[str, Field(pattern=_pattern(
    r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$", "must be a store domain such as cyspera-ch.myshopify.com"))]

Scope = Annotated[str, Field(pattern=_pattern(
    r"^(read|write|unauthenticated_read|unauthenticated_write)_[a-z_]+$",
    "must be a Shopify access scope such as read_orders"))]


def _field_error(model: str, loc: tuple[str | int, ...], value: object, message: str) -> ValidationError:
    """A validation error located on one field, so the loader names its line (a model check has none)."""
    return ValidationError.from_exception_data(model, [InitErrorDetails(
        type=PydanticCustomError("value_error", message), loc=loc, input=value)])


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp needs a time zone, e.g. 2026-05-03T06:05:00Z")
    _in_years(value.year)
    return value


Timestamp = Annotated[datetime, AfterValidator(_utc)]

#: Text shown to people: one string, or one per locale ({en: …, fr: …}), none of them empty
#: (an empty translation would hide the text instead of falling back visibly).
LocalText = Union[str, Annotated[dict[Literal["en", "fr"], Annotated[str, Field(min_length=1)]],
                                 Field(min_length=1)]]

#: Bounds on Markdown text (docs/scenarios.md): Python-Markdown's cost grows faster than the
#: text with some constructs (`[` opens a link search to the end of the text; list markers on
#: one line nest recursively), so size, `[` and nesting are limited.
MARKDOWN_MAX_CHARS = 4000
MARKDOWN_MAX_BRACKETS = 40
MARKDOWN_MAX_NESTING = 8
_CONTAINER = re.compile(r"[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t])")


def _bounded_markdown(text: str) -> str:
    if len(text) > MARKDOWN_MAX_CHARS:
        raise ValueError(f"is {len(text)} characters; Markdown text may have at most {MARKDOWN_MAX_CHARS}")
    if text.count("[") > MARKDOWN_MAX_BRACKETS:
        raise ValueError(f"has over {MARKDOWN_MAX_BRACKETS} '[' (links); write fewer links")
    for line in text.splitlines():
        depth, at = (len(line) - len(line.lstrip(" "))) // 4, 0
        while (m := _CONTAINER.match(line, at)) and depth <= MARKDOWN_MAX_NESTING:
            depth, at = depth + 1, m.end()
        if depth > MARKDOWN_MAX_NESTING:
            raise ValueError(f"nests lists or quotes over {MARKDOWN_MAX_NESTING} levels deep")
    return text


Markdown = Annotated[str, AfterValidator(_bounded_markdown)]
#: LocalText whose every language is Markdown.
LocalMarkdown = Union[Markdown, Annotated[dict[Literal["en", "fr"], Annotated[Markdown, Field(min_length=1)]],
                                          Field(min_length=1)]]


class Facts(BaseModel):
    """Base of every block: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Source(Facts):
    name: str = Field(min_length=1, max_length=80)
    store: ShopDomain
    enabled: bool = True
    plan: Literal["starter", "growth", "pro", "enterprise"]


class Credentials(Facts):
    client_id_ref: SecretRef | None = None
    client_secret_ref: SecretRef | None = None


class SecretManager(Facts):
    provider: Literal["infisical"] = "infisical"
    configured: bool = False
    project: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]*$")
    environment: Literal["dev", "staging", "prod"] | None = None


class Flags(Facts):
    real_exchange: bool = False
    persistence: bool = False


class Exchange(Facts):
    """The last client-credentials exchange the platform attempted."""

    at: Timestamp
    outcome: Literal["ok", "shop_not_permitted", "app_not_installed", "invalid_client"]
    #: Seconds the token lives; Shopify answers 86399 (24 h) and no refresh token.
    expires_in: int = Field(default=86399, ge=1, le=10 * 365 * 86400)


class Scopes(Facts):
    requested: list[Scope] = Field(default_factory=lambda: ["read_orders"])
    #: An orders connector reads the customer attached to each order: level 1 (customer data
    #: without name, address, phone, email) is the honest default (shopify.dev protected customer data).
    protected_customer_data_level: Literal[0, 1, 2] = 1


class Api(Facts):
    target_version: ApiVersion


class SchemaChangeItem(Facts):
    field: str = Field(min_length=1, max_length=120)
    change: Literal["added", "removed", "type_changed", "renamed", "deprecated"]
    detail: str | None = Field(default=None, max_length=200)


class SchemaFacts(Facts):
    change: Literal["none", "non_breaking", "breaking"] = "none"
    changes: list[SchemaChangeItem] = Field(default_factory=list)
    acknowledged: bool = False

    @model_validator(mode="after")
    def _changes_match_kind(self) -> SchemaFacts:
        if self.change == "none" and (self.changes or self.acknowledged):
            raise ValueError("change is 'none' but changes or acknowledged are given")
        return self


class Mapping(Facts):
    confirmed: bool = True


class SyncError(Facts):
    code: str = Field(pattern=_pattern(r"^[a-z0-9_]+$", "must be a lower-case code such as invalid_token"))
    http_status: int | None = Field(default=None, ge=100, le=599)
    message: str = Field(min_length=1, max_length=300)


#: GraphQL Admin API `BulkOperationErrorCode` values.
BulkErrorCode = Literal["ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "TIMEOUT"]
#: A bulk operation's result URL expires seven days after the operation completes.
BULK_URL_LIFETIME = timedelta(days=7)


class Throttle(Facts):
    """The run met the GraphQL cost limit (`THROTTLED`), waited for the bucket to refill, went on."""

    waits: int = Field(ge=1)
    #: Points per second the bucket refills (`throttleStatus.restoreRate`): 100 on standard plans.
    restore_rate: int = Field(ge=1, le=10000)


class BulkOperation(Facts):
    """The bulk query the run relied on, as Shopify reported it."""

    status: Literal["COMPLETED", "FAILED", "EXPIRED"]
    error_code: BulkErrorCode | None = None
    completed_at: Timestamp | None = None

    @model_validator(mode="after")
    def _consistent(self) -> BulkOperation:
        if (self.status == "FAILED") != (self.error_code is not None):
            raise ValueError("error_code is given exactly when status is FAILED")
        if self.status == "EXPIRED" and self.completed_at is None:
            raise ValueError("an EXPIRED result says when the operation completed (completed_at)")
        return self


class SyncRun(Facts):
    started_at: Timestamp
    finished_at: Timestamp | None = None
    status: Literal["succeeded", "partial", "failed", "cancelled", "running"]
    fetched: int = Field(ge=0)
    processed: int = Field(ge=0)
    failed: int = Field(ge=0)
    api_version: ApiVersion
    error: SyncError | None = None
    #: incremental reads orders updated since the cursor; backfill is the first full read;
    #: full_resync reads everything again and resets the cursor.
    kind: Literal["incremental", "backfill", "full_resync"] = "incremental"
    #: The last `updated_at` the run read: where the next incremental run starts.
    cursor: Timestamp | None = None
    throttle: Throttle | None = None
    #: A 401 mid-run answered by a new exchange at this moment, after which the run resumed.
    token_renewed_at: Timestamp | None = None
    bulk_operation: BulkOperation | None = None

    @model_validator(mode="after")
    def _consistent(self) -> SyncRun:
        if (self.status == "running") != (self.finished_at is None):
            raise ValueError("finished_at is required unless status is 'running' (and only then absent)")
        if self.finished_at is not None and self.finished_at < self.started_at:
            raise ValueError("finished_at is before started_at")
        if self.processed + self.failed > self.fetched:
            raise ValueError("processed + failed exceeds fetched")
        if self.status == "succeeded" and (self.failed or self.error):
            raise ValueError("a succeeded run has no failed records and no error")
        if self.status == "partial" and not self.failed:
            raise ValueError("a partial run has failed records")
        if self.status == "failed" and self.error is None:
            raise ValueError("a failed run says its error")
        end = self.finished_at
        if self.cursor is not None and end is not None and self.cursor > end:
            raise _field_error("SyncRun", ("cursor",), str(self.cursor),
                               "is after finished_at: a run cannot read an update made after it ended")
        if self.token_renewed_at is not None and not (
                self.started_at <= self.token_renewed_at <= (end or self.token_renewed_at)):
            raise _field_error("SyncRun", ("token_renewed_at",), str(self.token_renewed_at),
                               "is outside the run (between started_at and finished_at)")
        done = self.bulk_operation.completed_at if self.bulk_operation else None
        if done is not None and end is not None and done > end:
            raise _field_error("SyncRun", ("bulk_operation", "completed_at"), str(done), "is after the run ended")
        if done is not None and end is not None and self.bulk_operation.status == "EXPIRED" \
                and end - done < BULK_URL_LIFETIME:
            raise _field_error("SyncRun", ("bulk_operation", "completed_at"), str(done),
                               "is less than 7 days before the run: a result URL lives 7 days, it cannot be EXPIRED")
        return self


class Webhooks(Facts):
    """Webhooks Shopify delivered to the app."""

    #: When `app/uninstalled` arrived: Shopify revokes the app's tokens on uninstall.
    app_uninstalled_at: Timestamp | None = None


class ExternalAccount(Facts):
    store: ShopDomain
    #: A masked reference such as shop_ch_•••1: never a full identifier.
    masked_ref: str = Field(pattern=_pattern(r"^[a-z0-9_]+•••[A-Za-z0-9]{1,4}$",
                                             "must be a masked reference such as shop_ch_•••1"))
    selected: bool = False
    #: Accounts outside the authorised profile exist in the facts but are never shown.
    in_profile: bool = True


class Scenario(Facts):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)
    title: LocalText
    description: LocalMarkdown = ""
    #: Place in the lifecycle order (switcher, compare, prev/next); ties sort by id.
    lifecycle: int = Field(default=1000, ge=0)
    #: The moment the mock depicts: token ages and support windows are measured from it.
    as_of: Timestamp
    source: Source
    credentials: Credentials = Credentials()
    secret_manager: SecretManager = SecretManager()
    flags: Flags = Flags()
    exchange: Exchange | None = None
    scopes: Scopes = Scopes()
    api: Api
    schema_: SchemaFacts = Field(default=SchemaFacts(), alias="schema")
    mapping: Mapping = Mapping()
    #: Newest first, as the history shows them.
    sync_runs: list[SyncRun] = Field(default_factory=list, max_length=200)
    external_accounts: list[ExternalAccount] = Field(default_factory=list, max_length=200)
    webhooks: Webhooks = Webhooks()
    #: When the scheduler will try again after a failed run ("retrying"); always after as_of.
    next_attempt_at: Timestamp | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _not_after_as_of(self) -> Scenario:
        uninstalled = self.webhooks.app_uninstalled_at
        if uninstalled is not None and uninstalled > self.as_of:
            raise _field_error("Scenario", ("webhooks", "app_uninstalled_at"), str(uninstalled),
                               "is after as_of: the page cannot know of a webhook not yet received")
        if self.next_attempt_at is not None and self.next_attempt_at <= self.as_of:
            raise _field_error("Scenario", ("next_attempt_at",), str(self.next_attempt_at),
                               "is not after as_of: a planned attempt lies in the future")
        return self

    def text(self, field: str, locale: str) -> tuple[str, str]:
        """A localised text and the locale it is really in (fallback is visible)."""
        value = getattr(self, field)
        if isinstance(value, str):
            return value, "en"  # a plain string is English
        if locale in value:
            return value[locale], locale
        for other in LOCALES:
            if other in value:
                return value[other], other
        return "", locale
