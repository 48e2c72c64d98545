"""Properties of normalisation and span resolution that must hold for any article (hypothesis).

Normalising with the ``plain`` profile is idempotent: a normalised text is
its own normal form, whatever markup, spacing, line endings or Unicode
composition the raw text had. Every substring of a normalised text that an
annotation may name round-trips: :func:`scripts.annotations.locate` finds each
of its occurrences at offsets where the text holds exactly that substring.
"""

from __future__ import annotations

import csv
import io
import unicodedata

import pyarrow as pa
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scripts.annotations import locate, occurrences
from scripts.errors import BuildError
from scripts.normalise import normalise_text
from scripts.tables import _csv_cell, csv_lines

PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)

# Words with composed and decomposed accents, non-Latin scripts, digits and punctuation.
WORDS = st.sampled_from([
    "Kabul", "Islamabad", "TTP", "Taliban", "said", "the", "of", "2,500", "66%", "$60", "km", "café",
    unicodedata.normalize("NFD", "café"), "Peshāwar", unicodedata.normalize("NFD", "Peshāwar"), "Ḫ", "ﬁ",
    "طالبان", "“quoted”", "'single'", "(aside)", "end.", "why?", "wait…", "a-b", "x_y", "1.5", "#7",
])
# Markup and spacing the normaliser removes or collapses.
SPACES = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u2009", "\u202f", " \t "])


@st.composite
def inline(draw: st.DrawFn) -> str:
    """One line of words, some wrapped in Markdown or HTML markup."""
    parts = []
    for word in draw(st.lists(WORDS, min_size=1, max_size=8)):
        wrap = draw(st.sampled_from(["{}", "**{}**", "__{}__", "*{}*", "[{}](https://example.org/x)",
                                     "<b>{}</b>", "<a href='y'>{}</a>", "\\*{}", "{}\\."]))
        parts.append(wrap.format(word))
        parts.append(draw(SPACES))
    return draw(st.sampled_from(["", "# ", "## ", " "])) + "".join(parts) + draw(st.sampled_from(["", " ", "\t"]))


@st.composite
def raw_article(draw: st.DrawFn) -> str:
    """Paragraphs of marked-up lines separated by blank lines, rules and mixed line endings."""
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    blocks = []
    for _ in range(draw(st.integers(1, 5))):
        lines = draw(st.lists(inline(), min_size=1, max_size=3))
        if draw(st.booleans()):  # a paragraph split by the layout, continuing in lower case
            lines.append("and " + draw(inline()))
        blocks.append(newline.join(lines))
        blocks.append(draw(st.sampled_from(["", "", "---", "* * *", "   "])))
    return (newline * draw(st.integers(1, 3))).join(blocks)


@pytest.fixture(scope="module")
def plain(profiles):
    return profiles["plain"]


@PROPERTY_SETTINGS
@given(raw=raw_article())
def test_normalised_text_is_a_fixed_point(plain, raw: str):
    once = normalise_text(raw, plain).text
    assert normalise_text(once, plain).text == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\r" not in once and "\n\n\n" not in once and once == once.strip()


@PROPERTY_SETTINGS
@given(raw=raw_article(), data=st.data())
def test_every_substring_round_trips_through_its_offsets(plain, raw: str, data: st.DataObject):
    text = normalise_text(raw, plain).text
    assume(text.strip())
    start = data.draw(st.integers(0, len(text) - 1), label="start")
    end = data.draw(st.integers(start + 1, len(text)), label="end")
    needle = text[start:end].strip()
    assume(needle)
    starts = occurrences(text, needle)
    assert text.find(needle, start) in starts
    for occurrence in range(1, len(starts) + 1):
        span = locate(text, needle, occurrence, "generated")
        assert text[span.start:span.end] == needle == span.text
        assert span.start == starts[occurrence - 1] and span.occurrence == occurrence
    if len(starts) > 1:
        with pytest.raises(BuildError, match="ambiguous"):
            locate(text, needle, None, "generated")
    else:
        assert locate(text, needle, None, "generated").start == starts[0]


# Fields a CSV writer must quote, double or leave alone: separators, quotes, line ends, spaces, non-Latin text.
CSV_TEXT = st.one_of(st.none(), st.text(alphabet=st.sampled_from(
    [",", '"', "\r", "\n", " ", "\t", "a", "Z", "7", "é", "ط", "“", "\u2028", ";", "'"]), max_size=12))


@st.composite
def csv_tables(draw: st.DrawFn) -> pa.Table:
    """A table of one to four columns of text, integers, decimals and dates (nulls among them)."""
    rows = draw(st.integers(min_value=1, max_value=6))
    kinds = draw(st.lists(st.sampled_from(["text", "integer", "decimal", "date"]), min_size=1, max_size=4))
    columns = {}
    for index, kind in enumerate(kinds):
        if kind == "text":
            values, arrow_type = draw(st.lists(CSV_TEXT, min_size=rows, max_size=rows)), pa.string()
        elif kind == "integer":
            values, arrow_type = draw(st.lists(st.none() | st.integers(-2**62, 2**62), min_size=rows,
                                               max_size=rows)), pa.int64()
        elif kind == "decimal":
            values, arrow_type = draw(st.lists(st.none() | st.floats(allow_nan=False, allow_infinity=False),
                                               min_size=rows, max_size=rows)), pa.float64()
        else:
            values, arrow_type = draw(st.lists(st.none() | st.dates(), min_size=rows, max_size=rows)), pa.date32()
        columns[f"c{index}"] = pa.array(values, arrow_type)
    return pa.table(columns)


@given(csv_tables())
@PROPERTY_SETTINGS
def test_csv_lines_are_the_bytes_of_pythons_csv_writer(table: pa.Table):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerows([_csv_cell(value) for value in record] for record in zip(*table.to_pydict().values()))
    assert csv_lines(table) == out.getvalue().encode("utf-8")
    assert csv_lines(table.slice(1)) == b"".join(csv_lines(table.slice(i, 1)) for i in range(1, table.num_rows))
