"""Tests of scripts/expectations.py: the GX suites pass on valid tables and name each fault.

Each test writes a small fixture ``data/`` folder of Parquet tables typed by
the Table Schemas, optionally breaking one rule, and runs the suites on it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scripts.errors import BuildError
from scripts.expectations import RULES_PATH, load_rules, run_suites, schema_specs
from scripts.schema import TABLES, TableSchema, load_schemas

TEXT = "Title\n\nThe UN said 5 people came."


def valid_rows() -> dict[str, list[dict[str, Any]]]:
    """One consistent article; optional columns left out are written as nulls."""
    return {
        "sources": [{"source_id": "src-one", "title": "Title", "published_date": dt.date(2024, 1, 2),
                     "date_precision": "day", "date_basis": "stated", "language": "en", "site_id": "plain",
                     "raw_path": "data/raw/one.txt", "raw_sha256": "a" * 64, "text_sha256": "b" * 64,
                     "n_chars": len(TEXT), "n_words": 7}],
        "texts": [{"source_id": "src-one", "text": TEXT}],
        "entities": [{"entity_id": "un", "name": "United Nations", "type": "ORG", "description": "The UN."}],
        "mentions": [{"mention_id": "m-0123456789ab", "source_id": "src-one", "entity_id": "un",
                      "start": 11, "end": 13, "text": "UN", "origin": "matched"}],
        "quotes": [{"quote_id": "q-0123456789ab", "source_id": "src-one", "start": 19, "end": 33,
                    "text": "5 people came.", "kind": "indirect", "speaker_entity_id": "un", "cue": "said"}],
        "statistics": [
            {"statistic_id": "s-0123456789ab", "source_id": "src-one", "start": 19, "end": 20, "text": "5",
             "value": 5.0, "value_low": 5.0, "value_high": 5.0, "qualifier": "exact", "unit": "count",
             "measure": "people who came", "attributed_to_entity_id": "un"},
            # Bounds are optional: a row without them must not fail the bounds rule.
            {"statistic_id": "s-ba9876543210", "source_id": "src-one", "start": 19, "end": 27, "text": "5 people",
             "value": 5.0, "qualifier": "approximately", "unit": "count", "measure": "people"},
        ],
    }


def write_tables(directory: Path, rows: dict[str, list[dict[str, Any]]]) -> Path:
    """Write each table as Parquet with the pyarrow types of its schema."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, schema in load_schemas().items():
        pq.write_table(pa.Table.from_pylist(rows[name], schema=schema.arrow_schema()), directory / f"{name}.parquet")
    return directory


def failures_with(tmp_path: Path, table: str, index: int, **changes: Any) -> list[str]:
    """Run the suites on valid tables where one row of ``table`` is changed."""
    rows = valid_rows()
    rows[table][index].update(changes)
    return run_suites(write_tables(tmp_path / "data", rows))


def only_failure(messages: list[str], *words: str) -> str:
    """The one message that has all ``words``; fails the test if there is not exactly one."""
    found = [m for m in messages if all(w in m for w in words)]
    assert len(found) == 1, f"expected one message with {words}, got {messages}"
    return found[0]


def test_valid_tables_pass_and_write_nothing_outside_docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Any temp folder GX made would land here instead of in the shared /tmp.
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    docs = tmp_path / "docs"
    assert run_suites(write_tables(tmp_path / "data", valid_rows()), docs_dir=docs) == []
    assert (docs / "index.html").is_file()
    assert list(scratch.iterdir()) == []


def test_tables_built_from_the_annotations_pass(built_package: Path) -> None:
    assert run_suites(built_package / "data") == []


def test_duplicate_primary_key(tmp_path: Path) -> None:
    rows = valid_rows()
    rows["mentions"].append(dict(rows["mentions"][0]))
    messages = run_suites(write_tables(tmp_path / "data", rows))
    message = only_failure(messages, "mentions:", "expect_column_values_to_be_unique", "mention_id")
    assert "'m-0123456789ab'" in message
    assert len(messages) == 1


def test_value_outside_enum(tmp_path: Path) -> None:
    messages = failures_with(tmp_path, "quotes", 0, kind="shouted")
    message = only_failure(messages, "quotes:", "expect_column_values_to_be_in_set", "column kind")
    assert "'shouted'" in message
    assert len(messages) == 1


def test_lower_bound_above_upper_bound(tmp_path: Path) -> None:
    messages = failures_with(tmp_path, "statistics", 0, value_low=9.0)
    message = only_failure(messages, "statistics:", "expect_column_pair_values_a_to_be_greater_than_b",
                           "value_high, value_low")
    assert "(5.0, 9.0)" in message
    assert len(messages) == 1


def test_end_not_after_start(tmp_path: Path) -> None:
    messages = failures_with(tmp_path, "mentions", 0, end=11)
    message = only_failure(messages, "mentions:", "expect_column_pair_values_a_to_be_greater_than_b", "end, start")
    assert "(11, 11)" in message
    assert len(messages) == 1


def test_schema_constraints_become_expectations() -> None:
    schema = load_schemas()["statistics"]
    specs = {(s.expectation, str(s.kwargs.get("column", s.kwargs.get("column_list")))) for s in schema_specs(schema)}
    assert ("ExpectTableColumnsToMatchOrderedList", str(schema.columns)) in specs
    assert ("ExpectColumnValuesToNotBeNull", "measure") in specs
    assert ("ExpectColumnValuesToBeInSet", "unit") in specs
    assert ("ExpectColumnValuesToMatchRegex", "statistic_id") in specs
    assert ("ExpectColumnValuesToBeBetween", "start") in specs
    assert ("ExpectColumnValuesToBeUnique", "statistic_id") in specs


def test_compound_primary_key_is_unique_as_a_whole() -> None:
    descriptor = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}],
                  "primaryKey": ["a", "b"]}
    specs = schema_specs(TableSchema(name="pairs", descriptor=descriptor))
    assert ("ExpectCompoundColumnsToBeUnique", {"column_list": ["a", "b"]}) in [(s.expectation, s.kwargs) for s in specs]


def test_rules_file_covers_every_table_with_reasons() -> None:
    rules = load_rules()
    assert sorted(rules) == sorted(TABLES)
    assert all(spec.why for specs in rules.values() for spec in specs)


def test_rules_naming_an_unknown_column_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "expectations.yaml"
    bad.write_text(RULES_PATH.read_text(encoding="utf-8").replace("column_A: value_high", "column_A: value_top"),
                   encoding="utf-8")
    with pytest.raises(BuildError, match="statistics has no column value_top"):
        load_rules(bad)


def test_import_does_not_load_great_expectations() -> None:
    code = "import sys, scripts.expectations; sys.exit('great_expectations' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0
