"""Strict annotation input (issue 13): duplicate keys, aliases, oversized files, impossible dates,
non-finite numbers and control bytes in raw files are refused with the file, the line and the field.

Each test writes the fixture corpus of tests/conftest.py into tmp_path and breaks one of its
annotation files as text (the way a curator's editor would), then builds it.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from conftest import FIXTURE_ARTICLE, write_fixture_corpus
from scripts.draft import draft_article
from scripts.errors import BuildError
from scripts.normalise import load_site_profiles, normalise_file
from scripts.strict_yaml import MAX_YAML_BYTES, read_yaml, read_yaml_entries
from scripts.tables import build_rows


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    return write_fixture_corpus(tmp_path, articles=2)


def rewrite(corpus: dict[str, Path], old: str, new: str, count: int = 1) -> Path:
    """Replace ``old`` by ``new`` in the annotation file of fixture article 1; returns its path."""
    path = corpus["sources_dir"] / "fixture-article-1.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def line_of(path: Path, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` line of ``path`` that contains ``needle``."""
    lines = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line]
    return lines[nth - 1]


def problems_of(corpus: dict[str, Path]) -> list[str]:
    with pytest.raises(BuildError) as raised:
        build_rows(**corpus)
    return raised.value.problems


def test_a_second_speaker_key_is_refused_not_last_one_wins(corpus: dict[str, Path]):
    path = rewrite(corpus, "  speaker: zabihullah-mujahid\n",
                   "  speaker: zabihullah-mujahid\n  speaker: foreign-office\n")
    line = line_of(path, "speaker: foreign-office")
    assert problems_of(corpus) == [
        f"{path}: line {line}: quotes[1]: key 'speaker' appears twice in one mapping (first on line {line - 1}); "
        "YAML would keep only the last"]


def test_a_second_top_level_quotes_key_is_refused(corpus: dict[str, Path]):
    path = corpus["sources_dir"] / "fixture-article-1.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "quotes: []\n", encoding="utf-8")
    line = line_of(path, "quotes: []")
    assert problems_of(corpus) == [
        f"{path}: line {line}: key 'quotes' appears twice in one mapping (first on line {line_of(path, 'quotes:')}); "
        "YAML would keep only the last"]


def test_duplicate_keys_of_the_registry_are_refused(corpus: dict[str, Path]):
    registry = corpus["registry_path"]
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("  description: The state.\n",
                                     "  description: The state.\n  description: A second description.\n", 1),
                        encoding="utf-8")
    assert problems_of(corpus) == [
        f"{registry}: line {line_of(registry, 'A second description')}: entities[1]: key 'description' appears twice "
        f"in one mapping (first on line {line_of(registry, 'description: The state.')}); YAML would keep only the last"]


STREAMED_CASES = {
    "entries": "version: 1\nentities:\n  - id: a\n    name: A\n  - {id: b, name: B}\n",
    "a key twice in an entry": "entities:\n  - id: a\n    id: b\n  - id: c\n",
    "an alias of an earlier entry": "entities:\n  - &x {id: a}\n  - id: b\n    aliases: *x\n",
    "an alias inside an entry": "entities:\n  - id: a\n    n: &y [1]\n    m: *y\n",
    "an impossible date": "entities:\n  - id: a\n    d: 2022-02-30\n",
    "no list": "entities: 3\n",
    "no mapping": "- a\n- b\n",
    "no document": "# nothing yet\n",
}


@pytest.mark.parametrize("text", STREAMED_CASES.values(), ids=STREAMED_CASES.keys())
def test_the_registry_read_entry_by_entry_gives_the_document_and_problems_of_a_whole_read(tmp_path: Path, text: str):
    path = tmp_path / "entities.yaml"
    path.write_text(text, encoding="utf-8")
    whole, whole_problems = read_yaml(path)
    entries: list = []
    streamed, problems = read_yaml_entries(path, "entities", entries.append)
    assert problems == whole_problems
    if isinstance(whole, dict) and isinstance(whole.get("entities"), list):
        assert entries == whole["entities"] and streamed == {**whole, "entities": []}
    else:
        assert (streamed, entries) == (whole, [])


def test_the_registry_read_entry_by_entry_refuses_what_a_whole_read_refuses(tmp_path: Path):
    path = tmp_path / "entities.yaml"
    for text in ("entities:\n  - id: [\n", "entities: []\n---\nx: 1\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(BuildError) as whole:
            read_yaml(path)
        with pytest.raises(BuildError) as streamed:
            read_yaml_entries(path, "entities", lambda entry: None)
        assert streamed.value.problems == whole.value.problems


def test_the_registry_is_handed_over_one_entry_at_a_time(tmp_path: Path):
    # the entries before a syntax error near the end are handed over before it is met: the file is not
    # composed whole first
    path = tmp_path / "entities.yaml"
    path.write_text("entities:\n" + "".join(f"  - id: e{n}\n    name: E{n}\n" for n in range(3)) + "  - id: [\n",
                    encoding="utf-8")
    seen: list = []
    with pytest.raises(BuildError, match="line 9 not valid YAML"):
        read_yaml_entries(path, "entities", lambda entry: seen.append(entry["id"]))
    assert seen == ["e0", "e1", "e2"]


def test_an_alias_bomb_fails_at_once_in_little_memory(corpus: dict[str, Path]):
    # nine levels of nine aliases: 9**9 (387 million) strings once expanded
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    path = corpus["sources_dir"] / "fixture-article-1.yaml"
    text = path.read_text(encoding="utf-8").replace("notes: null\n", "notes:\n" + "".join(
        f"  {level}\n" for level in levels))
    path.write_text(text, encoding="utf-8")
    started = time.monotonic()
    problems = problems_of(corpus)
    assert time.monotonic() - started < 30  # not a benchmark: an expanded bomb would not finish at all
    aliases = [p for p in problems if "an alias (*name) repeats an anchored value" in p]
    assert aliases[0] == (f"{path}: line {line_of(path, 'a1: &a1')}: notes.a1[1]: an alias (*name) repeats an "
                          "anchored value; aliases are not allowed: write the value out")
    assert f"{path}: 52 more problems like these (alias)" in problems


def test_a_merge_key_is_refused(corpus: dict[str, Path]):
    path = rewrite(corpus, "review:\n", "shared: &shared {status: reviewed}\nreview:\n  <<: *shared\n")
    problems = problems_of(corpus)
    assert f"{path}: line {line_of(path, '<<: *shared')}: review: a merge key (<<) copies another mapping; write its keys out" \
        in problems


def test_an_oversized_annotation_file_is_refused_before_it_is_parsed(corpus: dict[str, Path]):
    path = corpus["sources_dir"] / "fixture-article-1.yaml"
    with path.open("r+b") as handle:  # a sparse file: no disk space, but MAX_YAML_BYTES + 1 bytes long
        handle.truncate(MAX_YAML_BYTES + 1)
    assert problems_of(corpus) == [
        f"{path}: larger than {MAX_YAML_BYTES // 2**20} MiB, the limit of a YAML file (docs/annotation-format.md); "
        "split it or check that it is the right file"]


def test_an_impossible_published_date_names_file_line_and_field(corpus: dict[str, Path]):
    path = rewrite(corpus, "published_date: '2025-01-10'", "published_date: 2022-02-30")
    assert problems_of(corpus) == [  # and no follow-on problem of the value refused: the file stops at its YAML
        f"{path}: line {line_of(path, 'published_date')}: published_date: 2022-02-30 is not a date (day is out of "
        "range for month); write an existing date (YYYY-MM-DD)"]


def test_an_impossible_period_names_the_statistic(corpus: dict[str, Path]):
    path = rewrite(corpus, "  measure: families who left\n", "  measure: families who left\n  period: 2024-13-01\n")
    assert problems_of(corpus) == [
        f"{path}: line {line_of(path, 'period: 2024-13-01')}: statistics[3].period: 2024-13-01 is not a date "
        "(month must be in 1..12); write an existing date (YYYY-MM-DD)"]


@pytest.mark.parametrize("written", [".nan", ".NaN", ".inf", "-.inf", "1.0e+999"])
def test_a_non_finite_number_names_the_entry_not_the_staging_folder(corpus: dict[str, Path], written: str):
    path = rewrite(corpus, "  value: 5000\n", f"  value: {written}\n")
    assert problems_of(corpus) == [
        f"{path}: line {line_of(path, f'value: {written}')}: statistics[4].value: {written} is not a finite number; "
        "write a number, or null when there is none"]


def test_every_problem_of_a_file_is_reported_in_one_run(corpus: dict[str, Path]):
    path = rewrite(corpus, "published_date: '2025-01-10'", "published_date: 2022-02-30")
    rewrite(corpus, "  value: 5000\n", "  value: .nan\n")
    rewrite(corpus, "  speaker: zabihullah-mujahid\n", "  speaker: zabihullah-mujahid\n  speaker: foreign-office\n")
    rewrite(corpus, "  unit: km\n", "  units: km\n")
    problems = problems_of(corpus)
    expected = ("published_date: 2022-02-30 is not a date", "statistics[4].value: .nan is not a finite number",
                "quotes[1]: key 'speaker' appears twice", "statistics[2]: unknown field(s) units")
    assert len(problems) == len(expected)
    for part in expected:
        assert any(problem.startswith(f"{path}: ") and part in problem for problem in problems), part


def test_config_files_are_read_strictly_too(tmp_path: Path):
    sites = tmp_path / "sites.yaml"
    sites.write_text("sites:\n  plain:\n    title: none\n    title: heading\n", encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        load_site_profiles(sites)
    assert str(raised.value) == (f"{sites}: line 4: sites.plain: key 'title' appears twice in one mapping (first on "
                                 "line 3); YAML would keep only the last")


# --- Raw files: the drafter tests the whole file, as the build does ----------------------------------

def _article_with(byte: bytes, at: int, folder: Path) -> Path:
    text = FIXTURE_ARTICLE.format(ordinal="first").encode("utf-8")
    text = text * (at // len(text) + 2)
    path = folder / "article.txt"
    path.write_bytes(text[:at] + byte + text[at + 1:])
    return path


def test_the_drafter_refuses_a_nul_at_byte_3000(tmp_path: Path):
    path = _article_with(b"\x00", 3000, tmp_path)
    profiles = load_site_profiles()
    with pytest.raises(BuildError) as raised:
        draft_article(str(path), {}, profiles, site="plain")
    assert str(raised.value) == f"{path}: a binary file (NUL byte at 3000), not an article"
    with pytest.raises(BuildError) as built:  # the build's own test of a raw file says the same
        normalise_file(path, profiles["plain"])
    assert str(built.value) == str(raised.value)


@pytest.mark.parametrize("byte", [b"\x01", b"\x1b", b"\x1e", b"\x7f"])
def test_other_control_bytes_are_refused_anywhere_by_drafter_and_build(tmp_path: Path, byte: bytes):
    path = _article_with(byte, 3000, tmp_path)
    profiles = load_site_profiles()
    message = (f"{path}: control byte 0x{byte[0]:02x} at byte 3000, which no article text holds (only tab, line "
               "feed, carriage return and form feed are allowed)")
    with pytest.raises(BuildError, match="control byte") as raised:
        draft_article(str(path), {}, profiles, site="plain")
    assert str(raised.value) == message
    with pytest.raises(BuildError, match="control byte") as built:
        normalise_file(path, profiles["plain"])
    assert str(built.value) == message


# --- Formula-like cells ---------------------------------------------------------------------------------

FORMULA_HINT = ("a spreadsheet would run it as a formula; reword it unless the article has these exact words "
                "(docs/annotation-guidelines.md, formula-like cells)")


@pytest.mark.parametrize(("old", "new", "entry", "field", "value"), [
    ("  measure: soldiers killed\n", "  measure: =HYPERLINK(\"http://x\")\n", "statistics[1] ('12')", "measure",
     '=HYPERLINK("http://x")'),
    ("  cue: said\n", "  cue: '@said'\n", "quotes[1] ('We will not allow our soil to be used against any ')",
     "cue", "@said"),
    ("  measure: families who left\n", "  measure: families who left\n  note: +2 per cent on last year\n",
     "statistics[3] ('more than 2,000')", "note", "+2 per cent on last year"),
    ("publisher: Fixture News\n", "publisher: -Fixture News\n", None, "publisher", "-Fixture News"),
    ("authors: []\n", "authors: [\"\\tcmd\"]\n", None, "authors", "\tcmd"),
])
def test_a_formula_like_free_text_value_is_refused(corpus: dict[str, Path], old: str, new: str, entry: str | None,
                                                   field: str, value: str):
    path = rewrite(corpus, old, new)
    where = f"{path}: {entry}" if entry else f"{path}"
    assert problems_of(corpus) == [f"{where}: field {field!r} is {value!r}, which starts with {value[0]!r}: "
                                   f"{FORMULA_HINT}"]


def test_a_formula_like_value_that_is_the_articles_own_words_is_kept(corpus: dict[str, Path]):
    # "-e-Taliban Pakistan" is a substring of the article ("Tehreek-e-Taliban Pakistan")
    rewrite(corpus, "  speaker_text: Zabihullah Mujahid\n", "  speaker_text: -e-Taliban Pakistan\n")
    rows = build_rows(**corpus)
    assert "-e-Taliban Pakistan" in {quote["speaker_text"] for quote in rows["quotes"]}


def test_a_formula_like_registry_value_is_refused(corpus: dict[str, Path]):
    registry = corpus["registry_path"]
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("description: The Pakistani Taliban.", "description: =1+1", 1), encoding="utf-8")
    assert problems_of(corpus) == [
        f"{registry}: entity 'ttp': field 'description' is '=1+1', which starts with '=': a spreadsheet would run it "
        "as a formula; reword it (docs/annotation-guidelines.md, formula-like cells)"]


def test_review_refuses_a_reviewer_name_that_starts_like_a_formula(corpus: dict[str, Path]):
    from scripts.review import review_source

    path = corpus["sources_dir"] / "fixture-article-1.yaml"
    written = path.read_bytes()
    with pytest.raises(BuildError) as raised:
        review_source("fixture-article-1", "@reviewer", "2026-01-02", registry_path=corpus["registry_path"],
                      sources_dir=corpus["sources_dir"], raw_dir=corpus["raw_dir"])
    assert str(raised.value) == ("--by: field 'by' is '@reviewer', which starts with '@': a spreadsheet would run it "
                                 "as a formula; reword it (docs/annotation-guidelines.md, formula-like cells)")
    assert path.read_bytes() == written
