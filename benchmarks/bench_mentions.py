"""Cost per mention as one article grows (``make bench-mentions``): the build must be linear in mentions.

Takes nothing from the project but its site profiles and schemas; writes, in a
temporary folder, one synthetic article per size (plain text of filler
sentences, an entity name every few words, a curly apostrophe in every
sentence so the text is not ASCII, about 1 mention per 45 characters, and an
``exclude`` curation entry for every tenth "Kabul") with a registry of seven
entities, builds each into a package on its own
(:func:`scripts.build.build_package`: resolving the mentions, the tables) and
runs the schema and cross-table checks of :mod:`scripts.validate` on it. Prints
per size the raw bytes, the mentions, the wall time of each stage and its
microseconds per mention: flat from small to large articles when the stage is
linear, growing with the size when it is quadratic (before the fix, one
full-text search per mention and a DuckDB substring walk per span: 1 MiB of
article took 95 s to build and 28 s to check; figures in docs/scaling.md).
Nothing here is a test: the numbers are for the record.

``python -m benchmarks.bench_mentions [--sizes 16 64 256 1024] [--stages build validate]``
(sizes in KiB of raw text).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pyarrow.parquet as pq
import yaml

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from scripts.build import build_package  # noqa: E402
from scripts.validate import check_tables  # noqa: E402

ENTITIES: list[dict[str, Any]] = [
    {"id": "pakistan", "name": "Pakistan", "type": "GPE", "aliases": ["Islamabad"]},
    {"id": "afghanistan", "name": "Afghanistan", "type": "GPE", "aliases": ["Kabul"]},
    {"id": "ttp", "name": "Tehreek-e-Taliban Pakistan", "type": "ORG", "aliases": ["TTP"]},
    {"id": "foreign-office", "name": "Foreign Office", "type": "ORG", "aliases": []},
    {"id": "khyber-pass", "name": "Khyber Pass", "type": "LOC", "aliases": []},
    {"id": "torkham", "name": "Torkham", "type": "FAC", "aliases": []},
    {"id": "zabihullah-mujahid", "name": "Zabihullah Mujahid", "type": "PERSON", "aliases": []},
]
FILLER = ("officials border security talks said on monday that forces were moving along a road near the "
          "district where residents reported clashes after weeks of tension between both sides while "
          "envoys met again to discuss trade refugees and water").split()
STAGES = ("build", "validate")
EXCLUDE_EVERY = 10  # one 'exclude' curation entry per this many mentions of Kabul


def article_text(size: int, seed: int = 0) -> str:
    """About ``size`` bytes of sentences, each naming one or two entities and holding a curly apostrophe."""
    rng = random.Random(seed)
    names = [name for e in ENTITIES for name in [e["name"], *e["aliases"]]]
    sentences, length = [], 0
    while length < size:
        words = [rng.choice(FILLER) for _ in range(rng.randint(6, 10))]
        words.insert(rng.randint(1, len(words)), rng.choice(names))
        words.insert(rng.randint(1, len(words)), f"the region’s {rng.choice(names)}")
        sentence = " ".join(words)
        sentence = sentence[0].upper() + sentence[1:] + "."
        sentences.append(sentence)
        length += len(sentence.encode("utf-8")) + 1
    paragraphs = [" ".join(sentences[i:i + 5]) for i in range(0, len(sentences), 5)]
    return "\n\n".join(paragraphs) + "\n"


def write_article(size: int, into: Path) -> dict[str, Path]:
    """One article of about ``size`` bytes and its annotation file (no quotes or statistics; mentions matched)."""
    inputs = {"registry_path": into / "entities.yaml", "sources_dir": into / "sources", "raw_dir": into / "raw"}
    inputs["sources_dir"].mkdir(parents=True)
    inputs["raw_dir"].mkdir()
    registry = [{**e, "description": f"{e['name']}, for the benchmark."} for e in ENTITIES]
    inputs["registry_path"].write_text(yaml.safe_dump({"entities": registry}, sort_keys=False), encoding="utf-8")
    text = article_text(size)
    (inputs["raw_dir"] / "long.txt").write_text(text, encoding="utf-8")
    annotation: dict[str, object] = {
        "source_id": "long-article", "raw_file": "long.txt", "site": "plain", "title": None, "publisher": None,
        "original_publisher": None, "authors": [], "published_date": None, "date_precision": None,
        "date_basis": "unknown", "date_note": None, "language": "en", "url": None, "quality_flags": [],
        "notes": None, "review": {"status": "drafted"}, "quotes": [], "statistics": [],
        # curation that grows with the article: every tenth mention of Kabul is not the state
        "mentions": {"exclude": [{"text": "Kabul", "occurrence": number}
                                 for number in range(1, text.count("Kabul") + 1, EXCLUDE_EVERY)]},
    }
    (inputs["sources_dir"] / "long-article.yaml").write_text(yaml.safe_dump(annotation, sort_keys=False),
                                                             encoding="utf-8")
    return inputs


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the build reports its row counts
        run()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[16, 64, 256, 1024], metavar="KIB")
    parser.add_argument("--stages", nargs="+", choices=STAGES, default=list(STAGES))
    args = parser.parse_args(argv)
    print("| raw size | mentions | stage | wall | µs per mention |\n|---|---|---|---|---|", flush=True)
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="bench-mentions-") as scratch:
            inputs = write_article(size * 1024, Path(scratch) / "corpus")
            out = Path(scratch) / "package"
            build_seconds = timed(lambda: build_package(out, **inputs))
            mentions = pq.read_metadata(out / "data" / "mentions.parquet").num_rows
            seconds = {"build": build_seconds}
            if "validate" in args.stages:
                seconds["validate"] = timed(lambda: check_tables(out))
            for stage in args.stages:
                print(f"| {size} KiB | {mentions:,} | {stage} | {seconds[stage]:.2f} s | "
                      f"{seconds[stage] / mentions * 1e6:.0f} |", flush=True)


if __name__ == "__main__":
    main()
