"""The drafter's quote extractor (guidelines section 2) and its scoring (section 5, PolNeAR).

Fixtures are invented sentences, one construct each; entity spans are located by their text."""

from __future__ import annotations


from hypothesis import given, settings
from hypothesis import strategies as st

from scripts.drafter.quotes import extract_quotes


def spans(text: str, *entities: tuple[str, str, str]) -> list[tuple[int, int, str, str]]:
    """Entity spans for every occurrence of each (surface, entity_id, type)."""
    found = []
    for surface, entity_id, entity_type in entities:
        start = text.find(surface)
        while start >= 0:
            found.append((start, start + len(surface), entity_id, entity_type))
            start = text.find(surface, start + 1)
    return sorted(found)


def only(rows: list[dict]) -> dict:
    assert len(rows) == 1, rows
    return rows[0]


def test_curly_quote_with_pronoun_resolves_to_the_named_speaker_before() -> None:
    text = ("Nadia Karimi, spokeswoman for the Relief Council, said aid had reached the valley.\n\n"
            "“We will send more trucks next week,” she said.")
    rows = extract_quotes(text, spans(text, ("Nadia Karimi", "nadia-karimi", "PERSON"),
                                      ("Relief Council", "relief-council", "ORG")))
    direct = [r for r in rows if r["kind"] == "direct"]
    quote = only(direct)
    assert quote["text"] == "We will send more trucks next week"
    assert text[quote["start"]:quote["end"]] == quote["text"]
    assert (quote["speaker"], quote["speaker_text"], quote["cue"]) == ("nadia-karimi", "she", "said")
    assert quote["speaker_role"] == "spokeswoman for the Relief Council"
    indirect = only([r for r in rows if r["kind"] == "indirect"])
    assert indirect["text"] == "aid had reached the valley"
    assert indirect["speaker_text"] == "Nadia Karimi"


def test_quote_split_by_its_attribution_is_two_rows_with_one_speaker() -> None:
    text = "“The road is open,” he said, “but the tunnel stays closed until spring.”"
    rows = extract_quotes(text)
    assert [r["text"] for r in rows] == ["The road is open", "but the tunnel stays closed until spring."]
    assert all(r["kind"] == "direct" and r["speaker_text"] == "he" for r in rows)


def test_straight_quotes_apostrophes_and_appositive_role() -> None:
    text = "\"We don't know who fired first,\" said Jane Roe, a spokeswoman for the Acme Group, on Monday."
    quote = only(extract_quotes(text, spans(text, ("Jane Roe", "jane-roe", "PERSON"),
                                            ("Acme Group", "acme-group", "ORG"))))
    assert quote["text"] == "We don't know who fired first"
    assert (quote["speaker"], quote["speaker_text"]) == ("jane-roe", "Jane Roe")
    assert quote["speaker_role"] == "a spokeswoman for the Acme Group"


def test_doubled_apostrophes_typed_as_quotation_marks() -> None:
    text = "''Prices will keep rising,'' Mr. Lowe said."
    quote = only(extract_quotes(text))
    assert (quote["text"], quote["speaker_text"], quote["cue"]) == ("Prices will keep rising", "Mr. Lowe", "said")


def test_missing_opening_mark_runs_from_the_paragraph_start() -> None:
    text = "Our borders are closed to smugglers. We check every truck,” said Omar Farid."
    quote = only(extract_quotes(text))
    assert quote["kind"] == "direct"
    assert quote["text"] == "Our borders are closed to smugglers. We check every truck"
    assert quote["speaker_text"] == "Omar Farid"
    assert "opening" in quote["note"]


def test_closing_mark_without_attribution_is_not_a_quote() -> None:
    assert extract_quotes("The valley was quiet” for weeks before the storm.") == []


def test_missing_closing_mark_runs_to_the_paragraph_end() -> None:
    text = "Lena Park said: “The river has risen again and the bridge is gone.\n\nRepairs begin in May."
    quote = only([r for r in extract_quotes(text) if r["kind"] == "direct"])
    assert quote["text"] == "The river has risen again and the bridge is gone."
    assert quote["speaker_text"] == "Lena Park"
    assert "closing" in quote["note"]


def test_unattributed_quote_after_a_quote_continues_its_speaker() -> None:
    text = ("“The talks failed,” said Tom Hale, the envoy.\n\n"
            "“They will resume when both sides are ready.")
    rows = extract_quotes(text, spans(text, ("Tom Hale", "tom-hale", "PERSON")))
    assert [r["speaker"] for r in rows] == ["tom-hale", "tom-hale"]
    continuation = rows[1]
    assert continuation["speaker_text"] is None and continuation["cue"] is None
    assert continuation["speaker_role"] == "the envoy"


def test_partial_quote_inside_the_writers_sentence() -> None:
    text = "Minister Ali Reza called the agreement a “historic step” for the region."
    quote = only(extract_quotes(text, spans(text, ("Ali Reza", "ali-reza", "PERSON"))))
    assert (quote["kind"], quote["text"], quote["cue"]) == ("partial", "historic step", "called")
    assert (quote["speaker"], quote["speaker_role"]) == ("ali-reza", "Minister")


def test_quoted_fragment_in_a_reported_clause_is_one_partial_row() -> None:
    text = "Director Ana Ruiz said the plan would create a ‘new corridor’ for trade."
    quote = only(extract_quotes(text))
    assert (quote["kind"], quote["text"], quote["speaker_text"]) == ("partial", "new corridor", "Ana Ruiz")


def test_scare_quotes_and_titles_are_not_quotes() -> None:
    text = ("Border Talks Seen as ‘Turning Point’ for Region\n\n"
            "The so-called “peace dividend” never arrived in the border towns.")
    assert extract_quotes(text) == []


def test_indirect_speech_forms() -> None:
    text = ("The ministry stated that the convoy was attacked near the pass.\n\n"
            "According to the Harbour Institute, exports fell sharply in 2023.\n\n"
            "The attack was planned abroad, the embassy said.\n\n"
            "The governor has denied hiding the reports.")
    rows = extract_quotes(text, spans(text, ("Harbour Institute", "harbour-institute", "ORG")))
    assert [(r["kind"], r["text"], r["cue"]) for r in rows] == [
        ("indirect", "the convoy was attacked near the pass", "stated"),
        ("indirect", "exports fell sharply in 2023", "According to"),
        ("indirect", "The attack was planned abroad", "said"),
        ("indirect", "hiding the reports", "has denied"),
    ]
    assert rows[1]["speaker"] == "harbour-institute"
    assert rows[2]["speaker_text"] == "the embassy"


def test_a_dateline_opening_the_paragraph_is_no_part_of_the_reported_clause() -> None:
    text = ("MARDAN, Jan 5 — The market was closed after the blast, a district officer said.\n\n"
            "HARBOURTON, Sept. 14, 2024 — Two roads were reopened on Friday, police said.\n\n"
            "LOWTOWN (Wire) — The ferry resumed its crossings, the operator said.")
    rows = extract_quotes(text, [])
    assert [(r["text"], r["speaker_text"]) for r in rows] == [
        ("The market was closed after the blast", "a district officer"),
        ("Two roads were reopened on Friday", "police"),
        ("The ferry resumed its crossings", "the operator"),
    ]


def test_noun_phrase_objects_requests_and_hopes_are_not_quotes() -> None:
    text = ("The council condemned the attack on the market.\n\n"
            "Officials urged the rebels to lay down their arms.\n\n"
            "Islamabad hoped that the talks would resume.\n\n"
            "The government denies allegations of abuse.")
    assert extract_quotes(text) == []


def test_channels_told_interview_and_trailing_reminds() -> None:
    text = ("“We are ready to talk,” Karim Aziz told Radio Free Europe.\n\n"
            "In an interview with the Daily Star, analyst Mia Holt said that the ceasefire would hold.\n\n"
            "General Omar Qadir called the strikes a “warning”. - reminds Gulf News.")
    rows = extract_quotes(text, spans(text, ("Karim Aziz", "karim-aziz", "PERSON"),
                                      ("Radio Free Europe", "rfe", "ORG"), ("Daily Star", "daily-star", "ORG"),
                                      ("Mia Holt", "mia-holt", "PERSON"), ("Omar Qadir", "omar-qadir", "PERSON"),
                                      ("Gulf News", "gulf-news", "ORG")))
    assert [(r["speaker"], r["channel"]) for r in rows] == [
        ("karim-aziz", "rfe"), ("mia-holt", "daily-star"), ("omar-qadir", "gulf-news")]
    assert rows[1]["speaker_role"] == "analyst"


def test_pull_quote_takes_the_speaker_of_the_same_words_in_the_body() -> None:
    text = ("“Water” is the next frontier of this dispute\n\n"
            "Speaking in Geneva, hydrologist Ravi Menon said that “water is the next frontier of this dispute”.")
    rows = extract_quotes(text, spans(text, ("Ravi Menon", "ravi-menon", "PERSON")))
    pull = rows[0]
    assert pull["text"] == "“Water” is the next frontier of this dispute"
    assert (pull["kind"], pull["speaker"], pull["speaker_text"], pull["cue"]) == ("direct", "ravi-menon", None, None)
    assert rows[1]["speaker_text"] == "Ravi Menon"


def test_attributions_with_age_infinitive_and_speaker_label() -> None:
    text = ("\"I will vote early this year,\" Ruth Adler, 81, said in an interview.\n"
            "He went on to say, “The old bridge has to be rebuilt before winter.”\n"
            "Paul Ortiz, The Valley Courier: \"Turnout was higher than anyone expected.\"")
    rows = extract_quotes(text)
    assert [(r["kind"], r["speaker_text"]) for r in rows] == [
        ("direct", "Ruth Adler"), ("direct", "He"), ("direct", "Paul Ortiz")]
    assert rows[2]["speaker_role"] == "The Valley Courier"


def test_joint_speakers_have_no_entity() -> None:
    text = "Both UN and Afghan officials estimate that 900 families have fled."
    quote = only(extract_quotes(text, spans(text, ("UN", "united-nations", "ORG"))))
    assert (quote["speaker"], quote["speaker_text"]) == (None, "Both UN and Afghan officials")
    assert quote["note"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["“", "”", "\"", "‘", "’", "'", "''", " said ", " he ", "Ali Khan", ", ", ". ",
                                 "\n\n", "that ", "According to ", "the talks", " – ", "word"]), max_size=40))
def test_never_raises_and_every_span_is_a_slice(parts: list[str]) -> None:
    text = "".join(parts)
    rows = extract_quotes(text, spans(text, ("Ali Khan", "ali-khan", "PERSON")))
    assert rows == sorted(rows, key=lambda r: (r["start"], r["end"]))
    for row in rows:
        assert text[row["start"]:row["end"]] == row["text"] and row["text"]
        assert row["kind"] in {"direct", "partial", "indirect"}


def rows_of(text: str) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, text, speaker as written, cue) of every quote of a text without entity spans."""
    return [(r["kind"], r["text"], r["speaker_text"], r["cue"]) for r in extract_quotes(text)]


def test_comma_between_subject_and_reporting_verb_keeps_the_subject_as_speaker() -> None:
    # a punctuation error of news copy: the phrase before the comma speaks, the clause after is the quote
    assert rows_of("A delegate of the Harbour Union, said three ferries sank in the storm.") == \
        [("indirect", "three ferries sank in the storm", "A delegate of the Harbour Union", "said")]
    assert rows_of("The council's press office, said the bridge would reopen in May.") == \
        [("indirect", "the bridge would reopen in May", "The council's press office", "said")]
    # a clause before the comma is still the quote and the phrase after the verb the speaker
    assert rows_of("The ferry was overloaded, said the harbour master.") == \
        [("indirect", "The ferry was overloaded", "the harbour master", "said")]
    assert rows_of("The ferry, said to be overloaded, sank at dawn.") == []


def test_plural_noun_states_and_relative_that_are_not_reports() -> None:
    assert rows_of("Officials praised the member states that refused to sell arms.") == []
    assert rows_of("Several of the Gulf states that fund the canal deny any role.") == []
    assert rows_of("The treaty states that each party may leave after ten years.") == \
        [("indirect", "each party may leave after ten years", "The treaty", "states")]
    assert rows_of("She wrote an essay that argued for a ceasefire.") == []
    assert rows_of("In a column he wrote for the weekly that was printed on Friday, Roe mocked the mayor.") == []
    assert rows_of("He told the jury that he had never seen the letter.") == \
        [("indirect", "he had never seen the letter", "He", "told")]


def test_pronoun_after_an_opening_adverb_is_the_speaker() -> None:
    assert rows_of("Yesterday she said the vote had been postponed.") == \
        [("indirect", "the vote had been postponed", "she", "said")]


def test_quote_framed_by_a_gerund_a_coordinated_verb_or_a_colon_clause() -> None:
    assert rows_of("Roe stunned the hall by saying, \"The mine will close next spring.\"")[0][1:3] == \
        ("The mine will close next spring.", "Roe")
    assert rows_of("Doe walked back to the podium and declared, “We shall not be silenced.”")[0][1:3] == \
        ("We shall not be silenced.", "Doe")
    assert rows_of("Lee agreed: “We should have moved faster on the bridge.”")[0][1:] == \
        ("We should have moved faster on the bridge.", "Lee", "agreed")
    # a headline or an adverbial before a colon names nobody
    assert rows_of("Of the mayor: \"I never trusted a word he says.\"") == []
    assert rows_of("Doe lament on silent council members: 'Where are they now?'") == []


def test_adding_after_a_quote_keeps_its_speaker() -> None:
    text = "\"The bridge is safe,\" Lee told the council, adding, \"We inspected every bolt.\""
    assert [(r[1], r[2]) for r in rows_of(text)] == [("The bridge is safe", "Lee"), ("We inspected every bolt.", "Lee")]
    text = "''We will publish the audit,'' Mr. Lee said, adding that the cost was unknown."
    assert rows_of(text)[0][:3] == ("direct", "We will publish the audit", "Mr. Lee")


def test_appositive_with_an_article_is_the_role_and_titles_keep_their_full_stop() -> None:
    text = "\"It is not over,\" Jo Roe, a retired pilot, said in an interview."
    quote = only(extract_quotes(text))
    assert (quote["speaker_text"], quote["speaker_role"]) == ("Jo Roe", "a retired pilot")
    text = "\"The count is wrong,\" said Mr. Lee, the longest-serving council member."
    quote = only(extract_quotes(text))
    assert (quote["speaker_text"], quote["speaker_role"]) == ("Mr. Lee", "the longest-serving council member")


def test_attribution_after_a_question_or_exclamation_in_the_next_sentence() -> None:
    assert rows_of("\"Who will pay for the dam?\" Jo Roe asked at the hearing.") == \
        [("direct", "Who will pay for the dam?", "Jo Roe", "asked")]
    # a sentence that reports a clause of its own is not the question's attribution
    rows = extract_quotes("\"Who will pay for the dam?\" Engineers said the budget had doubled.")
    assert [(r["kind"], r["speaker_text"]) for r in rows] == [("direct", None), ("indirect", "Engineers")]


def test_according_to_after_a_closing_mark_names_the_speaker() -> None:
    assert rows_of("“Prices rose in every district,” according to the survey.") == \
        [("direct", "Prices rose in every district", "the survey", "according to")]
