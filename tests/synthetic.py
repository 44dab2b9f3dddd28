"""Many scenarios from the bundled ones, for tests of what must not grow with N (and what may, linearly)."""
from __future__ import annotations

from pathlib import Path

from generator.site.compare import BASELINE
from generator.model.load import load_scenarios
from generator.model.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent


def many(n: int) -> list[Scenario]:
    """n scenarios cycling through the bundled states (so pages differ), ids s-0001…, one the baseline.

    Ids and titles have one width whatever n, so that a page's size changes only if its content grows.
    """
    bundled = load_scenarios(ROOT / "scenarios")
    out = []
    for i in range(n):
        base = bundled[i % len(bundled)]
        sid = BASELINE if i == 0 else f"s-{i:04d}"
        out.append(base.model_copy(update={"id": sid, "title": f"State {i:04d}", "lifecycle": i}))
    return out
