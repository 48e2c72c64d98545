"""Scoring of the drafter (guidelines section 5) and the leave-one-out set-up of ``evaluate``."""

from __future__ import annotations

import pytest

from scripts import annotations as ann
from scripts.__main__ import main
from scripts.evaluate import (align_proposed, fits_content, load_polnear, loo_registry, prf, score_mentions,
                              score_polnear, score_quotes, score_quotes_by_source, score_statistics, speaker_agrees,
                              with_continued_attribution)


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
    for table, attribute in (("quotes", "speaker"), ("statistics", "measure"), ("mentions", "entity")):
        line = next(line for line in out.splitlines() if line.startswith(table))
        assert "P " in line and "F1 " in line and attribute in line
    source_id = ann.load_source_annotations()[0].source_id
    assert source_id[:44] in out


def test_one_prf_for_every_scorer():
    assert prf(2, 4, 3) == pytest.approx({"precision": 0.5, "recall": 2 / 3, "f1": 4 / 7})
    assert prf(0, 0, 0) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_score_quotes_token_overlap_and_speaker_accuracy():
    curated = [{"text": "The road is open to all traffic", "speaker": "a"},
               {"text": "shackles of slavery", "speaker": "b"}]
    drafted = [{"text": "“The road is open.”", "speaker": "a"},       # 4 of 7 tokens: matches
               {"text": "Shackles of Slavery!", "speaker": "c"},     # same tokens, other speaker
               {"text": "an unrelated sentence", "speaker": None}]
    score = score_quotes(drafted, curated)
    assert (score["matched"], score["recall"]) == (2, 1.0)
    assert score["precision"] == pytest.approx(2 / 3)
    assert score["speaker_accuracy"] == 0.5
    assert score_quotes([{"text": "The road", "speaker": "a"}], curated[:1])["matched"] == 0


def test_statistics_measure_and_period_fit_only_without_wrong_words():
    curated = [{"start": 0, "end": 2, "value": 12, "value_low": 12, "value_high": 12, "qualifier": "exact",
                "unit": "count", "measure": "soldiers killed", "period": "2024"}]
    kept = {**curated[0], "measure": "soldiers", "period": None}
    wrong = {**curated[0], "measure": "together", "period": "2024"}
    assert score_statistics([kept], curated)["measure_accuracy"] == 1.0
    assert score_statistics([kept], curated)["period_accuracy"] == 0.0
    assert score_statistics([wrong], curated)["measure_accuracy"] == 0.0
    assert score_statistics([wrong], curated)["period_accuracy"] == 1.0


def test_speaker_agreement_needs_a_shared_content_word():
    assert speaker_agrees({"speaker_text": "Karl Rove"}, "Mr. Rove")
    assert speaker_agrees({"speaker_text": "he", "speaker_names": ["Karl Rove"]}, "Mr. Rove")
    assert speaker_agrees({"speaker_text": "the newspaper"}, "the newspaper")
    assert not speaker_agrees({"speaker_text": "he"}, "Mr. Rove")  # a pronoun agrees only with itself
    assert not speaker_agrees({"speaker_text": "Karl Rove"}, "the campaign")
    assert not speaker_agrees({"speaker_text": None}, "Mr. Rove")


def test_a_continuation_is_scored_with_the_attribution_it_continues():
    # '"We will win," she said. "The polls agree."': the second row has no speaker as written
    quotes = [{"start": 30, "end": 40, "speaker": "ana-ruiz", "speaker_text": None},
              {"start": 0, "end": 10, "speaker": "ana-ruiz", "speaker_text": "she"},
              {"start": 50, "end": 60, "speaker": "tom-lee", "speaker_text": None}]
    scored = with_continued_attribution(quotes)
    assert [q["start"] for q in scored] == [30, 0, 50]  # the order given is kept
    assert scored[0]["continues_text"] == "she"
    assert scored[2]["continues_text"] is None  # no earlier attribution of that speaker
    assert speaker_agrees(scored[0], "she", continued=True)
    assert not speaker_agrees(scored[0], "she")  # the rule: no speaker as written, no entity names
    assert not speaker_agrees(scored[0], "he", continued=True)
    assert not speaker_agrees(scored[2], "he", continued=True)
    # a quote with its own speaker as written is scored by it, not by an earlier attribution
    own = with_continued_attribution([quotes[1], {"start": 20, "end": 25, "speaker": "ana-ruiz",
                                                  "speaker_text": "Ms. Ruiz"}])
    assert "continues_text" not in own[1] and not speaker_agrees(own[1], "she", continued=True)
    # a speaker left without an entity is carried on by the row just before only
    plain = with_continued_attribution([
        {"start": 0, "end": 9, "speaker": None, "speaker_text": "a market analyst"},
        {"start": 20, "end": 29, "speaker": None, "speaker_text": None},
        {"start": 40, "end": 49, "speaker": None, "speaker_text": None},
        {"start": 60, "end": 69, "speaker": "tom-lee", "speaker_text": "Tom Lee"},
        {"start": 80, "end": 89, "speaker": None, "speaker_text": None}])
    assert [q.get("continues_text") for q in plain] == [None, "a market analyst", "a market analyst", None, None]


def test_a_drafted_quote_fits_a_content_it_lies_inside_or_half_overlaps():
    text = "He said the plan “will fail badly” and that “nobody wants it” in the end."
    gold = {"start": 8, "end": 62, "fragments": [(8, 62)], "source": "He"}
    inside = (text.index("will"), text.index(" badly") + 6)
    assert fits_content(text, inside, gold) == 1.0
    assert fits_content(text, (0, 7), gold) == 0.0


def _write_polnear(root, name, text, ann_lines):
    (root / "text").mkdir(exist_ok=True)
    (root / "attributions").mkdir(exist_ok=True)
    (root / "text" / f"{name}.txt").write_text(text, encoding="utf-8")
    (root / "attributions" / f"{name}_x.ann").write_text("\n".join(ann_lines) + "\n", encoding="utf-8")


def test_polnear_gold_and_scores_on_a_small_corpus(tmp_path):
    text = ("“Taxes will fall,” the senator said.\n"
            "The mayor told reporters that the bridge would reopen in May.\n"
            "Voters believe the economy is weak.\n")
    def at(fragment):
        start = text.index(fragment)
        return f"{start} {start + len(fragment)}\t{fragment}"
    _write_polnear(tmp_path, "a1", text, [
        f"T1\tContent {at('“Taxes will fall,”')}", f"T2\tSource {at('the senator')}", f"T3\tCue {at('said')}",
        "E1\tAttribution:T9 Content:T1 Source:T2 Cue:T3",
        f"T4\tContent {at('the bridge would reopen in May')}", f"T5\tSource {at('The mayor')}",
        f"T6\tCue {at('told')}", "E2\tAttribution:T8 Content:T4 Source:T5 Cue:T6",
        # a belief is an attribution but not speech: no gold of the speech-verb recall
        f"T7\tContent {at('the economy is weak')}", f"T10\tSource {at('Voters')}", f"T11\tCue {at('believe')}",
        "E3\tAttribution:T12 Content:T7 Source:T10 Cue:T11",
    ])
    [article] = load_polnear(tmp_path)
    assert [g["source"] for g in article["quoted"]] == ["the senator"]
    assert [g["source"] for g in article["indirect"]] == ["The mayor"]
    bridge = text.index("the bridge")
    drafted = [{"start": 1, "end": 16, "kind": "direct", "speaker_text": "the senator"},
               {"start": bridge, "end": bridge + 30, "kind": "indirect", "speaker_text": "Jo Smith",
                "speaker_names": ["Jo Smith"]}]
    result = score_polnear([article], [drafted])
    assert result["quoted"]["f1"] == 1.0
    assert result["speech_recall"] == 1.0 and result["indirect_precision"] == 1.0
    # a drafted belief is no speech-verb gold, but it is an attribution PolNeAR annotates
    weak = text.index("the economy is weak")
    belief = {"start": weak, "end": weak + 19, "kind": "indirect", "speaker_text": "Voters"}
    both = score_polnear([article], [[*drafted, belief]])
    assert both["indirect_precision"] == 0.5 and both["indirect_precision_any"] == 1.0
    assert result["speaker_agreement"] == 0.5  # "Jo Smith" shares no word with "The mayor"
    assert result["speaker_agreement_continued"] == 0.5
    # every scored pair, for reading the disagreements (benchmarks/polnear_speakers.py)
    assert [(name, d["speaker_text"], g["source"], agreed) for name, d, g, agreed in result["speaker_pairs"]] == [
        ("a1", "the senator", "the senator", True), ("a1", "Jo Smith", "The mayor", False)]
    assert score_polnear([article], [None])["articles_lost"] == 1


def test_a_relative_pronoun_source_stands_for_the_phrase_before_its_comma(tmp_path):
    text = "On a wet Monday in May voters met Ana Ruiz, who said the bridge would reopen.\n"

    def at(fragment):
        start = text.index(fragment)
        return f"{start} {start + len(fragment)}\t{fragment}"
    _write_polnear(tmp_path, "a1", text, [
        f"T1\tContent {at('the bridge would reopen')}", f"T2\tSource {at('who')}", f"T3\tCue {at('said')}",
        "E1\tAttribution:T9 Content:T1 Source:T2 Cue:T3"])
    [article] = load_polnear(tmp_path)
    [gold] = article["indirect"]
    assert gold["source"] == "who"  # the rule scores the Source as annotated
    assert not speaker_agrees({"speaker_text": "Ana Ruiz"}, gold["source"])
    # the variant reads the antecedent: five words at most
    assert gold["source_antecedent"] == "May voters met Ana Ruiz, who"
    assert speaker_agrees({"speaker_text": "Ana Ruiz"}, gold["source_antecedent"])
    assert not speaker_agrees({"speaker_text": "Tom Lee"}, gold["source_antecedent"])
    assert not speaker_agrees({"speaker_text": "the wet Monday"}, gold["source_antecedent"])
    ruiz = text.index("the bridge")
    scored = score_polnear([article], [[{"start": ruiz, "end": ruiz + 23, "kind": "indirect",
                                         "speaker_text": "Ana Ruiz"}]])
    assert scored["speaker_agreement"] == 0.0 and scored["speaker_agreement_continued"] == 1.0
