"""Preview rebuilds after edits equal clean builds, whichever way they are made.

Most saves change what an event says, not where it appears: the preview then replaces the
event in the last build and renders only the pages that show it. Saves that move an event (its
date, places, tags, kind, sources, draft state) rebuild the timeline. Either way the site must
be byte for byte what a clean build makes of the same files.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.builder import LiveBuilder
from dateline.project import Project

from .conftest import ROOT

Edit = Callable[[str, int], str]


def _line(key: str, value: str) -> Edit:
    """Set the front matter's ``key`` line (added after the title when missing)."""

    def edit(text: str, number: int) -> str:
        line = f"{key}: {value.format(number=number)}"
        if re.search(rf"^{key}:", text, flags=re.M):
            return re.sub(rf"^{key}:.*$", line, text, count=1, flags=re.M)
        return re.sub(r"^(title:.*)$", rf"\1\n{line}", text, count=1, flags=re.M)

    return edit


IN_PLACE: dict[str, Edit] = {
    "title": lambda text, n: text.replace("title: ", f"title: Edit {n} ", 1),
    "body": lambda text, n: text.rstrip("\n") + f"\n\nA paragraph added by edit {n}.\n",
    "heading": lambda text, n: text.rstrip("\n") + f"\n\n## Later, edit {n}\n\nMore.\n",
    "status": _line("status", "scheduled"),
    "updated": _line("updated", "2026-01-{number:02d}"),
    "basis": _line("date_basis", "Edit {number} of the reasoning."),
    "unchanged": lambda text, n: text,
}
MOVING: dict[str, Edit] = {
    "date": _line("date", "2025-06-{number:02d}"),
    "places": _line("places", "[Lviv, Edit {number}]"),
    "tags": _line("tags", "[edited]"),
    "draft": _line("draft", "true"),
}
ENTRIES = sorted(path.name for path in (ROOT / "content" / "events").glob("*.md"))


@contextmanager
def copied_project() -> Iterator[Project]:
    """A private copy of the shipped project, removed afterwards (each Hypothesis example
    needs its own, so a pytest fixture will not do)."""
    root = Path(tempfile.mkdtemp(prefix="dateline-edits-"))
    try:
        for name in ("content", "templates", "seeds"):
            shutil.copytree(ROOT / name, root / name)
        shutil.copy(ROOT / "dateline.yaml", root / "dateline.yaml")
        yield Project.at(root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _check(edits: list[tuple[str, str]], table: dict[str, Edit]) -> None:
    with copied_project() as project:
        live = LiveBuilder(project)
        assert live.build()[0] is not None
        for number, (name, edit) in enumerate(edits, start=1):
            entry = project.root / "content" / "events" / name
            entry.write_text(table[edit](entry.read_text("utf-8"), number), "utf-8")
            changed = {entry.relative_to(project.root).as_posix(), "content/events"}
            before = live.memo.last
            report, problems = live.build(changed)
            assert report is not None, problems
            if edit in IN_PLACE:  # replaced in the last build: the facets were not counted again
                assert before is not None and live.memo.last is not None
                assert live.memo.last.facets is before.facets
        clean = LiveBuilder(Project.at(project.root, project.root / "clean"))
        assert clean.build()[0] is not None
        assert live.pages.keys() == clean.pages.keys()
        differ = [path for path in clean.pages if live.pages[path] != clean.pages[path]]
        assert differ == [], f"after {edits}"


def edits(names: dict[str, Edit]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """One to four edits, each of an entry, by name in ``names``."""
    edit = st.tuples(st.sampled_from(ENTRIES), st.sampled_from(sorted(names)))
    return st.lists(edit, min_size=1, max_size=4)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=edits(IN_PLACE))
def test_edits_in_place_equal_a_clean_build(edits: list[tuple[str, str]]) -> None:
    _check(edits, IN_PLACE)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=edits(IN_PLACE | MOVING))
def test_edits_that_move_events_equal_a_clean_build(edits: list[tuple[str, str]]) -> None:
    _check(edits, IN_PLACE | MOVING)


def test_an_edit_in_place_renders_only_what_shows_the_event(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A title edit replaces the event: the pages that do not show it are not even considered."""
    import jinja2

    rendered: list[str] = []
    render = jinja2.Template.render

    def counting(self: jinja2.Template, *args: object, **kwargs: object) -> str:
        rendered.append(str(self.name))
        return render(self, *args, **kwargs)

    with copied_project() as project:
        live = LiveBuilder(project)
        live.build()
        assert live.memo.last is not None
        before = live.memo.last.timeline
        monkeypatch.setattr(jinja2.Template, "render", counting)
        entry = project.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
        entry.write_text(IN_PLACE["title"](entry.read_text("utf-8"), 1), "utf-8")
        assert live.build({"content/events/2025-05-15-istanbul-talks.md"})[0] is not None
        monkeypatch.undo()
        after = live.memo.last.timeline
        assert after is not before and after.years is not before.years
        untouched = [
            e for e in after.events if e.path != "content/events/2025-05-15-istanbul-talks.md"
        ]
        same = {id(event) for event in before.events}
        assert all(id(event) in same for event in untouched), "the others are the same objects"
        assert "sources.html" not in rendered and "facets.html" not in rendered
        assert "404.html" not in rendered
        assert rendered.count("event.html") == 3, "the event and its two neighbours"


def test_a_folder_listed_before_is_listed_again_only_once_it_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os

    with copied_project() as project:
        folder = project.root / "content" / "events"
        os.utime(folder, ns=(1_000_000_000, 1_000_000_000))  # long unchanged
        live = LiveBuilder(project)
        assert live.build()[0] is not None
        listings: list[str] = []
        scandir = os.scandir
        monkeypatch.setattr(os, "scandir", lambda path: listings.append(str(path)) or scandir(path))
        entry = folder / "2025-05-15-istanbul-talks.md"
        for number in (1, 2):
            entry.write_text(IN_PLACE["title"](entry.read_text("utf-8"), number), "utf-8")
            assert live.build({"content/events/2025-05-15-istanbul-talks.md", "content/events"})[0]
        assert listings.count(str(folder)) == 1, "listed once: its time says nothing came or went"
        copy = folder / "2025-05-16-more-talks.md"
        copy.write_text(
            entry.read_text("utf-8").replace("id: 2025-05-15-istanbul-talks", "id: more")
        )
        report, problems = live.build({"content/events"})  # the watcher may report the folder only
        assert report is not None, problems
        assert "events/2025-05-16-more-talks/index.html" in live.pages
        assert listings.count(str(folder)) == 2


def test_an_edit_that_takes_away_a_place_another_event_links_to_is_reported() -> None:
    """The link is in an entry that did not change; the place was on a page rendered again."""
    from dateline.sources import quote_anchor

    with copied_project() as project:
        events = project.root / "content" / "events"
        london, alaska = (
            events / "2025-12-08-london-meeting.md",
            events / "2025-08-15-alaska-summit.md",
        )
        anchor = quote_anchor("the US-Russia Summit in Alaska on August 15")
        link = f"/sources/isw-strikes-after-alaska-summit/#{anchor}"
        london.write_text(london.read_text("utf-8") + f"\nSee [the summit]({link}).\n", "utf-8")
        live = LiveBuilder(project)
        report, problems = live.build()
        assert report is not None, problems
        text = alaska.read_text("utf-8")
        alaska.write_text(text.replace("Alaska on August 15\n", "Alaska\n", 1), "utf-8")
        report, problems = live.build({"content/events/2025-08-15-alaska-summit.md"})
        assert report is None
        assert [(p.path, p.message) for p in problems] == [
            (
                "content/events/2025-12-08-london-meeting.md",
                f"link {link!r}: the page has no place #{anchor}",
            )
        ]
        alaska.write_text(text, "utf-8")
        report, problems = live.build({"content/events/2025-08-15-alaska-summit.md"})
        assert report is not None, problems


def test_a_broken_feed_template_fails_the_rebuild_and_the_last_feed_stays() -> None:
    with copied_project() as project:
        live = LiveBuilder(project)
        assert live.build()[0] is not None
        feed = live.pages["feed.xml"]
        template = project.root / "templates" / "feed.xml"
        template.write_text(template.read_text("utf-8") + "{{ no_such_name }}", "utf-8")
        report, problems = live.build({"templates/feed.xml"})
        assert report is None
        assert [problem.path for problem in problems] == ["templates/feed.xml"]
        assert live.pages["feed.xml"] == feed, "the last good build, as it was built"


def test_many_saves_of_one_entry_keep_no_more_than_the_timeline() -> None:
    with copied_project() as project:
        live = LiveBuilder(project)
        assert live.build()[0] is not None
        entry = project.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
        text = entry.read_text("utf-8")
        for number in range(30):
            entry.write_text(IN_PLACE["title"](text, number), "utf-8")
            assert live.build({"content/events/2025-05-15-istanbul-talks.md"})[0] is not None
        assert live.memo.last is not None
        events = len(live.memo.last.timeline.events)
        assert all(len(held) <= events for held in live.memo.pieces.held.values())


def test_a_linked_entry_is_left_out_as_a_build_leaves_it_out(tmp_path: Path) -> None:
    outside = tmp_path
    with copied_project() as project:
        events = project.root / "content" / "events"
        target = outside / "linked.md"
        text = (events / "2025-05-15-istanbul-talks.md").read_text("utf-8")
        target.write_text(text.replace("id: 2025-05-15-istanbul-talks", "id: linked"), "utf-8")
        live = LiveBuilder(project)
        assert live.build()[0] is not None
        (events / "linked.md").symlink_to(target)
        assert live.build({"content/events/linked.md", "content/events"})[0] is not None
        assert "events/linked/index.html" not in live.pages
