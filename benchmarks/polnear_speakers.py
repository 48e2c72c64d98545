"""Read the drafter's speaker disagreements on PolNeAR, grouped by a likely cause.

``python -m benchmarks.polnear_speakers [--show CAUSE] [--limit N]`` drafts the PolNeAR test split as
``python -m scripts evaluate --benchmark polnear`` does, takes every speaker pair that disagrees under the
issue's rule (:func:`scripts.evaluate.speaker_agrees`) and sorts it into one cause by simple tests on the
drafted row and the gold Source (the causes are a reading aid for choosing what to fix, not a score):

- ``no gold Source``: PolNeAR gives the attribution no Source (no drafted speaker can agree);
- ``continuation, gold pronoun``: a row with no speaker as written of its own (the guidelines leave a
  continuation's empty) inside a Content whose Source is a pronoun (agreement needs the same pronoun);
- ``gold relative pronoun``: the Source is "who"/"which"/"that", the drafted row names its antecedent;
- ``no speaker``: the drafted row has neither a speaker as written nor an entity;
- ``continuation``: no speaker as written of its own, credited by carrying an earlier attribution on;
- ``pronoun, gold name``: the drafted speaker is a pronoun, the gold Source a name or description;
- ``name, gold pronoun``: the drafted speaker is a name, the gold Source a pronoun (PolNeAR annotates the
  pronoun; agreement needs the same pronoun);
- ``description unresolved``: "the ministry", "the report", "officials", ... with no entity;
- ``other phrase``: a different phrase than the gold Source (a wrong subject, a modifier, the relayer).

Prints counts per cause and, for each shown cause, examples with the sentence around the quote.
``--save FILE`` writes every pair's agreement (JSON); ``--compare FILE`` prints the pairs whose agreement
changed since a saved run (to see what a change to the drafter gained and lost).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from typing import Any

from scripts.evaluate import BENCHMARKS_DIR, draft_polnear, load_polnear, score_polnear, speaker_words

_PRONOUNS = frozenset({"he", "she", "they", "it", "i", "we", "you", "who", "which", "that"})


def _is_pronoun(phrase: str | None) -> bool:
    return bool(phrase) and phrase is not None and phrase.strip().lower() in _PRONOUNS


def cause_of(drafted: dict[str, Any], gold: dict[str, Any]) -> str:
    """One likely cause of a disagreement (see the module docstring)."""
    written = drafted.get("speaker_text")
    source = gold.get("source") or ""
    if not speaker_words(source):
        return "no gold Source"
    if not written and _is_pronoun(source):
        return "continuation, gold pronoun"
    if source.strip().lower() in {"who", "which", "that"}:
        return "gold relative pronoun"
    if not written and not drafted.get("speaker"):
        return "no speaker"
    if not written:
        return "continuation"
    if _is_pronoun(written) and not _is_pronoun(source):
        return "pronoun, gold name"
    if not _is_pronoun(written) and _is_pronoun(source):
        return "name, gold pronoun"
    if not drafted.get("speaker") and re.match(r"(?:the|a|an|its|their)\s", written.lower()):
        return "description unresolved"
    return "other phrase"


def _context(text: str, start: int, end: int, width: int = 160) -> str:
    left = max(0, start - width)
    return " ".join(text[left:min(len(text), end + 60)].split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="append", default=[], help="a cause whose examples to print (repeatable)")
    parser.add_argument("--limit", type=int, default=15, help="examples per shown cause")
    parser.add_argument("--save", help="write every pair's agreement to this JSON file")
    parser.add_argument("--compare", help="print the pairs whose agreement changed since this saved file")
    args = parser.parse_args()
    articles = load_polnear(BENCHMARKS_DIR / "polnear")
    texts = {a["name"]: a["text"] for a in articles}
    scores = score_polnear(articles, draft_polnear([a["text"] for a in articles]))
    by_cause: dict[str, list[tuple[str, dict[str, Any], dict[str, Any]]]] = defaultdict(list)
    for name, drafted, gold, agreed in scores["speaker_pairs"]:
        if not agreed:
            by_cause[cause_of(drafted, gold)].append((name, drafted, gold))
    total = len(scores["speaker_pairs"])
    agreement = {f"{name}:{gold['start']}:{drafted['start']}": [agreed, drafted.get("speaker_text"),
                                                                drafted.get("speaker"), gold.get("source")]
                 for name, drafted, gold, agreed in scores["speaker_pairs"]}
    if args.save:
        with open(args.save, "w", encoding="utf-8") as handle:
            json.dump(agreement, handle, indent=0, sort_keys=True)
    if args.compare:
        with open(args.compare, encoding="utf-8") as handle:
            before = json.load(handle)
        for key in sorted(set(before) | set(agreement)):
            old, new = before.get(key), agreement.get(key)
            if (old or [None])[0] != (new or [None])[0]:
                print(f"{key}: {old} -> {new}")
    print(f"speaker agreement {scores['speaker_agreement']:.3f} over {total} pairs; disagreements by cause:")
    for cause, items in Counter({c: len(v) for c, v in by_cause.items()}).most_common():
        print(f"  {items:4d}  {cause}")
    for cause in args.show:
        print(f"\n## {cause}")
        for name, drafted, gold in by_cause.get(cause, [])[:args.limit]:
            print(f"- {name}: gold {gold.get('source')!r} | drafted {drafted.get('speaker_text')!r} "
                  f"-> {drafted.get('speaker')} {drafted.get('speaker_names')} (continues "
                  f"{drafted.get('continues_text')!r}) cue {drafted.get('cue')!r} [{drafted['kind']}]")
            print(f"    gold words {sorted(speaker_words(gold.get('source')))}")
            print(f"    … {_context(texts[name], drafted['start'], drafted['end'])}")


if __name__ == "__main__":
    main()
