"""Reading a project's files: every byte, in order, whatever the files' sizes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dateline import project
from dateline.project import PREFETCH_AHEAD, Project, read_file


def test_files_of_every_size_are_read_whole(tmp_path: Path) -> None:
    sizes = [0, 1, 4095, 4096, 65537, 3 << 20]
    for size in sizes:
        (tmp_path / f"{size}.md").write_bytes(
            bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        )
    read = Project.at(tmp_path)
    for size in sizes:
        assert read.read(f"{size}.md") == (tmp_path / f"{size}.md").read_bytes()
    assert read.read("missing.md") is None
    assert read.read(".") is None  # a folder is no file


def test_a_file_that_grew_since_its_stat_is_read_to_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "growing.md"
    file.write_bytes(b"a" * 100_000)
    real_fstat = os.fstat

    def stale_fstat(descriptor: int) -> os.stat_result:  # the size before the last write
        stat = real_fstat(descriptor)
        return os.stat_result((*stat[:6], 10, *stat[7:]))

    monkeypatch.setattr(project.os, "fstat", stale_fstat)
    assert read_file(str(file))[1] == b"a" * 100_000


def test_many_files_come_in_order_and_vanished_ones_are_left_out(tmp_path: Path) -> None:
    names = [f"e{number:04}.md" for number in range(PREFETCH_AHEAD * 2 + 7)]
    for name in names:
        (tmp_path / name).write_text(name, "utf-8")
    (tmp_path / names[300]).unlink()
    read = list(Project.at(tmp_path).read_each(names))
    assert read == [(name, name.encode()) for name in names if name != names[300]]
