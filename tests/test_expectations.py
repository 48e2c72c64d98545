"""Tests of scripts/expectations.py: committed suites, their generator, what they catch, Data Docs offline.

Great Expectations runs twice in this module (it is slow to start): once on the
package built from the annotations, which must pass and yields the Data Docs,
and once on a copy of the fixture corpus's package (tests/conftest.py, not the
project's articles) broken in one way per expectation family, whose messages
the parametrised tests below read one by one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scripts import expectations
from scripts.errors import BuildError
from scripts.expectations import (GLOBAL, PER_BATCH, RULES_PATH, SUITES_DIR, WHOLE, AssetRows, BatchSlice,
                                  expectations_command,
                                  failure_messages, generate_suites, load_assets, load_suite, load_suite_documents,
                                  package_parameters, run_suites, schema_specs, stale_suites, table_files,
                                  validate_suites)
from scripts.schema import TABLES, TableSchema, load_schemas

Frames = dict[str, pd.DataFrame]


# --- The committed suites and their generator ------------------------------

def test_committed_suites_are_up_to_date() -> None:
    assert stale_suites(generate_suites()) == [], "run `python -m scripts expectations`"


def test_check_fails_naming_a_stale_changed_or_extra_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    suites = tmp_path / "expectations"
    shutil.copytree(SUITES_DIR, suites)
    quotes = suites / "quotes.json"
    stale = quotes.read_text(encoding="utf-8").replace('"min_value": 0.5', '"min_value": 0.4')
    assert stale != quotes.read_text(encoding="utf-8")
    quotes.write_text(stale, encoding="utf-8")
    (suites / "retired.json").write_text("{}", encoding="utf-8")
    monkeypatch.setattr(expectations, "SUITES_DIR", suites)
    monkeypatch.setattr(expectations, "ROOT", tmp_path)
    with pytest.raises(BuildError, match=r"stale suite file\(s\) quotes\.json, retired\.json \(no longer generated\)"):
        expectations_command(argparse.Namespace(check=True))
    expectations_command(argparse.Namespace(check=False))
    assert stale_suites(generate_suites(), suites) == []
    assert not (suites / "retired.json").exists()


def test_every_table_has_a_suite_and_every_expectation_says_why() -> None:
    documents = load_suite_documents()
    assert list(documents)[:len(TABLES)] == list(TABLES)
    assert "quotes_with_speaker_type" in documents
    for name, document in documents.items():
        assert document["name"] == name
        assert all(entry["meta"]["why"].strip() for entry in document["expectations"]), name


def test_suites_load_from_json_with_the_reasons_as_notes() -> None:
    import great_expectations as gx

    document = load_suite_documents()["statistics"]
    suite = load_suite(gx, document, "statistics.json")
    assert len(suite.expectations) == len(document["expectations"])
    assert [e.notes for e in suite.expectations] == [e["meta"]["why"] for e in document["expectations"]]
    conditioned = [e for e in suite.expectations if getattr(e, "row_condition", None) is not None]
    assert conditioned, "the qualifier rules carry row conditions"


def test_a_suite_entry_gx_cannot_build_is_named(tmp_path: Path) -> None:
    import great_expectations as gx

    document = load_suite_documents()["texts"]
    document["expectations"][0]["type"] = "expect_column_values_to_be_lovely"
    with pytest.raises(BuildError, match=r"texts\.json: expectations\[0\] \(expect_column_values_to_be_lovely\)"):
        load_suite(gx, document, "texts.json")


def test_schema_constraints_become_expectations() -> None:
    schema = load_schemas()["statistics"]
    specs = {(s.expectation, str(s.kwargs.get("column", s.kwargs.get("column_list")))) for s in schema_specs(schema)}
    assert ("ExpectTableColumnsToMatchOrderedList", str(schema.columns)) in specs
    assert ("ExpectColumnValuesToNotBeNull", "measure") in specs
    assert ("ExpectColumnValuesToBeInSet", "unit") in specs
    assert ("ExpectColumnValuesToMatchRegex", "statistic_id") in specs
    assert ("ExpectColumnValuesToBeBetween", "start") in specs
    assert ("ExpectColumnValuesToBeUnique", "statistic_id") in specs


def test_compound_primary_key_is_unique_as_a_whole() -> None:
    descriptor = {"fields": [{"name": "a", "type": "string"}, {"name": "b", "type": "integer"}],
                  "primaryKey": ["a", "b"]}
    specs = schema_specs(TableSchema(name="pairs", descriptor=descriptor))
    assert ("ExpectCompoundColumnsToBeUnique", {"column_list": ["a", "b"]}) in [(s.expectation, s.kwargs) for s in specs]


@pytest.mark.parametrize(("old", "new", "error"), [
    ("column_A: value_high", "column_A: value_top", "statistics has no column value_top"),
    ("where: {qualifier: [range]}", "where: {qualifer: [range]}", "statistics has no column qualifer"),
    ("columns: {type: speaker_type}", "columns: {kind: speaker_type}", "unknown join column.s. kind"),
    ("kwargs: {min_value: 1}", "kwargs: {min_value: 1}\n      wehre: x", "a rule has the keys"),
])
def test_rules_file_mistakes_are_named(tmp_path: Path, old: str, new: str, error: str) -> None:
    text = RULES_PATH.read_text(encoding="utf-8")
    assert old in text
    bad = tmp_path / "expectations.yaml"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(BuildError, match=error):
        load_assets(bad)


def test_the_date_bound_is_the_package_created_date_not_the_clock(tmp_path: Path) -> None:
    (tmp_path / "datapackage.json").write_text(json.dumps({"created": "2025-03-04T10:00:00Z"}), encoding="utf-8")
    assert package_parameters(tmp_path) == {"package_created": "2025-03-04"}
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "x"}), encoding="utf-8")
    with pytest.raises(BuildError, match="datapackage.json: needs 'created'"):
        package_parameters(tmp_path)


def test_import_does_not_load_great_expectations() -> None:
    code = "import sys, scripts.expectations; sys.exit('great_expectations' in sys.modules)"
    root = Path(__file__).resolve().parent.parent
    assert subprocess.run([sys.executable, "-c", code], cwd=root).returncode == 0


# --- The built package passes, with Data Docs that render offline ---------

@pytest.fixture(scope="module")
def docs_run(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], Path, list[Path]]:
    """Messages, docs folder and any temp files GX left, for the package built from the annotations."""
    scratch = tmp_path_factory.mktemp("scratch")
    docs = tmp_path_factory.mktemp("docs")
    # Any temp folder GX made would land in scratch instead of the shared /tmp.
    saved, tempfile.tempdir = tempfile.tempdir, str(scratch)
    try:
        messages = run_suites(built_package / "data", docs_dir=docs)
    finally:
        tempfile.tempdir = saved
    return messages, docs, list(scratch.iterdir())


def test_tables_built_from_the_annotations_pass_and_gx_writes_nothing_else(docs_run: Any) -> None:
    messages, docs, leftovers = docs_run
    assert messages == []
    assert (docs / "index.html").is_file()
    assert leftovers == []


EXTERNAL = re.compile(r"<(?:link|script|img)\b[^>]*\b(?:href|src)\s*=\s*[\"']?(?:https?:)?//", re.IGNORECASE)


def test_data_docs_load_no_stylesheet_script_or_image_from_the_network(docs_run: Any) -> None:
    _messages, docs, _leftovers = docs_run
    pages = sorted(docs.rglob("*.html"))
    assert len(pages) >= 2 * (len(TABLES) + 1) + 1  # a suite page and a result page per asset, and the index
    stylesheet = expectations.DOCS_STYLESHEET.read_text(encoding="utf-8")
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not EXTERNAL.search(text), page
        assert not expectations.CSS_REMOTE_URL.search(text), page  # no background from the web either
        assert "<script" not in text, page
        assert stylesheet in text, page
    for sheet in sorted(docs.rglob("*.css")):
        assert not expectations.CSS_REMOTE_URL.search(sheet.read_text(encoding="utf-8")), sheet


def test_data_docs_index_lists_every_suite_as_static_links(docs_run: Any) -> None:
    _messages, docs, _leftovers = docs_run
    index = (docs / "index.html").read_text(encoding="utf-8")
    for name in load_suite_documents():
        assert f'<a href="expectations/{name}.html">' in index
        assert (docs / "expectations" / f"{name}.html").is_file()
    assert index.count('<a href="validations/') == len(load_suite_documents())


# --- A broken copy: each family of expectation names its fault -------------

def _read(data_dir: Path) -> Frames:
    return {name: pd.read_parquet(data_dir / f"{name}.parquet") for name in TABLES}


def _write(frames: Frames, package_dir: Path) -> Path:
    data = package_dir / "data"
    data.mkdir(parents=True)
    for name, schema in load_schemas().items():
        table = pa.Table.from_pandas(frames[name], schema=schema.arrow_schema(), preserve_index=False)
        pq.write_table(table, data / f"{name}.parquet")
    return data


def _entity_of_type(frames: Frames, kind: str) -> str:
    entities = frames["entities"]
    return str(entities.loc[entities["type"] == kind, "entity_id"].iloc[0])


def _statistic(frames: Frames, qualifier: str, index: int = 0) -> int:
    statistics = frames["statistics"]
    return int(statistics.index[statistics["qualifier"] == qualifier][index])


def speaker_is_a_place(frames: Frames, created: dt.date) -> tuple[str, ...]:
    frames["quotes"].loc[0, "speaker_entity_id"] = _entity_of_type(frames, "LOC")
    return ("quotes_with_speaker_type:", "expect_column_values_to_be_in_set on column speaker_type", "'LOC'",
            frames["quotes"].loc[0, "quote_id"])


def speaker_is_not_in_the_registry(frames: Frames, created: dt.date) -> tuple[str, ...]:
    frames["quotes"].loc[1, "speaker_entity_id"] = "nobody-we-know"
    return ("quotes_with_speaker_type:", "expect_column_values_to_not_be_null on column speaker_type "
            "where speaker_entity_id is not null", frames["quotes"].loc[1, "quote_id"])


def most_quotes_lose_their_speaker(frames: Frames, created: dt.date) -> tuple[str, ...]:
    quotes = frames["quotes"]
    quotes.loc[2:, "speaker_entity_id"] = None  # rows 0 and 1 keep the speakers broken above
    return ("quotes: expect_column_proportion_of_non_null_values_to_be_between on column speaker_entity_id",
            f"observed {2 / len(quotes)!r}")


def dates_outside_the_corpus(frames: Frames, created: dt.date) -> tuple[str, ...]:
    sources = frames["sources"]
    sources.loc[0, "published_date"] = created + dt.timedelta(days=1)
    sources.loc[1, "published_date"] = dt.date(1999, 5, 1)
    return ("sources: expect_column_values_to_be_between on column published_date", "2 of",
            f"'{(created + dt.timedelta(days=1)).isoformat()}'", "'1999-05-01'", sources.loc[0, "source_id"])


def date_filled_in_although_unknown(frames: Frames, created: dt.date) -> tuple[str, ...]:
    sources = frames["sources"]
    sources.loc[2, "date_basis"] = "unknown"
    return ("sources: expect_column_values_to_be_null on column published_date where date_basis in unknown",
            sources.loc[2, "source_id"])


def articles_shrink(frames: Frames, created: dt.date) -> tuple[str, ...]:
    frames["sources"]["n_words"] = 1
    return ("sources: expect_column_mean_to_be_between on column n_words", "observed 1.0")


def exact_number_with_another_lower_bound(frames: Frames, created: dt.date) -> tuple[str, ...]:
    statistics = frames["statistics"]
    row = _statistic(frames, "exact")
    statistics.loc[row, "value_low"] = statistics.loc[row, "value"] - 1
    return ("statistics: expect_column_pair_values_to_be_equal on columns value_low, value "
            "where qualifier in exact, more_than, at_least", statistics.loc[row, "statistic_id"])


def range_with_a_single_value(frames: Frames, created: dt.date) -> tuple[str, ...]:
    statistics = frames["statistics"]
    row = _statistic(frames, "range")
    statistics.loc[row, "value"] = statistics.loc[row, "value_low"] + 1
    return ("statistics: expect_column_values_to_be_null on column value where qualifier in range",
            statistics.loc[row, "statistic_id"])


def more_than_with_an_upper_bound(frames: Frames, created: dt.date) -> tuple[str, ...]:
    statistics = frames["statistics"]
    row = _statistic(frames, "more_than")
    statistics.loc[row, "value_high"] = statistics.loc[row, "value"] * 2
    return ("statistics: expect_column_values_to_be_null on column value_high "
            "where qualifier in approximately, more_than, at_least", statistics.loc[row, "statistic_id"])


def every_text_is_lost(frames: Frames, created: dt.date) -> tuple[str, ...]:
    frames["texts"] = frames["texts"].iloc[:0]
    return ("texts: expect_table_row_count_to_be_between on the table", "observed 0")


def an_unexpected_language(frames: Frames, created: dt.date) -> tuple[str, ...]:
    frames["sources"].loc[3, "language"] = "ps"
    return ("sources: expect_column_values_to_be_in_set on column language", "'ps'",
            frames["sources"].loc[3, "source_id"])


FAULTS: list[Callable[[Frames, dt.date], tuple[str, ...]]] = [
    speaker_is_a_place, speaker_is_not_in_the_registry, most_quotes_lose_their_speaker, dates_outside_the_corpus,
    date_filled_in_although_unknown, articles_shrink, exact_number_with_another_lower_bound,
    range_with_a_single_value, more_than_with_an_upper_bound, every_text_is_lost, an_unexpected_language,
]


@pytest.fixture(scope="module")
def broken_run(fixture_package: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, Any], Path]:
    """The messages of one run on the fixture corpus's package with every fault of FAULTS, what each must say,
    and the broken package's data folder."""
    package = tmp_path_factory.mktemp("broken")
    shutil.copy(fixture_package / "datapackage.json", package / "datapackage.json")
    created = dt.date.fromisoformat(package_parameters(package)["package_created"])
    frames = _read(fixture_package / "data")
    expected = {fault.__name__: tuple(map(str, fault(frames, created))) for fault in FAULTS}
    data = _write(frames, package)
    return run_suites(data), expected, data


@pytest.mark.parametrize("fault", [f.__name__ for f in FAULTS])
def test_each_fault_is_named_once(broken_run: Any, fault: str) -> None:
    messages, expected, _data = broken_run
    found = [m for m in messages if all(word in m for word in expected[fault])]
    assert len(found) == 1, f"expected one message with {expected[fault]}, got {messages}"
    assert "(why: " in found[0]


def test_no_fault_raises_a_false_alarm(broken_run: Any) -> None:
    messages, expected, _data = broken_run
    assert len(messages) == len(expected), "\n".join(messages)


# --- In batches: the same results as on whole tables ---------------------------

SMALL_BATCH = 600   # bytes: a few rows of the fixture tables per batch


def test_batches_of_a_few_rows_give_the_same_messages(broken_run: Any) -> None:
    messages, _expected, data = broken_run
    run = validate_suites(data, batch_bytes=SMALL_BATCH)
    assert run.failures == messages
    split = {ran.asset for ran in run.ran if ran.how == PER_BATCH and ran.batches > 1}
    assert split == set(load_suite_documents()) - {"texts"}, "every asset with rows spread over batches (texts lost)"


@pytest.mark.parametrize("group_rows", [64, 300, 1000])
def test_a_batch_read_on_its_own_is_the_batch_of_the_whole_file(tmp_path: Path, group_rows: int) -> None:
    # a task reads its batch alone (BatchSlice): it must be the batch a stream over the file yields, whether
    # row groups are smaller or larger than a batch
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"n": list(range(1000)), "s": [str(i) * (i % 7) or None for i in range(1000)]}), path,
                   row_group_size=group_rows)
    for rows in (1, 128, 333, 1000, 5000):
        streamed = [batch.to_pandas() for batch in pq.ParquetFile(path).iter_batches(batch_size=rows)]
        alone = [BatchSlice(path, start, min(rows, 1000 - start)).frame() for start in range(0, 1000, rows)]
        assert len(alone) == len(streamed) and all(a.equals(b) for a, b in zip(alone, streamed)), rows
    assert BatchSlice(path, 0, 0).frame().columns.tolist() == ["n", "s"]


def test_batches_run_on_two_workers_give_the_results_of_one_process(broken_run: Any) -> None:
    from scripts.build import executor

    messages, _expected, data = broken_run
    alone = validate_suites(data, batch_bytes=SMALL_BATCH)
    with executor(workers=2) as client:
        on_workers = validate_suites(data, batch_bytes=SMALL_BATCH, client=client)
        # each worker ran batches: it built its own GX context for them
        assert list(client.run(lambda: len(expectations._WORKER_CONTEXT)).values()) == [1, 1]
    assert on_workers == alone and on_workers.failures == messages
    assert sum(ran.batches for ran in alone.ran if ran.how == PER_BATCH) > 2 * len(load_suite_documents())


def _copy_package(fixture_package: Path, into: Path) -> tuple[Frames, Path]:
    shutil.copy(fixture_package / "datapackage.json", into / "datapackage.json")
    return _read(fixture_package / "data"), into


def _second_batch_row(data: Path, table: str) -> int:
    """A row of ``table`` in the second of its batches of SMALL_BATCH bytes."""
    rows = AssetRows(table, table, load_schemas()[table].columns, table_files(data)).batch_rows(SMALL_BATCH)
    assert 1 <= rows < len(pd.read_parquet(data / f"{table}.parquet")) // 2, "the table spans three batches or more"
    return rows + 1


def test_a_failing_row_in_the_second_batch_is_named(fixture_package: Path, tmp_path: Path) -> None:
    frames, package = _copy_package(fixture_package, tmp_path)
    row = _second_batch_row(fixture_package / "data", "mentions")
    mentions = frames["mentions"]
    mentions.loc[row, "entity_id"] = "Not An Id"
    mentions.loc[row + 2, "mention_id"] = mentions.loc[0, "mention_id"]   # a key of the first batch, again
    run = validate_suites(_write(frames, package), batch_bytes=SMALL_BATCH)
    pattern = [m for m in run.failures if "expect_column_values_to_match_regex on column entity_id" in m]
    assert len(pattern) == 1 and f"1 of {len(mentions)} rows unexpected" in pattern[0]
    assert "'Not An Id'" in pattern[0] and f"in rows {mentions.loc[row, 'mention_id']}" in pattern[0]
    unique = [m for m in run.failures if "expect_column_values_to_be_unique on column mention_id" in m]
    assert len(unique) == 1 and f"2 of {len(mentions)} rows unexpected" in unique[0], run.failures
    assert {r.how for r in run.ran if r.asset == "mentions" and r.expectation == "expect_column_values_to_be_unique"} \
        == {GLOBAL}
    assert all(r.batches >= 3 for r in run.ran if r.asset == "mentions" and r.how == PER_BATCH)


def test_mostly_is_judged_on_the_whole_table_not_on_each_batch(fixture_package: Path, tmp_path: Path) -> None:
    frames, package = _copy_package(fixture_package, tmp_path)
    mentions = frames["mentions"]
    first_batch = _second_batch_row(fixture_package / "data", "mentions") - 1
    allowed = int(len(mentions) * 0.2)   # the rule: at least 80% matched
    assert first_batch <= allowed
    mentions.loc[:first_batch - 1, "origin"] = "curated"   # the whole first batch, within the table's 20%
    data = _write(frames, package)
    assert not [m for m in run_suites(data, batch_bytes=SMALL_BATCH) if "on column origin" in m]
    mentions.loc[:allowed + 1, "origin"] = "curated"
    shutil.rmtree(data)
    failed = [m for m in run_suites(_write(frames, package), batch_bytes=SMALL_BATCH) if "on column origin" in m]
    assert len(failed) == 1 and f"{allowed + 2} of {len(mentions)} rows unexpected" in failed[0], failed


EXTRA_RULES = [  # added to the mentions suite: global ones, and one that can only run on whole columns
    {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["source_id", "entity_id"]}},
    {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "entity_id", "mostly": 0.1}},
    {"type": "expect_column_mean_to_be_between", "kwargs": {"column": "start", "max_value": 10}},
    {"type": "expect_column_distinct_values_to_contain_set",
     "kwargs": {"column": "origin", "value_set": ["matched", "absent"]}},
    {"type": "expect_table_row_count_to_be_between", "kwargs": {"max_value": 5}},
    {"type": "expect_column_values_to_be_increasing", "kwargs": {"column": "start"}},
]


def test_global_and_whole_column_expectations_agree_with_gx_on_the_whole_table(fixture_package: Path,
                                                                                tmp_path: Path) -> None:
    import great_expectations as gx

    suites = tmp_path / "suites"
    shutil.copytree(SUITES_DIR, suites)
    document = json.loads((suites / "mentions.json").read_text(encoding="utf-8"))
    document["expectations"] += [{**rule, "meta": {"why": "a test"}} for rule in EXTRA_RULES]
    (suites / "mentions.json").write_text(json.dumps(document), encoding="utf-8")
    frames, package = _copy_package(fixture_package, tmp_path)
    run = validate_suites(_write(frames, package), suites_dir=suites, batch_bytes=SMALL_BATCH)

    context = gx.get_context(mode="ephemeral")
    batch = context.data_sources.add_pandas("whole").add_dataframe_asset("m").add_batch_definition_whole_dataframe("m")
    suite = context.suites.add(load_suite(gx, document, "mentions.json"))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="m", data=batch, suite=suite))
    key = load_schemas()["mentions"].primary_key
    whole = definition.run(batch_parameters={"dataframe": pd.read_parquet(package / "data" / "mentions.parquet")},
                           expectation_parameters=package_parameters(package),
                           result_format={"result_format": "SUMMARY", "unexpected_index_column_names": key})
    expected = sorted(failure_messages("mentions", whole, key))
    assert sorted(m for m in run.failures if m.startswith("mentions:")) == expected
    assert len(expected) == len(EXTRA_RULES)   # each added rule fails on the fixture's mentions
    hows = {r.expectation: r.how for r in run.ran if r.asset == "mentions"}
    assert hows["expect_column_values_to_be_increasing"] == WHOLE
    assert {hows[rule["type"]] for rule in EXTRA_RULES[:-1]} == {GLOBAL}


def test_missing_tables_are_named_and_their_suites_skipped(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(SUITES_DIR.parent.parent / "datapackage.json", tmp_path / "datapackage.json")
    messages = run_suites(tmp_path / "data")
    assert len(messages) == len(load_suite_documents())
    assert [m for m in messages if m.startswith("quotes_with_speaker_type: no quotes.parquet, entities.parquet ")]
