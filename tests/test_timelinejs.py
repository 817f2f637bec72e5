"""The built timeline.json opens in Knight Lab's TimelineJS3, served locally, in headless Chromium.

TimelineJS comes from the npm package @knight-lab/timelinejs (`npm ci`, see package.json); the
page loads its ``dist/`` files from 127.0.0.1, never from Knight Lab's CDN.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, Tab, is_local, playwright_chromium, serve

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).resolve().parent / "_artifacts"
TIMELINEJS_DIST = ROOT / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
"""The package's built files: js/timeline.js (with js/locale/), css/timeline.css (with icons)."""
SEED_EVENTS = 9
"""How many events the shipped content/ puts on the timeline."""
READY_TIMEOUT_MS = 20_000

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>dateline in TimelineJS3</title>
<link rel="stylesheet" href="timelinejs/css/timeline.css">
<style>html, body {{ margin: 0; }} #timeline-embed {{ width: 100%; height: 640px; }}</style>
<script src="timelinejs/js/timeline.js"></script>
</head>
<body>
<div id="timeline-embed"></div>
<script>
window.timelineReady = false;
window.timeline = new TL.Timeline("timeline-embed", {data_url}, {{
  script_path: {script_path},
  font: null,
  theme: null,
  language: "en",
  hash_bookmark: false,
  ga_measurement_id: null,
  soundcite: false
}});
window.timeline.on("ready", function () {{ window.timelineReady = true; }});
</script>
</body>
</html>
"""


def require_timelinejs() -> None:
    """Skip (or fail, when DATELINE_REQUIRE_BROWSER=1) unless the npm package is installed."""
    missing = [
        path.relative_to(ROOT).as_posix()
        for path in (
            TIMELINEJS_DIST / "js" / "timeline.js",
            TIMELINEJS_DIST / "css" / "timeline.css",
        )
        if not path.is_file()
    ]
    if not missing:
        return
    reason = f"TimelineJS3 is not installed ({', '.join(missing)} missing; run `npm ci`)"
    if os.environ.get("DATELINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; DATELINE_REQUIRE_BROWSER=1 requires the browser tests to run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def served(seed_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A folder with the built site in ``site/`` and TimelineJS in ``timelinejs/``, served."""
    require_timelinejs()
    folder = tmp_path_factory.mktemp("timelinejs")
    shutil.copytree(seed_site, folder / "site")
    shutil.copytree(TIMELINEJS_DIST, folder / "timelinejs")
    with serve(folder) as url:
        page = PAGE.format(
            data_url=json.dumps(url + "site/timeline.json"),
            script_path=json.dumps(url + "timelinejs/js/"),
        )
        (folder / "index.html").write_text(page, encoding="utf-8")
        yield url


def _unique_id(page: Page, headline: str) -> str:
    """The TimelineJS slide id of the event with ``headline``, as timeline.json gives it."""
    data = page.evaluate("fetch('site/timeline.json').then(r => r.json())")
    return str(
        next(e["unique_id"] for e in data["events"] if unescape(e["text"]["headline"]) == headline)
    )


def _block_foreign(route: Route) -> None:
    """Let requests to 127.0.0.1 through; abort the rest (they are still recorded and reported)."""
    if is_local(route.request.url):
        route.continue_()
    else:
        route.abort()


def test_timeline_json_opens_in_timelinejs(served: str, seed_site: Path) -> None:
    events = json.loads((seed_site / "events.json").read_text(encoding="utf-8"))["events"]
    assert len(events) == SEED_EVENTS
    with playwright_chromium() as chromium:
        browser = chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                timezone_id="UTC", locale="en-GB", viewport={"width": 1280, "height": 720}
            )
            context.route("**/*", _block_foreign)
            tab = Tab.watch(context.new_page())
            page = tab.page
            response = page.goto(served, wait_until="load")
            assert response is not None and response.ok
            try:
                page.wait_for_function("window.timelineReady === true", timeout=READY_TIMEOUT_MS)
            except Exception:
                message = page.locator("#timeline-embed").inner_text()
                pytest.fail(
                    f"TimelineJS never fired 'ready'; it shows {message!r}; "
                    f"console errors: {tab.console_errors}"
                )
            page.wait_for_load_state("networkidle")

            slides = page.locator("#timeline-embed .tl-slide")
            title_slides = page.locator("#timeline-embed .tl-slide.tl-slide-titleslide")
            assert title_slides.count() == 1, "the timeline.json title did not become a title slide"
            assert slides.count() == SEED_EVENTS + 1, (
                f"{slides.count()} slides for {SEED_EVENTS} events and a title slide"
            )
            markers = page.locator("#timeline-embed .tl-timemarker")
            assert markers.count() == SEED_EVENTS, f"{markers.count()} markers on the time axis"

            headlines = page.locator(
                "#timeline-embed .tl-slide:not(.tl-slide-titleslide) .tl-headline"
            ).all_text_contents()
            shown = [" ".join(text.split()) for text in headlines]
            missing = [e["title"] for e in events if " ".join(e["title"].split()) not in shown]
            assert missing == [], f"headlines not on any slide: {missing}; shown: {shown}"
            title = page.locator("#timeline-embed .tl-slide-titleslide .tl-headline").inner_text()
            assert "&#" not in title and "&amp;" not in title, f"escaped twice: {title!r}"

            # Open one event's slide, as a reader clicking its marker would, and look at it.
            event = next(e for e in events if e["date"]["latest"] and e["date"]["interval"])
            page.evaluate("id => window.timeline.goToId(id)", _unique_id(page, event["title"]))
            slide = page.locator("#timeline-embed .tl-slide").filter(
                has=page.locator(".tl-headline", has_text=event["title"])
            )
            slide.locator(".tl-headline").wait_for(state="visible")
            page.wait_for_timeout(1500)  # let the one-second slide animation finish
            text = " ".join(slide.inner_text().split())
            assert event["date"]["display"] in text, f"no {event['date']['display']!r} in {text!r}"
            assert "Sources:" in text
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=ARTIFACTS / "timelinejs.png")
            assert tab.console_errors == []
            assert tab.foreign_requests() == []
        finally:
            browser.close()
