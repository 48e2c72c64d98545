"""The drafter's statistics extractor: constructs of guidelines section 3, exclusions, scoring.

Fixture sentences are written for these tests. How well the drafter finds the curated statistics
is measured by `python -m scripts evaluate` (leave-one-out), not asserted here: an added article
must not fail a test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts.drafter.eval_newsquant import gold_value, score
from scripts.drafter.numbers import extract_statistics
from scripts.evaluate import score_statistics


def only(sentence: str, /, **expected: object) -> dict:
    """The one statistic in ``sentence``; its fields named in ``expected`` must have those values."""
    found = extract_statistics(sentence)
    assert len(found) == 1, [f["text"] for f in found]
    row = found[0]
    assert row["text"] == sentence[row["start"]:row["end"]]
    for key, value in expected.items():
        assert row[key] == value, (key, row[key], value)
    return row


def texts(text: str) -> list[str]:
    return [row["text"] for row in extract_statistics(text)]


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, span, value", [
    ("Officials counted 12,450 displaced families.", "12,450", 12450),
    ("The index fell to 3.75 on the day.", "3.75", 3.75),
    ("Rescuers found seven survivors.", "seven", 7),
    ("The convoy carried twenty-five trucks.", "twenty-five", 25),
    ("A dozen villages were evacuated.", "A dozen", 12),
    ("About two hundred and fifty families fled.", "About two hundred and fifty", 250),
    ("The fund holds three million dollars.", "three million dollars", 3_000_000),
    ("The tribe numbers a thousand men.", "a thousand", 1000),
])
def test_digits_and_number_words(sentence: str, span: str, value: float) -> None:
    only(sentence, text=span, value=value)


def test_two_counting_parties_is_a_count() -> None:
    only("Talks between the two delegations stalled.", text="two", value=2, unit="count")


@pytest.mark.parametrize("sentence, span, value", [
    ("Turnout rose to 41% this year.", "41%", 41),
    ("Prices climbed 7 percent.", "7 percent", 7),
    ("Inflation reached 12.5 per cent.", "12.5 per cent", 12.5),
    ("Exports grew 3pc.", "3pc", 3),
])
def test_percent_forms(sentence: str, span: str, value: float) -> None:
    only(sentence, text=span, value=value, unit="percent")


def test_shares_are_percent() -> None:
    only("Half of the district lost power.", text="Half", value=50, unit="percent")
    only("A third of the budget went to defence.", text="A third", value=33.3, unit="percent")
    only("Two-thirds of voters agreed.", text="Two-thirds", value=66.7, unit="percent")


@pytest.mark.parametrize("sentence, span, value", [
    ("The dam will cost $4.2 billion.", "$4.2 billion", 4_200_000_000),
    ("Donors pledged $60 billion for roads.", "$60 billion", 60_000_000_000),
    ("Aid worth $3bn arrived.", "$3bn", 3_000_000_000),
    ("The deal is worth $15m over two years.", "$15m", 15_000_000),
    ("A grant of US$500,000 was approved.", "US$500,000", 500_000),
])
def test_currency_and_scale(sentence: str, span: str, value: float) -> None:
    rows = extract_statistics(sentence)
    assert rows[0]["text"] == span and rows[0]["value"] == value and rows[0]["unit"] == "usd"


@pytest.mark.parametrize("sentence, span, value, unit", [
    ("The road runs 340 kilometers to the coast.", "340 kilometers", 340, "km"),
    ("A 1,200-kilometer pipeline is planned.", "1,200-kilometer", 1200, "km"),
    ("The camp lies 15km from the town.", "15km", 15, "km"),
    ("He served 14 years in prison.", "14 years", 14, "year"),
    ("A thirty-year war ended.", "thirty-year", 30, "year"),
    ("The siege lasted 9 months.", "9 months", 9, "month"),
    ("The curfew lasted three weeks.", "three weeks", 3, "week"),
    ("Fighting went on for 11 days.", "11 days", 11, "day"),
    ("The talks took six hours.", "six hours", 6, "hour"),
])
def test_units_and_durations(sentence: str, span: str, value: float, unit: str) -> None:
    only(sentence, text=span, value=value, unit=unit)


# --- qualifiers and ranges ---------------------------------------------------------------------

@pytest.mark.parametrize("sentence, span, qualifier, low, high", [
    ("More than 300 people attended.", "More than 300", "more_than", 300, None),
    ("The march drew over 5,000 people.", "over 5,000", "more_than", 5000, None),
    ("At least 14 people died.", "At least 14", "at_least", 14, None),
    ("Up to 800 fighters remain.", "Up to 800", "up_to", None, 800),
    ("As many as 40 boats sank.", "As many as 40", "up_to", None, 40),
    ("Less than 10% of roads are paved.", "Less than 10%", "less_than", None, 10),
    ("Fewer than 90 families stayed.", "Fewer than 90", "less_than", None, 90),
    ("Under 20 clinics remain open.", "Under 20", "less_than", None, 20),
    ("About 600 homes were damaged.", "About 600", "approximately", None, None),
    ("Nearly 70 percent voted.", "Nearly 70 percent", "approximately", None, None),
    ("Some 2,000 troops were moved.", "Some 2,000", "approximately", None, None),
    ("Approximately 45 kilometers of road were cut.", "Approximately 45 kilometers", "approximately", None, None),
])
def test_qualifiers_and_bounds(sentence: str, span: str, qualifier: str, low: float | None, high: float | None) -> None:
    row = only(sentence, text=span, qualifier=qualifier, value_low=low, value_high=high)
    assert row["value"] is not None


@pytest.mark.parametrize("sentence, span, low, high", [
    ("Estimates put the force at between 4,000 and 7,000 men.", "between 4,000 and 7,000", 4000, 7000),
    ("The militia has 12,000-15,000 members.", "12,000-15,000", 12000, 15000),
    ("The fighting killed 20 to 30 people.", "20 to 30", 20, 30),
    ("Some four to five thousand people fled.", "four to five thousand", 4000, 5000),
])
def test_ranges(sentence: str, span: str, low: float, high: float) -> None:
    only(sentence, text=span, qualifier="range", value=None, value_low=low, value_high=high)


def test_from_x_up_to_y_is_a_range_unless_a_change_or_a_separate_bound() -> None:
    only("Plots are sold from 200 sq m up to 800 sq m.", text="200 sq m up to 800 sq m", qualifier="range",
         value_low=200, value_high=800, unit="count")
    only("Fines run from $50 up to $400.", text="$50 up to $400", qualifier="range", value_low=50, value_high=400,
         unit="usd")
    # without "from" the second figure is a bound of its own; after a change verb the two are old and new value
    assert [(r["text"], r["qualifier"]) for r in extract_statistics("The camp holds 450, up to 900 in winter.")] == [
        ("450", "exact"), ("up to 900", "up_to")]
    assert "range" not in [r["qualifier"] for r in extract_statistics("Tolls rose from 40 up to 60 a day.")]


def test_a_score_is_no_range() -> None:
    assert texts("The home side won 3-1 on Sunday.") == []


# --- exclusions ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "The group was founded in 2007.",
    "Talks resumed on March 26, 2024.",
    "The ceasefire began on 14 November.",
    "It was the 15th attack this year.",
    "This was the first visit of its kind.",
    "Dozens of people were hurt.",
    "Several soldiers were injured.",
    "Hundreds of families fled.",
    "Tens of thousands of refugees crossed.",
    "The F-16 jets were grounded.",
    "The clash began at 10:30 on Friday.",
    "Resolution 2593 was adopted.",
    "One source said the talks had failed.",
    "It is one of the reasons for the delay.",
    "A few hundred protesters gathered.",
    "The violence recalled the 1990s.",
])
def test_exclusions(sentence: str) -> None:
    assert texts(sentence) == []


@pytest.mark.parametrize("sentence", [
    "The embassy is at 14 Garden Road.",
    "The iPhone 12 went on sale.",
    "Their 3D maps were outdated.",
    "The list had three items: (1) water, (2) food.",
    "Fighting flared between 2019 and 2021.",
    "Polls opened on Sept. 20-24 in most districts.",
])
def test_names_codes_and_date_ranges_are_excluded(sentence: str) -> None:
    assert [t for t in texts(sentence) if t != "three"] == []


def test_units_outside_the_schema_keep_their_number_and_a_note() -> None:
    row = only("Each phone has 128GB of storage.", text="128GB", value=128, unit="count")
    assert "GB" in row["note"]
    row = only("The fine was EUR50m.", text="EUR50m", value=50_000_000, unit="count")
    assert "EUR" in row["note"]


def test_negative_numbers_and_hedged_ranges() -> None:
    only("Temperatures fell to -12 overnight.", text="-12", value=-12)
    row = only("Repairs take one to two years.", text="one to two years", value_low=1, value_high=2, unit="year")
    assert row["qualifier"] == "range"
    row = only("The unit has about 20-25 vehicles.", text="20-25", qualifier="range", value_low=20, value_high=25)
    assert row["note"] == "the text qualifies the range as approximately"


def test_one_as_a_quantity() -> None:
    only("One soldier was killed in the blast.", text="One", value=1)
    only("At least one civilian died.", text="At least one", qualifier="at_least")


@pytest.mark.parametrize("sentence", [
    "The tanker lost one US fluid ounce of fuel.",  # a unit after two modifying words
    "Each plot measures one square mile.",
    "The engineer earned one Afghan afghani less.",
    "The clerk pleaded guilty to one count of forgery.",  # a counted charge
    "Prosecutors dropped one charge of arson.",
])
def test_one_before_a_modified_unit_or_a_counted_charge_is_a_quantity(sentence: str) -> None:
    only(sentence, value=1)


@pytest.mark.parametrize("sentence", [
    "One source said the road was mined.",  # "one" meaning "a certain", as before
    "It is one of the places where fighting began.",
    "By one count, the office closed early.",  # "by one count": an estimate, not a charge
    "She raised one hand over the crowd.",
])
def test_one_without_a_unit_or_counted_noun_is_no_quantity(sentence: str) -> None:
    assert texts(sentence) == []


# --- changes, periods, attribution ---------------------------------------------------------------

def test_change_with_reference_period() -> None:
    text = "In 2024, attacks killed 900 people, which is 40% more than in 2023."
    rows = {row["text"]: row for row in extract_statistics(text)}
    assert rows["40%"]["reference_period"] == "2023"
    assert rows["40%"]["period"] == "2024"
    assert rows["900"]["period"] == "2024"


def test_change_with_period() -> None:
    row = only("Kidnappings increased by 30% in 2022.", text="30%", unit="percent")
    assert row["period"] == "2022" and row["reference_period"] is None


def test_period_phrase_and_measure() -> None:
    text = "Casualties rose to 90 percent in the first 18 months of the new administration."
    rows = {row["text"]: row for row in extract_statistics(text)}
    assert rows["90 percent"]["period"] == "in the first 18 months of the new administration"
    assert rows["18 months"]["period"] is None
    assert only("Police arrested 45 smugglers near the port.")["measure"].startswith("smugglers")


def test_attribution_to_the_credited_entity() -> None:
    text = "According to the Relief Agency, 3,000 homes were destroyed. The army said 40 soldiers died."
    spans = [(text.index("Relief Agency"), text.index("Relief Agency") + 13, "relief-agency"),
             (text.index("army"), text.index("army") + 4, "army")]
    rows = {row["text"]: row for row in extract_statistics(text, spans)}
    assert rows["3,000"]["attributed_to"] == "relief-agency"
    assert rows["40"]["attributed_to"] == "army"
    assert extract_statistics("Officials visited 40 villages.", [(0, 9, "officials")])[0]["attributed_to"] is None


def test_rows_are_sorted_and_spans_exact() -> None:
    text = "Between 200 and 300 fighters, 5 commanders and about 7% of recruits left in 9 days."
    rows = extract_statistics(text)
    assert [row["start"] for row in rows] == sorted(row["start"] for row in rows)
    assert all(text[row["start"]:row["end"]] == row["text"] for row in rows)
    assert [row["text"] for row in rows] == ["Between 200 and 300", "5", "about 7%", "9 days"]


# --- the scoring (the drafter's quality on the curated set is measured by `python -m scripts evaluate`) ---

def test_score_statistics_matches_overlap_and_bounds() -> None:
    curated = [
        {"start": 10, "end": 20, "value": 5, "value_low": 5, "value_high": 5, "qualifier": "exact", "unit": "count"},
        {"start": 40, "end": 44, "value": 9, "value_low": None, "value_high": None, "qualifier": "approximately",
         "unit": "year"},
    ]
    drafted = [
        {"start": 12, "end": 18, "value": 5, "value_low": 5, "value_high": 5, "qualifier": "exact", "unit": "day"},
        {"start": 40, "end": 44, "value": 9, "value_low": 9, "value_high": 9, "qualifier": "exact", "unit": "year"},
        {"start": 60, "end": 62, "value": 1, "value_low": 1, "value_high": 1, "qualifier": "exact", "unit": "count"},
    ]
    result = score_statistics(drafted, curated)
    assert result["matched"] == 1
    assert result["precision"] == pytest.approx(1 / 3) and result["recall"] == pytest.approx(1 / 2)
    assert result["qualifier_accuracy"] == 1.0 and result["unit_accuracy"] == 0.0
    assert [miss["value"] for miss in result["misses"]] == [9]


def test_newsquant_scoring_on_a_small_fixture(tmp_path: Path) -> None:
    sentences = [
        {"text": "Shares rose 5% to $12.", "quantities": [
            {"change": "up", "value": "5", "unit": "%", "normalized_unit": "percentage", "referred_concepts": "-"},
            {"change": "=", "value": "12", "unit": "$", "normalized_unit": "dollar", "referred_concepts": "-"}]},
        {"text": "Between 3,000 and 5,000 fled, about 20 died.", "quantities": [
            {"change": "=", "value": "3000-5000", "unit": "-", "normalized_unit": "-", "referred_concepts": "-"},
            {"change": "~", "value": "20", "unit": "-", "normalized_unit": "-", "referred_concepts": "-"},
            {"change": "=", "value": "7", "unit": "-", "normalized_unit": "-", "referred_concepts": "-"}]},
    ]
    path = tmp_path / "NewsQuant.json"
    path.write_text(json.dumps(sentences), encoding="utf-8")
    from scripts.drafter.eval_newsquant import drafter_predictions, load_newsquant

    result = score(load_newsquant(path), drafter_predictions)
    assert result["predicted"] == 4 and result["gold"] == 5
    assert result["value"] == {"P": 100.0, "R": 80.0, "F1": 88.9}
    assert result["value+change"]["F1"] == 88.9
    assert gold_value("3000-5000") == (3000.0, 5000.0) and gold_value("-5") == -5.0


# --- number formats, fractions, multiples and changes added after the NewsQuant error analysis ----------

def test_pound_sign_transliterated_as_ps() -> None:
    row = only("The bonus was worth up to PS2.7m last year.", text="up to PS2.7m", value=2_700_000,
               qualifier="up_to", unit="count")
    assert "£" in row["note"]
    only("The club paid PS21,700 in fines.", text="PS21,700", value=21_700)
    only("A PS8.1bn takeover followed.", text="PS8.1bn", value=8_100_000_000)
    assert texts("The new PS5 console sold out.") == []  # a model name, not an amount


@pytest.mark.parametrize("sentence, span, value, unit", [
    ("Add 1/2 pound of flour.", "1/2 pound", 0.5, "count"),
    ("A cup is 1/16 of a gallon.", "1/16", 0.0625, "count"),
    ("A gill is 1⁄32 of a gallon.", "1⁄32", 0.03125, "count"),
    ("Only 1/3 of the voters turned out.", "1/3", 33.3, "percent"),
])
def test_fractions_written_with_digits(sentence: str, span: str, value: float, unit: str) -> None:
    only(sentence, text=span, value=value, unit=unit)


def test_a_slash_between_numbers_is_no_fraction_without_unit_or_of() -> None:
    assert texts("The shop is open 24/7 since the 9/11 attacks.") == []


def test_multiples_and_shares_in_fifths_and_fourths() -> None:
    row = only("Exports grew more than sixfold.", text="more than sixfold", value=6, qualifier="more_than")
    assert "fold" in row["note"]
    only("Imports rose 3-fold.", text="3-fold", value=3)
    only("One fourth of the district is flooded.", text="One fourth", value=25, unit="percent")
    only("Four-fifths of the roads were cut.", text="Four-fifths", value=80, unit="percent")
    assert texts("Protesters gathered for a fourth time.") == []


def test_numbers_joined_by_hyphenated_words() -> None:
    only("Her now-18 month-old son was unhurt.", text="18 month-old", value=18, unit="month")
    only("The car does 0-to-60 quickly.", text="0-to-60", qualifier="range", value_low=0, value_high=60)
    only("He faces a 10-to-15-year sentence.", text="10-to-15-year", value_low=10, value_high=15, unit="year")
    assert texts("The F-16 and COVID-19 were discussed.") == []


def test_year_like_number_in_a_range_of_counts_and_house_number_ranges() -> None:
    only("Adults need 2000 - 2500 calories a day.", text="2000 - 2500 calories", qualifier="range",
         value_low=2000, value_high=2500)
    assert texts("Between 1999 and 2001 the road was closed.") == []
    assert texts("The firm leased 16-18 Industrial Avenue.") == []


def _directions(sentence: str) -> list[tuple[float | None, str | None]]:
    from scripts.drafter.numbers import find_quantities

    return [(quantity.value, quantity.direction) for quantity in find_quantities(sentence)]


@pytest.mark.parametrize("sentence, expected", [
    # a sign marks a change only on a percentage; a negative measurement is a value
    ("The DAX closed -1.6% and the Dow +0.2%.", [(-1.6, "down"), (0.2, "up")]),
    ("Net yardage was -5 yards.", [(-5, None)]),
    # the same change restated in another unit after "or"
    ("The index lost 190 points, or 0.6%.", [(190, "down"), (0.6, "down")]),
    # more change verbs, and a change verb with an object before "by"
    ("Shares plummeted 40 percent and rallied 7 percent.", [(40, "down"), (7, "up")]),
    ("The firm expects to grow sales by 35 per cent.", [(35, "up")]),
    # "up" as a particle, "raised" without "by" and a "loss of" are no changes
    ("The defence gave up 517 yards.", [(517, None)]),
    ("The company raised $280 million from investors.", [(280_000_000, None)]),
    ("It posted a loss of 63 cents a share.", [(63, None)]),
    # section 6: a percentage after "rose to" is the size of the increase
    ("The rate climbed to 6.7% this week.", [(6.7, "up")]),
])
def test_direction_of_changes(sentence: str, expected: list[tuple[float, str | None]]) -> None:
    assert _directions(sentence) == expected


def test_a_conversion_in_brackets_keeps_the_qualifier_and_change() -> None:
    rows = extract_statistics("Moths can fly more than 100 kilometers (60 miles).")
    assert [(r["text"], r["qualifier"], r["value_low"], r["value_high"]) for r in rows] == [
        ("more than 100 kilometers", "more_than", 100, None), ("60 miles", "more_than", 60, None)]
    assert _directions("Profit rose $5 million (4 million euros).") == [(5_000_000, "up"), (4_000_000, "up")]


def test_newsquant_change_of_a_hedged_increase_is_up() -> None:
    from scripts.drafter.eval_newsquant import drafter_predictions

    assert drafter_predictions("Shares rose about 1.5% on Monday.") == [{"value": 1.5, "change": "up"}]
    assert drafter_predictions("Shares rose more than 2%.") == [{"value": 2.0, "change": ">"}]


def test_half_a_million_in_any_case_is_a_number():
    from scripts.drafter.numbers import extract_statistics

    lower = extract_statistics("Aid reached half a million people.")
    upper = extract_statistics("Aid reached half A million people.")
    assert [(r["text"], r["value"]) for r in upper] == [(r["text"].replace("a million", "A million"), r["value"])
                                                         for r in lower]
    assert lower and lower[0]["value"] == 500000


@pytest.mark.parametrize("sentence, values", [
    ("Attacks on clinics rose from 1200 to 1500 last year.", [1200, 1500]),
    ("The army deployed 1500 troops and 1200 police officers.", [1500, 1200]),
    ("The toll climbed to 1800 in May from 1300 in April.", [1800, 1300]),
    ("The clinic treated 900 patients in 2021 and 1100 in 2022.", [900, 1100]),
    ("The army deployed 1950 troops along the river.", [1950]),
])
def test_four_digit_counts_after_and_from_to_are_not_years(sentence: str, values: list[float]) -> None:
    assert [row["value"] for row in extract_statistics(sentence)] == values


@pytest.mark.parametrize("sentence", [
    "In 2014 militants attacked the school.", "Between 2015 and 2020 attacks doubled.",
    "Between 1600 and 1900 river levels dropped.", "The 2020 elections were close.",
    "Turnout rose to 2020 levels.", "A report published in July 2024 states that the road is closed.",
    "The dam was built in 1950 and rebuilt in 1987.",
])
def test_years_before_plural_nouns_stay_years(sentence: str) -> None:
    assert extract_statistics(sentence) == []


@pytest.mark.parametrize("sentence, values", [
    ("The storm became a category 4 hurricane.", []),
    ("Phase 3 trials began in May with 400 patients.", [400]),
    ("Homes in the 90210 ZIP code sold for more.", []),
    ("Police sealed off sector 7 of the camp.", []),
    ("The council cut 12 district offices.", [12]),
    ("Prices rose to a level 30 percent above the old one.", [30]),
])
def test_a_number_that_names_is_no_statistic(sentence: str, values: list[float]) -> None:
    assert [row["value"] for row in extract_statistics(sentence)] == values


@pytest.mark.parametrize("sentence, span, value", [
    ("One out of three tenants have damp homes.", "One out of three", 33.3),
    ("Two in five voters backed the levy.", "Two in five", 40),
    ("About 1 in 10 adults smoke.", "About 1 in 10", 10),
])
def test_one_in_n_is_a_share_in_percent(sentence: str, span: str, value: float) -> None:
    only(sentence, text=span, value=value, unit="percent")


def test_numbers_before_in_and_a_place_are_counts() -> None:
    assert [r["value"] for r in extract_statistics("Police arrested two in Lund and three in Oslo.")] == [2, 3]


def test_newsquant_compares_a_share_in_words_as_the_fraction_it_is() -> None:
    from scripts.drafter.eval_newsquant import drafter_predictions, values_match

    # the table keeps the guidelines' percent (33.3); the benchmark writes the share as a fraction
    assert [row["value"] for row in extract_statistics("A third of the convoys were stopped.")] == [33.3]
    third, = drafter_predictions("A third of the convoys were stopped.")
    assert values_match(1 / 3, third["value"])
    assert values_match(0.25, drafter_predictions("One in four recruits left.")[0]["value"])
    assert values_match(2 / 3, drafter_predictions("Nearly two-thirds of the posts were empty.")[0]["value"])
    # a percentage written as such stays as written
    assert drafter_predictions("Turnout was 33 percent.") == [{"value": 33.0, "change": "="}]


@pytest.mark.parametrize("sentence, span, value, unit", [
    ("Exports fell from 2.4 to 1.9 billion dollars last year.", "2.4", 2_400_000_000, "usd"),
    ("Aid fell from $2.4 to $1.9 billion in 2023.", "$2.4", 2_400_000_000, "usd"),
    ("Refugees increased from 1.2 to 1.5 million.", "1.2", 1_200_000, "count"),
    ("Prices rose from 5 to 10 percent.", "5", 5, "percent"),
    ("The patrol range grew from 3 to 5 km.", "3", 3, "km"),
    # scaled, the old value would be a thousand times the new one: the text means 1,200
    ("The toll rose from 1,200 to 1.5 million.", "1,200", 1200, "count"),
    ("Horsepower jumped from 240 to 273.", "240", 240, "count"),
    # the new value is a range: its scale and unit are written after its high end
    ("Revenue rose from 2.4 to 3-3.5 billion dollars.", "2.4", 2_400_000_000, "usd"),
    ("The budget may go from 24.2 to 33–35 billion rupees.", "24.2", 24_200_000_000, "count"),
])
def test_the_old_value_of_a_change_takes_the_scale_and_unit_written_after_the_new_one(
        sentence: str, span: str, value: int, unit: str) -> None:
    row = {r["text"]: r for r in extract_statistics(sentence)}[span]
    assert (row["value"], row["unit"]) == (value, unit)


def test_newsquant_as_written_keeps_a_share_in_words_as_its_percent() -> None:
    from scripts.drafter.eval_newsquant import drafter_predictions, score
    from scripts.evaluate import format_newsquant_as_written, newsquant_as_written

    assert newsquant_as_written("A third of the convoys were stopped.") == [{"value": 33.3, "change": "="}]
    assert newsquant_as_written("Turnout rose 5% to $12.") == [{"value": 5.0, "change": "up"}, {"value": 12.0, "change": "="}]
    sentences = [{"text": "A third of the convoys were stopped, 20 in all.", "quantities": [
        {"change": "=", "value": str(1 / 3), "unit": "-"}, {"change": "=", "value": "20", "unit": "-"}]}]
    # converted, both are found; as written, the share is a miss and a false hit
    assert score(sentences, drafter_predictions)["value"] == {"P": 100.0, "R": 100.0, "F1": 100.0}
    assert score(sentences, newsquant_as_written)["value"] == {"P": 50.0, "R": 50.0, "F1": 50.0}
    assert "P  50.0  R  50.0  F1  50.0  (as written" in format_newsquant_as_written(sentences)


def test_a_number_that_opens_a_dash_range_is_no_bound_of_a_to_range() -> None:
    rows = extract_statistics("The budget may go from 24.2 to 33-35 billion rupees.")
    assert [(r["text"], r["qualifier"], r["value_low"], r["value_high"]) for r in rows] == [
        ("24.2", "exact", 24_200_000_000, 24_200_000_000), ("33-35 billion rupees", "range", 33e9, 35e9)]
