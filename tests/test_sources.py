"""Quotes: normalisation, finding them in archived text, highlighting them, and the registry."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.diagnostics import Diagnostics
from dateline.sources import (
    _TYPOGRAPHIC,
    _folded_text,
    explain_missing,
    find_quote,
    folded,
    highlight,
    original_offset,
    parse_sources,
)

PARAGRAPHS = (
    "Kyiv accuses Moscow of trying to “strike the negotiation table”.",
    "Ukraine’s   air force said 310 of the drones were intercepted.",
)


@pytest.mark.parametrize(
    ("quote", "paragraph"),
    [
        ('trying to "strike the negotiation table"', 1),
        ("Ukraine's air force said", 2),
        ("310 of the\n drones", 2),
    ],
)
def test_quotes_match_across_typography_and_whitespace(quote: str, paragraph: int) -> None:
    match = find_quote(quote, PARAGRAPHS)
    assert match is not None and match.paragraph == paragraph


def test_match_span_points_at_the_original_text() -> None:
    match = find_quote("Ukraine's air force", PARAGRAPHS)
    assert match is not None
    assert PARAGRAPHS[1][match.start : match.end] == "Ukraine’s   air force"


@pytest.mark.parametrize(
    ("quote", "hint"),
    [
        ("KYIV ACCUSES MOSCOW", "it is there with different capital letters"),
        (
            "negotiation table”. Ukraine’s",
            "it runs across two paragraphs; quote each part separately",
        ),
        (
            "Kyiv accuses Moscow of lying",
            "the source matches up to 'Kyiv accuses Moscow of ', then differs",
        ),
        ("nothing at all", "no part of it was found"),
    ],
)
def test_missing_quotes_are_explained(quote: str, hint: str) -> None:
    assert find_quote(quote, PARAGRAPHS) is None
    assert explain_missing(quote, PARAGRAPHS) == hint


def test_highlight_merges_overlaps_and_keeps_every_anchor() -> None:
    out = str(highlight("a <b> c d e", [(0, 5, "q-1"), (3, 7, "q-2"), (10, 11, "q-3")]))
    assert out == (
        '<mark><span class="quote-anchor" id="q-1"></span>a &lt;'
        '<span class="quote-anchor" id="q-2"></span>b&gt; c</mark> d '
        '<mark><span class="quote-anchor" id="q-3"></span>e</mark>'
    )


spans = st.lists(st.tuples(st.integers(0, 40), st.integers(1, 20)), max_size=6)


@given(st.text(min_size=1, max_size=40), spans)
def test_highlight_never_changes_the_text(text: str, raw_spans: list[tuple[int, int]]) -> None:
    chosen = [
        (min(s, len(text) - 1), min(s + n, len(text)), f"q-{i}")
        for i, (s, n) in enumerate(raw_spans)
    ]
    out = str(highlight(text, chosen))
    assert html.unescape(re.sub(r"<[^>]*>", "", out)) == text
    assert out.count("<mark>") == out.count("</mark>")
    assert all(f'id="q-{i}"' in out for i in range(len(chosen)))


def _normalise_char_by_char(text: str) -> tuple[str, list[int]]:
    """Folding stated plainly, one char at a time, with the offset each kept char came from."""
    chars: list[str] = []
    offsets: list[int] = []
    for offset, char in enumerate(text.translate(_TYPOGRAPHIC)):
        if char.isspace():
            if not chars or chars[-1] == " ":
                continue
            char = " "
        chars.append(char)
        offsets.append(offset)
    if chars and chars[-1] == " ":
        chars.pop()
        offsets.pop()
    return "".join(chars), offsets


WHITESPACE_AND_QUOTES = (
    " \t\n\r\x0b\x0c\x1c\x1f\x85\u00a0\u1680\u2003\u2028\u3000\u200bab\u2019\u201c\u00ab'\""
)


@given(st.text(alphabet=st.sampled_from(WHITESPACE_AND_QUOTES), max_size=40))
def test_folding_is_the_char_by_char_folding(text: str) -> None:
    expected, offsets = _normalise_char_by_char(text)
    assert folded(text) == expected
    assert folded(expected) == expected
    assert [original_offset(text, at) for at in range(len(expected))] == offsets


@given(
    st.lists(st.text(alphabet=" \n\u00a0ab\u2019'", max_size=12), min_size=1, max_size=4),
    st.data(),
)
def test_a_quote_is_found_in_the_first_paragraph_that_holds_it(
    paragraphs: list[str], data: st.DataObject
) -> None:
    source = data.draw(st.sampled_from(paragraphs))
    start = data.draw(st.integers(0, len(source)))
    quote = data.draw(st.sampled_from([source[start:], source[:start], "ab", "a b", "'"]))
    match = find_quote(quote, tuple(paragraphs))
    holding = [
        n for n, p in enumerate(paragraphs, 1) if folded(quote) and folded(quote) in folded(p)
    ]
    assert (match.paragraph if match else None) == (holding[0] if holding else None)
    if match is not None:
        paragraph = paragraphs[match.paragraph - 1]
        assert folded(paragraph[match.start : match.end]) == folded(quote)
        at = folded(paragraph).find(folded(quote))  # the span, mapped back char by char
        assert (match.start, match.end) == (
            original_offset(paragraph, at),
            original_offset(paragraph, at + len(folded(quote)) - 1) + 1,
        )


def test_each_source_is_folded_once_however_many_sources_there_are() -> None:
    """Folding every source's text again for each quote made parsing a third slower at
    10,000 sources, when the folded texts were kept for only a few thousand."""
    registry = [(f"Report {n} says what it says.", "And more.") for n in range(20_000)]
    parse_sources(b"{}\n", lambda path: None, Diagnostics())  # a registry read: none kept
    for _ in range(2):
        for paragraphs in registry:
            assert find_quote("says what", paragraphs) is not None
    assert _folded_text.cache_info().misses == len(registry)


def registry(yaml_text: str, files: dict[str, bytes] | None = None) -> list[str]:
    diagnostics = Diagnostics()
    parse_sources(yaml_text.encode(), (files or {}).get, diagnostics)
    return [str(d) for d in diagnostics.sorted()]


def test_registry_problems_are_reported_with_positions() -> None:
    found = registry(
        "Bad_Id:\n  url: https://example.org/\n"
        "ok-one:\n  archive: seeds/missing.txt\n  publishr: Someone\n"
        "ok-two:\n  title: T\n  url: ftp://example.org\n  published: 2025-13\n"
        "ok-three:\n  archive: ../outside.txt\n"
    )
    assert found == [
        "content/sources.yaml:1:1: error: source id 'Bad_Id' must be lower-case letters and digits "
        "joined by '-'",
        "content/sources.yaml:4:12: error: archived copy 'seeds/missing.txt' does not exist",
        "content/sources.yaml:5:3: error: unknown key 'ok-one.publishr'; did you mean 'publisher'?",
        "content/sources.yaml:8:8: error: url must start with http:// or https://",
        "content/sources.yaml:9:14: error: published: month 13 is out of range (01-12)",
        "content/sources.yaml:11:12: error: archive must be a path inside the project, "
        "such as seeds/article.txt",
    ]


def test_an_archive_on_another_drive_is_refused() -> None:
    found = registry("a:\n  archive: 'C:/news/story.txt'\n", {"C:/news/story.txt": b"Text\n"})
    assert found == [
        "content/sources.yaml:2:12: error: archive must be a path inside the project, "
        "such as seeds/article.txt",
    ]


def test_title_defaults_to_the_headline_of_the_archive() -> None:
    diagnostics = Diagnostics()
    sources = parse_sources(
        b"a:\n  archive: seeds/a.txt\n", {"seeds/a.txt": b"Headline\n\nBody\n"}.get, diagnostics
    )
    assert not diagnostics.items
    assert sources["a"].title == "Headline"
    assert sources["a"].paragraphs == ("Headline", "Body")


def test_archives_inside_the_project_are_read_ahead_before_the_first_is_read() -> None:
    asked: list[list[str]] = []
    read: list[str] = []

    def read_archive(path: str) -> bytes:
        assert asked, "told of the archives before reading one"
        read.append(path)
        return b"Text\n"

    registry_text = (
        b"a:\n  archive: seeds/a.txt\nb:\n  archive: ../outside.txt\n"
        b"c:\n  archive: ' seeds/c.txt '\nd:\n  url: https://example.org/\ne: [not, a, mapping]\n"
    )
    parse_sources(registry_text, read_archive, Diagnostics(), asked.append)
    assert asked == [["seeds/a.txt", "seeds/c.txt"]]
    assert read == ["seeds/a.txt", "seeds/c.txt"]


def test_missing_registry() -> None:
    diagnostics = Diagnostics()
    assert parse_sources(None, {}.get, diagnostics) == {}
    assert [str(d) for d in diagnostics] == [
        "content/sources.yaml:1:1: error: the source registry is missing; "
        "every event needs a source"
    ]
