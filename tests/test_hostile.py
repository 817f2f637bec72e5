"""Hostile and broken input: every case gets a clear message or works, within bounded time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.builder import build, load_timeline
from dateline.diagnostics import ContentError
from dateline.output import safe_relative
from dateline.project import Project

from .test_golden import tree
from .test_validation import diagnostics_for

ROOT = Path(__file__).resolve().parent.parent
VALID = (Path(__file__).parent / "fixtures" / "valid-entry.md").read_bytes()


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("con.md", VALID, "the file name 'con' is a name Windows reserves for a device"),
        (
            "ok.md",
            VALID.replace(b"kind: strike", b"kind: strike\nslug: lpt1"),
            "slug 'lpt1' is a name Windows reserves",
        ),
        (
            "ok.md",
            VALID.replace(b"kind: strike", b"kind: strike\nslug: ../../etc"),
            "slug '../../etc' must be lower-case",
        ),
        (
            "ok.md",
            VALID.replace(b"kind: strike", b"kind: strike\nslug: k\xd1\x83iv"),
            "must be lower-case letters",
        ),
        (
            "big.md",
            b"---\ntitle: x\n---\n" + b"a" * (3 * 1024 * 1024),
            "an entry may be at most 2 MiB",
        ),
        ("binary.md", bytes(range(256)) * 10, "the file is not UTF-8 text"),
        ("nul.md", b"---\ntitle: a\x00b\n---\n", "NUL character"),
    ],
)
def test_hostile_entries_get_a_clear_message(
    project_copy: Project, name: str, raw: bytes, message: str
) -> None:
    found = diagnostics_for(project_copy, {name: raw})
    assert any(message in line for line in found), found


def test_deep_yaml_and_alias_bombs_are_bounded(project_copy: Project) -> None:
    bomb = (
        "---\na: &a [x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 8)}]\n"
            for i in range(12)
        )
        + "---\n"
    )
    deep = "---\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"
    started = time.monotonic()
    found = diagnostics_for(project_copy, {"bomb.md": bomb.encode(), "deep.md": deep.encode()})
    assert time.monotonic() - started < 10
    assert any("aliases" in line for line in found)
    assert any("deep.md" in line for line in found)


def test_crlf_and_bom_entries_work(project_copy: Project) -> None:
    raw = b"\xef\xbb\xbf" + VALID.replace(b"\n", b"\r\n")
    assert diagnostics_for(project_copy, {"crlf.md": raw}) == []


def test_a_build_killed_at_any_moment_leaves_a_whole_site(
    project_copy: Project, tmp_path: Path
) -> None:
    build(project_copy)
    before = tree(project_copy.out)
    entry = project_copy.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    entry.write_text(
        entry.read_text("utf-8").replace("Ukraine–Russia talks", "Talks, changed,"), "utf-8"
    )
    build(Project.at(project_copy.root, tmp_path / "expected"))
    after_change = tree(tmp_path / "expected")
    chance = random.Random(7)
    command = [sys.executable, str(ROOT / "build.py"), "--root", str(project_copy.root)]
    for _ in range(8):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.05, 0.8))
        process.send_signal(signal.SIGKILL)
        process.wait()
        now = tree(project_copy.out)
        assert now in (before, after_change), "a killed build left a mixed or partial site"
    build(project_copy)
    leftovers = [p.name for p in project_copy.root.iterdir() if ".staging-" in p.name]
    assert leftovers == [], "the next build removes what killed builds left behind"


def test_file_order_does_not_change_the_output(project_copy: Project, tmp_path: Path) -> None:
    build(Project.at(project_copy.root, tmp_path / "one"))
    events = project_copy.root / "content" / "events"
    moved = tmp_path / "moved"
    moved.mkdir()
    for path in sorted(events.glob("*.md"), reverse=True):  # recreate in another order
        os.replace(path, moved / path.name)
    for path in sorted(moved.glob("*.md"), reverse=True):
        os.replace(path, events / path.name)
    build(Project.at(project_copy.root, tmp_path / "two"))
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_the_locale_does_not_change_the_output(project_copy: Project, tmp_path: Path) -> None:
    outputs = []
    for number, locale in enumerate(("C", "tr_TR.UTF-8")):
        out = tmp_path / f"out{number}"
        env = {
            **os.environ,
            "LANG": locale,
            "LC_ALL": locale,
            "TZ": ["UTC", "Asia/Kathmandu"][number],
        }
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "build.py"),
                "build",
                "--root",
                str(project_copy.root),
                "--out",
                str(out),
            ],
            check=True,
            env=env,
            capture_output=True,
        )
        outputs.append(tree(out))
    assert outputs[0] == outputs[1]


def test_broken_content_never_touches_the_site(project_copy: Project) -> None:
    build(project_copy)
    before = tree(project_copy.out)
    (project_copy.root / "content" / "events" / "bad.md").write_bytes(b"\xff\xfe not an entry")
    with pytest.raises(ContentError):
        load_timeline(project_copy)
    assert tree(project_copy.out) == before


@given(
    st.lists(st.sampled_from(["a", "b.html", ".", "..", "", "\\", ":", "\x00", "é"]), max_size=5)
)
def test_output_paths_never_leave_the_site(parts: list[str]) -> None:
    """A path either stays inside the site, as pathlib reads it, or is refused."""
    relative = "/".join(parts)
    try:
        safe = PurePosixPath(safe_relative(relative))
    except ValueError:
        return
    assert not safe.is_absolute() and ".." not in safe.parts and safe.parts
    assert safe.parts == PurePosixPath(relative).parts
    assert not any(c in relative for c in "\\:\x00")
