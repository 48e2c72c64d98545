"""``make data``: a failed build or check leaves the published outputs untouched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from scripts.__main__ import main
from scripts.errors import BuildError
from scripts.build import build_and_publish

PUBLISHED = ["datapackage.json", "data/sources.csv", "data/quotes.parquet"]


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A target folder holding a copy of the published outputs and of the annotations."""
    shutil.copytree(ROOT / "annotations", tmp_path / "annotations")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    (tmp_path / "data").mkdir()
    for relative in PUBLISHED:
        shutil.copy(ROOT / relative, tmp_path / relative)
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file but build/, where a failed build leaves its validation report on purpose."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != "build"}


def test_bad_annotation_stops_the_release_and_keeps_outputs(project_copy: Path):
    source = next((project_copy / "annotations" / "sources").glob("*.yaml"))
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["quotes"] = [{"text": "words that are not in the article", "kind": "direct"}]
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = _snapshot(project_copy)
    with pytest.raises(BuildError, match="not found in the normalised text"):
        build_and_publish(run_gx=False, target=project_copy, sources_dir=project_copy / "annotations" / "sources",
                registry_path=project_copy / "annotations" / "entities.yaml")
    assert _snapshot(project_copy) == before
    assert not list(project_copy.glob(".build-*")), "the staging folder was not removed"


def test_failed_validation_leaves_a_report(project_copy: Path, monkeypatch: pytest.MonkeyPatch):
    import json

    import scripts.validate as validate

    monkeypatch.setattr(validate, "check_files", lambda d: ["data/quotes.csv: SHA-256 differs"])
    with pytest.raises(BuildError):
        build_and_publish(run_gx=False, target=project_copy)
    report = json.loads((project_copy / "build" / "validation" / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "failed"


def test_failed_validation_keeps_outputs(project_copy: Path, monkeypatch: pytest.MonkeyPatch):
    import scripts.validate as validate

    # a check that finds a failure, as a corrupted table would
    monkeypatch.setattr(validate, "check_files", lambda d: ["data/quotes.csv: SHA-256 differs"])
    before = _snapshot(project_copy)
    with pytest.raises(BuildError, match="validation of .* failed:\n  data/quotes.csv: SHA-256 differs"):
        build_and_publish(run_gx=False, target=project_copy)
    assert _snapshot(project_copy) == before


def test_successful_release_publishes(project_copy: Path):
    for relative in PUBLISHED:
        (project_copy / relative).write_bytes(b"stale")
    build_and_publish(run_gx=False, target=project_copy)
    for relative in PUBLISHED:
        assert (project_copy / relative).read_bytes() == (ROOT / relative).read_bytes()


def test_cli_prints_one_message_without_traceback(capsys: pytest.CaptureFixture[str]):
    assert main(["mentions", "no-such-source"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no-such-source.yaml: no annotation file" in err
    assert "Traceback" not in err
