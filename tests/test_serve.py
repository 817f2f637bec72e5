"""The preview server: reload-script injection, paths, debounce, and a live server on loopback."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from dateline.project import Project
from dateline.serve import (
    Preview,
    SiteState,
    content_type,
    find_file,
    inject_reload_script,
    make_preview,
)
from dateline.watch import Debouncer, is_scratch, relevant_change


def test_script_goes_before_the_last_body_end() -> None:
    html = b"<html><body><p>&lt;/body&gt;</p></BODY></html>"
    assert inject_reload_script(html) == (
        b'<html><body><p>&lt;/body&gt;</p><script src="/__dateline/livereload.js"></script>'
        b"</BODY></html>"
    )
    assert inject_reload_script(b"<p>x</p>").endswith(b'livereload.js"></script>')


SITE = {"index.html": b"home", "events/a/index.html": b"a", "feed.xml": b"<feed/>"}


@pytest.mark.parametrize(
    ("request_path", "expected"),
    [
        ("/", "index.html"),
        ("/index.html", "index.html"),
        ("/events/a/", "events/a/index.html"),
        ("/events/a", "events/a/index.html"),
        ("/events/a/?x=1#y", "events/a/index.html"),
        ("/events/%61/", "events/a/index.html"),
        ("/events//a/./", "events/a/index.html"),
        ("/feed.xml", "feed.xml"),
    ],
)
def test_paths_inside_the_site(request_path: str, expected: str) -> None:
    assert find_file(SITE, "/", request_path) == expected


@pytest.mark.parametrize(
    "request_path",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/events/../../secret.txt",
        "/events/a/../../index.html",
        "/..%5cindex.html",
        "/%00index.html",
        "//etc/passwd",
        "/missing.html",
        "/events/",
        "/%252e%252e/secret.txt",
    ],
)
def test_paths_outside_the_site_are_refused(request_path: str) -> None:
    assert find_file(SITE, "/", request_path) is None


def test_base_path_is_required() -> None:
    assert find_file(SITE, "/dateline/", "/dateline/events/a/") == "events/a/index.html"
    assert find_file(SITE, "/dateline/", "/dateline/") == "index.html"
    assert find_file(SITE, "/dateline/", "/events/a/") is None


def test_content_types() -> None:
    assert content_type("a.html") == "text/html; charset=utf-8"
    assert content_type("events/a/index.html") == "text/html; charset=utf-8"
    assert content_type("assets/a.css") == "text/css; charset=utf-8"
    assert content_type("a.svg") == "image/svg+xml; charset=utf-8"
    assert content_type("feed.atom") == "application/atom+xml; charset=utf-8"
    assert content_type("a.png") == "image/png"


@pytest.mark.parametrize(
    ("name", "scratch"),
    [
        (".entry.md.swp", True), ("entry.md~", True), ("4913", True), (".#entry.md", True),
        ("entry.md___jb_tmp___", True), (".goutputstream-ABC123", True), ("entry.md.tmp", True),
        ("entry.md", False), ("sources.yaml", False), ("style.css", False),
    ],
)  # fmt: skip
def test_scratch_files(name: str, scratch: bool) -> None:
    assert is_scratch(name) is scratch


def test_only_sources_of_the_site_count_as_changes(tmp_path: Path) -> None:
    assert relevant_change(str(tmp_path / "content/events/a.md"), tmp_path) == "content/events/a.md"
    assert relevant_change(str(tmp_path / "dateline.yaml"), tmp_path) == "dateline.yaml"
    assert relevant_change(str(tmp_path / "site/index.html"), tmp_path) is None
    assert relevant_change(str(tmp_path / ".dateline-cache/preview/index.html"), tmp_path) is None
    assert relevant_change(str(tmp_path / "content/events/.a.md.swp"), tmp_path) is None
    assert relevant_change(str(tmp_path / "README.md"), tmp_path) is None
    assert relevant_change("/elsewhere/content/a.md", tmp_path) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_debounce_folds_a_burst_into_one_batch() -> None:
    clock = FakeClock()
    debouncer = Debouncer(delay=0.1, clock=clock)
    for index in range(50):
        clock.now = index * 0.01
        debouncer.add(f"content/events/{index % 3}.md")
    clock.now = 10.0
    assert debouncer.wait(threading.Event()) == {f"content/events/{i}.md" for i in range(3)}


def test_debounce_waits_for_quiet() -> None:
    debouncer = Debouncer(delay=0.2)
    stop = threading.Event()
    debouncer.add("a")
    started = time.monotonic()
    threading.Timer(0.1, debouncer.add, ["b"]).start()
    assert debouncer.wait(stop) == {"a", "b"}
    assert time.monotonic() - started >= 0.29


def test_debounce_returns_nothing_when_stopped() -> None:
    stop = threading.Event()
    stop.set()
    assert Debouncer().wait(stop) == set()


def test_requests_wait_for_a_running_build() -> None:
    state = SiteState()
    state.begin()
    waited = threading.Event()

    def request() -> None:
        state.wait_until_built()
        waited.set()

    threading.Thread(target=request).start()
    assert not waited.wait(0.2)
    state.finish(True, [])
    assert waited.wait(2)


# --- a live preview on loopback --------------------------------------------------------------


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def wait_for_epoch(preview: Preview, epoch: int, timeout: float = 10.0) -> dict[str, object]:
    assert preview.state.wait_for_epoch_after(epoch - 1, timeout), "no rebuild happened"
    return preview.state.snapshot()


def test_preview_serves_pages_with_the_script(preview: Preview) -> None:
    status, body = fetch(preview.url)
    assert status == 200
    assert body.count("livereload.js") == 1
    assert not (preview.project.root / "site").exists(), "serve never writes the published site"
    status, body = fetch(preview.url + "no/such/page/")
    assert status == 404 and "livereload.js" in body
    status, body = fetch(preview.url + "__dateline/status")
    assert json.loads(body)["ok"] is True
    assert not preview.project.out.exists(), "the preview is served from memory"


def test_preview_sends_a_folder_without_its_slash_to_the_folder(preview: Preview) -> None:
    host, port = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(str(host), int(port), timeout=10)
    connection.request("GET", "/events/2025-05-15-istanbul-talks?x=1")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (
        301,
        "/events/2025-05-15-istanbul-talks/",
    )
    connection.close()
    status, body = fetch(preview.url + "events.json")
    assert status == 200 and json.loads(body)["events"]


def test_preview_rebuilds_on_save_and_reports_problems(preview: Preview) -> None:
    root = preview.project.root
    entry = root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    text = entry.read_text("utf-8")
    entry.write_text(
        text.replace("Ukraine–Russia talks in Istanbul", "Talks in Istanbul, edited"), "utf-8"
    )
    snapshot = wait_for_epoch(preview, 2)
    assert snapshot["ok"] is True and snapshot["changed"] == "2025-05-15-istanbul-talks"
    assert "Talks in Istanbul, edited" in fetch(preview.url)[1]

    entry.write_text(text.replace("kind: diplomacy", "kind: talks"), "utf-8")
    snapshot = wait_for_epoch(preview, 3)
    assert snapshot["ok"] is False
    assert snapshot["problems"] == [
        {
            "path": "content/events/2025-05-15-istanbul-talks.md",
            "line": 5,
            "column": 7,
            "severity": "error",
            "message": "unknown kind 'talks'; the site's kinds are: strike, diplomacy",
        }
    ]
    assert "Talks in Istanbul, edited" in fetch(preview.url)[1], "the last good build is served"

    temporary = entry.with_name(".goutputstream-XYZ")  # save by writing elsewhere, then renaming
    temporary.write_text(text, "utf-8")
    os.replace(temporary, entry)
    snapshot = wait_for_epoch(preview, 4)
    assert snapshot["ok"] is True and snapshot["problems"] == []
    assert "Ukraine–Russia talks in Istanbul" in fetch(preview.url)[1]


def test_preview_shows_drafts(preview: Preview) -> None:
    entry = preview.project.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    entry.write_text(
        entry.read_text("utf-8").replace("kind: diplomacy", "kind: diplomacy\ndraft: true"), "utf-8"
    )
    wait_for_epoch(preview, 2)
    assert "status-draft" in fetch(preview.url)[1]


def test_incremental_rebuild_equals_a_clean_build(preview: Preview, tmp_path: Path) -> None:
    from dateline.builder import LiveBuilder

    entry = preview.project.root / "content" / "events" / "2025-08-15-alaska-summit.md"
    entry.write_text(
        entry.read_text("utf-8").replace("Trump and Putin met", "Trump and Putin met at last"),
        "utf-8",
    )
    wait_for_epoch(preview, 2)
    assert preview.builder.cache.misses == 10, "one file parsed again after nine the first time"
    clean = LiveBuilder(Project.at(preview.project.root, tmp_path / "clean"))
    clean.build()
    assert preview.builder.pages == clean.pages
    assert not preview.project.out.exists(), "the preview is served from memory"


def start_serve(root: Path, *arguments: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve().parent.parent / "build.py"),
            "serve",
            "--root",
            str(root),
            *arguments,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_line(process: subprocess.Popen[str], start: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if line.startswith(start):
            return line
    raise AssertionError(f"no line starting with {start!r}")


def test_serve_command_stops_cleanly_on_ctrl_c(project_copy: Project) -> None:
    process = start_serve(project_copy.root, "--port", str(free_port()))
    try:
        built = wait_for_line(process, "rebuilt: ")
        assert " files changed in " in built, (
            "the preview writes no files: it changes them in memory"
        )
        line = wait_for_line(process, "serving the preview at http://127.0.0.1:")
        assert fetch(line.split()[4])[0] == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert process.stderr is not None and "Traceback" not in process.stderr.read()
    finally:
        process.kill()


def test_a_taken_port_is_explained(project_copy: Project) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_serve(project_copy.root, "--port", str(port))
        try:
            assert process.wait(timeout=20) == 2
            assert process.stderr is not None
            assert (
                f"127.0.0.1:{port} is already in use; choose another with --port"
                in process.stderr.read()
            )
        finally:
            process.kill()


def test_a_preview_restarted_at_once_gets_its_port_again(project_copy: Project) -> None:
    """Connections the last preview closed linger a while; they must not keep the port."""
    port = free_port()
    for _ in range(2):
        running = make_preview(
            project_copy,
            "127.0.0.1",
            port,
            base_url=None,
            poll=False,
            port_tries=1,
            on_build=lambda report, problems: None,
        )
        running.start()
        try:
            assert fetch(running.url)[0] == 200
        finally:
            running.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_preview_survives_a_burst_of_saves_and_ends_on_the_final_content(
    preview: Preview, tmp_path: Path
) -> None:
    from dateline.builder import LiveBuilder

    entry = preview.project.root / "content" / "events" / "2025-08-15-alaska-summit.md"
    text = entry.read_text("utf-8")
    epoch = preview.state.snapshot()["epoch"]
    deadline = time.monotonic() + 2.0
    number = 0
    while time.monotonic() < deadline and number < 200:
        entry.write_text(
            text.replace("Trump and Putin met", f"Save {number}: Trump and Putin met"), "utf-8"
        )
        number += 1
        time.sleep(0.01)
    time.sleep(1.0)  # let the last debounce window close and the rebuild finish
    preview.state.wait_until_built()
    assert preview.state.snapshot()["epoch"] > epoch
    assert f"Save {number - 1}:" in fetch(preview.url + "events/2025-08-15-alaska-summit/")[1]
    clean = LiveBuilder(Project.at(preview.project.root, tmp_path / "clean"))
    clean.build()
    assert preview.builder.pages == clean.pages
    assert not preview.project.out.exists(), "the preview is served from memory"


def test_preview_survives_the_content_folder_vanishing_and_returning(
    preview: Preview, tmp_path: Path
) -> None:
    import shutil

    content = preview.project.root / "content"
    shutil.move(content, tmp_path / "content")
    snapshot = wait_for_epoch(preview, 2)
    assert snapshot["ok"] is False  # no sources: a clear problem, the old site still served
    assert fetch(preview.url)[0] == 200
    shutil.move(tmp_path / "content", content)
    deadline = time.monotonic() + 10
    while preview.state.snapshot()["ok"] is not True and time.monotonic() < deadline:
        time.sleep(0.1)
    assert preview.state.snapshot()["ok"] is True
    entry = content / "events" / "2025-05-15-istanbul-talks.md"
    epoch = preview.state.snapshot()["epoch"]
    entry.write_text(
        entry.read_text("utf-8").replace("Ukraine–Russia talks", "Talks back"), "utf-8"
    )
    assert preview.state.wait_for_epoch_after(epoch, 10), (
        "changes inside the returned folder are seen"
    )
    preview.state.wait_until_built()
    assert "Talks back" in fetch(preview.url)[1]


def test_preview_answers_many_requests_at_once(preview: Preview) -> None:
    from concurrent.futures import ThreadPoolExecutor

    paths = [
        "",
        "sources/",
        "events/2025-05-15-istanbul-talks/",
        "no/such/",
        "assets/style.css",
    ] * 40
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(lambda path: fetch(preview.url + path)[0], paths))
    assert statuses.count(200) == 160 and statuses.count(404) == 40


def test_a_browser_that_hangs_up_mid_stream_harms_nothing(preview: Preview) -> None:
    for _ in range(5):
        with socket.create_connection(preview.server.server_address[:2], timeout=5) as connection:
            connection.sendall(b"GET /__dateline/events HTTP/1.1\r\nHost: x\r\n\r\n")
            connection.recv(100)
    assert fetch(preview.url)[0] == 200


def test_the_preview_makes_its_exports_when_asked_as_a_build_would(
    project_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dateline import exports
    from dateline.builder import LiveBuilder, build
    from dateline.output import Site

    from .test_golden import tree

    live = LiveBuilder(Project.at(project_copy.root, tmp_path / "preview"))
    assert live.build()[0] is not None
    assert isinstance(live.pages, Site) and live.pages.made("events.json") is None
    build(project_copy)
    assert dict(live.pages) == tree(project_copy.out), "the same files, byte for byte"

    made: list[str] = []
    record = exports._event_data
    monkeypatch.setattr(
        exports,
        "_event_data",
        lambda timeline, event: made.append(event.path) or record(timeline, event),
    )
    entry = project_copy.root / "content" / "events" / "2025-08-15-alaska-summit.md"
    entry.write_text(entry.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    changed = {entry.relative_to(project_copy.root).as_posix()}
    report, problems = live.build(changed)
    assert report is not None, problems
    assert live.pages.made("events.json") is None, "not made on the save"
    assert made == []
    assert b"Edited US" in live.pages["events.json"]
    assert made == ["content/events/2025-08-15-alaska-summit.md"], "only its record made anew"
    build(project_copy)
    assert dict(live.pages) == tree(project_copy.out)


def test_an_export_that_fails_when_asked_for_answers_500(
    preview: Preview, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dateline import render

    def broken(*args: object) -> bytes:
        raise RuntimeError("no events.json today")

    monkeypatch.setattr(render, "events_json", broken)
    entry = preview.project.root / "content" / "events" / "2025-05-15-istanbul-talks.md"
    entry.write_text(entry.read_text("utf-8").replace("title: ", "title: Edited ", 1), "utf-8")
    wait_for_epoch(preview, 2)
    status, body = fetch(preview.url + "events.json")
    assert status == 500 and "no events.json today" in body
    assert fetch(preview.url)[0] == 200
