"""Growing the dataset: add -> review -> build -> release on a copy of the project, and the guards on the way.

The article is written for these tests; nothing here depends on how many articles the project has.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from conftest import ROOT

ARTICLE = """Border talks resume in Doha after weeks of clashes

Officials from Pakistan and Afghanistan met in Doha on Monday to discuss the border crossings, \
where at least 40 people were killed in October.

"We want a lasting ceasefire and open trade," said Ishaq Dar, Pakistan's foreign minister.

The Tehreek-e-Taliban Pakistan (TTP) said in a statement that it had no part in the attacks.

Traders on both sides of the frontier said the closure had left hundreds of trucks waiting for days, and that perishable goods were lost while the talks stalled. A second round is expected next month.
"""
IGNORED = shutil.ignore_patterns(".git", ".venv*", "build", "dist", ".build-*", "__pycache__", ".pytest_cache",
                                 ".mypy_cache", ".ruff_cache",
                                 "*.pyc", "release-*")


def run(project: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """``python -m scripts ARGS`` in ``project``, as a maintainer types it."""
    done = subprocess.run([sys.executable, "-m", "scripts", *args], cwd=project, capture_output=True, text=True,
                          env={"GX_ANALYTICS_ENABLED": "false", "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"})
    if ok:
        assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project as a clean clone has it, with one new raw article in data/raw/."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=IGNORED)
    (copy / "data" / "raw" / "zz_test_border_talks.txt").write_text(ARTICLE, encoding="utf-8")
    return copy


def _rows(folder: Path, table: str) -> int:
    return pq.read_metadata(folder / "data" / f"{table}.parquet").num_rows


def test_add_review_build_release_and_the_zip_validates_on_its_own(project: Path, tmp_path: Path):
    version = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))["version"]
    sources_before = _rows(project, "sources")

    added = run(project, "add", "data/raw/zz_test_border_talks.txt")
    source_id = re.search(r"annotations/sources/([a-z0-9-]+)\.yaml", added.stdout).group(1)
    annotation = (project / "annotations" / "sources" / f"{source_id}.yaml").read_text(encoding="utf-8")
    assert "review:\n  status: drafted\n" in annotation
    assert "status: proposed" in (project / "annotations" / "entities.yaml").read_text(encoding="utf-8")

    # a build previews the draft and says so; a release refuses it
    built = run(project, "build")
    assert "1 drafted sources" in built.stdout and source_id in built.stdout
    refused = run(project, "release", "--date", "2027-01-06", ok=False)
    assert refused.returncode == 1 and f"drafted sources ({source_id})" in refused.stderr

    run(project, "review", source_id, "--by", "A. Tester", "--date", "2027-01-05")
    assert "status: proposed" not in (project / "annotations" / "entities.yaml").read_text(encoding="utf-8")
    run(project, "build")
    changelog = project / "CHANGELOG.md"
    changelog.write_text(changelog.read_text(encoding="utf-8").replace(
        "## [Unreleased]\n", "## [Unreleased]\n\n### Added\n- A test article on border talks.\n", 1), encoding="utf-8")
    planned = run(project, "release", "--date", "2027-01-06", "--dry-run").stdout
    new_version = re.search(r"^release (\d+\.\d+\.\d+) dated 2027-01-06", planned, re.M).group(1)
    assert new_version != version
    run(project, "release", "--date", "2027-01-06")
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    assert descriptor["version"] == new_version
    entry = changelog.read_text(encoding="utf-8").split(f"## [{new_version}] - 2027-01-06", 1)[1].split("\n## [", 1)[0]
    # rows added since the last release: this article, and any the project added before it
    assert re.search(rf"`sources`: \d+ row\(s\) added \({sources_before + 1} rows now\)", entry), entry
    assert "- A test article on border talks." in entry
    assert f"| `sources` | {sources_before + 1} |" in (project / "README.md").read_text(encoding="utf-8")
    assert f"**Articles:** {sources_before + 1} (" in (project / "docs" / "datasheet.md").read_text(encoding="utf-8")
    sources = pq.read_table(project / "data" / "sources.parquet").to_pylist()
    assert next(s for s in sources if s["source_id"] == source_id)["review_status"] == "reviewed"
    from scripts.derived import stale_derived

    assert stale_derived(project) == []

    zip_path = project / "dist" / f"pak-afghan-security-news-{new_version}-full.zip"
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "elsewhere")
    prefix = f"pak-afghan-security-news-{new_version}/"
    for member in ("docs/annotation-guidelines.md", "docs/annotation-format.md", "docs/data-dictionary.md",
                   "data/raw/zz_test_border_talks.txt", f"annotations/sources/{source_id}.yaml", "README.md"):
        assert prefix + member in names, member
    readme = (tmp_path / "elsewhere" / prefix / "README.md").read_text(encoding="utf-8")
    assert f"| `sources` | {sources_before + 1} |" in readme
    # the zip and its unpacked folder validate on their own, the project's data/raw/ out of reach
    shutil.rmtree(project / "data" / "raw")
    run(project, "validate", str(zip_path), "--skip-gx")
    run(project, "validate", str(tmp_path / "elsewhere" / prefix), "--skip-gx")
    # the open flavour validates on its own too, and hydrates from the article under another name
    open_zip = project / "dist" / f"pak-afghan-security-news-{new_version}-open.zip"
    run(project, "validate", str(open_zip), "--skip-gx")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "border.txt").write_text(ARTICLE, encoding="utf-8")
    hydrated = run(project, "hydrate", str(open_zip), "--raw", str(tmp_path / "mine"), "--out", str(tmp_path / "full"))
    assert f"hydrated 1 of {sources_before + 1} sources" in hydrated.stdout and "PARTIAL" in hydrated.stdout
    assert (tmp_path / "full" / "data" / "raw" / "zz_test_border_talks.txt").read_text(encoding="utf-8") == ARTICLE


def test_add_refuses_a_file_outside_data_raw_or_already_in_the_dataset(project: Path):
    outside = run(project, "add", "../../etc/hostname", ok=False)
    assert outside.returncode == 1 and "not a file in" in outside.stderr and "Traceback" not in outside.stderr
    run(project, "add", "data/raw/zz_test_border_talks.txt")
    again = run(project, "add", "data/raw/zz_test_border_talks.txt", ok=False)
    assert "already in the dataset" in again.stderr
    twin = project / "data" / "raw" / "zz_copy.txt"
    twin.write_text(ARTICLE, encoding="utf-8")
    assert "already in the dataset" in run(project, "add", "data/raw/zz_copy.txt", ok=False).stderr


def test_review_refuses_a_source_that_does_not_resolve_and_changes_nothing(project: Path):
    added = run(project, "add", "data/raw/zz_test_border_talks.txt")
    path = project / re.search(r"(annotations/sources/[a-z0-9-]+\.yaml)", added.stdout).group(1)
    broken = path.read_text(encoding="utf-8").replace("We want a lasting ceasefire", "We want a ceasefire now", 1)
    path.write_text(broken, encoding="utf-8")
    registry = (project / "annotations" / "entities.yaml").read_bytes()
    refused = run(project, "review", path.stem, "--by", "A. Tester", ok=False)
    assert refused.returncode == 1 and "not found" in refused.stderr
    assert path.read_text(encoding="utf-8") == broken
    assert (project / "annotations" / "entities.yaml").read_bytes() == registry


def test_validate_refuses_a_zip_whose_members_leave_its_folder(tmp_path: Path):
    from scripts.errors import BuildError
    from scripts.validate import package_folder

    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("pkg/../../evil.txt", "x")
    with pytest.raises(BuildError, match="outside the archive"):
        with package_folder(bad):
            pass


def test_a_project_past_the_partition_threshold_builds_releases_and_its_zips_validate(project: Path, tmp_path: Path):
    """Partitioned output end to end, as a maintainer meets it when the corpus outgrows one file per table:
    build (with every check and the Great Expectations suites), release, and both zips validated on their
    own. The threshold is lowered in the copy's config/package.yaml so that the tables of any corpus split."""
    config = project / "config" / "package.yaml"
    text = config.read_text(encoding="utf-8")
    lowered = re.sub(r"(?m)^(  above_rows:) \d+$", r"\1 1", re.sub(r"(?m)^(  rows_per_part:) \d+$", r"\1 8", text))
    assert lowered != text, "config/package.yaml has no partitions block to lower"
    config.write_text(lowered, encoding="utf-8")
    (project / "data" / "raw" / "zz_test_border_talks.txt").unlink()
    built = run(project, "build")
    assert "Great Expectations" in built.stdout
    descriptor = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))
    mentions = next(r for r in descriptor["resources"] if r["name"] == "mentions")
    assert isinstance(mentions["path"], list) and len(mentions["path"]) > 1
    assert [part["path"] for part in mentions["parts"]] == mentions["path"]
    assert not (project / "data" / "mentions.csv").exists()
    run(project, "release", "--date", "2027-01-06")
    version = json.loads((project / "datapackage.json").read_text(encoding="utf-8"))["version"]
    for flavour in ("full", "open"):
        zip_path = project / "dist" / f"pak-afghan-security-news-{version}-{flavour}.zip"
        with zipfile.ZipFile(zip_path) as archive:
            names = set(archive.namelist())
        assert {f"pak-afghan-security-news-{version}/{path}" for path in mentions["path"]} <= names
        run(project, "validate", str(zip_path), "--skip-gx")
