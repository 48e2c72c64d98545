"""A statistic's measure and period a reviewer can accept, or empty: never an adverb, a preposition,
a quantifier or half a name; footnote markers are neither numbers nor sentence-internal. Fixture
sentences are written for these tests."""

from __future__ import annotations

import pytest

from scripts.drafter.numbers import extract_statistics


def measures(text: str) -> dict[str, str]:
    return {row["text"]: row["measure"] for row in extract_statistics(text)}


@pytest.mark.parametrize("sentence, span", [
    ("The two patrols killed 12 together in the raid.", "12"),
    ("Police detained five including a driver.", "five"),
    ("The toll reached 14 apiece in both districts.", "14"),
])
def test_measure_is_never_an_adverb_or_a_quantifier(sentence: str, span: str) -> None:
    measure = measures(sentence)[span]
    assert not set(measure.lower().split()) & {"together", "including", "apiece", "in"}


def test_measure_never_holds_half_a_name() -> None:
    measure = measures("The port is part of a $9 billion Silk and Spice programme in the region.")["$9 billion"]
    assert "Silk" not in measure and "Spice" not in measure


def test_measure_stops_at_the_verb_after_the_noun() -> None:
    assert measures("Officials said two convoys reached the valley.")["two"] == "convoys"


def test_footnote_markers_are_not_numbers_and_end_the_sentence() -> None:
    text = "Raids rose by 20 percent.[3] Officials counted 150 raids in 2024.[12]\n"
    rows = {row["text"]: row for row in extract_statistics(text)}
    assert set(rows) == {"20 percent", "150"}
    assert rows["20 percent"]["period"] is None
    assert rows["150"]["period"] == "2024"


def test_count_after_and_is_not_a_year() -> None:
    rows = {row["text"]: row for row in extract_statistics("The toll rose from 2019 to 2023 and 340 people fled.")}
    assert rows["340"]["unit"] == "count" and rows["340"]["measure"] == "people"
