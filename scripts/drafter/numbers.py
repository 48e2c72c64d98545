"""Rule-based statistics extractor of the drafter (guidelines section 3).

Takes a normalised text (and optionally the entity mentions found in it) and
returns every statistic as a dict with the fields of the ``statistics``
table: span offsets, value and bounds, qualifier, unit, a short measure, the
period, the reference period of a change and the entity the sentence credits.
Drafted statistics are scored against curated ones by :mod:`scripts.evaluate`.

Everything is regular expressions over the text plus lookups in small word
lists of general English (number words, qualifiers, change and credit verbs,
months, stop words of a measure), which live in config/lexicon.yaml (section
``statistics`` and the shared sections) and are read through
:mod:`scripts.drafter.lexicon`: no parser, no model, so it runs on thousands
of articles a second.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field

from scripts.drafter.lexicon import StatisticsWords, load_lexicon, phrases_pattern
from scripts.errors import BuildError

# --- word lists: config/lexicon.yaml, section statistics -----------------------------------------

def _statistics_words() -> StatisticsWords:
    words = load_lexicon().statistics
    if words is None:  # the loader refuses a lexicon file without the section; a Lexicon built in code may lack it
        raise BuildError("the lexicon has no section 'statistics'")
    return words


_WORDS = _statistics_words()
UNIT_WORDS = _WORDS.unit_words
TENS_WORDS = _WORDS.tens_words
SCALE_WORDS = _WORDS.scale_words
# abbreviated scales written after digits; the ambiguous ones ("m", "k", "b") only count as scales when the
# number is money or counts a plural noun ("35m users"), since "100m" is also metres
SCALE_ABBREVIATIONS = _WORDS.scale_abbreviations
AMBIGUOUS_SCALES = _WORDS.ambiguous_scale_abbreviations

# (pattern matched right before the number, qualifier), tried in the lexicon's order (longer phrases first)
QUALIFIERS: list[tuple[str, str]] = [(phrases_pattern(phrases), qualifier)
                                     for qualifier, phrases in _WORDS.qualifiers_before]
QUALIFIER_BEFORE = re.compile(
    r"(?:^|(?<=[\s(\"“'‘]))(?P<q>" + "|".join(f"(?:{p})" for p, _ in QUALIFIERS) + r")\s+$", re.I)
QUALIFIER_AFTER = re.compile("|".join(
    rf"^{re.escape(phrase)}\b" if phrase.startswith("-") else rf"^\s+{phrases_pattern([phrase])}\b"
    for phrase in _WORDS.qualifiers_after), re.I)

MONTHS = load_lexicon().month_pattern()  # names and abbreviations, from config/lexicon.yaml
WEEKDAYS = load_lexicon().weekday_pattern()

CHANGE_UP = phrases_pattern(_WORDS.change_verbs["up"])
CHANGE_DOWN = phrases_pattern(_WORDS.change_verbs["down"])
_CHANGE_FORMS = frozenset([*_WORDS.change_verbs["up"], *_WORDS.change_verbs["down"]])  # lower case
CHANGE_VERB_TO = re.compile(rf"\b(?:(?P<up>{CHANGE_UP})|(?P<down>{CHANGE_DOWN}))\s+to\s+$", re.I)
# change verbs that also take an object and a "by" ("grow sales by 35 per cent", "raised prices by 5%");
# "raised" alone is no change ("raised $280 million" of funding)
CHANGE_VERB_OBJECT_BY = re.compile(
    rf"\b(?:(?P<up>{CHANGE_UP}|{phrases_pattern(_WORDS.change_verbs_with_object)})|(?P<down>{CHANGE_DOWN}))"
    r"\s+(?:[a-z]+\s+){1,2}?by\s+"
    r"(?:(?:about|nearly|almost|around|roughly|some|more\s+than|over)\s+)?$", re.I)
# "up" as a particle of another verb is no increase ("gave up 517 yards", "ended up 20 points")
VERB_BEFORE_UP_PARTICLE = re.compile(rf"\b(?:{phrases_pattern(_WORDS.up_particle_verbs)})\s+$", re.I)
_CHANGE_NOUNS_BEFORE_OF = {direction: [noun for noun in nouns if noun not in _WORDS.amount_nouns_before_of]
                           for direction, nouns in _WORDS.change_nouns.items()}
CHANGE_NOUN_AFTER = re.compile(
    rf"^[\s-]*(?:(?P<up>{phrases_pattern([*_WORDS.change_nouns['up'], *_WORDS.change_comparatives['up']])})|"
    rf"(?P<down>{phrases_pattern([*_WORDS.change_nouns['down'], *_WORDS.change_comparatives['down']])}))\b", re.I)
CHANGE_NOUN_BEFORE = re.compile(
    rf"\b(?:(?P<up>{phrases_pattern(_CHANGE_NOUNS_BEFORE_OF['up'])})|"
    rf"(?P<down>{phrases_pattern(_CHANGE_NOUNS_BEFORE_OF['down'])}))\s+(?:of|by)\s+$", re.I)
CHANGE_VERB_BEFORE = re.compile(
    rf"\b(?:(?P<up>{CHANGE_UP})|(?P<down>{CHANGE_DOWN}))(?:\s+(?:by|of|some|about|nearly|almost|"
    r"around|roughly|more\s+than|over|an?\s+(?:additional|further|other)|another|a\s+further))*\s*$", re.I)

REPORTING_VERBS = phrases_pattern(_WORDS.credit_verbs)

# --- the atomic number tokens -----------------------------------------------------------------

NUMBER_WORD = "|".join(sorted([*UNIT_WORDS, *TENS_WORDS, *SCALE_WORDS], key=len, reverse=True))
TOKEN_PATTERN = re.compile(
    r"(?P<digits>(?<![\d.,])\d[\d,]*(?:\.\d+)?|(?<![\w.,\d])\.\d+)"
    rf"|(?P<word>\b(?:{NUMBER_WORD}|dozen|{phrases_pattern(_WORDS.share_words)})(?:\b|(?=fold\b)))",
    re.I,
)
# words of a share ("half", "a third", "two-fifths"); "fourth" and "fifth" only after a numerator, as
# they are also ordinals
SHARE_WORDS = _WORDS.share_words
THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$|^\.\d+$")


@dataclass
class Number:
    """One number as written (digits, words or both), before qualifiers and units."""

    start: int
    end: int
    value: float
    kind: str  # "digits" or "words"
    scaled: float = 1.0  # the scale word applied ("million" -> 1e6), 1 when none
    is_share: bool = False  # "half", "a third": a share in percent
    fraction: float | None = None  # a share's exact fraction (1/3), which its percent rounds (33.3)
    words: list[str] = field(default_factory=list)


@dataclass
class Quantity:
    """A statistic found in the text, with the extras the benchmark needs (direction, unit as written)."""

    start: int
    end: int
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    unit: str
    unit_text: str = ""
    direction: str | None = None  # "up" / "down" for a stated increase or decrease
    note: str | None = None
    hedge: str | None = None  # a qualifier written before a range ("about 20-25"): the range stays a range
    fraction: float | None = None  # a share's exact fraction ("a third": 1/3; its value is the percent 33.3)


# --- units written after (or before) the number -----------------------------------------------

# unit abbreviations written right after digits ("256GB", "50mph", "3min"; the lexicon's units_attached, then
# the forms with optional stops and spaces); other letters there make the number part of a name or code ("5G")
ATTACHED_UNITS = r"(?:" + phrases_pattern(_WORDS.units_attached) + r"|sq\.?\s?m|sq\.?\s?ft|deg\s?[cf]?|°\s?[cf]?)\d?"
UNIT_AFTER: list[tuple[re.Pattern[str], str, str | None]] = [
    # (pattern anchored at the number's end, unit, note for units outside the schema's list)
    (re.compile(r"^\s?(?:%|per\s?cent\b|pc\b|pct\b)", re.I), "percent", None),
    (re.compile(r"^-per\s?cent\b", re.I), "percent", None),
    (re.compile(r"^-?fold\b", re.I), "count", "unit as written: {unit} (a multiple)"),
    (re.compile(r"^\s(?:percentage\s+points?)\b", re.I), "percent", "percentage points"),
    (re.compile(r"^(?:\s|-)?(?:sq\.?|square)\s?(?:km|kilomet(?:er|re)s?)\b", re.I), "count",
     "unit as written: square kilometres (not in the schema's unit list)"),
    (re.compile(r"^(?:\s?km|\s?kms|-km|\s+kilomet(?:er|re)s?|-kilomet(?:er|re)s?)\b", re.I), "km", None),
    (re.compile(r"^(?:\s|-)(?:years?)(?:-old)?\b", re.I), "year", None),
    (re.compile(r"^(?:\s|-)(?:months?)(?:-old)?\b", re.I), "month", None),
    (re.compile(r"^(?:\s|-)(?:weeks?)(?:-old)?\b", re.I), "week", None),
    (re.compile(r"^(?:\s|-)(?:days?)(?:-old)?\b", re.I), "day", None),
    (re.compile(r"^(?:\s|-)(?:hours?|hrs?)\b", re.I), "hour", None),
    (re.compile(r"^\s(?:us\s+|american\s+)?dollars?\b", re.I), "usd", None),
    (re.compile(r"^\s?(?:miles?|mi)\b(?!-)", re.I), "count", "unit as written: miles"),
    (re.compile(r"^-miles?\b", re.I), "count", "unit as written: miles"),
    (re.compile(r"^(?:\s|-)(?:" + phrases_pattern(_WORDS.units_written_after) + r")\b", re.I),
     "count", "unit as written: {unit}"),
    (re.compile(r"^\s(?:sq\.?\s?(?:m|ft|mi)|" + phrases_pattern(_WORDS.unit_abbreviations_after) + r")\b", re.I),
     "count", "unit as written: {unit}"),
    (re.compile(r"^(?:" + ATTACHED_UNITS + r")(?![\w-])", re.I), "count", "unit as written: {unit}"),
]
CURRENCY_BEFORE = re.compile(
    r"(?P<cur>(?<![A-Za-z])(?:US\s?\$|\$\s?US|USD\s?|A\s?\$|\$\s?A|C\s?\$|HK\s?\$|NZ\s?\$|S\s?\$|EUR\s?|GBP\s?|"
    r"AUD\s?|CAD\s?|INR\s?|PKR\s?|AFN\s?|RM\s?|Rs\.?\s?|CHF\s?|JPY\s?|CNY\s?|RMB\s?)|\$|£|€|¥|₹)$")
USD_SIGNS = {"US$", "$US", "USD", "$"}
# "PS" is how ASCII transliteration (unidecode and many news feeds) writes "£": a currency only before an
# amount that cannot be a model name ("PS2.7m", "PS21,700", "PS8.1bn"; not "PS5")
TRANSLITERATED_POUND = re.compile(r"(?<![A-Za-z])PS$")
TRANSLITERATED_AMOUNT = re.compile(r"^\d[\d,]*(?:\.\d+)?\s?(?:bn|mn|m|k|billion|million|thousand)\b|^\d{1,3}(?:,\d{3})+|^\d+\.\d")

TIME_AFTER = re.compile(r"^(?::\d\d|\s?(?:" + "|".join(
    re.escape(word) + (r"\b" if word[-1].isalnum() else "") for word in _WORDS.clock_words_after) + "))", re.I)
ORDINAL_AFTER = re.compile(r"^(?:st|nd|rd|th)\b", re.I)
DATE_BEFORE = re.compile(rf"\b(?:{MONTHS})\.?\s+$", re.I)
DATE_AFTER = re.compile(rf"^\s+(?:of\s+)?(?:{MONTHS})\b", re.I)
STREET_AFTER = re.compile(
    r"^\s+(?:[A-Z0-9][\w.'’-]*\s+){0,3}(?:" + phrases_pattern(_WORDS.street_types) + r")\b\.?")
DECADE_AFTER = re.compile(r"^'?s\b")
FUNCTION_WORDS = _WORDS.not_names_before_number
# abbreviations whose full stop ends no sentence (the lexicon's, which the quote drafter reads too), months
ABBREVIATIONS = re.compile(
    rf"(?:\b(?:{phrases_pattern(sorted(load_lexicon().abbreviations, key=lambda w: (-len(w), w)))}|{MONTHS})\.|\b[A-Z]\.)$",
    re.I)
# a sentence ends at ./!/?, after any footnote markers ("attacks.[3] The") and closing marks
SENTENCE_END = re.compile(r"[.!?](?:\[\d{1,3}\])*[\"”’')\]]*\s+|\n+")


# --- sentences --------------------------------------------------------------------------------

def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at line breaks and at ./!/? followed by space, not after abbreviations."""
    bounds, start = [], 0
    for found in SENTENCE_END.finditer(text):
        if found.group().strip() and ABBREVIATIONS.search(text[max(0, found.start() - 12):found.start() + 1]):
            next_char = text[found.end():found.end() + 1]
            if not next_char or not next_char.isupper():
                continue
            if re.search(rf"\b(?:{MONTHS}|No|Nos|Mr|Mrs|Ms|Dr|[A-Z])\.$", text[max(0, found.start() - 6):found.start() + 1], re.I):
                continue
        bounds.append((start, found.end()))
        start = found.end()
    if start < len(text):
        bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if text[s:e].strip()]


def _is_title_case_line(text: str, position: int) -> bool:
    """True when the line holding ``position`` capitalises most of its words (a headline)."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    return _title_case(text[line_start:line_end if line_end >= 0 else len(text)])


@functools.lru_cache(maxsize=256)
def _title_case(line: str) -> bool:
    content = [w for w in re.findall(r"[A-Za-z][\w'-]*", line) if len(w) > 3]
    return len(content) >= 3 and sum(w[0].isupper() for w in content) >= 0.7 * len(content)


def _at_sentence_start(text: str, position: int) -> bool:
    before = text[max(0, position - 40):position].rstrip(" \"“'‘(")
    return not before or before[-1] in ".!?\n:;" or before.endswith(("—", "–", " -"))


# --- numbers ----------------------------------------------------------------------------------

def _tokens(text: str) -> list[re.Match[str]]:
    return list(TOKEN_PATTERN.finditer(text))


def _word_value(words: list[str]) -> float | None:
    """The value of a sequence of number words ("two hundred and fifty" -> 250), None if not a number."""
    total, current, seen = 0.0, 0.0, False
    for raw in words:
        for word in raw.lower().split("-"):
            if word in ("a", "an", "and"):
                current = current or (1.0 if word in ("a", "an") else current)
                continue
            if word in UNIT_WORDS or word in TENS_WORDS:
                current += UNIT_WORDS.get(word, TENS_WORDS.get(word, 0))
                seen = True
            elif word == "dozen":
                current = (current or 1.0) * 12
                seen = True
            elif word == "hundred":
                current = (current or 1.0) * 100
                seen = True
            elif word in SCALE_WORDS:
                total += (current or 1.0) * SCALE_WORDS[word]
                current = 0.0
                seen = True
            else:
                return None
    return total + current if seen else None


def _join_words(text: str, tokens: list[re.Match[str]], index: int) -> tuple[int, list[str]]:
    """Extend a number word at ``tokens[index]`` over the words that continue it; returns last index and words."""
    words = [tokens[index].group()]
    last = index
    while last + 1 < len(tokens):
        following = tokens[last + 1]
        if not following.group("word") or following.group().lower() in SHARE_WORDS:
            break
        gap = text[tokens[last].end():following.start()]
        word = following.group().lower()
        previous = tokens[last].group().lower().split("-")[-1]
        if gap in (" ", "-") and (word in SCALE_WORDS or word == "dozen" or (
                previous in TENS_WORDS and word in UNIT_WORDS and gap == "-")):
            pass
        elif gap.lower() == " and " and previous in ("hundred", "thousand", "million") and word not in SCALE_WORDS:
            pass
        elif gap == " " and previous in ("hundred", "thousand", "million", "billion") and word not in SCALE_WORDS:
            pass
        else:
            break
        words.append(following.group())
        last += 1
    return last, words



def _next_token_after(tokens: list[re.Match[str]], index: int, end: int) -> int:
    """The index of the first token after ``index`` that starts at or past ``end`` (a number read from
    ``tokens[index]`` up to ``end`` consumes the tokens inside it)."""
    while index + 1 < len(tokens) and tokens[index + 1].start() < end:
        index += 1
    return index + 1

def find_numbers(text: str) -> list[Number]:
    """Every number written in digits, words or both, with scale words applied; vague quantities left out."""
    tokens = _tokens(text)
    numbers: list[Number] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        ratio = _ratio(text, token)
        if ratio is not None:
            numbers.append(ratio)
            index = _next_token_after(tokens, index, ratio.end)
            continue
        if token.group("digits"):
            number = _digit_fraction(text, token) or _digit_number(text, token)
            if number is not None:
                numbers.append(number)
            index = _next_token_after(tokens, index, number.end if number is not None else 0)
            continue
        word = token.group().lower()
        if word in SHARE_WORDS:
            share = _share(text, token)
            if share is not None:
                numbers.append(share)
            index = _next_token_after(tokens, index, share.end if share is not None else 0)
            continue
        last, words = _join_words(text, tokens, index)
        start = token.start()
        lead = re.search(r"\b(an?)\s+$", text[max(0, start - 4):start], re.I)
        first = words[0].lower()
        if first in SCALE_WORDS or first == "dozen":
            # "hundred" alone is vague ("a few hundred"); "a hundred", "a dozen" are numbers
            if not lead or re.search(r"\b(?:few|couple|several|many|the)\s+an?\s+$", text[max(0, start - 14):start], re.I):
                index = last + 1
                continue
            start -= len(lead.group(0))
            words = [lead.group(1), *words]
        end = tokens[last].end()
        value = _word_value(words)
        if value is not None:
            and_a_half = re.match(r"^\s+and\s+a\s+half\b", text[end:], re.I)
            if and_a_half:
                end += and_a_half.end()
                value += 0.5
            scale = 1.0
            for raw in words:
                for part in raw.lower().split("-"):
                    if part in SCALE_WORDS and part != "hundred":
                        scale = SCALE_WORDS[part]
            numbers.append(Number(start, end, value, "words", scale, words=words))
        index = last + 1
    # a share takes the number word before it ("two-thirds"): drop numbers inside another's span
    return _outermost(numbers)


def _outermost(numbers: list[Number]) -> list[Number]:
    """The numbers that lie inside no other number's span (one sweep in start order, so linear after
    sorting); two numbers with the same span both go, as neither is the outer one."""
    order = sorted(range(len(numbers)), key=lambda i: (numbers[i].start, -numbers[i].end))
    spans = Counter((n.start, n.end) for n in numbers)
    inside: set[int] = set()
    reach = -1  # the furthest end of the spans seen so far
    for index in order:
        number = numbers[index]
        if reach >= number.end or spans[(number.start, number.end)] > 1:
            inside.add(index)
        reach = max(reach, number.end)
    return [n for i, n in enumerate(numbers) if i not in inside]


SCALE_CHAIN = re.compile(r"^(?:[\s-]?(?:" + "|".join(SCALE_WORDS) + r")\b)+", re.I)
SCALE_ABBREVIATION = re.compile(r"^\s?(" + phrases_pattern(SCALE_ABBREVIATIONS) + r")\b", re.I)
SCIENTIFIC = re.compile(r"^\s?[×x]\s?10\s?(?:\^|\*\*)?([−-]?\d{1,3})\b")
SIGN_BEFORE = re.compile(r"(?:^|(?<=[\s(\[$,]))(?:minus[\s-]?|[-−])$", re.I)


def _digit_number(text: str, token: re.Match[str]) -> Number | None:
    """A number in digits with the scale written after it ("2.5 million", "$60bn", "35m users", "1.2×10−3")."""
    raw = token.group().rstrip(",")
    if not THOUSANDS.match(raw):
        # "1,2,3" or "12,34": a list or a European decimal; keep the first well-formed part
        first = re.match(r"\d{1,3}(?:,\d{3})+|\d+", raw)
        if first is None:
            return None
        raw = first.group()
    start, end = token.start(), token.start() + len(raw)
    value = float(raw.replace(",", ""))
    after = text[end:end + 40]
    scale = 1.0
    chain = SCALE_CHAIN.match(after)
    abbreviation = SCALE_ABBREVIATION.match(after)
    scientific = SCIENTIFIC.match(after)
    if chain and not (chain.group().strip().lower() == "hundred" and value >= 100):
        for word in re.findall(r"[a-z]+", chain.group().lower()):
            scale *= SCALE_WORDS[word]
        end += chain.end()
    elif scientific:
        scale = 10.0 ** int(scientific.group(1).replace("−", "-"))
        end += scientific.end()
    elif abbreviation:
        word = abbreviation.group(1)
        money = _currency_before(text, start) is not None
        plural_follows = re.match(r"^\s+(?:of\b|[a-z]+s\b)", after[abbreviation.end():]) is not None
        attached = not abbreviation.group(0)[0].isspace()
        if word.lower() not in AMBIGUOUS_SCALES or word in ("M", "B"):
            is_scale = True  # "bn", "mn", "4.3M"
        elif word.lower() == "k":
            is_scale = attached or money  # "25k"
        elif word == "m":
            is_scale = money or (attached and ("." in raw or plural_follows))  # "$5m", "2.7m", "35m users"; not "100m"
        else:
            is_scale = money
        if is_scale:
            scale = SCALE_ABBREVIATIONS[word.lower()]
            end += abbreviation.end()
    number = Number(start, end, value * scale, "digits", scale, words=[raw])
    sign = SIGN_BEFORE.search(text[max(0, start - 7):start])
    if sign and not re.search(r"\d[-−]$", text[max(0, start - 4):start]):
        number.value = -number.value
        number.start = start - len(sign.group())
    return number


DIGIT_FRACTION = re.compile(r"(?<![\d/⁄.,])(\d{1,2})\s?([/⁄])\s?(\d{1,3})(?![\d/⁄.,]|\s?[/⁄])")


def _digit_fraction(text: str, token: re.Match[str]) -> Number | None:
    """"1/2 pound", "1⁄32 of a quart" -> 0.5, 0.03125; "1/3 of the voters" -> a share of 33.3 percent.
    A slash counts as a fraction bar only before a unit or "of" (or as the fraction slash "⁄"), since
    "9/11" and "24/7" are dates and codes."""
    found = DIGIT_FRACTION.match(text, token.start())
    if found is None:
        return None
    numerator, denominator = int(found.group(1)), int(found.group(3))
    if not 0 < numerator < denominator:
        return None
    after = text[found.end():found.end() + 40]
    of_one = re.match(r"^\s+of\s+an?\s", after, re.I)  # "1/16 of a pint": a measurement
    share = re.match(r"^\s+of\b", after, re.I) and not of_one  # "1/3 of the voters": a share
    measured = of_one or _unit_after(text, found.end())[0] is not None
    if not (share or measured or found.group(2) == "⁄"):
        return None
    if share:
        return Number(found.start(), found.end(), round(100 * numerator / denominator, 1), "digits",
                      is_share=True, fraction=numerator / denominator, words=[found.group()])
    return Number(found.start(), found.end(), numerator / denominator, "digits", words=[found.group()])


# "one in four children", "two out of five voters", "1 in 10 adults": a share, the noun after it counted
RATIO = re.compile(r"(?P<part>" + "|".join(UNIT_WORDS) + r"|\d{1,3})\s+(?:in|out\s+of)\s+(?:every\s+)?"
                   r"(?P<whole>" + "|".join(sorted([*UNIT_WORDS, *TENS_WORDS], key=len, reverse=True)) +
                   r"|\d{1,4})\b(?=\s+[a-z])", re.I)


def _ratio(text: str, token: re.Match[str]) -> Number | None:
    """"one in four children" -> a share of 25 percent (guidelines section 3: a share is a percent)."""
    found = RATIO.match(text, token.start())
    if found is None:
        return None
    part, whole = (_word_value([found.group(g)]) if not found.group(g).isdigit() else float(found.group(g))
                   for g in ("part", "whole"))
    if part is None or whole is None or not 0 < part < whole:
        return None
    kind = "digits" if found.group("part").isdigit() else "words"
    return Number(found.start(), found.end(), round(100 * part / whole, 1), kind, is_share=True, fraction=part / whole,
                  words=[found.group("part"), found.group("whole")])


def _share(text: str, token: re.Match[str]) -> Number | None:
    """"half of", "a third of", "two-thirds", "one and a half" -> a share (percent) or a multiplier."""
    word = token.group().lower()
    start, end = token.start(), token.end()
    before = text[max(0, start - 12):start]
    after = text[end:end + 12]
    if word == "half":
        lead = re.search(r"(?:\b(one|a)[\s-]+)?$", before, re.I)
        assert lead is not None  # the pattern is optional up to "$", so it always matches at the end
        if re.match(r"^\s+an?\s+(?:hour|day|week|month|year|century|decade)\b", after, re.I):
            return Number(start, end, 0.5, "words", words=["half"])
        scale_match = re.match(r"^\s+a\s+(million|billion|dozen)\b", after, re.I)
        if scale_match is not None:
            scale_name = scale_match.group(1).lower()
            factor = 12 if scale_name == "dozen" else SCALE_WORDS[scale_name]
            match_end = end + scale_match.end()
            return Number(start, match_end, 0.5 * factor, "words", 1.0 if factor == 12 else factor, words=["half"])
        if re.search(r"\b(?:first|second|last|latter|former|other|the)\s+$", before, re.I):
            return None
        if re.match(r"^[\s-]+(?:of|the|its|their|his|her|our|all|a|an)\b", after, re.I) and not lead.group(1):
            return Number(start, end, 50.0, "words", is_share=True, fraction=0.5, words=["half"])
        return None
    denominator = 3 if word.startswith("third") else 5 if word.startswith("fifth") else 4
    lead = re.search(r"\b(a|one|two|three|four)[\s-]+$", before, re.I)
    if lead is None:
        return None
    followed_by_of = re.match(r"^\s+of\b", after, re.I) is not None
    if word in ("third", "quarter") and not followed_by_of and lead.group(1).lower() == "a":
        return None
    if word.startswith(("fourth", "fifth")) and not followed_by_of:
        return None  # "a fourth time", "one fifth-grader": ordinals
    numerator = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4}[lead.group(1).lower()]
    if numerator >= denominator or (word.endswith("s") != (numerator > 1)):
        return None
    value = round(100 * numerator / denominator, 1)
    return Number(start - len(before) + lead.start(), end, value, "words", is_share=True,
                  fraction=numerator / denominator, words=[lead.group(1), word])


# --- from numbers to quantities --------------------------------------------------------------

YEAR_PREPOSITION = re.compile(r"\b(?:" + phrases_pattern(_WORDS.year_prepositions) + r")\s+$", re.I)


# a preposition that puts a year in time ("in 2014 militants attacked"): after it a year stays a year even
# when a plural noun follows
TIME_PREPOSITION = re.compile(r"\b(?:" + phrases_pattern(_WORDS.time_prepositions) + r")\s+$", re.I)
# "and 1200", "to 1500": joining words that make a year only when a year stands before them
JOINING_BEFORE = re.compile(r"(?P<other>\d{4})?[\s,]*\b(?:and|or|to|from|between)\s+$", re.I)
PLURAL_AFTER = re.compile(r"^\s+(?:[a-z]+\s+)??(?P<noun>[a-z]{3,}s)\b")
CHANGE_BEFORE = re.compile(r"\b(?:" + CHANGE_UP + "|" + CHANGE_DOWN + r")\s+(?:from\s+[\d,.]+\s+)?(?:to|from)\s+$", re.I)
YEAR_AFTER = re.compile(r"^\s+(?:in|during|by)\s+(?:\d{4}|" + MONTHS + r")\b", re.I)
_NOT_PLURAL = load_lexicon().not_plural_nouns
DETERMINER_BEFORE = re.compile(r"\b(?:" + "|".join(sorted(load_lexicon().determiners)) + r")\s+$", re.I)


def _is_year(number: Number, text: str) -> bool:
    """A year as a point in time: 1900-2100 alone, or 1000-2999 after "in", "by", "since" ...; not when
    the number counts ("1500 troops", "rose from 1200 to 1500", "1100 in 2022", "moved between 1500 and
    2000 troops")."""
    written = text[number.start:number.end]
    if number.kind != "digits" or number.scaled != 1 or not written.isdigit() or len(written) != 4:
        return False
    pair = _four_digit_pair(text, number)
    if pair is not None and _pair_counts(text, pair):
        return False
    before, after = text[max(0, number.start - 40):number.start], text[number.end:number.end + 40]
    if 1900 <= number.value <= 2100:
        # the likeliest years: a count only before a plural noun with no determiner or time word before
        # ("deployed 1950 troops"; not "the 2020 elections", "rose to 2020 levels")
        return not (_counts(before, after) and PLURAL_AFTER.match(after) and not DETERMINER_BEFORE.search(before)
                    and not CHANGE_BEFORE.search(before))
    if _counts(before, after):
        return False
    preposition = YEAR_PREPOSITION.search(before[-10:])
    if preposition is None or not 1000 <= number.value <= 2999:
        return False
    if preposition.group().split()[0].lower() in _WORDS.year_joining_words:
        # "between 1450 and 1500": a year after a year; "lost 1,200 soldiers and 1500 more": a count
        joined = JOINING_BEFORE.search(before)
        return joined is not None and joined.group("other") is not None
    return True


# "between 1500 and 2000", "from 1000 to 2000": two four-digit numbers joined as the bounds of one span
FOUR_DIGIT_PAIR = re.compile(r"\b(?:between|from)\s+(?P<first>\d{4})\s+(?:and|to)\s+(?P<second>\d{4})(?![\d,.])", re.I)
# the pair opens its clause: at the start of a sentence or after a comma, colon or dash
CLAUSE_OPENS_BEFORE = re.compile(r"(?:^|[.!?;:,(\n—–]|\s-)\s*$")


def _four_digit_pair(text: str, number: Number) -> re.Match[str] | None:
    """The "between X and Y" / "from X to Y" pair of four-digit numbers that ``number`` is one bound of."""
    window_start = max(0, number.start - 20)
    for found in FOUR_DIGIT_PAIR.finditer(text, window_start, min(len(text), number.end + 20)):
        if (found.start("first"), found.end("first")) == (number.start, number.end) or \
                (found.start("second"), found.end("second")) == (number.start, number.end):
            return found
    return None


def _pair_counts(text: str, pair: re.Match[str]) -> bool:
    """Both numbers of a four-digit pair count the plural noun after it when the pair is the object of a
    verb ("moved between 1500 and 2000 troops to the border", "going from 1000 to 2000 hires"); a pair
    that opens its clause, or whose noun is the subject of the verb after it, is a time span ("Between
    2015 and 2020 attacks rose", "from 2015 to 2020 attacks in the province rose" stays years only when it
    opens the clause)."""
    after = text[pair.end():pair.end() + 60]
    plural = PLURAL_AFTER.match(after)
    if plural is None or plural.group("noun") in _NOT_PLURAL:
        return False
    if CLAUSE_OPENS_BEFORE.search(text[max(0, pair.start() - 3):pair.start()]):
        return False
    following = re.match(r"\s+([a-z][\w'’]*)", after[plural.end():])
    return not (following is not None and _finite_verb(following.group(1)))


def _finite_verb(word: str) -> bool:
    """A lower-case word that shows a finite verb: an auxiliary, a past tense or a change verb."""
    return (word in _AUXILIARIES or word in _IRREGULAR_PAST or (len(word) > 4 and word.endswith("ed"))
            or word in _CHANGE_FORMS)


def _counts(before: str, after: str) -> bool:
    """A four-digit number that counts: the value a change went from or to ("rose from 1200 to 1500"),
    one followed by its own year ("1100 in 2022"), or one before a plural noun ("1500 troops") where no
    time preposition, and no year before "and"/"to", makes it a year ("in 2014 militants", "between 2015
    and 2020 attacks")."""
    if CHANGE_BEFORE.search(before) or YEAR_AFTER.match(after):
        return True
    plural = PLURAL_AFTER.match(after)
    if plural is None or plural.group("noun") in _NOT_PLURAL:
        return False
    if re.search(rf"\b(?:{MONTHS})\.?,?\s+$", before, re.I):
        return False  # "in July 2024 states": a date, and the verb after it only looks plural
    joined = JOINING_BEFORE.search(before)
    if joined:
        return joined.group("other") is None  # "between 1600 and 1900 world temperatures": years both
    return TIME_PREPOSITION.search(before) is None


def _excluded(number: Number, text: str, title_line: bool) -> bool:
    """True for numbers that are not statistics: dates, times, ordinals, names, identifiers."""
    start, end = number.start, number.end
    before, after = text[max(0, start - 30):start], text[end:end + 30]
    if number.kind == "digits":
        return _digits_excluded(number, text, title_line, before, after)
    first = text[start:end]
    if (first[0].isupper() and not title_line and not _at_sentence_start(text, start)
            and not re.search(r"[\"“‘'(]\s*$", before)):
        return True  # "Group of Seven", "Formula One": a number word in a name
    if number.is_share or number.value != 1 or len(number.words) > 1:
        return False
    return not _one_is_quantity(text, start, end)


# words joined to a number by a hyphen without making it a name ("her now-18 month-old", "0-to-60")
HYPHENED_WORD_BEFORE = re.compile(r"(?:^|[^\w-]|\d-)(?:" + phrases_pattern(_WORDS.hyphened_words_before_number) + r")-$",
                                  re.I)


def _currency_before(text: str, start: int) -> tuple[int, str] | None:
    """(start, sign as written) of a currency sign right before the digits at ``start``, else None."""
    window = text[max(0, start - 8):start]
    currency = CURRENCY_BEFORE.search(window)
    if currency:
        return start - len(window) + currency.start(), currency.group("cur")
    if TRANSLITERATED_POUND.search(window) and TRANSLITERATED_AMOUNT.match(text[start:start + 20]):
        return start - 2, "PS"
    return None


def _digits_excluded(number: Number, text: str, title_line: bool, before: str, after: str) -> bool:
    start, end = number.start, number.end
    unit = _unit_after(text, end)[0]
    money = _currency_before(text, start) is not None
    if ORDINAL_AFTER.match(after) or DECADE_AFTER.match(after):
        return True
    if re.match(r"^[A-Za-z]", after) and not unit:
        return True  # "9AB8", "3D", "5G", "49ers": a code or a name
    if re.search(r"[A-Za-z]-?$", before) and not money and not HYPHENED_WORD_BEFORE.search(before):
        return True  # "F-16", "COVID-19", "G20"; not "now-18", "sub-20", "0-to-60"
    if re.search(r"[#/⁄]$|\d[/:.⁄]$|\bNo\.?\s$|\bNos?\.\s?$", before, re.I) or re.match(r"^[/:⁄]\d", after):
        return True  # "No. 5", "9/11", "12:01", "1/2": dates, times and codes
    if re.search(r"\d-$", before) and re.match(r"^-\d", after):
        return True  # "2019-09-01", "555-123-4567"
    if re.search(r"\(\s*$", before) and re.match(r"^\s*\)", after):
        return True  # "(4)": a list marker or a shirt number
    if re.search(r"[^\s\[]\[$", before) and re.match(r"^\]", after):
        return True  # "attacks.[3]", "in 2024[12]": a footnote marker
    if TIME_AFTER.match(after):
        return True
    if not unit and not money and STREET_AFTER.match(re.sub(r"^[-–]\d+", "", text[end:end + 60])):
        return True  # "49 Zorro Ranch Road": a house number
    if _is_year(number, text) and not unit and not money and not _low_end_of_counted_range(text, end):
        return True
    plain_day = number.value <= 31 and number.scaled == 1 and float(number.value).is_integer() and not unit
    if plain_day and (DATE_BEFORE.search(before) or DATE_AFTER.match(after)):
        return True
    if plain_day and re.search(rf"\b(?:{WEEKDAYS}),?\s+$", before, re.I):
        return True
    if number.scaled == 1 and not unit and not money and (IDENTIFIER_BEFORE.search(before) or
                                                           IDENTIFIER_AFTER.match(after)):
        return True  # "a category 4 storm", "phase 3 trials", "the 90049 ZIP code": an identifier
    if (not title_line and number.scaled == 1 and "," not in text[start:end] and "." not in text[start:end]
            and not _at_sentence_start(text, start) and not unit and not money):
        name = re.search(r"(\b[A-Za-z]*[A-Z][\w&.'’-]*)\s+$", before)
        if name and name.group(1).lower().rstrip(".") not in FUNCTION_WORDS and not DATE_BEFORE.search(before):
            return True  # "Section 427", "S&P 500", "iPhone 11": a number inside a name
    return False


IDENTIFIER_BEFORE = re.compile(r"\b(?:" + "|".join(sorted(load_lexicon().identifier_nouns)) + r")\s+$", re.I)
IDENTIFIER_AFTER = re.compile(r"^\s+(?:" + "|".join(sorted(load_lexicon().identifier_nouns_after)) + r")\b", re.I)


def _low_end_of_counted_range(text: str, end: int) -> bool:
    """"2000 - 2500 calories": a year-like number whose range partner cannot be a year (above 2100) is a count."""
    partner = re.match(r"^\s*(?:-|–|—|to)\s*(\d{1,3}(?:,\d{3})+|\d+)(?![\d.,]*\d)", text[end:end + 20])
    return partner is not None and float(partner.group(1).replace(",", "")) > 2100


ONE_NOT_QUANTITY_AFTER = re.compile(
    r"^(?:\s+(?:" + phrases_pattern(_WORDS.one_not_quantity_after) + r")\b|-(?:" +
    phrases_pattern(_WORDS.one_not_quantity_hyphened) + r")\b|\s*[,.;:!?)]|\s*$)", re.I)
ONE_QUANTITY_AFTER = re.compile(r"^\s+(?:(?:\w+\s+)?(?:" + phrases_pattern(_WORDS.one_quantity_after) + r")\b)", re.I)
ONE_QUANTITY_BEFORE = re.compile(r"\b(?:" + phrases_pattern(_WORDS.one_quantity_before) + r")\s+$", re.I)


def _one_is_quantity(text: str, start: int, end: int) -> bool:
    """"one" reports a quantity ("one soldier was killed", "at least one"), not "a" or "a certain" ("one source")."""
    after, before = text[end:end + 40], text[max(0, start - 20):start]
    if re.match(rf"^(?:\s+to\s+|-|–)(?:{NUMBER_WORD}|\d)", after, re.I):
        return True  # "one to two years": the low end of a range
    if _unit_after(text, end)[0] or re.match(r"^[\s-](?:" + "|".join(SCALE_WORDS) + r")\b", after, re.I):
        return True
    if re.search(r"\b(?:no|any|every|some|each|the|this|that|which|little|last|only\s+the)\s+$", before, re.I):
        return False
    if ONE_QUANTITY_BEFORE.search(before):
        return True
    if ONE_NOT_QUANTITY_AFTER.match(after):
        return False
    return ONE_QUANTITY_AFTER.match(after) is not None or _unit_after_modifiers(text, end)


MODIFIER_WORD = re.compile(r"\s+(?P<word>[A-Za-z]+)\b(?![-'’])")


def _unit_after_modifiers(text: str, end: int) -> bool:
    """True when a unit follows the number after one or two words that modify it ("one US fluid ounce", "one
    square mile", "one more day"); a function word or number word there ("one of the 10 km") stops the search."""
    position = end
    for _ in range(2):
        modifier = MODIFIER_WORD.match(text, position)
        if modifier is None or modifier.group("word").lower() in _NOT_MODIFIERS:
            return False
        position = modifier.end()
        if _unit_after(text, position)[0]:
            return True
    return False


def _unit_after(text: str, end: int) -> tuple[str | None, int, str | None, str]:
    """(unit, end of the unit, note, unit as written) for a unit written right after the number."""
    after = text[end:end + 40]
    for pattern, unit, note in UNIT_AFTER:
        found = pattern.match(after)
        if found:
            written = found.group().strip(" -")
            return unit, end + found.end(), (note.format(unit=written) if note else None), written
    return None, end, None, ""


@dataclass
class _Part:
    """A number with the currency sign and the unit written with it."""

    number: Number
    start: int  # with currency sign
    end: int  # with unit
    unit: str | None
    unit_text: str
    note: str | None


def _part(number: Number, text: str) -> _Part:
    """The number with a currency sign before it and a unit written right after it."""
    start, note = number.start, None
    currency = _currency_before(text, start)
    unit: str | None = None
    unit_text = ""
    if currency and number.kind == "digits":
        sign = currency[1]
        start = currency[0]
        unit_text = sign.strip()
        if sign.replace(" ", "") in USD_SIGNS:
            unit = "usd"
        else:
            written = f"{unit_text} (£)" if unit_text == "PS" else unit_text
            unit, note = "count", f"currency as written: {written} (not in the schema's unit list)"
    if number.is_share:
        unit, unit_text = "percent", "share"
    written_unit, end, unit_note, written = _unit_after(text, number.end)
    if written_unit and (unit is None or unit == "count" and written_unit not in ("count", "percent")):
        unit, note, unit_text = written_unit, unit_note, written
    else:
        end = number.end
    return _Part(number, start, end, unit, unit_text, note)


def _qualifier(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The qualifier written before (or after: "or more", "or so") a number, and the span it widens to."""
    before = text[max(0, start - 30):start]
    symbol = re.search(r"(?:(?P<approx>[~≈]|\bc\.)|(?P<sub>\bsub-)|(?P<gt>>|≥)|(?P<lt><|≤))\s?$", before, re.I)
    if symbol:
        qualifier = ("approximately" if symbol.group("approx") else "less_than" if symbol.group("sub") or symbol.group("lt")
                     else "more_than")
        return qualifier, start - len(before) + symbol.start(), end
    found = QUALIFIER_BEFORE.search(before)
    if found:
        phrase = found.group("q").lower()
        for pattern, qualifier in QUALIFIERS:
            if re.fullmatch(pattern, phrase, re.I):
                return qualifier, start - len(before) + found.start("q"), end
    trailing = QUALIFIER_AFTER.match(text[end:end + 12])
    if trailing:
        word = trailing.group().split()[-1].lower()
        qualifier = {"so": "approximately", "-odd": "approximately", "more": "at_least",
                     "less": "up_to", "fewer": "up_to"}.get(word, "approximately")
        return qualifier, start, end + trailing.end()
    return "exact", start, end


def _direction(text: str, start: int, end: int) -> str | None:
    """"up"/"down" when a change verb governs the number ("rose 5%", "a cut of 800"), a change noun follows it
    ("a 5% drop", "66% more"), a percentage is written with a sign ("-1.6%", "+0.2%"), it restates a change
    in another unit ("lost 190 points, or 0.6%") or it is a percentage after "rose to" (guidelines section 6)."""
    percent = PERCENT_END.search(text[start:end]) is not None
    if percent and (text[start:start + 1] in ("-", "−") or text[start:start + 5].lower() == "minus"):
        return "down"  # "DAX -1.6%"; a negative measurement ("-5 yards", "minus 233 Celsius") is a value
    before = text[max(0, start - 60):start]
    if percent and before.endswith("+"):
        return "up"  # "Dow +0.2%"
    noun = CHANGE_NOUN_BEFORE.search(before)
    if noun:
        return "up" if noun.group("up") else "down"
    clause = re.split(r"[,;:()]|\b(?:and|but|while|to|from|at)\s", before)[-1]
    verb = CHANGE_VERB_BEFORE.search(clause) or CHANGE_VERB_OBJECT_BY.search(clause)
    particle = verb is not None and verb.group("up") is not None and verb.group("up").lower() == "up" \
        and VERB_BEFORE_UP_PARTICLE.search(clause[:verb.start()]) is not None
    if verb and not re.search(r"\d", clause[verb.end():]) and not particle:
        return "up" if verb.group("up") else "down"
    noun = CHANGE_NOUN_AFTER.match(text[end:end + 20])
    if noun:
        return "up" if noun.group("up") else "down"
    alternative = ALTERNATIVE_FIGURE.search(before)
    if alternative:  # "lost 190 points, or 0.6%": the same change in another unit
        return _direction(text, start - len(before) + alternative.start("figure"), start - len(before) + alternative.end("figure"))
    level = CHANGE_VERB_TO.search(before) if percent else None
    if level:  # guidelines section 6: "increased to 138 percent" is the size of the increase
        return "up" if level.group("up") else "down"
    return None


PERCENT_END = re.compile(r"(?:%|per\s?cent|pc|pct|percentage\s+points?)$", re.I)
ALTERNATIVE_FIGURE = re.compile(r"(?P<figure>[-−+]?\d[\d,]*(?:\.\d+)?(?:\s?[A-Za-z%]+){0,2}),?\s+or\s+$")


def _from_after_change(text: str, start: int) -> bool:
    """"rose from 5 to 10", "increased by 5 to 10": the pair is the old and new value of a change."""
    before = text[max(0, start - 60):start]
    found = re.search(r"\b(?:from|by)\s+$", before, re.I)
    return found is not None and _direction(text, start - (len(before) - found.start()), start) is not None


RANGE_JOIN = re.compile(r"^(?:-|–|—|\s*(?:–|—)\s*|\s+-\s+|\s*(?:to|and|up\s+to)\s*|-to-|\s*to-|-to\s*)$", re.I)


def find_quantities(text: str) -> list[Quantity]:
    """Every statistic as a ``Quantity``: numbers joined into ranges, with qualifiers and units."""
    numbers = find_numbers(text)
    kept: list[Number] = []
    previous: tuple[Number, bool] | None = None
    for number in numbers:
        excluded = _excluded(number, text, _is_title_case_line(text, number.start))
        if previous and previous[1] and text[previous[0].end:number.start] in ("-", "–", "/", "⁄"):
            excluded = True  # "Sept. 20-24", "2014-15", "ISO 3888-2": the second half of an excluded number
        if not excluded:
            kept.append(number)
        previous = (number, excluded)
    parts = [_part(n, text) for n in kept]
    quantities: list[Quantity] = []
    index = 0
    while index < len(parts):
        part = parts[index]
        partner = parts[index + 1] if index + 1 < len(parts) else None
        joined = _range(text, part, partner)
        if joined is not None:
            quantities.append(joined)
            index += 2
            continue
        if partner is not None and _is_score(text, part, partner):
            index += 2
            continue
        if partner is not None:
            after_partner = parts[index + 2] if index + 2 < len(parts) else None
            range_end = after_partner if after_partner and _opens_range(text, partner, after_partner) else None
            part = _with_scale_of_new_value(text, part, partner, range_end)
        quantities.append(_single(text, part))
        index += 1
    quantities.sort(key=lambda q: q.start)
    for previous_quantity, quantity in zip(quantities, quantities[1:]):
        _inherit_conversion(text, previous_quantity, quantity)
    return quantities


# "from 2.4 to", "from $2.4 to": the old value of a change whose new value follows
FROM_OLD_VALUE = re.compile(r"\bfrom\s+$", re.I)


def _with_scale_of_new_value(text: str, old: _Part, new: _Part, range_end: _Part | None = None) -> _Part:
    """The old value of a change written without the scale and unit its new value carries ("fell from 2.4
    to 1.9 billion dollars": 2.4 billion dollars; "rose from 5 to 10 percent": 5 percent). A scale only
    when the scaled old value is within a factor of ten of the new one: "rose from 1,200 to 1.5 million"
    keeps 1,200. A new value that is a range ("from 24.2 to 33-35 billion") carries them after its high end,
    ``range_end``."""
    if not (FROM_OLD_VALUE.search(text[max(0, old.start - 8):old.start])
            and re.fullmatch(r"\s+to\s+", text[old.end:new.start])):
        return old
    new = range_end or new
    scale = new.number.scaled
    if old.number.kind != "digits" or old.number.scaled != 1 or old.number.is_share \
            or old.unit not in (None, new.unit) or (scale == 1 and (old.unit is not None or new.unit is None)):
        return old
    value = old.number.value * scale
    if scale != 1 and not new.number.value / 10 <= value <= new.number.value * 10:
        return old
    number = dataclasses.replace(old.number, value=value, scaled=scale)
    if old.unit is None:
        return _Part(number, old.start, old.end, new.unit, new.unit_text, new.note)
    return _Part(number, old.start, old.end, old.unit, old.unit_text, old.note)


def _inherit_conversion(text: str, stated: Quantity, conversion: Quantity) -> None:
    """A figure in brackets right after another is the same figure in another unit ("more than 100
    kilometres (60 miles)", "lost 190 points (0.6%)"): it takes the stated figure's qualifier and change."""
    if not re.fullmatch(r"\s*\(\s*", text[stated.end:conversion.start]) or conversion.qualifier != "exact":
        return
    if stated.qualifier not in ("exact", "range"):
        qualifier = stated.qualifier
        conversion.qualifier = qualifier
        conversion.low = None if qualifier in ("up_to", "less_than", "approximately") else conversion.value
        conversion.high = None if qualifier in ("more_than", "at_least", "approximately") else conversion.value
    conversion.direction = conversion.direction or stated.direction


def _opens_range(text: str, first: _Part, second: _Part) -> bool:
    """"33-35", "33 – 35": two numbers in digits joined by a dash, whose second carries the scale and unit."""
    return (first.number.kind == second.number.kind == "digits" and first.unit is None
            and re.fullmatch(r"\s?[-–]\s?", text[first.end:second.start]) is not None)


def _is_score(text: str, first: _Part, second: _Part) -> bool:
    """"2-2", "3-1": a score or tally, not a range."""
    gap = text[first.end:second.start]
    return (gap in ("-", "–") and first.unit is None and second.unit is None
            and first.number.value >= second.number.value and first.number.value < 1000)


def _range(text: str, first: _Part, second: _Part | None) -> Quantity | None:
    """"between X and Y", "X-Y", "X to Y", "two or three" as one range; None when the pair is no range."""
    if second is None:
        return None
    gap = text[first.end:second.start]
    if not RANGE_JOIN.match(gap):
        return None
    before = text[max(0, first.start - 12):first.start]
    conjunction = " ".join(gap.lower().split())
    if conjunction == "and" and not re.search(r"\bbetween\s+$", before, re.I):
        return None
    if conjunction == "up to" and not FROM_OLD_VALUE.search(before):
        return None  # "from 450 up to 900" is a range; "450, up to 900" two figures, the second a bound
    if gap.startswith(" ") and conjunction in ("-", "–", "—") and (first.number.kind, second.number.kind) != ("digits", "digits"):
        return None  # "five - the" with spaces: a dash between clauses
    to = conjunction in ("to", "up to")
    if conjunction in ("to", "and", "up to") and re.match(r"\s?[-–]\s?\d", text[second.end:second.end + 3]):
        return None  # "from 24.2 to 33-35 billion": the second number opens a range of its own
    if to and (_from_after_change(text, first.start) or _direction(text, first.start, first.end)):
        return None  # "rose from 5 to 10", "increased by 5 to 10": two values of a change
    if first.unit is not None and second.unit is not None and first.unit != second.unit:
        return None
    if first.unit is not None and second.unit is None and to:
        return None
    low, high = first.number.value, second.number.value
    if first.number.scaled == 1 and second.number.scaled > 1 and low * second.number.scaled <= high:
        low *= second.number.scaled  # "four to five thousand", "$1 to 2 million"
    if not low < high:
        return None
    start = first.start
    lead = re.search(r"\bbetween\s+$", before, re.I)
    if lead and conjunction == "and":
        start -= len(before) - lead.start()
    hedge, hedged_start, _ = _qualifier(text, start, second.end)
    unit = second.unit or first.unit or "count"
    note = second.note or first.note
    direction = _direction(text, start, second.end)
    return Quantity(start, second.end, None, low, high, "range", unit, second.unit_text or first.unit_text,
                    direction, note, hedge if hedge != "exact" else None)


def _single(text: str, part: _Part) -> Quantity:
    """One number with its qualifier; bounds as guidelines section 3 sets them for that qualifier."""
    qualifier, start, end = _qualifier(text, part.start, part.end)
    value = part.number.value
    low: float | None = value
    high: float | None = value
    if qualifier in ("more_than", "at_least"):
        high = None
    elif qualifier in ("up_to", "less_than"):
        low = None
    elif qualifier == "approximately":
        low = high = None
    return Quantity(start, end, value, low, high, qualifier, part.unit or "count", part.unit_text,
                    _direction(text, part.start, part.end), part.note, fraction=part.number.fraction)


# --- measure, period, attribution ------------------------------------------------------------

STOP_AFTER = re.compile(r"\b(?:" + phrases_pattern(_WORDS.measure_stop_words) + r")\b", re.I)
PERIOD_PATTERNS = [
    re.compile(r"\b(?:in|during|over|throughout|for)\s+the\s+(?:first|last|past|next|previous|"
               r"second|third|final)\s+[\w\s-]{0,40}?\b(?:months?|years?|weeks?|days?|hours?|quarter|half)"
               r"(?:\s+of\s+(?:the\s+)?[\w\s'-]{1,60}?)?(?=[,.;]|\s+(?:and|but|when|while|as)\b|$)",
               re.I),
    re.compile(rf"\b(?:(?:in|during|since|by|until|through|throughout|for|of)\s+)?(?:(?:early|mid|late|"
               rf"the\s+end\s+of|the\s+start\s+of)[\s-]+)?(?:(?:{MONTHS})\.?\s+(?:\d{{1,2}},?\s+)?)?"
               r"(?:1[89]|20)\d\d\b(?:\s*[-–]\s*(?:1[89]|20)?\d\d\b)?", re.I),
    re.compile(rf"\b(?:(?:{MONTHS})\.?\s+\d{{1,2}}\b|\d{{1,2}}\s+(?:{MONTHS})\b)", re.I),
    re.compile(rf"\b(?:last|this|next|earlier\s+this|later\s+this|earlier\s+last)\s+(?:year|month|week|"
               rf"{WEEKDAYS}|{MONTHS})\b|\b(?:on\s+)?(?:{WEEKDAYS})\b|\byesterday\b|\btoday\b", re.I),
    re.compile(r"\bsince\s+the\s+[\w\s'’-]{3,80}?(?=[,.;:]|\s+(?:when|while|but|and\s+the)\s)", re.I),
    # a month on its own ("killed 5 soldiers in March"), written with its capital: "may" is also a verb
    re.compile(r"\b(?:in|during|since|by|until|through|throughout)\s+(?:(?:early|mid|late)[\s-]+)?"
               r"(?-i:" + "|".join(name.capitalize() for name in load_lexicon().months) + r")\b(?![\s.]+\d)", re.I),
    # a decade ("during the 1980s", "since the early 2000s")
    re.compile(r"\b(?:(?:in|during|since|by|until|through|throughout)\s+)?the\s+(?:(?:early|mid|late)[\s-]+)?"
               r"(?:1[89]|20)\d0s\b", re.I),
]
PERIOD_PATTERNS.append(  # "in recent months", "over the weekend"
    re.compile(r"\b(?:in|over|during|within)\s+(?:recent|the\s+(?:past|last|previous)\s+(?:few|several))\s+"
               r"(?:hours|days|weeks|months|years|decades)\b|\bover\s+the\s+weekend\b", re.I))
# the time phrases whose preposition is dropped ("in 2024" -> "2024", "during the 1980s" -> "the 1980s")
DATE_PATTERNS = (1, 2, 3, 5, 6)
# a relative clause set off by commas ("the fence, which was built after 2017, covers ..."): a time
# phrase inside it dates the clause only; one outside it may date a number inside it ("in 2024, attacks
# killed 2,500, which is 66% more than in 2023": the clause restates the statistic of 2024)
RELATIVE_CLAUSE = re.compile(r",\s*(?:which|who|whom|whose|where)\b[^,;]*", re.I)
REFERENCE_PATTERN = re.compile(
    r"^\s*(?:\w+\s+){0,3}?(?:more|less|fewer|higher|lower|up|down|increase|decrease|rise|drop)?\s*"
    r"(?:than|compared\s+(?:with|to)|from|over|against|on)\s+(?:(?:in|the\s+same\s+period\s+(?:in|of)|"
    rf"last)\s+)?(?P<ref>(?:(?:{MONTHS})\.?\s+)?(?:1[89]|20)\d\d|last\s+year|the\s+previous\s+year|"
    r"a\s+year\s+(?:earlier|ago|before))\b", re.I)


MEASURE_WORD = re.compile(r"[A-Za-z][\w'’-]*|\d[\d,.]*|[,.;:()\[\]{}\"“”!?–—]")
FIRST_STOP = _WORDS.measure_first_stop
COMPARATIVES = _WORDS.measure_comparatives


def _noun_after(text: str, quantity: Quantity, sentence: tuple[int, int]) -> list[str]:
    """Up to five words after the number, stopping at a verb-like or function word ("soldiers", "rebel fighters"),
    at another number, a time word or a compass word that opens no name ("nine North of the river")."""
    return _noun_phrase(text, quantity.end, sentence[1], quantity.unit == "percent")[0]


def _noun_phrase(text: str, start: int, limit: int, share: bool = False,
                 gerund_ends: bool = False) -> tuple[list[str], int]:
    """The words of the noun phrase that starts at ``start`` (read as ``_noun_after`` reads the words after a
    number; ``share``: "of the" before it is skipped and it may open with "in"; ``gerund_ends``: the object
    of a preposition, which may end with a gerund, "for border fencing") and the offset just after the last
    word kept (``start`` when none is)."""
    tail = text[start:limit]
    skipped = 0
    if share:
        skipped = len(re.match(r"^\s*(?:of\s+(?:the\s+)?)?", tail).group())  # type: ignore[union-attr]
        tail = tail[skipped:]
    words: list[str] = []
    ends: list[int] = []  # the offset in ``tail`` after each word of ``words``
    stopped_at = len(tail)
    for found in MEASURE_WORD.finditer(tail):
        word = found.group()
        stopped_at = found.start()
        if not word[0].isalpha() or len(words) >= 5 or (words and STOP_AFTER.fullmatch(word)):
            break
        if _never_in_measure(word) or _names_time_or_number(word):
            break  # "12 together", "five including two children", "officers in two years", "hires this year"
        if word.lower().split("-")[0] in _COMPASS_WORDS and not _NAME_GOES_ON.match(tail, found.end()):
            break  # "nine North of the river": a direction; "South Waziristan tribesmen" goes on as a name
        if words and word.islower() and (len(word) > 3 and word.endswith("ed") or word in _IRREGULAR_PAST):
            break  # "two groups killed", "340 soldiers died": the verb after the counted noun
        if words and _plural_noun(words[-1]) and _bare_verb_after_plural(word):
            break  # "6,000 fighters operate in ...", "two countries share": the verb after the counted noun
        stopped_at = len(tail)
        opens_share = share and word.lower() == "in"  # "73 percent in attacks"
        if not words and not opens_share and (STOP_AFTER.fullmatch(word) and word.lower() not in ("a", "an", "the")
                                              or word.lower() in COMPARATIVES or word.lower() in FIRST_STOP):
            break
        words.append(word)
        ends.append(found.end())
    _strip_trailing(words, gerund_ends)
    if words and words[0].lower() in ("a", "an", "the"):
        words, ends = words[1:], ends[1:]
    if words and words[-1][:1].isupper() and _NAME_GOES_ON.match(tail, stopped_at):
        # a name cut short ("$9 billion Silk and Spice ...", "North Kivu"): no measure beats half a name
        while words and words[-1][:1].isupper():
            words.pop()
        _strip_trailing(words)  # "fighters in Kunar and ...": "fighters", not "fighters in"
    return words, start + skipped + (ends[len(words) - 1] if words else 0)


def _plural_noun(word: str) -> bool:
    """A lower-case or capitalised word that reads as a plural noun ("fighters", "countries", "Afghans"; not
    "was", "across", "press")."""
    return ((word.islower() or word[:1].isupper() and word[1:].islower()) and len(word) > 3
            and word.endswith("s") and not word.endswith(("ss", "us", "is")) and word.lower() not in _NOT_PLURAL)


def _bare_verb_after_plural(word: str) -> bool:
    """A lower-case word after a plural noun that can only be its verb: neither a noun of a compound ("sports
    fans" ends in -s), a participle ("fighters operating from"), a preposition nor a conjunction."""
    return (word.islower() and not word.endswith(("s", "ing", "ed")) and word not in FIRST_STOP
            and word not in _PREPOSITIONS and not STOP_AFTER.fullmatch(word) and not _never_in_measure(word))


def _strip_trailing(words: list[str], gerund_ends: bool = False) -> None:
    """Drop the prepositions and function words a phrase of ``words`` ends with ("attacks in" -> "attacks"),
    and a participle cut from its object ("families living" -> "families") unless ``gerund_ends``."""
    while words and (words[-1].lower() in FIRST_STOP or STOP_AFTER.fullmatch(words[-1])
                     or not gerund_ends and len(words) > 1 and words[-1].islower() and words[-1].endswith("ing")):
        words.pop()


_LEXICON = load_lexicon()
_MEASURE_NEVER = _LEXICON.measure_never
_IRREGULAR_PAST = _LEXICON.irregular_past
_AUXILIARIES = _LEXICON.closed_classes["auxiliaries"]
_COMPASS_WORDS = _LEXICON.name_classes["compass_words"]
# a number word, or a word of a time phrase: the period is a field of its own, the measure never holds one
_NUMBER_WORDS = frozenset([*UNIT_WORDS, *TENS_WORDS, *SCALE_WORDS, "dozen"])
# words that cannot modify a unit between "one" and it ("one of the 10 km", "one and a half")
_NOT_MODIFIERS = frozenset([*_NUMBER_WORDS, *_LEXICON.prepositions, *_LEXICON.determiners, *_LEXICON.pronouns["all"],
                            *_WORDS.measure_stop_words])
_TIME_WORDS = frozenset([*_LEXICON.time_words, *_LEXICON.weekdays, *_LEXICON.months, *_WORDS.measure_time_words])
_LEVEL_VERBS = _LEXICON.level_verbs
_PREPOSITIONS = _LEXICON.prepositions
_CLAUSE_WORDS = _WORDS.clause_openers
_PRONOUNS = _LEXICON.pronouns["all"]
_COPULAS = _LEXICON.closed_classes["copulas"] | _WORDS.be_forms
# after a capitalised word: the name goes on ("Silk and Spice", "North Kivu", "Bank of England")
_NAME_GOES_ON = re.compile(r"\s*(?:(?:and|of|&|-)\s*)?[A-Z]")


def _never_in_measure(word: str) -> bool:
    """A word no measure holds (config/lexicon.yaml measure_never), alone or inside a hyphenated word."""
    low = word.lower()
    return low in _MEASURE_NEVER or any(part in _MEASURE_NEVER for part in low.split("-")[1:])


def _names_time_or_number(word: str) -> bool:
    """A number word ("two", "including-two") or a time word ("this", "Monday", "yesterday")."""
    low = word.lower()
    return low in _TIME_WORDS or any(part in _NUMBER_WORDS for part in low.split("-"))


# the change verbs and the words between a subject and the number they govern ("increased by about")
SUBJECT_VERB_TAIL = re.compile(rf"(?:{CHANGE_UP}|{CHANGE_DOWN}|{phrases_pattern(_WORDS.subject_verb_tail)})", re.I)
# "from 2.4 to", "from $2.4 billion to": the old value of a change, right before its new value
OLD_VALUE_BEFORE = re.compile(r"\s+from\s+\S{0,4}\d[\d,.]*(?:\s?[A-Za-z%]+)?\s+to\s+\S{0,4}$", re.I)


def _subject_before(text: str, quantity: Quantity, sentence: tuple[int, int]) -> list[str]:
    """The words before the number back to a comma or another number, when a change verb, a copula or a
    verb of level governs the number ("flood deaths in the province increased by" -> "flood deaths in
    the province", "the number of refugees reached"); else none: in "officials said 18 were wounded"
    the officials are no measure."""
    before = text[sentence[0]:quantity.start]
    old_value = OLD_VALUE_BEFORE.search(before)
    if old_value:  # "exports fell from 2.4 to 1.9 billion": the new value measures the subject of the change
        before = before[:old_value.start()]
    head = re.split(r"[,;:()\"“”–—]|\d", before)[-1]
    words = re.findall(r"[A-Za-z][\w'’-]*", head)
    governed = False
    while words and (SUBJECT_VERB_TAIL.fullmatch(words[-1]) or STOP_AFTER.fullmatch(words[-1])
                     or words[-1].lower() in _LEVEL_VERBS):
        verb = words.pop().lower()
        governed = governed or verb in _LEVEL_VERBS or verb in _COPULAS or \
            verb in _CHANGE_FORMS
    if not governed:
        return []
    words = words[-5:]
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if _never_in_measure(word) or (word.islower() and len(word) > 4 and word.endswith("ed")) \
                or word.lower() in _CLAUSE_WORDS:
            # "... and jeopardized the", "the odds change as the reward rises": a verb, a never-word or a
            # conjunction ends the subject
            words = words[index + 1:]
            break
    while words and (words[0].lower() in FIRST_STOP or STOP_AFTER.fullmatch(words[0])):
        words.pop(0)
    _strip_trailing(words)
    if words and words[-1].endswith(("'s", "’s")):
        return []  # a possessive is no measure of its own
    if any(word.lower() in _PRONOUNS or word.lower() in _AUXILIARIES or _names_time_or_number(word) for word in words):
        return []  # "he", "she would send", "Trade between the two countries": a person, a clause or a number
    return words


# the kind of quantity a unit measures: written alone when the text names nothing counted, so a reviewer
# sees that the measure is still to write (docs/annotation-guidelines.md, "Statistics")
KIND_OF_UNIT = {"year": "duration", "month": "duration", "week": "duration", "day": "duration", "hour": "duration",
                "km": "distance", "usd": "amount"}
# every measure that is a kind alone: the drafter's "not found" (scripts/evaluate.py counts it as no answer)
MEASURE_KINDS = frozenset([*KIND_OF_UNIT.values(), "count", "age", "share", "increase", "decrease", "span", "speed"])

_DROPPED_WORDS = _WORDS.measure_dropped_words
_PARTICIPLES = _WORDS.measure_participles
_CREDIT_FORMS = frozenset(verb.lower() for verb in _WORDS.credit_verbs)
_DETERMINERS = _LEXICON.determiners
# a passive after the counted noun ("35 people were killed", "families have been displaced"), with a second
# participle joined to the first ("were killed or arrested")
PASSIVE_AFTER = re.compile(
    rf"\s+(?:(?:{phrases_pattern(sorted(_AUXILIARIES))})\s+)?(?:{phrases_pattern(sorted(_COPULAS))})\s+"
    r"(?:[a-z]+ly\s+)?(?P<verb>[a-z]+)\b(?:\s+(?P<joined>(?:or|and)\s+(?P<second>[a-z]+))\b)?")
# a unit written after the number and what it measures ("12 kilograms of explosives")
OF_AFTER = re.compile(r"\s+of\s+(?:the\s+)?")
# the verb right before a number, with the word before it ("forces arrested 45", "the alleged 30")
VERB_BEFORE_NUMBER = re.compile(r"(?:^|(?P<previous>[A-Za-z][\w'’-]*)\s+)(?P<verb>[a-z]+)\s+$")
# a change noun written after a percentage and the phrase it governs ("a 20% rise in attacks")
CHANGE_NOUN_OBJECT = re.compile(
    rf"[\s-]*(?P<noun>{phrases_pattern([*_WORDS.change_nouns['up'], *_WORDS.change_nouns['down']])})"
    r"\s+(?P<preposition>in|of)\s+")
# what an amount of money is for ("Rs 5 billion for border fencing"); not "on", also a place or a platform
# ("$799 on Amazon")
PURPOSE_AFTER = re.compile(r"\s+(?P<preposition>for)\s+")
# an amount per unit ("$2.11 a gallon", "$40 per barrel"): a price
RATE_AFTER = re.compile(r"\s+(?:a|an|per)\s", re.I)
# a distance per hour: a speed, which no "length" or "distance" measures
PER_HOUR_AFTER = re.compile(r"\s?(?:/\s?(?:h|hr|hour)\b|per\s+hour\b|an\s+hour\b)", re.I)
DISTANCE_FROM = re.compile(r"\s+(?:away\s+)?from\s+", re.I)
# a noun right before "of" and the number it is measured by ("a border of about 2,600 kilometres")
NOUN_OF_BEFORE = re.compile(r"\b(?P<noun>[a-z][a-z-]*)\s+of\s+$")
SPAN_AFTER = re.compile(rf"\s+(?:{phrases_pattern(_WORDS.span_nouns_after)})\b", re.I)


def _participle(word: str) -> bool:
    """A past participle a counted noun can take after it ("killed", "displaced", "shot"); never a verb of
    credit ("reported"), of level ("reached"), of change ("increased") nor a word no measure holds."""
    return word.islower() and (word in _PARTICIPLES or len(word) > 4 and word.endswith("ed") and
                               not word.endswith("eed")) \
        and word not in _CREDIT_FORMS and word not in _LEVEL_VERBS and word not in _CHANGE_FORMS \
        and not _never_in_measure(word)


def _verb_before(text: str, quantity: Quantity, sentence: tuple[int, int]) -> str | None:
    """The participle of the verb whose object the number counts ("arrested 45 smugglers" -> arrested); none
    after a determiner, where an "-ed" word is an adjective ("the alleged 30 militants")."""
    found = VERB_BEFORE_NUMBER.search(text, max(sentence[0], quantity.start - 60), quantity.start)
    if found is None or not _participle(found.group("verb")):
        return None
    previous = (found.group("previous") or "").lower()
    return None if previous in _DETERMINERS else found.group("verb")


def _noun_is_a_name(words: list[str]) -> bool:
    """True when the head of a counted phrase (its last word before a preposition) is a capitalised word that
    is no plural ("3,000 Taliban Pakistan in ..."): a name, not what is counted."""
    head = words
    for index, word in enumerate(words):
        if index and (word.lower() in _PREPOSITIONS or word.lower() in FIRST_STOP):
            head = words[:index]
            break
    return bool(head) and head[-1][:1].isupper() and not _plural_noun(head[-1]) \
        and not re.fullmatch(r"[A-Z]{2,}s", head[-1])  # "NGOs", "ICs": plurals


def _apposition_before(text: str, quantity: Quantity, sentence: tuple[int, int]) -> list[str]:
    """The noun phrase a number set off by commas restates ("The death toll, 42, was ..." -> death toll);
    none when the words before the comma are a time, a place, a clause or a verb ("On Monday, 12 ...")."""
    if not re.match(r"\s*[,)–—]", text[quantity.end:sentence[1]]):
        return []
    before = text[sentence[0]:quantity.start]
    comma = re.search(r"[,(]\s*$", before)
    if comma is None:
        return []
    segments = re.split(r"([,;:()\"“”–—]|\d)", before[:comma.start()])
    if len(segments) > 1 and segments[-2].isdigit():
        return []  # "47 feet (14 metres)", "24 hours, 39 minutes": a number restated in another unit
    words = re.findall(r"[A-Za-z][\w'’-]*", segments[-1])
    while words and words[0].lower() in _DETERMINERS:
        words.pop(0)
    if not 1 <= len(words) <= 4 or not words[-1].islower():
        return []
    for word in words:
        low = word.lower()
        if STOP_AFTER.fullmatch(word) or low in FIRST_STOP or low in _PREPOSITIONS or low in _PRONOUNS \
                or _never_in_measure(word) or _names_time_or_number(word) or low in _CLAUSE_WORDS \
                or word.islower() and (word.endswith(("ed", "ly")) or word in _IRREGULAR_PAST):
            return []
    return words


def _without_dropped_words(phrase: str) -> str:
    """``phrase`` without demonstratives and evaluative adjectives (lexicon ``measure_dropped_words``)."""
    return " ".join(word for word in phrase.split() if word.lower() not in _DROPPED_WORDS)


def _measure(text: str, quantity: Quantity, sentence: tuple[int, int]) -> str:
    """What the number counts, in a few words (the noun phrase after it with the verb that counts it, a
    change noun and its object, what an amount is for, the noun a number restates, else the subject before
    it); the quantity's kind alone when the text gives none of these."""
    return _without_dropped_words(_measure_words(text, quantity, sentence))


def _measure_words(text: str, quantity: Quantity, sentence: tuple[int, int]) -> str:
    """The measure before the dropped words leave it, the first reading that gives one (see ``_measure``)."""
    money = quantity.unit == "usd" or (quantity.note or "").startswith("currency as written")
    words, end = _noun_phrase(text, quantity.end, sentence[1], quantity.unit == "percent")
    kind = "amount" if money else KIND_OF_UNIT.get(quantity.unit)
    if kind == "duration" and (text[quantity.end - 4:quantity.end] == "-old" or re.match(r"\s+old\b", text[quantity.end:quantity.end + 5])):
        kind = "age"
    if kind == "duration" and "-" in text[quantity.start:quantity.end] and SPAN_AFTER.match(text, quantity.end):
        return "span"  # "a nine-year high": the time over which a level is unmatched, no duration
    if quantity.unit == "km":
        if PER_HOUR_AFTER.match(text, quantity.end):
            return "speed"  # "140 km/h"
        if words:
            return "length of " + " ".join(words)  # "a 2,600-km frontier", "a 5 km stretch of road"
        of_noun = NOUN_OF_BEFORE.search(text, max(sentence[0], quantity.start - 40), quantity.start)
        if of_noun and _counted_word(of_noun.group("noun")):
            return "length of " + of_noun.group("noun")  # "a frontier of roughly 2,400 kilometres"
        away = DISTANCE_FROM.match(text, quantity.end)
        place = _noun_phrase(text, away.end(), sentence[1])[0] if away else []
        if place:
            return "distance from " + " ".join(place)  # "24 km from the border"
    if quantity.unit == "percent":
        change_after = CHANGE_NOUN_OBJECT.match(text, quantity.end)
        if change_after:  # "a 20% rise in attacks"
            changed = _noun_phrase(text, change_after.end(), sentence[1])[0]
            if changed:
                return f"{change_after.group('noun')} {change_after.group('preposition')} {' '.join(changed)}"
        change_before = CHANGE_NOUN_BEFORE.search(text, max(0, quantity.start - 40), quantity.start)
        if change_before and words and words[0].lower() == "in":  # "a surge of 73 percent in attacks"
            return f"{change_before.group('up') or change_before.group('down')} {' '.join(words)}"
    if any(word.lower() in _PRONOUNS for word in words):
        words = []  # "about half of them": what "them" stands for is for the reviewer
    if not words and quantity.unit == "count" and quantity.unit_text and not money:
        measured = OF_AFTER.match(text, quantity.end)  # "12 kilograms of explosives"
        if measured:
            words = _noun_phrase(text, measured.end(), sentence[1])[0]
    if money and RATE_AFTER.match(text, quantity.end):
        words = []  # "$2.11 a gallon": the unit of a price, not what the amount is
    if money and not words:
        verb = _verb_before(text, quantity, sentence)
        purpose = PURPOSE_AFTER.match(text, quantity.end)
        object_words = _noun_phrase(text, purpose.end(), sentence[1], gerund_ends=True)[0] if purpose else []
        if purpose and object_words:  # "allocated Rs 5 billion for border fencing"; a verb alone says too little
            # ("averaged $2.11 a gallon" is no amount averaged)
            return " ".join(["amount", *([verb] if verb else []), purpose.group("preposition"), *object_words])
    if words and quantity.unit == "count" and not money:
        if _noun_is_a_name(words):
            return "count"  # "3,000 Taliban Pakistan in Afghanistan": a name, not what is counted
        passive = PASSIVE_AFTER.match(text, end)
        verb = passive.group("verb") if passive and _participle(passive.group("verb")) else \
            _verb_before(text, quantity, sentence)
        if verb and passive and verb == passive.group("verb") and passive.group("second") \
                and _participle(passive.group("second")):
            verb = f"{verb} {passive.group('joined')}"  # "killed or arrested": neither alone
        if verb and not any(word.lower() == verb for word in words):
            words = [*words, verb]  # "35 people were killed", "arrested 45 smugglers": people killed
    if not words and quantity.unit in ("percent", "usd", "count") and not _NAME_GOES_ON.match(text, quantity.end):
        words = _apposition_before(text, quantity, sentence) or _subject_before(text, quantity, sentence)
    phrase = " ".join(words)
    if quantity.unit == "percent":
        direction = quantity.direction
        level = CHANGE_VERB_TO.search(text[max(0, quantity.start - 30):quantity.start])
        if direction is None and level:  # "increased to 138 percent": the size of the increase (decisions)
            direction = "up" if level.group("up") else "down"
        kind = {"up": "increase", "down": "decrease"}.get(direction or "", "share")
    if kind:
        return f"{kind}: {phrase}" if phrase else kind
    return phrase or "count"


def _counted_word(word: str) -> bool:
    """A lower-case word that can be what is measured: no function, time, number or never-word."""
    low = word.lower()
    return not (STOP_AFTER.fullmatch(word) or low in FIRST_STOP or low in _PREPOSITIONS or _never_in_measure(word)
                or _names_time_or_number(word) or low in _DETERMINERS)


@dataclass
class _PeriodPhrases:
    """The time phrases of one sentence, found once, sorted by start (start, end, pattern index, phrase)."""

    phrases: list[tuple[int, int, int, str]]
    starts: list[int]
    longest: int
    clauses: list[tuple[int, int]] = field(default_factory=list)  # relative clauses set off by commas
    clause_starts: list[int] = field(default_factory=list)

    def clause_of(self, position: int) -> int:
        """The index of the relative clause holding ``position``, -1 outside all of them."""
        index = bisect_right(self.clause_starts, position) - 1
        return index if index >= 0 and position < self.clauses[index][1] else -1


def _period_phrases(text: str, sentence: tuple[int, int], statistics: list[tuple[int, int]],
                    starts: list[int]) -> _PeriodPhrases:
    """The time phrases of ``sentence``; a date or year that is itself one of the ``statistics`` (sorted
    spans, ``starts`` their starts, listed once per text: per sentence it made a long text quadratic) is
    no period ("went from 1200 to 1800 officers": 1800 counts, it is no year)."""
    phrases = []
    for index, pattern in enumerate(PERIOD_PATTERNS):
        for found in pattern.finditer(text, sentence[0], sentence[1]):
            if index in (1, 2) and _overlaps_any(found.start(), found.end(), statistics, starts):
                continue
            phrase = found.group().strip(" ,")
            if index in DATE_PATTERNS:  # a date keeps no preposition: "in 2024" -> "2024"
                phrase = re.sub(r"^(?:in|during|by|until|through|throughout|for|of|on)\s+", "", phrase, flags=re.I)
            phrases.append((found.start(), found.end(), index, phrase))
    phrases.sort()
    clauses = [found.span() for found in RELATIVE_CLAUSE.finditer(text, sentence[0], sentence[1])]
    return _PeriodPhrases(phrases, [p[0] for p in phrases], max((p[1] - p[0] for p in phrases), default=0),
                          clauses, [clause[0] for clause in clauses])


def _overlaps_any(start: int, end: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """True when [start, end) overlaps one of ``spans`` (sorted, not overlapping each other)."""
    index = bisect_left(starts, end) - 1
    return index >= 0 and spans[index][1] > start


def _period(quantity: Quantity, found: _PeriodPhrases, reference: str | None) -> str | None:
    """The time phrase of the sentence nearest to the number (not overlapping it, not the reference);
    at equal distance the earlier pattern of PERIOD_PATTERNS, then the earlier phrase. Looks outwards
    from the number and stops once no phrase can be nearer, so a long sentence stays linear."""
    best: tuple[int, int, int, str] | None = None  # (distance, pattern index, start, phrase)
    middle = bisect_left(found.starts, quantity.start)
    clause = found.clause_of(quantity.start) if found.clauses else -1

    def consider(start: int, end: int, index: int, phrase: str) -> None:
        nonlocal best
        if start < quantity.end and end > quantity.start:
            return  # "in the first 21 months" is no period of "21 months"
        if found.clauses and found.clause_of(start) not in (-1, clause):
            return  # "a 2,600-kilometer border, which was fenced after 2017": 2017 dates the fencing only
        if reference and reference in phrase:
            return
        candidate = (min(abs(start - quantity.end), abs(quantity.start - end)), index, start, phrase)
        if best is None or candidate < best:
            best = candidate

    # no further than the window of the sentence the measure is read in: phrases skipped as being in
    # another clause must not make each number of a long sentence scan all of them
    for start, end, index, phrase in found.phrases[middle:]:
        if start - quantity.end > (best[0] if best is not None else SENTENCE_WINDOW):
            break
        consider(start, end, index, phrase)
    for position in range(middle - 1, -1, -1):
        start, end, index, phrase = found.phrases[position]
        if quantity.start - (start + found.longest) > (best[0] if best is not None else SENTENCE_WINDOW):
            break
        consider(start, end, index, phrase)
    return best[3] if best else None


def _reference(text: str, quantity: Quantity, sentence: tuple[int, int]) -> str | None:
    if quantity.direction is None and quantity.unit != "percent":
        return None
    found = REFERENCE_PATTERN.match(text[quantity.end:sentence[1]])
    return found.group("ref") if found else None


# characters either side of a number that its measure, period and reference are looked for in
SENTENCE_WINDOW = 400

CREDIT_BEFORE = re.compile(r"\b(?:according\s+to|a\s+(?:\w+\s+){0,2}(?:" + phrases_pattern(_WORDS.credit_nouns_before) +
                           r")\s+(?:by|from|of)|data\s+from|figures\s+from|estimates?\s+(?:by|of|from)|"
                           r"reported\s+by|cited\s+by|said\s+by)\s+(?:the\s+)?$", re.I)
_CREDIT_NOUNS_AFTER = phrases_pattern(_WORDS.credit_nouns_after)
CREDIT_AFTER = re.compile(rf"^(?:['’]s?)?\s*(?:\w+\s+){{0,3}}?(?:{REPORTING_VERBS})\b", re.I)


def _attribution(text: str, sentence: tuple[int, int], mentions: list[tuple[int, int, str]],
                 starts: list[int]) -> str | None:
    """The entity the sentence credits: "according to X", "a report by X", "X said/estimates/reported";
    else a closing credit of the paragraph ("... - X writes"). A joint credit ("X and Y officials
    estimate") names no single entity. ``starts`` are the mentions' starts (they are sorted)."""
    inside = [m for m in mentions[bisect_left(starts, sentence[0]):bisect_left(starts, sentence[1])]
              if m[1] <= sentence[1]]
    for start, end, entity in inside:
        if CREDIT_BEFORE.search(text[max(sentence[0], start - 60):start]):
            return entity
    for start, end, entity in inside:
        credit = CREDIT_AFTER.match(text[end:min(sentence[1], end + 50)])
        if credit:
            if re.search(r"\band\b|^\s*,", credit.group()) or re.search(r"\bboth\s+(?:the\s+)?$", text[max(0, start - 10):start], re.I):
                continue
            return entity
        if re.match(r"^\s+(?:\w+\s+){0,3}?(?:" + _CREDIT_NOUNS_AFTER + r")\b",
                    text[end:end + 40], re.I) and re.search(
                        r"\b(?:a|the|an)\s+(?:\w+\s+)?$", text[max(sentence[0], start - 20):start], re.I):
            return entity
    paragraph_end = text.find("\n", sentence[1])
    closing_end = paragraph_end if paragraph_end >= 0 else len(text)
    for start, end, entity in mentions[bisect_left(starts, sentence[1]):bisect_left(starts, closing_end)]:
        if sentence[1] <= start < closing_end and re.search(r"[-–—]\s*(?:the\s+)?$", text[max(0, start - 8):start]) \
                and CREDIT_AFTER.match(text[end:min(closing_end, end + 30)]):
            return entity
    return None


def extract_statistics(text: str, entity_spans: list[tuple[int, int, str]] | None = None) -> list[dict]:
    """Every statistic in a normalised text, per guidelines section 3.

    Returns dicts sorted by start with keys: start, end, text (== text[start:end]), value, value_low,
    value_high, qualifier, unit, measure, period, reference_period, attributed_to (entity id or None,
    chosen from entity_spans = (start, end, entity_id) of mentions when the sentence credits a source:
    "according to X", "X said/estimates/reported", "a report by X"), note (or None).
    """
    sentences = sentence_bounds(text)
    sentence_starts = [s[0] for s in sentences]
    mentions = sorted(entity_spans or [])
    mention_starts = [m[0] for m in mentions]
    credits: dict[tuple[int, int], str | None] = {}
    periods: dict[tuple[int, int], _PeriodPhrases] = {}
    rows = []
    quantities = find_quantities(text)
    spans = [(quantity.start, quantity.end) for quantity in quantities]
    span_starts = [span[0] for span in spans]
    for quantity in quantities:
        index = bisect_right(sentence_starts, quantity.start) - 1
        whole = sentences[index] if index >= 0 and quantity.start < sentences[index][1] else (0, len(text))
        # the words around a number within a window of its sentence: a "sentence" of 20 KB (a table
        # without full stops) must not make each number scan all of it
        sentence = (max(whole[0], quantity.start - SENTENCE_WINDOW), min(whole[1], quantity.end + SENTENCE_WINDOW))
        if whole not in credits:
            credits[whole] = _attribution(text, whole, mentions, mention_starts)
            periods[whole] = _period_phrases(text, whole, spans, span_starts)
        reference = _reference(text, quantity, sentence)
        rows.append({
            "start": quantity.start,
            "end": quantity.end,
            "text": text[quantity.start:quantity.end],
            "value": _plain(quantity.value),
            "value_low": _plain(quantity.low),
            "value_high": _plain(quantity.high),
            "qualifier": quantity.qualifier,
            "unit": quantity.unit,
            "measure": _measure(text, quantity, sentence),
            "period": _period(quantity, periods[whole], reference),
            "reference_period": reference,
            "attributed_to": credits[whole],
            "note": _note(quantity),
        })
    return rows


def _note(quantity: Quantity) -> str | None:
    """The unit or currency outside the schema's list, and a qualifier the range keeps only here."""
    notes = [quantity.note] if quantity.note else []
    if quantity.hedge:
        notes.append(f"the text qualifies the range as {quantity.hedge.replace('_', ' ')}")
    return "; ".join(notes) or None


def _plain(value: float | None) -> int | float | None:
    """2500.0 -> 2500; 33.3 stays 33.3."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(value, 6)


