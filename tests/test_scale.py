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


def _files(package: Path) -> dict[str, bytes]:
    return {p.relative_to(package).as_posix(): p.read_bytes()
            for p in sorted([*package.glob("data/*.*"), package / "datapackage.json"])}


def test_small_batches_and_row_groups_give_the_same_rows(built_package: Path, tmp_path: Path, monkeypatch) -> None:
    import pyarrow.parquet as pq

    from scripts import tables
    from scripts.build import build_package

    monkeypatch.setattr(tables, "SOURCES_PER_BATCH", 2)
    monkeypatch.setattr(tables, "ROWS_PER_GROUP", 7)
    build_package(tmp_path)
    for name in tables.TABLES:
        assert (tmp_path / "data" / f"{name}.csv").read_bytes() == (built_package / "data" / f"{name}.csv").read_bytes()
        small, default = (pq.ParquetFile(p / "data" / f"{name}.parquet") for p in (tmp_path, built_package))
        assert small.read().equals(default.read())
        assert small.metadata.num_rows <= 7 or small.metadata.num_row_groups > 1


def test_two_dask_workers_give_the_same_bytes_as_one_process(built_package: Path, tmp_path: Path) -> None:
    from scripts.build import write_package
    from scripts.tables import BuildInputs

    write_package(tmp_path, BuildInputs(), workers=2)
    assert _files(tmp_path) == _files(built_package)


def test_every_failing_source_is_reported_in_source_order(tmp_path: Path) -> None:
    import pytest
    import yaml

    from conftest import write_fixture_corpus
    from scripts.errors import BuildError
    from scripts.tables import build_rows

    corpus = write_fixture_corpus(tmp_path)
    for path in sorted(corpus["sources_dir"].glob("*.yaml"))[:3]:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["quotes"] = [{"text": "words nobody wrote", "kind": "direct"}]
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BuildError) as failure:
        build_rows(**corpus)
    problems = failure.value.problems
    assert len(problems) == 3 and problems == sorted(problems)
    assert all("'words nobody wrote' not found" in problem for problem in problems)


def test_a_cached_build_recomputes_only_what_changed_and_gives_the_same_bytes(tmp_path: Path, monkeypatch) -> None:
    import shutil

    import yaml

    from scripts import annotations as ann
    from scripts import tables
    from scripts.build import write_package
    from scripts.tables import BuildInputs

    sources = tmp_path / "sources"
    shutil.copytree(ann.SOURCES_DIR, sources)
    cached = BuildInputs(sources_dir=sources, cache_dir=tmp_path / "cache")
    write_package(tmp_path / "cold", cached)
    assert len(list((tmp_path / "cache").rglob("*.pickle"))) == len(list(sources.glob("*.yaml")))

    changed = sorted(sources.glob("*.yaml"))[0]
    data = yaml.safe_load(changed.read_text(encoding="utf-8"))
    data["notes"] = "A note added after the first build."
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    built = []
    original = tables.build_source
    monkeypatch.setattr(tables, "build_source", lambda source, *args: built.append(source.source_id)
                        or original(source, *args))
    write_package(tmp_path / "warm", cached)
    assert built == [data["source_id"]]  # the others came from the cache
    write_package(tmp_path / "full", BuildInputs(sources_dir=sources))
    assert _files(tmp_path / "warm") == _files(tmp_path / "full") != _files(tmp_path / "cold")


def test_a_source_whose_raw_file_is_not_named_plainly_is_never_served_from_the_cache(tmp_path: Path) -> None:
    from scripts.cache import source_key

    (tmp_path / "a.txt").write_text("Text A.\n", encoding="utf-8")
    annotation = tmp_path / "x.yaml"
    annotation.write_text("source_id: x\nraw_file: a.txt  # the file\n", encoding="utf-8")
    plain = source_key("salt", annotation, tmp_path)
    assert plain is not None
    (tmp_path / "a.txt").write_text("Text A, corrected.\n", encoding="utf-8")
    assert source_key("salt", annotation, tmp_path) not in (None, plain)  # the raw file is part of the key
    for unplain in ('raw_file: "a.txt"\n', "raw_file: a.txt\nraw_file: a.txt\n", "quotes: []\n"):
        annotation.write_text(f"source_id: x\n{unplain}", encoding="utf-8")
        assert source_key("salt", annotation, tmp_path) is None


def test_a_key_twice_is_reported_with_both_places(tmp_path: Path) -> None:
    import pytest
    import yaml

    from conftest import write_fixture_corpus
    from scripts.errors import BuildError
    from scripts.tables import build_rows

    corpus = write_fixture_corpus(tmp_path)
    path = sorted(corpus["sources_dir"].glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["quotes"] = [data["quotes"][0], dict(data["quotes"][0])]  # a copy: a shared dict would dump as an alias
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BuildError, match=r"quotes\[2\] .*: duplicate quotes key \('q-[0-9a-f]{12}',\) "
                                         r"\(same text and occurrence as .*quotes\[1\]"):
        build_rows(**corpus)
