"""Every page and stylesheet of the built site passes the W3C Nu HTML checker (vnu.jar).

The checker comes from the npm package vnu-jar (`npm ci`, see package.json) and runs on Java.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from dateline.builder import build
from dateline.project import Project

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require_vnu() -> str:
    """The java command; skip (or fail, when DATELINE_REQUIRE_VNU=1) if it or the jar is missing."""
    java = shutil.which("java")
    reason = ""
    if java is None:
        reason = "java not found (install Debian's default-jre-headless)"
    elif not VNU_JAR.is_file():
        reason = f"the Nu checker is not at {VNU_JAR.relative_to(ROOT)} (run `npm ci`)"
    if reason:
        if os.environ.get("DATELINE_REQUIRE_VNU") == "1":
            pytest.fail(f"{reason}; DATELINE_REQUIRE_VNU=1 requires the HTML check to run")
        pytest.skip(reason)
    assert java is not None
    return java


@dataclass(frozen=True)
class Message:
    """One problem the checker reported."""

    path: Path | None
    line: int | None
    kind: str
    text: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path or "(no document)")
        return f"{where}: {self.kind}: {self.text}"


@dataclass(frozen=True)
class Report:
    """What one run of the checker looked at and what it found."""

    checked: frozenset[Path]
    messages: tuple[Message, ...]

    def within(self, folder: Path) -> list[Message]:
        """The messages about files inside ``folder``."""
        return [m for m in self.messages if m.path is not None and m.path.is_relative_to(folder)]


def to_message(raw: dict[str, Any]) -> Message:
    """A checker message from its JSON form."""
    url = raw.get("url")
    path = Path(unquote(urlsplit(url).path)) if url else None
    line = raw.get("lastLine") or raw.get("firstLine")
    return Message(path, line, str(raw.get("type", "?")), str(raw.get("message", "")))


def assert_clean(messages: list[Message]) -> None:
    """Fail, listing every message with its file and line, if there are any."""
    assert not messages, "the Nu HTML checker found:\n" + "\n".join(map(str, messages))


@pytest.fixture(scope="module")
def base_path_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped timeline built for a project site under /dateline/."""
    out = tmp_path_factory.mktemp("vnu-base-path") / "site"
    build(Project.at(ROOT, out), base_url="/dateline/")
    return out


@pytest.fixture(scope="module")
def report(seed_site: Path, base_path_site: Path) -> Report:
    """One checker run (one JVM) over both builds: HTML and CSS, errors only."""
    java = require_vnu()
    command = [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json"]
    command += ["--skip-non-html", "--also-check-css", "--verbose"]
    command += [str(seed_site.resolve()), str(base_path_site.resolve())]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    try:
        raw = json.loads(done.stderr)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"the checker exited {done.returncode} without a JSON report:\n{done.stderr}")
    checked = frozenset(Path(line).resolve() for line in done.stdout.splitlines() if line.strip())
    return Report(checked, tuple(to_message(m) for m in raw))


def site_files(folder: Path) -> set[Path]:
    """The HTML and CSS files of a built site."""
    return {p.resolve() for suffix in ("*.html", "*.css") for p in folder.rglob(suffix)}


def test_every_page_and_stylesheet_was_checked(
    report: Report, seed_site: Path, base_path_site: Path
) -> None:
    expected = site_files(seed_site) | site_files(base_path_site)
    assert any(p.suffix == ".css" for p in expected), "the site has no stylesheet"
    assert sorted(expected - report.checked) == []


def test_seed_site_html_is_valid(report: Report, seed_site: Path) -> None:
    assert_clean(
        [m for m in report.within(seed_site.resolve()) if m.path and m.path.suffix != ".css"]
    )


def test_base_path_site_html_is_valid(report: Report, base_path_site: Path) -> None:
    site = base_path_site.resolve()
    assert_clean([m for m in report.within(site) if m.path and m.path.suffix != ".css"])


def test_css_is_valid(report: Report) -> None:
    assert_clean([m for m in report.messages if m.path and m.path.suffix == ".css"])


def test_checker_reported_no_other_problem(
    report: Report, seed_site: Path, base_path_site: Path
) -> None:
    sites = (seed_site.resolve(), base_path_site.resolve())
    assert_clean(
        [m for m in report.messages if m.path is None or not any(map(m.path.is_relative_to, sites))]
    )
