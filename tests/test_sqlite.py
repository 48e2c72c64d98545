"""The SQLite file of the package: what a reader opening it with plain sqlite3 relies on."""

from __future__ import annotations

import csv
import shutil
import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scripts.errors import BuildError
from scripts.schema import TABLES, load_schemas
from scripts.sqlite import FTS_COLUMNS, VIEWS, write_sqlite


@pytest.fixture(scope="module")
def database(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sqlite(built_package, tmp_path_factory.mktemp("sqlite") / "package.sqlite")


def csv_rows(package: Path, table: str) -> list[dict[str, str]]:
    with (package / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_table_holds_the_rows_of_its_csv(built_package: Path, database: Path):
    connection = sqlite3.connect(database)
    for table in TABLES:
        (count,) = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        assert count == len(csv_rows(built_package, table)), table


def test_plain_sqlite3_finds_no_foreign_key_violation_and_enforces_them(database: Path):
    connection = sqlite3.connect(database)
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.execute("PRAGMA foreign_keys = ON")
    with pytest.raises(sqlite3.IntegrityError):
        connection.execute("UPDATE quotes SET source_id = 'no-such-source' WHERE rowid = 1")


def test_columns_keys_and_types_are_those_of_the_schemas(database: Path):
    connection = sqlite3.connect(database)
    declared = {"string": "TEXT", "integer": "INTEGER", "number": "REAL", "date": "TEXT"}
    for table, schema in load_schemas().items():
        info = connection.execute(f'PRAGMA table_info("{table}")').fetchall()
        assert [row[1] for row in info] == schema.columns
        assert [row[2] for row in info] == [declared[f["type"]] for f in schema.fields]
        assert [row[1] for row in info if row[5]] == schema.primary_key
        foreign = {(row[3], row[2], row[4]) for row in connection.execute(f'PRAGMA foreign_key_list("{table}")')}
        expected = {(column, fk["reference"]["resource"], target) for fk in schema.foreign_keys
                    for column, target in zip(fk["fields"], fk["reference"]["fields"])}
        assert foreign == expected, table
        indexed = {row[2] for index in connection.execute(f'PRAGMA index_list("{table}")')
                   for row in connection.execute(f'PRAGMA index_info("{index[1]}")')}
        assert {column for column, _t, _c in expected} <= indexed, f"{table}: a foreign-key column has no index"


def test_empty_cells_are_null_and_numbers_are_numbers(built_package: Path, database: Path):
    connection = sqlite3.connect(database)
    for table, schema in load_schemas().items():
        rows = csv_rows(built_package, table)
        for field in schema.fields:
            name = field["name"]
            (nulls,) = connection.execute(f'SELECT count(*) FROM "{table}" WHERE "{name}" IS NULL').fetchone()
            assert nulls == sum(1 for row in rows if row[name] == ""), f"{table}.{name}"
            if field["type"] in ("integer", "number"):
                kinds = {k for (k,) in connection.execute(f'SELECT DISTINCT typeof("{name}") FROM "{table}"')}
                assert kinds <= {"integer", "real", "null"}, f"{table}.{name}: {kinds}"


def test_full_text_search_finds_a_quote_by_a_word_of_it(database: Path):
    connection = sqlite3.connect(database)
    quote_id, text = connection.execute("SELECT quote_id, text FROM quotes ORDER BY rowid LIMIT 1").fetchone()
    word = max(text.replace("“", " ").replace("”", " ").split(), key=len).strip(".,;:'\"()")
    found = {row[0] for row in connection.execute(
        "SELECT q.quote_id FROM quotes_fts JOIN quotes q ON q.rowid = quotes_fts.rowid WHERE quotes_fts MATCH ?",
        [f'"{word}"'])}
    assert quote_id in found
    assert set(FTS_COLUMNS) <= {name[:-4] for (name,) in connection.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE '%\\_fts' ESCAPE '\\'")}


def test_views_give_one_row_per_annotation_with_names(database: Path):
    connection = sqlite3.connect(database)
    for view in VIEWS:
        connection.execute(f'SELECT * FROM "{view}" LIMIT 1').fetchall()  # every view compiles against the tables
    assert (connection.execute("SELECT count(*) FROM quotes_with_speaker").fetchone()
            == connection.execute("SELECT count(*) FROM quotes").fetchone())
    named, missing = connection.execute(
        "SELECT count(speaker_name), count(*) - count(speaker_name) FROM quotes_with_speaker "
        "WHERE speaker_entity_id IS NOT NULL").fetchone()
    assert missing == 0 and named > 0
    assert (connection.execute("SELECT count(*) FROM statistics_with_source").fetchone()
            == connection.execute("SELECT count(*) FROM statistics").fetchone())


def test_the_same_package_gives_the_same_bytes(built_package: Path, database: Path, tmp_path: Path):
    again = write_sqlite(built_package, tmp_path / "again.sqlite")
    assert again.read_bytes() == database.read_bytes()


def test_a_dangling_foreign_key_is_named_and_nothing_is_written(built_package: Path, tmp_path: Path):
    package = tmp_path / "package"
    shutil.copytree(built_package, package)
    path = package / "data" / "quotes.parquet"
    quotes = pq.read_table(path)
    broken_id = quotes.column("quote_id")[0].as_py()
    source_ids = quotes.column("source_id").to_pylist()
    source_ids[0] = "no-such-source"
    pq.write_table(quotes.set_column(quotes.schema.get_field_index("source_id"), "source_id",
                                     pa.array(source_ids, pa.string())), path)
    out = tmp_path / "out.sqlite"
    with pytest.raises(BuildError, match=f"quotes row {broken_id}"):
        write_sqlite(package, out)
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []


def test_frictionless_publishes_the_package_to_sqlite(built_package: Path, tmp_path: Path):
    from frictionless import Package

    target = tmp_path / "frictionless.sqlite"
    Package(str(built_package / "datapackage.json")).publish(f"sqlite:///{target}")
    connection = sqlite3.connect(target)
    for table in TABLES:
        (count,) = connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        assert count == len(csv_rows(built_package, table)), table
