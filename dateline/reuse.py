"""Pages a build keeps from the last one instead of rendering them again.

Every page is rendered from a few inputs, which the renderer names in the page's key: for an
event's page, the event, its neighbours, the sources it cites, the site's settings, styles and
templates; for a listing, its events. A build digests each key and records the digests beside
its manifest. The next build digests the keys again; a page whose digest is unchanged, and whose
file in the old site is still as that build wrote it, is kept rather than rendered.

An event is digested by its entry file and that file's cache key, which already covers the
entry's bytes, the site's kinds and every source (see :class:`.cache.EntryCache`); a source by
everything it holds. The settings, templates and dateline's own code are digested once a build.
A template that shows more of the timeline than its page's key names must widen the key in
:func:`.render.render_site`, as the preview's memo of pages needs too.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from .cache import code_fingerprint
from .exports import Piece
from .models import Event, SiteConfig, Source
from .output import write_atomically

if TYPE_CHECKING:
    from .output import Staging

SMALL = 3
"""Tuples this short, seen twice, are described once a build and remembered (each held, so
its id cannot be reused)."""

Job = tuple[str, object, Callable[[], bytes]]
"""A page to make: its path in the site, the key of its inputs, and how to render it."""


@dataclass(slots=True)
class PageReuse:
    """The digests of the last build's pages, and those of this build's as they are made."""

    entries: Mapping[str, str]
    """Each event's entry file and its cache key."""
    settings: str
    """A digest of the settings, the templates and the code: what every page depends on."""
    last: Mapping[str, str] = field(default_factory=dict)
    """Page path to digest, as the last build recorded them."""
    digests: dict[str, str] = field(default_factory=dict)
    """Page path to digest, for this build."""
    pieces: StoredPieces | None = None
    """Each event's pieces of the shared files, kept from the last build too."""
    _sources: dict[str, str] = field(default_factory=dict)
    _tuples: dict[int, tuple[tuple[object, ...], str]] = field(default_factory=dict)
    _seen: set[int] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        entries: Mapping[str, str],
        config: SiteConfig,
        templates: bytes,
        last: Mapping[str, str] | None = None,
        pieces: Path | None = None,
    ) -> PageReuse:
        """Reuse for a build with ``config`` and ``templates`` (their files, digested).

        With a ``pieces`` folder, events' pieces of the shared files are kept in it too.
        """
        settings = hashlib.sha256(
            f"{code_fingerprint()}\0{config!r}\0".encode() + hashlib.sha256(templates).digest()
        ).hexdigest()
        stored = StoredPieces(pieces, settings, entries) if pieces is not None else None
        return cls(entries, settings, last or {}, pieces=stored)

    def digest(self, key: object) -> str:
        """A digest of a page's key: equal keys give equal digests, across builds."""
        parts: list[str] = [self.settings]
        self._describe(key, parts)
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def _describe(self, part: object, parts: list[str]) -> None:
        if isinstance(part, Event):
            parts.append(f"event {part.path} {self.entries[part.path]}")
        elif isinstance(part, Source):
            parts.append(self._source(part))
        elif isinstance(part, SiteConfig):
            parts.append("config")  # in ``settings``
        elif part is None or isinstance(part, str | int | float | date):
            parts.append(repr(part))  # bool is an int; Markup is a str
        elif isinstance(part, tuple) and len(part) <= SMALL:
            parts.append(self._small(part))
        elif isinstance(part, tuple | list):
            parts.append(f"({len(part)}")
            for item in part:
                self._describe(item, parts)
        elif isinstance(part, dict):
            parts.append(f"{{{len(part)}")
            for name, value in part.items():
                self._describe(name, parts)
                self._describe(value, parts)
        elif is_dataclass(part) and not isinstance(part, type):
            parts.append(type(part).__qualname__)
            for name in _field_names(type(part)):
                self._describe(getattr(part, name), parts)
        else:
            raise TypeError(f"cannot digest a page key holding {type(part).__name__}")

    def _small(self, part: tuple[object, ...]) -> str:
        """A short tuple, described once when it is seen again: the settings and styles that
        every page's key shares. A tuple seen once (most keys) is not held."""
        held = self._tuples.get(id(part))
        if held is not None and held[0] is part:
            return held[1]
        inside: list[str] = [f"({len(part)}"]
        for item in part:
            self._describe(item, inside)
        text = "\0".join(inside)
        if id(part) in self._seen:
            self._tuples[id(part)] = (part, text)
        self._seen.add(id(part))
        return text

    def _source(self, source: Source) -> str:
        found = self._sources.get(source.id)
        if found is None:
            found = hashlib.sha256(repr(source).encode()).hexdigest()
            self._sources[source.id] = found
        return f"source {found}"

    def unchanged(self, path: str, key: object) -> bool:
        """Note the digest of the page at ``path``; True when it is the last build's.

        A page's key is the same all through one build: it is digested once however often
        this is asked (the build in one process asks again as it renders).
        """
        digest = self.digests.get(path)
        if digest is None:
            digest = self.digests[path] = self.digest(key)
        return self.last.get(path) == digest

    def kept(self, path: str, key: object, staging: Staging) -> bool:
        """True when the page at ``path`` is kept from the old site: ``key`` is as it was."""
        return self.unchanged(path, key) and path in staging.keep([path])

    def to_render(self, jobs: list[Job], staging: Staging) -> list[Job]:
        """The jobs whose pages must be rendered; the others' files are kept from the old site."""
        kept = staging.keep([path for path, key, _ in jobs if self.unchanged(path, key)])
        return [job for job in jobs if job[0] not in kept]


def _dump_flat(pieces: dict[str, Any], stream: BinaryIO) -> None:
    """Pickle ``pieces`` without looking for objects seen before (a piece is text, bytes or a
    small record; none refers to another): a third faster for tens of megabytes."""
    pickler = pickle.Pickler(stream, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(pieces)


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in fields(kind))


@dataclass(slots=True)
class StoredPieces:
    """Each event's pieces of the shared files (a record of events.json, a row of events.csv),
    kept on disk from one build to the next: :class:`.exports.Pieces` for a whole build.
    A kind is named by its first word (``search 1a2b...``: its numbering follows).

    A piece is reused while its event's entry (file and cache key) and the build's settings are
    those it was made under. Each kind of piece has a file of its own, read when the kind is
    asked for and written again straight after, so one kind at most is held at a time.
    """

    folder: Path
    settings: str
    entries: Mapping[str, str]

    def __call__(
        self, name: str, events: Sequence[Event], make: Callable[[Event], Piece]
    ) -> list[Piece]:
        """``make(event)`` for each event, from the last build where it is unchanged."""
        file = self.folder / f"{re.sub(r'[^a-z.]+', '-', name.split()[0])}.pickle"
        held = self._load(file, name)
        kept: dict[str, tuple[str, Any]] = {}
        made: list[Piece] = []
        for event in events:
            entry = self.entries[event.path]
            found = held.get(event.path)
            if found is None or found[0] != entry:
                found = (entry, make(event))
            kept[event.path] = found
            made.append(found[1])
        stored = {"settings": self.settings, "name": name, "pieces": kept}
        write_atomically(file, partial(_dump_flat, stored))
        return made

    def _load(self, file: Path, name: str) -> dict[str, tuple[str, Any]]:
        """The ``name`` pieces stored in ``file`` under these settings; none when missing,
        damaged or made otherwise."""
        try:
            with open(file, "rb") as stream:
                stored = pickle.load(stream)
            if (stored["settings"], stored["name"]) == (self.settings, name):
                return stored["pieces"]  # type: ignore[no-any-return]
        except Exception:  # missing, damaged or from other code: make every piece anew
            pass
        return {}
