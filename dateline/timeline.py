"""Order events into one timeline, grouped by year and month, and link sources to events."""

from __future__ import annotations

import re
from collections.abc import Iterable
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


def substitute(timeline: Timeline, replacements: dict[int, Event]) -> Timeline:
    """The timeline with each event whose ``id()`` is a key replaced by its value.

    Each replacement must have the same :func:`placement` as the event it replaces: the order,
    the groups and who cites what stay as they are, which is what makes this cheap.
    """

    def swap(events: tuple[Event, ...]) -> tuple[Event, ...]:
        if not any(id(event) in replacements for event in events):
            return events
        return tuple(replacements.get(id(event), event) for event in events)

    def month(group: MonthGroup) -> MonthGroup:
        events = swap(group.events)
        return group if events is group.events else MonthGroup(group.key, group.label, events)

    def year(group: YearGroup) -> YearGroup:
        months = tuple(map(month, group.months))
        same = all(new is old for new, old in zip(months, group.months, strict=True))
        return group if same else YearGroup(group.year, months)

    cited = {c.source_id for e in replacements.values() for c in e.citations}
    years = tuple(map(year, timeline.years))
    return Timeline(
        timeline.config,
        swap(timeline.events),
        timeline.sources,
        years,
        {key: swap(events) if key in cited else events for key, events in timeline.citing.items()},
    )
