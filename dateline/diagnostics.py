"""Problems found in the content, reported like a compiler's: ``path:line:col: error: message``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Position:
    """A place in a file, both numbers counted from 1."""

    line: int = 1
    column: int = 1


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem in one file."""

    path: str
    """Path of the file, relative to the project and with forward slashes."""
    line: int
    column: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        """The diagnostic as plain data, for machine-readable output."""
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(slots=True)
class Diagnostics:
    """Collects problems so that every one of them is reported at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, path: str, position: Position, message: str) -> None:
        """Record an error at ``position`` in ``path``."""
        self.items.append(Diagnostic(path, position.line, position.column, message))

    def warning(self, path: str, position: Position, message: str) -> None:
        """Record a warning at ``position`` in ``path``."""
        self.items.append(Diagnostic(path, position.line, position.column, message, "warning"))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        """Add problems found elsewhere."""
        self.items.extend(diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """Only the errors, in the order they were found."""
        return [d for d in self.items if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        """Every problem, ordered by file and position."""
        return sorted(self.items)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class ContentError(Exception):
    """The content has errors; the build stops before anything is written."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        super().__init__(f"{len(self.diagnostics)} problem(s) in the content")

    def __reduce__(self) -> tuple[type[ContentError], tuple[list[Diagnostic]]]:
        """Pickle with the diagnostics, so that the error survives coming back from a worker."""
        return (ContentError, (self.diagnostics,))
