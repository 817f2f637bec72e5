"""Places of Ukraine, Russia and diplomacy, with the spellings news text uses for them.

The list lives in ``dateline/data/gazetteer.yaml``; :func:`find_places` finds them in text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_OBLAST_WORDS = r"(?:Oblast|oblast|Region|region)"


@dataclass(frozen=True, slots=True)
class Place:
    """A place as the timeline names it."""

    name: str
    """The canonical name shown on the site: 'Kyiv', 'Kharkiv Oblast', 'Darnytskyi District'."""
    kind: str
    """'city', 'oblast', 'district', 'region' or 'elsewhere'."""
    country: str = ""


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place found in text: which place, and where the words that name it are."""

    place: Place
    start: int
    end: int


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], Place], ...]:
    """Every spelling as a pattern, longest first so 'Kharkiv region' wins over 'Kharkiv'."""
    data: dict[str, Any] = yaml.safe_load(
        resources.files("dateline.data").joinpath("gazetteer.yaml").read_text("utf-8")
    )
    found: list[tuple[str, Place]] = []
    oblast_only = set(data.get("oblast_only", []))
    for country, names in data["oblasts"].items():
        for name in names:
            place = Place(f"{name} Oblast", "oblast", country)
            found.append((rf"(?:the )?{re.escape(name)} {_OBLAST_WORDS}", place))
            if name in oblast_only:
                found.append((re.escape(name), place))
    for country, cities in data["cities"].items():
        for name, variants in cities.items():
            place = Place(name, "city", country)
            found += [(re.escape(spelling), place) for spelling in [name, *variants]]
    for districts in data["districts"].values():
        for name in districts:
            found.append(
                (
                    rf"{re.escape(name)}(?: [Dd]istrict)?",
                    Place(f"{name} District", "district", "UA"),
                )
            )
    for country, names in data["regions"].items():
        found += [(re.escape(name), Place(name, "region", country)) for name in names]
    for name, variants in data["elsewhere"].items():
        place = Place(name, "elsewhere")
        found += [(re.escape(spelling), place) for spelling in [name, *variants]]
    found.sort(key=lambda item: -len(item[0]))
    return tuple((re.compile(rf"(?<![\w-]){pattern}(?![\w-])"), place) for pattern, place in found)


def find_places(text: str) -> list[PlaceMention]:
    """Every place named in ``text``, in order; a longer name wins over a shorter one inside it."""
    taken: list[tuple[int, int]] = []
    mentions: list[PlaceMention] = []
    for pattern, place in _patterns():
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < other_end and other_start < end for other_start, other_end in taken):
                continue
            taken.append((start, end))
            mentions.append(PlaceMention(place, start, end))
    return sorted(mentions, key=lambda m: m.start)


def all_places() -> list[Place]:
    """Every place the gazetteer knows, for tests and tools."""
    return [place for _, place in _patterns()]
