"""Scaling benchmark (``make bench-scale``): draft, build and validate on large synthetic corpora.

Takes nothing but the project's site profiles and entity registry; generates,
in a temporary folder, corpora of distinct synthetic articles (plain text, one
annotation file each, quotes, statistics and mentions that resolve) with a
registry that grows with the corpus (one synthetic entity per ten articles,
at least 100 entities: 10k+ at 100k articles), then runs each stage in a
fresh process and prints, per corpus size and stage, wall time, CPU time
(the process and the workers it waited for), peak RSS (the sum over the
process and its children, sampled every 0.1 s) and per-article costs. Stages:
``draft``, ``build`` (as ``python -m scripts build`` builds its staging folder: raw files hard-linked),
``build-out`` (as ``build --out``: raw files copied), ``rebuild`` (the build with a row cache, cold then warm),
``validate`` (without Great Expectations), ``validate-gx`` (with them, no Data Docs), ``map`` (the build's per-source
stage alone), ``draft-text`` (what the drafter does per article, in one
process: the CPU of drafting the articles after the registry is loaded and
one article drafted, without writing or the preview build); draft and rebuild
only up to 10k articles. Then the build, map and draft-text of 10k articles
with a 100-entity and a 10k-entity registry (cost per article must not grow
with the registry), and the
speed-up of two workers over one on the first size past 1,000 (medians of
``--repeats`` runs, the worker counts taking turns, with the load average before
them: other jobs on the machine make wall times meaningless).

``python -m benchmarks.bench_scale [--sizes 1000 10000 100000] [--stages ...] [--workers 1 2]
[--registry-sizes 100 10000] [--registry-articles 10000] [--registry-stages build map draft-text]
[--speedup-stages map build draft]
[--repeats N] [--draft-up-to N] [--keep DIR] [--rows-per-part N]``; ``... generate N DIR`` only writes a corpus. The work folder is under ``build/``
(sources' raw paths must lie inside the project for validation to find them).
Nothing here is a test: the numbers are for the record, not for pass/fail.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from scripts import annotations as ann  # noqa: E402
from scripts.annotations import ROOT  # noqa: E402

SYLLABLES = ("ba", "ko", "mi", "ru", "te", "zo", "la", "ni", "pe", "su",
             "da", "fi", "go", "hu", "ja", "ve", "wo", "xa", "yu", "ze")
TYPES = ("PERSON", "ORG", "GPE", "LOC", "FAC", "EVENT")
HEAD_WORDS = {"ORG": "Council", "GPE": "Province", "LOC": "Valley", "FAC": "Airbase", "EVENT": "Summit"}
FILLER = ("the officials border security talks said on monday that forces were moving along a road near "
          "district where residents reported clashes after weeks of tension between two sides while "
          "envoys met again to discuss trade refugees and water with little progress so far according "
          "to several people familiar with matter who asked not be named because they had no permission "
          "speak publicly about it").split()
MENTIONS_PER_ARTICLE = 12
SENTENCES_PER_ARTICLE = 36
# rebuild: the build twice with a row cache, cold then warm; map: the build's per-source stage alone;
# draft-text: the drafter's per-article work alone (its CPU after the registry is loaded)
STAGES = ("draft", "build", "build-out", "validate", "validate-gx", "rebuild", "map", "draft-text")
SMALL_STAGES_UP_TO = 10_000  # draft and rebuild only up to this corpus size (drafting 100k takes hours here)


# --- Synthetic corpus ---------------------------------------------------------

def coined(number: int, syllables: int = 4) -> str:
    """A capitalised pseudo-word that spells ``number`` in base 20 (distinct numbers, distinct words)."""
    parts = []
    for _ in range(syllables):
        number, digit = divmod(number, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts).capitalize()


def synthetic_entity(number: int) -> dict[str, Any]:
    entity_type = TYPES[number % len(TYPES)]
    word = coined(number)
    name = f"Amir {word}" if entity_type == "PERSON" else f"{word} {HEAD_WORDS[entity_type]}"
    aliases = [word.upper()] if entity_type == "ORG" else []
    return {"id": f"syn-{number}", "name": name, "type": entity_type, "aliases": aliases,
            "description": f"Synthetic {entity_type} number {number} of the scaling benchmark."}


def _yaml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def write_corpus(articles: int, into: Path, entities: int | None = None) -> dict[str, Path]:
    """``articles`` distinct articles and their annotations; a registry of ``entities`` (default: grows)."""
    total = entities if entities is not None else max(100, articles // 10)
    base = ann.load_registry()
    synthetic = [synthetic_entity(n) for n in range(max(0, total - len(base)))]
    raw_dir, sources_dir = into / "raw", into / "sources"
    raw_dir.mkdir(parents=True, exist_ok=True)
    sources_dir.mkdir(exist_ok=True)
    registry_entries = [{"id": e.entity_id, "name": e.name, "type": e.type, "aliases": e.aliases,
                         "description": e.description} for e in base.values()] + synthetic
    registry_path = into / "entities.yaml"
    with registry_path.open("w", encoding="utf-8") as handle:
        handle.write("entities:\n")
        for entry in registry_entries:
            handle.write(f"  - id: {entry['id']}\n    name: {_yaml_string(entry['name'])}\n"
                         f"    type: {entry['type']}\n    aliases: {json.dumps(entry['aliases'], ensure_ascii=False)}\n"
                         f"    description: {_yaml_string(entry['description'])}\n")
    base_names = [e.name for e in base.values()]
    people: list[dict[str, Any] | None] = [e for e in synthetic if e["type"] == "PERSON"] or [None]
    for index in range(articles):
        text, annotation = synthetic_article(index, synthetic, base_names, people)
        source_id = f"syn-{index:07d}"
        raw = text.encode("utf-8")
        (raw_dir / f"{source_id}.txt").write_bytes(raw)
        (sources_dir / f"{source_id}.yaml").write_text(
            f"source_id: {source_id}\nraw_file: {source_id}.txt\nraw_sha256: {hashlib.sha256(raw).hexdigest()}\n"
            f"{annotation}", encoding="utf-8")
    return {"registry_path": registry_path, "sources_dir": sources_dir, "raw_dir": raw_dir}


def synthetic_article(index: int, synthetic: list[dict[str, Any]], base_names: list[str],
                      people: list[dict[str, Any] | None]) -> tuple[str, str]:
    """One article's raw text and the rest of its annotation file (after source_id and raw_file)."""
    rng = random.Random(index)
    names = [base_names[index % len(base_names)]]
    if synthetic:
        names += [synthetic[(index * MENTIONS_PER_ARTICLE + j) % len(synthetic)]["name"]
                  for j in range(MENTIONS_PER_ARTICLE)]
    sentences = []
    for number in range(SENTENCES_PER_ARTICLE):
        words = [rng.choice(FILLER) for _ in range(rng.randint(8, 16))]
        if number < len(names):
            words.insert(rng.randint(1, len(words)), names[number])
        sentence = " ".join(words)
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
    speaker = people[index % len(people)]
    speaker_name = speaker["name"] if speaker else "an official"
    quotes = [f"We will hold round {coined(index * 2 + j, 5).lower()} of the talks in good faith" for j in range(2)]
    counts = [1000 + index * 2 + j for j in range(2)]
    sentences.insert(4, f"“{quotes[0]},” said {speaker_name}.")
    sentences.insert(9, f"Officials said {quotes[1]}.")
    sentences.insert(14, f"At least {counts[0]:,} people fled and {counts[1]:,} people returned.")
    paragraphs = [" ".join(sentences[start:start + 4]) for start in range(0, len(sentences), 4)]
    text = f"Dispatch {coined(index, 6)} from the border\n\n" + "\n\n".join(paragraphs) + "\n"
    speaker_id = speaker["id"] if speaker else "null"
    lines = [
        "site: plain", "title: null", "publisher: null", "original_publisher: null", "authors: []",
        f"published_date: {2020 + index % 5}-{1 + index % 12:02d}-{1 + index % 28:02d}",
        "date_precision: day", "date_basis: inferred", "date_note: synthetic date", "language: en",
        "url: null", "quality_flags: []", "notes: null", "review: {status: drafted}", "quotes:",
        f"  - {{text: {_yaml_string(quotes[0])}, kind: direct, speaker: {speaker_id}, "
        f"speaker_text: {_yaml_string(speaker_name)}, speaker_role: null, cue: said, channel: null}}",
        f"  - {{text: {_yaml_string(quotes[1])}, kind: indirect, speaker: null, "
        "speaker_text: Officials, speaker_role: null, cue: said, channel: null}",
        "statistics:",
    ]
    for count, measure in zip(counts, ("people who fled", "people who returned")):
        lines.append(f"  - {{text: {_yaml_string(f'{count:,} people')}, value: {count}, value_low: {count}, "
                     f"value_high: {count}, qualifier: exact, unit: count, measure: {measure}}}")
    lines.append("mentions: {}")
    return text, "\n".join(lines) + "\n"


# --- One stage in its own process ----------------------------------------------

def run_stage(stage: str, corpus: Path, out: Path, workers: int) -> None:
    """The body of a child process: one stage on ``corpus``; prints its own CPU time as JSON."""
    corpus = corpus.resolve()  # sources.raw_path is relative to the project only for an absolute path
    inputs = {"registry_path": corpus / "entities.yaml", "sources_dir": corpus / "sources", "raw_dir": corpus / "raw"}
    quiet = contextlib.redirect_stdout(io.StringIO())
    measured: dict[str, float] = {}
    if stage == "draft":
        from scripts import draft

        paths = draft.input_paths([str(inputs["raw_dir"])], [])  # the folder, as `draft DIR` reads it
        with quiet:
            errors = draft.draft_files(paths, out / "draft", jobs=workers, report=lambda message: None,
                                       registry_path=inputs["registry_path"])
        if errors:
            raise SystemExit(f"{len(errors)} articles failed: {errors[:3]}")
    elif stage in ("build", "build-out"):
        with quiet:
            _build(out / "package", inputs, workers, link_raw=stage == "build")
    elif stage == "draft-text":
        from scripts import draft
        from scripts.normalise import load_site_profiles

        registry, profiles = ann.load_registry(inputs["registry_path"]), load_site_profiles()
        paths = draft.input_paths([str(inputs["raw_dir"])], [])
        draft.draft_article(paths[0], registry, profiles)  # the registry's look-ups are built on the first article
        start = time.process_time()
        for path in paths:
            draft.draft_article(path, registry, profiles)
        measured["drafting_cpu"] = time.process_time() - start
        measured["drafted"] = len(paths)
    elif stage == "map":
        from scripts.build import map_sources
        from scripts.tables import BuildInputs

        for batch in map_sources(BuildInputs(**inputs), workers):
            if batch.errors:
                raise SystemExit(batch.errors[0])
    elif stage == "rebuild":
        from scripts.build import write_package
        from scripts.tables import BuildInputs

        with quiet:
            write_package(out / "rebuilt", BuildInputs(**inputs, cache_dir=out / "cache"), workers)
    elif stage in ("validate", "validate-gx"):
        from scripts.validate import validate_package

        with quiet:
            validate_package(out / "package", run_gx=stage == "validate-gx", report_path=out / "validation.json",
                             workers=workers)
    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    # the stage's process (with Dask: the client and the scheduler) and the worker processes it waited for
    cpu_own, cpu_children = own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime
    print(json.dumps({"cpu": cpu_own + cpu_children, "cpu_own": cpu_own, "cpu_children": cpu_children, **measured}))


def _build(out: Path, inputs: dict[str, Path], workers: int, link_raw: bool) -> None:
    """The build with ``workers`` workers (a build without workers, older than this benchmark, runs in one process).

    ``link_raw``: the raw files hard-linked as ``python -m scripts build`` (``make data``) does in its
    staging folder; without, copied as ``build --out`` does for a package handed on (older builds always copy).
    """
    import inspect

    from scripts import build

    if hasattr(build, "write_package"):
        from scripts.tables import BuildInputs

        options: dict[str, Any] = {}
        if "link_raw" in inspect.signature(build.write_package).parameters:
            options["link_raw"] = link_raw
        if ROWS_PER_PART:
            from dataclasses import replace

            from scripts.parts import load_partitioning

            options["partitioning"] = replace(load_partitioning(), above_rows=ROWS_PER_PART,
                                              rows_per_part=ROWS_PER_PART)
        build.write_package(out, BuildInputs(**inputs), workers, **options)
    else:
        build.build_package(out, **inputs)


# --rows-per-part: the build's row thresholds (above_rows and rows_per_part alike) instead of config/package.yaml's
# (its byte thresholds are kept)
ROWS_PER_PART: int | None = None


def measure(stage: str, corpus: Path, out: Path, workers: int = 1) -> dict[str, float]:
    """Wall, CPU and peak RSS (process tree) of one stage run in a child process."""
    import psutil

    command = [sys.executable, "-m", "benchmarks.bench_scale", "stage", stage, str(corpus), str(out),
               "--workers", str(workers), *(["--rows-per-part", str(ROWS_PER_PART)] if ROWS_PER_PART else [])]
    if stage == "draft":
        shutil.rmtree(out / "draft", ignore_errors=True)  # else the draft resumes the last run's and skips all
    if stage in ("build", "build-out"):
        # every build starts from an empty folder: writing over the last run's package (100k raw copies and
        # the tables unlinked first) cost a later run tens of seconds an earlier one did not pay
        shutil.rmtree(out / "package", ignore_errors=True)
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        process = psutil.Process(child.pid)
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                tree = [process, *process.children(recursive=True)]
                total = 0
                for member in tree:
                    with contextlib.suppress(psutil.Error):
                        total += member.memory_info().rss
                peak = max(peak, total)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = child.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"stage {stage} failed:\n{stderr[-3000:]}")
    reported = json.loads(stdout.strip().splitlines()[-1])
    return {**reported, "wall": wall, "rss": peak / 2**20}


def _row(label: str, articles: int, result: dict[str, float]) -> str:
    return (f"| {label} | {articles:,} | {result['wall']:.1f} s | {result['cpu']:.1f} s | {result['rss']:.0f} MiB | "
            f"{result['wall'] / articles * 1000:.2f} ms | {result['cpu'] / articles * 1000:.2f} ms |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--stages", nargs="*", choices=STAGES, default=["draft", "build", "rebuild", "validate"])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2],
                        help="worker counts compared on the speed-up corpus (the first size past 1,000)")
    parser.add_argument("--registry-sizes", type=int, nargs="*", default=[100, 10_000],
                        help="registry sizes compared on the build of --registry-articles articles")
    parser.add_argument("--registry-articles", type=int, default=10_000)
    parser.add_argument("--registry-stages", nargs="*", default=["build", "map", "draft-text"], choices=STAGES,
                        help="stages compared across --registry-sizes")
    parser.add_argument("--speedup-stages", nargs="*", default=["map", "build", "draft"], choices=STAGES)
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs of each worker count in the speed-up table (medians are printed)")
    parser.add_argument("--draft-up-to", type=int, default=SMALL_STAGES_UP_TO,
                        help="draft and rebuild only corpora up to this size")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the corpora and outputs here (a folder inside the project)")
    parser.add_argument("--rows-per-part", type=int, default=None, metavar="N",
                        help="build: write a table of more than N rows as parts of about N rows "
                             "(default: the partitions of config/package.yaml)")
    args = parser.parse_args(argv)
    global ROWS_PER_PART
    ROWS_PER_PART = args.rows_per_part

    # inside the project, so that sources.raw_path names the raw files and validation finds them
    (ROOT / "build").mkdir(exist_ok=True)
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-scale-", dir=ROOT / "build"))
    try:
        print("| stage | articles | wall | CPU | peak RSS | wall per article | CPU per article |")
        print("|---|---|---|---|---|---|---|", flush=True)
        for size in args.sizes:
            corpus, out = work / f"corpus-{size}", work / f"out-{size}"
            if not (corpus / "entities.yaml").is_file():
                start = time.perf_counter()
                write_corpus(size, corpus)
                print(f"<!-- generated {size:,} articles in {time.perf_counter() - start:.0f} s -->", flush=True)
            shutil.rmtree(out / "cache", ignore_errors=True)
            for stage in args.stages:
                if stage in ("draft", "rebuild") and size > args.draft_up_to:
                    continue
                if stage == "rebuild":
                    print(_row("build, cold cache", size, measure(stage, corpus, out)), flush=True)
                    print(_row("build, warm cache", size, measure(stage, corpus, out)), flush=True)
                else:
                    print(_row(stage, size, measure(stage, corpus, out)), flush=True)
            if size > 10_000 and args.keep is None:
                shutil.rmtree(corpus)
                shutil.rmtree(out, ignore_errors=True)
        if args.registry_sizes:
            articles = args.registry_articles
            print("\n| registry entities | articles | stage | wall | CPU | peak RSS | CPU per article |")
            print("|---|---|---|---|---|---|---|", flush=True)
            first_cost: dict[str, float] = {}
            for entities in args.registry_sizes:
                corpus, out = work / f"registry-{entities}", work / f"registry-out-{entities}"
                if not (corpus / "entities.yaml").is_file():
                    write_corpus(articles, corpus, entities=entities)
                for stage in args.registry_stages:
                    result = measure(stage, corpus, out)
                    # draft-text: the drafting loop's own CPU, not the loading of the registry and the imports
                    cost = result.get("drafting_cpu", result["cpu"]) / articles * 1000
                    ratio = f" ({cost / first_cost[stage]:.2f}×)" if stage in first_cost else ""
                    first_cost.setdefault(stage, cost)
                    print(f"| {entities:,} | {articles:,} | {stage} | {result['wall']:.1f} s | {result['cpu']:.1f} s | "
                          f"{result['rss']:.0f} MiB | {cost:.2f} ms{ratio} |", flush=True)
        speedup_size = next((s for s in args.sizes if s > 1_000), None)
        if speedup_size and len(args.workers) > 1:
            print(f"\n| stage | articles | workers | wall (median of {args.repeats}) | CPU (median) "
                  "| CPU of the stage's process + of its workers (medians) | peak RSS (max) "
                  "| speed-up | load average (1 min) before the stage | wall of each run, in order |")
            print("|---|---|---|---|---|---|---|---|---|---|", flush=True)
            corpus, out = work / f"speedup-{speedup_size}", work / f"speedup-out-{speedup_size}"
            if not (corpus / "entities.yaml").is_file():
                write_corpus(speedup_size, corpus)
            for stage in args.speedup_stages:
                counts = [workers for workers in args.workers
                          if not (stage in ("draft", "rebuild") and speedup_size > args.draft_up_to)]
                load = os.getloadavg()[0]
                # the worker counts take turns, repeat after repeat: a drift of the machine (other load, the
                # file system's state after the last run's files were removed) falls on every count alike
                runs: dict[int, list[dict[str, float]]] = {workers: [] for workers in counts}
                for _ in range(args.repeats):
                    for workers in counts:
                        runs[workers].append(measure(stage, corpus, out, workers))
                first = None
                for workers in counts:
                    wall, cpu, cpu_own, cpu_children = (statistics.median(run[key] for run in runs[workers])
                                                        for key in ("wall", "cpu", "cpu_own", "cpu_children"))
                    first = first or wall
                    print(f"| {stage} | {speedup_size:,} | {workers} | {wall:.1f} s | {cpu:.1f} s | "
                          f"{cpu_own:.1f} s + {cpu_children:.1f} s | "
                          f"{max(run['rss'] for run in runs[workers]):.0f} MiB | {first / wall:.2f}× | {load:.2f} | "
                          f"{', '.join(format(run['wall'], '.1f') for run in runs[workers])} s |", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "stage":
        stage_parser = argparse.ArgumentParser()
        stage_parser.add_argument("stage", choices=STAGES)
        stage_parser.add_argument("corpus", type=Path)
        stage_parser.add_argument("out", type=Path)
        stage_parser.add_argument("--workers", type=int, default=1)
        stage_parser.add_argument("--rows-per-part", type=int, default=None)
        stage_args = stage_parser.parse_args(sys.argv[2:])
        ROWS_PER_PART = stage_args.rows_per_part
        run_stage(stage_args.stage, stage_args.corpus, stage_args.out, stage_args.workers)
    elif len(sys.argv) > 1 and sys.argv[1] == "generate":
        write_corpus(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        main()
