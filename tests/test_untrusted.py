"""``validate PATH`` and ``diff A B`` treat a package as untrusted input (issue 13, items 4, 7, 9, 10).

Every case copies the package built from the fixture corpus (tests/conftest.py) and makes it hostile
or broken one way: its own schemas contradict its rows, it declares an extra resource, a path leaves
it, its descriptor is malformed, its zip is a bomb, a cell is not NFC or holds a NUL, its rows are out
of order, a row is larger than the reader's block. Each must end in a finding or a BuildError naming
the file, resource or row, never in a traceback nor a read outside the package.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path
from typing import Any, Callable

import pyarrow.parquet as pq
import pytest

from conftest import build_fixture_package, write_fixture_corpus
from scripts.__main__ import main
from scripts.errors import BuildError
from scripts.package import write_descriptor
from scripts.schema import load_schema
from scripts.validate import check_files, check_tables, read_csv_rows, run_checks, validate_package
from test_integrity import corrupt_table, read_frame, set_cell


@pytest.fixture
def package(fixture_package: Path, tmp_path: Path) -> Path:
    """A copy of the fixture package, to break."""
    copy = tmp_path / "package"
    shutil.copytree(fixture_package, copy)
    return copy


def edit_descriptor(package: Path, change: Callable[[dict[str, Any]], Any]) -> None:
    path = package / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    change(descriptor)
    path.write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def resource(descriptor: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in descriptor["resources"] if r.get("name") == name)


def failures(package: Path) -> dict[str, list[str]]:
    """Check label -> its findings as text, of every failing check (no Great Expectations)."""
    return {r.label: [str(e) for e in r.examples] for r in run_checks(package, run_gx=False, echo=False) if not r.passed}


# --- The package's own schemas and every declared resource ------------------------------------

def test_rows_are_checked_against_the_schema_the_package_declares(package: Path):
    schema_path = package / "schemas" / "quotes.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    kind = next(f for f in schema["fields"] if f["name"] == "kind")
    kind["constraints"]["enum"] = ["indirect"]     # the package's own schema refuses its direct quotes
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    found = failures(package)
    assert any("quotes row" in f and "column kind" in f and "'direct' is not one of indirect" in f
               for f in found["schema: enum"])
    # a package claiming to be this dataset must carry its schemas: said, for both resources of the table
    shown = found["profiles: resources and schemas of this dataset"]
    assert any(f.startswith("quotes row - column schema:") and "field 'kind' differs" in f for f in shown)
    assert any(f.startswith("quotes-parquet row - column schema:") for f in shown)


def test_an_extra_declared_resource_with_invalid_rows_fails(package: Path):
    (package / "data" / "extra.csv").write_text("id,label\n1,one\ntwo,2\n", encoding="utf-8")
    write_descriptor(package)

    def add(descriptor: dict[str, Any]) -> None:
        descriptor["resources"].append({"name": "extra", "path": "data/extra.csv", "format": "csv",
                                        "schema": {"fields": [{"name": "id", "type": "integer"},
                                                              {"name": "label", "type": "string"}],
                                                   "primaryKey": ["id"]}})
    edit_descriptor(package, add)
    assert failures(package)["schema: types"] == ["extra row two column id: 'two' is not a integer"]


def test_an_extra_parquet_resource_without_a_csv_is_read_too(package: Path):
    shutil.copy(package / "data" / "entities.parquet", package / "data" / "extra.parquet")

    def add(descriptor: dict[str, Any]) -> None:
        schema = json.loads((package / "schemas" / "entities.json").read_text(encoding="utf-8"))
        type_field = next(f for f in schema["fields"] if f["name"] == "type")
        type_field["constraints"]["enum"] = ["PERSON"]
        descriptor["resources"].append({"name": "extra-entities", "path": "data/extra.parquet", "format": "parquet",
                                        "schema": schema})
    edit_descriptor(package, add)
    assert any(f.startswith("extra-entities row") and "column type" in f for f in failures(package)["schema: enum"])


# --- Paths stay inside the package and are refused before they are opened ---------------------

def _link_out(package: Path) -> str:
    (package / "data" / "quotes.csv").unlink()
    (package / "data" / "quotes.csv").symlink_to(package.parent / "outside.csv")
    (package.parent / "outside.csv").write_text("quote_id\n", encoding="utf-8")
    return "data/quotes.csv"


def _fifo(package: Path) -> str:
    os.mkfifo(package / "data" / "pipe.csv")   # opened, it would block: it must never be
    return "data/pipe.csv"


UNSAFE_PATHS: dict[str, tuple[Callable[[Path], str], str]] = {
    "a device": (lambda p: "/dev/zero", "is absolute"),
    "dot-dot": (lambda p: "../../etc/hostname", "leaves the package"),
    "dot-dot inside": (lambda p: "data/../../outside.csv", "leaves the package"),
    "a URL": (lambda p: "https://example.org/quotes.csv", "is a URL"),
    "a link out": (_link_out, "is a symbolic link out of the package"),
    "a FIFO": (_fifo, "is not a regular file"),
}


@pytest.mark.parametrize("case", UNSAFE_PATHS)
def test_a_resource_path_that_leaves_the_package_is_refused_before_it_is_opened(package: Path, case: str):
    make, words = UNSAFE_PATHS[case]
    bad = make(package)
    edit_descriptor(package, lambda d: resource(d, "quotes").update(path=bad))
    with pytest.raises(BuildError) as caught:
        validate_package(package, run_gx=False)
    assert f"resource 5 ('quotes'): path {bad!r} {words}" in str(caught.value)


def test_a_schema_path_that_leaves_the_package_is_refused(package: Path):
    edit_descriptor(package, lambda d: resource(d, "texts").update(schema="../schemas/texts.json"))
    with pytest.raises(BuildError, match=r"resource 2 \('texts'\) schema: path '../schemas/texts.json' leaves"):
        validate_package(package, run_gx=False)


def test_a_raw_path_that_leaves_the_package_is_named_and_not_read(package: Path):
    corrupt_table(package, "sources", set_cell("raw_path", "/dev/zero"))
    corrupt_table(package, "sources", set_cell("raw_path", "../../etc/hostname", row=1))
    found = failures(package)["cross-table: raw files match raw_sha256"]
    assert any("column raw_path: '/dev/zero' is absolute" in f and "not read" in f for f in found)
    assert any("column raw_path: '../../etc/hostname' leaves the package" in f for f in found)


def test_a_citation_file_linked_out_of_the_package_is_not_read(package: Path, tmp_path: Path):
    (tmp_path / "elsewhere.cff").write_text("version: 9.9.9\n", encoding="utf-8")
    (package / "CITATION.cff").symlink_to(tmp_path / "elsewhere.cff")
    found = failures(package)["cross-table: version matches CITATION.cff and CHANGELOG.md"]
    assert any(f.startswith("CITATION.cff") and "symbolic link out of the package" in f for f in found)
    assert not any("9.9.9" in f for f in found)


# --- Malformed descriptors: one error listing every problem --------------------------------------

@pytest.mark.parametrize("text, words", [
    ("{not json", "cannot be read as JSON"),
    ("[1, 2]", "not a JSON object but list"),
    ('{"resources": {"name": "x"}}', "'resources' is not a non-empty list"),
])
def test_a_malformed_descriptor_is_a_clear_error(package: Path, text: str, words: str):
    (package / "datapackage.json").write_text(text, encoding="utf-8")
    with pytest.raises(BuildError, match=words):
        validate_package(package, run_gx=False)


def test_every_problem_of_the_resources_is_listed_in_one_error(package: Path):
    def break_resources(descriptor: dict[str, Any]) -> None:
        del resource(descriptor, "sources")["name"]
        del resource(descriptor, "texts")["path"]
        resource(descriptor, "mentions")["schema"] = "schemas/nowhere.json"
        resource(descriptor, "quotes")["format"] = "xlsx"
        descriptor["resources"].append("not an object")
    edit_descriptor(package, break_resources)
    with pytest.raises(BuildError) as caught:
        validate_package(package, run_gx=False)
    message = str(caught.value)
    for words in ("resource 1: has no name", "resource 2 ('texts'): has no path",
                  "resource 4 ('mentions') schema 'schemas/nowhere.json': cannot be read",
                  "resource 5 ('quotes'): format 'xlsx' is not one this dataset reads",
                  "resource 13: not a JSON object"):
        assert words in message, words


# --- Zips -----------------------------------------------------------------------------------

def zip_of(package: Path, path: Path, extra: Callable[[zipfile.ZipFile], None] = lambda a: None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(package.rglob("*")):
            if file.is_file():
                archive.write(file, f"pkg/{file.relative_to(package).as_posix()}")
        extra(archive)
    return path


def test_a_release_zip_validates_and_diffs_like_its_folder(package: Path, tmp_path: Path):
    from scripts.diff import diff

    archive = zip_of(package, tmp_path / "package.zip")
    assert main(["validate", str(archive), "--skip-gx", "--report-dir", str(tmp_path / "report")]) == 0
    result = diff(str(package), str(archive))
    assert result["bump"] == "none" and result["changes"] == []


def _symlink_member(archive: zipfile.ZipFile) -> None:
    info = zipfile.ZipInfo("pkg/data/link.csv")
    info.external_attr = (0o120777 << 16)
    archive.writestr(info, "/etc/hostname")


def _bomb(archive: zipfile.ZipFile) -> None:
    archive.writestr("pkg/data/zeros.csv", b"0" * (8 << 20), compress_type=zipfile.ZIP_DEFLATED)


@pytest.mark.parametrize("extra, words", [
    (_symlink_member, "member 'pkg/data/link.csv' is a symbolic link"),
    (_bomb, "member 'pkg/data/zeros.csv' unpacks to 8388608 bytes from"),
    (lambda a: a.writestr("/etc/evil.txt", "x"), "member '/etc/evil.txt' is not a relative POSIX path"),
    (lambda a: a.writestr("other/readme.txt", "x"), "a release zip holds one folder; found other, pkg"),
    (lambda a: a.writestr("pkg/data/quotes.csv/x", "x"), "member 'pkg/data/quotes.csv/x' cannot be unpacked"),
])
def test_an_unsafe_zip_is_refused_with_a_clear_error(package: Path, tmp_path: Path, extra: Callable, words: str):
    from scripts.untrusted import package_folder

    archive = zip_of(package, tmp_path / "bad.zip", extra)
    with pytest.raises(BuildError) as caught:
        with package_folder(archive):
            pass
    assert words in str(caught.value)
    assert main(["diff", str(package), str(archive)]) == 1


def test_zip_limits_on_members_and_size(package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import scripts.untrusted as untrusted

    archive = zip_of(package, tmp_path / "package.zip")
    monkeypatch.setattr(untrusted, "ZIP_MAX_MEMBERS", 3)
    with pytest.raises(BuildError, match=r"members, more than the limit of 3"):
        with untrusted.package_folder(archive):
            pass
    monkeypatch.setattr(untrusted, "ZIP_MAX_MEMBERS", 1000)
    monkeypatch.setattr(untrusted, "ZIP_MAX_BYTES", 1000)
    with pytest.raises(BuildError, match=r"bytes, more than the limit"):
        with untrusted.package_folder(archive):
            pass


# --- diff on hostile input -------------------------------------------------------------------

@pytest.mark.parametrize("change, words", [
    (lambda d: resource(d, "quotes-parquet").update(path="../../outside.parquet"), "leaves the package"),
    (lambda d: d.update(resources="none"), "'resources' is not a non-empty list"),
    (lambda d: resource(d, "entities").update(schema=7), "schema is not a JSON object"),
])
def test_diff_names_a_bad_descriptor_without_a_traceback(package: Path, fixture_package: Path, change: Callable,
                                                        words: str, capsys: pytest.CaptureFixture[str]):
    edit_descriptor(package, change)
    assert main(["diff", str(fixture_package), str(package)]) == 1
    error = capsys.readouterr().err
    assert words in error and "Traceback" not in error


def test_diff_of_a_device_is_a_clear_error(fixture_package: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["diff", str(fixture_package), "/dev/zero"]) == 1
    assert "/dev/zero: not a regular file, a folder or a release zip" in capsys.readouterr().err


# --- NFC, NUL, row order, long rows (item 9) -------------------------------------------------

def test_a_text_cell_not_in_nfc_is_named(package: Path):
    corrupt_table(package, "entities", set_cell("description", "Cafe\u0301 owners"))
    found = failures(package)["schema: text in NFC, without NUL"]
    assert any(f.startswith("entities row ") and "column description: 'Cafe\u0301 owners' is not in Unicode NFC" in f
               for f in found)


def test_a_nul_deep_in_a_text_cell_is_named(package: Path):
    corrupt_table(package, "sources", set_cell("notes", "x" * 3000 + "\x00 after"))
    found = failures(package)["schema: text in NFC, without NUL"]
    assert any("column notes: holds a NUL character at 3000" in f for f in found)


def test_rows_out_of_primary_key_order_are_named(package: Path):
    entities = read_frame(package, "entities")
    last = str(entities["entity_id"].iloc[-1])
    corrupt_table(package, "entities", lambda frame: frame.iloc[::-1].reset_index(drop=True))
    found = failures(package)
    order = found["schema: rows in primary-key order"]
    assert order and order[0].startswith(f"entities row {entities['entity_id'].iloc[-2]} column entity_id: comes "
                                         f"after the row {last}")


def test_a_row_of_three_mib_is_read(package: Path, monkeypatch: pytest.MonkeyPatch):
    import scripts.validate as validate

    long_note = ("A long note. " * 250_000)[:3 << 20]
    corrupt_table(package, "sources", set_cell("notes", long_note, row=1))
    assert (package / "data" / "sources.csv").stat().st_size > 3 << 20
    assert check_tables(package) == []
    monkeypatch.setattr(validate, "CSV_BLOCK_BYTES", 1 << 20)   # the row straddles blocks: read again, larger
    assert check_tables(package) == []
    rows = read_csv_rows(package / "data" / "sources.csv", load_schema("sources"))
    assert rows[1]["notes"] == long_note


def test_a_nul_deep_in_a_raw_file_stops_the_build(tmp_path: Path):
    corpus = write_fixture_corpus(tmp_path / "corpus")
    raw = corpus["raw_dir"] / "fixture-2.txt"
    data = raw.read_bytes()
    padded = data + (b"Traders said the road stayed closed. " * 100)[:3000 - len(data)]
    raw.write_bytes(padded + b"\x00 and more words after it.\n")
    with pytest.raises(BuildError, match=r"fixture-2\.txt: a binary file \(NUL byte at 3000\)"):
        build_fixture_package(corpus, tmp_path / "out")


# --- The four mutations that survived the suite (item 10) ------------------------------------

def test_a_span_changed_to_text_of_the_same_length_fails(package: Path):
    statistics = read_frame(package, "statistics")
    row = int(statistics.index[statistics["text"] == "12"][0])
    corrupt_table(package, "statistics", set_cell("text", "13", row=row))
    found = failures(package)["cross-table: spans equal text"]
    assert any(f.startswith(f"statistics row {statistics.loc[row, 'statistic_id']} column text: '13', but") for f in found)


def test_a_parquet_file_whose_bytes_changed_fails_its_hash(package: Path):
    path = package / "data" / "mentions.parquet"
    table = pq.read_table(path)
    pq.write_table(table, path, compression="snappy")   # the same rows, other bytes; the descriptor not updated
    assert check_files(package) == ["data/mentions.parquet: SHA-256 differs from the descriptor's hash"]


def test_a_range_with_equal_bounds_fails(package: Path):
    statistics = read_frame(package, "statistics")
    row = int(statistics.index[statistics["qualifier"] == "range"][0])
    corrupt_table(package, "statistics", set_cell("value_high", statistics.loc[row, "value_low"], row=row))
    found = failures(package)["cross-table: statistics bounds agree with the qualifier"]
    assert any("qualifier 'range' needs no value and value_low < value_high" in f for f in found)


def test_an_annotated_range_with_equal_bounds_stops_the_build(tmp_path: Path):
    import yaml

    corpus = write_fixture_corpus(tmp_path / "corpus", articles=1)
    path = corpus["sources_dir"] / "fixture-article-1.yaml"
    annotation = yaml.safe_load(path.read_text(encoding="utf-8"))
    ranged = next(s for s in annotation["statistics"] if s["qualifier"] == "range")
    ranged["value_high"] = ranged["value_low"]
    path.write_text(yaml.safe_dump(annotation, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(BuildError, match=r"qualifier 'range' needs no value and value_low < value_high"):
        build_fixture_package(corpus, tmp_path / "out")


# --- The version files of the package (mutants of the version check that survived) --------------

def test_a_citation_file_of_another_version_is_named(package: Path):
    (package / "CITATION.cff").write_text("cff-version: 1.2.0\nversion: 9.9.9\n", encoding="utf-8")
    found = failures(package)["cross-table: version matches CITATION.cff and CHANGELOG.md"]
    assert any(f.endswith("but CITATION.cff says '9.9.9'") for f in found)


def test_a_changelog_without_a_release_entry_is_noted_not_a_crash(package: Path):
    (package / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n", encoding="utf-8")
    (package / "CITATION.cff").unlink(missing_ok=True)
    result = next(r for r in run_checks(package, run_gx=False, echo=False) if r.name.startswith("version"))
    assert result.passed and result.note == "CHANGELOG.md states no version yet; no CITATION.cff"


# --- Survivors of the mutation run after this work (docs/mutation-report.md) ---------------------

def test_a_parquet_resource_that_does_not_match_its_declared_schema_is_named(package: Path):
    shutil.copy(package / "data" / "entities.parquet", package / "data" / "extra.parquet")
    schema = json.loads((package / "schemas" / "texts.json").read_text(encoding="utf-8"))
    edit_descriptor(package, lambda d: d["resources"].append(
        {"name": "extra", "path": "data/extra.parquet", "format": "parquet", "schema": schema}))
    found = failures(package)["schema: header and row structure"]
    assert any(f.startswith("extra row - column -: extra.parquet has the schema") for f in found)


def test_a_package_without_this_datasets_mentions_is_named_without_a_crash(package: Path):
    edit_descriptor(package, lambda d: d.update(resources=[r for r in d["resources"]
                                                           if r["name"] not in ("mentions", "mentions-parquet")]))
    found = failures(package)
    assert "mentions row - column -: this dataset's resource is not declared" in \
        found["profiles: resources and schemas of this dataset"]
    assert any(f.endswith("has no mention") for f in found["cross-table: every entity has a mention"])


def test_a_constraint_the_checker_does_not_implement_is_named(package: Path):
    path = package / "schemas" / "entities.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1].setdefault("constraints", {})["exclusiveMinimum"] = 0
    path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    found = failures(package)["schema: constraints known"]
    assert found == [f"entities row - column {schema['fields'][1]['name']}: constraint 'exclusiveMinimum' is not "
                     "checked by scripts/validate.py"]


def test_a_parquet_file_with_fewer_rows_than_its_csv_is_named(package: Path):
    path = package / "data" / "entities.parquet"
    table = pq.read_table(path)
    pq.write_table(table.slice(1), path, compression="zstd")
    last_key = table.column("entity_id")[0].as_py()
    found = failures(package)["cross-table: CSV equals Parquet"]
    assert found == [f"entities row {last_key} column -: the CSV has {table.num_rows} rows, the Parquet file "
                     f"{table.num_rows - 1} (keys in only one of them: {last_key})"]
