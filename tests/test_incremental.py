"""Builds that reuse the last one: nothing to do, one change, a damaged cache, several cores."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest

from benchmarks.synthetic import write_project
from dateline import exports, project
from dateline.browse import facets, listings
from dateline.builder import build, check, load_timeline
from dateline.cache import EntryCache
from dateline.diagnostics import ContentError
from dateline.models import Event, Timeline
from dateline.output import Staging, joined
from dateline.project import ENTRY_CACHE, Project

from .test_golden import tree

Change = Callable[[Path], None]


def stamps(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*")}


def counted_records(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The entry of each record of events.json made from now on, in order."""
    records: list[str] = []
    record = exports._event_data

    def counting_records(timeline: Timeline, event: Event) -> dict[str, object]:
        records.append(event.path)
        return record(timeline, event)

    monkeypatch.setattr(exports, "_event_data", counting_records)
    return records


def first_entry(root: Path) -> Path:
    return sorted((root / "content" / "events").glob("*.md"))[0]


def test_a_build_with_nothing_changed_writes_nothing(project_copy: Project) -> None:
    first = build(project_copy)
    before, times = tree(project_copy.out), stamps(project_copy.out)
    again = build(project_copy)
    assert again.files == 0
    assert (again.events, again.sources, again.drafts) == (
        first.events,
        first.sources,
        first.drafts,
    )
    assert [str(w) for w in again.warnings] == [str(w) for w in first.warnings]
    assert tree(project_copy.out) == before
    assert stamps(project_copy.out) == times, "no file was touched"


def test_files_read_just_after_they_were_written_are_hashed_until_they_settle(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh checkout is built at once: its files' times could hide a change in the same
    tick, so they are hashed; once those times are safely past, stat calls alone tell."""
    for entry in (project_copy.root / "content").rglob("*.md"):
        entry.touch()  # as a checkout leaves them
    build(project_copy)
    (record,) = (project_copy.root / ".dateline-cache").glob("build-*.json")
    hashed = [path for path, stamp in json.loads(record.read_bytes())["inputs"].items() if stamp[2]]
    assert any(path.startswith("content/events/") for path in hashed)
    monkeypatch.setattr(project, "RACY_NS", 0)  # as if the build ran some seconds later
    assert build(project_copy).files == 0
    inputs = json.loads(record.read_bytes())["inputs"]
    assert not any(stamp[2] for stamp in inputs.values()), "the digests were forgotten"
    read_bytes = Path.read_bytes

    def read_no_entry(path: Path) -> bytes:
        assert path.suffix != ".md", f"{path} was read"
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_no_entry)
    assert build(project_copy).files == 0, "nothing read to tell that nothing changed"
    monkeypatch.undo()
    entry = first_entry(project_copy.root)
    entry.write_text(entry.read_text("utf-8").replace("title: ", "title: Later ", 1), "utf-8")
    assert build(project_copy).files > 0


def _same_size_title_edit(root: Path) -> None:
    entry = first_entry(root)
    lines = entry.read_text("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("title: "))
    lines[number] = lines[number][:-1] + ("Z" if lines[number][-1] != "Z" else "Y")
    # same size, written straight after the build: only the content tells it changed
    entry.write_text("\n".join(lines), "utf-8")


def _add_entry(root: Path) -> None:
    source = first_entry(root)
    text = source.read_text("utf-8").replace("title: ", "title: Another ", 1)
    text = text.replace(f"id: {source.stem}", f"id: {source.stem}-copy")
    (source.parent / f"{source.stem}-copy.md").write_text(text, "utf-8")


def _edit_template(root: Path) -> None:
    template = root / "templates" / "event.html"
    template.write_text(template.read_text("utf-8").replace("Earlier", "Before"), "utf-8")


def _edit_config(root: Path) -> None:
    config = root / "dateline.yaml"
    config.write_text(config.read_text("utf-8").replace("title: ", "title: New ", 1), "utf-8")


def _edit_archive(root: Path) -> None:
    sources = (root / "content" / "sources.yaml").read_text("utf-8")
    archive = next(
        line.split(":", 1)[1].strip() for line in sources.splitlines() if "archive:" in line
    )
    path = root / archive.strip("'\"")
    path.write_text(path.read_text("utf-8") + "\nA paragraph added later.\n", "utf-8")


def _damage_site(root: Path) -> None:
    (root / "site" / "events.csv").unlink()
    (root / "site" / "stray.html").write_text("left by hand", "utf-8")


CHANGES: dict[str, Change] = {
    "entry edited, same size": _same_size_title_edit,
    "entry added": _add_entry,
    "entry deleted": lambda root: first_entry(root).unlink(),
    "template edited": _edit_template,
    "configuration edited": _edit_config,
    "archived source edited": _edit_archive,
    "site changed by hand": _damage_site,
    "site deleted, cache kept": lambda root: shutil.rmtree(root / "site"),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=list(CHANGES))
def test_every_kind_of_change_is_seen(
    project_copy: Project, tmp_path: Path, change: Change
) -> None:
    build(project_copy)
    change(project_copy.root)
    report = build(project_copy)
    assert report.files > 0
    clean = tmp_path / "clean"
    shutil.copytree(project_copy.root, clean, ignore=shutil.ignore_patterns("site", ".dateline-*"))
    build(Project.at(clean))
    assert tree(project_copy.out) == tree(clean / "site"), "the rebuild equals a clean build"


def test_unchanged_entries_come_from_the_cache(project_copy: Project) -> None:
    report = build(project_copy)
    entry = first_entry(project_copy.root)
    entry.write_text(entry.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    cache = EntryCache.load(project_copy.cache_file(ENTRY_CACHE))
    load_timeline(project_copy, cache=cache)
    assert (cache.hits, cache.misses) == (report.events + report.drafts - 1, 1)


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01."])
def test_a_damaged_cache_is_ignored(project_copy: Project, damage: bytes) -> None:
    build(project_copy)
    expected = tree(project_copy.out)
    damaged = [path for path in project_copy.cache_file("").rglob("*") if path.is_file()]
    assert any(path.parent.name == "pieces" for path in damaged)
    for cache_file in damaged:
        cache_file.write_bytes(damage)
    shutil.rmtree(project_copy.out)
    build(project_copy)
    assert tree(project_copy.out) == expected


def test_several_cores_build_the_same_site(
    project_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_WORKERS", "1")
    build(Project.at(project_copy.root, tmp_path / "one"))
    monkeypatch.setenv("DATELINE_WORKERS", "3")
    shutil.rmtree(project_copy.cache_file(""))
    build(Project.at(project_copy.root, tmp_path / "three"))
    assert tree(tmp_path / "one") == tree(tmp_path / "three")


def test_one_process_makes_the_folders_of_the_events_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes making folders in one folder wait on each other in the kernel: the
    folders of the events' pages are all made by the worker handed the first task, while
    this process makes the data exports, though both render events' pages; the site is the
    same as one process builds."""
    project_copy = Project.at(write_project(600, tmp_path / "project"))
    monkeypatch.setenv("DATELINE_WORKERS", "2")
    made_by = tmp_path / "mkdir.log"
    real_mkdir = _log_folders_made(monkeypatch, made_by)
    build(project_copy)
    made = [line.split(" ", 1) for line in made_by.read_text("utf-8").splitlines()]
    events = [(pid, path) for pid, path in made if "/events/" in path]
    pages = sorted((project_copy.out / "events").glob("*/index.html"))
    assert len(events) == len(pages) == 600
    assert len({pid for pid, _ in events}) == 1
    assert events[0][0] != str(os.getpid())
    monkeypatch.setattr(os, "mkdir", real_mkdir)
    monkeypatch.setenv("DATELINE_WORKERS", "1")
    shutil.rmtree(project_copy.cache_file(""))
    build(Project.at(project_copy.root, tmp_path / "one"))
    assert tree(tmp_path / "one") == tree(project_copy.out)


def _log_folders_made(monkeypatch: pytest.MonkeyPatch, log: Path) -> Callable[..., None]:
    """Log each folder made, with the process making it, as ``pid path`` lines in ``log``
    (appended to from every process); return the real ``os.mkdir``."""
    real_mkdir = os.mkdir

    def logged_mkdir(path: str, mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        real_mkdir(path, mode, dir_fd=dir_fd)  # a folder already there raises: not logged
        with open(log, "a", encoding="utf-8") as stream:
            stream.write(f"{os.getpid()} {path}\n")

    monkeypatch.setattr(os, "mkdir", logged_mkdir)
    return real_mkdir


def test_a_build_that_renders_some_pages_again_makes_only_their_folders(
    project_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one edit, workers render a few pages again: the folders made are theirs."""
    monkeypatch.setenv("DATELINE_WORKERS", "2")
    build(project_copy)
    _same_size_title_edit(project_copy.root)
    made_by = tmp_path / "mkdir.log"
    _log_folders_made(monkeypatch, made_by)
    report = build(project_copy)
    made = [line.split(" ", 1)[1] for line in made_by.read_text("utf-8").splitlines()]
    events = [path.partition("/events/")[2] for path in made if "/events/" in path]
    assert 0 < len(events) < len(list((project_copy.out / "events").iterdir()))
    assert report.files >= len(events)


def test_problems_found_by_workers_all_reach_the_editor(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_WORKERS", "2")
    entries = sorted((project_copy.root / "content" / "events").glob("*.md"))
    for entry in (entries[0], entries[-1]):
        entry.write_text(entry.read_text("utf-8").replace("kind: ", "kind: nonsense-", 1))
    with pytest.raises(ContentError) as raised:
        build(project_copy)
    paths = {d.path for d in raised.value.diagnostics if d.severity == "error"}
    assert paths == {e.relative_to(project_copy.root).as_posix() for e in (entries[0], entries[-1])}


def test_a_template_error_in_a_worker_names_the_template(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATELINE_WORKERS", "2")
    build(project_copy)
    before = tree(project_copy.out)
    template = project_copy.root / "templates" / "event.html"
    template.write_text(
        template.read_text("utf-8").replace("{{ event.title }}", "{{ nothing.here }}", 1)
    )
    with pytest.raises(ContentError) as raised:
        build(project_copy)
    assert [d.path for d in raised.value.diagnostics] == ["templates/event.html"]
    assert tree(project_copy.out) == before


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_entry_cache_that_cannot_be_saved_stops_the_build_before_the_site_changes(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch, workers: str
) -> None:
    """The cache is written beside the rendering, in a thread of its own when workers render:
    what goes wrong there still reaches the build, before the new site is put in place."""
    build(project_copy)
    before = tree(project_copy.out)
    shutil.rmtree(project_copy.cache_file(""))
    monkeypatch.setenv("DATELINE_WORKERS", workers)

    def disk_full(self: EntryCache, file: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(EntryCache, "save", disk_full)
    _same_size_title_edit(project_copy.root)
    with pytest.raises(OSError, match="No space left"):
        build(project_copy)
    assert tree(project_copy.out) == before


def test_a_broken_entry_does_not_cost_a_full_parse_next_time(project_copy: Project) -> None:
    entry = first_entry(project_copy.root)
    text = entry.read_text("utf-8")
    entry.write_text(text.replace("kind: ", "kind: nonsense-", 1), "utf-8")
    with pytest.raises(ContentError):
        build(project_copy)
    entry.write_text(text, "utf-8")
    cache = EntryCache.load(project_copy.cache_file(ENTRY_CACHE))
    load_timeline(project_copy, cache=cache)
    assert cache.misses == 1, "only the corrected entry is parsed again"


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize(
    ("name", "written"),
    [("event.html", "{{ event.title }}"), ("kinds.css", "{{ kind.key }}")],  # late, early
)
def test_entries_parsed_by_a_build_whose_templates_fail_are_kept(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch, workers: str, name: str, written: str
) -> None:
    monkeypatch.setenv("DATELINE_WORKERS", workers)
    template = project_copy.root / "templates" / name
    template.write_text(template.read_text("utf-8").replace(written, "{{ x.y }}", 1))
    with pytest.raises(ContentError):
        build(project_copy)
    cache = EntryCache.load(project_copy.cache_file(ENTRY_CACHE))
    load_timeline(project_copy, cache=cache)
    assert cache.misses == 0, "the next build parses nothing again"


def test_check_uses_and_fills_the_entry_cache(project_copy: Project) -> None:
    report = check(project_copy)
    cache = EntryCache.load(project_copy.cache_file(ENTRY_CACHE))
    load_timeline(project_copy, cache=cache)
    assert (cache.hits, cache.misses) == (report.events + report.drafts, 0)


def test_a_rebuild_writes_only_the_files_that_changed(project_copy: Project) -> None:
    first = build(project_copy)
    before = tree(project_copy.out)
    inodes = {
        p.relative_to(project_copy.out).as_posix(): p.stat().st_ino
        for p in project_copy.out.rglob("*")
        if p.is_file()
    }
    _same_size_title_edit(project_copy.root)
    again = build(project_copy)
    after = tree(project_copy.out)
    changed = {path for path in after if before.get(path) != after[path]}
    assert changed and again.files == len(changed) < first.files
    for path, data in after.items():
        inode = (project_copy.out / path).stat().st_ino
        if path in changed:
            assert inode != inodes.get(path), f"{path} changed, so it was written anew"
        else:
            assert inode == inodes[path] and before[path] == data, f"{path} was kept as it was"


def test_a_page_changed_by_hand_is_written_again_not_kept(project_copy: Project) -> None:
    build(project_copy)
    page = project_copy.out / "sources" / "index.html"
    text = page.read_text("utf-8")
    page.write_text(text.replace("Sources", "Sourcez", 1), "utf-8")  # same size, new bytes
    entry = first_entry(project_copy.root)
    entry.write_text(entry.read_text("utf-8") + "\nOne more sentence.\n", "utf-8")
    build(project_copy)
    assert page.read_text("utf-8") == text


def test_parsed_events_cross_processes_whole(project_copy: Project) -> None:
    """Events are pickled by their fields (one constructor call each) and come back equal."""
    timeline, _, _ = load_timeline(project_copy)
    for event in timeline.events:
        rebuilt = pickle.loads(pickle.dumps(event, pickle.HIGHEST_PROTOCOL))
        assert rebuilt == event
        assert rebuilt.date.sort_key() == event.date.sort_key()
        assert event.__reduce__()[0] is type(event)


@pytest.mark.parametrize("first_build_workers", ["1", "2"])
def test_a_rebuild_renders_only_the_pages_whose_inputs_changed(
    project_copy: Project, monkeypatch: pytest.MonkeyPatch, first_build_workers: str
) -> None:
    """Also when the first build ran in workers, which digest the pages they render."""
    monkeypatch.setenv("DATELINE_WORKERS", first_build_workers)
    build(project_copy)
    monkeypatch.setenv("DATELINE_WORKERS", "1")
    rendered: list[str] = []
    render = jinja2.Template.render

    def counting(self: jinja2.Template, *args: object, **kwargs: object) -> str:
        rendered.append(str(self.name))
        return render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", counting)
    records = counted_records(monkeypatch)
    _same_size_title_edit(project_copy.root)
    build(project_copy)
    timeline, _, _ = load_timeline(project_copy)
    path = first_entry(project_copy.root).relative_to(project_copy.root).as_posix()
    index = next(i for i, event in enumerate(timeline.events) if event.path == path)
    neighbours = len(timeline.events[max(0, index - 1) : index + 2]) - 1
    edited = timeline.events[index]
    cited = {citation.source_id for citation in edited.citations}
    assert rendered.count("event.html") == 1 + neighbours, "the event and the two beside it"
    assert rendered.count("source.html") == len(cited), "the sources that list its title"
    showing = [page for page in listings(timeline, facets(timeline)) if edited in page.events]
    assert rendered.count("listing.html") == len(showing), "the listings that show it"
    assert records == [path], "one record of events.json made anew, the rest kept"


def test_records_are_cut_from_a_published_file_only_while_it_is_as_built(
    project_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next build takes unchanged events' records from the old site's events.json; once
    that file is changed by hand, every record is made anew (and the file put right)."""
    build(project_copy)
    exported = project_copy.out / "events.json"
    data = exported.read_bytes()
    title = data.index(b'"title":"', data.index(b'"events"')) + len(b'"title":"')
    tampered = (
        data[:title] + (b"Y" if data[title : title + 1] != b"Y" else b"Z") + data[title + 1 :]
    )
    exported.write_bytes(tampered)  # same size, new bytes
    records = counted_records(monkeypatch)
    _same_size_title_edit(project_copy.root)
    report = build(project_copy)
    assert len(records) == report.events, "no record was taken from the file changed by hand"
    records.clear()
    _same_size_title_edit(project_copy.root)
    build(project_copy)
    assert len(records) == 1, "the file as built again gives the others"
    clean = tmp_path / "clean"
    shutil.copytree(project_copy.root, clean, ignore=shutil.ignore_patterns("site", ".dateline-*"))
    build(Project.at(clean))
    assert tree(project_copy.out) == tree(clean / "site")


def test_every_event_s_piece_is_found_in_each_published_file(project_copy: Project) -> None:
    """The next build can cut every event's piece from each export, none made anew for want
    of knowing where it went; a published file that became a folder is made anew."""
    report = build(project_copy)
    found = {}
    for stored in project_copy.cache_file("pieces").glob("*.pickle"):
        with open(stored, "rb") as stream:
            content = pickle.load(stream)
        if "spans" in content:
            found[stored.stem] = len(content["spans"])
    kinds = {"events.json", "events.csv", "timeline.json", "events.ics", "search"}
    assert found == dict.fromkeys(kinds, report.events)
    events_csv = project_copy.out / "events.csv"
    events_csv.unlink()
    events_csv.mkdir()
    _same_size_title_edit(project_copy.root)
    build(project_copy)
    assert events_csv.is_file()


def test_pages_changed_or_added_by_hand_are_put_right(project_copy: Project) -> None:
    build(project_copy)
    clean = tree(project_copy.out)
    page = next((project_copy.out / "events").glob("*/index.html"))
    text = page.read_text("utf-8")
    page.write_text(text.replace("<main", "<mein", 1), "utf-8")  # same size, new bytes
    (project_copy.out / "stray.html").write_text("not built", "utf-8")
    (project_copy.out / "events" / "gone").mkdir()
    (project_copy.out / "events" / "gone" / "index.html").write_text("not built", "utf-8")
    report = build(project_copy)
    assert tree(project_copy.out) == clean
    assert report.files == 1, "only the page changed by hand is written again"
    assert not (project_copy.out / "events" / "gone").exists()


def test_changed_files_are_moved_into_the_old_site_around_anything_in_the_way(
    tmp_path: Path,
) -> None:
    out = tmp_path / "site"
    with Staging(out) as staging:
        staging.write({"index.html": b"old", "events/a/index.html": b"a", "gone.html": b"x"})
        staging.commit()
        previous = dict(staging.written)
    (out / "events" / "b").write_bytes(b"a file where a folder must go")
    (out / "stray").mkdir()
    (out / "stray" / "file.txt").write_bytes(b"added by hand")
    with Staging(out, previous) as staging:
        assert staging.in_place
        staging.write(
            {"index.html": b"new", "events/a/index.html": b"a", "events/b/index.html": b"b"}
        )
        assert staging.commit() == 2
    assert tree(out) == {
        "index.html": b"new",
        "events/a/index.html": b"a",
        "events/b/index.html": b"b",
    }
    assert not (out / "stray").exists()


def test_a_file_is_kept_from_the_old_site_only_when_its_bytes_are_the_same(
    tmp_path: Path,
) -> None:
    """The old file is compared with the new bytes, whole or in parts however they are cut;
    a file of another size is not read at all."""
    out = tmp_path / "site"
    cases: list[tuple[str, bytes | list[bytes], bytes | list[bytes], bool]] = [
        # path, first build's bytes, second build's bytes, whether the old file is kept
        ("same.html", b"abc", b"abc", True),
        ("same-size.html", b"abc", b"abd", False),
        ("longer.html", b"abc", b"abcd", False),
        ("parts.csv", [b"a,", b"b\n"], [b"a", b",b\n"], True),
        ("other-parts.csv", [b"a,", b"b\n"], [b"a", b",c\n"], False),
    ]
    with Staging(out) as staging:
        staging.write({path: first for path, first, _, _ in cases})
        staging.commit()
        previous = dict(staging.written)
    with Staging(out, previous) as staging:
        done = staging.write({path: second for path, _, second, _ in cases})
        staging.commit()
    assert {path: not new for path, _, new in done} == {path: kept for path, *_, kept in cases}
    assert tree(out) == {path: joined(second) for path, _, second, _ in cases}


@pytest.mark.parametrize("writev", ["all", "short", "none"])
def test_a_file_given_in_parts_is_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, writev: str
) -> None:
    """Exports come in parts, more than the kernel takes in one call, and are never joined;
    a call that writes less than it was given (a signal, a full pipe) is followed up."""
    if writev == "none":
        monkeypatch.delattr(os, "writev", raising=False)  # as on Windows
    elif writev == "short":
        monkeypatch.setattr(os, "writev", lambda fd, parts: os.write(fd, parts[0][:1]))
    parts = [f"{number},".encode() for number in range(2500)] + [b"", b"end"]
    with Staging(tmp_path / "site") as staging:
        ((_, (size, _), new),) = staging.write({"data.csv": parts})
        staging.commit()
    data = (tmp_path / "site" / "data.csv").read_bytes()
    assert data == b"".join(parts) and new
    assert size == len(data)


def test_a_build_record_keeps_file_times_beyond_64_bits(tmp_path: Path) -> None:
    """tmpfs and btrfs keep times past 2554 and before 1677, which do not fit in 64 bits."""
    from dateline.manifest import Manifest

    far = [(12, 2**64 + 7, ""), (3, -(2**63) - 9, "ab")]
    record = Manifest(["out", ""], ["e.md"], {"e.md": far[0], "t.html": far[1]}, {}, {}, {})
    record.save(tmp_path / "build.json")
    loaded = Manifest.load(tmp_path / "build.json", ["out", ""])
    assert loaded is not None and loaded.inputs == {"e.md": far[0], "t.html": far[1]}
