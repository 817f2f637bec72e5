"""What the last build read and wrote, so that a build with nothing to do does nothing.

A build records the size and modification time of every file it read and of every file it
wrote. The next build compares them with one ``stat`` call per file: when no input changed and
the site on disk is still the one written, there is nothing to build. A file changed within two
seconds of being read has its content hashed too, because a later change in the same clock tick
would leave its size and time alone.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import code_fingerprint, write_atomically
from .diagnostics import Diagnostic

MANIFEST_FORMAT = 1
RACY_NS = 2_000_000_000
"""A file modified this close to the build that read it is checked by content as well."""

Stamp = tuple[int, int, str]
"""A file's size, modification time in nanoseconds, and its SHA-256 when it was racy (or '')."""


@dataclass(slots=True)
class Reads:
    """Every project file a build read, stamped as it was read."""

    started_ns: int = field(default_factory=time.time_ns)
    stamps: dict[str, Stamp] = field(default_factory=dict)

    def restart(self) -> None:
        """Forget earlier reads: a new build begins."""
        self.started_ns = time.time_ns()
        self.stamps = {}

    def record(self, relative: str, stat: os.stat_result, data: bytes) -> None:
        """Note that ``data`` was read from ``relative``, whose ``stat`` was taken before."""
        racy = stat.st_mtime_ns >= self.started_ns - RACY_NS
        digest = hashlib.sha256(data).hexdigest() if racy else ""
        self.stamps[relative] = (stat.st_size, stat.st_mtime_ns, digest)


@dataclass(slots=True)
class Manifest:
    """One build's inputs, outputs and report, saved as JSON beside the entry cache."""

    options: list[str]
    entries: list[str]
    inputs: dict[str, Stamp]
    outputs: dict[str, tuple[int, int]]
    report: dict[str, Any]

    def save(self, file: Path) -> None:
        """Write the manifest (atomically)."""
        data = {
            "format": MANIFEST_FORMAT,
            "code": code_fingerprint(),
            "options": self.options,
            "entries": self.entries,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "report": self.report,
        }
        write_atomically(file, json.dumps(data, separators=(",", ":")).encode())

    @classmethod
    def load(cls, file: Path, options: list[str]) -> Manifest | None:
        """The manifest in ``file`` if it was written by this code with the same options."""
        try:
            data = json.loads(file.read_bytes())
            if (
                data["format"] != MANIFEST_FORMAT
                or data["code"] != code_fingerprint()
                or data["options"] != options
            ):
                return None
            return cls(
                options,
                data["entries"],
                {path: tuple(stamp) for path, stamp in data["inputs"].items()},
                {path: tuple(stamp) for path, stamp in data["outputs"].items()},
                data["report"],
            )
        except Exception:  # missing, damaged or from another version: build normally
            return None

    def unchanged(self, root: Path, out: Path, entries: list[str]) -> bool:
        """True when every input is as it was read and the site is as it was written."""
        if entries != self.entries:
            return False
        base = str(root)
        for relative, (size, mtime, digest) in self.inputs.items():
            path = os.path.join(base, relative)
            try:
                stat = os.stat(path)
                if (stat.st_size, stat.st_mtime_ns) != (size, mtime):
                    return False
                if digest and hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
                    return False
            except OSError:
                return False
        return output_stamps(out) == self.outputs

    def warnings(self) -> list[Diagnostic]:
        """The warnings of the build that wrote the manifest, to be shown again."""
        return [Diagnostic(**warning) for warning in self.report["warnings"]]


def stamp_files(root: Path, relatives: list[str], reads: Reads) -> None:
    """Record files that were read some other way (templates) in ``reads``."""
    for relative in relatives:
        path = root / relative
        stat = path.stat()
        reads.record(relative, stat, path.read_bytes())


def output_stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``out``, by path inside it."""
    return {relative: (stat.st_size, stat.st_mtime_ns) for relative, stat in walk_files(str(out))}


def walk_files(folder: str, prefix: str = "") -> Iterator[tuple[str, os.stat_result]]:
    """Every file under ``folder`` as (path inside it with '/', its stat), in no fixed order.

    Faster than ``Path.rglob`` by far on tens of thousands of files; symlinks are not followed.
    """
    folders = [(prefix, folder)]
    while folders:
        inside, current = folders.pop()
        with os.scandir(current) as found:
            for entry in found:
                if entry.is_dir(follow_symlinks=False):
                    folders.append((f"{inside}{entry.name}/", entry.path))
                else:
                    yield inside + entry.name, entry.stat(follow_symlinks=False)
