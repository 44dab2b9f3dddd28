"""Scenario facts for tests: a complete healthy state, and overrides on top of it."""
from __future__ import annotations

import copy
from typing import Any

from generator.model.scenario import Scenario

HEALTHY: dict[str, Any] = {
    "id": "t",
    "title": "Test state",
    "as_of": "2026-05-03T08:00:00Z",
    "source": {"name": "Shop", "store": "shop-one.myshopify.com", "enabled": True, "plan": "pro"},
    "credentials": {"client_id_ref": "proj/staging/shopify/CLIENT_ID",
                    "client_secret_ref": "proj/staging/shopify/CLIENT_SECRET"},
    "secret_manager": {"configured": True, "project": "proj", "environment": "staging"},
    "flags": {"real_exchange": True, "persistence": True},
    "exchange": {"at": "2026-05-03T06:00:00Z", "outcome": "ok"},
    "scopes": {"requested": ["read_orders"], "protected_customer_data_level": 1},
    "api": {"target_version": "2026-04"},
    "sync_runs": [{"started_at": "2026-05-03T06:00:00Z", "finished_at": "2026-05-03T06:05:00Z",
                   "status": "succeeded", "fetched": 10, "processed": 10, "failed": 0,
                   "api_version": "2026-04"}],
    "external_accounts": [{"store": "shop-one.myshopify.com", "masked_ref": "shop_one_•••1", "selected": True}],
}


def merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    return copy.deepcopy(over)


def facts(**overrides: Any) -> dict[str, Any]:
    """HEALTHY with `overrides` merged in (mappings merge, other values replace)."""
    return merge(copy.deepcopy(HEALTHY), overrides)


def scenario(**overrides: Any) -> Scenario:
    return Scenario.model_validate(facts(**overrides))


def run(status: str, **over: Any) -> dict[str, Any]:
    """One sync run with sensible numbers for its status."""
    base = {"started_at": "2026-05-03T07:00:00Z", "finished_at": "2026-05-03T07:05:00Z",
            "status": status, "fetched": 10, "processed": 10, "failed": 0, "api_version": "2026-04"}
    if status == "running":
        base["finished_at"] = None
    if status == "partial":
        base.update(processed=7, failed=3)
    if status == "failed":
        base.update(processed=0, error={"code": "internal_server_error", "http_status": 500, "message": "boom"})
    return {**base, **over}
