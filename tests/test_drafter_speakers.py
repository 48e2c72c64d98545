"""Speaker resolution: definite descriptions to the body they name, a document to its author, the
head of the speaker's noun phrase over a modifier, datelines as places, and a participle's speaker.
Fixtures are invented sentences; entity spans are located by their text."""

from __future__ import annotations

from scripts.draft import draft_text
from scripts.drafter.quotes import extract_quotes
from test_drafter_quotes import spans


def speakers(text: str, *entities: tuple[str, str, str]) -> list[tuple[str, str | None, str | None]]:
    return [(r["text"], r["speaker"], r["speaker_text"]) for r in extract_quotes(text, spans(text, *entities))]


def test_the_ministry_resolves_to_the_nearest_ministry_named_before() -> None:
    text = ("The Ministry of Water said the dam was safe. The Relief Agency said aid was on its way.\n\n"
            "The ministry added that the gates would open on Friday.\n")
    rows = speakers(text, ("Ministry of Water", "ministry-of-water", "ORG"), ("Relief Agency", "relief-agency", "ORG"))
    assert rows[-1] == ("the gates would open on Friday", "ministry-of-water", "The ministry")


def test_the_embassy_skips_a_body_of_another_kind() -> None:
    text = ("A spokesman for the Embassy of Peru said the aid had arrived. The Harbour Council met later.\n\n"
            "The embassy said a second shipment would follow.\n")
    rows = speakers(text, ("Embassy of Peru", "embassy-of-peru", "ORG"), ("Harbour Council", "harbour-council", "ORG"))
    assert rows[-1] == ("a second shipment would follow", "embassy-of-peru", "The embassy")


def test_the_report_speaks_through_the_body_that_published_it() -> None:
    text = ("The report, published by the Coastal Watch Group, said storms had doubled.\n\n"
            "The report added that most of the damage was to farms.\n")
    rows = speakers(text, ("Coastal Watch Group", "coastal-watch-group", "ORG"))
    assert [r[1] for r in rows] == ["coastal-watch-group", "coastal-watch-group"]
    assert rows[0][0] == "storms had doubled"


def test_a_report_without_a_named_author_has_no_speaker_entity() -> None:
    text = "Lima is the capital.\n\nThe report said the river had risen.\n"
    assert speakers(text, ("Lima", "lima", "GPE")) == [("the river had risen", None, "The report")]


def test_a_place_modifying_the_head_is_not_the_speaker() -> None:
    text = ("The Embassy of Peru in Quito opened in May.\n\n"
            "A Quito embassy official said the visas would be issued next week.\n")
    rows = speakers(text, ("Embassy of Peru", "embassy-of-peru", "ORG"), ("Quito", "quito", "GPE"))
    assert rows == [("the visas would be issued next week", "embassy-of-peru", "A Quito embassy official")]


def test_a_dateline_with_a_colon_is_a_place() -> None:
    _mentions, proposed, _quotes, _statistics, _warnings = draft_text(
        "Floods close roads\n\nQUITO: The Road Authority said the pass was shut.\n", {})
    types = {e.names[0]: e.type for e in proposed.entities}
    assert types.get("QUITO") == "GPE"


def proposed_people(text: str) -> dict[str, str]:
    _mentions, proposed, _quotes, _statistics, _warnings = draft_text(text, {})
    return {e.names[0]: e.type for e in proposed.entities}


def test_a_lone_surname_that_speaks_is_a_person_and_continuations_resolve_to_it() -> None:
    text = ("Valley schools reopen\n\n"
            "\"The roof held,\" Okonkwo said. \"We start again on Monday.\"\n\n"
            "\"Nobody was hurt,\" says Varga.\n")
    _mentions, proposed, quotes, _statistics, _warnings = draft_text(text, {})
    people = {e.names[0]: e for e in proposed.entities if e.type == "PERSON"}
    assert {"Okonkwo", "Varga"} <= set(people)
    by_text = {q["text"]: q["speaker"] for q in quotes}
    assert by_text["We start again on Monday."] == people["Okonkwo"].entity_id


def test_a_common_noun_or_an_interjection_is_never_a_person() -> None:
    text = ("Roads close\n\n"
            "Police said the road was shut, and the police will reopen it soon.\n\n"
            "He said, \"Look, we are tired.\" \"Thanks,\" said Okafor. Mr. Adeyemi agreed.\n")
    people = {name for name, kind in proposed_people(text).items() if kind == "PERSON"}
    assert "Police" not in people and "Look" not in people and "Thanks" not in people
    assert {"Okafor", "Adeyemi"} <= people


def test_a_surname_of_a_named_person_is_an_alias_not_a_second_person() -> None:
    text = "Talks resume\n\nAmina Farouk, the mediator, chaired the talks. Farouk said they would resume in June.\n"
    assert [name for name, kind in proposed_people(text).items() if kind == "PERSON"] == ["Amina Farouk"]


def test_a_name_without_a_cue_is_a_person_when_its_surname_speaks_alone() -> None:
    text = ("Talks resume\n\nAmina Farouk chaired the talks. North Kivu was calm. Farouk said they would resume.\n"
            "Kivu said nothing.\n")
    assert [name for name, kind in proposed_people(text).items() if kind == "PERSON"] == ["Amina Farouk"]


def test_a_proposed_person_is_described_by_the_role_the_article_gives() -> None:
    text = ("Dam talks\n\nNadia Rahimi, the head of the River Council, said the dam was safe.\n\n"
            "Water expert Tomas Berg said the gates held.\n")
    _mentions, proposed, _quotes, _statistics, _warnings = draft_text(text, {})
    described = {e.names[0]: e.description for e in proposed.entities}
    assert described["Nadia Rahimi"].startswith("The head of the River Council")
    assert described["Tomas Berg"].startswith("Water expert")
    assert described["River Council"].startswith("An organisation the article names: “")


def test_a_news_agency_told_and_a_platform_posted_on_are_organisations_and_channels() -> None:
    text = ("Crossing reopens\n\nThe governor told Newsline that the crossing would reopen. "
            "She later posted on Chirper that trade would resume.\n")
    _mentions, proposed, quotes, _statistics, _warnings = draft_text(text, {})
    types = {e.names[0]: e.type for e in proposed.entities}
    assert types.get("Newsline") == "ORG" and types.get("Chirper") == "ORG"
    channel = {q["text"]: q["channel"] for q in quotes}["the crossing would reopen"]
    assert channel == next(e.entity_id for e in proposed.entities if e.names[0] == "Newsline")


def test_a_first_name_used_alone_is_an_alias_of_the_only_person_with_it() -> None:
    text = ("Dam talks\n\nNadia Rahimi, the head of the River Council, said the dam was safe. "
            "Later, Nadia said the gates held.\n")
    _mentions, proposed, quotes, _statistics, _warnings = draft_text(text, {})
    assert proposed.local_aliases.get("Nadia") == "nadia-rahimi"
    assert {q["text"]: q["speaker"] for q in quotes}["the gates held"] == "nadia-rahimi"


def test_a_first_name_two_people_share_is_no_alias() -> None:
    text = ("Dam talks\n\nNadia Rahimi, the head of the River Council, said the dam was safe. "
            "Nadia Karimi, a hydrologist, said the gates held. Nadia said more was needed.\n")
    _mentions, proposed, _quotes, _statistics, _warnings = draft_text(text, {})
    assert "Nadia" not in proposed.local_aliases


def test_a_relative_clause_or_a_prepositional_aside_before_the_verb_leaves_the_speaker() -> None:
    text = ("The mill owners, who declined to give their names, said the river had flooded twice.\n\n"
            "The Harbour Board, in a letter to tenants, said the quay would close in May.\n\n"
            "In Dorvale, where the fair was held, inspectors said the stalls were safe.\n")
    rows = speakers(text, ("Harbour Board", "harbour-board", "ORG"), ("Dorvale", "dorvale", "GPE"))
    assert rows == [("the river had flooded twice", None, "The mill owners"),
                    ("the quay would close in May", "harbour-board", "The Harbour Board"),
                    ("the stalls were safe", None, "inspectors")]


def test_an_aside_inside_a_quotation_is_not_a_speaker() -> None:
    # the opening mark is missing: the quotation runs from the paragraph's start
    text = ("Our main worry at this point is silt that comes from the upper river, which has been a burden in "
            "past years,” said Ada Marsh, the mayor’s adviser.\n")
    rows = speakers(text, ("Ada Marsh", "ada-marsh", "PERSON"))
    assert [(speaker, written) for _, speaker, written in rows] == [("ada-marsh", "Ada Marsh")]


def test_a_time_phrase_opening_the_sentence_is_not_the_speaker_of_a_colon_quote() -> None:
    text = ("Last November, Ada Marsh wrote: “Every road deserves to be mended.”\n\n"
            "Two weeks later, the council replied: “The roads will be mended in spring.”\n")
    rows = speakers(text, ("Ada Marsh", "ada-marsh", "PERSON"))
    assert [(speaker, written) for _, speaker, written in rows] == [("ada-marsh", "Ada Marsh"),
                                                                   (None, "the council")]


def test_an_adverb_set_off_by_commas_before_the_verb_leaves_the_speaker() -> None:
    text = ("Ada Marsh, meanwhile, says that the bridge will reopen in May.\n\n"
            "The ferry operators, though, said the river was too high.\n")
    rows = speakers(text, ("Ada Marsh", "ada-marsh", "PERSON"))
    assert rows == [("the bridge will reopen in May", "ada-marsh", "Ada Marsh"),
                    ("the river was too high", None, "The ferry operators")]


def test_a_pronoun_subject_is_the_speaker_without_the_adverbs_after_it() -> None:
    text = "Ada Marsh said on Sunday that she no longer believed the bridge would hold.\n"
    rows = speakers(text, ("Ada Marsh", "ada-marsh", "PERSON"))
    assert rows[-1] == ("the bridge would hold", "ada-marsh", "she")


def test_the_authority_resolves_to_the_authority_named_before() -> None:
    text = "Governor Ana Ruiz met the Tarn River Authority on Monday. The authority said the weir was unsafe.\n"
    rows = speakers(text, ("Ana Ruiz", "ana-ruiz", "PERSON"), ("Tarn River Authority", "tarn-river-authority", "ORG"))
    assert rows == [("the weir was unsafe", "tarn-river-authority", "The authority")]


def test_it_stands_for_a_body_never_for_a_person() -> None:
    text = "Ana Ruiz visited the Norvik Bank on Monday. It said rates would rise.\n"
    rows = speakers(text, ("Ana Ruiz", "ana-ruiz", "PERSON"), ("Norvik Bank", "norvik-bank", "ORG"))
    assert rows == [("rates would rise", "norvik-bank", "It")]


def test_a_rank_abbreviated_with_a_full_stop_stays_in_the_attribution() -> None:
    text = '"The port will reopen," said the Rev. Anna Berg. "We are ready."\n'
    rows = [(r["kind"], r["speaker"], r["speaker_text"]) for r in draft_text(text, {})[2]]
    assert rows == [("direct", "anna-berg", "Anna Berg"), ("direct", "anna-berg", None)]


def test_a_participle_aside_is_no_role_and_a_report_by_a_body_speaks_for_it() -> None:
    text = ("The Gazette, citing officials, reported that the mine would close. A report by the Lund Institute, "
            "published by the Gazette, said the mine was unsafe.\n")
    rows = [(r["text"], r["speaker"], r["speaker_role"])
            for r in extract_quotes(text, spans(text, ("Gazette", "gazette", "ORG"),
                                                ("Lund Institute", "lund-institute", "ORG")))]
    assert rows == [("the mine would close", "gazette", None), ("the mine was unsafe", "lund-institute", None)]


def test_a_coordinated_reporting_verb_takes_the_sentence_subject() -> None:
    text = ("Ana Ruiz departed from her prepared remarks on Friday during a rally in Lund and asserted that the port "
            "would stay open.\n")
    assert speakers(text, ("Ana Ruiz", "ana-ruiz", "PERSON"), ("Lund", "lund", "GPE")) == [
        ("the port would stay open", "ana-ruiz", "Ana Ruiz")]


def test_a_phrase_after_a_preposition_is_no_speaker() -> None:
    text = 'Bakare said the guard stopped her at the gate and, in a low voice said, "Go home."\n'
    rows = [(r["kind"], r["speaker_text"]) for r in extract_quotes(text, spans(text, ("Bakare", "bakare", "PERSON")))]
    assert ("direct", "a low voice") not in rows
    # a phrase after "in" that follows no "and" still gives the quote a speaker
    text = "In Lund the police said the road was closed.\n"
    assert [(r["text"], bool(r["speaker_text"])) for r in extract_quotes(text, spans(text, ("Lund", "lund", "GPE")))] \
        == [("the road was closed", True)]


def test_a_named_report_holds_its_clause_and_speaks() -> None:
    text = "Port officials on Monday denied a Gazette report that the harbour would close.\n"
    rows = speakers(text, ("Gazette", "gazette", "ORG"))
    assert rows == [("the harbour would close", "gazette", "a Gazette report")]


def test_a_reporting_word_before_a_copula_is_a_noun_with_no_speaker() -> None:
    assert speakers("The only real question now is whether the port can reopen.\n") == []
    # after a plural subject the form is a verb: the experts report
    assert [r[2] for r in speakers("Many experts agree the levy is likely to fall.\n")] == ["Many experts"]


def test_a_lone_speaking_word_is_a_body_after_the_or_before_its() -> None:
    text = ("Vantexa said its profits would fall. Okafor said he was tired. The Pentagon said the drill was over. "
            "Nadler said it was a mistake.\n")
    proposed = {e.name: e.type for e in draft_text(text, {})[1].entities}
    assert proposed == {"Vantexa": "ORG", "Okafor": "PERSON", "Pentagon": "ORG", "Nadler": "PERSON"}


def test_a_participle_after_the_verbs_object_takes_the_sentence_subject() -> None:
    text = ("The registered voter sent a sworn statement to the board of elections on Monday saying he had never "
            "voted twice.\n")
    assert speakers(text) == [("he had never voted twice", None, "The registered voter")]
    # after "with", the phrase before the participle is its subject
    text = 'Lund welcomed the vote, with Mayor Ana Ruiz calling it "a new dawn".\n'
    assert speakers(text, ("Lund", "lund", "GPE"), ("Ana Ruiz", "ana-ruiz", "PERSON")) == [
        ("a new dawn", "ana-ruiz", "Ana Ruiz")]


def test_a_framing_participle_and_a_coordinated_verb_before_a_quote_take_the_sentence_subject() -> None:
    def rows(text: str) -> list[tuple[str, str | None]]:
        return [(r["text"], r["speaker_text"]) for r in extract_quotes(text, [])]
    assert rows('Ana Ruiz is now celebrating her win, tweeting out a message on Tuesday declaring it was "so sweet" '
                'to be free.\n') == [("so sweet", "Ana Ruiz")]
    assert rows('But Tom Hale thanked the staff of the Lund clinic and said, "We owe them everything."\n') == [
        ("We owe them everything.", "Tom Hale")]
    # a capitalised reporting word inside a title is part of the subject (the title is the speaker's role)
    text = 'Secretary of State Ana Ruiz sent a letter to him praising his "steady hand" in the talks.\n'
    assert [(r["text"], r["speaker_text"], r["speaker_role"]) for r in draft_text(text, {})[2]] == [
        ("steady hand", "Ana Ruiz", "Secretary of State")]


def test_a_function_word_is_never_a_speaker_and_a_noun_after_that_gives_no_cue() -> None:
    def rows(text: str) -> list[tuple[str, str | None, str | None]]:
        return [(r["text"], r["speaker_text"], r["cue"]) for r in draft_text(text, {})[2]]
    assert rows('While praising the coach, Ms. Berg sighed: "It is more pain."\n') == [
        ("It is more pain.", "Berg", "sighed")]
    assert rows('In an email, Mr. Tom Hale denied the existence of an inquiry and said that reports of one were '
                '"an outrageous smear" by rivals.\n') == [("an outrageous smear", "Tom Hale", "said")]


def test_a_relayed_document_speaks_and_its_relayer_is_the_channel() -> None:
    text = ("The Lund Monitoring Team released its annual report on Monday. The report found that attacks had "
            "doubled, a spokesman for the Harbour Council said.\n\nA spokesman for the Harbour Council said the "
            "report by the Lund Monitoring Team found that the camps had grown.\n")
    rows = [(r["text"], r["speaker"], r["channel"]) for r in draft_text(text, {})[2]]
    assert rows == [("attacks had doubled", "lund-monitoring-team", "harbour-council"),
                    ("the camps had grown", "lund-monitoring-team", "harbour-council")]


def test_who_after_a_role_in_apposition_stands_for_the_name_before_it() -> None:
    text = "The plan drew praise from Ana Ruiz, a columnist for the Gazette, who said the bridge would open soon.\n"
    rows = [(r["text"], r["speaker"], r["speaker_text"], r["speaker_role"])
            for r in extract_quotes(text, spans(text, ("Ana Ruiz", "ana-ruiz", "PERSON"), ("Gazette", "gazette", "ORG")))]
    assert rows == [("the bridge would open soon", "ana-ruiz", "Ana Ruiz", "a columnist for the Gazette")]


def test_a_proposed_description_quotes_fewer_than_twelve_words_of_the_article() -> None:
    # descriptions are published in the open flavour, which holds no run of twelve words of an article
    text = ("Port talks\n\n\"We will keep the harbour open to every ship that pays its dues,\" said Lena Voss, "
            "a long-serving deputy director for the coastal shipping and fisheries authority of the northern "
            "islands. She added more.\n")
    _mentions, proposed, _quotes, _statistics, _warnings = draft_text(text, {})
    described = {e.names[0]: e.description for e in proposed.entities}
    words = text.replace('"', " ").replace(",", " ").split()
    runs = {" ".join(words[i:i + 12]) for i in range(len(words) - 11)}
    description = " ".join(described["Lena Voss"].replace("“", " ").replace("”", " ").replace(",", " ")
                           .replace('"', " ").split())
    assert "Lena Voss" in description
    assert not [run for run in runs if run in description]


# --- people proposed from the article, the head person, continuation paragraphs (issue 11) ---------

LEAD = "Markets were nervous on Monday, and traders sold shares across the region.\n\n"


def drafted_quotes(text: str) -> list[tuple[str, str | None, str | None]]:
    _mentions, _proposed, quotes, _statistics, _warnings = draft_text(text, {})
    return [(q["text"], q["speaker"], q["speaker_text"]) for q in quotes]


def test_a_first_name_that_only_ends_like_a_nationality_is_a_first_name_beside_a_speech_verb() -> None:
    # "Curtis" and "Dorian" end like "Swiss"-style and "Ian"-style adjectives, but nobody writes them as one
    text = (LEAD + "“The sell-off is overdone,” said Curtis Vale at Harbor Funds.\n\n"
            "“Buyers will come back,” Dorian Pike, chief strategist at North Bank, said.\n")
    people = proposed_people(text)
    assert people.get("Curtis Vale") == "PERSON" and people.get("Dorian Pike") == "PERSON"
    assert [speaker for _text, speaker, _written in drafted_quotes(text)] == ["curtis-vale", "dorian-pike"]


def test_a_listed_nationality_before_a_name_is_still_a_description() -> None:
    assert "Pakistani Officials" not in proposed_people(LEAD + "Pakistani Officials said the border was shut.\n")


def test_a_post_written_before_a_name_makes_it_a_person() -> None:
    text = LEAD + "The survey by pollster Wren Castillo, who ran it in May, expects a low turnout.\n"
    assert proposed_people(text).get("Wren Castillo") == "PERSON"


def test_an_honorific_before_a_name_that_opens_with_a_connector_makes_it_a_person() -> None:
    text = LEAD + "“We will march again,” said the Rev. Al Moreno. “Nobody can stop us.”\n"
    rows = drafted_quotes(text)
    assert rows[0][1] is not None and rows[0][1] == rows[1][1]  # the second sentence continues the first


def test_a_surname_followed_by_another_word_is_the_person_named_before() -> None:
    text = (LEAD + "“Rates will hold,” said Nadia Farrow, the bank's economist.\n\n"
            "“We see no reason to move,” Farrow Reuters said.\n")
    people = proposed_people(text)
    assert "Farrow Reuters" not in people and people.get("Nadia Farrow") == "PERSON"


def test_the_head_person_of_a_speaker_phrase_speaks_not_a_person_modifying_it() -> None:
    text = ("Ana Roe sued the city in May.\n\n"
            "“The claim is baseless,” Roe attorney Ben Kade said.\n\n"
            "“Ana Roe and Bo Lee agree,” Ana Roe and Bo Lee said.\n")
    rows = speakers(text, ("Ana Roe", "ana-roe", "PERSON"), ("Roe", "ana-roe", "PERSON"),
                    ("Ben Kade", "ben-kade", "PERSON"), ("Bo Lee", "bo-lee", "PERSON"))
    assert rows[0][1:] == ("ben-kade", "Ben Kade")
    assert rows[1][1] == "ana-roe"  # coordinated persons: the first, as before (not the last, a head's place)


def test_a_wholly_quoted_paragraph_after_an_attributed_quote_continues_it() -> None:
    text = (LEAD + "“Selling has not stopped,” Ines Navarro, an analyst at Delta Bank, said.\n\n"
            "“Funds are holding cash now. Nobody wants to be first back in.”\n")
    rows = extract_quotes(text, spans(text, ("Ines Navarro", "ines-navarro", "PERSON")))
    assert [(r["speaker"], r["speaker_text"], r["note"]) for r in rows] == [
        ("ines-navarro", "Ines Navarro", None), ("ines-navarro", None, None)]


def test_a_display_line_without_a_full_stop_stays_a_pull_quote() -> None:
    text = ("“Nobody wants to be first back in”\n\n"
            "“Selling has not stopped,” Ines Navarro said.\n")
    rows = extract_quotes(text, spans(text, ("Ines Navarro", "ines-navarro", "PERSON")))
    assert rows[0]["note"] == "pull quote with no attribution"


def test_a_belief_verb_frames_a_quote_only_before_it_or_before_a_clause() -> None:
    text = ("Lena Ortiz said she had held her peace for years out of “old loyalty” to the mayor.\n\n"
            "Omar Haddad said he believes she “cares about the port.”\n")
    rows = extract_quotes(text, spans(text, ("Lena Ortiz", "lena-ortiz", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON")))
    assert [(r["text"], r["speaker_text"], r["cue"]) for r in rows] == [
        ("old loyalty", "Lena Ortiz", "said"), ("cares about the port.", "he", "believes")]


def test_a_verb_right_after_a_quote_takes_the_speaker_after_it() -> None:
    text = "“Well done, Lena!” replied treasurer Omar Haddad, signing off with the slogan “Ports first.”\n"
    rows = extract_quotes(text, spans(text, ("Lena", "lena-ortiz", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON")))
    assert [(r["text"], r["speaker"]) for r in rows] == [("Well done, Lena!", "omar-haddad"),
                                                         ("Ports first.", "omar-haddad")]


def test_a_participle_after_an_attribution_between_commas_is_that_speakers() -> None:
    text = "Farmers are angry, Lena Ortiz suggested at the market on Friday, wondering aloud why they “stay home.”\n"
    rows = extract_quotes(text, spans(text, ("Lena Ortiz", "lena-ortiz", "PERSON")))
    assert [(r["text"], r["speaker"], r["cue"]) for r in rows] == [
        ("Farmers are angry", "lena-ortiz", "suggested"), ("stay home.", "lena-ortiz", "wondering")]


def test_a_light_verb_with_a_modified_reporting_noun_and_a_coordinated_subject() -> None:
    text = "Mayor Ortiz and her deputies sent a clear message in spring that the port would stay open.\n"
    rows = extract_quotes(text)
    assert [(r["text"], r["speaker_text"], r["cue"]) for r in rows] == [
        ("the port would stay open", "Mayor Ortiz and her deputies", "sent a clear message")]


def test_a_verb_after_a_clause_is_no_coordinated_subject() -> None:
    text = "Police arrived and officials said the road was closed.\n"
    assert [(r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [("officials", "said")]


def test_talking_of_frames_a_quoted_fragment() -> None:
    text = "The union objects to the mayor's tone when he talks of dockers who “never show up.”\n"
    assert [(r["text"], r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [
        ("never show up.", "he", "talks")]


def test_an_attribution_after_a_quote_is_not_a_report_of_its_own() -> None:
    text = ("“Who pays for the dredging?” Lena Ortiz, the mayor's adviser on ports, said at a forum in June.\n\n"
            "“Count me out,” said Omar Haddad, 34, waving his hand so fast that his papers flew.\n")
    rows = extract_quotes(text, spans(text, ("Lena Ortiz", "lena-ortiz", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON")))
    assert [(r["kind"], r["speaker"]) for r in rows] == [("direct", "lena-ortiz"), ("direct", "omar-haddad")]


def test_a_bare_attribution_sentence_after_a_full_stop_belongs_to_the_quote() -> None:
    text = "“The ships are coming back. All of them.” Omar Haddad said to applause. “And the jobs will follow.”\n"
    rows = extract_quotes(text, spans(text, ("Omar Haddad", "omar-haddad", "PERSON")))
    assert [(r["speaker"], r["speaker_text"]) for r in rows] == [("omar-haddad", "Omar Haddad"), ("omar-haddad", None)]


def test_a_continuation_carries_on_the_last_speaker_quoted_in_full() -> None:
    text = ("“The delay hurts everyone,” Lena Ortiz said, although the board has not called the berth "
            "formally “shut” so far.\n\n“Every week costs the town a ship.”\n")
    rows = extract_quotes(text, spans(text, ("Lena Ortiz", "lena-ortiz", "PERSON")))
    assert [(r["text"], r["speaker"]) for r in rows][-1] == ("Every week costs the town a ship.", "lena-ortiz")


def test_a_generational_suffix_ends_a_persons_name() -> None:
    text = LEAD + "“The fund is short,” Sen. Marcus Welby III of Ohio said at the hearing.\n"
    assert proposed_people(text).get("Marcus Welby III") == "PERSON"


def test_a_body_description_without_a_fitting_name_is_the_body_that_spoke_before() -> None:
    text = ("Harbor Trust said on Monday that “no account was closed in haste.”\n\n"
            "“We will write to the clients this week,” the company said.\n")
    rows = extract_quotes(text, spans(text, ("Harbor Trust", "harbor-trust", "ORG")))
    assert [(r["speaker"], r["speaker_text"]) for r in rows][-1] == ("harbor-trust", "the company")


def test_a_body_description_is_not_an_outlet_that_spoke_before() -> None:
    text = ("The Daily Courier reported that “the gates are shut.”\n\n"
            "“We will write to the clients this week,” the company said.\n")
    rows = extract_quotes(text, spans(text, ("Daily Courier", "daily-courier", "ORG")))
    assert [(r["speaker"], r["speaker_text"]) for r in rows][-1] == (None, "the company")


def test_words_someone_might_say_are_credited_to_the_attribution_after_them() -> None:
    text = "Aides might put it this way, “The pier is a gift to the town,” Omar Haddad wrote in the memo.\n"
    rows = extract_quotes(text, spans(text, ("Omar Haddad", "omar-haddad", "PERSON")))
    assert [(r["speaker"], r["speaker_text"], r["cue"]) for r in rows] == [("omar-haddad", "Omar Haddad", "wrote")]


def test_a_verb_after_a_quote_inside_the_subjects_aside_takes_the_sentence_subject() -> None:
    text = ("Mara played the harbour festival on Sunday.\n\n"
            "Mara, who waved a flag printed with the slogan, “Docks for all,” shouted, "
            "“Next summer we sail together!”\n")
    assert [(r["text"], r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [
        ("Next summer we sail together!", "Mara", "shouted")]


def test_a_passive_frame_credits_its_agent() -> None:
    text = "The port's night crews, dubbed \"the owls\" by the union, want a raise.\n"
    assert [(r["text"], r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [
        ("the owls", "the union", "dubbed")]


def test_a_document_after_a_preposition_speaks_through_a_participle_but_the_senders_letter_does_not() -> None:
    text = ("The mayor's reply was prompted by a radio report detailing how the berth had been sold twice.\n\n"
            "The council sent a letter to the board on Monday saying that the port would close.\n")
    assert [(r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [
        ("a radio report", "detailing"), ("The council", "saying")]


def test_a_sentence_that_only_attributes_names_the_speaker_of_the_quote_after_it() -> None:
    text = ("\"The fares are too high,\" said Ana Roe, 45, a nurse. Her neighbour Lena Ortiz, 52, a retired "
            "teacher, chimed in. \"We walk to the ferry now. It takes an hour.\"\n")
    rows = extract_quotes(text, spans(text, ("Ana Roe", "ana-roe", "PERSON"), ("Lena Ortiz", "lena-ortiz", "PERSON")))
    assert [(r["speaker"], r["cue"], r["speaker_role"]) for r in rows] == [
        ("ana-roe", "said", None), ("lena-ortiz", "chimed in", "a retired teacher")]


def test_a_time_phrase_and_an_adverb_before_the_verb_are_no_speaker() -> None:
    text = ("Omar Haddad in the past has described the ferry as “a floating museum.”\n\n"
            "Roe asked Lee about the fares. He gave no figure, and instead argued that the board had a plan "
            "“to privatise the ferry.”\n")
    assert [(r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [("Omar Haddad", "has described"),
                                                                            ("He", "argued")]


def test_an_infinitive_after_a_noun_set_apart_from_the_quote_frames_nothing() -> None:
    text = "Lena Ortiz also termed his refusal to release the audit, now a year late, the “conduct of a clerk.”\n"
    assert [(r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [("Lena Ortiz", "termed")]


def test_a_frame_inside_an_open_quotation_gives_way_to_the_attribution_after_the_quote() -> None:
    text = ("Ana Roe has faulted the board before. “After three late ferries in a row, should the directors not "
            "ask, “Is the fault ours?” she posted.\n")
    rows = extract_quotes(text)
    assert [(r["speaker_text"], r["cue"]) for r in rows if r["text"] == "Is the fault ours?"] == [("she", "posted")]


def test_an_auxiliary_with_an_adverb_makes_an_ing_form_finite() -> None:
    text = "As fares rise and boats age, many are now asking that the board resign.\n"
    assert [(r["speaker_text"], r["cue"]) for r in extract_quotes(text)] == [("many", "are now asking")]


def test_an_adverb_opening_the_sentence_is_no_part_of_the_subject() -> None:
    text = ("Now Lena Ortiz is doing what her rivals asked - cutting fares and urging the board to "
            "“put riders first.”\n\n"
            "Even as auditors were at work, Omar Haddad stayed calm, telling a reporter that “nothing will change.”\n")
    rows = [(r["speaker_text"], r["cue"]) for r in extract_quotes(text)]
    assert rows[0] == ("Lena Ortiz", "urging")
    assert not any((speaker or "").startswith("as ") for speaker, _cue in rows)  # "Even as ..." opens a clause


# --- issue 11, second speakers pass ------------------------------------------------------------------------

def test_a_restrictive_relative_pronoun_speaks_for_the_noun_phrase_before_it() -> None:
    text = ("The harbour board met on Monday. Its files include a memo from the Coastal Watch Group that "
            "highlights “rising water” at the docks.\n\n"
            "Support came from fishing crews like the Lund Cooperative which argued that the quay was “unsafe”.\n")
    rows = speakers(text, ("Coastal Watch Group", "coastal-watch-group", "ORG"),
                    ("Lund Cooperative", "lund-cooperative", "ORG"))
    # a document before the preposition speaks (through its author); otherwise the nearest noun phrase
    assert rows == [("rising water", "coastal-watch-group", "a memo from the Coastal Watch Group"),
                    ("unsafe", "lund-cooperative", "the Lund Cooperative")]


def test_a_that_after_a_reporting_verb_is_no_relative_pronoun() -> None:
    text = "Jo Roe said that “the quay is unsafe”.\n"
    assert speakers(text, ("Jo Roe", "jo-roe", "PERSON")) == [("the quay is unsafe", "jo-roe", "Jo Roe")]


def test_a_colon_ending_the_paragraph_before_introduces_a_quote_opening_its_paragraph() -> None:
    text = ("The club answered the next day. Lund Rowing Club’s Press Officer Ana Roe wrote:\n"
            "“The anthem is a moment to reflect. We respect the right of every rower to protest.”\n\n"
            "Omar Haddad, a coach:\n"
            "“We are done.”\n\n"
            "The ferry left on time.\n"
            "“A grand day,” a passenger said.\n")
    rows = speakers(text, ("Ana Roe", "ana-roe", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON"))
    assert [(r[1], r[2]) for r in rows] == [("ana-roe", "Ana Roe"), ("omar-haddad", "Omar Haddad"),
                                            (None, "a passenger")]


def test_an_inverted_attribution_after_its_own_words_is_no_attribution_of_the_quote_before() -> None:
    text = ("“Try to understand them,” Ana Roe says. “It does not make them villains.” Practice kindness and "
            "empathy, says Omar Haddad, a professor of psychology.\n")
    rows = speakers(text, ("Ana Roe", "ana-roe", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON"))
    assert rows[1] == ("It does not make them villains.", "ana-roe", None)  # carries Ana Roe's quote on


def test_she_never_resolves_to_a_man_the_article_names_with_mr_or_a_male_title() -> None:
    text = ("Ms. Ana Roe chairs the ferry board. Board spokesman Omar Haddad said the ferry was late.\n\n"
            "“We will fix it,” she said.\n")
    rows = speakers(text, ("Ana Roe", "ana-roe", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON"))
    assert rows[-1] == ("We will fix it", "ana-roe", "she")


def test_a_pronoun_after_a_name_in_its_sentence_gives_the_persons_gender() -> None:
    text = ("Lena Ortiz said her crew would win the race. Omar Haddad said his crew was tired.\n\n"
            "“We will win by a length,” she said.\n")
    rows = speakers(text, ("Lena Ortiz", "lena-ortiz", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON"))
    assert rows[-1] == ("We will win by a length", "lena-ortiz", "she")


def test_a_title_ending_the_sentence_before_a_name_gives_no_gender() -> None:
    text = ("Lena Ortiz spoke of her daughter. Omar Roe runs the yard.\n\n"
            "“The yard is busy,” Omar Roe said. “We will cope,” he said.\n")
    rows = speakers(text, ("Lena Ortiz", "lena-ortiz", "PERSON"), ("Omar Roe", "omar-roe", "PERSON"))
    assert rows[-1] == ("We will cope", "omar-roe", "he")


def test_a_pronoun_after_a_surname_two_people_share_gives_no_gender() -> None:
    text = ("Bill Roe and Ana Roe run the yard. Roe said her dock was full.\n\n"
            "“The yard is busy,” Bill Roe said. “We will cope,” he said.\n")
    found = spans(text, ("Bill Roe", "bill-roe", "PERSON"), ("Ana Roe", "ana-roe", "PERSON"))
    lone = text.index("Roe said her")
    found.append((lone, lone + 3, "bill-roe", "PERSON"))  # the surname alone, linked to one of the two
    rows = [(r["text"], r["speaker"], r["speaker_text"]) for r in extract_quotes(text, sorted(found))]
    assert rows[-1] == ("We will cope", "bill-roe", "he")


def test_a_relative_pronoun_whose_verb_takes_a_noun_object_reports_nothing() -> None:
    text = ("The memo lays out the paid speeches for Bill Roe that added tens of millions of dollars to the "
            "family fortune, including in the years that Ana Roe led the agency.\n")
    assert speakers(text, ("Bill Roe", "bill-roe", "PERSON"), ("Ana Roe", "ana-roe", "PERSON")) == []


def test_a_pronoun_after_a_quote_stands_for_the_person_its_sentence_opens_with() -> None:
    text = ("Omar Haddad spoke first. “The fares will rise,” he said.\n\n"
            "Lena Ortiz explained to the other directors that the auditor “made a convincing case to me,” he "
            "wrote.\n\n"
            "Ana Roe's aide told the board that the plan “works,” he said.\n")
    rows = speakers(text, ("Omar Haddad", "omar-haddad", "PERSON"), ("Lena Ortiz", "lena-ortiz", "PERSON"),
                    ("Ana Roe", "ana-roe", "PERSON"))
    # the sentence's subject, whoever spoke last; a name that only modifies the subject ("Ana Roe's aide")
    # is not what the pronoun stands for
    assert [(r[1], r[2]) for r in rows if r[0] in ("made a convincing case to me", "works")] == \
        [("lena-ortiz", "he"), ("lena-ortiz", "he")]


def test_a_quote_box_whose_last_line_names_the_speaker() -> None:
    text = ("The ferry was late again.\n\n"
            "“We have not seen anything like this before. You just assume the board knows its boats.\n"
            "Lena Ortiz, Harbour Institute historian, on the ferry board.”\n\n"
            "“The fares will rise.\n"
            "Nobody told us why.”\n")
    rows = [(r["text"], r["speaker"], r["speaker_text"], r["speaker_role"])
            for r in extract_quotes(text, spans(text, ("Lena Ortiz", "lena-ortiz", "PERSON")))]
    assert rows[0] == ("We have not seen anything like this before. You just assume the board knows its boats.",
                       "lena-ortiz", "Lena Ortiz", "Harbour Institute historian, on the ferry board")
    assert all(row[2] is None for row in rows[1:])  # a last line with a verb is part of the quote, no caption


def test_that_was_how_after_a_quoted_paragraph_names_its_speaker() -> None:
    text = ("FULL TEXT.\n\n"
            "“You had a lot of people saying we should have merged a ferry with a bus.”\n\n"
            "That was how Omar Haddad, the chief executive of Lund Ferries, once described the failed merger.\n")
    rows = speakers(text, ("Omar Haddad", "omar-haddad", "PERSON"))
    assert rows == [("You had a lot of people saying we should have merged a ferry with a bus.", "omar-haddad",
                     "Omar Haddad")]


def test_a_verb_after_an_infinitive_or_an_auxiliary_after_the_quote_attributes_nothing() -> None:
    text = ("A defiant Omar Haddad is insisting he is “winning” and urging his crews to defy what he is calling "
            "a plot to deny the ferry its licence.\n\n"
            "Lena Ortiz said it was a “reasonable conclusion” that Jo Lee, a board ally, has been given advance "
            "warning of the audit.\n\n"
            "Ana Roe called the director the “biggest barrier” to a push to force ferries to disclose fares.\n")
    rows = speakers(text, ("Omar Haddad", "omar-haddad", "PERSON"), ("Lena Ortiz", "lena-ortiz", "PERSON"),
                    ("Ana Roe", "ana-roe", "PERSON"))
    assert [r[1] for r in rows if r[0] in ("winning", "reasonable conclusion", "biggest barrier")] == \
        ["omar-haddad", "lena-ortiz", "ana-roe"]


def test_a_verb_or_participle_after_a_subordinate_clause_shares_its_subject() -> None:
    text = ("Dozens of crew members stood with the director as he boasted about the new ferry and said that most "
            "of his crews were local.\n\n"
            "Two months later, Lena Ortiz won cheers when she called in to a rally of dock workers, telling them "
            "“thank you for marching for a living wage.”\n")
    rows = speakers(text, ("Lena Ortiz", "lena-ortiz", "PERSON"))
    assert [r[2] for r in rows] == ["he", "she"]


def test_a_participle_after_a_document_someone_sent_is_the_senders() -> None:
    text = ("Lena Ortiz was seizing on the letter Harbour Master Omar Haddad sent to the board on Friday informing "
            "them that the ferry would be inspected again.\n")
    rows = speakers(text, ("Lena Ortiz", "lena-ortiz", "PERSON"), ("Omar Haddad", "omar-haddad", "PERSON"))
    assert [(r[1], r[2]) for r in rows] == [("omar-haddad", "Omar Haddad")]  # the post is his role


def test_a_belief_inside_a_reported_clause_leaves_the_quote_to_the_reporter() -> None:
    text = ("A Lund Ferries spokesman said the company had backed the fund because it believed “in the good work "
            "that can be done together.”\n\n"
            "Ana Roe believed “in the good work” of the fund.\n")
    rows = speakers(text, ("Ana Roe", "ana-roe", "PERSON"))
    assert [r[2] for r in rows] == ["A Lund Ferries spokesman", "Ana Roe"]


def test_a_passive_question_is_asked_by_its_agent() -> None:
    text = ("When asked directly by the Gazette if they were involved in the ferry deal, neither Lund Ferries nor "
            "the board responded.\n\n"
            "Omar Haddad was asked by reporters whether the ferry would run, and said it would run on time.\n")
    rows = speakers(text, ("Lund Ferries", "lund-ferries", "ORG"), ("Omar Haddad", "omar-haddad", "PERSON"))
    assert [(r[0], r[2]) for r in rows] == [("they were involved in the ferry deal", "the Gazette"),
                                            ("the ferry would run", "reporters"),
                                            ("it would run on time", "Omar Haddad")]


def test_a_headline_in_title_case_names_the_speaker_of_the_quote_after_it() -> None:
    text = ("Below are excerpts from the speeches.\n\n"
            "Omar Haddad Thanked Lena Ortiz For Making The Port Her First Stop After Leaving Office. “Well, "
            "Madam Mayor, thank you. We are honoured.”\n\n"
            "Lena Ortiz Joked It Is “Risky” For Her To Speak To A Room Of Ferry Captains. “Now, it is always a "
            "little risky for me to speak to sailors.”\n\n"
            "The mayor spoke for an hour. “It was a long day.”\n")
    rows = speakers(text, ("Omar Haddad", "omar-haddad", "PERSON"), ("Lena Ortiz", "lena-ortiz", "PERSON"))
    assert [(r[0][:12], r[1]) for r in rows] == [("Well, Madam ", "omar-haddad"), ("Risky", "lena-ortiz"),
                                                 ("Now, it is a", "lena-ortiz"), ("It was a lon", "lena-ortiz")]


def test_a_reporting_word_after_a_name_after_a_preposition_is_a_noun() -> None:
    text = ("In a series of Gazette posts, Omar Haddad lamented how hard it is to run ferries “when the board "
            "gives zero support!”\n")
    rows = speakers(text, ("Omar Haddad", "omar-haddad", "PERSON"))
    assert [(r[1], r[2]) for r in rows] == [("omar-haddad", "Omar Haddad")]


def test_a_word_quoted_in_a_passive_question_is_the_askers() -> None:
    text = ("When confronted at a press conference by Gazette reporter Omar Haddad about whether or not she "
            "“wiped” the ledger, the mayor responded, “What? Like with a cloth?”\n")
    rows = speakers(text, ("Omar Haddad", "omar-haddad", "PERSON"))
    assert [(r[0], r[1], r[2]) for r in rows][0] == ("wiped", "omar-haddad", "Omar Haddad")
    assert rows[1][2] == "the mayor"  # the answer after the comma is the mayor's
