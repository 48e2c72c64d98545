"""Partitioned output (issue 12): past a row threshold a table is written as parts, read as one table.

A partitioned package is built from the fixture corpus with a tiny threshold; DuckDB, pyarrow.dataset,
Polars and frictionless must read each table as the unpartitioned build's rows, the parts must not
depend on the number of workers, and every reader of the pipeline (untrusted package reader, SQLite,
manifest and diff, release zip, open flavour and hydration, publish) must take the parts as one table.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, write_fixture_corpus
from scripts.build import write_package
from scripts.errors import BuildError
from scripts.hashing import file_sha256
from scripts.parts import (Partitioning, part_of, part_sql, partition_column, read_table, table_files, table_paths,
                           table_rows)
from scripts.schema import TABLES, load_schemas
from scripts.tables import BuildInputs

TINY = Partitioning(above_rows=2, rows_per_part=4)   # every table of the fixture corpus is split


def descriptor_of(package: Path) -> dict[str, Any]:
    return json.loads((package / "datapackage.json").read_text(encoding="utf-8"))


def resource(package: Path, name: str) -> dict[str, Any]:
    return next(r for r in descriptor_of(package)["resources"] if r["name"] == name)


def rows_by_key(table: pa.Table, name: str) -> list[dict[str, Any]]:
    """The rows of a table as dicts, sorted by primary key (parts are sorted each, not across)."""
    key = load_schemas()[name].primary_key
    return table.sort_by([(column, "ascending") for column in key]).to_pylist()


def package_files(package: Path) -> dict[str, bytes]:
    """The tables' files and the descriptor of a package folder, by relative path."""
    return {p.relative_to(package).as_posix(): p.read_bytes()
            for p in sorted([*package.glob("data/**/*.*"), package / "datapackage.json"])
            if p.is_file() and "raw" not in p.relative_to(package).parts}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_fixture_corpus(tmp_path_factory.mktemp("parts-corpus") / "corpus")


@pytest.fixture(scope="module")
def single(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture corpus built with the project's threshold: one file per table and format."""
    out = tmp_path_factory.mktemp("single")
    write_package(out, BuildInputs(**corpus))
    return out


@pytest.fixture(scope="module")
def parted(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same corpus with a tiny threshold: every table written as parts."""
    out = tmp_path_factory.mktemp("parted")
    write_package(out, BuildInputs(**corpus), partitioning=TINY)
    return out


# --- Which part, how many ------------------------------------------------------------------

def test_python_and_duckdb_put_a_key_in_the_same_part() -> None:
    import duckdb

    generator = random.Random(12)
    keys = ["fixture-article-1", "", "Kabul ’", "İstanbul-ß", "ひらがな", "a\"b'c"]
    keys += ["".join(generator.choice("abcdefghij-0123456789ßK") for _ in range(generator.randint(1, 30)))
             for _ in range(200)]
    connection = duckdb.connect()
    connection.execute("CREATE TABLE k (source_id VARCHAR)")
    connection.executemany("INSERT INTO k VALUES (?)", [(key,) for key in keys])
    for parts in (2, 8, 64):
        found = dict(connection.execute(f"SELECT source_id, {part_sql('source_id', parts)} FROM k").fetchall())
        assert found == {key: part_of(key, parts) for key in keys}


def test_the_number_of_parts_is_a_power_of_two_past_the_threshold_only() -> None:
    plan = Partitioning(above_rows=1000, rows_per_part=300)
    assert [plan.parts_for(rows) for rows in (0, 1, 1000)] == [1, 1, 1]
    for rows in (1001, 1200, 1201, 5000, 123_457):
        parts = plan.parts_for(rows)
        assert parts >= 2 and parts & (parts - 1) == 0
        assert rows / parts <= 300 and (parts == 2 or rows / (parts // 2) > 300)  # the fewest such parts


def test_a_table_of_few_rows_but_many_bytes_of_text_is_split_by_its_bytes() -> None:
    plan = Partitioning(above_rows=1000, rows_per_part=300, above_bytes=10_000, bytes_per_part=4_000)
    assert [plan.parts_for(rows, size) for rows, size in ((10, 0), (10, 10_000), (1000, 10_000))] == [1, 1, 1]
    assert plan.parts_for(10, 10_001) == 4          # 10,001 bytes in parts of at most 4,000: 3, a power of two: 4
    assert plan.parts_for(1001, 10_001) == 4        # rows ask for 4 too
    assert plan.parts_for(5000, 10_001) == 32       # the stricter of the two: 17 parts by rows, 32
    assert plan.parts_for(10, 100_000) == 32        # 25 parts by bytes


def test_text_bytes_count_the_utf8_bytes_of_the_text_values_whatever_the_chunks() -> None:
    from scripts.parts import text_bytes

    table = pa.table({"id": ["a", "bb", None], "text": ["Kābul", "", "ß"], "count": [1, 2, 3]})
    assert text_bytes(table) == 1 + 2 + 6 + 0 + 2
    assert text_bytes(pa.concat_tables([table.slice(0, 1), table.slice(1)])) == text_bytes(table)


def test_past_the_byte_threshold_the_texts_are_written_as_parts_and_read_as_one_table(
        corpus: dict[str, Path], single: Path, tmp_path: Path) -> None:
    # the fixture's texts are a few KB; the other tables' text values far fewer bytes
    texts_bytes = sum(len(text.encode("utf-8")) + len(source_id.encode("utf-8")) for source_id, text in
                      zip(*(read_table(single, "texts").column(c).to_pylist() for c in ("source_id", "text"))))
    plan = Partitioning(above_rows=10**9, rows_per_part=10**9, above_bytes=texts_bytes - 1,
                        bytes_per_part=texts_bytes // 3)
    write_package(tmp_path, BuildInputs(**corpus), partitioning=plan)
    assert table_paths(tmp_path, "texts", "parquet") == [tmp_path / p for p in table_files("texts", "parquet", 4)]
    assert table_paths(tmp_path, "sources", "parquet") == [tmp_path / "data" / "sources.parquet"]
    for name in TABLES:
        assert rows_by_key(read_table(tmp_path, name), name) == rows_by_key(read_table(single, name), name)


def test_the_partitions_of_the_package_config_are_read_and_checked(tmp_path: Path) -> None:
    from scripts.parts import load_partitioning

    assert load_partitioning(ROOT / "config" / "package.yaml").above_rows >= 1
    bad = tmp_path / "package.yaml"
    bad.write_text("partitions:\n  above_rows: -1\n  rows_per_part: many\n  above_bytes: 0\n  per_part: 3\n",
                   encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        load_partitioning(bad)
    assert [p.split(": ", 1)[1] for p in caught.value.problems] == [
        "partitions.above_rows: -1 is not a whole number of rows, 1 or more",
        "partitions.rows_per_part: 'many' is not a whole number of rows, 1 or more",
        "partitions.above_bytes: 0 is not a whole number of bytes, 1 or more",
        "partitions: unknown setting(s) per_part; allowed: above_rows, rows_per_part, above_bytes, bytes_per_part"]
    rows_only = tmp_path / "rows-only.yaml"
    rows_only.write_text("partitions:\n  above_rows: 5\n  rows_per_part: 5\n", encoding="utf-8")
    assert load_partitioning(rows_only).parts_for(5, 10**15) == 1   # no byte threshold when none is set


# --- The files and the descriptor ------------------------------------------------------------

def test_under_the_threshold_every_table_is_one_file_per_format(single: Path) -> None:
    for table in TABLES:
        for extension in ("csv", "parquet"):
            assert (single / "data" / f"{table}.{extension}").is_file()
            assert not (single / "data" / table).exists()
            assert isinstance(resource(single, table if extension == "csv" else f"{table}-parquet")["path"], str)


def test_past_the_threshold_each_table_is_a_multi_path_resource_with_every_part_verifiable(
        parted: Path, single: Path) -> None:
    for table in TABLES:
        parts = TINY.parts_for(table_rows(single, table))
        for extension in ("csv", "parquet"):
            entry = resource(parted, table if extension == "csv" else f"{table}-{extension}")
            assert entry["path"] == table_files(table, extension, parts) and parts > 1
            assert "hash" not in entry and "bytes" not in entry
            assert [p["path"] for p in entry["parts"]] == entry["path"]
            for part in entry["parts"]:
                size, digest = file_sha256(parted / part["path"])
                assert (part["bytes"], part["hash"]) == (size, f"sha256:{digest}")
        assert not (parted / "data" / f"{table}.csv").exists()


def test_every_row_is_in_the_part_of_its_key_and_sorted_by_primary_key_inside_it(parted: Path) -> None:
    schemas = load_schemas()
    for table in TABLES:
        column = partition_column(schemas[table])
        paths = table_paths(parted, table)
        for index, path in enumerate(paths):
            part = pq.read_table(path)
            assert all(part_of(value, len(paths)) == index for value in part.column(column).to_pylist())
            assert part.to_pylist() == rows_by_key(part, table)
        with open(table_paths(parted, table, "csv")[-1], encoding="utf-8") as handle:
            assert handle.readline().rstrip("\r\n") == ",".join(schemas[table].columns)  # every part has the header


def test_two_workers_write_the_same_parts_as_one_process(parted: Path, corpus: dict[str, Path], tmp_path: Path) -> None:
    write_package(tmp_path, BuildInputs(**corpus), workers=2, partitioning=TINY)
    assert package_files(tmp_path) == package_files(parted)


def test_building_again_with_another_layout_leaves_no_stale_files(parted: Path, single: Path, corpus, tmp_path) -> None:
    shutil.copytree(parted, tmp_path / "out")
    write_package(tmp_path / "out", BuildInputs(**corpus))
    assert package_files(tmp_path / "out") == package_files(single)


# --- Other tools read the parts as one table ---------------------------------------------------

def test_duckdb_pyarrow_and_polars_read_each_table_as_the_unpartitioned_rows(parted: Path, single: Path) -> None:
    import duckdb
    import polars as pl
    import pyarrow.dataset as ds

    for table in TABLES:
        expected = rows_by_key(pq.read_table(single / "data" / f"{table}.parquet"), table)
        glob = (parted / "data" / table / "*.parquet").as_posix()
        assert rows_by_key(duckdb.sql(f"SELECT * FROM read_parquet('{glob}')").to_arrow_table(), table) == expected
        parts = sorted((parted / "data" / table).glob("*.parquet"))   # the folder holds the CSV parts too
        assert rows_by_key(ds.dataset(parts, format="parquet").to_table(), table) == expected
        assert rows_by_key(pl.scan_parquet(glob).collect().to_arrow(), table) == expected
        assert rows_by_key(read_table(parted, table), table) == expected
        csv_rows = duckdb.sql(f"SELECT count(*) FROM read_csv('{(parted / 'data' / table).as_posix()}/*.csv', "
                              "header = true, all_varchar = true)").fetchall()
        assert csv_rows == [(len(expected),)]


def test_frictionless_reads_each_multi_part_csv_resource_with_every_row(parted: Path, single: Path) -> None:
    from frictionless import Package

    package = Package(str(parted / "datapackage.json"))
    for table in TABLES:
        with package.get_table_resource(table) as multi:
            assert multi.multipart and len(multi.read_rows()) == table_rows(single, table)


# --- The pipeline's readers ------------------------------------------------------------------

def test_the_untrusted_reader_checks_every_part_path_and_its_declared_facts(parted: Path, tmp_path: Path) -> None:
    from scripts.untrusted import read_package

    package = read_package(parted)
    mentions = package.resource("mentions")
    assert mentions is not None and list(mentions.files) == resource(parted, "mentions")["path"]
    assert [part[0] for part in mentions.parts] == list(mentions.files)

    copy = tmp_path / "bad"
    shutil.copytree(parted, copy)
    descriptor = descriptor_of(copy)
    entries = {r["name"]: r for r in descriptor["resources"]}
    entries["mentions"]["path"][1] = "../outside.csv"
    entries["quotes"]["parts"] = entries["quotes"]["parts"][1:]
    entries["texts"]["parts"][0]["hash"] = "md5:0"
    del entries["sources"]["parts"]
    (copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        read_package(copy)
    found = "\n".join(caught.value.problems)
    assert "resource 4 ('mentions'): path '../outside.csv' leaves the package" in found
    assert "resource 5 ('quotes'): its parts do not list the files of its path" in found
    assert "resource 2 ('texts'): part 'data/texts/part-000.csv': hash 'md5:0' is not 'sha256:'" in found
    assert "resource 1 ('sources'): has several paths but no list of parts" in found


def test_sqlite_of_a_partitioned_package_holds_the_same_rows_in_key_order(parted: Path, single: Path) -> None:
    from scripts.sqlite import read_package

    assert read_package(parted).rows == read_package(single).rows


def test_manifest_and_row_level_diff_see_the_same_rows_through_the_parts(parted: Path, single: Path) -> None:
    from scripts.diff import diff
    from scripts.manifest import build_manifest

    manifests = [build_manifest(package) for package in (single, parted)]
    for table in TABLES:
        assert manifests[0]["tables"][table]["row_hashes"] == manifests[1]["tables"][table]["row_hashes"]
        files = manifests[1]["tables"][table]["files"]["parquet"]
        assert [p["path"] for p in files["parts"]] == resource(parted, f"{table}-parquet")["path"]
    result = diff(str(single), str(parted))
    for table in TABLES:
        assert not any(result["tables"][table][k] for k in ("added", "removed", "changed"))
    assert result["bump"] == "patch"   # the same rows in other files


def test_a_release_zip_of_a_partitioned_package_holds_every_part_and_reads_back(parted: Path, corpus, tmp_path) -> None:
    from scripts.manifest import build_manifest
    from scripts.release import REQUIRED_MEMBERS, build_zip, release_members, zip_package_manifest
    from scripts.untrusted import package_folder, read_package

    root = tmp_path / "project"
    shutil.copytree(parted, root)
    (root / "config").mkdir()
    shutil.copy(ROOT / "config" / "package.yaml", root / "config" / "package.yaml")
    for name in REQUIRED_MEMBERS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f"# {name}\n", encoding="utf-8")
    shutil.copytree(corpus["sources_dir"], root / "annotations" / "sources")
    members = release_members(root)
    for entry in descriptor_of(parted)["resources"]:
        assert set(entry["path"]) <= set(members)
    manifest = build_manifest(root)
    zip_path = build_zip(root, members, tmp_path / "release.zip", "fixture-1.0.0")
    assert zip_package_manifest(zip_path, manifest) == manifest
    with package_folder(zip_path) as folder:
        assert folder is not None and read_package(folder).resource("mentions-parquet") is not None
        assert rows_by_key(read_table(folder, "mentions"), "mentions") == rows_by_key(read_table(parted, "mentions"),
                                                                                    "mentions")


def test_the_open_flavour_keeps_the_parts_and_hydrates_back_to_the_same_bytes(parted: Path, tmp_path: Path) -> None:
    from scripts.flavours import write_open_package
    from scripts.hydrate import hydrate

    open_dir = tmp_path / "open"
    write_open_package(parted, open_dir, ROOT)
    for table in TABLES:
        assert [p.relative_to(open_dir) for p in table_paths(open_dir, table)] == \
            [p.relative_to(parted) for p in table_paths(parted, table)]
    result = hydrate(open_dir, parted / "data" / "raw", tmp_path / "hydrated")
    assert result.complete
    assert package_files(tmp_path / "hydrated") == package_files(parted)


def test_publishing_a_partitioned_build_over_single_files_removes_them(parted: Path, single: Path, tmp_path) -> None:
    from scripts.build import publish, published_files
    from scripts.transaction import project_lock

    project = tmp_path / "project"
    for relative in published_files():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(single / relative, project / relative)
    staging = project / ".build-test"
    shutil.copytree(parted, staging, ignore=shutil.ignore_patterns("raw"))
    with project_lock(project, "test"):
        publish(staging, project, after=())
    assert package_files(project) == package_files(parted)
    assert not (project / "data" / "sources.csv").exists()


def test_a_table_both_whole_and_in_parts_or_with_a_part_missing_is_named(parted: Path, single: Path, tmp_path) -> None:
    from scripts.package import describe

    both = tmp_path / "both"
    shutil.copytree(parted, both)
    shutil.copy(single / "data" / "quotes.csv", both / "data" / "quotes.csv")
    with pytest.raises(BuildError, match=r"data/quotes\.csv: the table is also written as parts in .*data/quotes"):
        describe(both)
    gap = tmp_path / "gap"
    shutil.copytree(parted, gap)
    (gap / "data" / "statistics" / "part-001.parquet").unlink()
    with pytest.raises(BuildError, match=r"data/statistics: parts part-000.parquet, part-002.parquet.* are not "
                                         r"numbered 0 to"):
        describe(gap)
