"""Score the statistics extractor on NewsQuant (CQE, EMNLP 2023) with the scoring of the CQE paper.

Takes the benchmark file ``NewsQuant.json`` (a list of {"text": sentence, "quantities": [{"change",
"value", ...}]}) and returns value and value+change precision, recall and F1 in percent, beside the
scores the CQE authors publish for CQE and quantulum3 on the same set (``published_scores.tsv``
next to the file; the figures quoted in ``PUBLISHED`` are used when it is absent).

Scoring, as in the authors' ``evaluate_models.py``: per sentence, a gold quantity is found when a
prediction has the same value (``numpy.isclose``-style tolerance: rtol 1e-5, atol 1e-8), a range
"LOW-HIGH" only by a range with both bounds equal; precision = found / predictions, recall = found /
gold quantities, F1 their harmonic mean, all rounded to one decimal. value+change counts the found
quantities whose change symbol is also equal. One difference: the original code lets a prediction
whose unit differs from the gold unit be found again by a later gold quantity; here every
prediction is used at most once, which can only lower our figures.

A share written in words or as a ratio ("a third", "half the", "one in four") is a percent in this
project's tables (guidelines section 3: 33.3) and a fraction in the benchmark (0.333): the value is
compared as the fraction it is (1/3, which 33.3 percent rounds), the same quantity in the benchmark's
unit.
A percentage written with its sign or word ("33%", "33 percent") stays 33, as the benchmark writes it.

Our qualifiers map to the benchmark's change symbols: exact and range '=', approximately '~',
more_than and at_least '>', up_to and less_than '<'; a stated increase or decrease of an otherwise
exact or approximate number ('rose 5%', 'a 5% drop', 'rose about 1.5%') gives 'up' or 'down'.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Callable, Iterable

from scripts.drafter.numbers import Quantity, find_quantities

DEFAULT_PATH = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "newsquant" / "NewsQuant.json"
# value F1 and value+change F1 the CQE paper reports on NewsQuant (percent)
PUBLISHED = {"CQE": {"value": 92.0, "value+change": 88.1}, "quantulum3": {"value": 73.0}}
CHANGE_OF_QUALIFIER = {
    "exact": "=", "range": "=", "approximately": "~", "more_than": ">", "at_least": ">",
    "up_to": "<", "less_than": "<",
}

Prediction = dict[str, Any]  # {"value": float | (low, high), "change": str}


def load_newsquant(path: Path) -> list[dict[str, Any]]:
    """The benchmark's sentences with their gold quantities."""
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def gold_value(raw: str) -> float | tuple[float, float]:
    """"12.5" -> 12.5; "3000-5000" -> (3000.0, 5000.0), as the CQE evaluation decodes it."""
    if "E" not in raw and not raw.startswith("-") and "-" in raw:
        low, high = raw.split("-", 1)
        return float(low), float(high)
    return float(raw)


def drafter_predictions(sentence: str) -> list[Prediction]:
    """The drafter's quantities in one sentence, as benchmark values and change symbols."""
    return [prediction_of(quantity) for quantity in find_quantities(sentence)]


def prediction_of(quantity: Quantity) -> Prediction:
    """One quantity as the benchmark writes it: its value (a share as a fraction) and change symbol."""
    if quantity.qualifier == "range":
        value: float | tuple[float, float] = (float(quantity.low or 0), float(quantity.high or 0))
    elif quantity.fraction is not None:
        value = quantity.fraction
    else:
        value = float(quantity.value or 0)
    bound = CHANGE_OF_QUALIFIER[quantity.hedge or quantity.qualifier]
    # the benchmark writes a hedged change ("rose about 1.5%") as "up": the change outranks "~", not a bound
    change = bound if bound not in ("=", "~") else quantity.direction or bound
    return {"value": value, "change": change}


def values_match(gold: float | tuple[float, float], predicted: float | tuple[float, float]) -> bool:
    if isinstance(gold, tuple) != isinstance(predicted, tuple):
        return False
    if isinstance(gold, tuple) and isinstance(predicted, tuple):
        return all(_close(g, p) for g, p in zip(gold, predicted))
    return _close(float(gold), float(predicted))  # type: ignore[arg-type]


def _close(gold: float, predicted: float) -> bool:
    return abs(predicted - gold) <= 1e-8 + 1e-5 * abs(gold)


def fscores(found: int, gold: int, predicted: int) -> dict[str, float]:
    """Precision, recall and F1 in percent, rounded to one decimal as the paper prints them."""
    from scripts.evaluate import prf

    figures = prf(found, predicted, gold)
    return {"P": round(100 * figures["precision"], 1), "R": round(100 * figures["recall"], 1),
            "F1": round(100 * figures["f1"], 1)}


def score(sentences: Iterable[dict[str, Any]], predict: Callable[[str], list[Prediction]]) -> dict[str, Any]:
    """Value and value+change scores of ``predict`` over the benchmark sentences, with the errors."""
    total_gold = total_predicted = found_value = found_change = 0
    errors: list[dict[str, Any]] = []
    for item in sentences:
        predictions = predict(item["text"])
        gold = [{"value": gold_value(q["value"]), "change": q["change"]} for q in item["quantities"]]
        total_gold += len(gold)
        total_predicted += len(predictions)
        unused = list(predictions)
        missed = []
        for quantity in gold:
            candidates = [p for p in unused if values_match(quantity["value"], p["value"])]
            if not candidates:
                missed.append(quantity)
                continue
            # prefer a prediction that also has the right change, as the paper's loop would count it
            chosen = next((p for p in candidates if p["change"] == quantity["change"]), candidates[0])
            unused.remove(chosen)
            found_value += 1
            found_change += chosen["change"] == quantity["change"]
        if missed or unused:
            errors.append({"text": item["text"], "missed": missed, "false": unused})
    return {
        "gold": total_gold, "predicted": total_predicted,
        "value": fscores(found_value, total_gold, total_predicted),
        "value+change": fscores(found_change, total_gold, total_predicted),
        "errors": errors,
    }


def published_scores(path: Path) -> dict[str, dict[str, float]]:
    """Published F1 of CQE and quantulum3 from ``published_scores.tsv`` beside the benchmark."""
    table = path.parent / "published_scores.tsv"
    if not table.exists():
        return PUBLISHED
    scores: dict[str, dict[str, float]] = {}
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            name = {"CQE-Numparser": "CQE"}.get(row["model"], row["model"])
            if name in PUBLISHED and row["type"] in ("value", "value+change"):
                scores.setdefault(name, {})[row["type"]] = float(row["F1"])
    return scores or PUBLISHED


def evaluate_newsquant(path: Path = DEFAULT_PATH) -> dict[str, Any]:
    """The drafter's value and value+change P/R/F1 on NewsQuant, with the published CQE and quantulum3 F1."""
    result = score(load_newsquant(path), drafter_predictions)
    result["published"] = published_scores(path)
    return result


def format_report(result: dict[str, Any], name: str = "drafter") -> str:
    """Lines for the side-by-side print: our P/R/F1, then the published F1."""
    lines = [f"NewsQuant: {result['gold']} gold quantities, {result['predicted']} predicted"]
    for kind in ("value", "value+change"):
        figures = result[kind]
        lines.append(f"  {name:<12} {kind:<13} P {figures['P']:5.1f}  R {figures['R']:5.1f}  F1 {figures['F1']:5.1f}")
    for system, figures in result.get("published", {}).items():
        for kind, f1 in figures.items():
            lines.append(f"  {system:<12} {kind:<13} F1 {f1:5.1f} (published)")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    report = evaluate_newsquant(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH)
    print(format_report(report))
