"""Order events into one timeline, grouped by year and month, and link sources to events."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from itertools import groupby

from .dates import MONTHS, Precision
from .models import Event, MonthGroup, SiteConfig, Source, Timeline, YearGroup


def build_timeline(
    config: SiteConfig, events: Iterable[Event], sources: dict[str, Source]
) -> Timeline:
    """Sort events (earliest day, latest day, slug), group them, and index who cites what."""
    ordered = tuple(sorted(events, key=Event.sort_key))
    citing: dict[str, list[Event]] = {source_id: [] for source_id in sorted(sources)}
    for event in ordered:
        for citation in event.citations:
            citing[citation.source_id].append(event)
    return Timeline(
        config,
        ordered,
        dict(sorted(sources.items())),
        group_by_year(ordered),
        {source_id: tuple(cited) for source_id, cited in citing.items()},
    )


def group_by_year(events: tuple[Event, ...]) -> tuple[YearGroup, ...]:
    """Group ordered events by the year of their earliest possible day, then by month.

    An event whose possible days span more than one month gets a group of its own, labelled
    with its range, so it is never shown as if it happened in the month it might start in.
    """
    years = []
    for year, in_year in groupby(events, key=lambda e: e.date.earliest.year):
        months = [
            MonthGroup(key, label, tuple(grouped))
            for (key, label), grouped in groupby(in_year, key=_month_of)
        ]
        years.append(YearGroup(year, tuple(months)))
    return tuple(years)


def _month_of(event: Event) -> tuple[str, str]:
    """The group an event belongs in: its month, or its own range when no month is known."""
    date = event.date
    start = date.start
    month = date.single_month
    if (
        month is None
        and start is not None
        and not date.undated
        and start.precision is Precision.DAY
    ):
        month = start.earliest.year, start.earliest.month  # a span of days across months
    if month is not None:
        year, number = month
        return f"m-{year:04d}-{number:02d}", f"{MONTHS[number - 1]} {year}"
    return "u-" + re.sub(r"[^0-9A-Za-z]+", "-", date.text).strip("-"), event.date_display


def placement(event: Event) -> tuple[object, ...]:
    """Everything that decides where an event appears: its order and groups, the facets and
    listings it is found under, the sources that list it, and its page's address.

    An event can take the place of another with the same placement without moving anything:
    see :func:`substitute`.
    """
    cited = tuple(citation.source_id for citation in event.citations)
    return (event.path, event.slug, event.id, event.draft, event.date, event.kind, event.places,
            event.tags, cited)  # fmt: skip


def substitute(
    timeline: Timeline, replacements: dict[int, Event], position: Mapping[int, int]
) -> Timeline:
    """The timeline with each event whose ``id()`` is a key replaced by its value.

    Each replacement must have the same :func:`placement` as the event it replaces: the order,
    the groups and who cites what stay as they are, which is what makes this cheap. ``position``
    gives the number of each event in the timeline by its ``id()``.
    """
    events = list(timeline.events)
    for old, new in replacements.items():
        events[position[old]] = new
    ordered = tuple(events)
    changed = sorted(position[old] for old in replacements)

    def holds_one(start: int, end: int) -> bool:
        first = bisect_left(changed, start)
        return first < len(changed) and changed[first] < end

    years, start = [], 0
    for year in timeline.years:  # the months cut the ordered events into consecutive runs
        months = []
        for month in year.months:
            end = start + len(month.events)
            if holds_one(start, end):
                month = MonthGroup(month.key, month.label, ordered[start:end])
            months.append(month)
            start = end
        same = all(new is old for new, old in zip(months, year.months, strict=True))
        years.append(year if same else YearGroup(year.year, tuple(months)))
    assert start == len(ordered), "the months hold every event once"
    cited = {c.source_id for e in replacements.values() for c in e.citations}
    citing = {
        key: tuple(replacements.get(id(e), e) for e in events) if key in cited else events
        for key, events in timeline.citing.items()
    }
    return Timeline(timeline.config, ordered, timeline.sources, tuple(years), citing)
