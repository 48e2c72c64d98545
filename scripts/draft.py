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
- ``DIR/datapackage.json``, ``DIR/data/<table>.csv|parquet`` (or their parts): a preview
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
import secrets
import shutil
import sys
import tempfile
from collections import ChainMap, deque
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts import annotations as ann
from scripts.drafter.mentions import DraftedEntities, draft_mentions, registry_index, slug
from scripts.drafter import limits
from scripts.drafter.metadata import choose_profile, draft_metadata
from scripts.errors import BuildError
from scripts.hashing import file_sha256
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
# Articles per task sent to a worker process, and tasks in flight per process: enough to keep the
# workers busy while the reduce writes, few enough that drafted articles do not pile up in memory.
ARTICLES_PER_TASK = 8
TASKS_IN_FLIGHT_PER_JOB = 4
MENTIONS_LINE = "\n\nmentions:\n"   # the last block of an annotation file: the text's own aliases follow it
PROPOSED_FILE = "entities-proposed.yaml"
RAW_SHA256_LINE = re.compile(r"^raw_sha256: ([0-9a-f]{64})$", re.MULTILINE)


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
    head: str | None = None   # the annotation file up to its aliases, once rendered (see annotation_head)


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


def _known(entity_id: Any, entities: Container[str]) -> str | None:
    return entity_id if isinstance(entity_id, str) and entity_id in entities else None


def clean_quotes(text: str, quotes: Iterable[dict[str, Any]], entities: Container[str],
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


def clean_statistics(text: str, statistics: Iterable[dict[str, Any]], entities: Container[str],
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
    # the registry's ids and the text's proposals, looked up in place: no copy of the registry per article
    entities = ChainMap({e.entity_id: e for e in proposed.entities}, registry)
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


def _draft_or_error(path_text: str) -> DraftedArticle | str | None:
    """For a worker: a drafted article with its annotation head rendered, the error message of a bad
    one, or None for an article whose bytes an earlier run drafted already."""
    try:
        if _WORKER_STATE["drafted"] and _raw_sha256(Path(path_text)) in _WORKER_STATE["drafted"]:
            return None
        article = draft_article(path_text, _WORKER_STATE["registry"], _WORKER_STATE["profiles"])
    except BuildError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 -- one broken article must never stop the others
        return f"{path_text}: drafting failed: {type(exc).__name__}: {exc}"
    article.head = annotation_head(article)  # rendered here, in parallel; the reduce re-renders it only if ids change
    return article


def _raw_sha256(path: Path) -> str | None:
    try:
        return file_sha256(path)[1]
    except OSError:
        return None  # drafting it reports the file


def _draft_chunk(paths: list[str]) -> list[DraftedArticle | str | None]:
    return [_draft_or_error(path) for path in paths]


_WORKER_STATE: dict[str, Any] = {}


def _init_worker(registry: dict[str, ann.Entity], profiles: dict[str, SiteProfile], drafted: frozenset[str],
                 run: str = "") -> None:
    """Set up a drafting process: its registry's look-ups are built and the drafter's modules imported here,
    once, so that no article's time limit counts them (on a loaded machine they took longer than the limit,
    and the first article of each worker was reported as stopped). ``run`` names the draft run it is for."""
    from scripts.drafter import numbers, quotes  # noqa: F401 -- imported for their module-level tables

    _WORKER_STATE.update(registry=registry, profiles=profiles, drafted=drafted, run=run)
    registry_index(registry)
    load_schemas()


def _draft_chunk_for(paths: list[str], run: str, state: Any) -> list[DraftedArticle | str | None]:
    """A Dask task: ``paths`` drafted by a worker set up for draft run ``run``. A local cluster's workers
    are forked after :func:`_init_worker` ran for the run (they inherit it, ``state`` is None); a remote
    cluster's are set up from ``state`` (registry, profiles, drafted hashes: sent once to each worker)
    when their state is of another run or none."""
    if _WORKER_STATE.get("run") != run:
        if state is None:
            raise BuildError(f"drafting worker not set up for this run ({len(paths)} articles from {paths[0]})")
        registry, profiles, drafted = state
        _init_worker(registry, profiles, drafted, run)
    return _draft_chunk(paths)


def drafted_in_order(paths: list[str], registry: dict[str, ann.Entity], profiles: dict[str, SiteProfile],
                     jobs: int = 1, drafted: frozenset[str] = frozenset(),
                     scheduler: str | None = None) -> Iterator[DraftedArticle | str | None]:
    """Map: each path's drafted article (or error message, or None when the SHA-256 of its bytes is in
    ``drafted``), in the order of ``paths``.

    ``jobs`` and ``scheduler`` are those of the build (:func:`scripts.build.executor`): one process by
    default, a Dask ``LocalCluster`` of ``jobs`` workers, or the running Dask cluster at ``scheduler``;
    chunks of :data:`ARTICLES_PER_TASK` articles are its tasks. At most a few chunks per worker are in
    flight, so memory holds a few dozen articles, not the corpus.
    """
    from scripts.build import executor, worker_count

    run = secrets.token_hex(8)
    _init_worker(registry, profiles, drafted, run)  # before a local cluster's workers are forked
    if (jobs <= 1 and scheduler is None) or len(paths) <= 1:
        for path in paths:
            yield _draft_or_error(path)
        return
    with executor(jobs, scheduler) as client:
        # a remote cluster's workers get the registry once each; forked local ones already have it
        state = client.scatter([(registry, profiles, drafted)], broadcast=True, hash=False)[0] if scheduler else None
        in_flight = worker_count(client) * TASKS_IN_FLIGHT_PER_JOB
        pending: deque[Any] = deque()
        for start in range(0, len(paths), ARTICLES_PER_TASK):
            pending.append(client.submit(_draft_chunk_for, paths[start:start + ARTICLES_PER_TASK], run, state,
                                         pure=False))
            if len(pending) >= in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


class ProposalMerger:
    """Reduce: one proposed entity per new name across the articles given to :meth:`add`, in that order.

    An entity is proposed by the first article that names it; a later article's proposal of the same
    name (or of one of its aliases) takes that entity's id, and a proposal whose id is taken is renamed
    ``<id>-2``, ``<id>-3``... Its state is the proposed entities and their names, not the articles.
    """

    def __init__(self, registry: dict[str, ann.Entity]) -> None:
        self.merged: dict[str, ann.Entity] = {}   # casefolded name -> entity
        self.by_id: dict[str, ann.Entity] = {}
        self.owner: dict[str, str] = {name.casefold(): e.entity_id for e in registry.values() for name in e.names}
        self.taken = set(registry)

    def add(self, article: DraftedArticle) -> dict[str, str]:
        """Merge the article's proposals and rewrite its entity ids to the merged ones; returns the renames."""
        renamed: dict[str, str] = {}
        for entity in article.proposed.entities:
            key = entity.name.casefold()
            if key in self.owner:  # the name (or an alias) of an entity proposed for an earlier article
                renamed[entity.entity_id] = self.owner[key]
                earlier = self.by_id.get(self.owner[key])
                for alias in entity.aliases:
                    if earlier is not None and alias.casefold() not in self.owner:
                        earlier.aliases.append(alias)
                        self.owner[alias.casefold()] = earlier.entity_id
                continue
            new_id = entity.entity_id
            number = 2
            while new_id in self.taken:
                new_id, number = f"{entity.entity_id}-{number}", number + 1
            self.taken.add(new_id)
            aliases = [a for a in entity.aliases if a.casefold() not in self.owner]
            merged = ann.Entity(new_id, entity.name, entity.type, aliases, entity.description)
            self.merged[key] = self.by_id[new_id] = merged
            self.owner[key] = new_id
            self.owner.update({a.casefold(): new_id for a in aliases})
            renamed[entity.entity_id] = new_id
        _rename(article, renamed)
        return renamed

    def adopt(self, entity: ann.Entity) -> None:
        """Take an entity proposed by an earlier run as if an earlier article had proposed it."""
        if entity.entity_id in self.taken:
            return  # already in the registry (a reviewer moved it there)
        self.taken.add(entity.entity_id)
        self.merged[entity.name.casefold()] = self.by_id[entity.entity_id] = entity
        self.owner.update({name.casefold(): entity.entity_id for name in entity.names})

    def local_aliases(self, aliases: dict[str, str]) -> dict[str, str]:
        """A text's own aliases without those that are now names of a registry or proposed entity."""
        return {alias: entity_id for alias, entity_id in aliases.items() if alias.casefold() not in self.owner}

    def entities(self) -> list[ann.Entity]:
        return list(self.merged.values())


def merge_proposals(articles: list[DraftedArticle], registry: dict[str, ann.Entity]) -> list[ann.Entity]:
    """One proposed entity per new name across all articles; ids are renamed where two names share one.

    Rewrites each article's entity ids (quotes, statistics, local aliases) to the merged ids and drops
    the local aliases that became names of a proposed entity.
    """
    merger = ProposalMerger(registry)
    for article in articles:
        merger.add(article)
    for article in articles:
        article.proposed.local_aliases = merger.local_aliases(article.proposed.local_aliases)
    return merger.entities()


def _rename(article: DraftedArticle, renamed: dict[str, str]) -> None:
    for quote in article.quotes:
        for key in ("speaker", "channel"):
            quote[key] = renamed.get(quote[key], quote[key])
    for statistic in article.statistics:
        statistic["attributed_to"] = renamed.get(statistic["attributed_to"], statistic["attributed_to"])
    article.proposed.local_aliases = {a: renamed.get(i, i) for a, i in article.proposed.local_aliases.items()}


def _unique_source_id(article: DraftedArticle, seen: set[str]) -> None:
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
    return annotation_head(article) + aliases_yaml(article.proposed.local_aliases)


def annotation_head(article: DraftedArticle) -> str:
    """The annotation file up to and including its ``mentions:`` line (the aliases follow)."""
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
    return "\n".join(lines) + MENTIONS_LINE


def aliases_yaml(aliases: dict[str, str]) -> str:
    """The ``aliases:`` block of an annotation file's mentions (the text's own names of entities)."""
    lines = ["  aliases: {}" if not aliases else "  aliases:"]
    lines += [f"    {_scalar(alias)}: {entity_id}" for alias, entity_id in sorted(aliases.items())]
    return "\n".join(lines) + "\n"


def entity_entries(entities: Iterable[ann.Entity], proposed: bool = True) -> list[str]:
    """Registry entries (``  - id: ...`` blocks) of entities: all marked ``status: proposed`` (the drafter's
    proposals), or with ``proposed=False`` as they are (their notes, and the status only of a proposed one)."""
    lines: list[str] = []
    for entity in entities:
        lines += [f"  - id: {_scalar(entity.entity_id)}", f"    name: {_scalar(entity.name)}",
                  f"    type: {_scalar(entity.type)}", f"    aliases: {_scalar(entity.aliases)}",
                  f"    description: {_scalar(entity.description)}"]
        if entity.notes is not None and not proposed:
            lines.append(f"    notes: {_scalar(entity.notes)}")
        if proposed or entity.proposed:
            lines.append(f"    status: {ann.PROPOSED}")
    return lines


def entities_yaml(entities: list[ann.Entity]) -> str:
    """Proposed entities in the registry's format, to append to ``annotations/entities.yaml``."""
    lines = ["# Entities proposed by `python -m scripts draft`: review the type and description, merge",
             "# duplicates of registry entities, then append to annotations/entities.yaml.",
             "entities:" if entities else "entities: []", *entity_entries(entities)]
    return "\n".join(lines) + "\n"


def write_preview(proposed: list[ann.Entity], out_dir: Path, registry_source: Path = ann.REGISTRY_PATH,
                  jobs: int = 1, scheduler: str | None = None) -> dict[str, int]:
    """Preview tables of the drafts in ``out_dir``, built by the build itself; returns rows per table.

    The drafted annotation files in ``out_dir/annotations`` are resolved against the registry plus the
    ``proposed`` entities, with the raw articles copied into
    ``out_dir/raw``, exactly as ``make data`` would once the files are in ``annotations/``; the package
    lands in ``out_dir``. ``jobs`` > 1 (or ``scheduler``) runs the build's map on Dask workers.
    """
    from scripts.build import write_package
    from scripts.parts import table_rows
    from scripts.tables import BuildInputs

    with tempfile.TemporaryDirectory() as scratch:
        # the registry's entities and the proposals written as one registry (line by line: parsing the registry
        # as one YAML document to append to it took ~30 bytes per byte of YAML, kept by the build's workers)
        registry_path = Path(scratch) / "entities.yaml"
        lines = ["entities:", *entity_entries(ann.load_registry(registry_source).values(), proposed=False),
                 *entity_entries(proposed)]
        registry_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        del lines
        write_package(out_dir, BuildInputs(registry_path, out_dir / "annotations", out_dir / "raw"), workers=jobs,
                      scheduler=scheduler)
    return {name: table_rows(out_dir, name) for name in TABLES}


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // max(1, total)
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}", end="", file=sys.stderr,
          flush=True)


class DraftWriter:
    """Reduce: writes each drafted article as it arrives (annotation file, raw copy) and the proposals at the end.

    Holds the proposal merger's state, the source ids used and the local aliases of the articles that have
    any (a few names each), never the articles: memory does not grow with their text.
    """

    def __init__(self, out_dir: Path, registry: dict[str, ann.Entity]) -> None:
        self.out_dir = out_dir
        self.merger = ProposalMerger(registry)
        self.source_ids: set[str] = set()
        self.drafted: set[str] = set()   # the SHA-256 of every raw file drafted into out_dir
        self.aliases: dict[str, dict[str, str]] = {}   # source_id -> the aliases its file was written with
        self.resumed = 0
        (out_dir / "annotations").mkdir(parents=True, exist_ok=True)
        (out_dir / "raw").mkdir(parents=True, exist_ok=True)
        self._resume()

    def _resume(self) -> None:
        """Take over what an earlier run drafted into out_dir: its proposals, source ids, raw hashes, aliases.

        The annotation files are read as the drafter wrote them (a few lines found by pattern, the aliases
        block parsed alone), so resuming costs a read per file, not a YAML parse.
        """
        proposed = self.out_dir / PROPOSED_FILE
        if proposed.is_file():
            for entity in ann.load_registry(proposed).values():
                self.merger.adopt(entity)
        for path in sorted((self.out_dir / "annotations").glob("*.yaml")):
            text = path.read_text(encoding="utf-8")
            self.source_ids.add(path.stem)
            self.resumed += 1
            raw_hash = RAW_SHA256_LINE.search(text)
            if raw_hash:
                self.drafted.add(raw_hash[1])
            tail = text[text.rindex(MENTIONS_LINE) + len(MENTIONS_LINE):] if MENTIONS_LINE in text else ""
            aliases = (yaml.safe_load(tail) or {}).get("aliases") if tail.startswith("  aliases:\n") else None
            if isinstance(aliases, dict) and aliases:
                self.aliases[path.stem] = {str(alias): str(entity) for alias, entity in aliases.items()}

    def add(self, article: DraftedArticle) -> bool:
        """Write one article (in input order); False: its bytes were drafted already, it is skipped."""
        if article.raw_sha256 in self.drafted:
            return False
        self.drafted.add(article.raw_sha256)
        drafted_id = article.source_id
        _unique_source_id(article, self.source_ids)
        renamed = self.merger.add(article)
        if article.head is None or article.source_id != drafted_id or any(a != b for a, b in renamed.items()):
            article.head = annotation_head(article)
        aliases = self.merger.local_aliases(article.proposed.local_aliases)
        if aliases:
            self.aliases[article.source_id] = aliases
        self._annotation(article.source_id).write_text(article.head + aliases_yaml(aliases), encoding="utf-8")
        target = self.out_dir / "raw" / article.raw_file
        if not target.exists():  # a copy: editing the preview must never touch the input
            shutil.copyfile(article.raw_path, target)
        return True

    def finish(self) -> list[ann.Entity]:
        """Write the proposed entities; drop from the files written earlier the aliases that became entity names."""
        for source_id, written in self.aliases.items():
            aliases = self.merger.local_aliases(written)
            if aliases != written:
                path = self._annotation(source_id)
                text = path.read_text(encoding="utf-8")
                path.write_text(text[:text.rindex(MENTIONS_LINE) + len(MENTIONS_LINE)] + aliases_yaml(aliases),
                                encoding="utf-8")
        proposed = self.merger.entities()
        (self.out_dir / PROPOSED_FILE).write_text(entities_yaml(proposed), encoding="utf-8")
        return proposed

    def _annotation(self, source_id: str) -> Path:
        return self.out_dir / "annotations" / f"{source_id}.yaml"


def draft_files(paths: list[str], out_dir: Path, jobs: int = 1,
                report: Callable[[str], None] = lambda message: print(message, file=sys.stderr),
                registry_path: Path = ann.REGISTRY_PATH, scheduler: str | None = None) -> list[str]:
    """Draft every file into ``out_dir`` against the registry ``registry_path``; returns the error
    messages of the files that failed.

    A stream: the articles are drafted ``jobs`` at a time (map; on the Dask cluster at ``scheduler`` if
    given), merged and written in input order as they arrive (reduce), then the preview package is built
    on the same kind of workers.
    """
    # Load
    registry = ann.load_registry(registry_path)
    profiles = load_site_profiles()

    # Process and save, article by article
    show_progress = sys.stderr.isatty()
    writer = DraftWriter(out_dir, registry)
    errors: list[str] = []
    drafted = skipped = 0
    for index, result in enumerate(drafted_in_order(paths, registry, profiles, jobs, frozenset(writer.drafted),
                                                                    scheduler),
                                   start=1):
        if isinstance(result, str):
            errors.append(result)
        elif result is None or not writer.add(result):
            skipped += 1
        else:
            drafted += 1
            for warning in result.warnings:
                report(f"{result.raw_path}: warning: {warning}")
        if show_progress:
            _progress(index, len(paths), paths[index - 1])
    if show_progress:
        print(file=sys.stderr)
    proposed = writer.finish()
    resumed = writer.resumed
    del writer, registry  # the merger's state: the preview's build (and its workers, forked) need none of it
    counts = write_preview(proposed, out_dir, registry_path, jobs, scheduler) if drafted or resumed else {}
    for error in errors:
        report(f"error: {error}")
    earlier = (f" ({skipped} skipped: drafted before, or the same bytes twice; {resumed} drafts "
               "of earlier runs kept)" if skipped or resumed else "")
    report(f"drafted {drafted} of {len(paths)} articles{earlier} into {out_dir}: "
           + ", ".join(f"{name} {count}" for name, count in counts.items())
           + f"; {len(proposed)} proposed entities in {out_dir / PROPOSED_FILE}")
    return errors


def input_paths(arguments: list[str], list_files: list[Path]) -> list[str]:
    """The articles to draft: each FILE as given, each folder's files (sorted, hidden ones skipped), then
    each list file's lines (one path a line, as it would be typed here; blank lines and ``#`` comments skipped).

    Folders and list files take the place of a command line that would be too long for the system.
    """
    paths: list[str] = []
    for argument in arguments:
        folder = Path(argument)
        if folder.is_dir():
            paths += [str(p) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]
        else:
            paths.append(argument)
    for list_file in list_files:
        try:
            lines = list_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise BuildError(f"{list_file}: the list of articles cannot be read: {exc}") from None
        paths += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not paths:
        raise BuildError("no articles to draft: give files, folders or --from LIST")
    return paths


def draft_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="raw articles (plain text or Markdown), or folders of them")
    parser.add_argument("--from", dest="lists", type=Path, action="append", default=[], metavar="LIST",
                        help="a text file listing articles, one path a line (may be repeated)")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder for the drafts")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="worker processes (default 1: no cluster; N > 1: a local Dask cluster); "
                             "the output is the same for any N")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                        help="draft on the running Dask cluster at this address (its workers must see the "
                             "articles and the project at the same paths); the output is the same")


def draft_command(args: argparse.Namespace) -> None:
    """``python -m scripts draft``: draft every file; fail at the end if any could not be drafted."""
    if args.jobs < 1:
        raise BuildError(f"--jobs must be 1 or more, got {args.jobs}")
    paths = input_paths(args.files, args.lists)
    errors = draft_files(paths, args.out, args.jobs, scheduler=args.scheduler)
    if errors:
        raise BuildError(f"{len(errors)} of {len(paths)} articles could not be drafted (see above); "
                         "the others were written")
