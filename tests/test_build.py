"""The build as a whole: determinism, the last good site kept on failure, and the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dateline.builder import build
from dateline.cli import main
from dateline.project import Project

from .test_golden import tree

ROOT = Path(__file__).resolve().parent.parent


def test_two_builds_are_byte_identical(project_copy: Project, tmp_path: Path) -> None:
    first = build(Project.at(project_copy.root, tmp_path / "one"))
    second = build(Project.at(project_copy.root, tmp_path / "two"))
    assert first.files == second.files
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_build_does_not_depend_on_file_order_clock_or_zone(
    project_copy: Project, tmp_path: Path
) -> None:
    build(Project.at(project_copy.root, tmp_path / "here"))
    env = {
        **os.environ,
        "TZ": "Pacific/Kiritimati",
        "LANG": "C",
        "LC_ALL": "C",
        "SOURCE_DATE_EPOCH": "0",
    }
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "build",
            "--root",
            str(project_copy.root),
            "--out",
            str(tmp_path / "there"),
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    assert tree(tmp_path / "here") == tree(tmp_path / "there")


def test_failed_build_leaves_the_last_good_site_unchanged(project_copy: Project) -> None:
    build(project_copy)
    before = tree(project_copy.out)
    entry = next((project_copy.root / "content" / "events").glob("*.md"))
    entry.write_text(entry.read_text("utf-8").replace("kind: ", "kind: nonsense-", 1), "utf-8")
    assert main(["build", "--root", str(project_copy.root)]) == 1
    assert tree(project_copy.out) == before
    leftovers = [p.name for p in project_copy.root.iterdir() if p.name.startswith(".site.")]
    assert leftovers == []


def test_rebuild_replaces_the_site_whole(project_copy: Project) -> None:
    build(project_copy)
    stale = project_copy.out / "events" / "removed-event" / "index.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    build(project_copy)
    assert not stale.exists()
    assert (project_copy.out / "index.html").exists()


def test_drafts_are_left_out_of_the_build(project_copy: Project) -> None:
    entry = project_copy.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    entry.write_text(
        entry.read_text("utf-8").replace("kind: diplomacy", "kind: diplomacy\ndraft: true"), "utf-8"
    )
    report = build(project_copy)
    assert (report.events, report.drafts) == (8, 1)
    assert not (project_copy.out / "events" / "2025-05-15-istanbul-talks").exists()
    assert b"istanbul-talks" not in (project_copy.out / "index.html").read_bytes()


def test_base_url_prefixes_every_internal_link(project_copy: Project, tmp_path: Path) -> None:
    build(Project.at(project_copy.root, tmp_path / "out"), base_url="https://example.org/dateline")
    index = (tmp_path / "out" / "index.html").read_text("utf-8")
    assert 'href="/dateline/events/' in index
    assert 'href="/dateline/assets/style.css?v=' in index
    assert 'href="/events/' not in index


# --- the command line --------------------------------------------------------------------------


def run_cli(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_cli_build_prints_one_summary_line(project_copy: Project) -> None:
    result = run_cli(cwd=project_copy.root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("built site/: 9 events, 5 sources, ")
    assert result.stdout.count("\n") == 1


def test_cli_reports_every_problem_without_a_traceback(project_copy: Project) -> None:
    broken = project_copy.root / "content" / "events" / "broken.md"
    broken.write_text("---\ntitle: x\ndate: 2025-13\nkind: strike\n---\n", "utf-8")
    (project_copy.root / "content" / "events" / "empty.md").write_text("", "utf-8")
    result = run_cli("check", cwd=project_copy.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert "content/events/broken.md:3:12: error: date: month 13 is out of range (01-12)" in lines
    empty = "content/events/empty.md:1:1: error: the file is empty; an entry starts with '---'"
    assert empty + " and front matter" in lines
    assert lines[-1] == "3 errors, 1 warning"


def test_cli_check_json_and_exit_codes(project_copy: Project) -> None:
    result = run_cli("check", "--format", "json", cwd=project_copy.root)
    assert result.returncode == 0
    assert '"ok": true' in result.stdout
    assert run_cli("check", "--no-such-flag", cwd=project_copy.root).returncode == 2
    assert run_cli("build", "--root", "/no/such/folder", cwd=project_copy.root).returncode == 2


def test_python_m_dateline_runs_the_same_command_line(project_copy: Project) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dateline", "check"],
        cwd=project_copy.root,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "check passed: 9 events, 5 sources\n"


def test_check_writes_nothing(project_copy: Project) -> None:
    assert run_cli("check", cwd=project_copy.root).returncode == 0
    assert not project_copy.out.exists()


@pytest.mark.parametrize("verb", [["--help"], ["build", "--help"], ["check", "--help"]])
def test_help(verb: list[str]) -> None:
    assert main(verb) == 0


def test_template_mistakes_are_reported_at_their_line(project_copy: Project) -> None:
    template = project_copy.root / "templates" / "event.html"
    lines = template.read_text("utf-8").splitlines()
    main = lines.index("{% block main %}")
    lines.insert(main + 1, "{{ event.no_such_field }}")
    template.write_text("\n".join(lines) + "\n", "utf-8")
    result = run_cli(cwd=project_copy.root)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected = f"templates/event.html:{main + 2}:1: error: template error: "
    assert result.stderr.startswith(expected)


@pytest.mark.parametrize("name", ["feed.xml", "sitemap.xml", "kinds.css"])
def test_a_mistake_in_a_template_of_a_shared_file_is_reported_at_its_line(
    project_copy: Project, name: str
) -> None:
    template = project_copy.root / "templates" / name
    lines = template.read_text("utf-8").splitlines()
    template.write_text("\n".join([*lines, "{{ no_such_name }}"]) + "\n", "utf-8")
    result = run_cli("build", "--base-url", "https://example.org/", cwd=project_copy.root)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"templates/{name}:{len(lines) + 1}:1: error: template error: 'no_such_name' is undefined"
    )


def test_body_links_are_checked_and_follow_the_base_path(project_copy: Project) -> None:
    entry = project_copy.root / "content" / "events" / "2025-12-08-london-meeting.md"
    text = entry.read_text("utf-8")
    entry.write_text(
        text + "\nSee [Istanbul](/#2025-05-15-istanbul-talks)"
        " and [nowhere](/events/no-such-event/)\nand [a missing place](/sources/#nothing).\n",
        "utf-8",
    )
    result = run_cli("check", cwd=project_copy.root)
    line = text.count("\n") + 2
    assert result.stderr.splitlines()[:2] == [
        f"content/events/2025-12-08-london-meeting.md:{line}:1: error: "
        "link '/events/no-such-event/' points to no page of the site",
        f"content/events/2025-12-08-london-meeting.md:{line + 1}:1: error: "
        "link '/sources/#nothing': the page has no place #nothing",
    ]


def test_site_links_in_bodies_get_the_base_path(tmp_path: Path) -> None:
    build(Project.at(ROOT, tmp_path / "out"), base_url="/dateline/")
    page = (tmp_path / "out" / "events" / "2025-08-15-alaska-summit" / "index.html").read_text()
    assert 'href="/dateline/events/2025-09-07-kyiv-government-building/"' in page


def test_strict_check_fails_on_warnings(project_copy: Project) -> None:
    registry = project_copy.root / "content" / "sources.yaml"
    registry.write_text(
        registry.read_text("utf-8") + "\nunused-source:\n  url: https://example.org/\n  title: T\n",
        "utf-8",
    )
    relaxed = run_cli("check", cwd=project_copy.root)
    assert relaxed.returncode == 0
    line = registry.read_text("utf-8").splitlines().index("unused-source:") + 1
    warning = (
        f"content/sources.yaml:{line}:1: warning: source 'unused-source' is not cited by any event"
    )
    assert warning in relaxed.stderr.splitlines()
    strict = run_cli("check", "--strict", "--format", "json", cwd=project_copy.root)
    assert strict.returncode == 1
    assert '"ok": false' in strict.stdout and "unused-source" in strict.stdout
