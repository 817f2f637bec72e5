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
