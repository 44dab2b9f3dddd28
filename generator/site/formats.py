"""Numbers, dates and punctuation by locale, as Jinja filters.

The conventions are data in each catalogue (`format:` in templates/messages/<locale>.yml),
so adding a locale adds no code. Why no Babel: the pages need thousands separators,
one date-time pattern, a year-month and the colon; a 30 MB locale database would
be the only heavy dependency of the build for five lines of formatting.

The machine-readable form stays ISO 8601 (`timestamp`, in <time datetime>): only the
visible text follows the locale.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context


def format_number(value: int | float, group: str, decimal: str, digits: int = 0) -> str:
    """1234567.5 → "1,234,567" (en) or "1 234 567" (fr-CH, narrow no-break space)."""
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", group)


def format_datetime(value: datetime, pattern: str) -> str:
    """A moment in UTC, by the locale's strftime pattern (numeric fields only: no locale names)."""
    return value.astimezone(timezone.utc).strftime(pattern)


def format_month(value: str, pattern: str) -> str:
    """A year-month such as "2027-04" (the end of an API version's support) by the locale's pattern."""
    year, month = (int(part) for part in value.split("-"))
    return datetime(year, month, 1).strftime(pattern)


def locale_number(t: Any, value: int | float, digits: int = 0) -> str:
    """`value` as the locale of the catalogue `t` writes numbers (its `format.group` and `format.decimal`)."""
    return format_number(value, t("format.group"), t("format.decimal"), digits)


def _catalogue(ctx: Context) -> Any:
    return ctx["t"]


@pass_context
def number_filter(ctx: Context, value: int | float, digits: int = 0) -> str:
    return locale_number(_catalogue(ctx), value, digits)


@pass_context
def datetime_filter(ctx: Context, value: datetime | None) -> str:
    return "" if value is None else format_datetime(value, _catalogue(ctx)("format.datetime"))


@pass_context
def month_filter(ctx: Context, value: str) -> str:
    return format_month(value, _catalogue(ctx)("format.month"))


@pass_context
def colon_filter(ctx: Context, label: str) -> str:
    """"Status" → "Status:" (en) or "Statut :" (fr, no-break space before the colon)."""
    return f"{label}{_catalogue(ctx)('format.colon')}"


FILTERS = {"number": number_filter, "datetime": datetime_filter, "month": month_filter, "colon": colon_filter}
