"""Validate a built package before it is published (``python -m scripts validate``).

Takes a package folder (``datapackage.json``, ``schemas/``, ``data/``; the
project root by default) or a release zip, read as untrusted input by
:mod:`scripts.untrusted`: a malformed descriptor, or a path of a resource or
schema that could lead out of the package, is a :class:`BuildError` listing
every problem before anything is opened. Returns one :class:`CheckResult`
per check and raises a :class:`BuildError` listing every failure when any
check fails. The checks, in order:

1. ``profiles``: the descriptor and each Table Schema it declares against the
   official Data Package 2.0 JSON Schemas (``config/profiles/datapackage-2.0``);
   and that the package declares this dataset's resources, at their paths,
   with this project's Table Schemas (a package claiming to be this dataset
   must carry them; its rows are still checked against what it declares);
2. ``frictionless``: the descriptor as frictionless reads it (field types,
   resources, schemas by path); with ``frictionless_rows`` also frictionless'
   own row-by-row validation of every resource, which is slow on large tables;
3. ``files``: every file's size and SHA-256 against the descriptor, CSV and
   Parquet alike (frictionless does not check Parquet files);
4. ``schema``: the rows of every declared resource (each CSV, and each Parquet
   file no CSV stands for) against the Table Schema the package declares for
   it, column by column with pyarrow instead of row by row: header and row
   structure, types, required, unique and primary keys, enum, pattern,
   minimum/maximum, length, foreign keys (the same errors frictionless
   reports, see ``tests/test_integrity.py``), text cells in Unicode NFC and
   without NUL, rows in primary-key order as the build writes them. Each CSV
   is read a block at a time (a row longer than a block is read again with
   larger blocks) and spilled, typed, to a scratch Parquet file; the column
   checks read it back a row group at a time and the global checks (keys,
   order, foreign keys, spans, entity mentions) run in DuckDB over those
   files, so memory does not grow with the corpus;
5. ``cross-table``: CSV and Parquet hold the same rows in the same order;
   offsets lie inside the text; every span equals its source's text at its
   offsets; mentions of a source do not overlap; ``text_sha256``/``n_chars``
   match ``texts``; the raw files match ``raw_sha256`` (a ``raw_path`` that
   could lead out of the package is named and never opened); every entity has
   a mention; statistics' bounds agree with their qualifier; the version of
   ``datapackage.json`` equals ``CITATION.cff`` and the newest ``CHANGELOG.md``
   entry;
6. ``Great Expectations``: the suites of :mod:`scripts.expectations`.

An open package (``"flavour": "open"``, :mod:`scripts.flavours`) holds no
third-party text: its tables are checked against its own schemas, which must
be the open flavour of the full schemas in its ``hydrate/`` folder; the checks
that need the texts or raw files (and the suites, written for the full
columns) are skipped and say so; offsets are checked against ``n_chars``.

The terminal shows one line per check (at most three examples of a failure:
table, row key, column, value) and a summary; :func:`write_report` saves the
same as JSON (no timestamps, so equal packages give equal reports).
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import functools
import itertools
import json
import re
import tempfile
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
from scripts.schema import SCHEMAS_DIR, TABLES, TableSchema
from scripts.untrusted import Package, Resource, normalised, package_folder, path_problem, read_json, read_package

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


@dataclass(frozen=True)
class More:
    """Findings counted where they were found (a task on a part) but not kept: past the first KEPT_EXAMPLES."""

    count: int


@dataclass
class Tally:
    """What one column rule found in one part: how many findings and the first KEPT_EXAMPLES of them."""

    count: int = 0
    kept: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.count += 1
        if len(self.kept) < KEPT_EXAMPLES:
            self.kept.append(finding)

    def findings(self) -> Iterator[Finding | More]:
        """The kept findings in order, then the count of those not kept (if any)."""
        yield from self.kept
        if self.count > len(self.kept):
            yield More(self.count - len(self.kept))


@dataclass
class CheckResult:
    """The outcome of one check: how many problems it found and the first few."""

    stage: str
    name: str
    count: int = 0
    examples: list[Finding | str] = field(default_factory=list)
    note: str | None = None
    details: list[dict[str, Any]] = field(default_factory=list)   # per item checked: how it ran, its outcome

    @property
    def label(self) -> str:
        return f"{self.stage}: {self.name}"

    @property
    def passed(self) -> bool:
        return self.count == 0

    def add(self, finding: Finding | str | More) -> None:
        if isinstance(finding, More):   # counted elsewhere; the examples before it were the first ones
            self.count += finding.count
            return
        self.count += 1
        if len(self.examples) < KEPT_EXAMPLES:
            self.examples.append(finding)

    def extend(self, findings: Iterable[Finding | str | More]) -> CheckResult:
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
        document = {"stage": self.stage, "check": self.name, "status": "passed" if self.passed else "failed",
                    "count": self.count, "note": self.note,
                    "examples": [e.__dict__ if isinstance(e, Finding) else {"message": e} for e in self.examples]}
        if self.details:
            document["details"] = self.details
        return document


def _show(value: Any) -> str:
    """A value as it appears in an example, cut to a readable length."""
    if value is None:
        return "null"
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 4] + "...'"


# --- Reading the tables as users will ------------------------------------
#
# Each CSV is read in blocks (pyarrow's streaming reader); every block is typed by the schema and
# spilled to a Parquet file in a scratch folder (one row group per block) with, per column, the
# cell as written, the typed value and the mask of malformed cells, and the row's key as shown in
# messages. The column checks read that file back one column and one row group at a time, the
# global checks (keys, foreign keys, spans, CSV against Parquet) run in DuckDB over the files, so
# memory does not grow with the corpus.

CSV_BLOCK_BYTES = 4 << 20      # bytes of CSV typed and spilled at a time
PARQUET_BATCH_ROWS = 65_536    # rows of a Parquet resource with no CSV spilled at a time
PARQUET_BATCH_BYTES = 4 << 20  # and, when comparing with the CSV, about this many bytes of one column
DUCKDB_MEMORY = "512MB"        # DuckDB's memory limit for the global checks; past it, it spills to disk


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
    # the csv module refuses a cell over 128 KiB by default: sized for the largest cell the file can hold
    csv.field_size_limit(max(csv.field_size_limit(), path.stat().st_size))
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


def _s(column: str) -> str:
    return f"s:{column}"    # the cell as written ("" for an empty cell)


def _t(column: str) -> str:
    return f"t:{column}"    # typed by the schema; empty or malformed cells null


def _m(column: str) -> str:
    return f"m:{column}"    # true where a non-empty cell is not of its type


KEY, ROW = "key", "row"     # the row's key as shown in messages; its position (0-based, blank rows left out)
PART = "part"               # in LoadedTable.relation: the index of the file a row was read from


@dataclass
class Block:
    """Some columns of consecutive rows of one table, read back from its spill file."""

    columns: pa.RecordBatch
    offset: int                # position of the first row in the table

    def strings(self, column: str) -> pa.Array:
        return self.columns.column(_s(column))

    def typed(self, column: str) -> pa.Array:
        return self.columns.column(_t(column))

    def malformed(self, column: str) -> pa.Array:
        return self.columns.column(_m(column))

    def key(self, index: int) -> str:
        """The primary key of row ``index`` of the block as shown in messages."""
        return str(self.columns.column(KEY)[index].as_py())


@dataclass
class LoadedTable:
    """One table as read from its CSV (spilled, typed, to scratch Parquet files: one per file of the resource,
    a multi-path resource's parts in order) and its Parquet files."""

    schema: TableSchema
    spills: list[Path] = field(default_factory=list)    # empty when a file could not be read with the schema's header
    part_rows: list[int] = field(default_factory=list)  # rows of each spill
    rows: int = 0
    parquet_paths: list[Path] = field(default_factory=list)  # one per CSV file; empty when they cannot be compared
    structure: list[Finding] = field(default_factory=list)   # unreadable file, header, ragged or blank rows
    parquet_problem: Finding | None = None

    @property
    def readable(self) -> bool:
        return bool(self.spills)

    def relation(self) -> str:
        """The spilled rows as a DuckDB table expression: a multi-path resource's parts one after the
        other, each row's ROW its position in the whole table and PART the index of its file."""
        assert self.spills
        offsets = [sum(self.part_rows[:index]) for index in range(len(self.spills))]
        return "(" + " UNION ALL ".join(
            f"SELECT * REPLACE ({ROW} + {offset} AS {ROW}), {index} AS {PART} FROM read_parquet('{spill.as_posix()}')"
            for index, (spill, offset) in enumerate(zip(self.spills, offsets))) + ")"

    def blocks(self, columns: Iterable[str] = (), part: int | None = None) -> Iterator[Block]:
        """The rows one row group at a time (of every part, or of part ``part`` only): the key, the position
        and, per column named, the cell as written, typed and its malformed mask."""
        columns = list(columns)
        for index, spill in enumerate(self.spills):
            if part is None or index == part:
                yield from spill_blocks(spill, columns, self.part_offset(index))

    def part_offset(self, part: int) -> int:
        """The position in the whole table of the first row of part ``part``."""
        return sum(self.part_rows[:part])


def spill_blocks(spill: Path, columns: Iterable[str], offset: int) -> Iterator[Block]:
    """The rows of one spill file one row group at a time, the first at position ``offset`` of its table."""
    wanted = [KEY, ROW] + [name for c in dict.fromkeys(columns) for name in (_s(c), _t(c), _m(c))]
    handle = pq.ParquetFile(spill)
    for group in range(handle.num_row_groups):
        for batch in handle.read_row_group(group, columns=wanted).combine_chunks().to_batches():
            yield Block(batch, offset)
            offset += batch.num_rows


def _typed_column(strings: pa.Array, field_type: str) -> tuple[pa.Array, pa.Array]:
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
        return pa.array(values, target), pc.or_(malformed, pa.array(bad))


def _cast_or_none(value: str | None, target: pa.DataType) -> Any:
    if value is None:
        return None
    try:
        return pa.scalar(value).cast(target).as_py()
    except pa.ArrowInvalid:
        return None


def _utf8_problem(path: Path) -> int | None:
    """The byte offset of the first byte that is not UTF-8 (read in chunks), or None."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    position = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return position + exc.start - len(decoder.getstate()[0])
            position += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return position - len(decoder.getstate()[0]) + exc.start
    return None


def _spill_schema(schema: TableSchema) -> pa.Schema:
    types = schema.arrow_schema()
    spilled = [pa.field(KEY, pa.string()), pa.field(ROW, pa.int64())]
    for column in schema.columns:
        spilled += [pa.field(_s(column), pa.string()), pa.field(_t(column), types.field(column).type),
                    pa.field(_m(column), pa.bool_())]
    return pa.schema(spilled)


def _keys(strings: pa.RecordBatch, key: list[str], offset: int, part: str = "") -> pa.Array:
    """The key of each row as shown in messages: its key's cells, or its position when one is empty;
    ``in <file>`` after it for a row of a part of a multi-path resource."""
    cells = [strings.column(c) for c in key]
    joined = pc.binary_join_element_wise(*cells, ", ")
    some_empty = pc.equal(pc.min_element_wise(*[pc.utf8_length(c) for c in cells]), 0)
    positions = pc.binary_join_element_wise(
        "#", pc.cast(pa.array(range(offset + 1, offset + strings.num_rows + 1), pa.int64()), pa.string()),
        " (empty key)", "")
    shown = pc.if_else(some_empty, positions, joined)
    return pc.binary_join_element_wise(shown, f" in {part}", "") if part else shown


def read_parts(package: Package, resource: Resource, spill: Path, client: Any = None) -> list[Any]:
    """Read one declared resource block by block into scratch Parquet files named after ``spill`` (a CSV,
    or a Parquet file no CSV stands for): one task per file (a multi-path resource's parts each on its own, a
    row of a part named with its part's file), on ``client`` (:func:`scripts.build.executor`; None: in this
    process). Every path was checked by :func:`scripts.untrusted.read_package` before; problems reading the
    files become findings of the LoadedTables of one file the tasks return."""
    from scripts.build import submit

    schema = TableSchema(resource.name, resource.schema)
    files = resource.files
    return [submit(client, read_file, package.file(relative), resource.format, schema,
                   spill if len(files) == 1 else spill.with_name(f"{spill.stem}-part-{index}.parquet"),
                   "" if len(files) == 1 else relative)
            for index, relative in enumerate(files)]


def assemble_table(package: Package, resource: Resource, partner: Resource | None, tasks: list[Any]) -> LoadedTable:
    """The table of the parts read by :func:`read_parts`, in order (unreadable when one part is), and the
    schema of its Parquet ``partner`` looked at."""
    parts = [task.result() for task in tasks]
    if len(parts) == 1:
        loaded = parts[0]
    else:
        loaded = LoadedTable(TableSchema(resource.name, resource.schema))
        for part in parts:
            loaded.structure += part.structure
            loaded.spills += part.spills
            loaded.part_rows += part.part_rows
            loaded.rows += part.rows
        if len(loaded.spills) < len(parts):   # one part unreadable: the table is (its structure findings say why)
            loaded.spills, loaded.part_rows, loaded.rows = [], [], 0
    if partner is not None:
        _look_at_partner(package, partner, loaded.schema, loaded)
    return loaded


def read_file(path: Path, file_format: str, schema: TableSchema, spill: Path, part: str) -> LoadedTable:
    """One file of a resource (``part``: its path when the resource has several, else "") read into ``spill``."""
    loaded = LoadedTable(schema)
    if file_format == "parquet":
        _read_parquet(path, loaded, spill, part)
        return loaded
    block_size = CSV_BLOCK_BYTES
    while True:
        loaded = LoadedTable(schema)
        try:
            _read_csv(path, loaded, spill, block_size, part)
            break
        except pa.ArrowInvalid as exc:
            # pyarrow's streaming reader needs each row inside one block: a longer row is read again
            # with blocks twice as large (the file is read a few times, never held whole unless one row is)
            if "straddl" in str(exc) and block_size < path.stat().st_size:
                block_size *= 2
                continue
            loaded.structure.append(Finding(schema.name, "-", "-", f"{part or path.name} cannot be read as CSV: "
                                            f"{str(exc).splitlines()[0]}"))
            loaded.spills, loaded.part_rows, loaded.rows = [], [], 0
            break
    return loaded


def _parquet_schema_problem(path: Path, schema: TableSchema) -> str | None:
    """Why a Parquet file cannot be compared with its Table Schema's rows (None when its schema is the Table Schema's)."""
    try:
        parquet_schema = pq.ParquetFile(path).schema_arrow
    except (OSError, pa.ArrowInvalid) as exc:
        return f"{path.name} cannot be read: {exc}"
    expected = schema.arrow_schema()
    if not parquet_schema.remove_metadata().equals(expected):
        return (f"{path.name} has the schema {parquet_schema.to_string(show_schema_metadata=False)!r}, "
                f"the Table Schema's is {expected.to_string()!r}")
    return None


def _look_at_partner(package: Package, partner: Resource, schema: TableSchema, loaded: LoadedTable) -> None:
    """The Parquet files of a CSV resource: its own declared schema must be the CSV's, its columns that schema,
    one Parquet file per CSV file."""
    if partner.schema != schema.descriptor:
        loaded.parquet_problem = Finding(partner.name, "-", "schema", f"differs from the schema of {schema.name}, "
                                         "whose Parquet file it is")
        return
    if len(partner.files) != len(loaded.part_rows or [None] * len(partner.files)):
        loaded.parquet_problem = Finding(partner.name, "-", "-", f"{len(partner.files)} Parquet file(s) for "
                                         f"{len(loaded.part_rows)} CSV file(s); each part is published in both formats")
        return
    paths = [package.file(relative) for relative in partner.files]
    for path in paths:
        problem = _parquet_schema_problem(path, schema)
        if problem is not None:
            loaded.parquet_problem = Finding(schema.name, "-", "-", problem)
            return
    loaded.parquet_paths = paths


def _read_parquet(path: Path, loaded: LoadedTable, spill: Path, part: str = "") -> None:
    """Spill a Parquet resource with no CSV, one row group at a time, as if its cells had been read from a CSV."""
    schema = loaded.schema
    problem = _parquet_schema_problem(path, schema)
    if problem is not None:
        loaded.structure.append(Finding(schema.name, "-", "-", problem))
        return
    source = pq.ParquetFile(path)
    with pq.ParquetWriter(spill, _spill_schema(schema), compression="zstd") as writer:
        for typed in source.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=schema.columns):
            strings = pa.RecordBatch.from_arrays(
                [pc.fill_null(pc.cast(typed.column(c), pa.string()), "") for c in schema.columns], names=schema.columns)
            columns: list[Any] = [_keys(strings, schema.primary_key, loaded.rows, part),
                                  pa.array(range(loaded.rows, loaded.rows + typed.num_rows), pa.int64())]
            for column in schema.columns:
                columns += [strings.column(column), typed.column(column), pa.array([False] * typed.num_rows, pa.bool_())]
            writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=_spill_schema(schema)))
            loaded.rows += typed.num_rows
    loaded.spills, loaded.part_rows = [spill], [loaded.rows]


def _read_csv(path: Path, loaded: LoadedTable, spill: Path, block_size: int, part: str = "") -> None:
    """Read one CSV in blocks of ``block_size`` bytes into ``spill`` (``loaded.spills`` set when it could be);
    ``part``: its path, named in findings, when it is one part of a multi-path resource."""
    name, schema = loaded.schema.name, loaded.schema
    shown, of_part = part or path.name, f" of {part}" if part else ""
    ragged: list[Any] = []

    def on_invalid_row(row: Any) -> str:
        ragged.append(row)
        return "skip"

    try:
        bad_byte = _utf8_problem(path)  # pyarrow's handler of a ragged row fails on bytes that are not UTF-8
        if bad_byte is not None:
            loaded.structure.append(Finding(name, "-", "-", f"{shown} is not UTF-8 at byte {bad_byte}"))
            return
        reader = pacsv.open_csv(
            path, read_options=pacsv.ReadOptions(block_size=block_size, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                             invalid_row_handler=on_invalid_row),
            convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in schema.columns},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
        header = reader.schema.names
        if header != schema.columns:
            for _block in reader:  # read to the end, so that every ragged row is named
                pass
            loaded.structure.append(Finding(name, f"header{of_part}", "-", f"columns {header} differ from the "
                                            f"schema's {schema.columns}"))
        else:
            _spill_rows(reader, loaded, spill, part)
            loaded.spills, loaded.part_rows = [spill], [loaded.rows]
    except OSError as exc:
        loaded.structure.append(Finding(name, "-", "-", f"{shown} cannot be read: {exc.strerror}"))
    finally:
        loaded.structure[:0] = [
            Finding(name, f"at line {row.number}{of_part}" if row.number else f"(line unknown{of_part})", "-",
                    f"{row.actual_columns} cells, the header has {row.expected_columns}: {_show(row.text)}")
            for row in ragged]


def _spill_rows(reader: Any, loaded: LoadedTable, spill: Path, part: str = "") -> None:
    """Type each block of CSV rows and write it to ``spill``; blank rows become findings."""
    schema, name = loaded.schema, loaded.schema.name
    read = 0
    with pq.ParquetWriter(spill, _spill_schema(schema), compression="zstd") as writer:
        for strings in reader:
            blank = pc.equal(pc.binary_length(pc.binary_join_element_wise(*strings.columns, "")), 0)
            for i in _indices(blank):
                loaded.structure.append(Finding(name, f"#{read + i + 1}" + (f" in {part}" if part else ""), "-",
                                                "the row is blank"))
            read += strings.num_rows
            strings = strings.filter(pc.invert(blank))
            columns: list[pa.Array] = [_keys(strings, schema.primary_key, loaded.rows, part),
                                       pa.array(range(loaded.rows, loaded.rows + strings.num_rows), pa.int64())]
            for spec in schema.fields:
                cells = strings.column(spec["name"])
                typed, malformed = _typed_column(cells, spec["type"])
                columns += [cells, typed, malformed]
            writer.write_batch(pa.RecordBatch.from_arrays(columns, schema=_spill_schema(schema)))
            loaded.rows += strings.num_rows


@dataclass
class Tables:
    """Every table of a package, read by :func:`read_parts` into a scratch folder removed with it
    (on :meth:`close`, at the end of a ``with`` block, or when it is garbage-collected)."""

    scratch: tempfile.TemporaryDirectory[str]
    tables: dict[str, LoadedTable]
    # table -> per part, what its column rules found (:func:`check_part`, run as the table was read)
    column_tallies: dict[str, list[list[Tally]]] = field(default_factory=dict)
    connection: Any = None
    numbers: Iterator[int] = field(default_factory=itertools.count)   # of the scratch files of sorted_file

    def __enter__(self) -> Tables:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        self.scratch.cleanup()

    def items(self) -> Iterable[tuple[str, LoadedTable]]:
        return self.tables.items()

    def values(self) -> Iterable[LoadedTable]:
        return self.tables.values()

    def __getitem__(self, name: str) -> LoadedTable:
        return self.tables[name]

    def get(self, name: str) -> LoadedTable | None:
        return self.tables.get(name)

    def usable(self, name: str, columns: Iterable[str]) -> LoadedTable | None:
        """Table ``name`` when the package declares it, it could be read and it has ``columns`` (else a
        cross-table check skips it: the schema checks name what is wrong)."""
        loaded = self.tables.get(name)
        if loaded is None or not loaded.readable or not set(columns) <= set(loaded.schema.columns):
            return None
        return loaded

    def column_findings(self, label: str, name: str | None = None) -> Iterator[Finding | More]:
        """What the column rules of check ``label`` found (in table ``name`` only, if given): table by table,
        rule by rule, part by part, the order of one pass over each whole table."""
        for table, loaded in self.tables.items():
            parts = self.column_tallies.get(table, [])
            if (name is not None and table != name) or not parts:
                continue
            for index, (rule_label, _column, _rule) in enumerate(column_rules(loaded.schema)):
                if rule_label == label:
                    for tallies in parts:
                        yield from tallies[index].findings()

    def sorted_file(self, query: str) -> str:
        """A DuckDB table expression reading back the rows of ``query``, in its order, from a scratch Parquet
        file it was written to (a plain scan streams in little memory, a sort holds its buffers while read)."""
        path = Path(self.scratch.name) / f"sorted-{next(self.numbers)}.parquet"
        with self.connect() as cursor:
            # small row groups: DuckDB holds a row group of each writing thread in memory (texts: ~3 KB a row)
            cursor.execute(f"COPY ({query}) TO '{path.as_posix()}' (FORMAT parquet, ROW_GROUP_SIZE 4096)")
        return f"read_parquet('{path.as_posix()}')"

    def connect(self) -> Any:
        """A cursor on one DuckDB database with a bounded memory, spilling into the scratch folder."""
        import duckdb

        if self.connection is None:
            self.connection = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY,
                                                     "temp_directory": self.scratch.name})
        return self.connection.cursor()


def partners(package: Package) -> dict[str, Resource | None]:
    """Resource name -> its Parquet partner, for each resource whose rows are read: every CSV (its partner the
    Parquet resource of the same path but the suffix), and every Parquet resource that no CSV stands for."""
    def stem(resource: Resource) -> str:
        return resource.path.rsplit(".", 1)[0]

    parquets = {stem(r): r for r in package.resources if r.format == "parquet"}
    csv_stems = {stem(r) for r in package.resources if r.format == "csv"}
    return {r.name: (parquets.get(stem(r)) if r.format == "csv" else None) for r in package.resources
            if r.format == "csv" or stem(r) not in csv_stems}


def read_tables(package_dir: Path | Package, workers: int = 1, scheduler: str | None = None) -> Tables:
    """Every declared resource of the package with rows of its own, read by :func:`load_tables`; with
    ``workers`` > 1 (or a ``scheduler``) on Dask workers (:func:`scripts.build.executor`, as the build's
    map), closed when they are read."""
    from scripts.build import executor

    with executor(workers, scheduler) as client:
        return load_tables(package_dir, client)


def load_tables(package_dir: Path | Package, client: Any = None) -> Tables:
    """Every declared resource of the package with rows of its own, read by :func:`read_parts` with the
    schema the package declares for it, and the column rules run on each part (:func:`check_part`). On
    ``client`` (:func:`scripts.build.executor`; None: in this process) every file of every resource (each
    part of a multi-path one) is read and typed by a task of its own, which writes its spill into the
    scratch folder (a remote cluster's workers must see it at the same path), then checked by another."""
    from scripts.build import submit

    package = package_dir if isinstance(package_dir, Package) else read_package(package_dir)
    scratch = tempfile.TemporaryDirectory(prefix="validate-tables-")
    tables = {}
    checks: dict[str, list[Any]] = {}
    try:
        resources = {r.name: r for r in package.resources}
        # every part of every table submitted first, so that the workers are never idle between tables
        tasks = {name: read_parts(package, resources[name], Path(scratch.name) / f"table-{index}.parquet",
                                  client)   # named by position: a resource's name is the package's to choose
                 for index, name in enumerate(partners(package))}
        for name, partner in partners(package).items():
            loaded = tables[name] = assemble_table(package, resources[name], partner, tasks[name])
            checks[name] = [submit(client, check_part, spill, loaded.schema, loaded.part_offset(part))
                            for part, spill in enumerate(loaded.spills)]
        tallies = {name: [task.result() for task in parts] for name, parts in checks.items()}
    except BaseException:
        scratch.cleanup()
        raise
    return Tables(scratch, tables, tallies)


def _indices(mask: pa.ChunkedArray | pa.Array) -> list[int]:
    """Row numbers (0-based) where a boolean mask is true; null counts as false."""
    return pc.indices_nonzero(pc.fill_null(mask, False).combine_chunks() if isinstance(mask, pa.ChunkedArray)
                              else pc.fill_null(mask, False)).to_pylist()


def _query(connection: Any, sql: str) -> Iterator[tuple[Any, ...]]:
    """The rows of a query, fetched a few thousand at a time."""
    cursor = connection.execute(sql)  # ``connection`` is a cursor of its own, see Tables.connect
    while rows := cursor.fetchmany(4096):
        yield from rows


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


# --- Descriptor-level checks ----------------------------------------------

def _package(package: Path | Package) -> Package:
    return package if isinstance(package, Package) else read_package(package)


def check_profiles(package_dir: Path | Package) -> list[str]:
    """Descriptor and the Table Schemas it declares against the official Data Package 2.0 profiles."""
    import jsonschema

    package = _package(package_dir)
    documents: dict[str, tuple[str, Any]] = {"datapackage.json": ("datapackage.json", package.descriptor)}
    for resource in package.resources:
        shown = resource.schema_path or f"resource {resource.name} (inline schema)"
        documents.setdefault(shown, ("tableschema.json", resource.declared_schema))
    failures = []
    for shown, (profile_name, document) in documents.items():
        profile = json.loads((PROFILES_DIR / profile_name).read_text(encoding="utf-8"))
        validator = jsonschema.Draft7Validator(profile)
        for error in sorted(validator.iter_errors(document), key=str):
            location = "/".join(map(str, error.absolute_path)) or "(root)"
            failures.append(f"{shown}: {location}: {error.message} (profile {profile_name})")
    return failures


def check_dataset_schemas(package_dir: Path | Package) -> Iterable[Finding]:
    """A package claiming to be this dataset declares each of its tables as CSV and Parquet, at the paths
    and with the Table Schemas of this project's ``schemas/`` (its rows are checked against its own)."""
    from scripts.flavours import is_open, open_schema
    from scripts.parts import table_files

    package = _package(package_dir)
    flavour = is_open(package.descriptor)   # an open package carries the open flavour of this dataset's schemas
    for table in TABLES:
        project_schema = normalised(read_json(SCHEMAS_DIR / f"{table}.json", f"schemas/{table}.json"))
        if flavour:
            project_schema = normalised(open_schema(TableSchema(table, project_schema)).descriptor)
        for extension in ("csv", "parquet"):
            name = table if extension == "csv" else f"{table}-{extension}"
            resource = package.resource(name)
            if resource is None:
                yield Finding(name, "-", "-", "this dataset's resource is not declared")
                continue
            # one file, or the parts of a table written as parts (scripts/parts.py names both layouts)
            if list(resource.files) != table_files(table, extension, len(resource.files)):
                shown = resource.path if len(resource.files) == 1 else list(resource.files)
                yield Finding(name, "-", "path", f"{_show(shown)}, this dataset's is 'data/{table}.{extension}' "
                              f"or its parts 'data/{table}/part-NNN.{extension}' numbered from 000")
            if resource.schema != project_schema:
                yield Finding(name, "-", "schema", f"{_show(resource.schema_path or 'inline')} differs from this "
                              f"dataset's schemas/{table}.json: {_schema_difference(resource.schema, project_schema)}")


def _schema_difference(declared: dict[str, Any], expected: dict[str, Any]) -> str:
    """The first parts of a Table Schema that differ from this dataset's, named."""
    fields = {f["name"]: f for f in declared["fields"]}
    wanted = {f["name"]: f for f in expected["fields"]}
    parts = [f"field {n!r} differs" for n in wanted if n in fields and fields[n] != wanted[n]]
    parts += [f"field {n!r} is missing" for n in wanted if n not in fields]
    parts += [f"field {n!r} is not this dataset's" for n in fields if n not in wanted]
    if list(fields) != list(wanted) and not parts:
        parts.append("the fields are in another order")
    parts += [f"{key} differs" for key in sorted(set(declared) | set(expected))
              if key != "fields" and declared.get(key) != expected.get(key)]
    return ", ".join(parts[:SHOWN_EXAMPLES]) + (" ..." if len(parts) > SHOWN_EXAMPLES else "")


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


def check_files(package_dir: Path | Package) -> list[str]:
    """Each resource file's size and hash against the descriptor, whatever its format."""
    package = _package(package_dir)
    failures = []
    for resource in package.resources:
        declared = resource.descriptor
        # a multi-path resource declares the bytes and hash of each part (scripts/untrusted.py checked their form)
        files = resource.parts or ((resource.path, declared.get("bytes"), declared.get("hash")),)
        for path, size_declared, hash_declared in files:
            try:
                size, digest = file_sha256(package.file(path))
            except OSError:
                failures.append(f"{path}: missing")
                continue
            if size_declared is not None and size_declared != size:
                failures.append(f"{path}: {size} bytes, the descriptor says {size_declared}")
            if hash_declared != f"sha256:{digest}":
                failures.append(f"{path}: SHA-256 differs from the descriptor's hash")
    return failures


# --- Column rules: one cell at a time, one task per part -------------------------------------------------
#
# A column rule looks at one column of a block of rows and names the cells that break it. The rules of a
# part run in one task (:func:`check_part`, on a Dask worker with ``--workers``), which reads each column of
# the part's spill once for all the rules on it and keeps, per rule, the count and the first KEPT_EXAMPLES
# findings (a Tally). A check reports table by table, rule by rule, part by part: the order in which one
# pass over each whole table finds them, so the report is the same for any number of workers.

BlockRule = Callable[[str, Block], Iterator[Finding]]     # (table, block) -> what one rule finds in the block
RANGE_COMPARISONS = {"minimum": (pc.less, "below the minimum"), "maximum": (pc.greater, "above the maximum"),
                     "minLength": (pc.less, "shorter than"), "maxLength": (pc.greater, "longer than")}


def _malformed_cells(spec: dict[str, Any], table: str, block: Block) -> Iterator[Finding]:
    """Every non-empty cell is of its field's type."""
    column = spec["name"]
    for i in _indices(block.malformed(column)):
        yield Finding(table, block.key(i), column, f"{_show(block.strings(column)[i].as_py())} is not a {spec['type']}")


def _missing_values(column: str, table: str, block: Block) -> Iterator[Finding]:
    """Required fields hold a value (a malformed cell is a type error, not a missing value)."""
    for i in _indices(pc.and_(pc.is_null(block.typed(column)), pc.invert(block.malformed(column)))):
        yield Finding(table, block.key(i), column, "required value is missing")


def _null_keys(column: str, table: str, block: Block) -> Iterator[Finding]:
    """No part of a primary key is null (named by the row's position: its key is incomplete)."""
    for i in _indices(pc.and_(pc.is_null(block.typed(column)), pc.invert(block.malformed(column)))):
        yield Finding(table, str(block.offset + i + 1), column, "primary key is null")


def _outside_enum(column: str, allowed: list[Any], table: str, block: Block) -> Iterator[Finding]:
    """Values of a field with an ``enum`` are in it."""
    cells = block.typed(column)
    outside = pc.and_(pc.is_valid(cells), pc.invert(pc.is_in(cells, pa.array(allowed).cast(cells.type))))
    for i in _indices(outside):
        yield Finding(table, block.key(i), column, f"{_show(cells[i].as_py())} is not one of {', '.join(map(str, allowed))}")


def _bad_list_items(column: str, items: dict[str, Any], table: str, block: Block) -> Iterator[Finding]:
    """Each item of a list cell (a field's ``listItems``: delimiter and allowed items) is allowed."""
    cells = block.typed(column)
    split = pc.split_pattern(cells, items["delimiter"])
    flat = pc.list_flatten(split)
    bad_items = pc.invert(pc.is_in(flat, pa.array(items["enum"]).cast(flat.type)))
    rows = pc.list_parent_indices(split)
    for i in sorted({rows[j].as_py() for j in _indices(bad_items)}):
        yield Finding(table, block.key(i), column, f"{_show(cells[i].as_py())} holds an item that is not one of "
                      f"{', '.join(items['enum'])} (separated by {items['delimiter']!r})")


def _pattern_mismatches(column: pa.Array, pattern: str) -> pa.Array:
    """Mask of values that do not match the whole pattern (RE2, or Python's re for what RE2 lacks)."""
    try:
        return pc.and_(pc.is_valid(column), pc.invert(pc.match_substring_regex(column, f"^(?:{pattern})$")))
    except pa.ArrowInvalid:
        compiled = re.compile(pattern)
        return pa.array([v is not None and not compiled.fullmatch(v) for v in column.to_pylist()])


def _pattern_failures(column: str, pattern: str, table: str, block: Block) -> Iterator[Finding]:
    """Values of a field with a ``pattern`` match it as a whole."""
    cells = block.typed(column)
    for i in _indices(_pattern_mismatches(cells, pattern)):
        yield Finding(table, block.key(i), column, f"{_show(cells[i].as_py())} does not match {pattern}")


def _out_of_range(column: str, constraint: str, limit: Any, table: str, block: Block) -> Iterator[Finding]:
    """A number within ``minimum``/``maximum``, a string's length within ``minLength``/``maxLength``."""
    compare, words = RANGE_COMPARISONS[constraint]
    cells = block.typed(column)
    measured = pc.utf8_length(cells) if constraint.endswith("Length") else cells
    for i in _indices(compare(measured, pa.scalar(limit).cast(measured.type))):
        yield Finding(table, block.key(i), column, f"{_show(cells[i].as_py())} is {words} {limit}")


def _text_form_failures(column: str, table: str, block: Block) -> Iterator[Finding]:
    """Every text cell is in Unicode NFC (the build normalises every text it writes, so a span found in
    one form is found in the other) and holds no NUL character (nothing binary reaches a text)."""
    cells = block.typed(column)
    nul = pc.match_substring(cells, "\x00")
    for i in _indices(nul):
        position = cells[i].as_py().index("\x00")
        yield Finding(table, block.key(i), column, f"holds a NUL character at {position}")
    other_form = pc.and_(pc.invert(pc.fill_null(nul, False)), pc.not_equal(pc.utf8_normalize(cells, "NFC"), cells))
    for i in _indices(other_form):
        yield Finding(table, block.key(i), column, f"{_show(cells[i].as_py())} is not in Unicode NFC")


def _constraints(spec: dict[str, Any]) -> dict[str, Any]:
    return spec.get("constraints", {})


# check label -> the rules a schema implies, as (column, rule), in the order one pass over the table reports them
COLUMN_RULES: dict[str, Callable[[TableSchema], list[tuple[str, BlockRule]]]] = {
    "types": lambda schema: [(f["name"], functools.partial(_malformed_cells, f)) for f in schema.fields],
    "required": lambda schema: [(f["name"], functools.partial(_missing_values, f["name"])) for f in schema.fields
                                if _constraints(f).get("required")],
    "unique and primary keys": lambda schema: [(c, functools.partial(_null_keys, c)) for c in schema.primary_key],
    "enum": lambda schema: [(f["name"], functools.partial(_outside_enum, f["name"], _constraints(f)["enum"]))
                            for f in schema.fields if _constraints(f).get("enum") is not None],
    "list items": lambda schema: [(f["name"], functools.partial(_bad_list_items, f["name"], f["listItems"]))
                                  for f in schema.fields if f.get("listItems")],
    "pattern": lambda schema: [(f["name"], functools.partial(_pattern_failures, f["name"], _constraints(f)["pattern"]))
                               for f in schema.fields if _constraints(f).get("pattern") is not None],
    "minimum, maximum and length": lambda schema: [
        (f["name"], functools.partial(_out_of_range, f["name"], constraint, limit))
        for f in schema.fields for constraint, limit in _constraints(f).items() if constraint in RANGE_COMPARISONS],
    "text in NFC, without NUL": lambda schema: [(f["name"], functools.partial(_text_form_failures, f["name"]))
                                                for f in schema.fields if f["type"] == "string"],
}


def column_rules(schema: TableSchema) -> list[tuple[str, str, BlockRule]]:
    """(check label, column, rule) of every column rule of a table, in a fixed order."""
    return [(label, column, rule) for label, rules in COLUMN_RULES.items() for column, rule in rules(schema)]


def check_part(spill: Path, schema: TableSchema, offset: int) -> list[Tally]:
    """Every column rule on one part of a table (its spill; ``offset``: the position of its first row in the
    table), a Tally per rule in the order of :func:`column_rules`. Each column is read once, a row group at
    a time, for all the rules on it."""
    rules = column_rules(schema)
    tallies = [Tally() for _ in rules]
    by_column: dict[str, list[int]] = {}
    for index, (_label, column, _rule) in enumerate(rules):
        by_column.setdefault(column, []).append(index)
    for column, indices in by_column.items():
        for block in spill_blocks(spill, [column], offset):
            for index in indices:
                for finding in rules[index][2](schema.name, block):
                    tallies[index].add(finding)
    return tallies


# --- Rows against their Table Schema (what frictionless checks row by row) --

def check_structure(tables: Tables) -> list[Finding]:
    """Files readable, header equal to the schema's columns, every row with as many cells as the header."""
    return [finding for loaded in tables.values() for finding in loaded.structure]


def check_types(tables: Tables) -> Iterable[Finding | More]:
    """Every non-empty cell is of its field's type (:func:`_malformed_cells`, a column rule)."""
    return tables.column_findings("types")


def check_constraints_known(tables: Tables) -> Iterable[Finding]:
    """Every constraint in a schema is one this checker implements (none is silently skipped)."""
    for name, loaded in tables.items():
        for spec in loaded.schema.fields:
            for constraint in sorted(set(spec.get("constraints", {})) - CHECKED_CONSTRAINTS):
                yield Finding(name, "-", spec["name"], f"constraint {constraint!r} is not checked by scripts/validate.py")


def check_required(tables: Tables) -> Iterable[Finding | More]:
    """Required fields hold a value (:func:`_missing_values`, a column rule)."""
    return tables.column_findings("required")


def check_unique(tables: Tables) -> Iterable[Finding | More]:
    """Primary keys and ``unique`` fields hold no value twice, and a primary key no null (DuckDB over the rows)."""
    connection = tables.connect()
    for name, loaded in tables.items():
        if not loaded.readable:
            continue
        key = loaded.schema.primary_key
        keys = [key] + [[f["name"]] for f in loaded.schema.fields
                        if f.get("constraints", {}).get("unique") and [f["name"]] != key]
        for columns in keys:
            what = "primary key" if columns == key else "unique value"
            typed = ", ".join(_quoted(_t(c)) for c in columns)
            complete = " AND ".join(f"{_quoted(_t(c))} IS NOT NULL" for c in columns)
            repeated = _query(connection, f"""
                SELECT {KEY}, {typed} FROM {loaded.relation()} WHERE {complete}
                QUALIFY row_number() OVER (PARTITION BY {typed} ORDER BY {ROW}) > 1 ORDER BY {ROW}""")
            for row_key, *values in repeated:
                yield Finding(name, row_key, ", ".join(columns),
                              f"{what} {', '.join(_show(v) for v in values)} occurs more than once")
        yield from tables.column_findings("unique and primary keys", name)   # a null key: a column rule


def check_enum(tables: Tables) -> Iterable[Finding | More]:
    """Values of fields with an ``enum`` are in it (:func:`_outside_enum`, a column rule)."""
    return tables.column_findings("enum")


def check_list_items(tables: Tables) -> Iterable[Finding | More]:
    """Each item of a list cell is allowed (:func:`_bad_list_items`, a column rule)."""
    return tables.column_findings("list items")


def check_pattern(tables: Tables) -> Iterable[Finding | More]:
    """Values of fields with a ``pattern`` match it as a whole (:func:`_pattern_failures`, a column rule)."""
    return tables.column_findings("pattern")


def check_ranges(tables: Tables) -> Iterable[Finding | More]:
    """``minimum``/``maximum`` of numbers and ``minLength``/``maxLength`` of strings (:func:`_out_of_range`)."""
    return tables.column_findings("minimum, maximum and length")


def check_foreign_keys(tables: Tables) -> Iterable[Finding]:
    """Every foreign key value exists in the referenced table (rows with a null in the key are skipped; DuckDB)."""
    connection = tables.connect()
    for name, loaded in tables.items():
        if not loaded.readable:
            continue
        for key in loaded.schema.foreign_keys:
            resource = key["reference"].get("resource") or name
            target_name = resource.removesuffix("-parquet")
            target = tables.get(target_name)
            if target is None or not target.readable:
                yield Finding(name, "-", ", ".join(key["fields"]), f"referenced table {resource!r} cannot be read")
                continue
            fields, targets = key["fields"], key["reference"]["fields"]
            values = ", ".join(f"c.{_quoted(_t(c))}" for c in fields)
            complete = " AND ".join(f"c.{_quoted(_t(c))} IS NOT NULL" for c in fields)
            found = " AND ".join(f"p.{_quoted(_t(t))} = c.{_quoted(_t(f))}" for f, t in zip(fields, targets))
            missing = _query(connection, f"""
                SELECT c.{KEY}, {values} FROM {loaded.relation()} c WHERE {complete}
                AND NOT EXISTS (SELECT 1 FROM {target.relation()} p WHERE {found}) ORDER BY c.{ROW}""")
            for row_key, *shown in missing:
                yield Finding(name, row_key, ", ".join(fields),
                              f"{', '.join(_show(v) for v in shown)} is not in {target_name}.{', '.join(targets)}")


def check_text_form(tables: Tables) -> Iterable[Finding | More]:
    """Text cells in Unicode NFC and without NUL (:func:`_text_form_failures`, a column rule)."""
    return tables.column_findings("text in NFC, without NUL")


def check_key_order(tables: Tables) -> Iterable[Finding]:
    """The rows of every table are in primary-key order, as the build writes them (each row's key is
    compared with the one before it; rows with an empty key part are the primary-key check's)."""
    connection = tables.connect()
    for name, loaded in tables.items():
        if not loaded.readable:
            continue
        key = loaded.schema.primary_key
        earlier = [f"earlier_{i}" for i in range(len(key))]
        # a multi-path resource is sorted within each part (its rows are split by a hash of their source)
        window = f"OVER (PARTITION BY {PART} ORDER BY {ROW})"
        lags = ", ".join(f"lag({_quoted(_t(c))}) {window} AS {e}" for c, e in zip(key, earlier))
        # (k1, k2, ...) < (e1, e2, ...) in the order of the key's parts
        before = " OR ".join(
            "(" + " AND ".join([f"{_quoted(_t(c))} = {e}" for c, e in zip(key[:i], earlier[:i])]
                               + [f"{_quoted(_t(key[i]))} < {earlier[i]}"]) + ")" for i in range(len(key)))
        found = _query(connection, f"""
            SELECT key, earlier_key FROM (SELECT {KEY}, {ROW}, lag({KEY}) {window} AS earlier_key,
                   {", ".join(_quoted(_t(c)) for c in key)}, {lags} FROM {loaded.relation()})
            WHERE {before} ORDER BY row""")
        for row_key, earlier_key in found:
            yield Finding(name, row_key, ", ".join(key), f"comes after the row {earlier_key}: the rows are not in "
                          "primary-key order")


SCHEMA_CHECKS: list[tuple[str, Callable[[Tables], Iterable[Finding | More]]]] = [
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
    ("text in NFC, without NUL", check_text_form),
    ("rows in primary-key order", check_key_order),
]


def schema_checks(tables: Tables) -> list[CheckResult]:
    """The rows of every CSV against its Table Schema, one result per kind of constraint."""
    return [CheckResult("schema", label).extend(check(tables)) for label, check in SCHEMA_CHECKS]


# --- Cross-table checks ------------------------------------------------------

@dataclass
class Context:
    """What the cross-table checks look at: the tables and where the package lives."""

    package_dir: Path
    tables: Tables
    # Where CITATION.cff and CHANGELOG.md are looked up: the package itself, unless the caller names
    # the project a staging build belongs to (never a silent fallback). Raw files are always the package's.
    project_dir: Path | None = None

    def rows(self, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
        """(key, typed values...) of every row of a table, one row group at a time (none when the
        package has no such table with these columns)."""
        loaded = self.tables.usable(table, columns)
        if loaded is None:
            return
        for block in loaded.blocks(columns):
            typed = [block.typed(c).to_pylist() for c in columns]
            yield from zip(block.columns.column(KEY).to_pylist(), *typed)


def _aligned(left: Iterator[pa.RecordBatch], right: Iterator[pa.RecordBatch]) -> Iterator[tuple[pa.RecordBatch, pa.RecordBatch]]:
    """Two streams of batches of the same number of rows, cut into pairs of equal length."""
    a = b = None
    while True:
        if a is None or a.num_rows == 0:
            a = next(left, None)
        if b is None or b.num_rows == 0:
            b = next(right, None)
        if a is None or b is None:
            return
        if a.num_rows == 0 or b.num_rows == 0:
            continue
        length = min(a.num_rows, b.num_rows)
        yield a.slice(0, length), b.slice(0, length)
        a, b = a.slice(length), b.slice(length)


def _batch_rows(parquet: pq.ParquetFile, column: str) -> int:
    """Rows of one Parquet column read at a time: about PARQUET_BATCH_BYTES of its values (a row group of
    long texts is read in slices, not whole), at most PARQUET_BATCH_ROWS."""
    metadata = parquet.metadata
    index = parquet.schema_arrow.get_field_index(column)
    size = sum(metadata.row_group(g).column(index).total_uncompressed_size for g in range(metadata.num_row_groups))
    return max(1, min(PARQUET_BATCH_ROWS, PARQUET_BATCH_BYTES * metadata.num_rows // max(size, 1)))


def check_csv_equals_parquet(ctx: Context) -> Iterable[Finding]:
    """The CSV and the Parquet file of each table (of each part) hold the same rows and values (compared in
    order, a few MiB of a column at a time)."""
    for name, loaded in ctx.tables.items():
        if loaded.parquet_problem is not None:
            yield loaded.parquet_problem
            continue
        if not loaded.readable or not loaded.parquet_paths:
            continue
        for part, (path, csv_rows) in enumerate(zip(loaded.parquet_paths, loaded.part_rows)):
            parquet = pq.ParquetFile(path)
            parquet_rows = parquet.metadata.num_rows
            if csv_rows != parquet_rows:
                key = loaded.schema.primary_key
                shown = " || ', ' || ".join(f"coalesce(CAST({_quoted(c)} AS VARCHAR), 'None')" for c in key)
                csv_keys = (f"SELECT {', '.join(f'{_quoted(_t(c))} AS {_quoted(c)}' for c in key)} "
                            f"FROM {loaded.relation()} WHERE {PART} = {part}")
                parquet_keys = f"SELECT {', '.join(map(_quoted, key))} FROM read_parquet('{path.as_posix()}')"
                only = [row[0] for row in ctx.tables.connect().execute(f"""
                    SELECT DISTINCT {shown} AS shown FROM (({csv_keys} EXCEPT {parquet_keys})
                    UNION ({parquet_keys} EXCEPT {csv_keys})) ORDER BY shown LIMIT {SHOWN_EXAMPLES}""").fetchall()] or ["-"]
                files = f" {path.name}" if len(loaded.parquet_paths) > 1 else ""
                yield Finding(name, ", ".join(only), "-", f"the CSV{files} has {csv_rows} rows, the Parquet file"
                              f"{files} {parquet_rows} (keys in only one of them: {'; '.join(only)})")
                continue
            for column in loaded.schema.columns:
                pairs = _aligned((block.columns for block in loaded.blocks([column], part)),
                                 parquet.iter_batches(batch_size=_batch_rows(parquet, column), columns=[column]))
                for block_columns, published in pairs:
                    a = block_columns.column(_t(column))
                    b = published.column(0).cast(a.type)
                    both_null = pc.and_(pc.is_null(a), pc.is_null(b))
                    differ = pc.invert(pc.or_(both_null, pc.fill_null(pc.equal(a, b), False)))
                    for i in _indices(differ):
                        yield Finding(name, str(block_columns.column(KEY)[i].as_py()), column,
                                      f"CSV {_show(a[i].as_py())}, Parquet {_show(b[i].as_py())}")


def _first_texts(ctx: Context, text: str = '"t:text"') -> str:
    """A DuckDB query of the first row of texts per source_id (as a lookup by position would find it): its
    source_id, ``text`` (an expression of the text) AS text and its key. The window picks the rows by
    position alone and the texts are joined to them after: a window over the texts themselves holds them
    all pinned at once, which ran out of DuckDB's 512 MB at 100k articles (300 MB of texts)."""
    texts = ctx.tables["texts"].relation()
    return f"""SELECT t."t:source_id" AS source_id, {text} AS text, t.{KEY} AS text_key FROM {texts} t
               SEMI JOIN (SELECT {ROW} FROM {texts} WHERE "t:source_id" IS NOT NULL
                          QUALIFY row_number() OVER (PARTITION BY "t:source_id" ORDER BY {ROW}) = 1) f
               ON t.{ROW} = f.{ROW}"""


def _span_rows(ctx: Context, table: str) -> str | None:
    """A DuckDB query of the rows of a span table beside the length of their source's text (null when
    texts has none). The length is computed once per text, not once per span: the text of a long
    article is not scanned again for each of its thousands of mentions."""
    rows = ctx.tables.usable(table, ["source_id", "start", "end", "text"])
    texts = ctx.tables.usable("texts", ["source_id", "text"])
    if rows is None or texts is None:
        return None
    return f"""
        WITH text AS (SELECT source_id, text_key, text AS length FROM ({_first_texts(ctx, 'length("t:text")')}))
        SELECT s.{KEY} AS key, s.{ROW} AS row, s."t:source_id" AS source_id, s."t:start" AS start,
               s."t:end" AS "end", s."t:text" AS span, t.text_key AS text_key,
               t.source_id IS NOT NULL AS found, t.length AS length,
               coalesce(s."t:start" >= 0 AND s."t:start" < s."t:end" AND s."t:end" <= t.length, false) AS inside
        FROM {rows.relation()} s LEFT JOIN text t ON t.source_id = s."t:source_id" """


def check_offsets(ctx: Context) -> Iterable[Finding]:
    """Offsets of every span lie inside its source's text: 0 <= start < end <= len(text)."""
    connection = ctx.tables.connect()
    for table in SPAN_TABLES:
        query = _span_rows(ctx, table)
        if query is None:
            continue
        # rows whose source has no text are foreign-key failures, reported there
        found = _query(connection, f"SELECT key, start, \"end\", length, source_id FROM ({query}) "
                                   "WHERE found AND NOT inside ORDER BY row")
        for key, start, end, length, source_id in found:
            yield Finding(table, key, "start, end",
                          f"[{start}, {end}) is not inside the {length} characters of {source_id}")


def _span_mismatches(ctx: Context, query: str) -> list[tuple[Any, ...]]:
    """(row, key, span, start, end, text_key, actual) of every span that differs from its text, by row.

    The spans, ordered by source, are merged with the texts, ordered the same way, in Python: each text
    is read once and sliced by code point in constant time per span. DuckDB's ``substring`` walks a
    non-ASCII text from its start, one walk per span, which made validation quadratic in the mentions
    of an article (docs/scaling.md).
    """
    # Each order is written to a scratch file first: two sorts streamed at once must both stay pinned, and
    # at 100k articles (300 MB of texts) they did not fit in DuckDB's 512 MB together.
    texts = _query(ctx.tables.connect(), "SELECT source_id, text, text_key FROM " + ctx.tables.sorted_file(
        f"SELECT source_id, text, text_key FROM ({_first_texts(ctx)}) ORDER BY source_id"))
    spans = _query(ctx.tables.connect(), "SELECT row, key, span, start, \"end\", source_id FROM " + ctx.tables.sorted_file(
        f"""SELECT row, key, span, start, "end", source_id FROM ({query}) WHERE inside ORDER BY source_id, row"""))
    mismatches = []
    current: tuple[Any, ...] | None = None
    for row, key, span, start, end, source_id in spans:
        while current is None or current[0] < source_id:  # both orders are by code point (UTF-8 bytes)
            current = next(texts, (source_id + "\U0010ffff", "", None))  # past the end: past every id
        if current[0] != source_id:
            continue  # unreachable: 'inside' needs the text; a span without one is a foreign-key failure
        text, text_key = current[1], current[2]
        if span != text[start:end]:
            mismatches.append((row, key, span, start, end, text_key, text[start:end]))
    return sorted(mismatches, key=lambda found: found[0])


def check_spans(ctx: Context) -> Iterable[Finding]:
    """Every span equals its source's text at its offsets (rows with bad offsets are reported above)."""
    for table in SPAN_TABLES:
        query = _span_rows(ctx, table)
        if query is None:
            continue
        for _row, key, span, start, end, text_key, actual in _span_mismatches(ctx, query):
            yield Finding(table, key, "text", f"{_show(span)}, but text[{start}:{end}] of {text_key} is {_show(actual)}")


def check_mention_overlaps(ctx: Context) -> Iterable[Finding]:
    """Mentions of one source do not overlap (each is compared with the one before it by start)."""
    mentions = ctx.tables.usable("mentions", ["source_id", "start", "end"])
    if mentions is None:
        return
    found = _query(ctx.tables.connect(), f"""
        WITH spans AS (
            SELECT {KEY} AS key, {ROW} AS row, "t:source_id" AS source_id, "t:start" AS start, "t:end" AS "end",
                   min({ROW}) OVER (PARTITION BY "t:source_id") AS source_order
            FROM {mentions.relation()} WHERE "t:start" IS NOT NULL AND "t:end" IS NOT NULL),
        ordered AS (
            SELECT *, lag(key) OVER w AS earlier, lag("end") OVER w AS earlier_end,
                   row_number() OVER (ORDER BY source_order, start, "end", row) AS position
            FROM spans WINDOW w AS (PARTITION BY source_order ORDER BY start, "end", row))
        SELECT key, start, earlier, source_id, earlier_end FROM ordered
        WHERE earlier IS NOT NULL AND start < earlier_end ORDER BY position""")
    for key, start, earlier, source_id, earlier_end in found:
        yield Finding("mentions", key, "start",
                      f"{start} overlaps mention {earlier} of {source_id}, which ends at {earlier_end}")


def check_text_hashes(ctx: Context) -> Iterable[Finding]:
    """``sources.text_sha256`` and ``n_chars`` describe the text in ``texts`` (the last row of a source_id)."""
    sources = ctx.tables.usable("sources", ["source_id", "text_sha256", "n_chars"])
    texts = ctx.tables.usable("texts", ["source_id", "text"])
    if sources is None:
        return
    text = ("SELECT NULL::VARCHAR AS source_id, NULL::VARCHAR AS digest, NULL::BIGINT AS length WHERE false"
            if texts is None else
            f"""SELECT "t:source_id" AS source_id, sha256("t:text") AS digest, length("t:text") AS length
                FROM {texts.relation()}
                QUALIFY row_number() OVER (PARTITION BY "t:source_id" ORDER BY {ROW} DESC) = 1""")
    found = _query(ctx.tables.connect(), f"""
        WITH text AS ({text})
        SELECT s.{KEY}, s."t:text_sha256", t.digest, s."t:n_chars", t.length
        FROM {sources.relation()} s LEFT JOIN text t ON t.source_id IS NOT DISTINCT FROM s."t:source_id"
        WHERE t.digest IS NULL OR t.digest IS DISTINCT FROM s."t:text_sha256"
              OR t.length IS DISTINCT FROM s."t:n_chars"
        ORDER BY s.{ROW}""")
    for key, text_sha256, digest, n_chars, length in found:
        if digest is None:
            yield Finding("sources", key, "source_id", "has no row in texts")
            continue
        if digest != text_sha256:
            yield Finding("sources", key, "text_sha256", f"{_show(text_sha256)}, but the SHA-256 of its text is {digest!r}")
        if length != n_chars:
            yield Finding("sources", key, "n_chars", f"{n_chars}, but its text has {length} characters")


def check_raw_hashes(ctx: Context) -> Iterable[Finding]:
    """The raw file of every source exists and its SHA-256 is ``sources.raw_sha256``."""
    hashes: dict[Path, str | None] = {}  # each file is read once, however many sources name it
    for key, raw_path, raw_sha256 in ctx.rows("sources", ["raw_path", "raw_sha256"]):
        if raw_path is None:
            continue
        problem = path_problem(ctx.package_dir, raw_path)
        if problem is not None:  # refused before it is opened
            yield Finding("sources", key, "raw_path", f"{_show(raw_path)} {problem}; not read")
            continue
        path = ctx.package_dir.joinpath(*raw_path.split("/"))
        if path not in hashes:
            try:
                hashes[path] = file_sha256(path)[1]
            except OSError:
                hashes[path] = None
        if hashes[path] is None:
            yield Finding("sources", key, "raw_path", f"{_show(raw_path)} cannot be read")
        elif hashes[path] != raw_sha256:
            yield Finding("sources", key, "raw_sha256",
                          f"{_show(raw_sha256)}, but the SHA-256 of {raw_path} is {hashes[path]!r}")


def check_entities_mentioned(ctx: Context) -> Iterable[Finding]:
    """Every entity of the registry is mentioned at least once (DuckDB over the rows)."""
    entities = ctx.tables.usable("entities", ["entity_id"])
    mentions = ctx.tables.usable("mentions", ["entity_id"])
    if entities is None:
        return
    mentioned = (f'SELECT DISTINCT "t:entity_id" AS entity_id FROM {mentions.relation()}' if mentions is not None
                 else "SELECT NULL::VARCHAR AS entity_id WHERE false")
    found = _query(ctx.tables.connect(), f"""
        SELECT e.{KEY}, e."t:entity_id" FROM {entities.relation()} e
        WHERE NOT EXISTS (SELECT 1 FROM ({mentioned}) m WHERE m.entity_id IS NOT DISTINCT FROM e."t:entity_id")
        ORDER BY e.{ROW}""")
    for key, entity_id in found:
        yield Finding("entities", key, "entity_id", f"{_show(entity_id)} has no mention")


def check_statistic_bounds(ctx: Context) -> Iterable[Finding]:
    """value, value_low and value_high of each statistic agree with its qualifier (guidelines section 3)."""
    columns = ["value", "value_low", "value_high", "qualifier"]
    for key, *values in ctx.rows("statistics", columns):
        try:
            check_bounds(dict(zip(columns, values)), "")
        except BuildError as exc:
            yield Finding("statistics", key, "qualifier", str(exc).removeprefix(": "))


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


VERSION_FILES = ("CITATION.cff", "CHANGELOG.md")


def version_files(package_dir: Path, project_dir: Path | None = None) -> list[Path]:
    """CITATION.cff and CHANGELOG.md of the package, else of the project a staging build belongs to
    (a name whose path is not a plain file inside the package is left out; :func:`check_version` names it)."""
    found = []
    for name in VERSION_FILES:
        for folder in (package_dir, project_dir):
            if folder is not None and (folder / name).exists() and path_problem(folder, name) is None:
                found.append(folder / name)
                break
    return found


def check_version(ctx: Context) -> Iterable[Finding]:
    """The descriptor's version equals CITATION.cff's and the newest CHANGELOG.md entry's, where they state one."""
    for name in VERSION_FILES:
        problem = path_problem(ctx.package_dir, name)
        if problem is not None:
            yield Finding(name, "-", "-", f"{problem}; not read")
    version = read_package(ctx.package_dir).descriptor.get("version")
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


def cross_table_checks(package_dir: Path, tables: Tables,
                       project_dir: Path | None = None) -> list[CheckResult]:
    """Every check that looks at more than one table or file."""
    ctx = Context(package_dir, tables, project_dir)
    if open_schemas(package_dir) is not None:
        return open_cross_table_checks(ctx)
    results = [CheckResult("cross-table", label).extend(check(ctx)) for label, check in CROSS_TABLE_CHECKS]
    results[-1].note = version_note(package_dir, project_dir)
    return results


def check_tables(package_dir: Path) -> list[str]:
    """The schema and cross-table checks as one line per problem ([] when all pass)."""
    with read_tables(package_dir) as tables:
        results = schema_checks(tables) + cross_table_checks(package_dir, tables)
    return [f"{r.label}: {e}" for r in results for e in r.examples]


# --- The whole validation ------------------------------------------------------

def run_checks(package_dir: Path, run_gx: bool = True, docs_dir: Path | None = None,
               frictionless_rows: bool = False, echo: bool = True, project_dir: Path | None = None,
               workers: int = 1, scheduler: str | None = None) -> list[CheckResult]:
    """Every check on the package in ``package_dir``, in order; prints each result line when ``echo``.

    The package is checked as it stands: its raw files, CITATION.cff, CHANGELOG.md and expectation
    suites are its own, unless ``project_dir`` names the project a staging build belongs to. ``workers``
    and ``scheduler`` say where the tasks run (:func:`scripts.build.executor`): each part's reading and
    typing and its column rules (:func:`load_tables`), then each batch of the suites' per-batch
    expectations (:func:`expectation_suites`); the results are the same.
    """
    from scripts.build import executor

    results: list[CheckResult] = []

    def record(result: CheckResult) -> None:
        results.append(result)
        if echo:
            print(result.line(), flush=True)
        # pyarrow's allocator (mimalloc) keeps the pages a check freed; given back, they do not add up with
        # the next check's DuckDB buffers (30k articles: peak 652 -> 606 MiB)
        pa.default_memory_pool().release_unused()

    package = read_package(package_dir)   # a malformed descriptor or an unsafe path stops here, nothing opened
    # Looked up at call time, so that a test can replace one check.
    record(CheckResult("profiles", "Data Package 2.0 profiles").extend(check_profiles(package)))
    record(CheckResult("profiles", "resources and schemas of this dataset").extend(check_dataset_schemas(package)))
    record(CheckResult("frictionless", "descriptor and schemas").extend(check_frictionless_descriptor(package_dir)))
    if frictionless_rows:
        record(CheckResult("frictionless", "rows (row by row)").extend(check_frictionless(package_dir)))
    record(CheckResult("files", "bytes and SHA-256").extend(check_files(package)))
    # The workers are stopped before the global checks, whose DuckDB buffers are the peak of a validation:
    # idle workers would only add their memory to it.
    with executor(workers, scheduler) as client:
        tables = load_tables(package, client)
    with tables:
        for result in schema_checks(tables) + cross_table_checks(package_dir, tables, project_dir):
            record(result)
    if run_gx and open_schemas(package_dir) is not None:
        record(CheckResult("Great Expectations", "suites", note=OPEN_SKIP_NOTE))
    elif run_gx:
        record(expectation_suites(package, package_dir, docs_dir, workers, scheduler))
    return results


def expectation_suites(package: Package, package_dir: Path, docs_dir: Path | None, workers: int = 1,
                       scheduler: str | None = None) -> CheckResult:
    """The Great Expectations suites on the Parquet files the package declares, and how each expectation ran
    (their batches as tasks on the workers of :func:`scripts.build.executor`, as the reading of the files)."""
    from scripts.build import executor
    from scripts.expectations import GLOBAL, PER_BATCH, WHOLE, import_gx, validate_suites

    result = CheckResult("Great Expectations", "suites")
    suites_dir = package_dir / "schemas" / "expectations"
    files = {t: [package.file(p) for p in r.files] for t in TABLES if (r := package.resource(f"{t}-parquet")) is not None}
    unsafe = [f"{relative}: {problem}; suites not run" for relative, problem in suite_problems(package_dir)]
    if unsafe or not suites_dir.is_dir():
        return result.extend(unsafe or [f"{suites_dir}: the package has no expectation suites"])
    if workers > 1 and scheduler is None:
        import_gx()   # before the workers are forked: they inherit it instead of each importing it (4 s, 250 MiB)
    with executor(workers, scheduler) as client:
        run = validate_suites(package_dir / "data", docs_dir, suites_dir, files=files, client=client)
    result.extend(run.failures)
    result.details = [ran.as_json() for ran in run.ran]
    ways = collections.Counter(ran.how for ran in run.ran)
    batches = sorted({ran.batches for ran in run.ran if ran.how == PER_BATCH})
    shown = f"{batches[0]}" if len(batches) == 1 else f"{batches[0]} to {batches[-1]}" if batches else ""
    result.note = f"{len(run.ran)} expectations: " + ", ".join(
        f"{ways[how]} {how}" + (f" ({shown} batch{'es' * (batches[-1] > 1)} per asset)" if how == PER_BATCH and batches
                                else "")
        for how in (PER_BATCH, GLOBAL, WHOLE))
    return result


def suite_problems(package_dir: Path) -> list[tuple[str, str]]:
    """(path, problem) of each expectation suite of the package that may not be opened."""
    found = []
    for path in sorted((package_dir / "schemas" / "expectations").glob("*.json")):
        relative = f"schemas/expectations/{path.name}"
        problem = path_problem(package_dir, relative)
        if problem is not None:
            found.append((relative, problem))
    return found


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
                     project_dir: Path | None = None, workers: int = 1, scheduler: str | None = None) -> list[CheckResult]:
    """Run every check on the package in ``package_dir``; raise a BuildError listing all failures.

    ``docs_dir``, when given, receives the Great Expectations Data Docs;
    ``report_path`` the JSON report. Returns the results when all pass.
    """
    package_dir = (package_dir or ROOT).resolve()
    if not (package_dir / "datapackage.json").is_file():
        raise BuildError(f"{package_dir}: no datapackage.json")
    results = run_checks(package_dir, run_gx=run_gx, docs_dir=docs_dir, frictionless_rows=frictionless_rows,
                         project_dir=project_dir, workers=workers, scheduler=scheduler)
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
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="read, type and check each file (each part of a table written as parts), and run the "
                             "suites' batches, on N Dask worker processes (default: 1, this process)")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="run them on a running Dask cluster instead (its workers must see the package and "
                             "the temporary folder at the same paths)")


def validate_command(args: argparse.Namespace) -> None:
    """``python -m scripts validate [DIR] [--report-dir DIR] [--skip-gx] [--frictionless-rows] [--workers N]
    [--scheduler tcp://HOST:PORT]``."""
    report_dir = args.report_dir.resolve()
    with package_folder(args.directory) as folder:
        validate_package(folder, run_gx=not args.skip_gx,
                         docs_dir=None if args.skip_gx else report_dir / "docs",
                         report_path=report_dir / "report.json", frictionless_rows=args.frictionless_rows,
                         workers=args.workers, scheduler=args.scheduler)


# --- The open flavour (scripts.flavours): no texts to check spans against --------------

OPEN_SKIP_NOTE = "skipped: open flavour, no third-party text to check (python -m scripts hydrate restores it)"
OPEN_SKIPPED = ("offsets inside the text", "spans equal text", "text_sha256 and n_chars match texts",
                "raw files match raw_sha256")


def open_schemas(package_dir: Path) -> dict[str, TableSchema] | None:
    """The package's own schemas when it is an open package; None for a full one (or no readable descriptor)."""
    from scripts.flavours import is_open
    from scripts.untrusted import package_schemas

    try:
        descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # the profiles check reports it
    return package_schemas(package_dir) if isinstance(descriptor, dict) and is_open(descriptor) else None


def check_open_schemas(ctx: Context) -> Iterable[Finding]:
    """Each schema of the open package is the open flavour (by the schemas' rule) of the full one it hydrates to."""
    from scripts.hydrate import check_open_package

    try:
        check_open_package(ctx.package_dir)
    except BuildError as exc:
        yield Finding("datapackage.json", "-", "schemas", str(exc))


def check_open_offsets(ctx: Context) -> Iterable[Finding]:
    """Offsets of the open tables lie inside their source's text: 0 <= start < end <= sources.n_chars."""
    lengths = {source_id: n for _key, source_id, n in ctx.rows("sources", ["source_id", "n_chars"])}
    for table in TABLES:
        loaded = ctx.tables.get(table)
        if loaded is None:
            continue
        columns = loaded.schema.columns
        pairs = [(c, c[:-len("start")] + "end") for c in columns if c.endswith("start")
                 and c[:-len("start")] + "end" in columns]
        if "source_id" not in columns or not pairs:
            continue
        for key, source_id, *offsets in ctx.rows(table, ["source_id", *(c for pair in pairs for c in pair)]):
            length = lengths.get(source_id)
            for (start_column, _end_column), start, end in zip(pairs, offsets[::2], offsets[1::2]):
                if start is None and end is None or length is None:
                    continue
                if start is None or end is None or not 0 <= start < end <= length:
                    yield Finding(table, key, start_column,
                                  f"[{start}, {end}) is not inside the {length} characters of {source_id}")


def open_cross_table_checks(ctx: Context) -> list[CheckResult]:
    """The cross-table checks of an open package: those that need no text, the open schemas and offsets."""
    results = []
    for label, check in CROSS_TABLE_CHECKS:
        result = CheckResult("cross-table", label)
        if label in OPEN_SKIPPED:
            result.note = OPEN_SKIP_NOTE
        else:
            result.extend(check(ctx))
        results.append(result)
    results[-1].note = version_note(ctx.package_dir, ctx.project_dir)
    results.append(CheckResult("cross-table", "open flavour: schemas derive from hydrate/schemas").extend(
        check_open_schemas(ctx)))
    results.append(CheckResult("cross-table", "open flavour: offsets inside n_chars").extend(check_open_offsets(ctx)))
    return results
