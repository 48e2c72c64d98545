"""Guards on the curated annotations, checked on the published tables; each holds for any correct corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from scripts.annotations import load_registry, match_key

CHANGE_WORDS = re.compile(r"\b(?:increase|increased|rise|rose|surge|more|growth|change|decline|decrease|drop)\b", re.I)


@pytest.fixture(scope="module")
def tables(built_package: Path) -> dict[str, pd.DataFrame]:
    names = ("sources", "texts", "entities", "mentions", "quotes", "statistics")
    return {n: pd.read_csv(built_package / "data" / f"{n}.csv", dtype=str, keep_default_na=False) for n in names}


def test_every_source_is_annotated(tables):
    # every article names some entity; one without a quote or a number is possible (an added
    # article must not fail this test), but no quote or statistic may belong to an unknown source
    assert set(tables["mentions"]["source_id"]) == set(tables["sources"]["source_id"])
    for table in ("quotes", "statistics"):
        assert set(tables[table]["source_id"]) <= set(tables["sources"]["source_id"]), table


def test_every_quote_has_a_kind_and_a_speaker_unless_anonymous(tables):
    quotes = tables["quotes"]
    assert (quotes["kind"] != "").all()
    anonymous = quotes[quotes["speaker_entity_id"] == ""]
    # an anonymous speaker is kept as written ("a local official", "Pakistani officials")
    assert (anonymous["speaker_text"] != "").all(), anonymous[["quote_id", "text"]]


def test_speakers_and_channels_have_plausible_types(tables):
    types = dict(zip(tables["entities"]["entity_id"], tables["entities"]["type"]))
    quotes = tables["quotes"]
    assert {types[e] for e in quotes["speaker_entity_id"] if e} <= {"PERSON", "ORG", "GPE"}
    assert {types[e] for e in quotes["channel_entity_id"] if e} <= {"PERSON", "ORG"}


def test_quote_spans_exclude_quotation_marks_and_joining_commas(tables):
    for row in tables["quotes"].itertuples():
        text = row.text
        assert text == text.strip() and not text.endswith(","), row.quote_id
        # an opening mark may only stay inside when it is closed inside (“TTP” in a pull quote)
        if text[0] in "“‘\"":
            assert any(mark in text[1:] for mark in "”’\""), (row.quote_id, text)
        assert text[-1] not in "“”‘\"", (row.quote_id, text)


def test_statistic_bounds_agree_with_the_qualifier(tables):
    stats = tables["statistics"]
    for row in stats.itertuples():
        value, low, high = (float(x) if x else None for x in (row.value, row.value_low, row.value_high))
        where = (row.statistic_id, row.text)
        if row.qualifier == "exact":
            assert low == value == high is not None, where
        elif row.qualifier == "range":
            assert value is None and low is not None and high is not None and low < high, where
        elif row.qualifier in ("more_than", "at_least"):
            assert low == value is not None and high is None, where
        elif row.qualifier in ("up_to", "less_than"):
            assert high == value is not None and low is None, where
        elif row.qualifier == "approximately":
            assert value is not None and low is None and high is None, where


def test_percentages_of_shares_lie_between_0_and_100(tables):
    stats = tables["statistics"]
    percent = stats[stats["unit"] == "percent"]
    shares = percent[(percent["reference_period"] == "") & ~percent["measure"].str.contains(CHANGE_WORDS.pattern, flags=re.I)]
    for column in ("value", "value_low", "value_high"):
        numbers = pd.to_numeric(shares[column].replace("", None)).dropna()
        assert numbers.between(0, 100).all(), shares[["text", "measure"]]


def test_every_entity_has_a_mention(tables):
    unmentioned = set(tables["entities"]["entity_id"]) - set(tables["mentions"]["entity_id"])
    assert unmentioned == set()


def test_every_alias_is_matched_somewhere_or_documented(tables):
    seen = {(row.entity_id, match_key(row.text)) for row in tables["mentions"].itertuples()}
    missing = []
    for entity in load_registry().values():
        for name in entity.aliases:
            documented = entity.notes and name in entity.notes
            if (entity.entity_id, match_key(name)) not in seen and not documented:
                missing.append((entity.entity_id, name))
    assert missing == []


def test_matched_mentions_are_names_of_their_entity(tables):
    registry = load_registry()
    for row in tables["mentions"][tables["mentions"]["origin"] == "matched"].itertuples():
        names = {match_key(n) for n in registry[row.entity_id].names}
        # source-local aliases ("Baloch") are curated per source; registry names must match their entity
        if match_key(row.text) in {match_key(n) for e in registry.values() for n in e.names}:
            assert match_key(row.text) in names, (row.source_id, row.text, row.entity_id)


def test_distinct_taliban_referents_stay_distinct(tables):
    entities = tables["entities"].set_index("entity_id")
    for entity_id in ("afghan-taliban", "ttp", "jamaat-ansarullah"):
        assert entities.loc[entity_id, "type"] == "ORG"
    mentions = tables["mentions"]
    assert set(mentions[mentions["text"] == "Tajik Taliban"]["entity_id"]) == {"jamaat-ansarullah"}
    assert set(mentions[mentions["text"] == "Pakistani Taliban"]["entity_id"]) == {"ttp"}
