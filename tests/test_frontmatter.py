"""Splitting and parsing front matter: exact cases, and properties over generated input."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dateline.diagnostics import Position
from dateline.frontmatter import FrontMatterError, parse_document


def test_positions_of_keys_and_values() -> None:
    doc = parse_document(b"---\ntitle: A\nsources:\n  - id: x\n    quotes: [q]\n---\nBody\n")
    assert doc.key_position(("title",)) == Position(2, 1)
    assert doc.position(("title",)) == Position(2, 8)
    assert doc.position(("sources", 0, "quotes", 0)) == Position(5, 14)
    assert doc.body == "Body\n"
    assert doc.body_line == 7


def test_dates_and_numbers_keep_their_written_form() -> None:
    doc = parse_document(b"---\ndate: 2025-09-07\nyear: 2025\nflag: true\n---\n")
    assert doc.data == {"date": "2025-09-07", "year": 2025, "flag": True}


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf---\ntitle: A\n---\nBody",
        b"---\r\ntitle: A\r\n---\r\nBody",
        b"---\rtitle: A\r---\rBody",
    ],
    ids=["bom", "crlf", "cr"],
)
def test_bom_and_line_endings(raw: bytes) -> None:
    doc = parse_document(raw)
    assert doc.data == {"title": "A"}
    assert doc.body == "Body"


def test_duplicate_keys_are_collected_not_last_one_wins() -> None:
    doc = parse_document(b"---\ntitle: A\ntitle: B\n---\n")
    assert doc.data == {"title": "A"}
    assert [str(p) for p in doc.problems] == ["duplicate key 'title' (first written on line 2)"]
    assert doc.problems[0].position == Position(3, 1)


def test_alias_bomb_is_refused_before_expansion() -> None:
    layers = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        previous = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        layers.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    raw = ("---\n" + "\n".join(layers) + "\n---\n").encode()
    with pytest.raises(FrontMatterError, match="aliases"):
        parse_document(raw)


def test_deep_nesting_is_refused() -> None:
    raw = b"---\nx: " + b"[" * 60 + b"]" * 60 + b"\n---\n"
    with pytest.raises(FrontMatterError, match="nested"):
        parse_document(raw)


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(FrontMatterError):
        parse_document(b"---\nx: !!python/object/apply:os.system ['true']\n---\n")


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_any_bytes_parse_or_give_a_front_matter_error(raw: bytes) -> None:
    try:
        parse_document(raw)
    except FrontMatterError as error:
        assert error.position.line >= 1 and error.position.column >= 1


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from(list("-: \n\t[]{}'\"#&*!|>ab1")), max_size=80))
def test_yaml_like_text_parses_or_gives_a_front_matter_error(text: str) -> None:
    try:
        parse_document(("---\n" + text + "\n---\n").encode())
    except FrontMatterError as error:
        assert error.position.line >= 1


keys = st.from_regex(r"[a-z][a-z_]{0,10}", fullmatch=True)
values = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=40)


@given(st.dictionaries(keys, values, min_size=1, max_size=8))
@example({"a": "\u2028", "d": "Û"})  # a line separator PyYAML counts as a line break
def test_round_trip_of_string_mappings(data: dict[str, str]) -> None:
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    doc = parse_document(("---\n" + front + "---\nBody\n").encode())
    assert doc.data == data
    for line_number, key in enumerate(data, start=2):
        assert doc.key_position((key,)).line == line_number


@pytest.mark.parametrize("value", ["0b_", "0x_", "0o_", "1_", "+_"])
def test_a_value_that_only_looks_like_a_number_is_reported_not_a_crash(value: str) -> None:
    try:
        doc = parse_document(f"---\ntitle: A\ncount: {value}\n---\n".encode())
    except FrontMatterError as error:
        assert error.position.line == 3
    else:
        assert doc.data["count"] is not None
