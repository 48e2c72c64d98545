"""The maintainer's flow: ``add`` drafts an article into the dataset, ``review`` records a person's review.

``python -m scripts add data/raw/FILE [--site SITE]`` takes one raw article
already in ``data/raw/`` (never edited afterwards), the entity registry and
the site profiles. It drafts the article (:mod:`scripts.draft`), checks that
the draft resolves, and writes ``annotations/sources/<source_id>.yaml`` with
``review: {status: drafted}``, appending the entities it proposes to
``annotations/entities.yaml`` marked ``status: proposed`` (ids that cannot
collide with the registry's). It refuses a raw file the dataset already has.

``python -m scripts review SOURCE_ID --by NAME [--date YYYY-MM-DD]`` takes one
source's annotation file; when every span of it resolves against the
registry, it sets ``review: {status: reviewed, by, date}`` and removes
``status: proposed`` from every registry entity the source uses (they become
ordinary registry entries). Both commands edit the YAML files as text, so
comments and layout are kept, and write each file with one atomic rename.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from scripts import annotations as ann
from scripts.errors import BuildError
from scripts.hashing import file_sha256
from scripts.normalise import load_site_profiles
from scripts.sources import RAW_DIR, build_source
from scripts.transaction import writing_command

# A top-level key of a YAML file and the indented or blank lines that belong to it.
TOP_LEVEL_BLOCK = r"^{key}:[^\n]*\n(?:(?:[ \t]+[^\n]*)?\n)*?(?=\S|\Z)"


# --- Load ---------------------------------------------------------------------

def raw_name(path: Path, raw_dir: Path = RAW_DIR) -> str:
    """The name of ``path`` inside ``raw_dir`` (as ``raw_file`` writes it); a BuildError when outside."""
    resolved, root = path.resolve(), raw_dir.resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        raise BuildError(f"{path}: not a file in {raw_dir}; copy the article there first, byte for byte as "
                         "received, then add it")
    if not resolved.is_file():
        raise BuildError(f"{path}: no such file")
    return resolved.relative_to(root).as_posix()


def sources_using(raw_file: str, raw_dir: Path, sources_dir: Path) -> list[str]:
    """Annotation files whose raw file is ``raw_file`` or has the same bytes (only files of the same
    size are hashed)."""
    size, digest = file_sha256(raw_dir / raw_file)
    found = []
    for path in sorted(sources_dir.glob("*.yaml")):
        named = str(ann.load_source_annotation(path).data.get("raw_file") or "")
        other = raw_dir / named
        if named == raw_file or (named and other.is_file() and other.stat().st_size == size
                                 and file_sha256(other)[1] == digest):
            found.append(path.name)
    return found


# --- Process ------------------------------------------------------------------

def review_block(status: str, by: str | None = None, date: str | None = None) -> str:
    """The ``review:`` mapping of a source file, in block style."""
    lines = ["review:", f"  status: {status}"]
    if by is not None:
        lines.append(f"  by: {_yaml_string(by)}")
    if date is not None:
        lines.append(f"  date: {date}")
    return "\n".join(lines) + "\n"


def _yaml_string(value: str) -> str:
    """One YAML scalar on one line (a person's name may contain ':' or quotes)."""
    import yaml

    return str(yaml.safe_dump(value, allow_unicode=True, width=10**9)).removesuffix("\n...\n").rstrip("\n")


def with_review(text: str, block: str, where: str) -> str:
    """``text`` of a source file with its ``review:`` block replaced by ``block``."""
    pattern = re.compile(TOP_LEVEL_BLOCK.format(key="review"), re.M)
    found = pattern.search(text)
    if found is None:
        raise BuildError(f"{where}: no top-level 'review:' entry to update")
    blank = "\n" if found.group(0).endswith("\n\n") else ""
    return text[:found.start()] + block + blank + text[found.end():]


def without_proposed_status(registry_text: str, entity_ids: set[str], where: str) -> str:
    """The registry with the ``status: proposed`` line removed from the entries of ``entity_ids``."""
    out: list[str] = []
    current: str | None = None
    for line in registry_text.splitlines(keepends=True):
        entry = re.match(r"^\s*- id:\s*(\S+)\s*$", line)
        if entry:
            current = entry.group(1).strip("'\"")
        if current in entity_ids and re.match(rf"^\s+status:\s*{ann.PROPOSED}\s*$", line):
            continue
        out.append(line)
    return "".join(out)


def entities_used(rows: dict[str, list[dict[str, Any]]]) -> set[str]:
    """Entity ids a source's rows refer to (mentions, speakers, channels, credited sources)."""
    from scripts.schema import load_schema

    used: set[str] = set()
    for table, table_rows in rows.items():
        for column in load_schema(table).columns_referencing("entities"):
            used |= {row[column] for row in table_rows if row.get(column)}
    return used


def resolve_source(path: Path, registry: dict[str, ann.Entity], raw_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """Every row of one source file, resolved against the registry (BuildError on any problem)."""
    source = ann.load_source_annotation(path)
    built = build_source(source, load_site_profiles(), raw_dir)
    return {"sources": [built.source_row], "texts": [built.text_row],
            "mentions": ann.resolve_mentions(source, built.text, registry),
            "quotes": ann.resolve_quotes(source, built.text, registry),
            "statistics": ann.resolve_statistics(source, built.text, registry)}


def unreviewed(package_dir: Path) -> dict[str, list[str]]:
    """Ids of the drafted sources and proposed entities of a built package, by table."""
    from scripts.parts import read_table

    found: dict[str, list[str]] = {}
    for table, key, status in (("sources", "source_id", "drafted"), ("entities", "entity_id", ann.PROPOSED)):
        columns = read_table(package_dir, table, [key, "review_status"]).to_pydict()
        found[table] = sorted(i for i, s in zip(columns[key], columns["review_status"]) if s == status)
    return found


def describe_unreviewed(found: dict[str, list[str]], shown: int = 10) -> str | None:
    """One line naming the drafted sources and proposed entities, or None when everything is reviewed."""
    parts = []
    for table, what in (("sources", "drafted sources"), ("entities", "proposed entities")):
        ids = found[table]
        if ids:
            more = f" and {len(ids) - shown} more" if len(ids) > shown else ""
            parts.append(f"{len(ids)} {what} ({', '.join(ids[:shown])}{more})")
    return "; ".join(parts) or None


# --- Save ---------------------------------------------------------------------

def replace_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` with one atomic rename (never a half-written file)."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    os.replace(temporary, path)


# --- Commands -------------------------------------------------------------------

def add_article(raw_path: Path, site: str | None = None, registry_path: Path = ann.REGISTRY_PATH,
                sources_dir: Path = ann.SOURCES_DIR, raw_dir: Path = RAW_DIR) -> Path:
    """Draft ``raw_path`` into ``sources_dir`` and the registry; returns the new annotation file."""
    from scripts.draft import annotation_yaml, draft_article, entity_entries, merge_proposals

    # Load
    raw_file = raw_name(raw_path, raw_dir)
    taken = sources_using(raw_file, raw_dir, sources_dir)
    if taken:
        raise BuildError(f"{raw_path}: already in the dataset (annotations/sources/{', '.join(taken)}); "
                         "a raw file is added once")
    registry = ann.load_registry(registry_path)
    profiles = load_site_profiles()

    # Process
    article = draft_article(str(raw_dir / raw_file), registry, profiles, site=site)
    article.raw_file = raw_file
    base, number = article.source_id, 2
    while (sources_dir / f"{article.source_id}.yaml").exists():
        article.source_id, number = f"{base}-{number}", number + 1
    proposed = merge_proposals([article], registry)
    source_text = annotation_yaml(article)
    registry_text = registry_path.read_text(encoding="utf-8")
    if proposed:
        registry_text = registry_text.rstrip("\n") + "\n" + "\n".join(entity_entries(proposed)) + "\n"
    # the draft must resolve before anything is written
    with tempfile.TemporaryDirectory() as scratch:
        trial_registry = Path(scratch) / "entities.yaml"
        trial_registry.write_text(registry_text, encoding="utf-8")
        trial_source = Path(scratch) / f"{article.source_id}.yaml"
        trial_source.write_text(source_text, encoding="utf-8")
        trial = ann.load_registry(trial_registry)
        missing = [e.entity_id for e in proposed if e.entity_id not in trial]
        if missing:
            raise BuildError(f"{registry_path}: appending the proposed entities did not add {', '.join(missing)}; "
                             "the file must end with its 'entities:' list")
        resolve_source(trial_source, trial, raw_dir)

    # Save
    target = sources_dir / f"{article.source_id}.yaml"
    replace_text(registry_path, registry_text)
    replace_text(target, source_text)
    print(f"drafted {raw_file} into {target} (review: drafted), "
          f"{len(article.quotes)} quotes, {len(article.statistics)} statistics; "
          f"{len(proposed)} proposed entities appended to {registry_path}")
    for warning in article.warnings:
        print(f"warning: {warning}")
    print(f"next: review it against docs/annotation-guidelines.md, then "
          f"python -m scripts review {article.source_id} --by NAME")
    return target


def review_source(source_id: str, by: str, date: str, registry_path: Path = ann.REGISTRY_PATH,
                  sources_dir: Path = ann.SOURCES_DIR, raw_dir: Path = RAW_DIR) -> list[str]:
    """Record the review of ``source_id``; returns the proposed entities it confirmed."""
    # Load
    path = sources_dir / f"{source_id}.yaml"
    if not path.is_file():
        raise BuildError(f"{path}: no such source (python -m scripts add data/raw/FILE creates it)")
    if not by.strip():
        raise BuildError("--by: the reviewer's name is required")
    refused = ann.formula_problems({"by": by.strip()}, "--by")  # it fills sources.reviewed_by
    if refused:
        raise BuildError.of(refused)
    try:
        date = dt.date.fromisoformat(date).isoformat()
    except ValueError:
        raise BuildError(f"--date {date!r}: expected YYYY-MM-DD") from None
    registry = ann.load_registry(registry_path)

    # Process: the source must resolve as it stands before it is called reviewed
    rows = resolve_source(path, registry, raw_dir)
    confirmed = sorted(e for e in entities_used(rows) if registry[e].proposed)
    source_text = with_review(path.read_text(encoding="utf-8"), review_block("reviewed", by.strip(), date), str(path))
    registry_text = without_proposed_status(registry_path.read_text(encoding="utf-8"), set(confirmed),
                                            str(registry_path))

    # Save
    replace_text(path, source_text)
    replace_text(registry_path, registry_text)
    still = sorted(e.entity_id for e in ann.load_registry(registry_path).values() if e.proposed)
    print(f"{source_id}: reviewed by {by.strip()} on {date}; {len(confirmed)} proposed entities confirmed"
          + (f" ({', '.join(confirmed)})" if confirmed else "")
          + (f"; {len(still)} entities of the registry are still proposed" if still else ""))
    return confirmed


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, metavar="data/raw/FILE", help="the raw article, already in data/raw/")
    parser.add_argument("--site", default=None, help="site profile of config/sites.yaml (default: the one whose "
                                                     "header matches, else plain)")


def add_command(args: argparse.Namespace) -> None:
    """``python -m scripts add data/raw/FILE [--site SITE]``: holds the project's lock (one writer at a time)."""
    with writing_command(ann.ROOT, "add"):
        add_article(args.file, site=args.site)


def review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source_id", metavar="SOURCE_ID", help="the source (annotations/sources/SOURCE_ID.yaml)")
    parser.add_argument("--by", required=True, metavar="NAME", help="who reviewed it")
    parser.add_argument("--date", default=None, help="review date YYYY-MM-DD (default: today)")


def review_command(args: argparse.Namespace) -> None:
    """``python -m scripts review SOURCE_ID --by NAME [--date YYYY-MM-DD]``: holds the project's lock."""
    with writing_command(ann.ROOT, "review"):
        review_source(args.source_id, args.by, args.date or dt.date.today().isoformat())
