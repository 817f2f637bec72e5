"""Untrusted content never runs: XSS vectors in every field, checked in the output and in Chromium.

Every string of tests/fixtures/hostile/vectors.txt is put into every field an editor writes
(title, date basis, places, tags, figure notes, body, quotes, source title and publisher, the
site's title and description). The built pages, feed, JSON-LD, exports and search index must
carry them as text only: in Chromium no dialog opens, and no CSV cell can start a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dateline.builder import build, load_timeline
from dateline.diagnostics import ContentError
from dateline.metadata import script_json
from dateline.project import Project
from tests.browser import launch, new_tab, playwright_chromium, serve

VECTORS = (
    (Path(__file__).parent / "fixtures" / "hostile" / "vectors.txt").read_text("utf-8").splitlines()
)
ROOT = Path(__file__).resolve().parent.parent


def write_hostile_project(root: Path) -> None:
    (root / "content" / "events").mkdir(parents=True)
    (root / "seeds").mkdir()
    import shutil

    shutil.copytree(ROOT / "templates", root / "templates")
    config = yaml.safe_load((ROOT / "dateline.yaml").read_text("utf-8"))
    config["title"] = "Timeline " + VECTORS[0]
    config["description"] = " ".join(VECTORS[:4])
    (root / "dateline.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    (root / "seeds" / "hostile.txt").write_text(
        "Headline " + VECTORS[1] + "\n" + "\n".join(VECTORS) + "\n", "utf-8"
    )
    registry = {
        "hostile-source": {
            "archive": "seeds/hostile.txt",
            "title": "Source " + VECTORS[4],
            "publisher": VECTORS[1],
        }
    }
    (root / "content" / "sources.yaml").write_text(
        yaml.safe_dump(registry, allow_unicode=True), "utf-8"
    )
    for number, vector in enumerate(VECTORS):
        entry = {
            "id": f"hostile-{number}",
            "title": f"{vector} title",
            "date": f"2025-01-{number + 1:02d}~",
            "date_basis": f"Basis {vector}",
            "kind": "strike" if number % 2 else "diplomacy",
            "places": [f"Place {vector}", "Kyiv"],
            "tags": [f"tag {vector}"],
            "figures": {"killed": {"value": number, "note": f"note {vector}"}},
            "sources": [{"id": "hostile-source", "quotes": [vector]}],
        }
        front = yaml.safe_dump(entry, allow_unicode=True, sort_keys=False)
        body = f"Body {vector}\n\n[link](javascript:alert('md')) <b onclick=alert(1)>bold</b>\n"
        (root / "content" / "events" / f"2025-01-{number + 1:02d}-hostile-{number}.md").write_text(
            f"---\n{front}---\n{body}", "utf-8"
        )


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "project"
    write_hostile_project(root)
    build(Project.at(root), base_url="https://example.org/dateline/")
    return root / "site"


class _Tags(HTMLParser):
    """Every tag's name and attributes, as a browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def test_no_script_handler_or_script_link_but_our_own(hostile_site: Path) -> None:
    for page in hostile_site.rglob("*.html"):
        parser = _Tags()
        parser.feed(page.read_text("utf-8"))
        for tag, attrs in parser.tags:
            names = dict(attrs)
            if tag == "script":
                ours = names.get("type") == "application/ld+json" or (
                    (names.get("src") or "").startswith("/dateline/assets/filter.js?v=")
                    and "defer" in names
                )
                assert ours, f"{page}: a script that is not the site's own: {attrs}"
            assert not [n for n in names if n.startswith("on")], (
                f"{page}: <{tag}> has an event handler"
            )
            for name in ("href", "src", "action", "formaction", "xlink:href"):
                value = (names.get(name) or "").strip().lower()
                assert not value.startswith(("javascript:", "vbscript:", "data:")), (
                    f"{page}: {tag} {name}={value}"
                )


def test_json_ld_cannot_break_out(hostile_site: Path) -> None:
    for page in (hostile_site / "events").glob("*/index.html"):
        text = page.read_text("utf-8")
        block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
        assert block is not None
        assert "<" not in block.group(1)
        json.loads(block.group(1))


JSON_VALUES = st.recursive(
    # 64-bit integers, as orjson writes them: pages hold none larger (figures stop at 2**53 - 1)
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(JSON_VALUES)
def test_script_json_holds_the_data_and_nothing_a_script_element_reads(data: object) -> None:
    text = str(script_json(data))
    assert json.loads(text) == data
    assert not set(text) & set("<>&\u2028\u2029")


def test_csv_cells_cannot_start_a_formula(hostile_site: Path) -> None:
    rows = list(csv.reader(io.StringIO((hostile_site / "events.csv").read_text("utf-8"))))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_feed_and_exports_parse_and_escape(hostile_site: Path) -> None:
    import feedparser  # type: ignore[import-untyped]

    feed = feedparser.parse((hostile_site / "feed.xml").read_bytes())
    assert not feed.bozo
    assert len(feed.entries) == len(VECTORS)
    json.loads((hostile_site / "events.json").read_bytes())
    json.loads((hostile_site / "search.json").read_bytes())
    timeline = json.loads((hostile_site / "timeline.json").read_bytes())
    for slide in timeline["events"]:
        assert (
            "<script" not in slide["text"]["headline"] and "<img" not in slide["text"]["headline"]
        )


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "vbscript:x", " javascript:x"]
)
def test_dangerous_source_urls_are_refused(tmp_path: Path, url: str) -> None:
    root = tmp_path / "project"
    write_hostile_project(root)
    registry = root / "content" / "sources.yaml"
    data = yaml.safe_load(registry.read_text("utf-8"))
    data["hostile-source"]["url"] = url
    registry.write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(ContentError) as caught:
        load_timeline(Project.at(root))
    assert any(
        "url must start with http:// or https://" in d.message for d in caught.value.diagnostics
    )


@pytest.fixture(scope="module")
def chromium_context() -> Iterator[object]:
    with playwright_chromium() as chromium, launch(chromium) as context:
        yield context


@pytest.mark.browser
def test_no_dialog_opens_in_chromium(hostile_site: Path, chromium_context: object) -> None:
    pages = sorted(p.relative_to(hostile_site).as_posix() for p in hostile_site.rglob("*.html"))
    dialogs: list[str] = []
    with serve(hostile_site, "/dateline/") as base:
        tab = new_tab(chromium_context)  # type: ignore[arg-type]
        tab.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in pages:
            tab.page.goto(base + path.removesuffix("index.html"))
        for query in ("?q=script", "?q=img", "?place=Kyiv"):
            tab.page.goto(base + query)
            tab.page.wait_for_timeout(200)
        for link in tab.page.locator("a[href^='javascript']").all():
            pytest.fail(f"a javascript: link survived: {link.get_attribute('href')}")
        tab.page.close()
    assert dialogs == []
    assert tab.foreign_requests() == []
