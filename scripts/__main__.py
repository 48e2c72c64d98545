"""Command line of the pipeline: ``python -m scripts <command>``.

Each command lives in the module of its stage, which defines
``<command>_arguments(parser)`` and ``<command>_command(args)``; this file
only lists them (modules are imported when their command runs, so heavy
imports such as Great Expectations stay off the other commands' paths).
A BuildError is printed as one message and exits with status 1. Before any
command, a publish that a killed run left half done is finished
(:func:`scripts.transaction.recover_if_pending`), so no command reads a mix of
old and new files.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from scripts.errors import BuildError

# command -> (module, help)
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("scripts.build", "build into a staging folder, validate, publish data/ and datapackage.json "
                               "(make data); --out DIR only builds"),
    "validate": ("scripts.validate", "validate a package folder (default: the project)"),
    "check": ("scripts.report", "resolve every annotation and report the row counts, writing nothing"),
    "mentions": ("scripts.report", "list a source's mentions with their occurrence numbers"),
    "stats": ("scripts.report", "per-source counts of quotes, statistics, entities and mentions"),
    "draft": ("scripts.draft", "draft annotation files and tables for new articles: FILE... --out DIR [--jobs N]"),
    "add": ("scripts.review", "draft a raw file of data/raw/ into annotations/ (review: drafted), proposing "
                              "entities: data/raw/FILE [--site SITE]"),
    "reanchor": ("scripts.reanchor", "re-resolve a source's spans against its raw file's current bytes, report the "
                                     "spans that moved or vanished, record the new raw_sha256: SOURCE_ID [--force]"),
    "review": ("scripts.review", "record that a person reviewed a source (after it resolves): SOURCE_ID --by NAME"),
    "evaluate": ("scripts.evaluate", "score the drafter: leave-one-out on the curated articles, or --benchmark "
                                     "newsquant|polnear"),
    "expectations": ("scripts.expectations", "regenerate the GX suites schemas/expectations/*.json from the "
                                             "schemas and config/expectations.yaml; --check fails if stale"),
    "diff": ("scripts.diff", "rows added, removed and changed and schema changes between two versions, "
                             "with the bump they require"),
    "sqlite": ("scripts.sqlite", "write the package as one SQLite database with keys, indexes, full-text search "
                                 "and views (make sqlite)"),
    "browse": ("scripts.browse", "write datasette metadata from the schemas and serve the SQLite file on "
                                 "127.0.0.1 (make browse)"),
    "site": ("scripts.site", "write the static site: article, entity, claims, dictionary and chart pages "
                             "(make site)"),
    "hydrate": ("scripts.hydrate", "restore the article texts of an open package from your own copies of the "
                                   "articles: OPEN_ZIP_OR_DIR --raw DIR --out DIR"),
    "release": ("scripts.release", "cut a release: bump the version, write manifest, CHANGELOG, citation files "
                                   "and dist/ zip (--dry-run changes nothing)"),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scripts", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        sub = commands.add_parser(name, help=help_text, description=help_text)
        getattr(importlib.import_module(module), f"{name}_arguments")(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    module, _help = COMMANDS[args.command]
    try:
        from scripts.annotations import ROOT
        from scripts.transaction import recover_if_pending

        recover_if_pending(ROOT)
        getattr(importlib.import_module(module), f"{args.command}_command")(args)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
