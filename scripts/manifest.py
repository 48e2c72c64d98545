"""Release manifests: what a package folder holds, so that later diffs need no old files.

Takes a package folder (``datapackage.json``, the ``schemas/`` it points to,
``data/<table>.csv|parquet``); returns a manifest: a JSON-ready dict with the
package metadata (everything of ``datapackage.json`` but ``version``,
``created`` and ``resources``) and, per table, its row count, primary key,
Table Schema, the size and ``sha256`` of its CSV and Parquet files (of each
part, for a table written as parts: :mod:`scripts.parts`), and one
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
from pathlib import Path, PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from scripts.annotations import ROOT
from scripts.errors import BuildError
from scripts.hashing import file_sha256
from scripts.untrusted import Package, Resource, read_package

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


def files_entry(package: Package, resource: Resource) -> dict[str, Any]:
    """The manifest's record of a resource's files: path, bytes and sha256 of its one file; or, for a table
    written as parts, the list of paths, the total bytes and each part's path, bytes and sha256."""
    if not resource.paths:
        return {"path": resource.path, **file_facts(package.file(resource.path))}
    parts = [{"path": path, **file_facts(package.file(path))} for path in resource.paths]
    return {"path": list(resource.paths), "bytes": sum(part["bytes"] for part in parts), "parts": parts}


def files_fingerprint(entry: dict[str, Any]) -> Any:
    """What of a manifest's files entry changes when a file's bytes do: its sha256, or each part's."""
    return [part["sha256"] for part in entry["parts"]] if "parts" in entry else entry["sha256"]


# --- Reading a package folder --------------------------------------------

def read_descriptor(package_dir: Path) -> dict[str, Any]:
    """The descriptor of a package folder, once every path it names is known to stay inside it."""
    return read_package(package_dir).descriptor


def package_tables(package: Package) -> dict[str, dict[str, Resource]]:
    """Table -> {format: resource} from the descriptor; a table is named after its file's name, or after the
    folder of its parts (``data/<table>/part-NNN.*``)."""
    tables: dict[str, dict[str, Resource]] = {}
    for resource in package.resources:
        path = PurePosixPath(resource.path)
        tables.setdefault(path.parent.name if resource.paths else path.stem, {})[resource.format] = resource
    return tables


def read_rows(package: Package, resources: dict[str, Resource]) -> list[dict[str, Any]]:
    """The rows of a table as typed values, read from its Parquet file."""
    resource = resources.get("parquet")
    if resource is None:
        names = ", ".join(r.name for r in resources.values())
        raise BuildError(f"{package.folder}: table of resource {names} has no Parquet resource")
    rows: list[dict[str, Any]] = []
    for relative in resource.files:   # the one file, or every part in order
        path = package.file(relative)
        try:
            rows += pq.read_table(path).to_pylist()
        except (OSError, pa.ArrowInvalid) as exc:
            raise BuildError(f"{path}: cannot be read as Parquet: {exc}") from None
    return rows


def _primary_key(package: Package, table: str, resources: dict[str, Resource]) -> list[str]:
    primary_key = list((resources.get("csv") or resources["parquet"]).schema.get("primaryKey", []))
    if not primary_key:
        raise BuildError(f"{package.folder}: schema of table {table} has no primaryKey; rows cannot be keyed")
    return primary_key


def keyed_rows(package: Package, table: str, resources: dict[str, Resource]) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """(primary key, {row key: row}) of one table; a BuildError when a row lacks a key field or a key repeats."""
    primary_key = _primary_key(package, table, resources)
    keyed: dict[str, dict[str, Any]] = {}
    for index, row in enumerate(read_rows(package, resources)):
        missing = [f for f in primary_key if f not in row]
        if missing:
            raise BuildError(f"{package.folder}: table {table}: the Parquet file has no column {', '.join(missing)}")
        key = row_key(row, primary_key)
        if key in keyed:
            raise BuildError(f"{package.folder}: table {table} row {index + 1}: primary key {key!r} repeats")
        keyed[key] = row
    return primary_key, keyed


def package_rows(package_dir: Path) -> dict[str, tuple[list[str], dict[str, dict[str, Any]]]]:
    """Table -> (primary key, {row key: row}) of a package folder."""
    package = read_package(package_dir)
    return {table: keyed_rows(package, table, resources) for table, resources in package_tables(package).items()}


# --- The manifest -------------------------------------------------------

def build_manifest(package_dir: Path, version: str | None = None, date: str | None = None,
                   extra_metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """The manifest of the package in ``package_dir`` (``version``/``date`` default to the descriptor's).

    ``extra_metadata`` adds package metadata kept outside ``datapackage.json``
    (the DOI of ``config/package.yaml``), so that adding it is a change.
    """
    # Load
    package = read_package(package_dir)
    descriptor = package.descriptor
    # Process
    tables: dict[str, Any] = {}
    for table, resources in package_tables(package).items():
        schema = (resources.get("csv") or resources["parquet"]).declared_schema
        primary_key, rows = keyed_rows(package, table, resources)
        tables[table] = {
            "rows": len(rows),
            "primaryKey": primary_key,
            "files": {fmt: files_entry(package, res) for fmt, res in sorted(resources.items())},
            "schema": schema,
            "row_hashes": dict(sorted((key, row_hash(row)) for key, row in rows.items())),
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
