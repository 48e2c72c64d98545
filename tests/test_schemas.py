"""The Table Schemas are the one source of truth (after PUDL's test/unit/metadata_test.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from scripts.schema import TABLES, load_schemas

SCHEMAS = load_schemas()
# Columns allowed to be empty in every row, and why (the dataset never guesses).
EMPTY_BY_DESIGN = {("sources", "url"): "no raw file carries its address; URLs are never guessed"}


@pytest.mark.parametrize("name", TABLES)
def test_schema_round_trips_to_pyarrow_and_pandas(name):
    arrow = SCHEMAS[name].arrow_schema()
    empty = arrow.empty_table()
    back = pa.Table.from_pandas(empty.to_pandas(types_mapper=pd.ArrowDtype), schema=arrow, preserve_index=False)
    assert back.schema.equals(arrow)
    assert arrow.names == SCHEMAS[name].columns


@pytest.mark.parametrize("name", TABLES)
def test_every_field_is_used_in_the_published_data(name, built_package: Path):
    """Every column has at least one value (but those empty by design)."""
    frame = pd.read_parquet(built_package / "data" / f"{name}.parquet")
    unused = [c for c in frame.columns if frame[c].isna().all() and (name, c) not in EMPTY_BY_DESIGN]
    assert unused == [], f"{name}: columns never filled: {unused}"


def test_every_foreign_key_points_to_a_primary_key():
    for schema in SCHEMAS.values():
        for key in schema.foreign_keys:
            target = SCHEMAS[key["reference"]["resource"]]
            assert key["reference"]["fields"] == target.primary_key


def test_enums_used_by_code_come_from_the_schemas():
    assert SCHEMAS["quotes"].enum("kind") == ["direct", "partial", "indirect"]
    assert "range" in SCHEMAS["statistics"].enum("qualifier")
