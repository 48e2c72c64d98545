"""Measure the drafter: ``python -m scripts evaluate [--benchmark newsquant|polnear] [--per-article] [--examples N]``.

All of the drafter's evaluation lives here: one P/R/F1 (:func:`prf`), the
section 5 scorers of the guidelines for quotes, statistics and mentions, one
leave-one-out on the curated articles, and the PolNeAR scoring.

Default: leave-one-out. Takes the curated annotations resolved by the build
(``scripts.tables.build_rows``), drafts each article with a registry that
holds only the entities that have mentions in the *other* curated articles
(so the figure estimates what a new article gets), and prints precision,
recall, F1 and attribute accuracies per table, per kind and
(``--per-article``) per article, with examples of misses and false hits.

``--benchmark newsquant`` scores the statistics drafter on NewsQuant beside
the published scores (:mod:`scripts.drafter.eval_newsquant` reads the file),
with the value figure also for shares in words compared as written (33.3 for
"a third", which the default compares as the benchmark's fraction 0.333);
``--benchmark polnear`` scores quotes on PolNeAR as described at
:func:`score_polnear`. The files are in ``../shared/benchmarks/``. Peers
(textacy, quantulum3, spaCy) are run by ``benchmarks/``, which import the
scorers from here; nothing in ``scripts/`` imports ``benchmarks/``.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from scripts import annotations as ann
from scripts.errors import BuildError
from scripts.schema import load_schema

BENCHMARKS_DIR = ann.ROOT.parent / "shared" / "benchmarks"
TABLE_ORDER = ("quotes", "statistics", "mentions")


# --- Scoring by guidelines section 5: one P/R/F1 for every table and benchmark --------

def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def prf(matched: int, drafted: int, curated: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0.0 where a denominator is 0)."""
    precision, recall = _ratio(matched, drafted), _ratio(matched, curated)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


_QUOTE_MARKS = "“”\"‘’'«»„"


def quote_tokens(text: str) -> list[str]:
    """Tokens of a quote after stripping quotation marks, punctuation at the ends and case."""
    stripped = text.strip().strip(_QUOTE_MARKS + " .,;:!?-–—()").lower()
    return re.findall(r"\w+(?:['’]\w+)?", stripped)


def token_overlap_matches(drafted: list[str], curated: list[str]) -> bool:
    """True when the shared tokens reach half of the longer quote's tokens (multiset overlap)."""
    if not drafted or not curated:
        return False
    shared = sum((Counter(drafted) & Counter(curated)).values())
    return shared >= max(len(drafted), len(curated)) / 2


Item = TypeVar("Item")
Gold = TypeVar("Gold")


def greedy_pairs(drafted: list[Item], curated: list[Gold], score: Callable[[Item, Gold], float]) -> list[tuple[int, int]]:
    """One-to-one pairs (drafted index, curated index), best score first; a score of 0 never pairs."""
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


QUOTE_ATTRIBUTES = ("kind", "speaker_text", "speaker_role", "cue", "channel")


def _same_text(drafted: object, curated: object) -> bool:
    """Attribute agreement: equal after trimming and case folding; empty equals empty."""
    def norm(value: object) -> str:
        return "" if value is None else str(value).strip().casefold()
    return norm(drafted) == norm(curated)


def score_quotes(drafted: list[dict[str, Any]], curated: list[dict[str, Any]]) -> dict[str, Any]:
    """Section 5 for the quotes of one source: a drafted and a curated quote match when their tokens
    overlap by half of the longer; pairs are one to one, best overlap first.

    Returns matched/drafted/curated, precision, recall, f1, speaker_correct, speaker_accuracy,
    <attribute>_correct for the QUOTE_ATTRIBUTES the curated rows carry, and the pairs."""
    drafted_tokens = [quote_tokens(q["text"]) for q in drafted]
    curated_tokens = [quote_tokens(q["text"]) for q in curated]

    def score(i: int, j: int) -> float:
        d, c = drafted_tokens[i], curated_tokens[j]
        if not token_overlap_matches(d, c):
            return 0.0
        return len(set(d) & set(c)) / max(len(set(d) | set(c)), 1)

    pairs = greedy_pairs(list(range(len(drafted))), list(range(len(curated))), score)
    speaker_correct = sum(1 for i, j in pairs if drafted[i].get("speaker") == curated[j].get("speaker"))
    result: dict[str, Any] = {"matched": len(pairs), "drafted": len(drafted), "curated": len(curated),
                              **prf(len(pairs), len(drafted), len(curated)),
                              "speaker_correct": speaker_correct,
                              "speaker_accuracy": _ratio(speaker_correct, len(pairs)), "pairs": pairs}
    for attribute in QUOTE_ATTRIBUTES:
        if all(attribute in curated[j] for _, j in pairs):
            result[f"{attribute}_correct"] = sum(
                1 for i, j in pairs if _same_text(drafted[i].get(attribute), curated[j].get(attribute)))
    return result


def _same_number(a: Any, b: Any) -> bool:
    if a is None or b is None or a == "" or b == "":
        return (a is None or a == "") and (b is None or b == "")
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def statistics_match(drafted: dict[str, Any], curated: dict[str, Any]) -> bool:
    """Section 5: the spans overlap and value_low, value and value_high agree."""
    overlap = drafted["start"] < curated["end"] and curated["start"] < drafted["end"]
    return overlap and all(_same_number(drafted.get(k), curated.get(k)) for k in ("value_low", "value", "value_high"))


def _credited(row: dict[str, Any]) -> str | None:
    """The credited entity of a drafted or curated row (``attributed_to`` or the table's column name)."""
    return row.get("attributed_to", row.get("attributed_to_entity_id")) or None


def _fits(drafted: object, curated: object) -> bool:
    """A drafted free-text field holds nothing wrong: its words all occur in the curated field's."""
    drafted_words = set(re.findall(r"\w+", str(drafted or "").casefold()))
    curated_words = set(re.findall(r"\w+", str(curated or "").casefold()))
    return drafted_words <= curated_words and bool(drafted_words) == bool(curated_words)


def _bare_kind(measure: object) -> bool:
    """True when a drafted measure is empty or only the quantity's kind ("count", "amount", "duration"): the
    drafter's sign that it found nothing counted, which a reviewer writes (no answer, not a wrong one)."""
    from scripts.drafter.numbers import MEASURE_KINDS

    return str(measure or "").strip().casefold() in MEASURE_KINDS | {""}


def score_statistics(drafted: list[dict[str, Any]], curated: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall, F1 and, over matched pairs, qualifier and unit accuracy (section 5), plus the
    share of matched pairs crediting the same entity (``attribution_accuracy``).

    Only statistics of the same source (``source_id``, when present) match; each curated statistic
    matches at most one drafted one. Returns counts, the figures, the misses and false hits."""
    used: set[int] = set()
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    misses: list[dict[str, Any]] = []
    for gold in curated:
        for index, draft in enumerate(drafted):
            if index in used or draft.get("source_id") != gold.get("source_id"):
                continue
            if statistics_match(draft, gold):
                used.add(index)
                pairs.append((draft, gold))
                break
        else:
            misses.append(gold)
    matched = len(pairs)
    return {
        "drafted": len(drafted), "curated": len(curated), "matched": matched,
        **prf(matched, len(drafted), len(curated)),
        "qualifier_accuracy": _ratio(sum(d["qualifier"] == g["qualifier"] for d, g in pairs), matched),
        "unit_accuracy": _ratio(sum(d["unit"] == g["unit"] for d, g in pairs), matched),
        # not part of section 5, reported to show how much of the attribution a reviewer must fix
        "attribution_accuracy": _ratio(sum(_credited(d) == _credited(g) for d, g in pairs), matched),
        # a drafted measure or period a reviewer can keep: every word of it is in the curated one (both
        # empty also fits); an empty drafted field costs a cut-and-paste, a wrong one a reading and a fix
        "measure_accuracy": _ratio(sum(_fits(d.get("measure"), g.get("measure")) for d, g in pairs), matched),
        "period_accuracy": _ratio(sum(_fits(d.get("period"), g.get("period")) for d, g in pairs), matched),
        # the share a reviewer must read and fix: a drafted measure with a word the curated one lacks; the
        # rest of the misses are the bare kinds the drafter writes when unsure (a cut-and-paste to fill)
        "measure_wrong": _ratio(sum(not _fits(d.get("measure"), g.get("measure")) and not _bare_kind(d.get("measure"))
                                    for d, g in pairs), matched),
        "misses": misses, "false_hits": [d for i, d in enumerate(drafted) if i not in used],
    }


def score_mentions(drafted: list[dict[str, Any]], curated: list[dict[str, Any]]) -> dict[str, Any]:
    """Mentions match on exact span (same source, start, end) and same type.

    Both lists hold dicts with start, end, type and entity_id (and optionally
    source_id and text). Returns counts, precision/recall/F1, the share of
    matched mentions resolved to the curated entity, the misses and false hits.
    """
    key = lambda m: (m.get("source_id"), m["start"], m["end"], m["type"])  # noqa: E731
    curated_by_key = {key(m): m for m in curated}
    pairs = [(m, curated_by_key[key(m)]) for m in drafted if key(m) in curated_by_key]
    matched_keys = {key(d) for d, _ in pairs}
    right_entity = sum(d["entity_id"] == c["entity_id"] for d, c in pairs)
    return {
        "drafted": len(drafted), "curated": len(curated), "matched": len(pairs),
        **prf(len(pairs), len(drafted), len(curated)),
        "entity_accuracy": _ratio(right_entity, len(pairs)),
        "misses": [m for m in curated if key(m) not in matched_keys],
        "false_hits": [m for m in drafted if key(m) not in curated_by_key],
        "wrong_entity": [(d, c) for d, c in pairs if d["entity_id"] != c["entity_id"]],
    }


# --- Leave-one-out on the curated articles ----------------------------------------

def loo_registry(registry: dict[str, ann.Entity], mention_rows: list[dict[str, Any]], source_id: str) -> dict[str, ann.Entity]:
    """The registry restricted to entities with mentions in sources other than ``source_id``."""
    elsewhere = {row["entity_id"] for row in mention_rows if row["source_id"] != source_id}
    return {entity_id: entity for entity_id, entity in registry.items() if entity_id in elsewhere}


SPAN_COLUMNS = ("source_id", "start", "end", "text")


def as_entry(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A built row of ``table`` in the drafter's dict format: its span, then each column under the
    annotation key that fills it (the schemas' ``annotation`` mapping)."""
    keys = load_schema(table).annotation_keys
    return {**{c: row[c] for c in SPAN_COLUMNS}, **{key: row[column] for column, key in keys.items()}}


def curated_quote(row: dict[str, Any]) -> dict[str, Any]:
    """A built quotes row in the drafter's dict format."""
    return as_entry("quotes", row)


def curated_statistic(row: dict[str, Any]) -> dict[str, Any]:
    """A built statistics row in the drafter's dict format."""
    return as_entry("statistics", row)


def align_proposed(drafted_mentions: list[dict[str, Any]], curated_mentions: list[dict[str, Any]],
                   registry_ids: set[str]) -> dict[str, str]:
    """Map each entity the drafter proposed (an id not in the registry) to the curated entity whose
    mentions it shares most, one to one: the reviewer keeps the entity and only renames its id.

    A proposed entity that shares no mention, or loses its curated entity to another proposal that
    shares more (a split), keeps its own id and so counts as wrong.
    """
    curated_at = {(m["start"], m["end"]): m["entity_id"] for m in curated_mentions}
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for mention in drafted_mentions:
        curated_id = curated_at.get((mention["start"], mention["end"]))
        if curated_id and mention["entity_id"] not in registry_ids:
            shared[(mention["entity_id"], curated_id)] += 1
    mapping: dict[str, str] = {}
    for (drafted_id, curated_id), _count in sorted(shared.items(), key=lambda item: (-item[1], item[0])):
        if drafted_id not in mapping and curated_id not in mapping.values() and curated_id not in registry_ids:
            mapping[drafted_id] = curated_id
    return mapping


def _renamed(items: list[dict[str, Any]], mapping: dict[str, str], keys: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{**item, **{k: _renamed_id(item.get(k), mapping) for k in keys}} for item in items]


def _renamed_id(entity_id: str | None, mapping: dict[str, str]) -> str | None:
    # mapping's keys are entity ids (strings): no id (None) is never one, so it stays None
    return None if entity_id is None else mapping.get(entity_id, entity_id)


def leave_one_out() -> dict[str, dict[str, dict[str, list[dict[str, Any]]]]]:
    """Per source: the drafted and curated quotes, statistics and mentions (dicts carrying source_id)."""
    from scripts.draft import draft_text
    from scripts.tables import build_rows

    rows = build_rows()
    registry = ann.load_registry()
    types = {e.entity_id: e.type for e in registry.values()}
    texts = {row["source_id"]: row["text"] for row in rows["texts"]}
    results: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    for source_id, text in sorted(texts.items()):
        held = loo_registry(registry, rows["mentions"], source_id)
        mentions, _proposed, quotes, statistics, _warnings = draft_text(text, held)
        curated_mentions = [r for r in rows["mentions"] if r["source_id"] == source_id]
        mapping = align_proposed(mentions, curated_mentions, set(held))
        mentions = _renamed(mentions, mapping, ("entity_id",))
        quotes = _renamed(quotes, mapping, ("speaker", "channel"))
        statistics = _renamed(statistics, mapping, ("attributed_to",))
        tag = lambda items: [{**item, "source_id": source_id} for item in items]  # noqa: E731
        results[source_id] = {
            "quotes": {"drafted": tag(quotes),
                       "curated": [curated_quote(r) for r in rows["quotes"] if r["source_id"] == source_id]},
            "statistics": {"drafted": tag(statistics),
                           "curated": [curated_statistic(r) for r in rows["statistics"] if r["source_id"] == source_id]},
            "mentions": {"drafted": tag(mentions),
                         "curated": [{**r, "type": types[r["entity_id"]]} for r in curated_mentions]},
        }
    return results


def score_quotes_by_source(drafted: list[dict[str, Any]], curated: list[dict[str, Any]]) -> dict[str, Any]:
    """Section 5 for quotes, pairing only quotes of the same source; adds misses and false hits."""
    totals = {"drafted": 0, "curated": 0, "matched": 0, "speaker_correct": 0}
    misses: list[dict[str, Any]] = []
    false_hits: list[dict[str, Any]] = []
    wrong_speaker: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for source_id in sorted({q.get("source_id") for q in drafted + curated}, key=str):
        mine = [q for q in drafted if q.get("source_id") == source_id]
        theirs = [q for q in curated if q.get("source_id") == source_id]
        result = score_quotes(mine, theirs)
        pairs = result["pairs"]
        totals["drafted"] += len(mine)
        totals["curated"] += len(theirs)
        totals["matched"] += len(pairs)
        totals["speaker_correct"] += sum(mine[i].get("speaker") == theirs[j].get("speaker") for i, j in pairs)
        misses += [q for j, q in enumerate(theirs) if j not in {c for _, c in pairs}]
        false_hits += [q for i, q in enumerate(mine) if i not in {d for d, _ in pairs}]
        wrong_speaker += [(mine[i], theirs[j]) for i, j in pairs if mine[i].get("speaker") != theirs[j].get("speaker")]
    return {**totals, **prf(totals["matched"], totals["drafted"], totals["curated"]),
            "speaker_accuracy": _ratio(totals["speaker_correct"], totals["matched"]),
            "misses": misses, "false_hits": false_hits, "wrong_speaker": wrong_speaker}


def scorers() -> dict[str, Callable[[list[dict], list[dict]], dict[str, Any]]]:
    return {"quotes": score_quotes_by_source, "statistics": score_statistics, "mentions": score_mentions}


# The attribute accuracies each table's scorer reports.
ATTRIBUTES = {"quotes": ("speaker_accuracy",),
              "statistics": ("qualifier_accuracy", "unit_accuracy", "measure_accuracy", "measure_wrong",
                             "period_accuracy"),
              "mentions": ("entity_accuracy",)}
# What "per kind" means for each table.
KIND_FIELD = {"quotes": "kind", "statistics": "unit", "mentions": "type"}


def score_all(results: dict[str, dict[str, dict[str, list[dict]]]]) -> dict[str, Any]:
    """Scores per table over all sources, per kind and per source."""
    score = scorers()
    scores: dict[str, Any] = {}
    for table in TABLE_ORDER:
        drafted = [d for r in results.values() for d in r[table]["drafted"]]
        curated = [c for r in results.values() for c in r[table]["curated"]]
        per_kind = {}
        for kind in sorted({str(x.get(KIND_FIELD[table])) for x in drafted + curated}):
            per_kind[kind] = score[table]([d for d in drafted if str(d.get(KIND_FIELD[table])) == kind],
                                          [c for c in curated if str(c.get(KIND_FIELD[table])) == kind])
        scores[table] = {
            "all": score[table](drafted, curated),
            "per_kind": per_kind,
            "per_article": {s: score[table](r[table]["drafted"], r[table]["curated"]) for s, r in results.items()},
        }
    return scores


# --- Printing -----------------------------------------------------------------------

def _figures(result: dict[str, Any], table: str) -> str:
    attributes = "  ".join(f"{name.removesuffix('_accuracy').replace('_', ' ')} {result.get(name, 0.0):.2f}" for name in ATTRIBUTES[table])
    return (f"P {result['precision']:.2f}  R {result['recall']:.2f}  F1 {result['f1']:.2f}  "
            f"({result['matched']} matched / {result['drafted']} drafted / {result['curated']} curated)  {attributes}")


def _describe(item: dict[str, Any], table: str) -> str:
    text = " ".join(str(item.get("text", "")).split())
    text = text if len(text) <= 80 else text[:77] + "..."
    extra = {"quotes": f"{item.get('kind')}, speaker {item.get('speaker')}",
             "statistics": f"{item.get('value_low')}/{item.get('value')}/{item.get('value_high')} "
                           f"{item.get('qualifier')} {item.get('unit')}",
             "mentions": f"{item.get('type')} {item.get('entity_id')}"}[table]
    return f"{item.get('source_id')}: “{text}” ({extra})"


def print_scores(scores: dict[str, Any], per_article: bool, examples: int) -> None:
    print("Leave-one-out on the curated articles: each article drafted with a registry of the entities of the\n"
          "other articles only; entities the drafter proposes are aligned one to one to curated entities by\n"
          "their shared mentions before speaker/entity accuracy is computed (a reviewer renames, not re-links)")
    for table in TABLE_ORDER:
        table_scores = scores[table]
        print(f"\n{table:<11} {_figures(table_scores['all'], table)}")
        for kind, result in table_scores["per_kind"].items():
            print(f"  {KIND_FIELD[table]} {kind:<12} {_figures(result, table)}")
        if per_article:
            for source_id, result in table_scores["per_article"].items():
                print(f"  {source_id[:44]:<44} {_figures(result, table)}")
        if examples:
            for label in ("misses", "false_hits"):
                items = table_scores["all"].get(label) or []
                if items:
                    print(f"  {label.replace('_', ' ')} ({len(items)}), first {min(examples, len(items))}:")
                    for item in items[:examples]:
                        print(f"    - {_describe(item, table)}")
            for label, field_name in (("wrong_entity", "entity_id"), ("wrong_speaker", "speaker")):
                wrong = table_scores["all"].get(label) or []
                if wrong:
                    print(f"  {label.replace('_', ' ')} ({len(wrong)}), first {min(examples, len(wrong))}:")
                    for drafted, curated in wrong[:examples]:
                        print(f"    - {_describe(drafted, table)}; curated {curated[field_name]}")


# --- PolNeAR, scored as the guidelines' quotes ---------------------------------------
#
# PolNeAR annotates every attribution (beliefs and paraphrases too); its Content of a paraphrase
# contains the partial quotes inside it, and an interrupted quote is one Content where the
# guidelines make two rows. So: a drafted direct or partial quote is right when it lies inside a
# gold Content that contains a quotation mark, or overlaps one by half; such a Content is found
# when at least one drafted quote is right for it. For indirect speech the gold are the
# attributions whose cue holds a speech verb (config/lexicon.yaml, class speech) and whose Content
# holds no quotation mark; one is found when a drafted quote of any kind lies inside its Content or
# overlaps it by half. A drafted indirect quote is right when it lies inside or overlaps by half
# any gold Content. The speaker agrees when the drafted speaker as written, or the names of the
# entity it was resolved to, share a content word with the gold Source (the rule, the
# headline figure). A variant is printed beside it: a continuation without a speaker as written is
# scored with the attribution it continues, and a relative-pronoun Source with its antecedent.

_SPEAKER_STOPWORDS = frozenset({"the", "a", "an", "of", "for", "and", "mr", "ms", "mrs", "dr", "s", "in", "at",
                                "on", "to", "by", "with", "from"})


_RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom"})
# the phrase a relative pronoun follows: back from its comma to the previous comma, dash, parenthesis or
# full stop
_ANTECEDENT_WORDS = 5  # at most its last words: the noun phrase, not the clause it ends
_ANTECEDENT = re.compile(r"([^,.;:()\n—–]+),\s*$")


def _fragments(offsets: str) -> list[tuple[int, int]]:
    spans = []
    for fragment in offsets.split(";"):
        start_text, end_text = fragment.split()
        spans.append((int(start_text), int(end_text)))
    return spans


def parse_polnear_ann(ann_text: str, text: str, speech_verbs: frozenset[str]) -> dict[str, list[dict[str, Any]]]:
    """Gold of one PolNeAR .ann file: quoted Contents and speech-verb attributions (indirect).

    Each gold item is {"start", "end" (hull of its fragments), "fragments", "source" (the Source text or
    None), "cue" (text or None)}."""
    spans: dict[str, tuple[str, list[tuple[int, int]]]] = {}
    relations: list[dict[str, str]] = []
    for line in ann_text.splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            label, _, offsets = parts[1].partition(" ")
            spans[parts[0]] = (label, _fragments(offsets))
        elif line.startswith("E") and len(parts) >= 2:
            relations.append(dict(item.split(":", 1) for item in parts[1].split() if ":" in item))

    def surface(key: str | None) -> str | None:
        if key is None or key not in spans:
            return None
        return " ".join(text[a:b] for a, b in spans[key][1])

    def with_antecedent(key: str | None) -> str | None:
        """The variant's Source: a relative pronoun ("Jessica Leeds, who said ...") stands for the phrase
        before its comma."""
        written = surface(key)
        if written is not None and key is not None and written.strip().lower() in _RELATIVE_PRONOUNS:
            antecedent = _ANTECEDENT.search(text[max(0, spans[key][1][0][0] - 120):spans[key][1][0][0]])
            if antecedent:
                return f"{' '.join(antecedent.group(1).split()[-_ANTECEDENT_WORDS:])}, {written}"
        return written

    relation_of: dict[str, dict[str, str]] = {}
    for relation in relations:
        if relation.get("Content") in spans:
            relation_of.setdefault(relation["Content"], relation)
    quoted: dict[tuple[int, int], dict[str, Any]] = {}
    indirect: dict[tuple[int, int], dict[str, Any]] = {}
    every: dict[tuple[int, int], dict[str, Any]] = {}  # every attribution's Content, whatever its cue
    for key, (label, fragments) in spans.items():
        if label != "Content":
            continue
        relation = relation_of.get(key, {})
        content = "".join(text[a:b] for a, b in fragments)
        cue = surface(relation.get("Cue"))
        span = (min(a for a, _ in fragments), max(b for _, b in fragments))
        item: dict[str, Any] = {"start": span[0], "end": span[1], "fragments": fragments,
                                "source": surface(relation.get("Source")),
                                "source_antecedent": with_antecedent(relation.get("Source")), "cue": cue,
                                "speech": bool(cue and set(re.findall(r"[a-z]+", cue.lower())) & speech_verbs)}
        every.setdefault(span, item)
        if any(mark in content for mark in _QUOTE_MARKS.replace("'", "").replace("’", "")) or \
                re.search(r"(?:^|\s)['‘]\w", content):
            quoted.setdefault(span, item)
        elif item["speech"]:
            indirect.setdefault(span, item)
    return {"quoted": sorted(quoted.values(), key=lambda g: g["start"]),
            "indirect": sorted(indirect.values(), key=lambda g: g["start"]),
            "contents": sorted(every.values(), key=lambda g: g["start"])}


def load_polnear(root: Path) -> list[dict[str, Any]]:
    """Articles of the PolNeAR split: name, text, and gold (one .ann per article, the first by name)."""
    from scripts.drafter.lexicon import load_lexicon

    text_dir, ann_dir = root / "text", root / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise BuildError(f"{root}: expected text/ and attributions/ folders (the PolNeAR test split)")
    speech_verbs = frozenset(form for form in load_lexicon().speech_verbs if " " not in form)
    articles = []
    for text_path in sorted(text_dir.glob("*.txt")):
        annotations = sorted(ann_dir.glob(f"{text_path.stem}_*.ann"))
        if not annotations:
            continue
        text = text_path.read_text(encoding="utf-8")
        articles.append({"name": text_path.stem, "text": text,
                         **parse_polnear_ann(annotations[0].read_text(encoding="utf-8"), text, speech_verbs)})
    return articles


def _core(text: str, start: int, end: int) -> tuple[int, int]:
    strip = _QUOTE_MARKS + " \t\n.,;:!?-–—"
    while start < end and text[start] in strip:
        start += 1
    while end > start and text[end - 1] in strip:
        end -= 1
    return start, end


def fits_content(text: str, drafted: tuple[int, int], gold: dict[str, Any]) -> float:
    """How well a drafted span fits a gold Content: 1.0 inside it, else the overlap share of the longer
    span when it reaches half, else 0.0."""
    start, end = _core(text, *drafted)
    if end <= start:
        return 0.0
    if any(a <= start and end <= b for a, b in gold["fragments"]) or gold["start"] <= start and end <= gold["end"]:
        return 1.0
    g_start, g_end = _core(text, gold["start"], gold["end"])
    shared = min(end, g_end) - max(start, g_start)
    longer = max(end - start, g_end - g_start)
    share = shared / longer if shared > 0 and longer else 0.0
    return share if share >= 0.5 else 0.0


def speaker_words(phrase: str | None) -> set[str]:
    return set(re.findall(r"\w+", (phrase or "").lower())) - _SPEAKER_STOPWORDS


def speaker_agrees(drafted: dict[str, Any], gold_source: str | None, continued: bool = False) -> bool:
    """Shared content word between the gold Source and the drafted speaker as written or the names of its
    resolved entity (``speaker_names``); a pronoun agrees only with the same pronoun (the issue's rule).

    ``continued`` is the variant: a continuation (no speaker as written of its own) is scored with the
    words of the attribution it continues (``continues_text``), since PolNeAR makes "A," he said. "B."
    one Content whose Source is "he"."""
    gold = speaker_words(gold_source)
    if not gold:
        return False
    own = drafted.get("speaker_text")
    words = speaker_words(own or (drafted.get("continues_text") if continued else None))
    for name in drafted.get("speaker_names") or ():
        words |= speaker_words(name)
    return bool(words & gold)


def score_polnear(articles: list[dict[str, Any]], drafts: list[list[dict[str, Any]] | None]) -> dict[str, Any]:
    """Quoted-Content P/R/F1, speech-verb recall, indirect precision, speaker agreement, articles lost.

    drafts holds per article the drafted quotes (dicts with start, end, kind, speaker_text and
    optionally speaker_names) or None when drafting raised. ``speaker_pairs`` lists every scored speaker
    pair as (article name, drafted quote, gold item, agreed), for reading the disagreements."""
    counts = Counter[str]()
    pairs: list[tuple[str, dict[str, Any], dict[str, Any], bool]] = []
    for article, drafted in zip(articles, drafts):
        text = article["text"]
        if drafted is None or (not drafted and (article["quoted"] or article["indirect"])):
            counts["lost"] += 1
        drafted = drafted or []
        marked = [q for q in drafted if q["kind"] in ("direct", "partial")]
        counts["quoted_gold"] += len(article["quoted"])
        counts["quoted_drafted"] += len(marked)
        found: set[int] = set()
        for quote in marked:
            fits = [(fits_content(text, (quote["start"], quote["end"]), g), j) for j, g in enumerate(article["quoted"])]
            best = max(fits, default=(0.0, -1))
            if best[0] > 0:
                counts["quoted_right"] += 1
                found.add(best[1])
                pairs.append((article.get("name", ""), quote, article["quoted"][best[1]],
                              _count_speaker(counts, quote, article["quoted"][best[1]])))
        counts["quoted_found"] += len(found)
        counts["speech_quoted_gold"] += sum(1 for g in article["quoted"] if g["speech"])
        counts["speech_quoted_found"] += sum(1 for j in found if article["quoted"][j]["speech"])
        all_gold = article["quoted"] + article["indirect"]
        indirect = [q for q in drafted if q["kind"] == "indirect"]
        counts["indirect_drafted"] += len(indirect)
        counts["indirect_right"] += sum(
            1 for q in indirect if any(fits_content(text, (q["start"], q["end"]), g) > 0 for g in all_gold))
        # against every attribution PolNeAR annotates ("according to X", "believe"), not only speech
        every = article.get("contents", all_gold)
        counts["indirect_right_any"] += sum(
            1 for q in indirect if any(fits_content(text, (q["start"], q["end"]), g) > 0 for g in every))
        counts["speech_gold"] += len(article["indirect"])
        for gold in article["indirect"]:
            fits = [(fits_content(text, (q["start"], q["end"]), gold), i) for i, q in enumerate(drafted)]
            best = max(fits, default=(0.0, -1))
            if best[0] > 0:
                counts["speech_found"] += 1
                pairs.append((article.get("name", ""), drafted[best[1]], gold, _count_speaker(counts, drafted[best[1]], gold)))
    quoted_p = _ratio(counts["quoted_right"], counts["quoted_drafted"])
    quoted_r = _ratio(counts["quoted_found"], counts["quoted_gold"])
    return {
        "articles": len(articles), "articles_lost": counts["lost"], "counts": dict(counts),
        "quoted": {"precision": quoted_p, "recall": quoted_r,
                   "f1": 2 * quoted_p * quoted_r / (quoted_p + quoted_r) if quoted_p + quoted_r else 0.0},
        "speech_recall": _ratio(counts["speech_found"], counts["speech_gold"]),
        "speech_recall_all": _ratio(counts["speech_found"] + counts["speech_quoted_found"],
                                    counts["speech_gold"] + counts["speech_quoted_gold"]),
        "indirect_precision": _ratio(counts["indirect_right"], counts["indirect_drafted"]),
        "indirect_precision_any": _ratio(counts["indirect_right_any"], counts["indirect_drafted"]),
        "speaker_agreement": _ratio(counts["speaker_agreed"], counts["speaker_pairs"]),
        "speaker_agreement_continued": _ratio(counts["speaker_agreed_continued"], counts["speaker_pairs"]),
        "speaker_pairs": pairs,
    }


def _count_speaker(counts: Counter[str], drafted: dict[str, Any], gold: dict[str, Any]) -> bool:
    """One speaker pair, under the issue's rule and under the variant (continuations, relative pronouns);
    returns whether it agrees under the issue's rule."""
    counts["speaker_pairs"] += 1
    agreed = speaker_agrees(drafted, gold["source"])
    counts["speaker_agreed"] += agreed
    counts["speaker_agreed_continued"] += speaker_agrees(drafted, gold.get("source_antecedent", gold["source"]),
                                                         continued=True)
    return agreed


def with_continued_attribution(quotes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each drafted quote with no speaker as written gets ``continues_text``: the speaker as written of
    the last quote before it credited to the same entity, or, when it has no entity either, of the row
    just before when that row has none (the attribution a continuation continues). Text order decides;
    the rows keep the order given."""
    last_text: dict[str | None, str] = {}
    previous: dict[str, Any] | None = None
    rows = list(quotes)
    for index in sorted(range(len(rows)), key=lambda i: rows[i]["start"]):
        quote = rows[index]
        entity = quote.get("speaker")
        if quote.get("speaker_text"):
            last_text[entity] = quote["speaker_text"]
        elif entity:
            rows[index] = {**quote, "continues_text": last_text.get(entity)}
        elif previous is not None and not previous.get("speaker"):
            # a speaker the drafter left without an entity ("Chris Low at FTN Financial"): the row just
            # before, whose attribution the drafter carried on
            rows[index] = {**quote, "continues_text": previous.get("continues_text") or previous.get("speaker_text")}
        previous = rows[index]
    return rows


def draft_polnear(texts: list[str]) -> list[list[dict[str, Any]] | None]:
    """The drafter's quotes per text, drafted as a new article (an empty registry: the entities it
    proposes are its own), each with ``speaker_names``; None when drafting raised."""
    from scripts.draft import draft_text

    drafts: list[list[dict[str, Any]] | None] = []
    for text in texts:
        try:
            _mentions, proposed, quotes, _statistics, _warnings = draft_text(text, {})
        except Exception:  # noqa: BLE001 - a lost article is what this measures
            drafts.append(None)
            continue
        names = {e.entity_id: e.names for e in proposed.entities}
        for alias, entity_id in proposed.local_aliases.items():
            names.setdefault(entity_id, []).append(alias)
        drafts.append(with_continued_attribution(
            [{**q, "speaker_names": names.get(q.get("speaker") or "", [])} for q in quotes]))
    return drafts


def format_polnear(scores: dict[str, dict[str, Any]]) -> str:
    """A Markdown table of score_polnear results by system."""
    lines = ["| system | quoted P | quoted R | quoted F1 | speech-verb recall, unquoted | speech-verb recall, all | "
             "indirect precision (speech / any attribution) | speaker agreement | "
             "speaker agreement, continuations variant | articles lost |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for system, score in scores.items():
        c = score["counts"]
        lines.append(
            f"| {system} | {score['quoted']['precision']:.3f} | {score['quoted']['recall']:.3f} | "
            f"{score['quoted']['f1']:.3f} | {score['speech_recall']:.3f} ({c.get('speech_found', 0)}/"
            f"{c.get('speech_gold', 0)}) | {score['speech_recall_all']:.3f} | {score['indirect_precision']:.3f} / "
            f"{score.get('indirect_precision_any', score['indirect_precision']):.3f} | {score['speaker_agreement']:.3f} "
            f"({c.get('speaker_agreed', 0)}/{c.get('speaker_pairs', 0)}) | "
            f"{score.get('speaker_agreement_continued', 0.0):.3f} ({c.get('speaker_agreed_continued', 0)}/"
            f"{c.get('speaker_pairs', 0)}) | {score['articles_lost']} of "
            f"{score['articles']} |")
    return "\n".join(lines)


def _content_words(phrase: str) -> set[str]:
    """The words of a measure or benchmark concept without function words (the lexicon's prepositions,
    determiners and measure stop words), case folded."""
    from scripts.drafter.lexicon import load_lexicon

    lexicon = load_lexicon()
    function_words = lexicon.prepositions | lexicon.determiners | set(lexicon.statistics.measure_stop_words
                                                                      if lexicon.statistics else ())
    without_possessives = re.sub(r"['’]s\b", "", phrase.casefold())  # "region's EPS" -> region, eps
    return {word for word in re.findall(r"\w+", without_possessives) if word not in function_words}


def score_newsquant_measures(sentences: list[dict[str, Any]]) -> dict[str, Any]:
    """How far the drafted ``measure`` agrees with NewsQuant's annotation of what a quantity is about.

    NewsQuant gives each quantity ``referred_concepts`` (content words, comma separated, "-" when none)
    and, for a count, the counted noun as its ``unit`` ("13000 workers": unit "workers", concept "Ford").
    A drafted statistic is paired with a gold quantity of the same sentence and value (the benchmark's
    value match, each used once). Over the pairs, with the kind our schema writes first ("count",
    "amount: ...", "increase: ...") and function words left out, a measure is

    - kept: every remaining word is among the gold concept's and unit's words;
    - unsure: nothing remains (a bare kind, the drafter's "not found");
    - wrong: a word is in neither.

    ``concept_partial`` is the CQE paper's value+concept_partial P/R/F1 (one word shared with the gold
    concepts, the unit not counted), comparable with its published 76.1 for CQE."""
    from scripts.drafter.eval_newsquant import gold_value, values_match
    from scripts.drafter.numbers import MEASURE_KINDS, extract_statistics

    counts: Counter[str] = Counter()
    for item in sentences:
        rows = extract_statistics(item["text"])
        counts["gold"] += len(item["quantities"])
        counts["predicted"] += len(rows)
        unused = list(rows)
        for quantity in item["quantities"]:
            gold = gold_value(quantity["value"])
            row = next((r for r in unused if values_match(gold, _benchmark_value(r))), None)
            if row is None:
                continue
            unused.remove(row)
            counts["pairs"] += 1
            measure = str(row["measure"])
            kind, _, rest = measure.partition(":")
            first, _, after_first = measure.partition(" ")
            if rest:  # "increase: deaths" -> deaths
                measure = rest
            elif kind.strip().casefold() in MEASURE_KINDS:
                measure = ""
            elif first.casefold() in MEASURE_KINDS | {"length"}:  # "amount for border fencing", "length of road"
                measure = after_first
            drafted = _content_words(measure)
            concept = _content_words(re.sub(r"(?<!\w)-(?!\w)", " ", str(quantity.get("referred_concepts") or "")))
            unit = _content_words(str(quantity.get("unit") or ""))
            outcome = "unsure" if not drafted else "kept" if drafted <= concept | unit else "wrong"
            counts[outcome] += 1
            counts["partial"] += bool(drafted & concept)
    pairs = counts["pairs"]
    return {"pairs": pairs, "gold": counts["gold"], "predicted": counts["predicted"],
            **{outcome: _ratio(counts[outcome], pairs) for outcome in ("kept", "unsure", "wrong")},
            "concept_partial": prf(counts["partial"], counts["predicted"], counts["gold"])}


def _benchmark_value(row: dict[str, Any]) -> float | tuple[float, float]:
    """A drafted statistic's value as NewsQuant writes it: a range as (low, high), else the value."""
    if row["qualifier"] == "range":
        return float(row["value_low"]), float(row["value_high"])
    return float(row["value"] if row["value"] is not None else "nan")


def format_newsquant_measures(result: dict[str, Any]) -> str:
    """The lines ``evaluate --benchmark newsquant`` prints for the measure."""
    partial = result["concept_partial"]
    return (f"  measure over {result['pairs']} value-matched pairs: kept {result['kept']:.3f}  unsure (a bare kind) "
            f"{result['unsure']:.3f}  wrong {result['wrong']:.3f}\n"
            f"  drafter      value+concept_partial P {100 * partial['precision']:5.1f}  R {100 * partial['recall']:5.1f}"
            f"  F1 {100 * partial['f1']:5.1f}  (CQE published F1 76.1)")


def newsquant_as_written(sentence: str) -> list[dict[str, Any]]:
    """The drafter's NewsQuant predictions with a share in words left as the percent the tables hold ("a third"
    -> 33.3), where the default scoring compares it as the fraction the benchmark writes (0.333)."""
    from scripts.drafter.eval_newsquant import prediction_of
    from scripts.drafter.numbers import find_quantities

    return [prediction_of(dataclasses.replace(quantity, fraction=None)) for quantity in find_quantities(sentence)]


def format_newsquant_as_written(sentences: list[dict[str, Any]]) -> str:
    """The value P/R/F1 line for shares compared as written, printed beside the converted figures."""
    from scripts.drafter.eval_newsquant import score

    figures = score(sentences, newsquant_as_written)["value"]
    return (f"  {'drafter':<12} {'value':<13} P {figures['P']:5.1f}  R {figures['R']:5.1f}  F1 {figures['F1']:5.1f}"
            "  (as written: a share in words compared as its percent, not converted to a fraction)")


def run_benchmark(name: str) -> None:
    """Print the drafter's figures on a public benchmark (peers: ``python -m benchmarks.peers_quotes``)."""
    if name == "newsquant":
        from scripts.drafter.eval_newsquant import evaluate_newsquant, format_report, load_newsquant

        path = BENCHMARKS_DIR / "newsquant" / "NewsQuant.json"
        if not path.is_file():
            raise BuildError(f"{path}: the NewsQuant benchmark is not there")
        print(format_report(evaluate_newsquant(path)))
        print(format_newsquant_as_written(load_newsquant(path)))
        print(format_newsquant_measures(score_newsquant_measures(load_newsquant(path))))
        return
    root = BENCHMARKS_DIR / "polnear"
    articles = load_polnear(root)
    print(f"PolNeAR test split ({root}), {len(articles)} articles, scored as the guidelines' quotes "
          "(docs/drafter.md); textacy beside it: .venv-bench/bin/python -m benchmarks.peers_quotes")
    print(format_polnear({"drafter": score_polnear(articles, draft_polnear([a["text"] for a in articles]))}))


def evaluate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--benchmark", choices=("newsquant", "polnear"),
                        help="a public benchmark instead of leave-one-out on the curated articles")
    parser.add_argument("--per-article", action="store_true", help="also print the figures of each article")
    parser.add_argument("--examples", type=int, default=5, metavar="N",
                        help="misses and false hits to print per table (default 5)")


def evaluate_command(args: argparse.Namespace) -> None:
    """``python -m scripts evaluate``: score the drafter and print the figures."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    if args.benchmark:
        run_benchmark(args.benchmark)
        return
    print_scores(score_all(leave_one_out()), args.per_article, max(0, args.examples))
