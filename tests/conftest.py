"""Shared fixtures: the project's profiles and one package built per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def profiles():
    from scripts.normalise import load_site_profiles

    return load_site_profiles()


@pytest.fixture(scope="session")
def built_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built from the project's annotations into a fresh folder."""
    from scripts.build import build_package

    out = tmp_path_factory.mktemp("package")
    build_package(out)
    return out


def site_of(raw_name: str) -> str:
    """The site profile a raw file is annotated with, read from its annotation file."""
    from scripts.annotations import load_source_annotations

    for source in load_source_annotations():
        if source.data["raw_file"] == raw_name:
            return source.data["site"]
    raise LookupError(raw_name)
