"""dataset.jsonld as dataset search engines read it: places, downloads, absolute URLs under a homepage."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scripts.citation import jsonld_text
from scripts.errors import BuildError

META = {"spatial_coverage": [{"name": "Somewhere", "sameAs": "https://www.wikidata.org/wiki/Q1"}, {"name": "Else"}]}


def descriptor_of(package: Path, **changes: str) -> dict:
    return {**json.loads((package / "datapackage.json").read_text(encoding="utf-8")), **changes}


def test_spatial_coverage_lists_the_configured_places(built_package: Path):
    data = json.loads(jsonld_text(descriptor_of(built_package), built_package, META))
    assert data["spatialCoverage"] == [
        {"@type": "Place", "name": "Somewhere", "sameAs": "https://www.wikidata.org/wiki/Q1"},
        {"@type": "Place", "name": "Else"}]
    assert "spatialCoverage" not in json.loads(jsonld_text(descriptor_of(built_package), built_package, {}))


def test_the_release_zip_and_the_sqlite_file_are_distributions(built_package: Path):
    descriptor = descriptor_of(built_package)
    data = json.loads(jsonld_text(descriptor, built_package, META))
    formats = {d["encodingFormat"]: d for d in data["distribution"]}
    zips = [d["name"] for d in data["distribution"] if d["encodingFormat"] == "application/zip"]
    assert zips == [f"{descriptor['name']}-{descriptor['version']}-{flavour}.zip" for flavour in ("open", "full")]
    assert formats["application/vnd.sqlite3"]["contentUrl"].endswith(".sqlite")
    assert "full flavour" in formats["application/vnd.sqlite3"]["description"]
    assert len(data["distribution"]) == len(descriptor["resources"]) + 3
    assert all(not urlsplit(d["contentUrl"]).scheme for d in data["distribution"]), "no homepage: relative paths"
    assert "url" not in data


def test_every_url_is_absolute_under_a_configured_homepage(built_package: Path):
    homepage = "https://data.example.org/pak/"
    data = json.loads(jsonld_text(descriptor_of(built_package, homepage=homepage), built_package, META))
    assert data["url"] == homepage
    for distribution in data["distribution"]:
        assert distribution["contentUrl"].startswith(homepage) and "//" not in distribution["contentUrl"][8:]
    assert urlsplit(data["license"]).scheme == "https"


def test_a_place_without_a_name_is_named(built_package: Path):
    with pytest.raises(BuildError, match="spatial_coverage entry 1 needs a name"):
        jsonld_text(descriptor_of(built_package), built_package, {"spatial_coverage": [{"sameAs": "x"}]})
