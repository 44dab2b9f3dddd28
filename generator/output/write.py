"""Write: the only module that touches the output folder, and it does so atomically.

The whole site is written into a fresh folder beside the target and swapped in
only once every file is there, so a failed or interrupted build leaves the
previous site exactly as it was. Files may be written into that folder as they
are rendered, by any process (`staged` + `write_file`), so that a build never
holds the whole site in memory.

The swap leaves no moment without a site: on Linux the two folders are exchanged in
one system call (renameat2 with RENAME_EXCHANGE); elsewhere, or on a file system
without it, the old site is moved aside and the new one put in its place (a gap of
two renames). SIGTERM is turned into an exception while a build runs, so that, like
Ctrl-C, it removes the staging folder. Errors of the file system (disk full, read-only
folder, no permission) become one-line GeneratorErrors.
"""
from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import GeneratorError

#: Marks a folder as ours, so a build never replaces a folder it did not make.
MARKER = ".generator-site"
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2():
    """libc's renameat2, or None where there is none (not Linux, old glibc)."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return function


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step; False when the system cannot (the caller falls back)."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False  # a file system (or kernel) without the exchange
    raise OSError(code, os.strerror(code), str(b))


def disk_error(exc: OSError, what: str) -> GeneratorError:
    """A file-system failure as one line: what failed and why (disk full, read-only, no permission)."""
    reason = {errno.ENOSPC: "the disk is full", errno.EROFS: "the file system is read-only",
              errno.EDQUOT: "the disk quota is exceeded", errno.EACCES: "permission denied",
              errno.EPERM: "permission denied"}.get(exc.errno, exc.strerror or type(exc).__name__)
    return GeneratorError(f"cannot {what}: {reason}; the previous site is unchanged")


class Terminated(BaseException):
    """SIGTERM while a site is being staged: unwinds like KeyboardInterrupt so nothing is left behind."""


@contextmanager
def _terminate_as_exception() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers
        return

    def handler(signum, frame):
        raise Terminated()
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _is_ours(folder: Path) -> bool:
    return (folder / MARKER).is_file() or not any(folder.iterdir())


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A fresh folder beside `out` to write the site into; swapped in as `out` when the block succeeds.

    On any error (or interrupt, or SIGTERM) the folder is removed and `out` is left as it was.
    """
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or not _is_ours(out)):
        raise GeneratorError(f"{out} exists and was not made by this generator; choose another --out")
    with _terminate_as_exception():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
        except OSError as exc:
            raise disk_error(exc, f"write into {out.parent}") from None
        try:
            yield staging
            try:
                (staging / MARKER).write_text("Built by `python -m generator build`; replaced whole on each build.\n",
                                              encoding="utf-8")
                os.chmod(staging, 0o755)
                _swap(staging, out)
            except OSError as exc:
                raise disk_error(exc, f"write {out}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)  # the new site's folder, or, after an exchange, the old


def _swap(staging: Path, out: Path) -> None:
    """`staging` becomes `out`; afterwards `staging` holds the previous site (if any) to remove."""
    if out.exists() and exchange(staging, out):
        return
    if not out.exists():
        os.replace(staging, out)
        return
    # Fallback: two renames. An interrupt between them is held off until both are done.
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    held = _hold_signals()
    try:
        os.replace(out, old / "site")
        try:
            os.replace(staging, out)
        except BaseException:
            os.replace(old / "site", out)  # put the previous site back where it was (issue 3)
            raise
        os.replace(old / "site", staging)
    finally:
        _release_signals(held)
        shutil.rmtree(old, ignore_errors=True)


def _hold_signals():
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _release_signals(previous) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_file(staging: Path, relative: str, data: bytes, made: set[str]) -> None:
    """One file into the staging folder: open, write, close, and a mkdir the first time a folder is seen.

    `made` remembers the folders this process has made. Plain os calls: Python's
    buffered `open` adds an fstat and an ioctl per file, a quarter of the write time.
    """
    folder, _, _ = relative.rpartition("/")
    try:
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
    except OSError as exc:
        raise disk_error(exc, f"write {relative}") from None

