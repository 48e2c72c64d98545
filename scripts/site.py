"""Write the static site of a package (``make site``, into ``build/site/``).

Takes a package folder (``datapackage.json``, ``schemas/``, ``data/*.parquet``;
the project, a build's ``--out`` folder or a release), or the ``<table>.csv``
folder of ``python -m scripts draft --out`` so a draft can be read before
review, plus ``config/site.yaml`` (label columns, claim topics) and the
templates and assets in ``scripts/site_assets/``; returns a folder of plain
HTML, CSS, one small script and SVG charts that works opened from disk
(``file://``) with no network:

- ``index.html``: the articles, their counts and flags (and review state when
  the sources table has a ``review_status`` column);
- ``articles/<source_id>.html``: metadata and quality flags, and the text with
  every quote (by kind), statistic and mention highlighted in place; each is an
  element whose ``id`` is its row id, so ``…/<source_id>.html#q-…`` points at it;
  selecting one shows its fields;
- ``entities/<entity_id>.html``: mentions in context, quotes, credited statistics;
- ``claims.html``: statistics of the same measure across sources side by side;
- ``dictionary.html`` (columns, types, constraints, keys and a summary of the
  values of every column) and ``codebook.html`` (the annotation guidelines);
- ``charts.html`` with the SVG charts also written to ``charts/*.svg``.

Pages are written to a temporary folder that replaces the target only when
complete. The same package gives byte-identical pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from scripts import charts
from scripts.annotations import ROOT
from scripts.errors import BuildError
from scripts.parts import resource_paths
from scripts.schema import TableSchema
from scripts.sqlite import PackageTables, read_package
from scripts.strict_yaml import load_yaml

ASSETS_DIR = Path(__file__).resolve().parent / "site_assets"
SITE_CONFIG = ROOT / "config" / "site.yaml"
GUIDELINES = Path("docs") / "annotation-guidelines.md"
LIST_SEPARATOR = " | "
CONTEXT_CHARS = 55          # of text either side of a mention on an entity page
# Drawing order of nested highlights when two spans start together and end together.
LAYERS = ("quote", "statistic", "mention")
ID_COLUMNS = {"quote": "quote_id", "statistic": "statistic_id", "mention": "mention_id"}
TABLE_OF = {"quote": "quotes", "statistic": "statistics", "mention": "mentions"}


# --- Load ----------------------------------------------------------------------

def load_site_config(path: Path = SITE_CONFIG) -> dict[str, Any]:
    config = load_yaml(path) or {}
    for number, topic in enumerate(config.get("claims", []), start=1):
        for key in ("title", "why", "units", "all"):
            if key not in topic:
                raise BuildError(f"{path}: claims entry {number}: '{key}' is missing")
    return config


def guidelines_text(package_dir: Path) -> str | None:
    """The annotation guidelines of the package, else of the project; None when neither has them."""
    for root in (package_dir, ROOT):
        path = root / GUIDELINES
        if path.is_file():
            return path.read_text(encoding="utf-8")
    return None


# --- Process: the package as the pages see it ----------------------------------

@dataclass
class Corpus:
    """The package's rows indexed the way the pages read them."""

    tables: PackageTables
    labels: dict[str, str]
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    spans_by_source: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, tables: PackageTables, labels: dict[str, str]) -> Corpus:
        corpus = cls(tables, labels)
        corpus.sources = {row["source_id"]: row for row in sorted(tables.rows["sources"], key=_source_order)}
        corpus.texts = {row["source_id"]: row["text"] for row in tables.rows["texts"]}
        corpus.entities = {row["entity_id"]: row for row in sorted(tables.rows["entities"],
                                                                     key=lambda r: r["entity_id"])}
        for kind in LAYERS:
            for row in tables.rows[TABLE_OF[kind]]:
                corpus.spans_by_source[row["source_id"]].append({**row, "_kind": kind, "_id": row[ID_COLUMNS[kind]]})
        for spans in corpus.spans_by_source.values():
            spans.sort(key=lambda s: (s["start"], -s["end"], LAYERS.index(s["_kind"]), s["_id"]))
        return corpus

    def schema(self, table: str) -> TableSchema:
        return self.tables.schemas[table]

    def rows(self, table: str) -> list[dict[str, Any]]:
        return self.tables.rows[table]

    def source_label(self, source_id: str) -> str:
        source = self.sources.get(source_id, {})
        return str(source.get(self.labels.get("sources", "title")) or source_id)

    def entity_label(self, entity_id: str | None) -> str:
        if entity_id is None:
            return ""
        entity = self.entities.get(entity_id, {})
        return str(entity.get(self.labels.get("entities", "name")) or entity_id)


def _source_order(row: dict[str, Any]) -> tuple[str, str]:
    """Articles newest first, undated last, then by id."""
    date = row.get("published_date")
    return ("1" if date is None else "0" + _invert_date(date), row["source_id"])


def _invert_date(date: dt.date) -> str:
    return f"{9999 - date.year:04d}{12 - date.month:02d}{31 - date.day:02d}"


def date_label(source: dict[str, Any]) -> str:
    """A source's date as precise as it is known (``2022`` for a year, ``2024-06`` for a month)."""
    date = source.get("published_date")
    if date is None:
        return "unknown"
    return date.isoformat()[:{"year": 4, "month": 7}.get(source.get("date_precision") or "day", 10)]


def split_list(value: str | None) -> list[str]:
    return [part for part in (value or "").split(LIST_SEPARATOR) if part]


# --- Highlighting spans in a text ------------------------------------------------

def span_classes(span: dict[str, Any]) -> str:
    kind = span["_kind"]
    if kind == "quote":
        return f"ann quote {span['kind']}"
    if kind == "statistic":
        return f"ann statistic {span['unit']}"
    return f"ann mention {span.get('origin') or ''}".rstrip()


def highlight(text: str, spans: list[dict[str, Any]]) -> Markup:
    """``text`` as HTML with each span in a ``<mark>``; the first piece of a span carries its id.

    Spans nest (a mention inside a quote) or cross; a span that crosses the end of
    an enclosing one is closed there and reopened as a continuation piece, which
    has the same ``data-id`` but no ``id``. ``spans`` are sorted by start, longer first.
    """
    starts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    ends: Counter[int] = Counter()
    for span in spans:
        if not 0 <= span["start"] < span["end"] <= len(text):
            raise BuildError(f"{TABLE_OF[span['_kind']]} row {span['_id']}: span [{span['start']}, {span['end']}) "
                             f"lies outside the text of {span['source_id']} ({len(text)} characters)")
        starts[span["start"]].append(span)
        ends[span["end"]] += 1
    boundaries = sorted(set(starts) | set(ends) | {len(text)})
    out: list[str] = []
    stack: list[dict[str, Any]] = []
    position = 0

    def open_tag(span: dict[str, Any], first: bool) -> str:
        anchor = f' id="{escape(span["_id"])}"' if first else ""
        return f'<mark class="{escape(span_classes(span))}" data-id="{escape(span["_id"])}"{anchor}>'

    for boundary in boundaries:
        out.append(escape(text[position:boundary]))
        position = boundary
        if ends[boundary]:
            reopen = []
            while any(span["end"] == boundary for span in stack):
                span = stack.pop()
                out.append("</mark>")
                if span["end"] != boundary:
                    reopen.append(span)
            for span in reversed(reopen):
                out.append(open_tag(span, first=False))
                stack.append(span)
        for span in starts.get(boundary, []):
            out.append(open_tag(span, first=True))
            stack.append(span)
    out.append(escape(text[position:]))
    return Markup("".join(out))


def span_details(corpus: Corpus, span: dict[str, Any]) -> dict[str, Any]:
    """What the page shows when a span is selected: labelled fields, entities as links."""
    kind = span["_kind"]
    table = corpus.schema(TABLE_OF[kind])
    hidden = {"source_id", "start", "end", ID_COLUMNS[kind]}
    fields = []
    for spec in table.fields:
        name = spec["name"]
        value = span.get(name)
        if name in hidden or value is None or value == "":
            continue
        link = None
        if name.endswith("entity_id") and value in corpus.entities:  # a draft may name one it has no row for
            link = f"../entities/{value}.html"
            value = f"{corpus.entity_label(value)} ({value})"
        fields.append({"label": spec.get("title", name), "value": _show_value(value), "link": link})
    return {"kind": kind, "id": span["_id"], "start": span["start"], "end": span["end"], "fields": fields}


def _show_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- Process: pages ---------------------------------------------------------------

def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(ASSETS_DIR / "templates"), autoescape=select_autoescape(["html"]),
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["show"] = _show_value
    env.filters["split_list"] = split_list
    env.filters["date_label"] = date_label
    return env


def article_counts(corpus: Corpus, source_id: str) -> dict[str, int]:
    spans = corpus.spans_by_source.get(source_id, [])
    counts = Counter(span["_kind"] for span in spans)
    return {kind: counts.get(kind, 0) for kind in LAYERS}


def article_context(corpus: Corpus, source_id: str) -> dict[str, Any]:
    source = corpus.sources[source_id]
    schema = corpus.schema("sources")
    text = corpus.texts.get(source_id)
    if text is None:
        raise BuildError(f"texts: no row for source {source_id}")
    spans = corpus.spans_by_source.get(source_id, [])
    metadata = [{"name": f["name"], "label": f.get("title", f["name"]), "value": source.get(f["name"])}
                for f in schema.fields if f["name"] not in ("quality_flags", "quality_notes")]
    notes: dict[str, str] = {}
    for note in split_list(source.get("quality_notes")):
        flag, _colon, explanation = note.partition(": ")
        notes[flag] = explanation
    flags = [{"flag": flag, "note": notes.get(flag, "")} for flag in split_list(source.get("quality_flags"))]
    by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in LAYERS}
    for span in spans:
        by_kind[span["_kind"]].append(span)
    mentions_by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for mention in by_kind["mention"]:
        mentions_by_entity[mention["entity_id"]].append(mention)
    return {
        "source": source, "title": corpus.source_label(source_id), "metadata": metadata, "flags": flags,
        "review_status": source.get("review_status"), "text": highlight(text, spans),
        "quotes": by_kind["quote"], "statistics": by_kind["statistic"],
        "mention_groups": sorted(mentions_by_entity.items(), key=lambda item: (-len(item[1]), item[0])),
        "details": Markup(json.dumps({span["_id"]: span_details(corpus, span) for span in spans},
                                     ensure_ascii=False, sort_keys=True).replace("</", "<\\/")),
        "counts": article_counts(corpus, source_id),
        "quote_kinds": corpus.schema("quotes").enum("kind"),
    }


def keyword_in_context(text: str, start: int, end: int) -> dict[str, str]:
    before = text[max(0, start - CONTEXT_CHARS):start]
    after = text[end:end + CONTEXT_CHARS]
    return {"before": ("…" if start > CONTEXT_CHARS else "") + before.replace("\n", " "),
            "span": text[start:end], "after": after.replace("\n", " ") + ("…" if end + CONTEXT_CHARS < len(text) else "")}


def entity_contexts(corpus: Corpus) -> dict[str, dict[str, Any]]:
    """entity id -> its mentions in context, its quotes, the quotes it relays and the statistics credited to it."""
    pages: dict[str, dict[str, Any]] = {entity_id: {"entity": entity, "mentions": [], "quotes": [], "relayed": [],
                                                    "statistics": []}
                                        for entity_id, entity in corpus.entities.items()}
    order = {source_id: i for i, source_id in enumerate(corpus.sources)}
    spans = sorted((span for spans in corpus.spans_by_source.values() for span in spans),
                   key=lambda s: (order.get(s["source_id"], len(order)), s["start"], s["_id"]))
    for span in spans:
        kind, source_id = span["_kind"], span["source_id"]
        row = {**span, "source_label": corpus.source_label(source_id)}
        if kind == "mention" and span["entity_id"] in pages:
            row["context"] = keyword_in_context(corpus.texts[source_id], span["start"], span["end"])
            pages[span["entity_id"]]["mentions"].append(row)
        elif kind == "quote":
            if span.get("speaker_entity_id") in pages:
                pages[span["speaker_entity_id"]]["quotes"].append(row)
            if span.get("channel_entity_id") in pages:
                pages[span["channel_entity_id"]]["relayed"].append(row)
        elif kind == "statistic" and span.get("attributed_to_entity_id") in pages:
            pages[span["attributed_to_entity_id"]]["statistics"].append(row)
    for page in pages.values():
        page["aliases"] = split_list(page["entity"].get("aliases"))
        page["sources"] = sorted({m["source_id"] for m in page["mentions"]}, key=lambda s: order.get(s, len(order)))
    return pages


def _matches(measure: str, topic: dict[str, Any]) -> bool:
    words = measure.lower()
    return (all(any(word.lower() in words for word in group) for group in topic["all"])
            and not any(word.lower() in words for word in topic.get("none", [])))


def _bounds(row: dict[str, Any]) -> tuple[float | None, float | None]:
    return row.get("value_low"), row.get("value_high")


def figures_agree(rows: list[dict[str, Any]]) -> bool:
    """Whether one value can satisfy every figure's bounds (an exact value is its own bounds)."""
    lows = [low for row in rows for low in [_bounds(row)[0]] if low is not None]
    highs = [high for row in rows for high in [_bounds(row)[1]] if high is not None]
    values = {row["value"] for row in rows if row.get("value") is not None and _bounds(row) == (None, None)}
    if len(values) > 1:
        return False
    return not lows or not highs or max(lows) <= min(highs)


def claims_context(corpus: Corpus, topics: list[dict[str, Any]]) -> dict[str, Any]:
    """Statistics grouped by claim topic (config/site.yaml), then the rest by unit."""
    order = {source_id: i for i, source_id in enumerate(corpus.sources)}

    def row_of(stat: dict[str, Any]) -> dict[str, Any]:
        source = corpus.sources.get(stat["source_id"], {})
        return {**stat, "source_label": corpus.source_label(stat["source_id"]),
                "published_date": date_label(source),
                "credited": corpus.entity_label(stat.get("attributed_to_entity_id"))}

    statistics = sorted(corpus.rows("statistics"),
                        key=lambda s: (order.get(s["source_id"], len(order)), s["start"], s["statistic_id"]))
    placed: set[str] = set()
    groups: list[dict[str, Any]] = []
    for number, topic in enumerate(topics, start=1):
        rows = [row_of(s) for s in statistics if s["unit"] in topic["units"] and _matches(s["measure"], topic)]
        placed |= {row["statistic_id"] for row in rows}
        if not rows:
            continue
        by_unit: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_unit[row["unit"]].append(row)
        units: list[dict[str, Any]] = []
        for unit in topic["units"]:
            if unit not in by_unit:
                continue
            unit_rows = by_unit[unit]
            chart = charts.intervals(f"{topic['title']} ({unit})", [
                charts.Interval(f"{r['text']} — {r['source_label']}", r.get("value_low"), r.get("value_high"),
                                r.get("value")) for r in unit_rows])
            units.append({"unit": unit, "rows": unit_rows, "agree": figures_agree(unit_rows),
                          "sources": len({r["source_id"] for r in unit_rows}), "chart": Markup(chart)})
        groups.append({"slug": f"topic-{number}", "title": topic["title"], "why": topic["why"], "units": units})
    rest: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for stat in statistics:
        if stat["statistic_id"] not in placed:
            rest[stat["unit"]].append(row_of(stat))
    unit_order = corpus.schema("statistics").enum("unit")
    others: list[dict[str, Any]] = [{"unit": unit, "rows": sorted(rest[unit], key=lambda r: (r["measure"].lower(), r["statistic_id"]))}
              for unit in unit_order if unit in rest]
    return {"groups": groups, "others": others}


def codebook_summary(schema: TableSchema, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per column: values present, empty, distinct; counts per allowed value; lowest and highest."""
    summary: dict[str, dict[str, Any]] = {}
    for spec in schema.fields:
        name = spec["name"]
        values: list[Any] = [row[name] for row in rows if row.get(name) is not None]
        facts: dict[str, Any] = {"present": len(values), "empty": len(rows) - len(values),
                                 "distinct": len({str(v) for v in values})}
        enum = spec.get("constraints", {}).get("enum")
        if enum:
            counts = Counter(values)
            facts["counts"] = [(value, counts.get(value, 0)) for value in enum]
        elif spec["type"] in ("integer", "number", "date") and values:
            facts["lowest"], facts["highest"] = _show_value(min(values)), _show_value(max(values))
        elif values:
            lengths = [len(str(v)) for v in values]
            facts["lowest"], facts["highest"] = f"{min(lengths)} characters", f"{max(lengths)} characters"
        summary[name] = facts
    return summary


def dictionary_context(corpus: Corpus) -> dict[str, Any]:
    resources = {r["name"]: r for r in corpus.tables.descriptor.get("resources", [])}
    tables = []
    for name, schema in corpus.tables.schemas.items():
        references = {}
        for fk in schema.foreign_keys:
            for column, target in zip(fk["fields"], fk["reference"]["fields"]):
                references[column] = f"{fk['reference']['resource']}.{target}"
        fields = []
        for spec in schema.fields:
            constraints = dict(spec.get("constraints", {}))
            fields.append({**spec, "required": constraints.pop("required", False),
                           "unique": constraints.pop("unique", False),
                           "enum": constraints.pop("enum", None), "constraints": constraints,
                           "key": "primary key" if spec["name"] in schema.primary_key else "",
                           "references": references.get(spec["name"], "")})
        tables.append({"name": name, "description": schema.descriptor.get("description", ""),
                       "rows": len(corpus.rows(name)), "fields": fields,
                       "files": [path for r in resources.values() if r.get("schema") == f"schemas/{name}.json"
                                 for path in resource_paths(r)],
                       "summary": codebook_summary(schema, corpus.rows(name))})
    return {"tables": tables}


def chart_svgs(corpus: Corpus) -> dict[str, tuple[str, str]]:
    """file name -> (caption, SVG) of each chart."""
    entity_types = corpus.schema("entities").enum("type")
    speaker_types = [*entity_types, "no entity"]
    rows = []
    for source_id in corpus.sources:
        counts: Counter[str] = Counter()
        for span in corpus.spans_by_source.get(source_id, []):
            if span["_kind"] == "quote":
                speaker = corpus.entities.get(span.get("speaker_entity_id") or "")
                counts[speaker["type"] if speaker else "no entity"] += 1
        rows.append((corpus.source_label(source_id), dict(counts)))
    used = [t for t in speaker_types if any(counts.get(t) for _label, counts in rows)]
    svgs = {"quotes-by-speaker-type.svg": ("Quotes by the type of their speaker, per article",
                                          charts.stacked_bars("Quotes by speaker type per article", rows, used))}
    kinds = corpus.schema("quotes").enum("kind")
    kind_rows = [(corpus.source_label(source_id),
                  dict(Counter(s["kind"] for s in corpus.spans_by_source.get(source_id, []) if s["_kind"] == "quote")))
                 for source_id in corpus.sources]
    svgs["quotes-by-kind.svg"] = ("Quotes by kind (direct, partial, indirect), per article",
                                  charts.stacked_bars("Quotes by kind per article", kind_rows, kinds))
    units = corpus.schema("statistics").enum("unit")
    by_year: dict[str, Counter[str]] = defaultdict(Counter)
    for stat in corpus.rows("statistics"):
        date = corpus.sources.get(stat["source_id"], {}).get("published_date")
        by_year[str(date.year) if date else "undated"][stat["unit"]] += 1
    year_rows = [(year, dict(by_year[year])) for year in sorted(by_year)]
    used_units = [u for u in units if any(counts.get(u) for _year, counts in year_rows)]
    svgs["statistics-by-unit-and-year.svg"] = (
        "Statistics by unit, by the year the article was published",
        charts.stacked_bars("Statistics by unit and year of publication", year_rows, used_units, label_width=90))
    points = [charts.TimelinePoint(corpus.source_label(source_id), source["published_date"],
                                   source.get("date_precision") or "day")
              for source_id, source in corpus.sources.items() if source.get("published_date")]
    svgs["articles-timeline.svg"] = ("The articles on a timeline (a date known only to the month or year is a span)",
                                     charts.timeline("Articles by publication date", points))
    entity_counts = Counter(m["entity_id"] for m in corpus.rows("mentions"))
    top = sorted(entity_counts.items(), key=lambda item: (-item[1], item[0]))[:15]
    entity_rows = [(corpus.entity_label(entity_id), {corpus.entities.get(entity_id, {}).get("type", "OTHER"): count})
                   for entity_id, count in top]
    svgs["most-mentioned-entities.svg"] = ("The fifteen most mentioned entities, by type",
                                           charts.stacked_bars("Most mentioned entities", entity_rows, entity_types))
    return svgs


def render_site(corpus: Corpus, config: dict[str, Any], guidelines: str | None) -> dict[str, str]:
    """Relative path -> text of every page, chart and asset of the site."""
    env = _env()
    descriptor = corpus.tables.descriptor
    has_review = "review_status" in corpus.schema("sources").columns
    # links to an entity only where it has a page (a draft folder's entities are those it mentions)
    common = {"package": descriptor, "has_review": has_review, "entity_pages": set(corpus.entities)}

    def page(template: str, root: str, **context: Any) -> str:
        return env.get_template(template).render(root=root, **common, **context)

    files: dict[str, str] = {}
    articles = [{"source": source, "title": corpus.source_label(source_id), "counts": article_counts(corpus, source_id),
                 "flags": split_list(source.get("quality_flags"))}
                for source_id, source in corpus.sources.items()]
    totals = {table: len(corpus.rows(table)) for table in corpus.tables.schemas}
    files["index.html"] = page("index.html", "", articles=articles, totals=totals)
    for source_id in corpus.sources:
        files[f"articles/{source_id}.html"] = page("article.html", "../", **article_context(corpus, source_id))
    entity_pages = entity_contexts(corpus)
    for entity_id, context in entity_pages.items():
        files[f"entities/{entity_id}.html"] = page("entity.html", "../", **context)
    files["entities/index.html"] = page("entities.html", "../", entities=list(entity_pages.values()),
                                        types=corpus.schema("entities").enum("type"))
    files["claims.html"] = page("claims.html", "", **claims_context(corpus, config.get("claims", [])))
    files["dictionary.html"] = page("dictionary.html", "", **dictionary_context(corpus))
    files["codebook.html"] = page("codebook.html", "", guidelines=render_markdown(guidelines) if guidelines else None)
    svgs = chart_svgs(corpus)
    for name, (_caption, svg) in svgs.items():
        files[f"charts/{name}"] = svg
    files["charts.html"] = page("charts.html", "", charts=[{"file": name, "caption": caption, "svg": Markup(svg)}
                                                           for name, (caption, svg) in svgs.items()])
    for asset in sorted((ASSETS_DIR / "assets").iterdir()):
        files[f"assets/{asset.name}"] = asset.read_text(encoding="utf-8")
    return files


def render_markdown(text: str) -> Markup:
    """Markdown to HTML (CommonMark with tables); headings get ids so sections can be linked."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(text)

    def heading_id(match: re.Match[str]) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", re.sub(r"<[^>]+>", "", match.group(2)).lower()).strip("-")
        return f'<h{match.group(1)} id="{slug}">{match.group(2)}</h{match.group(1)}>'

    return Markup(re.sub(r"<h([1-6])>(.*?)</h\1>", heading_id, html))


# --- Save ------------------------------------------------------------------------

def write_files(files: dict[str, str], out: Path) -> None:
    """Write every file into a temporary sibling folder, then put it in place of ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for relative, text in sorted(files.items()):
            path = staging / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def build_site(package_dir: Path = ROOT, out: Path | None = None, config_path: Path = SITE_CONFIG) -> Path:
    """Load the package in ``package_dir``, render the site, write it to ``out`` (default ``build/site``)."""
    config = load_site_config(config_path)
    corpus = Corpus.of(read_package(package_dir), config.get("labels", {}))
    files = render_site(corpus, config, guidelines_text(package_dir))
    target = out or package_dir / "build" / "site"
    write_files(files, target)
    pages = sum(1 for name in files if name.endswith(".html"))
    print(f"wrote {target}: {pages} pages, {len(files) - pages} charts and assets; open {target / 'index.html'}")
    return target


def write_release_ways_in(root: Path) -> list[str]:
    """Write ``build/<name>.sqlite`` and ``build/site/`` of the package in ``root``; their paths relative to it.

    The release zip carries them beside the package (:func:`scripts.release.write_dist`).
    """
    from scripts.sqlite import write_sqlite

    database = write_sqlite(root)
    site = build_site(root)
    files = [database, *sorted(path for path in site.rglob("*") if path.is_file())]
    return [path.relative_to(root).as_posix() for path in files]


def site_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--package", type=Path, default=ROOT,
                        help="the package folder (default: the project); a build --out folder shows a draft")
    parser.add_argument("--out", type=Path, default=None, help="the site folder (default: PACKAGE/build/site)")
    parser.add_argument("--screenshot", type=Path, default=None, metavar="PNG",
                        help="then save a headless-Chromium screenshot of the article with the most quotes")


def showcase(package_dir: Path) -> tuple[str, str | None]:
    """The article with the most quotes (ties: first id) and its first quote that names a speaker."""
    quotes = read_package(package_dir).rows["quotes"]
    counts = Counter(q["source_id"] for q in quotes)
    if not counts:
        raise BuildError(f"{package_dir}: no quotes to show")
    source_id = min(counts, key=lambda s: (-counts[s], s))
    chosen = sorted((q for q in quotes if q["source_id"] == source_id),
                    key=lambda q: (q.get("speaker_entity_id") is None, q["start"]))
    return source_id, chosen[0]["quote_id"] if chosen else None


def site_command(args: argparse.Namespace) -> None:
    """``python -m scripts site``."""
    target = build_site(args.package, args.out)
    if args.screenshot:
        from scripts.browser import screenshot

        source_id, quote_id = showcase(args.package)
        print(f"wrote {screenshot(target / 'articles' / f'{source_id}.html', args.screenshot, quote_id)}")
