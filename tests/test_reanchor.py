"""Annotations pinned to their bytes (issue 13): the build refuses a raw file edited after annotation,
and ``reanchor`` re-resolves the spans against the new bytes, reports what moved or vanished, and
records the new hash only when nothing is left to check (or with --force).

Each test writes the fixture corpus of tests/conftest.py into tmp_path, builds its package (the
rows made from the old bytes), then edits a raw file.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from conftest import build_fixture_package, fixture_article, write_fixture_corpus
from scripts.annotations import load_registry
from scripts.draft import annotation_yaml, draft_article
from scripts.errors import BuildError
from scripts.normalise import load_site_profiles
from scripts.reanchor import reanchor
from scripts.tables import build_rows

SOURCE = "fixture-article-1"
INSERTED = "Senior "  # an edit before every span of the article (outside them)


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    return write_fixture_corpus(tmp_path / "corpus", articles=2)


def package_of(corpus: dict[str, Path], tmp_path: Path) -> Path:
    return build_fixture_package(corpus, tmp_path / "package")


def edit_raw(corpus: dict[str, Path], old: str, new: str) -> tuple[Path, str]:
    """Replace ``old`` by ``new`` in the raw file of fixture article 1; returns it and its new hash."""
    path = corpus["raw_dir"] / "fixture-1.txt"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, hashlib.sha256(path.read_bytes()).hexdigest()


def annotation_of(corpus: dict[str, Path]) -> Path:
    return corpus["sources_dir"] / f"{SOURCE}.yaml"


def run_reanchor(corpus: dict[str, Path], package: Path | None, force: bool = False):
    return reanchor(SOURCE, force=force, package_dir=package or corpus["sources_dir"].parent / "no-package",
                    sources_dir=corpus["sources_dir"], raw_dir=corpus["raw_dir"],
                    registry_path=corpus["registry_path"])


def test_a_raw_file_edited_after_annotation_is_refused_naming_both_hashes(corpus: dict[str, Path]):
    old = hashlib.sha256(fixture_article(0).encode("utf-8")).hexdigest()
    _raw, new = edit_raw(corpus, "Pakistani officials", INSERTED + "Pakistani officials")
    with pytest.raises(BuildError) as raised:
        build_rows(**corpus)
    assert raised.value.problems == [
        f"{annotation_of(corpus)}: the raw file data/raw/fixture-1.txt has SHA-256 {new}, but the annotation was "
        f"made on {old} (field 'raw_sha256'): the raw file changed after annotation; `python -m scripts reanchor "
        f"{SOURCE}` re-resolves every span against the new bytes, reports the spans that moved or vanished and "
        "records the new hash (docs/annotation-format.md)"]


def test_an_annotation_without_raw_sha256_is_refused(corpus: dict[str, Path]):
    path = annotation_of(corpus)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["raw_sha256"]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        build_rows(**corpus)
    assert raised.value.problems == [
        f"{path}: field 'raw_sha256' is required: the SHA-256 of the raw file the annotation was made on; "
        f"`python -m scripts reanchor {SOURCE}` records it once every span resolves"]


def test_reanchor_reports_moved_spans_and_records_the_new_hash(corpus: dict[str, Path], tmp_path: Path):
    package = package_of(corpus, tmp_path)
    before = build_rows(**corpus)
    _raw, new = edit_raw(corpus, "Pakistani officials", INSERTED + "Pakistani officials")
    report = run_reanchor(corpus, package)
    assert report.blocking == []
    path = annotation_of(corpus)
    old_quote = next(q for q in before["quotes"] if q["source_id"] == SOURCE)
    start, end = old_quote["start"], old_quote["end"]
    assert (f"moved: {path}: quotes[1] ({old_quote['text'][:50]!r}): "
            f"{start}-{end} -> {start + len(INSERTED)}-{end + len(INSERTED)}") in report.lines
    assert sum(line.startswith("moved: ") for line in report.lines) == 7  # every quote and statistic
    assert report.lines[-1] == f"recorded raw_sha256 {new} in {path}"
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["raw_sha256"] == new
    after = build_rows(**corpus)  # the build accepts the new bytes, with the spans at their new offsets
    quote = next(q for q in after["quotes"] if q["quote_id"] == old_quote["quote_id"])
    assert (quote["start"], quote["end"]) == (start + len(INSERTED), end + len(INSERTED))


def test_a_vanished_span_is_reported_and_nothing_is_written(corpus: dict[str, Path], tmp_path: Path):
    package = package_of(corpus, tmp_path)
    edit_raw(corpus, "about 5,000", "some 5,000")
    path = annotation_of(corpus)
    written = path.read_bytes()
    with pytest.raises(BuildError) as raised:
        run_reanchor(corpus, package)
    problems = raised.value.problems
    assert f"vanished: {path}: statistics[4] ('about 5,000'): text 'about 5,000' not found in the normalised text" \
        in problems
    assert problems[-1].startswith(f"nothing written: {path} keeps raw_sha256 ")
    assert path.read_bytes() == written


def test_force_records_the_hash_and_the_build_then_names_the_span(corpus: dict[str, Path], tmp_path: Path):
    package = package_of(corpus, tmp_path)
    _raw, new = edit_raw(corpus, "about 5,000", "some 5,000")
    report = run_reanchor(corpus, package, force=True)
    assert report.lines[-1].endswith("(--force: the problems above remain)")
    assert yaml.safe_load(annotation_of(corpus).read_text(encoding="utf-8"))["raw_sha256"] == new
    with pytest.raises(BuildError) as raised:
        build_rows(**corpus)
    assert raised.value.problems == [f"{annotation_of(corpus)}: statistics[4] ('about 5,000'): text 'about 5,000' "
                                     "not found in the normalised text"]


def test_an_occurrence_that_may_now_name_another_span_blocks(corpus: dict[str, Path], tmp_path: Path):
    path = annotation_of(corpus)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["statistics"][0]["occurrence"] = 1  # "12", which the edit below repeats before it
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    package = package_of(corpus, tmp_path)
    edit_raw(corpus, "Pakistani officials said", "Pakistani officials said in 12 statements")
    written = path.read_bytes()
    with pytest.raises(BuildError) as raised:
        run_reanchor(corpus, package)
    assert (f"another occurrence?: {path}: statistics[1] ('12'): the text occurs 2 times now, 1 before; check its "
            "'occurrence'") in raised.value.problems
    assert path.read_bytes() == written


def test_without_the_old_rows_nothing_is_written_unless_forced(corpus: dict[str, Path]):
    edit_raw(corpus, "Pakistani officials", INSERTED + "Pakistani officials")
    with pytest.raises(BuildError, match="the old offsets are unknown"):
        run_reanchor(corpus, None)
    run_reanchor(corpus, None, force=True)
    build_rows(**corpus)


def test_the_drafter_pins_a_draft_to_the_bytes_it_read(corpus: dict[str, Path], tmp_path: Path):
    raw = tmp_path / "new.txt"
    raw.write_text(fixture_article(2), encoding="utf-8")
    article = draft_article(str(raw), load_registry(corpus["registry_path"]), load_site_profiles(), site="plain")
    document = yaml.safe_load(annotation_yaml(article))
    assert document["raw_sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
