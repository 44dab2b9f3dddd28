"""Write: the only module that touches the output folder, and it does so atomically.

The whole site is written into a fresh folder beside the target and swapped in
only once every file is there, so a failed or interrupted build leaves the
previous site exactly as it was. Files may be written into that folder as they
are rendered, by any process (`staged` + `write_file`), so that a build never
holds the whole site in memory.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import GeneratorError

#: Marks a folder as ours, so a build never replaces a folder it did not make.
MARKER = ".generator-site"
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def _is_ours(folder: Path) -> bool:
    return (folder / MARKER).is_file() or not any(folder.iterdir())


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh folder beside `out` to write the site into; swapped in as `out` when the block succeeds.

    On any error (or interrupt) the folder is removed and `out` is left as it was.
    """
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or not _is_ours(out)):
        raise GeneratorError(f"{out} exists and was not made by this generator; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    old = None
    try:
        yield staging
        (staging / MARKER).write_text("Built by `python -m generator build`; replaced whole on each build.\n",
                                      encoding="utf-8")
        os.chmod(staging, 0o755)
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


def write_file(staging: Path, relative: str, data: bytes, made: set[str]) -> None:
    """One file into the staging folder: open, write, close, and a mkdir the first time a folder is seen.

    `made` remembers the folders this process has made. Plain os calls: Python's
    buffered `open` adds an fstat and an ioctl per file, a quarter of the write time.
    """
    folder, _, _ = relative.rpartition("/")
    if folder and folder not in made:
        os.makedirs(staging / folder, exist_ok=True)
        made.add(folder)
    fd = os.open(staging / relative, _FLAGS, 0o666)  # as open() does: the umask decides
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)

