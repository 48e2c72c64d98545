"""Draft the entity mentions of one normalised text (guidelines section 4).

Takes a normalised text and an entity registry (entity id ->
:class:`scripts.annotations.Entity`, usually ``load_registry()``); returns
the drafted mentions (dicts with start, end, text, entity_id, type, origin)
and the entities it proposes for names the registry does not know
(:class:`DraftedEntities`: new entities with slug ids and a type, and
source-local aliases such as a surname used alone or an acronym given in
parentheses after a registry name).

Registry names and aliases are matched first, with the build's own matcher
(:class:`scripts.annotations.NameMatcher`, built once per registry: whole words, longest match first,
acronyms only as written). Names the registry lacks are found by rules that
need no model and no gazetteer: runs of capitalised words (with "of", "for",
"and" inside names of bodies), an acronym in parentheses after a name, role
and honorific cues for people, head nouns for organisations, places,
facilities and events, and prepositions before places. Nationality
adjectives, months, weekdays and sentence-initial function words are never
proposed. The final mentions are computed by the same matcher over registry
names plus proposed names and aliases, so they are exactly what the build
derives once a reviewer adds the proposed entities to the registry.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container
from bisect import bisect_right
from dataclasses import dataclass, field

from scripts.annotations import Entity, NameMatcher
from scripts.drafter.lexicon import load_lexicon, words_pattern

# The word classes that read a capitalised run of words (config/lexicon.yaml, name_classes and the type cues).
_NAME_CLASSES = load_lexicon().name_classes
TYPE_CUES = load_lexicon().type_cues  # head words that give a name its type; the last cue word of a name wins
TRAILING_TYPE_CUES = load_lexicon().trailing_type_cues  # lower-case words after a name that type it
TITLES = _NAME_CLASSES["titles_before_names"]  # stripped from a person's name
# Lower-case words before a name that make it a person ("spokesperson X", "pollster X", "headed by X"): the
# titles, and the posts of the one lexicon in the singular (a plural, "residents", "militants", names none).
PERSON_CUES_BEFORE = TITLES | frozenset(("by", "minister", "premiership")) | frozenset(
    t for t in load_lexicon().person_titles if not t.endswith("s"))
# finite forms of the verbs that make a capitalised run next to them a person (config/lexicon.yaml)
REPORTING_VERBS = load_lexicon().name_cue_verbs
PLACE_PREPOSITIONS = _NAME_CLASSES["place_prepositions"]  # "in X": X is a place
COMMON_ABBREVIATIONS = _NAME_CLASSES["common_abbreviations"]  # capitalised, yet no names
COMPASS_WORDS = _NAME_CLASSES["compass_words"]
NAME_SUFFIXES = _NAME_CLASSES["name_suffixes"]  # "Emanuel Cleaver II": the suffix ends a person's name
CONNECTORS = _NAME_CLASSES["name_connectors"]
FUNCTION_WORDS = _NAME_CLASSES["never_names"]  # capitalised words that are never names on their own
# common nouns that open sentences ("Tension", "Police"): no name when capitalised by position only
COMMON_WORDS = _NAME_CLASSES["common_words"]
# Capitalised in any sentence, so neither names nor signs of title case.
CALENDAR_WORDS = frozenset(load_lexicon().months + load_lexicon().weekdays)  # config/lexicon.yaml
MONTH_NAMES = frozenset(load_lexicon().month_numbers)  # names and abbreviations ("nov", "sept")
DAY_AFTER = re.compile(r"\.?\s{1,3}\d{1,2}\b")  # a day of the month right after a month name
NOT_NAMES = FUNCTION_WORDS | CALENDAR_WORDS
# Endings of nationality adjectives and nouns ("Pakistani", "Afghan", "Chinese", "Afghans").
NATIONALITIES = load_lexicon().nationality_adjectives
# posts and titles (config/lexicon.yaml) with the words that qualify them ("Foreign", "Deputy", "Prime")
POSTS = load_lexicon().person_titles | {t.casefold().rstrip(".") for t in load_lexicon().capitalised_titles} | TITLES
NATIONALITY_ENDINGS = ("ani", "ian", "ean", "ese", "ish", "ans", "ians", "is", "ic", "an", "ek", "ik", "ese")

WORD = re.compile(r"[A-Za-z\u00C0-\u024F](?:[\w\u00C0-\u024F]|['’](?![sS]\b)(?=\w)|\.(?=[A-Z]\.)|[-](?=\w))*\.?")
ACRONYM = re.compile(r"^(?:[A-Z]{2,6}|(?:[A-Z]\.){2,4})$")
SENTENCE_BOUNDARY = re.compile(r"(?:^|[.!?:;…]\s+|[\n“”\"‘(–—]\s*|\s[-–—]\s)$")
# each word must end at a word boundary, so a run of capitals cannot be split in many ways (linear time)
# ("PESHAWAR, PAKISTAN –", "QUETTA (Reuters) –", "PESHAWAR, Dec 1 –": a month and day may follow the capitals)
DATELINE = re.compile(r"^((?:[A-Z]{3,}\b[ ,]*){1,4})\s*"
                      r"(?:(?i:" + words_pattern(set(MONTH_NAMES)) + r")\.?\s{1,3}\d{1,2}\b(?:,\s?\d{4}\b)?\s*)?"
                      r"(?:\([A-Za-z ]{2,20}\)\s*)?[–—:-]", re.MULTILINE)
SLUG_CHARS = re.compile(r"[^a-z0-9]+")


@dataclass
class DraftedEntities:
    """Entities the drafter proposes for one text, and the text's local aliases."""

    entities: list[Entity] = field(default_factory=list)
    local_aliases: dict[str, str] = field(default_factory=dict)  # surface -> entity id (this source only)


@dataclass
class _Token:
    start: int
    end: int
    text: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


def slug(name: str) -> str:
    """A readable entity id from a name ("Pakistan Institute for Peace Studies" -> pakistan-institute-for-peace-studies)."""
    import unicodedata

    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return SLUG_CHARS.sub("-", ascii_name.casefold().replace("'", "").replace("’", "")).strip("-") or "entity"


def _is_acronym(word: str) -> bool:
    return bool(ACRONYM.match(word))


def _is_nationality(word: str) -> bool:
    """A capitalised adjective or plural of a people ("Pakistani", "Afghan", "Afghans"), judged by its ending."""
    if word.casefold() in TYPE_CUES or word.casefold().endswith("stan"):
        return False  # "-stan" names countries and provinces, not peoples
    if word.casefold() in NATIONALITIES:
        return True  # listed in config/lexicon.yaml ("Uzbek", "Baloch", "Arab" end in no telling way)
    parts = word.split("-")
    return all(p[:1].isupper() and not _is_acronym(p) and p.casefold().endswith(NATIONALITY_ENDINGS)
               for p in parts if p)


def _sentence_initial(text: str, start: int) -> bool:
    return bool(SENTENCE_BOUNDARY.search(text[max(0, start - 4):start])) or start == 0


def _is_post(word: str) -> bool:
    """A post or title of the lexicon, in the singular or the plural ("Envoys", "Deputies", "Spokesmen")."""
    low = word.casefold().rstrip(".")
    singulars = (low, low[:-1] if low.endswith("s") else "", low[:-3] + "y" if low.endswith("ies") else "",
                 low[:-3] + "man" if low.endswith("men") else "")
    return any(form in POSTS for form in singulars if form)


def _capitalised_by_position(word: str, lower_words: Container[str]) -> bool:
    """Whether a word opening a sentence is a common word there, capitalised by its position only: the
    article writes it in lower case elsewhere, or it is a common noun or a post of the lexicon."""
    low = word.casefold()
    return not _is_acronym(word) and (low in lower_words or low in COMMON_WORDS or _is_post(word))


# Closed classes of words that never open a name, whatever follows them (config/lexicon.yaml): prepositions
# ("Near X Council"), time nouns ("Weeks X Province"), inflected reporting verbs ("Reported X Valley")
PREPOSITIONS = load_lexicon().prepositions
TIME_NOUNS = load_lexicon().time_words | (load_lexicon().time_phrase_words - load_lexicon().time_phrase_modifiers)
VERB_LEMMAS = load_lexicon().lemma_of  # an inflected form -> its lemma


def _never_opens_a_name(word: str) -> bool:
    """A preposition, a time noun, an inflected reporting verb ("Said", "Reported"; not "State", "Post") or a
    post in the plural ("Officials", "Envoys"): capitalised at a sentence's start, it is no part of a name."""
    low = word.casefold()
    return (low in PREPOSITIONS or low in TIME_NOUNS or VERB_LEMMAS.get(low, low) != low
            or (low.endswith("s") and _is_post(word)))


def _nationality_compound(word: str) -> bool:
    """A hyphenated word with a listed nationality among its parts ("Afghan-Pakistan", "Pakistani-Afghan")
    describes, as an adjective of the noun after it ("border", "committee"); it names nothing itself."""
    parts = word.casefold().split("-")
    return len(parts) > 1 and any(part in NATIONALITIES for part in parts)


def _headline_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans written in title case, where capitals say nothing about names: a line with most long
    words capitalised and no final full stop (a heading), or a stretch between punctuation where two
    or more small words are capitalised inside it ("Clinton Said Of Wall Street"); names keep
    their small words in lower case ("Institute for Peace Studies")."""
    spans = []
    position = 0
    for line in text.split("\n"):
        words = [w for w in re.findall(r"[A-Za-z][\w’'-]*", line) if len(w) > 3]
        share = sum(w[0].isupper() for w in words) / len(words) if words else 0.0
        if share >= 0.6 and not line.rstrip().endswith("."):
            spans.append((position, position + len(line)))
        for piece in re.finditer(r"[^.!?;:,“”\"()\[\]–—]+", line):
            small = [w for w in re.findall(r"[A-Za-z][\w’'-]*", piece.group(0))[1:]
                     if w[0].isupper() and (w.casefold() in FUNCTION_WORDS or w.casefold() in CONNECTORS
                                            or w.casefold() in REPORTING_VERBS)]
            if len(small) >= 2:
                spans.append((position + piece.start(), position + piece.end()))
        position += len(line) + 1
    return spans


def _tokens(text: str) -> list[_Token]:
    tokens = []
    for found in WORD.finditer(text):
        # a full stop ends the sentence unless the word is a dotted acronym ("U.S.")
        # a full stop ends the sentence unless the word is a dotted acronym ("U.S.") or an initial ("B.")
        keep = _is_acronym(found.group(0)) or re.fullmatch(r"[A-Z]\.", found.group(0))
        word = found.group(0) if keep else found.group(0).rstrip(".")
        if word:
            tokens.append(_Token(found.start(), found.start() + len(word), word))
    return tokens


def _runs(text: str, tokens: list[_Token]) -> list[list[_Token]]:
    """Runs of capitalised words joined by single spaces, with connectors inside."""
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for index, token in enumerate(tokens):
        gap = text[current[-1].end:token.start] if current else ""
        joined = bool(current) and gap == " "
        if token.capitalised:
            if not joined and current:
                runs.append(current)
                current = []
            current.append(token)
        elif (joined and token.text in CONNECTORS and index + 1 < len(tokens)
              and (token.text != "the" or current[-1].text in ("of", "for"))):
            current.append(token)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    trimmed = []
    for run in runs:
        while run and not run[-1].capitalised:
            run = run[:-1]
        if run:
            trimmed.append(run)
    return trimmed


def _cue_type(words: list[str]) -> str | None:
    """The type given by the last head word of a name, if any."""
    found = None
    for word in words:
        found = TYPE_CUES.get(word.casefold(), found)
    return found


def _split_run(run: list[_Token]) -> list[tuple[list[_Token], bool]]:
    """Split a run that joins several names: at "and"/"of"/"for" when no head word holds it together,
    and after an organisation head word followed by a person's name ("... Intelligence Faiz Hameed").

    Returns the parts, each with whether it is a person named right after an organisation.
    """
    words = [t.text for t in run]
    for index, token in enumerate(run[1:-2], start=1):
        # a title inside a run starts a person's name: "FBI Director James B. Comey"
        rest = run[index:]
        while rest and rest[0].text.casefold() in TITLES:
            rest = rest[1:]
        if (token.text.casefold() in TITLES and 2 <= len(rest) <= 4 and _cue_type([t.text for t in rest]) is None
                and all(t.capitalised for t in rest)):
            return [*_split_run(run[:index]), (run[index:], False)]
    # a post ending in "of" and a head word, then a person's name: "Secretary of State John Kerry" (only the
    # last five places can leave two to four words after the head word)
    for index in range(max(2, len(run) - 5), len(run) - 2):
        rest = run[index + 1:]
        if (run[index - 2].text.casefold() in TITLES and run[index - 1].text == "of"
                and run[index].text.casefold() in TYPE_CUES and _cue_type([t.text for t in rest]) is None
                and all(t.capitalised and t.text.casefold() not in TITLES for t in rest)):
            return [*_split_run(run[:index + 1]), (rest, True)]
    if "and" in words:  # two names: "Wall Street and Main Street", "FBI and State Department"
        index = words.index("and")
        left, right = words[:index], words[index + 1:]
        if ((_cue_type(left) and _cue_type(right)) or (len(left) == 1 and _is_acronym(left[0]))
                or (len(right) == 1 and _is_acronym(right[0]))):
            return _split_run(run[:index]) + _split_run(run[index + 1:])
    if _cue_type(words) is None:
        parts: list[list[_Token]] = []
        current: list[_Token] = []
        for token in run:
            if token.text in CONNECTORS:  # lower-case only: "Ul", "Al", "Bin" belong to the name
                if current:
                    parts.append(current)
                current = []
            else:
                current.append(token)
        if current:
            parts.append(current)
        return [(part, False) for part in parts]
    for index, token in enumerate(run[:-2]):
        rest = run[index + 1:]
        if (TYPE_CUES.get(token.text.casefold()) == "ORG" and 2 <= len(rest) <= 4
                and all(t.capitalised and t.text.casefold() not in TYPE_CUES and t.text.casefold() not in TITLES
                        for t in rest)):
            return [(run[:index + 1], False), (rest, True)]
    return [(run, False)]


def _strip(run: list[_Token], text: str) -> tuple[list[_Token], bool]:
    """Drop leading function words, titles and connectors; returns the rest and whether a title was dropped."""
    had_title = False
    while run:
        # "Interior Ministry", "Foreign Office": a title word before a bare head word names the body
        word = run[0].text.casefold()
        if len(run) == 2 and word in TITLES and run[1].text.casefold() in TYPE_CUES:
            break
        first_part = word.split("-")[0]
        if word in TITLES or first_part in TITLES or word.rstrip(".") in TITLES:  # "Mr.", "Dr.", "Gen."
            had_title = True
        elif not (word in NOT_NAMES or word in CONNECTORS
                  or (_sentence_initial(text, run[0].start) and first_part in NOT_NAMES)):
            break
        run = run[1:]
    # a role after a name ("Taliban Spokesperson") is not part of it
    while run and (run[-1].text.casefold() in CONNECTORS or run[-1].text.casefold() in NOT_NAMES
                   or (len(run) > 1 and run[-1].text.casefold() in TITLES)):
        run = run[:-1]
    return run, had_title


def _words_before(text: str, start: int, count: int = 2) -> list[str]:
    return [w.casefold() for w in re.findall(r"[\w’'-]+", text[max(0, start - 60):start])[-count:]]


def _words_after(text: str, end: int, count: int = 2) -> list[str]:
    return [w.casefold() for w in re.findall(r"[\w’'-]+", text[end:end + 60])[:count]]


def _post_object(text: str, start: int, word: str) -> bool:
    """A lone head word after a title and "of" completes the post: "Secretary of State", "Minister of State"."""
    before = _words_before(text, start, 2)
    return word.casefold() in TYPE_CUES and len(before) == 2 and before[1] == "of" and before[0] in TITLES


# a single word after "on" that a post, a tweet or a statement was made on is a platform (config/lexicon.yaml)
PLATFORM_BEFORE = re.compile(r"\b(?:" + words_pattern(load_lexicon().platform_cues) + r")\b[^.\n]{0,20}\bon\s$")


def _type_of(run: list[_Token], text: str, had_title: bool) -> str | None:
    """The entity type of a candidate name, or None when nothing says it is a name."""
    words = [t.text for t in run]
    start, end = run[0].start, run[-1].end
    cue = _cue_type(words)
    if cue:
        return cue
    after = _words_after(text, end, 2)
    before = _words_before(text, start, 2)
    follows = text[end:end + 3]
    for trailing in (" ".join(after), after[0] if after else ""):  # two words first: "news agency"
        if trailing in TRAILING_TYPE_CUES:
            return TRAILING_TYPE_CUES[trailing]
    if len(words) == 1 and _is_acronym(words[0]):
        return "ORG"
    if len(words) == 1 and before and (before[-1] == "told" or (before[-1] == "on" and PLATFORM_BEFORE.search(
            text, max(0, start - 40), start))):
        return "ORG"  # "told Reuters", "posted on Facebook": a news agency or a platform relays words
    person_like = 2 <= len(words) <= 4 and all((not _is_acronym(w) or (w == words[-1] and w in NAME_SUFFIXES))
                                               and w[:1].isupper() for w in words)
    if person_like and (had_title or (before and (before[-1] in PERSON_CUES_BEFORE or before[-1] in REPORTING_VERBS))):
        return "PERSON"
    # an apposition after a role: "the Russian special envoy for Afghanistan, Zamir Kabulov"
    clause = text[max(0, start - 80):start]
    if person_like and clause.rstrip().endswith(",") and any(
            w.casefold() in TITLES for w in re.findall(r"[\w’'-]+", clause.rsplit(".", 1)[-1])[-6:]):
        return "PERSON"
    if person_like and (follows.startswith(",") and after and (after[0] in TITLES or after[0] in ("a", "the"))
                        or (after and after[0] in REPORTING_VERBS)):
        return "PERSON"
    if before and before[-1] in PLACE_PREPOSITIONS and not _sentence_initial(text, start):
        return "GPE"
    if len(words) == 2 and words[0].casefold() in COMPASS_WORDS:
        return "GPE"  # "South Waziristan", "North Kivu"
    return None


def _acronym_aliases(text: str, spans: list[tuple[int, int, str]]) -> dict[str, str]:
    """An acronym in parentheses right after a name is that name's alias: "Institute for Peace Studies (PIPS)"."""
    aliases = {}
    for start, end, entity_id in spans:
        found = re.match(r" \(([A-Z][A-Z.\-]{1,9})[,;)]", text[end:end + 14])
        if found and _is_acronym(found.group(1)):
            aliases[found.group(1)] = entity_id
    return aliases


def _unique_id(name: str, taken: set[str], reserved: Container[str] = frozenset()) -> str:
    """A slug of ``name`` in neither ``taken`` (then added to it) nor ``reserved`` (the registry's ids)."""
    base = candidate = slug(name)
    number = 2
    while candidate in taken or candidate in reserved:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


_KIND_OF_TYPE = {"PERSON": "A person", "ORG": "An organisation", "GPE": "A place", "LOC": "A location",
                 "FAC": "A facility", "EVENT": "An event", "OTHER": "A name"}
# "Name, the head of X," / "Name, a senior fellow at Y,": the role the article gives a person
APPOSITIVE_ROLE = re.compile(r",\s+((?:a|an|the)\s[^,.;:()“”\"]{3,100}?|[^,.;:()“”\"]{2,80}?)\s*[,.;]")


def _description(text: str, entity_type: str, start: int, end: int) -> str:
    """What the article itself says of a proposed name, for the reviewer to confirm: a person's role in
    apposition ("Name, the head of X,") or as a title before the name ("strategic affairs expert
    Name"), else the kind of entity; always with the words where the name was first seen."""
    excerpt = f"“{_excerpt(text, start, end)}”"
    if entity_type == "PERSON":
        role = None
        after = APPOSITIVE_ROLE.match(text, end, min(len(text), end + 160))
        if after and any(w.casefold() in TITLES for w in re.findall(r"[\w’'-]+", after.group(1))):
            role = _short(after.group(1).strip())
        else:
            window = re.split(r"[.,;:!?\n“”\"()]", text[max(0, start - 60):start])[-1]
            before = re.findall(r"[A-Za-z][\w’'-]*", window)[-5:]
            if before and before[-1].casefold() not in TITLES:
                before = []  # no title right before the name: no role
            kept: list[str] = []
            for word in reversed(before):
                if word.casefold() in NOT_NAMES:
                    break
                kept.insert(0, word)
            role = " ".join(kept) or None
        if role:
            return f"{role[0].upper()}{role[1:]}, as the article describes them: {excerpt}"
    return f"{_KIND_OF_TYPE.get(entity_type, 'A name')} the article names: {excerpt}"


# Descriptions are curators' words, published in the open flavour, which holds no run of twelve words
# of an article (docs/annotation-format.md): what a draft quotes from the article stays shorter.
MAX_QUOTED_WORDS = 11


def _short(words: str) -> str | None:
    """``words`` when fewer than twelve words long, else None."""
    return words if len(words.split()) <= MAX_QUOTED_WORDS else None


def _excerpt(text: str, start: int, end: int, width: int = 60) -> str:
    """The name with up to ``width`` characters of its paragraph on each side, cut at word boundaries,
    then to at most :data:`MAX_QUOTED_WORDS` words around the name."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right == -1 else right
    begin = max(left, start - width)
    finish = min(right, end + width)
    if begin > left:
        begin = text.find(" ", begin, start) + 1 or start
    if finish < right:
        finish = text.rfind(" ", end, finish) if text.rfind(" ", end, finish) != -1 else end
    before = [m.start() for m in re.finditer(r"\S+", text[begin:start])]  # word starts, from begin
    after = [m.end() for m in re.finditer(r"\S+", text[end:finish])]  # word ends, from end
    spare = max(0, MAX_QUOTED_WORDS - len(text[start:end].split()))
    keep_before = min(len(before), spare // 2 + max(0, spare - spare // 2 - len(after)))
    keep_after = min(len(after), spare - keep_before)
    begin = begin + before[len(before) - keep_before] if keep_before else start
    finish = end + after[keep_after - 1] if keep_after else end
    return " ".join(text[begin:finish].split())


def _initials(name: str) -> str:
    """Initials of the capitalised words of a name, hyphenated parts each counted ("Inter-Services" -> IS)."""
    return "".join(part[0] for word in name.split() for part in word.split("-") if part[:1].isupper())


def _after_place_preposition(text: str, start: int, end: int) -> bool:
    """"in Iran." / "from Quetta,": a place, even when its ending looks like a people's adjective."""
    before = _words_before(text, start, 1)
    return bool(before) and before[0] in PLACE_PREPOSITIONS and not re.match(r" [a-z]", text[end:end + 2])


def _listed_places(text: str, untyped: list[tuple[str, int, int]], places: NameMatcher,
                   more_places: dict[str, str]) -> dict[str, tuple[str, int, int]]:
    """Words listed with places are places: "Kazakhstan, Tajikistan and Kyrgyzstan" with one of them known.

    ``places`` matches the registry's places, ``more_places`` (name -> id) are the text's own."""
    found: dict[str, tuple[str, int, int]] = {}
    changed = True
    while changed:
        changed = False
        spans = [(s, e) for s, e, _ in places.match(text, {**more_places, **{n: "place" for n in found}})]
        ends, starts = {e for _s, e in spans}, {s for s, _e in spans}
        for name, start, end in untyped:
            if name in found:
                continue
            before = re.search(r"(?:,|,? and|,? or) $", text[max(0, start - 6):start])
            after = re.match(r"(?:,| and| or),? ", text[end:end + 6])
            if (before and start - len(before.group(0)) in ends) or (after and end + len(after.group(0)) in starts):
                found[name] = ("GPE", start, end)
                changed = True
    return found


def _inside_longer(spans: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether a longer span of ``spans`` (sorted, as the matcher returns them: not overlapping) holds start..end."""
    index = bisect_right(starts, start) - 1
    while index >= 0:
        s, e = spans[index]
        if s <= start and end <= e and (e - s) > (end - start):
            return True
        if e <= start:
            return False  # spans do not overlap: one that ends before start leaves none further back
        index -= 1
    return False


def _without_positional_capital(part: list[_Token], text: str, had_title: bool, lower_words: Container[str],
                                registry_starts: Container[int]) -> tuple[list[_Token], bool]:
    """A name of several words opening a sentence, without its first word when that word is capitalised by
    its position only ("Tension Amir X said", "Road Kabul"); returns the part and whether a title was dropped.

    The rest is the name when a registry name starts it ("Water Bisham attack"), when the first word never
    opens a name ("Near X Council"), or when the rest is a name of its own: two words or more with no head
    word (a head word after a common word makes that word its modifier: "Federal ... Agency", "Border
    Security Force"). A lone head word is no name ("Interior Ministry" stays whole)."""
    first = part[0].text
    never_opens = _never_opens_a_name(first)
    if not (never_opens or _capitalised_by_position(first, lower_words)):
        return part, had_title
    rest, rest_title = _strip(part[1:], text)
    if rest and not (len(rest) == 1 and rest[0].text.casefold() in TYPE_CUES) and (
            rest[0].start in registry_starts or never_opens
            or (len(rest) >= 2 and _cue_type([t.text for t in rest]) is None)):
        return rest, had_title or rest_title
    return part, had_title


def _candidates(text: str, registry_spans: list[tuple[int, int, str]],
                index: RegistryIndex) -> dict[str, tuple[str, int, int]]:
    """Names the registry lacks: name -> (type, start, end) of its first occurrence.

    ``index`` gives the registry's names (casefolded: ``known``), its places, for places listed with
    them, and its persons, whose first and last names used alone are theirs, not new persons.
    """
    known = index.known
    headlines = sorted(_headline_paragraphs(text))
    headline_starts = [s for s, _e in headlines]
    # registry spans by end, and sorted by start: the look-ups below stay logarithmic on long texts
    starts_ending_at: dict[int, list[int]] = {}
    for s, e, _ in registry_spans:
        starts_ending_at.setdefault(e, []).append(s)
    by_start = sorted((s, e) for s, e, _ in registry_spans)
    registry_starts = [s for s, _e in by_start]
    registry_start_set = set(registry_starts)
    untyped: list[tuple[str, int, int]] = []
    lower_words = set(re.findall(r"\b[a-z][a-z’'-]+\b", text))  # words the text writes in lower case
    # capitalised words that speak alone ("Farouk said", "Mr. Farouk"): the surnames of people
    speaking = {m.group(1) or m.group(2) for m in SPEAKING_WORD.finditer(text)} - {None}
    candidates: dict[str, tuple[str, int, int]] = {}
    seen: set[str] = set()  # casefolded names already proposed
    for run in _runs(text, _tokens(text)):
        heading = bisect_right(headline_starts, run[0].start) - 1
        if heading >= 0 and run[0].start < headlines[heading][1]:
            continue  # in a title-case heading capitals say nothing about names
        for part, after_organisation in _split_run(run):
            written_start = part[0].start  # before a leading connector is stripped ("Rev. Al Sharpton")
            part, had_title = _strip(part, text)
            if len(part) > 1 and _sentence_initial(text, part[0].start):
                part, had_title = _without_positional_capital(part, text, had_title, lower_words, registry_start_set)
            if not part:
                continue
            words = [t.text for t in part]
            start, end = part[0].start, part[-1].end
            place = len(words) == 1 and _after_place_preposition(text, start, end)
            if not place and all(_is_nationality(w) or w.casefold() in NOT_NAMES for w in words):
                continue
            if all(_is_post(w) for w in words):
                continue  # a post or title alone ("Foreign Minister", "Spokesman", "Envoys") is no entity
            if len(words) == 1 and (_nationality_compound(words[0]) or _post_object(text, start, words[0])):
                continue  # "Afghan-Pakistan border"; the "State" of "Secretary of State"
            if len(words) == 1 and (words[0] in COMMON_ABBREVIATIONS or len(words[0].rstrip(".")) == 1):
                continue  # "CEO", "TV"; a lone initial
            if len(words) == 1 and words[0].casefold().rstrip(".") in MONTH_NAMES and DAY_AFTER.match(text, end):
                continue  # a month before a day is a date ("Nov 30", "Sept. 4"), whatever the abbreviation
            honorific = re.search(r"\b([A-Za-z]+)\.?\s$", text[max(0, written_start - 8):written_start])
            if honorific and honorific.group(1).casefold() in HONORIFICS:
                had_title = True  # "Mr. Adeyemi": the full stop of the honorific split the run
            speaker_word = len(words) == 1 and _single_word_speaker(text, start, end, words[0], had_title,
                                                                     lower_words)
            if len(words) == 1 and _sentence_initial(text, start) and not _is_acronym(words[0]) and \
                    (not speaker_word or _capitalised_by_position(words[0], lower_words)):
                continue  # a capitalised first word says nothing; a common noun there is no speaker ("Tension said")
            # a nationality word before a name is a description ("Pakistani Taliban" aside, which the registry knows)
            # (a word only guessed a nationality by its ending is a first name when a cue makes the pair a
            # person: "said Chris Low", "attorney Alan Garten said")
            # (and so is the first name of a registry person: "Imran" ends like "Afghan")
            if _is_nationality(words[0]) and len(words) == 2 and _cue_type(words) is None and \
                    (words[0].casefold() in NATIONALITIES or
                     (_type_of(part, text, had_title) != "PERSON" and not index.first_names[words[0]])):
                continue
            if _cue_type(words) is None and any(s > start for s in starts_ending_at.get(end, ())):
                continue  # a stray capitalised word before a known name ("Archrival India")
            if _inside_longer(by_start, registry_starts, start, end):
                continue  # inside a longer registry match, the registry wins
            entity_type = _type_of(part, text, had_title or after_organisation) or \
                (_speaker_type(text, start, end) if speaker_word else None)
            if entity_type is None and 2 <= len(words) <= 3 and words[-1] in speaking and \
                    words[0].casefold() not in COMPASS_WORDS and all(w[:1].isupper() for w in words):
                entity_type = "PERSON"  # "Amina Farouk chaired ...; Farouk said": the surname speaks alone
            if entity_type is None and 2 <= len(words) <= 3 and index.first_names[words[0]] and \
                    all(w[:1].isupper() and not _is_acronym(w) for w in words) and words[-1].casefold() not in NATIONALITIES:
                entity_type = "PERSON"  # "Imran Afridi met ...": a registry person's first name opens it, no cue needed
            following = re.match(r" ([a-z]+)\b", text[end:end + 20])
            if following and TRAILING_TYPE_CUES.get(following.group(1)) in ("EVENT", "FAC"):
                end = end + 1 + len(following.group(1))  # the head noun is part of the name: "Bisham attack"
            name = text[start:end]
            if entity_type and name.casefold() not in known and name.casefold() not in seen:
                candidates[name] = (entity_type, start, end)
                seen.add(name.casefold())
            elif entity_type is None and len(words) == 1 and not _is_acronym(name):
                untyped.append((name, start, end))
    listed = _listed_places(text, [u for u in untyped if u[0].casefold() not in known and u[0].casefold() not in seen],
                            index.places_matcher, {n: "place" for n, c in candidates.items() if c[0] == "GPE"})
    candidates.update(listed)
    candidates.update(_datelines(text, (known, {n.casefold() for n in listed}), candidates))
    # a single word typed a place by its preposition that is the first or last name of a person named
    # in the text ("in Clinton's view") is that person (a surname becomes an alias), not a place
    surnames = {part for name, (entity_type, _s, _e) in candidates.items()
                if entity_type == "PERSON" and " " in name for part in (name.split()[0], name.split()[-1])}
    present = {entity_id for _s, _e, entity_id in registry_spans}
    people = [index.people_by_id[entity_id] for entity_id in present if entity_id in index.people_by_id]
    surnames |= {part for person in people if " " in person.name
                 for part in (person.name.split()[0], person.name.split()[-1])}
    # a single word that speaks ("Okafor said") and is the first or last name of a person named in the
    # text is that person too: it becomes a surname alias, not an entity of its own
    # and a lone word that ends a longer place or body ("Kivu" of "North Kivu") is no person
    tails = {name.split()[-1] for name, (entity_type, _s, _e) in candidates.items()
             if entity_type != "PERSON" and " " in name}
    # a person's surname followed by another capitalised word ("Hasan Voa said" after "Raoof Hasan") is that
    # person, not a new one: a first name is rarely the surname of someone named before
    surname_first_seen: dict[str, int] = {}  # a surname -> where its first multi-word person starts
    for name, found in candidates.items():
        if found[0] == "PERSON" and " " in name:
            surname = name.split()[-1]
            surname_first_seen[surname] = min(found[1], surname_first_seen.get(surname, found[1]))
    return {name: found for name, found in candidates.items()
            if not (found[0] in ("GPE", "PERSON") and " " not in name and name in surnames)
            and not (found[0] == "PERSON" and " " not in name and name in tails)
            and not (found[0] == "PERSON" and " " in name and
                     surname_first_seen.get(name.split()[0], found[1]) < found[1])}


HONORIFICS = load_lexicon().honorifics
# finite speech verbs next to a lone capitalised word that make it a person ("Okafor said", "says Varga"):
# config/lexicon.yaml, lone_name_cue_verbs
SPEAKER_VERBS_AFTER = load_lexicon().lone_name_cue_verbs
SPEAKING_WORD = re.compile(r"(?<![\w.])([A-Z][a-z][\w’'-]+) (?:" + words_pattern(SPEAKER_VERBS_AFTER) + r")\b|"
                           r"\b(?:" + words_pattern({h.capitalize() for h in HONORIFICS}) + r")\.? ([A-Z][a-z][\w’'-]+)")


# after "X said", a body's possessive: "Vantexa said its profits" ("it would" is as often "it" of a person's
# clause: "Nadler said it was a mistake")
_BODY_AFTER_SPEAKING = re.compile(r"\s+(?:\w+\s+)?(?:that\s+)?its\b")


def _speaker_type(text: str, start: int, end: int) -> str:
    """A lone capitalised word that speaks is a person, unless "the" stands before it ("the Pentagon
    said") or the clause it says opens with a body's pronoun ("Vantexa said its profits would fall")."""
    if re.search(r"\b[Tt]he\s+$", text[max(0, start - 5):start]) or _BODY_AFTER_SPEAKING.match(text, end):
        return "ORG"
    return "PERSON"


def _single_word_speaker(text: str, start: int, end: int, word: str, had_title: bool, lower_words: set[str]) -> bool:
    """A lone capitalised word that names a person: after an honorific ("Mr. Adeyemi"), or the subject
    or inverted subject of a speech verb ("Okafor said", "says Varga."), and never written in lower
    case in the text (so "Police said" is no person)."""
    low = word.casefold()
    if _is_acronym(word) or low in NOT_NAMES or _is_post(word) or _is_nationality(word) or low in lower_words \
            or low in CONNECTORS or not word[:1].isupper() or not word[1:2].islower():
        return False
    if had_title:
        return True
    after = _words_after(text, end, 1)
    before = _words_before(text, start, 1)
    if after and after[0] in SPEAKER_VERBS_AFTER and text[end:end + 1] == " ":
        return True
    # inverted: the verb right before, one space between ("says Varga."), not across a quote mark
    return bool(before and before[0] in SPEAKER_VERBS_AFTER and text[start - 1:start] == " " and
                text[max(0, start - 1 - len(before[0])):start - 1].casefold() == before[0] and
                re.match(r"[.,;]", text[end:end + 1]))


@dataclass(frozen=True)
class RegistryIndex:
    """The look-ups the drafter needs of a registry, built once per run (not once per article).

    Nothing the drafter does per article may copy or walk one of these: a text's own names (proposed
    entities, local aliases) are passed to the matchers as extra names, and its people are looked up by
    the ids matched in it, so the cost of an article does not grow with the registry.
    """

    registry: dict[str, Entity]
    size: int
    names: dict[str, str]  # every name and alias -> entity id, in registry order
    known: frozenset[str]  # the names casefolded
    places: dict[str, str]  # names of GPEs -> entity id
    people: tuple[Entity, ...]
    matcher: NameMatcher  # over ``names``
    places_matcher: NameMatcher  # over ``places``
    people_by_id: dict[str, Entity]  # the persons, by id
    people_rank: dict[str, int]  # a person's id -> its position in ``people`` (registry order)
    first_names: Counter[str]  # the first words of the persons' names of two words or more


_LAST_INDEX: list[RegistryIndex] = []  # the index of the registry drafted with last (a run drafts with one)


def registry_index(registry: dict[str, Entity]) -> RegistryIndex:
    """The index of ``registry``, reused while the same registry object (of the same size) is given."""
    if _LAST_INDEX and _LAST_INDEX[0].registry is registry and _LAST_INDEX[0].size == len(registry):
        return _LAST_INDEX[0]
    names = {name: e.entity_id for e in registry.values() for name in e.names}
    places = {name: e.entity_id for e in registry.values() if e.type == "GPE" for name in e.names}
    people = tuple(e for e in registry.values() if e.type == "PERSON")
    index = RegistryIndex(
        registry=registry, size=len(registry), names=names, known=frozenset(name.casefold() for name in names),
        places=places, people=people, matcher=NameMatcher(names), places_matcher=NameMatcher(places),
        people_by_id={e.entity_id: e for e in people},
        people_rank={e.entity_id: rank for rank, e in enumerate(people)},
        first_names=Counter(e.name.split()[0] for e in people if len(e.name.split()) >= 2))
    _LAST_INDEX[:] = [index]
    return index


def propose_entities(text: str, registry: dict[str, Entity]) -> DraftedEntities:
    """Names the registry lacks, as new entities with a type, plus local aliases."""
    index = registry_index(registry)
    registry_spans = index.matcher.match(text)
    candidates = _candidates(text, registry_spans, index)

    taken: set[str] = set()  # ids given to this text's proposals (the registry's are reserved)
    drafted = DraftedEntities()
    acronyms = {n: c for n, c in candidates.items() if _is_acronym(n)}
    by_name: dict[str, Entity] = {}
    for name, (entity_type, start, end) in sorted(candidates.items(), key=lambda c: c[1][1]):
        if name in acronyms:
            continue
        singular = by_name.get(name[:-1]) if name.endswith("s") else None
        if singular is not None and singular.type == entity_type:
            singular.aliases.append(name)  # "Bisham attacks" after "Bisham attack"
            continue
        drafted.entities.append(Entity(
            entity_id=_unique_id(name, taken, registry), name=name, type=entity_type, aliases=[],
            description=_description(text, entity_type, start, end)))
        by_name[name] = drafted.entities[-1]
    proposed_by_id = {e.entity_id: e for e in drafted.entities}
    spans = index.matcher.match(text, {e.name: e.entity_id for e in drafted.entities})
    in_parentheses = _acronym_aliases(text, spans)
    present = {entity_id: text[s:e] for s, e, entity_id in spans}
    for acronym, (entity_type, start, end) in sorted(acronyms.items(), key=lambda c: c[1][1]):
        # its owner: the name right before "(ACRONYM", else a name of the text with these initials
        owner = in_parentheses.get(acronym) or next(
            (i for i, surface in present.items() if len(surface.split()) > 1 and _initials(surface) == acronym), None)
        if owner in proposed_by_id:
            proposed_by_id[owner].aliases.append(acronym)
        elif owner is not None:
            drafted.local_aliases[acronym] = owner
        else:
            drafted.entities.append(Entity(
                entity_id=_unique_id(acronym, taken, registry), name=acronym, type=entity_type, aliases=[],
                description=_description(text, entity_type, start, end)))
    own_names = {**{n: e.entity_id for e in drafted.entities for n in e.names}, **drafted.local_aliases}
    drafted.local_aliases.update(_surname_aliases(text, index, drafted, own_names))
    return drafted


def _datelines(text: str, known: tuple[Container[str], ...],
               candidates: dict[str, tuple[str, int, int]]) -> dict[str, tuple[str, int, int]]:
    """Place names of a dateline ("PESHAWAR, PAKISTAN –") at the start of a paragraph, unless a set of
    ``known`` holds them casefolded."""
    found: dict[str, tuple[str, int, int]] = {}
    for match in DATELINE.finditer(text):
        for word in re.finditer(r"[A-Z]{3,}", match.group(1)):
            name = word.group(0)
            if not any(name.casefold() in names for names in known):
                # a dateline names a place, whatever type another cue proposed for the same capitals
                start = match.start(1) + word.start()
                first = candidates[name][1:] if name in candidates else (start, start + len(name))
                found[name] = ("GPE", first[0], first[1])
    return found


def _word_occurrences(text: str, word: str, start: int) -> list[int]:
    """Starts of ``word`` as a whole word in text[start:] (a plain scan: no per-name pattern to compile)."""
    found = []
    position = text.find(word, start)
    while position >= 0:
        before = text[position - 1:position]
        after = text[position + len(word):position + len(word) + 1]
        if not (before.isalnum() or before in "_-" and before) and not (after.isalnum() or after in "_-" and after):
            found.append(position)
        position = text.find(word, position + len(word))
    return found


def _surname_aliases(text: str, index: RegistryIndex, drafted: DraftedEntities,
                     own_names: dict[str, str]) -> dict[str, str]:
    """A person's last name (or a first name no other person shares) used alone after the full name
    ("Rahimi said", "Nadia said") is a local alias.

    ``own_names`` are the text's names beside the registry's (its proposals and local aliases)."""
    spans = index.matcher.match(text, own_names)
    first_seen = {entity_id: start for start, _end, entity_id in reversed(spans)}
    proposed_people = [e for e in drafted.entities if e.type == "PERSON"]
    # the persons the text names: the registry's in registry order, then the proposed ones
    people = [*sorted((index.people_by_id[i] for i in first_seen if i in index.people_by_id),
                      key=lambda person: index.people_rank[person.entity_id]),
              *(e for e in proposed_people if e.entity_id in first_seen)]
    aliases: dict[str, str] = {}
    own_known = {name.casefold() for name in own_names}

    def known(word: str) -> bool:
        return word.casefold() in index.known or word.casefold() in own_known

    for person in people:
        parts = person.name.split()
        if len(parts) < 2:
            continue
        surname = parts[-1]
        if known(surname) or surname in aliases:
            continue
        later = [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(surname)}(?![\w-])", text)
                 if m.start() > first_seen[person.entity_id]]
        # alone: not inside another name, and not after a capitalised word (part of a longer name)
        alone = [s for s in later if not any(a <= s < b for a, b, _ in spans)
                 and not re.search(r"[A-Z][\w’'-]* $", text[max(0, s - 30):s])]
        if alone:
            aliases[surname] = person.entity_id
    # a first name used alone ("Nadia" after "Nadia Rahimi") when no other person shares it
    proposed_first_names = Counter(e.name.split()[0] for e in proposed_people if len(e.name.split()) >= 2)
    for person in people:
        parts = person.name.split()
        if len(parts) < 2 or index.first_names[parts[0]] + proposed_first_names[parts[0]] > 1:
            continue
        given = parts[0]
        if known(given) or given in aliases or given.casefold().rstrip(".") in TITLES or \
                len(given.rstrip(".")) < 3:
            continue
        later = _word_occurrences(text, given, first_seen[person.entity_id] + 1)
        # alone: not inside a name, not before or after another capitalised word
        alone = [s for s in later if not any(a <= s < b for a, b, _ in spans)
                 and not re.match(r"\s+[A-Z]", text[s + len(given):s + len(given) + 3])
                 and not re.search(r"[A-Z][\w’'-]* $", text[max(0, s - 30):s])]
        if alone:
            aliases[given] = person.entity_id
    return aliases


def draft_mentions(text: str, registry: dict[str, Entity]) -> tuple[list[dict], DraftedEntities]:
    """Mentions of ``text``: registry names first, then proposed entities and local aliases.

    Returns (mentions, proposed): each mention is a dict with start, end, text,
    entity_id, type and origin ("matched"); ``proposed`` holds the new
    entities and the source-local aliases the mentions rely on.
    """
    drafted = propose_entities(text, registry)
    proposed = {e.entity_id: e for e in drafted.entities}
    own_names = {name: e.entity_id for e in drafted.entities for name in e.names}
    own_names.update(drafted.local_aliases)
    mentions = [
        {"start": start, "end": end, "text": text[start:end], "entity_id": entity_id,
         "type": (proposed.get(entity_id) or registry[entity_id]).type, "origin": "matched"}
        for start, end, entity_id in registry_index(registry).matcher.match(text, own_names)
    ]
    return mentions, drafted
