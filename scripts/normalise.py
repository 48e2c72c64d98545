"""Normalise a raw article into the text every annotation points into.

Takes the raw bytes of one article (``data/raw/<file>``) and the profile of
the site it comes from (``config/sites.yaml``); returns a :class:`Normalised`
holding the normalised text (title, blank line, body paragraphs separated by
one blank line, NFC), the title on its own, and the lines that were removed,
sorted into furniture and metadata (bylines, dates, biographies, legends).

:func:`decode_raw` is the one test of a raw file's bytes (not empty, no NUL or
other control byte anywhere, UTF-8), for the build and the drafter alike.
The rules are section 1 of ``docs/annotation-guidelines.md``. Site-specific
knowledge lives in the site profile, never here: this module only applies it,
plus the Markdown/HTML clean-up every site shares. The function is
deterministic, and normalising a normalised text with the ``plain`` profile
gives the same text back (idempotence).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scripts.errors import BuildError
from scripts.strict_yaml import load_yaml

SITES_PATH = Path(__file__).resolve().parent.parent / "config" / "sites.yaml"

TITLE_MODES = ("heading", "first_line", "none")
RULE_KINDS = ("furniture", "byline", "date", "date_stamp", "signature", "biography", "legend")

# A paragraph that ends without one of these and is followed by a paragraph
# starting in lower case was split by the page layout (a page break in the
# middle of a sentence); the two halves are joined again.
SENTENCE_END = tuple('.!?:;…"”’\')]')

HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")
MARKDOWN_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
MARKDOWN_ITALIC = re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?![\w*])")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
HORIZONTAL_RULE = re.compile(r"^(?:[*\-_]\s*){3,}$")
# Bytes a text file never holds: the C0 controls but tab, line feed, carriage return and form feed (a page
# break of text taken from a PDF), and DEL. In UTF-8 they only ever stand for themselves.
CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0b\x0e-\x1f\x7f]")
SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")


@dataclass(frozen=True)
class Rule:
    """One header or footer rule of a site profile."""

    kind: str
    pattern: re.Pattern[str]
    why: str
    prefix: bool = False


@dataclass(frozen=True)
class SiteProfile:
    """What the normaliser knows about one site (an entry of sites.yaml)."""

    site_id: str
    name: str
    header: tuple[Rule, ...]
    footer: tuple[Rule, ...]
    title: str
    footnote_markers: tuple[str, ...]
    date_formats: tuple[str, ...] = ()


@dataclass
class Normalised:
    """The result of normalising one article."""

    text: str
    title: str | None
    metadata: dict[str, list[str]] = field(default_factory=dict)
    removed_lines: list[str] = field(default_factory=list)


def _rule(site_id: str, where: str, index: int, entry: dict[str, Any]) -> Rule:
    context = f"{SITES_PATH.name}: site {site_id!r}, {where} rule {index + 1}"
    kind = entry.get("kind")
    if kind not in RULE_KINDS:
        raise BuildError(f"{context}: field 'kind' is {kind!r}; expected one of {', '.join(RULE_KINDS)}")
    try:
        pattern = re.compile(str(entry["pattern"]))
    except KeyError:
        raise BuildError(f"{context}: field 'pattern' is missing") from None
    except re.error as exc:
        raise BuildError(f"{context}: field 'pattern' is not a valid regular expression: {exc}") from None
    return Rule(kind=kind, pattern=pattern, why=str(entry.get("why", "")), prefix=bool(entry.get("prefix", False)))


def load_site_profiles(path: Path = SITES_PATH) -> dict[str, SiteProfile]:
    """Read every site profile of ``config/sites.yaml``."""
    document = load_yaml(path)
    profiles: dict[str, SiteProfile] = {}
    for site_id, entry in sorted((document or {}).get("sites", {}).items()):
        title = entry.get("title")
        if title not in TITLE_MODES:
            raise BuildError(f"{path.name}: site {site_id!r}: field 'title' is {title!r}; expected one of {TITLE_MODES}")
        profiles[site_id] = SiteProfile(
            site_id=site_id,
            name=str(entry.get("name", site_id)),
            header=tuple(_rule(site_id, "header", i, r) for i, r in enumerate(entry.get("header") or [])),
            footer=tuple(_rule(site_id, "footer", i, r) for i, r in enumerate(entry.get("footer") or [])),
            title=title,
            footnote_markers=tuple(entry.get("footnote_markers") or []),
            date_formats=tuple(entry.get("date_formats") or []),
        )
    return profiles


def _match_rule(rules: tuple[Rule, ...], line: str) -> tuple[Rule, re.Match[str]] | None:
    for rule in rules:
        found = rule.pattern.match(line) if rule.prefix else rule.pattern.fullmatch(line)
        if found:
            return rule, found
    return None


def _take_metadata(result: Normalised, rule: Rule, found: re.Match[str]) -> None:
    result.removed_lines.append(found.group(0).strip())
    if rule.kind != "furniture":
        value = found.groupdict().get("value") or found.group(0)
        result.metadata.setdefault(rule.kind, []).append(value.strip())


def _strip_header_and_footer(lines: list[str], profile: SiteProfile, result: Normalised) -> list[str]:
    """Remove the leading and trailing furniture and metadata lines."""
    body = [line for line in lines if line]
    while body:
        matched = _match_rule(profile.header, body[0])
        if matched is None:
            break
        rule, found = matched
        _take_metadata(result, rule, found)
        rest = body[0][found.end():].strip() if rule.prefix else ""
        body = ([rest] if rest else []) + body[1:]
    footer: list[tuple[Rule, re.Match[str]]] = []
    while body:
        matched = _match_rule(profile.footer, body[-1])
        if matched is None:
            break
        footer.append(matched)
        body.pop()
    for rule, found in reversed(footer):  # keep document order in the metadata
        _take_metadata(result, rule, found)
    return body


def clean_inline(line: str, footnote_markers: tuple[str, ...] = ()) -> str:
    """Strip footnote markers, HTML tags and Markdown from one line."""
    for marker in footnote_markers:
        line = line.replace(marker, "")
    line = MARKDOWN_HEADING.sub("", line)
    line = HTML_TAG.sub("", line)
    line = MARKDOWN_LINK.sub(r"\1", line)
    line = MARKDOWN_BOLD.sub(r"\2", line)
    line = MARKDOWN_ITALIC.sub(r"\1", line)
    line = MARKDOWN_ESCAPE.sub(r"\1", line)
    return SPACES.sub(" ", line).strip()


def _join_split_paragraphs(paragraphs: list[str]) -> list[str]:
    joined: list[str] = []
    for paragraph in paragraphs:
        if joined and not joined[-1].endswith(SENTENCE_END) and paragraph[:1].islower():
            joined[-1] = f"{joined[-1]} {paragraph}"
        else:
            joined.append(paragraph)
    return joined


def normalise_text(raw: str, profile: SiteProfile) -> Normalised:
    """Normalise the decoded text of one article with its site profile."""
    result = Normalised(text="", title=None)
    text = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.strip() for line in text.split("\n")]
    body = _strip_header_and_footer(lines, profile, result)

    title: str | None = None
    if profile.title == "heading":
        if not body or not MARKDOWN_HEADING.match(body[0]):
            first = body[0] if body else "(nothing)"
            raise BuildError(f"site {profile.site_id!r} expects a Markdown heading as the title; the article starts with {first[:60]!r}")
        title = clean_inline(body.pop(0), profile.footnote_markers)
    elif profile.title == "first_line" and body:
        title = clean_inline(body.pop(0), profile.footnote_markers)

    paragraphs = [clean_inline(line, profile.footnote_markers) for line in body]
    paragraphs = [p for p in paragraphs if p and not HORIZONTAL_RULE.match(p)]
    paragraphs = _join_split_paragraphs(paragraphs)
    result.title = title or None
    result.text = "\n\n".join(([title] if title else []) + paragraphs)
    return result


def decode_raw(data: bytes, path: Path | str) -> str:
    """The text of a raw article's bytes; a BuildError names the file when they are not an article's text.

    The one test of a raw file, for the build and the drafter alike: not empty, no NUL byte and no other
    control byte (:data:`CONTROL_BYTES`) anywhere in the file, UTF-8.
    """
    if not data.strip():
        raise BuildError(f"{path}: the file is empty")
    nul = data.find(b"\x00")
    if nul != -1:
        raise BuildError(f"{path}: a binary file (NUL byte at {nul}), not an article")
    control = CONTROL_BYTES.search(data)
    if control:
        raise BuildError(f"{path}: control byte 0x{control.group()[0]:02x} at byte {control.start()}, which no "
                         "article text holds (only tab, line feed, carriage return and form feed are allowed)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BuildError(f"{path}: not UTF-8 at byte {exc.start}") from None


def normalise_file(path: Path, profile: SiteProfile) -> Normalised:
    """Read one raw article and normalise it; errors name the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"{path}: cannot be read: {exc.strerror}") from None
    raw = decode_raw(data, path)
    try:
        result = normalise_text(raw, profile)
    except BuildError as exc:
        raise BuildError(f"{path}: {exc}") from None
    if not result.text or result.text == result.title:
        raise BuildError(f"{path}: nothing is left after removing the site furniture of {profile.site_id!r}: "
                         "no article body")
    return result
