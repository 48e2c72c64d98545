"""The drafter's word lists, read from ``config/lexicon.yaml`` (one loader, one file).

Takes nothing (or another lexicon file); returns a :class:`Lexicon` whose
fields are frozensets of lower-case words (``capitalised_titles`` keeps its
case), with every inflection of the reporting verbs written out: a lemma
``deny`` gives ``deny, denies, denied, denying``; irregular forms come from
the file. A missing or malformed file is a BuildError naming the file and
the section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from scripts.errors import BuildError
from scripts.strict_yaml import load_yaml

LEXICON_PATH = Path(__file__).resolve().parents[2] / "config" / "lexicon.yaml"
VERB_CLASSES = ("speech", "framing", "cognition", "attitude", "document")
_VOWELS = "aeiou"
# one-syllable verbs ending consonant-vowel-consonant double the consonant (admit: two syllables, stress
# at the end, also doubles); written out here because stress is not in the spelling
_DOUBLING = frozenset({"admit", "commit", "submit", "omit", "regret", "refer", "prefer", "confer", "occur",
                       "deter", "rebut", "compel", "propel", "patrol", "control", "outwit", "abet", "quip",
                       "chat", "plan", "stop", "slam", "tip", "hint", "dub", "vow", "jot", "nod", "sob"})


def inflections(lemma: str, irregular: tuple[str, ...] = ()) -> frozenset[str]:
    """Every form of a verb lemma (a two-word lemma inflects its first word): base, -s, -ed, -ing, irregulars."""
    first, _, rest = lemma.partition(" ")
    tail = f" {rest}" if rest else ""
    if first.endswith(("s", "sh", "ch", "x", "z", "o")):
        third = first + "es"
    elif first.endswith("y") and first[-2:-1] not in _VOWELS:
        third = first[:-1] + "ies"
    else:
        third = first + "s"
    doubled = first + first[-1] if first in _DOUBLING and not first.endswith(("w", "x", "y")) and \
        first[-1] not in _VOWELS and first[-2:-1] in _VOWELS else first
    if first.endswith("e"):
        past, gerund = first + "d", (first if first.endswith(("ee", "ye", "oe")) else first[:-1]) + "ing"
    elif first.endswith("y") and first[-2:-1] not in _VOWELS:
        past, gerund = first[:-1] + "ied", first + "ing"
    else:
        past, gerund = doubled + "ed", doubled + "ing"
    forms = {first, third, past, gerund, *(form.partition(" ")[0] for form in irregular)}
    if irregular:  # "said" replaces "sayed"; "read" keeps its own spelling
        forms.discard(past)
        forms.update(form.partition(" ")[0] for form in irregular)
    return frozenset(form + tail for form in forms)


@dataclass(frozen=True)
class StatisticsWords:
    """The statistics drafter's words (section ``statistics`` of config/lexicon.yaml), in the file's order."""

    unit_words: dict[str, int]  # "one" .. "nineteen" -> value
    tens_words: dict[str, int]
    scale_words: dict[str, int]
    scale_abbreviations: dict[str, int]  # "bn" -> 1e9
    ambiguous_scale_abbreviations: frozenset[str]
    share_words: tuple[str, ...]
    qualifiers_before: tuple[tuple[str, tuple[str, ...]], ...]  # (qualifier, phrases), tried in order
    qualifiers_after: dict[str, str]  # phrase after the number -> qualifier
    change_verbs: dict[str, tuple[str, ...]]  # "up" / "down" -> forms
    change_verbs_with_object: tuple[str, ...]
    up_particle_verbs: tuple[str, ...]
    change_nouns: dict[str, tuple[str, ...]]
    amount_nouns_before_of: frozenset[str]
    change_comparatives: dict[str, tuple[str, ...]]
    credit_verbs: tuple[str, ...]
    credit_nouns_before: tuple[str, ...]
    credit_nouns_after: tuple[str, ...]
    not_names_before_number: frozenset[str]
    hyphened_words_before_number: tuple[str, ...]
    clock_words_after: tuple[str, ...]  # as written ("GMT", "a.m.")
    street_types: tuple[str, ...]  # as written ("Road", "Rd")
    year_prepositions: tuple[str, ...]
    time_prepositions: tuple[str, ...]
    one_not_quantity_after: tuple[str, ...]
    one_not_quantity_hyphened: tuple[str, ...]
    one_quantity_after: tuple[str, ...]
    one_quantity_before: tuple[str, ...]
    measure_stop_words: tuple[str, ...]
    measure_first_stop: frozenset[str]
    measure_comparatives: frozenset[str]
    subject_verb_tail: tuple[str, ...]
    measure_time_words: frozenset[str]
    be_forms: frozenset[str]
    units_attached: tuple[str, ...]
    units_written_after: tuple[str, ...]
    unit_abbreviations_after: tuple[str, ...]
    year_joining_words: frozenset[str]
    clause_openers: frozenset[str]
    measure_dropped_words: frozenset[str]
    measure_participles: frozenset[str]
    span_nouns_after: tuple[str, ...]


_STATISTICS_NUMBERS = ("unit_words", "tens_words", "scale_words", "scale_abbreviations")
_STATISTICS_UP_DOWN = ("change_verbs", "change_nouns", "change_comparatives")
_STATISTICS_CASED = ("clock_words_after", "street_types")
_STATISTICS_SETS = ("ambiguous_scale_abbreviations", "amount_nouns_before_of", "not_names_before_number",
                    "measure_first_stop", "measure_comparatives", "measure_time_words", "be_forms",
                    "year_joining_words", "clause_openers", "measure_dropped_words",
                    "measure_participles")
_QUALIFIERS = ("exact", "approximately", "more_than", "at_least", "less_than", "up_to")


def _statistics_words(data: dict[str, Any], path: Path) -> StatisticsWords:
    """The ``statistics`` section: number words with their values, qualifier phrases, word lists."""
    section = data.get("statistics")
    names = [f.name for f in fields(StatisticsWords)]
    if not isinstance(section, dict) or set(section) != set(names):
        raise BuildError(f"{path}: section 'statistics' must hold exactly {', '.join(names)}")
    values: dict[str, Any] = {}
    for name in names:
        where = f"statistics.{name}"
        if name in _STATISTICS_NUMBERS:
            numbers = section[name]
            if not isinstance(numbers, dict) or not all(isinstance(k, str) and isinstance(v, int) and
                                                        not isinstance(v, bool) for k, v in numbers.items()):
                raise BuildError(f"{path}: section '{where}' must map words to whole numbers")
            values[name] = {k.lower(): v for k, v in numbers.items()}
        elif name in _STATISTICS_UP_DOWN:
            if not isinstance(section[name], dict) or set(section[name]) != {"up", "down"}:
                raise BuildError(f"{path}: section '{where}' must hold exactly up, down")
            values[name] = {key: tuple(_words(section[name], key, path)) for key in ("up", "down")}
        elif name == "qualifiers_before":
            groups = section[name]
            if not isinstance(groups, list) or not all(
                    isinstance(g, dict) and set(g) == {"qualifier", "phrases"} and g["qualifier"] in _QUALIFIERS
                    for g in groups):
                raise BuildError(f"{path}: section '{where}' must list {{qualifier, phrases}} with a qualifier "
                                 f"of {', '.join(_QUALIFIERS)}")
            values[name] = tuple((g["qualifier"], tuple(_words(g, "phrases", path))) for g in groups)
        elif name == "qualifiers_after":
            mapping = section[name]
            if not isinstance(mapping, dict) or not all(isinstance(k, str) and v in _QUALIFIERS
                                                        for k, v in mapping.items()):
                raise BuildError(f"{path}: section '{where}' must map a phrase to a qualifier")
            values[name] = {" ".join(k.lower().split()): v for k, v in mapping.items()}
        else:
            words = _words(section, name, path, keep_case=name in _STATISTICS_CASED)
            values[name] = frozenset(words) if name in _STATISTICS_SETS else tuple(words)
    return StatisticsWords(**values)


@dataclass(frozen=True)
class Lexicon:
    """Every word list of the drafter; see config/lexicon.yaml for what each holds and why."""

    verb_forms: dict[str, frozenset[str]]  # class -> every inflected form of its verbs
    lemma_of: dict[str, str]  # inflected form -> lemma
    bare_clause_verbs: frozenset[str]
    phrasal_verbs: tuple[tuple[frozenset[str], str], ...]  # (forms of the verb, particle)
    light_verbs: frozenset[str]
    reporting_nouns: frozenset[str]
    light_verb_modifiers: frozenset[str]
    issuing_participles: frozenset[str]
    inverting_verbs: frozenset[str]
    speech_nouns: frozenset[str]
    document_nouns: frozenset[str]
    media_nouns: frozenset[str]
    body_nouns: dict[str, frozenset[str]]
    person_titles: frozenset[str]
    capitalised_titles: frozenset[str]
    honorifics: frozenset[str]
    months: tuple[str, ...]
    month_numbers: dict[str, int]  # month names and abbreviations -> 1..12
    weekdays: tuple[str, ...]
    pronouns: dict[str, frozenset[str]]
    determiners: frozenset[str]
    nationality_adjectives: frozenset[str]
    measure_never: frozenset[str] = frozenset()  # words a statistic's measure never is or ends with
    irregular_past: frozenset[str] = frozenset()  # irregular past tenses ("fled", "laid")
    aside_adverbs: frozenset[str] = frozenset()  # "Name, meanwhile, said": an adverb set off by commas
    closed_classes: dict[str, frozenset[str]] = field(default_factory=dict)  # small function-word classes
    abbreviations: frozenset[str] = frozenset()  # their full stop ends no sentence ("Mr.", "Ltd.")
    time_words: frozenset[str] = frozenset()  # end a would-be speaker ("on Tuesday said")
    time_phrase_words: frozenset[str] = frozenset()  # with time_words, months, weekdays: a time phrase
    time_phrase_modifiers: frozenset[str] = frozenset()  # those of them that name no time ("the", "two")
    states_modifiers: frozenset[str] = frozenset()  # "member states": "states" is a noun after them
    identifier_nouns: frozenset[str] = frozenset()  # "category 4", "phase 3": the number names, it counts nothing
    identifier_nouns_after: frozenset[str] = frozenset()  # "90049 ZIP code"
    not_plural_nouns: frozenset[str] = frozenset()  # lower-case words in -s that are no counted noun ("was")
    question_verbs: frozenset[str] = frozenset()  # lemmas whose clause may open with "if" ("asked if")
    subject_clause_verbs: frozenset[str] = frozenset()  # a bare clause only with its own subject ("denied he had")
    name_classes: dict[str, frozenset[str]] = field(default_factory=dict)  # how a capitalised run is read
    # finite forms (-s, past) of the verbs that make a capitalised name next to them a person ("Jo Roe
    # said"), and of the narrower class that does so for a lone word ("Okafor said", "says Varga")
    name_cue_verbs: frozenset[str] = frozenset()
    lone_name_cue_verbs: frozenset[str] = frozenset()
    # a single capitalised word after "on" following one of these words is a platform ("posted on X")
    platform_cues: frozenset[str] = frozenset()
    type_cues: dict[str, str] = field(default_factory=dict)  # head word of a name -> its type
    trailing_type_cues: dict[str, str] = field(default_factory=dict)  # lower-case word after a name -> its type
    level_verbs: frozenset[str] = frozenset()  # "reached 1.3 million": the subject is what the number measures
    prepositions: frozenset[str] = frozenset()  # may follow a counted noun inside its phrase ("fighters in")
    statistics: StatisticsWords | None = None  # the statistics drafter's words

    @property
    def reporting_verbs(self) -> frozenset[str]:
        """Forms of the verbs that report words (speech, cognition and document verbs; not framing verbs)."""
        return self.verb_forms["speech"] | self.verb_forms["cognition"] | self.verb_forms["document"]

    @property
    def speech_verbs(self) -> frozenset[str]:
        return self.verb_forms["speech"]

    @property
    def all_verbs(self) -> frozenset[str]:
        """Every reporting or framing form."""
        return frozenset().union(*self.verb_forms.values())

    def month_pattern(self, abbreviations: bool = True) -> str:
        """A regex alternation of the month names (longest first), for patterns compiled with re.I."""
        names = set(self.months) | (set(self.month_numbers) if abbreviations else set())
        return "|".join(sorted(names, key=lambda n: (-len(n), n)))

    def weekday_pattern(self) -> str:
        return "|".join(self.weekdays)


def finite_forms(lemma: str, irregular: tuple[str, ...] = ()) -> frozenset[str]:
    """The finite forms of a verb that follow a subject: third person (-s) and past (or the irregular
    forms); not the base ("Democrats say" is a plural's) and not the -ing form."""
    forms = inflections(lemma, irregular)
    first = lemma.partition(" ")[0]
    return frozenset(f for f in forms if f.partition(" ")[0] != first and not f.partition(" ")[0].endswith("ing"))


def _words(data: dict[str, Any], key: str, path: Path, keep_case: bool = False) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise BuildError(f"{path}: section '{key}' must be a list of words")
    return [item.strip() if keep_case else item.strip().lower() for item in value]


CLOSED_CLASSES = ("auxiliaries", "copulas", "object_prepositions", "gerund_prepositions", "participle_subject_after",
                  "as_reported_tail", "never_listeners", "never_speakers", "not_before_noun", "after_subject_noun",
                  "modals", "skippable_adverbs", "antecedent_prepositions", "feminine_titles",
                  "masculine_titles", "subordinators", "sending_verbs",
                  "questioning_participles")


NAME_CLASSES = ("titles_before_names", "place_prepositions", "compass_words", "name_connectors", "never_names",
                "common_abbreviations", "name_suffixes", "common_words")
CASED_NAME_CLASSES = ("common_abbreviations", "name_suffixes")  # kept as written: "IT" is no name, "it" is no abbreviation


def _name_classes(data: dict[str, Any], path: Path) -> dict[str, frozenset[str]]:
    classes = data.get("name_classes")
    if not isinstance(classes, dict) or set(classes) != set(NAME_CLASSES):
        raise BuildError(f"{path}: section 'name_classes' must hold exactly {', '.join(NAME_CLASSES)}")
    return {name: frozenset(_words(classes, name, path, keep_case=name in CASED_NAME_CLASSES))
            for name in NAME_CLASSES}


def _type_cues(data: dict[str, Any], key: str, path: Path) -> dict[str, str]:
    """Word -> entity type from a section mapping each type to its words (a word listed twice: the later type)."""
    section = data.get(key)
    if not isinstance(section, dict) or not section:
        raise BuildError(f"{path}: section '{key}' must map an entity type to a list of words")
    return {word: str(entity_type) for entity_type in section for word in _words(section, entity_type, path)}


def _closed_classes(data: dict[str, Any], path: Path) -> dict[str, frozenset[str]]:
    classes = data.get("closed_classes")
    if not isinstance(classes, dict) or set(classes) != set(CLOSED_CLASSES):
        raise BuildError(f"{path}: section 'closed_classes' must hold exactly {', '.join(CLOSED_CLASSES)}")
    return {name: frozenset(_words(classes, name, path)) for name in CLOSED_CLASSES}


def parse_lexicon(data: Any, path: Path) -> Lexicon:
    """A Lexicon from the parsed YAML of ``path`` (named in errors)."""
    if not isinstance(data, dict):
        raise BuildError(f"{path}: expected a mapping of sections")
    verbs = data.get("reporting_verbs")
    if not isinstance(verbs, dict) or set(verbs) != set(VERB_CLASSES):
        raise BuildError(f"{path}: section 'reporting_verbs' must hold exactly the classes {', '.join(VERB_CLASSES)}")
    irregular_data = data.get("irregular") or {}
    if not isinstance(irregular_data, dict):
        raise BuildError(f"{path}: section 'irregular' must map a lemma to its forms")
    irregular = {str(k).lower(): tuple(str(f).lower() for f in (v or [])) for k, v in irregular_data.items()}
    verb_forms: dict[str, frozenset[str]] = {}
    lemma_of: dict[str, str] = {}
    for verb_class in VERB_CLASSES:
        forms: set[str] = set()
        for lemma in _words(verbs, verb_class, path):
            lemma_forms = inflections(lemma, irregular.get(lemma, ()))
            forms |= lemma_forms
            for form in lemma_forms:
                lemma_of.setdefault(form, lemma)
        verb_forms[verb_class] = frozenset(forms)
    phrasal = []
    for entry in data.get("phrasal_verbs") or []:
        if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(w, str) for w in entry)):
            raise BuildError(f"{path}: section 'phrasal_verbs': {entry!r} is not [verb, particle]")
        phrasal.append((inflections(entry[0].lower(), irregular.get(entry[0].lower(), ())), entry[1].lower()))
    body = data.get("body_nouns")
    if not isinstance(body, dict):
        raise BuildError(f"{path}: section 'body_nouns' must map a noun to the head words it stands for")
    pronouns = data.get("pronouns")
    if not isinstance(pronouns, dict):
        raise BuildError(f"{path}: section 'pronouns' must map a kind to a list of pronouns")
    months = _words(data, "months", path)
    abbreviations = _words(data, "month_abbreviations", path)
    if len(months) != 12 or len(abbreviations) != 12:
        raise BuildError(f"{path}: sections 'months' and 'month_abbreviations' must list twelve months each")
    month_numbers = {name: index for index, name in enumerate(months, start=1)}
    month_numbers.update({name: index for index, name in enumerate(abbreviations, start=1)})
    month_numbers.update({str(k).lower(): int(v) for k, v in (data.get("month_abbreviations_extra") or {}).items()})
    return Lexicon(
        verb_forms=verb_forms, lemma_of=lemma_of,
        bare_clause_verbs=frozenset(f for lemma in _words(data, "bare_clause_verbs", path)
                                    for f in inflections(lemma, irregular.get(lemma, ()))),
        phrasal_verbs=tuple(phrasal),
        light_verbs=frozenset(f for lemma in _words(data, "light_verbs", path)
                              for f in inflections(lemma, irregular.get(lemma, ()))),
        reporting_nouns=frozenset(_words(data, "reporting_nouns", path)),
        light_verb_modifiers=frozenset(_words(data, "light_verb_modifiers", path)),
        issuing_participles=frozenset(_words(data, "issuing_participles", path)),
        inverting_verbs=frozenset(_words(data, "inverting_verbs", path)),
        speech_nouns=frozenset(_words(data, "speech_nouns", path)),
        document_nouns=frozenset(_words(data, "document_nouns", path)),
        media_nouns=frozenset(_words(data, "media_nouns", path)),
        body_nouns={str(k).lower(): frozenset(_words(body, k, path)) for k in body},
        person_titles=frozenset(_words(data, "person_titles", path)),
        capitalised_titles=frozenset(_words(data, "capitalised_titles", path, keep_case=True)),
        honorifics=frozenset(_words(data, "honorifics", path)),
        months=tuple(months), month_numbers=month_numbers,
        weekdays=tuple(_words(data, "weekdays", path)),
        pronouns={str(k): frozenset(_words(pronouns, k, path)) for k in pronouns},
        determiners=frozenset(_words(data, "determiners", path)),
        nationality_adjectives=frozenset(_words(data, "nationality_adjectives", path)),
        measure_never=frozenset(_words(data, "measure_never", path)),
        irregular_past=frozenset(_words(data, "irregular_past", path)),
        aside_adverbs=frozenset(_words(data, "aside_adverbs", path)) if "aside_adverbs" in data else frozenset(),
        closed_classes=_closed_classes(data, path),
        abbreviations=frozenset(_words(data, "abbreviations", path)),
        time_words=frozenset(_words(data, "time_words", path)),
        time_phrase_words=frozenset(_words(data, "time_phrase_words", path)),
        time_phrase_modifiers=frozenset(_words(data, "time_phrase_modifiers", path)),
        states_modifiers=frozenset(_words(data, "states_modifiers", path)),
        identifier_nouns=frozenset(_words(data, "identifier_nouns", path)) if "identifier_nouns" in data else frozenset(),
        identifier_nouns_after=frozenset(_words(data, "identifier_nouns_after", path))
        if "identifier_nouns_after" in data else frozenset(),
        not_plural_nouns=frozenset(_words(data, "not_plural_nouns", path))
        if "not_plural_nouns" in data else frozenset(),
        question_verbs=frozenset(_words(data, "question_verbs", path)) if "question_verbs" in data else frozenset(),
        subject_clause_verbs=frozenset(f for lemma in _words(data, "subject_clause_verbs", path)
                                       for f in inflections(lemma, irregular.get(lemma, ())))
        if "subject_clause_verbs" in data else frozenset(),
        name_classes=_name_classes(data, path),
        name_cue_verbs=frozenset(f for lemma in _words(data, "name_cue_verbs", path)
                                 for f in finite_forms(lemma, irregular.get(lemma, ()))),
        lone_name_cue_verbs=frozenset(f for lemma in _words(data, "lone_name_cue_verbs", path)
                                      for f in finite_forms(lemma, irregular.get(lemma, ()))),
        platform_cues=frozenset(f for lemma in _words(data, "platform_verbs", path)
                                for f in inflections(lemma, irregular.get(lemma, ())))
        | frozenset(_words(data, "platform_nouns", path)),
        type_cues=_type_cues(data, "type_cues", path),
        trailing_type_cues=_type_cues(data, "trailing_type_cues", path),
        level_verbs=frozenset(_words(data, "level_verbs", path)),
        prepositions=frozenset(_words(data, "prepositions", path)),
        statistics=_statistics_words(data, path),
    )


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The lexicon of ``path`` (default config/lexicon.yaml), parsed once per process."""
    data = load_yaml(path)
    return parse_lexicon(data, path)


def phrases_pattern(phrases: Iterable[str]) -> str:
    """A regex alternation of phrases in the order given, each word escaped, spaces matching any run of
    white space ("more than" -> "more\\s+than")."""
    return "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)


def words_pattern(words: frozenset[str] | set[str]) -> str:
    """A regex alternation of words, longest first (so 'stated' is tried before 'state')."""
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


LEXICON = load_lexicon()
