"""Release manifests: what a package folder holds, so that later diffs need no old files.

Takes a package folder (``datapackage.json``, the ``schemas/`` it points to,
``data/<table>.csv|parquet``); returns a manifest: a JSON-ready dict with the
package metadata (everything of ``datapackage.json`` but ``version``,
``created`` and ``resources``) and, per table, its row count, primary key,
Table Schema, the size and ``sha256`` of its CSV and Parquet files, and one
content hash per row keyed by primary key. A row's hash is the SHA-256 of the
canonical JSON of its values as typed by the schema (read from Parquet; dates
as ISO strings), so a hash changes exactly when a value does. Manifests of a
release are saved as ``releases/<version>.json``; :func:`manifest_text` is
deterministic (sorted keys, fixed layout, no clock).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from scripts.annotations import ROOT
from scripts.errors import BuildError
from scripts.hashing import file_sha256

RELEASES_DIR = ROOT / "releases"
MANIFEST_FORMAT = 1
VERSION_PATTERN = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
# Keys of datapackage.json that are not package metadata to compare between releases.
UNCOMPARED_KEYS = ("version", "created", "resources")


# --- Versions --------------------------------------------------------------

def parse_version(version: str, where: str = "version") -> tuple[int, int, int]:
    """``"1.2.3"`` -> ``(1, 2, 3)``; a BuildError naming ``where`` otherwise."""
    match = VERSION_PATTERN.match(str(version))
    if not match:
        raise BuildError(f"{where}: {version!r} is not a MAJOR.MINOR.PATCH version")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def release_manifests(releases_dir: Path = RELEASES_DIR) -> dict[str, Path]:
    """Version -> manifest path of every ``<version>.json`` in ``releases_dir``, oldest first."""
    found = {p.stem: p for p in releases_dir.glob("*.json") if VERSION_PATTERN.match(p.stem)} if releases_dir.is_dir() else {}
    return {version: found[version] for version in sorted(found, key=parse_version)}


def newest_manifest(releases_dir: Path = RELEASES_DIR) -> Path | None:
    manifests = release_manifests(releases_dir)
    return list(manifests.values())[-1] if manifests else None


# --- Rows and their hashes -----------------------------------------------

def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} {value!r}")


def canonical_json(value: Any) -> str:
    """The one serialisation hashed: sorted keys, no spaces, UTF-8 text, dates as ISO."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def row_hash(row: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(row).encode("utf-8")).hexdigest()


def row_key(row: dict[str, Any], primary_key: list[str]) -> str:
    """The row's primary key as one string (the value itself for a one-field key)."""
    values = [row[field] for field in primary_key]
    return str(values[0]) if len(values) == 1 else canonical_json(values)


def file_facts(path: Path) -> dict[str, Any]:
    size, digest = file_sha256(path)
    return {"bytes": size, "sha256": digest}


# --- Reading a package folder --------------------------------------------

def read_descriptor(package_dir: Path) -> dict[str, Any]:
    path = package_dir / "datapackage.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BuildError(f"{path}: cannot be read as JSON: {exc}") from None


def package_tables(package_dir: Path, descriptor: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Table -> {format: resource} from the descriptor; a table is named after its CSV resource."""
    tables: dict[str, dict[str, Any]] = {}
    for resource in descriptor.get("resources", []):
        path = resource.get("path")
        if not isinstance(path, str):
            raise BuildError(f"{package_dir / 'datapackage.json'}: resource {resource.get('name')!r} has no single path")
        tables.setdefault(Path(path).stem, {})[resource.get("format", Path(path).suffix.lstrip("."))] = resource
    return tables


def read_table_schema(package_dir: Path, resource: dict[str, Any]) -> dict[str, Any]:
    schema = resource.get("schema")
    if isinstance(schema, dict):
        return schema
    path = package_dir / str(schema)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BuildError(f"{path}: schema of resource {resource.get('name')!r} cannot be read: {exc}") from None


def read_rows(package_dir: Path, resources: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of a table as typed values, read from its Parquet file."""
    resource = resources.get("parquet")
    if resource is None:
        raise BuildError(f"{package_dir}: table of {resources} has no Parquet resource")
    path = package_dir / resource["path"]
    try:
        return pq.read_table(path).to_pylist()
    except OSError as exc:
        raise BuildError(f"{path}: cannot be read as Parquet: {exc}") from None


def package_rows(package_dir: Path) -> dict[str, tuple[list[str], dict[str, dict[str, Any]]]]:
    """Table -> (primary key, {row key: row}) of a package folder."""
    descriptor = read_descriptor(package_dir)
    result = {}
    for table, resources in package_tables(package_dir, descriptor).items():
        primary_key = list(read_table_schema(package_dir, resources.get("csv") or resources["parquet"])["primaryKey"])
        result[table] = (primary_key, {row_key(row, primary_key): row for row in read_rows(package_dir, resources)})
    return result


# --- The manifest -------------------------------------------------------

def build_manifest(package_dir: Path, version: str | None = None, date: str | None = None,
                   extra_metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest of the package in ``package_dir`` (``version``/``date`` default to the descriptor's).

    ``extra_metadata`` adds package metadata kept outside ``datapackage.json``
    (the DOI of ``config/package.yaml``), so that adding it is a change.
    """
    # Load
    descriptor = read_descriptor(package_dir)
    # Process
    tables: dict[str, Any] = {}
    for table, resources in package_tables(package_dir, descriptor).items():
        schema = read_table_schema(package_dir, resources.get("csv") or resources["parquet"])
        primary_key = list(schema.get("primaryKey", []))
        if not primary_key:
            raise BuildError(f"{package_dir}: schema of table {table} has no primaryKey; rows cannot be keyed")
        rows = read_rows(package_dir, resources)
        hashes: dict[str, str] = {}
        for index, row in enumerate(rows):
            key = row_key(row, primary_key)
            if key in hashes:
                raise BuildError(f"{package_dir}: table {table} row {index + 1}: primary key {key!r} repeats")
            hashes[key] = row_hash(row)
        tables[table] = {
            "rows": len(rows),
            "primaryKey": primary_key,
            "files": {fmt: {"path": res["path"], **file_facts(package_dir / res["path"])}
                      for fmt, res in sorted(resources.items())},
            "schema": schema,
            "row_hashes": dict(sorted(hashes.items())),
        }
    return {
        "manifest_format": MANIFEST_FORMAT,
        "name": descriptor.get("name"),
        "version": version if version is not None else descriptor.get("version"),
        "date": date if date is not None else str(descriptor.get("created", ""))[:10] or None,
        "metadata": {**{k: v for k, v in descriptor.items() if k not in UNCOMPARED_KEYS}, **(extra_metadata or {})},
        "tables": tables,
    }


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as saved: sorted keys, one-space indent, UTF-8, final newline."""
    return json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_manifest(manifest: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(manifest_text(manifest), encoding="utf-8")


def load_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BuildError(f"{path}: cannot be read as a manifest: {exc}") from None
    if not isinstance(manifest, dict) or "tables" not in manifest:
        raise BuildError(f"{path}: not a release manifest (no 'tables')")
    return manifest
