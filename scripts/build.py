"""Build the package into a staging folder, validate it, then publish it.

:func:`build_package` takes an output folder and writes a complete package
there: ``data/<table>.csv|parquet`` (or, past the size threshold of
``config/package.yaml``, ``data/<table>/part-NNN.csv|parquet``: :mod:`scripts.parts`),
``schemas/`` and ``datapackage.json``.
:func:`build_and_publish` (``make data``) takes the project's lock, builds into a fresh staging folder
inside the project, runs every check of :mod:`scripts.validate`, and only when
all pass replaces ``data/<table>.*`` and ``datapackage.json`` of the project as
a unit (:mod:`scripts.transaction`: a journal lets the next command finish a
killed publish). On any failure the published outputs are left untouched
(``data/raw/`` never is).

The build is a map over batches of sources (:func:`map_sources`: in this
process by default, on Dask distributed with ``--workers N`` or
``--scheduler tcp://HOST:PORT``) whose Arrow batches are spilled to run files,
then the reduce stages of :mod:`scripts.tables` (keys and duplicates, the split of
a partitioned table, then one sort-and-write task per table or per part);
unchanged sources come from the cache of :mod:`scripts.cache`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from scripts import annotations as ann
from scripts.annotations import ROOT
from scripts.errors import BuildError, Problems
from scripts.package import write_descriptor
from scripts.parts import Partitioning, files_present, load_partitioning
from scripts.review import describe_unreviewed, unreviewed
from scripts.schema import SCHEMAS_DIR, TABLES, load_schemas
from scripts.transaction import STAGING_PREFIX, publish_unit, staging_folder, writing_command
from scripts.tables import (Batch, BuildInputs, Context, RunStore, batches_of, check_keys, connect,
                            entity_rows, map_batch, reduce_part, reduce_table, rows_to_arrow, share_context,
                            split_table, unreferenced_problems)

# Batches in flight per worker when the map runs on Dask: enough that a worker always has a queued batch
# when the oldest one (the next to be consumed, in source order) is still running on the other worker.
# A spilled batch returns counts and file names only, so the batches waiting their turn hold little memory.
BATCHES_IN_FLIGHT_PER_WORKER = 4
CACHE_DIR = ROOT / "build" / "cache"
# The tables in the order their reduce tasks are handed out: the longest first, so that two workers
# finish together (texts holds most of the bytes, mentions most of the rows).
REDUCE_ORDER = ("texts", "mentions", "statistics", "quotes", "sources", "entities")

# Dask's own sampling, off or slowed for the workers this build starts: the statistical profiler
# samples every thread each 10 ms and the GIL monitor each 1 ms, which cost two workers on two cores
# a share of the CPU the map needs; nothing here reads their results (no dashboard). The event loops'
# tick (every 20 ms in the scheduler, each nanny and each worker: only to warn of a blocked loop) woke
# the loops 200 times a second, taking the GIL from the task thread of each worker; once a second is
# enough for the warning. Work stealing is off: the map's tasks have no dependencies and the scheduler
# queues them (hands one to a worker when it has a free thread), so there is nothing to rebalance,
# and its periodic check (every 100 ms) was wasted. Worker saturation 1.0: the scheduler hands a worker
# its next batch when it frees up, not one ahead (Dask's 1.1 rounds up to two per single-threaded worker),
# so the last batches go to whichever worker is free and the two finish the map together (with one
# queued ahead, a worker idled up to a batch while the other ran its last two). Local workers are forked, not spawned: they start
# in 0.05 s of CPU instead of 0.65 s (no imports) and inherit the context (registry, name automaton)
# the build loaded before starting them.
DASK_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.admin.tick.interval": "1s",
    "distributed.scheduler.work-stealing": False,
    "distributed.scheduler.worker-saturation": 1.0,
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.worker.multiprocessing-method": "fork",
}


class _InProcess:
    """A task run in this process when its result is asked for (the executor of a build without workers)."""

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.function, self.args = function, args

    def result(self) -> Any:
        return self.function(*self.args)


@contextmanager
def executor(workers: int = 1, scheduler: str | None = None) -> Iterator[Any]:
    """Where the build's tasks run: None (this process), or a Dask ``Client``.

    ``workers`` > 1 starts a ``LocalCluster`` of that many single-threaded worker processes,
    closed on leaving; ``scheduler`` (``tcp://HOST:PORT``) connects to a running cluster, whose
    workers must see the same project and input paths (and the output folder: they write into it).
    """
    if workers <= 1 and scheduler is None:
        yield None
        return
    import dask
    from dask.distributed import Client, LocalCluster

    with dask.config.set(DASK_CONFIG):
        cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                      dashboard_address=None)
        try:
            with Client(scheduler or cluster) as client:
                yield client
        finally:
            if cluster is not None:
                cluster.close()


def submit(client: Any, function: Callable[..., Any], *args: Any) -> Any:
    """A task on ``client`` (None: run in this process when its result is asked for)."""
    return _InProcess(function, *args) if client is None else client.submit(function, *args, pure=False)


def run_in_turn(client: Any, calls: list[tuple[Any, ...]]) -> list[Any]:
    """The results of ``calls`` (each a function and its arguments), in the order given.

    On a Dask ``client`` each worker runs one call at a time, and the next call of the list goes to the
    first worker to finish (list scheduling: with the longest calls first, the workers finish together).
    Submitted all at once, Dask would place every call on a worker when submitted, by its guess of their
    durations, and a worker could wait idle while calls queue behind the longest on the other. A call
    that fails raises once the calls already running have finished (they may write to a folder the
    caller removes on the error); without a client the calls run here, one after the other.
    """
    if client is None:
        return [function(*args) for function, *args in calls]
    from dask.distributed import wait

    results: list[Any] = [None] * len(calls)
    running: dict[Any, int] = {}
    failure: BaseException | None = None
    waiting = deque(enumerate(calls))
    slots = worker_count(client)
    while running or (waiting and failure is None):
        while waiting and failure is None and len(running) < slots:
            index, (function, *args) = waiting.popleft()
            running[client.submit(function, *args, pure=False)] = index
        done, _ = wait(list(running), return_when="FIRST_COMPLETED")
        for future in done:
            index = running.pop(future)
            try:
                results[index] = future.result()
            except Exception as exc:  # noqa: BLE001 - raised below, once the running calls are done
                failure = failure or exc
    if failure is not None:
        raise failure
    return results


def worker_count(client: Any) -> int:
    """The workers of ``client`` (1 without one): how many tasks to keep running at once."""
    return 1 if client is None else max(1, len(client.scheduler_info().get("workers", {})))


def map_batches(client: Any, inputs: BuildInputs, context: Context | None = None,
                spill: RunStore | None = None, copy_raw_to: Path | None = None,
                link_raw: bool = False) -> Iterator[Batch]:
    """Map: every batch of sources, in source order, on ``client`` (see :func:`executor`).

    With ``spill``, each batch writes its rows to that run store where it runs and returns their counts
    (no rows travel back); without, it returns them as Arrow tables. ``copy_raw_to``: each batch copies
    its raw files into that package folder too (hard links with ``link_raw``). Batches come back in
    source order whatever finishes first, so the output is the same bytes for any number of workers.
    """
    if client is None:
        context = context or Context.load(inputs)
    else:
        context = None  # the workers have their own (inherited when forked, else loaded on their first batch)
    workers = worker_count(client)
    in_flight = workers * BATCHES_IN_FLIGHT_PER_WORKER
    pending: deque[Any] = deque()
    for batch_paths, first in batches_of(inputs.source_paths(), workers=workers):
        pending.append(submit(client, map_batch, batch_paths, first, inputs, context, True, spill, copy_raw_to,
                              link_raw))
        if len(pending) >= in_flight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def map_sources(inputs: BuildInputs, workers: int = 1, scheduler: str | None = None,
                registry: dict[str, ann.Entity] | None = None) -> Iterator[Batch]:
    """Map alone: every batch of sources as Arrow tables, in source order (``workers`` and ``scheduler``
    as in :func:`executor`; one worker and no scheduler, the default, starts no cluster)."""
    context = Context.load(inputs, registry)
    if workers > 1 and scheduler is None:
        share_context(inputs, context)  # before the workers are forked: they inherit it
    with executor(workers, scheduler) as client:
        yield from map_batches(client, inputs, context)


def build_package(out_dir: Path, **inputs: Path) -> list[Path]:
    """Build tables, schemas and descriptor into ``out_dir`` in this process; returns the published files.

    ``inputs`` may override the input folders (``registry_path``, ``sources_dir``,
    ``raw_dir``) of :class:`scripts.tables.BuildInputs`, for fixture corpora.
    """
    return write_package(out_dir, BuildInputs(**inputs))


def write_package(out_dir: Path, build_inputs: BuildInputs, workers: int = 1, scheduler: str | None = None,
                  partitioning: Partitioning | None = None, link_raw: bool = False) -> list[Path]:
    """Build tables, schemas and descriptor into ``out_dir``; returns the published files.

    ``workers`` and ``scheduler`` are those of :func:`executor`: the map, the tables' (or their parts')
    sorts and writes and the copies of the raw files run there; the key checks and the split of a
    partitioned table run here. ``partitioning``: when a table is written as parts (default: the
    ``partitions`` of ``config/package.yaml``); the same bytes for any ``workers``. ``link_raw``: the
    package's raw files are hard links to the inputs' (a staging folder validated and then removed, as
    :func:`build_and_publish` makes), not copies (a package handed to a user: :func:`build_into`).
    """
    schemas = load_schemas()
    partitioning = partitioning or load_partitioning()
    problems = Problems()  # every problem of the run, raised together after the map
    registry = ann.load_registry(build_inputs.registry_path, problems)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    remove_table_files(out_dir)
    context = Context.load(build_inputs, registry)
    if workers > 1 and scheduler is None:
        share_context(build_inputs, context)  # before the workers are forked: they inherit it
    with tempfile.TemporaryDirectory(prefix=".runs-", dir=out_dir) as scratch_name, \
            executor(workers, scheduler) as client:
        scratch = Path(scratch_name)
        store = RunStore(scratch / "runs")
        # Map (each batch spilled where it runs: memory holds a few batches, not the corpus; each batch
        # also copies its raw files into the package, so the copies are spread over the workers)
        named = Batch(0)  # the raw files the annotations name, for the unreferenced-file reduce
        copied: list[str] = []
        for batch in map_batches(client, build_inputs, context, store, out_dir, link_raw):
            problems.messages += batch.errors
            named.raw_files += batch.raw_files
            named.unreadable |= batch.unreadable
            store.record(batch.counts, batch.sizes)
            copied += batch.copied
        # The unreferenced raw files (a walk of the raw folder, about 1 s per 10,000 files) are found by a
        # task while this process checks the keys and splits the tables; their problems, like the map's,
        # come before any error of the key checks, as when the steps ran one after the other.
        unreferenced = submit(client, unreferenced_problems, [named], build_inputs.raw_dir)
        if problems.messages:
            problems.messages += unreferenced.result()
            problems.raise_if_any()
        splitting: dict[str, Any] = {}
        try:
            store.add("entities", rows_to_arrow(schemas["entities"], entity_rows(build_inputs.registry_path, registry,
                                                                                schemas["entities"])), "registry")
            # Reduce: keys and duplicates here, then each table's sort and write as tasks
            plan = {name: partitioning.parts_for(store.counts[name], store.sizes[name]) for name in TABLES}
            # The tables past a threshold of config/package.yaml are split into their parts by tasks (one
            # per table, beside the key checks here); then each table, or each part, is sorted and written
            # by a task of its own.
            splitting = {name: submit(client, split_table, schemas[name], store, plan[name], scratch)
                         for name in REDUCE_ORDER if plan[name] > 1}
            connection = connect(scratch)
            check_keys(connection, store, schemas)
            connection.close()
            splits = {name: task.result() for name, task in splitting.items()}
        except BuildError:
            for task in splitting.values():  # let them finish before the scratch folder they write is removed
                with suppress(Exception):
                    task.result()
            problems.messages += unreferenced.result()
            problems.raise_if_any()
            raise
        problems.messages += unreferenced.result()
        problems.raise_if_any()
        threads = None if client is None else 1  # the workers share the cores: one DuckDB thread each
        # One call per table, or per part of a split table, handed to the workers in REDUCE_ORDER
        calls = [(name, (reduce_part, schemas[name], splits[name], part, plan[name], out_dir / "data", scratch,
                         threads) if name in splits else
                  (reduce_table, schemas[name], store, out_dir / "data", scratch, threads))
                 for name in REDUCE_ORDER for part in range(plan[name])]
        results: dict[str, list[tuple[list[Path], int]]] = {name: [] for name in TABLES}
        for (name, _), result in zip(calls, run_in_turn(client, [call for _, call in calls])):
            results[name].append(result)
        written: list[Path] = [path for name in TABLES for paths, _ in results[name] for path in paths]
        counts = {name: sum(rows for _, rows in results[name]) for name in TABLES}
        written += [out_dir / raw_path for raw_path in copied]
    shutil.copytree(SCHEMAS_DIR, out_dir / "schemas", dirs_exist_ok=True)
    write_descriptor(out_dir)
    print(", ".join(f"{name}: {count} rows" for name, count in counts.items()))
    return [*written, out_dir / "datapackage.json"]


def remove_table_files(package_dir: Path) -> None:
    """Remove the tables' files of an earlier build in ``package_dir`` (single files and parts), so that a
    table written now as parts (or as one file) leaves no stale files of the other layout beside it."""
    for table in TABLES:
        for extension in ("csv", "parquet"):
            for relative in files_present(package_dir, table, extension, strict=False):
                (package_dir / relative).unlink()
        if (package_dir / "data" / table).is_dir() and not any((package_dir / "data" / table).iterdir()):
            (package_dir / "data" / table).rmdir()


def published_files(package_dir: Path | None = None) -> list[str]:
    """The files a build publishes, relative to the project: every table as CSV and Parquet (the files, or
    the parts, ``package_dir`` holds; single files without it), the descriptor."""
    files = []
    for table in TABLES:
        for extension in ("csv", "parquet"):
            present = files_present(package_dir, table, extension) if package_dir is not None else []
            files += present or [f"data/{table}.{extension}"]
    return files + ["datapackage.json"]


def stale_files(target: Path, files: list[str]) -> list[str]:
    """The tables' files published in ``target`` that are not among ``files`` (the other layout, or parts
    past the new count): removed when the new files are published."""
    kept = set(files)
    return [path for table in TABLES for extension in ("csv", "parquet")
            for path in files_present(target, table, extension, strict=False) if path not in kept]


def publish(staging: Path, target: Path = ROOT, extra_files: tuple[str, ...] = (),
            after: tuple[dict[str, str], ...] = ({"step": "derived"},), what: str = "a build") -> None:
    """Replace the published files of ``target`` (and ``extra_files``) by those of ``staging``, as a unit.

    Then the ``after`` steps run (by default the derived documents). The caller holds the project lock
    (:func:`scripts.transaction.writing_command`); a kill at any point is finished by the next command.
    """
    files = published_files(staging)
    publish_unit(target, staging, [*files, *extra_files], after, what, stale_files(target, files))


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
            # the staging folder's raw files are links: it is validated, its tables published, then removed
            write_package(staging, BuildInputs(**inputs, cache_dir=cache_dir), workers, scheduler, link_raw=True)
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


def build_into(out_dir: Path, build_inputs: BuildInputs, workers: int = 1, scheduler: str | None = None) -> None:
    """``build --out DIR``: build into a fresh folder beside ``out_dir``, then move its files into ``out_dir``.

    The map copies raw files and writes runs as it goes, so a build that fails (a bad annotation, a key
    twice) would leave a half-written package; built aside, a failure leaves ``out_dir`` as it was. Files of
    ``out_dir`` the build does not write (an earlier build's tables in the other layout excepted) are kept.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".build-out-", dir=out_dir.parent))
    try:
        try:
            write_package(staging, build_inputs, workers, scheduler)
        except BuildError:
            print(f"nothing was written to {out_dir}", flush=True)
            raise
        remove_table_files(out_dir)
        for path in sorted(staging.rglob("*")):
            if path.is_file():
                target = out_dir / path.relative_to(staging)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="only build into this folder (no validation, nothing published; a failed build leaves "
                             "it as it was)")
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
        build_into(args.out, BuildInputs(cache_dir=cache_dir), args.workers, args.scheduler)
    else:
        build_and_publish(run_gx=not args.skip_gx, workers=args.workers, scheduler=args.scheduler,
                          cache_dir=cache_dir)
