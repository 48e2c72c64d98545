"""The drafter's command: drafts every article it can, in the dataset's formats, and the build accepts them."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

from scripts import annotations as ann
from scripts.__main__ import main
from scripts.draft import draft_files, source_id_for
from scripts.drafter.mentions import draft_mentions, propose_entities
from scripts.drafter.metadata import choose_profile, draft_metadata
from scripts.schema import TABLES, load_schema
from scripts.tables import build_rows
from test_matcher import plain_rule

ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = ROOT / "data" / "raw"

# An article none of the rules were written for: a Markdown heading, a dateline, a quote, numbers, new names.
UNSEEN_ARTICLE = """# Border crossing at Torkham reopens after talks in Peshawar

PESHAWAR, PAKISTAN – The Torkham border crossing reopened on Tuesday after officials of the Khyber \
Chamber of Commerce met in Peshawar, according to the Associated Press.

"We lost nearly $3 million a day while the gate was shut," said Zia Ul Haq Sarhadi, vice president of \
the Joint Chamber of Commerce (JCC). Sarhadi added that about 5,000 trucks were stranded on both sides.

The Interior Ministry said in a statement that at least 12 militants were killed in North Waziristan.
"""


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _resolve_with_build(out: Path, tmp: Path) -> dict[str, list[dict]]:
    """Move the drafts in as a reviewer would (registry + proposals, annotation files, raw files) and build."""
    registry = yaml.safe_load(ann.REGISTRY_PATH.read_text(encoding="utf-8"))
    registry["entities"] += yaml.safe_load((out / "entities-proposed.yaml").read_text(encoding="utf-8"))["entities"]
    (tmp / "sources").mkdir()
    (tmp / "raw").mkdir()
    (tmp / "entities.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    for source in _read_csv(out / "data" / "sources.csv"):
        shutil.copy(out / "raw" / Path(source["raw_path"]).name, tmp / "raw")
        shutil.copy(out / "annotations" / f"{source['source_id']}.yaml", tmp / "sources")
    return build_rows(registry_path=tmp / "entities.yaml", sources_dir=tmp / "sources", raw_dir=tmp / "raw")


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    tmp = tmp_path_factory.mktemp("draft")
    unseen = tmp / "torkham.md"
    unseen.write_text(UNSEEN_ARTICLE, encoding="utf-8")
    inputs = [str(p) for p in sorted(RAW_DIR.glob("*.txt"))] + [str(unseen)]
    errors = draft_files(inputs, tmp / "out", report=lambda message: None)
    return tmp / "out", inputs, errors


def test_drafts_every_article_with_the_schema_columns(drafted):
    out, inputs, errors = drafted
    assert errors == []
    for table in TABLES:
        with (out / "data" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
            assert next(csv.reader(handle)) == load_schema(table).columns, table
    sources = _read_csv(out / "data" / "sources.csv")
    # the preview is a package of its own: every input's bytes are in out/raw under its name
    assert sorted(Path(s["raw_path"]).name for s in sources) == sorted(Path(p).name for p in inputs)
    assert all((out / "raw" / Path(p).name).read_bytes() == Path(p).read_bytes() for p in inputs)
    assert len(list((out / "annotations").glob("*.yaml"))) == len(inputs)
    assert {s["review_status"] for s in sources} == {"drafted"}
    unseen = next(s for s in sources if s["raw_path"].endswith("torkham.md"))
    assert unseen["source_id"] == "torkham"
    statistics = [s for s in _read_csv(out / "data" / "statistics.csv") if s["source_id"] == "torkham"]
    assert {s["text"] for s in statistics} >= {"nearly $3 million", "about 5,000", "at least 12"}


def test_the_build_resolves_the_drafts_to_the_same_rows(drafted, tmp_path):
    out, _inputs, _errors = drafted
    rows = _resolve_with_build(out, tmp_path)
    for table, id_column in (("mentions", "mention_id"), ("quotes", "quote_id"), ("statistics", "statistic_id")):
        drafted_rows = {r[id_column]: r for r in _read_csv(out / "data" / f"{table}.csv")}
        built_rows = {r[id_column]: r for r in rows[table]}
        assert set(drafted_rows) == set(built_rows), table
        for key, row in built_rows.items():
            assert (int(drafted_rows[key]["start"]), drafted_rows[key]["text"]) == (row["start"], row["text"])
    entity_of = {r["mention_id"]: r["entity_id"] for r in rows["mentions"]}
    assert all(entity_of[r["mention_id"]] == r["entity_id"] for r in _read_csv(out / "data" / "mentions.csv"))


def test_unseen_article_gets_new_entities_with_types(drafted):
    out, _inputs, _errors = drafted
    proposed = {e["name"]: e for e in yaml.safe_load((out / "entities-proposed.yaml").read_text())["entities"]}
    # a name the registry already has (a later article may bring it) is matched, not proposed
    known = {name.casefold() for entity in ann.load_registry().values() for name in entity.names}
    expected = {"Zia Ul Haq Sarhadi": "PERSON", "Associated Press": "ORG", "Interior Ministry": "ORG",
                "Torkham": "GPE", "Joint Chamber of Commerce": "ORG"}
    for name, entity_type in expected.items():
        if name.casefold() not in known:
            assert proposed[name]["type"] == entity_type, name
    if "joint chamber of commerce" not in known and "jcc" not in known:
        assert proposed["Joint Chamber of Commerce"]["aliases"] == ["JCC"]
    if "zia ul haq sarhadi" not in known and "sarhadi" not in known:
        document = yaml.safe_load(next((out / "annotations").glob("torkham.yaml")).read_text())
        assert document["mentions"]["aliases"] == {"Sarhadi": proposed["Zia Ul Haq Sarhadi"]["id"]}


def test_bad_files_are_reported_and_the_others_drafted(tmp_path, capsys):
    empty, binary = tmp_path / "empty.txt", tmp_path / "binary.txt"
    empty.write_text("")
    binary.write_bytes(b"\x7fELF\x00\x01\x02" * 20)
    good = tmp_path / "torkham.md"
    good.write_text(UNSEEN_ARTICLE, encoding="utf-8")
    status = main(["draft", str(empty), str(binary), str(good), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert status == 1
    assert f"{empty}: the file is empty" in err and f"{binary}: a binary file" in err
    sources = _read_csv(tmp_path / "out" / "data" / "sources.csv")
    assert [Path(s["raw_path"]).name for s in sources] == [good.name]


def test_jobs_give_the_same_files(tmp_path):
    inputs = [str(p) for p in sorted(RAW_DIR.glob("*.txt"))][:3]
    draft_files(inputs, tmp_path / "one", jobs=1, report=lambda message: None)
    draft_files(inputs, tmp_path / "two", jobs=2, report=lambda message: None)
    for name in [f"data/{t}.csv" for t in TABLES] + ["entities-proposed.yaml", "datapackage.json"]:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_metadata_uses_the_profile_whose_header_matches(profiles):
    raw = "Good News\n\nA Title Line\n\nBody paragraph said nothing.\n"
    profile, normalised = choose_profile(raw, profiles)
    assert profile.site_id == "good-news" and normalised.title == "A Title Line"
    profile, normalised = choose_profile("Just a paragraph of text.\n", profiles)
    assert profile.site_id == "plain" and normalised.title is None
    stamped = " date 2025-01-17 Text of the article follows here.\n"
    profile, normalised = choose_profile(stamped, profiles)
    metadata = draft_metadata(normalised, profile)
    assert (metadata["published_date"], metadata["date_basis"]) == ("2025-01-17", "metadata")


def test_a_weekday_date_is_inferred_only_when_one_year_fits(profiles):
    profile = profiles["plain"]
    _profile, normalised = choose_profile("On Thursday, November 14, officials met. Attacks rose in 2023.\n", profiles)
    metadata = draft_metadata(normalised, profile)
    assert (metadata["published_date"], metadata["date_basis"]) == ("2024-11-14", "inferred")
    _profile, normalised = choose_profile("On Thursday, November 14, officials met.\n", profiles)
    assert draft_metadata(normalised, profile)["date_basis"] == "unknown"


def test_mentions_registry_first_then_proposals():
    registry = {"pakistan": ann.Entity("pakistan", "Pakistan", "GPE", [], "Country.")}
    text = ("Pakistani officials met Mumtaz Zahra Baloch, spokesperson for the Foreign Office, in Quetta. "
            "According to the Pakistan Institute for Peace Studies (PIPS), attacks rose. Baloch said so.")
    mentions, proposed = draft_mentions(text, registry)
    found = {(m["text"], m["type"]) for m in mentions}
    assert ("Pakistan Institute for Peace Studies", "ORG") in found  # longest match beats "Pakistan"
    assert ("Quetta", "GPE") in found and ("Mumtaz Zahra Baloch", "PERSON") in found
    assert ("PIPS", "ORG") in found and ("Baloch", "PERSON") in found
    assert not any(m["text"].startswith("Pakistani") for m in mentions)  # nationality adjective
    assert not any(m["text"] == "According" for m in mentions)
    pips = next(e for e in proposed.entities if e.name == "Pakistan Institute for Peace Studies")
    assert pips.aliases == ["PIPS"] and pips.entity_id == "pakistan-institute-for-peace-studies"
    assert proposed.local_aliases == {"Baloch": "mumtaz-zahra-baloch"}


def test_title_case_headings_propose_nothing():
    drafted = propose_entities("Security Cooperation Between Two Old Rivals\n\nThe rivals met.", {})
    assert drafted.entities == []


def test_source_id_comes_from_the_title_else_the_file_name():
    assert source_id_for("Clashes between Afghanistan and Pakistan escalate", Path("x.txt"), "") == \
        "clashes-between-afghanistan-and-pakistan-escalate"
    assert source_id_for(None, Path("004_ab.txt"), "Body.") == "004-ab"


def test_the_fast_name_matcher_follows_the_plain_rule():
    from scripts.drafter.mentions import registry_index

    # the drafter and the build share one matcher
    assert type(registry_index(ann.load_registry()).matcher) is ann.NameMatcher
    names = {"Kabul": "kabul", "US": "united-states", "U.S.": "united-states", "Pakistan": "pakistan",
             "Tehreek-e-Taliban Pakistan": "ttp", "Straße": "strasse", "Aa Aa": "aa",
             **{name: e.entity_id for e in ann.load_registry().values() for name in e.names}}
    texts = ["KABUL, kabul and Kabul-based; xKabul Kabulx. U.S.-backed US us Tehreek-e-Taliban Pakistan, Pakistan.",
             "Die STRASSE und die Straße. Aa Aa Aa Aa", ""]
    texts += [row["text"] for row in build_rows()["texts"]]
    for text in texts:
        assert ann.match_names(text, names) == plain_rule(text, names)


def test_a_name_proposed_in_two_articles_is_one_entity_the_build_accepts(tmp_path):
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("Officials of the RNC met in Quetta on Monday. The RNC said it would return.\n")
    second.write_text("The Republican National Committee (RNC) said that talks in Quetta failed.\n"
                      "The Republican National Committee will meet again.\n")
    for order, inputs in (("alias-first", [second, first]), ("name-first", [first, second])):
        out = tmp_path / order
        assert draft_files([str(p) for p in inputs], out, report=lambda message: None) == []
        proposed = yaml.safe_load((out / "entities-proposed.yaml").read_text())["entities"]
        names = [name.casefold() for entity in proposed for name in [entity["name"], *entity["aliases"]]]
        assert len(names) == len(set(names)) and "rnc" in names and "quetta" in names
        (tmp_path / f"build-{order}").mkdir()
        rows = _resolve_with_build(out, tmp_path / f"build-{order}")
        rnc = {row["entity_id"] for row in rows["mentions"] if row["text"] == "RNC"}
        assert len(rnc) == 1  # the acronym alone and the acronym of the full name are one entity
        drafted_mentions = _read_csv(out / "data" / "mentions.csv")
        assert {r["mention_id"] for r in rows["mentions"]} == {r["mention_id"] for r in drafted_mentions}


def test_places_listed_with_a_known_place_and_initials_inside_names():
    registry = {"tajikistan": ann.Entity("tajikistan", "Tajikistan", "GPE", [], "Country.")}
    text = ("Member states (of which Kazakhstan, Tajikistan and Kyrgyzstan are part) met. "
            "Officials said FBI Director James B. Comey and the CEO of Acme would attend.")
    mentions, proposed = draft_mentions(text, registry)
    found = {(m["text"], m["type"]) for m in mentions}
    assert {("Kazakhstan", "GPE"), ("Kyrgyzstan", "GPE"), ("James B. Comey", "PERSON")} <= found
    assert not any(m["text"] in ("CEO", "B", "Member") for m in mentions)
