"""Markdown bodies to HTML: CommonMark with tables and strikethrough, raw HTML off.

A body is parsed once. Its headings are rendered at the level written (``#`` is ``h1``) and moved
down by :func:`shift_headings` wherever a page places the body under its own headings. A link
written from the site's root (``/events/2025-05-15-istanbul-talks/``) is published under the
site's base path, so editors never need to know where the site is hosted.

Bodies are rendered by markdown-it.rs (through ``markdown-it-pyrs``): markdown-it compiled, about
fifteen times faster than markdown-it-py, which is used only where no compiled wheel installs.
The two give the same HTML for the Markdown editors write (``tests/test_markdown.py`` holds them
to it); they part only on degenerate input, such as an empty list item right after a paragraph
or a table, where markdown-it.rs follows the CommonMark rule that an empty item cannot
interrupt a paragraph.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from html import unescape
from typing import Any, Protocol

try:
    import markdown_it_pyrs
except ImportError:  # pragma: no cover - no wheel for this platform
    markdown_it_pyrs = None  # type: ignore[assignment]

_HEADING_TAG = re.compile(r"<(/?)h([1-6])([ >])")
_SITE_HREF = re.compile(r'<a href="/(?!/)')
"""A link from the site's root in rendered HTML: raw HTML is escaped, so only Markdown makes one."""

RULES = (
    "blockquote", "code", "fence", "heading", "hr", "lheading", "list", "paragraph",
    "reference", "autolink", "backticks", "emphasis", "entity", "escape", "image", "link",
    "newline", "strikethrough", "table",
)  # fmt: skip
"""markdown-it.rs's CommonMark rules without raw HTML, plus tables and strikethrough."""


@dataclass(frozen=True, slots=True)
class Body:
    """A rendered body and the links to the site's own pages written in it."""

    html: str
    site_links: tuple[tuple[int, str], ...]
    """(0-based line in the body, href as written) for each link from the site's root."""


class Engine(Protocol):
    """Renders Markdown to HTML, and lists the links written in it."""

    def render(self, text: str) -> tuple[str, list[tuple[int, str]]]:
        """The HTML of ``text``, and the (0-based line, href) of every link in it."""
        ...


class CompiledEngine:
    """markdown-it.rs: the HTML of markdown-it, made in compiled code.

    Each link's line is most often plain to see: the address of an inline link, written once
    in the body, on the line its text begins. Where it is not (a reference link, an address
    written differently from the one in the HTML, link text over two lines, escapes, code or
    images on the way), the body is rendered again with the place each element was written
    (``data-sourcepos="3:5-3:20"``, markdown-it.rs's own plugin), the lines read from that and
    the attribute taken out; text and attribute values have their quotes escaped, so the
    attribute cannot be matched anywhere else. That second rendering costs as much again.
    """

    def __init__(self) -> None:
        assert markdown_it_pyrs is not None
        self._md = markdown_it_pyrs.MarkdownIt("zero").enable_many(list(RULES))  # type: ignore[arg-type]
        self._placing = markdown_it_pyrs.MarkdownIt("zero").enable_many([*RULES, "sourcepos"])  # type: ignore[list-item]

    def render(self, text: str) -> tuple[str, list[tuple[int, str]]]:
        try:
            html: str = _compiled(self._md, text)
        except BaseException as error:
            if type(error).__name__ != "PanicException":
                raise
            return _reference().render(text)  # markdown-it.rs gave up on this text
        hrefs = [unescape(href) for href in _LINK.findall(html)]
        lines = written_lines(text, hrefs) if hrefs else []
        if lines is None:
            return self.render_placed(text)
        return html, list(zip(lines, hrefs, strict=True))

    def render_placed(self, text: str) -> tuple[str, list[tuple[int, str]]]:
        """:meth:`render`, each link's line read from the place markdown-it.rs gives it."""
        placed: str = self._placing.render(text)
        links = [(int(line) - 1, unescape(href)) for line, href in _PLACED_LINK.findall(placed)]
        return _SOURCEPOS.sub("", placed), links


def _compiled(md: Any, text: str) -> str:
    """markdown-it.rs's HTML of ``text``, or its panic (a BaseException) where it gives up.

    markdown-it.rs 0.6.0 panics on an unclosed backtick inside link text (``[`a](x)``, even
    ``x [` y``), and Rust writes a panic to stderr before Python sees it: text that could
    be such is rendered with stderr shut, so that an editor is not shown a crash that is not
    one.
    """
    if "`" not in text or "[" not in text:
        return str(md.render(text))
    with _stderr_shut():
        return str(md.render(text))


@contextmanager
def _stderr_shut() -> Iterator[None]:
    """Send what is written to file descriptor 2 to the null device for a moment."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@cache
def _reference() -> ReferenceEngine:
    return ReferenceEngine()


_LINK = re.compile(r'<a href="([^"]*)"')
_SOURCEPOS = re.compile(r' data-sourcepos="\d+:\d+-\d+:\d+"')
_PLACED_LINK = re.compile(r'<a data-sourcepos="(\d+):\d+-\d+:\d+" href="([^"]*)"')
_ADDRESS = re.compile(r"<?([^\s()<>]*)")
"""An inline link's address as written after its ``](``: ``/events/x/`` or ``</events/x/>``."""


def written_lines(text: str, hrefs: list[str]) -> list[int] | None:
    """The 0-based line of ``text`` each link to ``hrefs`` (in the order of the HTML) begins on,
    found from the addresses written; None where that is not certain.

    It is certain when the text holds no reference definition and its addresses are exactly
    the links', in order, each after link text that opens on the same line without a
    backslash or backtick before it there (which could hide or make a bracket).
    """
    if "]:" in text:
        return None
    closings: list[int] = []
    addresses: list[str] = []
    closing = text.find("](")
    while closing != -1:
        closings.append(closing)
        addresses.append(_ADDRESS.match(text, closing + 2)[1])  # type: ignore[index]
        closing = text.find("](", closing + 2)
    if addresses != hrefs:
        return None
    lines = []
    for closing in closings:
        line_start = text.rfind("\n", 0, closing) + 1
        before = text[line_start:closing]
        if "\\" in before or "`" in before or not _opens_on_its_line(before):
            return None
        lines.append(text.count("\n", 0, line_start))
    return lines


def _opens_on_its_line(before: str) -> bool:
    """Whether the ``[`` that the ``]`` after ``before`` closes is in ``before``, and is not
    an image's."""
    depth = 1
    for at in range(len(before) - 1, -1, -1):
        char = before[at]
        if char == "]":
            depth += 1
        elif char == "[":
            depth -= 1
            if depth == 0:
                return not before[:at].endswith("!")
    return False


class ReferenceEngine:
    """markdown-it-py, the pure-Python reference."""

    def __init__(self) -> None:
        from markdown_it import MarkdownIt  # a tenth of a second to import: only when used

        options: Any = {"html": False, "typographer": False}
        self._md = MarkdownIt("commonmark", options).enable(["table", "strikethrough"])

    def render(self, text: str) -> tuple[str, list[tuple[int, str]]]:
        env: dict[str, Any] = {}
        tokens = self._md.parse(text, env)
        links = []
        for block in tokens:
            line = block.map[0] if block.map else 0
            for child in block.children or ():
                if child.type in ("softbreak", "hardbreak"):
                    line += 1
                elif child.type == "link_open":
                    links.append((line, str(child.attrGet("href") or "")))
        html: str = self._md.renderer.render(tokens, self._md.options, env)
        return html, links


@cache
def engine() -> Engine:
    """The engine to render with: the compiled one wherever it is installed."""
    return ReferenceEngine() if markdown_it_pyrs is None else CompiledEngine()


def is_site_link(href: str) -> bool:
    """True for a link written from the site's root, such as ``/events/x/#y``."""
    return href.startswith("/") and not href.startswith("//")


def render_body(text: str, base_path: str = "/", using: Engine | None = None) -> Body:
    """Render an entry body, noting the links it makes to the site's pages."""
    html, written = (using or engine()).render(text)
    links = tuple((line, href) for line, href in written if is_site_link(href))
    if base_path != "/":
        html = _SITE_HREF.sub(lambda _: f'<a href="{base_path}', html)
    return Body(html, links)


def shift_headings(html: str, levels: int) -> str:
    """Move every heading of rendered body HTML ``levels`` down, to h6 at most.

    Safe on bodies only: raw HTML is escaped, so every ``<hN`` in them is a Markdown heading.
    """
    if levels <= 0 or "<h" not in html:
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + levels)}{m[3]}", html)
