"""Entity proposals a reviewer can accept (issue 11): common words capitalised by their position, posts,
titles and nationality adjectives are never proposed as names; real names beside them still are.

Every text is a sentence written for the test; the registries are built in the test.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scripts.annotations import Entity
from scripts.drafter.lexicon import LEXICON_PATH, load_lexicon, parse_lexicon
from scripts.drafter.mentions import propose_entities
from scripts.errors import BuildError


def proposed(text: str, registry: dict[str, Entity] | None = None) -> dict[str, str]:
    """Name -> type of the entities proposed for ``text``."""
    return {e.name: e.type for e in propose_entities(text, registry or {}).entities}


def entity(entity_id: str, name: str, entity_type: str) -> Entity:
    return Entity(entity_id=entity_id, name=name, type=entity_type, aliases=[], description="Written for the test.")


def test_a_sentence_initial_word_the_article_writes_in_lower_case_is_no_speaker() -> None:
    # "Ledger" is no word of the lexicon: the article's own lower-case "ledger" is what tells
    assert proposed("Ledger said the stores were empty. Nobody kept a ledger there.") == {}
    # without the lower-case use, a lone word that speaks is still a person (a surname)
    assert proposed("Ledger said the stores were empty.") == {"Ledger": "PERSON"}


def test_a_common_noun_of_the_lexicon_opening_a_sentence_is_no_speaker() -> None:
    common = load_lexicon().name_classes["common_words"]
    assert {"tension", "police", "security"} <= common
    for word in ("Tension", "Security", "Police", "Progress"):
        assert proposed(f"{word} said the convoy was stopped at the gate.") == {}, word
    # the same word capitalised inside a sentence is a name by its capital ("a man called Tension")
    assert proposed("The convoy waited, and then Tension said the gate was shut.") == {"Tension": "PERSON"}


def test_a_common_word_opening_a_name_is_dropped_and_the_name_kept() -> None:
    assert proposed("Tension Zarin Gulbaz said the talks had stalled.") == {"Zarin Gulbaz": "PERSON"}
    # the article's lower-case use of the first word counts as the lexicon does
    text = "Caravans Haji Omar Nuristani told reporters the pass was open. The caravans waited."
    assert proposed(text) == {"Haji Omar Nuristani": "PERSON"}
    # before a registry name the capitalised common word is dropped and the registry name is no proposal
    registry = {"dorvan-line": entity("dorvan-line", "Dorvan Line", "LOC"),
                "lashkargah": entity("lashkargah", "Lashkargah", "GPE")}
    assert proposed("Tension Dorvan Line was quiet on Monday.", registry) == {}
    assert proposed("Road Lashkargah was closed. The road was long.", registry) == {}
    # a registry name that starts the rest and ends after it (a head noun in lower case) counts too
    registry["harnai-attack"] = entity("harnai-attack", "Harnai attack", "EVENT")
    assert proposed("Water Harnai attack was condemned. The water rose.", registry) == {}


def test_a_first_word_of_a_closed_class_never_opens_a_name() -> None:
    # a preposition, a time noun, an inflected reporting verb or a plural post before a name with a head word
    assert proposed("Near Qarabagh Council the convoy stopped.") == {"Qarabagh Council": "ORG"}
    assert proposed("Weeks Dehrawud Valley was calm.") == {"Dehrawud Valley": "LOC"}
    assert proposed("Reported Tarinkot Airbase was hit twice.") == {"Tarinkot Airbase": "FAC"}
    assert proposed("Residents Sangin Province fled.") == {"Sangin Province": "GPE"}
    # a lemma that is also a noun does open names ("State Bank", "Post Office"); so does an adjective
    assert proposed("State Bank said rates would hold.") == {"State Bank": "ORG"}
    # and a head word alone is no name: "Workers Party" stays whole
    assert proposed("Workers Party said the vote was rigged.") == {"Workers Party": "ORG"}


def test_a_first_word_that_modifies_a_head_word_stays_in_the_name() -> None:
    # "federal", "security" are written in lower case too, but a head word after them makes them part
    # of a body's name; a lone second word is no name of its own
    assert proposed("Federal Revenue Agency said the case was closed. The federal case.") == \
        {"Federal Revenue Agency": "ORG"}
    assert proposed("Security Council said the vote was delayed. The security was tight.") == \
        {"Security Council": "ORG"}
    assert proposed("Hope Varga said the vote was delayed. They had hope.") == {"Hope Varga": "PERSON"}
    assert proposed("Border Security Force said the gate was shut. The border was calm.") == \
        {"Border Security Force": "ORG"}
    assert proposed("Interior Ministry said the gate was shut.") == {"Interior Ministry": "ORG"}


def test_posts_in_the_plural_are_never_proposed() -> None:
    text = ("Envoys said the matter was closed. Diplomats told reporters more. Ministers said nothing. "
            "Spokesmen for both sides declined. Deputies said the bill would pass.")
    assert proposed(text) == {}
    # the singular of every post was already no entity; a name after a plural post is still found
    assert proposed("Commanders said Colonel Rashid Tarakai led the raid.") == {"Rashid Tarakai": "PERSON"}


def test_posts_and_titles_alone_or_their_object_are_no_entities() -> None:
    text = ("The Foreign Minister said the talks would resume. Spokesman said no more. "
            "She served as Secretary of State until May. The Minister of State for Interior agreed.")
    assert proposed(text) == {}
    # a place after "Governor of" is a place, not part of the post
    assert proposed("The governor of Zarghunshahr district resigned.") == {"Zarghunshahr": "GPE"}


def test_nationality_adjectives_and_their_compounds_are_never_proposed() -> None:
    text = ("Pakistani officials said the crossing was shut. Afghan traders waited. The Afghan-Pakistan "
            "border stayed closed, and a Pakistani-Afghan committee met in Torghundi.")
    assert proposed(text) == {"Torghundi": "GPE"}
    assert proposed("Pakistani said the border would reopen. Afghans crossed at dawn.") == {}


def test_the_common_words_class_is_required(tmp_path: Path) -> None:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    del data["name_classes"]["common_words"]
    with pytest.raises(BuildError, match="bad.yaml: section 'name_classes' must hold exactly .*common_words"):
        parse_lexicon(data, tmp_path / "bad.yaml")


def test_a_person_named_after_a_post_of_state_is_the_person() -> None:
    assert proposed("Secretary of State Ana Ruiz said the talks would resume.") == {"Ana Ruiz": "PERSON"}
    # a post with a body's name after it keeps the body ("Governor of State Bank" is no person's title alone)
    assert "Rashid Qadri" in proposed("Governor of State Bank Rashid Qadri said rates would hold.")


def test_a_single_word_before_news_agency_is_an_organisation() -> None:
    assert proposed("The talks had failed, the Qandil news agency reported.") == {"Qandil": "ORG"}
    # "agency" alone also follows a tribal area, so it types nothing
    assert proposed("The talks had failed, the Qandil agency elders said.") == {}


def test_a_registry_persons_first_name_opens_a_person_with_no_other_cue() -> None:
    registry = {"nadia-rahimi": entity("nadia-rahimi", "Nadia Rahimi", "PERSON")}
    text = "The delegation of Nadia Kohistani met the elders in Gardez on Monday."
    assert proposed(text, registry) == {"Nadia Kohistani": "PERSON", "Gardez": "GPE"}
    assert proposed(text) == {"Gardez": "GPE"}  # no registry first name: no cue, no person
    # a first name that ends like a nationality ("Imran", "Afghan") is still a first name
    registry["imran-zaki"] = entity("imran-zaki", "Imran Zaki", "PERSON")
    assert proposed("Imran Waziri met the elders.", registry) == {"Imran Waziri": "PERSON"}
