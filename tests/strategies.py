"""Hypothesis strategies over scenario facts: any valid combination, not only the bundled states.

Built on the healthy base of tests/factories.py; every fact the derivation reads is drawn.
Free text uses an alphabet that cannot form a secret by accident (no digits, '_', '.', '-'),
but does hold HTML-special and non-ASCII characters.
"""
from __future__ import annotations

import copy
import random
import string
from datetime import datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from factories import HEALTHY, merge
from secret_samples import FORMATS

AS_OF = datetime(2026, 5, 3, 8, 0, tzinfo=timezone.utc)
TEXT = st.text(alphabet=string.ascii_letters + " ,;!?'\"<>&/()éèà•", min_size=1, max_size=40)
SCOPES = ["read_orders", "read_all_orders", "read_customers", "write_orders", "read_products",
          "unauthenticated_read_product_listings"]
API_VERSIONS = [f"{year}-{month}" for year in range(2024, 2028) for month in ("01", "04", "07", "10")]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@st.composite
def secret_refs(draw) -> str:
    name = st.text(alphabet=string.ascii_lowercase, min_size=2, max_size=10)
    path = draw(st.lists(name, min_size=1, max_size=3))
    key = draw(st.sampled_from(["CLIENT_ID", "CLIENT_SECRET", "SHOPIFY_CLIENT_ID"]))
    return "/".join([draw(name), draw(st.sampled_from(["dev", "staging", "prod"])), *path, key])


@st.composite
def sync_runs(draw) -> list[dict[str, Any]]:
    """0–4 runs, newest first, each consistent with its status; only the newest may be running."""
    runs, start = [], AS_OF - timedelta(minutes=draw(st.integers(10, 600)))
    for index in range(draw(st.integers(0, 4))):
        statuses = ["succeeded", "partial", "failed", "cancelled"] + (["running"] if index == 0 else [])
        status = draw(st.sampled_from(statuses))
        fetched = draw(st.integers(1, 5000))
        failed = draw(st.integers(1, fetched)) if status == "partial" else 0
        run: dict[str, Any] = {
            "started_at": _iso(start), "finished_at": None if status == "running" else _iso(start + timedelta(minutes=5)),
            "status": status, "fetched": fetched, "processed": 0 if status == "failed" else fetched - failed,
            "failed": failed, "api_version": draw(st.sampled_from(API_VERSIONS)),
        }
        if status == "failed":
            run["error"] = {"code": draw(st.sampled_from(["unauthorized", "forbidden", "internal_server_error"])),
                            "http_status": draw(st.sampled_from([401, 403, 500, None])), "message": draw(TEXT)}
        runs.append(run)
        start -= timedelta(hours=draw(st.integers(1, 72)))
    return runs


@st.composite
def scenario_facts(draw) -> dict[str, Any]:
    """The facts of one scenario, as a mapping ready for Scenario.model_validate."""
    change = draw(st.sampled_from(["none", "non_breaking", "breaking"]))
    exchange = draw(st.none() | st.fixed_dictionaries({
        "at": st.integers(0, 3 * 86400).map(lambda s: _iso(AS_OF - timedelta(seconds=s))),
        "outcome": st.sampled_from(["ok", "shop_not_permitted", "app_not_installed", "invalid_client"]),
    }))
    facts = merge(HEALTHY, {
        "title": draw(TEXT | st.fixed_dictionaries({"en": TEXT}, optional={"fr": TEXT})),
        "description": draw(st.just("") | TEXT),
        "source": {"name": draw(TEXT), "enabled": draw(st.booleans()),
                   "plan": draw(st.sampled_from(["starter", "growth", "pro", "enterprise"]))},
        "credentials": {"client_id_ref": draw(st.none() | secret_refs()),
                        "client_secret_ref": draw(st.none() | secret_refs())},
        "secret_manager": {"configured": draw(st.booleans())},
        "flags": {"real_exchange": draw(st.booleans()), "persistence": draw(st.booleans())},
        "scopes": {"requested": draw(st.lists(st.sampled_from(SCOPES), max_size=4, unique=True)),
                   "protected_customer_data_level": draw(st.sampled_from([0, 1, 2]))},
        "api": {"target_version": draw(st.sampled_from(API_VERSIONS))},
        "schema": {"change": change,
                   "acknowledged": change != "none" and draw(st.booleans()),
                   "changes": [] if change == "none" else [{"field": draw(TEXT), "change": "added", "detail": draw(TEXT)}]},
        "mapping": {"confirmed": draw(st.booleans())},
        "external_accounts": [{"store": f"shop-{i}.myshopify.com", "masked_ref": f"shop_{i}_•••{i}",
                               "selected": i == 0, "in_profile": draw(st.booleans())}
                              for i in range(draw(st.integers(0, 3)))],
    })
    facts["exchange"] = exchange
    facts["sync_runs"] = draw(sync_runs())
    if draw(st.booleans()):
        # Half the examples stay close to healthy: every fact but at most one as in HEALTHY,
        # else READY or healthy (a dozen conditions at once) would almost never be drawn.
        perturbed = draw(st.sampled_from([None, *CALM_FACTS]))
        for path in CALM_FACTS:
            if path != perturbed:
                _reset(facts, path)
    return facts


#: Facts that readiness (READY-1) and health (HEALTH-1) read, as paths into the facts.
CALM_FACTS = (("source", "enabled"), ("source", "plan"), ("credentials", "client_id_ref"),
              ("credentials", "client_secret_ref"), ("secret_manager", "configured"),
              ("scopes", "requested"), ("scopes", "protected_customer_data_level"),
              ("flags", "real_exchange"), ("exchange",), ("api",), ("schema",), ("mapping",), ("sync_runs",))


def _reset(facts: dict[str, Any], path: tuple[str, ...]) -> None:
    """Set one fact back to its HEALTHY value (or its default when HEALTHY leaves it out)."""
    *parents, key = path
    target, base = facts, HEALTHY
    for part in parents:
        target, base = target[part], base[part]
    if key in base:
        target[key] = copy.deepcopy(base[key])
    else:
        target.pop(key, None)


@st.composite
def secrets(draw) -> tuple[str, str]:
    """A secret of any format: its text and kind (the random part comes from a drawn seed)."""
    make = FORMATS[draw(st.sampled_from(sorted(FORMATS)))]
    return make(random.Random(draw(st.integers(0, 2**32))))
