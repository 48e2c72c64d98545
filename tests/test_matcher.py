"""The one-pass name matcher finds exactly what the plain rule finds, on any text and any names."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scripts import annotations as ann
from scripts.annotations import NameMatcher, fold_case, match_names


def plain_rule(text: str, names: dict[str, str]) -> list[tuple[int, int, str]]:
    """The matching rule stated plainly (every finditer match, longest first, no overlaps): the oracle."""
    candidates = []
    for name, entity_id in names.items():
        if not name:
            continue
        flags = 0 if not any(c.islower() for c in name) else re.IGNORECASE
        one_capitalised_word = bool(flags) and any(c.isupper() for c in name) and not any(c.isspace() for c in name)
        for found in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", text, flags):
            if one_capitalised_word and found.group().islower():
                continue  # a one-word name with a capital is not matched in a word written wholly in lower case
            candidates.append((found.start(), found.end(), entity_id))
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    kept: list[tuple[int, int, str]] = []
    for start, end, entity_id in candidates:
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, entity_id))
    return sorted(kept)


# Characters where case-insensitive matching is not plain lower-casing: dotted and dotless i, long s,
# Kelvin sign, final sigma, sharp s, micro sign; plus word characters, separators and punctuation.
ALPHABET = "aAbBiIsSkK" + "İıſKΣσςßµμ" + "-_. ’'1"
names_strategy = st.dictionaries(
    st.text(alphabet=ALPHABET, min_size=1, max_size=4), st.sampled_from(["e1", "e2", "e3"]), max_size=8)


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=60), names=names_strategy)
def test_one_pass_matcher_equals_the_plain_rule(text: str, names: dict[str, str]) -> None:
    assert match_names(text, names) == plain_rule(text, names)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=60), names=names_strategy, extra=names_strategy)
def test_extra_names_act_as_if_merged_into_the_registry(text: str, names: dict[str, str],
                                                        extra: dict[str, str]) -> None:
    extra = {name: f"local-{entity}" for name, entity in extra.items()}
    assert NameMatcher(names).match(text, extra) == plain_rule(text, {**names, **extra})


@given(text=st.text(max_size=80))
def test_case_folding_keeps_offsets(text: str) -> None:
    assert len(fold_case(text)) == len(text)


def test_ties_go_to_the_name_listed_first_and_repeats_do_not_overlap() -> None:
    text = "Aa Aa Aa Aa and aa aa"
    names = {"Aa Aa": "first", "aa aa": "second", "AA": "acronym"}
    assert match_names(text, names) == plain_rule(text, names) == [(0, 5, "first"), (6, 11, "first"),
                                                                   (16, 21, "first")]


def test_a_matcher_is_reused_across_texts_and_keeps_the_registry_order() -> None:
    registry = ann.load_registry()
    names = {name: e.entity_id for e in registry.values() for name in e.names}
    matcher = ann.registry_matcher(registry)
    texts = ["Kabul and KABUL; the TTP, the Pakistani Taliban and the Taliban.", "nothing to see", ""]
    for text in texts:
        assert matcher.match(text) == plain_rule(text, names)
        assert matcher.match(text, {"Taliban": "ttp"}) == plain_rule(text, {**names, "Taliban": "ttp"})


def test_a_reused_matcher_for_a_large_name_list_follows_the_plain_rule() -> None:
    big = {f"Name{i} Place": f"e{i}" for i in range(ann.CACHED_MATCHER_MIN_NAMES)}
    big.update({"Kabul": "kabul", "US": "united-states", "Taliban": "taliban"})
    text = "Name1 Place and NAME2 place met in Kabul; the US and the Taliban, and Name3 Place again. Name1 Place."
    variants = [
        big,
        {**big, "Name1 Place and": "longer", "Qari": "q"},      # the registry, then a text's own names
        {**big, "Taliban": "ttp"},                              # a known name given another entity
        dict(reversed(list(big.items()))),                      # the same names in another order
        {**big, "Name3 Place": "e1", "Kabul": "city"},
        big,
    ]
    for names in variants:
        assert match_names(text, names) == plain_rule(text, names)


def test_a_one_word_name_is_no_mention_of_the_same_word_in_lower_case() -> None:
    """A surname or a place written with a capital is an ordinary word when the text writes it in lower case
    ("hope", "tension"); other cases still match ("HOPE" in a headline), and names of several words match
    whatever their case ("foreign ministry"), as the annotation guidelines say."""
    names = {"Hope": "john-hope", "Foreign Ministry": "foreign-ministry", "Kabul": "kabul"}
    text = "There is hope, Hope said. HOPE IN KABUL. The foreign ministry in kabul agreed."
    found = [(text[s:e], entity) for s, e, entity in match_names(text, names)]
    assert found == [("Hope", "john-hope"), ("HOPE", "john-hope"), ("KABUL", "kabul"),
                     ("foreign ministry", "foreign-ministry")]
    assert [(text[s:e], entity) for s, e, entity in NameMatcher(names).match(text)] == found
    assert plain_rule(text, names) == match_names(text, names)
