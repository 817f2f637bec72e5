"""What is kept between builds: parsed entries, and each event's pieces of the shared files."""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, TypeVar

from .diagnostics import Diagnostic, Diagnostics
from .models import Event
from .output import write_atomically
from .parallel import pipelined, tapered, workers_for

ParseEntry = Callable[[str, bytes, Diagnostics], "Event | None"]
"""Validates one entry: ``parse(path, raw, diagnostics)``."""
Progress = Callable[[str, int, int], None]
"""Told how far a long step has got: ``progress(step, done, total)``."""


def quiet(step: str, done: int, total: int) -> None:
    """Progress that nobody watches."""


Parsed = tuple[str, str, "Event | None", tuple[Diagnostic, ...]]
"""An entry's path, its key, and what parsing it gave: the event (or None) and its problems."""

PARSE_BATCH = 250
"""Entries parsed at a time, by a worker or here."""
SMALLEST_PARSE_BATCH = 25
"""The size the last batches of a large parse shrink to."""

CACHE_FORMAT = 1
"""Bump when the layout of the cache file changes."""


@cache
def code_fingerprint() -> str:
    """Changes whenever dateline's own code does: a cache written by other code is not used."""
    digest = hashlib.sha256(f"{CACHE_FORMAT} {sys.version}".encode())
    for installed in _library_versions():
        digest.update(installed.encode() + b"\n")
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


LIBRARIES = frozenset(
    {"jinja2", "markdown_it_py", "markdown_it_pyrs", "markupsafe", "pyyaml", "python_dateutil"}
)
"""The libraries whose versions change what a build makes."""


def _library_versions() -> list[str]:
    """The installed versions of :data:`LIBRARIES`, as their ``name-version.dist-info`` folders.

    Read from the folder names rather than through importlib.metadata, which takes a tenth of
    a second: as long as the whole build takes when nothing changed.
    """
    found = []
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        found += sorted(
            name
            for name in names
            if name.endswith(".dist-info") and name.split("-")[0].lower() in LIBRARIES
        )
    return found


@dataclass(slots=True)
class EntryCache:
    """Each entry's parse result, keyed by a hash of its bytes and of everything it depends on.

    An entry depends on the site's kinds and on the sources it cites, so a change to the
    configuration or to any source gives every entry a new key. Entries that need parsing are
    parsed on every core when there are many (:mod:`.parallel`). The cache can be saved to and
    loaded from a file; one that cannot be read, or was written by other code, is ignored.
    """

    entries: dict[str, tuple[str, Event | None, tuple[Diagnostic, ...]]] = field(
        default_factory=dict
    )
    hits: int = 0
    misses: int = 0
    forgotten: int = 0
    blobs: list[tuple[frozenset[tuple[str, str]], bytes]] = field(default_factory=list)
    """Pickled batches of entries as loaded or parsed (by a worker, or here and pickled as a
    worker would), saved again as they are."""
    parallel: bool = True
    """Whether many entries may be parsed in forked workers (not from a threaded server)."""

    @staticmethod
    def key(context: str, raw: bytes) -> str:
        """The cache key of an entry's bytes under ``context`` (what every entry depends on)."""
        return hashlib.sha256(context.encode() + b"\0" + raw).hexdigest()

    def parse_all(
        self,
        files: Iterable[tuple[str, bytes | None]],
        context: str,
        parse: ParseEntry,
        diagnostics: Diagnostics,
        progress: Progress = quiet,
        expected: int = 0,
        meanwhile: Callable[[], object] = lambda: None,
    ) -> list[Event]:
        """The events of ``files`` (path, bytes) in their order; only changed entries are parsed.

        An entry given without bytes (None) is known to be unchanged: its cached result is used.
        ``files`` may still be reading from disk: when many entries need parsing, a worker
        parses the first while the rest are read, and this process parses some too (see
        :func:`.parallel.pipelined`). ``expected`` is how many files there are. Every problem
        found, cached or new, is recorded in ``diagnostics``. ``meanwhile()`` is run once,
        here, while the worker parses (after the entries without one).
        """
        keys: list[tuple[str, str]] = []
        pending = self._changed(files, context, keys)
        hits_before = self.hits

        def report(parsed: int) -> None:
            done = self.hits - hits_before + parsed
            progress("parsing entries", done, max(done, expected))

        first: list[tuple[str, bytes, str]] = []
        to_parse = 0  # how many will be parsed, where known
        if not self.parallel:
            workers = 1
        elif expected and not self.entries:  # nothing cached: all are parsed, workers start now
            workers, to_parse = workers_for(expected), expected
        else:
            first = list(islice(pending, 2 * PARSE_BATCH))  # enough to know whether workers pay
            workers = workers_for(len(first))
        if workers <= 1:
            self._parse_here(chain(first, pending), parse, report)
            meanwhile()
        else:
            batches = _batches(chain(first, pending), to_parse, workers)
            self._parse_in_workers(batches, parse, report, workers, meanwhile)
        self.forget_missing({path for path, _ in keys})
        events = []
        for path, _ in keys:
            _, event, found = self.entries[path]
            diagnostics.extend(found)
            if event is not None:
                events.append(event)
        return events

    def update(self, files: Iterable[tuple[str, bytes]], context: str, parse: ParseEntry) -> None:
        """Parse ``files`` again where they changed, here, forgetting no other entry."""
        self._parse_here(self._changed(files, context, []), parse, lambda parsed: None)

    def _changed(
        self,
        files: Iterable[tuple[str, bytes | None]],
        context: str,
        keys: list[tuple[str, str]],
    ) -> Iterator[tuple[str, bytes, str]]:
        """The entries of ``files`` not in the cache as they are, with their keys.

        Every file's path and key is added to ``keys`` as it is seen.
        """
        for path, raw in files:
            if raw is None:
                keys.append((path, self.entries[path][0]))
                self.hits += 1
                continue
            key = self.key(context, raw)
            keys.append((path, key))
            if self.entries.get(path, ("",))[0] == key:
                self.hits += 1
                continue
            self.misses += 1
            yield path, raw, key

    def _parse_here(
        self,
        pending: Iterable[tuple[str, bytes, str]],
        parse: ParseEntry,
        report: Callable[[int], None],
    ) -> None:
        number = 0
        for number, (path, raw, key) in enumerate(pending, start=1):
            found = Diagnostics()
            event = parse(path, raw, found)
            self.entries[path] = (key, event, tuple(found))
            if number % 100 == 0:
                report(number)
        if number:
            report(number)

    def _parse_in_workers(
        self,
        batches: Iterable[list[tuple[str, bytes, str]]],
        parse: ParseEntry,
        report: Callable[[int], None],
        workers: int,
        meanwhile: Callable[[], object],
    ) -> None:
        def parse_batch(batch: list[tuple[str, bytes, str]]) -> list[Parsed]:
            parsed: list[Parsed] = []
            for path, raw, key in batch:
                found = Diagnostics()
                parsed.append((path, key, parse(path, raw, found), tuple(found)))
            return parsed

        def parse_sent(batch: list[tuple[str, bytes, str]]) -> tuple[None, bytes]:
            """In another process: only the pickled entries come back, kept as they are."""
            return None, pickle.dumps(parse_batch(batch), pickle.HIGHEST_PROTOCOL)

        def parse_kept(batch: list[tuple[str, bytes, str]]) -> tuple[list[Parsed], bytes]:
            """Here: the entries themselves, and pickled as another process would send them."""
            parsed = parse_batch(batch)
            return parsed, pickle.dumps(parsed, pickle.HIGHEST_PROTOCOL)

        done = 0
        batches_done = pipelined(parse_sent, batches, workers, meanwhile, job_here=parse_kept)
        for parsed, blob in batches_done:
            done += self._add_blob(blob, parsed)
            report(done)

    def _add_blob(self, blob: bytes, parsed: list[Parsed] | None = None) -> int:
        """Take in a batch of parsed entries, pickled (and unpickled already, when ``parsed``
        is given); return how many it held."""
        if parsed is None:
            parsed = pickle.loads(blob)
        for path, key, event, found in parsed:
            self.entries[path] = (key, event, found)
        self.blobs.append((frozenset((path, key) for path, key, _, _ in parsed), blob))
        return len(parsed)

    def keys(self) -> dict[str, str]:
        """Each entry file's key, as last parsed."""
        return {path: key for path, (key, _, _) in self.entries.items()}

    def forget_missing(self, paths: set[str]) -> None:
        """Drop entries whose files are gone."""
        for path in set(self.entries) - paths:
            del self.entries[path]
            self.forgotten += 1

    def save(self, file: Path) -> None:
        """Write the cache to ``file``: batches still current as they are, the rest anew."""
        current = {(path, entry[0]) for path, entry in self.entries.items()}
        kept = [(members, blob) for members, blob in self.blobs if members <= current]
        covered = set().union(*(members for members, _ in kept))
        rest: list[Parsed] = [
            (path, key, event, found)
            for path, (key, event, found) in sorted(self.entries.items())
            if (path, key) not in covered
        ]
        if rest:
            blob = pickle.dumps(rest, pickle.HIGHEST_PROTOCOL)
            kept.append((frozenset((path, key) for path, key, _, _ in rest), blob))
        self.blobs = kept
        data = {"format": CACHE_FORMAT, "code": code_fingerprint(), "blobs": [b for _, b in kept]}
        # pickled straight into the file: the batches are written as they are, not copied
        # into one more bytes object as large as all of them (260 MB at 100,000 entries)
        write_atomically(file, partial(pickle.dump, data, protocol=pickle.HIGHEST_PROTOCOL))

    @classmethod
    def load(cls, file: Path) -> EntryCache:
        """The cache saved in ``file``; an empty one when it is missing, stale or damaged."""
        loaded = cls()
        try:
            with open(file, "rb") as stream:  # read as it is unpickled, not whole first
                data = pickle.load(stream)
            if data["format"] != CACHE_FORMAT or data["code"] != code_fingerprint():
                return loaded
            for blob in data["blobs"]:
                loaded._add_blob(blob)
        except FileNotFoundError:
            return loaded
        except Exception:  # a damaged cache is never trusted: start again from the entries
            return cls()
        return loaded


def _batches(
    entries: Iterator[tuple[str, bytes, str]], expected: int = 0, workers: int = 1
) -> Iterator[list[tuple[str, bytes, str]]]:
    """``entries`` in lists of :data:`PARSE_BATCH`, taken as they come; when how many are
    ``expected`` is known, the last lists are smaller, down to :data:`SMALLEST_PARSE_BATCH`,
    so that the ``workers`` finish together (see :func:`.parallel.tapering`)."""
    left = expected
    while True:
        size = PARSE_BATCH
        if left > 0:
            size = min(size, tapered(left, workers, SMALLEST_PARSE_BATCH))
        batch = list(islice(entries, size))
        if not batch:
            return
        left -= len(batch)
        yield batch


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
    held: dict[str, dict[int, tuple[Event, Any]]] = field(default_factory=dict)
    fresh: dict[str, dict[int, tuple[Event, Any]]] = field(default_factory=dict)

    def begin(self, context: object) -> None:
        """Start a build whose pieces depend on ``context`` (compared by equality)."""
        if context != self.context:
            self.held.clear()
            self.context = context
        self.fresh = {}

    def end(self, keep_unused: bool = False, replaced: Collection[int] = ()) -> None:
        """Finish a build: keep only what it used.

        With ``keep_unused``, keep what it did not use too, but for the events it ``replaced``
        (by ``id()``): a build that rendered only what changed asked for few pieces, not for
        fewer events.
        """
        if keep_unused:
            for held in self.held.values():
                for gone in replaced:
                    held.pop(gone, None)
            for name, made in self.fresh.items():
                self.held.setdefault(name, {}).update(made)
            self.fresh = {}
        else:
            self.held, self.fresh = self.fresh, {}

    def pieces(
        self, name: str, events: Sequence[Event], make: Callable[[Event], Piece]
    ) -> list[Piece]:
        """``make(event)`` for each event, from the memo for event objects seen before.

        ``name`` tells the kinds of piece apart: one name, one ``make``.
        """
        held = self.held.get(name, {})
        fresh = self.fresh.setdefault(name, {})
        ids = list(map(id, events))
        # asked again this build (a listing after another): what this build made comes first
        before = [fresh.get(i) or held.get(i) for i in ids] if fresh else list(map(held.get, ids))
        made = [
            old[1] if old is not None and old[0] is event else make(event)
            for event, old in zip(events, before, strict=True)
        ]
        fresh.update(zip(ids, zip(events, made, strict=True), strict=True))
        return made
