"""Scaling behaviour users rely on: streaming hashes, the per-source build, partitioned output."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

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


def _drafted(tmp_path: Path, name: str, proposed: list, aliases: dict[str, str], speaker: str | None):
    """A drafted article as the map returns it, with the given proposals, local aliases and quote speaker."""
    from scripts import annotations as ann
    from scripts.draft import METADATA_FIELDS, DraftedArticle
    from scripts.drafter.mentions import DraftedEntities

    text = f"{name} said “words of {name}” today."
    raw = tmp_path / f"{name}.txt"
    raw.write_text(text, encoding="utf-8")
    quote = {"start": text.index("words"), "end": text.index("”"), "text": f"words of {name}", "kind": "direct",
             "speaker": speaker, "speaker_text": name, "speaker_role": None, "cue": "said", "channel": None,
             "note": None}
    return DraftedArticle(
        source_id="same-slug", raw_path=str(raw), raw_file=raw.name,
        raw_sha256=hashlib.sha256(text.encode()).hexdigest(), site_id="plain", text=text,
        metadata={key: None for key in METADATA_FIELDS}, mentions=[],
        proposed=DraftedEntities([ann.Entity(i, n, "PERSON", a, None) for i, n, a in proposed], dict(aliases)),
        quotes=[quote], statistics=[])


def test_drafts_written_as_they_arrive_equal_drafts_merged_at_the_end(tmp_path: Path) -> None:
    import copy

    from scripts import annotations as ann
    from scripts.draft import DraftWriter, annotation_yaml, entities_yaml, merge_proposals

    registry = {"kabul": ann.Entity("kabul", "Kabul", "GPE", [], None)}
    articles = [
        # a local alias that a later article proposes as an entity's name: dropped from the earlier file
        _drafted(tmp_path, "first", [("amir-zoba", "Amir Zoba", [])], {"Zoba": "amir-zoba", "Kabul city": "kabul"},
                 "amir-zoba"),
        # the same name again (its id is the earlier one) and a new entity whose id is taken (renamed -2)
        _drafted(tmp_path, "second", [("amir-zoba-x", "Amir Zoba", ["A. Zoba"]), ("kabul", "Kabul Bank", [])], {},
                 "amir-zoba-x"),
        _drafted(tmp_path, "third", [("zoba", "Zoba", [])], {}, "zoba"),
    ]
    expected = copy.deepcopy(articles)
    expected_proposed = merge_proposals(expected, registry)
    for number, article in enumerate(expected[1:], start=2):
        article.source_id = f"same-slug-{number}"

    writer = DraftWriter(tmp_path / "out", registry)
    for article in articles:
        writer.add(article)
    proposed = writer.finish()
    assert entities_yaml(proposed) == entities_yaml(expected_proposed)
    assert (tmp_path / "out" / "entities-proposed.yaml").read_text(encoding="utf-8") == entities_yaml(proposed)
    for article in expected:
        written = (tmp_path / "out" / "annotations" / f"{article.source_id}.yaml").read_text(encoding="utf-8")
        assert written == annotation_yaml(article)
    first = (tmp_path / "out" / "annotations" / "same-slug.yaml").read_text(encoding="utf-8")
    assert "Zoba:" not in first and "Kabul city: kabul" in first
    second = (tmp_path / "out" / "annotations" / "same-slug-2.yaml").read_text(encoding="utf-8")
    assert "speaker: amir-zoba\n" in second
    assert [e.entity_id for e in proposed] == ["amir-zoba", "kabul-2", "zoba"]


def test_draft_reads_folders_and_list_files(tmp_path: Path) -> None:
    import pytest

    from scripts.draft import input_paths
    from scripts.errors import BuildError

    folder = tmp_path / "raw"
    folder.mkdir()
    for name in ("b.txt", "a.md", ".hidden"):
        (folder / name).write_text("Text.\n", encoding="utf-8")
    (folder / "sub").mkdir()
    listing = tmp_path / "list.txt"
    listing.write_text("# articles of the second batch\n\nsome/where/c.txt\n  d.txt  \n", encoding="utf-8")
    assert input_paths(["x.txt", str(folder)], [listing]) == [
        "x.txt", str(folder / "a.md"), str(folder / "b.txt"), "some/where/c.txt", "d.txt"]
    with pytest.raises(BuildError, match="no articles to draft"):
        input_paths([], [])
    with pytest.raises(BuildError, match=r"missing\.txt: the list of articles cannot be read"):
        input_paths([], [tmp_path / "missing.txt"])


def test_drafting_in_two_runs_gives_the_files_of_one_run(tmp_path: Path) -> None:
    from conftest import write_fixture_corpus
    from scripts.draft import draft_files
    from scripts.schema import TABLES

    corpus = write_fixture_corpus(tmp_path / "corpus")
    raw = [str(p) for p in sorted(corpus["raw_dir"].iterdir())]
    messages: list[str] = []
    assert draft_files(raw, tmp_path / "one", report=messages.append, registry_path=corpus["registry_path"]) == []
    draft_files(raw[:2], tmp_path / "two", report=messages.append, registry_path=corpus["registry_path"])
    messages.clear()
    # the second run is given every article: the two drafted before are skipped, not drafted again
    assert draft_files(raw, tmp_path / "two", report=messages.append, registry_path=corpus["registry_path"]) == []
    assert f"drafted {len(raw) - 2} of {len(raw)} articles (2 skipped" in messages[-1]
    names = ["entities-proposed.yaml", *(f"data/{t}.csv" for t in TABLES),
             *(p.relative_to(tmp_path / "one").as_posix() for p in (tmp_path / "one" / "annotations").glob("*"))]
    assert len(names) > len(TABLES) + 1 + 2
    for name in names:
        assert (tmp_path / "two" / name).read_bytes() == (tmp_path / "one" / name).read_bytes(), name
    assert sorted(p.name for p in (tmp_path / "two" / "annotations").iterdir()) == sorted(
        p.name for p in (tmp_path / "one" / "annotations").iterdir())


def test_a_batch_spilled_where_it_runs_sends_back_counts_not_rows(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from conftest import write_fixture_corpus
    from scripts.tables import BuildInputs, RunStore, map_batch

    inputs = BuildInputs(**write_fixture_corpus(tmp_path / "corpus"))
    paths = inputs.source_paths()
    kept = map_batch(paths, 0, inputs, arrow=True)
    store = RunStore(tmp_path / "runs")
    spilled = map_batch(paths, 0, inputs, spill=store)
    assert spilled.tables == {} and spilled.rows == {} and spilled.raw_files == kept.raw_files
    assert spilled.counts == {name: table.num_rows for name, table in kept.tables.items()}
    for name, table in kept.tables.items():
        if table.num_rows:
            assert pq.read_table(tmp_path / "runs" / name / "000000000.parquet").equals(table)


def test_each_batch_copies_its_raw_files_into_the_package_and_a_failed_batch_copies_none(tmp_path: Path) -> None:
    import yaml

    from conftest import write_fixture_corpus
    from scripts.tables import BuildInputs, RunStore, map_batch

    inputs = BuildInputs(**write_fixture_corpus(tmp_path / "corpus"))
    paths = inputs.source_paths()
    batch = map_batch(paths, 0, inputs, spill=RunStore(tmp_path / "runs"), copy_raw_to=tmp_path / "package")
    raw_files = sorted(inputs.raw_dir.iterdir())
    assert batch.errors == [] and sorted(batch.copied) == [f"data/raw/{path.name}" for path in raw_files]
    for path in raw_files:
        assert (tmp_path / "package" / "data" / "raw" / path.name).read_bytes() == path.read_bytes()

    data = yaml.safe_load(paths[-1].read_text(encoding="utf-8"))
    data["quotes"] = [{"text": "words nobody wrote", "kind": "direct"}]
    paths[-1].write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    failed = map_batch(paths, 0, inputs, spill=RunStore(tmp_path / "runs-2"), copy_raw_to=tmp_path / "other")
    assert failed.errors and failed.copied == [] and not (tmp_path / "other").exists()


def test_a_staging_build_links_the_raw_files_and_a_copy_never_writes_through_an_earlier_link(tmp_path: Path) -> None:
    """make data's staging folder holds hard links to data/raw/ (validated, then removed: no file is created
    per article); a package handed on holds copies, and copying over a link left by an earlier build replaces
    the link instead of writing into the file it leads to."""
    import os

    from conftest import write_fixture_corpus
    from scripts.tables import BuildInputs, RunStore, map_batch

    inputs = BuildInputs(**write_fixture_corpus(tmp_path / "corpus"))
    paths = inputs.source_paths()
    raw_files = sorted(inputs.raw_dir.iterdir())
    linked = map_batch(paths, 0, inputs, spill=RunStore(tmp_path / "runs"), copy_raw_to=tmp_path / "staging",
                       link_raw=True)
    assert sorted(linked.copied) == [f"data/raw/{path.name}" for path in raw_files]
    for path in raw_files:
        assert os.path.samefile(tmp_path / "staging" / "data" / "raw" / path.name, path)

    package_raw = tmp_path / "package" / "data" / "raw"
    package_raw.mkdir(parents=True)
    decoy = tmp_path / "decoy.txt"
    decoy.write_text("not an article\n", encoding="utf-8")
    (package_raw / raw_files[0].name).hardlink_to(decoy)  # an earlier build's link
    map_batch(paths, 0, inputs, spill=RunStore(tmp_path / "runs-2"), copy_raw_to=tmp_path / "package")
    assert decoy.read_text(encoding="utf-8") == "not an article\n"
    for path in raw_files:
        copy = package_raw / path.name
        assert copy.read_bytes() == path.read_bytes() and not os.path.samefile(copy, path)


def test_an_unreferenced_raw_file_is_reported_before_a_key_twice_by_one_process_and_two_workers(
        tmp_path: Path) -> None:
    """The unreferenced raw files are found by a task while the key checks run: their problem still comes
    first, as when the steps ran one after the other, and without it the duplicate key is reported."""
    import pytest
    import yaml

    from conftest import write_fixture_corpus
    from scripts.build import write_package
    from scripts.errors import BuildError
    from scripts.tables import BuildInputs

    corpus = write_fixture_corpus(tmp_path / "corpus")
    path = sorted(corpus["sources_dir"].glob("*.yaml"))[0]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["quotes"] = [data["quotes"][0], dict(data["quotes"][0])]  # a copy: a shared dict would dump as an alias
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    stray = corpus["raw_dir"] / "stray.txt"
    stray.write_text("An article nobody annotated.\n", encoding="utf-8")
    for workers in (1, 2):
        with pytest.raises(BuildError) as raised:
            write_package(tmp_path / f"with-stray-{workers}", BuildInputs(**corpus), workers)
        assert [problem.split(":")[0] for problem in raised.value.problems] == [str(stray)]
        assert "no annotation file names this raw file" in raised.value.problems[0]
    stray.unlink()
    for workers in (1, 2):
        with pytest.raises(BuildError, match=r"duplicate quotes key"):
            write_package(tmp_path / f"without-stray-{workers}", BuildInputs(**corpus), workers)


def test_build_out_writes_nothing_when_the_build_fails_and_the_whole_package_when_it_passes(tmp_path: Path) -> None:
    """`build --out DIR` builds aside: the map copies raw files as it goes, yet a failed build leaves DIR
    as it was (no raw copy, no run file, no staging folder beside it); a good build then fills it."""
    import pytest
    import yaml

    from conftest import write_fixture_corpus
    from scripts.build import build_into
    from scripts.errors import BuildError
    from scripts.tables import BuildInputs

    corpus = write_fixture_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("the user's own file\n", encoding="utf-8")
    path = sorted(corpus["sources_dir"].glob("*.yaml"))[-1]
    good = path.read_text(encoding="utf-8")
    data = yaml.safe_load(good)
    data["quotes"] = [{"text": "words nobody wrote", "kind": "direct"}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for workers in (1, 2):
        with pytest.raises(BuildError, match="words nobody wrote"):
            build_into(out, BuildInputs(**corpus), workers)
        assert sorted(p.name for p in out.rglob("*")) == ["notes.txt"]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]

    path.write_text(good, encoding="utf-8")
    build_into(out, BuildInputs(**corpus))
    assert (out / "notes.txt").exists() and (out / "datapackage.json").exists()
    assert sorted(p.name for p in (out / "data" / "raw").iterdir()) == sorted(
        p.name for p in corpus["raw_dir"].iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]



def _wait_for(flag: str) -> tuple[int, bool]:
    """A long call: waits (at most 60 s) until ``flag`` exists; returns its process and whether it saw it."""
    deadline = time.monotonic() + 60
    while not Path(flag).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.getpid(), Path(flag).exists()


def _touch(flag: str | None, after: float = 0.0) -> int:
    """A call that creates ``flag`` (if any) ``after`` seconds; returns its process."""
    time.sleep(after)
    if flag:
        Path(flag).touch()
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def test_reduce_calls_go_to_the_first_free_worker_and_a_failure_waits_for_the_running_calls(tmp_path: Path) -> None:
    from scripts.build import executor, run_in_turn

    flag = str(tmp_path / "shorts-done")
    with executor(workers=2) as client:
        # the long call holds one worker until the last short call has run: every short call must go to
        # the other worker as it frees up (placed when submitted, one would wait behind the long call)
        (long_pid, saw_flag), *short_pids = run_in_turn(client, [(_wait_for, flag), (_touch, None), (_touch, None),
                                                                 (_touch, flag)])
        assert saw_flag and long_pid not in short_pids and len(set(short_pids)) == 1
        # a failing call raises once the call still running has finished (it may write into a folder the
        # caller removes on the error), and the calls not yet started are not started
        late, never = str(tmp_path / "late"), str(tmp_path / "never")
        with pytest.raises(ValueError, match="broken"):
            run_in_turn(client, [(_touch, late, 0.5), (_fail, "broken"), (_touch, never)])
        assert Path(late).exists() and not Path(never).exists()
    assert run_in_turn(None, [(_touch, None), (_touch, None)]) == [os.getpid()] * 2  # no client: here


def test_batches_cover_every_source_once_in_order_and_end_in_quarter_batches_on_several_workers() -> None:
    from scripts.tables import batches_of

    paths = [Path(f"s{index:04d}.yaml") for index in range(1000)]
    for workers in (1, 2, 3):
        batches = list(batches_of(paths, 100, workers))
        assert [path for batch, _ in batches for path in batch] == [str(path) for path in paths]
        assert [first for _, first in batches] == [sum(len(batch) for batch, _ in batches[:i])
                                                   for i in range(len(batches))]
        sizes = [len(batch) for batch, _ in batches]
        if workers == 1:
            assert sizes == [100] * 10
        else:  # the last workers * 100 sources in batches of 25
            assert sizes == [100] * (10 - workers) + [25] * (4 * workers)
    assert [len(batch) for batch, _ in batches_of(paths[:30], 100, 2)] == [25, 5]


def test_a_running_cluster_given_by_address_drafts_and_builds_the_bytes_of_one_process(tmp_path: Path) -> None:
    """``--scheduler tcp://HOST:PORT``: a cluster started here on loopback, its workers spawned (they share
    nothing with this process and set themselves up per run), drafts two runs with different registries and
    builds, each giving the files of one process."""
    import dask
    from dask.distributed import Client, LocalCluster

    from conftest import write_fixture_corpus
    from scripts.build import write_package
    from scripts.draft import draft_files
    from scripts.schema import TABLES
    from scripts.tables import BuildInputs

    corpus = write_fixture_corpus(tmp_path / "corpus")
    raw = [str(p) for p in sorted(corpus["raw_dir"].iterdir())]
    other_registry = tmp_path / "other-entities.yaml"
    other_registry.write_text("entities: []\n", encoding="utf-8")
    names = ["entities-proposed.yaml", *(f"data/{t}.csv" for t in TABLES), *(f"data/{t}.parquet" for t in TABLES)]
    with dask.config.set({"distributed.worker.multiprocessing-method": "spawn"}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                         dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://127.0.0.1:")
        for registry in (corpus["registry_path"], other_registry):
            one, many = tmp_path / f"one-{registry.stem}", tmp_path / f"cluster-{registry.stem}"
            assert draft_files(raw, one, report=lambda message: None, registry_path=registry) == []
            assert draft_files(raw, many, report=lambda message: None, registry_path=registry,
                               scheduler=address) == []
            for name in names:
                assert (many / name).read_bytes() == (one / name).read_bytes(), (registry.name, name)
        with Client(address) as client:  # the cluster's own workers drafted (a worker was set up for a run)
            runs = client.run(lambda: __import__("scripts.draft", fromlist=["x"])._WORKER_STATE.get("run"))
            assert any(runs.values())
        built_here, built_there = tmp_path / "built-here", tmp_path / "built-there"
        write_package(built_here, BuildInputs(**corpus))
        write_package(built_there, BuildInputs(**corpus), scheduler=address)
        for name in names[1:]:
            assert (built_there / name).read_bytes() == (built_here / name).read_bytes(), name
    assert (tmp_path / "one-other-entities" / "entities-proposed.yaml").read_bytes() != (
        tmp_path / "one-entities" / "entities-proposed.yaml").read_bytes()
