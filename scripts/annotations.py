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
The files are read strictly (:mod:`scripts.strict_yaml`: no duplicate keys,
aliases, impossible dates or non-finite numbers), and a free-text value that a
spreadsheet would run as a formula is refused unless the article has it
(:func:`formula_problems`). Every problem is reported with a message naming
the file, the entry and the field; the loaders and resolvers take a :class:`~scripts.errors.Problems`
collector so that one run reports them all (on their own they raise every
problem they found as one BuildError). A text that is not found gets a hint
when it differs from a text of the article only in quote marks, whitespace or
case.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, TypeVar

from scripts.schema import load_schema
from scripts.errors import BuildError, Problems, gathered
from scripts.strict_yaml import read_yaml, read_yaml_entries

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
ANNOTATIONS_DIR = ROOT / "annotations"
REGISTRY_PATH = ANNOTATIONS_DIR / "entities.yaml"
SOURCES_DIR = ANNOTATIONS_DIR / "sources"

ENTITY_KEYS = {"id", "name", "type", "aliases", "description", "notes", "status"}
# `status: proposed` marks an entity the drafter added; no status is a reviewed entity.
PROPOSED = "proposed"
REVIEWED = "reviewed"
# The keys that fill a sources column, and the structural ones: where the text is and what it holds.
SOURCE_KEYS = {key.split(".")[0] for key in load_schema("sources").annotation_keys.values()} | {
    "raw_file", "quotes", "statistics", "mentions"}
REVIEW_KEYS = {"status", "by", "date", "note"}
# A span entry locates its text; every other key fills the column whose schema field names it.
SPAN_KEYS = {"text", "occurrence"}
QUOTE_KEYS = SPAN_KEYS | set(load_schema("quotes").annotation_keys.values())
STATISTIC_KEYS = SPAN_KEYS | set(load_schema("statistics").annotation_keys.values())
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
    status: str = REVIEWED

    @property
    def proposed(self) -> bool:
        return self.status == PROPOSED

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass
class SourceAnnotation:
    """One source's annotation file, read but not yet resolved."""

    path: Path
    data: dict[str, Any]
    # the entries as written, so that quotes[i] names the i-th entry of the file; an entry
    # that is not a mapping was reported by the loader and is skipped when resolving
    quotes: list[Any] = field(default_factory=list)
    statistics: list[Any] = field(default_factory=list)
    mentions: dict[str, Any] = field(default_factory=dict)

    @property
    def source_id(self) -> str:
        return self.data["source_id"]


def _checked_file(path: Path, problems: Problems | None, check: Callable[[Path, Any, Problems], T], stop: bool) -> T:
    """``check`` applied to the document of ``path``, read strictly (:mod:`scripts.strict_yaml`).

    The file's problems (its YAML's and those ``check`` adds) go to ``problems``, or without it are raised at
    the end; a BuildError that stops ``check`` carries every problem found in the file before it. ``stop``:
    a file whose YAML has problems raises them (with those of ``check``) instead of returning.
    """
    found = Problems()
    try:
        document, yaml_problems = read_yaml(path)
        found.messages += yaml_problems
        result = check(path, document, found)
    except BuildError as exc:
        raise BuildError.of([*found.messages, *exc.problems]) from None
    if stop and yaml_problems:
        raise BuildError.of(found.messages)
    with gathered(problems) as collector:
        collector.messages += found.messages
    return result


def _check_keys(entry: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise BuildError(f"{where}: expected a mapping, got {entry!r}")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise BuildError(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")
    return entry


def load_registry(path: Path = REGISTRY_PATH, problems: Problems | None = None) -> dict[str, Entity]:
    """Read the entity registry; ids and names must be unique.

    A problem of one entity is added to ``problems`` and the next entity is
    read (an entity without an id is left out, a duplicate id keeps the first).
    The file is read one entity at a time (:func:`scripts.strict_yaml.read_yaml_entries`): memory holds
    the entities, not the whole YAML document as nodes.
    """
    found = Problems()
    entities: dict[str, Entity] = {}
    owner_of_name: dict[str, str] = {}

    numbers = itertools.count(1)

    def add(entry: Any) -> None:
        _registry_entity(path, next(numbers), entry, entities, owner_of_name, found)

    try:
        document, yaml_problems = read_yaml_entries(path, "entities", add)
        found.messages[:0] = yaml_problems
        document = document or {}
        if not isinstance(document, dict) or not isinstance(document.get("entities") or [], list):
            raise BuildError(f"{path}: expected a mapping with a list 'entities'")
    except BuildError as exc:
        raise BuildError.of([*found.messages, *exc.problems]) from None
    with gathered(problems) as collector:
        collector.messages += found.messages
    return entities


def _registry_entity(path: Path, index: int, entry: Any, entities: dict[str, Entity], owner_of_name: dict[str, str],
                     found: Problems) -> None:
    """Check one entry of the registry and add its entity to ``entities`` (problems to ``found``)."""
    where = f"{path}: entity {index}"
    with found.collect():
        _check_keys(entry, ENTITY_KEYS, where)
    if not isinstance(entry, dict):
        return
    for key in ("id", "name", "type", "description"):
        if not entry.get(key):
            found.add(f"{where}: field '{key}' is required")
    if not entry.get("id"):
        return
    where = f"{path}: entity {entry['id']!r}"
    if entry["id"] in entities:
        found.add(f"{where}: duplicate id")
        return
    # a missing field, reported above, gets a stand-in that the schema check accepts, so
    # that it is not reported twice (the build fails on the report anyway)
    entity = Entity(
        entity_id=str(entry["id"]), name=str(entry.get("name") or entry["id"]),
        type=str(entry.get("type") or "OTHER"), aliases=[str(a) for a in entry.get("aliases") or []],
        description=one_line(entry.get("description")) or "(missing)",
        notes=one_line(entry.get("notes")),
        status=str(entry.get("status") or REVIEWED),
    )
    found.messages += formula_problems(
        {"name": entity.name, **{f"aliases[{i}]": alias for i, alias in enumerate(entity.aliases, start=1)},
         "description": entity.description, "notes": entity.notes}, where)
    if entry.get("status") not in (None, PROPOSED):
        found.add(f"{where}: field 'status' is {entry['status']!r}; the only status written in the "
                  f"registry is {PROPOSED!r} (a reviewed entity has none)")
    for name in entity.names:
        # casefold, not match_key: "Kabul" (any case) would also match "KABUL"
        key = name.casefold()
        if key in owner_of_name:
            found.add(f"{where}: name or alias {name!r} is also a name of {owner_of_name[key]!r}; "
                      "decide per source with 'assign' instead")
            continue
        owner_of_name[key] = entity.entity_id
    entities[entity.entity_id] = entity


def _entry_list(data: dict[str, Any], key: str, where: str, found: Problems) -> list[Any]:
    """The list under ``key`` (none: empty); anything else is a problem and counts as empty."""
    entries = data.get(key) or []
    if not isinstance(entries, list):
        found.add(f"{where}: field '{key}' must be a list of entries, got {entries!r}")
        return []
    return entries


def load_source_annotation(path: Path, problems: Problems | None = None) -> SourceAnnotation:
    """Read one source's annotation file and check its structure.

    A file that is not a mapping with a ``source_id`` raises; a problem of a
    field or an entry is added to ``problems`` and the rest is still read. A
    file whose YAML has problems (:mod:`scripts.strict_yaml`: a key twice, an
    alias, an impossible date or number) raises once its structure is checked:
    its values are not what the curator wrote, so nothing is resolved from them.
    """
    return _checked_file(path, problems, _source_annotation, stop=True)


def _source_annotation(path: Path, data: Any, found: Problems) -> SourceAnnotation:
    if not isinstance(data, dict):
        raise BuildError(f"{path}: expected a mapping, got {data!r}")
    with found.collect():
        _check_keys(data, SOURCE_KEYS, str(path))
    if not data.get("source_id"):
        raise BuildError(f"{path}: field 'source_id' is required")
    if path.stem != data["source_id"]:
        found.add(f"{path}: file name must be the source_id ({data['source_id']}.yaml)")
    entries: dict[str, list[Any]] = {}
    for table, allowed in (("quotes", QUOTE_KEYS), ("statistics", STATISTIC_KEYS)):
        entries[table] = _entry_list(data, table, str(path), found)
        for i, entry in enumerate(entries[table], start=1):
            with found.collect():
                _check_keys(entry, allowed, f"{path}: {table}[{i}]")
    review = data.get("review")
    if review is None:
        found.add(f"{path}: field 'review' is required: {{status: drafted}} or "
                  "{status: reviewed, by: NAME, date: YYYY-MM-DD}")
    else:
        with found.collect():
            _check_keys(review, REVIEW_KEYS, f"{path}: review")
    mentions = data.get("mentions") or {}
    with found.collect():
        _check_keys(mentions, MENTION_KEYS, f"{path}: mentions")
    mentions = dict(mentions) if isinstance(mentions, dict) else {}  # a copy: the lists are checked below
    if not isinstance(mentions.get("aliases") or {}, dict):
        found.add(f"{path}: mentions.aliases must map each alias to an entity id, got {mentions['aliases']!r}")
        mentions = {**mentions, "aliases": {}}
    for key in ("assign", "exclude", "add"):
        mentions[key] = _entry_list(mentions, key, f"{path}: mentions", found)
        for i, entry in enumerate(mentions[key], start=1):
            with found.collect():
                _check_keys(entry, MENTION_ENTRY_KEYS, f"{path}: mentions.{key}[{i}]")
    return SourceAnnotation(path=path, data=data, quotes=entries["quotes"], statistics=entries["statistics"],
                            mentions=mentions)


def load_source_annotations(directory: Path = SOURCES_DIR, problems: Problems | None = None) -> list[SourceAnnotation]:
    """Every annotation file of ``directory``, in source_id order.

    A file that cannot be read is reported (in ``problems``) and left out.
    """
    annotations = []
    with gathered(problems) as found:
        paths = sorted(directory.glob("*.yaml"))
        if not paths:
            raise BuildError(f"{directory}: no annotation files (*.yaml)")
        for path in paths:
            with found.collect():
                annotations.append(load_source_annotation(path, found))
    return annotations


# --- Spans ----------------------------------------------------------------

def occurrences(text: str, needle: str) -> list[int]:
    """Start offsets of every occurrence of ``needle`` in ``text`` (overlaps included)."""
    starts, position = [], text.find(needle)
    while position != -1:
        starts.append(position)
        position = text.find(needle, position + 1)
    return starts


def occurrence_numbers(text: str, spans: Iterable[tuple[int, int]],
                       searched: dict[str, list[int]] | None = None) -> dict[tuple[int, int], int]:
    """The 1-based occurrence of each span's text among the equal texts (overlaps included), by span.

    One search of ``text`` per distinct surface, not one per span: an article with thousands of
    mentions of "Pakistan" costs one pass, so the build stays linear in mentions per article.
    ``searched``: see :func:`locate`.
    """
    searched = {} if searched is None else searched
    by_surface: dict[str, list[tuple[int, int]]] = {}
    for start, end in spans:
        by_surface.setdefault(text[start:end], []).append((start, end))
    numbers: dict[tuple[int, int], int] = {}
    for surface, surface_spans in by_surface.items():
        if surface not in searched:
            searched[surface] = occurrences(text, surface)
        number_of = {start: number for number, start in enumerate(searched[surface], start=1)}
        for start, end in surface_spans:
            numbers[start, end] = number_of[start]
    return numbers


def covered_characters(length: int, spans: Iterable[tuple[int, int]]) -> bytearray:
    """One byte per character of a text of ``length``: 1 inside one of ``spans``, else 0."""
    covered = bytearray(length)
    for start, end in spans:
        covered[start:end] = b"\x01" * (end - start)
    return covered


def locate(text: str, needle: Any, occurrence: Any, where: str, searched: dict[str, list[int]] | None = None) -> Span:
    """Find the span of ``needle`` in ``text``; ``occurrence`` is 1-based.

    ``searched`` keeps the occurrences of each needle already searched in ``text``, for a caller that
    locates many entries with the same text (a long article's mention curation): one search each.
    """
    if not isinstance(needle, str) or not needle:
        raise BuildError(f"{where}: field 'text' must be a non-empty string")
    if needle != needle.strip():
        raise BuildError(f"{where}: text {needle!r} starts or ends with whitespace")
    if searched is None:
        starts = occurrences(text, needle)
    else:
        starts = searched[needle] if needle in searched else searched.setdefault(needle, occurrences(text, needle))
    if not starts:
        raise BuildError(f"{where}: text {needle!r} not found in the normalised text{near_match_hint(text, needle)}")
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


# Quote marks a text may have in another style than the annotation: curly, low, primes, guillemets.
QUOTE_MARKS = str.maketrans({mark: "'" for mark in "‘’‚‛′ʼ`´"} | {mark: '"' for mark in "“”„‟″«»"})
# The differences a hint can name, each undone by one of the foldings of _fold.
NEAR_MATCH_KINDS = ("quote marks", "whitespace", "case")


def _fold(text: str, skip: str = "") -> tuple[str, list[int]]:
    """``text`` with quote marks straightened, whitespace runs made one space and case folded
    (except the kind named by ``skip``), and for each folded character the offset it came from."""
    folded: list[str] = []
    origins: list[int] = []
    in_space = False
    for offset, char in enumerate(text):
        if skip != "whitespace" and char.isspace():
            if in_space:
                continue
            in_space, piece = True, " "
        else:
            in_space = False
            piece = char.translate(QUOTE_MARKS) if skip != "quote marks" else char
            piece = piece.casefold() if skip != "case" else piece
        folded.append(piece)
        origins += [offset] * len(piece)
    return "".join(folded), origins


@lru_cache(maxsize=4)
def _folded_text(text: str) -> tuple[str, list[int]]:
    """The folded article, kept while its spans are resolved (a file may miss many)."""
    return _fold(text)


def near_match_hint(text: str, needle: str) -> str:
    """``; did you mean ...`` naming the first text of ``text`` that differs from ``needle`` only in
    quote marks, whitespace or case (and which of them), or "" when there is none."""
    folded_needle = _fold(needle)[0]
    folded_text, origins = _folded_text(text)
    position = folded_text.find(folded_needle) if folded_needle else -1
    if position == -1:
        return ""
    found = text[origins[position]:origins[position + len(folded_needle) - 1] + 1]
    kinds = [kind for kind in NEAR_MATCH_KINDS if _fold(found, skip=kind)[0] != _fold(needle, skip=kind)[0]]
    return f"; did you mean {found!r}? (it differs in {' and '.join(kinds) or 'quote marks, whitespace or case'})"


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


def _capitalised_word(name: str) -> bool:
    """A one-word name written with a capital ("Hope", "Kabul"): it never matches a word written wholly in lower
    case ("hope"), which is an ordinary word; names of several words still match whatever their case."""
    return not _is_acronym(name) and any(c.isupper() for c in name) and not any(c.isspace() for c in name)


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
        self.capitalised = [_capitalised_word(name) for name, _entity in self.names]
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
                    if self.capitalised[index] and text[start:last + 1].islower():
                        continue  # "hope" is no mention of "Hope"
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
    if not isinstance(value, str) or value not in registry:
        raise BuildError(f"{where}: field '{field_name}' names entity {value!r}, which is not in {REGISTRY_PATH.name}"
                         f"{_entity_hint(value, registry)}")
    return str(value)


# The registry the hint index was made for, and the index: casefolded id, name or alias -> entity.
# Made once per registry, so that a file with many unknown entities takes linear time.
_hint_index: tuple[dict[str, Entity] | None, dict[str, Entity]] = (None, {})


def _entity_hint(value: Any, registry: dict[str, Entity]) -> str:
    """``; did you mean ...`` when ``value`` is, whatever its case, an id, name or alias of the registry."""
    global _hint_index
    if not isinstance(value, str):
        return ""
    if _hint_index[0] is not registry:
        index: dict[str, Entity] = {}
        for entity in registry.values():
            for key in (entity.entity_id, *entity.names):
                index.setdefault(" ".join(key.split()).casefold(), entity)
        _hint_index = (registry, index)
    near = _hint_index[1].get(" ".join(value.split()).casefold())
    return f"; did you mean {near.entity_id!r} ({near.name})?" if near else ""


def entry_columns(table: str, entry: dict[str, Any], registry: dict[str, Entity], where: str,
                  found: Problems, text: str | None = None) -> dict[str, Any]:
    """The columns of ``table`` an annotation entry fills, as its schema's ``annotation`` keys say.

    A column that references ``entities`` takes a registry id (checked); a string column takes the
    value as one line of text (a period written 2024 is the text "2024"); a number is kept. A free-text
    value that a spreadsheet would run as a formula is a problem unless ``text`` (the article) has it.
    """
    schema = load_schema(table)
    references = set(schema.columns_referencing("entities"))
    columns: dict[str, Any] = {}
    for column, key in schema.annotation_keys.items():
        value = entry.get(key)
        if column in references:
            columns[column] = _checked_ref(value, registry, where, key, found)
        elif schema.field(column)["type"] == "string":
            columns[column] = one_line(value)
            if schema.free_text(column):
                found.messages += formula_problems({key: columns[column]}, where, text)
        else:
            columns[column] = value
    return columns


# A cell starting with one of these is run as a formula by spreadsheets (CSV injection); tab and CR too.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_problems(cells: dict[str, Any], where: str, text: str | None = None) -> list[str]:
    """A problem for each free-text cell (field name -> published value) that starts like a formula,
    unless ``text`` (the article's normalised text) has that exact value (guidelines, formula-like cells)."""
    problems = []
    for field_name, value in cells.items():
        if isinstance(value, str) and value.startswith(FORMULA_STARTS) and (text is None or value not in text):
            unless = " unless the article has these exact words" if text is not None else ""
            problems.append(f"{where}: field {field_name!r} is {value!r}, which starts with {value[0]!r}: a spreadsheet "
                            f"would run it as a formula; reword it{unless} (docs/annotation-guidelines.md, "
                            "formula-like cells)")
    return problems


def _checked_ref(value: Any, registry: dict[str, Entity], where: str, field_name: str, found: Problems) -> str | None:
    """The entity id ``value``, or None when it is not in the registry (a problem added to ``found``)."""
    if value is None or (isinstance(value, str) and value in registry):
        return value
    with found.collect():
        return _entity_ref(value, registry, where, field_name)
    return None


def registry_matcher(registry: dict[str, Entity]) -> NameMatcher:
    """One matcher for every name and alias of the registry (build it once per build, not per source)."""
    return NameMatcher({name: e.entity_id for e in registry.values() for name in e.names})


def resolve_mentions(
    source: SourceAnnotation, text: str, registry: dict[str, Entity], problems: Problems | None = None,
    matcher: NameMatcher | None = None,
) -> list[dict[str, Any]]:
    """Match the registry in ``text`` and apply the source's mention curation.

    A curation entry with a problem is reported (in ``problems``) and not applied. ``matcher`` is
    :func:`registry_matcher` of ``registry``, built by the caller when it resolves many sources.
    """
    with gathered(problems) as problems_found:
        return _resolve_mentions(source, text, registry, problems_found, matcher)


def _resolve_mentions(
    source: SourceAnnotation, text: str, registry: dict[str, Entity], problems: Problems,
    matcher: NameMatcher | None = None,
) -> list[dict[str, Any]]:
    where = f"{source.path}: mentions"
    local_aliases: dict[str, str] = {}
    for name, entity_id in (source.mentions.get("aliases") or {}).items():
        alias_of = _checked_ref(entity_id, registry, f"{where}.aliases[{name!r}]", "entity", problems)
        if alias_of is not None:
            local_aliases[str(name)] = alias_of
    matched = (matcher or registry_matcher(registry)).match(text, local_aliases)
    covered: bytearray | None = None  # the characters inside a mention, for the overlap check of 'add'
    searched: dict[str, list[int]] = {}  # needle -> its occurrences in text: one search per distinct needle
    found: dict[tuple[int, int], dict[str, Any]] = {
        (start, end): {"entity_id": entity_id, "origin": "matched"} for start, end, entity_id in matched
    }
    for key in ("assign", "exclude", "add"):
        for i, entry in enumerate(source.mentions.get(key) or [], start=1):
            if not isinstance(entry, dict):
                continue  # reported by load_source_annotation
            entry_where = f"{where}.{key}[{i}]"
            with problems.collect():
                if key != "exclude":  # checked before the span, so that both problems are reported
                    entity_id = _checked_ref(entry.get("entity"), registry, entry_where, "entity", problems)
                    if entry.get("entity") is None:
                        problems.add(f"{entry_where}: field 'entity' is required")
                span = locate(text, entry.get("text"), entry.get("occurrence"), entry_where, searched)
                if key == "add":
                    if covered is None:  # built once, after assign and exclude: a look-up per add, not a scan
                        covered = covered_characters(len(text), found)
                    if b"\x01" in covered[span.start:span.end]:
                        raise BuildError(f"{entry_where}: {span.text!r} overlaps a matched mention; "
                                         "use 'assign' or 'exclude'")
                elif (span.start, span.end) not in found:
                    raise BuildError(f"{entry_where}: no matched mention is exactly {span.text!r} (occurrence "
                                     f"{span.occurrence}); see `python -m scripts mentions {source.source_id}`")
                if key == "exclude":
                    del found[(span.start, span.end)]
                elif entity_id is not None:
                    found[(span.start, span.end)] = {"entity_id": entity_id, "origin": "curated"}
                    if covered is not None:
                        covered[span.start:span.end] = b"\x01" * (span.end - span.start)
    rows = []
    numbers = occurrence_numbers(text, found, searched)
    for (start, end), mention in sorted(found.items()):
        surface = text[start:end]
        span = Span(start, end, surface, numbers[start, end])
        rows.append({
            "mention_id": content_id("m", source.source_id, span), "source_id": source.source_id,
            "entity_id": mention["entity_id"], "start": start, "end": end, "text": surface,
            "origin": mention["origin"],
        })
    return rows


# --- Quotes and statistics ------------------------------------------------

# A row whose span was not found has no values for these columns; the schema check skips them.
UNRESOLVED = "_unresolved"


def _span_rows(
    source: SourceAnnotation, text: str, table: str, id_column: str, prefix: str, problems: Problems
) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """For each entry of ``table``: where it is, the entry, and its id and span columns.

    An entry whose span is not found is reported in ``problems`` and kept, marked
    :data:`UNRESOLVED`, so that its other fields are still checked.
    """
    located = []
    for i, entry in enumerate(getattr(source, table), start=1):
        if not isinstance(entry, dict):
            continue  # reported by load_source_annotation
        where = f"{source.path}: {table}[{i}] ({str(entry.get('text'))[:50]!r})"
        columns: dict[str, Any] = {"source_id": source.source_id,
                                   UNRESOLVED: (id_column, "start", "end", "text")}
        with problems.collect():
            span = locate(text, entry.get("text"), entry.get("occurrence"), where)
            columns = {id_column: content_id(prefix, source.source_id, span),
                       "source_id": source.source_id, "start": span.start, "end": span.end, "text": span.text}
        located.append((where, entry, columns))
    return located


def resolve_quotes(
    source: SourceAnnotation, text: str, registry: dict[str, Entity], problems: Problems | None = None
) -> list[dict[str, Any]]:
    """The rows of the source's quotes; with ``problems``, rows with problems are kept (marked) for
    the schema check, and the caller must raise those problems before using the rows."""
    with gathered(problems) as found:
        return [{**columns, **entry_columns("quotes", entry, registry, where, found, text), "_where": where}
                for where, entry, columns in _span_rows(source, text, "quotes", "quote_id", "q", found)]


def resolve_statistics(
    source: SourceAnnotation, text: str, registry: dict[str, Entity], problems: Problems | None = None
) -> list[dict[str, Any]]:
    """The rows of the source's statistics; ``problems`` as for :func:`resolve_quotes`."""
    rows = []
    with gathered(problems) as found:
        for where, entry, columns in _span_rows(source, text, "statistics", "statistic_id", "s", found):
            row = {**columns, **entry_columns("statistics", entry, registry, where, found, text), "_where": where}
            with found.collect():
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


def one_line(value: Any) -> str | None:
    return None if value is None else " ".join(str(value).split())
