"""Describe the built tables as a Frictionless Data Package (v2).

Takes a folder holding ``data/<table>.csv`` and ``data/<table>.parquet`` (the
output of :func:`scripts.tables.write_tables`), the package metadata in
``config/package.yaml`` and the Table Schemas in ``schemas/``; returns the
descriptor as a dict and saves it as ``datapackage.json`` in that folder, with
one resource per table and format: path, format, mediatype, encoding, bytes,
``sha256:`` hash, and the schema by path (``schemas/<table>.json``, which
holds the primary and foreign keys). Parquet resources carry no ``bytes``:
frictionless cannot count the bytes of a Parquet file and would report every
one invalid; their hash (and size) is checked by :mod:`scripts.validate`. The CSV resource of a table is named
after the table; the Parquet one adds ``-parquet``.

A table written as parts (``data/<table>/part-NNN.csv|parquet``, see
:mod:`scripts.parts`) is a multi-path resource: ``path`` lists the parts in
order, and ``parts`` gives each part's ``path``, ``bytes`` and ``hash`` (a
resource-level ``bytes`` and ``hash`` would describe a concatenation that is
no file). Every CSV part has the header row, so that each is a CSV file of its
own and frictionless, DuckDB and Polars read the parts as one table.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scripts.annotations import ROOT
from scripts.errors import BuildError
from scripts.hashing import file_sha256
from scripts.parts import files_present
from scripts.schema import TABLES, load_schema
from scripts.strict_yaml import load_yaml

PACKAGE_CONFIG = ROOT / "config" / "package.yaml"
PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
RESOURCE_PROFILE = "https://datapackage.org/profiles/2.0/dataresource.json"
FORMATS = {
    "csv": {"format": "csv", "mediatype": "text/csv", "encoding": "utf-8"},
    "parquet": {"format": "parquet", "mediatype": "application/vnd.apache.parquet"},
}


def file_facts(path: Path) -> dict[str, Any]:
    """Size in bytes and ``sha256:`` hash of a file."""
    size, digest = file_sha256(path)
    return {"bytes": size, "hash": f"sha256:{digest}"}


def refresh_facts(resource: dict[str, Any], folder: Path) -> None:
    """Set a resource's ``hash`` (and ``bytes``, when it has them) to those of its file in ``folder``; for a
    multi-path resource, each part's (a package rewritten file by file, as the open flavour is)."""
    if "parts" in resource:
        for part in resource["parts"]:
            part.update(file_facts(folder / part["path"]))
        return
    facts = file_facts(folder / resource["path"])
    resource["hash"] = facts["hash"]
    if "bytes" in resource:
        resource["bytes"] = facts["bytes"]


def declared_facts(resource: dict[str, Any]) -> list[tuple[str, int | None, str | None]]:
    """(path, bytes, hash) of each file of a resource as its descriptor declares them (None: not declared)."""
    if "parts" in resource:
        return [(part["path"], part.get("bytes"), part.get("hash")) for part in resource["parts"]]
    return [(resource["path"], resource.get("bytes"), resource.get("hash"))]


def resource_name(table: str, extension: str) -> str:
    return table if extension == "csv" else f"{table}-{extension}"


def describe(package_dir: Path, config_path: Path | None = None) -> dict[str, Any]:
    """The descriptor of the package in ``package_dir``, with the metadata of ``config_path``.

    ``config_path`` defaults to ``config/package.yaml`` of the project; a release passes the staged
    copy that carries its new version, so the project's copy changes only when the release is published.
    """
    # Load
    config_path = config_path or PACKAGE_CONFIG
    meta = load_yaml(config_path)

    # Process
    resources = []
    for extension in FORMATS:
        for table in TABLES:
            paths = files_present(package_dir, table, extension)
            if not paths:
                raise BuildError(f"{package_dir / 'data' / f'{table}.{extension}'}: missing; build the tables first")
            schema = load_schema(table)
            resource: dict[str, Any] = {
                "$schema": RESOURCE_PROFILE,
                "name": resource_name(table, extension),
                "type": "table",
                "path": paths[0] if len(paths) == 1 else paths,
                "title": f"{table} ({extension.upper()})",
                "description": schema.descriptor.get("description", ""),
                **FORMATS[extension],
            }
            facts = [file_facts(package_dir.joinpath(*path.split("/"))) for path in paths]
            if len(paths) == 1:
                resource.update({k: v for k, v in facts[0].items() if extension == "csv" or k != "bytes"})
            else:
                resource["parts"] = [{"path": path, **fact} for path, fact in zip(paths, facts)]
            resource["schema"] = f"schemas/{table}.json"
            resources.append(resource)
    descriptor: dict[str, Any] = {"$schema": PROFILE}
    for key in ("name", "title", "description", "version", "created", "homepage", "keywords",
                "licenses", "contributors", "sources"):
        if meta.get(key) is not None:
            descriptor[key] = " ".join(meta[key].split()) if key == "description" else meta[key]
    for license_ in descriptor.get("licenses", []):
        license_["title"] = " ".join(license_["title"].split())
    descriptor["resources"] = resources
    return descriptor


def write_descriptor(package_dir: Path, config_path: Path | None = None) -> dict[str, Any]:
    """Save ``datapackage.json`` in ``package_dir`` and return it (``config_path``: see :func:`describe`)."""
    descriptor = describe(package_dir, config_path)
    text = json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"
    (package_dir / "datapackage.json").write_text(text, encoding="utf-8")
    return descriptor
