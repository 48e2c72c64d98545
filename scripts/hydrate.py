"""Hydrate an open package: restore its third-party text from the user's own copies of the articles.

``python -m scripts hydrate OPEN_ZIP_OR_DIR --raw DIR --out DIR`` takes an
open package (:mod:`scripts.flavours`; a release's ``-open.zip`` or its
folder) and a folder of article files under any names. Each source is matched
by the SHA-256 of a file's bytes (``sources.raw_sha256``), else by the
SHA-256 of the file's normalised text (``sources.text_sha256``, normalised
by :mod:`scripts.normalise` with the source's site profile). It restores
``texts.text`` and every column the schemas mark ``thirdPartyText`` from the
matched texts, checking every restored value against its SHA-256 (and so
every span against its offsets), and writes the full package: the same CSV
and Parquet bytes and the same ``datapackage.json`` as the release's full
flavour (the descriptor in the open package's ``hydrate/`` folder, whose file
hashes are checked against the written files), with the raw files matched by
their bytes under ``data/raw/``.

Sources with no matching file are named, and the rest are still hydrated: the
package then lacks their rows and says so in ``datapackage.json``
(``hydration``) and on the terminal. A source matched by its text only gets
its rows but not its raw file (the user's bytes differ from the release's);
``hydration`` names those too. The package is written into a staging folder
beside ``--out`` and renamed into place once complete; a BuildError leaves
nothing behind. Time is linear in the rows and the files; tables are read and
written one row group at a time, with the matched texts in memory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pyarrow as pa

from scripts.errors import BuildError, Problems
from scripts.flavours import HYDRATE_DIR, is_open, open_schema, row_groups, third_party_columns
from scripts.hashing import file_sha256, text_sha256
from scripts.normalise import SiteProfile, load_site_profiles, normalise_file
from scripts.schema import TABLES, TableSchema
from scripts.package import declared_facts, refresh_facts
from scripts.parts import part_files, table_batches
from scripts.untrusted import package_schemas
from scripts.tables import write_files

SHOWN_PROBLEMS = 20


@dataclass
class Source:
    """What the open package says of one article, and what was found for it."""

    source_id: str
    raw_path: str
    raw_sha256: str
    text_sha256: str
    site_id: str
    file: Path | None = None   # the user's file matched by its bytes
    text: str | None = None


@dataclass
class Hydration:
    """The outcome: the folder written, and the sources not found or without their raw file."""

    out_dir: Path
    hydrated: list[str] = field(default_factory=list)
    missing: list[Source] = field(default_factory=list)
    raw_not_restored: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.raw_not_restored


# --- Matching the user's files -------------------------------------------------

def read_sources(package_dir: Path) -> dict[str, Source]:
    """The open package's sources, by source_id (a few short fields per article)."""
    columns = ["source_id", "raw_path", "raw_sha256", "text_sha256", "site_id"]
    sources: dict[str, Source] = {}
    for group in table_batches(package_dir, "sources", columns):
        for values in zip(*(group.column(c).to_pylist() for c in columns)):
            sources[values[0]] = Source(*values)
    return sources


def user_files(raw_dir: Path) -> list[Path]:
    """Every regular file under ``raw_dir`` (hidden ones aside), in a fixed order."""
    if not raw_dir.is_dir():
        raise BuildError(f"{raw_dir}: --raw must be a folder of article files")
    return sorted(p for p in raw_dir.rglob("*") if p.is_file() and not any(part.startswith(".")
                                                                            for part in p.relative_to(raw_dir).parts))


def normalised_text(path: Path, profile: SiteProfile) -> str | None:
    """The normalised text of a file under a site profile; None when it is no article of that site."""
    try:
        return normalise_file(path, profile).text
    except BuildError:
        return None


def match_sources(sources: dict[str, Source], files: list[Path], profiles: dict[str, SiteProfile]) -> None:
    """Give each source its text: by the file's bytes, else by its normalised text (in place)."""
    by_raw: dict[str, Path] = {}
    for path in files:
        by_raw.setdefault(file_sha256(path)[1], path)
    problems = Problems()
    for source in sources.values():
        if source.raw_sha256 not in by_raw:
            continue
        path = by_raw[source.raw_sha256]
        if source.site_id not in profiles:
            problems.add(f"sources row {source.source_id}: site_id {source.site_id!r} is not in config/sites.yaml")
            continue
        text = normalised_text(path, profiles[source.site_id])
        if text is None or text_sha256(text) != source.text_sha256:
            problems.add(f"{path}: its bytes are those of {source.source_id} (raw_sha256), but its normalised text "
                         "does not have the text_sha256 of the package: hydrate with the release's version of "
                         "scripts/normalise.py and config/sites.yaml")
            continue
        source.file, source.text = path, text
    problems.raise_if_any()
    used = {s.file for s in sources.values() if s.file is not None}
    wanted = {s.site_id for s in sources.values() if s.text is None and s.site_id in profiles}
    by_text: dict[tuple[str, str], str] = {}
    for path in (p for p in files if p not in used):
        for site_id in sorted(wanted):
            text = normalised_text(path, profiles[site_id])
            if text is not None:
                by_text.setdefault((site_id, text_sha256(text)), text)
    for source in sources.values():
        if source.text is None:
            source.text = by_text.get((source.site_id, source.text_sha256))


# --- Restoring the columns --------------------------------------------------------

def _restored(name: str, kind: str, group: pa.Table, texts: list[str], keys: list[str],
              problems: Problems, table: str) -> list[str | None]:
    """The values of a third-party column restored from the texts, each checked against its SHA-256."""
    hashes = group.column(f"{name}_sha256").to_pylist()
    if kind == "text":
        spans: list[tuple[int, int] | None] = [(0, len(text)) for text in texts]
    else:
        starts = group.column("start" if kind == "span" else f"{name}_start").to_pylist()
        ends = group.column("end" if kind == "span" else f"{name}_end").to_pylist()
        spans = [None if s is None or e is None else (s, e) for s, e in zip(starts, ends)]
    values: list[str | None] = []
    for key, text, span, digest in zip(keys, texts, spans, hashes):
        if span is None or digest is None:
            if (span is None) != (digest is None):
                problems.add(f"{table} row {key}: {name}: offsets and {name}_sha256 must both be given or both be empty")
            values.append(None)
            continue
        value = text[span[0]:span[1]]
        if not 0 <= span[0] < span[1] <= len(text) or text_sha256(value) != digest:
            problems.add(f"{table} row {key}: {name} at [{span[0]}, {span[1]}) does not have its SHA-256 {digest}")
        values.append(value)
    return values


def hydrated_slices(table: str, full: TableSchema, texts: dict[str, str], parquet: Path,
                    problems: Problems) -> Iterator[pa.Table]:
    """The row groups of one file (or part) ``parquet`` of an open table with the third-party columns
    restored, rows of unmatched sources left out."""
    kinds = third_party_columns(full)
    by_source = "source_id" in full.columns and table != "entities"
    target = full.arrow_schema()
    for group in row_groups(parquet):
        if by_source:
            keep = pa.array([s in texts for s in group.column("source_id").to_pylist()], pa.bool_())
            group = group.filter(keep)
        keys = [" ".join(str(v) for v in row) for row in zip(*(group.column(c).to_pylist() for c in full.primary_key))]
        row_texts = [texts[s] for s in group.column("source_id").to_pylist()] if kinds else []
        columns: list[Any] = []
        for column in target:
            kind = kinds.get(column.name)
            if kind is None:
                columns.append(group.column(column.name))
            else:
                values = _restored(column.name, kind, group, row_texts, keys, problems, table)
                columns.append(pa.array(values, column.type))
        yield pa.table(columns, schema=target).combine_chunks()


# --- The package -----------------------------------------------------------------

def check_open_package(package_dir: Path) -> tuple[dict[str, Any], dict[str, TableSchema]]:
    """The full descriptor and full schemas an open package carries, after checking that it is one."""
    try:
        descriptor = json.loads((package_dir / "datapackage.json").read_text(encoding="utf-8"))
        full = json.loads((package_dir / HYDRATE_DIR / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BuildError(f"{package_dir}: not an open package (datapackage.json and {HYDRATE_DIR}/datapackage.json "
                         f"are needed): {exc}") from None
    if not is_open(descriptor):
        raise BuildError(f"{package_dir / 'datapackage.json'}: not an open package (no \"flavour\": \"open\"); "
                         "a full package needs no hydration")
    schemas = package_schemas(package_dir / HYDRATE_DIR)
    held = package_schemas(package_dir)
    for table, schema in schemas.items():
        if open_schema(schema).descriptor != held[table].descriptor:
            raise BuildError(f"{package_dir / 'schemas' / f'{table}.json'}: is not the open flavour of "
                             f"{HYDRATE_DIR}/schemas/{table}.json")
    return full, schemas


def _descriptor(full: dict[str, Any], staging: Path, result: Hydration) -> bytes | None:
    """The partial package's datapackage.json (None when complete: the full one is copied as it is)."""
    if result.complete:
        return None
    descriptor = json.loads(json.dumps(full))
    for resource in descriptor["resources"]:
        refresh_facts(resource, staging)
    descriptor["hydration"] = {
        "complete": False,
        "note": "Hydrated from the user's own copies; the sources below were not found (their rows are left out) "
                "or were found by their text only (no raw file).",
        "missing_sources": [s.source_id for s in result.missing],
        "raw_files_not_restored": result.raw_not_restored,
    }
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def check_written(full: dict[str, Any], staging: Path) -> None:
    """Every table file written has the bytes and SHA-256 the full flavour's descriptor gives."""
    problems = Problems()
    for resource in full["resources"]:
        for path, declared_bytes, declared_hash in declared_facts(resource):
            size, digest = file_sha256(staging / path)
            if declared_hash != f"sha256:{digest}" or declared_bytes not in (None, size):
                problems.add(f"{path}: the hydrated file differs from the full flavour's ({declared_hash}, {digest})")
    problems.raise_if_any()


def write_hydrated(package_dir: Path, full: dict[str, Any], schemas: dict[str, TableSchema],
                   sources: dict[str, Source], staging: Path, result: Hydration) -> None:
    """Tables, schemas, raw files and descriptor of the hydrated package, into ``staging``."""
    texts = {s.source_id: s.text for s in sources.values() if s.text is not None}
    problems = Problems()
    (staging / "data").mkdir(parents=True)
    for table in TABLES:
        for parquet, csv in part_files(package_dir, table):   # each part (or the one file) to the same path
            (staging / parquet).parent.mkdir(parents=True, exist_ok=True)
            write_files(schemas[table], hydrated_slices(table, schemas[table], texts, package_dir / parquet, problems),
                        staging / csv, staging / parquet)
        problems.raise_if_any()
    shutil.copytree(package_dir / HYDRATE_DIR / "schemas", staging / "schemas")
    for source in sources.values():
        if source.file is None:
            continue
        target = (staging / source.raw_path).resolve()
        if not target.is_relative_to(staging.resolve()):
            raise BuildError(f"sources row {source.source_id}: raw_path {source.raw_path!r} leaves the package")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source.file, target)
    descriptor = _descriptor(full, staging, result)
    if descriptor is None:
        check_written(full, staging)
        shutil.copyfile(package_dir / HYDRATE_DIR / "datapackage.json", staging / "datapackage.json")
    else:
        (staging / "datapackage.json").write_bytes(descriptor)


def hydrate(open_path: Path, raw_dir: Path, out_dir: Path) -> Hydration:
    """Hydrate the open package at ``open_path`` (zip or folder) from ``raw_dir`` into the new folder ``out_dir``."""
    from scripts.validate import package_folder

    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise BuildError(f"{out_dir}: exists and is not empty; hydrate writes a new folder")
    with package_folder(open_path) as folder:
        package_dir = Path(folder or ".")
        full, schemas = check_open_package(package_dir)
        sources = read_sources(package_dir)
        match_sources(sources, user_files(raw_dir), load_site_profiles())
        result = Hydration(out_dir)
        for source in sources.values():
            if source.text is None:
                result.missing.append(source)
            else:
                result.hydrated.append(source.source_id)
                if source.file is None:
                    result.raw_not_restored.append(source.source_id)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.hydrating-", dir=out_dir.parent))
        try:
            write_hydrated(package_dir, full, schemas, sources, staging, result)
            if out_dir.exists():
                out_dir.rmdir()  # empty, checked above
            os.replace(staging, out_dir)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return result


def describe(result: Hydration) -> list[str]:
    """The lines the command prints: what was hydrated, and every source it could not restore."""
    total = len(result.hydrated) + len(result.missing)
    lines = [f"hydrated {len(result.hydrated)} of {total} sources into {result.out_dir}"]
    if result.complete:
        return lines + ["complete: the tables and datapackage.json are byte-identical to the full flavour's"]
    lines.append(f"PARTIAL: datapackage.json says so under 'hydration'; {len(result.missing)} source(s) not found, "
                 f"{len(result.raw_not_restored)} without their raw file")
    lines += [f"  not found: {s.source_id} ({s.raw_path}, raw_sha256 {s.raw_sha256})"
              for s in result.missing[:SHOWN_PROBLEMS]]
    lines += [f"  found by its text only, raw file not restored: {source_id}"
              for source_id in result.raw_not_restored[:SHOWN_PROBLEMS]]
    shown = min(len(result.missing), SHOWN_PROBLEMS) + min(len(result.raw_not_restored), SHOWN_PROBLEMS)
    hidden = len(result.missing) + len(result.raw_not_restored) - shown
    return lines + ([f"  ... and {hidden} more (datapackage.json lists them all)"] if hidden else [])


def hydrate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("package", type=Path, metavar="OPEN_ZIP_OR_DIR", help="the open flavour: its zip or folder")
    parser.add_argument("--raw", type=Path, required=True,
                        help="a folder with your own copies of the articles, under any file names")
    parser.add_argument("--out", type=Path, required=True, help="the new folder for the hydrated (full) package")


def hydrate_command(args: argparse.Namespace) -> None:
    """``python -m scripts hydrate OPEN_ZIP_OR_DIR --raw DIR --out DIR``."""
    for line in describe(hydrate(args.package, args.raw, args.out)):
        print(line)
