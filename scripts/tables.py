"""Assemble the six tables and write them as CSV and Parquet, one batch of sources at a time.

Takes the curated annotations (``annotations/``), the raw articles
(``data/raw/``) and the site profiles (``config/sites.yaml``); returns, per
table, rows with the columns, order and types of its Table Schema in
``schemas/``, sorted by primary key. The work is split into a **map** over
batches of sources (:func:`map_batch`: read, normalise, resolve, check each
row against its schema; independent of every other batch, so it can run in
other processes or machines, see :mod:`scripts.build`) and explicit **reduce**
stages over what the batches return: the primary keys and the same article
twice (:func:`check_keys`), then the sort by primary key and the writing of
``<table>.csv`` (UTF-8, RFC 4180, header) and ``<table>.parquet`` (types from
the schema) in row groups (:func:`reduce_table`, :func:`write_files`); past the
threshold of :mod:`scripts.parts`, a table's runs are split by part
(:func:`split_table`) and each part is sorted and written as
``<table>/part-NNN.csv|parquet`` by a task of its own (:func:`reduce_part`). Batches are spilled to
Parquet run files and sorted by DuckDB, which spills to disk past its memory
limit, so memory does not grow with the corpus. :func:`build_rows` keeps every
row in memory (for reports and tests on small corpora).
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scripts import annotations as ann
from scripts import cache
from scripts import parts as parts_module
from scripts.errors import BuildError, Problems
from scripts.normalise import SiteProfile, load_site_profiles
from scripts.schema import TABLES, TableSchema, load_schemas
from scripts.sources import LIST_SEPARATOR, PACKAGE_RAW_DIR, RAW_DIR, build_source, unreferenced_raw_files

SOURCES_PER_BATCH = 256      # one map task; small enough to keep a batch's rows in memory
ROWS_PER_GROUP = 32_768      # rows per Parquet row group (the bytes depend on it); ~100 MB of texts
CSV_ROWS_PER_WRITE = 4_096   # rows turned into CSV lines at once (no effect on the bytes)
SORT_MEMORY = "512MB"        # DuckDB's memory limit for the sort; past it, it spills to disk
# Columns a batch carries besides the schema's: where a row came from (for messages) and its order.
EXTRA_COLUMNS = pa.schema([pa.field("_where", pa.string()), pa.field("_source", pa.int64()),
                           pa.field("_row", pa.int64())])


@dataclass(frozen=True)
class BuildInputs:
    """Where a build reads from; a value that can be sent to another process."""

    registry_path: Path = ann.REGISTRY_PATH
    sources_dir: Path = ann.SOURCES_DIR
    raw_dir: Path = RAW_DIR
    cache_dir: Path | None = None   # the per-source row cache of :mod:`scripts.cache`; None: no cache

    def source_paths(self) -> list[Path]:
        """Every annotation file, in source_id order (the order of batches and of messages)."""
        # by name: the files share one folder, so this is the order of the paths, without comparing
        # Path objects part by part (0.3 s of the client's serial time at 10k files)
        paths = sorted(self.sources_dir.glob("*.yaml"), key=lambda path: path.name)
        if not paths:
            raise BuildError(f"{self.sources_dir}: no annotation files (*.yaml)")
        return paths


@dataclass
class Context:
    """What every source of a build needs, loaded once per process."""

    schemas: dict[str, TableSchema]
    profiles: dict[str, SiteProfile]
    registry: dict[str, ann.Entity]
    matcher: ann.NameMatcher
    salt: str | None = None   # :func:`scripts.cache.build_salt`, when the build has a cache

    @classmethod
    def load(cls, inputs: BuildInputs, registry: dict[str, ann.Entity] | None = None,
             problems: Problems | None = None) -> Context:
        """``problems``, when given, receives the registry's problems (its good entities are kept)."""
        registry = registry if registry is not None else ann.load_registry(inputs.registry_path, problems)
        profiles = load_site_profiles()
        salt = None if inputs.cache_dir is None else cache.build_salt(inputs.registry_path, profiles)
        return cls(load_schemas(), profiles, registry, ann.registry_matcher(registry), salt)


@dataclass
class Batch:
    """What the map of one batch of sources returns: rows per table, or the errors that stopped them."""

    first: int                                   # index of the batch's first source in the build
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    raw_files: list[str] = field(default_factory=list)   # the raw_file each readable annotation names
    unreadable: bool = False                      # an annotation file could not be read: its raw file is unknown
    tables: dict[str, pa.Table] = field(default_factory=dict)   # the rows as Arrow, once converted
    counts: dict[str, int] = field(default_factory=dict)        # rows spilled per table, once spilled
    sizes: dict[str, int] = field(default_factory=dict)         # their bytes of text (parts.text_bytes)
    copied: list[str] = field(default_factory=list)   # raw files copied into the package (``raw_path``s)

    def to_arrow(self, schemas: dict[str, TableSchema]) -> Batch:
        """The rows as Arrow tables typed by the schemas (plus :data:`EXTRA_COLUMNS`), the dicts dropped."""
        self.tables = {name: rows_to_arrow(schemas[name], rows) for name, rows in self.rows.items()}
        self.rows = {}
        return self


# --- Map: one batch of sources ------------------------------------------------

def source_rows(path: Path, index: int, inputs: BuildInputs, context: Context,
                raw_files: list[str] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rows of one source (every table but ``entities``), each checked against its schema.

    Every problem of the source is raised at the end as one BuildError. ``raw_files`` receives the
    raw file the annotation names, as soon as it is read. With a cache (``inputs.cache_dir``), rows
    saved for the same files and salt are returned as saved.
    """
    # Load (from the cache when the source's files are unchanged: not even its YAML is parsed)
    key = None
    if inputs.cache_dir is not None and context.salt is not None:
        key = cache.source_key(context.salt, path, inputs.raw_dir)
        cached = cache.load(inputs.cache_dir, key) if key else None
        if cached is not None:
            for table_rows in cached.values():
                for row in table_rows:
                    row["_source"] = index
            if raw_files is not None:
                raw_files.append(str(cached["sources"][0]["raw_path"]).removeprefix(f"{PACKAGE_RAW_DIR}/"))
            return cached
    problems = Problems()
    source = ann.load_source_annotation(path, problems)
    if raw_files is not None:
        raw_files.append(str(source.data.get("raw_file")))
    built = None
    with problems.collect():  # without a site or a raw file there is no text: the source stops here
        built = build_source(source, context.profiles, inputs.raw_dir, problems)
    if built is None:
        problems.raise_if_any()
        raise BuildError(f"{path}: the source could not be built")  # (raise_if_any raised: never reached)

    # Process
    rows = {
        "sources": [{**built.source_row, "_where": str(source.path)}],
        "texts": [{**built.text_row, "_where": str(source.path)}],
        "mentions": ann.resolve_mentions(source, built.text, context.registry, problems, context.matcher),
        "quotes": ann.resolve_quotes(source, built.text, context.registry, problems),
        "statistics": ann.resolve_statistics(source, built.text, context.registry, problems),
    }
    for name, table_rows in rows.items():
        for position, row in enumerate(table_rows):
            where = row.pop("_where", None) or f"{source.path}: {name} row {position + 1}"
            unresolved = row.pop(ann.UNRESOLVED, ())  # a span not found (reported): its columns have no value
            with problems.collect():
                context.schemas[name].check_row(row, where, skip=unresolved)
            row.update(_where=where, _source=index, _row=position)
    problems.raise_if_any()

    # Save (in the cache, when there is one)
    if key is not None and inputs.cache_dir is not None:
        cache.save(inputs.cache_dir, key, rows)
    return rows


def map_batch(paths: Sequence[Path | str], first: int, inputs: BuildInputs, context: Context | None = None,
              arrow: bool = False, spill: RunStore | None = None, copy_raw_to: Path | None = None,
              link_raw: bool = False) -> Batch:
    """Rows of the sources ``paths`` (source ``first`` onwards); a source that fails adds its error.

    ``arrow``: return the rows as Arrow tables (compact to send between processes and to spill).
    ``spill``: write them to that run store instead (here, in the worker) and return only their counts,
    so that no rows travel back to the process that reduces them.
    ``copy_raw_to``: when every source of the batch was built, copy their raw files into that package
    folder here too (:func:`copy_raw_files`; ``Batch.copied`` names them), spread over the workers like
    the rest of the map instead of a reduce task of its own; ``link_raw``: hard links, not copies
    (:func:`copy_raw_files`).
    """
    context = context or _process_context(inputs)
    batch = Batch(first, {name: [] for name in TABLES if name != "entities"})
    for offset, path in enumerate(paths):
        named = len(batch.raw_files)
        try:
            for name, rows in source_rows(Path(path), first + offset, inputs, context, batch.raw_files).items():
                batch.rows[name] += rows
        except BuildError as exc:
            batch.errors += exc.problems
            batch.unreadable |= len(batch.raw_files) == named
    if batch.errors or not (arrow or spill):
        return batch
    batch.to_arrow(context.schemas)
    if copy_raw_to is not None:
        raw_paths = [str(raw_path) for raw_path in batch.tables["sources"].column("raw_path").to_pylist()]
        batch.copied = copy_raw_files(raw_paths, inputs.raw_dir, copy_raw_to, link_raw)
    if spill is not None:
        for name, table in batch.tables.items():
            spill.write(name, table, f"{first:09d}")
            batch.counts[name] = table.num_rows
            batch.sizes[name] = parts_module.text_bytes(table.select(context.schemas[name].columns))
        batch.tables = {}
    return batch


_CONTEXTS: dict[tuple[BuildInputs, int, int], Context] = {}


def _context_key(inputs: BuildInputs) -> tuple[BuildInputs, int, int]:
    stat = inputs.registry_path.stat()
    return inputs, stat.st_mtime_ns, stat.st_size


def _process_context(inputs: BuildInputs) -> Context:
    """The context of a worker process, loaded on its first batch and kept while the registry is unchanged."""
    key = _context_key(inputs)
    if key not in _CONTEXTS:
        _CONTEXTS.clear()
        _CONTEXTS[key] = Context.load(inputs)
    return _CONTEXTS[key]


def share_context(inputs: BuildInputs, context: Context) -> None:
    """Keep ``context`` where worker processes forked from this one find it: they load nothing."""
    _CONTEXTS.clear()
    _CONTEXTS[_context_key(inputs)] = context


def batches_of(paths: list[Path], size: int = SOURCES_PER_BATCH,
               workers: int = 1) -> Iterator[tuple[list[str], int]]:
    """The source paths cut into consecutive batches: (paths as strings, index of the first).

    On several ``workers`` the last ``workers * size`` sources are cut into quarter batches, so the
    workers run out of work at nearly the same time: each takes the next batch as it frees up, and
    with whole batches one could sit idle for most of a batch while the other finished its last.
    Strings, not Path objects: a task's arguments are pickled by the client and unpickled by Dask's
    scheduler and by the worker, and rebuilding 256 Path objects each time cost the client's event
    loop about 1 s of CPU per 10,000 sources.
    """
    tail = len(paths) - workers * size if workers > 1 else len(paths)
    first = 0
    while first < len(paths):
        step = size if first < tail else max(1, size // 4)
        yield [str(path) for path in paths[first:first + step]], first
        first += step


def copy_raw_files(raw_paths: list[str], raw_dir: Path, out_dir: Path, link: bool = False) -> list[str]:
    """Copy each source's raw file to its ``raw_path`` inside ``out_dir``; returns the ``raw_path``s copied.

    A built package then holds the bytes its ``raw_sha256`` describe and validates on its own. Nothing is
    copied when ``out_dir`` is the project itself (its raw files are already there). ``link``: a hard link
    instead of a copy (a copy where the file system refuses one), for a staging folder that is validated
    and removed, never handed to anyone: a copy creates a file (an inode), which cost ext4 up to 0.4 ms
    of kernel time per file after a build's files had just been deleted, a quarter of a build's CPU.
    """
    copied = []
    same_folder: dict[tuple[Path, Path], bool] = {}  # resolved once per pair of folders, not per file
    for raw_path in raw_paths:
        target = out_dir / raw_path
        source = raw_dir / Path(raw_path).relative_to(PACKAGE_RAW_DIR)
        folders = (target.parent, source.parent)
        if folders not in same_folder:
            same_folder[folders] = target.parent.resolve() == source.parent.resolve()
        if same_folder[folders]:
            continue  # building into the project itself
        target.parent.mkdir(parents=True, exist_ok=True)
        # never written through: a file left there by an earlier build may be a link to the raw file
        target.unlink(missing_ok=True)
        # a package that leaves the build gets copies: editing it must never touch data/raw/
        if not (link and _linked(source, target)):
            shutil.copyfile(source, target)
        copied.append(raw_path)
    return copied


def _linked(source: Path, target: Path) -> bool:
    """Hard-link ``target`` to ``source``; False when the file system cannot (another device, no links)."""
    try:
        target.hardlink_to(source)
    except OSError:
        return False
    return True


def entity_row(entity: ann.Entity) -> dict[str, Any]:
    """An entity of the registry as a row of the ``entities`` table."""
    return {"entity_id": entity.entity_id, "name": entity.name, "type": entity.type,
            "aliases": LIST_SEPARATOR.join(entity.aliases) or None, "description": entity.description,
            "notes": entity.notes, "review_status": entity.status}


def entity_rows(registry_path: Path, registry: dict[str, ann.Entity], schema: TableSchema) -> list[dict[str, Any]]:
    """The ``entities`` table, in registry order, each row checked against its schema."""
    rows = []
    for position, entity in enumerate(registry.values()):
        where = f"{registry_path}: entity {entity.entity_id!r}"
        row = entity_row(entity)
        schema.check_row(row, where)
        rows.append({**row, "_where": where, "_source": -1, "_row": position})
    return rows


# --- Rows as Arrow --------------------------------------------------------------

def _arrow_value(schema: TableSchema, column: str, value: Any) -> Any:
    if value is not None and schema.field(column)["type"] == "date":
        return dt.date.fromisoformat(value)
    if value is not None and schema.field(column)["type"] == "number":
        return float(value)
    return value


def rows_to_arrow(schema: TableSchema, rows: list[dict[str, Any]]) -> pa.Table:
    """Rows (with the extra columns) as an Arrow table of the schema's types, in the order given."""
    columns = schema.columns
    arrow_schema = pa.schema([*schema.arrow_schema(), *EXTRA_COLUMNS])
    converted = {
        column: pa.array([_arrow_value(schema, column, row.get(column)) for row in rows],
                         arrow_schema.field(column).type)
        for column in columns
    }
    for extra in EXTRA_COLUMNS.names:
        converted[extra] = pa.array([row[extra] for row in rows], EXTRA_COLUMNS.field(extra).type)
    return pa.table(converted, schema=arrow_schema)


# --- Reduce: keys, duplicates, sort, write --------------------------------------

class RunStore:
    """The batches' rows spilled to one Parquet file per batch and table, read back by DuckDB."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.counts = {name: 0 for name in TABLES}
        self.sizes = {name: 0 for name in TABLES}   # bytes of text of the rows (the byte threshold of parts)
        for name in TABLES:
            (directory / name).mkdir(parents=True, exist_ok=True)

    def add(self, name: str, table: pa.Table, label: str) -> None:
        """Spill ``table`` as a run of ``name`` and count its rows."""
        self.write(name, table, label)
        self.counts[name] += table.num_rows
        self.sizes[name] += parts_module.text_bytes(table.drop_columns(EXTRA_COLUMNS.names))

    def write(self, name: str, table: pa.Table, label: str) -> None:
        """Spill ``table`` as a run of ``name`` without counting it: a map task does this wherever it runs
        (maybe in this process), and the process that reduces counts the rows it reports (:meth:`record`)."""
        if table.num_rows:
            pq.write_table(table, self.directory / name / f"{label}.parquet", compression="lz4")

    def record(self, counts: dict[str, int], sizes: dict[str, int]) -> None:
        """Count the rows (and their bytes of text) another process spilled into this store's folder."""
        for name, count in counts.items():
            self.counts[name] += count
        for name, size in sizes.items():
            self.sizes[name] += size

    def relation(self, name: str) -> str:
        """A DuckDB table expression of every run of ``name`` (empty, with its columns, when it has none)."""
        return f"read_parquet('{(self.directory / name).as_posix()}/*.parquet')"


def connect(temp_directory: Path, threads: int | None = None) -> Any:
    """A DuckDB connection limited to :data:`SORT_MEMORY`, spilling into ``temp_directory``.

    ``threads``: DuckDB's threads (default: one per core); 1 when several reduce tasks share the cores.
    """
    import duckdb

    config: dict[str, Any] = {"memory_limit": SORT_MEMORY, "temp_directory": temp_directory.as_posix(),
                              "preserve_insertion_order": False}
    if threads is not None:
        config["threads"] = threads
    return duckdb.connect(config=config)


def check_keys(connection: Any, store: RunStore, schemas: dict[str, TableSchema]) -> None:
    """Reduce: no article twice (same raw bytes or same text), no primary key twice in a table."""
    sources = store.relation("sources")
    found = connection.execute(f"""
        WITH hashes AS (
            SELECT _source, _where, source_id, 'raw' AS what, raw_sha256 AS hash FROM {sources}
            UNION ALL SELECT _source, _where, source_id, 'text', text_sha256 FROM {sources}),
        owners AS (SELECT what, hash, min(_source) AS first FROM hashes GROUP BY ALL HAVING count(*) > 1)
        SELECT h._where, h.what, (SELECT source_id FROM hashes f WHERE f._source = o.first LIMIT 1)
        FROM hashes h JOIN owners o USING (what, hash) WHERE h._source > o.first
        ORDER BY h._source, h.what = 'text' LIMIT 1""").fetchone()
    if found:
        where, what, first = found
        raise BuildError(f"{where}: its {what} is identical to that of source {first!r}; "
                         "the same article must not be added twice")
    for name in TABLES:
        if not store.counts[name]:
            continue
        key = ", ".join(f'"{column}"' for column in schemas[name].primary_key)
        if not connection.execute(f"SELECT 1 FROM {store.relation(name)} GROUP BY {key} HAVING count(*) > 1 LIMIT 1"
                                  ).fetchone():
            continue  # the usual case, found with the key columns alone; the query below says where
        duplicate = connection.execute(f"""
            WITH ranked AS (
                SELECT {key}, _where, row_number() OVER (PARTITION BY {key} ORDER BY _source, _row) AS n,
                       first(_where) OVER (PARTITION BY {key} ORDER BY _source, _row) AS first_where,
                       _source, _row
                FROM {store.relation(name)})
            SELECT {key}, _where, first_where FROM ranked WHERE n = 2 ORDER BY _source, _row LIMIT 1""").fetchone()
        if duplicate:
            *values, where, first_where = duplicate
            raise BuildError(f"{where}: duplicate {name} key {tuple(values)} "
                             f"(same text and occurrence as {first_where})")


def sorted_batches(connection: Any, store: RunStore, schema: TableSchema) -> Iterator[pa.Table]:
    """Reduce: the rows of a table sorted by primary key, in slices of :data:`ROWS_PER_GROUP` rows."""
    relation = store.relation(schema.name) if store.counts[schema.name] else None
    yield from sorted_slices(connection, relation, schema)


def sorted_slices(connection: Any, relation: str | None, schema: TableSchema) -> Iterator[pa.Table]:
    """The rows of the DuckDB table expression ``relation`` (None: no rows) sorted by primary key, in
    slices of :data:`ROWS_PER_GROUP` rows typed by the schema."""
    target = schema.arrow_schema()
    if relation is None:
        yield target.empty_table()
        return
    columns = ", ".join(f'"{column}"' for column in schema.columns)
    key = ", ".join(f'"{column}"' for column in schema.primary_key)
    reader = connection.sql(f"SELECT {columns} FROM {relation} ORDER BY {key}").to_arrow_reader(ROWS_PER_GROUP)
    pending: list[pa.RecordBatch] = []
    held = 0
    for record_batch in reader:
        pending.append(record_batch)
        held += record_batch.num_rows
        while held >= ROWS_PER_GROUP:  # fixed slices, whatever sizes DuckDB hands out: the bytes depend on them
            table = pa.Table.from_batches(pending)
            yield _typed(table.slice(0, ROWS_PER_GROUP), target)
            rest = table.slice(ROWS_PER_GROUP)
            pending, held = rest.to_batches(), rest.num_rows
    if held:
        yield _typed(pa.Table.from_batches(pending, schema=reader.schema), target)


def reduce_table(schema: TableSchema, store: RunStore, out_dir: Path, scratch: Path,
                 threads: int | None = None) -> tuple[list[Path], int]:
    """Reduce: sort one table's runs by primary key and write ``<name>.csv`` and ``<name>.parquet``.

    One task of its own (it opens its own DuckDB connection, spilling into a folder of its own under
    ``scratch``), so the tables can be written by different processes at once; returns the paths and rows.
    """
    with _sorting(schema, scratch, f"sort-{schema.name}", out_dir / schema.name, threads) as connection:
        return write_sorted(schema.name, schema, sorted_batches(connection, store, schema), out_dir)


def split_table(schema: TableSchema, store: RunStore, parts: int, scratch: Path) -> Path:
    """Reduce: the runs of a table moved into one folder per part (``_part=K``, DuckDB's hive layout),
    the part of each row a function of its partition key (:mod:`scripts.parts`); returns the folder.

    One pass over the runs, one run in memory at a time (a run of 256 sources: this holds a few MB
    whatever the table; DuckDB's partitioned COPY held 540 MB for 100k texts); rows are not sorted here
    but by :func:`reduce_part`, one task per part. A task of its own: the tables split at once.
    """
    import pyarrow.compute as pc

    folder = scratch / "split" / schema.name
    folder.mkdir(parents=True, exist_ok=True)
    column = parts_module.partition_column(schema)
    writers: dict[int, pq.ParquetWriter] = {}
    try:
        for run in sorted((store.directory / schema.name).glob("*.parquet")):
            table = pq.read_table(run, columns=schema.columns)
            # one hash per distinct key (a source's rows share it), then each row's part by look-up
            keys = pc.dictionary_encode(table.column(column)).combine_chunks()
            key_parts = pa.array([parts_module.part_of(str(key), parts) for key in keys.dictionary.to_pylist()],
                                 pa.int64())
            row_parts = pc.take(key_parts, keys.indices)
            # the run ordered by part, then cut where the part changes: time linear in the run's rows
            # whatever the number of parts (a filter per part would scan the run once per part)
            order = pc.sort_indices(row_parts)
            table, row_parts = table.take(order), pc.take(row_parts, order)
            start = 0
            for found in sorted(pc.value_counts(row_parts).to_pylist(), key=lambda found: found["values"]):
                part, count = found["values"], found["counts"]
                if part not in writers:
                    (folder / f"_part={part}").mkdir()
                    writers[part] = pq.ParquetWriter(folder / f"_part={part}" / "runs.parquet", table.schema,
                                                     compression="lz4")
                writers[part].write_table(table.slice(start, count))
                start += count
    finally:
        for writer in writers.values():
            writer.close()
    return folder


def reduce_part(schema: TableSchema, split: Path, part: int, parts: int, out_dir: Path, scratch: Path,
                threads: int | None = None) -> tuple[list[Path], int]:
    """Reduce: sort part ``part`` of a split table (:func:`split_table`) by primary key and write it as
    ``<table>/part-NNN.csv`` and ``.parquet`` in ``out_dir``; a part without rows is written empty
    (a header, a Parquet file without row groups). One task per part; returns the paths and rows."""
    folder = split / f"_part={part}"
    relation = (f"read_parquet('{folder.as_posix()}/*.parquet', hive_partitioning = false)"
                if folder.is_dir() and any(folder.glob("*.parquet")) else None)
    csv_name, parquet_name = (parts_module.part_name(part, parts, extension) for extension in ("csv", "parquet"))
    target = out_dir / schema.name
    target.mkdir(parents=True, exist_ok=True)
    with _sorting(schema, scratch, f"sort-{schema.name}-{part}", target / csv_name, threads) as connection:
        return write_files(schema, sorted_slices(connection, relation, schema), target / csv_name,
                           target / parquet_name)


@contextmanager
def _sorting(schema: TableSchema, scratch: Path, name: str, what: Path, threads: int | None) -> Iterator[Any]:
    """A DuckDB connection of its own spilling into ``scratch/name``; a DuckDB error (e.g. out of memory)
    becomes a BuildError naming ``what``, not a traceback."""
    import duckdb

    temp = scratch / name
    temp.mkdir(parents=True, exist_ok=True)
    connection = connect(temp, threads)
    try:
        yield connection
    except duckdb.Error as exc:
        raise BuildError(f"{what}: sorting the table {schema.name!r} failed in DuckDB: "
                         f"{str(exc).splitlines()[0]}") from None
    finally:
        connection.close()


def _typed(table: pa.Table, target: pa.Schema) -> pa.Table:
    return pa.table([table.column(i).cast(target.field(i).type) for i in range(table.num_columns)],
                    schema=target).combine_chunks()


def _csv_cell(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def csv_lines(table: pa.Table) -> bytes:
    """The rows of ``table`` as UTF-8 CSV lines: the bytes Python's ``csv.writer`` writes (QUOTE_MINIMAL,
    CRLF; a field quoted when it holds a comma, a quote or a line break, its quotes doubled; a null an
    empty field).

    Arrow quotes the text columns and joins the fields, a column at a time, and the lines are the bytes
    of its result: ``csv.writer`` looks at every character of every field in a loop of its own, which was
    half of the time of writing the texts table. Other than integer columns go through :func:`_csv_cell`
    (one spelling of numbers and dates for every table).
    """
    import pyarrow.compute as pc

    if not table.num_rows:
        return b""
    fields: list[Any] = []  # every line is these, joined: quote, field, quote, comma, ..., line end
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            text = column.combine_chunks().fill_null("")
        elif pa.types.is_integer(column.type):
            text = pc.cast(column.combine_chunks(), pa.string()).fill_null("")
        else:
            text = pa.array([_csv_cell(value) for value in column.to_pylist()], pa.string())
        needs_quotes = pc.match_substring_regex(text, '[,"\r\n]')
        if table.num_columns == 1:  # csv.writer quotes a line's only field when empty: else a blank line
            needs_quotes = pc.or_(needs_quotes, pc.equal(text, ""))
        if not pc.any(needs_quotes).as_py():
            fields += [text, ","]
            continue
        if b'"' in _data_bytes(text):  # one search of the column's bytes; most columns hold no quote
            text = pc.replace_substring(text, '"', '""')
        quote = pc.if_else(needs_quotes, '"', "")
        fields += [quote, text, quote, ","]
    fields[-1] = "\r\n"
    return _data_bytes(pc.binary_join_element_wise(*fields, ""))


def _data_bytes(strings: pa.Array) -> bytes:
    """The bytes of a string array's values, one after the other (its data buffer, from its first offset
    to its last)."""
    data = strings.buffers()[2]
    if data is None:
        return b""
    offsets = memoryview(strings.buffers()[1]).cast("q" if pa.types.is_large_string(strings.type) else "i")
    return data[offsets[strings.offset]:offsets[strings.offset + len(strings)]].to_pybytes()


def write_sorted(name: str, schema: TableSchema, tables: Iterable[pa.Table], out_dir: Path) -> tuple[list[Path], int]:
    """Save the sorted slices of one table as ``<name>.csv`` and ``<name>.parquet``; returns the paths and rows."""
    return write_files(schema, tables, out_dir / f"{name}.csv", out_dir / f"{name}.parquet")


def write_files(schema: TableSchema, tables: Iterable[pa.Table], csv_path: Path,
                parquet_path: Path) -> tuple[list[Path], int]:
    """Save slices of rows as one CSV file (UTF-8, RFC 4180, CRLF, header) and one Parquet file (zstd,
    one row group per slice); the one writer of every table file and part. Returns the paths and rows."""
    rows = 0
    with csv_path.open("wb") as handle, \
            pq.ParquetWriter(parquet_path, schema.arrow_schema(), compression="zstd", write_statistics=True,
                             store_schema=False) as parquet:
        handle.write(csv_lines(pa.table({column: [column] for column in schema.columns})))
        for table in tables:
            for start in range(0, table.num_rows, CSV_ROWS_PER_WRITE):
                handle.write(csv_lines(table.slice(start, CSV_ROWS_PER_WRITE)))
            parquet.write_table(table, row_group_size=ROWS_PER_GROUP)
            rows += table.num_rows
    return [csv_path, parquet_path], rows


# --- In memory, for reports, tests and the drafter --------------------------------

def build_rows(
    registry_path: Path = ann.REGISTRY_PATH, sources_dir: Path = ann.SOURCES_DIR, raw_dir: Path = RAW_DIR
) -> dict[str, list[dict[str, Any]]]:
    """Resolve every annotation into rows (dicts) per table, in source order, checked like the build.

    Every problem found (unresolved spans, bad fields, unreferenced raw files) is raised at the end
    as one BuildError that lists them all.
    """
    import tempfile

    inputs = BuildInputs(registry_path, sources_dir, raw_dir)
    problems = Problems()
    context = Context.load(inputs, problems=problems)
    batch = map_batch(inputs.source_paths(), 0, inputs, context)
    problems.messages += batch.errors + unreferenced_problems([batch], raw_dir)
    problems.raise_if_any()
    batch.rows["entities"] = entity_rows(registry_path, context.registry, context.schemas["entities"])
    with tempfile.TemporaryDirectory(prefix="build-rows-") as scratch:
        store = RunStore(Path(scratch))
        for name, table in Batch(0, dict(batch.rows)).to_arrow(context.schemas).tables.items():
            store.add(name, table, "0")
        check_keys(connect(Path(scratch)), store, context.schemas)
    extras = set(EXTRA_COLUMNS.names)
    return {name: [{k: v for k, v in row.items() if k not in extras} for row in batch.rows[name]] for name in TABLES}


def unreferenced_problems(batches: Iterable[Batch], raw_dir: Path) -> list[str]:
    """Reduce: the files of ``raw_dir`` no annotation names (unless an annotation could not be read)."""
    named: list[str] = []
    for batch in batches:
        if batch.unreadable:
            return []
        named += batch.raw_files
    return unreferenced_raw_files(named, raw_dir)


def write_tables(tables: dict[str, pd.DataFrame], out_dir: Path) -> list[Path]:
    """Save DataFrames as CSV and Parquet in ``out_dir`` (as the build writes them); returns the paths."""
    schemas = load_schemas()
    written: list[Path] = []
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        table = pa.Table.from_pandas(frame, schema=schemas[name].arrow_schema(), preserve_index=False)
        table = table.replace_schema_metadata(None)  # no pandas metadata: the bytes would depend on its version
        slices = (table.slice(start, ROWS_PER_GROUP) for start in range(0, max(table.num_rows, 1), ROWS_PER_GROUP))
        written += write_sorted(name, schemas[name], slices, out_dir)[0]
    return written
