"""Write: the only module that touches the output folder, and it does so atomically.

The whole site is written into a fresh folder beside the target and swapped in
only once every file is there, so a failed or interrupted build leaves the
previous site exactly as it was.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .errors import GeneratorError

#: Marks a folder as ours, so a build never replaces a folder it did not make.
MARKER = ".generator-site"


def _is_ours(folder: Path) -> bool:
    return (folder / MARKER).is_file() or not any(folder.iterdir())


def write_site(files: dict[str, str], out: Path) -> None:
    """Write {relative path: text} as the folder `out`, replacing it in one swap."""
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or not _is_ours(out)):
        raise GeneratorError(f"{out} exists and was not made by this generator; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        made: set[Path] = set()
        for relative, text in sorted(files.items()):
            target = staging / relative
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            with open(target, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        (staging / MARKER).write_text("Built by `python -m generator build`; replaced whole on each build.\n",
                                      encoding="utf-8")
        os.chmod(staging, 0o755)
        old = None
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
            os.replace(out, old / "site")
        try:
            os.replace(staging, out)
        except BaseException:
            if old is not None:  # put the previous site back where it was (issue 3)
                os.replace(old / "site", out)
                shutil.rmtree(old, ignore_errors=True)
            raise
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
