"""The overview chart: strikes as bars against the diplomatic calendar, drawn as inline SVG.

One bar per strike at its date, as tall as the aerial weapons launched (drones and missiles
stacked, the intercepted part drawn within), an approximate date drawn as a faded range, and
each diplomatic milestone as a labelled line across the chart. When bars would crowd (more than
:data:`MAX_BARS`), strikes are summed by week, then by month. Pure: the model in, markup out.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import partial

from markupsafe import Markup, escape

from .exports import Pieces, fresh
from .frozen import pickled_by_fields
from .models import Event, Timeline

WIDTH, HEIGHT = 720, 280
"""The drawing's coordinate space; the page scales it, never below :data:`MIN_WIDTH` pixels."""
MIN_WIDTH = 640
TOP, BOTTOM, LEFT, RIGHT = 60, 26, 40, 10
MAX_BARS = 120
LABEL_WIDTH = 8.6
"""Approximate width of one label character, in drawing units."""


@pickled_by_fields  # kept from build to build: a tenth of a second at 10,000 strikes otherwise
@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: a strike, or the strikes of one week or month."""

    start: date
    end: date
    drones: int
    missiles: int
    intercepted: int
    label: str
    href: str
    approximate: bool = False

    @property
    def total(self) -> int:
        return self.drones + self.missiles


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Milestone:
    """A diplomatic milestone drawn as a vertical line."""

    day: date
    label: str
    title: str
    href: str
    approximate: bool


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything the template needs to draw the chart and its table."""

    svg: Markup
    bars: tuple[Bar, ...]
    milestones: tuple[Milestone, ...]
    binning: str
    """'strike', 'week' or 'month'."""
    left_out: int
    """Strikes not drawn: no count of weapons, or no known date."""


def weapons(event: Event) -> tuple[int, int, int]:
    """Drones, missiles and intercepted for one strike, from its lower bounds (0 when unknown)."""
    figures = {f.key: f.value or 0 for f in event.figures}
    drones = figures.get("drones_launched", 0)
    missiles = figures.get("missiles_launched", 0)
    if not drones and not missiles:
        drones = figures.get("aerial_targets", 0)  # only a total: drawn as one block
    intercepted = figures.get("intercepted") or (
        figures.get("drones_intercepted", 0) + figures.get("missiles_intercepted", 0)
    )
    return drones, missiles, min(intercepted, drones + missiles)


def build_chart(
    timeline: Timeline,
    event_href: Callable[[str], str],
    period_href: dict[str, str],
    pieces: Pieces = fresh,
) -> Chart | None:
    """The chart for a timeline, or None when there is nothing to draw.

    ``event_href`` gives the link of an event by its slug; ``period_href`` maps 'YYYY' and
    'YYYY-MM' to the page or anchor that lists that period.
    """
    strikes: list[Bar] = []
    left_out = 0
    milestones: list[Milestone] = []
    for found in pieces("chart mark", timeline.events, partial(_mark, event_href)):
        if isinstance(found, Bar):
            strikes.append(found)
        elif isinstance(found, Milestone):
            milestones.append(found)
        elif found == LEFT_OUT:  # equal, not the same object, once stored and read back
            left_out += 1
    if not strikes and not milestones:
        return None
    bars, binning = _bin(strikes, period_href)
    days = [b.start for b in bars] + [b.end for b in bars] + [m.day for m in milestones]
    first, last = min(days), max(days)
    first, last = date(first.year, 1, 1), date(last.year, 12, 31)
    svg = _draw(bars, milestones, first, last, binning, timeline.config.title)
    return Chart(svg, tuple(bars), tuple(milestones), binning, left_out)


def drawn_alike(
    chart: Chart | None, old: Event, new: Event, event_href: Callable[[str], str]
) -> bool:
    """Whether ``chart``, drawn with ``old``, is the chart drawn with ``new`` in its place.

    Bars summed by week or month show no strike's own date in words or title.
    """
    before, after = _mark(event_href, old), _mark(event_href, new)
    if chart is not None and chart.binning != "strike" and isinstance(before, Bar):
        before = replace(before, label="", href="")
        after = replace(after, label="", href="") if isinstance(after, Bar) else after
    return before == after


LEFT_OUT = "left out"
"""A strike the chart cannot draw: no count of weapons, or no known date."""


def _mark(event_href: Callable[[str], str], event: Event) -> Bar | Milestone | str | None:
    """What an event puts on the chart: a bar, a milestone, :data:`LEFT_OUT`, or nothing."""
    date_ = event.date
    known = date_.start is not None and date_.end is not None and not date_.undated
    if event.kind.milestone:
        if date_.start is None or date_.undated:
            return None
        label = event.places[0] if event.places else event.title
        return Milestone(
            date_.earliest, label, event.title, event_href(event.slug), not date_.exact
        )
    drones, missiles, intercepted = weapons(event)
    if not known or not drones + missiles:
        return LEFT_OUT
    approximate = any(p.qualified for p in (date_.start, date_.end) if p) or (
        date_.latest - date_.earliest > timedelta(days=2)
    )
    return Bar(
        date_.earliest, date_.latest, drones, missiles, intercepted,
        f"{event.date_display}: {event.title}", event_href(event.slug), approximate,
    )  # fmt: skip


def _bin(strikes: list[Bar], period_href: dict[str, str]) -> tuple[list[Bar], str]:
    if len(strikes) <= MAX_BARS:
        return strikes, "strike"
    weeks = _sum_by(strikes, lambda d: d - timedelta(days=d.weekday()), 7, period_href, "week")
    if len(weeks) <= MAX_BARS:
        return weeks, "week"
    return _sum_by(strikes, lambda d: d.replace(day=1), 0, period_href, "month"), "month"


def _sum_by(
    strikes: list[Bar],
    bucket: Callable[[date], date],
    days: int,
    period_href: dict[str, str],
    name: str,
) -> list[Bar]:
    groups: dict[date, list[Bar]] = {}
    for bar in strikes:
        groups.setdefault(bucket(bar.start), []).append(bar)
    bars = []
    for start, group in sorted(groups.items()):
        month_end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        end = start + timedelta(days=days - 1) if days else month_end
        month = f"{calendar.month_name[start.month]} {start.year}"
        period = month if name == "month" else f"week of {start.day} {month}"
        count = len(group)
        href = period_href.get(f"{start:%Y-%m}") or period_href.get(str(start.year), "")
        bars.append(
            Bar(
                start, end, sum(b.drones for b in group), sum(b.missiles for b in group),
                sum(b.intercepted for b in group),
                f"{period}: {count} strike{'s' if count != 1 else ''}", href,
            )
        )  # fmt: skip
    return bars


def _draw(
    bars: list[Bar],
    milestones: list[Milestone],
    first: date,
    last: date,
    binning: str,
    title: str,
) -> Markup:
    span = max(1, (last - first).days + 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    base = HEIGHT - BOTTOM
    peak = max((b.total for b in bars), default=0) or 1

    def x(day: date) -> float:
        return LEFT + plot_width * (day - first).days / span

    def y(value: int) -> float:
        return TOP + plot_height * (1 - value / peak)

    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        'aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}: strikes and diplomatic milestones</title>',
        f'<desc id="chart-desc">{escape(_describe(bars, milestones, binning))}</desc>',
    ]
    for year in range(first.year, last.year + 1):
        tick, middle = x(date(year, 1, 1)), x(date(year, 7, 1))
        out.append(_line("grid", tick, TOP, tick, base))
        out.append(_text("axis", middle, HEIGHT - 8, "middle", str(year)))
    out.append(_line("baseline", LEFT, base, WIDTH - RIGHT, base))
    out.append(_text("axis", LEFT - 6, TOP + 4, "end", _short(peak)))
    out.append(_text("axis", LEFT - 6, base, "end", "0"))
    minimum = max(3.0 if binning == "strike" else 2.0, plot_width / span)
    for bar in bars:
        left = x(bar.start)
        width = max(minimum, x(bar.end + timedelta(days=1)) - left)
        drone_top, missile_top = y(bar.drones), y(bar.total)
        classes = "bar approximate" if bar.approximate else "bar"
        parts = [
            f'<a href="{escape(bar.href)}" class="{classes}">',
            f"<title>{escape(_bar_title(bar))}</title>",
            _rect("drones", left, drone_top, width, base - drone_top),
        ]
        if bar.missiles:
            parts.append(_rect("missiles", left, missile_top, width, drone_top - missile_top))
        if bar.intercepted:
            top, inner = y(bar.intercepted), max(1.0, width / 3)
            parts.append(_rect("intercepted", left + (width - inner) / 2, top, inner, base - top))
        parts.append("</a>")
        out.append("".join(parts))
    placed = []
    for milestone in milestones:
        position = x(milestone.day)
        width = LABEL_WIDTH * len(milestone.label) + 6
        anchor = "end" if position + width > WIDTH - RIGHT else "start"
        extent = (position - width, position) if anchor == "end" else (position, position + width)
        placed.append((milestone, position, anchor, extent))
    rows = label_rows([extent for *_, extent in placed], gap=4)
    for (milestone, position, anchor, _), row in zip(placed, rows, strict=True):
        label_y = 14 + 15 * (row % 3)
        label_x = position - 3 if anchor == "end" else position + 3
        classes = "milestone approximate" if milestone.approximate else "milestone"
        out.append(
            f'<a href="{escape(milestone.href)}" class="{classes}">'
            f"<title>{escape(milestone.title)}</title>"
            + _line("", position, label_y - 10, position, base)
            + _text("", label_x, label_y, anchor, milestone.label)
            + "</a>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def label_rows(extents: list[tuple[float, float]], gap: float) -> list[int]:
    """The row of each label, placed in turn: the first row whose last label ends more than
    ``gap`` before it starts (each label is given as its ``(start, end)``).

    The rows' ends are kept in a tree of their smallest, so that the first row with room is
    found in log time: a chart of 100,000 events labels 20,000 milestones, most in rows of
    their own, and looking along every row for each took half a second.
    """
    size = 1
    while size < len(extents):
        size *= 2
    lowest = [-math.inf] * (2 * size)  # the smallest end below each node; an empty row: -inf
    rows = []
    for start, end in extents:
        node = 1  # down to the first row with room: with one label fewer than rows, one has
        while node < size:
            node = 2 * node if lowest[2 * node] < start - gap else 2 * node + 1
        rows.append(node - size)
        lowest[node] = end
        while node > 1:
            node //= 2
            lowest[node] = min(lowest[2 * node], lowest[2 * node + 1])
    return rows


def _line(kind: str, x1: float, y1: float, x2: float, y2: float) -> str:
    attribute = f' class="{kind}"' if kind else ""
    return f'<line{attribute} x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'


def _text(kind: str, x: float, y: float, anchor: str, words: str) -> str:
    attribute = f' class="{kind}"' if kind else ""
    return f'<text{attribute} x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(words)}</text>'


def _rect(kind: str, x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect class="{kind}" x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}"/>'
    )


def _bar_title(bar: Bar) -> str:
    parts = [bar.label, f"{bar.drones:,} drones", f"{bar.missiles:,} missiles"]
    if bar.intercepted:
        parts.append(f"{bar.intercepted:,} intercepted")
    return " · ".join(parts)


def _describe(bars: list[Bar], milestones: list[Milestone], binning: str) -> str:
    if not bars:
        return f"{len(milestones)} diplomatic milestones; no strike with a count of weapons."
    biggest = max(bars, key=lambda b: b.total)
    unit = {"strike": "strike", "week": "week", "month": "month"}[binning]
    names = ", ".join(
        f"{m.label} ({m.day.day} {calendar.month_name[m.day.month]} {m.day.year})"
        for m in milestones
    )
    return (
        f"Bars show the drones and missiles launched in each {unit} "
        f"({len(bars)} bars), the intercepted part drawn within; the largest is {biggest.label} "
        f"with {biggest.total:,}. Vertical lines mark diplomatic milestones: {names or 'none'}."
    )


def _short(value: int) -> str:
    return f"{value / 1000:.1f}k" if value >= 10_000 else f"{value:,}"
