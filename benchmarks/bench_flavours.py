"""Time and memory of writing the open flavour and of hydrating it, by package size.

Takes the published package and synthetic packages made from it
(:func:`benchmarks.bench_validate.synthetic_package`: the curated articles'
rows repeated under new ids, so every copy's raw file is one of
``data/raw/``). For each it writes the open package
(:func:`scripts.flavours.write_open_package`) and hydrates it from
``data/raw/`` (:func:`scripts.hydrate.hydrate`), each in a child process, and
prints a Markdown table of wall time and peak RSS, so that growth with the
number of rows can be read off.
``python -m benchmarks.bench_flavours [--sizes 1000 10000]``. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_validate import synthetic_package
from scripts.annotations import ROOT

STAGES = {
    "open": "from scripts.flavours import write_open_package; "
            "write_open_package(Path(sys.argv[1]), Path(sys.argv[2]), ROOT)",
    "hydrate": "from scripts.hydrate import hydrate; "
               "hydrate(Path(sys.argv[2]), ROOT / 'data' / 'raw', Path(sys.argv[3]))",
}
PRELUDE = "import sys; from pathlib import Path; from scripts.annotations import ROOT; "


def run_stage(stage: str, *paths: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one stage in a fresh process, measured by /usr/bin/time
    (which forks from a small process: a child forked from this one would start with its RSS)."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-c", PRELUDE + STAGES[stage],
                           *map(str, paths)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{stage} failed on {paths[0]}: {done.stderr[-2000:]}")
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def rows(package: Path) -> int:
    from scripts.parts import table_rows
    from scripts.schema import TABLES

    return sum(table_rows(package, table) for table in TABLES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    print("| package | rows | write open flavour | peak RSS | hydrate | peak RSS |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        packages = [("real package", ROOT)] + [
            (f"{size:,} articles", synthetic_package(size, work / f"package-{size}")) for size in args.sizes]
        for label, package in packages:
            opened, hydrated = work / f"{label}-open", work / f"{label}-full"
            open_s, open_mib = run_stage("open", package, opened)
            hydrate_s, hydrate_mib = run_stage("hydrate", package, opened, hydrated)
            print(f"| {label} | {rows(package):,} | {open_s * 1000:,.0f} ms | {open_mib:.0f} MiB "
                  f"| {hydrate_s * 1000:,.0f} ms | {hydrate_mib:.0f} MiB |", flush=True)


if __name__ == "__main__":
    main()
