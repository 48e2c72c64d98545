"""Content-hash cache of each source's rows, so that an unchanged source is not recomputed.

Takes a cache folder, the build's inputs and one source's annotation file;
returns the rows :func:`scripts.tables.source_rows` computed for it last time,
when nothing they depend on changed, and saves new ones. A source's key is the
SHA-256 of its annotation file (path and bytes), its raw file's bytes and the
build's *salt*: the registry file, the site profiles, the Table Schemas and the
code of the stages that compute rows. Any change to one of those gives a new
key, so a cached build is byte-identical to a full one; a registry change
recomputes every source (a new name may be matched in any text). Entries are
written atomically (a reader never sees half a file) and never pruned: delete
the folder to reclaim the space. A failing source is never cached.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import tempfile
from pathlib import Path
from typing import Any

from scripts.schema import SCHEMAS_DIR

CACHE_FORMAT = "1"  # bump when the cached value changes shape
# The modules whose code decides a source's rows.
CODE_FILES = ("annotations.py", "strict_yaml.py", "sources.py", "normalise.py", "tables.py", "schema.py", "cache.py")
SCRIPTS_DIR = Path(__file__).resolve().parent
# The one form of the raw file's name a key is made from: a plain file name on a top-level line.
RAW_FILE_LINE = re.compile(rb"^raw_file: *([A-Za-z0-9_.-]+)(?: +#[^\r\n]*| *)\r?$", re.MULTILINE)


def build_salt(registry_path: Path, profiles: Any) -> str:
    """What every source's rows depend on besides its own files, as one hash."""
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    digest.update(str(registry_path).encode() + b"\0" + registry_path.read_bytes())
    digest.update(repr(profiles).encode())
    for path in [*sorted(SCHEMAS_DIR.glob("*.json")), *(SCRIPTS_DIR / name for name in CODE_FILES)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def source_key(salt: str, annotation_path: Path, raw_dir: Path) -> str | None:
    """The key of one source's rows, or None: no cache for this source (the build will read it in full).

    The raw file is the one named by the annotation's top-level ``raw_file:`` line, read without parsing
    the YAML (a cache hit costs two file reads); an annotation that names it any other way, or a file
    that cannot be read, has no key.
    """
    try:
        annotation = annotation_path.read_bytes()
        named = RAW_FILE_LINE.findall(annotation)
        if len(named) != 1:
            return None
        raw = (raw_dir / named[0].decode()).read_bytes()
    except (OSError, UnicodeDecodeError):
        return None
    digest = hashlib.sha256(salt.encode())
    for part in (str(annotation_path).encode(), annotation, named[0], raw):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def _entry(cache_dir: Path, key: str) -> Path:
    return cache_dir / key[:2] / f"{key}.pickle"


def load(cache_dir: Path, key: str) -> dict[str, list[dict[str, Any]]] | None:
    """The rows saved under ``key``, or None."""
    try:
        with _entry(cache_dir, key).open("rb") as handle:
            rows: dict[str, list[dict[str, Any]]] = pickle.load(handle)  # noqa: S301 (our own files)
    except (OSError, EOFError, pickle.UnpicklingError):
        return None
    return rows


def save(cache_dir: Path, key: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Save ``rows`` under ``key``, atomically (write a temporary file, then rename it)."""
    path = _entry(cache_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(handle, "wb") as out:
        pickle.dump(rows, out, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, path)
