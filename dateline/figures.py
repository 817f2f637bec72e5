"""Structured numbers reported for an event, their qualifiers, and checks that they agree."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .fields import FieldChecker
from .models import Figure

FIGURES: dict[str, str] = {
    "aerial_targets": "Aerial targets",
    "drones_launched": "Drones launched",
    "missiles_launched": "Missiles launched",
    "ballistic_missiles": "Ballistic missiles",
    "cruise_missiles": "Cruise missiles",
    "intercepted": "Intercepted",
    "drones_intercepted": "Drones intercepted",
    "missiles_intercepted": "Missiles intercepted",
    "killed": "Killed",
    "injured": "Injured",
}
"""Every figure an entry may give, in the order shown, with its label."""

QUALIFIERS = ("at least", "more than", "over", "nearly", "almost", "about", "around", "up to")
VAGUE_WORDS = ("dozens", "hundreds", "several", "multiple", "many", "scores", "some")
FIGURE_KEYS = ("value", "qualifier", "words", "note")
_WRITTEN = re.compile(
    rf"(?:(?P<qualifier>{'|'.join(QUALIFIERS)})\s+)?(?P<number>\d{{1,3}}(?:,\d{{3}})+|\d+)"
)

LARGEST_COUNT = 2**53 - 1
"""The largest figure: the largest whole number a JavaScript reader of the exports holds
exactly (and far beyond any count a source gives)."""


# (parts, whole): the parts together can be no more than the whole.
CONSISTENCY: tuple[tuple[tuple[str, ...], str], ...] = (
    (("drones_intercepted",), "drones_launched"),
    (("missiles_intercepted",), "missiles_launched"),
    (("ballistic_missiles", "cruise_missiles"), "missiles_launched"),
    (("drones_launched", "missiles_launched"), "aerial_targets"),
    (("intercepted",), "aerial_targets"),
    (("drones_intercepted", "missiles_intercepted"), "intercepted"),
)


@dataclass(frozen=True, slots=True)
class Bounds:
    """The smallest and largest value a figure allows."""

    low: float
    high: float


def bounds(figure: Figure) -> Bounds:
    """What a qualified figure allows: 'more than 650' is at least 651, 'nearly 700' at most 700."""
    if figure.value is None:
        return Bounds(0, math.inf)
    value = figure.value
    match figure.qualifier:
        case "":
            return Bounds(value, value)
        case "at least":
            return Bounds(value, math.inf)
        case "more than" | "over":
            return Bounds(value + 1, math.inf)
        case "nearly" | "almost" | "up to":
            return Bounds(0, value)
    return Bounds(0, math.inf)  # 'about', 'around': no firm bound either way


def parse_figures(value: Any, check: FieldChecker) -> tuple[Figure, ...]:
    """Validate the ``figures`` mapping and check that its numbers do not contradict each other."""
    if value is None:
        return ()
    mapping = check.mapping(value, ("figures",), "figures")
    if mapping is None:
        return ()
    check.known_keys(mapping, ("figures",), FIGURES)
    parsed = {
        key: figure
        for key in FIGURES
        if key in mapping and (figure := _parse_figure(key, mapping[key], check)) is not None
    }
    _check_consistency(parsed, check)
    return tuple(parsed.values())


def _parse_figure(key: str, value: Any, check: FieldChecker) -> Figure | None:
    where = ("figures", key)
    label = FIGURES[key]
    if isinstance(value, dict):
        check.known_keys(value, where, FIGURE_KEYS)
        note = check.text(value, "note", where, required=False) or ""
        words = check.text(value, "words", where, required=False)
        qualifier = check.text(value, "qualifier", where, required=False) or ""
        if qualifier and qualifier not in QUALIFIERS:
            check.error((*where, "qualifier"), f"qualifier must be one of: {', '.join(QUALIFIERS)}")
            return None
        number = value.get("value")
        if number is None:
            if words is None:
                check.error(
                    where,
                    f"figure {key!r} needs a 'value' or, when the source gives no number, 'words'",
                )
                return None
            return Figure(key, label, None, "", words, note)
        if not _is_count(number):
            check.error(
                (*where, "value"),
                f"figure {key!r}: value must be a whole number from 0 to {LARGEST_COUNT:,}",
            )
            return None
        return Figure(key, label, number, qualifier, "", note)
    if _is_count(value):
        return Figure(key, label, value)
    if isinstance(value, str):
        text = " ".join(value.split()).lower()
        match = _WRITTEN.fullmatch(text)
        if match:
            value = int(match["number"].replace(",", ""))
            if _is_count(value):
                return Figure(key, label, value, match["qualifier"] or "")
        elif text in VAGUE_WORDS:
            return Figure(key, label, None, "", text)
    if _is_whole(value) and value > LARGEST_COUNT:
        check.error(where, f"figure {key!r} is too large: at most {LARGEST_COUNT:,}")
        return None
    check.error(
        where,
        f"figure {key!r} must be a number, optionally qualified ('at least 14', 'more than 650'), "
        f"or one of: {', '.join(VAGUE_WORDS)}",
    )
    return None


def _is_count(value: Any) -> bool:
    return _is_whole(value) and 0 <= value <= LARGEST_COUNT


def _is_whole(value: Any) -> bool:
    """An int as YAML gives one, not a bool (which Python counts as an int)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _check_consistency(figures: dict[str, Figure], check: FieldChecker) -> None:
    for parts, whole in CONSISTENCY:
        present = [figures[p] for p in parts if p in figures]
        if whole not in figures or not present:
            continue
        least = sum(bounds(f).low for f in present)
        most = bounds(figures[whole]).high
        if least > most:
            names = " + ".join(f.key for f in present)
            check.error(
                ("figures", present[0].key),
                f"figures contradict each other: {names} ({_shown(present)}) "
                f"is more than {whole} ({figures[whole].display()})",
            )


def _shown(figures: list[Figure]) -> str:
    return " + ".join(f.display() for f in figures)
