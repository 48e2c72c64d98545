"""The static site: annotations in place, anchors, links, review state, claims, determinism."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from scripts.errors import BuildError
from scripts.site import build_site, highlight


class Page(HTMLParser):
    """The ids, links and highlighted annotations of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.marks: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if "id" in found:
            self.ids.add(found["id"])
        for attribute in ("href", "src"):
            if attribute in found:
                self.links.append(found[attribute])
        if tag == "mark":
            self.marks.append(found)


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(built_package: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(built_package, tmp_path_factory.mktemp("site") / "site")


def span(kind: str, id_: str, start: int, end: int, **fields: str) -> dict:
    return {"_kind": kind, "_id": id_, "source_id": "s", "start": start, "end": end, "kind": "direct",
            "unit": "count", "origin": "matched", **fields}


def test_highlight_nests_and_splits_crossing_spans_and_keeps_the_text():
    text = "Alpha said \"beta & gamma\" <delta>."
    spans = sorted([span("quote", "q-1", 11, 25), span("mention", "m-1", 0, 5), span("mention", "m-2", 12, 16),
                    span("statistic", "s-1", 20, 30)], key=lambda s: (s["start"], -s["end"]))
    html = str(highlight(text, spans))
    assert unescape(re.sub(r"</?mark[^>]*>", "", html)) == text and "<delta>" not in html
    for id_ in ("q-1", "m-1", "m-2", "s-1"):
        assert html.count(f' id="{id_}"') == 1
    # s-1 crosses the end of q-1: it is closed there and continues as a piece without an id
    assert html.count('data-id="s-1"') == 2
    assert html.index(' id="q-1"') < html.index(' id="m-2"') < html.index("</mark>", html.index(' id="m-2"'))


def test_a_span_outside_the_text_is_named():
    with pytest.raises(BuildError, match="quotes row q-9"):
        highlight("short", [span("quote", "q-9", 2, 50)])


def test_article_pages_anchor_every_annotation_by_its_id(built_package: Path, site: Path):
    quotes = pq.read_table(built_package / "data" / "quotes.parquet").to_pylist()
    statistics = pq.read_table(built_package / "data" / "statistics.parquet").to_pylist()
    mentions = pq.read_table(built_package / "data" / "mentions.parquet").to_pylist()
    for path in sorted((site / "articles").glob("*.html")):
        source_id = path.stem
        page = parse(path)
        anchored = {m["id"]: m["class"] for m in page.marks if "id" in m}
        expected_quotes = {q["quote_id"]: q["kind"] for q in quotes if q["source_id"] == source_id}
        assert {i: c for i, c in anchored.items() if " quote " in f" {c} "} == {
            i: f"ann quote {kind}" for i, kind in expected_quotes.items()}
        assert {s["statistic_id"] for s in statistics if s["source_id"] == source_id} <= set(anchored)
        assert {m["mention_id"] for m in mentions if m["source_id"] == source_id} <= set(anchored)
        details = re.search(r'<script type="application/json" id="annotations">(.*?)</script>',
                            path.read_text(encoding="utf-8"), re.S)
        assert details and set(json.loads(details.group(1))) == set(anchored)


def test_every_internal_link_resolves_and_nothing_is_fetched_from_the_network(site: Path):
    pages = {path: parse(path) for path in site.rglob("*.html")}
    assert (site / "index.html") in pages
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                continue  # a source's own address, shown as a link, never loaded by the page
            assert not parts.scheme and not parts.netloc, f"{path}: {link}"
            target = (path.parent / parts.path).resolve() if parts.path else path
            assert target.is_file(), f"{path.relative_to(site)}: {link} does not exist"
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in pages[target].ids, f"{path.relative_to(site)}: {link} has no such anchor"
    for path in site.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', text), path


def test_charts_are_standalone_svg(site: Path):
    charts = sorted((site / "charts").glob("*.svg"))
    assert charts
    for chart in charts:
        root = ET.fromstring(chart.read_text(encoding="utf-8"))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "href" not in chart.read_text(encoding="utf-8")


def test_the_same_package_gives_the_same_site(built_package: Path, site: Path, tmp_path: Path):
    again = build_site(built_package, tmp_path / "again")
    files = sorted(p.relative_to(site) for p in site.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    for relative in files:
        assert (site / relative).read_bytes() == (again / relative).read_bytes(), relative


def with_review_status(built_package: Path, folder: Path) -> tuple[Path, str]:
    """A copy of the package whose first source is drafted (the others as built)."""
    shutil.copytree(built_package, folder)
    sources = pq.read_table(folder / "data" / "sources.parquet")
    statuses = ["drafted"] + sources.column("review_status").to_pylist()[1:]
    index = sources.schema.get_field_index("review_status")
    pq.write_table(sources.set_column(index, sources.schema.field(index), pa.array(statuses, pa.string())),
                   folder / "data" / "sources.parquet")
    return folder, sources.column("source_id")[0].as_py()


def test_review_status_is_shown_on_every_article(built_package: Path, site: Path, tmp_path: Path):
    package, drafted = with_review_status(built_package, tmp_path / "package")
    drafted_site = build_site(package, tmp_path / "site")
    article = (drafted_site / "articles" / f"{drafted}.html").read_text(encoding="utf-8")
    assert "Review status: <strong>drafted</strong>" in article
    assert '<span class="review drafted">drafted</span>' in (drafted_site / "index.html").read_text(encoding="utf-8")
    status = pq.read_table(built_package / "data" / "sources.parquet").column("review_status")[0].as_py()
    assert f"Review status: <strong>{status}</strong>" in (site / "articles" / f"{drafted}.html").read_text("utf-8")


def test_claims_put_statistics_of_a_topic_side_by_side(built_package: Path, tmp_path: Path):
    statistics = pq.read_table(built_package / "data" / "statistics.parquet").to_pylist()
    first = statistics[0]
    word = max(re.findall(r"[a-z]+", first["measure"].lower()), key=len)
    config = tmp_path / "site.yaml"
    config.write_text(yaml.safe_dump({"claims": [{"title": "Fixture topic", "why": "test", "units": [first["unit"]],
                                                  "all": [[word]]}]}), encoding="utf-8")
    claims = (build_site(built_package, tmp_path / "site", config) / "claims.html").read_text(encoding="utf-8")
    topic = claims[claims.index('<section id="topic-1">'):claims.index('<section id="other">')]
    members = {s["statistic_id"] for s in statistics if s["unit"] == first["unit"] and word in s["measure"].lower()}
    assert set(re.findall(r"#(s-[0-9a-f]{12})", topic)) == members
    assert "<svg" in topic
    other = claims[claims.index('<section id="other">'):]
    assert not members & set(re.findall(r"#(s-[0-9a-f]{12})", other))


def test_a_broken_claims_config_is_named(built_package: Path, tmp_path: Path):
    config = tmp_path / "site.yaml"
    config.write_text("claims:\n  - title: no rules\n", encoding="utf-8")
    with pytest.raises(BuildError, match="claims entry 1: 'why' is missing"):
        build_site(built_package, tmp_path / "site", config)
    assert not (tmp_path / "site").exists()


def test_a_release_gets_the_sqlite_file_and_the_site(built_package: Path, tmp_path: Path):
    from scripts.site import write_release_ways_in

    root = tmp_path / "package"
    shutil.copytree(built_package, root)
    members = write_release_ways_in(root)
    name = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))["name"]
    assert members[0] == f"build/{name}.sqlite"
    assert {"build/site/index.html", "build/site/assets/site.js", "build/site/claims.html"} <= set(members)
    assert all((root / member).is_file() for member in members)


def test_a_draft_folder_renders_like_a_package(built_package: Path, tmp_path: Path):
    """``python -m scripts draft --out DIR`` writes ``DIR/<table>.csv`` and no descriptor: the site reads that too."""
    draft = tmp_path / "draft"
    draft.mkdir()
    for table in ("sources", "texts", "entities", "mentions", "quotes", "statistics"):
        shutil.copy(built_package / "data" / f"{table}.csv", draft / f"{table}.csv")
    site = build_site(draft, tmp_path / "site")
    assert "<title>Articles · Draft: " in (site / "index.html").read_text(encoding="utf-8")
    quotes = pq.read_table(built_package / "data" / "quotes.parquet").to_pylist()
    source_id = quotes[0]["source_id"]
    page = parse(site / "articles" / f"{source_id}.html")
    assert {m["id"] for m in page.marks if " quote " in f" {m['class']} " and "id" in m} == {
        q["quote_id"] for q in quotes if q["source_id"] == source_id}
