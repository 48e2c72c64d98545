"""The install that explains itself: the Makefile's Python check, venv rebuild and pip output.

Each test runs the project's Makefile in tmp_path with an empty requirements.lock, so
pip installs nothing (and needs no network): what is checked is what make does around it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "requirements.lock").write_text("", encoding="utf-8")
    return tmp_path


def make(project: Path, *arguments: str, terminal: bool = False) -> tuple[int, str]:
    """Run make in ``project`` with this test's Python; stdout and stderr together, on a terminal if asked."""
    command = ["make", f"PYTHON={sys.executable}", *arguments]
    if not terminal:
        done = subprocess.run(command, cwd=project, capture_output=True, text=True)
        return done.returncode, done.stdout + done.stderr
    reader, writer = os.openpty()
    try:
        done = subprocess.run(command, cwd=project, stdout=writer, stderr=writer)
    finally:
        os.close(writer)
    output = b""
    while True:
        try:
            chunk = os.read(reader, 65536)
        except OSError:  # EIO: the terminal's other end is closed and everything was read
            break
        if not chunk:
            break
        output += chunk
    os.close(reader)
    return done.returncode, output.decode("utf-8", "replace")


def test_a_python_older_than_the_minimum_is_refused_before_anything_is_made(project: Path):
    status, output = make(project, "PYTHON_MIN=99.0", ".venv/.installed")
    assert status != 0
    assert f"error: Python 99.0 or newer is needed; {sys.executable} is Python" in output
    assert not (project / ".venv" / "bin").exists()


def test_a_missing_python_is_named(project: Path):
    done = subprocess.run(["make", "PYTHON=no-such-python3", ".venv/.installed"], cwd=project, capture_output=True,
                          text=True)
    assert done.returncode != 0
    assert "error: no-such-python3 not found; Python 3.11 or newer is needed" in done.stderr


def test_a_venv_made_by_another_python_is_rebuilt_and_pip_is_quiet_off_a_terminal(project: Path):
    # what a failed install with another Python leaves: its venv, without .installed
    (project / ".venv").mkdir()
    (project / ".venv" / "pyvenv.cfg").write_text("home = /opt/python3.10/bin\nversion = 3.10.0\n", encoding="utf-8")
    (project / ".venv" / "left-over").write_text("", encoding="utf-8")
    status, output = make(project, ".venv/.installed")
    assert status == 0, output
    assert "rebuilding .venv: it was made by Python 3.10.0 (/opt/python3.10/bin)" in output
    assert not (project / ".venv" / "left-over").exists()
    assert "version = 3.10.0" not in (project / ".venv" / "pyvenv.cfg").read_text(encoding="utf-8")
    assert "pip install --quiet" in output  # not a terminal: pip is quiet
    assert (project / ".venv" / ".installed").is_file()

    status, output = make(project, ".venv/.installed")  # the same Python again: nothing to do
    assert status == 0 and "pip install" not in output and "rebuilding" not in output, output

    # on a terminal pip shows its progress
    (project / ".venv" / ".installed").unlink()
    status, output = make(project, ".venv/.installed", terminal=True)
    assert status == 0, output
    assert "pip install  --disable-pip-version-check" in output and "--quiet" not in output
    assert "rebuilding" not in output
