"""Shared fixtures: the shipped timeline, built into a temporary folder or copied for a test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from dateline.builder import build
from dateline.project import Project
from dateline.serve import Preview, make_preview

ROOT = Path(__file__).resolve().parent.parent
"""The repository: its content/, templates/ and seeds/ are the shipped timeline."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped timeline built once, at the root of a domain, into a temporary folder."""
    out = tmp_path_factory.mktemp("seed") / "site"
    build(Project.at(ROOT, out))
    return out


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    """A private copy of the shipped project that a test may change, building into its own site/."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("content", "templates", "seeds"):
        shutil.copytree(ROOT / name, root / name)
    shutil.copy(ROOT / "dateline.yaml", root / "dateline.yaml")
    return Project.at(root)


@pytest.fixture
def preview(project_copy: Project) -> Iterator[Preview]:
    """A running preview of a private project copy, on a free loopback port."""
    running = make_preview(
        Project.at(project_copy.root, project_copy.root / ".dateline-cache" / "preview"),
        "127.0.0.1",
        0,
        base_url=None,
        poll=False,
        port_tries=1,
        on_build=lambda report, problems: None,
    )
    running.start()
    yield running
    running.stop()
