"""Rule-based quote extractor of the drafter (guidelines section 2).

Takes a normalised text (paragraphs on their own lines) and, optionally, the
entity mentions found in it as ``(start, end, entity_id, entity_type)`` spans;
returns every direct, partial and indirect quote as a dict with the keys
``start, end, text, kind, speaker, speaker_text, speaker_role, cue, channel,
note`` (``text == text[start:end]``), sorted by start.

How it works, in three passes over paragraphs and sentences:

1. quotation marks of every style are classified as opening or closing and
   paired per paragraph; a closing mark without an opening one runs from the
   paragraph start when an attribution follows, an opening mark without a
   closing one runs to the end of the paragraph;
2. each quoted stretch is attributed from the words around it (``“...,” she
   said``; ``X stated, “...”``; ``called Y a “...”``) and classified as
   direct or partial; quoted stretches with no speaker are scare quotes or
   titles and are dropped;
3. sentences without quotation marks are searched for reported speech
   (``X said that ...``; ``According to X, ...``; ``..., the embassy said``).

Words that only look like reports are skipped: "states" as a plural noun ("member
states"), a relative "that" after a verb's object ("wrote a letter that ..."). A stray
comma between a subject and its verb ("A spokesman for X, said ...") keeps the subject as
the speaker; "“...,” X said, adding, “...”" gives both quotes X; an attribution sentence
after a quoted question or exclamation belongs to it; "X agreed: “...”" makes X the speaker.

Speakers written as pronouns or titles are resolved to the nearest preceding
fitting named speaker; roles come from appositives and titles before names;
channels from ``told X``, ``in an interview to X``, ``- reminds X`` and
``according to X`` relaying another speaker. Only regular expressions and
word lists are used (no parser), so it is fast and never raises on odd input.
"""

from __future__ import annotations

import re
from collections import Counter
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from scripts.drafter.lexicon import load_lexicon, words_pattern
from scripts.drafter.mentions import DATELINE

EntitySpan = tuple[int, int, str, str]

# --- word lists: config/lexicon.yaml, read once -----------------------------------------

_LEXICON = load_lexicon()
# verbs that report words (speech and cognition classes, every inflection); document verbs ("the report
# reads") only report after a document noun, so they are not here
REPORTING_VERBS: frozenset[str] = frozenset(
    f for f in _LEXICON.verb_forms["speech"] | _LEXICON.verb_forms["cognition"] if " " not in f)
# verbs that introduce a clause even without "that" ("said her country continues ...")
_BARE_CLAUSE_VERBS = _LEXICON.bare_clause_verbs
# verbs whose bare clause must open with its own subject and verb ("denied he had", not "denied the charge")
_SUBJECT_CLAUSE_VERBS = _LEXICON.subject_clause_verbs - _BARE_CLAUSE_VERBS
# verbs that frame a quoted fragment inside the writer's sentence ("called X a “...”")
_FRAGMENT_VERBS = REPORTING_VERBS | frozenset(f for f in _LEXICON.verb_forms["framing"] if " " not in f)
# two-word reporting verbs ("pointed out that") and a light verb with a reporting noun ("expressed concern
# that"): regex alternatives tried where their first word stands
_PHRASAL_ALT = "|".join(f"(?:{words_pattern(forms)})\\s+{particle}" for forms, particle in _LEXICON.phrasal_verbs)
_LIGHT_ALT = (f"(?:{words_pattern(_LEXICON.light_verbs)})\\s+(?:(?:{words_pattern(_LEXICON.light_verb_modifiers)})\\s+){{0,2}}"
              f"(?:{words_pattern(_LEXICON.reporting_nouns)})")
_MULTIWORD_FIRST = frozenset(f for forms, _ in _LEXICON.phrasal_verbs for f in forms) | _LEXICON.light_verbs
_MODALS = _LEXICON.closed_classes["modals"]  # "could say": words someone might say
_ISSUING = words_pattern(_LEXICON.issuing_participles)  # "published by X": a document's author
_AUX_BEFORE_VERB = ("has", "have", "had", "was", "were", "is", "are", "will", "would", "may",
                    "might", "could", "can", "did", "does", "do")
_SKIPPABLE_ADVERBS = _LEXICON.closed_classes["skippable_adverbs"]  # "X also said", "and instead argued"
_DETERMINERS = _LEXICON.determiners
_PRONOUNS = _LEXICON.pronouns["all"]
# a time word ends a would-be speaker ("on Tuesday said"); the words of a time phrase ("in recent days",
# "on Friday morning", "last November") are never a speaker (config/lexicon.yaml)
_TIME_WORDS = _LEXICON.time_words | frozenset(_LEXICON.weekdays)
_TIME_PHRASE_WORDS = _TIME_WORDS | frozenset(_LEXICON.months) | _LEXICON.time_phrase_words
_TIME_NOUNS = _TIME_PHRASE_WORDS - _LEXICON.time_phrase_modifiers  # the words that name a time
_SUBJECT_PRONOUNS = _LEXICON.pronouns["subject"]
_PERSON_PRONOUNS = _LEXICON.pronouns["person"]
_BODY_PRONOUNS = _LEXICON.pronouns.get("body", frozenset())  # "it said": a body or a country, never a person
_OBJECT_PRONOUNS = _LEXICON.pronouns["object"]
_CLAUSE_BOUNDARIES = frozenset({
    "that", "and", "but", "while", "where", "when", "whereas", "because", "which", "as", "if", "since",
    "after", "before", "although", "though", "with", "including", "in", "on", "at", "during", "for",
    "from", "to", "by", "of", "about", "against", "than", "so", "yet", "whether", "how", "why",
    "meanwhile", "however", "moreover", "furthermore", "also", "then", "said", "says"})
_PREPOSITIONS = frozenset({"in", "on", "at", "to", "for", "with", "about", "during", "after", "before",
                           "of", "from", "by", "into", "over", "under", "through", "via", "so", "it's"})
_PERSON_TITLES = _LEXICON.person_titles
_CAPITALISED_TITLES = _LEXICON.capitalised_titles
_MEDIA_NOUNS = _LEXICON.media_nouns
_FINITE = re.compile(
    r"\b(?:is|are|was|were|am|be|been|has|have|had|will|would|can|could|should|shall|must|may|might|"
    r"do|does|did|cannot|won't|can't|isn't|aren't|wasn't|weren't|don't|doesn't|didn't)\b|"
    r"\w(?:'|’)(?:s|re|ve|ll|d|m)\b|n(?:'|’)t\b|"
    r"\b(?:I|we|you|he|she|they|it|We|You|He|She|They|It)\s+[a-z]", re.IGNORECASE)
# words whose full stop ends no sentence ("Mr.", "Gen.", "the Rev.", "Ltd."): config/lexicon.yaml
_ABBREVIATIONS = _LEXICON.abbreviations

_DOUBLE_OPEN, _DOUBLE_CLOSE, _SINGLE_OPEN, _SINGLE_CLOSE = "“«„", "”»", "‘", "’"
_ALL_MARKS = "“”\"‘’'«»„"
_WORD = re.compile(r"[\w][\w'’.\-]*")
_DASH = "-–—"
_DASH_CLASS = r"\-–—"  # the dashes inside a regex character class


# --- text structure ---------------------------------------------------------

def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line; a paragraph never spans a newline."""
    spans = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))
    return spans


_SENTENCE_END = re.compile(r"[.!?]+(?:\[\d{1,3}\])*[”\"’')\]]*(?=\s+[\"“‘'(\[`]{0,2}[A-Z0-9" + _DASH_CLASS + r"])")


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph; abbreviations and initials do not end a sentence."""
    spans, begin = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[begin:match.start()].rsplit(None, 1)
        last_word = before[-1].lower().lstrip(_ALL_MARKS + "(") if before else ""
        if match.group().startswith(".") and (last_word in _ABBREVIATIONS or re.fullmatch(r"[a-z]", last_word)
                                              or re.fullmatch(r"(?:[a-z]\.)+[a-z]", last_word)):
            continue
        spans.append((begin, match.end()))
        begin = match.end()
        while begin < end and text[begin].isspace():
            begin += 1
    if begin < end:
        spans.append((begin, end))
    return spans


def _containing(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    """The span (of sorted, disjoint spans) holding position, else the last span; a binary search keeps a
    paragraph of thousands of sentences linear."""
    index = bisect_right(spans, (position, float("inf"))) - 1
    if 0 <= index < len(spans) and spans[index][0] <= position < spans[index][1]:
        return spans[index]
    return spans[-1] if spans else (position, position)


def _overlapping_spans(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The spans (sorted by start, disjoint) that overlap [start, end), found by binary search."""
    low = max(0, bisect_right(spans, (start, float("inf"))) - 1)
    high = bisect_left(spans, (end, -1))
    return [span for span in spans[low:high] if span[1] > start and span[0] < end]


# --- quotation marks ---------------------------------------------------------

@dataclass
class _Mark:
    position: int
    opening: bool
    double: bool
    length: int = 1  # two for '' and `` written as a double mark


_MARK_CHAR = re.compile("[" + re.escape(_ALL_MARKS) + "`]")


def _classify_marks(text: str, start: int, end: int) -> list[_Mark]:
    """Opening/closing quotation marks of a paragraph; apostrophes are left out."""
    marks: list[_Mark] = []
    skip_to = start
    open_double = counted = 0  # opening minus closing double marks so far (a running count keeps this linear)
    for found in _MARK_CHAR.finditer(text, start, end):
        for mark in marks[counted:]:
            open_double += (1 if mark.opening else -1) if mark.double else 0
        counted = len(marks)
        i = found.start()
        char = text[i]
        if i < skip_to:
            continue
        before = text[i - 1] if i > start else " "
        if char in "'`" and text[i + 1:i + 2] == char:
            # '' or `` typed for a double mark (some newspapers' house style)
            after = text[i + 2] if i + 2 < end else " "
            skip_to = i + 2
            if char == "`" or before.isspace() or before in "([{" + _DASH:
                marks.append(_Mark(i, not after.isspace(), True, 2))
            else:
                marks.append(_Mark(i, False, True, 2))
            continue
        if char == "`":
            continue
        after = text[i + 1] if i + 1 < end else " "
        if char in _DOUBLE_OPEN:
            marks.append(_Mark(i, True, True))
        elif char in _DOUBLE_CLOSE:
            marks.append(_Mark(i, False, True))
        elif char == '"':
            if before.isspace() or before in "([{" + _DASH + "‘'/":
                marks.append(_Mark(i, not after.isspace(), True))
            elif after.isspace() or after in ".,;:!?)]}" + _DASH + "’'":
                marks.append(_Mark(i, False, True))
            else:
                # inside a word ("word"word): guess by parity of the open marks so far
                marks.append(_Mark(i, open_double <= 0, True))
        else:  # single marks: ‘ ’ '
            if before.isalnum() and after.isalnum():
                continue  # apostrophe inside a word: minister’s, don't
            opening = (char in _SINGLE_OPEN or char == "'") and (
                before.isspace() or before in "([{“\"" + _DASH) and after.isalnum()
            if opening:
                marks.append(_Mark(i, True, False))
            elif before.isalnum() or before in ".,;:!?)":
                if after.isalnum():
                    continue
                marks.append(_Mark(i, False, False))
    return marks


@dataclass
class _Stretch:
    """A quoted stretch: content offsets and which marks were found."""
    open_mark: int | None
    close_mark: int | None
    start: int
    end: int
    double: bool
    close_length: int = 1


def _pair_marks(text: str, para: tuple[int, int], sentences: list[tuple[int, int]]) -> list[_Stretch]:
    marks = _classify_marks(text, *para)
    stretches: list[_Stretch] = []
    # double marks: an opening mark pairs with the next closing mark
    pending: _Mark | None = None
    last_end = para[0]
    for mark in (m for m in marks if m.double):
        if mark.opening:
            if pending is not None:  # two opening marks: the first quote lacks its closing mark
                stop = _sentence_end_before(sentences, mark.position, pending.position)
                stretches.append(_Stretch(pending.position, None, pending.position + pending.length, stop, True))
            pending = mark
        elif pending is not None:
            stretches.append(_Stretch(pending.position, mark.position, pending.position + pending.length,
                                      mark.position, True, mark.length))
            pending, last_end = None, mark.position + mark.length
        else:  # closing mark without an opening one: the quote starts at the paragraph (or after the last quote)
            stretches.append(_Stretch(None, mark.position, last_end, mark.position, True, mark.length))
            last_end = mark.position + mark.length
    if pending is not None:
        stretches.append(_Stretch(pending.position, None, pending.position + pending.length, para[1], True))
    # single marks: only complete pairs that are not inside a double-quoted stretch
    inside = [(s.start, s.end) for s in stretches]
    pending_single: int | None = None
    for mark in (m for m in marks if not m.double):
        if mark.opening:
            pending_single = mark.position
        elif pending_single is not None:
            if not any(a <= pending_single < b for a, b in inside) and mark.position - pending_single > 1:
                stretches.append(_Stretch(pending_single, mark.position, pending_single + 1, mark.position, False))
            pending_single = None
    return sorted(stretches, key=lambda s: s.start)


def _sentence_end_before(sentences: list[tuple[int, int]], limit: int, after: int) -> int:
    stop = limit
    for start, end in sentences:
        if after < end <= limit:
            stop = end
    return stop


# --- small text helpers --------------------------------------------------------

def _trim(text: str, start: int, end: int, chars: str = " \t") -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """(start, end, word) of the words in text[start:end]; a full stop stays only on abbreviations."""
    words = []
    for match in _WORD.finditer(text, start, end):
        word = match.group()
        if not _keeps_period(word):
            word = word.rstrip(".")
        words.append((match.start(), match.start() + len(word), word))
    return [w for w in words if w[2]]


def _keeps_period(word: str) -> bool:
    return word.lower().rstrip(".") in _ABBREVIATIONS or bool(re.fullmatch(r"(?:[A-Za-z]\.)+", word))


def _is_name_word(word: str) -> bool:
    return bool(word) and (word[0].isupper() or word[0].isdigit()) or word.lower() in {
        "al", "bin", "de", "van", "von", "ul", "el", "da", "of", "the", "for", "and", "e", "i"}


def _has_finite_verb(fragment: str) -> bool:
    return bool(_FINITE.search(fragment))


@dataclass
class _Attribution:
    cue: str | None = None
    np_start: int | None = None
    np_end: int | None = None
    role: str | None = None
    channel_span: tuple[int, int] | None = None  # where a relaying outlet is named


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    attribution: _Attribution | None
    paragraph: int
    continuation: bool = False
    note: str | None = None
    sentence_start: int | None = None  # of a quoted stretch's sentence: its subject may be what a "he" stands for


# --- noun phrases: speakers and roles -------------------------------------------

def _is_time_phrase(phrase: str) -> bool:
    """Words of a time phrase only, one of them naming a time ("in recent days", "last November", "2016");
    "the two" names no time."""
    words = re.findall(r"[A-Za-z]+|\d+", phrase.lower())
    return bool(words) and all(w in _TIME_PHRASE_WORDS or w.isdigit() for w in words) and \
        any(w in _TIME_NOUNS or w.isdigit() for w in words)


def _subject_before(text: str, sentence_start: int, verb_start: int) -> tuple[int, int, str | None] | None:
    """The speaker noun phrase before a verb: (start, end, role) or None; a time phrase ("Wali in
    recent days has said", "sent an email on Friday saying") is skipped for the phrase before it."""
    found = _subject_phrase_before(text, sentence_start, verb_start)
    if found is not None and not _is_time_phrase(text[found[0]:found[1]]):
        if re.match(r"[A-Za-z]+ing\b", text[verb_start:verb_start + 30]):
            return found  # "with X calling it ...": the phrase after "with" is the participle's subject
        return _with_head_before_preposition(text, sentence_start, found)
    if found is None:
        return found
    preposition = re.search(r"(?:^|\s)(?:in|on|at|during|over|since|from|until|last|this|earlier)\s*$",
                            text[max(sentence_start, found[0] - 12):found[0]], re.IGNORECASE)
    if preposition is None:
        return None
    cut = max(sentence_start, found[0] - 12) + preposition.start()
    before = _phrase_before(text, sentence_start, cut)
    if before is None or _is_time_phrase(text[before[0]:before[1]]):
        return None
    return before[0], before[1], found[2]


_OBJECT_PREPOSITIONS = _LEXICON.closed_classes["object_prepositions"]


def _with_head_before_preposition(text: str, sentence_start: int,
                                  found: tuple[int, int, str | None]) -> tuple[int, int, str | None] | None:
    """A phrase after a preposition that follows "and" is the preposition's object, not a subject:
    "and, in a low voice said" -> no subject here (the verbs share the sentence's); "Police in Lund
    said" and "In Lund the police said" keep their phrase."""
    before = re.search(r"([A-Za-z]+)\s+$", text[max(sentence_start, found[0] - 20):found[0]])
    if before is None or before.group(1).lower() not in _OBJECT_PREPOSITIONS:
        return found
    preposition = max(sentence_start, found[0] - 20) + before.start(1)
    if re.search(r"\b(?:and|but)\s*,?\s*$", text[max(sentence_start, preposition - 8):preposition]):
        return None
    return found


def _name_before_appositive(text: str, sentence_start: int,
                            phrase: tuple[int, int]) -> tuple[int, int, str | None] | None:
    """"Matt Roe, a columnist for the Gazette, who said": the name before a role in apposition, with the
    role; None when the phrase is no role or no name stands before its comma."""
    role = text[phrase[0]:phrase[1]]
    before = text[sentence_start:phrase[0]].rstrip()
    if not _looks_like_role(role) or not before.endswith(","):
        return None
    name = _phrase_before(text, sentence_start, sentence_start + len(before) - 1)
    if name is None or not _starts_with_name(text[name[0]:name[1]]):
        return None
    return name[0], name[1], role


_ANTECEDENT_PREPOSITIONS = _LEXICON.closed_classes["antecedent_prepositions"]


def _relative_antecedent(text: str, sentence_start: int, pronoun_start: int) -> tuple[int, int] | None:
    """The noun phrase a restrictive "that"/"which" stands for: the phrase right before it ("activist groups
    like Greenpeace which charged"), or, when that phrase is the object of a preposition after a document
    ("an attachment from the X Agency that highlights"), the document with it (a document speaks). None
    when no noun phrase stands right before the pronoun ("said that", "so that")."""
    words = _words(text, sentence_start, pronoun_start)[-_RELATIVE_ANTECEDENT_WORDS:]
    if not words or text[words[-1][1]:pronoun_start].strip():
        return None

    def phrase_start(last: int) -> tuple[int, int]:
        """(first word of the phrase ending at word ``last``, index of the word that stopped it or -1)."""
        first = last + 1
        for index in range(last, -1, -1):
            low = words[index][2].lower()
            gap = text[words[index][1]:words[index + 1][0]] if index < len(words) - 1 else ""
            if any(ch in gap for ch in ",;:!?“”\"") or low in REPORTING_VERBS or \
                    (low in _CLAUSE_BOUNDARIES and index < last) or low in _AUX_BEFORE_VERB:
                return first, index
            first = index
            if low in _DETERMINERS:
                return first, index - 1
        return first, -1

    first, stop = phrase_start(len(words) - 1)
    if first >= len(words) or words[-1][2].lower() in _CLAUSE_BOUNDARIES | _PRONOUNS:
        return None
    if stop >= 1 and words[stop][2].lower() in _ANTECEDENT_PREPOSITIONS and \
            not text[words[stop][1]:words[first][0]].strip():
        head_first, _ = phrase_start(stop - 1)
        if head_first < stop and any(w[2].lower() in _DOCUMENT_NOUNS for w in words[head_first:stop]):
            first = head_first
    return words[first][0], words[-1][1]


# after a relative pronoun's verb: a clause, a colon or comma, or a quotation within a few words
_RELATIVE_FRAME = re.compile(r"\s*(?:that\b|how\b|whether\b|if\b|[,:]|(?:[\w’'\-]+\s+){0,4}[" +
                             re.escape(_ALL_MARKS.replace("'", "").replace("’", "")) + "])")
_RELATIVE_ANTECEDENT_WORDS = 12  # "an 80-page attachment seemingly from the X Agency": a bounded look back


def _subject_phrase_before(text: str, sentence_start: int, verb_start: int) -> tuple[int, int, str | None] | None:
    """The speaker noun phrase before a verb: (start, end, role) or None.

    Skips auxiliaries and adverbs, an appositive between commas (returned as the role),
    and a relative "who" (its antecedent is the speaker)."""
    words = _words(text, sentence_start, verb_start)
    if len(words) >= 2 and words[-1][2].lower() == "to":
        # "went on to say", "wanted to add": the subject is before the verb that governs the infinitive
        words.pop()
        if words[-1][2].lower() in {"on", "up"}:
            words.pop()
        if words:
            words.pop()
    while words and words[-1][2].lower() in _SKIPPABLE_ADVERBS:
        words.pop()
    if not words:
        return None
    end = words[-1][1]
    between = text[end:verb_start]
    segment_end = end
    role = None
    tail = text[sentence_start:segment_end]
    if tail.rstrip().endswith(",") or "," in between:
        # "Name, role, said": the last comma segment is the appositive
        body = text[sentence_start:segment_end].rstrip().rstrip(",")
        cut = body.rfind(",")
        if cut >= 0:
            appositive = body[cut + 1:].strip()
            before = sentence_start + cut
            phrase = _phrase_before(text, sentence_start, before)
            if phrase and re.fullmatch(r"\d{1,3}", text[phrase[0]:phrase[1]]) and \
                    text[sentence_start:phrase[0]].rstrip().endswith(","):
                # "Name, 20, a science major, said": the age is a second appositive, the name is before it
                phrase = _phrase_before(text, sentence_start, text.rfind(",", sentence_start, phrase[0]))
            if phrase and _looks_like_role(appositive):
                return phrase[0], phrase[1], appositive
            if phrase and _names_someone(text[phrase[0]:phrase[1]]) and _is_described_appositive(appositive):
                return phrase[0], phrase[1], appositive  # "Name, a retired astronaut, said"
            if phrase and _starts_with_name(text[phrase[0]:phrase[1]]) and _is_long_role(appositive):
                return phrase[0], phrase[1], appositive  # "Name, senior fellow for ... at X in Y, said"
            if phrase and _looks_like_role(text[phrase[0]:phrase[1]]) and _starts_with_name(appositive):
                s = sentence_start + cut + 1 + (len(body[cut + 1:]) - len(body[cut + 1:].lstrip()))
                return s, s + len(appositive), text[phrase[0]:phrase[1]]
            if phrase and _starts_with_name(text[phrase[0]:phrase[1]]) and re.fullmatch(r"\d{1,3}", appositive):
                return phrase[0], phrase[1], None  # "Name, 70, said": an age, not a role
            if phrase and re.match(r"[a-z]+ing\b", appositive) and not _is_time_phrase(text[phrase[0]:phrase[1]]) \
                    and text[phrase[0]:phrase[1]].split()[0].lower() not in _PREPOSITIONS:
                return phrase[0], phrase[1], None  # "The Gazette, citing officials, reported": an aside
            if phrase and _is_aside(appositive) and not _is_time_phrase(text[phrase[0]:phrase[1]]) and \
                    text[phrase[0]:phrase[1]].split()[0].lower() not in _PREPOSITIONS and \
                    not any(mark in text[phrase[0]:verb_start] for mark in _ALL_MARKS):
                return phrase[0], phrase[1], None  # "The official, who asked not to be named, said"
            if phrase and re.match(r"(?:" + _ISSUING + r")\s+by\b", appositive) and \
                    any(w.lower() in _DOCUMENT_NOUNS for w in text[phrase[0]:phrase[1]].split()[:3]):
                # "The report, published by X, said", "A report by Y, published by X, said": the document speaks
                return phrase[0], phrase[1], None
        elif _is_comma_spliced_subject(text, sentence_start, sentence_start + len(body), verb_start):
            # "A spokesman for X, said ...": a stray comma between the subject and its reporting verb
            s, e = _trim(text, sentence_start, sentence_start + len(body), " \t(" + _DASH + _ALL_MARKS)
            return s, e, None
        return None
    phrase = _phrase_before(text, sentence_start, segment_end)
    if phrase is None:
        return None
    start, stop = phrase
    if text[start:stop].lower() == "who":
        # ", including Prime Minister X, who stated": the antecedent before the comma
        head = text[sentence_start:start].rstrip()
        if head.endswith(","):
            antecedent = _phrase_before(text, sentence_start, sentence_start + len(head) - 1)
            if antecedent:
                named = _name_before_appositive(text, sentence_start, antecedent)
                return named or (antecedent[0], antecedent[1], None)
        return None
    if text[start:stop].lower() in {"that", "which"}:
        # "includes an attachment from the X Agency that highlights “...”": the relative pronoun stands for
        # the noun phrase before it, when its verb frames a clause or a quotation ("engagements for X that
        # added tens of millions" reports nothing)
        frame = _RELATIVE_FRAME.match(text, _words(text, verb_start, verb_start + 40)[0][1]) \
            if _words(text, verb_start, verb_start + 40) else None
        antecedent = _relative_antecedent(text, sentence_start, start) if frame else None
        return (antecedent[0], antecedent[1], None) if antecedent else None
    # "the army spokesman, Name added": a role-like phrase before the name's comma
    head = text[sentence_start:start].rstrip()
    if head.endswith(",") and _starts_with_name(text[start:stop]):
        previous = _phrase_before(text, sentence_start, sentence_start + len(head) - 1)
        if previous and _looks_like_role(text[previous[0]:previous[1]]):
            role = text[previous[0]:previous[1]]
    phrase_words = _words(text, start, stop)
    if len(phrase_words) >= 2 and phrase_words[-1][2].lower() in _SUBJECT_PRONOUNS and \
            phrase_words[-2][2].lower() not in {"and", "or", "nor", "both"}:
        # "Yesterday he said", "the book he wrote": a pronoun is a subject of its own
        start = phrase_words[-1][0]
    elif len(phrase_words) >= 2 and phrase_words[0][2].lower() in _SUBJECT_PRONOUNS:
        # "he no longer believed", "she had long said": a pronoun takes no modifier, the words after it
        # are adverbs and auxiliaries
        stop = phrase_words[0][1]
    return start, stop, role


_ASIDE_OPENERS = _LEXICON.pronouns["relative"] - {"that"}


def _is_aside(segment: str) -> bool:
    """A relative clause ("who spoke on condition of anonymity"), a prepositional phrase ("in a
    statement") or an adverb ("meanwhile", ``aside_adverbs`` of the lexicon) set between the speaker and the reporting verb by commas: it tells about the speaker,
    so the phrase before it speaks."""
    words = segment.split()
    return bool(words) and (words[0].lower() in _ASIDE_OPENERS or words[0].lower() in _PREPOSITIONS or
                            (len(words) == 1 and words[0].lower() in _LEXICON.aside_adverbs))


_OPENER_WORDS = frozenset({"yesterday", "today", "tonight", "now", "here", "there", "meanwhile", "however",
                           "still", "instead", "first", "finally", "separately", "earlier", "later", "again",
                           "indeed", "thus", "therefore", "besides", "otherwise", "nevertheless", "so", "well",
                           "yes", "no", "once", "last", "next", "this", "what", "asked"})
_PARTICIPLE_AFTER = frozenset({"by", "to", "as", "in", "on", "at", "with", "from", "for", "into"})


def _is_comma_spliced_subject(text: str, sentence_start: int, comma: int, verb_start: int) -> bool:
    """'A spokesman for the army, said ...': the words before the sentence's only comma form a noun
    phrase (no verb of their own, no opening adverbial) and a finite reporting verb follows the comma.

    News copy often puts a comma between a long subject and its verb; the phrase is then the speaker,
    not the reported clause."""
    verb = re.match(r"[A-Za-z]+", text[verb_start:])
    if not verb or verb.group().lower() not in REPORTING_VERBS or verb.group().lower().endswith("ing"):
        return False
    following = re.match(r"\s+([A-Za-z]+)", text[verb.end() + verb_start:])
    if following and following.group(1).lower() in _PARTICIPLE_AFTER:
        return False  # "The attack, claimed by the group, ...": a participle, not the verb of the sentence
    phrase = text[sentence_start:comma].strip(" \t(" + _DASH + _ALL_MARKS)
    words = phrase.split()
    if not 1 <= len(words) <= 12:
        return False
    first = words[0].lower().strip(",.")
    if first in _CLAUSE_BOUNDARIES or first in _PREPOSITIONS or first in _TIME_WORDS or first in _OPENER_WORDS \
            or first.endswith("ly") or words[-1].lower().strip(".") in _TIME_WORDS:
        return False
    without_possessives = re.sub(r"(?<=\w)['’]s\b", "", phrase)
    if _has_finite_verb(without_possessives) or re.search(r"\b[a-z]{3,}ed\b", phrase) or \
            any(w.lower().strip(".,") in REPORTING_VERBS for w in words):
        return False
    return not any(mark in without_possessives for mark in _ALL_MARKS)


# words before "states" that make it the plural noun ("member states", "the Gulf states", "many states")
_STATES_MODIFIERS = _LEXICON.states_modifiers


# "question (now) is", "claims were": a copula after the form makes it the subject noun
_NOUN_AFTER_THAT = re.compile(r"\s+(?:" + words_pattern(_LEXICON.closed_classes["after_subject_noun"]) + r")\b", re.I)
_NOT_BEFORE_NOUN = _LEXICON.closed_classes["not_before_noun"]
_COPULA_AFTER = re.compile(r"\s+(?:now\s+|still\s+|here\s+)?(?:" + words_pattern(_LEXICON.closed_classes["copulas"]) +
                           r")\b", re.I)


_PREPOSITION_AFTER = re.compile(r"\s+(?:" + words_pattern(_LEXICON.prepositions) + r")\b")


def _is_noun_use(text: str, sentence_start: int, verb_start: int, word: str) -> bool:
    """A reporting-verb form that is a noun here: 'states' after a modifier ('the Gulf states',
    'member states', '50 states') or capitalised inside a sentence ('the United States'); a form
    followed by a copula ('the only real question now is whether')."""
    before = text[sentence_start:verb_start].split()
    if not before:
        return False
    if before[-1].lower() == "that" and word.lower().endswith("s") and \
            _NOUN_AFTER_THAT.match(text, verb_start + len(word)):
        return True  # "said that reports of one were ...": the subject of the reported clause
    if _COPULA_AFTER.match(text, verb_start + len(word)) and not word.lower().endswith(("ed", "ing")) and \
            word.lower() not in _ALWAYS_VERBS and before[-1].lower() not in _NOT_BEFORE_NOUN and \
            not before[-1].lower().endswith("s"):
        return True  # not after a plural subject: "many experts agree is likely" reports
    low = word.lower()
    previous = before[-1].strip(",;:" + _ALL_MARKS + "(" + _DASH)
    if _LEXICON.lemma_of.get(low) == low and previous[:1].isupper() and not previous.endswith("s") and \
            previous.lower() not in {"i", "we", "you", "they"} and \
            _PREPOSITION_AFTER.match(text, verb_start + len(word)):
        return True  # "Doe lament on silent members": a name's verb would agree ("Doe laments"), so a noun
    if low != "states":
        return _is_noun_form(before, word)
    if word[0].isupper() and before[-1].strip(_ALL_MARKS + "(" + _DASH):
        return True
    previous = before[-1].lower().strip(",;:" + _ALL_MARKS)
    if previous in _STATES_MODIFIERS:
        return True
    # "50 states", but "Article 5 states"
    return previous.isdigit() and not (len(before) >= 2 and before[-2][:1].isupper())


# adjectives that stand between a possessive and a noun ("the mayor's latest comments")
_NOUN_ADJECTIVES = frozenset({"latest", "recent", "earlier", "new", "public", "direct", "repeated", "harsh",
                              "many", "several", "first", "last", "own", "personal", "various", "such", "initial",
                              "previous", "further", "crude", "false", "brief", "formal", "official"})
# verb forms that are rarely a noun, which the rules below leave as verbs
_ALWAYS_VERBS = frozenset({"say", "says", "said", "tell", "tells", "told", "add", "adds", "added", "write", "writes",
                           "wrote", "explains", "explained", "argues", "argued", "insists", "insisted"})


def _is_noun_form(before: list[str], word: str) -> bool:
    """A reporting word used as a noun: after a possessive ("the senator's comments", "the mayor's latest
    comments"), as the object of a verb ("showering praise", "drew echoes"), or capitalised inside
    a name ("Ohio State", "Secretary of State")."""
    previous = before[-1].strip(",;:" + _ALL_MARKS + "(" + _DASH)
    low = word.lower()
    if not previous:
        return False
    title_case = sum(1 for w in before if w[:1].isupper()) * 4 >= len(before) * 3  # a headline: "X Claims ..."
    if word[:1].isupper() and not title_case and not before[-1].endswith((":", ".", "?", "!")) and \
            before[-1][-1:] not in _ALL_MARKS:
        return True
    if low in _ALWAYS_VERBS:
        return False
    if previous.lower().endswith(("'s", "’s")) or previous.endswith(("s'", "s’")):
        return True
    if low.endswith("s") and previous[:1].isupper() and len(before) >= 2 and \
            before[-2].lower() in _DETERMINERS | _PREPOSITIONS:
        return True  # "in a series of Twitter posts": a name modifies the noun after a preposition or article
    if len(before) >= 2 and before[-2].lower() in {"a", "an"} and _LEXICON.lemma_of.get(low) == low and \
            previous.islower():
        return True  # "a radio report describing": after "a" and one noun, a verb would agree ("a radio reports")
    if previous.lower() in _NOUN_ADJECTIVES and len(before) >= 2 and \
            before[-2].lower().endswith(("'s", "’s", "his", "her", "their", "its")):
        return True
    return not low.endswith(("ed", "ing")) and previous.islower() and previous.endswith(("ed", "ing")) and \
        previous not in _AUX_BEFORE_VERB and previous not in REPORTING_VERBS


_PARTICIPLE_TAIL = re.compile(r"(?<=\w)\s+(?:" + _ISSUING + r")"
                              r"\b[^,;:]*$")


_COORDINATED_NAME_WORDS = 3  # "Jo Roe and ...", "The mayor and ...": a short first conjunct


def _opens_coordinated_subject(text: str, lower: int, before: list[tuple[int, int, str]]) -> bool:
    """The words before an "and" are a short capitalised noun phrase that opens the clause, with no verb of its
    own ("Clinton and her aides also sent"; not "Police arrived and officials said")."""
    if not before or len(before) > _COORDINATED_NAME_WORDS or text[lower:before[0][0]].strip(" \t(" + _ALL_MARKS):
        return False
    phrase = text[before[0][0]:before[-1][1]]
    return before[0][2][:1].isupper() and before[0][2].lower() not in _CLAUSE_BOUNDARIES | _PREPOSITIONS | \
        _OPENER_WORDS | _TIME_WORDS and not _holds_a_verb(phrase) and not _is_time_phrase(phrase)


def _phrase_before(text: str, lower: int, upper: int) -> tuple[int, int] | None:
    """Trailing noun phrase of text[lower:upper], stopped at clause boundaries and punctuation."""
    upper = _trim(text, lower, upper, " \t")[1]
    participle = _PARTICIPLE_TAIL.search(text, lower, upper)
    if participle:  # "A report published in July 2024 states": the phrase ends before the participle
        upper = participle.start()
    words = _words(text, lower, upper)
    if not words:
        return None
    start = words[-1][0]
    count = 0
    for index in range(len(words) - 1, -1, -1):
        w_start, w_end, word = words[index]
        gap = text[w_end:start] if index < len(words) - 1 else ""
        if any(ch in gap for ch in ",;:!?\"“”") or re.search(r"\.\s", gap):
            break
        low = word.lower()
        if low in _CLAUSE_BOUNDARIES and index < len(words) - 1:
            # "Both A and B": keep the coordination
            if low == "and" and index >= 1 and any(w[2].lower() in {"both", "either", "neither"}
                                                    for w in words[max(0, index - 3):index]):
                start = w_start
                continue
            if low in {"of", "for", "by"} and index >= 1 and _looks_like_role_word(words[index - 1][2]):
                start = w_start  # "spokesperson for X", "a report by X"
                continue
            if low in {"of", "for", "and"} and index >= 1 and words[index - 1][2][:1].isupper() \
                    and words[index + 1][2][:1].isupper():
                start = w_start  # inside a name: "Institute for Peace Studies"
                continue
            if low == "and" and _opens_coordinated_subject(text, lower, words[:index]):
                start = w_start  # "Clinton and her aides sent": a name opening the clause and its partner
                continue
            break
        if low in _CLAUSE_BOUNDARIES and index == len(words) - 1:
            if low in {"who", "that", "which"}:
                return w_start, w_end
            return None
        if low in REPORTING_VERBS and index < len(words) - 1 and \
                not (low in _DOCUMENT_NOUNS and words[index + 1][2].lower() in {"of", "by"}):
            break  # a verb ends the phrase; "a report by X" is a noun
        if count >= 12:
            break
        start = w_start
        count += 1
    start, end = _trim(text, start, words[-1][1], " \t(")
    # drop a participle tail: "A report published in July" -> "A report"
    phrase = text[start:end]
    cut = re.search(r"\s(?:" + _ISSUING + r")\b", phrase)
    if cut:
        end = start + cut.start()
    if phrase.lower() in {"who", "which", "that"}:
        return start, end
    return (start, end) if end > start else None


def _is_described_appositive(phrase: str) -> bool:
    """'a retired astronaut', 'the third-ranking House Democrat': a noun phrase with an article that
    describes the name before it (no verb of its own)."""
    words = phrase.split()
    return 2 <= len(words) <= 14 and words[0].lower() in {"a", "an", "the"} and \
        not _has_finite_verb(re.sub(r"(?<=\w)['’]s\b", "", phrase)) and \
        not any(w.lower().strip(".,") in REPORTING_VERBS | _CLAUSE_BOUNDARIES - {"of", "for", "in", "at", "on",
                                                                                  "from", "and", "with"}
                for w in words[1:])


def _looks_like_role_word(word: str) -> bool:
    low = word.lower().strip(".,")
    return low in _PERSON_TITLES or low in {"report", "statement", "study", "survey", "team"} or \
        low.endswith("man") or low.endswith("woman")


def _looks_like_role(phrase: str) -> bool:
    words = re.findall(r"[\w\-’']+", phrase)
    if not words or len(words) > 14 or words[0].lower() in {"who", "which", "that", "whose", "where", "when"}:
        return False
    if words[0].lower().endswith("ing") and words[0].islower():
        return False  # "citing officials", "speaking on condition of anonymity": a participle, not a post
    return any(_looks_like_role_word(w.split("-")[-1]) for w in words)


_LONG_ROLE_WORDS = 30  # "senior fellow for maritime and energy security studies at the X Institute in Y"
_ROLE_HEAD_WITHIN = 4  # the post comes first ("deputy head of ..."), its place after


def _is_long_role(phrase: str) -> bool:
    """A post with its institution, longer than a plain role: a role word among its first words, no
    verb of its own."""
    words = re.findall(r"[\w\-’']+", phrase)
    return 0 < len(words) <= _LONG_ROLE_WORDS and words[0].lower() not in _ASIDE_OPENERS and \
        any(_looks_like_role_word(w.split("-")[-1]) for w in words[:_ROLE_HEAD_WITHIN]) and \
        not _has_finite_verb(re.sub(r"(?<=\w)['’]s\b", "", phrase))


def _names_someone(phrase: str) -> bool:
    """A phrase that opens with a name, or whose head is one ("Her neighbour Lena Ortiz")."""
    words = phrase.split()
    return _starts_with_name(phrase) or (len(words) >= 2 and words[-1][:1].isupper() and words[-2][:1].isupper())


def _starts_with_name(phrase: str) -> bool:
    words = phrase.split()
    return bool(words) and words[0][:1].isupper() and words[0].lower() not in _PRONOUNS \
        and words[0].lower() not in {"the", "a", "an"}


def _phrase_after(text: str, start: int, limit: int) -> tuple[int, int, str | None] | None:
    """Speaker noun phrase after a verb ("said Name, role, who ..."): (start, end, role)."""
    start = _trim(text, start, limit)[0]
    match = re.compile(r"[^,.;:!?()\n]+").match(text, start, limit)
    if not match:
        return None
    phrase_end = match.end()
    while phrase_end < limit and text[phrase_end] == "." and _keeps_period(text[start:phrase_end + 1].split()[-1]):
        # "said Mr. Clyburn", "said Lisa O. Monaco": an abbreviation's full stop is inside the name
        more = re.compile(r"[^,.;:!?()\n]+").match(text, phrase_end + 1, limit)
        if not more:
            break
        phrase_end = more.end()
    stop = re.search(r"\s(?:who|which|in|on|at|during|after|before|while|when|as|to|from|told|adding|"
                     r"according|speaking)\b", text[start:phrase_end])
    if stop:
        phrase_end = start + stop.start()
    s, e = _trim(text, start, phrase_end)
    if e <= s or len(text[s:e].split()) > 10:
        return None
    rest = text[e:limit]
    role = None
    appositive = re.match(r",\s*([^,.;:!?]+)", rest)
    if appositive:
        candidate = appositive.group(1).strip()
        candidate = re.split(r"\s(?:who|which|said|told|speaking)\b", candidate)[0].strip()
        if _looks_like_role(text[s:e]) and _starts_with_name(candidate) and not _looks_like_role(candidate):
            # "said a spokeswoman for X, Name": the name speaks, the phrase is the role
            name_start = e + appositive.start(1)
            return name_start, name_start + len(candidate), text[s:e]
        if (_looks_like_role(candidate) or (_starts_with_name(text[s:e]) and _is_described_appositive(candidate))) \
                and not candidate.lower().startswith(("who", "which")):
            role = candidate
    return s, e, role


# --- attribution around a quoted stretch -----------------------------------------

_VERB_ALT = "|".join(sorted(REPORTING_VERBS, key=len, reverse=True))
_POST_VERB_FIRST = re.compile(r"[\s,;" + _DASH_CLASS + r"]*(?P<verb>" + _VERB_ALT + r")\b(?!\s+(?:that|to)\b)",
                              re.IGNORECASE)
# the auxiliary before a reporting verb, with one adverb between ("has also said", "are even demanding")
_CUE_WITH_AUX = re.compile(r"(?:\b(?:" + "|".join(_AUX_BEFORE_VERB) + r")\s+(?:(?:" +
                           words_pattern(_SKIPPABLE_ADVERBS - set(_AUX_BEFORE_VERB)) + r")\s+)?)?"
                           r"(?:\bcontinues?\s+to\s+|\bcontinued\s+to\s+)?$", re.IGNORECASE)


def _cue_with_aux(text: str, sentence_start: int, verb_start: int, verb_end: int) -> tuple[int, str]:
    """The reporting verb as written with its auxiliary ("has denied", "continues to say")."""
    match = _CUE_WITH_AUX.search(text, sentence_start, verb_start)
    start = match.start() if match and match.group() else verb_start
    return start, text[start:verb_end]


def _has_sentence_break(fragment: str) -> bool:
    """A full stop, question or exclamation mark that is not an abbreviation's or an initial's."""
    for match in re.finditer(r"(\S+?)[.!?]+(?=\s)", fragment):
        word = match.group(1).lower().lstrip(_ALL_MARKS + "(")
        if match.group()[-1] == "." and (word in _ABBREVIATIONS or len(word) == 1 or
                                         re.fullmatch(r"(?:[a-z]\.)+[a-z]", word)):
            continue
        return True
    return False


def _post_attribution(text: str, after: int, sentence_end: int) -> _Attribution | None:
    """Attribution right after a closing mark: ', she said', ', said X, role', '- said X'."""
    rest_end = sentence_end
    segment = text[after:rest_end]
    if not segment.strip(" ,.;:!?" + _DASH + _ALL_MARKS):
        return None
    verb_first = _POST_VERB_FIRST.match(text, after, rest_end)
    if verb_first and text[after:verb_first.start("verb")].strip(" ,;" + _DASH) == "":
        phrase = _phrase_after(text, verb_first.end(), rest_end)
        if phrase:
            return _Attribution(cue=verb_first.group("verb"), np_start=phrase[0], np_end=phrase[1],
                                role=phrase[2])
    according = re.compile(r"[\s,;" + _DASH_CLASS + r"]*(?P<cue>[Aa]ccording to)\s+(?P<np>[^,.;:!?]+)").match(
        text, after, rest_end)
    if according:  # "“...,” according to the report."
        s, e = _trim(text, according.start("np"), according.end("np"))
        return _Attribution(cue=according.group("cue"), np_start=s, np_end=e)
    # "she said", "the influential daily wrote", "Name, role, said"
    lead_match = re.match(r"[\s,;" + _DASH_CLASS + r"]*", text[after:rest_end])
    assert lead_match is not None  # a starred pattern matches the empty string, so match() never fails
    lead = lead_match.end()
    window_start = after + lead
    if window_start < rest_end and text[window_start] in _ALL_MARKS:
        return None
    words = _words(text, window_start, rest_end)[:16]
    for index, (w_start, w_end, word) in enumerate(words):
        if index > 0 and words[index - 1][2].lower() in _DETERMINERS:
            continue  # a noun: "the report", "his statement"
        if word.lower() in REPORTING_VERBS and index > 0 and not _is_noun_use(text, window_start, w_start, word):
            gap = text[window_start:w_start]
            if _classify_marks(text, window_start, w_start) or _has_sentence_break(gap):
                return None
            cue_start, cue = _cue_with_aux(text, window_start, w_start, w_end)
            subject = _subject_before(text, window_start, cue_start)
            if subject is None:
                return None
            s, e, role = subject
            if len(text[s:e].split()) > 10 or re.search(r"\bto\s*$", text[window_start:s]) or \
                    text[s:e].split()[0].lower() in _AUX_BEFORE_VERB:
                # "“winning” and urging his supporters to defy what X calls a plot to deny", "“...” that Y has
                # been given advance warning": an infinitive or an auxiliary opens no subject, the verb is no
                # attribution of the quote
                return None
            return _Attribution(cue=cue, np_start=s, np_end=e, role=role)
        if word.lower() in REPORTING_VERBS or (index > 0 and word.lower() in {"that", "because", "but", "if"}):
            break
    return None


# a quoted fragment right after a participle and followed by "by X" ("dubbed “...” by the campaign")
_PASSIVE_AGENT = re.compile(r"[" + re.escape(_ALL_MARKS) + r"][^" + re.escape(_ALL_MARKS) + r"\n]{1,80}[" +
                            re.escape(_ALL_MARKS) + r"],?\s+by\s+(?P<np>[^,.;:!?()\n" + _DASH_CLASS +
                            re.escape(_ALL_MARKS) + r"]{2,60})")
# cognition verbs ("believe", "hold") frame a quote only when it, a comma, a colon or "that" follows them
_COGNITION_FORMS = _LEXICON.verb_forms["cognition"] - _LEXICON.verb_forms["speech"]
_SPEECH_FORMS = frozenset(f for f in _LEXICON.verb_forms["speech"] if " " not in f)
_COGNITION_FRAMES = re.compile(r"\s*(?:[,:]|that\b|[" + re.escape(_ALL_MARKS) + r"])")


def _pre_attribution(text: str, sentence_start: int, open_mark: int, verbs: frozenset[str]) -> _Attribution | None:
    """Attribution before an opening mark: the last framing verb of the sentence and its subject."""
    words = _words(text, sentence_start, open_mark)
    for index in range(len(words) - 1, -1, -1):
        w_start, w_end, word = words[index]
        if word.lower() not in verbs or _is_noun_use(text, sentence_start, w_start, word):
            continue
        if index + 1 < len(words) and words[index + 1][2].lower() == "to" and word.lower() not in {"according"}:
            continue
        previous = words[index - 1][2].lower() if index > 0 else ""
        if previous == "to" and index >= 3 and words[index - 3][2].lower() in _DETERMINERS and \
                words[index - 2][2].islower() and "," in text[w_end:open_mark]:
            continue  # "his hesitancy to concede the vote, should X win, the “...”": a noun's infinitive, set apart
        if index > 0 and any(mark in text[words[index - 1][1]:w_start] for mark in _ALL_MARKS):
            previous = ""  # "“... with her,” shouted": a quotation mark stands between, the word is the quote's
        gerund_after_preposition = word.lower().endswith("ing") and previous in _PREPOSITIONS
        if previous in _DETERMINERS | _PREPOSITIONS - {"to"} and not gerund_after_preposition:
            continue  # a noun: "in terms of", "the claims"
        if word.lower() in _COGNITION_FORMS and not _COGNITION_FRAMES.match(text, w_end, open_mark + 1) and \
                not _opens_with_subject(text[w_end:open_mark + 200].lstrip()):
            continue  # "held her tongue out of “...”": a belief frames a quote right before it, or a clause
        if word.lower() in _COGNITION_FORMS and any(w[2].lower() in _SPEECH_FORMS for w in words[:index]) and \
                previous not in _PERSON_PRONOUNS | {"i", "we"}:
            # "A spokesman said the company gave because it believed “in the work”": a belief of someone else
            # inside a clause someone reports is part of what they said, the words are the reporter's
            # (guidelines section 2); "X said he believes “...”" stays X's belief
            continue
        cue_start, cue = _cue_with_aux(text, sentence_start, w_start, w_end)
        agent = _PASSIVE_AGENT.match(text, open_mark) if word.lower().endswith("ed") and \
            not text[w_end:open_mark].strip() else None
        if agent is not None:
            # "fundraisers, dubbed “Hillblazers” by the campaign": a passive frame, its agent speaks
            np_start, np_end = _trim(text, agent.start("np"), agent.end("np"))
            return _Attribution(cue=cue, np_start=np_start, np_end=np_end)
        if not word.lower().endswith("ing") and _follows_closing_mark(text, sentence_start, cue_start):
            # "“...,” responded X, punctuating it with “...”": an inverted attribution, its speaker after the verb
            inverted = _phrase_after(text, w_end, open_mark)
            if inverted is not None:
                return _Attribution(cue=cue, np_start=inverted[0], np_end=inverted[1], role=inverted[2])
            # "X, who wore a cape bearing the words, “...,” shouted, “...”": the quote before is inside the
            # subject's aside, so the sentence's subject speaks
            opening = next((m.position for m in _classify_marks(text, sentence_start, cue_start) if m.opening), None)
            subject = _sentence_subject(text, sentence_start, opening) if opening is not None else None
            if subject is not None and _starts_with_name(text[subject[0]:subject[1]]):
                comma = text.find(",", subject[0], subject[1])
                return _Attribution(cue=cue, np_start=subject[0], np_end=comma if comma > 0 else subject[1])
        subject = None if gerund_after_preposition else _subject_before(text, sentence_start, cue_start)
        if word.lower().endswith("ing") and (subject is None or text[cue_start - 2:cue_start].strip() == "," or
                                             not _participle_subject(text, sentence_start, subject[0])):
            # "..., telling one aide:", "by saying,": the subject of the sentence speaks, and after
            # "“...,” X said, adding, “...”" the speaker of the quote before
            nearest = subject
            subject = _speaker_of_previous_quote(text, sentence_start, cue_start) or \
                _attribution_before_participle(text, sentence_start, cue_start) or \
                _subordinate_subject(text, sentence_start, cue_start)
            if subject is None and _follows_closing_mark(text, sentence_start, cue_start):
                # "“...,” adding, “...”": the speaker of the quote before, resolved later
                return _Attribution(cue=cue)
            subject = subject or _sentence_subject(text, sentence_start, cue_start) or nearest
        joined = index - 1
        while joined > 0 and words[joined][2].lower() in _SKIPPABLE_ADVERBS:
            joined -= 1  # "and instead argued"
        if words[joined][2].lower() in {"and", "but"} and joined > 0 and index > 0:
            # "X returned to the stage and declared, “...”": the verbs share the sentence's subject (the
            # phrase before "and" is the first verb's object)
            subject = _sentence_subject(text, sentence_start, words[joined][0]) or subject
        if subject is None:
            continue
        s, e, role = subject
        return _Attribution(cue=cue, np_start=s, np_end=e, role=role)
    return None


def _attribution_before_participle(text: str, sentence_start: int, limit: int) -> tuple[int, int, str | None] | None:
    """The speaker of an attribution set between commas right before a participle ("Republicans are missing,
    Jo Roe suggested at a fundraiser Tuesday, musing why ..."): the participle is that speaker's."""
    found = _MID_BEFORE_PARTICIPLE.search(text, sentence_start, limit)
    if found is None or _is_noun_use(text, sentence_start, found.start("verb"), found.group("verb")):
        return None
    np_start, np_end = _trim(text, found.start("np"), found.end("np"))
    if np_end <= np_start or len(text[np_start:np_end].split()) > 8 or \
            text[np_start:np_end].lower() in _NEVER_SPEAKERS:
        return None
    return np_start, np_end, None


def _speaker_of_previous_quote(text: str, sentence_start: int, limit: int) -> tuple[int, int, str | None] | None:
    """The attribution after the last closing quotation mark before limit ('“...,” Warren said, adding')."""
    marks = [m for m in _classify_marks(text, sentence_start, limit) if not m.opening]
    if not marks:
        return None
    after = marks[-1].position + marks[-1].length
    attribution = _post_attribution(text, after, _trim(text, after, limit, " ,;")[1])
    if attribution is None or attribution.np_start is None:
        return None
    assert attribution.np_end is not None  # every _Attribution given an np_start is given its np_end
    return attribution.np_start, attribution.np_end, attribution.role


def _follows_closing_mark(text: str, sentence_start: int, limit: int) -> bool:
    """Only spaces and punctuation between a closing quotation mark and limit."""
    marks = [m for m in _classify_marks(text, sentence_start, limit) if not m.opening]
    return bool(marks) and not text[marks[-1].position + marks[-1].length:limit].strip(" ,;" + _DASH)


_SUBORDINATE_SUBJECT = re.compile(r"\b(?:" + words_pattern(_LEXICON.closed_classes["subordinators"]) + r")\s+(?P<np>" +
                                  words_pattern(_LEXICON.pronouns["subject"]) + r")\s+(?:[a-z]+ly\s+)?[a-z]+(?:ed|s)\b",
                                  re.IGNORECASE)
_SUBORDINATE_LOOKBACK = 200  # characters: the subordinate clause is near the verb it shares its subject with


def _subordinate_subject(text: str, sentence_start: int, limit: int) -> tuple[int, int, str | None] | None:
    """The pronoun subject of the last subordinate clause before limit ("stood with the nominee as he
    boasted about X and said", "when she called in to X, telling"): a coordinated verb or a participle
    after it shares that subject, not the sentence's; None when no such clause stands before."""
    found = None
    for match in _SUBORDINATE_SUBJECT.finditer(text, max(sentence_start, limit - _SUBORDINATE_LOOKBACK), limit):
        found = match
    if found is None or any(mark in text[found.end():limit] for mark in _ALL_MARKS) or \
            re.search(r"[.;:!?]", text[found.end():limit]):
        return None
    return found.start("np"), found.end("np"), None


def _sentence_subject(text: str, sentence_start: int, limit: int) -> tuple[int, int, str | None] | None:
    """Subject at the start of a sentence, after an opening phrase ending in a comma."""
    segment = text[sentence_start:limit]
    opener = re.match(r"(?:(?:In|During|On|At|After|Before|Following|Later|Earlier|Meanwhile|However)\b[^,]*,\s*)",
                      segment)
    start = sentence_start + (opener.end() if opener else 0)
    comma = segment.find(",")
    if opener is None and comma > 0 and _is_time_phrase(segment[:comma]):
        start = sentence_start + comma + 1  # "Last November, Name tweeted:": a time phrase opens the sentence
    words = _words(text, start, limit)
    if len(words) > 1 and words[0][2].lower() in {"but", "and", "yet", "so", "still", "then"}:
        words = words[1:]  # "But Trump said": the conjunction links the sentence, it is no part of the subject
        start = words[0][0]
    while len(words) > 1 and words[0][2].lower() in _SKIPPABLE_ADVERBS and words[0][2][:1].isupper() and \
            words[1][2].lower() not in _CLAUSE_BOUNDARIES | _PREPOSITIONS:  # not "Even as regulators ..."
        words = words[1:]  # "Now Ryan is doing": an adverb opening the sentence is no part of the subject
        start = words[0][0]
    end = None
    for index, (w_start, w_end, word) in enumerate(words):
        low = word.lower()
        following = words[index + 1][2] if index + 1 < len(words) else ""
        if low.endswith("ly") and word.islower() and following.islower() and following.endswith("ed"):
            break  # "Trump quickly deflected": an adverb before the verb ends the subject
        after_article = index > 0 and words[index - 1][2].lower() in _DETERMINERS  # "the registered voter"
        in_name = index > 0 and word[:1].isupper()  # "Secretary of State X": a capitalised word names
        if low in _SKIPPABLE_ADVERBS or (low in REPORTING_VERBS and not after_article and not in_name) or \
                (low in _FRAGMENT_VERBS and not in_name) or \
                (index > 0 and not after_article and (low in _MULTIWORD_FIRST or low in _IRREGULAR_PAST)) or \
                (low.endswith("ed") and not word[:1].isupper() and not after_article) or low in _AUX_BEFORE_VERB:
            break
        end = w_end
    if end is None:
        return None
    s, e = _trim(text, start, end, " ,")
    return (s, e, None) if e > s and len(text[s:e].split()) <= 10 else None


_ACCORDING = re.compile(r"\b[Aa]ccording to\s+(?P<np>[^,.;:!?]+?)\s*,\s*")


def _channel_in(text: str, start: int, end: int) -> tuple[int, int] | None:
    """An outlet relaying the words: 'told X', 'in an interview to/with X', '- reminds X'."""
    match = _CHANNEL.search(text, start, end)
    if not match:
        return None
    group = next(g for g in ("a", "b", "c") if match.group(g))
    return match.start(group), match.end(group)


_CHANNEL = re.compile(r"\b(?:told|tells|telling)\s+(?P<a>(?:the\s+)?[A-Z][\w.’'&\- ]*?)(?=[,.;:!?]|\s+(?:that|on|in|at|last|this)\b|$)|"
                         r"\binterview\s+(?:to|with)\s+(?P<b>(?:the\s+)?[A-Z][\w.’'&\- ]*?)(?=[,.;:!?]|\s+(?:on|in|at|last|this)\b|$)|"
                         r"[" + _DASH_CLASS + r"]\s*(?:reminds|recalls|notes|reports|writes)\s+(?P<c>[A-Z][\w.’'&\- ]*?)(?=[,.;:!?]|$)")


# --- the extractor ---------------------------------------------------------------

def extract_quotes(text: str, entity_spans: list[EntitySpan] | None = None) -> list[dict]:
    """Every quote in a normalised text, per guidelines section 2. entity_spans = (start, end, entity_id, entity_type)
    of the text's mentions. Returns dicts sorted by start with keys: start, end, text (== text[start:end]; without
    quotation marks and joining commas), kind ('direct' | 'partial' | 'indirect'), speaker (entity id or None),
    speaker_text (as written at the attribution: a name, 'he', 'she', 'a local official', or None), speaker_role
    (as written or None), cue (reporting verb/phrase as written or None), channel (entity id of a relaying outlet or
    None), note (or None)."""
    mentions = _Mentions(entity_spans or [])
    paragraphs = _paragraphs(text)
    candidates: list[_Candidate] = []
    pull_paragraphs: list[int] = []
    for p_index, para in enumerate(paragraphs):
        sentences = _sentences(text, *para)
        described = _described_after(text, para, paragraphs[p_index + 1]) if p_index + 1 < len(paragraphs) else None
        if described is not None:
            candidates.append(_Candidate(described[0], described[1], "direct", described[2], p_index))
            continue
        if _is_pull_quote_line(text, para) and not (p_index and _continues_quote(text, paragraphs[p_index - 1], para)) \
                and not (p_index and text[_end_before(text, para[0]) - 1] == ":"):  # "X wrote:" / "“...”"
            pull_paragraphs.append(p_index)
            continue
        marked = _marked_quotes(text, para, sentences, p_index)
        quoted = [(s.start, s.end) for s in _pair_marks(text, para, sentences)]
        indirect = _indirect_quotes(text, sentences, p_index, [(c.start, c.end) for c in marked], quoted)
        candidates.extend(marked + indirect)
        candidates.extend(_dash_attributions(text, para, sentences, p_index, marked + indirect))
    rows = _resolve(text, candidates, mentions, paragraphs)
    rows.extend(_pull_quotes(text, paragraphs, pull_paragraphs, rows))
    rows = _deduplicate(rows)
    return sorted(rows, key=lambda r: (r["start"], r["end"]))


def _is_pull_quote_line(text: str, para: tuple[int, int]) -> bool:
    """A display line with quotation marks and no sentence-final punctuation (or wholly quoted)."""
    line = text[para[0]:para[1]]
    if not any(mark in line for mark in _ALL_MARKS):
        return False
    if line[-1] in ".!?”\"" and {w.lower() for w in re.findall(r"[A-Za-z]+", line)} & REPORTING_VERBS:
        return False
    stripped = line.rstrip()
    if stripped[0] in "“\"" and stripped[-1] in "”\"" and stripped.count(stripped[0]) == 1:
        return True
    return stripped[-1] not in ".!?:;,”\"’'" and len(stripped.split()) <= 25


def _continues_quote(text: str, previous: tuple[int, int], para: tuple[int, int]) -> bool:
    """A paragraph wholly in quotation marks that ends a sentence inside them, after a paragraph that quotes
    someone, carries that quote on (news style: the attribution is given once, in the first paragraph); a
    display line repeating words of the body has no full stop of its own."""
    line = text[para[0]:para[1]].rstrip()
    return line[:1] in _DOUBLE_OPEN + '"' and line[-1:] in _DOUBLE_CLOSE + '"' and \
        line[-2:-1] in (".", "!", "?") and any(mark in text[previous[0]:previous[1]] for mark in _ALL_MARKS)


def _marked_quotes(text: str, para: tuple[int, int], sentences: list[tuple[int, int]],
                   p_index: int) -> list[_Candidate]:
    found = []
    sentence_ends = [e for _s, e in sentences]
    for stretch in _pair_marks(text, para, sentences):
        start, end = _trim(text, stretch.start, stretch.end, " \t")
        if stretch.close_mark is None:
            end = _trim(text, start, end, " \t" + _ALL_MARKS)[1]
        while end > start and text[end - 1] == ",":
            end -= 1
        start, end = _trim(text, start, end, " \t")
        if end <= start:
            continue
        anchor = stretch.open_mark if stretch.open_mark is not None else start
        sent_start, _ = _containing(sentences, anchor)
        close_at = stretch.close_mark if stretch.close_mark is not None else end - 1
        _, sent_end = _containing(sentences, close_at)
        if stretch.close_mark is not None and text[start:end].rstrip(_ALL_MARKS)[-1:] in ".!?" and \
                not text[stretch.close_mark + stretch.close_length:sent_end].strip():
            # “Is it over?” the minister asked.  The sentence splitter ends the sentence at the mark,
            # but an attribution after a question, an exclamation or a full stop belongs to the quote
            # (“... today.” Jo Roe said to cheers.)
            following = bisect_left(sentences, (sent_end, -1))  # the first sentence starting at or after it
            if following < len(sentences) and _is_bare_attribution(text, *sentences[following]):
                sent_end = sentences[following][1]
        before = bisect_right(sentence_ends, sent_start)  # the sentences ending before this one (sorted)
        candidate = _classify_stretch(text, stretch, start, end, sent_start, sent_end, para, p_index,
                                      sentences[before - 1] if before else None)
        if candidate:
            candidate.sentence_start = sent_start
            found.append(candidate)
    return found


# "“...,” adding that ...", "“...,” according to X": the quote ends its clause although words follow
_GERUND_AFTER_QUOTE = re.compile(r"[\s,]*(?:" + "|".join(sorted(f for f in REPORTING_VERBS if f.endswith("ing"))) +
                                 r"|according\s+to)\b", re.IGNORECASE)
def _is_bare_attribution(text: str, start: int, end: int) -> bool:
    """A sentence that only attributes ('Lisa Roe said at a summit.'): a reporting verb among its first
    words and no clause of its own after it ('Officials said the talks would resume' reports a clause)."""
    for index, (w_start, w_end, word) in enumerate(_words(text, start, end)[:14]):
        if word.lower() in REPORTING_VERBS:
            rest = re.split(r"[,;]", text[w_end:end])[0]  # ", adding that ..." is the writer's aside
            if index and text[start:w_start].rstrip().endswith(",") and _INVERTED_SUBJECT.match(rest) and \
                    not _is_time_phrase(rest):
                return False  # "Practice kindness, says Jo Roe, a professor.": the words before are her own
            return not _has_clause(rest) and not re.match(r"\s*(?:that|:)", rest)
    return False


# a subject after its verb: "says Jo Roe", "said the minister" (not "said Tuesday", "said at a summit")
_INVERTED_SUBJECT = re.compile(r"\s+(?:(?:a|an|the)\s+\w|[A-Z])")


_LABEL_PARTICLES = frozenset({"of", "the", "for", "and", "al", "bin", "de", "van", "von", "ul", "el", "da"})


def _is_speaker_label(name: str) -> bool:
    """'Gerald Roe', 'Former envoy Jo Doe', 'MS. ROE' before a colon name a speaker; a headline
    ('Trump lament on missing supporters'), a clause ('ESPN is battling a new fire') or an adverbial
    ('Of Clinton') does not: its lowercase words are neither titles nor name particles."""
    words = re.findall(r"[\w.’'\-]+", name)
    if not words or len(words) > 7 or words[0].lower() in _PREPOSITIONS | _CLAUSE_BOUNDARIES or \
            _is_time_phrase(name):
        return False  # "Last November, Name wrote:": a time phrase is no speaker
    return all(w[:1].isupper() or w[:1].isdigit() or w.lower() in _LABEL_PARTICLES or _looks_like_role_word(w)
               for w in words)


_LABEL_LEAD = re.compile(r"^\s*(?P<np>[A-Z][^:;.!?“”\"]{1,80}?)\s*:\s*$")


def _inside_open_quote(text: str, start: int, position: int | None) -> bool:
    """Whether a double quotation mark opened after start is still open at position ("“When ... do the
    principals say, “Hey ...?” he tweeted": the inner frame is the quoted speaker's words, not the writer's)."""
    if position is None:
        return False
    depth = 0
    for mark in _classify_marks(text, start, position):
        if mark.double:
            depth = depth + 1 if mark.opening else max(0, depth - 1)
    return depth > 0


def _attribution_sentence(text: str, start: int, end: int) -> _Attribution | None:
    """A sentence that only attributes, with no quotation marks ("Her friend Jo Roe, 20, chimed in."): its
    reporting verb and the subject before it, for the quote that opens the next sentence; else None."""
    if any(mark in text[start:end] for mark in _ALL_MARKS.replace("'", "").replace("’", "")) or \
            not text[start:end].rstrip().endswith(".") or not _is_bare_attribution(text, start, end):
        return None
    for w_start, w_end, word in _words(text, start, end)[:14]:
        if word.lower() in REPORTING_VERBS:
            if word.lower().endswith("ing") or _is_noun_use(text, start, w_start, word):
                return None
            cue_start, cue = _cue_with_aux(text, start, w_start, w_end)
            particle = re.match(r"\s+(?:in|out|on|up|back)\b", text[w_end:end])  # "chimed in"
            subject = _subject_before(text, start, cue_start)
            if subject is None or _is_time_phrase(text[subject[0]:subject[1]]):
                return None
            return _Attribution(cue=cue + (particle.group() if particle else ""), np_start=subject[0],
                                np_end=subject[1], role=subject[2])
    return None


def _end_before(text: str, position: int) -> int:
    """The end of the text before position without its trailing white space (a backward scan over the
    white space only, so it costs nothing like copying the text before)."""
    while position > 0 and text[position - 1].isspace():
        position -= 1
    return position


def _caption_after(text: str, para_end: int) -> tuple[int, int, str | None] | None:
    """A line after a quote left open that only names its speaker and closes the quotation marks (a quote
    box: “...policy.” / "Jo Roe, a historian, on the vote.”"): (name start, name end, role or None)."""
    line_start = para_end
    while line_start < len(text) and text[line_start] in "\n\r":
        line_start += 1
    if line_start - para_end != 1:
        return None  # the next line of the same box, not a paragraph after a blank line
    line_end = text.find("\n", line_start)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end].rstrip()
    if not line or line[-1] not in _DOUBLE_CLOSE + '"':
        return None
    line = line[:-1].rstrip(".")
    if "," not in line or not line[:1].isupper() or _has_finite_verb(re.sub(r"(?<=\w)['’]s\b", "", line)) or \
            any(mark in line for mark in "“”\"«»„") or len(line.split()) > _CAPTION_WORDS:
        return None
    name = line.split(",")[0]
    if not _is_speaker_label(name) or not _starts_with_name(name):
        return None
    return line_start, line_start + len(name), line[len(name) + 1:].strip(" ,") or None


_CAPTION_WORDS = 20  # "Jo Roe, director of the X Institute of Politics and Public Service."


# "That was how Jo Roe, the mayor, once described it.": the paragraph after a quote names its speaker
_THAT_WAS_HOW = re.compile(r"(?:That|This|Such)\s+(?:was|is|['’]s)\s+(?:how|what)\s+")
_DESCRIBED_WORDS = 16  # words between "That was how" and the reporting verb


def _described_after(text: str, para: tuple[int, int],
                     following: tuple[int, int]) -> tuple[int, int, _Attribution] | None:
    """A paragraph wholly in double quotation marks followed by one that opens "That was how X described
    ...": (quote start, quote end, X's attribution); else None."""
    line = text[para[0]:para[1]].rstrip()
    if len(line) < 3 or line[0] not in _DOUBLE_OPEN + '"' or line[-1] not in _DOUBLE_CLOSE + '"' or \
            any(mark in line[1:-1] for mark in _DOUBLE_OPEN + _DOUBLE_CLOSE + '"'):
        return None
    lead = _THAT_WAS_HOW.match(text, following[0], following[1])
    if lead is None:
        return None
    for w_start, w_end, word in _words(text, lead.end(), following[1])[:_DESCRIBED_WORDS]:
        if word.lower() in _FRAGMENT_VERBS or word.lower() == "put":  # "described it", "put it"
            subject = _subject_before(text, lead.end(), w_start)
            if subject is None:
                return None
            start, end = _trim(text, para[0] + 1, para[0] + len(line) - 1)
            return start, end, _Attribution(cue=word, np_start=subject[0], np_end=subject[1], role=subject[2])
    return None


_HEADLINE_WORDS = 6  # a sentence of at least this many words, nearly all capitalised, is a headline
_HEADLINE_CAPITALISED = 0.8


def _headline_attribution(text: str, start: int, end: int) -> _Attribution | None:
    """A headline sentence in title case before a quote that opens the next sentence, naming its speaker
    first ("Jo Roe Thanked The Board For Its Support. “Well, thank you ...”"): the name before its verb
    (a word in -ed or a reporting verb); None for any other sentence."""
    words = _words(text, start, end)
    if len(words) < _HEADLINE_WORDS or \
            sum(1 for w in words if w[2][:1].isupper()) < _HEADLINE_CAPITALISED * len(words):
        return None
    for index, (_w_start, _w_end, word) in enumerate(words[:_NAME_WORDS_BEFORE_VERB + 1]):
        low = word.lower()
        if low.endswith("ed") or low in REPORTING_VERBS:
            if index == 0:
                return None
            name_start, name_end = words[0][0], words[index - 1][1]
            name = text[name_start:name_end]
            if not _starts_with_name(name) or name.split()[0].lower() in _CLAUSE_BOUNDARIES | _PREPOSITIONS:
                return None
            return _Attribution(cue=word, np_start=name_start, np_end=name_end)
    return None


_NAME_WORDS_BEFORE_VERB = 4  # "Tom Nides Thanked", "Former Envoy Jo Roe Said"


def _colon_lead(text: str, para_start: int) -> _Attribution | None:
    """The attribution ending the paragraph before with a colon, for a quote that opens its paragraph
    ("X's Media Coordinator Jo Roe wrote:" / "“...”"): a speaker label or a reporting verb and its subject."""
    lead_end = _end_before(text, para_start)
    if lead_end == 0 or text[lead_end - 1] != ":":
        return None
    lead_start = text.rfind("\n", 0, lead_end) + 1
    sentence_start = _sentences(text, lead_start, lead_end)[-1][0]
    label = _LABEL_LEAD.match(text[sentence_start:lead_end])
    if label and _is_speaker_label(label.group("np").split(",")[0]):
        np_start, np_end = _trim(text, sentence_start + label.start("np"), sentence_start + label.end("np"))
        first_comma = text.find(",", np_start, np_end)
        return _Attribution(np_start=np_start, np_end=first_comma if first_comma > 0 else np_end,
                            role=text[first_comma + 1:np_end].strip() or None if first_comma > 0 else None)
    return _pre_attribution(text, sentence_start, lead_end - 1, _FRAGMENT_VERBS)


def _classify_stretch(text: str, stretch: _Stretch, start: int, end: int, sent_start: int, sent_end: int,
                      para: tuple[int, int], p_index: int,
                      sentence_before: tuple[int, int] | None = None) -> _Candidate | None:
    caption = _caption_after(text, para[1]) if stretch.open_mark is not None and stretch.close_mark is None \
        and text[sent_start:stretch.open_mark].strip() == "" else None
    if caption is not None:
        # a quote box whose last line names its speaker: “...policy. / Jo Roe, a historian, on the vote.”
        return _Candidate(start, end, "direct", _Attribution(np_start=caption[0], np_end=caption[1],
                                                             role=caption[2]), p_index,
                          note="speaker named on the line after the quote, inside its quotation marks")
    content = text[start:end]
    post = _post_attribution(text, stretch.close_mark + stretch.close_length, sent_end) \
        if stretch.close_mark is not None else None
    if stretch.open_mark is None:
        # a closing mark without an opening one is a quote only when an attribution follows
        if post is None:
            return None
        return _Candidate(start, end, "direct", post, p_index,
                          note="opening quotation mark missing; the quote runs from the paragraph start")
    pre_text = text[sent_start:stretch.open_mark]
    pre_clean = pre_text.strip(" " + _DASH + _ALL_MARKS)
    after_text = text[(stretch.close_mark + stretch.close_length) if stretch.close_mark is not None else end:sent_end]
    ends_clause = not after_text.strip(" .!?,;" + _ALL_MARKS) or post is not None or \
        _GERUND_AFTER_QUOTE.match(after_text) is not None
    pre = _pre_attribution(text, sent_start, stretch.open_mark, _FRAGMENT_VERBS) if pre_clean else None
    if pre is None and pre_clean:
        according = _ACCORDING.search(text, sent_start, stretch.open_mark)
        if according:
            s, e = _trim(text, according.start("np"), according.end("np"))
            pre = _Attribution(cue=text[according.start():according.start() + len("According to")],
                               np_start=s, np_end=e)
    note = None
    if stretch.close_mark is None:
        note = "closing quotation mark missing; the quote runs to the end of the paragraph"
    asked_by = _ASKED_BY.search(text, max(sent_start, stretch.open_mark - _QUESTION_LOOKBACK), stretch.open_mark)
    if asked_by and not re.search(r"[,;:]", text[asked_by.end():stretch.open_mark]) and not _has_finite_verb(content):
        # "confronted by X about whether she “wiped” her server": a word quoted in a passive question is the asker's
        np_start, np_end = _trim(text, asked_by.start("np"), asked_by.end("np"))
        return _Candidate(start, end, "partial", _Attribution(cue=asked_by.group("verb"), np_start=np_start,
                                                               np_end=np_end), p_index, note=note)
    label = _LABEL_LEAD.match(pre_text)
    if label and post is None and _is_speaker_label(label.group("np").split(",")[0]):
        # "Name, Outlet: “...”": a speaker label before a colon
        np_start, np_end = _trim(text, sent_start + label.start("np"), sent_start + label.end("np"))
        first_comma = text.find(",", np_start, np_end)
        role = None
        if first_comma > 0:
            role = text[first_comma + 1:np_end].strip() or None
            np_end = first_comma
        return _Candidate(start, end, "direct", _Attribution(np_start=np_start, np_end=np_end, role=role),
                          p_index, note=note)
    if label and post is None and pre is None and _has_finite_verb(content):
        # "Mook agreed: “...”", "He sighed: “...”": the subject of the clause before the colon speaks
        colon = sent_start + label.end("np")
        lead = re.match(r"(?:But|And|So|Yet)\s+", text[sent_start + label.start("np"):colon])
        subject = _sentence_subject(text, sent_start + label.start("np") + (lead.end() if lead else 0), colon)
        if subject and text[subject[1]:colon].strip() and \
                text[subject[0]:subject[1]].split()[0].lower() not in _PREPOSITIONS | _CLAUSE_BOUNDARIES:
            verb = re.match(r"\s+(?:[a-z]+ly\s+)?(?P<verb>[a-z]+)", text[subject[1]:colon])
            if verb and _is_noun_use(text, sent_start, subject[1] + verb.start("verb"), verb.group("verb")):
                return None  # "Doe lament on silent members: “...”": a headline's noun, no clause
            cue = verb.group("verb") if verb and (verb.group("verb").endswith("ed") or
                                                  verb.group("verb") in _FRAGMENT_VERBS) else None
            return _Candidate(start, end, "direct", _Attribution(cue=cue, np_start=subject[0], np_end=subject[1]),
                              p_index, note=note)
    if not pre_clean:
        # the quote opens its sentence; a sentence before it that only attributes ("Jo Roe chimed in.") names
        # its speaker
        # (one that follows a quote is that quote's attribution: this quote then carries it on)
        follows_quote = sentence_before is not None and text[para[0]:sentence_before[0]].rstrip()[-1:] and \
            text[para[0]:sentence_before[0]].rstrip()[-1] in _ALL_MARKS
        attribution = post or (_attribution_sentence(text, *sentence_before) if sentence_before and not follows_quote
                               else None) or (_colon_lead(text, para[0]) if sentence_before is None else None) or \
            (_headline_attribution(text, *sentence_before) if sentence_before and not follows_quote else None)
        # a whole clause in double marks opening its sentence is a quote even when the writer's
        # words follow the closing mark (“..., ” which the law did not allow)
        whole = (ends_clause and (stretch.double or post is not None)) or \
            (stretch.double and _has_finite_verb(content) and len(content.split()) >= 6)
        if not whole:
            return None
        return _Candidate(start, end, "direct", attribution, p_index, continuation=attribution is None,
                          note=note)
    direct_lead = re.search(r"[,:]\s*$", pre_text) and pre is not None and pre.cue is not None and \
        (pre.cue.split()[-1].lower() in REPORTING_VERBS)
    verb_before_mark = pre is not None and pre.cue is not None and \
        re.search(r"\b" + re.escape(pre.cue.split()[-1]) + r"[,:]?\s*$", pre_text) is not None and \
        pre.cue.split()[-1].lower() in REPORTING_VERBS
    after_that = re.search(r"\b(?:that|:)\s*(?:the\s+)?$", pre_text, re.IGNORECASE) and pre is not None and \
        pre.cue and pre.cue.split()[-1].lower() in REPORTING_VERBS
    attribution = post or pre
    if direct_lead and ends_clause and pre is not None:  # direct_lead already implies pre is not None
        # "But they could say something like, “...,” he wrote.": words someone might say, framed by a modal,
        # are the writer's example; the attribution after the quote names who wrote them
        hypothetical = post is not None and post.np_start is not None and pre.cue is not None and \
            (pre.cue.split()[0].lower() in _MODALS or _inside_open_quote(text, sent_start, pre.np_start))
        return _Candidate(start, end, "direct", pre if (pre.np_start is not None and not hypothetical) or post is None
                          else post, p_index, note=note)
    if pre_text.rstrip().endswith(":") and ends_clause and (post is not None or pre is not None) and \
            _has_finite_verb(content):
        # "..., he wrote: “...”" / "is no mystery: “...,” he said": a colon introduces a whole quote
        return _Candidate(start, end, "direct", post or pre, p_index, note=note)
    if (after_that or verb_before_mark) and ends_clause and _has_finite_verb(content) and len(content.split()) >= 4:
        return _Candidate(start, end, "direct", pre, p_index, note=note)
    if attribution is None or (attribution.np_start is None and attribution.cue is None):
        return None  # scare quotes, titles and names in quotation marks
    if post is not None and pre is not None and pre.np_start is not None and post.np_start is None:
        attribution = pre
    candidate = _Candidate(start, end, "partial", attribution, p_index, note=note)
    according = _ACCORDING.search(text, sent_start, stretch.open_mark)
    if according and attribution is pre and pre.cue and not pre.cue.lower().startswith("according"):
        if pre.np_start is not None and pre.np_start > according.end("np"):
            # attribution is candidate.attribution (the same object), typed as not None here
            attribution.channel_span = _trim(text, according.start("np"), according.end("np"))
    return candidate


_DASH_LINE = re.compile(r"^[" + _DASH_CLASS + r"]\s*(?:(?P<verb1>" + _VERB_ALT + r")\s+(?P<np1>[^.!?]+?)|"
                        r"(?P<np2>[^.!?]+?)\s+(?P<verb2>" + _VERB_ALT + r"))\s*[.!?]?\s*$", re.IGNORECASE)


def _dash_attributions(text: str, para: tuple[int, int], sentences: list[tuple[int, int]], p_index: int,
                       marked: list[_Candidate]) -> list[_Candidate]:
    """'- the publication writes.' / '- reminds FT.' closing the sentence before it."""
    found = []
    for index, (s_start, s_end) in enumerate(sentences):
        match = _DASH_LINE.match(text[s_start:s_end])
        if not match or index == 0:
            continue
        verb = match.group("verb1") or match.group("verb2")
        np_group = "np1" if match.group("verb1") else "np2"
        np_start, np_end = s_start + match.start(np_group), s_start + match.end(np_group)
        prev_start, prev_end = sentences[index - 1]
        covering = [c for c in marked if c.start < prev_end and c.end > prev_start]
        if covering:
            for candidate in covering:
                if candidate.attribution is None:
                    candidate.attribution = _Attribution()
                candidate.attribution.channel_span = (np_start, np_end)
            continue
        clause_start, clause_end = _trim(text, prev_start, prev_end, " .!?" + _DASH)
        found.append(_Candidate(clause_start, clause_end, "indirect",
                                _Attribution(cue=verb, np_start=np_start, np_end=np_end), p_index))
    return found


_THAT_CLAUSE = re.compile(r"\b(?P<verb>" + _PHRASAL_ALT + "|" + _LIGHT_ALT + "|" + _VERB_ALT + r")\b(?P<gap>(?:\s+(?!that\b|how\b|whether\b|if\b)[\w.’'\-]+){0,6}?)"
                          r"\s+(?P<conj>that|how|whether|if)\s+", re.IGNORECASE)
# "if" opens a reported question only after a verb that asks ("asked the members if ..."); after "said" it
# is a condition inside the report
_QUESTION_VERBS = frozenset(f for f, lemma in _LEXICON.lemma_of.items() if lemma in _LEXICON.question_verbs)
_BARE_CLAUSE = re.compile(r"\b(?P<verb>" + "|".join(sorted(_BARE_CLAUSE_VERBS | _SUBJECT_CLAUSE_VERBS, key=len,
                                                              reverse=True)) +
                          r")\s+(?=[\w(])", re.IGNORECASE)
_DENIED_GERUND = re.compile(r"\b(?P<verb>den(?:y|ies|ied|ying))\s+(?=\w+ing\b)", re.IGNORECASE)
_ESTIMATED_TO_BE = re.compile(r"\b(?P<verb>estimat(?:e|es|ed))\s+(?:there\s+)?(?=to be\b)", re.IGNORECASE)
# finite forms of the speech verbs, which may follow the clause they report ("..., the embassy said.")
_PARENTHETICAL_VERBS = frozenset(f for f in _LEXICON.speech_verbs if " " not in f and not f.endswith("ing"))
_CLAUSE_THEN_SPEAKER = re.compile(r",\s*(?P<np>[^,;:“”\"]{1,60}?)\s+(?P<verb>" +
                                  "|".join(sorted(_PARENTHETICAL_VERBS, key=len, reverse=True)) + r"|told reporters|"
                                  r"estimated)(?P<tail>\s+[^,.;:!?]{0,40})?\s*[.!?]?\s*$")
_CLAUSE_THEN_VERB = re.compile(r",\s*(?P<verb>" + words_pattern(_LEXICON.inverting_verbs) + r")\s+(?P<np>[^,;:“”\"]{1,60}?)"
                               r"(?:,\s*(?P<role>[^.;:!?]{1,80}))?\s*[.!?]?\s*$")
_REPORTING_NOUN = re.compile(r"\b(?P<np>\w[\w\-]*)(?:’s|'s)\s+(?P<verb>" + words_pattern(_LEXICON.speech_nouns) +
                             r")\s+that\s+")


# reporting verbs whose object may come before a "that" clause ("told reporters that", "warned the council that")
_OBJECT_THEN_CLAUSE_VERBS = frozenset(f for f, lemma in _LEXICON.lemma_of.items()
                                      if lemma in {"tell", "warn", "ask", "remind", "caution", "assure", "inform",
                                                   "advise", "brief", "reassure", "urge"})
_VERB_AFTER_RELATIVE = frozenset(_AUX_BEFORE_VERB) | {"will", "would", "should", "must", "shall", "cannot",
                                                      "won't", "wasn't", "weren't", "isn't", "hasn't", "hadn't"}


_CLAUSE_AUXILIARIES = _LEXICON.closed_classes["auxiliaries"]
_SUBJECT_WORDS = 5  # "the new stadium roof was": a subject of a few words before its auxiliary


def _opens_with_subject(following: str) -> bool:
    """The words after a verb open a clause of their own: a subject pronoun and a verb ("he had",
    "they would"), or a short noun phrase and an auxiliary ("the plan was"), with no preposition or
    comma between."""
    words = re.findall(r"[A-Za-z’'\-]+|[,;:]", following[:200])
    if len(words) < 2:
        return False
    first = words[0].lower()
    coordinated = words[1].lower() in {"and", "or"}  # "he and his allies would"
    if first in _SUBJECT_PRONOUNS and not coordinated:
        return words[1].lower() not in _PREPOSITIONS | {",", ";", ":"} if first != "it" \
            else words[1].lower() in _CLAUSE_AUXILIARIES
    if first not in _DETERMINERS and first not in _SUBJECT_PRONOUNS and not _is_name_word(words[0]):
        return False
    for word in words[1:_SUBJECT_WORDS + 1]:
        low = word.lower()
        if low in _CLAUSE_AUXILIARIES:
            return True
        if low in _PREPOSITIONS or low in {",", ";", ":"}:
            return False
    return False


# "told voters he ...", "telling the crowd they ...": one to three words of listeners, then a subject pronoun
_LISTENER_NEVER = _LEXICON.closed_classes["never_listeners"]
_LISTENER_THEN_PRONOUN = re.compile(r"(?P<np>(?:[\w’'\-]+\s+){1,3})(?=(?:he|she|they|we|I)\s+[a-z])")


def _is_relative_that(text: str, match: re.Match, verb: str) -> bool:
    """'that' after a reporting verb and some words is a relative pronoun, not the clause's complementiser,
    when the words are the verb's object ('wrote a letter that ...', except 'told the court that ...')
    or a verb follows it at once ('wrote for the paper that was ...')."""
    gap = match.group("gap").split()
    if not gap or match.group("conj").lower() != "that":
        return False
    if gap[0].lower() in _DETERMINERS and verb not in _OBJECT_THEN_CLAUSE_VERBS:
        return True
    following = re.match(r"[A-Za-z’']+", text[match.end():])
    word = following.group().lower() if following else ""
    return word in _VERB_AFTER_RELATIVE or word in _IRREGULAR_PAST or bool(re.fullmatch(r"[a-z]{2,}ed", word))


def _indirect_quotes(text: str, sentences: list[tuple[int, int]], p_index: int,
                     marked: list[tuple[int, int]], quoted: list[tuple[int, int]]) -> list[_Candidate]:
    """Reported speech, one clause per sentence at most; a clause may not cut into a quoted stretch
    nor hold one (the quoted fragment is then the row, guidelines section 2)."""
    found = []
    quoted_ends = sorted(b for _a, b in quoted)
    for s_start, s_end in sentences:
        if text[s_start:s_end].lstrip()[:1] in _DASH:
            continue
        last_end = bisect_right(quoted_ends, s_start)  # the quoted stretch that ends last before the sentence
        if last_end and not text[quoted_ends[last_end - 1]:s_start].strip(" .!?,;" + _ALL_MARKS) and \
                _is_bare_attribution(text, s_start, s_end):
            continue  # "“Is it over?” Jo Roe, an adviser, said at a summit.": the quote's attribution, no report
        dateline = DATELINE.match(text, s_start, s_end)
        if dateline:  # "PESHAWAR, Dec 1 — Pakistan reopened ...": the dateline is the writer's, not reported
            s_start = dateline.end()
            while s_start < s_end and text[s_start].isspace():
                s_start += 1
        inside = _overlapping_spans(marked, s_start, s_end)
        found.extend(_indirect_in_sentence(text, s_start, s_end, p_index, inside, quoted))
    return found


def _touches(span: tuple[int, int], marked: list[tuple[int, int]]) -> bool:
    return any(a < span[1] + 1 and b + 1 > span[0] for a, b in marked)


def _clause_span(text: str, start: int, end: int) -> tuple[int, int]:
    start, end = _trim(text, start, end, " \t,")
    end = _trim(text, start, end, " \t.!?;:(")[1]
    return start, end


# where the writer's own clause takes over from a reported one: ", but the mayor's ...", "; the ..."
_WRITER_CLAUSE = re.compile(r",\s+(?:but|while|whereas|although|though)\s+|;\s+|\s+\((?=[a-z])|"
                            r",\s+which\s+(?=[^,;]*$)")  # ", which has sparked a feud": the writer's, to the end


def _reported_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The reported clause from start, cut before a coordinated clause of the writer's own (', but
    X was ...'; a parenthesis of the writer's)."""
    start, end = _clause_span(text, start, end)
    for cut in _WRITER_CLAUSE.finditer(text, start, end):
        if cut.group().lstrip().startswith("(") or _has_finite_verb(text[cut.end():end]) or \
                _has_clause(text[cut.end():end]):
            trimmed = _clause_span(text, start, cut.start())
            if trimmed[1] - trimmed[0] >= 8:
                return trimmed
        break
    return start, end


# reported clauses drafted per sentence, and reporting verbs tried per sentence (no sentence of news
# reports more than a few clauses; the bound keeps a pathological sentence linear)
_MAX_CLAUSES = 6
_MAX_CLAUSE_ATTEMPTS = 16


# ", according to X." at the end of a sentence, ", according to X," inside it
_ACCORDING_END = re.compile(r",\s*(?P<cue>according to)\s+(?P<np>[^,;:!?“”\"]{2,80}?)\s*[.!?]?\s*$", re.IGNORECASE)
_ACCORDING_MID = re.compile(r",\s*(?P<cue>according to)\s+(?P<np>[^,;:!?“”\"]{2,80}?)\s*,\s*", re.IGNORECASE)


def _according_inside(text: str, s_start: int, s_end: int, p_index: int,
                      marked: list[tuple[int, int]]) -> _Candidate | None:
    """'Attacks doubled, according to X.' / 'The militants, according to X, crossed ...': the clause
    credited to X (the one before the attribution when it is a clause, else the one after)."""
    end = _ACCORDING_END.search(text, s_start, s_end)
    found = end or _ACCORDING_MID.search(text, s_start, s_end)
    if found is None or found.start() <= s_start:
        return None
    spans = [_clause_span(text, s_start, found.start())]
    if found is not end:
        spans.append(_reported_clause(text, found.end(), s_end))
        if not _has_finite_verb(text[spans[0][0]:spans[0][1]]) and not _has_clause(text[spans[0][0]:spans[0][1]]):
            spans.reverse()  # "The militants, according to X, crossed ...": the clause is after
    c_start, c_end = spans[0]
    if c_end - c_start < 12 or not _has_clause(text[c_start:c_end]) or _touches((c_start, c_end), marked):
        return None
    np_start, np_end = _trim(text, found.start("np"), found.end("np"))
    if np_end <= np_start:
        return None
    return _Candidate(c_start, c_end, "indirect", _Attribution(cue=found.group("cue"), np_start=np_start,
                                                               np_end=np_end), p_index)


_QUESTION_LOOKBACK = 400  # characters before a quotation mark in which a passive question is looked for
# "asked (directly) by X if/whether ...": a passive question, X asks
_ASKED_BY = re.compile(r"\b(?P<verb>" + words_pattern(_LEXICON.closed_classes["questioning_participles"]) +
                       r")\s+(?:[^,;:“”\"]{1,60}?\s+)?by\s+(?P<np>[^,;:“”\"]{2,60}?)\s+(?:about\s+|on\s+)?"
                       r"(?:if|whether)\s+(?:or\s+not\s+)?", re.IGNORECASE)


def _indirect_in_sentence(text: str, s_start: int, s_end: int, p_index: int,
                          marked: list[tuple[int, int]], quoted: list[tuple[int, int]]) -> list[_Candidate]:
    """Every reported clause of a sentence: one per reporting verb, each ending where the next
    attribution of a coordinated clause begins (', adding that', ', but they argued that',
    'and says'); a clause reported inside another one stays whole."""
    according = _ACCORDING.match(text, s_start, s_end) or _ACCORDING.search(text, s_start, s_end)
    if according and text[s_start:according.start()].strip(" ,") == "":
        np_start, np_end = _trim(text, according.start("np"), according.end("np"))
        c_start, c_end = _clause_span(text, according.end(), s_end)
        # what follows "According to X," is the reported clause (a verb list cannot tell "fell" is one)
        if c_end - c_start > 10 and len(text[c_start:c_end].split()) >= 3 and not _touches((c_start, c_end), marked):
            cue = text[according.start():according.start() + len("According to")]
            return [_Candidate(c_start, c_end, "indirect", _Attribution(cue=cue, np_start=np_start, np_end=np_end),
                               p_index)]
    as_reported = _AS_REPORTED.match(text, s_start, s_end)
    tail = (as_reported.group("tail") or "").split() if as_reported else []
    if as_reported and (not tail or tail[0].lower() in _AS_REPORTED_TAIL or _is_time_phrase(" ".join(tail))) and \
            not _is_noun_use(text, s_start, as_reported.start("verb"), as_reported.group("verb")):
        # "As the Herald reported on Monday, the club will move": the clause after the comma is the report
        np_start, np_end = _trim(text, as_reported.start("np"), as_reported.end("np"))
        c_start, c_end = _reported_clause(text, as_reported.end(), s_end)
        if c_end - c_start >= 12 and _has_clause(text[c_start:c_end]) and not _touches((c_start, c_end), marked) \
                and len(text[np_start:np_end].split()) <= 6:
            return [_Candidate(c_start, c_end, "indirect", _Attribution(
                cue=as_reported.group("verb"), np_start=np_start, np_end=np_end), p_index)]
    found: list[tuple[int, _Candidate]] = []  # (where its attribution begins, candidate)
    taken: set[int] = set()  # verb positions already drafted (a verb matched by two patterns counts once)
    asked_by = _ASKED_BY.search(text, s_start, s_end)
    if asked_by and not _overlapping_spans(quoted, asked_by.start(), asked_by.end()):
        # "When asked by The Times if they were involved, neither X nor Y responded": a reported question
        # whose asker is the agent; the clause ends at the writer's comma
        comma = text.find(",", asked_by.end(), s_end)
        c_start, c_end = _trim(text, asked_by.end(), comma if comma > 0 else s_end, " \t.!?")
        np_start, np_end = _trim(text, asked_by.start("np"), asked_by.end("np"))
        if _has_clause(text[c_start:c_end]) and not _touches((c_start, c_end), marked):
            found.append((np_start, _Candidate(c_start, c_end, "indirect", _Attribution(
                cue=text[asked_by.start("verb"):asked_by.end("verb")], np_start=np_start, np_end=np_end), p_index)))
            taken.add(asked_by.start("verb"))
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", text[s_start:s_end])}
    mid = _MID_ATTRIBUTION.search(text, s_start, s_end) if words & _PARENTHETICAL_VERBS else None
    if mid and not _touches((s_start, mid.start()), marked):
        # "The bridge will reopen, the ministry said, adding that ...": the clause before is reported too,
        # and the participle's speaker is the one between the commas, not the sentence's subject
        c_start, c_end = _clause_span(text, s_start, mid.start())
        np_start, np_end = _trim(text, mid.start("np"), mid.end("np"))
        if c_end - c_start >= 12 and _has_clause(text[c_start:c_end]) and \
                (np_end - np_start) and len(text[np_start:np_end].split()) <= 8:
            found.append((mid.start("np"), _Candidate(c_start, c_end, "indirect", _Attribution(
                cue=mid.group("verb"), np_start=np_start, np_end=np_end), p_index)))
            taken.add(mid.start("verb"))
        else:
            mid = None
    patterns = (_THAT_CLAUSE, _DENIED_GERUND, _ESTIMATED_TO_BE, _REPORTING_NOUN, _BARE_CLAUSE) \
        if words & _REPORTING_TRIGGERS else ()
    attempts = 0
    for pattern in patterns:
        for match in _overlapping(pattern, text, s_start, s_end):
            if match.start("verb") in taken:
                continue
            attempts += 1
            if attempts > _MAX_CLAUSE_ATTEMPTS or len(found) >= _MAX_CLAUSES:
                break  # each attempt reads the sentence once: a bound keeps a sentence of many verbs linear
            candidate = _clause_of_match(text, s_start, s_end, p_index, pattern, match, marked, quoted, found, mid)
            if candidate:
                taken.add(match.start("verb"))
                found.append(candidate)
    if found:
        return [_relayed_document(text, c) for c in
                _split_and_that(text, _split_coordinated(text, sorted(found, key=lambda f: f[1].start)))]
    inside = _according_inside(text, s_start, s_end, p_index, marked) if "according" in words else None
    if inside:
        return [inside]  # no reporting verb: "..., according to X." credits the clause to X
    parenthetical = _parenthetical_attribution(text, s_start, s_end, p_index, marked) \
        if words & _PARENTHETICAL_VERBS else None
    if parenthetical or marked:
        return [parenthetical] if parenthetical else []
    single = _clause_then_speaker(text, s_start, s_end, p_index)
    return [_relayed_document(text, single)] if single else []


# an article and a name before a reporting word make it a noun ("a Gazette report that", "the Kremlin claim
# that"); the phrase is the speaker
_NAMED_NOUN = re.compile(r"\b(?:[Aa]n?|[Tt]he)\s+(?:[A-Z][\w.&'’\-]*\s+){1,3}$")


# words after which a phrase is the subject of the participle that follows it ("with X calling", "has X
# saying", "heard X telling", "shows X arguing")
_PARTICIPLE_SUBJECT_AFTER = re.compile(r"\b(?:" + words_pattern(_LEXICON.closed_classes["participle_subject_after"]) +
                                       r")\s+$", re.I)


def _document_after_preposition(text: str, sentence_start: int, phrase: tuple[int, int, str | None]) -> bool:
    """A document named after a preposition right before a participle ("in response to an agency story
    detailing how", "seizing on the letter informing them"): the document, not the sentence's subject, says it;
    a document that is the verb's own object ("sent a letter to the board saying") is the sender's."""
    words = text[phrase[0]:phrase[1]].split()
    before = text[sentence_start:phrase[0]].split()
    return len(words) >= 2 and words[0].lower() in _DETERMINERS and words[-1].lower() in _DOCUMENT_NOUNS and \
        bool(before) and before[-1].lower() in _PREPOSITIONS


def _participle_subject(text: str, sentence_start: int, phrase_start: int) -> bool:
    """Whether the phrase right before a participle is its subject: after "with" ("with X calling it
    ...") or opening the sentence ("X, saying ..."); a phrase after the sentence's verb is that verb's
    object ("sent a letter to the board on Monday saying": the sender speaks)."""
    head = text[sentence_start:phrase_start]
    return not head.strip() or _PARTICIPLE_SUBJECT_AFTER.search(head) is not None


# prepositions before a gerund that is still a verb with its clause ("won by telling voters he ...")
_GERUND_PREPOSITIONS = _LEXICON.closed_classes["gerund_prepositions"]


# "X said the report by Y found that ...": the document speaks, X relays it (guidelines section 2)
_DOCUMENT_FINITE = frozenset(f for f in _LEXICON.verb_forms["document"] if " " not in f and not f.endswith("ing"))
_RELAYED_DOCUMENT = re.compile(
    r"(?P<np>(?:[Tt]he|[Aa]n?|[Ii]ts|[Tt]heir|[Tt]his)\s+(?:[\w’'\-]+\s+){0,3}?(?:" +
    "|".join(sorted(_LEXICON.document_nouns, key=len, reverse=True)) + r")(?:\s+(?:by|of|from)\s+[^,;:“”\"]{1,60}?)?)\s+"
    r"(?:has\s+|had\s+)?(?P<verb>" + "|".join(sorted(_DOCUMENT_FINITE, key=len, reverse=True)) + r")\s+that\s+")


def _relayed_document(text: str, candidate: _Candidate) -> _Candidate:
    """A reported clause that is itself a document's finding ("the report found that attacks doubled")
    becomes the document's quote of the inner clause, its relayer the channel; else the candidate."""
    found = _RELAYED_DOCUMENT.match(text, candidate.start, candidate.end)
    if found is None or candidate.attribution is None or candidate.end - found.end() < 8:
        return candidate
    outer = candidate.attribution
    relayer = (outer.np_start, outer.np_end) if outer.np_start is not None and outer.np_end is not None else None
    return _Candidate(found.end(), candidate.end, candidate.kind,
                      _Attribution(cue=found.group("verb"), np_start=found.start("np"), np_end=found.end("np"),
                                   channel_span=relayer), candidate.paragraph)


# "the letter FBI Director Jo Roe sent to Congress Friday": a document, then the capitalised name of who
# issued it, then the issuing participle (no comma or full stop between it and the participle after)
_DOCUMENT_SENDER = re.compile(r"\b(?:" + words_pattern(_DETERMINERS) + r")\s+(?:" + words_pattern(_LEXICON.document_nouns) +
                              r")\s+(?P<np>(?:[A-Z][\w.’'\-]*\s+){1,6}?)(?:" +
                              words_pattern(_LEXICON.closed_classes["sending_verbs"]) + r")\b[^,.;:!?“”\"]*$")


def _clause_of_match(text: str, s_start: int, s_end: int, p_index: int, pattern: re.Pattern, match: re.Match,
                     marked: list[tuple[int, int]], quoted: list[tuple[int, int]],
                     found: list[tuple[int, _Candidate]], mid: re.Match | None = None) -> tuple[int, _Candidate] | None:
    verb = match.group("verb")
    low = verb.lower()
    if _overlapping_spans(quoted, match.start("verb"), match.start("verb") + 1):
        return None  # words inside quotation marks are the speaker's, not the writer's report
    previous_word = text[s_start:match.start("verb")].split()[-1:] or [""]
    named_noun = _NAMED_NOUN.search(text, max(s_start, match.start("verb") - 60), match.start("verb")) \
        if pattern is _THAT_CLAUSE and not low.endswith(("ed", "ing", "s")) else None
    if named_noun and not match.group("gap").strip():
        # "denied a Gazette report that ...": the named report holds the clause (a reporting noun, section 2)
        c_start, c_end = _reported_clause(text, match.end(), s_end)
        if c_end - c_start < 8 or _touches((c_start, c_end), marked):
            return None
        return named_noun.start(), _Candidate(c_start, c_end, "indirect", _Attribution(
            cue=verb, np_start=named_noun.start(), np_end=match.end("verb")), p_index)
    gerund_after = low.endswith("ing") and previous_word[0].lower() in _GERUND_PREPOSITIONS  # "by telling"
    if pattern is not _REPORTING_NOUN and not gerund_after and \
            (previous_word[0].lower() in _DETERMINERS | _PREPOSITIONS - {"to"}
             or _is_noun_use(text, s_start, match.start("verb"), verb)):
        return None  # a noun: "a claim disputed by ...", "the Gulf states"
    if pattern is _THAT_CLAUSE and match.group("conj").lower() == "if" and low not in _QUESTION_VERBS:
        return None  # "warned the plan would fail if ...": a condition, not a question
    if pattern is _THAT_CLAUSE and _is_relative_that(text, match, low):
        return None  # "wrote an op-ed that argued ...": "that" opens a relative clause of the object
    if pattern is _THAT_CLAUSE and any(w.lower().strip(".,") in REPORTING_VERBS for w in match.group("gap").split()):
        return None
    if pattern is _THAT_CLAUSE and low in {"note", "notes"} and match.group("gap").strip():
        return None
    if pattern is _THAT_CLAUSE and any(ch in match.group("gap") for ch in ",;"):
        return None
    if pattern is _BARE_CLAUSE:
        following = text[match.end():s_end]
        first = following.split(None, 1)[0].lower().strip(",.") if following.strip() else ""
        if not first or first in _PREPOSITIONS or first in {"that", "so", "yes", "no", "nothing", "something",
                                                             "anything", "goodbye", "hello", "thanks", "sorry"} \
                or not _has_clause(following):
            return None
        if low in _SUBJECT_CLAUSE_VERBS and not _opens_with_subject(following):
            return None  # "denied the charge": a noun object, not a clause
    if pattern is _REPORTING_NOUN:
        np_start, np_end = match.start("np"), match.end("np")
        c_start, c_end = _clause_span(text, match.end(), s_end)
        if _touches((c_start, c_end), marked):
            return None
        return np_start, _Candidate(c_start, c_end, "indirect",
                                    _Attribution(cue=text[match.start("verb"):match.end("verb")],
                                                 np_start=np_start, np_end=np_end), p_index)
    cue_start, cue = _cue_with_aux(text, s_start, match.start("verb"), match.end("verb"))
    if _follows_closing_mark(text, s_start, cue_start):
        return None  # "“Not me,” said Jo Roe, shaking his head ...": the quote's inverted attribution
    clause_from = match.end()
    listener = re.match(r"(\w+)\s+", text[clause_from:s_end])
    listeners = _LISTENER_THEN_PRONOUN.match(text, clause_from, s_end) \
        if pattern is _BARE_CLAUSE and low in _OBJECT_THEN_CLAUSE_VERBS else None
    if listeners and not any(w.lower() in _LISTENER_NEVER for w in listeners.group("np").split()):
        clause_from = listeners.end("np")  # "telling voters in Lund he shared": the listeners are not reported
    elif pattern is _BARE_CLAUSE and low in _OBJECT_THEN_CLAUSE_VERBS and listener and \
            listener.group(1).lower() in _OBJECT_PRONOUNS:
        clause_from += listener.end()  # "tell me they would": the listener is not reported
    c_start, c_end = _reported_clause(text, clause_from, s_end)
    if _touches((c_start, c_end), marked):
        # '... said he would not sign it, the mayor replied, “...”': the clause ends at the comma before
        first_mark = min((a for a, b in marked if a >= c_start), default=c_end)
        comma = text.find(",", c_start, first_mark)
        attributed = comma > c_start and any(w.lower() in REPORTING_VERBS
                                             for w in re.findall(r"[A-Za-z]+", text[comma:first_mark]))
        # only when a new attribution stands between (a quoted fragment inside the clause makes the
        # fragment the row and the clause none, guidelines section 2)
        c_end = _clause_span(text, c_start, comma)[1] if attributed else c_start
    if c_end - c_start < 8 or _touches((c_start, c_end), marked):
        return None
    if pattern is _BARE_CLAUSE and not _has_clause(text[c_start:c_end]):
        return None  # "told the council, adding, “...”": an object, not a clause
    joined = _coordinated_with(text, cue_start, found)
    if joined is not None:
        # "conceded the code is unfair and says he can fix it": the verbs share their subject
        conjunction, earlier = joined
        attribution = earlier.attribution or _Attribution()
        return conjunction, _Candidate(c_start, c_end, "indirect",
                                       _Attribution(cue=cue, np_start=attribution.np_start,
                                                    np_end=attribution.np_end, role=attribution.role), p_index)
    subject = _subject_before(text, s_start, cue_start)
    if re.search(r"\b(?:and|but)\s+(?:also\s+|then\s+|later\s+)?$", text[max(s_start, cue_start - 16):cue_start]):
        # "Gomez criticised the council ... and said the repairs would take a year": the verbs share the
        # subject (the phrase before "and" is the first verb's object)
        subject = _subordinate_subject(text, s_start, cue_start) or _sentence_subject(text, s_start, cue_start) \
            or subject
    # a form in -ing with its auxiliary ("some are even demanding") is finite: its subject is the phrase before
    participle = low.endswith("ing") and cue_start == match.start("verb")
    if participle and mid is not None and mid.end() >= cue_start - 1 and mid.end() <= cue_start + 1:
        mid_np = _trim(text, mid.start("np"), mid.end("np"))
        subject = (mid_np[0], mid_np[1], None)  # "..., he said, adding that": "he" adds
    elif participle and subject is not None and _document_after_preposition(text, s_start, subject):
        pass  # "came in response to an agency story detailing how ...": the document details
    elif participle and _DOCUMENT_SENDER.search(text, max(s_start, cue_start - 120), cue_start):
        # "seizing on the letter FBI Director Jo Roe sent to Congress on Friday informing them that": the
        # document speaks through the one who sent it (guidelines section 2), not the sentence's subject
        sender = list(_DOCUMENT_SENDER.finditer(text, max(s_start, cue_start - 120), cue_start))[-1]
        subject = (sender.start("np"), sender.end("np"), None)
    elif participle and (subject is None or text[s_start:cue_start].rstrip().endswith(",") or
                                _holds_a_verb(text[subject[0]:subject[1]]) or
                                not _participle_subject(text, s_start, subject[0])):
        # "..., adding that", "sent a letter on Friday saying that": the subject of the sentence speaks,
        # and after '"...," said X, arguing that' the speaker of the quote before
        subject = _speaker_of_previous_quote(text, s_start, cue_start) or \
            _sentence_subject(text, s_start, cue_start) or subject
    if subject is None:
        return None
    np_start, np_end, role = subject
    if text[np_start:np_end].lower() in {"which", "that", "who"} or \
            (text[np_start:np_end].split() or [""])[-1].lower() in _TIME_WORDS:
        return None  # "on Tuesday said": a date is not a speaker
    if low.startswith("estimat") and text[np_start:np_end].lower() in {"it is", "it"}:
        return None
    begins = np_start if np_start > s_start and not low.endswith("ing") else cue_start
    return begins, _Candidate(c_start, c_end, "indirect",
                              _Attribution(cue=cue, np_start=np_start, np_end=np_end, role=role), p_index)


# "As the Herald reported on Monday, ...": an attribution opening the sentence with "As"; the words after
# the verb are a time or a place ("on Monday", "Tuesday night", "in its report"), never an object
_AS_REPORTED = re.compile(r"\s*[\"“‘']?As\s+(?P<np>[^,;:“”\"]{1,60}?)\s+(?:has\s+|had\s+|have\s+)?(?P<verb>" +
                          "|".join(sorted((f for f in _PARENTHETICAL_VERBS if f.endswith("ed") or f in _LEXICON.irregular_past |
                                           {"said", "told", "wrote", "says", "writes", "reports", "notes"}),
                                          key=len, reverse=True)) +
                          r")(?P<tail>\s+[^,.;:!?]{1,40})?\s*,\s*")
_AS_REPORTED_TAIL = _LEXICON.closed_classes["as_reported_tail"]


# ", the ministry said in a statement, adding that": an attribution between commas before a participle
_MID_ATTRIBUTION = re.compile(r",\s*(?P<np>[^,;:“”\"]{1,60}?)\s+(?P<verb>" +
                              "|".join(sorted(_PARENTHETICAL_VERBS, key=len, reverse=True)) +
                              r")(?:\s+[^,;:.!?“”\"]{1,40})?\s*,\s*(?=\w+ing\b)")
# the same attribution ending where the participle starts (searched up to the participle)
_MID_BEFORE_PARTICIPLE = re.compile(r",\s*(?P<np>[^,;:“”\"]{1,60}?)\s+(?P<verb>" +
                                    "|".join(sorted(_PARENTHETICAL_VERBS, key=len, reverse=True)) +
                                    r")(?:\s+[^,;:.!?“”\"]{1,40})?\s*,\s*$")
# words that join a second reported clause to the first: ", adding that", ", but they argued that", "and says"
_CLAUSE_JOINS = re.compile(r"(?:\s*[,;]?\s*(?:\b(?:and|but|while|whereas|yet)\b\s*(?:also\s+|then\s+)?)?|\s*[,;]\s*)$",
                           re.IGNORECASE)
_COORDINATION_AT = re.compile(r"[,;]?\s*(?:and|but)\b", re.IGNORECASE)
_COORDINATING = re.compile(r"[,;]?\s*\b(?:and|but)\s+(?:also\s+|then\s+|later\s+)?$", re.IGNORECASE)


def _coordinated_with(text: str, cue_start: int, found: list[tuple[int, _Candidate]]) -> tuple[int, _Candidate] | None:
    """The earlier reported clause whose verb this one's is coordinated with ('... and says'), with the
    position of the conjunction, or None."""
    for _begins, earlier in reversed(found):
        if earlier.start < cue_start <= earlier.end:
            join = _COORDINATING.search(text, max(earlier.start, cue_start - 24), cue_start)
            if join and join.start() > earlier.start:
                return join.start(), earlier
    return None


_AND_THAT = re.compile(r"(?:,\s*according\s+to\s+[^,;]{1,60})?,?\s+and\s+that\s+", re.IGNORECASE)


def _split_and_that(text: str, candidates: list[_Candidate]) -> list[_Candidate]:
    """'said A, and that B': two reported clauses of one speaker (at most a few per clause)."""
    result = []
    for candidate in candidates:
        start = candidate.start
        for cut in list(_AND_THAT.finditer(text, candidate.start, candidate.end))[:_MAX_CLAUSES]:
            first = _clause_span(text, start, cut.start())
            if first[1] - first[0] >= 8:
                result.append(_Candidate(first[0], first[1], candidate.kind, candidate.attribution,
                                         candidate.paragraph, candidate.continuation, candidate.note))
            start = cut.end()
        candidate.start = start
        if candidate.end - candidate.start >= 8:
            result.append(candidate)
    return result


def _split_coordinated(text: str, found: list[tuple[int, _Candidate]]) -> list[_Candidate]:
    """Cut each clause where a later attribution starts after a comma or a conjunction."""
    result = []
    for index, (_begins, candidate) in enumerate(found):
        end = candidate.end
        for later_begins, later in found[index + 1:]:
            if candidate.start < later_begins < end:
                join = _CLAUSE_JOINS.search(text, max(candidate.start, later_begins - 24), later_begins)
                if join and join.group().strip():
                    end = _trim(text, candidate.start, join.start(), " \t,;")[1]
                elif _COORDINATION_AT.match(text, later_begins):
                    end = _trim(text, candidate.start, later_begins, " \t,;")[1]
                break
        if end - candidate.start >= 8:
            candidate.end = end
            result.append(candidate)
    return result


# "X, she said, Y." / "For all the doubts, analysts say, Y.": the attribution between two commas
# the verb is one of the speech verbs (not any word), so a first comma's wrong guess ("coach, local analysts")
# does not consume the right one
_PARENTHETICAL = re.compile(r",\s*(?P<np>[^,;:“”\"]{1,60}?)\s+(?P<verb>" +
                            "|".join(sorted(_PARENTHETICAL_VERBS, key=len, reverse=True)) +
                            r")(?P<tail>\s+[^,.;:!?]{0,30})?\s*,\s*")


def _parenthetical_attribution(text: str, s_start: int, s_end: int, p_index: int,
                               marked: list[tuple[int, int]]) -> _Candidate | None:
    attempts = 0
    for match in _PARENTHETICAL.finditer(text, s_start, s_end):
        if match.group("verb") not in _PARENTHETICAL_VERBS or marked and _touches((match.start(), match.end()), marked):
            continue
        attempts += 1
        if attempts > _MAX_CLAUSE_ATTEMPTS:
            break
        np_text = match.group("np").strip()
        if not np_text.split():
            continue  # ", said ,": no speaker between the commas
        if len(np_text.split()) > 6 or not (np_text.lower() in _PRONOUNS or _is_name_word(np_text.split()[0]) or
                                            np_text.split()[0].lower() in _DETERMINERS or
                                            np_text.split()[-1].lower().endswith("s")):
            continue
        tail = (match.group("tail") or "").split()
        if tail and (tail[0].lower() not in _TIME_WORDS | _PREPOSITIONS | {"later", "afterward", "afterwards"} or
                     tail[0].lower() == "to") or np_text.split()[-1].lower() in _DETERMINERS:
            continue
        if _is_noun_use(text, s_start, match.start("verb"), match.group("verb")):
            continue
        c_start, c_end = _clause_span(text, match.end(), s_end)
        if c_end - c_start < 12 or not _has_clause(text[c_start:c_end]) or _touches((c_start, c_end), marked):
            continue
        np_start = match.start("np") + (len(match.group("np")) - len(match.group("np").lstrip()))
        return _Candidate(c_start, c_end, "indirect",
                          _Attribution(cue=match.group("verb"), np_start=np_start, np_end=np_start + len(np_text)),
                          p_index)
    return None


_REPORTING_TRIGGERS = REPORTING_VERBS | _MULTIWORD_FIRST | _LEXICON.speech_nouns


def _overlapping(pattern: re.Pattern, text: str, start: int, end: int):
    """Matches of a pattern that may overlap (each verb of the sentence gets its chance).

    Patterns that begin with the verb are tried only where a reporting word stands, which is
    much faster than searching with their long alternation of verb forms."""
    if pattern is _REPORTING_NOUN:
        yield from pattern.finditer(text, start, end)
        return
    for word in re.finditer(r"[A-Za-z]+", text[start:end]):
        if word.group().lower() in _REPORTING_TRIGGERS:
            match = pattern.match(text, start + word.start(), end)
            if match:
                yield match


def _holds_a_verb(phrase: str) -> bool:
    """A past-tense or finite verb inside a would-be noun phrase ('the council sent a letter')."""
    return _has_finite_verb(phrase) or any(w in _IRREGULAR_PAST or w in _MULTIWORD_FIRST or
                                           (len(w) > 4 and w.endswith("ed")) for w in re.findall(r"[a-z]+", phrase))


def _has_clause(fragment: str) -> bool:
    """A clause has a finite verb: an auxiliary, a pronoun subject or a verb in -ed/-s after a noun."""
    if _has_finite_verb(fragment):
        return True
    if len(fragment.split()) < 3:
        return False
    return bool(re.search(r"\b[a-z]{2,}(?:ed|es)\b", fragment)) or \
        any(w in _IRREGULAR_PAST for w in re.findall(r"[a-z]+", fragment))


# common irregular past tenses, which the -ed test above cannot see ("two soldiers died" has -ed)
_IRREGULAR_PAST = _LEXICON.irregular_past


_CLAUSE_WORDS_BEFORE_SPEAKER = 7  # "Union leaders continue to raise money for the fund, officials said."


def _clause_then_speaker(text: str, s_start: int, s_end: int, p_index: int) -> _Candidate | None:
    """'The attack was planned abroad, the embassy said.' / '..., said the minister.'"""
    sentence = text[s_start:s_end]
    for pattern in (_CLAUSE_THEN_SPEAKER, _CLAUSE_THEN_VERB):
        match = pattern.search(sentence)
        if not match:
            continue
        np_text = match.group("np").strip()
        if pattern is _CLAUSE_THEN_VERB and \
                _is_comma_spliced_subject(text, s_start, s_start + match.start(), s_start + match.start("verb")):
            continue  # "A spokesman for X, said two soldiers died": the phrase before the comma speaks
        if _is_noun_use(text, s_start, s_start + match.start("verb"), match.group("verb")):
            continue
        tail = (match.groupdict().get("tail") or "").split()
        if (tail and tail[0].lower() in {"to", "that", "which", "who"}) or \
                (np_text.split() or [""])[-1].lower() in _DETERMINERS:
            continue  # "..., this time it agreed to cooperate", "..., a demand that remains": no report
        if len(np_text.split()) > 8 or re.search(r"\b(?:is|are|was|were|has|have|had|will|would)\b", np_text):
            continue
        c_start, c_end = _clause_span(text, s_start, s_start + match.start())
        if c_end - c_start < 12 or not (_has_clause(text[c_start:c_end]) or
                                        len(text[c_start:c_end].split()) >= _CLAUSE_WORDS_BEFORE_SPEAKER):
            continue  # a clause needs a verb; a long stretch before ", officials said." is one ("continue to")
        opener = re.match(r"(?:But|And|Yet|So)\s+", text[c_start:c_end])
        if opener:
            c_start += opener.end()  # "But union leaders ...": the sentence's link is the writer's
        np_start = s_start + match.start("np") + (len(match.group("np")) - len(match.group("np").lstrip()))
        role = match.groupdict().get("role")
        return _Candidate(c_start, c_end, "indirect",
                          _Attribution(cue=match.group("verb"), np_start=np_start, np_end=np_start + len(np_text),
                                       role=role.strip() if role and _looks_like_role(role) else None), p_index)
    return None


# --- speakers, roles and channels -----------------------------------------------------

@dataclass
class _Speaker:
    entity: str | None
    entity_type: str | None
    text: str | None
    role: str | None
    channel: str | None


# how many mentions back a definite description ("the ministry") may look for the body it names
_BODY_LOOKBACK = 200
_BODY_NOUNS = _LEXICON.body_nouns
_DOCUMENT_NOUNS = _LEXICON.document_nouns
# "the report published by X", "a statement from X": the body that wrote a document
_AUTHOR_AFTER = re.compile(r"\s*,?\s*(?:(?:" + _ISSUING + r")\s+)?(?:by|from|of)\s+")


class _Mentions(list[EntitySpan]):
    """The text's mentions sorted by start, with indexes that keep look-ups logarithmic (a long text
    with thousands of mentions must not make every look-up a scan)."""

    def __init__(self, spans: list[EntitySpan]) -> None:
        super().__init__(sorted(spans))
        self.starts = [m[0] for m in self]
        self.longest = max((m[1] - m[0] for m in self), default=0)
        self._by_types: dict[frozenset[str], tuple[list[int], list[EntitySpan]]] = {}
        self._first: dict[str, EntitySpan] | None = None
        self._genders: dict[str, str] | None = None

    def first_of(self, entity: str) -> EntitySpan | None:
        """The first mention of an entity (an index built once, so look-ups stay constant)."""
        if self._first is None:
            self._first = {}
            for mention in self:
                self._first.setdefault(mention[2], mention)
        return self._first.get(entity)

    def overlapping(self, start: int, end: int) -> list[EntitySpan]:
        high = bisect_left(self.starts, end)
        low = bisect_left(self.starts, start - self.longest)
        return [m for m in self[low:high] if m[1] > start]

    def last_body_before(self, text: str, heads: frozenset[str], before: int) -> EntitySpan | None:
        """The nearest organisation or facility mention ending before ``before`` whose name holds one of
        the head words ("the ministry" -> "Ministry of Interior"); looks back a bounded number of
        mentions, so a text of thousands of mentions stays linear."""
        index = bisect_left(self.starts, before)
        for position in range(index - 1, max(-1, index - 1 - _BODY_LOOKBACK), -1):
            start, end, entity, entity_type = self[position]
            if end <= before and entity_type in {"ORG", "FAC"} and \
                    heads & set(re.findall(r"[a-z]+", text[start:end].lower())):
                return self[position]
        return None

    def gender_of(self, text: str, entity: str) -> str | None:
        """"f" or "m" as the article writes the person (:func:`_person_genders`), else None."""
        if self._genders is None:
            self._genders = _person_genders(text, self)
        return self._genders.get(entity)

    def last_person_before(self, text: str, gender: str, before: int) -> EntitySpan | None:
        """The nearest person mention ending before ``before`` whose gender is not known to differ from
        ``gender`` (a bounded look back, so a long text stays linear)."""
        self.last_before({"PERSON"}, before)  # builds the index of person mentions by end
        ends, kept = self._by_types[frozenset({"PERSON"})]
        index = bisect_right(ends, before)
        nearest = None
        for position in range(index - 1, max(-1, index - 1 - _BODY_LOOKBACK), -1):
            known = self.gender_of(text, kept[position][2])
            if known == gender and before - kept[position][1] <= _GENDER_NEAR:
                return kept[position]  # a person written as of that gender, named near, before one not known
            if nearest is None and known is None:
                nearest = kept[position]
            if before - kept[position][1] > _GENDER_NEAR and nearest is not None:
                break
        return nearest

    def last_before(self, wanted: set[str], before: int) -> EntitySpan | None:
        """The last mention of one of the wanted types that ends at or before ``before``."""
        key = frozenset(wanted)
        if key not in self._by_types:
            kept = sorted((m for m in self if m[3] in key), key=lambda m: (m[1], m[0]))
            self._by_types[key] = ([m[1] for m in kept], kept)
        ends, kept = self._by_types[key]
        index = bisect_right(ends, before)
        return kept[index - 1] if index else None


_FEMININE = _LEXICON.pronouns["feminine"]
_MASCULINE = _LEXICON.pronouns["masculine"]
_GENDERED_TITLES = {**{w: "f" for w in _LEXICON.closed_classes["feminine_titles"]},
                    **{w: "m" for w in _LEXICON.closed_classes["masculine_titles"]}}
_GENDERED_PRONOUN = re.compile(r"\b(?:" + words_pattern(_FEMININE | _MASCULINE) + r")\b", re.IGNORECASE)
_GENDER_WINDOW = 150  # characters after a name in which its sentence's first pronoun is read
_GENDER_NEAR = 400  # characters: how far back a person written as of the pronoun's gender is preferred
_TITLE_WEIGHT = 3  # an honorific or a title says more than a pronoun that may stand for someone else


def _pronoun_gender(pronoun: str) -> str | None:
    low = pronoun.lower()
    return "f" if low in _FEMININE else "m" if low in _MASCULINE else None


def _person_genders(text: str, mentions: list[EntitySpan]) -> dict[str, str]:
    """Each person's gender as the article writes it, where it does: an honorific or a gendered title right
    before a mention ("Ms. Roe", "spokeswoman Jo Roe") and the first gendered pronoun after a mention in its
    sentence, before any other capitalised word or a quotation mark ("Jo Roe said her ...", not "Jo Roe called
    out Lee for her ways"), unless the name is a surname that ends the names of two people, each a vote; a
    tie is no gender.
    One pass over the person mentions, each reading a bounded window."""
    persons = [m for m in mentions if m[3] == "PERSON"]
    surnames: dict[str, set[str]] = {}  # a surname and the entities it ends, to tell one shared by relatives
    for start, end, entity, _type in persons:
        surnames.setdefault(text[start:end].split()[-1], set()).add(entity)
    votes: dict[str, Counter[str]] = {}
    for index, (start, end, entity, _type) in enumerate(persons):
        tally = votes.setdefault(entity, Counter())
        title = re.search(r"([A-Za-z]+)(\.?)[ \t]+$", text[max(0, start - 20):start])
        if title and title.group(1).lower() in _GENDERED_TITLES and \
                (not title.group(2) or title.group(1).lower() in _ABBREVIATIONS):  # "Ms. Roe", not "wife. Roe"
            tally[_GENDERED_TITLES[title.group(1).lower()]] += _TITLE_WEIGHT
        if len(surnames.get(text[start:end].strip(), ())) > 1:
            continue  # a surname shared by two people ("Clinton"): no pronoun read after it
        limit = min(len(text), end + _GENDER_WINDOW, persons[index + 1][0] if index + 1 < len(persons) else len(text))
        window = text[end:limit]
        # a capitalised word may name someone else; a quotation holds someone's words about others
        stop = re.search(r"[.!?](?:\s|$)|\n|\s[A-Z]|[" + re.escape(_ALL_MARKS) + "]", window)
        pronoun = _GENDERED_PRONOUN.search(window, 0, stop.start() if stop else len(window))
        if pronoun:
            tally[_pronoun_gender(pronoun.group()) or ""] += 1
    genders = {}
    for entity, tally in votes.items():
        if tally["f"] != tally["m"]:
            genders[entity] = "f" if tally["f"] > tally["m"] else "m"
    return genders


def _mentions_in(mentions: list[EntitySpan], start: int, end: int) -> list[EntitySpan]:
    if isinstance(mentions, _Mentions):
        return mentions.overlapping(start, end)
    return [m for m in mentions if m[0] < end and m[1] > start]


def _outlets(text: str, mentions: list[EntitySpan]) -> list[EntitySpan]:
    """Organisations the text names as relaying words: 'told X', 'interview to X', '- reminds X',
    'according to X'; the candidates for 'the publication', 'the newspaper'."""
    spans = []
    for match in _CHANNEL.finditer(text):
        group = next(g for g in ("a", "b", "c") if match.group(g))
        spans.append(match.span(group))
    spans.extend(match.span("np") for match in _ACCORDING.finditer(text))
    return [m for m in mentions if m[3] == "ORG" and any(a <= m[0] and m[1] <= b for a, b in spans)]


def _nearest_outlet(text: str, mentions: list[EntitySpan], position: int, exclude: str | None) -> str | None:
    """The outlet named nearest before position, else the first named after it."""
    outlets = [m for m in _outlets(text, mentions) if m[2] != exclude]
    previous = [m for m in outlets if m[1] <= position]
    chosen = previous[-1] if previous else (outlets[0] if outlets else None)
    return chosen[2] if chosen else None


def _resolve(text: str, candidates: list[_Candidate], mentions: list[EntitySpan],
             paragraphs: list[tuple[int, int]]) -> list[dict]:
    rows: list[dict] = []
    roles: dict[str, str] = {}
    history: list[tuple[int, _Speaker, int]] = []  # (position, speaker, paragraph) of attributed quotes
    spoken: list[tuple[_Speaker, int]] = []  # (speaker, paragraph) of attributed direct quotes
    for candidate in sorted(candidates, key=lambda c: c.start):
        attribution = candidate.attribution or _Attribution()
        speaker = _speaker_of(text, attribution, mentions, history, candidate)
        if candidate.continuation or (speaker.text is None and speaker.entity is None):
            # history is in reading order: its last entry is the nearest (looking at it alone keeps this linear)
            previous = history[-1:] if history and candidate.paragraph - history[-1][2] <= 1 else []
            if previous and candidate.kind == "direct":
                # a quote carries on the last speaker quoted in full, not a fragment quoted inside the
                # writer's clause since ("“...,” X said, though Y haven't said it is “reopening”. “...”")
                last = spoken[-1][0] if spoken and candidate.paragraph - spoken[-1][1] <= 1 else previous[-1][1]
                speaker = _Speaker(last.entity, last.entity_type, None, last.role, last.channel)
                attribution = _Attribution()
            elif candidate.kind != "direct" or not candidate.continuation:
                continue
        if speaker.entity and speaker.role:
            roles.setdefault(speaker.entity, speaker.role)
        elif speaker.entity and speaker.entity in roles and speaker.entity_type == "PERSON":
            speaker.role = roles[speaker.entity]
        if speaker.channel is None and speaker.entity and history:
            last_pos, last, last_par = history[-1]
            if last.entity == speaker.entity and last_par == candidate.paragraph:
                speaker.channel = last.channel
        if speaker.text is not None or speaker.entity is not None:
            history.append((candidate.start, speaker, candidate.paragraph))
            if candidate.kind == "direct":
                spoken.append((speaker, candidate.paragraph))
        rows.append({
            "start": candidate.start, "end": candidate.end, "text": text[candidate.start:candidate.end],
            "kind": candidate.kind, "speaker": speaker.entity, "speaker_text": speaker.text,
            "speaker_role": speaker.role, "cue": attribution.cue, "channel": speaker.channel,
            "note": candidate.note if candidate.note else (
                "credited jointly to several speakers" if speaker.text and speaker.entity is None and
                _mentions_in(mentions, attribution.np_start or 0, attribution.np_end or 0) and
                (speaker.text.lower().startswith(("both ", "either ")) or " and " in speaker.text) else None),
        })
    return rows


# a phrase of one function word names nobody: an empty speaker costs a reviewer less than a wrong one
_NEVER_SPEAKERS = (_DETERMINERS | _PREPOSITIONS | _CLAUSE_BOUNDARIES | _LEXICON.closed_classes["never_speakers"]) \
    - _PRONOUNS - _LEXICON.pronouns["relative"]  # a relative pronoun stands for its antecedent


def _speaker_of(text: str, attribution: _Attribution, mentions: list[EntitySpan],
                history: list[tuple[int, _Speaker, int]], candidate: _Candidate) -> _Speaker:
    channel = _channel_entity(text, attribution, mentions, candidate)
    if attribution.np_start is None:
        return _Speaker(None, None, None, attribution.role, channel)
    np_start, np_end = attribution.np_start, attribution.np_end
    assert np_end is not None  # every _Attribution given an np_start is given its np_end
    written = text[np_start:np_end].strip()
    if written.lower() in _NEVER_SPEAKERS:
        return _Speaker(None, None, None, attribution.role, channel)  # "that", "with", "While": no speaker
    inside = _mentions_in(mentions, np_start, np_end)
    persons = [m for m in inside if m[3] == "PERSON"]
    role = attribution.role
    if persons:
        person = _head_person(text, persons)
        # "Name Outlet said": an organisation written right after the name relays the words
        media = [m for m in inside if m[3] == "ORG" and m[0] > person[1] and not text[person[1]:m[0]].strip()]
        if media and channel is None:
            channel = media[0][2]
        name_text = text[person[0]:person[1]]
        before = text[np_start:person[0]].strip(" ,")
        after = text[person[1]:np_end].strip(" ,")
        speaker_text = name_text
        if before and _looks_like_role(before) and role is None:
            role = before
        return _Speaker(person[2], "PERSON", written if not before and not after else speaker_text, role, channel)
    low = written.lower()
    head_body = _body_head(text, inside, np_end)
    if head_body is not None:
        # "a Kabul embassy official": the mention is a modifier; the head names the body that speaks
        body = _body_antecedent(text, mentions, head_body, np_start)
        return _Speaker(body[2] if body else None, body[3] if body else None, written, role, channel)
    if inside:
        distinct = {m[2] for m in inside}
        organisations = [m for m in inside if m[3] == "ORG"] or [m for m in inside if m[3] == "GPE"]
        if low.startswith(("both ", "either ")) or (re.search(r"\band\b", low) and len(distinct) > 1):
            return _Speaker(None, None, written, role, channel)
        if organisations:
            chosen = organisations[-1]
            return _Speaker(chosen[2], chosen[3], written, role, channel)
        return _Speaker(None, None, written, role, channel)
    words = low.split()
    if low in _PRONOUNS or low in {"who"}:
        wanted = {"PERSON"} if low in _PERSON_PRONOUNS else {"ORG", "GPE"} if low in _BODY_PRONOUNS \
            else {"PERSON", "ORG", "GPE"}
        resolved: tuple[str, str, str | None] | None = \
            _previous_speaker(history, wanted, candidate) or _previous_mention(mentions, wanted, np_start)
        gender = _pronoun_gender(low)
        subject = _person_subject(text, mentions, candidate, np_start, gender) if gender else None
        if subject is not None:
            # "Mook explained to aides that X “...,” he wrote": the person the quote's sentence opens with
            resolved = (subject, "PERSON", None)
        elif resolved and gender and isinstance(mentions, _Mentions) and \
                mentions.gender_of(text, resolved[0]) not in (None, gender):
            # "she said" after a man spoke: the nearest person the article does not write as a man
            nearest = mentions.last_person_before(text, gender, np_start)
            resolved = (nearest[2], nearest[3], None) if nearest else None
        if resolved:
            return _Speaker(resolved[0], resolved[1], written, role or resolved[2], channel)
        return _Speaker(None, None, written, role, channel)
    if words and words[0] in {"the", "this", "that", "its"} and len(words) <= 4:
        head = words[-1]
        if head in _DOCUMENT_NOUNS:
            # "the report said": the body that wrote it, where the article names one
            author = _document_author(text, mentions, head, np_start, np_end)
            if author:
                return _Speaker(author[2], author[3], written, role, channel)
            return _Speaker(None, None, written, role, channel)
        if head in _BODY_NOUNS:
            # "the ministry said": the nearest body before whose name holds a fitting head word; else a body
            # whose name holds none ("NatWest said ... the company said") that spoke just before
            body = _body_antecedent(text, mentions, head, np_start)
            if body:
                return _Speaker(body[2], body[3], written, role, channel)
            spoke = _previous_speaker(history, {"ORG"}, candidate)
            if spoke and not _names_another_body(text, mentions, spoke[0]):
                return _Speaker(spoke[0], spoke[1], written, role, channel)
        if head in _MEDIA_NOUNS:
            outlet = _nearest_outlet(text, mentions, np_start, None)
            if outlet:
                return _Speaker(outlet, "ORG", written, role, channel)
        elif head in _PERSON_TITLES or head.endswith("man") or head.endswith("woman"):
            resolved = _previous_speaker(history, {"PERSON"}, candidate) or \
                _previous_mention(mentions, {"PERSON"}, np_start)
            if resolved:
                return _Speaker(resolved[0], resolved[1], written, role or written, channel)
    if role is None:
        split = _split_title(written)
        if split:
            role, written = split
    return _Speaker(None, None, written, role, channel)


_SUBJECT_LOOKBACK = 400  # characters between a sentence's start and its quote in which a subject is read


def _person_subject(text: str, mentions: list[EntitySpan], candidate: _Candidate, pronoun_start: int,
                    gender: str) -> str | None:
    """The person named as the whole subject of the quote's sentence when a "he"/"she" after the quote
    attributes it ("Jo Roe told aides that the plan “...,” she wrote"), unless the article writes that
    person as of the other gender; None when the sentence opens with the quote or with anything but a name."""
    if candidate.sentence_start is None or pronoun_start <= candidate.start or \
            not isinstance(mentions, _Mentions) or candidate.start - candidate.sentence_start > _SUBJECT_LOOKBACK:
        return None  # (a bounded look back: a sentence of thousands of quotes stays linear)
    opening = next((m.position for m in _classify_marks(text, candidate.sentence_start, candidate.start)
                    if m.opening), None)
    subject = _sentence_subject(text, candidate.sentence_start, opening if opening is not None else candidate.start)
    if subject is None:
        return None
    persons = [m for m in mentions.overlapping(subject[0], subject[1]) if m[3] == "PERSON"]
    if len({m[2] for m in persons}) != 1 or persons[-1][1] < subject[1] or \
            mentions.gender_of(text, persons[-1][2]) not in (None, gender):
        return None  # "Roe's aide told ...": the name only modifies the subject
    return persons[-1][2]


def _head_person(text: str, persons: list[EntitySpan]) -> EntitySpan:
    """The person a speaker phrase names: its last person when the others only modify the head ("Trump
    attorney Alan Garten", "Clinton aide Huma Abedin"), its first when persons are coordinated or set
    apart ("Ana Roe and Bo Lee", "Ana Roe, Bo Lee's lawyer")."""
    last = persons[-1]
    between = text[persons[0][1]:last[0]]
    if len(persons) == 1 or re.search(r"[,;(]|\b(?:and|or|with|nor)\b|&", between):
        return persons[0]
    return last


def _body_head(text: str, inside: list[EntitySpan], np_end: int) -> str | None:
    """The body noun heading a speaker phrase whose only mentions modify it ("a Kabul embassy
    official" -> "embassy"), else None."""
    if not inside or any(m[3] in {"PERSON", "ORG"} for m in inside):
        return None
    tail = re.findall(r"[A-Za-z]+", text[max(m[1] for m in inside):np_end].lower())
    if not tail or not all(w.islower() or w == w.lower() for w in tail):
        return None
    bodies = [w for w in tail if w in _BODY_NOUNS]
    return bodies[-1] if bodies else None


_ALL_BODY_HEADS = frozenset().union(*_BODY_NOUNS.values()) | frozenset(_MEDIA_NOUNS)


def _names_another_body(text: str, mentions: list[EntitySpan], entity: str) -> bool:
    """Whether an organisation's name (as written at its first mention) holds the head word of a kind of body
    or outlet ("Ministry of X", "X News Agency"): a description of another kind cannot stand for it."""
    first = (mentions if isinstance(mentions, _Mentions) else _Mentions(mentions)).first_of(entity)
    written = text[first[0]:first[1]] if first else ""
    return bool(set(re.findall(r"[a-z]+", written.lower())) & _ALL_BODY_HEADS)


def _body_antecedent(text: str, mentions: list[EntitySpan], head: str, before: int) -> EntitySpan | None:
    heads = _BODY_NOUNS.get(head, frozenset({head}))
    if isinstance(mentions, _Mentions):
        return mentions.last_body_before(text, heads, before)
    return _Mentions(mentions).last_body_before(text, heads, before)


def _document_author(text: str, mentions: list[EntitySpan], noun: str, np_start: int,
                     np_end: int) -> EntitySpan | None:
    """The organisation named as the writer of the nearest earlier (or this) mention of the document
    ('the report, published by X, said'; 'a report by X ... The report added')."""
    window_start = max(0, np_start - 1500)
    window_end = min(len(text), np_end + 120)
    found = None
    for match in re.finditer(r"\b" + re.escape(noun) + r"\b", text[window_start:window_end], re.IGNORECASE):
        after = window_start + match.end()
        joined = _AUTHOR_AFTER.match(text, after)
        if not joined:
            continue
        named = [m for m in _mentions_in(mentions, joined.end(), joined.end() + 80)
                 if m[3] in {"ORG", "GPE"} and not text[joined.end():m[0]].strip(" ,").lower().strip("the ")]
        if named:
            found = named[0]
    if found is None:
        # "X released its annual report on Monday. The report found ...": the body that issued it
        for match in _ISSUED_DOCUMENT.finditer(text, window_start, np_start):
            if match.group("noun").lower() == noun.lower():
                issuers = [m for m in _mentions_in(mentions, max(window_start, match.start() - 80), match.start())
                           if m[3] in {"ORG", "GPE"} and m[1] >= match.start() - 1]
                found = issuers[-1] if issuers else found
    return found


# "X released its report", "X has published a new study": the body before the verb issued the document
_ISSUED_DOCUMENT = re.compile(r"\s(?:has\s+|had\s+)?(?:" + _ISSUING + r")\s+"
                              r"(?:its|their|a|an|the)\s+(?:[\w\-]+\s+){0,3}?(?P<noun>" +
                              "|".join(sorted(_LEXICON.document_nouns, key=len, reverse=True)) + r")\b")


def _split_title(phrase: str) -> tuple[str, str] | None:
    """'Prime Minister Jane Doe' -> ('Prime Minister', 'Jane Doe'); 'expert Jo Roe' -> ('expert', 'Jo Roe')."""
    words = phrase.split()
    index = 0
    while index < len(words) - 1 and (words[index] in _CAPITALISED_TITLES or not words[index][:1].isupper()
                                       or words[index].lower().startswith("then-")):
        index += 1
    if not 0 < index < len(words) or not all(w[:1].isupper() for w in words[index:]):
        return None
    title = words[:index]
    if _looks_like_role(" ".join(title)) or any(w in _CAPITALISED_TITLES for w in title):
        return " ".join(title), " ".join(words[index:])
    return None


# how many attributed quotes back a pronoun or title may look for its speaker (a bound keeps a text of
# thousands of quotes linear; no reader keeps a pronoun's antecedent that far back)
_SPEAKER_LOOKBACK = 30


def _previous_speaker(history: list[tuple[int, _Speaker, int]], wanted: set[str],
                      candidate: _Candidate) -> tuple[str, str, str | None] | None:
    for looked, (position, speaker, paragraph) in enumerate(reversed(history)):
        if candidate.paragraph - paragraph > 3 or looked >= _SPEAKER_LOOKBACK:
            break
        if speaker.entity and speaker.entity_type in wanted:
            return speaker.entity, speaker.entity_type, speaker.role
    return None


def _previous_mention(mentions: list[EntitySpan], wanted: set[str], before: int) -> tuple[str, str, None] | None:
    if isinstance(mentions, _Mentions):
        found = mentions.last_before(wanted, before)
        return (found[2], found[3], None) if found else None
    for start, end, entity, entity_type in reversed(mentions):
        if end <= before and entity_type in wanted:
            return entity, entity_type, None
    return None


def _channel_entity(text: str, attribution: _Attribution, mentions: list[EntitySpan],
                    candidate: _Candidate) -> str | None:
    spans = []
    if attribution.channel_span:
        spans.append(attribution.channel_span)
    if attribution.np_start is not None:
        # the sentence of the attribution: "In an interview to X, Name explained"
        line_start = text.rfind("\n", 0, attribution.np_start) + 1
        sentence_start = max(line_start, max(text.rfind(". ", 0, attribution.np_start) + 2, 0))
        found = _channel_in(text, sentence_start, attribution.np_end or attribution.np_start)
        if found:
            spans.append(found)
        after = _channel_in(text, attribution.np_end or 0, min(len(text), (attribution.np_end or 0) + 80))
        if after and "\n" not in text[attribution.np_end or 0:after[0]] and \
                not re.search(r"[.!?]\s", text[attribution.np_end or 0:after[0]]):
            spans.append(after)
    for start, end in spans:
        organisations = [m for m in _mentions_in(mentions, start, end) if m[3] == "ORG"]
        if organisations:
            return organisations[-1][2]
        words = text[start:end].lower().split()
        if words and words[-1] in _MEDIA_NOUNS:
            # "- the publication writes" after "According to X, ...": the outlet is not X itself
            speakers = _mentions_in(mentions, attribution.np_start or 0, attribution.np_end or 0)
            outlet = _nearest_outlet(text, mentions, start, speakers[-1][2] if speakers else None)
            if outlet:
                return outlet
    return None


# --- pull quotes and clean-up -------------------------------------------------------------

def _tokens(fragment: str) -> list[str]:
    return re.findall(r"\w+", fragment.lower())


def _pull_quotes(text: str, paragraphs: list[tuple[int, int]], pull_paragraphs: list[int],
                 rows: list[dict]) -> list[dict]:
    """A display line repeating a body quote takes its speaker, role and channel."""
    found = []
    for p_index in pull_paragraphs:
        start, end = paragraphs[p_index]
        line = text[start:end]
        if line[0] in "“\"" and line[-1] in "”\"" and line.count(line[0]) == 1:
            start, end = start + 1, end - 1
        line_tokens = _tokens(text[start:end])
        if not line_tokens:
            continue
        best = None
        for row in rows:
            row_tokens = set(_tokens(row["text"]))
            share = sum(1 for t in line_tokens if t in row_tokens) / len(line_tokens)
            if share >= 0.8 and row["speaker_text"] is not None and (best is None or share > best[0]):
                best = (share, row)
        wholly_quoted = (start, end) != paragraphs[p_index]
        if best is None and not wholly_quoted:
            continue  # a heading or title with quoted words and no speaker
        source = best[1] if best else {}
        found.append({"start": start, "end": end, "text": text[start:end], "kind": "direct",
                      "speaker": source.get("speaker"), "speaker_text": None,
                      "speaker_role": source.get("speaker_role"), "cue": None,
                      "channel": source.get("channel"),
                      "note": "pull quote; speaker taken from the same words in the body" if best else
                      "pull quote with no attribution"})
    return found


def _deduplicate(rows: list[dict]) -> list[dict]:
    """One row per span: an indirect clause containing a quoted fragment gives way to the fragment."""
    kept: list[dict] = []
    marked = sorted((r["start"], r["end"]) for r in rows if r["kind"] != "indirect")
    marked_starts = [start for start, _ in marked]
    seen: set[tuple[int, int]] = set()
    for row in rows:
        if row["kind"] == "indirect":
            low, high = bisect_left(marked_starts, row["start"]), bisect_left(marked_starts, row["end"])
            if any(end <= row["end"] for _, end in marked[low:high]):
                continue
        if (row["start"], row["end"]) in seen:
            continue
        seen.add((row["start"], row["end"]))
        kept.append(row)
    return kept
