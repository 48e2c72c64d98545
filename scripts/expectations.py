"""The Great Expectations stage of validation, and the generator of its suites.

Two steps, each a command or function:

* ``python -m scripts expectations [--check]`` takes ``schemas/<table>.json``
  (column order, required, unique, enum, pattern, minimum, primary key) and
  the rules of ``config/expectations.yaml`` that a Table Schema cannot state,
  and writes one GX 1.x ExpectationSuite per asset as pretty-printed, sorted
  JSON into ``schemas/expectations/<asset>.json`` (an asset is a table, or a
  frame joined from two tables). Every expectation carries ``meta.why``. With
  ``--check`` it writes nothing and fails when a committed file is stale.
* :func:`run_suites` takes a package's ``data/`` folder (Parquet tables, with
  ``datapackage.json`` beside it) and, optionally, a folder for Data Docs;
  it loads the committed suites into one ephemeral GX context, validates each
  asset, and returns one message per failed expectation (asset, expectation,
  column(s), row condition, a few unexpected values and row keys), sorted, or
  ``[]`` when all pass. The Data Docs are rewritten to render offline.

Nothing here lists a column: the schemas and the rules file are the only
sources of the rules. Great Expectations is imported inside functions only,
since importing it takes seconds and most commands never need it.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import functools
import html
import json
import math
import operator
import os
import re
from pathlib import Path
from typing import Any, NamedTuple, TypedDict

from scripts.errors import BuildError
from scripts.transaction import write_text_atomically
from scripts.schema import SCHEMAS_DIR, TABLES, TableSchema, load_schemas
from scripts.strict_yaml import load_yaml

ROOT = SCHEMAS_DIR.parent
RULES_PATH = ROOT / "config" / "expectations.yaml"
SUITES_DIR = SCHEMAS_DIR / "expectations"
DOCS_STYLESHEET = SUITES_DIR / "data-docs.css"
GENERATOR = "python -m scripts expectations"
DATA_SOURCE = "tables"
DOCS_SITE = "expectations"
# Keyword arguments of GX expectations that name columns, so the rules file
# can be checked against the assets before anything runs.
COLUMN_KWARGS = ("column", "column_A", "column_B", "column_list")
RULE_KEYS = {"expectation", "kwargs", "why", "where"}
PRESENT = "present"
SHOWN_VALUES = 5


class Spec(NamedTuple):
    """One expectation: its GX class name, arguments, reason, and optional row condition."""

    expectation: str
    kwargs: dict[str, Any]
    why: str
    where: dict[str, Any] | None = None


class Asset(NamedTuple):
    """One frame with a suite: a table, or a table joined with columns of another."""

    name: str
    columns: list[str]
    specs: list[Spec]
    meta: dict[str, Any]


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
    if field.get("listItems"):
        # a list cell: allowed items joined by the delimiter (kept out of `pattern`, which SQL exports turn into
        # a REGEXP check that fails on a null cell)
        items = field["listItems"]
        item = "(?:" + "|".join(re.escape(value) for value in items["enum"]) + ")"
        regex = rf"^{item}(?:{re.escape(items['delimiter'])}{item})*\Z"
        specs.append(Spec("ExpectColumnValuesToMatchRegex", {"column": name, "regex": regex}, f"{why} listItems"))
    if "minimum" in constraints:
        specs.append(Spec("ExpectColumnValuesToBeBetween", {"column": name, "min_value": constraints["minimum"]},
                          f"{why} minimum"))
    return specs


def load_assets(path: Path = RULES_PATH) -> list[Asset]:
    """Every asset with its specs: the tables in pipeline order, then the joined assets by name.

    Raises a BuildError naming the entry of the rules file that is malformed.
    """
    document = load_yaml(path)
    tables = document.get("tables") if isinstance(document, dict) else None
    if not isinstance(tables, dict) or sorted(tables) != sorted(TABLES):
        raise BuildError(f"{path}: needs a 'tables' mapping with one entry per table: {', '.join(TABLES)}")
    schemas = load_schemas()
    assets = []
    for name in TABLES:
        columns = schemas[name].columns
        rules = [_rule_spec(rule, name, columns, f"{path}: tables.{name}[{i}]")
                 for i, rule in enumerate(tables[name] or [])]
        meta = {"generated_by": GENERATOR, "generated_from": [f"schemas/{name}.json", "config/expectations.yaml"]}
        assets.append(Asset(name, columns, schema_specs(schemas[name]) + rules, meta))
    joined = document.get("joined") or {}
    if not isinstance(joined, dict):
        raise BuildError(f"{path}: 'joined' must map asset names to their definitions")
    for name in sorted(joined):
        assets.append(_joined_asset(name, joined[name], schemas, f"{path}: joined.{name}"))
    return assets


def _joined_asset(name: str, entry: Any, schemas: dict[str, TableSchema], where: str) -> Asset:
    """A joined asset of the rules file, its tables and columns checked against the schemas."""
    if name in TABLES or not isinstance(entry, dict) or set(entry) != {"description", "table", "join", "rules"}:
        raise BuildError(f"{where}: a joined asset has a new name and exactly description, table, join and rules")
    join = entry["join"]
    if not isinstance(join, dict) or set(join) != {"column", "table", "key", "columns"} \
            or not isinstance(join["columns"], dict) or entry["table"] not in schemas or join["table"] not in schemas:
        raise BuildError(f"{where}: table and join.table must be tables; join needs column, table, key and a columns mapping")
    left, right = schemas[entry["table"]], schemas[join["table"]]
    unknown = sorted({join["column"]} - set(left.columns)) + sorted({join["key"], *join["columns"]} - set(right.columns))
    if unknown:
        raise BuildError(f"{where}: unknown join column(s) {', '.join(unknown)}")
    columns = left.columns + list(join["columns"].values())
    if len(set(columns)) != len(columns):
        raise BuildError(f"{where}: join.columns must give new names, not those of {entry['table']}")
    rules = [_rule_spec(rule, name, columns, f"{where}.rules[{i}]") for i, rule in enumerate(entry["rules"] or [])]
    meta = {"generated_by": GENERATOR, "generated_from": ["config/expectations.yaml"],
            "description": str(entry["description"]),
            "join": {"left": entry["table"], "column": join["column"], "right": join["table"], "key": join["key"],
                     "columns": dict(join["columns"])}}
    return Asset(name, columns, rules, meta)


def _rule_spec(rule: Any, asset: str, columns: list[str], where: str) -> Spec:
    """One rule of the rules file as a Spec, its columns checked against the asset's."""
    if not isinstance(rule, dict) or not {"expectation", "kwargs", "why"} <= set(rule) <= RULE_KEYS:
        raise BuildError(f"{where}: a rule has the keys expectation, kwargs, why and optionally where")
    if not isinstance(rule["kwargs"], dict) or not str(rule["why"] or "").strip():
        raise BuildError(f"{where}: kwargs must be a mapping and why must say why")
    condition = rule.get("where")
    if condition is not None and (not isinstance(condition, dict) or not condition or not all(
            v == PRESENT or isinstance(v, list) for v in condition.values())):
        raise BuildError(f"{where}: where maps columns to a list of values or to '{PRESENT}'")
    named = [rule["kwargs"].get(key, []) for key in COLUMN_KWARGS] + [list(condition or {})]
    unknown = sorted({c for n in named for c in ([n] if isinstance(n, str) else n)} - set(columns))
    if unknown:
        raise BuildError(f"{where}: {asset} has no column {', '.join(unknown)}")
    return Spec(str(rule["expectation"]), dict(rule["kwargs"]), " ".join(str(rule["why"]).split()), condition)


# --- Generating the suite files ---------------------------------------------

def _row_condition(where: dict[str, Any]) -> Any:
    """The GX row condition of a rule's ``where``: every column holds one of its values."""
    from great_expectations.expectations.row_conditions import Column

    conditions = [Column(c).is_not_null() if v == PRESENT else Column(c).is_in(list(v)) for c, v in where.items()]
    return functools.reduce(operator.and_, conditions)


def _expectation(gx: Any, spec: Spec, where: str) -> Any:
    """The GX expectation of a Spec; a BuildError if the rules file names a bad one."""
    cls = getattr(gx.expectations, spec.expectation, None)
    if not isinstance(cls, type) or not issubclass(cls, gx.expectations.Expectation):
        raise BuildError(f"{where}: {spec.expectation!r} is not an expectation of great_expectations")
    if issubclass(cls, gx.expectations.UnexpectedRowsExpectation):
        raise BuildError(f"{where}: {spec.expectation} runs SQL only; the tables are pandas dataframes")
    kwargs = dict(spec.kwargs)
    if spec.where:
        kwargs["row_condition"] = _row_condition(spec.where)
    try:
        return cls(**kwargs)
    except Exception as exc:  # pydantic's error says which argument is wrong
        raise BuildError(f"{where}: {spec.expectation}{spec.kwargs}: {exc}") from None


def suite_document(gx: Any, asset: Asset) -> dict[str, Any]:
    """The ExpectationSuite JSON of an asset, in GX's own serialisation of each expectation.

    Equal expectations (a primary key that is also ``unique``) are kept once, with both reasons.
    """
    entries: dict[str, dict[str, Any]] = {}
    for spec in asset.specs:
        config = _expectation(gx, spec, f"{asset.name} suite, rule \"{spec.why}\"").configuration.to_json_dict()
        key = json.dumps([config["type"], config["kwargs"]], sort_keys=True)
        if key in entries:
            entries[key]["meta"]["why"] += f"; {spec.why}"
        else:
            entries[key] = {"type": config["type"], "kwargs": config["kwargs"], "meta": {"why": spec.why}}
    return {"name": asset.name, "expectations": list(entries.values()), "meta": asset.meta}


def render(document: dict[str, Any]) -> str:
    """A suite as the bytes committed: sorted keys, two-space indents, final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate_suites(rules_path: Path = RULES_PATH) -> dict[str, str]:
    """File name -> text of every suite file, generated from the schemas and the rules file."""
    assets = load_assets(rules_path)  # a malformed rules file fails before the slow import
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    return {f"{asset.name}.json": render(suite_document(gx, asset)) for asset in assets}


def stale_suites(generated: dict[str, str], suites_dir: Path = SUITES_DIR) -> list[str]:
    """The suite files that differ from ``generated``, are missing, or are no longer generated."""
    committed = {path.name for path in suites_dir.glob("*.json")}
    stale = [name for name in sorted(generated)
             if name not in committed or (suites_dir / name).read_text(encoding="utf-8") != generated[name]]
    return stale + [f"{name} (no longer generated)" for name in sorted(committed - set(generated))]


def expectations_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when a file of schemas/expectations/ is stale")


def expectations_command(args: argparse.Namespace) -> None:
    """``python -m scripts expectations [--check]``."""
    generated = generate_suites()
    stale = stale_suites(generated, SUITES_DIR)
    if args.check:
        if stale:
            raise BuildError(f"{SUITES_DIR.relative_to(ROOT)}: stale suite file(s) {', '.join(stale)}; "
                             f"run `{GENERATOR}`")
        print(f"{len(generated)} suites in {SUITES_DIR.relative_to(ROOT)} are up to date")
        return
    write_suites(generated, SUITES_DIR)
    print(f"wrote {len(generated)} suites to {SUITES_DIR.relative_to(ROOT)} ({len(stale)} changed)")


def write_suites(generated: dict[str, str], suites_dir: Path = SUITES_DIR) -> list[str]:
    """Write the generated suites (and drop suites no longer generated); returns the files that changed."""
    stale = stale_suites(generated, suites_dir)
    suites_dir.mkdir(exist_ok=True)
    for name in stale:
        if name in generated:
            write_text_atomically(suites_dir / name, generated[name])  # a killed build leaves whole files
        else:
            (suites_dir / name.removesuffix(" (no longer generated)")).unlink()
    return stale


# --- Loading the suites and the frames ---------------------------------------

def load_suite_documents(suites_dir: Path = SUITES_DIR) -> dict[str, dict[str, Any]]:
    """Asset name -> suite JSON of every committed suite; every table must have one."""
    documents = {}
    for path in sorted(suites_dir.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise BuildError(f"{path}: cannot be read as JSON: {exc}") from None
        if not isinstance(document, dict) or document.get("name") != path.stem \
                or not isinstance(document.get("expectations"), list):
            raise BuildError(f"{path}: a suite needs its file's name as 'name' and an 'expectations' list")
        documents[path.stem] = document
    missing = [name for name in TABLES if name not in documents]
    if missing:
        raise BuildError(f"{suites_dir}: no suite for {', '.join(missing)}; run `{GENERATOR}`")
    # Tables first, in pipeline order, so that a joined asset's tables are read before it.
    return {name: documents[name] for name in [*TABLES, *sorted(set(documents) - set(TABLES))]}


def load_suite(gx: Any, document: dict[str, Any], where: str) -> Any:
    """The GX ExpectationSuite of a suite JSON; each expectation's ``meta.why`` becomes its notes.

    GX's own constructor only logs an expectation it cannot build and drops it,
    so each is built here first, and a bad one is a BuildError naming it.
    """
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    expectations = []
    for i, entry in enumerate(document["expectations"]):
        why = (entry.get("meta") or {}).get("why") if isinstance(entry, dict) else None
        if not why:
            raise BuildError(f"{where}: expectations[{i}] has no meta.why")
        try:
            expectations.append(ExpectationConfiguration(**entry, notes=why).to_domain_obj())
        except Exception as exc:
            raise BuildError(f"{where}: expectations[{i}] ({entry.get('type')}) cannot be loaded: {exc}") from None
    return gx.ExpectationSuite(name=document["name"], expectations=expectations, meta=document.get("meta"))


def package_parameters(package_dir: Path) -> dict[str, str]:
    """The suite parameters of a package: ``package_created``, the date of its ``created``."""
    path = package_dir / "datapackage.json"
    try:
        created = json.loads(path.read_text(encoding="utf-8"))["created"]
        day = dt.datetime.fromisoformat(str(created).replace("Z", "+00:00")).date()
    except (OSError, json.JSONDecodeError, KeyError, ValueError) as exc:
        raise BuildError(f"{path}: needs 'created' as an ISO 8601 datetime for the date expectations ({exc})") from None
    return {"package_created": day.isoformat()}


def read_frames(data_dir: Path) -> dict[str, Any]:
    """The Parquet tables of ``data_dir`` as dataframes; a missing file has none.

    Date columns hold ``datetime.date`` objects, which GX compares with ISO date bounds.
    """
    import pandas as pd

    paths = {name: Path(data_dir) / f"{name}.parquet" for name in TABLES}
    return {name: pd.read_parquet(path) for name, path in paths.items() if path.is_file()}


class JoinSpec(TypedDict):
    """The ``meta.join`` of a joined suite, as _joined_asset writes it."""

    left: str
    column: str
    right: str
    key: str
    columns: dict[str, str]


def joined_frame(frames: dict[str, Any], join: JoinSpec) -> Any:
    """Table ``join.left`` with the ``columns`` of the ``join.right`` row whose ``key`` equals ``column``.

    Every row of the left table stays, in order; without a match the joined columns are null.
    """
    columns = dict(join["columns"])
    right = frames[join["right"]][[join["key"], *columns]].drop_duplicates(join["key"])
    right = right.rename(columns={join["key"]: "_join_key", **columns})
    return frames[join["left"]].merge(right, how="left", left_on=join["column"], right_on="_join_key") \
        .drop(columns="_join_key")


def asset_frame(name: str, document: dict[str, Any], frames: dict[str, Any]) -> tuple[Any, str] | str:
    """The frame of an asset and the table its rows are of, or why it cannot be built."""
    join = (document.get("meta") or {}).get("join")
    needed = [name] if join is None else [join["left"], join["right"]]
    missing = [table for table in needed if table not in frames]
    if missing:
        return f"{name}: no {', '.join(f'{table}.parquet' for table in missing)} in the data folder; its suite did not run"
    return (frames[name], name) if join is None else (joined_frame(frames, join), join["left"])


# --- Running the suites -------------------------------------------------------

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


def _validation_definition(gx: Any, context: Any, document: dict[str, Any], suites_dir: Path = SUITES_DIR) -> Any:
    """A whole-dataframe batch of the asset bound to its suite loaded from JSON."""
    name = document["name"]
    batch = context.data_sources.get(DATA_SOURCE).add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    suite = context.suites.add(load_suite(gx, document, f"{suites_dir / name}.json"))
    return context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))


def run_suites(data_dir: Path, docs_dir: Path | None = None, suites_dir: Path = SUITES_DIR) -> list[str]:
    """Run the committed GX suite of every asset on the Parquet tables in data_dir.

    ``datapackage.json`` beside ``data_dir`` gives the ``created`` date that bounds
    publication dates. Returns human-readable failure messages, one per failed
    expectation, naming the asset, the expectation, the column(s), the row condition
    and a few unexpected values with their rows' keys; [] when everything passes.
    When docs_dir is given, build GX Data Docs there that render offline, else none.
    """
    # Malformed suites or descriptor fail before the slow import.
    documents = load_suite_documents(suites_dir)
    parameters = package_parameters(Path(data_dir).resolve().parent)
    # Must be set before the import: GX reads it once, and must not call home.
    os.environ["GX_ANALYTICS_ENABLED"] = "false"
    import great_expectations as gx

    schemas = load_schemas()
    frames = read_frames(Path(data_dir))
    failures: list[str] = []
    context = _context(gx, docs_dir)
    context.data_sources.add_pandas(DATA_SOURCE)
    for name, document in documents.items():
        built = asset_frame(name, document, frames)
        if isinstance(built, str):
            failures.append(built)
            continue
        frame, table = built
        results = _validation_definition(gx, context, document, suites_dir).run(
            batch_parameters={"dataframe": frame}, expectation_parameters=parameters,
            result_format={"result_format": "SUMMARY", "unexpected_index_column_names": schemas[table].primary_key})
        failures += failure_messages(name, results, schemas[table].primary_key)
    if docs_dir is not None:
        context.build_data_docs(site_names=[DOCS_SITE])
        make_docs_offline(Path(docs_dir))
    return sorted(failures)


# --- Messages ---------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A numpy or pandas scalar as the Python value it holds; NaN and NA as None."""
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    if isinstance(value, dt.date):  # also a datetime or a pandas Timestamp
        return value.isoformat()
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


def _rows(index_list: list[Any], key: list[str]) -> str:
    """The primary keys of a few unexpected rows, sorted."""
    keys = sorted({", ".join(str(_plain(entry.get(k))) for k in key) for entry in index_list if isinstance(entry, dict)})
    shown = "; ".join(keys[:SHOWN_VALUES])
    return f" in rows {shown}{'; ...' if len(keys) > SHOWN_VALUES else ''}" if keys else ""


def _columns(kwargs: dict[str, Any], expectation: str) -> str:
    if expectation == "expect_table_columns_to_match_ordered_list":
        return "all columns"
    named = [kwargs[key] for key in COLUMN_KWARGS if key in kwargs]
    flat = [c for n in named for c in ([n] if isinstance(n, str) else n)]
    if not flat:
        return "the table"
    return f"column{'s' if len(flat) > 1 else ''} {', '.join(flat)}"


def _condition(kwargs: dict[str, Any]) -> str:
    """`` where <condition>`` of an expectation with a row condition, else ``""``."""
    condition = kwargs.get("row_condition")
    return f" where {condition_text(condition)}" if condition else ""


def condition_text(condition: Any) -> str:
    """A GX row condition (object or its JSON) as text: ``qualifier in exact, range and x is not null``."""
    if hasattr(condition, "dict") and not isinstance(condition, dict):
        condition = condition.dict()
    if not isinstance(condition, dict):
        return str(condition)
    kind = condition.get("type")
    if kind in ("and", "or"):
        return f" {kind} ".join(condition_text(c) for c in condition.get("conditions", []))
    column = (condition.get("column") or {}).get("name", "?")
    if kind == "nullity":
        return f"{column} is {'' if condition.get('is_null') else 'not '}null"
    parameter = condition.get("parameter")
    shown = ", ".join(map(str, parameter)) if isinstance(parameter, list) else repr(parameter)
    return f"{column} {str(condition.get('operator')).lower().replace('_', ' ')} {shown}"


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


def _detail(result: Any, kwargs: dict[str, Any], key: list[str]) -> str:
    """What went wrong: the exception, the unexpected values and rows, or the observed value."""
    errors = _errors(result.exception_info)
    if errors:
        return f"could not run: {'; '.join(errors)}"
    outcome = result.result or {}
    if "unexpected_count" in outcome:
        total = outcome.get("element_count")
        count = f"{outcome['unexpected_count']} of {total} rows" if total is not None else outcome["unexpected_count"]
        rows = _rows(outcome.get("partial_unexpected_index_list") or [], key)
        return f"{count} unexpected, e.g. {_values(outcome.get('partial_unexpected_list') or [])}{rows}"
    if "column_list" in kwargs and isinstance(outcome.get("observed_value"), list):
        return _column_difference(list(map(str, outcome["observed_value"])), list(kwargs["column_list"]))
    return f"observed {_show(_plain(outcome.get('observed_value')))}"


def failure_messages(asset: str, results: Any, key: list[str] | None = None) -> list[str]:
    """One message per failed expectation of a suite's validation result."""
    messages = []
    for result in results.results:
        if result.success:
            continue
        config = result.expectation_config
        why = (config.meta or {}).get("why") or config.notes
        messages.append(f"{asset}: {config.type} on {_columns(config.kwargs, config.type)}"
                        f"{_condition(config.kwargs)}: {_detail(result, config.kwargs, key or [])} (why: {why})")
    return messages


# --- Data Docs that render offline --------------------------------------------

EXTERNAL_TAG = re.compile(r"""<(?:link|img)\b[^>]*?\b(?:href|src)\s*=\s*["']?(?:https?:)?//[^>]*>""", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
# Inline styles and GX's stylesheets set backgrounds from the web (the GX logo on S3).
CSS_REMOTE_URL = re.compile(r"""url\(\s*['"]?(?:https?:)?//[^)]*\)""", re.IGNORECASE)
BUTTON = re.compile(r"<button\b[^>]*\bonclick=[^>]*>.*?</button\s*>", re.IGNORECASE | re.DOTALL)
# GX fills its index tables with bootstrap-table from Python literals in a script.
TABLE_DATA = re.compile(r"\$\('#(?P<id>[\w-]+)'\)\.bootstrapTable\(\s*Object\.assign\(\s*\{\s*"
                        r"columns: (?P<columns>\[.*?\]),\s*data: (?P<data>\[.*?\]),\s*toolbar:", re.DOTALL)


def make_docs_offline(docs_dir: Path) -> None:
    """Rewrite every page of a GX Data Docs site so that it renders without the network.

    GX pages load Bootstrap, jQuery, Font Awesome and Vega from CDNs and build the
    index tables in JavaScript. Each page loses its external stylesheets, scripts
    and images and every script, gets the index tables as static HTML, and gets the
    project's stylesheet (``schemas/expectations/data-docs.css``) inline.
    """
    style = f"<style>\n{DOCS_STYLESHEET.read_text(encoding='utf-8')}</style>\n"
    for page in sorted(docs_dir.rglob("*.html")):
        page.write_text(offline_page(page.read_text(encoding="utf-8"), style), encoding="utf-8")
    for sheet in sorted(docs_dir.rglob("*.css")):
        sheet.write_text(CSS_REMOTE_URL.sub("none", sheet.read_text(encoding="utf-8")), encoding="utf-8")


def offline_page(page: str, style: str) -> str:
    """One page without scripts or external resources, with static tables and ``style``."""
    for match in TABLE_DATA.finditer(page):
        table = _static_table(ast.literal_eval(match["columns"]), ast.literal_eval(match["data"]))
        page = re.sub(rf"(<table\b[^>]*\bid=\"{re.escape(match['id'])}\"[^>]*>)\s*(</table>)",
                      lambda m: m[1] + table + m[2], page, count=1)
    page = SCRIPT.sub("", page)
    page = BUTTON.sub("", page)
    page = EXTERNAL_TAG.sub("", page)
    page = CSS_REMOTE_URL.sub("none", page)
    return page.replace("</head>", style + "</head>", 1)


def _static_table(columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> str:
    """The HTML rows of a bootstrap-table; a row's link (its page) is on its last cell."""
    fields = [c for c in columns if c.get("field")]
    head = "".join(f"<th>{html.escape(str(c.get('title', c['field'])))}</th>" for c in fields)
    body = []
    for row in sorted(rows, key=lambda r: str(r.get("_table_row_link_path", ""))):
        # Cell values are HTML that GX rendered; only the link is built here.
        cells = [f"<td>{row.get(c['field'], '')}</td>" for c in fields]
        link = row.get("_table_row_link_path")
        if link:
            cells.append(f"<td><a href=\"{html.escape(str(link))}\">open</a></td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    link_head = "<th>page</th>" if any(r.get("_table_row_link_path") for r in rows) else ""
    return f"<thead><tr>{head}{link_head}</tr></thead><tbody>{''.join(body)}</tbody>"
