"""Version policy, row-level diff and release: change a copy of the built package, check the bump."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import scripts.package
import scripts.release
from conftest import ROOT
from scripts.__main__ import main
from scripts.citation import CFF_SCHEMA, cff_text, jsonld_text, plain_citation, zenodo_text
from scripts.diff import diff, diff_markdown
from scripts.errors import BuildError
from scripts.manifest import build_manifest, manifest_text, write_manifest
from scripts.hashing import file_sha256
from scripts.release import (build_zip, changelog_with_entry, plan_release, rebuild_zip, release, release_members,
                             write_sha256sums)
from scripts.schema import TableSchema

Rows = list[dict[str, Any]]


@pytest.fixture
def packages(built_package: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(old, new): two copies of the built package; tests change ``new``."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(built_package, old)
    shutil.copytree(built_package, new)
    return old, new


def rewrite_table(package: Path, table: str, change_rows: Callable[[Rows], Rows] = lambda rows: rows,
                  change_schema: Callable[[dict[str, Any]], None] = lambda schema: None) -> None:
    """Change a table of a package folder: its schema file, then its Parquet and CSV files."""
    schema_path = package / "schemas" / f"{table}.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    change_schema(schema)
    schema_path.write_text(json.dumps(schema, indent=2), encoding="utf-8")
    rows = change_rows(pq.read_table(package / "data" / f"{table}.parquet").to_pylist())
    table_schema = TableSchema(table, schema)
    columns = table_schema.columns
    rows = [{c: row.get(c) for c in columns} for row in rows]
    # Nullable columns, so that a test may declare a field required without filling it.
    arrow_schema = pa.schema([f.with_nullable(True) for f in table_schema.arrow_schema()])
    pq.write_table(pa.Table.from_pylist(rows, schema=arrow_schema), package / "data" / f"{table}.parquet")
    with (package / "data" / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        writer.writerows([["" if row[c] is None else row[c] for c in columns] for row in rows])


def field(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return next(f for f in schema["fields"] if f["name"] == name)


def bump_of(old: Path, new: Path) -> str:
    return diff(str(old), str(new))["bump"]


# --- The policy: one change, one bump -----------------------------------

def test_an_unchanged_copy_needs_no_release(packages):
    old, new = packages
    assert bump_of(old, new) == "none"


def test_a_corrected_statistic_value_is_a_patch(packages):
    old, new = packages

    def correct(rows: Rows) -> Rows:
        rows[0]["value"], rows[0]["value_low"], rows[0]["value_high"] = 31.0, 31.0, 31.0
        return rows

    rewrite_table(new, "statistics", correct)
    assert bump_of(old, new) == "patch"


def test_an_added_quote_is_a_minor(packages):
    old, new = packages

    def add_quote(rows: Rows) -> Rows:
        return rows + [{**rows[0], "quote_id": "q-0123456789ab", "notes": "added for the test"}]

    rewrite_table(new, "quotes", add_quote)
    result = diff(str(old), str(new))
    assert result["bump"] == "minor"
    assert result["tables"]["quotes"]["added"] == ["q-0123456789ab"]


def test_a_removed_row_is_a_major(packages):
    old, new = packages
    rewrite_table(new, "quotes", lambda rows: rows[1:])
    assert bump_of(old, new) == "major"


def test_a_removed_column_is_a_major(packages):
    old, new = packages
    rewrite_table(new, "quotes", change_schema=lambda s: s["fields"].remove(field(s, "notes")))
    result = diff(str(old), str(new))
    assert result["bump"] == "major"
    assert "field `notes` removed" in [c["change"] for c in result["changes"] if c["level"] == "major"]


def test_a_renamed_column_is_a_major(packages):
    old, new = packages

    def rename(rows: Rows) -> Rows:
        return [{**{k: v for k, v in row.items() if k != "notes"}, "remarks": row["notes"]} for row in rows]

    rewrite_table(new, "quotes", rename, lambda s: field(s, "notes").update(name="remarks"))
    result = diff(str(old), str(new))
    assert result["bump"] == "major"
    assert "field `notes` renamed to `remarks`" in [c["change"] for c in result["changes"]]


@pytest.mark.parametrize("tighten", [
    lambda s: field(s, "unit")["constraints"]["enum"].remove("hour"),
    lambda s: field(s, "start")["constraints"].update(minimum=1),
    lambda s: field(s, "period").setdefault("constraints", {}).update(required=True),
    lambda s: field(s, "statistic_id")["constraints"].update(pattern="^s-[0-9a-f]{16}$"),
    lambda s: field(s, "start").update(type="number"),
    lambda s: s.update(primaryKey=["source_id", "start"]),
], ids=["enum-loses-value", "minimum-raised", "required-added", "pattern-changed", "type-changed", "primary-key"])
def test_a_tightened_constraint_or_changed_type_is_a_major(packages, tighten):
    old, new = packages
    rewrite_table(new, "statistics", change_schema=tighten)
    assert bump_of(old, new) == "major"


def test_a_loosened_constraint_or_added_optional_field_is_a_minor(packages):
    old, new = packages

    def loosen(schema: dict[str, Any]) -> None:
        field(schema, "unit")["constraints"]["enum"].append("metre")
        schema["fields"].append({"name": "confidence", "type": "number"})

    rewrite_table(new, "statistics", change_schema=loosen)
    result = diff(str(old), str(new))
    assert result["bump"] == "minor"
    assert {c["change"] for c in result["changes"] if c["level"] == "minor"} >= {
        "field `unit` constraint `enum` gains metre (loosened)", "optional field `confidence` added"}


def test_a_description_change_is_a_patch(packages):
    old, new = packages
    rewrite_table(new, "quotes", change_schema=lambda s: field(s, "notes").update(description="Curator's remark."))
    assert bump_of(old, new) == "patch"


# --- The diff ----------------------------------------------------------------

def test_diff_of_two_folders_lists_exactly_the_changed_rows_and_columns(packages):
    old, new = packages
    changed: dict[str, tuple[str, dict[str, list[Any]]]] = {}

    def edit(key: str, updates: dict[str, Any]) -> Callable[[Rows], Rows]:
        def apply(rows: Rows) -> Rows:
            row = rows[2]
            changed[key] = (row[key], {c: [row[c], v] for c, v in updates.items()})
            row.update(updates)
            return rows
        return apply

    rewrite_table(new, "statistics", edit("statistic_id", {"value": 12345.0, "measure": "corrected measure"}))
    rewrite_table(new, "quotes", edit("quote_id", {"notes": "a corrected note"}))
    result = diff(str(old), str(new))
    for table, (key, columns) in [("statistics", changed["statistic_id"]), ("quotes", changed["quote_id"])]:
        rows = result["tables"][table]
        assert (rows["added"], rows["removed"], rows["changed"]) == ([], [], [key])
        assert rows["changed_columns"] == {key: columns}
    for table in ("sources", "texts", "entities", "mentions"):
        assert not any(result["tables"][table][k] for k in ("added", "removed", "changed"))
    assert result["bump"] == "patch"
    markdown = diff_markdown(result)
    assert f"- changed `{changed['statistic_id'][0]}`: `value`" in markdown and "→ 12345.0" in markdown


def test_diff_against_a_manifest_needs_no_old_files(packages, tmp_path):
    old, new = packages
    write_manifest(build_manifest(old, version="1.0.0", date="2026-11-23"), tmp_path / "releases" / "1.0.0.json")
    shutil.rmtree(old)
    removed_key = pq.read_table(new / "data" / "quotes.parquet").to_pylist()[-1]["quote_id"]
    rewrite_table(new, "quotes", lambda rows: rows[:-1])
    result = diff("1.0.0", str(new), releases_dir=tmp_path / "releases")
    assert result["tables"]["quotes"]["removed"] == [removed_key]
    assert result["bump"] == "major"


def test_manifest_is_deterministic_and_records_rows_files_and_schemas(built_package, packages):
    _old, new = packages
    first, second = build_manifest(built_package), build_manifest(new)
    assert manifest_text(first) == manifest_text(second)
    quotes = first["tables"]["quotes"]
    assert quotes["rows"] == len(quotes["row_hashes"]) == pq.read_metadata(built_package / "data/quotes.parquet").num_rows
    assert set(quotes["files"]) == {"csv", "parquet"} and quotes["schema"]["primaryKey"] == ["quote_id"]


def test_diff_names_an_unknown_version():
    with pytest.raises(BuildError, match="no manifest of version 9.9.9"):
        diff("9.9.9", str(ROOT))


# --- Release -----------------------------------------------------------------

def test_release_refuses_a_smaller_bump_than_required(packages, tmp_path):
    old, new = packages
    releases = tmp_path / "releases"
    write_manifest(build_manifest(old, version="1.0.0", date="2026-11-23"), releases / "1.0.0.json")
    rewrite_table(new, "quotes", lambda rows: rows + [{**rows[0], "quote_id": "q-0123456789ab"}])
    with pytest.raises(BuildError, match="--bump patch is smaller than the MINOR bump.*quotes: 1 row"):
        plan_release(new, releases, "patch", "2026-12-01", "1.0.0")
    assert plan_release(new, releases, "auto", "2026-12-01", "1.0.0").version == "1.1.0"
    assert plan_release(new, releases, "major", "2026-12-01", "1.0.0").version == "2.0.0"
    with pytest.raises(BuildError, match="nothing to release"):
        plan_release(old, releases, "auto", "2026-12-01", "1.0.0")


def test_changelog_entry_counts_rows_and_calls_out_schema_changes(packages, tmp_path):
    old, new = packages
    releases = tmp_path / "releases"
    write_manifest(build_manifest(old, version="1.0.0", date="2026-11-23"), releases / "1.0.0.json")
    rewrite_table(new, "statistics", change_schema=lambda s: field(s, "unit")["constraints"]["enum"].append("metre"))
    rewrite_table(new, "quotes", lambda rows: rows + [{**rows[0], "quote_id": "q-0123456789ab"}])
    plan = plan_release(new, releases, "auto", "2026-12-01", "1.0.0")
    changelog = "# Changelog\n\n## [Unreleased]\n\n### Fixed\n- A hand-written note.\n\n## [1.0.0] - 2026-11-23\n\nInitial.\n"
    text = changelog_with_entry(changelog, plan)
    entry = text.split("## [1.1.0] - 2026-12-01", 1)[1].split("## [1.0.0]", 1)[0]
    quotes_rows = len(pq.read_table(new / "data" / "quotes.parquet"))
    assert f"- `quotes`: 1 row(s) added ({quotes_rows} rows now) [MINOR]." in entry
    assert "- `statistics`: field `unit` constraint `enum` gains metre (loosened) [MINOR]." in entry
    assert "### Fixed\n- A hand-written note." in entry
    assert text.index("## [Unreleased]") < text.index("## [1.1.0]") < text.index("## [1.0.0]")


def _release_root(tmp_path: Path) -> Path:
    """A project folder to release into: config, schemas, docs files; data comes from the build."""
    root = tmp_path / "project"
    (root / "config").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "package.yaml", root / "config" / "package.yaml")
    shutil.copytree(ROOT / "schemas", root / "schemas")
    shutil.copytree(ROOT / "docs", root / "docs")  # a release ships the guidelines, format and datasheet
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")  # and the raw files
    (root / "README.md").write_text("# Test\n\n<!-- stats:start -->\n<!-- stats:end -->\n\n## How to cite\n\n"
                                    "<!-- citation:start -->\n<!-- citation:end -->\n", encoding="utf-8")
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n### Added\n- First cut.\n", encoding="utf-8")
    (root / "LICENSE").write_text("licence terms\n", encoding="utf-8")
    (root / "CITATION.cff").write_text("cff-version: 1.2.0\n", encoding="utf-8")
    return root


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_release_dry_run_then_release_then_nothing_to_release(tmp_path, monkeypatch):
    root = _release_root(tmp_path)
    shutil.copy(ROOT / "datapackage.json", root / "datapackage.json")
    # The build reads package metadata from config/package.yaml: point it at the copy being released.
    monkeypatch.setattr(scripts.package, "PACKAGE_CONFIG", root / "config" / "package.yaml")
    before = _snapshot(root)
    plan = release("major", "2027-02-03", dry_run=True, root=root, run_gx=False)
    assert _snapshot(root) == before
    major = int(json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"].split(".")[0])
    assert plan.version == f"{major + 1}.0.0" and plan.previous is None

    release("major", "2027-02-03", dry_run=False, root=root, run_gx=False)
    version = plan.version
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["version"], descriptor["created"]) == (version, "2027-02-03T00:00:00Z")
    assert f"version: {version}" in (root / "config" / "package.yaml").read_text(encoding="utf-8")
    assert f"version: {version}" in (root / "CITATION.cff").read_text(encoding="utf-8")
    assert json.loads((root / ".zenodo.json").read_text(encoding="utf-8"))["version"] == version
    assert f"## [{version}] - 2027-02-03\n\nInitial release.\n\n### Added\n- `sources`:" in \
        (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"(version {version}) [Data set]" in (root / "README.md").read_text(encoding="utf-8")
    assert json.loads((root / "releases" / f"{version}.json").read_text(encoding="utf-8"))["version"] == version
    sums = (root / "dist" / "SHA256SUMS").read_text(encoding="utf-8")
    assert sums.splitlines() == [f"{file_sha256(root / 'dist' / name)[1]}  {name}"
                                  for name in sorted(f"pak-afghan-security-news-{version}-{flavour}.zip"
                                                     for flavour in ("open", "full"))]
    with pytest.raises(BuildError, match="nothing to release"):
        release("auto", "2027-02-04", dry_run=True, root=root, run_gx=False)


def test_the_zip_is_reproducible_and_sha256sums_verifies(built_package, tmp_path):
    root = _release_root(tmp_path)
    shutil.copytree(built_package / "data", root / "data", dirs_exist_ok=True)
    shutil.copy(built_package / "datapackage.json", root / "datapackage.json")
    members = release_members(root)
    assert {"datapackage.json", "data/quotes.csv", "data/quotes.parquet", "schemas/quotes.json", "README.md",
            "CHANGELOG.md", "LICENSE"} <= set(members)
    first = build_zip(root, members, tmp_path / "a" / "package-1.0.0.zip", "package-1.0.0")
    second = build_zip(root, members, tmp_path / "b" / "package-1.0.0.zip", "package-1.0.0")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(f"package-1.0.0/{m}" for m in members)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.read("package-1.0.0/data/quotes.csv") == (root / "data" / "quotes.csv").read_bytes()
    write_sha256sums([first], first.parent / "SHA256SUMS")
    if shutil.which("sha256sum"):
        checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=first.parent, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    first.write_bytes(first.read_bytes() + b"x")
    if shutil.which("sha256sum"):
        assert subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=first.parent, capture_output=True).returncode != 0


def test_adding_a_doi_is_a_patch_and_reaches_every_citation(packages, tmp_path):
    old, new = packages
    releases = tmp_path / "releases"
    write_manifest(build_manifest(old, version="1.0.0", date="2026-11-23"), releases / "1.0.0.json")
    doi = "10.5281/zenodo.1234567"
    plan = plan_release(new, releases, "auto", "2026-12-01", "1.0.0", {"doi": doi})
    assert (plan.bump, plan.version) == ("patch", "1.0.1")
    descriptor = {**json.loads((new / "datapackage.json").read_text(encoding="utf-8")), "doi": doi}
    citation = yaml.safe_load(cff_text(descriptor))
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    assert not list(jsonschema.Draft7Validator(schema).iter_errors(citation))
    assert citation["doi"] == json.loads(zenodo_text(descriptor))["doi"] == doi
    assert json.loads(jsonld_text(descriptor, new))["identifier"] == f"https://doi.org/{doi}"
    assert plain_citation(descriptor).endswith(f"https://doi.org/{doi}")


def test_diff_command_prints_markdown_or_json(packages, capsys):
    old, new = packages
    rewrite_table(new, "quotes", lambda rows: rows[1:])
    assert main(["diff", str(old), str(new), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["bump"] == "major" and len(result["tables"]["quotes"]["removed"]) == 1
    assert main(["diff", str(old), str(new)]) == 0
    assert "Required bump: **MAJOR**" in capsys.readouterr().out
    assert main(["diff", "0.0.1", str(new)]) == 1


# --- An interrupted release, and the zip of a released version ------------------------------------

RELEASE_DRIVER = """
import os, signal, sys
from pathlib import Path
import scripts.package
import scripts.transaction as transaction
import scripts.validate as validate

root, kill_at = Path(sys.argv[1]), sys.argv[2]
scripts.package.PACKAGE_CONFIG = root / "config" / "package.yaml"
from scripts.release import release

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

moved = []
real_move, real_step = transaction.move, transaction.run_step

def move(source, target):
    if len(moved) == int(kill_at):
        die()
    moved.append(source)
    real_move(source, target)

def step(root, what):
    if what["step"] == "dist":
        die()
    real_step(root, what)

if kill_at == "validate":
    validate.validate_package = die
elif kill_at == "dist":
    transaction.run_step = step
else:
    transaction.move = move
release("major", "2027-02-03", dry_run=False, root=root, run_gx=False)
"""


def _next_major() -> str:
    major = int(json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))["version"].split(".")[0])
    return f"{major + 1}.0.0"


def _released(root: Path, version: str) -> None:
    """``root`` holds release ``version`` exactly once, complete, with nothing of a killed run left."""
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert changelog.count(f"## [{version}]") == 1 and changelog.count("Initial release.") == 1
    assert f"version: {version}\n" in (root / "config" / "package.yaml").read_text(encoding="utf-8")
    assert json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["version"] == version
    assert json.loads((root / "releases" / f"{version}.json").read_text(encoding="utf-8"))["version"] == version
    assert all((root / "dist" / f"pak-afghan-security-news-{version}-{flavour}.zip").is_file()
               for flavour in ("open", "full"))
    assert not [p.name for p in root.iterdir() if p.name.startswith((".build-", ".publish-journal"))]


@pytest.mark.parametrize("kill_at", ["validate", "4", "dist"])
def test_a_killed_release_is_finished_exactly_once_by_the_next_run(kill_at, tmp_path, monkeypatch, capsys):
    root = _release_root(tmp_path)
    shutil.copy(ROOT / "datapackage.json", root / "datapackage.json")
    monkeypatch.setattr(scripts.package, "PACKAGE_CONFIG", root / "config" / "package.yaml")
    config, changelog = ((root / name).read_bytes() for name in ("config/package.yaml", "CHANGELOG.md"))
    child = subprocess.run([sys.executable, "-c", RELEASE_DRIVER, str(root), kill_at], cwd=ROOT,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=600)
    assert child.returncode == -9, child.stdout + child.stderr
    version = _next_major()
    if kill_at == "validate":  # killed before anything was published: the version is not changed yet
        assert (root / "config" / "package.yaml").read_bytes() == config
        assert (root / "CHANGELOG.md").read_bytes() == changelog
        assert release("major", "2027-02-03", dry_run=False, root=root, run_gx=False) is not None
        assert "left by killed runs" in capsys.readouterr().out
    else:
        assert (root / ".publish-journal.json").is_file()
        assert release("major", "2027-02-03", dry_run=False, root=root, run_gx=False) is None
        assert f"the interrupted release {version} is now complete" in capsys.readouterr().out
    _released(root, version)
    with pytest.raises(BuildError, match=f"nothing to release .*--rebuild-zip {version}"):
        release("major", "2027-02-03", dry_run=False, root=root, run_gx=False)
    _released(root, version)


def test_the_zip_of_a_release_is_rebuilt_byte_for_byte_and_refused_for_other_data(tmp_path, monkeypatch):
    root = _release_root(tmp_path)
    shutil.copy(ROOT / "datapackage.json", root / "datapackage.json")
    monkeypatch.setattr(scripts.package, "PACKAGE_CONFIG", root / "config" / "package.yaml")
    version = release("major", "2027-02-03", dry_run=False, root=root, run_gx=False).version
    zips = [root / "dist" / f"pak-afghan-security-news-{version}-{flavour}.zip" for flavour in ("open", "full")]
    sums = root / "dist" / "SHA256SUMS"
    released_zips, released_sums = [z.read_bytes() for z in zips], sums.read_bytes()
    for zip_path in zips:
        zip_path.unlink()
    assert rebuild_zip(version, root) == zips
    assert ([z.read_bytes() for z in zips], sums.read_bytes()) == (released_zips, released_sums)

    readme = (root / "README.md").read_text(encoding="utf-8")
    (root / "README.md").write_text(readme + "\nEdited after the release.\n", encoding="utf-8")
    zips[1].unlink()
    with pytest.raises(BuildError, match=f"SHA-256 of {zips[1].name} is not the .* dist/SHA256SUMS records"):
        rebuild_zip(version, root)
    assert not any(z.exists() for z in zips) and sums.read_bytes() == released_sums
    (root / "README.md").write_text(readme, encoding="utf-8")

    members = scripts.release.release_members
    monkeypatch.setattr(scripts.release, "release_members",
                        lambda folder: [m for m in members(folder) if m != "data/quotes.csv"])
    sums.unlink()
    with pytest.raises(BuildError, match=f"the package in {zips[1].name} cannot be read back"):
        rebuild_zip(version, root)
    assert not any(z.exists() for z in zips) and not sums.exists()
    monkeypatch.setattr(scripts.release, "release_members", members)

    with pytest.raises(BuildError, match="no manifest of version 9.9.9"):
        rebuild_zip("9.9.9", root)
    rewrite_table(root, "quotes", lambda rows: rows[1:])
    with pytest.raises(BuildError, match=f"the published package is not version {version} .*table quotes: rows"):
        rebuild_zip(version, root)
