"""Resolving annotations: spans by text and occurrence, derived mentions, clear errors on bad input.

Each test builds a small fixture corpus (registry, source file, raw article) in tmp_path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from scripts.annotations import Span, content_id, locate, match_names
from scripts.errors import BuildError
from scripts.tables import build_rows

RAW = "Pakistani Taliban hit Pakistan\n\nThe Pakistani Taliban (TTP) killed five soldiers, the Taliban said. “We will talk,” Khan said.\n"
TEXT = "Pakistani Taliban hit Pakistan\n\nThe Pakistani Taliban (TTP) killed five soldiers, the Taliban said. “We will talk,” Khan said."

REGISTRY = {"entities": [
    {"id": "pakistan", "name": "Pakistan", "type": "GPE", "aliases": [], "description": "Country."},
    {"id": "ttp", "name": "Tehreek-e-Taliban Pakistan", "type": "ORG", "aliases": ["TTP", "Pakistani Taliban"],
     "description": "Pakistani Taliban."},
    {"id": "afghan-taliban", "name": "Taliban", "type": "ORG", "aliases": [], "description": "Afghan Taliban."},
    {"id": "imran-khan", "name": "Imran Khan", "type": "PERSON", "aliases": [], "description": "Politician."},
]}


def source_file(**overrides) -> dict:
    source = {
        "source_id": "fixture-article", "raw_file": "fixture.txt", "site": "first-line-title",
        "title": "Pakistani Taliban hit Pakistan", "publisher": None, "original_publisher": None, "authors": [],
        "published_date": None, "date_precision": None, "date_basis": "unknown", "date_note": None,
        "language": "en", "url": None, "quality_flags": [], "notes": None,
        "review": {"status": "reviewed", "by": "A Reviewer", "date": "2026-01-02"},
        "quotes": [{"text": "We will talk", "kind": "direct", "speaker": "imran-khan", "speaker_text": "Khan",
                    "speaker_role": None, "cue": "said", "channel": None}],
        "statistics": [{"text": "five", "value": 5, "value_low": 5, "value_high": 5, "qualifier": "exact",
                        "unit": "count", "measure": "soldiers killed", "period": None, "reference_period": None,
                        "attributed_to": None}],
        "mentions": {"aliases": {"Khan": "imran-khan"}},
    }
    source.update(overrides)
    return source


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Write a fixture corpus; returns a function that builds its rows from a source dict."""
    import scripts.normalise as normalise

    sites = tmp_path / "sites.yaml"
    sites.write_text(yaml.safe_dump({"sites": {"first-line-title": {
        "name": "Fixture", "header": [], "footer": [], "title": "first_line", "footnote_markers": []}}}))
    monkeypatch.setattr(normalise, "SITES_PATH", sites)
    monkeypatch.setattr(normalise.load_site_profiles, "__defaults__", (sites,))
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "fixture.txt").write_text(RAW, encoding="utf-8")
    (tmp_path / "sources").mkdir()
    (tmp_path / "entities.yaml").write_text(yaml.safe_dump(REGISTRY, allow_unicode=True), encoding="utf-8")

    def build(source: dict, raw: str = RAW) -> dict:
        (tmp_path / "raw" / "fixture.txt").write_text(raw, encoding="utf-8")
        # the annotation is pinned to the bytes it is built with (unless a test pins it elsewhere)
        source = {"raw_sha256": hashlib.sha256(raw.encode("utf-8")).hexdigest(), **source}
        path = tmp_path / "sources" / f"{source['source_id']}.yaml"
        path.write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return build_rows(registry_path=tmp_path / "entities.yaml", sources_dir=tmp_path / "sources",
                          raw_dir=tmp_path / "raw")

    return build


def test_spans_are_computed_from_text(corpus):
    rows = corpus(source_file())
    text = rows["texts"][0]["text"]
    assert text == TEXT
    for table in ("quotes", "statistics", "mentions"):
        for row in rows[table]:
            assert text[row["start"]:row["end"]] == row["text"]
    assert rows["quotes"][0]["start"] == TEXT.index("We will talk")


def test_mentions_longest_match_first_and_whole_words(corpus):
    rows = corpus(source_file())
    found = [(r["text"], r["entity_id"]) for r in rows["mentions"]]
    assert found == [("Pakistani Taliban", "ttp"), ("Pakistan", "pakistan"), ("Pakistani Taliban", "ttp"),
                     ("TTP", "ttp"), ("Taliban", "afghan-taliban"), ("Khan", "imran-khan")]


def test_assign_and_exclude_curate_matched_mentions(corpus):
    rows = corpus(source_file(mentions={"assign": [{"text": "Taliban", "occurrence": 3, "entity": "ttp"}],
                                        "exclude": [{"text": "Pakistan", "occurrence": 2}]}))
    found = {(r["text"], r["start"]): (r["entity_id"], r["origin"]) for r in rows["mentions"]}
    assert found[("Taliban", TEXT.index("the Taliban said") + 4)] == ("ttp", "curated")
    assert ("Khan", TEXT.index("Khan")) not in found  # no source-local alias any more
    assert all(text != "Pakistan" or start != TEXT.index("Pakistan\n") for text, start in found)


def test_ids_are_content_derived_and_stable(corpus):
    first = corpus(source_file())
    # a new paragraph before the quote moves its offsets but not its id
    second = corpus(source_file(), raw=RAW.replace("\n\nThe", "\n\nA new first paragraph.\n\nThe"))
    assert second["quotes"][0]["start"] > first["quotes"][0]["start"]
    assert [r["quote_id"] for r in first["quotes"]] == [r["quote_id"] for r in second["quotes"]]
    assert [r["statistic_id"] for r in first["statistics"]] == [r["statistic_id"] for r in second["statistics"]]
    assert first["quotes"][0]["quote_id"] == content_id("q", "fixture-article", Span(0, 0, "We will talk", 1))


def test_locate_not_found_ambiguous_and_bad_occurrence():
    with pytest.raises(BuildError, match=r"quotes\[1\]: text 'nowhere' not found"):
        locate(TEXT, "nowhere", None, "quotes[1]")
    with pytest.raises(BuildError, match=r"'Pakistani Taliban' is ambiguous: it occurs 2 times"):
        locate(TEXT, "Pakistani Taliban", None, "x")
    with pytest.raises(BuildError, match=r"occurrence 3 of 'Pakistani Taliban' does not exist"):
        locate(TEXT, "Pakistani Taliban", 3, "x")
    assert locate(TEXT, "Pakistani Taliban", 2, "x").start == TEXT.index("The Pakistani") + 4


def test_acronyms_match_as_written_names_whatever_their_case():
    # a one-word name is no match of the same word in lower case (guidelines, "Entities and mentions")
    text = "KABUL – us and the US, kabul, Kabul; the foreign ministry"
    names = {"US": "united-states", "Kabul": "kabul", "Foreign Ministry": "foreign-ministry"}
    assert [text[s:e] for s, e, _ in match_names(text, names)] == ["KABUL", "US", "Kabul", "foreign ministry"]


@pytest.mark.parametrize(("change", "message"), [
    ({"quotes": [{"text": "We will not talk", "kind": "direct"}]},
     r"fixture-article\.yaml: quotes\[1\] \('We will not talk'\): text 'We will not talk' not found"),
    ({"quotes": [{"text": "We will talk", "kind": "shouted"}]},
     r"quotes\[1\] \('We will talk'\): field 'kind' is 'shouted'; expected one of direct, partial, indirect"),
    ({"quotes": [{"text": "We will talk", "kind": "direct", "speaker": "nobody"}]},
     r"field 'speaker' names entity 'nobody', which is not in entities\.yaml"),
    ({"statistics": [{"text": "five", "value": 5, "value_low": 4, "value_high": 5, "qualifier": "exact",
                      "unit": "count", "measure": "soldiers"}]},
     r"statistics\[1\] \('five'\): qualifier 'exact' needs value_low = value = value_high"),
    ({"statistics": [{"text": "five", "value": 5, "value_low": 5, "value_high": 5, "qualifier": "exact",
                      "unit": "count"}]},
     r"statistics\[1\] \('five'\): field 'measure' is required"),
    ({"title": "Another title"}, r"field 'title' is 'Another title' but the normalised text's title is"),
    ({"raw_file": "missing.txt"}, r"field 'raw_file' is 'missing.txt', which is not a file"),
    ({"published_date": "14 November"}, r"field 'published_date' is '14 November', not an ISO date"),
    ({"mentions": {"exclude": [{"text": "soldiers"}]}},
     r"mentions\.exclude\[1\]: no matched mention is exactly 'soldiers'"),
    ({"speaker": "x"}, r"fixture-article\.yaml: unknown field\(s\) speaker"),
])
def test_bad_annotation_is_a_clear_error(corpus, change, message):
    with pytest.raises(BuildError, match=message):
        corpus(source_file(**change))


def test_invalid_yaml_names_file_and_line(tmp_path: Path):
    from scripts.annotations import load_source_annotation

    path = tmp_path / "broken.yaml"
    path.write_text("source_id: broken\nquotes: [\n  - text: x\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"broken\.yaml: line \d+ not valid YAML"):
        load_source_annotation(path)


@pytest.mark.parametrize(("entities", "message"), [
    ([{"id": "a", "name": "Kabul", "type": "GPE", "description": "x"},
      {"id": "b", "name": "KABUL", "type": "GPE", "description": "y"}],
     r"entity 'b': name or alias 'KABUL' is also a name of 'a'"),
    ([{"id": "a", "name": "Kabul", "type": "GPE", "description": "x"},
      {"id": "a", "name": "Herat", "type": "GPE", "description": "y"}], r"entity 'a': duplicate id"),
    ([{"id": "a", "name": "Kabul", "type": "GPE"}], r"entity 1: field 'description' is required"),
    ([{"id": "a", "name": "Kabul", "type": "GPE", "description": "x", "wikidata": "Q5838"}],
     r"entity 1: unknown field\(s\) wikidata"),
])
def test_bad_registry_is_a_clear_error(tmp_path: Path, entities, message):
    from scripts.annotations import load_registry

    path = tmp_path / "entities.yaml"
    path.write_text(yaml.safe_dump({"entities": entities}), encoding="utf-8")
    with pytest.raises(BuildError, match=message):
        load_registry(path)


def test_entity_type_outside_the_schema_enum_is_refused(corpus, tmp_path: Path):
    registry = yaml.safe_load((tmp_path / "entities.yaml").read_text(encoding="utf-8"))
    registry["entities"][0]["type"] = "COUNTRY"
    (tmp_path / "entities.yaml").write_text(yaml.safe_dump(registry), encoding="utf-8")
    with pytest.raises(BuildError, match=r"entities\.yaml: entity 'pakistan': field 'type' is 'COUNTRY'; expected one of PERSON"):
        corpus(source_file())


def test_curated_metadata_must_agree_with_the_file(tmp_path: Path):
    from scripts.annotations import SourceAnnotation
    from scripts.normalise import load_site_profiles
    from scripts.sources import build_source

    # a copy from a site whose profile keeps the byline and the DD.MM.YYYY date line as metadata
    (tmp_path / "raw").mkdir()
    raw = ("Author: [Ann Writer](http://example.org/ann)\n12.01.2025\n\n# Talks at the border resume\n\n"
           "Officials of both states met again on Saturday to reopen the crossing.\n")
    (tmp_path / "raw" / "byline.md").write_text(raw, encoding="utf-8")
    source = {**source_file(), "raw_file": "byline.md", "raw_sha256": hashlib.sha256(raw.encode()).hexdigest(), "site": "afgazad", "title": "Talks at the border resume",
              "authors": ["Ann Writer"], "published_date": "2025-01-12", "date_precision": "day",
              "date_basis": "stated"}
    profiles = load_site_profiles()
    path, raw_dir = tmp_path / "fixture-article.yaml", tmp_path / "raw"
    assert build_source(SourceAnnotation(path, source), profiles, raw_dir).source_row["published_date"] == "2025-01-12"
    with pytest.raises(BuildError, match=r"field 'authors' lacks 'Ann Writer', the file's byline"):
        build_source(SourceAnnotation(path, {**source, "authors": ["A. Writer"]}), profiles, raw_dir)
    with pytest.raises(BuildError, match=r"field 'published_date' is '2025-12-01', but the file's date lines give 2025-01-12"):
        build_source(SourceAnnotation(path, {**source, "published_date": "2025-12-01"}), profiles, raw_dir)
    with pytest.raises(BuildError) as raised:  # both at once
        build_source(SourceAnnotation(path, {**source, "authors": [], "published_date": "2025-12-01"}), profiles,
                     raw_dir)
    assert len(raised.value.problems) == 2


@pytest.mark.parametrize(("raw", "message"), [
    (b"", r"fixture\.txt: the file is empty"),
    (b"  \n\n ", r"fixture\.txt: the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"fixture\.txt: a binary file \(NUL byte at 8\)"),
    (b"Title\n\n\xe9t\xe9 latin-1", r"fixture\.txt: not UTF-8 at byte 7"),
    (b"Pakistani Taliban hit Pakistan\n", r"fixture\.txt: nothing is left after removing the site furniture"),
])
def test_bad_raw_file_is_a_clear_error(corpus, tmp_path: Path, raw: bytes, message: str):
    corpus(source_file())  # a good corpus first, then the raw file goes bad
    (tmp_path / "raw" / "fixture.txt").write_bytes(raw)
    with pytest.raises(BuildError, match=message):
        build_rows(registry_path=tmp_path / "entities.yaml", sources_dir=tmp_path / "sources",
                   raw_dir=tmp_path / "raw")


def test_the_same_article_twice_is_refused(corpus, tmp_path: Path):
    # the same text, received twice with different trailing whitespace (so different raw bytes)
    (tmp_path / "raw" / "copy.txt").write_text(RAW + "\n\n", encoding="utf-8")
    twin = source_file(source_id="fixture-article-copy", raw_file="copy.txt",
                       raw_sha256=hashlib.sha256((RAW + "\n\n").encode("utf-8")).hexdigest())
    (tmp_path / "sources" / "fixture-article-copy.yaml").write_text(
        yaml.safe_dump(twin, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BuildError, match=r"fixture-article\.yaml: its text is identical to that of source 'fixture-article-copy'"):
        corpus(source_file())


def test_an_article_received_already_normalised_is_not_its_own_twin(corpus):
    rows = corpus(source_file(), raw=TEXT)  # raw bytes == normalised text
    assert rows["sources"][0]["raw_sha256"] == rows["sources"][0]["text_sha256"]
