"""Turn each source's raw file and metadata into its ``sources`` and ``texts`` rows.

Takes one :class:`~scripts.annotations.SourceAnnotation` (the metadata part
of ``annotations/sources/<source_id>.yaml``), its raw file in ``data/raw/``
and the site profiles; returns a :class:`SourceText` with the normalised text,
the ``sources`` row and the ``texts`` row. Checks that the curated title is
the one the normaliser found and that the dates are ISO dates, that
``raw_file`` names a file inside ``data/raw/`` (no absolute path, no ``..``,
no link leading out of it) whose bytes have the ``raw_sha256`` the annotation
was made on (:func:`pin_problem`), and that no free-text field starts like a
spreadsheet formula unless the article has those words. :func:`unreferenced_raw_files` names the raw
files that no annotation file refers to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Iterable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from scripts.annotations import ROOT, SourceAnnotation, formula_problems, one_line
from scripts.errors import BuildError, Problems, gathered
from scripts.hashing import text_sha256
from scripts.schema import load_schema
from scripts.normalise import Normalised, SiteProfile, normalise_file

PACKAGE_RAW_DIR = "data/raw"
RAW_DIR = ROOT / PACKAGE_RAW_DIR
LIST_SEPARATOR = " | "
WORD = re.compile(r"[^\W_]+")


@dataclass
class SourceText:
    source_id: str
    text: str
    source_row: dict[str, Any]
    text_row: dict[str, Any]


def _iso_date(value: Any, where: str, field_name: str = "published_date") -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise BuildError(f"{where}: field {field_name!r} is {value!r}, not an ISO date (YYYY-MM-DD)") from None


def _checked_date(value: Any, where: str, problems: Problems) -> str | None:
    with problems.collect():
        return _iso_date(value, where)
    return None


def _quality(flags: Any, where: str, problems: Problems) -> tuple[str | None, str | None]:
    names, notes = [], []
    if not isinstance(flags, list | None):
        problems.add(f"{where}: field 'quality_flags' must be a list of entries with 'flag' and 'note', got {flags!r}")
        flags = []
    for i, entry in enumerate(flags or [], start=1):
        # the allowed flags are the listItems of sources.quality_flags in schemas/sources.json
        if not isinstance(entry, dict) or not entry.get("flag") or not entry.get("note"):
            problems.add(f"{where}: quality_flags[{i}] needs 'flag' and 'note'")
            continue
        names.append(entry["flag"])
        notes.append(f"{entry['flag']}: {' '.join(str(entry['note']).split())}")
    return (LIST_SEPARATOR.join(names) or None, LIST_SEPARATOR.join(notes) or None)


def _value_at(data: dict[str, Any], key: str) -> Any:
    """The value of a dotted annotation key (``review.status``), None where a level is missing."""
    value: Any = data
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _review(review: Any, where: str, problems: Problems) -> dict[str, Any]:
    """The review columns of a source: who reviewed it and when, or nothing while it is drafted."""
    review = review if isinstance(review, dict) else {}
    status, by, date = review.get("status"), review.get("by"), review.get("date")
    if status == "reviewed" and not (by and date):
        problems.add(f"{where}: review: a reviewed source needs 'by' and 'date' "
                     "(python -m scripts review SOURCE_ID --by NAME records them)")
    if status != "reviewed" and (by or date):
        problems.add(f"{where}: review: 'by' and 'date' are for status 'reviewed', not {status!r}")
    reviewed_date = None
    if date:
        with problems.collect():
            reviewed_date = _iso_date(date, f"{where}: review", "date")
    # the allowed statuses are the enum of sources.review_status, checked with the row
    return {"review_status": status, "reviewed_by": one_line(by), "reviewed_date": reviewed_date}


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
    missing = [byline for byline in normalised.metadata.get("byline", []) if byline not in authors]
    problems = [f"{where}: field 'authors' lacks {byline!r}, the file's byline" for byline in missing]
    # a stated date must be one of the file's date lines; a metadata date its stamp
    kind = {"stated": "date", "metadata": "date_stamp"}.get(row["date_basis"])
    dates = _file_dates(normalised.metadata.get(kind or "", []), profile.date_formats)
    if dates and row["published_date"] not in dates:
        problems.append(f"{where}: field 'published_date' is {row['published_date']!r}, but the file's "
                        f"{kind} lines give {', '.join(sorted(dates))}")
    if problems:
        raise BuildError.of(problems)


@lru_cache(maxsize=8)
def _resolved(folder: Path) -> Path:
    return folder.resolve()


def raw_path_of(raw_file: Any, raw_dir: Path, where: str) -> Path:
    """The file that ``raw_file`` names inside ``raw_dir``; anything that could lead out of it is refused."""
    if not isinstance(raw_file, str) or not raw_file.strip():
        raise BuildError(f"{where}: field 'raw_file' is {raw_file!r}, which is not a file in {raw_dir}")
    relative = PurePosixPath(raw_file)
    if relative.is_absolute() or PureWindowsPath(raw_file).anchor or "\\" in raw_file or ".." in relative.parts:
        raise BuildError(f"{where}: field 'raw_file' is {raw_file!r}, which is not inside {raw_dir}: name a file "
                         "there by its path relative to that folder (no absolute path, no '..')")
    path = raw_dir / relative
    if not path.resolve().is_relative_to(_resolved(raw_dir)):
        raise BuildError(f"{where}: field 'raw_file' is {raw_file!r}, a link that leads out of {raw_dir} "
                         f"(to {path.resolve()})")
    if not path.is_file():
        raise BuildError(f"{where}: field 'raw_file' is {raw_file!r}, which is not a file in {raw_dir}")
    return path


def unreferenced_raw_files(raw_files: Iterable[str], raw_dir: Path = RAW_DIR) -> list[str]:
    """A message for each file of ``raw_dir`` that none of ``raw_files`` (the annotations' ``raw_file``)
    names, directly or through a link (hidden files aside)."""
    raw_files = list(raw_files)
    named = set(raw_files)
    # a file named as it lies is referenced; only the others are resolved (links, "./" and the like):
    # resolving every path cost 0.6 s per 10,000 files
    referenced: set[Path] | None = None
    messages = []
    for path in sorted(raw_dir.rglob("*")):
        relative = path.relative_to(raw_dir)
        if relative.as_posix() in named or any(part.startswith(".") for part in relative.parts) \
                or not path.is_file():
            continue
        if referenced is None:
            referenced = {(raw_dir / raw_file).resolve() for raw_file in raw_files}
        if path.resolve() not in referenced:
            shown = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
            messages.append(f"{shown}: no annotation file names this raw file in 'raw_file', so it is not in the "
                            f"dataset; draft its annotation with `python -m scripts add {shown}`")
    return messages


def pin_problem(recorded: Any, raw_sha256: str, raw_file: str, source_id: str, where: str) -> str | None:
    """Why the annotation's ``raw_sha256`` (the bytes it was made on) is not ``raw_sha256``, or None when it is."""
    command = f"`python -m scripts reanchor {source_id}`"
    if recorded is None:
        return (f"{where}: field 'raw_sha256' is required: the SHA-256 of the raw file the annotation was made on; "
                f"{command} records it once every span resolves")
    if recorded != raw_sha256:
        return (f"{where}: the raw file {PACKAGE_RAW_DIR}/{raw_file} has SHA-256 {raw_sha256}, but the annotation "
                f"was made on {recorded!s} (field 'raw_sha256'): the raw file changed after annotation; {command} "
                "re-resolves every span against the new bytes, reports the spans that moved or vanished and records "
                "the new hash (docs/annotation-format.md)")
    return None


def build_source(
    source: SourceAnnotation, profiles: dict[str, SiteProfile], raw_dir: Path = RAW_DIR,
    problems: Problems | None = None, pinned: bool = True,
) -> SourceText:
    """Load the raw file, normalise it, and assemble the source's rows.

    Without a site profile or a raw file there is no text, and a BuildError
    stops at once; a problem of another field is added to ``problems``
    (without one, all are raised at the end) and the text is still returned.
    ``pinned``: the raw file must have the ``raw_sha256`` the annotation records (only
    :mod:`scripts.reanchor`, which re-resolves the spans against new bytes, reads it without).
    """
    with gathered(problems) as found:
        return _build_source(source, profiles, raw_dir, found, pinned)


def _build_source(
    source: SourceAnnotation, profiles: dict[str, SiteProfile], raw_dir: Path, problems: Problems, pinned: bool
) -> SourceText:
    # Load
    data, where = source.data, str(source.path)
    # without a profile or a raw file there is no text: both are reported, then this source stops
    stopping = Problems()
    if data.get("site") not in profiles:
        stopping.add(f"{where}: field 'site' is {data.get('site')!r}; expected one of {', '.join(profiles)}")
    with stopping.collect():
        raw_path = raw_path_of(data.get("raw_file"), raw_dir, where)
    stopping.raise_if_any()
    raw_bytes = raw_path.read_bytes()

    # Process
    normalised = normalise_file(raw_path, profiles[data["site"]])
    raw_sha256 = hashlib.sha256(raw_bytes).hexdigest()
    pin = pin_problem(data.get("raw_sha256"), raw_sha256, data["raw_file"], source.source_id, where) if pinned else None
    if pin:
        problems.add(pin)
    if (data.get("title") or None) != normalised.title:
        problems.add(f"{where}: field 'title' is {data.get('title')!r} but the normalised text's title is "
                     f"{normalised.title!r}")
    text = normalised.text
    flags, quality_notes = _quality(data.get("quality_flags"), where, problems)
    # every column an annotation key fills (schemas' `annotation`), as one line of text; the
    # columns that need more than that are set after it
    written = {column: one_line(_value_at(data, key)) for column, key in load_schema("sources").annotation_keys.items()}
    row = {
        **written,
        "source_id": source.source_id,
        "title": normalised.title,  # the annotation's title was checked against it above
        "authors": LIST_SEPARATOR.join(data.get("authors") or []) or None,
        "published_date": _checked_date(data.get("published_date"), where, problems),
        # where the file lies in a package (the project's data/raw/ or a release's)
        "raw_path": f"{PACKAGE_RAW_DIR}/{PurePosixPath(data['raw_file'])}",
        "raw_sha256": raw_sha256,  # the annotation's, when pinned (checked above)
        "text_sha256": text_sha256(text),
        "n_chars": len(text),
        "n_words": len(WORD.findall(text)),
        "quality_flags": flags,
        "quality_notes": quality_notes,
        **_review(data.get("review"), where, problems),
    }
    schema = load_schema("sources")
    problems.messages += formula_problems(
        {key: row[column] for column, key in schema.annotation_keys.items() if schema.free_text(column)}, where, text)
    if (row["published_date"] is None) != (row["date_precision"] is None):
        problems.add(f"{where}: 'published_date' and 'date_precision' must both be given or both be empty")
    with problems.collect():
        check_against_file(row, normalised, profiles[data["site"]], where)

    # Return (saving is the tables stage's job)
    return SourceText(source.source_id, text, row, {"source_id": source.source_id, "text": text})

