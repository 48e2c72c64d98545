"""Statistics extraction side by side: the drafter against quantulum3 on the same texts, scored the same way.

Takes the published curated tables (``data/texts.csv``, ``data/statistics.csv``, ``data/mentions.csv``)
and the NewsQuant benchmark; prints, for the drafter and for quantulum3, precision / recall / F1 and
qualifier / unit accuracy on the curated statistics (guidelines section 5), value and value+change
F1 on NewsQuant (the CQE paper's scoring), and throughput (median of several runs, articles and
words per second). ``quantulum3_statistics`` maps quantulum3's output to the drafter's dicts so that
``scripts.evaluate.score_statistics`` scores both alike.

quantulum3 is a benchmark dependency only: it is not in the project's requirements. Run this with an
environment that has it, e.g. ``/tmp/benchvenv/bin/python -m benchmarks.peers_numbers``.
quantulum3 0.10 ships a unit classifier pickled with an older scikit-learn; when it does not load,
the classifier is retrained once from the training data quantulum3 ships (nothing is downloaded)
into the system temp folder, and if that is impossible quantulum3 runs without its classifier.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

from scripts.drafter.eval_newsquant import DEFAULT_PATH, Prediction, load_newsquant, score
from scripts.drafter.numbers import extract_statistics
from scripts.evaluate import score_statistics

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
QUANTULUM_UNITS = {
    "percentage": "percent", "dollar": "usd", "united states dollar": "usd", "kilometre": "km",
    "year": "year", "month": "month", "week": "week", "day": "day", "hour": "hour",
}
_classifier_path: list[str | None] = []  # resolved once per process


# --- the curated set -----------------------------------------------------------------------------

def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _number(cell: str) -> float | None:
    return float(cell) if cell != "" else None


def load_curated(data_dir: Path = DATA_DIR) -> tuple[dict[str, str], dict[str, list[tuple[int, int, str]]], list[dict]]:
    """Texts by source, mention spans by source, and the curated statistics (with ``source_id``)."""
    texts = {row["source_id"]: row["text"] for row in _rows(data_dir / "texts.csv")}
    mentions: dict[str, list[tuple[int, int, str]]] = {source: [] for source in texts}
    for row in _rows(data_dir / "mentions.csv"):
        mentions[row["source_id"]].append((int(row["start"]), int(row["end"]), row["entity_id"]))
    curated = []
    for row in _rows(data_dir / "statistics.csv"):
        curated.append({
            **row, "start": int(row["start"]), "end": int(row["end"]),
            "value": _number(row["value"]), "value_low": _number(row["value_low"]),
            "value_high": _number(row["value_high"]), "attributed_to": row["attributed_to_entity_id"] or None,
        })
    return texts, mentions, curated


def score_on_curated(extract: Callable[[str], list[dict]], data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """``score_statistics`` of an extractor over every curated article."""
    texts, _, curated = load_curated(data_dir)
    drafted = [{**row, "source_id": source} for source, text in texts.items() for row in extract(text)]
    return score_statistics(drafted, curated)


# --- quantulum3 ----------------------------------------------------------------------------------

def _quantulum_classifier() -> str | None:
    """A loadable classifier path for quantulum3, or None to run it without its classifier."""
    if _classifier_path:
        return _classifier_path[0]
    import warnings

    from quantulum3 import classifier

    warnings.filterwarnings("ignore", module="sklearn")
    path: str | None = None
    try:
        classifier.classifier("en_US")  # loads the shipped classifier
    except Exception:  # the shipped pickle does not load with this scikit-learn
        import sklearn

        path = str(Path(tempfile.gettempdir()) / f"quantulum3-clf-sklearn-{sklearn.__version__}.joblib")
        if not Path(path).exists():
            try:
                classifier.train_classifier(store=True, output_path=path)
            except Exception:
                classifier.USE_CLF = False
                path = None
    _classifier_path.append(path)
    return path


def quantulum3_quantities(text: str) -> list[Any]:
    """quantulum3's quantities in ``text`` (imported here: a benchmark-only dependency)."""
    from quantulum3 import parser

    path = _quantulum_classifier()
    return parser.parse(text, classifier_path=path) if path else parser.parse(text)


def quantulum3_statistics(text: str) -> list[dict]:
    """quantulum3's output as the drafter's statistic dicts (exact values; a value with an uncertainty is a range)."""
    rows = []
    for quantity in quantulum3_quantities(text):
        start, end = quantity.span
        unit = QUANTULUM_UNITS.get(quantity.unit.name.lower(), "count")
        value = float(quantity.value)
        if quantity.uncertainty:
            low, high, qualifier, stated = value - quantity.uncertainty, value + quantity.uncertainty, "range", None
        else:
            low = high = stated = value
            qualifier = "exact"
        rows.append({
            "start": start, "end": end, "text": text[start:end], "value": stated, "value_low": low,
            "value_high": high, "qualifier": qualifier, "unit": unit, "measure": "", "period": None,
            "reference_period": None, "attributed_to": None, "note": None,
        })
    return sorted(rows, key=lambda row: row["start"])


def quantulum3_predictions(sentence: str) -> list[Prediction]:
    """quantulum3 on one NewsQuant sentence, as benchmark values (a range as (low, high)) and '='."""
    predictions = []
    for row in quantulum3_statistics(sentence):
        value = (row["value_low"], row["value_high"]) if row["qualifier"] == "range" else row["value"]
        predictions.append({"value": value, "change": "="})
    return predictions


# --- throughput ----------------------------------------------------------------------------------

def throughput(extract: Callable[[str], Any], texts: list[str], repeats: int = 5) -> dict[str, float]:
    """Median articles and words per second of ``extract`` over ``texts`` (after one warm-up pass)."""
    for text in texts:
        extract(text)
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        for text in texts:
            extract(text)
        seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    words = sum(len(text.split()) for text in texts)
    return {"articles_per_second": len(texts) / median, "words_per_second": words / median, "seconds": median}


# --- report --------------------------------------------------------------------------------------

def _curated_line(name: str, result: dict[str, Any]) -> str:
    return (f"  {name:<11} P {result['precision']:.3f}  R {result['recall']:.3f}  F1 {result['f1']:.3f}  "
            f"qualifier {result['qualifier_accuracy']:.3f}  unit {result['unit_accuracy']:.3f}  "
            f"({result['matched']}/{result['curated']} curated, {result['drafted']} drafted)")


def compare(newsquant: Path = DEFAULT_PATH, repeats: int = 5) -> str:
    """The side-by-side report as text."""
    texts, mentions, _ = load_curated()
    lines = ["Statistics on the curated articles (guidelines section 5):"]
    drafter = score_on_curated(lambda text: extract_statistics(text, mentions.get(_source_of(texts, text), [])))
    lines.append(_curated_line("drafter", drafter))
    lines.append(_curated_line("quantulum3", score_on_curated(quantulum3_statistics)))
    if newsquant.exists():
        sentences = load_newsquant(newsquant)
        from scripts.drafter.eval_newsquant import drafter_predictions, published_scores

        lines.append(f"NewsQuant ({newsquant.name}), the CQE paper's scoring:")
        for name, predict in (("drafter", drafter_predictions), ("quantulum3", quantulum3_predictions)):
            result = score(sentences, predict)
            for kind in ("value", "value+change"):
                figures = result[kind]
                lines.append(f"  {name:<11} {kind:<13} P {figures['P']:5.1f}  R {figures['R']:5.1f}  F1 {figures['F1']:5.1f}")
        for system, figures in published_scores(newsquant).items():
            lines.extend(f"  {system:<11} {kind:<13} F1 {f1:5.1f} (published)" for kind, f1 in figures.items())
    article_texts = list(texts.values())
    lines.append(f"Throughput on the {len(article_texts)} curated articles (median of {repeats} runs):")
    for name, extract in (("drafter", extract_statistics), ("quantulum3", quantulum3_statistics)):
        speed = throughput(extract, article_texts, repeats)
        lines.append(f"  {name:<11} {speed['articles_per_second']:9.1f} articles/s  {speed['words_per_second']:11.0f} words/s")
    return "\n".join(lines)


def _source_of(texts: dict[str, str], text: str) -> str:
    return next(source for source, candidate in texts.items() if candidate == text)


if __name__ == "__main__":
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--newsquant", type=Path, default=DEFAULT_PATH)
    arguments.add_argument("--repeats", type=int, default=5)
    options = arguments.parse_args()
    print(compare(options.newsquant, options.repeats))
