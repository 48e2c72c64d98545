"""Read a package handed in by a user as untrusted input (``validate PATH``, ``diff A B``).

Takes a package folder or a release zip; returns a :class:`Package`: its
descriptor and, per declared resource, the files it names (one, or the parts
of a multi-path resource with the path, bytes and hash its ``parts`` declares
for each) and the Table Schema it declares, read from inside the package. Every path a package names
(resource paths, schema paths, ``sources.raw_path``, CITATION.cff) is checked
before anything opens it: relative, POSIX, no ``..``, no URL, no symbolic link
leading out of the package, and a regular file (never a device, FIFO, socket
or folder). A zip is unpacked member by member into a scratch folder under
limits on member count, total size and compression ratio, with no member
leaving its folder and no symbolic link. A malformed descriptor or an unsafe
path is a :class:`BuildError` that lists every problem found, naming the
resource and the path.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Iterator

from scripts.errors import BuildError
from scripts.schema import ARROW_TYPES, TABLES, TableSchema

DESCRIPTOR = "datapackage.json"
FORMATS = ("csv", "parquet")   # the formats this project publishes and reads
# A descriptor or Table Schema is a few KiB; a larger one is not this project's (nor read into memory).
MAX_JSON_BYTES = 16 << 20
# Release zips hold the tables and one raw file per article: these limits sit far above a
# release of a million articles and far below what fills a disk or memory.
ZIP_MAX_MEMBERS = 2_000_000
ZIP_MAX_BYTES = 64 << 30
# Text compresses about 3 to 10 times with deflate; a zip bomb a thousand times and more.
ZIP_MAX_RATIO = 200
ZIP_RATIO_FLOOR = 1 << 20     # members smaller than this may compress better (a file of blanks)
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")


# --- Paths -------------------------------------------------------------------

def path_problem(folder: Path, relative: Any) -> str | None:
    """Why ``relative`` may not be opened inside ``folder`` (None when it may, or when it does not exist:
    a missing file is reported by whoever needs it). Nothing is opened: names are looked at with lstat."""
    if not isinstance(relative, str) or not relative:
        return "is not a path (a non-empty string)"
    if "\x00" in relative or "\\" in relative:
        return "is not a POSIX path (it holds a NUL or a backslash)"
    if URL.match(relative):
        return "is a URL or a drive; a package is read from its own files, never over the network"
    if relative.startswith("/"):
        return "is absolute; paths in a package are relative to its folder"
    parts = relative.split("/")
    if ".." in parts:
        return "leaves the package ('..')"
    if any(part in ("", ".") for part in parts):
        return "is not a plain relative path (an empty or '.' part)"
    root = folder.resolve()
    current = root
    for index, part in enumerate(parts):
        current = current / part
        try:
            mode = os.lstat(current).st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            return f"cannot be looked at: {exc.strerror}"
        if stat.S_ISLNK(mode):
            target = current.resolve()
            if not target.is_relative_to(root):
                return f"is a symbolic link out of the package (to {target})"
            try:
                mode = os.stat(target).st_mode
            except OSError:
                return None
            current = target
        last = index == len(parts) - 1
        if not last and not stat.S_ISDIR(mode):
            return f"is not a path to a file: {'/'.join(parts[:index + 1])} is not a folder"
        if last and not stat.S_ISREG(mode):
            return "is not a regular file (a folder, device, FIFO or socket)"
    return None


def inside(folder: Path, relative: Any, what: str) -> Path:
    """The file ``relative`` names in ``folder``, once :func:`path_problem` finds nothing wrong with it;
    a BuildError naming ``what`` and the path otherwise."""
    problem = path_problem(folder, relative)
    if problem is not None:
        raise BuildError(f"{what}: path {relative!r} {problem}")
    return folder.joinpath(*str(relative).split("/"))


def read_json(path: Path, what: str) -> Any:
    """A small JSON file (at most :data:`MAX_JSON_BYTES`), read once its path has been checked."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_JSON_BYTES + 1)
    except OSError as exc:
        raise BuildError(f"{what}: cannot be read: {exc.strerror}") from None
    if len(data) > MAX_JSON_BYTES:
        raise BuildError(f"{what}: larger than {MAX_JSON_BYTES >> 20} MiB; not a descriptor or Table Schema")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BuildError(f"{what}: cannot be read as JSON: {exc}") from None


def read_descriptor_json(package_dir: Path) -> dict[str, Any]:
    """The ``datapackage.json`` of a package folder as a JSON object (paths not yet checked)."""
    path = package_dir / DESCRIPTOR
    descriptor = read_json(path, str(path))
    if not isinstance(descriptor, dict):
        raise BuildError(f"{path}: not a JSON object")
    return descriptor


def package_schemas(package_dir: Path, descriptor: dict[str, Any] | None = None) -> dict[str, TableSchema]:
    """Each table's Table Schema as the package declares it: the ``schema`` of its resource named after the
    table, its path checked to stay inside the package before it is read."""
    descriptor = read_descriptor_json(package_dir) if descriptor is None else descriptor
    where = package_dir / DESCRIPTOR
    resources = descriptor.get("resources")
    named = {r.get("name"): r for r in resources if isinstance(r, dict)} if isinstance(resources, list) else {}
    schemas = {}
    for table in TABLES:
        if "schema" not in named.get(table, {}):
            raise BuildError(f"{where}: resources: no resource {table!r} with a schema")
        path = inside(package_dir, named[table]["schema"], f"{where}: resource {table!r} schema")
        schemas[table] = TableSchema(table, read_json(path, str(path)))
    return schemas


# --- The descriptor ------------------------------------------------------------

@dataclass(frozen=True)
class Resource:
    """One declared resource: its descriptor entry, the file it names and the Table Schema it declares."""

    name: str
    path: str                      # relative to the package folder, checked by path_problem (a multi-path
                                   # resource's first part: read ``paths`` to read all of it)
    format: str                    # csv or parquet
    schema: dict[str, Any]         # the Table Schema, read from inside the package, keys as lists
    declared_schema: dict[str, Any]   # the same as written
    schema_path: str | None        # where it was read from (None for a schema written inline)
    descriptor: dict[str, Any]
    paths: tuple[str, ...] = ()    # every file of the resource in order: one, or a multi-path resource's parts
    # (path, bytes, hash) of each part as the descriptor's ``parts`` declares them (empty for one file)
    parts: tuple[tuple[str, int, str], ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        """Every file of the resource, in order (its one ``path``, or each part)."""
        return self.paths or (self.path,)


@dataclass(frozen=True)
class Package:
    """A package folder whose descriptor is well formed and whose paths all stay inside it."""

    folder: Path
    descriptor: dict[str, Any]
    resources: list[Resource]

    def file(self, relative: str) -> Path:
        return self.folder.joinpath(*relative.split("/"))

    def resource(self, name: str) -> Resource | None:
        return next((r for r in self.resources if r.name == name), None)


def schema_problems(schema: Any) -> list[str]:
    """What keeps a Table Schema from being read by the checks (fields with a name and a known type,
    keys naming fields); the Data Package profile check reports the rest."""
    if not isinstance(schema, dict):
        return ["is not a JSON object"]
    fields = schema.get("fields")
    if not isinstance(fields, list) or not fields:
        return ["has no list of fields"]
    problems, names = [], []
    for index, spec in enumerate(fields):
        if not isinstance(spec, dict) or not isinstance(spec.get("name"), str):
            problems.append(f"field {index + 1} has no name")
            continue
        names.append(spec["name"])
        if spec.get("type") not in ARROW_TYPES:
            problems.append(f"field {spec['name']!r} has the type {spec.get('type')!r}; this dataset's types "
                            f"are {', '.join(ARROW_TYPES)}")
        if not isinstance(spec.get("constraints", {}), dict):
            problems.append(f"field {spec['name']!r}: constraints is not an object")
    if len(set(names)) != len(names):
        problems.append("two fields have the same name")
    key = schema.get("primaryKey")
    key = [key] if isinstance(key, str) else key
    if not isinstance(key, list) or not key or any(k not in names for k in key):
        problems.append(f"primaryKey {schema.get('primaryKey')!r} does not name fields of the schema")
    declared = schema.get("foreignKeys", [])
    for foreign in declared if isinstance(declared, list) else [declared]:
        reference = foreign.get("reference") if isinstance(foreign, dict) else None
        if not isinstance(foreign, dict) or not isinstance(reference, dict) \
                or not isinstance(foreign.get("fields"), (str, list)) or not isinstance(reference.get("fields"), (str, list)):
            problems.append(f"foreign key {foreign!r} has no fields and reference")
    return problems


def normalised(schema: dict[str, Any]) -> dict[str, Any]:
    """A well-formed Table Schema with its keys written as lists (a single field may be written as a string)."""
    schema = dict(schema)
    if isinstance(schema["primaryKey"], str):
        schema["primaryKey"] = [schema["primaryKey"]]
    schema["foreignKeys"] = [{"fields": [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"],
                              "reference": {**fk["reference"], "fields": [fk["reference"]["fields"]]
                                            if isinstance(fk["reference"]["fields"], str) else fk["reference"]["fields"]}}
                             for fk in schema.get("foreignKeys", [])]
    if not schema["foreignKeys"]:
        del schema["foreignKeys"]
    return schema


def _schema(folder: Path, resource: dict[str, Any], where: str) -> tuple[dict[str, Any], str | None]:
    """The Table Schema a resource declares (inline or by path inside the package), normalised."""
    declared = resource.get("schema")
    path: str | None = None
    if isinstance(declared, str):
        path = declared
        declared = read_json(inside(folder, path, f"{where} schema"), f"{where} schema {path!r}")
    problems = schema_problems(declared)
    if problems:
        raise BuildError.of([f"{where} schema{f' {path!r}' if path else ''} {p}" for p in problems])
    assert isinstance(declared, dict)   # schema_problems found it an object
    return declared, path


def _resource(folder: Path, index: int, resource: Any) -> Resource:
    """One entry of ``resources``, checked; a BuildError listing its problems otherwise."""
    if not isinstance(resource, dict):
        raise BuildError(f"resource {index + 1}: not a JSON object")
    name = resource.get("name")
    where = f"resource {index + 1} ({name!r})" if isinstance(name, str) and name else f"resource {index + 1}"
    problems = [] if isinstance(name, str) and name else [f"{where}: has no name"]
    path = resource.get("path")
    paths: list[Any] = path if isinstance(path, list) else [path]
    if path is None:
        problems.append(f"{where}: has no path (inline data is not read)")
        paths = []
    elif isinstance(path, list) and not path:
        problems.append(f"{where}: path is an empty list")
    problems += [f"{where}: path {p!r} {problem}" for p in paths if (problem := path_problem(folder, p))]
    if len({p for p in paths if isinstance(p, str)}) < len(paths):
        problems.append(f"{where}: path lists a file twice")
    declared_format = resource.get("format")
    suffixes = {PurePosixPath(p).suffix.lstrip(".") for p in paths if isinstance(p, str)}
    suffix = suffixes.pop() if len(suffixes) == 1 else None
    file_format = declared_format if isinstance(declared_format, str) else suffix
    if file_format not in FORMATS:
        problems.append(f"{where}: format {file_format!r} is not one this dataset reads ({', '.join(FORMATS)})")
    parts: list[tuple[str, int, str]] = []
    if isinstance(path, list):
        parts, part_problems = _parts(resource, path)
        problems += [f"{where}: {p}" for p in part_problems]
    elif "parts" in resource:
        problems.append(f"{where}: has parts but one path; parts describe the files of a multi-path resource")
    if resource.get("schema") is None:
        problems.append(f"{where}: has no schema")
    schema: dict[str, Any] = {}
    schema_path: str | None = None
    if resource.get("schema") is not None:
        try:
            schema, schema_path = _schema(folder, resource, where)
        except BuildError as exc:
            problems += exc.problems
    if problems:
        raise BuildError.of(problems)
    files = tuple(str(p) for p in paths)
    return Resource(str(name), files[0], str(file_format), normalised(schema), schema, schema_path, resource,
                    files if isinstance(path, list) else (), tuple(parts))


def _parts(resource: dict[str, Any], paths: list[Any]) -> tuple[list[tuple[str, int, str]], list[str]]:
    """The ``parts`` of a multi-path resource, (path, bytes, hash) each, and what is wrong with them: one
    entry per path, in the order of ``path``, with a whole number of bytes and a ``sha256:`` hash, so
    that every part can be checked (a resource-level hash would describe no file)."""
    declared = resource.get("parts")
    if not isinstance(declared, list):
        return [], ["has several paths but no list of parts (path, bytes and hash of each)"]
    problems, parts = [], []
    if [p.get("path") if isinstance(p, dict) else None for p in declared] != paths:
        problems.append("its parts do not list the files of its path, in the same order")
    for index, part in enumerate(declared):
        if not isinstance(part, dict):
            problems.append(f"part {index + 1} is not a JSON object")
            continue
        size, digest = part.get("bytes"), part.get("hash")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            problems.append(f"part {part.get('path')!r}: bytes {size!r} is not a whole number of bytes")
        elif not isinstance(digest, str) or not SHA256.match(digest):
            problems.append(f"part {part.get('path')!r}: hash {digest!r} is not 'sha256:' and 64 hex digits")
        else:
            parts.append((str(part.get("path")), size, digest))
    return ([] if problems else parts), problems


def read_package(folder: Path) -> Package:
    """The package in ``folder``: its descriptor and every declared resource, each path checked and
    each schema read from inside the package; one BuildError listing every problem otherwise."""
    folder = folder.resolve()
    where = folder / DESCRIPTOR
    descriptor = read_json(inside(folder, DESCRIPTOR, str(folder)), str(where))
    if not isinstance(descriptor, dict):
        raise BuildError(f"{where}: not a JSON object but {type(descriptor).__name__}")
    declared = descriptor.get("resources")
    if not isinstance(declared, list) or not declared:
        raise BuildError(f"{where}: 'resources' is not a non-empty list")
    problems: list[str] = []
    resources: list[Resource] = []
    for index, entry in enumerate(declared):
        try:
            resources.append(_resource(folder, index, entry))
        except BuildError as exc:
            problems += exc.problems
    names = [r.name for r in resources]
    problems += [f"resource name {n!r} is declared more than once" for n in sorted({n for n in names if names.count(n) > 1})]
    if problems:
        raise BuildError.of([f"{where}: {p}" for p in problems])
    return Package(folder, descriptor, resources)


# --- Zips ----------------------------------------------------------------------------

def member_problem(member: zipfile.ZipInfo) -> str | None:
    """Why one zip member may not be unpacked (None when it may)."""
    name = member.filename
    if stat.S_ISLNK(member.external_attr >> 16):
        return "is a symbolic link"
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return "is not a file or a folder"
    if "\x00" in name or "\\" in name or URL.match(name) or name.startswith("/"):
        return "is not a relative POSIX path"
    if ".." in name.split("/"):
        return "is outside the archive's folder ('..')"
    if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1):
        return f"unpacks to {member.file_size} bytes from {member.compress_size} (more than {ZIP_MAX_RATIO} times)"
    return None


def _copy_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: int) -> int:
    """Unpack one member, counting the bytes actually written (the sizes in a zip's headers are claims)."""
    written = 0
    with archive.open(member) as source, target.open("xb") as sink:
        while chunk := source.read(1 << 20):
            written += len(chunk)
            if written > member.file_size or written > budget:
                raise BuildError(f"{archive.filename}: member {member.filename!r} unpacks to more bytes than "
                                 f"it declares or than the {ZIP_MAX_BYTES >> 30} GiB limit")
            sink.write(chunk)
    return written


def unpack(path: Path, scratch: Path) -> Path:
    """Unpack the release zip ``path`` into ``scratch`` safely; returns the one folder it holds."""
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BuildError(f"{path}: cannot be read as a zip: {exc}") from None
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise BuildError(f"{path}: {len(members)} members, more than the limit of {ZIP_MAX_MEMBERS}")
        problems = [f"{path}: member {m.filename!r} {p}" for m in members if (p := member_problem(m))]
        declared = sum(m.file_size for m in members)
        if declared > ZIP_MAX_BYTES:
            problems.append(f"{path}: unpacks to {declared} bytes, more than the limit of {ZIP_MAX_BYTES >> 30} GiB")
        tops = {m.filename.split("/")[0] for m in members if m.filename.strip("/")}
        if len(tops) != 1:
            problems.append(f"{path}: a release zip holds one folder; found {', '.join(sorted(tops)) or 'nothing'}")
        names = [m.filename.rstrip("/") for m in members]
        if len(set(names)) != len(names):
            problems.append(f"{path}: a member name occurs more than once")
        if problems:
            raise BuildError.of(problems)
        budget = ZIP_MAX_BYTES
        for member in members:
            target = scratch.joinpath(*member.filename.rstrip("/").split("/"))
            try:
                if member.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_member(archive, member, target, budget)
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
                raise BuildError(f"{path}: member {member.filename!r} cannot be unpacked: {exc}") from None
    return scratch / tops.pop()


@contextmanager
def package_folder(path: Path | None) -> Iterator[Path | None]:
    """``path`` itself, or for a release zip the folder it unpacks to (in a scratch folder removed after)."""
    # is_file first: a FIFO or device is never opened to look for a zip's signature
    if path is None or not path.is_file() or not zipfile.is_zipfile(path):
        yield path
        return
    scratch = Path(tempfile.mkdtemp(prefix="package-"))
    try:
        yield unpack(path, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
