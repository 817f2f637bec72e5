"""Progress on a terminal during a long build, and silence everywhere else."""

from __future__ import annotations

import io

import pytest

from dateline.builder import build
from dateline.cli import ProgressLine, main
from dateline.project import Project


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_each_step_and_a_clean_line_at_the_end(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ProgressLine, "DELAY", 0.0)
    monkeypatch.setattr(ProgressLine, "INTERVAL", 0.0)
    terminal = Terminal()
    progress = ProgressLine(terminal)
    build(project_copy, progress=progress)
    progress.clear()
    shown = terminal.getvalue()
    for step in ("reading entries", "parsing entries", "rendering pages", "writing files"):
        assert f"\r{step}" in shown
    assert shown.endswith("\r"), "the line is cleared before the summary is printed"


def test_output_that_is_not_a_terminal_gets_only_the_summary(
    project_copy: Project, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ProgressLine, "DELAY", 0.0)
    assert main(["build", "--root", str(project_copy.root)]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.out + captured.err
    assert captured.out.startswith("built site/: ")
    assert captured.out.count("\n") == 1


def test_a_second_build_says_nothing_changed(
    project_copy: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--root", str(project_copy.root)]) == 0
    assert main(["build", "--root", str(project_copy.root)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert "0 files written (nothing changed)" in last
