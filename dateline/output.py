"""Write the rendered site: into a staging folder first, then swapped in whole.

A build that fails, or is killed part-way, leaves the last good site untouched.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO

from .project import O_BINARY, Written, walk_files

Pages = dict[str, bytes]
"""Output files by their path inside the site, with forward slashes."""
Parts = list[bytes]
"""A file as the runs of bytes that make it, in order. A build writes them one after another
and never joins them: at scale, one data export is hundreds of megabytes, and each event's
piece of it is one of the runs (see :meth:`.reuse.StoredPieces.placed`)."""
Content = bytes | Parts
"""A file's bytes, whole or in parts."""


def joined(content: Content) -> bytes:
    """A file's bytes, whole."""
    return b"".join(content) if isinstance(content, list) else content


_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


class OutputError(OSError):
    """The site could not be written."""


class Staging:
    """A new site being written in a folder beside ``out``, put in its place by :meth:`commit`.

    Use it as a context manager: a staging folder that was not committed is removed. Forked
    workers may write into it too; they report the paths they wrote with :meth:`add_written`.

    When the last build's site is there (``previous`` describes it), only the files that
    change are written to the folder, and :meth:`commit` moves each into the site, one atomic
    rename each, once the whole build has succeeded: after one edit among ten thousand
    entries, a few files are moved instead of a whole site linked, swapped and removed.
    Otherwise the folder holds the whole new site and is swapped in at once.
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
        self.fresh: set[str] = set()
        """The files written to the folder: new, or changed since the last build; the rest of
        ``written`` are kept from the old site."""
        self.in_place = bool(self.previous) and self.out.is_dir()
        """Whether the changed files are moved into the old site rather than the folder swapped."""
        self._folders: set[str] = {""}
        """Folders of the staging folder known to be there (in this process): made once each,
        without first trying to open a file in them."""

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *_: object) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, files: Mapping[str, Content]) -> list[tuple[str, Written, bool]]:
        """Write ``files`` (each whole or in parts); return each path, its stamp, and whether
        it was new.

        A file whose bytes equal those the last build wrote, still untouched in the old site,
        is not written: it keeps its time. One file at a time: threads writing at once into
        the same folders wait on each other in the kernel, and cost a build at 10,000 events a
        second of CPU more than they saved.
        """
        done = list(map(self._place, files.items()))
        self.add_written(done)
        return done

    def keep(self, paths: Iterable[str]) -> set[str]:
        """Keep each of ``paths`` from the old site, where it is still as the last build wrote it.

        Returns the paths kept; the others must be written.
        """
        done = [item for item in map(self._link_unchanged, paths) if item is not None]
        self.add_written(done)
        return {relative for relative, _, _ in done}

    def _place(self, item: tuple[str, Content]) -> tuple[str, Written, bool]:
        relative, data = item
        before = self.previous.get(relative)
        if before is not None and before[0] == _size(data):  # a file of another size differs
            linked = self._link_unchanged(relative, data)
            if linked is not None:
                return linked
        stat = _write_file(self._staged_path(relative), data)
        return relative, (stat.st_size, stat.st_mtime_ns), True

    def make_folders_for(self, paths: Iterable[str]) -> None:
        """Make the folders that the files at ``paths`` (relative) go in, here and now.

        Folders in one folder are best made by one process: two processes making them at once
        wait on each other for that folder's lock in the kernel, which cost twice the CPU for
        the ten thousand folders of the events' pages. A process that writes into a folder
        made by another one finds it there.
        """
        for relative in paths:
            self._staged_path(relative)

    def _staged_path(self, relative: str) -> str:
        """Where ``relative`` goes in the staging folder, with its folder made if need be."""
        safe = safe_relative(relative)
        folder = safe.rpartition("/")[0]
        if folder not in self._folders:
            self._make_folders(folder)
        return f"{self.folder}/{safe}"

    def _make_folders(self, folder: str) -> None:
        """Make ``folder`` (relative, safe) in the staging folder, with its parents."""
        parent = folder.rpartition("/")[0]
        if parent not in self._folders:
            self._make_folders(parent)
        with suppress(FileExistsError):  # made by another worker
            os.mkdir(f"{self.folder}/{folder}", 0o755)
        self._folders.add(folder)

    def _link_unchanged(
        self, relative: str, data: Content | None = None
    ) -> tuple[str, Written, bool] | None:
        """Keep the old site's file at ``relative`` if it is as the last build wrote it (and
        holds ``data``, when given).

        In place it stays where it is; otherwise it is linked into the folder.
        """
        before = self.previous.get(relative)
        if before is None:
            return None
        old = self.out / safe_relative(relative)
        if not is_as_written(old, before):  # changed by hand, or gone
            return None
        if data is not None and not _holds(old, data):
            return None
        if not self.in_place:
            try:
                os.link(old, self._staged_path(relative))
            except OSError:  # no links here
                return None
        return relative, before, False

    def add_written(self, done: Iterable[tuple[str, Written, bool]]) -> None:
        """Note files placed in the folder, by this process or another."""
        for relative, stamp, new in done:
            self.written[relative] = stamp
            if new:
                self.fresh.add(relative)

    def view(self, pages: Mapping[str, bytes]) -> Mapping[str, bytes]:
        """``pages`` and every file written or kept so far, read from disk when asked for."""
        return _StagedPages(pages, set(self.written), self._staged_file)

    def _staged_file(self, relative: str) -> Path:
        """Where the file at ``relative`` of the new site is, before it is committed."""
        if self.in_place and relative not in self.fresh:
            return self.out / safe_relative(relative)
        return self.folder / safe_relative(relative)

    def commit(self) -> int:
        """Put the new site in place; the old one is gone. Returns the files written."""
        if self.in_place:
            self._move_into_place()
        else:
            if not _umask_keeps_files_readable():
                _make_readable(self.folder)
            self.folder.chmod(0o755)
            _swap_into_place(self.folder, self.out)
        return len(self.fresh)

    def _move_into_place(self) -> None:
        """Move each fresh file into the old site, and remove what the new site lacks."""
        readable = _umask_keeps_files_readable()
        for relative in sorted(self.fresh):
            staged, target = (
                self.folder / safe_relative(relative),
                self.out / safe_relative(relative),
            )
            if not readable:
                staged.chmod(0o644)
            _clear_way(target, self.out)
            os.replace(staged, target)
        for relative, _ in list(walk_files(str(self.out))):
            if relative not in self.written:
                stale = self.out / safe_relative(relative)
                stale.unlink()
                _remove_empty_parents(stale.parent, self.out)


def _clear_way(target: Path, out: Path) -> None:
    """Make room for a file at ``target``: its folders made, anything in the way removed."""
    for parent in reversed(target.relative_to(out).parents[:-1]):
        folder = out / parent
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            folder.unlink()
        folder.mkdir(mode=0o755, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)


class _StagedPages(Mapping[str, bytes]):
    def __init__(
        self, pages: Mapping[str, bytes], staged: set[str], file: Callable[[str], Path]
    ) -> None:
        self.pages, self.staged, self.file = pages, staged, file

    def __getitem__(self, relative: str) -> bytes:
        if relative in self.pages:
            return self.pages[relative]
        if relative in self.staged:
            return self.file(relative).read_bytes()
        raise KeyError(relative)

    def __iter__(self) -> Iterator[str]:
        return iter(self.staged | set(self.pages))

    def __len__(self) -> int:
        return len(self.staged | set(self.pages))

    def __contains__(self, relative: object) -> bool:
        return relative in self.pages or relative in self.staged


def _size(data: Content) -> int:
    """How many bytes a file's content holds, whole or in parts."""
    return sum(map(len, data)) if isinstance(data, list) else len(data)


def _holds(path: Path, data: Content) -> bool:
    """Whether the file at ``path`` holds exactly ``data`` (whole or in parts), read back.

    Builds compare an old file with the new bytes this way, where their sizes agree, instead of
    digesting every file they write for the next build: reading one back costs what digesting
    the new bytes would, and a first build, which keeps no old file, digests nothing (a tenth
    of a second at 10,000 events).
    """
    try:
        with open(path, "rb") as stream:
            if not isinstance(data, list):
                return stream.read(len(data) + 1) == data
            return all(stream.read(len(part)) == part for part in data) and not stream.read(1)
    except OSError:
        return False


WRITE_AT_ONCE = 1024
"""Parts of a file handed to the kernel in one call (Linux takes at most 1,024)."""


def _write_file(path: str, data: Content) -> os.stat_result:
    """Write a new file in a folder that is there; return its stat."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | O_BINARY, 0o644)
    try:
        if not isinstance(data, list):
            _write_all(descriptor, data)
        elif hasattr(os, "writev"):  # the parts as they are, without joining them first
            for start in range(0, len(data), WRITE_AT_ONCE):
                batch = data[start : start + WRITE_AT_ONCE]
                done = os.writev(descriptor, batch)
                if done < sum(map(len, batch)):  # rare: write the rest of the batch
                    _write_all(descriptor, b"".join(batch)[done:])
        else:
            for part in data:
                _write_all(descriptor, part)
        return os.fstat(descriptor)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    """Write all of ``data``, however many calls the kernel takes for it."""
    view = memoryview(data)
    while view:  # a write may take less than it is given
        view = view[os.write(descriptor, view) :]


def is_as_written(file: Path, written: Written) -> bool:
    """Whether ``file`` is still the regular file a build wrote as ``written``: its size and
    modification time tell, as everywhere the old site is trusted."""
    try:
        status = os.stat(file)
    except OSError:
        return False
    return S_ISREG(status.st_mode) and (status.st_size, status.st_mtime_ns) == tuple(written)


def _umask_keeps_files_readable() -> bool:
    """True when new files get 0644 and folders 0755, so nothing needs changing afterwards."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask & 0o755 == 0


class Site(Mapping[str, bytes]):
    """A built site's files by path, some made only when first asked for, then kept.

    The preview holds its site this way: the data exports, tens of megabytes that its pages only
    link to, are made when someone opens one, not on every save. Safe to read from many threads.
    """

    def __init__(self, files: Pages, later: Mapping[str, Callable[[], bytes]]) -> None:
        self._files = dict(files)
        self._later = dict(later)
        self._paths = sorted(self._files.keys() | self._later.keys())
        self._lock = threading.Lock()

    def __getitem__(self, path: str) -> bytes:
        data = self._files.get(path)
        if data is not None:
            return data
        make = self._later[path]  # KeyError: no such file
        with self._lock:  # made once, however many readers ask at the same moment
            data = self._files.get(path)
            if data is None:
                data = self._files[path] = make()
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, path: object) -> bool:
        return path in self._files or path in self._later

    def made(self, path: str) -> bytes | None:
        """The file's bytes if they are made, without making them."""
        return self._files.get(path)

    def made_files(self) -> Mapping[str, bytes]:
        """The files made so far (a view: do not change it)."""
        return self._files


def changed_files(files: Mapping[str, bytes], previous: Mapping[str, bytes]) -> int:
    """How many of ``files`` are new or differ from ``previous``.

    The same bytes object is the same file: a page reused from memory is never compared byte by
    byte. A file of a :class:`Site` not made yet counts as changed: it will be made anew.
    """
    made, before = _made(files), _made(previous)
    changed = len(files) - len(made)
    for path, data in made.items():
        old = before.get(path)
        changed += old is not data and old != data
    return changed


def _made(files: Mapping[str, bytes]) -> Mapping[str, bytes]:
    return files.made_files() if isinstance(files, Site) else files


def write_atomically(file: Path, data: bytes | Callable[[BinaryIO], object]) -> None:
    """Replace ``file`` with ``data`` in one step: a reader sees the old file or the new.

    ``data`` may also be a function that writes to the file it is given, to stream what would
    be large to hold as bytes.
    """
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f".{file.name}.tmp-{os.getpid()}")
    with open(temporary, "wb") as stream:
        if isinstance(data, bytes):
            stream.write(data)
        else:
            data(stream)
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


def safe_relative(relative: str) -> str:
    """``relative`` as a path that cannot leave the output folder; ValueError otherwise.

    Empty and ``.`` parts are dropped, as pathlib would; string methods, not pathlib, because
    a build checks every one of its ten thousand files this way.
    """
    parts = [part for part in relative.split("/") if part not in ("", ".")]
    if not parts or relative.startswith("/") or ".." in parts:
        raise ValueError(f"refusing to write outside the site: {relative!r}")
    if "\\" in relative or "\x00" in relative or ":" in relative:
        raise ValueError(f"refusing an unsafe file name: {relative!r}")
    return "/".join(parts)


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
    import ctypes  # only here: most builds never swap a whole site

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2  # libc, already loaded
    except (OSError, AttributeError):
        return False
    result = renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    return bool(result == 0)
