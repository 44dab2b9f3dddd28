"""Render the compare view: pre-rendered change lists (linear in N), the picker page, and its data files.

A pre-rendered pair page lists only what differs (the scenario pages hold the rest). Any pair
is shown by compare.js from compare/data/*.js: plain script files that assign globals, so they
load from file:// under a strict CSP (no fetch, no inline script). The browser applies no rule
of its own: the build gives each row's value and, per fact path that drives a row, a digest of
the facts under it, so "differs" and "caused by" are plain equality of what the build computed.
"""
from __future__ import annotations

import hashlib
import json
from fnmatch import fnmatchcase
from functools import lru_cache
from itertools import groupby
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from jinja2 import Environment
from markupsafe import Markup

from .compare import BASELINE, Comparison, Line, Side, covering, pair_path, pairs
from ..model.load import ID_PATTERN
from ..model.scenario import LOCALES

if TYPE_CHECKING:
    from .render import Catalogue, Page, Switcher

#: One locale's labels and row tables: what a compare page loads, whatever N (the page links it).
#: Dotted, like SCENARIO_LIST: a scenario named "index" has compare/data/index.js.
INDEX_DATA = "compare/data/index.rows.js"
#: One locale's list of every scenario (id, title) for the picker: compare.js loads it only when
#: the picker is used, so that showing a pair never downloads all N. Scenario ids have no dot: no
#: scenario's compare/data/<id>.js can take this name.
SCENARIO_LIST = "compare/data/scenarios.list.js"

#: The catalogue key labelling a row, by (section/field) pattern, first match wins.
FIELD_LABELS: tuple[tuple[str, str], ...] = (
    ("credentials/*.reference", "credentials.reference"),
    ("credentials/persistenceEnabled", "compare.field.persistence"),
    ("credentials/*", "credentials.{field}"),
    ("readiness/code", "readiness.label"),
    ("readiness/token_cache", "readiness.token_cache"),
    ("readiness/scope.*", "readiness.scopes"),
    ("readiness/protected_customer_data_level", "readiness.pcd_level"),
    ("readiness/*", "compare.field.{field}"),
    ("checklist/*", "checklist.{field}"),
    ("source-health/findings", "compare.field.findings"),
    ("source-health/*", "source_health.{field}"),
    ("data-quality-preview/issues", "compare.field.issues"),
    ("data-quality-preview/*", "data_quality.{field}"),
    ("health/status", "health.status"),
    ("health/issues", "compare.field.issues"),
    ("technical-status/*", "technical.{field}"),
    ("actions/*", "action.{field}"),
    ("credential-actions/*", "credential_action.{field}"),
    ("data-quality/alerts", "compare.field.alerts"),
    ("sync-history/last_finished", "sync.last_finished"),
    ("sync-history/*", "compare.field.{field}"),
    ("external-accounts/selected", "accounts.selected"),
    ("external-accounts/*", "compare.field.{field}"),
)

#: Badge tone of a row value, by its first word (values are codes, e.g. "allowed: sync_preview").
VALUE_TONES = {
    "ok": "ok", "todo": "warn", "allowed": "ok", "available": "ok", "configured": "ok",
    "not_configured": "warn", "token_active": "ok", "token_expired": "warn", "token_failed": "bad",
    "READY": "ok", "healthy": "ok", "warning": "warn", "failing": "bad", "blocking": "bad", "info": "info",
    "active": "ok", "expired": "warn", "failed": "bad", "succeeded": "ok", "partial": "warn",
    "confirmed": "ok", "unconfirmed": "warn", "NOT_REQUIRED": "ok", "RECOMMENDED": "info", "REQUIRED": "warn",
    "v1_minimum": "ok", "out_of_v1": "warn", "forbidden": "bad",
}


#: The catalogue key naming a row value, by (section/field) pattern, first match wins;
#: values of other rows (versions, dates, references, lists of codes) are shown as they are.
VALUE_LABELS: tuple[tuple[str, str], ...] = (
    ("credentials/*.reference", ""),
    ("credentials/persistenceEnabled", ""),
    ("credentials/*", "credential_status.{value}"),
    ("readiness/code", "readiness.{value}"),
    ("readiness/token_cache", "token.{value}"),
    ("checklist/*", "checklist.{value}"),
    ("source-health/findings", ""),
    ("source-health/*", "severity.{value}"),
    ("data-quality-preview/issues", ""),
    ("data-quality-preview/*", "severity.{value}"),
    ("health/status", "health.{value}"),
    ("technical-status/mapping_status", "technical.{value}"),
    ("technical-status/schema_change", "technical.{value}"),
    ("sync-history/last_finished", "sync.{value}"),
)
#: Words of "verdict: reason" values of the two action sections.
VERDICTS = {"allowed": "action.allowed", "not allowed": "action.not_allowed",
            "available": "action.available", "unavailable": "action.unavailable"}


def value_label(t: Callable[..., Any], section: str, field: str, value: str) -> str:
    """A row value in words of this language; a code without a message is shown as it is."""
    if value in ("true", "false"):
        return t("meta.bool_true" if value == "true" else "meta.bool_false")
    if value == "none":
        return t("meta.no_value")
    verdict, _, reason = value.partition(": ")
    if section in ("actions", "credential-actions") and verdict in VERDICTS:
        return f"{t(VERDICTS[verdict])} — {t('reason.' + reason)}"
    if section == "readiness" and field.startswith("scope."):
        policy, _, requested = value.partition(" (")
        return t(f"scope_policy.{policy}") + (f" ({t('scope_policy.requested')})" if requested else "")
    code, _, count = value.partition(" (")  # "warning (3)": a severity and a count
    for pattern, key in VALUE_LABELS:
        if fnmatchcase(f"{section}/{field}", pattern):
            if not key:
                return value
            code = "failed_status" if key.startswith("sync.") and code == "failed" else code
            return t(key.format(value=code)) + (f" ({count}" if count else "")
    return value


def value_tone(value: str) -> str:
    return VALUE_TONES.get(value.split(":")[0].split(" (")[0], "neutral")


def field_label(t: Callable[..., Any], section: str, field: str) -> str:
    key = f"{section}/{field}"
    for pattern, template in FIELD_LABELS:
        if fnmatchcase(key, pattern):
            label = t(template.format(field=field))
            return label[0] if isinstance(label, list) else label  # actions are [name, what it does]
    return t(f"compare.field.{field}")  # raises MissingMessage: every row needs a label


#: Rendered rows kept for reuse (both locales together; see TableRows).
ROWS_KEPT = 8192


class TableRows:
    """One locale's rows of the compare page's two tables, each distinct row rendered once and reused.

    A row depends only on its line (or fact change) and its number: at N = 1,000 nine compare
    rows in ten and half the fact rows repeat one already rendered (the same field with the
    same values in another pair). Rendering them one by one was four fifths of a compare page.
    The caches are bounded (least recently used out): kept whole, they grew past 300 MB at
    N = 1,000 for a few percent more hits, since the rows that repeat are the common ones.
    """

    def __init__(self, env: Environment, t: Callable[..., Any]):
        self._row, self._t = env.get_template("_compare_row.html"), t
        self._label = lru_cache(maxsize=None)(lambda section, field: field_label(t, section, field))
        self._words = lru_cache(maxsize=ROWS_KEPT)(lambda section, field, value: value_label(t, section, field, value))

    @lru_cache(maxsize=ROWS_KEPT)
    def row(self, line: Line, k: int) -> str:
        return self._row.render(line=line, k=k, t=self._t, tone=value_tone,
                                label=lambda line: self._label(line.section, line.field),
                                words=lambda line, value: self._words(line.section, line.field, value))

    def sections(self, c: Comparison) -> list[tuple[str, Markup]]:
        """(section, its rows as HTML), rows numbered k = 1, 2, … by difference (the #diff-k anchors)."""
        out = []
        k = 0
        # Only differences: the rows two scenarios share are on both scenario pages already.
        for section, lines in groupby((line for line in c.lines if line.differs), key=lambda line: line.section):
            html = []
            for line in lines:
                k += 1
                html.append(self.row(line, k))
            out.append((section, Markup("\n".join(html))))
        return out



def _js(name: str, value: Any) -> str:
    """A script that assigns data to a global: loads from file:// where fetch() cannot."""
    return f"window.{name} = {json.dumps(value, ensure_ascii=False, separators=(',', ':'))};\n"


def title(page: Page, locale: str) -> str:
    """A scenario's title as the compare view names it in this locale."""
    return page.scenario.text("title", locale)[0]


def _index_data(t: Catalogue, sides: dict[str, Side], drivers: frozenset[str],
                locale: str) -> dict[str, Any]:
    keys = dict.fromkeys((r.section, r.field) for s in sides.values() for r in s.rows)
    values = {}
    seen: set[tuple[str, str, str]] = set()  # most rows repeat a value another scenario has: word it once
    for s in sides.values():
        for r in s.rows:
            if (r.section, r.field, r.value) in seen:
                continue
            seen.add((r.section, r.field, r.value))
            words = value_label(t, r.section, r.field, r.value)
            if words != r.value:
                values[f"{r.section}/{r.field}\t{r.value}"] = words
    read: dict[tuple[str, str], set[str]] = {key: set() for key in keys}  # by any scenario, per row
    for s in sides.values():
        for key, paths in s.sources.items():
            read.setdefault(key, set()).update(paths)
    return {
        "keys": [f"{s}/{f}" for s, f in keys],  # every row key, in page order: the change list's order
        "values": values,
        "locale": locale,  # which of a data file's titles this page shows
        # What a scenario id looks like: compare.js loads compare/data/<id>.js for no other ?a= or ?b=.
        "idPattern": ID_PATTERN.pattern,
        "sections": {section: t(f"section.{section}") for section, _ in keys},
        # Every fact path the core read for some row: the data files number their rows' reads by it.
        "paths": sorted(drivers),
        # The facts any scenario's core run read for the row: what a browser-chosen pair may differ by.
        "fields": {f"{s}/{f}": [field_label(t, s, f), sorted(read[s, f])] for s, f in keys},
        "labels": {
            "count": t.forms("compare.count"),
            **{k: t(f"compare.{k}") for k in ("col_field", "col_difference", "different", "same", "absent",
                                               "caused_by", "unknown", "vs", "show", "changed", "frame")},
        },
    }


def driver_paths(sides: Iterable[Side]) -> frozenset[str]:
    """Every fact path the core recorded reading for a row of some scenario: the paths each data
    file digests (core/provenance.py)."""
    return frozenset(p for s in sides for paths in s.sources.values() for p in paths)


def cause_digests(s: Side, wanted: frozenset[str]) -> dict[str, str]:
    """{wanted fact path with facts under it in s: digest of those facts}. Two scenarios' digests of
    a path differ (or one is missing) exactly when some fact under it differs: when compare() names it."""
    under: dict[str, list[tuple[str, str]]] = {}
    for path, value in s.facts:
        for prefix in covering(path):
            if prefix in wanted:
                under.setdefault(prefix, []).append((path, value))
    return {p: hashlib.blake2b(json.dumps(found).encode(), digest_size=6).hexdigest()
            for p, found in sorted(under.items())}


def _state_data(page: Page, s: Side, wanted: frozenset[str]) -> dict[str, Any]:
    """Each row: its value, its tone and the fact paths the core read for it in this scenario
    (core/provenance.py), as numbers into INDEX_DATA's `paths`; and the cause digests. compare.js names a cause where a path read on
    either side has different digests: what compare() does, with no rule of its own.
    With the scenario's title in every locale and its page: all a compare page needs to name the
    two scenarios it shows, without the list of every scenario (SCENARIO_LIST)."""
    number = {path: i for i, path in enumerate(sorted(wanted))}  # INDEX_DATA's "paths": sorted(wanted)
    return {"title": {locale: title(page, locale) for locale in LOCALES}, "path": page.path,
            "rows": {f"{r.section}/{r.field}": [r.value, value_tone(r.value),
                                                 sorted(number[p] for p in s.sources.get((r.section, r.field), ()))]
                     for r in s.rows},
            "causes": cause_digests(s, wanted)}


def render_comparison(render: Callable[..., None], t: Callable[..., Any], path: str, pages_by_id: dict[str, Any],
                      c: Comparison, *, index: bool, prepared: list[tuple[str, str]],
                      switcher: Switcher, rows: TableRows) -> None:
    render("compare.html", path, page=None, c=c, a=pages_by_id[c.a], b=pages_by_id[c.b],
           switcher=switcher,
           sections_of=rows.sections(c), index=index, prepared=prepared,
           index_data=INDEX_DATA, scenario_list=SCENARIO_LIST,
           frames=index,  # the picker page frames both scenario pages side by side (CSP frame-src 'self')
           pair_path=pair_path, count_text=t("compare.count", count=c.differences))


def comparison_links(ids: Sequence[str]) -> dict[str, dict[str, str]]:
    """Per scenario, the pre-rendered comparisons its page links to: {"baseline"|"previous"|"next": path}."""
    prepared = {frozenset(p): pair_path(*p) for p in pairs(ids)}
    links: dict[str, dict[str, str]] = {i: {} for i in ids}
    for index, sid in enumerate(ids):
        for kind, other in (("baseline", BASELINE), ("previous", ids[index - 1] if index else None),
                            ("next", ids[index + 1] if index + 1 < len(ids) else None)):
            path = prepared.get(frozenset((sid, other))) if other and other != sid else None
            if path:
                links[sid][kind] = path
    return links


def index_data_js(t: Catalogue, sides: dict[str, Side], drivers: frozenset[str], locale: str) -> str:
    """One locale's INDEX_DATA: the row keys, labels and tables compare.js shows, none listing the
    scenarios. `drivers`: driver_paths(sides), which the data files number their reads by."""
    return _js("CompareData", _index_data(t, sides, drivers, locale))


def scenario_list_js(pages: Sequence[Page], locale: str) -> str:
    """One locale's SCENARIO_LIST: every scenario as [id, title], in lifecycle order, for the picker."""
    return _js("CompareScenarios", [[p.id, title(p, locale)] for p in pages])


def state_js(page: Page, s: Side, wanted: frozenset[str]) -> str:
    """compare/data/<id>.js: one scenario's title, page, rows and cause digests, the same in every locale."""
    # A map without a prototype: a scenario may be named "constructor".
    return (f"(window.CompareStates = window.CompareStates || Object.create(null))[{json.dumps(page.id)}] = "
            f"{json.dumps(_state_data(page, s, wanted), ensure_ascii=False, separators=(',', ':'))};\n")
