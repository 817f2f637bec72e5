"""Event dates in EDTF (Extended Date/Time Format, levels 0 and 1), kept at the precision written.

Supported: ``2025``, ``2025-09``, ``2025-09-07``; a qualifier after a date (``?`` uncertain,
``~`` approximate, ``%`` both); unspecified digits (``202X``, ``2025-XX``, ``2025-09-XX``);
intervals ``start/end`` where either side may be open (``..``) or unknown (empty).
Nothing is ever filled in from today's date.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from .frozen import pickled_by_fields

MONTHS = tuple(calendar.month_name)[1:]
_DATE = re.compile(
    r"(?P<year>\d\d(?:\d\d|\dX|XX))(?:-(?P<month>\d\d|XX)(?:-(?P<day>\d\d|XX))?)?(?P<qualifier>[?~%])?"
)


_DAY_FIRST = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}")


class DateError(ValueError):
    """A date that is not valid EDTF or not in the supported subset.

    ``offset`` is the 0-based character offset in the text where the problem starts.
    """

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


class Precision(Enum):
    """How much of a date is known."""

    DECADE = "decade"
    CENTURY = "century"
    YEAR = "year"
    MONTH = "month"
    DAY = "day"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class DatePart:
    """One date as written, with its precision and qualifiers."""

    text: str
    earliest: date
    latest: date
    precision: Precision
    uncertain: bool = False
    approximate: bool = False

    @property
    def machine(self) -> str | None:
        """The date as an HTML ``<time datetime>`` value, or None when none fits."""
        match self.precision:
            case Precision.DAY:
                return self.earliest.isoformat()
            case Precision.MONTH:
                return self.earliest.isoformat()[:7]
            case Precision.YEAR:
                return f"{self.earliest.year:04d}"
        return None

    def describe(self) -> str:
        """The date in words, without qualifiers: '7 September 2025', 'the 2020s', '1900–1999'."""
        start = self.earliest
        match self.precision:
            case Precision.DAY:
                return f"{start.day} {MONTHS[start.month - 1]} {start.year}"
            case Precision.MONTH:
                return f"{MONTHS[start.month - 1]} {start.year}"
            case Precision.YEAR:
                return str(start.year)
            case Precision.DECADE:
                return f"the {start.year}s"
        return f"{start.year}–{self.latest.year}"

    def display(self) -> str:
        """The date in words with qualifiers: 'c. February 2024', '23 March 2025 (uncertain)'."""
        words = self.describe()
        if self.approximate:
            words = f"c. {words}"
        if self.uncertain:
            words = f"{words} (uncertain)"
        return words

    @property
    def qualified(self) -> bool:
        """True when the date is approximate or uncertain."""
        return self.uncertain or self.approximate


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class EventDate:
    """An event's date: one date or an interval, each end possibly open or unknown."""

    text: str
    start: DatePart | None
    end: DatePart | None
    interval: bool

    @property
    def earliest(self) -> date:
        """The earliest day the event can have happened on."""
        return self.start.earliest if self.start else date.min

    @property
    def latest(self) -> date:
        """The latest day the event can have happened on."""
        return self.end.latest if self.end else date.max

    @property
    def exact(self) -> bool:
        """True for a single day written without qualifiers."""
        return (
            not self.interval
            and self.start is not None
            and self.start.precision is Precision.DAY
            and not self.start.qualified
        )

    @property
    def undated(self) -> bool:
        """True when the date is only a range of uncertainty, not a known day or span of days."""
        if not self.interval:
            return False
        if self.start is None or self.end is None:
            return True
        return Precision.DAY not in (self.start.precision, self.end.precision)

    @property
    def single_month(self) -> tuple[int, int] | None:
        """(year, month) when every possible day lies in one month, else None."""
        first, last = self.earliest, self.latest
        if self.start is None or self.end is None:
            return None
        if (first.year, first.month) == (last.year, last.month):
            return first.year, first.month
        return None

    @property
    def machine(self) -> str | None:
        """A ``<time datetime>`` value for the first known end of the date."""
        said = _MACHINE.get(self.text, "")
        if said == "":  # not worked out yet ("" is never a value; None is)
            known = self.start or self.end
            said = _MACHINE[self.text] = known.machine if known else None
        return said

    def sort_key(self) -> tuple[date, date]:
        """Earliest possible day, then latest: with a slug this orders events totally."""
        return self.earliest, self.latest

    def display(self, overnight: bool = False) -> str:
        """The date as a reader should see it, never more precise than it was written.

        ``overnight`` reads two consecutive days as a night ('Night of 6/7 September 2025').
        """
        key = (self.text, overnight)
        words = _WORDS.get(key)
        if words is None:
            if len(_WORDS) > MAX_REMEMBERED:
                _WORDS.clear()
                _MACHINE.clear()
            words = _WORDS[key] = self._words(overnight)
        return words

    def _words(self, overnight: bool) -> str:
        if not self.interval:
            assert self.start is not None
            return self.start.display()
        start, end = self.start, self.end
        if start is None and end is None:  # pragma: no cover - rejected by the parser
            return "Date unknown"
        if start is None:
            assert end is not None
            return f"Date unknown: {end.display()} or earlier"
        if end is None:
            return f"Date unknown: {start.display()} or later"
        if self.undated:
            return f"Date unknown: between {start.display()} and {end.display()}"
        return _span(start, end, overnight)


_WORDS: dict[tuple[str, bool], str] = {}
"""How each date is shown, by its text and whether it reads as a night. A date is what its
text says (only :func:`parse_date` makes one), and a build shows each event's date a dozen
times: on its page, in listings and in every export."""
_MACHINE: dict[str, str | None] = {}
"""Each date's ``<time datetime>`` value, by its text."""
MAX_REMEMBERED = 100_000
"""Dates remembered at most: a preview that runs for days forgets them all and starts again."""


def _span(start: DatePart, end: DatePart, overnight: bool) -> str:
    """Words for a span of days such as '3–9 March 2025' or 'Night of 6/7 September 2025'."""
    if start.qualified or end.qualified or start.precision != end.precision:
        return f"{start.display()} to {end.display()}"
    first, last = start.earliest, end.earliest
    separator = "/" if overnight and last - first == timedelta(days=1) else "–"
    if (first.year, first.month) == (last.year, last.month):
        words = f"{first.day}{separator}{last.day} {MONTHS[last.month - 1]} {last.year}"
    elif first.year == last.year:
        words = (
            f"{first.day} {MONTHS[first.month - 1]}{separator}"
            f"{last.day} {MONTHS[last.month - 1]} {last.year}"
        )
    else:
        words = f"{start.describe()}{separator}{end.describe()}"
    return f"Night of {words}" if separator == "/" else words


def parse_date_part(text: str, offset: int = 0) -> DatePart:
    """Parse one EDTF date such as ``2025-09-07``, ``2024-02~`` or ``2025-XX``."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise DateError(_explain(text), offset)
    year_text, month_text, day_text = match["year"], match["month"], match["day"]
    qualifier = match["qualifier"] or ""
    if "X" in year_text:
        if month_text or day_text:
            raise DateError(
                f"a year with unspecified digits takes no month or day: {text!r}", offset
            )
        if year_text.endswith("XX"):
            earliest, latest = _years(int(year_text[:2]) * 100, 100)
            return _part(text, earliest, latest, Precision.CENTURY, qualifier)
        earliest, latest = _years(int(year_text[:3]) * 10, 10)
        return _part(text, earliest, latest, Precision.DECADE, qualifier)
    year = int(year_text)
    if year == 0:
        raise DateError("year 0000 is outside the supported range (0001-9999)", offset)
    if month_text is None or month_text == "XX":
        if day_text not in (None, "XX"):
            raise DateError(f"a day needs a month in {text!r}", offset + 8)
        return _part(text, date(year, 1, 1), date(year, 12, 31), Precision.YEAR, qualifier)
    month = int(month_text)
    if 21 <= month <= 41:
        raise DateError(f"seasons (month {month}) are not supported; write a month", offset + 5)
    if not 1 <= month <= 12:
        raise DateError(f"month {month} is out of range (01-12)", offset + 5)
    last_day = calendar.monthrange(year, month)[1]
    if day_text is None or day_text == "XX":
        return _part(
            text, date(year, month, 1), date(year, month, last_day), Precision.MONTH, qualifier
        )
    day = int(day_text)
    if not 1 <= day <= last_day:
        raise DateError(
            f"day {day} is out of range for {MONTHS[month - 1]} {year} (01-{last_day})",
            offset + 8,
        )
    return _part(text, date(year, month, day), date(year, month, day), Precision.DAY, qualifier)


def parse_date(text: str) -> EventDate:
    """Parse an event date: one EDTF date or an interval ``start/end``."""
    text = text.strip()
    if not text:
        raise DateError("date is empty; write it as YYYY-MM-DD, YYYY-MM or YYYY")
    if _DAY_FIRST.fullmatch(text):
        raise DateError(_explain(text))
    if "/" not in text:
        part = parse_date_part(text)
        return EventDate(text, part, part, interval=False)
    if text.count("/") > 1:
        raise DateError("an interval has one '/' between its start and end", text.rfind("/"))
    start_text, end_text = text.split("/")
    start = _interval_end(start_text, 0)
    end = _interval_end(end_text, len(start_text) + 1)
    if start is None and end is None:
        raise DateError("an interval needs at least one known end")
    if start and end and start.earliest > end.latest:
        raise DateError(
            f"interval is reversed: {start.text} is after {end.text}", len(start_text) + 1
        )
    return EventDate(text, start, end, interval=True)


def _interval_end(text: str, offset: int) -> DatePart | None:
    """One side of an interval; None for an open (``..``) or unknown (empty) end."""
    if text in ("", ".."):
        return None
    return parse_date_part(text, offset)


def _part(
    text: str, earliest: date, latest: date, precision: Precision, qualifier: str
) -> DatePart:
    return DatePart(
        text,
        earliest,
        latest,
        precision,
        uncertain=qualifier in ("?", "%"),
        approximate=qualifier in ("~", "%"),
    )


def _years(first: int, count: int) -> tuple[date, date]:
    """The first and last day of ``count`` years from ``first``, from year 1 at the earliest."""
    return date(max(first, 1), 1, 1), date(first + count - 1, 12, 31)


def _explain(text: str) -> str:
    """Say what is wrong with a date that does not match the EDTF subset."""
    if _DAY_FIRST.fullmatch(text):
        return f"{text!r} is not an EDTF date; write year first, as YYYY-MM-DD"
    if "T" in text or ":" in text:
        return f"{text!r} has a time; write the date only (YYYY-MM-DD)"
    if re.match(r"\d{4}-\d\d-\d\d.", text) or re.match(r"\d{4}-\d\d[^-?~%]", text):
        return f"{text!r} has extra characters after the date"
    if re.fullmatch(r"\d{4}-\d{1,2}(-\d{1,2})?[?~%]?", text):
        return f"{text!r}: month and day take two digits each, as in 2025-09-07"
    if re.fullmatch(r"[A-Za-z].*", text):
        return f"{text!r} is not a date; write it as YYYY-MM-DD, YYYY-MM or YYYY"
    return f"{text!r} is not a valid EDTF date (YYYY, YYYY-MM or YYYY-MM-DD, optionally ~ ? %)"
