"""What is kept between builds: parsed entries, and each event's pieces of the shared files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .diagnostics import Diagnostic, Diagnostics
from .models import Event

ParseEntry = Callable[[Diagnostics], Event | None]


@dataclass(slots=True)
class EntryCache:
    """Each entry's parse result, keyed by a hash of its bytes and of everything it depends on.

    An entry depends on the site's kinds and on the sources it cites, so a change to the
    configuration or to any source gives every entry a new key.
    """

    entries: dict[str, tuple[str, Event | None, tuple[Diagnostic, ...]]] = field(
        default_factory=dict
    )
    hits: int = 0
    misses: int = 0

    def parse(
        self, path: str, raw: bytes, context: str, parse: ParseEntry, diagnostics: Diagnostics
    ) -> Event | None:
        """The entry at ``path``: from the cache when nothing it depends on changed."""
        key = hashlib.sha256(context.encode() + b"\0" + raw).hexdigest()
        cached = self.entries.get(path)
        if cached is not None and cached[0] == key:
            self.hits += 1
            diagnostics.extend(cached[2])
            return cached[1]
        self.misses += 1
        found = Diagnostics()
        event = parse(found)
        self.entries[path] = (key, event, tuple(found))
        diagnostics.extend(found)
        return event

    def forget_missing(self, paths: set[str]) -> None:
        """Drop entries whose files are gone."""
        for path in set(self.entries) - paths:
            del self.entries[path]


Piece = TypeVar("Piece")


@dataclass(slots=True)
class EventMemo:
    """Per-event pieces of the shared files (a line of events.json, a row of events.csv, ...).

    The entry cache hands back the very same :class:`Event` object while an entry is unchanged,
    so identity is an exact and cheap test. A piece also depends on the site's settings and
    sources: :meth:`begin` forgets everything when they change. Pieces not used by a build are
    dropped when it ends, so the memo never outgrows the timeline.
    """

    context: object = None
    held: dict[tuple[str, int], tuple[Event, Any]] = field(default_factory=dict)
    fresh: dict[tuple[str, int], tuple[Event, Any]] = field(default_factory=dict)

    def begin(self, context: object) -> None:
        """Start a build whose pieces depend on ``context`` (compared by equality)."""
        if context != self.context:
            self.held.clear()
            self.context = context
        self.fresh = {}

    def end(self) -> None:
        """Finish a build: keep only what it used."""
        self.held, self.fresh = self.fresh, {}

    def piece(self, name: str, event: Event, make: Callable[[Event], Piece]) -> Piece:
        """``make(event)``, from the memo when this event object was seen before.

        ``name`` tells the kinds of piece apart: one name, one ``make``.
        """
        key = (name, id(event))
        found = self.fresh.get(key) or self.held.get(key)
        if found is None or found[0] is not event:
            found = (event, make(event))
        self.fresh[key] = found
        value: Piece = found[1]
        return value
