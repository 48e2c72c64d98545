"""The data dictionary: one section per table, one row per column, generated from ``schemas/``.

Takes the Table Schemas (columns, types, constraints, keys, and the
``categories`` that give each allowed value its meaning) and a built package
folder (for one example value per column). Returns Markdown: what a row is,
the primary and foreign keys, then per column its type, whether it is
required, its constraints, its allowed values with their meaning, and an
example. Written to ``docs/data-dictionary.md`` by the build and shipped in
every release; nothing in it is typed by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.flavours import THIRD_PARTY
from scripts.parts import files_present, has_table, table_batches
from scripts.schema import TABLES, TableSchema, load_schemas

EXAMPLE_WIDTH = 60
GENERATOR = "python -m scripts build"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _constraints(field: dict[str, Any]) -> str:
    constraints = field.get("constraints", {})
    parts = []
    if constraints.get("unique"):
        parts.append("unique")
    if "minimum" in constraints:
        parts.append(f"≥ {constraints['minimum']}")
    if "pattern" in constraints:
        parts.append(f"pattern `{constraints['pattern']}`")
    if "enum" in constraints and "categories" not in field:
        parts.append("one of " + ", ".join(f"`{v}`" for v in constraints["enum"]))
    if THIRD_PARTY in field:
        parts.append(f"third-party text ({field[THIRD_PARTY]}): offsets and SHA-256 only in the open flavour")
    return "; ".join(parts)


def _allowed(field: dict[str, Any]) -> str:
    """Each allowed value with its meaning (the field's ``categories``)."""
    categories = field.get("categories") or []
    return "<br>".join(f"`{c['value']}`: {c['label']}" if isinstance(c, dict) else f"`{c}`" for c in categories)


def examples(package_dir: Path, schema: TableSchema) -> dict[str, str]:
    """The first non-empty value of each column in primary-key order, shortened."""
    if not has_table(package_dir, schema.name):
        return {}
    found: dict[str, str] = {}
    # row group by row group (part by part), until every column has a value: a large table is never read whole
    for table in table_batches(package_dir, schema.name):
        wanted = [c for c in schema.columns if c not in found]
        if not wanted:
            break
        for column in wanted:
            value = next((v for v in table.column(column).to_pylist() if v not in (None, "")), None)
            if value is not None:
                text = " ".join(str(value).split())
                found[column] = text if len(text) <= EXAMPLE_WIDTH else text[:EXAMPLE_WIDTH - 1] + "…"
    return found


def files_of(package_dir: Path, table: str) -> str:
    """The files of a table as the dictionary lists them: its two files, or its folder of parts."""
    parts = len(files_present(package_dir, table, "parquet")) if (package_dir / "data").is_dir() else 1
    if parts > 1:
        return f"`data/{table}/part-*.csv`, `data/{table}/part-*.parquet` ({parts} parts each, read as one table)"
    return f"`data/{table}.csv`, `data/{table}.parquet`"


def table_section(schema: TableSchema, package_dir: Path) -> list[str]:
    descriptor = schema.descriptor
    lines = [f"## `{schema.name}`", "", descriptor.get("description", ""), "",
             f"- Primary key: {', '.join(f'`{c}`' for c in schema.primary_key)}"]
    for key in schema.foreign_keys:
        fields = key["fields"] if isinstance(key["fields"], list) else [key["fields"]]
        target = key["reference"]
        lines.append(f"- Foreign key: {', '.join(f'`{c}`' for c in fields)} → "
                     f"`{target['resource']}`.{', '.join(f'`{c}`' for c in target['fields'])}")
    lines += [f"- Files: {files_of(package_dir, schema.name)}; schema `schemas/{schema.name}.json`", "",
              "| column | type | required | description | constraints | allowed values | example |",
              "|---|---|---|---|---|---|---|"]
    shown = examples(package_dir, schema)
    for field in schema.fields:
        required = "yes" if field.get("constraints", {}).get("required") else "no"
        example = f"`{_cell(shown[field['name']])}`" if field["name"] in shown else ""
        lines.append(f"| `{field['name']}` | {field['type']} | {required} | {_cell(field.get('description', ''))} | "
                     f"{_cell(_constraints(field))} | {_allowed(field)} | {example} |")
    return lines + [""]


def dictionary_markdown(package_dir: Path, schemas: dict[str, TableSchema] | None = None) -> str:
    """The whole data dictionary of the package in ``package_dir`` (``schemas``: its own, when they are
    not the project's, as in the open flavour of a release)."""
    schemas = schemas or load_schemas()
    lines = [
        "# Data dictionary", "",
        f"<!-- Generated by `{GENERATOR}` from schemas/ and the published data; do not edit. -->", "",
        "Every table is published as CSV (UTF-8, RFC 4180, header, empty cell for null) and as Parquet "
        "with the same rows and values. Lists inside a cell are separated by ` | `. Spans are 0-based "
        "code-point offsets, end exclusive: `texts.text[start:end] == text`. What counts as a quote, a "
        "statistic or a mention is defined in [the annotation guidelines](annotation-guidelines.md); how "
        "annotations are written, in [the annotation format](annotation-format.md). Examples are the first "
        "value of each column in primary-key order.", "",
        *[f"- [`{name}`](#{name}): {_cell(schemas[name].descriptor.get('description', ''))}" for name in TABLES], "",
    ]
    for name in TABLES:
        lines += table_section(schemas[name], package_dir)
    return "\n".join(lines).rstrip("\n") + "\n"
