"""Command line of the pipeline: ``python -m scripts <command>``.

Commands:
  release [--out DIR]   build into a temporary folder, validate, then replace
                        the tables and datapackage.json (``make data``)
  build --out DIR       build the tables and datapackage.json into DIR only
  validate [DIR]        validate a built package (default: the project root;
                        --docs DIR also writes Great Expectations Data Docs)
  check                 resolve every annotation and report, writing nothing
  mentions SOURCE_ID    list a source's mentions with their occurrence numbers
  stats [DIR]           per-source counts of quotes, statistics, entities, mentions
                        (--markdown prints the README's tables, --update-readme rewrites them)
A BuildError is printed as one message and exits with status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scripts.errors import BuildError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    release = commands.add_parser("release", help="build, validate, then replace the published outputs")
    release.add_argument("--skip-gx", action="store_true", help="skip the Great Expectations suites")
    build = commands.add_parser("build", help="build into a folder without validating")
    build.add_argument("--out", type=Path, required=True)
    validate = commands.add_parser("validate", help="validate a built package")
    validate.add_argument("directory", type=Path, nargs="?", default=None)
    validate.add_argument("--skip-gx", action="store_true", help="skip the Great Expectations suites")
    validate.add_argument("--docs", type=Path, default=None, help="also write Great Expectations Data Docs here")
    commands.add_parser("check", help="resolve every annotation, write nothing")
    mentions = commands.add_parser("mentions", help="list a source's mentions")
    mentions.add_argument("source_id")
    stats = commands.add_parser("stats", help="per-source annotation counts")
    stats.add_argument("directory", type=Path, nargs="?", default=None)
    stats.add_argument("--markdown", action="store_true", help="print Markdown tables")
    stats.add_argument("--update-readme", action="store_true", help="rewrite the tables of README.md")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            from scripts.tables import build_rows

            rows = build_rows()
            print(", ".join(f"{name}: {len(r)} rows" for name, r in rows.items()))
        elif args.command == "mentions":
            from scripts.report import print_mentions

            print_mentions(args.source_id)
        elif args.command == "stats":
            from scripts.report import print_stats, update_readme

            update_readme(args.directory) if args.update_readme else print_stats(args.directory, args.markdown)
        elif args.command == "build":
            from scripts.release import build_package

            build_package(args.out)
        elif args.command == "validate":
            from scripts.validate import validate_package

            validate_package(args.directory, run_gx=not args.skip_gx, docs_dir=args.docs)
        elif args.command == "release":
            from scripts.release import release

            release(run_gx=not args.skip_gx)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
