"""A few of the bundled scenarios, copied where a test may change them."""
from __future__ import annotations

import functools
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


@functools.cache
def _headers() -> dict[str, tuple[str | None, int]]:
    """Each bundled file's (`extends`, lifecycle), read from the files as they are (1000: no place):
    once per test process (no test writes into the bundled folder)."""
    import yaml
    out = {}
    for path in sorted((ROOT / "scenarios").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[path.name] = (f"{data['extends']}.yml" if data.get("extends") else None, data.get("lifecycle", 1000))
    return out


def neighbourhood(*saved: str) -> tuple[str, ...]:
    """The bundled files a save of `saved` can reach, and one it cannot: for tests of a general
    property of a rebuild or a build (it equals a full build), at a fraction of the 40 scenarios.

    The saved files; what they extend, up to the base (they cannot load without it); every file
    extending them, directly or through another (a save changes those too); their stage-mates
    (a page's switcher and previous/next links show its stage: a title there reaches them); and
    the first file of another stage, which no save of `saved` changes (a rebuild must leave it).
    """
    from generator.core.stages import stage_of
    headers = _headers()
    keep = set(saved)
    keep.update(name for name in headers if set(saved) & set(with_bases(name)[1:]))
    stages = {stage_of(headers[s][1]) for s in saved}
    keep.update(name for name, (_, lifecycle) in headers.items()
                if not name.startswith("_") and stage_of(lifecycle) in stages)
    keep.update([name for name, (_, lifecycle) in sorted(headers.items(), key=lambda item: item[1][1])
                 if name not in keep and not name.startswith("_") and stage_of(lifecycle) not in stages][:1])
    return tuple(sorted(with_bases(*keep)))


def copy_with_journeys(folder: Path, names: tuple[str, ...]) -> Path:
    """copy_scenarios, and every bundled journey whose steps all name one of the copied scenarios."""
    import yaml
    copy_scenarios(folder, names)
    ids = {name.removesuffix(".yml") for name in names}
    for journey in sorted((ROOT / "scenarios" / "journeys").glob("*.yml")):
        steps = yaml.safe_load(journey.read_text(encoding="utf-8"))["steps"]
        if all(step["scenario"] in ids for step in steps):
            (folder / "journeys").mkdir(exist_ok=True)
            shutil.copyfile(journey, folder / "journeys" / journey.name)
    return folder


def with_bases(*names: str) -> tuple[str, ...]:
    """`names` and every file they extend, directly or through another."""
    headers = _headers()
    out = []
    for name in names:
        while name is not None:
            out.append(name)
            name = headers[name][0]
    return tuple(dict.fromkeys(out))
