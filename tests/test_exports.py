"""The data exports: valid against their schema, faithful to the precision written, safe to open."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from dateline.builder import build, load_timeline
from dateline.exports import (
    CSV_COLUMNS,
    _fold,
    _ics_date,
    csv_line,
    events_csv,
    events_ics,
    events_json,
    timelinejs,
)
from dateline.models import Timeline
from dateline.project import Project

from .conftest import ROOT


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return load_timeline(Project.at(ROOT), base_url="https://example.org/dateline/")[0]


def test_events_json_matches_its_schema(timeline: Timeline) -> None:
    schema = json.loads((ROOT / "schemas" / "events-json.schema.json").read_text("utf-8"))
    data = json.loads(b"".join(events_json(timeline)))
    assert [e.message for e in Draft7Validator(schema).iter_errors(data)] == []
    assert [event["id"] for event in data["events"]] == [e.id for e in timeline.events]


def test_events_json_keeps_precision_and_qualifiers(timeline: Timeline) -> None:
    events = {event["id"]: event for event in json.loads(b"".join(events_json(timeline)))["events"]}
    approximate = events["2024-02-370-drones-and-21-missiles"]
    assert approximate["date"]["start"] == {
        "edtf": "2024-02~", "precision": "month", "approximate": True, "uncertain": False,
    }  # fmt: skip
    assert approximate["figures"]["injured"]["qualifier"] == "at least"
    assert approximate["figures"]["injured"]["value"] == 14
    undated = events["undated-odesa-strike-amid-peace-talks"]["date"]
    assert (undated["earliest"], undated["latest"], undated["undated"]) == (
        "2023-07-01",
        None,
        True,
    )
    quote = events["2025-05-15-istanbul-talks"]["citations"][0]["quotes"][0]
    assert quote["url"].startswith(
        "https://example.org/dateline/sources/isw-strikes-after-alaska-summit/#q-"
    )


def test_csv_is_flat_with_one_row_per_event(timeline: Timeline) -> None:
    rows = list(csv.DictReader(io.StringIO(b"".join(events_csv(timeline)).decode("utf-8"))))
    assert len(rows) == len(timeline.events)
    assert list(rows[0]) == list(CSV_COLUMNS)
    kyiv = next(row for row in rows if row["id"] == "2025-09-07-kyiv-government-building")
    assert (kyiv["aerial_targets"], kyiv["aerial_targets_qualifier"]) == ("800", "over")
    assert (kyiv["date_precision"], kyiv["earliest"], kyiv["latest"]) == (
        "interval",
        "2025-09-06",
        "2025-09-07",
    )


def test_timelinejs_dates_stop_at_the_known_precision(timeline: Timeline) -> None:
    slides = {
        slide["unique_id"]: slide for slide in json.loads(b"".join(timelinejs(timeline)))["events"]
    }
    assert slides["2024-02-370-drones-and-21-missiles"]["start_date"] == {"year": 2024, "month": 2}
    assert slides["2024-02-370-drones-and-21-missiles"]["display_date"] == "c. February 2024"
    night = slides["2025-09-07-kyiv-government-building"]
    assert night["start_date"] == {"year": 2025, "month": 9, "day": 6}
    assert night["end_date"] == {"year": 2025, "month": 9, "day": 7}
    assert night["group"] == "Strike"


def test_ics_has_only_events_known_to_the_day(timeline: Timeline) -> None:
    text = b"".join(events_ics(timeline)).decode("utf-8")
    assert text.count("BEGIN:VEVENT") == 7
    assert "UID:2025-12-08-london-meeting@dateline-timeline.github.io" in text
    london = text[text.index("UID:2025-12-08-london-meeting") :]
    assert london.index("STATUS:TENTATIVE") < london.index("END:VEVENT")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


@given(st.text(alphabet=st.sampled_from("aZ ,;é€😀З"), max_size=400))
@example("SUMMARY:" + "Запорі" * 30)
@example("DESCRIPTION:" + "x" * 63)
def test_folding_never_splits_a_character_and_fills_each_line(line: str) -> None:
    folded = _fold(line)
    assert folded.replace("\r\n ", "") == line
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    for part, following in pairwise(parts):  # no line folded early
        assert len(part.encode()) + len(following[1].encode()) > 75


@given(st.lists(st.text(alphabet=st.sampled_from("ab ,\"\r\n'=é"), max_size=6), max_size=5))
@example([""])
@example([])
@example(["", ""])
def test_csv_lines_are_those_of_the_csv_module(cells: list[str]) -> None:
    written = io.StringIO()
    csv.writer(written, lineterminator="\r\n").writerow(cells)
    assert csv_line(cells) == written.getvalue()


def test_icalendar_days_always_have_four_digits_of_year() -> None:
    assert _ics_date(date(99, 1, 5)) == "00990105"  # strftime('%Y') wrote 990105
    assert _ics_date(date(2025, 5, 16)) == "20250516"


def test_csv_cells_cannot_start_a_formula(project_copy: Project, tmp_path: Path) -> None:
    entry = project_copy.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    text = entry.read_text("utf-8")
    text = text.replace(
        "title: Ukraine–Russia talks in Istanbul", 'title: "=HYPERLINK(\\"http://x\\",\\"y\\")"'
    )
    text = text.replace("places: [Istanbul]", "places: ['+cmd', '-1', '@SUM(A1)']")
    entry.write_text(text, "utf-8")
    build(Project.at(project_copy.root, tmp_path / "out"))
    rows = list(csv.reader(io.StringIO((tmp_path / "out" / "events.csv").read_text("utf-8"))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    istanbul = next(row for row in rows if row[0] == "2025-05-15-istanbul-talks")
    assert '\'=HYPERLINK("http://x","y")' in istanbul
