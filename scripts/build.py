"""Build the package into a staging folder, validate it, then publish it.

:func:`build_package` takes an output folder and writes a complete package
there: ``data/<table>.csv|parquet``, ``schemas/`` and ``datapackage.json``.
:func:`build_and_publish` (``make data``) takes the project's lock, builds into a fresh staging folder
inside the project, runs every check of :mod:`scripts.validate`, and only when
all pass replaces ``data/<table>.*`` and ``datapackage.json`` of the project as
a unit (:mod:`scripts.transaction`: a journal lets the next command finish a
killed publish). On any failure the published outputs are left untouched
(``data/raw/`` never is).

The build is a map over batches of sources (:func:`map_sources`: in this
process by default, on Dask distributed with ``--workers N`` or
``--scheduler tcp://HOST:PORT``) whose Arrow batches are spilled to run files,
then the reduce stages of :mod:`scripts.tables` (keys and duplicates, sort,
write); unchanged sources come from the cache of :mod:`scripts.cache`.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pyarrow.parquet as pq

from scripts import annotations as ann
from scripts.annotations import ROOT
from scripts.errors import BuildError, Problems
from scripts.package import write_descriptor
from scripts.review import describe_unreviewed, unreviewed
from scripts.schema import SCHEMAS_DIR, TABLES, load_schemas
from scripts.sources import PACKAGE_RAW_DIR
from scripts.transaction import STAGING_PREFIX, publish_unit, staging_folder, writing_command
from scripts.tables import (Batch, BuildInputs, Context, RunStore, batches_of, check_keys, connect, entity_rows,
                            map_batch, rows_to_arrow, sorted_batches, unreferenced_problems, write_sorted)

# Batches in flight per worker when the map runs on Dask: enough to keep workers busy, few enough
# that finished batches waiting for their turn do not pile up in memory.
BATCHES_IN_FLIGHT_PER_WORKER = 2
CACHE_DIR = ROOT / "build" / "cache"


def map_sources(inputs: BuildInputs, workers: int = 1, scheduler: str | None = None,
                registry: dict[str, ann.Entity] | None = None) -> Iterator[Batch]:
    """Map: every batch of sources, in source order, in this process or on Dask distributed.

    ``workers`` > 1 starts a ``LocalCluster`` of that many single-threaded worker
    processes; ``scheduler`` (``tcp://HOST:PORT``) uses a running cluster, whose
    workers must see the same project and input paths. One worker and no
    scheduler (the default) runs in this process: no cluster is started. The
    batches come back in source order whatever finishes first, so the output
    is the same bytes either way.
    """
    paths = inputs.source_paths()
    if workers <= 1 and scheduler is None:
        context = Context.load(inputs, registry)
        for batch_paths, first in batches_of(paths):
            yield map_batch(batch_paths, first, inputs, context, arrow=True)
        return
    from collections import deque

    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            in_flight = max(1, len(client.scheduler_info().get("workers", {})) or workers) * BATCHES_IN_FLIGHT_PER_WORKER
            pending: deque[Any] = deque()
            for batch_paths, first in batches_of(paths):
                pending.append(client.submit(map_batch, batch_paths, first, inputs, arrow=True, pure=False))
                if len(pending) >= in_flight:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        if cluster is not None:
            cluster.close()


def build_package(out_dir: Path, **inputs: Path) -> list[Path]:
    """Build tables, schemas and descriptor into ``out_dir`` in this process; returns the published files.

    ``inputs`` may override the input folders (``registry_path``, ``sources_dir``,
    ``raw_dir``) of :class:`scripts.tables.BuildInputs`, for fixture corpora.
    """
    return write_package(out_dir, BuildInputs(**inputs))


def write_package(out_dir: Path, build_inputs: BuildInputs, workers: int = 1, scheduler: str | None = None) -> list[Path]:
    """Build tables, schemas and descriptor into ``out_dir``; returns the published files.

    ``workers`` and ``scheduler`` are those of :func:`map_sources`.
    """
    schemas = load_schemas()
    problems = Problems()  # every problem of the run, raised together after the map
    registry = ann.load_registry(build_inputs.registry_path, problems)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".runs-", dir=out_dir) as scratch:
        store = RunStore(Path(scratch) / "runs")
        # Map (spilled batch by batch: memory holds a few batches, not the corpus)
        named = Batch(0)  # the raw files the annotations name, for the unreferenced-file reduce
        for batch in map_sources(build_inputs, workers, scheduler, registry):
            problems.messages += batch.errors
            named.raw_files += batch.raw_files
            named.unreadable |= batch.unreadable
            if not problems.messages:
                for name, table in batch.tables.items():
                    store.add(name, table, f"{batch.first:09d}")
        problems.messages += unreferenced_problems([named], build_inputs.raw_dir)
        problems.raise_if_any()
        store.add("entities", rows_to_arrow(schemas["entities"],
                                            entity_rows(build_inputs.registry_path, registry, schemas["entities"])),
                  "registry")
        # Reduce: keys and duplicates, then sort and write each table
        connection = connect(Path(scratch))
        check_keys(connection, store, schemas)
        written: list[Path] = []
        counts = {}
        import duckdb

        for name in TABLES:
            try:
                paths, counts[name] = write_sorted(name, schemas[name],
                                                   sorted_batches(connection, store, schemas[name]), out_dir / "data")
            except duckdb.Error as exc:  # e.g. out of memory: say which table, not a traceback
                raise BuildError(f"{out_dir / 'data' / name}: sorting the table failed in DuckDB: "
                                 f"{str(exc).splitlines()[0]}") from None
            written += paths
        connection.close()
    raw_paths = pq.read_table(out_dir / "data" / "sources.parquet", columns=["raw_path"]).column(0).to_pylist()
    written += copy_raw_files(raw_paths, build_inputs.raw_dir, out_dir)
    shutil.copytree(SCHEMAS_DIR, out_dir / "schemas", dirs_exist_ok=True)
    write_descriptor(out_dir)
    print(", ".join(f"{name}: {count} rows" for name, count in counts.items()))
    return [*written, out_dir / "datapackage.json"]


def copy_raw_files(raw_paths: list[str], raw_dir: Path, out_dir: Path) -> list[Path]:
    """Copy each source's raw file to its ``raw_path`` inside ``out_dir``.

    A built package then holds the bytes its ``raw_sha256`` describe and validates on its own.
    """
    written = []
    for raw_path in raw_paths:
        target = out_dir / raw_path
        source = raw_dir / Path(raw_path).relative_to(PACKAGE_RAW_DIR)
        if target.resolve() == source.resolve():
            continue  # building into the project itself
        target.parent.mkdir(parents=True, exist_ok=True)
        # a copy, not a hard link: editing a built package must never touch data/raw/
        shutil.copyfile(source, target)
        written.append(target)
    return written


def published_files() -> list[str]:
    """The files a build publishes, relative to the project: every table as CSV and Parquet, the descriptor."""
    return [f"data/{table}.{extension}" for table in TABLES for extension in ("csv", "parquet")] + ["datapackage.json"]


def publish(staging: Path, target: Path = ROOT, extra_files: tuple[str, ...] = (),
            after: tuple[dict[str, str], ...] = ({"step": "derived"},), what: str = "a build") -> None:
    """Replace the published files of ``target`` (and ``extra_files``) by those of ``staging``, as a unit.

    Then the ``after`` steps run (by default the derived documents). The caller holds the project lock
    (:func:`scripts.transaction.writing_command`); a kill at any point is finished by the next command.
    """
    publish_unit(target, staging, [*published_files(), *extra_files], after, what)


def build_and_publish(run_gx: bool = True, target: Path = ROOT, workers: int = 1, scheduler: str | None = None,
                      cache_dir: Path | None = None, **inputs: Path) -> None:
    """Build, validate, and publish into ``target`` only when every check passes; one writer at a time."""
    from scripts.validate import validate_package

    with writing_command(target, "build"), staging_folder(target, STAGING_PREFIX) as staging:
        try:
            if run_gx:  # the suites are derived from the schemas: regenerate them before they judge the build
                from scripts.expectations import generate_suites, write_suites

                changed = write_suites(generate_suites())
                if changed:
                    print(f"regenerated Great Expectations suites: {', '.join(changed)}")
            write_package(staging, BuildInputs(**inputs, cache_dir=cache_dir), workers, scheduler)
            # the report stays (build/ is not published) so a failed build can be read afterwards
            validate_package(staging, run_gx=run_gx, report_path=target / "build" / "validation" / "report.json",
                             project_dir=target)
        except BuildError:
            print("the previous outputs in data/ and datapackage.json are unchanged", flush=True)
            raise
        publish(staging, target)
        print(f"published {len(TABLES)} tables (CSV and Parquet) and datapackage.json in {target}")
        pending = describe_unreviewed(unreviewed(target))
        if pending:
            print(f"not yet reviewed: {pending}; they are built as drafts (sources.review_status) and a release "
                  "refuses them until `python -m scripts review SOURCE_ID --by NAME` (or release --publish-drafts)")


def build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="only build into this folder (no validation, nothing published)")
    parser.add_argument("--skip-gx", action="store_true", help="skip the Great Expectations suites")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="run the per-source stages on N local Dask worker processes (default 1: in this "
                             "process, no cluster); the output is the same bytes for any N")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="run the per-source stages on this Dask distributed cluster")
    parser.add_argument("--cache", type=Path, default=CACHE_DIR, metavar="DIR",
                        help="per-source row cache: unchanged sources are not recomputed (default: build/cache)")
    parser.add_argument("--no-cache", action="store_true", help="recompute every source, read and write no cache")


def build_command(args: argparse.Namespace) -> None:
    """``python -m scripts build``: build, validate, publish; or only build into --out."""
    if args.workers < 1:
        raise BuildError(f"--workers must be 1 or more, got {args.workers}")
    cache_dir = None if args.no_cache else args.cache
    if args.out is not None:
        write_package(args.out, BuildInputs(cache_dir=cache_dir), args.workers, args.scheduler)
    else:
        build_and_publish(run_gx=not args.skip_gx, workers=args.workers, scheduler=args.scheduler,
                          cache_dir=cache_dir)
