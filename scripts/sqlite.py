"""Write the package as one SQLite database (``make sqlite``).

Takes a package folder (``datapackage.json``, its ``schemas/`` and the
``data/<table>.parquet`` files or their parts: the project, a build's ``--out`` folder or a
release; or the ``<table>.csv`` files of a ``draft --out`` folder) and returns one SQLite file holding every table with the columns,
types, NOT NULL, CHECK (enum, minimum), UNIQUE, primary and foreign keys of
its Table Schema, NULLs as NULL, an index on every foreign-key column,
full-text search (FTS5) over the texts and the quotes, and the views readers
join by hand otherwise (quotes with speaker, channel and source; statistics
with source and credited entity; mentions with entity and source). The
schemas are the only list of columns and keys: nothing here names a column
of a table except the views, which are SQL over the schemas' columns.

The file is written to a temporary name, checked (``PRAGMA integrity_check``
and ``PRAGMA foreign_key_check`` must be empty, row counts must equal the
package's) and only then renamed over the target. The same package gives the
same bytes: rows are inserted in primary-key order and nothing records a time.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.annotations import ROOT
from scripts.errors import BuildError
from scripts.parts import read_table
from scripts.schema import TABLES, TableSchema, load_schemas
from scripts.untrusted import package_schemas, read_descriptor_json

# Table Schema type -> SQLite declared type (dates as ISO 8601 text, which sorts and compares as dates).
SQL_TYPES = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "TEXT"}

# Full-text indexes: table -> its text columns to search. Only columns the schemas declare are used.
FTS_COLUMNS: dict[str, tuple[str, ...]] = {
    "texts": ("text",),
    "quotes": ("text", "speaker_text", "speaker_role", "cue"),
}

# What readers join by hand otherwise; each view is plain SQL over the schemas' columns.
VIEWS: dict[str, str] = {
    "quotes_with_speaker": """
        SELECT q.quote_id, q.source_id, s.title AS source_title, s.publisher, s.original_publisher,
               s.published_date, q.kind, q.text, q.speaker_entity_id, sp.name AS speaker_name,
               sp.type AS speaker_type, q.speaker_text, q.speaker_role, q.cue, q.channel_entity_id,
               ch.name AS channel_name, q.start, q."end", q.notes
        FROM quotes q
        JOIN sources s ON s.source_id = q.source_id
        LEFT JOIN entities sp ON sp.entity_id = q.speaker_entity_id
        LEFT JOIN entities ch ON ch.entity_id = q.channel_entity_id""",
    "statistics_with_source": """
        SELECT st.statistic_id, st.source_id, s.title AS source_title, s.publisher, s.original_publisher,
               s.published_date, st.text, st.value, st.value_low, st.value_high, st.qualifier, st.unit,
               st.measure, st.period, st.reference_period, st.attributed_to_entity_id,
               e.name AS attributed_to_name, e.type AS attributed_to_type, st.start, st."end", st.notes
        FROM statistics st
        JOIN sources s ON s.source_id = st.source_id
        LEFT JOIN entities e ON e.entity_id = st.attributed_to_entity_id""",
    "mentions_with_entity": """
        SELECT m.mention_id, m.source_id, s.title AS source_title, s.published_date, m.entity_id,
               e.name AS entity_name, e.type AS entity_type, m.text, m.origin, m.start, m."end"
        FROM mentions m
        JOIN sources s ON s.source_id = m.source_id
        JOIN entities e ON e.entity_id = m.entity_id""",
}


@dataclass(frozen=True)
class PackageTables:
    """The tables of a package folder, typed by its own schemas."""

    descriptor: dict[str, Any]
    schemas: dict[str, TableSchema]
    rows: dict[str, list[dict[str, Any]]]


def default_path(package_dir: Path, descriptor: dict[str, Any] | None = None) -> Path:
    """``build/<package name>.sqlite`` of ``package_dir``."""
    descriptor = descriptor or read_descriptor_json(package_dir)
    return package_dir / "build" / f"{descriptor['name']}.sqlite"


# --- Load ----------------------------------------------------------------------

def read_draft(draft_dir: Path) -> PackageTables:
    """The tables of a ``python -m scripts draft --out`` folder (``<table>.csv``, no descriptor).

    They are typed by the project's schemas; the descriptor is the project's,
    titled as a draft, so that pages and databases say what they show.
    """
    from scripts.validate import read_csv_rows

    descriptor = read_descriptor_json(ROOT)
    descriptor["title"] = f"Draft: {descriptor.get('title', '')}"
    schemas = load_schemas()
    rows = {}
    for table, schema in schemas.items():
        path = draft_dir / f"{table}.csv"
        try:
            rows[table] = read_csv_rows(path, schema)
        except (OSError, ValueError) as exc:
            raise BuildError(f"{path}: cannot be read as the {table} table: {exc}") from None
    return PackageTables(descriptor, schemas, rows)


def read_package(package_dir: Path) -> PackageTables:
    """Every table of the package, from its Parquet files, with the columns its schema declares.

    A folder written by ``python -m scripts draft --out`` (tables as CSV, no
    ``datapackage.json``) is read by :func:`read_draft`.
    """
    if not (package_dir / "datapackage.json").is_file() and (package_dir / "sources.csv").is_file():
        return read_draft(package_dir)
    descriptor = read_descriptor_json(package_dir)
    schemas = package_schemas(package_dir, descriptor)
    rows = {}
    for table, schema in schemas.items():
        path = package_dir / "data" / f"{table}.parquet"   # in messages (or its parts, data/<table>/)
        try:
            # parts are sorted by primary key each, not across: sorted again, the rows go in in key order
            arrow = read_table(package_dir, table, descriptor=descriptor).sort_by(
                [(column, "ascending") for column in schema.primary_key])
        except (OSError, ValueError) as exc:
            raise BuildError(f"{path}: cannot be read as Parquet: {exc}") from None
        if arrow.column_names != schema.columns:
            raise BuildError(f"{path}: columns {arrow.column_names} differ from the schema's {schema.columns}")
        rows[table] = arrow.to_pylist()
    return PackageTables(descriptor, schemas, rows)


# --- Process: SQL from the schemas ---------------------------------------------

def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: Any) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def column_sql(field: dict[str, Any], single_key: bool) -> str:
    """One column definition: declared type, NOT NULL, CHECK for enum and bounds, PRIMARY KEY or UNIQUE."""
    name = quote_identifier(field["name"])
    constraints = field.get("constraints", {})
    parts = [name, SQL_TYPES[field["type"]]]
    if single_key:
        parts.append("PRIMARY KEY")
    if constraints.get("required") or single_key:
        parts.append("NOT NULL")
    if constraints.get("unique") and not single_key:
        parts.append("UNIQUE")
    if "enum" in constraints:
        parts.append(f"CHECK ({name} IN ({', '.join(quote_literal(v) for v in constraints['enum'])}))")
    if "minimum" in constraints:
        parts.append(f"CHECK ({name} >= {quote_literal(constraints['minimum'])})")
    if "maximum" in constraints:
        parts.append(f"CHECK ({name} <= {quote_literal(constraints['maximum'])})")
    return " ".join(parts)


def create_table_sql(schema: TableSchema) -> str:
    single_key = len(schema.primary_key) == 1
    lines = [column_sql(f, single_key and f["name"] == schema.primary_key[0]) for f in schema.fields]
    if not single_key:
        lines.append(f"PRIMARY KEY ({', '.join(map(quote_identifier, schema.primary_key))})")
    for fk in schema.foreign_keys:
        reference = fk["reference"]
        lines.append(f"FOREIGN KEY ({', '.join(map(quote_identifier, fk['fields']))}) "
                     f"REFERENCES {quote_identifier(reference['resource'])} "
                     f"({', '.join(map(quote_identifier, reference['fields']))})")
    body = ",\n  ".join(lines)
    return f"CREATE TABLE {quote_identifier(schema.name)} (\n  {body}\n)"


def index_sql(schema: TableSchema) -> list[str]:
    """An index on each foreign-key column list (the primary key and UNIQUE columns have theirs)."""
    statements = []
    for fk in schema.foreign_keys:
        columns = fk["fields"]
        name = f"idx_{schema.name}_{'_'.join(columns)}"
        statements.append(f"CREATE INDEX {quote_identifier(name)} ON {quote_identifier(schema.name)} "
                          f"({', '.join(map(quote_identifier, columns))})")
    return statements


def fts_sql(schema: TableSchema) -> list[str]:
    """An external-content FTS5 table ``<table>_fts`` over the table's text columns, filled from it.

    ``content="<table>"`` is the form datasette detects, so its search box uses the index.
    """
    columns = [c for c in FTS_COLUMNS.get(schema.name, ()) if c in schema.columns]
    if not columns:
        return []
    fts = quote_identifier(f"{schema.name}_fts")
    return [
        f"CREATE VIRTUAL TABLE {fts} USING fts5 ({', '.join(map(quote_identifier, columns))}, "
        f"content=\"{schema.name}\", tokenize='unicode61 remove_diacritics 2')",
        f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')",
    ]


def sorted_rows(schema: TableSchema, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows in primary-key order, so rowids and bytes do not depend on the build's row order."""
    return sorted(rows, key=lambda row: tuple(str(row[c]) for c in schema.primary_key))


def sql_value(value: Any, field_type: str) -> Any:
    if value is None:
        return None
    if field_type == "date":
        return value.isoformat()
    return value


# --- Save ----------------------------------------------------------------------

def write_database(tables: PackageTables, out: Path) -> dict[str, int]:
    """Write the SQLite file at ``out`` (atomically); returns rows per table."""
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.unlink(missing_ok=True)
    counts: dict[str, int] = {}
    try:
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA journal_mode = MEMORY")
            connection.execute("BEGIN")
            for table in TABLES:  # referenced tables first: sources, texts, entities, then the spans
                schema = tables.schemas[table]
                connection.execute(create_table_sql(schema))
                placeholders = ", ".join("?" for _ in schema.columns)
                insert = (f"INSERT INTO {quote_identifier(table)} "
                          f"({', '.join(map(quote_identifier, schema.columns))}) VALUES ({placeholders})")
                rows = sorted_rows(schema, tables.rows[table])
                for number, row in enumerate(rows, start=1):
                    values = [sql_value(row[f["name"]], f["type"]) for f in schema.fields]
                    try:
                        connection.execute(insert, values)
                    except sqlite3.IntegrityError as exc:
                        key = ", ".join(str(row[c]) for c in schema.primary_key)
                        raise BuildError(f"{table} row {key}: rejected by SQLite: {exc}") from None
                counts[table] = len(rows)
                for statement in index_sql(schema) + fts_sql(schema):
                    connection.execute(statement)
            for name, select in VIEWS.items():
                connection.execute(f"CREATE VIEW {quote_identifier(name)} AS {' '.join(select.split())}")
            connection.execute("COMMIT")
            problems = check_database(connection, counts)
            if problems:
                raise BuildError(f"{out}: the database fails its checks: {'; '.join(problems)}")
            connection.execute("VACUUM")
        finally:
            connection.close()
        os.replace(temporary, out)
    finally:
        temporary.unlink(missing_ok=True)
    return counts


def check_database(connection: sqlite3.Connection, counts: dict[str, int]) -> list[str]:
    """Integrity, foreign keys and row counts of a written database; empty when all hold."""
    problems = []
    integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:3]}")
    for table, rowid, parent, _fk in connection.execute("PRAGMA foreign_key_check"):
        problems.append(f"{table} rowid {rowid}: no row in {parent} for its foreign key")
    for table, expected in counts.items():
        (found,) = connection.execute(f"SELECT count(*) FROM {quote_identifier(table)}").fetchone()
        if found != expected:
            problems.append(f"{table}: {found} rows, the package has {expected}")
    return problems


def write_sqlite(package_dir: Path = ROOT, out: Path | None = None) -> Path:
    """Load the package in ``package_dir``, write its SQLite file (default ``build/<name>.sqlite``)."""
    tables = read_package(package_dir)
    target = out or default_path(package_dir, tables.descriptor)
    counts = write_database(tables, target)
    print(f"wrote {target}: " + ", ".join(f"{table} {count}" for table, count in counts.items()))
    return target


def sqlite_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", type=Path, default=ROOT, help="the package folder (default: the project)")
    parser.add_argument("--out", type=Path, default=None,
                        help="the SQLite file to write (default: PACKAGE/build/<name>.sqlite)")


def sqlite_command(args: argparse.Namespace) -> None:
    """``python -m scripts sqlite``."""
    write_sqlite(args.package, args.out)
