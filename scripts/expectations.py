"""The Great Expectations stage of validation: one expectation suite per table.

Takes a folder holding ``<table>.parquet`` for every table of
:data:`scripts.schema.TABLES` and, optionally, a folder for Data Docs; returns
one human-readable message per failed expectation (table, expectation,
column(s), a few unexpected values), sorted, or ``[]`` when all pass.

Each suite is derived from ``schemas/<table>.json`` (column order, required,
unique, enum, pattern, minimum, primary key) plus the cross-column rules of
``config/expectations.yaml``, which a Table Schema cannot state. Nothing here
lists a column: the schemas and that file are the only sources of the rules.

Great Expectations is imported inside :func:`run_suites` only, since importing
it takes seconds and most commands of the pipeline never need it.
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from scripts.errors import BuildError
from scripts.schema import TABLES, TableSchema, load_schemas

RULES_PATH = Path(__file__).resolve().parent.parent / "config" / "expectations.yaml"
DATA_SOURCE = "tables"
DOCS_SITE = "expectations"
# Keyword arguments of GX expectations that name columns, so the rules file
# can be checked against the schemas before anything runs.
COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
SHOWN_VALUES = 5


class Spec(NamedTuple):
    """One expectation to add: its GX class name, arguments and the reason for it."""

    expectation: str
    kwargs: dict[str, Any]
    why: str


# --- The rules, from the schemas and the rules file -----------------------

def schema_specs(schema: TableSchema) -> list[Spec]:
    """The expectations a Table Schema implies, in the order of its fields."""
    source = f"schemas/{schema.name}.json"
    specs = [Spec("ExpectTableColumnsToMatchOrderedList", {"column_list": schema.columns},
                  f"{source}: the columns and their order")]
    for field in schema.fields:
        specs += _field_specs(field, source)
    key = schema.primary_key
    if len(key) == 1:
        specs.append(Spec("ExpectColumnValuesToBeUnique", {"column": key[0]}, f"{source}: primary key"))
    else:
        specs.append(Spec("ExpectCompoundColumnsToBeUnique", {"column_list": key}, f"{source}: primary key"))
    return specs


def _field_specs(field: dict[str, Any], source: str) -> list[Spec]:
    """The expectations of one field's constraints."""
    name, constraints = field["name"], field.get("constraints", {})
    why = f"{source}: {name} constraint"
    specs = []
    if constraints.get("required"):
        specs.append(Spec("ExpectColumnValuesToNotBeNull", {"column": name}, f"{why} required"))
    if constraints.get("unique"):
        specs.append(Spec("ExpectColumnValuesToBeUnique", {"column": name}, f"{why} unique"))
    if "enum" in constraints:
        specs.append(Spec("ExpectColumnValuesToBeInSet", {"column": name, "value_set": list(constraints["enum"])},
                          f"{why} enum"))
    if "pattern" in constraints:
        # Table Schema patterns must match the whole value; GX searches, so anchor.
        regex = rf"^(?:{constraints['pattern']})\Z"
        specs.append(Spec("ExpectColumnValuesToMatchRegex", {"column": name, "regex": regex}, f"{why} pattern"))
    if "minimum" in constraints:
        specs.append(Spec("ExpectColumnValuesToBeBetween", {"column": name, "min_value": constraints["minimum"]},
                          f"{why} minimum"))
    return specs


def load_rules(path: Path = RULES_PATH) -> dict[str, list[Spec]]:
    """The cross-column rules of every table; raise a BuildError naming a malformed rule."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{path}: cannot be read as YAML: {exc}") from None
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict) or sorted(tables) != sorted(TABLES):
        raise BuildError(f"{path}: needs a 'tables' mapping with one entry per table: {', '.join(TABLES)}")
    schemas = load_schemas()
    return {name: [_rule_spec(rule, schemas[name], f"{path}: tables.{name}[{i}]")
                   for i, rule in enumerate(tables[name] or [])] for name in TABLES}


def _rule_spec(rule: Any, schema: TableSchema, where: str) -> Spec:
    """One rule of the rules file as a Spec, its columns checked against the schema."""
    if not isinstance(rule, dict) or set(rule) != {"expectation", "kwargs", "why"}:
        raise BuildError(f"{where}: a rule has exactly the keys expectation, kwargs and why")
    if not isinstance(rule["kwargs"], dict) or not str(rule["why"] or "").strip():
        raise BuildError(f"{where}: kwargs must be a mapping and why must say why")
    for key in COLUMN_KWARGS:
        named = rule["kwargs"].get(key, [])
        unknown = sorted(set([named] if isinstance(named, str) else named) - set(schema.columns))
        if unknown:
            raise BuildError(f"{where}: {schema.name} has no column {', '.join(unknown)}")
    return Spec(str(rule["expectation"]), dict(rule["kwargs"]), str(rule["why"]).strip())


# --- Building the GX objects ----------------------------------------------

def _context(gx: Any, docs_dir: Path | None) -> Any:
    """An in-memory context that writes nothing except Data Docs into ``docs_dir``."""
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # tqdm bars on stderr would bury the pipeline's own output.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # The default site lives in a fresh temp folder per build: nothing may land outside docs_dir.
    for site in list(context.list_data_docs_sites()):
        context.delete_data_docs_site(site)
    if docs_dir is not None:
        context.add_data_docs_site(DOCS_SITE, {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                              "base_directory": str(Path(docs_dir).resolve())},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return context


def _expectation(gx: Any, spec: Spec, where: str) -> Any:
    """The GX expectation object of a Spec; a BuildError if the rules file names a bad one."""
    cls = getattr(gx.expectations, spec.expectation, None)
    if not isinstance(cls, type) or not issubclass(cls, gx.expectations.Expectation):
        raise BuildError(f"{where}: {spec.expectation!r} is not an expectation of great_expectations")
    if issubclass(cls, gx.expectations.UnexpectedRowsExpectation):
        raise BuildError(f"{where}: {spec.expectation} runs SQL only; the tables are pandas dataframes")
    try:
        return cls(**spec.kwargs, notes=spec.why)
    except Exception as exc:  # pydantic's error says which argument is wrong
        raise BuildError(f"{where}: {spec.expectation}{spec.kwargs}: {exc}") from None


def _validation_definition(gx: Any, context: Any, name: str, specs: list[Spec]) -> Any:
    """A whole-dataframe batch of table ``name`` bound to its suite."""
    batch = context.data_sources.get(DATA_SOURCE).add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    suite = gx.ExpectationSuite(name=name)
    for spec in specs:
        # The suite keeps one of equal expectations (a primary key that is also `unique`).
        suite.add_expectation(_expectation(gx, spec, f"{name} suite, rule \"{spec.why}\""))
    # Filled before it is stored: a stored suite serialises itself again on every addition.
    suite = context.suites.add(suite)
    return context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))


# --- Messages ---------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value it holds; NaN and NA as None."""
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if hasattr(value, "item"):
        value = value.item()
    if value is None or (isinstance(value, float) and math.isnan(value)) or type(value).__name__ in ("NAType", "NaTType"):
        return None
    return value


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return f"({', '.join(map(_show, value))})"
    return "null" if value is None else repr(value)


def _values(values: list[Any]) -> str:
    """A few distinct values, sorted, so that a message does not depend on row order."""
    distinct = sorted({_show(_plain(v)) for v in values})
    shown = ", ".join(distinct[:SHOWN_VALUES])
    return shown + (", ..." if len(distinct) > SHOWN_VALUES else "")


def _columns(kwargs: dict[str, Any], expectation: str) -> str:
    if expectation == "expect_table_columns_to_match_ordered_list":
        return "all columns"
    named = [kwargs[key] for key in COLUMN_KWARGS if key in kwargs]
    flat = [c for n in named for c in ([n] if isinstance(n, str) else n)]
    return f"column{'s' if len(flat) > 1 else ''} {', '.join(flat)}"


def _errors(exception_info: Any) -> list[str]:
    """The first lines of the exceptions an expectation raised.

    GX gives either one ``{"raised_exception": ...}`` dict or, when a metric
    failed (a missing column, a wrong type), one such dict per metric.
    """
    info = exception_info or {}
    entries = [info] if "raised_exception" in info else [v for v in info.values() if isinstance(v, dict)]
    return sorted({(str(e.get("exception_message") or "error").splitlines() or ["error"])[0]
                   for e in entries if e.get("raised_exception")})


def _column_difference(observed: list[str], expected: list[str]) -> str:
    missing = [c for c in expected if c not in observed]
    extra = [c for c in observed if c not in expected]
    parts = [f"missing {', '.join(missing)}"] * bool(missing) + [f"unexpected {', '.join(extra)}"] * bool(extra)
    return "; ".join(parts) or f"order is {', '.join(observed)}"


def _detail(result: Any, kwargs: dict[str, Any]) -> str:
    """What went wrong: the exception, the unexpected values, or the observed value."""
    errors = _errors(result.exception_info)
    if errors:
        return f"could not run: {'; '.join(errors)}"
    outcome = result.result or {}
    if "unexpected_count" in outcome:
        total = outcome.get("element_count")
        count = f"{outcome['unexpected_count']} of {total} rows" if total is not None else outcome["unexpected_count"]
        return f"{count} unexpected, e.g. {_values(outcome.get('partial_unexpected_list') or [])}"
    if "column_list" in kwargs and isinstance(outcome.get("observed_value"), list):
        return _column_difference(list(map(str, outcome["observed_value"])), list(kwargs["column_list"]))
    return f"observed {outcome.get('observed_value')!r}"


def failure_messages(table: str, results: Any) -> list[str]:
    """One message per failed expectation of a suite's validation result."""
    messages = []
    for result in results.results:
        if result.success:
            continue
        config = result.expectation_config
        notes = config.notes if isinstance(config.notes, str) else "; ".join(config.notes or [])
        messages.append(f"{table}: {config.type} on {_columns(config.kwargs, config.type)}: "
                        f"{_detail(result, config.kwargs)} (why: {notes})")
    return messages


# --- The stage --------------------------------------------------------------

def run_suites(data_dir: Path, docs_dir: Path | None = None) -> list[str]:
    """Run one GX expectation suite per table on the Parquet tables in data_dir.

    Returns human-readable failure messages, one per failed expectation, naming the table,
    the expectation, the column(s) and a few unexpected values; [] when everything passes.
    When docs_dir is given, build GX Data Docs there (absolute path), else build none.
    """
    rules = load_rules()  # a malformed rules file fails before the slow import
    # Must be set before the import: GX reads it once, and must not call home.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx
    import pandas as pd

    schemas = load_schemas()
    context = _context(gx, docs_dir)
    context.data_sources.add_pandas(DATA_SOURCE)
    failures: list[str] = []
    for name in TABLES:
        path = Path(data_dir) / f"{name}.parquet"
        if not path.is_file():
            failures.append(f"{name}: {path} is missing; its suite did not run")
            continue
        definition = _validation_definition(gx, context, name, schema_specs(schemas[name]) + rules[name])
        results = definition.run(batch_parameters={"dataframe": pd.read_parquet(path)})
        failures += failure_messages(name, results)
    if docs_dir is not None:
        context.build_data_docs(site_names=[DOCS_SITE])
    return sorted(failures)
