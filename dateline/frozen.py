"""Frozen dataclasses that pickle compactly, for entries sent between processes and cached.

By default a frozen dataclass with slots is unpickled by setting each field in turn from
Python; parsed entries cross from worker processes by the ten thousand, and that cost a
second of every large build. :func:`pickled_by_fields` makes a class rebuild itself with one
call of its constructor instead.
"""

from __future__ import annotations

from dataclasses import fields
from operator import attrgetter
from typing import Any, TypeVar

Record = TypeVar("Record")


def pickled_by_fields(cls: type[Record]) -> type[Record]:
    """Make instances of the dataclass ``cls`` pickle as ``cls(*fields)``."""
    names = [field.name for field in fields(cls)]  # type: ignore[arg-type]
    values = attrgetter(*names) if len(names) > 1 else lambda self: (getattr(self, names[0]),)

    def __reduce__(self: Any) -> tuple[type[Record], tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]
    return cls
