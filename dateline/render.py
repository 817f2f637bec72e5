"""Render the timeline into pages: a pure function from the model to ``{path: bytes}``."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, overload

import jinja2
from markupsafe import Markup, escape

from .browse import INDEX_LIMIT, Facet, Listing, facets, listings, search_index
from .cache import EventMemo, Progress, quiet
from .chart import Chart, build_chart, drawn_alike
from .exports import (
    Pieces,
    events_csv,
    events_ics,
    events_json,
    fresh,
    portable_html,
    source_url,
    timelinejs,
)
from .links import PageIds, link_target
from .markdown import shift_headings
from .metadata import event_json_ld, source_works
from .models import Event, Quote, Source, Timeline
from .output import Pages, Parts, Site, joined
from .parallel import alongside, tapering, workers_for
from .sources import highlight
from .templating import CompiledTemplates, Direct, compile_templates, render_template

if TYPE_CHECKING:
    from .output import Staging
    from .project import Written
    from .reuse import Job, PageReuse

DATA_EXPORTS = frozenset({"events.json", "events.csv", "timeline.json", "events.ics"})
"""The files made from the model alone, without templates: the preview makes them when asked."""
SMALLEST_BATCH = 20
"""The fewest pages rendered as one batch (see :func:`.parallel.tapering`)."""
FEED_ENTRIES = 100
"""The feed carries the newest events only; readers subscribe to what comes next."""


def remembered_links(make: Callable[[str], str]) -> Callable[[str], Markup]:
    """``make`` for templates: each link made and escaped once a build, however many pages
    show it (the site's own links in every header and footer cost a tenth of a page's time).
    """
    made: dict[str, Markup] = {}

    def link(path: str) -> Markup:
        found = made.get(path)
        if found is None:
            found = made[path] = escape(make(path))
        return found

    return link


@dataclass(slots=True)
class Rendered:
    """What the last build in memory was made from, for the next one to replace events in."""

    timeline: Timeline
    context: object
    """What every page depends on besides the events; nothing is replaced once it changes."""
    facets: dict[str, list[Facet]]
    listings: list[Listing]
    showing: dict[int, list[int]]
    """For the ``id()`` of each event, the numbers of the listings that show it."""
    position: dict[int, int]
    """For the ``id()`` of each event, its number in the timeline."""
    chart: Chart | None
    linking: dict[str, frozenset[int]]
    """For each page, the numbers of the events whose bodies link to a place on it."""
    rendered: frozenset[str] | None = None
    """The pages this build considered, when it replaced events; None when it considered all."""

    @classmethod
    def of(
        cls,
        timeline: Timeline,
        context: object,
        facets: dict[str, list[Facet]],
        listings: list[Listing],
        chart: Chart | None,
    ) -> Rendered:
        showing: dict[int, list[int]] = defaultdict(list)
        for number, listing in enumerate(listings):
            for event in listing.events:
                showing[id(event)].append(number)
        position = {id(event): number for number, event in enumerate(timeline.events)}
        linking: dict[str, set[int]] = defaultdict(set)
        for number, event in enumerate(timeline.events):
            for page in _linked_places(event):
                linking[page].add(number)
        frozen = {page: frozenset(numbers) for page, numbers in linking.items()}
        return cls(timeline, context, facets, listings, dict(showing), position, chart, frozen)

    def replace(self, timeline: Timeline, replaced: dict[int, Event]) -> Rendered:
        """The state after events were replaced (see :func:`.timeline.substitute`)."""
        listings = list(self.listings)
        showing, position = dict(self.showing), dict(self.position)
        for number in {n for old in replaced for n in self.showing.get(old, ())}:
            events = tuple(replaced.get(id(e), e) for e in listings[number].events)
            listings[number] = replace(listings[number], events=events)
        linking = dict(self.linking)
        for old, new in replaced.items():
            showing[id(new)] = showing.pop(old, [])
            number = position[id(new)] = position.pop(old)
            was = _linked_places(self.timeline.events[number])
            for page in was - _linked_places(new):
                linking[page] = linking[page] - {number}
            for page in _linked_places(new) - was:
                linking[page] = linking.get(page, frozenset()) | {number}
        return Rendered(
            timeline, self.context, self.facets, listings, showing, position, self.chart, linking
        )

    def showing_any(self, events: Iterable[Event]) -> tuple[list[int], list[Listing], set[str]]:
        """What shows any of ``events`` (of this timeline): the numbers of the events whose
        pages do (theirs and their neighbours', which name them), the listings, the sources."""
        ids = [id(event) for event in events]
        around = {n + d for n in map(self.position.__getitem__, ids) for d in (-1, 0, 1)}
        numbers = sorted(n for n in around if 0 <= n < len(self.timeline.events))
        listings = [self.listings[n] for n in sorted({n for i in ids for n in self.showing[i]})]
        cited = {c.source_id for i in ids for c in self.timeline.events[self.position[i]].citations}
        return numbers, listings, cited

    def draws_alike(self, replaced: dict[int, Event], event_href: Callable[[str], str]) -> bool:
        """Whether the chart is the same with the events ``replaced`` (see :func:`replace`)."""
        return all(
            drawn_alike(self.chart, self.timeline.events[self.position[old]], new, event_href)
            for old, new in replaced.items()
        )

    def to_check(self, replaced: dict[int, Event]) -> list[Event]:
        """The events whose links a build that replaced events must check again: the new ones,
        and those that link to a place on a page it rendered again (the ids there may differ).
        Every other link points where it pointed before, to a page that is as it was."""
        numbers = {self.position[id(event)] for event in replaced.values()}
        for page in self.rendered or ():
            numbers |= self.linking.get(page, frozenset())
        return [self.timeline.events[number] for number in sorted(numbers)]


def _linked_places(event: Event) -> set[str]:
    """The pages an event's body links to a place (#fragment) on."""
    return {
        page for page, fragment in map(link_target, (h for _, h in event.site_links)) if fragment
    }


@dataclass(slots=True)
class PageMemo:
    """Pages and per-event pieces rendered by an earlier build, reused while nothing they show
    has changed.

    ``templates`` fingerprints the template files: when it differs, nothing is reused.
    """

    templates: str = ""
    pages: dict[str, tuple[object, bytes]] = field(default_factory=dict)
    pieces: EventMemo = field(default_factory=EventMemo)
    compiled: CompiledTemplates = field(default_factory=CompiledTemplates)
    exports: dict[str, EventMemo] = field(default_factory=dict)
    """The pieces of each file made only when asked for (see :func:`deferred`), kept apart:
    those files are made outside any build, whenever someone opens one."""
    exports_lock: threading.Lock = field(default_factory=threading.Lock)
    last: Rendered | None = None
    """What the last build was made from; see ``replaced`` in :func:`render_site`."""
    page_ids: PageIds = field(default_factory=dict)
    """The ids on the pages, for checking links to them (see :func:`.links.check_links`)."""

    def deferred(
        self, path: str, make: Callable[[Pieces], bytes | Parts], context: object
    ) -> Callable[[], bytes]:
        """``make`` as a file of a :class:`.output.Site`, with the pieces kept for ``path``."""
        pieces = self.exports.setdefault(path, EventMemo())

        def made() -> bytes:
            with self.exports_lock:  # one at a time: the memo of each file is not shared
                pieces.begin(context)
                try:
                    return joined(make(pieces.pieces))
                finally:
                    pieces.end()

        return made


def render_site(
    timeline: Timeline,
    env: jinja2.Environment,
    assets: Mapping[str, bytes],
    memo: PageMemo | None = None,
    staging: Staging | None = None,
    progress: Progress = quiet,
    reuse: PageReuse | None = None,
    defer_exports: bool = False,
    replaced: dict[int, Event] | None = None,
    meanwhile: Callable[[], object] = lambda: None,
) -> Mapping[str, bytes]:
    """Every page and asset of the site, keyed by output path.

    With a ``staging`` folder and a large timeline, the pages are rendered on every core while
    this process makes the data exports, and all are written straight into the folder: they
    are not in the pages returned.

    With a ``memo`` from the last build, a page is rendered again only when the events, sources,
    settings, assets or templates it shows changed, and each event's pieces of the shared files
    (a line of a listing, a record of events.json) only when the event did.

    With ``reuse`` and a ``staging`` folder, a page whose inputs are those of the last build is
    kept from the old site instead, and each event's pieces come from the last build's where
    it is unchanged (see :mod:`.reuse`).

    With ``defer_exports`` (and a ``memo``), the :data:`DATA_EXPORTS` are made only when first
    read from the :class:`.output.Site` returned.

    ``replaced`` says that ``timeline`` is the memo's last one with some events replaced by
    others of the same placement (for the ``id()`` of each old event, the new one; see
    :func:`.timeline.substitute`): then only the pages that show them are considered at all.

    ``meanwhile()`` is run once, while workers render if there are any (the build saves its
    entry cache then).
    """
    single_build = memo is None  # nothing will be reused: keep nothing longer than needed
    memo = memo if memo is not None else PageMemo()
    context = (timeline.config, timeline.sources, memo.templates)
    memo.pieces.begin(context)
    pieces: Pieces = memo.pieces.pieces
    stored = reuse.pieces if reuse is not None and single_build else None
    if single_build:  # nothing kept in memory: from the last build's files, or made anew
        pieces = stored if stored is not None else fresh
    url = timeline.config.path
    files: Pages = dict(assets)
    files["assets/kinds.css"] = render_template(env, "kinds.css", site=timeline.config)
    before = last = None
    if replaced is not None and memo.last and memo.last.context == context and staging is None:
        before, last = memo.last, memo.last.replace(timeline, replaced)
    all_facets = last.facets if last else facets(timeline)
    versions = {path: _version(data) for path, data in files.items()}
    renderer = os.getpid()

    def search_file() -> bytes:
        """search.json, made the first time it is asked for; in a forked worker (a custom
        template that links to it from some other page), without the pieces stored on disk,
        which the build's own process writes."""
        if "search.json" not in files:
            made = pieces if os.getpid() == renderer else fresh
            parts = search_index(timeline, all_facets, url(""), made)
            if stored is not None and made is stored:
                stored.placed("search.json", parts)
            files["search.json"] = joined(parts)
            versions["search.json"] = _version(files["search.json"])
        return files["search.json"]

    def asset(path: str) -> str:
        if path == "search.json":
            search_file()
        if path not in versions:
            raise jinja2.TemplateRuntimeError(f"no asset {path!r} in templates/static/")
        return f"{url(path)}?v={versions[path]}"

    def body(event: Event, heading_level: int) -> Markup:
        return Markup(shift_headings(event.body_html, heading_level))

    common = {
        "site": timeline.config,
        "sources": timeline.sources,
        "citing": timeline.citing,
        "url": Direct(remembered_links(url)),
        "asset": Direct(remembered_links(asset)),
        "body": Direct(body),
        "json_ld": Direct(event_json_ld, timeline, work=source_works(timeline)),
    }

    env.globals.update(common)  # macros imported without context see these, and are cached
    macros = env.get_template("_event.html").module
    line_macro: Callable[[Event], str] = macros.event_line  # type: ignore[attr-defined]

    def event_lines(events: Sequence[Event]) -> Markup:
        """The events as the lines of a listing page, each line rendered once a build (joined
        here rather than in a template loop: a listing may hold a thousand)."""
        return Markup("".join(memo.pieces.pieces("listing line", events, line_macro)))

    env.globals["event_lines"] = Direct(event_lines)

    def page(template: str, path: str, **context: object) -> bytes:
        return render_template(env, template, path=path, **context)

    def event_href(slug: str) -> str:
        return url(f"events/{slug}/")

    def draw_chart() -> Chart | None:
        if before is not None and replaced is not None and before.draws_alike(replaced, event_href):
            return before.chart
        return build_chart(
            timeline,
            event_href,
            {
                f"{group.key[2:]}": f"{url('')}#{group.key}"
                for year in timeline.years
                for group in year.months
                if group.key.startswith("m-")
            }
            | {str(year.year): f"{url('')}#y-{year.year}" for year in timeline.years},
            pieces,
        )

    def publishing() -> Iterator[tuple[str, bytes | Parts]]:
        """The feed, the data exports and what hosts read, one at a time (see
        :func:`publishing_files`), noting where the stored pieces went in each."""
        for path, data in publishing_files(timeline, env, pieces):
            if stored is not None and isinstance(data, list):
                stored.placed(path, data)
            yield path, data

    styles = tuple(sorted((p, v) for p, v in versions.items() if p.startswith("assets/")))
    shared = (timeline.config, styles, memo.templates)
    kept: dict[str, tuple[object, bytes]] = {}

    def remembered(path: str, key: object, make: Callable[[], bytes]) -> None:
        """Render ``path`` unless the memo holds it, or the old site has it, for the same inputs
        (``key``)."""
        held = memo.pages.get(path)
        if held is not None and held[0] == key:
            files[path] = held[1]
        elif reuse is not None and staging is not None and reuse.kept(path, key, staging):
            return
        else:
            files[path] = make()
        kept[path] = (key, files[path])

    def index_job(chart: Chart | None) -> Job:
        """The front page's job: it shows the chart and links to the search index, both made
        by now, so its key names their versions."""
        search_file()
        complete = len(timeline.events) <= INDEX_LIMIT
        return (
            "index.html",
            (
                timeline.events if complete else len(timeline.events),
                chart,
                all_facets,
                tuple(sorted(versions.items())),
                shared,
            ),
            partial(
                page,
                "index.html",
                "",
                page="index",
                events=timeline.events,
                years=timeline.years,
                chart=chart,
                facets=all_facets,
                complete=complete,
            ),
        )

    head: list[Job] = []  # the pages other than the events'
    shown = last.listings if last else listings(timeline, all_facets)
    numbers: Sequence[int] = range(len(timeline.events))
    cited_by = set(timeline.sources)
    if last is not None and replaced is not None:  # only what shows the replaced events
        numbers, shown, cited_by = last.showing_any(replaced.values())
    for listing in shown:
        head.append(
            (
                f"{listing.path}index.html",
                (listing, shared),
                partial(page, "listing.html", listing.path, page="listing", listing=listing),
            )
        )
    for dimension, folder in () if last else (("place", "places/"), ("tag", "tags/")):
        head.append(
            (
                f"{folder}index.html",
                (all_facets[dimension], shared),
                partial(
                    page,
                    "facets.html",
                    folder,
                    page=folder,
                    dimension=dimension,
                    values=all_facets[dimension],
                ),
            )
        )
    if last is None:  # their inputs are the same for events of the same placement
        counts = tuple((source_id, len(cited)) for source_id, cited in timeline.citing.items())
        head.append(
            (
                "sources/index.html",
                (timeline.sources, counts, shared),
                partial(page, "sources.html", "sources/", page="sources"),
            )
        )
        head.append(("404.html", shared, partial(page, "404.html", "404.html", page="404")))
    # the sources' pages before the events': the heavier first, for the workers' sake
    for source in timeline.sources.values():
        if source.id not in cited_by:
            continue
        citing = timeline.citing[source.id]
        head.append(
            (
                f"{source.page}index.html",
                (source, citing, shared),
                partial(source_page, page, source, citing),
            )
        )
    events = timeline.events

    def event_path(index: int) -> str:
        """Where the page of the event at ``index`` in the timeline goes."""
        return f"{events[index].page}index.html"

    def event_job(index: int) -> Job:
        """The page of the event at ``index`` in the timeline."""
        event = events[index]
        previous = events[index - 1] if index > 0 else None
        following = events[index + 1] if index + 1 < len(events) else None
        cited = tuple(timeline.sources[c.source_id] for c in event.citations)
        return (
            event_path(index),
            (event, previous, following, cited, shared),
            partial(
                page,
                "event.html",
                event.page,
                page="event",
                event=event,
                previous=previous,
                next=following,
            ),
        )

    # With no last build to keep pages from, each page's digest (recorded for the next build)
    # is taken by the process that renders it rather than here, before the worker starts; so
    # is each event page's job made (see Jobs).
    jobs = Jobs(head, numbers, event_job, event_path)
    fresh_site = reuse is not None and not reuse.last and workers_for(len(jobs)) > 1
    if reuse is not None and staging is not None and not fresh_site:  # some pages are kept
        jobs = Jobs(reuse.to_render(list(jobs), staging), (), event_job, event_path)
    workers = workers_for(len(jobs)) if staging is not None else 1
    deferring = defer_exports and not single_build and staging is None
    if staging is None or workers <= 1:
        meanwhile()
        chart = draw_chart()
        every_job = [index_job(chart), *jobs]
        if not single_build and staging is None:
            memo.last = last or Rendered.of(timeline, context, all_facets, shown, chart)
            memo.last.chart = chart
            memo.last.rendered = frozenset(path for path, _, _ in every_job) if last else None
        for number, (path, key, make) in enumerate(every_job, start=1):
            remembered(path, key, make)
            if number % 200 == 0 or number == len(every_job):
                progress("rendering pages", number, len(every_job))
        if last is not None:  # every page not rendered again is as the last build left it
            kept = memo.pages | kept
            files = {path: data for path, (_, data) in kept.items()} | files
        if not deferring:
            files.update((path, joined(data)) for path, data in publishing())
    else:
        compile_templates(env)  # here, once, not again in each worker
        batches = tapering(len(jobs), workers, smallest=SMALLEST_BATCH)

        def render_batch(number: int) -> tuple[list[tuple[str, Written, bool]], dict[str, str]]:
            if number == 0:  # the first task, handed to a worker while this process makes
                # the data exports: the folders of the pages to render, made by one process
                staging.make_folders_for(jobs.paths())
                return [], {}
            batch = [jobs[i] for i in batches[number - 1]]
            written = staging.write({path: make() for path, _, make in batch})
            if reuse is None or not fresh_site:
                return written, {}
            return written, {path: reuse.digest(key) for path, key, _ in batch}

        rendered = [0]

        def batch_done() -> None:  # in a thread of the pool: one at a time
            rendered[0] += 1
            done = sum(len(batches[i]) for i in range(rendered[0] - 1))
            progress("rendering pages", done, len(jobs))

        def write_publishing_files() -> None:  # here, while the workers render the rest
            meanwhile()
            remembered(*index_job(draw_chart()))
            for path, data in publishing():
                staging.write({path: data})

        staged, _ = alongside(
            render_batch, len(batches) + 1, workers, write_publishing_files, batch_done
        )
        for written, digests in staged:
            staging.add_written(written)
            if reuse is not None:
                reuse.digests.update(digests)
    memo.pages = {} if single_build else kept
    deferred: dict[str, Callable[[], bytes]] = {}
    if deferring:  # the data exports, made from the model alone: templates are read now
        makers = publishing_makers(timeline, env)
        later = {path: make for path, make in makers.items() if path in DATA_EXPORTS}
        files.update(
            (path, joined(make(pieces))) for path, make in makers.items() if path not in later
        )
        memo.exports = {path: memo.exports.get(path, EventMemo()) for path in later}
        deferred = {path: memo.deferred(path, make, context) for path, make in later.items()}
    memo.pieces.end(keep_unused=last is not None, replaced=replaced if last and replaced else ())
    return Site(files, deferred) if deferring else dict(sorted(files.items()))


class Jobs(Sequence["Job"]):
    """The pages to render: the ``head`` jobs as they are, then the page of each event of
    the timeline numbered in ``numbers``, its job made by ``event_job`` only when asked for
    (``event_path`` says where that page goes, without making its job).

    Forked workers each make the jobs of the pages they render: making every event page's job
    before they start took 0.4 s on one core at 100,000 events, while the other core waited.
    """

    def __init__(
        self,
        head: list[Job],
        numbers: Sequence[int],
        event_job: Callable[[int], Job],
        event_path: Callable[[int], str],
    ) -> None:
        self.head, self.numbers = head, numbers
        self.event_job, self.event_path = event_job, event_path

    def paths(self) -> Iterator[str]:
        """Where each page goes, in order."""
        yield from (path for path, _, _ in self.head)
        yield from map(self.event_path, self.numbers)

    def __len__(self) -> int:
        return len(self.head) + len(self.numbers)

    @overload
    def __getitem__(self, index: int) -> Job: ...

    @overload
    def __getitem__(self, index: slice) -> list[Job]: ...

    def __getitem__(self, index: int | slice) -> Job | list[Job]:
        if isinstance(index, slice):
            return [self[number] for number in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self.head):
            return self.head[index]
        return self.event_job(self.numbers[index - len(self.head)])


def _version(data: bytes) -> str:
    """The version of an asset named in links to it, so that a changed file is fetched anew."""
    return hashlib.sha256(data).hexdigest()[:10]


def source_page(page: Callable[..., bytes], source: Source, citing: tuple[Event, ...]) -> bytes:
    """The page of one source: its archived text with every cited passage highlighted, and
    the events citing it, each with the passages it quotes (``cited_by``)."""
    cited_by = quoted_from(source, citing)
    return page(
        "source.html",
        source.page,
        page="source",
        source=source,
        citing_events=citing,
        cited_by=cited_by,
        paragraphs=highlighted_paragraphs(source, cited_by),
    )


def quoted_from(source: Source, citing: tuple[Event, ...]) -> list[tuple[Event, tuple[Quote, ...]]]:
    """Each of the events ``citing`` the source, with the passages it quotes from it."""
    return [
        (event, citation.quotes)
        for event in citing
        for citation in event.citations
        if citation.source_id == source.id  # an event cites a source once
    ]


def publishing_files(
    timeline: Timeline, env: jinja2.Environment, pieces: Pieces
) -> Iterator[tuple[str, bytes | Parts]]:
    """The feed, the data exports and what hosts read, one file at a time: at scale each export
    is tens of megabytes, in parts, and the caller may write each away before the next is made.
    """
    for path, make in publishing_makers(timeline, env).items():
        yield path, make(pieces)


def publishing_makers(
    timeline: Timeline, env: jinja2.Environment
) -> dict[str, Callable[[Pieces], bytes | Parts]]:
    """How to make the feed, the data exports and what hosts read (robots.txt, the sitemap,
    .nojekyll, CNAME), by path, each from the events' pieces it is given."""
    config = timeline.config

    def last_updated() -> str:
        updated = max((e.last_updated for e in timeline.events), default=None)
        return updated.isoformat() if updated else ""

    def feed(pieces: Pieces) -> bytes:
        newest_first = timeline.events[::-1][:FEED_ENTRIES]  # the events are in order already
        feed_entries = pieces("feed", newest_first, partial(feed_html, timeline))
        return render_template(
            env,
            "feed.xml",
            site=config,
            entries=list(zip(newest_first, feed_entries, strict=True)),
            updated=last_updated() or "1970-01-01",
        )

    def sitemap(pieces: Pieces) -> bytes:
        urls = [("", last_updated()), ("sources/", "")]
        urls += [(e.page, e.last_updated.isoformat()) for e in timeline.events]
        urls += [(source.page, "") for source in timeline.sources.values()]
        return render_template(env, "sitemap.xml", site=config, urls=urls)

    def constant(data: bytes) -> Callable[[Pieces], bytes]:
        return lambda pieces: data

    makers: dict[str, Callable[[Pieces], bytes | Parts]] = {
        "feed.xml": feed,
        "events.json": partial(events_json, timeline),
        "events.csv": partial(events_csv, timeline),
        "timeline.json": partial(timelinejs, timeline),
        "events.ics": partial(events_ics, timeline),
        ".nojekyll": constant(b""),
    }
    robots = "User-agent: *\nAllow: /\n"
    if config.absolute:
        makers["sitemap.xml"] = sitemap
        robots += f"Sitemap: {config.url('sitemap.xml')}\n"
    makers["robots.txt"] = constant(robots.encode("utf-8"))
    if config.cname:
        makers["CNAME"] = constant((config.cname + "\n").encode("utf-8"))
    return makers


def feed_html(timeline: Timeline, event: Event) -> str:
    """An event as HTML for a feed reader: date, places, figures, body and its sources."""
    parts = [f"<p><strong>{escape(event.date_display)}</strong> · {escape(event.kind.label)}"]
    if event.places:
        parts.append(f" · {escape(', '.join(event.places))}")
    parts.append("</p>")
    if event.figures:
        items = "".join(f"<li>{escape(f.label)}: {escape(f.display())}</li>" for f in event.figures)
        parts.append(f"<ul>{items}</ul>")
    parts.append(portable_html(timeline, shift_headings(event.body_html, 2)))
    parts.append("<p>Sources:</p><ul>")
    for citation in event.citations:
        source = timeline.sources[citation.source_id]
        quotes = "".join(
            f'<blockquote><p><a href="{escape(source_url(timeline, source, q.anchor))}">'
            f"{escape(q.text)}</a></p></blockquote>"
            for q in citation.quotes
        ) + "".join(f"<p>{escape(r.text)}</p>" for r in citation.records)
        parts.append(
            f'<li><a href="{escape(source_url(timeline, source))}">{escape(source.title)}</a>'
            f"{quotes}</li>"
        )
    parts.append("</ul>")
    return "".join(parts)


def highlighted_paragraphs(
    source: Source, cited_by: list[tuple[Event, tuple[Quote, ...]]]
) -> list[Markup]:
    """The source's archived paragraphs with every passage quoted (see :func:`quoted_from`)
    highlighted."""
    spans: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for _, quotes in cited_by:
        for quote in quotes:
            if quote.paragraph:
                spans[quote.paragraph].append((quote.start, quote.end, quote.anchor))
    return [
        highlight(text, sorted(set(spans.get(number, []))))
        for number, text in enumerate(source.paragraphs, start=1)
    ]
