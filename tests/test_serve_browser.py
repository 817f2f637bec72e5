"""The live preview in headless Chromium: a save reloads the page; a mistake shows an overlay."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from dateline.serve import Preview
from tests.browser import Tab, browser_context, new_tab

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
ENTRY = "content/events/2025-05-15-istanbul-talks.md"
TITLE = "Ukraine–Russia talks in Istanbul"


@pytest.fixture(scope="module")
def context() -> Iterator[BrowserContext]:
    with browser_context() as ctx:
        yield ctx


@pytest.fixture
def tab(context: BrowserContext) -> Iterator[Tab]:
    opened = new_tab(context)
    yield opened
    opened.page.close()


def connected(page: Page) -> None:
    """Wait until the page's reload script has heard from the preview server."""
    page.wait_for_function("() => document.documentElement.dataset.datelinePreview !== undefined")


def save_by_rename(path: Path, text: str) -> None:
    """Save as JetBrains IDEs and gedit do: write a temporary file, then rename it into place."""
    temporary = path.with_name(path.name + "___jb_tmp___")
    temporary.write_text(text, "utf-8")
    os.replace(temporary, path)


def test_saving_an_entry_reloads_the_page(preview: Preview, tab: Tab) -> None:
    entry = preview.project.root / ENTRY
    text = entry.read_text("utf-8")
    page = tab.page
    page.goto(preview.url)
    connected(page)

    entry.write_text(text.replace(TITLE, "Istanbul talks, first edit"), "utf-8")
    page.wait_for_function(
        "() => document.body.innerText.includes('Istanbul talks, first edit')", timeout=10_000
    )
    anchor_top = page.evaluate(
        "() => document.getElementById('2025-05-15-istanbul-talks').getBoundingClientRect().top"
    )
    assert abs(anchor_top) < 5, "the reload lands on the changed event"

    save_by_rename(entry, text.replace(TITLE, "Istanbul talks, second edit"))
    page.wait_for_function(
        "() => document.body.innerText.includes('Istanbul talks, second edit')", timeout=10_000
    )
    assert tab.console_errors == []
    assert tab.foreign_requests() == []


def test_broken_content_shows_an_overlay_until_fixed(preview: Preview, tab: Tab) -> None:
    entry = preview.project.root / ENTRY
    text = entry.read_text("utf-8")
    page = tab.page
    page.goto(preview.url)
    connected(page)

    entry.write_text(text.replace("date: 2025-05-15", "date: 2025-15-05"), "utf-8")
    overlay = page.locator("#dateline-problems")
    overlay.wait_for(state="visible", timeout=10_000)
    assert f"{ENTRY}:4:12: error: date: month 15 is out of range (01-12)" in overlay.inner_text()
    assert page.locator("#dateline-problems[role=alert]").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "serve-overlay.png"))

    entry.write_text(text, "utf-8")
    overlay.wait_for(state="detached", timeout=10_000)
    assert TITLE in page.inner_text("body")
