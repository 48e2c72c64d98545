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


def test_the_reported_clause_ends_where_the_writer_s_clause_begins() -> None:
    text = "Aides insisted it was not a rally, but the mayor's speech was on clear display in the hall.\n"
    assert indirect(text) == [("it was not a rally", "Aides", "insisted")]


def test_a_parenthesis_of_the_writer_is_not_reported() -> None:
    text = "The envoy said he would end the levy on grain (a tax on farmers since 1990), as did the minister.\n"
    assert indirect(text)[0][0] == "he would end the levy on grain"


def test_a_verb_coordinated_with_and_takes_the_sentence_subject() -> None:
    text = "Gomez criticised the council for its delays and said the repairs would take a year.\n"
    assert indirect(text) == [("the repairs would take a year", "Gomez", "said")]


def test_a_clause_ends_before_a_new_attribution_of_a_quote() -> None:
    text = 'When the governor said he would not sign the bill, the mayor replied, "Then we wait."\n'
    clauses = [r[0] for r in indirect(text)]
    assert clauses == ["he would not sign the bill"]


def test_a_quoted_fragment_inside_the_clause_leaves_the_clause_without_a_row() -> None:
    text = 'An analyst explained that the support of the rebels, including “safe havens”, was decisive.\n'
    rows = extract_quotes(text, [])
    assert [(r["kind"], r["text"]) for r in rows] == [("partial", "safe havens")]


def test_a_bare_clause_after_tell_with_an_object_and_after_stressed() -> None:
    text = ("All of my neighbours tell me they would have voted for the levy.\n\n"
            "The minister stressed the dam would be finished by June.\n")
    assert [r[0] for r in indirect(text)] == ["they would have voted for the levy",
                                              "the dam would be finished by June"]


def test_state_as_a_noun_opens_no_clause() -> None:
    text = "Ohio is a battleground state and the candidates swept through the state twice.\n"
    assert indirect(text) == []


def test_he_said_adding_that_goes_to_he_and_reports_the_clause_before() -> None:
    text = "Farid Ahmadi met the envoy.\n\nThe council had approved the plan, he said, adding that the vote was postponed.\n"
    assert indirect(text) == [("The council had approved the plan", "he", "said"),
                              ("the vote was postponed", "he", "adding")]


def test_and_that_splits_the_reported_content_and_according_to_is_not_reported() -> None:
    text = "The governor said the road was open, according to the provincial police, and that trucks were moving.\n"
    assert indirect(text) == [("the road was open", "The governor", "said"),
                              ("trucks were moving", "The governor", "said")]


def test_according_to_at_the_end_or_inside_the_sentence() -> None:
    text = ("Floods doubled last year, according to the Delta Watch Group.\n\n"
            "The smugglers, according to a border official, crossed the river at night.\n")
    assert indirect(text) == [("Floods doubled last year", "the Delta Watch Group", "according to"),
                              ("crossed the river at night", "a border official", "according to")]


def test_a_two_word_speaker_between_commas_after_an_opening_phrase() -> None:
    # the first comma's words ("the coach, local analysts") are not taken for speaker and verb
    text = "For all the doubts about the coach, local analysts say, the season went well.\n"
    assert indirect(text) == [("the season went well", "local analysts", "say")]


def test_a_verb_that_takes_noun_objects_reports_a_bare_clause_with_its_own_subject() -> None:
    assert indirect("The governor has denied she has any stake in the mine.\n") == [
        ("she has any stake in the mine", "The governor", "has denied")]
    assert indirect("Olu Bakare vowed he and his allies would never give up.\n") == [
        ("he and his allies would never give up", "Olu Bakare", "vowed")]
    assert indirect("The land records indicate the stadium was built without a permit.\n") == [
        ("the stadium was built without a permit", "The land records", "indicate")]


def test_a_noun_object_after_such_a_verb_is_no_clause() -> None:
    for text in ("The governor has denied the charge.\n", "The governor denied all three allegations.\n",
                 "He wrote the memo in 2011 to lawyers reviewing the fund.\n",
                 "The club reported a loss of nine million last year.\n",
                 "She promised visas to the investors who came.\n", "He swore it to the court.\n"):
        assert indirect(text) == [], text


def test_as_x_reported_opens_a_sentence_with_its_attribution() -> None:
    assert indirect("As the Herald reported on Monday, the club will move to a new stadium.\n") == [
        ("the club will move to a new stadium", "the Herald", "reported")]
    assert indirect("As the Gazette reported Friday night, the club will move to a new stadium.\n") == [
        ("the club will move to a new stadium", "the Gazette", "reported")]
    # an object after the verb, or a verb that reports nothing: no attribution
    assert indirect("As the Gazette reported the loss, the club will move to a new stadium.\n") == []
    assert indirect("As Ana Ruiz slowly expands her campaign into rural towns, she should hire more staff.\n") == []


def test_if_opens_a_reported_question_only_after_a_verb_that_asks() -> None:
    assert indirect("The union asked its members if the strike should go ahead.\n") == [
        ("the strike should go ahead", "The union", "asked")]
    assert indirect("The mayor warned the plan would fail if taxes rose.\n") == [
        ("the plan would fail if taxes rose", "The mayor", "warned")]


def test_listeners_between_tell_and_its_bare_clause_are_not_reported() -> None:
    assert indirect("He told reporters in Lund he would resign.\n") == [("he would resign", "He", "told")]
    assert indirect("The coach told the players they would start on Sunday.\n") == [
        ("they would start on Sunday", "The coach", "told")]


def test_a_gerund_after_by_still_reports_and_its_speaker_is_the_name_before_the_verb() -> None:
    assert indirect("Governor Bill Otto won not by showing his wealth but by telling voters he shared their "
                    "worries.\n") == [("he shared their worries", "Bill Otto", "telling")]
    assert indirect("Ana Ruiz spoke for an hour, telling voters she would cut the levy.\n") == [
        ("she would cut the levy", "Ana Ruiz", "telling")]


def test_a_long_post_in_apposition_leaves_the_name_as_speaker() -> None:
    text = ("Lena Fischer, senior fellow for maritime and energy security studies at the Baltic Policy Institute "
            "in Riga, said that the port's closure might have reflected fears over its owners.\n")
    assert indirect(text) == [("the port's closure might have reflected fears over its owners", "Lena Fischer",
                               "said")]


def test_a_long_clause_before_a_plural_speaker_at_the_end_is_reported_without_its_link() -> None:
    assert indirect("But union leaders, including Holm, continue to raise money for the strike fund, officials "
                    "said.\n") == [("union leaders, including Holm, continue to raise money for the strike fund",
                                    "officials", "said")]
    assert indirect("In Lund, officials said.\n") == []


def test_a_relative_clause_of_the_writer_ends_the_report_but_one_inside_it_stays() -> None:
    assert indirect("Senator Ana Ruiz said she would no longer back the levy, which has sparked a feud between "
                    "the two.\n") == [("she would no longer back the levy", "Ana Ruiz", "said")]
    assert indirect("Ana Ruiz said the plan, which cost nine million, would fail.\n") == [
        ("the plan, which cost nine million, would fail", "Ana Ruiz", "said")]


def test_a_numeral_subject_is_no_time_phrase() -> None:
    assert indirect("The two said they had taken their case to the mayor.\n") == [
        ("they had taken their case to the mayor", "The two", "said")]
    assert indirect("The council in recent days has said the pool would close.\n") == [
        ("the pool would close", "The council", "has said")]
