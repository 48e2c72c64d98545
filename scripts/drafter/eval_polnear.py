"""Scoring of drafted quotes: against curated rows (guidelines section 5) and on PolNeAR.

- ``score_quotes(drafted, curated)`` takes two lists of quote dicts of one
  source (keys ``text`` and ``speaker``; drafter rows as returned by
  :func:`scripts.drafter.quotes.extract_quotes`) and returns counts,
  precision, recall, F1 and the speaker accuracy over matched pairs.
- ``evaluate_polnear(root)`` takes the PolNeAR test split folder (``text/``
  and ``attributions/``, see its README) and returns the direct-quote
  precision, recall, F1, speaker accuracy and the number of articles lost for
  the drafter and, when spaCy and textacy are installed (benchmark
  environment only), for textacy's ``direct_quotations`` on the same articles.

- ``evaluate_curated(scope)`` scores the extractor on the curated articles
  with all curated mentions, a leave-one-out registry, or no entity spans.

Run ``python -m scripts.drafter.eval_polnear [ROOT]`` to print the PolNeAR table,
``python -m scripts.drafter.eval_polnear --curated leave-one-out`` for the curated one.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from scripts.drafter.quotes import extract_quotes

DEFAULT_POLNEAR = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "polnear"
_QUOTE_MARKS = "“”\"‘’'«»„"
_OPENING_MARKS = "“\"‘'«„"
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "him", "her", "them", "who"})
_NAME_STOPWORDS = frozenset({"the", "a", "an", "of", "for", "and", "mr", "ms", "mrs", "dr", "s"})


# --- section 5: token overlap ---------------------------------------------------

def quote_tokens(text: str) -> list[str]:
    """Tokens of a quote after stripping quotation marks, punctuation at the ends and case."""
    stripped = text.strip().strip(_QUOTE_MARKS + " .,;:!?-–—()").lower()
    return re.findall(r"\w+(?:['’]\w+)?", stripped)


def token_overlap_matches(drafted: list[str], curated: list[str]) -> bool:
    """True when the shared tokens reach half of the longer quote's tokens (multiset overlap)."""
    if not drafted or not curated:
        return False
    remaining: dict[str, int] = {}
    for token in curated:
        remaining[token] = remaining.get(token, 0) + 1
    shared = 0
    for token in drafted:
        if remaining.get(token, 0) > 0:
            remaining[token] -= 1
            shared += 1
    return shared >= max(len(drafted), len(curated)) / 2


Drafted = TypeVar("Drafted")
Curated = TypeVar("Curated")


def _greedy_pairs(drafted: list[Drafted], curated: list[Curated],
                  score: Callable[[Drafted, Curated], float]) -> list[tuple[int, int]]:
    """One-to-one pairs, best score first; a score of 0 never pairs."""
    scored = sorted(((score(d, c), i, j) for i, d in enumerate(drafted) for j, c in enumerate(curated)),
                    key=lambda item: (-item[0], item[1], item[2]))
    used_d: set[int] = set()
    used_c: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for value, i, j in scored:
        if value <= 0 or i in used_d or j in used_c:
            continue
        used_d.add(i)
        used_c.add(j)
        pairs.append((i, j))
    return pairs


def _prf(matched: int, drafted: int, curated: int) -> dict:
    precision = matched / drafted if drafted else 0.0
    recall = matched / curated if curated else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"matched": matched, "drafted": drafted, "curated": curated,
            "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def score_quotes(drafted: list[dict], curated: list[dict]) -> dict:
    """Guidelines section 5 for the quotes of one source: P/R/F1 and speaker accuracy over matched pairs.

    Returns matched/drafted/curated counts, precision, recall, f1, speaker_correct, speaker_accuracy,
    <attribute>_correct for kind, speaker_text, speaker_role, cue and channel where the curated rows
    carry them, and the pairs (drafted index, curated index) so callers can report misses and false hits."""
    drafted_tokens = [quote_tokens(q["text"]) for q in drafted]
    curated_tokens = [quote_tokens(q["text"]) for q in curated]

    def score(i: int, j: int) -> float:
        d, c = drafted_tokens[i], curated_tokens[j]
        if not token_overlap_matches(d, c):
            return 0.0
        return len(set(d) & set(c)) / max(len(set(d) | set(c)), 1)

    pairs = _greedy_pairs(list(range(len(drafted))), list(range(len(curated))), score)
    speaker_correct = sum(1 for i, j in pairs if drafted[i].get("speaker") == curated[j].get("speaker"))
    result = _prf(len(pairs), len(drafted), len(curated))
    result["speaker_correct"] = speaker_correct
    result["speaker_accuracy"] = round(speaker_correct / len(pairs), 4) if pairs else 0.0
    for attribute in ATTRIBUTES:
        if all(attribute in curated[j] for _, j in pairs):
            correct = sum(1 for i, j in pairs if _same(drafted[i].get(attribute), curated[j].get(attribute)))
            result[f"{attribute}_correct"] = correct
    result["pairs"] = pairs
    return result


ATTRIBUTES = ("kind", "speaker_text", "speaker_role", "cue", "channel")


def _same(drafted: object, curated: object) -> bool:
    """Attribute agreement: equal after trimming and case folding; empty equals empty."""
    def norm(value: object) -> str:
        return "" if value is None else str(value).strip().casefold()
    return norm(drafted) == norm(curated)


def combine_scores(scores: Iterable[dict]) -> dict:
    """Micro-average of several score_quotes results (with <attribute>_accuracy over matched pairs)."""
    scores = list(scores)
    matched = sum(s["matched"] for s in scores)
    result = _prf(matched, sum(s["drafted"] for s in scores), sum(s["curated"] for s in scores))
    correct = sum(s["speaker_correct"] for s in scores)
    result["speaker_correct"] = correct
    result["speaker_accuracy"] = round(correct / matched, 4) if matched else 0.0
    for attribute in ATTRIBUTES:
        key = f"{attribute}_correct"
        if scores and all(key in s for s in scores):
            result[f"{attribute}_accuracy"] = round(sum(s[key] for s in scores) / matched, 4) if matched else 0.0
    return result


# --- the curated articles -------------------------------------------------------------

def evaluate_curated(registry_scope: str = "curated") -> dict:
    """Quote scores of the extractor on the curated articles (section 5), micro-averaged.

    registry_scope chooses the entity spans handed to the extractor: "curated" (every curated mention),
    "leave-one-out" (only mentions of entities that also occur in another article, as a new article
    would find them in the registry) or "none". Returns combine_scores' dict plus "per_source"."""
    from scripts import annotations as ann
    from scripts.normalise import load_site_profiles
    from scripts.sources import build_source

    registry = ann.load_registry()
    profiles = load_site_profiles()
    prepared = []
    for source in ann.load_source_annotations():
        text = build_source(source, profiles).text
        mentions = [m for m in ann.resolve_mentions(source, text, registry) if m["entity_id"]]
        curated = [{"text": q["text"], "kind": q["kind"], "speaker": q["speaker_entity_id"],
                    "speaker_text": q["speaker_text"], "speaker_role": q["speaker_role"], "cue": q["cue"],
                    "channel": q["channel_entity_id"]} for q in ann.resolve_quotes(source, text, registry)]
        prepared.append((source.source_id, text, mentions, curated))
    per_source = {}
    for source_id, text, mentions, curated in prepared:
        if registry_scope == "none":
            kept = []
        elif registry_scope == "leave-one-out":
            elsewhere = {m["entity_id"] for other, _, others, _ in prepared if other != source_id for m in others}
            kept = [m for m in mentions if m["entity_id"] in elsewhere]
        else:
            kept = mentions
        spans = [(m["start"], m["end"], m["entity_id"], registry[m["entity_id"]].type) for m in kept]
        per_source[source_id] = score_quotes(extract_quotes(text, spans), curated)
    result = combine_scores(per_source.values())
    result["per_source"] = {k: {key: v for key, v in score.items() if key != "pairs"} for k, score in per_source.items()}
    return result


# --- PolNeAR ---------------------------------------------------------------------

def load_polnear(root: Path) -> list[dict]:
    """Articles of the PolNeAR split: name, text, and gold quotes (start, end, source text).

    One .ann per article (the first in name order); gold quotes are Content fragments that
    begin with a quotation mark."""
    text_dir, ann_dir = root / "text", root / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"{root}: expected text/ and attributions/ folders (PolNeAR test split)")
    articles = []
    for text_path in sorted(text_dir.glob("*.txt")):
        annotations = sorted(ann_dir.glob(f"{text_path.stem}_*.ann"))
        if not annotations:
            continue
        text = text_path.read_text(encoding="utf-8")
        articles.append({"name": text_path.stem, "text": text,
                         "gold": _gold_quotes(annotations[0].read_text(encoding="utf-8"), text)})
    return articles


def _gold_quotes(ann: str, text: str) -> list[dict]:
    spans: dict[str, tuple[str, list[tuple[int, int]], str]] = {}
    relations: list[dict[str, str]] = []
    for line in ann.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, offsets = parts[1].partition(" ")
            fragments = []
            for fragment in offsets.split(";"):
                start_text, end_text = fragment.split()
                fragments.append((int(start_text), int(end_text)))
            spans[parts[0]] = (label, fragments, parts[2] if len(parts) > 2 else "")
        elif line.startswith("E") and len(parts) >= 2:
            relations.append(dict(item.split(":", 1) for item in parts[1].split() if ":" in item))
    source_of: dict[str, str] = {}
    for relation in relations:
        content, source = relation.get("Content"), relation.get("Source")
        if content and source and source in spans:
            source_text = " ".join(text[a:b] for a, b in spans[source][1])
            source_of.setdefault(content, source_text)
    gold = []
    for key, (label, fragments, _) in spans.items():
        if label != "Content":
            continue
        for start, end in fragments:
            if start < end and text[start] in _OPENING_MARKS:
                gold.append({"start": start, "end": end, "source": source_of.get(key)})
    unique = {(g["start"], g["end"]): g for g in gold}
    return sorted(unique.values(), key=lambda g: g["start"])


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    strip = _QUOTE_MARKS + " \t\n.,;:!?-–—"
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def _span_overlap(text: str, a: tuple[int, int], b: tuple[int, int]) -> float:
    a, b = _core(text, *a), _core(text, *b)
    shared = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return shared / longer if shared > 0 and longer else 0.0


def speaker_agrees(predicted: str | None, gold: str | None) -> bool:
    """Speaker strings agree when either is a pronoun or they share a name word (case ignored)."""
    if not predicted or not gold:
        return False
    predicted_words = set(re.findall(r"\w+", predicted.lower()))
    gold_words = set(re.findall(r"\w+", gold.lower()))
    if predicted.strip().lower() in _PRONOUNS or gold.strip().lower() in _PRONOUNS:
        return True
    return bool((predicted_words & gold_words) - _NAME_STOPWORDS)


def _speaker_strings(predicted: list[dict]) -> list[str | None]:
    """Speaker as written per quote; a continuation (no attribution of its own, so an empty speaker_text
    by guidelines section 6) takes the speaker of the quote before it, as the drafter resolved it."""
    strings: list[str | None] = []
    previous: str | None = None
    for quote in sorted(predicted, key=lambda q: q["start"]):
        current = quote.get("speaker_text")
        if current is None and quote.get("cue") is None:
            current = previous
        strings.append(current)
        previous = current or previous
    order = sorted(range(len(predicted)), key=lambda i: predicted[i]["start"])
    by_index: list[str | None] = [None] * len(predicted)
    for rank, index in enumerate(order):
        by_index[index] = strings[rank]
    return by_index


def score_spans(articles: list[dict], predictions: list[list[dict] | None]) -> dict:
    """Direct-quote P/R/F1 at >= 50% character overlap, speaker agreement, articles lost.

    predictions holds every quote a system returned per article (None when it raised); only
    rows of kind "direct" are scored. An article is lost when the system raised or returned no
    quote at all although the gold has quotes; articles_without_direct counts those where it
    returned quotes but no direct one."""
    matched = drafted = gold_count = agreed = lost = without_direct = 0
    for article, returned in zip(articles, predictions):
        gold = article["gold"]
        gold_count += len(gold)
        if returned is None or (not returned and gold):
            lost += 1
        predicted = [q for q in returned or [] if q["kind"] == "direct"]
        if returned and gold and not predicted:
            without_direct += 1
        drafted += len(predicted)
        text = article["text"]

        def score(p: dict, g: dict) -> float:
            value = _span_overlap(text, (p["start"], p["end"]), (g["start"], g["end"]))
            return value if value >= 0.5 else 0.0

        pairs = _greedy_pairs(predicted, gold, score)
        matched += len(pairs)
        speakers = _speaker_strings(predicted)
        agreed += sum(1 for i, j in pairs if speaker_agrees(speakers[i], gold[j]["source"]))
    result = _prf(matched, drafted, gold_count)
    result.update({"speaker_agreed": agreed, "speaker_accuracy": round(agreed / matched, 4) if matched else 0.0,
                   "articles": len(articles), "articles_lost": lost, "articles_without_direct": without_direct})
    return result


def run_drafter(texts: list[str]) -> list[list[dict] | None]:
    """The drafter's quotes per text (no entity spans: PolNeAR has none); None when extraction raised.

    Only its "direct" rows (whole clauses in quotation marks) are scored against PolNeAR's
    quote-initial Content spans."""
    results: list[list[dict] | None] = []
    for text in texts:
        try:
            results.append(extract_quotes(text))
        except Exception:  # noqa: BLE001 - a lost article is what this measures
            results.append(None)
    return results


def evaluate_polnear(root: Path, peers: bool = True) -> dict:
    """Direct-quote scores on PolNeAR for the drafter and, when installed, textacy on the same articles.

    Returns {"drafter": {...}, "textacy": {...} or {"error": ...}} where each score dict has matched,
    drafted, curated (= gold), precision, recall, f1, speaker_agreed, speaker_accuracy, articles,
    articles_lost."""
    articles = load_polnear(Path(root))
    texts = [a["text"] for a in articles]
    result = {"drafter": score_spans(articles, run_drafter(texts))}
    if peers:
        try:
            from benchmarks.peers_quotes import textacy_direct_quotations
            result["textacy"] = score_spans(articles, textacy_direct_quotations(texts))
        except ImportError as exc:
            result["textacy"] = {"error": f"textacy/spaCy not installed in this environment ({exc.name})"}
    return result


def format_polnear(result: dict) -> str:
    """A Markdown table of evaluate_polnear's result."""
    lines = ["| system | precision | recall | F1 | speaker accuracy | articles lost |", "|---|---|---|---|---|---|"]
    for system, score in result.items():
        if "error" in score:
            lines.append(f"| {system} | {score['error']} | | | | |")
            continue
        lines.append(f"| {system} | {score['precision']:.3f} | {score['recall']:.3f} | {score['f1']:.3f} | "
                     f"{score['speaker_accuracy']:.3f} ({score['speaker_agreed']}/{score['matched']}) | "
                     f"{score['articles_lost']} of {score['articles']} "
                     f"({score['articles_without_direct']} more without a direct quote) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Quote scores on the PolNeAR test split or the curated articles.")
    parser.add_argument("root", nargs="?", type=Path, default=DEFAULT_POLNEAR, help="PolNeAR split folder")
    parser.add_argument("--no-peers", action="store_true", help="skip textacy")
    parser.add_argument("--curated", choices=("curated", "leave-one-out", "none"),
                        help="score the curated articles instead, with these entity spans")
    args = parser.parse_args(argv)
    if args.curated:
        result = evaluate_curated(args.curated)
        print("| scope | P | R | F1 | speaker | " + " | ".join(ATTRIBUTES) + " |")
        print("|---" * (5 + len(ATTRIBUTES)) + "|")
        print(f"| {args.curated} | {result['precision']:.3f} | {result['recall']:.3f} | {result['f1']:.3f} | "
              f"{result['speaker_accuracy']:.3f} | "
              + " | ".join(f"{result.get(f'{a}_accuracy', 0.0):.3f}" for a in ATTRIBUTES) + " |")
        return 0
    print(format_polnear(evaluate_polnear(args.root, peers=not args.no_peers)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
