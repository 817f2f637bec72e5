"""Every broken entry in tests/fixtures/broken/ gives exactly the diagnostics in its .expected file.

Each case is one entry placed alone in a copy of the shipped project, so that the config, the
source registry and the archived seeds are real. Run with --update-golden to rewrite the
.expected files after a deliberate change of wording, then read the diff.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dateline.builder import load_timeline
from dateline.diagnostics import ContentError
from dateline.project import Project

BROKEN = Path(__file__).parent / "fixtures" / "broken"
CASES = sorted(p for p in BROKEN.iterdir() if p.suffix == ".md")


def diagnostics_for(project: Project, entries: dict[str, bytes]) -> list[str]:
    """Replace the project's entries with ``entries`` and return what validation reports."""
    events = project.root / "content" / "events"
    shutil.rmtree(events)
    events.mkdir()
    for name, data in entries.items():
        (events / name).write_bytes(data)
    try:
        load_timeline(project)
    except ContentError as error:
        return [str(d) for d in error.diagnostics if d.severity == "error"]
    return []


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_broken_entry_reports_expected_diagnostics(
    case: Path, project_copy: Project, request: pytest.FixtureRequest
) -> None:
    found = diagnostics_for(project_copy, {case.name: case.read_bytes()})
    expected_file = case.with_suffix(".expected")
    if request.config.getoption("--update-golden"):
        expected_file.write_text("\n".join(found) + "\n", encoding="utf-8")
    assert found, "a broken entry must be reported"
    assert found == expected_file.read_text(encoding="utf-8").splitlines()


def test_every_case_has_expectations() -> None:
    missing = [c.name for c in CASES if not c.with_suffix(".expected").exists()]
    assert not missing


def test_duplicate_slugs_are_reported(project_copy: Project) -> None:
    entry = (BROKEN.parent / "valid-entry.md").read_bytes()
    found = diagnostics_for(
        project_copy,
        {"a.md": entry, "b.md": entry.replace(b"date: 2025-09-07", b"date: 2025-09-07\nslug: a")},
    )
    assert found == [
        "content/events/b.md:1:1: error: slug 'a' is already used by content/events/a.md; "
        "each event needs its own (rename the file or set 'slug')"
    ]


def test_problems_in_many_files_are_all_reported(project_copy: Project) -> None:
    entries = {case.name: case.read_bytes() for case in CASES}
    found = diagnostics_for(project_copy, entries)
    expected = sorted(
        line
        for case in CASES
        for line in case.with_suffix(".expected").read_text("utf-8").splitlines()
    )
    assert sorted(found) == expected


def test_valid_entry_passes(project_copy: Project) -> None:
    assert (
        diagnostics_for(project_copy, {"ok.md": (BROKEN.parent / "valid-entry.md").read_bytes()})
        == []
    )
