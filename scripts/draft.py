"""Draft annotations for new articles: ``python -m scripts draft FILE... --out DIR [--jobs N]``.

Takes raw articles (plain text or Markdown, as ``data/raw/`` holds them), the
entity registry (``annotations/entities.yaml``), the site profiles
(``config/sites.yaml``) and the schemas; for each article it normalises the
text and drafts the metadata (:mod:`scripts.drafter.metadata`), mentions
(:mod:`scripts.drafter.mentions`), quotes (:mod:`scripts.drafter.quotes`)
and statistics (:mod:`scripts.drafter.numbers`). It writes

- ``DIR/annotations/<source_id>.yaml``: one annotation file per article in
  the format of ``annotations/sources/`` (spans by text and occurrence), for
  a reviewer to correct and move into ``annotations/sources/``;
- ``DIR/entities-proposed.yaml``: the entities the drafts propose, in the
  registry's format, to review and append to ``annotations/entities.yaml``;
- ``DIR/datapackage.json``, ``DIR/data/<table>.csv|parquet``: a preview
  package built from the drafts by the build itself
  (:func:`scripts.build.write_package`), with the raw articles copied into
  ``DIR/raw/``.

One bad article (unreadable, empty, binary) is reported and skipped; the
others are drafted, and the command fails at the end if any article failed.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts import annotations as ann
from scripts.drafter.mentions import DraftedEntities, draft_mentions, match_names, slug
from scripts.drafter import limits
from scripts.drafter.metadata import choose_profile, draft_metadata
from scripts.errors import BuildError
from scripts.normalise import SiteProfile, decode_raw, load_site_profiles, normalise_text
from scripts.schema import TABLES, load_schema, load_schemas
from scripts.sources import WORD

# The keys a drafted entry writes after its text: those of the schema's columns, in column order.
QUOTE_FIELDS = tuple(load_schema("quotes").annotation_keys.values())
STATISTIC_FIELDS = tuple(load_schema("statistics").annotation_keys.values())
# metadata keys written after source_id, raw_file and site; the review block is written on its own
METADATA_FIELDS = tuple(key for key in load_schema("sources").annotation_keys.values()
                        if key not in ("source_id", "site", "raw_sha256") and not key.startswith("review."))
MAX_SLUG_WORDS = 8
# libyaml's C emitter when present (the pure-Python one dominates the time of writing many drafts)
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass
class DraftedArticle:
    """Everything drafted for one article, before it is written."""

    source_id: str
    raw_path: str
    raw_file: str
    raw_sha256: str   # of the bytes drafted: the annotation is pinned to them
    site_id: str
    text: str
    metadata: dict[str, Any]
    mentions: list[dict[str, Any]]
    proposed: DraftedEntities
    quotes: list[dict[str, Any]]
    statistics: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)


# --- Load -------------------------------------------------------------------

def read_article(path: Path) -> tuple[bytes, str]:
    """The bytes and decoded text of one raw article; a BuildError names the file when it is not an article."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"{path}: cannot be read: {exc.strerror}") from None
    text = decode_raw(raw, path)  # as the build reads it, so spans agree
    return raw, text


# --- Process ----------------------------------------------------------------

def source_id_for(title: str | None, path: Path, text: str) -> str:
    """A readable slug from the title, else the file name, else the first words of the text."""
    for candidate in (title, path.stem, " ".join(text.split()[:MAX_SLUG_WORDS])):
        if candidate:
            words = slug(candidate).split("-")[:MAX_SLUG_WORDS]
            value = "-".join(w for w in words if w)
            if value and value != "entity":
                return value
    return "article"


def _occurrence(text: str, start: int, surface: str) -> int:
    return ann.occurrences(text, surface).index(start) + 1


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span without surrounding whitespace, or None if nothing is left or it is out of range."""
    if not (0 <= start < end <= len(text)):
        return None
    surface = text[start:end]
    start += len(surface) - len(surface.lstrip())
    end -= len(surface) - len(surface.rstrip())
    return (start, end) if start < end else None


def _known(entity_id: Any, entities: set[str]) -> str | None:
    return entity_id if isinstance(entity_id, str) and entity_id in entities else None


def clean_quotes(text: str, quotes: Iterable[dict[str, Any]], entities: set[str],
                 kinds: list[str], warnings: list[str]) -> list[dict[str, Any]]:
    """Quotes with a valid span, kind and known entity ids, one per span, in reading order."""
    cleaned: dict[tuple[int, int], dict[str, Any]] = {}
    for quote in quotes:
        span = _trimmed(text, int(quote.get("start", -1)), int(quote.get("end", -1)))
        if span is None or quote.get("kind") not in kinds:
            warnings.append(f"quote {quote.get('text')!r} dropped: span or kind {quote.get('kind')!r} is invalid")
            continue
        cleaned.setdefault(span, {
            "start": span[0], "end": span[1], "text": text[span[0]:span[1]], "kind": quote["kind"],
            "speaker": _known(quote.get("speaker"), entities), "speaker_text": quote.get("speaker_text") or None,
            "speaker_role": quote.get("speaker_role") or None, "cue": quote.get("cue") or None,
            "channel": _known(quote.get("channel"), entities), "note": quote.get("note") or None,
        })
    return [cleaned[k] for k in sorted(cleaned)]


def _number(value: Any) -> int | float | None:
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def _measure_from_text(text: str, end: int) -> str:
    """The counted noun right after a number, for a statistic whose measure was not drafted."""
    words = re.findall(r"[A-Za-z][\w’'-]*", text[end:end + 80])[:4]
    return " ".join(words) or "unspecified"


def clean_statistics(text: str, statistics: Iterable[dict[str, Any]], entities: set[str],
                     enums: dict[str, list[str]], warnings: list[str]) -> list[dict[str, Any]]:
    """Statistics with a valid span, enums and bounds that agree with the qualifier (else dropped, with a warning)."""
    cleaned: dict[tuple[int, int], dict[str, Any]] = {}
    for statistic in statistics:
        span = _trimmed(text, int(statistic.get("start", -1)), int(statistic.get("end", -1)))
        label = repr(statistic.get("text"))
        if span is None:
            warnings.append(f"statistic {label} dropped: its span is not in the text")
            continue
        row = {
            "start": span[0], "end": span[1], "text": text[span[0]:span[1]],
            **{key: _number(statistic.get(key)) for key in ("value", "value_low", "value_high")},
            "qualifier": statistic.get("qualifier"), "unit": statistic.get("unit"),
            "measure": statistic.get("measure") or _measure_from_text(text, span[1]),
            "period": _text_or_none(statistic.get("period")),
            "reference_period": _text_or_none(statistic.get("reference_period")),
            "attributed_to": _known(statistic.get("attributed_to"), entities),
            "note": statistic.get("note") or None,
        }
        bad_enum = [key for key in ("qualifier", "unit") if row[key] not in enums[key]]
        if bad_enum:
            warnings.append(f"statistic {label} dropped: {bad_enum[0]} {row[bad_enum[0]]!r} is not allowed")
            continue
        try:
            ann.check_bounds(row, f"statistic {label}")
        except BuildError as exc:
            warnings.append(f"dropped: {exc}")
            continue
        cleaned.setdefault(span, row)
    return [cleaned[k] for k in sorted(cleaned)]


def _text_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def draft_text(text: str, registry: dict[str, ann.Entity], label: str = "text",
               seconds: float | None = None) -> tuple[list[dict], DraftedEntities, list[dict], list[dict], list[str]]:
    """Mentions, proposed entities, quotes and statistics of one normalised text, with the problems met.

    A text that takes longer than ``seconds`` (default :data:`scripts.drafter.limits.DRAFT_TIME_LIMIT`)
    raises a BuildError naming ``label`` (the article's path)."""
    with limits.time_limit(limits.DRAFT_TIME_LIMIT if seconds is None else seconds, label):
        return _draft_text(text, registry)


def _draft_text(text: str, registry: dict[str, ann.Entity]) -> tuple[list[dict], DraftedEntities, list[dict], list[dict], list[str]]:
    from scripts.drafter.numbers import extract_statistics
    from scripts.drafter.quotes import extract_quotes

    schemas = load_schemas()
    mentions, proposed = draft_mentions(text, registry)
    types = {**{e.entity_id: e.type for e in registry.values()}, **{e.entity_id: e.type for e in proposed.entities}}
    entities = set(types)
    warnings: list[str] = []
    quotes = extract_quotes(text, [(m["start"], m["end"], m["entity_id"], m["type"]) for m in mentions])
    statistics = extract_statistics(text, [(m["start"], m["end"], m["entity_id"]) for m in mentions])
    quotes = clean_quotes(text, quotes, entities, schemas["quotes"].enum("kind"), warnings)
    statistics = clean_statistics(
        text, statistics, entities,
        {key: schemas["statistics"].enum(key) for key in ("qualifier", "unit")}, warnings)
    return mentions, proposed, quotes, statistics, warnings


def draft_article(path_text: str, registry: dict[str, ann.Entity], profiles: dict[str, SiteProfile],
                  site: str | None = None) -> DraftedArticle:
    """Draft one article given by its path as typed; a BuildError names the file.

    ``site`` names the site profile to normalise with; by default the profile whose header matches.
    """
    path = Path(path_text)
    raw_bytes, raw = read_article(path)
    if site is not None and site not in profiles:
        raise BuildError(f"--site {site!r}: no such profile in config/sites.yaml; expected one of {', '.join(profiles)}")
    try:
        profile, normalised = ((profiles[site], normalise_text(raw, profiles[site])) if site is not None
                               else choose_profile(raw, profiles))
    except BuildError as exc:
        raise BuildError(f"{path}: {exc}") from None
    if not normalised.text.strip() or not WORD.search(normalised.text):
        raise BuildError(f"{path}: no article text is left after normalisation")
    metadata = draft_metadata(normalised, profile)
    mentions, proposed, quotes, statistics, warnings = draft_text(normalised.text, registry, label=path_text)
    return DraftedArticle(
        source_id=source_id_for(normalised.title, path, normalised.text), raw_path=path_text, raw_file=path.name,
        raw_sha256=hashlib.sha256(raw_bytes).hexdigest(),
        site_id=profile.site_id, text=normalised.text,
        metadata=metadata, mentions=mentions, proposed=proposed, quotes=quotes, statistics=statistics,
        warnings=warnings)


def _draft_or_error(path_text: str) -> DraftedArticle | str:
    """For the process pool: a drafted article, or the error message of a bad one."""
    try:
        return draft_article(path_text, _WORKER_STATE["registry"], _WORKER_STATE["profiles"])
    except BuildError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 -- one broken article must never stop the others
        return f"{path_text}: drafting failed: {type(exc).__name__}: {exc}"


_WORKER_STATE: dict[str, Any] = {}


def _init_worker(registry: dict[str, ann.Entity], profiles: dict[str, SiteProfile]) -> None:
    _WORKER_STATE.update(registry=registry, profiles=profiles)


def merge_proposals(articles: list[DraftedArticle], registry: dict[str, ann.Entity]) -> list[ann.Entity]:
    """One proposed entity per new name across all articles; ids are renamed where two names share one.

    Rewrites each article's entity ids (mentions, quotes, statistics, local aliases) to the merged ids,
    and recomputes its mentions with every proposed name, as the build matches every registry name in
    every text once the proposals are added to the registry.
    """
    merged: dict[str, ann.Entity] = {}  # casefolded name -> entity
    owner: dict[str, str] = {name.casefold(): e.entity_id for e in registry.values() for name in e.names}
    taken = set(registry)
    for article in articles:
        renamed: dict[str, str] = {}
        for entity in article.proposed.entities:
            key = entity.name.casefold()
            if key in owner:  # the name (or an alias) of an entity proposed for an earlier article
                renamed[entity.entity_id] = owner[key]
                earlier = next((e for e in merged.values() if e.entity_id == owner[key]), None)
                for alias in entity.aliases:
                    if earlier is not None and alias.casefold() not in owner:
                        earlier.aliases.append(alias)
                        owner[alias.casefold()] = earlier.entity_id
                continue
            new_id = entity.entity_id
            number = 2
            while new_id in taken:
                new_id, number = f"{entity.entity_id}-{number}", number + 1
            taken.add(new_id)
            aliases = [a for a in entity.aliases if a.casefold() not in owner]
            merged[key] = ann.Entity(new_id, entity.name, entity.type, aliases, entity.description)
            owner[key] = new_id
            owner.update({a.casefold(): new_id for a in aliases})
            renamed[entity.entity_id] = new_id
        _rename(article, renamed)
    full = {**registry, **{e.entity_id: e for e in merged.values()}}
    for article in articles:
        names = {name: e.entity_id for e in full.values() for name in e.names}
        local = {a: i for a, i in article.proposed.local_aliases.items() if a.casefold() not in owner}
        article.proposed.local_aliases = local
        names.update(local)
        article.mentions = [
            {"start": s, "end": e, "text": article.text[s:e], "entity_id": i, "type": full[i].type, "origin": "matched"}
            for s, e, i in match_names(article.text, names)]
    return list(merged.values())


def _rename(article: DraftedArticle, renamed: dict[str, str]) -> None:
    for quote in article.quotes:
        for key in ("speaker", "channel"):
            quote[key] = renamed.get(quote[key], quote[key])
    for statistic in article.statistics:
        statistic["attributed_to"] = renamed.get(statistic["attributed_to"], statistic["attributed_to"])
    article.proposed.local_aliases = {a: renamed.get(i, i) for a, i in article.proposed.local_aliases.items()}


def _unique_source_ids(articles: list[DraftedArticle]) -> None:
    seen: set[str] = set()
    for article in articles:
        base, number = article.source_id, 2
        while article.source_id in seen:
            article.source_id, number = f"{base}-{number}", number + 1
        seen.add(article.source_id)


# --- Save -------------------------------------------------------------------

def _scalar(value: Any) -> str:
    """One YAML scalar or flow sequence on one line."""
    dumped = yaml.dump(value, Dumper=YAML_DUMPER, allow_unicode=True, default_flow_style=True, width=10**9,
                       sort_keys=False)
    return dumped.removesuffix("\n...\n").rstrip("\n")


def _entries(name: str, rows: list[dict[str, Any]], fields: tuple[str, ...], text: str) -> list[str]:
    if not rows:
        return [f"{name}: []"]
    lines = [f"{name}:"]
    for row in rows:
        lines.append(f"  - text: {_scalar(row['text'])}")
        occurrence = _occurrence(text, row["start"], row["text"])
        if len(ann.occurrences(text, row["text"])) > 1:
            lines.append(f"    occurrence: {occurrence}")
        lines += [f"    {key}: {_scalar(row[key])}" for key in fields]
    return lines


def annotation_yaml(article: DraftedArticle) -> str:
    """The article's annotation file, in the format of ``annotations/sources/*.yaml``."""
    metadata = article.metadata
    lines = [
        f"# Drafted from {article.raw_file} by the drafter. Review every entry against docs/annotation-guidelines.md",
        "# (format: docs/annotation-format.md), then record the review: python -m scripts review SOURCE_ID --by NAME",
        f"source_id: {article.source_id}", f"raw_file: {_scalar(article.raw_file)}",
        f"raw_sha256: {article.raw_sha256}", f"site: {article.site_id}",
    ]
    # an ISO date is written bare, as in the curated files (YAML reads it as a date, the build accepts both)
    lines += [f"{key}: {metadata[key] if key == 'published_date' and metadata[key] else _scalar(metadata[key])}"
              for key in METADATA_FIELDS]
    lines += ["review:", "  status: drafted"]
    lines += ["", *_entries("quotes", article.quotes, QUOTE_FIELDS, article.text)]
    lines += ["", *_entries("statistics", article.statistics, STATISTIC_FIELDS, article.text)]
    lines += ["", "mentions:"]
    aliases = article.proposed.local_aliases
    lines.append("  aliases: {}" if not aliases else "  aliases:")
    lines += [f"    {_scalar(alias)}: {entity_id}" for alias, entity_id in sorted(aliases.items())]
    return "\n".join(lines) + "\n"


def entity_entries(entities: list[ann.Entity]) -> list[str]:
    """Registry entries (``  - id: ...`` blocks) of proposed entities, marked ``status: proposed``."""
    lines: list[str] = []
    for entity in entities:
        lines += [f"  - id: {entity.entity_id}", f"    name: {_scalar(entity.name)}", f"    type: {entity.type}",
                  f"    aliases: {_scalar(entity.aliases)}", f"    description: {_scalar(entity.description)}",
                  f"    status: {ann.PROPOSED}"]
    return lines


def entities_yaml(entities: list[ann.Entity]) -> str:
    """Proposed entities in the registry's format, to append to ``annotations/entities.yaml``."""
    lines = ["# Entities proposed by `python -m scripts draft`: review the type and description, merge",
             "# duplicates of registry entities, then append to annotations/entities.yaml.",
             "entities:" if entities else "entities: []", *entity_entries(entities)]
    return "\n".join(lines) + "\n"


def write_preview(articles: list[DraftedArticle], proposed: list[ann.Entity], out_dir: Path,
                  registry_source: Path = ann.REGISTRY_PATH) -> dict[str, int]:
    """Preview tables of the drafts, built by the build's own row builder; returns rows per table.

    The drafted annotation files in ``out_dir/annotations`` are resolved against the registry plus
    the proposed entities, with the raw articles copied into ``out_dir/raw``, exactly as
    ``make data`` would once the files are in ``annotations/``; the package lands in ``out_dir``.
    """
    import pyarrow.parquet as pq

    from scripts.build import write_package
    from scripts.tables import BuildInputs

    raw_dir = out_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    for article in articles:
        target = raw_dir / article.raw_file
        if not target.exists():  # a copy: editing the preview must never touch the input
            shutil.copyfile(article.raw_path, target)
    with tempfile.TemporaryDirectory() as scratch:
        registry_path = Path(scratch) / "entities.yaml"
        registry_text = registry_source.read_text(encoding="utf-8").rstrip("\n") + "\n"
        registry_path.write_text(registry_text + "".join(f"{line}\n" for line in entity_entries(proposed)),
                                 encoding="utf-8")
        write_package(out_dir, BuildInputs(registry_path, out_dir / "annotations", raw_dir))
    return {name: pq.read_metadata(out_dir / "data" / f"{name}.parquet").num_rows for name in TABLES}


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // max(1, total)
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}", end="", file=sys.stderr,
          flush=True)


def draft_files(paths: list[str], out_dir: Path, jobs: int = 1,
                report: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
                registry_path: Path = ann.REGISTRY_PATH) -> list[str]:
    """Draft every file into ``out_dir`` against the registry ``registry_path``; returns the error
    messages of the files that failed."""
    # Load
    registry = ann.load_registry(registry_path)
    profiles = load_site_profiles()

    # Process
    show_progress = sys.stderr.isatty()
    results: list[DraftedArticle | str] = []
    _init_worker(registry, profiles)
    if jobs > 1 and len(paths) > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(registry, profiles)) as pool:
            for index, result in enumerate(pool.map(_draft_or_error, paths, chunksize=4), start=1):
                results.append(result)
                if show_progress:
                    _progress(index, len(paths), paths[index - 1])
    else:
        for index, path in enumerate(paths, start=1):
            results.append(_draft_or_error(path))
            if show_progress:
                _progress(index, len(paths), path)
    if show_progress:
        print(file=sys.stderr)
    errors = [r for r in results if isinstance(r, str)]
    articles = [r for r in results if isinstance(r, DraftedArticle)]
    _unique_source_ids(articles)
    proposed = merge_proposals(articles, registry)

    # Save
    (out_dir / "annotations").mkdir(parents=True, exist_ok=True)
    for article in articles:
        (out_dir / "annotations" / f"{article.source_id}.yaml").write_text(annotation_yaml(article), encoding="utf-8")
        for warning in article.warnings:
            report(f"{article.raw_path}: warning: {warning}")
    (out_dir / "entities-proposed.yaml").write_text(entities_yaml(proposed), encoding="utf-8")
    counts = write_preview(articles, proposed, out_dir, registry_path) if articles else {}
    for error in errors:
        report(f"error: {error}")
    report(f"drafted {len(articles)} of {len(paths)} articles into {out_dir}: "
           + ", ".join(f"{name} {count}" for name, count in counts.items())
           + f"; {len(proposed)} proposed entities in {out_dir / 'entities-proposed.yaml'}")
    return errors


def draft_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="raw articles (plain text or Markdown)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the drafts")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="worker processes (default 1); the output is the same for any N")


def draft_command(args: argparse.Namespace) -> None:
    """``python -m scripts draft``: draft every file; fail at the end if any could not be drafted."""
    if args.jobs < 1:
        raise BuildError(f"--jobs must be 1 or more, got {args.jobs}")
    errors = draft_files(args.files, args.out, args.jobs)
    if errors:
        raise BuildError(f"{len(errors)} of {len(args.files)} articles could not be drafted (see above); "
                         "the others were written")
