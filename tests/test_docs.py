"""The README, CHANGELOG, citation files and release manifest agree with the data and with each other."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import ROOT
from scripts.citation import CFF_SCHEMA, citation_descriptor
from scripts.derived import stale_derived
from scripts.manifest import newest_manifest


def test_no_derived_document_is_stale():
    """README counts and citation, CITATION.cff, .zenodo.json, dataset.jsonld, datasheet figures, dictionary."""
    from scripts.derived import derived_texts

    assert {"README.md", "CITATION.cff", ".zenodo.json", "dataset.jsonld", "docs/datasheet.md",
            "docs/data-dictionary.md"} <= set(derived_texts(ROOT))
    assert stale_derived(ROOT) == [], "run `make data` (the build regenerates them) and commit the result"


def test_derived_documents_follow_the_package(tmp_path: Path):
    """A changed package changes its derived documents: nothing in them is typed by hand."""
    from scripts.derived import DATASHEET, DICTIONARY, derived_texts

    for name in ("README.md", "datapackage.json", "CHANGELOG.md", DATASHEET, "config/package.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "data", tmp_path / "data", ignore=shutil.ignore_patterns("raw"))
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    before = derived_texts(tmp_path)
    import pandas as pd

    quotes = pd.read_parquet(tmp_path / "data" / "quotes.parquet")
    quotes.iloc[:1].to_parquet(tmp_path / "data" / "quotes.parquet")
    sources = pd.read_parquet(tmp_path / "data" / "sources.parquet")
    sources["review_status"] = "drafted"
    sources.to_parquet(tmp_path / "data" / "sources.parquet")
    after = derived_texts(tmp_path)
    assert "**Quotes:** 1 (" in after[DATASHEET] and "**Quotes:** 1 (" not in before[DATASHEET]
    assert f"{len(sources)} drafted" in after[DATASHEET]
    assert "| `quotes` | 1 |" in after["README.md"]
    assert after[DICTIONARY].startswith("# Data dictionary")


def test_readme_quick_start_is_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines()[1:] if line.strip()]
    assert commands == ["make data", "make test"]


def test_version_agrees_across_package_citation_zenodo_changelog_and_manifest():
    package = yaml.safe_load((ROOT / "config" / "package.yaml").read_text(encoding="utf-8"))
    descriptor = json.loads((ROOT / "datapackage.json").read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    jsonld = json.loads((ROOT / "dataset.jsonld").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    latest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", changelog, re.M)
    assert latest, "CHANGELOG.md has no released version"
    version, date = latest.groups()
    assert package["version"] == descriptor["version"] == citation["version"] == zenodo["version"] \
        == jsonld["version"] == version
    assert package["created"] == descriptor["created"] == f"{date}T00:00:00Z"
    assert citation["date-released"] == zenodo["publication_date"] == jsonld["datePublished"] == date
    manifest = newest_manifest()
    assert manifest is not None and manifest.name == f"{version}.json", "the newest release has no manifest"
    assert json.loads(manifest.read_text(encoding="utf-8"))["date"] == date


def test_citation_block_names_the_version():
    descriptor = citation_descriptor(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"(version {descriptor['version']}) [Data set]" in readme
    assert f"@misc{{pak-afghan-security-news-{descriptor['version']}," in readme


def test_citation_cff_is_valid_citation_file_format_1_2_0():
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(citation), key=str)
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    package = yaml.safe_load((ROOT / "config" / "package.yaml").read_text(encoding="utf-8"))
    assert citation["type"] == "dataset"
    assert ("doi" in citation) == bool(package.get("doi")), "a DOI appears only once config/package.yaml has one"


def _cffconvert() -> str | None:
    """cffconvert lives outside the project's venv (it pins an old jsonschema): CFFCONVERT, .venv-cff or PATH."""
    for candidate in (os.environ.get("CFFCONVERT"), str(ROOT / ".venv-cff" / "bin" / "cffconvert")):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("cffconvert")


def test_cffconvert_validates_citation_cff():
    cffconvert = _cffconvert()
    if cffconvert is None:
        pytest.skip("cffconvert is not installed (make cff-venv installs it into .venv-cff)")
    checked = subprocess.run([cffconvert, "--validate", "-i", str(ROOT / "CITATION.cff")],
                             capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_datasheet_has_the_datasheet_sections_and_is_linked_from_the_readme():
    datasheet = (ROOT / "docs" / "datasheet.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", datasheet, re.M)
    assert headings == ["Motivation", "Composition", "Collection process",
                        "Preprocessing, cleaning and annotation", "Uses", "Distribution", "Maintenance"]
    assert "(docs/datasheet.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
