"""Time of ``sqlite`` and ``site`` on the real package and on synthetic ones.

Takes the published package and builds synthetic packages of more articles
from it (:func:`benchmarks.bench_validate.synthetic_package`: the curated
articles' rows repeated under new ids); prints a Markdown table of the median
wall time of writing the SQLite file and of writing the static site per
package size, and the size of what they write, so that growth with the number
of articles can be read off. ``python -m benchmarks.bench_ways_in [--sizes 100 1000] [--repeats 3]``.
Nothing here is a test.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import tempfile
import time
from pathlib import Path
from typing import Callable

from benchmarks.bench_validate import synthetic_package
from scripts.annotations import ROOT
from scripts.site import build_site
from scripts.sqlite import write_sqlite


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("| package | sqlite (median) | SQLite file | site (median) | site pages | site size |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        packages = [("real package", ROOT)] + [
            (f"{size:,} articles", synthetic_package(size, work / f"package-{size}")) for size in args.sizes]
        for label, package in packages:
            database, site = work / f"{label}.sqlite", work / f"{label}-site"
            sqlite_s = median_seconds(lambda: write_sqlite(package, database), args.repeats)
            site_s = median_seconds(lambda: build_site(package, site), args.repeats)
            pages = sum(1 for _ in site.rglob("*.html"))
            print(f"| {label} | {sqlite_s * 1000:,.0f} ms | {folder_bytes(database) / 2**20:.1f} MiB "
                  f"| {site_s * 1000:,.0f} ms | {pages:,} | {folder_bytes(site) / 2**20:.1f} MiB |", flush=True)


if __name__ == "__main__":
    main()
