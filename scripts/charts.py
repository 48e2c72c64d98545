"""Static SVG charts for the site, rendered at build time without any library.

Takes counts (rows of labelled category counts) or intervals and returns SVG
text: no script, no external font or stylesheet, so a chart works in an
``<img>``, inline in a page, or opened alone from disk. Numbers are written
with fixed precision, so the same data gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

# Colour-blind-safe palette (Okabe–Ito), taken in order by the categories of a chart.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999", "#000000")
FONT = "font-family:system-ui,sans-serif;font-size:12px"


def _n(value: float) -> str:
    """A coordinate with one decimal, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(width: float, height: float, title: str, body: list[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" role="img" aria-label="{escape(title)}" style="{FONT}">'
            f"<title>{escape(title)}</title>" + "".join(body) + "</svg>\n")


def category_colours(categories: list[str]) -> dict[str, str]:
    return {category: PALETTE[i % len(PALETTE)] for i, category in enumerate(categories)}


def _legend(categories: list[str], colours: dict[str, str], x: float, y: float) -> list[str]:
    body = []
    for category in categories:
        body.append(f'<rect x="{_n(x)}" y="{_n(y - 10)}" width="10" height="10" fill="{colours[category]}"/>')
        body.append(f'<text x="{_n(x + 14)}" y="{_n(y)}">{escape(category)}</text>')
        x += 24 + 7 * len(category)
    return body


def stacked_bars(title: str, rows: list[tuple[str, dict[str, int]]], categories: list[str],
                 label_width: int = 260, bar_width: int = 420) -> str:
    """Horizontal stacked bars: one bar per row label, one segment per category, total at the end."""
    colours = category_colours(categories)
    top, row_height = 34, 24
    biggest = max([sum(counts.values()) for _label, counts in rows] + [1])
    height = top + row_height * len(rows) + 20
    width = label_width + bar_width + 50
    body = _legend(categories, colours, 4, 16)
    for index, (label, counts) in enumerate(rows):
        y = top + index * row_height
        shown = label if len(label) <= label_width // 7 else label[:label_width // 7 - 1] + "…"
        body.append(f'<text x="{_n(label_width - 6)}" y="{_n(y + 15)}" text-anchor="end">{escape(shown)}'
                    f"<title>{escape(label)}</title></text>")
        x = float(label_width)
        for category in categories:
            count = counts.get(category, 0)
            if not count:
                continue
            length = bar_width * count / biggest
            body.append(f'<rect x="{_n(x)}" y="{_n(y + 3)}" width="{_n(length)}" height="{row_height - 6}" '
                        f'fill="{colours[category]}"><title>{escape(label)}: {escape(category)} {count}</title></rect>')
            x += length
        body.append(f'<text x="{_n(x + 4)}" y="{_n(y + 15)}">{sum(counts.values())}</text>')
    return _svg(width, height, title, body)


@dataclass(frozen=True)
class TimelinePoint:
    label: str
    date: dt.date
    precision: str  # day, month or year: a month or a year is drawn as a span


def timeline(title: str, points: list[TimelinePoint], width: int = 720) -> str:
    """Points (or spans, for a date known to the month or year) on one time axis, one row each."""
    if not points:
        return _svg(width, 40, title, ['<text x="4" y="24">no dated articles</text>'])
    first = min(p.date for p in points).replace(month=1, day=1)
    last = dt.date(max(p.date for p in points).year + 1, 1, 1)
    span_days = max((last - first).days, 1)
    left, right, top, row_height = 10, 10, 30, 22
    axis = width - left - right

    def x_of(day: dt.date) -> float:
        return left + axis * (day - first).days / span_days

    body = [f'<line x1="{left}" y1="{top - 8}" x2="{width - right}" y2="{top - 8}" stroke="#444"/>']
    for year in range(first.year, last.year + 1):
        x = x_of(dt.date(year, 1, 1))
        body.append(f'<line x1="{_n(x)}" y1="{top - 12}" x2="{_n(x)}" y2="{top - 4}" stroke="#444"/>')
        if year < last.year:  # the last line closes the axis; its year would stand outside the picture
            body.append(f'<text x="{_n(x + 2)}" y="{top - 14}">{year}</text>')
    for index, point in enumerate(sorted(points, key=lambda p: (p.date, p.label))):
        y = top + index * row_height
        start = x_of(point.date)
        if point.precision == "year":
            end = x_of(dt.date(point.date.year + 1, 1, 1))
        elif point.precision == "month":
            month_end = dt.date(point.date.year + point.date.month // 12, point.date.month % 12 + 1, 1)
            end = x_of(month_end)
        else:
            end = start
        tip = f"{point.label}: {point.date.isoformat()} ({point.precision})"
        if end - start >= 3:
            body.append(f'<rect x="{_n(start)}" y="{y + 4}" width="{_n(end - start)}" height="10" fill="{PALETTE[0]}" '
                        f'opacity="0.5"><title>{escape(tip)}</title></rect>')
        body.append(f'<circle cx="{_n(start)}" cy="{y + 9}" r="5" fill="{PALETTE[0]}"><title>{escape(tip)}</title></circle>')
        anchor, text_x = ("end", start - 8) if start > width / 2 else ("start", max(start, end) + 8)
        body.append(f'<text x="{_n(text_x)}" y="{y + 13}" text-anchor="{anchor}">'
                    f"{escape(point.date.isoformat()[:{'day': 10, 'month': 7}.get(point.precision, 4)])} "
                    f"{escape(point.label)}</text>")
    return _svg(width, top + row_height * len(points) + 10, title, body)


@dataclass(frozen=True)
class Interval:
    """A figure as the bounds it asserts: ``low``/``high`` None when open on that side."""

    label: str
    low: float | None
    high: float | None
    value: float | None


def _ticks(low: float, high: float) -> list[float]:
    """Round tick values covering [low, high]."""
    if high <= low:
        high = low + 1
    step = 10 ** math.floor(math.log10((high - low) / 4)) if high > low else 1
    for factor in (1, 2, 5, 10):
        if (high - low) / (step * factor) <= 6:
            step *= factor
            break
    start = math.floor(low / step) * step
    return [start + i * step for i in range(int((high - start) / step) + 2) if start + i * step <= high + step]


def _tick_label(value: float) -> str:
    if abs(value) >= 1e9:
        return f"{value / 1e9:g}bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:g}m"
    return f"{value:,.0f}" if value == int(value) else f"{value:g}"


def intervals(title: str, rows: list[Interval], label_width: int = 300, plot_width: int = 400) -> str:
    """One row per figure: a bar from its lower to its upper bound, an arrow when open, a dot at its value."""
    numbers = [v for r in rows for v in (r.low, r.high, r.value) if v is not None]
    if not numbers:
        return _svg(label_width + plot_width, 30, title, ['<text x="4" y="20">no numeric bounds</text>'])
    ticks = _ticks(min(0.0, min(numbers)), max(numbers) * 1.1 if max(numbers) > 0 else 1.0)
    lowest, highest = ticks[0], ticks[-1]
    left, top, row_height = label_width, 26, 22

    def x_of(value: float) -> float:
        return left + plot_width * (value - lowest) / (highest - lowest)

    body = []
    for tick in ticks:
        x = x_of(tick)
        body.append(f'<line x1="{_n(x)}" y1="{top - 6}" x2="{_n(x)}" y2="{top + row_height * len(rows)}" stroke="#ddd"/>')
        body.append(f'<text x="{_n(x)}" y="{top - 10}" text-anchor="middle">{escape(_tick_label(tick))}</text>')
    for index, row in enumerate(rows):
        y = top + index * row_height + 11
        shown = row.label if len(row.label) <= label_width // 7 else row.label[:label_width // 7 - 1] + "…"
        body.append(f'<text x="{left - 8}" y="{y + 4}" text-anchor="end">{escape(shown)}<title>{escape(row.label)}</title></text>')
        if row.low is None and row.high is None:  # no bounds asserted ("approximately"): only the value
            if row.value is not None:
                body.append(f'<circle cx="{_n(x_of(row.value))}" cy="{y}" r="4" fill="{PALETTE[5]}"/>')
            continue
        low = x_of(row.low) if row.low is not None else x_of(lowest)
        high = x_of(row.high) if row.high is not None else x_of(highest)
        body.append(f'<line x1="{_n(low)}" y1="{y}" x2="{_n(high)}" y2="{y}" stroke="{PALETTE[0]}" stroke-width="6" '
                    f'opacity="0.6"/>')
        if row.high is None:
            body.append(f'<path d="M{_n(high)} {y}l-8 -6v12z" fill="{PALETTE[0]}"/>')
        if row.low is None:
            body.append(f'<path d="M{_n(low)} {y}l8 -6v12z" fill="{PALETTE[0]}"/>')
        if row.value is not None:
            body.append(f'<circle cx="{_n(x_of(row.value))}" cy="{y}" r="4" fill="{PALETTE[5]}"/>')
    return _svg(label_width + plot_width + 20, top + row_height * len(rows) + 8, title, body)
