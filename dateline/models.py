"""The typed model of a timeline: events, their figures and citations, sources and the site."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlsplit

from .dates import EventDate
from .frozen import pickled_by_fields


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of event, as configured for the site."""

    key: str
    label: str
    colour: str
    """CSS colour of the kind's marker; never the only way the kind is shown."""
    symbol: str
    """Shape of the marker on the time axis: 'circle' or 'diamond'."""
    overnight: bool = False
    """Two consecutive days read as a night ('Night of 6/7 September 2025')."""
    milestone: bool = False
    """Events of this kind are milestones marked across the time axis."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Settings for the whole site, from ``dateline.yaml``."""

    title: str
    description: str
    language: str
    base_url: str
    """Where the site is published: '/' or 'https://example.org/dateline/'."""
    kinds: dict[str, Kind]
    id_prefix: str = "tag:dateline.invalid,2026:event:"
    """Prefix of every event's permanent id in feeds; chosen once, never changed."""
    cname: str = ""
    """A custom domain for GitHub Pages, written to CNAME; empty for none."""

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with '/'."""
        return _base_path(self.base_url)

    @property
    def absolute(self) -> bool:
        """True when ``base_url`` names a host, so that feeds and sitemaps can link absolutely."""
        return bool(_host(self.base_url))

    def path(self, path: str = "") -> str:
        """A site-relative path as a link from the root of the host, under the base path."""
        return self.base_path + path.lstrip("/")

    def url(self, path: str = "") -> str:
        """A site-relative path as a link: absolute when the host is known, else from the root."""
        base = self.base_url if self.absolute else self.base_path
        return base + path.lstrip("/")


@cache
def _base_path(base_url: str) -> str:
    path = urlsplit(base_url).path or "/"
    return path if path.endswith("/") else path + "/"


@cache
def _host(base_url: str) -> str:
    return urlsplit(base_url).netloc


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Figure:
    """One number reported for an event, with its qualifier ('at least', 'more than')."""

    key: str
    label: str
    value: int | None
    """The number, or None when the source gives none ('dozens')."""
    qualifier: str = ""
    words: str = ""
    """What the source says instead of a number, when it gives none."""
    note: str = ""

    def display(self) -> str:
        """The figure as a reader should see it: 'at least 14', 'more than 650', 'dozens'."""
        if self.value is None:
            return self.words
        number = f"{self.value:,}"
        return f"{self.qualifier} {number}" if self.qualifier else number


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Quote:
    """An exact passage of a source that supports an entry."""

    text: str
    anchor: str
    """Fragment id of the highlighted passage on the source page."""
    paragraph: int
    """1-based number of the source paragraph the passage is in; 0 when not verified."""
    start: int = 0
    end: int = 0
    """Character span of the passage in its paragraph, as written in the source."""


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Record:
    """One record of a dataset source that supports an entry, with where it came from."""

    text: str
    url: str | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Citation:
    """An event's reference to one source: passages of a text, or records of a dataset."""

    source_id: str
    quotes: tuple[Quote, ...]
    records: tuple[Record, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """A source, defined once in the registry and cited by id."""

    id: str
    title: str
    publisher: str | None
    published: EventDate | None
    url: str | None
    archive: str | None
    """Path of the archived copy, relative to the project."""
    paragraphs: tuple[str, ...] = ()
    """The archived text, one paragraph a line, as written."""
    line: int = 1
    """The line of the source registry where the source is defined."""
    dataset: bool = False
    """A structured dataset: cited by records, not by quotes."""

    @property
    def page(self) -> str:
        """The source's page in the site, ``sources/<id>/``, for templates' ``url()``."""
        return f"sources/{self.id}/"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Event:
    """One event of the timeline, validated."""

    slug: str
    path: str
    """The entry's file, relative to the project."""
    title: str
    date: EventDate
    date_basis: str
    kind: Kind
    status: str
    places: tuple[str, ...]
    tags: tuple[str, ...]
    figures: tuple[Figure, ...]
    citations: tuple[Citation, ...]
    body_html: str
    """The body rendered from Markdown, headings at the level written."""
    body_line: int = 1
    """The line of the entry file on which the body starts."""
    site_links: tuple[tuple[int, str], ...] = ()
    """Links to the site's own pages in the body: (line in the body, href as written)."""
    draft: bool = False
    id: str = ""
    """The event's permanent id: kept when the title or slug changes."""
    updated: dt.date | None = None
    """When the entry was last corrected, if the editor says so."""
    generated_by: str = ""
    """What wrote the entry, when a machine did: an importer, to be confirmed or regenerated."""

    def sort_key(self) -> tuple[object, ...]:
        """Earliest possible day, latest possible day, then slug: a total, stable order."""
        return (*self.date.sort_key(), self.slug)

    @property
    def page(self) -> str:
        """The event's page in the site, ``events/<slug>/``, for templates' ``url()`` (a path
        joined in a template costs a microsecond a join)."""
        return f"events/{self.slug}/"

    @property
    def last_updated(self) -> dt.date:
        """When the entry last changed, from content only: 'updated', else its latest known day."""
        if self.updated is not None:
            return self.updated
        latest = self.date.latest
        return latest if latest != dt.date.max else self.date.earliest

    @property
    def date_display(self) -> str:
        """The date in words, as precise as it is known."""
        return self.date.display(overnight=self.kind.overnight)


@dataclass(frozen=True, slots=True)
class MonthGroup:
    """Events that fall in one month, or share one range of uncertainty."""

    key: str
    """Fragment id of the group, e.g. 'm-2025-09'."""
    label: str
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class YearGroup:
    """Events whose earliest possible date falls in one year."""

    year: int
    months: tuple[MonthGroup, ...]


@dataclass(frozen=True, slots=True)
class Timeline:
    """Everything the renderer needs: the site, the ordered events and the sources."""

    config: SiteConfig
    events: tuple[Event, ...]
    sources: dict[str, Source]
    years: tuple[YearGroup, ...] = ()
    citing: dict[str, tuple[Event, ...]] = field(default_factory=dict)
    """For each source id, the events that cite it, in timeline order."""
