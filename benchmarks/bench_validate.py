"""Time and peak memory of ``validate`` per stage, on the real package and on synthetic ones.

Takes the published package of the project and builds synthetic packages of
100, 1,000 and 10,000 articles from it in a temporary folder (the curated
articles' rows repeated under new source ids and new content ids, the
entity registry unchanged, the descriptor's bytes and hashes recomputed);
prints a Markdown table with, per package size and stage, the median and
minimum wall time of several runs and the peak resident memory of the process
that ran the stage, then the medians side by side to show how each stage
grows with size. Every stage runs in a fresh process so that one stage's
memory does not hide another's. The stages are those of
:func:`scripts.validate.run_checks`; "frictionless row by row" is the full
``frictionless validate`` that the column-wise schema checks replace.

``python -m benchmarks.bench_validate [--sizes 100 1000 10000] [--repeats 3]``.
Nothing here is a test: the numbers are for the record, not for pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from scripts.annotations import ROOT  # noqa: E402
from scripts.package import file_facts  # noqa: E402
from scripts.schema import TABLES, load_schemas  # noqa: E402
from scripts.tables import write_tables  # noqa: E402

# Columns holding content-derived ids that must stay unique in a copy.
ID_PREFIXES = {"mentions": "mention_id", "quotes": "quote_id", "statistics": "statistic_id"}
SIZES = (100, 1_000, 10_000)


# --- Synthetic packages -------------------------------------------------------

def _new_ids(ids: pa.ChunkedArray, copy: int) -> pa.Array:
    """Content ids of a copy: the same prefix and a new 12-digit hash, unique across copies."""
    return pa.array([old[:2] + hashlib.sha256(f"{copy}:{old}".encode()).hexdigest()[:12]
                     for old in ids.to_pylist()], pa.string())


def _copy_rows(table: pa.Table, name: str, source_ids: list[str], copy: int) -> pa.Table:
    """The rows of ``source_ids`` in ``table``, renamed for copy number ``copy``."""
    rows = table.filter(pc.is_in(table["source_id"], pa.array(source_ids)))
    rows = rows.set_column(rows.schema.get_field_index("source_id"), "source_id",
                           pc.binary_join_element_wise(rows["source_id"], f"-copy{copy}", ""))
    if name in ID_PREFIXES:
        column = ID_PREFIXES[name]
        rows = rows.set_column(rows.schema.get_field_index(column), column, _new_ids(rows[column], copy))
    return rows


def synthetic_package(articles: int, out: Path, origin: Path = ROOT) -> Path:
    """A package of ``articles`` articles made of copies of the package in ``origin``."""
    schemas = load_schemas()
    tables = {name: pq.read_table(origin / "data" / f"{name}.parquet") for name in TABLES}
    sources = tables["sources"]["source_id"].to_pylist()
    built: dict[str, list[pa.Table]] = {name: [] for name in TABLES if name != "entities"}
    for copy in range((articles + len(sources) - 1) // len(sources)):
        chosen = sources[:min(len(sources), articles - copy * len(sources))]
        for name in built:
            built[name].append(_copy_rows(tables[name], name, chosen, copy))
    frames = {name: (pa.concat_tables(built[name]) if name in built else tables[name])
              .sort_by([(c, "ascending") for c in schemas[name].primary_key])
              .to_pandas(types_mapper=pd.ArrowDtype) for name in TABLES}
    write_tables(frames, out / "data")
    shutil.copytree(origin / "schemas", out / "schemas", dirs_exist_ok=True)
    # copies share their original's raw file (raw_path), which a package carries for its raw-hash check
    shutil.copytree(origin / "data" / "raw", out / "data" / "raw", dirs_exist_ok=True)
    descriptor = json.loads((origin / "datapackage.json").read_text(encoding="utf-8"))
    for entry in descriptor["resources"]:
        facts = file_facts(out / entry["path"])
        entry.update({k: v for k, v in facts.items() if k in entry})
    (out / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


# --- Stages -----------------------------------------------------------------------

def _stages() -> dict[str, tuple[Callable[[Path], Any], Callable[[Any], Any]]]:
    """stage -> (setup on the package, run on what setup returned); imports happen in setup."""
    from scripts import validate as v

    def quiet_validate(package: Path, run_gx: bool) -> None:
        with contextlib.redirect_stdout(io.StringIO()):
            v.validate_package(package, run_gx=run_gx)

    def gx_setup(package: Path) -> Path:
        import great_expectations  # noqa: F401  (its import is not part of a run)

        return package

    return {
        "profiles + files (bytes, SHA-256)": (lambda p: p, lambda p: (v.check_profiles(p), v.check_files(p))),
        "frictionless descriptor": (lambda p: p, v.check_frictionless_descriptor),
        "frictionless row by row": (lambda p: p, v.check_frictionless),
        "schema checks, column-wise (read + check)": (lambda p: p, lambda p: v.schema_checks(v.read_tables(p))),
        "cross-table checks": (lambda p: (p, v.read_tables(p)), lambda s: v.cross_table_checks(*s)),
        "Great Expectations suites": (gx_setup, run_gx_suites),
        "validate, no GX (default checks)": (lambda p: p, lambda p: quiet_validate(p, False)),
    }


def run_gx_suites(package: Path) -> list[str]:
    from scripts.expectations import run_suites

    return run_suites(package / "data")


def _rss_mib(key: str) -> float:
    """A memory figure of this process from /proc (VmRSS now, VmHWM its peak), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise LookupError(key)


def _measure(stage: str, package: str, repeats: int) -> tuple[list[float], float, float]:
    """In a fresh process: run ``stage`` ``repeats`` times; times, RSS before and peak RSS during the runs."""
    import frictionless  # noqa: F401  (imports are not part of a run)
    import jsonschema  # noqa: F401

    setup, run = _stages()[stage]
    state = setup(Path(package))
    # Resets the peak (VmHWM) to the current RSS, so the peak is that of the runs (Linux >= 4.0).
    Path("/proc/self/clear_refs").write_text("5")
    before = _rss_mib("VmRSS")
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(state)
        times.append(time.perf_counter() - start)
    return times, before, _rss_mib("VmHWM")


def measure(stage: str, package: Path, repeats: int) -> tuple[list[float], float, float]:
    """:func:`_measure` in a new interpreter (spawned, so it inherits none of this process's memory)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_measure, stage, str(package), repeats).result()


# --- Report --------------------------------------------------------------------------

def _describe(package: Path) -> str:
    articles = pq.read_metadata(package / "data" / "sources.parquet").num_rows
    rows = sum(pq.read_metadata(package / "data" / f"{t}.parquet").num_rows for t in TABLES)
    size = sum((package / "data" / f"{t}.csv").stat().st_size for t in TABLES) / 2**20
    return f"{articles:,} articles ({rows:,} rows, {size:.1f} MiB CSV)"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES), help="articles per synthetic package")
    parser.add_argument("--repeats", type=int, default=3, help="runs per stage (1 for packages over 5,000 articles)")
    parser.add_argument("--skip", nargs="*", default=[], help="stages to leave out (e.g. 'frictionless row by row')")
    args = parser.parse_args()
    stages = [s for s in _stages() if s not in args.skip]
    medians: dict[str, dict[str, float]] = {s: {} for s in stages}
    print("| package | stage | median | min | runs | RSS before → peak RSS during the runs |\n|---|---|---|---|---|---|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for size in [None, *args.sizes]:
            package = ROOT if size is None else synthetic_package(size, Path(tmp) / f"package-{size}")
            label = ("real package, " if package == ROOT else "") + _describe(package)
            repeats = args.repeats if pq.read_metadata(package / "data" / "sources.parquet").num_rows <= 5_000 else 1
            for stage in stages:
                times, before, after = measure(stage, package, repeats)
                medians[stage][label] = statistics.median(times)
                print(f"| {label} | {stage} | {_ms(statistics.median(times))} | {_ms(min(times))} | {len(times)} | "
                      f"{before:,.0f} → {after:,.0f} MiB |", flush=True)
            if package != ROOT:
                shutil.rmtree(package)
    labels = list(next(iter(medians.values())))
    print("\nMedians by package size:\n")
    print("| stage | " + " | ".join(labels) + " |\n|---|" + "---|" * len(labels))
    for stage, by_label in medians.items():
        print(f"| {stage} | " + " | ".join(_ms(by_label[label]) for label in labels) + " |")


if __name__ == "__main__":
    main()
