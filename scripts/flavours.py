"""The open flavour of a release: the package without third-party text, derived by the schemas' rule.

Takes a built (full) package folder: ``datapackage.json``, ``schemas/`` and
``data/<table>.csv|parquet``. Returns, in another folder, the *open* package:
the same tables, rows, row order and columns, except that every column whose
schema field carries ``"thirdPartyText"`` (the schemas own which columns copy
article text) is replaced by what locates and checks it without holding it:

- ``"text"`` (``texts.text``, a whole normalised text): ``<name>_sha256``;
- ``"span"`` (the ``text`` of quotes, statistics and mentions, which is
  ``texts.text[start:end]`` of the row): ``<name>_sha256`` beside the row's
  own ``start`` and ``end``;
- ``"phrase"`` (a value written somewhere in the row's source text:
  ``sources.title``, ``quotes.speaker_text``, ``speaker_role``, ``cue``):
  ``<name>_start``, ``<name>_end`` (its first occurrence) and ``<name>_sha256``,
  all empty when the value is empty.

The open package has its own schemas (derived here), its own descriptor (with
``"flavour": "open"`` and the licences of ``flavours.open`` in
``config/package.yaml``), no raw files, and in ``hydrate/`` the full package's
``datapackage.json`` and schemas, which :mod:`scripts.hydrate` restores
byte for byte. Tables are read and written one Parquet row group at a time;
the normalised texts are held in memory while a table with ``"phrase"``
columns is written (their size is that of the ``texts`` table).
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa
import pyarrow.parquet as pq
from scripts.errors import BuildError
from scripts.hashing import text_sha256
from scripts.package import refresh_facts
from scripts.parts import part_files, table_batches
from scripts.schema import TableSchema
from scripts.strict_yaml import load_yaml
from scripts.tables import write_files
from scripts.untrusted import package_schemas

THIRD_PARTY = "thirdPartyText"
KINDS = ("text", "span", "phrase")
HASH_PATTERN = "^[0-9a-f]{64}$"
HYDRATE_DIR = "hydrate"  # inside an open package: the full package's descriptor and schemas
FLAVOUR_KEY = "flavour"  # in an open package's datapackage.json
README_START, README_END = "<!-- flavour:start -->", "<!-- flavour:end -->"
FULL_ONLY_START, FULL_ONLY_END = "<!-- full-only:start -->", "<!-- full-only:end -->"


# --- The rule: which columns, and what replaces them ---------------------------

def third_party_columns(schema: TableSchema) -> dict[str, str]:
    """Column -> kind (``text``, ``span``, ``phrase``) of every field marked ``thirdPartyText``."""
    found = {f["name"]: f[THIRD_PARTY] for f in schema.fields if THIRD_PARTY in f}
    where = f"schemas/{schema.name}.json"
    for name, kind in found.items():
        if kind not in KINDS:
            raise BuildError(f"{where}: field {name!r}: {THIRD_PARTY} is {kind!r}; expected one of {', '.join(KINDS)}")
        needed = {"source_id", "start", "end"} if kind == "span" else {"source_id"}
        if not needed <= set(schema.columns):
            raise BuildError(f"{where}: field {name!r} is a {kind} of third-party text, which needs the columns "
                             f"{', '.join(sorted(needed))} in the same table")
    return found


def _hash_field(field: dict[str, Any], of: str) -> dict[str, Any]:
    required = bool(field.get("constraints", {}).get("required"))
    return {"name": f"{field['name']}_sha256", "type": "string", "title": f"{field.get('title', field['name'])} SHA-256",
            "description": f"SHA-256 of {of}, encoded as UTF-8 (open flavour: the text itself is third-party text, "
                           "restored by `python -m scripts hydrate`)" + ("" if required else "; empty when there is none"),
            "constraints": {"required": True, "pattern": HASH_PATTERN} if required else {"pattern": HASH_PATTERN}}


def _offset_fields(field: dict[str, Any]) -> list[dict[str, Any]]:
    name, title = field["name"], field.get("title", field["name"])
    return [
        {"name": f"{name}_start", "type": "integer", "title": f"{title} start",
         "description": f"0-based code-point offset in the source's normalised text of the first occurrence of "
                        f"{name}; empty when {name} is empty", "constraints": {"minimum": 0}},
        {"name": f"{name}_end", "type": "integer", "title": f"{title} end",
         "description": f"Code-point offset just after that occurrence (end exclusive); empty when {name} is empty",
         "constraints": {"minimum": 1}},
    ]


def open_fields(field: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields that replace a third-party field in the open flavour (the field itself when it is none)."""
    kind = field.get(THIRD_PARTY)
    if kind is None:
        return [field]
    if kind == "text":
        return [_hash_field(field, f"the source's whole {field['name']}")]
    if kind == "span":
        return [_hash_field(field, f"the span's {field['name']} (texts.text[start:end])")]
    return [*_offset_fields(field), _hash_field(field, f"{field['name']}")]


def open_schema(schema: TableSchema) -> TableSchema:
    """The open flavour's schema of a table: every third-party field replaced by :func:`open_fields`."""
    third_party_columns(schema)  # checks the markers
    descriptor = copy.deepcopy(schema.descriptor)
    descriptor["fields"] = [new for field in schema.fields for new in open_fields(field)]
    names = [f["name"] for f in descriptor["fields"]]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise BuildError(f"schemas/{schema.name}.json: the open flavour's columns {', '.join(clashes)} clash with "
                         "existing columns; rename one")
    return TableSchema(schema.name, descriptor)


# --- Values ----------------------------------------------------------------

def read_texts(package_dir: Path) -> dict[str, str]:
    """source_id -> normalised text of a full package, read row group by row group."""
    texts: dict[str, str] = {}
    for table in table_batches(package_dir, "texts", ["source_id", "text"]):
        texts.update(zip(table.column(0).to_pylist(), table.column(1).to_pylist()))
    return texts


def _phrase_columns(schema: TableSchema, name: str, values: list[str | None], sources: list[str],
                    keys: list[str], texts: dict[str, str]) -> list[list[Any]]:
    """start, end and SHA-256 of each value's first occurrence in its source's text."""
    starts: list[int | None] = []
    ends: list[int | None] = []
    hashes: list[str | None] = []
    for value, source_id, key in zip(values, sources, keys):
        if not value:
            starts.append(None)
            ends.append(None)
            hashes.append(None)
            continue
        start = texts.get(source_id, "").find(value)
        if start < 0:
            raise BuildError(f"{schema.name} row {key}: {name} {value!r} is not written in the text of source "
                             f"{source_id!r}, so the open flavour cannot point at it; correct it or drop the "
                             f"{THIRD_PARTY} mark of schemas/{schema.name}.json")
        starts.append(start)
        ends.append(start + len(value))
        hashes.append(text_sha256(value))
    return [starts, ends, hashes]


def open_slice(table: pa.Table, schema: TableSchema, target: TableSchema, texts: dict[str, str]) -> pa.Table:
    """One slice of a full table as the open flavour's columns (same rows, same order)."""
    kinds = third_party_columns(schema)
    columns: dict[str, list[Any] | pa.ChunkedArray] = {}
    keys = [" ".join(str(v) for v in row) for row in zip(*(table.column(c).to_pylist() for c in schema.primary_key))]
    for name in schema.columns:
        kind = kinds.get(name)
        if kind is None:
            columns[name] = table.column(name)
            continue
        values = table.column(name).to_pylist()
        if kind == "phrase":
            found = _phrase_columns(schema, name, values, table.column("source_id").to_pylist(), keys, texts)
            columns.update(zip((f"{name}_start", f"{name}_end", f"{name}_sha256"), found))
        else:
            columns[f"{name}_sha256"] = [None if v is None else text_sha256(v) for v in values]
    arrow = target.arrow_schema()
    return pa.table([pa.array(columns[f.name], f.type) if isinstance(columns[f.name], list) else columns[f.name]
                     for f in arrow], schema=arrow).combine_chunks()


def row_groups(path: Path) -> Iterator[pa.Table]:
    """The row groups of a Parquet file, one at a time (the slices the build wrote them in)."""
    parquet = pq.ParquetFile(path)
    for group in range(parquet.num_row_groups):
        yield parquet.read_row_group(group)


# --- The open package ----------------------------------------------------------

def flavour_metadata(root: Path, flavour: str) -> dict[str, Any]:
    """``flavours.<flavour>`` of ``config/package.yaml`` in ``root``: licences, notice, description."""
    path = root / "config" / "package.yaml"
    meta = load_yaml(path) or {}
    entry = (meta.get("flavours") or {}).get(flavour)
    needed = ("notice",) if flavour == "full" else ("notice", "licenses", "description")
    if not isinstance(entry, dict) or any(not entry.get(key) for key in needed):
        raise BuildError(f"{path}: flavours.{flavour} needs {', '.join(needed)}")
    return entry


def readme_for_flavour(readme: str, notice: str, open_flavour: bool) -> str:
    """``readme`` with its flavour block stating ``notice``; the open flavour also drops the full-only blocks."""
    block = f"{README_START}\n{' '.join(notice.split())}\n{README_END}"
    if README_START in readme and README_END in readme:
        before, rest = readme.split(README_START, 1)
        readme = before + block + rest.split(README_END, 1)[1]
    else:
        title, _, body = readme.partition("\n")
        readme = f"{title}\n\n{block}\n{body}"
    while open_flavour and FULL_ONLY_START in readme:
        before, rest = readme.split(FULL_ONLY_START, 1)
        if FULL_ONLY_END not in rest:
            raise BuildError(f"README.md: {FULL_ONLY_START} without {FULL_ONLY_END}")
        readme = before.rstrip("\n") + "\n" + rest.split(FULL_ONLY_END, 1)[1].lstrip("\n")
    return readme


def open_descriptor(full: dict[str, Any], out_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """The open package's descriptor: the full one with the open licences and the open files' bytes and hashes."""
    descriptor = copy.deepcopy(full)
    descriptor["description"] = f"{full.get('description', '')} {' '.join(meta['description'].split())}".strip()
    descriptor["licenses"] = [{**lic, "title": " ".join(str(lic.get("title", "")).split())}
                              for lic in meta["licenses"]]
    descriptor[FLAVOUR_KEY] = "open"
    for resource in descriptor["resources"]:
        refresh_facts(resource, out_dir)
    return descriptor


def write_open_tables(package_dir: Path, out_dir: Path) -> dict[str, TableSchema]:
    """Every table of the full package in ``package_dir`` as the open flavour in ``out_dir``; the open schemas."""
    schemas = package_schemas(package_dir)
    needs_texts = any("phrase" in third_party_columns(s).values() for s in schemas.values())
    texts = read_texts(package_dir) if needs_texts else {}
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    (out_dir / "schemas").mkdir(exist_ok=True)
    opened = {}
    for table, schema in schemas.items():
        target = opened[table] = open_schema(schema)
        for parquet, csv in part_files(package_dir, table):   # each part (or the one file) to the same path
            slices = (open_slice(group, schema, target, texts) for group in row_groups(package_dir / parquet))
            (out_dir / parquet).parent.mkdir(parents=True, exist_ok=True)
            write_files(target, slices, out_dir / csv, out_dir / parquet)
        (out_dir / "schemas" / f"{table}.json").write_text(
            json.dumps(target.descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return opened


def write_open_package(package_dir: Path, out_dir: Path, root: Path) -> dict[str, Any]:
    """The open package of the full package in ``package_dir``, written into the new folder ``out_dir``.

    ``root`` is the project (its ``config/package.yaml`` gives the open licences). Returns the
    open descriptor. The citation files, README and documents are added by the caller.
    """
    full = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
    meta = flavour_metadata(root, "open")
    write_open_tables(package_dir, out_dir)
    # the full schemas folder's JSON (Table Schemas and expectation suites), so the hydrated package validates
    # whole; its notes (Markdown) link to documents of the project, not of hydrate/
    shutil.copytree(package_dir / "schemas", out_dir / HYDRATE_DIR / "schemas", ignore=shutil.ignore_patterns("*.md"))
    shutil.copyfile(package_dir / "datapackage.json", out_dir / HYDRATE_DIR / "datapackage.json")
    descriptor = open_descriptor(full, out_dir, meta)
    (out_dir / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    return descriptor


def is_open(descriptor: dict[str, Any]) -> bool:
    """Whether a package descriptor is of the open flavour (it holds no third-party text)."""
    return descriptor.get(FLAVOUR_KEY) == "open"
