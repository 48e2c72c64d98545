"""One writer at a time, and a publish that lands as a unit (scripts/transaction.py).

A kill is simulated two ways: in this process, by a move that raises after k renames (every k), and
for real, by a child process that sends itself SIGKILL at a chosen point. After either, the next
command must finish the publish (the new state, exactly) or, when the kill came before the journal,
leave the old one, and remove the staging folders the killed run left. Fixtures are the fixture corpus
of tests/conftest.py: the old state is its package of four articles, the new one the build of three.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

import scripts.transaction as transaction
from conftest import ROOT, write_fixture_corpus
from scripts.build import build_and_publish, publish, published_files
from scripts.errors import BuildError
from scripts.transaction import JOURNAL_NAME, STAGING_PREFIX, project_lock

# What the derived step writes into a project without README or docs.
DERIVED = ["CITATION.cff", ".zenodo.json", "dataset.jsonld"]


class Killed(BaseException):
    """Stands for SIGKILL inside this process: nothing catches it."""


def published(folder: Path) -> dict[str, bytes]:
    """Every file of a project folder but build/ (reports, the lock), staging folders and the journal."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).parts[0] != "build"
            and not p.relative_to(folder).parts[0].startswith((STAGING_PREFIX, JOURNAL_NAME))}


def project_with_old_state(folder: Path, fixture_package: Path) -> Path:
    """A project folder publishing the fixture package (four articles), with the package config and schemas."""
    (folder / "config").mkdir(parents=True)
    shutil.copy(ROOT / "config" / "package.yaml", folder / "config" / "package.yaml")
    shutil.copytree(ROOT / "schemas", folder / "schemas")
    for relative in published_files():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixture_package / relative, folder / relative)
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three articles of the fixture corpus: a build of them is the new state."""
    return write_fixture_corpus(tmp_path_factory.mktemp("three") / "corpus", articles=3)


@pytest.fixture(scope="module")
def bad_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three articles with a quote that is not in its article: a build of it fails."""
    inputs = write_fixture_corpus(tmp_path_factory.mktemp("bad") / "corpus", articles=3)
    source = sorted(inputs["sources_dir"].glob("*.yaml"))[0]
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    data["quotes"][0]["text"] = "words that are not in the article"
    source.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return inputs


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory, fixture_package: Path,
           corpus: dict[str, Path]) -> tuple[dict[str, bytes], dict[str, bytes], Path]:
    """(old, new, staged): the project before and after an uninterrupted build, and a folder of the staged files."""
    project = project_with_old_state(tmp_path_factory.mktemp("reference"), fixture_package)
    old = published(project)
    staged = tmp_path_factory.mktemp("staged")
    build_and_publish(run_gx=False, target=project, **corpus)
    for relative in published_files():
        (staged / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(project / relative, staged / relative)
    new = published(project)
    assert set(new) == set(old) | set(DERIVED) and new != old
    return old, new, staged


@pytest.fixture
def project(tmp_path: Path, fixture_package: Path) -> Path:
    return project_with_old_state(tmp_path / "project", fixture_package)


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir()
                  if p.name.startswith((STAGING_PREFIX, transaction.OPEN_SCRATCH_PREFIX, JOURNAL_NAME)))


# --- A kill between renames ------------------------------------------------------------------

@pytest.mark.parametrize("renames_done", range(len(published_files()) + 1))
def test_a_publish_killed_after_any_rename_is_finished_by_the_next_command(
        renames_done: int, project: Path, states, bad_corpus, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):
    old, new, staged = states
    staging = project / f"{STAGING_PREFIX}killed"
    shutil.copytree(staged, staging)
    moves: list[Path] = []

    def move_then_die(source: Path, target: Path) -> None:
        if len(moves) == renames_done:
            raise Killed
        moves.append(source)
        os.replace(source, target)

    monkeypatch.setattr(transaction, "move", move_then_die)
    monkeypatch.setattr(transaction, "run_step", lambda root, step: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed), project_lock(project, "test"):
        publish(staging, project)
    monkeypatch.undo()
    left = published(project)
    if 0 < renames_done < len(published_files()):
        assert left != old and left != new, "the kill should have left a mix of old and new files"
    assert (project / JOURNAL_NAME).is_file() and staging.is_dir()
    capsys.readouterr()

    # the next command finishes the publish before its own work (which fails here), exactly once
    with pytest.raises(BuildError, match="not found in the normalised text"):
        build_and_publish(run_gx=False, target=project, **bad_corpus)
    assert "finished the interrupted publish of a build" in capsys.readouterr().out
    assert published(project) == new
    assert leftovers(project) == []


def test_a_kill_before_the_journal_leaves_the_old_state_and_its_staging_is_removed(
        project: Path, states, bad_corpus, capsys: pytest.CaptureFixture[str]):
    old, _new, staged = states
    staging = project / f"{STAGING_PREFIX}killed"  # a killed run's staging: its lock file is not held
    shutil.copytree(staged, staging)
    (staging / transaction.HELD_NAME).write_text("", encoding="utf-8")
    (project / f"{transaction.OPEN_SCRATCH_PREFIX}killed" / "data").mkdir(parents=True)  # write_dist's, killed
    (project / f"{JOURNAL_NAME}.tmp").write_text('{"journal_format": 1, "files": [', encoding="utf-8")
    with pytest.raises(BuildError, match="not found in the normalised text"):
        build_and_publish(run_gx=False, target=project, **bad_corpus)
    out = capsys.readouterr().out
    assert f"removed 1 staging folder(s) left by killed runs: {staging.name}" in out
    assert f"removed 1 staging folder(s) left by killed runs: {transaction.OPEN_SCRATCH_PREFIX}killed" in out
    assert "a journal never completed by a killed run" in out
    assert published(project) == old and leftovers(project) == []


# --- Real kills, in a child process ------------------------------------------------------------

DRIVER = """
import os, signal, sys
from pathlib import Path
import yaml
import scripts.transaction as transaction
import scripts.validate as validate
from scripts.build import build_and_publish

where, kill_at = sys.argv[1], sys.argv[2]
project = Path(where)
corpus = yaml.safe_load(Path(sys.argv[3]).read_text())
moved = []

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if kill_at == "validate":
    validate.validate_package = die
else:
    real = transaction.move
    def move(source, target):
        if len(moved) == int(kill_at):
            die()
        moved.append(source)
        real(source, target)
    transaction.move = move
build_and_publish(run_gx=False, target=project, **{k: Path(v) for k, v in corpus.items()})
"""


def run_killed(project: Path, corpus: dict[str, Path], kill_at: str) -> None:
    """Build ``corpus`` into ``project`` in a child process that sends itself SIGKILL at ``kill_at``."""
    inputs = project.parent / "inputs.yaml"
    inputs.write_text(yaml.safe_dump({k: str(v) for k, v in corpus.items()}), encoding="utf-8")
    child = subprocess.run([sys.executable, "-c", textwrap.dedent(DRIVER), str(project), kill_at, str(inputs)],
                           cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                           timeout=600)
    assert child.returncode == -9, child.stdout + child.stderr


def test_kill_9_between_renames_then_the_next_command_publishes_the_new_state(
        project: Path, states, corpus, bad_corpus, capsys: pytest.CaptureFixture[str]):
    old, new, _staged = states
    run_killed(project, corpus, "5")
    assert (project / JOURNAL_NAME).is_file()
    left = published(project)
    assert left != old and left != new
    with pytest.raises(BuildError, match="not found in the normalised text"):
        build_and_publish(run_gx=False, target=project, **bad_corpus)
    assert "8 of 13 files moved now" in capsys.readouterr().out
    assert published(project) == new and leftovers(project) == []


def test_kill_9_before_publishing_leaves_the_old_state_and_the_next_run_cleans_up(
        project: Path, states, corpus, bad_corpus, capsys: pytest.CaptureFixture[str]):
    old, _new, _staged = states
    run_killed(project, corpus, "validate")
    left_behind = leftovers(project)
    assert len(left_behind) == 1 and left_behind[0].startswith(STAGING_PREFIX)
    assert published(project) == old
    with pytest.raises(BuildError, match="not found in the normalised text"):
        build_and_publish(run_gx=False, target=project, **bad_corpus)
    assert f"left by killed runs: {left_behind[0]}" in capsys.readouterr().out
    assert published(project) == old and leftovers(project) == []


# --- One writer at a time ------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from scripts.transaction import DRY_RUN_PREFIX, project_lock, staging_folder

with project_lock(Path(sys.argv[1]), "holder"), staging_folder(None, DRY_RUN_PREFIX) as live:
    print(live, flush=True)
    time.sleep(600)
"""


def test_a_second_writer_is_refused_with_the_holders_pid_and_a_live_staging_folder_is_kept(
        project: Path, corpus):
    before = published(project)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLDER), str(project)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        live = Path(holder.stdout.readline().strip())
        assert live.is_dir()
        with pytest.raises(BuildError, match=rf"locked by pid {holder.pid} \(holder: "):
            build_and_publish(run_gx=False, target=project, **corpus)
        assert published(project) == before
        assert live not in transaction.clean_stale_staging(None, transaction.DRY_RUN_PREFIX) and live.is_dir()
    finally:
        holder.kill()
        holder.wait()
    assert live in transaction.clean_stale_staging(None, transaction.DRY_RUN_PREFIX)  # its holder is dead now
    assert not live.exists()
    build_and_publish(run_gx=False, target=project, **corpus)  # the lock died with its holder
    assert published(project) != before


@pytest.mark.parametrize("command", [["review", "fixture-article-1", "--by", "Someone"],
                                     ["add", "data/raw/fixture-1.txt"]])
def test_add_and_review_wait_for_no_one_they_refuse_while_another_command_writes(
        command: list[str], project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    import scripts.annotations
    from scripts.__main__ import main

    monkeypatch.setattr(scripts.annotations, "ROOT", project)
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLDER), str(project)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        live = Path(holder.stdout.readline().strip())
        assert main(command) == 1
        assert f"the project is locked by pid {holder.pid} (holder: " in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    shutil.rmtree(live, ignore_errors=True)


def test_any_command_finishes_a_pending_publish_unless_a_live_writer_holds_the_lock(
        project: Path, states, monkeypatch: pytest.MonkeyPatch):
    _old, new, staged = states
    staging = project / f"{STAGING_PREFIX}killed"
    shutil.copytree(staged, staging)
    monkeypatch.setattr(transaction, "run_step", lambda root, step: (_ for _ in ()).throw(Killed()))
    with pytest.raises(Killed), project_lock(project, "test"):
        publish(staging, project)
    monkeypatch.undo()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(HOLDER), str(project)], cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None
        live = Path(holder.stdout.readline().strip())
        transaction.recover_if_pending(project)  # the holder may be publishing it: left alone
        assert (project / JOURNAL_NAME).is_file()
    finally:
        holder.kill()
        holder.wait()
    shutil.rmtree(live, ignore_errors=True)
    transaction.recover_if_pending(project)
    assert published(project) == new and leftovers(project) == []


def test_a_failing_step_keeps_the_journal_and_says_what_to_fix(project: Path, states, monkeypatch):
    _old, new, staged = states
    staging = project / f"{STAGING_PREFIX}staged"
    shutil.copytree(staged, staging)
    (project / "config" / "package.yaml").rename(project / "config" / "moved.yaml")
    with pytest.raises(BuildError, match=r"the files of a test publish are published, but its step 'derived' "
                                         r"failed; fix this"), project_lock(project, "test"):
        publish(staging, project, what="a test publish")
    assert (project / JOURNAL_NAME).is_file()
    (project / "config" / "moved.yaml").rename(project / "config" / "package.yaml")
    transaction.recover_if_pending(project)
    assert published(project) == new and leftovers(project) == []


# --- A journal is input too ---------------------------------------------------------------------

def write_journal(project: Path, **fields) -> None:
    journal = {"journal_format": transaction.JOURNAL_FORMAT, "what": "a build", "staging": f"{STAGING_PREFIX}x",
               "files": [], "after": [], **fields}
    (project / JOURNAL_NAME).write_text(json.dumps(journal), encoding="utf-8")


@pytest.mark.parametrize("fields", [{"staging": "../elsewhere"}, {"files": ["../outside.txt"]},
                                    {"files": ["/etc/hostname"]}])
def test_a_journal_naming_a_path_outside_the_project_is_refused_and_nothing_moves(project: Path, fields):
    (project / f"{STAGING_PREFIX}x").mkdir()
    (project.parent / "outside.txt").write_text("not the project's", encoding="utf-8")
    before = published(project)
    write_journal(project, **fields)
    with pytest.raises(BuildError, match=rf"{JOURNAL_NAME}: .* is not a path inside the project"):
        transaction.recover_if_pending(project)
    assert published(project) == before
    assert (project.parent / "outside.txt").read_text(encoding="utf-8") == "not the project's"


def test_a_journal_of_another_format_is_named_and_not_replayed(project: Path):
    write_journal(project, journal_format=transaction.JOURNAL_FORMAT + 1)
    with pytest.raises(BuildError, match=rf"{JOURNAL_NAME}: not a publish journal of format "
                                         rf"{transaction.JOURNAL_FORMAT}"):
        transaction.recover_if_pending(project)
    assert (project / JOURNAL_NAME).is_file()


def test_stale_staging_is_removed_but_the_folder_a_pending_journal_needs_is_kept(project: Path):
    (project / f"{STAGING_PREFIX}x").mkdir()
    (project / f"{STAGING_PREFIX}killed").mkdir()
    write_journal(project)
    removed = transaction.clean_stale_staging(project, STAGING_PREFIX)
    assert removed == [project / f"{STAGING_PREFIX}killed"]
    assert (project / f"{STAGING_PREFIX}x").is_dir()
