"""Parsed entries kept between builds, so that a rebuild after one edit parses one file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

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
