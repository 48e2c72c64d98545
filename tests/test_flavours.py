"""The two flavours of a release and hydration (issue 14).

The open zip must hold no run of twelve consecutive words of any article in any file, documents
included; hydrating it from the articles must give the full zip's tables byte for byte; a missing
article gives a named, partial package. Each property is checked on the fixture corpus and on the
project's own data (the package built from its annotations and data/raw/).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import RAW_DIR, ROOT, build_fixture_package, write_fixture_corpus
from scripts.__main__ import main
from scripts.errors import BuildError
from scripts.flavours import THIRD_PARTY, open_schema, third_party_columns
from scripts.untrusted import package_schemas
from scripts.hydrate import hydrate
from scripts.release import write_dist
from scripts.schema import TABLES, TableSchema, load_schemas
from scripts.validate import validate_package

RUN = 12
WORD = re.compile(r"[^\W_]+")
VERSION = "9.9.9"
DOCUMENTS = ("README.md", "CHANGELOG.md", "LICENSE", "CITATION.cff")


# --- Helpers ---------------------------------------------------------------------

def word_runs(text: str) -> set[tuple[str, ...]]:
    """Every run of RUN consecutive words of ``text`` (lower case)."""
    words = [w.lower() for w in WORD.findall(text)]
    return {tuple(words[i:i + RUN]) for i in range(len(words) - RUN + 1)}


def article_runs(package: Path) -> set[tuple[str, ...]]:
    """The word runs of every article of a full package: its raw files and its normalised texts."""
    runs: set[tuple[str, ...]] = set()
    for path in sorted((package / "data" / "raw").rglob("*")):
        if path.is_file():
            runs |= word_runs(path.read_text(encoding="utf-8"))
    for text in pq.read_table(package / "data" / "texts.parquet", columns=["text"]).column(0).to_pylist():
        runs |= word_runs(text)
    return runs


def member_text(name: str, data: bytes) -> str:
    """What a reader of a zip member sees: a Parquet file's cells, any other file's bytes as text."""
    if name.endswith(".parquet"):
        table = pq.read_table(io.BytesIO(data))
        return "\n".join(str(v) for column in table.columns for v in column.to_pylist() if v is not None)
    return data.decode("utf-8", errors="replace")


def leaks(zip_path: Path, runs: set[tuple[str, ...]]) -> list[str]:
    """``member: words`` for every member of the zip that holds a run of an article."""
    found = []
    with zipfile.ZipFile(zip_path) as archive:
        for name in archive.namelist():
            words = [w.lower() for w in WORD.findall(member_text(name, archive.read(name)))]
            hit = next((i for i in range(len(words) - RUN + 1) if tuple(words[i:i + RUN]) in runs), None)
            if hit is not None:
                found.append(f"{name}: {' '.join(words[hit:hit + RUN])}")
    return found


def release_root(package: Path, folder: Path, annotations: Path | None = None) -> Path:
    """A project to cut a release from: a built package, the project's documents and config."""
    root = folder / "project"
    shutil.copytree(package, root)
    (root / "config").mkdir()
    shutil.copy(ROOT / "config" / "package.yaml", root / "config" / "package.yaml")
    shutil.copytree(ROOT / "docs", root / "docs")
    for name in DOCUMENTS:
        shutil.copy(ROOT / name, root / name)
    shutil.copytree(annotations or ROOT / "annotations", root / "annotations")
    return root


def zips(root: Path) -> dict[str, Path]:
    written = write_dist(root, VERSION)
    return {path.name.rsplit("-", 1)[1].removesuffix(".zip"): path for path in written}


def unpack(zip_path: Path, folder: Path) -> Path:
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
        top = archive.namelist()[0].split("/", 1)[0]
    return folder / top


def table_files() -> list[str]:
    return [f"data/{t}.{e}" for t in TABLES for e in ("csv", "parquet")]


# --- Fixtures: a release of the fixture corpus and one of the project ---------------------

@pytest.fixture(scope="module")
def fixture_release(fixture_package: Path, fixture_corpus: dict[str, Path], tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("fixture-release")
    annotations = folder / "annotations"
    shutil.copytree(fixture_corpus["sources_dir"], annotations / "sources")
    shutil.copy(fixture_corpus["registry_path"], annotations / "entities.yaml")
    root = release_root(fixture_package, folder, annotations)
    return {**zips(root), "root": root}


@pytest.fixture(scope="module")
def project_release(built_package: Path, tmp_path_factory) -> dict[str, Path]:
    root = release_root(built_package, tmp_path_factory.mktemp("project-release"))
    return {**zips(root), "root": root}


# --- The rule --------------------------------------------------------------------------

def test_every_third_party_column_is_replaced_by_offsets_and_a_hash():
    for table, schema in load_schemas().items():
        opened = open_schema(schema)
        assert not any(THIRD_PARTY in field for field in opened.fields)
        for name, kind in third_party_columns(schema).items():
            assert name not in opened.columns
            added = {"span": [f"{name}_sha256"], "text": [f"{name}_sha256"],
                     "phrase": [f"{name}_start", f"{name}_end", f"{name}_sha256"]}[kind]
            assert set(added) <= set(opened.columns), (table, name)
            assert opened.field(f"{name}_sha256")["constraints"]["pattern"] == "^[0-9a-f]{64}$"
        unmarked = [c for c in schema.columns if c not in third_party_columns(schema)]
        assert [c for c in opened.columns if c in unmarked] == unmarked


def test_the_schemas_mark_every_column_that_copies_article_text():
    marked = {(t, c) for t, s in load_schemas().items() for c in third_party_columns(s)}
    assert {("texts", "text"), ("quotes", "text"), ("statistics", "text"), ("mentions", "text"),
            ("quotes", "speaker_text"), ("sources", "title")} <= marked


def test_an_unknown_mark_or_a_span_without_offsets_is_named():
    texts = load_schemas()["texts"].descriptor
    bad = json.loads(json.dumps(texts))
    bad["fields"][1][THIRD_PARTY] = "paragraph"
    with pytest.raises(BuildError, match=r"schemas/texts.json: field 'text': thirdPartyText is 'paragraph'"):
        open_schema(TableSchema("texts", bad))
    bad["fields"][1][THIRD_PARTY] = "span"
    with pytest.raises(BuildError, match=r"field 'text' is a span of third-party text, which needs the columns end"):
        open_schema(TableSchema("texts", bad))


# --- No article text in the open zip ---------------------------------------------------------

def test_the_open_zip_of_the_fixture_corpus_holds_no_twelve_words_of_an_article(fixture_release, fixture_package):
    runs = article_runs(fixture_package)
    assert leaks(fixture_release["full"], runs), "the full zip carries the articles: the check must see them"
    assert leaks(fixture_release["open"], runs) == []


def test_the_open_zip_of_the_project_holds_no_twelve_words_of_an_article(project_release, built_package):
    runs = article_runs(built_package)
    assert leaks(project_release["full"], runs)
    assert leaks(project_release["open"], runs) == []


def test_the_open_zip_ships_no_raw_file_annotation_site_or_text_and_validates(project_release, tmp_path):
    with zipfile.ZipFile(project_release["open"]) as archive:
        names = [n.split("/", 1)[1] for n in archive.namelist()]
    assert not [n for n in names if n.startswith(("data/raw/", "annotations/", "build/", "config/"))]
    assert not [n for n in names if n.endswith((".png", ".sqlite", ".yaml"))]
    folder = unpack(project_release["open"], tmp_path)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["flavour"] == "open" and [lic["name"] for lic in descriptor["licenses"]] == ["CC-BY-4.0"]
    assert "no third-party text" in descriptor["licenses"][0]["title"]
    texts = pq.read_table(folder / "data" / "texts.parquet")
    assert texts.column_names == ["source_id", "text_sha256"]
    assert "CC BY 4.0" in (folder / "README.md").read_text(encoding="utf-8").split("<!-- flavour:end -->")[0]
    assert json.loads((folder / ".zenodo.json").read_text(encoding="utf-8"))["license"] == "cc-by-4.0"
    assert "holds no article text" in (folder / "CITATION.cff").read_text(encoding="utf-8")
    jsonld = json.loads((folder / "dataset.jsonld").read_text(encoding="utf-8"))
    assert [d["name"] for d in jsonld["distribution"] if d["encodingFormat"] == "application/zip"] == [
        f"{descriptor['name']}-{descriptor['version']}-open.zip"]
    results = validate_package(folder, run_gx=False)
    assert any("skipped: open flavour" in (r.note or "") for r in results)
    assert main(["validate", str(project_release["open"]), "--skip-gx", "--report-dir", str(tmp_path / "r")]) == 0


def test_the_full_zip_is_marked_for_private_use(project_release, tmp_path):
    folder = unpack(project_release["full"], tmp_path)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "private use under the publishers' terms" in readme.split("<!-- flavour:end -->")[0]
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert "private use under the publishers' terms" in " ".join(descriptor["licenses"][0]["title"].split())
    assert "flavour" not in descriptor
    assert "built from the full flavour" in (folder / "build" / "site" / "index.html").read_text(encoding="utf-8").lower()
    sums = (project_release["root"] / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    assert {line.split("  ")[1] for line in sums.splitlines()} == {project_release["open"].name,
                                                                   project_release["full"].name}


def test_an_open_package_whose_schema_carries_text_again_fails_validation(project_release, tmp_path):
    folder = unpack(project_release["open"], tmp_path)
    path = folder / "schemas" / "texts.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["fields"][1]["description"] = "changed"
    path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(BuildError, match="is not the open flavour of hydrate/schemas/texts.json"):
        validate_package(folder, run_gx=False)


# --- Hydration -------------------------------------------------------------------------------

def copies_under_other_names(raw_dir: Path, folder: Path, skip: str | None = None) -> Path:
    """The articles of ``raw_dir`` copied into ``folder`` under names that say nothing."""
    folder.mkdir(parents=True)
    for number, path in enumerate(sorted(p for p in raw_dir.iterdir() if p.is_file())):
        if path.name != skip:
            shutil.copyfile(path, folder / f"copy-{number}.bin")
    return folder


def assert_tables_equal(hydrated: Path, full: Path) -> None:
    for name in [*table_files(), "datapackage.json"]:
        assert (hydrated / name).read_bytes() == (full / name).read_bytes(), name


def test_hydrating_the_fixture_open_zip_gives_the_full_zips_tables(fixture_release, fixture_package, tmp_path):
    raw = copies_under_other_names(fixture_package / "data" / "raw", tmp_path / "mine")
    result = hydrate(fixture_release["open"], raw, tmp_path / "out")
    assert result.complete
    full = unpack(fixture_release["full"], tmp_path / "full")
    assert_tables_equal(tmp_path / "out", full)
    assert sorted(p.name for p in (tmp_path / "out" / "data" / "raw").iterdir()) == sorted(
        p.name for p in (full / "data" / "raw").iterdir())
    validate_package(tmp_path / "out", run_gx=False)


def test_hydrating_the_project_open_zip_from_data_raw_gives_the_full_zips_tables(project_release, tmp_path, capsys):
    assert main(["hydrate", str(project_release["open"]), "--raw", str(RAW_DIR), "--out", str(tmp_path / "out")]) == 0
    assert "byte-identical" in capsys.readouterr().out
    assert_tables_equal(tmp_path / "out", unpack(project_release["full"], tmp_path / "full"))


def test_one_missing_article_is_named_and_the_rest_is_hydrated(project_release, built_package, tmp_path, capsys):
    sources = pq.read_table(built_package / "data" / "sources.parquet").to_pylist()
    gone = sources[0]
    raw = copies_under_other_names(RAW_DIR, tmp_path / "mine", skip=Path(gone["raw_path"]).name)
    assert main(["hydrate", str(project_release["open"]), "--raw", str(raw), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "PARTIAL" in printed and f"not found: {gone['source_id']}" in printed
    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["hydration"]["complete"] is False
    assert descriptor["hydration"]["missing_sources"] == [gone["source_id"]]
    for table in ("sources", "texts", "quotes", "statistics", "mentions"):
        ids = set(pq.read_table(tmp_path / "out" / "data" / f"{table}.parquet", columns=["source_id"]).column(0)
                  .to_pylist())
        full_ids = set(pq.read_table(built_package / "data" / f"{table}.parquet", columns=["source_id"]).column(0)
                       .to_pylist())
        assert ids == full_ids - {gone["source_id"]}, table
    full_texts = {r["source_id"]: r["text"] for r in pq.read_table(built_package / "data" / "texts.parquet").to_pylist()}
    for row in pq.read_table(tmp_path / "out" / "data" / "texts.parquet").to_pylist():
        assert row["text"] == full_texts[row["source_id"]]


def test_an_article_found_by_its_normalised_text_is_restored_without_its_raw_file(fixture_release, fixture_package,
                                                                                   tmp_path):
    raw = copies_under_other_names(fixture_package / "data" / "raw", tmp_path / "mine")
    first = sorted(raw.iterdir())[0]
    first.write_bytes(first.read_bytes().replace(b"\n", b"\r\n"))  # other bytes, the same normalised text
    result = hydrate(fixture_release["open"], raw, tmp_path / "out")
    assert not result.missing and len(result.raw_not_restored) == 1
    full = unpack(fixture_release["full"], tmp_path / "full")
    for name in table_files():
        assert (tmp_path / "out" / name).read_bytes() == (full / name).read_bytes(), name
    descriptor = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["hydration"]["raw_files_not_restored"] == result.raw_not_restored


def test_a_span_whose_hash_does_not_match_stops_hydration_and_writes_nothing(fixture_release, fixture_package, tmp_path):
    folder = unpack(fixture_release["open"], tmp_path / "open")
    path = folder / "data" / "quotes.parquet"
    table = pq.read_table(path)
    offsets = table.column("start").to_pylist()
    offsets[0] += 1
    moved = table.set_column(table.column_names.index("start"), "start", pa.array(offsets, pa.int64()))
    pq.write_table(moved, path)
    raw = copies_under_other_names(fixture_package / "data" / "raw", tmp_path / "mine")
    with pytest.raises(BuildError, match=r"quotes row q-[0-9a-f]{12}: text at \[\d+, \d+\) does not have its SHA-256"):
        hydrate(folder, raw, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if "hydrating" in p.name]


def test_hydrate_refuses_a_full_package_and_a_folder_that_is_not_empty(fixture_package, fixture_release, tmp_path):
    with pytest.raises(BuildError, match="not an open package"):
        hydrate(fixture_package, fixture_package / "data" / "raw", tmp_path / "out")
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(BuildError, match="exists and is not empty"):
        hydrate(fixture_release["open"], fixture_package / "data" / "raw", tmp_path / "busy")
    assert (tmp_path / "busy" / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_a_phrase_not_written_in_the_text_is_named(tmp_path):
    corpus = write_fixture_corpus(tmp_path / "corpus", articles=1)
    path = next(corpus["sources_dir"].iterdir())
    path.write_text(path.read_text(encoding="utf-8").replace("speaker_role: the spokesman of the Taliban government "
                                                             "in Kabul", "speaker_role: a spokesman", 1),
                    encoding="utf-8")
    package = build_fixture_package(corpus, tmp_path / "package")
    from scripts.flavours import write_open_tables

    with pytest.raises(BuildError, match=r"quotes row q-[0-9a-f]{12}: speaker_role 'a spokesman' is not written in "
                                         r"the text of source 'fixture-article-1'"):
        write_open_tables(package, tmp_path / "open")
    assert package_schemas(package)["quotes"].columns == load_schemas()["quotes"].columns
