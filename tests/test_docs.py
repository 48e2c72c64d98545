"""The README, CHANGELOG and CITATION.cff agree with the data and with each other."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT
from scripts.report import readme_with_stats


def test_readme_tables_are_those_of_the_published_data():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_stats(readme) == readme, "run: python -m scripts stats --update-readme"


def test_readme_quick_start_is_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    commands = [line.split("#")[0].strip() for line in quick_start.splitlines()[1:] if line.strip()]
    assert commands == ["make data", "make test"]


def test_version_agrees_across_package_citation_and_changelog():
    package = yaml.safe_load((ROOT / "config" / "package.yaml").read_text(encoding="utf-8"))
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    latest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})", changelog, re.M)
    assert latest, "CHANGELOG.md has no released version"
    assert package["version"] == citation["version"] == latest.group(1)
    assert package["created"].startswith(latest.group(2)) and str(citation["date-released"]) == latest.group(2)
    assert f"version {package['version']}" in (ROOT / "README.md").read_text(encoding="utf-8")
