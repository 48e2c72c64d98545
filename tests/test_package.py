"""The built package as users load it, and as CI rebuilds it."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from scripts.schema import TABLES, load_schemas
from scripts.validate import check_profiles, check_tables, read_csv_rows, read_parquet_rows

SHARED_PROFILES = ROOT.parent / "shared" / "profiles" / "datapackage-2.0"
PUBLISHED = [f"data/{t}.{ext}" for t in TABLES for ext in ("csv", "parquet")] + ["datapackage.json"]


def test_build_is_deterministic_and_matches_the_committed_outputs(built_package: Path, tmp_path: Path):
    from scripts.build import build_package

    build_package(tmp_path)
    for relative in PUBLISHED:
        built = (built_package / relative).read_bytes()
        assert built == (tmp_path / relative).read_bytes(), f"{relative} differs between two builds"
        assert built == (ROOT / relative).read_bytes(), f"{relative} differs from the committed file: run make data"


def test_frictionless_reports_the_package_valid(built_package: Path):
    from frictionless import validate

    report = validate(str(built_package / "datapackage.json"))
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "message"])[:5]


def test_descriptor_and_schemas_validate_against_the_vendored_profiles(built_package: Path):
    assert check_profiles(built_package) == []


@pytest.mark.skipif(not SHARED_PROFILES.is_dir(), reason="../shared/profiles is not present")
def test_descriptor_and_schemas_validate_against_the_shared_profiles(built_package: Path):
    import jsonschema

    for profile, document in [("datapackage.json", built_package / "datapackage.json")] + [
            ("tableschema.json", ROOT / "schemas" / f"{name}.json") for name in TABLES]:
        schema = json.loads((SHARED_PROFILES / profile).read_text(encoding="utf-8"))
        jsonschema.validate(json.loads(document.read_text(encoding="utf-8")), schema)


def test_descriptor_lists_every_table_in_both_formats_with_keys(built_package: Path):
    descriptor = json.loads((built_package / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert set(resources) == set(TABLES) | {f"{t}-parquet" for t in TABLES}
    for resource in resources.values():
        assert resource["hash"].startswith("sha256:") and resource["schema"].startswith("schemas/")
        assert resource["mediatype"] in ("text/csv", "application/vnd.apache.parquet")
    for name, schema in load_schemas().items():
        assert schema.primary_key
        for column in schema.columns:
            if column == "source_id" and name != "sources":
                assert {"fields": ["source_id"], "reference": {"resource": "sources", "fields": ["source_id"]}} \
                    in schema.foreign_keys
            if column.endswith("entity_id") and name != "entities":
                assert {"fields": [column], "reference": {"resource": "entities", "fields": ["entity_id"]}} \
                    in schema.foreign_keys
    assert descriptor["created"] and "T" in descriptor["created"]
    assert descriptor["version"] and descriptor["licenses"] and descriptor["contributors"]


def test_every_span_equals_the_text_and_csv_equals_parquet(built_package: Path):
    assert check_tables(built_package) == []


def test_load_with_frictionless_package_to_pandas(built_package: Path):
    from frictionless import Package

    package = Package(str(built_package / "datapackage.json"))
    # frictionless puts the primary key in the index
    quotes = package.get_resource("quotes").to_pandas().reset_index()
    texts = package.get_resource("texts").to_pandas().reset_index()
    assert len(quotes) == len(pd.read_csv(built_package / "data" / "quotes.csv"))
    assert set(quotes["source_id"]) <= set(texts["source_id"])


def test_load_with_pandas_from_csv_and_parquet(built_package: Path):
    for name, schema in load_schemas().items():
        from_csv = pd.read_csv(built_package / "data" / f"{name}.csv", dtype=str, keep_default_na=False)
        from_parquet = pd.read_parquet(built_package / "data" / f"{name}.parquet")
        assert list(from_csv.columns) == list(from_parquet.columns) == schema.columns
        assert len(from_csv) == len(from_parquet)
        assert read_csv_rows(built_package / "data" / f"{name}.csv", schema) == \
            read_parquet_rows(built_package / "data" / f"{name}.parquet", schema)
        key = schema.primary_key
        assert from_csv[key].equals(from_csv[key].sort_values(key).reset_index(drop=True)), f"{name} not sorted"


def test_query_with_duckdb_over_parquet(built_package: Path):
    import duckdb

    data = built_package / "data"
    con = duckdb.connect()
    rows = con.execute(f"""
        SELECT count(*) AS n, count(*) FILTER (WHERE substr(t.text, q.start + 1, q."end" - q.start) = q.text) AS ok
        FROM read_parquet('{data / "quotes.parquet"}') q
        JOIN read_parquet('{data / "texts.parquet"}') t USING (source_id)
    """).fetchall()
    assert rows[0][0] == rows[0][1] > 0
    orphans = con.execute(f"""
        SELECT count(*) FROM read_parquet('{data / "mentions.parquet"}') m
        ANTI JOIN read_parquet('{data / "entities.parquet"}') e USING (entity_id)
    """).fetchall()
    assert orphans == [(0,)]


def test_raw_files_are_recorded_with_their_hash(built_package: Path):
    import hashlib

    sources = pd.read_csv(built_package / "data" / "sources.csv")
    for row in sources.itertuples():
        assert hashlib.sha256((ROOT / row.raw_path).read_bytes()).hexdigest() == row.raw_sha256
