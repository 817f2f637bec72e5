"""Property tests over whole entries: whatever front matter and Markdown an editor writes, the
validator answers with an event or with diagnostics, never with a crash.

Every run tries 3,000 cases; ``DATELINE_PROPERTY_EXAMPLES=50000`` runs a long, nightly-style one.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dateline.browse import text_start
from dateline.config import parse_config
from dateline.diagnostics import Diagnostics
from dateline.events import EVENT_KEYS, _stem, parse_event
from dateline.links import link_target
from dateline.project import Project
from dateline.sources import parse_sources

from .conftest import ROOT

EXAMPLES = int(os.environ.get("DATELINE_PROPERTY_EXAMPLES", "1500"))
"""Cases per property: 1,500 in every run; DATELINE_PROPERTY_EXAMPLES=50000 for a long one."""
thorough = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

CONFIG = parse_config((ROOT / "dateline.yaml").read_bytes(), "dateline.yaml", Diagnostics())
SOURCES = parse_sources(
    (ROOT / "content/sources.yaml").read_bytes(), Project.at(ROOT).read, Diagnostics()
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10_000),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2025-09-07",
            "2024-02~",
            "2025-09-06/2025-09-07",
            "2023-07/..",
            "strike",
            "diplomacy",
            "at least 14",
            "dozens",
            "isw-strikes-after-alaska-summit",
            "launching over 800 aerial targets",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
front_matter = st.dictionaries(
    st.sampled_from([*EVENT_KEYS, "titel", "figures", "x"]), values, max_size=10
)
PIECES = [*"abc #*_[]()<>!`-|\n:/", "javascript:", "<script>", "](/events/x/)", "**", "\n\n"]
markdown = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@thorough
@given(front_matter, markdown)
def test_any_entry_gives_an_event_or_diagnostics(data: dict[str, object], body: str) -> None:
    assert CONFIG is not None
    try:
        front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError:
        return
    raw = f"---\n{front}---\n{body}".encode()
    diagnostics = Diagnostics()
    event = parse_event("content/events/x.md", raw, CONFIG.kinds, SOURCES, diagnostics)
    if event is None:
        assert diagnostics.errors or data.get("draft") is True, "refused without saying why"
    for problem in diagnostics:
        assert problem.line >= 1 and problem.column >= 1 and problem.message
    if event is not None:
        assert "<script" not in event.body_html and 'href="javascript:' not in event.body_html


@thorough
@given(st.binary(max_size=400))
def test_any_bytes_as_an_entry_never_crash(raw: bytes) -> None:
    assert CONFIG is not None
    diagnostics = Diagnostics()
    parse_event("content/events/x.md", b"---\n" + raw, CONFIG.kinds, SOURCES, diagnostics)
    assert all(d.line >= 1 for d in diagnostics)


HTML_PIECES = [
    "word", "Kyiv", " ", "  ", "\n", "<p>", "</p>", '<a href="/events/x/">', "</a>", "<li>",
    "&amp;", "&#x27;", "&CounterClockwiseContourIntegral;", "&lt;", "é", "—",
]  # fmt: skip


@given(st.lists(st.sampled_from(HTML_PIECES), max_size=400).map("".join), st.integers(0, 60))
def test_the_start_of_a_body_is_the_start_of_all_its_text(markup: str, length: int) -> None:
    words = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())
    assert text_start(markup, length) == words[:length]


file_names = st.text(alphabet="a.é -", min_size=1, max_size=8).filter(
    lambda n: n not in (".", "..")
)


@given(st.lists(file_names, min_size=1, max_size=4).map("/".join))
def test_an_entry_stem_is_its_path_stem(path: str) -> None:
    assert _stem(path) == PurePosixPath(path).stem


@given(st.text(alphabet=st.sampled_from("/ab#?%20é:.\t -_[]~"), max_size=30))
@example("//[")  # urlsplit refuses it: so must link_target
def test_a_link_is_parted_as_urlsplit_parts_it(href: str) -> None:
    """``link_target``'s quick parting of the site's own links agrees with urlsplit's, refusals
    included."""
    try:
        parts = urlsplit(href)
    except ValueError:
        with pytest.raises(ValueError):
            link_target.__wrapped__(href)
        return
    page = unquote(parts.path).lstrip("/")
    if page == "" or page.endswith("/"):
        page += "index.html"
    assert link_target.__wrapped__(href) == (page, unquote(parts.fragment))
