"""Markdown bodies to HTML: CommonMark with tables and strikethrough, raw HTML off.

A body is parsed once. Its headings are rendered at the level written (``#`` is ``h1``) and moved
down by :func:`shift_headings` wherever a page places the body under its own headings. A link
written from the site's root (``/events/2025-05-15-istanbul-talks/``) is published under the
site's base path, so editors never need to know where the site is hosted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

_HEADING_TAG = re.compile(r"<(/?)h([1-6])([ >])")


@dataclass(frozen=True, slots=True)
class Body:
    """A rendered body and the links to the site's own pages written in it."""

    html: str
    site_links: tuple[tuple[int, str], ...]
    """(0-based line in the body, href as written) for each link from the site's root."""


@cache
def _parser() -> MarkdownIt:
    """One parser, built once: raw HTML is escaped, never passed through."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )
    md.add_render_rule("link_open", _link)
    return md


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


def render_body(text: str, base_path: str = "/") -> Body:
    """Parse and render an entry body once, noting the links it makes to the site's pages."""
    md = _parser()
    env = {"base_path": base_path}
    tokens = md.parse(text, env)
    links = tuple(
        (block.map[0] if block.map else 0, str(child.attrGet("href") or ""))
        for block in tokens
        for child in block.children or ()
        if child.type == "link_open" and is_site_link(str(child.attrGet("href") or ""))
    )
    html: str = md.renderer.render(tokens, md.options, env)
    return Body(html, links)


def shift_headings(html: str, levels: int) -> str:
    """Move every heading of rendered body HTML ``levels`` down, to h6 at most.

    Safe on bodies only: raw HTML is escaped, so every ``<hN`` in them is a Markdown heading.
    """
    if levels <= 0 or "<h" not in html:
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m[1]}h{min(6, int(m[2]) + levels)}{m[3]}", html)
