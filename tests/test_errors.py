"""Clear errors, all at once: ``check`` and the build report every problem of a run.

Each test writes the fixture corpus of tests/conftest.py into tmp_path and breaks
it; every problem must be named (file, entry, field) in one BuildError, with a hint
when the text differs from the article's only in quote marks, whitespace or case.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import FIXTURE_REGISTRY, write_fixture_corpus
from scripts.__main__ import main
from scripts.annotations import SourceAnnotation, load_registry, locate, resolve_quotes
from scripts.errors import BuildError, Problems
from scripts.schema import load_schema
from scripts.tables import build_rows

TEXT = "Pakistan’s army said it killed  five militants near the Torkham crossing."


@pytest.mark.parametrize(("needle", "hint"), [
    ("Pakistan's army", "did you mean 'Pakistan’s army'? (it differs in quote marks)"),
    ("killed five militants", "did you mean 'killed  five militants'? (it differs in whitespace)"),
    ("the torkham crossing", "did you mean 'the Torkham crossing'? (it differs in case)"),
    ("pakistan's Army", "did you mean 'Pakistan’s army'? (it differs in quote marks and case)"),
    ("killed\nFive", "did you mean 'killed  five'? (it differs in whitespace and case)"),
])
def test_a_text_not_found_gets_a_hint_naming_the_near_match(needle: str, hint: str):
    with pytest.raises(BuildError) as raised:
        locate(TEXT, needle, None, "quotes[1]")
    assert str(raised.value) == f"quotes[1]: text {needle!r} not found in the normalised text; {hint}"


def test_no_hint_when_nothing_is_near():
    with pytest.raises(BuildError) as raised:
        locate(TEXT, "Kabul", None, "quotes[1]")
    assert str(raised.value) == "quotes[1]: text 'Kabul' not found in the normalised text"


# --- The fixture corpus, broken -------------------------------------------------------------------

@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    return write_fixture_corpus(tmp_path)


def edit(corpus: dict[str, Path], number: int, change: Any) -> Path:
    """Apply ``change`` to the annotation of fixture article ``number`` (1-based); returns its path."""
    path = corpus["sources_dir"] / f"fixture-article-{number}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def problems_of(corpus: dict[str, Path]) -> list[str]:
    with pytest.raises(BuildError) as raised:
        build_rows(**corpus)
    assert str(raised.value) == (raised.value.problems[0] if len(raised.value.problems) == 1 else
                                 f"{len(raised.value.problems)} problems found:\n"
                                 + "\n".join(f"  {p}" for p in raised.value.problems))
    return raised.value.problems


def test_every_problem_of_every_file_is_reported_in_one_run(corpus: dict[str, Path]):
    def first(data: dict) -> None:
        data["quotes"][0]["text"] = data["quotes"][0]["text"].replace("We will", "We wil")
        data["quotes"][1]["speaker"] = "Foreign Office"  # a name where the id belongs
        data["quotes"][1]["kind"] = "rumour"
        data["statistics"][1]["qualifier"] = "exact"  # a range's bounds
        data["statistics"][2]["units"] = "count"  # a misspelt key

    def second(data: dict) -> None:
        data["published_date"] = "2025-02-30"
        data["mentions"] = {"assign": [{"text": "Khyber pass", "entity": "khyber-pass"}]}

    one, two = edit(corpus, 1, first), edit(corpus, 2, second)
    quote = "We wil not allow our soil to be used against any country"
    assert problems_of(corpus) == [
        f"{one}: statistics[3]: unknown field(s) units; allowed: " + ", ".join(sorted(
            ["text", "occurrence", "value", "value_low", "value_high", "qualifier", "unit", "measure", "period",
             "reference_period", "attributed_to", "note"])),
        f"{one}: quotes[1] ({quote[:50]!r}): text {quote!r} not found in the normalised text",
        f"{one}: quotes[2] ('Afghanistan must act against the TTP'): field 'speaker' names entity 'Foreign Office', "
        "which is not in entities.yaml; did you mean 'foreign-office' (Foreign Office)?",
        f"{one}: statistics[2] ('between 30 and 40 kilometres'): qualifier 'exact' needs value_low = value = "
        "value_high (value=None, value_low=30, value_high=40)",
        f"{one}: quotes[2] ('Afghanistan must act against the TTP'): field 'kind' is 'rumour'; expected one of "
        + ", ".join(load_schema("quotes").enum("kind")),
        f"{two}: field 'published_date' is '2025-02-30', not an ISO date (YYYY-MM-DD)",
        f"{two}: 'published_date' and 'date_precision' must both be given or both be empty",
        f"{two}: mentions.assign[1]: text 'Khyber pass' not found in the normalised text; did you mean "
        "'Khyber Pass'? (it differs in case)",
    ]


def test_check_prints_every_problem_once_and_exits_1(corpus: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]):
    import scripts.tables as tables

    monkeypatch.setattr(tables.build_rows, "__defaults__",
                        (corpus["registry_path"], corpus["sources_dir"], corpus["raw_dir"]))
    one = edit(corpus, 1, lambda data: data["quotes"][0].update(text="words nobody said"))
    three = edit(corpus, 3, lambda data: data["statistics"][0].update(unit="furlongs"))
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    assert err.startswith("error: 2 problems found:\n")
    lines = err.splitlines()[1:]
    assert [line.split(": ")[0] for line in lines] == [f"  {one}", f"  {three}"]


def test_a_file_that_cannot_be_read_does_not_hide_the_others(corpus: dict[str, Path]):
    broken = corpus["sources_dir"] / "fixture-article-1.yaml"
    broken.write_text("source_id: [unclosed\n", encoding="utf-8")
    other = edit(corpus, 2, lambda data: data["quotes"][0].update(text="words nobody said"))
    problems = problems_of(corpus)
    assert len(problems) == 2
    assert problems[0].startswith(f"{broken}: line ") and "not valid YAML" in problems[0]
    assert problems[1].startswith(f"{other}: quotes[1] ('words nobody said'): text 'words nobody said' not found")


def test_registry_problems_are_reported_together(corpus: dict[str, Path]):
    entities = copy.deepcopy(FIXTURE_REGISTRY["entities"])
    entities[0]["type"] = None
    entities.append(copy.deepcopy(entities[1]))  # the same id twice (a copy: a shared list would dump as an alias)
    entities.append({"id": "islamabad-city", "name": "islamabad", "type": "GPE", "description": "A city."})
    corpus["registry_path"].write_text(yaml.safe_dump({"entities": entities}), encoding="utf-8")
    registry = corpus["registry_path"]
    assert problems_of(corpus) == [
        f"{registry}: entity 1: field 'type' is required",
        f"{registry}: entity 'afghanistan': duplicate id",
        f"{registry}: entity 'islamabad-city': name or alias 'islamabad' is also a name of 'pakistan'; decide per "
        "source with 'assign' instead",
    ]


def test_resolving_one_source_alone_raises_all_its_problems(corpus: dict[str, Path]):
    path = edit(corpus, 1, lambda data: [q.update(speaker="nobody") for q in data["quotes"]])
    source = SourceAnnotation(path, {"source_id": "fixture-article-1"},
                              quotes=yaml.safe_load(path.read_text(encoding="utf-8"))["quotes"])
    text = (corpus["raw_dir"] / "fixture-1.txt").read_text(encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        resolve_quotes(source, text, load_registry(corpus["registry_path"]))
    assert [p.split(": ", 2)[1] for p in raised.value.problems] == [
        f"quotes[{i}] ({quote['text'][:50]!r})" for i, quote in enumerate(source.quotes, start=1)]
    assert all(p.endswith("field 'speaker' names entity 'nobody', which is not in entities.yaml")
               for p in raised.value.problems)


def test_a_row_with_several_bad_fields_names_each():
    row = {"quote_id": "q-0123456789ab", "source_id": "s", "start": -1, "end": 2, "text": "x", "kind": "rumour"}
    with pytest.raises(BuildError) as raised:
        load_schema("quotes").check_row(row, "quotes[1]")
    assert raised.value.problems == ["quotes[1]: field 'start' is -1, below the minimum 0",
                                     "quotes[1]: field 'kind' is 'rumour'; expected one of "
                                     + ", ".join(load_schema("quotes").enum("kind"))]


def test_problems_collector_keeps_going_and_raises_once():
    problems = Problems()
    with problems.collect():
        raise BuildError("a.yaml: first")
    problems.add("b.yaml: second")
    with problems.collect():
        raise BuildError.of(["a.yaml: third", "c.yaml: fourth"])
    with pytest.raises(BuildError) as raised:
        problems.raise_if_any()
    assert raised.value.problems == ["a.yaml: first", "a.yaml: third", "b.yaml: second", "c.yaml: fourth"]
    Problems().raise_if_any()  # nothing found: nothing raised


# --- raw_file stays inside the raw folder; every raw file is annotated ------------------------------

@pytest.mark.parametrize("raw_file", ["../../../../etc/hostname", "/etc/hostname", "sub/../../outside.txt",
                                      "..\\outside.txt"])
def test_raw_file_must_name_a_file_inside_the_raw_folder(corpus: dict[str, Path], raw_file: str):
    (corpus["raw_dir"].parent / "outside.txt").write_text("An article outside the raw folder.\n", encoding="utf-8")
    path = edit(corpus, 1, lambda data: data.update(raw_file=raw_file))
    assert [p for p in problems_of(corpus) if p.startswith(str(path))] == [
        f"{path}: field 'raw_file' is {raw_file!r}, which is not inside {corpus['raw_dir']}: name a file there by "
        "its path relative to that folder (no absolute path, no '..')"]


def test_raw_file_must_not_be_a_link_leading_out_of_the_raw_folder(corpus: dict[str, Path]):
    outside = corpus["raw_dir"].parent / "outside.txt"
    outside.write_text((corpus["raw_dir"] / "fixture-1.txt").read_text(encoding="utf-8"), encoding="utf-8")
    os.symlink(outside, corpus["raw_dir"] / "link.txt")
    os.symlink("fixture-1.txt", corpus["raw_dir"] / "inside-link.txt")
    path = edit(corpus, 1, lambda data: data.update(raw_file="link.txt"))
    assert [p for p in problems_of(corpus) if p.startswith(str(path))] == [
        f"{path}: field 'raw_file' is 'link.txt', a link that leads out of {corpus['raw_dir']} (to {outside.resolve()})"]
    edit(corpus, 1, lambda data: data.update(raw_file="inside-link.txt"))  # a link inside the folder is a file there
    link = corpus["raw_dir"] / "link.txt"  # and the file it names is referenced; the link out of the folder is not
    assert problems_of(corpus) == [f"{link}: no annotation file names this raw file in 'raw_file', so it is not "
                                   f"in the dataset; draft its annotation with `python -m scripts add {link}`"]


def test_a_missing_raw_file_and_an_unknown_site_are_both_named(corpus: dict[str, Path]):
    path = edit(corpus, 1, lambda data: data.update(raw_file="missing.txt", site="nowhere"))
    problems = [p for p in problems_of(corpus) if p.startswith(str(path))]
    assert problems[0].startswith(f"{path}: field 'site' is 'nowhere'; expected one of ")
    assert problems[1] == f"{path}: field 'raw_file' is 'missing.txt', which is not a file in {corpus['raw_dir']}"


def test_raw_files_no_annotation_names_are_reported_with_the_add_command(corpus: dict[str, Path]):
    (corpus["raw_dir"] / "new-article.txt").write_text("An article nobody annotated yet.\n", encoding="utf-8")
    (corpus["raw_dir"] / ".DS_Store").write_bytes(b"\x00")  # hidden files are not articles
    new = corpus["raw_dir"] / "new-article.txt"
    assert problems_of(corpus) == [
        f"{new}: no annotation file names this raw file in 'raw_file', so it is not in the dataset; draft its "
        f"annotation with `python -m scripts add {new}`"]
