"""Read the Table Schemas in ``schemas/``: the one source of truth for columns.

Takes the JSON files ``schemas/<table>.json``; returns :class:`TableSchema`
objects that give the column order, the pyarrow schema (string, int64,
float64, date32), and a check of one row against the field constraints
(required, enum, pattern, minimum, and ``listItems``: the allowed items of a
list cell and their delimiter) whose error names where the row came from.
No other module lists columns or enumerations.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from scripts.errors import BuildError

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "schemas"

# The order tables are built, written and listed in the package.
TABLES = ("sources", "texts", "entities", "mentions", "quotes", "statistics")

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "date": pa.date32(),
}

# What a value read from an annotation file must be before it is typed
# (dates arrive as ISO strings; a number may be written without a decimal point).
PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str, "integer": int, "number": (int, float), "date": str}


@dataclass(frozen=True)
class TableSchema:
    """One table's schema as read from ``schemas/<name>.json``."""

    name: str
    descriptor: dict[str, Any]

    @property
    def fields(self) -> list[dict[str, Any]]:
        return self.descriptor["fields"]

    @property
    def columns(self) -> list[str]:
        return [field["name"] for field in self.fields]

    @property
    def primary_key(self) -> list[str]:
        return list(self.descriptor["primaryKey"])

    @property
    def foreign_keys(self) -> list[dict[str, Any]]:
        return list(self.descriptor.get("foreignKeys", []))

    @property
    def annotation_keys(self) -> dict[str, str]:
        """Column -> the key of an annotation entry that fills it (the fields' ``annotation`` property).

        A dotted key names a key inside a mapping (``review.status``). This is the one place where the
        annotation format meets the tables: the resolver, the drafter's writer and the evaluation read it.
        """
        return {f["name"]: f["annotation"] for f in self.fields if "annotation" in f}

    def columns_referencing(self, table: str) -> list[str]:
        """The single columns of this table that are foreign keys into ``table``."""
        found = []
        for key in self.foreign_keys:
            fields = key["fields"] if isinstance(key["fields"], list) else [key["fields"]]
            if key["reference"]["resource"] == table and len(fields) == 1:
                found.append(fields[0])
        return found

    def free_text(self, name: str) -> bool:
        """Whether a column holds free text: a string with no enum, pattern or list of allowed items."""
        field = self.field(name)
        constraints = field.get("constraints", {})
        return field["type"] == "string" and not ({"enum", "pattern"} & set(constraints) or "listItems" in field)

    def field(self, name: str) -> dict[str, Any]:
        for field in self.fields:
            if field["name"] == name:
                return field
        raise KeyError(f"{self.name} has no field {name!r}")

    def enum(self, name: str) -> list[str]:
        """The allowed values of a field (its ``enum`` constraint)."""
        return list(self.field(name)["constraints"]["enum"])

    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [
                pa.field(f["name"], ARROW_TYPES[f["type"]], nullable=not f.get("constraints", {}).get("required", False))
                for f in self.fields
            ]
        )

    def check_row(self, row: dict[str, Any], where: str, skip: Collection[str] = ()) -> None:
        """Raise a BuildError naming ``where`` and each field of ``row`` that breaks a constraint
        (all of them in one error); the fields in ``skip`` are not checked."""
        unknown = sorted(set(row) - set(self.columns))
        if unknown:
            raise BuildError(f"{where}: unknown field(s) {', '.join(unknown)} for table {self.name}")
        problems = []
        for field in self.fields:
            name, constraints = field["name"], field.get("constraints", {})
            value = row.get(name)
            if name in skip:
                continue
            if value is None:
                if constraints.get("required"):
                    problems.append(f"{where}: field '{name}' is required")
                continue
            python_type = PYTHON_TYPES[field["type"]]
            if isinstance(value, bool) or not isinstance(value, python_type):
                problems.append(f"{where}: field '{name}' must be a {field['type']}, got {value!r}")
                continue
            if "enum" in constraints and value not in constraints["enum"]:
                problems.append(f"{where}: field '{name}' is {value!r}; expected one of "
                                f"{', '.join(constraints['enum'])}")
            if "pattern" in constraints and not re.fullmatch(constraints["pattern"], str(value)):
                problems.append(f"{where}: field '{name}' is {value!r}, which does not match {constraints['pattern']}")
            if "minimum" in constraints and value < constraints["minimum"]:
                problems.append(f"{where}: field '{name}' is {value!r}, below the minimum {constraints['minimum']}")
            items = field.get("listItems")
            if items:
                unknown_items = [item for item in str(value).split(items["delimiter"]) if item not in items["enum"]]
                if unknown_items:
                    problems.append(f"{where}: field '{name}' holds {', '.join(map(repr, unknown_items))}; "
                                    f"expected items of {', '.join(items['enum'])} separated by {items['delimiter']!r}")
        if problems:
            raise BuildError.of(problems)


@cache
def load_schema(name: str) -> TableSchema:
    path = SCHEMAS_DIR / f"{name}.json"
    try:
        return TableSchema(name=name, descriptor=json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError) as exc:
        raise BuildError(f"{path}: cannot be read as JSON: {exc}") from None


def load_schemas() -> dict[str, TableSchema]:
    return {name: load_schema(name) for name in TABLES}
