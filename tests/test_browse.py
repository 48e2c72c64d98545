"""datasette over the SQLite file, with the generated metadata, through datasette's own test client."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from scripts.browse import datasette_metadata
from scripts.schema import load_schemas
from scripts.sqlite import write_sqlite


@pytest.fixture(scope="module")
def served(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    from datasette.app import Datasette

    database = write_sqlite(built_package, tmp_path_factory.mktemp("browse") / "package.sqlite")
    metadata = datasette_metadata(built_package, database.stem)
    return Datasette([str(database)], metadata=metadata, immutables=[]), database


def get(datasette: Any, path: str) -> Any:
    async def fetch() -> Any:
        return await datasette.client.get(path)
    response = asyncio.run(fetch())
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return response


def test_metadata_describes_every_column_and_facets_the_enumerations(built_package: Path):
    metadata = datasette_metadata(built_package, "db")
    tables = metadata["databases"]["db"]["tables"]
    assert metadata["license"] and metadata["license_url"].startswith("https://")
    for name, schema in load_schemas().items():
        assert set(tables[name]["columns"]) == set(schema.columns)
        assert all(tables[name]["columns"].values()), f"{name}: a column without a description"
        for field in schema.fields:
            if "enum" in field.get("constraints", {}):
                assert field["name"] in tables[name]["facets"]


def test_a_table_page_shows_the_table_description_and_rows(served: tuple[Any, Path]):
    datasette, database = served
    page = get(datasette, f"/{database.stem}/quotes").text
    assert load_schemas()["quotes"].descriptor["description"][:40] in page
    rows = get(datasette, f"/{database.stem}/quotes.json?_shape=array&_size=max").json()
    assert len(rows) == sqlite3.connect(database).execute("SELECT count(*) FROM quotes").fetchone()[0]


def test_the_kind_facet_counts_the_quotes_of_each_kind(served: tuple[Any, Path]):
    datasette, database = served
    data = get(datasette, f"/{database.stem}/quotes.json?_facet=kind").json()
    shown = {item["value"]: item["count"] for item in data["facet_results"]["kind"]["results"]}
    counted = dict(sqlite3.connect(database).execute("SELECT kind, count(*) FROM quotes GROUP BY kind").fetchall())
    assert shown == counted


def test_a_foreign_key_is_labelled_with_the_entity_name(served: tuple[Any, Path]):
    datasette, database = served
    connection = sqlite3.connect(database)
    mention_id, entity_id, name = connection.execute(
        "SELECT m.mention_id, e.entity_id, e.name FROM mentions m JOIN entities e USING (entity_id) "
        "ORDER BY m.rowid LIMIT 1").fetchone()
    data = get(datasette, f"/{database.stem}/mentions.json?mention_id={mention_id}&_labels=on&_shape=array").json()
    assert data[0]["entity_id"] == {"value": entity_id, "label": name}
    page = get(datasette, f"/{database.stem}/mentions?mention_id={mention_id}").text
    assert f'href="/{database.stem}/entities/{entity_id}">{name}</a>' in page


def test_full_text_search_finds_quotes(served: tuple[Any, Path]):
    datasette, database = served
    connection = sqlite3.connect(database)
    (text,) = connection.execute("SELECT text FROM quotes ORDER BY rowid LIMIT 1").fetchone()
    word = max(text.replace("“", " ").replace("”", " ").split(), key=len).strip(".,;:'\"()")
    expected = {row[0] for row in connection.execute(
        "SELECT quote_id FROM quotes WHERE rowid IN (SELECT rowid FROM quotes_fts WHERE quotes_fts MATCH ?)",
        [f'"{word}"'])}
    rows = get(datasette, f"/{database.stem}/quotes.json?_search={word}&_shape=array&_size=max").json()
    assert expected and {row["quote_id"] for row in rows} == expected
