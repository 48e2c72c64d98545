"""Measure the drafter: ``python -m scripts evaluate [--benchmark newsquant|polnear] [--per-article] [--examples N]``.

Default: leave-one-out on the curated articles. Takes the curated
annotations resolved by the build (``scripts.tables.build_rows``), drafts
each article with a registry that holds only the entities that have mentions
in the *other* curated articles (so the figure estimates what a new article
gets), and scores the drafts by section 5 of the guidelines: quotes with
:func:`scripts.drafter.eval_polnear.score_quotes`, statistics with
:func:`scripts.drafter.numbers.score_statistics`, mentions with
:func:`score_mentions` here (exact span and same type; over matched
mentions, the share resolved to the right entity). Prints precision, recall,
F1 and attribute accuracies per table, per kind and (``--per-article``) per
article, with examples of misses and false hits.

``--benchmark newsquant`` and ``--benchmark polnear`` run the public
benchmarks in ``../shared/benchmarks/`` and print the drafter beside the
published scores (NewsQuant) or beside textacy run on the same articles in
the same run, when textacy is installed (it belongs to the benchmark
environment, ``requirements-bench.lock``).
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from scripts import annotations as ann
from scripts.errors import BuildError

BENCHMARKS_DIR = ann.ROOT.parent / "shared" / "benchmarks"
TABLE_ORDER = ("quotes", "statistics", "mentions")


# --- Scoring of mentions (guidelines section 5) ----------------------------------

def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def prf(matched: int, drafted: int, curated: int) -> dict[str, float]:
    """Precision, recall and F1 from counts."""
    precision, recall = _ratio(matched, drafted), _ratio(matched, curated)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


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


def curated_quote(row: dict[str, Any]) -> dict[str, Any]:
    """A built quotes row in the drafter's dict format."""
    return {"source_id": row["source_id"], "start": row["start"], "end": row["end"], "text": row["text"],
            "kind": row["kind"], "speaker": row["speaker_entity_id"], "speaker_text": row["speaker_text"],
            "speaker_role": row["speaker_role"], "cue": row["cue"], "channel": row["channel_entity_id"],
            "note": row["notes"]}


def curated_statistic(row: dict[str, Any]) -> dict[str, Any]:
    """A built statistics row in the drafter's dict format."""
    return {**{k: row[k] for k in ("source_id", "start", "end", "text", "value", "value_low", "value_high",
                                   "qualifier", "unit", "measure", "period", "reference_period")},
            "attributed_to": row["attributed_to_entity_id"], "note": row["notes"]}


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
    from scripts.drafter.eval_polnear import score_quotes

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
    from scripts.drafter.numbers import score_statistics

    return {"quotes": score_quotes_by_source, "statistics": score_statistics, "mentions": score_mentions}


# The attribute accuracies each table's scorer reports.
ATTRIBUTES = {"quotes": ("speaker_accuracy",), "statistics": ("qualifier_accuracy", "unit_accuracy"),
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
    attributes = "  ".join(f"{name.removesuffix('_accuracy')} {result.get(name, 0.0):.2f}" for name in ATTRIBUTES[table])
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


def _textacy_available() -> bool:
    try:
        import textacy  # noqa: F401
    except ImportError:
        return False
    return True


def run_benchmark(name: str) -> None:
    """Print the drafter beside its peers on a public benchmark."""
    if name == "newsquant":
        from scripts.drafter.eval_newsquant import evaluate_newsquant, format_report

        path = BENCHMARKS_DIR / "newsquant" / "NewsQuant.json"
        if not path.is_file():
            raise BuildError(f"{path}: the NewsQuant benchmark is not there")
        print(format_report(evaluate_newsquant(path)))
        return
    from scripts.drafter.eval_polnear import evaluate_polnear, format_polnear

    root = BENCHMARKS_DIR / "polnear"
    if not root.is_dir():
        raise BuildError(f"{root}: the PolNeAR benchmark is not there")
    print(f"PolNeAR direct quotes ({root}); textacy runs in the same run when installed")
    print(format_polnear(evaluate_polnear(root, peers=True)))
    if not _textacy_available():
        print("textacy is unavailable in this environment (a benchmark dependency, requirements-bench.lock); "
              "run `.venv-bench/bin/python -m scripts evaluate --benchmark polnear` for the side-by-side figures")


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
