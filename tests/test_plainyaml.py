"""The plain-YAML reader gives PyYAML's value, or steps aside: never a different answer.

``read_plain`` is the fast path for front matter; whatever it accepts must mean exactly what
the careful PyYAML parse (:func:`parse_yaml`) makes of it, and whatever PyYAML refuses it
must refuse too. Hypothesis writes front matter from the pieces editors use, with the
mistakes and oddities they make, and holds the two to the same answer.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from benchmarks.synthetic import write_project
from dateline.frontmatter import (
    FrontMatterError,
    LazilyLocated,
    decode,
    parse_document,
    parse_yaml,
    split,
)
from dateline.plainyaml import NotPlain, read_plain

ROOT = Path(__file__).resolve().parent.parent

# fmt: off
WORDS = st.sampled_from(
    [
        "Kyiv", "drones", "yes", "no", "on", "off", "true", "False", "null", "~", "NULL",
        "10", "-5", "+3", "0x1F", "0o17", "017", "1_000", "1:30", "3.5", "1e3", ".inf",
        "-.Inf", ".nan", "2025-09-07", "2025-09-07T10:00:00Z", "2024-02~", "2022-02/..",
        "more than 662", "at least 3", "a#b", "a #b", "a: b", "a:b", "x:", "- x", "-x", "?x",
        "? x", ":x", "[a]", "{a}", "a,b", "*ref", "&anchor", "!tag", "%x", "@x", "`x", "|",
        ">-", "=", "<<", "it's", 'say "hi"', "back\\slash", "é", "Запоріжжя", "", " ", "#",
    ]
)
# fmt: on
TEXT = st.lists(WORDS, min_size=1, max_size=3).map(" ".join)
# fmt: off
KEYS = st.sampled_from(["id", "title", "date", "kind", "places", "tags", "figures", "value",
                        "note", "quotes", "yes", "1", "a-b", "_x", "Title", "key with space",
                        "'q'", "<<"])
# fmt: on


def double_quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def single_quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


SCALARS = st.one_of(
    TEXT,
    TEXT.map(double_quoted),
    TEXT.map(single_quoted),
    st.sampled_from(['"\\u00e9\\n\\t\\/"', '"\\x41"', '"\\ud800"', '"open', "'open", '"a" b']),
    st.lists(st.one_of(TEXT, TEXT.map(double_quoted)), max_size=3).map(
        lambda items: "[" + ", ".join(items) + "]"
    ),
    st.sampled_from(["[a, b,]", "[a, [b]]", "[a", "[a] x", "[ ]", "[]", "{a: 1}"]),
)


@st.composite
def blocks(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> list[str]:
    """Lines of a mapping or list indented by ``indent``, as an editor might write them."""
    pad = " " * indent
    lines: list[str] = []
    if depth < 3 and draw(st.booleans()) and indent > 0:
        for _ in range(draw(st.integers(1, 3))):
            if draw(st.integers(0, 3)) == 0:  # "- key: value" items
                inner = draw(blocks(indent + 2, depth + 1))
                first = inner[0].lstrip(" ") if inner else ""
                lines.append(f"{pad}- {first}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {draw(SCALARS)}")
        return lines
    for _ in range(draw(st.integers(1, 4))):
        key = draw(KEYS)
        shape = draw(st.integers(0, 9))
        if shape <= 4 or depth >= 3:
            lines.append(f"{pad}{key}: {draw(SCALARS)}")
        elif shape == 5:
            header = draw(st.sampled_from(["|", "|-", ">", ">-"]))
            lines.append(f"{pad}{key}: {header}")
            inner = " " * (indent + draw(st.integers(1, 3)))
            lines += [f"{inner}{draw(TEXT)}" for _ in range(draw(st.integers(1, 3)))]
        elif shape == 6:  # a list at the key's own indentation
            lines.append(f"{pad}{key}:")
            lines += [f"{pad}- {draw(SCALARS)}" for _ in range(draw(st.integers(1, 3)))]
        else:
            lines.append(f"{pad}{key}:")
            lines += draw(blocks(indent + draw(st.integers(1, 4)), depth + 1))
    return lines


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    """Front matter, sometimes with comments, blank lines, stray spaces or a broken line."""
    lines = draw(blocks())
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.integers(0, len(lines)))
        oddity = draw(
            st.sampled_from(["", "# a comment", "   ", "  # indented comment", "\tx: 1", "  x: 1"])
        )
        lines.insert(where, oddity)
    if draw(st.booleans()):
        lines = [line + draw(st.sampled_from(["", " ", "  # note"])) for line in lines]
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


def careful(text: str) -> Any:
    """What the careful parse makes of ``text``: its value, or FrontMatterError's class."""
    try:
        parsed = parse_yaml(text, 2)
    except FrontMatterError:
        return FrontMatterError
    return FrontMatterError if parsed.problems else parsed.value


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to itself and bool never equal to 1."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def check_agrees(text: str) -> bool:
    """Assert the fast reader agrees with PyYAML on ``text``; return whether it took it."""
    expected = careful(text)
    try:
        value = read_plain(text)
    except NotPlain:
        return False
    assert expected is not FrontMatterError, f"read {text!r}, which PyYAML refuses"
    assert same(value, expected), f"{text!r}: {value!r} != {expected!r}"
    return True


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter())
@example("title: A\nplaces: [Kyiv, Odesa]\nfigures:\n  killed:\n    value: 0\n")
@example("note: >-\n  one\n  two\n")
@example("note: |\n  one\n  two")
@example("quotes:\n- a\n- b\nkind: strike\n")
@example("places: [ Kyiv , no,Odesa ]  # note\ntags: [ ]\nnote: a:b c#d\n")
@example("places: [Kyiv, , Odesa]\n")
def test_reads_front_matter_as_pyyaml_does(text: str) -> None:
    check_agrees(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter())
@example("a: 1\n# b: 2\nb: |\n  c: 3\nc: [d]\n")
def test_finds_the_keys_at_the_top_where_pyyaml_does(text: str) -> None:
    try:
        read = LazilyLocated(read_plain(text), text, 2)
    except NotPlain:
        return
    if not isinstance(read.value, dict):
        return
    parsed = parse_yaml(text, 2)
    for key in read.value:
        assert read.key_position((key,)) == parsed.key_position((key,)), key
    assert read.located is None  # found without the careful parse


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet="ab1: -#'\"[],\n>|{}&*!~\\\t.", max_size=40))
def test_never_accepts_what_pyyaml_reads_differently(text: str) -> None:
    check_agrees(text)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet="0123456789_+-:.xobeE", min_size=1, max_size=8))
@example("0")
@example("007")
@example("09")
@example("1_000")
@example("190:20")
def test_reads_numbers_as_pyyaml_does(number: str) -> None:
    check_agrees(f"value: {number}\nlist: [{number}]\n")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789_+-:./xeET ~", max_size=20))
@example("-11-13/2024-11-14")
@example("-1e3")
@example("-02-29 10:00:00.5")
def test_reads_what_starts_like_a_year_as_pyyaml_does(rest: str) -> None:
    check_agrees(f"date: 2024{rest}\nlist: [1999{rest}]\n")


def test_the_shapes_editors_write_take_the_fast_path(tmp_path: Path) -> None:
    """Every shipped entry and every generated benchmark entry is plain: none falls back."""
    write_project(300, tmp_path / "project")
    entries = [*(ROOT / "content").rglob("*.md"), *(tmp_path / "project").rglob("*.md")]
    for entry in entries:
        front, _, _ = split(decode(entry.read_bytes()))
        assert check_agrees(front), f"{entry.name} fell back to the careful parse"


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2",  # duplicate keys are reported by the careful parse
        "a: &x 1\nb: *x",
        "a: !!str 1",
        "a: b\n  c",  # a plain value continued on the next line
        "a: [b,\n  c]",
        "a: {b: 1}",
        "a: |\n  x\n\n  y",
        "a: 'x\n  y'",
        "extra:\n" + "- " * 1500 + "x",  # deeper than PyYAML allows: it says where
        "a:\n" + "- " * 20 + "x",
        "".join(f"{' ' * 2 * level}k{level}:\n" for level in range(25)) + " " * 50 + "x: 1",
        "k" * 1025 + ": 1",  # PyYAML's C parser refuses a key this long
    ],
)
def test_leaves_the_unusual_to_pyyaml(text: str) -> None:
    with pytest.raises(NotPlain):
        read_plain(text)
    check_agrees(text)


def test_deep_nesting_is_refused_where_it_is_written() -> None:
    with pytest.raises(FrontMatterError, match="nested more than 20 levels deep") as raised:
        parse_document(("---\nextra:\n" + "- " * 1500 + "x\n---\n").encode())
    assert raised.value.position.line == 3


@pytest.mark.parametrize(
    "char", ["\x00", "\t", "\x0b", "\x1f", "\x7f", "\x85", "\x9f", "\u2028", "\u2029", "\ufffe"]
)
def test_leaves_text_with_unusual_characters_to_pyyaml(char: str) -> None:
    """Control characters, tabs, and what PyYAML reads as a line break or refuses."""
    with pytest.raises(NotPlain):
        read_plain(f"title: a{char}b\n")


@pytest.mark.parametrize(
    "char", [" ", "~", "\xa0", "\u2027", "\u202a", "\ud7ff", "\ue000", "\ufffd", "\U00010000"]
)
def test_reads_text_with_the_characters_next_to_the_unusual(char: str) -> None:
    assert check_agrees(f"title: a{char}b\n")
