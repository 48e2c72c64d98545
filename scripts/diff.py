"""Row-level and schema diff between two versions of the package, and the bump it requires.

Takes two sides, each a release version (``releases/<version>.json``), a
manifest file, a package folder or a release zip (read as untrusted input, see
:mod:`scripts.untrusted` and :mod:`scripts.manifest`); returns a
JSON-ready dict: per table the rows added, removed and changed (keyed by
primary key; for two package folders also the changed columns with their old
and new values), every schema change (fields, types, constraints, keys),
package metadata changes, and the semantic-version bump the policy of
``docs/versioning.md`` requires, with the reason of each level.
``python -m scripts diff OLD NEW`` prints it as Markdown, or as JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.errors import BuildError
from scripts.manifest import (RELEASES_DIR, VERSION_PATTERN, build_manifest, canonical_json, files_fingerprint,
                              load_manifest, package_rows, release_manifests)
from scripts.untrusted import package_folder

LEVELS = ("none", "patch", "minor", "major")
# Keys of a field or schema that only document it: a change is metadata (PATCH). A field's
# `categories` give its allowed values their labels; the values themselves are its `enum` constraint.
DOC_KEYS = frozenset({"title", "description", "example", "rdfType", "$schema", "categories"})
# Constraints where a larger value admits fewer values, and where a smaller one does.
LOWER_BOUNDS = frozenset({"minimum", "exclusiveMinimum", "minLength"})
UPPER_BOUNDS = frozenset({"maximum", "exclusiveMaximum", "maxLength"})
FLAGS = frozenset({"required", "unique"})


@dataclass(frozen=True)
class Side:
    """One side of a diff: its label, its manifest, and its rows when it is a package folder."""

    label: str
    manifest: dict[str, Any]
    rows: dict[str, tuple[list[str], dict[str, dict[str, Any]]]] | None


def level_max(levels: list[str]) -> str:
    return max(levels, key=LEVELS.index, default="none")


def change(level: str, table: str | None, text: str, section: str = "Changed") -> dict[str, Any]:
    """One change with its level and its Keep a Changelog section (Added, Changed, Removed)."""
    return {"level": level, "table": table, "change": text, "section": section}


# --- Load ------------------------------------------------------------------

def load_side(spec: str, releases_dir: Path = RELEASES_DIR) -> Side:
    """A version (``1.0.0``), a manifest path, a package folder or a release zip (read as untrusted input:
    see :mod:`scripts.untrusted`; a malformed descriptor or a path leaving the package is a BuildError)."""
    path = Path(spec)
    if path.is_dir():
        return _folder_side(str(path), path)
    if path.is_file() and zipfile.is_zipfile(path):
        with package_folder(path) as folder:
            assert folder is not None
            return _folder_side(str(path), folder)
    if path.is_file():
        return Side(str(path), load_manifest(path), None)
    if path.exists():
        raise BuildError(f"{path}: not a regular file, a folder or a release zip")
    if VERSION_PATTERN.match(spec):
        manifests = release_manifests(releases_dir)
        if spec not in manifests:
            known = ", ".join(manifests) or "none"
            raise BuildError(f"{releases_dir}/{spec}.json: no manifest of version {spec} (released: {known})")
        return Side(spec, load_manifest(manifests[spec]), None)
    raise BuildError(f"{spec}: neither a release version, a manifest file, a package folder nor a release zip")


def _folder_side(label: str, folder: Path) -> Side:
    if not (folder / "datapackage.json").exists():
        raise BuildError(f"{label}: a folder to diff must hold a datapackage.json")
    return Side(label, build_manifest(folder), package_rows(folder))


# --- Schema changes --------------------------------------------------------

def _constraint_change(table: str, field: str, key: str, old: Any, new: Any) -> dict[str, Any]:
    """One constraint's change, tightened (MAJOR) or loosened (MINOR)."""
    where = f"field `{field}` constraint `{key}`"
    tightened: bool
    if key in FLAGS:
        if bool(old) == bool(new):
            return change("patch", table, f"{where} written differently ({json.dumps(old)} -> {json.dumps(new)})")
        tightened = bool(new) and not old
        text = f"{where} {'added' if tightened else 'removed'}"
    elif key == "enum" and old is not None and new is not None:
        lost = [v for v in old if v not in new]
        gained = [v for v in new if v not in old]
        tightened = bool(lost)
        parts = ([f"loses {', '.join(map(str, lost))}"] if lost else []) + \
                ([f"gains {', '.join(map(str, gained))}"] if gained else [])
        text = f"{where} {' and '.join(parts) or 'reordered'}"
        if not lost and not gained:
            return change("patch", table, text)
    elif old is None or new is None:
        tightened = old is None
        text = f"{where} {'added' if tightened else 'removed'} ({json.dumps(new if tightened else old)})"
    elif key in LOWER_BOUNDS:
        tightened = new > old
        text = f"{where} {'raised' if tightened else 'lowered'} from {old} to {new}"
    elif key in UPPER_BOUNDS:
        tightened = new < old
        text = f"{where} {'lowered' if tightened else 'raised'} from {old} to {new}"
    else:
        # A changed pattern (or any other constraint) may reject values the old one accepted.
        tightened = True
        text = f"{where} changed from {json.dumps(old)} to {json.dumps(new)}"
    return change("major" if tightened else "minor", table, f"{text} ({'tightened' if tightened else 'loosened'})")


def _field_changes(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    name = old["name"]
    changes = []
    for key in ("type", "format"):
        if old.get(key) != new.get(key):
            changes.append(change("major", table, f"field `{name}` {key} changed from {old.get(key)} to {new.get(key)}"))
    old_c, new_c = old.get("constraints", {}), new.get("constraints", {})
    for key in sorted(set(old_c) | set(new_c)):
        if old_c.get(key) != new_c.get(key):
            changes.append(_constraint_change(table, name, key, old_c.get(key), new_c.get(key)))
    for key in sorted((set(old) | set(new)) - {"name", "type", "format", "constraints"}):
        if old.get(key) != new.get(key):
            level = "patch" if key in DOC_KEYS else "major"
            changes.append(change(level, table, f"field `{name}` property `{key}` changed"))
    return changes


def schema_changes(table: str, old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Every difference between two Table Schemas of ``table``, each with its level."""
    old_fields = {f["name"]: (i, f) for i, f in enumerate(old.get("fields", []))}
    new_fields = {f["name"]: (i, f) for i, f in enumerate(new.get("fields", []))}
    removed = [n for n in old_fields if n not in new_fields]
    added = [n for n in new_fields if n not in old_fields]
    changes = []
    # A field removed and one added at the same position with the same type reads as a rename.
    for name in list(removed):
        index, field = old_fields[name]
        twin = next((a for a in added if new_fields[a][0] == index and new_fields[a][1].get("type") == field.get("type")), None)
        if twin is not None:
            changes.append(change("major", table, f"field `{name}` renamed to `{twin}`", "Removed"))
            removed.remove(name)
            added.remove(twin)
    changes += [change("major", table, f"field `{name}` removed", "Removed") for name in removed]
    for name in added:
        required = new_fields[name][1].get("constraints", {}).get("required", False)
        changes.append(change("major" if required else "minor", table,
                              f"{'required' if required else 'optional'} field `{name}` added", "Added"))
    common = [n for n in old_fields if n in new_fields]
    for name in common:
        changes += _field_changes(table, old_fields[name][1], new_fields[name][1])
    if common != [n for n in new_fields if n in old_fields]:
        changes.append(change("major", table, "column order changed"))
    if old.get("primaryKey") != new.get("primaryKey"):
        changes.append(change("major", table, f"primary key changed from {old.get('primaryKey')} to {new.get('primaryKey')}"))
    old_fk = {canonical_json(fk) for fk in old.get("foreignKeys", [])}
    new_fk = {canonical_json(fk) for fk in new.get("foreignKeys", [])}
    changes += [change("major", table, f"foreign key {fk} added (tightened)") for fk in sorted(new_fk - old_fk)]
    changes += [change("minor", table, f"foreign key {fk} removed (loosened)") for fk in sorted(old_fk - new_fk)]
    for key in sorted((set(old) | set(new)) - {"fields", "primaryKey", "foreignKeys"}):
        if old.get(key) != new.get(key):
            changes.append(change("patch" if key in DOC_KEYS else "major", table, f"schema property `{key}` changed"))
    return changes


# --- Row changes ---------------------------------------------------------

def _changed_columns(old_row: dict[str, Any], new_row: dict[str, Any]) -> dict[str, list[Any]]:
    columns = list(old_row) + [c for c in new_row if c not in old_row]
    return {c: [old_row.get(c), new_row.get(c)] for c in columns
            if canonical_json(old_row.get(c)) != canonical_json(new_row.get(c)) or (c in old_row) != (c in new_row)}


def table_diff(table: str, old: Side, new: Side) -> dict[str, Any]:
    """Rows added, removed and changed in one table present on both sides."""
    old_hashes = old.manifest["tables"][table]["row_hashes"]
    new_hashes = new.manifest["tables"][table]["row_hashes"]
    changed_keys = sorted(k for k in old_hashes.keys() & new_hashes.keys() if old_hashes[k] != new_hashes[k])
    result: dict[str, Any] = {
        "rows_old": len(old_hashes), "rows_new": len(new_hashes),
        "added": sorted(new_hashes.keys() - old_hashes.keys()),
        "removed": sorted(old_hashes.keys() - new_hashes.keys()),
        "changed": changed_keys,
    }
    if old.rows is not None and new.rows is not None:
        old_rows, new_rows = old.rows[table][1], new.rows[table][1]
        result["changed_columns"] = {k: _changed_columns(old_rows[k], new_rows[k]) for k in changed_keys}
    return result


# --- The diff --------------------------------------------------------------

def diff_sides(old: Side, new: Side) -> dict[str, Any]:
    """The diff of ``old`` -> ``new`` and the bump it requires."""
    old_tables, new_tables = old.manifest["tables"], new.manifest["tables"]
    changes: list[dict[str, Any]] = []
    tables: dict[str, Any] = {}
    for table in sorted(old_tables.keys() - new_tables.keys()):
        changes.append(change("major", table, f"table `{table}` removed", "Removed"))
    for table in sorted(new_tables.keys() - old_tables.keys()):
        changes.append(change("minor", table, f"table `{table}` added ({new_tables[table]['rows']} rows)", "Added"))
    for table in sorted(old_tables.keys() & new_tables.keys()):
        changes += schema_changes(table, old_tables[table]["schema"], new_tables[table]["schema"])
        rows = tables[table] = table_diff(table, old, new)
        if rows["removed"]:
            changes.append(change("major", table, f"{len(rows['removed'])} row(s) removed", "Removed"))
        if rows["added"]:
            changes.append(change("minor", table, f"{len(rows['added'])} row(s) added", "Added"))
        if rows["changed"]:
            changes.append(change("patch", table, f"{len(rows['changed'])} row(s) changed"))
        old_files = {fmt: files_fingerprint(f) for fmt, f in old_tables[table]["files"].items()}
        new_files = {fmt: files_fingerprint(f) for fmt, f in new_tables[table]["files"].items()}
        if old_files != new_files and not (rows["added"] or rows["removed"] or rows["changed"]):
            changes.append(change("patch", table, "files changed with the same rows and values"))
    old_meta, new_meta = old.manifest.get("metadata", {}), new.manifest.get("metadata", {})
    for key in sorted(old_meta.keys() | new_meta.keys()):
        if old_meta.get(key) != new_meta.get(key):
            changes.append(change("major" if key == "name" else "patch", None, f"package metadata `{key}` changed"))
    return {
        "old": {"label": old.label, "version": old.manifest.get("version")},
        "new": {"label": new.label, "version": new.manifest.get("version")},
        "bump": level_max([c["level"] for c in changes]),
        "changes": changes,
        "tables": tables,
    }


def diff(old_spec: str, new_spec: str, releases_dir: Path = RELEASES_DIR) -> dict[str, Any]:
    return diff_sides(load_side(old_spec, releases_dir), load_side(new_spec, releases_dir))


# --- Output ----------------------------------------------------------------

def _cell(value: Any) -> str:
    text = "∅" if value is None else canonical_json(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def diff_markdown(result: dict[str, Any]) -> str:
    """The diff for people: counts per table, every change with its level, then the rows."""
    lines = [f"# Diff {result['old']['label']} → {result['new']['label']}", "",
             f"Required bump: **{result['bump'].upper()}**", "",
             "| table | rows before | rows after | added | removed | changed |", "|---|---|---|---|---|---|"]
    for table, rows in result["tables"].items():
        lines.append(f"| `{table}` | {rows['rows_old']} | {rows['rows_new']} | {len(rows['added'])} | "
                     f"{len(rows['removed'])} | {len(rows['changed'])} |")
    lines += ["", "## Changes", ""]
    lines += [f"- {c['level'].upper()}: {'`' + c['table'] + '`: ' if c['table'] else ''}{c['change']}"
              for c in result["changes"]] or ["- none"]
    for table, rows in result["tables"].items():
        if not (rows["added"] or rows["removed"] or rows["changed"]):
            continue
        lines += ["", f"## Rows of `{table}`", ""]
        lines += [f"- added `{key}`" for key in rows["added"]]
        lines += [f"- removed `{key}`" for key in rows["removed"]]
        for key in rows["changed"]:
            columns = rows.get("changed_columns", {}).get(key)
            if columns is None:
                lines.append(f"- changed `{key}`")
                continue
            lines.append(f"- changed `{key}`: " + "; ".join(
                f"`{column}` {_cell(old)} → {_cell(new)}" for column, (old, new) in columns.items()))
    return "\n".join(lines) + "\n"


def diff_json(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n"


def diff_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="release version (1.0.0), manifest file, package folder or release zip")
    parser.add_argument("new", help="release version, manifest file, package folder or release zip (. is the project)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")


def diff_command(args: argparse.Namespace) -> None:
    """``python -m scripts diff OLD NEW [--json]``."""
    result = diff(args.old, args.new)
    print(diff_json(result) if args.json else diff_markdown(result), end="")
