"""``dateline serve``: build, serve the preview on loopback, rebuild on change, reload the browser.

The watcher only records changes; one build loop folds them into a rebuild; requests wait while a
build runs, so a half-built site is never served. The site is served from memory, as the last good
build left it: nothing is written to disk. Pages get a small reload script injected on the way
out (never in the built files); it also shows the current build problems over the page.
"""

from __future__ import annotations

import errno
import http.server
import json
import mimetypes
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .builder import LiveBuilder
from .diagnostics import Diagnostic
from .project import PREVIEW_DIR, BuildReport, Project
from .watch import Debouncer, start_watching

CONTROL = "/__dateline/"
"""Paths of the preview's own endpoints; never a page of the site."""
RELOAD_SCRIPT = f'<script src="{CONTROL}livereload.js"></script>'
MAX_REQUEST_LINE = 8192
KEEPALIVE_SECONDS = 15.0


@dataclass
class SiteState:
    """The last build's outcome, shared by the build loop and every request."""

    epoch: int = 0
    building: bool = False
    ok: bool = True
    problems: list[Diagnostic] = field(default_factory=list)
    changed: str | None = None
    """Slug of the one event changed by the last rebuild, for the browser to return to."""
    condition: threading.Condition = field(default_factory=threading.Condition)

    def begin(self) -> None:
        """A build starts: requests for pages wait until it ends."""
        with self.condition:
            self.building = True

    def finish(self, ok: bool, problems: list[Diagnostic], changed: str | None = None) -> None:
        """A build ended: publish its outcome and wake everyone waiting."""
        with self.condition:
            self.building = False
            self.ok, self.problems, self.changed = ok, problems, changed
            self.epoch += 1
            self.condition.notify_all()

    def wait_until_built(self, timeout: float = 60.0) -> None:
        """Block while a build runs."""
        with self.condition:
            self.condition.wait_for(lambda: not self.building, timeout)

    def wait_for_epoch_after(self, epoch: int, timeout: float) -> bool:
        """Block until a build newer than ``epoch`` ends; False on timeout."""
        with self.condition:
            return self.condition.wait_for(lambda: self.epoch > epoch, timeout)

    def snapshot(self) -> dict[str, Any]:
        """The state as JSON-ready data for the browser."""
        with self.condition:
            return {
                "epoch": self.epoch,
                "ok": self.ok,
                "changed": self.changed,
                "problems": [p.as_dict() for p in self.problems],
            }


def inject_reload_script(html: bytes) -> bytes:
    """Insert the reload script before the last ``</body>``, or at the end when there is none."""
    at = html.lower().rfind(b"</body>")
    script = RELOAD_SCRIPT.encode()
    return html + script if at < 0 else html[:at] + script + html[at:]


def find_file(files: Mapping[str, bytes], base_path: str, raw_path: str) -> str | None:
    """The site file a request path names (its key in ``files``), or None for a 404.

    The path must lie under ``base_path``; it is decoded once, and '..', NUL bytes and
    backslashes are refused. A folder gives its index.html.
    """
    path = urlsplit(raw_path).path
    if not path.startswith(base_path):
        return None
    relative = unquote(path[len(base_path) :], errors="strict")
    if "\x00" in relative or "\\" in relative:
        return None
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if ".." in parts:
        return None
    key = "/".join(parts)
    if key in files:
        return key
    folder = f"{key}/index.html" if key else "index.html"
    return folder if folder in files else None


def content_type(path: str) -> str:
    """The Content-Type header for a file, with a charset for text."""
    if path.endswith(".atom"):
        return "application/atom+xml; charset=utf-8"
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    text = guessed.startswith("text/") or guessed in (
        "application/json",
        "application/xml",
        "image/svg+xml",
    )
    return f"{guessed}; charset=utf-8" if text else guessed


class PreviewServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server for the preview, held in memory; one thread a request."""

    daemon_threads = True
    allow_reuse_address = sys.platform != "win32"
    """Bind again at once after a restart, past connections still closing; where the option
    would let another server take a port in use (Windows), do without it."""

    def __init__(
        self,
        address: tuple[str, int],
        site: Callable[[], Mapping[str, bytes]],
        base_path: str,
        state: SiteState,
    ) -> None:
        self.site = site
        """Gives the files of the last good build, by path (a new build, a new mapping)."""
        self.base_path = base_path
        self.state = state
        self.stopping = threading.Event()
        super().__init__(address, PreviewHandler)


class PreviewHandler(http.server.BaseHTTPRequestHandler):
    """Serves the preview's pages, its reload script and its stream of build events."""

    server: PreviewServer
    server_version = "dateline-preview"
    sys_version = ""
    timeout = 30
    """Seconds a client may take to send its request: a slow one cannot hold a thread forever."""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the terminal is for build problems."""

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        path = urlsplit(self.path).path
        if path == CONTROL + "livereload.js":
            script = resources.files("dateline.preview").joinpath("livereload.js").read_bytes()
            self._send(200, "text/javascript; charset=utf-8", script, head)
        elif path == CONTROL + "events":
            self._stream_events()
        elif path == CONTROL + "status":
            body = json.dumps(self.server.state.snapshot()).encode()
            self._send(200, "application/json", body, head)
        elif path == "/" and self.server.base_path != "/":
            self._redirect(self.server.base_path)
        else:
            self._serve_file(head)

    def _serve_file(self, head: bool) -> None:
        self.server.state.wait_until_built()
        files, base = self.server.site(), self.server.base_path
        try:
            found = find_file(files, base, self.path)
        except UnicodeDecodeError:
            found = None
        path = urlsplit(self.path).path
        folder = found is not None and found.rpartition("/")[2] == "index.html"
        if folder and not path.endswith(("/", ".html")):
            self._redirect(path + "/")
            return
        status = 200
        if found is None:
            status, found = 404, "404.html" if "404.html" in files else None
        if found is None:
            body = (
                b'<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Not found</title>'
                b"<h1>Not found</h1><p>No page here (yet).</p></html>"
            )
            self._send(404, "text/html; charset=utf-8", inject_reload_script(body), head)
            return
        try:
            body, kind = files[found], content_type(found)
        except Exception as error:  # a data export made now, on request, that failed
            message = f"internal error making {found}: {type(error).__name__}: {error}\n"
            self._send(500, "text/plain; charset=utf-8", message.encode(), head)
            return
        if kind.startswith("text/html"):
            body = inject_reload_script(body)
        self._send(status, kind, body, head)

    def _stream_events(self) -> None:
        """Server-Sent Events: the state now, then after every build, with keep-alives."""
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        epoch = -1
        try:
            while not self.server.stopping.is_set():
                snapshot = state.snapshot()
                if snapshot["epoch"] != epoch:
                    epoch = snapshot["epoch"]
                    self.wfile.write(f"data: {json.dumps(snapshot)}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                state.wait_for_epoch_after(epoch, KEEPALIVE_SECONDS)
        except OSError:
            return  # the browser went away

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: int, kind: str, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)


def bind(
    host: str, port: int, make: Callable[[tuple[str, int]], PreviewServer], tries: int
) -> PreviewServer:
    """Bind ``port``, or the next free one within ``tries``; OSError when none is free."""
    for candidate in range(port, port + tries):
        try:
            return make((host, candidate))
        except OSError as error:
            if error.errno != errno.EADDRINUSE or candidate == port + tries - 1:
                raise
    raise OSError(
        errno.EADDRINUSE, "no free port"
    )  # pragma: no cover - loop always returns or raises


@dataclass
class Preview:
    """A running preview: the build loop, the watcher and the server, stopped together."""

    project: Project
    server: PreviewServer
    state: SiteState
    builder: LiveBuilder
    debouncer: Debouncer
    on_build: Callable[[BuildReport | None, list[Diagnostic]], None]
    poll: bool = False
    _threads: list[threading.Thread] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Where the preview can be opened."""
        host, port = self.server.server_address[:2]
        name = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{name}]" if ":" in name else name
        return f"http://{shown}:{port}{self.server.base_path}"

    def start(self) -> None:
        """Build once, then watch, rebuild and serve in background threads."""
        self.rebuild(set())
        self._observer = start_watching(self.project.root, self.debouncer.add, self.poll)
        for target in (self._build_loop, self.server.serve_forever):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def rebuild(self, changes: set[str]) -> None:
        """Rebuild now; on problems keep the last good site and show them in the browser."""
        self.state.begin()
        report, problems = self.builder.build(changes or None)
        changed = self.builder.changed_slug(changes) if report else None
        self.state.finish(report is not None, problems, changed)
        self.on_build(report, problems)

    def _build_loop(self) -> None:
        while not self.server.stopping.is_set():
            changes = self.debouncer.wait(self.server.stopping)
            if changes:
                self.rebuild(changes)

    def stop(self) -> None:
        """Stop serving, watching and building."""
        self.server.stopping.set()
        with self.state.condition:
            self.state.condition.notify_all()
        self.server.shutdown()
        self.server.server_close()
        observer = getattr(self, "_observer", None)
        if observer is not None:
            observer.stop()
            observer.join(timeout=2)


def make_preview(
    project: Project,
    host: str,
    port: int,
    *,
    base_url: str | None,
    poll: bool,
    port_tries: int,
    on_build: Callable[[BuildReport | None, list[Diagnostic]], None],
) -> Preview:
    """Set up (without starting) a preview of ``project`` served on ``host:port``."""
    builder = LiveBuilder(project, base_url)
    state = SiteState()
    base_path = builder.base_path()
    server = bind(
        host,
        port,
        lambda address: PreviewServer(address, lambda: builder.pages, base_path, state),
        port_tries,
    )
    return Preview(project, server, state, builder, Debouncer(), on_build, poll)


def preview_project(root: Path) -> Project:
    """The project, previewed from memory: its output folder is set apart from the published
    site all the same, so that nothing a preview does could ever reach ``site/``."""
    return Project.at(root, root / PREVIEW_DIR)
