"""Read the plain YAML that editors write in front matter, several times faster than PyYAML.

Front matter is nearly always the same few shapes: ``key: value`` lines, lists written as
``- item`` lines or ``[a, b]``, quoted strings, and an occasional ``>-`` paragraph. This reader
understands exactly those, line by line, and gives the value PyYAML would. For anything
else (anchors, tags, multi-line plain values, flow mappings, unusual escapes, odd
indentation, duplicate keys, anything PyYAML would refuse) it raises :class:`NotPlain`, and the
caller parses the text with PyYAML instead, which reports any mistake where it is written.
Plain values are typed by PyYAML's own resolver and constructor, so ``10``, ``no`` and ``~``
mean what they mean to PyYAML; dates stay the strings they were written as.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["NotPlain", "read_plain"]


class NotPlain(Exception):
    """The text is not plain enough for this reader: parse it with PyYAML."""


Line = tuple[int, str, int, bool]
"""A line that holds something: its indentation, its text after the indentation (without
trailing spaces), its number, and whether it had trailing spaces."""

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?$")
_DOUBLE_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_SIMPLE_FLOW = re.compile(r"\[([^\[\]{}#:'\"]*)\](?: +#.*)?$")
"""A ``[flow, list]`` of plain values, none quoted or holding what ends or nests a flow item."""
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
_AFTER_VALUE = re.compile(r"(?: +#.*)?$")
_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "b": "\b",
    "f": "\f",
}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|.)")
_PLAIN_STARTS = frozenset("-?:,[]{}#&*!|>'\"%@`")
"""Characters a plain value may not start with (YAML's indicators)."""
_FLOW_FORBIDDEN = frozenset(",[]{}#:")
_BLOCK_HEADERS = {"|": ("\n", "\n"), "|-": ("\n", ""), ">": (" ", "\n"), ">-": (" ", "")}
"""Block scalar headers this reader takes: how their lines are joined and what ends them."""
_STRING_TAG = "tag:yaml.org,2002:str"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_TYPED_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "null"))
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
"""Characters PyYAML refuses or reads as line breaks (and tabs, which YAML treats apart): all
but a line feed, printable ASCII, and Unicode from U+00A0 on save line and paragraph
separators, surrogates and the two non-characters U+FFFE and U+FFFF. Written as the few it
matches rather than the many it does not, it compiles in a tenth of the time (3 ms), at the
start of every build."""

MAX_DEPTH = 16
"""Lists and mappings nested deeper than this are left to PyYAML (which refuses more than 20)."""
MAX_KEY = 1000
"""Keys longer than this are left to PyYAML (whose C parser refuses keys of over 1,024)."""

_resolver = yaml.resolver.Resolver()
_TYPED_FIRST = frozenset(_resolver.yaml_implicit_resolvers)
"""The characters PyYAML's implicit types (numbers, booleans, null, dates...) can start with."""
_constructor = yaml.constructor.SafeConstructor()
_NOT_TEXT_FIRST = _PLAIN_STARTS | _TYPED_FIRST
"""The characters a value must not start with to be plain text for sure."""


def read_plain(text: str) -> Any:
    """The value of the YAML ``text``; raises :class:`NotPlain` when it is not plain YAML."""
    if _UNUSUAL.search(text):
        raise NotPlain("a tab, a control character or an unusual line break")
    lines = _meaningful_lines(text)
    if not lines:
        return None
    value, end = _block(lines, 0, lines[0][0], 0)
    if end != len(lines) or lines[0][0] != 0:
        raise NotPlain("text after the end of the value")
    return value


def _meaningful_lines(text: str) -> list[Line]:
    return [
        (len(raw) - len(content), trimmed, number, trimmed != content)
        for number, raw in enumerate(text.split("\n"))
        if (content := raw.lstrip(" ")) and content[0] != "#"
        for trimmed in (content.rstrip(" "),)
    ]


def _block(lines: list[Line], start: int, indent: int, depth: int) -> tuple[Any, int]:
    """The list or mapping whose lines begin at ``start``, indented by ``indent``.

    ``depth`` is how many lists and mappings it is inside: deep nesting is left to PyYAML,
    which refuses it where it is written.
    """
    if depth >= MAX_DEPTH:
        raise NotPlain("nested deeply")
    if _is_item(lines[start][1]):
        return _sequence(lines, start, indent, depth)
    return _mapping(lines, start, indent, depth)


def _is_item(content: str) -> bool:
    return content == "-" or content.startswith("- ")


def _mapping(lines: list[Line], start: int, indent: int, depth: int) -> tuple[dict[str, Any], int]:
    result: dict[str, Any] = {}
    at, count = start, len(lines)
    while at < count:
        line_indent, content, _, _ = lines[at]
        if line_indent != indent or _is_item(content):
            break
        found = _KEY.match(content)
        if found is None:
            raise NotPlain("not a 'key: value' line")
        key, rest = found[1], found[2]
        if key in result or len(key) > MAX_KEY:
            raise NotPlain("a duplicate or very long key")
        if rest and rest not in _BLOCK_HEADERS and (at + 1 == count or lines[at + 1][0] <= indent):
            result[key] = _inline(rest)  # most lines: a value on the key's line, alone
            at += 1
        else:
            result[key], at = _value(lines, at, indent, rest, depth, in_mapping=True)
    _check_dedent(lines, at, indent)
    return result, at


def _sequence(lines: list[Line], start: int, indent: int, depth: int) -> tuple[list[Any], int]:
    result = []
    at = start
    while at < len(lines) and lines[at][0] == indent and _is_item(lines[at][1]):
        content = lines[at][1]
        rest = content[1:].lstrip(" ")
        if rest and (_KEY.match(rest) or _is_item(rest)):
            # "- key: value" or "- - item": a block that starts on the item's own line
            _, _, number, ragged = lines[at]
            lines[at] = (indent + len(content) - len(rest), rest, number, ragged)
            item, at = _block(lines, at, lines[at][0], depth + 1)
        else:
            item, at = _value(lines, at, indent, rest or None, depth, in_mapping=False)
        result.append(item)
    _check_dedent(lines, at, indent)
    return result, at


def _check_dedent(lines: list[Line], at: int, indent: int) -> None:
    """A block ends where a line is indented less: a line indented more is not plain."""
    if at < len(lines) and lines[at][0] > indent:
        raise NotPlain("unexpected indentation")


def _value(
    lines: list[Line], at: int, indent: int, rest: str | None, depth: int, *, in_mapping: bool
) -> tuple[Any, int]:
    """The value written after the key or dash on line ``at``: inline, or on the lines below."""
    following = lines[at + 1] if at + 1 < len(lines) else None
    if not rest:
        if following is None:
            return None, at + 1
        if following[0] > indent:
            return _block(lines, at + 1, following[0], depth + 1)
        if in_mapping and following[0] == indent and _is_item(following[1]):
            return _block(lines, at + 1, indent, depth + 1)  # a list at its key's indentation
        return None, at + 1
    if rest in _BLOCK_HEADERS:
        return _block_scalar(lines, at, indent, rest)
    if following is not None and following[0] > indent:
        raise NotPlain("a value continued on the next line")
    return _inline(rest), at + 1


def _block_scalar(lines: list[Line], at: int, indent: int, header: str) -> tuple[str, int]:
    """A ``|`` or ``>`` paragraph whose lines are all indented alike, followed by a key."""
    end = at + 1
    while end < len(lines) and lines[end][0] > indent:
        end += 1
    body = lines[at + 1 : end]
    if not body or len({line[0] for line in body}) != 1:
        raise NotPlain("a block scalar that is empty or unevenly indented")
    # Blank and comment lines were dropped, but in a block they are text, as are trailing
    # spaces; and where the block ends the text, whether its last line break is written
    # matters. Such blocks are left to PyYAML.
    next_number = lines[end][2] if end < len(lines) else -1
    if next_number - lines[at][2] != len(body) + 1 or any(line[3] for line in body):
        raise NotPlain("a block scalar with blank lines, '#' lines or trailing spaces")
    joiner, ending = _BLOCK_HEADERS[header]
    return joiner.join(line[1] for line in body) + ending, end


def _inline(text: str) -> Any:
    """A value written on the rest of a line: quoted, a ``[flow, list]``, or plain."""
    first = text[0]
    if first not in _NOT_TEXT_FIRST and " #" not in text and ": " not in text and text[-1] != ":":
        return text  # the usual value: plain text, which no implicit type can start like
    if first in "\"'":
        value, rest = _quoted(text)
        if rest and not _AFTER_VALUE.fullmatch(rest):
            raise NotPlain("text after a quoted value")
        return value
    if first == "[":
        return _flow_list(text)
    if first in _PLAIN_STARTS and (first not in "-?:" or len(text) == 1 or text[1] == " "):
        raise NotPlain("a value starting with a YAML indicator")
    comment = text.find(" #")
    if comment != -1:
        text = text[:comment].rstrip(" ")
    if ": " in text or text.endswith(":"):
        raise NotPlain("a ':' inside a plain value")
    return _typed(text)


def _quoted(text: str) -> tuple[str, str]:
    """A quoted string at the start of ``text``, and what follows its closing quote."""
    if text[0] == '"':
        found = _DOUBLE_QUOTED.match(text)
        if found is None:
            raise NotPlain("a double-quoted value not closed on its line")
        inside = found[1]
        return _ESCAPE.sub(_unescape, inside) if "\\" in inside else inside, text[found.end() :]
    found = _SINGLE_QUOTED.match(text)
    if found is None:
        raise NotPlain("a single-quoted value not closed on its line")
    return found[1].replace("''", "'"), text[found.end() :]


def _unescape(escape: re.Match[str]) -> str:
    code = escape[1]
    if len(code) == 5:
        point = int(code[1:], 16)
        if 0xD800 <= point <= 0xDFFF:
            raise NotPlain("a surrogate escape")
        return chr(point)
    if code not in _ESCAPES:
        raise NotPlain("an escape this reader does not know")
    return _ESCAPES[code]


def _flow_list(text: str) -> list[Any]:
    """``[a, "b", c]`` on one line, holding plain or quoted values only."""
    simple = _SIMPLE_FLOW.match(text)
    if simple is not None:  # most lists: plain items, split at once
        plain = [item.strip(" ") for item in simple[1].split(",")]
        if plain == [""]:
            return []
        if all(item and item[0] not in _PLAIN_STARTS for item in plain):
            return [item if item[0] not in _TYPED_FIRST else _typed(item) for item in plain]
    # anything else, and an empty or odd item, which is refused below with the reason
    items: list[Any] = []
    rest = text[1:].lstrip(" ")
    while not rest.startswith("]"):
        item, rest = _flow_item(rest)
        items.append(item)
        rest = rest.lstrip(" ")
        if rest.startswith(","):
            rest = rest[1:].lstrip(" ")
            if rest.startswith("]"):
                raise NotPlain("a trailing comma")
        elif not rest.startswith("]"):
            raise NotPlain("a list not closed on its line")
    if not _AFTER_VALUE.fullmatch(rest[1:]):
        raise NotPlain("text after a list")
    return items


def _flow_item(text: str) -> tuple[Any, str]:
    """The quoted or plain value at the start of ``text`` inside a list, and what follows."""
    if text[:1] in ("'", '"'):
        return _quoted(text)
    comma, bracket = text.find(","), text.find("]")
    end = bracket if comma == -1 or -1 < bracket < comma else comma
    plain = text[:end].strip(" ") if end != -1 else ""
    if not plain or plain[0] in _PLAIN_STARTS or not _FLOW_FORBIDDEN.isdisjoint(plain):
        raise NotPlain("a list item that is not a plain value")
    return _typed(plain), text[end:]


def _typed(plain: str) -> Any:
    """A plain value as PyYAML types it; dates are kept as written."""
    if plain[:1] not in _TYPED_FIRST:  # no implicit type starts with this character: text
        return plain
    if plain.isdigit() and plain.isascii() and (plain[0] != "0" or len(plain) == 1):
        return int(plain)  # a count, as PyYAML reads it (a leading 0 would make it octal)
    if plain[4:5] == "-" and plain[:4].isdigit():
        return plain  # a date or a span of dates: no number has a '-' there, only a timestamp
    tag = _resolver.resolve(yaml.ScalarNode, plain, (True, False))  # type: ignore[no-untyped-call]
    if tag in (_STRING_TAG, _TIMESTAMP_TAG):
        return plain
    if tag not in _TYPED_TAGS:
        raise NotPlain(f"a value of type {tag}")
    try:
        return _constructor.yaml_constructors[tag](_constructor, yaml.ScalarNode(tag, plain))
    except (yaml.YAMLError, ValueError) as error:
        raise NotPlain(str(error)) from None
