"""``make data``: a failed build or check leaves the published outputs untouched.

Bad annotations are injected into the fixture corpus (tests/conftest.py), not into the
project's; the publishing tests rebuild the project's annotations, which any correct corpus passes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, write_fixture_corpus
from scripts.__main__ import main
from scripts.errors import BuildError
from scripts.build import build_and_publish
from scripts.schema import load_schema

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


@pytest.fixture
def fixture_copy(tmp_path: Path, fixture_package: Path) -> tuple[Path, dict[str, Path]]:
    """A target folder holding the published outputs of the fixture corpus, and that corpus's inputs."""
    (tmp_path / "data").mkdir()
    for relative in PUBLISHED:
        shutil.copy(fixture_package / relative, tmp_path / relative)
    return tmp_path, write_fixture_corpus(tmp_path / "corpus")


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file but build/, where a failed build leaves its validation report on purpose."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != "build"}


def test_bad_annotation_stops_the_release_and_keeps_outputs(fixture_copy: tuple[Path, dict[str, Path]]):
    target, corpus = fixture_copy
    source = next(corpus["sources_dir"].glob("*.yaml"))
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["quotes"] = [{"text": "words that are not in the article", "kind": "direct"}]
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = _snapshot(target)
    with pytest.raises(BuildError, match="not found in the normalised text"):
        build_and_publish(run_gx=False, target=target, **corpus)
    assert _snapshot(target) == before
    assert not list(target.glob(".build-*")), "the staging folder was not removed"


def test_every_bad_annotation_is_reported_in_one_run_and_outputs_kept(fixture_copy: tuple[Path, dict[str, Path]],
                                                                       capsys: pytest.CaptureFixture[str]):
    target, corpus = fixture_copy
    first, second = sorted(corpus["sources_dir"].glob("*.yaml"))[:2]
    data = yaml.safe_load(first.read_text(encoding="utf-8"))
    data["quotes"][0]["text"] = "words that are not in the article"
    data["statistics"][0]["unit"] = "furlongs"
    first.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    data = yaml.safe_load(second.read_text(encoding="utf-8"))
    data["quotes"][1]["speaker"] = "nobody-we-know"
    second.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    before = _snapshot(target)
    with pytest.raises(BuildError) as raised:
        build_and_publish(run_gx=False, target=target, **corpus)
    assert raised.value.problems == [
        f"{first}: quotes[1] ('words that are not in the article'): text 'words that are not in the article' "
        "not found in the normalised text",
        f"{first}: statistics[1] ('12'): field 'unit' is 'furlongs'; expected one of "
        + ", ".join(load_schema("statistics").enum("unit")),
        f"{second}: quotes[2] ('Afghanistan must act against the TTP'): field 'speaker' names entity "
        "'nobody-we-know', which is not in entities.yaml",
    ]
    assert str(raised.value).startswith("3 problems")
    assert _snapshot(target) == before


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
