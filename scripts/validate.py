"""Validate a built package before it is published (``python -m scripts validate``).

Takes a package folder (``datapackage.json``, ``schemas/``, ``data/``; the
project root by default); returns one :class:`CheckResult` per check and
raises a :class:`BuildError` listing every failure when any check fails. The
checks, in order:

1. ``profiles``: the descriptor and each Table Schema against the official
   Data Package 2.0 JSON Schemas (``config/profiles/datapackage-2.0``);
2. ``frictionless``: the descriptor as frictionless reads it (field types,
   resources, schemas by path); with ``frictionless_rows`` also frictionless'
   own row-by-row validation of every resource, which is slow on large tables;
3. ``files``: every file's size and SHA-256 against the descriptor (frictionless
   does not check Parquet files);
4. ``schema``: the rows of every CSV against its Table Schema, column by
   column with pyarrow instead of row by row: header and row structure, types,
   required, unique and primary keys, enum, pattern, minimum/maximum,
   length, foreign keys (the same errors frictionless reports, see
   ``tests/test_integrity.py``);
5. ``cross-table``: CSV and Parquet hold the same rows; offsets lie inside
   the text; every span equals its source's text at its offsets; mentions of
   a source do not overlap; ``text_sha256``/``n_chars`` match ``texts``; the
   raw files match ``raw_sha256``; every entity has a mention; statistics'
   bounds agree with their qualifier; the version of ``datapackage.json``
   equals ``CITATION.cff`` and the newest ``CHANGELOG.md`` entry;
6. ``Great Expectations``: the suites of :mod:`scripts.expectations`.

The terminal shows one line per check (at most three examples of a failure:
table, row key, column, value) and a summary; :func:`write_report` saves the
same as JSON (no timestamps, so equal packages give equal reports).
"""

from __future__ import annotations

import argparse
import tempfile
import zipfile
from contextlib import contextmanager
import csv
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import yaml

from scripts.annotations import ROOT, check_bounds
from scripts.errors import BuildError
from scripts.hashing import file_sha256
from scripts.schema import TABLES, TableSchema, load_schemas

PROFILES_DIR = ROOT / "config" / "profiles" / "datapackage-2.0"
REPORT_DIR = ROOT / "build" / "validation"
SPAN_TABLES = ("mentions", "quotes", "statistics")
SHOWN_EXAMPLES = 3     # per check on the terminal and in the error
KEPT_EXAMPLES = 20     # per check in the JSON report
SHOWN_CHARS = 60       # of a value in an example
# The constraints the column checker implements; any other one in a schema is reported, never skipped.
CHECKED_CONSTRAINTS = {"required", "unique", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength"}
# Lexical forms of typed cells (Table Schema defaults; bareNumber true, ISO dates).
TYPE_PATTERNS = {
    "integer": r"^[+-]?[0-9]+$",
    "number": r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$",
    "date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}
CHANGELOG_ENTRY = re.compile(r"^## \[(\d+\.\d+\.\d+)\]", re.MULTILINE)


# --- Results ----------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One offending value: where it is and what is wrong with it."""

    table: str
    row: str          # the row's primary key, or "-" for a whole table or file
    column: str
    detail: str

    def __str__(self) -> str:
        return f"{self.table} row {self.row} column {self.column}: {self.detail}"


@dataclass
class CheckResult:
    """The outcome of one check: how many problems it found and the first few."""

    stage: str
    name: str
    count: int = 0
    examples: list[Finding | str] = field(default_factory=list)
    note: str | None = None

    @property
    def label(self) -> str:
        return f"{self.stage}: {self.name}"

    @property
    def passed(self) -> bool:
        return self.count == 0

    def add(self, finding: Finding | str) -> None:
        self.count += 1
        if len(self.examples) < KEPT_EXAMPLES:
            self.examples.append(finding)

    def extend(self, findings: Iterable[Finding | str]) -> CheckResult:
        for finding in findings:
            self.add(finding)
        return self

    def line(self) -> str:
        """The terminal line: PASS or FAIL, the check, and up to three examples."""
        if self.passed:
            return f"PASS  {self.label}" + (f" ({self.note})" if self.note else "")
        shown = "; ".join(map(str, self.examples[:SHOWN_EXAMPLES]))
        more = f" (+{self.count - SHOWN_EXAMPLES} more)" if self.count > SHOWN_EXAMPLES else ""
        return f"FAIL  {self.label}: {shown}{more}"

    def as_json(self) -> dict[str, Any]:
        return {"stage": self.stage, "check": self.name, "status": "passed" if self.passed else "failed",
                "count": self.count, "note": self.note,
                "examples": [e.__dict__ if isinstance(e, Finding) else {"message": e} for e in self.examples]}


def _show(value: Any) -> str:
    """A value as it appears in an example, cut to a readable length."""
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 4] + "...'"


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


@dataclass
class LoadedTable:
    """One table as read from its CSV (strings and typed) and its Parquet file."""

    schema: TableSchema
    strings: pa.Table | None = None        # every cell as written, "" for an empty cell
    typed: pa.Table | None = None          # cells typed by the schema; empty or malformed cells null
    malformed: dict[str, pa.ChunkedArray] = field(default_factory=dict)  # column -> mask of type errors
    parquet: pa.Table | None = None
    structure: list[Finding] = field(default_factory=list)   # unreadable file, header, ragged rows
    parquet_problem: Finding | None = None

    def key(self, index: int) -> str:
        """The primary key of row ``index`` (0-based) as shown in messages; its position when the key is empty."""
        values = [] if self.strings is None else [self.strings[c][index].as_py() for c in self.schema.primary_key]
        return ", ".join(values) if all(values) else f"#{index + 1} (empty key)"


def _typed_column(strings: pa.ChunkedArray, field_type: str) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """A CSV column typed by its Table Schema type, and the mask of cells that are not of that type."""
    empty = pc.equal(strings, "")
    null = pa.scalar(None, pa.string())
    if field_type == "string":
        return pc.if_else(empty, null, strings), pc.and_(empty, False)
    malformed = pc.and_(pc.invert(empty), pc.invert(pc.match_substring_regex(strings, TYPE_PATTERNS[field_type])))
    cleaned = pc.if_else(pc.or_(empty, malformed), null, strings)
    if field_type == "date":
        parsed = pc.strptime(cleaned, format="%Y-%m-%d", unit="s", error_is_null=True)
        malformed = pc.or_(malformed, pc.and_(pc.is_valid(cleaned), pc.is_null(parsed)))
        return pc.cast(parsed, pa.date32()), malformed
    target = pa.int64() if field_type == "integer" else pa.float64()
    try:
        return pc.cast(cleaned, target), malformed
    except pa.ArrowInvalid:  # well-formed but out of range (an integer beyond 64 bits)
        values = [_cast_or_none(v, target) for v in cleaned.to_pylist()]
        bad = [v is not None and t is None for v, t in zip(cleaned.to_pylist(), values)]
        return pa.chunked_array([pa.array(values, target)]), pc.or_(malformed, pa.chunked_array([pa.array(bad)]))


def _cast_or_none(value: str | None, target: pa.DataType) -> Any:
    if value is None:
        return None
    try:
        return pa.scalar(value).cast(target).as_py()
    except pa.ArrowInvalid:
        return None


def read_table(package_dir: Path, schema: TableSchema) -> LoadedTable:
    """Read ``data/<table>.csv`` and ``.parquet``; problems reading them become findings."""
    loaded = LoadedTable(schema)
    name, path = schema.name, package_dir / "data" / f"{schema.name}.csv"
    ragged: list[Any] = []

    def on_invalid_row(row: Any) -> str:
        ragged.append(row)
        return "skip"

    strings = None
    try:
        data = path.read_bytes()
        data.decode("utf-8")  # pyarrow's handler of a ragged row fails on bytes that are not UTF-8
        strings = pacsv.read_csv(
            pa.BufferReader(data),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in schema.columns},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except OSError as exc:
        loaded.structure.append(Finding(name, "-", "-", f"{path.name} cannot be read: {exc.strerror}"))
    except UnicodeDecodeError as exc:
        loaded.structure.append(Finding(name, "-", "-", f"{path.name} is not UTF-8 at byte {exc.start}"))
    except pa.ArrowInvalid as exc:
        loaded.structure.append(Finding(name, "-", "-", f"{path.name} cannot be read as CSV: {str(exc).splitlines()[0]}"))
    for row in ragged:
        loaded.structure.append(Finding(name, f"at line {row.number}" if row.number else "(line unknown)", "-",
                                        f"{row.actual_columns} cells, the header has {row.expected_columns}: "
                                        f"{_show(row.text)}"))
    if strings is not None and strings.num_columns == len(schema.columns):
        blank = pc.equal(pc.binary_length(pc.binary_join_element_wise(*strings.columns, "")), 0)
        for i in _indices(blank):
            loaded.structure.append(Finding(name, f"#{i + 1}", "-", "the row is blank"))
        strings = strings.filter(pc.invert(blank))
    if strings is not None and strings.column_names != schema.columns:
        loaded.structure.append(Finding(name, "header", "-", f"columns {strings.column_names} differ from the "
                                        f"schema's {schema.columns}"))
    elif strings is not None:
        loaded.strings = strings
        typed_columns = []
        for spec in schema.fields:
            typed, malformed = _typed_column(strings[spec["name"]], spec["type"])
            typed_columns.append(typed)
            loaded.malformed[spec["name"]] = malformed
        loaded.typed = pa.table(typed_columns, names=schema.columns)
    parquet_path = package_dir / "data" / f"{name}.parquet"
    try:
        parquet = pq.read_table(parquet_path)
    except (OSError, pa.ArrowInvalid) as exc:
        loaded.parquet_problem = Finding(name, "-", "-", f"{parquet_path.name} cannot be read: {exc}")
        return loaded
    expected = schema.arrow_schema()
    if not parquet.schema.remove_metadata().equals(expected):
        loaded.parquet_problem = Finding(name, "-", "-", f"{parquet_path.name} has the schema "
                                         f"{parquet.schema.to_string(show_schema_metadata=False)!r}, "
                                         f"the Table Schema's is {expected.to_string()!r}")
    else:
        loaded.parquet = parquet
    return loaded


def read_tables(package_dir: Path) -> dict[str, LoadedTable]:
    """Every table of the package, read by :func:`read_table`."""
    schemas = load_schemas()
    return {name: read_table(package_dir, schemas[name]) for name in TABLES}


def _indices(mask: pa.ChunkedArray | pa.Array) -> list[int]:
    """Row numbers (0-based) where a boolean mask is true; null counts as false."""
    return pc.indices_nonzero(pc.fill_null(mask, False).combine_chunks() if isinstance(mask, pa.ChunkedArray)
                              else pc.fill_null(mask, False)).to_pylist()


# --- Descriptor-level checks ----------------------------------------------

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
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            failures.append(f"{path.name}: cannot be read as JSON: {exc}")
            continue
        for error in sorted(validator.iter_errors(document), key=str):
            location = "/".join(map(str, error.absolute_path)) or "(root)"
            failures.append(f"{path.name}: {location}: {error.message} (profile {profile_name})")
    return failures


def check_frictionless_descriptor(package_dir: Path) -> list[str]:
    """frictionless reads the descriptor and the schemas it points to (no rows)."""
    from frictionless import Package

    report = Package.validate_descriptor(str(package_dir / "datapackage.json"))
    return [f"datapackage.json: {kind}: {message}" for kind, message in report.flatten(["type", "message"])]


def frictionless_errors(package_dir: Path) -> list[dict[str, Any]]:
    """Every error of ``frictionless validate datapackage.json`` (row by row)."""
    from frictionless import validate

    report = validate(str(package_dir / "datapackage.json"))
    found = [{"resource": None, "row_number": None, "field": None, "type": e.type, "message": e.message}
             for e in report.errors]
    for task in report.tasks:
        found += [{"resource": task.name, "row_number": getattr(e, "row_number", None),
                   "field": getattr(e, "field_name", None), "type": e.type, "message": e.message}
                  for e in task.errors]
    return found


def check_frictionless(package_dir: Path) -> list[str]:
    """``frictionless validate datapackage.json``, every error as one line."""
    return [f"resource {e['resource'] or '(package)'}, row {e['row_number']}, field {e['field']}: "
            f"{e['type']}: {e['message']}" for e in frictionless_errors(package_dir)]


def check_files(package_dir: Path) -> list[str]:
    """Each resource file's size and hash against the descriptor."""
    descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    failures = []
    for resource in descriptor["resources"]:
        try:
            size, digest = file_sha256(package_dir / resource["path"])
        except OSError:
            failures.append(f"{resource['path']}: missing")
            continue
        if "bytes" in resource and resource["bytes"] != size:
            failures.append(f"{resource['path']}: {size} bytes, the descriptor says {resource['bytes']}")
        if resource.get("hash") != f"sha256:{digest}":
            failures.append(f"{resource['path']}: SHA-256 differs from the descriptor's hash")
    return failures


# --- Rows against their Table Schema (what frictionless checks row by row) --

def check_structure(tables: dict[str, LoadedTable]) -> list[Finding]:
    """Files readable, header equal to the schema's columns, every row with as many cells as the header."""
    return [finding for loaded in tables.values() for finding in loaded.structure]


def check_types(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Every non-empty cell is of its field's type."""
    for name, loaded in tables.items():
        if loaded.strings is None:
            continue
        for spec in loaded.schema.fields:
            for i in _indices(loaded.malformed[spec["name"]]):
                yield Finding(name, loaded.key(i), spec["name"],
                              f"{_show(loaded.strings[spec['name']][i].as_py())} is not a {spec['type']}")


def check_constraints_known(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Every constraint in a schema is one this checker implements (none is silently skipped)."""
    for name, loaded in tables.items():
        for spec in loaded.schema.fields:
            for constraint in sorted(set(spec.get("constraints", {})) - CHECKED_CONSTRAINTS):
                yield Finding(name, "-", spec["name"], f"constraint {constraint!r} is not checked by scripts/validate.py")


def check_required(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Required fields hold a value (a malformed cell is a type error, not a missing value)."""
    for name, loaded in tables.items():
        if loaded.typed is None:
            continue
        for spec in loaded.schema.fields:
            if spec.get("constraints", {}).get("required"):
                missing = pc.and_(pc.is_null(loaded.typed[spec["name"]]), pc.invert(loaded.malformed[spec["name"]]))
                for i in _indices(missing):
                    yield Finding(name, loaded.key(i), spec["name"], "required value is missing")


def _duplicates(table: pa.Table, columns: list[str]) -> list[int]:
    """Rows (0-based) whose values in ``columns`` repeat an earlier row's; rows with a null are skipped."""
    frame = table.select(columns).to_pandas()
    complete = frame.notna().all(axis=1)
    return [int(i) for i in frame.index[complete & frame.duplicated(keep="first")]]


def check_unique(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Primary keys and ``unique`` fields hold no value twice, and a primary key no null."""
    for name, loaded in tables.items():
        if loaded.typed is None:
            continue
        key = loaded.schema.primary_key
        keys = [key] + [[f["name"]] for f in loaded.schema.fields
                        if f.get("constraints", {}).get("unique") and [f["name"]] != key]
        for columns in keys:
            what = "primary key" if columns == key else "unique value"
            for i in _duplicates(loaded.typed, columns):
                values = ", ".join(_show(loaded.typed[c][i].as_py()) for c in columns)
                yield Finding(name, loaded.key(i), ", ".join(columns), f"{what} {values} occurs more than once")
        for column in key:
            for i in _indices(pc.and_(pc.is_null(loaded.typed[column]), pc.invert(loaded.malformed[column]))):
                yield Finding(name, str(i + 1), column, "primary key is null")


def check_enum(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Values of fields with an ``enum`` are in it."""
    for name, loaded in tables.items():
        if loaded.typed is None:
            continue
        for spec in loaded.schema.fields:
            allowed = spec.get("constraints", {}).get("enum")
            if allowed is None:
                continue
            column = loaded.typed[spec["name"]]
            outside = pc.and_(pc.is_valid(column), pc.invert(pc.is_in(column, pa.array(allowed).cast(column.type))))
            for i in _indices(outside):
                yield Finding(name, loaded.key(i), spec["name"], f"{_show(column[i].as_py())} is not one of {', '.join(map(str, allowed))}")


def check_list_items(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Each item of a list cell (a field's ``listItems``: delimiter and allowed items) is allowed."""
    for name, loaded in tables.items():
        if loaded.typed is None:
            continue
        for spec in loaded.schema.fields:
            items = spec.get("listItems")
            if not items:
                continue
            column = loaded.typed[spec["name"]].combine_chunks()  # row numbers across chunks
            split = pc.split_pattern(column, items["delimiter"])
            flat = pc.list_flatten(split)
            bad_items = pc.invert(pc.is_in(flat, pa.array(items["enum"]).cast(flat.type)))
            rows = pc.list_parent_indices(split)
            for i in sorted({rows[j].as_py() for j in _indices(bad_items)}):
                yield Finding(name, loaded.key(i), spec["name"],
                              f"{_show(column[i].as_py())} holds an item that is not one of "
                              f"{', '.join(items['enum'])} (separated by {items['delimiter']!r})")


def _pattern_mismatches(column: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray | list[bool]:
    """Mask of values that do not match the whole pattern (RE2, or Python's re for what RE2 lacks)."""
    try:
        return pc.and_(pc.is_valid(column), pc.invert(pc.match_substring_regex(column, f"^(?:{pattern})$")))
    except pa.ArrowInvalid:
        compiled = re.compile(pattern)
        return pa.chunked_array([pa.array([v is not None and not compiled.fullmatch(v) for v in column.to_pylist()])])


def check_pattern(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Values of fields with a ``pattern`` match it as a whole."""
    for name, loaded in tables.items():
        if loaded.typed is None:
            continue
        for spec in loaded.schema.fields:
            pattern = spec.get("constraints", {}).get("pattern")
            if pattern is None:
                continue
            column = loaded.typed[spec["name"]]
            for i in _indices(_pattern_mismatches(column, pattern)):
                yield Finding(name, loaded.key(i), spec["name"], f"{_show(column[i].as_py())} does not match {pattern}")


def check_ranges(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """``minimum``/``maximum`` of numbers and ``minLength``/``maxLength`` of strings."""
    comparisons = {"minimum": (pc.less, "below the minimum"), "maximum": (pc.greater, "above the maximum"),
                   "minLength": (pc.less, "shorter than"), "maxLength": (pc.greater, "longer than")}
    for name, loaded in tables.items():
        if loaded.typed is None:
            continue
        for spec in loaded.schema.fields:
            for constraint, limit in spec.get("constraints", {}).items():
                if constraint not in comparisons:
                    continue
                column = loaded.typed[spec["name"]]
                measured = pc.utf8_length(column) if constraint.endswith("Length") else column
                compare, words = comparisons[constraint]
                for i in _indices(compare(measured, pa.scalar(limit).cast(measured.type))):
                    yield Finding(name, loaded.key(i), spec["name"], f"{_show(column[i].as_py())} is {words} {limit}")


def check_foreign_keys(tables: dict[str, LoadedTable]) -> Iterable[Finding]:
    """Every foreign key value exists in the referenced table (rows with a null in the key are skipped)."""
    for name, loaded in tables.items():
        if loaded.typed is None:
            continue
        for key in loaded.schema.foreign_keys:
            resource = key["reference"].get("resource") or name
            target_name = resource.removesuffix("-parquet")
            target = tables.get(target_name)
            if target is None or target.typed is None:
                yield Finding(name, "-", ", ".join(key["fields"]), f"referenced table {resource!r} cannot be read")
                continue
            fields, targets = key["fields"], key["reference"]["fields"]
            if len(fields) == 1:
                column = loaded.typed[fields[0]]
                missing = pc.and_(pc.is_valid(column), pc.invert(pc.is_in(column, target.typed[targets[0]])))
                rows = _indices(missing)
            else:
                known = set(zip(*(target.typed[c].to_pylist() for c in targets)))
                values = list(zip(*(loaded.typed[c].to_pylist() for c in fields)))
                rows = [i for i, v in enumerate(values) if None not in v and v not in known]
            for i in rows:
                shown = ", ".join(_show(loaded.typed[c][i].as_py()) for c in fields)
                yield Finding(name, loaded.key(i), ", ".join(fields),
                              f"{shown} is not in {target_name}.{', '.join(targets)}")


SCHEMA_CHECKS: list[tuple[str, Callable[[dict[str, LoadedTable]], Iterable[Finding]]]] = [
    ("header and row structure", check_structure),
    ("constraints known", check_constraints_known),
    ("types", check_types),
    ("required", check_required),
    ("unique and primary keys", check_unique),
    ("enum", check_enum),
    ("list items", check_list_items),
    ("pattern", check_pattern),
    ("minimum, maximum and length", check_ranges),
    ("foreign keys", check_foreign_keys),
]


def schema_checks(tables: dict[str, LoadedTable]) -> list[CheckResult]:
    """The rows of every CSV against its Table Schema, one result per kind of constraint."""
    return [CheckResult("schema", label).extend(check(tables)) for label, check in SCHEMA_CHECKS]


# --- Cross-table checks ------------------------------------------------------

@dataclass
class Context:
    """What the cross-table checks look at: the tables and where the package lives."""

    package_dir: Path
    tables: dict[str, LoadedTable]
    # Where CITATION.cff and CHANGELOG.md are looked up: the package itself, unless the caller names
    # the project a staging build belongs to (never a silent fallback). Raw files are always the package's.
    project_dir: Path | None = None

    def column(self, table: str, column: str) -> list[Any]:
        typed = self.tables[table].typed
        return [] if typed is None else typed[column].to_pylist()

    def texts(self) -> dict[str, str]:
        return dict(zip(self.column("texts", "source_id"), self.column("texts", "text")))


def check_csv_equals_parquet(ctx: Context) -> Iterable[Finding]:
    """The CSV and the Parquet file of each table hold the same rows and values."""
    for name, loaded in ctx.tables.items():
        if loaded.parquet_problem is not None:
            yield loaded.parquet_problem
            continue
        if loaded.typed is None or loaded.parquet is None:
            continue
        csv_table, parquet = loaded.typed, loaded.parquet
        if csv_table.num_rows != parquet.num_rows:
            key = loaded.schema.primary_key
            csv_keys = set(zip(*(csv_table[c].to_pylist() for c in key)))
            parquet_keys = set(zip(*(parquet[c].to_pylist() for c in key)))
            only = sorted(", ".join(map(str, k)) for k in csv_keys ^ parquet_keys)[:SHOWN_EXAMPLES] or ["-"]
            yield Finding(name, ", ".join(only), "-", f"the CSV has {csv_table.num_rows} rows, the Parquet file "
                          f"{parquet.num_rows} (keys in only one of them: {'; '.join(only)})")
            continue
        for column in loaded.schema.columns:
            a, b = csv_table[column], parquet[column].cast(csv_table[column].type)
            both_null = pc.and_(pc.is_null(a), pc.is_null(b))
            differ = pc.invert(pc.or_(both_null, pc.fill_null(pc.equal(a, b), False)))
            for i in _indices(differ):
                yield Finding(name, loaded.key(i), column,
                              f"CSV {_show(a[i].as_py())}, Parquet {_show(b[i].as_py())}")


@dataclass
class Spans:
    """The span rows of one table, next to the text each points into (vectorised)."""

    table: str
    source: pa.ChunkedArray      # row of the source in texts (null when texts has none)
    start: pa.ChunkedArray
    end: pa.ChunkedArray
    inside: pa.ChunkedArray      # 0 <= start < end <= len(text); false where anything is null
    rows: pa.Table               # the typed rows of the table
    text_length: pa.ChunkedArray  # characters of each text, by row of texts


def _spans(ctx: Context, table: str) -> Spans | None:
    rows, texts = ctx.tables[table].typed, ctx.tables["texts"].typed
    if rows is None or texts is None:
        return None
    source = pc.index_in(rows["source_id"], value_set=texts["source_id"].combine_chunks())
    text_length = pc.utf8_length(texts["text"])
    length = pc.take(text_length, source)
    start, end = rows["start"], rows["end"]
    inside = pc.and_(pc.and_(pc.greater_equal(start, 0), pc.less(start, end)), pc.less_equal(end, length))
    return Spans(table, source, start, end, pc.fill_null(inside, False), rows, text_length)


def check_offsets(ctx: Context) -> Iterable[Finding]:
    """Offsets of every span lie inside its source's text: 0 <= start < end <= len(text)."""
    for table in SPAN_TABLES:
        spans = _spans(ctx, table)
        if spans is None:
            continue
        # rows whose source has no text are foreign-key failures, reported there
        for i in _indices(pc.and_(pc.is_valid(spans.source), pc.invert(spans.inside))):
            source_id = spans.rows["source_id"][i].as_py()
            yield Finding(table, ctx.tables[table].key(i), "start, end",
                          f"[{spans.start[i].as_py()}, {spans.end[i].as_py()}) is not inside the "
                          f"{spans.text_length[spans.source[i].as_py()].as_py()} characters of {source_id}")


def check_spans(ctx: Context) -> Iterable[Finding]:
    """Every span equals its source's text at its offsets (rows with bad offsets are reported above)."""
    texts = ctx.column("texts", "text")
    for table in SPAN_TABLES:
        spans = _spans(ctx, table)
        if spans is None:
            continue
        # Slicing is the one step pyarrow cannot do per row; a list comprehension keeps it quick.
        columns = [spans.source, spans.start, spans.end, spans.rows["text"]]
        rows = zip(_indices(spans.inside), *(pc.filter(c, spans.inside).to_pylist() for c in columns))
        for i, source, start, end, text in rows:
            if texts[source][start:end] != text:
                source_id = ctx.tables["texts"].key(source)
                yield Finding(table, ctx.tables[table].key(i), "text",
                              f"{_show(text)}, but text[{start}:{end}] of {source_id} is {_show(texts[source][start:end])}")


def check_mention_overlaps(ctx: Context) -> Iterable[Finding]:
    """Mentions of one source do not overlap (each is compared with the one before it by start)."""
    mentions = ctx.tables["mentions"]
    if mentions.typed is None:
        return
    source_ids = mentions.typed["source_id"]
    # sorting by a number for the source is several times faster than by its string id
    table = pa.table({"source": pc.index_in(source_ids, value_set=pc.unique(source_ids)),
                      "start": mentions.typed["start"], "end": mentions.typed["end"],
                      "row": pa.array(range(mentions.typed.num_rows), pa.int64())})
    table = table.filter(pc.and_(pc.is_valid(table["start"]), pc.is_valid(table["end"])))
    table = table.sort_by([("source", "ascending"), ("start", "ascending"), ("end", "ascending")])
    if table.num_rows < 2:
        return
    same_source = pc.equal(table["source"][1:], table["source"][:-1])
    overlap = pc.and_(same_source, pc.less(table["start"][1:], table["end"][:-1]))
    for i in _indices(overlap):
        earlier, later = table["row"][i].as_py(), table["row"][i + 1].as_py()
        yield Finding("mentions", mentions.key(later), "start",
                      f"{table['start'][i + 1].as_py()} overlaps mention {mentions.key(earlier)} of "
                      f"{source_ids[earlier].as_py()}, which ends at {table['end'][i].as_py()}")


def check_text_hashes(ctx: Context) -> Iterable[Finding]:
    """``sources.text_sha256`` and ``n_chars`` describe the text in ``texts``."""
    texts = ctx.texts()
    sources = ctx.tables["sources"]
    columns = [ctx.column("sources", c) for c in ("source_id", "text_sha256", "n_chars")]
    for index, (source_id, text_sha256, n_chars) in enumerate(zip(*columns)):
        text = texts.get(source_id)
        if text is None:
            yield Finding("sources", sources.key(index), "source_id", "has no row in texts")
            continue
        actual = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if actual != text_sha256:
            yield Finding("sources", sources.key(index), "text_sha256",
                          f"{_show(text_sha256)}, but the SHA-256 of its text is {actual!r}")
        if len(text) != n_chars:
            yield Finding("sources", sources.key(index), "n_chars", f"{n_chars}, but its text has {len(text)} characters")


def raw_file(home: Path, raw_path: str) -> Path | None:
    """A raw file named in ``sources.raw_path``, inside ``home`` (None when the path leaves it)."""
    path = (home / raw_path).resolve()
    return path if path.is_relative_to(home.resolve()) else None


def check_raw_hashes(ctx: Context) -> Iterable[Finding]:
    """The raw file of every source exists and its SHA-256 is ``sources.raw_sha256``."""
    sources = ctx.tables["sources"]
    hashes: dict[Path, str | None] = {}  # each file is read once, however many sources name it
    for index, (raw_path, raw_sha256) in enumerate(zip(ctx.column("sources", "raw_path"),
                                                       ctx.column("sources", "raw_sha256"))):
        if raw_path is None:
            continue
        path = raw_file(ctx.package_dir, raw_path)
        if path is None:
            yield Finding("sources", sources.key(index), "raw_path", f"{_show(raw_path)} is outside the package")
            continue
        if path not in hashes:
            try:
                hashes[path] = file_sha256(path)[1]
            except OSError:
                hashes[path] = None
        if hashes[path] is None:
            yield Finding("sources", sources.key(index), "raw_path", f"{_show(raw_path)} cannot be read")
        elif hashes[path] != raw_sha256:
            yield Finding("sources", sources.key(index), "raw_sha256",
                          f"{_show(raw_sha256)}, but the SHA-256 of {raw_path} is {hashes[path]!r}")


def check_entities_mentioned(ctx: Context) -> Iterable[Finding]:
    """Every entity of the registry is mentioned at least once."""
    mentioned = set(ctx.column("mentions", "entity_id"))
    entities = ctx.tables["entities"]
    for index, entity_id in enumerate(ctx.column("entities", "entity_id")):
        if entity_id not in mentioned:
            yield Finding("entities", entities.key(index), "entity_id", f"{_show(entity_id)} has no mention")


def check_statistic_bounds(ctx: Context) -> Iterable[Finding]:
    """value, value_low and value_high of each statistic agree with its qualifier (guidelines section 3)."""
    columns = ("value", "value_low", "value_high", "qualifier")
    statistics = ctx.tables["statistics"]
    for index, values in enumerate(zip(*(ctx.column("statistics", c) for c in columns))):
        try:
            check_bounds(dict(zip(columns, values)), "")
        except BuildError as exc:
            yield Finding("statistics", statistics.key(index), "qualifier", str(exc).removeprefix(": "))


def _version_in(path: Path) -> str | None:
    """The version a CITATION.cff states, or the newest ``## [x.y.z]`` entry of a CHANGELOG.md."""
    text = path.read_text(encoding="utf-8")
    if path.name == "CITATION.cff":
        try:
            version = (yaml.safe_load(text) or {}).get("version")
        except yaml.YAMLError as exc:
            raise BuildError(f"{path}: not valid YAML: {exc}") from None
        return None if version is None else str(version)
    found = CHANGELOG_ENTRY.search(text)
    return found.group(1) if found else None


def version_files(package_dir: Path, project_dir: Path | None = None) -> list[Path]:
    """CITATION.cff and CHANGELOG.md of the package, else of the project a staging build belongs to."""
    found = []
    for name in ("CITATION.cff", "CHANGELOG.md"):
        for folder in (package_dir, project_dir):
            if folder is not None and (folder / name).is_file():
                found.append(folder / name)
                break
    return found


def check_version(ctx: Context) -> Iterable[Finding]:
    """The descriptor's version equals CITATION.cff's and the newest CHANGELOG.md entry's, where they state one."""
    descriptor = json.loads((ctx.package_dir / "datapackage.json").read_text(encoding="utf-8"))
    version = descriptor.get("version")
    for path in version_files(ctx.package_dir, ctx.project_dir):
        stated = _version_in(path)
        if stated is not None and stated != version:
            yield Finding("datapackage.json", "-", "version", f"{_show(version)}, but {path.name} says {_show(stated)}")


def version_note(package_dir: Path, project_dir: Path | None = None) -> str | None:
    """Why the version check compared less than both files, if it did."""
    files = version_files(package_dir, project_dir)
    if not files:
        return "skipped: no CITATION.cff or CHANGELOG.md in the package"
    silent = [p.name for p in files if _version_in(p) is None]
    missing = [n for n in ("CITATION.cff", "CHANGELOG.md") if n not in {p.name for p in files}]
    parts = [f"{n} states no version yet" for n in silent] + [f"no {n}" for n in missing]
    return "; ".join(parts) or None


CROSS_TABLE_CHECKS: list[tuple[str, Callable[[Context], Iterable[Finding]]]] = [
    ("CSV equals Parquet", check_csv_equals_parquet),
    ("offsets inside the text", check_offsets),
    ("spans equal text", check_spans),
    ("mentions do not overlap", check_mention_overlaps),
    ("text_sha256 and n_chars match texts", check_text_hashes),
    ("raw files match raw_sha256", check_raw_hashes),
    ("every entity has a mention", check_entities_mentioned),
    ("statistics bounds agree with the qualifier", check_statistic_bounds),
    ("version matches CITATION.cff and CHANGELOG.md", check_version),
]


def cross_table_checks(package_dir: Path, tables: dict[str, LoadedTable],
                       project_dir: Path | None = None) -> list[CheckResult]:
    """Every check that looks at more than one table or file."""
    ctx = Context(package_dir, tables, project_dir)
    results = [CheckResult("cross-table", label).extend(check(ctx)) for label, check in CROSS_TABLE_CHECKS]
    results[-1].note = version_note(package_dir, project_dir)
    return results


def check_tables(package_dir: Path) -> list[str]:
    """The schema and cross-table checks as one line per problem ([] when all pass)."""
    tables = read_tables(package_dir)
    results = schema_checks(tables) + cross_table_checks(package_dir, tables)
    return [f"{r.label}: {e}" for r in results for e in r.examples]


# --- The whole validation ------------------------------------------------------

def run_checks(package_dir: Path, run_gx: bool = True, docs_dir: Path | None = None,
               frictionless_rows: bool = False, echo: bool = True, project_dir: Path | None = None) -> list[CheckResult]:
    """Every check on the package in ``package_dir``, in order; prints each result line when ``echo``.

    The package is checked as it stands: its raw files, CITATION.cff, CHANGELOG.md and expectation
    suites are its own, unless ``project_dir`` names the project a staging build belongs to.
    """
    results: list[CheckResult] = []

    def record(result: CheckResult) -> None:
        results.append(result)
        if echo:
            print(result.line(), flush=True)

    # Looked up at call time, so that a test can replace one check.
    record(CheckResult("profiles", "Data Package 2.0 profiles").extend(check_profiles(package_dir)))
    record(CheckResult("frictionless", "descriptor and schemas").extend(check_frictionless_descriptor(package_dir)))
    if frictionless_rows:
        record(CheckResult("frictionless", "rows (row by row)").extend(check_frictionless(package_dir)))
    record(CheckResult("files", "bytes and SHA-256").extend(check_files(package_dir)))
    tables = read_tables(package_dir)
    for result in schema_checks(tables) + cross_table_checks(package_dir, tables, project_dir):
        record(result)
    if run_gx:
        from scripts.expectations import run_suites

        suites_dir = package_dir / "schemas" / "expectations"
        record(CheckResult("Great Expectations", "suites").extend(
            run_suites(package_dir / "data", docs_dir, suites_dir) if suites_dir.is_dir()
            else [f"{suites_dir}: the package has no expectation suites"]))
    return results


def report(package_dir: Path, results: list[CheckResult]) -> dict[str, Any]:
    """The machine-readable report of one validation (deterministic: no clock, no host)."""
    try:
        shown_dir = str(package_dir.relative_to(ROOT)) or "."
    except ValueError:
        shown_dir = str(package_dir)
    failed = [r for r in results if not r.passed]
    return {
        "package": shown_dir,
        "status": "failed" if failed else "passed",
        "counts": {"checks": len(results), "passed": len(results) - len(failed), "failed": len(failed),
                   "problems": sum(r.count for r in results)},
        "checks": [r.as_json() for r in results],
    }


def write_report(path: Path, document: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def validate_package(package_dir: Path | None = None, run_gx: bool = True, docs_dir: Path | None = None,
                     report_path: Path | None = None, frictionless_rows: bool = False,
                     project_dir: Path | None = None) -> list[CheckResult]:
    """Run every check on the package in ``package_dir``; raise a BuildError listing all failures.

    ``docs_dir``, when given, receives the Great Expectations Data Docs;
    ``report_path`` the JSON report. Returns the results when all pass.
    """
    package_dir = (package_dir or ROOT).resolve()
    if not (package_dir / "datapackage.json").is_file():
        raise BuildError(f"{package_dir}: no datapackage.json")
    results = run_checks(package_dir, run_gx=run_gx, docs_dir=docs_dir, frictionless_rows=frictionless_rows,
                         project_dir=project_dir)
    document = report(package_dir, results)
    if report_path is not None:
        write_report(report_path, document)
    counts = document["counts"]
    print(f"{document['status'].upper()}: {counts['passed']} of {counts['checks']} checks passed, "
          f"{counts['problems']} problem(s)" + (f"; report in {report_path}" if report_path else ""), flush=True)
    failed = [r for r in results if not r.passed]
    if failed:
        lines = [f"{example}  [{r.label}]" for r in failed for example in r.examples[:SHOWN_EXAMPLES]]
        more = sum(max(0, r.count - SHOWN_EXAMPLES) for r in failed)
        raise BuildError(f"validation of {package_dir} failed:\n  " + "\n  ".join(lines)
                         + (f"\n  ... and {more} more" if more else ""))
    return results


def validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, nargs="?", default=None, metavar="PATH",
                        help="a package folder or a release zip, validated as given, on its own "
                             "(default: the project root)")
    parser.add_argument("--report-dir", type=Path, default=REPORT_DIR,
                        help="folder for report.json and the Data Docs in docs/ (default: build/validation)")
    parser.add_argument("--skip-gx", action="store_true", help="skip the Great Expectations suites")
    parser.add_argument("--frictionless-rows", action="store_true",
                        help="also run frictionless' own row-by-row validation (slow on large tables)")


def validate_command(args: argparse.Namespace) -> None:
    """``python -m scripts validate [DIR] [--report-dir DIR] [--skip-gx] [--frictionless-rows]``."""
    report_dir = args.report_dir.resolve()
    with package_folder(args.directory) as folder:
        validate_package(folder, run_gx=not args.skip_gx,
                         docs_dir=None if args.skip_gx else report_dir / "docs",
                         report_path=report_dir / "report.json", frictionless_rows=args.frictionless_rows)


@contextmanager
def package_folder(path: Path | None) -> Iterator[Path | None]:
    """``path`` itself, or for a release zip the one folder it unpacks to (in a temporary folder)."""
    if path is None or not zipfile.is_zipfile(path) or path.is_dir():
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="validate-") as scratch, zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        unsafe = [n for n in names if n.startswith("/") or ".." in Path(n).parts]
        if unsafe:
            raise BuildError(f"{path}: member(s) outside the archive's folder: {', '.join(unsafe[:3])}")
        tops = {Path(n).parts[0] for n in names if Path(n).parts}
        if len(tops) != 1:
            raise BuildError(f"{path}: a release zip holds one folder; found {', '.join(sorted(tops)) or 'nothing'}")
        archive.extractall(scratch)
        yield Path(scratch) / tops.pop()
