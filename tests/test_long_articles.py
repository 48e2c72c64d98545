"""Long articles: the linear-time mention resolver and span check give what the plain definitions give.

The speed itself is measured by benchmarks/bench_mentions.py, never here; these tests pin the results
of the faster code to the plain rules: a mention's occurrence counts every equal text before it
(overlaps included), an 'add' may overlap neither a matched mention nor an earlier 'add', and every
span that differs from its text is reported, by row, whichever source it belongs to.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from scripts.annotations import Entity, SourceAnnotation, Span, content_id, resolve_mentions
from scripts.errors import BuildError, Problems
from scripts.package import write_descriptor
from scripts.tables import write_tables
from scripts.validate import check_tables

REGISTRY = {
    "pakistan": Entity("pakistan", "Pakistan", "GPE", ["Islamabad"], "The state."),
    "ttp": Entity("ttp", "Tehreek-e-Taliban Pakistan", "ORG", ["TTP"], "The Pakistani Taliban."),
}
SENTENCE = "Pakistan’s envoy in Islamabad said the TTP and Pakistani forces met near Pakistan. "


def plain_occurrence(text: str, surface: str, start: int) -> int:
    """1 + the equal texts that start before ``start``, counted one position at a time."""
    return 1 + sum(text.startswith(surface, position) for position in range(start))


def source(mentions: dict | None = None) -> SourceAnnotation:
    return SourceAnnotation(Path("long.yaml"), {"source_id": "long"}, mentions=mentions or {})


def test_mention_ids_follow_the_plain_occurrence_count():
    text = SENTENCE * 40
    rows = resolve_mentions(source(), text, REGISTRY)
    assert len(rows) == 40 * 4 and {row["text"] for row in rows} == {"Pakistan", "Islamabad", "TTP"}
    for row in rows:
        occurrence = plain_occurrence(text, row["text"], row["start"])
        assert row["mention_id"] == content_id("m", "long", Span(row["start"], row["end"], row["text"], occurrence))


def test_an_add_may_overlap_neither_a_matched_mention_nor_an_earlier_add():
    text = SENTENCE * 3
    adds = [{"text": "envoy in Islamabad", "occurrence": 1, "entity": "pakistan"},  # overlaps "Islamabad"
            {"text": "Pakistani forces", "occurrence": 2, "entity": "pakistan"},    # free
            {"text": "Pakistani", "occurrence": 2, "entity": "pakistan"},           # inside the add before
            {"text": "envoy", "occurrence": 3, "entity": "pakistan"}]               # free
    problems = Problems()
    rows = resolve_mentions(source({"add": adds}), text, REGISTRY, problems)
    assert [message.split(": ", 2)[1] for message in problems.messages] == ["mentions.add[1]", "mentions.add[3]"]
    assert all("overlaps a matched mention" in message for message in problems.messages)
    curated = sorted((row["text"], row["start"]) for row in rows if row["origin"] == "curated")
    assert curated == [("Pakistani forces", text.find("Pakistani forces", len(SENTENCE))),
                       ("envoy", text.rfind("envoy"))]
    with pytest.raises(BuildError, match="overlaps a matched mention"):
        resolve_mentions(source({"add": adds[:1]}), text, REGISTRY)


def _break_span(package: Path, table: str, row: int) -> str:
    """Make the span text of ``row`` differ from the article, in CSV and Parquet; returns its key."""
    frame = pq.read_table(package / "data" / f"{table}.parquet").to_pandas()
    frame.loc[row, "text"] = frame.loc[row, "text"] + "x"
    write_tables({table: frame}, package / "data")
    write_descriptor(package)
    return str(frame.iloc[row, 0])


def test_every_wrong_span_of_every_source_is_reported_in_row_order(fixture_package: Path, tmp_path: Path):
    package = tmp_path / "package"
    shutil.copytree(fixture_package, package)
    mentions = pq.read_table(package / "data" / "mentions.parquet", columns=["source_id"]).column(0).to_pylist()
    assert len(set(mentions)) > 1
    rows = [0, mentions.index(mentions[-1]) - 1, len(mentions) - 1]  # first source, a middle one, the last
    keys = [_break_span(package, "mentions", row) for row in rows]
    found = [line for line in check_tables(package) if line.startswith("cross-table: spans equal text")]
    assert [next(key for key in keys if key in line) for line in found] == keys


def test_curation_entries_with_one_text_resolve_each_to_its_own_occurrence():
    text = SENTENCE * 30
    excluded = [3, 4, 17, 30]
    curation = {"exclude": [{"text": "Islamabad", "occurrence": number} for number in excluded],
                "assign": [{"text": "Islamabad", "occurrence": 5, "entity": "ttp"}]}
    rows = resolve_mentions(source(curation), text, REGISTRY)
    islamabad = {plain_occurrence(text, row["text"], row["start"]): row for row in rows if row["text"] == "Islamabad"}
    assert sorted(islamabad) == [n for n in range(1, 31) if n not in excluded]
    assert islamabad[5]["entity_id"] == "ttp" and islamabad[5]["origin"] == "curated"
    assert {row["entity_id"] for n, row in islamabad.items() if n != 5} == {"pakistan"}
