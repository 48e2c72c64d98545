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


@pytest.mark.parametrize("name", TABLES)
def test_category_labels_cover_exactly_the_allowed_values(name):
    """``categories`` label the values of the ``enum`` constraint: the same values, in the same order."""
    for field in SCHEMAS[name].fields:
        if "categories" in field:
            values = [c["value"] for c in field["categories"]]
            assert values == field["constraints"]["enum"], f"{name}.{field['name']}"
            assert all(c.get("label") for c in field["categories"]), f"{name}.{field['name']}: a value has no meaning"


@pytest.mark.parametrize("name", TABLES)
def test_annotation_keys_are_unique_and_entity_columns_are_foreign_keys(name):
    keys = list(SCHEMAS[name].annotation_keys.values())
    assert len(keys) == len(set(keys)), name
    for column in SCHEMAS[name].columns_referencing("entities"):
        assert SCHEMAS[name].field(column)["type"] == "string"


def test_an_annotation_entry_fills_its_columns_through_the_schema():
    """The resolver reads the key -> column mapping from the schemas, entity references checked."""
    from scripts.annotations import Entity, entry_columns
    from scripts.errors import Problems

    registry = {"imran-khan": Entity("imran-khan", "Imran Khan", "PERSON", [], "Politician.")}
    entry = {"kind": "direct", "speaker": "imran-khan", "speaker_text": "Khan", "speaker_role": None,
             "cue": "said", "channel": "nobody", "note": "two\n  lines"}
    found = Problems()
    columns = entry_columns("quotes", entry, registry, "fixture.yaml: quotes[1]", found)
    assert columns["speaker_entity_id"] == "imran-khan" and columns["notes"] == "two lines"
    assert columns["channel_entity_id"] is None and any("nobody" in p for p in found.messages)
    assert set(columns) == set(SCHEMAS["quotes"].annotation_keys)
