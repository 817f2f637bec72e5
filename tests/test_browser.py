"""The built timeline as a reader sees it, in Debian's headless Chromium (see tests/browser.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from dateline.builder import build
from dateline.project import Project
from tests.browser import Tab, launch, new_tab, playwright_chromium, serve

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, BrowserType

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
SEED_EVENTS = 9
"""How many events the shipped content/ puts on the timeline."""
SEED_YEARS = ("2023", "2024", "2025")

OpenTab = Callable[..., Tab]


@pytest.fixture(scope="module")
def site_url(seed_site: Path) -> Iterator[str]:
    """The shipped timeline, served at the root of a local address."""
    with serve(seed_site) as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[BrowserType]:
    """Playwright's launcher for /usr/bin/chromium, started once for the module."""
    with playwright_chromium() as launcher:
        yield launcher


@pytest.fixture(scope="module")
def context(chromium: BrowserType) -> Iterator[BrowserContext]:
    """One Chromium, with JavaScript, for the whole module."""
    with launch(chromium) as ctx:
        yield ctx


@pytest.fixture
def open_tab(context: BrowserContext) -> Iterator[OpenTab]:
    """Open recorded pages of a chosen width; they are closed after the test."""
    tabs: list[Tab] = []

    def opener(width: int = 1280, height: int = 900) -> Tab:
        tabs.append(new_tab(context, width, height))
        return tabs[-1]

    yield opener
    for tab in tabs:
        tab.page.close()


def first_page(site: Path, folder: str) -> str:
    """The path of the first page under ``events/`` or ``sources/``, e.g. ``events/x/``."""
    names = sorted(p.parent.name for p in (site / folder).glob("*/index.html"))
    assert names, f"no pages under {folder}/"
    return f"{folder}/{names[0]}/"


def site_title() -> str:
    """The title that dateline.yaml gives the site."""
    config = yaml.safe_load((ROOT / "dateline.yaml").read_text(encoding="utf-8"))
    return str(config["title"])


@pytest.mark.parametrize("width", [1280, 390])
def test_index_shows_every_event(open_tab: OpenTab, site_url: str, width: int) -> None:
    tab = open_tab(width)
    page = tab.page
    page.goto(site_url)
    assert page.title() == site_title()
    assert page.locator("ol.events").count() >= 1
    events = page.locator("ol.events > li.event")
    assert events.count() == SEED_EVENTS
    for i in range(SEED_EVENTS):
        event = events.nth(i)
        time = event.locator(".event-meta time")
        assert time.count() == 1, f"event {i + 1} has no <time> in its meta line"
        assert time.is_visible(), f"the date of event {i + 1} is not visible at {width}px"
    for year in SEED_YEARS:
        assert page.get_by_role("heading", level=2, name=year, exact=True).is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"index-{width}.png", full_page=True)
    assert tab.console_errors == []


def test_no_horizontal_scroll_on_a_phone(open_tab: OpenTab, site_url: str, seed_site: Path) -> None:
    tab = open_tab(390, 844)
    for path in ("", first_page(seed_site, "events"), first_page(seed_site, "sources")):
        tab.page.goto(site_url + path)
        widths = tab.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"/{path} scrolls sideways at 390px: {widths}"


@pytest.mark.parametrize("kind", ["index", "events", "sources", "sources index"])
def test_pages_stay_local_and_log_no_errors(
    open_tab: OpenTab, site_url: str, seed_site: Path, kind: str
) -> None:
    fixed = {"index": "", "sources index": "sources/"}
    path = fixed[kind] if kind in fixed else first_page(seed_site, kind)
    tab = open_tab()
    response = tab.page.goto(site_url + path, wait_until="networkidle")
    assert response is not None and response.ok, f"/{path} answered {response and response.status}"
    assert len(tab.requests_seen) > 1, "the page loaded no stylesheet"
    assert tab.foreign_requests() == []
    assert tab.console_errors == []


def test_works_without_javascript(chromium: BrowserType, site_url: str) -> None:
    with launch(chromium, javascript=False) as no_js:
        tab = new_tab(no_js)
        tab.page.goto(site_url)
        events = tab.page.locator("ol.events > li.event")
        assert events.count() == SEED_EVENTS
        for i in range(SEED_EVENTS):
            assert events.nth(i).is_visible()
        assert tab.foreign_requests() == []


def test_quote_link_lands_on_highlighted_passage(
    open_tab: OpenTab, site_url: str, seed_site: Path
) -> None:
    tab = open_tab()
    page = tab.page
    page.goto(site_url + first_page(seed_site, "events"))
    link = page.locator("blockquote a[href*='#q-']").first
    href = link.get_attribute("href")
    assert href, "the event page links no quoted passage"
    link.click()
    page.wait_for_url(f"**{href}")
    assert page.evaluate("location.pathname").startswith("/sources/")
    assert page.evaluate("document.querySelector(':target')?.closest('mark') != null"), (
        f"{href} does not point into a <mark>"
    )
    assert page.locator(":target").evaluate("el => el.closest('mark').textContent.trim().length")
    assert tab.console_errors == []


@pytest.fixture(scope="module")
def base_path_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped timeline built for a project site under /dateline/."""
    out = tmp_path_factory.mktemp("base-path") / "site"
    build(Project.at(ROOT, out), base_url="/dateline/")
    return out


def test_site_under_a_base_path_loads_its_assets(open_tab: OpenTab, base_path_site: Path) -> None:
    with serve(base_path_site, "/dateline/") as url:
        tab = open_tab()
        failed: list[str] = []
        tab.page.on("requestfailed", lambda request: failed.append(request.url))
        for path in ("", first_page(base_path_site, "events"), "sources/"):
            response = tab.page.goto(url + path, wait_until="networkidle")
            assert response is not None and response.ok, f"{url}{path}"
        assert failed == []
        assert tab.console_errors == [], "a page under /dateline/ failed to load something"
        assert all(u.startswith(url) for u in tab.requests_seen if not u.startswith("data:"))
