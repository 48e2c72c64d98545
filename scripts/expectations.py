"""The Great Expectations stage of validation, and the generator of its suites.

Two steps, each a command or function:

* ``python -m scripts expectations [--check]`` takes ``schemas/<table>.json``
  (column order, required, unique, enum, pattern, minimum, primary key) and
  the rules of ``config/expectations.yaml`` that a Table Schema cannot state,
  and writes one GX 1.x ExpectationSuite per asset as pretty-printed, sorted
  JSON into ``schemas/expectations/<asset>.json`` (an asset is a table, or a
  frame joined from two tables). Every expectation carries ``meta.why``. With
  ``--check`` it writes nothing and fails when a committed file is stale.
* :func:`run_suites` takes a package's ``data/`` folder (Parquet tables, with
  ``datapackage.json`` beside it) and, optionally, a folder for Data Docs;
  it loads the committed suites into one ephemeral GX context, validates each
  asset, and returns one message per failed expectation (asset, expectation,
  column(s), row condition, a few unexpected values and row keys), sorted, or
  ``[]`` when all pass. The Data Docs are rewritten to render offline.

Nothing here lists a column: the schemas and the rules file are the only
sources of the rules. Great Expectations is imported inside functions only,
since importing it takes seconds and most commands never need it.
"""

from __future__ import annotations

import argparse
import ast
import collections
import datetime as dt
import functools
import html
import json
import math
import operator
import os
import re
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

import pyarrow as pa
import pyarrow.parquet as pq

from scripts.errors import BuildError
from scripts.transaction import write_text_atomically
from scripts.schema import SCHEMAS_DIR, TABLES, TableSchema, load_schemas
from scripts.strict_yaml import load_yaml

ROOT = SCHEMAS_DIR.parent
RULES_PATH = ROOT / "config" / "expectations.yaml"
SUITES_DIR = SCHEMAS_DIR / "expectations"
DOCS_STYLESHEET = SUITES_DIR / "data-docs.css"
GENERATOR = "python -m scripts expectations"
DATA_SOURCE = "tables"
DOCS_SITE = "expectations"
# Keyword arguments of GX expectations that name columns, so the rules file
# can be checked against the assets before anything runs.
COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
RULE_KEYS = {"expectation", "kwargs", "why", "where"}
PRESENT = "present"
SHOWN_VALUES = 5


class Spec(NamedTuple):
    """One expectation: its GX class name, arguments, reason, and optional row condition."""

    expectation: str
    kwargs: dict[str, Any]
    why: str
    where: dict[str, Any] | None = None


class Asset(NamedTuple):
    """One frame with a suite: a table, or a table joined with columns of another."""

    name: str
    columns: list[str]
    specs: list[Spec]
    meta: dict[str, Any]


# --- The rules, from the schemas and the rules file -----------------------

def schema_specs(schema: TableSchema) -> list[Spec]:
    """The expectations a Table Schema implies, in the order of its fields."""
    source = f"schemas/{schema.name}.json"
    specs = [Spec("ExpectTableColumnsToMatchOrderedList", {"column_list": schema.columns},
                  f"{source}: the columns and their order")]
    for field in schema.fields:
        specs += _field_specs(field, source)
    key = schema.primary_key
    if len(key) == 1:
        specs.append(Spec("ExpectColumnValuesToBeUnique", {"column": key[0]}, f"{source}: primary key"))
    else:
        specs.append(Spec("ExpectCompoundColumnsToBeUnique", {"column_list": key}, f"{source}: primary key"))
    return specs


def _field_specs(field: dict[str, Any], source: str) -> list[Spec]:
    """The expectations of one field's constraints."""
    name, constraints = field["name"], field.get("constraints", {})
    why = f"{source}: {name} constraint"
    specs = []
    if constraints.get("required"):
        specs.append(Spec("ExpectColumnValuesToNotBeNull", {"column": name}, f"{why} required"))
    if constraints.get("unique"):
        specs.append(Spec("ExpectColumnValuesToBeUnique", {"column": name}, f"{why} unique"))
    if "enum" in constraints:
        specs.append(Spec("ExpectColumnValuesToBeInSet", {"column": name, "value_set": list(constraints["enum"])},
                          f"{why} enum"))
    if "pattern" in constraints:
        # Table Schema patterns must match the whole value; GX searches, so anchor.
        regex = rf"^(?:{constraints['pattern']})\Z"
        specs.append(Spec("ExpectColumnValuesToMatchRegex", {"column": name, "regex": regex}, f"{why} pattern"))
    if field.get("listItems"):
        # a list cell: allowed items joined by the delimiter (kept out of `pattern`, which SQL exports turn into
        # a REGEXP check that fails on a null cell)
        items = field["listItems"]
        item = "(?:" + "|".join(re.escape(value) for value in items["enum"]) + ")"
        regex = rf"^{item}(?:{re.escape(items['delimiter'])}{item})*\Z"
        specs.append(Spec("ExpectColumnValuesToMatchRegex", {"column": name, "regex": regex}, f"{why} listItems"))
    if "minimum" in constraints:
        specs.append(Spec("ExpectColumnValuesToBeBetween", {"column": name, "min_value": constraints["minimum"]},
                          f"{why} minimum"))
    return specs


def load_assets(path: Path = RULES_PATH) -> list[Asset]:
    """Every asset with its specs: the tables in pipeline order, then the joined assets by name.

    Raises a BuildError naming the entry of the rules file that is malformed.
    """
    document = load_yaml(path)
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict) or sorted(tables) != sorted(TABLES):
        raise BuildError(f"{path}: needs a 'tables' mapping with one entry per table: {', '.join(TABLES)}")
    schemas = load_schemas()
    assets = []
    for name in TABLES:
        columns = schemas[name].columns
        rules = [_rule_spec(rule, name, columns, f"{path}: tables.{name}[{i}]")
                 for i, rule in enumerate(tables[name] or [])]
        meta = {"generated_by": GENERATOR, "generated_from": [f"schemas/{name}.json", "config/expectations.yaml"]}
        assets.append(Asset(name, columns, schema_specs(schemas[name]) + rules, meta))
    joined = document.get("joined") or {}
    if not isinstance(joined, dict):
        raise BuildError(f"{path}: 'joined' must map asset names to their definitions")
    for name in sorted(joined):
        assets.append(_joined_asset(name, joined[name], schemas, f"{path}: joined.{name}"))
    return assets


def _joined_asset(name: str, entry: Any, schemas: dict[str, TableSchema], where: str) -> Asset:
    """A joined asset of the rules file, its tables and columns checked against the schemas."""
    if name in TABLES or not isinstance(entry, dict) or set(entry) != {"description", "table", "join", "rules"}:
        raise BuildError(f"{where}: a joined asset has a new name and exactly description, table, join and rules")
    join = entry["join"]
    if not isinstance(join, dict) or set(join) != {"column", "table", "key", "columns"} \
            or not isinstance(join["columns"], dict) or entry["table"] not in schemas or join["table"] not in schemas:
        raise BuildError(f"{where}: table and join.table must be tables; join needs column, table, key and a columns mapping")
    left, right = schemas[entry["table"]], schemas[join["table"]]
    unknown = sorted({join["column"]} - set(left.columns)) + sorted({join["key"], *join["columns"]} - set(right.columns))
    if unknown:
        raise BuildError(f"{where}: unknown join column(s) {', '.join(unknown)}")
    columns = left.columns + list(join["columns"].values())
    if len(set(columns)) != len(columns):
        raise BuildError(f"{where}: join.columns must give new names, not those of {entry['table']}")
    rules = [_rule_spec(rule, name, columns, f"{where}.rules[{i}]") for i, rule in enumerate(entry["rules"] or [])]
    meta = {"generated_by": GENERATOR, "generated_from": ["config/expectations.yaml"],
            "description": str(entry["description"]),
            "join": {"left": entry["table"], "column": join["column"], "right": join["table"], "key": join["key"],
                     "columns": dict(join["columns"])}}
    return Asset(name, columns, rules, meta)


def _rule_spec(rule: Any, asset: str, columns: list[str], where: str) -> Spec:
    """One rule of the rules file as a Spec, its columns checked against the asset's."""
    if not isinstance(rule, dict) or not {"expectation", "kwargs", "why"} <= set(rule) <= RULE_KEYS:
        raise BuildError(f"{where}: a rule has the keys expectation, kwargs, why and optionally where")
    if not isinstance(rule["kwargs"], dict) or not str(rule["why"] or "").strip():
        raise BuildError(f"{where}: kwargs must be a mapping and why must say why")
    condition = rule.get("where")
    if condition is not None and (not isinstance(condition, dict) or not condition or not all(
            v == PRESENT or isinstance(v, list) for v in condition.values())):
        raise BuildError(f"{where}: where maps columns to a list of values or to '{PRESENT}'")
    named = [rule["kwargs"].get(key, []) for key in COLUMN_KWARGS] + [list(condition or {})]
    unknown = sorted({c for n in named for c in ([n] if isinstance(n, str) else n)} - set(columns))
    if unknown:
        raise BuildError(f"{where}: {asset} has no column {', '.join(unknown)}")
    return Spec(str(rule["expectation"]), dict(rule["kwargs"]), " ".join(str(rule["why"]).split()), condition)


# --- Generating the suite files ---------------------------------------------

def _row_condition(where: dict[str, Any]) -> Any:
    """The GX row condition of a rule's ``where``: every column holds one of its values."""
    from great_expectations.expectations.row_conditions import Column

    conditions = [Column(c).is_not_null() if v == PRESENT else Column(c).is_in(list(v)) for c, v in where.items()]
    return functools.reduce(operator.and_, conditions)


def _expectation(gx: Any, spec: Spec, where: str) -> Any:
    """The GX expectation of a Spec; a BuildError if the rules file names a bad one."""
    cls = getattr(gx.expectations, spec.expectation, None)
    if not isinstance(cls, type) or not issubclass(cls, gx.expectations.Expectation):
        raise BuildError(f"{where}: {spec.expectation!r} is not an expectation of great_expectations")
    if issubclass(cls, gx.expectations.UnexpectedRowsExpectation):
        raise BuildError(f"{where}: {spec.expectation} runs SQL only; the tables are pandas dataframes")
    kwargs = dict(spec.kwargs)
    if spec.where:
        kwargs["row_condition"] = _row_condition(spec.where)
    try:
        return cls(**kwargs)
    except Exception as exc:  # pydantic's error says which argument is wrong
        raise BuildError(f"{where}: {spec.expectation}{spec.kwargs}: {exc}") from None


def suite_document(gx: Any, asset: Asset) -> dict[str, Any]:
    """The ExpectationSuite JSON of an asset, in GX's own serialisation of each expectation.

    Equal expectations (a primary key that is also ``unique``) are kept once, with both reasons.
    """
    entries: dict[str, dict[str, Any]] = {}
    for spec in asset.specs:
        config = _expectation(gx, spec, f"{asset.name} suite, rule \"{spec.why}\"").configuration.to_json_dict()
        key = json.dumps([config["type"], config["kwargs"]], sort_keys=True)
        if key in entries:
            entries[key]["meta"]["why"] += f"; {spec.why}"
        else:
            entries[key] = {"type": config["type"], "kwargs": config["kwargs"], "meta": {"why": spec.why}}
    return {"name": asset.name, "expectations": list(entries.values()), "meta": asset.meta}


def render(document: dict[str, Any]) -> str:
    """A suite as the bytes committed: sorted keys, two-space indents, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def import_gx() -> Any:
    """The ``great_expectations`` module. It takes seconds and about 250 MiB to import, so it is imported only
    here, when needed; GX_ANALYTICS_ENABLED is set first (GX reads it once, at import, and must not call home)."""
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return gx


def generate_suites(rules_path: Path = RULES_PATH) -> dict[str, str]:
    """File name -> text of every suite file, generated from the schemas and the rules file."""
    assets = load_assets(rules_path)  # a malformed rules file fails before the slow import
    gx = import_gx()
    return {f"{asset.name}.json": render(suite_document(gx, asset)) for asset in assets}


def stale_suites(generated: dict[str, str], suites_dir: Path = SUITES_DIR) -> list[str]:
    """The suite files that differ from ``generated``, are missing, or are no longer generated."""
    committed = {path.name for path in suites_dir.glob("*.json")}
    stale = [name for name in sorted(generated)
             if name not in committed or (suites_dir / name).read_text(encoding="utf-8") != generated[name]]
    return stale + [f"{name} (no longer generated)" for name in sorted(committed - set(generated))]


def expectations_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a file of schemas/expectations/ is stale")


def expectations_command(args: argparse.Namespace) -> None:
    """``python -m scripts expectations [--check]``."""
    generated = generate_suites()
    stale = stale_suites(generated, SUITES_DIR)
    if args.check:
        if stale:
            raise BuildError(f"{SUITES_DIR.relative_to(ROOT)}: stale suite file(s) {', '.join(stale)}; "
                             f"run `{GENERATOR}`")
        print(f"{len(generated)} suites in {SUITES_DIR.relative_to(ROOT)} are up to date")
        return
    write_suites(generated, SUITES_DIR)
    print(f"wrote {len(generated)} suites to {SUITES_DIR.relative_to(ROOT)} ({len(stale)} changed)")


def write_suites(generated: dict[str, str], suites_dir: Path = SUITES_DIR) -> list[str]:
    """Write the generated suites (and drop suites no longer generated); returns the files that changed."""
    stale = stale_suites(generated, suites_dir)
    suites_dir.mkdir(exist_ok=True)
    for name in stale:
        if name in generated:
            write_text_atomically(suites_dir / name, generated[name])  # a killed build leaves whole files
        else:
            (suites_dir / name.removesuffix(" (no longer generated)")).unlink()
    return stale


# --- Loading the suites and the frames ---------------------------------------

def load_suite_documents(suites_dir: Path = SUITES_DIR) -> dict[str, dict[str, Any]]:
    """Asset name -> suite JSON of every committed suite; every table must have one."""
    documents = {}
    for path in sorted(suites_dir.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise BuildError(f"{path}: cannot be read as JSON: {exc}") from None
        if not isinstance(document, dict) or document.get("name") != path.stem \
                or not isinstance(document.get("expectations"), list):
            raise BuildError(f"{path}: a suite needs its file's name as 'name' and an 'expectations' list")
        documents[path.stem] = document
    missing = [name for name in TABLES if name not in documents]
    if missing:
        raise BuildError(f"{suites_dir}: no suite for {', '.join(missing)}; run `{GENERATOR}`")
    # Tables first, in pipeline order, so that a joined asset's tables are read before it.
    return {name: documents[name] for name in [*TABLES, *sorted(set(documents) - set(TABLES))]}


def load_suite(gx: Any, document: dict[str, Any], where: str) -> Any:
    """The GX ExpectationSuite of a suite JSON; each expectation's ``meta.why`` becomes its notes.

    GX's own constructor only logs an expectation it cannot build and drops it,
    so each is built here first, and a bad one is a BuildError naming it.
    """
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = []
    for i, entry in enumerate(document["expectations"]):
        why = (entry.get("meta") or {}).get("why") if isinstance(entry, dict) else None
        if not why:
            raise BuildError(f"{where}: expectations[{i}] has no meta.why")
        try:
            expectations.append(ExpectationConfiguration(**entry, notes=why).to_domain_obj())
        except Exception as exc:
            raise BuildError(f"{where}: expectations[{i}] ({entry.get('type')}) cannot be loaded: {exc}") from None
    return gx.ExpectationSuite(name=document["name"], expectations=expectations, meta=document.get("meta"))


def package_parameters(package_dir: Path) -> dict[str, str]:
    """The suite parameters of a package: ``package_created``, the date of its ``created``."""
    path = package_dir / "datapackage.json"
    try:
        created = json.loads(path.read_text(encoding="utf-8"))["created"]
        day = dt.datetime.fromisoformat(str(created).replace("Z", "+00:00")).date()
    except (OSError, json.JSONDecodeError, KeyError, ValueError) as exc:
        raise BuildError(f"{path}: needs 'created' as an ISO 8601 datetime for the date expectations ({exc})") from None
    return {"package_created": day.isoformat()}


def table_files(data_dir: Path) -> dict[str, list[Path]]:
    """The Parquet files of each table found in ``data_dir``: ``<table>.parquet``, or the parts
    ``<table>/part-*.parquet`` in name order; a table with neither has no entry."""
    files = {}
    for name in TABLES:
        single = Path(data_dir) / f"{name}.parquet"
        parts = sorted((Path(data_dir) / name).glob("part-*.parquet"))
        if single.is_file() or parts:
            files[name] = [single] if single.is_file() else parts
    return files


class JoinSpec(TypedDict):
    """The ``meta.join`` of a joined suite, as _joined_asset writes it."""

    left: str
    column: str
    right: str
    key: str
    columns: dict[str, str]


POSITION = ("_part", "_row")   # a row's file (its index in the table's list) and its row in that file


def _files_sql(files: list[Path]) -> str:
    listed = ", ".join("'" + path.as_posix().replace("'", "''") + "'" for path in files)
    return f"read_parquet([{listed}], file_row_number = true)"


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


@dataclass(frozen=True)
class AssetRows:
    """The rows of one asset: the Parquet files of its table, or of two tables joined (in DuckDB).

    Rows keep their order: the files in order, each file's rows in order; a joined asset keeps every row of
    its left table, with the joined columns of the first right row whose key matches (null without one).
    """

    name: str
    table: str                      # the table its rows are of; its primary key names them in messages
    columns: list[str]
    files: dict[str, list[Path]]    # the Parquet files of each table it reads
    join: JoinSpec | None = None

    def relation(self) -> str:
        """A DuckDB query of the asset's columns and each row's position (POSITION)."""
        def table(name: str) -> str:
            return (f"(SELECT * EXCLUDE (file_row_number), file_index AS _part, file_row_number AS _row "
                    f"FROM {_files_sql(self.files[name])})")

        if self.join is None:
            return table(self.table)
        join = self.join
        renamed = ", ".join(f"{_q(old)} AS {_q(new)}" for old, new in join["columns"].items())
        right = (f"(SELECT {_q(join['key'])} AS _join_key, {renamed} FROM {table(join['right'])} "
                 f"QUALIFY row_number() OVER (PARTITION BY {_q(join['key'])} ORDER BY _part, _row) = 1)")
        left_columns = [c for c in self.columns if c not in join["columns"].values()]
        selected = ", ".join([*(f"l.{_q(c)}" for c in left_columns),
                              *(f"r.{_q(c)}" for c in join["columns"].values()), "l._part", "l._row"])
        return (f"(SELECT {selected} FROM {table(join['left'])} AS l "
                f"LEFT JOIN {right} AS r ON l.{_q(join['column'])} = r._join_key)")

    def batch_rows(self, batch_bytes: int) -> int:
        """Rows per batch: about ``batch_bytes`` of the table's uncompressed columns (from the files' metadata)."""
        rows = size = 0
        for path in self.files[self.table]:
            metadata = pq.ParquetFile(path).metadata
            rows += metadata.num_rows
            size += sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        return max(1, min(MAX_BATCH_ROWS, batch_bytes * rows // size if size else MAX_BATCH_ROWS))

    def slices(self, connection: Any, batch_bytes: int, joined_path: Path) -> list[BatchSlice]:
        """The rows as batches of at most ``batch_rows`` rows, in order: slices of the table's files (a batch
        never spans two), or of the scratch file ``joined_path`` that the rows of a joined asset are written
        to, in order (the batches DuckDB streamed them in before); one empty batch for an empty asset."""
        if self.join is None:
            paths = self.files[self.table]
        else:
            paths = [joined_path]
            columns = ", ".join(map(_q, self.columns))
            with connection.cursor() as cursor:
                cursor.execute(f"COPY (SELECT {columns} FROM {self.relation()} ORDER BY _part, _row) "
                               f"TO '{paths[0].as_posix()}' (FORMAT parquet)")
        rows = self.batch_rows(batch_bytes)
        found = [BatchSlice(path, start, min(rows, count - start))
                 for path in paths for count in [pq.ParquetFile(path).metadata.num_rows]
                 for start in range(0, count, rows)]
        return found or [BatchSlice(paths[0], 0, 0)]

    def whole(self, connection: Any, columns: list[str]) -> Any:
        """The named columns of every row as one pandas frame (for an expectation that cannot run in parts)."""
        selected = ", ".join(map(_q, columns))
        return connection.cursor().sql(f"SELECT {selected} FROM {self.relation()} ORDER BY _part, _row").to_arrow_table() \
            .to_pandas()


class BatchSlice(NamedTuple):
    """One batch of an asset: ``rows`` rows of a Parquet file from its row ``start`` (0 rows: the empty asset)."""

    path: Path
    start: int
    rows: int

    def frame(self) -> Any:
        """The rows as a pandas frame, streamed from the start of the row group that holds the first of them
        (a row group of long texts, ~100 MB, is never read whole for a batch of 16 MiB)."""
        handle = pq.ParquetFile(self.path)
        if self.rows == 0:
            return handle.schema_arrow.empty_table().to_pandas()
        groups: list[int] = []
        first = position = 0
        for group in range(handle.num_row_groups):
            count = handle.metadata.row_group(group).num_rows
            if position < self.start + self.rows and position + count > self.start:
                first = position if not groups else first
                groups.append(group)
            position += count
        skip, pieces, taken = self.start - first, [], 0
        for batch in handle.iter_batches(batch_size=self.rows, row_groups=groups):
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                continue
            pieces.append(batch.slice(skip, self.rows - taken))
            skip, taken = 0, taken + pieces[-1].num_rows
            if taken == self.rows:
                break
        return pa.Table.from_batches(pieces).to_pandas()


def asset_rows(name: str, document: dict[str, Any], files: dict[str, list[Path]],
               schemas: dict[str, TableSchema]) -> AssetRows | str:
    """The rows of an asset, or why its suite cannot run (a table it reads has no Parquet file)."""
    join = (document.get("meta") or {}).get("join")
    needed = [name] if join is None else [join["left"], join["right"]]
    missing = [table for table in needed if table not in files]
    if missing:
        return f"{name}: no {', '.join(f'{table}.parquet' for table in missing)} in the data folder; its suite did not run"
    if join is None:
        return AssetRows(name, name, schemas[name].columns, files)
    return AssetRows(name, join["left"], schemas[join["left"]].columns + list(join["columns"].values()), files, join)


# --- How each expectation runs ------------------------------------------------
#
# A suite's expectations run in one of three ways, chosen by what each computes, never by its name:
# - per batch: an expectation that looks at one row at a time (a map expectation whose metric is one of
#   ROW_LOCAL_MAP_METRICS) or at the table's columns (TABLE_SHAPE): GX runs it on each batch of about
#   BATCH_BYTES of the asset's rows and the batches' results are added up (counts; the first unexpected
#   values and rows in row order; `mostly` judged on the sums; a table shape must hold in every batch);
# - globally: an expectation whose every metric is one of GLOBAL_METRICS (row count, mean, share of non-null
#   values, distinct values, uniqueness): DuckDB computes the metrics over all the asset's files and GX's own
#   expectation judges them, so bounds, strictness and `mostly` mean what GX says they mean;
# - whole columns: any other (e.g. values increasing from one row to the next, or a global expectation with a
#   row condition): GX runs it on the columns it names, every row at once. Its memory grows with the table;
#   the validation report says which ran so.

PER_BATCH, GLOBAL, WHOLE = "per batch", "globally in DuckDB", "whole columns"
BATCH_BYTES = 16 << 20        # uncompressed Parquet bytes of an asset handed to GX at a time
MAX_BATCH_ROWS = 131_072      # and at most this many rows (GX's per-row work grows with them, not with bytes)
RUN_INDEX = "_run_index"      # meta key: an expectation's place in its suite while it runs
PARTIAL = 20                  # unexpected values and rows kept per expectation (GX's SUMMARY format)
ROW_LOCAL_MAP_METRICS = frozenset({
    "column_values.nonnull", "column_values.null", "column_values.in_set", "column_values.not_in_set",
    "column_values.match_regex", "column_values.not_match_regex", "column_values.match_regex_list",
    "column_values.not_match_regex_list", "column_values.match_like_pattern", "column_values.not_match_like_pattern",
    "column_values.between", "column_values.value_length.between", "column_values.value_length.equals",
    "column_values.match_strftime_format", "column_values.dateutil_parseable", "column_values.json_parseable",
    "column_pair_values.equal", "column_pair_values.a_greater_than_b", "column_pair_values.in_set",
    "select_column_values.unique.within_record", "multicolumn_sum.equal",
})
TABLE_SHAPE = frozenset({"expect_table_columns_to_match_ordered_list", "expect_table_columns_to_match_set",
                         "expect_table_column_count_to_equal", "expect_table_column_count_to_be_between",
                         "expect_column_to_exist"})
UNIQUE_METRICS = ("column_values.unique", "compound_columns.unique")
MAP_SUFFIXES = ("unexpected_count", "unexpected_values", "unexpected_index_list", "unexpected_index_query",
                "filtered_row_count")
GLOBAL_METRICS = frozenset({"table.row_count", "column_values.nonnull.unexpected_count", "column.mean",
                            "column.non_null_proportion", "column.distinct_values.missing_from_column",
                            "column.distinct_values.missing_from_column.count",
                            *(f"{metric}.{suffix}" for metric in UNIQUE_METRICS for suffix in MAP_SUFFIXES)})


def _metric_names(expectation: Any, key: list[str]) -> set[str]:
    from great_expectations.execution_engine import PandasExecutionEngine

    dependencies = expectation.get_validation_dependencies(
        execution_engine=PandasExecutionEngine(), runtime_configuration={"result_format": _result_format(key)})
    return {metric.metric_name for metric in dependencies.get_metric_configurations()}


def how_it_runs(expectation: Any, key: list[str]) -> str:
    """PER_BATCH, GLOBAL or WHOLE for a GX expectation (see above)."""
    if expectation.expectation_type in TABLE_SHAPE:
        return PER_BATCH
    if getattr(expectation, "map_metric", None) in ROW_LOCAL_MAP_METRICS:
        return PER_BATCH
    if getattr(expectation, "row_condition", None) is None and _metric_names(expectation, key) <= GLOBAL_METRICS:
        return GLOBAL
    return WHOLE


def _result_format(key: list[str]) -> dict[str, Any]:
    return {"result_format": "SUMMARY", "unexpected_index_column_names": key, "partial_unexpected_count": PARTIAL}


# --- Metrics in DuckDB, over every file of an asset ------------------------------

def global_metrics(expectation: Any, rows: AssetRows, connection: Any, key: list[str]) -> dict[str, Any]:
    """The value of every metric ``expectation`` needs (each in GLOBAL_METRICS), computed over all rows."""
    kwargs = expectation.configuration.kwargs
    relation = rows.relation()

    def one(sql: str) -> Any:
        return _fetch(connection, sql)[0][0]

    metrics: dict[str, Any] = {}
    names = _metric_names(expectation, key)
    column = kwargs.get("column")
    if "table.row_count" in names:
        metrics["table.row_count"] = one(f"SELECT count(*) FROM {relation}")
    if "column_values.nonnull.unexpected_count" in names:
        metrics["column_values.nonnull.unexpected_count"] = one(f"SELECT count(*) - count({_q(column)}) FROM {relation}")
    if "column.mean" in names:
        total, count = _fetch(connection, f"SELECT sum({_q(column)}), count({_q(column)}) FROM {relation}")[0]
        metrics["column.mean"] = float(total) / count if count else math.nan  # as pandas: NaN for no value
    if "column.non_null_proportion" in names:
        total, count = _fetch(connection, f"SELECT count(*), count({_q(column)}) FROM {relation}")[0]
        metrics["column.non_null_proportion"] = count / total if total > 0 else 0
    if "column.distinct_values.missing_from_column" in names | {"column.distinct_values.missing_from_column.count"}:
        wanted = list(dict.fromkeys(kwargs.get("value_set") or []))
        found: set[Any] = set()
        if wanted:
            marks = ", ".join("?" for _ in wanted)
            found = {row[0] for row in _fetch(
                connection, f"SELECT DISTINCT {_q(column)} FROM {relation} WHERE {_q(column)} IN ({marks})", wanted)}
        missing = [value for value in wanted if value not in found]
        metrics["column.distinct_values.missing_from_column"] = missing
        metrics["column.distinct_values.missing_from_column.count"] = len(missing)
    for metric in UNIQUE_METRICS:
        if f"{metric}.unexpected_count" in names:
            metrics.update(_duplicates(metric, kwargs, relation, connection, key))
    return metrics


def _fetch(connection: Any, sql: str, parameters: list[Any] | None = None) -> list[tuple[Any, ...]]:
    """Every row of a (small) query, on a cursor of its own."""
    with connection.cursor() as cursor:
        return list(cursor.execute(sql, parameters or []).fetchall())


def _duplicates(metric: str, kwargs: dict[str, Any], relation: str, connection: Any,
                key: list[str]) -> dict[str, Any]:
    """The map metrics of a uniqueness expectation: rows whose value (or values) another row also holds."""
    columns = [kwargs["column"]] if metric == "column_values.unique" else list(kwargs["column_list"])
    quoted = [_q(c) for c in columns]
    if metric == "column_values.unique":  # a column map expectation: nulls are not values
        considered = f"{quoted[0]} IS NOT NULL"
    else:  # a multicolumn map expectation: its ignore_row_if says which rows are left out
        ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        nulls = [f"{c} IS NULL" for c in quoted]
        considered = {"all_values_are_missing": f"NOT ({' AND '.join(nulls)})",
                      "any_value_is_missing": f"NOT ({' OR '.join(nulls)})", "never": "true"}[ignore]
    tuple_sql = ", ".join(quoted)
    repeated = (f"(SELECT * FROM {relation} WHERE {considered} AND ({tuple_sql}) IN "
                f"(SELECT ({tuple_sql}) FROM {relation} WHERE {considered} GROUP BY ALL HAVING count(*) > 1))"
                if len(columns) > 1 else
                f"(SELECT * FROM {relation} WHERE {considered} AND {quoted[0]} IN "
                f"(SELECT {quoted[0]} FROM {relation} WHERE {considered} GROUP BY ALL HAVING count(*) > 1))")
    shown = list(dict.fromkeys([*columns, *key]))
    first = _fetch(connection, f"SELECT {', '.join(map(_q, shown))} FROM {repeated} ORDER BY _part, _row "
                               f"LIMIT {PARTIAL}")
    records = [dict(zip(shown, row)) for row in first]
    values = [record[columns[0]] for record in records] if len(columns) == 1 else \
        [{c: record[c] for c in columns} for record in records]
    return {
        f"{metric}.unexpected_count": _fetch(connection, f"SELECT count(*) FROM {repeated}")[0][0],
        f"{metric}.unexpected_values": values,
        f"{metric}.unexpected_index_list": records,
        f"{metric}.unexpected_index_query": None,
        f"{metric}.filtered_row_count": _fetch(connection, f"SELECT count(*) FROM {relation} WHERE {considered}")[0][0],
    }


# --- Adding up the batches ---------------------------------------------------------

def merge_results(config: Any, results: list[Any]) -> Any:
    """One result of an expectation from its results on each batch, in row order.

    A map expectation's counts are summed, its first PARTIAL unexpected values and rows kept, and its
    ``mostly`` judged on the sums as GX judges one batch; any other (a table shape) fails on the first
    batch where it fails. An exception on any batch is the result.
    """
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult
    from great_expectations.expectations.expectation import _mostly_success

    raised = next((r for r in results if (r.exception_info or {}).get("raised_exception")
                   or any(isinstance(v, dict) and v.get("raised_exception") for v in (r.exception_info or {}).values())),
                  None)
    if raised is not None or len(results) == 1:
        return raised or results[0]
    outcomes = [r.result or {} for r in results]
    if not all("unexpected_count" in o for o in outcomes):
        return next((r for r in results if not r.success), results[0])
    total = sum(o.get("element_count") or 0 for o in outcomes)
    unexpected = sum(o.get("unexpected_count") or 0 for o in outcomes)
    missing = sum(o.get("missing_count") or 0 for o in outcomes)
    considered = total - missing
    mostly = config.kwargs.get("mostly", 1.0)
    success = True if unexpected == 0 or considered == 0 else _mostly_success(considered, unexpected, mostly)
    values = [v for o in outcomes for v in o.get("partial_unexpected_list") or []][:PARTIAL]
    merged: dict[str, Any] = {
        "element_count": total, "unexpected_count": unexpected,
        "unexpected_percent": unexpected / considered * 100 if considered else None,
        "partial_unexpected_list": values,
        "missing_count": missing, "missing_percent": missing / total * 100 if total else None,
        "unexpected_percent_total": unexpected / total * 100 if total else None,
        "unexpected_percent_nonmissing": unexpected / considered * 100 if considered else None,
        "partial_unexpected_index_list": [i for o in outcomes for i in o.get("partial_unexpected_index_list") or []]
        [:PARTIAL],
    }
    if "unexpected_index_column_names" in outcomes[0]:
        merged["unexpected_index_column_names"] = outcomes[0]["unexpected_index_column_names"]
    try:  # as GX counts them: the most common of the values kept, ties by value
        counts = collections.Counter(tuple(v.values()) if isinstance(v, dict) else v for v in values)
        merged["partial_unexpected_counts"] = [{"value": value, "count": count} for value, count in
                                               sorted(counts.most_common(PARTIAL), key=lambda x: (-x[1], x[0]))]
    except TypeError:
        merged["partial_unexpected_counts"] = [{"error": "partial_exception_counts requires a hashable type"}]
    return ExpectationValidationResult(success=success, expectation_config=config,
                                       result=merged, exception_info=results[0].exception_info)


# --- Running the suites -------------------------------------------------------

def _context(gx: Any, docs_dir: Path | None) -> Any:
    """An in-memory context that writes nothing except Data Docs into ``docs_dir``."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # tqdm bars on stderr would bury the pipeline's own output.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # The default site lives in a fresh temp folder per build: nothing may land outside docs_dir.
    for site in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(site)
    if docs_dir is not None:
        context.add_data_docs_site(DOCS_SITE, {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(Path(docs_dir).resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return context


class Ran(NamedTuple):
    """How one expectation of one asset ran, and whether it passed."""

    asset: str
    expectation: str
    columns: str
    how: str
    batches: int          # batches it ran on (per batch), else 1
    passed: bool

    def as_json(self) -> dict[str, Any]:
        return self._asdict()


class SuitesRun(NamedTuple):
    """The messages of a run (one per failed expectation, sorted) and how each expectation ran."""

    failures: list[str]
    ran: list[Ran]


def validate_suites(data_dir: Path, docs_dir: Path | None = None, suites_dir: Path = SUITES_DIR,
                    files: dict[str, list[Path]] | None = None, batch_bytes: int = BATCH_BYTES,
                    client: Any = None) -> SuitesRun:
    """Run the committed GX suite of every asset on the Parquet files of its tables, in bounded memory.

    ``files`` gives each table's Parquet files (its parts in order; by default those in ``data_dir``,
    see :func:`table_files`); ``datapackage.json`` beside ``data_dir`` gives the ``created`` date that bounds
    publication dates. Each expectation runs per batch, globally in DuckDB or on whole columns (see "How
    each expectation runs"); the result of each is one, whatever the batches, and the failure messages name
    the asset, the expectation, the column(s), the row condition and a few unexpected values with their
    rows' keys. The batches are tasks on ``client`` (:func:`scripts.build.executor`; None: run here one
    after the other), every asset's handed out before the first is added up; the results are the same.
    When docs_dir is given, build GX Data Docs there (one validation page per asset, every expectation on
    it) that render offline.
    """
    # Malformed suites or descriptor fail before the slow import.
    documents = load_suite_documents(suites_dir)
    parameters = package_parameters(Path(data_dir).resolve().parent)
    import duckdb

    from scripts.validate import DUCKDB_MEMORY

    gx = import_gx()
    schemas = load_schemas()
    files = table_files(Path(data_dir)) if files is None else files
    failures: list[str] = []
    ran: list[Ran] = []
    context = _context(gx, docs_dir)
    source = context.data_sources.add_pandas(DATA_SOURCE)
    run = uuid.uuid4().hex
    with tempfile.TemporaryDirectory(prefix="suites-") as scratch:
        connection = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY,
                                            "temp_directory": scratch})
        try:
            assets: list[PreparedAsset | str] = []
            for index, (name, document) in enumerate(documents.items()):
                rows = asset_rows(name, document, files, schemas)
                if isinstance(rows, str):
                    assets.append(rows)
                    continue
                batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
                assets.append(_prepare_asset(gx, rows, document, suites_dir, parameters, batch_definition, connection,
                                             schemas[rows.table].primary_key, batch_bytes, client, run,
                                             Path(scratch) / f"joined-{index}.parquet"))
            for asset in assets:
                if isinstance(asset, str):
                    failures.append(asset)
                    continue
                suite, results, ways = _run_asset(gx, asset, connection)
                name = asset.rows.name
                failures += failure_messages(name, results, asset.key)
                ran += [Ran(name, r.expectation_config.type, _columns(r.expectation_config.kwargs, r.expectation_config.type)
                            + _condition(r.expectation_config.kwargs), how, batches, bool(r.success))
                        for r, (how, batches) in zip(results.results, ways)]
                if docs_dir is not None:
                    _store_for_docs(context, suite, results)
                pa.default_memory_pool().release_unused()   # the batches' pages, before the next asset's
        finally:
            connection.close()
            for key in [k for k in _PREPARED if k[0] == run]:
                del _PREPARED[key]
    if docs_dir is not None:
        context.build_data_docs(site_names=[DOCS_SITE])
        make_docs_offline(Path(docs_dir))
    return SuitesRun(sorted(failures), ran)


def run_suites(data_dir: Path, docs_dir: Path | None = None, suites_dir: Path = SUITES_DIR,
               files: dict[str, list[Path]] | None = None, batch_bytes: int = BATCH_BYTES) -> list[str]:
    """The failure messages of :func:`validate_suites` ([] when every expectation passes)."""
    return validate_suites(data_dir, docs_dir, suites_dir, files, batch_bytes).failures


def _prepared_expectations(gx: Any, document: dict[str, Any], where: str,
                            parameters: dict[str, str]) -> tuple[Any, list[Any], list[Any]]:
    """The suite of a suite JSON, each expectation's configuration with the suite parameters substituted (as GX
    does before it validates), and each expectation as it runs, tagged with its place in the suite."""
    suite = load_suite(gx, document, where)
    configs, expectations = [], []
    for index, expectation in enumerate(suite.expectations):
        config = expectation.configuration
        config.process_suite_parameters(suite_parameters=parameters, interactive_evaluation=True, data_context=None)
        configs.append(config)
        running = config.to_domain_obj()
        running.meta = {**(running.meta or {}), RUN_INDEX: index}   # to find its result in GX's order
        expectations.append(running)
    return suite, configs, expectations


def _validate_frame(gx: Any, name: str, batch_definition: Any, expectations: list[Any], chosen: list[int],
                    frame: Any, key: list[str]) -> list[Any]:
    """GX's results of the expectations ``chosen`` (indices) on one frame, in that order."""
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(batch_definition=batch_definition, batch_parameters={"dataframe": frame},
                          result_format=_result_format(key))
    run = validator.validate_expectation_suite(
        gx.ExpectationSuite(name=name, expectations=[expectations[i] for i in chosen]))
    by_index = {(r.expectation_config.meta or {}).get(RUN_INDEX) if r.expectation_config else None: r
                for r in run.results}
    return [by_index[i] for i in chosen]


class BatchJob(NamedTuple):
    """What a task needs to run the per-batch expectations of one asset: everything but the batch."""

    run: str                      # this validation's token: a process prepares each asset once per run
    asset: str
    document: dict[str, Any]      # the asset's suite JSON
    where: str                    # its file, named in errors
    parameters: dict[str, str]
    key: list[str]
    chosen: list[int]             # the per-batch expectations, by their index in the suite


BatchOutcome = tuple[bool, dict[str, Any] | None, dict[str, Any] | None]   # success, result, exception_info

# Per process: the assets prepared for the current run, (run, asset) -> (batch definition, expectations as they
# run). A worker builds its own GX context the first time it gets a batch of a run; the process that runs the
# validation registers the definitions of its own context, for the batches it runs itself.
_PREPARED: dict[tuple[str, str], tuple[Any, list[Any]]] = {}
_WORKER_CONTEXT: dict[int, Any] = {}   # pid -> the pandas data source of a worker's own context
_PREPARING = threading.Lock()


def validate_batch(job: BatchJob, batch: BatchSlice) -> list[BatchOutcome]:
    """The per-batch expectations of ``job`` on one batch (a task: on a Dask worker or in this process), what
    each found as plain values: GX's result is rebuilt from them where the batches are added up."""
    gx = import_gx()
    with _PREPARING:   # a worker of a remote cluster may run several tasks at once, in threads
        prepared = _PREPARED.get((job.run, job.asset))
        if prepared is None:
            for stale in [k for k in _PREPARED if k[0] != job.run]:   # a long-lived worker keeps only this run's
                del _PREPARED[stale]
            source = _WORKER_CONTEXT.get(os.getpid())
            if source is None:
                source = _WORKER_CONTEXT[os.getpid()] = _context(gx, None).data_sources.add_pandas(DATA_SOURCE)
            name = f"{job.asset} {job.run}"
            definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            prepared = _PREPARED[job.run, job.asset] = (
                definition, _prepared_expectations(gx, job.document, job.where, job.parameters)[2])
    definition, expectations = prepared
    results = _validate_frame(gx, job.asset, definition, expectations, job.chosen, batch.frame(), job.key)
    pa.default_memory_pool().release_unused()   # the batch's pages, before the next batch (as after each asset)
    return [(bool(r.success), r.result, r.exception_info) for r in results]


class PreparedAsset(NamedTuple):
    """One asset whose per-batch expectations were handed out as tasks, one per batch in row order."""

    rows: AssetRows
    key: list[str]
    suite: Any
    configs: list[Any]
    expectations: list[Any]
    hows: list[str]
    batch_definition: Any
    tasks: list[Any]


def _prepare_asset(gx: Any, rows: AssetRows, document: dict[str, Any], suites_dir: Path, parameters: dict[str, str],
                   batch_definition: Any, connection: Any, key: list[str], batch_bytes: int, client: Any, run: str,
                   joined_path: Path) -> PreparedAsset:
    """The suite of one asset, how each expectation runs, and its per-batch expectations submitted, one task
    per batch (on ``client``, :func:`scripts.build.executor`; None: in this process, when asked for)."""
    from scripts.build import submit

    where = f"{suites_dir / rows.name}.json"
    suite, configs, expectations = _prepared_expectations(gx, document, where, parameters)
    hows = [how_it_runs(e, key) for e in expectations]
    _PREPARED[run, rows.name] = (batch_definition, expectations)   # for the batches this process runs itself
    chosen = [i for i, how in enumerate(hows) if how == PER_BATCH]
    job = BatchJob(run, rows.name, document, where, parameters, key, chosen)
    tasks = [submit(client, validate_batch, job, batch) for batch in rows.slices(connection, batch_bytes, joined_path)]
    return PreparedAsset(rows, key, suite, configs, expectations, hows, batch_definition, tasks)


def _run_asset(gx: Any, asset: PreparedAsset, connection: Any) -> tuple[Any, Any, list[tuple[str, int]]]:
    """The suite of one asset, its merged validation result (expectations in suite order) and, per expectation,
    how it ran and on how many batches: the per-batch results added up in batch order, the global and
    whole-column expectations run here."""
    from great_expectations.core.expectation_validation_result import (ExpectationSuiteValidationResult,
                                                                       ExpectationValidationResult)
    from great_expectations.validator.validator import calc_validation_statistics

    rows, key = asset.rows, asset.key
    result_format = _result_format(key)
    per_batch = [i for i, how in enumerate(asset.hows) if how == PER_BATCH]
    found: dict[int, list[Any]] = {i: [] for i in per_batch}
    for task in asset.tasks:   # in batch order, whichever finished first
        for index, (success, outcome, exception_info) in zip(per_batch, task.result()):
            found[index].append(ExpectationValidationResult(success=success, result=outcome,
                                                            exception_info=exception_info,
                                                            expectation_config=asset.configs[index]))
    batches = len(asset.tasks)
    results, ways = [], []
    for index, (expectation, config, how) in enumerate(zip(asset.expectations, asset.configs, asset.hows)):
        if how == PER_BATCH:
            result = merge_results(config, found[index])
        elif how == GLOBAL:
            try:
                outcome = expectation._validate(metrics=global_metrics(expectation, rows, connection, key),
                                                runtime_configuration={"result_format": result_format})
                result = ExpectationValidationResult(success=outcome["success"], result=outcome.get("result"),
                                                     expectation_config=config)
            except Exception as exc:  # as GX reports an expectation that raised
                result = ExpectationValidationResult(
                    success=False, expectation_config=config,
                    exception_info={"raised_exception": True, "exception_message": f"{type(exc).__name__}: {exc}",
                                    "exception_traceback": None})
        else:
            named = [c for c in _named_columns(config.kwargs) if c in rows.columns]
            frame = rows.whole(connection, list(dict.fromkeys([*named, *key])))
            result = _validate_frame(gx, rows.name, asset.batch_definition, asset.expectations, [index], frame, key)[0]
        result.expectation_config = config
        results.append(result)
        ways.append((how, batches if how == PER_BATCH else 1))
    statistics = calc_validation_statistics(results)
    merged = ExpectationSuiteValidationResult(success=statistics.success, results=results, suite_name=rows.name,
                                              statistics={field: getattr(statistics, field) for field in (
                                                  "evaluated_expectations", "successful_expectations",
                                                  "unsuccessful_expectations", "success_percent")},
                                              meta={"great_expectations_version": gx.__version__})
    return asset.suite, merged, ways


def _named_columns(kwargs: dict[str, Any]) -> list[str]:
    """The columns an expectation's arguments name, its row condition's included."""
    named = [kwargs.get(key, []) for key in COLUMN_KWARGS]
    columns = [c for n in named for c in ([n] if isinstance(n, str) else n)]
    condition = kwargs.get("row_condition")
    if condition is not None:
        text = json.dumps(condition.dict() if hasattr(condition, "dict") and not isinstance(condition, dict)
                          else condition, default=str)
        columns += re.findall(r'"name": "((?:[^"\\]|\\.)*)"', text)
    return columns


def _store_for_docs(context: Any, suite: Any, results: Any) -> None:
    """Add an asset's suite and its merged validation result to the context, for its Data Docs."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (ExpectationSuiteIdentifier,
                                                                             ValidationResultIdentifier)

    context.suites.add(suite)
    run_id = RunIdentifier(run_name=suite.name, run_time=dt.datetime.now(dt.timezone.utc))
    results.meta["run_id"] = run_id
    results.meta["validation_time"] = run_id.run_time
    identifier = ValidationResultIdentifier(expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
                                            run_id=run_id, batch_identifier=suite.name)
    context.validation_results_store.store_validation_results(
        suite_validation_result=results, suite_validation_result_identifier=identifier,
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name))


# --- Messages ---------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value it holds; NaN and NA as None."""
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dt.date):  # also a datetime or a pandas Timestamp
        return value.isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return f"({', '.join(map(_show, value))})"
    return "null" if value is None else repr(value)


def _values(values: list[Any]) -> str:
    """A few distinct values, sorted, so that a message does not depend on row order."""
    distinct = sorted({_show(_plain(v)) for v in values})
    shown = ", ".join(distinct[:SHOWN_VALUES])
    return shown + (", ..." if len(distinct) > SHOWN_VALUES else "")


def _rows(index_list: list[Any], key: list[str]) -> str:
    """The primary keys of a few unexpected rows, sorted."""
    keys = sorted({", ".join(str(_plain(entry.get(k))) for k in key) for entry in index_list if isinstance(entry, dict)})
    shown = "; ".join(keys[:SHOWN_VALUES])
    return f" in rows {shown}{'; ...' if len(keys) > SHOWN_VALUES else ''}" if keys else ""


def _columns(kwargs: dict[str, Any], expectation: str) -> str:
    if expectation == "expect_table_columns_to_match_ordered_list":
        return "all columns"
    named = [kwargs[key] for key in COLUMN_KWARGS if key in kwargs]
    flat = [c for n in named for c in ([n] if isinstance(n, str) else n)]
    if not flat:
        return "the table"
    return f"column{'s' if len(flat) > 1 else ''} {', '.join(flat)}"


def _condition(kwargs: dict[str, Any]) -> str:
    """`` where <condition>`` of an expectation with a row condition, else ``""``."""
    condition = kwargs.get("row_condition")
    return f" where {condition_text(condition)}" if condition else ""


def condition_text(condition: Any) -> str:
    """A GX row condition (object or its JSON) as text: ``qualifier in exact, range and x is not null``."""
    if hasattr(condition, "dict") and not isinstance(condition, dict):
        condition = condition.dict()
    if not isinstance(condition, dict):
        return str(condition)
    kind = condition.get("type")
    if kind in ("and", "or"):
        return f" {kind} ".join(condition_text(c) for c in condition.get("conditions", []))
    column = (condition.get("column") or {}).get("name", "?")
    if kind == "nullity":
        return f"{column} is {'' if condition.get('is_null') else 'not '}null"
    parameter = condition.get("parameter")
    shown = ", ".join(map(str, parameter)) if isinstance(parameter, list) else repr(parameter)
    return f"{column} {str(condition.get('operator')).lower().replace('_', ' ')} {shown}"


def _errors(exception_info: Any) -> list[str]:
    """The first lines of the exceptions an expectation raised.

    GX gives either one ``{"raised_exception": ...}`` dict or, when a metric
    failed (a missing column, a wrong type), one such dict per metric.
    """
    info = exception_info or {}
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    return sorted({(str(e.get("exception_message") or "error").splitlines() or ["error"])[0]
                   for e in entries if e.get("raised_exception")})


def _column_difference(observed: list[str], expected: list[str]) -> str:
    missing = [c for c in expected if c not in observed]
    extra = [c for c in observed if c not in expected]
    parts = [f"missing {', '.join(missing)}"] * bool(missing) + [f"unexpected {', '.join(extra)}"] * bool(extra)
    return "; ".join(parts) or f"order is {', '.join(observed)}"


def _detail(result: Any, kwargs: dict[str, Any], key: list[str]) -> str:
    """What went wrong: the exception, the unexpected values and rows, or the observed value."""
    errors = _errors(result.exception_info)
    if errors:
        return f"could not run: {'; '.join(errors)}"
    outcome = result.result or {}
    if "unexpected_count" in outcome:
        total = outcome.get("element_count")
        count = f"{outcome['unexpected_count']} of {total} rows" if total is not None else outcome["unexpected_count"]
        rows = _rows(outcome.get("partial_unexpected_index_list") or [], key)
        return f"{count} unexpected, e.g. {_values(outcome.get('partial_unexpected_list') or [])}{rows}"
    if "column_list" in kwargs and isinstance(outcome.get("observed_value"), list):
        return _column_difference(list(map(str, outcome["observed_value"])), list(kwargs["column_list"]))
    return f"observed {_show(_plain(outcome.get('observed_value')))}"


def failure_messages(asset: str, results: Any, key: list[str] | None = None) -> list[str]:
    """One message per failed expectation of a suite's validation result."""
    messages = []
    for result in results.results:
        if result.success:
            continue
        config = result.expectation_config
        why = (config.meta or {}).get("why") or config.notes
        messages.append(f"{asset}: {config.type} on {_columns(config.kwargs, config.type)}"
                        f"{_condition(config.kwargs)}: {_detail(result, config.kwargs, key or [])} (why: {why})")
    return messages


# --- Data Docs that render offline --------------------------------------------

EXTERNAL_TAG = re.compile(r"""<(?:link|img)\b[^>]*?\b(?:href|src)\s*=\s*["']?(?:https?:)?//[^>]*>""", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
# Inline styles and GX's stylesheets set backgrounds from the web (the GX logo on S3).
CSS_REMOTE_URL = re.compile(r"""url\(\s*['"]?(?:https?:)?//[^)]*\)""", re.IGNORECASE)
BUTTON = re.compile(r"<button\b[^>]*\bonclick=[^>]*>.*?</button\s*>", re.IGNORECASE | re.DOTALL)
# GX fills its index tables with bootstrap-table from Python literals in a script.
TABLE_DATA = re.compile(r"\$\('#(?P<id>[\w-]+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*"
                        r"columns: (?P<columns>\[.*?\]),\s*data: (?P<data>\[.*?\]),\s*toolbar:", re.DOTALL)


def make_docs_offline(docs_dir: Path) -> None:
    """Rewrite every page of a GX Data Docs site so that it renders without the network.

    GX pages load Bootstrap, jQuery, Font Awesome and Vega from CDNs and build the
    index tables in JavaScript. Each page loses its external stylesheets, scripts
    and images and every script, gets the index tables as static HTML, and gets the
    project's stylesheet (``schemas/expectations/data-docs.css``) inline.
    """
    style = f"<style>\n{DOCS_STYLESHEET.read_text(encoding='utf-8')}</style>\n"
    for page in sorted(docs_dir.rglob("*.html")):
        page.write_text(offline_page(page.read_text(encoding="utf-8"), style), encoding="utf-8")
    for sheet in sorted(docs_dir.rglob("*.css")):
        sheet.write_text(CSS_REMOTE_URL.sub("none", sheet.read_text(encoding="utf-8")), encoding="utf-8")


def offline_page(page: str, style: str) -> str:
    """One page without scripts or external resources, with static tables and ``style``."""
    for match in TABLE_DATA.finditer(page):
        table = _static_table(ast.literal_eval(match["columns"]), ast.literal_eval(match["data"]))
        page = re.sub(rf"(<table\b[^>]*\bid=\"{re.escape(match['id'])}\"[^>]*>)\s*(</table>)",
                      lambda m: m[1] + table + m[2], page, count=1)
    page = SCRIPT.sub("", page)
    page = BUTTON.sub("", page)
    page = EXTERNAL_TAG.sub("", page)
    page = CSS_REMOTE_URL.sub("none", page)
    return page.replace("</head>", style + "</head>", 1)


def _static_table(columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> str:
    """The HTML rows of a bootstrap-table; a row's link (its page) is on its last cell."""
    fields = [c for c in columns if c.get("field")]
    head = "".join(f"<th>{html.escape(str(c.get('title', c['field'])))}</th>" for c in fields)
    body = []
    for row in sorted(rows, key=lambda r: str(r.get("_table_row_link_path", ""))):
        # Cell values are HTML that GX rendered; only the link is built here.
        cells = [f"<td>{row.get(c['field'], '')}</td>" for c in fields]
        link = row.get("_table_row_link_path")
        if link:
            cells.append(f"<td><a href=\"{html.escape(str(link))}\">open</a></td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    link_head = "<th>page</th>" if any(r.get("_table_row_link_path") for r in rows) else ""
    return f"<thead><tr>{head}{link_head}</tr></thead><tbody>{''.join(body)}</tbody>"
