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
