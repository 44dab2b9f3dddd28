"""A few of the bundled scenarios, copied where a test may change them."""
from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: A few bundled scenarios, in different stages, for tests about a mechanism rather than about the
#: bundled states: outcome, compare pair and gallery pages exist (no journey), at a tenth of the cost.
FEW = ("_base.yml", "missing-refs.yml", "healthy.yml", "failed-sync.yml", "source-disabled.yml")


def copy_scenarios(folder: Path, names: tuple[str, ...]) -> Path:
    """The bundled scenarios `names` copied into `folder`, which is returned."""
    folder.mkdir(parents=True)
    for name in names:
        shutil.copyfile(ROOT / "scenarios" / name, folder / name)
    return folder
