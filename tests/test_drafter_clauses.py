"""Reported clauses anywhere in the sentence: several clauses per sentence (', adding that',
', but they argued that', coordinated verbs), attribution between commas, after the clause, and
after an opening phrase. Fixtures are invented sentences, one construct each."""

from __future__ import annotations

from scripts.drafter.quotes import extract_quotes


def indirect(text: str) -> list[tuple[str, str | None, str | None]]:
    """(clause, speaker as written, cue) of every drafted indirect quote, in text order."""
    return [(r["text"], r["speaker_text"], r["cue"]) for r in extract_quotes(text, []) if r["kind"] == "indirect"]


def test_adding_that_splits_the_report_into_two_clauses_of_one_speaker() -> None:
    text = "The provincial council said the road would reopen on Friday, adding that tolls would be waived.\n"
    assert indirect(text) == [("the road would reopen on Friday", "The provincial council", "said"),
                              ("tolls would be waived", "The provincial council", "adding")]


def test_but_they_argued_that_starts_a_second_clause() -> None:
    text = "Both farmers said the harvest was late, but they argued that prices would hold.\n"
    assert indirect(text) == [("the harvest was late", "Both farmers", "said"),
                              ("prices would hold", "they", "argued")]


def test_coordinated_verbs_share_their_subject() -> None:
    text = "Maria Lopez, a tax lawyer, has conceded the rule is unfair and says she can mend it.\n"
    rows = indirect(text)
    assert [r[0] for r in rows] == ["the rule is unfair", "she can mend it"]
    assert {r[1] for r in rows} == {"Maria Lopez"}


def test_attribution_between_commas_gives_the_clause_after_it() -> None:
    text = "Earlier that week, she said, the pupils were collecting blankets for the shelter.\n"
    assert indirect(text) == [("the pupils were collecting blankets for the shelter", "she", "said")]


def test_plural_speaker_between_commas() -> None:
    text = "For all the early doubts about the scheme, economists say, the new port will pay for itself.\n"
    assert indirect(text) == [("the new port will pay for itself", "economists", "say")]


def test_clause_then_present_tense_speaker() -> None:
    text = "The figures would show the firms' ties to the ministry, the auditors say.\n"
    assert indirect(text) == [("The figures would show the firms' ties to the ministry", "the auditors", "say")]


def test_participle_after_an_opening_phrase_takes_the_sentence_subject() -> None:
    text = "In a memo, Okafor laid out the options for the board, noting that the vote could be delayed.\n"
    assert indirect(text) == [("the vote could be delayed", "Okafor", "noting")]


def test_a_clause_reported_inside_another_stays_whole() -> None:
    text = "The envoy said officials claimed that the talks had failed.\n"
    clauses = [r[0] for r in indirect(text)]
    assert "officials claimed that the talks had failed" in clauses


def test_a_time_phrase_is_never_the_speaker() -> None:
    text = ("Ahmad Wali in recent days has suggested the talks could fail.\n\n"
            "The provincial council sent a letter on Friday morning saying that the road would stay closed.\n")
    assert indirect(text) == [("the talks could fail", "Ahmad Wali", "has suggested"),
                              ("the road would stay closed", "The provincial council", "saying")]


def test_participle_after_a_quote_takes_the_quote_s_speaker() -> None:
    text = '"This could be our last chance," said Derek Kane, a student, arguing that the vote mattered.\n'
    assert indirect(text) == [("the vote mattered", "Derek Kane", "arguing")]


def test_a_reporting_word_used_as_a_noun_gives_no_speaker() -> None:
    text = "The senator's remarks carried echoes of an old “grand bargain” with the unions.\n"
    assert [r for r in extract_quotes(text, []) if r["speaker_text"] in {"carried", "remarks"}] == []


def test_a_headline_in_title_case_keeps_its_verb() -> None:
    text = "Jane Doe Claims “The Budget Is Balanced” After Vote.\n"
    rows = extract_quotes(text, [])
    assert [(r["text"], r["speaker_text"]) for r in rows] == [("The Budget Is Balanced", "Jane Doe")]


def test_a_noun_or_an_infinitive_after_the_clause_is_no_attribution() -> None:
    text = ("The town has asked the province to fund a new bridge, a demand that remains unmet.\n\n"
            "Although the union, at first, asked the board to delay the vote, this time it agreed to take part.\n")
    assert indirect(text) == []
