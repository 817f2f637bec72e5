"""Page weight stays within budget as the timeline grows (a synthetic timeline of 1,500 events)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dateline.budget import over_budget
from dateline.builder import load_timeline, render
from dateline.project import Project

from .conftest import ROOT

sys.path.insert(0, str(ROOT))
from benchmarks.synthetic import write_project


@pytest.fixture(scope="module")
def large_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    root = write_project(1500, tmp_path_factory.mktemp("large") / "project")
    project = Project.at(root)
    timeline = load_timeline(project)[0]
    return render(project, timeline)


def test_no_page_is_over_budget(large_pages: dict[str, bytes]) -> None:
    assert [str(o) for o in over_budget(large_pages)] == []


def test_the_index_lists_years_instead_of_every_event(large_pages: dict[str, bytes]) -> None:
    index = large_pages["index.html"].decode("utf-8")
    assert 'class="timeline directory"' in index
    assert index.count('class="event ') == 0
    assert len(large_pages["index.html"]) < 200 * 1024
    years = [
        path for path in large_pages if path.startswith("years/") and path.endswith("index.html")
    ]
    assert len(years) >= 4


def test_the_shipped_site_is_within_budget(seed_site: Path) -> None:
    pages = {
        p.relative_to(seed_site).as_posix(): p.read_bytes()
        for p in seed_site.rglob("*")
        if p.is_file()
    }
    assert [str(o) for o in over_budget(pages)] == []
