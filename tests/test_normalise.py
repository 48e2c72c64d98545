"""The normaliser: properties every raw file must have, the quirks of the curated raw files, idempotence,
nothing of the body lost."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from conftest import RAW_DIR, site_of
from scripts.errors import BuildError
from scripts.normalise import normalise_file, normalise_text

RAW_FILES = sorted(p.name for p in RAW_DIR.glob("*.txt"))
WORD = re.compile(r"[^\W_]+")
ARABIC = re.compile(r"[\u0600-\u06FF]")


def normalised(name: str, profiles):
    # the quirk tests below name the raw file that has the quirk; one removed from the corpus
    # takes its quirk with it, so its tests are skipped rather than failed
    if not (RAW_DIR / name).is_file():
        pytest.skip(f"{name} is no longer in data/raw/")
    return normalise_file(RAW_DIR / name, profiles[site_of(name)])


@pytest.mark.parametrize("name", RAW_FILES)
def test_shape_title_blank_line_paragraphs(name, profiles):
    result = normalised(name, profiles)
    text = result.text
    assert text == text.strip() and "\n\n\n" not in text
    assert all(p and p == p.strip() and "\n" not in p for p in text.split("\n\n"))
    assert "  " not in text
    if result.title:
        assert text.startswith(result.title + "\n\n")


@pytest.mark.parametrize("name", RAW_FILES)
def test_idempotent_with_plain_profile(name, profiles):
    text = normalised(name, profiles).text
    assert normalise_text(text, profiles["plain"]).text == text


@pytest.mark.parametrize("name", RAW_FILES)
def test_deterministic(name, profiles):
    assert normalised(name, profiles).text == normalised(name, profiles).text


@pytest.mark.parametrize("name", RAW_FILES)
def test_no_markup_or_furniture_left(name, profiles):
    result = normalised(name, profiles)
    # every line the site profile removed (furniture, bylines, dates, a Persian header) is gone from the text
    for line in result.removed_lines:
        assert line.strip() not in result.text, line
    # a Markdown copy keeps no markup; a plain-text article may contain "#", "*" or Arabic script as written
    if profiles[site_of(name)].title == "heading":
        for leftover in ("**", "\\*", "*", "<sup>", "</sup>", "](", "#"):
            assert leftover not in result.text, leftover
        assert not ARABIC.search(result.text)


def _markup_free_words(raw: str) -> Counter:
    raw = re.sub(r"</?sup>", "", raw)
    raw = re.sub(r"\]\([^)]*\)", "]", raw)  # link targets are markup, their labels are not
    return Counter(WORD.findall(raw))


@pytest.mark.parametrize("name", RAW_FILES)
def test_every_word_of_the_body_survives(name, profiles):
    """Raw words = words of the text + words of the removed lines, with multiplicity."""
    result = normalised(name, profiles)
    raw = (RAW_DIR / name).read_text(encoding="utf-8")
    removed = _markup_free_words("\n".join(result.removed_lines))
    assert _markup_free_words(raw) == Counter(WORD.findall(result.text)) + removed


def test_persian_header_both_spellings_and_site_lines(profiles):
    for name in ("001_d0ab2b584e59137c.txt", "004_c493097775ab297e.txt"):
        result = normalised(name, profiles)
        removed = "\n".join(result.removed_lines)
        assert ARABIC.search(removed) and "AA-AA" in removed and "European Languages" in removed
        assert "[www.afgazad.com](http://www.afgazad.com)" in removed
        assert "[afgazad@gmail.com](mailto:afgazad@gmail.com)" in removed
    # the verse is laid out on four lines in one file and two in the other
    verse_lines = [sum(bool(ARABIC.search(line)) for line in normalised(n, profiles).removed_lines)
                   for n in ("001_d0ab2b584e59137c.txt", "004_c493097775ab297e.txt")]
    assert verse_lines == [6, 4]  # site name + verse + "European languages" in Persian


def test_bylines_dates_biographies_and_legend_become_metadata(profiles):
    first = normalised("001_d0ab2b584e59137c.txt", profiles)
    assert first.metadata["byline"] == ["Taut Bataut"]
    assert first.metadata["date"] == ["11.06.2024", "10.06.2024"]
    assert first.metadata["biography"][0].startswith("Taut Bataut – is a researcher")
    assert first.title == "Security Cooperation between Pakistan and Afghanistan"
    second = normalised("004_c493097775ab297e.txt", profiles)
    assert second.metadata["byline"] == ["Vanessa Sevidova"]
    assert second.metadata["date"] == ["12.01.2025"]
    assert second.metadata["signature"] == ["Vanessa Sevidova, January 11, 2025"]
    assert second.metadata["legend"] == ["Organisations banned in the Russian Federation"]
    assert second.metadata["biography"] == ["Vanessa Sevidova, researcher-expert on the Middle East and Africa"]
    assert second.title == "Clashes between Afghanistan and Pakistan escalate"
    assert "Sevidova" not in second.text and "Bataut" not in first.text


def test_inline_markup(profiles):
    first = normalised("001_d0ab2b584e59137c.txt", profiles).text
    assert "almost 73 percent in terrorist activities" in first  # **bold**
    assert "on 15th August 2021" in first  # <sup>th</sup>
    assert "\n\nEfforts to Combat Terrorism and Diplomatic Engagement\n\n" in first  # ### **heading**
    second = normalised("004_c493097775ab297e.txt", profiles).text
    assert "the Taliban has reportedly invaded" in second  # \* footnote marker
    assert "the Taliban’s rejection" in second and "(TTP, also known as the Pakistani Taliban)" in second
    assert "\n\n“TTP” has given the Taliban strategic depth inside Pakistan\n\n" in second  # pull quote kept


def test_page_break_inside_a_paragraph_is_joined(profiles):
    assert "using their land to conduct terrorism in the region" in normalised("001_d0ab2b584e59137c.txt", profiles).text
    second = normalised("004_c493097775ab297e.txt", profiles).text
    assert "including in terms of information" in second and "The group wishes to see the overthrow" in second


def test_date_stamp_moves_to_metadata(profiles):
    result = normalised("000_6ab9230c35d9d238.txt", profiles)
    assert result.metadata == {"date_stamp": ["2025-01-17"]}
    assert result.title is None
    assert result.text.startswith("The level of aggression between Kabul and Islamabad")


def test_good_news_header_and_comment_form_removed(profiles):
    result = normalised("002_3cd8c1ee86c3bced.txt", profiles)
    assert result.title == "Taliban Takeover of Afghanistan Seen as ‘Rude Awakening’ for Pakistan"
    assert result.text.endswith("to prevent terrorist infiltration.")
    assert result.removed_lines == ["Good News", "Leave a Reply",
                                    "Your email address will not be published. Required fields are marked *"]


def test_single_line_breaks_become_paragraphs(profiles):
    text = normalised("003_b6f5e415fd6e89ae.txt", profiles).text
    assert text.startswith("KABUL, AFGHANISTAN – Pakistan has once again")  # the dateline stays
    assert len(text.split("\n\n")) == 11


def test_nfc_and_line_endings(profiles):
    decomposed = "Cafe\u0301 report\r\n\r\nSecond  paragraph\t here"
    assert normalise_text(decomposed, profiles["plain"]).text == "Café report\n\nSecond paragraph here"


def test_not_utf8_names_the_file(tmp_path: Path, profiles):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Title\n\n\xff\xfe broken")
    with pytest.raises(BuildError, match=r"bad\.txt: not UTF-8 at byte 7"):
        normalise_file(bad, profiles["plain"])


def test_missing_heading_is_a_clear_error(tmp_path: Path, profiles):
    raw = tmp_path / "no-heading.txt"
    raw.write_text("AA-AA\n\nJust a paragraph.\n", encoding="utf-8")
    with pytest.raises(BuildError, match=r"no-heading\.txt: site 'afgazad' expects a Markdown heading"):
        normalise_file(raw, profiles["afgazad"])


@pytest.mark.parametrize(("profile", "message"), [
    ({"title": "heading", "header": [{"kind": "furniture", "pattern": "(unclosed"}]},
     r"sites\.yaml: site 'broken', header rule 1: field 'pattern' is not a valid regular expression"),
    ({"title": "heading", "footer": [{"kind": "signature-ish", "pattern": "x"}]},
     r"site 'broken', footer rule 1: field 'kind' is 'signature-ish'; expected one of"),
    ({"title": "sometimes"}, r"site 'broken': field 'title' is 'sometimes'"),
])
def test_bad_site_profile_is_a_clear_error(tmp_path: Path, profile, message):
    import yaml

    from scripts.normalise import load_site_profiles

    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump({"sites": {"broken": {"name": "Broken", **profile}}}), encoding="utf-8")
    with pytest.raises(BuildError, match=message):
        load_site_profiles(path)
