"""The build, as a recipe: read inputs → validate → order the timeline → render → write."""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .cache import EntryCache, ParseEntry, Progress, quiet
from .config import CONFIG_FILE, parse_config, with_slash
from .diagnostics import ContentError, Diagnostic, Diagnostics, Position
from .events import parse_event
from .links import check_links
from .manifest import LookBack, look_back
from .models import Event, SiteConfig, Source, Timeline
from .output import Staging, changed_files
from .project import (
    COMPILED_DIR,
    CONTENT_DIR,
    ENTRY_CACHE,
    PIECES_DIR,
    TEMPLATES_DIR,
    BuildReport,
    Project,
    stat_is_file,
)
from .reuse import PageReuse
from .sources import SOURCES_FILE, parse_sources
from .timeline import build_timeline, placement, substitute

if TYPE_CHECKING:  # the renderer is imported once the entries are being parsed: see _build
    import jinja2

    from .render import PageMemo


def read_config(project: Project, diagnostics: Diagnostics) -> SiteConfig | None:
    """The project's ``dateline.yaml``, or None with its problems recorded."""
    raw = project.read(CONFIG_FILE)
    if raw is None:
        diagnostics.error(CONFIG_FILE, Position(), "the site configuration is missing")
        return None
    return parse_config(raw, CONFIG_FILE, diagnostics)


@dataclass(frozen=True, slots=True)
class Settings:
    """What every entry is read against: the site's configuration and its sources."""

    config: SiteConfig | None
    sources: dict[str, Source]
    problems: tuple[Diagnostic, ...]
    context: str
    """A digest of everything an entry's validation depends on besides its own bytes."""


def read_settings(project: Project, base_url: str | None = None) -> Settings:
    """Read and validate ``dateline.yaml`` and the source registry (with archived copies)."""
    diagnostics = Diagnostics()
    config = read_config(project, diagnostics)
    sources = parse_sources(
        project.read(SOURCES_FILE), project.read, diagnostics, project.read_ahead
    )
    if config is not None and base_url is not None:
        config = replace(config, base_url=with_slash(base_url))
    context = ""
    if config is not None:
        context = repr((config.kinds, config.base_path, sorted(sources.items())))
        context = hashlib.sha256(context.encode()).hexdigest()
    return Settings(config, sources, tuple(diagnostics), context)


def load_timeline(
    project: Project,
    base_url: str | None = None,
    include_drafts: bool = False,
    cache: EntryCache | None = None,
    progress: Progress = quiet,
    paths: list[str] | None = None,
    meanwhile: Callable[[], object] = lambda: None,
) -> tuple[Timeline, list[Diagnostic], int]:
    """Read and validate everything; return the timeline, its warnings and the drafts left out.

    With a ``cache``, entries unchanged since the last call are not parsed again. ``paths``
    are the entry files when the caller has just listed them; ``meanwhile()`` is run here
    while workers parse (see :meth:`.cache.EntryCache.parse_all`).
    Raises :class:`ContentError` with every problem when anything is wrong.
    """
    settings = read_settings(project, base_url)
    if settings.config is None:
        paths = []
    elif paths is None:
        paths = project.entry_files()
    progress("reading entries", 0, len(paths))
    # a file gone since the folder was listed was deleted or renamed: gone, not broken
    return assemble(
        settings,
        project.read_each(paths),
        cache or EntryCache(),
        include_drafts,
        progress,
        expected=len(paths),
        meanwhile=meanwhile,
    )


def assemble(
    settings: Settings,
    files: Iterable[tuple[str, bytes | None]],
    cache: EntryCache,
    include_drafts: bool = False,
    progress: Progress = quiet,
    expected: int = 0,
    meanwhile: Callable[[], object] = lambda: None,
) -> tuple[Timeline, list[Diagnostic], int]:
    """The timeline of every entry in ``files``, validated against ``settings``.

    An entry given without bytes (None) is unchanged since the ``cache`` saw it last.
    ``files`` may be read as they are needed; ``expected`` says how many there are.
    Raises :class:`ContentError` with every problem when anything is wrong.
    """
    diagnostics = Diagnostics()
    diagnostics.extend(settings.problems)
    config, sources = settings.config, settings.sources
    events: list[Event] = []
    if config is not None:
        events = cache.parse_all(
            files,
            settings.context,
            entry_parser(settings),
            diagnostics,
            progress,
            expected,
            meanwhile,
        )
        del files  # the entries' bytes: tens of megabytes no longer needed
    _check_unique_slugs(events, diagnostics)
    _check_unique_ids(events, diagnostics)
    if config is not None:
        _warn_unused_sources(sources, events, diagnostics)
    if diagnostics.errors or config is None:
        raise ContentError(diagnostics)
    published = [e for e in events if include_drafts or not e.draft]
    timeline = build_timeline(config, published, sources)
    warnings = sorted(d for d in diagnostics if d.severity == "warning")
    return timeline, warnings, len(events) - len(published)


def entry_parser(settings: Settings) -> ParseEntry:
    """How to parse one entry against ``settings`` (whose configuration must be there)."""
    assert settings.config is not None
    kinds, base_path, sources = settings.config.kinds, settings.config.base_path, settings.sources

    def parse(path: str, raw: bytes, found: Diagnostics) -> Event | None:
        return parse_event(path, raw, kinds, sources, found, base_path=base_path)

    return parse


def render(
    project: Project,
    timeline: Timeline,
    memo: PageMemo | None = None,
    staging: Staging | None = None,
    progress: Progress = quiet,
    reuse: PageReuse | None = None,
    defer_exports: bool = False,
    replaced: dict[int, Event] | None = None,
    environment: jinja2.Environment | None = None,
    meanwhile: Callable[[], object] = lambda: None,
) -> Mapping[str, bytes]:
    """Render every page and asset of the site, and check the links editors wrote in bodies.

    With ``staging``, pages may be written straight into it, or kept from the old site when
    ``reuse`` says their inputs are unchanged (see :func:`render_site`, which also says what
    ``defer_exports``, ``replaced`` and ``meanwhile`` do). The templates' ``environment`` may
    be made beforehand (see :func:`templates_of`).
    """
    if memo is not None:
        memo.templates = project.templates_fingerprint()
    from .render import render_site

    if environment is None:
        environment = templates_of(project, memo)
    pages = render_site(
        timeline,
        environment,
        project.assets(),
        memo,
        staging,
        progress,
        reuse,
        defer_exports,
        replaced,
        meanwhile,
    )
    diagnostics = Diagnostics()
    last = memo.last if memo is not None else None
    to_check: Sequence[Event] = timeline.events
    if last is not None and last.rendered is not None and replaced is not None:
        to_check = last.to_check(replaced)  # the only links this build could have broken
    check_links(
        to_check,
        staging.view(pages) if staging else pages,
        diagnostics,
        memo.page_ids if memo is not None else None,
    )
    if diagnostics.errors:
        raise ContentError(diagnostics)
    return pages


def templates_of(project: Project, memo: PageMemo | None = None) -> jinja2.Environment:
    """The environment of the project's templates, compiled as they are first used: kept in
    ``memo`` for a preview, else on disk between builds."""
    from .templating import compiled_on_disk, make_environment

    compiled = (
        memo.compiled if memo is not None else compiled_on_disk(project.cache_file(COMPILED_DIR))
    )
    return make_environment(project.root / TEMPLATES_DIR, compiled)


def _prepare_templates(project: Project, prepared: list[jinja2.Environment]) -> None:
    """Make the project's template environment, every template compiled, into ``prepared``."""
    from .templating import compile_templates

    environment = templates_of(project)
    compile_templates(environment)
    prepared.append(environment)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a build runs.

    A build makes hundreds of thousands of objects that live until it ends; each automatic
    collection would walk all of them again, which cost a preview rebuild a third of its time.
    The collector runs again as usual once the build is over.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(
    project: Project,
    base_url: str | None = None,
    progress: Progress = quiet,
    looked: LookBack | None = None,
) -> BuildReport:
    """Build the site into ``project.out``; the old site stays whole if anything fails.

    Nothing is done when no input changed since the last build and the site is as it left it
    (a caller that just found it changed passes what it ``looked`` at, see
    :func:`.manifest.look_back`); otherwise entries unchanged since then come from the entry
    cache. ``progress`` is told how far the long steps have got.
    """
    with collector_paused():
        return _build(project, base_url, progress, looked)


def _build(
    project: Project, base_url: str | None, progress: Progress, looked: LookBack | None
) -> BuildReport:
    started = time.perf_counter()
    project.reads.restart()
    looked = looked or look_back(project, base_url)
    if looked.report is not None:
        return looked.report
    record, last = looked.record, looked.last
    previous = last.outputs if last else None
    cache = EntryCache.load(project.cache_file(ENTRY_CACHE))
    # While the workers parse the entries, this process imports the renderer (Jinja and the
    # page code: a tenth of a second) and compiles the templates, which nothing else needs.
    prepared: list[jinja2.Environment] = []
    try:
        timeline, warnings, drafts = load_timeline(
            project,
            base_url,
            cache=cache,
            progress=progress,
            paths=record.entries,
            meanwhile=partial(_prepare_templates, project, prepared),
        )
    except BaseException:  # content errors above all: saved all the same, as parsed
        _save_entries(project, cache)
        raise
    entries = cache.keys()
    # Saved while the workers render rather than before they start, and beside this process's
    # own work then: writing its pickled batches (260 MB at 100,000 entries) is the kernel's
    # work, which this process need not wait for. Then they are let go.
    save_entries = _Background(partial(_save_entries, project, cache))
    del cache
    reuse = PageReuse.of(
        entries,
        timeline.config,
        b"".join(f"{path}\0".encode() + (project.read(path) or b"") for path in record.templates),
        last.pages if last else None,
        project.cache_file(PIECES_DIR),
        project.out,
        previous,
    )
    try:
        with Staging(project.out, previous) as staging:
            pages = render(
                project,
                timeline,
                staging=staging,
                progress=progress,
                reuse=reuse,
                environment=prepared[0] if prepared else None,
                meanwhile=save_entries.start,
            )
            progress("writing files", 0, len(pages))
            staging.write(pages)
            save_entries.finish()  # before the site is put in place, as a failure stops it
            written = staging.commit()
            outputs = dict(staging.written)
    finally:
        save_entries.finish()  # saved by now, or here if rendering failed first
    report = BuildReport.of(timeline, warnings, drafts, written, started)
    record.save(project, report, outputs, reuse.digests)
    if reuse.pieces is not None:  # after the record whose files its pieces are cut from
        reuse.pieces.save(outputs)
    return report


def _save_entries(project: Project, cache: EntryCache) -> None:
    """Save the entry cache if this build parsed or dropped any entry."""
    if cache.misses or cache.forgotten:
        cache.save(project.cache_file(ENTRY_CACHE))


class _Background:
    """``action``, done once: in a thread of its own from :meth:`start`, or at :meth:`finish`
    if it was never started; let go of once done."""

    def __init__(self, action: Callable[[], None]) -> None:
        self._action: Callable[[], None] | None = action
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def start(self) -> None:
        """Begin ``action`` in another thread (the caller must not fork while it runs)."""
        if self._action is not None and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="dateline-save")
            self._thread.start()

    def finish(self) -> None:
        """Wait for ``action`` (doing it now if it was never started); raise what it raised."""
        if self._thread is not None:
            self._thread.join()
        elif self._action is not None:
            self._run()
        error, self._error = self._error, None
        if error is not None:
            raise error

    def _run(self) -> None:
        action, self._action = self._action, None
        try:
            if action is not None:
                action()
        except BaseException as error:  # raised again, in the thread that waits for it
            self._error = error


def load_cached(
    project: Project, base_url: str | None = None, progress: Progress = quiet
) -> tuple[Timeline, list[Diagnostic], int]:
    """:func:`load_timeline` with the entry cache on disk, saved again if anything was parsed.

    It is saved even when the content has errors: after one broken save among thousands of
    entries, the next build parses one file, not all of them (a build does the same).
    """
    cache = EntryCache.load(project.cache_file(ENTRY_CACHE))
    try:
        return load_timeline(project, base_url, cache=cache, progress=progress)
    finally:
        _save_entries(project, cache)


def check(project: Project) -> BuildReport:
    """Validate and render everything without writing a site (the entry cache is used)."""
    started = time.perf_counter()
    with collector_paused():
        timeline, warnings, drafts = load_cached(project)
        render(project, timeline)
    return BuildReport.of(timeline, warnings, drafts, 0, started)


def _warn_unused_sources(
    sources: dict[str, Source], events: list[Event], diagnostics: Diagnostics
) -> None:
    cited = {citation.source_id for event in events for citation in event.citations}
    for source in sources.values():
        if source.id not in cited:
            diagnostics.warning(
                SOURCES_FILE,
                Position(source.line, 1),
                f"source {source.id!r} is not cited by any event",
            )


def _check_unique_ids(events: list[Event], diagnostics: Diagnostics) -> None:
    first_with: dict[str, Event] = {}
    for event in events:
        first = first_with.setdefault(event.id, event)
        if first is not event and not (first.id == first.slug and event.id == event.slug):
            diagnostics.error(
                event.path,
                Position(),
                f"id {event.id!r} is already used by {first.path}; each event needs its own",
            )


def _check_unique_slugs(events: list[Event], diagnostics: Diagnostics) -> None:
    by_slug: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        by_slug[event.slug].append(event)
    for slug, same in by_slug.items():
        for event in same[1:]:
            diagnostics.error(
                event.path,
                Position(),
                f"slug {slug!r} is already used by {same[0].path}; each event needs its own "
                "(rename the file or set 'slug')",
            )


REPLACE_AT_MOST = 50
"""Entries changed at once that a preview rebuild replaces in the last timeline; with more, it
builds the timeline anew (as after a checkout of another branch)."""


TRUSTED_AFTER_NS = 2_000_000_000
"""A folder's modification time tells that no entry came or went only once it is this much older
than the listing: a later change on a file system with a coarse clock could otherwise keep it."""


class LiveBuilder:
    """Builds the preview again and again, drafts included, reusing entries parsed before.

    The site is kept in memory (:attr:`pages`), never written: ``serve`` answers from it.
    """

    def __init__(self, project: Project, base_url: str | None = None) -> None:
        self.project = project
        self.base_url = base_url
        self.cache = EntryCache.load(project.cache_file(ENTRY_CACHE))
        self.cache.parallel = False  # the preview serves and watches from threads: never fork
        self.pages: Mapping[str, bytes] = {}
        """The files of the last good build: the preview serves them from memory."""
        from .render import PageMemo

        self.memo = PageMemo()
        """Event pages kept between rebuilds, to render only those that change."""
        self.settings: Settings | None = None
        """The settings of the last build, kept while only entries change."""
        self.paths: set[str] = set()
        """The entry files of the last build."""
        self.listed: dict[str, int] = {}
        """For folders of entries listed before, their modification time then."""
        self.last: tuple[list[Diagnostic], dict[str, Event]] | None = None
        """The last build's warnings and events by path, while it was a good one (its timeline
        is the one its pages were made from, ``memo.last``)."""

    def base_path(self) -> str:
        """The path the preview is served under: the configured one, or '/'."""
        if self.base_url is not None:
            return urlsplit(with_slash(self.base_url)).path
        config = read_config(self.project, Diagnostics())
        return config.base_path if config is not None else "/"

    def build(self, changes: set[str] | None = None) -> tuple[BuildReport | None, list[Diagnostic]]:
        """Rebuild; the report and warnings, or None and every problem (the old site kept).

        ``changes`` are the project paths the watcher saw change. When they are all entries,
        only those are read again; otherwise (or without them) everything is.
        """
        started = time.perf_counter()
        with collector_paused():
            try:
                fresh = self._changed_entries(changes) if self.settings is not None else None
                drafts, replacing = 0, self._replacing(fresh)
                if replacing is not None:
                    timeline, warnings, replaced = replacing
                else:
                    timeline, warnings, drafts = assemble(
                        *self._inputs(fresh), self.cache, include_drafts=True
                    )
                    replaced = None
                pages = render(
                    self.project, timeline, self.memo, defer_exports=True, replaced=replaced
                )
                written = changed_files(pages, self.pages)
                self.pages = pages
                self.last = warnings, self._by_path(timeline, replaced)
            except Exception as error:  # the preview must survive anything a build can throw
                self.last = self.memo.last = None  # the next build starts afresh
                if isinstance(error, ContentError):
                    return None, list(error.diagnostics)
                self.settings = None  # read everything again next time
                message = f"internal error: {type(error).__name__}: {error}"
                return None, [Diagnostic("(build)", 1, 1, message)]
        report = BuildReport.of(timeline, warnings, drafts, written, started)
        return report, warnings

    def _by_path(self, timeline: Timeline, replaced: dict[int, Event] | None) -> dict[str, Event]:
        """The events of ``timeline`` by path: the last build's, when it replaced some."""
        if replaced is None or self.last is None:
            return {event.path: event for event in timeline.events}
        return self.last[1] | {event.path: event for event in replaced.values()}

    def _replacing(
        self, fresh: set[str] | None
    ) -> tuple[Timeline, list[Diagnostic], dict[int, Event]] | None:
        """The last timeline and warnings with the ``fresh`` entries in it replaced, and what
        replaced what (see :func:`render_site`); None when more than that changed.

        That is when a few entries changed, none came or went, none has an error, and each
        keeps its placement (see :func:`.timeline.placement`).
        """
        rendered = self.memo.last
        if self.last is None or rendered is None or self.settings is None or not fresh:
            return None
        if len(fresh) > REPLACE_AT_MOST:
            return None
        warnings, by_path = self.last
        read = {path: self.project.read(path) for path in sorted(fresh)}
        files = [(path, raw) for path, raw in read.items() if raw is not None]
        if len(files) < len(read) or any(path not in by_path for path in read):
            return None  # added, deleted, or broken last time
        if not all(map(self._is_entry, read)):
            return None  # a link now, say, which a build leaves out
        self.cache.update(files, self.settings.context, entry_parser(self.settings))
        replaced: dict[int, Event] = {}
        found: list[Diagnostic] = []
        for path, _ in files:
            _, event, problems = self.cache.entries[path]
            if event is None or any(problem.severity == "error" for problem in problems):
                return None  # the whole build says what is wrong, with everything else
            old = by_path[path]
            if event is not old:
                if placement(event) != placement(old):
                    return None
                replaced[id(old)] = event
            found += problems
        kept = [warning for warning in warnings if warning.path not in fresh]
        substituted = substitute(rendered.timeline, replaced, rendered.position)
        return substituted, sorted(kept + found), replaced

    def _inputs(self, fresh: set[str] | None) -> tuple[Settings, list[tuple[str, bytes | None]]]:
        """The settings and entries to build from: only the ``fresh`` entries are read again
        (all of them, and the settings too, when that is None)."""
        if self.settings is None or fresh is None:
            self.settings = settings = read_settings(self.project, self.base_url)
            if settings.config is None or any(p.severity == "error" for p in settings.problems):
                self.settings = None  # read again next time, whatever changes
            self.paths = set(self.project.entry_files())
            fresh = set(self.paths)
        else:
            settings = self.settings
            for path in fresh:
                if self._is_entry(path):
                    self.paths.add(path)
                else:
                    self.paths.discard(path)
        files: list[tuple[str, bytes | None]] = []
        for path in sorted(self.paths):
            if path in fresh:
                raw = self.project.read(path)
                if raw is not None:
                    files.append((path, raw))
            elif path in self.cache.entries:
                files.append((path, None))
        return settings, files

    def _is_entry(self, path: str) -> bool:
        """Whether ``path`` is an entry file, as :meth:`.Project.entry_files` counts them (a
        regular file, not a link)."""
        try:
            return stat_is_file(os.lstat(self.project.root / path))
        except OSError:
            return False

    def _changed_entries(self, changes: set[str] | None) -> set[str] | None:
        """The entry files to read again, or None when more than entries may have changed.

        A folder of entries that changed is listed, so that entries moved in or out of it are
        found even when the watcher reports only the folder.
        """
        if changes is None:
            self.listed.clear()
            return None
        fresh: set[str] = set()
        for change in changes:
            if change != CONTENT_DIR and not change.startswith(f"{CONTENT_DIR}/"):
                return None  # settings, sources or templates: read everything again
            folder = self.project.root / change
            if change.endswith(".md") and not folder.is_dir():
                fresh.add(change)
                continue
            try:
                status = folder.stat()  # before listing: a change while listing shows
            except OSError:
                return None  # a folder gone
            if not stat.S_ISDIR(status.st_mode):
                return None  # a file that is not an entry (sources.yaml)
            modified = status.st_mtime_ns
            if self.listed.get(change) == modified:
                continue  # no entry came or went since it was listed
            listed: set[str] = set()
            with os.scandir(folder) as found:
                for item in found:
                    if item.is_dir():
                        return None  # a folder inside: it may hold any number of entries
                    if item.name.endswith(".md") and item.is_file(follow_symlinks=False):
                        listed.add(f"{change}/{item.name}")  # as entry_files() finds them
            if time.time_ns() - modified > TRUSTED_AFTER_NS:  # not within the clock's coarsest step
                self.listed[change] = modified
            known = {p for p in self.paths if p.rpartition("/")[0] == change}
            fresh |= listed ^ known
        return fresh

    def changed_slug(self, changes: set[str]) -> str | None:
        """The slug of the event when exactly one entry changed, for the browser to return to."""
        entries = [path for path in changes if path in self.cache.entries]
        if len(entries) != 1:
            return None
        cached = self.cache.entries.get(entries[0])
        return cached[1].slug if cached and cached[1] else None
