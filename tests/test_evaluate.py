"""Scoring of the drafter (guidelines section 5) and the leave-one-out set-up of ``evaluate``."""

from __future__ import annotations

import pytest

from scripts import annotations as ann
from scripts.__main__ import main
from scripts.evaluate import align_proposed, loo_registry, score_mentions, score_quotes_by_source


def mention(start: int, end: int, entity_type: str, entity_id: str, source_id: str = "a") -> dict:
    return {"source_id": source_id, "start": start, "end": end, "type": entity_type, "entity_id": entity_id,
            "text": f"{start}-{end}"}


def test_mentions_match_on_exact_span_and_type():
    curated = [mention(0, 5, "GPE", "kabul"), mention(10, 20, "ORG", "ttp"), mention(30, 35, "PERSON", "khan")]
    drafted = [
        mention(0, 5, "GPE", "kabul"),        # match, right entity
        mention(10, 20, "ORG", "afghan-taliban"),  # match, wrong entity
        mention(30, 36, "PERSON", "khan"),    # span one character longer: no match
        mention(40, 45, "GPE", "quetta"),     # not curated
    ]
    result = score_mentions(drafted, curated)
    assert (result["matched"], result["drafted"], result["curated"]) == (2, 4, 3)
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(2 / 3)
    assert result["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert result["entity_accuracy"] == pytest.approx(0.5)
    assert [m["start"] for m in result["misses"]] == [30]
    assert [m["start"] for m in result["false_hits"]] == [30, 40]


def test_a_mention_of_another_type_or_source_does_not_match():
    curated = [mention(0, 5, "GPE", "kabul", "a")]
    assert score_mentions([mention(0, 5, "ORG", "kabul", "a")], curated)["matched"] == 0
    assert score_mentions([mention(0, 5, "GPE", "kabul", "b")], curated)["matched"] == 0
    assert score_mentions([], [])["f1"] == 0.0


def test_quotes_pair_only_within_a_source():
    curated = [{"source_id": "a", "text": "the attacks are planned abroad", "speaker": "x"},
               {"source_id": "b", "text": "talks will resume next week", "speaker": "y"}]
    drafted = [{"source_id": "b", "text": "the attacks are planned abroad", "speaker": "x"},
               {"source_id": "b", "text": "“talks will resume next week,”", "speaker": None}]
    result = score_quotes_by_source(drafted, curated)
    assert (result["matched"], result["drafted"], result["curated"]) == (1, 2, 2)
    assert result["speaker_accuracy"] == 0.0
    assert [q["source_id"] for q in result["misses"]] == ["a"]
    assert [q["text"] for q in result["false_hits"]] == ["the attacks are planned abroad"]


def test_leave_one_out_registry_holds_only_entities_of_the_other_articles():
    registry = {i: ann.Entity(i, i.title(), "GPE", [], "x") for i in ("kabul", "quetta", "herat")}
    rows = [{"source_id": "a", "entity_id": "kabul"}, {"source_id": "b", "entity_id": "quetta"},
            {"source_id": "b", "entity_id": "kabul"}]
    assert set(loo_registry(registry, rows, "a")) == {"kabul", "quetta"}
    assert set(loo_registry(registry, rows, "b")) == {"kabul"}


def test_proposed_entities_align_one_to_one_by_shared_mentions():
    curated = [mention(0, 5, "ORG", "pips"), mention(10, 14, "ORG", "pips"), mention(20, 25, "ORG", "pips"),
               mention(30, 35, "GPE", "kabul")]
    drafted = [mention(0, 5, "ORG", "pakistan-institute"), mention(10, 14, "ORG", "pakistan-institute"),
               mention(20, 25, "ORG", "split-off"), mention(30, 35, "GPE", "wrong-registry-id")]
    mapping = align_proposed(drafted, curated, registry_ids={"wrong-registry-id", "kabul"})
    # the split-off second entity does not also take "pips"; a registry id is never renamed
    assert mapping == {"pakistan-institute": "pips"}


def test_evaluate_prints_every_table(capsys):
    assert main(["evaluate", "--examples", "1", "--per-article"]) == 0
    out = capsys.readouterr().out
    for table, attribute in (("quotes", "speaker"), ("statistics", "qualifier"), ("mentions", "entity")):
        line = next(line for line in out.splitlines() if line.startswith(table))
        assert "P " in line and "F1 " in line and attribute in line
    assert "kabul-islamabad-aggression-nine-year-high" in out
