"""Write the rendered site: into a staging folder first, then swapped in whole.

A build that fails, or is killed part-way, leaves the last good site untouched.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import sys
import tempfile
from pathlib import Path, PurePosixPath

from .render import Pages

_RENAME_EXCHANGE = 2  # from <linux/fs.h>
_AT_FDCWD = -100


class OutputError(OSError):
    """The site could not be written."""


def write_site(files: Pages, out: Path) -> int:
    """Write every file to a fresh folder beside ``out`` and swap it into place.

    Returns the number of files written.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-{os.getpid()}-", dir=out.parent))
    try:
        for relative, data in files.items():
            target = staging / safe_relative(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        _make_readable(staging)
        _swap_into_place(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(files)


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
        target = out / safe_relative(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        temporary.write_bytes(data)
        temporary.chmod(0o644)
        os.replace(temporary, target)
        written += 1
    for relative in previous.keys() - files.keys():
        stale = out / safe_relative(relative)
        stale.unlink(missing_ok=True)
        _remove_empty_parents(stale.parent, out)
    return written


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
