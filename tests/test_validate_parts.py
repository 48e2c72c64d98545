"""Validation of a package whose tables are written as parts (multi-path resources, scripts/parts.py).

The fixture corpus (tests/conftest.py) is built twice: with the project's threshold (one file per table and
format) and with a tiny one (every table split by a hash of its source). Validation must read a multi-part
resource as one table: the same checks pass, the suites see the same rows; a fault in one part is named with
that part's file and the row's key, and every part's bytes and hash are checked.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from conftest import write_fixture_corpus
from scripts.build import write_package
from scripts.parts import Partitioning
from scripts.tables import BuildInputs
import scripts.validate as validate
from scripts.validate import COLUMN_RULES, CheckResult, column_rules, read_tables, report, run_checks

TINY = Partitioning(above_rows=2, rows_per_part=4)   # every table of the fixture corpus is split


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    corpus = write_fixture_corpus(tmp_path_factory.mktemp("validate-parts") / "corpus")
    single, parted = tmp_path_factory.mktemp("single"), tmp_path_factory.mktemp("parted")
    write_package(single, BuildInputs(**corpus))
    write_package(parted, BuildInputs(**corpus), partitioning=TINY)
    return {"single": single, "parted": parted}


def _outcomes(results: list[CheckResult]) -> list[tuple[str, str, int]]:
    return [(r.label, r.line().split()[0], r.count) for r in results]


def _non_empty_parts(package: Path, table: str) -> list[Path]:
    return [p for p in sorted((package / "data" / table).glob("part-*.csv"))
            if pacsv.read_csv(p).num_rows > 0]


def test_a_multi_part_package_passes_every_check_its_single_file_twin_passes(packages: dict[str, Path]) -> None:
    single, parted = (run_checks(packages[name], echo=False) for name in ("single", "parted"))
    assert len(_non_empty_parts(packages["parted"], "mentions")) >= 3, "the fixture's mentions span several parts"
    assert _outcomes(parted) == _outcomes(single)
    assert all(r.passed for r in parted), [r.line() for r in parted if not r.passed]
    suites = {name: report(packages[name], results)["checks"][-1] for name, results in
              (("single", single), ("parted", parted))}
    assert [(d["asset"], d["expectation"], d["columns"], d["how"], d["passed"]) for d in suites["parted"]["details"]] \
        == [(d["asset"], d["expectation"], d["columns"], d["how"], d["passed"]) for d in suites["single"]["details"]]
    batches = {d["asset"]: d["batches"] for d in suites["parted"]["details"] if d["how"] == "per batch"}
    assert batches["mentions"] >= len(_non_empty_parts(packages["parted"], "mentions")), "a batch never spans two parts"


def _rewrite_part(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_fault_in_the_second_part_is_named_with_its_file_and_row(packages: dict[str, Path], tmp_path: Path) -> None:
    package = tmp_path / "package"
    shutil.copytree(packages["parted"], package)
    second = _non_empty_parts(package, "mentions")[1]
    rows = pacsv.read_csv(second).to_pylist()
    row = rows[len(rows) // 2]
    line = ",".join(str(row[c]) for c in ("mention_id", "source_id", "entity_id"))
    _rewrite_part(second, line, line.replace(f",{row['entity_id']}", ",Not An Id"))
    results = {r.label: r for r in run_checks(package, run_gx=False, echo=False)}
    relative = second.relative_to(package).as_posix()
    assert results["files: bytes and SHA-256"].examples[-1] == f"{relative}: SHA-256 differs from the descriptor's hash"
    assert all(str(e).startswith(f"{relative}: ") for e in results["files: bytes and SHA-256"].examples)
    pattern = results["schema: pattern"]
    assert pattern.count == 1 and str(pattern.examples[0]).startswith(
        f"mentions row {row['mention_id']} in {relative} column entity_id: 'Not An Id'"), pattern.line()
    differs = results["cross-table: CSV equals Parquet"]
    assert differs.count == 1 and str(differs.examples[0]).startswith(
        f"mentions row {row['mention_id']} in {relative} column entity_id: CSV 'Not An Id'"), differs.line()
    failed = {label for label, r in results.items() if not r.passed}
    assert failed <= {"files: bytes and SHA-256", "schema: pattern", "cross-table: CSV equals Parquet",
                      "schema: foreign keys", "cross-table: every entity has a mention"}, failed


def test_a_part_out_of_key_order_is_named_but_parts_are_not_ordered_among_themselves(
        packages: dict[str, Path], tmp_path: Path) -> None:
    package = tmp_path / "package"
    shutil.copytree(packages["parted"], package)
    part = _non_empty_parts(package, "mentions")[1]
    header, *lines = part.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) >= 2
    part.write_text(header + "".join([lines[1], lines[0], *lines[2:]]), encoding="utf-8")
    results = {r.label: r for r in run_checks(package, run_gx=False, echo=False)}
    order = results["schema: rows in primary-key order"]
    relative = part.relative_to(package).as_posix()
    assert order.count == 1 and f"in {relative}" in str(order.examples[0]), order.line()


def _break_cells(path: Path, column: str, value: str, rows: slice) -> None:
    """Set ``column`` to ``value`` in the data rows ``rows`` of a CSV part."""
    with path.open(encoding="utf-8", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    for line in lines[rows]:
        line[header.index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows([header, *lines])


@pytest.fixture(scope="module")
def broken_parts(packages: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parted package with faults for several column rules in several parts: every entity_id of the
    second and third mentions parts (pattern; in their Parquet files too, for the suites), a start in the
    last (type), a quote kind (enum)."""
    package = tmp_path_factory.mktemp("broken-parts") / "package"
    shutil.copytree(packages["parted"], package)
    mentions = _non_empty_parts(package, "mentions")
    for part in mentions[1:3]:
        _break_cells(part, "entity_id", "Not An Id", slice(None))
        published = pq.read_table(part.with_suffix(".parquet"))
        column = published.schema.get_field_index("entity_id")
        pq.write_table(published.set_column(column, published.schema.field(column),
                                            pa.array(["Not An Id"] * published.num_rows, pa.string())),
                       part.with_suffix(".parquet"))
    _break_cells(mentions[-1], "start", "x", slice(0, 1))
    _rewrite_part(_non_empty_parts(package, "quotes")[-1], ",direct,", ",shouted,")
    return package


def test_column_findings_of_the_parts_come_in_the_order_of_one_pass_over_each_table(
        broken_parts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # two examples kept per part and rule: a part with more is counted, not listed, and the merge must
    # still list the first findings of the whole table and count every one
    monkeypatch.setattr(validate, "KEPT_EXAMPLES", 2)
    results = {r.name: r for r in run_checks(broken_parts, run_gx=False, echo=False) if r.stage == "schema"}
    with read_tables(broken_parts) as tables:   # the oracle: each rule over the whole table, block by block
        for label in COLUMN_RULES:
            expected = CheckResult("schema", label)
            for name, loaded in tables.items():
                for rule_label, column, rule in column_rules(loaded.schema):
                    if rule_label == label:
                        for block in loaded.blocks([column]):
                            expected.extend(rule(name, block))
            found = results[label]
            assert (found.count, found.examples) == (expected.count, expected.examples), label
    pattern = results["pattern"]
    broken = sum(pacsv.read_csv(p).num_rows for p in _non_empty_parts(broken_parts, "mentions")[1:3])
    assert pattern.count == broken > 2 * 2 and len(pattern.examples) == 2
    second = _non_empty_parts(broken_parts, "mentions")[1].relative_to(broken_parts).as_posix()
    assert all(e.row.endswith(f" in {second}") for e in pattern.examples if not isinstance(e, str))
    assert results["types"].count == 1 and results["enum"].count == 1


def test_parts_read_on_two_workers_give_the_report_of_one_process(broken_parts: Path) -> None:
    one, two = (report(broken_parts, run_checks(broken_parts, echo=False, workers=workers)) for workers in (1, 2))
    assert two == one
    failed = {c["check"] for c in one["checks"] if c["status"] == "failed"}
    assert {"types", "enum", "pattern", "suites"} <= failed, failed
    enum = next(c for c in one["checks"] if c["check"] == "enum")
    last = _non_empty_parts(broken_parts, "quotes")[-1].relative_to(broken_parts).as_posix()
    assert enum["count"] == 1 and enum["examples"][0]["row"].endswith(f" in {last}")
    suites = next(c for c in one["checks"] if c["check"] == "suites")
    assert any(d["how"] == "per batch" and d["batches"] > 1 and not d["passed"] for d in suites["details"])
