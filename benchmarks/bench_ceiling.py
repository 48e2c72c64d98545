"""The machine's own ceiling for two workers (``python -m benchmarks.bench_ceiling``).

Runs a fixed pure-Python CPU-bound workload in one process, then the same workload in two processes at
once, and prints wall time, CPU time and the speed-up (two workloads in the time of one is 2.00×), the
median of ``--repeats`` runs. Nothing of the project runs: what it measures is the hardware (two cores
sharing caches and memory bandwidth, frequency scaling, hyper-threads) and the other jobs on the machine,
so the extra CPU two build workers spend beyond this is ours (Dask, the client, our own bookkeeping).

Two workloads, since sharing hurts most where the working set leaves the caches:

- ``small``: tokenising and counting words of one 4 KiB text again and again (a few KiB of live data:
  the core's own caches);
- ``large``: the same on texts picked at random from 64 MiB of generated text, counting into a dict
  that grows to about a million keys (the working set of a build batch: strings and dicts far beyond the
  shared cache, so the two processes compete for memory bandwidth and the last-level cache).

``python -m benchmarks.bench_ceiling [--workloads small large] [--repeats 5] [--seconds 3]``: ``--seconds``
sets the size of one workload (calibrated once, in one process, to take about that much CPU).
Nothing here is a test: the numbers are for the record.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

WORDS = ("border", "security", "talks", "said", "forces", "district", "residents", "clashes", "tension",
         "envoys", "trade", "refugees", "water", "progress", "officials", "province", "valley", "council")
TEXT_BYTES = 4096                 # one text of the small workload
LARGE_TEXTS = 16_384              # texts of the large workload: 16,384 × 4 KiB = 64 MiB
SEED = 12


def _text(rng: random.Random, size: int = TEXT_BYTES) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS) + str(rng.randrange(100_000))  # distinct tokens: the dict keeps growing
        words.append(word)
        length += len(word) + 1
    return " ".join(words)


def _count(text: str, counts: dict[str, int]) -> int:
    for token in text.split():
        counts[token] = counts.get(token, 0) + 1
    return len(counts)


def small_workload(units: int) -> int:
    """``units`` passes over one 4 KiB text (cache-resident)."""
    text = _text(random.Random(SEED))
    total = 0
    for _ in range(units):
        counts: dict[str, int] = {}
        total += _count(text.upper().lower(), counts)
    return total


_LARGE: list[str] = []


def _large_texts() -> list[str]:
    """64 MiB of text, generated once per process before the clock starts (forked children inherit it)."""
    if not _LARGE:
        rng = random.Random(SEED)
        _LARGE.extend(_text(rng) for _ in range(LARGE_TEXTS))
    return _LARGE


def large_workload(units: int) -> int:
    """``units`` passes over texts picked at random from 64 MiB, counting into one growing dict."""
    texts = _large_texts()
    rng = random.Random(SEED)
    counts: dict[str, int] = {}
    total = 0
    for _ in range(units):
        total += _count(texts[rng.randrange(len(texts))].upper().lower(), counts)
    return total


WORKLOADS: dict[str, Callable[[int], int]] = {"small": small_workload, "large": large_workload}


def _timed(workload: str, units: int, results: Any) -> None:
    """A child's body: the workload, then its own wall and CPU time on the queue."""
    start_wall, start_cpu = time.perf_counter(), time.process_time()
    WORKLOADS[workload](units)
    results.put((time.perf_counter() - start_wall, time.process_time() - start_cpu))


def run(workload: str, units: int, processes: int) -> tuple[float, float]:
    """Wall time until every process finished, and the CPU time of all, for ``processes`` at once."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    children = [context.Process(target=_timed, args=(workload, units, results)) for _ in range(processes)]
    start = time.perf_counter()
    for child in children:
        child.start()
    measured = [results.get() for _ in children]
    wall = time.perf_counter() - start
    for child in children:
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"a {workload} workload process failed with exit code {child.exitcode}")
    return wall, sum(cpu for _, cpu in measured)


def calibrate(workload: str, seconds: float) -> int:
    """Units of ``workload`` that take about ``seconds`` of CPU in this process."""
    units = 16
    while True:
        start = time.process_time()
        WORKLOADS[workload](units)
        spent = time.process_time() - start
        if spent > 0.5:
            return max(1, round(units * seconds / spent))
        units *= 4


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", nargs="+", choices=sorted(WORKLOADS), default=["small", "large"])
    parser.add_argument("--repeats", type=int, default=5, help="runs of each case (medians are printed)")
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU seconds of one workload in one process")
    args = parser.parse_args(argv)
    print(f"<!-- load average before: {' '.join(f'{value:.2f}' for value in os.getloadavg())} -->")
    print("| workload | processes | wall (median) | CPU (median, all processes) | CPU per workload | "
          "speed-up (throughput) | extra CPU per workload |")
    print("|---|---|---|---|---|---|---|", flush=True)
    for workload in args.workloads:
        if workload == "large":
            _large_texts()  # generated before forking: neither the clock nor the children pay for it
        units = calibrate(workload, args.seconds)
        one: tuple[float, float] | None = None
        for processes in (1, 2):
            # each case runs its repeats in a row (alternating the cases would mix their warm-up)
            runs = [run(workload, units, processes) for _ in range(args.repeats)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            if one is None:
                one = (wall, cpu)
            speedup = processes * one[0] / wall
            extra = (cpu / processes) / one[1] - 1
            print(f"| {workload} | {processes} | {wall:.2f} s | {cpu:.2f} s | {cpu / processes:.2f} s | "
                  f"{speedup:.2f}× | {extra:+.1%} |", flush=True)
    print(f"<!-- load average after: {' '.join(f'{value:.2f}' for value in os.getloadavg())} -->")


if __name__ == "__main__":
    main()
