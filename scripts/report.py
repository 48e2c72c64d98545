"""Reports for curators and readers of the dataset.

``print_mentions`` takes a source id and prints each of its resolved
mentions with the occurrence number a curator writes in the source's
``mentions.assign`` / ``exclude`` entries. ``print_stats`` takes a built
package folder (default: the project root) and prints per source the counts
of quotes by kind, statistics by unit, entities by type and mentions.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from scripts import annotations as ann
from scripts.errors import BuildError
from scripts.normalise import load_site_profiles
from scripts.parts import table_paths, table_rows
from scripts.schema import TABLES, load_schema
from scripts.sources import build_source


def print_mentions(source_id: str) -> None:
    path = ann.SOURCES_DIR / f"{source_id}.yaml"
    if not path.is_file():
        raise BuildError(f"{path}: no annotation file for source {source_id!r}")
    source = ann.load_source_annotation(path)
    registry = ann.load_registry()
    text = build_source(source, load_site_profiles()).text
    rows = ann.resolve_mentions(source, text, registry)
    numbers = ann.occurrence_numbers(text, [(row["start"], row["end"]) for row in rows])  # one search per text
    for row in rows:
        occurrence = numbers[row["start"], row["end"]]
        context = text[max(0, row["start"] - 30):row["end"] + 30].replace("\n", " ")
        print(f"{row['start']:>6} {row['text']!r} occurrence {occurrence} -> {row['entity_id']} ({row['origin']})  …{context}…")


def read_frame(package_dir: Path, table: str, extension: str = "parquet") -> pd.DataFrame:
    """A table of the package as one DataFrame, every part in order (CSV cells as strings, empty for null)."""
    paths = table_paths(package_dir, table, extension)
    if extension == "csv":
        frames = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in paths]
    else:
        frames = [pd.read_parquet(path) for path in paths]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def stats_frame(directory: Path | None = None) -> pd.DataFrame:
    """Per-source counts from the built CSV tables of ``directory``."""
    package = directory or ann.ROOT
    read = lambda name: read_frame(package, name, "csv")  # noqa: E731
    sources, quotes, statistics = read("sources"), read("quotes"), read("statistics")
    mentions, entities = read("mentions"), read("entities")
    mentions = mentions.merge(entities[["entity_id", "type"]], on="entity_id", how="left")
    frame = pd.DataFrame(index=pd.Index(sorted(sources["source_id"]), name="source_id"))
    for kind in load_schema("quotes").enum("kind"):
        frame[f"quotes_{kind}"] = quotes[quotes["kind"] == kind].groupby("source_id").size()
    frame["quotes"] = quotes.groupby("source_id").size()
    for unit in load_schema("statistics").enum("unit"):
        counts = statistics[statistics["unit"] == unit].groupby("source_id").size()
        if counts.sum():
            frame[f"stats_{unit}"] = counts
    frame["statistics"] = statistics.groupby("source_id").size()
    for entity_type in load_schema("entities").enum("type"):
        counts = mentions[mentions["type"] == entity_type].groupby("source_id")["entity_id"].nunique()
        if counts.sum():
            frame[f"entities_{entity_type}"] = counts
    frame["entities"] = mentions.groupby("source_id")["entity_id"].nunique()
    frame["mentions"] = mentions.groupby("source_id").size()
    frame = frame.fillna(0).astype(int)
    total = frame.sum().to_frame().T
    total["entities"] = mentions["entity_id"].nunique()
    for entity_type in load_schema("entities").enum("type"):
        if f"entities_{entity_type}" in frame:
            total[f"entities_{entity_type}"] = mentions[mentions["type"] == entity_type]["entity_id"].nunique()
    total.index = pd.Index(["total (distinct entities)"], name="source_id")
    return pd.concat([frame, total])


def stats_markdown(directory: Path | None = None) -> str:
    """The README's tables: rows per table, then the per-source counts."""
    package = directory or ann.ROOT
    lines = ["| table | rows | what a row is |", "|---|---|---|"]
    for name in TABLES:
        rows = table_rows(package, name)
        lines.append(f"| `{name}` | {rows} | {load_schema(name).descriptor['description'].split(':')[0].rstrip('.')} |")
    frame = stats_frame(directory)
    columns = ["source_id", *frame.columns]
    lines += ["", "| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for source_id, row in frame.iterrows():
        lines.append("| " + " | ".join([f"`{source_id}`", *map(str, row.tolist())]) + " |")
    return "\n".join(lines)


def _counted(values: pd.Series, labels: dict[str, str] | None = None) -> str:
    """``"13 direct, 8 partial"``: counts of each value, largest first, ties by name."""
    counts = values.value_counts()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return ", ".join(f"{n} {(labels or {}).get(str(v), v)}" for v, n in ordered) or "none"


def composition_markdown(directory: Path | None = None) -> str:
    """The datasheet's figures, read from the published tables (never typed by hand)."""
    package = directory or ann.ROOT
    read = lambda name: read_frame(package, name)  # noqa: E731
    sources, entities, mentions = read("sources"), read("entities"), read("mentions")
    quotes, statistics = read("quotes"), read("statistics")
    dates = sources["published_date"].dropna()
    span = f"{min(dates).isoformat()} to {max(dates).isoformat()}" if len(dates) else "no dated article"
    flags = sources["quality_flags"].dropna().str.split(" | ", regex=False).explode()
    return "\n".join([
        f"- **Articles:** {len(sources)} ({_counted(sources['review_status'])}); publication dates from {span} "
        f"(basis of the date: {_counted(sources['date_basis'])}); "
        f"languages: {_counted(sources['language'])}; site profiles: {_counted(sources['site_id'])}.",
        f"- **Quality flags:** {_counted(flags) if len(flags) else 'none'}; articles without a title: "
        f"{int(sources['title'].isna().sum())}, without an author: {int(sources['authors'].isna().sum())}, "
        f"without a publisher: {int(sources['publisher'].isna().sum())}, without a URL: "
        f"{int(sources['url'].isna().sum())}.",
        f"- **Entities:** {len(entities)} ({_counted(entities['type'])}; {_counted(entities['review_status'])}).",
        f"- **Mentions:** {len(mentions)} ({_counted(mentions['origin'])}).",
        f"- **Quotes:** {len(quotes)} ({_counted(quotes['kind'])}); without a resolved speaker entity: "
        f"{int(quotes['speaker_entity_id'].isna().sum())}; relayed through a named outlet: "
        f"{int(quotes['channel_entity_id'].notna().sum())}.",
        f"- **Statistics:** {len(statistics)} ({_counted(statistics['unit'])}); not credited to an entity by the "
        f"article: {int(statistics['attributed_to_entity_id'].isna().sum())}.",
    ])


COMPOSITION_START, COMPOSITION_END = "<!-- composition:start -->", "<!-- composition:end -->"
README_START, README_END = "<!-- stats:start -->", "<!-- stats:end -->"


def replace_block(document: str, start: str, end: str, block: str, where: str) -> str:
    """``document`` with the text between the ``start`` and ``end`` markers replaced by ``block``."""
    if start not in document or end not in document:
        raise BuildError(f"{where}: the markers {start} and {end} are missing")
    head, rest = document.split(start, 1)
    tail = rest.split(end, 1)[1]
    return f"{head}{start}\n{block}\n{end}{tail}"


def readme_with_stats(readme: str, directory: Path | None = None) -> str:
    """``readme`` with the block between the stats markers replaced by :func:`stats_markdown`."""
    return replace_block(readme, README_START, README_END, stats_markdown(directory), "README.md")


def update_readme(directory: Path | None = None) -> None:
    path = ann.ROOT / "README.md"
    path.write_text(readme_with_stats(path.read_text(encoding="utf-8"), directory), encoding="utf-8")
    print(f"updated the tables of {path}")


def print_stats(directory: Path | None = None, markdown: bool = False) -> None:
    if markdown:
        print(stats_markdown(directory))
    else:
        with pd.option_context("display.width", 250, "display.max_columns", 50):
            print(stats_frame(directory).T.to_string())


def check_arguments(parser: argparse.ArgumentParser) -> None:
    """``check`` takes no arguments."""


def check_command(args: argparse.Namespace) -> None:
    """``python -m scripts check``: resolve every annotation, write nothing."""
    from scripts.tables import build_rows

    rows = build_rows()
    print(", ".join(f"{name}: {len(r)} rows" for name, r in rows.items()))


def mentions_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source_id")


def mentions_command(args: argparse.Namespace) -> None:
    print_mentions(args.source_id)


def stats_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", type=Path, nargs="?", default=None)
    parser.add_argument("--markdown", action="store_true", help="print the README's tables")
    parser.add_argument("--update-readme", action="store_true", help="rewrite the tables of README.md")


def stats_command(args: argparse.Namespace) -> None:
    if args.update_readme:
        update_readme(args.directory)
    else:
        print_stats(args.directory, markdown=args.markdown)
