"""Command line: `python -m generator build|…`. Errors become messages and exit codes here."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .build import build
from .errors import GeneratorError


def _build(args: argparse.Namespace) -> int:
    report = build(args.scenarios, args.out)
    total = sum(report.seconds.values())
    print(f"Built {report.scenarios} scenarios into {args.out}/ "
          f"({report.files} files, {report.bytes / 1024:.1f} KiB) in {total * 1000:.0f} ms")
    return 0


def _serve(args: argparse.Namespace) -> int:
    from .serve import serve  # the server's imports cost a build nothing
    return serve(args.scenarios, args.host, args.port)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m generator",
                                description="Build the Shopify source connector mock from YAML scenarios.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = p.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="render every scenario into a static site")
    b.add_argument("--scenarios", type=Path, default=Path("scenarios"), help="folder of *.yml (default: scenarios)")
    b.add_argument("--out", type=Path, default=Path("site"), help="output folder (default: site)")
    b.set_defaults(run=_build)
    s = commands.add_parser("serve", help="serve the site, rebuild on save and reload the open pages")
    s.add_argument("--scenarios", type=Path, default=Path("scenarios"), help="folder of *.yml (default: scenarios)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 picks a free one)")
    s.set_defaults(run=_serve)
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
