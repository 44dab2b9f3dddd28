"""The state matrix: every scenario along the key dimensions, and the states no scenario shows yet.

Dimensions take their values from the core's own types (Literal annotations), so
a value the core gains shows here unasked. Every value of every set is one the
rules can produce (tests/test_matrix.py builds a scenario for each), so a value
"not covered" is a state a designer could still add. Combinations are listed
only for PAIRS of dimensions read from independent facts, where every
combination is a valid scenario: listing all combinations of all dimensions
would be thousands of entries, most of them impossible by the rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Callable, Sequence, get_args, get_type_hints

from ..core.derive import Derived, Health, Technical, TokenCache, forbidden_requested, scopes_fit_v1
from ..model.scenario import Scenario, SchemaFacts, SyncRun

Reader = Callable[[Scenario, Derived], str]


def _refs(s: Scenario, d: Derived) -> str:
    present = [s.credentials.client_id_ref is not None, s.credentials.client_secret_ref is not None]
    return "both" if all(present) else "partial" if any(present) else "none"


def _scopes(s: Scenario, d: Derived) -> str:
    # [SCOPE-3…4] forbidden first, then within V1 or not.
    return "forbidden" if forbidden_requested(s) else "v1" if scopes_fit_v1(s) else "out_of_v1"


def _schema(s: Scenario, d: Derived) -> str:
    if s.schema_.change == "none":
        return "none"
    return "acknowledged" if s.schema_.acknowledged else s.schema_.change


def values_of(owner: type, name: str, *, drop: tuple[str, ...] = (), add: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The values a field of a core (or model) type can take, read from its Literal annotation:
    a value the core gains appears in the matrix without an edit here."""
    found = get_args(get_type_hints(owner)[name])
    return (*add, *(v for v in found if v not in drop))


@dataclass(frozen=True)
class Dimension:
    name: str
    #: Every value, in display order.
    values: tuple[str, ...]
    #: Each value's badge tone (tests/test_matrix.py fails on a value without one).
    tones: dict[str, str]
    read: Reader
    #: Catalogue key of a value's label; {value} is replaced.
    label: str = ""
    #: The tone of any value `tones` does not name; None: every value must have its own.
    other_tone: str | None = None

    def tone(self, value: str) -> str:
        return self.tones[value] if self.other_tone is None else self.tones.get(value, self.other_tone)

    def label_key(self, value: str) -> str:
        return (self.label or f"matrix.value.{self.name}.{{value}}").format(value=value)


DIMENSIONS: tuple[Dimension, ...] = (
    # The first four read facts through matrix's own readers: their values are theirs.
    Dimension("refs", ("both", "partial", "none"), {"both": "ok", "partial": "warn", "none": "warn"}, _refs),
    Dimension("secret_manager", ("configured", "not_configured"), {"configured": "ok", "not_configured": "warn"},
              lambda s, d: "configured" if s.secret_manager.configured else "not_configured"),
    Dimension("flags", ("on", "off"), {"on": "ok", "off": "neutral"},
              lambda s, d: "on" if s.flags.real_exchange else "off"),
    Dimension("scopes", ("v1", "out_of_v1", "forbidden"), {"v1": "ok", "out_of_v1": "warn", "forbidden": "bad"},
              _scopes),
    # The others show what the core (or the model) decides: their values come from its types.
    Dimension("token_cache", values_of(TokenCache, "state"),
              {"active": "ok", "inactive": "neutral", "expired": "warn", "failed": "bad", "rejected": "bad",
               "revoked": "bad"}, lambda s, d: d.token.state, "token.{value}"),
    Dimension("last_sync", values_of(SyncRun, "status", drop=("running",), add=("none",)),
              {"none": "neutral", "succeeded": "ok", "partial": "warn", "failed": "bad", "cancelled": "neutral"},
              lambda s, d: d.last_finished_sync.status if d.last_finished_sync else "none"),
    Dimension("schema", values_of(SchemaFacts, "change") + ("acknowledged",),
              {"none": "ok", "non_breaking": "warn", "breaking": "bad", "acknowledged": "info"}, _schema),
    Dimension("mapping", values_of(Technical, "mapping_status"), {"confirmed": "ok", "unconfirmed": "warn"},
              lambda s, d: d.technical.mapping_status, "technical.{value}"),
    Dimension("health", values_of(Health, "status"),
              {"healthy": "ok", "warning": "warn", "failing": "bad", "not_connected": "neutral",
               "disabled": "neutral"}, lambda s, d: d.health.status, "health.{value}"),
    Dimension("readiness", values_of(Derived, "readiness"),
              {"READY": "ok", "SOURCE_DISABLED": "neutral"}, lambda s, d: d.readiness, "readiness.{value}",
              other_tone="warn"),  # every unmet condition warns, as on the scenario page
)
BY_NAME = {dim.name: dim for dim in DIMENSIONS}

#: Pairs whose combinations are all valid states: each side reads facts the other does not.
PAIRS: tuple[tuple[str, str], ...] = (
    ("refs", "secret_manager"),
    ("flags", "last_sync"),
    ("schema", "last_sync"),
)


@dataclass(frozen=True)
class Cell:
    dimension: str
    value: str
    tone: str
    label_key: str


#: A combination shown by more scenarios than this folds them under their count: the tables are
#: about what is missing, and a cell listing every scenario grows with N.
LISTED_AT_MOST = 3


@dataclass(frozen=True)
class Coverage:
    """One pair of dimensions: which scenarios show each combination; [] where none does."""

    rows: Dimension
    columns: Dimension
    scenarios: dict[tuple[str, str], list[str]]

    def folded(self, combo: tuple[str, str]) -> bool:
        """Whether the scenarios showing `combo` are listed under their count (LISTED_AT_MOST)."""
        return len(self.scenarios[combo]) > LISTED_AT_MOST

    @property
    def missing(self) -> list[tuple[str, str]]:
        return [combo for combo, ids in self.scenarios.items() if not ids]


@dataclass(frozen=True)
class Matrix:
    rows: list[tuple[str, tuple[Cell, ...]]]  # tuples: a row is a key of its rendered text (page_fragment)
    #: Per dimension, the values no scenario shows, in the dimension's order.
    uncovered: dict[str, list[str]]
    pairs: list[Coverage]
    dimensions: tuple[Dimension, ...] = DIMENSIONS

    @property
    def incomplete(self) -> list[Dimension]:
        """The dimensions with at least one value no scenario shows."""
        return [dim for dim in self.dimensions if self.uncovered[dim.name]]


def cell(dim: Dimension, s: Scenario, d: Derived) -> Cell:
    value = dim.read(s, d)
    return Cell(dim.name, value, dim.tone(value), dim.label_key(value))


def state_matrix(states: Sequence[tuple[Scenario, Derived]]) -> Matrix:
    """The matrix of scenarios × dimensions, the values no scenario covers, and pair coverage."""
    rows = [(s.id, tuple(cell(dim, s, d) for dim in DIMENSIONS)) for s, d in states]
    seen = {dim.name: {c.value for _, cells in rows for c in cells if c.dimension == dim.name}
            for dim in DIMENSIONS}
    uncovered = {dim.name: [v for v in dim.values if v not in seen[dim.name]] for dim in DIMENSIONS}
    index = {dim.name: i for i, dim in enumerate(DIMENSIONS)}
    coverage = []
    for first, second in PAIRS:
        a, b = BY_NAME[first], BY_NAME[second]
        found: dict[tuple[str, str], list[str]] = {combo: [] for combo in product(a.values, b.values)}
        for sid, cells in rows:
            found.setdefault((cells[index[first]].value, cells[index[second]].value), []).append(sid)
        coverage.append(Coverage(a, b, found))
    return Matrix(rows, uncovered, coverage)

