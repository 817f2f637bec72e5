"""The source registry, archived source texts, and quotes verified against them."""

from __future__ import annotations

import hashlib
import posixpath
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from markupsafe import Markup, escape

from .dates import DateError, parse_date
from .diagnostics import Diagnostics, Position
from .fields import FieldChecker
from .frontmatter import FrontMatterError, decode, read_yaml
from .models import Source

SOURCES_FILE = "content/sources.yaml"
SOURCE_KEYS = ("title", "publisher", "published", "url", "archive", "type")
SOURCE_TYPES = ("article", "dataset")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul"] + [f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)]
)
"""Names Windows will not create as files or folders: no slug or id may be one."""


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a page, or None when it can."""
    if not SLUG.fullmatch(slug):
        return "must be lower-case letters and digits joined by '-'"
    if slug in RESERVED_NAMES:
        return "is a name Windows reserves for a device; choose another"
    if len(slug) > 120:
        return "is longer than 120 characters"
    return None


_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
    }
)  # fmt: skip

ReadArchive = Callable[[str], bytes | None]
"""Reads an archived file by its project-relative path; None when it does not exist."""


@dataclass(frozen=True, slots=True)
class Match:
    """Where a quote lies in a source: paragraph number and character span in it."""

    paragraph: int
    start: int
    end: int


@lru_cache(maxsize=256)
def folded(text: str) -> str:
    """The text with typographic quotes made plain and each run of whitespace made one space
    (none at either end): how quotes are compared with their sources.

    Each quote is folded to be found, then again for its anchor: the second time is a lookup.
    """
    plain = text if text.isascii() else text.translate(_TYPOGRAPHIC)  # ASCII holds none
    return " ".join(plain.split())


def quote_anchor(quote: str) -> str:
    """A fragment id for a quote that stays the same while its words do."""
    digest = hashlib.sha1(folded(quote).encode("utf-8")).hexdigest()
    return f"q-{digest[:8]}"


@lru_cache(maxsize=16_384)
def word_starts(paragraph: str) -> tuple[list[int], list[int]]:
    """Where each word of ``folded(paragraph)`` starts: in the folded text, and in the paragraph.

    Folding keeps words as they are (typographic quotes become plain ones, char for char) and
    puts one space for each run of whitespace between them, so these two lists map any offset
    in the folded text back to the paragraph (see :func:`original_offset`).
    """
    spans = [word.span() for word in _WORD.finditer(paragraph)]
    folded_starts = [0]
    for start, end in spans[:-1]:
        folded_starts.append(folded_starts[-1] + end - start + 1)
    return folded_starts, [start for start, _ in spans]


def original_offset(paragraph: str, offset: int) -> int:
    """The offset in ``paragraph`` of the char at ``offset`` in ``folded(paragraph)``; a space
    stands for the first char of the whitespace it replaced."""
    folded_starts, starts = word_starts(paragraph)
    word = bisect_right(folded_starts, offset) - 1
    return starts[word] + offset - folded_starts[word]


_WORD = re.compile(r"\S+")
"""A run of chars that are not whitespace (the same whitespace as ``str.split``'s)."""


@cache
def _folded_text(paragraphs: tuple[str, ...]) -> str:
    """A source's paragraphs folded once, one per line: folding leaves no line breaks, so a
    quote found in it lies inside one paragraph.

    Kept for every source of the registry last read (:func:`parse_sources` forgets the ones
    before): a cache of a few thousand sources, at 10,000 sources, folded each source's whole
    text again for nearly every quote, and made parsing an entry a third slower.
    """
    return "\n".join(map(folded, paragraphs))


def find_quote(quote: str, paragraphs: tuple[str, ...]) -> Match | None:
    """Find a quote in a source's paragraphs, ignoring whitespace and quote-mark style."""
    wanted = folded(quote)
    if not wanted:
        return None
    whole = _folded_text(paragraphs)
    found = whole.find(wanted)  # the offsets are worked out only in the paragraph it is in
    if found < 0:
        return None
    number = whole.count("\n", 0, found)
    line = whole.rfind("\n", 0, found) + 1  # where that paragraph starts, folded
    line_end = whole.find("\n", found)
    at = found - line
    paragraph = paragraphs[number]
    if (len(whole) if line_end < 0 else line_end) - line == len(paragraph):
        # folding took no char out (as in nearly every archived paragraph): it changed chars
        # one for one, and the offsets are those of the paragraph as written
        return Match(number + 1, at, at + len(wanted))
    end = original_offset(paragraph, at + len(wanted) - 1) + 1
    return Match(number + 1, original_offset(paragraph, at), end)


def explain_missing(quote: str, paragraphs: tuple[str, ...]) -> str:
    """Say how close a quote that is not in the source came, to help the editor mend it."""
    wanted = folded(quote)
    texts = [folded(p) for p in paragraphs]
    if any(wanted.casefold() in t.casefold() for t in texts):
        return "it is there with different capital letters"
    whole = "\n".join(texts)
    if wanted in " ".join(texts):
        return "it runs across two paragraphs; quote each part separately"
    low, high = 0, len(wanted)
    while low < high:  # the longest prefix of the quote found in the source
        middle = (low + high + 1) // 2
        if wanted[:middle] in whole:
            low = middle
        else:
            high = middle - 1
    if low >= 12:
        return f"the source matches up to {_tail(wanted[:low])!r}, then differs"
    return "no part of it was found"


def highlight(paragraph: str, spans: list[tuple[int, int, str]]) -> Markup:
    """Escape a paragraph and mark the quoted spans; each quote's anchor sits where it starts.

    Overlapping spans are marked as one. Where the tags fall, the text is cut: each piece of
    it is escaped and followed by the tags at its end (a mark's end, a mark's start, then the
    anchors there, in order).
    """
    if not spans:  # most paragraphs of a source
        return escape(paragraph)
    starts: set[int] = set()
    ends: set[int] = set()
    mark_end = -1
    for start, end, _ in sorted(spans):
        if start > mark_end:  # a mark of its own; the one before ends where it reached
            ends.add(mark_end)
            starts.add(start)
        mark_end = max(mark_end, end)
    ends.add(mark_end)
    ends.discard(-1)
    anchors: dict[int, str] = {}
    for start, anchor in sorted({(start, anchor) for start, _, anchor in spans}):
        made = f'<span class="quote-anchor" id="{escape(anchor)}"></span>'
        anchors[start] = anchors.get(start, "") + made
    out: list[str] = []
    done = 0
    for cut in sorted(starts | ends | anchors.keys()):
        tags = ("</mark>" if cut in ends else "") + ("<mark>" if cut in starts else "")
        out += (escape(paragraph[done:cut]), tags, anchors.get(cut, ""))
        done = cut
    out.append(escape(paragraph[done:]))
    return Markup("".join(out))


def parse_sources(
    raw: bytes | None,
    read_archive: ReadArchive,
    diagnostics: Diagnostics,
    read_ahead: Callable[[list[str]], None] = lambda archives: None,
) -> dict[str, Source]:
    """Validate the source registry and load each source's archived text.

    ``read_ahead`` is told of the archived copies before the first is read (a project asks
    the kernel to fetch them together: a thousand read one after another from a cold disk took
    0.15 s more).
    """
    path = SOURCES_FILE
    _folded_text.cache_clear()  # the texts of the sources read before
    if raw is None:
        diagnostics.error(
            path, Position(1, 1), "the source registry is missing; every event needs a source"
        )
        return {}
    try:
        parsed = read_yaml(decode(raw))
    except FrontMatterError as error:
        diagnostics.error(path, error.position, str(error))
        return {}
    check = FieldChecker.reporting(path, parsed, diagnostics)
    registry = check.mapping(parsed.value or {}, (), "the source registry")
    written = (
        fields.get("archive") for fields in (registry or {}).values() if isinstance(fields, dict)
    )
    read_ahead([path for a in written if isinstance(a, str) and _inside_project(path := a.strip())])
    sources: dict[str, Source] = {}
    for source_id, fields in (registry or {}).items():
        source = _parse_source(source_id, fields, check, read_archive)
        if source is not None:
            sources[source_id] = source
    return sources


def _parse_source(
    source_id: str, value: Any, check: FieldChecker, read_archive: ReadArchive
) -> Source | None:
    where = (source_id,)
    problem = slug_problem(source_id)
    if problem:
        check.error(where, f"source id {source_id!r} {problem}", on_key=True)
        return None
    fields = check.mapping(value, where, f"source {source_id!r}")
    if fields is None:
        return None
    check.known_keys(fields, where, SOURCE_KEYS)
    archive = check.text(fields, "archive", where, required=False)
    paragraphs = (
        _read_paragraphs(archive, (*where, "archive"), check, read_archive) if archive else ()
    )
    kind = check.text(fields, "type", where, required=False) or "article"
    if kind not in SOURCE_TYPES:
        check.error((*where, "type"), f"type must be one of: {', '.join(SOURCE_TYPES)}")
    headline = paragraphs[0] if paragraphs else ""
    title = check.text(fields, "title", where, required=archive is None) or headline
    url = check.text(fields, "url", where, required=False)
    if not archive and not url:
        check.error(where, f"source {source_id!r} needs an 'archive' copy or a 'url'")
    if url and not re.match(r"https?://[^\s/]+", url):
        check.error((*where, "url"), "url must start with http:// or https://")
        url = None
    published = None
    published_text = check.text(fields, "published", where, required=False)
    if published_text:
        try:
            published = parse_date(published_text)
        except DateError as error:
            check.error((*where, "published"), f"published: {error}")
    return Source(
        source_id,
        title,
        check.text(fields, "publisher", where, required=False),
        published,
        url,
        archive,
        paragraphs,
        check.key_at(where).line,
        dataset=kind == "dataset",
    )


def _inside_project(archive: str) -> bool:
    """Whether an archive path names a file inside the project (on any system)."""
    return not (
        archive.startswith("/") or ".." in archive.split("/") or "\\" in archive or ":" in archive
    )


def _read_paragraphs(
    archive: str, where: tuple[str, ...], check: FieldChecker, read_archive: ReadArchive
) -> tuple[str, ...]:
    if not _inside_project(archive):
        check.error(where, "archive must be a path inside the project, such as seeds/article.txt")
        return ()
    raw = read_archive(posixpath.normpath(archive))  # as pathlib writes it: a/./b is a/b
    if raw is None:
        check.error(where, f"archived copy {archive!r} does not exist")
        return ()
    try:
        text = decode(raw)
    except FrontMatterError as error:
        check.error(where, f"archived copy {archive!r}: {error}")
        return ()
    return tuple(line.strip() for line in text.split("\n") if line.strip())


def _tail(text: str, width: int = 40) -> str:
    return text if len(text) <= width else "…" + text[-width:]
