"""Write the rendered site: into a staging folder first, then swapped in whole.

A build that fails, or is killed part-way, leaves the last good site untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from .project import Written

Pages = dict[str, bytes]
"""Output files by their path inside the site, with forward slashes."""

_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


class OutputError(OSError):
    """The site could not be written."""


WRITERS = 8
"""Threads that write files at once: creating many small files waits on the file system."""


class Staging:
    """A new site being written in a folder beside ``out``, put in its place by :meth:`commit`.

    Use it as a context manager: a staging folder that was not committed is removed. Forked
    workers may write into it too; they report the paths they wrote with :meth:`add_written`.
    """

    def __init__(self, out: Path, previous: Mapping[str, Written] | None = None) -> None:
        self.out = out.absolute()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        _remove_abandoned_staging(self.out)
        prefix = f".{self.out.name}.staging-{os.getpid()}-"
        self.folder = Path(tempfile.mkdtemp(prefix=prefix, dir=self.out.parent))
        self.previous = previous or {}
        """The files of the site in ``out`` as the last build wrote them."""
        self.written: dict[str, Written] = {}
        self.kept = 0
        """How many files were the same as in the old site, and linked rather than written."""

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, files: Mapping[str, bytes]) -> list[tuple[str, Written, bool]]:
        """Write ``files`` (several at once); return each path, its stamp, and whether it was new.

        A file whose bytes equal those the last build wrote, still untouched in the old site,
        is linked from there instead: it keeps its time, and nothing is written.
        """
        with ThreadPoolExecutor(WRITERS) as pool:
            done = list(pool.map(self._place, files.items()))
        self.add_written(done)
        return done

    def _place(self, item: tuple[str, bytes]) -> tuple[str, Written, bool]:
        relative, data = item
        target = self.folder / safe_relative(relative)
        digest = hashlib.sha256(data).hexdigest()
        before = self.previous.get(relative)
        if before is not None and before[2] == digest:
            old = self.out / safe_relative(relative)
            with contextlib.suppress(OSError):  # changed by hand, gone, or no links here
                stat = old.stat()
                if (stat.st_size, stat.st_mtime_ns) == before[:2]:
                    _link_file(old, target)
                    return relative, before, False
        stat = _write_file(target, data)
        return relative, (stat.st_size, stat.st_mtime_ns, digest), True

    def add_written(self, done: Iterable[tuple[str, Written, bool]]) -> None:
        """Note files placed in the folder, by this process or another."""
        for relative, stamp, new in done:
            self.written[relative] = stamp
            self.kept += not new

    def view(self, pages: Mapping[str, bytes]) -> Mapping[str, bytes]:
        """``pages`` and every file written so far, read from the folder when asked for."""
        return _StagedPages(pages, set(self.written), self.folder)

    def commit(self) -> int:
        """Swap the staged site into place; the old one is removed. Returns the files written."""
        if not _umask_keeps_files_readable():
            _make_readable(self.folder)
        self.folder.chmod(0o755)
        _swap_into_place(self.folder, self.out)
        return len(self.written) - self.kept


class _StagedPages(Mapping[str, bytes]):
    def __init__(self, pages: Mapping[str, bytes], staged: set[str], folder: Path) -> None:
        self.pages, self.staged, self.folder = pages, staged, folder

    def __getitem__(self, relative: str) -> bytes:
        if relative in self.pages:
            return self.pages[relative]
        if relative in self.staged:
            return (self.folder / safe_relative(relative)).read_bytes()
        raise KeyError(relative)

    def __iter__(self) -> Iterator[str]:
        return iter(self.staged | set(self.pages))

    def __len__(self) -> int:
        return len(self.staged | set(self.pages))

    def __contains__(self, relative: object) -> bool:
        return relative in self.pages or relative in self.staged


def _write_file(path: Path, data: bytes) -> os.stat_result:
    """Write a new file (and its folder if need be); return its stat."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
        file.flush()
        return os.fstat(file.fileno())


def _link_file(old: Path, target: Path) -> None:
    """Link ``old`` at ``target`` (making its folder if need be)."""
    try:
        os.link(old, target)
    except FileNotFoundError:
        target.parent.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.link(old, target)


def _umask_keeps_files_readable() -> bool:
    """True when new files get 0644 and folders 0755, so nothing needs changing afterwards."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask & 0o755 == 0


def write_site(files: Pages, out: Path) -> int:
    """Write every file to a fresh folder beside ``out`` and swap it into place.

    Returns the number of files written.
    """
    with Staging(out) as staging:
        staging.write(files)
        return staging.commit()


def update_site(files: Pages, out: Path, previous: Pages) -> int:
    """Bring ``out``, last written with ``previous``, up to ``files``: only what changed.

    For the preview, where requests wait while a build runs: each file is replaced atomically,
    files that are no longer built are removed. Returns the number of files written.
    """
    if not previous or not out.is_dir():
        return write_site(files, out)
    written = 0
    for relative, data in files.items():
        if previous.get(relative) == data:
            continue
        write_atomically(out / safe_relative(relative), data)
        written += 1
    for relative in previous.keys() - files.keys():
        stale = out / safe_relative(relative)
        stale.unlink(missing_ok=True)
        _remove_empty_parents(stale.parent, out)
    return written


def write_atomically(file: Path, data: bytes) -> None:
    """Replace ``file`` with ``data`` in one step: a reader sees the old file or the new."""
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    temporary.chmod(0o644)
    os.replace(temporary, file)


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _remove_abandoned_staging(out: Path) -> None:
    """Remove staging folders left by builds that were killed (their process is gone)."""
    for folder in out.parent.glob(f".{out.name}.staging-*"):
        pid = folder.name.removeprefix(f".{out.name}.staging-").split("-")[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def safe_relative(relative: str) -> Path:
    """``relative`` as a path that cannot leave the output folder; ValueError otherwise."""
    parts = PurePosixPath(relative).parts
    if (
        not parts
        or PurePosixPath(relative).is_absolute()
        or any(p in ("..", ".", "") for p in parts)
    ):
        raise ValueError(f"refusing to write outside the site: {relative!r}")
    if any("\\" in p or "\x00" in p or ":" in p for p in parts):
        raise ValueError(f"refusing an unsafe file name: {relative!r}")
    return Path(*parts)


def _make_readable(folder: Path) -> None:
    """Give the staged site the usual permissions (mkdtemp makes it private)."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _swap_into_place(staging: Path, out: Path) -> None:
    """Put ``staging`` at ``out``; afterwards ``staging`` holds the old site, if there was one."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)
        raise
    os.rename(old, staging)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where that is unavailable."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)
