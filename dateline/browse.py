"""Ways to narrow the timeline: static pages per kind, place, tag and year, and a search index.

The static pages are what a reader without JavaScript follows; the search index (``search.json``)
is what the filter script reads to narrow any page instantly. Both come from the same model.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from .exports import Pieces, compact_json, fresh, json_document
from .models import Event, Timeline
from .new import slugify
from .output import Parts
from .sources import RESERVED_NAMES

LISTING_PAGE_SIZE = 1000
"""Events on one page of a kind, place or tag listing; more go on further pages."""
INDEX_LIMIT = 300
"""Up to this many events the index holds the whole timeline; beyond it, the years have pages."""
EXCERPT = 160
"""Characters of each body kept in the search index."""
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Facet:
    """One value readers can filter by, with its static page and how many events have it."""

    dimension: str
    """'kind', 'place', 'tag' or 'year'."""
    value: str
    label: str
    path: str
    """The static page listing its events, e.g. 'places/odesa/'."""
    count: int


@dataclass(frozen=True, slots=True)
class Listing:
    """One page of a facet's events."""

    facet: Facet
    events: tuple[Event, ...]
    page: int
    pages: int
    path: str


def facet_slug(value: str) -> str:
    """A path segment for a place or tag: 'Kryvyi Rih' → 'kryvyi-rih' (never a device name)."""
    slug = slugify(value) or "other"
    return f"{slug}-place" if slug in RESERVED_NAMES else slug


def facets(timeline: Timeline) -> dict[str, list[Facet]]:
    """Every kind, place, tag and year with its count, most used first (years in order)."""
    kinds = Counter(event.kind.key for event in timeline.events)
    places = Counter(place for event in timeline.events for place in event.places)
    tags = Counter(tag for event in timeline.events for tag in event.tags)
    years = Counter(str(event.date.earliest.year) for event in timeline.events if event.date.start)
    labels = {key: kind.label for key, kind in timeline.config.kinds.items()}
    return {
        "kind": [Facet("kind", k, labels[k], f"kinds/{k}/", n) for k, n in kinds.items()],
        "place": _named("place", "places", _by_count(places)),
        "tag": _named("tag", "tags", _by_count(tags)),
        "year": [Facet("year", y, y, f"years/{y}/", n) for y, n in sorted(years.items())],
    }


def _named(dimension: str, folder: str, counted: list[tuple[str, int]]) -> list[Facet]:
    """Facets with a page each; two values that would share a path ('Odesa', 'odesa') do not."""
    taken: set[str] = set()
    result = []
    for value, count in counted:
        base = slug = facet_slug(value)
        number = 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        taken.add(slug)
        result.append(Facet(dimension, value, value, f"{folder}/{slug}/", count))
    return result


def _by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def listings(timeline: Timeline, all_facets: dict[str, list[Facet]]) -> list[Listing]:
    """The static pages of every facet, split into pages of :data:`LISTING_PAGE_SIZE`."""
    chosen: dict[tuple[str, str], list[Event]] = defaultdict(list)
    for event in timeline.events:  # one pass over the events, whatever the number of facets
        for dimension, value in _facet_values(event):
            chosen[(dimension, value)].append(event)
    pages = []
    for dimension, values in all_facets.items():
        for facet in values:
            events = chosen[(dimension, facet.value)]
            count = max(1, -(-len(events) // LISTING_PAGE_SIZE))
            for number in range(1, count + 1):
                part = tuple(events[(number - 1) * LISTING_PAGE_SIZE : number * LISTING_PAGE_SIZE])
                path = facet.path if number == 1 else f"{facet.path}page-{number}/"
                pages.append(Listing(facet, part, number, count, path))
    return pages


def _excerpt(event: Event) -> str:
    """The start of the body as plain words, for the search index."""
    return text_start(event.body_html, EXCERPT)


def text_start(markup: str, length: int) -> str:
    """The first ``length`` chars of the text of HTML ``markup``, its words one space apart.

    Only the start of the HTML is read when it holds enough text (a body is mostly text):
    what a cut there can change (a tag or character reference cut in two, a space) lies in
    the last few dozen chars of that text, which are not kept.
    """
    if len(markup) > length * 4:
        start = markup[: length * 4]
        opened = start.rfind("<")
        if opened > start.rfind(">"):  # a tag cut in two: leave it out
            start = start[:opened]
        words = _words(start)
        if len(words) >= length + _LONGEST_REFERENCE:
            return words[:length]
    return _words(markup)[:length]


def _words(markup: str) -> str:
    return " ".join(html.unescape(_TAGS.sub(" ", markup)).split())


_LONGEST_REFERENCE = 40
"""More chars than the longest character reference HTML names (``&CounterClockwise...;``)."""


def _facet_values(event: Event) -> list[tuple[str, str]]:
    """Every (dimension, value) an event can be found under."""
    values = [("kind", event.kind.key)]
    values += [("place", place) for place in event.places]
    values += [("tag", tag) for tag in event.tags]
    if event.date.start is not None:
        values.append(("year", str(event.date.earliest.year)))
    return values


def search_index(
    timeline: Timeline, all_facets: dict[str, list[Facet]], url: str, pieces: Pieces = fresh
) -> Parts:
    """The compact index the filter script reads: one short record per event.

    Places and tags are numbers into shared lists; each record is
    ``[slug, title, date shown, year, kind, [places], [tags], words to search]``.
    """
    places = [facet.value for facet in all_facets["place"]]
    tags = [facet.value for facet in all_facets["tag"]]
    place_number = {place: number for number, place in enumerate(places)}
    tag_number = {tag: number for number, tag in enumerate(tags)}
    numbering = hashlib.sha256(json.dumps([places, tags]).encode()).hexdigest()

    def record(event: Event) -> bytes:
        return compact_json(
            [
                event.slug,
                event.title,
                event.date_display,
                event.date.earliest.year if event.date.start else None,
                event.kind.key,
                [place_number[p] for p in event.places],
                [tag_number[t] for t in event.tags],
                _excerpt(event),
            ]
        )

    # a record names places and tags by number: when the numbering changes, so do they all
    records = pieces(f"search {numbering}", timeline.events, record)
    head = {
        "base": url,
        "kinds": {key: kind.label for key, kind in timeline.config.kinds.items()},
        "places": places,
        "tags": tags,
    }
    return json_document(head, {"events": records})
