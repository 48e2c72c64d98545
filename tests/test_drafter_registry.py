"""The registry's look-ups are built once per run: drafting many articles with one registry reuses them,
and a different registry gets its own. Entities and sentences are invented."""

from __future__ import annotations

from scripts.annotations import Entity
from scripts.drafter.mentions import draft_mentions, registry_index


def _registry() -> dict[str, Entity]:
    return {
        "tarn-river-authority": Entity(entity_id="tarn-river-authority", name="Tarn River Authority", type="ORG",
                                       aliases=["TRA"], description="A body invented for the test."),
        "lund": Entity(entity_id="lund", name="Lund", type="GPE", aliases=[], description="A town."),
        "petra-holm": Entity(entity_id="petra-holm", name="Petra Holm", type="PERSON", aliases=[],
                             description="A person invented for the test."),
    }


def test_one_registry_is_indexed_once_and_another_gets_its_own() -> None:
    registry = _registry()
    first = registry_index(registry)
    assert registry_index(registry) is first
    assert first.names["TRA"] == "tarn-river-authority" and "lund" in first.known
    assert set(first.places) == {"Lund"} and [e.entity_id for e in first.people] == ["petra-holm"]
    other = _registry()
    assert registry_index(other) is not first


def test_mentions_are_the_same_with_the_index_reused() -> None:
    registry = _registry()
    text = ("The Tarn River Authority (TRA) met in Lund. Petra Holm chaired it, and Holm said the weir "
            "would open.\n")
    once = draft_mentions(text, registry)[0]
    again = draft_mentions(text, registry)[0]
    assert once == again
    assert [(m["text"], m["entity_id"]) for m in once] == [
        ("Tarn River Authority", "tarn-river-authority"), ("TRA", "tarn-river-authority"), ("Lund", "lund"),
        ("Petra Holm", "petra-holm"), ("Holm", "petra-holm")]


def _unrelated(count: int) -> dict[str, Entity]:
    """Entities no test text names: persons, places and bodies with invented names."""
    made = {}
    for number in range(count):
        word = f"Zorv{number:04d}"
        kind = ("PERSON", "GPE", "ORG")[number % 3]
        name = f"Ilse {word}" if kind == "PERSON" else f"{word} {'Province' if kind == 'GPE' else 'Council'}"
        made[f"unrelated-{number}"] = Entity(entity_id=f"unrelated-{number}", name=name, type=kind, aliases=[],
                                             description="Invented for the test.")
    return made


def test_a_registry_grown_by_entities_the_text_does_not_name_drafts_the_same() -> None:
    text = ("The Tarn River Authority (TRA) met in Lund and Vessby. Petra Holm chaired it, and Holm said the "
            "Oskar Brandt Institute would advise. Oskar Brandt, a hydrologist, spoke later; Brandt said Oskar "
            "would return, and Petra agreed.\n")
    small = _registry()
    large = {**small, **_unrelated(600)}
    mentions, proposed = draft_mentions(text, small)
    assert draft_mentions(text, large) == (mentions, proposed)
    assert {m["text"] for m in mentions} >= {"Holm", "Brandt", "Vessby"}


def test_a_proposed_entity_never_takes_the_id_of_a_registry_entity() -> None:
    # the registry holds an id that is the slug of a name it does not list: the proposal must not take it
    registry = {**_registry(), "marta-lind": Entity(entity_id="marta-lind", name="Marta Lind-Okoro", type="PERSON",
                                                    aliases=[], description="Invented for the test.")}
    mentions, proposed = draft_mentions("Spokesperson Marta Lind said the weir would open.\n", registry)
    ids = {m["text"]: m["entity_id"] for m in mentions}
    assert ids["Marta Lind"] == "marta-lind-2" and [e.entity_id for e in proposed.entities] == ["marta-lind-2"]


def test_a_first_name_two_registry_persons_share_is_no_alias() -> None:
    text = "Petra Holm chaired the meeting in Lund. The weir, Petra said, would open.\n"
    alone = draft_mentions(text, _registry())[1].local_aliases
    assert alone == {"Petra": "petra-holm"}
    # another Petra in the registry, not named in the text: "Petra" alone could be either
    shared = {**_registry(), "petra-sand": Entity(entity_id="petra-sand", name="Petra Sand", type="PERSON",
                                                  aliases=[], description="Invented for the test.")}
    assert "Petra" not in draft_mentions(text, shared)[1].local_aliases
