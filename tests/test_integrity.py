"""``validate`` catches every corruption of a good package, naming the table, row, check and column.

Each case copies the package built from the fixture corpus (tests/conftest.py:
articles written for the tests, so no case depends on the project's), corrupts
one table the same way in its CSV and its Parquet file and recomputes the
descriptor's bytes and hashes (except the stale-hash case), so that the deeper
checks, not the hash check, must find the problem. The same fixtures show that
the column-wise schema checker finds every row frictionless finds row by row.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Callable

import pandas as pd
import pyarrow.parquet as pq
import pytest

from conftest import ROOT
from scripts.__main__ import main
from scripts.errors import BuildError
from scripts.package import write_descriptor
from scripts.schema import load_schema
from scripts.tables import write_tables
from scripts.validate import SCHEMA_CHECKS, frictionless_errors, read_tables, validate_package

Change = Callable[[pd.DataFrame], pd.DataFrame]


def read_frame(package: Path, table: str) -> pd.DataFrame:
    """A table as the build writes it: schema types, nulls as <NA>."""
    return pq.read_table(package / "data" / f"{table}.parquet").to_pandas(types_mapper=pd.ArrowDtype)


def corrupt_table(package: Path, table: str, change: Change) -> None:
    """Apply ``change`` to the table's rows, rewrite its CSV and Parquet file and the descriptor."""
    write_tables({table: change(read_frame(package, table))}, package / "data")
    write_descriptor(package)


def set_cell(column: str, value: object, row: int = 0) -> Change:
    def change(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[row, column] = value
        return frame
    return change


def drop_where(column: str, value: object) -> Change:
    return lambda frame: frame[frame[column] != value].reset_index(drop=True)


def swap_offsets(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, ["start", "end"]] = [frame.loc[0, "end"], frame.loc[0, "start"]]
    return frame


def shift_start(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[0, "start"] += 1
    return frame


def duplicate_first_row(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.concat([frame, frame.iloc[[0]]], ignore_index=True)


def exact_becomes_range(frame: pd.DataFrame) -> pd.DataFrame:
    frame.loc[(frame["qualifier"] == "exact").idxmax(), "qualifier"] = "range"
    return frame


def change_parquet_only(package: Path) -> None:
    """One value of the mentions' Parquet file changes; the CSV does not."""
    path = package / "data" / "mentions.parquet"
    frame = read_frame(package, "mentions")
    frame.loc[0, "text"] = "Somewhere Else"
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, schema=load_schema("mentions").arrow_schema(), preserve_index=False)
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd")
    write_descriptor(package)


def stale_hash(package: Path) -> None:
    """datapackage.json keeps a hash that is not the file's."""
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    quotes = next(r for r in descriptor["resources"] if r["name"] == "quotes")
    quotes["hash"] = f"sha256:{hashlib.sha256(b'an older quotes.csv').hexdigest()}"
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def key_of(package: Path, table: str, row: int = 0) -> str:
    frame = read_frame(package, table)
    return str(frame.loc[row, load_schema(table).primary_key[0]])


def first_source(package: Path) -> str:
    return key_of(package, "sources")


def entity_of_first_mention(package: Path) -> str:
    return str(read_frame(package, "mentions").loc[0, "entity_id"])


# name -> (corrupt the copy, [(check, table, column) the failure must name], key of the named row or None)
CORRUPTIONS: dict[str, tuple[Callable[[Path], None], list[tuple[str, str, str]], Callable[[Path], str] | None]] = {
    "changed CSV cell": (
        lambda p: corrupt_table(p, "quotes", set_cell("text", "words nobody said")),
        [("cross-table: spans equal text", "quotes", "text")], lambda p: key_of(p, "quotes")),
    "deleted source row": (
        lambda p: corrupt_table(p, "sources", drop_where("source_id", first_source(p))),
        [("schema: foreign keys", "texts", "source_id"), ("schema: foreign keys", "mentions", "source_id")], None),
    "deleted entity row": (
        lambda p: corrupt_table(p, "entities", drop_where("entity_id", entity_of_first_mention(p))),
        [("schema: foreign keys", "mentions", "entity_id")], lambda p: key_of(p, "mentions")),
    "swapped start and end": (
        lambda p: corrupt_table(p, "quotes", swap_offsets),
        [("cross-table: offsets inside the text", "quotes", "start, end")], lambda p: key_of(p, "quotes")),
    "offset moved by one": (
        lambda p: corrupt_table(p, "statistics", shift_start),
        [("cross-table: spans equal text", "statistics", "text")], lambda p: key_of(p, "statistics")),
    "changed Parquet file": (
        change_parquet_only, [("cross-table: CSV equals Parquet", "mentions", "text")], lambda p: key_of(p, "mentions")),
    "duplicated primary key": (
        lambda p: corrupt_table(p, "entities", duplicate_first_row),
        [("schema: unique and primary keys", "entities", "entity_id")], lambda p: key_of(p, "entities")),
    "value outside its enum": (
        lambda p: corrupt_table(p, "quotes", set_cell("kind", "rumour")),
        [("schema: enum", "quotes", "kind")], lambda p: key_of(p, "quotes")),
    "bounds contradict the qualifier": (
        lambda p: corrupt_table(p, "statistics", exact_becomes_range),
        [("cross-table: statistics bounds agree with the qualifier", "statistics", "qualifier")], None),
    "wrong text_sha256": (
        lambda p: corrupt_table(p, "sources", set_cell("text_sha256", "0" * 64)),
        [("cross-table: text_sha256 and n_chars match texts", "sources", "text_sha256")],
        lambda p: key_of(p, "sources")),
    "stale hash in datapackage.json": (stale_hash, [], None),
}


@pytest.fixture(scope="module")
def corrupted(fixture_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """A copy of the good package with one corruption applied (made once per case)."""
    made: dict[str, Path] = {}

    def make(case: str) -> Path:
        if case not in made:
            copy = tmp_path_factory.mktemp("corrupted") / "package"
            shutil.copytree(fixture_package, copy)
            CORRUPTIONS[case][0](copy)
            made[case] = copy
        return made[case]
    return make


@pytest.mark.parametrize("case", [c for c in CORRUPTIONS if c != "stale hash in datapackage.json"])
def test_validate_names_each_corruption(case: str, corrupted: Callable[[str], Path], tmp_path: Path):
    package = corrupted(case)
    _corrupt, expected, key = CORRUPTIONS[case]
    with pytest.raises(BuildError) as raised:
        validate_package(package, run_gx=False, report_path=tmp_path / "report.json")
    message = str(raised.value)
    checks = {f"{c['stage']}: {c['check']}": c for c in json.loads((tmp_path / "report.json").read_text())["checks"]}
    # the corruption was made consistently: the descriptor's hashes still match every file
    assert checks["files: bytes and SHA-256"]["status"] == "passed"
    for check, table, column in expected:
        assert checks[check]["status"] == "failed" and f"[{check}]" in message
        examples = checks[check]["examples"]
        assert any(e.get("table") == table and e.get("column") == column for e in examples), (check, examples)
        assert f"{table} row " in message and f"column {column}:" in message
    if key is not None:
        assert f"row {key(package)} column" in message


def test_validate_names_a_stale_hash(corrupted: Callable[[str], Path]):
    with pytest.raises(BuildError, match=r"data/quotes.csv: SHA-256 differs from the descriptor's hash  "
                                         r"\[files: bytes and SHA-256\]"):
        validate_package(corrupted("stale hash in datapackage.json"), run_gx=False)


def test_deleted_source_is_named_by_its_key(corrupted: Callable[[str], Path], fixture_package: Path):
    message = ""
    try:
        validate_package(corrupted("deleted source row"), run_gx=False)
    except BuildError as exc:
        message = str(exc)
    assert f"{first_source(fixture_package)!r} is not in sources.source_id" in message


def test_in_place_validation_passes_on_the_published_package(capsys: pytest.CaptureFixture[str]):
    results = validate_package(ROOT, run_gx=False)
    assert results and all(r.passed for r in results)
    lines = capsys.readouterr().out.splitlines()
    assert "PASS  cross-table: spans equal text" in lines
    assert lines[-1].startswith("PASSED: ")


def test_cli_writes_a_deterministic_report_and_exits_non_zero(corrupted: Callable[[str], Path], tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]):
    package = corrupted("value outside its enum")
    argv = ["validate", str(package), "--skip-gx", "--report-dir", str(tmp_path / "a")]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert any(line.startswith("FAIL  schema: enum: quotes row q-") and "'rumour' is not one of" in line
               for line in out.splitlines())
    assert err.startswith("error: validation of") and "Traceback" not in err
    assert main(argv[:-1] + [str(tmp_path / "b")]) == 1
    first = (tmp_path / "a" / "report.json").read_bytes()
    assert first == (tmp_path / "b" / "report.json").read_bytes()
    document = json.loads(first)
    assert document["status"] == "failed"
    enum = next(c for c in document["checks"] if c["check"] == "enum")
    assert enum["status"] == "failed" and enum["count"] == 1
    assert enum["examples"][0]["table"] == "quotes" and enum["examples"][0]["column"] == "kind"
    assert not (tmp_path / "a" / "docs").exists(), "--skip-gx writes no Data Docs"


def test_version_must_agree_with_citation_and_changelog(fixture_package: Path, tmp_path: Path):
    package = tmp_path / "package"
    shutil.copytree(fixture_package, package)
    (package / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n## [9.9.9] - 2030-01-01\n", encoding="utf-8")
    version = json.loads((package / "datapackage.json").read_text(encoding="utf-8"))["version"]
    with pytest.raises(BuildError) as raised:
        validate_package(package, run_gx=False)
    assert f"datapackage.json row - column version: {version!r}, but CHANGELOG.md says '9.9.9'" in str(raised.value)


def _frictionless_rows(package: Path) -> set[tuple[str, str, str]]:
    """(table, row key, kind of check) of every row error frictionless reports, row by row."""
    kinds = {"type-error": "types", "constraint-error": "constraint", "unique-error": "unique",
             "primary-key": "unique", "foreign-key": "foreign keys"}
    frames: dict[str, pd.DataFrame] = {}
    found = set()
    for error in frictionless_errors(package):
        if error["row_number"] is None:
            continue
        table, extension = (error["resource"].split("-") + ["csv"])[:2]
        assert error["type"] in kinds, error
        if (table, extension) not in frames:
            frames[table, extension] = (read_frame(package, table) if extension == "parquet" else
                                        pd.read_csv(package / "data" / f"{table}.csv", dtype=str, keep_default_na=False))
        key = frames[table, extension].loc[error["row_number"] - 2, load_schema(table).primary_key[0]]
        found.add((table, str(key), kinds[error["type"]]))
    return found


def _column_checker_rows(package: Path) -> set[tuple[str, str, str]]:
    kinds = {"types": "types", "required": "constraint", "enum": "constraint", "pattern": "constraint",
             "minimum, maximum and length": "constraint", "unique and primary keys": "unique",
             "foreign keys": "foreign keys"}
    tables = read_tables(package)
    return {(f.table, f.row, kinds[label]) for label, check in SCHEMA_CHECKS if label in kinds for f in check(tables)}


# The corruptions that break a Table Schema constraint, which frictionless checks row by row.
SCHEMA_CORRUPTIONS = ["deleted source row", "deleted entity row", "duplicated primary key", "value outside its enum"]


@pytest.mark.parametrize("case", SCHEMA_CORRUPTIONS)
def test_column_checker_finds_every_row_frictionless_finds(case: str, corrupted: Callable[[str], Path]):
    package = corrupted(case)
    by_frictionless = _frictionless_rows(package)
    assert by_frictionless, "the fixture must break a constraint frictionless checks"
    assert by_frictionless <= _column_checker_rows(package)


def test_column_checker_and_frictionless_agree_on_hand_edited_cells(fixture_package: Path, tmp_path: Path):
    """Cells edited by hand in the CSV: a malformed integer, a missing required value, a
    pattern and a minimum violated. Both checkers name each row and the kind of check."""
    package = tmp_path / "package"
    shutil.copytree(fixture_package, package)
    path = package / "data" / "quotes.csv"
    edits = [("start", "twelve", "types"), ("source_id", "", "constraint"), ("quote_id", "Q-1", "constraint"),
             ("end", "0", "constraint")]
    header, *rows = path.read_bytes().decode("utf-8").split("\r\n", len(edits))
    columns = header.split(",")
    expected = set()
    for index, (column, value, kind) in enumerate(edits):
        cells = rows[index].split(",")  # the columns edited come before the first free-text cell
        assert columns.index(column) < columns.index("text")
        cells[columns.index(column)] = value
        rows[index] = ",".join(cells)
        expected.add(("quotes", cells[0], kind))
    path.write_bytes("\r\n".join([header, *rows]).encode("utf-8"))
    write_descriptor(package)
    by_frictionless = _frictionless_rows(package)
    assert expected <= by_frictionless
    assert by_frictionless <= _column_checker_rows(package)


def test_raw_file_that_differs_from_raw_sha256(fixture_package: Path, tmp_path: Path):
    package = tmp_path / "package"
    shutil.copytree(fixture_package, package)
    sources = read_frame(package, "sources")
    raw_path = package / sources.loc[0, "raw_path"]  # the fixture package holds its raw files
    raw_path.write_bytes(raw_path.read_bytes() + b"edited after the build\n")
    with pytest.raises(BuildError) as raised:
        validate_package(package, run_gx=False)
    assert f"sources row {sources.loc[0, 'source_id']} column raw_sha256:" in str(raised.value)


def test_entity_without_a_mention(fixture_package: Path, tmp_path: Path):
    package = tmp_path / "package"
    shutil.copytree(fixture_package, package)

    def add_unmentioned(frame: pd.DataFrame) -> pd.DataFrame:
        extra = frame.iloc[[0]].assign(entity_id="nobody-mentions-me")
        return pd.concat([frame, extra], ignore_index=True)

    corrupt_table(package, "entities", add_unmentioned)
    with pytest.raises(BuildError, match=r"entities row nobody-mentions-me column entity_id: 'nobody-mentions-me' "
                                         r"has no mention  \[cross-table: every entity has a mention\]"):
        validate_package(package, run_gx=False)


def test_broken_csv_structure_is_named_like_frictionless_does(fixture_package: Path, tmp_path: Path):
    """A blank line and a row with too few cells, written by hand: both checkers report them."""
    package = tmp_path / "package"
    shutil.copytree(fixture_package, package)
    path = package / "data" / "entities.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[3:3] = [b"", b"lonely-cell,Lonely"]
    path.write_bytes(b"\r\n".join(lines))
    write_descriptor(package)
    assert {"blank-row", "missing-cell"} <= {e["type"] for e in frictionless_errors(package)}
    with pytest.raises(BuildError) as raised:
        validate_package(package, run_gx=False)
    message = str(raised.value)
    assert "entities row #3 column -: the row is blank  [schema: header and row structure]" in message
    header = len(load_schema("entities").columns)
    assert f"2 cells, the header has {header}: 'lonely-cell,Lonely'  [schema: header and row structure]" in message


def test_findings_do_not_depend_on_the_size_of_the_blocks_read(fixture_package: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch):
    """The CSVs are read, typed and checked a block at a time: with blocks of a few rows, a blank
    row, a repeated key and a bad span in later blocks are named by the same rows and positions."""
    import scripts.validate as validate

    package = tmp_path / "package"
    shutil.copytree(fixture_package, package)
    corrupt_table(package, "entities", duplicate_first_row)
    corrupt_table(package, "mentions", set_cell("text", "Somewhere Else", row=len(read_frame(package, "mentions")) - 1))
    path = package / "data" / "quotes.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[-2:-2] = [b""]
    path.write_bytes(b"\r\n".join(lines))
    write_descriptor(package)

    def report(name: str) -> dict[str, object]:
        with pytest.raises(BuildError):
            validate_package(package, run_gx=False, report_path=tmp_path / name)
        return json.loads((tmp_path / name).read_text(encoding="utf-8"))

    whole = report("whole.json")
    monkeypatch.setattr(validate, "CSV_BLOCK_BYTES", 512)
    with read_tables(package) as tables:
        assert len(list(tables["mentions"].blocks())) > 3, "the fixture must span several blocks"
    assert report("blocks.json") == whole
    failed = {c["check"] for c in whole["checks"] if c["status"] == "failed"}  # type: ignore[attr-defined]
    assert {"header and row structure", "unique and primary keys", "spans equal text"} <= failed
