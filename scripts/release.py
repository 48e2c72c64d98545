"""Cut a release: version, manifest, CHANGELOG, citation files and a reproducible zip.

``python -m scripts release [--bump auto|major|minor|patch] [--date YYYY-MM-DD] [--dry-run]``
takes the project (annotations, schemas, ``config/package.yaml``, the newest
manifest in ``releases/``). Holding the project's lock, it builds the package
into a staging folder, diffs it against the newest manifest
(:mod:`scripts.diff`), works out the bump the policy of ``docs/versioning.md``
requires and refuses a smaller one. Then it stages ``config/package.yaml``
with the new ``version`` and ``created``, the descriptor built from it,
``CITATION.cff``, ``.zenodo.json``, ``dataset.jsonld``, the README citation
block, the CHANGELOG entry and ``releases/<version>.json``, validates them, and
publishes them with ``data/`` as one unit (:mod:`scripts.transaction`: a
release killed midway is finished by the next command, once), then writes the
release in two flavours, ``dist/<name>-<version>-open.zip`` (no third-party
text, CC BY 4.0) and ``dist/<name>-<version>-full.zip`` (with the article
texts, for private use under the publishers' terms), with ``dist/SHA256SUMS``.
``--dry-run`` validates the build and prints the plan, writing nothing in the
project. ``--rebuild-zip VERSION`` writes the zips of a released version
again, when the published package is that version, and checks them against
the manifest. The release date is the one date that enters the outputs; it
comes from ``--date`` (default: today) and is recorded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.annotations import ROOT
from scripts.citation import citation_descriptor, cff_text, jsonld_text, readme_with_citation, zenodo_text
from scripts.diff import LEVELS, Side, diff_sides
from scripts.errors import BuildError
from scripts.hashing import file_sha256
from scripts.manifest import (build_manifest, load_manifest, newest_manifest, parse_version,
                              write_manifest)
from scripts.transaction import (DRY_RUN_PREFIX, JOURNAL_NAME, OPEN_SCRATCH_PREFIX, STAGING_PREFIX, read_journal,
                                 staging_folder, writing_command)

BUMPS = ("auto", "major", "minor", "patch")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644  # a regular file, rw-r--r--
# Files of the project that go into the zip besides datapackage.json, its data, its schemas and
# its raw files: what a reader needs to use, cite and check the data without the repository.
REQUIRED_MEMBERS = ("README.md", "CHANGELOG.md", "CITATION.cff", "LICENSE", "docs/annotation-guidelines.md",
                    "docs/annotation-format.md", "docs/data-dictionary.md", "docs/datasheet.md",
                    "docs/versioning.md")
OPTIONAL_MEMBERS = ("dataset.jsonld", "config/expectations.yaml")
# Folders shipped whole: every document, and the annotation files the tables are built from.
MEMBER_FOLDERS = ("docs", "annotations")
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CHANGELOG_SECTIONS = ("Added", "Changed", "Removed")


@dataclass(frozen=True)
class ReleasePlan:
    """What a release will do: the versions, the bump and the diff that requires it."""

    version: str
    previous: str | None
    date: str
    bump: str
    required: str
    diff: dict[str, Any] | None
    manifest: dict[str, Any]


# --- Versions and the plan ----------------------------------------------

def next_version(base: str, bump: str) -> str:
    major, minor, patch = parse_version(base)
    if bump == "major":
        return f"{major + 1}.0.0"
    if bump == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _check_date(date: str) -> str:
    try:
        return dt.date.fromisoformat(date).isoformat()
    except ValueError:
        raise BuildError(f"--date {date!r}: expected YYYY-MM-DD") from None


def plan_release(package_dir: Path, releases_dir: Path, bump: str, date: str, base_version: str,
                 extra_metadata: dict[str, Any] | None = None) -> ReleasePlan:
    """Diff the built package in ``package_dir`` against the newest manifest and choose the version.

    ``base_version`` is bumped when there is no manifest yet (the first
    release, whose required bump is MAJOR: everything is new). Raises a
    BuildError when ``bump`` is smaller than required or nothing changed.
    ``extra_metadata`` is package metadata kept outside ``datapackage.json`` (the DOI).
    """
    if bump not in BUMPS:
        raise BuildError(f"--bump {bump!r}: expected one of {', '.join(BUMPS)}")
    date = _check_date(date)
    previous_path = newest_manifest(releases_dir)
    if previous_path is None:
        result, required, previous = None, "major", None
    else:
        old = load_manifest(previous_path)
        previous = str(old["version"])
        new = build_manifest(package_dir, extra_metadata=extra_metadata)
        result = diff_sides(Side(previous, old, None), Side(str(package_dir), new, None))
        required = result["bump"]
        if required == "none":
            raise BuildError(f"{previous_path}: the package has the same rows, schemas and metadata as {previous}; "
                             f"nothing to release (a missing zip of {previous}: python -m scripts release "
                             f"--rebuild-zip {previous})")
        base_version = previous
    chosen = required if bump == "auto" else bump
    if LEVELS.index(chosen) < LEVELS.index(required):
        reasons = "; ".join(f"{c['table'] or 'package'}: {c['change']}"
                            for c in (result or {}).get("changes", []) if c["level"] == required)
        raise BuildError(f"--bump {bump} is smaller than the {required.upper()} bump the changes since "
                         f"{previous} require: {reasons}")
    version = next_version(base_version, chosen)
    if (releases_dir / f"{version}.json").exists():
        raise BuildError(f"{releases_dir / f'{version}.json'}: version {version} is already released")
    manifest = build_manifest(package_dir, version=version, date=date, extra_metadata=extra_metadata)
    return ReleasePlan(version, previous, date, chosen, required, result, manifest)


# --- CHANGELOG -------------------------------------------------------------

def _rows(count: int) -> str:
    return f"{count} row{'s' if count != 1 else ''}"


def changelog_sections(plan: ReleasePlan) -> dict[str, list[str]]:
    """Section -> bullets the release generates (counts per table and every schema change)."""
    sections: dict[str, list[str]] = {name: [] for name in CHANGELOG_SECTIONS}
    tables = plan.manifest["tables"]
    if plan.diff is None:
        sections["Added"] += [f"`{table}`: {_rows(facts['rows'])}, {len(facts['schema']['fields'])} fields."
                              for table, facts in tables.items()]
        return sections
    for item in plan.diff["changes"]:
        where = f"`{item['table']}`: " if item["table"] else "Package: "
        total = f" ({_rows(tables[item['table']]['rows'])} now)" if "row(s)" in item["change"] else ""
        sections[item["section"]].append(f"{where}{item['change']}{total} [{item['level'].upper()}].")
    return sections


def _parse_notes(text: str) -> dict[str, list[str]]:
    """Hand-written notes of an ``[Unreleased]`` section, by ``###`` heading (text before one: ``""``)."""
    notes: dict[str, list[str]] = {}
    current = ""
    for line in text.strip("\n").splitlines():
        heading = re.match(r"^### (.+)$", line)
        if heading:
            current = heading.group(1).strip()
            continue
        notes.setdefault(current, []).append(line)
    return {k: _trim(v) for k, v in notes.items() if any(line.strip() for line in v)}


def _trim(lines: list[str]) -> list[str]:
    """``lines`` without blank lines at either end."""
    text = "\n".join(lines).strip("\n")
    return text.split("\n") if text else []


def changelog_entry(plan: ReleasePlan, notes: dict[str, list[str]]) -> str:
    """The ``## [version] - date`` entry: generated bullets first, then the curator's notes."""
    if plan.previous is None:
        summary = "Initial release."
    else:
        summary = (f"{plan.bump.upper()} release; the changes since {plan.previous} require "
                   f"{plan.required.upper()} (`python -m scripts diff {plan.previous} {plan.version}`).")
    lines = [f"## [{plan.version}] - {plan.date}", "", summary]
    if notes.get(""):
        lines += ["", *notes[""]]
    generated = changelog_sections(plan)
    for section in [*CHANGELOG_SECTIONS, *[s for s in notes if s and s not in CHANGELOG_SECTIONS]]:
        bullets = [f"- {b}" for b in generated.get(section, [])]
        hand = notes.get(section, [])
        if bullets or hand:
            lines += ["", f"### {section}", *bullets, *hand]
    return "\n".join(line.rstrip() for line in lines).rstrip("\n") + "\n"


def changelog_with_entry(changelog: str, plan: ReleasePlan) -> str:
    """``changelog`` with the entry of ``plan`` in place of ``[Unreleased]`` (or above the newest entry)."""
    unreleased = re.search(r"^## \[Unreleased\][^\n]*\n(.*?)(?=^## \[|\Z)", changelog, re.M | re.S)
    if unreleased:
        entry = changelog_entry(plan, _parse_notes(unreleased.group(1)))
        head, tail = changelog[:unreleased.start()], changelog[unreleased.end():]
    else:
        entry = changelog_entry(plan, {})
        newest = re.search(r"^## \[", changelog, re.M)
        cut = newest.start() if newest else len(changelog)
        head, tail = changelog[:cut], changelog[cut:]
    head = head.rstrip("\n") + "\n\n## [Unreleased]\n\n"
    return head + entry + ("\n" + tail.lstrip("\n") if tail.strip() else "")


# --- The zip -----------------------------------------------------------------

def release_members(root: Path) -> list[str]:
    """Relative paths of the files that go into the zip, sorted; a BuildError names a missing one or a dead link."""
    from scripts.parts import read_table, resource_paths

    descriptor = citation_descriptor(root)
    members = {"datapackage.json", *(path for r in descriptor["resources"] for path in resource_paths(r))}
    members |= {str(p.relative_to(root)) for p in (root / "schemas").rglob("*") if p.is_file()}
    members |= set(read_table(root, "sources", ["raw_path"], descriptor).column(0).to_pylist())
    for name in REQUIRED_MEMBERS:
        if not (root / name).is_file():
            raise BuildError(f"{root / name}: missing; a release ships it")
        members.add(name)
    members |= {name for name in OPTIONAL_MEMBERS if (root / name).is_file()}
    for folder in MEMBER_FOLDERS:
        members |= {p.relative_to(root).as_posix() for p in (root / folder).rglob("*")
                    if p.is_file() and not p.name.startswith(".")}
    missing = sorted(m for m in members if not (root / m).is_file())
    if missing:
        raise BuildError(f"{root}: the release needs {', '.join(missing[:5])}, which are missing")
    dead = dead_links(root, members)
    if dead:
        raise BuildError("links that would be dead in the release zip: " + "; ".join(dead[:10]))
    return sorted(members)


def dead_links(root: Path, members: set[str]) -> list[str]:
    """``file: target`` of every relative Markdown link of a member that points outside the members."""
    folders = {parent.as_posix() for m in members for parent in Path(m).parents}
    dead = []
    for member in sorted(m for m in members if m.endswith(".md")):
        for target in MARKDOWN_LINK.findall((root / member).read_text(encoding="utf-8")):
            if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):  # a URL, mailto: or an anchor of the page
                continue
            path = os.path.normpath((Path(member).parent / target.split("#", 1)[0]).as_posix())
            if path not in members and path.rstrip("/") not in folders:
                dead.append(f"{member}: {target}")
    return dead


def build_zip(root: Path, members: list[str], zip_path: Path, prefix: str) -> Path:
    """Write ``members`` of ``root`` under ``prefix/`` into ``zip_path``: same inputs, same bytes."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w") as archive:
        for member in sorted(members):
            info = zipfile.ZipInfo(f"{prefix}/{member}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = ZIP_MODE << 16
            info.create_system = 3  # Unix, so the mode is read the same everywhere
            archive.writestr(info, (root / member).read_bytes(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return zip_path


def write_sha256sums(files: list[Path], out: Path) -> Path:
    """``sha256sum`` format (hash, two spaces, file name), for ``sha256sum -c`` beside the files."""
    lines = [f"{file_sha256(f)[1]}  {f.name}\n" for f in sorted(files)]
    out.write_text("".join(lines), encoding="utf-8")
    return out


# --- Writing the release ---------------------------------------------------

def package_version_text(config_path: Path, version: str, date: str) -> str:
    """The text of ``config/package.yaml`` with ``version`` and ``created`` set (comments kept)."""
    text = config_path.read_text(encoding="utf-8")
    new, count = re.subn(r"^version: .*$", f"version: {version}", text, flags=re.M)
    new, count_created = re.subn(r"^created: .*$", f'created: "{date}T00:00:00Z"', new, flags=re.M)
    if count != 1 or count_created != 1:
        raise BuildError(f"{config_path}: needs exactly one top-level 'version:' and one 'created:' line")
    return new


# Files the release writes at the top of the project, staged and validated with the data first.
RELEASE_FILES = ("CITATION.cff", ".zenodo.json", "dataset.jsonld", "README.md", "CHANGELOG.md")
PACKAGE_CONFIG = "config/package.yaml"  # staged with the new version, published with the rest


def write_citation_files(package_dir: Path, descriptor: dict[str, Any], readme: str) -> None:
    """CITATION.cff, .zenodo.json, dataset.jsonld and README.md (citation block) into ``package_dir``."""
    (package_dir / "CITATION.cff").write_text(cff_text(descriptor), encoding="utf-8")
    (package_dir / ".zenodo.json").write_text(zenodo_text(descriptor), encoding="utf-8")
    (package_dir / "dataset.jsonld").write_text(jsonld_text(descriptor, package_dir), encoding="utf-8")
    (package_dir / "README.md").write_text(readme_with_citation(readme, descriptor), encoding="utf-8")


def stage_release(staging: Path, root: Path, plan: ReleasePlan, descriptor: dict[str, Any]) -> None:
    """Write the released descriptor, citation files and CHANGELOG into the staging folder.

    Validation then sees the version of datapackage.json, CITATION.cff and
    the newest CHANGELOG.md entry together, as they will be published.
    """
    (staging / "datapackage.json").write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n",
                                              encoding="utf-8")
    meta = citation_descriptor(root)
    cited = {**descriptor, **({"doi": meta["doi"]} if meta.get("doi") else {})}
    write_citation_files(staging, cited, (root / "README.md").read_text(encoding="utf-8"))
    changelog = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    (staging / "CHANGELOG.md").write_text(changelog_with_entry(changelog, plan), encoding="utf-8")


FLAVOURS = ("open", "full")
# Documents of the project the open zip copies as they are (the README, the data dictionary and the
# citation files are written for it); docs/ images show article text, so only Markdown is taken.
OPEN_DOCUMENTS = ("CHANGELOG.md", "LICENSE")


def zip_name(name: str, version: str, flavour: str) -> str:
    """``<name>-<version>-<flavour>.zip``, the file of one flavour of a release in ``dist/``."""
    return f"{name}-{version}-{flavour}.zip"


def open_members(root: Path, folder: Path) -> list[str]:
    """Write the open flavour of the package in ``root`` into the new ``folder``; its members, sorted.

    The tables, schemas and descriptor come from :func:`scripts.flavours.write_open_package`; the
    citation files, README and data dictionary are written for the open descriptor, the other
    Markdown documents copied. A BuildError names a missing document or a dead link, or the
    validation failure of the open package.
    """
    from scripts.dictionary import dictionary_markdown
    from scripts.flavours import flavour_metadata, readme_for_flavour, write_open_package
    from scripts.untrusted import package_schemas

    descriptor = write_open_package(root, folder, root)
    meta = citation_descriptor(root)
    cited = {**descriptor, **({"doi": meta["doi"]} if meta.get("doi") else {})}
    readme = readme_for_flavour((root / "README.md").read_text(encoding="utf-8"),
                                flavour_metadata(root, "open")["notice"], open_flavour=True)
    write_citation_files(folder, cited, readme)
    for name in [*OPEN_DOCUMENTS, *(p.relative_to(root).as_posix() for p in sorted((root / "docs").glob("*.md")))]:
        if not (root / name).is_file():
            raise BuildError(f"{root / name}: missing; a release ships it")
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, folder / name)
    (folder / "docs" / "data-dictionary.md").write_text(dictionary_markdown(folder, package_schemas(folder)),
                                                        encoding="utf-8")
    members = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    dead = dead_links(folder, members)
    if dead:
        raise BuildError("links that would be dead in the open release zip: " + "; ".join(dead[:10]))
    from scripts.validate import validate_package

    validate_package(folder, run_gx=False)  # as `python -m scripts validate` will see the zip
    return sorted(members)


def write_dist(root: Path, version: str) -> list[Path]:
    """Both flavours of the release in ``dist/``, and ``dist/SHA256SUMS``; returns the zips written.

    ``<name>-<version>-full.zip`` is the package as published (raw files, texts, annotation files),
    with ``build/<name>.sqlite`` and ``build/site/`` built from it; ``<name>-<version>-open.zip`` is
    its open flavour (:mod:`scripts.flavours`), with no third-party text. Each zip is written under a
    temporary name and renamed into place.
    """
    name = citation_descriptor(root)["name"]
    prefix = f"{name}-{version}"
    from scripts.site import write_release_ways_in

    dist = root / "dist"
    # the full package, plus its SQLite file and static site (build/), so a reader of the zip has every way in
    full_members = release_members(root) + write_release_ways_in(root)
    written = []
    with tempfile.TemporaryDirectory(prefix=OPEN_SCRATCH_PREFIX, dir=root) as scratch:  # cleaned if killed
        folder = Path(scratch) / prefix
        zips = {"open": (folder, open_members(root, folder)), "full": (root, full_members)}
        for flavour in FLAVOURS:
            base, members = zips[flavour]
            target = dist / zip_name(name, version, flavour)
            partial = dist / f".{target.name}.partial"
            try:
                os.replace(build_zip(base, members, partial, prefix), target)
            finally:
                partial.unlink(missing_ok=True)
            written.append(target)
    write_sha256sums(written, dist / "SHA256SUMS")
    return written


def describe_plan(plan: ReleasePlan) -> str:
    against = f"against {plan.previous}" if plan.previous else "(first release: no manifest in releases/)"
    lines = [f"release {plan.version} dated {plan.date}: bump {plan.bump.upper()}, "
             f"required {plan.required.upper()} {against}"]
    for section, bullets in changelog_sections(plan).items():
        lines += [f"  {section}: {b}" for b in bullets]
    return "\n".join(lines)


def check_reviewed(package_dir: Path, publish_drafts: bool) -> None:
    """Refuse a package with drafted sources or proposed entities, unless drafts are to be published as such."""
    from scripts.review import describe_unreviewed, unreviewed

    pending = describe_unreviewed(unreviewed(package_dir), shown=50)
    if pending is None:
        return
    if not publish_drafts:
        raise BuildError(f"not yet reviewed: {pending}. Review them (python -m scripts review SOURCE_ID --by NAME), "
                         "or publish them as drafts with --publish-drafts (make release "
                         "RELEASE_ARGS=--publish-drafts); sources.review_status tells users which rows are drafts")
    print(f"publishing drafts as drafts (--publish-drafts): {pending}")


def stage_and_check(staging: Path, root: Path, bump: str, date: str, run_gx: bool,
                    publish_drafts: bool) -> ReleasePlan:
    """Build, plan, stage every file the release publishes into ``staging`` and validate them; returns the plan.

    Nothing of ``root`` is written: the new ``config/package.yaml`` and
    ``releases/<version>.json`` are staged beside the package.
    """
    from scripts.build import build_package
    from scripts.package import write_descriptor
    from scripts.validate import validate_package

    cited = citation_descriptor(root)
    base_version = str(cited.get("version", "0.0.0"))
    extra_metadata = {"doi": cited["doi"]} if cited.get("doi") else None
    build_package(staging)
    check_reviewed(staging, publish_drafts)
    plan = plan_release(staging, root / "releases", bump, date, base_version, extra_metadata)
    staged_config = staging / PACKAGE_CONFIG
    staged_config.parent.mkdir(parents=True, exist_ok=True)
    staged_config.write_text(package_version_text(root / PACKAGE_CONFIG, plan.version, plan.date), encoding="utf-8")
    descriptor = write_descriptor(staging, staged_config)
    if (descriptor.get("version"), descriptor.get("created")) != (plan.version, f"{plan.date}T00:00:00Z"):
        raise BuildError(f"{root / PACKAGE_CONFIG}: the build did not take version {plan.version} from it")
    stage_release(staging, root, plan, descriptor)
    validate_package(staging, run_gx=run_gx, project_dir=root)
    staged = build_manifest(staging, version=plan.version, date=plan.date, extra_metadata=extra_metadata)
    if staged != plan.manifest:
        raise BuildError(f"{staging}: the staged package differs from the one planned; run the release again")
    write_manifest(staged, staging / manifest_path(plan.version))
    return plan


def manifest_path(version: str) -> str:
    return f"releases/{version}.json"


def release(bump: str, date: str, dry_run: bool, root: Path = ROOT, run_gx: bool = True,
            publish_drafts: bool = False) -> ReleasePlan | None:
    """Cut the release (see the module docstring); returns its plan.

    A release killed midway is finished by the next command (its journal, :mod:`scripts.transaction`); when
    that command is this one, it says so and returns None instead of cutting another release.
    """
    from scripts.build import publish

    if dry_run:  # writes nothing in the project: stages in the temporary folder, takes no lock
        pending = read_journal(root)
        if pending is not None:
            raise BuildError(f"{root / JOURNAL_NAME}: {pending.get('what')} was interrupted; finish it first "
                             "(python -m scripts release, or any command that writes the project)")
        with staging_folder(None, DRY_RUN_PREFIX) as staging:
            plan = stage_and_check(staging, root, bump, date, run_gx, publish_drafts)
        print(describe_plan(plan))
        print(f"dry run: would write {PACKAGE_CONFIG}, data/, datapackage.json, {manifest_path(plan.version)}, "
              f"{', '.join(RELEASE_FILES)} and dist/; wrote nothing")
        return plan
    with writing_command(root, "release") as finished:
        if finished is not None and str(finished.get("what", "")).startswith("release "):
            print(f"the interrupted {finished['what']} is now complete; run release again for a new one")
            return None
        with staging_folder(root, STAGING_PREFIX) as staging:
            plan = stage_and_check(staging, root, bump, date, run_gx, publish_drafts)
            print(describe_plan(plan))
            # one unit: the package, the citation files, the CHANGELOG, the version in config and the manifest;
            # then the derived documents and the zip, which the journal re-runs if a kill stops them
            publish(staging, root, extra_files=(*RELEASE_FILES, PACKAGE_CONFIG, manifest_path(plan.version)),
                    after=({"step": "derived"}, {"step": "dist", "version": plan.version}),
                    what=f"release {plan.version}")
    print(f"released {plan.version}: {manifest_path(plan.version)}, the open and full zips in dist/ and "
          "dist/SHA256SUMS")
    return plan


# --- Rebuilding the zip of a released version ---------------------------------------

def manifest_differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs between two manifests, one phrase per top-level key or table part."""
    found = [key for key in ("name", "version", "metadata") if expected.get(key) != actual.get(key)]
    tables = sorted(set(expected.get("tables", {})) | set(actual.get("tables", {})))
    for table in tables:
        old, new = expected.get("tables", {}).get(table), actual.get("tables", {}).get(table)
        if old is None or new is None:
            found.append(f"table {table} {'added' if old is None else 'missing'}")
            continue
        found += [f"table {table}: {part}" for part in ("rows", "row_hashes", "files", "schema")
                  if old.get(part) != new.get(part)]
    return found


def read_sha256sums(path: Path) -> dict[str, str]:
    """File name -> hash of a ``sha256sum`` file (empty when there is none)."""
    if not path.is_file():
        return {}
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name:
            sums[name] = digest
    return sums


def zip_package_manifest(zip_path: Path, manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest of the package inside a release zip (its descriptor, schemas and data), read back."""
    from scripts.manifest import build_manifest as manifest_of

    with zipfile.ZipFile(zip_path) as archive, tempfile.TemporaryDirectory(prefix=DRY_RUN_PREFIX) as scratch:
        prefix = archive.namelist()[0].split("/", 1)[0] + "/" if archive.namelist() else ""
        for name in archive.namelist():
            relative = name[len(prefix):]
            if relative == "datapackage.json" or relative.startswith(("data/", "schemas/")):
                target = Path(scratch) / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
        return manifest_of(Path(scratch), version=manifest.get("version"), date=manifest.get("date"),
                           extra_metadata={k: v for k, v in manifest.get("metadata", {}).items() if k == "doi"})


def _zip_problems(zip_path: Path, manifest: dict[str, Any]) -> list[str]:
    """How the package inside ``zip_path`` differs from ``manifest`` ([] when it is that package)."""
    try:
        return manifest_differences(manifest, zip_package_manifest(zip_path, manifest))
    except (BuildError, OSError, zipfile.BadZipFile) as exc:
        return [f"cannot be read back: {exc}"]


def rebuild_zip(version: str, root: Path = ROOT) -> list[Path]:
    """Write the zips of released ``version`` again from the project (:func:`write_dist`), checked.

    Refused when the published package is not that version (its rows, files, schemas or metadata differ
    from ``releases/<version>.json``). The package in the full zip must give the same manifest, and each
    zip must have the hash ``dist/SHA256SUMS`` records for it, if any; otherwise the new zips are removed
    and SHA256SUMS is left as it was.
    """
    with writing_command(root, f"release --rebuild-zip {version}"):
        path = root / manifest_path(version)
        if not path.is_file():
            raise BuildError(f"{path}: no manifest of version {version}; a zip is rebuilt only for a released version")
        manifest = load_manifest(path)
        cited = citation_descriptor(root)
        extra_metadata = {"doi": cited["doi"]} if cited.get("doi") else None
        differences = manifest_differences(manifest, build_manifest(root, extra_metadata=extra_metadata))
        if differences:
            raise BuildError(f"{root}: the published package is not version {version} ({'; '.join(differences[:6])}); "
                             f"check out the commit of release {version} and run this again")
        sums_path = root / "dist" / "SHA256SUMS"
        recorded_text = sums_path.read_text(encoding="utf-8") if sums_path.is_file() else None
        recorded = read_sha256sums(sums_path)  # read before write_dist writes the file again
        zips = write_dist(root, version)
        # the full flavour is the package as published: its rows are the manifest's (the open one leaves texts out)
        full = root / "dist" / zip_name(str(manifest.get("name")), version, "full")
        problems = [f"the package in {full.name} {d}" for d in _zip_problems(full, manifest)]
        problems += [f"the SHA-256 of {z.name} is not the {recorded[z.name]} dist/SHA256SUMS records (a file the zip "
                     "carries besides the data, such as README.md or docs/, changed since the release)"
                     for z in zips if z.name in recorded and recorded[z.name] != file_sha256(z)[1]]
        if problems:
            for zip_path in zips:
                zip_path.unlink()
            if recorded_text is None:
                sums_path.unlink(missing_ok=True)
            else:
                sums_path.write_text(recorded_text, encoding="utf-8")
            raise BuildError(f"{root / 'dist'}: the rebuilt zip is not release {version}: {'; '.join(problems)}")
    checked = [z.name for z in zips if z.name in recorded]
    print(f"rebuilt {', '.join(z.name for z in zips)} of release {version} in dist/: the package matches "
          f"{manifest_path(version)}" + (f"; {', '.join(checked)} as dist/SHA256SUMS records" if checked else ""))
    return zips


def release_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bump", choices=BUMPS, default="auto",
                        help="the bump to make; refused when smaller than the changes require (default: auto)")
    parser.add_argument("--date", default=None, help="release date YYYY-MM-DD (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="validate and print the plan; change nothing")
    parser.add_argument("--rebuild-zip", default=None, metavar="VERSION",
                        help="rebuild dist/ zip of a released VERSION from the project, checked against "
                             "releases/VERSION.json (and dist/SHA256SUMS); refused when data/ is not that version")
    parser.add_argument("--publish-drafts", action="store_true",
                        help="release drafted sources and proposed entities as drafts (sources.review_status and "
                             "entities.review_status say so) instead of refusing them")


def release_command(args: argparse.Namespace) -> None:
    """``python -m scripts release``."""
    if args.rebuild_zip is not None:
        rebuild_zip(args.rebuild_zip)
        return
    release(args.bump, args.date or dt.date.today().isoformat(), args.dry_run, publish_drafts=args.publish_drafts)
