"""datasette over the SQLite file (``make browse``), with metadata generated from the package.

Takes a package folder (``datapackage.json`` and its ``schemas/``),
``config/site.yaml`` (the label column of a referenced table) and the SQLite
file of :mod:`scripts.sqlite`; returns datasette metadata (title,
description, licence, source, and per table its title, description, column
descriptions, facets and label column, and the full-text index datasette
searches) and serves the file read-only on 127.0.0.1. Facets are the
columns a schema gives an ``enum`` or a foreign key; column descriptions are
the schemas' ``title`` and ``description``. Nothing here lists a column.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from scripts.annotations import ROOT
from scripts.schema import TableSchema
from scripts.site import ID_COLUMNS, SITE_CONFIG, TABLE_OF, load_site_config
from scripts.sqlite import FTS_COLUMNS, VIEWS, default_path, write_sqlite
from scripts.untrusted import package_schemas, read_descriptor_json

DEFAULT_PORT = 8001
VIEW_DESCRIPTIONS = {
    "quotes_with_speaker": "Every quote with its speaker's and channel's names and types and its article's title, "
                           "publisher and date.",
    "statistics_with_source": "Every statistic with its article's title, publisher and date and the name of the "
                              "entity it is credited to.",
    "mentions_with_entity": "Every mention with the entity's name and type and its article's title and date.",
}


def column_description(field: dict[str, Any]) -> str:
    title, description = field.get("title", ""), field.get("description", "")
    return f"{title}: {description}" if title and description else title or description


def facets_of(schema: TableSchema) -> list[str]:
    """Columns with an ``enum`` constraint, then foreign-key columns, in schema order."""
    enums = [f["name"] for f in schema.fields if "enum" in f.get("constraints", {})]
    keys = [column for fk in schema.foreign_keys for column in fk["fields"]]
    return enums + [column for column in keys if column not in enums]


def table_metadata(schema: TableSchema, labels: dict[str, str]) -> dict[str, Any]:
    description = schema.descriptor.get("description", "")
    span_id = {TABLE_OF[kind]: ID_COLUMNS[kind] for kind in TABLE_OF}.get(schema.name)
    if span_id:  # tell readers where a row is shown in place
        description += (f" Each row is highlighted in its article on the static site (make site): "
                        f"articles/<source_id>.html#<{span_id}>.")
    metadata: dict[str, Any] = {
        "description": description,
        "columns": {f["name"]: column_description(f) for f in schema.fields},
        "facets": facets_of(schema),
    }
    if schema.name in labels and labels[schema.name] in schema.columns:
        metadata["label_column"] = labels[schema.name]
    if any(column in schema.columns for column in FTS_COLUMNS.get(schema.name, ())):
        metadata["fts_table"] = f"{schema.name}_fts"
    return metadata


def view_metadata(name: str, schemas: dict[str, TableSchema]) -> dict[str, Any]:
    """A view's columns are described as the table columns they show; its facets are theirs."""
    descriptions: dict[str, str] = {}
    facets: list[str] = []
    main = VIEWS[name].split("FROM", 1)[1].split()[0]  # the table a view has one row per; its columns come first
    for schema in sorted(schemas.values(), key=lambda s: s.name != main):
        for field in schema.fields:
            descriptions.setdefault(field["name"], column_description(field))
        facets += [f for f in facets_of(schema) if f not in facets]
    shown = _view_columns(name)
    return {"description": VIEW_DESCRIPTIONS.get(name, ""),
            "columns": {c: descriptions[c] for c in shown if c in descriptions},
            "facets": [f for f in facets if f in shown]}


def _view_columns(name: str) -> list[str]:
    """The output column names of a view, read from its SELECT list."""
    select = VIEWS[name].split("SELECT", 1)[1].split("FROM", 1)[0]
    return [part.strip().split()[-1].split(".")[-1].strip('"') for part in select.split(",")]


def datasette_metadata(package_dir: Path, database: str, config_path: Path = SITE_CONFIG) -> dict[str, Any]:
    """The metadata of the package's database named ``database`` (the SQLite file's stem)."""
    descriptor = read_descriptor_json(package_dir)
    schemas = package_schemas(package_dir, descriptor)
    labels = load_site_config(config_path).get("labels", {})
    licence = (descriptor.get("licenses") or [{}])[0]
    sources = descriptor.get("sources") or [{}]
    metadata: dict[str, Any] = {
        "title": descriptor.get("title", descriptor.get("name", "")),
        "description": f"{descriptor.get('description', '')} Version {descriptor.get('version', '')}.",
        "license": licence.get("name", ""),
        "license_url": licence.get("path", ""),
        "source": "; ".join(s.get("title", "") for s in sources),
        "databases": {database: {
            "tables": {**{name: table_metadata(schema, labels) for name, schema in schemas.items()},
                       **{name: view_metadata(name, schemas) for name in VIEWS}},
        }},
    }
    if sources[0].get("path"):
        metadata["source_url"] = sources[0]["path"]
    if descriptor.get("homepage"):
        metadata["about"], metadata["about_url"] = "Homepage", descriptor["homepage"]
    return metadata


def write_metadata(package_dir: Path, database_path: Path, out: Path) -> Path:
    metadata = datasette_metadata(package_dir, database_path.stem)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(metadata, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return out


def browse(package_dir: Path, port: int, serve: bool = True) -> list[str]:
    """Write the SQLite file and the metadata into ``build/``; serve them with datasette on 127.0.0.1."""
    database = write_sqlite(package_dir)
    metadata = write_metadata(package_dir, database, database.with_name("datasette-metadata.json"))
    command = [sys.executable, "-m", "datasette", "serve", "--immutable", str(database), "--metadata", str(metadata),
               "--host", "127.0.0.1", "--port", str(port), "--setting", "default_facet_size", "20"]
    print(f"wrote {metadata}; serving http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
    if serve:
        # datasette replaces this process, so Ctrl-C and kill reach the server itself
        os.execv(sys.executable, command)
    return command


def browse_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", type=Path, default=ROOT, help="the package folder (default: the project)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--metadata-only", action="store_true",
                        help="write build/<name>.sqlite and build/datasette-metadata.json, do not serve")


def browse_command(args: argparse.Namespace) -> None:
    """``python -m scripts browse``."""
    browse(args.package, args.port, serve=not args.metadata_only)


__all__ = ["datasette_metadata", "default_path", "write_metadata"]
