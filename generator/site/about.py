"""About this build: what the footer says, from the generator and the environment only.

The same input in the same environment gives the same bytes (issue #9): no wall
clock and no `git` call (a dirty working tree would be misreported anyway). CI
names the revision it builds in GITHUB_SHA; a date appears only when
SOURCE_DATE_EPOCH is set (https://reproducible-builds.org/specs/source-date-epoch/).
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from .. import __version__
from ..errors import GeneratorError

#: A commit id: SHA-1 (40) or SHA-256 (64) hex, or an abbreviation of one.
_COMMIT = re.compile(r"^[0-9a-f]{7,64}$")
#: Git's customary short form: enough to find the commit, short enough to read.
SHORT = 12


@dataclass(frozen=True)
class BuildInfo:
    version: str
    revision: str | None
    scenarios: int
    built_at: datetime | None


def _revision(environ: Mapping[str, str]) -> str | None:
    value = environ.get("GITHUB_SHA", "").strip().lower()
    if not value:
        return None
    if not _COMMIT.match(value):
        # The value is not echoed: an environment variable is no place to copy into an error.
        raise GeneratorError("GITHUB_SHA is set but is not a commit id (7 to 64 hexadecimal digits)")
    return value[:SHORT]


def _built_at(environ: Mapping[str, str]) -> datetime | None:
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise GeneratorError("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC")
    try:
        return datetime.fromtimestamp(int(value), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        raise GeneratorError("SOURCE_DATE_EPOCH is out of range") from None


def build_info(scenarios: int, environ: Mapping[str, str] | None = None) -> BuildInfo:
    """The footer's facts; raises GeneratorError when CI's variables are malformed."""
    environ = os.environ if environ is None else environ
    return BuildInfo(__version__, _revision(environ), scenarios, _built_at(environ))
