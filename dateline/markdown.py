"""Markdown bodies to HTML: CommonMark with tables and strikethrough, raw HTML off."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

BODY_HEADING_LEVEL = 3
"""A '#' heading in a body renders as this level, below the event's own title."""


@cache
def _parser() -> MarkdownIt:
    """One parser, built once: raw HTML is escaped, never passed through."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )
    md.add_render_rule("heading_open", _heading)
    md.add_render_rule("heading_close", _heading)
    return md


def _heading(
    self: Any, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    level = min(6, int(token.tag[1]) + env.get("heading_offset", BODY_HEADING_LEVEL - 1))
    token.tag = f"h{level}"
    rendered: str = self.renderToken(tokens, idx, options, env)
    return rendered


def render_markdown(text: str, heading_offset: int = BODY_HEADING_LEVEL - 1) -> str:
    """Render an entry body; its headings start ``heading_offset`` levels down."""
    html: str = _parser().render(text, {"heading_offset": heading_offset})
    return html
