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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .cache import code_fingerprint
from .diagnostics import Diagnostic
from .output import write_atomically
from .project import BuildReport, Project, Reads, Stamp, Written, is_racy, walk_files

MANIFEST_FORMAT = 4


@dataclass(slots=True)
class Manifest:
    """One build's inputs, outputs and report, saved as JSON beside the entry cache."""

    options: list[str]
    entries: list[str]
    inputs: dict[str, Stamp]
    outputs: dict[str, Written]
    report: dict[str, Any]
    pages: dict[str, str]
    """The digest of each page's inputs, for the next build to keep what is unchanged."""

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
            "pages": self.pages,
        }
        try:
            encoded = orjson.dumps(data)  # 4 MB at 10,000 events: seven times faster than json
        except TypeError:  # a file time outside 64 bits (a date past 2554 on tmpfs, say)
            encoded = json.dumps(data, separators=(",", ":")).encode()
        write_atomically(file, encoded)

    @classmethod
    def load(cls, file: Path, options: list[str]) -> Manifest | None:
        """The manifest in ``file`` if it was written by this code with the same options."""
        try:
            data = json.loads(file.read_bytes())  # not orjson: it reads a huge int as a float
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
                data["pages"],
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
        try:
            on_disk = output_stamps(out)
        except OSError:  # the site was deleted, or something else stands in its place
            return False
        return on_disk.keys() == self.outputs.keys() and all(
            on_disk[path] == written for path, written in self.outputs.items()
        )

    def settle(self, verified_ns: int) -> bool:
        """Forget the content digests of inputs whose time is now safely in the past.

        Call it when :meth:`unchanged` (begun at ``verified_ns``) found every input as it was:
        a later change to such a file gives it a later time, so size and time alone tell.
        Returns whether any digest was forgotten; otherwise every build after one that read
        files just written (a fresh checkout) would hash them all again.
        """
        settled = False
        for relative, (size, mtime, digest) in self.inputs.items():
            if digest and not is_racy(mtime, verified_ns):
                self.inputs[relative] = (size, mtime, "")
                settled = True
        return settled

    def warnings(self) -> list[Diagnostic]:
        """The warnings of the build that wrote the manifest, to be shown again."""
        return [Diagnostic(**warning) for warning in self.report["warnings"]]


def stamp_files(root: Path, relatives: list[str], reads: Reads) -> None:
    """Record files that were read some other way (templates) in ``reads``, unless they were
    recorded as they were read."""
    for relative in relatives:
        if relative in reads.stamps:
            continue
        path = root / relative
        stat = path.stat()
        reads.record(relative, stat, path.read_bytes())


def output_stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file under ``out``, by path inside it."""
    return {
        relative: (stat.st_size, stat.st_mtime_ns)
        for relative, entry in walk_files(str(out))
        for stat in (entry.stat(follow_symlinks=False),)
    }


@dataclass(slots=True)
class BuildRecord:
    """Where a build's manifest goes, and what it needs to know to write one."""

    file: Path
    options: list[str]
    entries: list[str]
    """The entry files found when the build began: the build reads these."""
    templates: list[str]

    @classmethod
    def of(cls, project: Project, base_url: str | None) -> BuildRecord:
        """The record of a build of ``project`` into its output folder."""
        options = [str(project.out.absolute()), base_url or ""]
        digest = hashlib.sha256(options[0].encode()).hexdigest()[:16]
        file = project.cache_file(f"build-{digest}.json")
        return cls(file, options, project.entry_files(), project.template_files())

    @property
    def listing(self) -> list[str]:
        """Every entry and template file: a file added or removed is a change."""
        return self.entries + self.templates

    def last(self) -> Manifest | None:
        """The manifest of the last build with the same options, if there is one."""
        return Manifest.load(self.file, self.options)

    def up_to_date(
        self, project: Project, started: float, manifest: Manifest | None
    ) -> BuildReport | None:
        """The last build's report when nothing changed since it and its site is untouched."""
        verified_ns = time.time_ns()
        if manifest is None or not manifest.unchanged(project.root, project.out, self.listing):
            return None
        if manifest.settle(verified_ns):
            manifest.save(self.file)
        return BuildReport(
            events=manifest.report["events"],
            drafts=manifest.report["drafts"],
            sources=manifest.report["sources"],
            seconds=time.perf_counter() - started,
            warnings=manifest.warnings(),
            unchanged=True,
        )

    def save(
        self,
        project: Project,
        report: BuildReport,
        outputs: dict[str, Written],
        pages: dict[str, str],
    ) -> None:
        """Record what the build that just finished read and wrote, and its pages' digests."""
        stamp_files(project.root, self.templates, project.reads)
        manifest = Manifest(
            self.options, self.listing, project.reads.stamps, outputs, report.as_dict(), pages
        )
        manifest.save(self.file)


@dataclass(slots=True)
class LookBack:
    """What a build found of the last one before it began: the record it will write (with
    the files it lists), the last build's manifest, and its report when nothing changed."""

    record: BuildRecord
    last: Manifest | None
    report: BuildReport | None


def look_back(project: Project, base_url: str | None = None) -> LookBack:
    """Compare the project with its last build: its report comes back when building again
    would change nothing. What was listed and loaded is kept for the build that follows.

    Cheap to call, and light to import: the command line asks before loading the builder.
    """
    started = time.perf_counter()
    record = BuildRecord.of(project, base_url)
    last = record.last()
    return LookBack(record, last, record.up_to_date(project, started, last))
