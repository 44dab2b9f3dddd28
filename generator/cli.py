"""Command line: `python -m generator build|…`. Errors become messages and exit codes here."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import __version__
from .build import build, prepare
from .errors import GeneratorError
from .scaffold import scaffold


def _build(args: argparse.Namespace) -> int:
    report = build(args.scenarios, args.out)
    total = sum(report.seconds.values())
    if args.timings:
        args.timings.write_text(json.dumps(report.seconds), encoding="utf-8")
    print(f"Built {report.scenarios} scenarios into {args.out}/ "
          f"({report.files} files, {report.bytes / 1024:.1f} KiB) in {total * 1000:.0f} ms")
    return 0


def _check(args: argparse.Namespace) -> int:
    scenarios, files = prepare(args.scenarios)
    print(f"OK: {len(scenarios)} scenarios in {args.scenarios}/ are valid "
          f"({len(files)} files rendered in memory, nothing written)")
    return 0


def _new(args: argparse.Namespace) -> int:
    path = scaffold(args.scenarios, args.id, args.source)
    print(path)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m generator",
                                description="Build the Shopify source connector mock from YAML scenarios.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = p.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="render every scenario into a static site")
    b.add_argument("--scenarios", type=Path, default=Path("scenarios"), help="folder of *.yml (default: scenarios)")
    b.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    b.add_argument("--timings", type=Path, help=argparse.SUPPRESS)  # seconds per phase, for bench/bench.py
    b.set_defaults(run=_build)
    c = commands.add_parser("check", help="validate and render every scenario without writing the site")
    c.add_argument("--scenarios", type=Path, default=Path("scenarios"), help="folder of *.yml (default: scenarios)")
    c.set_defaults(run=_check)
    n = commands.add_parser("new", help="scaffold a scenario that extends another one")
    n.add_argument("id", help="the new scenario's id, e.g. token-revoked (its file name)")
    n.add_argument("--from", dest="source", metavar="ID", default="_base", help="scenario or base to extend (default: _base)")
    n.add_argument("--scenarios", type=Path, default=Path("scenarios"), help="folder of *.yml (default: scenarios)")
    n.set_defaults(run=_new)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except GeneratorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return 130
