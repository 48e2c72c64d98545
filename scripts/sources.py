"""Turn each source's raw file and metadata into its ``sources`` and ``texts`` rows.

Takes one :class:`~scripts.annotations.SourceAnnotation` (the metadata part
of ``annotations/sources/<source_id>.yaml``), its raw file in ``data/raw/``
and the site profiles; returns a :class:`SourceText` with the normalised text,
the ``sources`` row and the ``texts`` row. Checks that the curated title is
the one the normaliser found and that the dates are ISO dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.annotations import ROOT, SourceAnnotation, one_line
from scripts.errors import BuildError
from scripts.normalise import Normalised, SiteProfile, normalise_file

RAW_DIR = ROOT / "data" / "raw"
LIST_SEPARATOR = " | "
WORD = re.compile(r"[^\W_]+")


@dataclass
class SourceText:
    source_id: str
    text: str
    source_row: dict[str, Any]
    text_row: dict[str, Any]


def _iso_date(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise BuildError(f"{where}: field 'published_date' is {value!r}, not an ISO date (YYYY-MM-DD)") from None


def _quality(flags: Any, where: str) -> tuple[str | None, str | None]:
    names, notes = [], []
    for i, entry in enumerate(flags or [], start=1):
        # the allowed flags are the listItems of sources.quality_flags in schemas/sources.json
        if not isinstance(entry, dict) or not entry.get("flag") or not entry.get("note"):
            raise BuildError(f"{where}: quality_flags[{i}] needs 'flag' and 'note'")
        names.append(entry["flag"])
        notes.append(f"{entry['flag']}: {' '.join(str(entry['note']).split())}")
    return (LIST_SEPARATOR.join(names) or None, LIST_SEPARATOR.join(notes) or None)


def _file_dates(values: list[str], formats: tuple[str, ...]) -> set[str]:
    """The ISO form of each date line the normaliser removed (ISO or one of the site's formats)."""
    dates = set()
    for value in values:
        for date_format in ("%Y-%m-%d", *formats):
            try:
                dates.add(dt.datetime.strptime(value, date_format).date().isoformat())
                break
            except ValueError:
                continue
    return dates


def check_against_file(row: dict[str, Any], normalised: Normalised, profile: SiteProfile, where: str) -> None:
    """Curated metadata must agree with the bylines and date lines the normaliser removed."""
    authors = (row["authors"] or "").split(LIST_SEPARATOR)
    for byline in normalised.metadata.get("byline", []):
        if byline not in authors:
            raise BuildError(f"{where}: field 'authors' lacks {byline!r}, the file's byline")
    # a stated date must be one of the file's date lines; a metadata date its stamp
    kind = {"stated": "date", "metadata": "date_stamp"}.get(row["date_basis"])
    dates = _file_dates(normalised.metadata.get(kind or "", []), profile.date_formats)
    if dates and row["published_date"] not in dates:
        raise BuildError(f"{where}: field 'published_date' is {row['published_date']!r}, but the file's "
                         f"{kind} lines give {', '.join(sorted(dates))}")


def build_source(source: SourceAnnotation, profiles: dict[str, SiteProfile], raw_dir: Path = RAW_DIR) -> SourceText:
    """Load the raw file, normalise it, and assemble the source's rows."""
    # Load
    data, where = source.data, str(source.path)
    if data.get("site") not in profiles:
        raise BuildError(f"{where}: field 'site' is {data.get('site')!r}; expected one of {', '.join(profiles)}")
    raw_file = data.get("raw_file")
    raw_path = raw_dir / str(raw_file)
    if not raw_file or not raw_path.is_file():
        raise BuildError(f"{where}: field 'raw_file' is {raw_file!r}, which is not a file in {raw_dir}")
    raw_bytes = raw_path.read_bytes()

    # Process
    normalised = normalise_file(raw_path, profiles[data["site"]])
    if (data.get("title") or None) != normalised.title:
        raise BuildError(f"{where}: field 'title' is {data.get('title')!r} but the normalised text's title is "
                         f"{normalised.title!r}")
    text = normalised.text
    flags, quality_notes = _quality(data.get("quality_flags"), where)
    row = {
        "source_id": source.source_id,
        "title": normalised.title,
        "publisher": data.get("publisher"),
        "original_publisher": data.get("original_publisher"),
        "authors": LIST_SEPARATOR.join(data.get("authors") or []) or None,
        "published_date": _iso_date(data.get("published_date"), where),
        "date_precision": data.get("date_precision"),
        "date_basis": data.get("date_basis"),
        "date_note": one_line(data.get("date_note")),
        "language": data.get("language"),
        "url": data.get("url"),
        "site_id": data["site"],
        "raw_path": raw_path.relative_to(ROOT).as_posix() if raw_path.is_relative_to(ROOT) else raw_path.name,
        "raw_sha256": hashlib.sha256(raw_bytes).hexdigest(),
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "n_chars": len(text),
        "n_words": len(WORD.findall(text)),
        "quality_flags": flags,
        "quality_notes": quality_notes,
        "notes": one_line(data.get("notes")),
    }
    if (row["published_date"] is None) != (row["date_precision"] is None):
        raise BuildError(f"{where}: 'published_date' and 'date_precision' must both be given or both be empty")
    check_against_file(row, normalised, profiles[data["site"]], where)

    # Return (saving is the tables stage's job)
    return SourceText(source.source_id, text, row, {"source_id": source.source_id, "text": text})

