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
import mmap
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
from .output import Parts, is_as_written, write_atomically
from .project import Written

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
        site: Path | None = None,
        site_files: Mapping[str, Written] | None = None,
    ) -> PageReuse:
        """Reuse for a build with ``config`` and ``templates`` (their files, digested).

        With a ``pieces`` folder, events' pieces of the shared files are kept in it too, or
        where they lie in the old ``site``'s files (``site_files``: as the last build wrote them).
        """
        settings = hashlib.sha256(
            f"{code_fingerprint()}\0{config!r}\0".encode() + hashlib.sha256(templates).digest()
        ).hexdigest()
        stored = None
        if pieces is not None:
            stored = StoredPieces(pieces, settings, entries, site, site_files or {})
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


Spans = dict[str, tuple[str, int, int]]
"""Where each event's piece lies in a published file: for its entry file, the entry's cache key
and the piece's start and end."""

PUBLISHED_IN = {
    "events.json": "events.json",
    "events.csv": "events.csv",
    "timeline.json": "timeline.json",
    "events.ics": "events.ics",
    "search": "search.json",
}
"""The kinds of piece (a name's first word) that appear byte for byte in a published file,
and that file: the next build takes them from the file itself rather than from a copy."""


@dataclass(slots=True)
class StoredPieces:
    """Each event's pieces of the shared files (a record of events.json, a row of events.csv),
    kept from one build to the next: :class:`.exports.Pieces` for a whole build.
    A kind is named by its first word (``search 1a2b...``: its numbering follows).

    A piece is reused while its event's entry (file and cache key) and the build's settings are
    those it was made under. Each kind has a file of its own in ``folder``, read when the kind
    is asked for, so one kind at most is held at a time. Pieces that a published file holds
    byte for byte (:data:`PUBLISHED_IN`) are not copied there: the file records where each
    lies in the last build's published file, which is read again while it is still as that
    build wrote it (``site_files``: the old site's files, as its build record has them).
    Other pieces (the chart's marks, the feed's entries) are kept in the file themselves.
    """

    folder: Path
    settings: str
    entries: Mapping[str, str]
    site: Path | None = None
    """The old site, whose published files hold the last build's pieces."""
    site_files: Mapping[str, Written] = field(default_factory=dict)
    """The old site's files, as the last build wrote them."""
    _placing: dict[str, tuple[str, list[tuple[str, str]], list[Any]]] = field(default_factory=dict)
    """For each published file being made: the kind's name, each event's entry file and key,
    and its piece, until :meth:`placed` finds where the pieces went."""
    _spans: dict[str, tuple[str, Spans]] = field(default_factory=dict)
    """For each published file made: the kind's name, and where each event's piece lies in it,
    until :meth:`save` records them."""

    def __call__(
        self, name: str, events: Sequence[Event], make: Callable[[Event], Piece]
    ) -> list[Piece]:
        """``make(event)`` for each event, from the last build where it is unchanged."""
        kind = name.split()[0]
        target = PUBLISHED_IN.get(kind)
        held = self._kept(name) if target is None else self._cut(name, target)
        owners: list[tuple[str, str]] = []
        made: list[Piece] = []
        for event in events:
            entry = self.entries[event.path]
            found = held.get(event.path)
            made.append(found[1] if found is not None and found[0] == entry else make(event))
            owners.append((event.path, entry))
        if target is not None:
            self._placing[target] = (name, owners, made)
        else:
            pieces = {
                path: (entry, piece) for (path, entry), piece in zip(owners, made, strict=True)
            }
            self._write(kind, name, {"pieces": pieces})
        return made

    def placed(self, path: str, parts: Parts) -> None:
        """Note where the pieces went in the published file at ``path``, made of ``parts``
        (each piece one of them, in order)."""
        placing = self._placing.pop(path, None)
        if placing is None:
            return
        name, owners, pieces = placing
        spans: Spans = {}
        number, offset = 0, 0
        for part in parts:
            if number < len(pieces) and part is pieces[number]:
                event_path, entry = owners[number]
                spans[event_path] = (entry, offset, offset + len(part))
                number += 1
            offset += len(part)
        self._spans[path] = (name, spans)

    def save(self, outputs: Mapping[str, Written]) -> None:
        """Record where the pieces lie in the published files, now in the site as ``outputs``
        says they were written."""
        for kind, path in PUBLISHED_IN.items():
            if path in self._spans and path in outputs:
                name, spans = self._spans.pop(path)
                self._write(kind, name, {"file": outputs[path], "spans": spans})

    def _write(self, kind: str, name: str, content: dict[str, object]) -> None:
        """Keep ``content`` for the ``name`` pieces, under these settings."""
        stored = {"settings": self.settings, "name": name} | content
        write_atomically(self._file(kind), partial(_dump_flat, stored))

    def _file(self, kind: str) -> Path:
        """The file in ``folder`` that keeps the pieces of ``kind``."""
        return self.folder / f"{re.sub(r'[^a-z.]+', '-', kind)}.pickle"

    def _kept(self, name: str) -> dict[str, tuple[str, Any]]:
        """The ``name`` pieces kept in their file under these settings; none when it is
        missing, damaged or made otherwise."""
        pieces = (self._stored(name) or {}).get("pieces")
        return pieces if isinstance(pieces, dict) else {}

    def _cut(self, name: str, path: str) -> dict[str, tuple[str, Any]]:
        """The ``name`` pieces cut from the last build's published file at ``path``; none
        unless that file is still in the site as that build wrote it."""
        stored = self._stored(name)
        if stored is None or self.site is None:
            return {}
        try:
            stamp, spans = tuple(stored["file"]), stored["spans"]
            if tuple(self.site_files.get(path, ())) != stamp:
                return {}  # a later build wrote the file without recording its pieces
            file = self.site / path
            if not is_as_written(file, stamp):  # not opened unless it is the file written
                return {}  # changed since, by hand or by a build of other settings
            with (  # mapped, not read: the pieces alone are held in memory
                open(file, "rb") as stream,
                mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as data,
            ):
                if len(data) != stamp[0]:
                    return {}
                return {
                    event_path: (entry, data[start:end])
                    for event_path, (entry, start, end) in spans.items()
                }
        except Exception:  # damaged, unreadable or empty: every piece is made anew
            return {}

    def _stored(self, name: str) -> dict[str, Any] | None:
        """What is kept for ``name`` under these settings; None when it is missing, damaged or
        made otherwise."""
        try:
            with open(self._file(name.split()[0]), "rb") as stream:
                stored = pickle.load(stream)
            if (stored["settings"], stored["name"]) == (self.settings, name):
                return stored  # type: ignore[no-any-return]
        except Exception:  # missing, damaged or from other code: make every piece anew
            pass
        return None
