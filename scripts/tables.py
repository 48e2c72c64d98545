"""Assemble the six tables and write them as CSV and Parquet.

Takes the curated annotations (``annotations/``), the raw articles
(``data/raw/``) and the site profiles (``config/sites.yaml``); returns one
pandas DataFrame per table, with the columns, order and types of its Table
Schema in ``schemas/`` and rows sorted by primary key. :func:`write_tables`
saves each as ``<table>.csv`` (UTF-8, RFC 4180, header) and
``<table>.parquet`` (types from the schema) so both hold the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scripts import annotations as ann
from scripts.errors import BuildError, Problems
from scripts.normalise import load_site_profiles
from scripts.schema import TABLES, TableSchema, load_schemas
from scripts.sources import LIST_SEPARATOR, RAW_DIR, build_source, unreferenced_raw_files


def build_rows(
    registry_path: Path = ann.REGISTRY_PATH, sources_dir: Path = ann.SOURCES_DIR, raw_dir: Path = RAW_DIR
) -> dict[str, list[dict[str, Any]]]:
    """Resolve every annotation into rows (dicts) per table, checked against the schemas.

    Every problem found (unresolved spans, bad fields, unreferenced raw files) is
    raised at the end as one BuildError that lists them all.
    """
    problems = Problems()
    # Load
    schemas = load_schemas()
    profiles = load_site_profiles()
    registry = ann.load_registry(registry_path, problems)
    sources = ann.load_source_annotations(sources_dir, problems)

    # Process
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    # (raw|text, hash) -> source id: one article is one source. Keyed by kind too, because an
    # article received already normalised has the same hash for its raw bytes and its text.
    seen: dict[tuple[str, str], str] = {}
    for source in sources:
        with problems.collect():  # a source that cannot be built is reported and skipped
            built = build_source(source, profiles, raw_dir, problems)
            for what in ("raw", "text"):
                key = (what, built.source_row[f"{what}_sha256"])
                if key in seen:
                    raise BuildError(f"{source.path}: its {what} is identical to that of source {seen[key]!r}; "
                                     "the same article must not be added twice")
                seen[key] = source.source_id
            rows["sources"].append(built.source_row)
            rows["texts"].append(built.text_row)
            rows["mentions"] += ann.resolve_mentions(source, built.text, registry, problems)
            rows["quotes"] += ann.resolve_quotes(source, built.text, registry, problems)
            rows["statistics"] += ann.resolve_statistics(source, built.text, registry, problems)
    if len(sources) == len(list(sources_dir.glob("*.yaml"))):  # else an unreadable file may name a raw file
        for message in unreferenced_raw_files(sources, raw_dir):
            problems.add(message)
    rows["entities"] = [{**entity_row(e), "_where": f"{registry_path}: entity {e.entity_id!r}"}
                        for e in registry.values()]
    for name in TABLES:
        _check_rows(schemas[name], rows[name], problems)
    problems.raise_if_any()
    return rows


def entity_row(entity: ann.Entity) -> dict[str, Any]:
    """An entity of the registry as a row of the ``entities`` table."""
    return {"entity_id": entity.entity_id, "name": entity.name, "type": entity.type,
            "aliases": LIST_SEPARATOR.join(entity.aliases) or None, "description": entity.description,
            "notes": entity.notes, "review_status": entity.status}


def _check_rows(schema: TableSchema, rows: list[dict[str, Any]], problems: Problems) -> None:
    """Check each row against its schema and the primary key for duplicates; problems go to ``problems``."""
    seen: dict[tuple[Any, ...], str] = {}
    for index, row in enumerate(rows, start=1):
        where = row.pop("_where", None) or f"table {schema.name}, row {index}"
        unresolved = row.pop(ann.UNRESOLVED, ())  # a span not found (reported): its columns have no value
        try:  # not problems.collect(): a try costs nothing per row when nothing is raised
            schema.check_row(row, where, skip=unresolved)
        except BuildError as exc:
            problems.messages += exc.problems
        if unresolved:
            continue
        key = tuple(row[k] for k in schema.primary_key)
        if key in seen:
            problems.add(f"{where}: duplicate {schema.name} key {key} (same text and occurrence as {seen[key]})")
        seen[key] = where


def to_frame(schema: TableSchema, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows to a DataFrame with the schema's columns and types, sorted by primary key."""
    table = pa.Table.from_pylist(
        [{c: _arrow_value(schema, c, row.get(c)) for c in schema.columns} for row in rows],
        schema=schema.arrow_schema(),
    )
    frame = table.to_pandas(types_mapper=pd.ArrowDtype)
    return frame.sort_values(schema.primary_key, kind="stable").reset_index(drop=True)


def _arrow_value(schema: TableSchema, column: str, value: Any) -> Any:
    if value is not None and schema.field(column)["type"] == "date":
        return dt.date.fromisoformat(value)
    if value is not None and schema.field(column)["type"] == "number":
        return float(value)
    return value


def build_tables(**paths: Path) -> dict[str, pd.DataFrame]:
    """Every table as a DataFrame, in the order of :data:`scripts.schema.TABLES`."""
    rows = build_rows(**paths)
    schemas = load_schemas()
    return {name: to_frame(schemas[name], rows[name]) for name in TABLES}


def _csv_cell(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """One table as CSV: UTF-8, RFC 4180 (CRLF, minimal quoting), header, empty cell for null."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(frame.columns)
        for record in frame.itertuples(index=False, name=None):
            writer.writerow([_csv_cell(v) for v in record])


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Save every table as CSV and Parquet in ``out_dir``; returns the paths written."""
    schemas = load_schemas()
    written: list[Path] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        csv_path = out_dir / f"{name}.csv"
        write_csv(frame, csv_path)
        parquet_path = out_dir / f"{name}.parquet"
        table = pa.Table.from_pandas(frame, schema=schemas[name].arrow_schema(), preserve_index=False)
        # No pandas metadata: it would make the bytes depend on the pandas version.
        table = table.replace_schema_metadata(None)
        pq.write_table(table, parquet_path, compression="zstd", write_statistics=True, store_schema=False)
        written += [csv_path, parquet_path]
    return written
