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

import re
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

    Each element is rendered with the place it was written (``data-sourcepos="3:5-3:20"``,
    markdown-it.rs's own plugin), the links' lines are read from that, and the attribute is
    then taken out: one parse gives both, where walking a second parse's tree cost as much as
    the first. Text and attribute values have their quotes escaped, so the attribute cannot
    be matched anywhere else.
    """

    def __init__(self) -> None:
        assert markdown_it_pyrs is not None
        self._md = markdown_it_pyrs.MarkdownIt("zero").enable_many([*RULES, "sourcepos"])  # type: ignore[list-item]

    def render(self, text: str) -> tuple[str, list[tuple[int, str]]]:
        placed: str = self._md.render(text)
        links = [(int(line) - 1, unescape(href)) for line, href in _PLACED_LINK.findall(placed)]
        return _SOURCEPOS.sub("", placed), links


_SOURCEPOS = re.compile(r' data-sourcepos="\d+:\d+-\d+:\d+"')
_PLACED_LINK = re.compile(r'<a data-sourcepos="(\d+):\d+-\d+:\d+" href="([^"]*)"')


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
