"""Draft the metadata of one raw article: site profile, title, byline, date, publisher.

Takes the decoded raw text of an article and the site profiles of
``config/sites.yaml``; returns the profile whose header rules match the file
(else ``plain``) with the :class:`scripts.normalise.Normalised` result, and
a dict of the metadata fields of an annotation file (title, publisher,
original_publisher, authors, published_date, date_precision, date_basis,
date_note, language, url, quality_flags, notes) read from the lines the
normaliser removed and from the text. Rules follow section 1 and the
"Text and sources" decisions of section 6 of the guidelines: a date line is
a stated date, a file stamp a metadata date, a weekday with a day and month
gives an inferred date only when one year mentioned in the text fits; no
date is invented.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from scripts.drafter.lexicon import load_lexicon
from scripts.errors import BuildError
from scripts.normalise import Normalised, SiteProfile, normalise_text

FALLBACK_PROFILE = "plain"
WEB_ADDRESS = re.compile(r"(?:www\.[\w.-]+|[\w.-]+@[\w.-]+\.\w+|https?://[\w.-]+)")
# "exclusively for the online magazine “New Eastern Outlook”", "written for Foreign Policy"
WRITTEN_FOR = re.compile(
    r"(?:exclusively|especially|specially|written|originally published)\s+(?:\w+\s+){0,2}?for\s+"
    r"(?:the\s+)?(?:(?:online\s+)?(?:magazine|journal|newspaper|outlet|website|site)\s+)?"
    r"[“\"‘']?(?P<outlet>[A-Z][\w&.’'-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w&.’'-]*)*)")
MONTHS = {m: i for i, m in enumerate(load_lexicon().months, start=1)}  # config/lexicon.yaml
WEEKDAYS = load_lexicon().weekdays
WEEKDAY_DATE = re.compile(rf"\b(?P<weekday>{'|'.join(WEEKDAYS)}),?\s+(?P<month>{'|'.join(MONTHS)})\s+(?P<day>\d{{1,2}})\b"
                          r"(?!,?\s+\d{4})", re.IGNORECASE)
YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
ENGLISH_WORDS = frozenset(("the", "and", "of", "to", "in", "that", "is", "was", "for", "on", "with", "as", "by"))


def _header_matches_first_line(raw: str, profile: SiteProfile) -> bool:
    """Whether the first non-blank line of the file is one the profile's header rules know."""
    first = next((line.strip() for line in raw.replace("\r", "\n").split("\n") if line.strip()), "")
    for rule in profile.header:
        found = rule.pattern.match(first) if rule.prefix else rule.pattern.fullmatch(first)
        if found:
            return True
    return False


def choose_profile(raw: str, profiles: dict[str, SiteProfile]) -> tuple[SiteProfile, Normalised]:
    """The profile whose header rules match the file and which normalises it, else ``plain``.

    When several match, the one that removes most lines wins (it knows the site best).
    """
    best: tuple[int, str, SiteProfile, Normalised] | None = None
    for site_id, profile in sorted(profiles.items()):
        if site_id == FALLBACK_PROFILE or not profile.header or not _header_matches_first_line(raw, profile):
            continue
        try:
            normalised = normalise_text(raw, profile)
        except BuildError:
            continue  # e.g. the profile expects a Markdown heading the file lacks
        if normalised.text and (best is None or len(normalised.removed_lines) > best[0]):
            best = (len(normalised.removed_lines), site_id, profile, normalised)
    if best is not None:
        return best[2], best[3]
    if FALLBACK_PROFILE not in profiles:
        raise BuildError(f"config/sites.yaml: no '{FALLBACK_PROFILE}' profile to fall back on")
    profile = profiles[FALLBACK_PROFILE]
    return profile, normalise_text(raw, profile)


def _parse_date(value: str, formats: tuple[str, ...]) -> str | None:
    for date_format in ("%Y-%m-%d", *formats, "%B %d, %Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(value.strip(), date_format).date().isoformat()
        except ValueError:
            continue
    return None


def _date(normalised: Normalised, profile: SiteProfile) -> dict[str, Any]:
    """The publication date: a date line, else the file's stamp, else a weekday date that one year fits."""
    lines = normalised.metadata
    for value in lines.get("date", []):
        parsed = _parse_date(value, profile.date_formats)
        if parsed:
            others = [v for v in lines.get("date", []) + lines.get("signature", []) if v != value]
            note = f"{value} is the first date line of the file"
            note += f"; other dated lines: {'; '.join(others)}" if others else ""
            return {"published_date": parsed, "date_precision": "day", "date_basis": "stated", "date_note": note}
    for value in lines.get("date_stamp", []):
        parsed = _parse_date(value, ())
        if parsed:
            return {"published_date": parsed, "date_precision": "day", "date_basis": "metadata",
                    "date_note": f'From the "date {value}" stamp supplied with the file.'}
    return _inferred_date(normalised.text)


def _inferred_date(text: str) -> dict[str, Any]:
    """"on Thursday, November 14": the year is inferred only when exactly one year near those of the text fits."""
    unknown = {"published_date": None, "date_precision": None, "date_basis": "unknown",
               "date_note": "Drafted: the file has no date line or stamp and the text states no full date."}
    found = WEEKDAY_DATE.search(text)
    years = sorted({int(y) for y in YEAR.findall(text)})
    if not found or not years:
        return unknown
    month, day = MONTHS[found.group("month").casefold()], int(found.group("day"))
    weekday = WEEKDAYS.index(found.group("weekday").casefold())
    # the article is written in or after the latest year it mentions
    candidates = [y for y in range(years[-1], years[-1] + 2) if _weekday(y, month, day) == weekday]
    if len(candidates) != 1:
        return unknown
    return {"published_date": dt.date(candidates[0], month, day).isoformat(), "date_precision": "day",
            "date_basis": "inferred",
            "date_note": (f"Drafted inference: the text reports an event \"{found.group(0)}\"; that day fell on a "
                          f"{found.group('weekday')} in {candidates[0]}, the latest year the text mentions or the "
                          "next. Review before publishing.")}


def _weekday(year: int, month: int, day: int) -> int | None:
    try:
        return dt.date(year, month, day).weekday()
    except ValueError:
        return None


def _publisher(normalised: Normalised, profile: SiteProfile) -> str | None:
    """The site's name when the file's own furniture names the site (its address or e-mail)."""
    furniture = [line for line in normalised.removed_lines if WEB_ADDRESS.search(line)]
    return profile.name if furniture else None


def _original_publisher(normalised: Normalised) -> str | None:
    """The outlet a biography says the text was written for."""
    for line in normalised.metadata.get("biography", []):
        found = WRITTEN_FOR.search(line)
        if found:
            return found.group("outlet").rstrip(".”\"’'")
    return None


def _reads_as_english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.casefold())
    return sum(w in ENGLISH_WORDS for w in words) / max(1, len(words)) >= 0.05


def draft_metadata(normalised: Normalised, profile: SiteProfile) -> dict[str, Any]:
    """The metadata fields of an annotation file, drafted from what the normaliser removed and the text."""
    lines = normalised.metadata
    notes = []
    if lines.get("biography"):
        notes.append("Author biography (moved out of the text): " + " ".join(lines["biography"]))
    if lines.get("legend"):
        notes.append("Legend removed from the text: " + " ".join(lines["legend"]))
    if lines.get("signature"):
        notes.append("Author's signature: " + "; ".join(lines["signature"]))
    # the drafter's rules are for English; another language is flagged for the reviewer, not guessed
    if not _reads_as_english(normalised.text):
        notes.append("The text does not read as English: set the language code.")
    return {
        "title": normalised.title,
        "publisher": _publisher(normalised, profile),
        "original_publisher": _original_publisher(normalised),
        "authors": list(dict.fromkeys(lines.get("byline", []))),
        **_date(normalised, profile),
        "language": "en",
        "url": None,
        "quality_flags": [],
        "notes": " ".join(notes) or None,
    }
