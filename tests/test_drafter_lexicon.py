"""The drafter's lexicon (config/lexicon.yaml): one file, read by one loader, every inflection written
out; and the reporting forms it gives the quote drafter (phrasal verbs, light verb + reporting noun,
bare clauses). Sentences are invented."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scripts.drafter.lexicon import LEXICON_PATH, inflections, load_lexicon, parse_lexicon
from scripts.drafter.quotes import extract_quotes
from scripts.errors import BuildError


def test_inflections_follow_english_spelling() -> None:
    assert inflections("deny") == {"deny", "denies", "denied", "denying"}
    assert inflections("argue") == {"argue", "argues", "argued", "arguing"}
    assert inflections("admit") == {"admit", "admits", "admitted", "admitting"}
    assert inflections("stress") == {"stress", "stresses", "stressed", "stressing"}
    assert inflections("say", ("said",)) == {"say", "says", "said", "saying"}
    assert inflections("shoot back", ("shot back",)) == {"shoot back", "shoots back", "shot back", "shooting back"}


def test_the_lexicon_gives_every_form_of_its_verbs_and_the_other_lists() -> None:
    lexicon = load_lexicon()
    assert {"say", "says", "said", "saying", "told", "wrote", "written"} <= lexicon.speech_verbs
    assert "believes" in lexicon.reporting_verbs and "fears" not in lexicon.reporting_verbs
    assert lexicon.month_numbers["sept"] == 9 and lexicon.month_numbers["december"] == 12
    assert "he" in lexicon.pronouns["person"] and "spokesman" in lexicon.person_titles
    assert "pakistani" in lexicon.nationality_adjectives


def test_a_malformed_lexicon_names_the_file_and_the_section(tmp_path: Path) -> None:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["months"] = data["months"][:11]
    with pytest.raises(BuildError, match="bad.yaml: sections 'months'"):
        parse_lexicon(data, tmp_path / "bad.yaml")
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["determiners"].append(False)  # an unquoted "no" in YAML
    with pytest.raises(BuildError, match="section 'determiners'"):
        parse_lexicon(data, tmp_path / "bad.yaml")


def rows(text: str) -> list[tuple[str, str, str | None, str | None]]:
    return [(r["kind"], r["text"], r["speaker_text"], r["cue"]) for r in extract_quotes(text)]


def test_phrasal_reporting_verbs() -> None:
    assert rows("The harbour master pointed out that the pier had been closed since May.") == \
        [("indirect", "the pier had been closed since May", "The harbour master", "pointed out")]


def test_light_verb_with_a_reporting_noun() -> None:
    assert rows("The guild expressed deep concern that the ferry fares would double.") == \
        [("indirect", "the ferry fares would double", "The guild", "expressed deep concern")]
    assert rows("The council voiced hope that the bridge would reopen soon.") == \
        [("indirect", "the bridge would reopen soon", "The council", "voiced hope")]


def test_bare_clause_after_confirm_and_maintain() -> None:
    assert rows("Port officials confirmed the convoy had reached the city.") == \
        [("indirect", "the convoy had reached the city", "Port officials", "confirmed")]
    assert rows("She maintains it was never her decision.") == \
        [("indirect", "it was never her decision", "She", "maintains")]


def test_attitudes_are_not_drafted_as_quotes() -> None:
    assert rows("Farmers feared that the river would flood the lower fields.") == []


def proposed_names(text: str) -> set[str]:
    from scripts.drafter.mentions import draft_mentions

    return {e.name for e in draft_mentions(text, {})[1].entities}


def test_nationalities_and_posts_are_never_proposed_as_entities() -> None:
    text = ("Traders crossed the river at dawn. Several Baloch and Uzbek drivers waited in Termez for a week.\n"
            "The talks stalled, and the Interior Minister left early. Later the Chief Spokesperson declined.\n"
            "Two Arab envoys and a Kazakh trader arrived with the Deputy Governor.\n")
    assert proposed_names(text) == {"Termez"}


def test_time_words_and_states_modifiers_come_from_the_lexicon(tmp_path: Path) -> None:
    lexicon = load_lexicon()
    assert {"yesterday", "morning"} <= lexicon.time_words and "recent" in lexicon.time_phrase_words
    assert "member" in lexicon.states_modifiers
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["states_modifiers"] = "member"
    with pytest.raises(BuildError, match="section 'states_modifiers'"):
        parse_lexicon(data, tmp_path / "bad.yaml")


def test_a_time_phrase_is_never_the_speaker_and_states_after_a_modifier_is_a_noun() -> None:
    assert rows("The port authority in recent days has said the cranes would be replaced.") == \
        [("indirect", "the cranes would be replaced", "The port authority", "has said")]
    assert rows("The member states that signed the pact met in Oslo.") == []


def test_the_closed_classes_are_all_there_or_the_file_is_named(tmp_path: Path) -> None:
    lexicon = load_lexicon()
    assert "would" in lexicon.closed_classes["auxiliaries"] and "with" in lexicon.closed_classes["object_prepositions"]
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    del data["closed_classes"]["copulas"]
    with pytest.raises(BuildError, match="bad.yaml: section 'closed_classes'"):
        parse_lexicon(data, tmp_path / "bad.yaml")


def test_the_name_classes_and_type_cues_come_from_the_lexicon_or_the_file_is_named(tmp_path: Path) -> None:
    lexicon = load_lexicon()
    assert "spokesperson" in lexicon.name_classes["titles_before_names"]
    assert "IT" in lexicon.name_classes["common_abbreviations"]  # kept as written
    assert lexicon.type_cues["ministry"] == "ORG" and lexicon.trailing_type_cues["province"] == "GPE"
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["type_cues"]["FAC"].append("granary")
    data["type_cues"]["EVENT"].append("granary")   # listed twice: the later type wins
    assert parse_lexicon(data, tmp_path / "ok.yaml").type_cues["granary"] == "EVENT"
    del data["name_classes"]["compass_words"]
    with pytest.raises(BuildError, match="bad.yaml: section 'name_classes'"):
        parse_lexicon(data, tmp_path / "bad.yaml")
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["trailing_type_cues"] = ["province"]
    with pytest.raises(BuildError, match="bad.yaml: section 'trailing_type_cues' must map an entity type"):
        parse_lexicon(data, tmp_path / "bad.yaml")


def test_the_statistics_words_come_from_the_lexicon_in_its_order() -> None:
    words = load_lexicon().statistics
    assert words is not None
    assert words.unit_words["nineteen"] == 19 and words.scale_words["million"] == 1_000_000
    assert words.scale_abbreviations["bn"] == 1_000_000_000 and "m" in words.ambiguous_scale_abbreviations
    assert [qualifier for qualifier, _ in words.qualifiers_before][:2] == ["more_than", "less_than"]
    assert words.qualifiers_after["or so"] == "approximately"
    assert "rose" in words.change_verbs["up"] and "fell" in words.change_verbs["down"]
    assert "GMT" in words.clock_words_after and "Road" in words.street_types  # kept as written


def test_a_malformed_statistics_section_names_the_file_and_the_subsection(tmp_path: Path) -> None:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["statistics"]["unit_words"]["one"] = "1"
    with pytest.raises(BuildError, match=r"bad.yaml: section 'statistics.unit_words' must map words to whole numbers"):
        parse_lexicon(data, tmp_path / "bad.yaml")
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["statistics"]["qualifiers_before"][0]["qualifier"] = "roughly"
    with pytest.raises(BuildError, match=r"section 'statistics.qualifiers_before'"):
        parse_lexicon(data, tmp_path / "bad.yaml")
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    del data["statistics"]["change_nouns"]
    with pytest.raises(BuildError, match=r"section 'statistics' must hold exactly"):
        parse_lexicon(data, tmp_path / "bad.yaml")
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    data["statistics"]["change_verbs"] = {"up": ["rose"]}
    with pytest.raises(BuildError, match=r"section 'statistics.change_verbs' must hold exactly up, down"):
        parse_lexicon(data, tmp_path / "bad.yaml")


def test_a_qualifier_phrase_added_to_the_lexicon_is_read_by_the_drafter() -> None:
    # the drafter builds its patterns from the lexicon: a phrase of the file qualifies a number
    from scripts.drafter.numbers import extract_statistics

    words = load_lexicon().statistics
    assert words is not None
    phrase = next(phrases for qualifier, phrases in words.qualifiers_before if qualifier == "at_least")[0]
    row, = extract_statistics(f"Officials counted {phrase} 40 raids.")
    assert row["qualifier"] == "at_least" and row["text"].startswith(phrase.split()[0])


def test_a_month_before_a_day_is_a_date_and_no_proposed_place() -> None:
    """Datelines and dates write months abbreviated ("Nov 30", "Sept. 4"); the lexicon's month abbreviations
    keep them from being proposed as places listed beside a known city, while a real place still is one."""
    from scripts.annotations import Entity
    from scripts.drafter.mentions import propose_entities

    registry = {"lund": Entity(entity_id="lund", name="Lund", type="GPE", aliases=[], description="A town.")}
    for date in ("Nov 30", "Nov. 30", "Sept. 4", "Dec 1"):
        text = f"Lund, {date} — Officials from Lund and Zarghun met on Sunday to discuss the dam.\n"
        names = {e.name.rstrip(".") for e in propose_entities(text, registry).entities}
        assert names == {"Zarghun"}, (date, names)


def test_people_named_by_what_they_do_speak_as_a_group_and_are_no_proposed_person() -> None:
    """'Shopkeepers said' opens a sentence with a capitalised common noun; the lexicon's group nouns keep it
    from being proposed as a person, while a lone surname in the same place still is one."""
    from scripts.drafter.mentions import propose_entities

    text = ("Shopkeepers said the market had been shut for a week. Protesters told reporters the road was blocked. "
            "Okafor said he had seen the trucks.\n")
    assert {e.name: e.type for e in propose_entities(text, {}).entities} == {"Okafor": "PERSON"}
