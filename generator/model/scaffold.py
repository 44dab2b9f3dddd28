"""`new`: start a scenario from another one, so a designer never begins from a blank file."""
from __future__ import annotations

from pathlib import Path

from ..errors import GeneratorError
from .load import ID_PATTERN, scenario_files
from .scenario import DOCS

#: Same bound as Scenario.id.
MAX_ID = 64

TEMPLATE = """\
# Scaffolded from {source}: keep only the facts that differ from it ({docs}).
# Lists (sync_runs, external_accounts…) replace the inherited ones; mappings merge.
extends: {source}
# Edit the title: it names this state in the switcher and the overview.
title:
  en: "{title}"
# description:
#   en: What is true in this state, and why it matters.
# lifecycle: 1000    # place in the lifecycle order; otherwise inherited from {source}
"""


class ScaffoldError(GeneratorError):
    """The new scenario cannot be created as asked."""


def scaffold(folder: Path, new_id: str, source: str = "_base") -> Path:
    """Write `<folder>/<new_id>.yml` extending `source`; refuse a bad or taken id, or an unknown source."""
    folder = Path(folder)
    if not ID_PATTERN.match(new_id) or len(new_id) > MAX_ID:
        raise ScaffoldError(f"'{new_id}' is not a valid scenario id: lower-case kebab-case, "
                            f"at most {MAX_ID} characters, e.g. token-revoked")
    if not folder.is_dir():
        raise ScaffoldError(f"{folder} is not a folder of scenarios")
    existing = {path.stem: path for path in scenario_files(folder)}
    if new_id in existing:
        raise ScaffoldError(f"{existing[new_id]} already exists; choose another id")
    if source not in existing:
        known = ", ".join(sorted(existing)) or "none"
        raise ScaffoldError(f"--from {source}: no such scenario or base in {folder} (known: {known})")
    path = folder / f"{new_id}.yml"
    title = new_id.replace("-", " ").capitalize()
    try:
        # "x": never overwrite, even if the file appeared since the check above.
        with open(path, "x", encoding="utf-8") as handle:
            handle.write(TEMPLATE.format(source=source, title=title, docs=DOCS))
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists; choose another id") from None
    return path
