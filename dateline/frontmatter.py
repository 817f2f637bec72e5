"""Split an entry into YAML front matter and Markdown body, and find where each value is.

Plain front matter is read by :mod:`.plainyaml`; positions are found only when a problem
needs one. Anything else is parsed by PyYAML, keeping the line of every value, and only
YAML's safe node types are built. Duplicate keys, aliases (which can blow up on expansion)
and very deep nesting are errors, reported with their line and column.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import yaml

from .diagnostics import Position
from .plainyaml import NotPlain, read_plain

try:  # the C parser is several times faster; fall back to pure Python where it is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 20
"""Front matter nested deeper than this is refused."""

_STANDARD_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
)

FieldPath = tuple[str | int, ...]
"""The path of a value inside the front matter: ``("sources", 0, "quotes", 1)``."""


class FrontMatterError(ValueError):
    """The file cannot be read as front matter and body."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        super().__init__(message)
        self.position = position or Position()


@dataclass(slots=True)
class ParsedYaml:
    """A YAML value, the position of everything in it, and problems that did not stop parsing."""

    value: Any
    positions: dict[FieldPath, Position] = field(default_factory=dict)
    """Where each value starts."""
    key_positions: dict[FieldPath, Position] = field(default_factory=dict)
    """Where each mapping key starts."""
    problems: list[FrontMatterError] = field(default_factory=list)
    """Problems found while parsing that did not stop it, such as duplicate keys."""

    def position(self, path: FieldPath) -> Position:
        """Where the value at ``path`` is, or its closest written parent."""
        while path and path not in self.positions:
            path = path[:-1]
        return self.positions.get(path, Position(1, 1))

    def key_position(self, path: FieldPath) -> Position:
        """Where the key of the value at ``path`` is written."""
        return self.key_positions.get(path) or self.position(path)


@dataclass(slots=True)
class LazilyLocated:
    """YAML read by the plain reader, where each value is written found only when something
    asks, which is when there is a problem to report: most files have none, and finding the
    places is most of the cost of parsing."""

    value: Any
    text: str
    first_line: int
    """The line of its file on which ``text`` starts."""
    located: ParsedYaml | None = None
    """The text parsed with positions, once something needed one."""
    top_keys: dict[str, int] | None = None
    """The line of each key of the mapping at the top, once something asked for one."""

    @property
    def problems(self) -> list[FrontMatterError]:
        """Problems found while parsing that did not stop it, such as duplicate keys.

        Only the careful parse finds any: the plain reader steps aside for them.
        """
        return self.located.problems if self.located is not None else []

    def position(self, path: FieldPath) -> Position:
        """Where the value at ``path`` is, or its closest written parent."""
        return self._located().position(path)

    def key_position(self, path: FieldPath) -> Position:
        """Where the key of the value at ``path`` is written.

        A key of the mapping at the top is found without parsing again (the source registry
        names the line of every source): the plain reader takes such a key only as a name at
        the start of a line, followed by a colon, and only once.
        """
        key = path[0] if len(path) == 1 else None
        if isinstance(key, str) and isinstance(self.value, dict) and key in self.value:
            if self.top_keys is None:
                self.top_keys = _top_keys(self.text)
            return Position(self.first_line + self.top_keys[key], 1)
        return self._located().key_position(path)

    def _located(self) -> ParsedYaml:
        if self.located is None:
            self.located = parse_yaml(self.text, self.first_line)
        return self.located


_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):(?: |$)", re.MULTILINE)
"""A key at the start of a line, as the plain reader takes keys."""


def _top_keys(text: str) -> dict[str, int]:
    """The line (from 0) of each key written at the start of a line of ``text``."""
    lines: dict[str, int] = {}
    line = counted = 0
    for found in _TOP_KEY.finditer(text):
        line += text.count("\n", counted, found.start())
        counted = found.start()
        lines[found[1]] = line
    return lines


def read_yaml(text: str, first_line: int = 1) -> LazilyLocated | ParsedYaml:
    """Read YAML safely, as :func:`parse_yaml` does, by the plain reader where it can (several
    times faster); anything out of the ordinary goes to PyYAML, which says where a mistake is."""
    try:
        return LazilyLocated(read_plain(text), text, first_line)
    except NotPlain:
        return parse_yaml(text, first_line)


@dataclass(slots=True)
class Document:
    """Parsed front matter and the Markdown body that follows it."""

    data: Any
    """The front matter's value (a mapping, once :func:`parse_document` returns it)."""
    body: str
    body_line: int
    """Line of the file on which the body starts."""
    front: LazilyLocated | ParsedYaml
    """The front matter, which tells where each of its values is written."""

    @property
    def problems(self) -> list[FrontMatterError]:
        """Problems found while parsing the front matter that did not stop it."""
        return self.front.problems

    def position(self, path: FieldPath) -> Position:
        """Where the value at ``path`` is, or its closest written parent."""
        return self.front.position(path)

    def key_position(self, path: FieldPath) -> Position:
        """Where the key of the value at ``path`` is written."""
        return self.front.key_position(path)


FRONT_MATTER_LINE = 2
"""The line of an entry on which its front matter starts, after the opening '---'."""


def decode(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) and normalise line endings to ``\\n``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise FrontMatterError(
            f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x}); save it as UTF-8",
            Position(line, column),
        ) from None
    if "\x00" in text:
        prefix = text[: text.index("\x00")]
        raise FrontMatterError(
            "the file contains a NUL character; is it a binary file?",
            Position(prefix.count("\n") + 1, len(prefix) - prefix.rfind("\n")),
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str) -> tuple[str, str, int]:
    """Return the front matter text, the body and the line the body starts on."""
    if not text.strip():
        raise FrontMatterError("the file is empty; an entry starts with '---' and front matter")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        raise FrontMatterError(
            "the file does not start with front matter: the first line must be '---'"
        )
    for number, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            front = "\n".join(lines[1:number])
            body = "\n".join(lines[number + 1 :])
            return front, body, number + 2
    raise FrontMatterError(
        "the front matter is not closed: add a line '---' after it", Position(len(lines), 1)
    )


def parse_yaml(text: str, first_line: int = 1) -> ParsedYaml:
    """Parse YAML safely, keeping positions; ``first_line`` is where ``text`` starts in its file.

    Raises :class:`FrontMatterError` when the text cannot be read at all; duplicate keys are
    collected in ``problems`` so that the rest of the file is still checked.
    """
    lines = _Lines(text, first_line)
    if "*" in text:
        _refuse_aliases(text, lines)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        raise _explain_yaml_error(error, lines, text) from None
    except yaml.YAMLError as error:
        raise FrontMatterError(f"invalid YAML: {error}", Position(first_line, 1)) from None
    if node is None:
        return ParsedYaml(None)
    builder = _Builder(lines)
    value = builder.build(node, (), 0)
    return ParsedYaml(value, builder.positions, builder.key_positions, builder.problems)


def _refuse_aliases(text: str, lines: _Lines) -> None:
    """Refuse ``*alias`` before anything is built: aliases can expand without bound."""
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, yaml.AliasToken):
                raise FrontMatterError(
                    "YAML aliases (*name) are not allowed; write the value out in full",
                    lines.at(token.start_mark),
                )
    except yaml.MarkedYAMLError as error:
        raise _explain_yaml_error(error, lines, text) from None


def _explain_yaml_error(error: yaml.MarkedYAMLError, lines: _Lines, text: str) -> FrontMatterError:
    """Turn PyYAML's wording into advice an editor can act on, at the right place."""
    problem = error.problem or error.context or "invalid YAML"
    context = error.context or ""
    mark = error.problem_mark or error.context_mark
    if "quoted scalar" in context and error.context_mark is not None:
        problem, mark = "a quoted value is never closed; add the closing quote", error.context_mark
    elif "tab" in problem:
        problem = "a tab character; indent with spaces"
    elif "mapping values are not allowed here" in problem:
        problem = "unexpected ':'; put quotes around a value that contains ': '"
    elif error.problem_mark is not None and (opened := _runaway_quote(text, error.problem_mark)):
        found_at = lines.at(error.problem_mark)
        problem = (
            f"the quoted value begun here runs on to line {found_at.line}, where it fails "
            f"({problem}); is its closing quote missing?"
        )
        mark = opened
    position = lines.at(mark) if mark is not None else Position(lines.first_line, 1)
    return FrontMatterError(f"invalid YAML: {problem}", position)


def _runaway_quote(text: str, problem: yaml.Mark) -> yaml.Mark | None:
    """Where a quoted value starts that runs over several lines and ends on the line of the
    ``problem``: most often a closing quote left out, and a later quote taken for it."""
    opened = None
    with suppress(yaml.YAMLError):
        for token in yaml.scan(text, Loader=_Loader):
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.start_mark.line < token.end_mark.line == problem.line
            ):
                opened = token.start_mark
    return opened


MAX_ENTRY_BYTES = 2 * 1024 * 1024
"""An entry larger than this is refused before it is parsed: no event needs more."""


def parse_document(raw: bytes) -> Document:
    """Parse a whole entry file into a :class:`Document`."""
    if len(raw) > MAX_ENTRY_BYTES:
        raise FrontMatterError(
            f"the file is {len(raw) / 2**20:.1f} MiB; an entry may be at most "
            f"{MAX_ENTRY_BYTES // 2**20} MiB (is it really an entry?)"
        )
    front, body, body_line = split(decode(raw))
    read = read_yaml(front, FRONT_MATTER_LINE)
    document = Document(read.value, body, body_line, read)
    if document.data is None:
        raise FrontMatterError("the front matter is empty", Position(FRONT_MATTER_LINE, 1))
    if not isinstance(document.data, dict):
        raise FrontMatterError(
            "the front matter must be a mapping of 'key: value' lines", document.position(())
        )
    return document


class _Builder:
    """Turns composed YAML nodes into Python values while recording positions."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.positions: dict[FieldPath, Position] = {}
        self.key_positions: dict[FieldPath, Position] = {}
        self.problems: list[FrontMatterError] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: FieldPath, depth: int) -> Any:
        position = self.lines.at(node.start_mark)
        if depth > MAX_DEPTH:
            raise FrontMatterError(f"nested more than {MAX_DEPTH} levels deep", position)
        if node.tag not in _STANDARD_TAGS:
            raise FrontMatterError(
                f"YAML tag {node.tag!r} is not allowed; write plain values", position
            )
        self.positions[path] = position
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key_position = self.lines.at(key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise FrontMatterError(
                    "YAML merge keys (<<) are not allowed in entries", key_position
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise FrontMatterError("a key must be a plain word", key_position)
            key = str(key_node.value)
            if key in result:
                first = self.key_positions[(*path, key)]
                self.problems.append(
                    FrontMatterError(
                        f"duplicate key {key!r} (first written on line {first.line})", key_position
                    )
                )
                continue
            self.key_positions[(*path, key)] = key_position
            result[key] = self.build(value_node, (*path, key), depth + 1)
        return result

    def _scalar(self, node: yaml.Node) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates exactly as written, never as datetime
        if node.tag == "tag:yaml.org,2002:str":
            return node.value
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError) as error:  # ValueError: "0b_" looks like a number
            raise FrontMatterError(
                f"invalid value: {error}", self.lines.at(node.start_mark)
            ) from None


class _Lines:
    """Where a character of the text is, as an editor counts: only '\\n' ends a line.

    PyYAML also ends lines at U+2028, U+2029 and U+0085, which would put everything after
    such a character in a value one line further down than the editor sees it.
    """

    def __init__(self, text: str, first_line: int) -> None:
        self.first_line = first_line
        self.breaks = [found.start() for found in re.finditer("\n", text)]

    def at(self, mark: Any) -> Position:
        """The position of a PyYAML mark, from its character index."""
        line = bisect_left(self.breaks, mark.index)  # the line breaks before it
        start = self.breaks[line - 1] + 1 if line else 0
        return Position(line + self.first_line, mark.index - start + 1)


def yaml_string(text: str) -> str:
    """``text`` as a double-quoted YAML scalar, whatever it holds (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)
