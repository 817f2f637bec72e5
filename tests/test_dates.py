"""The EDTF date parser: fixture tables of valid and invalid dates, and properties of the order."""

from __future__ import annotations

import contextlib
import itertools
import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.dates import DateError, EventDate, parse_date

FIXTURES = Path(__file__).parent / "fixtures"


def table(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize("row", table("dates-valid.tsv"), ids=lambda row: row[0])
def test_valid_dates(row: list[str]) -> None:
    text, display, earliest, latest, machine = row
    parsed = parse_date(text)
    assert parsed.display(overnight=True) == display
    assert parsed.earliest == date.fromisoformat(earliest)
    assert parsed.latest == date.fromisoformat(latest)
    assert (parsed.machine or "") == machine


@pytest.mark.parametrize("row", table("dates-invalid.tsv"), ids=lambda row: row[0] or "empty")
def test_invalid_dates(row: list[str]) -> None:
    text, message, offset = row
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == message
    assert caught.value.offset == int(offset)


def test_two_days_read_as_a_span_unless_overnight() -> None:
    assert parse_date("2025-08-15/2025-08-16").display() == "15–16 August 2025"


def test_exact_only_for_a_plain_day() -> None:
    assert parse_date("2025-09-07").exact
    assert not parse_date("2025-09-07~").exact
    assert not parse_date("2025-09").exact
    assert not parse_date("2025-09-06/2025-09-07").exact


def test_precision_is_kept_never_filled_from_today() -> None:
    parsed = parse_date("2025-09")
    assert parsed.start is not None and parsed.start.text == "2025-09"
    assert parsed.machine == "2025-09"


# --- properties -------------------------------------------------------------------------------

days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
qualifiers = st.sampled_from(["", "~", "?", "%"])


@st.composite
def edtf_parts(draw: st.DrawFn) -> str:
    day = draw(days)
    precision = draw(st.sampled_from(["year", "month", "day"]))
    text = {
        "year": f"{day.year:04d}",
        "month": f"{day.year:04d}-{day.month:02d}",
        "day": day.isoformat(),
    }[precision]
    return text + draw(qualifiers)


@st.composite
def edtf_dates(draw: st.DrawFn) -> str:
    first = draw(edtf_parts())
    if not draw(st.booleans()):
        return first
    second = draw(edtf_parts())
    start, end = sorted([first, second], key=lambda t: parse_date(t).earliest)
    if parse_date(start).earliest > parse_date(end).latest:
        start, end = end, start
    open_end = draw(st.sampled_from(["none", "start", "end"]))
    if open_end == "start":
        start = draw(st.sampled_from(["", ".."]))
    elif open_end == "end":
        end = draw(st.sampled_from(["", ".."]))
    return f"{start}/{end}"


@given(edtf_dates())
def test_every_generated_date_parses_with_ordered_bounds(text: str) -> None:
    try:
        parsed = parse_date(text)
    except DateError as error:  # only reversed intervals may be refused
        assert "reversed" in str(error)
        return
    assert parsed.earliest <= parsed.latest
    assert parsed.text == text
    assert parsed.display(overnight=True)


@given(days, st.integers(min_value=0, max_value=400))
def test_interval_bounds_are_its_ends(first: date, length: int) -> None:
    last = date.fromordinal(min(first.toordinal() + length, date.max.toordinal()))
    parsed = parse_date(f"{first.isoformat()}/{last.isoformat()}")
    assert (parsed.earliest, parsed.latest) == (first, last)


@given(st.text(max_size=30))
def test_arbitrary_text_never_crashes(text: str) -> None:
    with contextlib.suppress(DateError):
        parse_date(text)


@given(st.lists(edtf_dates(), min_size=1, max_size=30), st.randoms(use_true_random=False))
def test_sorting_is_total_and_independent_of_input_order(
    texts: list[str], rnd: random.Random
) -> None:
    parsed: list[tuple[EventDate, str]] = []
    for index, text in enumerate(texts):
        try:
            parsed.append((parse_date(text), f"slug-{index}"))
        except DateError:
            continue

    def key(item: tuple[EventDate, str]) -> tuple[object, ...]:
        return (*item[0].sort_key(), item[1])

    ordered = sorted(parsed, key=key)
    shuffled = parsed[:]
    rnd.shuffle(shuffled)
    assert sorted(shuffled, key=key) == ordered
    for before, after in itertools.pairwise(ordered):
        assert before[0].earliest <= after[0].earliest
