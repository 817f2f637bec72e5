"""Data exports, from the same model as the pages: events.json, .csv and .ics, and timeline.json.

Every export is a pure function of the timeline and deterministic: keys and rows in a fixed order,
no clock, no locale.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date as Day
from datetime import timedelta
from functools import cache
from typing import Any, Protocol, TypeVar

import orjson
from markupsafe import escape

from .dates import DatePart, EventDate, Precision
from .figures import FIGURES
from .markdown import shift_headings
from .models import Event, Source, Timeline
from .output import Parts

EXPORT_VERSION = 1
Piece = TypeVar("Piece")


class Pieces(Protocol):
    """Gives each event's piece of a file: ``pieces(name, events, make)``, maybe remembered."""

    def __call__(
        self, name: str, events: Sequence[Event], make: Callable[[Event], Piece]
    ) -> list[Piece]: ...


_FORMULA_START = frozenset("=+-@\t\r")
"""What a spreadsheet reads a cell starting with as a formula."""


def fresh(name: str, events: Sequence[Event], make: Callable[[Event], Piece]) -> list[Piece]:
    """Every piece made anew: for a single build, where nothing can be reused."""
    return [make(event) for event in events]


def event_url(timeline: Timeline, event: Event) -> str:
    """The event's page, absolute when the site's host is known."""
    return timeline.config.url(event.page)


def source_url(timeline: Timeline, source: Source, anchor: str = "") -> str:
    """The source's page (or one passage on it), absolute when the site's host is known."""
    return timeline.config.url(source.page) + (f"#{anchor}" if anchor else "")


# --- events.json -------------------------------------------------------------------------------


def events_json(timeline: Timeline, pieces: Pieces = fresh) -> Parts:
    """Every event with all its fields, and every source (see schemas/events-json.schema.json)."""

    def record(event: Event) -> bytes:
        return compact_json(_event_data(timeline, event))

    head = {
        "version": EXPORT_VERSION,
        "title": timeline.config.title,
        "url": timeline.config.url(),
    }
    return json_document(
        head,
        {
            "events": pieces("events.json", timeline.events, record),
            "sources": [
                compact_json(_source_data(timeline, source)) for source in timeline.sources.values()
            ],
        },
    )


def compact_json(value: object) -> bytes:
    """``value`` as UTF-8 JSON on one line, non-ASCII text as it is.

    orjson writes the same bytes as the standard library's encoder would with
    ``ensure_ascii=False`` and compact separators (the data holds no floats, where the two
    differ), three to seven times faster: at 10,000 events the exports hold 60 MB of JSON.
    """
    # orjson's bytes keep all the room it allocated to write in; a copy of the exact size
    # lets that room serve the next record (keeping it cost 130 MB at 10,000 events)
    return memoryview(orjson.dumps(value)).tobytes()


def json_document(head: dict[str, Any], lists: dict[str, list[bytes]]) -> Parts:
    """A JSON object: the ``head`` members, then lists of records given as JSON, one per line.

    Compact, fast (the C encoder does the work, and records are kept as they are, between
    their separators), and diffable: a change to one event changes one line of the file.
    """
    parts = [b"{\n"]
    for key, value in head.items():
        parts += (compact_json(key), b":", compact_json(value), b",\n")
    for number, (key, rows) in enumerate(lists.items()):
        parts += (compact_json(key), b":[\n" if rows else b":[")
        for row in rows:
            parts += (row, b",\n")
        if rows:
            parts[-1] = b"\n"
        parts.append(b"],\n" if number < len(lists) - 1 else b"]\n")
    parts.append(b"}\n")
    return parts


def _event_data(timeline: Timeline, event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "feed_id": timeline.config.id_prefix + event.id,
        "slug": event.slug,
        "url": event_url(timeline, event),
        "title": event.title,
        "kind": event.kind.key,
        "kind_label": event.kind.label,
        "status": event.status,
        "date": date_data(event.date, event.kind.overnight),
        "date_basis": event.date_basis or None,
        "places": list(event.places),
        "tags": list(event.tags),
        "figures": {
            figure.key: {
                "label": figure.label,
                "value": figure.value,
                "qualifier": figure.qualifier or None,
                "words": figure.words or None,
                "note": figure.note or None,
                "display": figure.display(),
            }
            for figure in event.figures
        },
        "citations": [
            {
                "source": citation.source_id,
                "records": [{"text": r.text, "url": r.url} for r in citation.records],
                "quotes": [
                    {
                        "text": quote.text,
                        "paragraph": quote.paragraph or None,
                        "url": source_url(
                            timeline, timeline.sources[citation.source_id], quote.anchor
                        ),
                    }
                    for quote in citation.quotes
                ],
            }
            for citation in event.citations
        ],
        "body_html": portable_html(timeline, event.body_html),
        "updated": event.last_updated.isoformat(),
    }


def date_data(date: EventDate, overnight: bool = False) -> dict[str, Any]:
    """An event date with its precision kept: the EDTF text, bounds, and each end as written."""
    return {
        "edtf": date.text,
        "display": date.display(overnight),
        "earliest": date.earliest.isoformat() if date.start else None,
        "latest": date.latest.isoformat() if date.end else None,
        "interval": date.interval,
        "undated": date.undated,
        "start": _part_data(date.start),
        "end": _part_data(date.end) if date.interval else None,
    }


def _part_data(part: DatePart | None) -> dict[str, Any] | None:
    if part is None:
        return None
    return {
        "edtf": part.text,
        "precision": part.precision.value,
        "approximate": part.approximate,
        "uncertain": part.uncertain,
    }


def _source_data(timeline: Timeline, source: Source) -> dict[str, Any]:
    return {
        "id": source.id,
        "type": "dataset" if source.dataset else "article",
        "title": source.title,
        "publisher": source.publisher,
        "published": source.published.text if source.published else None,
        "url": source.url,
        "archive": source.archive,
        "page": source_url(timeline, source),
        "cited_by": [event.id for event in timeline.citing[source.id]],
    }


# --- events.csv --------------------------------------------------------------------------------

CSV_COLUMNS = (
    "id", "slug", "url", "date", "date_display", "date_precision", "earliest", "latest",
    "approximate", "uncertain", "kind", "status", "title", "places", "tags",
    *(column for key in FIGURES for column in (key, f"{key}_qualifier")),
    "source_ids", "updated",
)  # fmt: skip


def events_csv(timeline: Timeline, pieces: Pieces = fresh) -> Parts:
    """One row per event, flat, for spreadsheets; no cell can start a formula."""

    def row(event: Event) -> bytes:
        return csv_line(_csv_row(timeline, event)).encode("utf-8")

    rows = pieces("events.csv", timeline.events, row)
    return [csv_line(list(CSV_COLUMNS)).encode("utf-8"), *rows]


_MUST_QUOTE = re.compile('[",\r\n]')
"""What the csv module's default dialect puts a cell in quotes for: a comma, a quote, a line
break."""


def csv_line(cells: list[str]) -> str:
    """One line of CSV, as ``csv.writer(lineterminator="\\r\\n").writerow(cells)`` writes it:
    a cell in quotes (its own quotes doubled) only where it holds a comma, a quote or a line
    break. Three times faster than a writer for each line."""
    line = ",".join(cells)
    if len(cells) == 1 and not line:
        return '""\r\n'  # a line of one empty cell, which would otherwise read as none
    if line.count(",") == len(cells) - 1 and not _MUST_QUOTE.search(line.replace(",", "")):
        return line + "\r\n"  # no cell holds anything to quote, as in most rows
    quoted = ['"' + c.replace('"', '""') + '"' if _MUST_QUOTE.search(c) else c for c in cells]
    return ",".join(quoted) + "\r\n"


_NO_FIGURE = ("", "")


def _csv_row(timeline: Timeline, event: Event) -> list[str]:
    """The cells of an event's row; only what editors wrote is guarded against formulas
    (numbers, dates and the words of :data:`.figures.QUALIFIERS` cannot start one)."""
    date = event.date
    parts = [p for p in (date.start, date.end) if p is not None]
    figures = {figure.key: figure for figure in event.figures}
    figure_cells: list[str] = []
    for key in FIGURES:
        figure = figures.get(key)
        if figure is None:
            figure_cells += _NO_FIGURE
        elif figure.value is None:
            figure_cells += ["", _cell(figure.words)]
        else:
            figure_cells += [str(figure.value), figure.qualifier]
    return [
        _cell(event.id),
        _cell(event.slug),
        _cell(event_url(timeline, event)),
        _cell(date.text),
        _cell(event.date_display),
        "interval" if date.interval else parts[0].precision.value,
        date.earliest.isoformat() if date.start else "",
        date.latest.isoformat() if date.end else "",
        "true" if any(p.approximate for p in parts) else "false",
        "true" if any(p.uncertain for p in parts) else "false",
        _cell(event.kind.key),
        _cell(event.status),
        _cell(event.title),
        _cell("; ".join(event.places)),
        _cell("; ".join(event.tags)),
        *figure_cells,
        _cell("; ".join(c.source_id for c in event.citations)),
        event.last_updated.isoformat(),
    ]


def _cell(text: str) -> str:
    """A CSV cell of text that a spreadsheet shows as written and never evaluates."""
    return "'" + text if text[:1] in _FORMULA_START else text


# --- timeline.json (TimelineJS3) ---------------------------------------------------------------


def timelinejs(timeline: Timeline, pieces: Pieces = fresh) -> Parts:
    """The timeline in Knight Lab TimelineJS3's JSON format."""
    config = timeline.config

    @cache  # each source's link, made once however many events cite it
    def source_link(source_id: str) -> str:
        source = timeline.sources[source_id]
        return f'<a href="{escape(source_url(timeline, source))}">{escape(source.title)}</a>'

    def slide(event: Event) -> bytes:
        return compact_json(_slide(timeline, event, source_link))

    title = {"headline": str(escape(config.title)), "text": str(escape(config.description))}
    return json_document(
        {"title": {"text": title}},
        {"events": pieces("timeline.json", timeline.events, slide)},
    )


_NOT_IN_SLIDE_ID = re.compile(r"[^A-Za-z0-9_-]+")


def _slide(timeline: Timeline, event: Event, source_link: Callable[[str], str]) -> dict[str, Any]:
    date = event.date
    first = date.start or date.end
    assert first is not None
    slide: dict[str, Any] = {
        "unique_id": _NOT_IN_SLIDE_ID.sub("-", event.id),
        "group": event.kind.label,
        "start_date": _tl_date(first, first.earliest),
        "display_date": event.date_display,
        "text": {
            "headline": str(escape(event.title)),
            "text": _slide_text(timeline, event, source_link),
        },
    }
    if date.interval and date.start and date.end and date.end.earliest > date.start.earliest:
        slide["end_date"] = _tl_date(date.end, date.end.latest)
    return slide


def _tl_date(part: DatePart, day: Day) -> dict[str, int]:
    """A TimelineJS date with numbers only down to the precision known."""
    if part.precision in (Precision.DECADE, Precision.CENTURY):
        return {"year": part.earliest.year}
    value = {"year": day.year}
    if part.precision in (Precision.MONTH, Precision.DAY):
        value["month"] = day.month
    if part.precision is Precision.DAY:
        value["day"] = day.day
    return value


def _slide_text(timeline: Timeline, event: Event, source_link: Callable[[str], str]) -> str:
    """The slide's HTML: the body as rendered (raw HTML was never allowed in) and linked sources
    (``source_link`` of each source id)."""
    links = ", ".join(source_link(citation.source_id) for citation in event.citations)
    more = f'<a href="{escape(event_url(timeline, event))}">The event on the timeline</a>'
    body = portable_html(timeline, shift_headings(event.body_html, 2))
    return f"{body}<p>Sources: {links}</p><p>{more}</p>"


def portable_html(timeline: Timeline, html: str) -> str:
    """Body HTML for feeds and embeds: links to the site made absolute when the host is known."""
    config = timeline.config
    if not config.absolute:
        return html
    return re.sub(rf'href="{re.escape(config.base_path)}(?!/)', f'href="{config.base_url}', html)


# --- events.ics --------------------------------------------------------------------------------


def events_ics(timeline: Timeline, pieces: Pieces = fresh) -> Parts:
    """Events known to the day, as an iCalendar file; scheduled meetings are marked tentative."""
    host = re.sub(
        r"[^A-Za-z0-9.-]", "", timeline.config.id_prefix.split(",")[0].removeprefix("tag:")
    )
    head = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//dateline//timeline//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(timeline.config.title)}",
    ]

    def vevent(event: Event) -> bytes:
        date = event.date
        if not _known_to_the_day(date):
            return b""
        return _ics_lines(
            [
                "BEGIN:VEVENT",
                f"UID:{_ics_text(event.id)}@{host or 'dateline'}",
                f"DTSTAMP:{_ics_date(event.last_updated)}T000000Z",
                f"DTSTART;VALUE=DATE:{_ics_date(date.earliest)}",
                f"DTEND;VALUE=DATE:{_ics_date(date.latest + timedelta(days=1))}",
                f"SUMMARY:{_ics_text(event.title)}",
                f"DESCRIPTION:{_ics_text(event.date_display + '. ' + ', '.join(event.places))}",
                f"CATEGORIES:{_ics_text(event.kind.label)}",
                f"STATUS:{'TENTATIVE' if event.status == 'scheduled' else 'CONFIRMED'}",
                *([f"URL:{event_url(timeline, event)}"] if timeline.config.absolute else []),
                "END:VEVENT",
            ]
        ).encode("utf-8")

    events = pieces("events.ics", timeline.events, vevent)
    return [_ics_lines(head).encode(), *events, _ics_lines(["END:VCALENDAR"]).encode()]


def _ics_lines(lines: list[str]) -> str:
    return "".join(_fold(line) + "\r\n" for line in lines)


def _ics_date(day: Day) -> str:
    """A day as iCalendar writes it, ``20250516``: always four digits of year (``strftime``
    writes fewer for the years before 1000 on some systems), and a fifth of its time."""
    return day.isoformat().replace("-", "")


def _known_to_the_day(date: EventDate) -> bool:
    """True for one day or a span of days, each end written to the day."""
    return all(
        part is not None and part.precision is Precision.DAY for part in (date.start, date.end)
    )


def _ics_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, as RFC 5545 asks, never inside a character."""
    if line.isascii():  # one octet a character: cut by length
        if len(line) <= 75:  # most lines
            return line
        return "\r\n ".join([line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))])
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)
