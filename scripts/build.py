"""Build the package into a staging folder, validate it, then publish it.

:func:`build_package` takes an output folder and writes a complete package
there: ``data/<table>.csv|parquet``, ``schemas/`` and ``datapackage.json``.
:func:`build_and_publish` (``make data``) builds into a fresh staging folder inside the
project, runs every check of :mod:`scripts.validate`, and only when all pass
replaces ``data/<table>.*`` and ``datapackage.json`` of the project. On any
failure the published outputs are left untouched (``data/raw/`` never is).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from scripts.annotations import ROOT
from scripts.derived import write_derived
from scripts.errors import BuildError
from scripts.package import write_descriptor
from scripts.review import describe_unreviewed, unreviewed
from scripts.schema import SCHEMAS_DIR, TABLES
from scripts.sources import PACKAGE_RAW_DIR, RAW_DIR
from scripts.tables import build_tables, write_tables


def build_package(out_dir: Path, **inputs: Path) -> list[Path]:
    """Build tables, schemas and descriptor into ``out_dir``; returns the published files.

    ``inputs`` may override the input folders (``registry_path``, ``sources_dir``,
    ``raw_dir``) of :func:`scripts.tables.build_rows`, for fixture corpora.
    """
    # Load + process
    tables = build_tables(**inputs)
    # Save
    written = write_tables(tables, out_dir / "data")
    written += link_raw_files(tables["sources"]["raw_path"].tolist(), inputs.get("raw_dir", RAW_DIR), out_dir)
    shutil.copytree(SCHEMAS_DIR, out_dir / "schemas", dirs_exist_ok=True)
    write_descriptor(out_dir)
    print(", ".join(f"{name}: {len(frame)} rows" for name, frame in tables.items()))
    return [*written, out_dir / "datapackage.json"]


def link_raw_files(raw_paths: list[str], raw_dir: Path, out_dir: Path) -> list[Path]:
    """Copy each source's raw file to its ``raw_path`` inside ``out_dir``.

    A built package then holds the bytes its ``raw_sha256`` describe and validates on its own.
    """
    written = []
    for raw_path in raw_paths:
        target = out_dir / raw_path
        source = raw_dir / Path(raw_path).relative_to(PACKAGE_RAW_DIR)
        if target.resolve() == source.resolve():
            continue  # building into the project itself
        target.parent.mkdir(parents=True, exist_ok=True)
        # a copy, not a hard link: editing a built package must never touch data/raw/
        shutil.copyfile(source, target)
        written.append(target)
    return written


def publish(staging: Path, target: Path = ROOT) -> None:
    """Move the validated files of ``staging`` over those of ``target``, one atomic rename each."""
    (target / "data").mkdir(exist_ok=True)
    for table in TABLES:
        for extension in ("csv", "parquet"):
            os.replace(staging / "data" / f"{table}.{extension}", target / "data" / f"{table}.{extension}")
    os.replace(staging / "datapackage.json", target / "datapackage.json")


def build_and_publish(run_gx: bool = True, target: Path = ROOT, **inputs: Path) -> None:
    """Build, validate, and publish into ``target`` only when every check passes."""
    from scripts.validate import validate_package

    staging = Path(tempfile.mkdtemp(prefix=".build-", dir=target))
    try:
        if run_gx:  # the suites are derived from the schemas: regenerate them before they judge the build
            from scripts.expectations import generate_suites, write_suites

            changed = write_suites(generate_suites())
            if changed:
                print(f"regenerated Great Expectations suites: {', '.join(changed)}")
        build_package(staging, **inputs)
        # the report stays (build/ is not published) so a failed build can be read afterwards
        validate_package(staging, run_gx=run_gx, report_path=target / "build" / "validation" / "report.json",
                         project_dir=target)
        publish(staging, target)
        print(f"published {len(TABLES)} tables (CSV and Parquet) and datapackage.json in {target}")
        changed = write_derived(target)
        if changed:
            print(f"regenerated from the package: {', '.join(changed)}")
        pending = describe_unreviewed(unreviewed(target))
        if pending:
            print(f"not yet reviewed: {pending}; they are built as drafts (sources.review_status) and a release "
                  "refuses them until `python -m scripts review SOURCE_ID --by NAME` (or release --publish-drafts)")
    except BuildError:
        print("the previous outputs in data/ and datapackage.json are unchanged", flush=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="only build into this folder (no validation, nothing published)")
    parser.add_argument("--skip-gx", action="store_true", help="skip the Great Expectations suites")


def build_command(args: argparse.Namespace) -> None:
    """``python -m scripts build``: build, validate, publish; or only build into --out."""
    if args.out is not None:
        build_package(args.out)
    else:
        build_and_publish(run_gx=not args.skip_gx)
