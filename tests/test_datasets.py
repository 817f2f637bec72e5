"""The dataset importer: one entry per attack night, valid, re-importable, never touching edits.

The rows are a small sample written in the format of the Air Force dataset; the real file is
not part of the project (its licence is unknown).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dateline.builder import build, load_timeline
from dateline.datasets import PROFILES, DatasetImport, import_dataset, weapon_class
from dateline.frontmatter import parse_document
from dateline.project import Project

SAMPLE = Path(__file__).parent / "fixtures" / "airforce-sample.csv"
FOLDER = "content/events/airforce"


def run_import(project: Project) -> DatasetImport:
    return import_dataset(
        project.root, SAMPLE.read_bytes(), "airforce-sample.csv", PROFILES["airforce"]
    )


def test_one_entry_per_attack_with_figures_by_type(project_copy: Project) -> None:
    result = run_import(project_copy)
    assert sorted(result.written) == [
        f"{FOLDER}/airforce-20240101-1000-20240101.md",
        f"{FOLDER}/airforce-20250810-0000-20250810.md",
        f"{FOLDER}/airforce-20250906-1700-20250907.md",
    ]
    night = parse_document(
        (project_copy.root / FOLDER / "airforce-20250906-1700-20250907.md").read_bytes()
    ).data
    assert night["title"] == "810 drones and 13 missiles launched at Ukraine"
    assert night["date"] == "2025-09-06/2025-09-07"
    assert night["figures"] == {
        "drones_launched": 810, "missiles_launched": 13, "ballistic_missiles": 4,
        "cruise_missiles": 9, "drones_intercepted": 747, "missiles_intercepted": 4,
    }  # fmt: skip
    assert night["places"] == ["Kyiv Oblast", "Odesa Oblast"]
    records = night["sources"][0]["records"]
    assert {
        "text": "Iskander-K: 9 launched, 4 destroyed",
        "url": "https://www.facebook.com/kpszsu/posts/pfbidSampleNight",
    } in records
    day = parse_document(
        (project_copy.root / FOLDER / "airforce-20250810-0000-20250810.md").read_bytes()
    ).data
    assert day["date"] == "2025-08-10"
    assert day["figures"] == {"drones_launched": 5, "drones_intercepted": 3}


def test_bad_rows_are_reported_and_skipped(project_copy: Project) -> None:
    result = run_import(project_copy)
    assert [str(p) for p in result.problems] == [
        "airforce-sample.csv:7:1: error: cannot read the time 'yesterday' "
        "(expected YYYY-MM-DD or YYYY-MM-DD HH:MM); row skipped"
    ]


def test_inconsistent_counts_are_left_out_with_a_note(project_copy: Project) -> None:
    run_import(project_copy)
    raw = (project_copy.root / FOLDER / "airforce-20240101-1000-20240101.md").read_bytes()
    document = parse_document(raw)
    assert "missiles_intercepted" not in document.data["figures"]
    assert "more missiles destroyed (7) than launched (5)" in document.body


def test_generated_entries_build_and_cite_their_records(
    project_copy: Project, tmp_path: Path
) -> None:
    run_import(project_copy)
    timeline = load_timeline(project_copy)[0]
    assert len(timeline.events) == 12
    assert timeline.sources["airforce-daily-attacks"].dataset
    build(Project.at(project_copy.root, tmp_path / "site"))
    page = (
        tmp_path / "site" / "events" / "airforce-20250906-1700-20250907" / "index.html"
    ).read_text("utf-8")
    assert "Iskander-M/KN-23: 4 launched, 0 destroyed" in page
    assert 'href="https://www.facebook.com/kpszsu/posts/pfbidSampleNight"' in page


def test_reimport_rewrites_generated_entries_and_keeps_edited_ones(project_copy: Project) -> None:
    run_import(project_copy)
    folder = project_copy.root / FOLDER
    generated = folder / "airforce-20250810-0000-20250810.md"
    generated.write_text(generated.read_text("utf-8").replace("5", "6"), "utf-8")
    edited = folder / "airforce-20250906-1700-20250907.md"
    text = edited.read_text("utf-8")
    edited.write_text(
        "\n".join(
            line for line in text.splitlines() if not line.startswith("generated_by:")
        ).replace(
            "810 drones and 13 missiles launched at Ukraine", "The largest attack of the war so far"
        )
        + "\n",
        "utf-8",
    )
    hand_written = (
        project_copy.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    ).read_bytes()
    result = run_import(project_copy)
    assert result.written == [f"{FOLDER}/airforce-20250810-0000-20250810.md"]
    assert result.kept == [f"{FOLDER}/airforce-20250906-1700-20250907.md"]
    assert result.unchanged == 1
    assert "The largest attack of the war so far" in edited.read_text("utf-8")
    assert (
        project_copy.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    ).read_bytes() == hand_written


def test_output_is_deterministic(project_copy: Project, tmp_path: Path) -> None:
    run_import(project_copy)
    first = {p.name: p.read_bytes() for p in (project_copy.root / FOLDER).iterdir()}
    shutil.rmtree(project_copy.root / FOLDER)
    run_import(project_copy)
    assert {p.name: p.read_bytes() for p in (project_copy.root / FOLDER).iterdir()} == first


@pytest.mark.parametrize(
    ("model", "kind"),
    [
        ("Shahed-136/131", "drone"), ("Молнія", "drone"), ("Orlan-10", "drone"),
        ("Iskander-M/KN-23", "ballistic"), ("X-47 Kinzhal", "ballistic"), ("C-300/C-400", "ballistic"),
        ("X-101/X-555 and Kalibr", "cruise"), ("Iskander-K", "cruise"), ("Unknown Missile", "missile"),
    ],
)  # fmt: skip
def test_weapon_classes(model: str, kind: str) -> None:
    assert weapon_class(model) == kind


def test_the_real_dataset_when_present(tmp_path: Path, project_copy: Project) -> None:
    real = (
        Path(__file__).resolve().parent.parent.parent
        / "shared"
        / "data"
        / "missile_attacks_daily.csv"
    )
    if not real.exists():
        pytest.skip("the real Air Force dataset is not beside the project (../shared/data/)")
    result = import_dataset(project_copy.root, real.read_bytes(), str(real), PROFILES["airforce"])
    assert result.problems == []
    assert len(result.written) > 1500
    timeline = load_timeline(project_copy)[0]
    night = next(e for e in timeline.events if e.slug == "airforce-20250906-1700-20250907")
    assert {f.key: f.value for f in night.figures}["drones_launched"] == 810
