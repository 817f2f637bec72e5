"""Helpers for the browser tests: a local static server and Debian's headless Chromium.

Not a test module. Nothing here downloads a browser: Playwright drives /usr/bin/chromium.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import (
        BrowserContext,
        BrowserType,
        ConsoleMessage,
        Error,
        Page,
        Request,
    )

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium (package chromium); the tests use no other browser."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

LOCAL_HOST = "127.0.0.1"


def _missing(reason: str) -> None:
    """Skip, or fail when DATELINE_REQUIRE_BROWSER=1 says the browser tests must run."""
    if os.environ.get("DATELINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; DATELINE_REQUIRE_BROWSER=1 requires the browser tests to run")
    pytest.skip(reason)


def require_chromium() -> None:
    """Skip (or fail, if required) unless Chromium and the Python playwright package are here."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _missing("headless Chromium not found at /usr/bin/chromium (install Debian's chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the Python package playwright is not importable (run `uv sync`)")


def _quiet_handler(base_path: str) -> type[SimpleHTTPRequestHandler]:
    """A file handler that maps URL paths under ``base_path`` onto its folder, and logs nothing."""
    prefix = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"

    class Handler(SimpleHTTPRequestHandler):
        def translate_path(self, path: str) -> str:
            bare = urlsplit(path).path
            if bare == prefix.rstrip("/"):
                bare = "/"  # the folder itself: send_head() redirects to add the slash
            elif bare.startswith(prefix):
                bare = "/" + bare[len(prefix) :]
            else:
                return str(Path(self.directory) / ".outside-base-path" / "missing")
            return super().translate_path(bare)

        def log_message(self, format: str, *args: Any) -> None:
            """Log no requests."""

    return Handler


class _QuietServer(ThreadingHTTPServer):
    """A threading server that does not print tracebacks when a client hangs up early."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore the error."""


@contextmanager
def serve(folder: Path, base_path: str = "/") -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 at ``base_path``; yield the site's URL, ending in ``/``.

    ``serve(site, "/dateline/")`` yields ``http://127.0.0.1:PORT/dateline/``; paths outside the
    base path answer 404, as they would on a project site of GitHub Pages.
    """
    handler = functools.partial(_quiet_handler(base_path), directory=str(folder))
    server = _QuietServer((LOCAL_HOST, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="dateline-serve", daemon=True)
    thread.start()
    prefix = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def is_local(url: str) -> bool:
    """True for a URL that stays on this machine: 127.0.0.1, or one needing no network at all."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == LOCAL_HOST


@dataclass
class Tab:
    """A Playwright page, with every URL it requested and every error it logged."""

    page: Page
    requests_seen: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    @classmethod
    def watch(cls, page: Page) -> Tab:
        """Start recording ``page``'s requests, console errors and uncaught exceptions."""
        tab = cls(page)
        page.on("request", tab._on_request)
        page.on("console", tab._on_console)
        page.on("pageerror", tab._on_page_error)
        return tab

    def foreign_requests(self) -> list[str]:
        """The requested URLs that would leave 127.0.0.1."""
        return [url for url in self.requests_seen if not is_local(url)]

    def _on_request(self, request: Request) -> None:
        self.requests_seen.append(request.url)

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        self.console_errors.append(f"{message.text} ({where})" if where else message.text)

    def _on_page_error(self, error: Error) -> None:
        self.console_errors.append(f"uncaught: {error.message}")


@contextmanager
def playwright_chromium() -> Iterator[BrowserType]:
    """Start Playwright (one per thread at a time) and yield its Chromium launcher."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright.chromium


@contextmanager
def launch(
    chromium: BrowserType, width: int = 1280, height: int = 900, javascript: bool = True
) -> Iterator[BrowserContext]:
    """Launch /usr/bin/chromium with a fresh, temporary profile; close and remove it after."""
    profile = tempfile.mkdtemp(prefix="dateline-chromium-")
    try:
        context = chromium.launch_persistent_context(
            user_data_dir=profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
        )
        try:
            yield context
        finally:
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def browser_context(
    width: int = 1280, height: int = 900, javascript: bool = True
) -> Iterator[BrowserContext]:
    """Start Playwright and launch Chromium once: for code that has no Playwright running yet."""
    with playwright_chromium() as chromium, launch(chromium, width, height, javascript) as context:
        yield context


def new_tab(context: BrowserContext, width: int = 1280, height: int = 900) -> Tab:
    """Open a recorded page of the given viewport size in ``context``."""
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": height})
    return Tab.watch(page)


@contextmanager
def browser_page(width: int = 1280, height: int = 900, javascript: bool = True) -> Iterator[Tab]:
    """One browser launch with one recorded page: ``tab.page``, ``tab.requests_seen``."""
    with browser_context(width, height, javascript) as context:
        page = context.pages[0] if context.pages else context.new_page()
        yield Tab.watch(page)
