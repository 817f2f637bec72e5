"""Markdown bodies to HTML: CommonMark with tables and strikethrough, raw HTML off.

A link written from the site's root (``/events/2025-05-15-istanbul-talks/``) is published under
the site's base path, so editors never need to know where the site is hosted.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict


@cache
def _parser() -> MarkdownIt:
    """One parser, built once: raw HTML is escaped, never passed through."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )
    md.add_render_rule("heading_open", _heading)
    md.add_render_rule("heading_close", _heading)
    md.add_render_rule("link_open", _link)
    return md


def _heading(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    level = min(6, int(token.tag[1]) + env["heading_offset"])
    token.tag = f"h{level}"
    rendered: str = self.renderToken(tokens, idx, options, env)
    return rendered


def _link(self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    if is_site_link(href):
        token.attrSet("href", env["base_path"] + href[1:])
    rendered: str = self.renderToken(tokens, idx, options, env)
    return rendered


def is_site_link(href: str) -> bool:
    """True for a link written from the site's root, such as ``/events/x/#y``."""
    return href.startswith("/") and not href.startswith("//")


def render_markdown(text: str, heading_offset: int, base_path: str = "/") -> str:
    """Render an entry body; its headings start ``heading_offset`` levels down."""
    html: str = _parser().render(text, {"heading_offset": heading_offset, "base_path": base_path})
    return html


def site_links(text: str) -> Iterator[tuple[int, str]]:
    """Each link to a page of the site in a body: (0-based line in the body, href)."""
    for block in _parser().parse(text):
        for child in block.children or ():
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                if is_site_link(href):
                    yield (block.map[0] if block.map else 0), href
