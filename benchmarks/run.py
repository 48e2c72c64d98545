"""Benchmarks of the pipeline stages (``make bench``): median wall time and peak memory.

Takes the project's corpus, and a scaled copy of it (every article and its
annotation file repeated N times under new source ids, in a temporary
folder); prints, per stage and corpus size, the median of several runs and
the peak Python heap (tracemalloc) of one run. Nothing here is a test: the
numbers are for the record, not for pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import shutil
import statistics
import string
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable

import yaml

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from scripts import annotations as ann  # noqa: E402
from scripts.build import build_package  # noqa: E402
from scripts.normalise import load_site_profiles  # noqa: E402
from scripts.sources import build_source  # noqa: E402
from scripts.tables import build_rows  # noqa: E402
from scripts.validate import check_frictionless, check_tables  # noqa: E402


def scaled_corpus(copies: int, into: Path) -> dict[str, Path]:
    """The corpus repeated ``copies`` times under new ids.

    The build refuses the same article twice (same raw bytes or same text), so
    each copy is the article's normalised text, as a plain-text file with one
    paragraph of its own at the end ("Benchmark copy ab."); its annotation file
    is the original's with the new id, file and the ``plain`` site (so the
    title becomes the first paragraph). Every span still resolves.
    """
    raw_dir, sources_dir = into / "raw", into / "sources"
    raw_dir.mkdir(parents=True)
    sources_dir.mkdir()
    profiles = load_site_profiles()
    for path in sorted(ann.SOURCES_DIR.glob("*.yaml")):
        source = ann.load_source_annotation(path)
        text = build_source(source, profiles).text
        for copy in range(copies):
            source_id = f"{source.source_id}-copy{copy}"
            raw_name = f"copy{copy}-{source.data['raw_file']}"
            marker = "".join(string.ascii_lowercase[int(d)] for d in str(copy))
            raw = f"{text}\n\nBenchmark copy {marker}.\n".encode("utf-8")
            (raw_dir / raw_name).write_bytes(raw)
            data = {**source.data, "source_id": source_id, "raw_file": raw_name,
                    "raw_sha256": hashlib.sha256(raw).hexdigest(), "site": "plain", "title": None}
            (sources_dir / f"{source_id}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                                           encoding="utf-8")
    return {"registry_path": ann.REGISTRY_PATH, "sources_dir": sources_dir, "raw_dir": raw_dir}


def measure(label: str, run: Callable[[], object], repeats: int) -> None:
    times = []
    quiet = contextlib.redirect_stdout(io.StringIO())  # the build reports its row counts
    for _ in range(repeats):
        start = time.perf_counter()
        with quiet:
            run()
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    with quiet:
        run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"| {label} | {statistics.median(times) * 1000:.0f} ms | {min(times) * 1000:.0f} ms | {peak / 2**20:.1f} MiB | {repeats} |",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="repetitions of the corpus for the scaled run")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("| stage (corpus) | median | min | peak heap | runs |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        corpora = {"5 articles": {}, f"{5 * args.copies} articles": scaled_corpus(args.copies, Path(tmp) / "scaled")}
        for name, inputs in corpora.items():
            measure(f"resolve annotations ({name})", lambda: build_rows(**inputs), args.repeats)
            out = Path(tmp) / f"package-{len(inputs)}"

            def build() -> None:
                shutil.rmtree(out, ignore_errors=True)
                build_package(out, **inputs)

            measure(f"build package ({name})", build, args.repeats)
            measure(f"frictionless validate ({name})", lambda: check_frictionless(out), args.repeats)
            measure(f"cross-table checks ({name})", lambda: check_tables(out), args.repeats)
            from scripts.expectations import run_suites

            measure(f"Great Expectations suites ({name})", lambda: run_suites(out / "data"), max(1, args.repeats // 2))


if __name__ == "__main__":
    main()
