"""Scaling behaviour users rely on: streaming hashes, the per-source build, partitioned output."""

from __future__ import annotations

import hashlib
from pathlib import Path

from scripts import hashing
from scripts.hashing import file_sha256


def test_a_file_is_hashed_in_chunks_to_the_hash_of_its_bytes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(hashing, "CHUNK_BYTES", 7)
    data = bytes(range(256)) * 3 + "Kabul ’".encode()
    path = tmp_path / "table.csv"
    path.write_bytes(data)
    assert file_sha256(path) == (len(data), hashlib.sha256(data).hexdigest())
    (tmp_path / "empty.csv").write_bytes(b"")
    assert file_sha256(tmp_path / "empty.csv") == (0, hashlib.sha256(b"").hexdigest())
