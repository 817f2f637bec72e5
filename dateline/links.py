"""Find links in entry bodies that point at no page, or no place on a page, of the site."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from urllib.parse import unquote, urlsplit

from .diagnostics import Diagnostics, Position
from .models import Event

_ID = re.compile(rb'\sid="([^"]+)"')


PageIds = dict[str, tuple[bytes, frozenset[str]]]
"""The ids found in pages, each with the bytes they were found in."""


def check_links(
    events: Iterable[Event],
    pages: Mapping[str, bytes],
    diagnostics: Diagnostics,
    known: PageIds | None = None,
) -> None:
    """Record an error for every body link to a missing page or fragment.

    ``known`` keeps the ids of pages between calls: a page given as the same bytes object
    again is not searched again.
    """
    known = {} if known is None else known

    @cache
    def ids(page: str) -> frozenset[str]:
        data = pages[page]
        found = known.get(page)
        if found is None or found[0] is not data:
            found = known[page] = data, frozenset(m.decode() for m in _ID.findall(data))
        return found[1]

    for page in [page for page in known if page not in pages]:
        del known[page]  # gone from the site
    for event in events:
        for line, href in event.site_links:
            page, fragment = link_target(href)
            if page not in pages:
                problem = f"link {href!r} points to no page of the site"
            elif fragment and fragment not in ids(page):
                problem = f"link {href!r}: the page has no place #{fragment}"
            else:
                continue
            diagnostics.error(event.path, Position(event.body_line + line, 1), problem)


@lru_cache(maxsize=65536)
def link_target(href: str) -> tuple[str, str]:
    """The output file and the fragment a link from the site's root points at."""
    if (
        href.startswith("/")
        and not href.startswith("//")
        and href.isprintable()
        and " " not in href
    ):
        # as urlsplit parts it, five times faster: a build checks every event's links at its
        # end, on one core, and nearly all are to its own pages (/events/x/)
        before, _, fragment = href.partition("#")
        path = before.partition("?")[0]
    else:
        parts = urlsplit(href)
        path, fragment = parts.path, parts.fragment
    page = unquote(path).lstrip("/")
    if page == "" or page.endswith("/"):
        page += "index.html"
    return page, unquote(fragment)
