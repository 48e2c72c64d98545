"""Partitioned tables: which part a row belongs to, and the one way every reader finds a table's files.

Takes the ``partitions`` settings of ``config/package.yaml`` and a table's row
count; returns how many parts the table is written as (one: the single files
``data/<table>.csv`` and ``data/<table>.parquet``; a power of two past the
threshold: ``data/<table>/part-NNN.csv|parquet``) and, for a row, its part: a
function of its partition key alone (``source_id``, or the first primary-key
column of a table without one), never of arrival order or worker count, so the
same rows give the same files. The hash is the first 32 bits of the key's MD5
(UTF-8), the same in Python (:func:`part_of`) and DuckDB (:func:`part_sql`),
modulo the number of parts.

For readers, :func:`table_paths` gives the files of a table in a package folder
(from the resource of ``datapackage.json`` when there is one, each path checked
to stay inside the package; else from the files present), and
:func:`read_table` / :func:`table_batches` read its Parquet as one Arrow table
or as record batches, parts in order. A partitioned table is sorted by primary
key inside each part, not across parts.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq

from scripts.errors import BuildError
from scripts.schema import TableSchema

DATA_DIR = "data"
EXTENSIONS = ("csv", "parquet")
PART_PREFIX = "part-"
PART_DIGITS = 3               # part-000 ... part-999; more parts widen the number (the names still sort)


@dataclass(frozen=True)
class Partitioning:
    """When a table is split and into how many parts (``partitions`` of ``config/package.yaml``).

    A table is split past either threshold: rows (a long table) or bytes of text (a table of long
    values, like the articles' texts, whose rows are few but whose sort would hold them all); the parts
    are as many as the stricter of the two asks for.
    """
    above_rows: int        # a table with at most this many rows (and bytes, below) stays one file
    rows_per_part: int     # past it, the fewest parts (a power of two) averaging at most this many rows
    above_bytes: int = 2 ** 62      # the same for the UTF-8 bytes of a table's text values (:func:`text_bytes`)
    bytes_per_part: int = 2 ** 62

    def parts_for(self, rows: int, size: int = 0) -> int:
        """How many parts a table of ``rows`` rows and ``size`` bytes of text is written as (1: single files)."""
        wanted = [math.ceil(rows / self.rows_per_part)] if rows > self.above_rows else []
        wanted += [math.ceil(size / self.bytes_per_part)] if size > self.above_bytes else []
        if not wanted:
            return 1
        return max(2, 1 << max(0, math.ceil(math.log2(max(wanted)))))


SETTINGS = {"above_rows": "rows", "rows_per_part": "rows", "above_bytes": "bytes", "bytes_per_part": "bytes"}
REQUIRED_SETTINGS = ("above_rows", "rows_per_part")


def load_partitioning(config_path: Path | None = None) -> Partitioning:
    """The ``partitions`` settings of ``config/package.yaml`` (or ``config_path``); the byte thresholds
    may be left out (no byte threshold)."""
    from scripts import package
    from scripts.strict_yaml import load_yaml

    path = config_path or package.PACKAGE_CONFIG
    settings = (load_yaml(path) or {}).get("partitions")
    problems = []
    if not isinstance(settings, dict):
        raise BuildError(f"{path}: partitions: missing (above_rows and rows_per_part)")
    for key, unit in SETTINGS.items():
        if key not in settings and key not in REQUIRED_SETTINGS:
            continue
        value = settings.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"{path}: partitions.{key}: {value!r} is not a whole number of {unit}, 1 or more")
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        problems.append(f"{path}: partitions: unknown setting(s) {', '.join(unknown)}; allowed: {', '.join(SETTINGS)}")
    if problems:
        raise BuildError.of(problems)
    return Partitioning(**{key: settings[key] for key in SETTINGS if key in settings})


def text_bytes(table: pa.Table) -> int:
    """The UTF-8 bytes of the text values of ``table`` (its string columns): what the byte thresholds count,
    a function of the rows alone (not of how they are chunked)."""
    import pyarrow.compute as pc

    total = 0
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            total += pc.sum(pc.binary_length(column)).as_py() or 0
    return total


# --- Which part a row belongs to -----------------------------------------------------

def partition_column(schema: TableSchema) -> str:
    """The column a table is partitioned by: ``source_id`` (all of a source's rows share a part number),
    or the first primary-key column of a table without one (``entities``)."""
    return "source_id" if "source_id" in schema.columns else schema.primary_key[0]


def part_of(key: str, parts: int) -> int:
    """The part of a row whose partition key is ``key`` (the same as :func:`part_sql`)."""
    return int(hashlib.md5(key.encode("utf-8")).hexdigest()[:8], 16) % parts


def part_sql(column: str, parts: int) -> str:
    """A DuckDB expression of the part of each row (the same as :func:`part_of`)."""
    quoted = '"' + column.replace('"', '""') + '"'
    return f"(('0x' || md5({quoted})[1:8])::UBIGINT % {parts})"


def part_name(index: int, parts: int, extension: str) -> str:
    """``part-NNN.<extension>``, numbered from 0, zero-padded so the names sort in part order."""
    return f"{PART_PREFIX}{index:0{max(PART_DIGITS, len(str(parts - 1)))}d}.{extension}"


def table_files(table: str, extension: str, parts: int) -> list[str]:
    """The files of a table written as ``parts`` parts, relative to the package folder."""
    if parts == 1:
        return [f"{DATA_DIR}/{table}.{extension}"]
    return [f"{DATA_DIR}/{table}/{part_name(index, parts, extension)}" for index in range(parts)]


def files_present(package_dir: Path, table: str, extension: str, strict: bool = True) -> list[str]:
    """The files of a table found in ``package_dir/data`` (the single file, or the parts in order);
    a BuildError when both exist or the parts are not numbered 0 to N-1 (``strict=False``: every file
    found, whatever their layout)."""
    single = package_dir / DATA_DIR / f"{table}.{extension}"
    folder = package_dir / DATA_DIR / table
    found = sorted(path.name for path in folder.glob(f"{PART_PREFIX}*.{extension}")) if folder.is_dir() else []
    if not strict:
        return [f"{DATA_DIR}/{table}.{extension}"] * single.is_file() + [f"{DATA_DIR}/{table}/{n}" for n in found]
    if single.is_file() and found:
        raise BuildError(f"{single}: the table is also written as parts in {folder}; remove one of them")
    if single.is_file():
        return [f"{DATA_DIR}/{table}.{extension}"]
    if not found:
        return []
    expected = [path.rsplit("/", 1)[1] for path in table_files(table, extension, len(found))]
    if found != expected:
        raise BuildError(f"{folder}: parts {', '.join(found)} are not numbered 0 to {len(found) - 1}")
    return [f"{DATA_DIR}/{table}/{name}" for name in found]


# --- Reading a table whatever its number of parts ------------------------------------

def resource_paths(resource: dict[str, Any]) -> list[str]:
    """The paths of a resource: its ``path``, or each of a multi-path resource's (Data Package 2)."""
    path = resource.get("path")
    return list(path) if isinstance(path, list) else [path] if isinstance(path, str) else []


def _resource_name(table: str, extension: str) -> str:
    return table if extension == "csv" else f"{table}-{extension}"


def table_paths(package_dir: Path, table: str, extension: str = "parquet",
                descriptor: dict[str, Any] | None = None) -> list[Path]:
    """The files of ``table`` in ``extension`` (csv or parquet), in part order.

    From the resource ``<table>`` (CSV) or ``<table>-parquet`` of ``descriptor`` (default: the
    package's ``datapackage.json``), each path checked to stay inside the package; without a
    descriptor, the files present in ``data/``. A BuildError names the package and table when
    the table has no files.
    """
    from scripts.untrusted import DESCRIPTOR, inside, read_json

    if descriptor is None and (package_dir / DESCRIPTOR).is_file():
        descriptor = read_json(package_dir / DESCRIPTOR, str(package_dir / DESCRIPTOR))
    if isinstance(descriptor, dict) and isinstance(descriptor.get("resources"), list):
        name = _resource_name(table, extension)
        resource = next((r for r in descriptor["resources"] if isinstance(r, dict) and r.get("name") == name), None)
        if resource is not None:
            where = f"{package_dir / DESCRIPTOR}: resource {name!r}"
            return [inside(package_dir, path, where) for path in resource_paths(resource)]
    relatives = files_present(package_dir, table, extension)
    if not relatives:
        raise BuildError(f"{package_dir}: no {table}.{extension} (nor parts in {DATA_DIR}/{table}/); "
                         "build the tables first")
    return [package_dir.joinpath(*relative.split("/")) for relative in relatives]


def part_files(package_dir: Path, table: str, descriptor: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """(Parquet, CSV) paths relative to the package of each part of ``table`` (one pair for single files), in
    part order: what a reader that writes a table again part by part (the flavours) reads and writes."""
    found = {extension: [path.relative_to(package_dir).as_posix()
                         for path in table_paths(package_dir, table, extension, descriptor)]
             for extension in ("parquet", "csv")}
    if len(found["parquet"]) != len(found["csv"]):
        raise BuildError(f"{package_dir}: table {table!r} has {len(found['parquet'])} Parquet file(s) but "
                         f"{len(found['csv'])} CSV file(s); each part is published in both formats")
    return list(zip(found["parquet"], found["csv"]))


def has_table(package_dir: Path, table: str, extension: str = "parquet") -> bool:
    """Whether ``package_dir`` holds ``table`` (single file or parts)."""
    try:
        return bool(table_paths(package_dir, table, extension))
    except BuildError:
        return False


def table_batches(package_dir: Path, table: str, columns: list[str] | None = None,
                  descriptor: dict[str, Any] | None = None) -> Iterator[pa.Table]:
    """The Parquet of ``table``, one row group at a time (as a table), parts in order: bounded memory."""
    for path in table_paths(package_dir, table, "parquet", descriptor):
        parquet = pq.ParquetFile(path)
        for group in range(parquet.num_row_groups):
            yield parquet.read_row_group(group, columns=columns)


def read_table(package_dir: Path, table: str, columns: list[str] | None = None,
               descriptor: dict[str, Any] | None = None, filters: list[tuple[str, str, Any]] | None = None) -> pa.Table:
    """The Parquet of ``table`` as one Arrow table (every part, in part order); for small packages, for
    readers that need the whole table, and (``filters``, as pyarrow's) for the rows of one source."""
    tables = [pq.read_table(path, columns=columns, filters=filters)
              for path in table_paths(package_dir, table, "parquet", descriptor)]
    return pa.concat_tables(tables) if len(tables) > 1 else tables[0]


def table_rows(package_dir: Path, table: str, descriptor: dict[str, Any] | None = None) -> int:
    """The row count of ``table``, from the Parquet footers of its parts (no rows read)."""
    return sum(pq.read_metadata(path).num_rows for path in table_paths(package_dir, table, "parquet", descriptor))
