"""One writer per project, staging folders, and a publish that lands as a unit.

Takes a project folder; gives the commands that write its published state
(``build``, ``release``, ``add``, ``review``) three things:

- :func:`project_lock`: an exclusive, non-blocking ``flock`` on
  ``build/.lock``; a second writer is refused with a BuildError naming the
  holder's pid and command.
- :func:`staging_folder`: a fresh folder that holds a lock of its own while
  its process lives, so that :func:`clean_stale_staging` removes only the
  folders of killed runs (a printed line each), never a live one.
- :func:`publish_unit`: the staged files replace the project's through a
  journal, ``.publish-journal.json`` at the top of the project, written
  atomically before the first rename. It lists every file to move from the
  staging folder and the steps to run after them (the derived documents, a
  release's zip). The renames and steps are done, then the journal is
  removed. :func:`recover` (run by :func:`writing_command` before anything
  else, and by the command line before any command) finishes an interrupted
  publish: a file still in the staging folder is moved, one already moved is
  not, and the steps are re-run (each writes a function of the published
  state, so running one twice gives the same bytes). A kill at any point
  therefore leaves the old state (no journal yet) or, once the next command
  has run, the new one: never a mix. The design is in docs/versioning.md
  ("Interrupted builds and releases").
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from scripts.errors import BuildError

LOCK_PATH = Path("build") / ".lock"
JOURNAL_NAME = ".publish-journal.json"
JOURNAL_FORMAT = 1
STAGING_PREFIX = ".build-"  # staging folders inside the project (same file system: renames are atomic)
DRY_RUN_PREFIX = "release-"  # staging folders of release --dry-run, in the system's temporary folder
OPEN_SCRATCH_PREFIX = ".open-"  # the folder write_dist assembles the open flavour in, inside the project
HELD_NAME = ".held"  # the lock file inside a staging folder, locked while its process lives


# --- Locks ------------------------------------------------------------------

class LockedError(BuildError):
    """Another live process holds the project's lock."""


def _try_lock(handle: IO[Any]) -> bool:
    """Take an exclusive lock on ``handle`` without waiting; False when another process holds it."""
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def _command_line() -> str:
    """The holder's command line as it was typed (``python -m scripts build``), for the refusal message."""
    return " ".join(getattr(sys, "orig_argv", None) or sys.argv)


@contextmanager
def project_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the project's write lock for the block, or refuse with the holder's pid and command."""
    path = root / LOCK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        if not _try_lock(handle):
            handle.seek(0)
            holder = handle.read().strip() or "another process (it has not written its pid yet)"
            raise LockedError(f"{path}: the project is locked by {holder}; two commands cannot write "
                             f"{root} at once. Wait for it to end (if no such process runs, the lock "
                             "is already free: the system releases it when a process dies)")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({command}: {_command_line()})\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


# --- Staging folders ---------------------------------------------------------

@contextmanager
def staging_folder(parent: Path | None, prefix: str) -> Iterator[Path]:
    """A fresh folder in ``parent`` (None: the system's temporary folder), locked as live until the block ends.

    It is removed at the end, unless a pending publish journal still needs its files.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    with (folder / HELD_NAME).open("w", encoding="utf-8") as held:
        _try_lock(held)  # a fresh file: nobody else holds it
        try:
            yield folder
        finally:
            if parent is None or not _journal_needs(parent, folder):
                shutil.rmtree(folder, ignore_errors=True)


def _is_stale(folder: Path, in_project: bool) -> bool:
    """True when no live process holds ``folder``.

    In the project (its lock held) every staging folder was made by a holder of that lock, so one
    without a held lock file is stale; in the temporary folder only ours (with the file) are touched.
    """
    held = folder / HELD_NAME
    if not held.is_file():
        return in_project
    try:
        with held.open("a", encoding="utf-8") as handle:
            return _try_lock(handle)  # released again when the file closes
    except OSError:
        return False  # another user's folder, say: not ours to judge


def clean_stale_staging(parent: Path | None, prefix: str) -> list[Path]:
    """Remove the staging folders of killed runs in ``parent`` (None: the temporary folder); returns them."""
    where = Path(parent if parent is not None else tempfile.gettempdir())
    keep = _journal_staging(where) if parent is not None else None
    removed = []
    for folder in sorted(where.glob(f"{prefix}*")):
        if folder.is_dir() and not folder.is_symlink() and folder != keep and _is_stale(folder, parent is not None):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    if removed:
        print(f"removed {len(removed)} staging folder(s) left by killed runs: {', '.join(f.name for f in removed)}")
    return removed


# --- The journal ---------------------------------------------------------------

def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_text_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` by a synced temporary file and one rename: the old file or the new, never half."""
    temporary = path.with_name(f"{path.name}.tmp" if path.name.startswith(".") else f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    _fsync_folder(path.parent)


def read_journal(root: Path) -> dict[str, Any] | None:
    """The pending journal of ``root``, or None; a BuildError when it cannot be read."""
    path = root / JOURNAL_NAME
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, json.JSONDecodeError) as exc:
        raise BuildError(f"{path}: the journal of an interrupted publish cannot be read: {exc}") from None
    if not isinstance(journal, dict) or journal.get("journal_format") != JOURNAL_FORMAT or not all(
            isinstance(journal.get(key), list) for key in ("files", "after")):
        raise BuildError(f"{path}: not a publish journal of format {JOURNAL_FORMAT}")
    return journal


def _journal_staging(root: Path) -> Path | None:
    journal = read_journal(root)
    return None if journal is None else root / str(journal["staging"])


def _journal_needs(root: Path, folder: Path) -> bool:
    try:
        return _journal_staging(root) == folder
    except BuildError:
        return True  # an unreadable journal may name it: keep its files


def _inside(root: Path, relative: str, where: str) -> Path:
    """``root / relative`` for a plain relative path that stays inside ``root``."""
    parts = Path(relative).parts
    if not relative or Path(relative).is_absolute() or ".." in parts:
        raise BuildError(f"{where}: {relative!r} is not a path inside the project")
    return root / relative


def move(source: Path, target: Path) -> None:
    """One atomic rename of a staged file over the published one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _finish(root: Path, journal: dict[str, Any]) -> int:
    """Do what ``journal`` lists that is not done yet; returns the files moved now."""
    where = str(root / JOURNAL_NAME)
    staging = _inside(root, str(journal["staging"]), where)
    moved = 0
    for relative in journal["files"]:
        source, target = _inside(staging, relative, where), _inside(root, relative, where)
        if source.exists():
            move(source, target)
            moved += 1
        elif not target.exists():
            raise BuildError(f"{where}: {relative} is neither staged in {staging} nor published; the "
                             "interrupted publish cannot be finished (restore the files from version control)")
    removed = journal.get("remove", [])
    for relative in removed:   # files of the old state the new one has not (deleting twice is harmless)
        _inside(root, relative, where).unlink(missing_ok=True)
    for folder in sorted({(root / relative).parent for relative in removed}, reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()   # a table's folder of parts, now written as one file
    for folder in sorted({(root / relative).parent for relative in journal["files"]}):
        _fsync_folder(folder)  # the renames reach the disk before the journal that replays them goes
    for step in journal["after"]:
        try:
            run_step(root, step)
        except BuildError as exc:
            raise BuildError(f"{where}: the files of {journal.get('what', 'a build')} are published, but its "
                             f"step {step.get('step')!r} failed; fix this and run any command to finish it: "
                             f"{exc}") from None
    (root / JOURNAL_NAME).unlink()
    _fsync_folder(root)
    shutil.rmtree(staging, ignore_errors=True)
    return moved


def run_step(root: Path, step: dict[str, Any]) -> None:
    """One step that follows the renames: each writes a function of the published state."""
    kind = step.get("step")
    if kind == "derived":
        from scripts.derived import write_derived

        changed = write_derived(root)
        if changed:
            print(f"regenerated from the package: {', '.join(changed)}")
    elif kind == "dist":
        from scripts.release import write_dist

        write_dist(root, str(step["version"]))
    else:
        raise BuildError(f"{root / JOURNAL_NAME}: unknown step {step!r}")


def publish_unit(root: Path, staging: Path, files: Sequence[str], after: Sequence[dict[str, Any]],
                 what: str, remove: Sequence[str] = ()) -> None:
    """Replace ``files`` of ``root`` by those of ``staging`` as a unit, then run the ``after`` steps.

    ``remove``: published files the new state no longer has (a table now written as parts, or as fewer
    parts), deleted after the renames, as part of the unit. The caller holds :func:`project_lock`.
    Every staged file is synced before the journal is written, and the journal before the first rename.
    """
    for relative in files:
        with (staging / relative).open("rb") as handle:
            os.fsync(handle.fileno())
    journal: dict[str, Any] = {"journal_format": JOURNAL_FORMAT, "what": what,
                               "staging": staging.relative_to(root).as_posix(), "files": list(files),
                               "after": list(after)}
    if remove:   # only then: a journal without removals is the same as before removals existed
        journal["remove"] = list(remove)
    write_text_atomically(root / JOURNAL_NAME, json.dumps(journal, indent=1) + "\n")
    _finish(root, journal)


def recover(root: Path) -> dict[str, Any] | None:
    """Finish the publish a killed run left in ``root`` (the caller holds the lock); returns its journal."""
    journal = read_journal(root)
    if journal is None:
        return None
    moved = _finish(root, journal)
    print(f"finished the interrupted publish of {journal.get('what', 'a build')} in {root}: "
          f"{moved} of {len(journal['files'])} files moved now, {len(journal['after'])} step(s) run")
    return journal


def recover_if_pending(root: Path) -> None:
    """Before any command: finish an interrupted publish of ``root``, unless a live writer holds the lock."""
    if not (root / JOURNAL_NAME).exists():
        return
    try:
        with project_lock(root, "finishing an interrupted publish"):
            recover(root)
    except LockedError:
        pass  # a live writer is publishing it now


@contextmanager
def writing_command(root: Path, command: str) -> Iterator[dict[str, Any] | None]:
    """For a command that writes ``root``: lock, finish an interrupted publish, clean stale staging.

    Yields the journal of the publish it finished, if any.
    """
    with project_lock(root, command):
        finished = recover(root)
        for prefix in (STAGING_PREFIX, OPEN_SCRATCH_PREFIX):
            clean_stale_staging(root, prefix)
        clean_stale_staging(None, DRY_RUN_PREFIX)
        _remove_stale_journal_temporary(root)
        yield finished


def _remove_stale_journal_temporary(root: Path) -> None:
    """A journal killed while being written is a ``.tmp`` file that was never renamed: nothing used it."""
    temporary = root / f"{JOURNAL_NAME}.tmp"
    if temporary.exists():
        temporary.unlink()
        print(f"removed {temporary.name}, a journal never completed by a killed run")
