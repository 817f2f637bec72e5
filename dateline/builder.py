"""The build, as a recipe: read inputs → validate → order the timeline → render → write."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import CONFIG_FILE, parse_config, with_slash
from .diagnostics import ContentError, Diagnostic, Diagnostics, Position
from .events import parse_event
from .links import check_links
from .models import Event, Timeline
from .output import write_site
from .render import Pages, make_environment, render_site
from .sources import SOURCES_FILE, parse_sources
from .timeline import build_timeline

CONTENT_DIR = "content"
TEMPLATES_DIR = "templates"
STATIC_DIR = "templates/static"
OUTPUT_DIR = "site"


@dataclass(frozen=True, slots=True)
class Project:
    """Where a timeline project keeps its files."""

    root: Path
    out: Path

    @classmethod
    def at(cls, root: Path, out: Path | None = None) -> Project:
        """The project in ``root``, building into ``out`` (``root/site`` by default)."""
        return cls(root, out if out is not None else root / OUTPUT_DIR)

    def read(self, relative: str) -> bytes | None:
        """A project file's bytes, or None when it does not exist."""
        path = self.root / relative
        return path.read_bytes() if path.is_file() else None

    def entry_files(self) -> list[str]:
        """Every event entry under ``content/``, in a fixed order."""
        content = self.root / CONTENT_DIR
        return sorted(
            p.relative_to(self.root).as_posix() for p in content.rglob("*.md") if p.is_file()
        )

    def assets(self) -> dict[str, bytes]:
        """The static files shipped with the templates, as ``assets/...`` output paths."""
        static = self.root / STATIC_DIR
        files = sorted(p for p in static.rglob("*") if p.is_file()) if static.is_dir() else []
        return {f"assets/{p.relative_to(static).as_posix()}": p.read_bytes() for p in files}


@dataclass(slots=True)
class BuildReport:
    """What a build did, for the one summary line at the end."""

    events: int = 0
    drafts: int = 0
    sources: int = 0
    files: int = 0
    seconds: float = 0.0
    warnings: list[Diagnostic] = field(default_factory=list)

    def summary(self) -> str:
        """One line: events, sources, files written, time."""
        drafts = (
            f" ({self.drafts} draft{'s' if self.drafts != 1 else ''} left out)"
            if self.drafts
            else ""
        )
        return (
            f"{self.events} events{drafts}, {self.sources} sources, "
            f"{self.files} files written in {self.seconds:.2f} s"
        )


def load_timeline(
    project: Project, base_url: str | None = None, include_drafts: bool = False
) -> tuple[Timeline, list[Diagnostic], int]:
    """Read and validate everything; return the timeline, its warnings and the drafts left out.

    Raises :class:`ContentError` with every problem when anything is wrong.
    """
    diagnostics = Diagnostics()
    raw_config = project.read(CONFIG_FILE)
    config = None
    if raw_config is None:
        diagnostics.error(CONFIG_FILE, Position(), "the site configuration is missing")
    else:
        config = parse_config(raw_config, CONFIG_FILE, diagnostics)
    sources = parse_sources(project.read(SOURCES_FILE), project.read, diagnostics)
    events: list[Event] = []
    if config is not None:
        for path in project.entry_files():
            raw = project.read(path) or b""
            event = parse_event(path, raw, config.kinds, sources, diagnostics)
            if event is not None:
                events.append(event)
    _check_unique_slugs(events, diagnostics)
    if diagnostics.errors or config is None:
        raise ContentError(diagnostics)
    if base_url is not None:
        config = replace(config, base_url=with_slash(base_url))
    published = [e for e in events if include_drafts or not e.draft]
    timeline = build_timeline(config, published, sources)
    warnings = sorted(d for d in diagnostics if d.severity == "warning")
    return timeline, warnings, len(events) - len(published)


def render(project: Project, timeline: Timeline) -> Pages:
    """Render every page and asset of the site, and check the links editors wrote in bodies."""
    pages = render_site(timeline, make_environment(project.root / TEMPLATES_DIR), project.assets())
    diagnostics = Diagnostics()
    check_links(timeline.events, pages, diagnostics)
    if diagnostics.errors:
        raise ContentError(diagnostics)
    return pages


def build(project: Project, base_url: str | None = None) -> BuildReport:
    """Build the site into ``project.out``; the old site stays whole if anything fails."""
    started = time.perf_counter()
    timeline, warnings, drafts = load_timeline(project, base_url)
    pages = render(project, timeline)
    written = write_site(pages, project.out)
    return BuildReport(
        events=len(timeline.events),
        drafts=drafts,
        sources=len(timeline.sources),
        files=written,
        seconds=time.perf_counter() - started,
        warnings=warnings,
    )


def check(project: Project) -> BuildReport:
    """Validate and render everything without writing a file."""
    started = time.perf_counter()
    timeline, warnings, drafts = load_timeline(project)
    render(project, timeline)
    return BuildReport(
        events=len(timeline.events),
        drafts=drafts,
        sources=len(timeline.sources),
        seconds=time.perf_counter() - started,
        warnings=warnings,
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
