"""The bounds of a statistic agree with its qualifier (guidelines section 3), rule by rule.

Each qualifier is given the bounds its rule asks for (accepted) and bounds that break it one way
at a time (refused): the build and ``validate`` share :func:`scripts.annotations.check_bounds`, so a
rule weakened there (an ``and`` become ``or``, ``<`` become ``<=``, a qualifier left unchecked) fails here.
"""

from __future__ import annotations

import pytest

from scripts.annotations import check_bounds
from scripts.errors import BuildError

# qualifier -> (accepted (value, low, high), [refused (value, low, high), ...])
RULES: dict[str, tuple[tuple[float | None, float | None, float | None], list[tuple[float | None, float | None, float | None]]]] = {
    "exact": ((12, 12, 12), [(None, 12, 12), (12, 11, 12), (12, 12, 13), (12, None, None)]),
    "approximately": ((5000, None, None), [(None, None, None), (5000, 5000, None), (5000, None, 5000)]),
    "more_than": ((2000, 2000, None), [(None, 2000, None), (2000, 1999, None), (2000, 2000, 3000), (2000, None, None)]),
    "at_least": ((20, 20, None), [(None, 20, None), (20, 19, None), (20, 20, 30)]),
    "less_than": ((10, None, 10), [(None, None, 10), (10, None, 9), (10, 5, 10), (10, None, None)]),
    "up_to": ((6500, None, 6500), [(None, None, 6500), (6500, None, 6000), (6500, 100, 6500)]),
    "range": ((None, 30, 40), [(35, 30, 40), (None, 30, 30), (None, 40, 30), (None, None, 40), (None, 30, None)]),
}


def row(qualifier: str, value: float | None, low: float | None, high: float | None) -> dict[str, object]:
    return {"value": value, "value_low": low, "value_high": high, "qualifier": qualifier}


@pytest.mark.parametrize("qualifier", RULES)
def test_the_bounds_each_rule_asks_for_are_accepted(qualifier: str):
    check_bounds(row(qualifier, *RULES[qualifier][0]), "statistic 1")


@pytest.mark.parametrize("qualifier, bounds", [(q, b) for q, (_good, bad) in RULES.items() for b in bad])
def test_bounds_that_break_the_rule_are_refused_naming_the_entry(qualifier: str, bounds: tuple):
    with pytest.raises(BuildError, match=rf"^statistic 1: qualifier '{qualifier}' needs "):
        check_bounds(row(qualifier, *bounds), "statistic 1")
