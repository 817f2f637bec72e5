"""Small checks shared by every YAML file the project reads: keys, strings and lists."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from .diagnostics import Diagnostics, Position
from .frontmatter import FieldPath, FrontMatterError


class Located(Protocol):
    """A parsed YAML file that can tell where each of its values is written."""

    @property
    def problems(self) -> list[FrontMatterError]:
        """Problems found while parsing that did not stop it."""

    def position(self, path: FieldPath) -> Position:
        """Where the value at ``path`` (or its closest parent) is written."""

    def key_position(self, path: FieldPath) -> Position:
        """Where the key of the value at ``path`` is written."""


@dataclass(slots=True)
class FieldChecker:
    """Checks values of one parsed YAML file and records problems against it."""

    path: str
    located: Located
    diagnostics: Diagnostics

    @classmethod
    def reporting(cls, path: str, located: Located, diagnostics: Diagnostics) -> FieldChecker:
        """A checker for one parsed file, after recording the problems its parsing found."""
        for problem in located.problems:
            diagnostics.error(path, problem.position, str(problem))
        return cls(path, located, diagnostics)

    def at(self, where: FieldPath) -> Position:
        """Where the value at ``where`` (or its closest parent) is written."""
        return self.located.position(where)

    def key_at(self, where: FieldPath) -> Position:
        """Where the key of the value at ``where`` is written."""
        return self.located.key_position(where)

    def error(self, where: FieldPath, message: str, *, on_key: bool = False) -> None:
        """Record an error on the value (or key) at ``where``."""
        position = self.key_at(where) if on_key else self.at(where)
        self.diagnostics.error(self.path, position, message)

    def warning(self, where: FieldPath, message: str) -> None:
        """Record a warning on the value at ``where``."""
        self.diagnostics.warning(self.path, self.at(where), message)

    def known_keys(self, mapping: dict[str, Any], where: FieldPath, allowed: Iterable[str]) -> None:
        """Report every key not in ``allowed``, with a 'did you mean' hint."""
        allowed = list(allowed)
        for key in mapping:
            if key not in allowed:
                self.error(
                    (*where, key),
                    f"unknown key {_label(where, key)!r}{_hint(key, allowed)}",
                    on_key=True,
                )

    def mapping(self, value: Any, where: FieldPath, what: str) -> dict[str, Any] | None:
        """The value as a mapping, or None after reporting that it is not one."""
        if isinstance(value, dict):
            return value
        self.error(where, f"{what} must be a mapping of 'key: value' lines")
        return None

    def text(
        self, mapping: dict[str, Any], key: str, where: FieldPath, *, required: bool
    ) -> str | None:
        """A non-empty string field; None when missing (reported if required) or wrong."""
        value = mapping.get(key)
        if type(value) is str and (text := value.strip()):  # nearly always: nothing to report
            return text
        label = _label(where, key)
        if value is None:
            if key in mapping:
                self.error((*where, key), f"{label!r} has no value", on_key=True)
            elif required:
                self.error(where, f"missing required key {label!r}")
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error((*where, key), f"{label} must be text")
            return None
        text = str(value).strip()
        if not text:
            if required:
                self.error((*where, key), f"{label} is empty")
            return None
        return text

    def text_list(self, mapping: dict[str, Any], key: str, where: FieldPath) -> tuple[str, ...]:
        """A list of non-empty strings (a single string counts as a list of one)."""
        value = mapping.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error((*where, key), f"{_label(where, key)} must be a list, e.g. [Kyiv, Odesa]")
            return ()
        items: list[str] = []
        for index, item in enumerate(value):
            text = item.strip() if type(item) is str else None  # nearly always text
            if text is None and not isinstance(item, bool) and isinstance(item, int | float):
                text = str(item).strip()
            if not text:
                label = _label(where, key)
                self.error((*where, key, index), f"each item of {label} must be non-empty text")
                continue
            if text in items:
                self.error((*where, key, index), f"{_label(where, key)} lists {text!r} twice")
                continue
            items.append(text)
        return tuple(items)


def _label(where: FieldPath, key: str) -> str:
    parts = [str(p) for p in where if isinstance(p, str)]
    return ".".join([*parts, key])


def _hint(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(allowed)}"
