"""Re-anchor a source's annotation to the current bytes of its raw file: ``python -m scripts reanchor SOURCE_ID``.

Takes ``annotations/sources/SOURCE_ID.yaml`` (whose ``raw_sha256`` names the
bytes it was made on), its raw file in ``data/raw/`` as it is now, the entity
registry, and the last package built from the old bytes (by default the
project's published ``data/*.parquet``: the source's text, spans and mentions
as they were). It resolves every span of the annotation again against the new
bytes and reports, per entry, the spans that **moved** (same text and
occurrence, another offset), that **vanished** (not found, or ambiguous),
every other **problem** the build would report, and the entries that may now
name **another occurrence** (their text occurs more or fewer times than before, so
``occurrence`` may point elsewhere), plus the derived mentions that moved,
appeared or are no longer matched.

It records the new hash (``raw_sha256``) in the annotation file, one atomic
rename, only when every span resolves, none may name another occurrence and
the old spans are known; otherwise it writes nothing and exits with status 1.
``--force`` records the new hash anyway (the build then reports each span
that does not resolve). A file without ``raw_sha256`` (made before the pin
existed) gets it the same way: that is how the curated files were pinned.
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts import annotations as ann
from scripts.annotations import ROOT
from scripts.errors import BuildError, Problems
from scripts.hashing import file_sha256
from scripts.normalise import load_site_profiles
from scripts.parts import has_table
from scripts.review import replace_text
from scripts.sources import PACKAGE_RAW_DIR, RAW_DIR, build_source, raw_path_of

# The tables whose entries the annotation locates by text and occurrence, and their id columns.
SPAN_TABLES = {"quotes": "quote_id", "statistics": "statistic_id"}
# What the messages of :func:`scripts.annotations.locate` say of a span that cannot be found any more.
SPAN_LOST = ("not found in the normalised text", "is ambiguous", "does not exist (the text occurs")
# The top-level line that holds the hash, and the one it is written after when it is missing.
RAW_SHA256_LINE = re.compile(r"^raw_sha256:[^\n]*\n", re.M)
RAW_FILE_LINE = re.compile(r"^raw_file:[^\n]*\n", re.M)


@dataclass
class Previous:
    """What the last package holds of a source: its raw hash, its text and its rows by id."""

    raw_sha256: str
    text: str
    rows: dict[str, dict[str, tuple[int, int, str]]] = field(default_factory=dict)  # table -> id -> (start, end, text)


@dataclass
class Report:
    """What re-anchoring found; ``blocking`` lines stop the hash from being recorded."""

    lines: list[str] = field(default_factory=list)
    blocking: list[str] = field(default_factory=list)


# --- Load ---------------------------------------------------------------------

def previous_rows(package_dir: Path, source_id: str) -> Previous | None:
    """The source's rows in the package of ``package_dir`` (None when it has no such source)."""
    from scripts.parts import read_table

    def read(table: str, columns: list[str]) -> dict[str, list[Any]]:
        return read_table(package_dir, table, columns, filters=[("source_id", "=", source_id)]).to_pydict()

    try:
        sources = read("sources", ["raw_sha256"])
        if not sources["raw_sha256"]:
            return None
        previous = Previous(sources["raw_sha256"][0], read("texts", ["text"])["text"][0])
        for table, id_column in {**SPAN_TABLES, "mentions": "mention_id"}.items():
            rows = read(table, [id_column, "start", "end", "text"])
            previous.rows[table] = {i: (s, e, t) for i, s, e, t in
                                    zip(rows[id_column], rows["start"], rows["end"], rows["text"])}
    except (OSError, IndexError, KeyError, ValueError) as exc:
        raise BuildError(f"{package_dir / 'data'}: the source's previous rows cannot be read: {exc}") from None
    return previous


# --- Process ------------------------------------------------------------------

def _short(text: str, width: int = 50) -> str:
    return repr(text if len(text) <= width else text[:width - 1] + "…")


def compare_spans(rows: dict[str, list[dict[str, Any]]], previous: Previous, report: Report) -> None:
    """Moved spans of quotes and statistics, and moved, new and no longer matched mentions."""
    for table, id_column in SPAN_TABLES.items():
        for row in rows[table]:
            old = previous.rows[table].get(str(row.get(id_column)))
            if old is not None and old[0] != row["start"]:
                report.lines.append(f"moved: {row['_where']}: {old[0]}-{old[1]} -> {row['start']}-{row['end']}")
    old_mentions = previous.rows["mentions"]
    new_mentions = {row["mention_id"]: row for row in rows["mentions"]}
    moved = [i for i, row in new_mentions.items() if i in old_mentions and old_mentions[i][0] != row["start"]]
    gone = sorted((old_mentions[i][0], old_mentions[i][2]) for i in old_mentions if i not in new_mentions)
    added = sorted((row["start"], row["text"]) for i, row in new_mentions.items() if i not in old_mentions)
    report.lines.append(f"mentions: {len(moved)} moved, {len(gone)} no longer matched, {len(added)} new")
    report.lines += [f"mention no longer matched: {text!r} at {start}" for start, text in gone]
    report.lines += [f"new mention: {text!r} at {start}" for start, text in added]


def occurrence_shifts(source: ann.SourceAnnotation, old_text: str, new_text: str, report: Report) -> None:
    """Entries whose text occurs another number of times than before: their occurrence may name another span."""
    entries = [(f"{table}[{i}]", entry) for table in SPAN_TABLES
               for i, entry in enumerate(getattr(source, table), start=1)]
    entries += [(f"mentions.{key}[{i}]", entry) for key in ("assign", "exclude", "add")
                for i, entry in enumerate(source.mentions.get(key) or [], start=1)]
    for where, entry in entries:
        needle = entry.get("text") if isinstance(entry, dict) else None
        if not isinstance(needle, str) or not needle:
            continue
        before, now = len(ann.occurrences(old_text, needle)), len(ann.occurrences(new_text, needle))
        if before != now and now:
            report.blocking.append(f"another occurrence?: {source.path}: {where} ({_short(needle)}): the text occurs "
                                   f"{now} times now, {before} before; check its 'occurrence'")


def resolve_all(source: ann.SourceAnnotation, raw_dir: Path, registry: dict[str, ann.Entity],
                problems: Problems) -> tuple[str | None, dict[str, list[dict[str, Any]]]]:
    """The new text and rows of the source, with every problem (a span that vanished) in ``problems``."""
    built = None
    with problems.collect():
        built = build_source(source, load_site_profiles(), raw_dir, problems, pinned=False)
    if built is None:
        return None, {}
    rows = {"mentions": ann.resolve_mentions(source, built.text, registry, problems),
            "quotes": ann.resolve_quotes(source, built.text, registry, problems),
            "statistics": ann.resolve_statistics(source, built.text, registry, problems)}
    return built.text, rows


def with_raw_sha256(text: str, raw_sha256: str, where: str) -> str:
    """The annotation file's text with its top-level ``raw_sha256:`` line set (added after ``raw_file:``)."""
    line = f"raw_sha256: {raw_sha256}\n"
    if RAW_SHA256_LINE.search(text):
        return RAW_SHA256_LINE.sub(line, text, count=1)
    found = RAW_FILE_LINE.search(text)
    if found is None:
        raise BuildError(f"{where}: no top-level 'raw_file:' line to write 'raw_sha256:' after")
    return text[:found.end()] + line + text[found.end():]


# --- Command ------------------------------------------------------------------

def reanchor(source_id: str, force: bool = False, package_dir: Path = ROOT, sources_dir: Path = ann.SOURCES_DIR,
             raw_dir: Path = RAW_DIR, registry_path: Path = ann.REGISTRY_PATH) -> Report:
    """Re-resolve ``source_id`` against its raw file's bytes and record their hash; returns the report.

    Raises a BuildError holding the report, and writes nothing, when a span vanished or may name
    another occurrence, or when the old spans are unknown (unless ``force``).
    """
    # Load
    path = sources_dir / f"{source_id}.yaml"
    if not path.is_file():
        raise BuildError(f"{path}: no such source")
    source = ann.load_source_annotation(path)
    raw_path = raw_path_of(source.data.get("raw_file"), raw_dir, str(path))
    new_sha256 = file_sha256(raw_path)[1]
    recorded = source.data.get("raw_sha256")
    if recorded == new_sha256:
        return Report([f"{source_id}: already anchored to the bytes of {raw_path} ({new_sha256}); nothing to do"])
    previous = previous_rows(package_dir, source_id) if has_table(package_dir, "sources") else None
    registry = ann.load_registry(registry_path)

    # Process
    report = Report([f"{source_id}: raw file {PACKAGE_RAW_DIR}/{source.data['raw_file']}: SHA-256 "
                     f"{recorded or '(none recorded)'} -> {new_sha256}"])
    problems = Problems()
    text, rows = resolve_all(source, raw_dir, registry, problems)
    report.blocking += [f"{'vanished' if any(m in message for m in SPAN_LOST) else 'problem'}: {message}"
                        for message in problems.messages]
    baseline = previous is not None and previous.raw_sha256 == (recorded or previous.raw_sha256)
    if previous is None or not baseline:
        report.blocking.append(
            f"no rows of {source_id} built from {recorded or 'the recorded bytes'} in {package_dir / 'data'}: the "
            "old offsets are unknown, so moved spans and occurrences that now name another span cannot be told")
    elif text is not None:
        occurrence_shifts(source, previous.text, text, report)
        if rows:
            compare_spans(rows, previous, report)

    # Save (all or nothing: one atomic rename of the annotation file)
    if report.blocking and not force:
        raise BuildError.of([*report.lines, *report.blocking,
                             f"nothing written: {path} keeps raw_sha256 {recorded}; fix the entries above and run "
                             "again, or record the new hash with --force and fix them as the build reports them"])
    replace_text(path, with_raw_sha256(path.read_text(encoding="utf-8"), new_sha256, str(path)))
    report.lines.append(f"recorded raw_sha256 {new_sha256} in {path}"
                        + (" (--force: the problems above remain)" if report.blocking else ""))
    return report


def reanchor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source_id", metavar="SOURCE_ID", help="the source (annotations/sources/SOURCE_ID.yaml)")
    parser.add_argument("--force", action="store_true",
                        help="record the new hash even when spans vanished, may name another occurrence, or the "
                             "old spans are unknown")
    parser.add_argument("--package", type=Path, default=ROOT, metavar="DIR",
                        help="the package built from the old bytes (default: the project's published data/)")


def reanchor_command(args: argparse.Namespace) -> None:
    """``python -m scripts reanchor SOURCE_ID [--force] [--package DIR]``."""
    report = reanchor(args.source_id, force=args.force, package_dir=args.package)
    print("\n".join([*report.lines, *report.blocking]))
