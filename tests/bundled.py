"""The bundled scenarios, or a few of them, copied where a test may change them."""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: A few bundled scenarios, in different stages, for tests about a mechanism rather than about the
#: bundled states: outcome, compare pair and gallery pages exist (no journey), at a tenth of the cost.
FEW = ("_base.yml", "missing-refs.yml", "healthy.yml", "failed-sync.yml", "source-disabled.yml")


def copy_scenarios(folder: Path, names: tuple[str, ...] | None = None) -> Path:
    """The bundled scenarios (all, or only `names`) copied into `folder`, which is returned."""
    if names is None:
        shutil.copytree(ROOT / "scenarios", folder)
        return folder
    folder.mkdir(parents=True)
    for name in names:
        shutil.copyfile(ROOT / "scenarios" / name, folder / name)
    return folder
