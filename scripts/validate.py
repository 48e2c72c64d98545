"""Validate a built package before it is published.

Takes a package folder (``datapackage.json``, ``schemas/``, ``data/``);
returns nothing when every check passes and raises a :class:`BuildError`
listing every failure otherwise. The checks, in order:

1. the descriptor and each Table Schema validate against the official Data
   Package 2.0 JSON Schemas (``config/profiles/datapackage-2.0``);
2. ``frictionless`` validates the package (types, constraints, primary and
   foreign keys, CSV bytes and hashes);
3. cross-table checks: every file's size and SHA-256 match the descriptor;
   the CSV and Parquet file of each table hold the same rows and values;
   every span of ``quotes``, ``statistics`` and ``mentions`` equals its
   source's text at its offsets; mentions of a source do not overlap; text
   hashes and lengths in ``sources`` match ``texts``;
4. the Great Expectations suites of :mod:`scripts.expectations`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Callable

import pyarrow.parquet as pq

from scripts.annotations import ROOT
from scripts.errors import BuildError
from scripts.schema import TABLES, TableSchema, load_schemas

PROFILES_DIR = ROOT / "config" / "profiles" / "datapackage-2.0"
SPAN_TABLES = ("mentions", "quotes", "statistics")


# --- Reading the tables as users will ------------------------------------

def _typed(value: str, field_type: str) -> Any:
    if value == "":
        return None
    if field_type == "integer":
        return int(value)
    if field_type == "number":
        return float(value)
    if field_type == "date":
        return dt.date.fromisoformat(value)
    return value


def read_csv_rows(path: Path, schema: TableSchema) -> list[dict[str, Any]]:
    """The rows of a CSV table, typed by its schema (empty cell = null)."""
    types = {f["name"]: f["type"] for f in schema.fields}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != schema.columns:
            raise BuildError(f"{path}: header {reader.fieldnames} differs from the schema's columns {schema.columns}")
        return [{k: _typed(v, types[k]) for k, v in row.items()} for row in reader]


def read_parquet_rows(path: Path, schema: TableSchema) -> list[dict[str, Any]]:
    """The rows of a Parquet table; its column names and types must be the schema's."""
    table = pq.read_table(path)
    expected = schema.arrow_schema()
    if not table.schema.remove_metadata().equals(expected.remove_metadata()):
        raise BuildError(f"{path}: Parquet schema\n{table.schema}\ndiffers from the Table Schema's\n{expected}")
    return table.to_pylist()


# --- The checks -----------------------------------------------------------

def check_profiles(package_dir: Path) -> list[str]:
    """Descriptor and Table Schemas against the official Data Package 2.0 profiles."""
    import jsonschema

    failures = []
    documents = [("datapackage.json", package_dir / "datapackage.json")] + [
        ("tableschema.json", package_dir / "schemas" / f"{name}.json") for name in TABLES
    ]
    for profile_name, path in documents:
        profile = json.loads((PROFILES_DIR / profile_name).read_text(encoding="utf-8"))
        validator = jsonschema.Draft7Validator(profile)
        for error in sorted(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))), key=str):
            location = "/".join(map(str, error.absolute_path)) or "(root)"
            failures.append(f"{path.name}: {location}: {error.message} (profile {profile_name})")
    return failures


def check_frictionless(package_dir: Path) -> list[str]:
    """``frictionless validate datapackage.json``, every error as one line."""
    from frictionless import validate

    report = validate(str(package_dir / "datapackage.json"))
    if report.valid:
        return []
    rows = report.flatten(["taskName", "rowNumber", "fieldName", "type", "message"])
    return [f"frictionless: resource {t or '(package)'}, row {r}, field {f}: {kind}: {m}" for t, r, f, kind, m in rows]


def check_files(package_dir: Path) -> list[str]:
    """Each resource file's size and hash against the descriptor."""
    descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    failures = []
    for resource in descriptor["resources"]:
        data = (package_dir / resource["path"]).read_bytes()
        if "bytes" in resource and resource["bytes"] != len(data):
            failures.append(f"{resource['path']}: {len(data)} bytes, the descriptor says {resource['bytes']}")
        if resource.get("hash") != f"sha256:{hashlib.sha256(data).hexdigest()}":
            failures.append(f"{resource['path']}: SHA-256 differs from the descriptor's hash")
    return failures


def check_tables(package_dir: Path) -> list[str]:
    """CSV = Parquet, spans equal the text at their offsets, no overlapping mentions, text hashes."""
    schemas = load_schemas()
    failures: list[str] = []
    rows: dict[str, list[dict[str, Any]]] = {}
    for name in TABLES:
        csv_rows = read_csv_rows(package_dir / "data" / f"{name}.csv", schemas[name])
        parquet_rows = read_parquet_rows(package_dir / "data" / f"{name}.parquet", schemas[name])
        if csv_rows != parquet_rows:
            differing = next((i for i, (a, b) in enumerate(zip(csv_rows, parquet_rows)) if a != b), None)
            failures.append(f"{name}: CSV and Parquet differ ({len(csv_rows)} vs {len(parquet_rows)} rows; "
                            f"first differing row {differing})")
        rows[name] = csv_rows
    texts = {row["source_id"]: row["text"] for row in rows["texts"]}
    for name in SPAN_TABLES:
        key = schemas[name].primary_key[0]
        for row in rows[name]:
            text = texts.get(row["source_id"], "")
            if text[row["start"]:row["end"]] != row["text"]:
                failures.append(f"{name} row {row[key]}: text[{row['start']}:{row['end']}] of {row['source_id']} "
                                f"is {text[row['start']:row['end']]!r}, the row says {row['text']!r}")
    by_source: dict[str, list[tuple[int, int, str]]] = {}
    for row in rows["mentions"]:
        by_source.setdefault(row["source_id"], []).append((row["start"], row["end"], row["mention_id"]))
    for source_id, spans in sorted(by_source.items()):
        spans.sort()
        for (s1, e1, id1), (s2, _e2, id2) in zip(spans, spans[1:]):
            if s2 < e1:
                failures.append(f"mentions {id1} and {id2} of {source_id} overlap")
    for row in rows["sources"]:
        text = texts.get(row["source_id"])
        if text is None:
            failures.append(f"sources row {row['source_id']}: no text in texts")
        elif hashlib.sha256(text.encode("utf-8")).hexdigest() != row["text_sha256"] or len(text) != row["n_chars"]:
            failures.append(f"sources row {row['source_id']}: text_sha256 or n_chars does not match texts")
    return failures


def validate_package(package_dir: Path | None = None, run_gx: bool = True, docs_dir: Path | None = None) -> None:
    """Run every check on the package in ``package_dir``; raise listing all failures.

    ``docs_dir``, when given, receives the Great Expectations Data Docs (HTML
    that loads its CSS/JS from CDNs and carries run timestamps, so it is never
    part of the published package).
    """
    package_dir = (package_dir or ROOT).resolve()
    if not (package_dir / "datapackage.json").is_file():
        raise BuildError(f"{package_dir}: no datapackage.json")
    steps: list[tuple[str, Callable[[Path], list[str]]]] = [("Data Package 2.0 profiles", check_profiles), ("frictionless", check_frictionless),
             ("files", check_files), ("cross-table", check_tables)]
    if run_gx:
        from scripts.expectations import run_suites

        steps.append(("Great Expectations", lambda d: run_suites(d / "data", docs_dir)))
    failures: list[str] = []
    for label, check in steps:
        found = check(package_dir)
        print(f"{label}: {'ok' if not found else f'{len(found)} failure(s)'}", flush=True)
        failures += found
    if failures:
        shown = "\n  ".join(failures[:50])
        more = f"\n  ... and {len(failures) - 50} more" if len(failures) > 50 else ""
        raise BuildError(f"validation of {package_dir} failed:\n  {shown}{more}")


def validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, nargs="?", default=None,
                        help="package folder (default: the project root)")
    parser.add_argument("--skip-gx", action="store_true", help="skip the Great Expectations suites")
    parser.add_argument("--docs", type=Path, default=None, help="also write Great Expectations Data Docs here")


def validate_command(args: argparse.Namespace) -> None:
    """``python -m scripts validate [DIR]``."""
    validate_package(args.directory, run_gx=not args.skip_gx, docs_dir=args.docs)
