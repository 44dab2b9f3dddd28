"""Command line: `python -m generator build|…`. Errors become messages and exit codes here."""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
from pathlib import Path

from . import __version__
from .build import build, prepare
from .errors import GeneratorError
from .guard.secrets import redact
from .model.scaffold import scaffold
from .output.progress import Progress
from .output.write import Terminated
from .review.widths import WIDTH_NAMES
from .words import agreeing, counted


def _build(args: argparse.Namespace) -> int:
    progress = Progress(sys.stderr)  # a counting line on a terminal, once the build takes a while
    try:
        report = build(args.scenarios, args.out, progress=progress)
    finally:
        progress.close()
    total = sum(report.seconds.values())
    if args.timings:
        args.timings.write_text(json.dumps(report.seconds), encoding="utf-8")
    print(f"Built {counted(report.scenarios, 'scenario')} into {args.out}/ "
          f"({counted(report.files, 'file')}, {report.bytes / 1024:.1f} KiB) in {total * 1000:.0f} ms")
    return 0


def _check(args: argparse.Namespace) -> int:
    scenarios, files = prepare(args.scenarios, processes=None)  # every core when the site is large
    print(f"OK: {counted(len(scenarios), 'scenario')} in {args.scenarios}/ "
          f"{agreeing(len(scenarios), 'is', 'are')} valid "
          f"({counted(len(files), 'file')} rendered in memory, nothing written)")
    return 0


def _new(args: argparse.Namespace) -> int:
    path = scaffold(args.scenarios, args.id, args.source)
    print(path)
    return 0


def _diff(args: argparse.Namespace) -> int:
    """Exit 0: same state everywhere; 1: something changed; 2: the builds could not be compared."""
    from .review.diff import diff_manifests, to_markdown, to_text
    from .review.revisions import load_side
    try:
        with tempfile.TemporaryDirectory(prefix="generator-diff-") as work:
            (old, old_label), (new, new_label) = (load_side(side, Path.cwd(), Path(work))
                                                  for side in (args.old, args.new))
        result = diff_manifests(old, new, old_label, new_label)
    except GeneratorError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 2
    print(to_markdown(result) if args.markdown else to_text(result), end="")
    return 1 if result.changed else 0


def _review(args: argparse.Namespace) -> int:
    """Exit 0: no page looks different; 1: some do (report written); 2: could not compare."""
    from .review.diff import diff_manifests
    from .review.revisions import read_manifest, site_folder
    from .review.visual import review, summary_markdown, summary_text, write_report
    try:
        with tempfile.TemporaryDirectory(prefix="generator-review-") as work:
            (old, old_label), (new, new_label) = (site_folder(side, Path.cwd(), Path(work))
                                                  for side in (args.old, args.new))
            states = diff_manifests(read_manifest(old), read_manifest(new), old_label, new_label)
            result, pictures = review(old, new, force=args.all, widths=args.width or WIDTH_NAMES)
        changes = {s.id: list(s.changes) for s in states.scenarios}
        report = write_report(args.out, result, pictures, changes, (old_label, new_label), args.threshold)
    except GeneratorError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 2
    print(summary_markdown(result, args.threshold) if args.markdown else summary_text(result, args.threshold), end="")
    print(f"Report: {report}", file=sys.stderr)
    return 1 if result.changed else 0


def _serve(args: argparse.Namespace) -> int:
    from .dev.serve import serve  # the server's imports cost a build nothing
    return serve(args.scenarios, args.host, args.port)


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
    d = commands.add_parser("diff", help="what changed in every scenario's state between two builds",
                            description="Compare two builds, each a site folder or a git revision "
                                        "(built on the spot). Exit 0: no change; 1: changes; 2: error.")
    d.add_argument("old", help="site folder or git revision before the change")
    d.add_argument("new", help="site folder or git revision after the change")
    d.add_argument("--markdown", action="store_true", help="Markdown for a pull-request comment")
    d.set_defaults(run=_diff)
    r = commands.add_parser("review", help="screenshot every page of two builds and report what looks different",
                            description="Screenshot every page of two builds (site folders or git revisions) "
                                        "at desktop and phone width in Chromium, compare them pixel by pixel "
                                        "and write a static report. Exit 0: no change; 1: changes; 2: error.")
    r.add_argument("old", help="site folder or git revision before the change")
    r.add_argument("new", help="site folder or git revision after the change")
    r.add_argument("--out", type=Path, default=Path("review"), help="report folder (default: review)")
    r.add_argument("--threshold", type=float, default=0.05,
                   help="share of changed pixels called out first as a large change (default: 0.05)")
    r.add_argument("--markdown", action="store_true", help="Markdown summary for a pull request's job summary")
    r.add_argument("--all", action="store_true", help="screenshot pages even when their bytes are identical")
    r.add_argument("--width", action="append", choices=WIDTH_NAMES,
                   help=f"review at this width only (repeatable; default: {' and '.join(WIDTH_NAMES)})")
    r.set_defaults(run=_review)
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
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the previous site is unchanged", file=sys.stderr)
        return 130
    except Terminated:
        print("terminated; the previous site is unchanged", file=sys.stderr)
        return 143
    except Exception:  # a bug: show where, but never a value that looks like a secret
        print(redact(traceback.format_exc()), file=sys.stderr)
        print("internal error; the previous site is unchanged", file=sys.stderr)
        return 2
