"""``dateline new``: a commented draft skeleton, named from date and title, never overwriting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.builder import load_timeline
from dateline.diagnostics import ContentError
from dateline.new import entry_name, slugify
from dateline.project import Project
from dateline.sources import SLUG

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Drone strike on Odesa port", "drone-strike-on-odesa-port"),
        ("Zelenskyy’s talks in Kyiv — “constructive”", "zelenskyys-talks-in-kyiv-constructive"),
        ("Überraschung in Zaporizhzhia: 5 killed", "uberraschung-in-zaporizhzhia-5-killed"),
        (
            "One two three four five six seven eight nine ten",
            "one-two-three-four-five-six-seven-eight",
        ),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


@given(st.text(max_size=80))
def test_slugs_are_always_safe(title: str) -> None:
    slug = slugify(title)
    assert slug == "" or SLUG.fullmatch(slug)


@pytest.mark.parametrize(
    ("date", "name"),
    [
        ("2025-12-12", "2025-12-12-strike.md"),
        ("2024-02~", "2024-02-strike.md"),
        ("2025-09-06/2025-09-07", "2025-09-06-strike.md"),
        ("../2025-03", "2025-03-strike.md"),
        ("202X", "undated-strike.md"),
    ],
)
def test_entry_names(date: str, name: str) -> None:
    assert entry_name("Strike", date) == name


def run_new(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "new", *arguments, "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_new_writes_a_draft_that_check_explains(project_copy: Project) -> None:
    result = run_new(
        project_copy.root, "Drone strike on Odesa port", "--date", "2025-12-12", "--kind", "strike"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "content/events/2025-12-12-drone-strike-on-odesa-port.md\n"
    text = (project_copy.root / result.stdout.strip()).read_text("utf-8")
    assert text.startswith("---\nid: 2025-12-12-drone-strike-on-odesa-port  # ")
    assert '\ntitle: "Drone strike on Odesa port"\n' in text
    assert "draft: true" in text
    timeline, warnings, drafts = load_timeline(project_copy)
    assert drafts == 0 and len(timeline.events) == 9, "a draft with problems is left out"
    assert [str(w) for w in warnings] == [
        "content/events/2025-12-12-drone-strike-on-odesa-port.md:21:9: warning: unknown source id "
        "'source-id-here' (known: isw-strikes-after-alaska-summit, "
        "kyiv-strike-the-negotiation-table, "
        "odesa-attack-amid-peace-talks, strikes-after-trump-putin-call, war-day-1383-roundup) "
        "(draft, not published)",
        "content/events/2025-12-12-drone-strike-on-odesa-port.md:24:8: warning: "
        "a draft, left out of the published site",
    ]


def test_a_finished_draft_shows_only_in_preview(project_copy: Project) -> None:
    path = (
        project_copy.root
        / run_new(
            project_copy.root, "Talks in Istanbul", "--date", "2025-05-16", "--kind", "diplomacy"
        ).stdout.strip()
    )
    text = path.read_text("utf-8").replace("source-id-here", "isw-strikes-after-alaska-summit")
    text = text.replace(
        "an exact passage copied from the archived article", "the Ukraine-Russia talks in Istanbul"
    )
    path.write_text(text, "utf-8")
    assert load_timeline(project_copy)[2] == 1
    assert len(load_timeline(project_copy, include_drafts=True)[0].events) == 10


def test_new_refuses_to_overwrite(project_copy: Project) -> None:
    arguments = ("Strike", "--date", "2025-12-12", "--kind", "strike")
    assert run_new(project_copy.root, *arguments).returncode == 0
    again = run_new(project_copy.root, *arguments)
    assert again.returncode == 2
    assert "already exists" in again.stderr


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ("Strike", "--date", "2025-13-01", "--kind", "strike"),
            "--date: month 13 is out of range (01-12)",
        ),
        (("Strike", "--date", "2025-12-01", "--kind", "raid"), "--kind: unknown kind 'raid'"),
        (
            ("!!!", "--date", "2025-12-01", "--kind", "strike"),
            "the title needs at least one letter or digit",
        ),
    ],
)
def test_new_explains_bad_arguments(
    project_copy: Project, arguments: tuple[str, ...], message: str
) -> None:
    result = run_new(project_copy.root, *arguments)
    assert result.returncode == 2
    assert message in result.stderr


def test_broken_content_is_still_an_error_for_published_entries(project_copy: Project) -> None:
    entry = project_copy.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    entry.write_text(entry.read_text("utf-8").replace("kind: diplomacy", "kind: talks"), "utf-8")
    with pytest.raises(ContentError):
        load_timeline(project_copy)
