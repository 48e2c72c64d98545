"""Shared fixtures: the project's profiles, one package built per test session from the
project's annotations, and a fixture corpus written by the tests (its articles, registry and
annotations are here, not the project's) with the package built from it, for the tests that
corrupt a package or count its rows: they must hold whatever the project's corpus holds."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import yaml

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


# --- A fixture corpus, independent of the project's articles ---------------------------------

# Four short articles from one template (the site profile "plain": no title, header or footer);
# {ordinal} makes each article's bytes and text differ, as the build requires.
FIXTURE_ARTICLE = """\
Pakistani officials said on Monday that fighters of the Tehreek-e-Taliban Pakistan (TTP) had attacked a \
border post near the Khyber Pass, killing 12 soldiers and wounding several others in the {ordinal} attack \
of its kind this season.
"We will not allow our soil to be used against any country," said Zabihullah Mujahid, the spokesman of \
the Taliban government in Kabul, when reporters asked him about the attack at a press conference.
The Foreign Office in Islamabad said that Afghanistan must act against the TTP, and that Pakistan had \
shared evidence of camps between 30 and 40 kilometres from the border with the authorities in Kabul.
Traders said that more than 2,000 families had left the villages along the road and that about 5,000 \
trucks waited at the crossing, which stayed closed for 3 days while both sides exchanged messages.
Analysts in Islamabad said the talks between Pakistan and Afghanistan would resume once the crossing \
reopened, but they warned that the TTP had grown stronger since the Taliban returned to power in Kabul, \
and that the Foreign Office had few ways left to press the government there. Residents near the \
Khyber Pass said that markets had stayed shut and that schools had not reopened, while local elders \
asked both governments to keep the road open for the sick and for students who study on the other side. \
Officials on both sides said that they hoped for calm, and that a joint commission would meet again \
after the holidays to review the trade of fruit, coal and cement that the closure had stopped.
"""

FIXTURE_ORDINALS = ("first", "second", "third", "fourth")

FIXTURE_REGISTRY = {"entities": [
    {"id": "pakistan", "name": "Pakistan", "type": "GPE", "aliases": ["Islamabad"], "description": "The state."},
    {"id": "afghanistan", "name": "Afghanistan", "type": "GPE", "aliases": ["Kabul"], "description": "The state."},
    {"id": "ttp", "name": "Tehreek-e-Taliban Pakistan", "type": "ORG", "aliases": ["TTP"],
     "description": "The Pakistani Taliban."},
    {"id": "afghan-taliban", "name": "Taliban", "type": "ORG", "aliases": [], "description": "The Afghan Taliban."},
    {"id": "foreign-office", "name": "Foreign Office", "type": "ORG", "aliases": [],
     "description": "Pakistan's Ministry of Foreign Affairs."},
    {"id": "zabihullah-mujahid", "name": "Zabihullah Mujahid", "type": "PERSON", "aliases": [],
     "description": "Spokesman of the Taliban government."},
    {"id": "khyber-pass", "name": "Khyber Pass", "type": "LOC", "aliases": [], "description": "A mountain pass."},
]}


def fixture_article(index: int) -> str:
    """The raw text of fixture article ``index`` (0-based)."""
    return FIXTURE_ARTICLE.format(ordinal=FIXTURE_ORDINALS[index])


def fixture_annotation(index: int) -> dict:
    """The annotation file of fixture article ``index`` (0-based), in the annotation format."""
    def statistic(text: str, value: float | None, low: float | None, high: float | None, qualifier: str,
                  unit: str, measure: str) -> dict:
        return {"text": text, "value": value, "value_low": low, "value_high": high, "qualifier": qualifier,
                "unit": unit, "measure": measure}
    return {
        "source_id": f"fixture-article-{index + 1}", "raw_file": f"fixture-{index + 1}.txt",
        "raw_sha256": hashlib.sha256(fixture_article(index).encode("utf-8")).hexdigest(), "site": "plain",
        "title": None, "publisher": "Fixture News", "original_publisher": None, "authors": [],
        "published_date": f"2025-0{index + 1}-10", "date_precision": "day", "date_basis": "stated",
        "date_note": None, "language": "en", "url": None, "quality_flags": [], "notes": None,
        "review": {"status": "reviewed", "by": "Fixture Reviewer", "date": "2025-12-01"},
        "quotes": [
            {"text": "We will not allow our soil to be used against any country", "kind": "direct",
             "speaker": "zabihullah-mujahid", "speaker_text": "Zabihullah Mujahid",
             "speaker_role": "the spokesman of the Taliban government in Kabul", "cue": "said", "channel": None},
            {"text": "Afghanistan must act against the TTP", "kind": "indirect", "speaker": "foreign-office",
             "speaker_text": "The Foreign Office in Islamabad", "speaker_role": None, "cue": "said",
             "channel": None},
        ],
        "statistics": [
            statistic("12", 12, 12, 12, "exact", "count", "soldiers killed"),
            statistic("between 30 and 40 kilometres", None, 30, 40, "range", "km", "distance of the camps"),
            statistic("more than 2,000", 2000, 2000, None, "more_than", "count", "families who left"),
            statistic("about 5,000", 5000, None, None, "approximately", "count", "trucks waiting"),
            statistic("3 days", 3, 3, 3, "exact", "day", "days the crossing stayed closed"),
        ],
        "mentions": {},
    }


def write_fixture_corpus(folder: Path, articles: int = len(FIXTURE_ORDINALS)) -> dict[str, Path]:
    """Write the fixture corpus into ``folder``; returns the input paths of ``build_rows`` and ``build_package``."""
    inputs = {"registry_path": folder / "entities.yaml", "sources_dir": folder / "sources", "raw_dir": folder / "raw"}
    inputs["sources_dir"].mkdir(parents=True)
    inputs["raw_dir"].mkdir()
    inputs["registry_path"].write_text(yaml.safe_dump(FIXTURE_REGISTRY, sort_keys=False), encoding="utf-8")
    for index in range(articles):
        annotation = fixture_annotation(index)
        (inputs["raw_dir"] / annotation["raw_file"]).write_text(fixture_article(index), encoding="utf-8")
        (inputs["sources_dir"] / f"{annotation['source_id']}.yaml").write_text(
            yaml.safe_dump(annotation, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return inputs


def build_fixture_package(corpus: dict[str, Path], out: Path) -> Path:
    """Build the package of a fixture corpus into ``out`` (it carries its raw files, as every package does)."""
    from scripts.build import build_package

    build_package(out, **corpus)
    return out


@pytest.fixture(scope="session")
def fixture_corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The fixture corpus (do not change it: copy it with write_fixture_corpus into tmp_path)."""
    return write_fixture_corpus(tmp_path_factory.mktemp("fixture-corpus"))


@pytest.fixture(scope="session")
def fixture_package(fixture_corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package built from the fixture corpus (copy it before corrupting it)."""
    return build_fixture_package(fixture_corpus, tmp_path_factory.mktemp("fixture-package"))
