"""Command line: `python -m generator build|…`. Errors become messages and exit codes here."""
from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from . import __version__
from .build import build
from .errors import GeneratorError
from .leak_guard import redact


def _build(args: argparse.Namespace) -> int:
    report = build(args.scenarios, args.out)
    total = sum(report.seconds.values())
    print(f"Built {report.scenarios} scenarios into {args.out}/ "
          f"({report.files} files, {report.bytes / 1024:.1f} KiB) in {total * 1000:.0f} ms")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m generator",
                                description="Build the Shopify source connector mock from YAML scenarios.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = p.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="render every scenario into a static site")
    b.add_argument("--scenarios", type=Path, default=Path("scenarios"), help="folder of *.yml (default: scenarios)")
    b.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    b.set_defaults(run=_build)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except GeneratorError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return 130
    except Exception:  # a bug: show where, but never a value that looks like a secret
        print(redact(traceback.format_exc()), file=sys.stderr)
        print("internal error; the previous site is unchanged", file=sys.stderr)
        return 2
