"""The two sides of `diff`: a built site folder, or a git revision built on the spot.

A revision is exported with `git archive` (no worktree, nothing left in the
repository) and built by *its own* generator, so a change to the rules shows its
effect as surely as a change to a scenario.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

from .diff import DiffError

MANIFEST = "scenarios.json"


def read_manifest(site: Path) -> Any:
    """The parsed scenarios.json of a built site folder."""
    path = Path(site) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DiffError(f"{site}: no {MANIFEST}; is this a site built by `python -m generator build`?") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DiffError(f"{path}: cannot be read ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise DiffError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None


def _git(args: list[str], repo: Path, **kwargs: Any) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, **kwargs)


def _commit(revision: str, repo: Path) -> str | None:
    """The commit a revision names, or None when git does not know it."""
    if revision.startswith("-"):  # never let a revision be read as an option
        return None
    try:
        found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
                     repo, text=True)
    except FileNotFoundError:
        return None
    return found.stdout.strip() if found.returncode == 0 else None


def build_revision(revision: str, commit: str, repo: Path, work: Path) -> Path:
    """Export `commit` into `work` and build it there with its own generator; return the site."""
    archive = _git(["archive", "--format=tar", commit], repo)
    if archive.returncode != 0:
        raise DiffError(f"{revision}: git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    tree = work / commit
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        # git's own export is trusted, but the "data" filter (Python 3.11.4+) costs nothing.
        tar.extractall(tree, **({"filter": "data"} if hasattr(tarfile, "data_filter") else {}))
    site = work / f"{commit}-site"
    built = subprocess.run([sys.executable, "-m", "generator", "build", "--out", str(site)],
                           cwd=tree, capture_output=True, text=True)
    if built.returncode != 0:
        raise DiffError(f"{revision}: the build of {commit[:12]} failed:\n{built.stderr.strip()}")
    return site


def site_folder(source: str, repo: Path, work: Path) -> tuple[Path, str]:
    """(site folder, label) for a built site folder or, failing that, a git revision of `repo`
    built into `work`."""
    folder = Path(source)
    if folder.is_dir():
        return folder, str(folder)
    commit = _commit(source, repo)
    if commit is None:
        raise DiffError(f"{source}: neither a built site folder nor a git revision of {repo}")
    return build_revision(source, commit, repo, work), f"{source} ({commit[:12]})"


def load_side(source: str, repo: Path, work: Path) -> tuple[Any, str]:
    """(manifest, label) for a site folder or a git revision of `repo`."""
    folder, label = site_folder(source, repo, work)
    return read_manifest(folder), label
