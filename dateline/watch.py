"""Watch the project's sources for changes and fold a burst of them into one rebuild."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

WATCHED_DIRS = ("content", "templates", "seeds")
WATCHED_FILES = ("dateline.yaml",)

# Files editors write beside the real one while saving: swap, backup, lock and temporary files
# of vim, emacs, gedit (GIO), JetBrains IDEs, VS Code and browsers' downloads.
_SCRATCH = re.compile(
    r"""(
        ^\.?\#.*          # emacs lock and autosave files
      | ~$                # backups
      | \.sw[a-z]$        # vim swap files
      | ^4913$            # vim's write test
      | \.(tmp|temp|bak|orig|part|crdownload)$
      | ^\.goutputstream-  # gedit
      | ___jb_(tmp|old)___$  # JetBrains safe write
      | ^\.DS_Store$ | ^Thumbs\.db$
    )""",
    re.VERBOSE,
)


def is_scratch(name: str) -> bool:
    """True for an editor's temporary, swap or backup file."""
    return bool(_SCRATCH.search(name))


def relevant_change(path: str, root: Path) -> str | None:
    """The project-relative path of a change that needs a rebuild, or None to ignore it."""
    try:
        relative = Path(path).resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return None
    parts = relative.parts
    if not parts or is_scratch(parts[-1]) or any(p.startswith(".") for p in parts[:-1]):
        return None
    if len(parts) == 1:
        return parts[0] if parts[0] in (*WATCHED_FILES, *WATCHED_DIRS) else None
    return relative.as_posix() if parts[0] in WATCHED_DIRS else None


class Debouncer:
    """Collects changes and hands them over once none has come for ``delay`` seconds."""

    def __init__(self, delay: float = 0.1, clock: Callable[[], float] = time.monotonic) -> None:
        self.delay = delay
        self._clock = clock
        self._pending: set[str] = set()
        self._last = 0.0
        self._condition = threading.Condition()

    def add(self, path: str) -> None:
        """Record one change."""
        with self._condition:
            self._pending.add(path)
            self._last = self._clock()
            self._condition.notify_all()

    def wait(self, stop: threading.Event, poll: float = 0.05) -> set[str]:
        """Block until a burst of changes has settled (or ``stop`` is set); return them."""
        with self._condition:
            while not stop.is_set():
                if self._pending:
                    quiet_for = self._clock() - self._last
                    if quiet_for >= self.delay:
                        changes, self._pending = self._pending, set()
                        return changes
                    self._condition.wait(self.delay - quiet_for)
                else:
                    self._condition.wait(poll)
        return set()


class _Handler(FileSystemEventHandler):
    """Passes on relevant changes; watches a watched folder again when it comes back."""

    def __init__(
        self, root: Path, on_change: Callable[[str], None], observer: BaseObserver
    ) -> None:
        self.root = root
        self.on_change = on_change
        self.observer = observer
        self.watches: dict[str, ObservedWatch] = {}

    def watch(self, folder: Path) -> None:
        """Watch ``folder`` recursively (again, if it was deleted and made anew)."""
        old = self.watches.pop(folder.name, None)
        if old is not None:
            with contextlib.suppress(KeyError, ValueError):
                self.observer.unschedule(old)
        with contextlib.suppress(OSError):  # gone again already: its next creation brings it back
            self.watches[folder.name] = self.observer.schedule(self, str(folder), recursive=True)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if not path:
                continue
            change = relevant_change(str(path), self.root)
            if change is None:
                continue
            if change in WATCHED_DIRS and event.is_directory and Path(str(path)).is_dir():
                self.watch(self.root / change)
            self.on_change(change)


def start_watching(
    root: Path, on_change: Callable[[str], None], poll: bool = False
) -> BaseObserver:
    """Watch the content, templates, seeds and configuration (never the output) of ``root``."""
    observer: BaseObserver = PollingObserver(timeout=0.5) if poll else Observer()
    handler = _Handler(root, on_change, observer)
    observer.schedule(handler, str(root), recursive=False)
    for folder in _existing(root, WATCHED_DIRS):
        handler.watch(folder)
    observer.daemon = True
    observer.start()
    return observer


def _existing(root: Path, names: Iterable[str]) -> list[Path]:
    return [root / name for name in names if (root / name).is_dir()]
