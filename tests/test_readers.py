"""The timeline as its readers use it: filtering, the keyboard, no JavaScript, axe-core, widths,
weight, and the README's screenshots. Headless Debian Chromium through tests/browser.py.

axe-core comes from node_modules/ (package-lock.json pins it; `.ci/run` installs it). Without it
the axe test skips, unless DATELINE_REQUIRE_BROWSER=1 says it must run.

`DATELINE_SCREENSHOTS=1 uv run pytest tests/test_readers.py -k screenshot` rewrites
docs/screenshot-1280.png and docs/screenshot-390.png; other runs leave them alone.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser import Tab, launch, new_tab, playwright_chromium, serve

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, BrowserType, Page

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DOCS = ROOT / "docs"
SEED_EVENTS = 9
SCHEMES = ["light", "dark"]

OpenTab = Callable[..., Tab]


# --- Fixtures ------------------------------------------------------------------------------------


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
    """Open recorded pages of a chosen width and colour scheme; they are closed after the test."""
    tabs: list[Tab] = []

    def opener(width: int = 1280, height: int = 900, scheme: str = "light") -> Tab:
        tab = new_tab(context, width, height)
        tab.page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        tabs.append(tab)
        return tab

    yield opener
    for tab in tabs:
        tab.page.close()


@pytest.fixture(scope="module")
def seed_events(seed_site: Path) -> list[dict[str, Any]]:
    """The events as events.json lists them: the oracle the filters are checked against."""
    data = json.loads((seed_site / "events.json").read_text(encoding="utf-8"))
    events: list[dict[str, Any]] = data["events"]
    assert len(events) == SEED_EVENTS
    return events


# --- Helpers -------------------------------------------------------------------------------------


def open_index(tab: Tab, url: str) -> Page:
    """Load ``url`` (the index, maybe with a query) and wait until the filter form is ready."""
    page = tab.page
    page.goto(url)
    page.wait_for_selector("form.filters", state="visible")
    return page


def visible_slugs(page: Page) -> set[str]:
    """The slugs of the timeline's events that are shown (not hidden by the filters)."""
    slugs: list[str] = page.eval_on_selector_all(
        "ol.events > li.event",
        "items => items.filter(i => i.getClientRects().length > 0)"
        ".map(i => i.querySelector('article[id]').id)",
    )
    return set(slugs)


def query(page: Page) -> dict[str, list[str]]:
    """The parameters in the page's address, as the page itself sees it."""
    return parse_qs(page.evaluate("location.search").lstrip("?"))


def slugs_where(events: list[dict[str, Any]], test: Callable[[dict[str, Any]], bool]) -> set[str]:
    return {e["slug"] for e in events if test(e)}


def mentions(event: dict[str, Any], word: str) -> bool:
    """Whether the event's title, places, tags or text contain ``word`` (any case)."""
    text = " ".join([event["title"], *event["places"], *event["tags"], event["body_html"]])
    return word.lower() in text.lower()


def first_page(site: Path, folder: str) -> str:
    """The path of the first page under ``events/`` or ``sources/``, e.g. ``events/x/``."""
    names = sorted(p.parent.name for p in (site / folder).glob("*/index.html"))
    assert names, f"no pages under {folder}/"
    return f"{folder}/{names[0]}/"


def require_axe() -> None:
    """Skip (or fail, when the browser tests are required) unless axe-core is installed."""
    if AXE.is_file():
        return
    reason = f"axe-core is not installed ({AXE.relative_to(ROOT)} missing: run `npm ci --ignore-scripts`)"
    if os.environ.get("DATELINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; DATELINE_REQUIRE_BROWSER=1 requires the browser tests to run")
    pytest.skip(reason)


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two opaque computed colours, ``rgb(r, g, b)``."""

    def luminance(css: str) -> float:
        channels = [float(c) / 255 for c in re.findall(r"[\d.]+", css)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- 1. Filtering --------------------------------------------------------------------------------


def test_filters_narrow_the_timeline_and_keep_their_state_in_the_address(
    open_tab: OpenTab, site_url: str, seed_events: list[dict[str, Any]]
) -> None:
    every = slugs_where(seed_events, lambda e: True)
    diplomacy = slugs_where(seed_events, lambda e: e["kind"] == "diplomacy")
    odesa_strikes = slugs_where(
        seed_events, lambda e: e["kind"] == "strike" and "Odesa" in e["places"]
    )
    kremenchuk = slugs_where(seed_events, lambda e: mentions(e, "Kremenchuk"))
    assert (len(diplomacy), len(odesa_strikes), len(kremenchuk)) == (4, 4, 2)

    tab = open_tab()
    page = open_index(tab, site_url)
    status = page.locator("#filter-status")
    assert visible_slugs(page) == every
    assert page.locator("#filter-kind option[value='diplomacy']").text_content() == "Diplomacy (4)"

    page.select_option("#filter-kind", "diplomacy")
    assert visible_slugs(page) == diplomacy
    assert query(page) == {"kind": ["diplomacy"]}
    assert status.text_content() == f"4 of {SEED_EVENTS} events match."
    assert page.locator("#filter-place option[value='Odesa']").text_content() == "Odesa (0)"

    page.reload()
    page.wait_for_selector("form.filters", state="visible")
    assert page.input_value("#filter-kind") == "diplomacy", "the filter did not survive a reload"
    assert visible_slugs(page) == diplomacy
    # Months and years with nothing left to show are hidden with their events.
    assert page.locator("section.year:visible h2").all_text_contents() == ["2025"]

    page.select_option("#filter-kind", "strike")
    page.select_option("#filter-place", "Odesa")
    assert visible_slugs(page) == odesa_strikes
    assert query(page) == {"kind": ["strike"], "place": ["Odesa"]}

    page.select_option("#filter-kind", "")
    page.select_option("#filter-place", "")
    page.fill("#filter-q", "Kremenchuk")
    assert visible_slugs(page) == kremenchuk
    assert query(page) == {"q": ["Kremenchuk"]}

    page.fill("#filter-q", "")
    page.select_option("#filter-kind", "diplomacy")
    page.select_option("#filter-place", "Odesa")
    assert visible_slugs(page) == set()
    assert (status.text_content() or "").startswith("No events match")
    assert page.locator("section.year:visible").count() == 0
    clear = status.get_by_role("button", name="Clear filters")
    clear.click()
    page.wait_for_function(
        "() => document.querySelectorAll('ol.events > li.event[hidden]').length == 0"
    )
    assert visible_slugs(page) == every
    assert query(page) == {}
    assert [page.input_value(f"#filter-{name}") for name in ("q", "kind", "place")] == [""] * 3
    focused = page.evaluate("document.activeElement?.closest('form.filters') != null")
    assert focused, "clearing from the status message left the keyboard focus nowhere"
    assert tab.console_errors == []


def test_a_shared_address_opens_filtered(
    open_tab: OpenTab, site_url: str, seed_events: list[dict[str, Any]]
) -> None:
    page = open_index(open_tab(), site_url + "?kind=strike&place=Odesa&year=2025")
    expected = slugs_where(
        seed_events,
        lambda e: (
            e["kind"] == "strike"
            and "Odesa" in e["places"]
            and (e["date"]["earliest"] or "").startswith("2025")
        ),
    )
    assert len(expected) == 2
    assert visible_slugs(page) == expected
    assert page.input_value("#filter-year") == "2025"


# --- 2. The keyboard -----------------------------------------------------------------------------


def focus_report(page: Page) -> dict[str, Any]:
    """What has the focus, and whether its focus is drawn."""
    report: dict[str, Any] = page.evaluate(
        """() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      return {
        tag: el.tagName.toLowerCase(), id: el.id, cls: el.getAttribute('class') || '',
        text: (el.textContent || '').trim().slice(0, 40),
        visible: el.matches(':focus-visible'),
        outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
        top: box.top, left: box.left, height: box.height,
      };
    }"""
    )
    return report


def test_keyboard_alone_reaches_and_works_the_filters(open_tab: OpenTab, site_url: str) -> None:
    tab = open_tab()
    page = open_index(tab, site_url)

    page.keyboard.press("Tab")
    skip = focus_report(page)
    assert "skip-link" in skip["cls"], f"the first Tab stop is not the skip link: {skip}"
    assert skip["top"] >= 0 and skip["height"] > 0, f"the focused skip link is off screen: {skip}"
    assert skip["visible"] and skip["outline"] != "none" and skip["width"] >= 2, skip
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    undrawn: list[dict[str, Any]] = []
    for _ in range(120):
        page.keyboard.press("Tab")
        now = focus_report(page)
        if not (now["visible"] and now["outline"] != "none" and now["width"] >= 2):
            undrawn.append(now)
        if now["id"] == "filter-q":
            break
    else:
        pytest.fail("120 Tab presses after the skip link never reached the search field")
    assert undrawn == [], f"focus is not drawn on: {undrawn}"

    page.keyboard.press("Tab")
    assert focus_report(page)["id"] == "filter-kind"
    for _ in range(5):
        if page.input_value("#filter-kind") == "diplomacy":
            break
        page.keyboard.press("ArrowDown")
    assert page.input_value("#filter-kind") == "diplomacy"
    assert len(visible_slugs(page)) == 4
    assert query(page) == {"kind": ["diplomacy"]}
    kind = focus_report(page)
    assert kind["visible"] and kind["outline"] != "none", f"no focus ring on the select: {kind}"

    page.keyboard.press("Shift+Tab")
    page.keyboard.type("Kyiv")
    assert query(page) == {"kind": ["diplomacy"], "q": ["Kyiv"]}
    assert visible_slugs(page) == set()

    for _ in range(10):  # on to the Clear filters button of the "No events match" message
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#filter-status') != null"):
            break
    else:
        pytest.fail("Tab never reached the Clear filters button of the 'No events match' message")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('ol.events > li.event[hidden]').length == 0"
    )
    assert len(visible_slugs(page)) == SEED_EVENTS
    after = focus_report(page)
    assert after["id"] == "filter-q", f"clearing sent the focus to {after}, not the search field"

    for _ in range(4):  # search, kind, place, tag, year
        page.keyboard.press("Tab")
    assert focus_report(page)["id"] == "filter-year"
    page.keyboard.press("ArrowDown")
    assert page.input_value("#filter-year") != ""
    assert len(visible_slugs(page)) < SEED_EVENTS
    page.keyboard.press("Tab")  # the form's own Clear filters button
    assert "filter-clear" in focus_report(page)["cls"]
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelectorAll('ol.events > li.event[hidden]').length == 0"
    )
    assert query(page) == {}
    assert page.input_value("#filter-year") == ""
    assert tab.console_errors == []


# --- 3. Without JavaScript -----------------------------------------------------------------------


def test_without_javascript_the_browse_pages_do_the_filtering(
    chromium: BrowserType, site_url: str, seed_events: list[dict[str, Any]]
) -> None:
    with launch(chromium, javascript=False) as no_js:
        tab = new_tab(no_js)
        page = tab.page
        page.goto(site_url)
        assert not page.locator("form.filters").is_visible(), "the filter form shows without JS"
        assert page.locator("ol.events > li.event:visible").count() == SEED_EVENTS
        browse = page.get_by_role("navigation", name="Browse")
        for name in ("Strike", "Diplomacy", "2025", "Odesa", "All 18 places"):
            assert browse.get_by_role("link", name=name, exact=True).is_visible(), name
        browse.get_by_role("link", name="Diplomacy", exact=True).click()
        page.wait_for_url("**/kinds/diplomacy/")
        lines = page.locator("ol.event-lines > li.event-line")
        assert lines.count() == 4
        assert page.get_by_role("heading", level=1).text_content() == "Diplomacy events"
        titles = {e["title"] for e in seed_events if e["kind"] == "diplomacy"}
        assert set(lines.locator("a").all_text_contents()) == titles

        page.goto(site_url + "places/odesa/")
        odesa = {e["title"] for e in seed_events if "Odesa" in e["places"]}
        assert set(page.locator("ol.event-lines > li.event-line a").all_text_contents()) == odesa
        assert tab.foreign_requests() == []
        assert tab.console_errors == []


# --- 4. axe-core ---------------------------------------------------------------------------------


def axe_pages(seed_site: Path) -> list[str]:
    return ["", first_page(seed_site, "events"), first_page(seed_site, "sources"), "places/odesa/"]


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' '.join(map(str, node['target']))}: {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"    …and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("where", ["index", "event", "source", "listing", "filtered"])
def test_axe_finds_no_wcag_violations(
    open_tab: OpenTab, site_url: str, seed_site: Path, where: str, scheme: str
) -> None:
    require_axe()
    paths = {
        "index": "",
        "event": first_page(seed_site, "events"),
        "source": first_page(seed_site, "sources"),
        "listing": "places/odesa/",
        "filtered": "?kind=diplomacy",
    }
    tab = open_tab(scheme=scheme)
    page = tab.page
    # Injected by the browser itself before the page's own code: the site's Content Security
    # Policy rightly forbids adding an inline script afterwards.
    page.add_init_script(path=str(AXE))
    if where in ("index", "filtered"):
        open_index(tab, site_url + paths[where])
    else:
        page.goto(site_url + paths[where])
    if where == "filtered":
        assert len(visible_slugs(page)) == 4
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        pytest.fail(
            f"axe-core {result['testEngine']['version']} on /{paths[where]} ({scheme}):\n"
            + format_violations(violations),
            pytrace=False,
        )


@pytest.mark.parametrize("scheme", SCHEMES)
def test_text_axe_cannot_judge_has_contrast(open_tab: OpenTab, site_url: str, scheme: str) -> None:
    """axe leaves the chart's SVG labels and the search field's placeholder 'incomplete'."""
    page = open_index(open_tab(scheme=scheme), site_url)
    labels: list[list[str]] = page.evaluate(
        """() => {
      const frame = getComputedStyle(document.querySelector('.chart-frame')).backgroundColor;
      return [...document.querySelectorAll('.chart text')]
        .map((t) => [t.textContent, getComputedStyle(t).fill, frame]);
    }"""
    )
    assert labels, "the chart has no labels"
    low = [(text, round(contrast(fg, bg), 2)) for text, fg, bg in labels if contrast(fg, bg) < 4.5]
    assert low == [], f"chart labels under 4.5:1 in the {scheme} theme: {low}"
    fg, bg = page.evaluate(
        """() => {
      const field = document.querySelector('#filter-q');
      return [getComputedStyle(field, '::placeholder').color, getComputedStyle(field).backgroundColor];
    }"""
    )
    ratio = contrast(fg, bg)
    assert ratio >= 4.5, f"the search placeholder is {ratio:.2f}:1 in the {scheme} theme"


# --- 5. Console and network ----------------------------------------------------------------------


def test_filtering_logs_no_errors_and_stays_local(open_tab: OpenTab, site_url: str) -> None:
    tab = open_tab()
    page = open_index(tab, site_url)
    page.select_option("#filter-kind", "strike")
    page.select_option("#filter-tag", "energy")
    page.fill("#filter-q", "drones")
    page.select_option("#filter-year", "2025")
    page.fill("#filter-q", "no such word anywhere")
    page.locator("#filter-status button").click()
    page.get_by_role("link", name="Odesa", exact=True).first.click()
    page.wait_for_url("**/places/odesa/")
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert any(urlsplit(url).path.endswith("/search.json") for url in tab.requests_seen), (
        "search.json not loaded"
    )
    assert tab.foreign_requests() == []
    assert tab.console_errors == []


# --- 6. Widths -----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [320, 390, 1280])
@pytest.mark.parametrize("query_string", ["", "?kind=diplomacy&place=Odesa"])
def test_no_sideways_scroll(
    open_tab: OpenTab, site_url: str, width: int, query_string: str
) -> None:
    page = open_index(open_tab(width, 800), site_url + query_string)
    page_width, viewport = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert page_width <= viewport, f"the index scrolls sideways at {width}px: {page_width}"
    frame = page.locator(".chart-frame")
    inner, outer = frame.evaluate("f => [f.scrollWidth, f.clientWidth]")
    if width < 640:  # the chart keeps its width and scrolls inside its own frame
        assert inner > outer
        assert frame.get_attribute("tabindex") == "0", "the chart's scrolling frame is unfocusable"
        assert frame.get_attribute("aria-label"), "the chart's scrolling frame has no name"
    else:
        assert inner <= outer, f"the chart overflows its frame at {width}px"


# --- 7. Weight and speed -------------------------------------------------------------------------


def test_the_index_is_light_and_quick(chromium: BrowserType, site_url: str) -> None:
    with launch(chromium) as fresh:  # a fresh profile: nothing comes from the cache
        tab = new_tab(fresh)
        sizes: dict[str, int] = {}

        def record(response: Any) -> None:
            if response.request.resource_type in ("document", "stylesheet", "script"):
                name = urlsplit(response.url).path.rsplit("/", 1)[-1] or "index.html"
                sizes[name] = len(response.body())

        tab.page.on("response", record)
        tab.page.goto(site_url, wait_until="load")
        tab.page.wait_for_selector("form.filters", state="visible")
        assert set(sizes) == {"index.html", "style.css", "kinds.css", "filter.js"}, sizes
        styles_and_script = sizes["style.css"] + sizes["kinds.css"] + sizes["filter.js"]
        assert styles_and_script < 40_000, f"CSS and JavaScript weigh {styles_and_script} bytes"
        assert sizes["index.html"] < 200_000, f"the index weighs {sizes['index.html']} bytes"
        interactive = tab.page.evaluate(
            "performance.getEntriesByType('navigation')[0].domInteractive"
        )
        assert 0 < interactive < 1500, f"domInteractive {interactive:.0f} ms on loopback"


# --- 8. Screenshots for the README ---------------------------------------------------------------


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshot(open_tab: OpenTab, site_url: str, width: int) -> None:
    """The top of the index, as docs/screenshot-<width>.png; only with DATELINE_SCREENSHOTS=1."""
    if os.environ.get("DATELINE_SCREENSHOTS") != "1":
        pytest.skip("set DATELINE_SCREENSHOTS=1 to rewrite docs/screenshot-*.png")
    page = open_index(open_tab(width, 1400), site_url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=DOCS / f"screenshot-{width}.png", animations="disabled", caret="hide")
    assert (DOCS / f"screenshot-{width}.png").stat().st_size > 10_000
