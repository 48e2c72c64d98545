"""SHA-256 and size of a file, read in chunks so that memory does not grow with the file.

Takes a path; returns its size in bytes and the hexadecimal SHA-256 of its
content. Every file hash of the pipeline (descriptor, manifest, validation)
goes through :func:`file_sha256`, so that a multi-GiB table is hashed in a
few MiB of memory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK_BYTES = 1 << 20


def file_sha256(path: Path) -> tuple[int, str]:
    """(size in bytes, hex SHA-256) of the file at ``path``; raises OSError when it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def text_sha256(text: str) -> str:
    """Hex SHA-256 of ``text`` as UTF-8: ``texts.text_sha256`` and the open flavour's span hashes, which
    hydration matches against one another, so both go through this one function."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
