"""Read the curated annotations and resolve their spans against the texts.

Takes ``annotations/entities.yaml`` (the entity registry) and one
``annotations/sources/<source_id>.yaml`` per article (metadata, quotes,
statistics, mention curation; the format is ``docs/annotation-format.md``),
plus each article's normalised text. Returns rows, as dicts keyed by the
schema's column names, for the tables ``entities``, ``mentions``, ``quotes``
and ``statistics``, with offsets computed here, never typed by hand.

A span is found by its exact text and, when the text repeats, its
occurrence (1-based). Mentions are derived: every registry name and alias,
plus the source's own aliases, is matched (whole words, longest match first),
then the source's ``assign``, ``exclude`` and ``add`` entries are applied.
Any problem stops the build with a message naming the file, the entry and
the text.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scripts.errors import BuildError

ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS_DIR = ROOT / "annotations"
REGISTRY_PATH = ANNOTATIONS_DIR / "entities.yaml"
SOURCES_DIR = ANNOTATIONS_DIR / "sources"

ENTITY_KEYS = {"id", "name", "type", "aliases", "description", "notes"}
SOURCE_KEYS = {
    "source_id", "raw_file", "site", "title", "publisher", "original_publisher", "authors",
    "published_date", "date_precision", "date_basis", "date_note", "language", "url",
    "quality_flags", "notes", "quotes", "statistics", "mentions",
}
QUOTE_KEYS = {"text", "occurrence", "kind", "speaker", "speaker_text", "speaker_role", "cue", "channel", "note"}
STATISTIC_KEYS = {
    "text", "occurrence", "value", "value_low", "value_high", "qualifier", "unit", "measure",
    "period", "reference_period", "attributed_to", "note",
}
MENTION_KEYS = {"aliases", "assign", "exclude", "add"}
MENTION_ENTRY_KEYS = {"text", "occurrence", "entity", "note"}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    occurrence: int


@dataclass
class Entity:
    entity_id: str
    name: str
    type: str
    aliases: list[str]
    description: str
    notes: str | None = None

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class SourceAnnotation:
    """One source's annotation file, read but not yet resolved."""

    path: Path
    data: dict[str, Any]
    quotes: list[dict[str, Any]] = field(default_factory=list)
    statistics: list[dict[str, Any]] = field(default_factory=list)
    mentions: dict[str, Any] = field(default_factory=dict)

    @property
    def source_id(self) -> str:
        return self.data["source_id"]


# libyaml's C parser when present: the pure-Python one dominates the build time.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)  # noqa: S506 (a safe loader)
    except OSError as exc:
        raise BuildError(f"{path}: cannot be read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise BuildError(f"{path}:{line} not valid YAML: {getattr(exc, 'problem', exc)}") from None


def _check_keys(entry: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise BuildError(f"{where}: expected a mapping, got {entry!r}")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise BuildError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return entry


def load_registry(path: Path = REGISTRY_PATH) -> dict[str, Entity]:
    """Read the entity registry; ids and names must be unique."""
    document = _read_yaml(path) or {}
    entities: dict[str, Entity] = {}
    owner_of_name: dict[str, str] = {}
    for index, entry in enumerate(document.get("entities") or [], start=1):
        where = f"{path}: entity {index}"
        _check_keys(entry, ENTITY_KEYS, where)
        for key in ("id", "name", "type", "description"):
            if not entry.get(key):
                raise BuildError(f"{where}: field '{key}' is required")
        where = f"{path}: entity {entry['id']!r}"
        if entry["id"] in entities:
            raise BuildError(f"{where}: duplicate id")
        entity = Entity(
            entity_id=str(entry["id"]), name=str(entry["name"]), type=str(entry["type"]),
            aliases=[str(a) for a in entry.get("aliases") or []],
            description=one_line(entry["description"]) or "",
            notes=one_line(entry.get("notes")),
        )
        for name in entity.names:
            # casefold, not match_key: "Kabul" (any case) would also match "KABUL"
            key = name.casefold()
            if key in owner_of_name:
                raise BuildError(f"{where}: name or alias {name!r} is also a name of {owner_of_name[key]!r}; "
                                 "decide per source with 'assign' instead")
            owner_of_name[key] = entity.entity_id
        entities[entity.entity_id] = entity
    return entities


def load_source_annotation(path: Path) -> SourceAnnotation:
    """Read one source's annotation file and check its structure."""
    data = _check_keys(_read_yaml(path), SOURCE_KEYS, str(path))
    if not data.get("source_id"):
        raise BuildError(f"{path}: field 'source_id' is required")
    if path.stem != data["source_id"]:
        raise BuildError(f"{path}: file name must be the source_id ({data['source_id']}.yaml)")
    quotes = [
        _check_keys(q, QUOTE_KEYS, f"{path}: quotes[{i}]") for i, q in enumerate(data.get("quotes") or [], start=1)
    ]
    statistics = [
        _check_keys(s, STATISTIC_KEYS, f"{path}: statistics[{i}]")
        for i, s in enumerate(data.get("statistics") or [], start=1)
    ]
    mentions = _check_keys(data.get("mentions") or {}, MENTION_KEYS, f"{path}: mentions")
    for key in ("assign", "exclude", "add"):
        for i, entry in enumerate(mentions.get(key) or [], start=1):
            _check_keys(entry, MENTION_ENTRY_KEYS, f"{path}: mentions.{key}[{i}]")
    return SourceAnnotation(path=path, data=data, quotes=quotes, statistics=statistics, mentions=mentions)


def load_source_annotations(directory: Path = SOURCES_DIR) -> list[SourceAnnotation]:
    """Every annotation file of ``directory``, in source_id order."""
    annotations = [load_source_annotation(p) for p in sorted(directory.glob("*.yaml"))]
    if not annotations:
        raise BuildError(f"{directory}: no annotation files (*.yaml)")
    return annotations


# --- Spans ----------------------------------------------------------------

def occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every occurrence of ``needle`` in ``text`` (overlaps included)."""
    starts, position = [], text.find(needle)
    while position != -1:
        starts.append(position)
        position = text.find(needle, position + 1)
    return starts


def locate(text: str, needle: Any, occurrence: Any, where: str) -> Span:
    """Find the span of ``needle`` in ``text``; ``occurrence`` is 1-based."""
    if not isinstance(needle, str) or not needle:
        raise BuildError(f"{where}: field 'text' must be a non-empty string")
    if needle != needle.strip():
        raise BuildError(f"{where}: text {needle!r} starts or ends with whitespace")
    starts = occurrences(text, needle)
    if not starts:
        raise BuildError(f"{where}: text {needle!r} not found in the normalised text")
    if occurrence is None:
        if len(starts) > 1:
            raise BuildError(f"{where}: text {needle!r} is ambiguous: it occurs {len(starts)} times; "
                             "add 'occurrence' (1-based)")
        occurrence = 1
    if not isinstance(occurrence, int) or isinstance(occurrence, bool) or not 1 <= occurrence <= len(starts):
        raise BuildError(f"{where}: occurrence {occurrence!r} of {needle!r} does not exist "
                         f"(the text occurs {len(starts)} times)")
    start = starts[occurrence - 1]
    return Span(start=start, end=start + len(needle), text=needle, occurrence=occurrence)


def content_id(prefix: str, source_id: str, span: Span) -> str:
    """A stable id from the source, the span text and its occurrence (not its offsets)."""
    digest = hashlib.sha256(f"{source_id}\x1f{span.text}\x1f{span.occurrence}".encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:12]}"


# --- Mentions -------------------------------------------------------------

def match_key(name: str) -> str:
    """Acronyms (no lower-case letter) match as written; other names whatever their case."""
    return name if _is_acronym(name) else name.casefold()


def _is_acronym(name: str) -> bool:
    return not any(c.islower() for c in name)


def _is_word(character: str) -> bool:
    """What ``\\w`` matches in a str pattern."""
    return character.isalnum() or character == "_"


@lru_cache(maxsize=None)
def _name_pattern(name: str) -> re.Pattern[str]:
    """A name as a whole word: the matching rule itself; every candidate the automaton finds is checked with it."""
    flags = 0 if _is_acronym(name) else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", flags)


def _case_classes() -> dict[int, int]:
    """Lower-case characters that the re module treats as one under IGNORECASE ("s" and "ſ", "σ" and "ς"),
    each mapped to the smallest of its class."""
    try:
        from re._casefix import _EXTRA_CASES  # the table re itself compiles case-insensitive literals with
    except ImportError:  # an older Python: no extra classes, so fold_case may miss some; never wrong
        return {}
    return {code: min((code, *others)) for code, others in _EXTRA_CASES.items()}


CASE_CLASSES = _case_classes()
try:
    from _sre import unicode_tolower as _simple_lower  # the lower case re compares with
except ImportError:  # pragma: no cover
    def _simple_lower(code: int) -> int:
        return ord(chr(code).lower()[0])


def fold_case(text: str) -> str:
    """``text`` with every character replaced by one representative of what it matches under re.IGNORECASE.

    Same length as ``text`` (so offsets carry over): two characters that a
    case-insensitive pattern treats as equal fold to the same character.
    ``str.lower`` does that for nearly every text in one C call; a text whose
    lower case changes length ("İ") is folded character by character.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(chr(_simple_lower(ord(c))) for c in text)
    return lowered.translate(CASE_CLASSES) if CASE_CLASSES else lowered


class NameMatcher:
    """Every name of a registry found in one pass over a text, whatever the size of the registry.

    Built once (two Aho-Corasick automata: acronyms over the text as written,
    other names over :func:`fold_case` of it); :meth:`match` then costs time
    linear in the text and its candidate matches, not in the number of names.
    The rule is the one of :func:`match_names`; each candidate is checked with
    the name's own pattern, so the automata only narrow where to look.
    """

    def __init__(self, names: dict[str, str]) -> None:
        import ahocorasick  # a C extension; imported here so that reading annotations does not need it

        self.names = list(names.items())  # (name, entity id) in the order ties are broken
        self.position = {name: index for index, (name, _entity) in enumerate(self.names)}
        # An ASCII name found by the automaton matches character for character as the pattern would
        # (fold_case and re.IGNORECASE agree on ASCII); only its word boundaries are left to check.
        self.ascii = [name.isascii() for name, _entity in self.names]
        self._exact = ahocorasick.Automaton()
        self._folded = ahocorasick.Automaton()
        for index, (name, _entity) in enumerate(self.names):
            if not name:
                continue  # an empty name matches nothing
            automaton, key = (self._exact, name) if _is_acronym(name) else (self._folded, fold_case(name))
            automaton.add_word(key, (*automaton.get(key, ()), index))
        for automaton in (self._exact, self._folded):
            if len(automaton):
                automaton.make_automaton()

    def candidates(self, text: str, folded: str) -> list[tuple[int, int, int]]:
        """(start, end, name index) of every whole-word match of each name, as ``re.finditer`` finds them."""
        found: list[tuple[int, int, int]] = []
        next_start: dict[int, int] = {}  # finditer of one name resumes after its previous match
        for automaton, haystack in ((self._exact, text), (self._folded, folded)):
            if not len(automaton):
                continue
            for last, indexes in automaton.iter(haystack):
                for index in indexes:
                    name = self.names[index][0]
                    start = last + 1 - len(name)
                    if start < next_start.get(index, 0):
                        continue
                    if self.ascii[index]:
                        if (start and _is_word(text[start - 1])) or (last + 1 < len(text) and _is_word(text[last + 1])):
                            continue
                    elif not _name_pattern(name).match(text, start):
                        continue
                    next_start[index] = last + 1
                    found.append((start, last + 1, index))
        return found

    def match(self, text: str, extra: dict[str, str] | None = None) -> list[tuple[int, int, str]]:
        """Whole-word matches, longest first, without overlaps, as (start, end, entity id) sorted by start.

        ``extra`` (name -> entity id) adds names for this text only (a source's
        own aliases): a name already known takes the extra entity, as
        ``{**names, **extra}`` would.
        """
        folded = fold_case(text)
        extra = extra or {}
        overridden = {name: entity for name, entity in extra.items() if name in self.position}
        ranked = [(start, end, index, self.names[index][1]) for start, end, index in self.candidates(text, folded)]
        if overridden:
            ranked = [(s, e, i, overridden.get(self.names[i][0], entity)) for s, e, i, entity in ranked]
        local = {name: entity for name, entity in extra.items() if name not in self.position}
        if local:
            local_matcher = NameMatcher(local)
            ranked += [(s, e, len(self.names) + i, local_matcher.names[i][1])
                       for s, e, i in local_matcher.candidates(text, folded)]
        ranked.sort(key=lambda c: (c[0] - c[1], c[0], c[2]))
        taken = bytearray(len(text))
        kept = []
        for start, end, _index, entity_id in ranked:
            if not any(taken[start:end]):
                taken[start:end] = b"\x01" * (end - start)
                kept.append((start, end, entity_id))
        return sorted(kept)


# Matchers built by match_names for large name lists, newest last: a caller that passes the registry's
# names (plus a few of its own) for every text reuses the automaton instead of rebuilding it each time.
_RECENT_MATCHERS: list[tuple[list[str], list[str], NameMatcher]] = []
RECENT_MATCHERS_KEPT = 2
CACHED_MATCHER_MIN_NAMES = 256


def _matcher_for(names: dict[str, str]) -> tuple[NameMatcher, dict[str, str]]:
    """A matcher whose names are the first names of ``names`` (same order), and the rest as extra names."""
    if len(names) < CACHED_MATCHER_MIN_NAMES:
        return NameMatcher(names), {}
    for keys, entities, matcher in reversed(_RECENT_MATCHERS):
        count = len(keys)
        given = list(names)
        if len(given) >= count and given[:count] == keys:  # compared in C: no Python step per name
            extra = {name: names[name] for name in given[count:]}
            head_entities = list(names.values())[:count]
            if head_entities != entities:  # a known name given another entity: an extra name that keeps its rank
                extra = {**{keys[i]: head_entities[i] for i in range(count) if head_entities[i] != entities[i]},
                         **extra}
            return matcher, extra
    matcher = NameMatcher(names)
    _RECENT_MATCHERS.append((list(names), list(names.values()), matcher))
    del _RECENT_MATCHERS[:-RECENT_MATCHERS_KEPT]
    return matcher, {}


def match_names(text: str, names: dict[str, str]) -> list[tuple[int, int, str]]:
    """Whole-word matches of ``names`` (name -> entity id), longest first, without overlaps.

    The rule: every match of each name's pattern (:func:`_name_pattern`, as
    ``re.finditer`` finds them), longest first, then earliest, then the name
    listed first; a match overlapping one already kept is dropped. Returns
    (start, end, entity_id) sorted by start. A :class:`NameMatcher` built for
    a large list of names is kept and reused when the next call lists the
    same names first (the registry, then a text's own names).
    """
    matcher, extra = _matcher_for(names)
    return matcher.match(text, extra)


def _entity_ref(value: Any, registry: dict[str, Entity], where: str, field_name: str) -> str | None:
    if value is None:
        return None
    if value not in registry:
        raise BuildError(f"{where}: field '{field_name}' names entity {value!r}, which is not in {REGISTRY_PATH.name}")
    return str(value)


def registry_matcher(registry: dict[str, Entity]) -> NameMatcher:
    """One matcher for every name and alias of the registry (build it once per build, not per source)."""
    return NameMatcher({name: e.entity_id for e in registry.values() for name in e.names})


def resolve_mentions(source: SourceAnnotation, text: str, registry: dict[str, Entity],
                     matcher: NameMatcher | None = None) -> list[dict[str, Any]]:
    """Match the registry in ``text`` and apply the source's mention curation.

    ``matcher`` is :func:`registry_matcher` of ``registry``, built by the caller when it resolves many sources.
    """
    where = f"{source.path}: mentions"
    local_aliases = {
        str(name): _entity_ref(entity_id, registry, f"{where}.aliases[{name!r}]", "entity") or ""
        for name, entity_id in (source.mentions.get("aliases") or {}).items()}
    matched = (matcher or registry_matcher(registry)).match(text, local_aliases)
    found: dict[tuple[int, int], dict[str, Any]] = {
        (start, end): {"entity_id": entity_id, "origin": "matched"} for start, end, entity_id in matched
    }
    for key in ("assign", "exclude", "add"):
        for i, entry in enumerate(source.mentions.get(key) or [], start=1):
            entry_where = f"{where}.{key}[{i}]"
            span = locate(text, entry.get("text"), entry.get("occurrence"), entry_where)
            if key == "add":
                if any(s < span.end and span.start < e for s, e in found):
                    raise BuildError(f"{entry_where}: {span.text!r} overlaps a matched mention; use 'assign' or 'exclude'")
                found[(span.start, span.end)] = {"entity_id": None, "origin": "curated"}
            elif (span.start, span.end) not in found:
                raise BuildError(f"{entry_where}: no matched mention is exactly {span.text!r} "
                                 f"(occurrence {span.occurrence}); see `python -m scripts mentions {source.source_id}`")
            if key == "exclude":
                del found[(span.start, span.end)]
            else:
                found[(span.start, span.end)] = {
                    "entity_id": _entity_ref(entry.get("entity"), registry, entry_where, "entity"), "origin": "curated"}
                if found[(span.start, span.end)]["entity_id"] is None:
                    raise BuildError(f"{entry_where}: field 'entity' is required")
    rows = []
    for (start, end), mention in sorted(found.items()):
        surface = text[start:end]
        occurrence = occurrences(text, surface).index(start) + 1
        span = Span(start, end, surface, occurrence)
        rows.append({
            "mention_id": content_id("m", source.source_id, span), "source_id": source.source_id,
            "entity_id": mention["entity_id"], "start": start, "end": end, "text": surface,
            "origin": mention["origin"],
        })
    return rows


# --- Quotes and statistics ------------------------------------------------

def _span_rows(
    source: SourceAnnotation, text: str, table: str, id_column: str, prefix: str
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """For each entry of ``table``: where it is, the entry, and its id and span columns."""
    located = []
    for i, entry in enumerate(getattr(source, table), start=1):
        where = f"{source.path}: {table}[{i}] ({str(entry.get('text'))[:50]!r})"
        span = locate(text, entry.get("text"), entry.get("occurrence"), where)
        columns = {id_column: content_id(prefix, source.source_id, span),
                   "source_id": source.source_id, "start": span.start, "end": span.end, "text": span.text}
        located.append((where, entry, columns))
    return located


def resolve_quotes(source: SourceAnnotation, text: str, registry: dict[str, Entity]) -> list[dict[str, Any]]:
    return [{
        **columns, "kind": entry.get("kind"),
        "speaker_entity_id": _entity_ref(entry.get("speaker"), registry, where, "speaker"),
        "speaker_text": entry.get("speaker_text"), "speaker_role": entry.get("speaker_role"),
        "cue": entry.get("cue"),
        "channel_entity_id": _entity_ref(entry.get("channel"), registry, where, "channel"),
        "notes": one_line(entry.get("note")), "_where": where,
    } for where, entry, columns in _span_rows(source, text, "quotes", "quote_id", "q")]


def resolve_statistics(source: SourceAnnotation, text: str, registry: dict[str, Entity]) -> list[dict[str, Any]]:
    rows = []
    for where, entry, columns in _span_rows(source, text, "statistics", "statistic_id", "s"):
        row = {
            **columns,
            **{key: entry.get(key) for key in ("value", "value_low", "value_high", "qualifier", "unit", "measure")},
            "period": _as_text(entry.get("period")),
            "reference_period": _as_text(entry.get("reference_period")),
            "attributed_to_entity_id": _entity_ref(entry.get("attributed_to"), registry, where, "attributed_to"),
            "notes": one_line(entry.get("note")), "_where": where,
        }
        check_bounds(row, where)
        rows.append(row)
    return rows


def check_bounds(row: dict[str, Any], where: str) -> None:
    """The bounds of a statistic must agree with its qualifier (guidelines section 3)."""
    value, low, high, qualifier = row["value"], row["value_low"], row["value_high"], row["qualifier"]
    expected = {
        "exact": (value is not None and low == value and high == value, "value_low = value = value_high"),
        "approximately": (value is not None and low is None and high is None, "a value and no bounds"),
        "more_than": (value is not None and low == value and high is None, "value_low = value, no value_high"),
        "at_least": (value is not None and low == value and high is None, "value_low = value, no value_high"),
        "less_than": (value is not None and high == value and low is None, "value_high = value, no value_low"),
        "up_to": (value is not None and high == value and low is None, "value_high = value, no value_low"),
        "range": (value is None and low is not None and high is not None and low < high,
                  "no value and value_low < value_high"),
    }
    if qualifier in expected and not expected[qualifier][0]:
        raise BuildError(f"{where}: qualifier {qualifier!r} needs {expected[qualifier][1]} "
                         f"(value={value!r}, value_low={low!r}, value_high={high!r})")


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def one_line(value: Any) -> str | None:
    return None if value is None else " ".join(str(value).split())
